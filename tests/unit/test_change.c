/* Unit tests for module/model/change.c: from the previous published
 * snapshot, the new one and the events received since, the notifications
 * a manager is sent.  Rounds go through carry_round first, as in the
 * agent, so that what is compared is what would have been published. */
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

enum {
    N_RUNNING = 1,
    N_SHUTDOWN = 3,
    N_PAUSED = 4,
    N_SUSPENDED = 6,
    N_RESUMING = 7,
    N_DELETED = STATE_NOTIFY_DELETED
};

struct rounds {
    struct indexstore store;
    struct snapshot *prev;
    struct change_list changes;
};

static int setup(void **state)
{
    struct rounds *r = calloc(1, sizeof(*r));
    indexstore_init(&r->store);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    struct rounds *r = *state;
    snapshot_free(r->prev);
    indexstore_free(&r->store);
    change_clear(&r->changes);
    free(r);
    return 0;
}

/* Publish raw (a connected round, or not): the changes it brings. */
static const struct change_list *publish(struct rounds *r, struct snapshot *raw)
{
    struct carry_report rep = {0};
    struct snapshot *next = raw;
    if (raw->connected) {
        struct carry_clock now = {1700000000, 0};
        assert_int_equal(carry_round(r->prev, raw, &r->store, NULL, 0, now, &rep), 0);
    } else {
        next = carry_unreachable(r->prev, raw, NULL, 0);
        snapshot_free(raw);
    }
    carry_report_clear(&rep);
    change_clear(&r->changes);
    assert_int_equal(change_detect(r->prev, next, &r->changes), 0);
    snapshot_free(r->prev);
    r->prev = next;
    return &r->changes;
}

/* A round in which VM n alone is in state oper. */
static struct snapshot *one(int n, int oper)
{
    struct snapshot *s = snapfix_new(1);
    snapfix_add(s, n, oper);
    return s;
}

static int32_t index_of(struct rounds *r, int n)
{
    return snapfix_vm(r->prev, n)->index;
}

/* Per-VM notification k of the list is `number` for VM n, coming from prev. */
static void expect_vm(const struct change_list *l, size_t k, int number, int32_t index, int prev)
{
    assert_true(k < l->n_vm);
    assert_int_equal(l->vm[k].notification, number);
    assert_int_equal(l->vm[k].index, index);
    assert_int_equal(l->vm[k].prev_oper, prev);
}

static void test_first_round_is_quiet(void **state)
{
    struct rounds *r = *state;
    const struct change_list *l = publish(r, one(1, STATE_OPER_RUNNING));
    assert_int_equal(l->n_vm, 0);
    assert_true(l->table_changed == false); /* nothing was published before */
    l = publish(r, one(1, STATE_OPER_RUNNING));
    assert_int_equal(l->n_vm, 0);
}

static void test_pause_resume(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_RUNNING));
    int32_t i = index_of(r, 1);
    const struct change_list *l = publish(r, one(1, STATE_OPER_PAUSED));
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_PAUSED, i, STATE_OPER_RUNNING);
    assert_int_equal(l->n_bulk[N_PAUSED], 1);
    assert_int_equal(l->bulk[N_PAUSED][0], i);
    assert_false(l->table_changed);
    l = publish(r, one(1, STATE_OPER_RUNNING));
    expect_vm(l, 0, N_RUNNING, i, STATE_OPER_PAUSED);
}

/* ---- order: libvirt's, never the wall clock's (issue 11 point 4) ---- */

enum { NO_EVENT = 0 };
#define MAX_EV 4
#define MAX_NOTE 4

/* One round of VM 1: the state reported before it, the events of the
 * round (state, number in libvirt's order), where the reads stand among
 * them, the state read; the notifications expected (number, previous
 * state) and the state then reported. */
struct order_case {
    const char *name;
    int known;
    struct {
        int oper;
        uint64_t seq;
    } ev[MAX_EV];
    uint64_t lo, hi;
    int read;
    struct {
        int number, prev;
    } want[MAX_NOTE];
    int reported;
};

static const struct order_case order_cases[] = {
    {"restore: both events sent before the read",
     STATE_OPER_SUSPENDED,
     {{STATE_OPER_RESUMING, 11}, {STATE_OPER_RUNNING, 12}},
     12,
     12,
     STATE_OPER_RUNNING,
     {{N_RESUMING, STATE_OPER_SUSPENDED}, {N_RUNNING, STATE_OPER_RESUMING}},
     STATE_OPER_RUNNING},
    /* The QEMU restore of the issue: the stats call waits for the restore
     * job, its events are dispatched while it waits.  They are this
     * round's, reported before (never after) the running the call reads. */
    {"restore: events sent while the round read",
     STATE_OPER_SUSPENDED,
     {{STATE_OPER_RESUMING, 11}, {STATE_OPER_RUNNING, 12}},
     10,
     12,
     STATE_OPER_RUNNING,
     {{N_RESUMING, STATE_OPER_SUSPENDED}, {N_RUNNING, STATE_OPER_RESUMING}},
     STATE_OPER_RUNNING},
    /* Only the STARTED event arrived before the read ended: resuming is
     * reported, and the read (maybe older, maybe newer) waits for the next
     * round, which reports running. */
    {"restore: resuming sent while the round read",
     STATE_OPER_SUSPENDED,
     {{STATE_OPER_RESUMING, 11}},
     10,
     11,
     STATE_OPER_RUNNING,
     {{N_RESUMING, STATE_OPER_SUSPENDED}},
     STATE_OPER_RESUMING},
    /* A read made before the event: reporting it after the event would
     * send the VM back. */
    {"a read older than an event sent meanwhile is left out",
     STATE_OPER_RUNNING,
     {{STATE_OPER_PAUSED, 6}},
     5,
     6,
     STATE_OPER_RUNNING,
     {{N_PAUSED, STATE_OPER_RUNNING}},
     STATE_OPER_PAUSED},
    {"events before the read, then the read",
     STATE_OPER_RUNNING,
     {{STATE_OPER_PAUSED, 1}},
     1,
     1,
     STATE_OPER_SHUTDOWN,
     {{N_PAUSED, STATE_OPER_RUNNING}, {N_SHUTDOWN, STATE_OPER_PAUSED}},
     STATE_OPER_SHUTDOWN},
    {"an event telling what is known is nothing new",
     STATE_OPER_RUNNING,
     {{STATE_OPER_RUNNING, 3}},
     2,
     3,
     STATE_OPER_RUNNING,
     {{0, 0}},
     STATE_OPER_RUNNING},
    {"no event: the read decides",
     STATE_OPER_SUSPENDED,
     {{NO_EVENT, 0}},
     7,
     9,
     STATE_OPER_SHUTDOWN,
     {{N_SHUTDOWN, STATE_OPER_SUSPENDED}},
     STATE_OPER_SHUTDOWN},
    /* A paused domain restored from its save (issue 15 point 9). */
    {"restored paused",
     STATE_OPER_SUSPENDED,
     {{STATE_OPER_RESUMING, 21}, {STATE_OPER_PAUSED, 22}},
     20,
     22,
     STATE_OPER_PAUSED,
     {{N_RESUMING, STATE_OPER_SUSPENDED}, {N_PAUSED, STATE_OPER_RESUMING}},
     STATE_OPER_PAUSED},
};

static void run_order_case(const struct order_case *c)
{
    struct rounds r = {0};
    indexstore_init(&r.store);
    publish(&r, one(1, c->known));
    int32_t idx = index_of(&r, 1);
    struct snapshot *s = one(1, c->read);
    for (int k = 0; k < MAX_EV && c->ev[k].oper; k++)
        snapfix_event(s, 1, c->ev[k].oper, c->ev[k].seq);
    snapfix_window(s, c->lo, c->hi);
    const struct change_list *l = publish(&r, s);
    size_t n_want = 0;
    while (n_want < MAX_NOTE && c->want[n_want].number)
        n_want++;
    if (l->n_vm != n_want)
        fail_msg("%s: %zu notifications, want %zu", c->name, l->n_vm, n_want);
    for (size_t k = 0; k < n_want; k++)
        if (l->vm[k].notification != c->want[k].number || l->vm[k].prev_oper != c->want[k].prev ||
            l->vm[k].index != idx)
            fail_msg("%s: notification %zu is %d from %d, want %d from %d", c->name, k,
                     l->vm[k].notification, l->vm[k].prev_oper, c->want[k].number, c->want[k].prev);
    if (snapfix_vm(r.prev, 1)->reported_oper != c->reported)
        fail_msg("%s: reported %d, want %d", c->name, snapfix_vm(r.prev, 1)->reported_oper,
                 c->reported);
    snapshot_free(r.prev);
    indexstore_free(&r.store);
    change_clear(&r.changes);
}

static void test_order(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(order_cases) / sizeof(order_cases[0]); i++)
        run_order_case(&order_cases[i]);
}

/* The round after a left-out read: the read tells, from the state the
 * events reported. */
static void test_left_out_read_comes_next(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_SUSPENDED));
    int32_t i = index_of(r, 1);
    struct snapshot *s = one(1, STATE_OPER_PREPARING); /* read mid-restore */
    snapfix_event(s, 1, STATE_OPER_RESUMING, 4);
    snapfix_window(s, 3, 4);
    const struct change_list *l = publish(r, s);
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_RESUMING, i, STATE_OPER_SUSPENDED);
    s = one(1, STATE_OPER_RUNNING);
    snapfix_window(s, 4, 4);
    l = publish(r, s);
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_RUNNING, i, STATE_OPER_RESUMING);
}

/* An event of one VM says nothing of another's read. */
static void test_unsure_is_per_vm(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_add(s, 2, STATE_OPER_RUNNING);
    publish(r, s);
    s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_add(s, 2, STATE_OPER_SHUTDOWN);
    snapfix_event(s, 1, STATE_OPER_PAUSED, 8);
    snapfix_window(s, 7, 8);
    const struct change_list *l = publish(r, s);
    assert_int_equal(l->n_vm, 2);
    expect_vm(l, 0, N_PAUSED, index_of(r, 1), STATE_OPER_RUNNING);
    expect_vm(l, 1, N_SHUTDOWN, index_of(r, 2), STATE_OPER_RUNNING);
}

/* The reported state survives rounds in which libvirt fails for the VM. */
static void test_stale_row_keeps_reported(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_PAUSED));
    struct snapshot *s = one(1, STATE_OPER_UNKNOWN);
    s->rows[0].stale = true;
    assert_int_equal(publish(r, s)->n_vm, 0);
    assert_int_equal(snapfix_vm(r->prev, 1)->reported_oper, STATE_OPER_PAUSED);
    const struct change_list *l = publish(r, one(1, STATE_OPER_RUNNING));
    expect_vm(l, 0, N_RUNNING, index_of(r, 1), STATE_OPER_PAUSED);
}

static void test_libvirt_away_and_back(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_RUNNING));
    struct snapshot *gone = snapshot_new();
    gone->error = strdup("no answer");
    const struct change_list *l = publish(r, gone);
    assert_int_equal(l->n_vm, 0); /* losing libvirt is not a change */
    assert_int_equal(r->prev->rows[0].oper, STATE_OPER_UNKNOWN);
    l = publish(r, one(1, STATE_OPER_RUNNING));
    assert_int_equal(l->n_vm, 0); /* nor is getting it back */
    /* A change that happened meanwhile is reported from the last state known. */
    gone = snapshot_new();
    publish(r, gone);
    l = publish(r, one(1, STATE_OPER_SHUTDOWN));
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_SHUTDOWN, index_of(r, 1), STATE_OPER_RUNNING);
}

static void test_deleted(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_add(s, 2, STATE_OPER_PAUSED)->persistent = STATE_PERSIST_TRANSIENT;
    publish(r, s);
    int32_t i2 = index_of(r, 2);
    const struct change_list *l = publish(r, one(1, STATE_OPER_RUNNING));
    assert_true(l->table_changed);
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_DELETED, i2, STATE_OPER_PAUSED);
    assert_string_equal(l->vm[0].name, "vm2");
    assert_int_equal(l->vm[0].persistent, STATE_PERSIST_TRANSIENT);
    assert_int_equal(l->n_bulk[N_DELETED], 1);
}

/* Issue 11 point 10: the round that raced the undefine could not read
 * vmPersistent; vmDeleted still carries the value the VM had. */
static void test_deleted_keeps_persistent(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_add(s, 2, STATE_OPER_SHUTDOWN)->persistent = STATE_PERSIST_PERSISTENT;
    publish(r, s);
    int32_t i2 = index_of(r, 2);
    s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    struct snapshot_row *racing = snapfix_add(s, 2, STATE_OPER_SHUTDOWN);
    racing->persistent = STATE_PERSIST_UNKNOWN; /* virDomainIsPersistent failed */
    racing->autostart = STATE_AUTOSTART_UNKNOWN;
    publish(r, s);
    assert_int_equal(snapfix_vm(r->prev, 2)->persistent, STATE_PERSIST_PERSISTENT);
    const struct change_list *l = publish(r, one(1, STATE_OPER_RUNNING));
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_DELETED, i2, STATE_OPER_SHUTDOWN);
    assert_int_equal(l->vm[0].persistent, STATE_PERSIST_PERSISTENT);
}

static void test_two_vms_one_round(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_add(s, 2, STATE_OPER_RUNNING);
    publish(r, s);
    s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_SUSPENDED);
    snapfix_add(s, 2, STATE_OPER_SUSPENDED);
    const struct change_list *l = publish(r, s);
    assert_int_equal(l->n_vm, 2);
    assert_int_equal(l->n_bulk[N_SUSPENDED], 2); /* one bulk notification for both */
    unsigned char bits[1];
    assert_int_equal(change_bitmap(l->bulk[N_SUSPENDED], 2, bits, 1), 1);
    assert_int_equal(bits[0], 0xC0); /* vmIndex 1 and 2 */
}

static void test_new_vm_is_quiet(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_RUNNING));
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING);
    snapfix_add(s, 2, STATE_OPER_RUNNING);
    const struct change_list *l = publish(r, s);
    assert_int_equal(l->n_vm, 0);
    assert_true(l->table_changed);
}

static void test_bitmap(void **state)
{
    (void)state;
    int32_t idx[] = {1, 9, 16, 0, -3};
    unsigned char out[4];
    assert_int_equal(change_bitmap(idx, 5, out, 4), 2);
    assert_int_equal(out[0], 0x80);
    assert_int_equal(out[1], 0x81);
    assert_int_equal(change_bitmap(idx, 5, out, 1), 1); /* cut at cap */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_round_is_quiet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_resume, setup, teardown),
        cmocka_unit_test(test_order),
        cmocka_unit_test_setup_teardown(test_left_out_read_comes_next, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsure_is_per_vm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_row_keeps_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libvirt_away_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_keeps_persistent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_vms_one_round, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_vm_is_quiet, setup, teardown),
        cmocka_unit_test(test_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
