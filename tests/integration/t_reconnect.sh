#!/bin/bash
# libvirtd goes away and comes back: rows stay (vmOperState unknown meanwhile,
# same vmIndex after), one log line on loss and one on recovery, and
# vmTableLastChange does not move.
. "$(dirname "$0")/../lib.sh"
trap 'cleanup_agents; remove_session_libvirtd' EXIT
need_session_libvirtd
URI="test+unix://$TOP/examples/hypervisor.xml?socket=$LV_SOCK"
start_agent main "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes" || finish
wait_for "first poll" 20 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
opers() { snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 | tr '\n' ' '; }
admins() { snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.5 | tr '\n' ' '; }
idx_before=$(snmpwalk -v2c -c public -On -Oq $AGENT $VMTABLE.2 | tr '\n' ' ')
opers_before=$(opers)
admins_before=$(admins)
lc_before=$(snmpget -v2c -c public -Oqvt $AGENT $VM.1.3.0)

stop_session_libvirtd
wait_for "states become unknown" 15 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 | sort -u | tr -d '\n')\" = 1 ]"
check "all rows kept while libvirtd is down" 4 "$(sget $VM.1.2.0)"
check "vmOperState is unknown(1) for every row" "1 1 1 1 " "$(opers)"
check "vmAdminState keeps its last value" "$admins_before" "$(admins)"
check_match "a SET while libvirtd is down is resourceUnavailable" resourceUnavailable \
    "$(snmpset -v2c -c private $AGENT $VMTABLE.5.$(index_of web01) i 3 2>&1)"
sleep 3
check "loss logged once" 1 "$(grep -c 'vmmib: lost' "$AGENT_DIR/snmpd.log")"
# A reload (logrotate) while libvirtd is away: the rows stay, state unknown.
kill -HUP $AGENT_PID
sleep 1.5
check "after a reload while libvirtd is down, the rows are still served, state unknown" \
    "4: 1 1 1 1 " "$(sget $VM.1.2.0): $(opers)"

start_session_libvirtd || { fail "libvirtd restart"; finish; }
wait_for "recovery" 40 bash -c "[ \"\$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.6 | tr '\n' ' ')\" = \"$opers_before\" ]"
check "states back after libvirtd restarts" "$opers_before" "$(opers)"
check "same rows and vmIndex after the restart" "$idx_before" \
    "$(snmpwalk -v2c -c public -On -Oq $AGENT $VMTABLE.2 | tr '\n' ' ')"
check "recovery logged once" 1 "$(grep -c 'vmmib: reconnected' "$AGENT_DIR/snmpd.log")"
# Debian runs snmpd with -LOw: both edges of the outage must reach the journal.
check "the loss reaches a warning-level journal" 1 "$(grep -c 'vmmib: lost' "$AGENT_DIR/journal.log")"
check "the recovery reaches a warning-level journal" 1 \
    "$(grep -c 'vmmib: reconnected' "$AGENT_DIR/journal.log")"
check "vmTableLastChange unchanged by the outage" "$lc_before" \
    "$(snmpget -v2c -c public -Oqvt $AGENT $VM.1.3.0)"
stop_session_libvirtd
finish
