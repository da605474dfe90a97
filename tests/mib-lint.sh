#!/bin/bash
# Validate mib/*.txt with smilint against the standard modules they import:
# mib/imports (shipped with vmmib), or $VMMIB_STD_MIBS when set.  Also checks
# that mib/imports holds every module VM-MIB needs, transitively.
TOP=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=${VMMIB_RESULTS:-/dev/null}
std=${VMMIB_STD_MIBS:-$TOP/mib/imports}
if ! command -v smilint >/dev/null; then
    echo "  skip: smilint is not installed (Debian package smitools)"
    echo "SKIP mib-lint: smilint not installed" >>"$RESULTS"
    exit 0
fi
if [ -z "$std" ] || [ ! -f "$std/SNMPv2-SMI.txt" ] || [ ! -f "$std/UUID-TC-MIB.txt" ]; then
    echo "  skip: the standard MIB modules VM-MIB imports were not found (set VMMIB_STD_MIBS)"
    echo "SKIP mib-lint: standard MIB modules not available" >>"$RESULTS"
    exit 0
fi
# smilint resolves imports by module name: give it a folder of NAME files.
work=$(mktemp -d)
for f in "$std"/*.txt "$TOP"/mib/*.txt; do
    name=$(awk '/DEFINITIONS *::= *BEGIN/ { print $1; exit }' "$f")
    [ -n "$name" ] && cp "$f" "$work/$name"
done
rc=0
for m in IANA-STORAGE-MEDIA-TYPE-MIB VM-MIB; do
    out=$(SMIPATH="$work" smilint -s -l 3 -i namelength-32 "$work/$m" 2>&1)
    if [ -z "$out" ]; then
        echo "  ok   $m is clean under smilint -l 3"
        echo "PASS mib-lint: $m" >>"$RESULTS"
    else
        echo "  FAIL $m:"
        echo "$out" | sed 's/^/    /'
        echo "FAIL mib-lint: $m" >>"$RESULTS"
        rc=1
    fi
done
rm -rf "$work"

# mib/imports holds verbatim copies: byte for byte the reference copies, when
# those are at hand (CI: ../shared/mibs).
if [ -d "$TOP/../shared/mibs" ]; then
    for f in "$TOP"/mib/imports/*.txt; do
        if cmp -s "$f" "$TOP/../shared/mibs/$(basename "$f")"; then
            echo "PASS mib-lint: mib/imports/$(basename "$f") is verbatim" >>"$RESULTS"
        else
            echo "  FAIL mib/imports/$(basename "$f") differs from ../shared/mibs"
            echo "FAIL mib-lint: mib/imports/$(basename "$f") differs from ../shared/mibs" >>"$RESULTS"
            rc=1
        fi
    done
fi

# mib/imports is what the package and make install ship for the Net-SNMP
# tools: with it alone, VM-MIB must load with no message at all.
out=$(cd /tmp && env -u MIBS HOME=/nonexistent MIBDIRS="$TOP/mib:$TOP/mib/imports" \
    snmptranslate -m VM-MIB -On VM-MIB::vmNotifications 2>&1)
if [ "$out" = ".1.3.6.1.2.1.236.0" ]; then
    echo "  ok   mib/ and mib/imports alone resolve VM-MIB for Net-SNMP"
    echo "PASS mib-lint: mib/imports is complete for Net-SNMP" >>"$RESULTS"
else
    echo "  FAIL mib/ and mib/imports alone do not resolve VM-MIB for Net-SNMP:"
    echo "$out" | sed 's/^/    /'
    echo "FAIL mib-lint: mib/imports is incomplete for Net-SNMP" >>"$RESULTS"
    rc=1
fi
exit $rc
