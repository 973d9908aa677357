/* Tests of amreport's model and text/JSON renderings against the output
 * of AMANDA 3.5.1's own amreport on real run logs (tests/data/admin-*:
 * a clean run, a run with a failed DLE, an incremental run, a run without
 * a volume) and the Obs run log. */
#include "config.h"

#include <string.h>

#include "amreport.h"
#include "logfile.h"

static char *
data_path(const char *name)
{
    const char *dir = g_getenv("AMANDA_TEST_SRCDIR");
    return g_build_filename(dir ? dir : "tests", "data", name, NULL);
}

static char *
slurp(const char *name)
{
    g_autofree char *path = data_path(name);
    char *text = NULL;
    GError *err = NULL;
    g_file_get_contents(path, &text, NULL, &err);
    g_assert_no_error(err);
    return text;
}

typedef struct {
    const char *log, *report;
    const char *org, *config;
    gint64 length_kb;
    const char *const *compressed; /* "host\ndisk" of compressed DLEs */
    const char *const *plain;
} fixture_t;

static const char *const adm_comp[] = { "localhost\n/tmp/admobs/data/two", NULL };
static const char *const adm_plain[] = { "localhost\n/tmp/admobs/data/good",
                                         "localhost\n/tmp/admobs/data/missing", NULL };
static const char *const obs_comp[] = { "localhost\n/srv/obs/data/b", NULL };
static const char *const obs_plain[] = { "localhost\n/srv/obs/data/a",
                                         "localhost\n/srv/obs/data/c d_e", NULL };

static const char *const direct_comp[] = { "localhost\n/tmp/adm-t/data2", NULL };
static const char *const direct_plain[] = { "localhost\n/tmp/adm-t/data",
                                            "localhost\n/tmp/adm-t/nonexistent", NULL };

static const char *const span_comp[] = { NULL };
static const char *const span_plain[] = { "localhost\n/tmp/adm-sp/data/big",
                                          "localhost\n/tmp/adm-sp/data/small", NULL };

static const char *const flush_plain[] = { "localhost\n/tmp/adm-fl/data/big",
                                           "localhost\n/tmp/adm-fl/data/small", NULL };

static const fixture_t fixtures[] = {
    { "obs-log.20261125104704.0", "admin-report-obs.txt", "Obs", "Obs", 1024 * 1024, obs_comp,
      obs_plain },
    { "admin-log-fail.0", "admin-report-fail.txt", "AdmObs", "AdmObs", 100 * 1024, adm_comp,
      adm_plain },
    { "admin-log-incr.0", "admin-report-incr.txt", "AdmObs", "AdmObs", 100 * 1024, adm_comp,
      adm_plain },
    { "admin-log-notape.0", "admin-report-notape.txt", "AdmObs", "AdmObs", 100 * 1024,
      adm_comp, adm_plain },
    /* our own pipeline's log (dumps straight to the taper, wide rates) */
    { "admin-log-direct.0", "admin-report-direct.txt", "TestOrg", "AdmT", 100 * 1024,
      direct_comp, direct_plain },
    /* our amdump spanning one dump over four 1 MB vtapes in 256 KB parts */
    { "admin-log-span.0", "admin-report-span.txt", "Sp", "Sp", 1024, span_comp, span_plain },
    /* our amflush taping two holding-disk images of the previous run */
    { "admin-log-flush.0", "admin-report-flush.txt", "Fl", "Fl", 100 * 1024, span_comp,
      flush_plain },
};

static report_t *
build(const fixture_t *f)
{
    g_autofree char *log = slurp(f->log);
    g_autoptr(GPtrArray) entries = logfile_parse_buffer(log, strlen(log));
    g_autoptr(GHashTable) comp = g_hash_table_new(g_str_hash, g_str_equal);
    for (const char *const *c = f->compressed; *c; c++)
        g_hash_table_insert(comp, (gpointer)*c, GINT_TO_POINTER(2));
    for (const char *const *c = f->plain; *c; c++)
        g_hash_table_insert(comp, (gpointer)*c, GINT_TO_POINTER(1));
    report_t *r = report_build(entries, comp, f->length_kb);
    r->filemark_kb = 1; /* the tapetype default */
    return r;
}

/* The stock text with our version on its last line; the header's
 * "The next ..." lines depend on the tapelist, so take them from it. */
static void
test_text_matches_stock(gconstpointer data)
{
    const fixture_t *f = data;
    g_autoptr(report_t) r = build(f);
    g_autofree char *stock = slurp(f->report);
    g_auto(GStrv) lines = g_strsplit(stock, "\n", -1);
    g_autoptr(GPtrArray) next = g_ptr_array_new();
    for (char **l = lines; *l; l++)
        if (g_str_has_prefix(*l, "The next "))
            g_ptr_array_add(next, *l);
    report_header_t h = { f->org, f->config, next, NULL };
    g_autofree char *ours = report_format_text(r, &h);
    g_autofree char *want_tail = g_strdup_printf("(brought to you by Amanda version %s)\n",
                                                 PACKAGE_VERSION);
    char *cut = strstr(stock, "(brought to you by");
    g_assert_nonnull(cut);
    *cut = '\0';
    g_autofree char *want = g_strconcat(stock, want_tail, NULL);
    g_assert_cmpstr(ours, ==, want);
}

static void
test_model_numbers(void)
{
    g_autoptr(report_t) r = build(&fixtures[1]);
    g_assert_true(r->finished);
    g_assert_cmpstr(r->hostname, ==, "vm");
    g_assert_cmpstr(r->datestamp, ==, "20261125111733");
    g_assert_cmpuint(r->dumps->len, ==, 3);
    const report_dump_t *missing = g_ptr_array_index(r->dumps, 1);
    g_assert_cmpstr(missing->disk, ==, "/tmp/admobs/data/missing");
    g_assert_true(missing->planner_failed);
    g_assert_true(g_str_has_prefix(missing->fail_msg, "[no size line match"));
    const report_dump_t *two = g_ptr_array_index(r->dumps, 2);
    g_assert_true(two->dumped && two->taped && two->compressed);
    g_assert_cmpint(two->orig_kb, ==, 30);
    g_assert_cmpint(two->dump_kb, ==, 9);
    g_assert_cmpint(two->tape_kb, ==, 9); /* 9345 bytes */
    g_assert_cmpuint(r->tapes->len, ==, 1);
    const report_tape_t *t = g_ptr_array_index(r->tapes, 0);
    g_assert_cmpstr(t->label, ==, "Adm-002");
    g_assert_cmpint(t->kb, ==, 119);
    g_assert_true(report_has_problems(r));
    g_autoptr(report_t) clean = build(&fixtures[0]);
    g_assert_false(report_has_problems(clean));
}

static void
test_unfinished_and_strange(void)
{
    static const char LOG[] =
        "START planner date 20261125120000\n"
        "START driver date 20261125120000\n"
        "STRANGE dumper h /s 20261125120000 1 [sec 2.0 kb 100 kps 50.0 orig-kb 200]\n"
        "  sendbackup: start [h:/s level 1]\n"
        "  ? gtar: ./x: file changed as we read it\n"
        "  sendbackup: end\n"
        "SUCCESS chunker h /s 20261125120000 1 [sec 2.0 kb 100 kps 50.0]\n"
        "FAIL dumper h /f 20261125120000 0 [data timeout]\n"
        "  sendbackup: start [h:/f level 0]\n"
        "ERROR taper no-tape config [no acceptable volume]\n";
    g_autoptr(GPtrArray) entries = logfile_parse_buffer(LOG, strlen(LOG));
    g_autoptr(report_t) r = report_build(entries, NULL, 0);
    report_header_t h = { "O", "C", NULL, NULL };
    g_autofree char *text = report_format_text(r, &h);
    g_assert_true(g_str_has_prefix(text, "*** THE DUMPS DID NOT FINISH PROPERLY!\n\n"));
    g_assert_nonnull(strstr(text, "*** A TAPE ERROR OCCURRED: [no acceptable volume].\n"));
    g_assert_nonnull(strstr(text, "FAILURE DUMP SUMMARY:\n  h /f lev 0  FAILED [data timeout]\n"));
    g_assert_nonnull(strstr(text, "STRANGE DUMP SUMMARY:\n  h /s lev 1  STRANGE (see below)\n"));
    g_assert_nonnull(strstr(text, "/-- h /s lev 1 STRANGE\nsendbackup: start [h:/s level 1]\n"
                                  "? gtar: ./x: file changed as we read it\n"));
    g_assert_nonnull(strstr(text, "/-- h /f lev 0 FAILED [data timeout]\n"));
    g_assert_nonnull(strstr(text, "DLEs Dumped                    1          0          1  1:1\n"));
    g_autofree char *json = report_format_json(r, &h);
    g_assert_nonnull(strstr(json, "\"status\": \"STRANGE\""));
    g_assert_nonnull(strstr(json, "\"details\": [\"sendbackup: start [h:/s level 1]\""));
    g_assert_nonnull(strstr(json, "\"finished\": false"));
}

static void
test_json_escapes(void)
{
    static const char LOG[] =
        "START driver date 20261125120000\n"
        "FAIL planner h \"/a \\\"q\\\"\" 20261125120000 0 \"[tab\\there]\"\n"
        "FINISH driver date 20261125120000 time 1.0\n";
    g_autoptr(GPtrArray) entries = logfile_parse_buffer(LOG, strlen(LOG));
    g_autoptr(report_t) r = report_build(entries, NULL, 0);
    report_header_t h = { "O\"rg", "C", NULL, NULL };
    g_autofree char *json = report_format_json(r, &h);
    g_assert_nonnull(strstr(json, "\"org\": \"O\\\"rg\""));
    g_assert_nonnull(strstr(json, "\"disk\": \"/a \\\"q\\\"\""));
    g_assert_nonnull(strstr(json, "\"message\": \"[tab\\there]\""));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(fixtures); i++) {
        g_autofree char *name = g_strdup_printf("/amreport/stock/%s", fixtures[i].report);
        g_test_add_data_func(name, &fixtures[i], test_text_matches_stock);
    }
    g_test_add_func("/amreport/model", test_model_numbers);
    g_test_add_func("/amreport/unfinished-strange", test_unfinished_and_strange);
    g_test_add_func("/amreport/json-escapes", test_json_escapes);
    return g_test_run();
}
