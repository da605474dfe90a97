/* Reading the hypervisor: one virConnectGetAllDomainStats call per round for
 * everything the driver offers in bulk (QEMU: state, balloon, vCPU, block),
 * per-domain calls only for what the bulk answer lacks (the test driver
 * gives only state), and the domain XML only when the definition may have
 * changed.  A call that fails for one domain costs that domain's fresh
 * values (the row is marked stale), never the round. */
#define _GNU_SOURCE
#include "collect.h"

#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "domxml.h"

/* Definitions are re-read at least this often even without a visible change. */
#define DEF_REFRESH_MS (60 * 1000)

struct def_entry {
    unsigned char uuid[16];
    struct vm_def def;
    bool active;     /* activity when the definition was read (live XML differs) */
    int64_t read_ms; /* when it was read */
    bool seen;       /* present in the current round */
    bool invalid;    /* re-read at the next round */
};

struct vm_def_cache {
    struct def_entry *e;
    size_t n;
};

struct vm_def_cache *vm_def_cache_new(void)
{
    return calloc(1, sizeof(struct vm_def_cache));
}

void vm_def_cache_free(struct vm_def_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        vm_def_clear(&c->e[i].def);
    free(c->e);
    free(c);
}

static struct def_entry *cache_find(struct vm_def_cache *c, const unsigned char uuid[16])
{
    for (size_t i = 0; i < c->n; i++)
        if (memcmp(c->e[i].uuid, uuid, 16) == 0)
            return &c->e[i];
    return NULL;
}

void vm_def_cache_invalidate(struct vm_def_cache *c, const unsigned char uuid[16])
{
    struct def_entry *e = cache_find(c, uuid);
    if (e)
        e->invalid = true;
}

static void cache_sweep(struct vm_def_cache *c)
{
    size_t w = 0;
    for (size_t r = 0; r < c->n; r++) {
        if (!c->e[r].seen) {
            vm_def_clear(&c->e[r].def);
            continue;
        }
        c->e[r].seen = false;
        c->e[w++] = c->e[r];
    }
    c->n = w;
}

/* The definition of dom, from the cache unless new, invalidated, started or
 * stopped since it was read, or older than DEF_REFRESH_MS. */
static const struct vm_def *domain_def(struct vm_def_cache *c, virDomainPtr dom,
                                       const unsigned char uuid[16], bool active)
{
    struct def_entry *e = cache_find(c, uuid);
    int64_t now = vm_now_boot_ms();
    if (e && !e->invalid && e->active == active && now - e->read_ms < DEF_REFRESH_MS) {
        e->seen = true;
        return &e->def;
    }
    char *xml = virDomainGetXMLDesc(dom, 0);
    struct vm_def fresh;
    if (!xml || vm_domxml_parse(xml, strlen(xml), &fresh) != 0) {
        free(xml);
        if (e) {
            e->seen = true;
            return &e->def; /* keep what we knew */
        }
        return NULL;
    }
    free(xml);
    if (!fresh.os_type) {
        char *t = virDomainGetOSType(dom);
        fresh.os_type = t ? t : strdup("");
    }
    if (!e) {
        struct def_entry *n = realloc(c->e, (c->n + 1) * sizeof(*n));
        if (!n) {
            vm_def_clear(&fresh);
            return NULL;
        }
        c->e = n;
        e = &c->e[c->n++];
        memset(e, 0, sizeof(*e));
        memcpy(e->uuid, uuid, 16);
    } else {
        vm_def_clear(&e->def);
    }
    e->def = fresh;
    e->active = active;
    e->read_ms = now;
    e->seen = true;
    e->invalid = false;
    return &e->def;
}

/* ---- bulk statistics ---- */

struct bulk {
    virDomainStatsRecordPtr *recs;
    int n;
    int64_t read_ms;            /* when the call was made */
    unsigned char (*uuids)[16]; /* uuids[i] of recs[i] */
};

static void bulk_load(virConnectPtr conn, struct bulk *b)
{
    memset(b, 0, sizeof(*b));
    /* Without ENFORCE_STATS the driver silently leaves out what it lacks. */
    b->read_ms = vm_now_boot_ms();
    unsigned stats = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL |
                     VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BLOCK;
    int n = virConnectGetAllDomainStats(conn, stats, &b->recs, 0);
    if (n <= 0) {
        b->recs = NULL;
        return;
    }
    b->uuids = calloc((size_t)n, 16);
    if (!b->uuids) {
        virDomainStatsRecordListFree(b->recs);
        b->recs = NULL;
        return;
    }
    b->n = n;
    for (int i = 0; i < n; i++)
        if (virDomainGetUUID(b->recs[i]->dom, b->uuids[i]) < 0)
            memset(b->uuids[i], 0, 16);
}

static void bulk_free(struct bulk *b)
{
    if (b->recs)
        virDomainStatsRecordListFree(b->recs);
    free(b->uuids);
    memset(b, 0, sizeof(*b));
}

static virDomainStatsRecordPtr bulk_find(const struct bulk *b, const unsigned char uuid[16])
{
    for (int i = 0; i < b->n; i++)
        if (memcmp(b->uuids[i], uuid, 16) == 0)
            return b->recs[i];
    return NULL;
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
    if (!r || virTypedParamsGetUInt(r->params, r->nparams, name, out) != 1)
        return false;
    return true;
}

static bool stat_int(virDomainStatsRecordPtr r, const char *name, int *out)
{
    if (!r || virTypedParamsGetInt(r->params, r->nparams, name, out) != 1)
        return false;
    return true;
}

/* ---- vCPUs ---- */

static int cmp_vcpu(const void *a, const void *b)
{
    const struct vm_vcpu *x = a, *y = b;
    return (x->number > y->number) - (x->number < y->number);
}

/* Online vCPUs of an active domain with their times and pinning. */
static int read_vcpus(virDomainPtr dom, virDomainStatsRecordPtr rec, size_t maplen,
                      struct vm_row *row)
{
    unsigned current = 0, maximum = 0;
    bool bulk =
        stat_uint(rec, "vcpu.current", &current) && stat_uint(rec, "vcpu.maximum", &maximum);
    if (bulk) {
        /* Times from the bulk answer; pinning is not part of it. */
        row->vcpus = calloc(maximum ? maximum : 1, sizeof(*row->vcpus));
        if (!row->vcpus)
            return -1;
        for (unsigned i = 0; i < maximum; i++) {
            char key[64];
            int state = 0;
            snprintf(key, sizeof(key), "vcpu.%u.state", i);
            if (!stat_int(rec, key, &state) || state == VIR_VCPU_OFFLINE)
                continue;
            struct vm_vcpu *v = &row->vcpus[row->n_vcpus++];
            v->number = (int32_t)i;
            snprintf(key, sizeof(key), "vcpu.%u.time", i);
            stat_ull(rec, key, &v->time_ns);
        }
        if (row->n_vcpus && maplen) {
            int nmaps = (int)maximum;
            unsigned char *maps = calloc((size_t)nmaps, maplen);
            if (maps && virDomainGetVcpuPinInfo(dom, nmaps, maps, (int)maplen,
                                                VIR_DOMAIN_AFFECT_LIVE) > 0) {
                for (size_t i = 0; i < row->n_vcpus; i++) {
                    row->vcpus[i].cpumap = malloc(maplen);
                    if (row->vcpus[i].cpumap)
                        memcpy(row->vcpus[i].cpumap, maps + (size_t)row->vcpus[i].number * maplen,
                               maplen);
                }
            }
            free(maps);
        }
        return 0;
    }
    /* No bulk vCPU group: virDomainGetVcpus gives times and pinning at once. */
    int n = row->cur_cpu > 0 ? row->cur_cpu : 1;
    virVcpuInfoPtr info = calloc((size_t)n, sizeof(*info));
    unsigned char *maps = maplen ? calloc((size_t)n, maplen) : NULL;
    if (!info || (maplen && !maps)) {
        free(info);
        free(maps);
        return -1;
    }
    int got = virDomainGetVcpus(dom, info, n, maps, (int)maplen);
    if (got < 0) {
        free(info);
        free(maps);
        return -1;
    }
    row->vcpus = calloc(got ? (size_t)got : 1, sizeof(*row->vcpus));
    if (!row->vcpus) {
        free(info);
        free(maps);
        return -1;
    }
    for (int i = 0; i < got; i++) {
        struct vm_vcpu *v = &row->vcpus[row->n_vcpus++];
        v->number = (int32_t)info[i].number;
        v->time_ns = info[i].cpuTime;
        if (maps) {
            v->cpumap = malloc(maplen);
            if (v->cpumap)
                memcpy(v->cpumap, maps + (size_t)i * maplen, maplen);
        }
    }
    free(info);
    free(maps);
    qsort(row->vcpus, row->n_vcpus, sizeof(*row->vcpus), cmp_vcpu);
    return 0;
}

/* ---- disks ---- */

/* The mount point of the filesystem holding path: the highest ancestor on
 * the same device.  NULL when the file cannot be reached. */
static char *mount_point_of(const char *path)
{
    struct stat st, up;
    if (!path || path[0] != '/' || stat(path, &st) != 0)
        return NULL;
    char *cand = strdup(path);
    while (cand && strcmp(cand, "/") != 0) {
        char *slash = strrchr(cand, '/');
        int rc;
        if (slash == cand) {
            rc = stat("/", &up);
        } else {
            *slash = '\0';
            rc = stat(cand, &up);
            *slash = '/';
        }
        if (rc != 0 || up.st_dev != st.st_dev)
            return cand; /* the parent is on another filesystem */
        if (slash == cand)
            strcpy(cand, "/");
        else
            *slash = '\0';
    }
    return cand;
}

/* Block I/O counters of an active domain without the bulk answer. */
static void block_stats(virDomainPtr dom, const char *target, struct vm_disk *d)
{
    virTypedParameter params[16];
    int np = 16;
    if (virDomainBlockStatsFlags(dom, target, params, &np, 0) == 0) {
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
    /* Older drivers (and the test driver): no latency totals. */
    virDomainBlockStatsStruct bs;
    if (virDomainBlockStats(dom, target, &bs, sizeof(bs)) == 0) {
        d->rd_reqs = bs.rd_req > 0 ? (uint64_t)bs.rd_req : 0;
        d->wr_reqs = bs.wr_req > 0 ? (uint64_t)bs.wr_req : 0;
        d->rd_bytes = bs.rd_bytes > 0 ? (uint64_t)bs.rd_bytes : 0;
        d->wr_bytes = bs.wr_bytes > 0 ? (uint64_t)bs.wr_bytes : 0;
    }
}

static void read_disks(virDomainPtr dom, virDomainStatsRecordPtr rec, bool active,
                       struct vm_row *row)
{
    size_t n = row->def.n_disks;
    if (!n)
        return;
    row->disks = calloc(n, sizeof(*row->disks));
    if (!row->disks)
        return;
    unsigned count = 0;
    stat_uint(rec, "block.count", &count);
    for (size_t i = 0; i < n; i++) {
        const struct vm_disk_def *dd = &row->def.disks[i];
        struct vm_disk *d = &row->disks[i];
        d->capacity = d->allocation = UINT64_MAX;
        d->mount = mount_point_of(dd->file);

        /* The bulk answer numbers disks; find ours by target name. */
        int b = -1;
        for (unsigned k = 0; k < count && b < 0; k++) {
            char key[64];
            const char *name = NULL;
            snprintf(key, sizeof(key), "block.%u.name", k);
            if (virTypedParamsGetString(rec->params, rec->nparams, key, &name) == 1 && name &&
                dd->target && strcmp(name, dd->target) == 0)
                b = (int)k;
        }
        bool have_io = false;
        if (b >= 0) {
            char key[64];
#define BULK(field, var)                                                                           \
    (snprintf(key, sizeof(key), "block.%d." field, b), stat_ull(rec, key, &(var)))
            have_io = BULK("rd.reqs", d->rd_reqs);
            BULK("wr.reqs", d->wr_reqs);
            BULK("rd.bytes", d->rd_bytes);
            BULK("wr.bytes", d->wr_bytes);
            BULK("rd.times", d->rd_time_ns);
            BULK("wr.times", d->wr_time_ns);
            BULK("capacity", d->capacity);
            BULK("allocation", d->allocation);
#undef BULK
        }
        if (active && !have_io && dd->target)
            block_stats(dom, dd->target, d);
        /* The bulk "allocation" of a running VM is the highest offset
         * written, not the host space an image file takes: for files (and
         * whatever the bulk answer lacked) ask for what domblkinfo shows. */
        if ((d->capacity == UINT64_MAX || dd->file) && dd->target) {
            virDomainBlockInfo info;
            if (virDomainGetBlockInfo(dom, dd->target, &info, 0) == 0) {
                if (d->capacity == UINT64_MAX)
                    d->capacity = info.capacity;
                d->allocation = info.allocation;
            }
        }
        /* RFC 7666: for block and raw sources the allocated size is the
         * defined size. */
        if (dd->source_type == VM_SRC_BLOCK || dd->source_type == VM_SRC_RAW)
            d->allocation = d->capacity;
    }
}

/* ---- NICs ---- */

static int32_t ifindex_of(const char *dev)
{
    if (!dev || !*dev)
        return 0;
    unsigned idx = if_nametoindex(dev);
    return idx > INT32_MAX ? 0 : (int32_t)idx;
}

/* The parent of an existing host-side device: the bridge it is enslaved
 * to (sysfs "master"), else the link it sits on (macvtap: "iflink"), else 0. */
static int32_t parent_of(const char *dev, int32_t self)
{
    char path[PATH_MAX], link[PATH_MAX];
    snprintf(path, sizeof(path), "/sys/class/net/%s/master", dev);
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *base = strrchr(link, '/');
        return ifindex_of(base ? base + 1 : link);
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", dev);
    FILE *f = fopen(path, "r");
    long iflink = 0;
    if (f) {
        if (fscanf(f, "%ld", &iflink) != 1)
            iflink = 0;
        fclose(f);
    }
    return iflink > 0 && iflink <= INT32_MAX && iflink != self ? (int32_t)iflink : 0;
}

static void read_nics(virConnectPtr conn, bool active, struct vm_row *row)
{
    size_t n = row->def.n_nics;
    if (!n)
        return;
    row->nics = calloc(n, sizeof(*row->nics));
    if (!row->nics)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct vm_nic_def *nd = &row->def.nics[i];
        struct vm_nic *ni = &row->nics[i];
        /* The host-side device exists only while the VM runs (the test
         * driver even names one in inactive definitions). */
        ni->ifindex = active ? ifindex_of(nd->target) : 0;
        if (ni->ifindex) {
            /* The live device says where it is attached now. */
            ni->parent = parent_of(nd->target, ni->ifindex);
            continue;
        }
        /* No device (VM not running): where the definition attaches it. */
        if (!nd->type || !nd->source)
            continue;
        if (strcmp(nd->type, "bridge") == 0 || strcmp(nd->type, "direct") == 0) {
            ni->parent = ifindex_of(nd->source);
        } else if (strcmp(nd->type, "network") == 0) {
            virNetworkPtr net = virNetworkLookupByName(conn, nd->source);
            if (net) {
                char *br = virNetworkGetBridgeName(net);
                ni->parent = ifindex_of(br);
                free(br);
                virNetworkFree(net);
            }
        }
    }
}

/* ---- one domain ---- */

/* 0, 1 when the domain vanished meanwhile (skip it), or -1 when libvirt
 * failed for this domain (row marked stale, values carried over later). */
static int read_domain(virConnectPtr conn, struct vm_def_cache *cache, const struct bulk *b,
                       virDomainPtr dom, size_t maplen, struct vm_row *row)
{
    if (virDomainGetUUID(dom, row->uuid) < 0)
        return 1;
    const char *name = virDomainGetName(dom);
    row->name = strdup(name ? name : "");
    virDomainStatsRecordPtr rec = bulk_find(b, row->uuid);

    int state = 0, reason = 0;
    row->read_ms = vm_now_boot_ms();
    if (!stat_int(rec, "state.state", &state) || !stat_int(rec, "state.reason", &reason)) {
        if (virDomainGetState(dom, &state, &reason, 0) < 0)
            goto failed;
    } else {
        row->read_ms = b->read_ms; /* the bulk answer's time */
    }
    /* Active from the state just read (the id the listing carried may be
     * older); a crashed domain is active only if libvirt preserved it. */
    bool active = state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_NOSTATE &&
                  (state != VIR_DOMAIN_CRASHED || virDomainGetID(dom) != (unsigned int)-1);

    uint64_t cur_kib = 0, max_kib = 0, cpu_ns = 0;
    unsigned vcur = 0, vmax = 0;
    bool bulk_ok = stat_ull(rec, "balloon.current", &cur_kib) &&
                   stat_ull(rec, "balloon.maximum", &max_kib) &&
                   stat_uint(rec, "vcpu.current", &vcur) && stat_uint(rec, "vcpu.maximum", &vmax) &&
                   (!active || stat_ull(rec, "cpu.time", &cpu_ns));
    if (bulk_ok) {
        row->cur_mem_kib = cur_kib;
        row->max_mem_kib = max_kib;
        row->cur_cpu = (int32_t)vcur;
        row->max_cpu = (int32_t)vmax;
        row->cpu_time_ns = active ? cpu_ns : 0;
    } else {
        virDomainInfo info;
        if (virDomainGetInfo(dom, &info) < 0)
            goto failed;
        row->cur_mem_kib = info.memory;
        row->max_mem_kib = info.maxMem;
        row->cur_cpu = info.nrVirtCpu;
        row->cpu_time_ns = active ? info.cpuTime : 0;
        unsigned flags =
            VIR_DOMAIN_VCPU_MAXIMUM | (active ? VIR_DOMAIN_AFFECT_LIVE : VIR_DOMAIN_AFFECT_CONFIG);
        int maxv = virDomainGetVcpusFlags(dom, flags);
        row->max_cpu = maxv > 0 ? maxv : -1;
    }

    row->lv_state = state;
    row->lv_reason = reason;
    row->has_managed_save = !active && virDomainHasManagedSaveImage(dom, 0) == 1;
    row->oper = vm_oper_from_libvirt(state, reason, row->has_managed_save);
    /* A VM that is not running has used no CPU since it stopped (RFC 7666
     * allows the discontinuity); never show a stale running figure. */
    if (!vm_oper_is_active(row->oper))
        row->cpu_time_ns = 0;
    row->admin = vm_admin_from_oper(row->oper, 0);

    int autostart = 0;
    if (virDomainGetAutostart(dom, &autostart) < 0)
        row->autostart = VM_AUTOSTART_UNKNOWN;
    else
        row->autostart = autostart ? VM_AUTOSTART_ENABLED : VM_AUTOSTART_DISABLED;
    int persistent = virDomainIsPersistent(dom);
    row->persistent = persistent == 1   ? VM_PERSIST_PERSISTENT
                      : persistent == 0 ? VM_PERSIST_TRANSIENT
                                        : VM_PERSIST_UNKNOWN;

    const struct vm_def *def = domain_def(cache, dom, row->uuid, active);
    if (def && vm_def_copy(&row->def, def) != 0)
        goto failed;
    if (!row->def.os_type && !(row->def.os_type = strdup("")))
        goto failed;

    if (active && read_vcpus(dom, rec, maplen, row) != 0) {
        /* No vCPU rows this round for this VM; the rest of it is fresh. */
        row->n_vcpus = 0;
    }
    read_disks(dom, rec, active, row);
    read_nics(conn, active, row);
    return 0;

failed : {
    virErrorPtr err = virGetLastError();
    if (err && err->code == VIR_ERR_NO_DOMAIN)
        return 1;
    row->stale = true;
    return -1;
}
}

/* Number of host CPUs libvirt knows. */
static int host_cpu_count(virConnectPtr conn)
{
    int n = virNodeGetCPUMap(conn, NULL, NULL, 0);
    if (n > 0)
        return n;
    virNodeInfo ni;
    if (virNodeGetInfo(conn, &ni) == 0 && ni.cpus > 0)
        return (int)ni.cpus;
    return 0;
}

int vm_collect(virConnectPtr conn, struct vm_def_cache *cache, struct vm_snapshot *s)
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

    struct bulk b;
    bulk_load(conn, &b);

    s->rows = calloc((size_t)n + 1, sizeof(*s->rows));
    if (!s->rows) {
        for (int i = 0; i < n; i++)
            virDomainFree(doms[i]);
        free(doms);
        bulk_free(&b);
        s->error = strdup("out of memory");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        struct vm_row *row = &s->rows[s->count];
        if (read_domain(conn, cache, &b, doms[i], s->cpumap_len, row) == 1)
            vm_row_clear(row);
        else
            s->count++;
        virDomainFree(doms[i]);
    }
    free(doms);
    bulk_free(&b);
    cache_sweep(cache);
    return 0;
}
