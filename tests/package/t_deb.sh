#!/bin/bash
# The Debian package, end to end: build vmmib's .deb with dpkg-buildpackage
# from `make dist` of a copy of the tree, lintian it (no E: tags), install it
# with apt-get (snmpd comes as a dependency), run snmpd the way Debian's unit
# does (as Debian-snmp, with the packaged /etc/snmp/snmpd.conf.d/vmmib.conf,
# on a loopback test port) and walk the VM-MIB, then remove the package (only
# the conffile may stay) and purge it (nothing may stay).
#
# Needs root and apt; skips, saying why, otherwise.  Leaves the machine as it
# found it: the package purged, the temporary directory removed, and Debian's
# snmpd service stopped again if installing the package started it.  snmpd
# itself stays installed if the test installed it (the suite needs it anyway).
# VMMIB_KEEP=1 keeps the temporary directory (build tree, .deb, logs).
. "$(dirname "$0")/../lib.sh"

LOGDIR=$VMMIB_RUNDIR/$TEST_NAME
mkdir -p "$LOGDIR"
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
    skip "needs root (apt-get install, dpkg, snmpd as Debian-snmp)"
    exit 0
fi
if dpkg-query -W -f='${Status}' vmmib 2>/dev/null | grep -qv 'not-installed'; then
    skip "a vmmib package is already on this machine ($(dpkg-query -W -f='${Status} ${Version}' vmmib)); not touching it"
    exit 0
fi

# --- tools: debhelper, dpkg-dev, fakeroot, lintian --------------------------
apt_install() {
    apt-get install -y -q --no-install-recommends "$@" >>"$LOGDIR/apt.log" 2>&1 && return 0
    apt-get update -q >>"$LOGDIR/apt.log" 2>&1
    apt-get install -y -q --no-install-recommends "$@" >>"$LOGDIR/apt.log" 2>&1
}
missing=()
for p in debhelper dpkg-dev fakeroot lintian; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "  installing ${missing[*]} (see $LOGDIR/apt.log)"
    if ! apt_install "${missing[@]}"; then
        skip "dpkg-buildpackage/debhelper/lintian missing and not installable (${missing[*]}); see $LOGDIR/apt.log"
        exit 0
    fi
fi
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
    skip "dpkg-buildpackage or dh not found after installing debhelper and dpkg-dev"
    exit 0
fi

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
installed_by_us=no

cleanup() {
    cleanup_agents
    if [ "$installed_by_us" = yes ] &&
        dpkg-query -W -f='${Status}' vmmib 2>/dev/null | grep -qv 'not-installed'; then
        echo "  cleanup: purging vmmib"
        dpkg --purge vmmib >>"$LOGDIR/apt.log" 2>&1
    fi
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
    exit $_fail
}

# --- build -------------------------------------------------------------------
# A copy of the tree (without VCS data and build output), `make dist` there,
# and the package built from the unpacked tarball: what a release would ship.
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
echo "  dpkg-buildpackage -us -uc -b (log: $LOGDIR/build.log)"
(cd "$SRC" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
    >"$LOGDIR/build.log" 2>&1
rc=$?
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb=$W/build/vmmib_${version}_$arch.deb
if [ $rc -ne 0 ] || [ ! -f "$deb" ]; then
    fail "dpkg-buildpackage -us -uc -b (exit $rc)"
    tail -30 "$LOGDIR/build.log"
    done_
fi
pass "dpkg-buildpackage -us -uc -b built $(basename "$deb")"
check_true "the build compiled with -Werror and dpkg-buildflags' hardening flags" \
    grep -q -- '-Werror .*-fstack-protector-strong.*-D_FORTIFY_SOURCE=2.* -c -o build/vmmib.o' "$LOGDIR/build.log"

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
DLMOD=/usr/lib/$multiarch/snmp/dlmod/vmmib.so
CONFFILE=/etc/snmp/snmpd.conf.d/vmmib.conf
contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's,^\.,,')
for f in "$DLMOD" /usr/share/snmp/mibs/VM-MIB.txt /usr/share/snmp/mibs/IANA-STORAGE-MEDIA-TYPE-MIB.txt \
    /usr/share/man/man8/vmmib.8.gz "$CONFFILE" /usr/share/doc/vmmib/copyright; do
    check_true "the package ships $f" grep -qx -- "$f" <<<"$contents"
done
check "$CONFFILE is the package's only conffile" "$CONFFILE" \
    "$(dpkg-deb -I "$deb" conffiles 2>/dev/null)"
check_match "Depends: snmpd" "(^|, )snmpd($|,| )" "$(dpkg-deb -f "$deb" Depends)"

# --- install -----------------------------------------------------------------
echo "  apt-get install $(basename "$deb")"
installed_by_us=yes
if ! apt-get install -y -q --no-install-recommends "$deb" >>"$LOGDIR/apt.log" 2>&1; then
    fail "apt-get install ./$(basename "$deb")"
    tail -20 "$LOGDIR/apt.log"
    done_
fi
check "dpkg -s vmmib after install" "install ok installed" "$(dpkg-query -W -f='${Status}' vmmib)"
for f in "$DLMOD" /usr/share/snmp/mibs/VM-MIB.txt "$CONFFILE" /usr/share/man/man8/vmmib.8.gz; do
    check_true "installed: $f" test -f "$f"
done
check_true "the conffile loads the module by its absolute path" grep -qx "dlmod vmmib $DLMOD" "$CONFFILE"
check_true "the conffile sets vmMibUri qemu:///system" grep -qx 'vmMibUri qemu:///system' "$CONFFILE"
check_true "the conffile leaves write access off" grep -qx 'vmMibWriteAccess no' "$CONFFILE"
for t in vmMibUri vmMibPollInterval vmMibIndexFile vmMibPerVMNotifications vmMibBulkNotifications vmMibWriteAccess; do
    check_true "the conffile documents $t" grep -q "^#* *$t" "$CONFFILE"
done

# --- snmpd as Debian runs it, with the packaged configuration -----------------
# The unit's command line (snmpd.service), with -C -c for a private copy of
# the conffile whose vmMibUri points at the test-driver hypervisor, a
# loopback port and a community that sees the VM-MIB; persistent files
# (vmIndex assignments included) in a private directory.
cp "$TOP/examples/hypervisor.xml" "$W/hypervisor.xml"
chmod 644 "$W/hypervisor.xml"
mkdir -p "$W/persist"
chown Debian-snmp:Debian-snmp "$W/persist"
PORT=$(free_port)
AGENT=127.0.0.1:$PORT
{
    echo "agentaddress udp:$AGENT"
    sed "s|^vmMibUri .*|vmMibUri test://$W/hypervisor.xml|" "$CONFFILE"
    echo "view vmmibtest included .1.3.6.1.2.1.1"
    echo "view vmmibtest included .1.3.6.1.2.1.236"
    echo "rocommunity vmmibtest 127.0.0.1 -V vmmibtest"
} >"$W/snmpd.conf"
check_true "test configuration: vmMibUri replaced" grep -qx "vmMibUri test://$W/hypervisor.xml" "$W/snmpd.conf"
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
pass "snmpd (Debian's command line, packaged vmmib.conf) answers on $AGENT"
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
check "snmpd logged no error or warning" "" \
    "$(grep -v -E '^NET-SNMP version|^Created directory|^Connection from|^Received TERM|^vmmib: connected|^$' "$LOGDIR/snmpd.log")"
stop_agent "$pid"
check_true "snmpd stopped" bash -c "! kill -0 $pid 2>/dev/null"

# --- remove: only the conffile stays --------------------------------------
files=$(dpkg -L vmmib | while read -r f; do [ -d "$f" ] || echo "$f"; done)
if ! apt-get remove -y -q vmmib >>"$LOGDIR/apt.log" 2>&1; then
    fail "apt-get remove vmmib"; tail -20 "$LOGDIR/apt.log"; done_
fi
check "dpkg -s vmmib after remove" "deinstall ok config-files" "$(dpkg-query -W -f='${Status}' vmmib)"
left=$(echo "$files" | while read -r f; do [ -e "$f" ] && [ "$f" != "$CONFFILE" ] && echo "$f"; done)
check "after remove nothing of the package is left but the conffile" "" "$left"
check_true "after remove the conffile $CONFFILE is still there" test -f "$CONFFILE"

# --- purge: nothing stays ----------------------------------------------------
if ! apt-get purge -y -q vmmib >>"$LOGDIR/apt.log" 2>&1; then
    fail "apt-get purge vmmib"; tail -20 "$LOGDIR/apt.log"; done_
fi
check_true "after purge the conffile is gone" test ! -e "$CONFFILE"
check "after purge dpkg knows no vmmib" "" \
    "$(dpkg-query -W -f='${Status}' vmmib 2>/dev/null | grep -v 'not-installed')"
check_true "after purge no vmIndex file is left in /var/lib/snmp" test ! -e /var/lib/snmp/vmmib-index.conf
installed_by_us=no
done_
