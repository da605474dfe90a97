#include "vmtable.h"

#include "../model/state.h"
#include "../model/units.h"
#include "../model/vmtime.h"
#include "../model/admin.h"
#include "oids.h"
#include "set.h"
#include "table.h"

static struct table vm_table;
static const struct view *current;

void vmtable_publish(const struct view *v)
{
    current = v;
}

static bool vm_find(const oid *idx, size_t len, bool next, struct table_row *row, oid *out,
                    size_t *out_len)
{
    return current && table_lookup(current->vms, current->n_vms, sizeof(*current->vms), 1, idx, len,
                                   next, row, out, out_len);
}

/* vmUpTime: since vmmib saw the VM start; also while libvirt is away. */
static uint32_t uptime_cs(const struct snapshot_row *row)
{
    bool counting = state_is_active(row->oper) || row->oper == STATE_OPER_UNKNOWN;
    if (row->started <= 0 || !counting)
        return 0;
    int64_t secs = vmtime_wall_s() - row->started;
    if (secs <= 0)
        return 0;
    return secs >= UINT32_MAX / 100 ? UINT32_MAX : (uint32_t)(secs * 100);
}

/* Memory: libvirt counts KiB; the unit is per row so that a VM of any size
 * fits an Integer32 (3 TiB reads 3145728 with a MiB unit). */
static void memory_column(const struct snapshot_row *row, unsigned column, netsnmp_request_info *r)
{
    uint64_t unit = admin_mem_unit(row);
    switch (column) {
    case OIDS_VM_MEM_UNIT:
        table_set_int(r, (long)unit);
        break;
    case OIDS_VM_CUR_MEM:
        table_set_int(r, units_in(row->cur_mem_kib * 1024, unit));
        break;
    case OIDS_VM_MIN_MEM:
        table_set_int(r, -1); /* libvirt defines no minimum: "no hard boundary" */
        break;
    default:
        table_set_int(r, units_in(row->max_mem_kib * 1024, unit));
        break;
    }
}

static void cpu_column(const struct snapshot_row *row, unsigned column, netsnmp_request_info *r)
{
    switch (column) {
    case OIDS_VM_CUR_CPU:
        table_set_int(r, row->cur_cpu);
        break;
    case OIDS_VM_MIN_CPU:
        table_set_int(r, -1); /* libvirt has no lower bound: "no hard boundary" */
        break;
    case OIDS_VM_MAX_CPU:
        table_set_int(r, row->max_cpu);
        break;
    case OIDS_VM_UPTIME:
        table_set_ticks(r, uptime_cs(row));
        break;
    default:
        table_set_counter64(r, row->cpu_time_ns / 1000); /* libvirt: ns; the MIB: µs */
        break;
    }
}

static void vm_column(const struct table_row *tr, unsigned column, netsnmp_request_info *r)
{
    const struct snapshot_row *row = ((const struct view_vm *)tr->entry)->row;
    switch (column) {
    case OIDS_VM_NAME:
        table_set_string(r, row->name);
        break;
    case OIDS_VM_UUID:
        table_set_octets(r, row->uuid, 16);
        break;
    case OIDS_VM_OSTYPE:
        table_set_string(r, row->def.os_type);
        break;
    case OIDS_VM_ADMIN_STATE:
        table_set_int(r, row->admin);
        break;
    case OIDS_VM_OPER_STATE:
        table_set_int(r, row->oper);
        break;
    case OIDS_VM_AUTOSTART:
        table_set_int(r, row->autostart);
        break;
    case OIDS_VM_PERSISTENT:
        table_set_int(r, row->persistent);
        break;
    case OIDS_VM_MEM_UNIT:
    case OIDS_VM_CUR_MEM:
    case OIDS_VM_MIN_MEM:
    case OIDS_VM_MAX_MEM:
        memory_column(row, column, r);
        break;
    default:
        cpu_column(row, column, r);
        break;
    }
}

int vmtable_register(void)
{
    static const oid base[] = {OIDS_OBJECTS, OIDS_VM_TABLE};
    vm_table =
        (struct table){.name = "vmTable", .find = vm_find, .column = vm_column, .set = set_vm};
    return table_register(&vm_table, base, OID_LENGTH(base), 1, OIDS_VM_NAME, OIDS_VM_CPU_TIME);
}

void vmtable_unregister(void)
{
    table_unregister(&vm_table);
    current = NULL;
}
