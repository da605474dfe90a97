#!/bin/bash
# The index file (issue 15, points 3, 4, 7, 8):
#  3. a file that exists but cannot be read is never overwritten: snmpd
#     (as an unprivileged user) serves indexes from memory, logs why once,
#     and takes the file's assignments back once it can read it;
#  4. the temporary file follows no link planted at its name, and the file
#     is 0600;
#  7. 139,000 entries load in well under a second, and reloads never block
#     snmpd; with a short quarantine the departed entries leave the file;
#  8. an unwritable path is logged once, and again when it recovers.
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/examples/hypervisor.xml
base="vmMibUri $URI
vmMibPollInterval 1"
four() { wait_for "$1" "${2:-15}" bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"; }
map() { for n in web01 db01 batch01 big01; do echo "$n=$(index_of $n)"; done | tr '\n' ' '; }
known() { # the 4 VMs of the fixture at indexes $1..$1+3, last seen now
    local i=$1 now k
    now=$(date +%s)
    for k in 1 2 3 4; do echo "vm 11111111-2222-3333-4444-00000000000$k $((i + k - 1)) $now 0"; done
}

# ---- 3. unreadable: never overwritten (snmpd as an unprivileged user)
user=${LV_USER:-vmmibtest}
if [ "$(id -u)" -ne 0 ]; then
    skip "unreadable index file: needs root to run snmpd as another user"
elif ! id "$user" >/dev/null 2>&1 && ! useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$user" 2>/dev/null &&
    ! id "$user" >/dev/null 2>&1; then
    skip "unreadable index file: cannot create user $user"
else
    dir=$VMMIB_RUNDIR/$TEST_NAME-priv
    rm -rf "$dir"
    install -d -o "$user" -m 0700 "$dir"
    idx=$dir/index.conf
    known 101 >"$idx"
    chmod 000 "$idx" # root's, mode 000: the user cannot read it (but may replace it)
    sum=$(sha256sum <"$idx")
    AGENT_ARGS="-u $user" start_agent unreadable "$base
vmMibIndexFile $idx" || finish
    four "first poll"
    echo "  indexes: $(map)"
    check "served from memory while the file cannot be read (indexes 1-4)" "1 2 3 4" \
        "$(swalk $VMTABLE.2 | awk '{ print $1 }' | sort -n | tr '\n' ' ' | sed 's/ $//')"
    sleep 3
    check "the unreadable file is left alone (content)" "$sum" "$(sha256sum <"$idx")"
    check "the unreadable file is left alone (owner, mode)" "root 0" "$(stat -c '%U %a' "$idx")"
    log=$AGENT_DIR/snmpd.log
    check "why is logged, once" 1 "$(grep -c "cannot read $idx: Permission denied.*left as it is until it can be read" "$log")"
    # The operator gives the file to snmpd's user: its assignments come back.
    chown "$user" "$idx"
    chmod 600 "$idx"
    wait_for "indexes from the file" 10 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.4.1.2.101 2>/dev/null)\" = '\"web01\"' ]"
    echo "  indexes: $(map)"
    check "once readable, the file's assignments are used" "web01=101 db01=102 batch01=103 big01=104 " "$(map)"
    check "and that is logged once" 1 "$(grep -c "$idx can be read again: its 4 assignments are used (4 VMs change vmIndex)" "$log")"
    wait_for "written" 5 bash -c "[ \"\$(stat -c %U '$idx')\" = '$user' ] && grep -q ' 104 ' '$idx'"
    check "the file is written from then on (still 101..104)" "101 102 103 104" \
        "$(awk '/^vm / { print $3 }' "$idx" | sort -n | tr '\n' ' ' | sed 's/ $//')"
    stop_agent
fi

# ---- 4. a link planted at the temporary file's name is not followed
dir=$VMMIB_RUNDIR/$TEST_NAME-link
rm -rf "$dir"
mkdir -p "$dir"
echo precious >"$dir/target"
ln -s "$dir/target" "$dir/index.conf.new"
start_agent link "$base
vmMibIndexFile $dir/index.conf" || finish
four "first poll"
wait_for "index file" 10 test -f "$dir/index.conf"
check "the link's target is untouched" precious "$(cat "$dir/target")"
check "the index file is a regular file of mode 0600" "regular file 600" "$(stat -c '%F %a' "$dir/index.conf")"
check "with the 4 VMs" 4 "$(grep -c '^vm ' "$dir/index.conf")"
stop_agent

# ---- 8. an unwritable path: logged once, and once when it recovers
dir=$VMMIB_RUNDIR/$TEST_NAME-unwritable
rm -rf "$dir"
mkdir -p "$dir"
start_agent unwritable "$base
vmMibIndexFile $dir/missing/index.conf" || finish
four "first poll"
sleep 5
log=$AGENT_DIR/snmpd.log
check "an unwritable index path is logged once in 5 rounds" 1 "$(grep -c "cannot write $dir/missing/index.conf" "$log")"
mkdir "$dir/missing"
wait_for "written" 10 test -f "$dir/missing/index.conf"
sleep 1.5
check "its recovery is logged once" 1 "$(grep -c "$dir/missing/index.conf is written again" "$log")"
check "no further failure logged" 1 "$(grep -c "cannot write" "$log")"
stop_agent

# ---- 7. 139,000 entries: fast to load, reloads never block snmpd
dir=$VMMIB_RUNDIR/$TEST_NAME-big
rm -rf "$dir"
mkdir -p "$dir"
idx=$dir/index.conf
{
    echo "next 139005"
    known 139001
    awk -v now="$(date +%s)" 'BEGIN { for (i = 1; i <= 139000; i++)
        printf "vm 5a5a5a5a-0000-4000-8000-%012x %d %d 0\n", i, i, now }'
} >"$idx"
echo "  ($(wc -l <"$idx") lines, $(( $(stat -c %s "$idx") / 1024 )) KiB)"
start_agent big "$base
vmMibIndexFile $idx" || finish
t0=$(date +%s%N)
four "VMs served" 30
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "VMs served with their indexes" "web01=139001 db01=139002 batch01=139003 big01=139004 " "$(map)"
check_true "served within 2 s of snmpd answering with 139,000 entries ($ms ms)" test $ms -lt 2000
# Two reloads one second apart, GETs of sysUpTime all along.
probe=$dir/slowest
(
    worst=0 end=$((SECONDS + 5))
    while [ $SECONDS -lt $end ]; do
        t0=$(date +%s%N)
        snmpget -v2c -c public -t 10 -r 0 -Oqv "$AGENT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ $ms -gt $worst ] && worst=$ms && echo $worst >"$probe"
        sleep 0.05
    done
) &
prober=$!
sleep 0.5
kill -HUP "$AGENT_PID"
sleep 1
kill -HUP "$AGENT_PID"
wait $prober
worst=$(cat "$probe")
echo "  (slowest GET around two reloads: $worst ms)"
check_true "reloads with 139,000 entries never hold snmpd over 1 s ($worst ms)" test "$worst" -lt 1000
four "VMs served after the reloads" 10
check "same indexes after the reloads" "web01=139001 db01=139002 batch01=139003 big01=139004 " "$(map)"
stop_agent
sleep 2
AGENT_KEEP_PORT=1 start_agent big "$base
vmMibIndexFile $idx
vmMibIndexQuarantine 1" || finish
four "VMs served"
wait_for "file shrinks" 10 bash -c "[ \$(grep -c '^vm ' '$idx') -eq 4 ]"
check "with a 1 s quarantine the 139,000 departed VMs leave the file" 4 "$(grep -c '^vm ' "$idx")"
check "the VMs there keep their indexes" "web01=139001 db01=139002 batch01=139003 big01=139004 " "$(map)"
finish
