# Shared by the package tests (tests/package/t_*.sh): they install and remove
# system packages and files, so they need root, take a machine-wide lock (two
# suites on one machine run them one after the other), and install the tools
# they need.  Source after tests/lib.sh.

LOGDIR=$VMMIB_RUNDIR/$TEST_NAME
mkdir -p "$LOGDIR"
export DEBIAN_FRONTEND=noninteractive

# pkg_preamble: skip (and exit 0) unless root; take the lock.
pkg_preamble() {
    if [ "$(id -u)" -ne 0 ]; then
        skip "needs root (apt-get, dpkg, system files, snmpd as Debian-snmp)"
        exit 0
    fi
    exec 9>/run/lock/vmmib-package-tests.lock
    if ! flock -w 1200 9; then
        skip "another run's package tests held /run/lock/vmmib-package-tests.lock for 20 minutes"
        exit 0
    fi
}

vmmib_installed() { dpkg-query -W -f='${Status}' vmmib 2>/dev/null | grep -qv 'not-installed'; }

apt_install() {
    apt-get install -y -q --no-install-recommends "$@" >>"$LOGDIR/apt.log" 2>&1 && return 0
    apt-get update -q >>"$LOGDIR/apt.log" 2>&1
    apt-get install -y -q --no-install-recommends "$@" >>"$LOGDIR/apt.log" 2>&1
}
# need_packages PKG...: install the missing ones; returns 1 if that fails.
need_packages() {
    local missing=() p
    for p in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "  installing ${missing[*]} (see $LOGDIR/apt.log)"
    apt_install "${missing[@]}"
}

# Net-SNMP tools as a user runs them: none of lib.sh's MIBS/MIBDIRS, no ~/.snmp.
user_snmp() { env -u MIBS -u MIBDIRS -u SNMPCONFPATH HOME="$PKG_HOME" "$@"; }
