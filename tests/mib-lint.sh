#!/bin/bash
# Validate mib/*.txt with smilint against the standard modules they import.
# Those come from $VMMIB_STD_MIBS (CI points it at ../shared/mibs); without
# them the check is skipped, saying so.
TOP=$(cd "$(dirname "$0")/.." && pwd)
RESULTS=${VMMIB_RESULTS:-/dev/null}
std=${VMMIB_STD_MIBS:-}
if [ -z "$std" ] && [ -d "$TOP/../shared/mibs" ]; then std=$TOP/../shared/mibs; fi
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
exit $rc
