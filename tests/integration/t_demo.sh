#!/bin/bash
# make demo (tests/demo.sh) as a newcomer uses it: it starts snmpd with the
# module and examples/hypervisor.xml, and prints commands to try.  The
# commands it prints must work as printed: the walk answers, and the
# snmptable command prints the VMs by name from the source tree's MIB files
# (mib/, mib/imports/) with nothing on standard error, whatever MIBs the
# machine has.  It must not send the user to a package apt cannot install.
. "$(dirname "$0")/../lib.sh"

DEMO_TMP=$VMMIB_RUNDIR/$TEST_NAME
mkdir -p "$DEMO_TMP/home"
PORT=$(free_port)
TMPDIR=$DEMO_TMP VMMIB_DEMO_PORT=$PORT LD_PRELOAD=${VMMIB_PRELOAD:-} \
    bash "$TOP/tests/demo.sh" "$VMMIB_SO" >"$DEMO_TMP/demo.out" 2>"$DEMO_TMP/stderr.log" &
_agents+=("$!")
answers() { snmpget -v2c -c public -t 1 -r 0 "127.0.0.1:$PORT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; }
if ! wait_for "demo snmpd" 30 answers; then
    fail "make demo's snmpd did not answer on 127.0.0.1:$PORT"
    cat "$DEMO_TMP/demo.out" "$DEMO_TMP/stderr.log" | tail -20
    finish
fi
pass "make demo's snmpd answers on 127.0.0.1:$PORT"
out=$(cat "$DEMO_TMP/demo.out")
check "the demo mentions no package apt cannot find (snmp-mibs-downloader is non-free)" "" \
    "$(grep -i 'apt-get install\|snmp-mibs-downloader' <<<"$out")"

# The printed commands, run as printed by a user without MIB settings.
user() { env -u MIBS -u MIBDIRS HOME="$DEMO_TMP/home" "$@"; }
walk_cmd=$(sed -n 's/^ *\(snmpwalk .*\)$/\1/p' <<<"$out" | head -1)
table_cmd=$(sed -n 's/^ *\(snmptable .*\)$/\1/p' <<<"$out" | head -1)
check_match "the demo prints a snmptable command using the source tree's MIBs" \
    "-M \+$TOP/mib:$TOP/mib/imports -m VM-MIB .*VM-MIB::vmTable" "$table_cmd"
wait_for "first poll" 20 bash -c "[ \"\$(snmpget -v2c -c public -t 1 -r 0 -Oqv 127.0.0.1:$PORT $VM.1.2.0 2>/dev/null)\" = 4 ]"
check_match "the printed snmpwalk answers (vmName rows)" "web01" "$(eval "user $walk_cmd" 2>&1)"
eval "user $table_cmd" >"$DEMO_TMP/table.out" 2>"$DEMO_TMP/table.err"
check_true "the printed snmptable command prints the table by name" \
    grep -q 'vmName *vmUUID .*vmOperState' "$DEMO_TMP/table.out"
want=$(sed -n 's,.*<name>\(.*\)</name>.*,\1,p' "$TOP/examples/hypervisor.xml" | sort | tr '\n' ' ')
got=$(awk 'NR > 3 && NF { print $1 }' "$DEMO_TMP/table.out" | sort | tr '\n' ' ')
check "its rows are examples/hypervisor.xml's VMs" "$want" "$got"
check "the printed snmptable command prints nothing on standard error" "" "$(cat "$DEMO_TMP/table.err")"
finish
