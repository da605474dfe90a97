/* Shared between the module's files: the published state, on the main thread. */
#ifndef VMMIB_VMMIB_H
#define VMMIB_VMMIB_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "snapshot.h"

/* 1.3.6.1.2.1.236: vmMIB (RFC 7666) */
#define VMMIB_OID 1, 3, 6, 1, 2, 1, 236
#define VMMIB_OID_LEN 7

/* The snapshot every handler answers from; never NULL after init. */
const struct vm_snapshot *vmmib_snapshot(void);

/* vmHvUpTime now, and vmTableLastChange, in centiseconds. */
uint32_t vmmib_hv_uptime_cs(void);
uint32_t vmmib_last_change_cs(void);

/* hypervisor.c: vmHypervisor group, vmNumber, vmTableLastChange */
int vmmib_scalars_register(void);
void vmmib_scalars_unregister(void);

/* vmtable.c */
int vmmib_vmtable_register(void);
void vmmib_vmtable_unregister(void);
void vmmib_vmtable_load(const struct vm_snapshot *s);

/* cputable.c: vmCpuTable and vmCpuAffinityTable */
int vmmib_cputables_register(void);
void vmmib_cputables_unregister(void);
void vmmib_cputables_load(const struct vm_snapshot *s);

/* storagetable.c */
int vmmib_storagetable_register(void);
void vmmib_storagetable_unregister(void);
void vmmib_storagetable_load(const struct vm_snapshot *s);

/* nettable.c */
int vmmib_nettable_register(void);
void vmmib_nettable_unregister(void);
void vmmib_nettable_load(const struct vm_snapshot *s);

#endif
