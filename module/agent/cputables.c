#include "cputables.h"

#include <stdlib.h>

#include "hostres.h"
#include "oids.h"
#include "set.h"
#include "table.h"

enum { AFFINITY_UNKNOWN = 0, AFFINITY_ENABLE = 1, AFFINITY_DISABLE = 2 };

/* A host CPU by its vmCpuPhysIndex, in ascending order. */
struct phys {
    uint32_t index;
    int cpu;
};

static struct table cpu_table, affinity_table;
static const struct view *current;
static struct phys *phys;
static size_t n_phys;

static int cmp_phys(const void *a, const void *b)
{
    const struct phys *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* hrDeviceIndex only when this agent's processors are the hypervisor's. */
static void load_phys(const struct snapshot *s)
{
    int ncpu = s->host_cpus > 0 ? s->host_cpus : 0;
    if ((size_t)ncpu != n_phys) {
        free(phys);
        phys = ncpu ? calloc((size_t)ncpu, sizeof(*phys)) : NULL;
        n_phys = phys ? (size_t)ncpu : 0;
    }
    hostres_refresh();
    bool use_hr = s->local && hostres_processors_match(ncpu);
    for (size_t c = 0; c < n_phys; c++)
        phys[c] = (struct phys){(uint32_t)hostres_processor_index((int)c, use_hr), (int)c};
    if (n_phys)
        qsort(phys, n_phys, sizeof(*phys), cmp_phys);
}

void cputables_publish(const struct view *v)
{
    current = v;
    if (v)
        load_phys(v->snap);
}

static bool cpu_find(const oid *idx, size_t len, bool next, struct table_row *row, oid *out,
                     size_t *out_len)
{
    return current && table_lookup(current->cpus, current->n_cpus, sizeof(*current->cpus), 2, idx,
                                   len, next, row, out, out_len);
}

static void cpu_column(const struct table_row *tr, unsigned column, netsnmp_request_info *r)
{
    const struct view_cpu *e = tr->entry;
    if (column == OIDS_CPU_CORE_TIME)
        table_set_counter64(r, e->vcpu->time_ns / 1000); /* libvirt: ns; the MIB: µs */
}

/* The first host CPU whose vmCpuPhysIndex is above `after` (all of them
 * when `all`), or NULL. */
static const struct phys *phys_after(oid after, bool all)
{
    size_t lo = 0, hi = n_phys;
    while (!all && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (phys[mid].index <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n_phys ? &phys[lo] : NULL;
}

static const struct phys *phys_exact(oid index)
{
    struct phys key = {(uint32_t)index, 0};
    return index <= UINT32_MAX ? bsearch(&key, phys, n_phys, sizeof(*phys), cmp_phys) : NULL;
}

/* GETNEXT: a later host CPU of the same vCPU, else the first of the next vCPU. */
static bool affinity_next(const oid *idx, size_t len, const struct view_cpu **c,
                          const struct phys **p)
{
    size_t klen = len < 2 ? len : 2;
    *c = len >= 2 ? view_lookup(current->cpus, current->n_cpus, sizeof(**c), 2, idx, 2, false)
                  : NULL;
    *p = *c ? phys_after(len > 2 ? idx[2] : 0, len == 2) : NULL;
    if (!*p) {
        *c = view_lookup(current->cpus, current->n_cpus, sizeof(**c), 2, idx, klen, true);
        *p = *c ? phys_after(0, true) : NULL;
    }
    return *c && *p;
}

static bool affinity_find(const oid *idx, size_t len, bool next, struct table_row *row, oid *out,
                          size_t *out_len)
{
    const struct view_cpu *c = NULL;
    const struct phys *p = NULL;
    if (!current || !n_phys)
        return false;
    if (next) {
        if (!affinity_next(idx, len, &c, &p))
            return false;
    } else {
        if (len != 3 || !(p = phys_exact(idx[2])) ||
            !(c = view_lookup(current->cpus, current->n_cpus, sizeof(*c), 2, idx, 2, false)))
            return false;
    }
    row->entry = c;
    row->aux = (uint32_t)p->cpu;
    out[0] = c->key[0];
    out[1] = c->key[1];
    out[2] = p->index;
    *out_len = 3;
    return true;
}

static void affinity_column(const struct table_row *tr, unsigned column, netsnmp_request_info *r)
{
    const struct view_cpu *e = tr->entry;
    if (column != OIDS_AFFINITY)
        return;
    if (!e->vcpu->cpumap)
        table_set_int(r, AFFINITY_UNKNOWN);
    else if (snapshot_cpumap_has(e->vcpu->cpumap, current->snap->cpumap_len, (int)tr->aux))
        table_set_int(r, AFFINITY_ENABLE);
    else
        table_set_int(r, AFFINITY_DISABLE);
}

int cputables_register(void)
{
    static const oid cpu_oid[] = {OIDS_OBJECTS, OIDS_CPU_TABLE};
    static const oid aff_oid[] = {OIDS_OBJECTS, OIDS_AFFINITY_TABLE};
    cpu_table = (struct table){.name = "vmCpuTable", .find = cpu_find, .column = cpu_column};
    affinity_table = (struct table){.name = "vmCpuAffinityTable",
                                    .find = affinity_find,
                                    .column = affinity_column,
                                    .set = set_affinity};
    int rc = table_register(&cpu_table, cpu_oid, OID_LENGTH(cpu_oid), 2, OIDS_CPU_CORE_TIME,
                            OIDS_CPU_CORE_TIME);
    rc |= table_register(&affinity_table, aff_oid, OID_LENGTH(aff_oid), 3, OIDS_AFFINITY,
                         OIDS_AFFINITY);
    return rc;
}

void cputables_unregister(void)
{
    table_unregister(&cpu_table);
    table_unregister(&affinity_table);
    free(phys);
    phys = NULL;
    n_phys = 0;
    current = NULL;
}
