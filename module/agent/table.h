/* The table handler every VM-MIB table uses: Net-SNMP's table helper
 * parses the index and column, and the table's own find function looks
 * the row up in the published view by binary search (GET, SET) or finds
 * the next one (GETNEXT, GETBULK), moving on to the next column at the
 * end of one.  Nothing is copied into Net-SNMP containers: publishing a
 * round is a pointer swap in each table file. */
#ifndef VMMIB_AGENT_TABLE_H
#define VMMIB_AGENT_TABLE_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <stdbool.h>
#include <stdint.h>

#define TABLE_MAX_INDEX 3

/* A row as the column and SET functions see it. */
struct table_row {
    const void *entry; /* the view's entry */
    uint32_t aux;      /* table-specific (vmCpuAffinityTable: the host CPU) */
};

/* The row whose index is idx (len subids), or with `next` the first row
 * after idx in OID order (len 0: the first row).  On success the row and
 * its index (out, *out_len) are written. */
typedef bool (*table_find_fn)(const oid *idx, size_t len, bool next, struct table_row *row,
                              oid *out, size_t *out_len);
/* Set request->requestvb to `column` of row. */
typedef void (*table_column_fn)(const struct table_row *row, unsigned column,
                                netsnmp_request_info *request);
/* One SET phase for one request (row NULL when the index names none);
 * `all` is every request of this call. */
typedef void (*table_set_fn)(const struct table_row *row, unsigned column,
                             netsnmp_request_info *request, netsnmp_agent_request_info *reqinfo,
                             netsnmp_request_info *all);

struct table {
    const char *name;
    table_find_fn find;
    table_column_fn column;
    table_set_fn set; /* NULL: read-only (notWritable) */
    netsnmp_handler_registration *reg;
    netsnmp_table_registration_info *tinfo; /* Net-SNMP 5.9 never frees it */
};

/* Register t (name, find, column, set filled in) at base, the xxxTable
 * OID, with n_index integer indexes and columns min..max.  0, or -1
 * (logged). */
int table_register(struct table *t, const oid *base, size_t base_len, unsigned n_index,
                   unsigned min_col, unsigned max_col);
void table_unregister(struct table *t);

/* A table_find_fn over one of the view's sorted arrays (n entries of
 * `size` bytes, each starting with a key of nkeys integers). */
bool table_lookup(const void *base, size_t n, size_t size, size_t nkeys, const oid *idx, size_t len,
                  bool next, struct table_row *row, oid *out, size_t *out_len);

/* Value setters. */
/* SnmpAdminString (SIZE (0..255)): NULL reads as "". */
void table_set_string(netsnmp_request_info *r, const char *s);
void table_set_octets(netsnmp_request_info *r, const void *p, size_t len);
void table_set_int(netsnmp_request_info *r, long v);
void table_set_counter64(netsnmp_request_info *r, uint64_t v);
void table_set_ticks(netsnmp_request_info *r, uint32_t centiseconds);

#endif
