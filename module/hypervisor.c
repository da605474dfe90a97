/* The hypervisor group (vmHvSoftware .. vmHvUpTime), vmNumber and
 * vmTableLastChange: plain scalars read from the current snapshot. */
#include "vmmib.h"
#include "table.h"

#include <string.h>

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
    [SC_HV_SOFTWARE] = {"vmHvSoftware", {1, 1}, 2},
    [SC_HV_VERSION] = {"vmHvVersion", {1, 2}, 2},
    [SC_HV_OBJECTID] = {"vmHvObjectID", {1, 3}, 2},
    [SC_HV_UPTIME] = {"vmHvUpTime", {1, 4}, 2},
    [SC_NUMBER] = {"vmNumber", {2}, 1},
    [SC_LAST_CHANGE] = {"vmTableLastChange", {3}, 1},
};

static netsnmp_handler_registration *regs[SC_COUNT];

/* SnmpAdminString (SIZE (0..255)): never longer than 255 octets. */
static int scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)reginfo;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    enum scalar_id id = (enum scalar_id)(uintptr_t)handler->myvoid;
    const struct vm_snapshot *s = vmmib_snapshot();
    /* vmHvObjectID: no hypervisor libvirt drives has an OID of its own in the
     * enterprises subtree, so the MIB's "unknown" for an OID, zeroDotZero. */
    static const oid zero_dot_zero[] = {0, 0};

    for (netsnmp_request_info *r = requests; r; r = r->next) {
        if (r->processed)
            continue;
        switch (id) {
        case SC_HV_SOFTWARE:
            vt_set_string(r, s->hv_software);
            break;
        case SC_HV_VERSION:
            vt_set_string(r, s->hv_version);
            break;
        case SC_HV_OBJECTID:
            snmp_set_var_typed_value(r->requestvb, ASN_OBJECT_ID, zero_dot_zero,
                                     sizeof(zero_dot_zero));
            break;
        case SC_HV_UPTIME:
            vt_set_ticks(r, vmmib_hv_uptime_cs());
            break;
        case SC_NUMBER:
            vt_set_int(r, (long)s->count);
            break;
        case SC_LAST_CHANGE:
            vt_set_ticks(r, vmmib_last_change_cs());
            break;
        default:
            netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
        }
    }
    return SNMP_ERR_NOERROR;
}

int vmmib_scalars_register(void)
{
    for (int i = 0; i < SC_COUNT; i++) {
        oid o[VMMIB_OID_LEN + 3] = {VMMIB_OID, 1};
        size_t len = VMMIB_OID_LEN + 1;
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

void vmmib_scalars_unregister(void)
{
    for (int i = 0; i < SC_COUNT; i++) {
        if (regs[i])
            netsnmp_unregister_handler(regs[i]);
        regs[i] = NULL;
    }
}
