#!/bin/bash
# vmmib-agentx under valgrind, connected to a private snmpd master: full
# walks through the master, SETs with write access (the AgentX SET phases),
# two SIGHUP reloads, a master restart (the reconnect path), SIGTERM.
# Fails on any invalid access and on any leak whose allocation stack passes
# through vmmib's code (the module's files and agentx/; the libraries' own
# leaks are not ours).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/integration/lib-agentx.sh"
TEST_NAME=valgrind-agentx
T0=$SECONDS
if ! command -v valgrind >/dev/null; then skip "valgrind is not installed"; exit 0; fi
need_agentx
vlog=$VMMIB_RUNDIR/valgrind-agentx.log
start_master master "" || finish
# The master waits up to 5 s for each AgentX answer (the subagent asks for
# it when it connects): valgrind makes a SET's action slower than the 1 s
# default.
VMMIB_AGENTX_WRAP="valgrind --log-file=$vlog --leak-check=full --show-leak-kinds=definite,indirect \
--keep-debuginfo=yes --num-callers=40 --trace-children=no --fullpath-after=$TOP/" \
    start_subagent sub "vmMibUri test://$TOP/examples/hypervisor.xml
vmMibPollInterval 1
vmMibWriteAccess yes
agentXTimeout 5"
wait_vms 4 90 || { fail "vmmib-agentx under valgrind did not serve"; tail "$SUB_DIR/agentx.log"; finish; }
walk() { snmpwalk -v2c -c public -t 10 -r 2 -On -Oq "$MASTER" "$VM" | grep -v 'No more variables'; }
w1=$(walk); walk >/dev/null; w3=$(walk)
check "full walks of the subagent under valgrind are complete and stable" "$(echo "$w1" | wc -l)" "$(echo "$w3" | wc -l)"
check_true "... and cover the VM-MIB's eight groups" test "$(echo "$w3" | cut -d. -f10 | sort -u | grep -c .)" -ge 8
web=$(mindex_of web01)
check_match "SET vmAdminState under valgrind (pause)" "INTEGER: 3" \
    "$(snmpset -v2c -c private -t 10 -r 0 "$MASTER" "$VMTABLE.5.$web" i 3 2>&1)"
check_match "SET vmPerVMNotificationsEnabled under valgrind" "INTEGER: 2" \
    "$(snmpset -v2c -c private -t 10 -r 0 "$MASTER" "$VM.1.9.0" i 2 2>&1)"
check_match "a refused SET under valgrind (inconsistentValue)" inconsistentValue \
    "$(snmpset -v2c -c private -t 10 -r 0 "$MASTER" "$VMTABLE.5.$(mindex_of big01)" i 3 2>&1)"
kill -HUP "$SUB_PID"; sleep 4
kill -HUP "$SUB_PID"; sleep 4
wait_vms 4 60
stop_agent "$MASTER_PID"
MASTER_KEEP=1 start_master master "" || finish
wait_vms 4 60
check "after two reloads and a master restart the subagent serves the same walk" \
    "$(echo "$w1" | wc -l)" "$(walk | wc -l)"
stop_agent "$SUB_PID"
wait_for "valgrind summary" 60 grep -q "ERROR SUMMARY" "$vlog"

# Our frames: any file under module/ or agentx/ (valgrind prints paths from
# the top of the tree), or vmmib-agentx when a frame has no line information.
valgrind_check vmmib-agentx "$vlog" "vmmib-agentx\\)|\\((module|agentx)/[a-z/_-]+\\.c:[0-9]+\\)"
grep -E "definitely lost:|indirectly lost:|ERROR SUMMARY" "$vlog" | sed 's/^==[0-9]*== */  (vmmib-agentx total) /'
echo "  ($TEST_NAME took $((SECONDS - T0)) s)"
finish
