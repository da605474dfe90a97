#!/bin/bash
# vmmib-agentx with write access (vmMibWriteAccess yes), through a private
# snmpd master: SETs arrive as AgentX TestSet/CommitSet/UndoSet/CleanupSet
# and behave as through the dlmod (t_control.sh): state changes, live vCPUs
# and memory, all-or-nothing PDUs, the undo of what a PDU did when a later
# varbind fails; every SET logged.  Notifications travel over AgentX to the
# master, which sends them to its own trap sink (the subagent has none),
# also after the subagent re-read its configuration (SIGHUP).  A SIGHUP
# that arrives while a SET is between its AgentX phases waits for its end:
# re-registering then would crash the master (Net-SNMP 5.9.3's snmpd
# segfaults when a subagent unregisters what a pending SET points to).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-agentx.sh"
T0=$SECONDS
need_agentx
URI=test://$TOP/examples/hypervisor.xml
A=$VMTABLE
set_() { snmpset -v2c -c private -t 3 -r 0 "$MASTER" "$@" 2>&1; }
oper_is() { wait_for "$1 oper $2" 8 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $MASTER $A.6.$1 2>/dev/null)\" = $2 ]"; }

start_trapd || { fail "snmptrapd did not start"; finish; }
# The master leaves UCD-SNMP-MIB's version group to a second subagent
# (snmpd -X), for the SET that spans two subagents below.
MASTER_ARGS="-I -versioninfo" start_master master "trap2sink 127.0.0.1:$TRAP_PORT public" || finish
start_subagent sub "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes"
wait_vms 4 30 || { fail "the subagent does not serve"; tail "$SUB_DIR/agentx.log"; finish; }
check "the subagent's configuration has no trap sink (notifications can only go through the master)" "" \
    "$(grep -iE 'trap|inform' "$SUB_DIR/vmmib-agentx.conf")"
w=$(mindex_of web01) d=$(mindex_of db01) b=$(mindex_of batch01)
g=$(mindex_of big01)
P=$VM.0 # vmNotifications

# transition VM NAME TARGET EXPECTED_OPER EXPECTED_ADMIN
transition() {
    local i=$1 name=$2 target=$3 oper=$4 admin=$5 t0 ms out
    t0=$(date +%s%N)
    out=$(set_ $A.5.$i i $target)
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    check_match "$name: SET vmAdminState = $target through the master accepted" "INTEGER: $target" "$out"
    check_true "$name: the SET answered within one second ($ms ms)" test "$ms" -lt 1000
    oper_is $i $oper
    check "$name: vmOperState after SET $target" "$oper" "$(mget $A.6.$i)"
    check "$name: vmAdminState after SET $target" "$admin" "$(mget $A.5.$i)"
}
# Only notifications after the last mark count.
MARK=0
since_mark() { tail -n +$((MARK + 1)) "$TRAP_LOG"; }
# expect_trap DESCRIPTION NOTIFICATION INDEX NAME PREV_OPER: exactly one, within 10 s
expect_trap() {
    local d=$1 n=$2 i=$3 name=$4 prev=$5 pat lines
    pat="OID: \.$P\.$n\|.*\.$A\.2\.$i = STRING: \"$name\""
    wait_for "$d" 10 bash -c "tail -n +$((MARK + 1)) '$TRAP_LOG' | grep -qE '$pat'"
    sleep 1.5 # a second copy would come within the same round
    lines=$(since_mark | grep -E "$pat")
    check "$d: exactly one notification $P.$n for $name reached snmptrapd through the master" 1 \
        "$(grep -c . <<<"$lines")"
    check_match "$d: it carries the previous vmOperState ($prev)" "\.$A\.6\.$i = INTEGER: $prev(\||$)" "$lines"
    MARK=$(wc -l <"$TRAP_LOG")
}

transition $w web01 3 8 3 # running -> paused
expect_trap "pause" 4 $w web01 4
transition $w web01 1 4 1 # paused -> running
expect_trap "resume" 1 $w web01 8

# ---- SIGHUP: the connection is also the notification session; a reload
# re-reads the configuration without losing it
kill -HUP "$SUB_PID"
wait_for "reload" 10 grep -q 're-reading the configuration' "$SUB_DIR/agentx.log"
wait_vms 4 20
transition $w web01 2 6 2 # running -> suspended (managed save)
expect_trap "after SIGHUP, managed save" 6 $w web01 4
transition $w web01 1 4 1 # restores the save
transition $b batch01 4 11 4 # suspended -> shutdown: the saved image is dropped
transition $d db01 1 4 1 # paused -> running
check_match "shut-off VM: paused makes no sense (inconsistentValue)" inconsistentValue "$(set_ $A.5.$g i 3)"
check_match "vmAdminState 6 is wrongValue" wrongValue "$(set_ $A.5.$g i 6)"
check_match "a string is wrongType" wrongType "$(set_ $A.5.$g s running)"
check_match "an unknown vmIndex is noCreation" noCreation "$(set_ $A.5.99999 i 1)"
check_match "vmMaxMem is notWritable" notWritable "$(set_ $A.15.$d i 1)"

# ---- one bad varbind: nothing is done (TestSet fails, CleanupSet frees)
check_match "a PDU with one bad varbind is refused" inconsistentValue "$(set_ $A.5.$d i 3 $A.5.$g i 3)"
sleep 2
check "... and its good varbind was not applied" 4 "$(mget $A.6.$d)"

# ---- live vCPUs and memory
check_match "vmCurCpuNumber 3 accepted" "INTEGER: 3" "$(set_ $A.9.$w i 3)"
wait_for "vcpus" 8 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $MASTER $A.9.$w)\" = 3 ]"
check "vmCurCpuNumber reads 3 and vmCpuTable has 3 rows" "3 3" \
    "$(mget $A.9.$w) $(snmpwalk -v2c -c public -Oqv "$MASTER" "$VM.1.5.1.2.$w" | grep -c .)"
max=$(mget $A.15.$w)
new=$(( max * 3 / 4 ))
check_match "vmCurMem within vmMaxMem accepted" "INTEGER: $new" "$(set_ $A.13.$w i $new)"
wait_for "mem" 8 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $MASTER $A.13.$w)\" = $new ]"
check "vmCurMem reads the new value" "$new" "$(mget $A.13.$w)"

# ---- the undo path: CommitSet fails on the pinning (web01 is off by then),
# the master sends UndoSet: db01's resume becomes a pause again, web01's
# destroy cannot be undone, is logged, and makes the answer undoFailed
AFF=$VM.1.6.1.3.$w.1
off=$(snmpwalk -v2c -c public -On -Oq "$MASTER" "$AFF" | awk '$2 == 2 { n = split($1, a, "."); print a[n]; exit }')
transition $d db01 3 8 3
check_match "a PDU whose last action fails after a destroy is answered undoFailed, as through the dlmod" \
    undoFailed "$(set_ $A.5.$d i 1 $A.5.$w i 5 "$AFF.$off" i 1)"
sleep 2.5
check "db01's resume was undone: paused again" 8 "$(mget $A.6.$d)"
check "web01's destroy could not be undone" 11 "$(mget $A.6.$w)"
log=$(cat "$SUB_DIR/agentx.log")
check_match "the undo is logged" "vmAdminState\.$d \(db01\) = 1 .*: undone \(pause\) because a later varbind failed" "$log"
check_match "what cannot be undone is logged" "vmAdminState\.$w \(web01\) = 5 .*: a later varbind failed, and destroy cannot be undone" "$log"
check_match "the log says the SET came through the AgentX master (AgentX does not name the manager)" \
    "control: SET vmAdminState\.$w \(web01\) = 3 by the AgentX master \(AgentX does not say which manager\): done" "$log"
check "no Net-SNMP complaint about the SET phases" "" \
    "$(grep -E 'restore_set_vars|wrong mode|dropping bad AgentX' "$SUB_DIR/agentx.log")"

# ---- SIGHUP during a SET: one PDU for two subagents, the other one
# (Net-SNMP's own snmpd -X serving versionDoDebugging) stopped for half a
# second, so that the master holds the SET between TestSet and CommitSet
# while the SIGHUP arrives
B_DIR=$VMMIB_RUNDIR/$TEST_NAME-other
mkdir -p "$B_DIR"
echo "agentXSocket $MASTER_SOCK" >"$B_DIR/snmpd.conf"
SNMP_PERSISTENT_DIR=$B_DIR snmpd -X -f -C -c "$B_DIR/snmpd.conf" -Lf "$B_DIR/snmpd.log" -I versioninfo \
    >"$B_DIR/stderr.log" 2>&1 &
B_PID=$!
_agents+=("$B_PID")
DBG=1.3.6.1.4.1.2021.100.20.0 # UCD-SNMP-MIB::versionDoDebugging.0
wait_for "second subagent" 15 bash -c "snmpget -v2c -c public -t 1 -r 0 -Oqv $MASTER $DBG 2>/dev/null | grep -qx 0"
check "the second subagent serves versionDoDebugging through the master" 0 "$(mget $DBG)"
reloads=$(grep -c 're-reading the configuration' "$SUB_DIR/agentx.log")
kill -STOP "$B_PID"
set_ "$VM.1.9.0" i 1 "$DBG" i 0 >"$B_DIR/set.out" &
set_pid=$!
sleep 0.2
kill -HUP "$SUB_PID"
sleep 0.3
kill -CONT "$B_PID"
wait "$set_pid"
check_match "a SET spanning both subagents succeeds although the subagent got SIGHUP in its middle" \
    "236\.1\.9\.0 = INTEGER: 1" "$(cat "$B_DIR/set.out")"
check_true "the master survived" kill -0 "$MASTER_PID"
check_match "... and answers" "^[0-9]+:" "$(mget 1.3.6.1.2.1.1.3.0)"
wait_for "deferred reload" 10 bash -c "[ \$(grep -c 're-reading the configuration' '$SUB_DIR/agentx.log') -gt $reloads ]"
check "the subagent re-read its configuration once the SET was over" $((reloads + 1)) \
    "$(grep -c 're-reading the configuration' "$SUB_DIR/agentx.log")"
wait_vms 4 20
check "... and serves the VM-MIB" 4 "$(mget "$VM.1.2.0")"
echo "  ($TEST_NAME took $((SECONDS - T0)) s)"
finish
