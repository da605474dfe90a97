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
/* Queue what the list says.  Notifications go out in order, as far as the
 * switches allow when each is sent, a slice of the main loop at a time, so
 * that thousands at once (a host going down) never keep snmpd from
 * answering: the first slice at once, the rest between requests.  The list
 * must stay valid until done(arg) is called (perhaps before this returns). */
void notify_send(const struct change_list *changes, void (*done)(void *), void *arg);
/* Send everything still queued now (the module is being unloaded). */
void notify_flush(void);

#endif
