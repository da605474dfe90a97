#!/bin/bash
# Prometheus, for real: Debian 12's prometheus-snmp-generator turns the
# shipped examples/prometheus/debian12/generator.yml into snmp.yml, Debian's
# prometheus-snmp-exporter walks private snmpd agents with vmmib, and
# Debian's prometheus scrapes them with the shipped scrape job and evaluates
# the shipped recording and alerting rules.  Everything is asserted through
# Prometheus' HTTP API against what libvirt (virsh on the same test-driver
# fixture) says.
#
# Three agents, three Prometheus targets:
#   A  test:///tests/fixtures/managers.xml (in-process test driver), write
#      access on: the test pauses the running VM web02 through SNMP
#   B  the same fixture through a private session libvirtd, which the test
#      then stops: every row goes unknown(1)
#   C  a libvirt socket that does not exist: the hypervisor is never reached
# Expected: VMCrashed fires for A's db01 only, VMLeftRunning for A's web02
# only, VMMIBHypervisorLost for B and C only.
#
# Needs the packages prometheus and prometheus-snmp-exporter (installed when
# root) and the MIB modules VM-MIB imports (mib/imports/, or $VMMIB_STD_MIBS);
# skips, saying why, otherwise.  Every process it starts is stopped by PID.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-managers.sh"
LV_USER=${VMMIB_MGR_USER:-vmmibmgr}   # the session libvirtd's user (agent B)
trap 'cleanup_agents; remove_session_libvirtd' EXIT
T0=$SECONDS
DIR=$VMMIB_RUNDIR/$TEST_NAME
rm -rf "$DIR"
mkdir -p "$DIR"
EX=$TOP/examples/prometheus

if ! mgr_need_packages "the Prometheus suite" prometheus prometheus-snmp-exporter curl jq; then
    skip "$MGR_SKIP"
    finish
fi
for c in prometheus promtool prometheus-snmp-exporter prometheus-snmp-generator curl jq; do
    command -v $c >/dev/null || { skip "$c is not on PATH"; finish; }
done
if ! mgr_find_mibs; then skip "$MGR_SKIP"; finish; fi
echo "  MIB directories: $MGR_MIBDIRS"
echo "  ($(prometheus --version 2>&1 | head -1); $(prometheus-snmp-exporter --version 2>&1 | head -1))"

# ---- the shipped files -----------------------------------------------------
# The two generator files differ only in where the credentials are.
modules_of() {
    sed -n '/^modules:/,$p' "$1" | sed -e 's/[[:space:]]*#.*//' -e '/^[[:space:]]*$/d' |
        grep -v -E '^    (version|auth):|^      community:'
}
check "debian12/generator.yml and generator.yml define the same module" \
    "$(modules_of "$EX/generator.yml")" "$(modules_of "$EX/debian12/generator.yml")"
check_match "generator.yml has the current format's top-level auths" '^auths:' "$(grep '^auths:' "$EX/generator.yml")"
check "debian12/generator.yml has no auths section (0.21 refuses it)" "" "$(grep '^auths:' "$EX/debian12/generator.yml")"

out=$(promtool check rules "$EX/vmmib-rules.yml" "$EX/vmmib-alerts.yml" 2>&1)
check_true "promtool check rules accepts vmmib-rules.yml and vmmib-alerts.yml" \
    test "$(echo "$out" | grep -c SUCCESS)" = 2
echo "$out" | grep -q SUCCESS || echo "$out"

# Debian's generator reads ./generator.yml: run it in the shipped folder as is.
out=$(cd "$EX/debian12" && MIBDIRS=$MGR_MIBDIRS prometheus-snmp-generator --fail-on-parse-errors \
    generate -o "$DIR/snmp.yml" 2>&1)
rc=$?
check "Debian's prometheus-snmp-generator generates snmp.yml from debian12/generator.yml" 0 "$rc"
[ $rc -eq 0 ] || { echo "$out" | tail -20; finish; }
echo "  ($(echo "$out" | grep -o 'metrics=[0-9]*') in snmp.yml)"
# The current-format file is refused by this generator, as its comment says.
mkdir -p "$DIR/current"
cp "$EX/generator.yml" "$DIR/current/generator.yml"
out=$(cd "$DIR/current" && MIBDIRS=$MGR_MIBDIRS prometheus-snmp-generator generate -o "$DIR/current/snmp.yml" 2>&1)
check_match "Debian's 0.21 generator refuses the current format (as documented)" "auths" "$out"

# ---- agents ----------------------------------------------------------------
lv_ok=0
if [ "$(id -u)" -eq 0 ]; then
    start_session_libvirtd
    rc=$?
    if [ $rc -eq 0 ]; then lv_ok=1
    elif [ $rc -eq 2 ]; then skip "no session libvirtd (libvirtd missing): hypervisor-loss checks on agent B"
    else fail "session libvirtd did not start"; cat "$LV_DIR/libvirtd.log"
    fi
else
    skip "not root (a session libvirtd runs as user $LV_USER): hypervisor-loss checks on agent B"
fi

start_agent A "vmMibUri test://$MGR_FIXTURE
vmMibPollInterval 1
vmMibWriteAccess yes" || finish
AGENT_A=$AGENT A_PID=$AGENT_PID
if [ $lv_ok = 1 ]; then
    start_agent B "vmMibUri test+unix://$MGR_FIXTURE?socket=$LV_SOCK
vmMibPollInterval 1" || finish
    AGENT_B=$AGENT
fi
start_agent C "vmMibUri qemu+unix:///system?socket=$DIR/no-such-libvirt.sock
vmMibPollInterval 1" || finish
AGENT_C=$AGENT
nvm=$(virsh -q -c "test://$MGR_FIXTURE" list --all --name | grep -c .)
for a in $AGENT_A ${AGENT_B:-}; do
    wait_for "first poll" 30 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $a $VM.1.2.0 2>/dev/null)\" = $nvm ]" ||
        fail "agent $a does not serve the fixture's $nvm VMs"
done

# ---- snmp_exporter -----------------------------------------------------------
EXP_PORT=$(free_tcp_port)
mgr_daemon EXP "$DIR/snmp_exporter.log" prometheus-snmp-exporter --config.file="$DIR/snmp.yml" \
    --web.listen-address="127.0.0.1:$EXP_PORT"
wait_for "snmp_exporter" 20 http_ok "http://127.0.0.1:$EXP_PORT/metrics" ||
    { fail "snmp_exporter did not start"; tail "$DIR/snmp_exporter.log"; finish; }
curl -fsS "http://127.0.0.1:$EXP_PORT/snmp?target=$AGENT_A&module=vmmib" >"$DIR/scrape.txt"
check_match "snmp_exporter's scrape of agent A has vmOperState per state with vmName and vmUUID" \
    'vmOperState\{vmIndex="[0-9]+",vmName="db01",vmOperState="crashed",vmUUID="0x[0-9A-F]{32}"\} 1' \
    "$(grep '^vmOperState{' "$DIR/scrape.txt")"

# ---- prometheus, with the shipped scrape job and rule files -------------------
PROM_PORT=$(free_tcp_port)
targets="          - $AGENT_A"
[ -n "${AGENT_B:-}" ] && targets="$targets\n          - $AGENT_B"
targets="$targets\n          - $AGENT_C"
# Only addresses, intervals and paths change; the job, its relabelling and
# the rules are the shipped ones.
sed -e "s|/etc/prometheus/|$EX/|" \
    -e 's/scrape_interval: 30s/scrape_interval: 2s/' -e 's/evaluation_interval: 30s/evaluation_interval: 2s/' \
    -e "s/127\.0\.0\.1:9116/127.0.0.1:$EXP_PORT/" \
    -e "s/^          - kvm1\.example\.org\$/$targets/" -e '/^          - kvm2\.example\.org$/d' \
    "$EX/prometheus.yml" >"$DIR/prometheus.yml"
check "the test's prometheus.yml differs from the shipped one only in addresses, intervals and paths" "" \
    "$(diff "$EX/prometheus.yml" "$DIR/prometheus.yml" | grep '^[<>]' |
        grep -v -E '(scrape|evaluation)_interval: |- /etc/prometheus/|- /.*/examples/prometheus/|- kvm[12]\.example\.org$|- 127\.0\.0\.1:[0-9]+$|replacement: 127\.0\.0\.1:')"
out=$(promtool check config "$DIR/prometheus.yml" 2>&1)
check_true "promtool check config accepts it" grep -q "is valid prometheus config" <<<"$out"
mgr_daemon PROM "$DIR/prometheus.log" prometheus --config.file="$DIR/prometheus.yml" \
    --storage.tsdb.path="$DIR/data" --web.listen-address="127.0.0.1:$PROM_PORT"
P=http://127.0.0.1:$PROM_PORT
wait_for "prometheus" 60 http_ok "$P/-/ready" ||
    { fail "prometheus did not start"; tail "$DIR/prometheus.log"; finish; }

# pq EXPR: "labels<TAB>value" per series, labels as k=v,... sorted, without
# __name__, job and instance.
pq() {
    curl -fsS --max-time 10 "$P/api/v1/query" --data-urlencode "query=$1" |
        jq -r '.data.result[] | [(.metric | del(.__name__, .job, .instance) | to_entries
               | map("\(.key)=\(.value)") | join(",")), .value[1]] | @tsv' | sort
}
# pv EXPR: the value of the one series EXPR selects ("none" / "N series").
pv() {
    local r
    r=$(pq "$1")
    case $(grep -c . <<<"$r") in
        0) echo none ;;
        1) cut -f2 <<<"$r" ;;
        *) echo "$(grep -c . <<<"$r") series" ;;
    esac
}
IA="instance=\"$AGENT_A\""
wait_for "recorded series" 60 eval '[ "$(pv "vmmib_vms{$IA}")" = "$nvm" ]' ||
    { fail "no recorded vmmib_vms for agent A after 60 s"; tail -20 "$DIR/prometheus.log"; finish; }
echo "  (Prometheus has the recorded series $((SECONDS - T0)) s after the start)"
bad=$(curl -fsS "$P/api/v1/rules" | jq -r '.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.lastError)"')
check "every shipped rule evaluates without error" "" "$bad"

# ---- recorded series against libvirt --------------------------------------------
V="virsh -q -c test://$MGR_FIXTURE"
check "vmmib_vms = number of VMs in the fixture" "$nvm" "$(pv "vmmib_vms{$IA}")"
check "vmmib_hypervisor_info carries software and version" "software=TEST,version=$(AGENT=$AGENT_A sget $VM.1.1.2.0 | tr -d '"')	1" \
    "$(pq "vmmib_hypervisor_info{$IA}")"
check_true "vmmib_hypervisor_uptime_seconds is positive for A" \
    awk -v v="$(pv "vmmib_hypervisor_uptime_seconds{$IA}")" 'BEGIN { exit !(v > 0) }'

state_of() { # RFC 7666 name for libvirt's view of VM $1
    local s
    s=$($V domstate "$1")
    case $s in
        running) echo running ;;
        paused) echo paused ;;
        crashed) echo crashed ;;
        "shut off") if $V dominfo "$1" | grep -q '^Managed save: *yes'; then echo suspended; else echo shutdown; fi ;;
        *) echo "?$s" ;;
    esac
}
info() { $V dominfo "$1" | awk -F': *' -v k="$2" '$1 == k { print $2 }'; }
for vm in $($V list --all --name); do
    uuid=$(info "$vm" UUID)
    idx=$(AGENT=$AGENT_A index_of "$vm")
    sel="$IA,vm=\"$vm\""
    want=$(state_of "$vm")
    check "$vm: vmmib_vm_state is 1 for '$want' only, with uuid $uuid and vm_index $idx" \
        "state=$want,uuid=$uuid,vm=$vm,vm_index=$idx	1" "$(pq "vmmib_vm_state{$sel} == 1")"
    check "$vm: one vmmib_vm_state series per RFC 7666 state" 12 "$(pq "vmmib_vm_state{$sel}" | grep -c .)"
    check "$vm: vmmib_vm_memory_bytes = libvirt's used memory" \
        "$(($(info "$vm" 'Used memory' | cut -d' ' -f1) * 1024))" "$(pv "vmmib_vm_memory_bytes{$sel}")"
    check "$vm: vmmib_vm_memory_max_bytes = libvirt's max memory" \
        "$(($(info "$vm" 'Max memory' | cut -d' ' -f1) * 1024))" "$(pv "vmmib_vm_memory_max_bytes{$sel}")"
    check "$vm: vmmib_vm_vcpus, vmmib_vm_vcpus_max" \
        "$($V vcpucount "$vm" --current --live 2>/dev/null || $V vcpucount "$vm" --current --config) $($V vcpucount "$vm" --maximum --config)" \
        "$(pv "vmmib_vm_vcpus{$sel}") $(pv "vmmib_vm_vcpus_max{$sel}")"
    # Disks: capacity and allocation as libvirt says (allocation = capacity for
    # block devices and raw files, as RFC 7666 wants); none for an empty drive.
    while read -r type device target source; do
        dsel="$sel,source=\"${source/#-/}\""
        if [ "$source" = "-" ]; then
            check "$vm $target: an empty $device drive has no capacity series" none \
                "$(pv "vmmib_vm_disk_capacity_bytes{$sel,source=\"\"}")"
            continue
        fi
        cap=$($V domblkinfo "$vm" "$target" | awk '/^Capacity:/ { print $2 }')
        alloc=$($V domblkinfo "$vm" "$target" | awk '/^Allocation:/ { print $2 }')
        fmt=$($V dumpxml "$vm" | grep -A3 "<disk type='$type'" | grep -o "type='[a-z0-9]*'/>" | head -1 | cut -d"'" -f2)
        [ "$type" = block ] || [ "$fmt" = raw ] && alloc=$cap
        check "$vm $target: vmmib_vm_disk_capacity_bytes = libvirt's capacity ($source)" "$cap" \
            "$(pv "vmmib_vm_disk_capacity_bytes{$dsel}")"
        check "$vm $target: vmmib_vm_disk_allocation_bytes" "$alloc" "$(pv "vmmib_vm_disk_allocation_bytes{$dsel}")"
    done < <($V domblklist "$vm" --details)
    # NICs: MAC (lower case, as libvirt writes it) and model.
    want=$($V domiflist "$vm" | awk '{ print "mac=" $5 ",model=" $4 }' | sort)
    got=$(pq "vmmib_vm_nic_info{$sel}" | grep -o 'mac=[^,]*,model=[^,]*' | sort)
    check "$vm: vmmib_vm_nic_info has libvirt's NICs (mac, model)" "$want" "$got"
done

web01="$IA,vm=\"web01\""
lv_s=$(info web01 'CPU time' | tr -d s)
got=$(pv "vmmib_vm_cpu_time_seconds_total{$web01}")
check_true "web01: vmmib_vm_cpu_time_seconds_total ($got) = libvirt's CPU time ($lv_s s) within 30 s" \
    awk -v a="$got" -v b="$lv_s" 'BEGIN { d = a - b; exit !(d < 30 && d > -30) }'
check "batch01 (shut off): vmmib_vm_cpu_time_seconds_total is 0" 0 "$(pv "vmmib_vm_cpu_time_seconds_total{$IA,vm=\"batch01\"}")"
check "web01: one vmmib_vm_vcpu_time_seconds_total per online vCPU, vcpu_index 1.." \
    "vcpu_index=1 vcpu_index=2" \
    "$(pq "vmmib_vm_vcpu_time_seconds_total{$web01}" | grep -o 'vcpu_index=[0-9]*' | tr '\n' ' ' | sed 's/ $//')"
rd=$($V domblkstat web01 vda | awk '$2 == "rd_bytes" { print $3 }')
got=$(pv "vmmib_vm_disk_read_bytes_total{$web01,disk_index=\"1\"}")
check_true "web01 vda: vmmib_vm_disk_read_bytes_total ($got) = libvirt's rd_bytes ($rd) within 1%" \
    awk -v a="$got" -v b="$rd" 'BEGIN { d = (a - b) / b; exit !(b > 0 && d < 0.01 && d > -0.01) }'
check "web01: vmmib_vm_disk_info of the qcow2 disk and the empty CD-ROM" \
    "access=readonly,bus=sata,disk_index=2,format=raw,media_type=opticalDisk,source_type=raw,uuid=6f1c0a3e-9b2d-4c7e-8a5f-0d3b2e1c4a90,vm=web01,vm_index=$(AGENT=$AGENT_A index_of web01)	1
access=readwrite,bus=virtio,disk_index=1,format=qcow2,media_type=hardDisk,source=/var/lib/libvirt/images/web01.qcow2,source_type=sparse,uuid=6f1c0a3e-9b2d-4c7e-8a5f-0d3b2e1c4a90,vm=web01,vm_index=$(AGENT=$AGENT_A index_of web01)	1" \
    "$(pq "vmmib_vm_disk_info{$web01}")"
check_true "web01 (running): vmmib_vm_uptime_seconds is positive" \
    awk -v v="$(pv "vmmib_vm_uptime_seconds{$web01}")" 'BEGIN { exit !(v > 0) }'
check "vmmib_vm_info of web01" "autostart=disabled,os_type=$(info web01 'OS Type'),persistent=persistent,uuid=6f1c0a3e-9b2d-4c7e-8a5f-0d3b2e1c4a90,vm=web01,vm_index=$(AGENT=$AGENT_A index_of web01)	1" \
    "$(pq "vmmib_vm_info{$web01}")"
check "every VM-level recorded series of A has vm, uuid and vm_index" 0 \
    "$(pq "{__name__=~\"vmmib_vm_.*\",$IA,vm=\"\"} or {__name__=~\"vmmib_vm_.*\",$IA,uuid!~\"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\"}" | grep -c .)"
check "no VMCrashed alert but for the crashed VM, and none yet for VMs that left running" \
    "" "$(curl -fsS "$P/api/v1/alerts" | jq -r --arg i "$AGENT_A" \
        '.data.alerts[] | select(.labels.instance == $i and (.labels.alertname != "VMCrashed" or .labels.vm != "db01")) | .labels.alertname + " " + .labels.vm')"

# A readable excerpt for the README.
pq 'vmmib_vm_state == 1' >"$DIR/states.txt"
for q in "vmmib_vm_state{$web01} == 1" "vmmib_vm_cpu_time_seconds_total{$web01}" \
    "vmmib_vm_memory_bytes{$web01}" "vmmib_vm_disk_capacity_bytes{$web01}" "vmmib_vm_nic_info{$web01}"; do
    curl -fsS "$P/api/v1/query" --data-urlencode "query=$q" |
        jq -r '.data.result[] | "\(.metric.__name__){" + ([.metric | del(.__name__) | to_entries[] | "\(.key)=\"\(.value)\""] | join(",")) + "} \(.value[1])"'
done >"$DIR/recorded.txt"

# ---- alerts ----------------------------------------------------------------------
# web02 leaves running (paused over SNMP); agent B loses its libvirtd.
i=$(AGENT=$AGENT_A index_of web02)
snmpset -v2c -c private -t 3 "$AGENT_A" "$VMTABLE.5.$i" i 3 >/dev/null 2>&1 ||
    fail "pausing web02 through vmAdminState"
wait_for "web02 paused" 10 eval '[ "$(snmpget -v2c -c public -Oqv "$AGENT_A" "$VMTABLE.6.$i")" = 8 ]' ||
    fail "web02's vmOperState is not paused(8) after the SET"
if [ $lv_ok = 1 ]; then
    stop_session_libvirtd
    wait_for "unknown rows" 20 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $AGENT_B $VMTABLE.6 | sort -u | tr -d '\n')\" = 1 ]" ||
        fail "agent B's rows did not go unknown after libvirtd stopped"
fi
t_event=$SECONDS
firing() {
    curl -fsS "$P/api/v1/alerts" |
        jq -r '.data.alerts[] | select(.state == "firing") | "\(.labels.alertname) \(.labels.instance) \(.labels.vm // "-") \(.labels.state // "-")"' | sort
}
want_alerts=$( {
    echo "VMCrashed $AGENT_A db01 crashed"
    echo "VMLeftRunning $AGENT_A web02 paused"
    [ -n "${AGENT_B:-}" ] && echo "VMMIBHypervisorLost $AGENT_B - -"
    echo "VMMIBHypervisorLost $AGENT_C - -"
} | sort)
wait_for "alerts" 150 eval '[ "$(firing)" = "$want_alerts" ]'
echo "  (alerts settled $((SECONDS - t_event)) s after web02 paused and libvirtd stopped)"
check "firing alerts: VMCrashed for db01, VMLeftRunning for web02, VMMIBHypervisorLost for the agents without a hypervisor" \
    "$want_alerts" "$(firing)"
curl -fsS "$P/api/v1/alerts" | jq -r '.data.alerts[] | select(.state == "firing") | .annotations.summary' |
    sort >"$DIR/alerts.txt"
check_match "VMCrashed's summary names the VM and the host" "^VM db01 crashed on $AGENT_A\$" \
    "$(grep '^VM db01 crashed' "$DIR/alerts.txt")"
if [ $lv_ok = 1 ]; then
    check "agent B's VMs: no VMLeftRunning or VMCrashed while their state is unknown" "" \
        "$(firing | grep -E "^VM(LeftRunning|Crashed) $AGENT_B ")"
fi

stop_agent "$PROM_PID"
stop_agent "$EXP_PID"
echo "  (t_prometheus took $((SECONDS - T0)) s)"
finish
