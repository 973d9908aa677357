/* Unit tests for curinfo: info files AMANDA 3.5.1's driver and amadmin
 * wrote are read field by field; the driver's are rebuilt byte-identically
 * both from the parsed record and by replaying the dumps through
 * curinfo_record_dump; bad lines name FILE:LINE; file names, locking
 * updates and listing. */
#include "config.h"
#include "curinfo.h"
#include "catalogue-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

static curinfo_t *
parse_data(const char *name)
{
    gsize len;
    g_autofree char *buf = ct_data(name, &len);
    curinfo_t *info = curinfo_new();
    GError *err = NULL;
    g_assert_true(curinfo_parse_named(buf, len, name, info, &err));
    g_assert_no_error(err);
    return info;
}

static void
assert_formats_as(const curinfo_t *info, const char *name)
{
    gsize len;
    g_autofree char *want = ct_data(name, &len);
    g_autofree char *got = curinfo_format(info);
    g_assert_cmpstr(got, ==, want);
}

static void
test_obs_driver_files(void)
{
    g_autoptr(curinfo_t) b = parse_data("obs-curinfo-b.info");
    g_assert_cmpuint(b->command, ==, 0);
    g_assert_cmpfloat(b->full.comp[0], ==, 0.1);
    g_assert_cmpfloat(b->full.comp[1], <, 0);
    g_assert_cmpfloat(b->full.rate[0], <, 0);
    g_assert_cmpint(b->inf[0].size, ==, 10);
    g_assert_cmpint(b->inf[0].csize, ==, 1);
    g_assert_cmpint(b->inf[0].secs, ==, 0);
    g_assert_cmpint(b->inf[0].date, ==, 1795603624);
    g_assert_cmpint(b->inf[0].filenum, ==, 3);
    g_assert_cmpstr(b->inf[0].label, ==, "Obs-001");
    g_assert_cmpint(b->inf[1].date, <, 0);
    g_assert_cmpint(b->last_level, ==, 0);
    g_assert_cmpint(b->consecutive_runs, ==, 1);
    g_assert_cmpint(b->nhistory, ==, 1);
    g_assert_cmpint(b->history[0].csize, ==, 1);
    g_assert_cmpint(b->history[0].date, ==, 1795603624);
    for (int i = 0; i < 3; i++) {
        static const char *const names[] = { "obs-curinfo-a.info", "obs-curinfo-b.info",
                                             "obs-curinfo-cde.info" };
        g_autoptr(curinfo_t) info = parse_data(names[i]);
        assert_formats_as(info, names[i]);
    }
}

/* amadmin force-* rewrites unset values as "-1 -1 -1": they read as
 * unset, the command bits come through. */
static void
test_amadmin_files(void)
{
    g_autoptr(curinfo_t) a = parse_data("amadmin-curinfo-a.info");
    g_assert_cmpuint(a->command, ==, CURINFO_FORCE_BUMP);
    g_assert_cmpfloat(a->full.rate[0], <, 0);
    g_assert_cmpstr(a->inf[0].label, ==, "Obs-001");
    g_autoptr(curinfo_t) b = parse_data("amadmin-curinfo-b.info");
    g_assert_cmpuint(b->command, ==, CURINFO_FORCE_NO_BUMP);
    g_assert_cmpfloat(b->full.comp[0], ==, 0.1);
    g_assert_cmpfloat(b->full.comp[1], <, 0);
    g_autoptr(curinfo_t) e1 = parse_data("amadmin-curinfo-e1.info");
    g_assert_cmpuint(e1->command, ==, CURINFO_FORCE_LEVEL_1);
    g_assert_cmpint(e1->last_level, ==, -1);
    g_assert_cmpint(e1->nhistory, ==, 0);
    /* the same record with the command cleared is what the driver wrote */
    a->command = 0;
    assert_formats_as(a, "obs-curinfo-a.info");
}

/* Our force flags on the driver's files give what stock amadmin
 * force-bump / force-no-bump / force-level-1 wrote, byte for byte. */
static void
test_set_command_like_amadmin(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    static const struct { const char *from, *disk, *want; guint bits; } cases[] = {
        { "obs-curinfo-a.info", "/srv/obs/data/a", "amadmin-curinfo-a.info", CURINFO_FORCE_BUMP },
        { "obs-curinfo-b.info", "/srv/obs/data/b", "amadmin-curinfo-b.info",
          CURINFO_FORCE_NO_BUMP },
        { NULL, "/e1", "amadmin-curinfo-e1.info", CURINFO_FORCE_LEVEL_1 }, /* no file yet */
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = curinfo_path(dir, "localhost", cases[i].disk);
        if (cases[i].from) {
            gsize len;
            g_autofree char *text = ct_data(cases[i].from, &len);
            ct_write(path, text, (gssize)len);
        }
        g_assert_true(curinfo_set_command(dir, "localhost", cases[i].disk, cases[i].bits, 0,
                                          NULL, &err));
        g_assert_no_error(err);
        gsize len, wlen;
        g_autofree char *got = ct_read(path, &len);
        g_autofree char *want = ct_data(cases[i].want, &wlen);
        g_assert_cmpstr(got, ==, want);
    }
    /* and the driver's next write goes back to the driver's form */
    g_autoptr(curinfo_t) a = curinfo_new();
    g_assert_true(curinfo_read(dir, "localhost", "/srv/obs/data/a", a, NULL, &err));
    a->command = 0;
    g_assert_true(curinfo_write(dir, "localhost", "/srv/obs/data/a", a, &err));
    g_autofree char *path = curinfo_path(dir, "localhost", "/srv/obs/data/a");
    g_autofree char *got = ct_read(path, NULL);
    g_autofree char *want = ct_data("obs-curinfo-a.info", NULL);
    g_assert_cmpstr(got, ==, want);
    ct_rm_rf(dir);
}

/* Replaying the Obs run's dumps gives the driver's files byte for byte. */
static void
test_record_dump_like_driver(void)
{
    g_autoptr(curinfo_t) b = curinfo_new();
    curinfo_dump_t d = { .level = 0, .orig_kb = 10, .out_kb = 1, .secs = 0,
                         .date = 1795603624, .compressed = TRUE };
    curinfo_record_dump(b, &d);
    curinfo_set_tape(b, 0, 3, "Obs-001");
    assert_formats_as(b, "obs-curinfo-b.info");

    g_autoptr(curinfo_t) a = curinfo_new();
    d = (curinfo_dump_t){ .level = 0, .orig_kb = 10, .out_kb = 10, .secs = 0,
                          .date = 1795603624, .compressed = FALSE };
    curinfo_record_dump(a, &d);
    curinfo_set_tape(a, 0, 2, "Obs-001");
    assert_formats_as(a, "obs-curinfo-a.info");

    /* anchors-observed.md section 6: a full then an incremental */
    g_autoptr(curinfo_t) c = curinfo_new();
    d = (curinfo_dump_t){ 0, 149560, 149560, 2, 1795589105, FALSE };
    curinfo_record_dump(c, &d);
    curinfo_set_tape(c, 0, 2, "Bench-001");
    d = (curinfo_dump_t){ 1, 5550, 5550, 1, 1795589120, FALSE };
    curinfo_record_dump(c, &d);
    curinfo_set_tape(c, 1, 1, "Bench-002");
    g_autofree char *text = curinfo_format(c);
    g_assert_cmpstr(text, ==,
                    "version: 0\n"
                    "command: 0\n"
                    "full-rate: 74780.000000\n"
                    "full-comp:\n"
                    "incr-rate: 5550.000000\n"
                    "incr-comp:\n"
                    "stats: 0 149560 149560 2 1795589105 2 Bench-001\n"
                    "stats: 1 5550 5550 1 1795589120 1 Bench-002\n"
                    "last_level: 1 1\n"
                    "history: 1 5550 5550 1795589120 1\n"
                    "history: 0 149560 149560 1795589105 2\n"
                    "//\n");
}

static void
test_record_dump_rules(void)
{
    g_autoptr(curinfo_t) info = curinfo_new();
    info->command = CURINFO_FORCE_FULL | CURINFO_FORCE_BUMP | CURINFO_FORCE_LEVEL_1;
    curinfo_dump_t d = { 1, 100, 50, 200, 1000, TRUE };
    curinfo_record_dump(info, &d);
    g_assert_cmpuint(info->command, ==, CURINFO_FORCE_FULL);
    g_assert_cmpfloat(info->incr.rate[0], ==, 1.0); /* secs >= size */
    g_assert_cmpfloat(info->incr.comp[0], ==, 0.5);
    d = (curinfo_dump_t){ 0, 1000, 1000, 10, 2000, FALSE };
    curinfo_record_dump(info, &d);
    g_assert_cmpuint(info->command, ==, 0);
    g_assert_cmpint(info->inf[1].date, <, 0); /* levels above the dump are forgotten */
    g_assert_cmpfloat(info->full.rate[0], ==, 100.0);
    for (int i = 0; i < 3; i++) {
        d = (curinfo_dump_t){ 0, 1000, 1000, 10 + i, 3000 + i, FALSE };
        curinfo_record_dump(info, &d);
    }
    g_assert_cmpint(info->last_level, ==, 0);
    g_assert_cmpint(info->consecutive_runs, ==, 4);
    g_assert_cmpfloat(info->full.rate[0], ==, 1000.0 / 12);
    g_assert_cmpfloat(info->full.rate[2], ==, 100.0); /* only 3 kept */
    for (int i = 0; i < 150; i++) {
        d = (curinfo_dump_t){ 1, 1, 1, 1, 10000 + i, FALSE };
        curinfo_record_dump(info, &d);
    }
    g_assert_cmpint(info->nhistory, ==, CURINFO_NB_HISTORY);
    g_assert_cmpint(info->history[0].date, ==, 10149);
    /* levels out of range change nothing */
    d = (curinfo_dump_t){ CURINFO_LEVELS, 1, 1, 1, 1, FALSE };
    curinfo_record_dump(info, &d);
    g_assert_cmpint(info->history[0].date, ==, 10149);
}

static void
assert_bad_len(const char *text, gsize len, const char *want_prefix, const char *want_part)
{
    g_autoptr(curinfo_t) info = curinfo_new();
    GError *err = NULL;
    g_assert_false(curinfo_parse_named(text, len, "/ci/h/d/info", info, &err));
    g_assert_error(err, CURINFO_ERROR, CURINFO_ERROR_SYNTAX);
    if (!g_str_has_prefix(err->message, want_prefix) || !strstr(err->message, want_part))
        g_error("message \"%s\" lacks \"%s\" / \"%s\"", err->message, want_prefix, want_part);
    g_error_free(err);
}

static void
assert_bad(const char *text, const char *want_prefix, const char *want_part)
{
    assert_bad_len(text, strlen(text), want_prefix, want_part);
}

static void
test_bad_lines(void)
{
    assert_bad("version: 0\ncommand: x\n//\n", "/ci/h/d/info:2: ", "command");
    assert_bad("version: 0\nstats: 0 1 2\n//\n", "/ci/h/d/info:2: ",
               "LEVEL ORIG-KB OUT-KB SECS EPOCH");
    assert_bad("stats: 400 1 1 1 1\n", "/ci/h/d/info:1: ", "stats");
    assert_bad("\n\nhistory: 0 1 2 3\n", "/ci/h/d/info:3: ", "history");
    assert_bad("full-rate: 1 2 3 4\n", "/ci/h/d/info:1: ", "full-rate");
    assert_bad("full-rate: fast\n", "/ci/h/d/info:1: ", "full-rate");
    assert_bad("last_level: 0\n", "/ci/h/d/info:1: ", "LEVEL RUNS");
    assert_bad("garbage\n", "/ci/h/d/info:1: ", "key: values");
    assert_bad_len("version: 0\ncom\0mand: 1\n//\n", 25, "/ci/h/d/info:2: ", "NUL");

    g_autoptr(curinfo_t) info = curinfo_new();
    GError *err = NULL;
    const char *text = "stats: 0 1 1\n";
    g_assert_false(curinfo_parse(text, strlen(text), info, &err));
    g_assert_true(g_str_has_prefix(err->message, "line 1: "));
    g_clear_error(&err);
    /* unknown keys, text after "//" and a torn last line are tolerated */
    text = "version: 0\nnewkey: whatever\ncommand: 1\n//\ngarbage\n";
    g_assert_true(curinfo_parse(text, strlen(text), info, &err));
    g_assert_cmpuint(info->command, ==, 1);
    text = "version: 0\ncommand: 4\nstats: 0 1";
    g_assert_true(curinfo_parse(text, strlen(text), info, &err));
    g_assert_cmpuint(info->command, ==, 4);
    g_assert_cmpint(info->inf[0].date, <, 0);
}

static void
test_paths(void)
{
    g_autofree char *p1 = curinfo_path("/ci", "localhost", "/srv/obs/data/c d_e");
    g_assert_cmpstr(p1, ==, "/ci/localhost/_srv_obs_data_c d_e/info");
    g_autofree char *p2 = curinfo_path("/ci", "localhost", "/x:y\\z w_v");
    g_assert_cmpstr(p2, ==, "/ci/localhost/_x_y_z w_v/info");
}

static gboolean
bump_command(curinfo_t *info, gpointer data, GError **error)
{
    (void)error;
    info->command += GPOINTER_TO_UINT(data);
    return TRUE;
}

static gboolean
refuse(curinfo_t *info, gpointer data, GError **error)
{
    (void)info;
    (void)data;
    g_set_error(error, CURINFO_ERROR, CURINFO_ERROR_IO, "refused");
    return FALSE;
}

static void
test_files(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    g_autoptr(curinfo_t) info = curinfo_new();
    gboolean exists = TRUE;
    g_assert_true(curinfo_read(dir, "h", "/a", info, &exists, &err));
    g_assert_false(exists);
    g_autoptr(curinfo_t) b = parse_data("obs-curinfo-b.info");
    g_assert_true(curinfo_write(dir, "localhost", "/srv/obs/data/b", b, &err));
    g_assert_no_error(err);
    g_autofree char *path = curinfo_path(dir, "localhost", "/srv/obs/data/b");
    gsize len, wlen;
    g_autofree char *written = ct_read(path, &len);
    g_autofree char *want = ct_data("obs-curinfo-b.info", &wlen);
    g_assert_cmpstr(written, ==, want);
    g_autofree char *dledir = g_path_get_dirname(path);
    g_assert_cmpuint(ct_count_entries(dledir), ==, 1); /* no temp file left */

    guint old = 99;
    g_assert_true(curinfo_set_command(dir, "localhost", "/srv/obs/data/b",
                                      CURINFO_FORCE_FULL | CURINFO_FORCE_BUMP, 0, &old, &err));
    g_assert_cmpuint(old, ==, 0);
    g_assert_true(curinfo_set_command(dir, "localhost", "/srv/obs/data/b", 0,
                                      CURINFO_FORCE_BUMP, &old, &err));
    g_assert_cmpuint(old, ==, 3);
    g_assert_true(curinfo_update(dir, "h2", "/new disk", bump_command, GUINT_TO_POINTER(8),
                                 &err));
    g_assert_false(curinfo_update(dir, "h2", "/new disk", refuse, NULL, &err));
    g_assert_error(err, CURINFO_ERROR, CURINFO_ERROR_IO);
    g_clear_error(&err);
    g_assert_true(curinfo_read(dir, "h2", "/new disk", info, &exists, &err));
    g_assert_true(exists);
    g_assert_cmpuint(info->command, ==, 8);
    g_assert_true(curinfo_read(dir, "localhost", "/srv/obs/data/b", info, NULL, &err));
    g_assert_cmpuint(info->command, ==, CURINFO_FORCE_FULL);
    g_assert_cmpstr(info->inf[0].label, ==, "Obs-001");

    g_autoptr(GPtrArray) dles = curinfo_list(dir, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(dles->len, ==, 2);
    curinfo_dle_t *d0 = g_ptr_array_index(dles, 0), *d1 = g_ptr_array_index(dles, 1);
    g_assert_cmpstr(d0->host, ==, "h2");
    g_assert_cmpstr(d0->disk, ==, "_new disk");
    g_assert_cmpstr(d1->disk, ==, "_srv_obs_data_b");

    /* a damaged file is an error naming the file and line */
    g_autofree char *bad = curinfo_path(dir, "h3", "/d");
    ct_write(bad, "version: 0\ncommand: 0\nstats: zero\n//\n", -1);
    g_assert_false(curinfo_read(dir, "h3", "/d", info, NULL, &err));
    g_assert_error(err, CURINFO_ERROR, CURINFO_ERROR_SYNTAX);
    g_autofree char *prefix = g_strconcat(bad, ":3: ", NULL);
    g_assert_true(g_str_has_prefix(err->message, prefix));
    g_clear_error(&err);
    g_assert_false(curinfo_set_command(dir, "h3", "/d", 1, 0, NULL, &err));
    g_clear_error(&err);
    g_autofree char *missing = g_build_filename(dir, "none", NULL);
    g_autoptr(GPtrArray) empty = curinfo_list(missing, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(empty->len, ==, 0);
    ct_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/curinfo/obs-driver-files", test_obs_driver_files);
    g_test_add_func("/curinfo/amadmin-files", test_amadmin_files);
    g_test_add_func("/curinfo/set-command-like-amadmin", test_set_command_like_amadmin);
    g_test_add_func("/curinfo/record-dump-like-driver", test_record_dump_like_driver);
    g_test_add_func("/curinfo/record-dump-rules", test_record_dump_rules);
    g_test_add_func("/curinfo/bad-lines", test_bad_lines);
    g_test_add_func("/curinfo/paths", test_paths);
    g_test_add_func("/curinfo/files", test_files);
    return g_test_run();
}
