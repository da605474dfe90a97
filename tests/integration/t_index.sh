#!/bin/bash
# vmIndex is stable by UUID across polls, SIGHUP reloads and restarts; a new
# VM never gets the index of one that went away; snmpd survives many reloads
# without leaking threads or descriptors.
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/examples/hypervisor.xml
# Write access on: the reload checks cover the control thread too.
conf="vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes"
start_agent main "$conf" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
map() { for n in web01 db01 batch01 big01 new01; do echo "$n=$(index_of $n)"; done | tr '\n' ' '; }
before=$(map)
echo "  indexes: $before"
check "index file written in snmpd's persistent directory" 1 \
    "$(grep -c '^vm 11111111-2222-3333-4444-000000000001 ' "$AGENT_DIR/persist/vmmib-index.conf")"

sleep 2.5
check "indexes stable across polls" "$before" "$(map)"

threads0=$(ls /proc/$AGENT_PID/task | wc -l)
fds0=$(ls /proc/$AGENT_PID/fd | wc -l)
for k in $(seq 12); do
    kill -HUP $AGENT_PID
    sleep 0.4
done
wait_for "answers after reloads" 20 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
check_true "snmpd survived 12 SIGHUP reloads" kill -0 $AGENT_PID
check "indexes stable across SIGHUP reloads" "$before" "$(map)"
sleep 2
threads1=$(ls /proc/$AGENT_PID/task | wc -l)
fds1=$(ls /proc/$AGENT_PID/fd | wc -l)
check "no thread leaked by reloads" "$threads0" "$threads1"
check "no descriptor leaked by reloads" "$fds0" "$fds1"
check "one set of rows after reloads (no duplicate registrations)" 4 \
    "$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 | wc -l)"
check "one sysORTable entry for VM-MIB after reloads" 1 \
    "$(snmpwalk -v2c -c public -On $AGENT 1.3.6.1.2.1.1.9.1.2 | grep -c '\.1\.3\.6\.1\.2\.1\.236$')"

stop_agent
AGENT_KEEP_PORT=1 start_agent main "$conf" || finish
wait_for "poll after restart" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
check "indexes stable across snmpd restart" "$before" "$(map)"

# The hypervisor changes while snmpd is down: big01 undefined, new01 defined.
stop_agent
big=$(echo "$before" | sed 's/.*big01=\([0-9]*\).*/\1/')
AGENT_KEEP_PORT=1 start_agent main "vmMibUri test://$FIXTURES/changed.xml
vmMibPollInterval 1" || finish
wait_for "poll with changed hypervisor" 15 bash -c "[ -n \"\$(snmpget -v2c -c public -Oqv $AGENT $VMTABLE.2.5 2>/dev/null | grep new01)\" ]"
after=$(map)
echo "  indexes: $after"
for n in web01 db01 batch01; do
    check "$n keeps its index when others change" "$(echo "$before" | grep -o "$n=[0-9]*")" \
        "$(echo "$after" | grep -o "$n=[0-9]*")"
done
new=$(index_of new01)
check_true "new01 gets a fresh index ($new), not big01's ($big)" test -n "$new" -a "$new" != "$big"
check "big01's row is gone" "" "$(index_of big01)"
finish
