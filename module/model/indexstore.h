/* vmIndex allocation and its persistence.
 *
 * A VM keeps its vmIndex (keyed by UUID) across polls, reloads and restarts.
 * Indexes are handed out from a counter that only grows, so an index that a
 * manager may still remember is never given to another VM; only when the
 * counter reaches 2^31-1 is an index reused: the smallest one no remembered
 * VM holds.
 * Entries of VMs not seen for `retention` seconds are forgotten so the file
 * stays small.  Pure C and stdio: unit-tested without snmpd. */
#ifndef VMMIB_MODEL_INDEXSTORE_H
#define VMMIB_MODEL_INDEXSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define INDEXSTORE_MAX INT32_MAX

struct indexstore_entry {
    unsigned char uuid[16];
    int32_t index;
    int64_t last_seen; /* wall clock, seconds */
    int64_t started;   /* wall clock when last seen starting; 0 = not running */
};

struct indexstore {
    struct indexstore_entry *entries; /* sorted by uuid */
    size_t count, cap;
    int32_t next; /* next never-used index */
    bool dirty;   /* differs from the file */
    int64_t saved_at;
};

void indexstore_init(struct indexstore *s);
void indexstore_free(struct indexstore *s);

/* The entry for uuid, or NULL. */
struct indexstore_entry *indexstore_find(struct indexstore *s, const unsigned char uuid[16]);

/* The entry for uuid, created with a fresh index if new.  NULL only when
 * memory runs out or every index is taken by a VM seen within `retention`. */
struct indexstore_entry *indexstore_get(struct indexstore *s, const unsigned char uuid[16],
                                        int64_t now);

/* Forget VMs not seen since now - retention. */
void indexstore_expire(struct indexstore *s, int64_t now, int64_t retention);

/* Load from path.  A missing file is an empty store (returns 0).  On a
 * malformed file returns -1 with a message in err, keeping what was parsed. */
int indexstore_load(struct indexstore *s, const char *path, char *err, size_t errlen);

/* Write atomically (temporary file + rename).  0 or -1 with err. */
int indexstore_save(struct indexstore *s, const char *path, int64_t now, char *err, size_t errlen);

#endif
