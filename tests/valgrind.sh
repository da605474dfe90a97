#!/bin/bash
# snmpd with the module under valgrind: full walks, two SIGHUP reloads,
# shutdown.  Fails on any invalid access and on any leak whose allocation
# stack passes through vmmib (snmpd's and libraries' own leaks are not ours).
. "$(dirname "$0")/lib.sh"
TEST_NAME=valgrind
if ! command -v valgrind >/dev/null; then skip "valgrind is not installed"; exit 0; fi
vlog=$VMMIB_RUNDIR/valgrind.log
VMMIB_WRAP="valgrind --log-file=$vlog --leak-check=full --show-leak-kinds=definite,indirect \
--keep-debuginfo=yes --num-callers=40 --trace-children=no" \
    start_agent vg "vmMibUri test://$TOP/examples/hypervisor.xml
vmMibPollInterval 1" || finish
wait_for "first poll" 60 bash -c "[ \"\$(snmpget -v2c -c public -t 5 -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
for k in 1 2 3; do
    n=$(snmpwalk -v2c -c public -t 10 -r 2 -Oq $AGENT $VM | wc -l)
done
# 6 scalars and 16 columns for each of the 4 VMs
check "full VM-MIB walk under valgrind returns every object" $((6 + 4 * 16)) "$n"
kill -HUP $AGENT_PID; sleep 4
kill -HUP $AGENT_PID; sleep 4
wait_for "answers after reloads" 60 bash -c "[ \"\$(snmpget -v2c -c public -t 5 -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
snmpwalk -v2c -c public -t 10 -r 2 -Oq $AGENT $VM >/dev/null
stop_agent
# valgrind writes its summary at exit
wait_for "valgrind summary" 60 grep -q "ERROR SUMMARY" "$vlog"

# Split the log into records (blank-line separated) and keep those about us.
# Our frames: functions named vm*/vt_*/init_vmmib..., files module/*.c, or vmmib.so.
srcs=$(cd "$TOP/module" && ls *.c | sed 's/\./\\./' | paste -sd'|')
ours=$(awk -v RS= -v pat="vmmib\\.so|\\((${srcs}):[0-9]+\\)" '$0 ~ pat' "$vlog")
invalid=$(echo "$ours" | awk -v RS= '/Invalid (read|write|free)|uninitialised|Mismatched/')
leaks=$(echo "$ours" | awk -v RS= '/(definitely|indirectly) lost in loss record/')
check "no invalid memory access in vmmib" "" "$invalid"
check "no leak attributed to vmmib" "" "$leaks"
grep -E "definitely lost:|indirectly lost:|ERROR SUMMARY" "$vlog" | sed 's/^==[0-9]*== */  (snmpd total) /'
finish
