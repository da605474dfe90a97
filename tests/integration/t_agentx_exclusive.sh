#!/bin/bash
# The dlmod and the AgentX subagent both enabled by mistake: one VM-MIB,
# whichever came first, and a clear log line from the other.
#  - snmpd (a master) already has the dlmod: vmmib-agentx sees that its
#    registrations are taken, exits with status 3 and says why, and leaves
#    the dlmod's registrations alone (the master would let a subagent's
#    unregistration remove them: Net-SNMP does not check who owns one);
#  - the subagent serves first and snmpd reloads with the dlmod: the module
#    stays inactive and says so; the subagent keeps serving and every state
#    change is notified once, not twice.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-agentx.sh"
T0=$SECONDS
need_agentx
URI=test://$TOP/examples/hypervisor.xml
count_walk() { full_walk "$1" | grep -c ' = '; }

# ---- 1. the dlmod first
SOCK=$VMMIB_RUNDIR/$TEST_NAME-dlmod/agentx.sock
if [ ${#SOCK} -ge 100 ]; then
    SOCK=$(mktemp -d /tmp/vmmib-ax.XXXXXX)/agentx.sock
    _ax_tmp=$(dirname "$SOCK")
fi
start_agent dlmod "vmMibUri $URI
vmMibPollInterval 1
master agentx
agentXSocket $SOCK" || finish
wait_for "first poll" 30 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
n_before=$(count_walk "$AGENT")
MASTER_SOCK=$SOCK
start_subagent sub "vmMibUri $URI
vmMibPollInterval 1"
rc=
for _ in $(seq 100); do
    if ! kill -0 "$SUB_PID" 2>/dev/null; then
        wait "$SUB_PID"
        rc=$?
        break
    fi
    sleep 0.2
done
check "the subagent exits with status 3 when the master already serves the VM-MIB" 3 "$rc"
log=$(cat "$SUB_DIR/agentx.log")
check_match "it says why, and what to do" \
    "the master agent already serves the VM-MIB \(duplicateRegistration\).*snmpd has the vmmib module loaded.*Serve it one way only" "$log"
check "it sent none of its registrations (no 'registering pdu failed')" 0 \
    "$(grep -c 'registering pdu failed' "$SUB_DIR/agentx.log")"
check "the master refused one registration: the subagent's check" 1 \
    "$(grep -c 'duplicate registration.*AgentX subagent' "$AGENT_DIR/snmpd.log")"
stop_agent "$SUB_PID" # in case it is still there
check "the dlmod still serves the whole VM-MIB after the subagent left ($n_before varbinds)" "$n_before" \
    "$(count_walk "$AGENT")"
stop_agent "$AGENT_PID"

# ---- 2. the subagent first; snmpd then reloads with the dlmod
start_trapd || { fail "snmptrapd did not start"; finish; }
start_master master "trap2sink 127.0.0.1:$TRAP_PORT public" || finish
start_subagent sub2 "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes"
wait_vms 4 30 || { fail "the subagent does not serve"; finish; }
n_before=$(count_walk "$MASTER")
cat >>"$MASTER_DIR/snmpd.conf" <<CONF
dlmod vmmib $VMMIB_SO
vmMibUri $URI
vmMibPollInterval 1
CONF
kill -HUP "$MASTER_PID"
wait_for "the dlmod's line" 15 grep -q 'vmmib: an AgentX subagent' "$MASTER_DIR/snmpd.log"
check_match "snmpd reloaded with the dlmod: the module stays inactive and says why" \
    "vmmib: an AgentX subagent \(vmmib-agentx\) already serves VM-MIB through this snmpd; the module stays inactive" \
    "$(cat "$MASTER_DIR/snmpd.log")"
check "no duplicate registration in the VM-MIB" 0 "$(grep -c 'duplicate registration.*\.1\.3\.6\.1\.2\.1\.236' "$MASTER_DIR/snmpd.log")"
sleep 2
check "the subagent keeps serving the whole VM-MIB ($n_before varbinds)" "$n_before" "$(count_walk "$MASTER")"
check_true "... the same process" kill -0 "$SUB_PID"
web=$(mindex_of web01)
check_match "a SET through the master reaches the subagent" "INTEGER: 3" \
    "$(snmpset -v2c -c private -t 3 -r 0 "$MASTER" "$VMTABLE.5.$web" i 3 2>&1)"
wait_for "vmPaused" 10 grep -q "OID: \.$VM\.0\.4|" "$TRAP_LOG"
sleep 3 # a second poller would notify within its next round
check "the state change is notified once, not twice" 1 "$(grep -c "OID: \.$VM\.0\.4|" "$TRAP_LOG")"
echo "  ($TEST_NAME took $((SECONDS - T0)) s)"
finish
