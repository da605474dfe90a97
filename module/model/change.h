/* Change detection: the previous published snapshot, the new one and the
 * lifecycle events received since (carried in the new one) give an ordered
 * list of what changed: the per-VM notifications with the state each VM
 * was in before, the bulk ones with every VM that reached a state, and
 * whether vmTableLastChange moves.  The agent only sends the list.
 *
 * Order is libvirt's, never the wall clock's: a state is never reported
 * after a later one has been.  Events come numbered in the order libvirt
 * sent them, and the round says between which numbers its reads were made
 * (snapshot.seq_lo, seq_hi).  Per VM: the events sent before the reads are
 * reported in order, then the state the round read.  When an event of that
 * VM was sent while the round was reading, the read may be older or newer
 * than it: the events are reported and the read is left out (the next
 * round, which that event asked for, reads again).  Events sent after the
 * reads belong to the next round. */
#ifndef VMMIB_MODEL_CHANGE_H
#define VMMIB_MODEL_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "state.h"

/* One per-VM notification (vmRunning ... vmDeleted). */
struct change_vm {
    int notification; /* 1..10 (STATE_NOTIFY_DELETED) */
    int32_t index;
    int prev_oper; /* vmOperState before the change */
    unsigned char uuid[16];
    char *name;
    int persistent; /* vmPersistent (vmDeleted carries it) */
};

struct change_list {
    struct change_vm *vm; /* in the order they happened */
    size_t n_vm;
    /* Per notification number, the vmIndexes that reached it (each once). */
    int32_t *bulk[STATE_NOTIFY_DELETED + 1];
    size_t n_bulk[STATE_NOTIFY_DELETED + 1];
    bool table_changed; /* rows appeared or went away */
};

/* prev may be NULL (nothing published yet).  Also records in each row of
 * next the state now reported for it (reported_oper), which the next round
 * compares with.  0, or -1 when memory ran out (the list is then empty and
 * the states read are recorded). */
int change_detect(const struct snapshot *prev, struct snapshot *next, struct change_list *out);
void change_clear(struct change_list *l);

/* VirtualMachineList: the bitmap of indexes (most significant bit of the
 * first octet = vmIndex 1).  Returns its length, writing at most cap octets. */
size_t change_bitmap(const int32_t *indexes, size_t n, unsigned char *out, size_t cap);

#endif
