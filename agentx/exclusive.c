/* See exclusive.h. */
#include "exclusive.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "link.h"

/* Exported by libnetsnmpagent without an installed header. */
extern netsnmp_session *main_session;
void agentx_unregister_callbacks(netsnmp_session *ss);
int agentx_unregister(netsnmp_session *ss, oid start[], size_t startlen, int priority,
                      int range_subid, oid range_ubound, const char *contextName);

/* RFC 2741: the Register PDU, its instance flag, and the refusal. */
enum {
    EXCLUSIVE_MSG_REGISTER = 3,
    EXCLUSIVE_MSG_RESPONSE = 18,
    EXCLUSIVE_FLAG_INSTANCE = 0x01,
    EXCLUSIVE_DUPLICATE = 263,
};

static const oid vmmib_root[] = {1, 3, 6, 1, 2, 1, 236};

static bool conflict;

/* The answer to our own Register PDU; everything else on the connection
 * is the subagent's business. */
static int exclusive_input(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
    struct synch_state *state = magic;
    if (!state || reqid != state->reqid || op == NETSNMP_CALLBACK_OP_DISCONNECT)
        return link_dispatch(op, s, reqid, pdu, magic);
    state->waiting = 0;
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu &&
        pdu->command == EXCLUSIVE_MSG_RESPONSE) {
        state->pdu = snmp_clone_pdu(pdu);
        state->status = STAT_SUCCESS;
    } else {
        state->pdu = NULL;
        state->status = op == NETSNMP_CALLBACK_OP_TIMED_OUT ? STAT_TIMEOUT : STAT_ERROR;
    }
    return 1;
}

/* Register what the module registered first, and take it back at once:
 * the master's answer says whether VM-MIB is free there.  Returns the
 * AgentX error, or -1 when there was no answer. */
static long exclusive_probe(netsnmp_session *ss, const netsnmp_subtree *t)
{
    netsnmp_pdu *pdu = snmp_pdu_create(EXCLUSIVE_MSG_REGISTER);
    if (!pdu)
        return -1;
    pdu->time = 0;
    pdu->priority = t->priority;
    pdu->sessid = ss->sessid;
    pdu->range_subid = t->range_subid;
    if (t->flags & FULLY_QUALIFIED_INSTANCE)
        pdu->flags |= EXCLUSIVE_FLAG_INSTANCE;
    if (t->range_subid) {
        snmp_pdu_add_variable(pdu, t->name_a, t->namelen, ASN_OBJECT_ID, t->name_a,
                              t->namelen * sizeof(oid));
        pdu->variables->val.objid[t->range_subid - 1] = t->range_ubound;
    } else {
        snmp_add_null_var(pdu, t->name_a, t->namelen);
    }
    netsnmp_pdu *response = NULL;
    if (snmp_synch_response_cb(ss, pdu, &response, exclusive_input) != STAT_SUCCESS || !response)
        return -1;
    long err = response->errstat;
    snmp_free_pdu(response);
    if (err == SNMP_ERR_NOERROR && main_session == ss)
        agentx_unregister(ss, t->name_a, t->namelen, t->priority, t->range_subid, t->range_ubound,
                          NULL);
    return err;
}

/* The first of the module's registrations, in the order Net-SNMP sends
 * them to the master (the registry's, by OID). */
static netsnmp_subtree *exclusive_first(void)
{
    for (netsnmp_subtree *t = netsnmp_subtree_find_first(""); t; t = t->next)
        if (t->reginfo && t->namelen > OID_LENGTH(vmmib_root) &&
            snmp_oid_compare(t->name_a, OID_LENGTH(vmmib_root), vmmib_root,
                             OID_LENGTH(vmmib_root)) == 0)
            return t;
    return NULL;
}

/* A connection was opened: Net-SNMP calls this before it sends the
 * registrations made so far (vmmib's are made before the first one). */
static int exclusive_on_open(int major, int minor, void *serverarg, void *clientarg)
{
    (void)major;
    (void)minor;
    (void)clientarg;
    netsnmp_session *ss = serverarg;
    netsnmp_subtree *t = exclusive_first();
    if (conflict || !ss || !t)
        return 0;
    if (exclusive_probe(ss, t) != EXCLUSIVE_DUPLICATE || main_session != ss)
        return 0;
    conflict = true;
    /* From now on nothing of ours reaches the master: no registration, no
     * unregistration (which the master would apply to the owner's), no
     * notification. */
    agentx_unregister_callbacks(ss);
    remove_trap_session(ss);
    return 0;
}

int exclusive_start(void)
{
    return snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
                                  exclusive_on_open, NULL) == SNMPERR_SUCCESS
               ? 0
               : -1;
}

bool exclusive_conflict(void)
{
    return conflict;
}

void exclusive_stop(void)
{
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
                             exclusive_on_open, NULL, 1);
}
