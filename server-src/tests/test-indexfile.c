/* Unit tests for indexfile: the index files AMANDA 3.5.1's dumper wrote
 * for config Obs are read; sorting gives "LC_ALL=C sort" order; what our
 * writer produces is gzip that reads back identically; file names; a
 * writer that never finished leaves nothing a reader lists; damaged
 * files are errors naming the file. */
#include "config.h"
#include "indexfile.h"
#include "catalogue-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

static void
assert_lines(GPtrArray *lines, const char *const *want)
{
    guint n = g_strv_length((char **)want);
    g_assert_cmpuint(lines->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(g_ptr_array_index(lines, i), ==, want[i]);
}

static void
test_obs_index(void)
{
    GError *err = NULL;
    g_autofree char *unsorted = ct_data_path("obs-index-a-unsorted.gz");
    g_autoptr(GPtrArray) lines = indexfile_read_lines(unsorted, &err);
    g_assert_no_error(err);
    static const char *const want[] = { "/", "/sub/", "/f1", "/f2", "/f3", "/sub/z", NULL };
    assert_lines(lines, want);

    g_autofree char *state = ct_data_path("obs-index-a.state.gz");
    g_autoptr(GPtrArray) st = indexfile_read_lines(state, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(g_ptr_array_index(st, 0), ==, "0 /");
    g_assert_cmpstr(g_ptr_array_index(st, 1), ==, "2 /sub/");

    /* the header file is plain text: read as one line each */
    g_autofree char *header = ct_data_path("obs-index-a.header");
    g_autoptr(GPtrArray) h = indexfile_read_lines(header, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(g_ptr_array_index(h, 0), ==,
                    "AMANDA: FILE 20261125104704 localhost /srv/obs/data/a  lev 0 comp N "
                    "program APPLICATION");
}

static void
test_sort(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    g_autofree char *unsorted = ct_data_path("obs-index-a-unsorted.gz");
    g_autofree char *sorted = indexfile_path(dir, "localhost", "/srv/obs/data/a",
                                             "20261125104704", 0, INDEXFILE_SORTED);
    g_assert_true(indexfile_sort(unsorted, sorted, &err));
    g_assert_no_error(err);
    g_autoptr(GPtrArray) lines = indexfile_read_lines(sorted, &err);
    static const char *const want[] = { "/", "/f1", "/f2", "/f3", "/sub/", "/sub/z", NULL };
    assert_lines(lines, want);
    gsize len;
    g_autofree char *raw = ct_read(sorted, &len);
    g_assert_cmpuint(len, >, 18);
    g_assert_cmpint((guchar)raw[0], ==, 0x1f); /* gzip magic */
    g_assert_cmpint((guchar)raw[1], ==, 0x8b);

    /* bytewise, as LC_ALL=C: upper case before lower, '-' before '/' */
    g_autofree char *u2 = g_build_filename(dir, "u2.gz", NULL);
    indexfile_writer_t *w = indexfile_writer_open(u2, &err);
    const char *text = "/b\n/a-b\n/a/b\n/B\n/\xc3\xa9\n/a\n";
    g_assert_true(indexfile_writer_write(w, text, strlen(text), &err));
    g_assert_true(indexfile_writer_close(w, &err));
    g_autofree char *s2 = g_build_filename(dir, "s2.gz", NULL);
    g_assert_true(indexfile_sort(u2, s2, &err));
    g_autoptr(GPtrArray) l2 = indexfile_read_lines(s2, &err);
    static const char *const want2[] = { "/B", "/a", "/a-b", "/a/b", "/b", "/\xc3\xa9", NULL };
    assert_lines(l2, want2);
    ct_rm_rf(dir);
}

static void
test_writer(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    g_autofree char *path = indexfile_path(dir, "h", "/x:y\\z w_v", "20261125104704", 3,
                                           INDEXFILE_UNSORTED);
    g_autofree char *want_path = g_build_filename(dir, "h", "_x_y_z w_v",
                                                  "20261125104704_3-unsorted.gz", NULL);
    g_assert_cmpstr(path, ==, want_path);
    indexfile_writer_t *w = indexfile_writer_open(path, &err);
    g_assert_nonnull(w);
    g_autoptr(GString) big = g_string_new(NULL);
    for (int i = 0; i < 20000; i++)
        g_string_append_printf(big, "/dir%03d/file%05d\n", i % 100, i);
    g_assert_true(indexfile_writer_write(w, big->str, big->len, &err));
    /* not visible under its name until closed */
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_true(indexfile_writer_close(w, &err));
    g_assert_no_error(err);
    g_autoptr(GPtrArray) lines = indexfile_read_lines(path, &err);
    g_assert_cmpuint(lines->len, ==, 20000);
    /* AMANDA's amindexd reads index files through "gzip -dc" */
    const char *argv[] = { "gzip", "-dc", path, NULL };
    g_autofree char *out = NULL;
    gint status = -1;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, &err));
    g_assert_no_error(err);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(out, ==, big->str);
    g_assert_cmpstr(g_ptr_array_index(lines, 19999), ==, "/dir099/file19999");
    g_autofree char *dledir = g_path_get_dirname(path);
    g_assert_cmpuint(ct_count_entries(dledir), ==, 1);

    /* aborted: nothing left */
    g_autofree char *p2 = indexfile_path(dir, "h", "/x:y\\z w_v", "20261126000000", 0,
                                         INDEXFILE_UNSORTED);
    w = indexfile_writer_open(p2, &err);
    g_assert_true(indexfile_writer_write(w, "/\n", 2, &err));
    indexfile_writer_abort(w);
    g_assert_cmpuint(ct_count_entries(dledir), ==, 1);
    ct_rm_rf(dir);
}

static void
test_names(void)
{
    static const struct { const char *name; const char *ts; int level; indexfile_kind_t kind; }
    good[] = {
        { "20261125104704_0.gz", "20261125104704", 0, INDEXFILE_SORTED },
        { "20261125104704_0-unsorted.gz", "20261125104704", 0, INDEXFILE_UNSORTED },
        { "20261125104704_12.header", "20261125104704", 12, INDEXFILE_HEADER },
        { "20261125104704_1.state.gz", "20261125104704", 1, INDEXFILE_STATE },
        { "20261125_0.gz", "20261125", 0, INDEXFILE_SORTED },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_autofree char *ts = NULL;
        int level = -1;
        indexfile_kind_t kind = INDEXFILE_KIND_COUNT;
        g_assert_true(indexfile_name_split(good[i].name, &ts, &level, &kind));
        g_assert_cmpstr(ts, ==, good[i].ts);
        g_assert_cmpint(level, ==, good[i].level);
        g_assert_cmpint(kind, ==, good[i].kind);
        g_autofree char *p = indexfile_path("/i", "h", "d", ts, level, kind);
        g_autofree char *want = g_build_filename("/i", "h", "d", good[i].name, NULL);
        g_assert_cmpstr(p, ==, want);
    }
    static const char *const bad[] = {
        "20261125104704_0.gz.tmp", "20261125104704_0-unsorted.gz.tmp", "x_0.gz",
        "20261125104704_.gz", "_0.gz", "20261125104704_0", "20261125104704_0-unsorted",
        "20261125104704_0.state", "lock", "",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(indexfile_name_split(bad[i], NULL, NULL, NULL));
}

static void
test_list(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    g_autofree char *dle = indexfile_dir(dir, "localhost", "/srv/obs/data/a");
    static const char *const files[] = {
        "20261125104704_0-unsorted.gz", "20261125104704_0.header", "20261125104704_0.state.gz",
        "20261126000000_1.gz", "20261126000000_1.gz.tmp", "20261126000000_0.header",
        "20261124_0.gz", "lock", "junk",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = g_build_filename(dle, files[i], NULL);
        ct_write(p, "", 0);
    }
    g_autoptr(GPtrArray) dumps = indexfile_list_dumps(dir, "localhost", "/srv/obs/data/a", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(dumps->len, ==, 4);
    const indexfile_dump_t *d0 = g_ptr_array_index(dumps, 0);
    g_assert_cmpstr(d0->timestamp, ==, "20261126000000");
    g_assert_cmpint(d0->level, ==, 0);
    g_assert_true(d0->have[INDEXFILE_HEADER]);
    g_assert_false(d0->have[INDEXFILE_SORTED]);
    const indexfile_dump_t *d1 = g_ptr_array_index(dumps, 1);
    g_assert_cmpint(d1->level, ==, 1);
    g_assert_true(d1->have[INDEXFILE_SORTED]);
    const indexfile_dump_t *d2 = g_ptr_array_index(dumps, 2);
    g_assert_cmpstr(d2->timestamp, ==, "20261125104704");
    g_assert_true(d2->have[INDEXFILE_UNSORTED] && d2->have[INDEXFILE_HEADER] &&
                  d2->have[INDEXFILE_STATE] && !d2->have[INDEXFILE_SORTED]);
    const indexfile_dump_t *d3 = g_ptr_array_index(dumps, 3);
    g_assert_cmpstr(d3->timestamp, ==, "20261124");
    g_autoptr(GPtrArray) none = indexfile_list_dumps(dir, "other", "/d", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(none->len, ==, 0);
    ct_rm_rf(dir);
}

static void
test_damaged(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    gsize len;
    g_autofree char *gz = ct_data("obs-index-a-unsorted.gz", &len);
    g_autofree char *cut = g_build_filename(dir, "cut.gz", NULL);
    ct_write(cut, gz, (gssize)len - 12);
    g_assert_null(indexfile_read_lines(cut, &err));
    g_assert_error(err, INDEXFILE_ERROR, INDEXFILE_ERROR_CORRUPT);
    g_assert_true(g_str_has_prefix(err->message, cut));
    g_clear_error(&err);
    g_autofree char *flip = g_build_filename(dir, "flip.gz", NULL);
    gz[len - 6] ^= 0x55; /* breaks the CRC-32/length trailer */
    ct_write(flip, gz, (gssize)len);
    g_assert_null(indexfile_read_lines(flip, &err));
    g_assert_error(err, INDEXFILE_ERROR, INDEXFILE_ERROR_CORRUPT);
    g_clear_error(&err);
    g_autofree char *missing = g_build_filename(dir, "none.gz", NULL);
    g_assert_null(indexfile_read_lines(missing, &err));
    g_assert_error(err, INDEXFILE_ERROR, INDEXFILE_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "none.gz"));
    g_clear_error(&err);
    g_autofree char *sorted = g_build_filename(dir, "s.gz", NULL);
    g_assert_false(indexfile_sort(cut, sorted, &err));
    g_assert_false(g_file_test(sorted, G_FILE_TEST_EXISTS));
    g_clear_error(&err);
    ct_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/indexfile/obs-index", test_obs_index);
    g_test_add_func("/indexfile/sort", test_sort);
    g_test_add_func("/indexfile/writer", test_writer);
    g_test_add_func("/indexfile/names", test_names);
    g_test_add_func("/indexfile/list", test_list);
    g_test_add_func("/indexfile/damaged", test_damaged);
    return g_test_run();
}
