/* The values of the vmMib* configuration tokens and their parsers.  Pure:
 * the Net-SNMP glue (agent/config.c) reports a parser's message with the
 * file and line, and keeps the previous value. */
#ifndef VMMIB_MODEL_CONFIGVAL_H
#define VMMIB_MODEL_CONFIGVAL_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIGVAL_POLL_DEFAULT 5
#define CONFIGVAL_POLL_MIN 1
#define CONFIGVAL_POLL_MAX 3600
/* vmMibIndexQuarantine: how long an index stays with a VM that went away
 * (the time a manager may still remember it), in seconds. */
#define CONFIGVAL_QUARANTINE_DEFAULT (24 * 3600)
#define CONFIGVAL_QUARANTINE_MAX (3650L * 24 * 3600)

struct configval {
    char *uri;             /* NULL: libvirt's default connection */
    int poll_interval;     /* seconds */
    char *index_file;      /* NULL: <persistent dir>/vmmib-index.conf */
    long index_quarantine; /* seconds */
    bool per_vm_notifications;
    bool bulk_notifications;
    bool write_access;
};

/* 0 on success, -1 with a message in err. */
int configval_interval(const char *text, int *out, char *err, size_t errlen);
int configval_bool(const char *text, bool *out, char *err, size_t errlen);
int configval_uri(const char *text, char **out, char *err, size_t errlen);
int configval_path(const char *text, char **out, char *err, size_t errlen);
int configval_quarantine(const char *text, long *out, char *err, size_t errlen);

void configval_defaults(struct configval *cfg);
void configval_clear(struct configval *cfg);

#endif
