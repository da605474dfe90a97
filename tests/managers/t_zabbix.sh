#!/bin/bash
# Zabbix, for real: Debian 12's zabbix-server-pgsql with a private
# PostgreSQL cluster holding the schema Debian ships, Debian's
# zabbix-frontend-php (its JSON-RPC API under PHP's built-in web server),
# the shipped template examples/zabbix/vmmib_template.yaml imported through
# the API (configuration.import), and hosts pointing at private snmpd agents
# with vmmib.  Asserted through the API: discovery made the VM, disk and NIC
# items, with the VM's name in their names and the values libvirt (virsh on
# the same test-driver fixture) gives; the value maps match the MIB's
# enumerations; the triggers fire where they should and nowhere else; SNMP
# notifications reach the trap items through snmptrapd and the shipped
# vmmib-zabbix-traphandle.sh.
#
# Hosts (all at 127.0.0.1, on the agents' ports):
#   kvm-a  agent A: test:///tests/fixtures/managers.xml, write access on (the
#          test pauses web02 through SNMP), notifications to snmptrapd
#   kvm-b  agent B: the same fixture through a private session libvirtd,
#          which the test stops (every row unknown)
#   kvm-c  agent C: a libvirt socket that does not exist
# Expected problems: "VM db01 crashed" and "VM web02 is no longer running"
# on kvm-a, "Hypervisor unreachable for the agent" on kvm-b and kvm-c,
# nothing else.  The template's intervals are user macros, set low on the
# test hosts; the template itself is imported as shipped.
#
# Needs root (packages, PostgreSQL as user postgres, zabbix_server as user
# zabbix); installs zabbix-server-pgsql, zabbix-frontend-php, php-cli,
# php-pgsql, the PHP CGI (so that apt does not pull in Apache) and
# postgresql when missing; skips, saying why, when it cannot.  Everything
# runs from a private folder /tmp/vmmib-zbx.XXXXXX on private loopback ports
# and is stopped by PID; the folder is removed at the end (the logs are
# copied to $VMMIB_RUNDIR/t_zabbix first).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-managers.sh"
LV_USER=${VMMIB_MGR_USER:-vmmibmgr}
T0=$SECONDS
DIR=$VMMIB_RUNDIR/$TEST_NAME
rm -rf "$DIR"
mkdir -p "$DIR"
TEMPLATE=$TOP/examples/zabbix/vmmib_template.yaml
HANDLER=$TOP/examples/zabbix/vmmib-zabbix-traphandle.sh
ZD=

zbx_cleanup() {
    # The server and the frontend first: PostgreSQL's shutdown waits for them.
    [ -n "${ZBX_PID:-}" ] && stop_agent "$ZBX_PID"
    [ -n "${PHP_PID:-}" ] && stop_agent "$PHP_PID"
    cleanup_agents
    remove_session_libvirtd
    if [ -n "$ZD" ] && [ -d "$ZD" ]; then
        cp -r "$ZD/logs/." "$DIR/" 2>/dev/null
        case $ZD in /tmp/vmmib-zbx.*) rm -rf "$ZD" ;; esac
    fi
}
trap zbx_cleanup EXIT
zbx_finish() { zbx_cleanup; finish; }
cd /   # the daemons run as postgres and zabbix: no working directory of ours

if [ "$(id -u)" -ne 0 ]; then
    skip "needs root (apt-get, PostgreSQL as user postgres, zabbix_server as user zabbix)"
    zbx_finish
fi
# php8.2 depends on "libapache2-mod-php8.2 | php8.2-fpm | php8.2-cgi": naming
# the CGI keeps apt from installing and starting Apache.
phpv=$(apt-cache depends php 2>/dev/null | awk '/Depends: php[0-9]/ { print $2; exit }')
t_inst=$SECONDS
if ! mgr_need_packages "the Zabbix suite" zabbix-server-pgsql zabbix-frontend-php php-cli php-pgsql \
    "${phpv:-php8.2}-cgi" postgresql curl jq; then
    skip "$MGR_SKIP"
    zbx_finish
fi
t_inst=$((SECONDS - t_inst))
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
for f in /usr/sbin/zabbix_server /usr/share/zabbix/api_jsonrpc.php "$PGBIN/initdb" "$PGBIN/postgres" \
    /usr/share/zabbix-server-pgsql/schema.sql.gz; do
    [ -e "$f" ] || { skip "$f is missing after installing the packages"; zbx_finish; }
done
for c in php psql setpriv flock snmptrapd; do
    command -v $c >/dev/null || { skip "$c is not on PATH"; zbx_finish; }
done
id zabbix >/dev/null 2>&1 && id postgres >/dev/null 2>&1 ||
    { skip "the zabbix or postgres user is missing"; zbx_finish; }
echo "  ($(/usr/sbin/zabbix_server -V | head -1); $("$PGBIN/postgres" -V); $(php -v | head -1 | cut -d' ' -f1-2))"

ZD=$(mktemp -d /tmp/vmmib-zbx.XXXXXX)
chmod 755 "$ZD"
mkdir -p "$ZD/pg" "$ZD/pgsock" "$ZD/zbx" "$ZD/logs"
chown postgres: "$ZD/pg" "$ZD/pgsock"
chmod 700 "$ZD/pg"
chown zabbix: "$ZD/zbx" "$ZD/logs"
PW=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

# ---- PostgreSQL: a private cluster -------------------------------------------
t_db=$SECONDS
printf '%s\n' "$PW" >"$ZD/pw"
chown postgres "$ZD/pw"
if ! as_postgres "$PGBIN/initdb" -D "$ZD/pg" -U zabbix --pwfile="$ZD/pw" -A scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$ZD/logs/initdb.log" 2>&1; then
    fail "initdb"; tail "$ZD/logs/initdb.log"; zbx_finish
fi
rm -f "$ZD/pw"
PG_PORT=$(free_tcp_port)
mgr_daemon PG "$ZD/logs/postgres.log" setpriv --reuid=postgres --regid=postgres --init-groups \
    "$PGBIN/postgres" -D "$ZD/pg" -p "$PG_PORT" -k "$ZD/pgsock" -c listen_addresses=127.0.0.1 \
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off
export PGPASSWORD=$PW PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=zabbix
wait_for "postgres" 30 "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" ||
    { fail "PostgreSQL did not start"; tail "$ZD/logs/postgres.log"; zbx_finish; }
psql -q -d postgres -c "CREATE DATABASE zabbix" >"$ZD/logs/psql.log" 2>&1 || { fail "CREATE DATABASE"; zbx_finish; }
for part in schema images data; do
    if ! zcat "/usr/share/zabbix-server-pgsql/$part.sql.gz" |
        psql -q -d zabbix -v ON_ERROR_STOP=1 >>"$ZD/logs/psql.log" 2>&1; then
        fail "importing Debian's $part.sql"; tail "$ZD/logs/psql.log"; zbx_finish
    fi
done
check_match "the database has Debian's Zabbix 6.0 schema" '^6000000\|' \
    "$(psql -d zabbix -tAc 'SELECT mandatory, optional FROM dbversion')"
echo "  (database created and imported in $((SECONDS - t_db)) s)"

# ---- snmptrapd -> vmmib-zabbix-traphandle.sh -> Zabbix's trapper file ------------
TRAP_FILE=$ZD/zbx/snmptraps.log
TRAPD_PORT=$(free_port)
cat >"$ZD/snmptrapd.conf" <<CONF
authCommunity log,execute public
outputOption n
traphandle .1.3.6.1.2.1.236.0.* /bin/sh $HANDLER $TRAP_FILE
CONF
mgr_daemon TRAPD "$ZD/logs/snmptrapd.out" snmptrapd -f -C -c "$ZD/snmptrapd.conf" \
    -Lf "$ZD/logs/snmptrapd.log" -p "$ZD/snmptrapd.pid" "udp:127.0.0.1:$TRAPD_PORT"

# ---- agents ------------------------------------------------------------------
lv_ok=0
start_session_libvirtd
rc=$?
if [ $rc -eq 0 ]; then lv_ok=1
elif [ $rc -eq 2 ]; then skip "no session libvirtd (libvirtd missing): host kvm-b, hypervisor lost after start"
else fail "session libvirtd did not start"; cat "$LV_DIR/libvirtd.log"
fi
start_agent A "vmMibUri test://$MGR_FIXTURE
vmMibPollInterval 1
vmMibWriteAccess yes
trap2sink 127.0.0.1:$TRAPD_PORT public" || zbx_finish
AGENT_A=$AGENT PORT_A=$AGENT_PORT
if [ $lv_ok = 1 ]; then
    start_agent B "vmMibUri test+unix://$MGR_FIXTURE?socket=$LV_SOCK
vmMibPollInterval 1" || zbx_finish
    AGENT_B=$AGENT PORT_B=$AGENT_PORT
fi
start_agent C "vmMibUri qemu+unix:///system?socket=$ZD/no-such-libvirt.sock
vmMibPollInterval 1" || zbx_finish
PORT_C=$AGENT_PORT
V="virsh -q -c test://$MGR_FIXTURE"
nvm=$($V list --all --name | grep -c .)

# ---- zabbix_server -------------------------------------------------------------
ZBX_PORT=$(free_tcp_port)
cat >"$ZD/zabbix_server.conf" <<CONF
ListenIP=127.0.0.1
ListenPort=$ZBX_PORT
LogFile=$ZD/logs/zabbix_server.log
LogFileSize=0
PidFile=$ZD/zbx/zabbix_server.pid
SocketDir=$ZD/zbx
DBHost=127.0.0.1
DBPort=$PG_PORT
DBName=zabbix
DBUser=zabbix
DBPassword=$PW
StartPollers=2
StartPollersUnreachable=1
StartTrappers=1
StartPingers=0
StartDiscoverers=0
StartHTTPPollers=0
StartPreprocessors=2
StartSNMPTrapper=1
SNMPTrapperFile=$TRAP_FILE
CacheUpdateFrequency=2
HousekeepingFrequency=0
Timeout=4
CONF
chmod 640 "$ZD/zabbix_server.conf"
chgrp zabbix "$ZD/zabbix_server.conf"
mgr_daemon ZBX "$ZD/logs/zabbix_server.out" /usr/sbin/zabbix_server -f -c "$ZD/zabbix_server.conf"
wait_for "zabbix_server" 30 grep -qs "server #1 started" "$ZD/logs/zabbix_server.log" ||
    { fail "zabbix_server did not start"; tail "$ZD/logs/zabbix_server.log" "$ZD/logs/zabbix_server.out"; zbx_finish; }

# ---- the frontend's API: a private copy under PHP's built-in server -------------
# Debian's frontend reads its configuration from /etc/zabbix/zabbix.conf.php
# (CConfigFile::CONFIG_FILE_PATH); the private copy reads a private one.
cp -a /usr/share/zabbix "$ZD/web"
sed -i "s|const CONFIG_FILE_PATH = '[^']*';|const CONFIG_FILE_PATH = '$ZD/web/conf/zabbix.conf.php';|" \
    "$ZD/web/include/classes/core/CConfigFile.php"
grep -q "CONFIG_FILE_PATH = '$ZD/web/conf/zabbix.conf.php'" "$ZD/web/include/classes/core/CConfigFile.php" ||
    { fail "could not point the frontend copy at its configuration"; zbx_finish; }
cat >"$ZD/web/conf/zabbix.conf.php" <<CONF
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '127.0.0.1';
\$DB['PORT'] = '$PG_PORT';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = '$PW';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER = '127.0.0.1';
\$ZBX_SERVER_PORT = '$ZBX_PORT';
\$ZBX_SERVER_NAME = 'vmmib test';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
CONF
chgrp zabbix "$ZD/web/conf/zabbix.conf.php"
chmod 640 "$ZD/web/conf/zabbix.conf.php"
WEB_PORT=$(free_tcp_port)
mgr_daemon PHP "$ZD/logs/php.log" setpriv --reuid=zabbix --regid=zabbix --init-groups \
    php -d memory_limit=512M -d max_execution_time=300 -d post_max_size=16M \
    -S "127.0.0.1:$WEB_PORT" -t "$ZD/web"
ZURL=http://127.0.0.1:$WEB_PORT/api_jsonrpc.php
ZTOKEN=
# zapi METHOD PARAMS_JSON: the call's "result" (JSON); on an API error,
# prints it to stderr and returns 1.
zapi() {
    local out
    out=$(jq -nc --arg m "$1" --argjson p "$2" --arg a "$ZTOKEN" \
        '{jsonrpc: "2.0", method: $m, params: $p, id: 1} + (if $a == "" then {} else {auth: $a} end)' |
        curl -fsS --max-time 120 -H 'Content-Type: application/json-rpc' --data-binary @- "$ZURL") || return 1
    if jq -e '.error' <<<"$out" >/dev/null; then
        echo "  API $1: $(jq -c .error <<<"$out")" >&2
        return 1
    fi
    jq -c .result <<<"$out"
}
wait_for "API" 30 eval 'zapi apiinfo.version "{}" >/dev/null 2>&1' ||
    { fail "the Zabbix API does not answer"; tail "$ZD/logs/php.log"; zbx_finish; }
check_match "the API answers (apiinfo.version)" '^"6\.0\.' "$(zapi apiinfo.version '{}')"
ZTOKEN=$(zapi user.login '{"username": "Admin", "password": "zabbix"}' | jq -r .)
[ -n "$ZTOKEN" ] && [ "$ZTOKEN" != null ] || { fail "API login as Admin"; zbx_finish; }
# The database's own "Zabbix server" host polls an agent that is not there.
zapi host.update "$(zapi host.get '{"filter": {"host": "Zabbix server"}, "output": ["hostid"]}' |
    jq -c '.[0] + {status: 1}')" >/dev/null

# ---- the template, as shipped -----------------------------------------------------
rules='{"groups": {"createMissing": true}, "templates": {"createMissing": true, "updateExisting": true},
  "valueMaps": {"createMissing": true, "updateExisting": true},
  "items": {"createMissing": true, "updateExisting": true},
  "discoveryRules": {"createMissing": true, "updateExisting": true},
  "triggers": {"createMissing": true, "updateExisting": true}}'
out=$(jq -nc --rawfile src "$TEMPLATE" --argjson rules "$rules" --arg a "$ZTOKEN" \
    '{jsonrpc: "2.0", method: "configuration.import", id: 1, auth: $a,
      params: {format: "yaml", source: $src, rules: $rules}}' |
    curl -fsS --max-time 300 -H 'Content-Type: application/json-rpc' --data-binary @- "$ZURL")
check "configuration.import accepts examples/zabbix/vmmib_template.yaml" true "$(jq -c '.result // .error' <<<"$out")"
TID=$(zapi template.get '{"filter": {"host": "VM-MIB by SNMP"}, "output": ["templateid"]}' | jq -r '.[0].templateid')
[ -n "$TID" ] && [ "$TID" != null ] || { fail "template VM-MIB by SNMP not found after the import"; zbx_finish; }
count() { zapi "$1.get" "{\"templateids\": [\"$TID\"], \"countOutput\": true}" | jq -r .; }
echo "  (template: $(count item) items, $(count discoveryrule) discovery rules, $(count itemprototype) item prototypes, $(count trigger) triggers, $(count triggerprototype) trigger prototypes)"

# Value maps: every enumeration of VM-MIB and the TCs it uses, as the MIB
# files define them.
enum_of() { # FILE NAME: "number name" per enumerated value of NAME's SYNTAX
    awk -v n="$2" '
        $1 == n && ($2 == "::=" || $2 == "OBJECT-TYPE") { f = 1 }
        f && /SYNTAX/ { s = 1 }
        s {
            line = $0
            while (match(line, /[a-zA-Z][-a-zA-Z0-9]*\([0-9]+\)/)) {
                t = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
                split(t, a, /[()]/); print a[2], a[1]
            }
        }
        s && /}/ { exit }' "$1"
}
vmap() { # NAME: "number name" per mapping of the template's value map NAME
    zapi valuemap.get "{\"hostids\": [\"$TID\"], \"filter\": {\"name\": \"$1\"}, \"selectMappings\": \"extend\"}" |
        jq -r '.[0].mappings[] | "\(.value) \(.newvalue)"' | sort -n
}
for tc in VirtualMachineOperState VirtualMachineAdminState VirtualMachineAutoStart VirtualMachinePersistent \
    VirtualMachineStorageAccess VirtualMachineStorageSourceType vmCpuAffinity; do
    want=$(enum_of "$TOP/mib/VM-MIB.txt" $tc | sort -n)
    check "value map VM-MIB::$tc = the MIB's enumeration ($(echo $want | tr ' ' ,))" "$want" "$(vmap "VM-MIB::$tc")"
done
want=$(enum_of "$TOP/mib/IANA-STORAGE-MEDIA-TYPE-MIB.txt" IANAStorageMediaType | sort -n)
check "value map IANA-STORAGE-MEDIA-TYPE-MIB::IANAStorageMediaType = the MIB's enumeration" "$want" \
    "$(vmap 'IANA-STORAGE-MEDIA-TYPE-MIB::IANAStorageMediaType')"
check "value map SNMPv2-TC::TruthValue = RFC 2579's true(1) false(2)" "1 true
2 false" "$(vmap 'SNMPv2-TC::TruthValue')"
check "the template has no other value map" 9 "$(zapi valuemap.get "{\"hostids\": [\"$TID\"], \"countOutput\": true}" | jq -r .)"

# ---- hosts --------------------------------------------------------------------------
GID=$(zapi hostgroup.get '{"filter": {"name": "Hypervisors"}, "output": ["groupid"]}' | jq -r '.[0].groupid')
add_host() { # NAME PORT
    zapi host.create "$(jq -nc --arg h "$1" --arg p "$2" --arg g "$GID" --arg t "$TID" '{
        host: $h, groups: [{groupid: $g}], templates: [{templateid: $t}],
        interfaces: [{type: 2, main: 1, useip: 1, ip: "127.0.0.1", dns: "", port: $p,
                      details: {version: 2, community: "public", bulk: 1}}],
        macros: [{macro: "{$VMMIB.INTERVAL}", value: "5s"}, {macro: "{$VMMIB.INTERVAL.SLOW}", value: "10s"},
                 {macro: "{$VMMIB.LLD.INTERVAL}", value: "10s"}, {macro: "{$VMMIB.HV.LOST.PERIOD}", value: "20s"}]}')" |
        jq -r '.hostids[0]'
}
HA=$(add_host kvm-a "$PORT_A")
[ -n "${PORT_B:-}" ] && HB=$(add_host kvm-b "$PORT_B")
HC=$(add_host kvm-c "$PORT_C")
check_true "hosts kvm-a, kvm-b, kvm-c created with the template" test -n "$HA" -a -n "$HC"
t_hosts=$SECONDS

# itemval HOSTID NAME: last value of the item called NAME ("none" if no value, "missing" if no such item)
itemval() {
    zapi item.get "$(jq -nc --arg h "$1" --arg n "$2" '{hostids: [$h], filter: {name: $n}, output: ["lastvalue", "lastclock"]}')" |
        jq -r 'if length == 0 then "missing" elif .[0].lastclock == "0" then "none" else .[0].lastvalue end'
}
items_with_values() { # HOSTID: how many discovered items have a value
    zapi item.get "{\"hostids\": [\"$1\"], \"output\": [\"lastclock\"], \"filter\": {\"flags\": 4}}" |
        jq '[.[] | select(.lastclock != "0")] | length'
}
wait_for "discovered items with values" 120 eval \
    '[ "$(itemval $HA "VM web01: operational state")" = 4 ] && [ "$(itemval $HA "VM web01: disk /var/lib/libvirt/images/web01.qcow2: size")" != none ] && [ "$(itemval $HA "VM web01: NIC 52:54:00:ab:cd:01: model")" != none ]' ||
    fail "discovery and first values did not come within 120 s"
echo "  (discovery and first values $((SECONDS - t_hosts)) s after the hosts were created)"
sleep 12   # every item of the slow group ({$VMMIB.INTERVAL.SLOW} = 10s) polled once

# ---- discovered items against libvirt --------------------------------------------------
check "kvm-a: Hypervisor: software" TEST "$(itemval $HA 'Hypervisor: software')"
check "kvm-a: Hypervisor: version" "$(AGENT=$AGENT_A sget $VM.1.1.2.0 | tr -d '"')" "$(itemval $HA 'Hypervisor: version')"
check "kvm-a: Hypervisor: number of VMs" "$nvm" "$(itemval $HA 'Hypervisor: number of VMs')"
check "kvm-a: Hypervisor: VMs in state unknown" 0 "$(itemval $HA 'Hypervisor: VMs in state unknown')"
check "kvm-a: Hypervisor: per-VM notifications enabled = true(1)" 1 "$(itemval $HA 'Hypervisor: per-VM notifications enabled')"
info() { $V dominfo "$1" | awk -F': *' -v k="$2" '$1 == k { print $2 }'; }
oper_of() { # RFC 7666 vmOperState number for libvirt's view of VM $1
    case $($V domstate "$1") in
        running) echo 4 ;; paused) echo 8 ;; crashed) echo 12 ;;
        "shut off") if $V dominfo "$1" | grep -q '^Managed save: *yes'; then echo 6; else echo 11; fi ;;
        *) echo "?" ;;
    esac
}
check "kvm-a: one 'operational state' item per VM, named after it" \
    "$($V list --all --name | sed 's/.*/VM &: operational state/' | sort)" \
    "$(zapi item.get "{\"hostids\": [\"$HA\"], \"search\": {\"name\": \"operational state\"}, \"output\": [\"name\"]}" | jq -r '.[].name' | sort)"
for vm in $($V list --all --name); do
    check "$vm: operational state" "$(oper_of "$vm")" "$(itemval $HA "VM $vm: operational state")"
    check "$vm: memory (bytes)" "$(($(info "$vm" 'Used memory' | cut -d' ' -f1) * 1024))" "$(itemval $HA "VM $vm: memory")"
    check "$vm: memory, maximum (bytes)" "$(($(info "$vm" 'Max memory' | cut -d' ' -f1) * 1024))" \
        "$(itemval $HA "VM $vm: memory, maximum")"
    check "$vm: vCPUs, vCPUs maximum" \
        "$($V vcpucount "$vm" --current --live 2>/dev/null || $V vcpucount "$vm" --current --config) $($V vcpucount "$vm" --maximum --config)" \
        "$(itemval $HA "VM $vm: vCPUs") $(itemval $HA "VM $vm: vCPUs, maximum")"
    check "$vm: the state item's uuid tag is libvirt's UUID" "$(info "$vm" UUID)" \
        "$(zapi item.get "$(jq -nc --arg h "$HA" --arg n "VM $vm: operational state" '{hostids: [$h], filter: {name: $n}, selectTags: "extend", output: ["itemid"]}')" |
            jq -r '.[0].tags[] | select(.tag == "uuid") | .value')"
    while read -r type device target source; do
        if [ "$source" = "-" ]; then
            n=$(zapi item.get "$(jq -nc --arg h "$HA" --arg n "VM $vm: disk " '{hostids: [$h], search: {name: $n}, output: ["name"]}')" |
                jq -r '.[].name' | grep -o 'disk [0-9]* (empty)' | head -1)
            check "$vm $target: the empty $device drive is discovered as '$n' with media type opticalDisk(4)" 4 \
                "$(itemval $HA "VM $vm: $n: media type")"
            check "$vm $target: no size for the empty drive (-1 is discarded)" none "$(itemval $HA "VM $vm: $n: size")"
            continue
        fi
        cap=$($V domblkinfo "$vm" "$target" | awk '/^Capacity:/ { print $2 }')
        alloc=$($V domblkinfo "$vm" "$target" | awk '/^Allocation:/ { print $2 }')
        fmt=$($V dumpxml "$vm" | grep -A3 "<disk type='$type'" | grep -o "type='[a-z0-9]*'/>" | head -1 | cut -d"'" -f2)
        [ "$type" = block ] || [ "$fmt" = raw ] && alloc=$cap
        check "$vm $target: disk size (bytes) = libvirt's capacity" "$cap" "$(itemval $HA "VM $vm: disk $source: size")"
        check "$vm $target: disk allocated (bytes)" "$alloc" "$(itemval $HA "VM $vm: disk $source: allocated")"
        check "$vm $target: disk bus" "$($V dumpxml "$vm" | grep -o "<target dev='$target' bus='[a-z]*'" | cut -d"'" -f4)" \
            "$(itemval $HA "VM $vm: disk $source: bus")"
    done < <($V domblklist "$vm" --details)
    while read -r _ _ _ model mac; do
        check "$vm NIC $mac: model" "$model" "$(itemval $HA "VM $vm: NIC $mac: model")"
        check "$vm NIC $mac: host interface index (0: no host device in the test driver)" 0 \
            "$(itemval $HA "VM $vm: NIC $mac: host interface index")"
    done < <($V domiflist "$vm")
done
lv_s=$(info web01 'CPU time' | tr -d s)
got=$(itemval $HA 'VM web01: CPU time')
check_true "web01: CPU time ($got s) = libvirt's ($lv_s s) within 30 s (the MIB counts microseconds)" \
    awk -v a="$got" -v b="$lv_s" 'BEGIN { d = a - b; exit !(d < 30 && d > -30) }'
check_true "web01: uptime is positive" awk -v v="$(itemval $HA 'VM web01: uptime')" 'BEGIN { exit !(v > 0) }'
check "batch01 (shut off): CPU time is 0" 0 "$(itemval $HA 'VM batch01: CPU time')"
got=$(itemval $HA 'VM web01: disk /var/lib/libvirt/images/web01.qcow2: read bytes')
check_true "web01 vda: read bytes per second is a positive rate ($got)" awk -v v="$got" 'BEGIN { exit !(v > 0) }'
check "kvm-a: every discovered item is supported (no error)" "" \
    "$(zapi item.get "{\"hostids\": [\"$HA\"], \"output\": [\"name\", \"error\"], \"filter\": {\"state\": 1}}" | jq -r '.[] | .name + ": " + .error')"
check "kvm-a: every discovery rule works" "" \
    "$(zapi discoveryrule.get "{\"hostids\": [\"$HA\"], \"output\": [\"name\", \"error\"]}" | jq -r '.[] | select(.error != "") | .name + ": " + .error')"
echo "  (kvm-a: $(items_with_values $HA) discovered items with values)"

# ---- triggers and notifications ---------------------------------------------------------
problems() { # HOSTID: the names of its current problems
    zapi problem.get "{\"hostids\": [\"$1\"], \"output\": [\"name\"]}" | jq -r '.[].name' | sort
}
wait_for "db01 crashed" 30 eval '[ -n "$(problems $HA | grep "VM db01 crashed")" ]'
check "kvm-a: problems before anything changes: only VM db01 crashed" "VM db01 crashed" "$(problems $HA)"

i=$(AGENT=$AGENT_A index_of web02)
snmpset -v2c -c private -t 3 "$AGENT_A" "$VMTABLE.5.$i" i 3 >/dev/null 2>&1 ||
    fail "pausing web02 through vmAdminState"
if [ $lv_ok = 1 ]; then
    stop_session_libvirtd
fi
t_event=$SECONDS
want_a="VM db01 crashed
VM web02 is no longer running"
want_lost="Hypervisor unreachable for the agent"
settled() {
    [ "$(problems $HA)" = "$want_a" ] && [ "$(problems $HC)" = "$want_lost" ] &&
        { [ -z "${HB:-}" ] || [ "$(problems $HB)" = "$want_lost" ]; } &&
        itemval $HA 'VM web02: notifications' | grep -q '236\.0\.4'
}
wait_for "problems" 120 settled
echo "  (problems and notification settled $((SECONDS - t_event)) s after web02 paused and libvirtd stopped)"
check "kvm-a: problems: VM db01 crashed, VM web02 is no longer running" "$want_a" "$(problems $HA)"
check "kvm-a: the problem says web02's state: paused (8)" "State: paused (8)" \
    "$(zapi problem.get "{\"hostids\": [\"$HA\"], \"output\": [\"name\", \"opdata\"]}" |
        jq -r '.[] | select(.name == "VM web02 is no longer running") | .opdata')"
check "kvm-c (hypervisor never reached): problem Hypervisor unreachable" "$want_lost" "$(problems $HC)"
if [ -n "${HB:-}" ]; then
    check "kvm-b (libvirtd stopped, every VM unknown): problem Hypervisor unreachable, nothing else" \
        "$want_lost" "$(problems $HB)"
    check "kvm-b: VMs in state unknown = number of VMs" "$nvm" "$(itemval $HB 'Hypervisor: VMs in state unknown')"
fi
n=$(itemval $HA 'VM web02: notifications')
check_match "kvm-a: the trap item 'VM web02: notifications' got vmPaused(4) through snmptrapd" \
    '\.1\.3\.6\.1\.6\.3\.1\.1\.4\.1\.0 \.1\.3\.6\.1\.2\.1\.236\.0\.4' "$n"
check_match "  ... carrying web02's name and its previous state running(4)" \
    "\.1\.3\.6\.1\.2\.1\.236\.1\.4\.1\.2\.$i \"web02\".*\.1\.3\.6\.1\.2\.1\.236\.1\.4\.1\.6\.$i 4" "$(tr '\n' ' ' <<<"$n")"
check_match "kvm-a: the host-level item 'VM-MIB notifications' got it too" '236\.0\.4' \
    "$(itemval $HA 'VM-MIB notifications')"
check "kvm-a: no other VM's notification item got it" "" \
    "$(zapi item.get "{\"hostids\": [\"$HA\"], \"search\": {\"name\": \": notifications\"}, \"output\": [\"name\", \"lastclock\"]}" |
        jq -r '.[] | select(.lastclock != "0" and .name != "VM web02: notifications") | .name')"
cp "$TRAP_FILE" "$DIR/zabbix-traps.txt" 2>/dev/null

# Readable excerpts for the README.
zapi item.get "{\"hostids\": [\"$HA\"], \"search\": {\"name\": \"VM web01\"}, \"output\": [\"name\", \"lastvalue\", \"lastclock\", \"units\"], \"selectValueMap\": [\"mappings\"]}" |
    jq -r '.[] | . as $i | [.name,
        (if .lastclock == "0" then "(no value)" else .lastvalue end),
        ((if (.valuemap | type) == "object" then .valuemap.mappings else [] end)
            | map(select(.value == $i.lastvalue)) | .[0].newvalue // ""),
        .units] | @tsv' |
    sort >"$DIR/web01-items.txt"
for h in "kvm-a $HA" "kvm-b ${HB:-}" "kvm-c $HC"; do
    set -- $h
    [ -n "${2:-}" ] || continue
    zapi problem.get "{\"hostids\": [\"$2\"], \"output\": [\"name\", \"severity\", \"opdata\"]}" |
        jq -r --arg h "$1" '.[] | [$h, .name, .opdata] | @tsv'
done >"$DIR/problems.txt"

stop_agent "$ZBX_PID"
stop_agent "$PHP_PID"
stop_agent "$PG_PID"
echo "  (t_zabbix took $((SECONDS - T0)) s, of which $t_inst s installing packages)"
zbx_finish
