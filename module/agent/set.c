#include "set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/admin.h"
#include "../model/state.h"
#include "../model/text.h"
#include "../model/vmtime.h"
#include "../poll/control.h"
#include "oids.h"

/* A SET answers within a second: actions still running after this long go
 * on in the background and show in vmOperState. */
#define CONTROL_WAIT_MS 700
/* Debian runs snmpd with -LOw: the audit trail of every state-changing SET
 * (who, what, result) must reach its journal, so it is logged at WARNING. */
#define LOG_AUDIT LOG_WARNING

enum { AFFINITY_ENABLE = 1, AFFINITY_DISABLE = 2 };

/* The plan for one varbind, attached to its request. */
struct plan {
    struct admin_plan p;
    unsigned char uuid[16];
    int32_t index;
    char what[700]; /* "SET ... by who": for the log */
    bool acted;
    /* vmCpuAffinity: several varbinds for one vCPU act as one */
    bool leader, grouped; /* grouped: a later one of them, whose leader acts */
    int vcpu, cpu, value;
};

#define PLAN_KEY "vmmib:plan"

static bool write_access;
static const struct view *current;

void set_enable(bool on)
{
    write_access = on;
}

void set_publish(const struct view *v)
{
    current = v;
}

/* ---- who and what, for the log ---- */

/* The version field of a PDU that came from an AgentX master (RFC 2741
 * version 1, as Net-SNMP's subagent marks it). */
#define AGENTX_PDU_VERSION_MASK 0xc0

/* Names a manager chose (community, security name) and what libvirt
 * says (VM names, errors) are escaped for the log: they may hold a newline
 * that would forge a line, or a terminal's escape sequences. */
void set_requester(netsnmp_agent_request_info *reqinfo, char *buf, size_t len)
{
    netsnmp_pdu *pdu = reqinfo && reqinfo->asp ? reqinfo->asp->pdu : NULL;
    if (pdu && (pdu->version & AGENTX_PDU_VERSION_MASK) == AGENTX_PDU_VERSION_MASK) {
        /* vmmib-agentx: AgentX carries the context, never the manager. */
        snprintf(buf, len, "the AgentX master (AgentX does not say which manager)");
        return;
    }
    char name[160] = "?";
    if (pdu && pdu->securityName && pdu->securityNameLen)
        text_escape(pdu->securityName, pdu->securityNameLen, name, sizeof(name));
    else if (pdu && pdu->community && pdu->community_len)
        text_escape(pdu->community, pdu->community_len, name, sizeof(name));
    char *from = NULL;
    netsnmp_transport *t = NULL;
    if (reqinfo && reqinfo->asp && reqinfo->asp->session)
        t = snmp_sess_transport(snmp_sess_pointer(reqinfo->asp->session));
    if (pdu && t && t->f_fmtaddr)
        from = t->f_fmtaddr(t, pdu->transport_data, pdu->transport_data_length);
    const char *version = "?";
    if (pdu)
        version = pdu->version == SNMP_VERSION_3    ? "3"
                  : pdu->version == SNMP_VERSION_2c ? "2c"
                                                    : "1";
    snprintf(buf, len, "'%s' (SNMPv%s) from %s", name, version, from ? from : "?");
    free(from);
}

/* The value of a SET varbind, for the log. */
static void value_text(const netsnmp_variable_list *vb, char *buf, size_t len)
{
    if (vb->type == ASN_INTEGER && vb->val.integer)
        snprintf(buf, len, "%ld", *vb->val.integer);
    else
        snprintf(buf, len, "(not an INTEGER)");
}

/* The error's name alone: Net-SNMP's snmp_errstring() adds a generic
 * explanation that can mislead in the journal (resourceUnavailable "is likely
 * a out-of-memory failure within the agent"); the log gives the real reason. */
static const char *error_name(int err)
{
    switch (err) {
    case SNMP_ERR_WRONGTYPE:
        return "wrongType";
    case SNMP_ERR_WRONGVALUE:
        return "wrongValue";
    case SNMP_ERR_NOCREATION:
        return "noCreation";
    case SNMP_ERR_INCONSISTENTVALUE:
        return "inconsistentValue";
    case SNMP_ERR_RESOURCEUNAVAILABLE:
        return "resourceUnavailable";
    case SNMP_ERR_NOTWRITABLE:
        return "notWritable";
    default:
        return snmp_errstring(err);
    }
}

static void refuse(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, int err,
                   const char *what, const char *why)
{
    snmp_log(LOG_WARNING, "vmmib: control: %s refused (%s): %s\n", what, error_name(err), why);
    netsnmp_set_request_error(reqinfo, r, err);
}

/* ---- acting ---- */

/* The whole PDU shares one wait budget. */
static int wait_budget(netsnmp_agent_request_info *reqinfo)
{
    static int64_t deadline_ms;
    static long last_reqid = -1;
    long reqid = reqinfo && reqinfo->asp && reqinfo->asp->pdu ? reqinfo->asp->pdu->reqid : -2;
    int64_t now = vmtime_boot_ms();
    if (reqid != last_reqid) {
        last_reqid = reqid;
        deadline_ms = now + CONTROL_WAIT_MS;
    }
    int64_t left = deadline_ms - now;
    return left > 0 ? (int)left : 0;
}

/* ACTION for one planned varbind: run it, wait within the PDU's budget. */
static void act(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, struct plan *pl,
                const unsigned char *map, size_t maplen)
{
    if (pl->p.verdict == ADMIN_NOOP) {
        /* Every SET is logged, also one that changes nothing. */
        snmp_log(LOG_NOTICE, "vmmib: control: %s: %s\n", pl->what,
                 pl->grouped ? "applied with the first varbind for this vCPU"
                             : "accepted, nothing to do (already so)");
        return;
    }
    if (pl->p.verdict != ADMIN_ACT)
        return;
    struct control_order o = {.action = pl->p.action,
                              .arg = pl->p.arg,
                              .map = map,
                              .maplen = maplen,
                              .shows = pl->p.shows,
                              .what = pl->what};
    memcpy(o.uuid, pl->uuid, 16);
    char *error = NULL, why[512];
    DEBUGMSGTL(("vmmib/set", "ACTION %s: %s\n", pl->what, admin_action_name(pl->p.action)));
    switch (control_run(&o, wait_budget(reqinfo), &error)) {
    case CONTROL_NOMEM:
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
    case CONTROL_PENDING:
        pl->acted = true;
        snmp_log(LOG_AUDIT, "vmmib: control: %s: %s in progress\n", pl->what,
                 admin_action_name(pl->p.action));
        return;
    case CONTROL_FAILED:
        snmp_log(LOG_WARNING, "vmmib: control: %s: failed: %s\n", pl->what,
                 text_escape_str(error, why, sizeof(why)));
        free(error);
        /* The hypervisor refused: the value does not fit the VM's state. */
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE);
        return;
    case CONTROL_DONE:
        pl->acted = true;
        snmp_log(LOG_AUDIT, "vmmib: control: %s: done\n", pl->what);
        return;
    }
}

/* UNDO of one varbind that acted.  What cannot be undone (a shutdown, a
 * destroy, a managed save) or whose undo failed makes the answer
 * undoFailed (RFC 3416 4.2.5): the manager must not believe that nothing
 * changed. */
static void undo(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, struct plan *pl,
                 const unsigned char *map, size_t maplen)
{
    if (!pl->acted)
        return;
    pl->acted = false;
    if (pl->p.shows)
        control_cancel(pl->uuid);
    if (pl->p.undo == ADMIN_NONE) {
        snmp_log(LOG_WARNING,
                 "vmmib: control: %s: a later varbind failed, and %s cannot be "
                 "undone (undoFailed)\n",
                 pl->what, admin_action_name(pl->p.action));
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_UNDOFAILED);
        return;
    }
    struct control_order o = {.action = pl->p.undo,
                              .arg = pl->p.undo_arg,
                              .map = map,
                              .maplen = maplen,
                              .what = pl->what};
    memcpy(o.uuid, pl->uuid, 16);
    char *error = NULL;
    enum control_result rc = control_run(&o, wait_budget(reqinfo), &error);
    if (rc == CONTROL_DONE || rc == CONTROL_PENDING) {
        snmp_log(LOG_AUDIT, "vmmib: control: %s: %s (%s) because a later varbind failed\n",
                 pl->what, rc == CONTROL_DONE ? "undone" : "being undone",
                 admin_action_name(pl->p.undo));
    } else {
        const char *why = error ? error : "";
        if (rc == CONTROL_NOMEM)
            why = "out of memory";
        snmp_log(LOG_WARNING, "vmmib: control: %s: could not be undone (%s): %s (undoFailed)\n",
                 pl->what, admin_action_name(pl->p.undo), why);
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_UNDOFAILED);
    }
    free(error);
}

void set_report_outcomes(void)
{
    struct control_outcome *o = NULL;
    size_t n = control_take_outcomes(&o);
    char why[512];
    for (size_t i = 0; i < n; i++) {
        if (o[i].failed)
            snmp_log(LOG_WARNING, "vmmib: control: %s: failed: %s\n", o[i].what,
                     text_escape_str(o[i].error, why, sizeof(why)));
        else
            snmp_log(LOG_AUDIT, "vmmib: control: %s: completed\n", o[i].what);
    }
    control_outcomes_free(o, n);
}

/* Can libvirt act at all?  Not while it does not answer, nor when it
 * refused the read-write connection write access needs. */
static bool usable(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, const char *what)
{
    char why[512];
    if (!current->snap->connected) {
        refuse(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE, what, "the hypervisor is not answering");
        return false;
    }
    if (current->snap->writes_refused) {
        char text[400];
        snprintf(why, sizeof(why), "monitoring only: %s",
                 text_escape_str(current->snap->writes_refused, text, sizeof(text)));
        refuse(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE, what, why);
        return false;
    }
    if (control_not_answering(why, sizeof(why))) {
        /* Do not hold the agent for an action that cannot start. */
        refuse(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE, what, why);
        return false;
    }
    return true;
}

/* ---- vmTable ---- */

static const char *vm_column_name(unsigned column)
{
    static const char *const names[] = {
        [OIDS_VM_NAME] = "vmName",
        [OIDS_VM_UUID] = "vmUUID",
        [OIDS_VM_OSTYPE] = "vmOSType",
        [OIDS_VM_ADMIN_STATE] = "vmAdminState",
        [OIDS_VM_OPER_STATE] = "vmOperState",
        [OIDS_VM_AUTOSTART] = "vmAutoStart",
        [OIDS_VM_PERSISTENT] = "vmPersistent",
        [OIDS_VM_CUR_CPU] = "vmCurCpuNumber",
        [OIDS_VM_MIN_CPU] = "vmMinCpuNumber",
        [OIDS_VM_MAX_CPU] = "vmMaxCpuNumber",
        [OIDS_VM_MEM_UNIT] = "vmMemUnit",
        [OIDS_VM_CUR_MEM] = "vmCurMem",
        [OIDS_VM_MIN_MEM] = "vmMinMem",
        [OIDS_VM_MAX_MEM] = "vmMaxMem",
        [OIDS_VM_UPTIME] = "vmUpTime",
        [OIDS_VM_CPU_TIME] = "vmCpuTime",
    };
    if (column < sizeof(names) / sizeof(names[0]) && names[column])
        return names[column];
    return "vmEntry column";
}

/* Why a column other than the control objects refuses a SET. */
static void read_only_reason(unsigned column, char *why, size_t len)
{
    if (column == OIDS_VM_MIN_CPU || column == OIDS_VM_MAX_CPU || column == OIDS_VM_MIN_MEM ||
        column == OIDS_VM_MAX_MEM)
        snprintf(why, len, "%s: libvirt cannot change it live, only in the persistent definition",
                 vm_column_name(column));
    else
        snprintf(why, len,
                 "%s is read-only; the writable objects are vmAdminState, vmCurCpuNumber, "
                 "vmCurMem and vmCpuAffinity",
                 vm_column_name(column));
}

static enum admin_object vm_object(unsigned column)
{
    if (column == OIDS_VM_ADMIN_STATE)
        return ADMIN_OBJ_STATE;
    return column == OIDS_VM_CUR_CPU ? ADMIN_OBJ_VCPUS : ADMIN_OBJ_MEMORY;
}

/* A plan's verdict as the answer to its varbind; false when refused. */
static bool answer_plan(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r,
                        const struct plan *pl, const char *why)
{
    switch (pl->p.verdict) {
    case ADMIN_WRONG_VALUE:
        refuse(reqinfo, r, SNMP_ERR_WRONGVALUE, pl->what, why);
        return false;
    case ADMIN_INCONSISTENT:
        refuse(reqinfo, r, SNMP_ERR_INCONSISTENTVALUE, pl->what, why);
        return false;
    case ADMIN_UNAVAILABLE:
        refuse(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE, pl->what, why);
        return false;
    default:
        return true;
    }
}

static struct plan *plan_new(netsnmp_request_info *r, const struct snapshot_row *row,
                             const char *what)
{
    struct plan *pl = calloc(1, sizeof(*pl));
    if (!pl)
        return NULL;
    pl->index = row->index;
    memcpy(pl->uuid, row->uuid, 16);
    snprintf(pl->what, sizeof(pl->what), "%s", what);
    netsnmp_request_add_list_data(r, netsnmp_create_data_list(PLAN_KEY, pl, free));
    return pl;
}

/* The plan of one vmTable varbind, by column. */
static void plan_vm(struct plan *pl, const struct snapshot_row *row, unsigned column, long v,
                    char *why, size_t whylen)
{
    if (column == OIDS_VM_ADMIN_STATE)
        pl->p = admin_plan_state(row, v);
    else if (column == OIDS_VM_CUR_CPU)
        pl->p = admin_plan_vcpus(row, v);
    else
        pl->p = admin_plan_memory(row, v);
    if (column == OIDS_VM_ADMIN_STATE && pl->p.verdict == ADMIN_INCONSISTENT && pl->p.why &&
        strcmp(pl->p.why, ADMIN_WHY_TRANSITION) == 0)
        snprintf(why, whylen, "%s makes no sense while the VM is %s", admin_target_name(v),
                 state_oper_name(row->oper));
    else
        snprintf(why, whylen, "%s", pl->p.why ? pl->p.why : "");
}

static void reserve_vm(const struct snapshot_row *row, unsigned column, netsnmp_request_info *r,
                       netsnmp_agent_request_info *reqinfo)
{
    char who[256], what[700], value[32], why[160], name[320];
    const char *wrong;
    set_requester(reqinfo, who, sizeof(who));
    value_text(r->requestvb, value, sizeof(value));
    oid idx = r->requestvb->name_length ? r->requestvb->name[r->requestvb->name_length - 1] : 0;
    snprintf(what, sizeof(what), "SET %s.%lu (%s) = %s by %s", vm_column_name(column),
             (unsigned long)idx,
             row ? text_escape_str(row->name, name, sizeof(name)) : "no such VM", value, who);
    DEBUGMSGTL(("vmmib/set", "RESERVE1 %s\n", what));
    if (!write_access) {
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
    } else if (column != OIDS_VM_ADMIN_STATE && column != OIDS_VM_CUR_CPU &&
               column != OIDS_VM_CUR_MEM) {
        read_only_reason(column, why, sizeof(why));
        refuse(reqinfo, r, SNMP_ERR_NOTWRITABLE, what, why);
    } else if (r->requestvb->type != ASN_INTEGER) {
        /* RFC 3416 4.2.5: wrongType and wrongValue come before noCreation. */
        refuse(reqinfo, r, SNMP_ERR_WRONGTYPE, what, "an INTEGER is required");
    } else if ((wrong = admin_wrong_value(vm_object(column), *r->requestvb->val.integer))) {
        refuse(reqinfo, r, SNMP_ERR_WRONGVALUE, what, wrong);
    } else if (!row) {
        refuse(reqinfo, r, SNMP_ERR_NOCREATION, what, "no such VM; rows are not created by SET");
    } else {
        struct plan *pl = plan_new(r, row, what);
        if (!pl) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            return;
        }
        if (!usable(reqinfo, r, what))
            return;
        plan_vm(pl, row, column, *r->requestvb->val.integer, why, sizeof(why));
        answer_plan(reqinfo, r, pl, why);
    }
}

void set_vm(const struct table_row *tr, unsigned column, netsnmp_request_info *r,
            netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all)
{
    (void)all;
    const struct snapshot_row *row = tr ? ((const struct view_vm *)tr->entry)->row : NULL;
    struct plan *pl = netsnmp_request_get_list_data(r, PLAN_KEY);
    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1:
        reserve_vm(row, column, r, reqinfo);
        return;
    case MODE_SET_ACTION:
        if (pl)
            act(reqinfo, r, pl, NULL, 0);
        return;
    case MODE_SET_UNDO:
        if (pl)
            undo(reqinfo, r, pl, NULL, 0);
        return;
    default: /* RESERVE2, COMMIT, FREE: the plan goes with the request */
        return;
    }
}

/* ---- vmCpuAffinity ---- */

/* The new pinning of the vCPU that request self's row belongs to: its
 * current map with every SET of this PDU for the same vCPU applied.
 * *leader: self is the first of them, the one that acts for all. */
static unsigned char *group_map(const struct view_cpu *c, netsnmp_request_info *all,
                                netsnmp_request_info *self, bool *leader)
{
    size_t maplen = current->snap->cpumap_len;
    unsigned char *map = calloc(1, maplen ? maplen : 1);
    if (!map)
        return NULL;
    if (c->vcpu->cpumap)
        memcpy(map, c->vcpu->cpumap, maplen);
    *leader = true;
    bool seen_self = false;
    for (netsnmp_request_info *q = all; q; q = q->next) {
        struct plan *pl = netsnmp_request_get_list_data(q, PLAN_KEY);
        if (!pl || pl->index != c->row->index || pl->vcpu != c->vcpu->number)
            continue;
        if (q == self)
            seen_self = true;
        else if (!seen_self)
            *leader = false; /* an earlier varbind of the group acts for it */
        if (pl->cpu / 8 < (int)maplen) {
            if (pl->value == AFFINITY_ENABLE)
                map[pl->cpu / 8] |= (unsigned char)(1 << (pl->cpu % 8));
            else
                map[pl->cpu / 8] &= (unsigned char)~(1 << (pl->cpu % 8));
        }
    }
    return map;
}

static void reserve_affinity(const struct table_row *tr, unsigned column, netsnmp_request_info *r,
                             netsnmp_agent_request_info *reqinfo)
{
    const struct view_cpu *c = tr ? tr->entry : NULL;
    char who[256], what[700], value[32], name[320];
    const char *wrong;
    set_requester(reqinfo, who, sizeof(who));
    value_text(r->requestvb, value, sizeof(value));
    snprintf(what, sizeof(what), "SET vmCpuAffinity (%s vCPU %d host CPU %d) = %s by %s",
             c ? text_escape_str(c->row->name, name, sizeof(name)) : "no such row",
             c ? c->vcpu->number : -1, tr ? (int)tr->aux : -1, value, who);
    DEBUGMSGTL(("vmmib/set", "RESERVE1 %s\n", what));
    long v = r->requestvb->type == ASN_INTEGER ? *r->requestvb->val.integer : 0;
    if (!write_access) {
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
    } else if (column != OIDS_AFFINITY) {
        refuse(reqinfo, r, SNMP_ERR_NOTWRITABLE, what, "not writable");
    } else if (r->requestvb->type != ASN_INTEGER) {
        refuse(reqinfo, r, SNMP_ERR_WRONGTYPE, what, "an INTEGER is required");
    } else if ((wrong = admin_wrong_value(ADMIN_OBJ_AFFINITY, v))) {
        refuse(reqinfo, r, SNMP_ERR_WRONGVALUE, what, wrong);
    } else if (!c) {
        refuse(reqinfo, r, SNMP_ERR_NOCREATION, what,
               "no such vCPU or host CPU; rows are not created by SET");
    } else {
        struct plan *pl = plan_new(r, c->row, what);
        if (!pl) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            return;
        }
        pl->vcpu = c->vcpu->number;
        pl->cpu = (int)tr->aux;
        pl->value = (int)v;
        if (usable(reqinfo, r, what) && !c->vcpu->cpumap)
            refuse(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE, what,
                   "the current pinning is not known");
    }
}

/* Every request's plan exists now: check the combined pinning. */
static void reserve2_affinity(const struct view_cpu *c, struct plan *pl, netsnmp_request_info *r,
                              netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all)
{
    bool leader;
    unsigned char *map = group_map(c, all, r, &leader);
    if (!map) {
        netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
        return;
    }
    const struct snapshot *s = current->snap;
    pl->p = admin_plan_pin(c->row, c->vcpu, map, s->cpumap_len, s->host_cpus);
    free(map);
    pl->leader = leader;
    if (answer_plan(reqinfo, r, pl, pl->p.why ? pl->p.why : "") && !leader) {
        pl->p.verdict = ADMIN_NOOP; /* the group's leader acts */
        pl->grouped = true;
    }
}

void set_affinity(const struct table_row *tr, unsigned column, netsnmp_request_info *r,
                  netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all)
{
    const struct view_cpu *c = tr ? tr->entry : NULL;
    struct plan *pl = netsnmp_request_get_list_data(r, PLAN_KEY);
    bool leader;
    unsigned char *map;
    switch (reqinfo->mode) {
    case MODE_SET_RESERVE1:
        reserve_affinity(tr, column, r, reqinfo);
        return;
    case MODE_SET_RESERVE2:
        if (pl && c)
            reserve2_affinity(c, pl, r, reqinfo, all);
        return;
    case MODE_SET_ACTION:
        if (!pl || !c || pl->p.verdict != ADMIN_ACT)
            return;
        if (!(map = group_map(c, all, r, &leader))) {
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_RESOURCEUNAVAILABLE);
            return;
        }
        act(reqinfo, r, pl, map, current->snap->cpumap_len);
        free(map);
        return;
    case MODE_SET_UNDO:
        if (pl && c && c->vcpu->cpumap)
            undo(reqinfo, r, pl, c->vcpu->cpumap, current->snap->cpumap_len);
        return;
    default:
        return;
    }
}
