#define _GNU_SOURCE
#include "collect.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "../model/state.h"
#include "../model/vmtime.h"
#include "hostdev.h"

/* ---- bulk statistics, found by UUID ---- */

struct bulk_rec {
    unsigned char uuid[16];
    virDomainStatsRecordPtr rec;
};

struct bulk {
    virDomainStatsRecordPtr *recs;
    struct bulk_rec *by_uuid; /* sorted by UUID */
    int n;
};

static int cmp_bulk(const void *a, const void *b)
{
    return memcmp(((const struct bulk_rec *)a)->uuid, ((const struct bulk_rec *)b)->uuid, 16);
}

static void bulk_load(virConnectPtr conn, struct bulk *b)
{
    memset(b, 0, sizeof(*b));
    unsigned stats = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                     VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BLOCK;
    /* Without ENFORCE_STATS the driver silently leaves out what it lacks. */
    int n = virConnectGetAllDomainStats(conn, stats, &b->recs, 0);
    if (n <= 0) {
        b->recs = NULL;
        return;
    }
    b->by_uuid = calloc((size_t)n, sizeof(*b->by_uuid));
    if (!b->by_uuid) {
        virDomainStatsRecordListFree(b->recs);
        b->recs = NULL;
        return;
    }
    for (int i = 0; i < n; i++) {
        b->by_uuid[i].rec = b->recs[i];
        if (virDomainGetUUID(b->recs[i]->dom, b->by_uuid[i].uuid) < 0)
            memset(b->by_uuid[i].uuid, 0, 16);
    }
    qsort(b->by_uuid, (size_t)n, sizeof(*b->by_uuid), cmp_bulk);
    b->n = n;
}

static void bulk_free(struct bulk *b)
{
    if (b->recs)
        virDomainStatsRecordListFree(b->recs);
    free(b->by_uuid);
    memset(b, 0, sizeof(*b));
}

static virDomainStatsRecordPtr bulk_find(const struct bulk *b, const unsigned char uuid[16])
{
    struct bulk_rec key;
    memcpy(key.uuid, uuid, 16);
    const struct bulk_rec *hit =
        b->n ? bsearch(&key, b->by_uuid, (size_t)b->n, sizeof(key), cmp_bulk) : NULL;
    return hit ? hit->rec : NULL;
}

static bool stat_ull(virDomainStatsRecordPtr r, const char *name, uint64_t *out)
{
    unsigned long long v;
    if (!r || virTypedParamsGetULLong(r->params, r->nparams, name, &v) != 1)
        return false;
    *out = v;
    return true;
}

static bool stat_uint(virDomainStatsRecordPtr r, const char *name, unsigned *out)
{
    return r && virTypedParamsGetUInt(r->params, r->nparams, name, out) == 1;
}

static bool stat_int(virDomainStatsRecordPtr r, const char *name, int *out)
{
    return r && virTypedParamsGetInt(r->params, r->nparams, name, out) == 1;
}

/* ---- domains by a listing filter ---- */

/* The UUIDs of the domains a filtered listing returned, sorted: one call
 * per round instead of one per domain (an RPC each to a remote daemon). */
struct uuid_set {
    unsigned char (*uuids)[16];
    size_t n;
    bool known; /* false: the listing failed, ask each domain */
};

static int cmp_uuid(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

static void uuid_set_load(virConnectPtr conn, unsigned flags, struct uuid_set *set)
{
    virDomainPtr *doms = NULL;
    memset(set, 0, sizeof(*set));
    int n = virConnectListAllDomains(conn, &doms, flags);
    if (n < 0)
        return;
    set->uuids = calloc((size_t)n + 1, sizeof(*set->uuids));
    for (int i = 0; i < n; i++) {
        if (set->uuids && virDomainGetUUID(doms[i], set->uuids[set->n]) == 0)
            set->n++;
        virDomainFree(doms[i]);
    }
    free(doms);
    if (!set->uuids)
        return;
    qsort(set->uuids, set->n, sizeof(*set->uuids), cmp_uuid);
    set->known = true;
}

static bool uuid_set_has(const struct uuid_set *set, const unsigned char uuid[16])
{
    return set->n && bsearch(uuid, set->uuids, set->n, sizeof(*set->uuids), cmp_uuid);
}

/* ---- what one round shares between its domains ---- */

struct round_ctx {
    virConnectPtr conn;
    struct defcache *cache;
    struct bulk bulk;
    size_t maplen;
    struct hostdev *host;
    /* The exceptions, usually few: autostart, transient, managed-saved. */
    struct uuid_set autostart, transient, managed_save;
    bool no_stats_flags; /* virDomainBlockStatsFlags unsupported: virDomainBlockStats */
};

/* ---- vCPUs ---- */

static int cmp_vcpu(const void *a, const void *b)
{
    const struct snapshot_vcpu *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

/* The live pinning of the vCPUs already listed (the bulk answer lacks it). */
static void read_pinning(virDomainPtr dom, unsigned maximum, size_t maplen,
                         struct snapshot_row *row)
{
    unsigned char *maps = calloc(maximum, maplen);
    if (maps &&
        virDomainGetVcpuPinInfo(dom, (int)maximum, maps, (int)maplen, VIR_DOMAIN_AFFECT_LIVE) > 0) {
        for (size_t i = 0; i < row->n_vcpus; i++) {
            row->vcpus[i].cpumap = malloc(maplen);
            if (row->vcpus[i].cpumap)
                memcpy(row->vcpus[i].cpumap, maps + (size_t)row->vcpus[i].number * maplen, maplen);
        }
    }
    free(maps);
}

/* Times from the bulk answer's vCPU group. */
static int bulk_vcpus(virDomainPtr dom, virDomainStatsRecordPtr rec, unsigned maximum,
                      size_t maplen, struct snapshot_row *row)
{
    row->vcpus = calloc(maximum ? maximum : 1, sizeof(*row->vcpus));
    if (!row->vcpus)
        return -1;
    for (unsigned i = 0; i < maximum; i++) {
        char key[64];
        int state = 0;
        snprintf(key, sizeof(key), "vcpu.%u.state", i);
        if (!stat_int(rec, key, &state) || state == VIR_VCPU_OFFLINE)
            continue;
        struct snapshot_vcpu *v = &row->vcpus[row->n_vcpus++];
        v->number = (int32_t)i;
        snprintf(key, sizeof(key), "vcpu.%u.time", i);
        stat_ull(rec, key, &v->time_ns);
    }
    if (row->n_vcpus && maplen)
        read_pinning(dom, maximum, maplen, row);
    return 0;
}

/* No bulk vCPU group: virDomainGetVcpus gives times and pinning at once. */
static int single_vcpus(virDomainPtr dom, size_t maplen, struct snapshot_row *row)
{
    int n = row->cur_cpu > 0 ? row->cur_cpu : 1;
    virVcpuInfoPtr info = calloc((size_t)n, sizeof(*info));
    unsigned char *maps = maplen ? calloc((size_t)n, maplen) : NULL;
    int got = -1;
    if (info && (!maplen || maps))
        got = virDomainGetVcpus(dom, info, n, maps, (int)maplen);
    if (got >= 0)
        row->vcpus = calloc(got ? (size_t)got : 1, sizeof(*row->vcpus));
    for (int i = 0; row->vcpus && i < got; i++) {
        struct snapshot_vcpu *v = &row->vcpus[row->n_vcpus++];
        v->number = (int32_t)info[i].number;
        v->time_ns = info[i].cpuTime;
        if (maps && (v->cpumap = malloc(maplen)))
            memcpy(v->cpumap, maps + (size_t)i * maplen, maplen);
    }
    free(info);
    free(maps);
    if (!row->vcpus)
        return -1;
    qsort(row->vcpus, row->n_vcpus, sizeof(*row->vcpus), cmp_vcpu);
    return 0;
}

/* Online vCPUs of an active domain with their times and pinning. */
static int read_vcpus(virDomainPtr dom, virDomainStatsRecordPtr rec, size_t maplen,
                      struct snapshot_row *row)
{
    unsigned current = 0, maximum = 0;
    if (stat_uint(rec, "vcpu.current", &current) && stat_uint(rec, "vcpu.maximum", &maximum))
        return bulk_vcpus(dom, rec, maximum, maplen, row);
    return single_vcpus(dom, maplen, row);
}

/* ---- disks ---- */

/* Block I/O counters of an active domain without the bulk answer. */
static void block_stats(struct round_ctx *ctx, virDomainPtr dom, const char *target,
                        struct snapshot_disk *d)
{
    virTypedParameter params[16];
    int np = 16;
    if (!ctx->no_stats_flags && virDomainBlockStatsFlags(dom, target, params, &np, 0) == 0) {
        static const char *const names[] = {
            VIR_DOMAIN_BLOCK_STATS_READ_REQ,         VIR_DOMAIN_BLOCK_STATS_WRITE_REQ,
            VIR_DOMAIN_BLOCK_STATS_READ_BYTES,       VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES,
            VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES, VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES,
        };
        uint64_t *dst[] = {&d->rd_reqs,  &d->wr_reqs,    &d->rd_bytes,
                           &d->wr_bytes, &d->rd_time_ns, &d->wr_time_ns};
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            long long v = 0;
            /* -1 means "not supported by the hypervisor": counted as 0. */
            if (virTypedParamsGetLLong(params, np, names[k], &v) == 1 && v > 0)
                *dst[k] = (uint64_t)v;
        }
        virTypedParamsClear(params, np);
        return;
    }
    /* Older drivers (and the test driver): no latency totals.  Not asked
     * again this round once the driver said it lacks the call. */
    if (!ctx->no_stats_flags && virGetLastError() && virGetLastError()->code == VIR_ERR_NO_SUPPORT)
        ctx->no_stats_flags = true;
    virDomainBlockStatsStruct bs;
    if (virDomainBlockStats(dom, target, &bs, sizeof(bs)) == 0) {
        d->rd_reqs = bs.rd_req > 0 ? (uint64_t)bs.rd_req : 0;
        d->wr_reqs = bs.wr_req > 0 ? (uint64_t)bs.wr_req : 0;
        d->rd_bytes = bs.rd_bytes > 0 ? (uint64_t)bs.rd_bytes : 0;
        d->wr_bytes = bs.wr_bytes > 0 ? (uint64_t)bs.wr_bytes : 0;
    }
}

/* The bulk answer numbers disks: block.N.name is the target.  -1 = none. */
static int bulk_disk(virDomainStatsRecordPtr rec, const char *target)
{
    unsigned count = 0;
    stat_uint(rec, "block.count", &count);
    for (unsigned k = 0; target && k < count; k++) {
        char key[64];
        const char *name = NULL;
        snprintf(key, sizeof(key), "block.%u.name", k);
        if (virTypedParamsGetString(rec->params, rec->nparams, key, &name) == 1 && name &&
            strcmp(name, target) == 0)
            return (int)k;
    }
    return -1;
}

/* Counters and sizes of disk b of the bulk answer; true if it had I/O counters. */
static bool bulk_disk_stats(virDomainStatsRecordPtr rec, int b, struct snapshot_disk *d)
{
    static const char *const fields[] = {"rd.reqs",  "wr.reqs",  "rd.bytes", "wr.bytes",
                                         "rd.times", "wr.times", "capacity", "allocation"};
    uint64_t *dst[] = {&d->rd_reqs,    &d->wr_reqs,    &d->rd_bytes, &d->wr_bytes,
                       &d->rd_time_ns, &d->wr_time_ns, &d->capacity, &d->allocation};
    bool have_io = false;
    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
        char key[64];
        snprintf(key, sizeof(key), "block.%d.%s", b, fields[k]);
        bool got = stat_ull(rec, key, dst[k]);
        if (k == 0)
            have_io = got;
    }
    return have_io;
}

/* Does the bulk answer have a block group at all (QEMU's does; the test
 * driver's has only the state)? */
static bool bulk_has_blocks(virDomainStatsRecordPtr rec)
{
    unsigned count = 0;
    return rec && stat_uint(rec, "block.count", &count);
}

/* Ask libvirt only what it can answer: nothing for a drive without a
 * medium (an empty CD-ROM), nor for a disk the bulk answer no longer lists
 * (unplugged since the definition was read): libvirtd logs an error for
 * every such call. */
static void read_disk(struct round_ctx *ctx, virDomainPtr dom, virDomainStatsRecordPtr rec,
                      bool active, const struct domxml_disk *dd, struct snapshot_disk *d)
{
    d->capacity = d->allocation = UINT64_MAX;
    d->mount = hostdev_mount_of(ctx->host, dd->file);
    d->mount_id = -1;
    int b = rec ? bulk_disk(rec, dd->target) : -1;
    bool gone = b < 0 && active && bulk_has_blocks(rec);
    if (dd->empty || gone || !dd->target)
        return;
    bool have_io = b >= 0 && bulk_disk_stats(rec, b, d);
    if (active && !have_io)
        block_stats(ctx, dom, dd->target, d);
    if (!active) /* a crashed VM's kept process: no I/O, as for any stopped VM */
        d->rd_reqs = d->wr_reqs = d->rd_bytes = d->wr_bytes = d->rd_time_ns = d->wr_time_ns = 0;
    /* The bulk "allocation" of a running VM is the highest offset written,
     * not the host space an image file takes: for files (and whatever the
     * bulk answer lacked) ask for what domblkinfo shows. */
    if (d->capacity == UINT64_MAX || dd->file) {
        virDomainBlockInfo info;
        if (virDomainGetBlockInfo(dom, dd->target, &info, 0) == 0) {
            if (d->capacity == UINT64_MAX)
                d->capacity = info.capacity;
            d->allocation = info.allocation;
        }
    }
    /* RFC 7666: for block and raw sources the allocated size is the defined size. */
    if (dd->source_type == STATE_SRC_BLOCK || dd->source_type == STATE_SRC_RAW)
        d->allocation = d->capacity;
}

static void read_disks(struct round_ctx *ctx, virDomainPtr dom, virDomainStatsRecordPtr rec,
                       bool active, struct snapshot_row *row)
{
    if (!row->def.n_disks || !(row->disks = calloc(row->def.n_disks, sizeof(*row->disks))))
        return;
    for (size_t i = 0; i < row->def.n_disks; i++)
        read_disk(ctx, dom, rec, active, &row->def.disks[i], &row->disks[i]);
}

/* ---- NICs ---- */

/* A NIC without a device (VM not running): where its definition attaches it. */
static int32_t defined_parent(const struct round_ctx *ctx, const struct domxml_nic *nd)
{
    if (!nd->type || !nd->source)
        return 0;
    if (strcmp(nd->type, "bridge") == 0 || strcmp(nd->type, "direct") == 0)
        return hostdev_ifindex(ctx->host, nd->source);
    if (strcmp(nd->type, "network") != 0)
        return 0;
    int32_t parent = 0;
    virNetworkPtr net = virNetworkLookupByName(ctx->conn, nd->source);
    if (net) {
        char *br = virNetworkGetBridgeName(net);
        parent = hostdev_ifindex(ctx->host, br);
        free(br);
        virNetworkFree(net);
    }
    return parent;
}

static void read_nics(const struct round_ctx *ctx, bool active, struct snapshot_row *row)
{
    if (!row->def.n_nics || !(row->nics = calloc(row->def.n_nics, sizeof(*row->nics))))
        return;
    for (size_t i = 0; i < row->def.n_nics; i++) {
        const struct domxml_nic *nd = &row->def.nics[i];
        struct snapshot_nic *ni = &row->nics[i];
        /* The host-side device exists only while the VM runs (the test
         * driver even names one in inactive definitions). */
        ni->ifindex = active ? hostdev_ifindex(ctx->host, nd->target) : 0;
        /* The live device says where it is attached now. */
        ni->parent = ni->ifindex ? hostdev_parent(ctx->host, nd->target, ni->ifindex)
                                 : defined_parent(ctx, nd);
    }
}

/* ---- one domain ---- */

/* State and reason, from the bulk answer or asked for. */
static int read_state(virDomainPtr dom, virDomainStatsRecordPtr rec, struct snapshot_row *row)
{
    int state = 0, reason = 0;
    if (stat_int(rec, "state.state", &state) && stat_int(rec, "state.reason", &reason)) {
        /* the bulk answer's */
    } else if (virDomainGetState(dom, &state, &reason, 0) < 0) {
        return -1;
    }
    row->lv_state = state;
    row->lv_reason = reason;
    return 0;
}

/* Paused with reason MIGRATION: is a job (migration) really under way?  A
 * domain restored from a save made while it was paused stays so with no
 * job at all.  Asked only then; a driver that cannot tell keeps libvirt's
 * word (migrating). */
static bool migration_idle(virDomainPtr dom, int state, int reason)
{
    if (state != VIR_DOMAIN_PAUSED || reason != VIR_DOMAIN_PAUSED_MIGRATION)
        return false;
    virDomainJobInfo job;
    return virDomainGetJobInfo(dom, &job) == 0 && job.type == VIR_DOMAIN_JOB_NONE;
}

/* Memory, vCPU counts and CPU time. */
static int read_sizes(virDomainPtr dom, virDomainStatsRecordPtr rec, bool active,
                      struct snapshot_row *row)
{
    uint64_t cur_kib = 0, max_kib = 0, cpu_ns = 0;
    unsigned vcur = 0, vmax = 0;
    if (stat_ull(rec, "balloon.current", &cur_kib) && stat_ull(rec, "balloon.maximum", &max_kib) &&
        stat_uint(rec, "vcpu.current", &vcur) && stat_uint(rec, "vcpu.maximum", &vmax) &&
        (!active || stat_ull(rec, "cpu.time", &cpu_ns))) {
        row->cur_mem_kib = cur_kib;
        row->max_mem_kib = max_kib;
        row->cur_cpu = (int32_t)vcur;
        row->max_cpu = (int32_t)vmax;
        row->cpu_time_ns = active ? cpu_ns : 0;
        return 0;
    }
    virDomainInfo info;
    if (virDomainGetInfo(dom, &info) < 0)
        return -1;
    row->cur_mem_kib = info.memory;
    row->max_mem_kib = info.maxMem;
    row->cur_cpu = info.nrVirtCpu;
    row->cpu_time_ns = active ? info.cpuTime : 0;
    unsigned flags =
        VIR_DOMAIN_VCPU_MAXIMUM | (active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG);
    int maxv = virDomainGetVcpusFlags(dom, flags);
    row->max_cpu = maxv > 0 ? maxv : -1;
    return 0;
}

/* Autostart and persistence, from the round's listings when they worked. */
static void read_flags(const struct round_ctx *ctx, virDomainPtr dom, struct snapshot_row *row)
{
    int autostart = 0;
    if (ctx->autostart.known)
        autostart = uuid_set_has(&ctx->autostart, row->uuid);
    else if (virDomainGetAutostart(dom, &autostart) < 0)
        autostart = -1;
    if (autostart < 0)
        row->autostart = STATE_AUTOSTART_UNKNOWN;
    else
        row->autostart = autostart ? STATE_AUTOSTART_ENABLED : STATE_AUTOSTART_DISABLED;
    int persistent = ctx->transient.known ? !uuid_set_has(&ctx->transient, row->uuid)
                                          : virDomainIsPersistent(dom);
    if (persistent == 1)
        row->persistent = STATE_PERSIST_PERSISTENT;
    else if (persistent == 0)
        row->persistent = STATE_PERSIST_TRANSIENT;
    else
        row->persistent = STATE_PERSIST_UNKNOWN;
}

/* The definition, from the cache unless it may have changed. */
static int read_def(virDomainPtr dom, struct defcache *cache, bool active, struct snapshot_row *row)
{
    int64_t now = vmtime_boot_ms();
    const struct domxml_def *def = defcache_get(cache, row->uuid, active, now);
    if (!def) {
        char *xml = virDomainGetXMLDesc(dom, 0);
        struct domxml_def fresh;
        if (xml && domxml_parse(xml, strlen(xml), &fresh) == 0) {
            if (!fresh.os_type) {
                char *t = virDomainGetOSType(dom);
                fresh.os_type = t ? t : strdup("");
            }
            def = defcache_put(cache, row->uuid, &fresh, active, now);
        } else {
            def = defcache_stale(cache, row->uuid); /* keep what we knew */
        }
        free(xml);
    }
    if (def && domxml_copy(&row->def, def) != 0)
        return -1;
    if (!row->def.os_type && !(row->def.os_type = strdup("")))
        return -1;
    return 0;
}

/* 0, 1 when the domain vanished meanwhile (skip it), or -1 when libvirt
 * failed for this domain (the row is marked stale and its values are
 * carried over by the round). */
static int read_domain(struct round_ctx *ctx, virDomainPtr dom, struct snapshot_row *row)
{
    if (virDomainGetUUID(dom, row->uuid) < 0)
        return 1;
    const char *name = virDomainGetName(dom);
    row->name = strdup(name ? name : "");
    virDomainStatsRecordPtr rec = bulk_find(&ctx->bulk, row->uuid);
    if (read_state(dom, rec, row) != 0)
        goto failed;
    /* Active from the state just read; a crashed domain is active only if
     * libvirt preserved it. */
    int state = row->lv_state;
    bool active = state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_NOSTATE &&
                  (state != VIR_DOMAIN_CRASHED || virDomainGetID(dom) != (unsigned int)-1);
    if (read_sizes(dom, rec, active, row) != 0)
        goto failed;
    row->lv_active = active;
    row->has_managed_save =
        !active && (ctx->managed_save.known ? uuid_set_has(&ctx->managed_save, row->uuid)
                                            : virDomainHasManagedSaveImage(dom, 0) == 1);
    row->oper = state_oper_from_libvirt(state, row->lv_reason, row->has_managed_save,
                                        migration_idle(dom, state, row->lv_reason));
    /* A VM that is not running has used no CPU since it stopped (RFC 7666
     * allows the discontinuity); never show a stale running figure. */
    if (!state_is_active(row->oper))
        row->cpu_time_ns = 0;
    read_flags(ctx, dom, row);
    if (read_def(dom, ctx->cache, active, row) != 0)
        goto failed;
    /* What runs is what VM-MIB calls running: a crashed VM libvirt keeps
     * for a dump has no vCPU rows and no I/O, like any stopped VM. */
    bool running = state_is_active(row->oper);
    if (running && read_vcpus(dom, rec, ctx->maplen, row) != 0)
        row->n_vcpus = 0; /* no vCPU rows this round; the rest is fresh */
    read_disks(ctx, dom, rec, running, row);
    read_nics(ctx, running, row);
    return 0;
failed:
    if (virGetLastError() && virGetLastError()->code == VIR_ERR_NO_DOMAIN)
        return 1;
    row->stale = true;
    return -1;
}

/* Number of host CPUs libvirt knows: the size of its CPU map (present
 * CPUs, online or not), or the active CPUs of the node information when
 * that says more (the test driver's CPU map has 8 CPUs whatever its node
 * says; its vCPU pinning follows the node). */
static int host_cpu_count(virConnectPtr conn)
{
    int n = virNodeGetCPUMap(conn, NULL, NULL, 0);
    virNodeInfo ni;
    if (virNodeGetInfo(conn, &ni) == 0 && ni.cpus <= INT_MAX && (int)ni.cpus > n)
        n = (int)ni.cpus;
    return n > 0 ? n : 0;
}

/* What every domain of the round uses: the bulk answer, the listings of
 * autostart, transient and managed-saved domains, the host's devices. */
static void round_begin(struct round_ctx *ctx)
{
    bulk_load(ctx->conn, &ctx->bulk);
    uuid_set_load(ctx->conn, VIR_CONNECT_LIST_DOMAINS_AUTOSTART, &ctx->autostart);
    uuid_set_load(ctx->conn, VIR_CONNECT_LIST_DOMAINS_TRANSIENT, &ctx->transient);
    uuid_set_load(ctx->conn, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE, &ctx->managed_save);
    ctx->host = hostdev_begin();
}

static void round_end(struct round_ctx *ctx)
{
    bulk_free(&ctx->bulk);
    free(ctx->autostart.uuids);
    free(ctx->transient.uuids);
    free(ctx->managed_save.uuids);
    hostdev_end(ctx->host);
}

int collect_round(virConnectPtr conn, struct defcache *cache, struct snapshot *s)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    if (n < 0) {
        const char *msg = virGetLastErrorMessage();
        if (asprintf(&s->error, "cannot list domains: %s", msg ? msg : "unknown error") < 0)
            s->error = NULL;
        return -1;
    }
    s->host_cpus = host_cpu_count(conn);
    s->cpumap_len = s->host_cpus > 0 ? (size_t)VIR_CPU_MAPLEN(s->host_cpus) : 0;
    struct round_ctx ctx = {.conn = conn, .cache = cache, .maplen = s->cpumap_len};
    round_begin(&ctx);
    s->rows = calloc((size_t)n + 1, sizeof(*s->rows));
    for (int i = 0; i < n; i++) {
        struct snapshot_row *row = s->rows ? &s->rows[s->count] : NULL;
        if (row && read_domain(&ctx, doms[i], row) == 1)
            snapshot_row_clear(row);
        else if (row)
            s->count++;
        virDomainFree(doms[i]);
    }
    free(doms);
    round_end(&ctx);
    defcache_sweep(cache);
    if (!s->rows) {
        s->error = strdup("out of memory");
        return -1;
    }
    return 0;
}
