/* vmStorageTable (vmObjects 7): one row per disk a VM defines. */
#ifndef VMMIB_AGENT_STORAGETABLE_H
#define VMMIB_AGENT_STORAGETABLE_H

#include "../model/view.h"

int storagetable_register(void);
void storagetable_unregister(void);
/* The view to answer from; also looks up the hrStorageIndex of each
 * mount point holding an image (vmStorageParent). */
void storagetable_publish(const struct view *v);

#endif
