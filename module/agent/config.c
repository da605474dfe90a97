/* See config.h. */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "config.h"

static struct configval cfg;

static void report(const char *token, const char *msg)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s: %s; keeping the previous value", token, msg);
    config_perror(buf);
}

static void parse_uri(const char *token, char *line)
{
    char err[256];
    if (configval_uri(line, &cfg.uri, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_interval(const char *token, char *line)
{
    char err[256];
    if (configval_interval(line, &cfg.poll_interval, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_index_file(const char *token, char *line)
{
    char err[256];
    if (configval_path(line, &cfg.index_file, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_quarantine(const char *token, char *line)
{
    char err[256];
    if (configval_quarantine(line, &cfg.index_quarantine, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_flag(const char *token, char *line, bool *flag)
{
    char err[256];
    if (configval_bool(line, flag, err, sizeof(err)) != 0)
        report(token, err);
}

static void parse_per_vm(const char *token, char *line)
{
    parse_flag(token, line, &cfg.per_vm_notifications);
}

static void parse_bulk(const char *token, char *line)
{
    parse_flag(token, line, &cfg.bulk_notifications);
}

static void parse_write(const char *token, char *line)
{
    parse_flag(token, line, &cfg.write_access);
}

static const struct {
    const char *token;
    void (*parse)(const char *, char *);
    const char *help;
} tokens[] = {
    {"vmMibUri", parse_uri, "libvirt-URI"},
    {"vmMibPollInterval", parse_interval, "seconds (1-3600)"},
    {"vmMibIndexFile", parse_index_file, "/absolute/path"},
    {"vmMibIndexQuarantine", parse_quarantine, "seconds (0-315360000)"},
    {"vmMibPerVMNotifications", parse_per_vm, "yes|no"},
    {"vmMibBulkNotifications", parse_bulk, "yes|no"},
    {"vmMibWriteAccess", parse_write, "yes|no"},
};

void config_register(void)
{
    configval_clear(&cfg);
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        snmpd_register_config_handler(tokens[i].token, tokens[i].parse, NULL, tokens[i].help);
}

void config_unregister(void)
{
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        snmpd_unregister_config_handler(tokens[i].token);
    configval_clear(&cfg);
}

const struct configval *config_get(void)
{
    return &cfg;
}
