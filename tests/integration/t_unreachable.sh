#!/bin/bash
# A hypervisor that is not there, or that never answers, must not stall
# snmpd: other MIBs keep answering at once, reloads and shutdown still work,
# and the failure is logged once, not on every poll.  Reloads during a hang
# (a daily logrotate against a daemon hung for days) neither block snmpd nor
# pile up threads and descriptors (issue 15, point 6): the next load takes
# over the thread that waits.
. "$(dirname "$0")/../lib.sh"

# 1. Nothing listens on the socket.
start_agent absent "vmMibUri qemu+unix:///system?socket=$VMMIB_RUNDIR/no-such.sock
vmMibPollInterval 1" || finish
sleep 4.5
check "vmNumber is 0 with no hypervisor" 0 "$(sget $VM.1.2.0)"
check "vmHvSoftware is empty (unknown)" '""' "$(sget $VM.1.1.1.0)"
check "vmHvUpTime is 0 (unknown)" 0 "$(snmpget -v2c -c public -Oqvt $AGENT $VM.1.1.4.0)"
check "the failure is logged once, not every poll" 1 "$(grep -c 'vmmib: lost' "$AGENT_DIR/snmpd.log")"
check_match "the log line names the URI and the reason" "no-such.sock.*(No such file|Failed to connect)" \
    "$(grep 'vmmib: lost' "$AGENT_DIR/snmpd.log")"
check_match "sysUpTime answers" "[0-9]+:[0-9]+" "$(sget 1.3.6.1.2.1.1.3.0)"
stop_agent

# 2. A daemon that accepts the connection and then says nothing.
sock=$VMMIB_RUNDIR/hang.sock
rm -f "$sock"
# In a process group of its own: socat forks a `sleep` per connection, and
# the group's id ends them all (ours only) at the end.
setsid socat UNIX-LISTEN:"$sock",fork EXEC:"sleep 600" &
socat_pid=$!
wait_for "socket" 5 test -S "$sock"
start_agent hung "vmMibUri qemu+unix:///system?socket=$sock
vmMibPollInterval 1" || finish
sleep 1
t0=$(date +%s%N)
ok=0
for k in $(seq 20); do
    snmpget -v2c -c public -t 1 -r 0 -Oqv $AGENT 1.3.6.1.2.1.1.3.0 $VM.1.2.0 >/dev/null 2>&1 && ok=$((ok + 1))
done
t1=$(date +%s%N)
check "20 of 20 requests answered while libvirt hangs" 20 "$ok"
echo "  (20 requests took $(( (t1 - t0) / 1000000 )) ms)"
# hup_latency: send SIGHUP, then the time until sysUpTime answers (ms).
hup_latency() {
    local t0 ms
    kill -HUP $AGENT_PID
    t0=$(date +%s%N)
    snmpget -v2c -c public -t 10 -r 0 -Oqv $AGENT 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 || echo 99999
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    echo $ms
}
worst=0
for k in 1 2 3; do
    ms=$(hup_latency); [ "$ms" -gt $worst ] && worst=$ms
    sleep 0.5
done
check_match "answers after reloads with libvirt still hanging" "[0-9]+:[0-9]+" "$(sget 1.3.6.1.2.1.1.3.0)"
check_match "the stuck thread is reported at reload" "did not return" "$(cat "$AGENT_DIR/snmpd.log")"
threads3=$(ls /proc/$AGENT_PID/task | wc -l)
fds3=$(ls /proc/$AGENT_PID/fd | wc -l)
for k in $(seq 17); do
    ms=$(hup_latency); [ "$ms" -gt $worst ] && worst=$ms
    sleep 0.3
done
sleep 1
threads20=$(ls /proc/$AGENT_PID/task | wc -l)
fds20=$(ls /proc/$AGENT_PID/fd | wc -l)
echo "  (20 reloads during the hang: threads $threads3 -> $threads20, descriptors $fds3 -> $fds20, slowest answer after a reload $worst ms)"
check_true "no reload during the hang holds snmpd (slowest answer $worst ms)" test "$worst" -lt 2000
check_true "threads do not pile up over 17 more reloads during the hang ($threads3 -> $threads20)" test "$threads20" -le "$threads3"
check_true "descriptors do not pile up over 17 more reloads during the hang ($fds3 -> $fds20)" test "$fds20" -le "$fds3"
check_match "answers after 20 reloads" "[0-9]+:[0-9]+" "$(sget 1.3.6.1.2.1.1.3.0)"
t0=$SECONDS
stop_agent
check_true "snmpd stops promptly with libvirt hanging ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 10
kill -TERM -- -"$socat_pid" 2>/dev/null
finish
