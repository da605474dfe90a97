/* One poll round against libvirt: every domain into snapshot rows.
 * Runs on the poller thread only; no Net-SNMP calls. */
#ifndef VMMIB_COLLECT_H
#define VMMIB_COLLECT_H

#include <libvirt/libvirt.h>

#include "snapshot.h"

/* Parsed domain definitions by UUID, re-read only when they may have changed. */
struct vm_def_cache;

struct vm_def_cache *vm_def_cache_new(void);
void vm_def_cache_free(struct vm_def_cache *c);
/* Forget the cached definition of one domain (a definition event arrived). */
void vm_def_cache_invalidate(struct vm_def_cache *c, const unsigned char uuid[16]);

/* Fill s->rows, s->host_cpus, s->cpumap_len.  0 on success; -1 when libvirt
 * could not list domains (s->error says why). */
int vm_collect(virConnectPtr conn, struct vm_def_cache *cache, struct vm_snapshot *s);

#endif
