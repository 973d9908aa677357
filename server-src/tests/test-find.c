/* Unit tests for find: the `amadmin CONFIG find` table is built from run
 * logs and the tapelist exactly as AMANDA 3.5.1 prints it -- for the real
 * Obs run, and for a log with spanning, partial and failed dumps whose
 * expected output stock amadmin printed (tests/data/synthetic-*); logs in
 * oldlog, overwritten volumes, foreign logs, sort keys. */
#include "config.h"
#include "find.h"
#include "logfile.h"
#include "catalogue-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

/* A log directory holding the data files NAMES (renamed to AS). */
static char *
make_logdir(const char *const *names, const char *const *as, const char *tapelist)
{
    char *dir = ct_tmpdir();
    for (guint i = 0; names[i]; i++) {
        gsize len;
        g_autofree char *buf = ct_data(names[i], &len);
        g_autofree char *path = g_build_filename(dir, as[i], NULL);
        ct_write(path, buf, (gssize)len);
    }
    gsize len;
    g_autofree char *tl = ct_data(tapelist, &len);
    g_autofree char *tlpath = g_build_filename(dir, "tapelist", NULL);
    ct_write(tlpath, tl, (gssize)len);
    return dir;
}

static char *
find_table(const char *dir, const char *order)
{
    GError *err = NULL;
    g_autofree char *tl = g_build_filename(dir, "tapelist", NULL);
    g_autoptr(GPtrArray) res = find_dumps(dir, tl, &err);
    g_assert_no_error(err);
    if (order)
        g_assert_true(find_sort(res, order, &err));
    return find_format(res);
}

static void
assert_table(const char *got, const char *expected_file)
{
    gsize len;
    g_autofree char *want = ct_data(expected_file, &len);
    g_assert_cmpstr(got, ==, want);
}

static const char *const obs_names[] = { "obs-log.20261125104704.0", NULL };
static const char *const obs_as[] = { "log.20261125104704.0", NULL };
static const char *const both_names[] = { "obs-log.20261125104704.0",
                                          "synthetic-log.20261125110000.0", NULL };
static const char *const both_as[] = { "log.20261125104704.0", "log.20261125110000.0", NULL };

static void
test_obs(void)
{
    g_autofree char *dir = make_logdir(obs_names, obs_as, "obs-tapelist");
    g_autofree char *table = find_table(dir, NULL);
    assert_table(table, "obs-amadmin-find.txt");

    GError *err = NULL;
    g_autofree char *tl = g_build_filename(dir, "tapelist", NULL);
    g_autoptr(GPtrArray) res = find_dumps(dir, tl, &err);
    g_assert_cmpuint(res->len, ==, 3);
    const find_result_t *r = g_ptr_array_index(res, 1);
    g_assert_cmpstr(r->diskname, ==, "/srv/obs/data/b");
    g_assert_cmpstr(r->write_timestamp, ==, "20261125104704");
    g_assert_cmpint(r->bytes, ==, 203);
    g_assert_cmpint(r->kb, ==, 1);
    g_assert_cmpint(r->orig_kb, ==, 10);
    g_assert_cmpstr(r->dump_status, ==, "OK");

    /* the same log moved to oldlog by amtrmlog */
    g_autofree char *from = g_build_filename(dir, "log.20261125104704.0", NULL);
    g_autofree char *olddir = g_build_filename(dir, "oldlog", NULL);
    g_mkdir(olddir, 0700);
    g_autofree char *to = g_build_filename(olddir, "log.20261125104704.0", NULL);
    g_assert_cmpint(g_rename(from, to), ==, 0);
    g_autofree char *t2 = find_table(dir, NULL);
    assert_table(t2, "obs-amadmin-find.txt");
    ct_rm_rf(dir);
}

static void
test_synthetic_like_amadmin(void)
{
    g_autofree char *dir = make_logdir(both_names, both_as, "synthetic-tapelist");
    g_autofree char *table = find_table(dir, NULL);
    assert_table(table, "synthetic-amadmin-find.txt");
    g_autofree char *kbf = find_table(dir, "Kbf");
    assert_table(kbf, "synthetic-amadmin-find-Kbf.txt");
    ct_rm_rf(dir);
}

static void
test_unsettled_parts(void)
{
    gsize len;
    g_autofree char *buf = ct_data("synthetic-log.20261125110000.0", &len);
    g_autofree char *tltext = ct_data("synthetic-tapelist", &len);
    GError *err = NULL;
    g_autoptr(tapelist_t) tl = tapelist_parse(tltext, len, &err);
    g_autoptr(GPtrArray) entries = logfile_parse_buffer(buf, strlen(buf));
    g_autoptr(GPtrArray) strict = g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
    find_scan_log(entries, "20261125110000", tl, strict);
    find_scan_log_full(entries, "20261125110000", tl, TRUE, all);
    g_assert_cmpuint(strict->len, ==, 6);
    g_assert_cmpuint(all->len, ==, 7);
    const find_result_t *d = g_ptr_array_index(all, 6);
    g_assert_cmpstr(d->diskname, ==, "/d");
    g_assert_cmpint(d->level, ==, 2);
    g_assert_cmpstr(d->status, ==, "OK");
    g_assert_cmpstr(d->dump_status, ==, "PARTIAL");
    g_assert_cmpstr(d->label, ==, "Obs-003");
    g_assert_cmpint(d->filenum, ==, 4);
}

/* Volumes written again since a log lose that log's dumps; logs named
 * after no volume's timestamp are not read. */
static void
test_overwritten_and_foreign(void)
{
    g_autofree char *dir = make_logdir(both_names, both_as, "synthetic-tapelist");
    g_autofree char *tl = g_build_filename(dir, "tapelist", NULL);
    ct_write(tl,
             "20261126000000 Obs-002 reuse BLOCKSIZE:32 POOL:Obs STORAGE:Obs CONFIG:Obs\n"
             "20261125110000 Obs-003 reuse BLOCKSIZE:32 POOL:Obs STORAGE:Obs CONFIG:Obs\n", -1);
    GError *err = NULL;
    g_autoptr(GPtrArray) res = find_dumps(dir, tl, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(res->len, ==, 3); /* Obs-003's parts; Obs-001 gone, Obs-002 rewritten */
    for (guint i = 0; i < res->len; i++) {
        const find_result_t *r = g_ptr_array_index(res, i);
        g_assert_cmpstr(r->label, ==, "Obs-003");
    }
    /* a log of a timestamp no volume has is not read, even if it names one */
    g_autofree char *foreign = g_build_filename(dir, "log.20261127000000.0", NULL);
    ct_write(foreign,
             "START taper datestamp 20261125110000 label Obs-003 tape 9\n"
             "PART taper Obs-003 9 h /z 20261125110000 1/1 0 [sec 1 bytes 1 kps 1]\n"
             "DONE taper h /z 20261125110000 1 0 [sec 1 bytes 1 kps 1]\n", -1);
    g_autoptr(GPtrArray) res2 = find_dumps(dir, tl, &err);
    g_assert_cmpuint(res2->len, ==, 3);
    ct_rm_rf(dir);
}

static void
test_empty_and_errors(void)
{
    g_autofree char *dir = ct_tmpdir();
    g_autofree char *tl = g_build_filename(dir, "tapelist", NULL);
    GError *err = NULL;
    g_autoptr(GPtrArray) res = find_dumps(dir, tl, &err);
    g_assert_no_error(err);
    g_autofree char *table = find_format(res);
    g_assert_cmpstr(table, ==, "\nNo dump to list\n");
    g_assert_false(find_sort(res, "hkx", &err));
    g_assert_error(err, FIND_ERROR, FIND_ERROR_SORT_ORDER);
    g_assert_nonnull(strstr(err->message, "'x'"));
    g_clear_error(&err);
    ct_write(tl, "20261125 V1 reuse\nbroken\n", -1);
    g_assert_null(find_dumps(dir, tl, &err));
    g_assert_nonnull(err);
    g_autofree char *prefix = g_strconcat(tl, ":2: ", NULL);
    g_assert_true(g_str_has_prefix(err->message, prefix));
    g_clear_error(&err);
    ct_rm_rf(dir);
}

static void
test_nicedate(void)
{
    g_autofree char *a = find_nicedate("20261125104704");
    g_assert_cmpstr(a, ==, "2026-11-25 10:47:04");
    g_autofree char *b = find_nicedate("20261125");
    g_assert_cmpstr(b, ==, "2026-11-25");
    g_autofree char *c = find_nicedate("123");
    g_assert_cmpstr(c, ==, "123");
    g_autofree char *d = find_nicedate(NULL);
    g_assert_cmpstr(d, ==, "");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/find/obs", test_obs);
    g_test_add_func("/find/synthetic-like-amadmin", test_synthetic_like_amadmin);
    g_test_add_func("/find/unsettled-parts", test_unsettled_parts);
    g_test_add_func("/find/overwritten-and-foreign", test_overwritten_and_foreign);
    g_test_add_func("/find/empty-and-errors", test_empty_and_errors);
    g_test_add_func("/find/nicedate", test_nicedate);
    return g_test_run();
}
