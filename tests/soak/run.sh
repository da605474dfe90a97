#!/bin/bash
# make soak: the fault suite (issue 15).  Not part of make check; bounded
# (about 10 minutes on 2 cores); prints figures and ends with
# "N passed, N failed, N skipped".  Every process it starts is ended by PID.
#
#  1. reloads: 1,000 SIGHUPs with GETs between, RSS, descriptors and threads
#     at 0, 100 and 1,000, beside an snmpd without the module;
#  2. restarts: 50 libvirtd restarts on the QEMU fixture (tests/qemu), a real
#     snmptrapd counting notifications (none is due: nothing changes);
#  3. hangs: a socket that never answers, and the QEMU fixture's libvirtd
#     stopped (SIGSTOP), with SETs and reloads: GET latency, threads and
#     descriptors, recovery;
#  4. fuzz: 5,000 random SET PDUs (tests/soak/fuzzset.c): no PDU with one bad
#     varbind changes anything (the full walk is compared);
#  5. kill -9 of snmpd during VM churn, 40 times: the index file is never
#     torn, always parses, and no vmIndex is ever given to another VM.
#
# SOAK_PARTS="reloads fuzz ..." runs some parts only; SOAK_RELOADS,
# SOAK_RESTARTS, SOAK_PDUS, SOAK_KILLS change the counts.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export VMMIB_RUNDIR=${VMMIB_RUNDIR:-$TOP/tests/run/soak}
rm -rf "$VMMIB_RUNDIR"
mkdir -p "$VMMIB_RUNDIR"
export VMMIB_RESULTS=$VMMIB_RUNDIR/results
: >"$VMMIB_RESULTS"
. "$TOP/tests/lib.sh"
. "$TOP/tests/qemu/lib-qemu.sh"
TEST_NAME=soak
PARTS=${SOAK_PARTS:-reloads restarts hangs fuzz kill9}
RELOADS=${SOAK_RELOADS:-1000}
RESTARTS=${SOAK_RESTARTS:-50}
PDUS=${SOAK_PDUS:-5000}
KILLS=${SOAK_KILLS:-40}
FIXTURE=test://$TOP/examples/hypervisor.xml
SOAK_T0=$SECONDS
has_part() { [[ " $PARTS " == *" $1 "* ]]; }
elapsed() { echo "$((SECONDS - SOAK_T0)) s"; }

# "RSS_KiB FDS THREADS" of a process.
sample() {
    echo "$(awk '/^VmRSS/ { print $2 }' "/proc/$1/status") $(ls "/proc/$1/fd" | wc -l) $(ls "/proc/$1/task" | wc -l)"
}
answers() { snmpget -v2c -c public -t 5 -r 1 -Oqv "$1" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; }
vms() { snmpget -v2c -c public -t 3 -r 1 -Oqv "$1" $VM.1.2.0 2>/dev/null; }

# An snmpd without the module, for comparison.  Sets PLAIN_PID, PLAIN.
start_plain() {
    local dir=$VMMIB_RUNDIR/plain port
    mkdir -p "$dir/persist"
    port=$(free_port)
    PLAIN=127.0.0.1:$port
    printf 'rocommunity public 127.0.0.1\ndontLogTCPWrappersConnects yes\n' >"$dir/snmpd.conf"
    SNMP_PERSISTENT_DIR=$dir/persist /usr/sbin/snmpd -f -C -c "$dir/snmpd.conf" -Lf "$dir/snmpd.log" \
        -p "$dir/snmpd.pid" "udp:$PLAIN" >>"$dir/stderr.log" 2>&1 &
    PLAIN_PID=$!
    _agents+=("$PLAIN_PID")
    wait_for "plain snmpd" 20 answers "$PLAIN"
}

# The slowest of GETs of sysUpTime, one every 0.1 s for $2 seconds, into $1.
probe_gets() {
    local out=$1 end=$((SECONDS + $2)) t0 ms
    : >"$out"
    while [ $SECONDS -lt $end ]; do
        t0=$(date +%s%N)
        answers "$AGENT" || echo "timeout" >>"$out.timeouts"
        echo $(( ($(date +%s%N) - t0) / 1000000 )) >>"$out"
        sleep 0.1
    done
}
percentiles() { # FILE: "n N, p50 X ms, p99 Y ms, max Z ms"
    local n
    n=$(grep -c . "$1")
    sort -n "$1" | awk -v n="$n" 'NR == int(n * 0.5) + 1 { p50 = $1 } NR == int(n * 0.99) + 1 { p99 = $1 }
        { max = $1 } END { printf "n %d, p50 %d ms, p99 %d ms, max %d ms", n, p50, p99, max }'
}

# ---------------------------------------------------------------------------
part_reloads() {
    echo "== 1. $RELOADS SIGHUPs with GETs between ($(elapsed))"
    start_agent reloads "vmMibUri $FIXTURE
vmMibPollInterval 1
vmMibWriteAccess yes" || return
    start_plain || { fail "snmpd without the module did not start"; return; }
    wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
    local k s0 p0 s100 p100 s1000 p1000 unanswered=0 t0=$SECONDS
    s0=$(sample "$AGENT_PID") p0=$(sample "$PLAIN_PID")
    for k in $(seq "$RELOADS"); do
        kill -HUP "$AGENT_PID" "$PLAIN_PID"
        answers "$AGENT" || unanswered=$((unanswered + 1))
        answers "$PLAIN" || unanswered=$((unanswered + 1))
        if [ $((k % 100)) -eq 0 ]; then
            # Every 100: the module serves its VMs again after the reload.
            wait_for "VMs after reload $k" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]" ||
                fail "no VMs served after reload $k"
            [ $k -eq 100 ] && { sleep 1; s100=$(sample "$AGENT_PID") p100=$(sample "$PLAIN_PID"); }
        fi
        kill -0 "$AGENT_PID" 2>/dev/null || break
    done
    sleep 2
    s1000=$(sample "$AGENT_PID") p1000=$(sample "$PLAIN_PID")
    echo "  $RELOADS reloads in $((SECONDS - t0)) s"
    printf '  %-28s %12s %12s %12s\n' "" "at 0" "at 100" "at $RELOADS"
    printf '  %-28s %12s %12s %12s\n' "with vmmib: RSS KiB" "${s0%% *}" "${s100%% *}" "${s1000%% *}"
    printf '  %-28s %12s %12s %12s\n' "without: RSS KiB" "${p0%% *}" "${p100%% *}" "${p1000%% *}"
    printf '  %-28s %12s %12s %12s\n' "with vmmib: descriptors" "$(echo "$s0" | cut -d' ' -f2)" \
        "$(echo "$s100" | cut -d' ' -f2)" "$(echo "$s1000" | cut -d' ' -f2)"
    printf '  %-28s %12s %12s %12s\n' "without: descriptors" "$(echo "$p0" | cut -d' ' -f2)" \
        "$(echo "$p100" | cut -d' ' -f2)" "$(echo "$p1000" | cut -d' ' -f2)"
    printf '  %-28s %12s %12s %12s\n' "with vmmib: threads" "${s0##* }" "${s100##* }" "${s1000##* }"
    printf '  %-28s %12s %12s %12s\n' "without: threads" "${p0##* }" "${p100##* }" "${p1000##* }"
    check_true "snmpd with the module survived $RELOADS reloads" kill -0 "$AGENT_PID"
    check "every GET between reloads was answered" 0 "$unanswered"
    check "threads after $RELOADS reloads as at the start" "${s0##* }" "${s1000##* }"
    check "descriptors after $RELOADS reloads as at the start" "$(echo "$s0" | cut -d' ' -f2)" \
        "$(echo "$s1000" | cut -d' ' -f2)"
    # Between reload 100 and the last, the module may add at most 1 KiB a
    # reload to what snmpd itself gains.
    local grow=$(( (${s1000%% *} - ${s100%% *}) - (${p1000%% *} - ${p100%% *}) ))
    local per=$(( grow * 1024 / (RELOADS - 100) ))
    echo "  RSS growth from reload 100 to $RELOADS beyond snmpd's own: $grow KiB ($per bytes a reload)"
    check_true "RSS does not grow by more than 1 KiB a reload beyond snmpd's own ($per bytes)" \
        test "$per" -le 1024
    check "no 'did not return' in the log (nothing hung)" 0 "$(grep -c 'did not return' "$AGENT_DIR/snmpd.log")"
    stop_agent
    stop_agent "$PLAIN_PID"
}

# ---------------------------------------------------------------------------
QEMU_UP=
qemu_up() {
    [ -n "$QEMU_UP" ] && return 0
    local rc=0
    qemu_fixture_start || rc=$?
    [ $rc -eq 0 ] || return 1
    SOAK_DOM=${QEMU_PREFIX}soak
    local disk
    disk=$(qemu_disk soak 32M) || { fail "qemu-img"; return 1; }
    qemu_define "$SOAK_DOM" 1 64 "$disk" vda virtio || { fail "virsh define"; return 1; }
    qemu_define "${SOAK_DOM}off" 1 64 "" vda virtio || { fail "virsh define"; return 1; }
    qemu_start "$SOAK_DOM" || { fail "virsh start"; return 1; }
    qemu_private_module
    QEMU_UP=1
}

lvd_pid() { cat "$LV_DIR/libvirt/libvirtd.pid" 2>/dev/null; }

part_restarts() {
    echo "== 2. $RESTARTS libvirtd restarts on the QEMU fixture, snmptrapd counting ($(elapsed))"
    qemu_up || { skip "restarts: no QEMU fixture"; return; }
    start_trapd || { fail "snmptrapd did not start"; return; }
    start_agent restarts "vmMibUri $LV_URI
vmMibPollInterval 1
trap2sink 127.0.0.1:$TRAP_PORT public
vmMibPerVMNotifications yes
vmMibBulkNotifications yes" || return
    wait_for "running" 60 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 2>/dev/null | sort | tr '\n' ' ')\" = '11 4 ' ]" ||
        { fail "the fixture's VMs never showed (running, shutdown)"; return; }
    sleep 2
    local before k ok=0 t0=$SECONDS states_before states
    before=$(grep -c '^TRAP' "$TRAP_LOG")
    states_before=$(snmpwalk -v2c -c public -On -Oq $AGENT $VMTABLE.6 | tr '\n' ' ')
    for k in $(seq "$RESTARTS"); do
        local n0
        n0=$(grep -c 'vmmib: reconnected' "$AGENT_DIR/snmpd.log")
        stop_session_libvirtd
        start_session_libvirtd || { fail "libvirtd restart $k"; break; }
        # snmpd has seen the loss and the recovery, and the states are back.
        if wait_for "reconnected $k" 60 bash -c "[ \$(grep -c 'vmmib: reconnected' '$AGENT_DIR/snmpd.log') -gt $n0 ] &&
                [ \"\$(snmpwalk -v2c -c public -On -Oq $AGENT $VMTABLE.6 | tr '\n' ' ')\" = '$states_before' ]"; then
            ok=$((ok + 1))
        fi
    done
    sleep 3
    local n=$(( $(grep -c '^TRAP' "$TRAP_LOG") - before ))
    echo "  $RESTARTS restarts in $((SECONDS - t0)) s; snmpd reconnected with the same states $ok times;" \
        "notifications received meanwhile: $n"
    check "snmpd reconnected after each restart with the states as before" "$RESTARTS" "$ok"
    check "no spurious notification over $RESTARTS libvirtd restarts" 0 "$n"
    check "vmIndex and states as before" "$states_before" \
        "$(snmpwalk -v2c -c public -On -Oq $AGENT $VMTABLE.6 | tr '\n' ' ')"
    stop_agent
}

# ---------------------------------------------------------------------------
part_hangs() {
    echo "== 3a. a socket that never answers: SETs and 100 reloads ($(elapsed))"
    local sock=$VMMIB_RUNDIR/hang.sock
    rm -f "$sock"
    setsid socat UNIX-LISTEN:"$sock",fork EXEC:"sleep 900" 2>/dev/null &
    local socat_pid=$!
    wait_for "socket" 5 test -S "$sock"
    start_agent hang "vmMibUri qemu+unix:///system?socket=$sock
vmMibPollInterval 1
vmMibWriteAccess yes" || return
    sleep 3
    local k t0 ms worst=0 s10 s100
    : >"$VMMIB_RUNDIR/hang-reloads"
    for k in $(seq 100); do
        kill -HUP "$AGENT_PID"
        t0=$(date +%s%N)
        answers "$AGENT"
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        echo $ms >>"$VMMIB_RUNDIR/hang-reloads"
        [ $ms -gt $worst ] && worst=$ms
        snmpset -v2c -c private -t 3 -r 0 "$AGENT" $VMTABLE.5.1 i 3 >/dev/null 2>&1
        [ $k -eq 10 ] && { sleep 0.5; s10=$(sample "$AGENT_PID"); }
        sleep 0.2
    done
    sleep 0.5
    s100=$(sample "$AGENT_PID")
    echo "  RSS KiB/descriptors/threads after 10 reloads: $s10; after 100: $s100"
    echo "  answer right after a reload: $(percentiles "$VMMIB_RUNDIR/hang-reloads")"
    check_true "no reload against a socket that never answers held snmpd 2 s ($worst ms)" test $worst -lt 2000
    check_true "threads flat from reload 10 to 100" test "${s100##* }" -le "${s10##* }"
    check_true "descriptors flat from reload 10 to 100" test "$(echo "$s100" | cut -d' ' -f2)" -le "$(echo "$s10" | cut -d' ' -f2)"
    t0=$SECONDS
    stop_agent
    check_true "snmpd stops promptly ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 5
    kill -TERM -- -"$socat_pid" 2>/dev/null

    echo "== 3b. the QEMU fixture's libvirtd stopped (SIGSTOP) for 60 s: SETs, reloads ($(elapsed))"
    qemu_up || { skip "hang: no QEMU fixture"; return; }
    start_agent stopped "vmMibUri $LV_URI
vmMibPollInterval 1
vmMibWriteAccess yes" || return
    wait_for "running" 60 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 2>/dev/null | grep -qx 4" ||
        { fail "the domain never showed running"; return; }
    local i lvd s_before s_during s_after
    i=$(index_of "$SOAK_DOM")
    lvd=$(lvd_pid)
    kill -0 "$lvd" 2>/dev/null || { fail "no libvirtd pid"; return; }
    s_before=$(sample "$AGENT_PID")
    kill -STOP "$lvd"
    local dir=$VMMIB_RUNDIR/soak-stopped
    mkdir -p "$dir"
    : >"$dir/set"
    (
        start=$SECONDS end=$((SECONDS + 60)) n=0
        while [ $SECONDS -lt $end ]; do
            t0=$(date +%s%N)
            out=$(snmpset -v2c -c private -t 5 -r 0 "$AGENT" $VMTABLE.5.$i i 3 2>&1)
            echo "$(( ($(date +%s%N) - t0) / 1000000 )) $(echo "$out" | grep -o 'resourceUnavailable\|INTEGER: 3\|inconsistentValue\|noCreation\|Timeout' | head -1 | tr -d ' ') $((SECONDS - start))" >>"$dir/set"
            n=$((n + 1))
            [ $((n % 6)) -eq 0 ] && kill -HUP "$AGENT_PID"
            sleep 0.5
        done
    ) &
    local driver=$!
    probe_gets "$dir/get" 60
    wait $driver
    s_during=$(sample "$AGENT_PID")
    local during_vms
    during_vms=$(vms "$AGENT")
    kill -CONT "$lvd"
    wait_for "served again" 90 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$i 2>/dev/null)\" = 4 ]"
    sleep 15 # queued actions meet their start limit; threads left over end
    s_after=$(sample "$AGENT_PID")
    echo "  GETs during the 60 s hang: $(percentiles "$dir/get"); $(cat "$dir/get.timeouts" 2>/dev/null | wc -l) timeouts"
    echo "  SETs: $(grep -c . "$dir/set") sent, $(grep -c resourceUnavailable "$dir/set") resourceUnavailable," \
        "$(grep -c 'INTEGER' "$dir/set") accepted (before the poller knew), slowest $(sort -n "$dir/set" | tail -1 | cut -d' ' -f1) ms;" \
        "$(grep -c 'did not return' "$AGENT_DIR/snmpd.log") reloads found a thread in a libvirt call"
    echo "  RSS/descriptors/threads: before $s_before, after 60 s of hang and 20 reloads $s_during, after recovery $s_after"
    check "no GET timed out during the hang" 0 "$(cat "$dir/get.timeouts" 2>/dev/null | wc -l)"
    check "no GET took 2 s or more during the hang (reloads used to take 3 s each)" 0 \
        "$(awk '$1 >= 2000' "$dir/get" | wc -l)"
    check "every SET from 5 s into the hang on was refused at once (resourceUnavailable)" \
        "$(awk '$3 >= 5' "$dir/set" | wc -l)" "$(awk '$3 >= 5 && $2 == "resourceUnavailable"' "$dir/set" | wc -l)"
    check "the VMs stayed in the table through the reloads" 2 "$during_vms"
    check_true "threads during the hang no more than before plus one ($s_before / $s_during)" \
        test "${s_during##* }" -le $(( ${s_before##* } + 1 ))
    check_true "snmpd alive after the hang" kill -0 "$AGENT_PID"
    check "the domain is still running (no SET applied late)" running "$(lv domstate "$SOAK_DOM" | head -1)"
    check "threads after the recovery as before" "${s_before##* }" "${s_after##* }"
    stop_agent
}

# ---------------------------------------------------------------------------
part_fuzz() {
    echo "== 4. $PDUS fuzzed SET PDUs ($(elapsed))"
    local bin=$VMMIB_RUNDIR/fuzzset
    if ! cc -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -o "$bin" "$TOP/tests/soak/fuzzset.c" \
        $(net-snmp-config --libs) 2>"$VMMIB_RUNDIR/fuzzset.build.log"; then
        fail "fuzzset does not build"; cat "$VMMIB_RUNDIR/fuzzset.build.log"; return
    fi
    start_agent fuzz "vmMibUri $FIXTURE
vmMibPollInterval 1
vmMibWriteAccess yes" || return
    wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
    local s0 s1 rc=0
    s0=$(sample "$AGENT_PID")
    MIBS= "$bin" "$AGENT" private "$PDUS" "${SOAK_SEED:-$$}" || rc=$?
    s1=$(sample "$AGENT_PID")
    echo "  RSS/descriptors/threads before $s0, after $s1"
    check "fuzzset: every PDU with a bad varbind refused and nothing changed, no timeout" 0 "$rc"
    check_true "snmpd alive after $PDUS fuzzed PDUs" kill -0 "$AGENT_PID"
    stop_agent
}

# ---------------------------------------------------------------------------
part_kill9() {
    echo "== 5. kill -9 during VM churn, $KILLS times: the index file ($(elapsed))"
    qemu_up || { skip "kill9: no session libvirtd"; return; }
    local uri="test+unix:///default?socket=$LV_SOCK" dir=$VMMIB_RUNDIR/kill9
    mkdir -p "$dir"
    local idx=$dir/index.conf obs=$dir/observed
    : >"$obs"
    # One virsh session holds test:///default (and its VMs) for the run.
    mkfifo "$dir/virsh.in"
    virsh -q -c "$uri" <"$dir/virsh.in" >"$dir/virsh.log" 2>&1 &
    local virsh_pid=$!
    exec 7>"$dir/virsh.in"
    (
        n=0
        while :; do
            n=$((n + 1))
            printf "<domain type='test'><name>churn%d</name><uuid>77777777-0000-4000-8000-%012d</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n" \
                "$n" "$n" >"$dir/d$n.xml"
            echo "create $dir/d$n.xml" >&7
            [ $n -gt 6 ] && echo "destroy churn$((n - 6))" >&7
            rm -f "$dir/d$((n - 10)).xml"
            sleep 0.3
        done
    ) &
    local churn=$!
    local k torn=0 bad=0 reassigned=0 t0=$SECONDS
    local conf="vmMibUri $uri
vmMibPollInterval 1
vmMibIndexFile $idx"
    for k in $(seq "$KILLS"); do
        if [ $k -eq 1 ]; then start_agent kill9 "$conf" || break; else AGENT_KEEP_PORT=1 start_agent kill9 "$conf" || break; fi
        local end=$((SECONDS + 1 + RANDOM % 3))
        while [ $SECONDS -lt $end ]; do
            # What a manager sees: vmIndex and UUID of every row.
            snmpwalk -v2c -c public -t 2 -r 0 -On -Oqx "$AGENT" $VMTABLE.3 2>/dev/null |
                awk -v base=".$VMTABLE.3." 'index($1, base) == 1 { i = substr($1, length(base) + 1)
                    $1 = ""; gsub(/[ "]/, ""); if (length($0) == 32) print i, tolower($0) }' >>"$obs"
            sleep 0.2
        done
        kill -KILL "$AGENT_PID"
        wait "$AGENT_PID" 2>/dev/null
        # The file: never torn, only our lines, no UUID or index twice.
        [ -s "$idx" ] && [ "$(tail -c1 "$idx" | od -An -c | tr -d ' ')" != '\n' ] && torn=$((torn + 1))
        grep -Evq '^(#.*|vm [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} [0-9]+ [0-9]+ [0-9]+)$' "$idx" &&
            bad=$((bad + 1))
        awk '/^vm / { if (u[$2]++ || i[$3]++) bad++ } END { exit bad > 0 }' "$idx" || bad=$((bad + 1))
        # Everything a manager saw is in the file with the same index.
        awk '{ print $1, tolower($2) }' "$obs" | sort -u >"$dir/seen"
        awk '/^vm / { u = $2; gsub("-", "", u); print $3, u }' "$idx" | sort -u >"$dir/file"
        comm -23 "$dir/seen" "$dir/file" | awk 'NF == 2' >"$dir/missing"
        [ -s "$dir/missing" ] && { reassigned=$((reassigned + 1)); echo "  after kill $k, seen but not in the file:"; head -3 "$dir/missing"; }
    done
    kill "$churn" 2>/dev/null
    wait "$churn" 2>/dev/null
    exec 7>&-
    wait "$virsh_pid" 2>/dev/null
    # Over all the kills: a UUID was only ever seen with one index, an index
    # only ever with one UUID.
    local uuids pairs idxs
    pairs=$(awk '{ print $1, tolower($2) }' "$obs" | sort -u | wc -l)
    uuids=$(awk '{ print tolower($2) }' "$obs" | sort -u | wc -l)
    idxs=$(awk '{ print $1 }' "$obs" | sort -u | wc -l)
    echo "  $KILLS kills in $((SECONDS - t0)) s; VMs seen by the manager: $uuids (indexes $idxs, pairs $pairs);" \
        "file now $(grep -c '^vm ' "$idx") entries, $(stat -c %s "$idx") bytes"
    check "the index file was never torn" 0 "$torn"
    check "the index file always parsed (our lines only, no UUID or index twice)" 0 "$bad"
    check "every vmIndex a manager saw was in the file after each kill" 0 "$reassigned"
    check "no UUID seen with two indexes, no index with two UUIDs" "$pairs $pairs" "$uuids $idxs"
    check_true "churn happened (over 40 VMs seen)" test "$uuids" -gt 40
}

trap 'cleanup_agents; qemu_fixture_stop' EXIT
for p in $PARTS; do
    "part_$p"
    cleanup_agents
    _agents=()
done
qemu_fixture_stop

pass=$(grep -c '^PASS' "$VMMIB_RESULTS")
failn=$(grep -c '^FAIL' "$VMMIB_RESULTS")
skipn=$(grep -c '^SKIP' "$VMMIB_RESULTS")
echo
[ "$failn" -eq 0 ] || { echo "Failures:"; grep '^FAIL' "$VMMIB_RESULTS" | sed 's/^FAIL /  /'; }
[ "$skipn" -eq 0 ] || { echo "Skipped:"; grep '^SKIP' "$VMMIB_RESULTS" | sed 's/^SKIP /  /'; }
echo "soak: $pass passed, $failn failed, $skipn skipped in $(elapsed)"
[ "$failn" -eq 0 ]
