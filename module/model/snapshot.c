#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

struct snapshot *snapshot_new(void)
{
    return calloc(1, sizeof(struct snapshot));
}

static void vcpus_free(struct snapshot_vcpu *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i].cpumap);
    free(v);
}

static void disks_free(struct snapshot_disk *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++)
        free(d[i].mount);
    free(d);
}

void snapshot_row_clear(struct snapshot_row *r)
{
    free(r->name);
    vcpus_free(r->vcpus, r->n_vcpus);
    disks_free(r->disks, r->def.n_disks);
    free(r->nics);
    domxml_clear(&r->def);
    memset(r, 0, sizeof(*r));
}

static int vcpus_copy(struct snapshot_row *dst, const struct snapshot_row *src, size_t maplen)
{
    if (!src->n_vcpus)
        return 0;
    dst->vcpus = calloc(src->n_vcpus, sizeof(*dst->vcpus));
    if (!dst->vcpus)
        return -1;
    dst->n_vcpus = src->n_vcpus;
    for (size_t i = 0; i < src->n_vcpus; i++) {
        dst->vcpus[i] = src->vcpus[i];
        dst->vcpus[i].cpumap = NULL;
        if (src->vcpus[i].cpumap && maplen) {
            dst->vcpus[i].cpumap = malloc(maplen);
            if (!dst->vcpus[i].cpumap)
                return -1;
            memcpy(dst->vcpus[i].cpumap, src->vcpus[i].cpumap, maplen);
        }
    }
    return 0;
}

static int devices_copy(struct snapshot_row *dst, const struct snapshot_row *src)
{
    if (src->def.n_disks && src->disks) {
        dst->disks = calloc(src->def.n_disks, sizeof(*dst->disks));
        if (!dst->disks)
            return -1;
        for (size_t i = 0; i < src->def.n_disks; i++) {
            dst->disks[i] = src->disks[i];
            dst->disks[i].mount = NULL;
            if (src->disks[i].mount && !(dst->disks[i].mount = strdup(src->disks[i].mount)))
                return -1;
        }
    }
    if (src->def.n_nics && src->nics) {
        dst->nics = calloc(src->def.n_nics, sizeof(*dst->nics));
        if (!dst->nics)
            return -1;
        memcpy(dst->nics, src->nics, src->def.n_nics * sizeof(*dst->nics));
    }
    return 0;
}

int snapshot_row_copy(struct snapshot_row *dst, const struct snapshot_row *src, size_t cpumap_len)
{
    *dst = *src;
    dst->name = NULL;
    dst->vcpus = NULL;
    dst->n_vcpus = 0;
    dst->disks = NULL;
    dst->nics = NULL;
    memset(&dst->def, 0, sizeof(dst->def));
    if ((src->name && !(dst->name = strdup(src->name))) || domxml_copy(&dst->def, &src->def) != 0 ||
        vcpus_copy(dst, src, cpumap_len) != 0 || devices_copy(dst, src) != 0) {
        snapshot_row_clear(dst);
        return -1;
    }
    return 0;
}

void snapshot_free(struct snapshot *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        snapshot_row_clear(&s->rows[i]);
    free(s->rows);
    free(s->events);
    free(s->error);
    free(s->writes_refused);
    free(s->uri);
    free(s->hv_software);
    free(s->hv_version);
    free(s);
}

const struct snapshot_row *snapshot_find(const struct snapshot *s, int32_t index)
{
    size_t lo = 0, hi = s ? s->count : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->rows[mid].index == index)
            return &s->rows[mid];
        if (s->rows[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool snapshot_cpumap_has(const unsigned char *cpumap, size_t cpumap_len, int cpu)
{
    if (!cpumap || cpu < 0 || (size_t)cpu / 8 >= cpumap_len)
        return false;
    return (cpumap[cpu / 8] >> (cpu % 8)) & 1;
}
