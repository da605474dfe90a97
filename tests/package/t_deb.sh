#!/bin/bash
# The Debian package, end to end, as an operator meets it:
#  - build: dpkg-buildpackage -b -tc from `make dist` of a copy of the tree;
#    after it the tree holds exactly the tarball's files; lintian (no E:);
#    the contents (no conffile at all: nothing an upgrade could prompt about);
#  - fresh install with apt-get: the one-line hint, the operator's
#    /etc/snmp/vmmib.conf, the loader link;
#  - snmpd started the way Debian's unit does (as Debian-snmp, -LOw) with the
#    packaged loader and the operator's file, on a loopback test port: the
#    VM-MIB answers; names with snmpwalk/snmptable -m VM-MIB and the man
#    page's snmptable example print no warning, also with snmp-mibs-downloader's
#    copies of the same modules present (simulated where it is not installed);
#    write access is VACM's decision (an SNMPv2c rwcommunity SET is acted on,
#    a read-only community's is refused); the resulting vmPaused notification
#    reaches snmptrapd running the shipped examples/snmptrapd.conf, printed
#    by name with a zero-padded time and the whole UUID;
#  - AgentX: the system user vmmib, /etc/snmp/vmmib-agentx.conf, the unit
#    installed disabled (and systemd-analyze verify), the alternatives for
#    the loader; switched to the master snippet, a master with it (on private
#    sockets) and the packaged vmmib-agentx run as vmmib serve the same VM-MIB;
#    the index handover between the module's and the subagent's vmIndex files;
#  - remove (the loader goes, the operator's file stays), purge (nothing stays);
#  - upgrade from 0.1.0 (built from git history, when there is one) with a
#    modified conffile: no prompt, the settings moved to /etc/snmp/vmmib.conf;
#  - the autopkgtest (debian/tests) with autopkgtest's null runner: through
#    the real /etc/snmp/snmpd.conf, a reload, then clean after remove.
#
# Needs root and apt; skips, saying why, otherwise.  Leaves the machine as it
# found it: the package purged, simulated snmp-mibs-downloader folders removed,
# the temporary directory removed, and Debian's snmpd service stopped again if
# installing the package started it.  VMMIB_KEEP=1 keeps the temporary
# directory (build trees, .debs, logs).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-pkg.sh"

pkg_preamble
if vmmib_installed; then
    skip "a vmmib package is already on this machine ($(dpkg-query -W -f='${Status} ${Version}' vmmib)); not touching it"
    exit 0
fi
if ! need_packages debhelper dpkg-dev fakeroot lintian autopkgtest; then
    skip "dpkg-buildpackage/debhelper/lintian/autopkgtest missing and not installable; see $LOGDIR/apt.log"
    exit 0
fi
T0=$SECONDS

# --- state to restore --------------------------------------------------------
snmpd_service_running() {
    [ -x /usr/sbin/snmpd ] || return 1
    if [ -d /run/systemd/system ]; then
        systemctl --quiet is-active snmpd.service 2>/dev/null
    else
        [ -x /etc/init.d/snmpd ] && /etc/init.d/snmpd status >/dev/null 2>&1
    fi
}
snmpd_was_running=no
snmpd_service_running && snmpd_was_running=yes

W=$(mktemp -d /tmp/vmmib-pkgtest.XXXXXX)
chmod 755 "$W" # snmpd, as Debian-snmp, reads the hypervisor file in it
PKG_HOME=$W/home
mkdir -p "$PKG_HOME"
installed_by_us=no
simulated_dirs=()

cleanup() {
    cleanup_agents
    if [ "$installed_by_us" = yes ] && vmmib_installed; then
        echo "  cleanup: purging vmmib"
        dpkg --purge vmmib >>"$LOGDIR/apt.log" 2>&1
    fi
    local d
    for d in "${simulated_dirs[@]}"; do rm -rf "$d"; done
    if [ "$snmpd_was_running" = no ] && snmpd_service_running; then
        echo "  cleanup: stopping the snmpd service the package install started"
        if [ -d /run/systemd/system ]; then
            systemctl stop snmpd.service
        else
            /etc/init.d/snmpd stop >/dev/null 2>&1
        fi
    fi
    if [ -n "${VMMIB_KEEP:-}" ]; then
        echo "  kept $W"
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT
done_() {
    trap - EXIT
    cleanup
    echo "  ($TEST_NAME took $((SECONDS - T0)) s)"
    exit $_fail
}

DLMOD=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/snmp/dlmod/vmmib.so
LOADER=/etc/snmp/snmpd.conf.d/vmmib.conf
LOADER_TARGET=/usr/share/vmmib/vmmib-snmpd.conf
MASTER_TARGET=/usr/share/vmmib/vmmib-agentx-master.conf
AGENTX_SETTINGS=/etc/snmp/vmmib-agentx.conf
SETTINGS=/etc/snmp/vmmib.conf
IMPORTS=/usr/share/vmmib/mibs
IMPORT_MODULES="SNMPv2-SMI SNMPv2-TC SNMPv2-CONF SNMPv2-MIB SNMP-FRAMEWORK-MIB IF-MIB IANAifType-MIB UUID-TC-MIB"

# --- build -------------------------------------------------------------------
# A copy of the tree (without VCS data and build output), `make dist` there,
# and the package built from the unpacked tarball: what a release would ship.
t=$SECONDS
mkdir -p "$W/tree" "$W/build"
tar -C "$TOP" --exclude=./.git --exclude=./build --exclude=./tests/run \
    --exclude='./vmmib-*.tar.gz' --exclude=./config.mk --exclude=./config.status \
    --exclude=./config.log -cf - . | tar -C "$W/tree" -xf -
if ! make -s -C "$W/tree" dist >"$LOGDIR/dist.log" 2>&1; then
    fail "make dist"; tail -20 "$LOGDIR/dist.log"; done_
fi
tarball=$(ls "$W"/tree/vmmib-*.tar.gz)
version=$(basename "$tarball" .tar.gz); version=${version#vmmib-}
tar -C "$W/build" -xzf "$tarball"
SRC=$W/build/vmmib-$version
check "debian/changelog's version is configure.ac's ($version)" "$version" \
    "$(cd "$SRC" && dpkg-parsechangelog -S Version)"

if ! (cd "$SRC" && dpkg-checkbuilddeps) >"$LOGDIR/builddeps.log" 2>&1; then
    echo "  installing the build dependencies: $(sed 's/.*Unmet build dependencies: //' "$LOGDIR/builddeps.log")"
    (cd "$SRC" && apt-get build-dep -y -q "$SRC") >>"$LOGDIR/apt.log" 2>&1 ||
        { apt-get update -q >>"$LOGDIR/apt.log" 2>&1 &&
            (cd "$SRC" && apt-get build-dep -y -q "$SRC") >>"$LOGDIR/apt.log" 2>&1; }
fi
echo "  dpkg-buildpackage -us -uc -b -tc (log: $LOGDIR/build.log)"
(cd "$SRC" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b -tc) \
    >"$LOGDIR/build.log" 2>&1
rc=$?
arch=$(dpkg --print-architecture)
deb=$W/build/vmmib_${version}_$arch.deb
if [ $rc -ne 0 ] || [ ! -f "$deb" ]; then
    fail "dpkg-buildpackage -us -uc -b -tc (exit $rc)"
    tail -30 "$LOGDIR/build.log"
    done_
fi
pass "dpkg-buildpackage -us -uc -b -tc built $(basename "$deb") ($((SECONDS - t)) s)"
check_true "the build compiled with -Werror and dpkg-buildflags' hardening flags" \
    grep -q -- '-Werror .*-fstack-protector-strong.*-D_FORTIFY_SOURCE=2.* -c -o build/vmmib.o' "$LOGDIR/build.log"
# The tree after the build and its clean: exactly the tarball's files.
(cd "$W/build" && find "vmmib-$version" \( -type f -o -type l \) | sort) >"$LOGDIR/tree-after.txt"
tar -tzf "$tarball" | grep -v '/$' | sort >"$LOGDIR/tree-tarball.txt"
check "after dpkg-buildpackage the source tree holds exactly the tarball's files" "" \
    "$(diff "$LOGDIR/tree-tarball.txt" "$LOGDIR/tree-after.txt" | grep '^[<>]' | tr '\n' ' ')"

# --- lintian -----------------------------------------------------------------
lintian "$deb" >"$LOGDIR/lintian.log" 2>&1
errors=$(grep '^E: ' "$LOGDIR/lintian.log")
if [ -z "$errors" ]; then
    pass "lintian: no errors ($(grep -c '^W: ' "$LOGDIR/lintian.log") warnings)"
    grep '^W: ' "$LOGDIR/lintian.log" | sed 's/^/       /'
else
    fail "lintian reports errors:"
    echo "$errors" | sed 's/^/       /'
fi

# --- contents ----------------------------------------------------------------
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's,^\.,,')
for f in "$DLMOD" /usr/share/snmp/mibs/VM-MIB.txt /usr/share/snmp/mibs/IANA-STORAGE-MEDIA-TYPE-MIB.txt \
    /usr/share/snmp/snmp.conf "$LOADER_TARGET" /usr/share/vmmib/vmmib-settings.conf \
    /usr/share/man/man8/vmmib.8.gz /usr/share/doc/vmmib/copyright /usr/sbin/vmmib-agentx \
    /usr/share/man/man8/vmmib-agentx.8.gz "$MASTER_TARGET" /usr/share/vmmib/vmmib-agentx-settings.conf \
    /lib/systemd/system/vmmib-agentx.service /usr/libexec/vmmib/index-handover \
    /usr/lib/tmpfiles.d/vmmib.conf; do
    check_true "the package ships $f" grep -qx -- "$f" <<<"$contents"
done
for m in $IMPORT_MODULES; do
    check_true "the package ships $IMPORTS/$m.txt, identical to mib/imports" \
        bash -c "dpkg-deb --fsys-tarfile '$deb' | tar -xOf - .$IMPORTS/$m.txt | cmp -s - '$TOP/mib/imports/$m.txt'"
done
check_true "the package does not ship $LOADER (an alternatives link, made by postinst)" \
    bash -c "! grep -qx -- '$LOADER' <<<'$contents'"
check "the package has no conffile (an upgrade never prompts)" "" \
    "$(dpkg-deb -I "$deb" conffiles 2>/dev/null)"
check_true "the package does not ship $SETTINGS (the operator's, created once by postinst)" \
    bash -c "! grep -qx -- '$SETTINGS' <<<'$contents'"
check_match "Depends: snmpd" "(^|, )snmpd($|,| )" "$(dpkg-deb -f "$deb" Depends)"
for f in "$SRC/debian/copyright"; do
    for m in SNMPv2-SMI IF-MIB UUID-TC-MIB IANAifType-MIB; do
        check_true "debian/copyright covers mib/imports/$m.txt" grep -q "mib/imports/$m.txt" "$f"
    done
done

# --- fresh install -----------------------------------------------------------
echo "  apt-get install $(basename "$deb")"
installed_by_us=yes
if ! apt-get install -y -q --no-install-recommends "$deb" >"$LOGDIR/install.log" 2>&1; then
    fail "apt-get install ./$(basename "$deb")"
    tail -20 "$LOGDIR/install.log"
    done_
fi
cat "$LOGDIR/install.log" >>"$LOGDIR/apt.log"
check "dpkg -s vmmib after install" "install ok installed" "$(dpkg-query -W -f='${Status}' vmmib)"
hint=$(grep '^vmmib: ' "$LOGDIR/install.log" | tr -d '\r')
check "the install prints one line saying how to make the VM-MIB visible" 1 "$(grep -c . <<<"$hint")"
check_match "that line names the view line, the settings file and the reload" \
    "view systemonly included .1.3.6.1.2.1.236.*$SETTINGS.*systemctl reload snmpd" "$hint"
check "$LOADER points to the package's loader (the alternative of highest priority)" "$LOADER_TARGET" \
    "$(readlink -f "$LOADER")"
check "update-alternatives offers the module (50) and the AgentX master (10)" \
    "$MASTER_TARGET 10|$LOADER_TARGET 50|" \
    "$(update-alternatives --query vmmib-snmpd.conf | awk '/^Alternative:/ { a = $2 } /^Priority:/ { print a, $2 }' | sort | tr '\n' '|')"
check_true "the loader loads the module by its absolute path" grep -qx "dlmod vmmib $DLMOD" "$LOADER"
check "the loader then includes the operator's settings, and does nothing else" \
    "dlmod vmmib $DLMOD|includeFile $SETTINGS|" "$(grep -v '^#' "$LOADER" | grep . | tr '\n' '|')"
check_true "postinst created $SETTINGS from the template" cmp -s "$SETTINGS" /usr/share/vmmib/vmmib-settings.conf
check "$SETTINGS is root:Debian-snmp 0640, like snmpd.conf" "root:Debian-snmp 640" "$(stat -c '%U:%G %a' "$SETTINGS")"
check_true "$SETTINGS sets vmMibUri qemu:///system" grep -qx 'vmMibUri qemu:///system' "$SETTINGS"
check_true "$SETTINGS leaves write access off" grep -qx 'vmMibWriteAccess no' "$SETTINGS"
for t in vmMibUri vmMibPollInterval vmMibIndexFile vmMibIndexQuarantine vmMibPerVMNotifications vmMibBulkNotifications vmMibWriteAccess; do
    check_true "$SETTINGS documents $t" grep -q "^#* *$t" "$SETTINGS"
done
check_true "$SETTINGS says write access is snmpd's VACM decision, rwcommunity included" \
    bash -c "tr '\n' ' ' <'$SETTINGS' | sed 's/# */ /g; s/  */ /g' | grep -q 'snmpd.s access control (VACM) decision.*rwcommunity'"
check_true "$SETTINGS no longer claims writes are 'SNMPv3 authPriv requests only'" \
    bash -c "! grep -qi 'authPriv requests only' '$SETTINGS'"
for v in .1.3.6.1.2.1.236 .1.3.6.1.2.1.25.3 .1.3.6.1.2.1.25.2 .1.3.6.1.2.1.2 .1.3.6.1.2.1.31; do
    check_true "$SETTINGS ships the view line for $v, commented" grep -qx "#view systemonly included $v" "$SETTINGS"
done
check "snmp.conf adds $IMPORTS in front of the MIB search path" "mibdirs -$IMPORTS" \
    "$(grep -v '^#' /usr/share/snmp/snmp.conf | grep .)"

# --- snmpd as Debian runs it, with the packaged loader and settings -------------
# The unit's command line (snmpd.service), with -C -c for a private file that
# includes the packaged loader (which loads the module and then the
# operator's settings), a loopback port, communities that see the VM-MIB and
# a trap sink; the operator's settings point vmMibUri at the test-driver
# hypervisor and turn write access on.  Persistent files (vmIndex assignments
# included) in a private directory.
cp "$TOP/examples/hypervisor.xml" "$W/hypervisor.xml"
chmod 644 "$W/hypervisor.xml"
mkdir -p "$W/persist"
chown Debian-snmp:Debian-snmp "$W/persist"
PORT=$(free_port)
AGENT=127.0.0.1:$PORT
TPORT=$(free_port)
sed -i -e "s|^vmMibUri .*|vmMibUri test://$W/hypervisor.xml|" -e 's|^vmMibWriteAccess no$|vmMibWriteAccess yes|' "$SETTINGS"
check_true "test settings: vmMibUri replaced" grep -qx "vmMibUri test://$W/hypervisor.xml" "$SETTINGS"
{
    echo "agentaddress udp:$AGENT"
    echo "includeFile $LOADER"
    echo "view vmmibtest included .1.3.6.1.2.1.1"
    echo "view vmmibtest included .1.3.6.1.2.1.236"
    echo "rocommunity vmmibtest 127.0.0.1 -V vmmibtest"
    echo "rwcommunity vmmibrw 127.0.0.1 -V vmmibtest"
    echo "trap2sink 127.0.0.1:$TPORT vmtest"
} >"$W/snmpd.conf"
SNMP_PERSISTENT_DIR=$W/persist /usr/sbin/snmpd -LOw -u Debian-snmp -g Debian-snmp \
    -I -smux,mteTrigger,mteTriggerConf -f -p "$W/snmpd.pid" -C -c "$W/snmpd.conf" \
    >"$LOGDIR/snmpd.log" 2>&1 &
pid=$!
_agents+=("$pid")
answers() { snmpget -v2c -c vmmibtest -t 1 -r 0 "$AGENT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; }
if ! wait_for "snmpd answers" 30 answers; then
    fail "snmpd with the packaged configuration did not answer; log:"
    tail -20 "$LOGDIR/snmpd.log"
    done_
fi
pass "snmpd (Debian's command line, packaged loader and settings) answers on $AGENT"
check "snmpd dropped to the Debian-snmp user" "Debian-snmp" "$(ps -o user= -p "$pid" | tr -d ' ')"
wait_for "first poll" 20 bash -c "[ \"\$(snmpget -v2c -c vmmibtest -t 1 -r 0 -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"
walk=$(snmpwalk -v2c -c vmmibtest -t 2 -r 1 -On -Oq "$AGENT" "$VM" 2>&1)
echo "$walk" >"$LOGDIR/walk.txt"
check "vmNumber.0 = 4 (examples/hypervisor.xml)" "4" \
    "$(echo "$walk" | awk -v o=".$VM.1.2.0" '$1 == o { print $2 }')"
want=$(sed -n 's,.*<name>\(.*\)</name>.*,\1,p' "$TOP/examples/hypervisor.xml" | sort | tr '\n' ' ')
got=$(echo "$walk" | awk -v p=".$VMTABLE.2." 'index($1, p) == 1 { print $2 }' | tr -d '"' | sort | tr '\n' ' ')
check "vmName rows = the fixture's domains" "$want" "$got"
check_true "vmIndex assignments kept in snmpd's persistent directory" \
    wait_for "index file" 10 test -s "$W/persist/vmmib-index.conf"

# --- names -------------------------------------------------------------------
# names_clean LABEL: the issue's commands and the man page's example print
# names and nothing on standard error.
names_clean() {
    local label=$1 out err
    user_snmp snmpwalk -v2c -c vmmibtest -m VM-MIB "$AGENT" VM-MIB::vmTable >"$W/n.out" 2>"$W/n.err"
    got=$(sed -n 's/^VM-MIB::vmName\.[0-9]* = STRING: //p' "$W/n.out" | tr -d '"' | sort | tr '\n' ' ')
    check "$label: snmpwalk -m VM-MIB VM-MIB::vmTable prints vmName by name" "$want" "$got"
    check "$label: snmpwalk -m VM-MIB prints nothing on standard error" "" "$(cat "$W/n.err")"
    user_snmp snmptable -v2c -c vmmibtest -m VM-MIB "$AGENT" VM-MIB::vmTable >"$W/t.out" 2>"$W/t.err"
    check_true "$label: snmptable -m VM-MIB VM-MIB::vmTable prints named columns" \
        grep -q 'vmName *vmUUID .*vmOperState' "$W/t.out"
    check "$label: snmptable -m VM-MIB prints nothing on standard error" "" "$(cat "$W/t.err")"
    # The man page's snmptable example, run as written (agent and community
    # swapped for the test's).
    local ex
    ex=$(sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$TOP/doc/vmmib.8" | grep '^snmptable' | head -1 |
        sed 's/\\-/-/g; s/ localhost / '"$AGENT"' /; s/-c public/-c vmmibtest/')
    if [ -z "$ex" ]; then
        fail "$label: no snmptable example in doc/vmmib.8's EXAMPLES"
    else
        eval "user_snmp $ex" >"$W/m.out" 2>"$W/m.err"
        check_true "$label: the man page's example ($ex) prints the table by name" \
            grep -q 'UUID .*OperState' "$W/m.out"
        check "$label: the man page's example prints nothing on standard error" "" "$(cat "$W/m.err")"
    fi
    check "$label: snmptranslate -m VM-MIB finds the notifications" ".1.3.6.1.2.1.236.0.4" \
        "$(user_snmp snmptranslate -m VM-MIB -On VM-MIB::vmPaused 2>&1)"
}
names_clean "stock Debian + vmmib"
parsed() { user_snmp snmptranslate -m VM-MIB -Dparse-file -On VM-MIB::vmTable 2>&1 | sed -n 's/^parse-file: Parsing file:  \(.*\)\.\.\.$/\1/p'; }
check "stock Debian + vmmib: the imports are read from $IMPORTS" \
    "$(for m in $IMPORT_MODULES; do [ "$m" = SNMPv2-CONF ] || echo "$IMPORTS/$m.txt"; done | sort | tr '\n' ' ')" \
    "$(parsed | grep -v -e /VM-MIB.txt -e /IANA-STORAGE-MEDIA-TYPE-MIB.txt | sort | tr '\n' ' ')"

# snmp-mibs-downloader puts the same modules, named without .txt, in
# /usr/share/snmp/mibs/ietf and /usr/share/snmp/mibs/iana (it is in non-free
# and downloads them; neither works here).  Where it is not installed, its
# folders are simulated with the same module texts.
if [ ! -e /usr/share/snmp/mibs/ietf ] && [ ! -e /usr/share/snmp/mibs/iana ]; then
    mkdir -p /usr/share/snmp/mibs/ietf /usr/share/snmp/mibs/iana
    simulated_dirs=(/usr/share/snmp/mibs/ietf /usr/share/snmp/mibs/iana)
    for m in $IMPORT_MODULES; do
        case $m in IANA*) d=iana ;; *) d=ietf ;; esac
        cp "$TOP/mib/imports/$m.txt" "/usr/share/snmp/mibs/$d/$m"
    done
    label="with snmp-mibs-downloader's folders (simulated)"
else
    label="with snmp-mibs-downloader's folders"
fi
names_clean "$label"
check "$label: Net-SNMP then reads those modules from /usr/share/snmp/mibs/ietf and iana (later on the path), not vmmib's copies" \
    "" "$(parsed | grep "^$IMPORTS/")"
for d in "${simulated_dirs[@]}"; do rm -rf "$d"; done
simulated_dirs=()

# Up to here (start, polls, walks): no warning or error.  The first connection
# to the hypervisor may be logged (it is a notice today); nothing else.
check "snmpd logged no error or warning" "" "$(grep -v -E '^$|^vmmib: connected to hypervisor ' "$LOGDIR/snmpd.log")"

# --- write access is snmpd's VACM decision; the notification, by name -------------
# snmptrapd as examples/snmptrapd.conf says to run it, with the installed copy.
TRAPDIR=$W/trapd
mkdir -p "$TRAPDIR"
# Not through the user_snmp function: in the background a function runs in a
# subshell, and $! would be that subshell, not snmptrapd (env execs it).
env -u MIBS -u MIBDIRS -u SNMPCONFPATH HOME="$PKG_HOME" \
    snmptrapd -f -Lo -c /usr/share/doc/vmmib/examples/snmptrapd.conf -p "$TRAPDIR/pid" \
    "udp:127.0.0.1:$TPORT" >"$TRAPDIR/out" 2>&1 &
_agents+=("$!")
wait_for "snmptrapd" 10 grep -q "NET-SNMP version" "$TRAPDIR/out"
web=$(awk -v n='"web01"' -v p=".$VMTABLE.2." 'index($1, p) == 1 && $2 == n { sub(/.*\./, "", $1); print $1 }' <<<"$walk")
ro=$(snmpset -v2c -c vmmibtest -t 2 -r 0 "$AGENT" "$VMTABLE.5.$web" i 3 2>&1)
check_match "an SNMPv2c SET from the read-only community is refused by VACM" "noAccess|notWritable|Authorization" "$ro"
check "... and web01 still runs" 4 "$(snmpget -v2c -c vmmibtest -t 2 -r 1 -Oqv "$AGENT" "$VMTABLE.6.$web" 2>&1)"
rw=$(snmpset -v2c -c vmmibrw -t 3 -r 0 "$AGENT" "$VMTABLE.5.$web" i 3 2>&1)
check_match "with vmMibWriteAccess yes, an SNMPv2c rwcommunity SET is accepted (VACM decides, not the SNMP version)" \
    "INTEGER: 3" "$rw"
check_true "... and acted on: web01 pauses (vmOperState paused(8))" \
    wait_for "paused" 10 bash -c "[ \"\$(snmpget -v2c -c vmmibtest -t 1 -r 0 -Oqv $AGENT $VMTABLE.6.$web 2>/dev/null)\" = 8 ]"
if wait_for "vmPaused at snmptrapd" 15 grep -q 'VM-MIB::vmPaused' "$TRAPDIR/out"; then
    pass "snmptrapd with examples/snmptrapd.conf prints the notification by name (VM-MIB::vmPaused)"
else
    fail "snmptrapd with examples/snmptrapd.conf did not print VM-MIB::vmPaused; it printed:"
    sed 's/^/       /' "$TRAPDIR/out"
fi
sleep 0.5
cp "$TRAPDIR/out" "$LOGDIR/snmptrapd.out"
block=$(grep -B3 -A4 'VM-MIB::vmPaused' "$TRAPDIR/out")
check_match "its first line has a zero-padded date and time" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} ' "$(grep -B2 'snmpTrapOID.0 = OID: VM-MIB::vmPaused' <<<"$block" | head -1)"
check_match "it names vmName.$web = web01" "VM-MIB::vmName\.$web = STRING: \"?web01\"?" "$block"
check_match "it prints all 16 octets of vmUUID.$web (leading zeros included)" \
    "VM-MIB::vmUUID\.$web = Hex-STRING: 11 11 11 11 22 22 33 33 44 44 00 00 00 00 00 01" "$block"
check_match "it names the previous state (vmOperState running(4))" "VM-MIB::vmOperState\.$web = INTEGER: running\(4\)" "$block"
cleanup_agents
_agents=()

# --- AgentX: vmmib-agentx as the user vmmib, through a master ---------------------
check "postinst created the system user vmmib (no login, home /var/lib/vmmib)" \
    "vmmib /var/lib/vmmib /usr/sbin/nologin" "$(getent passwd vmmib | awk -F: '{ print $1, $6, $7 }')"
check "... with a group of its own, which holds no other user" "vmmib:" "$(getent group vmmib | cut -d: -f1,4)"
check_true "postinst created $AGENTX_SETTINGS from the template" \
    cmp -s "$AGENTX_SETTINGS" /usr/share/vmmib/vmmib-agentx-settings.conf
check "$AGENTX_SETTINGS is root:vmmib 0640" "root:vmmib 640" "$(stat -c '%U:%G %a' "$AGENTX_SETTINGS")"
for t in vmMibUri vmMibPollInterval vmMibIndexFile vmMibPerVMNotifications vmMibBulkNotifications \
    vmMibWriteAccess agentXSocket agentxPingInterval; do
    check_true "$AGENTX_SETTINGS documents $t" grep -q "^#* *$t" "$AGENTX_SETTINGS"
done
check_true "$AGENTX_SETTINGS leaves write access off and says that only vmmib joins the libvirt group" \
    bash -c "grep -qx 'vmMibWriteAccess no' '$AGENTX_SETTINGS' && grep -q 'adduser vmmib libvirt' '$AGENTX_SETTINGS'"
check "vmmib-agentx.service is installed disabled" disabled \
    "$(systemctl is-enabled vmmib-agentx.service 2>/dev/null)"
if command -v systemd-analyze >/dev/null; then
    check "systemd-analyze verify vmmib-agentx.service" "" \
        "$(systemd-analyze verify /lib/systemd/system/vmmib-agentx.service 2>&1 | grep -v -E 'snmpd.service|libvirtd.service')"
fi
unit=$(grep -v '^#' /lib/systemd/system/vmmib-agentx.service)
check_match "the unit runs as vmmib, after snmpd and libvirtd, not restarted for exit status 3" \
    "After=snmpd.service libvirtd.service.*User=vmmib.*RestartPreventExitStatus=3" "$(tr '\n' ' ' <<<"$unit")"
if command -v systemd-tmpfiles >/dev/null; then
    check "the AgentX socket's directory (tmpfiles.d) is root:vmmib 0750" "root:vmmib 750" \
        "$(stat -c '%U:%G %a' /run/vmmib-agentx 2>&1)"
fi
update-alternatives --set vmmib-snmpd.conf "$MASTER_TARGET" >>"$LOGDIR/apt.log" 2>&1
check "update-alternatives --set makes $LOADER the AgentX master's" "$MASTER_TARGET" "$(readlink -f "$LOADER")"
check "the master snippet: master agentx, its sockets and permissions, nothing else" \
    "master agentx|agentXSocket /var/agentx/master,/run/vmmib-agentx/master|agentXPerms 0660 0750 Debian-snmp vmmib|" \
    "$(grep -v '^#' "$LOADER" | grep . | tr '\n' '|')"
# A master as Debian's unit runs snmpd, reading the chosen snippet through
# the link, with its sockets moved into $W (Debian's /var/agentx/master may
# belong to a running snmpd; the directory made as tmpfiles.d makes
# /run/vmmib-agentx), and the packaged vmmib-agentx run as the unit runs it
# (user vmmib, -f -LOi), with the packaged settings pointed at that socket
# and the test hypervisor.
AXDIR=$W/ax
mkdir -p "$AXDIR/sock" "$AXDIR/persist" "$AXDIR/state"
chown root:vmmib "$AXDIR/sock"
chmod 0750 "$AXDIR/sock"
chown Debian-snmp:Debian-snmp "$AXDIR/persist"
chown vmmib:vmmib "$AXDIR/state"
sed -e "s|/var/agentx/master|$AXDIR/default-master|" -e "s|/run/vmmib-agentx/master|$AXDIR/sock/master|" \
    "$LOADER" >"$AXDIR/master.conf"
{
    echo "agentaddress udp:$AGENT"
    echo "includeFile $AXDIR/master.conf"
    echo "view vmmibtest included .1.3.6.1.2.1.1"
    echo "view vmmibtest included .1.3.6.1.2.1.236"
    echo "rocommunity vmmibtest 127.0.0.1 -V vmmibtest"
} >"$AXDIR/snmpd.conf"
SNMP_PERSISTENT_DIR=$AXDIR/persist /usr/sbin/snmpd -LOw -u Debian-snmp -g Debian-snmp \
    -I -smux,mteTrigger,mteTriggerConf -f -p "$AXDIR/snmpd.pid" -C -c "$AXDIR/snmpd.conf" \
    >"$LOGDIR/snmpd-master.log" 2>&1 &
_agents+=("$!")
wait_for "master answers" 30 answers && wait_for "master socket" 10 test -S "$AXDIR/sock/master"
check "the master's socket is Debian-snmp:vmmib 0660 (agentXPerms)" "Debian-snmp:vmmib 660" \
    "$(stat -c '%U:%G %a' "$AXDIR/sock/master" 2>&1)"
sed -e "s|^agentXSocket .*|agentXSocket $AXDIR/sock/master|" -e "s|^vmMibUri .*|vmMibUri test://$W/hypervisor.xml|" \
    -e 's|^agentxPingInterval .*|agentxPingInterval 1|' "$AGENTX_SETTINGS" >"$AXDIR/agentx.conf"
chown root:vmmib "$AXDIR/agentx.conf"
chmod 0640 "$AXDIR/agentx.conf"
runuser -u vmmib -- env SNMP_PERSISTENT_DIR="$AXDIR/state" /usr/sbin/vmmib-agentx -f -LOi \
    -c "$AXDIR/agentx.conf" >"$LOGDIR/vmmib-agentx.log" 2>&1 &
_agents+=("$!")
if wait_for "subagent serves" 30 bash -c "[ \"\$(snmpget -v2c -c vmmibtest -t 1 -r 0 -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 4 ]"; then
    pass "the packaged vmmib-agentx, run as vmmib, serves the VM-MIB through the master"
else
    fail "the packaged vmmib-agentx did not serve through the master; its log:"
    sed 's/^/       /' "$LOGDIR/vmmib-agentx.log"
fi
check "it runs as vmmib" vmmib "$(ps -o user=,args= -C vmmib-agentx | awk -v c="$AXDIR/agentx.conf" 'index($0, c) { print $1 }')"
axwalk=$(snmpwalk -v2c -c vmmibtest -t 2 -r 1 -On -Oq "$AGENT" "$VM" 2>&1)
check "the walk through the master has as many varbinds as the module's" \
    "$(grep -c . <<<"$walk")" "$(grep -c . <<<"$axwalk")"
check "the master logged no error or warning" "" "$(grep -v '^$' "$LOGDIR/snmpd-master.log")"
check "vmmib-agentx logged no error or warning" "" \
    "$(grep -v -E '^$|AgentX subagent connected|^vmmib-agentx .* started|^vmmib: connected to hypervisor|^Created directory: .*/cert_indexes$' "$LOGDIR/vmmib-agentx.log")"
cleanup_agents
_agents=()
update-alternatives --auto vmmib-snmpd.conf >>"$LOGDIR/apt.log" 2>&1
check "update-alternatives --auto gives $LOADER back to the module" "$LOADER_TARGET" "$(readlink -f "$LOADER")"

# The vmIndex handover (vmmib-agentx.service runs it as root before the
# subagent starts and after it stopped): the newer file wins.
HANDOVER=/usr/libexec/vmmib/index-handover
mkdir -p /var/lib/vmmib
chown vmmib:vmmib /var/lib/vmmib
cp "$W/persist/vmmib-index.conf" /var/lib/snmp/vmmib-index.conf
chown Debian-snmp:Debian-snmp /var/lib/snmp/vmmib-index.conf
"$HANDOVER" in
check_true "handover in: the module's vmIndex file is copied for the subagent" \
    cmp -s /var/lib/snmp/vmmib-index.conf /var/lib/vmmib/vmmib-index.conf
check "... owned by vmmib, 0600" "vmmib:vmmib 600" "$(stat -c '%U:%G %a' /var/lib/vmmib/vmmib-index.conf 2>&1)"
echo "# written by the subagent" >>/var/lib/vmmib/vmmib-index.conf
touch -d '+1 minute' /var/lib/vmmib/vmmib-index.conf
"$HANDOVER" out
check_true "handover out: the subagent's newer file goes back to the module" \
    cmp -s /var/lib/vmmib/vmmib-index.conf /var/lib/snmp/vmmib-index.conf
check "... owned by Debian-snmp, 0600" "Debian-snmp:Debian-snmp 600" \
    "$(stat -c '%U:%G %a' /var/lib/snmp/vmmib-index.conf 2>&1)"
cp "$W/persist/vmmib-index.conf" /var/lib/snmp/vmmib-index.conf
touch -d '-1 hour' /var/lib/snmp/vmmib-index.conf
"$HANDOVER" in
check_true "handover in: an older file of the module's does not replace the subagent's" \
    grep -q 'written by the subagent' /var/lib/vmmib/vmmib-index.conf

# --- remove: the loader goes, the operator's settings stay ----------------------
files=$(dpkg -L vmmib | while read -r f; do [ -d "$f" ] || echo "$f"; done)
if ! apt-get remove -y -q vmmib >>"$LOGDIR/apt.log" 2>&1; then
    fail "apt-get remove vmmib"; tail -20 "$LOGDIR/apt.log"; done_
fi
check "dpkg -s vmmib after remove" "deinstall ok config-files" "$(dpkg-query -W -f='${Status}' vmmib)"
left=$(echo "$files" | while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
check "after remove nothing the package shipped is left" "" "$left"
check_true "after remove the operator's $SETTINGS is still there" test -f "$SETTINGS"
check "after remove nothing in /etc/snmp/snmpd.conf.d mentions vmmib" "" \
    "$(grep -rl vmmib /etc/snmp/snmpd.conf.d 2>/dev/null)"
check_true "after remove $LOADER is gone (no link left)" test ! -e "$LOADER" -a ! -L "$LOADER"
check "after remove no vmmib-snmpd.conf alternative is left" "" \
    "$(update-alternatives --list vmmib-snmpd.conf 2>/dev/null)"
check_true "after remove the operator's $AGENTX_SETTINGS is still there" test -f "$AGENTX_SETTINGS"

# --- purge: nothing stays ----------------------------------------------------
if ! apt-get purge -y -q vmmib >>"$LOGDIR/apt.log" 2>&1; then
    fail "apt-get purge vmmib"; tail -20 "$LOGDIR/apt.log"; done_
fi
check_true "after purge $SETTINGS is gone" test ! -e "$SETTINGS"
check_true "after purge $AGENTX_SETTINGS and /var/lib/vmmib are gone" test ! -e "$AGENTX_SETTINGS" -a ! -e /var/lib/vmmib
check "after purge dpkg knows no vmmib" "" \
    "$(dpkg-query -W -f='${Status}' vmmib 2>/dev/null | grep -v 'not-installed')"
check_true "after purge no vmIndex file is left in /var/lib/snmp" test ! -e /var/lib/snmp/vmmib-index.conf

# --- upgrade from 0.1.0 ---------------------------------------------------------
# 0.1.0 kept the dlmod line and the settings in the conffile
# /etc/snmp/snmpd.conf.d/vmmib.conf.  Its package is built from the last
# commit before the layout changed (the parent of the commit that removed
# debian/vmmib.conf.in), when the tree has its git history.
old_commit=
if command -v git >/dev/null && git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
    c=$(git -C "$TOP" log --diff-filter=D --format=%H -1 -- debian/vmmib.conf.in 2>/dev/null)
    [ -n "$c" ] && old_commit=$(git -C "$TOP" rev-parse "$c^" 2>/dev/null)
fi
if [ -z "$old_commit" ]; then
    skip "upgrade from 0.1.0: no git history here to build 0.1.0 from"
else
    t=$SECONDS
    mkdir -p "$W/old/src"
    git -C "$TOP" archive "$old_commit" | tar -C "$W/old/src" -xf -
    (cd "$W/old/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
        >"$LOGDIR/build-0.1.0.log" 2>&1
    olddeb=$(ls "$W"/old/vmmib_0.1.0_*.deb 2>/dev/null)
    if [ -z "$olddeb" ]; then
        fail "building 0.1.0 from $old_commit"; tail -20 "$LOGDIR/build-0.1.0.log"
    else
        installed_by_us=yes
        apt-get install -y -q --no-install-recommends "$olddeb" >>"$LOGDIR/apt.log" 2>&1
        check "0.1.0 installed (built from ${old_commit:0:7})" "install ok installed 0.1.0" \
            "$(dpkg-query -W -f='${Status} ${Version}' vmmib)"
        # The operator's edits to the 0.1.0 conffile.
        sed -i -e 's|^#vmMibPollInterval 5$|vmMibPollInterval 7|' \
            -e 's|^#view systemonly included .1.3.6.1.2.1.236$|view systemonly included .1.3.6.1.2.1.236|' "$LOADER"
        apt-get install -y -q --no-install-recommends "$deb" >"$LOGDIR/upgrade.log" 2>&1
        cat "$LOGDIR/upgrade.log" >>"$LOGDIR/apt.log"
        check "upgraded to $version" "install ok installed $version" "$(dpkg-query -W -f='${Status} ${Version}' vmmib)"
        check "the upgrade asked nothing about a configuration file" "" \
            "$(grep -i -E "Configuration file|conffile.*(prompt|install the package maintainer)" "$LOGDIR/upgrade.log" | grep -v '^Obsolete conffile')"
        check "the upgrade says where the settings went" "vmmib: your settings from $LOADER are now in $SETTINGS" \
            "$(grep "^vmmib: your settings" "$LOGDIR/upgrade.log" | tr -d '\r')"
        check "dpkg lists no conffile for vmmib any more" "" "$(dpkg-query -W -f='${Conffiles}' vmmib)"
        check "$LOADER is now the package's link" "$LOADER_TARGET" "$(readlink -f "$LOADER")"
        check_true "the edited vmMibPollInterval moved to $SETTINGS" grep -qx 'vmMibPollInterval 7' "$SETTINGS"
        check_true "the uncommented view line moved to $SETTINGS" grep -qx 'view systemonly included .1.3.6.1.2.1.236' "$SETTINGS"
        check "no dlmod line in $SETTINGS" "" "$(grep -E '^[[:space:]]*dlmod' "$SETTINGS")"
        check "the migrated $SETTINGS is root:Debian-snmp 0640" "root:Debian-snmp 640" "$(stat -c '%U:%G %a' "$SETTINGS")"
        check_true "the modified 0.1.0 file is kept as $LOADER.dpkg-bak (dpkg-maintscript-helper)" test -f "$LOADER.dpkg-bak"
        apt-get purge -y -q vmmib >>"$LOGDIR/apt.log" 2>&1
        check "after purge, nothing of either version is left in /etc/snmp" "" \
            "$(ls -d "$SETTINGS" "$LOADER" "$LOADER".dpkg-* 2>/dev/null)"
        echo "  (0.1.0 build and upgrade: $((SECONDS - t)) s)"
    fi
fi

# --- the autopkgtest, with autopkgtest's null runner ---------------------------------
# It installs the .deb (test Depends: vmmib), runs debian/tests/snmpd-module
# on this machine and leaves vmmib removed; breaks-testbed is declared because
# of that, and accepted here because cleanup purges it.
t=$SECONDS
installed_by_us=yes
echo "  autopkgtest (log: $LOGDIR/autopkgtest.log)"
autopkgtest --ignore-restrictions=breaks-testbed -o "$W/autopkgtest-out" "$deb" "$SRC" -- null \
    >"$LOGDIR/autopkgtest.log" 2>&1
rc=$?
cp -r "$W/autopkgtest-out" "$LOGDIR/autopkgtest-out" 2>/dev/null
summary=$(cat "$W/autopkgtest-out/summary" 2>/dev/null)
check "autopkgtest (null runner): snmpd-module PASS, exit 0 ($((SECONDS - t)) s)" "snmpd-module PASS|0" \
    "$(awk '{ print $1, $2 }' <<<"$summary" | tr -s ' ')|$rc"
grep -E '^(ok|FAIL|note)' "$W/autopkgtest-out/snmpd-module-stdout" 2>/dev/null | sed 's/^/       /'
check "after the autopkgtest vmmib is removed, not purged" "deinstall ok config-files" \
    "$(dpkg-query -W -f='${Status}' vmmib 2>/dev/null)"

done_
