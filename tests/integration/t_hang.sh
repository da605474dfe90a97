#!/bin/bash
# A libvirtd that stops answering (SIGSTOP) under a manager that keeps
# sending SETs and an operator who reloads (issue 15, point 6):
#  - once the poller knows the hypervisor is not answering (a round under
#    way far beyond its usual time), a SET is refused at once with
#    resourceUnavailable instead of holding snmpd's main thread 0.7 s, so
#    GETs keep their latency;
#  - reloads during the hang (write access on: the control thread hangs
#    too) neither block snmpd nor pile up threads and descriptors, and the
#    VMs stay in the table (state unknown) rather than vanishing;
#  - after SIGCONT everything is served again.
. "$(dirname "$0")/../lib.sh"
trap 'cleanup_agents; [ -n "${lvd:-}" ] && kill -CONT "$lvd" 2>/dev/null; remove_session_libvirtd' EXIT
need_session_libvirtd
URI="test+unix://$TOP/examples/hypervisor.xml?socket=$LV_SOCK"
start_agent main "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes" || finish
wait_for "first poll" 20 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
w=$(index_of web01)
lvd=$(cat "$LV_DIR/libvirt/libvirtd.pid" 2>/dev/null)
kill -0 "$lvd" 2>/dev/null || { fail "no libvirtd pid in $LV_DIR/libvirt/libvirtd.pid"; finish; }
threads0=$(ls /proc/$AGENT_PID/task | wc -l)
fds0=$(ls /proc/$AGENT_PID/fd | wc -l)

kill -STOP "$lvd"
# The first SET finds a poller that does not know yet: it waits, and its
# action hangs in the control thread.
snmpset -v2c -c private -t 3 -r 0 "$AGENT" $VMTABLE.5.$w i 3 >/dev/null 2>&1
sleep 3 # the poller's round has been under way for over 2 s now

# SETs every 0.5 s for 8 s; GETs every 0.1 s meanwhile.
dir=$VMMIB_RUNDIR/$TEST_NAME-lat
mkdir -p "$dir"
: >"$dir/get" ; : >"$dir/set"
(
    end=$((SECONDS + 8))
    while [ $SECONDS -lt $end ]; do
        t0=$(date +%s%N)
        out=$(snmpset -v2c -c private -t 5 -r 0 "$AGENT" $VMTABLE.5.$w i 3 2>&1)
        echo "$(( ($(date +%s%N) - t0) / 1000000 )) $(echo "$out" | grep -o 'resourceUnavailable\|INTEGER: 3\|Timeout' | head -1)" >>"$dir/set"
        sleep 0.5
    done
) &
setter=$!
end=$((SECONDS + 8))
while [ $SECONDS -lt $end ]; do
    t0=$(date +%s%N)
    snmpget -v2c -c public -t 5 -r 0 -Oqv "$AGENT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 || echo "timeout" >>"$dir/get"
    echo $(( ($(date +%s%N) - t0) / 1000000 )) >>"$dir/get"
    sleep 0.1
done
wait $setter
n=$(grep -c . "$dir/get")
p50=$(sort -n "$dir/get" | awk -v n="$n" 'NR == int(n * 0.5) + 1')
p99=$(sort -n "$dir/get" | awk -v n="$n" 'NR == int(n * 0.99) + 1')
max=$(sort -n "$dir/get" | tail -1)
slow=$(awk '$1 >= 600' "$dir/get" | wc -l)
echo "  (GET during the hang with a SET every 0.5 s: $n GETs, p50 $p50 ms, p99 $p99 ms, max $max ms)"
echo "  (SETs: $(awk '{ print $1 " ms " $2 }' "$dir/set" | tr '\n' ',' | sed 's/,$//; s/,/, /g'))"
check "no GET took 600 ms or more (a SET waiting 0.7 s) while SETs arrived during the hang" 0 "$slow"
check "every SET during the known hang is resourceUnavailable" "$(grep -c . "$dir/set")" \
    "$(grep -c 'resourceUnavailable' "$dir/set")"
check "every such SET is answered at once (under 600 ms; waiting took 0.7 s)" 0 "$(awk '$1 >= 600' "$dir/set" | wc -l)"
check_match "the refusal says why" "refused \(resourceUnavailable.*\): the hypervisor has not answered for [0-9]+ s" \
    "$(grep 'refused (resourceUnavailable' "$AGENT_DIR/snmpd.log" | tail -1)"

# Reloads during the hang.
hup_latency() {
    local t0
    kill -HUP $AGENT_PID
    t0=$(date +%s%N)
    snmpget -v2c -c public -t 10 -r 0 -Oqv $AGENT 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1
    echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
worst=0
for k in 1 2; do ms=$(hup_latency); [ "$ms" -gt $worst ] && worst=$ms; sleep 0.5; done
sleep 0.5
threads2=$(ls /proc/$AGENT_PID/task | wc -l)
fds2=$(ls /proc/$AGENT_PID/fd | wc -l)
for k in $(seq 8); do ms=$(hup_latency); [ "$ms" -gt $worst ] && worst=$ms; sleep 0.5; done
sleep 0.5
threads10=$(ls /proc/$AGENT_PID/task | wc -l)
fds10=$(ls /proc/$AGENT_PID/fd | wc -l)
echo "  (10 reloads during the hang: threads $threads0 before, $threads2 -> $threads10; descriptors $fds0 before, $fds2 -> $fds10; slowest answer after a reload $worst ms)"
check_true "no reload during the hang holds snmpd (slowest $worst ms)" test "$worst" -lt 2000
check "the VMs are still served after the reloads, state unknown" "4: 1 1 1 1" \
    "$(sget $VM.1.2.0): $(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 | tr '\n' ' ' | sed 's/ $//')"
check_match "a SET to them is resourceUnavailable" resourceUnavailable \
    "$(snmpset -v2c -c private -t 3 -r 0 "$AGENT" $VMTABLE.5.$w i 3 2>&1)"
check_true "threads do not pile up over 8 more reloads ($threads2 -> $threads10)" test "$threads10" -le "$threads2"
check_true "descriptors do not pile up over 8 more reloads ($fds2 -> $fds10)" test "$fds10" -le "$fds2"

kill -CONT "$lvd"
lvd=
wait_for "served again" 60 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 2>/dev/null | grep -c '^[2-9]\|^1[0-2]')\" = 4 ]"
check_true "snmpd is alive after the hang, the SETs and the reloads" kill -0 "$AGENT_PID"
check "all 4 VMs served with a known state after SIGCONT" 4 \
    "$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 2>/dev/null | grep -vc '^1$')"
check_match "a SET works again" "INTEGER: 3" "$(snmpset -v2c -c private -t 3 -r 0 "$AGENT" $VMTABLE.5.$w i 3 2>&1)"
finish
