#!/bin/bash
# Control over SNMP against a real hypervisor (vmMibWriteAccess yes): SETs of
# vmAdminState reach the QEMU domain (virsh sees them), a SET answers within
# a second even for a managed save, and live memory, vCPU and pinning changes
# leave the persistent definition (virsh dumpxml --inactive) untouched.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-qemu.sh"

rc=0
qemu_fixture_start || rc=$?
[ $rc -eq 0 ] || qemu_finish

CTL=${QEMU_PREFIX}ctl
disk=$(qemu_disk ctl 32M) || { fail "qemu-img"; qemu_finish; }
# 2 vCPUs of 3, 128 MiB of 192 MiB, a balloon: room for live changes.
cat >"$LV_DIR/$CTL.xml" <<XML
<domain type='qemu'>
  <name>$CTL</name>
  <memory unit='MiB'>192</memory>
  <currentMemory unit='MiB'>128</currentMemory>
  <vcpu placement='static' current='2'>3</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$disk'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <video><model type='none'/></video>
    <memballoon model='virtio'/>
  </devices>
</domain>
XML
lv define "$LV_DIR/$CTL.xml" >/dev/null || { fail "virsh define"; qemu_finish; }
qemu_start "$CTL" || { fail "virsh start"; qemu_finish; }
inactive_before=$(lv dumpxml --inactive "$CTL")

qemu_private_module
start_agent qemu "vmMibUri $LV_URI
vmMibPollInterval 1
vmMibWriteAccess yes" || qemu_finish
wait_for "first poll" 30 bash -c "snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 2>/dev/null | grep -q '$CTL'" ||
    { fail "the domain never showed up"; qemu_finish; }
i=$(index_of "$CTL")
wait_for "running" 30 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$i 2>/dev/null)\" = 4 ]" ||
    { fail "the domain never showed running"; qemu_finish; }
set_() { snmpset -v2c -c private -t 5 -r 0 "$AGENT" "$@" 2>&1; }
domstate() { lv domstate "$CTL" --reason | head -1; }

# admin TARGET EXPECTED_DOMSTATE OPER ADMIN
admin() {
    local t0 t1 out
    t0=$(date +%s%N)
    out=$(set_ $VMTABLE.5.$i i $1)
    t1=$(date +%s%N)
    check_match "SET vmAdminState = $1 accepted" "INTEGER: $1" "$out"
    check_true "SET vmAdminState = $1 answered within a second ($(( (t1 - t0) / 1000000 )) ms)" \
        test $(( (t1 - t0) / 1000000 )) -lt 1000
    if wait_for "virsh sees it" 60 bash -c "[ \"\$(timeout 30 virsh -q -c '$LV_URI' domstate '$CTL' --reason | head -1)\" = '$2' ]"; then
        pass "SET vmAdminState = $1 reached the domain: virsh says '$2'"
    else
        fail "SET vmAdminState = $1: virsh says '$(domstate)', expected '$2'"
    fi
    wait_for "agent shows it" 10 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$i $VMTABLE.5.$i | tr '\n' ' ')\" = '$3 $4 ' ]"
    check "vmOperState vmAdminState after SET $1" "$3 $4" "$(sget $VMTABLE.6.$i) $(sget $VMTABLE.5.$i)"
}
admin 3 "paused (user)" 8 3
admin 1 "running (unpaused)" 4 1
admin 2 "shut off (saved)" 6 2
check "managed save image exists" yes "$(lv dominfo "$CTL" | awk -F': *' '$1 == "Managed save" { print $2 }')"
admin 1 "running (restored)" 4 1
admin 5 "shut off (destroyed)" 11 4
admin 1 "running (booted)" 4 1

# ---- live changes: the running VM changes, its definition does not
unit=$(sget $VMTABLE.12.$i)
new=$(( 160 * 1024 * 1024 / unit ))
check_match "SET vmCurMem to 160 MiB accepted" "INTEGER: $new" "$(set_ $VMTABLE.13.$i i $new)"
# Without a guest balloon driver the guest never gives the memory back, so
# libvirt's figures do not move: what can be checked is that libvirt took
# the live request (the log says "done", not "failed").
check_match "libvirt accepted the live balloon request" \
    "SET vmCurMem\.$i \($CTL\) = $new by 'private'.*: done" "$(cat "$AGENT_DIR/snmpd.log")"
check_match "SET vmCurCpuNumber 3 accepted (vCPU hot-plug)" "INTEGER: 3" "$(set_ $VMTABLE.9.$i i 3)"
wait_for "3 vCPUs" 10 bash -c "[ \"\$(timeout 30 virsh -q -c '$LV_URI' vcpucount '$CTL' --live --active)\" = 3 ]"
check "virsh vcpucount --live --active" 3 "$(lv vcpucount "$CTL" --live --active)"
host_cpus=$(lv nodeinfo | awk -F': *' '$1 == "CPU(s)" { print $2 }')
if [ "${host_cpus:-1}" -ge 2 ]; then
    wait_for "affinity rows" 10 bash -c "snmpwalk -v2c -c public -Oq $AGENT $VM.1.6.1.3.$i.1 | grep -q ."
    phys=($(snmpwalk -v2c -c public -On -Oq $AGENT $VM.1.6.1.3.$i.1 | awk '{ n = split($1, a, "."); print a[n] }'))
    check_match "SET vmCpuAffinity: vCPU 0 off host CPU 1" "INTEGER: 2" "$(set_ $VM.1.6.1.3.$i.1.${phys[1]} i 2)"
    check "virsh vcpupin --live shows vCPU 0 on host CPU 0 only" "0" \
        "$(lv vcpupin "$CTL" --live | awk '$1 == "0" { print $2 }')"
else
    skip "pinning: the host has one CPU"
fi
inactive_after=$(lv dumpxml --inactive "$CTL")
if [ "$inactive_before" = "$inactive_after" ]; then
    pass "virsh dumpxml --inactive is unchanged by every SET"
else
    fail "the persistent definition changed:"
    diff <(echo "$inactive_before") <(echo "$inactive_after") | head -20
fi
qemu_finish
