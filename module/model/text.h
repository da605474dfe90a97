/* Text as the MIB and the log need it: UUIDs in canonical form, and
 * untrusted text made safe for a log line. */
#ifndef VMMIB_MODEL_TEXT_H
#define VMMIB_MODEL_TEXT_H

#include <stddef.h>

/* 8-4-4-4-12 lowercase hex, NUL-terminated. */
void text_uuid_format(const unsigned char uuid[16], char out[37]);
/* 32 hex digits, dashes anywhere; 0 or -1. */
int text_uuid_parse(const char *str, unsigned char uuid[16]);

/* SnmpAdminString (SIZE (0..255)): how many octets of s to send, at most
 * 255, ending on a UTF-8 character boundary. */
size_t text_admin_len(const char *s);

/* The len octets at src (which may hold NULs) as one log-safe line in out
 * (cap octets, at least 8), NUL-terminated; returns out.  Text that came
 * from libvirt or a manager (VM names, URIs, libvirt's messages, community
 * and security names) goes through this before any log call, so that it
 * can neither end the line nor forge another one, nor drive a terminal:
 *   - printable ASCII is kept, a backslash is doubled;
 *   - \n, \r and \t are written so; other C0 controls and DEL as \xNN;
 *   - valid UTF-8 is kept (names in any script), except the code points
 *     that act as controls: C1 (U+0080-U+009F), the line and paragraph
 *     separators U+2028/U+2029 and the bidirectional overrides
 *     (U+202A-U+202E, U+2066-U+2069), written as \uXXXX;
 *   - any octet that is not part of valid UTF-8 (a stray continuation
 *     octet, a truncated sequence, an overlong form, a surrogate, beyond
 *     U+10FFFF) is written as \xNN.
 * What does not fit ends in "..." and never cuts an escape in half. */
char *text_escape(const void *src, size_t len, char *out, size_t cap);
/* The same for a NUL-terminated string (NULL reads as ""). */
char *text_escape_str(const char *s, char *out, size_t cap);

#endif
