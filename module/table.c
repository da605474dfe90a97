#include "table.h"

static int vt_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                      netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    struct vt_table *t = handler->myvoid;
    (void)reginfo;
    if (reqinfo->mode != MODE_GET) {
        for (netsnmp_request_info *r = requests; r; r = r->next) {
            if (r->processed)
                continue;
            netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
            struct vt_row_ref *ref = netsnmp_container_table_extract_context(r);
            if (!t->set || !ti) {
                if (reqinfo->mode == MODE_SET_RESERVE1)
                    netsnmp_set_request_error(reqinfo, r, SNMP_ERR_NOTWRITABLE);
                continue;
            }
            t->set(ref ? ref->row : NULL, ti->colnum, r, reqinfo, requests);
        }
        return SNMP_ERR_NOERROR;
    }

    for (netsnmp_request_info *r = requests; r; r = r->next) {
        if (r->processed)
            continue;
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
        struct vt_row_ref *ref = netsnmp_container_table_extract_context(r);
        if (!ti || !ref) {
            netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHINSTANCE);
            continue;
        }
        t->column(ref->row, ti->colnum, r);
    }
    return SNMP_ERR_NOERROR;
}

int vt_register(struct vt_table *t, const char *name, const oid *base, size_t base_len,
                unsigned n_index, unsigned min_col, unsigned max_col, vt_column_fn column)
{
    t->name = name;
    t->column = column;
    t->set = NULL;
    t->refs = NULL;
    t->count = t->cap = 0;
    t->tinfo = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
    t->container = netsnmp_container_find("table_container");
    if (!t->tinfo || !t->container)
        goto fail;
    t->container->container_name = strdup(name);
    for (unsigned i = 0; i < n_index; i++)
        netsnmp_table_helper_add_index(t->tinfo, ASN_INTEGER);
    t->tinfo->min_column = min_col;
    t->tinfo->max_column = max_col;

    netsnmp_mib_handler *h = netsnmp_create_handler(name, vt_handler);
    if (!h)
        goto fail;
    h->myvoid = t;
    /* Read-write registration: SETs reach vt_handler, which answers
     * notWritable unless the table has a SET handler (control mode). */
    t->reg = netsnmp_handler_registration_create(name, h, base, base_len, HANDLER_CAN_RWRITE);
    if (!t->reg) {
        netsnmp_handler_free(h);
        goto fail;
    }
    if (netsnmp_container_table_register(t->reg, t->tinfo, t->container,
                                         TABLE_CONTAINER_KEY_NETSNMP_INDEX) != MIB_REGISTERED_OK) {
        /* On failure Net-SNMP has already released the registration. */
        t->reg = NULL;
        t->container = NULL;
        t->tinfo = NULL;
        snmp_log(LOG_ERR, "vmmib: cannot register %s\n", name);
        return -1;
    }
    return 0;
fail:
    snmp_log(LOG_ERR, "vmmib: out of memory registering %s\n", name);
    if (t->container)
        CONTAINER_FREE(t->container);
    t->container = NULL;
    if (t->tinfo)
        netsnmp_table_registration_info_free(t->tinfo);
    t->tinfo = NULL;
    return -1;
}

void vt_unregister(struct vt_table *t)
{
    if (t->container)
        CONTAINER_CLEAR(t->container, NULL, NULL);
    if (t->reg)
        netsnmp_container_table_unregister(t->reg); /* frees the container too */
    if (t->tinfo)
        netsnmp_table_registration_info_free(t->tinfo);
    free(t->refs);
    memset(t, 0, sizeof(*t));
}

void vt_set_handler(struct vt_table *t, vt_set_fn fn)
{
    t->set = fn;
}

void vt_begin(struct vt_table *t)
{
    if (t->container)
        CONTAINER_CLEAR(t->container, NULL, NULL);
    t->count = 0;
}

int vt_add(struct vt_table *t, const oid *index, size_t n_index, const void *row)
{
    if (n_index > VT_MAX_INDEX)
        return -1;
    if (t->count == t->cap) {
        /* Growing moves the refs: they enter the container only in vt_end. */
        size_t ncap = t->cap ? t->cap * 2 : 32;
        struct vt_row_ref *n = realloc(t->refs, ncap * sizeof(*n));
        if (!n)
            return -1;
        t->refs = n;
        t->cap = ncap;
    }
    struct vt_row_ref *ref = &t->refs[t->count++];
    memcpy(ref->oids, index, n_index * sizeof(oid));
    ref->idx.len = n_index;
    ref->row = row;
    return 0;
}

void vt_end(struct vt_table *t)
{
    if (!t->container)
        return;
    for (size_t i = 0; i < t->count; i++) {
        t->refs[i].idx.oids = t->refs[i].oids;
        CONTAINER_INSERT(t->container, &t->refs[i]);
    }
}

void vt_set_string(netsnmp_request_info *r, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > 255)
        n = 255;
    snmp_set_var_typed_value(r->requestvb, ASN_OCTET_STR, s ? s : "", n);
}

void vt_set_int(netsnmp_request_info *r, long v)
{
    snmp_set_var_typed_integer(r->requestvb, ASN_INTEGER, v);
}

void vt_set_counter64(netsnmp_request_info *r, uint64_t v)
{
    struct counter64 c = {.high = (u_long)(v >> 32), .low = (u_long)(v & 0xffffffffu)};
    snmp_set_var_typed_value(r->requestvb, ASN_COUNTER64, &c, sizeof(c));
}

void vt_set_ticks(netsnmp_request_info *r, uint32_t centiseconds)
{
    snmp_set_var_typed_value(r->requestvb, ASN_TIMETICKS, &centiseconds, sizeof(centiseconds));
}
