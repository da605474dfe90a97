/* Unit tests for module/model/admin.c: every cell of the admin plan, the
 * table of what SET vmAdminState does from each operational state, and the
 * checks of the live vCPU, memory and pinning changes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "admin.h"
#include "state.h"

enum { R = STATE_ADMIN_RUNNING, S = STATE_ADMIN_SUSPENDED, P = STATE_ADMIN_PAUSED };
enum { D = STATE_ADMIN_SHUTDOWN, X = STATE_ADMIN_DESTROY };

/* A VM as the plan sees it: its operational state, libvirt's state,
 * whether libvirt holds a process for it, and whether a managed-save image
 * exists.  (A shut-off VM with libvirt's reason "saved" but no image is
 * shutdown, issue 11 point 2: see test_state.c.) */
struct vm_case {
    const char *name;
    int oper, lv_state;
    bool active, msave;
};

static const struct vm_case vms[] = {
    {"unknown", STATE_OPER_UNKNOWN, LV_NOSTATE, false, false},
    {"other", STATE_OPER_OTHER, 99, false, false},
    {"preparing", STATE_OPER_PREPARING, LV_PAUSED, true, false},
    {"running", STATE_OPER_RUNNING, LV_RUNNING, true, false},
    {"suspending", STATE_OPER_SUSPENDING, LV_PAUSED, true, false},
    {"suspended (managed save)", STATE_OPER_SUSPENDED, LV_SHUTOFF, false, true},
    {"suspended (pm)", STATE_OPER_SUSPENDED, LV_PMSUSPENDED, true, false},
    {"resuming", STATE_OPER_RESUMING, LV_RUNNING, true, false},
    {"paused", STATE_OPER_PAUSED, LV_PAUSED, true, false},
    {"migrating", STATE_OPER_MIGRATING, LV_PAUSED, true, false},
    {"shuttingdown", STATE_OPER_SHUTTINGDOWN, LV_SHUTDOWN, true, false},
    {"shutdown", STATE_OPER_SHUTDOWN, LV_SHUTOFF, false, false},
    {"crashed", STATE_OPER_CRASHED, LV_SHUTOFF, false, false},
    {"crashed (preserved)", STATE_OPER_CRASHED, LV_CRASHED, true, false},
    {"crashed (preserved, paused)", STATE_OPER_CRASHED, LV_PAUSED, true, false},
};
#define N_VMS (sizeof(vms) / sizeof(vms[0]))

/* The expected plan: verdict, action, undo, and the vmAdminState shown. */
struct cell {
    enum admin_verdict verdict;
    enum admin_action action, undo;
    int shows;
};
#define NOOP                                                                                       \
    {                                                                                              \
        ADMIN_NOOP, ADMIN_NONE, ADMIN_NONE, 0                                                      \
    }
#define NO                                                                                         \
    {                                                                                              \
        ADMIN_INCONSISTENT, ADMIN_NONE, ADMIN_NONE, 0                                              \
    }
#define UNAV                                                                                       \
    {                                                                                              \
        ADMIN_UNAVAILABLE, ADMIN_NONE, ADMIN_NONE, 0                                               \
    }
#define ACT(a, u, s)                                                                               \
    {                                                                                              \
        ADMIN_ACT, ADMIN_##a, ADMIN_##u, s                                                         \
    }

/* Rows: vms[] in order.  Columns: running(1), suspended(2), paused(3),
 * shutdown(4), destroy(5). */
static const struct cell plan[N_VMS][5] = {
    /* unknown */ {UNAV, UNAV, UNAV, UNAV, UNAV},
    /* other */ {NO, NO, NO, NO, NOOP},
    /* preparing */ {NO, NO, NO, NO, ACT(DESTROY, NONE, D)},
    /* running */
    {NOOP, ACT(MANAGEDSAVE, NONE, S), ACT(SUSPEND, RESUME, P), ACT(SHUTDOWN, NONE, D),
     ACT(DESTROY, NONE, D)},
    /* suspending */ {NO, NOOP, NO, NO, ACT(DESTROY, NONE, D)},
    /* suspended (managed save) */
    {ACT(CREATE, DESTROY, R), NOOP, NO, ACT(MSAVE_REMOVE, NONE, D), NOOP},
    /* suspended (pm): asleep, but libvirt holds it: destroy does destroy */
    {ACT(PMWAKEUP, NONE, R), NOOP, NO, NO, ACT(DESTROY, NONE, D)},
    /* resuming */ {NO, NO, NO, NO, ACT(DESTROY, NONE, D)},
    /* paused */
    {ACT(RESUME, SUSPEND, R), ACT(MANAGEDSAVE, NONE, S), NOOP, ACT(SHUTDOWN, NONE, D),
     ACT(DESTROY, NONE, D)},
    /* migrating */ {NO, NO, NO, NO, ACT(DESTROY, NONE, D)},
    /* shuttingdown */ {NO, NO, NO, NOOP, ACT(DESTROY, NONE, D)},
    /* shutdown */ {ACT(CREATE, DESTROY, R), NO, NO, NOOP, NOOP},
    /* crashed */ {ACT(CREATE, DESTROY, R), NO, NO, NOOP, NOOP},
    /* crashed (preserved): only destroy ends it; the rest is refused, never a silent no-op */
    {NO, NO, NO, NO, ACT(DESTROY, NONE, D)},
    /* crashed (preserved, paused) */ {NO, NO, NO, NO, ACT(DESTROY, NONE, D)},
};

static struct snapshot_row row_of(const struct vm_case *c)
{
    struct snapshot_row row;
    memset(&row, 0, sizeof(row));
    row.oper = c->oper;
    row.lv_state = c->lv_state;
    row.lv_active = c->active;
    row.has_managed_save = c->msave;
    row.cur_cpu = 2;
    row.max_cpu = 4;
    row.cur_mem_kib = 1024 * 1024;
    row.max_mem_kib = 2 * 1024 * 1024;
    return row;
}

static void test_every_cell(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_VMS; i++) {
        struct snapshot_row row = row_of(&vms[i]);
        for (int target = 1; target <= 5; target++) {
            const struct cell *want = &plan[i][target - 1];
            struct admin_plan got = admin_plan_state(&row, target);
            if (got.verdict != want->verdict || got.action != want->action ||
                got.undo != want->undo || got.shows != want->shows)
                fail_msg("%s, SET %s: got verdict %d action %s undo %s shows %d; "
                         "want verdict %d action %s undo %s shows %d",
                         vms[i].name, admin_target_name(target), got.verdict,
                         admin_action_name(got.action), admin_action_name(got.undo), got.shows,
                         want->verdict, admin_action_name(want->action),
                         admin_action_name(want->undo), want->shows);
            if (got.verdict != ADMIN_ACT && got.verdict != ADMIN_NOOP)
                assert_non_null(got.why); /* every refusal says why, for the log */
        }
    }
}

static void test_target_out_of_range(void **state)
{
    (void)state;
    struct snapshot_row row = row_of(&vms[3]);
    long bad[] = {0, 6, -1, 100};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(admin_plan_state(&row, bad[i]).verdict, ADMIN_WRONG_VALUE);
    /* Out of range is wrongValue even when the state is unknown. */
    struct snapshot_row unknown = row_of(&vms[0]);
    assert_int_equal(admin_plan_state(&unknown, 7).verdict, ADMIN_WRONG_VALUE);
}

/* Issue 11 point 5: the syntax of each writable object, checked without a
 * row (wrongValue comes before noCreation in RFC 3416 4.2.5). */
static void test_wrong_value(void **state)
{
    (void)state;
    static const struct {
        enum admin_object obj;
        long v;
        bool wrong;
    } rows[] = {
        {ADMIN_OBJ_STATE, 0, true},
        {ADMIN_OBJ_STATE, 1, false},
        {ADMIN_OBJ_STATE, 5, false},
        {ADMIN_OBJ_STATE, 6, true},
        {ADMIN_OBJ_STATE, -1, true},
        {ADMIN_OBJ_VCPUS, -1, true},
        {ADMIN_OBJ_VCPUS, 0, false}, /* in the syntax; the VM's state decides */
        {ADMIN_OBJ_VCPUS, 2147483647L, false},
        {ADMIN_OBJ_VCPUS, 2147483648L, true},
        {ADMIN_OBJ_MEMORY, -1, true},
        {ADMIN_OBJ_MEMORY, 0, false},
        {ADMIN_OBJ_MEMORY, 2147483647L, false},
        {ADMIN_OBJ_MEMORY, 4294967296L, true},
        {ADMIN_OBJ_AFFINITY, 0, true}, /* unknown(0) cannot be set */
        {ADMIN_OBJ_AFFINITY, 1, false},
        {ADMIN_OBJ_AFFINITY, 2, false},
        {ADMIN_OBJ_AFFINITY, 3, true},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *why = admin_wrong_value(rows[i].obj, rows[i].v);
        if ((why != NULL) != rows[i].wrong)
            fail_msg("object %d value %ld: %s", rows[i].obj, rows[i].v, why ? why : "accepted");
    }
}

static void test_vcpus(void **state)
{
    (void)state;
    struct snapshot_row row = row_of(&vms[3]); /* running, 2 of 4 vCPUs */
    struct admin_plan p = admin_plan_vcpus(&row, 3);
    assert_int_equal(p.verdict, ADMIN_ACT);
    assert_int_equal(p.action, ADMIN_VCPUS);
    assert_int_equal(p.undo, ADMIN_VCPUS);
    assert_int_equal(p.arg, 3);
    assert_int_equal(p.undo_arg, 2);
    assert_int_equal(p.shows, 0);
    assert_int_equal(admin_plan_vcpus(&row, 2).verdict, ADMIN_NOOP);
    assert_int_equal(admin_plan_vcpus(&row, 5).verdict, ADMIN_INCONSISTENT);
    assert_int_equal(admin_plan_vcpus(&row, 0).verdict, ADMIN_INCONSISTENT);
    assert_int_equal(admin_plan_vcpus(&row, -1).verdict, ADMIN_WRONG_VALUE);
    /* Beyond Integer32: the syntax, not the VM's limits (wrongValue). */
    assert_int_equal(admin_plan_vcpus(&row, 2147483648L).verdict, ADMIN_WRONG_VALUE);
    struct snapshot_row off = row_of(&vms[11]); /* shutdown */
    assert_string_equal(vms[11].name, "shutdown");
    assert_int_equal(admin_plan_vcpus(&off, 1).verdict, ADMIN_INCONSISTENT);
    struct snapshot_row unknown = row_of(&vms[0]);
    assert_int_equal(admin_plan_vcpus(&unknown, 1).verdict, ADMIN_UNAVAILABLE);
}

static void test_memory(void **state)
{
    (void)state;
    struct snapshot_row row = row_of(&vms[3]); /* 1 GiB of 2 GiB: unit KiB */
    assert_int_equal(admin_mem_unit(&row), 1024);
    struct admin_plan p = admin_plan_memory(&row, 1536 * 1024);
    assert_int_equal(p.verdict, ADMIN_ACT);
    assert_int_equal(p.action, ADMIN_MEMORY);
    assert_int_equal(p.arg, 1536 * 1024);
    assert_int_equal(p.undo_arg, 1024 * 1024);
    assert_int_equal(admin_plan_memory(&row, 1024 * 1024).verdict, ADMIN_NOOP);
    assert_int_equal(admin_plan_memory(&row, 3 * 1024 * 1024).verdict, ADMIN_INCONSISTENT);
    assert_int_equal(admin_plan_memory(&row, 0).verdict, ADMIN_INCONSISTENT);
    assert_int_equal(admin_plan_memory(&row, -5).verdict, ADMIN_WRONG_VALUE);
    assert_int_equal(admin_plan_memory(&row, 2147483648L).verdict, ADMIN_WRONG_VALUE);
    /* A 3 TiB VM counts in MiB: 4 units of vmMemUnit are 4 MiB. */
    row.max_mem_kib = 3ull * 1024 * 1024 * 1024;
    assert_int_equal(admin_mem_unit(&row), 1024 * 1024);
    assert_int_equal(admin_plan_memory(&row, 4).arg, 4 * 1024);
}

static void test_pin(void **state)
{
    (void)state;
    struct snapshot_row row = row_of(&vms[3]);
    unsigned char now = 0x03; /* host CPUs 0 and 1 */
    struct snapshot_vcpu v = {.number = 1, .cpumap = &now};
    unsigned char one = 0x01, none = 0x00, same = 0x03;
    struct admin_plan p = admin_plan_pin(&row, &v, &one, 1, 2);
    assert_int_equal(p.verdict, ADMIN_ACT);
    assert_int_equal(p.action, ADMIN_PIN);
    assert_int_equal(p.undo, ADMIN_PIN);
    assert_int_equal(p.arg, 1);
    assert_int_equal(admin_plan_pin(&row, &v, &none, 1, 2).verdict, ADMIN_INCONSISTENT);
    assert_int_equal(admin_plan_pin(&row, &v, &same, 1, 2).verdict, ADMIN_NOOP);
    /* A CPU beyond the host's does not count as enabled. */
    unsigned char beyond = 0x04;
    assert_int_equal(admin_plan_pin(&row, &v, &beyond, 1, 2).verdict, ADMIN_INCONSISTENT);
    struct snapshot_vcpu unknown = {.number = 0, .cpumap = NULL};
    assert_int_equal(admin_plan_pin(&row, &unknown, &one, 1, 2).verdict, ADMIN_UNAVAILABLE);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(admin_action_name(ADMIN_MANAGEDSAVE), "managed save");
    assert_string_equal(admin_action_name(ADMIN_SUSPEND), "pause");
    assert_string_equal(admin_target_name(5), "destroy");
    assert_string_equal(admin_target_name(9), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cell),  cmocka_unit_test(test_target_out_of_range),
        cmocka_unit_test(test_wrong_value), cmocka_unit_test(test_vcpus),
        cmocka_unit_test(test_memory),      cmocka_unit_test(test_pin),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
