#include "carry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "text.h"

void carry_subindexes(const char *const *prev_keys, const int32_t *prev_idx, size_t nprev,
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

/* ---- device sub-indexes ---- */

static void mac_key(const struct domxml_nic *d, char out[18])
{
    out[0] = '\0';
    if (d->has_mac)
        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", d->mac[0], d->mac[1], d->mac[2],
                 d->mac[3], d->mac[4], d->mac[5]);
}

/* Scratch space for one VM's keys, sized for its old and new devices. */
struct subindex_work {
    const char **keys, **okeys;
    int32_t *oidx, *out;
    char (*macs)[18];
};

static int work_alloc(struct subindex_work *w, size_t most, size_t macs)
{
    w->keys = calloc(most, sizeof(*w->keys));
    w->okeys = calloc(most, sizeof(*w->okeys));
    w->oidx = calloc(most, sizeof(*w->oidx));
    w->out = calloc(most, sizeof(*w->out));
    w->macs = calloc(macs, sizeof(*w->macs));
    return w->keys && w->okeys && w->oidx && w->out && w->macs ? 0 : -1;
}

static void work_free(struct subindex_work *w)
{
    free(w->keys);
    free(w->okeys);
    free(w->oidx);
    free(w->out);
    free(w->macs);
}

/* Disks are known by their target (vda), NICs by their MAC. */
static void disk_indexes(struct snapshot_row *row, const struct snapshot_row *old, size_t nd,
                         size_t od, struct subindex_work *w)
{
    for (size_t i = 0; i < nd; i++)
        w->keys[i] = row->def.disks[i].target;
    for (size_t i = 0; i < od; i++) {
        w->okeys[i] = old->def.disks[i].target;
        w->oidx[i] = old->disks[i].index;
    }
    carry_subindexes(w->okeys, w->oidx, od, w->keys, nd, w->out);
    for (size_t i = 0; i < nd; i++)
        row->disks[i].index = w->out[i];
}

static void nic_indexes(struct snapshot_row *row, const struct snapshot_row *old, size_t nn,
                        size_t on, struct subindex_work *w)
{
    for (size_t i = 0; i < nn; i++) {
        mac_key(&row->def.nics[i], w->macs[i]);
        w->keys[i] = w->macs[i][0] ? w->macs[i] : NULL;
    }
    for (size_t i = 0; i < on; i++) {
        mac_key(&old->def.nics[i], w->macs[nn + i]);
        w->okeys[i] = w->macs[nn + i][0] ? w->macs[nn + i] : NULL;
        w->oidx[i] = old->nics[i].index;
    }
    carry_subindexes(w->okeys, w->oidx, on, w->keys, nn, w->out);
    for (size_t i = 0; i < nn; i++)
        row->nics[i].index = w->out[i];
}

/* Hot-plugging one device must not renumber the others. */
static void device_indexes(struct snapshot_row *row, const struct snapshot_row *old)
{
    size_t nd = row->disks ? row->def.n_disks : 0, nn = row->nics ? row->def.n_nics : 0;
    size_t od = old && old->disks ? old->def.n_disks : 0;
    size_t on = old && old->nics ? old->def.n_nics : 0;
    struct subindex_work w;
    if (work_alloc(&w, nd + nn + od + on + 1, nn + on + 1) != 0) {
        /* Out of memory: positions, which are at least unique. */
        for (size_t i = 0; i < nd; i++)
            row->disks[i].index = (int32_t)i + 1;
        for (size_t i = 0; i < nn; i++)
            row->nics[i].index = (int32_t)i + 1;
    } else {
        disk_indexes(row, old, nd, od, &w);
        nic_indexes(row, old, nn, on, &w);
    }
    work_free(&w);
}

/* ---- one row ---- */

/* libvirt failed for this VM alone: keep what we knew, state unknown. */
static void keep_stale(struct snapshot_row *row, const struct snapshot_row *old,
                       const struct snapshot *prev, size_t cpumap_len)
{
    struct snapshot_row keep;
    if (old && snapshot_row_copy(&keep, old, prev->cpumap_len) == 0) {
        snapshot_row_clear(row);
        *row = keep;
        if (prev->cpumap_len != cpumap_len) {
            /* The host's CPU count changed: old pinning no longer lines up. */
            for (size_t k = 0; k < row->n_vcpus; k++) {
                free(row->vcpus[k].cpumap);
                row->vcpus[k].cpumap = NULL;
            }
        }
    }
    row->stale = true;
    row->oper = STATE_OPER_UNKNOWN;
    row->admin_oper = old ? old->admin_oper : STATE_ADMIN_SHUTDOWN;
    if (!row->name)
        row->name = strdup("");
    if (!row->def.os_type)
        row->def.os_type = strdup("");
}

/* A VM that starts gets a fresh start time; one that stopped loses it. */
static void start_time(struct snapshot_row *row, struct indexstore_entry *e,
                       struct indexstore *store, int64_t now)
{
    bool active = state_is_active(row->oper);
    if (active && e->started == 0) {
        e->started = now;
        store->dirty = true;
    } else if (!active && e->started != 0) {
        e->started = 0;
        store->dirty = true;
    }
}

/* What change detection compares: the last state libvirt reported. */
static void reported_state(struct snapshot_row *row, const struct snapshot_row *old)
{
    if (row->oper != STATE_OPER_UNKNOWN) {
        row->reported_oper = row->oper;
        row->reported_ms = row->read_ms;
    } else if (old) {
        row->reported_oper = old->reported_oper;
        row->reported_ms = old->reported_ms;
    } else {
        row->reported_oper = 0;
        row->reported_ms = 0;
    }
}

/* 0, or -1 when the row is dropped (no vmIndex left for it). */
static int carry_row(const struct snapshot *prev, struct snapshot *raw, struct snapshot_row *row,
                     struct indexstore *store, struct carry_clock now, struct carry_report *rep)
{
    struct indexstore_entry *e = indexstore_get(store, row->uuid, now.wall_s);
    if (!e) {
        char(*n)[37] = realloc(rep->no_index, (rep->n_no_index + 1) * sizeof(*n));
        if (n) {
            rep->no_index = n;
            text_uuid_format(row->uuid, n[rep->n_no_index++]);
        }
        snapshot_row_clear(row);
        return -1;
    }
    const struct snapshot_row *old = snapshot_find(prev, e->index);
    if (row->stale) {
        keep_stale(row, old, prev, raw->cpumap_len);
    } else {
        start_time(row, e, store, now.wall_s);
        row->admin_oper = state_admin_from_oper(row->oper, old ? old->admin_oper : 0);
        row->admin_request = old ? old->admin_request : 0;
        row->admin_request_ms = old ? old->admin_request_ms : 0;
    }
    row->index = e->index;
    row->started = e->started;
    if (!row->stale)
        device_indexes(row, old);
    reported_state(row, old);
    return 0;
}

/* ---- requested vmAdminState ---- */

static int cmp_row_ptr_uuid(const void *a, const void *b)
{
    const struct snapshot_row *const *x = a, *const *y = b;
    return memcmp((*x)->uuid, (*y)->uuid, 16);
}

static struct snapshot_row *row_by_uuid(struct snapshot_row **by_uuid, size_t n,
                                        const unsigned char uuid[16])
{
    struct snapshot_row key;
    struct snapshot_row *keyp = &key;
    memcpy(key.uuid, uuid, 16);
    struct snapshot_row **hit = bsearch(&keyp, by_uuid, n, sizeof(*by_uuid), cmp_row_ptr_uuid);
    return hit ? *hit : NULL;
}

/* New requests and cancellations, in the order they were made. */
static int apply_requests(struct snapshot *s, const struct carry_request *req, size_t n_req)
{
    if (!n_req || !s->count)
        return 0;
    struct snapshot_row **by_uuid = malloc(s->count * sizeof(*by_uuid));
    if (!by_uuid)
        return -1;
    for (size_t i = 0; i < s->count; i++)
        by_uuid[i] = &s->rows[i];
    qsort(by_uuid, s->count, sizeof(*by_uuid), cmp_row_ptr_uuid);
    for (size_t k = 0; k < n_req; k++) {
        struct snapshot_row *row = row_by_uuid(by_uuid, s->count, req[k].uuid);
        if (!row)
            continue; /* the VM is gone */
        row->admin_request = req[k].target;
        row->admin_request_ms = req[k].at_ms;
    }
    free(by_uuid);
    return 0;
}

static void give_up(struct snapshot_row *row, struct carry_report *rep)
{
    struct carry_given_up *n = realloc(rep->given_up, (rep->n_given_up + 1) * sizeof(*n));
    if (n) {
        rep->given_up = n;
        n[rep->n_given_up++] = (struct carry_given_up){.index = row->index,
                                                       .name = strdup(row->name ? row->name : ""),
                                                       .target = row->admin_request};
    }
}

/* A request is shown until the VM gets there, or for CARRY_REQUEST_MAX_MS. */
static void resolve_requests(struct snapshot *s, int64_t now_ms, struct carry_report *rep)
{
    for (size_t i = 0; i < s->count; i++) {
        struct snapshot_row *row = &s->rows[i];
        if (row->admin_request && !row->stale) {
            if (row->admin_oper == row->admin_request) {
                row->admin_request = 0;
            } else if (now_ms - row->admin_request_ms > CARRY_REQUEST_MAX_MS) {
                give_up(row, rep);
                row->admin_request = 0;
            }
        }
        row->admin = row->admin_request ? row->admin_request : row->admin_oper;
    }
}

/* ---- the round ---- */

static int cmp_row_index(const void *a, const void *b)
{
    const struct snapshot_row *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

int carry_round(const struct snapshot *prev, struct snapshot *raw, struct indexstore *store,
                const struct carry_request *req, size_t n_req, struct carry_clock now,
                struct carry_report *rep)
{
    size_t w = 0;
    for (size_t i = 0; i < raw->count; i++) {
        struct snapshot_row *row = &raw->rows[i];
        if (carry_row(prev, raw, row, store, now, rep) != 0)
            continue;
        if (w != i)
            raw->rows[w] = *row;
        w++;
    }
    raw->count = w;
    qsort(raw->rows, raw->count, sizeof(*raw->rows), cmp_row_index);
    raw->reported_valid = true;
    int rc = apply_requests(raw, req, n_req);
    resolve_requests(raw, now.boot_ms, rep);
    return rc;
}

static int copy_facts(struct snapshot *s, const struct snapshot *prev, const struct snapshot *raw,
                      const char *why)
{
    const char *software = prev->hv_software && *prev->hv_software ? prev->hv_software
                           : raw && raw->hv_software               ? raw->hv_software
                                                                   : "";
    const char *error = raw && raw->error ? raw->error : why;
    s->error = error ? strdup(error) : NULL;
    s->uri = prev->uri ? strdup(prev->uri) : NULL;
    s->hv_software = strdup(software);
    s->hv_version = strdup(prev->hv_version ? prev->hv_version : "");
    s->hv_known = prev->hv_known;
    s->hv_init_ms = prev->hv_init_ms;
    s->local = prev->local;
    s->host_cpus = prev->host_cpus;
    s->cpumap_len = prev->cpumap_len;
    s->reported_valid = prev->reported_valid;
    s->writes_refused = prev->writes_refused ? strdup(prev->writes_refused) : NULL;
    return s->hv_software && s->hv_version ? 0 : -1;
}

struct snapshot *carry_unreachable(const struct snapshot *prev, const struct snapshot *raw,
                                   const char *why, int64_t now_ms)
{
    struct snapshot *s = snapshot_new();
    if (!s)
        return NULL;
    s->rows = calloc(prev->count + 1, sizeof(*s->rows));
    if (!s->rows || copy_facts(s, prev, raw, why) != 0) {
        snapshot_free(s);
        return NULL;
    }
    /* The hypervisor not answering says nothing about whether the VMs exist. */
    for (size_t i = 0; i < prev->count; i++) {
        if (snapshot_row_copy(&s->rows[s->count], &prev->rows[i], prev->cpumap_len) != 0)
            continue;
        s->rows[s->count].oper = STATE_OPER_UNKNOWN;
        s->count++;
    }
    s->connected = false;
    s->taken_ms = now_ms;
    return s;
}

void carry_report_clear(struct carry_report *rep)
{
    free(rep->no_index);
    for (size_t i = 0; i < rep->n_given_up; i++)
        free(rep->given_up[i].name);
    free(rep->given_up);
    memset(rep, 0, sizeof(*rep));
}
