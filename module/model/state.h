/* libvirt's view of a domain mapped to VM-MIB (RFC 7666) values: the MIB's
 * enumerations, libvirt's state, reason and event numbers (restated so
 * that nothing here needs a libvirt header; the values are libvirt's ABI
 * and the unit tests compare them with libvirt's headers), and the pure
 * functions between them. */
#ifndef VMMIB_MODEL_STATE_H
#define VMMIB_MODEL_STATE_H

#include <stdbool.h>

/* VirtualMachineOperState. */
enum state_oper {
    STATE_OPER_UNKNOWN = 1,
    STATE_OPER_OTHER = 2,
    STATE_OPER_PREPARING = 3,
    STATE_OPER_RUNNING = 4,
    STATE_OPER_SUSPENDING = 5,
    STATE_OPER_SUSPENDED = 6,
    STATE_OPER_RESUMING = 7,
    STATE_OPER_PAUSED = 8,
    STATE_OPER_MIGRATING = 9,
    STATE_OPER_SHUTTINGDOWN = 10,
    STATE_OPER_SHUTDOWN = 11,
    STATE_OPER_CRASHED = 12,
};

/* VirtualMachineAdminState, and the draft's destroy(5) command. */
enum state_admin {
    STATE_ADMIN_RUNNING = 1,
    STATE_ADMIN_SUSPENDED = 2,
    STATE_ADMIN_PAUSED = 3,
    STATE_ADMIN_SHUTDOWN = 4,
    STATE_ADMIN_DESTROY = 5,
};

enum state_autostart {
    STATE_AUTOSTART_UNKNOWN = 1,
    STATE_AUTOSTART_ENABLED = 2,
    STATE_AUTOSTART_DISABLED = 3,
};
enum state_persistent {
    STATE_PERSIST_UNKNOWN = 1,
    STATE_PERSIST_PERSISTENT = 2,
    STATE_PERSIST_TRANSIENT = 3,
};

/* VirtualMachineStorageSourceType, VirtualMachineStorageAccess and
 * IANAStorageMediaType (IANA module with erratum 4710). */
enum state_source {
    STATE_SRC_UNKNOWN = 1,
    STATE_SRC_OTHER = 2,
    STATE_SRC_BLOCK = 3,
    STATE_SRC_RAW = 4,
    STATE_SRC_SPARSE = 5,
    STATE_SRC_NETWORK = 6,
};
enum state_access {
    STATE_ACCESS_UNKNOWN = 1,
    STATE_ACCESS_READWRITE = 2,
    STATE_ACCESS_READONLY = 3,
};
enum state_media {
    STATE_MEDIA_OTHER = 1,
    STATE_MEDIA_UNKNOWN = 2,
    STATE_MEDIA_HARDDISK = 3,
    STATE_MEDIA_OPTICAL = 4,
    STATE_MEDIA_FLOPPY = 5,
};

/* virDomainState. */
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
/* virDomainPausedReason, the ones the mapping tells apart. */
enum lv_paused_reason {
    LV_PAUSED_MIGRATION = 2,
    LV_PAUSED_SAVE = 3,
    LV_PAUSED_SHUTTING_DOWN = 8,
    LV_PAUSED_CRASHED = 10,
    LV_PAUSED_STARTING_UP = 11,
    LV_PAUSED_POSTCOPY = 12,
};
/* virDomainShutoffReason, likewise. */
enum lv_shutoff_reason {
    LV_SHUTOFF_CRASHED = 3,
    LV_SHUTOFF_SAVED = 5,
};

/* virDomainEventType and the details the event mapping reads. */
enum lv_event {
    LV_EVENT_DEFINED = 0,
    LV_EVENT_UNDEFINED = 1,
    LV_EVENT_STARTED = 2,
    LV_EVENT_SUSPENDED = 3,
    LV_EVENT_RESUMED = 4,
    LV_EVENT_STOPPED = 5,
    LV_EVENT_SHUTDOWN = 6,
    LV_EVENT_PMSUSPENDED = 7,
    LV_EVENT_CRASHED = 8,
};
enum lv_event_started { LV_STARTED_RESTORED = 2 };
enum lv_event_suspended {
    LV_SUSPENDED_PAUSED = 0,
    LV_SUSPENDED_MIGRATED = 1,
    LV_SUSPENDED_IOERROR = 2,
    LV_SUSPENDED_WATCHDOG = 3,
    LV_SUSPENDED_RESTORED = 4,
    LV_SUSPENDED_API_ERROR = 6,
    LV_SUSPENDED_POSTCOPY = 7,
    LV_SUSPENDED_POSTCOPY_FAILED = 8,
};
enum lv_event_resumed { LV_RESUMED_POSTCOPY = 3 };
enum lv_event_stopped {
    LV_STOPPED_CRASHED = 2,
    LV_STOPPED_SAVED = 4,
};

/* vmOperState for a libvirt (state, reason) pair.  has_managed_save: a
 * managed-save image exists, the only thing that makes a shut-off domain
 * suspended (libvirt's reason SAVED stays after the image is removed, and
 * is also given to a domain saved to a file of its own, which nothing here
 * restores).  job_idle: libvirt says no job (migration, save, restore) runs
 * on the domain; a domain restored from a save made while it was paused
 * stays paused with reason MIGRATION although nothing migrates. */
int state_oper_from_libvirt(int state, int reason, bool has_managed_save, bool job_idle);

/* vmAdminState implied by an operational state: what the VM is meant to be.
 * For unknown(1) the previous admin state is kept (prev_admin, or shutdown
 * when there is none). */
int state_admin_from_oper(int oper, int prev_admin);

/* True while a VM in this operational state holds a running instance
 * (per-vCPU rows exist). */
bool state_is_active(int oper);

/* True when the VM has stopped (shutdown, crashed): its vmUpTime starts
 * again at the next start.  RFC 7666 counts vmUpTime from the last change
 * of vmAdminState from shutdown(4) to running(1): pausing, saving to disk
 * (suspended) and restoring do not restart it. */
bool state_is_stopped(int oper);

/* The state a lifecycle event (virDomainEventType, detail) tells of, or 0
 * when the event says too little (the next poll decides). */
int state_oper_from_event(int event, int detail);

/* The per-VM notification number (1..9) for reaching `oper`, 0 for none
 * (vmDeleted is 10; the bulk ones are these plus 10). */
int state_notification_for(int oper);
#define STATE_NOTIFY_DELETED 10

const char *state_oper_name(int oper);

#endif
