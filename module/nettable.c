/* vmNetworkTable (vmObjects 8): one row per NIC a VM defines. */
#include "vmmib.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

enum { COL_IFINDEX = 2, COL_PARENT, COL_MODEL, COL_PHYS_ADDRESS };

struct network_row {
    const struct vm_nic_def *def;
    const struct vm_nic *nic;
};

static struct vt_table network_table;
static struct network_row *rows;

static void network_column(const void *p, unsigned column, netsnmp_request_info *r)
{
    const struct network_row *row = p;
    switch (column) {
    case COL_IFINDEX:
        snmp_set_var_typed_integer(r->requestvb, ASN_INTEGER, row->nic->ifindex);
        break;
    case COL_PARENT:
        snmp_set_var_typed_integer(r->requestvb, ASN_INTEGER, row->nic->parent);
        break;
    case COL_MODEL: {
        const char *m = row->def->model ? row->def->model : "";
        size_t n = strlen(m) > 255 ? 255 : strlen(m);
        snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, m, n);
        break;
    }
    case COL_PHYS_ADDRESS:
        /* PhysAddress: the 6 octets, or empty when the definition has none. */
        snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, row->def->mac,
                                 row->def->has_mac ? 6 : 0);
        break;
    default:
        netsnmp_request_set_error(r, SNMP_NOSUCHOBJECT);
    }
}

int vmmib_nettable_register(void)
{
    static const oid base[] = {VMMIB_OID, 1, 8};
    return vt_register(&network_table, "vmNetworkTable", base, OID_LENGTH(base), 2, COL_IFINDEX,
                       COL_PHYS_ADDRESS, network_column);
}

void vmmib_nettable_unregister(void)
{
    vt_unregister(&network_table);
    free(rows);
    rows = NULL;
}

static int cmp_by_index(const void *a, const void *b)
{
    const struct network_row *x = a, *y = b;
    return (x->nic->index > y->nic->index) - (x->nic->index < y->nic->index);
}

void vmmib_nettable_load(const struct vm_snapshot *s)
{
    vt_begin(&network_table);
    free(rows);
    rows = NULL;
    size_t total = 0;
    for (size_t i = 0; i < s->count; i++)
        if (s->rows[i].nics)
            total += s->rows[i].def.n_nics;
    if (total && !(rows = calloc(total, sizeof(*rows)))) {
        vt_end(&network_table);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->count; i++) {
        const struct vm_row *vm = &s->rows[i];
        if (!vm->nics)
            continue;
        size_t first = k;
        for (size_t j = 0; j < vm->def.n_nics; j++) {
            rows[k].def = &vm->def.nics[j];
            rows[k].nic = &vm->nics[j];
            k++;
        }
        qsort(&rows[first], k - first, sizeof(*rows), cmp_by_index);
        for (size_t j = first; j < k; j++) {
            oid idx[2] = {(oid)vm->index, (oid)rows[j].nic->index};
            vt_add(&network_table, idx, 2, &rows[j]);
        }
    }
    vt_end(&network_table);
}
