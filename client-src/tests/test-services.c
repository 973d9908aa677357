/* Unit tests of the pure parts of the client services: OPTIONS parsing,
 * request parsing, service argument checks, application support and argv,
 * sendsize lines, estimate lines, MESG framing, CRC and the data path. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "amutil.h"
#include "client-util.h"
#include "crc32c.h"
#include "sendbackup-data.h"
#include "sendsize-calc.h"

static void test_options_good(void)
{
    g_autoptr(client_options_t) o = client_options_new();
    GError *err = NULL;
    g_assert_true(client_parse_options("features=ff00;maxdumps=4;hostname=cl.example;"
                                       "config=Daily;timestamp=20261125104704;future=x;",
                                       o, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(o->features, ==, "ff00");
    g_assert_cmpint(o->maxdumps, ==, 4);
    g_assert_cmpstr(o->hostname, ==, "cl.example");
    g_assert_cmpstr(o->config, ==, "Daily");
    g_assert_cmpstr(o->timestamp, ==, "20261125104704");
}

static void test_options_bad(void)
{
    const char *bad[] = { "features=xyz;", "maxdumps=0;", "maxdumps=abc;", "config=../etc;",
                          "config=a/b;", "hostname=a b;", "timestamp=2026x;", NULL };
    for (int i = 0; bad[i]; i++) {
        g_autoptr(client_options_t) o = client_options_new();
        GError *err = NULL;
        g_assert_false(client_parse_options(bad[i], o, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, "option"));
        g_clear_error(&err);
    }
    /* an item without '=' and empty items are skipped */
    g_autoptr(client_options_t) o = client_options_new();
    g_assert_true(client_parse_options(";;bare;maxdumps=2", o, NULL));
    g_assert_cmpint(o->maxdumps, ==, 2);
}

static const char *REQ =
    "OPTIONS features=ff;maxdumps=2;hostname=h;config=C;\n"
    "<dle>\n  <program>APPLICATION</program>\n"
    "  <backup-program>\n    <plugin>amgtar</plugin>\n"
    "    <property>\n      <name>check-device</name>\n      <value>no</value>\n    </property>\n"
    "  </backup-program>\n"
    "  <disk>/srv/a b</disk>\n  <level>0</level>\n  <level>1<server>YES</server></level>\n"
    "  <record>YES</record>\n  <index>YES</index>\n"
    "  <exclude>\n    <file>*.tmp</file>\n  </exclude>\n</dle>\n";

static void test_request(void)
{
    GError *err = NULL;
    g_autoptr(client_request_t) r = client_parse_request(REQ, strlen(REQ), &err);
    g_assert_no_error(err);
    g_assert_cmpint(r->opts->maxdumps, ==, 2);
    g_assert_cmpuint(r->dles->len, ==, 1);
    dle_t *d = g_ptr_array_index(r->dles, 0);
    g_assert_cmpstr(d->disk, ==, "/srv/a b");
    g_assert_cmpuint(d->levels->len, ==, 2);

    g_autoptr(client_request_t) noop = client_parse_request("OPTIONS features=ff;\n", 21, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(noop->dles->len, ==, 0);
}

static void test_request_bad(void)
{
    GError *err = NULL;
    const char *unknown = "OPTIONS features=ff;\n<dle><disk>/x</disk><bogus>1</bogus></dle>\n";
    g_assert_null(client_parse_request(unknown, strlen(unknown), &err));
    g_assert_nonnull(strstr(err->message, "bogus"));
    g_clear_error(&err);
    const char *junk = "OPTIONS features=ff;\nrm -rf /\n";
    g_assert_null(client_parse_request(junk, strlen(junk), &err));
    g_clear_error(&err);
    const char nul[] = "OPTIONS features=ff;\n\0<dle>";
    g_assert_null(client_parse_request(nul, sizeof nul - 1, &err));
    g_clear_error(&err);
}

static void test_service_args(void)
{
    char *ok1[] = { "sendsize", NULL };
    char *ok2[] = { "sendsize", "amandad", "bsdtcp", NULL };
    char *bad1[] = { "sendsize", "--foo", NULL };
    char *bad2[] = { "sendsize", "amandad", "bsd;tcp", NULL };
    char *bad3[] = { "sendsize", "amandad", "local", "extra", NULL };
    g_assert_true(client_check_service_args(1, ok1, NULL));
    g_assert_true(client_check_service_args(3, ok2, NULL));
    g_assert_false(client_check_service_args(2, bad1, NULL));
    g_assert_false(client_check_service_args(3, bad2, NULL));
    g_assert_false(client_check_service_args(4, bad3, NULL));
}

static void test_features(void)
{
    const char *ours = client_features_hex();
    g_assert_true(strlen(ours) >= 2 && strlen(ours) % 2 == 0);
    g_assert_true(g_str_has_prefix(client_options_reply(), "OPTIONS features="));
    g_assert_true(client_peer_has_feature("01", 0));
    g_assert_false(client_peer_has_feature("01", 1));
    g_assert_true(client_peer_has_feature("0080", 15));
    g_assert_false(client_peer_has_feature("zz", 0));
    g_assert_false(client_peer_has_feature(NULL, 0));
    /* the stock 3.5.1 server has the STATE stream */
    client_options_t o = { .features = "ffffffff9efefbfffffffffffffff3fffbf71f" };
    g_assert_true(client_peer_wants_state_stream(&o));
    o.features = "ffff";
    g_assert_false(client_peer_wants_state_stream(&o));
}

static void test_support(void)
{
    g_autoptr(client_support_t) s =
        client_support_parse("CONFIG YES\nINDEX-LINE YES\nRECORD NO\nMAX-LEVEL 9\nEXCLUDE-FILE YES\n");
    g_assert_true(client_support_yes(s, "INDEX-LINE"));
    g_assert_false(client_support_yes(s, "RECORD"));
    g_assert_cmpint(client_support_max_level(s), ==, 9);

    GError *err = NULL;
    g_autoptr(client_request_t) r = client_parse_request(REQ, strlen(REQ), NULL);
    dle_t *d = g_ptr_array_index(r->dles, 0);
    g_assert_false(client_support_check(s, d, &err));
    g_assert_nonnull(strstr(err->message, "RECORD"));
    g_clear_error(&err);
    d->record = FALSE;
    g_assert_true(client_support_check(s, d, NULL));
}

static void test_app_argv(void)
{
    GError *err = NULL;
    g_autoptr(client_request_t) r = client_parse_request(REQ, strlen(REQ), NULL);
    dle_t *d = g_ptr_array_index(r->dles, 0);
    g_autoptr(GArray) lv = g_array_new(FALSE, FALSE, sizeof(int));
    int zero = 0;
    g_array_append_val(lv, zero);
    g_autoptr(GPtrArray) a = client_app_argv("/x/amgtar", "backup", d, r->opts, lv, &err);
    g_assert_no_error(err);
    g_ptr_array_add(a, NULL);
    g_autofree char *joined = g_strjoinv("|", (char **)a->pdata);
    g_assert_cmpstr(joined, ==,
                    "/x/amgtar|backup|--message|line|--config|C|--host|h|--disk|/srv/a b|"
                    "--device|/srv/a b|--level|0|--index|line|--record|--exclude-file|*.tmp|"
                    "--amfeatures|ff|--check-device|no");
    /* a property name that could smuggle an option is refused */
    dle_add_property(d->app_properties, "x y", "1");
    g_assert_null(client_app_argv("/x/amgtar", "backup", d, r->opts, lv, &err));
    g_assert_nonnull(strstr(err->message, "property"));
    g_clear_error(&err);
}

static void test_app_path(void)
{
    GError *err = NULL;
    g_assert_null(client_app_path("../bin/sh", &err));
    g_clear_error(&err);
    g_assert_null(client_app_path(".hidden", &err));
    g_clear_error(&err);
    g_assert_null(client_app_path(NULL, &err));
    g_clear_error(&err);
    g_setenv("AMANDA_APPLICATION_DIR", "/nonexistent-dir", TRUE);
    g_assert_null(client_app_path("amgtar", &err));
    g_assert_nonnull(strstr(err->message, "amgtar"));
    g_clear_error(&err);
}

static void test_size_lines(void)
{
    g_autofree char *a = client_size_line("/srv/a", 0, 161480);
    g_assert_cmpstr(a, ==, "/srv/a 0 SIZE 161480\n");
    g_autofree char *b = client_size_line("/srv/c d_e", 1, -1);
    g_assert_cmpstr(b, ==, "\"/srv/c d_e\" 1 SIZE -1\n");
    g_autofree char *c = client_size_error_line("/srv/a", 2, "no such\nfile ");
    g_assert_cmpstr(c, ==, "/srv/a 2 ERROR no such file\n");
}

static void test_estimate_lines(void)
{
    int lv;
    gint64 kib;
    g_assert_true(client_parse_estimate_line("0 10 1", &lv, &kib));
    g_assert_cmpint(lv, ==, 0);
    g_assert_cmpint(kib, ==, 10);
    g_assert_true(client_parse_estimate_line("1 5 1024\n", &lv, &kib));
    g_assert_cmpint(kib, ==, 5120);
    g_assert_true(client_parse_estimate_line("2 -1 1", &lv, &kib));
    g_assert_cmpint(kib, ==, -1);
    g_assert_true(client_parse_estimate_line("2 -2 1", &lv, &kib));
    g_assert_cmpint(kib, ==, -2);
    g_assert_false(client_parse_estimate_line("", &lv, &kib));
    g_assert_false(client_parse_estimate_line("x 1 1", &lv, &kib));
    g_assert_false(client_parse_estimate_line("0 1", &lv, &kib));
    g_assert_false(client_parse_estimate_line("0 1 1 junk", &lv, &kib));
    g_assert_false(client_parse_estimate_line("400 1 1", &lv, &kib));
}

static void test_framing(void)
{
    client_msg_kind_t k;
    gint64 sz = 0;
    g_autofree char *a = client_frame_message("| tar: ok", &k, &sz);
    g_assert_cmpstr(a, ==, "| tar: ok\n");
    g_assert_cmpint(k, ==, CLIENT_MSG_NORMAL);
    g_autofree char *b = client_frame_message("tar: something odd", &k, &sz);
    g_assert_cmpstr(b, ==, "? tar: something odd\n");
    g_assert_cmpint(k, ==, CLIENT_MSG_STRANGE);
    g_autofree char *c = client_frame_message("sendbackup: size 142070", &k, &sz);
    g_assert_cmpint(k, ==, CLIENT_MSG_SIZE);
    g_assert_cmpint(sz, ==, 142070);
    g_autofree char *d = client_frame_message("sendbackup: size 12x", &k, &sz);
    g_assert_cmpint(k, ==, CLIENT_MSG_STRANGE);
    g_autofree char *e = client_frame_message("sendbackup: error [tar failed]", &k, &sz);
    g_assert_cmpint(k, ==, CLIENT_MSG_ERROR);
    g_autofree char *f = client_frame_message("sendbackup: end", &k, &sz);
    g_assert_cmpint(k, ==, CLIENT_MSG_END);
    g_autofree char *g = client_frame_message("& old error", &k, &sz);
    g_assert_cmpint(k, ==, CLIENT_MSG_ERROR);
}

static void test_info_lines(void)
{
    g_autoptr(dle_t) d = dle_new();
    d->plugin = g_strdup("amgtar");
    d->disk = g_strdup("/x");
    g_autofree char *plain = client_info_lines("/l/amgtar", d);
    g_assert_cmpstr(plain, ==,
                    "sendbackup: info BACKUP=APPLICATION\n"
                    "sendbackup: info APPLICATION=amgtar\n"
                    "sendbackup: info RECOVER_CMD=/l/amgtar restore [./file-to-restore]+\n"
                    "sendbackup: info end\n");
    d->compress = g_strdup("FAST");
    g_autofree char *gz = client_info_lines("/l/amgtar", d);
    g_assert_nonnull(strstr(gz, "RECOVER_CMD=gzip -dc |/l/amgtar restore"));
    g_assert_nonnull(strstr(gz, "sendbackup: info COMPRESS_SUFFIX=.gz\n"));
}

static void test_crc(void)
{
    client_crc_t c;
    client_crc_init(&c);
    client_crc_add(&c, "123456789", 9);
    g_assert_cmphex(c.crc, ==, 0xe3069283);   /* the CRC-32C check value */
    g_assert_cmpuint(c.size, ==, 9);
    client_crc_add(&c, "", 0);
    g_assert_cmphex(c.crc, ==, 0xe3069283);
    /* split anywhere, same value (the 8-byte steps and the tail) */
    client_crc_init(&c);
    client_crc_add(&c, "1234", 4);
    client_crc_add(&c, "56789", 5);
    g_assert_cmphex(c.crc, ==, 0xe3069283);
    g_autofree char *l = client_crc_line("native", 0x58ac4ce7, 10240);
    g_assert_cmpstr(l, ==, "sendbackup: native-CRC 58ac4ce7:10240\n");
}

/* The SSE4.2 three-lane path gives the table's value for any length,
 * alignment and split (lane joins at 3 * 8 KiB, tails, odd starts). */
static void test_crc_lanes(void)
{
    GRand *r = g_rand_new_with_seed(20261125);
    const size_t max = 3 * 8192 * 3 + 77;
    guint8 *buf = g_malloc(max + 8);
    for (size_t i = 0; i < max + 8; i++)
        buf[i] = (guint8)g_rand_int(r);
    size_t lens[] = { 0, 1, 7, 8, 24575, 24576, 24577, 49152, 3 * 8192 * 3, max };
    for (int round = 0; round < 200; round++) {
        size_t len = round < (int)G_N_ELEMENTS(lens) ? lens[round]
                                                     : (size_t)g_rand_int_range(r, 0, (gint32)max);
        size_t start = (size_t)g_rand_int_range(r, 0, 8);
        size_t cut = len ? (size_t)g_rand_int_range(r, 0, (gint32)len + 1) : 0;
        client_crc_t c;
        client_crc_init(&c);
        client_crc_add(&c, buf + start, cut);
        client_crc_add(&c, buf + start + cut, len - cut);
        g_assert_cmphex(c.crc, ==, crc32c_by_table(0, buf + start, len));
        g_assert_cmpuint(c.size, ==, len);
    }
    g_assert_cmphex(crc32c_by_table(0, "123456789", 9), ==, 0xe3069283);
    g_free(buf);
    g_rand_free(r);
}

/* Feed LEN random bytes through a pipe into sendbackup_data_from_fd with
 * DATA on OUT; the CRCs must be those of the bytes. */
static guint32 feed_from_pipe(int out, const guint8 *bytes, size_t len)
{
    int in[2];
    g_assert_cmpint(pipe(in), ==, 0);
    (void)pipe_grow(in[1]);
    g_autoptr(GError) err = NULL;
    sendbackup_data_t *d = sendbackup_data_new(out, 0, NULL, &err);
    g_assert_no_error(err);
    g_autofree char *scratch = g_malloc(65536);
    size_t sent = 0;
    for (;;) {
        if (sent < len) {
            size_t n = MIN(len - sent, (size_t)40000);
            g_assert_cmpint(full_write(in[1], bytes + sent, n), ==, (ssize_t)n);
            sent += n;
            if (sent == len)
                close(in[1]);
        }
        ssize_t got = sendbackup_data_from_fd(d, in[0], scratch, 65536, &err);
        g_assert_no_error(err);
        g_assert_cmpint(got, >=, 0);
        if (got == 0 && sent == len)
            break;
    }
    close(in[0]);
    client_crc_t n, c;
    g_assert_true(sendbackup_data_finish(d, &n, &c, &err));
    sendbackup_data_free(d);
    g_assert_cmphex(n.crc, ==, c.crc);
    g_assert_cmpuint(n.size, ==, len);
    g_assert_cmphex(n.crc, ==, crc32c_by_table(0, bytes, len));
    return n.crc;
}

/* Unchanged images: tee(2) into a DATA pipe, plain writes into a file;
 * the same bytes and CRCs either way. */
static void test_data_from_fd(void)
{
    const size_t len = 300000;
    guint8 *bytes = g_malloc(len);
    GRand *r = g_rand_new_with_seed(3);
    for (size_t i = 0; i < len; i++)
        bytes[i] = (guint8)g_rand_int(r);
    g_rand_free(r);

    int out[2];
    g_assert_cmpint(pipe(out), ==, 0);
    (void)pipe_grow(out[1]);   /* 1 MiB: holds the whole image */
    feed_from_pipe(out[1], bytes, len);
    close(out[1]);
    guint8 *back = g_malloc(len + 1);
    g_assert_cmpint(full_read(out[0], back, len + 1), ==, (ssize_t)len);
    g_assert_cmpmem(back, len, bytes, len);
    close(out[0]);

    FILE *f = tmpfile();
    feed_from_pipe(fileno(f), bytes, len);
    g_assert_cmpint(lseek(fileno(f), 0, SEEK_SET), ==, 0);
    g_assert_cmpint(full_read(fileno(f), back, len + 1), ==, (ssize_t)len);
    g_assert_cmpmem(back, len, bytes, len);
    fclose(f);
    g_free(back);
    g_free(bytes);
}

/* The data path with zlib: what comes out gunzips to what went in. */
static void test_data_zlib(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    GError *err = NULL;
    sendbackup_data_t *d = sendbackup_data_new(p[1], 1, NULL, &err);
    g_assert_no_error(err);
    const char *text = "hello hello hello hello\n";
    g_assert_true(sendbackup_data_write(d, text, strlen(text), &err));
    client_crc_t n, c;
    g_assert_true(sendbackup_data_finish(d, &n, &c, &err));
    sendbackup_data_free(d);
    close(p[1]);
    unsigned char out[4096], plain[256];
    ssize_t len = read(p[0], out, sizeof out);
    close(p[0]);
    g_assert_cmpint(len, ==, (gssize)c.size);
    g_assert_cmpint(out[0], ==, 0x1f);
    g_assert_cmpint(out[1], ==, 0x8b);
    z_stream z = { 0 };
    g_assert_cmpint(inflateInit2(&z, 31), ==, Z_OK);
    z.next_in = out;
    z.avail_in = (uInt)len;
    z.next_out = plain;
    z.avail_out = sizeof plain;
    g_assert_cmpint(inflate(&z, Z_FINISH), ==, Z_STREAM_END);
    g_assert_cmpint(z.total_out, ==, strlen(text));
    g_assert_cmpmem(plain, z.total_out, text, strlen(text));
    inflateEnd(&z);
    g_assert_cmpuint(n.size, ==, strlen(text));
}

/* An external filter (here /bin/cat) in the chain. */
static void test_data_filter(void)
{
    int p[2];
    g_assert_cmpint(pipe(p), ==, 0);
    const char *filters[] = { "/bin/cat", NULL };
    GError *err = NULL;
    sendbackup_data_t *d = sendbackup_data_new(p[1], 0, filters, &err);
    g_assert_no_error(err);
    g_assert_true(sendbackup_data_write(d, "abc", 3, &err));
    client_crc_t n, c;
    g_assert_true(sendbackup_data_finish(d, &n, &c, &err));
    g_assert_no_error(err);
    sendbackup_data_free(d);
    close(p[1]);
    char out[16];
    g_assert_cmpint(read(p[0], out, sizeof out), ==, 3);
    close(p[0]);
    g_assert_cmphex(n.crc, ==, c.crc);
    g_assert_cmpuint(c.size, ==, 3);
}

static void test_calcsize(void)
{
    g_autofree char *dir = g_dir_make_tmp("calc-XXXXXX", NULL);
    g_autofree char *f1 = g_build_filename(dir, "a", NULL);
    g_autofree char *f2 = g_build_filename(dir, "b.tmp", NULL);
    g_assert_true(g_file_set_contents(f1, "x", 1, NULL));
    g_assert_true(g_file_set_contents(f2, "y", 1, NULL));
    g_autoptr(dle_t) d = dle_new();
    gint64 kib = 0;
    g_assert_true(sendsize_calc_tree(dir, d, &kib, NULL));
    g_assert_cmpint(kib, ==, (512 + 2 * 1024 + 1023) / 1024);
    g_ptr_array_add(d->exclude.files, g_strdup("*.tmp"));
    g_assert_true(sendsize_calc_tree(dir, d, &kib, NULL));
    g_assert_cmpint(kib, ==, (512 + 1024 + 1023) / 1024);
    g_assert_false(sendsize_calc_tree("/nonexistent-x", d, &kib, NULL));
    g_assert_cmpuint(sendsize_calc_entry_bytes(0), ==, 512);
    g_assert_cmpuint(sendsize_calc_entry_bytes(513), ==, 1536);
    unlink(f1);
    unlink(f2);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/services/options/good", test_options_good);
    g_test_add_func("/services/options/bad", test_options_bad);
    g_test_add_func("/services/request/good", test_request);
    g_test_add_func("/services/request/bad", test_request_bad);
    g_test_add_func("/services/args", test_service_args);
    g_test_add_func("/services/features", test_features);
    g_test_add_func("/services/support", test_support);
    g_test_add_func("/services/app-argv", test_app_argv);
    g_test_add_func("/services/app-path", test_app_path);
    g_test_add_func("/services/sendsize/lines", test_size_lines);
    g_test_add_func("/services/sendsize/estimate", test_estimate_lines);
    g_test_add_func("/services/sendsize/calcsize", test_calcsize);
    g_test_add_func("/services/sendbackup/framing", test_framing);
    g_test_add_func("/services/sendbackup/info", test_info_lines);
    g_test_add_func("/services/sendbackup/crc", test_crc);
    g_test_add_func("/services/sendbackup/crc-lanes", test_crc_lanes);
    g_test_add_func("/services/sendbackup/from-fd", test_data_from_fd);
    g_test_add_func("/services/sendbackup/zlib", test_data_zlib);
    g_test_add_func("/services/sendbackup/filter", test_data_filter);
    return g_test_run();
}
