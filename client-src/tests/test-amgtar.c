/* Unit tests for the pure parts of amgtar: option parsing, tar command
 * lines, listing -> index/state lines and message classification. */
#include "config.h"
#include "amgtar-args.h"
#include "amgtar-dar.h"
#include "amgtar-index.h"
#include "amgtar-messages.h"
#include "amgtar-run.h"
#include "amgtar-tar.h"

#include <glib.h>
#include <string.h>

static AmgtarArgs *
parse_v(GError **error, const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, "amgtar");
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        g_ptr_array_add(argv, (char *)s);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    return amgtar_args_parse((int)argv->len - 1, (char **)argv->pdata, error);
}

#define PARSE_OK(...) ({ g_autoptr(GError) e_ = NULL; \
    AmgtarArgs *a_ = parse_v(&e_, __VA_ARGS__, NULL); \
    g_assert_no_error(e_); g_assert_nonnull(a_); a_; })

static void
expect_parse_error(const char *needle, const char *first, ...)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, "amgtar");
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        g_ptr_array_add(argv, (char *)s);
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    g_autoptr(GError) err = NULL;
    AmgtarArgs *a = amgtar_args_parse((int)argv->len - 1, (char **)argv->pdata, &err);
    g_assert_null(a);
    g_assert_nonnull(err);
    if (!strstr(err->message, needle))
        g_error("error \"%s\" does not mention \"%s\"", err->message, needle);
}

static void
test_args_backup_line(void)
{
    g_autoptr(AmgtarArgs) a = PARSE_OK("backup", "--config", "Daily", "--host", "h1",
        "--disk", "/data", "--device", "/data", "--level", "3", "--message", "line",
        "--index", "line", "--record", "--state-stream", "5", "--timestamp", "20261125064505",
        "--amfeatures", "ffff");
    g_assert_cmpint(a->command, ==, AMGTAR_CMD_BACKUP);
    g_assert_cmpstr(a->config, ==, "Daily");
    g_assert_cmpstr(a->host, ==, "h1");
    g_assert_cmpstr(amgtar_args_dir(a), ==, "/data");
    g_assert_cmpuint(a->levels->len, ==, 1);
    g_assert_cmpint(g_array_index(a->levels, int, 0), ==, 3);
    g_assert_true(a->index_line);
    g_assert_true(a->record);
    g_assert_false(a->calcsize);
    g_assert_cmpint(a->state_stream, ==, 5);
    g_assert_true(a->one_file_system);
    g_assert_true(a->sparse);
    g_assert_true(a->check_device);  /* AMANDA's default */
    g_assert_cmpint(a->atime_preserve, ==, -1);
    g_assert_true(a->exit_good[0] && a->exit_good[1] && !a->exit_good[2]);
}

static void
test_args_estimate_levels(void)
{
    g_autoptr(AmgtarArgs) a = PARSE_OK("ESTIMATE", "--disk=/x", "--level", "0",
                                       "--level=1", "--level", "399", "--calcsize");
    g_assert_cmpint(a->command, ==, AMGTAR_CMD_ESTIMATE);
    g_assert_cmpuint(a->levels->len, ==, 3);
    g_assert_cmpint(g_array_index(a->levels, int, 2), ==, 399);
    g_assert_true(a->calcsize);
}

static void
test_args_property_names(void)
{
    g_autoptr(AmgtarArgs) a = PARSE_OK("backup", "--GNUTAR_PATH", "/opt/tar",
        "--Gnutar-Listdir", "/l", "--ONE_FILE_SYSTEM", "no", "--sparse", "NO",
        "--atime_preserve", "yes", "--check-device", "YES", "--Normal", "^foo",
        "--ignore", "bar$", "--strange", "baz", "--normal", "qux", "--exit-handling",
        "1=BAD 2=good", "--no_unquote", "yes", "--acls", "yes", "--xattrs", "on",
        "--selinux", "true", "--include-file", "./a*", "--exclude-list", "/ex",
        "--exclude-optional", "yes", "--include-list", "/in");
    g_assert_cmpstr(amgtar_args_tar(a), ==, "/opt/tar");
    g_assert_cmpstr(a->gnutar_listdir, ==, "/l");
    g_assert_false(a->one_file_system);
    g_assert_false(a->sparse);
    g_assert_true(a->atime_preserve > 0);
    g_assert_true(a->check_device);
    g_assert_cmpuint(a->normal->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(a->normal, 1), ==, "qux");
    g_assert_cmpuint(a->ignore->len, ==, 1);
    g_assert_cmpuint(a->strange->len, ==, 1);
    g_assert_true(a->exit_good[0] && !a->exit_good[1] && a->exit_good[2]);
    g_assert_true(a->no_unquote && a->acls && a->xattrs && a->selinux);
    g_assert_true(a->exclude_optional);
    g_assert_false(a->include_optional);
    g_assert_cmpstr(g_ptr_array_index(a->include_file, 0), ==, "./a*");
    g_assert_cmpstr(g_ptr_array_index(a->include_list, 0), ==, "/in");
}

static void
test_args_restore_files(void)
{
    g_autoptr(AmgtarArgs) a = PARSE_OK("restore", "--target", "/t", "/a b", "--",
                                       "--weird");
    g_assert_cmpuint(a->files->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(a->files, 0), ==, "/a b");
    g_assert_cmpstr(g_ptr_array_index(a->files, 1), ==, "--weird");
    g_assert_cmpstr(a->target, ==, "/t");
}

static void
test_args_errors(void)
{
    expect_parse_error("no command", NULL, NULL);
    expect_parse_error("unknown command \"dance\"", "dance", NULL);
    expect_parse_error("unknown option --frobnicate", "backup", "--frobnicate", "x", NULL);
    expect_parse_error("unknown option --to-command", "backup", "--to_command", "sh", NULL);
    expect_parse_error("--disk needs a value", "backup", "--disk", NULL);
    expect_parse_error("--level wants a number", "estimate", "--level", "400", NULL);
    expect_parse_error("--level wants a number", "estimate", "--level", "-1", NULL);
    expect_parse_error("--level wants a number", "estimate", "--level", "1x", NULL);
    expect_parse_error("yes or no", "backup", "--sparse", "maybe", NULL);
    expect_parse_error("only \"line\"", "backup", "--index", "xml", NULL);
    expect_parse_error("takes no value", "backup", "--record=yes", NULL);
    expect_parse_error("file descriptor", "backup", "--state-stream", "x", NULL);
    expect_parse_error("STATUS=GOOD", "backup", "--exit-handling", "1=FINE", NULL);
    expect_parse_error("STATUS=GOOD", "backup", "--exit-handling", "300=GOOD", NULL);
    expect_parse_error("unexpected argument \"stray\"", "backup", "stray", NULL);
}

static char *
argv_str(GPtrArray *argv)
{
    char *s = amgtar_argv_to_string(argv);
    g_ptr_array_unref(argv);
    return s;
}

static void
test_argv_backup(void)
{
    g_autoptr(AmgtarArgs) a = PARSE_OK("backup", "--host", "h", "--disk", "/d", "--level", "0",
                                       "--gnutar-path", "/bin/tar");
    a->atime_preserve = FALSE;
    a->check_device = FALSE;
    g_autofree char *s = argv_str(amgtar_argv_backup(a, "/l/h__d_0.new", NULL));
    g_assert_cmpstr(s, ==, "/bin/tar --create --file - --directory /d --one-file-system "
                    "--no-check-device --listed-incremental /l/h__d_0.new --sparse "
                    "--ignore-failed-read --totals --verbose --block-number .");
    AmgtarLists lists = { .files_from = "/tmp/in", .exclude_from = "/tmp/ex" };
    a->one_file_system = FALSE;
    a->sparse = FALSE;
    a->check_device = TRUE;
    a->atime_preserve = TRUE;
    a->acls = a->selinux = a->xattrs = TRUE;
    a->no_unquote = TRUE;
    g_autofree char *t = argv_str(amgtar_argv_backup(a, "S", &lists));
    g_assert_cmpstr(t, ==, "/bin/tar --create --file - --directory /d --listed-incremental S "
                    "--atime-preserve=system --acls --selinux --xattrs --ignore-failed-read "
                    "--totals --verbose --block-number --exclude-from /tmp/ex --no-unquote "
                    "--files-from /tmp/in");
}

static void
test_argv_estimate_restore_list(void)
{
    g_autoptr(AmgtarArgs) a = PARSE_OK("estimate", "--disk", "/my disk", "--directory", "/mnt/x",
                                       "--gnutar-path", "gtar");
    a->atime_preserve = FALSE;
    g_autofree char *e = argv_str(amgtar_argv_estimate(a, "S", NULL));
    g_assert_cmpstr(e, ==, "gtar --create --file /dev/null --directory /mnt/x "
                    "--one-file-system --listed-incremental S --sparse "
                    "--ignore-failed-read --totals .");
    /* the privileged helper hears CHECK-DEVICE as its operation's name */
    a->config = g_strdup("C");
    a->host = g_strdup("h");
    g_autofree char *hc = argv_str(amgtar_helper_argv("/x/helper", "estimate", a, 1));
    g_assert_cmpstr(hc, ==, "/x/helper estimate C h /mnt/x 1");
    a->check_device = FALSE;
    g_autofree char *hn = argv_str(amgtar_helper_argv("/x/helper", "backup", a, 0));
    g_assert_cmpstr(hn, ==, "/x/helper backup-no-check-device C h /mnt/x 0");
    g_autofree char *r = argv_str(amgtar_argv_restore(a, "/t", "/tmp/l"));
    g_assert_cmpstr(r, ==, "gtar --extract --file - --read-full-records --blocking-factor 128 "
                    "--numeric-owner --preserve-permissions "
                    "--listed-incremental=/dev/null --directory /t --files-from /tmp/l");
    g_autofree char *r2 = argv_str(amgtar_argv_restore(a, NULL, NULL));
    g_assert_cmpstr(r2, ==, "gtar --extract --file - --read-full-records --blocking-factor 128 "
                    "--numeric-owner --preserve-permissions --listed-incremental=/dev/null");
    g_autofree char *l = argv_str(amgtar_argv_list(a));
    g_assert_cmpstr(l, ==, "gtar --list --file -");
}

static void
test_snapshot_names(void)
{
    g_autofree char *p = amgtar_snapshot_path("/var/lib/amanda/gnutar-lists", "localhost",
                                              "/data/docs", 2);
    g_assert_cmpstr(p, ==, "/var/lib/amanda/gnutar-lists/localhost__data_docs_2");
    g_autofree char *b = amgtar_snapshot_base("h:1", "c:\\x");
    g_assert_cmpstr(b, ==, "h_1_c__x");
}

static void
test_index_lines(void)
{
    static const struct { const char *line; guint64 block; const char *path; } ok[] = {
        { "block 0: ./", 0, "/" },
        { "block 2: ./sub/", 2, "/sub/" },
        { "block 6: ./b c", 6, "/b c" },
        { "block 8: ./back\\\\slash", 8, "/back\\\\slash" },
        { "block 12: ./new\\nline", 12, "/new\\nline" },
        { "block 123456789012: ./x/y z/", 123456789012ULL, "/x/y z/" },
        { "block 3: usr/bin", 3, "/usr/bin" },
        { "block 4: ./ lead and trail ", 4, "/ lead and trail " },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        guint64 block = 99;
        g_autofree char *path = NULL;
        g_assert_true(amgtar_index_parse_block_line(ok[i].line, &block, &path));
        g_assert_cmpuint(block, ==, ok[i].block);
        g_assert_cmpstr(path, ==, ok[i].path);
    }
    static const char *const bad[] = {
        "", "block", "block :", "block x: ./a", "block 1 ./a", "block 1:", "block 1: ",
        "tar: ./sock: socket ignored", "Total bytes written: 10240 (10KiB, 1MiB/s)",
        "block 7: tar: ./f: file changed as we read it", "blocks 1: ./a", "block -1: ./a",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        guint64 block = 99;
        char *path = NULL;
        if (amgtar_index_parse_block_line(bad[i], &block, &path))
            g_error("\"%s\" parsed as a listing line", bad[i]);
        g_assert_null(path);
        g_assert_cmpuint(block, ==, 99);
    }
}

static void
test_index_path_and_restore_member(void)
{
    g_autofree char *a = amgtar_index_path(".");
    g_autofree char *b = amgtar_index_path("./");
    g_autofree char *c = amgtar_index_path("./etc/");
    g_autofree char *d = amgtar_index_path("/abs");
    g_assert_cmpstr(a, ==, "/");
    g_assert_cmpstr(b, ==, "/");
    g_assert_cmpstr(c, ==, "/etc/");
    g_assert_cmpstr(d, ==, "/abs");
    static const char *const map[][2] = {
        { "/etc/passwd", "./etc/passwd" }, { "etc/passwd", "./etc/passwd" },
        { "./etc/", "./etc/" }, { "/", "." }, { "./", "." }, { "/a b\\nc", "./a b\\nc" },
        { "//x", "./x" }, { "/a..b", "./a..b" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        g_autofree char *m = amgtar_restore_member(map[i][0]);
        g_assert_cmpstr(m, ==, map[i][1]);
    }
    g_assert_null(amgtar_restore_member(""));
    g_assert_null(amgtar_restore_member("/../etc"));
    g_assert_null(amgtar_restore_member("a/../../b"));
    g_assert_null(amgtar_restore_member(".."));
}

static void
test_messages_builtin(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(AmgtarClassifier) c = amgtar_classifier_new(NULL, NULL, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpint(amgtar_classify(c, "Total bytes written: 10240 (10KiB, 12MiB/s)"), ==,
                    AMGTAR_MSG_NORMAL);
    g_assert_cmpint(amgtar_classify(c, "tar: ./sock: socket ignored"), ==, AMGTAR_MSG_NORMAL);
    g_assert_cmpint(amgtar_classify(c, "tar: ./f: file changed as we read it"), ==,
                    AMGTAR_MSG_NORMAL);
    g_assert_cmpint(amgtar_classify(c, "tar: ./sub: Directory is new"), ==, AMGTAR_MSG_IGNORE);
    g_assert_cmpint(amgtar_classify(c, "tar: .: Directory is new"), ==, AMGTAR_MSG_IGNORE);
    g_assert_cmpint(amgtar_classify(c, "tar: ./x: Cannot open: Permission denied"), ==,
                    AMGTAR_MSG_STRANGE);
    g_assert_cmpint(amgtar_classify(c, "something odd"), ==, AMGTAR_MSG_STRANGE);
}

static void
test_messages_user_patterns(void)
{
    g_autoptr(GPtrArray) normal = g_ptr_array_new();
    g_autoptr(GPtrArray) ignore = g_ptr_array_new();
    g_autoptr(GPtrArray) strange = g_ptr_array_new();
    g_ptr_array_add(normal, "Permission denied$");
    g_ptr_array_add(ignore, "^noise");
    g_ptr_array_add(strange, "socket ignored$");
    g_autoptr(GError) err = NULL;
    g_autoptr(AmgtarClassifier) c = amgtar_classifier_new(normal, ignore, strange, &err);
    g_assert_no_error(err);
    g_assert_cmpint(amgtar_classify(c, "tar: ./x: Cannot open: Permission denied"), ==,
                    AMGTAR_MSG_NORMAL);
    g_assert_cmpint(amgtar_classify(c, "noise here"), ==, AMGTAR_MSG_IGNORE);
    g_assert_cmpint(amgtar_classify(c, "tar: ./s: socket ignored"), ==, AMGTAR_MSG_STRANGE);
    g_ptr_array_add(strange, "([unclosed");
    g_autoptr(GError) err2 = NULL;
    AmgtarClassifier *bad = amgtar_classifier_new(NULL, NULL, strange, &err2);
    g_assert_null(bad);
    g_assert_nonnull(strstr(err2->message, "([unclosed"));
}

static void
test_total_bytes(void)
{
    guint64 n = 0;
    g_assert_true(amgtar_parse_total_bytes("Total bytes written: 145479680 (139MiB, 1GiB/s)", &n));
    g_assert_cmpuint(n, ==, 145479680);
    g_assert_true(amgtar_parse_total_bytes("Total bytes written: 0", &n));
    g_assert_cmpuint(n, ==, 0);
    g_assert_false(amgtar_parse_total_bytes("Total bytes written: x", &n));
    g_assert_false(amgtar_parse_total_bytes("Total bytes written: 12x", &n));
    g_assert_false(amgtar_parse_total_bytes("block 1: ./Total bytes written: 5", &n));
}

/* The state of a small tree as our backup writes it (tar --block-number). */
static const char dar_state[] =
    "0 /\n1 /top.txt\n3 /d2/\n4 /d2/big\n45 /d1/\n46 /d1/f1\n53 /d1/f3\n72 /d1/f2\n";

/* The "DAR a:b" lines amgtar_dar_ranges gives for the members (NULL-ended). */
static char *
dar_lines(const char *state, GError **error, ...)
{
    g_autoptr(GPtrArray) members = g_ptr_array_new();
    va_list ap;
    va_start(ap, error);
    for (const char *m; (m = va_arg(ap, const char *));)
        g_ptr_array_add(members, (char *)m);
    va_end(ap);
    g_autoptr(GArray) ranges = amgtar_dar_ranges(state, -1, members, error);
    return ranges ? amgtar_dar_format(ranges) : NULL;
}

#define DAR_OK(expect, ...) do { g_autoptr(GError) e_ = NULL; \
    g_autofree char *got_ = dar_lines(dar_state, &e_, __VA_ARGS__, NULL); \
    g_assert_no_error(e_); g_assert_cmpstr(got_, ==, expect); } while (0)

static void
test_dar_files(void)
{
    /* one member: from its record to one byte before the next member's */
    DAR_OK("DAR 27136:36863\n", "./d1/f3");
    DAR_OK("DAR 512:1535\n", "./top.txt");
    /* the index's spelling and a bare name are the same member */
    DAR_OK("DAR 512:1535\n", "/top.txt");
    DAR_OK("DAR 512:1535\n", "top.txt");
    /* two members apart: two ranges, in image order whatever the order asked */
    DAR_OK("DAR 512:1535\nDAR 2048:23039\n", "./d2/big", "./top.txt");
    /* a prefix of a name is not that name's directory */
    g_autoptr(GError) err = NULL;
    g_autofree char *none = dar_lines(dar_state, &err, "./d1/f", NULL);
    g_assert_null(none);
    g_assert_error(err, AMGTAR_DAR_ERROR, AMGTAR_DAR_ERROR_NOT_FOUND);
}

static void
test_dar_merge_and_last(void)
{
    /* adjacent members merge into one range */
    DAR_OK("DAR 23552:36863\n", "./d1/f1", "./d1/f3");
    DAR_OK("DAR 512:1535\nDAR 23552:36863\n", "./top.txt", "./d1/f3", "./d1/f1");
    /* the last member runs to the end of the image, written -1 */
    DAR_OK("DAR 36864:-1\n", "./d1/f2");
    DAR_OK("DAR 512:1535\nDAR 36864:-1\n", "./d1/f2", "./top.txt");
    /* a member asked twice is one range */
    DAR_OK("DAR 512:1535\n", "./top.txt", "/top.txt");
}

static void
test_dar_directories(void)
{
    /* a directory is its own entry and everything under it */
    DAR_OK("DAR 23040:-1\n", "./d1");
    DAR_OK("DAR 23040:-1\n", "./d1/");
    DAR_OK("DAR 1536:23039\n", "./d2");
    /* the whole DLE */
    DAR_OK("DAR 0:-1\n", ".");
    DAR_OK("DAR 0:-1\n", "/");
    /* a directory and a file in it: one range */
    DAR_OK("DAR 23040:-1\n", "./d1", "./d1/f3");
}

static void
test_dar_long_names(void)
{
    /* tar --block-number gives a long-named member the record of its
     * long-name header (3 here, its own header at 5): the range starts
     * there.  Names keep their blanks. */
    g_autofree char *longname = g_strnfill(150, 'x');
    g_autofree char *state = g_strdup_printf("0 /\n1 /sparse\n3 /%s\n7 /b c\n9 /a\n", longname);
    g_autofree char *member = g_strconcat("./", longname, NULL);
    g_autoptr(GError) err = NULL;
    g_autofree char *got = dar_lines(state, &err, member, "./b c", NULL);
    g_assert_no_error(err);
    g_assert_cmpstr(got, ==, "DAR 1536:4607\n");
}

static void
test_dar_errors(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *got = dar_lines(dar_state, &err, "./top.txt", "./nothere", "./d9", NULL);
    g_assert_null(got);
    g_assert_error(err, AMGTAR_DAR_ERROR, AMGTAR_DAR_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "./nothere, ./d9"));
    g_assert_null(strstr(err->message, "top.txt"));

    static const char *const bad[] = {
        "0 /\nx /a\n", "0 /\n12\n", "0 /\n5 a\n", "0 /\n-1 /a\n", "0/\n",
        "0 /\n99999999999999999999 /a\n",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) e = NULL;
        g_autofree char *r = dar_lines(bad[i], &e, ".", NULL);
        g_assert_null(r);
        g_assert_error(e, AMGTAR_DAR_ERROR, AMGTAR_DAR_ERROR_STATE);
        g_assert_nonnull(strstr(e->message, "state line"));
    }
    /* blank lines and CR LF are tolerated; an empty state holds nothing */
    g_autoptr(GError) e2 = NULL;
    g_autofree char *crlf = dar_lines("0 /\r\n\r\n1 /a\r\n4 /b\r\n", &e2, "./a", NULL);
    g_assert_no_error(e2);
    g_assert_cmpstr(crlf, ==, "DAR 512:2047\n");
    g_autoptr(GError) e3 = NULL;
    g_autofree char *empty = dar_lines("", &e3, "./a", NULL);
    g_assert_null(empty);
    g_assert_error(e3, AMGTAR_DAR_ERROR, AMGTAR_DAR_ERROR_NOT_FOUND);
}

static void
test_dar_unsorted_and_shared_records(void)
{
    /* lines out of order are sorted by record; a member that shares its
     * record with the next (an empty file's neighbour) ends where the
     * next later record starts */
    static const char state[] = "0 /\n9 /c\n1 /a\n1 /a2\n5 /b\n";
    g_autoptr(GError) err = NULL;
    g_autofree char *a = dar_lines(state, &err, "./a", NULL);
    g_assert_no_error(err);
    g_assert_cmpstr(a, ==, "DAR 512:2559\n");
    g_autofree char *c = dar_lines(state, &err, "./c", "./b", NULL);
    g_assert_no_error(err);
    g_assert_cmpstr(c, ==, "DAR 2560:-1\n");
}

static void
test_args_dar(void)
{
    g_autoptr(AmgtarArgs) a = PARSE_OK("restore", "--config", "C", "--dar", "yes",
                                       "--recover-dump-state-file", "/tmp/s.state",
                                       "--state-stream", "5", "./a");
    g_assert_true(a->dar);
    g_assert_cmpstr(a->recover_dump_state_file, ==, "/tmp/s.state");
    g_assert_cmpint(a->state_stream, ==, 5);
    g_autoptr(AmgtarArgs) b = PARSE_OK("restore", "--DAR=no", "./a");
    g_assert_false(b->dar);
    g_assert_null(b->recover_dump_state_file);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/amgtar/args/backup-line", test_args_backup_line);
    g_test_add_func("/amgtar/args/estimate-levels", test_args_estimate_levels);
    g_test_add_func("/amgtar/args/property-names", test_args_property_names);
    g_test_add_func("/amgtar/args/restore-files", test_args_restore_files);
    g_test_add_func("/amgtar/args/errors", test_args_errors);
    g_test_add_func("/amgtar/argv/backup", test_argv_backup);
    g_test_add_func("/amgtar/argv/estimate-restore-list", test_argv_estimate_restore_list);
    g_test_add_func("/amgtar/snapshot/names", test_snapshot_names);
    g_test_add_func("/amgtar/index/lines", test_index_lines);
    g_test_add_func("/amgtar/index/paths", test_index_path_and_restore_member);
    g_test_add_func("/amgtar/messages/builtin", test_messages_builtin);
    g_test_add_func("/amgtar/messages/user", test_messages_user_patterns);
    g_test_add_func("/amgtar/messages/total", test_total_bytes);
    g_test_add_func("/amgtar/args/dar", test_args_dar);
    g_test_add_func("/amgtar/dar/files", test_dar_files);
    g_test_add_func("/amgtar/dar/merge-and-last", test_dar_merge_and_last);
    g_test_add_func("/amgtar/dar/directories", test_dar_directories);
    g_test_add_func("/amgtar/dar/long-names", test_dar_long_names);
    g_test_add_func("/amgtar/dar/errors", test_dar_errors);
    g_test_add_func("/amgtar/dar/unsorted", test_dar_unsorted_and_shared_records);
    return g_test_run();
}
