# shellcheck shell=bash
# Fixture for the end-to-end suite against a real hypervisor: libvirtd with
# the QEMU driver, QEMU in software emulation (TCG, type='qemu'; no /dev/kvm
# needed), small domains with no OS.  Source it after tests/lib.sh.
#
# Everything is private and touches no system state:
#   - an unprivileged user's *session* libvirtd (start_session_libvirtd from
#     lib.sh: user $LV_USER = vmmibqemu, XDG_RUNTIME_DIR/CONFIG/CACHE and HOME inside one
#     temporary folder $LV_DIR), reached by root and snmpd as
#     LV_URI=qemu+unix:///session?socket=$LV_SOCK.  (As root, plain
#     qemu:///session would reach the *system* daemon, not this one.)
#   - QEMU runs as $LV_USER; disks are qcow2 images in $LV_DIR/images owned by
#     that user; NICs are <interface type='user'> (QEMU's built-in slirp), the
#     only kind a session daemon can plug without root, a bridge or a helper.
#     They have no host-side device, so vmNetworkIfIndex and vmNetworkParent
#     are 0 for them.
#   - qemu_fixture_stop (run on EXIT, also when a test fails or is
#     interrupted) destroys and undefines the domains, kills the processes it
#     started (by PID: libvirtd, virtlogd, QEMU) and removes $LV_DIR.
#
# Session-mode quirks met on Debian 12 (libvirt 9.0.0, QEMU 7.2):
#   - libvirtd spawns virtlogd itself on the first domain start
#     (`virtlogd --timeout=120`, socket $LV_DIR/libvirt/virtlogd-sock).  Both
#     virtlogd and QEMU daemonize: they are not children of the runuser
#     process in $LV_PID, so they are found through their pid files
#     ($LV_DIR/libvirt/virtlogd.pid, $LV_DIR/libvirt/qemu/run/NAME.pid) and,
#     as a last resort, as processes of $LV_USER that mention $LV_DIR.
#   - The first connection probes QEMU's capabilities (some seconds, cached
#     in $LV_DIR/cache); until then the daemon answers slowly.  Its log shows
#     harmless errors about dnsmasq, D-Bus and /dev/kvm.
#   - <graphics type='none'/> is rejected; a domain without <graphics> gets
#     `-display none`.  The NIC option ROMs are disabled (<rom enabled='no'/>)
#     so that SeaBIOS does not try a PXE boot.
#   - With no OS, SeaBIOS reads the disk's first sector once (rd_req 1), says
#     "No bootable device" and retries every 60 s.  Under TCG only vCPU 0 runs
#     (the others wait for a SIPI that never comes): vCPU 1's time stays 0.
#     CPU times have a 10 ms granularity and grow slowly (~5-10 ms/s).
#   - A graceful shutdown never completes without a guest OS: use destroy.
#   - vcpupin works unprivileged (sched_setaffinity; no cgroups needed).
#   - virsh domblkinfo's "Allocation" of a running qcow2 disk is the image
#     file's allocated blocks; the bulk stats' block.N.allocation is QEMU's
#     highest written offset (0 here, the guest never writes).
#   - `virsh domiflist` shows "-" as the interface of a user NIC and
#     domifstat refuses it (no host device, no counters).

# Packages the suite needs and why (libvirt-clients: virsh).
declare -A QEMU_WHY=(
    [libvirt-daemon]="libvirtd, the session daemon that runs the test domains"
    [libvirt-daemon-driver-qemu]="libvirt's QEMU driver"
    [qemu-system-x86]="the emulator (software emulation, no /dev/kvm needed)"
    [qemu-utils]="qemu-img, creates the domains' qcow2 disks"
    [libvirt-clients]="virsh, drives the domains and says what libvirt sees"
)
# shellcheck disable=SC2034  # used by the t_*.sh scripts
QEMU_PREFIX=vmmibq-   # every domain the fixture defines has this prefix
# The session daemon's user (a system user without home or shell, created by
# start_session_libvirtd when it does not exist yet).  Several runs of the
# suite may use it at once: each run's daemons live in their own $LV_DIR and
# are found and ended by PID only, never by user or name.
LV_USER=${VMMIB_QEMU_USER:-vmmibqemu}

# qemu_need_packages: 0 when everything is there (installing what is missing
# when root); otherwise 1 with the reason in QEMU_SKIP.
qemu_need_packages() {
    local p missing=() log=$VMMIB_RUNDIR/qemu-apt.log
    for p in "${!QEMU_WHY[@]}"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
            missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "  the QEMU suite needs these Debian packages:"
        for p in "${missing[@]}"; do printf '    %-28s %s\n' "$p" "${QEMU_WHY[$p]}"; done
        if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
            QEMU_SKIP="packages missing (${missing[*]}); as root: apt-get install -y --no-install-recommends ${missing[*]}"
            return 1
        fi
        echo "  installing them with apt-get --no-install-recommends (log: $log)"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
            apt-get update -q >>"$log" 2>&1
            if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
                QEMU_SKIP="apt-get could not install ${missing[*]} (see $log)"
                return 1
            fi
        fi
    fi
    for p in libvirtd virtlogd virsh qemu-img qemu-system-x86_64; do
        command -v "$p" >/dev/null || { QEMU_SKIP="$p is not on PATH"; return 1; }
    done
}

# lv ARGS...: virsh (as root) on the session daemon, bounded in time.
lv() { timeout 60 virsh -q -c "$LV_URI" "$@"; }

# qemu_fixture_start: 0 = hypervisor ready; 2 = skipped (SKIP line written);
# 1 = failed (FAIL line written).  Sets LV_DIR, LV_SOCK, LV_PID, LV_URI.
qemu_fixture_start() {
    QEMU_SKIP=
    if [ "$(id -u)" -ne 0 ]; then
        skip "needs root (runs the session libvirtd as user $LV_USER with runuser)"
        return 2
    fi
    if ! qemu_need_packages; then skip "$QEMU_SKIP"; return 2; fi
    LV_DIR=$(mktemp -d /tmp/vmmib-qemu.XXXXXX)
    local rc=0
    start_session_libvirtd || rc=$?
    if [ $rc -eq 2 ]; then skip "cannot run a session libvirtd as user $LV_USER"; return 2; fi
    if [ $rc -ne 0 ]; then
        fail "session libvirtd did not start"; cat "$LV_DIR/libvirtd.log"; return 1
    fi
    LV_URI="qemu+unix:///session?socket=$LV_SOCK"
    # The QEMU driver answers once its capability probe is done.
    if ! wait_for "QEMU driver" 90 bash -c "timeout 30 virsh -c '$LV_URI' version 2>/dev/null |
            grep -q 'Running hypervisor: QEMU'"; then
        fail "the session libvirtd has no working QEMU driver"
        tail -20 "$LV_DIR/libvirtd.log"
        return 1
    fi
    install -d -o "$LV_USER" -m 755 "$LV_DIR/images"
}

# qemu_disk NAME SIZE: a qcow2 image owned by the session user; prints its path.
qemu_disk() {
    local f=$LV_DIR/images/$1.qcow2
    runuser -u "$LV_USER" -- qemu-img create -q -f qcow2 "$f" "$2" >&2 || return 1
    echo "$f"
}

# qemu_domain_xml NAME VCPUS MEM_MIB DISK_PATH DISK_TARGET DISK_BUS [MODEL=MAC ...]
# A domain with no OS; DISK_PATH may be empty (no disk).
qemu_domain_xml() {
    local name=$1 vcpus=$2 mem=$3 disk=$4 target=$5 bus=$6 nic
    shift 6
    cat <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu placement='static'>$vcpus</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <on_crash>destroy</on_crash>
  <devices>
XML
    [ -z "$disk" ] || cat <<XML
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$disk'/>
      <target dev='$target' bus='$bus'/>
    </disk>
XML
    for nic in "$@"; do
        cat <<XML
    <interface type='user'>
      <mac address='${nic#*=}'/>
      <model type='${nic%%=*}'/>
      <rom enabled='no'/>
    </interface>
XML
    done
    cat <<XML
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
}

# qemu_define NAME VCPUS MEM_MIB DISK_PATH DISK_TARGET DISK_BUS [MODEL=MAC ...]
qemu_define() {
    qemu_domain_xml "$@" >"$LV_DIR/$1.xml"
    lv define "$LV_DIR/$1.xml" >/dev/null
}

# qemu_start NAME: start a domain.  If libvirtd could not reach virtlogd
# (normally it spawns one itself), start one for the session and retry.
qemu_start() {
    local out
    out=$(lv start "$1" 2>&1) && return 0
    if [[ "$out" == *virtlogd* ]] && [ ! -S "$LV_DIR/libvirt/virtlogd-sock" ]; then
        echo "  (libvirtd did not spawn virtlogd: starting one for the session)"
        runuser -u "$LV_USER" -- env HOME="$LV_DIR" XDG_RUNTIME_DIR="$LV_DIR" \
            XDG_CONFIG_HOME="$LV_DIR/config" XDG_CACHE_HOME="$LV_DIR/cache" \
            virtlogd --daemon --timeout=600
        wait_for "virtlogd socket" 10 test -S "$LV_DIR/libvirt/virtlogd-sock"
        lv start "$1" >/dev/null && return 0
    fi
    echo "$out" >&2
    return 1
}

# PIDs of the processes this fixture started: the runuser parent, the pid
# files of libvirtd, virtlogd and every QEMU, and any process of $LV_USER
# whose command line or environment names $LV_DIR (nothing else is touched:
# other tests may run their own session daemons as the same user).
_qemu_our_pids() {
    local f p
    [ -n "${LV_PID:-}" ] && echo "$LV_PID"
    for f in "$LV_DIR"/libvirt/libvirtd.pid "$LV_DIR"/libvirt/virtlogd.pid \
        "$LV_DIR"/libvirt/qemu/run/*.pid; do
        [ -f "$f" ] && p=$(cat "$f" 2>/dev/null) && [ -n "$p" ] &&
            [ "$(stat -c %U "/proc/$p" 2>/dev/null)" = "$LV_USER" ] && echo "$p"
    done
    _qemu_dir_pids
}
_qemu_dir_pids() {
    local p
    for p in $(pgrep -u "$LV_USER" 2>/dev/null); do
        grep -qasF "$LV_DIR" "/proc/$p/cmdline" "/proc/$p/environ" 2>/dev/null && echo "$p"
    done
}

# A process that exists and is not a zombie.
_qemu_alive() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ "$s" != Z* ]]; }

# qemu_fixture_stop: idempotent; safe to call when nothing was started.
QEMU_EXTRA_FILES=()   # more files to remove at the end (after the agents stopped)
qemu_fixture_stop() {
    [ ${#QEMU_EXTRA_FILES[@]} -eq 0 ] || rm -f "${QEMU_EXTRA_FILES[@]}"
    [ -n "${LV_DIR:-}" ] && [ -d "$LV_DIR" ] || return 0
    local d pids left
    if [ -S "${LV_SOCK:-/nonexistent}" ] && [ -n "${LV_URI:-}" ]; then
        for d in $(timeout 20 virsh -q -c "$LV_URI" list --all --name 2>/dev/null); do
            timeout 20 virsh -q -c "$LV_URI" destroy "$d" >/dev/null 2>&1
            timeout 20 virsh -q -c "$LV_URI" undefine "$d" --managed-save >/dev/null 2>&1
        done
    fi
    # The daemons and QEMU first, then runuser (it reaps libvirtd and exits).
    pids=$(_qemu_our_pids | sort -u | grep -vx "${LV_PID:-none}")
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill -TERM $pids 2>/dev/null
    for _ in $(seq 50); do
        left=
        for d in $pids; do _qemu_alive "$d" && left="$left $d"; done
        [ -z "$left" ] && break
        sleep 0.1
    done
    # shellcheck disable=SC2086
    [ -z "$left" ] || kill -KILL $left 2>/dev/null
    if [ -n "${LV_PID:-}" ]; then
        for _ in $(seq 30); do _qemu_alive "$LV_PID" || break; sleep 0.1; done
        _qemu_alive "$LV_PID" && kill -KILL "$LV_PID" 2>/dev/null
        wait "$LV_PID" 2>/dev/null
    fi
    left=$(_qemu_dir_pids)
    # shellcheck disable=SC2086
    [ -z "$left" ] || { kill -KILL $left 2>/dev/null; sleep 0.5; }
    rm -rf "$LV_DIR"
    LV_DIR='' LV_PID='' LV_SOCK=''
}

# qemu_private_module: snmpd loads a copy of the module, so that a `make`
# run meanwhile in the same tree cannot pull it from under it ("file too
# short"); the copy goes at the end.
qemu_private_module() {
    local copy=$VMMIB_RUNDIR/$TEST_NAME-vmmib.so
    QEMU_EXTRA_FILES+=("$copy")
    cp "$VMMIB_SO" "$copy" && VMMIB_SO=$copy
}

qemu_finish() {
    cleanup_agents
    qemu_fixture_stop
    finish
}

trap 'cleanup_agents; qemu_fixture_stop' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
