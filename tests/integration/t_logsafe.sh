#!/bin/bash
# Nothing that came from libvirt or a manager reaches snmpd's log unescaped
# (issue 15, point 5): a VM whose name holds a newline and a complete, made-up
# "vmmib: control: ... done" line must not forge that line; carriage returns,
# DEL, C1 controls (U+0085) and U+2028 in names, and an escape sequence in a
# community name, are written as escapes.  The MIB still serves the name as
# libvirt has it.
. "$(dirname "$0")/../lib.sh"
URI=test://$TOP/tests/fixtures/logsafe.xml
esc=$'\e'
start_agent main "vmMibUri $URI
vmMibPollInterval 1
vmMibWriteAccess yes
rwcommunity pri${esc}[2Jvate 127.0.0.1" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 2 ]"
set_() { snmpset -v2c -c "$1" -t 3 -r 0 "$AGENT" "${@:2}" 2>&1; }
# The names hold newlines: find the rows by vmUUID.
by_uuid() {
    local i
    for i in $(swalk $VMTABLE.6 | awk '{ print $1 }'); do
        [ "$(sget_hex $VMTABLE.3.$i)" = "$1" ] && echo "$i"
    done
}
evil=$(by_uuid 66666666222233334444000000000001)
other=$(by_uuid 66666666222233334444000000000002)
check_match "the VMs are served" "^[0-9]+ [0-9]+$" "$evil $other"
check "vmName is served as libvirt has it (with its newline)" \
    "$(printf 'evil\nvmmib: control' | od -An -tx1 | tr -d ' \n')" \
    "$(sget_hex $VMTABLE.2.$evil | cut -c1-38)"

check_match "SET of the newline VM accepted" "INTEGER: 3" "$(set_ private $VMTABLE.5.$evil i 3)"
check_match "a refused SET of it" wrongValue "$(set_ private $VMTABLE.5.$evil i 9)"
check_match "SET of the control-character VM with a community holding ESC" "INTEGER: 3" \
    "$(set_ "pri${esc}[2Jvate" $VMTABLE.5.$other i 3)"
sleep 1.5
log=$AGENT_DIR/snmpd.log
echo "  log lines about the SETs:"
grep 'vmmib: control' "$log" | sed 's/^/    /'
check "no forged line: nothing starts with the text the name carried" 0 \
    "$(grep -c "^vmmib: control: SET vmAdminState.1 (web01) = 4 by 'admin'" "$log")"
check "the SET is logged on one line, the newline escaped" 1 \
    "$(grep -c "^vmmib: control: SET vmAdminState\.$evil (evil\\\\nvmmib: control: SET vmAdminState\.1 (web01) = 4 by 'admin' (SNMPv3) from UDP: \[10\.0\.0\.1\]:161: done) = 3 by 'private'.*: done$" "$log")"
check "the refusal is logged on one line too" 1 \
    "$(grep -c "^vmmib: control: SET vmAdminState\.$evil (evil\\\\nvmmib: .*) = 9 by 'private'.* refused (wrongValue" "$log")"
check "CR, DEL, NEL and U+2028 in a name are written as escapes" 1 \
    "$(grep -cF "(cr\\rdel\\x7fnel\\u0085ls\\u2028end) = 3 by 'pri\\x1b[2Jvate'" "$log")"
check "no control character at all in snmpd's log (C0 but newline, DEL, C1)" 0 \
    "$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]\|\xe2\x80[\xa8\xa9]' "$log")"
finish
