#!/bin/bash
# End to end on a real hypervisor: snmpd with vmmib.so polling a private
# session libvirtd that runs QEMU (software emulation) domains with no OS
# (fixture: tests/qemu/lib-qemu.sh).  What snmpd answers is compared with
# what virsh says about the same domains:
#   - hypervisor scalars and vmTable, for a running and a shut-off domain;
#   - state changes made with virsh show within one poll (+ slack);
#   - define/undefine (and a transient domain) add and remove rows, move
#     vmTableLastChange and leave the other rows' vmIndex alone;
#   - vmCpuTime grows while a domain runs;
#   - vmCpuTable, vmCpuAffinityTable, vmStorageTable, vmNetworkTable: every
#     column against virsh; an empty table is a failure (the domains run).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-qemu.sh"
t_start=$SECONDS

rc=0
qemu_fixture_start || rc=$?
[ $rc -eq 0 ] || qemu_finish

POLL=1     # vmMibPollInterval
SLACK=4    # seconds allowed on top of one poll for a change to show
ONE=${QEMU_PREFIX}one TWO=${QEMU_PREFIX}two NEW=${QEMU_PREFIX}new TRANS=${QEMU_PREFIX}transient
MAC_ONE=52:54:00:76:6d:01 MAC_TWO_A=52:54:00:76:6d:02 MAC_TWO_B=52:54:00:76:6d:03
HRDEV=1.3.6.1.2.1.25.3.2.1.1     # hrDeviceIndex
HRPROC=1.3.6.1.2.1.25.3.3.1.1    # hrProcessorFrwID, indexed by hrDeviceIndex
HRSTO=1.3.6.1.2.1.25.2.3.1       # hrStorageEntry
VMCPU=$VM.1.5.1 VMAFF=$VM.1.6.1 VMSTO=$VM.1.7.1 VMNET=$VM.1.8.1

# Two domains: ONE (1 vCPU, 64 MiB, IDE disk, e1000 NIC) stays shut off for
# now; TWO (2 vCPUs, 96 MiB, virtio disk, virtio + rtl8139 NICs, autostart
# flag set) runs, with vCPU 1 pinned to host CPU 0 when there are 2 or more.
disk1=$(qemu_disk one 32M) && disk2=$(qemu_disk two 48M) ||
    { fail "qemu-img could not create the disks"; qemu_finish; }
qemu_define "$ONE" 1 64 "$disk1" hda ide "e1000=$MAC_ONE" &&
    qemu_define "$TWO" 2 96 "$disk2" vda virtio "virtio=$MAC_TWO_A" "rtl8139=$MAC_TWO_B" &&
    lv autostart "$TWO" >/dev/null ||
    { fail "virsh define"; qemu_finish; }
qemu_start "$TWO" || { fail "virsh start $TWO"; tail -20 "$LV_DIR/libvirtd.log"; qemu_finish; }
host_cpus=$(lv nodeinfo | awk -F': *' '$1 == "CPU(s)" { print $2 }')
[ "${host_cpus:-1}" -ge 2 ] && lv vcpupin "$TWO" 1 0 --live >/dev/null

# A fresh index file every run; the previous run's files are kept in .prev.
rm -rf "$VMMIB_RUNDIR/$TEST_NAME-qemu.prev"
[ ! -d "$VMMIB_RUNDIR/$TEST_NAME-qemu" ] ||
    mv "$VMMIB_RUNDIR/$TEST_NAME-qemu" "$VMMIB_RUNDIR/$TEST_NAME-qemu.prev"
qemu_private_module
start_agent qemu "vmMibUri $LV_URI
vmMibPollInterval $POLL" || qemu_finish
num_is() { [ "$(sget $VM.1.2.0)" = "$1" ]; }
wait_for "first poll" 30 num_is 2 ||
    { fail "vmNumber never reached 2 (got $(sget $VM.1.2.0))"; tail -5 "$AGENT_DIR/snmpd.log"; qemu_finish; }

# rows OID: "suffix value" for every instance under OID (nothing else).
rows() {
    snmpwalk -v2c -c public -t 2 -r 1 -On -Oq "$AGENT" "$1" 2>/dev/null |
        grep "^\.$1\." | sed "s/^\.$1\.//"
}
ticks() { snmpget -v2c -c public -t 2 -r 1 -Oqvt "$AGENT" "$1" 2>&1; }
dominfo() { lv dominfo "$1" | awk -F': *' -v k="$2" '$1 == k { print $2 }'; }
# The vmOperState and vmAdminState libvirt's state + reason maps to (NOTES.md).
want_states() {
    local s
    s=$(lv domstate "$1" --reason | head -1)
    case $s in
        "running ("*) echo "4 1" ;;
        "paused (user)") echo "8 3" ;;
        "shut off (saved)") echo "6 2" ;;
        "shut off ("*) if [ "$(dominfo "$1" "Managed save")" = yes ]; then echo "6 2"; else echo "11 4"; fi ;;
        *) echo "? ?" ;;
    esac
}
states() { echo "$(sget $VMTABLE.6.$1) $(sget $VMTABLE.5.$1)"; }
# states_are I "OPER ADMIN": reads vmOperState, vmAdminState and vmCpuTime in
# one request (so from one snapshot) into SAMPLE_OPER/ADMIN/CPU.
states_are() {
    read -r SAMPLE_OPER SAMPLE_ADMIN SAMPLE_CPU < <(snmpget -v2c -c public -t 2 -r 1 -Oqv "$AGENT" \
        $VMTABLE.6.$1 $VMTABLE.5.$1 $VMTABLE.17.$1 2>&1 | tr '\n' ' ')
    [ "$SAMPLE_OPER $SAMPLE_ADMIN" = "$2" ]
}
# n VALUE: VALUE when it is an integer, else a sentinel no check expects
# (keeps $((...)) from aborting a check on an SNMP error text).
n() { if [[ "$1" =~ ^-?[0-9]+$ ]]; then echo "$1"; else echo -999999999; fi; }
value_gt() { local v; v=$(sget "$1"); [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -gt "$2" ]; }
# "0-1,3" -> "0 1 3"
cpulist() {
    local part out=()
    for part in ${1//,/ }; do
        if [[ "$part" == *-* ]]; then out+=($(seq "${part%-*}" "${part#*-}")); else out+=("$part"); fi
    done
    echo "${out[*]}"
}
# Stop here, once, when the session libvirtd went away (killed from outside),
# instead of failing every check after it.
hv_alive() {
    lv uri >/dev/null 2>&1 && return 0
    fail "the session libvirtd is gone (killed from outside?); stopping here"
    tail -5 "$LV_DIR/libvirtd.log" | sed 's/^/  | /'
    qemu_finish
}
# served NAME OID: true when the table has a row; else one FAIL line: the
# fixture's domains run, so every table has rows.
served() {
    [ -n "$(rows "$2" | head -1)" ] && return 0
    if ! snmpget -v2c -c public -t 2 -r 1 "$AGENT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
        fail "$1: the agent does not answer (snmpd $(kill -0 "$AGENT_PID" 2>/dev/null && echo running || echo gone))"
        return 1
    fi
    fail "$1: no rows under $2 although the fixture's domains are running"
    return 1
}

hv_alive
echo "-- hypervisor scalars"
check "vmHvSoftware" '"QEMU"' "$(sget $VM.1.1.1.0)"
hvver=$(lv version | awk '/^Running hypervisor: QEMU/ { print $4 }')
check "vmHvVersion = virsh version's running hypervisor (QEMU $hvver)" "\"$hvver\"" "$(sget $VM.1.1.2.0)"
hvup=$(n "$(ticks $VM.1.1.4.0)")
hostup=$(awk '{ printf "%d", $1 * 100 }' /proc/uptime)
check_true "vmHvUpTime ($hvup) is the host's uptime ($hostup) for a local hypervisor" \
    test $(((hvup - hostup) * (hvup - hostup))) -le 250000
check "vmNumber = virsh list --all" "$(lv list --all --name | grep -c .)" "$(sget $VM.1.2.0)"

hv_alive
echo "-- vmTable against virsh dominfo ($TWO running, $ONE shut off)"
for n in "$TWO" "$ONE"; do
    i=$(index_of "$n")
    [ -n "$i" ] || { fail "$n has a vmTable row"; continue; }
    check "$n: vmName" "\"$n\"" "$(sget $VMTABLE.2.$i)"
    check "$n: vmUUID" "$(lv domuuid "$n" | tr -d '-')" "$(sget_hex $VMTABLE.3.$i)"
    check "$n: vmOSType" "\"$(dominfo "$n" "OS Type")\"" "$(sget $VMTABLE.4.$i)"
    check "$n: vmOperState vmAdminState for '$(lv domstate "$n" --reason)'" "$(want_states "$n")" "$(states $i)"
    case $(dominfo "$n" Autostart) in enable) a=2 ;; disable) a=3 ;; *) a=1 ;; esac
    check "$n: vmAutoStart" "$a" "$(sget $VMTABLE.7.$i)"
    case $(dominfo "$n" Persistent) in yes) p=2 ;; no) p=3 ;; *) p=1 ;; esac
    check "$n: vmPersistent" "$p" "$(sget $VMTABLE.8.$i)"
    check "$n: vmCurCpuNumber = CPU(s)" "$(dominfo "$n" "CPU(s)")" "$(sget $VMTABLE.9.$i)"
    scope=--live; [ "$(lv domstate "$n")" = "shut off" ] && scope=--config
    check "$n: vmMaxCpuNumber = vcpucount --maximum" "$(lv vcpucount "$n" --maximum $scope)" "$(sget $VMTABLE.11.$i)"
    unit=$(n "$(sget $VMTABLE.12.$i)")
    max_kib=$(n "$(dominfo "$n" "Max memory" | awk '{ print $1 }')")
    cur_kib=$(n "$(dominfo "$n" "Used memory" | awk '{ print $1 }')")
    check "$n: vmMaxMem * vmMemUnit = Max memory" "$((max_kib * 1024))" "$(($(n "$(sget $VMTABLE.15.$i)") * unit))"
    check "$n: vmCurMem * vmMemUnit = Used memory" "$((cur_kib * 1024))" "$(($(n "$(sget $VMTABLE.13.$i)") * unit))"
    check "$n: vmMemUnit is KiB for a small VM" 1024 "$unit"
    uptime=$(ticks $VMTABLE.16.$i)
    cpu=$(n "$(sget $VMTABLE.17.$i)")
    if [ "$(lv domstate "$n")" = "shut off" ]; then
        check "$n: vmUpTime is 0 while shut off" 0 "$uptime"
        check "$n: vmCpuTime is 0 while shut off" 0 "$cpu"
    else
        check_true "$n: vmUpTime counts while running ($uptime)" test "$uptime" -gt 0
        lv_ms=$(dominfo "$n" "CPU time" | awk '{ sub(/s$/, ""); printf "%d", $1 * 1000 }')
        check_true "$n: vmCpuTime (${cpu} us) within 2 s of dominfo's CPU time (${lv_ms} ms)" \
            test $(((cpu / 1000 - lv_ms) * (cpu / 1000 - lv_ms))) -le 4000000
    fi
done
i1=$(index_of "$ONE")
i2=$(index_of "$TWO")
[ -n "$i1" ] && [ -n "$i2" ] || { fail "both domains have rows"; qemu_finish; }

hv_alive
echo "-- counters grow while $TWO runs"
c1=$(sget $VMTABLE.17.$i2)
if wait_for "vmCpuTime grows" 20 value_gt $VMTABLE.17.$i2 "$c1"; then
    pass "$TWO: vmCpuTime grows ($c1 -> $(sget $VMTABLE.17.$i2) us)"
else
    fail "$TWO: vmCpuTime did not grow in 20 s (stays $c1)"
fi

hv_alive
echo "-- vmCpuTable"
if served vmCpuTable $VMCPU; then
    # "vmCpuIndex time" for TWO, ordered by vmCpuIndex (= vCPU 0, 1, ...)
    cpu_rows() { rows $VMCPU.2 | awk -F'[. ]' -v i=$i2 '$1 == i { print $2, $3 }' | sort -n; }
    cr=$(cpu_rows)
    nv=$(lv vcpuinfo "$TWO" | grep -c '^VCPU:')
    check "$TWO: vmCpuTable has one row per vCPU (virsh vcpuinfo: $nv)" "$nv" "$(echo "$cr" | grep -c .)"
    check "$TWO: vmCpuIndex runs 1..$nv" "$(seq -s ' ' 1 "$nv")" "$(echo "$cr" | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')"
    # virsh's per-vCPU "CPU time" (absent while 0)
    lv_times=$(lv vcpuinfo "$TWO" | awk -F': *' '$1 == "VCPU" { if (n++) print t; t = 0 }
        $1 == "CPU time" { sub(/s$/, "", $2); t = $2 * 1000 } END { if (n) print t }')
    k=0
    while read -r _ us; do
        k=$((k + 1))
        lvms=$(echo "$lv_times" | sed -n "${k}p" | awk '{ printf "%d", $1 }')
        check_true "$TWO: vCPU $((k - 1)): vmCpuCoreTime ($us us) within 2 s of vcpuinfo (${lvms} ms)" \
            test $(((us / 1000 - lvms) * (us / 1000 - lvms))) -le 4000000
    done <<<"$cr"
    sum_cpu() { cpu_rows | awk '{ s += $2 } END { printf "%d", s }'; }
    s1=$(sum_cpu)
    sum_grew() { [ "$(sum_cpu)" -gt "$s1" ]; }
    if wait_for "vmCpuCoreTime grows" 20 sum_grew; then
        pass "$TWO: vmCpuCoreTime grows ($s1 -> $(sum_cpu) us over all vCPUs)"
    else
        fail "$TWO: vmCpuCoreTime did not grow in 20 s (sum stays $s1)"
    fi
fi

hv_alive
echo "-- vmCpuAffinityTable"
if served vmCpuAffinityTable $VMAFF; then
    # "vmCpuIndex vmCpuPhysIndex affinity" for TWO
    ar=$(rows $VMAFF.3 | awk -F'[. ]' -v i=$i2 '$1 == i { print $2, $3, $4 }' | sort -n -k1,1 -k2,2)
    hrdev=" $(rows $HRDEV | awk '{ print $1 }' | tr '\n' ' ')"
    procs=($(rows $HRPROC | awk '{ print $1 }' | sort -n))   # host CPU k = procs[k]
    bad=$(echo "$ar" | awk '{ print $2 }' | sort -un | while read -r ph; do
        [[ "$hrdev" == *" $ph "* ]] || echo "$ph"; done | tr '\n' ' ')
    check "every vmCpuPhysIndex of $TWO is an hrDeviceIndex of the same agent" "" "$bad"
    check "vmCpuAffinity values are enable(1) or disable(2)" "" \
        "$(echo "$ar" | awk '$3 != 1 && $3 != 2 { print }' | tr '\n' ' ')"
    pins=$(lv vcpupin "$TWO" | awk '$1 ~ /^[0-9]+$/ { print $1, $2 }')
    check "$TWO: vmCpuAffinityTable covers every vCPU of virsh vcpupin" "$(echo "$pins" | grep -c .)" \
        "$(echo "$ar" | awk '{ print $1 }' | sort -u | grep -c .)"
    cidx=($(echo "$ar" | awk '{ print $1 }' | sort -un))
    k=0
    while read -r vcpu list; do
        want=""
        for c in $(cpulist "$list"); do want="$want ${procs[$c]:-cpu$c?}"; done
        got=$(echo "$ar" | awk -v c="${cidx[$k]:-none}" '$1 == c && $3 == 1 { printf " %s", $2 }')
        check "$TWO: vCPU $vcpu pinned to host CPUs $list (vcpupin) = vmCpuAffinity enable(1) rows" \
            "$(echo $want | tr ' ' '\n' | sort -n | tr '\n' ' ')" "$(echo $got | tr ' ' '\n' | sort -n | tr '\n' ' ')"
        k=$((k + 1))
    done <<<"$pins"
fi

hv_alive
echo "-- vmStorageTable"
storage_served=no
if served vmStorageTable $VMSTO; then
    storage_served=yes
    hrsto=" $(rows $HRSTO.1 | awk '{ print $1 }' | tr '\n' ' ')"
    for n in "$TWO" "$ONE"; do
        i=$(index_of "$n")
        sidx=($(rows $VMSTO.10 | awk -F'[. ]' -v i=$i '$1 == i { print $2 }' | sort -n))
        # Type Device Target Source
        read -r _ _ target path < <(lv domblklist "$n" --details | awk '$2 == "disk"')
        check "$n: one vmStorageTable row per disk (virsh domblklist)" 1 "${#sidx[@]}"
        [ ${#sidx[@]} -ge 1 ] || continue
        s=$i.${sidx[0]}
        check "$n: vmStorageResourceID is the image path" "\"$path\"" "$(sget $VMSTO.6.$s)"
        check "$n: vmStorageSourceType sparse(5) for a qcow2 file" 5 "$(sget $VMSTO.4.$s)"
        check "$n: vmStorageAccess readwrite(2)" 2 "$(sget $VMSTO.7.$s)"
        check "$n: vmStorageMediaType hardDisk(3)" 3 "$(sget $VMSTO.8.$s)"
        cap=$(lv domblkinfo "$n" "$target" | awk -F': *' '$1 == "Capacity" { print $2 }')
        alloc=$(lv domblkinfo "$n" "$target" | awk -F': *' '$1 == "Allocation" { print $2 }')
        unit=$(sget $VMSTO.10.$s)
        def=$(n "$(sget $VMSTO.11.$s)")
        all=$(n "$(sget $VMSTO.12.$s)")
        cap=$(n "$cap") alloc=$(n "$alloc")
        if [[ "$unit" =~ ^[0-9]+$ ]] && [ "$unit" -gt 0 ]; then
            check "$n: vmStorageDefinedSize * vmStorageSizeUnit = domblkinfo Capacity" "$cap" "$((def * unit))"
            # Allocation need not be a multiple of a large unit: allow rounding.
            check_true "$n: vmStorageAllocatedSize * vmStorageSizeUnit ($all * $unit) = domblkinfo Allocation ($alloc) within one unit" \
                test $(((all * unit - alloc) * (all * unit - alloc))) -lt $((unit * unit))
            u=1
            while [ $((cap / u)) -gt 2147483647 ] || [ $((alloc / u)) -gt 2147483647 ]; do u=$((u * 1024)); done
            check "$n: vmStorageSizeUnit is the smallest unit in which the sizes fit" "$u" "$unit"
        else
            fail "$n: vmStorageSizeUnit is a positive number (got '$unit')"
        fi
        par=$(sget $VMSTO.3.$s)
        if [ "$par" = 0 ]; then
            pass "$n: vmStorageParent is 0"
        else
            check_true "$n: vmStorageParent ($par) is an hrStorageIndex of the same agent" \
                test "${hrsto/ $par /}" != "$hrsto"
            check "$n: vmStorageParent's hrStorageDescr is the file system holding the image" \
                "\"$(df --output=target "$path" | tail -1)\"" "$(sget $HRSTO.3.$par)"
        fi
        if [ "$n" = "$TWO" ]; then
            r0=$(lv domblkstat "$n" "$target" | awk '$2 == "rd_req" { print $3 }')
            rd=$(sget $VMSTO.13.$s)
            r1=$(lv domblkstat "$n" "$target" | awk '$2 == "rd_req" { print $3 }')
            check_true "$n: vmStorageReadIOs ($rd) = domblkstat rd_req ($r0..$r1)" \
                test "$rd" -ge "$r0" -a "$rd" -le "$r1" -a "$r1" -gt 0
        else
            one_sto=$s one_target=$target
            one_rd0=$(sget $VMSTO.13.$s)
        fi
    done
fi

hv_alive
echo "-- vmNetworkTable"
if served vmNetworkTable $VMNET; then
    for n in "$TWO" "$ONE"; do
        i=$(index_of "$n")
        nidx=($(rows $VMNET.4 | awk -F'[. ]' -v i=$i '$1 == i { print $2 }' | sort -n))
        # Interface Type Source Model MAC
        ifl=$(lv domiflist "$n" | awk 'NF >= 5 { print tolower($5), $4, $2 }')
        check "$n: one vmNetworkTable row per NIC (virsh domiflist)" "$(echo "$ifl" | grep -c .)" "${#nidx[@]}"
        seen=""
        for k in "${nidx[@]}"; do
            mac=$(sget_hex $VMNET.5.$i.$k)
            check_match "$n: NIC $k: vmNetworkPhysAddress is 6 octets" '^[0-9a-f]{12}$' "$mac"
            read -r lmac model type < <(echo "$ifl" | awk -v m="$mac" '{ x = $1; gsub(":", "", x) } x == m')
            if [ -z "$lmac" ]; then fail "$n: NIC $k: MAC $mac is not in virsh domiflist"; continue; fi
            seen="$seen $lmac"
            check "$n: NIC $k ($lmac): vmNetworkModel = domiflist model" "\"$model\"" "$(sget $VMNET.4.$i.$k)"
            if [ "$type" = user ]; then
                check "$n: NIC $k: vmNetworkIfIndex 0 (user networking has no host device)" 0 "$(sget $VMNET.2.$i.$k)"
                check "$n: NIC $k: vmNetworkParent 0" 0 "$(sget $VMNET.3.$i.$k)"
            fi
        done
        check "$n: every MAC of virsh domiflist has a row" "$(echo "$ifl" | awk '{ print $1 }' | sort | tr '\n' ' ')" \
            "$(echo $seen | tr ' ' '\n' | sort | tr '\n' ' ')"
    done
fi

hv_alive
echo "-- state changes made with virsh on $ONE show within $POLL s + ${SLACK} s"
# step DESCRIPTION "OPER ADMIN" EXPECTED-DOMSTATE virsh-args...
step() {
    local d=$1 want=$2 dstate=$3
    shift 3
    if ! lv "$@" >/dev/null; then fail "virsh $*"; return 1; fi
    local ds t0=$SECONDS
    ds=$(lv domstate "$ONE" --reason | head -1)
    [ "$ds" = "$dstate" ] || echo "  (note: after virsh $1 libvirt says '$ds', expected '$dstate')"
    if wait_for "$d" $((POLL + SLACK)) states_are "$i1" "$want"; then
        pass "$d: vmOperState vmAdminState = $want ('$ds', seen after $((SECONDS - t0)) s)"
        # The first snapshot that shows the VM stopped must not carry the
        # CPU time of a running one.
        case $want in 6* | 11*) check "$d: vmCpuTime is 0 in the first snapshot showing '$want'" 0 "$SAMPLE_CPU" ;; esac
    else
        fail "$d: vmOperState vmAdminState: expected '$want' within $((POLL + SLACK)) s, got '$(states "$i1")' ('$ds')"
    fi
}
step "virsh start" "4 1" "running (booted)" start "$ONE"
if [ "$storage_served" = yes ] && [ -n "${one_sto:-}" ]; then
    if wait_for "read IOs" $((POLL + SLACK)) value_gt $VMSTO.13.$one_sto "${one_rd0:-0}"; then
        rd=$(sget $VMSTO.13.$one_sto)
        r1=$(lv domblkstat "$ONE" "$one_target" | awk '$2 == "rd_req" { print $3 }')
        check_true "$ONE: vmStorageReadIOs grows after boot (${one_rd0} -> $rd, domblkstat rd_req $r1)" \
            test "$rd" -le "$r1"
    else
        fail "$ONE: vmStorageReadIOs did not grow after boot (stays $(sget $VMSTO.13.$one_sto); domblkstat rd_req $(lv domblkstat "$ONE" "$one_target" | awk '$2 == "rd_req" { print $3 }'))"
    fi
fi
step "virsh suspend" "8 3" "paused (user)" suspend "$ONE"
step "virsh resume" "4 1" "running (unpaused)" resume "$ONE"
step "virsh managedsave" "6 2" "shut off (saved)" managedsave "$ONE"
check "$ONE: vmCpuTime is 0 while managed-saved" 0 "$(sget $VMTABLE.17.$i1)"
step "virsh start (restores the managed save)" "4 1" "running (restored)" start "$ONE"
step "virsh destroy" "11 4" "shut off (destroyed)" destroy "$ONE"
sleep $((POLL + 1))   # the next snapshots
check "$ONE: vmUpTime is 0 after destroy" 0 "$(ticks $VMTABLE.16.$i1)"
check "$ONE: vmCpuTime is 0 after destroy (next polls)" 0 "$(sget $VMTABLE.17.$i1)"
check "$ONE: vmIndex unchanged through the state changes" "$i1" "$(index_of "$ONE")"

hv_alive
echo "-- domains defined and undefined with virsh"
n0=$(sget $VM.1.2.0)
lc0=$(ticks $VM.1.3.0)
idx0=$(rows $VMTABLE.2 | sort)
qemu_define "$NEW" 1 64 "" "" "" "e1000=52:54:00:76:6d:04" || fail "virsh define $NEW"
if wait_for "row added" $((POLL + SLACK)) num_is $((n0 + 1)); then
    pass "virsh define: vmNumber $n0 -> $((n0 + 1))"
else
    fail "virsh define: vmNumber expected $((n0 + 1)), got $(sget $VM.1.2.0)"
fi
lc1=$(ticks $VM.1.3.0)
check_true "virsh define moves vmTableLastChange ($lc0 -> $lc1)" test "$lc1" -gt "$lc0"
inew=$(index_of "$NEW")
check_true "$NEW has a new vmIndex ($inew)" test -n "$inew" -a -z "$(echo "$idx0" | awk -v i="$inew" '$1 == i')"
check "virsh define: the other rows keep their vmIndex" "$idx0" "$(rows $VMTABLE.2 | grep -v "\"$NEW\"" | sort)"
check "$NEW: shut off (11 4)" "11 4" "$(states "$inew")"
sleep 0.1
lv undefine "$NEW" >/dev/null || fail "virsh undefine $NEW"
if wait_for "row removed" $((POLL + SLACK)) num_is "$n0"; then
    pass "virsh undefine: vmNumber $((n0 + 1)) -> $n0"
else
    fail "virsh undefine: vmNumber expected $n0, got $(sget $VM.1.2.0)"
fi
lc2=$(ticks $VM.1.3.0)
check_true "virsh undefine moves vmTableLastChange ($lc1 -> $lc2)" test "$lc2" -gt "$lc1"
check "virsh undefine: $NEW's row is gone" "" "$(index_of "$NEW")"
check "virsh undefine: the other rows keep their vmIndex" "$idx0" "$(rows $VMTABLE.2 | sort)"

# A transient domain: running while it exists, gone when destroyed.
qemu_domain_xml "$TRANS" 1 64 "" "" "" >"$LV_DIR/$TRANS.xml"
if lv create "$LV_DIR/$TRANS.xml" >/dev/null; then
    wait_for "transient row" $((POLL + SLACK)) num_is $((n0 + 1))
    it=$(index_of "$TRANS")
    check_true "virsh create (transient): a row appears ($it)" test -n "$it"
    check "$TRANS: vmPersistent transient(3)" 3 "$(sget $VMTABLE.8.$it)"
    # The row may first show the start itself (preparing(3)): wait for running.
    wait_for "transient running" $((POLL + SLACK)) states_are "$it" "4 1"
    check "$TRANS: running (4 1)" "4 1" "$(states "$it")"
    lct=$(ticks $VM.1.3.0)
    lv destroy "$TRANS" >/dev/null || fail "virsh destroy $TRANS"
    wait_for "transient row gone" $((POLL + SLACK)) num_is "$n0"
    check "virsh destroy of a transient domain removes its row" "" "$(index_of "$TRANS")"
    check_true "... and moves vmTableLastChange ($lct -> $(ticks $VM.1.3.0))" test "$(ticks $VM.1.3.0)" -gt "$lct"
    check "... and the other rows keep their vmIndex" "$idx0" "$(rows $VMTABLE.2 | sort)"
else
    fail "virsh create $TRANS"
fi

check "the agent logged no libvirt connection loss" 0 "$(grep -c 'vmmib: lost' "$AGENT_DIR/snmpd.log")"
check_true "snmpd with the module is still running" kill -0 "$AGENT_PID"
check_true "the session libvirtd is still running" test -S "$LV_SOCK" -a -n "$(lv uri 2>/dev/null)"
if [ $_fail -ne 0 ]; then
    echo "  --- $AGENT_DIR/snmpd.log (end)"; tail -15 "$AGENT_DIR/snmpd.log" | sed 's/^/  | /'
    echo "  --- $AGENT_DIR/stderr.log (end)"; tail -15 "$AGENT_DIR/stderr.log" | sed 's/^/  | /'
    echo "  --- libvirtd.log (end)"; tail -5 "$LV_DIR/libvirtd.log" | sed 's/^/  | /'
fi
echo "  (QEMU suite: $((SECONDS - t_start)) s)"
qemu_finish
