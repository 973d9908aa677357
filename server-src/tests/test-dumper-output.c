/* Unit tests for dumper-output (holding chunks, server gzip, filter
 * programs, CRC-32C), dumper-filter and run-lock. */
#include "config.h"
#include "dumper-output.h"
#include "dumper-filter.h"
#include "run-lock.h"
#include "holding.h"
#include "crc32c.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char *
tmpdir(void)
{
    GError *err = NULL;
    char *d = g_dir_make_tmp("dumper-out-XXXXXX", &err);
    g_assert_no_error(err);
    return d;
}

static GByteArray *
random_bytes(gsize n, guint32 seed)
{
    GRand *r = g_rand_new_with_seed(seed);
    GByteArray *b = g_byte_array_sized_new((guint)n);
    for (gsize i = 0; i < n; i++) {
        guint8 v = (guint8)(i % 7 == 0 ? g_rand_int(r) : 'a' + i % 13);
        g_byte_array_append(b, &v, 1);
    }
    g_rand_free(r);
    return b;
}

static void
header(dumpfile_t *h)
{
    fileheader_init(h);
    h->type = FILEHEADER_DUMPFILE;
    h->datestamp = g_strdup("20261125120000");
    h->host = g_strdup("localhost");
    h->disk = g_strdup("/data");
    h->program = g_strdup("APPLICATION");
    h->comp_suffix = g_strdup("N");
}

static GByteArray *
read_back(const char *path)
{
    GError *err = NULL;
    holding_reader_t *r = holding_reader_open(path, NULL, &err);
    g_assert_no_error(err);
    GByteArray *out = g_byte_array_new();
    char buf[70000];
    gssize n;
    while ((n = holding_reader_read(r, buf, sizeof buf, &err)) > 0)
        g_byte_array_append(out, (guint8 *)buf, (guint)n);
    g_assert_no_error(err);
    holding_reader_close(r);
    return out;
}

static void
write_in_pieces(dumper_out_t *o, GByteArray *data)
{
    GError *err = NULL;
    for (gsize off = 0; off < data->len;) {
        gsize n = MIN(data->len - off, 1 + (off * 7919) % 100000);
        g_assert_true(dumper_out_write(o, data->data + off, n, &err));
        g_assert_no_error(err);
        off += n;
    }
}

static void
test_plain_chunks(void)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "run", "localhost._data.0", NULL);
    GByteArray *data = random_bytes(1000000, 1);
    dumpfile_t h;
    header(&h);
    GError *err = NULL;
    dumper_out_t *o = dumper_out_holding(path, &h, 300 * 1024, 0, &err);
    g_assert_no_error(err);
    write_in_pieces(o, data);
    fileheader_crc_t c, s;
    g_assert_true(dumper_out_finish(o, FALSE, &c, &s, &err));
    g_assert_cmpuint(c.size, ==, data->len);
    g_assert_cmphex(c.crc, ==, crc32c(0, data->data, data->len));
    g_assert_cmphex(s.crc, ==, c.crc);
    GByteArray *back = read_back(path);
    g_assert_cmpmem(back->data, back->len, data->data, data->len);
    g_assert_true(holding_delete(path, NULL));
    g_byte_array_unref(back);
    g_byte_array_unref(data);
    fileheader_clear(&h);
    g_rmdir(dir);
}

static void
test_gzip(void)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "run", "localhost._data.1", NULL);
    GByteArray *data = random_bytes(500000, 2);
    dumpfile_t h;
    header(&h);
    GError *err = NULL;
    dumper_out_t *o = dumper_out_holding(path, &h, 0, 1, &err);
    write_in_pieces(o, data);
    fileheader_crc_t c, s;
    g_assert_true(dumper_out_finish(o, FALSE, &c, &s, &err));
    GByteArray *back = read_back(path);
    g_assert_cmpuint(s.size, ==, back->len);
    g_assert_cmphex(s.crc, ==, crc32c(0, back->data, back->len));
    g_assert_cmpuint(back->len, <, data->len);
    /* a gzip stream: inflate it */
    z_stream z = { 0 };
    g_assert_cmpint(inflateInit2(&z, 31), ==, Z_OK);
    guint8 *plain = g_malloc(data->len + 16);
    z.next_in = back->data;
    z.avail_in = back->len;
    z.next_out = plain;
    z.avail_out = data->len + 16;
    g_assert_cmpint(inflate(&z, Z_FINISH), ==, Z_STREAM_END);
    g_assert_cmpmem(plain, z.total_out, data->data, data->len);
    inflateEnd(&z);
    g_free(plain);
    holding_delete(path, NULL);
    g_byte_array_unref(back);
    g_byte_array_unref(data);
    fileheader_clear(&h);
    g_rmdir(dir);
}

static void
test_filter_pipeline(void)
{
    g_autofree char *dir = tmpdir();
    g_autofree char *path = g_build_filename(dir, "run", "localhost._data.2", NULL);
    GByteArray *data = random_bytes(400000, 3);
    dumpfile_t h;
    header(&h);
    GError *err = NULL;
    dumper_out_t *o = dumper_out_holding(path, &h, 0, 0, &err);
    char *a[] = { "tr", "a-m", "n-z", NULL };
    char *b[] = { "cat", NULL };
    char **cmds[] = { a, b };
    g_assert_true(dumper_out_add_filter(o, cmds, 2, &err));
    g_assert_no_error(err);
    write_in_pieces(o, data);
    fileheader_crc_t c, s;
    g_assert_true(dumper_out_finish(o, FALSE, &c, &s, &err));
    g_assert_no_error(err);
    GByteArray *back = read_back(path);
    g_assert_cmpuint(back->len, ==, data->len);
    for (gsize i = 0; i < data->len; i++) {
        guint8 v = data->data[i];
        guint8 want = (v >= 'a' && v <= 'm') ? (guint8)(v + 13) : v;
        g_assert_cmpint(back->data[i], ==, want);
    }
    g_assert_cmphex(c.crc, ==, crc32c(0, data->data, data->len));
    g_assert_cmphex(s.crc, ==, crc32c(0, back->data, back->len));
    holding_delete(path, NULL);
    g_byte_array_unref(back);
    g_byte_array_unref(data);
    fileheader_clear(&h);
    g_rmdir(dir);
}

static gboolean
count_sink(void *arg, const void *buf, gsize len, GError **error)
{
    (void)buf;
    (void)error;
    *(gsize *)arg += len;
    return TRUE;
}

static void
test_filter_failure(void)
{
    gsize got = 0;
    GError *err = NULL;
    char *f[] = { "false", NULL };
    char **cmds[] = { f };
    dumper_filter_t *flt = dumper_filter_start(cmds, 1, count_sink, &got, &err);
    g_assert_no_error(err);
    g_assert_false(dumper_filter_finish(flt, &err));
    g_assert_nonnull(strstr(err->message, "false failed"));
    g_clear_error(&err);
    char *missing[] = { "/no/such/filter", NULL };
    char **cmds2[] = { missing };
    g_assert_null(dumper_filter_start(cmds2, 1, count_sink, &got, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
}

static void
test_run_lock(void)
{
    g_autofree char *dir = tmpdir();
    GError *err = NULL;
    run_lock_t *a = run_lock_take(dir, "amdump", &err);
    g_assert_no_error(err);
    g_assert_nonnull(a);
    run_lock_t *b = run_lock_take(dir, "amflush", &err);
    g_assert_null(b);
    g_assert_nonnull(strstr(err->message, "in progress (amdump pid"));
    g_clear_error(&err);
    run_lock_release(a);
    /* a crashed run's "log" link: refused until amcleanup */
    g_autofree char *link = g_build_filename(dir, "log", NULL);
    g_assert_cmpint(symlink("log.20261125000000.0", link), ==, 0);
    g_assert_null(run_lock_take(dir, "amdump", &err));
    g_assert_nonnull(strstr(err->message, "amcleanup"));
    g_clear_error(&err);
    run_lock_t *c = run_lock_take_any(dir, "amcleanup", &err);
    g_assert_nonnull(c);
    run_lock_release(c);
    g_unlink(link);
    g_autofree char *lock = g_build_filename(dir, "amdump.lock", NULL);
    g_unlink(lock);
    g_rmdir(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dumper-output/plain-chunks", test_plain_chunks);
    g_test_add_func("/dumper-output/gzip", test_gzip);
    g_test_add_func("/dumper-output/filter-pipeline", test_filter_pipeline);
    g_test_add_func("/dumper-output/filter-failure", test_filter_failure);
    g_test_add_func("/run-lock/lock", test_run_lock);
    return g_test_run();
}
