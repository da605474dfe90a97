#!/bin/bash
# A hung libvirtd with SETs queued (issue 15, point 1): with write access on,
# the real session libvirtd is stopped (SIGSTOP) while a manager keeps
# sending vmAdminState SETs; keepalive gives up on the connection, the
# poller reconnects, the daemon comes back (SIGCONT).  snmpd must survive,
# keep answering other MIBs meanwhile, and serve the VM again afterwards.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-qemu.sh"

rc=0
qemu_fixture_start || rc=$?
[ $rc -eq 0 ] || qemu_finish

N=${QEMU_PREFIX}hang
disk=$(qemu_disk hang 32M) || { fail "qemu-img"; qemu_finish; }
qemu_define "$N" 1 64 "$disk" vda virtio || { fail "virsh define"; qemu_finish; }
qemu_start "$N" || { fail "virsh start"; qemu_finish; }
qemu_private_module
start_agent qemu "vmMibUri $LV_URI
vmMibPollInterval 1
vmMibWriteAccess yes" || qemu_finish
wait_for "first poll" 40 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 2>/dev/null | grep -q '$N'" ||
    { fail "the domain never showed up"; qemu_finish; }
i=$(index_of "$N")
wait_for "running" 40 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$i)\" = 4 ]" ||
    { fail "the domain never showed running"; qemu_finish; }

lvd=$(cat "$LV_DIR/libvirt/libvirtd.pid" 2>/dev/null)
if [ -z "$lvd" ] || ! kill -0 "$lvd" 2>/dev/null; then
    fail "no libvirtd pid file in $LV_DIR/libvirt"
    qemu_finish
fi
kill -STOP "$lvd"
# SETs every 2 s for 40 s (pause, then running, alternately), while the
# other MIBs must keep answering; keepalive (5 s x 3) closes the connection
# within that time and the poller tries again.
answered=0 worst=0 setters=()
for k in $(seq 20); do
    v=$((k % 2 ? 3 : 1))
    snmpset -v2c -c private -t 3 -r 0 "$AGENT" $VMTABLE.5.$i i $v >/dev/null 2>&1 &
    setters+=($!)
    t0=$(date +%s%N)
    if snmpget -v2c -c public -t 1 -r 0 -Oqv "$AGENT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
        answered=$((answered + 1))
    fi
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    [ $ms -gt $worst ] && worst=$ms
    kill -0 "$AGENT_PID" 2>/dev/null || break
    sleep 2
done
# Only our snmpset processes: the agent and the daemons are children too.
wait "${setters[@]}" 2>/dev/null
kill -CONT "$lvd"
echo "  (sysUpTime answered $answered of 20 times while libvirtd was stopped; slowest ${worst} ms)"
check "sysUpTime answered every time while libvirtd was stopped" 20 "$answered"
# The daemon is back: the queued work drains, the poller reconnects.
wait_for "agent serves the VM again" 60 bash -c "[ -n \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$i 2>/dev/null | grep -E '^(4|8)$')\" ]"
sleep 12 # the queued SETs meet their start limit
sleep 5
check_true "snmpd is alive after the hang, the SETs and the reconnect" kill -0 "$AGENT_PID"
check_match "vmOperState is known again (running or paused)" "^(4|8)$" "$(sget $VMTABLE.6.$i)"
# A SET the hypervisor could not take in time is dropped, not run a minute
# later: the domain is as it was, and each such SET has its outcome logged.
check "no SET queued during the hang was applied late: virsh says running" "running" \
    "$(lv domstate "$N" | head -1)"
check "every SET left in progress has its outcome logged" \
    "$(grep -c 'in progress$' "$AGENT_DIR/snmpd.log")" \
    "$(grep -c ': failed: \|: completed$' "$AGENT_DIR/snmpd.log")"
check_match "the loss was logged" "vmmib: lost" "$(cat "$AGENT_DIR/snmpd.log")"
check_match "the recovery was logged" "vmmib: reconnected" "$(cat "$AGENT_DIR/snmpd.log")"
if grep -q 'Segmentation\|AddressSanitizer' "$AGENT_DIR/stderr.log"; then
    fail "snmpd crashed:"
    tail -30 "$AGENT_DIR/stderr.log"
fi
qemu_finish
