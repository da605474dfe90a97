#define _GNU_SOURCE
#include "hostdev.h"

#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The highest ancestor of path on the same device. */
char *hostdev_mount_of(const char *path)
{
    struct stat st, up;
    if (!path || path[0] != '/' || stat(path, &st) != 0)
        return NULL;
    char *cand = strdup(path);
    while (cand && strcmp(cand, "/") != 0) {
        char *slash = strrchr(cand, '/');
        int rc;
        if (slash == cand) {
            rc = stat("/", &up);
        } else {
            *slash = '\0';
            rc = stat(cand, &up);
            *slash = '/';
        }
        if (rc != 0 || up.st_dev != st.st_dev)
            return cand; /* the parent is on another filesystem */
        if (slash == cand)
            strcpy(cand, "/");
        else
            *slash = '\0';
    }
    return cand;
}

int32_t hostdev_ifindex(const char *dev)
{
    if (!dev || !*dev)
        return 0;
    unsigned idx = if_nametoindex(dev);
    return idx > INT32_MAX ? 0 : (int32_t)idx;
}

int32_t hostdev_parent(const char *dev, int32_t self)
{
    char path[PATH_MAX], link[PATH_MAX];
    snprintf(path, sizeof(path), "/sys/class/net/%s/master", dev);
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *base = strrchr(link, '/');
        return hostdev_ifindex(base ? base + 1 : link);
    }
    snprintf(path, sizeof(path), "/sys/class/net/%s/iflink", dev);
    FILE *f = fopen(path, "r");
    long iflink = 0;
    if (f) {
        if (fscanf(f, "%ld", &iflink) != 1)
            iflink = 0;
        fclose(f);
    }
    return iflink > 0 && iflink <= INT32_MAX && iflink != self ? (int32_t)iflink : 0;
}
