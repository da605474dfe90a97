/* Parsed domain definitions by UUID, so that a round re-reads a domain's
 * XML only when it may have changed: the domain is new, started or stopped
 * since (the live XML differs), an event said so, or the copy is older than
 * DEFCACHE_REFRESH_MS.  A hash table: a round costs O(domains).  Poll
 * thread only. */
#ifndef VMMIB_POLL_DEFCACHE_H
#define VMMIB_POLL_DEFCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "../model/domxml.h"

#define DEFCACHE_REFRESH_MS (60 * 1000)

struct defcache;

struct defcache *defcache_new(void);
void defcache_free(struct defcache *c);

/* The cached definition when still good for a domain that is `active`
 * now; NULL when it must be read again.  Marks it seen this round. */
const struct domxml_def *defcache_get(struct defcache *c, const unsigned char uuid[16], bool active,
                                      int64_t now_ms);
/* The cached definition whatever its age (to keep when re-reading fails). */
const struct domxml_def *defcache_stale(struct defcache *c, const unsigned char uuid[16]);
/* Store a fresh definition (taken over).  NULL when memory runs out (def
 * is then cleared). */
const struct domxml_def *defcache_put(struct defcache *c, const unsigned char uuid[16],
                                      struct domxml_def *def, bool active, int64_t now_ms);
/* An event said the definition may have changed. */
void defcache_invalidate(struct defcache *c, const unsigned char uuid[16]);
/* End of a round: forget domains not seen in it. */
void defcache_sweep(struct defcache *c);

#endif
