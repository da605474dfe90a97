#include "notify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <stdlib.h>

#include "../model/text.h"
#include "../model/vmtime.h"
#include "oids.h"
#include "set.h"

/* Notifications go out for this long at most per main-loop turn, then
 * snmpd answers what has arrived, NOTIFY_PAUSE_US later the next slice. */
#define NOTIFY_SLICE_US 2000
#define NOTIFY_PAUSE_US 1000

enum { TRUTH_TRUE = 1, TRUTH_FALSE = 2 };

static long per_vm_enabled = TRUTH_TRUE;
static long bulk_enabled = TRUTH_FALSE;
static netsnmp_handler_registration *per_vm_reg, *bulk_reg;
static bool told_too_far; /* a VM too far for a bulk notification: logged once per load */

/* ---- the enable switches ---- */

static void switch_reserve(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r)
{
    if (r->requestvb->type != ASN_INTEGER)
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGTYPE);
    else if (r->requestvb->val_len != sizeof(long) || (*r->requestvb->val.integer != TRUTH_TRUE &&
                                                       *r->requestvb->val.integer != TRUTH_FALSE))
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGVALUE);
}

static void switch_action(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, long *value,
                          const char *name)
{
    /* Keep the old value for UNDO on the request itself. */
    long *old = malloc(sizeof(*old));
    if (!old) {
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
    }
    *old = *value;
    netsnmp_request_add_list_data(r, netsnmp_create_data_list("vmmib:old", old, free));
    *value = *r->requestvb->val.integer;
    /* A change of what the agent sends is audited like a VM's (-LOw). */
    char who[256];
    set_requester(reqinfo, who, sizeof(who));
    snmp_log(LOG_WARNING, "vmmib: SET %s.0 = %ld by %s: done\n", name, *value, who);
}

static int switch_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    long *value = handler->myvoid;
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        if (r->processed)
            continue;
        long *old;
        switch (reqinfo->mode) {
        case MODE_GET:
            snmp_set_var_typed_integer(r->requestvb, ASN_INTEGER, *value);
            break;
        case MODE_SET_RESERVE1:
            switch_reserve(reqinfo, r);
            break;
        case MODE_SET_ACTION:
            switch_action(reqinfo, r, value, reginfo->handlerName);
            break;
        case MODE_SET_UNDO:
            if ((old = netsnmp_request_get_list_data(r, "vmmib:old")))
                *value = *old;
            break;
        default: /* RESERVE2, COMMIT, FREE: nothing to do */
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

static netsnmp_handler_registration *register_switch(const char *name, oid sub, long *value)
{
    oid o[] = {OIDS_OBJECTS, sub};
    netsnmp_mib_handler *h = netsnmp_create_handler(name, switch_handler);
    if (!h)
        return NULL;
    h->myvoid = value;
    netsnmp_handler_registration *reg =
        netsnmp_handler_registration_create(name, h, o, OID_LENGTH(o), HANDLER_CAN_RWRITE);
    if (!reg) {
        netsnmp_handler_free(h);
        return NULL;
    }
    if (netsnmp_register_scalar(reg) != MIB_REGISTERED_OK)
        return NULL;
    return reg;
}

int notify_register(bool per_vm, bool bulk)
{
    per_vm_enabled = per_vm ? TRUTH_TRUE : TRUTH_FALSE;
    bulk_enabled = bulk ? TRUTH_TRUE : TRUTH_FALSE;
    told_too_far = false;
    per_vm_reg =
        register_switch("vmPerVMNotificationsEnabled", OIDS_PER_VM_ENABLED, &per_vm_enabled);
    bulk_reg = register_switch("vmBulkNotificationsEnabled", OIDS_BULK_ENABLED, &bulk_enabled);
    return per_vm_reg && bulk_reg ? 0 : -1;
}

void notify_unregister(void)
{
    if (per_vm_reg)
        netsnmp_unregister_handler(per_vm_reg);
    if (bulk_reg)
        netsnmp_unregister_handler(bulk_reg);
    per_vm_reg = bulk_reg = NULL;
}

/* ---- sending ---- */

static const oid snmptrap_oid[] = {OIDS_SNMP_TRAP_OID};

static void add_column(netsnmp_variable_list **vars, unsigned column, int32_t index, u_char type,
                       const void *value, size_t len)
{
    oid o[] = {OIDS_OBJECTS, OIDS_VM_TABLE, 1, column, (oid)index};
    snmp_varlist_add_variable(vars, o, OID_LENGTH(o), type, value, len);
}

static void send_per_vm(const struct change_vm *c)
{
    netsnmp_variable_list *vars = NULL;
    oid trap[] = {OIDS_NOTIFICATIONS, (oid)c->notification};
    long prev = c->prev_oper, persistent = c->persistent;
    snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID, trap,
                              sizeof(trap));
    add_column(&vars, OIDS_VM_NAME, c->index, ASN_OCTET_STR, c->name, text_admin_len(c->name));
    add_column(&vars, OIDS_VM_UUID, c->index, ASN_OCTET_STR, c->uuid, 16);
    add_column(&vars, OIDS_VM_OPER_STATE, c->index, ASN_INTEGER, &prev, sizeof(prev));
    if (c->notification == STATE_NOTIFY_DELETED)
        add_column(&vars, OIDS_VM_PERSISTENT, c->index, ASN_INTEGER, &persistent,
                   sizeof(persistent));
    DEBUGMSGTL(("vmmib/notify", "per-VM notification %d for vmIndex %d (was %s)\n", c->notification,
                (int)c->index, state_oper_name(c->prev_oper)));
    send_v2trap(vars);
    snmp_free_varbind(vars);
}

/* The largest vmAffectedVMs a notification can carry.  snmpd refuses
 * ("send_trap: Too long") a message larger than the smallest of its
 * transport's maximum (UDP over IPv6: 65535 - 8 - 40 = 65487 octets; UDP
 * over IPv4 and DTLS 65507; TCP, TLS and Unix sockets 2^31 - 1) and the
 * session's, which is sendMessageMaxSize (snmp.conf) when set.  Every sink
 * gets the same notification and its transport is not known here, so the
 * smallest usual one counts, less room for the rest of the message: the
 * header, a community or SNMPv3's security parameters and context, the
 * sysUpTime and snmpTrapOID varbinds. */
#define NOTIFY_UDP6_MAX 65487
#define NOTIFY_ROOM 1024

static size_t bulk_max_octets(void)
{
    size_t limit = NOTIFY_UDP6_MAX;
    int session = netsnmp_max_send_msg_size();
    if (session > 0 && (size_t)session < limit)
        limit = (size_t)session;
    return limit >= 4 * NOTIFY_ROOM ? limit - NOTIFY_ROOM : limit / 2;
}

static void tell_too_far(int32_t index, size_t max_octets)
{
    if (told_too_far)
        return;
    told_too_far = true;
    snmp_log(LOG_WARNING,
             "vmmib: vmIndex %d is beyond what a bulk notification can carry (vmIndex 1-%zu, "
             "%zu octets of vmAffectedVMs); such VMs get per-VM notifications instead\n",
             (int)index, max_octets * 8, max_octets);
}

/* One bulk notification for the indexes that fit; the others were sent
 * per VM (notify_send).  Its cost is bounded by the VMs and the bitmap's
 * cap, never by how large an index is. */
static void send_bulk(int number, const int32_t *indexes, size_t n, size_t max_octets)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        size_t need = indexes[i] > 0 ? (size_t)(indexes[i] - 1) / 8 + 1 : 0;
        if (need > max_octets)
            tell_too_far(indexes[i], max_octets);
        else if (need > len)
            len = need;
    }
    if (len == 0)
        return; /* every VM of it was too far: sent per VM */
    unsigned char *bits = malloc(len);
    if (!bits)
        return;
    len = change_bitmap(indexes, n, bits, len);
    netsnmp_variable_list *vars = NULL;
    oid trap[] = {OIDS_NOTIFICATIONS, (oid)(OIDS_BULK_OFFSET + number)};
    oid affected[] = {OIDS_OBJECTS, OIDS_AFFECTED_VMS, 0};
    snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID, trap,
                              sizeof(trap));
    snmp_varlist_add_variable(&vars, affected, OID_LENGTH(affected), ASN_OCTET_STR, bits, len);
    DEBUGMSGTL(
        ("vmmib/notify", "bulk notification %d for %zu VMs\n", OIDS_BULK_OFFSET + number, n));
    send_v2trap(vars);
    snmp_free_varbind(vars);
    free(bits);
}

/* ---- the queue: a slice of the main loop at a time ---- */

/* The lists of the rounds published, oldest first, with how far each was
 * sent: per-VM notifications in order, then the bulk ones by number. */
struct notify_job {
    const struct change_list *list;
    size_t next_vm;
    int next_bulk;
    void (*done)(void *);
    void *arg;
};

static struct notify_job *jobs;
static size_t n_jobs, cap_jobs, head;
static unsigned pump_alarm;

/* Send the job's next notification the switches allow; false when it has
 * none left. */
static bool job_step(struct notify_job *j)
{
    const struct change_list *l = j->list;
    bool per_vm = per_vm_enabled == TRUTH_TRUE, bulk = bulk_enabled == TRUTH_TRUE;
    size_t max_octets = bulk_max_octets();
    if (j->next_vm < l->n_vm) {
        /* A VM whose bit a bulk notification cannot carry gets its per-VM
         * notifications even when only bulk ones are enabled. */
        int32_t too_far = (int32_t)(max_octets * 8 < INT32_MAX ? max_octets * 8 : INT32_MAX);
        const struct change_vm *c = &l->vm[j->next_vm++];
        if (per_vm || (bulk && c->index > too_far))
            send_per_vm(c);
        return true;
    }
    while (j->next_bulk <= STATE_NOTIFY_DELETED) {
        int k = j->next_bulk++;
        if (bulk && l->n_bulk[k]) {
            send_bulk(k, l->bulk[k], l->n_bulk[k], max_octets);
            return true;
        }
    }
    return false;
}

/* Send for up to slice_us (at least one notification), oldest list first. */
static size_t send_slice(int64_t slice_us)
{
    int64_t began = vmtime_boot_us();
    size_t sent = 0;
    while (head < n_jobs) {
        struct notify_job *j = &jobs[head];
        if (!job_step(j)) {
            head++;
            j->done(j->arg);
            continue;
        }
        sent++;
        if (slice_us >= 0 && vmtime_boot_us() - began >= slice_us)
            break;
    }
    if (head == n_jobs)
        head = n_jobs = 0;
    return sent;
}

static void pump(unsigned reg, void *arg)
{
    (void)reg;
    (void)arg;
    pump_alarm = 0;
    int64_t began = vmtime_boot_us(), began_cpu = vmtime_thread_cpu_us();
    size_t sent = send_slice(NOTIFY_SLICE_US);
    if (sent)
        DEBUGMSGTL(("vmmib/notify",
                    "sent %zu notifications in %lld us (%lld us CPU), %zu lists waiting\n", sent,
                    (long long)(vmtime_boot_us() - began),
                    (long long)(vmtime_thread_cpu_us() - began_cpu), n_jobs - head));
    /* Not due at once: the main loop first answers what has arrived. */
    struct timeval later = {0, NOTIFY_PAUSE_US};
    if (head < n_jobs)
        pump_alarm = snmp_alarm_register_hr(later, 0, pump, NULL);
}

void notify_send(const struct change_list *changes, void (*done)(void *), void *arg)
{
    if (n_jobs == cap_jobs) {
        size_t ncap = cap_jobs ? cap_jobs * 2 : 8;
        struct notify_job *grown = realloc(jobs, ncap * sizeof(*grown));
        if (!grown) {
            done(arg); /* out of memory: this round's notifications are lost */
            return;
        }
        jobs = grown;
        cap_jobs = ncap;
    }
    jobs[n_jobs++] = (struct notify_job){changes, 0, 1, done, arg};
    if (!pump_alarm)
        pump(0, NULL);
}

void notify_flush(void)
{
    if (pump_alarm)
        snmp_alarm_unregister(pump_alarm);
    pump_alarm = 0;
    send_slice(-1);
    free(jobs);
    jobs = NULL;
    n_jobs = cap_jobs = head = 0;
}
