# Helpers for the AgentX tests (t_agentx*.sh): a private snmpd master
# (`master agentx` on a socket in the test's folder, a loopback UDP port,
# no vmmib module) and vmmib-agentx connected to it.  Source after lib.sh.
#
# Environment:
#   VMMIB_AGENTX       the subagent to run  [vmmib-agentx next to $VMMIB_SO]
#   VMMIB_AGENTX_WRAP  command prefix for it (valgrind)  []
# The ASan suite passes the ASan module as VMMIB_SO, so the ASan build of
# vmmib-agentx (build/asan/vmmib-agentx) is the one next to it.

VMMIB_AGENTX=${VMMIB_AGENTX:-$(dirname "$VMMIB_SO")/vmmib-agentx}

# A test of the subagent fails (and ends) when it has not been built.
need_agentx() {
    if [ ! -x "$VMMIB_AGENTX" ]; then
        fail "$VMMIB_AGENTX is not built (make)"
        finish
    fi
}

# start_master NAME "extra snmpd.conf lines"
# Sets MASTER_DIR, MASTER_PORT, MASTER (host:port), MASTER_PID, MASTER_SOCK.
# MASTER_KEEP=1 reuses the previous port and socket (a restart);
# MASTER_ARGS are more snmpd options (-I ...).
start_master() {
    local name=$1 extra=$2
    MASTER_DIR=$VMMIB_RUNDIR/$TEST_NAME-$name
    mkdir -p "$MASTER_DIR/persist"
    if [ -z "${MASTER_KEEP:-}" ]; then
        MASTER_PORT=$(free_port)
        MASTER_SOCK=$MASTER_DIR/agentx.sock
        # A Unix socket path holds at most 107 bytes.
        if [ ${#MASTER_SOCK} -ge 100 ]; then
            MASTER_SOCK=$(mktemp -d /tmp/vmmib-ax.XXXXXX)/agentx.sock
            _ax_tmp="${_ax_tmp:-} $(dirname "$MASTER_SOCK")"
        fi
    fi
    MASTER=127.0.0.1:$MASTER_PORT
    cat >"$MASTER_DIR/snmpd.conf" <<CONF
master agentx
agentXSocket $MASTER_SOCK
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
dontLogTCPWrappersConnects yes
$extra
CONF
    : >>"$MASTER_DIR/snmpd.log"
    SNMP_PERSISTENT_DIR=$MASTER_DIR/persist LD_PRELOAD=${VMMIB_PRELOAD:-} \
        /usr/sbin/snmpd -f -C -c "$MASTER_DIR/snmpd.conf" -Lf "$MASTER_DIR/snmpd.log" \
        ${MASTER_ARGS:-} -p "$MASTER_DIR/snmpd.pid" "udp:$MASTER" >>"$MASTER_DIR/stderr.log" 2>&1 &
    MASTER_PID=$!
    _agents+=("$MASTER_PID")
    local t
    for t in $(seq 150); do
        if snmpget -v2c -c public -t 1 -r 0 -Oqv "$MASTER" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 &&
            [ -S "$MASTER_SOCK" ]; then
            return 0
        fi
        kill -0 "$MASTER_PID" 2>/dev/null || break
        sleep 0.2
    done
    fail "snmpd master ($name) did not start; log:"
    tail -n 20 "$MASTER_DIR/snmpd.log" "$MASTER_DIR/stderr.log"
    return 1
}

# Socket directories start_master had to make in /tmp (for a VMMIB_RUNDIR
# too long for a Unix socket path) go when the agents are stopped: lib.sh's
# cleanup_agents (run by finish and on exit) is extended here.
eval "_lib_cleanup_agents() $(declare -f cleanup_agents | tail -n +2)"
cleanup_agents() {
    _lib_cleanup_agents
    local d
    for d in ${_ax_tmp:-}; do rm -rf "$d"; done
    _ax_tmp=
}

# start_subagent NAME "extra vmmib-agentx.conf lines"
# Sets SUB_DIR, SUB_PID.  Its configuration names the master's socket and
# pings it every second (reconnects within a second of a master restart).
start_subagent() {
    local name=$1 extra=$2
    SUB_DIR=$VMMIB_RUNDIR/$TEST_NAME-$name
    mkdir -p "$SUB_DIR/persist"
    cat >"$SUB_DIR/vmmib-agentx.conf" <<CONF
agentXSocket $MASTER_SOCK
agentxPingInterval 1
$extra
CONF
    : >>"$SUB_DIR/agentx.log"
    SNMP_PERSISTENT_DIR=$SUB_DIR/persist ${VMMIB_AGENTX_WRAP:-} "$VMMIB_AGENTX" -f \
        -c "$SUB_DIR/vmmib-agentx.conf" -Lf "$SUB_DIR/agentx.log" -p "$SUB_DIR/agentx.pid" \
        >>"$SUB_DIR/stderr.log" 2>&1 &
    SUB_PID=$!
    _agents+=("$SUB_PID")
}

# mget OID...: values through the master
mget() { snmpget -v2c -c public -t 2 -r 1 -Oqv "$MASTER" "$@" 2>&1; }
# wait_vms N [SECONDS]: vmNumber.0 = N through the master
wait_vms() {
    wait_for "vmNumber $1" "${2:-30}" bash -c \
        "[ \"\$(snmpget -v2c -c public -t 1 -r 0 -Oqv $MASTER $VM.1.2.0 2>/dev/null)\" = $1 ]"
}
# The vmIndex of the VM named NAME through the master
mindex_of() {
    snmpwalk -v2c -c public -t 2 -r 1 -On -Oq "$MASTER" "$VMTABLE.2" 2>/dev/null |
        awk -v n="\"$1\"" '$2 == n || $2 == substr(n, 2, length(n) - 2) { sub(/.*\./, "", $1); print $1 }'
}
# "name=vmIndex ..." sorted by name, through host:port $1
index_map() {
    snmpwalk -v2c -c public -t 2 -r 1 -On -Oq "$1" "$VMTABLE.2" 2>/dev/null |
        awk '{ n = $1; sub(/.*\./, "", n); v = $2; gsub(/"/, "", v); print v "=" n }' | sort | tr '\n' ' '
}
# Full VM-MIB walk, one "OID = TYPE: value" line per varbind, via host:port $1
full_walk() {
    snmpwalk -v2c -c public -t 5 -r 1 -On "$1" "$VM" 2>&1 | grep -v '^No more variables'
}

# compare_walks A1 B A3 T1 T3: B (the subagent's walk, read between the
# dlmod's walks A1 at T1 and A3 at T3, seconds with decimals) against the
# dlmod's, varbind by varbind.  Prints one line per difference; nothing
# when they agree.  Every varbind must have the same OID and type; values
# must be equal, except those that move with time, compared as follows:
#  - vmUpTime, vmCpuTime, vmCpuCoreTime and the storage counters (columns
#    13-18) count from a base both agents share (the same VMs of the same
#    fixture; the start times come from the same vmIndex file): B's value
#    lies between A1's and A3's, widened on each side by two poll intervals
#    (2 s; each agent samples on its own one-second round) at the rate the
#    dlmod's own value moved between A1 and A3.  A value that did not move
#    between A1 and A3 (0 for a shut-off VM) may only be older in B (each
#    agent's round samples at its own moment; these values never decrease):
#    0 <= B <= A1.
#  - vmHvUpTime counts from each agent's own connection to the hypervisor,
#    and the subagent connected after the dlmod: 0 < B <= A3 + 1 s.
#  - vmTableLastChange is a vmHvUpTime of the same agent (its first round):
#    0 <= B <= B's vmHvUpTime.
compare_walks() {
    awk -v t1="$4" -v t3="$5" -v hv=".$VM.1.1.4.0" -v lc=".$VM.1.3.0" \
        -v up=".$VMTABLE.16." -v cpu=".$VMTABLE.17." -v core=".$VM.1.5.1.2." -v sto=".$VM.1.7.1." '
    function val(rest) { # the number of a Timeticks or Counter64 value, else the text
        if (match(rest, /^Timeticks: \([0-9]+\)/)) return substr(rest, 13, RLENGTH - 13) + 0
        if (rest ~ /^Counter64: /) return substr(rest, 12) + 0
        return rest
    }
    function typ(rest) { sub(/:.*/, "", rest); return rest }
    function moving(o,   c) {
        if (index(o, up) == 1 || index(o, cpu) == 1 || index(o, core) == 1) return 1
        if (index(o, sto) != 1) return 0
        c = substr(o, length(sto) + 1); sub(/\..*/, "", c)
        return c >= 13 && c <= 18
    }
    FNR == 1 { f++ }
    { o = $1; r = $0; sub(/^[^=]*= /, "", r) }
    f == 1 { a1[o] = r; next }
    f == 2 { b[o] = r; order[++n] = o; next }
    f == 3 { a3[o] = r; next }
    END {
        for (o in a1) if (!(o in b)) print "missing in the subagent: " o " = " a1[o]
        for (i = 1; i <= n; i++) {
            o = order[i]
            if (!(o in a1)) { print "only in the subagent: " o " = " b[o]; continue }
            if (typ(b[o]) != typ(a1[o])) { print "type: " o ": " b[o] " vs " a1[o]; continue }
            x = val(a1[o]); y = val(b[o]); z = val(a3[o])
            if (o == hv) { if (!(y > 0 && y <= z + 100)) print "vmHvUpTime: " y " not in (0, " z + 100 "]"; continue }
            if (o == lc) { if (!(y >= 0 && y <= val(b[hv]))) print "vmTableLastChange: " y " not in [0, " val(b[hv]) "]"; continue }
            if (moving(o) && x != z) {
                w = (z - x) / (t3 - t1) * 2
                if (y < x - w || y > z + w) printf "%s: %.0f not in [%.0f, %.0f]\n", o, y, x - w, z + w
                continue
            }
            if (moving(o)) { if (y < 0 || y > x) printf "%s: %.0f not in [0, %.0f]\n", o, y, x; continue }
            if (b[o] != a1[o]) print "value: " o ": " b[o] " vs " a1[o]
        }
    }' "$1" "$2" "$3"
}
