#include "view.h"

#include <stdlib.h>
#include <string.h>

int view_keycmp(const uint32_t *key, size_t nkeys, const unsigned long *idx, size_t len)
{
    size_t n = nkeys < len ? nkeys : len;
    for (size_t i = 0; i < n; i++) {
        if (key[i] != idx[i])
            return key[i] < idx[i] ? -1 : 1;
    }
    return (nkeys > len) - (nkeys < len);
}

static const uint32_t *key_at(const void *base, size_t size, size_t i)
{
    return (const uint32_t *)((const char *)base + i * size);
}

const void *view_lookup(const void *base, size_t n, size_t size, size_t nkeys,
                        const unsigned long *idx, size_t len, bool next)
{
    /* lo: the first entry whose key is not below idx (or above it, for next). */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = view_keycmp(key_at(base, size, mid), nkeys, idx, len);
        if (c < 0 || (next && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n)
        return NULL;
    if (!next && view_keycmp(key_at(base, size, lo), nkeys, idx, len) != 0)
        return NULL;
    return (const char *)base + lo * size;
}

static int cmp_key2(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Counts of the entries of each table, to allocate them at once. */
static void count_entries(const struct snapshot *s, size_t *cpus, size_t *disks, size_t *nics)
{
    *cpus = *disks = *nics = 0;
    for (size_t i = 0; i < s->count; i++) {
        const struct snapshot_row *r = &s->rows[i];
        *cpus += r->n_vcpus;
        *disks += r->disks ? r->def.n_disks : 0;
        *nics += r->nics ? r->def.n_nics : 0;
    }
}

static void fill_entries(struct view *v)
{
    const struct snapshot *s = v->snap;
    for (size_t i = 0; i < s->count; i++) {
        const struct snapshot_row *r = &s->rows[i];
        uint32_t vm = (uint32_t)r->index;
        v->n_stale += r->stale;
        v->vms[v->n_vms++] = (struct view_vm){{vm, 0}, r};
        for (size_t j = 0; j < r->n_vcpus; j++)
            v->cpus[v->n_cpus++] =
                (struct view_cpu){{vm, (uint32_t)r->vcpus[j].number + 1}, r, &r->vcpus[j]};
        for (size_t j = 0; r->disks && j < r->def.n_disks; j++)
            v->disks[v->n_disks++] = (struct view_disk){
                {vm, (uint32_t)r->disks[j].index}, r, &r->def.disks[j], &r->disks[j]};
        for (size_t j = 0; r->nics && j < r->def.n_nics; j++)
            v->nics[v->n_nics++] = (struct view_nic){
                {vm, (uint32_t)r->nics[j].index}, r, &r->def.nics[j], &r->nics[j]};
    }
    /* Rows are in vmIndex order already; devices and vCPUs within a VM
     * may not be (a hot-plugged disk keeps a high index). */
    qsort(v->cpus, v->n_cpus, sizeof(*v->cpus), cmp_key2);
    qsort(v->disks, v->n_disks, sizeof(*v->disks), cmp_key2);
    qsort(v->nics, v->n_nics, sizeof(*v->nics), cmp_key2);
}

/* The distinct mount points, and each disk's position among them. */
static void index_mounts(struct view *v)
{
    struct snapshot *s = v->snap;
    size_t n = 0;
    for (size_t i = 0; i < s->count; i++)
        for (size_t j = 0; s->rows[i].disks && j < s->rows[i].def.n_disks; j++)
            if (s->rows[i].disks[j].mount)
                v->mounts[n++] = s->rows[i].disks[j].mount;
    qsort(v->mounts, n, sizeof(*v->mounts), cmp_str);
    for (size_t r = 0; r < n; r++)
        if (v->n_mounts == 0 || strcmp(v->mounts[v->n_mounts - 1], v->mounts[r]) != 0)
            v->mounts[v->n_mounts++] = v->mounts[r];
    for (size_t i = 0; i < s->count; i++) {
        for (size_t j = 0; s->rows[i].disks && j < s->rows[i].def.n_disks; j++) {
            struct snapshot_disk *d = &s->rows[i].disks[j];
            char **hit =
                d->mount ? bsearch(&d->mount, v->mounts, v->n_mounts, sizeof(*v->mounts), cmp_str)
                         : NULL;
            d->mount_id = hit ? (int)(hit - v->mounts) : -1;
        }
    }
}

struct view *view_build(struct snapshot *snap)
{
    struct view *v = calloc(1, sizeof(*v));
    if (!v) {
        snapshot_free(snap);
        return NULL;
    }
    v->snap = snap;
    atomic_init(&v->refs, 1);
    size_t cpus, disks, nics;
    count_entries(snap, &cpus, &disks, &nics);
    v->vms = calloc(snap->count + 1, sizeof(*v->vms));
    v->cpus = calloc(cpus + 1, sizeof(*v->cpus));
    v->disks = calloc(disks + 1, sizeof(*v->disks));
    v->nics = calloc(nics + 1, sizeof(*v->nics));
    v->mounts = calloc(disks + 1, sizeof(*v->mounts));
    if (!v->vms || !v->cpus || !v->disks || !v->nics || !v->mounts) {
        view_unref(v);
        return NULL;
    }
    fill_entries(v);
    index_mounts(v);
    return v;
}

void view_ref(struct view *v)
{
    atomic_fetch_add(&v->refs, 1);
}

void view_unref(struct view *v)
{
    if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
        return;
    snapshot_free(v->snap);
    change_clear(&v->changes);
    carry_report_clear(&v->report);
    free(v->store_error);
    free(v->store_notice);
    free(v->vms);
    free(v->cpus);
    free(v->disks);
    free(v->nics);
    free(v->mounts);
    free(v);
}
