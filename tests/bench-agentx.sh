#!/bin/bash
# What AgentX costs: the full VM-MIB walk through snmpd with the module
# (dlmod) and through a private snmpd master with vmmib-agentx, side by side
# in one run, on the same test-driver hypervisor.  Not part of make check.
#
#   tests/bench-agentx.sh [ROUNDS] [VMS]    (make bench-agentx)
#
# ROUNDS (default 15) walks of each kind, interleaved (dlmod, AgentX,
# dlmod, ...) so that both see the same machine load; VMS (default 4) > 4
# uses a generated fixture of that many running VMs (2 vCPUs, a disk, a NIC
# each) instead of examples/hypervisor.xml.  Prints the median and the
# spread of each, and the cost of AgentX per request and per varbind: the
# difference of the medians divided by the number of requests of one walk
# (snmpwalk sends one GETNEXT per varbind, plus one; snmpbulkwalk one GETBULK
# per 10 varbinds, which the master passes on as one AgentX request per
# varbind) or by the number of varbinds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/integration/lib-agentx.sh"
TEST_NAME=bench-agentx
ROUNDS=${1:-15}
VMS=${2:-4}
VMMIB_RESULTS=/dev/null
[ -x "$VMMIB_AGENTX" ] || { echo "build first: make" >&2; exit 1; }

if [ "$VMS" -gt 4 ]; then
    DIR=$VMMIB_RUNDIR/$TEST_NAME
    mkdir -p "$DIR"
    {
        echo "<node>"
        for i in $(seq "$VMS"); do
            printf "<domain type='test'><name>vm%04d</name><uuid>55555555-0000-0000-0000-%012d</uuid>" "$i" "$i"
            echo "<memory unit='MiB'>512</memory><vcpu>2</vcpu><os><type>hvm</type></os><devices>"
            echo "<disk type='file' device='disk'><source file='/var/lib/libvirt/images/vm$i.qcow2'/><target dev='vda' bus='virtio'/></disk>"
            printf "<interface type='network'><source network='default'/><mac address='52:54:00:%02x:%02x:%02x'/><model type='virtio'/></interface>" \
                $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255))
            echo "</devices></domain>"
        done
        echo "</node>"
    } >"$DIR/bench.xml"
    URI=test://$DIR/bench.xml
else
    URI=test://$TOP/examples/hypervisor.xml
fi
CONF="vmMibUri $URI
vmMibPollInterval 5"
start_agent dlmod "$CONF" >/dev/null || exit 1
wait_for "first poll" 60 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = $VMS ]"
start_master master "" >/dev/null || exit 1
start_subagent sub "$CONF"
wait_vms "$VMS" 60 || { echo "the subagent does not serve" >&2; exit 1; }
sleep 1

# ms WALKER HOST: milliseconds of one full walk
ms() {
    local t0
    t0=$(date +%s%N)
    "$1" -v2c -c public -t 5 -r 0 -On "$2" "$VM" >/dev/null
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
range() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }

n=$(snmpwalk -v2c -c public -On "$AGENT" "$VM" | grep -c ' = ')
echo "VM-MIB walk of $VMS VMs: $n varbinds ($URI); $ROUNDS walks of each kind, interleaved; $(nproc) CPUs"
for walker in snmpwalk snmpbulkwalk; do
    : >"$VMMIB_RUNDIR/$TEST_NAME-d" && : >"$VMMIB_RUNDIR/$TEST_NAME-a"
    for _ in $(seq "$ROUNDS"); do
        ms $walker "$AGENT" >>"$VMMIB_RUNDIR/$TEST_NAME-d"
        ms $walker "$MASTER" >>"$VMMIB_RUNDIR/$TEST_NAME-a"
    done
    d=$(median <"$VMMIB_RUNDIR/$TEST_NAME-d")
    a=$(median <"$VMMIB_RUNDIR/$TEST_NAME-a")
    if [ $walker = snmpwalk ]; then reqs=$((n + 1)); else reqs=$(( (n + 9) / 10 + 1 )); fi
    printf '%-13s dlmod %5d ms (%s)  AgentX %5d ms (%s)  %d requests: AgentX adds %d us per request, %d us per varbind\n' \
        "$walker" "$d" "$(range <"$VMMIB_RUNDIR/$TEST_NAME-d")" "$a" "$(range <"$VMMIB_RUNDIR/$TEST_NAME-a")" \
        "$reqs" $(( (a - d) * 1000 / reqs )) $(( (a - d) * 1000 / n ))
done
cleanup_agents
