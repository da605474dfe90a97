/* The round's carry-over: a raw snapshot read from libvirt becomes the one
 * to publish, given the previous published one.  vmIndex comes from the
 * index store; start times are kept there; rows libvirt failed to answer
 * for keep their previous values with vmOperState unknown; disks and NICs
 * keep their sub-indexes; the last state libvirt reported survives rounds
 * in which it is unknown; vmAdminState shows what a SET asked for until it
 * is reached, fails or is given up. */
#ifndef VMMIB_MODEL_CARRY_H
#define VMMIB_MODEL_CARRY_H

#include <stddef.h>
#include <stdint.h>

#include "indexstore.h"
#include "snapshot.h"

/* A request for vmAdminState (a SET under way), or its cancellation
 * (target 0: the action failed or was undone), in the order made. */
struct carry_request {
    unsigned char uuid[16];
    int target;
    int64_t at_ms; /* CLOCK_BOOTTIME */
};

/* A request that was never fulfilled, for the log. */
struct carry_given_up {
    int32_t index;
    char *name;
    int target;
};

/* What the round has to say (logged on the main thread). */
struct carry_report {
    char (*no_index)[37]; /* UUIDs of VMs that got no vmIndex (not shown) */
    size_t n_no_index;
    struct carry_given_up *given_up;
    size_t n_given_up;
};

/* How long a requested vmAdminState is shown without being reached. */
#define CARRY_REQUEST_MAX_MS (10 * 60 * 1000)

struct carry_clock {
    int64_t wall_s;  /* for start times and the index store */
    int64_t boot_ms; /* for requests */
};

/* Finalise `raw`, a connected round, in place: vmIndex, start times,
 * stale rows, sub-indexes, reported states, requests; rows sorted by
 * vmIndex.  prev may be NULL.  0, or -1 when memory ran out. */
int carry_round(const struct snapshot *prev, struct snapshot *raw, struct indexstore *store,
                const struct carry_request *req, size_t n_req, struct carry_clock now,
                struct carry_report *rep);

/* The snapshot to publish while libvirt does not answer: prev's rows with
 * vmOperState unknown, the error and hypervisor facts from raw (or `why`
 * when raw is NULL).  NULL when memory runs out. */
struct snapshot *carry_unreachable(const struct snapshot *prev, const struct snapshot *raw,
                                   const char *why, int64_t now_ms);

/* Stable sub-indexes (vmStorageIndex, vmNetworkIndex) for the n items of a
 * VM identified by keys (disk target, NIC MAC; NULL never matches): an
 * item whose key the previous round had keeps its index (each previous key
 * is used once); new items get indexes above every index kept or seen
 * before, in order.  With no previous round the items are numbered 1..n. */
void carry_subindexes(const char *const *prev_keys, const int32_t *prev_idx, size_t nprev,
                      const char *const *keys, size_t n, int32_t *out);

void carry_report_clear(struct carry_report *rep);

#endif
