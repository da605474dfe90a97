#!/bin/sh
# snmptrapd "traphandle" program: appends each notification it is given to
# Zabbix's SNMP trapper file, in the form Zabbix's snmp trapper reads:
#
#   20261123.091500 ZBXTRAP 192.0.2.10
#   .1.3.6.1.2.1.1.3.0 12345
#   .1.3.6.1.6.3.1.1.4.1.0 .1.3.6.1.2.1.236.0.9
#   ...
#
# Zabbix hands the text after the address to the snmptrap[regex] items of
# the hosts whose SNMP interface has that address.
#
# In snmptrapd.conf (see snmptrapd-zabbix.conf beside this file):
#   outputOption n
#   traphandle .1.3.6.1.2.1.236.0.* /bin/sh /PATH/vmmib-zabbix-traphandle.sh /var/lib/zabbix/snmptraps/snmptraps.log
# and in zabbix_server.conf:
#   StartSNMPTrapper=1
#   SNMPTrapperFile=/var/lib/zabbix/snmptraps/snmptraps.log
set -u
out=${1:?usage: vmmib-zabbix-traphandle.sh ZABBIX_TRAPPER_FILE}

# snmptrapd writes the sender's host name, then its transport address, e.g.
# "UDP: [192.0.2.10]:39512->[192.0.2.1]:162", then one "OID value" line per
# varbind.
read -r _host || exit 0
read -r transport || exit 0
addr=${transport#*[}
addr=${addr%%]*}
body=$(cat)
# A notification forwarded by a proxy names its origin in snmpTrapAddress.0.
fwd=$(printf '%s\n' "$body" | awk '$1 ~ /^\.?1\.3\.6\.1\.6\.3\.18\.1\.3\.0$/ { print $2; exit }')
[ -n "$fwd" ] && addr=$fwd

# One locked append per notification, so that concurrent handlers do not
# interleave their lines.
{
    flock -x 9
    printf '%s ZBXTRAP %s\n%s\n' "$(date +%Y%m%d.%H%M%S)" "$addr" "$body" >&9
} 9>>"$out"
