/* vmmibfloor: snmpd's own floor for `make bench`.
 *
 * A minimal dlmod that serves, with Net-SNMP's table_container helper (rows
 * in a sorted container, the helper finding them), tables of constant
 * values at the OIDs, with the indexes, value types and value sizes that
 * the bench read from a walk of VM-MIB.  Walking it costs what snmpd itself
 * costs per varbind; the bench compares vmmib's walk rate with it.
 *
 * snmpd.conf, after `dlmod vmmibfloor /abs/path/vmmibfloor.so`:
 *   floorScalar OID TYPE
 *   floorTable ENTRY_OID FIRST_COLUMN TYPE,TYPE,... INDEX_FILE
 * TYPE: i (INTEGER), t (TimeTicks), c (Counter64), o (an OID: 0.0) or sN
 * (an OCTET STRING of N bytes).  INDEX_FILE holds one row index a line
 * ("3.1.196608"), in any order. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLOOR_MAX_COLUMNS 32
#define FLOOR_MAX_TABLES 16
#define FLOOR_MAX_SCALARS 16

struct floor_value {
    u_char type;
    size_t len; /* octet strings */
};

struct floor_table {
    netsnmp_handler_registration *reg;
    netsnmp_container *rows;
    unsigned first_col, n_cols;
    struct floor_value cols[FLOOR_MAX_COLUMNS];
};

static struct floor_table tables[FLOOR_MAX_TABLES];
static int n_tables;
static netsnmp_handler_registration *scalar_regs[FLOOR_MAX_SCALARS];
static struct floor_value scalar_vals[FLOOR_MAX_SCALARS];
static int n_scalars;
static char filler[256];

static int parse_type(const char *s, struct floor_value *v)
{
    v->len = 0;
    switch (s[0]) {
    case 'i':
        v->type = ASN_INTEGER;
        return 0;
    case 't':
        v->type = ASN_TIMETICKS;
        return 0;
    case 'c':
        v->type = ASN_COUNTER64;
        return 0;
    case 'o':
        v->type = ASN_OBJECT_ID;
        return 0;
    case 's':
        v->type = ASN_OCTET_STR;
        v->len = strtoul(s + 1, NULL, 10);
        return v->len < sizeof(filler) ? 0 : -1;
    }
    return -1;
}

static void set_value(netsnmp_variable_list *vb, const struct floor_value *v)
{
    static const oid zero_dot_zero[] = {0, 0};
    struct counter64 c64 = {.high = 0, .low = 123456789};
    u_long ticks = 4242;
    switch (v->type) {
    case ASN_INTEGER:
        snmp_set_var_typed_integer(vb, ASN_INTEGER, 4);
        break;
    case ASN_TIMETICKS:
        snmp_set_var_typed_value(vb, ASN_TIMETICKS, &ticks, sizeof(ticks));
        break;
    case ASN_COUNTER64:
        snmp_set_var_typed_value(vb, ASN_COUNTER64, &c64, sizeof(c64));
        break;
    case ASN_OBJECT_ID:
        snmp_set_var_typed_value(vb, ASN_OBJECT_ID, zero_dot_zero, sizeof(zero_dot_zero));
        break;
    default:
        snmp_set_var_typed_value(vb, ASN_OCTET_STR, filler, v->len);
        break;
    }
}

static int floor_table_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                               netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)reginfo;
    struct floor_table *t = handler->myvoid;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    for (netsnmp_request_info *r = requests; r; r = r->next) {
        netsnmp_table_request_info *ti = netsnmp_extract_table_info(r);
        if (r->processed || !ti || !netsnmp_container_table_row_extract(r))
            continue;
        if (ti->colnum >= t->first_col && ti->colnum < t->first_col + t->n_cols)
            set_value(r->requestvb, &t->cols[ti->colnum - t->first_col]);
        else
            netsnmp_set_request_error(reqinfo, r, SNMP_NOSUCHOBJECT);
    }
    return SNMP_ERR_NOERROR;
}

/* One row index, "a.b.c", into a new container row. */
static netsnmp_index *parse_index(const char *line, size_t *n_index)
{
    oid sub[MAX_OID_LEN];
    size_t n = 0;
    for (const char *p = line; *p && *p != '\n' && n < MAX_OID_LEN;) {
        char *end;
        sub[n++] = strtoul(p, &end, 10);
        if (end == p)
            return NULL;
        p = *end == '.' ? end + 1 : end;
    }
    netsnmp_index *row = malloc(sizeof(*row) + n * sizeof(oid));
    if (!row || !n) {
        free(row);
        return NULL;
    }
    row->oids = (oid *)(row + 1);
    row->len = n;
    memcpy(row->oids, sub, n * sizeof(oid));
    *n_index = n;
    return row;
}

static int load_rows(struct floor_table *t, const char *path, size_t *n_index)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        netsnmp_index *row = parse_index(line, n_index);
        if (row && CONTAINER_INSERT(t->rows, row) != 0)
            free(row);
    }
    fclose(f);
    return 0;
}

static int parse_columns(struct floor_table *t, char *spec)
{
    char *save = NULL;
    for (char *tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (t->n_cols == FLOOR_MAX_COLUMNS || parse_type(tok, &t->cols[t->n_cols]) != 0)
            return -1;
        t->n_cols++;
    }
    return t->n_cols ? 0 : -1;
}

static void floor_table_conf(const char *token, char *line)
{
    (void)token;
    char oidtxt[256], spec[512], path[1024];
    unsigned first;
    oid base[MAX_OID_LEN];
    size_t base_len = MAX_OID_LEN, n_index = 0;
    if (n_tables == FLOOR_MAX_TABLES ||
        sscanf(line, "%255s %u %511s %1023s", oidtxt, &first, spec, path) != 4 ||
        !read_objid(oidtxt, base, &base_len)) {
        config_perror("floorTable ENTRY_OID FIRST_COLUMN TYPES INDEX_FILE");
        return;
    }
    struct floor_table *t = &tables[n_tables];
    memset(t, 0, sizeof(*t));
    t->first_col = first;
    t->rows = netsnmp_container_find("floor:table_container");
    if (!t->rows || parse_columns(t, spec) != 0 || load_rows(t, path, &n_index) != 0 || !n_index) {
        config_perror("floorTable: bad column types or unreadable index file");
        return;
    }
    netsnmp_table_registration_info *ti = SNMP_MALLOC_TYPEDEF(netsnmp_table_registration_info);
    for (size_t i = 0; i < n_index; i++)
        netsnmp_table_helper_add_index(ti, ASN_INTEGER);
    ti->min_column = first;
    ti->max_column = first + t->n_cols - 1;
    netsnmp_mib_handler *h = netsnmp_create_handler("floorTable", floor_table_handler);
    h->myvoid = t;
    /* The entry OID is given; the table registers at its parent. */
    t->reg =
        netsnmp_handler_registration_create("floorTable", h, base, base_len - 1, HANDLER_CAN_RONLY);
    if (netsnmp_container_table_register(t->reg, ti, t->rows, TABLE_CONTAINER_KEY_NETSNMP_INDEX) !=
        MIB_REGISTERED_OK) {
        config_perror("floorTable: cannot register");
        return;
    }
    n_tables++;
}

static int floor_scalar_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
                                netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
    (void)handler;
    if (reqinfo->mode != MODE_GET)
        return SNMP_ERR_NOERROR;
    const struct floor_value *v = reginfo->my_reg_void;
    for (netsnmp_request_info *r = requests; r; r = r->next)
        set_value(r->requestvb, v);
    return SNMP_ERR_NOERROR;
}

static void floor_scalar_conf(const char *token, char *line)
{
    (void)token;
    char oidtxt[256], type[16];
    oid name[MAX_OID_LEN];
    size_t len = MAX_OID_LEN;
    if (n_scalars == FLOOR_MAX_SCALARS || sscanf(line, "%255s %15s", oidtxt, type) != 2 ||
        !read_objid(oidtxt, name, &len) || parse_type(type, &scalar_vals[n_scalars]) != 0) {
        config_perror("floorScalar OID TYPE");
        return;
    }
    /* The scalar helper adds the .0 instance. */
    netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
        "floorScalar", floor_scalar_handler, name, len - 1, HANDLER_CAN_RONLY);
    reg->my_reg_void = &scalar_vals[n_scalars];
    if (netsnmp_register_read_only_scalar(reg) != MIB_REGISTERED_OK) {
        config_perror("floorScalar: cannot register");
        return;
    }
    scalar_regs[n_scalars++] = reg;
}

__attribute__((visibility("default"))) void init_vmmibfloor(void);
__attribute__((visibility("default"))) void deinit_vmmibfloor(void);

void init_vmmibfloor(void)
{
    memset(filler, 'x', sizeof(filler));
    snmpd_register_config_handler("floorTable", floor_table_conf, NULL,
                                  "ENTRY_OID FIRST_COLUMN TYPES INDEX_FILE");
    snmpd_register_config_handler("floorScalar", floor_scalar_conf, NULL, "OID TYPE");
}

void deinit_vmmibfloor(void)
{
    for (int i = 0; i < n_tables; i++)
        netsnmp_unregister_handler(tables[i].reg);
    for (int i = 0; i < n_scalars; i++)
        netsnmp_unregister_handler(scalar_regs[i]);
    n_tables = n_scalars = 0;
    snmpd_unregister_config_handler("floorTable");
    snmpd_unregister_config_handler("floorScalar");
}
