#!/bin/bash
# The whole suite: unit tests, MIB validation, integration tests against the
# real snmpd (plain build, then the ASan+UBSan build), a valgrind run of
# snmpd with the module.  Ends with "N passed, N failed, N skipped".
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export VMMIB_RUNDIR=$TOP/tests/run
rm -rf "$VMMIB_RUNDIR"
mkdir -p "$VMMIB_RUNDIR"
export VMMIB_RESULTS=$VMMIB_RUNDIR/results
: >"$VMMIB_RESULTS"
record() { echo "$1 $2" >>"$VMMIB_RESULTS"; }

echo "== unit tests (cmocka)"
for t in build/unit/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1)
    rc=$?
    echo "$out" | grep -E '^\[ +(PASSED|FAILED|  OK|ERROR) +\]|FAILED|ERROR' | sed 's/^/  /'
    n_pass=$(echo "$out" | grep -c '^\[       OK \]')
    for _ in $(seq "$n_pass"); do record PASS "$(basename "$t")"; done
    echo "$out" | grep '^\[  FAILED  \] [a-z_]' | while read -r _ _ name; do record FAIL "$(basename "$t"): $name"; done
    if [ $rc -ne 0 ] && ! echo "$out" | grep -q '^\[  FAILED  \] [a-z_]'; then
        record FAIL "$(basename "$t") exited $rc"
    fi
done

echo "== MIB validation (smilint)"
tests/mib-lint.sh

echo "== integration tests (build/vmmib.so)"
for t in tests/integration/t_*.sh; do
    echo "-- $(basename "$t")"
    VMMIB_SO=$TOP/build/vmmib.so bash "$t" || true
done

echo "== end-to-end tests on a real hypervisor (session libvirtd + QEMU, tests/qemu)"
for t in tests/qemu/t_*.sh; do
    echo "-- $(basename "$t")"
    VMMIB_SO=$TOP/build/vmmib.so bash "$t" || true
done

echo "== managers (Prometheus, Zabbix)"
for t in tests/managers/t_*.sh; do
    echo "-- $(basename "$t")"
    VMMIB_SO=$TOP/build/vmmib.so bash "$t" || true
done

echo "== integration tests again with the AddressSanitizer + UBSan module"
asan=$(gcc -print-file-name=libasan.so)
ubsan=$(gcc -print-file-name=libubsan.so)
if [ -f build/asan/vmmib.so ] && [ -e "$asan" ] && [ -e "$ubsan" ]; then
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:handle_segv=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    mkdir -p "$VMMIB_RUNDIR/asan"
    for t in tests/integration/t_*.sh; do
        echo "-- $(basename "$t") [asan]"
        VMMIB_RUNDIR=$VMMIB_RUNDIR/asan VMMIB_SO=$TOP/build/asan/vmmib.so VMMIB_PRELOAD="$asan $ubsan" \
            bash "$t" || true
    done
    reports=$(grep -l -E 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' \
        "$VMMIB_RUNDIR"/asan/*/stderr.log 2>/dev/null)
    if [ -n "$reports" ]; then
        record FAIL "sanitizers: reports in $reports"
        grep -h -A15 -E 'ERROR: AddressSanitizer|runtime error:' $reports | head -60
    else
        record PASS "sanitizers: no AddressSanitizer or UBSan report from any agent"
    fi
    unset ASAN_OPTIONS UBSAN_OPTIONS
else
    record SKIP "sanitizer run: build/asan/vmmib.so or the gcc sanitizer runtimes are missing"
fi

echo "== Debian package"
for t in tests/package/t_*.sh; do
    echo "-- $(basename "$t")"
    bash "$t" || true
done

echo "== valgrind: snmpd with the module over full walks and a reload"
tests/valgrind.sh

pass=$(grep -c '^PASS' "$VMMIB_RESULTS")
failn=$(grep -c '^FAIL' "$VMMIB_RESULTS")
skipn=$(grep -c '^SKIP' "$VMMIB_RESULTS")
echo
if [ "$failn" -gt 0 ]; then
    echo "Failures:"
    grep '^FAIL' "$VMMIB_RESULTS" | sed 's/^FAIL /  /'
fi
if [ "$skipn" -gt 0 ]; then
    echo "Skipped:"
    grep '^SKIP' "$VMMIB_RESULTS" | sed 's/^SKIP /  /'
fi
echo "$pass passed, $failn failed, $skipn skipped"
[ "$failn" -eq 0 ] && [ "$pass" -gt 0 ]
