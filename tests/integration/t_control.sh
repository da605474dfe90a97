#!/bin/bash
# Control over SNMP (vmMibWriteAccess): off by default (notWritable), and
# when on: every vmAdminState transition on the test driver, live vCPU,
# memory and pinning changes, precise errors, all-or-nothing PDUs, logging.
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/examples/hypervisor.xml
A=$VMTABLE
set_() { snmpset -v2c -c private -t 3 -r 0 "$AGENT" "$@" 2>&1; }

# ---- default: exactly RFC 7666, read-only
start_agent ro "vmMibUri $URI
vmMibPollInterval 1" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
w=$(index_of web01)
check_match "default: vmAdminState is notWritable" notWritable "$(set_ $A.5.$w i 3)"
check_match "default: vmCurMem is notWritable" notWritable "$(set_ $A.13.$w i 1024)"
check_match "default: vmCurCpuNumber is notWritable" notWritable "$(set_ $A.9.$w i 1)"
check_match "default: vmCpuAffinity is notWritable" notWritable "$(set_ $VM.1.6.1.3.$w.1.1 i 2)"
check "default: nothing changed" 4 "$(sget $A.6.$w)"
stop_agent

# ---- write mode
start_agent rw "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
w=$(index_of web01) d=$(index_of db01) b=$(index_of batch01) g=$(index_of big01)

# The module's threads, as top -H and ps -T show them: the poll and round
# threads (bulk work over every VM) run 10 nicer than snmpd's main thread,
# which answers every MIB; the thread a SET waits for and libvirt's event
# loop (keepalive) do not.
nice_of() { # the nice value of AGENT_PID's thread named $1
    local t
    for t in /proc/"$AGENT_PID"/task/*; do
        [ "$(cat "$t/comm")" = "$1" ] && { sed 's/.*) //' "$t/stat" | awk '{ print $17 }'; return; }
    done
    echo "no thread $1"
}
main_nice=$(sed 's/.*) //' /proc/"$AGENT_PID"/stat | awk '{ print $17 }')
check "the poll thread runs 10 below snmpd's main thread" $((main_nice + 10)) "$(nice_of vmmib-poll)"
check "the round thread runs 10 below snmpd's main thread" $((main_nice + 10)) "$(nice_of vmmib-round)"
check "the control thread (a SET waits for it) runs as the main thread" "$main_nice" "$(nice_of vmmib-control)"
check "libvirt's event loop thread runs as the main thread" "$main_nice" "$(nice_of vmmib-events)"
oper_is() { wait_for "$1 oper $2" 8 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $A.6.$1 2>/dev/null)\" = $2 ]"; }
# transition VM NAME TARGET EXPECTED_OPER EXPECTED_ADMIN
transition() {
    local i=$1 name=$2 target=$3 oper=$4 admin=$5
    local t0 t1 out
    t0=$(date +%s%N)
    out=$(set_ $A.5.$i i $target)
    t1=$(date +%s%N)
    check_match "$name: SET vmAdminState = $target accepted" "INTEGER: $target" "$out"
    check_true "$name: the SET answered within one second ($(( (t1 - t0) / 1000000 )) ms)" \
        test $(( (t1 - t0) / 1000000 )) -lt 1000
    oper_is $i $oper
    check "$name: vmOperState after SET $target" "$oper" "$(sget $A.6.$i)"
    check "$name: vmAdminState after SET $target" "$admin" "$(sget $A.5.$i)"
}
transition $w web01 3 8 3     # running -> paused
transition $w web01 1 4 1     # paused -> running (resume)
transition $w web01 2 6 2     # running -> suspended (managed save)
transition $w web01 1 4 1     # suspended -> running (restores the save)
transition $w web01 4 11 4    # running -> shutdown (guest shutdown)
transition $w web01 1 4 1     # shutdown -> running (start)
transition $w web01 5 11 4    # destroy: forced off, reads shutdown(4)
transition $b batch01 4 11 4  # suspended -> shutdown: the saved image is dropped
transition $d db01 1 4 1      # paused -> running
transition $d db01 1 4 1      # already running: accepted, nothing to do
check_match "shut-off VM: paused makes no sense (inconsistentValue)" inconsistentValue "$(set_ $A.5.$g i 3)"
check_match "shut-off VM: suspended makes no sense (inconsistentValue)" inconsistentValue "$(set_ $A.5.$g i 2)"
check_match "vmAdminState 0 is wrongValue" wrongValue "$(set_ $A.5.$g i 0)"
check_match "vmAdminState 6 is wrongValue" wrongValue "$(set_ $A.5.$g i 6)"
check_match "a string is wrongType" wrongType "$(set_ $A.5.$g s running)"
check_match "an unknown vmIndex is noCreation" noCreation "$(set_ $A.5.99999 i 1)"
check_match "vmMaxMem is notWritable (no live, non-persistent change in libvirt)" notWritable "$(set_ $A.15.$d i 1)"
check_match "vmMinCpuNumber is notWritable" notWritable "$(set_ $A.10.$d i 1)"
check_match "vmName is notWritable" notWritable "$(set_ $A.2.$d s x)"
check "refused SETs changed nothing" 11 "$(sget $A.6.$g)"

# ---- one bad varbind: nothing is done
check_match "a PDU with one bad varbind is refused" inconsistentValue "$(set_ $A.5.$d i 3 $A.5.$g i 3)"
sleep 2
check "... and its good varbind was not applied" 4 "$(sget $A.6.$d)"

# ---- live vCPUs and memory (db01: 8 vCPUs of 8, 16 GiB of 16 GiB; web01 is off now)
transition $w web01 1 4 1
check "web01 has 2 of 4 vCPUs" "2 4" "$(sget $A.9.$w) $(sget $A.11.$w)"
check_match "vmCurCpuNumber 3 accepted" "INTEGER: 3" "$(set_ $A.9.$w i 3)"
wait_for "vcpus" 8 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $A.9.$w)\" = 3 ]"
check "vmCurCpuNumber reads 3" 3 "$(sget $A.9.$w)"
check "and vmCpuTable shows 3 vCPUs" 3 "$(swalk $VM.1.5.1.2.$w | grep -c .)"
check_match "vmCurCpuNumber above vmMaxCpuNumber is inconsistentValue" inconsistentValue "$(set_ $A.9.$w i 5)"
check_match "vmCurCpuNumber 0 is inconsistentValue" inconsistentValue "$(set_ $A.9.$w i 0)"
check_match "vmCurCpuNumber of a shut-off VM is inconsistentValue" inconsistentValue "$(set_ $A.9.$g i 1)"
unit=$(sget $A.12.$w)
max=$(sget $A.15.$w)
new=$(( max * 3 / 4 ))
check_match "vmCurMem within vmMaxMem accepted" "INTEGER: $new" "$(set_ $A.13.$w i $new)"
wait_for "mem" 8 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $A.13.$w)\" = $new ]"
check "vmCurMem reads the new value" "$new" "$(sget $A.13.$w)"
check_match "vmCurMem above vmMaxMem is inconsistentValue" inconsistentValue "$(set_ $A.13.$w i $((max + 1)))"

# ---- pinning (web01 vCPU 1 = vmCpuIndex 1; host CPUs as vmCpuPhysIndex)
AFF=$VM.1.6.1.3.$w.1
phys=$(swalk $AFF | awk '{ print $1 }')
first=$(echo "$phys" | head -1)
others=$(echo "$phys" | tail -n +2)
args=()
for p in $others; do args+=("$AFF.$p" i 2); done
check_match "disabling all host CPUs but one in one PDU is accepted" "INTEGER: 2" "$(set_ "${args[@]}")"
wait_for "pin" 8 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $AGENT $AFF | tr -d '\n')\" = \"1$(printf '2%.0s' $others)\" ]"
check "vCPU 1 may run on its first host CPU only" "1$(printf '2%.0s' $others)" "$(snmpwalk -v2c -c public -Oqv $AGENT $AFF | tr -d '\n')"
check_match "disabling the last enabled host CPU is inconsistentValue" inconsistentValue "$(set_ $AFF.$first i 2)"
check_match "vmCpuAffinity 3 is wrongValue" wrongValue "$(set_ $AFF.$first i 3)"
check_match "enable one and disable the other in one PDU is fine" "INTEGER: 1" \
    "$(set_ $AFF.$(echo "$others" | head -1) i 1 $AFF.$first i 2)"
sleep 2
check "... and both applied together" "21" "$(snmpwalk -v2c -c public -Oqv $AGENT $AFF | head -2 | tr -d '\n')"

# ---- a varbind that fails while acting: what was done before it is undone
# (db01's resume becomes a pause again); what cannot be undone (web01's
# destroy) is logged and makes the answer undoFailed (RFC 3416 4.2.5).  The
# pinning fails because web01 is off by then.
transition $d db01 3 8 3
check_match "a PDU whose last action fails after a destroy is answered undoFailed" undoFailed \
    "$(set_ $A.5.$d i 1 $A.5.$w i 5 $AFF.$first i 1)"
sleep 2.5
check "db01's resume was undone: paused again" 8 "$(sget $A.6.$d)"
check "web01's destroy could not be undone" 11 "$(sget $A.6.$w)"
check_match "the undo is logged" "vmAdminState\.$d \(db01\) = 1 .*: undone \(pause\) because a later varbind failed" \
    "$(cat "$AGENT_DIR/snmpd.log")"
check_match "what cannot be undone is logged" "vmAdminState\.$w \(web01\) = 5 .*: a later varbind failed, and destroy cannot be undone \(undoFailed\)" \
    "$(cat "$AGENT_DIR/snmpd.log")"

# ---- every control action is logged: who, what, result
log=$(cat "$AGENT_DIR/snmpd.log")
check_match "log names the requester, the object and the result" \
    "control: SET vmAdminState\.$w \(web01\) = 3 by 'private' \(SNMPv2c\) from UDP: \[127\.0\.0\.1\]:[0-9]+->.*: done" "$log"
check_match "refusals are logged with the reason" \
    "control: SET vmAdminState\.$g \(big01\) = 3 by 'private'.*refused \(inconsistentValue.*paused makes no sense while the VM is shutdown" "$log"
# Debian runs snmpd with -LOw: the audit trail must reach a warning-level journal.
journal=$(cat "$AGENT_DIR/journal.log")
check_match "an accepted state-changing SET reaches the journal: who, what, result" \
    "control: SET vmAdminState\.$w \(web01\) = 3 by 'private' \(SNMPv2c\) from UDP: \[127\.0\.0\.1\]:[0-9]+->.*: done" "$journal"
check_match "a live memory change reaches the journal" \
    "control: SET vmCurMem\.$w \(web01\) = $new by 'private'.*: done" "$journal"
check_match "a pinning change reaches the journal" \
    "control: SET vmCpuAffinity \(web01 vCPU 0 host CPU [0-9]+\) = 2 by 'private'.*: done" "$journal"
check_match "a refused SET of a read-only object names it, with the reason" \
    "control: SET vmName\.$d \(db01\) = .*refused \(notWritable.*vmName is read-only" "$log"
check_match "a refused SET of vmMaxMem names it, with the reason" \
    "control: SET vmMaxMem\.$d \(db01\) = .*refused \(notWritable.*libvirt cannot change it live" "$log"
finish
