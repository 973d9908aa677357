/* Unit tests for the whitelist of the privileged helper amgtar-runtar. */
#include "config.h"
#include "runtar-policy.h"

#include <glib.h>
#include <limits.h>
#include <string.h>

static void
test_op_and_level(void)
{
    enum runtar_op op;
    bool check = false;
    int level = -1;
    g_assert_true(runtar_parse_op("backup", &op, &check) && op == RUNTAR_BACKUP && check);
    g_assert_true(runtar_parse_op("estimate", &op, &check) && op == RUNTAR_ESTIMATE && check);
    g_assert_true(runtar_parse_op("backup-no-check-device", &op, &check) && op == RUNTAR_BACKUP &&
                  !check);
    g_assert_true(runtar_parse_op("estimate-no-check-device", &op, &check) &&
                  op == RUNTAR_ESTIMATE && !check);
    g_assert_false(runtar_parse_op("restore", &op, &check));
    g_assert_false(runtar_parse_op("--to-command=sh", &op, &check));
    g_assert_false(runtar_parse_op("Backup", &op, &check));
    g_assert_false(runtar_parse_op("backup-no-check-device ", &op, &check));
    g_assert_false(runtar_parse_op("backup--no-check-device", &op, &check));
    g_assert_true(runtar_parse_level("0", &level) && level == 0);
    g_assert_true(runtar_parse_level("399", &level) && level == 399);
    static const char *const bad[] = { "", "400", "-1", "+1", "01", "1 ", "1e2", "9999", "x" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(runtar_parse_level(bad[i], &level));
}

static void
test_names(void)
{
    g_assert_true(runtar_valid_name("DailySet1"));
    g_assert_true(runtar_valid_name("client-1.example.com"));
    g_assert_true(runtar_valid_name("a_b"));
    static const char *const bad[] = {
        "", "-x", ".hidden", "a/b", "a b", "a;b", "$(id)", "a\nb", "--checkpoint-action=exec",
        "0123456789012345678901234567890123456789012345678901234567890123456789",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (runtar_valid_name(bad[i]))
            g_error("name \"%s\" accepted", bad[i]);
}

static void
test_disks(void)
{
    static const char *const good[] = { "/", "/data", "/home/my docs", "/a/b.c/..d", "/é" };
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
        if (!runtar_valid_disk(good[i]))
            g_error("disk \"%s\" refused", good[i]);
    static const char *const bad[] = {
        "", "data", "./data", "/data/", "//data", "/a//b", "/a/./b", "/a/../b", "/a/.",
        "/a/..", "/a\nb", "/a\tb", "-/x", "--files-from=/etc/shadow",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (runtar_valid_disk(bad[i]))
            g_error("disk \"%s\" accepted", bad[i]);
    char longpath[PATH_MAX + 2];
    memset(longpath, 'a', sizeof longpath);
    longpath[0] = '/';
    longpath[PATH_MAX] = '\0';
    g_assert_false(runtar_valid_disk(longpath));
}

static void
test_snapshot_and_argv(void)
{
    char path[PATH_MAX];
    g_assert_true(runtar_snapshot_path(path, sizeof path, "/var/lib/amanda/gnutar-lists",
                                       "localhost", "/data/docs", 1, ".new"));
    g_assert_cmpstr(path, ==, "/var/lib/amanda/gnutar-lists/localhost__data_docs_1.new");
    char small[16];
    g_assert_false(runtar_snapshot_path(small, sizeof small, "/l", "h", "/data/docs", 1, ".new"));

    const char *argv[RUNTAR_MAX_ARGV];
    runtar_build_argv(argv, RUNTAR_BACKUP, false, "/bin/tar", "/l/s.new");
    g_autofree char *b = g_strjoinv(" ", (char **)argv);
    g_assert_cmpstr(b, ==, "/bin/tar --create --file - --one-file-system --no-check-device "
                    "--listed-incremental /l/s.new --sparse --ignore-failed-read --totals "
                    "--verbose --block-number -- .");
    runtar_build_argv(argv, RUNTAR_BACKUP, true, "/bin/tar", "/l/s.new");
    g_autofree char *bc = g_strjoinv(" ", (char **)argv);
    g_assert_cmpstr(bc, ==, "/bin/tar --create --file - --one-file-system "
                    "--listed-incremental /l/s.new --sparse --ignore-failed-read --totals "
                    "--verbose --block-number -- .");
    runtar_build_argv(argv, RUNTAR_ESTIMATE, false, "/bin/tar", "/l/s.est");
    g_autofree char *e = g_strjoinv(" ", (char **)argv);
    g_assert_cmpstr(e, ==, "/bin/tar --create --file /dev/null --one-file-system "
                    "--no-check-device --listed-incremental /l/s.est --sparse "
                    "--ignore-failed-read --totals -- .");
}

static void
test_allow_list(void)
{
    const char *conf = "# disks amgtar-runtar may read\n/data\n  /home/ \n\n/srv/x\r\n";
    g_assert_true(runtar_disk_allowed(conf, "/data"));
    g_assert_true(runtar_disk_allowed(conf, "/data/sub"));
    g_assert_true(runtar_disk_allowed(conf, "/home/u"));
    g_assert_true(runtar_disk_allowed(conf, "/srv/x"));
    g_assert_false(runtar_disk_allowed(conf, "/database"));
    g_assert_false(runtar_disk_allowed(conf, "/etc"));
    g_assert_false(runtar_disk_allowed(conf, "/"));
    g_assert_false(runtar_disk_allowed("", "/data"));
    g_assert_false(runtar_disk_allowed("# /data\n", "/data"));
    g_assert_true(runtar_disk_allowed("/\n", "/etc"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/runtar/op-level", test_op_and_level);
    g_test_add_func("/runtar/names", test_names);
    g_test_add_func("/runtar/disks", test_disks);
    g_test_add_func("/runtar/snapshot-argv", test_snapshot_and_argv);
    g_test_add_func("/runtar/allow-list", test_allow_list);
    return g_test_run();
}
