/* Snapshots for the model's unit tests: VMs named vm<N> with UUID ...<N>,
 * built row by row as a poll round would hand them over. */
#ifndef VMMIB_TESTS_SNAPFIX_H
#define VMMIB_TESTS_SNAPFIX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"
#include "state.h"

static inline void snapfix_uuid(int n, unsigned char uuid[16])
{
    memset(uuid, 0, 16);
    uuid[0] = 0x11;
    uuid[14] = (unsigned char)(n >> 8);
    uuid[15] = (unsigned char)n;
}

/* A raw (connected) snapshot with room for `cap` rows. */
static inline struct snapshot *snapfix_new(size_t cap)
{
    struct snapshot *s = snapshot_new();
    s->rows = calloc(cap + 1, sizeof(*s->rows));
    s->connected = true;
    s->hv_software = strdup("TEST");
    s->hv_version = strdup("9.0.0");
    s->hv_known = true;
    return s;
}

/* Add VM n in state oper; returns the row. */
static inline struct snapshot_row *snapfix_add(struct snapshot *s, int n, int oper)
{
    struct snapshot_row *r = &s->rows[s->count++];
    char name[32];
    snprintf(name, sizeof(name), "vm%d", n);
    snapfix_uuid(n, r->uuid);
    r->name = strdup(name);
    r->def.os_type = strdup("hvm");
    r->oper = oper;
    r->lv_state = state_is_active(oper) ? LV_RUNNING : LV_SHUTOFF;
    r->lv_active = state_is_active(oper);
    r->persistent = STATE_PERSIST_PERSISTENT;
    return r;
}

/* Give row r disks with these targets (NULL-terminated list). */
static inline void snapfix_disks(struct snapshot_row *r, const char *const *targets)
{
    size_t n = 0;
    while (targets[n])
        n++;
    r->def.disks = calloc(n, sizeof(*r->def.disks));
    r->disks = calloc(n, sizeof(*r->disks));
    r->def.n_disks = n;
    for (size_t i = 0; i < n; i++) {
        r->def.disks[i].target = strdup(targets[i]);
        r->disks[i].mount_id = -1;
    }
}

/* Give row r NICs with these last MAC octets (0 = no MAC). */
static inline void snapfix_nics(struct snapshot_row *r, const int *macs, size_t n)
{
    r->def.nics = calloc(n, sizeof(*r->def.nics));
    r->nics = calloc(n, sizeof(*r->nics));
    r->def.n_nics = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char mac[6] = {0x52, 0x54, 0, 0, 0, (unsigned char)macs[i]};
        memcpy(r->def.nics[i].mac, mac, 6);
        r->def.nics[i].has_mac = macs[i] != 0;
        r->def.nics[i].model = strdup("virtio");
    }
}

/* The row of VM n in a finalised snapshot, by UUID. */
static inline const struct snapshot_row *snapfix_vm(const struct snapshot *s, int n)
{
    unsigned char uuid[16];
    snapfix_uuid(n, uuid);
    for (size_t i = 0; i < s->count; i++)
        if (memcmp(s->rows[i].uuid, uuid, 16) == 0)
            return &s->rows[i];
    return NULL;
}

/* Append a lifecycle event about VM n, number seq in libvirt's order. */
static inline void snapfix_event(struct snapshot *s, int n, int oper, uint64_t seq)
{
    s->events = realloc(s->events, (s->n_events + 1) * sizeof(*s->events));
    struct snapshot_event *e = &s->events[s->n_events++];
    snapfix_uuid(n, e->uuid);
    e->oper = oper;
    e->seq = seq;
}

/* The round read between events lo and hi (see snapshot.seq_lo). */
static inline void snapfix_window(struct snapshot *s, uint64_t lo, uint64_t hi)
{
    s->seq_lo = lo;
    s->seq_hi = hi;
}

#endif
