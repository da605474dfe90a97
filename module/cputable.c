/* vmCpuTable (vmObjects 5) and vmCpuAffinityTable (vmObjects 6): one row
 * per online vCPU of an active VM, and for each of those one row per host
 * CPU saying whether the vCPU may run there. */
#include "vmmib.h"
#include "hostres.h"
#include "table.h"
#include "control.h"

#include <stdlib.h>
#include <string.h>

enum { COL_CPU_CORE_TIME = 2 };
enum { COL_AFFINITY = 3 };
enum { AFFINITY_UNKNOWN = 0, AFFINITY_ENABLE = 1, AFFINITY_DISABLE = 2 };

static struct vt_table cpu_table, affinity_table;
static struct vmmib_affinity_ref *affinity_rows;

static void cpu_column(const void *p, unsigned column, netsnmp_request_info *r)
{
    const struct vm_vcpu *v = p;
    if (column == COL_CPU_CORE_TIME)
        vt_set_counter64(r, v->time_ns / 1000); /* libvirt: ns; the MIB: µs */
    else
        netsnmp_request_set_error(r, SNMP_NOSUCHOBJECT);
}

static void affinity_column(const void *p, unsigned column, netsnmp_request_info *r)
{
    const struct vmmib_affinity_ref *a = p;
    if (column == COL_AFFINITY)
        snmp_set_var_typed_integer(r->requestvb, ASN_INTEGER, a->value);
    else
        netsnmp_request_set_error(r, SNMP_NOSUCHOBJECT);
}

int vmmib_cputables_register(void)
{
    static const oid cpu_oid[] = {VMMIB_OID, 1, 5};
    static const oid aff_oid[] = {VMMIB_OID, 1, 6};
    int rc = vt_register(&cpu_table, "vmCpuTable", cpu_oid, OID_LENGTH(cpu_oid), 2,
                         COL_CPU_CORE_TIME, COL_CPU_CORE_TIME, cpu_column);
    rc |= vt_register(&affinity_table, "vmCpuAffinityTable", aff_oid, OID_LENGTH(aff_oid), 3,
                      COL_AFFINITY, COL_AFFINITY, affinity_column);
    vt_set_handler(&affinity_table, vmmib_control_affinity_set);
    return rc;
}

void vmmib_cputables_unregister(void)
{
    vt_unregister(&cpu_table);
    vt_unregister(&affinity_table);
    free(affinity_rows);
    affinity_rows = NULL;
}

/* Host CPUs in ascending hrDeviceIndex order (for GETNEXT order). */
struct phys {
    int cpu;
    int32_t index;
};

static int cmp_phys(const void *a, const void *b)
{
    const struct phys *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

void vmmib_cputables_load(const struct vm_snapshot *s)
{
    vt_begin(&cpu_table);
    vt_begin(&affinity_table);
    free(affinity_rows);
    affinity_rows = NULL;

    size_t n_aff = 0;
    for (size_t i = 0; i < s->count; i++)
        n_aff += s->rows[i].n_vcpus;
    int ncpu = s->host_cpus > 0 ? s->host_cpus : 0;
    struct phys *phys = ncpu ? calloc((size_t)ncpu, sizeof(*phys)) : NULL;
    if (ncpu && phys && n_aff)
        affinity_rows = calloc(n_aff * (size_t)ncpu, sizeof(*affinity_rows));
    if (phys) {
        /* hrDeviceIndex only when this agent's processors are the hypervisor's. */
        bool use_hr = s->local && vm_hr_processors_match(ncpu);
        for (int c = 0; c < ncpu; c++) {
            phys[c].cpu = c;
            phys[c].index = vm_hr_processor_index(c, use_hr);
        }
        qsort(phys, (size_t)ncpu, sizeof(*phys), cmp_phys);
    }

    size_t k = 0;
    for (size_t i = 0; i < s->count; i++) {
        const struct vm_row *row = &s->rows[i];
        for (size_t j = 0; j < row->n_vcpus; j++) {
            const struct vm_vcpu *v = &row->vcpus[j];
            oid idx[3] = {(oid)row->index, (oid)v->number + 1, 0};
            vt_add(&cpu_table, idx, 2, v);
            if (!affinity_rows)
                continue;
            for (int c = 0; c < ncpu; c++) {
                struct vmmib_affinity_ref *a = &affinity_rows[k++];
                a->vm_index = row->index;
                memcpy(a->uuid, row->uuid, 16);
                a->vm_name = row->name;
                a->vcpu = v;
                a->cpu = phys[c].cpu;
                if (!v->cpumap)
                    a->value = AFFINITY_UNKNOWN;
                else
                    a->value = vm_cpumap_has(v->cpumap, s->cpumap_len, phys[c].cpu)
                                   ? AFFINITY_ENABLE
                                   : AFFINITY_DISABLE;
                idx[2] = (oid)phys[c].index;
                vt_add(&affinity_table, idx, 3, a);
            }
        }
    }
    free(phys);
    vt_end(&cpu_table);
    vt_end(&affinity_table);
}
