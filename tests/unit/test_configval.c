/* Unit tests for module/config_parse.c: the parsers behind the vmMib*
 * snmpd.conf tokens. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "configval.h"

#define ERRLEN 256

/* ---- configval_interval ---- */

static void test_interval_valid(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    int v = -7;
    assert_int_equal(configval_interval("5", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 5);
    assert_int_equal(configval_interval("1", &v, err, sizeof(err)), 0);
    assert_int_equal(v, CONFIGVAL_POLL_MIN);
    assert_int_equal(configval_interval("3600", &v, err, sizeof(err)), 0);
    assert_int_equal(v, CONFIGVAL_POLL_MAX);
    assert_int_equal(configval_interval("60", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 60);
    assert_string_equal(err, "");
}

static void test_interval_trimmed(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    int v = 0;
    assert_int_equal(configval_interval(" 10 ", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 10);
    assert_int_equal(configval_interval("\t30\n", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 30);
}

static void test_interval_out_of_range(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    int v = 42;
    assert_int_equal(configval_interval("0", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_true(strlen(err) > 0);
    assert_non_null(strstr(err, "0"));
    assert_non_null(strstr(err, "range"));

    err[0] = '\0';
    assert_int_equal(configval_interval("3601", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_non_null(strstr(err, "3601"));

    err[0] = '\0';
    assert_int_equal(configval_interval("-5", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_non_null(strstr(err, "-5"));

    /* Too big for a long: rejected, not wrapped. */
    err[0] = '\0';
    assert_int_equal(configval_interval("99999999999999999999999", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_true(strlen(err) > 0);
}

static void test_interval_not_a_number(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    int v = 42;
    assert_int_equal(configval_interval("abc", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_non_null(strstr(err, "abc"));

    err[0] = '\0';
    assert_int_equal(configval_interval("5s", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_non_null(strstr(err, "5s"));

    err[0] = '\0';
    assert_int_equal(configval_interval("1.5", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_non_null(strstr(err, "1.5"));

    err[0] = '\0';
    assert_int_equal(configval_interval("5 10", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_non_null(strstr(err, "5 10"));
}

static void test_interval_empty(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    int v = 42;
    assert_int_equal(configval_interval("", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_true(strlen(err) > 0);

    err[0] = '\0';
    assert_int_equal(configval_interval("   ", &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_true(strlen(err) > 0);

    err[0] = '\0';
    assert_int_equal(configval_interval(NULL, &v, err, sizeof(err)), -1);
    assert_int_equal(v, 42);
    assert_true(strlen(err) > 0);
}

static void test_interval_small_err_buffer(void **state)
{
    (void)state;
    /* The message is truncated, never overflowing. */
    char err[8];
    int v = 42;
    assert_int_equal(configval_interval("abcdefghijklmnop", &v, err, sizeof(err)), -1);
    assert_int_equal(strlen(err), sizeof(err) - 1);
}

/* ---- configval_bool ---- */

static void test_bool_values(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool value;
    } cases[] = {
        {"yes", true},   {"no", false},      {"true", true}, {"false", false}, {"on", true},
        {"off", false},  {"1", true},        {"0", false},   {"YES", true},    {"No", false},
        {"TRUE", true},  {"False", false},   {"On", true},   {"OFF", false},   {"yEs", true},
        {" yes ", true}, {"\toff\n", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[ERRLEN] = "";
        bool v = !cases[i].value;
        assert_int_equal(configval_bool(cases[i].text, &v, err, sizeof(err)), 0);
        assert_int_equal(v, cases[i].value);
        assert_string_equal(err, "");
    }
}

static void test_bool_rejected(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    bool v = true;
    assert_int_equal(configval_bool("maybe", &v, err, sizeof(err)), -1);
    assert_true(v);
    assert_non_null(strstr(err, "maybe"));

    v = false;
    static const char *const bad[] = {"", "y", "n", "2", "yess", "enable", "1 0", "-1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(configval_bool(bad[i], &v, err, sizeof(err)), -1);
        assert_false(v);
        assert_true(strlen(err) > 0);
        assert_non_null(strstr(err, bad[i]));
    }
    err[0] = '\0';
    assert_int_equal(configval_bool(NULL, &v, err, sizeof(err)), -1);
    assert_true(strlen(err) > 0);
}

/* ---- configval_uri ---- */

static void test_uri_accepted(void **state)
{
    (void)state;
    static const char *const good[] = {
        "qemu:///system",         "test:///abs/path.xml",
        "qemu+ssh://host/system", "qemu:///session",
        "test:///default",        "qemu+tls://host.example.org/system?no_verify=1",
        "xen:///system",          "lxc:///",
    };
    char *uri = NULL;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char err[ERRLEN] = "";
        assert_int_equal(configval_uri(good[i], &uri, err, sizeof(err)), 0);
        assert_non_null(uri);
        assert_string_equal(uri, good[i]);
        assert_string_equal(err, "");
    }
    free(uri);
}

static void test_uri_trimmed_and_replaces(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    char *uri = strdup("test:///default");
    assert_non_null(uri);
    /* The old value is freed (ASan would report a leak) and replaced. */
    assert_int_equal(configval_uri("  qemu:///system\t", &uri, err, sizeof(err)), 0);
    assert_string_equal(uri, "qemu:///system");
    free(uri);
}

static void test_uri_rejected_keeps_old(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool names_value; /* the message quotes the bad value */
    } bad[] = {
        {"", false},
        {"   ", false},
        {"two words", false},
        {"qemu:///system extra", false},
        {"/no/scheme", true},
        {":x", true},
        {"noscheme", true},
        {"qe mu:///system", false},
        {"qemu_x:///system", true},
        {"/path/with:colon", true},
    };
    char *uri = strdup("qemu:///system");
    assert_non_null(uri);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[ERRLEN] = "";
        char *before = uri;
        assert_int_equal(configval_uri(bad[i].text, &uri, err, sizeof(err)), -1);
        /* The old value is kept, untouched. */
        assert_ptr_equal(uri, before);
        assert_string_equal(uri, "qemu:///system");
        assert_true(strlen(err) > 0);
        if (bad[i].names_value)
            assert_non_null(strstr(err, bad[i].text));
    }
    free(uri);

    /* From no value at all, an error leaves none. */
    char *none = NULL;
    char err[ERRLEN] = "";
    assert_int_equal(configval_uri("two words", &none, err, sizeof(err)), -1);
    assert_null(none);
    assert_int_equal(configval_uri(NULL, &none, err, sizeof(err)), -1);
    assert_null(none);
}

/* ---- configval_path ---- */

static void test_path_absolute(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    char *path = NULL;
    assert_int_equal(configval_path("/var/lib/net-snmp/vmmib-index.conf", &path, err, sizeof(err)),
                     0);
    assert_string_equal(path, "/var/lib/net-snmp/vmmib-index.conf");
    assert_string_equal(err, "");
    /* Trimmed, and the old value freed (ASan checks). */
    assert_int_equal(configval_path("  /tmp/x.conf \n", &path, err, sizeof(err)), 0);
    assert_string_equal(path, "/tmp/x.conf");
    assert_int_equal(configval_path("/", &path, err, sizeof(err)), 0);
    assert_string_equal(path, "/");
    free(path);
}

static void test_path_relative_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {"relative/index.conf", "./index.conf", "../x", "x",
                                      "~/index.conf"};
    char *path = strdup("/old/path");
    assert_non_null(path);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[ERRLEN] = "";
        char *before = path;
        assert_int_equal(configval_path(bad[i], &path, err, sizeof(err)), -1);
        assert_ptr_equal(path, before);
        assert_string_equal(path, "/old/path");
        assert_non_null(strstr(err, bad[i]));
    }
    char err[ERRLEN] = "";
    assert_int_equal(configval_path("", &path, err, sizeof(err)), -1);
    assert_string_equal(path, "/old/path");
    assert_true(strlen(err) > 0);
    err[0] = '\0';
    assert_int_equal(configval_path(NULL, &path, err, sizeof(err)), -1);
    assert_string_equal(path, "/old/path");
    assert_true(strlen(err) > 0);
    free(path);
}

/* ---- configval_quarantine ---- */

static void test_quarantine(void **state)
{
    (void)state;
    char err[ERRLEN] = "";
    long v = -7;
    assert_int_equal(configval_quarantine("86400", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 86400);
    /* 0: an index goes to the next new VM as soon as its VM is gone. */
    assert_int_equal(configval_quarantine(" 0 ", &v, err, sizeof(err)), 0);
    assert_int_equal(v, 0);
    assert_int_equal(configval_quarantine("315360000", &v, err, sizeof(err)), 0);
    assert_int_equal(v, CONFIGVAL_QUARANTINE_MAX);
    assert_string_equal(err, "");
    v = 42;
    assert_int_equal(configval_quarantine("-1", &v, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(configval_quarantine("315360001", &v, err, sizeof(err)), -1);
    assert_int_equal(configval_quarantine("1d", &v, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "'1d' is not a whole number"));
    assert_int_equal(configval_quarantine("", &v, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "missing value"));
    assert_int_equal(configval_quarantine("99999999999999999999", &v, err, sizeof(err)), -1);
    /* A refused value keeps the previous one. */
    assert_int_equal(v, 42);
}

/* ---- defaults ---- */

static void test_defaults_and_clear(void **state)
{
    (void)state;
    struct configval cfg;
    memset(&cfg, 0xa5, sizeof(cfg));
    configval_defaults(&cfg);
    assert_null(cfg.uri);
    assert_null(cfg.index_file);
    assert_int_equal(cfg.poll_interval, CONFIGVAL_POLL_DEFAULT);
    assert_true(cfg.per_vm_notifications);
    assert_false(cfg.bulk_notifications);
    assert_false(cfg.write_access);
    assert_int_equal(cfg.index_quarantine, 24 * 3600);
    assert_true(CONFIGVAL_POLL_DEFAULT >= CONFIGVAL_POLL_MIN &&
                CONFIGVAL_POLL_DEFAULT <= CONFIGVAL_POLL_MAX);

    char err[ERRLEN];
    assert_int_equal(configval_uri("qemu:///system", &cfg.uri, err, sizeof(err)), 0);
    assert_int_equal(configval_path("/tmp/i.conf", &cfg.index_file, err, sizeof(err)), 0);
    assert_int_equal(configval_interval("60", &cfg.poll_interval, err, sizeof(err)), 0);
    assert_int_equal(configval_bool("yes", &cfg.write_access, err, sizeof(err)), 0);
    assert_int_equal(configval_quarantine("60", &cfg.index_quarantine, err, sizeof(err)), 0);
    /* clear frees the strings (ASan checks) and restores the defaults. */
    configval_clear(&cfg);
    assert_null(cfg.uri);
    assert_null(cfg.index_file);
    assert_int_equal(cfg.poll_interval, CONFIGVAL_POLL_DEFAULT);
    assert_false(cfg.write_access);
    assert_int_equal(cfg.index_quarantine, CONFIGVAL_QUARANTINE_DEFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interval_valid),
        cmocka_unit_test(test_interval_trimmed),
        cmocka_unit_test(test_interval_out_of_range),
        cmocka_unit_test(test_interval_not_a_number),
        cmocka_unit_test(test_interval_empty),
        cmocka_unit_test(test_interval_small_err_buffer),
        cmocka_unit_test(test_bool_values),
        cmocka_unit_test(test_bool_rejected),
        cmocka_unit_test(test_uri_accepted),
        cmocka_unit_test(test_uri_trimmed_and_replaces),
        cmocka_unit_test(test_uri_rejected_keeps_old),
        cmocka_unit_test(test_path_absolute),
        cmocka_unit_test(test_path_relative_rejected),
        cmocka_unit_test(test_quarantine),
        cmocka_unit_test(test_defaults_and_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
