#include "vmstate.h"

#include <stdlib.h>
#include <string.h>

int vm_oper_from_libvirt(int state, int reason, bool has_managed_save)
{
    switch (state) {
    case LV_RUNNING:
    case LV_BLOCKED:
        return VM_OPER_RUNNING;
    case LV_PAUSED:
        switch (reason) {
        case LV_PAUSED_MIGRATION:
        case LV_PAUSED_POSTCOPY:
            return VM_OPER_MIGRATING;
        case LV_PAUSED_SAVE:
            return VM_OPER_SUSPENDING;
        case LV_PAUSED_STARTING_UP:
            return VM_OPER_PREPARING;
        case LV_PAUSED_SHUTTING_DOWN:
            return VM_OPER_SHUTTINGDOWN;
        case LV_PAUSED_CRASHED:
            return VM_OPER_CRASHED;
        default:
            return VM_OPER_PAUSED;
        }
    case LV_SHUTDOWN:
        return VM_OPER_SHUTTINGDOWN;
    case LV_SHUTOFF:
        if (reason == LV_SHUTOFF_SAVED || has_managed_save)
            return VM_OPER_SUSPENDED;
        if (reason == LV_SHUTOFF_CRASHED)
            return VM_OPER_CRASHED;
        return VM_OPER_SHUTDOWN;
    case LV_CRASHED:
        return VM_OPER_CRASHED;
    case LV_PMSUSPENDED:
        return VM_OPER_SUSPENDED;
    case LV_NOSTATE:
        return VM_OPER_UNKNOWN;
    default:
        /* A state newer than this code: libvirt knows it, the MIB does not. */
        return VM_OPER_OTHER;
    }
}

int vm_admin_from_oper(int oper, int prev_admin)
{
    switch (oper) {
    case VM_OPER_PREPARING:
    case VM_OPER_RUNNING:
    case VM_OPER_RESUMING:
    case VM_OPER_MIGRATING:
        return VM_ADMIN_RUNNING;
    case VM_OPER_SUSPENDING:
    case VM_OPER_SUSPENDED:
        return VM_ADMIN_SUSPENDED;
    case VM_OPER_PAUSED:
        return VM_ADMIN_PAUSED;
    case VM_OPER_SHUTTINGDOWN:
    case VM_OPER_SHUTDOWN:
    case VM_OPER_CRASHED:
        return VM_ADMIN_SHUTDOWN;
    default:
        if (prev_admin >= VM_ADMIN_RUNNING && prev_admin <= VM_ADMIN_SHUTDOWN)
            return prev_admin;
        return VM_ADMIN_SHUTDOWN;
    }
}

bool vm_oper_is_active(int oper)
{
    switch (oper) {
    case VM_OPER_PREPARING:
    case VM_OPER_RUNNING:
    case VM_OPER_SUSPENDING:
    case VM_OPER_RESUMING:
    case VM_OPER_PAUSED:
    case VM_OPER_MIGRATING:
    case VM_OPER_SHUTTINGDOWN:
        return true;
    default:
        return false;
    }
}

uint64_t vm_pick_unit(const uint64_t *values, size_t n, uint64_t base)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] != UINT64_MAX && values[i] > max)
            max = values[i];
    uint64_t unit = base ? base : 1;
    /* Stop before the unit itself overflows an Integer32 (vmMemUnit is one). */
    while (max / unit > INT32_MAX && unit <= (uint64_t)INT32_MAX / 1024)
        unit *= 1024;
    return unit;
}

int32_t vm_in_unit(uint64_t value, uint64_t unit)
{
    uint64_t v = value / (unit ? unit : 1);
    return v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

const char *vm_oper_name(int oper)
{
    static const char *const names[] = {
        "unknown",  "other",  "preparing", "running",      "suspending", "suspended",
        "resuming", "paused", "migrating", "shuttingdown", "shutdown",   "crashed",
    };
    if (oper < 1 || oper > 12)
        return "invalid";
    return names[oper - 1];
}

void vm_assign_subindexes(const char *const *prev_keys, const int32_t *prev_idx, size_t nprev,
                          const char *const *keys, size_t n, int32_t *out)
{
    int32_t next = 1;
    for (size_t j = 0; j < nprev; j++)
        if (prev_idx[j] >= next && prev_idx[j] < INT32_MAX)
            next = prev_idx[j] + 1;
    bool *used = nprev ? calloc(nprev, sizeof(*used)) : NULL;
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        for (size_t j = 0; used && keys[i] && j < nprev; j++) {
            if (!used[j] && prev_keys[j] && strcmp(prev_keys[j], keys[i]) == 0) {
                used[j] = true;
                out[i] = prev_idx[j];
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (out[i] == 0)
            out[i] = next < INT32_MAX ? next++ : INT32_MAX;
    free(used);
}

int vm_notification_for(int oper)
{
    switch (oper) {
    case VM_OPER_RUNNING:
        return 1;
    case VM_OPER_SHUTTINGDOWN:
        return 2;
    case VM_OPER_SHUTDOWN:
        return 3;
    case VM_OPER_PAUSED:
        return 4;
    case VM_OPER_SUSPENDING:
        return 5;
    case VM_OPER_SUSPENDED:
        return 6;
    case VM_OPER_RESUMING:
        return 7;
    case VM_OPER_MIGRATING:
        return 8;
    case VM_OPER_CRASHED:
        return 9;
    default:
        return 0; /* unknown, other, preparing: RFC 7666 defines none */
    }
}

size_t vm_bitmap(const int32_t *indexes, size_t n, unsigned char *out, size_t cap)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (indexes[i] < 1)
            continue;
        size_t byte = (size_t)(indexes[i] - 1) / 8;
        if (byte + 1 > len)
            len = byte + 1;
    }
    if (len > cap)
        len = cap;
    memset(out, 0, len);
    for (size_t i = 0; i < n; i++) {
        if (indexes[i] < 1)
            continue;
        size_t byte = (size_t)(indexes[i] - 1) / 8;
        if (byte < len)
            out[byte] |= (unsigned char)(0x80 >> ((indexes[i] - 1) % 8));
    }
    return len;
}

int vm_oper_from_event(int event, int detail)
{
    /* libvirt's virDomainEventType and details, as numbers (libvirt ABI). */
    enum {
        DEFINED,
        UNDEFINED,
        STARTED,
        SUSPENDED,
        RESUMED,
        STOPPED,
        SHUTDOWN,
        PMSUSPENDED,
        CRASHED
    };
    switch (event) {
    case STARTED:
        return detail == 2 /* RESTORED */ ? VM_OPER_RESUMING : VM_OPER_RUNNING;
    case SUSPENDED:
        /* MIGRATED, POSTCOPY: migrating.  IOERROR, WATCHDOG, API_ERROR,
         * POSTCOPY_FAILED: paused by the hypervisor.  A plain PAUSED may be
         * an admin pause or the start of a save: the poll tells which. */
        if (detail == 1 || detail == 7)
            return VM_OPER_MIGRATING;
        if (detail == 2 || detail == 3 || detail == 6 || detail == 8)
            return VM_OPER_PAUSED;
        return 0;
    case RESUMED:
        return detail == 3 /* POSTCOPY: still migrating */ ? VM_OPER_MIGRATING : VM_OPER_RUNNING;
    case STOPPED:
        if (detail == 2)
            return VM_OPER_CRASHED;
        if (detail == 4)
            return VM_OPER_SUSPENDED; /* SAVED */
        return VM_OPER_SHUTDOWN;
    case SHUTDOWN:
        return VM_OPER_SHUTTINGDOWN;
    case PMSUSPENDED:
        return VM_OPER_SUSPENDED;
    case CRASHED:
        return VM_OPER_CRASHED;
    default:
        return 0; /* DEFINED, UNDEFINED: no state */
    }
}
