#!/bin/bash
# Every hypervisor scalar and every vmTable column, checked against what
# libvirt (virsh on the same test-driver fixture) says.
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/examples/hypervisor.xml
start_agent main "vmMibUri $URI
vmMibPollInterval 2" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" -gt 0 ]"

v() { virsh -q -c "$URI" "$@" 2>/dev/null; }
dominfo() { v dominfo "$1" | awk -F': *' -v k="$2" '$1 == k { print $2 }'; }

names=$(v list --all --name | sed '/^$/d' | sort)
check "vmNumber = number of libvirt domains" "$(echo "$names" | wc -l)" "$(sget $VM.1.2.0)"
check "vmHvSoftware = libvirt driver type" '"TEST"' "$(sget $VM.1.1.1.0)"
hvver=$(v version | awk '/Running hypervisor/ { print $4 }')
check "vmHvVersion = hypervisor version" "\"$hvver\"" "$(sget $VM.1.1.2.0)"
check "vmHvObjectID is zeroDotZero (unknown)" "ccitt.0" "$(snmpget -v2c -c public -Oqv $AGENT $VM.1.1.3.0)"
up1=$(snmpget -v2c -c public -Oqvt $AGENT $VM.1.1.4.0)
sleep 1.2
up2=$(snmpget -v2c -c public -Oqvt $AGENT $VM.1.1.4.0)
check_true "vmHvUpTime advances ($up1 -> $up2)" test "$up2" -gt "$up1"
lc=$(snmpget -v2c -c public -Oqvt $AGENT $VM.1.3.0)
check_true "vmTableLastChange ($lc) <= vmHvUpTime ($up2)" test "$lc" -le "$up2"
check_match "VM-MIB is listed in sysORTable" "iso.3.6.1.2.1.236|\.1\.3\.6\.1\.2\.1\.236" \
    "$(snmpwalk -v2c -c public -On $AGENT 1.3.6.1.2.1.1.9.1.2)"

declare -A want_oper=([web01]=4 [db01]=8 [batch01]=6 [big01]=11)
declare -A want_admin=([web01]=1 [db01]=3 [batch01]=2 [big01]=4)
seen_idx=""
for n in $names; do
    i=$(index_of "$n")
    if [ -z "$i" ]; then fail "$n has a row"; continue; fi
    seen_idx="$seen_idx $i"
    check "$n: vmName" "\"$n\"" "$(sget $VMTABLE.2.$i)"
    check "$n: vmUUID (16 octets)" "$(v domuuid "$n" | tr -d '-')" "$(sget_hex $VMTABLE.3.$i)"
    if [ "$n" = web01 ]; then
        check "$n: vmOSType from libosinfo metadata" '"http://debian.org/debian/12"' "$(sget $VMTABLE.4.$i)"
    else
        check "$n: vmOSType = libvirt OS type" "\"$(dominfo "$n" "OS Type")\"" "$(sget $VMTABLE.4.$i)"
    fi
    check "$n: vmAdminState" "${want_admin[$n]}" "$(sget $VMTABLE.5.$i)"
    check "$n: vmOperState" "${want_oper[$n]}" "$(sget $VMTABLE.6.$i)"
    case $(dominfo "$n" Autostart) in enable) a=2 ;; disable) a=3 ;; *) a=1 ;; esac
    check "$n: vmAutoStart" "$a" "$(sget $VMTABLE.7.$i)"
    case $(dominfo "$n" Persistent) in yes) p=2 ;; no) p=3 ;; *) p=1 ;; esac
    check "$n: vmPersistent" "$p" "$(sget $VMTABLE.8.$i)"
    check "$n: vmCurCpuNumber" "$(dominfo "$n" "CPU(s)")" "$(sget $VMTABLE.9.$i)"
    check "$n: vmMinCpuNumber (no lower bound)" "-1" "$(sget $VMTABLE.10.$i)"
    state=$(v domstate "$n")
    scope=config; [ "$state" = "shut off" ] || scope=live
    check "$n: vmMaxCpuNumber" "$(v vcpucount "$n" --maximum --$scope)" "$(sget $VMTABLE.11.$i)"
    cur_kib=$(dominfo "$n" "Used memory" | awk '{ print $1 }')
    max_kib=$(dominfo "$n" "Max memory" | awk '{ print $1 }')
    unit=$(sget $VMTABLE.12.$i)
    cur=$(sget $VMTABLE.13.$i)
    max=$(sget $VMTABLE.15.$i)
    check "$n: vmCurMem * vmMemUnit = libvirt's current memory" "$((cur_kib * 1024))" "$((cur * unit))"
    check "$n: vmMaxMem * vmMemUnit = libvirt's max memory" "$((max_kib * 1024))" "$((max * unit))"
    check_true "$n: vmMaxMem fits Integer32 with the smallest such unit ($unit)" \
        test "$max" -le 2147483647 -a \( "$unit" -eq 1024 -o $((max_kib * 1024 / (unit / 1024))) -gt 2147483647 \)
    check "$n: vmMinMem (no lower bound)" "-1" "$(sget $VMTABLE.14.$i)"
    uptime=$(snmpget -v2c -c public -Oqvt $AGENT $VMTABLE.16.$i)
    cpu=$(sget $VMTABLE.17.$i)
    if [ "$state" = "shut off" ]; then
        # RFC 7666: vmUpTime counts from the last change of vmAdminState from
        # shutdown to running; a VM saved to disk (suspended) has not stopped.
        if [ "$(dominfo "$n" "Managed save")" = yes ]; then
            check_true "$n: vmUpTime counts while saved to disk ($uptime)" test "$uptime" -gt 0
        else
            check "$n: vmUpTime is 0 while shut off" 0 "$uptime"
        fi
        check "$n: vmCpuTime is 0 while shut off" 0 "$cpu"
    else
        check_true "$n: vmUpTime counts while active ($uptime)" test "$uptime" -gt 0
        # The test driver reports wall-clock time as CPU time: compare loosely.
        lv_s=$(dominfo "$n" "CPU time" | sed 's/s$//; s/\..*//')
        check_true "$n: vmCpuTime ($cpu us) within 30 s of libvirt's ($lv_s s)" \
            test $(( (cpu / 1000000 - lv_s) ** 2 )) -le 900
    fi
done
uniq_idx=$(echo $seen_idx | tr ' ' '\n' | sort -u | wc -l)
check "vmIndex values are unique" "$(echo "$names" | wc -l)" "$uniq_idx"
check_match "a missing row is noSuchInstance" "No Such Instance" "$(sget $VMTABLE.2.999999)"
check_match "RFC 7666 read-only objects answer notWritable" "notWritable" \
    "$(snmpset -v2c -c private $AGENT $VMTABLE.2.$(index_of web01) s x 2>&1)"
check_match "vmNumber is notWritable" "notWritable" "$(snmpset -v2c -c private $AGENT $VM.1.2.0 i 3 2>&1)"
next=$(snmpgetnext -v2c -c public -On $AGENT $VMTABLE.17.2147483647 2>&1)
check_match "GETNEXT past the last vmTable instance leaves vmTable without error" \
    "^\.1\.3\.6\.1\.[0-9.]+ = " "$(echo "$next" | grep -v '^\.1\.3\.6\.1\.2\.1\.236\.1\.4\.')"
finish
