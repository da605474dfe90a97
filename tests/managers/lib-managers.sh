# shellcheck shell=bash
# Helpers for the manager suites (t_prometheus.sh, t_zabbix.sh): Debian
# packages installed on demand, the standard MIB modules VM-MIB imports,
# daemons started in the background and stopped by PID, HTTP waits.
# Source it after tests/lib.sh.

MGR_FIXTURE=$FIXTURES/managers.xml

# mgr_need_packages "why" pkg... : 0 when every package is installed
# (installing the missing ones when root); otherwise 1 with the reason in
# MGR_SKIP.  The apt log goes to $VMMIB_RUNDIR/$TEST_NAME-apt.log.
mgr_need_packages() {
    local why=$1 p missing=() log=$VMMIB_RUNDIR/$TEST_NAME-apt.log
    shift
    for p in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "  $why needs these Debian packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        MGR_SKIP="packages missing (${missing[*]}); as root: apt-get install -y --no-install-recommends ${missing[*]}"
        return 1
    fi
    echo "  installing them with apt-get --no-install-recommends (log: $log)"
    export DEBIAN_FRONTEND=noninteractive
    local t0=$SECONDS
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
        apt-get update -q >>"$log" 2>&1
        if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
            MGR_SKIP="apt-get could not install ${missing[*]} (see $log)"
            return 1
        fi
    fi
    echo "  (installed in $((SECONDS - t0)) s)"
}

# mgr_find_mibs: sets MGR_MIBDIRS (colon-separated: the project's mib/ first)
# to directories that hold VM-MIB and every module it imports, directly or
# indirectly.  Looks in mib/ and mib/imports/ (the source tree's), then
# $VMMIB_STD_MIBS, the installed copies and snmp-mibs-downloader's.  Returns 1 with the reason in MGR_SKIP when a module
# is nowhere.
MGR_NEEDED_MIBS="VM-MIB IANA-STORAGE-MEDIA-TYPE-MIB SNMPv2-SMI SNMPv2-TC SNMPv2-CONF
SNMP-FRAMEWORK-MIB UUID-TC-MIB IF-MIB IANAifType-MIB SNMPv2-MIB"
mgr_find_mibs() {
    local d m found dirs=() missing=()
    local cands=("$TOP/mib" "$TOP/mib/imports" ${VMMIB_STD_MIBS:+"$VMMIB_STD_MIBS"} /usr/share/snmp/mibs
        /usr/share/vmmib/mibs /usr/share/snmp/mibs/ietf /usr/share/snmp/mibs/iana /var/lib/mibs/ietf
        /var/lib/mibs/iana)
    for m in $MGR_NEEDED_MIBS; do
        found=
        for d in "${cands[@]}"; do
            [ -d "$d" ] || continue
            if grep -lqs -E "^[[:space:]]*$m[[:space:]]+DEFINITIONS[[:space:]]*::=" "$d"/* 2>/dev/null; then
                found=$d
                break
            fi
        done
        if [ -z "$found" ]; then
            missing+=("$m")
        elif [[ " ${dirs[*]} " != *" $found "* ]]; then
            dirs+=("$found")
        fi
    done
    if [ ${#missing[@]} -gt 0 ]; then
        MGR_SKIP="MIB modules not found: ${missing[*]} (looked in ${cands[*]}; set VMMIB_STD_MIBS to a directory holding them)"
        return 1
    fi
    MGR_MIBDIRS=$(IFS=:; echo "${dirs[*]}")
}

# free_tcp_port: a TCP port nothing listens on (loopback), below 32768
# (zabbix_server refuses a ListenPort above 32767).
free_tcp_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 12768))
        if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return; fi
    done
    echo 19999
}

# mgr_daemon NAME LOG command... : runs the command in the background, its
# output to LOG; the PID goes to ${NAME}_PID and into lib.sh's list of
# processes that finish/cleanup_agents stop (by PID: TERM, then KILL).
mgr_daemon() {
    local name=$1 log=$2
    shift 2
    "$@" >"$log" 2>&1 &
    local pid=$!
    _agents+=("$pid")
    printf -v "${name}_PID" '%s' "$pid"
}

# http_ok URL: the URL answers 2xx.
http_ok() { curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null; }
