#!/bin/bash
# Lifecycle corner cases against a real hypervisor (issue 11, issue 15 point
# 9): what a manager is told must be true.  One QEMU domain with an empty
# CD-ROM drive, a real snmptrapd, snmpd polling every second:
#   - libvirtd's log gets no error from polling a steady host
#   - 15 managed-save restores in a row: the notifications never go
#     backwards and vmResuming is never missing; vmUpTime goes on
#   - a domain saved while paused comes back paused(8), never migrating(9)
#   - managedsave-remove and a save to a file of its own read shutdown(11)
#   - a shutdown the guest ignores shows as requested meanwhile
#   - at a 60 s poll interval, hot-plugged and unplugged disks and NICs show
#     within one round (device events)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-qemu.sh"
t_begin=$SECONDS

rc=0
qemu_fixture_start || rc=$?
[ $rc -eq 0 ] || qemu_finish

L=${QEMU_PREFIX}life
RESTORES=${VMMIB_QEMU_RESTORES:-15}
disk=$(qemu_disk life 32M) && spare=$(qemu_disk spare 16M) || { fail "qemu-img"; qemu_finish; }
# ACPI: the pc machine hot-plugs PCI devices (the NIC below) through it.
qemu_domain_xml "$L" 1 64 "$disk" vda virtio "virtio=52:54:00:11:0b:01" |
    sed "s|</os>|</os><features><acpi/></features>|" |
    sed "s|<video>|<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='sda' bus='sata'/><readonly/></disk>\n    <video>|" \
        >"$LV_DIR/$L.xml"
lv define "$LV_DIR/$L.xml" >/dev/null || { fail "virsh define"; qemu_finish; }
qemu_start "$L" || { fail "virsh start"; qemu_finish; }
start_trapd || { fail "snmptrapd did not start"; qemu_finish; }
qemu_private_module
start_agent qemu "vmMibUri $LV_URI
vmMibPollInterval 1
vmMibWriteAccess yes
trap2sink 127.0.0.1:$TRAP_PORT public" || qemu_finish
wait_for "first poll" 40 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 2>/dev/null | grep -q '$L'" ||
    { fail "the domain never showed up"; qemu_finish; }
i=$(index_of "$L")
A=$VMTABLE
T=$VM.0
# oper_is STATE [SECONDS]: vmOperState of the domain becomes STATE.
oper_is() {
    wait_for "oper $1" "${2:-30}" bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $A.6.$i 2>/dev/null)\" = $1 ]"
}
uptime() { snmpget -v2c -c public -Oqvt "$AGENT" $A.16.$i; }
set_() { snmpset -v2c -c private -t 5 -r 0 "$AGENT" "$@" 2>&1; }
oper_is 4 || { fail "the domain never showed running"; qemu_finish; }
MARK=0
mark() { MARK=$(wc -l <"$TRAP_LOG"); }
# The domain's per-VM notifications since the mark: "NUMBER:PREVIOUS" each.
notes() {
    tail -n +$((MARK + 1)) "$TRAP_LOG" | grep -E "OID: \.$T\.[0-9]+\|.*\.$A\.6\.$i = INTEGER" |
        sed -E "s/.*OID: \.$T\.([0-9]+)\|.*\.$A\.6\.$i = INTEGER: ([0-9]+).*/\1:\2/" | tr '\n' ' '
}
errors() { grep -c ' error : ' "$LV_DIR/libvirtd.log"; }

# ---- point 8: polling a steady host leaves libvirtd's log alone
sleep 2
e0=$(errors)
sleep 5
check "5 s of polling every second (an empty CD-ROM drive included): no new error in libvirtd's log" \
    0 "$(($(errors) - e0))"
[ "$(($(errors) - e0))" -eq 0 ] || grep ' error : ' "$LV_DIR/libvirtd.log" | tail -3

# ---- point 4: managed-save restores; point 3: vmUpTime goes on
mark
u0=$(uptime)
t0=$SECONDS
ok=0
for k in $(seq "$RESTORES"); do
    lv managedsave "$L" >/dev/null && oper_is 6 && qemu_start "$L" && oper_is 4 && ok=$((ok + 1))
done
sleep 2
check "$RESTORES managed saves and restores done" "$RESTORES" "$ok"
got=$(notes)
# Each cycle: maybe suspending (a round read the save under way), suspended,
# resuming, running; each notification's previous state is the state the one
# before it reported (preparing, which has no notification, may come between).
cycle="(5:4 )?6:[45] 7:[36] 1:7 "
check_match "$RESTORES restores: vmSuspended, vmResuming, vmRunning each time, never backwards" \
    "^($cycle){$RESTORES}$" "$got"
check "vmResuming in every restore" "$RESTORES" "$(echo "$got" | grep -o '7:' | wc -l)"
u1=$(uptime)
elapsed=$((SECONDS - t0))
echo "  ($RESTORES restores in $elapsed s; vmUpTime $u0 -> $u1)"
check_true "vmUpTime went on through $RESTORES saves and restores ($u0 -> $u1 in $elapsed s)" \
    test "$u1" -ge $((u0 + (elapsed - 3) * 100))

# ---- issue 15 point 9: saved while paused, restored paused: paused(8)
lv suspend "$L" >/dev/null && oper_is 8
lv managedsave "$L" >/dev/null && oper_is 6
mark
qemu_start "$L"
check "virsh says paused (migrating) after the restore" "paused (migrating)" "$(lv domstate "$L" --reason | head -1)"
oper_is 8 10
sleep 2
check "restored paused: vmOperState paused(8), vmAdminState paused(3)" "8 3" "$(sget $A.6.$i) $(sget $A.5.$i)"
check "restored paused: vmResuming then vmPaused, no vmMigrating" "7:6 4:7 " "$(notes)"
lv resume "$L" >/dev/null
oper_is 4

# ---- point 2: suspended only while the managed-save image exists
lv managedsave "$L" >/dev/null && oper_is 6
mark
lv managedsave-remove "$L" >/dev/null
oper_is 11 10
check "managedsave-remove: vmOperState shutdown(11), vmAdminState shutdown(4)" "11 4" \
    "$(sget $A.6.$i) $(sget $A.5.$i)"
sleep 1
check "managedsave-remove: vmShutdown from suspended" "3:6 " "$(notes)"
check "vmUpTime is 0 once the saved image is gone" 0 "$(uptime)"
qemu_start "$L" && oper_is 4
mark
lv save "$L" "$LV_DIR/images/own.save" >/dev/null
oper_is 11 20
check "virsh save to a file of its own: shutdown(11), not suspended(6)" "11 4" \
    "$(sget $A.6.$i) $(sget $A.5.$i)"
sleep 1
check_match "virsh save: vmShutdown, never vmSuspended" "^(5:4 3:5|3:4) $" "$(notes)"
lv restore "$LV_DIR/images/own.save" >/dev/null && oper_is 4

# ---- point 6: a shutdown the guest ignores (no OS) shows as requested
check_match "SET shutdown(4) accepted" "INTEGER: 4" "$(set_ $A.5.$i i 4)"
sleep 3
check "3 s later the guest still runs: vmOperState running(4), vmAdminState shows the request, shutdown(4)" \
    "4 4" "$(sget $A.6.$i) $(sget $A.5.$i)"
check_match "SET destroy(5) accepted" "INTEGER: 5" "$(set_ $A.5.$i i 5)"
oper_is 11
check "destroyed: shutdown(11), vmAdminState shutdown(4)" "11 4" "$(sget $A.6.$i) $(sget $A.5.$i)"
qemu_start "$L" && oper_is 4
stop_agent

# ---- point 9: devices follow within one round at a 60 s poll interval
start_agent devices "vmMibUri $LV_URI
vmMibPollInterval 60" || qemu_finish
wait_for "first poll" 40 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 2>/dev/null | grep -q '$L'" ||
    { fail "the domain never showed up"; qemu_finish; }
i=$(index_of "$L")
STO=$VM.1.7.1 NET=$VM.1.8.1
disks() { snmpwalk -v2c -c public -Oqv "$AGENT" $STO.6.$i 2>/dev/null | tr -d '"' | sort | tr '\n' ' '; }
macs() { snmpwalk -v2c -c public -Oqvx "$AGENT" $NET.5.$i 2>/dev/null | tr -d ' "\n' | tr 'A-F' 'a-f'; }
before=$(disks)
t0=$SECONDS
lv attach-disk "$L" "$spare" sdb --targetbus usb --driver qemu --subdriver qcow2 --live >/dev/null ||
    fail "virsh attach-disk"
wait_for "disk shows" 10 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $STO.6.$i | grep -q '$spare'"
check_match "a disk plugged live shows in vmStorageTable within a round, not at the 60 s poll ($((SECONDS - t0)) s)" \
    "$spare" "$(disks)"
e0=$(errors)
t0=$SECONDS
lv detach-disk "$L" sdb --live >/dev/null || fail "virsh detach-disk"
wait_for "disk goes" 10 bash -c "! snmpwalk -v2c -c public -Oqv $AGENT $STO.6.$i | grep -q '$spare'"
check "a disk unplugged live leaves vmStorageTable within a round ($((SECONDS - t0)) s)" "$before" "$(disks)"
cat >"$LV_DIR/nic.xml" <<XML
<interface type='user'>
  <mac address='52:54:00:11:0b:02'/>
  <model type='virtio'/>
  <rom enabled='no'/>
</interface>
XML
t0=$SECONDS
lv attach-device "$L" "$LV_DIR/nic.xml" --live >/dev/null || fail "virsh attach-device (NIC)"
wait_for "NIC shows" 10 bash -c "snmpwalk -v2c -c public -Oqvx $AGENT $NET.5.$i | tr -d ' \"\n' | grep -qi 525400110b02"
check_match "a NIC plugged live shows in vmNetworkTable within a round ($((SECONDS - t0)) s)" \
    "525400110b02" "$(macs)"
sleep 2
check "no error in libvirtd's log from polling around the unplug" 0 "$(($(errors) - e0))"
echo "  (t_qemu_lifecycle took $((SECONDS - t_begin)) s)"
qemu_finish
