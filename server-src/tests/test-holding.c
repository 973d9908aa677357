/* Unit tests for holding: images split into chunks with FILE / CONT_FILE
 * headers chained by CONT_FILENAME read back byte-identical; chunks stay
 * ".tmp" until the image is complete; a full disk continues on another;
 * listing skips foreign files, leftovers and broken chains; delete removes
 * every chunk; a chunk whose header is the one AMANDA 3.5.1 wrote reads,
 * and our chunk headers are AMANDA's chunker's byte for byte. */
#include "config.h"
#include "holding.h"
#include "catalogue-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

static void
make_header(dumpfile_t *h, const char *disk, int level)
{
    fileheader_init(h);
    h->type = FILEHEADER_DUMPFILE;
    h->datestamp = g_strdup("20261125104704");
    h->host = g_strdup("localhost");
    h->disk = g_strdup(disk);
    h->dumplevel = level;
    h->program = g_strdup("APPLICATION");
    h->application = g_strdup("amgtar");
}

static GByteArray *
pattern(gsize n, guint seed)
{
    GByteArray *b = g_byte_array_sized_new((guint)n);
    g_byte_array_set_size(b, (guint)n);
    GRand *r = g_rand_new_with_seed(seed);
    for (gsize i = 0; i < n; i++)
        b->data[i] = (guint8)g_rand_int(r);
    g_rand_free(r);
    return b;
}

static GByteArray *
read_all(const char *path, dumpfile_t *hdr)
{
    GError *err = NULL;
    holding_reader_t *r = holding_reader_open(path, hdr, &err);
    g_assert_no_error(err);
    GByteArray *out = g_byte_array_new();
    char buf[7000]; /* not a divisor of the chunk size */
    gssize n;
    while ((n = holding_reader_read(r, buf, sizeof(buf), &err)) > 0)
        g_byte_array_append(out, (guint8 *)buf, (guint)n);
    g_assert_no_error(err);
    g_assert_cmpint(n, ==, 0);
    holding_reader_close(r);
    return out;
}

static void
read_chunk_header(const char *path, dumpfile_t *h)
{
    gsize len;
    g_autofree char *buf = ct_read(path, &len);
    g_assert_nonnull(buf);
    g_assert_cmpuint(len, >=, DISK_BLOCK_BYTES);
    fileheader_init(h);
    g_assert_true(fileheader_parse(buf, DISK_BLOCK_BYTES, h, NULL));
}

static void
test_chunks(void)
{
    g_autofree char *hd = ct_tmpdir();
    GError *err = NULL;
    dumpfile_t h;
    make_header(&h, "/srv/obs/data/c d_e", 0);
    g_autofree char *path = holding_file_name(hd, "20261125104704", "localhost",
                                              "/srv/obs/data/c d_e", 0);
    g_autofree char *want = g_build_filename(hd, "20261125104704",
                                             "localhost._srv_obs_data_c d_e.0", NULL);
    g_assert_cmpstr(path, ==, want);
    const guint64 chunksize = 4 * DISK_BLOCK_BYTES; /* 3 blocks of payload each */
    holding_writer_t *w = holding_writer_open(path, &h, chunksize, &err);
    g_assert_no_error(err);
    g_autoptr(GByteArray) data = pattern(10 * DISK_BLOCK_BYTES + 123, 1);
    for (gsize off = 0; off < data->len; off += 5000) {
        gsize n = MIN(5000, data->len - off), done = 0;
        g_assert_true(holding_writer_write(w, data->data + off, n, &done, &err));
        g_assert_cmpuint(done, ==, n);
    }
    g_assert_cmpuint(holding_writer_bytes(w), ==, data->len);

    /* while writing: only .tmp files, which listing ignores */
    const char *dirs[] = { hd, NULL };
    g_autoptr(GPtrArray) during = holding_list(dirs, &err);
    g_assert_cmpuint(during->len, ==, 0);
    g_autoptr(GPtrArray) tmps = holding_list_tmp(dirs, &err);
    g_assert_cmpuint(tmps->len, ==, 4);
    g_assert_true(g_str_has_suffix(g_ptr_array_index(tmps, 0), "c d_e.0.1.tmp"));

    g_assert_true(holding_writer_finish(w, FALSE, &err));
    g_assert_no_error(err);
    g_autoptr(GPtrArray) tmps2 = holding_list_tmp(dirs, &err);
    g_assert_cmpuint(tmps2->len, ==, 0);

    /* the chain on disk: FILE -> .1 -> .2 -> .3 (CONT_FILE), sizes */
    dumpfile_t c;
    read_chunk_header(path, &c);
    g_assert_cmpint(c.type, ==, FILEHEADER_DUMPFILE);
    g_autofree char *c1 = g_strconcat(path, ".1", NULL);
    g_assert_cmpstr(c.cont_filename, ==, c1);
    g_assert_cmpstr(c.disk, ==, "/srv/obs/data/c d_e");
    fileheader_clear(&c);
    g_autofree char *c3 = g_strconcat(path, ".3", NULL);
    read_chunk_header(c3, &c);
    g_assert_cmpint(c.type, ==, FILEHEADER_CONT_DUMPFILE);
    g_assert_true(c.cont_filename == NULL || *c.cont_filename == '\0');
    fileheader_clear(&c);
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, (goffset)chunksize);
    g_assert_cmpint(g_stat(c3, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, DISK_BLOCK_BYTES + DISK_BLOCK_BYTES + 123);

    dumpfile_t got;
    fileheader_init(&got);
    g_autoptr(GByteArray) back = read_all(path, &got);
    g_assert_cmpuint(back->len, ==, data->len);
    g_assert_cmpint(memcmp(back->data, data->data, data->len), ==, 0);
    g_assert_cmpstr(got.host, ==, "localhost");
    fileheader_clear(&got);

    g_autoptr(GPtrArray) files = holding_list(dirs, &err);
    g_assert_cmpuint(files->len, ==, 1);
    const holding_file_t *f = g_ptr_array_index(files, 0);
    g_assert_cmpstr(f->path, ==, path);
    g_assert_cmpstr(f->run_dir, ==, "20261125104704");
    g_assert_cmpstr(f->disk, ==, "/srv/obs/data/c d_e");
    g_assert_cmpuint(f->nchunks, ==, 4);
    g_assert_cmpuint(f->bytes, ==, data->len);
    g_assert_cmpuint(f->kb, ==, (data->len + 1023) / 1024);
    g_assert_false(f->partial);

    g_assert_true(holding_delete(path, &err));
    g_assert_no_error(err);
    g_autofree char *rundir = g_build_filename(hd, "20261125104704", NULL);
    g_assert_false(g_file_test(rundir, G_FILE_TEST_EXISTS));
    fileheader_clear(&h);
    ct_rm_rf(hd);
}

static void
test_partial_abort_continue(void)
{
    g_autofree char *hd1 = ct_tmpdir();
    g_autofree char *hd2 = ct_tmpdir();
    GError *err = NULL;
    dumpfile_t h;
    make_header(&h, "/a", 1);
    g_autofree char *p = holding_file_name(hd1, "20261125104704", "localhost", "/a", 1);
    holding_writer_t *w = holding_writer_open(p, &h, 0, &err);
    g_autoptr(GByteArray) d1 = pattern(50000, 2);
    g_assert_true(holding_writer_write(w, d1->data, d1->len, NULL, &err));
    /* the driver moves the image to another disk */
    g_autofree char *p2 = holding_file_name(hd2, "20261125104704", "localhost", "/a", 1);
    g_assert_true(holding_writer_continue(w, p2, &err));
    g_assert_true(holding_writer_write(w, d1->data, 1000, NULL, &err));
    g_assert_true(holding_writer_finish(w, TRUE, &err));
    g_assert_no_error(err);
    const char *dirs[] = { hd1, hd2, NULL };
    g_autoptr(GPtrArray) files = holding_list(dirs, &err);
    g_assert_cmpuint(files->len, ==, 1); /* the continuation is not an image of its own */
    const holding_file_t *f = g_ptr_array_index(files, 0);
    g_assert_true(f->partial);
    g_assert_cmpuint(f->nchunks, ==, 2);
    g_assert_cmpuint(f->bytes, ==, 51000);
    g_autoptr(GByteArray) back = read_all(p, NULL);
    g_assert_cmpuint(back->len, ==, 51000);
    g_assert_cmpint(memcmp(back->data + 50000, d1->data, 1000), ==, 0);

    /* an aborted writer leaves nothing */
    g_autofree char *p3 = holding_file_name(hd1, "20261125104704", "localhost", "/b", 0);
    w = holding_writer_open(p3, &h, 2 * DISK_BLOCK_BYTES, &err);
    g_assert_true(holding_writer_write(w, d1->data, d1->len, NULL, &err));
    holding_writer_abort(w);
    g_autoptr(GPtrArray) tmps = holding_list_tmp(dirs, &err);
    g_assert_cmpuint(tmps->len, ==, 0);

    g_assert_null(holding_writer_open(p3, &h, DISK_BLOCK_BYTES, &err));
    g_assert_error(err, HOLDING_ERROR, HOLDING_ERROR_INVALID);
    g_clear_error(&err);
    fileheader_clear(&h);
    ct_rm_rf(hd1);
    ct_rm_rf(hd2);
}

static void
test_broken_and_foreign(void)
{
    g_autofree char *hd = ct_tmpdir();
    GError *err = NULL;
    dumpfile_t h;
    make_header(&h, "/a", 0);
    g_autofree char *p = holding_file_name(hd, "20261125104704", "localhost", "/a", 0);
    holding_writer_t *w = holding_writer_open(p, &h, 2 * DISK_BLOCK_BYTES, &err);
    g_autoptr(GByteArray) d = pattern(3 * DISK_BLOCK_BYTES, 3);
    g_assert_true(holding_writer_write(w, d->data, d->len, NULL, &err));
    g_assert_true(holding_writer_finish(w, FALSE, &err));
    g_autofree char *junk = g_build_filename(hd, "20261125104704", "notes.txt", NULL);
    ct_write(junk, "not a dump\n", -1);
    g_autofree char *empty = g_build_filename(hd, "20261125104704", "empty", NULL);
    ct_write(empty, "", 0);
    const char *dirs[] = { hd, NULL };
    g_autoptr(GPtrArray) files = holding_list(dirs, &err);
    g_assert_cmpuint(files->len, ==, 1);

    /* the middle chunk disappears: listing drops the image, reading names
     * the missing chunk */
    g_autofree char *c1 = g_strconcat(p, ".1", NULL);
    g_autofree char *moved = g_strconcat(p, ".1.moved", NULL);
    g_assert_cmpint(g_rename(c1, moved), ==, 0);
    g_autoptr(GPtrArray) none = holding_list(dirs, &err);
    g_assert_cmpuint(none->len, ==, 0);
    holding_reader_t *r = holding_reader_open(p, NULL, &err);
    g_assert_nonnull(r);
    char buf[65536];
    gssize n;
    while ((n = holding_reader_read(r, buf, sizeof(buf), &err)) > 0)
        ;
    g_assert_cmpint(n, ==, -1);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, c1));
    g_clear_error(&err);
    holding_reader_close(r);
    g_assert_false(holding_delete(p, &err));
    g_clear_error(&err);

    /* a continuation chunk opened as an image is refused */
    g_assert_null(holding_reader_open(moved, NULL, &err));
    g_assert_error(err, HOLDING_ERROR, HOLDING_ERROR_CORRUPT);
    g_clear_error(&err);
    g_assert_null(holding_reader_open(junk, NULL, &err));
    g_assert_error(err, HOLDING_ERROR, HOLDING_ERROR_CORRUPT);
    g_assert_nonnull(strstr(err->message, "notes.txt"));
    g_clear_error(&err);
    fileheader_clear(&h);
    ct_rm_rf(hd);
}

/* A chunk built from the header text AMANDA 3.5.1 wrote (the .header copy
 * of the Obs run; holding chunks carry the same text). */
static void
test_amanda_header_chunk(void)
{
    g_autofree char *hd = ct_tmpdir();
    gsize len;
    g_autofree char *text = ct_data("obs-index-a.header", &len);
    g_autoptr(GByteArray) chunk = g_byte_array_new();
    g_byte_array_append(chunk, (guint8 *)text, (guint)len);
    g_byte_array_set_size(chunk, DISK_BLOCK_BYTES);
    memset(chunk->data + len, 0, DISK_BLOCK_BYTES - len);
    g_autoptr(GByteArray) data = pattern(10240, 4);
    g_byte_array_append(chunk, data->data, data->len);
    g_autofree char *path = g_build_filename(hd, "20261125104704",
                                             "localhost._srv_obs_data_a.0", NULL);
    ct_write(path, (char *)chunk->data, chunk->len);
    dumpfile_t got;
    fileheader_init(&got);
    g_autoptr(GByteArray) back = read_all(path, &got);
    g_assert_cmpuint(back->len, ==, 10240);
    g_assert_cmpint(memcmp(back->data, data->data, 10240), ==, 0);
    g_assert_cmpstr(got.disk, ==, "/srv/obs/data/a");
    g_assert_cmpint(got.native_crc.crc, ==, 0xff3e99f6);
    fileheader_clear(&got);
    const char *dirs[] = { hd, NULL };
    GError *err = NULL;
    g_autoptr(GPtrArray) files = holding_list(dirs, &err);
    g_assert_cmpuint(files->len, ==, 1);
    const holding_file_t *f = g_ptr_array_index(files, 0);
    g_assert_cmpuint(f->kb, ==, 10);
    g_assert_cmpstr(f->datestamp, ==, "20261125104704");
    ct_rm_rf(hd);
}

/* STOCK's text with FROM replaced by TO, NUL-padded to one block. */
static GByteArray *
expected_block(const char *stock, const char *from, const char *to)
{
    g_auto(GStrv) parts = g_strsplit(stock, from, -1);
    g_autofree char *text = g_strjoinv(to, parts);
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, (guint8 *)text, (guint)strlen(text));
    g_assert_cmpuint(b->len, <, DISK_BLOCK_BYTES);
    guint len = b->len;
    g_byte_array_set_size(b, DISK_BLOCK_BYTES);
    memset(b->data + len, 0, DISK_BLOCK_BYTES - len);
    return b;
}

/* The two chunk headers AMANDA 3.5.1's chunker wrote for one image
 * (chunksize 128 KiB) are what our writer writes for the same dump,
 * byte for byte, once the holding directory is ours. */
static void
test_amanda_chunk_headers(void)
{
    g_autofree char *hd = ct_tmpdir();
    g_autofree char *c0 = ct_data("amanda-holding-chunk0.header", NULL);
    g_autofree char *c1 = ct_data("amanda-holding-chunk1.header", NULL);
    dumpfile_t h;
    fileheader_init(&h);
    GError *err = NULL;
    g_assert_true(fileheader_parse(c0, strlen(c0), &h, &err));
    g_assert_no_error(err);
    g_assert_cmpint(h.type, ==, FILEHEADER_DUMPFILE);
    g_assert_true(g_str_has_prefix(h.cont_filename, "/tmp/cathold/hd/"));
    g_autofree char *path = holding_file_name(hd, h.datestamp, h.host, h.disk, h.dumplevel);
    g_assert_true(g_str_has_suffix(path, "/20261125114505/localhost._tmp_cathold_data_big.1"));
    holding_writer_t *w = holding_writer_open(path, &h, 128 * 1024, &err);
    g_assert_no_error(err);
    g_autoptr(GByteArray) data = pattern((131072 - 32768) + (88064 - 32768), 5);
    g_assert_true(holding_writer_write(w, data->data, data->len, NULL, &err));
    g_assert_true(holding_writer_finish(w, FALSE, &err));
    g_assert_no_error(err);
    g_autofree char *chunk1 = g_strconcat(path, ".1", NULL);
    const char *const paths[] = { path, chunk1 };
    const char *const stock[] = { c0, c1 };
    static const gsize sizes[] = { 131072, 88064 };
    for (int i = 0; i < 2; i++) {
        gsize len;
        g_autofree char *got = ct_read(paths[i], &len);
        g_assert_cmpuint(len, ==, sizes[i]);
        g_autoptr(GByteArray) want = expected_block(stock[i], "/tmp/cathold/hd", hd);
        if (memcmp(got, want->data, DISK_BLOCK_BYTES) != 0)
            g_error("chunk %d header differs from AMANDA's:\n%s\n--- AMANDA:\n%s", i, got,
                    (char *)want->data);
    }
    fileheader_clear(&h);
    ct_rm_rf(hd);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/holding/chunks", test_chunks);
    g_test_add_func("/holding/partial-abort-continue", test_partial_abort_continue);
    g_test_add_func("/holding/broken-and-foreign", test_broken_and_foreign);
    g_test_add_func("/holding/amanda-header-chunk", test_amanda_header_chunk);
    g_test_add_func("/holding/amanda-chunk-headers", test_amanda_chunk_headers);
    return g_test_run();
}
