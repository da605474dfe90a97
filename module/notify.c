/* See notify.h. */
#include "vmmib.h"
#include "notify.h"

#include <stdlib.h>
#include <string.h>

#define NOTIF_DELETED 10
#define NOTIF_BULK_OFFSET 10

static const oid snmptrap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};

/* Switch state: starts from snmpd.conf at every load, never persisted. */
static long per_vm_enabled = 1; /* TruthValue true(1) / false(2) */
static long bulk_enabled = 2;
static netsnmp_handler_registration *per_vm_reg, *bulk_reg;

/* The last state libvirt reported for each vmIndex (sorted by index), so a
 * round with oper unknown (libvirt away) is not taken as a change. */
struct known {
    int32_t index;
    int oper;
    int64_t read_ms; /* when libvirt was last asked for this state */
};

/* An event that arrives this soon after the VM's state was read may be
 * older than that read (it was on its way): applying it would report the
 * VM going back.  Such events are dropped; the next read tells. */
#define EVENT_STALE_MS 500
static struct known *known;
static size_t n_known;
static bool known_valid; /* false until the first connected round */

/* ---- the enable switches ---- */

static int switch_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)reginfo;
    long *value = handler->myvoid;
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        if (r->processed)
            continue;
        switch (reqinfo->mode) {
        case MODE_GET:
            snmp_set_var_typed_integer(r->requestvb, ASN_INTEGER, *value);
            break;
        case MODE_SET_RESERVE1:
            if (r->requestvb->type != ASN_INTEGER)
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGTYPE);
            else if (r->requestvb->val_len != sizeof(long) ||
                     (*r->requestvb->val.integer != 1 && *r->requestvb->val.integer != 2))
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_WRONGVALUE);
            break;
        case MODE_SET_ACTION: {
            /* Keep the old value for UNDO on the request itself. */
            long *old = malloc(sizeof(*old));
            if (!old) {
                netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
                break;
            }
            *old = *value;
            netsnmp_request_add_list_data(r, netsnmp_create_data_list("vmmib:old", old, free));
            *value = *r->requestvb->val.integer;
            break;
        }
        case MODE_SET_UNDO: {
            long *old = netsnmp_request_get_list_data(r, "vmmib:old");
            if (old)
                *value = *old;
            break;
        }
        default: /* RESERVE2, COMMIT, FREE: nothing to do */
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

static netsnmp_handler_registration *register_switch(const char *name, oid sub, long *value)
{
    oid o[] = {VMMIB_OID, 1, sub};
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

int vmmib_notify_register(bool per_vm, bool bulk)
{
    per_vm_enabled = per_vm ? 1 : 2;
    bulk_enabled = bulk ? 1 : 2;
    free(known);
    known = NULL;
    n_known = 0;
    known_valid = false;
    per_vm_reg = register_switch("vmPerVMNotificationsEnabled", 9, &per_vm_enabled);
    bulk_reg = register_switch("vmBulkNotificationsEnabled", 10, &bulk_enabled);
    return per_vm_reg && bulk_reg ? 0 : -1;
}

void vmmib_notify_unregister(void)
{
    if (per_vm_reg)
        netsnmp_unregister_handler(per_vm_reg);
    if (bulk_reg)
        netsnmp_unregister_handler(bulk_reg);
    per_vm_reg = bulk_reg = NULL;
    free(known);
    known = NULL;
    n_known = 0;
    known_valid = false;
}

/* ---- sending ---- */

static void add_column(netsnmp_variable_list **vars, unsigned column, int32_t index, u_char type,
                       const void *value, size_t len)
{
    oid o[] = {VMMIB_OID, 1, 4, 1, column, (oid)index};
    snmp_varlist_add_variable(vars, o, OID_LENGTH(o), type, value, len);
}

static void send_per_vm(int number, const struct vm_row *row, int prev_oper)
{
    netsnmp_variable_list *vars = NULL;
    oid trap[] = {VMMIB_OID, 0, (oid)number};
    snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID, trap,
                              sizeof(trap));
    const char *name = row->name ? row->name : "";
    size_t nlen = strlen(name) > 255 ? 255 : strlen(name);
    long prev = prev_oper, persistent = row->persistent;
    add_column(&vars, 2, row->index, ASN_OCTET_STR, name, nlen);
    add_column(&vars, 3, row->index, ASN_OCTET_STR, row->uuid, 16);
    add_column(&vars, 6, row->index, ASN_INTEGER, &prev, sizeof(prev));
    if (number == NOTIF_DELETED)
        add_column(&vars, 8, row->index, ASN_INTEGER, &persistent, sizeof(persistent));
    send_v2trap(vars);
    snmp_free_varbind(vars);
}

static void send_bulk(int number, const int32_t *indexes, size_t n)
{
    size_t cap = 0;
    for (size_t i = 0; i < n; i++)
        if (indexes[i] > 0 && (size_t)(indexes[i] - 1) / 8 + 1 > cap)
            cap = (size_t)(indexes[i] - 1) / 8 + 1;
    unsigned char *bits = malloc(cap ? cap : 1);
    if (!bits)
        return;
    size_t len = vm_bitmap(indexes, n, bits, cap);
    netsnmp_variable_list *vars = NULL;
    oid trap[] = {VMMIB_OID, 0, (oid)(NOTIF_BULK_OFFSET + number)};
    oid affected[] = {VMMIB_OID, 1, 11, 0};
    snmp_varlist_add_variable(&vars, snmptrap_oid, OID_LENGTH(snmptrap_oid), ASN_OBJECT_ID, trap,
                              sizeof(trap));
    snmp_varlist_add_variable(&vars, affected, OID_LENGTH(affected), ASN_OCTET_STR, bits, len);
    send_v2trap(vars);
    snmp_free_varbind(vars);
    free(bits);
}

static struct known *known_find(int32_t index)
{
    size_t lo = 0, hi = n_known;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (known[mid].index == index)
            return &known[mid];
        if (known[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Note that index reached notification `number` this round (once). */
static void reach(int32_t **reached, size_t *n_reached, int number, int32_t index)
{
    for (size_t j = 0; j < n_reached[number]; j++)
        if (reached[number][j] == index)
            return;
    reached[number][n_reached[number]++] = index;
}

static int cmp_row_uuid(const void *a, const void *b)
{
    const struct vm_row *const *x = a, *const *y = b;
    return memcmp((*x)->uuid, (*y)->uuid, 16);
}

static void apply_events(const struct vm_snapshot *next, int32_t **reached, size_t *n_reached)
{
    const struct vm_row **by_uuid = malloc((next->count + 1) * sizeof(*by_uuid));
    if (!by_uuid)
        return;
    for (size_t i = 0; i < next->count; i++)
        by_uuid[i] = &next->rows[i];
    qsort(by_uuid, next->count, sizeof(*by_uuid), cmp_row_uuid);
    for (size_t e = 0; e < next->n_events; e++) {
        struct vm_row key;
        const struct vm_row *keyp = &key;
        memcpy(key.uuid, next->events[e].uuid, 16);
        const struct vm_row **hit =
            bsearch(&keyp, by_uuid, next->count, sizeof(*by_uuid), cmp_row_uuid);
        if (!hit)
            continue; /* gone by now: the deletion is found below */
        const struct vm_row *row = *hit;
        struct known *k = known_find(row->index);
        int oper = next->events[e].oper;
        if (!k || k->oper == oper)
            continue; /* a VM new this round, or nothing new */
        if (next->events[e].received_ms <= k->read_ms + EVENT_STALE_MS)
            continue; /* possibly older than what the last round read */
        int number = vm_notification_for(oper);
        if (number) {
            if (per_vm_enabled == 1)
                send_per_vm(number, row, k->oper);
            /* A VM counts once per state in a round's bulk notification. */
            reach(reached, n_reached, number, row->index);
        }
        k->oper = oper;
    }
    free(by_uuid);
}

void vmmib_notify_diff(const struct vm_snapshot *prev, const struct vm_snapshot *next)
{
    if (!next->connected)
        return; /* nothing is known to have changed */

    /* Per notification number (1..10), the indexes that reached it. */
    int32_t *reached[NOTIF_DELETED + 1] = {0};
    size_t n_reached[NOTIF_DELETED + 1] = {0};
    size_t cap = next->count + n_known + next->n_events + 1;
    bool ok = true;
    for (int k = 1; k <= NOTIF_DELETED; k++)
        if (!(reached[k] = malloc(cap * sizeof(int32_t))))
            ok = false;
    struct known *now = malloc((next->count + 1) * sizeof(*now));
    if (!ok || !now)
        goto out;

    /* First the states libvirt announced by events since the last round,
     * in order: this is how short-lived states (suspending, shuttingdown,
     * resuming, migrating) are seen.  Then the state the round read. */
    if (known_valid && next->n_events)
        apply_events(next, reached, n_reached);

    size_t n_now = 0;
    for (size_t i = 0; i < next->count; i++) {
        const struct vm_row *row = &next->rows[i];
        int oper = row->oper;
        const struct known *was = known_find(row->index);
        if (oper == VM_OPER_UNKNOWN) {
            /* This VM alone did not answer: keep what we knew of it. */
            if (was)
                now[n_now++] = *was;
            continue;
        }
        now[n_now].index = row->index;
        now[n_now].oper = oper;
        now[n_now].read_ms = row->read_ms;
        n_now++;
        if (!known_valid || !was || was->oper == oper)
            continue; /* first round, new VM, or no change */
        int number = vm_notification_for(oper);
        if (!number)
            continue;
        if (per_vm_enabled == 1)
            send_per_vm(number, row, was->oper);
        reach(reached, n_reached, number, row->index);
    }
    /* VMs libvirt no longer lists: deleted. */
    for (size_t i = 0; known_valid && prev && i < n_known; i++) {
        int32_t index = known[i].index;
        bool still = vm_snapshot_find_index(next, index) != NULL;
        if (still)
            continue;
        const struct vm_row *gone = vm_snapshot_find_index(prev, index);
        if (gone && per_vm_enabled == 1) {
            struct vm_row copy = *gone;
            copy.index = index;
            send_per_vm(NOTIF_DELETED, &copy, known[i].oper);
        }
        reached[NOTIF_DELETED][n_reached[NOTIF_DELETED]++] = index;
    }
    if (bulk_enabled == 1)
        for (int k = 1; k <= NOTIF_DELETED; k++)
            if (n_reached[k])
                send_bulk(k, reached[k], n_reached[k]);

    free(known);
    known = now;
    now = NULL;
    n_known = n_now;
    known_valid = true;
out:
    free(now);
    for (int k = 1; k <= NOTIF_DELETED; k++)
        free(reached[k]);
}
