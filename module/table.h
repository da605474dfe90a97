/* A thin layer over Net-SNMP's table_container helper, shared by every
 * VM-MIB table: rows are pointers into the current snapshot, rebuilt in
 * index order whenever a snapshot is published. */
#ifndef VMMIB_TABLE_H
#define VMMIB_TABLE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#define VT_MAX_INDEX 3

/* Sets request->requestvb for `column` of `row`. */
typedef void (*vt_column_fn)(const void *row, unsigned column, netsnmp_request_info *request);

/* SET support: called for every request of a SET phase (row NULL when the
 * index names no row); `all` is the whole list of this handler call. */
typedef void (*vt_set_fn)(const void *row, unsigned column, netsnmp_request_info *request,
                          netsnmp_agent_request_info *reqinfo, netsnmp_request_info *all);

struct vt_row_ref {
    netsnmp_index idx; /* must be first: the container compares netsnmp_index */
    oid oids[VT_MAX_INDEX];
    const void *row;
};

struct vt_table {
    const char *name;
    vt_column_fn column;
    vt_set_fn set; /* NULL: read-only (notWritable) */
    netsnmp_handler_registration *reg;
    netsnmp_table_registration_info *tinfo;
    netsnmp_container *container;
    struct vt_row_ref *refs;
    size_t count, cap;
};

/* Register a read-only table at base (the xxxTable OID) with n_index
 * integer indexes and columns min..max.  0 or -1 (logged). */
int vt_register(struct vt_table *t, const char *name, const oid *base, size_t base_len,
                unsigned n_index, unsigned min_col, unsigned max_col, vt_column_fn column);
void vt_unregister(struct vt_table *t);
/* Make the table answer SETs through fn (call right after vt_register). */
void vt_set_handler(struct vt_table *t, vt_set_fn fn);

/* Rebuild: vt_begin, vt_add for every row in ascending index order, vt_end.
 * Between vt_begin and vt_end the table is empty (all on the main thread,
 * so no request sees that). */
void vt_begin(struct vt_table *t);
int vt_add(struct vt_table *t, const oid *index, size_t n_index, const void *row);
void vt_end(struct vt_table *t);

/* Value setters shared by the handlers. */
/* SnmpAdminString (SIZE (0..255)): NULL reads as "", longer is cut. */
void vt_set_string(netsnmp_request_info *r, const char *s);
void vt_set_int(netsnmp_request_info *r, long v);
void vt_set_counter64(netsnmp_request_info *r, uint64_t v);
void vt_set_ticks(netsnmp_request_info *r, uint32_t centiseconds);

#endif
