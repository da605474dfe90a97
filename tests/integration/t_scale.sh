#!/bin/bash
# Scale: a 10,000-VM test-driver node (2,000 under the sanitizers) (bench/gen-node.sh: mixed states, 1-4
# vCPUs, two disks and one NIC each, 8 host CPUs), polled every second,
# walks completely and in order: every table has the rows the node implies,
# every OID is greater than the one before, and rounds published during the
# walk (a pointer swap each) neither lose nor repeat a row.  Then a 256-CPU
# node: vmCpuAffinityTable has a row for every vCPU and every host CPU
# libvirt reports (the test driver's CPU map always says 8 CPUs; its node
# information has the real count).
. "$(dirname "$0")/../lib.sh"
# Under the sanitizers (VMMIB_PRELOAD), where every allocation of libvirt's
# too is checked, 2,000 VMs cover the same code in a tenth of the time.
if [ -n "${VMMIB_PRELOAD:-}" ]; then VMS=${VMMIB_SCALE_VMS:-2000}; else VMS=${VMMIB_SCALE_VMS:-10000}; fi
DIR=$VMMIB_RUNDIR/$TEST_NAME-nodes
mkdir -p "$DIR"
"$TOP/bench/gen-node.sh" "$VMS" 8 >"$DIR/node.xml"

# What the node implies (see bench/gen-node.sh): VM i is running or paused
# (active: it has vCPU rows) when i % 10 < 7, and has 1 + i % 4 vCPUs.
vcpus=0
for ((i = 0; i < VMS; i++)); do
    if [ $((i % 10)) -lt 7 ]; then vcpus=$((vcpus + 1 + i % 4)); fi
done

# The vmmib/poll trace logs each round published.
start_agent main "vmMibUri test://$DIR/node.xml
vmMibPollInterval 1
[snmp] debugTokens vmmib/poll
[snmp] doDebugging 1" || finish
rounds() { grep -c 'round: connected' "$AGENT_DIR/snmpd.log"; }
began=$SECONDS
wait_for "first full snapshot" 180 bash -c \
    "[ \"\$(snmpget -v2c -c public -t 2 -r 0 -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = $VMS ]"
check "vmNumber.0 = $VMS" "$VMS" "$(sget $VM.1.2.0)"
echo "  (first full snapshot after $((SECONDS - began)) s)"

walk=$DIR/walk.txt
began=$SECONDS
before=$(rounds)
# Strings as hex on one line each: one varbind a line.
timeout 600 snmpbulkwalk --hexOutputLength=0 -v2c -c public -t 10 -r 2 -Cr25 -Cc -On -Ox \
    "$AGENT" $VM.1 >"$walk" 2>"$DIR/walk.err"
rc=$?
echo "  (walk of $(grep -c '^\.' "$walk") varbinds took $((SECONDS - began)) s)"
check "the walk ends without error" "0 " "$rc $(head -c 200 "$DIR/walk.err")"
check_true "rounds were published during the walk ($before before it, $(rounds) after)" \
    test "$(rounds)" -gt "$before"

# Varbinds per table and column: "table.column count".
counts=$(awk -F'[ .]' '/^\.1\.3\.6\.1\.2\.1\.236\.1\.[4-8]\.1\./ { n[$10 "." $12]++ }
    END { for (k in n) print k, n[k] }' "$walk" | sort -V)
expect() { # table first_col last_col rows
    local c out=""
    for ((c = $2; c <= $3; c++)); do out="$out$1.$c $4"$'\n'; done
    printf '%s' "$out"
}
want=$( (expect 4 2 17 "$VMS"; expect 5 2 2 "$vcpus"; expect 6 3 3 $((vcpus * 8))
    expect 7 3 18 $((VMS * 2)); expect 8 2 5 "$VMS") | sort -V)
check "every column of every table has the rows the node implies" "$want" "$counts"
check "the eight scalars" 8 "$(grep -cE '^\.1\.3\.6\.1\.2\.1\.236\.1\.([1-3]|9|10)(\.[0-9]+)?\.0 ' "$walk")"
check "$VMS distinct vmName values" "$VMS" \
    "$(grep '^\.1\.3\.6\.1\.2\.1\.236\.1\.4\.1\.2\.' "$walk" | cut -d' ' -f4- | sort -u | wc -l)"

# OIDs strictly increasing, compared subidentifier by subidentifier.
order=$(awk '{
    n = split(substr($1, 2), cur, ".")
    if (NR > 1) {
        c = 0
        for (k = 1; k <= n && k <= pn && c == 0; k++)
            if (cur[k] + 0 != prev[k] + 0) c = cur[k] + 0 < prev[k] + 0 ? -1 : 1
        if (c == 0) c = n > pn ? 1 : -1
        if (c <= 0) { print "line " NR ": " $1 " after " last; exit }
    }
    for (k = 1; k <= n; k++) prev[k] = cur[k]
    pn = n; last = $1
}' "$walk")
check "every OID of the walk is greater than the one before" "" "$order"
stop_agent

# ---- 256 host CPUs: the affinity table is vCPUs x host CPUs.
"$TOP/bench/gen-node.sh" 10 256 /var/lib/libvirt/images affinity >"$DIR/node256.xml"
start_agent cpus256 "vmMibUri test://$DIR/node256.xml
vmMibPollInterval 1" || finish
wait_for "first poll (256 CPUs)" 60 bash -c \
    "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 10 ]"
aff=$(snmpbulkwalk -v2c -c public -Cr50 -On -Oq "$AGENT" $VM.1.6.1.3 2>&1)
check "vmCpuAffinityTable: 10 VMs x 4 vCPUs x 256 host CPUs rows" 10240 "$(echo "$aff" | grep -c '^\.')"
i=$(index_of vm000003)
check "one vCPU has rows for host CPUs 1..256 (this host has not 256 processors)" \
    "$(seq 1 256 | tr '\n' ' ')" \
    "$(echo "$aff" | awk -v p=".1.3.6.1.2.1.236.1.6.1.3.$i.2." 'index($1, p) == 1 {
        printf "%s ", substr($1, length(p) + 1) }')"
finish
