#include "state.h"

static int paused_oper(int reason, bool job_idle)
{
    switch (reason) {
    case LV_PAUSED_MIGRATION:
        /* Also what a domain restored paused keeps: no job, no migration. */
        return job_idle ? STATE_OPER_PAUSED : STATE_OPER_MIGRATING;
    case LV_PAUSED_POSTCOPY:
        return STATE_OPER_MIGRATING;
    case LV_PAUSED_SAVE:
        return STATE_OPER_SUSPENDING;
    case LV_PAUSED_STARTING_UP:
        return STATE_OPER_PREPARING;
    case LV_PAUSED_SHUTTING_DOWN:
        return STATE_OPER_SHUTTINGDOWN;
    case LV_PAUSED_CRASHED:
        return STATE_OPER_CRASHED;
    default:
        return STATE_OPER_PAUSED;
    }
}

int state_oper_from_libvirt(int state, int reason, bool has_managed_save, bool job_idle)
{
    switch (state) {
    case LV_RUNNING:
    case LV_BLOCKED:
        return STATE_OPER_RUNNING;
    case LV_PAUSED:
        return paused_oper(reason, job_idle);
    case LV_SHUTDOWN:
        return STATE_OPER_SHUTTINGDOWN;
    case LV_SHUTOFF:
        if (has_managed_save)
            return STATE_OPER_SUSPENDED;
        if (reason == LV_SHUTOFF_CRASHED)
            return STATE_OPER_CRASHED;
        return STATE_OPER_SHUTDOWN;
    case LV_CRASHED:
        return STATE_OPER_CRASHED;
    case LV_PMSUSPENDED:
        return STATE_OPER_SUSPENDED;
    case LV_NOSTATE:
        return STATE_OPER_UNKNOWN;
    default:
        /* A state newer than this code: libvirt knows it, the MIB does not. */
        return STATE_OPER_OTHER;
    }
}

int state_admin_from_oper(int oper, int prev_admin)
{
    switch (oper) {
    case STATE_OPER_PREPARING:
    case STATE_OPER_RUNNING:
    case STATE_OPER_RESUMING:
    case STATE_OPER_MIGRATING:
        return STATE_ADMIN_RUNNING;
    case STATE_OPER_SUSPENDING:
    case STATE_OPER_SUSPENDED:
        return STATE_ADMIN_SUSPENDED;
    case STATE_OPER_PAUSED:
        return STATE_ADMIN_PAUSED;
    case STATE_OPER_SHUTTINGDOWN:
    case STATE_OPER_SHUTDOWN:
    case STATE_OPER_CRASHED:
        return STATE_ADMIN_SHUTDOWN;
    default:
        if (prev_admin >= STATE_ADMIN_RUNNING && prev_admin <= STATE_ADMIN_SHUTDOWN)
            return prev_admin;
        return STATE_ADMIN_SHUTDOWN;
    }
}

bool state_is_active(int oper)
{
    switch (oper) {
    case STATE_OPER_PREPARING:
    case STATE_OPER_RUNNING:
    case STATE_OPER_SUSPENDING:
    case STATE_OPER_RESUMING:
    case STATE_OPER_PAUSED:
    case STATE_OPER_MIGRATING:
    case STATE_OPER_SHUTTINGDOWN:
        return true;
    default:
        return false;
    }
}

bool state_is_stopped(int oper)
{
    return oper == STATE_OPER_SHUTDOWN || oper == STATE_OPER_CRASHED;
}

static int suspended_event_oper(int detail)
{
    switch (detail) {
    case LV_SUSPENDED_MIGRATED:
    case LV_SUSPENDED_POSTCOPY:
        return STATE_OPER_MIGRATING;
    case LV_SUSPENDED_IOERROR:
    case LV_SUSPENDED_WATCHDOG:
    case LV_SUSPENDED_API_ERROR:
    case LV_SUSPENDED_POSTCOPY_FAILED:
    case LV_SUSPENDED_RESTORED:   /* restored from a save made while paused */
        return STATE_OPER_PAUSED; /* not a plain pause: nothing else it could be */
    default:
        /* A plain PAUSED may be an admin pause or the start of a save:
         * the poll tells which. */
        return 0;
    }
}

int state_oper_from_event(int event, int detail)
{
    switch (event) {
    case LV_EVENT_STARTED:
        return detail == LV_STARTED_RESTORED ? STATE_OPER_RESUMING : STATE_OPER_RUNNING;
    case LV_EVENT_SUSPENDED:
        return suspended_event_oper(detail);
    case LV_EVENT_RESUMED:
        /* Post-copy: running on the destination, still migrating. */
        return detail == LV_RESUMED_POSTCOPY ? STATE_OPER_MIGRATING : STATE_OPER_RUNNING;
    case LV_EVENT_STOPPED:
        if (detail == LV_STOPPED_CRASHED)
            return STATE_OPER_CRASHED;
        if (detail == LV_STOPPED_SAVED)
            return 0; /* suspended with a managed-save image, shutdown when
                         saved to a file: the poll tells which */
        return STATE_OPER_SHUTDOWN;
    case LV_EVENT_SHUTDOWN:
        return STATE_OPER_SHUTTINGDOWN;
    case LV_EVENT_PMSUSPENDED:
        return STATE_OPER_SUSPENDED;
    case LV_EVENT_CRASHED:
        return STATE_OPER_CRASHED;
    default:
        return 0; /* DEFINED, UNDEFINED: no state */
    }
}

int state_notification_for(int oper)
{
    switch (oper) {
    case STATE_OPER_RUNNING:
        return 1;
    case STATE_OPER_SHUTTINGDOWN:
        return 2;
    case STATE_OPER_SHUTDOWN:
        return 3;
    case STATE_OPER_PAUSED:
        return 4;
    case STATE_OPER_SUSPENDING:
        return 5;
    case STATE_OPER_SUSPENDED:
        return 6;
    case STATE_OPER_RESUMING:
        return 7;
    case STATE_OPER_MIGRATING:
        return 8;
    case STATE_OPER_CRASHED:
        return 9;
    default:
        return 0; /* unknown, other, preparing: RFC 7666 defines none */
    }
}

const char *state_oper_name(int oper)
{
    static const char *const names[] = {
        "unknown",  "other",  "preparing", "running",      "suspending", "suspended",
        "resuming", "paused", "migrating", "shuttingdown", "shutdown",   "crashed",
    };
    if (oper < STATE_OPER_UNKNOWN || oper > STATE_OPER_CRASHED)
        return "invalid";
    return names[oper - 1];
}
