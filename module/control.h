/* Control over SNMP (draft-asai-vmm-mib-05's read-write objects), on only
 * with `vmMibWriteAccess yes`.  Main thread, except the control thread that
 * runs the libvirt calls. */
#ifndef VMMIB_CONTROL_H
#define VMMIB_CONTROL_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "poller.h"
#include "snapshot.h"

/* A vmCpuAffinityTable row as the SET handler needs it. */
struct vmmib_affinity_ref {
    int value; /* enable(1), disable(2), unknown(0): what GET answers */
    int32_t vm_index;
    unsigned char uuid[16];
    const char *vm_name;
    const struct vm_vcpu *vcpu;
    int cpu; /* host CPU number */
};

/* Start/stop the control thread (write mode only). */
int vmmib_control_start(struct vm_poller *p);
void vmmib_control_stop(void);

/* vmAdminState to show: the target of a SET whose action is under way, or
 * the snapshot's value. */
int vmmib_control_admin(int32_t index, int admin);

/* After each published snapshot: drop reached targets, log finished actions. */
void vmmib_control_observe(const struct vm_snapshot *s);

/* vt_set_fn for vmTable and vmCpuAffinityTable. */
void vmmib_control_vm_set(const void *row, unsigned column, netsnmp_request_info *r,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all);
void vmmib_control_affinity_set(const void *row, unsigned column, netsnmp_request_info *r,
                                netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all);

#endif
