#include "defcache.h"

#include <stdlib.h>
#include <string.h>

struct entry {
    bool used;
    unsigned char uuid[16];
    struct domxml_def def;
    bool active;     /* activity when the definition was read (live XML differs) */
    int64_t read_ms; /* when it was read */
    bool seen;       /* present in the current round */
    bool invalid;    /* re-read at the next round */
};

/* Open addressing with linear probing; entries leave only in a sweep,
 * which rebuilds the table, so no tombstones are needed. */
struct defcache {
    struct entry *slots;
    size_t cap, n; /* cap is a power of two, n <= cap / 2 */
};

static size_t hash(const unsigned char uuid[16])
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ uuid[i]) * 1099511628211ull;
    return (size_t)h;
}

static struct entry *slot_for(struct entry *slots, size_t cap, const unsigned char uuid[16])
{
    size_t i = hash(uuid) & (cap - 1);
    while (slots[i].used && memcmp(slots[i].uuid, uuid, 16) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

struct defcache *defcache_new(void)
{
    struct defcache *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->cap = 64;
    c->slots = calloc(c->cap, sizeof(*c->slots));
    if (!c->slots) {
        free(c);
        return NULL;
    }
    return c;
}

void defcache_free(struct defcache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i].used)
            domxml_clear(&c->slots[i].def);
    free(c->slots);
    free(c);
}

static struct entry *find(struct defcache *c, const unsigned char uuid[16])
{
    struct entry *e = slot_for(c->slots, c->cap, uuid);
    return e->used ? e : NULL;
}

const struct domxml_def *defcache_get(struct defcache *c, const unsigned char uuid[16], bool active,
                                      int64_t now_ms)
{
    struct entry *e = find(c, uuid);
    if (!e || e->invalid || e->active != active || now_ms - e->read_ms >= DEFCACHE_REFRESH_MS)
        return NULL;
    e->seen = true;
    return &e->def;
}

const struct domxml_def *defcache_stale(struct defcache *c, const unsigned char uuid[16])
{
    struct entry *e = find(c, uuid);
    if (!e)
        return NULL;
    e->seen = true;
    return &e->def;
}

/* Move every entry `keep` accepts into a table of cap slots. */
static int rehash(struct defcache *c, size_t cap, bool only_seen)
{
    struct entry *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < c->cap; i++) {
        struct entry *e = &c->slots[i];
        if (!e->used)
            continue;
        if (only_seen && !e->seen) {
            domxml_clear(&e->def);
            continue;
        }
        if (only_seen)
            e->seen = false;
        *slot_for(slots, cap, e->uuid) = *e;
        n++;
    }
    free(c->slots);
    c->slots = slots;
    c->cap = cap;
    c->n = n;
    return 0;
}

const struct domxml_def *defcache_put(struct defcache *c, const unsigned char uuid[16],
                                      struct domxml_def *def, bool active, int64_t now_ms)
{
    struct entry *e = find(c, uuid);
    if (!e) {
        if ((c->n + 1) * 2 > c->cap && rehash(c, c->cap * 2, false) != 0) {
            domxml_clear(def);
            return NULL;
        }
        e = slot_for(c->slots, c->cap, uuid);
        memset(e, 0, sizeof(*e));
        e->used = true;
        memcpy(e->uuid, uuid, 16);
        c->n++;
    } else {
        domxml_clear(&e->def);
    }
    e->def = *def;
    memset(def, 0, sizeof(*def));
    e->active = active;
    e->read_ms = now_ms;
    e->seen = true;
    e->invalid = false;
    return &e->def;
}

void defcache_invalidate(struct defcache *c, const unsigned char uuid[16])
{
    struct entry *e = find(c, uuid);
    if (e)
        e->invalid = true;
}

void defcache_sweep(struct defcache *c)
{
    size_t cap = c->cap;
    /* Shrink when most of the table went away. */
    while (cap > 64 && c->n * 8 < cap)
        cap /= 2;
    if (rehash(c, cap, true) != 0) {
        /* Out of memory: keep everything one more round. */
        for (size_t i = 0; i < c->cap; i++)
            c->slots[i].seen = false;
    }
}
