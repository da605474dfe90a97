#include "table.h"

#include "../model/text.h"
#include "../model/view.h"

/* The view's keys are compared with Net-SNMP's subids directly. */
_Static_assert(sizeof(oid) == sizeof(unsigned long), "oid is an unsigned long");

static void get(struct table *t, netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r,
                netsnmp_table_request_info *ti)
{
    struct table_row row;
    oid out[TABLE_MAX_INDEX];
    size_t out_len;
    if (!t->find(ti->index_oid, ti->index_oid_len, false, &row, out, &out_len)) {
        netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
        return;
    }
    t->column(&row, ti->colnum, r);
}

static void getnext(struct table *t, netsnmp_handler_registration *reginfo,
                    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r,
                    netsnmp_table_request_info *ti)
{
    struct table_row row;
    oid out[TABLE_MAX_INDEX];
    size_t out_len;
    bool found = t->find(ti->index_oid, ti->index_oid_len, true, &row, out, &out_len);
    if (!found) {
        /* The end of this column: the first row of the next one. */
        oid next_col = netsnmp_table_next_column(ti);
        if (next_col) {
            ti->colnum = (unsigned)next_col;
            found = t->find(NULL, 0, true, &row, out, &out_len);
        }
    }
    if (!found) {
        /* Not an error: the agent moves on to the next subtree. */
        netsnmp_set_request_error(reqinfo, r, SNMP_ENDOFMIBVIEW);
        return;
    }
    memcpy(ti->index_oid, out, out_len * sizeof(oid));
    ti->index_oid_len = out_len;
    netsnmp_table_build_oid_from_index(reginfo, r, ti);
    t->column(&row, ti->colnum, r);
}

static void set(struct table *t, netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r,
                netsnmp_table_request_info *ti, netsnmp_request_info *all)
{
    if (!t->set) {
        if (reqinfo->mode == MODE_SET_RESERVE1)
            netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
        return;
    }
    struct table_row row;
    oid out[TABLE_MAX_INDEX];
    size_t out_len;
    bool found = t->find(ti->index_oid, ti->index_oid_len, false, &row, out, &out_len);
    t->set(found ? &row : NULL, ti->colnum, r, reqinfo, all);
}

static int table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                         netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    struct table *t = handler->myvoid;
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
        if (r->processed || !ti)
            continue;
        switch (reqinfo->mode) {
        case MODE_GET:
            get(t, reqinfo, r, ti);
            break;
        case MODE_GETNEXT:
        case MODE_GETBULK:
            getnext(t, reginfo, reqinfo, r, ti);
            break;
        default:
            set(t, reqinfo, r, ti, requests);
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

int table_register(struct table *t, const oid *base, size_t base_len, unsigned n_index,
                   unsigned min_col, unsigned max_col)
{
    netsnmp_table_registration_info *tinfo = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
    netsnmp_mib_handler *h = netsnmp_create_handler(t->name, table_handler);
    if (!tinfo || !h) {
        free(tinfo);
        if (h)
            netsnmp_handler_free(h);
        snmp_log(LOG_ERR, "vmmib: out of memory registering %s\n", t->name);
        return -1;
    }
    for (unsigned i = 0; i < n_index; i++)
        netsnmp_table_helper_add_index(tinfo, ASN_INTEGER);
    tinfo->min_column = min_col;
    tinfo->max_column = max_col;
    h->myvoid = t;
    t->tinfo = tinfo;
    /* Read-write: SETs reach the handler, which answers notWritable unless
     * the table has a SET function (control mode). */
    t->reg = netsnmp_handler_registration_create(t->name, h, base, base_len, HANDLER_CAN_RWRITE);
    if (!t->reg) {
        netsnmp_handler_free(h);
        netsnmp_table_registration_info_free(tinfo);
        t->tinfo = NULL;
        return -1;
    }
    if (netsnmp_register_table(t->reg, tinfo) != MIB_REGISTERED_OK) {
        /* Net-SNMP has released the registration, not the table info. */
        t->reg = NULL;
        netsnmp_table_registration_info_free(tinfo);
        t->tinfo = NULL;
        snmp_log(LOG_ERR, "vmmib: cannot register %s\n", t->name);
        return -1;
    }
    return 0;
}

void table_unregister(struct table *t)
{
    if (t->reg)
        netsnmp_unregister_handler(t->reg);
    if (t->tinfo)
        netsnmp_table_registration_info_free(t->tinfo);
    t->reg = NULL;
    t->tinfo = NULL;
}

bool table_lookup(const void *base, size_t n, size_t size, size_t nkeys, const oid *idx, size_t len,
                  bool next, struct table_row *row, oid *out, size_t *out_len)
{
    const uint32_t *key = view_lookup(base, n, size, nkeys, idx, len, next);
    if (!key)
        return false;
    row->entry = key;
    row->aux = 0;
    for (size_t i = 0; i < nkeys; i++)
        out[i] = key[i];
    *out_len = nkeys;
    return true;
}

void table_set_string(netsnmp_request_info *r, const char *s)
{
    snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, s ? s : "", text_admin_len(s));
}

void table_set_octets(netsnmp_request_info *r, const void *p, size_t len)
{
    snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, p, len);
}

void table_set_int(netsnmp_request_info *r, long v)
{
    snmp_set_var_typed_integer(r->requestvb, ASN_INTEGER, v);
}

void table_set_counter64(netsnmp_request_info *r, uint64_t v)
{
    struct counter64 c = {.high = (u_long)(v >> 32), .low = (u_long)(v & 0xffffffffu)};
    snmp_set_var_typed_value(r->requestvb, ASN_COUNTER64, &c, sizeof(c));
}

void table_set_ticks(netsnmp_request_info *r, uint32_t centiseconds)
{
    snmp_set_var_typed_value(r->requestvb, ASN_TIMETICKS, &centiseconds, sizeof(centiseconds));
}
