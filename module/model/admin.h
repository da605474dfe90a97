/* The admin plan: what a SET of a control object (draft-asai-vmm-mib-05's
 * read-write objects, on with vmMibWriteAccess) does to a VM in its current
 * state: refused (and why), nothing to do, or which libvirt action, with
 * which action undoes it.  A pure table over the published row, so every
 * cell is unit-tested; the agent maps verdicts to SNMP errors and the poll
 * side's control thread performs the actions. */
#ifndef VMMIB_MODEL_ADMIN_H
#define VMMIB_MODEL_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

enum admin_action {
    ADMIN_NONE,
    ADMIN_CREATE,       /* start, restoring a managed save if there is one */
    ADMIN_RESUME,       /* paused -> running */
    ADMIN_SUSPEND,      /* running -> paused */
    ADMIN_MANAGEDSAVE,  /* memory to disk: suspended */
    ADMIN_SHUTDOWN,     /* ask the guest */
    ADMIN_DESTROY,      /* force off */
    ADMIN_MSAVE_REMOVE, /* suspended -> shutdown: drop the saved memory image */
    ADMIN_PMWAKEUP,     /* pmsuspended -> running */
    ADMIN_VCPUS,        /* live vCPU count */
    ADMIN_MEMORY,       /* live memory (balloon), KiB */
    ADMIN_PIN,          /* live vCPU pinning */
};

enum admin_verdict {
    ADMIN_ACT,          /* do `action`; `undo` reverses it (ADMIN_NONE: it cannot be undone) */
    ADMIN_NOOP,         /* already so: accepted, nothing to do */
    ADMIN_WRONG_VALUE,  /* not a value the object can take (wrongValue) */
    ADMIN_INCONSISTENT, /* makes no sense in the VM's state or limits (inconsistentValue) */
    ADMIN_UNAVAILABLE,  /* the VM's state is unknown: libvirt is not answering */
};

/* The why of a refusal that only the VM's state explains (the agent says
 * which state instead). */
#define ADMIN_WHY_TRANSITION "the transition makes no sense from the VM's state"

struct admin_plan {
    enum admin_verdict verdict;
    enum admin_action action, undo;
    unsigned long long arg, undo_arg; /* vCPUs, KiB, or the vCPU number for a pin */
    int shows;                        /* vmAdminState to show until it is reached (0: no change) */
    const char *why;                  /* for the log of a refusal */
};

/* The objects a SET may change. */
enum admin_object { ADMIN_OBJ_STATE, ADMIN_OBJ_VCPUS, ADMIN_OBJ_MEMORY, ADMIN_OBJ_AFFINITY };

/* The syntax check alone, which needs no row: RFC 3416 (4.2.5) answers
 * wrongValue before noCreation.  NULL when v is a value the object's
 * syntax allows (an Integer32 in its range, a settable enumeration),
 * else why not, for the log. */
const char *admin_wrong_value(enum admin_object obj, long v);

/* SET vmAdminState = target (1..4, or the draft's destroy(5)). */
struct admin_plan admin_plan_state(const struct snapshot_row *row, long target);
/* SET vmCurCpuNumber = count. */
struct admin_plan admin_plan_vcpus(const struct snapshot_row *row, long count);
/* SET vmCurMem = value, in the row's vmMemUnit. */
struct admin_plan admin_plan_memory(const struct snapshot_row *row, long value);
/* The pinning of one vCPU becomes `map` (maplen bytes, host_cpus CPUs). */
struct admin_plan admin_plan_pin(const struct snapshot_row *row, const struct snapshot_vcpu *vcpu,
                                 const unsigned char *map, size_t maplen, int host_cpus);

/* vmMemUnit of a row, in bytes. */
uint64_t admin_mem_unit(const struct snapshot_row *row);

const char *admin_action_name(enum admin_action a);
/* "running", "suspended", "paused", "shutdown", "destroy", or "?". */
const char *admin_target_name(long target);

#endif
