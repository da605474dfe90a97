#!/bin/bash
# Lifecycle corner cases on libvirt's test driver (issue 11): what a manager
# is told must be true.  Fixture: tests/fixtures/lifecycle.xml (a running VM,
# a PM-suspended one, a crashed one libvirt holds, one with a 300-octet
# name, one whose start time the index file puts 500 days back).
#   - a managed-saved VM whose image is dropped reads shutdown(11), with vmShutdown
#   - vmUpTime goes on through a managed save and its restore; TimeTicks wrap
#   - RFC 3416 error precedence and undoFailed
#   - destroy(5) of what libvirt holds; no silent no-op
#   - every SET is logged, also those that change nothing
#   - SnmpAdminString cut on a UTF-8 boundary, in GETs and notifications
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/tests/fixtures/lifecycle.xml
A=$VMTABLE
T=$VM.0
set_() { snmpset -v2c -c private -t 3 -r 0 "$AGENT" "$@" 2>&1; }
oper_is() { wait_for "$1 oper $2" 8 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $A.6.$1 2>/dev/null)\" = $2 ]"; }

start_trapd || { fail "snmptrapd did not start"; finish; }
# "old" (UUID ...05) has run, says the index file, for 500 days: past the
# 2^32 centiseconds (497.1 days) at which TimeTicks wrap.
IDX=$VMMIB_RUNDIR/$TEST_NAME-index.conf
now=$(date +%s)
STARTED=$((now - 500 * 86400))
printf 'next 6\nvm 55555555-0000-0000-0000-000000000005 5 %s %s\n' "$now" "$STARTED" >"$IDX"
start_agent main "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes
vmMibIndexFile $IDX
trap2sink 127.0.0.1:$TRAP_PORT public" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 5 ]"
life=$(index_of life) sleeper=$(index_of sleeper) wreck=$(index_of wreck) old=$(index_of old)
# The long-named VM: the one left.
long=$(swalk $A.2 | awk -v a="$life" -v b="$sleeper" -v c="$wreck" -v d="$old" \
    '$1 != a && $1 != b && $1 != c && $1 != d { print $1 }' | head -1)
echo "  (vmIndex: life=$life sleeper=$sleeper wreck=$wreck old=$old long=$long)"

MARK=0
mark() { MARK=$(wc -l <"$TRAP_LOG"); }
# Notifications since the mark, one a line (snmptrapd wraps long hex values).
since_mark() {
    tail -n +$((MARK + 1)) "$TRAP_LOG" | awk '/^TRAP / { if (l != "") print l; l = $0; next }
        { l = l " " $0 } END { if (l != "") print l }'
}
# expect_trap DESCRIPTION NOTIF INDEX PREV: the notification arrives and
# carries the previous vmOperState.  Sets TRAP_LINE.
expect_trap() {
    local end=$((SECONDS + 10))
    TRAP_LINE=""
    while [ $SECONDS -lt $end ]; do
        TRAP_LINE=$(since_mark | grep -E "OID: \.$T\.$2\|.*\.$A\.6\.$3 = " | head -1)
        [ -n "$TRAP_LINE" ] && break
        sleep 0.3
    done
    check_match "$1: $T.$2 with the previous vmOperState $4" "\.$A\.6\.$3 = INTEGER: $4(\||$)" "$TRAP_LINE"
}
log() { cat "$AGENT_DIR/snmpd.log"; }

# ---- point 3: TimeTicks wrap modulo 2^32 (vmHvUpTime always did)
up=$(snmpget -v2c -c public -Oqvt "$AGENT" $A.16.$old)
want=$(((($(date +%s) - STARTED) * 100) % 4294967296))
diff=$((up - want))
check_true "vmUpTime of a VM up for 500 days wraps modulo 2^32 ($up, want about $want), never saturates" \
    test "${diff#-}" -le 300

# ---- point 3: a managed save and its restore do not restart vmUpTime
sleep 3
u0=$(snmpget -v2c -c public -Oqvt "$AGENT" $A.16.$life)
check_match "SET suspended(2): managed save" "INTEGER: 2" "$(set_ $A.5.$life i 2)"
oper_is "$life" 6
usaved=$(snmpget -v2c -c public -Oqvt "$AGENT" $A.16.$life)
check_true "vmUpTime counts on while the VM is saved to disk ($u0 -> $usaved)" test "$usaved" -ge "$u0"
check_match "SET running(1): restore" "INTEGER: 1" "$(set_ $A.5.$life i 1)"
oper_is "$life" 4
u1=$(snmpget -v2c -c public -Oqvt "$AGENT" $A.16.$life)
check_true "vmUpTime after the restore ($u1) has not started again (was $u0 before the save)" \
    test "$u1" -ge "$u0"

# ---- point 2: suspended only while the managed-save image exists
check_match "SET suspended(2) again" "INTEGER: 2" "$(set_ $A.5.$life i 2)"
oper_is "$life" 6
mark
check_match "SET shutdown(4) of a managed-saved VM (drops the image)" "INTEGER: 4" "$(set_ $A.5.$life i 4)"
oper_is "$life" 11
check "without its image the VM is shutdown(11), vmAdminState shutdown(4)" "11 4" \
    "$(sget $A.6.$life) $(sget $A.5.$life)"
expect_trap "the saved image dropped" 3 "$life" 6
check "vmUpTime is 0 once the VM is shut down" 0 "$(snmpget -v2c -c public -Oqvt "$AGENT" $A.16.$life)"
check_match "SET running(1) from there: a cold boot" "INTEGER: 1" "$(set_ $A.5.$life i 1)"
oper_is "$life" 4
check_true "vmUpTime starts anew after the cold boot" \
    test "$(snmpget -v2c -c public -Oqvt "$AGENT" $A.16.$life)" -lt 500

# ---- point 7: every SET is logged, also one that changes nothing
check_match "SET running(1) of a running VM is accepted" "INTEGER: 1" "$(set_ $A.5.$old i 1)"
check_match "... and logged" "control: SET vmAdminState\.$old \(old\) = 1 by 'private' .*: accepted, nothing to do" "$(log)"

# ---- point 5: RFC 3416 4.2.5 error precedence and range
check_match "no such row, wrong type: wrongType comes before noCreation" wrongType "$(set_ $A.5.99999 s x)"
check_match "no such row, wrong value: wrongValue comes before noCreation" wrongValue "$(set_ $A.5.99999 i 9)"
check_match "no such row, good value: noCreation" noCreation "$(set_ $A.5.99999 i 1)"
check_match "vmCpuAffinity of no such row, value 3: wrongValue" wrongValue "$(set_ $VM.1.6.1.3.99999.1.1 i 3)"
check_match "vmCurCpuNumber 2147483648 (beyond Integer32) is wrongValue" wrongValue \
    "$(set_ $A.9.$life i 2147483648)"
check_match "vmCurMem 2147483648 (beyond Integer32) is wrongValue" wrongValue "$(set_ $A.13.$life i 2147483648)"

# ---- point 10: a 300-octet name is cut at 254 octets, before the last é
hex=$(sget_hex $A.2.$long)
check "vmName of a 300-octet name: 254 octets" 508 "${#hex}"
check_match "vmName ends on a whole character (c3 a9), not a lone c3" "c3a9$" "$hex"
mark
check_match "SET paused(3) of the long-named VM" "INTEGER: 3" "$(set_ $A.5.$long i 3)"
expect_trap "pause of the long-named VM" 4 "$long" 4
octets=$(echo "$TRAP_LINE" | tr '|' '\n' | grep "^\.$A\.2\.$long = " | sed 's/^[^=]*= //')
if [[ "$octets" =~ ^Hex-STRING:\ (.*)$ ]]; then
    octets=$(echo "${BASH_REMATCH[1]}" | tr -d ' \n' | tr 'A-F' 'a-f')
elif [[ "$octets" =~ ^STRING:\ \"(.*)\"$ ]]; then
    octets=$(printf '%s' "${BASH_REMATCH[1]}" | od -An -tx1 | tr -d ' \n')
fi
check "the notification's vmName: the same 254 octets" "$hex" "$octets"
check_match "SET running(1) resumes it" "INTEGER: 1" "$(set_ $A.5.$long i 1)"
oper_is "$long" 4

# ---- point 5: a varbind failing in ACTION after a destroy, which cannot be
# undone: undoFailed (RFC 3416 4.2.5), not a clean failure
out=$(set_ $A.5.$long i 5 $A.9.$long i 2)
check_match "destroy(5) then a vCPU change that fails once the VM is off: undoFailed" undoFailed "$out"
oper_is "$long" 11
check "... and the destroy stands: shutdown(11)" 11 "$(sget $A.6.$long)"
check_match "the log says what could not be undone" \
    "vmAdminState\.$long .*: a later varbind failed, and destroy cannot be undone \(undoFailed\)" "$(log)"

# When everything done before the failing varbind is undone, the answer is
# that varbind's own error (the test driver cannot wake a PM-suspended VM).
out=$(set_ $A.5.$life i 3 $A.5.$sleeper i 1)
check_match "pause, then a wake-up the driver refuses: inconsistentValue, not undoFailed" \
    "Reason: inconsistentValue" "$out"
oper_is "$life" 4
check "... and the pause was undone" 4 "$(sget $A.6.$life)"

# ---- point 6: destroy(5) of what libvirt holds, never noError for nothing
check "the PM-suspended VM reads suspended(6)" 6 "$(sget $A.6.$sleeper)"
check_match "shutdown(4) of a sleeping guest is refused" inconsistentValue "$(set_ $A.5.$sleeper i 4)"
check_match "destroy(5) of a PM-suspended VM is accepted" "INTEGER: 5" "$(set_ $A.5.$sleeper i 5)"
oper_is "$sleeper" 11
check "... and does destroy it: shutdown(11)" 11 "$(sget $A.6.$sleeper)"
check "the crashed VM libvirt holds reads crashed(12)" 12 "$(sget $A.6.$wreck)"
check_match "shutdown(4) of a crashed VM libvirt holds is refused" inconsistentValue "$(set_ $A.5.$wreck i 4)"
check_match "running(1) of it is refused (destroy it first)" inconsistentValue "$(set_ $A.5.$wreck i 1)"
check "refusals changed nothing" 12 "$(sget $A.6.$wreck)"
check_match "destroy(5) of it is accepted" "INTEGER: 5" "$(set_ $A.5.$wreck i 5)"
oper_is "$wreck" 11
check "... and releases it: shutdown(11)" 11 "$(sget $A.6.$wreck)"
check_match "the refusal is logged with its reason" \
    "SET vmAdminState\.$wreck \(wreck\) = 4 .*refused \(inconsistentValue.*destroy\(5\) releases it" "$(log)"
finish
