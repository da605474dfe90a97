#!/bin/bash
# vmMibWriteAccess yes, but libvirt refuses snmpd's user a read-write
# connection (issue 16, point 7): monitoring goes on over a read-only one
# (rows, names, states), one warning says why writes are refused, SETs answer
# resourceUnavailable and are logged; with vmMibWriteAccess no nothing about
# write access is logged.
#
# The set-up is the one an operator meets: a *privileged* libvirtd reached as
# qemu:///system (no socket= parameter: the client picks libvirt-sock to write
# and libvirt-sock-ro to read) and snmpd started as root that drops to
# Debian-snmp, as Debian's unit does (-u/-g; here snmpd.conf's agentuser and
# agentgroup, so that lib.sh's start_agent runs it unchanged).  Instead of
# polkit, this libvirtd's own libvirtd.conf refuses the read-write socket:
# unix_sock_rw_perms 0700 (root only), unix_sock_ro_perms 0777, auth none on
# both, so Debian-snmp's virConnectOpen fails with "Permission denied" and
# virConnectOpenReadOnly works.
#
# Nothing on the machine changes, and two suite runs do not meet:
#   - libvirtd runs in a private mount namespace *and* a private network
#     namespace (unshare --mount --net --propagation private, then this script
#     with --namespace-init, which mounts and execs libvirtd; its PID is the
#     namespace's anchor).  In it: a tmpfs on /run; /var is an overlay (lower:
#     the real /var, upper: a tmpfs), because /var/lib/libvirt and friends do
#     not exist on a host without libvirt-daemon-system and a mount needs an
#     existing mount point; fresh tmpfs on /var/lib/libvirt, /var/cache/libvirt,
#     /var/log/libvirt and /etc/libvirt (our libvirtd.conf and qemu.conf).
#     The network namespace keeps the privileged network and nwfilter drivers
#     away from the host's interfaces and firewall.
#   - snmpd enters only the mount namespace (nsenter --mount=/proc/PID/ns/mnt,
#     through lib.sh's VMMIB_WRAP prefix): the UNIX sockets are paths in that
#     namespace, while its UDP port stays in the host's network namespace, where
#     the test's snmpget reaches it.
#   - Everything is ended by PID: the agents by start_agent's PIDs, then
#     libvirtd, then any process still in the private mount namespace (compared
#     by /proc/PID/ns/mnt; QEMU's capability probes are libvirtd's children).
#     The mounts vanish with the namespace's last process.  libvirtd runs under
#     setpriv --pdeathsig KILL: should the test die by a signal it cannot trap,
#     the privileged daemon goes with it instead of staying around.
#
# Quirks met (Debian 12, libvirt 9.0.0, Net-SNMP 5.9.3):
#   - The privileged QEMU driver resolves its build-time user libvirt-qemu
#     before it reads qemu.conf ("Failed to parse user 'libvirt-qemu'", driver
#     initialization fails) and only libvirt-daemon-system creates that user.
#     Rather than adding a user to the machine, the namespace bind-mounts copies
#     of /etc/passwd and /etc/group that have it; qemu.conf then says user/group
#     root and security_driver none (nothing is started: the domain is only
#     defined).
#   - The first connection probes QEMU's capabilities (about 2 s).
#   - libvirtd's log is noisy here and that is expected: no dnsmasq, no system
#     D-Bus (the namespace's /run hides the host's bus: no polkit, machined or
#     firewalld is ever asked), no DMI, no /dev/kvm, ethtool errors for the
#     host's interfaces that nodedev sees in /sys but not in its netns.
#   - snmpd loads vmmib.so and opens its log files as root, then drops to
#     Debian-snmp before the module's threads start (from an snmp alarm), so
#     every libvirt connection is Debian-snmp's.  That user cannot reach a tree
#     under a 0700 home, so the index file lives in the namespace's /run.
#   - The namespace hides the host's /run and shadows /var: VMMIB_RUNDIR and
#     VMMIB_SO must not be there (the test skips, saying so).
#   - The old code (before this fallback) shows no rows at all and logs
#     "vmmib: lost hypervisor ... Permission denied" as its first line.
if [ "${1:-}" = --namespace-init ]; then
    # Runs inside the new namespaces: DIR = a private folder, USER = snmpd's.
    set -eu
    dir=$2 agent_user=$3
    mount -t tmpfs -o mode=0755 vmmib-ns "$dir/mnt"
    mkdir -p "$dir/mnt/var-up" "$dir/mnt/var-work"
    mount -t overlay -o "lowerdir=/var,upperdir=$dir/mnt/var-up,workdir=$dir/mnt/var-work" \
        vmmib-var /var
    mount -t tmpfs -o mode=0755 vmmib-run /run
    for d in /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /etc/libvirt; do
        mkdir -p "$d"
        mount -t tmpfs -o mode=0755 vmmib-libvirt "$d"
    done
    # The QEMU driver's build-time user, in this namespace only.
    uid=60000
    while getent passwd $uid >/dev/null || getent group $uid >/dev/null; do uid=$((uid + 1)); done
    cp /etc/passwd /etc/group "$dir/mnt/"
    getent passwd libvirt-qemu >/dev/null ||
        echo "libvirt-qemu:x:$uid:$uid::/nonexistent:/usr/sbin/nologin" >>"$dir/mnt/passwd"
    getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:$uid:" >>"$dir/mnt/group"
    mount --bind "$dir/mnt/passwd" /etc/passwd
    mount --bind "$dir/mnt/group" /etc/group
    mkdir -m 0700 /run/vmmib-agent
    chown "$agent_user:" /run/vmmib-agent
    cat >/etc/libvirt/libvirtd.conf <<'CONF'
# Read-only socket open to everyone, read-write socket to root only.
unix_sock_group = "root"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
CONF
    cat >/etc/libvirt/qemu.conf <<'CONF'
user = "root"
group = "root"
security_driver = "none"
CONF
    # Dies with the test even if the test is killed before it can clean up.
    exec setpriv --pdeathsig KILL libvirtd --config /etc/libvirt/libvirtd.conf \
        --pid-file /run/libvirtd.pid
fi

. "$(dirname "$0")/../lib.sh"
DOM=vmmib-rofallback
if [ "$(id -u)" -ne 0 ]; then
    skip "a privileged libvirtd in private namespaces needs root"
    exit 0
fi
for c in libvirtd virsh unshare nsenter runuser setpriv; do
    command -v $c >/dev/null || { skip "$c is not installed"; exit 0; }
done
if ! ls /usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so >/dev/null 2>&1; then
    skip "libvirt's QEMU driver is not installed (libvirt-daemon-driver-qemu)"
    exit 0
fi
command -v qemu-system-x86_64 >/dev/null || { skip "qemu-system-x86_64 is not installed"; exit 0; }
case "$VMMIB_RUNDIR/ $VMMIB_SO" in
/run/* | /var/* | *" /run/"* | *" /var/"*)
    skip "VMMIB_RUNDIR and VMMIB_SO must not be under /run or /var (hidden in the test's namespace)"
    exit 0
    ;;
esac
AGENT_USER=Debian-snmp
id "$AGENT_USER" >/dev/null 2>&1 || AGENT_USER=nobody
AGENT_GROUP=$(id -gn "$AGENT_USER")

NS_DIR=$VMMIB_RUNDIR/$TEST_NAME-ns
rm -rf "$NS_DIR"
mkdir -p "$NS_DIR/mnt"
NS_PID='' NS_ID=''
t0=$SECONDS
in_ns() { nsenter --mount="/proc/$NS_PID/ns/mnt" -- "$@"; }
stop_ns() {
    [ -n "$NS_PID" ] || return 0
    # Should a SET ever have started the domain, QEMU goes too.
    in_ns virsh -q -c qemu:///system destroy $DOM >/dev/null 2>&1
    kill -TERM "$NS_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$NS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NS_PID" 2>/dev/null
    wait "$NS_PID" 2>/dev/null
    local pid
    for pid in $(stat -L -c '%i %n' /proc/[0-9]*/ns/mnt 2>/dev/null |
        awk -v ns="$NS_ID" '$1 == ns { split($2, f, "/"); print f[3] }'); do
        kill -KILL "$pid" 2>/dev/null
    done
    NS_PID=
}
trap 'cleanup_agents; stop_ns' EXIT
trap 'exit 1' INT TERM HUP PIPE
end_test() {
    cleanup_agents
    stop_ns
    echo "  ($TEST_NAME: $((SECONDS - t0)) s)"
    finish
}

unshare --mount --net --propagation private -- bash "$0" --namespace-init "$NS_DIR" "$AGENT_USER" \
    >"$NS_DIR/libvirtd.log" 2>&1 &
NS_PID=$!
if ! wait_for "libvirtd sockets" 30 test -S "/proc/$NS_PID/root/run/libvirt/libvirt-sock-ro"; then
    fail "the private privileged libvirtd did not start; log:"
    tail -n 20 "$NS_DIR/libvirtd.log"
    end_test
fi
NS_ID=$(stat -L -c %i "/proc/$NS_PID/ns/mnt")
cat >"$NS_DIR/$DOM.xml" <<XML
<domain type='qemu'>
  <name>$DOM</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
</domain>
XML
out=$(in_ns virsh -c qemu:///system define "$NS_DIR/$DOM.xml" 2>&1)
check_match "set-up: root defines a QEMU domain on the private qemu:///system" "Domain '$DOM' defined" "$out"
# The premise: snmpd's user may read but not write.
check_match "set-up: $AGENT_USER's read-write qemu:///system is refused" "Permission denied" \
    "$(in_ns runuser -u "$AGENT_USER" -- virsh -c qemu:///system list --all 2>&1)"
check "set-up: $AGENT_USER's read-only qemu:///system lists the domain" "$DOM" \
    "$(in_ns runuser -u "$AGENT_USER" -- virsh -r -c qemu:///system list --all --name 2>&1 | grep .)"

# start_ns_agent NAME WRITE_ACCESS: snmpd in the namespace, dropping to $AGENT_USER.
start_ns_agent() {
    local dir=$VMMIB_RUNDIR/$TEST_NAME-$1
    rm -rf "$dir"
    mkdir -p "$dir/persist"
    chown "$AGENT_USER:$AGENT_GROUP" "$dir/persist"
    VMMIB_WRAP="nsenter --mount=/proc/$NS_PID/ns/mnt -- ${VMMIB_WRAP:-}" start_agent "$1" \
        "agentuser $AGENT_USER
agentgroup $AGENT_GROUP
vmMibUri qemu:///system
vmMibPollInterval 1
vmMibIndexFile /run/vmmib-agent/index-$1.conf
vmMibWriteAccess $2"
}
vm_count_is_1() { [ "$(snmpget -v2c -c public -t 1 -r 0 -Oqv "$AGENT" $VM.1.2.0 2>/dev/null)" = 1 ]; }
set_() { snmpset -v2c -c private -t 3 -r 0 "$AGENT" "$@" 2>&1; }

# ---- write access on, libvirt refuses it
start_ns_agent rw yes || end_test
check "snmpd dropped to $AGENT_USER (libvirt sees that user)" "$AGENT_USER" \
    "$(ps -o user= -p "$AGENT_PID" | tr -d ' ')"
wait_for "the domain's row" 20 vm_count_is_1
check "write access refused: vmNumber still counts the domain" 1 "$(sget $VM.1.2.0)"
i=$(index_of $DOM)
check "write access refused: vmName" "\"$DOM\"" "$(sget $VMTABLE.2.${i:-0})"
check "write access refused: vmOperState shutdown(11)" 11 "$(sget $VMTABLE.6.${i:-0})"
check "write access refused: no 'lost' in the log" 0 "$(grep -c 'vmmib: lost' "$AGENT_DIR/snmpd.log")"
said=$(grep 'vmmib: write access is on, but' "$AGENT_DIR/journal.log")
check_match "the warning-level journal says why writes are refused" \
    "read-write connection refused: .*Permission denied.*monitoring goes on read-only and SETs answer resourceUnavailable" \
    "$said"
out=$(set_ $VMTABLE.5.${i:-0} i 1)
check_match "SET vmAdminState = running(1) answers resourceUnavailable" resourceUnavailable "$out"
check_match "the refused SET is in the journal, with the reason" \
    "vmmib: control: SET vmAdminState\.${i:-0} \($DOM\) = 1 by .* refused \(resourceUnavailable\): monitoring only: read-write connection refused" \
    "$(grep 'vmmib: control: SET vmAdminState' "$AGENT_DIR/journal.log")"
check "the refused SET changed nothing in libvirt" "shut off" \
    "$(in_ns virsh -q -c qemu:///system domstate $DOM 2>&1 | grep .)"
check "after the refused SET, a GET still answers" 11 "$(sget $VMTABLE.6.${i:-0})"
check "after the refused SET, a walk of vmName still shows the domain" "${i:-0} \"$DOM\"" \
    "$(swalk $VMTABLE.2)"
sleep 3 # three more rounds
check "write refusal said once over several rounds" 1 \
    "$(grep -c 'vmmib: write access is on, but' "$AGENT_DIR/snmpd.log")"
check "no 'lost' after several rounds" 0 "$(grep -c 'vmmib: lost' "$AGENT_DIR/snmpd.log")"
stop_agent

# ---- write access off, same daemon: nothing to say about writes
start_ns_agent ro no || end_test
wait_for "the domain's row" 20 vm_count_is_1
i=$(index_of $DOM)
check "write access off: vmOperState shutdown(11)" 11 "$(sget $VMTABLE.6.${i:-0})"
check_match "write access off: SET vmAdminState answers notWritable" notWritable \
    "$(set_ $VMTABLE.5.${i:-0} i 1)"
sleep 2
check "write access off: nothing about write access or read-write in the log" 0 \
    "$(grep -ci 'write access\|read-write' "$AGENT_DIR/snmpd.log")"
stop_agent
end_test
