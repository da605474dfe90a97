#!/bin/bash
# snmpd's debug tokens trace the module, as vmmib(8) documents: with
# -Dvmmib the log shows each published round (vmmib/poll), the model's work
# (vmmib/model), SET phases (vmmib/set) and notifications (vmmib/notify).
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/examples/hypervisor.xml
AGENT_ARGS=-Dvmmib start_agent main "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
w=$(index_of web01)
snmpset -v2c -c private -t 3 -r 0 "$AGENT" $VMTABLE.5.$w i 3 >/dev/null 2>&1
wait_for "paused" 10 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.6.$w)\" = 8 ]"
sleep 1.5
log=$(cat "$AGENT_DIR/snmpd.log")
check_match "vmmib/poll traces each round" "vmmib/poll: round: connected, 4 VMs" "$log"
check_match "vmmib/model traces the model's work" "vmmib/model: model [0-9]+ ms: [0-9]+ per-VM changes" "$log"
check_match "vmmib/set traces SET phases" "vmmib/set: RESERVE1 SET vmAdminState\.$w \(web01\) = 3" "$log"
check_match "vmmib/notify traces notifications" "vmmib/notify: per-VM notification 4 for vmIndex $w" "$log"
stop_agent
start_agent quiet "vmMibUri $URI
vmMibPollInterval 1" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
check "without -D, no trace" 0 "$(grep -c 'vmmib/' "$AGENT_DIR/snmpd.log")"
finish
