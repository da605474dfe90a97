/* Unit tests for module/model/indexstore.c: compact vmIndex allocation by
 * UUID with a quarantine (issue 11, point 1), the file that is never torn,
 * never follows a planted link and is never overwritten when it could not
 * be read (issue 15, points 3, 4), a load in O(n log n) (point 7), and
 * each file problem reported once (point 8). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
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
    snprintf(tmp, sizeof(tmp), "%s/target", f->dir);
    unlink(tmp);
    snprintf(tmp, sizeof(tmp), "%s/sub/index.conf", f->dir);
    unlink(tmp);
    snprintf(tmp, sizeof(tmp), "%s/sub", f->dir);
    rmdir(tmp);
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

/* The whole file (free it), or NULL. */
static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- allocation ---- */

static void test_new_uuids_get_1_2_3(void **state)
{
    struct fixture *f = *state;
    assert_false(f->store.dirty);
    assert_int_equal(get_index(&f->store, 30, 100), 1);
    assert_int_equal(get_index(&f->store, 10, 100), 2);
    assert_int_equal(get_index(&f->store, 20, 100), 3);
    assert_int_equal(f->store.count, 3);
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
    /* Seeing a VM again moves its last_seen. */
    assert_non_null(find(&f->store, 1));
    assert_int_equal(find(&f->store, 1)->last_seen, 400);
    assert_int_equal(find(&f->store, 2)->last_seen, 300);
}

static void test_find_and_touch(void **state)
{
    struct fixture *f = *state;
    unsigned char u[16];
    make_uuid(u, 1);
    assert_null(find(&f->store, 1));
    assert_null(indexstore_touch(&f->store, u, 50));
    assert_int_equal(f->store.count, 0); /* neither allocates */
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_non_null(indexstore_touch(&f->store, u, 150));
    assert_int_equal(find(&f->store, 1)->last_seen, 150);
    assert_int_equal(find(&f->store, 1)->index, 1);
    assert_null(find(&f->store, 2));
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

/* ---- compact indexes and the quarantine (issue 11, point 1) ---- */

static void test_gone_vm_index_reused_after_quarantine(void **state)
{
    struct fixture *f = *state;
    for (unsigned n = 1; n <= 5; n++)
        assert_int_equal(get_index(&f->store, n, 1000), (int32_t)n);
    /* VMs 2 and 4 go away at 1000; the others are seen on. */
    for (int64_t t = 1001; t <= 1100; t++) {
        unsigned char u[16];
        for (unsigned n = 1; n <= 5; n += 2) {
            make_uuid(u, n);
            assert_non_null(indexstore_touch(&f->store, u, t));
        }
        indexstore_expire(&f->store, t, 60);
    }
    /* Past the quarantine: 2 and 4 are free again, lowest first. */
    assert_null(find(&f->store, 2));
    assert_null(find(&f->store, 4));
    assert_int_equal(get_index(&f->store, 10, 1100), 2);
    assert_int_equal(get_index(&f->store, 11, 1100), 4);
    assert_int_equal(get_index(&f->store, 12, 1100), 6);
    /* A VM that comes back after its quarantine is a new VM. */
    assert_int_equal(get_index(&f->store, 2, 1100), 7);
}

static void test_index_held_within_quarantine(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(get_index(&f->store, 2, 100), 2);
    /* VM 1 is gone; 50 s later (quarantine 60) its index is still held. */
    unsigned char u[16];
    make_uuid(u, 2);
    indexstore_touch(&f->store, u, 150);
    indexstore_expire(&f->store, 150, 60);
    assert_non_null(find(&f->store, 1));
    assert_int_equal(get_index(&f->store, 3, 150), 3);
    /* Seen exactly `quarantine` ago is still held; one second more is not. */
    indexstore_touch(&f->store, u, 160);
    indexstore_expire(&f->store, 160, 60);
    assert_non_null(find(&f->store, 1));
    indexstore_touch(&f->store, u, 161);
    indexstore_expire(&f->store, 161, 60);
    assert_null(find(&f->store, 1));
    assert_int_equal(get_index(&f->store, 4, 161), 1);
}

static void test_present_vm_keeps_index_after_downtime(void **state)
{
    struct fixture *f = *state;
    /* Saved long ago (snmpd was down for longer than the quarantine): the
     * VMs still there are touched before the expiry, so a new VM seen in
     * the same round cannot take their indexes. */
    write_file(f->path, "vm 00000000-0000-0000-0000-000000000001 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 2 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000003 3 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    unsigned char u[16];
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000003", u), 0);
    assert_non_null(indexstore_touch(&f->store, u, 100000));
    indexstore_expire(&f->store, 100000, 86400);
    assert_int_equal(f->store.count, 1);
    assert_int_equal(get_index(&f->store, 9, 100000), 1);
    assert_int_equal(get_index(&f->store, 8, 100000), 2);
    assert_int_equal(indexstore_find(&f->store, u)->index, 3);
    assert_int_equal(get_index(&f->store, 7, 100000), 4);
}

static void test_existing_assignments_kept_counter_ignored(void **state)
{
    struct fixture *f = *state;
    /* A file of an older version: a counter near 2^31 and big indexes.
     * Known VMs keep theirs; new VMs get the lowest free ones. */
    write_file(f->path, "next 2147483000\n"
                        "vm 00000000-0000-0000-0000-000000000001 101 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 600001 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000003 2147482999 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    unsigned char u[16];
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000002", u), 0);
    assert_int_equal(indexstore_get(&f->store, u, 200)->index, 600001);
    for (unsigned n = 1; n <= 100; n++)
        assert_int_equal(get_index(&f->store, 1000 + n, 200), (int32_t)n);
    assert_int_equal(get_index(&f->store, 2000, 200), 102);
    /* Written back without the counter, which no longer means anything. */
    assert_int_equal(indexstore_save(&f->store, f->path, 200, f->err, sizeof(f->err)), 0);
    char *text = read_file(f->path);
    assert_non_null(text);
    assert_null(strstr(text, "next"));
    assert_non_null(strstr(text, "vm 00000000-0000-0000-0000-000000000003 2147482999 100 0\n"));
    free(text);
}

static void test_lowest_free_is_found_in_log_time(void **state)
{
    struct fixture *f = *state;
    /* 100,000 VMs, then every tenth goes: each new VM takes the lowest gap. */
    for (unsigned n = 1; n <= 100000; n++)
        assert_int_equal(get_index(&f->store, n, n % 10 == 0 ? 1 : 1000), (int32_t)n);
    indexstore_expire(&f->store, 1000, 100);
    assert_int_equal(f->store.count, 90000);
    int64_t t0 = now_ms();
    for (unsigned k = 1; k <= 10000; k++)
        assert_int_equal(get_index(&f->store, 200000 + k, 1000), (int32_t)(10 * k));
    assert_int_equal(get_index(&f->store, 300000, 1000), 100001);
    printf("  10,000 allocations among 100,000 VMs: %lld ms\n", (long long)(now_ms() - t0));
}

static void test_departure_marks_file_for_writing(void **state)
{
    struct fixture *f = *state;
    unsigned char u1[16], u2[16];
    make_uuid(u1, 1);
    make_uuid(u2, 2);
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(get_index(&f->store, 2, 100), 2);
    indexstore_expire(&f->store, 100, 3600);
    assert_int_equal(indexstore_save(&f->store, f->path, 100, f->err, sizeof(f->err)), 0);
    /* Both seen again: nothing to write. */
    indexstore_touch(&f->store, u1, 101);
    indexstore_touch(&f->store, u2, 101);
    indexstore_expire(&f->store, 101, 3600);
    assert_false(f->store.dirty);
    /* VM 2 is gone: the file must record when it was last seen. */
    indexstore_touch(&f->store, u1, 102);
    indexstore_expire(&f->store, 102, 3600);
    assert_true(f->store.dirty);
    assert_int_equal(indexstore_save(&f->store, f->path, 102, f->err, sizeof(f->err)), 0);
    indexstore_touch(&f->store, u1, 103);
    indexstore_expire(&f->store, 103, 3600);
    assert_false(f->store.dirty);
}

/* ---- the file ---- */

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
    /* Written through a temporary file that is renamed away; only snmpd
     * may read it (UUIDs and start times). */
    char tmp[320];
    snprintf(tmp, sizeof(tmp), "%s.new", f->path);
    assert_int_equal(access(tmp, F_OK), -1);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    struct indexstore s2;
    indexstore_init(&s2);
    f->err[0] = '\0';
    assert_int_equal(indexstore_load(&s2, f->path, f->err, sizeof(f->err)), 0);
    assert_string_equal(f->err, "");
    assert_int_equal(s2.count, 3);
    assert_false(s2.dirty);
    for (unsigned n = 1; n <= 3; n++) {
        struct indexstore_entry *e = find(&s2, n);
        assert_non_null(e);
        assert_int_equal(e->index, (int32_t)n);
        assert_int_equal(e->last_seen, 999 + (int64_t)n);
        assert_int_equal(e->started, n == 2 ? 999 : 0);
    }
    assert_int_equal(get_index(&s2, 2, 2000), 2);
    assert_int_equal(get_index(&s2, 4, 2000), 4);
    indexstore_free(&s2);
}

static void test_planted_link_not_followed(void **state)
{
    struct fixture *f = *state;
    /* Issue 15, point 4: a link planted at the temporary file's name. */
    char tmp[320], target[320];
    snprintf(tmp, sizeof(tmp), "%s.new", f->path);
    snprintf(target, sizeof(target), "%s/target", f->dir);
    write_file(target, "precious\n");
    assert_int_equal(symlink(target, tmp), 0);
    assert_int_equal(get_index(&f->store, 1, 100), 1);
    assert_int_equal(indexstore_save(&f->store, f->path, 100, f->err, sizeof(f->err)), 0);
    char *text = read_file(target);
    assert_string_equal(text, "precious\n");
    free(text);
    struct stat st;
    assert_int_equal(lstat(f->path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(lstat(tmp, &st), -1);
    /* A stale temporary file (a crash between create and rename) too. */
    write_file(tmp, "half a file");
    assert_int_equal(chmod(tmp, 0644), 0);
    assert_int_equal(get_index(&f->store, 2, 100), 2);
    assert_int_equal(indexstore_save(&f->store, f->path, 100, f->err, sizeof(f->err)), 0);
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.count, 2);
}

static void test_load_missing_file(void **state)
{
    struct fixture *f = *state;
    char missing[320];
    snprintf(missing, sizeof(missing), "%s/does-not-exist.conf", f->dir);
    f->err[0] = '\0';
    assert_int_equal(indexstore_load(&f->store, missing, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.count, 0);
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

    write_file(f->path, "# only a comment\n\n# and another\nnext 7\nnext -1\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    assert_int_equal(f->store.count, 0);
    assert_int_equal(get_index(&f->store, 1, 1), 1);
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
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)),
                     INDEXSTORE_MALFORMED);
    /* The message names the file, the first bad line, and how many. */
    char want[400];
    snprintf(want, sizeof(want), "%s:3:", f->path);
    assert_non_null(strstr(f->err, want));
    assert_non_null(strstr(f->err, "(6 in all)"));
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
}

static void test_load_duplicate_index_rejected(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "vm 00000000-0000-0000-0000-000000000001 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 1 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000003 2 100 0\n"
                        "vm 00000000-0000-0000-0000-000000000002 7 100 0\n");
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), -1);
    char want[400];
    snprintf(want, sizeof(want), "%s:2:", f->path);
    assert_non_null(strstr(f->err, want));
    /* File order decides: the first line for an index wins, and a line
     * refused for its index does not claim its UUID (line 4 is taken). */
    assert_int_equal(f->store.count, 3);
    unsigned char u[16];
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000001", u), 0);
    assert_int_equal(indexstore_find(&f->store, u)->index, 1);
    assert_int_equal(text_uuid_parse("00000000-0000-0000-0000-000000000002", u), 0);
    assert_int_equal(indexstore_find(&f->store, u)->index, 7);
    assert_int_equal(get_index(&f->store, 40, 200), 3);
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
    /* Index 4 is not held by anyone. */
    for (unsigned n = 2; n <= 4; n++)
        assert_int_equal(get_index(&f->store, 100 + n, 200), (int32_t)n);
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

static void test_save_unwritable(void **state)
{
    struct fixture *f = *state;
    char bad[320];
    snprintf(bad, sizeof(bad), "%s/no-such-dir/index.conf", f->dir);
    assert_int_equal(get_index(&f->store, 1, 1), 1);
    f->err[0] = '\0';
    assert_int_equal(indexstore_save(&f->store, bad, 10, f->err, sizeof(f->err)), -1);
    assert_non_null(strstr(f->err, "no-such-dir"));
    /* Still dirty: nothing was written. */
    assert_true(f->store.dirty);
    assert_int_equal(f->store.saved_at, 0);
}

/* Issue 15, point 7: 139,000 entries (an 8 MB file) loaded in a fraction
 * of a second (6.4 s before: each line was inserted with a linear scan of
 * every index), and the allocation after it is immediate. */
static void test_load_139000_entries_fast(void **state)
{
    struct fixture *f = *state;
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fprintf(fp, "next 139001\n");
    for (unsigned n = 1; n <= 139000; n++) {
        unsigned char u[16];
        char text[37];
        /* Spread UUIDs in an order unlike the index order. */
        make_uuid(u, (n * 2654435761u) ^ 0x5bd1e995u);
        text_uuid_format(u, text);
        fprintf(fp, "vm %s %u %u 0\n", text, n, 1700000000u + n);
    }
    assert_int_equal(fclose(fp), 0);
    int64_t t0 = now_ms();
    assert_int_equal(indexstore_load(&f->store, f->path, f->err, sizeof(f->err)), 0);
    int64_t took = now_ms() - t0;
    printf("  load of 139,000 entries: %lld ms\n", (long long)took);
    assert_int_equal(f->store.count, 139000);
    assert_true(took < 3000);
    assert_int_equal(get_index(&f->store, 7, 1800000000), 139001);
    t0 = now_ms();
    assert_int_equal(indexstore_save(&f->store, f->path, 1, f->err, sizeof(f->err)), 0);
    printf("  save of 139,001 entries: %lld ms\n", (long long)(now_ms() - t0));
}

/* ---- the store's file: protected, reported once (issue 15, points 3, 8) ---- */

static void test_unreadable_file_never_overwritten(void **state)
{
    struct fixture *f = *state;
    char msg[1024];
    /* A file that exists but cannot be read, even by root: a socket. */
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(sock >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    assert_true(strlen(f->path) < sizeof(a.sun_path));
    memcpy(a.sun_path, f->path, strlen(f->path) + 1);
    assert_int_equal(bind(sock, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(indexstore_open(&f->store, f->path, 1000, msg, sizeof(msg)),
                     INDEXSTORE_TROUBLE);
    assert_non_null(strstr(msg, "cannot read"));
    assert_non_null(strstr(msg, "left as it is"));
    /* Served from memory; nothing written, nothing said again. */
    assert_int_equal(get_index(&f->store, 1, 1000), 1);
    for (int64_t t = 1001; t < 1100; t++)
        assert_int_equal(indexstore_sync(&f->store, t, msg, sizeof(msg)), INDEXSTORE_QUIET);
    struct stat st;
    assert_int_equal(lstat(f->path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    close(sock);
    /* The file becomes readable: its assignments come back (VM 1 keeps
     * 101, not the 1 it had in memory), the others are added, and from
     * then on it is written. */
    unlink(f->path);
    write_file(f->path, "vm 00000000-0000-0000-0000-000000000009 1 900 0\n");
    unsigned char u[16];
    make_uuid(u, 1);
    char line[128], text[37];
    text_uuid_format(u, text);
    snprintf(line, sizeof(line), "vm %s 101 900 0\n", text);
    char kept[128];
    snprintf(kept, sizeof(kept), "vm %s 101 1000 0\n", text); /* seen at 1000 */
    FILE *fp = fopen(f->path, "a");
    assert_non_null(fp);
    fputs(line, fp);
    fclose(fp);
    assert_int_equal(get_index(&f->store, 2, 1100), 2);
    assert_int_equal(indexstore_sync(&f->store, 1101, msg, sizeof(msg)), INDEXSTORE_RECOVERED);
    assert_non_null(strstr(msg, "can be read again: its 2 assignments are used (1 VMs change"));
    assert_int_equal(find(&f->store, 1)->index, 101);
    assert_int_equal(find(&f->store, 2)->index, 2);
    assert_int_equal(f->store.count, 3);
    assert_int_equal(indexstore_sync(&f->store, 1102, msg, sizeof(msg)), INDEXSTORE_QUIET);
    char *now = read_file(f->path);
    assert_non_null(strstr(now, kept));
    assert_non_null(strstr(now, "vm 00000000-0000-0000-0000-000000000009 1 900 0\n"));
    free(now);
}

static void test_malformed_file_never_overwritten(void **state)
{
    struct fixture *f = *state;
    char msg[1024];
    const char *text = "vm 00000000-0000-0000-0000-000000000001 101 900 0\n"
                       "vm 00000000-0000-0000-0000-000000000002 102 900 0\n"
                       "\x01\x02 binary garbage \xff\n";
    write_file(f->path, text);
    assert_int_equal(indexstore_open(&f->store, f->path, 1000, msg, sizeof(msg)),
                     INDEXSTORE_TROUBLE);
    assert_non_null(strstr(msg, ":3: ignoring a malformed"));
    /* What could be read is used; new VMs get in-memory indexes. */
    assert_int_equal(f->store.count, 2);
    assert_int_equal(get_index(&f->store, 5, 1000), 1);
    for (int64_t t = 1001; t < 1200; t++)
        assert_int_equal(indexstore_sync(&f->store, t, msg, sizeof(msg)), INDEXSTORE_QUIET);
    char *after = read_file(f->path);
    assert_string_equal(after, text);
    free(after);
    /* Edited, still wrong in another way: said again (once). */
    write_file(f->path, "vm 00000000-0000-0000-0000-000000000001 101 900 0\nbad\nbad\n");
    assert_int_equal(indexstore_sync(&f->store, 1200, msg, sizeof(msg)), INDEXSTORE_TROUBLE);
    assert_non_null(strstr(msg, ":2: ignoring a malformed or duplicate line (2 in all)"));
    assert_int_equal(indexstore_sync(&f->store, 1201, msg, sizeof(msg)), INDEXSTORE_QUIET);
    /* Removed by the operator: the memory's assignments are written. */
    unlink(f->path);
    assert_int_equal(indexstore_sync(&f->store, 1202, msg, sizeof(msg)), INDEXSTORE_RECOVERED);
    assert_non_null(strstr(msg, "is gone"));
    assert_int_equal(indexstore_sync(&f->store, 1203, msg, sizeof(msg)), INDEXSTORE_QUIET);
    struct indexstore s2;
    indexstore_init(&s2);
    assert_int_equal(indexstore_load(&s2, f->path, f->err, sizeof(f->err)), 0);
    /* 101 and 102 (read at the start, within the quarantine) and VM 5's 1. */
    assert_int_equal(s2.count, 3);
    indexstore_free(&s2);
}

static void test_unwritable_reported_once_and_recovery(void **state)
{
    struct fixture *f = *state;
    char msg[1024], path[320], sub[300];
    snprintf(sub, sizeof(sub), "%s/sub", f->dir);
    snprintf(path, sizeof(path), "%s/index.conf", sub);
    assert_int_equal(indexstore_open(&f->store, path, 1000, msg, sizeof(msg)), INDEXSTORE_QUIET);
    assert_int_equal(get_index(&f->store, 1, 1000), 1);
    assert_int_equal(indexstore_sync(&f->store, 1000, msg, sizeof(msg)), INDEXSTORE_TROUBLE);
    assert_non_null(strstr(msg, "cannot write"));
    /* An hour of rounds at 1 s: not one more line. */
    for (int64_t t = 1001; t < 4700; t++) {
        if (t % 500 == 0)
            assert_non_null(indexstore_get(&f->store, (unsigned char[16]){(unsigned char)t}, t));
        assert_int_equal(indexstore_sync(&f->store, t, msg, sizeof(msg)), INDEXSTORE_QUIET);
    }
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(indexstore_sync(&f->store, 4700, msg, sizeof(msg)), INDEXSTORE_RECOVERED);
    assert_non_null(strstr(msg, "is written again"));
    assert_int_equal(indexstore_sync(&f->store, 4701, msg, sizeof(msg)), INDEXSTORE_QUIET);
    struct indexstore s2;
    indexstore_init(&s2);
    assert_int_equal(indexstore_load(&s2, path, f->err, sizeof(f->err)), 0);
    assert_int_equal(s2.count, f->store.count);
    indexstore_free(&s2);
    /* A new failure is reported again. */
    unlink(path);
    assert_int_equal(rmdir(sub), 0);
    assert_non_null(indexstore_get(&f->store, (unsigned char[16]){1, 2, 3}, 4800));
    assert_int_equal(indexstore_sync(&f->store, 4800, msg, sizeof(msg)), INDEXSTORE_TROUBLE);
}

static void test_open_keeps_file_until_a_change(void **state)
{
    struct fixture *f = *state;
    char msg[1024];
    write_file(f->path, "vm 00000000-0000-0000-0000-000000000001 3 900 0\n");
    assert_int_equal(indexstore_open(&f->store, f->path, 1000, msg, sizeof(msg)), INDEXSTORE_QUIET);
    /* Nothing changed: not rewritten at every round (only hourly). */
    assert_int_equal(chmod(f->path, 0644), 0);
    for (int64_t t = 1000; t < 1000 + INDEXSTORE_REFRESH_S; t += 60)
        assert_int_equal(indexstore_sync(&f->store, t, msg, sizeof(msg)), INDEXSTORE_QUIET);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(indexstore_sync(&f->store, 1000 + INDEXSTORE_REFRESH_S, msg, sizeof(msg)),
                     INDEXSTORE_QUIET);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_new_uuids_get_1_2_3),
        T(test_same_uuid_same_index),
        T(test_find_and_touch),
        T(test_many_vms),
        T(test_gone_vm_index_reused_after_quarantine),
        T(test_index_held_within_quarantine),
        T(test_present_vm_keeps_index_after_downtime),
        T(test_existing_assignments_kept_counter_ignored),
        T(test_lowest_free_is_found_in_log_time),
        T(test_departure_marks_file_for_writing),
        T(test_save_load_round_trip),
        T(test_planted_link_not_followed),
        T(test_load_missing_file),
        T(test_load_empty_and_comments),
        T(test_load_malformed_lines),
        T(test_load_first_bad_line_number),
        T(test_load_duplicate_index_rejected),
        T(test_load_duplicate_uuid_rejected),
        T(test_load_long_comment_line),
        T(test_load_rejects_uuid_with_trailing),
        T(test_save_unwritable),
        T(test_load_139000_entries_fast),
        T(test_unreadable_file_never_overwritten),
        T(test_malformed_file_never_overwritten),
        T(test_unwritable_reported_once_and_recovery),
        T(test_open_keeps_file_until_a_change),
        T(test_uuid_round_trip),
        T(test_uuid_parse_rejects_bad),
        T(test_uuid_parse_rejects_trailing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
