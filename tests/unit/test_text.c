/* Unit tests for module/model/text.c: UUID text, and SnmpAdminString
 * lengths cut on a UTF-8 character boundary (issue 11 point 10: a
 * 300-octet name ended in a lone 0xC3). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "text.h"

/* n copies of the UTF-8 character ch after a prefix of `lead` ASCII octets. */
static void fill(char *buf, size_t lead, const char *ch, size_t n)
{
    memset(buf, 'a', lead);
    buf[lead] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(buf, ch);
}

static void test_admin_len_utf8(void **state)
{
    (void)state;
    static const struct {
        size_t lead;
        const char *ch;
        size_t n, want;
    } rows[] = {
        {0, "\xc3\xa9", 150, 254},        /* é x150 = 300 octets: 127 whole, not 127.5 */
        {1, "\xc3\xa9", 150, 255},        /* shifted by one: 255 falls on a boundary */
        {0, "\xe2\x82\xac", 100, 255},    /* euro sign, 3 octets: 85 whole */
        {1, "\xe2\x82\xac", 100, 253},    /* 1 + 84 * 3 */
        {2, "\xe2\x82\xac", 100, 254},    /* 2 + 84 * 3 */
        {0, "\xf0\x9f\x98\x80", 70, 252}, /* 4-octet character: 63 whole */
        {3, "\xf0\x9f\x98\x80", 70, 255}, /* 3 + 63 * 4 */
        {0, "\xc3\xa9", 127, 254},        /* short enough: whole */
        {255, "", 0, 255},
        {300, "", 0, 255}, /* ASCII: 255 */
    };
    char buf[512];
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        fill(buf, rows[i].lead, rows[i].ch, rows[i].n);
        size_t got = text_admin_len(buf);
        if (got != rows[i].want)
            fail_msg("row %zu: %zu octets, want %zu", i, got, rows[i].want);
        /* Never ends inside a character: the next octet starts one. */
        if (got < strlen(buf))
            assert_true(((unsigned char)buf[got] & 0xC0) != 0x80);
    }
    assert_int_equal(text_admin_len(NULL), 0);
    assert_int_equal(text_admin_len(""), 0);
}

static void test_uuid(void **state)
{
    (void)state;
    unsigned char u[16];
    char out[37];
    assert_int_equal(text_uuid_parse("11111111-2222-3333-4444-000000000001", u), 0);
    text_uuid_format(u, out);
    assert_string_equal(out, "11111111-2222-3333-4444-000000000001");
    assert_int_equal(text_uuid_parse("1111", u), -1);
    assert_int_equal(text_uuid_parse("zz111111-2222-3333-4444-000000000001", u), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_len_utf8),
        cmocka_unit_test(test_uuid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
