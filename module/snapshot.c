#include "snapshot.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct vm_snapshot *vm_snapshot_new(void)
{
    return calloc(1, sizeof(struct vm_snapshot));
}

/* strdup that keeps NULL and reports failure through *ok. */
static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

void vm_def_clear(struct vm_def *d)
{
    free(d->os_type);
    for (size_t i = 0; i < d->n_disks; i++) {
        struct vm_disk_def *k = &d->disks[i];
        free(k->target);
        free(k->format);
        free(k->resource);
        free(k->file);
        free(k->bus);
    }
    free(d->disks);
    for (size_t i = 0; i < d->n_nics; i++) {
        free(d->nics[i].model);
        free(d->nics[i].target);
        free(d->nics[i].type);
        free(d->nics[i].source);
    }
    free(d->nics);
    memset(d, 0, sizeof(*d));
}

int vm_def_copy(struct vm_def *dst, const struct vm_def *src)
{
    bool ok = true;
    memset(dst, 0, sizeof(*dst));
    dst->os_type = dup_or_null(src->os_type, &ok);
    if (src->n_disks) {
        dst->disks = calloc(src->n_disks, sizeof(*dst->disks));
        if (!dst->disks)
            goto fail;
        dst->n_disks = src->n_disks;
        for (size_t i = 0; i < src->n_disks; i++) {
            const struct vm_disk_def *s = &src->disks[i];
            struct vm_disk_def *d = &dst->disks[i];
            *d = *s;
            d->target = dup_or_null(s->target, &ok);
            d->format = dup_or_null(s->format, &ok);
            d->resource = dup_or_null(s->resource, &ok);
            d->file = dup_or_null(s->file, &ok);
            d->bus = dup_or_null(s->bus, &ok);
        }
    }
    if (src->n_nics) {
        dst->nics = calloc(src->n_nics, sizeof(*dst->nics));
        if (!dst->nics)
            goto fail;
        dst->n_nics = src->n_nics;
        for (size_t i = 0; i < src->n_nics; i++) {
            const struct vm_nic_def *s = &src->nics[i];
            struct vm_nic_def *d = &dst->nics[i];
            *d = *s;
            d->model = dup_or_null(s->model, &ok);
            d->target = dup_or_null(s->target, &ok);
            d->type = dup_or_null(s->type, &ok);
            d->source = dup_or_null(s->source, &ok);
        }
    }
    if (ok)
        return 0;
fail:
    vm_def_clear(dst);
    return -1;
}

static void vcpus_free(struct vm_vcpu *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].cpumap);
    free(v);
}

static void disks_free(struct vm_disk *d, size_t n)
{
    for (size_t i = 0; d && i < n; i++)
        free(d[i].mount);
    free(d);
}

void vm_row_clear(struct vm_row *r)
{
    free(r->name);
    vcpus_free(r->vcpus, r->n_vcpus);
    disks_free(r->disks, r->def.n_disks);
    free(r->nics);
    vm_def_clear(&r->def);
    memset(r, 0, sizeof(*r));
}

int vm_row_copy(struct vm_row *dst, const struct vm_row *src, size_t cpumap_len)
{
    bool ok = true;
    *dst = *src;
    dst->name = NULL;
    dst->vcpus = NULL;
    dst->n_vcpus = 0;
    dst->disks = NULL;
    dst->nics = NULL;
    memset(&dst->def, 0, sizeof(dst->def));
    dst->name = dup_or_null(src->name, &ok);
    if (!ok || vm_def_copy(&dst->def, &src->def) != 0)
        goto fail;
    if (src->n_vcpus) {
        dst->vcpus = calloc(src->n_vcpus, sizeof(*dst->vcpus));
        if (!dst->vcpus)
            goto fail;
        dst->n_vcpus = src->n_vcpus;
        for (size_t i = 0; i < src->n_vcpus; i++) {
            dst->vcpus[i] = src->vcpus[i];
            dst->vcpus[i].cpumap = NULL;
            if (src->vcpus[i].cpumap && cpumap_len) {
                dst->vcpus[i].cpumap = malloc(cpumap_len);
                if (!dst->vcpus[i].cpumap)
                    goto fail;
                memcpy(dst->vcpus[i].cpumap, src->vcpus[i].cpumap, cpumap_len);
            }
        }
    }
    if (src->def.n_disks && src->disks) {
        dst->disks = calloc(src->def.n_disks, sizeof(*dst->disks));
        if (!dst->disks)
            goto fail;
        for (size_t i = 0; i < src->def.n_disks; i++) {
            dst->disks[i] = src->disks[i];
            dst->disks[i].mount = dup_or_null(src->disks[i].mount, &ok);
        }
        if (!ok)
            goto fail;
    }
    if (src->def.n_nics && src->nics) {
        dst->nics = calloc(src->def.n_nics, sizeof(*dst->nics));
        if (!dst->nics)
            goto fail;
        memcpy(dst->nics, src->nics, src->def.n_nics * sizeof(*dst->nics));
    }
    return 0;
fail:
    vm_row_clear(dst);
    return -1;
}

void vm_snapshot_free(struct vm_snapshot *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        vm_row_clear(&s->rows[i]);
    free(s->rows);
    free(s->events);
    free(s->error);
    free(s->uri);
    free(s->hv_software);
    free(s->hv_version);
    free(s);
}

const struct vm_row *vm_snapshot_find_index(const struct vm_snapshot *s, int32_t index)
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

int64_t vm_now_boot_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t vm_now_wall_s(void)
{
    return (int64_t)time(NULL);
}

bool vm_cpumap_has(const unsigned char *cpumap, size_t cpumap_len, int cpu)
{
    if (!cpumap || cpu < 0 || (size_t)cpu / 8 >= cpumap_len)
        return false;
    return (cpumap[cpu / 8] >> (cpu % 8)) & 1;
}

struct timespec vm_deadline_ms(int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}
