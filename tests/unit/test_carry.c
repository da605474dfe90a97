/* Unit tests for module/model/carry.c: what a round carries over from the
 * previous one.  Each test feeds successive raw snapshots, as the poll
 * thread hands them over, through carry_round with one index store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "carry.h"
#include "change.h"
#include "snapfix.h"

#define T0 1700000000 /* wall clock of the first round */

struct rounds {
    struct indexstore store;
    struct snapshot *prev;
    struct carry_report rep;
    int64_t wall, boot;
};

static int setup(void **state)
{
    struct rounds *r = calloc(1, sizeof(*r));
    indexstore_init(&r->store);
    r->wall = T0;
    r->boot = 1000000;
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct rounds *r = *state;
    snapshot_free(r->prev);
    indexstore_free(&r->store);
    carry_report_clear(&r->rep);
    free(r);
    return 0;
}

/* One round, as the agent runs it (carry-over, then change detection,
 * which records the reported states): raw becomes the previous snapshot
 * of the next. */
static const struct snapshot *round_with(struct rounds *r, struct snapshot *raw,
                                         const struct carry_request *req, size_t n_req)
{
    carry_report_clear(&r->rep);
    struct carry_clock now = {r->wall, r->boot};
    assert_int_equal(carry_round(r->prev, raw, &r->store, req, n_req, now, &r->rep), 0);
    struct change_list changes;
    assert_int_equal(change_detect(r->prev, raw, &changes), 0);
    change_clear(&changes);
    snapshot_free(r->prev);
    r->prev = raw;
    r->wall += 5;
    r->boot += 5000;
    return raw;
}

static const struct snapshot *round_of(struct rounds *r, struct snapshot *raw)
{
    return round_with(r, raw, NULL, 0);
}

static void test_indexes_sorted_and_stable(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(3);
    snapfix_add(s, 3, STATE_OPER_RUNNING);
    snapfix_add(s, 1, STATE_OPER_SHUTDOWN);
    snapfix_add(s, 2, STATE_OPER_PAUSED);
    const struct snapshot *a = round_of(r, s);
    assert_int_equal(a->count, 3);
    for (size_t i = 1; i < a->count; i++)
        assert_true(a->rows[i - 1].index < a->rows[i].index);
    int32_t i3 = snapfix_vm(a, 3)->index, i1 = snapfix_vm(a, 1)->index;
    /* Next round, listed in another order, one VM gone. */
    s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_SHUTDOWN);
    snapfix_add(s, 3, STATE_OPER_RUNNING);
    const struct snapshot *b = round_of(r, s);
    assert_int_equal(b->count, 2);
    assert_int_equal(snapfix_vm(b, 3)->index, i3);
    assert_int_equal(snapfix_vm(b, 1)->index, i1);
    assert_null(snapfix_vm(b, 2)); /* vanished: its row is gone */
}

static void test_stale_row_keeps_values(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(1);
    struct snapshot_row *row = snapfix_add(s, 1, STATE_OPER_PAUSED);
    row->cur_mem_kib = 4096;
    round_of(r, s);
    s = snapfix_new(1);
    row = snapfix_add(s, 1, STATE_OPER_UNKNOWN);
    free(row->name);
    row->name = NULL; /* libvirt failed for this VM: nothing fresh */
    row->stale = true;
    const struct snapshot *b = round_of(r, s);
    const struct snapshot_row *got = snapfix_vm(b, 1);
    assert_int_equal(got->oper, STATE_OPER_UNKNOWN);
    assert_true(got->stale);
    assert_string_equal(got->name, "vm1");
    assert_int_equal(got->cur_mem_kib, 4096);
    assert_int_equal(got->admin, STATE_ADMIN_PAUSED);
    /* The last state libvirt reported is what change detection compares. */
    assert_int_equal(got->reported_oper, STATE_OPER_PAUSED);
}

/* One round of VM 1 alone in state oper: its start time afterwards. */
static int64_t started_after(struct rounds *r, int oper)
{
    struct snapshot *s = snapfix_new(1);
    snapfix_add(s, 1, oper);
    return snapfix_vm(round_of(r, s), 1)->started;
}

static void test_start_times(void **state)
{
    struct rounds *r = *state;
    assert_int_equal(started_after(r, STATE_OPER_SHUTDOWN), 0);
    int64_t when = r->wall;
    assert_int_equal(started_after(r, STATE_OPER_RUNNING), when);
    assert_true(r->store.dirty);
    /* Issue 11 point 3: vmUpTime counts from the last change of vmAdminState
     * from shutdown to running (RFC 7666).  Pausing, a managed save and the
     * restore do not restart it; it counts on while the VM is saved. */
    static const int up[] = {STATE_OPER_PAUSED,    STATE_OPER_RUNNING,     STATE_OPER_SUSPENDING,
                             STATE_OPER_SUSPENDED, STATE_OPER_RESUMING,    STATE_OPER_RUNNING,
                             STATE_OPER_MIGRATING, STATE_OPER_UNKNOWN,     STATE_OPER_OTHER,
                             STATE_OPER_PREPARING, STATE_OPER_SHUTTINGDOWN};
    for (size_t i = 0; i < sizeof(up) / sizeof(up[0]); i++)
        assert_int_equal(started_after(r, up[i]), when);
    /* Stopping ends it; the next start begins anew. */
    assert_int_equal(started_after(r, STATE_OPER_SHUTDOWN), 0);
    when = r->wall;
    assert_int_equal(started_after(r, STATE_OPER_RUNNING), when);
    assert_int_equal(started_after(r, STATE_OPER_CRASHED), 0);
    assert_int_equal(started_after(r, STATE_OPER_UNKNOWN), 0); /* unknown keeps "stopped" */
}

/* A VM first seen saved (or paused) is up: it counts from then, and its
 * restore does not restart the clock. */
static void test_start_time_first_seen_saved(void **state)
{
    struct rounds *r = *state;
    int64_t when = r->wall;
    assert_int_equal(started_after(r, STATE_OPER_SUSPENDED), when);
    assert_int_equal(started_after(r, STATE_OPER_RESUMING), when);
    assert_int_equal(started_after(r, STATE_OPER_RUNNING), when);
}

static void test_device_subindexes(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(1);
    struct snapshot_row *row = snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_disks(row, (const char *const[]){"vda", "vdb", NULL});
    snapfix_nics(row, (const int[]){1, 2}, 2);
    const struct snapshot_row *a = snapfix_vm(round_of(r, s), 1);
    assert_int_equal(a->disks[0].index, 1);
    assert_int_equal(a->disks[1].index, 2);
    assert_int_equal(a->nics[1].index, 2);
    /* vda removed, vdc hot-plugged before vdb; NIC 1 removed, NIC 3 added. */
    s = snapfix_new(1);
    row = snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_disks(row, (const char *const[]){"vdc", "vdb", NULL});
    snapfix_nics(row, (const int[]){3, 2}, 2);
    const struct snapshot_row *b = snapfix_vm(round_of(r, s), 1);
    assert_int_equal(b->disks[1].index, 2); /* vdb keeps its index */
    assert_int_equal(b->disks[0].index, 3); /* vdc: above every index seen */
    assert_int_equal(b->nics[1].index, 2);
    assert_int_equal(b->nics[0].index, 3);
}

static void test_request_shown_until_reached(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    round_of(r, s);
    struct carry_request req = {.target = STATE_ADMIN_SHUTDOWN, .at_ms = r->boot};
    snapfix_uuid(1, req.uuid);
    s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_RUNNING); /* the guest takes its time */
    assert_int_equal(snapfix_vm(round_with(r, s, &req, 1), 1)->admin, STATE_ADMIN_SHUTDOWN);
    s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_SHUTTINGDOWN);
    const struct snapshot_row *got = snapfix_vm(round_of(r, s), 1);
    assert_int_equal(got->admin, STATE_ADMIN_SHUTDOWN);
    assert_int_equal(got->admin_request, 0); /* reached */
    s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_RUNNING); /* started again from outside */
    assert_int_equal(snapfix_vm(round_of(r, s), 1)->admin, STATE_ADMIN_RUNNING);
}

static void test_request_cancelled(void **state)
{
    struct rounds *r = *state;
    struct carry_request req[2] = {{.target = STATE_ADMIN_PAUSED, .at_ms = r->boot},
                                   {.target = 0, .at_ms = r->boot + 1}};
    snapfix_uuid(1, req[0].uuid);
    snapfix_uuid(1, req[1].uuid);
    struct snapshot *s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    assert_int_equal(snapfix_vm(round_with(r, s, req, 1), 1)->admin, STATE_ADMIN_PAUSED);
    s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    assert_int_equal(snapfix_vm(round_with(r, s, &req[1], 1), 1)->admin, STATE_ADMIN_RUNNING);
}

static void test_request_given_up(void **state)
{
    struct rounds *r = *state;
    struct carry_request req = {.target = STATE_ADMIN_SHUTDOWN, .at_ms = r->boot};
    snapfix_uuid(1, req.uuid);
    struct snapshot *s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    round_with(r, s, &req, 1);
    r->boot += CARRY_REQUEST_MAX_MS; /* the guest ignored the shutdown */
    s = snapfix_new(1);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    const struct snapshot_row *got = snapfix_vm(round_of(r, s), 1);
    assert_int_equal(got->admin, STATE_ADMIN_RUNNING);
    assert_int_equal(r->rep.n_given_up, 1); /* said in the log */
    assert_int_equal(r->rep.given_up[0].target, STATE_ADMIN_SHUTDOWN);
    assert_string_equal(r->rep.given_up[0].name, "vm1");
}

static void test_unreachable(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_add(s, 2, STATE_OPER_SHUTDOWN);
    round_of(r, s);
    struct snapshot *raw = snapshot_new();
    raw->error = strdup("connection refused");
    struct snapshot *u = carry_unreachable(r->prev, raw, NULL, 99);
    snapshot_free(raw);
    assert_false(u->connected);
    assert_string_equal(u->error, "connection refused");
    assert_string_equal(u->hv_software, "TEST");
    assert_int_equal(u->count, 2);
    for (size_t i = 0; i < u->count; i++) {
        assert_int_equal(u->rows[i].oper, STATE_OPER_UNKNOWN);
        assert_int_equal(u->rows[i].index, r->prev->rows[i].index);
    }
    assert_int_equal(snapfix_vm(u, 1)->reported_oper, STATE_OPER_RUNNING);
    assert_int_equal(snapfix_vm(u, 1)->admin, STATE_ADMIN_RUNNING);
    snapshot_free(u);
}

static void test_subindexes(void **state)
{
    (void)state;
    const char *prev[] = {"vda", "vdb", "vdc"};
    int32_t pidx[] = {1, 2, 5};
    const char *now[] = {"vdc", "vdd", NULL, "vda"};
    int32_t out[4];
    carry_subindexes(prev, pidx, 3, now, 4, out);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[1], 6); /* above every index seen */
    assert_int_equal(out[2], 7); /* no key never matches */
    assert_int_equal(out[3], 1);
    carry_subindexes(NULL, NULL, 0, now, 2, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_indexes_sorted_and_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_row_keeps_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_time_first_seen_saved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_subindexes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_shown_until_reached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_cancelled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_given_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
        cmocka_unit_test(test_subindexes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
