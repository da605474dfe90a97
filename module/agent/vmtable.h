/* vmTable (vmObjects 4): one row per domain. */
#ifndef VMMIB_AGENT_VMTABLE_H
#define VMMIB_AGENT_VMTABLE_H

#include "../model/view.h"

int vmtable_register(void);
void vmtable_unregister(void);
/* The view to answer from from now on (NULL: none). */
void vmtable_publish(const struct view *v);

#endif
