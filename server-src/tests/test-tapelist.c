/* Unit tests for tapelist: the tapelist AMANDA 3.5.1 wrote is read and
 * rebuilt byte-identically; every field round-trips; bad lines name
 * FILE:LINE; edits keep the newest-first order; AMANDA's reuse rule; the
 * lock file serialises writers. */
#include "config.h"
#include "tapelist.h"
#include "catalogue-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <stdio.h>
#include <unistd.h>

static tapelist_t *
parse(const char *text)
{
    GError *err = NULL;
    tapelist_t *tl = tapelist_parse_named(text, strlen(text), "tl", &err);
    g_assert_no_error(err);
    return tl;
}

static const tapelist_entry_t *
nth(const tapelist_t *tl, guint i)
{
    return g_ptr_array_index(tl->entries, i);
}

static void
test_obs(void)
{
    gsize len;
    g_autofree char *text = ct_data("obs-tapelist", &len);
    g_autoptr(tapelist_t) tl = parse(text);
    g_assert_cmpuint(tl->entries->len, ==, 1);
    const tapelist_entry_t *e = nth(tl, 0);
    g_assert_cmpstr(e->datestamp, ==, "20261125104704");
    g_assert_cmpstr(e->label, ==, "Obs-001");
    g_assert_true(e->reuse);
    g_assert_cmpint(e->blocksize, ==, 32);
    g_assert_cmpstr(e->pool, ==, "Obs");
    g_assert_cmpstr(e->storage, ==, "Obs");
    g_assert_cmpstr(e->config, ==, "Obs");
    g_assert_null(e->barcode);
    g_autofree char *out = tapelist_format(tl);
    g_assert_cmpstr(out, ==, text);
}

static void
test_round_trip_all_fields(void)
{
    const char *text =
        "20261125104704 Obs-003 no-reuse BARCODE:B0003 META:M1 BLOCKSIZE:256 POOL:p "
        "STORAGE:s CONFIG:c #kept for audit\n"
        "20261125064520 Bench-002 reuse BLOCKSIZE:32 POOL:Bench STORAGE:Bench CONFIG:Bench\n"
        "0 Obs-009 reuse\n";
    g_autoptr(tapelist_t) tl = parse(text);
    g_assert_cmpuint(tl->entries->len, ==, 3);
    g_assert_false(nth(tl, 0)->reuse);
    g_assert_cmpstr(nth(tl, 0)->barcode, ==, "B0003");
    g_assert_cmpstr(nth(tl, 0)->meta, ==, "M1");
    g_assert_cmpstr(nth(tl, 0)->comment, ==, "kept for audit");
    g_assert_cmpstr(nth(tl, 2)->datestamp, ==, "0");
    g_autofree char *out = tapelist_format(tl);
    g_assert_cmpstr(out, ==, text);

    /* old-style lines without reuse word, extra blanks, unknown words */
    const char *old = "20050101  VOL1\n\n   20040101 VOL0 reuse NEWTHING:1\n";
    g_autoptr(tapelist_t) t2 = parse(old);
    g_assert_cmpuint(t2->entries->len, ==, 2);
    g_assert_true(nth(t2, 0)->reuse);
    g_autofree char *o2 = tapelist_format(t2);
    g_assert_cmpstr(o2, ==, "20050101 VOL1 reuse\n20040101 VOL0 reuse\n");
}

static void
assert_bad(const char *text, gsize len, const char *prefix, const char *part)
{
    GError *err = NULL;
    g_assert_null(tapelist_parse_named(text, len, "/st/tapelist", &err));
    g_assert_error(err, TAPELIST_ERROR, TAPELIST_ERROR_SYNTAX);
    if (!g_str_has_prefix(err->message, prefix) || !strstr(err->message, part))
        g_error("message \"%s\" lacks \"%s\" / \"%s\"", err->message, prefix, part);
    g_error_free(err);
}

static void
test_bad_lines(void)
{
    const char *t1 = "20261125104704 A reuse\n20261125104704\n";
    assert_bad(t1, strlen(t1), "/st/tapelist:2: ", "no label");
    const char *t2 = "2026-11-25 A reuse\n";
    assert_bad(t2, strlen(t2), "/st/tapelist:1: ", "bad timestamp");
    const char *t3 = "\n\n1 A reuse BLOCKSIZE:big\n";
    assert_bad(t3, strlen(t3), "/st/tapelist:3: ", "BLOCKSIZE:big");
    const char *t4 = "1 A reuse BLOCKSIZE:\n";
    assert_bad(t4, strlen(t4), "/st/tapelist:1: ", "BLOCKSIZE");
    assert_bad("1 A\0 reuse\n", 11, "/st/tapelist:1: ", "NUL");
    /* a torn last line is ignored: the writer replaces the file whole,
     * so only a foreign editor leaves one */
    const char *t5 = "1 A reuse\n2 B re";
    g_autoptr(tapelist_t) tl = parse(t5);
    g_assert_cmpuint(tl->entries->len, ==, 1);
}

static void
test_edits(void)
{
    g_autoptr(tapelist_t) tl = parse("20261125104704 V2 reuse\n20261124000000 V1 reuse\n");
    GError *err = NULL;
    g_assert_nonnull(tapelist_add(tl, "0", "V3", TRUE, &err));
    g_assert_nonnull(tapelist_add(tl, "20261124120000", "V4", FALSE, &err));
    g_assert_null(tapelist_add(tl, "1", "V1", TRUE, &err));
    g_assert_error(err, TAPELIST_ERROR, TAPELIST_ERROR_EXISTS);
    g_clear_error(&err);
    g_assert_nonnull(tapelist_add(tl, "0", "V5", TRUE, &err));
    g_autofree char *t1 = tapelist_format(tl);
    g_assert_cmpstr(t1, ==, "20261125104704 V2 reuse\n20261124120000 V4 no-reuse\n"
                            "20261124000000 V1 reuse\n0 V5 reuse\n0 V3 reuse\n");
    g_assert_true(tapelist_remove(tl, "V5", &err));
    g_assert_nonnull(tapelist_mark_written(tl, "V3", "20261126000000", "P", "S", "C", 32, &err));
    g_assert_nonnull(tapelist_mark_written(tl, "V1", "20261126000000", NULL, NULL, NULL, 0,
                                           &err));
    g_assert_null(tapelist_mark_written(tl, "V9", "1", NULL, NULL, NULL, 0, &err));
    g_assert_error(err, TAPELIST_ERROR, TAPELIST_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "V9"));
    g_clear_error(&err);
    g_autofree char *t2 = tapelist_format(tl);
    g_assert_cmpstr(t2, ==, "20261126000000 V1 reuse\n"
                            "20261126000000 V3 reuse BLOCKSIZE:32 POOL:P STORAGE:S CONFIG:C\n"
                            "20261125104704 V2 reuse\n20261124120000 V4 no-reuse\n");
    g_assert_true(tapelist_set_reuse(tl, "V4", TRUE, &err));
    g_assert_true(tapelist_remove(tl, "V2", &err));
    g_assert_false(tapelist_remove(tl, "V2", &err));
    g_clear_error(&err);
    g_assert_false(tapelist_set_reuse(tl, "V2", TRUE, &err));
    g_clear_error(&err);
    g_assert_cmpuint(tl->entries->len, ==, 3);
    g_assert_null(tapelist_lookup_label(tl, "V2"));
    g_assert_true(tapelist_lookup_label(tl, "V4")->reuse);
}

/* What stock amlabel made of an empty tapelist and three labels, then of
 * a fourth label after a written volume was added at the top. */
static void
test_amlabel_order(void)
{
    g_autoptr(tapelist_t) tl = tapelist_new();
    GError *err = NULL;
    static const char *const labels[] = { "catlab-001", "catlab-002", "catlab-003" };
    for (int i = 0; i < 3; i++) {
        tapelist_entry_t *e = tapelist_add(tl, "0", labels[i], TRUE, &err);
        e->blocksize = 32;
        e->pool = g_strdup("catlab");
        e->storage = g_strdup("catlab");
        e->config = g_strdup("catlab");
    }
    g_autofree char *t1 = tapelist_format(tl);
    g_assert_cmpstr(t1, ==,
                    "0 catlab-003 reuse BLOCKSIZE:32 POOL:catlab STORAGE:catlab CONFIG:catlab\n"
                    "0 catlab-002 reuse BLOCKSIZE:32 POOL:catlab STORAGE:catlab CONFIG:catlab\n"
                    "0 catlab-001 reuse BLOCKSIZE:32 POOL:catlab STORAGE:catlab CONFIG:catlab\n");
    g_assert_nonnull(tapelist_add(tl, "20261125000000", "catlab-009", TRUE, &err));
    g_assert_nonnull(tapelist_add(tl, "0", "catlab-004", TRUE, &err));
    g_autofree char *t2 = tapelist_format(tl);
    g_assert_true(g_str_has_prefix(t2, "20261125000000 catlab-009 reuse\n0 catlab-004 reuse\n"
                                       "0 catlab-003 "));
}

static void
test_reuse_rule(void)
{
    g_autoptr(tapelist_t) tl = parse("20261125000004 T4 reuse\n20261125000003 T3 no-reuse\n"
                                     "20261125000002 T2 reuse\n20261125000001 T1 reuse\n"
                                     "0 T5 reuse\n20261125000000 X1 reuse\n");
    GError *err = NULL;
    g_assert_true(tapelist_oldest_reusable(tl, 3, "^T[0-9]$", &err) == nth(tl, 3));
    g_assert_null(tapelist_oldest_reusable(tl, 4, "^T[0-9]$", &err));
    g_assert_no_error(err);
    g_assert_true(tapelist_oldest_reusable(tl, 4, NULL, &err) == nth(tl, 5));
    g_assert_null(tapelist_oldest_reusable(tl, 1, "([", &err));
    g_assert_error(err, TAPELIST_ERROR, TAPELIST_ERROR_REGEX);
    g_assert_nonnull(strstr(err->message, "labelstr"));
    g_clear_error(&err);
    g_assert_true(tapelist_is_reusable(tl, "T1", 3, "^T"));
    g_assert_false(tapelist_is_reusable(tl, "T2", 3, "^T"));
    g_assert_false(tapelist_is_reusable(tl, "T3", 1, "^T"));
    g_assert_true(tapelist_is_reusable(tl, "T5", 99, "^T"));
    g_assert_false(tapelist_is_reusable(tl, "nope", 1, NULL));
}

static void
test_files_and_lock(void)
{
    g_autofree char *dir = ct_tmpdir();
    g_autofree char *path = g_build_filename(dir, "tapelist", NULL);
    GError *err = NULL;
    g_autoptr(tapelist_t) empty = tapelist_read(path, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(empty->entries->len, ==, 0);
    g_autoptr(tapelist_t) tl = parse("20261125104704 Obs-001 reuse BLOCKSIZE:32\n");
    g_assert_true(tapelist_write(path, tl, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(ct_count_entries(dir), ==, 1); /* no temp file left */
    gsize len;
    g_autofree char *text = ct_read(path, &len);
    g_assert_cmpstr(text, ==, "20261125104704 Obs-001 reuse BLOCKSIZE:32\n");

    int fd = tapelist_lock(path, &err);
    g_assert_cmpint(fd, >=, 0);
    /* another process cannot take the lock; it reports through a pipe
     * (under valgrind the exit status says "leaks", not the answer) */
    g_autofree char *lock = g_strconcat(path, ".lock", NULL);
    int pfd[2];
    g_assert_cmpint(pipe(pfd), ==, 0);
    pid_t pid = fork();
    if (pid == 0) {
        int lfd = open(lock, O_RDWR);
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        int rc = fcntl(lfd, F_SETLK, &fl);
        char answer = rc < 0 && (errno == EAGAIN || errno == EACCES) ? 'y' : 'n';
        if (write(pfd[1], &answer, 1) != 1)
            _exit(2);
        _exit(0);
    }
    close(pfd[1]);
    char answer = '?';
    g_assert_cmpint(read(pfd[0], &answer, 1), ==, 1);
    close(pfd[0]);
    waitpid(pid, NULL, 0);
    g_assert_cmpint(answer, ==, 'y');
    tapelist_unlock(fd);

    ct_write(path, "20261125104704 A reuse\nbad\n", -1);
    g_assert_null(tapelist_read(path, &err));
    g_autofree char *prefix = g_strconcat(path, ":2: ", NULL);
    g_assert_true(g_str_has_prefix(err->message, prefix));
    g_clear_error(&err);
    g_autofree char *nodir = g_build_filename(dir, "no", "tapelist", NULL);
    g_assert_false(tapelist_write(nodir, tl, &err));
    g_assert_error(err, TAPELIST_ERROR, TAPELIST_ERROR_IO);
    g_clear_error(&err);
    ct_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tapelist/obs", test_obs);
    g_test_add_func("/tapelist/round-trip-all-fields", test_round_trip_all_fields);
    g_test_add_func("/tapelist/bad-lines", test_bad_lines);
    g_test_add_func("/tapelist/edits", test_edits);
    g_test_add_func("/tapelist/amlabel-order", test_amlabel_order);
    g_test_add_func("/tapelist/reuse-rule", test_reuse_rule);
    g_test_add_func("/tapelist/files-and-lock", test_files_and_lock);
    return g_test_run();
}
