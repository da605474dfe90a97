#include "snapshot.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct vm_snapshot *vm_snapshot_new(void)
{
    return calloc(1, sizeof(struct vm_snapshot));
}

void vm_def_clear(struct vm_def *d)
{
    free(d->os_type);
    memset(d, 0, sizeof(*d));
}

int vm_def_copy(struct vm_def *dst, const struct vm_def *src)
{
    memset(dst, 0, sizeof(*dst));
    if (src->os_type && !(dst->os_type = strdup(src->os_type)))
        return -1;
    return 0;
}

void vm_row_clear(struct vm_row *r)
{
    free(r->name);
    vm_def_clear(&r->def);
    memset(r, 0, sizeof(*r));
}

int vm_row_copy(struct vm_row *dst, const struct vm_row *src)
{
    *dst = *src;
    dst->name = NULL;
    memset(&dst->def, 0, sizeof(dst->def));
    if (src->name && !(dst->name = strdup(src->name)))
        goto fail;
    if (vm_def_copy(&dst->def, &src->def) != 0)
        goto fail;
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
