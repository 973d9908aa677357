/* Crash tests for the catalogue writers.
 *
 * 1. What a writer killed mid-way leaves (a half-written temp file next
 *    to every catalogue file, a torn last log line, holding chunks still
 *    named .tmp) is accepted by every reader: they see the last complete
 *    state, and the next writer carries on.
 * 2. Real kills: a child rewrites a curinfo record and the tapelist and
 *    appends log lines in a loop; it is SIGKILLed at random moments, and
 *    each time the files read back whole, as one of the states it wrote. */
#include "config.h"
#include "curinfo.h"
#include "find.h"
#include "holding.h"
#include "indexfile.h"
#include "logfile.h"
#include "tapelist.h"
#include "catalogue-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void
test_leftover_curinfo(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    gsize len;
    g_autofree char *good = ct_data("obs-curinfo-b.info", &len);
    g_autofree char *info = curinfo_path(dir, "localhost", "/srv/obs/data/b");
    ct_write(info, good, (gssize)len);
    g_autofree char *dle = g_path_get_dirname(info);
    g_autofree char *tmp = g_build_filename(dle, "info.tmp.4242", NULL);
    ct_write(tmp, good, (gssize)len / 2); /* the writer died here */
    /* a DLE whose very first write died */
    g_autofree char *info2 = curinfo_path(dir, "localhost", "/new");
    g_autofree char *dle2 = g_path_get_dirname(info2);
    g_autofree char *tmp2 = g_build_filename(dle2, "info.tmp.4243", NULL);
    ct_write(tmp2, "version: 0\ncomm", -1);

    g_autoptr(curinfo_t) got = curinfo_new();
    gboolean exists = FALSE;
    g_assert_true(curinfo_read(dir, "localhost", "/srv/obs/data/b", got, &exists, &err));
    g_assert_no_error(err);
    g_autofree char *text = curinfo_format(got);
    g_assert_cmpstr(text, ==, good);
    g_assert_true(curinfo_read(dir, "localhost", "/new", got, &exists, &err));
    g_assert_false(exists);
    g_autoptr(GPtrArray) dles = curinfo_list(dir, &err);
    g_assert_cmpuint(dles->len, ==, 1);
    /* the next writer replaces the record and the planner reads it */
    g_assert_true(curinfo_set_command(dir, "localhost", "/new", CURINFO_FORCE_FULL, 0, NULL,
                                      &err));
    g_assert_no_error(err);
    g_autoptr(GPtrArray) dles2 = curinfo_list(dir, &err);
    g_assert_cmpuint(dles2->len, ==, 2);
    g_assert_cmpuint(ct_count_entries(dle2), ==, 1); /* the stale temp file is gone */
    ct_rm_rf(dir);
}

static void
test_leftover_tapelist(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    gsize len;
    g_autofree char *good = ct_data("synthetic-tapelist", &len);
    g_autofree char *path = g_build_filename(dir, "tapelist", NULL);
    ct_write(path, good, (gssize)len);
    g_autofree char *tmp = g_strconcat(path, ".new.4242", NULL);
    ct_write(tmp, good, 30);
    g_autoptr(tapelist_t) tl = tapelist_read(path, &err);
    g_assert_no_error(err);
    g_autofree char *text = tapelist_format(tl);
    g_assert_cmpstr(text, ==, good);
    g_assert_nonnull(tapelist_add(tl, "0", "Obs-004", TRUE, &err));
    g_assert_true(tapelist_write(path, tl, &err));
    g_autoptr(tapelist_t) again = tapelist_read(path, &err);
    g_assert_cmpuint(again->entries->len, ==, 4);
    ct_rm_rf(dir);
}

/* A log whose writer died mid-line: readers drop the torn line with a
 * FILE:LINE warning, find still lists the dumps, and the next writer
 * (amcleanup) starts on a fresh line. */
static void
test_torn_log(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    gsize len;
    g_autofree char *good = ct_data("obs-log.20261125104704.0", &len);
    g_autofree char *path = g_build_filename(dir, "log.20261125104704.0", NULL);
    g_autoptr(GString) torn = g_string_new_len(good, (gssize)len);
    g_string_append(torn, "PART taper \"ST:Obs\" \"POOL:Obs\" Obs-001 4 localhost /x 2026");
    ct_write(path, torn->str, (gssize)torn->len);
    g_autofree char *tl = g_build_filename(dir, "tapelist", NULL);
    g_autofree char *tltext = ct_data("obs-tapelist", NULL);
    ct_write(tl, tltext, -1);

    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) entries = logfile_read_warn(path, warnings, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(warnings->len, ==, 1);
    g_autofree char *want = g_strdup_printf("%s:59: ", path); /* 58 lines, then the torn one */
    g_assert_true(g_str_has_prefix(g_ptr_array_index(warnings, 0), want));
    g_autoptr(GPtrArray) res = find_dumps(dir, tl, &err);
    g_assert_no_error(err);
    g_autofree char *table = find_format(res);
    g_autofree char *amanda = ct_data("obs-amadmin-find.txt", NULL);
    g_assert_cmpstr(table, ==, amanda);

    logfile_t *log = logfile_open(path, &err);
    g_assert_no_error(err);
    g_assert_true(logfile_add(log, LOGFILE_L_INFO, LOGFILE_P_AMCLEANUP, &err,
                              "amcleanup pid %d", 77));
    logfile_close(log);
    /* a second opener must not add another newline */
    log = logfile_open(path, &err);
    logfile_close(log);
    g_autoptr(GPtrArray) w2 = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) e2 = logfile_read_warn(path, w2, &err);
    g_assert_cmpuint(e2->len, ==, entries->len + 2); /* the torn line, then amcleanup's */
    const logfile_entry_t *last = g_ptr_array_index(e2, e2->len - 1);
    g_assert_cmpint(last->type, ==, LOGFILE_L_INFO);
    g_assert_cmpint(last->program, ==, LOGFILE_P_AMCLEANUP);
    g_assert_cmpstr(last->rest, ==, "amcleanup pid 77");
    const logfile_entry_t *cut = g_ptr_array_index(e2, e2->len - 2);
    g_assert_false(cut->has_dump); /* the cut PART is not taken for a dump */
    g_autoptr(GPtrArray) res2 = find_dumps(dir, tl, &err);
    g_assert_cmpuint(res2->len, ==, 3);
    ct_rm_rf(dir);
}

static void
test_leftover_index_and_holding(void)
{
    g_autofree char *dir = ct_tmpdir();
    GError *err = NULL;
    g_autofree char *idx = indexfile_path(dir, "h", "/a", "20261125104704", 0,
                                          INDEXFILE_UNSORTED);
    g_autofree char *idxtmp = g_strconcat(idx, ".tmp", NULL);
    ct_write(idxtmp, "\x1f\x8b\x08", 3);
    g_autoptr(GPtrArray) dumps = indexfile_list_dumps(dir, "h", "/a", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(dumps->len, ==, 0);

    g_autofree char *hd = g_build_filename(dir, "holding", NULL);
    dumpfile_t h;
    fileheader_init(&h);
    h.type = FILEHEADER_DUMPFILE;
    h.datestamp = g_strdup("20261125104704");
    h.host = g_strdup("h");
    h.disk = g_strdup("/a");
    h.program = g_strdup("APPLICATION");
    g_autofree char *img = holding_file_name(hd, "20261125104704", "h", "/a", 0);
    /* a complete image, and one whose writer never finished */
    holding_writer_t *w = holding_writer_open(img, &h, 0, &err);
    g_assert_true(holding_writer_write(w, "data", 4, NULL, &err));
    g_assert_true(holding_writer_finish(w, FALSE, &err));
    g_autofree char *img2 = holding_file_name(hd, "20261125104704", "h", "/b", 0);
    w = holding_writer_open(img2, &h, 3 * DISK_BLOCK_BYTES, &err);
    char block[DISK_BLOCK_BYTES] = { 0 };
    for (int i = 0; i < 5; i++)
        g_assert_true(holding_writer_write(w, block, sizeof(block), NULL, &err));
    /* "crash": the process goes away without finish/abort; its files stay */
    const char *dirs[] = { hd, NULL };
    g_autoptr(GPtrArray) files = holding_list(dirs, &err);
    g_assert_cmpuint(files->len, ==, 1);
    g_assert_cmpstr(((holding_file_t *)g_ptr_array_index(files, 0))->disk, ==, "/a");
    g_autoptr(GPtrArray) tmps = holding_list_tmp(dirs, &err);
    g_assert_cmpuint(tmps->len, ==, 3);
    holding_writer_abort(w); /* what amcleanup does with them */
    g_autoptr(GPtrArray) tmps2 = holding_list_tmp(dirs, &err);
    g_assert_cmpuint(tmps2->len, ==, 0);
    fileheader_clear(&h);
    ct_rm_rf(dir);
}

/* ---- real kills ---- */

typedef struct {
    char *dir, *tapelist, *log;
} victim_t;

static const char *const tl_states[2] = {
    "20261125104704 Obs-001 reuse BLOCKSIZE:32 POOL:Obs STORAGE:Obs CONFIG:Obs\n",
    "20261125110000 Obs-002 reuse BLOCKSIZE:32 POOL:Obs STORAGE:Obs CONFIG:Obs\n"
    "20261125104704 Obs-001 no-reuse BLOCKSIZE:32 POOL:Obs STORAGE:Obs CONFIG:Obs\n",
};

/* The child: rewrite curinfo and tapelist, append to the log, forever. */
static void G_GNUC_NORETURN
victim_loop(const victim_t *v)
{
    logfile_t *log = logfile_open(v->log, NULL);
    for (guint i = 0;; i++) {
        curinfo_t info;
        curinfo_init(&info);
        curinfo_dump_t d = { (int)(i % 2), 1000 + i, 500 + i, 2, 1795603624 + i, TRUE };
        curinfo_record_dump(&info, &d);
        if (!curinfo_write(v->dir, "localhost", "/srv/obs/data/b", &info, NULL))
            _exit(3);
        curinfo_clear(&info);
        g_autoptr(tapelist_t) tl = tapelist_parse(tl_states[i % 2], strlen(tl_states[i % 2]),
                                                  NULL);
        if (!tapelist_write(v->tapelist, tl, NULL))
            _exit(4);
        if (!logfile_add(log, LOGFILE_L_INFO, LOGFILE_P_DRIVER, NULL,
                         "iteration %u of a long line that takes a while to write %s", i,
                         "0123456789012345678901234567890123456789"))
            _exit(5);
    }
}

static void
check_victim_files(const victim_t *v)
{
    GError *err = NULL;
    g_autoptr(curinfo_t) info = curinfo_new();
    gboolean exists = FALSE;
    g_assert_true(curinfo_read(v->dir, "localhost", "/srv/obs/data/b", info, &exists, &err));
    g_assert_no_error(err);
    if (exists) {
        g_assert_cmpint(info->nhistory, ==, 1);
        g_assert_cmpint(info->history[0].size - 1000, ==, info->history[0].csize - 500);
    }
    g_autoptr(tapelist_t) tl = tapelist_read(v->tapelist, &err);
    g_assert_no_error(err);
    if (tl->entries->len > 0) {
        g_autofree char *text = tapelist_format(tl);
        g_assert_true(strcmp(text, tl_states[0]) == 0 || strcmp(text, tl_states[1]) == 0);
    }
    /* On a loaded machine the kill can come before the first log line. */
    if (!g_file_test(v->log, G_FILE_TEST_EXISTS))
        return;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) entries = logfile_read_warn(v->log, warnings, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(warnings->len, ==, 0); /* every line whole: one write each */
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        g_assert_true(g_str_has_suffix(e->rest, "0123456789"));
    }
}

static void
test_kill_writers(void)
{
    victim_t v;
    v.dir = ct_tmpdir();
    v.tapelist = g_build_filename(v.dir, "tapelist", NULL);
    v.log = g_build_filename(v.dir, "log.20261125104704.0", NULL);
    GRand *rng = g_rand_new_with_seed(7);
    for (int round = 0; round < 25; round++) {
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0)
            victim_loop(&v);
        g_usleep((gulong)g_rand_int_range(rng, 0, 20000));
        kill(pid, SIGKILL);
        int status;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFSIGNALED(status)); /* killed, not failed */
        check_victim_files(&v);
    }
    /* evidence that kills landed inside writes: their temp files */
    g_test_message("%u entries in the state dir after 25 kills (temp files of killed "
                   "tapelist writes among them)", ct_count_entries(v.dir));
    g_rand_free(rng);
    ct_rm_rf(v.dir);
    g_free(v.dir);
    g_free(v.tapelist);
    g_free(v.log);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/catalogue-crash/leftover-curinfo", test_leftover_curinfo);
    g_test_add_func("/catalogue-crash/leftover-tapelist", test_leftover_tapelist);
    g_test_add_func("/catalogue-crash/torn-log", test_torn_log);
    g_test_add_func("/catalogue-crash/leftover-index-and-holding",
                    test_leftover_index_and_holding);
    g_test_add_func("/catalogue-crash/kill-writers", test_kill_writers);
    return g_test_run();
}
