#!/bin/sh
# Write a libvirt test-driver node (test:///ABS/PATH.xml) with many VMs, for
# `make bench` and the scale test:
#
#   bench/gen-node.sh VMS HOST_CPUS [IMAGE_DIR [PROFILE]] >node.xml
#
# PROFILE mixed (the default): VMs in mixed states (of every 10: 6 running,
#   1 paused, 2 shut off, 1 shut off with a managed-save image, i.e. suspended),
#   1-4 vCPUs (VM i has 1 + i % 4), two disks (a qcow2 image file in IMAGE_DIR
#   and a raw block device) and one NIC each.
# PROFILE affinity: every VM running with 4 vCPUs (VMS x 4 x HOST_CPUS rows
#   in vmCpuAffinityTable), same disks and NIC.
# The host has HOST_CPUS CPUs (one socket).  VM i (0-based) is named vmNNNNNN
# and has the UUID 00000000-0000-4000-8000-<i in 12 hex digits>.
set -eu
vms=${1:?VMS}
cpus=${2:?HOST_CPUS}
imgdir=${3:-/var/lib/libvirt/images}
profile=${4:-mixed}
case $profile in mixed|affinity) ;; *) echo "gen-node: unknown profile $profile" >&2; exit 2 ;; esac
awk -v vms="$vms" -v cpus="$cpus" -v imgdir="$imgdir" -v profile="$profile" 'BEGIN {
    print "<node xmlns:test=\"http://libvirt.org/schemas/domain/test/1.0\">"
    printf "  <cpu><nodes>1</nodes><sockets>1</sockets><cores>%d</cores><threads>1</threads>", cpus
    print "<mhz>2400</mhz><model>x86_64</model></cpu>"
    print "  <memory>1073741824</memory>"
    for (i = 0; i < vms; i++) {
        k = i % 10
        # virDomainState numbers: 1 running, 3 paused, 5 shut off.
        state = k < 6 ? 1 : (k == 6 ? 3 : 5)
        vcpus = 1 + i % 4
        if (profile == "affinity") { state = 1; vcpus = 4 }
        name = sprintf("vm%06d", i)
        printf "  <domain type=\"test\"><name>%s</name>", name
        printf "<uuid>00000000-0000-4000-8000-%012x</uuid>", i
        printf "<memory unit=\"MiB\">%d</memory>", 1024 * (1 + i % 8)
        printf "<vcpu placement=\"static\">%d</vcpu><os><type>hvm</type></os><devices>", vcpus
        printf "<disk type=\"file\" device=\"disk\"><driver name=\"qemu\" type=\"qcow2\"/>"
        printf "<source file=\"%s/%s.qcow2\"/><target dev=\"vda\" bus=\"virtio\"/></disk>", imgdir, name
        printf "<disk type=\"block\" device=\"disk\"><driver name=\"qemu\" type=\"raw\"/>"
        printf "<source dev=\"/dev/vg0/%s-data\"/><target dev=\"vdb\" bus=\"virtio\"/></disk>", name
        printf "<interface type=\"bridge\"><mac address=\"52:54:%02x:%02x:%02x:%02x\"/>", \
            int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256
        printf "<source bridge=\"br0\"/><model type=\"virtio\"/></interface></devices>"
        printf "<test:runstate>%d</test:runstate>", state
        if (k == 9 && profile == "mixed")
            printf "<test:hasmanagedsave>yes</test:hasmanagedsave>"
        print "</domain>"
    }
    print "</node>"
}'
