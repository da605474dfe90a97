#!/bin/bash
# Compact vmIndex and bounded notifications (issue 11, point 1).  An index
# file of an older version (a counter near 2^31, indexes 600001 and
# 2147482999) keeps its assignments, but a new VM gets the lowest index no
# VM seen within vmMibIndexQuarantine holds.  No notification is built
# larger than snmpd can send: a VM whose bit a bulk notification cannot
# carry gets a per-VM notification instead (logged once), and the main
# thread never spends time on the size of an index (GETs keep answering).
# After the quarantine, a departed VM's index goes to the next new VM and
# its line leaves the file.
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/examples/hypervisor.xml
start_trapd || { fail "snmptrapd did not start"; finish; }
idx=$VMMIB_RUNDIR/$TEST_NAME-index.conf
now=$(date +%s)
cat >"$idx" <<EOT
next 2147483000
vm 11111111-2222-3333-4444-000000000001 600001 $now 0
vm 11111111-2222-3333-4444-000000000002 2147482999 $now 0
vm 11111111-2222-3333-4444-000000000003 101 $now 0
vm 99999999-2222-3333-4444-000000000099 1 $now 0
EOT
start_agent main "vmMibUri $URI
vmMibPollInterval 1
vmMibIndexFile $idx
vmMibWriteAccess yes
trap2sink 127.0.0.1:$TRAP_PORT public
vmMibPerVMNotifications no
vmMibBulkNotifications yes" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
map() { for n in web01 db01 batch01 big01 new01; do echo "$n=$(index_of $n)"; done | tr '\n' ' '; }
echo "  indexes: $(map)"
check "the file's assignments are kept, a new VM gets the lowest free index (2: 1 is held)" \
    "web01=600001 db01=2147482999 batch01=101 big01=2 new01= " "$(map)"

T=$VM.0
MARK=0
mark() { MARK=$(wc -l <"$TRAP_LOG"); }
since_mark() { tail -n +$((MARK + 1)) "$TRAP_LOG"; }
wait_trap() { wait_for "$1" 10 bash -c "tail -n +$((MARK + 1)) '$TRAP_LOG' | grep -q '$2'"; }
set_() { snmpset -v2c -c private -t 3 -r 0 "$AGENT" "$@" 2>&1; }
# The slowest of GETs of sysUpTime, one every 0.1 s for $1 seconds.
slowest_get() {
    local end=$((SECONDS + $1)) worst=0 t0 ms
    while [ $SECONDS -lt $end ]; do
        t0=$(date +%s%N)
        snmpget -v2c -c public -t 5 -r 0 -Oqv "$AGENT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 || ms=5000
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ $ms -gt $worst ] && worst=$ms
        sleep 0.1
    done
    echo $worst
}

# big01 starts: one bulk vmBulkRunning whose bitmap holds vmIndex 2.
mark; check_match "big01 started" "INTEGER: 1" "$(set_ $VMTABLE.5.2 i 1)"
wait_trap "vmBulkRunning" "OID: \.$T\.11|"
# 0x40 prints as the character '@'.
check "vmBulkRunning for big01: vmAffectedVMs is one octet, bit 2 (0x40)" \
    'STRING: "@"' "$(since_mark | grep "OID: \.$T\.11|" | sed -n "s/.*|\.$VM\.1\.11\.0 = //p" | sed 's/ *$//')"

# web01 (vmIndex 600001, 75,001 octets of bitmap: too long for any sink)
# pauses: a per-VM vmPaused instead, although only bulk ones are enabled.
mark; check_match "web01 paused" "INTEGER: 3" "$(set_ $VMTABLE.5.600001 i 3)"
wait_trap "vmPaused" "OID: \.$T\.4|"
check_match "web01 (600001) gets a per-VM vmPaused with its name" \
    "OID: \.$T\.4\|.*\.$VMTABLE\.2\.600001 = STRING: \"web01\"" "$(since_mark | grep "OID: \.$T\.4|")"
sleep 1
check "and no vmBulkPaused (it could carry nothing)" "" "$(since_mark | grep "OID: \.$T\.14|")"

# db01 (vmIndex 2147482999: a 268 MB bitmap) resumes; GETs keep answering.
mark; check_match "db01 resumed" "INTEGER: 1" "$(set_ $VMTABLE.5.2147482999 i 1)"
worst=$(slowest_get 3)
echo "  (slowest GET while db01's notification was sent: $worst ms)"
check_true "GETs answer within 1 s while a VM with vmIndex 2147482999 changes ($worst ms)" \
    test "$worst" -lt 1000
wait_trap "vmRunning" "OID: \.$T\.1|"
check_match "db01 (2147482999) gets a per-VM vmRunning" \
    "OID: \.$T\.1\|.*\.$VMTABLE\.2\.2147482999 = STRING: \"db01\"" "$(since_mark | grep "OID: \.$T\.1|")"
log=$AGENT_DIR/snmpd.log
check "the fallback is logged once" 1 "$(grep -c 'beyond what a bulk notification can carry' "$log")"
check "nothing was too long to send" 0 "$(grep -c 'Too long' "$log")"
check "no counter in the file any more" 0 "$(grep -c '^next' "$idx")"
stop_agent

# After the quarantine (2 s here), VMs not seen go: big01 (2) and the VM
# that held 1.  new01 takes 1; the file keeps only the VMs it has now.
sleep 3
AGENT_KEEP_PORT=1 start_agent changed "vmMibUri test://$FIXTURES/changed.xml
vmMibPollInterval 1
vmMibIndexFile $idx
vmMibIndexQuarantine 2" || finish
wait_for "poll with changed hypervisor" 15 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 | grep -q new01"
echo "  indexes: $(map)"
check "after the quarantine, new01 gets the lowest index (1)" \
    "web01=600001 db01=2147482999 batch01=101 big01= new01=1 " "$(map)"
wait_for "file rewritten" 10 bash -c "! grep -q 99999999 '$idx'"
check "departed VMs leave the file after the quarantine" \
    "1 101 600001 2147482999" "$(awk '/^vm / { print $3 }' "$idx" | sort -n | tr '\n' ' ' | sed 's/ $//')"
finish
