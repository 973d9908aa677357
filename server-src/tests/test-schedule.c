/* Unit tests for the planner -> driver DUMP line and the sendsize reply
 * parser. */
#include "config.h"
#include "schedule.h"
#include "planner-estimate.h"

#include <string.h>

static void
test_roundtrip(void)
{
    sched_dump_t d = { "localhost", "ffff", "/srv/c d_e", "20261125104704", "1970:1:1:0:0:0",
                       "Skipping: x", 20783, 0, 10, 5, 0, 1024 };
    g_autofree char *line = sched_format_dump(&d);
    g_assert_cmpstr(line, ==, "DUMP localhost ffff \"/srv/c d_e\" 20261125104704 20783 0 "
                              "1970:1:1:0:0:0 10 5 0 1024 \"Skipping: x\"");
    sched_dump_t p;
    GError *err = NULL;
    g_assert_true(sched_parse_dump(line, &p, &err));
    g_assert_cmpstr(p.disk, ==, "/srv/c d_e");
    g_assert_cmpint(p.priority, ==, 20783);
    g_assert_cmpint(p.csize, ==, 5);
    g_assert_cmpstr(p.reason, ==, "Skipping: x");
    sched_dump_clear(&p);
}

static void
test_bad_lines(void)
{
    const char *bad[] = { "", "DUMP a b", "FLUSH a b c d e f g h i j k",
                          "DUMP h f d ts x 0 dd 1 1 1 1 r", "DUMP h f d ts 1 400 dd 1 1 1 1 r",
                          "DUMP h f d ts 1 -1 dd 1 1 1 1 r", NULL };
    for (int i = 0; bad[i]; i++) {
        sched_dump_t p;
        GError *err = NULL;
        g_assert_false(sched_parse_dump(bad[i], &p, &err));
        g_assert_nonnull(err);
        g_error_free(err);
    }
}

static void
test_dumpdate(void)
{
    g_autofree char *a = sched_dumpdate(0);
    g_assert_cmpstr(a, ==, "1970:1:1:0:0:0");
    g_autofree char *b = sched_dumpdate(1795589105);
    g_assert_cmpstr(b, ==, "2026:11:25:6:45:5");
}

static void
test_size_lines(void)
{
    char *disk = NULL;
    int level;
    gint64 kb;
    g_assert_true(plan_parse_size_line("/srv/data/blobs 0 SIZE 161480", &disk, &level, &kb));
    g_assert_cmpstr(disk, ==, "/srv/data/blobs");
    g_assert_cmpint(level, ==, 0);
    g_assert_cmpint(kb, ==, 161480);
    g_free(disk);
    g_assert_true(plan_parse_size_line("\"/srv/c d_e\" 1 SIZE -1", &disk, &level, &kb));
    g_assert_cmpstr(disk, ==, "/srv/c d_e");
    g_assert_cmpint(kb, ==, -1);
    g_free(disk);
    g_assert_false(plan_parse_size_line("OPTIONS features=ff;", &disk, &level, &kb));
    g_assert_false(plan_parse_size_line("/a 0 ERROR boom", &disk, &level, &kb));
    g_assert_false(plan_parse_size_line("/a x SIZE 3", &disk, &level, &kb));
    g_assert_false(plan_parse_size_line("/a 0 SIZE 3x", &disk, &level, &kb));
}

/* Replies of several PREPs then the REP: sizes land on the right DLE and
 * level, repeated lines are logged once, ERROR marks the DLEs left. */
static void
test_apply_reply(void)
{
    disklist_entry_t ea = { 0 }, eb = { 0 };
    ea.host = eb.host = "h";
    ea.disk = "/a";
    eb.disk = "/b c";
    plan_estimate_t a = { 0 }, b = { 0 };
    a.entry = &ea;
    b.entry = &eb;
    a.req.nlevels = b.req.nlevels = 2;
    a.req.levels[0] = b.req.levels[0] = 0;
    a.req.levels[1] = b.req.levels[1] = 1;
    a.req.server[0] = TRUE;  /* level 0 of /a comes from the history */
    a.sizes[0] = 77;
    a.sizes[1] = b.sizes[0] = b.sizes[1] = -1;
    a.asked = b.asked = TRUE;
    g_autoptr(GPtrArray) ests = g_ptr_array_new();
    g_ptr_array_add(ests, &a);
    g_ptr_array_add(ests, &b);
    GHashTable *idx = plan_estimate_index(ests);
    g_autoptr(GString) log = g_string_new(NULL);
    plan_apply_reply(ests, idx, "h", "OPTIONS features=ff;\n/a 1 SIZE 10\n", log);
    plan_apply_reply(ests, idx, "h", "OPTIONS features=ff;\n/a 1 SIZE 10\n\"/b c\" 0 SIZE 500\n"
                                     "/a 0 SIZE 9999\n/zz 0 SIZE 1\n", log);
    g_assert_cmpint(a.sizes[0], ==, 77);   /* server level untouched */
    g_assert_cmpint(a.sizes[1], ==, 10);
    g_assert_cmpint(b.sizes[0], ==, 500);
    g_assert_cmpint(b.sizes[1], ==, -1);
    g_assert_cmpstr(log->str, ==, "  /a 1 SIZE 10\n  \"/b c\" 0 SIZE 500\n");
    plan_apply_reply(ests, idx, "other", "/a 1 SIZE 5\n", NULL);
    g_assert_cmpint(a.sizes[1], ==, 10);   /* another host's reply */
    plan_apply_reply(ests, idx, "h", "ERROR no amgtar here\n", NULL);
    g_assert_cmpstr(a.error, ==, "no amgtar here");
    g_free(a.error);
    g_free(b.error);
    g_hash_table_unref(idx);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/schedule/roundtrip", test_roundtrip);
    g_test_add_func("/schedule/bad", test_bad_lines);
    g_test_add_func("/schedule/dumpdate", test_dumpdate);
    g_test_add_func("/schedule/size-lines", test_size_lines);
    g_test_add_func("/schedule/apply-reply", test_apply_reply);
    return g_test_run();
}
