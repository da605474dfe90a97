/* Unit tests for module/domxml.c: parsing a libvirt domain's XML. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <libxml/parser.h>

#include "domxml.h"
#include "snapshot.h"
#include "state.h"

/* As virt-install writes it. */
static const char xml_libosinfo[] =
    "<domain type='kvm' id='1'>\n"
    "  <name>web01</name>\n"
    "  <uuid>6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8</uuid>\n"
    "  <metadata>\n"
    "    <libosinfo:libosinfo "
    "xmlns:libosinfo=\"http://libosinfo.org/xmlns/libvirt/domain/1.0\">\n"
    "      <libosinfo:os id=\"http://debian.org/debian/12\"/>\n"
    "    </libosinfo:libosinfo>\n"
    "  </metadata>\n"
    "  <memory unit='KiB'>2097152</memory>\n"
    "  <vcpu placement='static'>2</vcpu>\n"
    "  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>\n"
    "</domain>\n";

static int parse(const char *xml, struct domxml_def *def)
{
    return domxml_parse(xml, strlen(xml), def);
}

static void test_libosinfo_id(void **state)
{
    (void)state;
    struct domxml_def def;
    assert_int_equal(parse(xml_libosinfo, &def), 0);
    assert_non_null(def.os_type);
    assert_string_equal(def.os_type, "http://debian.org/debian/12");
    domxml_clear(&def);
    assert_null(def.os_type);
}

static void test_libosinfo_other_prefix(void **state)
{
    (void)state;
    /* The namespace counts, not the prefix. */
    static const char xml[] =
        "<domain type='kvm'><name>a</name><metadata>"
        "<other:thing xmlns:other='http://example.org/other'><other:os id='nope'/></other:thing>"
        "<osi:libosinfo xmlns:osi='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
        "<osi:os id='http://microsoft.com/win/11'/></osi:libosinfo>"
        "</metadata></domain>";
    struct domxml_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_non_null(def.os_type);
    assert_string_equal(def.os_type, "http://microsoft.com/win/11");
    domxml_clear(&def);
}

static void test_no_metadata(void **state)
{
    (void)state;
    static const char xml[] = "<domain type='kvm'><name>plain</name>"
                              "<os><type>hvm</type></os></domain>";
    struct domxml_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_null(def.os_type);
    domxml_clear(&def);
}

static void test_metadata_without_libosinfo(void **state)
{
    (void)state;
    static const char xml[] =
        "<domain type='kvm'><name>a</name><metadata>"
        "<app:info xmlns:app='http://example.org/app'><app:os id='ignored'/></app:info>"
        "</metadata></domain>";
    struct domxml_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_null(def.os_type);
    domxml_clear(&def);

    /* Empty metadata, and a libosinfo block without an os element. */
    static const char empty[] = "<domain><metadata/></domain>";
    assert_int_equal(parse(empty, &def), 0);
    assert_null(def.os_type);
    domxml_clear(&def);

    static const char no_os[] =
        "<domain><metadata>"
        "<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'/>"
        "</metadata></domain>";
    assert_int_equal(parse(no_os, &def), 0);
    assert_null(def.os_type);
    domxml_clear(&def);

    /* An os element without an id. */
    static const char no_id[] =
        "<domain><metadata>"
        "<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
        "<libosinfo:os/></libosinfo:libosinfo></metadata></domain>";
    assert_int_equal(parse(no_id, &def), 0);
    assert_null(def.os_type);
    domxml_clear(&def);
}

static void test_libosinfo_outside_metadata_ignored(void **state)
{
    (void)state;
    static const char xml[] =
        "<domain><name>a</name>"
        "<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
        "<libosinfo:os id='http://debian.org/debian/12'/></libosinfo:libosinfo>"
        "</domain>";
    struct domxml_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_null(def.os_type);
    domxml_clear(&def);
}

static void test_not_a_domain(void **state)
{
    (void)state;
    struct domxml_def def;
    assert_int_equal(parse("<network><name>default</name></network>", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(parse("<?xml version='1.0'?><domainsnapshot/>", &def), -1);
    assert_null(def.os_type);
}

static void test_garbage(void **state)
{
    (void)state;
    struct domxml_def def;
    assert_int_equal(parse("this is not XML at all", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(parse("", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(parse("<domain><name>unterminated</domain>", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(domxml_parse("<domain/>", 0, &def), -1);
    assert_null(def.os_type);
    /* Truncated: only part of a valid document is given. */
    assert_int_equal(domxml_parse(xml_libosinfo, 40, &def), -1);
    assert_null(def.os_type);
}

static void test_length_respected(void **state)
{
    (void)state;
    /* The text need not be NUL-terminated at len. */
    static const char xml[] = "<domain/>trailing garbage";
    struct domxml_def def;
    assert_int_equal(domxml_parse(xml, strlen("<domain/>"), &def), 0);
    assert_null(def.os_type);
    domxml_clear(&def);
}

static void test_def_copy(void **state)
{
    (void)state;
    struct domxml_def def, copy;
    assert_int_equal(parse(xml_libosinfo, &def), 0);
    assert_int_equal(domxml_copy(&copy, &def), 0);
    assert_non_null(copy.os_type);
    assert_true(copy.os_type != def.os_type);
    assert_string_equal(copy.os_type, def.os_type);
    domxml_clear(&def);
    domxml_clear(&copy);

    assert_int_equal(parse("<domain/>", &def), 0);
    assert_int_equal(domxml_copy(&copy, &def), 0);
    assert_null(copy.os_type);
    domxml_clear(&copy);
    domxml_clear(&def);
}

static int group_teardown(void **state)
{
    (void)state;
    xmlCleanupParser();
    return 0;
}

/* Every disk kind the MIB distinguishes, as the resource fixture has them. */
static const char xml_devices[] =
    "<domain type='kvm'><name>d</name><devices>"
    "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
    "<source file='/img/root.qcow2'/><target dev='vda' bus='virtio'/></disk>"
    "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
    "<source file='/img/i.iso'/><target dev='sda' bus='sata'/><readonly/></disk>"
    "<disk type='file' device='floppy'><source file='/img/f.img'/>"
    "<target dev='fda' bus='fdc'/></disk>"
    "<disk type='block' device='lun'><source dev='/dev/sdz'/><target dev='sdb' bus='scsi'/></disk>"
    "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
    "<source protocol='rbd' name='pool/img'><host name='ceph1' port='6789'/></source>"
    "<target dev='vdb' bus='virtio'/></disk>"
    "<disk type='volume' device='disk'><source pool='default' volume='v.img'/>"
    "<target dev='vdc' bus='virtio'/></disk>"
    "<disk type='file' device='cdrom'><target dev='sdc' bus='ide'/><readonly/></disk>"
    "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
    "<source pool='default' volume='v.qcow2'/><target dev='vdd' bus='virtio'/></disk>"
    "<disk type='volume' device='disk'><driver name='qemu' type='raw'/>"
    "<source pool='lvm' volume='lv0'/><target dev='vde' bus='virtio'/></disk>"
    "<interface type='bridge'><mac address='52:54:00:AB:cd:01'/><source bridge='br0'/>"
    "<target dev='vnet3'/><model type='virtio'/></interface>"
    "<interface type='direct'><mac address='52:54:00:00:00:02'/><source dev='eth0' "
    "mode='vepa'/></interface>"
    "<interface type='network'><source network='default'/><model type='e1000'/></interface>"
    "</devices></domain>";

static void test_disks(void **state)
{
    (void)state;
    struct domxml_def def;
    assert_int_equal(parse(xml_devices, &def), 0);
    assert_int_equal(def.n_disks, 9);
    const struct {
        const char *target, *format, *resource, *file, *bus;
        int source, access, media;
        bool empty;
    } want[] = {
        {"vda", "qcow2", "/img/root.qcow2", "/img/root.qcow2", "virtio", STATE_SRC_SPARSE,
         STATE_ACCESS_READWRITE, STATE_MEDIA_HARDDISK, false},
        {"sda", "raw", "/img/i.iso", "/img/i.iso", "sata", STATE_SRC_RAW, STATE_ACCESS_READONLY,
         STATE_MEDIA_OPTICAL, false},
        {"fda", "raw", "/img/f.img", "/img/f.img", "fdc", STATE_SRC_RAW, STATE_ACCESS_READWRITE,
         STATE_MEDIA_FLOPPY, false},
        {"sdb", "block", "/dev/sdz", NULL, "scsi", STATE_SRC_BLOCK, STATE_ACCESS_READWRITE,
         STATE_MEDIA_OTHER, false},
        {"vdb", "raw", "rbd://ceph1:6789/pool/img", NULL, "virtio", STATE_SRC_NETWORK,
         STATE_ACCESS_READWRITE, STATE_MEDIA_HARDDISK, false},
        {"vdc", "volume", "default/v.img", NULL, "virtio", STATE_SRC_OTHER, STATE_ACCESS_READWRITE,
         STATE_MEDIA_HARDDISK, false},
        /* An empty CD-ROM drive: nothing to ask libvirt about (issue 11 point 8). */
        {"sdc", "raw", "", NULL, "ide", STATE_SRC_RAW, STATE_ACCESS_READONLY, STATE_MEDIA_OPTICAL,
         true},
        /* Issue 11 point 10: a qcow2 volume is sparse; a raw one is a file or
         * a block device, which only the pool knows. */
        {"vdd", "qcow2", "default/v.qcow2", NULL, "virtio", STATE_SRC_SPARSE,
         STATE_ACCESS_READWRITE, STATE_MEDIA_HARDDISK, false},
        {"vde", "raw", "lvm/lv0", NULL, "virtio", STATE_SRC_OTHER, STATE_ACCESS_READWRITE,
         STATE_MEDIA_HARDDISK, false},
    };
    for (size_t i = 0; i < 9; i++) {
        const struct domxml_disk *d = &def.disks[i];
        assert_string_equal(d->target, want[i].target);
        assert_string_equal(d->format, want[i].format);
        assert_string_equal(d->resource, want[i].resource);
        if (want[i].file)
            assert_string_equal(d->file, want[i].file);
        else
            assert_null(d->file);
        assert_string_equal(d->bus, want[i].bus);
        assert_int_equal(d->source_type, want[i].source);
        assert_int_equal(d->access, want[i].access);
        assert_int_equal(d->media, want[i].media);
        assert_int_equal(d->empty, want[i].empty);
    }
    domxml_clear(&def);
}

static void test_nics(void **state)
{
    (void)state;
    struct domxml_def def;
    assert_int_equal(parse(xml_devices, &def), 0);
    assert_int_equal(def.n_nics, 3);
    static const unsigned char mac0[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0x01};
    assert_true(def.nics[0].has_mac);
    assert_memory_equal(def.nics[0].mac, mac0, 6);
    assert_string_equal(def.nics[0].model, "virtio");
    assert_string_equal(def.nics[0].target, "vnet3");
    assert_string_equal(def.nics[0].type, "bridge");
    assert_string_equal(def.nics[0].source, "br0");
    assert_string_equal(def.nics[1].source, "eth0");
    assert_string_equal(def.nics[1].model, ""); /* no model given */
    assert_null(def.nics[1].target);
    assert_false(def.nics[2].has_mac);
    assert_string_equal(def.nics[2].source, "default");

    struct domxml_def copy;
    assert_int_equal(domxml_copy(&copy, &def), 0);
    assert_int_equal(copy.n_disks, def.n_disks);
    assert_string_equal(copy.disks[4].resource, "rbd://ceph1:6789/pool/img");
    assert_ptr_not_equal(copy.disks[4].resource, def.disks[4].resource);
    assert_string_equal(copy.nics[0].source, "br0");
    domxml_clear(&copy);
    domxml_clear(&def);
}

static void test_cpumap(void **state)
{
    (void)state;
    /* libvirt's layout: CPU n is bit n % 8 of byte n / 8. */
    const unsigned char map[2] = {0x06, 0x81}; /* CPUs 1, 2, 8, 15 */
    int want[16] = {0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1};
    for (int c = 0; c < 16; c++)
        assert_int_equal(snapshot_cpumap_has(map, 2, c), want[c]);
    assert_false(snapshot_cpumap_has(map, 2, 16)); /* beyond the map */
    assert_false(snapshot_cpumap_has(map, 2, -1));
    assert_false(snapshot_cpumap_has(NULL, 2, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libosinfo_id),
        cmocka_unit_test(test_libosinfo_other_prefix),
        cmocka_unit_test(test_no_metadata),
        cmocka_unit_test(test_metadata_without_libosinfo),
        cmocka_unit_test(test_libosinfo_outside_metadata_ignored),
        cmocka_unit_test(test_not_a_domain),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_length_respected),
        cmocka_unit_test(test_def_copy),
        cmocka_unit_test(test_disks),
        cmocka_unit_test(test_nics),
        cmocka_unit_test(test_cpumap),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
