/* State-change notifications (RFC 7666 vmNotifications), per-VM and bulk,
 * sent through snmpd's own notification machinery (trap2sink, informsink,
 * trapsess, RFC 3413 filtering) on the main thread, from the change list
 * of each published round.  Also serves the two read-write enable
 * switches, vmPerVMNotificationsEnabled and vmBulkNotificationsEnabled,
 * which start from snmpd.conf at every load and are never persisted. */
#ifndef VMMIB_AGENT_NOTIFY_H
#define VMMIB_AGENT_NOTIFY_H

#include <stdbool.h>

#include "../model/change.h"

int notify_register(bool per_vm, bool bulk);
void notify_unregister(void);
/* Send what the list says, as far as the switches allow. */
void notify_send(const struct change_list *changes);

#endif
