/* Unit tests for module/model/state.c, units.c, carry.c and change.c: libvirt state -> VM-MIB (RFC
 * 7666) mapping and the per-row unit choice.  The expected values are the rows of the table
 * "Mapping libvirt to VM-MIB" in the project notes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "carry.h"
#include "change.h"
#include "state.h"
#include "units.h"

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)

/* libvirt reasons we do not name in state.h (libvirt ABI values). */
enum {
    PAUSED_UNKNOWN = 0,
    PAUSED_USER = 1,
    PAUSED_DUMP = 4,
    PAUSED_IOERROR = 5,
    PAUSED_WATCHDOG = 6,
    PAUSED_FROM_SNAPSHOT = 7,
    PAUSED_SNAPSHOT = 9,
    PAUSED_POSTCOPY_FAILED = 13,
    PAUSED_API_ERROR = 14,
    SHUTOFF_UNKNOWN = 0,
    SHUTOFF_SHUTDOWN = 1,
    SHUTOFF_DESTROYED = 2,
    SHUTOFF_MIGRATED = 4,
    SHUTOFF_FAILED = 6,
    SHUTOFF_FROM_SNAPSHOT = 7,
    SHUTOFF_DAEMON = 8,
};

/* When libvirt's headers are around, check that the numbers restated in
 * state.h are libvirt's. */
#if defined(__has_include)
#if __has_include(<libvirt/libvirt.h>)
#include <libvirt/libvirt.h>
#define HAVE_LIBVIRT_HEADERS 1
#endif
#endif

static void test_libvirt_abi_values(void **state)
{
    (void)state;
#ifdef HAVE_LIBVIRT_HEADERS
    assert_int_equal(LV_NOSTATE, VIR_DOMAIN_NOSTATE);
    assert_int_equal(LV_RUNNING, VIR_DOMAIN_RUNNING);
    assert_int_equal(LV_BLOCKED, VIR_DOMAIN_BLOCKED);
    assert_int_equal(LV_PAUSED, VIR_DOMAIN_PAUSED);
    assert_int_equal(LV_SHUTDOWN, VIR_DOMAIN_SHUTDOWN);
    assert_int_equal(LV_SHUTOFF, VIR_DOMAIN_SHUTOFF);
    assert_int_equal(LV_CRASHED, VIR_DOMAIN_CRASHED);
    assert_int_equal(LV_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED);
    assert_int_equal(LV_PAUSED_MIGRATION, VIR_DOMAIN_PAUSED_MIGRATION);
    assert_int_equal(LV_PAUSED_SAVE, VIR_DOMAIN_PAUSED_SAVE);
    assert_int_equal(LV_PAUSED_SHUTTING_DOWN, VIR_DOMAIN_PAUSED_SHUTTING_DOWN);
    assert_int_equal(LV_PAUSED_CRASHED, VIR_DOMAIN_PAUSED_CRASHED);
    assert_int_equal(LV_PAUSED_STARTING_UP, VIR_DOMAIN_PAUSED_STARTING_UP);
    assert_int_equal(LV_PAUSED_POSTCOPY, VIR_DOMAIN_PAUSED_POSTCOPY);
    assert_int_equal(LV_SHUTOFF_CRASHED, VIR_DOMAIN_SHUTOFF_CRASHED);
    assert_int_equal(LV_SHUTOFF_SAVED, VIR_DOMAIN_SHUTOFF_SAVED);
    assert_int_equal(LV_SUSPENDED_RESTORED, VIR_DOMAIN_EVENT_SUSPENDED_RESTORED);
    assert_int_equal(LV_STOPPED_SAVED, VIR_DOMAIN_EVENT_STOPPED_SAVED);
    assert_int_equal(LV_STARTED_RESTORED, VIR_DOMAIN_EVENT_STARTED_RESTORED);
    assert_int_equal(PAUSED_USER, VIR_DOMAIN_PAUSED_USER);
    assert_int_equal(SHUTOFF_DESTROYED, VIR_DOMAIN_SHUTOFF_DESTROYED);
    assert_int_equal(SHUTOFF_DAEMON, VIR_DOMAIN_SHUTOFF_DAEMON);
#else
    skip();
#endif
}

/* ---- state_oper_from_libvirt: one test per row of the mapping table ---- */

static void test_oper_running_blocked(void **state)
{
    (void)state;
    for (int reason = 0; reason <= 12; reason++) {
        assert_int_equal(state_oper_from_libvirt(LV_RUNNING, reason, false, false),
                         STATE_OPER_RUNNING);
        assert_int_equal(state_oper_from_libvirt(LV_BLOCKED, reason, false, false),
                         STATE_OPER_RUNNING);
        /* A running domain may also have a stale managed-save image. */
        assert_int_equal(state_oper_from_libvirt(LV_RUNNING, reason, true, false),
                         STATE_OPER_RUNNING);
        assert_int_equal(state_oper_from_libvirt(LV_BLOCKED, reason, true, false),
                         STATE_OPER_RUNNING);
    }
}

static void test_oper_paused_migration(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_MIGRATION, false, false),
                     STATE_OPER_MIGRATING);
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_POSTCOPY, false, false),
                     STATE_OPER_MIGRATING);
    /* Post-copy is a migration whatever libvirt says of jobs. */
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_POSTCOPY, false, true),
                     STATE_OPER_MIGRATING);
}

/* Issue 15, point 9: a domain saved while paused comes back from the save
 * paused with reason MIGRATION, and no job runs on it: paused(8). */
static void test_oper_paused_migration_without_job(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_MIGRATION, false, true),
                     STATE_OPER_PAUSED);
    /* Its events: STARTED/RESTORED (resuming from the save), then
     * SUSPENDED/RESTORED, which tells of paused. */
    assert_int_equal(state_oper_from_event(LV_EVENT_STARTED, LV_STARTED_RESTORED),
                     STATE_OPER_RESUMING);
    assert_int_equal(state_oper_from_event(LV_EVENT_SUSPENDED, LV_SUSPENDED_RESTORED),
                     STATE_OPER_PAUSED);
}

static void test_oper_paused_save(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_SAVE, false, false),
                     STATE_OPER_SUSPENDING);
}

static void test_oper_paused_starting_up(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_STARTING_UP, false, false),
                     STATE_OPER_PREPARING);
}

static void test_oper_paused_shutting_down(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_SHUTTING_DOWN, false, false),
                     STATE_OPER_SHUTTINGDOWN);
}

static void test_oper_paused_crashed(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_CRASHED, false, false),
                     STATE_OPER_CRASHED);
}

static void test_oper_paused_other(void **state)
{
    (void)state;
    static const int others[] = {
        PAUSED_UNKNOWN,
        PAUSED_USER,
        PAUSED_DUMP,
        PAUSED_IOERROR,
        PAUSED_WATCHDOG,
        PAUSED_FROM_SNAPSHOT,
        PAUSED_SNAPSHOT,
        PAUSED_POSTCOPY_FAILED,
        PAUSED_API_ERROR,
        99, /* a reason newer than this code */
        -1,
    };
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        assert_int_equal(state_oper_from_libvirt(LV_PAUSED, others[i], false, false),
                         STATE_OPER_PAUSED);
        assert_int_equal(state_oper_from_libvirt(LV_PAUSED, others[i], true, false),
                         STATE_OPER_PAUSED);
    }
}

static void test_oper_shutdown(void **state)
{
    (void)state;
    for (int reason = 0; reason <= 5; reason++) {
        assert_int_equal(state_oper_from_libvirt(LV_SHUTDOWN, reason, false, false),
                         STATE_OPER_SHUTTINGDOWN);
        assert_int_equal(state_oper_from_libvirt(LV_SHUTDOWN, reason, true, false),
                         STATE_OPER_SHUTTINGDOWN);
    }
}

/* Issue 11, point 2: the reason SAVED outlives the managed-save image
 * (managedsave-remove, SET shutdown(4)) and is also given to a domain
 * saved to a file of its own: only the image makes it suspended. */
static void test_oper_shutoff_saved(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_SHUTOFF, LV_SHUTOFF_SAVED, false, false),
                     STATE_OPER_SHUTDOWN);
    assert_int_equal(state_oper_from_libvirt(LV_SHUTOFF, LV_SHUTOFF_SAVED, true, false),
                     STATE_OPER_SUSPENDED);
    /* The STOPPED/SAVED event cannot tell the two apart: the poll does. */
    assert_int_equal(state_oper_from_event(LV_EVENT_STOPPED, LV_STOPPED_SAVED), 0);
}

static void test_oper_shutoff_managed_save(void **state)
{
    (void)state;
    /* Whatever the reason, a managed-save image means suspended. */
    static const int reasons[] = {SHUTOFF_UNKNOWN,       SHUTOFF_SHUTDOWN, SHUTOFF_DESTROYED,
                                  LV_SHUTOFF_CRASHED,    SHUTOFF_MIGRATED, SHUTOFF_FAILED,
                                  SHUTOFF_FROM_SNAPSHOT, SHUTOFF_DAEMON};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        assert_int_equal(state_oper_from_libvirt(LV_SHUTOFF, reasons[i], true, false),
                         STATE_OPER_SUSPENDED);
}

static void test_oper_shutoff_crashed(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_SHUTOFF, LV_SHUTOFF_CRASHED, false, false),
                     STATE_OPER_CRASHED);
}

static void test_oper_shutoff_other(void **state)
{
    (void)state;
    static const int reasons[] = {
        SHUTOFF_UNKNOWN, SHUTOFF_SHUTDOWN,      SHUTOFF_DESTROYED, SHUTOFF_MIGRATED,
        SHUTOFF_FAILED,  SHUTOFF_FROM_SNAPSHOT, SHUTOFF_DAEMON,    99 /* future reason */};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        assert_int_equal(state_oper_from_libvirt(LV_SHUTOFF, reasons[i], false, false),
                         STATE_OPER_SHUTDOWN);
}

static void test_oper_crashed(void **state)
{
    (void)state;
    for (int reason = 0; reason <= 2; reason++) {
        assert_int_equal(state_oper_from_libvirt(LV_CRASHED, reason, false, false),
                         STATE_OPER_CRASHED);
        assert_int_equal(state_oper_from_libvirt(LV_CRASHED, reason, true, false),
                         STATE_OPER_CRASHED);
    }
}

static void test_oper_pmsuspended(void **state)
{
    (void)state;
    for (int reason = 0; reason <= 1; reason++) {
        assert_int_equal(state_oper_from_libvirt(LV_PMSUSPENDED, reason, false, false),
                         STATE_OPER_SUSPENDED);
        assert_int_equal(state_oper_from_libvirt(LV_PMSUSPENDED, reason, true, false),
                         STATE_OPER_SUSPENDED);
    }
}

static void test_oper_nostate(void **state)
{
    (void)state;
    assert_int_equal(state_oper_from_libvirt(LV_NOSTATE, 0, false, false), STATE_OPER_UNKNOWN);
    assert_int_equal(state_oper_from_libvirt(LV_NOSTATE, 0, true, false), STATE_OPER_UNKNOWN);
}

static void test_oper_future_state(void **state)
{
    (void)state;
    /* A state libvirt may add later: other(2), not unknown(1). */
    assert_int_equal(state_oper_from_libvirt(LV_PMSUSPENDED + 1, 0, false, false),
                     STATE_OPER_OTHER);
    assert_int_equal(state_oper_from_libvirt(42, 3, true, false), STATE_OPER_OTHER);
    assert_int_equal(state_oper_from_libvirt(-1, 0, false, false), STATE_OPER_OTHER);
}

/* ---- state_oper_from_event: every lifecycle event libvirt 9.0 sends ---- */

static void test_event_mapping(void **state)
{
    (void)state;
    static const struct {
        int event, detail, oper;
    } rows[] = {
        {LV_EVENT_DEFINED, 0, 0},
        {LV_EVENT_UNDEFINED, 0, 0},
        {LV_EVENT_STARTED, 0 /* booted */, STATE_OPER_RUNNING},
        {LV_EVENT_STARTED, 1 /* migrated */, STATE_OPER_RUNNING},
        {LV_EVENT_STARTED, LV_STARTED_RESTORED, STATE_OPER_RESUMING},
        {LV_EVENT_STARTED, 4 /* wakeup */, STATE_OPER_RUNNING},
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_PAUSED, 0}, /* a pause or a save begins */
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_MIGRATED, STATE_OPER_MIGRATING},
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_IOERROR, STATE_OPER_PAUSED},
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_WATCHDOG, STATE_OPER_PAUSED},
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_RESTORED, STATE_OPER_PAUSED},
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_API_ERROR, STATE_OPER_PAUSED},
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_POSTCOPY, STATE_OPER_MIGRATING},
        {LV_EVENT_SUSPENDED, LV_SUSPENDED_POSTCOPY_FAILED, STATE_OPER_PAUSED},
        {LV_EVENT_RESUMED, 0 /* unpaused */, STATE_OPER_RUNNING},
        {LV_EVENT_RESUMED, 2 /* from snapshot: the end of a restore */, STATE_OPER_RUNNING},
        {LV_EVENT_RESUMED, LV_RESUMED_POSTCOPY, STATE_OPER_MIGRATING},
        {LV_EVENT_STOPPED, 0 /* shutdown */, STATE_OPER_SHUTDOWN},
        {LV_EVENT_STOPPED, 1 /* destroyed */, STATE_OPER_SHUTDOWN},
        {LV_EVENT_STOPPED, LV_STOPPED_CRASHED, STATE_OPER_CRASHED},
        {LV_EVENT_STOPPED, LV_STOPPED_SAVED, 0}, /* the image decides */
        {LV_EVENT_SHUTDOWN, 0, STATE_OPER_SHUTTINGDOWN},
        {LV_EVENT_PMSUSPENDED, 0, STATE_OPER_SUSPENDED},
        {LV_EVENT_CRASHED, 0, STATE_OPER_CRASHED},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (state_oper_from_event(rows[i].event, rows[i].detail) != rows[i].oper)
            fail_msg("event %d detail %d: got %d, want %d", rows[i].event, rows[i].detail,
                     state_oper_from_event(rows[i].event, rows[i].detail), rows[i].oper);
}

static void test_stopped(void **state)
{
    (void)state;
    for (int oper = 0; oper <= STATE_OPER_CRASHED + 1; oper++)
        assert_int_equal(state_is_stopped(oper),
                         oper == STATE_OPER_SHUTDOWN || oper == STATE_OPER_CRASHED);
}

/* ---- state_admin_from_oper ---- */

static void test_admin_from_oper(void **state)
{
    (void)state;
    static const struct {
        int oper, admin;
    } rows[] = {
        {STATE_OPER_PREPARING, STATE_ADMIN_RUNNING},
        {STATE_OPER_RUNNING, STATE_ADMIN_RUNNING},
        {STATE_OPER_SUSPENDING, STATE_ADMIN_SUSPENDED},
        {STATE_OPER_SUSPENDED, STATE_ADMIN_SUSPENDED},
        {STATE_OPER_RESUMING, STATE_ADMIN_RUNNING},
        {STATE_OPER_PAUSED, STATE_ADMIN_PAUSED},
        {STATE_OPER_MIGRATING, STATE_ADMIN_RUNNING},
        {STATE_OPER_SHUTTINGDOWN, STATE_ADMIN_SHUTDOWN},
        {STATE_OPER_SHUTDOWN, STATE_ADMIN_SHUTDOWN},
        {STATE_OPER_CRASHED, STATE_ADMIN_SHUTDOWN},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        /* The previous admin state does not matter for a known oper state. */
        for (int prev = 0; prev <= STATE_ADMIN_SHUTDOWN + 1; prev++)
            assert_int_equal(state_admin_from_oper(rows[i].oper, prev), rows[i].admin);
    }
}

static void test_admin_unknown_keeps_previous(void **state)
{
    (void)state;
    for (int prev = STATE_ADMIN_RUNNING; prev <= STATE_ADMIN_SHUTDOWN; prev++) {
        assert_int_equal(state_admin_from_oper(STATE_OPER_UNKNOWN, prev), prev);
        assert_int_equal(state_admin_from_oper(STATE_OPER_OTHER, prev), prev);
    }
    /* No (valid) previous state: shutdown. */
    assert_int_equal(state_admin_from_oper(STATE_OPER_UNKNOWN, 0), STATE_ADMIN_SHUTDOWN);
    assert_int_equal(state_admin_from_oper(STATE_OPER_UNKNOWN, -1), STATE_ADMIN_SHUTDOWN);
    assert_int_equal(state_admin_from_oper(STATE_OPER_UNKNOWN, STATE_ADMIN_SHUTDOWN + 1),
                     STATE_ADMIN_SHUTDOWN);
    assert_int_equal(state_admin_from_oper(STATE_OPER_OTHER, 0), STATE_ADMIN_SHUTDOWN);
}

/* ---- state_is_active ---- */

static void test_oper_is_active(void **state)
{
    (void)state;
    assert_false(state_is_active(STATE_OPER_UNKNOWN));
    assert_false(state_is_active(STATE_OPER_OTHER));
    assert_true(state_is_active(STATE_OPER_PREPARING));
    assert_true(state_is_active(STATE_OPER_RUNNING));
    assert_true(state_is_active(STATE_OPER_SUSPENDING));
    assert_false(state_is_active(STATE_OPER_SUSPENDED));
    assert_true(state_is_active(STATE_OPER_RESUMING));
    assert_true(state_is_active(STATE_OPER_PAUSED));
    assert_true(state_is_active(STATE_OPER_MIGRATING));
    assert_true(state_is_active(STATE_OPER_SHUTTINGDOWN));
    assert_false(state_is_active(STATE_OPER_SHUTDOWN));
    assert_false(state_is_active(STATE_OPER_CRASHED));
    assert_false(state_is_active(0));
    assert_false(state_is_active(13));
}

static void test_oper_is_active_from_libvirt(void **state)
{
    (void)state;
    /* End to end: a domain libvirt calls active gives an active oper state. */
    assert_true(state_is_active(state_oper_from_libvirt(LV_RUNNING, 1, false, false)));
    assert_true(state_is_active(state_oper_from_libvirt(LV_BLOCKED, 0, false, false)));
    assert_true(state_is_active(state_oper_from_libvirt(LV_PAUSED, PAUSED_USER, false, false)));
    assert_true(
        state_is_active(state_oper_from_libvirt(LV_PAUSED, LV_PAUSED_MIGRATION, false, false)));
    assert_true(state_is_active(state_oper_from_libvirt(LV_SHUTDOWN, 1, false, false)));
    assert_false(
        state_is_active(state_oper_from_libvirt(LV_SHUTOFF, SHUTOFF_SHUTDOWN, false, false)));
    assert_false(
        state_is_active(state_oper_from_libvirt(LV_SHUTOFF, SHUTOFF_SHUTDOWN, true, false)));
    assert_false(state_is_active(state_oper_from_libvirt(LV_CRASHED, 0, false, false)));
}

/* ---- units_pick / units_in ---- */

static void test_pick_unit_2gib_minus_1kib_fits_kib(void **state)
{
    (void)state;
    uint64_t v[] = {2 * GIB - KIB};
    assert_int_equal(units_pick(v, 1, KIB), KIB);
    assert_int_equal(units_in(v[0], KIB), 2 * MIB - 1);
    /* As bytes (storage, base 1) it still fits a plain byte count. */
    assert_int_equal(units_pick(v, 1, 1), 1);
    assert_int_equal(units_in(v[0], 1), 2 * GIB - KIB);
}

static void test_pick_unit_kib_limit_2tib(void **state)
{
    (void)state;
    /* Memory in KiB tops out at 2 TiB - 1 KiB = INT32_MAX KiB. */
    uint64_t fits[] = {2 * TIB - KIB};
    assert_int_equal(units_pick(fits, 1, KIB), KIB);
    assert_int_equal(units_in(fits[0], KIB), INT32_MAX);

    uint64_t over[] = {2 * TIB};
    assert_int_equal(units_pick(over, 1, KIB), MIB);
    assert_int_equal(units_in(over[0], MIB), 2 * MIB);
}

static void test_pick_unit_3tib_mib(void **state)
{
    (void)state;
    /* cur = 1 GiB, max = 3 TiB: both shown in MiB. */
    uint64_t v[] = {GIB, 3 * TIB};
    uint64_t unit = units_pick(v, 2, KIB);
    assert_int_equal(unit, MIB);
    assert_int_equal(units_in(v[1], unit), 3145728);
    assert_int_equal(units_in(v[0], unit), 1024);
}

static void test_pick_unit_int32_boundaries(void **state)
{
    (void)state;
    /* Exactly INT32_MAX units fits; one byte more does not (base 1). */
    uint64_t at[] = {(uint64_t)INT32_MAX};
    assert_int_equal(units_pick(at, 1, 1), 1);
    uint64_t above[] = {(uint64_t)INT32_MAX + 1};
    assert_int_equal(units_pick(above, 1, 1), KIB);
    assert_int_equal(units_in(above[0], KIB), 2 * MIB);

    /* Base 1024: INT32_MAX KiB plus 1023 bytes still rounds down to INT32_MAX KiB. */
    uint64_t at_kib[] = {(uint64_t)INT32_MAX * KIB + 1023};
    assert_int_equal(units_pick(at_kib, 1, KIB), KIB);
    assert_int_equal(units_in(at_kib[0], KIB), INT32_MAX);
    uint64_t above_kib[] = {((uint64_t)INT32_MAX + 1) * KIB};
    assert_int_equal(units_pick(above_kib, 1, KIB), MIB);

    /* INT32_MAX MiB fits MiB; INT32_MAX + 1 MiB needs GiB. */
    uint64_t at_mib[] = {(uint64_t)INT32_MAX * MIB};
    assert_int_equal(units_pick(at_mib, 1, KIB), MIB);
    assert_int_equal(units_in(at_mib[0], MIB), INT32_MAX);
    uint64_t above_mib[] = {((uint64_t)INT32_MAX + 1) * MIB};
    assert_int_equal(units_pick(above_mib, 1, KIB), GIB);
    assert_int_equal(units_in(above_mib[0], GIB), 2 * MIB);
}

static void test_pick_unit_ignores_unknown(void **state)
{
    (void)state;
    uint64_t v[] = {UINT64_MAX, 4 * GIB, UINT64_MAX};
    assert_int_equal(units_pick(v, 3, KIB), KIB);
    assert_int_equal(units_pick(v, 3, 1), KIB);
    uint64_t only_unknown[] = {UINT64_MAX, UINT64_MAX};
    assert_int_equal(units_pick(only_unknown, 2, KIB), KIB);
    assert_int_equal(units_pick(only_unknown, 2, 1), 1);
}

static void test_pick_unit_base(void **state)
{
    (void)state;
    /* No values: the base unit. */
    assert_int_equal(units_pick(NULL, 0, 1), 1);
    assert_int_equal(units_pick(NULL, 0, KIB), KIB);
    /* Base 0 is taken as bytes. */
    assert_int_equal(units_pick(NULL, 0, 0), 1);
    uint64_t zero[] = {0};
    assert_int_equal(units_pick(zero, 1, 1), 1);
    /* Storage sizes in bytes: 10 GiB disk -> KiB, 100 MiB disk -> bytes. */
    uint64_t disk[] = {10 * GIB, 100 * MIB};
    uint64_t unit = units_pick(disk, 2, 1);
    assert_int_equal(unit, KIB);
    assert_int_equal(units_in(disk[0], unit), 10 * MIB);
    assert_int_equal(units_in(disk[1], unit), 100 * KIB);
    uint64_t small[] = {100 * MIB, 512};
    assert_int_equal(units_pick(small, 2, 1), 1);
    /* A 5 TiB disk in bytes -> MiB. */
    uint64_t big[] = {5 * TIB};
    assert_int_equal(units_pick(big, 1, 1), MIB);
    assert_int_equal(units_in(big[0], MIB), 5 * MIB);
}

static void test_pick_unit_huge_caps(void **state)
{
    (void)state;
    /* The unit itself must stay an Integer32 (vmMemUnit): GiB at most; the
     * value is then capped at INT32_MAX. */
    uint64_t huge[] = {UINT64_MAX - 1};
    uint64_t unit = units_pick(huge, 1, KIB);
    assert_int_equal(unit, GIB);
    assert_true(unit <= INT32_MAX);
    assert_int_equal(units_in(huge[0], unit), INT32_MAX);

    unit = units_pick(huge, 1, 1);
    assert_int_equal(unit, GIB);
    assert_int_equal(units_in(huge[0], unit), INT32_MAX);

    /* 4 EiB: more than INT32_MAX GiB, capped. */
    uint64_t eib[] = {(uint64_t)1 << 62};
    assert_int_equal(units_pick(eib, 1, KIB), GIB);
    assert_int_equal(units_in(eib[0], GIB), INT32_MAX);
}

static void test_in_unit_rounds_down(void **state)
{
    (void)state;
    assert_int_equal(units_in(1023, KIB), 0);
    assert_int_equal(units_in(1024, KIB), 1);
    assert_int_equal(units_in(2047, KIB), 1);
    assert_int_equal(units_in(MIB - 1, MIB), 0);
    assert_int_equal(units_in(3 * MIB + MIB / 2, MIB), 3);
    assert_int_equal(units_in(0, MIB), 0);
    /* Unit 0 is taken as 1 rather than dividing by zero. */
    assert_int_equal(units_in(5, 0), 5);
    /* Caps at INT32_MAX. */
    assert_int_equal(units_in((uint64_t)INT32_MAX, 1), INT32_MAX);
    assert_int_equal(units_in((uint64_t)INT32_MAX + 1, 1), INT32_MAX);
    assert_int_equal(units_in(UINT64_MAX, 1), INT32_MAX);
}

static void test_oper_name(void **state)
{
    (void)state;
    assert_string_equal(state_oper_name(STATE_OPER_UNKNOWN), "unknown");
    assert_string_equal(state_oper_name(STATE_OPER_OTHER), "other");
    assert_string_equal(state_oper_name(STATE_OPER_PREPARING), "preparing");
    assert_string_equal(state_oper_name(STATE_OPER_RUNNING), "running");
    assert_string_equal(state_oper_name(STATE_OPER_SUSPENDING), "suspending");
    assert_string_equal(state_oper_name(STATE_OPER_SUSPENDED), "suspended");
    assert_string_equal(state_oper_name(STATE_OPER_RESUMING), "resuming");
    assert_string_equal(state_oper_name(STATE_OPER_PAUSED), "paused");
    assert_string_equal(state_oper_name(STATE_OPER_MIGRATING), "migrating");
    assert_string_equal(state_oper_name(STATE_OPER_SHUTTINGDOWN), "shuttingdown");
    assert_string_equal(state_oper_name(STATE_OPER_SHUTDOWN), "shutdown");
    assert_string_equal(state_oper_name(STATE_OPER_CRASHED), "crashed");
    assert_string_equal(state_oper_name(0), "invalid");
    assert_string_equal(state_oper_name(13), "invalid");
    assert_string_equal(state_oper_name(-5), "invalid");
}

static void test_subindexes_first_round(void **state)
{
    (void)state;
    const char *keys[] = {"vda", "vdb", "sda"};
    int32_t out[3];
    carry_subindexes(NULL, NULL, 0, keys, 3, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 3);
}

static void test_subindexes_hotplug(void **state)
{
    (void)state;
    /* vdb was unplugged, vdd plugged: vda and sda keep theirs, vdd gets a
     * fresh index above every index seen, not vdb's 2. */
    const char *prev[] = {"vda", "vdb", "sda"};
    const int32_t prev_idx[] = {1, 2, 3};
    const char *keys[] = {"vda", "sda", "vdd"};
    int32_t out[3];
    carry_subindexes(prev, prev_idx, 3, keys, 3, out);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 3);
    assert_int_equal(out[2], 4);
}

static void test_subindexes_null_and_duplicate_keys(void **state)
{
    (void)state;
    /* NICs without a MAC never match; a key present twice matches once. */
    const char *prev[] = {"52:54:00:00:00:01", NULL, "52:54:00:00:00:01"};
    const int32_t prev_idx[] = {5, 6, 7};
    const char *keys[] = {NULL, "52:54:00:00:00:01", "52:54:00:00:00:01"};
    int32_t out[3];
    carry_subindexes(prev, prev_idx, 3, keys, 3, out);
    assert_int_equal(out[1], 5);
    assert_int_equal(out[2], 7);
    assert_int_equal(out[0], 8);
}

static void test_notification_numbers(void **state)
{
    (void)state;
    /* RFC 7666: vmRunning(1) vmShuttingdown(2) vmShutdown(3) vmPaused(4)
     * vmSuspending(5) vmSuspended(6) vmResuming(7) vmMigrating(8) vmCrashed(9) */
    assert_int_equal(state_notification_for(STATE_OPER_RUNNING), 1);
    assert_int_equal(state_notification_for(STATE_OPER_SHUTTINGDOWN), 2);
    assert_int_equal(state_notification_for(STATE_OPER_SHUTDOWN), 3);
    assert_int_equal(state_notification_for(STATE_OPER_PAUSED), 4);
    assert_int_equal(state_notification_for(STATE_OPER_SUSPENDING), 5);
    assert_int_equal(state_notification_for(STATE_OPER_SUSPENDED), 6);
    assert_int_equal(state_notification_for(STATE_OPER_RESUMING), 7);
    assert_int_equal(state_notification_for(STATE_OPER_MIGRATING), 8);
    assert_int_equal(state_notification_for(STATE_OPER_CRASHED), 9);
    assert_int_equal(state_notification_for(STATE_OPER_UNKNOWN), 0);
    assert_int_equal(state_notification_for(STATE_OPER_OTHER), 0);
    assert_int_equal(state_notification_for(STATE_OPER_PREPARING), 0);
}

static void test_bitmap(void **state)
{
    (void)state;
    unsigned char out[4];
    const int32_t one[] = {1};
    assert_int_equal(change_bitmap(one, 1, out, sizeof(out)), 1);
    assert_int_equal(out[0], 0x80); /* vmIndex 1 = MSB of the first octet */
    const int32_t several[] = {8, 9, 2, 17};
    assert_int_equal(change_bitmap(several, 4, out, sizeof(out)), 3);
    assert_int_equal(out[0], 0x41); /* 2 and 8 */
    assert_int_equal(out[1], 0x80); /* 9 */
    assert_int_equal(out[2], 0x80); /* 17 */
    const int32_t bad[] = {0, -5};
    assert_int_equal(change_bitmap(bad, 2, out, sizeof(out)), 0);
    const int32_t far[] = {100};
    assert_int_equal(change_bitmap(far, 1, out, sizeof(out)), 4); /* capped */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notification_numbers),
        cmocka_unit_test(test_bitmap),
        cmocka_unit_test(test_subindexes_first_round),
        cmocka_unit_test(test_subindexes_hotplug),
        cmocka_unit_test(test_subindexes_null_and_duplicate_keys),
        cmocka_unit_test(test_libvirt_abi_values),
        cmocka_unit_test(test_oper_running_blocked),
        cmocka_unit_test(test_oper_paused_migration),
        cmocka_unit_test(test_oper_paused_migration_without_job),
        cmocka_unit_test(test_oper_paused_save),
        cmocka_unit_test(test_oper_paused_starting_up),
        cmocka_unit_test(test_oper_paused_shutting_down),
        cmocka_unit_test(test_oper_paused_crashed),
        cmocka_unit_test(test_oper_paused_other),
        cmocka_unit_test(test_oper_shutdown),
        cmocka_unit_test(test_oper_shutoff_saved),
        cmocka_unit_test(test_oper_shutoff_managed_save),
        cmocka_unit_test(test_oper_shutoff_crashed),
        cmocka_unit_test(test_oper_shutoff_other),
        cmocka_unit_test(test_oper_crashed),
        cmocka_unit_test(test_oper_pmsuspended),
        cmocka_unit_test(test_oper_nostate),
        cmocka_unit_test(test_oper_future_state),
        cmocka_unit_test(test_event_mapping),
        cmocka_unit_test(test_stopped),
        cmocka_unit_test(test_admin_from_oper),
        cmocka_unit_test(test_admin_unknown_keeps_previous),
        cmocka_unit_test(test_oper_is_active),
        cmocka_unit_test(test_oper_is_active_from_libvirt),
        cmocka_unit_test(test_pick_unit_2gib_minus_1kib_fits_kib),
        cmocka_unit_test(test_pick_unit_kib_limit_2tib),
        cmocka_unit_test(test_pick_unit_3tib_mib),
        cmocka_unit_test(test_pick_unit_int32_boundaries),
        cmocka_unit_test(test_pick_unit_ignores_unknown),
        cmocka_unit_test(test_pick_unit_base),
        cmocka_unit_test(test_pick_unit_huge_caps),
        cmocka_unit_test(test_in_unit_rounds_down),
        cmocka_unit_test(test_oper_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
