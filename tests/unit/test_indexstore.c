/* Unit tests for module/indexstore.c: vmIndex allocation by UUID, expiry,
 * counter exhaustion and the persistence file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "indexstore.h"
#include "text.h"

/* A temporary directory holding the index file of one test. */
struct fixture {
    char dir[256];
    char path[300];
    char err[512];
    struct indexstore store;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof(f->dir), "%s/vmmib-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof(f->path), "%s/vmmib-index.conf", f->dir);
    indexstore_init(&f->store);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char tmp[320];
    indexstore_free(&f->store);
    unlink(f->path);
    snprintf(tmp, sizeof(tmp), "%s.new", f->path);
    unlink(tmp);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* A distinct UUID for each n. */
static void make_uuid(unsigned char u[16], unsigned n)
{
    for (int i = 0; i < 16; i++)
        u[i] = (unsigned char)(0x11 * (i % 16));
    u[12] = (unsigned char)(n >> 24);
    u[13] = (unsigned char)(n >> 16);
    u[14] = (unsigned char)(n >> 8);
    u[15] = (unsigned char)n;
}

static int32_t get_index(struct indexstore *s, unsigned n, int64_t now)
{
    unsigned char u[16];
    make_uuid(u, n);
    struct indexstore_entry *e = indexstore_get(s, u, now);
    assert_non_null(e);
    assert_memory_equal(e->uuid, u, 16);
    return e->index;
}

static struct indexstore_entry *find(struct indexstore *s, unsigned n)
{
    unsigned char u[16];
    make_uuid(u, n);
    return indexstore_find(s, u);
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_true(fputs(text, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
}

/* ---- allocation ---- */

static void test_new_uuids_get_1_2_3(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->store.next, 1);
    assert_false(f->store.dirty);
    assert_int_equal(get_index(&f->store, 30, 100), 1);
    assert_int_equal(get_index(&f->store, 10, 100), 2);
    assert_int_equal(get_index(&f->store, 20, 100), 3);
    assert_int_equal(f->store.count, 3);
    assert_int_equal(f->store.next, 4);
    assert_true(f->store.dirty);
    /* The array stays sorted by UUID whatever the allocation order. */
    for (size_t i = 1; i < f->store.count; i++)
        assert_true(memcmp(f->store.entries[i - 1].uuid, f->store.entries[i].uuid, 16) < 0);
}

static void test_same_uuid_same_index(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(get_index(&f->store, 2, 100), 2);
    assert_int_equal(get_index(&f->store, 1, 200), 1);
    assert_int_equal(get_index(&f->store, 2, 300), 2);
    assert_int_equal(get_index(&f->store, 1, 400), 1);
    assert_int_equal(f->store.count, 2);
    assert_int_equal(f->store.next, 3);
    /* Seeing a VM again moves its last_seen. */
    assert_non_null(find(&f->store, 1));
    assert_int_equal(find(&f->store, 1)->last_seen, 400);
    assert_int_equal(find(&f->store, 2)->last_seen, 300);
}

static void test_find(void **state)
{
    struct fixture *f = *state;
    assert_null(find(&f->store, 1));
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_non_null(find(&f->store, 1));
    assert_int_equal(find(&f->store, 1)->index, 1);
    assert_null(find(&f->store, 2));
    /* find does not allocate. */
    assert_int_equal(f->store.count, 1);
    assert_int_equal(f->store.next, 2);
}

static void test_many_vms(void **state)
{
    struct fixture *f = *state;
    /* More than the initial capacity, in an order that inserts everywhere. */
    for (unsigned i = 0; i < 300; i++)
        assert_int_equal(get_index(&f->store, (i * 7919u) % 1000u, 1), (int32_t)i + 1);
    for (unsigned i = 0; i < 300; i++)
        assert_int_equal(find(&f->store, (i * 7919u) % 1000u)->index, (int32_t)i + 1);
    assert_int_equal(f->store.count, 300);
}

/* ---- persistence ---- */

static void test_save_load_round_trip(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(get_index(&f->store, 1, 1000), 1);
    assert_int_equal(get_index(&f->store, 2, 1001), 2);
    assert_int_equal(get_index(&f->store, 3, 1002), 3);
    find(&f->store, 2)->started = 999;
    assert_int_equal(indexstore_save(&f->store, f->path, 1234, f->err, sizeof(f->err)), 0);
    assert_false(f->store.dirty);
    assert_int_equal(f->store.saved_at, 1234);
    /* Written through a temporary file that is renamed away. */
    char tmp[320];
    snprintf(tmp, sizeof(tmp), "%s.new", f->path);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(f->path, F_OK), 0);

    struct indexstore s2;
    indexstore_init(&s2);
    f->err[0] = '\0';
    assert_int_equal(indexstore_load(&s2, f->path, f->err, sizeof(f->err)), 0);
    assert_string_equal(f->err, "");
    assert_int_equal(s2.count, 3);
    assert_int_equal(s2.next, 4);
    assert_false(s2.dirty);
    for (unsigned n = 1; n <= 3; n++) {
        struct indexstore_entry *e = find(&s2, n);
        assert_non_null(e);
        assert_int_equal(e->index, (int32_t)n);
        assert_int_equal(e->last_seen, 999 + (int64_t)n);
        assert_int_equal(e->started, n == 2 ? 999 : 0);
    }
    /* Known VMs keep their index, the next new one continues the counter. */
    assert_int_equal(get_index(&s2, 2, 2000), 2);
    assert_int_equal(get_index(&s2, 4, 2000), 4);
    indexstore_free(&s2);
}

static void test_counter_survives_forgotten_vms(void **state)
{
    struct fixture *f = *state;
    /* Five VMs, the last three forgotten before the save: the counter
     * written to the file still says 6. */
    for (unsigned n = 1; n <= 5; n++)
        assert_int_equal(get_index(&f->store, n, n <= 2 ? 5000 : 100), (int32_t)n);
    indexstore_expire(&f->store, 5000, 3600);
    assert_int_equal(f->store.count, 2);
    assert_int_equal(indexstore_save(&f->store, f->path, 5000, f->err, sizeof(f->err)), 0);

    struct indexstore s2;
    indexstore_init(&s2);
    assert_int_equal(indexstore_load(&s2, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(s2.count, 2);
    assert_int_equal(s2.next, 6);
    /* A forgotten VM coming back is a new VM: index 6, not its old 3. */
    assert_int_equal(get_index(&s2, 3, 6000), 6);
    assert_int_equal(get_index(&s2, 99, 6000), 7);
    indexstore_free(&s2);
}

static void test_load_missing_file(void **state)
{
    struct fixture *f = *state;
    char missing[320];
    snprintf(missing, sizeof(missing), "%s/does-not-exist.conf", f->dir);
    f->err[0] = '\0';
    assert_int_equal(indexstore_load(&f->store, missing, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.count, 0);
    assert_int_equal(f->store.next, 1);
    assert_false(f->store.dirty);
    assert_string_equal(f->err, "");
    assert_int_equal(get_index(&f->store, 1, 1), 1);
}

static void test_load_empty_and_comments(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.count, 0);
    assert_int_equal(f->store.next, 1);

    write_file(f->path, "# only a comment\n\n# and another\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.count, 0);
    assert_int_equal(f->store.next, 1);
}

static void test_load_malformed_lines(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "# header\n"
                        "next 10\n"
                        "this is not a line of ours\n"
                        "vm 00000000-0000-0000-0000-000000000001 1 100 0\n"
                        "vm not-a-uuid 2 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000003 0 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000004 4\n"
                        "next 0\n"
                        "next 2147483648\n"
                        "vm 00000000-0000-0000-0000-000000000005 5 100 50\n");
    f->err[0] = '\0';
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), -1);
    /* The message names the file and the first bad line. */
    char want[400];
    snprintf(want, sizeof(want), "%s:3:", f->path);
    assert_non_null(strstr(f->err, want));
    /* The valid lines, before and after the bad ones, are kept. */
    assert_int_equal(f->store.count, 2);
    unsigned char u[16];
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000001", u), 0);
    assert_non_null(indexstore_find(&f->store, u));
    assert_int_equal(indexstore_find(&f->store, u)->index, 1);
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000005", u), 0);
    assert_non_null(indexstore_find(&f->store, u));
    assert_int_equal(indexstore_find(&f->store, u)->index, 5);
    assert_int_equal(indexstore_find(&f->store, u)->started, 50);
    assert_int_equal(f->store.next, 10);
}

static void test_load_first_bad_line_number(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "next 3\n"
                        "vm 00000000-0000-0000-0000-000000000001 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 2 100 0\n"
                        "\n"
                        "garbage\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), -1);
    char want[400];
    snprintf(want, sizeof(want), "%s:5:", f->path);
    assert_non_null(strstr(f->err, want));
    assert_int_equal(f->store.count, 2);
    assert_int_equal(f->store.next, 3);
}

static void test_load_duplicate_index_rejected(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "next 3\n"
                        "vm 00000000-0000-0000-0000-000000000001 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000003 2 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), -1);
    char want[400];
    snprintf(want, sizeof(want), "%s:3:", f->path);
    assert_non_null(strstr(f->err, want));
    assert_int_equal(f->store.count, 2);
    unsigned char u[16];
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000001", u), 0);
    assert_int_equal(indexstore_find(&f->store, u)->index, 1);
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000002", u), 0);
    assert_null(indexstore_find(&f->store, u));
    /* The rejected VM, when it shows up, gets a fresh index. */
    assert_non_null(indexstore_get(&f->store, u, 200));
    assert_int_equal(indexstore_find(&f->store, u)->index, 3);
}

static void test_load_duplicate_uuid_rejected(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "next 5\n"
                        "vm 00000000-0000-0000-0000-000000000001 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000001 4 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), -1);
    char want[400];
    snprintf(want, sizeof(want), "%s:3:", f->path);
    assert_non_null(strstr(f->err, want));
    assert_int_equal(f->store.count, 1);
    assert_int_equal(f->store.entries[0].index, 1);
}

static void test_load_counter_above_indexes(void **state)
{
    struct fixture *f = *state;
    /* A hand-edited file whose counter is behind its indexes: the counter
     * is moved above the largest one, whatever the line order. */
    write_file(f->path, "next 2\n"
                        "vm 00000000-0000-0000-0000-000000000001 7 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 3 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.next, 8);
    indexstore_free(&f->store);

    write_file(f->path, "vm 00000000-0000-0000-0000-000000000001 7 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 3 100 0\n"
                        "next 2\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.next, 8);
    indexstore_free(&f->store);

    /* A counter ahead of the indexes is kept. */
    write_file(f->path, "next 50\n"
                        "vm 00000000-0000-0000-0000-000000000001 7 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.next, 50);
}

static void test_load_exhausted_counter_any_order(void **state)
{
    struct fixture *f = *state;
    /* INT32_MAX is on file, so the counter is exhausted (-1) however the
     * lines are ordered. */
    write_file(f->path, "next 5\n"
                        "vm 00000000-0000-0000-0000-000000000001 2147483647 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.next, -1);
    indexstore_free(&f->store);

    write_file(f->path, "vm 00000000-0000-0000-0000-000000000001 2147483647 100 0\n"
                        "next 5\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    /* "The counter must stay above every index on file" (indexstore.c). */
    assert_int_equal(f->store.next, -1);
    /* So the next VM gets the smallest free index, 1. */
    assert_int_equal(get_index(&f->store, 9, 200), 1);
}

static void test_load_long_comment_line(void **state)
{
    struct fixture *f = *state;
    /* A comment longer than the line buffer is still one comment line. */
    char text[1024];
    size_t n = 0;
    text[n++] = '#';
    while (n < 400)
        text[n++] = 'x';
    text[n] = '\0';
    strcat(text, "\nnext 3\nvm 00000000-0000-0000-0000-000000000001 2 100 0\n");
    write_file(f->path, text);
    f->err[0] = '\0';
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_string_equal(f->err, "");
    assert_int_equal(f->store.count, 1);
    assert_int_equal(f->store.next, 3);
}

static void test_save_unwritable(void **state)
{
    struct fixture *f = *state;
    char bad[320];
    snprintf(bad, sizeof(bad), "%s/no-such-dir/index.conf", f->dir);
    assert_int_equal(get_index(&f->store, 1, 1), 1);
    f->err[0] = '\0';
    assert_int_equal(indexstore_save(&f->store, bad, 10, f->err, sizeof(f->err)), -1);
    assert_true(strlen(f->err) > 0);
    assert_non_null(strstr(f->err, "no-such-dir"));
    /* Still dirty: nothing was written. */
    assert_true(f->store.dirty);
    assert_int_equal(f->store.saved_at, 0);
}

/* ---- expiry ---- */

static void test_expire(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(get_index(&f->store, 2, 150), 2);
    assert_int_equal(get_index(&f->store, 3, 200), 3);
    assert_int_equal(indexstore_save(&f->store, f->path, 200, f->err, sizeof(f->err)), 0);
    assert_false(f->store.dirty);

    /* Nothing older than the retention: nothing goes, not dirty. */
    indexstore_expire(&f->store, 150, 100);
    assert_int_equal(f->store.count, 3);
    assert_false(f->store.dirty);

    /* Seen exactly `retention` ago is kept; one second more is gone. */
    indexstore_expire(&f->store, 200, 100);
    assert_int_equal(f->store.count, 3);
    assert_false(f->store.dirty);
    indexstore_expire(&f->store, 201, 100);
    assert_int_equal(f->store.count, 2);
    assert_true(f->store.dirty);
    assert_null(find(&f->store, 1));
    assert_non_null(find(&f->store, 2));
    assert_non_null(find(&f->store, 3));

    indexstore_expire(&f->store, 400, 100);
    assert_int_equal(f->store.count, 0);

    /* The next new VM gets a fresh index, not 1. */
    assert_int_equal(get_index(&f->store, 4, 400), 4);
    /* And a forgotten VM coming back is a new VM too. */
    assert_int_equal(get_index(&f->store, 1, 400), 5);
}

static void test_expired_index_not_reused(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(get_index(&f->store, 2, 100), 2);
    assert_int_equal(get_index(&f->store, 3, 100), 3);
    assert_int_equal(get_index(&f->store, 3, 1000), 3);
    indexstore_expire(&f->store, 1000, 10);
    assert_int_equal(f->store.count, 1);
    /* 1 and 2 are free but may still be in a manager's cache. */
    assert_int_equal(get_index(&f->store, 10, 1000), 4);
    assert_int_equal(get_index(&f->store, 11, 1000), 5);
    assert_int_equal(f->store.next, 6);
}

/* ---- counter exhaustion ---- */

static void test_counter_exhaustion(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(get_index(&f->store, 2, 100), 2);
    assert_int_equal(get_index(&f->store, 3, 1000), 3);

    f->store.next = INT32_MAX;
    assert_int_equal(get_index(&f->store, 4, 1000), INT32_MAX);
    assert_int_equal(f->store.next, -1);

    /* Counter exhausted: the smallest index no remembered VM holds. */
    assert_int_equal(get_index(&f->store, 5, 1000), 4);
    indexstore_expire(&f->store, 1000, 10); /* forgets 1 and 2 */
    assert_int_equal(get_index(&f->store, 6, 1000), 1);
    assert_int_equal(get_index(&f->store, 7, 1000), 2);
    assert_int_equal(get_index(&f->store, 8, 1000), 5);
    assert_int_equal(f->store.next, -1);
    /* Known VMs still keep theirs. */
    assert_int_equal(get_index(&f->store, 4, 1000), INT32_MAX);
    assert_int_equal(get_index(&f->store, 3, 1000), 3);

    /* The exhausted counter survives a save and load. */
    assert_int_equal(indexstore_save(&f->store, f->path, 1000, f->err, sizeof(f->err)), 0);
    struct indexstore s2;
    indexstore_init(&s2);
    assert_int_equal(indexstore_load(&s2, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(s2.next, -1);
    assert_int_equal(s2.count, f->store.count);
    assert_int_equal(find(&s2, 4)->index, INT32_MAX);
    assert_int_equal(get_index(&s2, 9, 1000), 6);
    indexstore_free(&s2);
}

static void test_counter_taken_index_skipped(void **state)
{
    struct fixture *f = *state;
    /* A counter pointing at an index already held (hand-edited state) must
     * not hand it out twice. */
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(get_index(&f->store, 2, 100), 2);
    f->store.next = 2;
    int32_t idx = get_index(&f->store, 3, 100);
    assert_true(idx != 1 && idx != 2);
}

/* ---- UUID text ---- */

static void test_uuid_round_trip(void **state)
{
    (void)state;
    const char *text = "6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8";
    unsigned char u[16];
    char out[37];
    assert_int_equal(text_uuid_parse(text, u), 0);
    static const unsigned char want[16] = {0x6a, 0x1f, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70,
                                           0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8};
    assert_memory_equal(u, want, 16);
    memset(out, 'z', sizeof(out));
    text_uuid_format(u, out);
    assert_string_equal(out, text);

    /* Upper case is read, lower case is written. */
    assert_int_equal(text_uuid_parse("6A1F2B3C-4D5E-6F70-8192-A3B4C5D6E7F8", u), 0);
    assert_memory_equal(u, want, 16);

    /* All byte values survive. */
    for (unsigned b = 0; b < 256; b += 15) {
        unsigned char v[16], w[16];
        for (int i = 0; i < 16; i++)
            v[i] = (unsigned char)(b + (unsigned)i * 17);
        text_uuid_format(v, out);
        assert_int_equal(strlen(out), 36);
        assert_int_equal(text_uuid_parse(out, w), 0);
        assert_memory_equal(v, w, 16);
    }

    static const unsigned char zero[16] = {0};
    text_uuid_format(zero, out);
    assert_string_equal(out, "00000000-0000-0000-0000-000000000000");
}

static void test_uuid_parse_rejects_bad(void **state)
{
    (void)state;
    unsigned char u[16];
    assert_int_equal(text_uuid_parse("", u), -1);
    assert_int_equal(text_uuid_parse("-", u), -1);
    assert_int_equal(text_uuid_parse("6a1f2b3c", u), -1);
    /* 31 hex digits */
    assert_int_equal(text_uuid_parse("6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f", u), -1);
    /* non-hex characters */
    assert_int_equal(text_uuid_parse("6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7fg", u), -1);
    assert_int_equal(text_uuid_parse("g a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8", u), -1);
    assert_int_equal(text_uuid_parse("6a1f2b3c 4d5e 6f70 8192 a3b4c5d6e7f8", u), -1);
    assert_int_equal(text_uuid_parse("not-a-uuid", u), -1);
}

static void test_uuid_parse_rejects_trailing(void **state)
{
    (void)state;
    unsigned char u[16];
    /* Anything after the 32nd hex digit makes it not a UUID. */
    assert_int_equal(text_uuid_parse("6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f80", u), -1);
    assert_int_equal(text_uuid_parse("6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8-0000", u), -1);
    assert_int_equal(text_uuid_parse("6a1f2b3c-4d5e-6f70-8192-a3b4c5d6e7f8junk", u), -1);
}

static void test_load_rejects_uuid_with_trailing(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "next 3\n"
                        "vm 00000000-0000-0000-0000-000000000001 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002xyz 2 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), -1);
    assert_int_equal(f->store.count, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_new_uuids_get_1_2_3),
        T(test_same_uuid_same_index),
        T(test_find),
        T(test_many_vms),
        T(test_save_load_round_trip),
        T(test_counter_survives_forgotten_vms),
        T(test_load_missing_file),
        T(test_load_empty_and_comments),
        T(test_load_malformed_lines),
        T(test_load_first_bad_line_number),
        T(test_load_duplicate_index_rejected),
        T(test_load_duplicate_uuid_rejected),
        T(test_load_counter_above_indexes),
        T(test_load_exhausted_counter_any_order),
        T(test_load_long_comment_line),
        T(test_save_unwritable),
        T(test_expire),
        T(test_expired_index_not_reused),
        T(test_counter_exhaustion),
        T(test_counter_taken_index_skipped),
        T(test_uuid_round_trip),
        T(test_uuid_parse_rejects_bad),
        T(test_uuid_parse_rejects_trailing),
        T(test_load_rejects_uuid_with_trailing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
