/* What the agent serves: a finalised snapshot with, for each table, its
 * rows in index order, built off snmpd's main thread so that publishing a
 * round there costs a pointer swap.  Immutable once built.  The change
 * list and the report of the round that made it travel with it.
 *
 * Each table's entries start with their index as a key of up to two
 * integers; view_lookup finds an exact index (GET, SET) or the next one in
 * OID order (GETNEXT) by binary search.  vmCpuAffinityTable is not stored:
 * its rows are vmCpuTable's rows times the host CPUs. */
#ifndef VMMIB_MODEL_VIEW_H
#define VMMIB_MODEL_VIEW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carry.h"
#include "change.h"
#include "snapshot.h"

#define VIEW_MAX_KEYS 2

struct view_vm {
    uint32_t key[VIEW_MAX_KEYS]; /* vmIndex */
    const struct snapshot_row *row;
};
struct view_cpu {
    uint32_t key[VIEW_MAX_KEYS]; /* vmIndex, vmCpuIndex (libvirt's number + 1) */
    const struct snapshot_row *row;
    const struct snapshot_vcpu *vcpu;
};
struct view_disk {
    uint32_t key[VIEW_MAX_KEYS]; /* vmIndex, vmStorageIndex */
    const struct snapshot_row *row;
    const struct domxml_disk *def;
    const struct snapshot_disk *disk;
};
struct view_nic {
    uint32_t key[VIEW_MAX_KEYS]; /* vmIndex, vmNetworkIndex */
    const struct snapshot_row *row;
    const struct domxml_nic *def;
    const struct snapshot_nic *nic;
};

struct view {
    struct snapshot *snap;
    struct change_list changes; /* what this round changed */
    struct carry_report report; /* what the round has to say */
    char *store_error;          /* a new problem with the index file, or NULL */
    char *store_notice;         /* the end of one, or NULL */
    size_t n_stale;             /* rows libvirt did not answer for */
    int64_t model_ms;           /* how long the round's model work took */
    struct view_vm *vms;
    size_t n_vms;
    struct view_cpu *cpus;
    size_t n_cpus;
    struct view_disk *disks;
    size_t n_disks;
    struct view_nic *nics;
    size_t n_nics;
    char **mounts; /* distinct mount points holding disk images (snapshot_disk.mount_id) */
    size_t n_mounts;
    atomic_int refs;
};

/* A view of snap, which it takes over (freed with the view, also on
 * failure).  One reference.  NULL when memory runs out. */
struct view *view_build(struct snapshot *snap);
void view_ref(struct view *v);
void view_unref(struct view *v);

/* In an array of n entries of `size` bytes, each starting with a key of
 * nkeys integers in ascending order: the entry whose key is idx (len
 * integers), or with `next`, the first entry whose key follows idx in OID
 * order (a shorter idx is a prefix; len 0 gives the first entry).  NULL
 * when there is none. */
const void *view_lookup(const void *base, size_t n, size_t size, size_t nkeys,
                        const unsigned long *idx, size_t len, bool next);

/* OID order of a key and an index: <0, 0, >0. */
int view_keycmp(const uint32_t *key, size_t nkeys, const unsigned long *idx, size_t len);

#endif
