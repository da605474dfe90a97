/* vmCpuTable (vmObjects 5): one row per online vCPU of an active VM; and
 * vmCpuAffinityTable (vmObjects 6): for each of those, one row per host
 * CPU saying whether the vCPU may run there.  The affinity rows are not
 * stored: they are the vCPUs times the host CPUs, found by arithmetic. */
#ifndef VMMIB_AGENT_CPUTABLES_H
#define VMMIB_AGENT_CPUTABLES_H

#include <stdint.h>

#include "../model/view.h"

int cputables_register(void);
void cputables_unregister(void);
/* The view to answer from from now on; also refreshes the host CPUs'
 * hrDeviceIndex values (vmCpuPhysIndex). */
void cputables_publish(const struct view *v);

#endif
