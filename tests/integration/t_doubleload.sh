#!/bin/bash
# The module loaded twice (issue 15, point 2): the Debian conffile's dlmod
# line plus one an operator added to snmpd.conf, or a second copy of the
# module at another path.  The second load is refused with one clear log
# line, the first keeps its configuration and keeps serving, and reloads
# stay safe.
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/examples/hypervisor.xml

# check_double NAME SECOND_PATH
check_double() {
    local name=$1 second=$2
    start_agent "$name" "vmMibUri $URI
vmMibPollInterval 1
dlmod vmmib $second" || return
    wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
    check "$name: the first load's configuration is kept (4 VMs of $URI)" 4 "$(sget $VM.1.2.0)"
    check "$name: the second load is refused with one log line" 1 \
        "$(grep -c 'vmmib: .*already loaded' "$AGENT_DIR/snmpd.log")"
    check "$name: no duplicate registration" 0 "$(grep -c 'duplicate registration.*\.1\.3\.6\.1\.2\.1\.236' "$AGENT_DIR/snmpd.log")"
    check "$name: one set of rows" 4 "$(snmpwalk -v2c -c public -Oqv $AGENT $VMTABLE.2 | wc -l)"
    local k
    for k in 1 2 3; do
        kill -HUP "$AGENT_PID"
        sleep 1.5
    done
    check_true "$name: snmpd survived 3 reloads" kill -0 "$AGENT_PID"
    wait_for "answers after reloads" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
    check "$name: VM-MIB served after reloads" 4 "$(sget $VM.1.2.0)"
    check "$name: one refusal per load (4 loads)" 4 \
        "$(grep -c 'vmmib: .*already loaded' "$AGENT_DIR/snmpd.log")"
    check "$name: still no duplicate registration" 0 \
        "$(grep -c 'duplicate registration.*\.1\.3\.6\.1\.2\.1\.236' "$AGENT_DIR/snmpd.log")"
    stop_agent
}

# The same file twice.
check_double same "$VMMIB_SO"
# A second copy at another path (another package, a /usr/local build).
copy=$VMMIB_RUNDIR/$TEST_NAME-copy.so
cp "$VMMIB_SO" "$copy"
check_double copy "$copy"
rm -f "$copy"
finish
