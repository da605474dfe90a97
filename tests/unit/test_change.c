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

/* A round in which VM n alone is in state oper, read at read_ms. */
static struct snapshot *one(int n, int oper, int64_t read_ms)
{
    struct snapshot *s = snapfix_new(1);
    snapfix_add(s, n, oper, read_ms);
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
    const struct change_list *l = publish(r, one(1, STATE_OPER_RUNNING, 0));
    assert_int_equal(l->n_vm, 0);
    assert_true(l->table_changed == false); /* nothing was published before */
    l = publish(r, one(1, STATE_OPER_RUNNING, 100));
    assert_int_equal(l->n_vm, 0);
}

static void test_pause_resume(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_RUNNING, 0));
    int32_t i = index_of(r, 1);
    const struct change_list *l = publish(r, one(1, STATE_OPER_PAUSED, 5000));
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_PAUSED, i, STATE_OPER_RUNNING);
    assert_int_equal(l->n_bulk[N_PAUSED], 1);
    assert_int_equal(l->bulk[N_PAUSED][0], i);
    assert_false(l->table_changed);
    l = publish(r, one(1, STATE_OPER_RUNNING, 10000));
    expect_vm(l, 0, N_RUNNING, i, STATE_OPER_PAUSED);
}

/* A restore seen through events (resuming, then running) that arrived
 * after the last read: both are sent, in order, and the round's own read
 * (running) adds nothing. */
static void test_restore_events(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_SUSPENDED, 0));
    int32_t i = index_of(r, 1);
    struct snapshot *s = one(1, STATE_OPER_RUNNING, 9000);
    snapfix_event(s, 1, STATE_OPER_RESUMING, 3000);
    snapfix_event(s, 1, STATE_OPER_RUNNING, 3100);
    const struct change_list *l = publish(r, s);
    assert_int_equal(l->n_vm, 2);
    expect_vm(l, 0, N_RESUMING, i, STATE_OPER_SUSPENDED);
    expect_vm(l, 1, N_RUNNING, i, STATE_OPER_RESUMING);
    assert_int_equal(l->n_bulk[N_RESUMING], 1);
    assert_int_equal(l->n_bulk[N_RUNNING], 1);
}

/* An event received right after the previous read may predate it: it is
 * dropped, and the round's read decides. */
static void test_early_event_dropped(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_RUNNING, 1000));
    struct snapshot *s = one(1, STATE_OPER_RUNNING, 6000);
    snapfix_event(s, 1, STATE_OPER_PAUSED, 1000 + CHANGE_EVENT_STALE_MS);
    assert_int_equal(publish(r, s)->n_vm, 0);
}

static void test_libvirt_away_and_back(void **state)
{
    struct rounds *r = *state;
    publish(r, one(1, STATE_OPER_RUNNING, 0));
    struct snapshot *gone = snapshot_new();
    gone->error = strdup("no answer");
    const struct change_list *l = publish(r, gone);
    assert_int_equal(l->n_vm, 0); /* losing libvirt is not a change */
    assert_int_equal(r->prev->rows[0].oper, STATE_OPER_UNKNOWN);
    l = publish(r, one(1, STATE_OPER_RUNNING, 9000));
    assert_int_equal(l->n_vm, 0); /* nor is getting it back */
    /* A change that happened meanwhile is reported from the last state known. */
    gone = snapshot_new();
    publish(r, gone);
    l = publish(r, one(1, STATE_OPER_SHUTDOWN, 20000));
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_SHUTDOWN, index_of(r, 1), STATE_OPER_RUNNING);
}

static void test_deleted(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING, 0);
    snapfix_add(s, 2, STATE_OPER_PAUSED, 0)->persistent = STATE_PERSIST_TRANSIENT;
    publish(r, s);
    int32_t i2 = index_of(r, 2);
    const struct change_list *l = publish(r, one(1, STATE_OPER_RUNNING, 5000));
    assert_true(l->table_changed);
    assert_int_equal(l->n_vm, 1);
    expect_vm(l, 0, N_DELETED, i2, STATE_OPER_PAUSED);
    assert_string_equal(l->vm[0].name, "vm2");
    assert_int_equal(l->vm[0].persistent, STATE_PERSIST_TRANSIENT);
    assert_int_equal(l->n_bulk[N_DELETED], 1);
}

static void test_two_vms_one_round(void **state)
{
    struct rounds *r = *state;
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING, 0);
    snapfix_add(s, 2, STATE_OPER_RUNNING, 0);
    publish(r, s);
    s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_SUSPENDED, 5000);
    snapfix_add(s, 2, STATE_OPER_SUSPENDED, 5000);
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
    publish(r, one(1, STATE_OPER_RUNNING, 0));
    struct snapshot *s = snapfix_new(2);
    snapfix_add(s, 1, STATE_OPER_RUNNING, 5000);
    snapfix_add(s, 2, STATE_OPER_RUNNING, 5000);
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
        cmocka_unit_test_setup_teardown(test_restore_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_early_event_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libvirt_away_and_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_vms_one_round, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_vm_is_quiet, setup, teardown),
        cmocka_unit_test(test_bitmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
