/* Every OID and column number of VM-MIB (RFC 7666, mib-2 236) that the
 * agent serves or sends, in one place. */
#ifndef VMMIB_AGENT_OIDS_H
#define VMMIB_AGENT_OIDS_H

/* vmMIB */
#define OIDS_VMMIB 1, 3, 6, 1, 2, 1, 236
#define OIDS_VMMIB_LEN 7

/* vmNotifications (vmMIB 0) and vmObjects (vmMIB 1). */
#define OIDS_NOTIFICATIONS OIDS_VMMIB, 0
#define OIDS_OBJECTS OIDS_VMMIB, 1
#define OIDS_OBJECTS_LEN (OIDS_VMMIB_LEN + 1)

/* Under vmObjects. */
enum oids_object {
    OIDS_HYPERVISOR = 1, /* vmHypervisor: the four scalars below */
    OIDS_NUMBER = 2,
    OIDS_TABLE_LAST_CHANGE = 3,
    OIDS_VM_TABLE = 4,
    OIDS_CPU_TABLE = 5,
    OIDS_AFFINITY_TABLE = 6,
    OIDS_STORAGE_TABLE = 7,
    OIDS_NETWORK_TABLE = 8,
    OIDS_PER_VM_ENABLED = 9,
    OIDS_BULK_ENABLED = 10,
    OIDS_AFFECTED_VMS = 11,
};

/* Under vmHypervisor. */
enum oids_hypervisor {
    OIDS_HV_SOFTWARE = 1,
    OIDS_HV_VERSION = 2,
    OIDS_HV_OBJECTID = 3,
    OIDS_HV_UPTIME = 4,
};

/* vmEntry columns (vmIndex is column 1, not accessible). */
enum oids_vm_column {
    OIDS_VM_NAME = 2,
    OIDS_VM_UUID,
    OIDS_VM_OSTYPE,
    OIDS_VM_ADMIN_STATE,
    OIDS_VM_OPER_STATE,
    OIDS_VM_AUTOSTART,
    OIDS_VM_PERSISTENT,
    OIDS_VM_CUR_CPU,
    OIDS_VM_MIN_CPU,
    OIDS_VM_MAX_CPU,
    OIDS_VM_MEM_UNIT,
    OIDS_VM_CUR_MEM,
    OIDS_VM_MIN_MEM,
    OIDS_VM_MAX_MEM,
    OIDS_VM_UPTIME,
    OIDS_VM_CPU_TIME,
};

/* vmCpuEntry: vmCpuIndex (1) then vmCpuCoreTime. */
enum oids_cpu_column { OIDS_CPU_CORE_TIME = 2 };

/* vmCpuAffinityEntry: vmCpuPhysIndex (2) then vmCpuAffinity. */
enum oids_affinity_column { OIDS_AFFINITY = 3 };

/* vmStorageEntry: vmStorageVmIndex (1), vmStorageIndex (2), then these. */
enum oids_storage_column {
    OIDS_STORAGE_PARENT = 3,
    OIDS_STORAGE_SOURCE_TYPE,
    OIDS_STORAGE_SOURCE_TYPE_STRING,
    OIDS_STORAGE_RESOURCE_ID,
    OIDS_STORAGE_ACCESS,
    OIDS_STORAGE_MEDIA_TYPE,
    OIDS_STORAGE_MEDIA_TYPE_STRING,
    OIDS_STORAGE_SIZE_UNIT,
    OIDS_STORAGE_DEFINED_SIZE,
    OIDS_STORAGE_ALLOCATED_SIZE,
    OIDS_STORAGE_READ_IOS,
    OIDS_STORAGE_WRITE_IOS,
    OIDS_STORAGE_READ_OCTETS,
    OIDS_STORAGE_WRITE_OCTETS,
    OIDS_STORAGE_READ_LATENCY,
    OIDS_STORAGE_WRITE_LATENCY,
};

/* vmNetworkEntry: vmNetworkIndex (1), then these. */
enum oids_network_column {
    OIDS_NETWORK_IFINDEX = 2,
    OIDS_NETWORK_PARENT,
    OIDS_NETWORK_MODEL,
    OIDS_NETWORK_PHYS_ADDRESS,
};

/* snmpTrapOID.0 (SNMPv2-MIB). */
#define OIDS_SNMP_TRAP_OID 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0
/* vmBulkRunning .. vmBulkDeleted are the per-VM numbers plus this. */
#define OIDS_BULK_OFFSET 10

#endif
