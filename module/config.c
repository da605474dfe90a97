/* Net-SNMP glue for the vmMib* snmpd.conf tokens.  Tokens are recognised on
 * lines after the dlmod line; a bad value is reported with file and line by
 * config_perror and the earlier value (the default) is kept. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "config.h"

struct vmmib_config vmmib_cfg;

static void report(const char *token, const char *msg)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s: %s; keeping the previous value", token, msg);
    config_perror(buf);
}

static void parse_uri(const char *token, char *line)
{
    char err[256];
    if (vmmib_parse_uri(line, &vmmib_cfg.uri, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_interval(const char *token, char *line)
{
    char err[256];
    if (vmmib_parse_interval(line, &vmmib_cfg.poll_interval, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_index_file(const char *token, char *line)
{
    char err[256];
    if (vmmib_parse_path(line, &vmmib_cfg.index_file, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_flag(const char *token, char *line, bool *flag)
{
    char err[256];
    if (vmmib_parse_bool(line, flag, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_per_vm(const char *token, char *line)
{
    parse_flag(token, line, &vmmib_cfg.per_vm_notifications);
}

static void parse_bulk(const char *token, char *line)
{
    parse_flag(token, line, &vmmib_cfg.bulk_notifications);
}

static void parse_write(const char *token, char *line)
{
    parse_flag(token, line, &vmmib_cfg.write_access);
}

static const struct {
    const char *token;
    void (*parse)(const char *, char *);
    const char *help;
} tokens[] = {
    {"vmMibUri", parse_uri, "libvirt-URI"},
    {"vmMibPollInterval", parse_interval, "seconds (1-3600)"},
    {"vmMibIndexFile", parse_index_file, "/absolute/path"},
    {"vmMibPerVMNotifications", parse_per_vm, "yes|no"},
    {"vmMibBulkNotifications", parse_bulk, "yes|no"},
    {"vmMibWriteAccess", parse_write, "yes|no"},
};

void vmmib_config_register(void)
{
    vmmib_config_clear(&vmmib_cfg);
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        snmpd_register_config_handler(tokens[i].token, tokens[i].parse, NULL, tokens[i].help);
}

void vmmib_config_unregister(void)
{
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        snmpd_unregister_config_handler(tokens[i].token);
    vmmib_config_clear(&vmmib_cfg);
}
