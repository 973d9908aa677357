/* Unit tests of dumpspec (AMANDA match expressions) and fetchplan. */
#include <string.h>

#include "dumpspec.h"
#include "fetchplan.h"

typedef struct {
    const char *pattern, *subject;
    gboolean want;
} Case;

static void
test_host(void)
{
    static const Case cases[] = {
        { "hosta", "hosta", TRUE },           { "hosta", "foo.hosta.org", TRUE },
        { "hosta", "hoSTA.dOMAIna.ORG", TRUE }, { "hosta", "hostb", FALSE },
        { "host", "hosta", FALSE },           { "host?", "hosta", TRUE },
        { "host?", "host", FALSE },           { "host?", "hostabc", FALSE },
        { "ho*na", "hoina", TRUE },           { "ho*na", "ho.aina.org", FALSE },
        { "ho**na", "ho.aina.org", TRUE },    { "^hosta", "hosta", TRUE },
        { "^hosta", "foo.hosta.org", FALSE }, { ".opt.", "opt", TRUE },
        { "local$", "localhost", FALSE },     { "=localhost", "LOCALHOST", TRUE },
        { "=local", "localhost", FALSE },     { "h[ab]", "hb", TRUE },
        { "h[!ab]", "hb", FALSE },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        gboolean got = dumpspec_match_host(cases[i].pattern, cases[i].subject);
        if (got != cases[i].want)
            g_test_message("host %s vs %s: got %d", cases[i].pattern, cases[i].subject, got);
        g_assert_cmpint(got, ==, cases[i].want);
    }
}

static void
test_disk(void)
{
    static const Case cases[] = {
        { "sda*", "/dev/sda1", TRUE },      { "sda*", "/dev/sda12", TRUE },
        { "/opt", "opt", TRUE },            { "/", "/", TRUE },
        { "/", "/usr", FALSE },             { "/usr", "/usr", TRUE },
        { "/usr", "/usr/local", TRUE },     { "/usr$", "/usr/local", FALSE },
        { "/usr$", "/usr", TRUE },          { "share", "\\\\windows1\\share", TRUE },
        { "share*", "\\\\windows\\share2", TRUE },
        { "//windows/share", "\\\\windows\\share", TRUE },
        { "Data", "/data", FALSE },         { "=/srv/a b", "/srv/a b", TRUE },
        { "c d_e", "/srv/obs/data/c d_e", TRUE },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        gboolean got = dumpspec_match_disk(cases[i].pattern, cases[i].subject);
        if (got != cases[i].want)
            g_test_message("disk %s vs %s: got %d", cases[i].pattern, cases[i].subject, got);
        g_assert_cmpint(got, ==, cases[i].want);
    }
}

static void
test_datestamp_level(void)
{
    g_assert_true(dumpspec_match_datestamp("20001212-14", "20001213"));
    g_assert_true(dumpspec_match_datestamp("20001212-4", "20001214101010"));
    g_assert_false(dumpspec_match_datestamp("20001212-14", "20001215"));
    g_assert_true(dumpspec_match_datestamp("20001212-24", "20001220"));
    g_assert_true(dumpspec_match_datestamp("2000121", "20001219"));
    g_assert_true(dumpspec_match_datestamp("2000-10", "20050101"));
    g_assert_false(dumpspec_match_datestamp("2000-10", "20110101"));
    g_assert_true(dumpspec_match_datestamp("200010$", "200010"));
    g_assert_false(dumpspec_match_datestamp("200010$", "20001012"));
    g_assert_true(dumpspec_match_datestamp("^2026", "20261125"));
    g_assert_false(dumpspec_match_datestamp("x-y", "20261125"));
    g_assert_true(dumpspec_match_level("1", 12));
    g_assert_false(dumpspec_match_level("1$", 12));
    g_assert_true(dumpspec_match_level("3-5", 4));
    g_assert_false(dumpspec_match_level("3-5", 6));
    g_assert_false(dumpspec_match_level("3-", 4));
}

static void
test_spec_list(void)
{
    char *args[] = { "hosta", "/usr", "2026", "hostb", NULL };
    g_autoptr(GPtrArray) specs = dumpspec_from_args(4, args, 3, FALSE);
    g_assert_cmpuint(specs->len, ==, 2);
    g_assert_true(dumpspec_list_match(specs, "hosta", "/usr/local", "20261125", 0));
    g_assert_false(dumpspec_list_match(specs, "hosta", "/var", "20261125", 0));
    g_assert_true(dumpspec_list_match(specs, "hostb", "/var", "19991231", 0));
    g_autoptr(GPtrArray) none = dumpspec_from_args(0, args, 3, FALSE);
    g_assert_true(dumpspec_list_match(none, "x", "y", "z", 3));
    g_autoptr(GPtrArray) exact = dumpspec_from_args(1, args, 4, TRUE);
    g_assert_false(dumpspec_list_match(exact, "foo.hosta.org", "/", "1", 0));
    g_assert_true(dumpspec_list_match(exact, "hosta", "/", "1", 0));
}

static find_result_t *
part(const char *label, int filenum, int partnum, int total, const char *dump_status)
{
    find_result_t *r = g_new0(find_result_t, 1);
    r->timestamp = g_strdup("20261125101010");
    r->write_timestamp = g_strdup("20261125101010");
    r->hostname = g_strdup("client");
    r->diskname = g_strdup("/home");
    r->label = g_strdup(label);
    r->filenum = filenum;
    r->partnum = partnum;
    r->totalparts = total;
    r->status = g_strdup("OK");
    r->dump_status = g_strdup(dump_status);
    r->message = g_strdup("");
    return r;
}

static void
test_fetchplan(void)
{
    g_autoptr(GPtrArray) res = g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
    g_ptr_array_add(res, part("V-001", 5, 1, 3, "OK"));
    g_ptr_array_add(res, part("V-001", 6, 2, 3, "OK"));
    g_ptr_array_add(res, part("V-002", 1, 3, 3, "OK"));
    g_autoptr(GString) skipped = g_string_new(NULL);
    g_autoptr(GPtrArray) dumps = fetchplan_build(res, NULL, skipped);
    g_assert_cmpuint(dumps->len, ==, 1);
    fetch_dump_t *d = dumps->pdata[0];
    g_assert_cmpint(d->nparts, ==, 3);
    g_assert_true(fetchplan_check(d, NULL));
    g_autoptr(GPtrArray) vols = fetchplan_volumes(dumps);
    g_assert_cmpuint(vols->len, ==, 2);
    g_assert_cmpstr(vols->pdata[1], ==, "V-002");

    /* part 2 gone from the catalogue: named in the error */
    g_ptr_array_remove_index(res, 1);
    g_autoptr(GPtrArray) dumps2 = fetchplan_build(res, NULL, NULL);
    GError *err = NULL;
    g_assert_false(fetchplan_check(dumps2->pdata[0], &err));
    g_assert_nonnull(strstr(err->message, "part 2 of 3"));
    g_assert_nonnull(strstr(err->message, "client:/home"));
    g_error_free(err);

    /* a failed dump is not offered, and said why */
    g_autoptr(GPtrArray) res2 = g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
    g_ptr_array_add(res2, part("V-003", 1, 1, -1, "FAIL"));
    g_autoptr(GPtrArray) dumps3 = fetchplan_build(res2, NULL, skipped);
    g_assert_cmpuint(dumps3->len, ==, 0);
    g_assert_nonnull(strstr(skipped->str, "FAIL"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dumpspec/host", test_host);
    g_test_add_func("/dumpspec/disk", test_disk);
    g_test_add_func("/dumpspec/datestamp-level", test_datestamp_level);
    g_test_add_func("/dumpspec/spec-list", test_spec_list);
    g_test_add_func("/fetchplan/parts", test_fetchplan);
    return g_test_run();
}
