/* Pure mapping from libvirt's view of a domain to VM-MIB (RFC 7666) values.
 * Nothing here touches libvirt or Net-SNMP, so it is unit-tested on its own. */
#ifndef VMMIB_VMSTATE_H
#define VMMIB_VMSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* VirtualMachineOperState, RFC 7666 numbering. */
enum vm_oper_state {
    VM_OPER_UNKNOWN = 1,
    VM_OPER_OTHER = 2,
    VM_OPER_PREPARING = 3,
    VM_OPER_RUNNING = 4,
    VM_OPER_SUSPENDING = 5,
    VM_OPER_SUSPENDED = 6,
    VM_OPER_RESUMING = 7,
    VM_OPER_PAUSED = 8,
    VM_OPER_MIGRATING = 9,
    VM_OPER_SHUTTINGDOWN = 10,
    VM_OPER_SHUTDOWN = 11,
    VM_OPER_CRASHED = 12,
};

/* VirtualMachineAdminState. */
enum vm_admin_state {
    VM_ADMIN_RUNNING = 1,
    VM_ADMIN_SUSPENDED = 2,
    VM_ADMIN_PAUSED = 3,
    VM_ADMIN_SHUTDOWN = 4,
};

enum vm_autostart { VM_AUTOSTART_UNKNOWN = 1, VM_AUTOSTART_ENABLED = 2, VM_AUTOSTART_DISABLED = 3 };
enum vm_persistent { VM_PERSIST_UNKNOWN = 1, VM_PERSIST_PERSISTENT = 2, VM_PERSIST_TRANSIENT = 3 };

/* libvirt's virDomainState and the reasons we distinguish, restated as plain
 * numbers so that this file needs no libvirt header (values are libvirt's ABI). */
enum lv_state {
    LV_NOSTATE = 0,
    LV_RUNNING = 1,
    LV_BLOCKED = 2,
    LV_PAUSED = 3,
    LV_SHUTDOWN = 4,
    LV_SHUTOFF = 5,
    LV_CRASHED = 6,
    LV_PMSUSPENDED = 7,
};
enum lv_paused_reason {
    LV_PAUSED_MIGRATION = 2,
    LV_PAUSED_SAVE = 3,
    LV_PAUSED_SHUTTING_DOWN = 8,
    LV_PAUSED_CRASHED = 10,
    LV_PAUSED_STARTING_UP = 11,
    LV_PAUSED_POSTCOPY = 12,
};
enum lv_shutoff_reason {
    LV_SHUTOFF_CRASHED = 3,
    LV_SHUTOFF_SAVED = 5,
};

/* vmOperState for a libvirt (state, reason) pair; has_managed_save tells a
 * shut-off domain with a saved image (suspended) from a plain shut-off one. */
int vm_oper_from_libvirt(int state, int reason, bool has_managed_save);

/* vmAdminState implied by an operational state: what the VM is meant to be.
 * For unknown(1) the previous admin state is kept (prev_admin, or shutdown
 * when there is none). */
int vm_admin_from_oper(int oper, int prev_admin);

/* True while a VM in this operational state holds a running instance
 * (vmUpTime counts, per-vCPU rows exist). */
bool vm_oper_is_active(int oper);

/* Per-row unit choice (vmMemUnit, vmStorageSizeUnit): the smallest unit,
 * base * 1024^k, in which every value in `values` (in bytes) fits an
 * Integer32.  Values equal to UINT64_MAX are "unknown" and ignored. */
uint64_t vm_pick_unit(const uint64_t *values, size_t n, uint64_t base);

/* value (bytes) expressed in unit, rounded down, as an Integer32. */
int32_t vm_in_unit(uint64_t value, uint64_t unit);

const char *vm_oper_name(int oper);

/* Stable sub-indexes (vmStorageIndex, vmNetworkIndex) for the n items of a
 * VM identified by keys (disk target, NIC MAC; NULL never matches): an item
 * whose key the previous round had keeps its index (each previous key is
 * used once); new items get indexes above every index kept or seen before,
 * in order.  With no previous round the items are numbered 1..n. */
void vm_assign_subindexes(const char *const *prev_keys, const int32_t *prev_idx, size_t nprev,
                          const char *const *keys, size_t n, int32_t *out);

/* The state a libvirt lifecycle event (virDomainEventType, detail) tells
 * of, or 0 when the event says too little (the next poll decides). */
int vm_oper_from_event(int event, int detail);

/* Notifications (RFC 7666 vmNotifications): the per-VM notification number
 * (1..9) for reaching oper state `oper`, 0 for none (vmDeleted is 10, the
 * bulk ones are these plus 10). */
int vm_notification_for(int oper);

/* VirtualMachineList bitmap of indexes (most significant bit of the first
 * octet = vmIndex 1): returns its length, writing at most cap octets. */
size_t vm_bitmap(const int32_t *indexes, size_t n, unsigned char *out, size_t cap);

#endif
