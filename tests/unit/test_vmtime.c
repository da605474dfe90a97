/* Unit tests for module/model/vmtime.c: TimeTicks as RFC 2578 defines
 * them, "modulo 2^32", for vmHvUpTime, vmTableLastChange and vmUpTime
 * alike (issue 11 point 3: vmUpTime saturated at 497 days while vmHvUpTime
 * wrapped). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmtime.h"

#define DAY_CS (INT64_C(86400) * 100)

static void test_ticks_wrap(void **state)
{
    (void)state;
    assert_int_equal(vmtime_ticks(0), 0);
    assert_int_equal(vmtime_ticks(-5), 0);
    assert_int_equal(vmtime_ticks(123), 123);
    assert_int_equal(vmtime_ticks(INT64_C(4294967295)), UINT32_MAX);
    assert_int_equal(vmtime_ticks(INT64_C(4294967296)), 0);
    assert_int_equal(vmtime_ticks(INT64_C(4294967296) + 7), 7);
    /* 500 days: 43,200,000 centiseconds past the wrap at 497.1 days. */
    assert_int_equal(vmtime_ticks(500 * DAY_CS), (uint32_t)(500 * DAY_CS - INT64_C(4294967296)));
}

static void test_uptime(void **state)
{
    (void)state;
    int64_t now = 1800000000;
    assert_int_equal(vmtime_uptime_ticks(0, now), 0);        /* not running */
    assert_int_equal(vmtime_uptime_ticks(now + 10, now), 0); /* clock went back */
    assert_int_equal(vmtime_uptime_ticks(now - 15, now), 1500);
    int64_t d500 = 500 * 86400;
    assert_int_equal(vmtime_uptime_ticks(now - d500, now),
                     (uint32_t)(d500 * 100 - INT64_C(4294967296)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ticks_wrap),
        cmocka_unit_test(test_uptime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
