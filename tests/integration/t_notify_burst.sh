#!/bin/bash
# Thousands of VMs changing state at once (a host going down, libvirt-guests
# suspending everything) must not stall snmpd: every per-VM notification is
# sent, in order, but spread over the main loop, so that no step of the
# main thread (a publish, a batch of notifications) takes long.  The VMs
# live in a private libvirtd's test:///default, which virsh changes from
# outside.
. "$(dirname "$0")/../lib.sh"
VMS=${VMMIB_BURST_VMS:-2000}
# Old code: one publish sent all of them at once, ~0.1 ms each (0.2 s).
MAX_STEP_US=50000
trap 'cleanup_agents; remove_session_libvirtd' EXIT
need_session_libvirtd
URI="test+unix:///default?socket=$LV_SOCK"
start_trapd || { fail "snmptrapd did not start"; finish; }
start_agent main "vmMibUri $URI
vmMibPollInterval 1
trap2sink 127.0.0.1:$TRAP_PORT public
vmMibPerVMNotifications yes
[snmp] debugTokens vmmib/model,vmmib/notify
[snmp] doDebugging 1" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 1 ]"

# The VMs: running, transient, one virsh session for all of them.
dir=$LV_DIR/burst
mkdir -p "$dir"
"$TOP/bench/gen-node.sh" "$VMS" 8 /nonexistent affinity | grep '<domain' |
    sed 's|<test:runstate>1</test:runstate>||' |
    awk -v d="$dir" '{ f = sprintf("%s/vm%06d.xml", d, NR - 1); print >f; close(f) }'
for ((i = 0; i < VMS; i++)); do printf 'create %s/vm%06d.xml\n' "$dir" $i; done |
    virsh -c "$URI" >/dev/null 2>&1
wait_for "$VMS VMs" 120 bash -c \
    "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = $((VMS + 1)) ]"
check "vmNumber.0 counts the $VMS new VMs" $((VMS + 1)) "$(sget $VM.1.2.0)"
sleep 2
: >"$AGENT_DIR/snmpd.log.before"
cp "$AGENT_DIR/snmpd.log" "$AGENT_DIR/snmpd.log.before"

for ((i = 0; i < VMS; i++)); do printf 'suspend vm%06d\n' $i; done | virsh -c "$URI" >/dev/null 2>&1
paused() { traps_of "$VM.0.4" | wc -l; }
wait_for "$VMS vmPaused notifications" 120 bash -c "[ \$(grep -c 'OID: \.$VM\.0\.4|' '$TRAP_LOG') -ge $VMS ]"
check "one vmPaused per VM" "$VMS" "$(paused)"
idx=$(traps_of "$VM.0.4" | grep -o "\.$VM\.1\.4\.1\.2\.[0-9]* " | sort -u | wc -l)
check "each names a different vmIndex" "$VMS" "$idx"
check "with vmOperState running(4) before" "$VMS" \
    "$(traps_of "$VM.0.4" | grep -c "\.$VM\.1\.4\.1\.6\.[0-9]* = INTEGER: 4")"

# The main thread's longest step since the burst began, in its own CPU
# time (the wall time also counts other processes on a busy machine).
steps=$(diff "$AGENT_DIR/snmpd.log.before" "$AGENT_DIR/snmpd.log" |
    grep -E 'published in|notifications in' | grep -oE '[0-9]+ us CPU' | sort -n | tail -1)
steps=${steps% us CPU}
echo "  (longest main-thread step during the burst: ${steps:-?} us of CPU)"
check_true "no main-thread step took over $MAX_STEP_US us of CPU (longest ${steps:-?} us)" \
    test "${steps:-999999999}" -le $MAX_STEP_US
finish
