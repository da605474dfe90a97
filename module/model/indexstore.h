/* vmIndex allocation and its persistence.
 *
 * A VM keeps its vmIndex (keyed by UUID) across polls, reloads and restarts.
 * Indexes are compact: a new VM gets the lowest index that no VM seen
 * within the quarantine holds, so vmIndex (and with it the bulk
 * notifications' bitmap, which is as long as the highest index) stays
 * close to the number of VMs however many come and go.  A VM not seen for
 * longer than the quarantine (the time a manager may still remember it) is
 * forgotten and its index may go to another VM.  Existing files keep their
 * assignments, whatever their indexes.
 *
 * The file: written through a new temporary file (never following a link,
 * mode 0600) renamed over the old one, so it is never torn; a file that
 * exists but cannot be read, or holds lines that are not ours, is never
 * overwritten: the store serves from memory until the file can be read
 * again.  Loading is O(n log n).  Pure C and POSIX file calls: unit-tested
 * without snmpd; used by the round thread only. */
#ifndef VMMIB_MODEL_INDEXSTORE_H
#define VMMIB_MODEL_INDEXSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define INDEXSTORE_MAX INT32_MAX
/* The file is rewritten at least this often so last-seen stays current. */
#define INDEXSTORE_REFRESH_S 3600
/* While the file cannot be read, it is tried again when it changes, and at
 * least this often. */
#define INDEXSTORE_RETRY_S 60

struct indexstore_entry {
    unsigned char uuid[16];
    int32_t index;
    int64_t last_seen; /* wall clock, seconds */
    int64_t started;   /* wall clock when last seen starting; 0 = not running */
};

/* What a file looked like when it could not be read. */
struct indexstore_fileid {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    mode_t mode;
    uid_t uid;
    int64_t mtime_ns;
};

struct indexstore {
    struct indexstore_entry *entries; /* sorted by uuid */
    size_t count, cap;
    int32_t *held; /* every entry's index, ascending (count of them) */
    bool dirty;    /* differs from the file */
    int64_t saved_at;
    int64_t round_at; /* time of the previous round (who was seen then) */
    /* The file, for indexstore_open and indexstore_sync. */
    char *path;
    bool protect; /* it exists but could not be read: never written */
    struct indexstore_fileid failed_id;
    int64_t failed_at;
    char *problem; /* the trouble last reported, to report each once */
};

/* What indexstore_open and indexstore_sync have to say. */
enum indexstore_news {
    INDEXSTORE_QUIET,     /* nothing */
    INDEXSTORE_TROUBLE,   /* a new problem, in msg (an error for the log) */
    INDEXSTORE_RECOVERED, /* a problem is over, in msg (a notice) */
};

/* indexstore_load's results. */
enum {
    INDEXSTORE_LOADED = 0,
    INDEXSTORE_MALFORMED = -1,  /* lines that are not ours (the others are kept) */
    INDEXSTORE_UNREADABLE = -2, /* exists but could not be opened or read */
};

void indexstore_init(struct indexstore *s);
void indexstore_free(struct indexstore *s);

/* The entry for uuid, or NULL. */
struct indexstore_entry *indexstore_find(struct indexstore *s, const unsigned char uuid[16]);

/* The entry for uuid with last_seen moved to now, or NULL if unknown.  A
 * round touches every VM it sees before indexstore_expire. */
struct indexstore_entry *indexstore_touch(struct indexstore *s, const unsigned char uuid[16],
                                          int64_t now);

/* The entry for uuid, created with the lowest free index if new.  NULL
 * only when memory runs out. */
struct indexstore_entry *indexstore_get(struct indexstore *s, const unsigned char uuid[16],
                                        int64_t now);

/* Forget VMs not seen since now - quarantine, freeing their indexes.  A VM
 * seen at the previous round (now - ...) and not at this one has just gone:
 * the file is marked for rewriting so its last-seen time is kept. */
void indexstore_expire(struct indexstore *s, int64_t now, int64_t quarantine);

/* Load path into an empty store.  A missing file is an empty store.
 * INDEXSTORE_MALFORMED keeps every good line and names the first bad one
 * in err; INDEXSTORE_UNREADABLE says why in err. */
int indexstore_load(struct indexstore *s, const char *path, char *err, size_t errlen);

/* Write atomically (a new 0600 temporary file, never following a link,
 * renamed over path).  0, or -1 with err. */
int indexstore_save(struct indexstore *s, const char *path, int64_t now, char *err, size_t errlen);

/* Load the store's file (the store keeps path).  A file that exists but
 * cannot be read, or is not all ours, is protected: never written until
 * it can be read (TROUBLE, once).  path NULL: memory only. */
enum indexstore_news indexstore_open(struct indexstore *s, const char *path, int64_t now, char *msg,
                                     size_t len);

/* Once a round: write what changed (or hourly), or, while the file is
 * protected, read it again when it changed (or every INDEXSTORE_RETRY_S)
 * and take its assignments back.  Each problem is reported once, and its
 * end once. */
enum indexstore_news indexstore_sync(struct indexstore *s, int64_t now, char *msg, size_t len);

#endif
