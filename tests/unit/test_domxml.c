/* Unit tests for module/domxml.c: parsing a libvirt domain's XML. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <libxml/parser.h>

#include "domxml.h"

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

static int parse(const char *xml, struct vm_def *def)
{
    return vm_domxml_parse(xml, strlen(xml), def);
}

static void test_libosinfo_id(void **state)
{
    (void)state;
    struct vm_def def;
    assert_int_equal(parse(xml_libosinfo, &def), 0);
    assert_non_null(def.os_type);
    assert_string_equal(def.os_type, "http://debian.org/debian/12");
    vm_def_clear(&def);
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
    struct vm_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_non_null(def.os_type);
    assert_string_equal(def.os_type, "http://microsoft.com/win/11");
    vm_def_clear(&def);
}

static void test_no_metadata(void **state)
{
    (void)state;
    static const char xml[] = "<domain type='kvm'><name>plain</name>"
                              "<os><type>hvm</type></os></domain>";
    struct vm_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_null(def.os_type);
    vm_def_clear(&def);
}

static void test_metadata_without_libosinfo(void **state)
{
    (void)state;
    static const char xml[] =
        "<domain type='kvm'><name>a</name><metadata>"
        "<app:info xmlns:app='http://example.org/app'><app:os id='ignored'/></app:info>"
        "</metadata></domain>";
    struct vm_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_null(def.os_type);
    vm_def_clear(&def);

    /* Empty metadata, and a libosinfo block without an os element. */
    static const char empty[] = "<domain><metadata/></domain>";
    assert_int_equal(parse(empty, &def), 0);
    assert_null(def.os_type);
    vm_def_clear(&def);

    static const char no_os[] =
        "<domain><metadata>"
        "<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'/>"
        "</metadata></domain>";
    assert_int_equal(parse(no_os, &def), 0);
    assert_null(def.os_type);
    vm_def_clear(&def);

    /* An os element without an id. */
    static const char no_id[] =
        "<domain><metadata>"
        "<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
        "<libosinfo:os/></libosinfo:libosinfo></metadata></domain>";
    assert_int_equal(parse(no_id, &def), 0);
    assert_null(def.os_type);
    vm_def_clear(&def);
}

static void test_libosinfo_outside_metadata_ignored(void **state)
{
    (void)state;
    static const char xml[] =
        "<domain><name>a</name>"
        "<libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>"
        "<libosinfo:os id='http://debian.org/debian/12'/></libosinfo:libosinfo>"
        "</domain>";
    struct vm_def def;
    assert_int_equal(parse(xml, &def), 0);
    assert_null(def.os_type);
    vm_def_clear(&def);
}

static void test_not_a_domain(void **state)
{
    (void)state;
    struct vm_def def;
    assert_int_equal(parse("<network><name>default</name></network>", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(parse("<?xml version='1.0'?><domainsnapshot/>", &def), -1);
    assert_null(def.os_type);
}

static void test_garbage(void **state)
{
    (void)state;
    struct vm_def def;
    assert_int_equal(parse("this is not XML at all", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(parse("", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(parse("<domain><name>unterminated</domain>", &def), -1);
    assert_null(def.os_type);
    assert_int_equal(vm_domxml_parse("<domain/>", 0, &def), -1);
    assert_null(def.os_type);
    /* Truncated: only part of a valid document is given. */
    assert_int_equal(vm_domxml_parse(xml_libosinfo, 40, &def), -1);
    assert_null(def.os_type);
}

static void test_length_respected(void **state)
{
    (void)state;
    /* The text need not be NUL-terminated at len. */
    static const char xml[] = "<domain/>trailing garbage";
    struct vm_def def;
    assert_int_equal(vm_domxml_parse(xml, strlen("<domain/>"), &def), 0);
    assert_null(def.os_type);
    vm_def_clear(&def);
}

static void test_def_copy(void **state)
{
    (void)state;
    struct vm_def def, copy;
    assert_int_equal(parse(xml_libosinfo, &def), 0);
    assert_int_equal(vm_def_copy(&copy, &def), 0);
    assert_non_null(copy.os_type);
    assert_true(copy.os_type != def.os_type);
    assert_string_equal(copy.os_type, def.os_type);
    vm_def_clear(&def);
    vm_def_clear(&copy);

    assert_int_equal(parse("<domain/>", &def), 0);
    assert_int_equal(vm_def_copy(&copy, &def), 0);
    assert_null(copy.os_type);
    vm_def_clear(&copy);
    vm_def_clear(&def);
}

static int group_teardown(void **state)
{
    (void)state;
    xmlCleanupParser();
    return 0;
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
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
