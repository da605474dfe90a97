#!/bin/bash
# vmNetworkIfIndex and vmNetworkParent against real tap, bridge and veth
# devices in a private network namespace, and against the IF-MIB served by
# the same snmpd there.
. "$(dirname "$0")/../lib.sh"
if [ -z "${VMMIB_IN_NETNS:-}" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
        skip "network namespaces need root and iproute2"
        exit 0
    fi
    ns=vmmib-t$$
    if ! ip netns add $ns 2>/dev/null; then skip "cannot create a network namespace here"; exit 0; fi
    trap 'ip netns del $ns 2>/dev/null' EXIT
    ip -n $ns link set lo up
    ip -n $ns link add vmbr0 type bridge
    ip -n $ns tuntap add dev testnet0 mode tap
    ip -n $ns link set testnet0 master vmbr0
    ip -n $ns link add lowdev0 type veth peer name lowdev1
    for d in vmbr0 testnet0 lowdev0; do ip -n $ns link set $d up; done
    ip netns exec $ns env VMMIB_IN_NETNS=$ns bash "$0"
    exit $?
fi

ifidx() { cat /sys/class/net/$1/ifindex; }
start_agent main "vmMibUri test://$FIXTURES/netns.xml
vmMibPollInterval 2" || finish
wait_for "first poll" 15 bash -c "[ \"\$(snmpget -v2c -c public -Oqv $AGENT $VM.1.2.0 2>/dev/null)\" = 2 ]"
NET=$VM.1.8.1
t=$(index_of tapvm)
o=$(index_of offvm)
check "running VM: vmNetworkIfIndex = kernel ifindex of its tap" "$(ifidx testnet0)" "$(sget $NET.2.$t.1)"
check "running VM: vmNetworkParent = ifindex of the bridge the tap is on" "$(ifidx vmbr0)" "$(sget $NET.3.$t.1)"
check "the same agent's IF-MIB knows that ifIndex as the tap" '"testnet0"' \
    "$(sget 1.3.6.1.2.1.2.2.1.2.$(sget $NET.2.$t.1))"
check "the same agent's IF-MIB knows the parent as the bridge" '"vmbr0"' \
    "$(sget 1.3.6.1.2.1.2.2.1.2.$(sget $NET.3.$t.1))"
check "shut-off VM: no host device, vmNetworkIfIndex 0" "0 0" "$(sget $NET.2.$o.1) $(sget $NET.2.$o.2)"
check "shut-off VM: bridge NIC's parent is the bridge it will join" "$(ifidx vmbr0)" "$(sget $NET.3.$o.1)"
check "shut-off VM: direct NIC's parent is its lower device" "$(ifidx lowdev0)" "$(sget $NET.3.$o.2)"
ip link set testnet0 nomaster
sleep 3
check "a tap taken off its bridge has no parent" 0 "$(sget $NET.3.$t.1)"
finish
