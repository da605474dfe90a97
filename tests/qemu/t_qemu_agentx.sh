#!/bin/bash
# vmmib-agentx against a real hypervisor (session libvirtd + QEMU): the walk
# through a private snmpd master equals the dlmod's, varbind by varbind
# (tests/integration/lib-agentx.sh's compare_walks), and the pointers into
# HOST-RESOURCES-MIB resolve in the master: here the hypervisor's CPUs are
# this machine's, so vmCpuPhysIndex is the hrDeviceIndex of a processor
# (the test driver always reports 8 host CPUs and cannot show that), and
# the disk image sits on a real filesystem (vmStorageParent).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-qemu.sh"
. "$(dirname "$0")/../integration/lib-agentx.sh"
T0=$SECONDS
trap 'cleanup_agents; qemu_fixture_stop' EXIT

rc=0
qemu_fixture_start || rc=$?
[ $rc -eq 0 ] || qemu_finish
[ -x "$VMMIB_AGENTX" ] || { fail "$VMMIB_AGENTX is not built (make)"; qemu_finish; }
# Private copies, as for the module: a `make` meanwhile cannot pull them away.
copy=$VMMIB_RUNDIR/$TEST_NAME-vmmib-agentx
cp "$VMMIB_AGENTX" "$copy" && VMMIB_AGENTX=$copy
QEMU_EXTRA_FILES+=("$copy")
qemu_private_module

N=${QEMU_PREFIX}ax
disk=$(qemu_disk ax 32M) || { fail "qemu-img"; qemu_finish; }
qemu_define "$N" 2 64 "$disk" vda virtio "virtio=52:54:00:a5:00:01" || { fail "virsh define"; qemu_finish; }
qemu_start "$N" || { fail "virsh start"; qemu_finish; }
CONF="vmMibUri $LV_URI
vmMibPollInterval 1"
start_agent dlmod "$CONF" || qemu_finish
wait_for "first poll" 40 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 2>/dev/null | grep -qx 4" ||
    { fail "the domain never showed up running"; qemu_finish; }
wait_for "index file" 10 test -s "$AGENT_DIR/persist/vmmib-index.conf"
start_master master "" || qemu_finish
mkdir -p "$VMMIB_RUNDIR/$TEST_NAME-sub/persist"
cp "$AGENT_DIR/persist/vmmib-index.conf" "$VMMIB_RUNDIR/$TEST_NAME-sub/persist/"
start_subagent sub "$CONF"
wait_for "subagent" 40 bash -c "snmpwalk -v2c -c public -Oqv $MASTER $VMTABLE.6 2>/dev/null | grep -qx 4" ||
    { fail "the subagent never served the running domain"; tail "$SUB_DIR/agentx.log"; qemu_finish; }
# Both have their vCPU rows and the disk's parent once the domain's
# definition and stats are in (a few rounds).
i=$(mindex_of "$N")
wait_for "rows" 20 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $MASTER $VM.1.5.1.2.$i 2>/dev/null | grep -c .)\" = 2 ]"
sleep 2

dir=$VMMIB_RUNDIR/$TEST_NAME-walks
mkdir -p "$dir"
t1=$(date +%s.%N)
full_walk "$AGENT" >"$dir/dlmod-1.txt"
sleep 1.2
full_walk "$MASTER" >"$dir/agentx.txt"
sleep 1.2
full_walk "$AGENT" >"$dir/dlmod-2.txt"
t3=$(date +%s.%N)
check_true "the walk through the master has the domain's rows ($(grep -c ' = ' "$dir/agentx.txt") varbinds)" \
    grep -q "^\.$VMTABLE\.2\.$i = STRING: \"$N\"" "$dir/agentx.txt"
check "on QEMU, the walk through the AgentX master equals the dlmod's, varbind by varbind" "" \
    "$(compare_walks "$dir/dlmod-1.txt" "$dir/agentx.txt" "$dir/dlmod-2.txt" "$t1" "$t3")"

procs=$(snmpwalk -v2c -c public -On -Oq "$MASTER" 1.3.6.1.2.1.25.3.2.1.2 |
    awk '$2 ~ /25\.3\.1\.3$/ { n = split($1, a, "."); print a[n] }' | tr '\n' ' ')
phys=$(snmpwalk -v2c -c public -On -Oq "$MASTER" "$VM.1.6.1.3.$i.1" | awk '{ n = split($1, a, "."); print a[n] }' | tr '\n' ' ')
if [ "$(lv nodeinfo | awk '/^CPU\(s\)/ { print $2 }')" = "$(echo "$procs" | wc -w)" ]; then
    check "vmCpuPhysIndex through the master = the master's hrDeviceIndex of its $(echo "$procs" | wc -w) processors" \
        "$procs" "$phys"
else
    skip "libvirt's CPU count is not this machine's: vmCpuPhysIndex falls back to CPU number + 1"
fi
parent=$(mget "$VM.1.7.1.3.$i.1")
mount=$(df --output=target "$disk" | tail -1)
check "vmStorageParent ($parent) through the master is the master's hrStorageIndex of $mount" "$mount" \
    "$(snmpget -v2c -c public -Oqv "$MASTER" "1.3.6.1.2.1.25.2.3.1.3.$parent" 2>&1 | tr -d '"')"
echo "  ($TEST_NAME took $((SECONDS - T0)) s)"
qemu_finish
