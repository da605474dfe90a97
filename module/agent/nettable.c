#include "nettable.h"

#include "oids.h"
#include "table.h"

static struct table network_table;
static const struct view *current;

void nettable_publish(const struct view *v)
{
    current = v;
}

static bool network_find(const oid *idx, size_t len, bool next, struct table_row *row, oid *out,
                         size_t *out_len)
{
    return current && table_lookup(current->nics, current->n_nics, sizeof(*current->nics), 2, idx,
                                   len, next, row, out, out_len);
}

static void network_column(const struct table_row *tr, unsigned column, netsnmp_request_info *r)
{
    const struct view_nic *e = tr->entry;
    switch (column) {
    case OIDS_NETWORK_IFINDEX:
        table_set_int(r, e->nic->ifindex);
        break;
    case OIDS_NETWORK_PARENT:
        table_set_int(r, e->nic->parent);
        break;
    case OIDS_NETWORK_MODEL:
        table_set_string(r, e->def->model);
        break;
    default:
        /* PhysAddress: the 6 octets, or empty when the definition has none. */
        table_set_octets(r, e->def->mac, e->def->has_mac ? 6 : 0);
        break;
    }
}

int nettable_register(void)
{
    static const oid base[] = {OIDS_OBJECTS, OIDS_NETWORK_TABLE};
    network_table =
        (struct table){.name = "vmNetworkTable", .find = network_find, .column = network_column};
    return table_register(&network_table, base, OID_LENGTH(base), 2, OIDS_NETWORK_IFINDEX,
                          OIDS_NETWORK_PHYS_ADDRESS);
}

void nettable_unregister(void)
{
    table_unregister(&network_table);
    current = NULL;
}
