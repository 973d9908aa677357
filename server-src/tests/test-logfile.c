/* Unit tests for logfile: the run log AMANDA 3.5.1 wrote for config Obs
 * is parsed field by field and rebuilt byte-identically; multi-line and
 * odd lines; bad lines are reported as FILE:LINE; the writer's appends
 * from several processes stay whole lines; log names, link and rotation. */
#include "config.h"
#include "logfile.h"
#include "catalogue-test-util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OBS_LOG "obs-log.20261125104704.0"

static GPtrArray *
obs_entries(void)
{
    gsize len;
    g_autofree char *buf = ct_data(OBS_LOG, &len);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *e = logfile_parse_buffer_warn(buf, len, OBS_LOG, warnings);
    g_assert_cmpuint(warnings->len, ==, 0);
    return e;
}

/* The first entry of TYPE/PROG whose disk is DISK (NULL: any). */
static const logfile_entry_t *
find_entry(GPtrArray *entries, logfile_type_t type, logfile_program_t prog, const char *disk)
{
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        if (e->type == type && e->program == prog && (!disk || g_strcmp0(e->disk, disk) == 0))
            return e;
    }
    g_error("no %s %s entry", logfile_type_name(type), logfile_program_name(prog));
    return NULL;
}

static void
test_obs_every_line(void)
{
    g_autoptr(GPtrArray) entries = obs_entries();
    gsize len;
    g_autofree char *buf = ct_data(OBS_LOG, &len);
    g_auto(GStrv) lines = g_strsplit(buf, "\n", -1);
    g_assert_cmpuint(entries->len, ==, g_strv_length(lines) - 1);
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        g_assert_cmpint(e->type, !=, LOGFILE_L_BOGUS);
        g_assert_cmpint(e->program, !=, LOGFILE_P_UNKNOWN);
    }
}

static void
test_obs_fields(void)
{
    g_autoptr(GPtrArray) entries = obs_entries();
    const logfile_entry_t *e =
        find_entry(entries, LOGFILE_L_START, LOGFILE_P_PLANNER, NULL);
    g_assert_cmpstr(e->datestamp, ==, "20261125104704");

    e = find_entry(entries, LOGFILE_L_DISK, LOGFILE_P_PLANNER, "/srv/obs/data/c d_e");
    g_assert_cmpstr(e->host, ==, "localhost");

    e = find_entry(entries, LOGFILE_L_SUCCESS, LOGFILE_P_DUMPER, "/srv/obs/data/c d_e");
    g_assert_true(e->has_dump);
    g_assert_cmpstr(e->datestamp, ==, "20261125104704");
    g_assert_cmpint(e->level, ==, 0);
    g_assert_true(e->stats.present);
    g_assert_cmpfloat(e->stats.sec, ==, 0.101);
    g_assert_cmpint(e->stats.kb, ==, 10);
    g_assert_cmpfloat(e->stats.kps, ==, 98.7);
    g_assert_cmpint(e->stats.orig_kb, ==, 10);
    g_assert_null(e->message);

    e = find_entry(entries, LOGFILE_L_SUCCESS, LOGFILE_P_DUMPER, "/srv/obs/data/b");
    g_assert_cmpint(e->stats.kb, ==, 1);

    e = find_entry(entries, LOGFILE_L_STATS, LOGFILE_P_DRIVER, "/srv/obs/data/a");
    g_assert_cmpint(e->stats.nkb, ==, 42);
    g_assert_cmpint(e->stats.ckb, ==, 64);

    e = find_entry(entries, LOGFILE_L_START, LOGFILE_P_TAPER, NULL);
    g_assert_cmpstr(e->datestamp, ==, "20261125104704");
    g_assert_cmpstr(e->storage, ==, "Obs");
    g_assert_cmpstr(e->pool, ==, "Obs");
    g_assert_cmpstr(e->label, ==, "Obs-001");
    g_assert_cmpint(e->filenum, ==, 1);

    e = find_entry(entries, LOGFILE_L_PART, LOGFILE_P_TAPER, "/srv/obs/data/b");
    g_assert_true(e->has_dump);
    g_assert_cmpstr(e->label, ==, "Obs-001");
    g_assert_cmpint(e->filenum, ==, 3);
    g_assert_cmpint(e->partnum, ==, 1);
    g_assert_cmpint(e->totalparts, ==, -1);
    g_assert_cmpint(e->level, ==, 0);
    g_assert_cmpint(e->stats.bytes, ==, 203);
    g_assert_cmpint(e->stats.kb, ==, -1);

    e = find_entry(entries, LOGFILE_L_DONE, LOGFILE_P_TAPER, "/srv/obs/data/a");
    g_assert_cmpint(e->totalparts, ==, 1);
    g_assert_cmpint(e->level, ==, 0);
    g_assert_cmpstr(e->storage, ==, "Obs");
    g_assert_cmpint(e->stats.bytes, ==, 10240);

    e = find_entry(entries, LOGFILE_L_FINISH, LOGFILE_P_DRIVER, NULL);
    g_assert_cmpstr(e->datestamp, ==, "20261125104704");
    g_assert_cmpfloat(e->stats.sec, ==, 6.594);

    e = find_entry(entries, LOGFILE_L_WARNING, LOGFILE_P_PLANNER, NULL);
    g_assert_cmpstr(e->rest, ==, "tapecycle (3) <= runspercycle (7)");
}

/* Every line rebuilt from its parsed type, program and rest is the line
 * AMANDA wrote. */
static void
test_obs_rebuild_identical(void)
{
    gsize len;
    g_autofree char *buf = ct_data(OBS_LOG, &len);
    g_autoptr(GPtrArray) entries = obs_entries();
    g_autoptr(GString) out = g_string_new(NULL);
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        g_autofree char *line = logfile_format_line(e->type, e->program, e->rest);
        g_string_append(out, line);
    }
    g_assert_cmpuint(out->len, ==, len);
    g_assert_cmpint(memcmp(out->str, buf, len), ==, 0);
}

static void
test_continuation_lines(void)
{
    const char *text =
        "FAIL dumper host1 /home 20261125104704 0 [data timeout]\n"
        "  sendbackup: start [host1:/home level 0]\n"
        "  | tar: ./x: file changed as we read it\n"
        "STRANGE dumper host1 /var 20261125104704 1 [sec 1.5 kb 20 kps 13.3 orig-kb 30]\n"
        "  ? gtar: ./lost: Cannot stat\n";
    g_autoptr(GPtrArray) entries = logfile_parse_buffer(text, strlen(text));
    g_assert_cmpuint(entries->len, ==, 2);
    const logfile_entry_t *f = g_ptr_array_index(entries, 0);
    g_assert_cmpint(f->type, ==, LOGFILE_L_FAIL);
    g_assert_cmpstr(f->message, ==, "data timeout");
    g_assert_cmpuint(f->cont->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(f->cont, 1), ==, "| tar: ./x: file changed as we read it");
    const logfile_entry_t *s = g_ptr_array_index(entries, 1);
    g_assert_cmpint(s->type, ==, LOGFILE_L_STRANGE);
    g_assert_cmpint(s->level, ==, 1);
    g_assert_cmpint(s->stats.orig_kb, ==, 30);
    g_assert_cmpstr(g_ptr_array_index(s->cont, 0), ==, "? gtar: ./lost: Cannot stat");

    g_autofree char *line = logfile_format_line(LOGFILE_L_FAIL, LOGFILE_P_DUMPER,
        "host1 /home 20261125104704 0 [data timeout]\nsendbackup: start\n");
    g_assert_cmpstr(line, ==,
                    "FAIL dumper host1 /home 20261125104704 0 [data timeout]\n"
                    "  sendbackup: start\n");
}

static void
test_other_shapes(void)
{
    const char *text =
        "PARTPARTIAL taper \"ST:s1\" \"POOL:p1\" VOL-2 7 h \"/a b\" 20261125104704 3/-1 1 "
        "[sec 0.5 bytes 1024 kps 2.0 orig-kb 9] \"No space left on device\"\n"
        "PARTIAL taper \"ST:s1\" \"POOL:p1\" h \"/a b\" 20261125104704 3 1 "
        "[sec 2 bytes 4096 kps 2.0 orig-kb 9] \"No space left on device\"\n"
        "CHUNK chunker h /x 20261125104704 2 1 [sec 1 kb 5 kps 5]\n"
        "NEWTYPE someprog anything goes here\n"
        "START driver date 20261125104704\n";
    g_autoptr(GPtrArray) entries = logfile_parse_buffer(text, strlen(text));
    g_assert_cmpuint(entries->len, ==, 5);
    const logfile_entry_t *pp = g_ptr_array_index(entries, 0);
    g_assert_cmpint(pp->type, ==, LOGFILE_L_PARTPARTIAL);
    g_assert_cmpstr(pp->disk, ==, "/a b");
    g_assert_cmpint(pp->partnum, ==, 3);
    g_assert_cmpint(pp->filenum, ==, 7);
    g_assert_cmpint(pp->level, ==, 1);
    g_assert_cmpstr(pp->message, ==, "\"No space left on device\"");
    const logfile_entry_t *p = g_ptr_array_index(entries, 1);
    g_assert_cmpint(p->type, ==, LOGFILE_L_PARTIAL);
    g_assert_cmpint(p->totalparts, ==, 3);
    g_assert_cmpint(p->level, ==, 1);
    const logfile_entry_t *c = g_ptr_array_index(entries, 2);
    g_assert_cmpint(c->partnum, ==, 2);
    g_assert_cmpint(c->level, ==, 1);
    const logfile_entry_t *b = g_ptr_array_index(entries, 3);
    g_assert_cmpint(b->type, ==, LOGFILE_L_BOGUS);
    g_assert_cmpstr(b->type_name, ==, "NEWTYPE");
    g_assert_cmpint(b->program, ==, LOGFILE_P_UNKNOWN);
    g_assert_cmpstr(b->rest, ==, "anything goes here");
}

static void
test_bad_lines_named(void)
{
    const char *text =
        "START planner date 20261125104704\n"
        "\n"
        "  continuation of START\n"
        "JUSTONEWORD\n"
        "SUCCESS dumper h /x 20261125104704 notalevel [sec 1 kb 1 kps 1]\n"
        "FINISH driver date 20261125104704 time 1.0\n"
        "INFO driver torn";
    g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) entries = logfile_parse_buffer_warn(text, strlen(text), "log.X.0", w);
    g_assert_cmpuint(entries->len, ==, 3);
    const logfile_entry_t *s = g_ptr_array_index(entries, 1);
    g_assert_false(s->has_dump); /* kept, but not counted as a dump */
    g_assert_cmpuint(w->len, ==, 3);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(w, 0), "log.X.0:2: "));
    g_assert_true(g_str_has_prefix(g_ptr_array_index(w, 1), "log.X.0:4: "));
    g_assert_nonnull(strstr(g_ptr_array_index(w, 1), "TYPE program"));
    g_assert_true(g_str_has_prefix(g_ptr_array_index(w, 2), "log.X.0:7: "));
    g_assert_nonnull(strstr(g_ptr_array_index(w, 2), "torn"));

    logfile_entry_t e;
    GError *err = NULL;
    g_assert_false(logfile_parse_line("  x", 3, &e, &err));
    g_assert_error(err, LOGFILE_ERROR, LOGFILE_ERROR_SYNTAX);
    g_clear_error(&err);
    g_assert_false(logfile_parse_line("A\0B C", 5, &e, &err));
    g_assert_error(err, LOGFILE_ERROR, LOGFILE_ERROR_SYNTAX);
    g_clear_error(&err);
    logfile_entry_clear(&e);
}

static void
test_stats(void)
{
    logfile_stats_t st;
    g_assert_true(logfile_parse_stats("[sec 0.000365 bytes 10240 kps 27397.260274 orig-kb 10]",
                                      &st));
    g_assert_cmpint(st.bytes, ==, 10240);
    g_assert_cmpfloat(st.kps, ==, 27397.260274);
    g_assert_true(logfile_parse_stats("sec 1 kb 2", &st));
    g_assert_false(logfile_parse_stats("[sec]", &st));
    g_assert_false(logfile_parse_stats("[sec x]", &st));
    g_assert_false(logfile_parse_stats("[]", &st));
    g_assert_false(logfile_parse_stats("[color 3]", &st));
}

static void
test_names(void)
{
    for (int t = 1; t < LOGFILE_L_COUNT; t++)
        g_assert_cmpint(logfile_type_from_name(logfile_type_name(t)), ==, t);
    for (int p = 1; p < LOGFILE_P_COUNT; p++)
        g_assert_cmpint(logfile_program_from_name(logfile_program_name(p)), ==, p);
    g_assert_cmpint(logfile_program_from_name("reporter"), ==, LOGFILE_P_REPORTER);
    g_assert_cmpint(logfile_type_from_name("success"), ==, LOGFILE_L_BOGUS);

    g_autofree char *ts = NULL;
    int seq = -1;
    g_assert_true(logfile_name_split("log.20261125104704.12", &ts, &seq));
    g_assert_cmpstr(ts, ==, "20261125104704");
    g_assert_cmpint(seq, ==, 12);
    g_assert_false(logfile_name_split("log.2026x.0", NULL, NULL));
    g_assert_false(logfile_name_split("log.20261125.", NULL, NULL));
    g_assert_false(logfile_name_split("log.20261125.-1", NULL, NULL));
    g_assert_false(logfile_name_split("amdump.1", NULL, NULL));
    g_assert_false(logfile_name_split("log", NULL, NULL));
}

static void
test_files(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    g_autofree char *p0 = logfile_create_new(dir, "20261125104704", &err);
    g_assert_no_error(err);
    g_autofree char *p1 = logfile_create_new(dir, "20261125104704", &err);
    g_assert_no_error(err);
    g_assert_true(g_str_has_suffix(p0, "/log.20261125104704.0"));
    g_assert_true(g_str_has_suffix(p1, "/log.20261125104704.1"));
    g_autofree char *p2 = logfile_create_new(dir, "20251231235959", &err);
    g_autofree char *p3 = logfile_create_new(dir, "20261125", &err);
    g_assert_no_error(err);
    g_autofree char *junk = g_build_filename(dir, "log.foo.0", NULL);
    ct_write(junk, "", 0);

    g_autoptr(GPtrArray) names = logfile_list(dir, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(names->len, ==, 4);
    g_assert_cmpstr(g_ptr_array_index(names, 0), ==, "log.20251231235959.0");
    g_assert_cmpstr(g_ptr_array_index(names, 1), ==, "log.20261125.0");
    g_assert_cmpstr(g_ptr_array_index(names, 2), ==, "log.20261125104704.0");
    g_assert_cmpstr(g_ptr_array_index(names, 3), ==, "log.20261125104704.1");

    g_assert_true(logfile_link_current(dir, "log.20261125104704.1", &err));
    g_assert_true(logfile_link_current(dir, "log.20261125104704.0", &err));
    g_assert_no_error(err);
    g_autofree char *link = g_build_filename(dir, "log", NULL);
    g_autofree char *target = g_file_read_link(link, NULL);
    g_assert_cmpstr(target, ==, "log.20261125104704.0");

    g_assert_true(logfile_rotate(dir, "log.20251231235959.0", &err));
    g_assert_no_error(err);
    g_autofree char *old = g_build_filename(dir, "oldlog", "log.20251231235959.0", NULL);
    g_assert_true(g_file_test(old, G_FILE_TEST_EXISTS));
    g_assert_false(logfile_rotate(dir, "log.none.0", &err));
    g_assert_error(err, LOGFILE_ERROR, LOGFILE_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "log.none.0"));
    g_clear_error(&err);

    /* batched lines without a sync each, then one sync */
    logfile_t *log = logfile_open(p0, &err);
    g_assert_no_error(err);
    logfile_set_sync(log, FALSE);
    for (int i = 0; i < 100; i++)
        g_assert_true(logfile_add(log, LOGFILE_L_DISK, LOGFILE_P_PLANNER, &err, "h /d%d", i));
    g_assert_true(logfile_sync(log, &err));
    logfile_set_sync(log, TRUE);
    g_assert_true(logfile_add(log, LOGFILE_L_START, LOGFILE_P_DRIVER, &err, "date 1"));
    g_assert_cmpstr(logfile_path(log), ==, p0);
    logfile_close(log);
    g_autoptr(GPtrArray) batch = logfile_read(p0, &err);
    g_assert_cmpuint(batch->len, ==, 101);

    g_autofree char *missing = g_build_filename(dir, "nodir", NULL);
    g_autoptr(GPtrArray) none = logfile_list(missing, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(none->len, ==, 0);
    g_assert_null(logfile_read(missing, &err));
    g_assert_error(err, LOGFILE_ERROR, LOGFILE_ERROR_IO);
    g_clear_error(&err);
    ct_rm_rf(dir);
}

/* Four processes append 300 lines each to one log: every line arrives
 * whole and in its writer's order. */
static void
test_concurrent_writers(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    g_autofree char *path = logfile_create_new(dir, "20261125104704", &err);
    g_assert_no_error(err);
    enum { WRITERS = 4, LINES = 300 };
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        g_assert_cmpint(pids[w], >=, 0);
        if (pids[w] == 0) {
            logfile_t *log = logfile_open(path, NULL);
            for (int i = 0; log && i < LINES; i++)
                if (!logfile_add(log, LOGFILE_L_INFO, LOGFILE_P_DUMPER, NULL,
                                 "writer %d line %d %s", w, i,
                                 "padding-padding-padding-padding-padding-padding"))
                    _exit(1);
            logfile_close(log);
            _exit(log ? 0 : 2);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status;
        g_assert_cmpint(waitpid(pids[w], &status, 0), ==, pids[w]);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    g_autoptr(GPtrArray) w = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) entries = logfile_read_warn(path, w, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(w->len, ==, 0);
    g_assert_cmpuint(entries->len, ==, WRITERS * LINES);
    int next[WRITERS] = { 0 };
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        int wr, ln;
        g_assert_cmpint(e->type, ==, LOGFILE_L_INFO);
        g_assert_cmpint(sscanf(e->rest, "writer %d line %d", &wr, &ln), ==, 2);
        g_assert_cmpint(ln, ==, next[wr]++);
        g_assert_true(g_str_has_suffix(e->rest, "padding-padding"));
    }
    ct_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/logfile/obs/every-line", test_obs_every_line);
    g_test_add_func("/logfile/obs/fields", test_obs_fields);
    g_test_add_func("/logfile/obs/rebuild-identical", test_obs_rebuild_identical);
    g_test_add_func("/logfile/continuation", test_continuation_lines);
    g_test_add_func("/logfile/other-shapes", test_other_shapes);
    g_test_add_func("/logfile/bad-lines-named", test_bad_lines_named);
    g_test_add_func("/logfile/stats", test_stats);
    g_test_add_func("/logfile/names", test_names);
    g_test_add_func("/logfile/files", test_files);
    g_test_add_func("/logfile/concurrent-writers", test_concurrent_writers);
    return g_test_run();
}
