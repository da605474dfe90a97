/* Pointers into the HOST-RESOURCES-MIB served by the same snmpd:
 * hrDeviceIndex of a processor (vmCpuPhysIndex) and hrStorageIndex of a
 * filesystem (vmStorageParent), taken from Net-SNMP's own indexing at run
 * time.  Main thread only. */
#ifndef VMMIB_AGENT_HOSTRES_H
#define VMMIB_AGENT_HOSTRES_H

#include <stdbool.h>
#include <stdint.h>

/* Refresh the processor list (once per published snapshot). */
void hostres_refresh(void);

/* Does this agent's hrProcessorTable have an entry for each of the
 * hypervisor's ncpu host CPUs?  (False for a remote hypervisor with another
 * CPU count, or when HOST-RESOURCES-MIB is not loaded.) */
bool hostres_processors_match(int ncpu);

/* hrDeviceIndex of host CPU `cpu` (0-based) when hostres_processors_match()
 * holds for the CPU count, else cpu + 1. */
int32_t hostres_processor_index(int cpu, bool use_hr);

/* hrStorageIndex of the filesystem mounted at `mount`, 0 when none. */
int32_t hostres_storage_index(const char *mount);

/* Drop cached data (deinit). */
void hostres_clear(void);

#endif
