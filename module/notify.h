/* State-change notifications (RFC 7666 vmNotifications): per-VM and bulk,
 * found by comparing successive published snapshots, sent through snmpd's
 * own notification machinery (trap2sink, informsink, trapsess, RFC 3413
 * filtering) from the main thread.  Also serves the two read-write enable
 * switches, vmPerVMNotificationsEnabled and vmBulkNotificationsEnabled. */
#ifndef VMMIB_NOTIFY_H
#define VMMIB_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

int vmmib_notify_register(bool per_vm, bool bulk);
void vmmib_notify_unregister(void);

/* Compare the snapshot about to be published with the previous one and send
 * what changed.  A snapshot taken while libvirt was unreachable is not a
 * change: states are compared with the last state libvirt reported. */
void vmmib_notify_diff(const struct vm_snapshot *prev, const struct vm_snapshot *next);

#endif
