#define _GNU_SOURCE
#include "hostdev.h"

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct hostdev_iface {
    const char *name;
    int32_t index;
};

struct hostdev {
    struct if_nameindex *list; /* if_nameindex(); NULL: ask per name */
    struct hostdev_iface *by_name;
    size_t n;
    /* The last image directory looked up: its device and mount point. */
    char *dir;
    dev_t dir_dev;
    char *dir_mount;
};

static int hostdev_cmp_iface(const void *a, const void *b)
{
    return strcmp(((const struct hostdev_iface *)a)->name, ((const struct hostdev_iface *)b)->name);
}

struct hostdev *hostdev_begin(void)
{
    struct hostdev *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->list = if_nameindex();
    size_t n = 0;
    while (h->list && h->list[n].if_index)
        n++;
    h->by_name = h->list ? calloc(n + 1, sizeof(*h->by_name)) : NULL;
    if (!h->by_name) {
        if (h->list)
            if_freenameindex(h->list);
        h->list = NULL; /* ask per name */
        return h;
    }
    for (size_t i = 0; i < n; i++)
        if (h->list[i].if_index <= INT32_MAX)
            h->by_name[h->n++] =
                (struct hostdev_iface){h->list[i].if_name, (int32_t)h->list[i].if_index};
    qsort(h->by_name, h->n, sizeof(*h->by_name), hostdev_cmp_iface);
    return h;
}

void hostdev_end(struct hostdev *h)
{
    if (!h)
        return;
    if (h->list)
        if_freenameindex(h->list);
    free(h->by_name);
    free(h->dir);
    free(h->dir_mount);
    free(h);
}

/* The highest ancestor of path on the same device as st. */
static char *hostdev_walk_up(const char *path, const struct stat *st)
{
    struct stat up;
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
        if (rc != 0 || up.st_dev != st->st_dev)
            return cand; /* the parent is on another filesystem */
        if (slash == cand)
            strcpy(cand, "/");
        else
            *slash = '\0';
    }
    return cand;
}

/* An image in the directory last looked up, on the device of the image
 * then, has the same mount point: the walk up passes the same directories.
 * (Only a directory whose images were not mount points is remembered.) */
static bool hostdev_same_dir(const struct hostdev *h, const char *path, const struct stat *st)
{
    const char *slash = strrchr(path, '/');
    size_t len = (size_t)(slash - path);
    return h && h->dir && h->dir_mount && slash && len > 0 && strlen(h->dir) == len &&
           memcmp(h->dir, path, len) == 0 && st->st_dev == h->dir_dev;
}

char *hostdev_mount_of(struct hostdev *h, const char *path)
{
    struct stat st;
    if (!path || path[0] != '/' || stat(path, &st) != 0)
        return NULL;
    if (hostdev_same_dir(h, path, &st))
        return strdup(h->dir_mount);
    char *mount = hostdev_walk_up(path, &st);
    const char *slash = strrchr(path, '/');
    if (h && mount && slash && slash > path && strcmp(mount, path) != 0) {
        free(h->dir);
        free(h->dir_mount);
        h->dir = strndup(path, (size_t)(slash - path));
        h->dir_dev = st.st_dev;
        h->dir_mount = strdup(mount);
    }
    return mount;
}

int32_t hostdev_ifindex(const struct hostdev *h, const char *dev)
{
    if (!dev || !*dev)
        return 0;
    if (h && h->list) {
        struct hostdev_iface key = {dev, 0};
        const struct hostdev_iface *hit =
            bsearch(&key, h->by_name, h->n, sizeof(key), hostdev_cmp_iface);
        return hit ? hit->index : 0;
    }
    unsigned idx = if_nametoindex(dev);
    return idx > INT32_MAX ? 0 : (int32_t)idx;
}

int32_t hostdev_parent(const struct hostdev *h, const char *dev, int32_t self)
{
    char path[PATH_MAX], link[PATH_MAX];
    snprintf(path, sizeof(path), "/sys/class/net/%s/master", dev);
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    if (n > 0) {
        link[n] = '\0';
        const char *base = strrchr(link, '/');
        return hostdev_ifindex(h, base ? base + 1 : link);
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
