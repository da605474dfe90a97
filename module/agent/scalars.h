/* The hypervisor group (vmHvSoftware .. vmHvUpTime), vmNumber and
 * vmTableLastChange. */
#ifndef VMMIB_AGENT_SCALARS_H
#define VMMIB_AGENT_SCALARS_H

#include <stdint.h>

#include "../model/view.h"

int scalars_register(void);
void scalars_unregister(void);
/* The view to answer from, and when (CLOCK_BOOTTIME ms) a row last
 * appeared or went away (0: never). */
void scalars_publish(const struct view *v, int64_t last_change_ms);

#endif
