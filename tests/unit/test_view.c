/* Unit tests for module/model/view.c: the published view's tables in
 * index order, and lookups in OID order as GET and GETNEXT need them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"
#include "snapfix.h"

/* A finalised snapshot: VMs 2 and 5 (vmIndex 2 and 5), VM 2 with disks
 * indexed 4 and 1 (in that definition order) and two vCPUs. */
static struct view *build_view(void)
{
    struct snapshot *s = snapfix_new(2);
    struct snapshot_row *a = snapfix_add(s, 2, STATE_OPER_RUNNING);
    a->index = 2;
    snapfix_disks(a, (const char *const[]){"vdb", "vda", NULL});
    a->disks[0].index = 4;
    a->disks[1].index = 1;
    a->disks[0].mount = strdup("/srv");
    a->disks[1].mount = strdup("/");
    a->vcpus = calloc(2, sizeof(*a->vcpus));
    a->n_vcpus = 2;
    a->vcpus[1].number = 1;
    struct snapshot_row *b = snapfix_add(s, 5, STATE_OPER_SHUTDOWN);
    b->index = 5;
    snapfix_disks(b, (const char *const[]){"hda", NULL});
    b->disks[0].index = 1;
    b->disks[0].mount = strdup("/srv");
    return view_build(s);
}

static const struct view_disk *disk(const struct view *v, const unsigned long *idx, size_t len,
                                    bool next)
{
    return view_lookup(v->disks, v->n_disks, sizeof(*v->disks), 2, idx, len, next);
}

static void test_tables_in_order(void **state)
{
    (void)state;
    struct view *v = build_view();
    assert_int_equal(v->n_vms, 2);
    assert_int_equal(v->n_disks, 3);
    const uint32_t want[3][2] = {{2, 1}, {2, 4}, {5, 1}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(v->disks[i].key[0], want[i][0]);
        assert_int_equal(v->disks[i].key[1], want[i][1]);
    }
    assert_int_equal(v->n_cpus, 2);
    assert_int_equal(v->cpus[1].key[1], 2); /* vmCpuIndex: libvirt's number + 1 */
    view_unref(v);
}

static void test_lookup_exact(void **state)
{
    (void)state;
    struct view *v = build_view();
    const unsigned long hit[] = {2, 4}, miss[] = {2, 2}, shorter[] = {2}, longer[] = {2, 4, 0};
    assert_ptr_equal(disk(v, hit, 2, false), &v->disks[1]);
    assert_null(disk(v, miss, 2, false));
    assert_null(disk(v, shorter, 1, false)); /* GET needs the whole index */
    assert_null(disk(v, longer, 3, false));
    view_unref(v);
}

/* GETNEXT follows OID order: a shorter index is a prefix of longer ones. */
static void test_lookup_next(void **state)
{
    (void)state;
    struct view *v = build_view();
    const unsigned long a[] = {2, 1}, b[] = {2}, c[] = {2, 4}, d[] = {2, 1, 7}, e[] = {3};
    const unsigned long big[] = {4294967295ul};
    assert_ptr_equal(disk(v, NULL, 0, true), &v->disks[0]);
    assert_ptr_equal(disk(v, a, 2, true), &v->disks[1]);
    assert_ptr_equal(disk(v, b, 1, true), &v->disks[0]);
    assert_ptr_equal(disk(v, c, 2, true), &v->disks[2]);
    assert_ptr_equal(disk(v, d, 3, true), &v->disks[1]);
    assert_ptr_equal(disk(v, e, 1, true), &v->disks[2]);
    assert_null(disk(v, big, 1, true));
    view_unref(v);
}

static void test_mounts(void **state)
{
    (void)state;
    struct view *v = build_view();
    assert_int_equal(v->n_mounts, 2); /* "/" and "/srv", each once */
    for (size_t i = 0; i < v->n_disks; i++) {
        int id = v->disks[i].disk->mount_id;
        assert_true(id >= 0 && (size_t)id < v->n_mounts);
        assert_string_equal(v->mounts[id], v->disks[i].disk->mount);
    }
    view_unref(v);
}

static void test_references(void **state)
{
    (void)state;
    struct view *v = build_view();
    view_ref(v);
    view_unref(v);
    assert_int_equal(v->n_vms, 2); /* still there: one reference left */
    view_unref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_in_order), cmocka_unit_test(test_lookup_exact),
        cmocka_unit_test(test_lookup_next),     cmocka_unit_test(test_mounts),
        cmocka_unit_test(test_references),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
