#!/bin/bash
# vmCpuTable, vmCpuAffinityTable, vmStorageTable and vmNetworkTable, every
# column, against what libvirt (virsh on the same test-driver fixture) says
# and against the same agent's HOST-RESOURCES-MIB.
. "$(dirname "$0")/../lib.sh"
DIR=$VMMIB_RUNDIR/$TEST_NAME-images
mkdir -p "$DIR"
for f in root.qcow2 install.iso boot.img off.raw; do truncate -s 10M "$DIR/$f"; done
sed "s|@DIR@|$DIR|g" "$FIXTURES/resources.xml.in" >"$DIR/resources.xml"
URI=test://$DIR/resources.xml
v() { virsh -q -c "$URI" "$@" 2>/dev/null; }
start_agent main "vmMibUri $URI
vmMibPollInterval 2" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"

CPU=$VM.1.5.1
AFF=$VM.1.6.1
STO=$VM.1.7.1
NET=$VM.1.8.1

# ---- vmCpuTable
for n in nodev wide disks offdisks; do
    i=$(index_of $n)
    want=0
    [ "$(v domstate $n)" = "shut off" ] || want=$(v vcpuinfo $n | grep -c '^VCPU:')
    check "$n: one vmCpuTable row per online vCPU" "$want" "$(swalk $CPU.2.$i | grep -c .)"
done
i=$(index_of disks)
lv_s=$(v vcpuinfo disks | awk '/^CPU time/ { sub(/s$/, "", $3); sub(/\..*/, "", $3); print $3; exit }')
snmp_us=$(sget $CPU.2.$i.1)
check_true "vmCpuCoreTime (µs) agrees with virsh vcpuinfo ($snmp_us us vs $lv_s s)" \
    test $(( (snmp_us / 1000000 - lv_s) ** 2 )) -le 900
check "vCPU numbering starts at 1 (vmCpuIndex = libvirt vCPU + 1)" "1 2" \
    "$(swalk $CPU.2.$i | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')"

# ---- vmCpuAffinityTable
procs=$(snmpwalk -v2c -c public -On -Oq $AGENT 1.3.6.1.2.1.25.3.2.1.2 | awk '$2 ~ /25\.3\.1\.3$/ { n = split($1, a, "."); print a[n] }')
ncpu=$(v vcpuinfo disks | awk '/^CPU Affinity/ { print length($3); exit }')
if [ "$(echo "$procs" | grep -c .)" = "$ncpu" ]; then
    want_phys=$(echo "$procs" | tr '\n' ' ')
    echo "  (hypervisor CPUs = this agent's $ncpu processors: vmCpuPhysIndex must be their hrDeviceIndex)"
else
    want_phys=$(seq 1 "$ncpu" | tr '\n' ' ')
    echo "  (hypervisor has $ncpu CPUs, this agent $(echo "$procs" | grep -c .) processors: vmCpuPhysIndex = CPU number + 1)"
fi
for vcpu in 0 1; do
    rows=$(swalk $AFF.3.$i.$((vcpu + 1)))
    check "disks vCPU $vcpu: one affinity row per host CPU, indexed as documented" "$want_phys" \
        "$(echo "$rows" | awk '{ print $1 }' | tr '\n' ' ')"
    got=$(echo "$rows" | awk '{ printf "%s", ($2 == 1 ? "y" : "-") }')
    want=$(v vcpuinfo disks | awk -v n=$vcpu '/^VCPU:/ { c = $2 } /^CPU Affinity/ && c == n { print $3 }')
    check "disks vCPU $vcpu: vmCpuAffinity agrees with virsh vcpuinfo" "$want" "$got"
done
check "no affinity rows for a shut-off VM" 0 "$(swalk $AFF.3.$(index_of offdisks) | grep -c .)"

# ---- vmStorageTable
mount_of() { df --output=target "$1" | tail -1; }
hr_storage_index() {
    snmpwalk -v2c -c public -On -Oq $AGENT 1.3.6.1.2.1.25.2.3.1.3 |
        awk -v m="\"$1\"" '$2 == m || $2 == substr(m, 2, length(m) - 2) { n = split($1, a, "."); print a[n] }'
}
root_parent=$(hr_storage_index "$(mount_of "$DIR/root.qcow2")")
echo "  (images on $(mount_of "$DIR/root.qcow2"), hrStorageIndex ${root_parent:-none})"
# resource -> "sourceType sourceTypeString access media mediaString parent"
declare -A want=(
    ["$DIR/root.qcow2"]="5 qcow2 2 3 virtio ${root_parent:-0}"
    ["$DIR/install.iso"]="4 raw 3 4 sata ${root_parent:-0}"
    ["$DIR/boot.img"]="4 raw 2 5 fdc ${root_parent:-0}"
    ["/dev/null"]="3 raw 2 1 scsi 0"
    ["nbd://nbd.example.net:10809/export1"]="6 raw 3 3 virtio 0"
    ["default/data.img"]="2 raw 2 3 virtio 0"
    ["default/data2.qcow2"]="5 qcow2 2 3 virtio 0"
)
declare -A target=(
    ["$DIR/root.qcow2"]=vda ["$DIR/install.iso"]=sda ["$DIR/boot.img"]=fda
    ["/dev/null"]=sdb ["nbd://nbd.example.net:10809/export1"]=vdb ["default/data.img"]=vdc
    ["default/data2.qcow2"]=vdd
)
rowsfor() { swalk $STO.6.$1 | sed 's/"//g'; }
check "disks: one vmStorageTable row per disk" 7 "$(rowsfor $i | grep -c .)"
while read -r sub res; do
    [ -n "$sub" ] || continue
    w=${want[$res]:-}
    if [ -z "$w" ]; then fail "unexpected vmStorageResourceID '$res'"; continue; fi
    got="$(sget $STO.4.$i.$sub) $(sget $STO.5.$i.$sub | tr -d '"') $(sget $STO.7.$i.$sub) $(sget $STO.8.$i.$sub) $(sget $STO.9.$i.$sub | tr -d '"') $(sget $STO.3.$i.$sub)"
    check "$res: source type, string, access, media, media string, parent" "$w" "$got"
    t=${target[$res]}
    cap=$(v domblkinfo disks $t | awk '/^Capacity/ { print $2 }')
    alloc=$(v domblkinfo disks $t | awk '/^Allocation/ { print $2 }')
    unit=$(sget $STO.10.$i.$sub)
    def=$(sget $STO.11.$i.$sub)
    al=$(sget $STO.12.$i.$sub)
    check_true "$res: vmStorageDefinedSize * unit ($def * $unit) = capacity $cap, rounded down" \
        test $((def * unit)) -le "$cap" -a $(((def + 1) * unit)) -gt "$cap"
    check_true "$res: sizes fit Integer32 with the smallest unit ($unit)" \
        test "$def" -le 2147483647 -a \( "$unit" -eq 1 -o $((cap / (unit / 1024))) -gt 2147483647 \)
    case ${w%% *} in
        3 | 4) check "$res: block/raw allocated size = defined size" "$def" "$al" ;;
        *) check_true "$res: allocated size = libvirt's allocation in the unit" \
            test $((al * unit)) -le "$alloc" -a $(((al + 1) * unit)) -gt "$alloc" ;;
    esac
    # The test driver's counters follow the clock: compare within 1 %.
    stats=$(v domblkstat disks $t)
    for pair in rd_req:13 wr_req:14 rd_bytes:15 wr_bytes:16; do
        f=${pair%%:*} col=${pair##*:}
        lv=$(echo "$stats" | awk -v f=$f '$2 == f { print $3 }')
        sn=$(sget $STO.$col.$i.$sub)
        check_true "$res: column $col agrees with domblkstat $f ($sn vs $lv)" \
            test $(( (sn - lv) * 100 / (lv + 1) )) -le 1 -a $(( (lv - sn) * 100 / (lv + 1) )) -le 1
    done
    for col in 17 18; do
        check_match "$res: latency column $col is a Counter64" "^[0-9]+$" "$(sget $STO.$col.$i.$sub)"
    done
done < <(rowsfor $i)
o=$(index_of offdisks)
check "inactive VM keeps its disk row" "\"$DIR/off.raw\"" "$(sget $STO.6.$o.1)"
check "inactive VM's disk counters are 0" "0 0" "$(sget $STO.13.$o.1) $(sget $STO.15.$o.1)"
check "a VM without devices has no storage rows" 0 "$(swalk $STO.6.$(index_of nodev) | grep -c .)"

# ---- vmNetworkTable
macs=$(snmpwalk -v2c -c public -On -Oqx $AGENT $NET.5.$i | awk '{ $1 = ""; print }' | tr -d ' "' | tr 'A-F' 'a-f' | tr '\n' ' ')
check "disks: vmNetworkPhysAddress = domiflist MACs" \
    "$(v domiflist disks | awk '{ print $5 }' | tr -d ':' | tr '\n' ' ')" "$macs"
check "disks: vmNetworkModel = domiflist models" \
    "$(v domiflist disks | awk '{ print "\"" $4 "\"" }' | tr '\n' ' ')" "$(swalk $NET.4.$i | awk '{ print $2 }' | tr '\n' ' ')"
check "no host device, no bridge here: vmNetworkIfIndex and vmNetworkParent are 0" "0 0 0 0" \
    "$(swalk $NET.2.$i | awk '{ printf "%s ", $2 }')$(swalk $NET.3.$i | awk '{ printf "%s ", $2 }' | sed 's/ $//')"
check "inactive VM keeps its NIC row" "1" "$(swalk $NET.4.$o | grep -c .)"
check "a VM without devices has no NIC rows" 0 "$(swalk $NET.4.$(index_of nodev) | grep -c .)"
finish
