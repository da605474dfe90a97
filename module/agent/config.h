/* The vmMib* snmpd.conf tokens.  Recognised on lines after the dlmod line;
 * a bad value is reported with file and line by config_perror and the
 * previous value (the default) is kept. */
#ifndef VMMIB_AGENT_CONFIG_H
#define VMMIB_AGENT_CONFIG_H

#include "../model/configval.h"

void config_register(void);
void config_unregister(void);
/* The values read so far. */
const struct configval *config_get(void);

#endif
