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
