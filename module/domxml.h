/* Parsing of a libvirt domain's XML description into struct vm_def.
 * Pure (libxml2 only), so fixtures are unit-tested without libvirt. */
#ifndef VMMIB_DOMXML_H
#define VMMIB_DOMXML_H

#include <stddef.h>

#include "snapshot.h"

/* 0 on success (def filled; fields it cannot find stay NULL), -1 when the
 * text is not a domain description. */
int vm_domxml_parse(const char *xml, size_t len, struct vm_def *def);

#endif
