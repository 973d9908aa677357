/* Unit tests for dumper-mesg: the MESG stream of sendbackup, fed in
 * arbitrary pieces; good, strange, failed and truncated dumps. */
#include "config.h"
#include "dumper-mesg.h"

#include <string.h>

static const char good[] =
    "sendbackup: start [localhost:/srv level 0]\n"
    "sendbackup: info BACKUP=APPLICATION\n"
    "sendbackup: info APPLICATION=amgtar\n"
    "sendbackup: info RECOVER_CMD=/usr/lib/amanda/application/amgtar restore [./file-to-restore]+\n"
    "sendbackup: info end\n"
    "| Total bytes written: 165355520 (158MiB, 1.1GiB/s)\n"
    "sendbackup: size 161480\n"
    "sendbackup: native-CRC 403beedd:165355520\n"
    "sendbackup: client-CRC 403beedd:165355520\n"
    "sendbackup: end\n";

static void
feed_in_pieces(dumper_mesg_t *m, const char *text, gsize step)
{
    gsize n = strlen(text);
    for (gsize i = 0; i < n; i += step)
        dumper_mesg_feed(m, text + i, MIN(step, n - i));
    dumper_mesg_eof(m);
}

static void
test_good_any_split(void)
{
    for (gsize step = 1; step < 40; step += 3) {
        dumper_mesg_t m;
        dumper_mesg_init(&m);
        feed_in_pieces(&m, good, step);
        g_assert_null(dumper_mesg_failure(&m));
        g_assert_cmpint(m.size_kb, ==, 161480);
        g_assert_true(m.got_end);
        g_assert_cmphex(m.native_crc.crc, ==, 0x403beedd);
        g_assert_cmpuint(m.native_crc.size, ==, 165355520);
        g_assert_cmphex(m.client_crc.crc, ==, 0x403beedd);
        g_assert_cmpstr(m.application, ==, "amgtar");
        g_assert_nonnull(strstr(m.recover_cmd, "amgtar restore"));
        g_assert_cmpuint(m.strange->len, ==, 0);
        g_assert_cmpuint(m.all->len, ==, 10);
        dumper_mesg_clear(&m);
    }
}

static void
test_strange(void)
{
    dumper_mesg_t m;
    dumper_mesg_init(&m);
    feed_in_pieces(&m, "? tar: ./x: file changed as we read it\nsendbackup: size 10\nsendbackup: end\n", 7);
    g_assert_null(dumper_mesg_failure(&m));
    g_assert_cmpuint(m.strange->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(m.strange, 0), ==, "tar: ./x: file changed as we read it");
    dumper_mesg_clear(&m);
}

static void
test_failures(void)
{
    struct { const char *text, *why; } cases[] = {
        { "sendbackup: end\n", "no backup size line" },
        { "sendbackup: size 5\n", "no end line from sendbackup (the client stopped early)" },
        { "sendbackup: error [no such directory]\nsendbackup: size 5\nsendbackup: end\n", "no such directory" },
        { "& tar: cannot open\nsendbackup: size 5\nsendbackup: end\n", "tar: cannot open" },
        { "sendbackup: size x\nsendbackup: end\n", "no backup size line" },
        { "", "no backup size line" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        dumper_mesg_t m;
        dumper_mesg_init(&m);
        feed_in_pieces(&m, cases[i].text, 5);
        g_assert_cmpstr(dumper_mesg_failure(&m), ==, cases[i].why);
        dumper_mesg_clear(&m);
    }
}

static void
test_last_line_without_newline(void)
{
    dumper_mesg_t m;
    dumper_mesg_init(&m);
    feed_in_pieces(&m, "sendbackup: size 3\nsendbackup: end", 100);
    g_assert_null(dumper_mesg_failure(&m));
    dumper_mesg_clear(&m);
}

static void
test_crc_parse(void)
{
    fileheader_crc_t c = { 0, 0 };
    g_assert_true(dumper_parse_crc("7b8dc382:145479680", &c));
    g_assert_cmphex(c.crc, ==, 0x7b8dc382);
    g_assert_cmpuint(c.size, ==, 145479680);
    g_assert_false(dumper_parse_crc("zz:1", &c));
    g_assert_false(dumper_parse_crc("12345678", &c));
    g_assert_false(dumper_parse_crc("12345678:", &c));
    g_assert_false(dumper_parse_crc("1ffffffff:3", &c));
}

static void
test_garbage_does_not_crash(void)
{
    GRand *r = g_rand_new_with_seed(42);
    for (int i = 0; i < 500; i++) {
        char buf[300];
        for (gsize j = 0; j < sizeof buf; j++)
            buf[j] = (char)g_rand_int_range(r, 1, 256);
        dumper_mesg_t m;
        dumper_mesg_init(&m);
        dumper_mesg_feed(&m, buf, sizeof buf);
        dumper_mesg_eof(&m);
        (void)dumper_mesg_failure(&m);
        dumper_mesg_clear(&m);
    }
    g_rand_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dumper-mesg/good", test_good_any_split);
    g_test_add_func("/dumper-mesg/strange", test_strange);
    g_test_add_func("/dumper-mesg/failures", test_failures);
    g_test_add_func("/dumper-mesg/no-final-newline", test_last_line_without_newline);
    g_test_add_func("/dumper-mesg/crc", test_crc_parse);
    g_test_add_func("/dumper-mesg/garbage", test_garbage_does_not_crash);
    return g_test_run();
}
