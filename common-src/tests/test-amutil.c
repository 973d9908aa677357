/* Unit tests for amutil: quoting round trips, token splitting, full I/O. */
#include "config.h"
#include "amutil.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>

static void
test_quote_plain_and_special(void)
{
    g_autofree char *plain = quote_string("/usr/local");
    g_assert_cmpstr(plain, ==, "/usr/local");
    g_autofree char *empty = quote_string("");
    g_assert_cmpstr(empty, ==, "\"\"");
    g_autofree char *spaced = quote_string("My Documents");
    g_assert_cmpstr(spaced, ==, "\"My Documents\"");
    g_autofree char *esc = quote_string("a\"b\\c\nd\te\001");
    g_assert_cmpstr(esc, ==, "\"a\\\"b\\\\c\\nd\\te\\001\"");
    /* AMANDA 3.5.1 also quotes ':', '\'' and bytes from 0x80 up (UTF-8) */
    g_autofree char *colon = quote_string("/tmp/co:lon");
    g_assert_cmpstr(colon, ==, "\"/tmp/co:lon\"");
    g_autofree char *apos = quote_string("it's");
    g_assert_cmpstr(apos, ==, "\"it's\"");
    g_autofree char *utf8 = quote_string("caf\xc3\xa9");
    g_assert_cmpstr(utf8, ==, "\"caf\xc3\xa9\"");
    g_autofree char *semi = quote_string("a;b#c,d=e{f}");
    g_assert_cmpstr(semi, ==, "a;b#c,d=e{f}");
}

static void
test_quote_roundtrip_random(void)
{
    GRand *rng = g_rand_new_with_seed(1234);
    for (int i = 0; i < 5000; i++) {
        int len = g_rand_int_range(rng, 0, 40);
        char buf[41];
        for (int j = 0; j < len; j++)
            buf[j] = (char)g_rand_int_range(rng, 1, 256);
        buf[len] = '\0';
        g_autofree char *q = quote_string(buf);
        g_autofree char *u = unquote_string(q);
        g_assert_cmpstr(u, ==, buf);
        /* a quoted token survives splitting as exactly one token */
        g_autofree char *line = g_strdup_printf("x %s y", q);
        g_auto(GStrv) parts = split_quoted_strings(line);
        g_assert_cmpint(g_strv_length(parts), ==, 3);
        g_assert_cmpstr(parts[1], ==, buf);
    }
    g_rand_free(rng);
}

static void
test_split(void)
{
    g_auto(GStrv) parts = split_quoted_strings("  DONE 00-00001 \"a b\"  \"\" last\n");
    g_assert_cmpint(g_strv_length(parts), ==, 5);
    g_assert_cmpstr(parts[0], ==, "DONE");
    g_assert_cmpstr(parts[2], ==, "a b");
    g_assert_cmpstr(parts[3], ==, "");
    g_assert_cmpstr(parts[4], ==, "last");
    g_auto(GStrv) none = split_quoted_strings("   ");
    g_assert_cmpint(g_strv_length(none), ==, 0);
    /* unterminated quote: keeps what was read, no crash */
    g_auto(GStrv) broken = split_quoted_strings("a \"b c\\");
    g_assert_cmpint(g_strv_length(broken), ==, 2);
}

static void
test_sanitise(void)
{
    g_autofree char *s = sanitise_filename("/srv/data:x\\y");
    g_assert_cmpstr(s, ==, "_srv_data_x_y");
}

static void
test_full_io(void)
{
    int p[2];
    g_assert_true(g_unix_open_pipe(p, 0, NULL));
    g_unix_set_fd_nonblocking(p[1], TRUE, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[1]);
        static char sink[1 << 20];
        ssize_t n = full_read(p[0], sink, sizeof(sink));
        _exit(n == (ssize_t)sizeof(sink) && sink[sizeof(sink) - 1] == 7 ? 0 : 1);
    }
    close(p[0]);
    static char data[1 << 20];
    memset(data, 7, sizeof(data));
    /* non-blocking pipe smaller than the buffer: full_write must wait, not fail */
    g_assert_cmpint(full_write(p[1], data, sizeof(data)), ==, sizeof(data));
    close(p[1]);
    int status;
    waitpid(pid, &status, 0);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A regular file is replaced; a fifo is written in place and stays a fifo. */
static void
test_write_file_or_device(void)
{
    g_autofree char *dir = g_dir_make_tmp("amutil-XXXXXX", NULL);
    g_autofree char *file = g_build_filename(dir, "f", NULL);
    g_autofree char *fifo = g_build_filename(dir, "p", NULL);
    g_autoptr(GError) err = NULL;
    g_assert_true(write_file_or_device(file, "one", 3, &err));
    g_assert_true(write_file_or_device(file, "second", 6, &err));
    g_autofree char *got = NULL;
    g_assert_true(g_file_get_contents(file, &got, NULL, NULL));
    g_assert_cmpstr(got, ==, "second");

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(rd, >=, 0);
    g_assert_true(write_file_or_device(fifo, "via fifo", 8, &err));
    char buf[16] = { 0 };
    g_assert_cmpint(read(rd, buf, sizeof buf), ==, 8);
    g_assert_cmpstr(buf, ==, "via fifo");
    close(rd);
    struct stat st;
    g_assert_cmpint(stat(fifo, &st), ==, 0);
    g_assert_true(S_ISFIFO(st.st_mode));

    g_autofree char *missing = g_build_filename(dir, "no", "such", NULL);
    g_assert_false(write_file_or_device(missing, "x", 1, &err));
    g_assert_nonnull(err);
    unlink(file);
    unlink(fifo);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/amutil/quote", test_quote_plain_and_special);
    g_test_add_func("/amutil/quote-roundtrip-random", test_quote_roundtrip_random);
    g_test_add_func("/amutil/split", test_split);
    g_test_add_func("/amutil/sanitise", test_sanitise);
    g_test_add_func("/amutil/full-io", test_full_io);
    g_test_add_func("/amutil/write-file-or-device", test_write_file_or_device);
    return g_test_run();
}
