/* snmpd.conf tokens of vmmib.  The parsers are pure (unit-tested); the
 * Net-SNMP glue in config.c reports errors with config_perror, which names
 * the file and line, and keeps the previous (default) value. */
#ifndef VMMIB_CONFIG_H
#define VMMIB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define VMMIB_POLL_DEFAULT 5
#define VMMIB_POLL_MIN 1
#define VMMIB_POLL_MAX 3600

struct vmmib_config {
    char *uri;         /* NULL: libvirt's default connection */
    int poll_interval; /* seconds */
    char *index_file;  /* NULL: <persistent dir>/vmmib-index.conf */
    bool per_vm_notifications;
    bool bulk_notifications;
    bool write_access;
};

extern struct vmmib_config vmmib_cfg;

/* Parsers: 0 on success, -1 with a message in err. */
int vmmib_parse_interval(const char *text, int *out, char *err, size_t errlen);
int vmmib_parse_bool(const char *text, bool *out, char *err, size_t errlen);
int vmmib_parse_uri(const char *text, char **out, char *err, size_t errlen);
int vmmib_parse_path(const char *text, char **out, char *err, size_t errlen);

void vmmib_config_defaults(struct vmmib_config *cfg);
void vmmib_config_clear(struct vmmib_config *cfg);

/* Net-SNMP registration of the tokens (config.c). */
void vmmib_config_register(void);
void vmmib_config_unregister(void);

#endif
