/* See link.h. */
#include "link.h"

#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include <time.h>

/* Net-SNMP's subagent (libnetsnmpagent) exports these without installing
 * the header that declares them (agent/mibgroup/agentx/subagent.h). */
extern netsnmp_session *main_session;
int handle_agentx_packet(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic);
int subagent_startup(int major, int minor, void *serverarg, void *clientarg);

/* RFC 2741, 6.1: the PDU types of a SET. */
enum { LINK_MSG_TESTSET = 8, LINK_MSG_CLEANUPSET = 11 };

/* A master that sends no CleanupSet within this long has given up on the
 * SET (its own timeout is seconds); the reload may go ahead. */
#define LINK_SET_GIVE_UP_MS 10000
#define LINK_MAX_PENDING 32

static struct {
    long transid;
    int64_t since_ms;
} pending[LINK_MAX_PENDING];
static size_t n_pending;

static int64_t link_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void link_forget(size_t i)
{
    pending[i] = pending[--n_pending];
}

/* TestSet opens a transaction, CleanupSet closes it (RFC 2741, 7.2.5: the
 * master ends every SET with a CleanupSet, accepted or not). */
static void link_note(const netsnmp_pdu *pdu)
{
    if (pdu->command == LINK_MSG_TESTSET && n_pending < LINK_MAX_PENDING) {
        pending[n_pending].transid = pdu->transid;
        pending[n_pending++].since_ms = link_now_ms();
    } else if (pdu->command == LINK_MSG_CLEANUPSET) {
        for (size_t i = 0; i < n_pending; i++)
            if (pending[i].transid == pdu->transid) {
                link_forget(i);
                break;
            }
    }
}

int link_dispatch(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu)
        link_note(pdu);
    else if (op == NETSNMP_CALLBACK_OP_DISCONNECT)
        n_pending = 0; /* the master forgot them too */
    return handle_agentx_packet(op, s, reqid, pdu, magic);
}

/* A connection was opened: its PDUs go through link_dispatch. */
static int link_opened(int major, int minor, void *serverarg, void *clientarg)
{
    (void)major;
    (void)minor;
    (void)clientarg;
    netsnmp_session *s = serverarg;
    if (s && s->callback == handle_agentx_packet)
        s->callback = link_dispatch;
    n_pending = 0;
    return 0;
}

int link_start(void)
{
    return snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
                                  link_opened, NULL) == SNMPERR_SUCCESS
               ? 0
               : -1;
}

void link_started(void)
{
    snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
                             subagent_startup, NULL, 1);
}

bool link_idle(void)
{
    int64_t now = link_now_ms();
    for (size_t i = 0; i < n_pending;)
        if (now - pending[i].since_ms > LINK_SET_GIVE_UP_MS)
            link_forget(i);
        else
            i++;
    return n_pending == 0;
}

bool link_connected(void)
{
    return main_session != NULL;
}

void link_stop(void)
{
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START, link_opened,
                             NULL, 1);
}
