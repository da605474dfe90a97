#!/bin/bash
# Notifications from a real hypervisor: state changes made from outside with
# virsh on a QEMU domain reach a real snmptrapd as the RFC 7666 per-VM and
# bulk notifications, with the previous vmOperState.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-qemu.sh"

rc=0
qemu_fixture_start || rc=$?
[ $rc -eq 0 ] || qemu_finish

N=${QEMU_PREFIX}ntf
disk=$(qemu_disk ntf 32M) || { fail "qemu-img"; qemu_finish; }
qemu_define "$N" 1 64 "$disk" vda virtio || { fail "virsh define"; qemu_finish; }
qemu_start "$N" || { fail "virsh start"; qemu_finish; }
start_trapd || { fail "snmptrapd did not start"; qemu_finish; }
qemu_private_module
# A long poll interval: what arrives quickly came through libvirt's events.
start_agent qemu "vmMibUri $LV_URI
vmMibPollInterval 30
trap2sink 127.0.0.1:$TRAP_PORT public
vmMibBulkNotifications yes" || qemu_finish
wait_for "first poll" 40 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 2>/dev/null | grep -q '$N'" ||
    { fail "the domain never showed up"; qemu_finish; }
i=$(index_of "$N")
wait_for "running" 40 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$i)\" = 4 ]"
T=$VM.0
MARK=0
mark() { MARK=$(wc -l <"$TRAP_LOG"); }
# expect DESCRIPTION NOTIF PREV_STATE (a regex)
expect() {
    local line="" end=$((SECONDS + 15))
    while [ $SECONDS -lt $end ]; do
        line=$(tail -n +$((MARK + 1)) "$TRAP_LOG" | grep -E "^TRAP .*OID: \.$T\.$2\|.*\.$VMTABLE\.2\.$i = STRING: \"$N\"" | head -1)
        [ -n "$line" ] && break
        sleep 0.3
    done
    if [ -z "$line" ]; then fail "$1: no $T.$2 within 15 s (poll interval 30 s)"; return; fi
    check_match "$1: $T.$2 with the previous vmOperState $3" "\.$VMTABLE\.6\.$i = INTEGER: $3(\||$)" "$line"
    local bulk
    bulk=$(tail -n +$((MARK + 1)) "$TRAP_LOG" | grep "^TRAP .*OID: \.$T\.$(($2 + 10))|" | head -1)
    check_match "$1: bulk $T.$(($2 + 10)) carries vmAffectedVMs" "\.$VM\.1\.11\.0 = " "$bulk"
}
mark; lv suspend "$N" >/dev/null;     expect "virsh suspend" 4 4
mark; lv resume "$N" >/dev/null;      expect "virsh resume" 1 8
# (A round may read the save under way: suspending(5) comes first then.)
mark; lv managedsave "$N" >/dev/null; expect "virsh managedsave" 6 "(4|5)"
# Restoring a managed save: libvirt's STARTED/RESTORED event tells of the
# resuming step, then RESUMED of running; they are reported in libvirt's
# order, never resuming after running.
mark; qemu_start "$N";                expect "virsh start (restores)" 1 7
sleep 2
order=$(tail -n +$((MARK + 1)) "$TRAP_LOG" | grep -E "OID: \.$T\.(1|7)\|.*\"$N\"" |
    sed -E "s/.*OID: \.$T\.([0-9]+)\|.*/\1/" | tr '\n' ' ')
check "restore: resuming (7), then running (1)" "7 1 " "$order"
# QEMU may report the host's signal as a shutdown in progress first (libvirt's
# SHUTDOWN event: shuttingdown) before the domain is off.
mark; lv destroy "$N" >/dev/null;     expect "virsh destroy" 3 "(4|10)"
mark; lv undefine "$N" --managed-save >/dev/null; expect "virsh undefine" 10 11
qemu_finish
