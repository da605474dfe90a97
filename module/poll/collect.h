/* One round against libvirt: every domain into a raw snapshot.  One
 * virConnectGetAllDomainStats call for everything the driver offers in
 * bulk (QEMU: state, balloon, vCPU, block), per-domain calls only for what
 * the bulk answer lacks (the test driver gives only state), and a domain's
 * XML only when its definition may have changed.  A call that fails for
 * one domain costs that domain's fresh values (the row is marked stale),
 * never the round.  Poll thread only. */
#ifndef VMMIB_POLL_COLLECT_H
#define VMMIB_POLL_COLLECT_H

#include <libvirt/libvirt.h>

#include "../model/snapshot.h"
#include "defcache.h"

/* Fill s->rows, s->host_cpus, s->cpumap_len.  0, or -1 when libvirt could
 * not list the domains (s->error says why). */
int collect_round(virConnectPtr conn, struct defcache *cache, struct snapshot *s);

#endif
