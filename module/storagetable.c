/* vmStorageTable (vmObjects 7): one row per disk a VM defines, active or not. */
#include "vmmib.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

enum {
    COL_PARENT = 3,
    COL_SOURCE_TYPE,
    COL_SOURCE_TYPE_STRING,
    COL_RESOURCE_ID,
    COL_ACCESS,
    COL_MEDIA_TYPE,
    COL_MEDIA_TYPE_STRING,
    COL_SIZE_UNIT,
    COL_DEFINED_SIZE,
    COL_ALLOCATED_SIZE,
    COL_READ_IOS,
    COL_WRITE_IOS,
    COL_READ_OCTETS,
    COL_WRITE_OCTETS,
    COL_READ_LATENCY,
    COL_WRITE_LATENCY,
};

struct storage_row {
    const struct vm_disk_def *def;
    const struct vm_disk *disk;
};

static struct vt_table storage_table;
static struct storage_row *rows;

/* A size in the row's unit, or -1 when unknown. */
static long sized(uint64_t bytes, uint64_t unit)
{
    return bytes == UINT64_MAX ? -1 : (long)vm_in_unit(bytes, unit);
}

static void storage_column(const void *p, unsigned column, netsnmp_request_info *r)
{
    const struct storage_row *row = p;
    const struct vm_disk_def *dd = row->def;
    const struct vm_disk *d = row->disk;
    uint64_t sizes[2] = {d->capacity, d->allocation};
    uint64_t unit = vm_pick_unit(sizes, 2, 1); /* libvirt counts bytes */

    switch (column) {
    case COL_PARENT:
        vt_set_int(r, d->parent);
        break;
    case COL_SOURCE_TYPE:
        vt_set_int(r, dd->source_type);
        break;
    case COL_SOURCE_TYPE_STRING:
        vt_set_string(r, dd->format);
        break;
    case COL_RESOURCE_ID:
        vt_set_string(r, dd->resource);
        break;
    case COL_ACCESS:
        vt_set_int(r, dd->access);
        break;
    case COL_MEDIA_TYPE:
        vt_set_int(r, dd->media);
        break;
    case COL_MEDIA_TYPE_STRING:
        vt_set_string(r, dd->bus);
        break;
    case COL_SIZE_UNIT:
        vt_set_int(r, (long)unit);
        break;
    case COL_DEFINED_SIZE:
        vt_set_int(r, sized(d->capacity, unit));
        break;
    case COL_ALLOCATED_SIZE:
        vt_set_int(r, sized(d->allocation, unit));
        break;
    case COL_READ_IOS:
        vt_set_counter64(r, d->rd_reqs);
        break;
    case COL_WRITE_IOS:
        vt_set_counter64(r, d->wr_reqs);
        break;
    case COL_READ_OCTETS:
        vt_set_counter64(r, d->rd_bytes);
        break;
    case COL_WRITE_OCTETS:
        vt_set_counter64(r, d->wr_bytes);
        break;
    case COL_READ_LATENCY:
        vt_set_counter64(r, d->rd_time_ns / 1000); /* ns -> µs */
        break;
    case COL_WRITE_LATENCY:
        vt_set_counter64(r, d->wr_time_ns / 1000);
        break;
    default:
        netsnmp_request_set_error(r, SNMP_NOSUCHOBJECT);
    }
}

int vmmib_storagetable_register(void)
{
    static const oid base[] = {VMMIB_OID, 1, 7};
    return vt_register(&storage_table, "vmStorageTable", base, OID_LENGTH(base), 2, COL_PARENT,
                       COL_WRITE_LATENCY, storage_column);
}

void vmmib_storagetable_unregister(void)
{
    vt_unregister(&storage_table);
    free(rows);
    rows = NULL;
}

static int cmp_by_index(const void *a, const void *b)
{
    const struct storage_row *x = a, *y = b;
    return (x->disk->index > y->disk->index) - (x->disk->index < y->disk->index);
}

void vmmib_storagetable_load(const struct vm_snapshot *s)
{
    vt_begin(&storage_table);
    free(rows);
    rows = NULL;
    size_t total = 0;
    for (size_t i = 0; i < s->count; i++)
        if (s->rows[i].disks)
            total += s->rows[i].def.n_disks;
    if (total && !(rows = calloc(total, sizeof(*rows)))) {
        vt_end(&storage_table);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->count; i++) {
        const struct vm_row *vm = &s->rows[i];
        if (!vm->disks)
            continue;
        size_t first = k;
        for (size_t j = 0; j < vm->def.n_disks; j++) {
            rows[k].def = &vm->def.disks[j];
            rows[k].disk = &vm->disks[j];
            k++;
        }
        qsort(&rows[first], k - first, sizeof(*rows), cmp_by_index);
        for (size_t j = first; j < k; j++) {
            oid idx[2] = {(oid)vm->index, (oid)rows[j].disk->index};
            vt_add(&storage_table, idx, 2, &rows[j]);
        }
    }
    vt_end(&storage_table);
}
