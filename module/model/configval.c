/* Pure parsing of the vmMib* tokens. */
#include "configval.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copy of text without leading/trailing blanks; NULL on allocation failure. */
static char *trimmed(const char *text)
{
    while (*text && isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, text, n);
        s[n] = '\0';
    }
    return s;
}

/* A whole number of seconds from min to max; -1 with err set otherwise. */
static int seconds(const char *text, long min, long max, long *out, char *err, size_t errlen)
{
    char *s = trimmed(text ? text : "");
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    int rc = -1;
    if (*s == '\0')
        snprintf(err, errlen, "missing value: expected seconds (%ld-%ld)", min, max);
    else if (errno || *end != '\0')
        snprintf(err, errlen, "'%s' is not a whole number of seconds", s);
    else if (v < min || v > max)
        snprintf(err, errlen, "%ld is out of range (%ld-%ld seconds)", v, min, max);
    else {
        *out = v;
        rc = 0;
    }
    free(s);
    return rc;
}

int configval_interval(const char *text, int *out, char *err, size_t errlen)
{
    long v;
    if (seconds(text, CONFIGVAL_POLL_MIN, CONFIGVAL_POLL_MAX, &v, err, errlen) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

int configval_bool(const char *text, bool *out, char *err, size_t errlen)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    char *s = trimmed(text ? text : "");
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            free(s);
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            free(s);
            return 0;
        }
    }
    snprintf(err, errlen, "'%s' is not yes or no", s);
    free(s);
    return -1;
}

int configval_uri(const char *text, char **out, char *err, size_t errlen)
{
    char *s = trimmed(text ? text : "");
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (*s == '\0' || strchr(s, ' ') || strchr(s, '\t')) {
        snprintf(err, errlen, "expected one libvirt URI such as qemu:///system");
        free(s);
        return -1;
    }
    /* Every libvirt URI has a scheme: driver[+transport]:... */
    char *colon = strchr(s, ':');
    bool ok = colon && colon != s;
    for (char *p = s; ok && p < colon; p++)
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            ok = false;
    if (!ok) {
        snprintf(err, errlen, "'%s' is not a libvirt URI (expected e.g. qemu:///system)", s);
        free(s);
        return -1;
    }
    free(*out);
    *out = s;
    return 0;
}

int configval_path(const char *text, char **out, char *err, size_t errlen)
{
    char *s = trimmed(text ? text : "");
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (s[0] != '/') {
        snprintf(err, errlen, "'%s' is not an absolute path", s);
        free(s);
        return -1;
    }
    free(*out);
    *out = s;
    return 0;
}

int configval_quarantine(const char *text, long *out, char *err, size_t errlen)
{
    return seconds(text, 0, CONFIGVAL_QUARANTINE_MAX, out, err, errlen);
}

void configval_defaults(struct configval *cfg)
{
    cfg->uri = NULL;
    cfg->poll_interval = CONFIGVAL_POLL_DEFAULT;
    cfg->index_file = NULL;
    cfg->index_quarantine = CONFIGVAL_QUARANTINE_DEFAULT;
    cfg->per_vm_notifications = true;
    cfg->bulk_notifications = false;
    cfg->write_access = false;
}

void configval_clear(struct configval *cfg)
{
    free(cfg->uri);
    free(cfg->index_file);
    configval_defaults(cfg);
}
