#!/bin/bash
# State-change notifications, received by a real snmptrapd: per-VM ones with
# name, UUID and the PREVIOUS vmOperState; bulk ones with the vmAffectedVMs
# bitmap; the enable switches (SET, bad values, reset on restart); no storm
# when libvirtd restarts.  State changes are made from outside with virsh on
# a libvirtd serving the test driver.
. "$(dirname "$0")/../lib.sh"
trap 'cleanup_agents; remove_session_libvirtd' EXIT
need_session_libvirtd
URI="test+unix:///default?socket=$LV_SOCK"
v() { virsh -q -c "$URI" "$@" >/dev/null 2>&1; }
mkdom() {
    cat >"$LV_DIR/$1.xml" <<XML
<domain type='test'><name>$1</name><uuid>44444444-0000-0000-0000-00000000000$2</uuid>
<memory unit='MiB'>512</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>
XML
    v define "$LV_DIR/$1.xml"
}
start_trapd || { fail "snmptrapd did not start"; finish; }
conf="vmMibUri $URI
vmMibPollInterval 1
trap2sink 127.0.0.1:$TRAP_PORT public
vmMibPerVMNotifications yes
vmMibBulkNotifications yes"
start_agent main "$conf" || finish
# The daemon's test:///default lives while a connection holds it: the
# agent's.  Define the VMs once the agent is connected.
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 1 ]"
mkdom n1 1; mkdom n2 2; mkdom n3 3
wait_for "VMs defined" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
T=$VM.0
n1=$(index_of n1) n2=$(index_of n2) n3=$(index_of n3) t=$(index_of test)
echo "  (vmIndex: n1=$n1 n2=$n2 n3=$n3 test=$t)"
sleep 1.5
check "no notification for VMs found at start or newly defined" "" "$(grep '^TRAP' "$TRAP_LOG" | grep "OID: \.$T\.")"

bit() { # bitmap hex for a set of indexes, as snmptrapd prints it
    local max=0 i; for i in "$@"; do [ "$i" -gt "$max" ] && max=$i; done
    local n=$(( (max + 7) / 8 )) out="" b
    for ((b = 0; b < n; b++)); do
        local byte=0
        for i in "$@"; do [ $(( (i - 1) / 8 )) -eq $b ] && byte=$(( byte | (0x80 >> ((i - 1) % 8)) )); done
        out="$out$(printf '%02X ' $byte)"
    done
    echo "$out" | sed 's/ $//'
}
# Only notifications after the last mark count: each action waits for its own.
MARK=0
mark() { MARK=$(wc -l <"$TRAP_LOG"); }
since_mark() { tail -n +$((MARK + 1)) "$TRAP_LOG"; }
uuid_hex() { virsh -q -c "$URI" domuuid "$1" 2>/dev/null | tr -d '-' | sed 's/../& /g; s/ $//' | tr 'a-f' 'A-F'; }
# expect_vm DESCRIPTION NOTIF INDEX PREV_STATE NAME
expect_vm() {
    local d=$1 n=$2 i=$3 prev=$4 name=$5 line=""
    local pat="^TRAP .*OID: \.$T\.$n\|.*\.$VMTABLE\.2\.$i = STRING: \"$name\""
    local end=$((SECONDS + 10))
    while [ $SECONDS -lt $end ]; do
        line=$(since_mark | grep -E "$pat" | tail -1)
        [ -n "$line" ] && break
        sleep 0.3
    done
    if [ -z "$line" ]; then fail "$d: no notification $T.$n for $name"; return; fi
    check_match "$d: $name's notification carries the previous vmOperState ($prev)" \
        "\|\.$VMTABLE\.6\.$i = INTEGER: $prev(\||$)" "$line"
    check_match "$d: vmUUID.$i is the VM's 16-octet UUID" "\.$VMTABLE\.3\.$i = Hex-STRING: $(uuid_hex "$name")" "$line"
}
# The octets of a printed OCTET STRING value, as spaced upper-case hex.
octets() {
    local val=$1
    if [[ "$val" =~ ^Hex-STRING:\ (.*)$ ]]; then echo "${BASH_REMATCH[1]}" | sed 's/ *$//'
    elif [[ "$val" =~ ^STRING:\ \"(.*)\"$ ]]; then printf '%s' "${BASH_REMATCH[1]}" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//' | tr 'a-f' 'A-F'
    fi
}
expect_bulk() {
    local d=$1 n=$2; shift 2
    local want line="" end=$((SECONDS + 10))
    want=$(bit "$@")
    while [ $SECONDS -lt $end ]; do
        line=$(since_mark | grep "^TRAP .*OID: \.$T\.$n|" | tail -1)
        [ -n "$line" ] && break
        sleep 0.3
    done
    check "$d: bulk $T.$n, vmAffectedVMs.0 bitmap" "$want" "$(octets "$(echo "$line" | sed -n "s/.*|\.$VM\.1\.11\.0 = //p")")"
}

# Starting a VM shown shut off is a change.
mark; v start n1; v start n2
expect_vm "start" 1 $n1 11 n1
expect_vm "start" 1 $n2 11 n2
mark; v suspend n1
expect_vm "suspend" 4 $n1 4 n1;            expect_bulk "suspend" 14 $n1
mark; v resume n1
expect_vm "resume" 1 $n1 8 n1;             expect_bulk "resume" 11 $n1
mark; v managedsave n1
expect_vm "managedsave" 6 $n1 4 n1;        expect_bulk "managedsave" 16 $n1
mark; v start n1
expect_vm "start restoring the save" 1 $n1 6 n1
mark; v destroy n1
expect_vm "destroy" 3 $n1 4 n1;            expect_bulk "destroy" 13 $n1
mark; virsh -q -c "$URI" "suspend n2; suspend test" >/dev/null 2>&1
expect_vm "two VMs paused at once (n2)" 4 $n2 4 n2
expect_vm "two VMs paused at once (test)" 4 $t 4 test
expect_bulk "two VMs paused in one round: one bulk notification" 14 $n2 $t
mark; v undefine n3
expect_vm "undefine" 10 $n3 11 n3;         expect_bulk "undefine" 20 $n3
check_match "vmDeleted carries vmPersistent" "OID: \.$T\.10\|.*\.$VMTABLE\.8\.$n3 = INTEGER: 2" "$(grep "OID: \.$T\.10|" "$TRAP_LOG")"

# ---- switches
check "vmPerVMNotificationsEnabled starts from snmpd.conf (yes)" 1 "$(sget $VM.1.9.0)"
check "vmBulkNotificationsEnabled starts from snmpd.conf (yes)" 1 "$(sget $VM.1.10.0)"
check_match "SET 3 is wrongValue" "wrongValue" "$(snmpset -v2c -c private $AGENT $VM.1.9.0 i 3 2>&1)"
check_match "SET of a string is wrongType" "wrongType" "$(snmpset -v2c -c private $AGENT $VM.1.9.0 s yes 2>&1)"
check "a refused SET changes nothing" 1 "$(sget $VM.1.9.0)"
check_match "SET false(2) is accepted" "INTEGER: 2" "$(snmpset -v2c -c private $AGENT $VM.1.9.0 i 2 2>&1)"
before=$(traps_of "$T.1" | grep -c "\.$VMTABLE\.2\.$n2 ")
mark; v resume n2
expect_bulk "per-VM off: bulk still sent" 11 $n2
sleep 1.5
check "per-VM off: no vmRunning for n2" "$before" "$(traps_of "$T.1" | grep -c "\.$VMTABLE\.2\.$n2 ")"
check_match "SET of both in one PDU with one bad value is refused whole" "wrongValue" \
    "$(snmpset -v2c -c private $AGENT $VM.1.10.0 i 2 $VM.1.9.0 i 7 2>&1)"
check "... and the good varbind was not applied" 1 "$(sget $VM.1.10.0)"

stop_agent
AGENT_KEEP_PORT=1 start_agent main "$conf" || finish
check "a SET does not persist across a restart" 1 "$(sget $VM.1.9.0)"

# ---- both off in snmpd.conf: nothing is sent
stop_agent
AGENT_KEEP_PORT=1 start_agent quiet "vmMibUri $URI
vmMibPollInterval 1
trap2sink 127.0.0.1:$TRAP_PORT public
vmMibPerVMNotifications no
vmMibBulkNotifications no" || finish
wait_for "poll" 15 bash -c "[ -n \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.4.1.2.$n1 2>/dev/null | grep n1)\" ]"
sleep 1.5
n_before=$(grep -c '^TRAP' "$TRAP_LOG")
check "switches read false when configured off" "2 2" "$(sget $VM.1.9.0) $(sget $VM.1.10.0)"
v start n1
sleep 3
check "switches off: no notification at all" "$n_before" "$(grep -c '^TRAP' "$TRAP_LOG")"
stop_agent

# ---- lifecycle events: changes arrive without waiting for the poll
AGENT_KEEP_PORT=1 start_agent events "vmMibUri $URI
vmMibPollInterval 120
trap2sink 127.0.0.1:$TRAP_PORT public" || finish
wait_for "connected" 15 grep -q "connected to hypervisor" "$AGENT_DIR/snmpd.log"
mkdom e1 9
v start e1
e=""
wait_for "e1 row" 10 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 | grep -q e1"
e=$(index_of e1)
check_true "a VM defined and started from outside appears within 10 s, not the 120 s poll" test -n "$e"
if [ -n "$e" ]; then
    wait_for "e1 running" 10 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$e)\" = 4 ]"
    mark; t0=$SECONDS
    v suspend e1
    expect_vm "suspend, poll interval 120 s" 4 $e 4 e1
    check_true "the notification came within 10 s, long before the next poll ($((SECONDS - t0)) s)" \
        test $((SECONDS - t0)) -le 10
fi
stop_agent

# ---- libvirtd restarts: not a state change
FIX="test+unix://$TOP/examples/hypervisor.xml?socket=$LV_SOCK"
AGENT_KEEP_PORT=1 start_agent storm "vmMibUri $FIX
vmMibPollInterval 1
trap2sink 127.0.0.1:$TRAP_PORT public
vmMibBulkNotifications yes" || finish
wait_for "poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
sleep 1.5
n_before=$(grep -c '^TRAP' "$TRAP_LOG")
stop_session_libvirtd
wait_for "unknown" 15 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 | sort -u | tr -d '\n')\" = 1 ]"
start_session_libvirtd || fail "libvirtd restart"
wait_for "recovered" 40 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 | grep -qv '^1$'"
sleep 2
check "no notification when libvirtd goes away and comes back" "$n_before" "$(grep -c '^TRAP' "$TRAP_LOG")"
finish
