/* Text as the MIB and the log need it: UUIDs in canonical form. */
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

#endif
