#!/bin/bash
# snmpd with the module under valgrind: full walks, two SIGHUP reloads,
# shutdown.  Fails on any invalid access and on any leak whose allocation
# stack passes through vmmib (snmpd's and libraries' own leaks are not ours).
. "$(dirname "$0")/lib.sh"
TEST_NAME=valgrind
if ! command -v valgrind >/dev/null; then skip "valgrind is not installed"; exit 0; fi
vlog=$VMMIB_RUNDIR/valgrind.log
VMMIB_WRAP="valgrind --log-file=$vlog --leak-check=full --show-leak-kinds=definite,indirect \
--keep-debuginfo=yes --num-callers=40 --trace-children=no --fullpath-after=$TOP/" \
    start_agent vg "vmMibUri test://$TOP/examples/hypervisor.xml
vmMibPollInterval 1" || finish
wait_for "first poll" 60 bash -c "[ \"\$(snmpget -v2c -c public -t 5 -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
walk() { snmpwalk -v2c -c public -t 10 -r 2 -On -Oq $AGENT $VM | grep -v 'No more variables'; }
w1=$(walk); walk >/dev/null; w3=$(walk)
check "full VM-MIB walks under valgrind are complete and stable" "$(echo "$w1" | wc -l)" "$(echo "$w3" | wc -l)"
for sub in 1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8; do
    check_true "walk under valgrind covers $VM.$sub" grep -q "^\.$VM\.$sub\." <<<"$w3"
done
kill -HUP $AGENT_PID; sleep 4
kill -HUP $AGENT_PID; sleep 4
wait_for "answers after reloads" 60 bash -c "[ \"\$(snmpget -v2c -c public -t 5 -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
snmpwalk -v2c -c public -t 10 -r 2 -Oq $AGENT $VM >/dev/null
stop_agent
# valgrind writes its summary at exit
wait_for "valgrind summary" 60 grep -q "ERROR SUMMARY" "$vlog"

# Our frames: any file under module/ (valgrind prints paths from the top of
# the tree), or vmmib.so when a frame has no line information.
valgrind_check vmmib "$vlog" "vmmib\\.so|\\(module/[a-z/]+\\.c:[0-9]+\\)"
grep -E "definitely lost:|indirectly lost:|ERROR SUMMARY" "$vlog" | sed 's/^==[0-9]*== */  (snmpd total) /'
finish
