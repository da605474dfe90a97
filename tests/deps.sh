#!/bin/bash
# Install what building and testing vmmib needs on Debian 12, saying what and
# why.  As non-root, print the apt-get line instead and fail.
set -u
declare -A why=(
  [gcc]="C compiler"
  [make]="build driver"
  [pkg-config]="finds libvirt's and libxml2's flags"
  [libsnmp-dev]="Net-SNMP agent headers and libraries"
  [libvirt-dev]="libvirt headers and library"
  [libxml2-dev]="parses domain XML"
  [libcmocka-dev]="unit tests"
  [snmpd]="the agent that loads vmmib.so"
  [snmp]="snmpget/snmpwalk/snmpset for the tests and the demo"
  [snmptrapd]="receives notifications in the tests"
  [libvirt-clients]="virsh, to compare what libvirt says"
  [libvirt-daemon]="libvirtd, for the hypervisor-restart tests"
  [libvirt-daemon-driver-qemu]="libvirt's QEMU driver, for the end-to-end tests (tests/qemu)"
  [qemu-system-x86]="QEMU (software emulation) runs the end-to-end tests' VMs"
  [qemu-utils]="qemu-img, creates the end-to-end tests' disk images"
  [smitools]="smilint, validates the MIB files"
  [valgrind]="leak check of snmpd with the module"
  [socat]="simulates a libvirt daemon that never answers"
  [procps]="ps/pgrep in the tests"
  [iproute2]="network namespaces in the tests"
)
only="${1:-}"
missing=()
for p in "${!why[@]}"; do
  if [ -n "$only" ] && [ "$only" = demo ]; then
    case $p in gcc|make|pkg-config|libsnmp-dev|libvirt-dev|libxml2-dev|snmpd|snmp) ;; *) continue;; esac
  fi
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "vmmib needs these Debian packages:"
for p in "${missing[@]}"; do printf '  %-16s %s\n' "$p" "${why[$p]}"; done
if [ "$(id -u)" -ne 0 ]; then
  echo "Run as root:  apt-get install -y ${missing[*]}"
  exit 1
fi
echo "Installing them with apt-get..."
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/vmmib-apt.log 2>&1; then
  apt-get update -q >>/tmp/vmmib-apt.log 2>&1
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/vmmib-apt.log 2>&1 || {
    echo "apt-get failed; see /tmp/vmmib-apt.log"; tail -20 /tmp/vmmib-apt.log; exit 1; }
fi
# The packaged daemons Debian starts are left alone: the tests use their own ports.
echo "Installed: ${missing[*]}"
