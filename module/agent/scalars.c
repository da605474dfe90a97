#include "scalars.h"

#include "../model/vmtime.h"
#include "oids.h"
#include "table.h"

enum scalar_id {
    SC_HV_SOFTWARE,
    SC_HV_VERSION,
    SC_HV_OBJECTID,
    SC_HV_UPTIME,
    SC_NUMBER,
    SC_LAST_CHANGE,
    SC_COUNT
};

static const struct {
    const char *name;
    oid sub[2];
    size_t sublen;
} scalars[SC_COUNT] = {
    [SC_HV_SOFTWARE] = {"vmHvSoftware", {OIDS_HYPERVISOR, OIDS_HV_SOFTWARE}, 2},
    [SC_HV_VERSION] = {"vmHvVersion", {OIDS_HYPERVISOR, OIDS_HV_VERSION}, 2},
    [SC_HV_OBJECTID] = {"vmHvObjectID", {OIDS_HYPERVISOR, OIDS_HV_OBJECTID}, 2},
    [SC_HV_UPTIME] = {"vmHvUpTime", {OIDS_HYPERVISOR, OIDS_HV_UPTIME}, 2},
    [SC_NUMBER] = {"vmNumber", {OIDS_NUMBER}, 1},
    [SC_LAST_CHANGE] = {"vmTableLastChange", {OIDS_TABLE_LAST_CHANGE}, 1},
};

static netsnmp_handler_registration *regs[SC_COUNT];
static const struct view *current;
static int64_t last_change_ms;

void scalars_publish(const struct view *v, int64_t last_change)
{
    current = v;
    last_change_ms = last_change;
}

/* vmHvUpTime now, in centiseconds; 0 while the hypervisor is unknown. */
static uint32_t hv_uptime_cs(const struct snapshot *s)
{
    if (!s || !s->hv_known)
        return 0;
    return vmtime_ticks((vmtime_boot_ms() - s->hv_init_ms) / 10);
}

/* vmTableLastChange: vmHvUpTime when a row last appeared or went away. */
static uint32_t last_change_cs(const struct snapshot *s)
{
    if (!s || last_change_ms <= s->hv_init_ms)
        return 0;
    return vmtime_ticks((last_change_ms - s->hv_init_ms) / 10);
}

static void answer(enum scalar_id id, const struct snapshot *s, netsnmp_request_info *r)
{
    /* vmHvObjectID: no hypervisor libvirt drives has an OID of its own in the
     * enterprises subtree, so the MIB's "unknown" for an OID, zeroDotZero. */
    static const oid zero_dot_zero[] = {0, 0};
    switch (id) {
    case SC_HV_SOFTWARE:
        table_set_string(r, s ? s->hv_software : "");
        break;
    case SC_HV_VERSION:
        table_set_string(r, s ? s->hv_version : "");
        break;
    case SC_HV_OBJECTID:
        snmp_set_var_typed_value(r->requestvb, ASN_OBJECT_ID, zero_dot_zero, sizeof(zero_dot_zero));
        break;
    case SC_HV_UPTIME:
        table_set_ticks(r, hv_uptime_cs(s));
        break;
    case SC_NUMBER:
        table_set_int(r, s ? (long)s->count : 0);
        break;
    default:
        table_set_ticks(r, last_change_cs(s));
        break;
    }
}

static int scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)reginfo;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    enum scalar_id id = (enum scalar_id)(uintptr_t)handler->myvoid;
    for (netsnmp_request_info *r = requests; r; r = r->next)
        if (!r->processed)
            answer(id, current ? current->snap : NULL, r);
    return SNMP_ERR_NOERROR;
}

int scalars_register(void)
{
    for (int i = 0; i < SC_COUNT; i++) {
        oid o[OIDS_OBJECTS_LEN + 2] = {OIDS_OBJECTS};
        size_t len = OIDS_OBJECTS_LEN;
        for (size_t k = 0; k < scalars[i].sublen; k++)
            o[len++] = scalars[i].sub[k];
        netsnmp_mib_handler *h = netsnmp_create_handler(scalars[i].name, scalar_handler);
        if (!h)
            return -1;
        h->myvoid = (void *)(uintptr_t)i;
        regs[i] =
            netsnmp_handler_registration_create(scalars[i].name, h, o, len, HANDLER_CAN_RONLY);
        if (!regs[i]) {
            netsnmp_handler_free(h);
            return -1;
        }
        if (netsnmp_register_scalar(regs[i]) != MIB_REGISTERED_OK) {
            regs[i] = NULL;
            snmp_log(LOG_ERR, "vmmib: cannot register %s\n", scalars[i].name);
            return -1;
        }
    }
    return 0;
}

void scalars_unregister(void)
{
    for (int i = 0; i < SC_COUNT; i++) {
        if (regs[i])
            netsnmp_unregister_handler(regs[i]);
        regs[i] = NULL;
    }
    current = NULL;
}
