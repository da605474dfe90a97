# Shared helpers for the integration tests: start the real snmpd with the
# module on a loopback port, query it with the real Net-SNMP tools, assert.
#
# Environment:
#   VMMIB_SO       module to load (absolute path)            [build/vmmib.so]
#   VMMIB_PRELOAD  LD_PRELOAD for snmpd (sanitizer runtimes)  []
#   VMMIB_WRAP     command prefix for snmpd (e.g. valgrind)   []
#   VMMIB_RUNDIR   where agents keep their files              [tests/run]
#   VMMIB_RESULTS  file collecting "PASS name"/"FAIL name" lines

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMMIB_SO=${VMMIB_SO:-$TOP/build/vmmib.so}
VMMIB_RUNDIR=${VMMIB_RUNDIR:-$TOP/tests/run}
VMMIB_RESULTS=${VMMIB_RESULTS:-$VMMIB_RUNDIR/results}
FIXTURES=$TOP/tests/fixtures
mkdir -p "$VMMIB_RUNDIR"
TEST_NAME=$(basename "$0" .sh)
# Keep the tools quiet about MIBs this machine may lack; the tests use numeric OIDs.
export MIBS="" MIBDIRS="$TOP/mib"

VM=1.3.6.1.2.1.236
VMTABLE=$VM.1.4.1

_agents=()
_fail=0

pass() { echo "  ok   $*"; echo "PASS $TEST_NAME: $*" >>"$VMMIB_RESULTS"; }
fail() { echo "  FAIL $*"; echo "FAIL $TEST_NAME: $*" >>"$VMMIB_RESULTS"; _fail=1; }

# check DESCRIPTION EXPECTED ACTUAL
check() {
    if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected '$2', got '$3'"; fi
}
# check_match DESCRIPTION REGEX ACTUAL
check_match() {
    if [[ "$3" =~ $2 ]]; then pass "$1"; else fail "$1: '$3' does not match /$2/"; fi
}
# check_true DESCRIPTION command...
check_true() {
    local d=$1; shift
    if "$@"; then pass "$d"; else fail "$d"; fi
}

free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 20000))
        if ! ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return; fi
    done
    echo 11999
}

# start_agent NAME "extra snmpd.conf lines"
# Sets AGENT_DIR, AGENT_PORT, AGENT_PID, AGENT (host:port) and waits until it answers.
# The agent logs everything to $AGENT_DIR/snmpd.log and, like Debian's unit
# (-LOw), warnings and worse to $AGENT_DIR/journal.log.  AGENT_ARGS: more
# snmpd options (e.g. -Dvmmib).
start_agent() {
    local name=$1 extra=$2
    AGENT_DIR=$VMMIB_RUNDIR/$TEST_NAME-$name
    mkdir -p "$AGENT_DIR/persist"
    [ -n "${AGENT_KEEP_PORT:-}" ] || AGENT_PORT=$(free_port)
    AGENT=127.0.0.1:$AGENT_PORT
    cat >"$AGENT_DIR/snmpd.conf" <<CONF
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
dontLogTCPWrappersConnects yes
dlmod vmmib $VMMIB_SO
$extra
CONF
    : >"$AGENT_DIR/snmpd.log"
    : >"$AGENT_DIR/journal.log"
    SNMP_PERSISTENT_DIR=$AGENT_DIR/persist LD_PRELOAD=${VMMIB_PRELOAD:-} \
        ${VMMIB_WRAP:-} /usr/sbin/snmpd -f -C -c "$AGENT_DIR/snmpd.conf" -Lf "$AGENT_DIR/snmpd.log" \
        -LF w "$AGENT_DIR/journal.log" ${AGENT_ARGS:-} -p "$AGENT_DIR/snmpd.pid" "udp:$AGENT" \
        >>"$AGENT_DIR/stderr.log" 2>&1 &
    AGENT_PID=$!
    _agents+=("$AGENT_PID")
    local t
    for t in $(seq 300); do
        if snmpget -v2c -c public -t 1 -r 0 -Oqv "$AGENT" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$AGENT_PID" 2>/dev/null || break
        sleep 0.2
    done
    fail "snmpd ($name) did not start; log:"
    tail -n 20 "$AGENT_DIR/snmpd.log" "$AGENT_DIR/stderr.log"
    return 1
}

stop_agent() {
    local pid=${1:-$AGENT_PID}
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

cleanup_agents() {
    local p
    for p in "${_agents[@]}"; do stop_agent "$p"; done
}
trap cleanup_agents EXIT

sget() { snmpget -v2c -c public -t 2 -r 1 -Oqv "$AGENT" "$@" 2>&1; }
# swalk OID: "suffix value" lines, suffix relative to OID
swalk() {
    local base=$1
    snmpwalk -v2c -c public -t 2 -r 1 -On -Oq "$AGENT" "$base" 2>&1 |
        grep -v 'No Such Instance\|No Such Object\|No more variables' | sed "s/^\.$base\.//"
}
# Hex UUID as snmpget prints it with -Ox, without spaces, lowercase
sget_hex() { snmpget -v2c -c public -t 2 -r 1 -Oqvx "$AGENT" "$1" 2>&1 | tr -d ' \n"' | tr 'A-F' 'a-f'; }

# wait_for DESCRIPTION SECONDS command...: retry until the command succeeds
wait_for() {
    local d=$1 s=$2; shift 2
    local end=$((SECONDS + s))
    while [ $SECONDS -lt $end ]; do
        "$@" && return 0
        sleep 0.3
    done
    return 1
}

# The vmIndex of the VM named NAME (empty if none)
index_of() {
    snmpwalk -v2c -c public -t 2 -r 1 -On -Oq "$AGENT" "$VMTABLE.2" 2>/dev/null |
        awk -v n="\"$1\"" '$2 == n || $2 == substr(n, 2, length(n) - 2) { sub(/.*\./, "", $1); print $1 }'
}

finish() {
    cleanup_agents
    if [ -n "${LV_PID:-}${LV_DIR:-}" ]; then remove_session_libvirtd; fi
    trap - EXIT
    exit $_fail
}

# A private libvirtd run by an unprivileged user (session mode), so that tests
# touch no system state.  Sets LV_DIR, LV_SOCK, LV_PID.  Skips (returns 2)
# when libvirtd is not installed.
LV_USER=${LV_USER:-vmmibtest}
start_session_libvirtd() {
    command -v libvirtd >/dev/null || return 2
    # Another run may create the same user at the same moment.
    id "$LV_USER" >/dev/null 2>&1 ||
        useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$LV_USER" 2>/dev/null ||
        id "$LV_USER" >/dev/null 2>&1 || return 2
    LV_DIR=${LV_DIR:-$(mktemp -d /tmp/vmmib-lv.XXXXXX)}
    chown "$LV_USER" "$LV_DIR"
    chmod 755 "$LV_DIR"
    LV_SOCK=$LV_DIR/libvirt/libvirt-sock
    rm -f "$LV_SOCK"
    runuser -u "$LV_USER" -- env HOME="$LV_DIR" XDG_RUNTIME_DIR="$LV_DIR" \
        XDG_CONFIG_HOME="$LV_DIR/config" XDG_CACHE_HOME="$LV_DIR/cache" \
        libvirtd >"$LV_DIR/libvirtd.log" 2>&1 &
    LV_PID=$!
    wait_for "libvirtd socket" 20 test -S "$LV_SOCK" || return 1
}
stop_session_libvirtd() {
    [ -n "${LV_PID:-}" ] || return 0
    # Only our daemon and what it spawned (runuser -> libvirtd -> virtlogd):
    # other tests may run daemons of the same user.
    local pids="$LV_PID $(pgrep -P "$LV_PID" 2>/dev/null)"
    local p
    for p in $pids; do pids="$pids $(pgrep -P "$p" 2>/dev/null)"; done
    kill -KILL $pids 2>/dev/null
    wait "$LV_PID" 2>/dev/null
    LV_PID=
}
# Remove the daemon's private folder (call once, at the very end).
remove_session_libvirtd() {
    stop_session_libvirtd
    case "${LV_DIR:-}" in /tmp/vmmib-lv.*) rm -rf "$LV_DIR" ;; esac
    LV_DIR=
}
skip() { echo "  skip $*"; echo "SKIP $TEST_NAME: $*" >>"$VMMIB_RESULTS"; }
# valgrind_check WHAT LOG PATTERN: valgrind's records (blank-line separated,
# each line behind a "==PID==" prefix) with a frame matching PATTERN are
# ours: none may be an invalid access or a leak.
valgrind_check() {
    local what=$1 vlog=$2 pat=$3 ours invalid leaks
    ours=$(sed 's/^==[0-9]*== \{0,1\}//' "$vlog" |
        awk -v RS= -v ORS='\n\n' -v pat="$pat" '$0 ~ pat')
    invalid=$(echo "$ours" | awk -v RS= '/Invalid (read|write|free)|uninitialised|Mismatched/')
    leaks=$(echo "$ours" | awk -v RS= '/(definitely|indirectly) lost in loss record/')
    check "no invalid memory access in $what" "" "$invalid"
    check "no leak attributed to $what" "" "$leaks"
}

# A test that needs the private libvirtd: skipped without libvirtd, failed
# (with the daemon's log) when it does not start.
need_session_libvirtd() {
    start_session_libvirtd
    local rc=$?
    if [ $rc -eq 2 ]; then skip "libvirtd is not installed"; finish; fi
    [ $rc -eq 0 ] || { fail "session libvirtd did not start"; cat "$LV_DIR/libvirtd.log"; finish; }
}

# A real snmptrapd on a loopback port writing one line per notification:
#   TRAP <varbind>|<varbind>|...   (numeric OIDs)
# Sets TRAP_PORT, TRAP_LOG, TRAP_PID.
start_trapd() {
    local dir=$VMMIB_RUNDIR/$TEST_NAME-trapd
    mkdir -p "$dir"
    TRAP_PORT=$(free_port)
    TRAP_LOG=$dir/traps.log
    : >"$TRAP_LOG"
    cat >"$dir/snmptrapd.conf" <<CONF
authCommunity log public
format2 TRAP %V|%v\n
CONF
    snmptrapd -f -C -c "$dir/snmptrapd.conf" -On -Lf "$TRAP_LOG" -p "$dir/pid" \
        "udp:127.0.0.1:$TRAP_PORT" >"$dir/stderr.log" 2>&1 &
    TRAP_PID=$!
    _agents+=("$TRAP_PID")
    wait_for "snmptrapd" 10 grep -q "NET-SNMP version" "$TRAP_LOG"
}
# Notifications received so far whose snmpTrapOID is OID (numeric, no dot).
traps_of() { grep "^TRAP .*\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 = OID: \.$1|" "$TRAP_LOG"; }
