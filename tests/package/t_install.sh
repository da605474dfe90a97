#!/bin/bash
# `make install` from source, as the README says (as root, default prefix
# /usr/local), then used as a user would: snmpd finds the module by name in
# its own dlmod directory (`dlmod vmmib`, no path), the Net-SNMP tools find
# VM-MIB and the modules it imports (snmpwalk/snmptable -m VM-MIB print
# names, nothing on standard error), `man vmmib` finds the page; then
# `make uninstall` leaves nothing behind.
#
# Needs root; skips when the vmmib package is installed (the same files) or
# another /usr/share/snmp/snmp.conf is there.  Installs into a copy of the
# tree's build, never touching the tree.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-pkg.sh"

pkg_preamble
if vmmib_installed; then
    skip "the vmmib package is installed; make install would overwrite its files"
    exit 0
fi
SNMPCONF=/usr/share/snmp/snmp.conf
if [ -e "$SNMPCONF" ]; then
    skip "$SNMPCONF exists (not ours to replace)"
    exit 0
fi
T0=$SECONDS
W=$(mktemp -d /tmp/vmmib-install.XXXXXX)
chmod 755 "$W"
PKG_HOME=$W/home
mkdir -p "$PKG_HOME"
installed=no
cleanup() {
    cleanup_agents
    if [ "$installed" = yes ]; then
        make -s -C "$W/tree" uninstall >>"$LOGDIR/uninstall.log" 2>&1
    fi
    rm -rf "$W"
}
trap cleanup EXIT

mkdir -p "$W/tree"
tar -C "$TOP" --exclude=./.git --exclude=./build --exclude=./tests/run --exclude='./vmmib-*.tar.gz' \
    --exclude=./config.mk --exclude=./config.status --exclude=./config.log -cf - . | tar -C "$W/tree" -xf -
if ! make -s -C "$W/tree" >"$LOGDIR/build.log" 2>&1; then
    fail "make"; tail -20 "$LOGDIR/build.log"; exit 1
fi
installed=yes
if ! make -C "$W/tree" install >"$LOGDIR/install.log" 2>&1; then
    fail "make install"; tail -20 "$LOGDIR/install.log"; exit 1
fi
pass "make install (prefix /usr/local)"
DLMODDIR=$(net-snmp-config --libdir | sed 's/^-L//')/snmp/dlmod
for f in "$DLMODDIR/vmmib.so" /usr/share/snmp/mibs/VM-MIB.txt /usr/share/snmp/mibs/IANA-STORAGE-MEDIA-TYPE-MIB.txt \
    /usr/local/share/vmmib/mibs/SNMPv2-SMI.txt /usr/local/share/vmmib/mibs/UUID-TC-MIB.txt "$SNMPCONF"; do
    check_true "installed $f" test -f "$f"
done
check_true "installed /usr/local/sbin/vmmib-agentx, executable" test -x /usr/local/sbin/vmmib-agentx
check_match "vmmib-agentx -v runs" "^vmmib-agentx [0-9.]+ \(Net-SNMP" "$(/usr/local/sbin/vmmib-agentx -v 2>&1)"
check "man finds vmmib-agentx(8) under the prefix" "/usr/local/share/man/man8/vmmib-agentx.8" \
    "$(realpath "$(man -w vmmib-agentx 2>/dev/null)")"
check "$SNMPCONF puts the imports on the MIB search path" "mibdirs -/usr/local/share/vmmib/mibs" \
    "$(grep -v '^#' "$SNMPCONF" | grep .)"
check "man finds vmmib(8) under the prefix" "/usr/local/share/man/man8/vmmib.8" "$(realpath "$(man -w vmmib 2>/dev/null)")"
check_match "make install prints the dlmod line to use" "dlmod vmmib $DLMODDIR/vmmib.so" "$(cat "$LOGDIR/install.log")"

# snmpd with the module loaded by name only, from Net-SNMP's dlmod directory.
cp "$TOP/examples/hypervisor.xml" "$W/hypervisor.xml"
chmod 644 "$W/hypervisor.xml"
mkdir -p "$W/persist"
PORT=$(free_port)
AGENT=127.0.0.1:$PORT
cat >"$W/snmpd.conf" <<CONF
agentaddress udp:$AGENT
rocommunity public 127.0.0.1
dlmod vmmib vmmib
vmMibUri test://$W/hypervisor.xml
CONF
SNMP_PERSISTENT_DIR=$W/persist /usr/sbin/snmpd -LOw -I -smux,mteTrigger,mteTriggerConf -f -C -c "$W/snmpd.conf" -p "$W/snmpd.pid" \
    >"$LOGDIR/snmpd.log" 2>&1 &
_agents+=("$!")
answers() { [ "$(snmpget -v2c -c public -t 1 -r 0 -Oqv "$AGENT" "$VM.1.2.0" 2>/dev/null)" = 4 ]; }
check_true "snmpd loads the installed module with 'dlmod vmmib vmmib' and serves vmNumber.0 = 4" \
    wait_for "agent" 30 answers
check "snmpd logged nothing" "" "$(cat "$LOGDIR/snmpd.log")"
user_snmp snmptable -v2c -c public -m VM-MIB "$AGENT" VM-MIB::vmTable >"$W/t.out" 2>"$W/t.err"
check_true "snmptable -m VM-MIB prints the table by name" grep -q 'vmName *vmUUID .*vmOperState' "$W/t.out"
check "snmptable -m VM-MIB prints nothing on standard error" "" "$(cat "$W/t.err")"
user_snmp snmpwalk -v2c -c public -m VM-MIB "$AGENT" VM-MIB::vmName >"$W/w.out" 2>"$W/w.err"
check_true "snmpwalk -m VM-MIB prints VM-MIB::vmName rows" grep -q '^VM-MIB::vmName\.[0-9]* = STRING: "\?web01' "$W/w.out"
check "snmpwalk -m VM-MIB prints nothing on standard error" "" "$(cat "$W/w.err")"
cleanup_agents
_agents=()

# make uninstall removes every file make install wrote.
files=$(sed -n 's/^install -m 0644 \(.*\)$/\1/p' "$LOGDIR/install.log" | wc -l)
make -C "$W/tree" uninstall >"$LOGDIR/uninstall.log" 2>&1
installed=no
left=$(ls -d "$DLMODDIR/vmmib.so" /usr/share/snmp/mibs/VM-MIB.txt /usr/share/snmp/mibs/IANA-STORAGE-MEDIA-TYPE-MIB.txt \
    /usr/local/share/vmmib "$SNMPCONF" /usr/local/share/man/man8/vmmib.8 /usr/local/share/man/man8/vmmib-agentx.8 \
    /usr/local/sbin/vmmib-agentx 2>/dev/null)
check "make uninstall leaves nothing behind ($files install commands)" "" "$left"
echo "  ($TEST_NAME took $((SECONDS - T0)) s)"
trap - EXIT
cleanup
exit $_fail
