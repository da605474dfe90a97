#include "storagetable.h"

#include <stdlib.h>

#include "../model/units.h"
#include "hostres.h"
#include "oids.h"
#include "table.h"

static struct table storage_table;
static const struct view *current;
static int32_t *parents; /* hrStorageIndex of each of the view's mount points */

void storagetable_publish(const struct view *v)
{
    current = v;
    free(parents);
    parents = NULL;
    if (!v || !v->n_mounts || !(parents = calloc(v->n_mounts, sizeof(*parents))))
        return;
    /* Pointers into this agent's hrStorageTable only for a local hypervisor. */
    for (size_t i = 0; v->snap->local && i < v->n_mounts; i++)
        parents[i] = hostres_storage_index(v->mounts[i]);
}

static bool storage_find(const oid *idx, size_t len, bool next, struct table_row *row, oid *out,
                         size_t *out_len)
{
    return current && table_lookup(current->disks, current->n_disks, sizeof(*current->disks), 2,
                                   idx, len, next, row, out, out_len);
}

/* A size in the row's unit, or -1 when unknown. */
static long sized(uint64_t bytes, uint64_t unit)
{
    return bytes == UINT64_MAX ? -1 : (long)units_in(bytes, unit);
}

static void counter_column(const struct snapshot_disk *d, unsigned column, netsnmp_request_info *r)
{
    const uint64_t values[] = {
        [OIDS_STORAGE_READ_IOS - OIDS_STORAGE_READ_IOS] = d->rd_reqs,
        [OIDS_STORAGE_WRITE_IOS - OIDS_STORAGE_READ_IOS] = d->wr_reqs,
        [OIDS_STORAGE_READ_OCTETS - OIDS_STORAGE_READ_IOS] = d->rd_bytes,
        [OIDS_STORAGE_WRITE_OCTETS - OIDS_STORAGE_READ_IOS] = d->wr_bytes,
        /* libvirt counts nanoseconds; the MIB wants microseconds. */
        [OIDS_STORAGE_READ_LATENCY - OIDS_STORAGE_READ_IOS] = d->rd_time_ns / 1000,
        [OIDS_STORAGE_WRITE_LATENCY - OIDS_STORAGE_READ_IOS] = d->wr_time_ns / 1000,
    };
    table_set_counter64(r, values[column - OIDS_STORAGE_READ_IOS]);
}

static void size_column(const struct snapshot_disk *d, unsigned column, netsnmp_request_info *r)
{
    uint64_t sizes[2] = {d->capacity, d->allocation};
    uint64_t unit = units_pick(sizes, 2, 1); /* libvirt counts bytes */
    if (column == OIDS_STORAGE_SIZE_UNIT)
        table_set_int(r, (long)unit);
    else if (column == OIDS_STORAGE_DEFINED_SIZE)
        table_set_int(r, sized(d->capacity, unit));
    else
        table_set_int(r, sized(d->allocation, unit));
}

static void storage_column(const struct table_row *tr, unsigned column, netsnmp_request_info *r)
{
    const struct view_disk *e = tr->entry;
    const struct domxml_disk *dd = e->def;
    switch (column) {
    case OIDS_STORAGE_PARENT:
        table_set_int(r, parents && e->disk->mount_id >= 0 ? parents[e->disk->mount_id] : 0);
        break;
    case OIDS_STORAGE_SOURCE_TYPE:
        table_set_int(r, dd->source_type);
        break;
    case OIDS_STORAGE_SOURCE_TYPE_STRING:
        table_set_string(r, dd->format);
        break;
    case OIDS_STORAGE_RESOURCE_ID:
        table_set_string(r, dd->resource);
        break;
    case OIDS_STORAGE_ACCESS:
        table_set_int(r, dd->access);
        break;
    case OIDS_STORAGE_MEDIA_TYPE:
        table_set_int(r, dd->media);
        break;
    case OIDS_STORAGE_MEDIA_TYPE_STRING:
        table_set_string(r, dd->bus);
        break;
    case OIDS_STORAGE_SIZE_UNIT:
    case OIDS_STORAGE_DEFINED_SIZE:
    case OIDS_STORAGE_ALLOCATED_SIZE:
        size_column(e->disk, column, r);
        break;
    default:
        counter_column(e->disk, column, r);
        break;
    }
}

int storagetable_register(void)
{
    static const oid base[] = {OIDS_OBJECTS, OIDS_STORAGE_TABLE};
    storage_table =
        (struct table){.name = "vmStorageTable", .find = storage_find, .column = storage_column};
    return table_register(&storage_table, base, OID_LENGTH(base), 2, OIDS_STORAGE_PARENT,
                          OIDS_STORAGE_WRITE_LATENCY);
}

void storagetable_unregister(void)
{
    table_unregister(&storage_table);
    free(parents);
    parents = NULL;
    current = NULL;
}
