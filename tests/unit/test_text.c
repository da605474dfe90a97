/* Unit tests for module/model/text.c: UUID text; SnmpAdminString lengths
 * cut on a UTF-8 character boundary (issue 11 point 10: a 300-octet name
 * ended in a lone 0xC3); and log-safe text (issue 15 point 5): nothing that
 * came from libvirt or a manager may end a log line, forge another one or
 * drive a terminal, and what is plain text stays readable. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *esc(const char *s)
{
    static char out[512];
    return text_escape_str(s, out, sizeof(out));
}

static const char *esc_n(const void *s, size_t n)
{
    static char out[512];
    return text_escape(s, n, out, sizeof(out));
}

static void test_plain_text_is_kept(void **state)
{
    (void)state;
    assert_string_equal(esc("web01"), "web01");
    assert_string_equal(esc("a b-c_d.e:f/g@h'i\"j"), "a b-c_d.e:f/g@h'i\"j");
    assert_string_equal(esc("qemu+unix:///session?socket=/tmp/x"),
                        "qemu+unix:///session?socket=/tmp/x");
    assert_string_equal(esc(""), "");
    assert_string_equal(esc(NULL), "");
    /* Every printable ASCII octet but the backslash, as is. */
    char all[96];
    size_t n = 0;
    for (int c = 0x20; c < 0x7f; c++)
        if (c != '\\')
            all[n++] = (char)c;
    all[n] = '\0';
    assert_string_equal(esc(all), all);
}

static void test_forged_line_is_one_line(void **state)
{
    (void)state;
    const char *name = "evil\nvmmib: control: SET vmAdminState.1 (web01) = 4 by 'admin': done";
    const char *out = esc(name);
    assert_null(strchr(out, '\n'));
    assert_string_equal(out,
                        "evil\\nvmmib: control: SET vmAdminState.1 (web01) = 4 by 'admin': done");
    assert_string_equal(esc("a\r\nb\tc"), "a\\r\\nb\\tc");
}

static void test_backslash_is_doubled(void **state)
{
    (void)state;
    /* So that a name holding the text "\n" cannot pass for an escaped newline. */
    assert_string_equal(esc("a\\nb"), "a\\\\nb");
    assert_string_equal(esc("\\"), "\\\\");
}

static void test_c0_and_del(void **state)
{
    (void)state;
    assert_string_equal(esc("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
    assert_string_equal(esc("\x01\x07\x08\x0b\x0c\x1f\x7f"), "\\x01\\x07\\x08\\x0b\\x0c\\x1f\\x7f");
    /* A NUL inside a length-delimited octet string (a community). */
    assert_string_equal(esc_n("ab\0cd", 5), "ab\\x00cd");
}

static void test_valid_utf8_is_kept(void **state)
{
    (void)state;
    /* é, ß, Cyrillic, CJK, an emoji (4 octets), U+00A0 just after C1. */
    const char *names = "caf\xc3\xa9 stra\xc3\x9f\x65 \xd0\xb2\xd0\xbc \xe6\x9c\xba\xe5\x99\xa8 "
                        "\xf0\x9f\x96\xa5 \xc2\xa0";
    assert_string_equal(esc(names), names);
    /* The highest code point, U+10FFFF. */
    assert_string_equal(esc("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");
}

static void test_c1_and_separators_escaped(void **state)
{
    (void)state;
    /* C1 as UTF-8: U+0085 (NEL, a newline to some readers), U+009B (CSI). */
    assert_string_equal(esc("a\xc2\x85"
                            "b\xc2\x9b"
                            "c\xc2\x80"),
                        "a\\u0085b\\u009bc\\u0080");
    /* U+2028, U+2029: line and paragraph separators. */
    assert_string_equal(esc("a\xe2\x80\xa8"
                            "b\xe2\x80\xa9"),
                        "a\\u2028b\\u2029");
    /* Bidirectional overrides and isolates (text that reads backwards). */
    assert_string_equal(esc("\xe2\x80\xae"
                            "x\xe2\x81\xa6"),
                        "\\u202ex\\u2066");
    assert_string_equal(esc("\xe2\x80\xaa\xe2\x81\xa9"), "\\u202a\\u2069");
}

static void test_invalid_utf8_octets(void **state)
{
    (void)state;
    /* A raw C1 octet (Latin-1 NEL), a stray continuation octet. */
    assert_string_equal(esc("a\x85z"), "a\\x85z");
    assert_string_equal(esc("\x80\xbf"), "\\x80\\xbf");
    /* A truncated sequence at the end and in the middle. */
    assert_string_equal(esc("ok\xc3"), "ok\\xc3");
    assert_string_equal(esc("\xe2\x80"
                            "x"),
                        "\\xe2\\x80x");
    /* Overlong forms (of '/' and of NUL), a surrogate, beyond U+10FFFF. */
    assert_string_equal(esc("\xc0\xaf"), "\\xc0\\xaf");
    assert_string_equal(esc("\xc1\x80"), "\\xc1\\x80");
    assert_string_equal(esc("\xe0\x80\x80"), "\\xe0\\x80\\x80");
    assert_string_equal(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80");
    assert_string_equal(esc("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
    assert_string_equal(esc("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
    assert_string_equal(esc("\xff\xfe"), "\\xff\\xfe");
    /* A valid character right after an invalid octet is kept. */
    assert_string_equal(esc("\xc3\xc3\xa9"), "\\xc3\xc3\xa9");
}

static void test_every_octet_is_safe(void **state)
{
    (void)state;
    /* Whatever the input, the output has no control octet at all, no C1
     * (as UTF-8) and no octet that is not valid UTF-8. */
    unsigned char in[3];
    char out[64];
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b += 3) {
            in[0] = (unsigned char)a;
            in[1] = (unsigned char)b;
            in[2] = 0x85;
            text_escape(in, 3, out, sizeof(out));
            for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
                assert_false(*p < 0x20 || *p == 0x7f);
                if (*p == 0xc2)
                    assert_false(p[1] >= 0x80 && p[1] <= 0x9f);
            }
        }
    }
}

static void test_truncation(void **state)
{
    (void)state;
    char out[12];
    /* Fits exactly: no ellipsis. */
    assert_string_equal(text_escape_str("0123456789a", out, sizeof(out)), "0123456789a");
    /* Too long: cut, and said so. */
    assert_string_equal(text_escape_str("0123456789ab", out, sizeof(out)), "01234567...");
    /* An escape is never cut in half. */
    assert_string_equal(text_escape_str("0123456\n89ab", out, sizeof(out)), "0123456...");
    assert_string_equal(text_escape_str("012345\x01xyz", out, sizeof(out)), "012345...");
    /* Nor a UTF-8 character. */
    assert_string_equal(text_escape_str("0123456\xc3\xa9xyz", out, sizeof(out)), "0123456...");
    assert_string_equal(text_escape_str("012345\xc3\xa9xyzw", out, sizeof(out)),
                        "012345\xc3\xa9...");
    /* The smallest buffer allowed. */
    char small[8];
    assert_string_equal(text_escape_str("\n\n\n\n", small, sizeof(small)), "\\n\\n...");
    assert_string_equal(text_escape_str("abc", small, sizeof(small)), "abc");
}

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
        cmocka_unit_test(test_plain_text_is_kept),
        cmocka_unit_test(test_forged_line_is_one_line),
        cmocka_unit_test(test_backslash_is_doubled),
        cmocka_unit_test(test_c0_and_del),
        cmocka_unit_test(test_valid_utf8_is_kept),
        cmocka_unit_test(test_c1_and_separators_escaped),
        cmocka_unit_test(test_invalid_utf8_octets),
        cmocka_unit_test(test_every_octet_is_safe),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_admin_len_utf8),
        cmocka_unit_test(test_uuid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
