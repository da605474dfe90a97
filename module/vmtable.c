/* vmTable (vmObjects 4): one row per domain, from the current snapshot. */
#include "vmmib.h"
#include "table.h"
#include "vmstate.h"
#include "control.h"

#include <string.h>

enum {
    COL_NAME = 2,
    COL_UUID,
    COL_OSTYPE,
    COL_ADMIN,
    COL_OPER,
    COL_AUTOSTART,
    COL_PERSISTENT,
    COL_CUR_CPU,
    COL_MIN_CPU,
    COL_MAX_CPU,
    COL_MEM_UNIT,
    COL_CUR_MEM,
    COL_MIN_MEM,
    COL_MAX_MEM,
    COL_UPTIME,
    COL_CPU_TIME,
};

static struct vt_table vm_table;

static void vm_column(const void *p, unsigned column, netsnmp_request_info *r)
{
    const struct vm_row *row = p;
    /* Memory: libvirt counts KiB; the unit is per row so that a VM of any
     * size fits Integer32 (3 TiB reads 3145728 with a MiB unit). */
    uint64_t mem[2] = {row->cur_mem_kib * 1024, row->max_mem_kib * 1024};
    uint64_t unit = vm_pick_unit(mem, 2, 1024);

    switch (column) {
    case COL_NAME:
        vt_set_string(r, row->name);
        break;
    case COL_UUID:
        snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, row->uuid, 16);
        break;
    case COL_OSTYPE:
        vt_set_string(r, row->def.os_type);
        break;
    case COL_ADMIN:
        /* While a SET's action runs, the state it asked for. */
        vt_set_int(r, vmmib_control_admin(row->index, row->admin));
        break;
    case COL_OPER:
        vt_set_int(r, row->oper);
        break;
    case COL_AUTOSTART:
        vt_set_int(r, row->autostart);
        break;
    case COL_PERSISTENT:
        vt_set_int(r, row->persistent);
        break;
    case COL_CUR_CPU:
        vt_set_int(r, row->cur_cpu);
        break;
    case COL_MIN_CPU:
        /* libvirt has no lower bound for vCPUs: "no hard boundary". */
        vt_set_int(r, -1);
        break;
    case COL_MAX_CPU:
        vt_set_int(r, row->max_cpu);
        break;
    case COL_MEM_UNIT:
        vt_set_int(r, (long)unit);
        break;
    case COL_CUR_MEM:
        vt_set_int(r, vm_in_unit(mem[0], unit));
        break;
    case COL_MIN_MEM:
        /* libvirt defines no minimum memory: "no hard boundary". */
        vt_set_int(r, -1);
        break;
    case COL_MAX_MEM:
        vt_set_int(r, vm_in_unit(mem[1], unit));
        break;
    case COL_UPTIME: {
        /* Since vmmib saw it start; also while libvirt is away (unknown). */
        uint32_t cs = 0;
        bool counting = vm_oper_is_active(row->oper) || row->oper == VM_OPER_UNKNOWN;
        if (row->started > 0 && counting) {
            int64_t secs = vm_now_wall_s() - row->started;
            cs = secs <= 0 ? 0 : secs >= UINT32_MAX / 100 ? UINT32_MAX : (uint32_t)(secs * 100);
        }
        vt_set_ticks(r, cs);
        break;
    }
    case COL_CPU_TIME:
        vt_set_counter64(r, row->cpu_time_ns / 1000); /* libvirt: ns; the MIB: µs */
        break;
    default:
        netsnmp_request_set_error(r, SNMP_NOSUCHOBJECT);
    }
}

int vmmib_vmtable_register(void)
{
    static const oid base[] = {VMMIB_OID, 1, 4};
    int rc = vt_register(&vm_table, "vmTable", base, OID_LENGTH(base), 1, COL_NAME, COL_CPU_TIME,
                         vm_column);
    vt_set_handler(&vm_table, vmmib_control_vm_set);
    return rc;
}

void vmmib_vmtable_unregister(void)
{
    vt_unregister(&vm_table);
}

void vmmib_vmtable_load(const struct vm_snapshot *s)
{
    vt_begin(&vm_table);
    for (size_t i = 0; i < s->count; i++) {
        oid idx = (oid)s->rows[i].index;
        vt_add(&vm_table, &idx, 1, &s->rows[i]);
    }
    vt_end(&vm_table);
}
