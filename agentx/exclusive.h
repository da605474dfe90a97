/* One VM-MIB per master agent.
 *
 * The master refuses a second registration of the same subtree at the
 * same priority (duplicateRegistration), and it does not check who owns a
 * registration an AgentX Unregister names.  So a subagent started while
 * snmpd's vmmib dlmod (or another vmmib-agentx) serves VM-MIB would poll
 * libvirt and send every notification a second time while serving
 * nothing, and on exit its unregistrations would remove the dlmod's.
 * Each time the connection is (re)opened, before Net-SNMP sends the
 * registrations made so far, the subagent asks the master whether the
 * first of them is free; if it is taken, no VM-MIB registration,
 * unregistration or notification reaches the master any more, and the
 * program exits.  (A reload unregisters and registers again on the same
 * connection, a few AgentX round trips apart, and is not checked.) */
#ifndef VMMIB_AGENTX_EXCLUSIVE_H
#define VMMIB_AGENTX_EXCLUSIVE_H

#include <stdbool.h>

/* Watch connections from now on (before the first one). */
int exclusive_start(void);
/* The master already serves VM-MIB from someone else. */
bool exclusive_conflict(void);
/* Forget the callbacks. */
void exclusive_stop(void);

#endif
