/* The AgentX connection to the master, as vmmib-agentx needs to see it.
 *
 * Net-SNMP's subagent code owns the connection (main_session): it opens it
 * after the configuration is read, pings the master and reopens it when
 * the master goes away.  Two things it does not do for a subagent that
 * re-reads its configuration are done here:
 *  - a SET reaches a subagent as several AgentX PDUs (TestSet, CommitSet,
 *    UndoSet, CleanupSet) whose requests Net-SNMP keeps between them,
 *    pointing into the handlers; a reload in between would free those
 *    handlers under them, so a reload waits until no SET is in progress;
 *  - the library's "configuration read, connect now" callback would try to
 *    open a second connection on every reload, so it runs only at start. */
#ifndef VMMIB_AGENTX_LINK_H
#define VMMIB_AGENTX_LINK_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <stdbool.h>

/* Watch connections from now on (before init_snmp). */
int link_start(void);
/* After init_snmp: later configuration reads do not connect again. */
void link_started(void);
/* No SET is between its phases: the handlers may be replaced. */
bool link_idle(void);
/* Is the program connected to the master? */
bool link_connected(void);
/* Net-SNMP's handling of a PDU from the master, with the SET bookkeeping;
 * for code that waits for an answer of its own on the connection. */
int link_dispatch(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic);
void link_stop(void);

#endif
