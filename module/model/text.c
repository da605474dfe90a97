#include "text.h"

#include <stdio.h>
#include <string.h>

#define ADMIN_STRING_MAX 255

void text_uuid_format(const unsigned char u[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0],
             u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
             u[14], u[15]);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int text_uuid_parse(const char *str, unsigned char uuid[16])
{
    size_t n = 0;
    const char *p = str;
    for (; *p && n < 32; p++) {
        if (*p == '-')
            continue;
        int v = hex_value(*p);
        if (v < 0)
            return -1;
        if (n % 2 == 0)
            uuid[n / 2] = (unsigned char)(v << 4);
        else
            uuid[n / 2] |= (unsigned char)v;
        n++;
    }
    return n == 32 && *p == '\0' ? 0 : -1;
}

size_t text_admin_len(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n <= ADMIN_STRING_MAX)
        return n;
    /* SnmpAdminString is UTF-8 (RFC 3411): cut before the character that
     * would not fit whole, never inside it.  s[n] is then the first octet
     * of a character (continuation octets are 10xxxxxx). */
    n = ADMIN_STRING_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* ---- log-safe text ---- */

/* Length of the valid UTF-8 sequence at s (at most n octets), with its code
 * point in *cp; 0 when s does not start one. */
static size_t utf8_sequence(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t need = 4;
    unsigned min = 0x10000, c = s[0] & 0x07u;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
        min = 0x80;
        c = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
        min = 0x800;
        c = s[0] & 0x0fu;
    } else if (s[0] < 0xf0 || s[0] > 0xf4) {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return need;
}

/* Code points that are valid text but act as controls. */
static int is_control_point(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escaped form of the unit at s: written to unit (up to 7 octets,
 * not terminated); returns its length and the input consumed in *used. */
static size_t escape_unit(const unsigned char *s, size_t n, char unit[8], size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    unsigned cp = 0;
    size_t seq = s[0] >= 0x80 ? utf8_sequence(s, n, &cp) : 0;
    *used = seq ? seq : 1;
    if (seq && !is_control_point(cp)) {
        memcpy(unit, s, seq);
        return seq;
    }
    if (seq) {
        /* Every such code point is below U+10000: four hex digits. */
        unit[0] = '\\';
        unit[1] = 'u';
        for (int k = 0; k < 4; k++)
            unit[2 + k] = hex[(cp >> (12 - 4 * k)) & 0xf];
        return 6;
    }
    const char *named = NULL;
    switch (s[0]) {
    case '\n':
        named = "\\n";
        break;
    case '\r':
        named = "\\r";
        break;
    case '\t':
        named = "\\t";
        break;
    case '\\':
        named = "\\\\";
        break;
    default:
        break;
    }
    if (named) {
        memcpy(unit, named, 2);
        return 2;
    }
    if (s[0] >= 0x20 && s[0] < 0x7f) {
        unit[0] = (char)s[0];
        return 1;
    }
    unit[0] = '\\';
    unit[1] = 'x';
    unit[2] = hex[s[0] >> 4];
    unit[3] = hex[s[0] & 0xf];
    return 4;
}

static size_t escaped_len(const unsigned char *s, size_t len)
{
    size_t total = 0, used;
    char unit[8];
    for (size_t i = 0; i < len; i += used)
        total += escape_unit(s + i, len - i, unit, &used);
    return total;
}

char *text_escape(const void *src, size_t len, char *out, size_t cap)
{
    const unsigned char *s = src ? src : (const unsigned char *)"";
    if (!src)
        len = 0;
    /* Everything, or as much as leaves room for the "..." that says so. */
    size_t room = escaped_len(s, len) < cap ? cap - 1 : cap - 4;
    size_t pos = 0, used, k;
    char unit[8];
    for (size_t i = 0; i < len; i += used) {
        k = escape_unit(s + i, len - i, unit, &used);
        if (pos + k > room) {
            memcpy(out + pos, "...", 3);
            pos += 3;
            break;
        }
        memcpy(out + pos, unit, k);
        pos += k;
    }
    out[pos] = '\0';
    return out;
}

char *text_escape_str(const char *s, char *out, size_t cap)
{
    return text_escape(s, s ? strlen(s) : 0, out, cap);
}
