#!/bin/bash
# vmmib-agentx, the module as an AgentX subagent, against the dlmod:
#  - the same walk through a private snmpd master as through snmpd with
#    the dlmod, varbind by varbind, on examples/hypervisor.xml and on a
#    fixture with this machine's processor count and a real image file
#    (vmCpuPhysIndex and vmStorageParent point into the master's
#    HOST-RESOURCES-MIB, as the dlmod's point into its snmpd's);
#  - write access off: SETs through the master are refused notWritable;
#  - kill -9 of the subagent: the master answers sysUpTime and IF-MIB at
#    once, drops the VM-MIB, and a restarted subagent serves the same
#    vmIndex values;
#  - SIGHUP re-reads the configuration and keeps serving;
#  - a master restart: the subagent reconnects by itself.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-agentx.sh"
T0=$SECONDS
need_agentx
now() { date +%s.%N; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# compare NAME: the dlmod agent ($AGENT) and the master ($MASTER)
compare() {
    local name=$1 dir=$VMMIB_RUNDIR/$TEST_NAME-walks t1 t3
    mkdir -p "$dir"
    sleep 1.5 # a few rounds on both sides
    t1=$(now)
    # A second apart: values that move with time move between the two
    # dlmod walks (each agent reads libvirt once a second).
    full_walk "$AGENT" >"$dir/$name-dlmod-1.txt"
    sleep 1.2
    full_walk "$MASTER" >"$dir/$name-agentx.txt"
    sleep 1.2
    full_walk "$AGENT" >"$dir/$name-dlmod-2.txt"
    t3=$(now)
    local n
    n=$(grep -c ' = ' "$dir/$name-agentx.txt")
    check_true "$name: the walk through the master has the VM-MIB ($n varbinds)" test "$n" -gt 30
    check "$name: the walk through the AgentX master equals the dlmod's, varbind by varbind" "" \
        "$(compare_walks "$dir/$name-dlmod-1.txt" "$dir/$name-agentx.txt" "$dir/$name-dlmod-2.txt" "$t1" "$t3")"
}

# ---- examples/hypervisor.xml
URI=test://$TOP/examples/hypervisor.xml
start_agent dlmod "vmMibUri $URI
vmMibPollInterval 1" || finish
wait_for "first poll" 30 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
wait_for "index file" 10 test -s "$AGENT_DIR/persist/vmmib-index.conf"
start_master master "" || finish
# The subagent starts from the dlmod's vmIndex file, as it does on a host
# that switches from the dlmod to AgentX (without it both number the VMs
# in the order they first see them).
mkdir -p "$VMMIB_RUNDIR/$TEST_NAME-sub/persist"
cp "$AGENT_DIR/persist/vmmib-index.conf" "$VMMIB_RUNDIR/$TEST_NAME-sub/persist/"
start_subagent sub "vmMibUri $URI
vmMibPollInterval 1"
if ! wait_vms 4 30; then
    fail "the subagent never served vmNumber.0 = 4 through the master; its log:"
    tail -20 "$SUB_DIR/agentx.log" "$SUB_DIR/stderr.log"
    finish
fi
pass "the subagent serves the VM-MIB through the master ($((SECONDS - T0)) s after the start)"
check_match "it logged its connection to the master" "AgentX subagent connected" "$(cat "$SUB_DIR/agentx.log")"
compare hypervisor
check "the master's sysORTable lists VM-MIB (registered over AgentX)" 1 \
    "$(snmpwalk -v2c -c public -On -Oq "$MASTER" 1.3.6.1.2.1.1.9.1.2 | grep -c " \.$VM$")"

# ---- write access off: exactly RFC 7666
web=$(mindex_of web01)
check_match "write access off: vmAdminState through the master is notWritable" notWritable \
    "$(snmpset -v2c -c private -t 3 -r 0 "$MASTER" "$VMTABLE.5.$web" i 3 2>&1)"
check "... and web01 still runs" 4 "$(mget "$VMTABLE.6.$web")"

# ---- kill -9: the master keeps answering, at once
before=$(index_map "$MASTER")
kill -KILL "$SUB_PID"
wait "$SUB_PID" 2>/dev/null
t=$(date +%s%N)
up=$(snmpget -v2c -c public -t 1 -r 0 -Oqv "$MASTER" 1.3.6.1.2.1.1.3.0 2>&1)
up_ms=$(ms_since "$t")
check_match "after kill -9 of the subagent the master answers sysUpTime" "^[0-9]+:[0-9]+:[0-9]+:[0-9.]+$" "$up"
t=$(date +%s%N)
ifs=$(snmpwalk -v2c -c public -t 1 -r 0 -Oqv "$MASTER" 1.3.6.1.2.1.2.2.1.2 2>&1)
if_ms=$(ms_since "$t")
check_true "... and IF-MIB's ifDescr ($(echo "$ifs" | grep -c .) interfaces, lo among them)" grep -qxE '"?lo"?' <<<"$ifs"
check_true "... with no delay (sysUpTime in $up_ms ms, the ifDescr walk in $if_ms ms; under 500 ms each)" \
    test "$up_ms" -lt 500 -a "$if_ms" -lt 500
t=$(date +%s%N)
gone=$(snmpget -v2c -c public -t 1 -r 0 "$MASTER" "$VM.1.2.0" 2>&1)
check_match "... and the VM-MIB is gone from the master at once ($(ms_since "$t") ms)" "No Such Object" "$gone"
start_subagent sub "vmMibUri $URI
vmMibPollInterval 1"
wait_vms 4 30
check "a restarted subagent serves the same vmIndex values" "$before" "$(index_map "$MASTER")"

# ---- SIGHUP: the configuration is read again
sed -i 's/^vmMibPollInterval 1$/vmMibPollInterval 2/' "$SUB_DIR/vmmib-agentx.conf"
kill -HUP "$SUB_PID"
wait_for "reload logged" 10 grep -q 're-reading the configuration' "$SUB_DIR/agentx.log"
sleep 1
wait_vms 4 20
check_true "after SIGHUP the subagent still runs" kill -0 "$SUB_PID"
check "after SIGHUP it serves the same VMs" "$before" "$(index_map "$MASTER")"
check "after SIGHUP the master's log has no duplicate registration" 0 \
    "$(grep -c 'duplicate registration' "$MASTER_DIR/snmpd.log")"
check "after SIGHUP the subagent did not try to open a second session" 0 \
    "$(grep -c 'attempted to be re-opened' "$SUB_DIR/agentx.log")"

# ---- the master restarts: the subagent reconnects by itself
stop_agent "$MASTER_PID"
MASTER_KEEP=1 start_master master "" || finish
t=$SECONDS
if wait_vms 4 30; then
    pass "after a master restart the subagent reconnected and serves again (within $((SECONDS - t)) s)"
else
    fail "after a master restart the subagent did not serve again; its log:"
    tail -10 "$SUB_DIR/agentx.log"
fi
check_true "... the same process (pid $SUB_PID)" kill -0 "$SUB_PID"
check "... with the same vmIndex values" "$before" "$(index_map "$MASTER")"
check_match "... as its log says" "AgentX master disconnected us, reconnecting" "$(cat "$SUB_DIR/agentx.log")"
stop_agent "$SUB_PID"
check "SIGTERM: the subagent exited with status 0" 0 "$(wait "$SUB_PID" 2>/dev/null; echo $?)"
stop_agent "$MASTER_PID"
stop_agent "$AGENT_PID"

# ---- pointers into HOST-RESOURCES-MIB: a hypervisor with this machine's
# processors and an image on a real filesystem
DIR=$VMMIB_RUNDIR/$TEST_NAME-images
mkdir -p "$DIR"
truncate -s 8M "$DIR/ptr.img"
cat >"$DIR/pointers.xml" <<XML
<node>
  <cpu><nodes>1</nodes><sockets>1</sockets><cores>$(nproc)</cores><threads>1</threads><mhz>2000</mhz></cpu>
  <memory>8388608</memory>
  <domain type='test'>
    <name>ptr</name>
    <uuid>33333333-0000-0000-0000-000000000001</uuid>
    <memory unit='MiB'>512</memory>
    <vcpu>2</vcpu>
    <os><type>hvm</type></os>
    <devices>
      <disk type='file' device='disk'>
        <driver name='qemu' type='raw'/>
        <source file='$DIR/ptr.img'/>
        <target dev='vda' bus='virtio'/>
      </disk>
    </devices>
  </domain>
</node>
XML
URI=test://$DIR/pointers.xml
start_agent dlmod2 "vmMibUri $URI
vmMibPollInterval 1" || finish
wait_for "first poll" 30 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 1 ]"
wait_for "index file" 10 test -s "$AGENT_DIR/persist/vmmib-index.conf"
start_master master2 "" || finish
mkdir -p "$VMMIB_RUNDIR/$TEST_NAME-sub2/persist"
cp "$AGENT_DIR/persist/vmmib-index.conf" "$VMMIB_RUNDIR/$TEST_NAME-sub2/persist/"
start_subagent sub2 "vmMibUri $URI
vmMibPollInterval 1"
wait_vms 1 30
compare pointers
i=$(mindex_of ptr)
phys=$(snmpwalk -v2c -c public -On -Oq "$MASTER" "$VM.1.6.1.3.$i.1" | awk '{ n = split($1, a, "."); print a[n] }' | tr '\n' ' ')
procs=$(snmpwalk -v2c -c public -On -Oq "$MASTER" 1.3.6.1.2.1.25.3.2.1.2 |
    awk '$2 ~ /25\.3\.1\.3$/ { n = split($1, a, "."); print a[n] }' | tr '\n' ' ')
# libvirt's test driver always reports 8 host CPUs (virNodeGetCPUMap): the
# module uses hrDeviceIndex only when that is this machine's count, else
# the CPU number + 1 (README, vmCpuAffinityTable).
if [ "$(echo "$procs" | wc -w)" = 8 ]; then
    check "vmCpuPhysIndex through the master = the master's hrDeviceIndex of its 8 processors" "$procs" "$phys"
else
    check "vmCpuPhysIndex through the master: CPU number + 1 (the test driver's 8 host CPUs are not this machine's $(echo "$procs" | wc -w))" \
        "1 2 3 4 5 6 7 8 " "$phys"
fi
parent=$(mget "$VM.1.7.1.3.$i.1")
mount=$(df --output=target "$DIR/ptr.img" | tail -1)
descr=$(snmpget -v2c -c public -Oqv "$MASTER" "1.3.6.1.2.1.25.2.3.1.3.$parent" 2>&1 | tr -d '"')
check "vmStorageParent ($parent) is the master's hrStorageIndex of $mount" "$mount" "$descr"
finish_t=$((SECONDS - T0))
echo "  ($TEST_NAME took $finish_t s)"
finish
