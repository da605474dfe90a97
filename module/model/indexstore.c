#include "indexstore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text.h"

void indexstore_init(struct indexstore *s)
{
    memset(s, 0, sizeof(*s));
    s->next = 1;
}

void indexstore_free(struct indexstore *s)
{
    free(s->entries);
    indexstore_init(s);
}

/* Position of uuid in the sorted array, or where it would go (*found false). */
static size_t locate(const struct indexstore *s, const unsigned char uuid[16], bool *found)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(s->entries[mid].uuid, uuid, 16);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

struct indexstore_entry *indexstore_find(struct indexstore *s, const unsigned char uuid[16])
{
    bool found;
    size_t pos = locate(s, uuid, &found);
    return found ? &s->entries[pos] : NULL;
}

static bool index_in_use(const struct indexstore *s, int32_t index)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->entries[i].index == index)
            return true;
    return false;
}

/* Once the counter is exhausted: the smallest index no remembered VM holds.
 * Linear scans, but this path runs at most once per new VM after two
 * billion allocations. */
static int32_t reuse_index(const struct indexstore *s)
{
    for (int32_t idx = 1; idx > 0 && idx <= INDEXSTORE_MAX; idx++) {
        if (!index_in_use(s, idx))
            return idx;
        if (idx == INDEXSTORE_MAX)
            break;
    }
    return 0;
}

static struct indexstore_entry *insert_at(struct indexstore *s, size_t pos,
                                          const unsigned char uuid[16], int32_t index)
{
    if (s->count == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        struct indexstore_entry *n = realloc(s->entries, ncap * sizeof(*n));
        if (!n)
            return NULL;
        s->entries = n;
        s->cap = ncap;
    }
    memmove(&s->entries[pos + 1], &s->entries[pos], (s->count - pos) * sizeof(*s->entries));
    s->count++;
    struct indexstore_entry *e = &s->entries[pos];
    memset(e, 0, sizeof(*e));
    memcpy(e->uuid, uuid, 16);
    e->index = index;
    return e;
}

struct indexstore_entry *indexstore_get(struct indexstore *s, const unsigned char uuid[16],
                                        int64_t now)
{
    bool found;
    size_t pos = locate(s, uuid, &found);
    if (found) {
        s->entries[pos].last_seen = now;
        return &s->entries[pos];
    }
    int32_t index;
    if (s->next > 0 && s->next <= INDEXSTORE_MAX && !index_in_use(s, s->next)) {
        index = s->next;
        s->next = index == INDEXSTORE_MAX ? -1 : index + 1;
    } else {
        /* Counter exhausted (next == -1) or, with a hand-edited file, taken. */
        index = reuse_index(s);
        if (index == 0)
            return NULL;
    }
    struct indexstore_entry *e = insert_at(s, pos, uuid, index);
    if (!e)
        return NULL;
    e->last_seen = now;
    s->dirty = true;
    return e;
}

void indexstore_expire(struct indexstore *s, int64_t now, int64_t retention)
{
    size_t w = 0;
    for (size_t r = 0; r < s->count; r++) {
        if (now - s->entries[r].last_seen > retention) {
            s->dirty = true;
            continue;
        }
        s->entries[w++] = s->entries[r];
    }
    s->count = w;
}

int indexstore_load(struct indexstore *s, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t linecap = 0;
    unsigned lineno = 0;
    int rc = 0;
    while (getline(&line, &linecap, f) > 0) {
        lineno++;
        char uuidstr[64];
        long long idx, seen, started;
        long long next;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "next %lld", &next) == 1) {
            if (next == -1 || (next >= 1 && next <= INDEXSTORE_MAX)) {
                /* -1 (exhausted) wins whatever the line order. */
                if (next == -1 || (s->next != -1 && next > s->next))
                    s->next = (int32_t)next;
                continue;
            }
        } else if (sscanf(line, "vm %63s %lld %lld %lld", uuidstr, &idx, &seen, &started) == 4) {
            unsigned char uuid[16];
            bool found;
            if (text_uuid_parse(uuidstr, uuid) == 0 && idx >= 1 && idx <= INDEXSTORE_MAX) {
                size_t pos = locate(s, uuid, &found);
                if (!found && !index_in_use(s, (int32_t)idx)) {
                    struct indexstore_entry *e = insert_at(s, pos, uuid, (int32_t)idx);
                    if (!e) {
                        snprintf(err, errlen, "%s: out of memory", path);
                        rc = -1;
                        break;
                    }
                    e->last_seen = seen;
                    e->started = started;
                    /* The counter must stay above every index on file. */
                    if (s->next != -1 && idx >= s->next)
                        s->next = idx == INDEXSTORE_MAX ? -1 : (int32_t)idx + 1;
                    continue;
                }
            }
        }
        if (rc == 0)
            snprintf(err, errlen, "%s:%u: ignoring malformed or duplicate line", path, lineno);
        rc = -1;
    }
    free(line);
    fclose(f);
    return rc;
}

int indexstore_save(struct indexstore *s, const char *path, int64_t now, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(tmp, plen + 8, "%s.new", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    fprintf(f,
            "# vmmib: vmIndex of each VM by UUID; written by snmpd, do not edit while it runs\n");
    fprintf(f, "# vm UUID vmIndex last-seen(epoch) started(epoch, 0 = not running)\n");
    fprintf(f, "next %ld\n", (long)s->next);
    for (size_t i = 0; i < s->count; i++) {
        char u[37];
        text_uuid_format(s->entries[i].uuid, u);
        fprintf(f, "vm %s %ld %lld %lld\n", u, (long)s->entries[i].index,
                (long long)s->entries[i].last_seen, (long long)s->entries[i].started);
    }
    int bad = ferror(f);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        bad = 1;
    if (fclose(f) != 0)
        bad = 1;
    if (bad || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    s->dirty = false;
    s->saved_at = now;
    return 0;
}
