/* vmNetworkTable (vmObjects 8): one row per NIC a VM defines. */
#ifndef VMMIB_AGENT_NETTABLE_H
#define VMMIB_AGENT_NETTABLE_H

#include "../model/view.h"

int nettable_register(void);
void nettable_unregister(void);
void nettable_publish(const struct view *v);

#endif
