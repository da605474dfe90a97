#include "indexstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"

void indexstore_init(struct indexstore *s)
{
    memset(s, 0, sizeof(*s));
}

static void clear_entries(struct indexstore *s)
{
    free(s->entries);
    free(s->held);
    s->entries = NULL;
    s->held = NULL;
    s->count = s->cap = 0;
}

void indexstore_free(struct indexstore *s)
{
    clear_entries(s);
    free(s->path);
    free(s->problem);
    indexstore_init(s);
}

/* ---- lookups ---- */

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

/* Position of index in held, or where it would go. */
static size_t held_pos(const struct indexstore *s, int32_t index, bool *found)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->held[mid] == index) {
            *found = true;
            return mid;
        }
        if (s->held[mid] < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* The lowest index no entry holds.  held is ascending and its indexes are
 * distinct and positive, so held[i] >= i + 1, with equality exactly up to
 * the first gap: a binary search, whatever the indexes' values. */
static int32_t lowest_free(const struct indexstore *s)
{
    size_t lo = 0, hi = s->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->held[mid] == (int32_t)(mid + 1))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < (size_t)INDEXSTORE_MAX ? (int32_t)lo + 1 : 0;
}

struct indexstore_entry *indexstore_find(struct indexstore *s, const unsigned char uuid[16])
{
    bool found;
    size_t pos = locate(s, uuid, &found);
    return found ? &s->entries[pos] : NULL;
}

struct indexstore_entry *indexstore_touch(struct indexstore *s, const unsigned char uuid[16],
                                          int64_t now)
{
    struct indexstore_entry *e = indexstore_find(s, uuid);
    if (e)
        e->last_seen = now;
    return e;
}

/* ---- changes ---- */

static int grow(struct indexstore *s)
{
    if (s->count < s->cap)
        return 0;
    size_t ncap = s->cap ? s->cap * 2 : 64;
    struct indexstore_entry *e = realloc(s->entries, ncap * sizeof(*e));
    if (!e)
        return -1;
    s->entries = e;
    int32_t *h = realloc(s->held, ncap * sizeof(*h));
    if (!h)
        return -1;
    s->held = h;
    s->cap = ncap;
    return 0;
}

/* A new entry for uuid (not in the store) with index (not held). */
static struct indexstore_entry *add(struct indexstore *s, const unsigned char uuid[16],
                                    int32_t index)
{
    bool found;
    size_t pos = locate(s, uuid, &found);
    size_t hpos = held_pos(s, index, &found);
    if (grow(s) != 0)
        return NULL;
    memmove(&s->entries[pos + 1], &s->entries[pos], (s->count - pos) * sizeof(*s->entries));
    memmove(&s->held[hpos + 1], &s->held[hpos], (s->count - hpos) * sizeof(*s->held));
    s->count++;
    s->held[hpos] = index;
    struct indexstore_entry *e = &s->entries[pos];
    memset(e, 0, sizeof(*e));
    memcpy(e->uuid, uuid, 16);
    e->index = index;
    return e;
}

struct indexstore_entry *indexstore_get(struct indexstore *s, const unsigned char uuid[16],
                                        int64_t now)
{
    struct indexstore_entry *e = indexstore_touch(s, uuid, now);
    if (e)
        return e;
    int32_t index = lowest_free(s);
    if (index == 0 || !(e = add(s, uuid, index)))
        return NULL;
    e->last_seen = now;
    s->dirty = true;
    return e;
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void rebuild_held(struct indexstore *s)
{
    for (size_t i = 0; i < s->count; i++)
        s->held[i] = s->entries[i].index;
    qsort(s->held, s->count, sizeof(*s->held), cmp_int32);
}

void indexstore_expire(struct indexstore *s, int64_t now, int64_t quarantine)
{
    size_t w = 0;
    for (size_t r = 0; r < s->count; r++) {
        const struct indexstore_entry *e = &s->entries[r];
        if (now - e->last_seen > quarantine) {
            s->dirty = true;
            continue;
        }
        /* Seen at the previous round, not at this one: it has just gone,
         * and the file must say when it was last seen. */
        if (e->last_seen == s->round_at && e->last_seen < now)
            s->dirty = true;
        s->entries[w++] = *e;
    }
    if (w != s->count) {
        s->count = w;
        rebuild_held(s);
    }
    s->round_at = now;
}

/* ---- loading: one pass over the lines, duplicates found by hashing ---- */

struct line {
    unsigned char uuid[16];
    int32_t index;
    int64_t seen, started;
};

/* 1: a vm line in *l; 0: nothing to take (comment, blank, the counter of
 * older versions); -1: not a line of ours. */
static int parse_line(const char *text, struct line *l)
{
    char uuidstr[64];
    long long idx, seen, started, next;
    if (text[0] == '#' || text[0] == '\n')
        return 0;
    if (sscanf(text, "next %lld", &next) == 1)
        return next == -1 || (next >= 1 && next <= INDEXSTORE_MAX) ? 0 : -1;
    if (sscanf(text, "vm %63s %lld %lld %lld", uuidstr, &idx, &seen, &started) != 4 ||
        text_uuid_parse(uuidstr, l->uuid) != 0 || idx < 1 || idx > INDEXSTORE_MAX)
        return -1;
    l->index = (int32_t)idx;
    l->seen = seen;
    l->started = started;
    return 1;
}

struct hashset {
    size_t *slot; /* position + 1 in the lines, 0 = empty */
    size_t mask;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t hash_uuid(const unsigned char u[16])
{
    uint64_t a, b;
    memcpy(&a, u, 8);
    memcpy(&b, u + 8, 8);
    return mix(a ^ mix(b));
}

/* The slot for line l's key (by uuid, or by index): holding it or empty. */
static size_t *probe(struct hashset *h, const struct line *all, size_t l, bool by_uuid)
{
    uint64_t k = by_uuid ? hash_uuid(all[l].uuid) : mix((uint64_t)all[l].index);
    for (size_t i = (size_t)k & h->mask;; i = (i + 1) & h->mask) {
        size_t *slot = &h->slot[i];
        if (*slot == 0)
            return slot;
        const struct line *o = &all[*slot - 1];
        if (by_uuid ? memcmp(o->uuid, all[l].uuid, 16) == 0 : o->index == all[l].index)
            return slot;
    }
}

static int cmp_entry_uuid(const void *a, const void *b)
{
    return memcmp(((const struct indexstore_entry *)a)->uuid,
                  ((const struct indexstore_entry *)b)->uuid, 16);
}

/* Take the lines in file order: the first line for a UUID and for an
 * index wins; *rejected counts the others.  0, or -1 out of memory. */
static int take_lines(struct indexstore *s, const struct line *all, size_t n, size_t *lineno,
                      size_t *first_bad, size_t *rejected)
{
    size_t cap = 64;
    while (cap < 2 * n)
        cap *= 2;
    struct hashset by_uuid = {calloc(cap, sizeof(size_t)), cap - 1};
    struct hashset by_index = {calloc(cap, sizeof(size_t)), cap - 1};
    s->entries = malloc((n ? n : 1) * sizeof(*s->entries));
    s->held = malloc((n ? n : 1) * sizeof(*s->held));
    int rc = by_uuid.slot && by_index.slot && s->entries && s->held ? 0 : -1;
    s->cap = rc == 0 ? (n ? n : 1) : 0;
    for (size_t l = 0; rc == 0 && l < n; l++) {
        size_t *su = probe(&by_uuid, all, l, true), *si = probe(&by_index, all, l, false);
        if (*su || *si) {
            if (!*first_bad || lineno[l] < *first_bad)
                *first_bad = lineno[l];
            (*rejected)++;
            continue;
        }
        *su = *si = l + 1;
        struct indexstore_entry *e = &s->entries[s->count++];
        memcpy(e->uuid, all[l].uuid, 16);
        e->index = all[l].index;
        e->last_seen = all[l].seen;
        e->started = all[l].started;
    }
    free(by_uuid.slot);
    free(by_index.slot);
    qsort(s->entries, s->count, sizeof(*s->entries), cmp_entry_uuid);
    rebuild_held(s);
    return rc;
}

/* Every line of f: the vm lines in *all (with their line numbers), the
 * first line that is not ours in *first_bad.  0, or -1 with errno. */
static int read_lines(FILE *f, struct line **all, size_t **lineno, size_t *n, size_t *first_bad,
                      size_t *rejected)
{
    char *text = NULL;
    size_t textcap = 0, cap = 0, no = 0;
    int rc = 0;
    errno = 0;
    while (getline(&text, &textcap, f) > 0) {
        no++;
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            struct line *g = realloc(*all, cap * sizeof(*g));
            size_t *gn = g ? realloc(*lineno, cap * sizeof(*gn)) : NULL;
            if (g)
                *all = g;
            if (!gn) {
                rc = -1;
                errno = ENOMEM;
                break;
            }
            *lineno = gn;
        }
        int kind = parse_line(text, &(*all)[*n]);
        if (kind == 1)
            (*lineno)[(*n)++] = no;
        else if (kind < 0 && (*rejected)++ == 0)
            *first_bad = no;
    }
    if (rc == 0 && ferror(f))
        rc = -1;
    free(text);
    return rc;
}

int indexstore_load(struct indexstore *s, const char *path, char *err, size_t errlen)
{
    clear_entries(s);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return INDEXSTORE_LOADED;
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return INDEXSTORE_UNREADABLE;
    }
    struct line *all = NULL;
    size_t *lineno = NULL, n = 0, first_bad = 0, rejected = 0;
    int rc = read_lines(f, &all, &lineno, &n, &first_bad, &rejected);
    if (rc != 0)
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
    fclose(f);
    if (rc == 0 && take_lines(s, all, n, lineno, &first_bad, &rejected) != 0) {
        snprintf(err, errlen, "cannot read %s: out of memory", path);
        rc = -1;
    }
    free(all);
    free(lineno);
    if (rc != 0) {
        clear_entries(s);
        return INDEXSTORE_UNREADABLE;
    }
    if (!rejected)
        return INDEXSTORE_LOADED;
    snprintf(err, errlen, "%s:%zu: ignoring a malformed or duplicate line (%zu in all)", path,
             first_bad, rejected);
    return INDEXSTORE_MALFORMED;
}

/* ---- saving ---- */

/* A new file of our own at tmp, mode 0600.  Whatever is at that name (a
 * temporary file a crash left, or a link someone planted) is removed
 * first: unlink removes a link itself, never what it points to, and
 * O_EXCL|O_NOFOLLOW never opens anything that already exists. */
static FILE *create_temp(const char *tmp, char *err, size_t errlen)
{
    const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(tmp, flags, 0600);
    if (fd < 0 && errno == EEXIST && (unlink(tmp) == 0 || errno == ENOENT))
        fd = open(tmp, flags, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

static int write_entries(FILE *f, const struct indexstore *s)
{
    fprintf(f,
            "# vmmib: vmIndex of each VM by UUID; written by snmpd, do not edit while it runs\n");
    fprintf(f, "# vm UUID vmIndex last-seen(epoch) started(epoch, 0 = not running)\n");
    for (size_t i = 0; i < s->count; i++) {
        char u[37];
        text_uuid_format(s->entries[i].uuid, u);
        fprintf(f, "vm %s %ld %lld %lld\n", u, (long)s->entries[i].index,
                (long long)s->entries[i].last_seen, (long long)s->entries[i].started);
    }
    int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    if (fclose(f) != 0)
        bad = 1;
    return bad ? -1 : 0;
}

/* The rename is durable once the directory is on disk too. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    if (!slash)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        if (fsync(fd) != 0) {
            /* The data is written; only its durability across a power
             * loss is in question, and nothing better can be done. */
        }
        close(fd);
    }
    free(dir);
}

int indexstore_save(struct indexstore *s, const char *path, int64_t now, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) {
        snprintf(err, errlen, "cannot write %s: out of memory", path);
        return -1;
    }
    snprintf(tmp, plen + 8, "%s.new", path);
    FILE *f = create_temp(tmp, err, errlen);
    if (!f) {
        free(tmp);
        return -1;
    }
    if (write_entries(f, s) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    sync_dir(path);
    s->dirty = false;
    s->saved_at = now;
    return 0;
}

/* ---- the store's file, once a round ---- */

static void file_id(const char *path, struct indexstore_fileid *id)
{
    struct stat st;
    memset(id, 0, sizeof(*id));
    if (stat(path, &st) != 0) {
        /* Gone (ENOENT), or not even its name can be looked at: either way
         * a change from what it was is a reason to try again. */
        id->exists = errno != ENOENT;
        return;
    }
    id->exists = true;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->size = st.st_size;
    id->mode = st.st_mode;
    id->uid = st.st_uid;
    id->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

static bool same_id(const struct indexstore_fileid *a, const struct indexstore_fileid *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mode == b->mode && a->uid == b->uid && a->mtime_ns == b->mtime_ns;
}

/* A problem is reported when it is new (or different), once. */
static enum indexstore_news trouble(struct indexstore *s, const char *what, char *msg, size_t len)
{
    if (s->problem && strcmp(s->problem, what) == 0)
        return INDEXSTORE_QUIET;
    free(s->problem);
    s->problem = strdup(what);
    snprintf(msg, len, "%s", what);
    return INDEXSTORE_TROUBLE;
}

static enum indexstore_news recovered(struct indexstore *s, char *msg, size_t len, const char *what)
{
    free(s->problem);
    s->problem = NULL;
    snprintf(msg, len, "%s", what);
    return INDEXSTORE_RECOVERED;
}

/* The file could not be read: it is left alone until it can be. */
static enum indexstore_news protect(struct indexstore *s, const char *err, int64_t now, char *msg,
                                    size_t len)
{
    char what[1024];
    s->protect = true;
    s->failed_at = now;
    file_id(s->path, &s->failed_id);
    snprintf(what, sizeof(what),
             "%s; vmIndex values are kept in memory (with what could be read) and the file is "
             "left as it is until it can be read",
             err);
    return trouble(s, what, msg, len);
}

enum indexstore_news indexstore_open(struct indexstore *s, const char *path, int64_t now, char *msg,
                                     size_t len)
{
    free(s->path);
    s->path = path ? strdup(path) : NULL;
    if (!s->path)
        return INDEXSTORE_QUIET;
    char err[700];
    if (indexstore_load(s, s->path, err, sizeof(err)) != INDEXSTORE_LOADED)
        return protect(s, err, now, msg, len);
    s->saved_at = now; /* the file is what the store holds */
    return INDEXSTORE_QUIET;
}

/* The assignments of mem the file (in fresh) lacks go into fresh, with
 * their index when it is free there; *moved counts the VMs whose index
 * changes.  0, or -1 out of memory. */
static int merge(struct indexstore *fresh, const struct indexstore *mem, size_t *moved)
{
    for (size_t i = 0; i < mem->count; i++) {
        const struct indexstore_entry *m = &mem->entries[i];
        struct indexstore_entry *e = indexstore_find(fresh, m->uuid);
        if (e) {
            *moved += e->index != m->index;
            e->last_seen = m->last_seen > e->last_seen ? m->last_seen : e->last_seen;
            e->started = m->started;
            continue;
        }
        bool taken;
        held_pos(fresh, m->index, &taken);
        int32_t index = taken ? lowest_free(fresh) : m->index;
        *moved += taken;
        if (index == 0 || !(e = add(fresh, m->uuid, index)))
            return -1;
        e->last_seen = m->last_seen;
        e->started = m->started;
    }
    return 0;
}

/* While the file is protected: read it again when it changed. */
static enum indexstore_news retry_read(struct indexstore *s, int64_t now, char *msg, size_t len)
{
    struct indexstore_fileid id;
    file_id(s->path, &id);
    if (same_id(&id, &s->failed_id) && now - s->failed_at < INDEXSTORE_RETRY_S)
        return INDEXSTORE_QUIET;
    struct indexstore fresh;
    indexstore_init(&fresh);
    char err[700], what[1024];
    size_t moved = 0;
    if (indexstore_load(&fresh, s->path, err, sizeof(err)) != INDEXSTORE_LOADED) {
        clear_entries(&fresh);
        return protect(s, err, now, msg, len);
    }
    size_t from_file = fresh.count;
    if (merge(&fresh, s, &moved) != 0) {
        clear_entries(&fresh);
        return INDEXSTORE_QUIET; /* out of memory: tried again next round */
    }
    if (id.exists)
        snprintf(what, sizeof(what),
                 "%s can be read again: its %zu assignments are used (%zu VMs change vmIndex), "
                 "and it is written from now on",
                 s->path, from_file, moved);
    else
        snprintf(what, sizeof(what), "%s is gone: the %zu assignments in memory are written to it",
                 s->path, s->count);
    clear_entries(s);
    s->entries = fresh.entries;
    s->held = fresh.held;
    s->count = fresh.count;
    s->cap = fresh.cap;
    s->protect = false;
    s->dirty = true;
    return recovered(s, msg, len, what);
}

enum indexstore_news indexstore_sync(struct indexstore *s, int64_t now, char *msg, size_t len)
{
    if (!s->path)
        return INDEXSTORE_QUIET;
    if (s->protect)
        return retry_read(s, now, msg, len);
    if (!s->dirty && now - s->saved_at < INDEXSTORE_REFRESH_S)
        return INDEXSTORE_QUIET;
    char err[700], what[1024];
    if (indexstore_save(s, s->path, now, err, sizeof(err)) != 0) {
        snprintf(what, sizeof(what),
                 "%s; vmIndex values are kept in memory and written as soon as it works", err);
        return trouble(s, what, msg, len);
    }
    if (!s->problem)
        return INDEXSTORE_QUIET;
    snprintf(what, sizeof(what), "%s is written again", s->path);
    return recovered(s, msg, len, what);
}
