#!/bin/bash
# Malformed configuration is reported with file and line; defaults are kept
# and the agent still serves.
. "$(dirname "$0")/../lib.sh"
start_agent bad "vmMibUri test://$TOP/examples/hypervisor.xml
vmMibPollInterval 0
vmMibPollInterval often
vmMibIndexFile relative/path
vmMibUri not a uri
vmMibIndexQuarantine a-day" || finish
log=$AGENT_DIR/snmpd.log
conf=$AGENT_DIR/snmpd.conf
check_match "out-of-range interval reported with file and line" \
    "$conf: line 6: .*vmMibPollInterval: 0 is out of range \(1-3600 seconds\)" "$(cat "$log")"
check_match "non-numeric interval reported with file and line" \
    "$conf: line 7: .*vmMibPollInterval: 'often' is not a whole number" "$(cat "$log")"
check_match "relative index file reported" "line 8: .*vmMibIndexFile: 'relative/path' is not an absolute path" "$(cat "$log")"
check_match "bad URI reported, earlier value kept" "line 9: .*vmMibUri: expected one libvirt URI" "$(cat "$log")"
check_match "bad quarantine reported" "line 10: .*vmMibIndexQuarantine: 'a-day' is not a whole number of seconds" "$(cat "$log")"
wait_for "serves with the earlier URI" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
check "serves VMs with the kept URI" 4 "$(sget $VM.1.2.0)"
check_true "the default index file is used" test -s "$AGENT_DIR/persist/vmmib-index.conf"
stop_agent

# A good custom index file and interval are honoured.
rm -f "$VMMIB_RUNDIR/custom-index.conf"
start_agent good "vmMibUri test://$TOP/examples/hypervisor.xml
vmMibPollInterval 7
vmMibIndexFile $VMMIB_RUNDIR/custom-index.conf
vmMibIndexQuarantine 3600" || finish
wait_for "index file" 15 test -s "$VMMIB_RUNDIR/custom-index.conf"
check_true "vmMibIndexFile is honoured" test -s "$VMMIB_RUNDIR/custom-index.conf"
check "no complaint about valid tokens" 0 "$(grep -c 'vmMib' "$AGENT_DIR/snmpd.log")"
finish
