/* Tests of the Device API: the file (vtape) device's on-disk layout,
 * reading back, end of medium, append, erase, label errors, properties. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "device.h"
#include "test-util.h"

#define TS "20261125101500"
#define BIG (5 * 1024 * 1024 + 12345)

typedef struct {
    char *dir;
    char *devname;
} Fixture;

static void
fx_setup(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    fx->dir = tu_mkdtemp();
    fx->devname = g_strdup_printf("file:%s", fx->dir);
}

static void
fx_teardown(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    tu_rmtree(fx->dir);
    g_free(fx->dir);
    g_free(fx->devname);
}

static void
make_header(dumpfile_t *hdr, const char *host, const char *disk, int level)
{
    fileheader_init(hdr);
    hdr->type = FILEHEADER_SPLIT_DUMPFILE;
    hdr->datestamp = g_strdup(TS);
    hdr->host = g_strdup(host);
    hdr->disk = g_strdup(disk);
    hdr->dumplevel = level;
    hdr->program = g_strdup("APPLICATION");
    hdr->application = g_strdup("amgtar");
    hdr->partnum = 1;
    hdr->totalparts = -1;
}

/* Write one file of LEN bytes (in blocks of BLOCK) and return what happened. */
static gboolean
write_file(Device *dev, const char *host, const char *disk, const char *data, gsize len,
           gsize block, GError **error)
{
    dumpfile_t hdr;
    make_header(&hdr, host, disk, 0);
    gboolean ok = device_start_file(dev, &hdr, error);
    fileheader_clear(&hdr);
    for (gsize off = 0; ok && off < len; off += block)
        ok = device_write_block(dev, data + off, MIN(block, len - off), error);
    if (dev->in_file)
        ok = device_finish_file(dev, ok ? error : NULL) && ok;
    return ok;
}

static GByteArray *
read_file(Device *dev, int fileno, dumpfile_t **hdr_out)
{
    g_autoptr(GError) err = NULL;
    dumpfile_t *hdr = device_seek_file(dev, fileno, &err);
    g_assert_no_error(err);
    g_assert_cmpint(dev->file, ==, fileno);
    GByteArray *out = g_byte_array_new();
    char *buf = g_malloc(dev->block_size);
    for (;;) {
        gsize size = dev->block_size;
        gssize n = device_read_block(dev, buf, &size, &err);
        g_assert_no_error(err);
        g_assert_cmpint(n, >=, 0);
        if (n == 0)
            break;
        g_byte_array_append(out, (guint8 *)buf, n);
    }
    g_free(buf);
    if (hdr_out)
        *hdr_out = hdr;
    else
        device_header_free(hdr);
    return out;
}

static void
label_volume(Device *dev, const char *label)
{
    g_autoptr(GError) err = NULL;
    g_assert_true(device_start(dev, DEVICE_MODE_WRITE, label, TS, &err));
    g_assert_no_error(err);
}

static void
test_write_read(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    g_assert_no_error(err);
    label_volume(dev, "TEST-001");
    g_autofree char *small = tu_pattern(1000, 1);
    g_autofree char *big = tu_pattern(BIG, 2);
    g_autofree char *mid = tu_pattern(32768 * 3, 3);
    g_assert_true(write_file(dev, "host1", "/home/a_b c", small, 1000, 32768, &err));
    g_assert_true(write_file(dev, "host1", "/var:x", big, BIG, 32768, &err));
    g_assert_true(write_file(dev, "host2", "/", mid, 32768 * 3, 32768, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(dev->volume_bytes, ==, 4 * 32768 + 1000 + BIG + 32768 * 3);
    g_assert_true(device_finish(dev, &err));

    /* on disk: AMANDA's names, files not padded, the lock gone */
    g_auto(GStrv) names = tu_list_dir(fx->dir);
    const char *want[] = { "00000.TEST-001", "00001.host1._home_a_b c.0",
                           "00002.host1._var_x.0", "00003.host2._.0", NULL };
    g_assert_cmpstrv(names, want);
    const gint64 sizes[] = { 32768, 32768 + 1000, 32768 + BIG, 32768 * 4 };
    for (int i = 0; want[i]; i++) {
        g_autofree char *path = g_build_filename(fx->dir, want[i], NULL);
        g_assert_cmpint(tu_file_size(path), ==, sizes[i]);
    }
    g_autofree char *label_path = g_build_filename(fx->dir, "00000.TEST-001", NULL);
    g_autofree char *label = NULL;
    g_file_get_contents(label_path, &label, NULL, NULL);
    g_assert_cmpstr(label, ==, "AMANDA: TAPESTART DATE " TS " TAPE TEST-001\n\f\n");

    /* read back, in any order */
    g_assert_cmpint(device_read_label(dev), ==, DEVICE_STATUS_SUCCESS);
    g_assert_cmpstr(dev->volume_label, ==, "TEST-001");
    g_assert_cmpstr(dev->volume_time, ==, TS);
    g_assert_true(device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err));
    dumpfile_t *hdr;
    g_autoptr(GByteArray) b2 = read_file(dev, 2, &hdr);
    g_assert_cmpint(b2->len, ==, BIG);
    g_assert_true(memcmp(b2->data, big, BIG) == 0);
    g_assert_cmpint(hdr->type, ==, FILEHEADER_SPLIT_DUMPFILE);
    g_assert_cmpstr(hdr->disk, ==, "/var:x");
    device_header_free(hdr);
    g_autoptr(GByteArray) b1 = read_file(dev, 1, &hdr);
    g_assert_cmpint(b1->len, ==, 1000);
    g_assert_true(memcmp(b1->data, small, 1000) == 0);
    g_assert_cmpstr(hdr->disk, ==, "/home/a_b c");
    device_header_free(hdr);
    g_autoptr(GByteArray) b3 = read_file(dev, 3, NULL);
    g_assert_cmpint(b3->len, ==, 32768 * 3);
    g_assert_true(memcmp(b3->data, mid, b3->len) == 0);
    hdr = device_seek_file(dev, 4, &err);
    g_assert_no_error(err);
    g_assert_cmpint(hdr->type, ==, FILEHEADER_TAPEEND);
    device_header_free(hdr);
    g_assert_true(device_finish(dev, &err));
}

static void
test_eom(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    /* room for the label, one header and exactly 100 KiB of data */
    guint64 limit = 2 * 32768 + 100 * 1024;
    g_autofree char *val = g_strdup_printf("%" G_GUINT64_FORMAT, limit);
    g_assert_true(device_property_set(dev, "MAX_VOLUME_USAGE", val, &err));
    label_volume(dev, "EOM-1");
    g_autofree char *data = tu_pattern(200 * 1024, 4);
    dumpfile_t hdr;
    make_header(&hdr, "h", "/d", 0);
    g_assert_true(device_start_file(dev, &hdr, &err));
    fileheader_clear(&hdr);
    gsize written = 0;
    while (device_write_block(dev, data + written, 10 * 1024, &err))
        written += 10 * 1024;
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_EOM);
    g_assert_true(dev->is_eom);
    g_assert_nonnull(strstr(err->message, "MAX_VOLUME_USAGE"));
    g_assert_cmpuint(written, ==, 100 * 1024);
    g_assert_cmpuint(dev->volume_bytes, ==, limit);
    g_clear_error(&err);
    /* the partial file is kept; the next file does not fit either */
    g_assert_true(device_finish_file(dev, &err));
    make_header(&hdr, "h", "/e", 0);
    g_assert_false(device_start_file(dev, &hdr, &err));
    fileheader_clear(&hdr);
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_EOM);
    g_clear_error(&err);
    g_assert_true(device_finish(dev, &err));
    g_autofree char *path = g_build_filename(fx->dir, "00001.h._d.0", NULL);
    g_assert_cmpint(tu_file_size(path), ==, 32768 + 100 * 1024);
    /* without enforcement the limit is only advisory */
    g_assert_true(device_property_set(dev, "ENFORCE_MAX_VOLUME_USAGE", "no", &err));
    g_assert_true(device_start(dev, DEVICE_MODE_APPEND, NULL, NULL, &err));
    g_assert_true(write_file(dev, "h", "/e", data, 50 * 1024, 32768, &err));
    g_assert_true(device_finish(dev, &err));
}

static void
test_leom(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    g_assert_true(device_property_set(dev, "MAX_VOLUME_USAGE", "3m", &err));
    g_assert_true(device_property_set(dev, "LEOM", "yes", &err));
    label_volume(dev, "LEOM-1");
    g_autofree char *data = tu_pattern(32768, 5);
    dumpfile_t hdr;
    make_header(&hdr, "h", "/d", 0);
    g_assert_true(device_start_file(dev, &hdr, &err));
    fileheader_clear(&hdr);
    while (!dev->is_eom)
        g_assert_true(device_write_block(dev, data, 32768, &err));
    g_assert_cmpuint(dev->volume_bytes, >, 2 * 1024 * 1024);
    g_assert_cmpuint(dev->volume_bytes, <=, 3 * 1024 * 1024);
    g_assert_true(device_finish(dev, &err));
}

static void
test_append_erase(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    label_volume(dev, "APP-1");
    g_autofree char *d = tu_pattern(70000, 6);
    g_assert_true(write_file(dev, "h", "/one", d, 70000, 32768, &err));
    g_assert_true(device_finish(dev, &err));
    g_assert_true(device_start(dev, DEVICE_MODE_APPEND, NULL, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(dev->volume_bytes, ==, 32768 * 2 + 70000);
    g_assert_true(write_file(dev, "h", "/two", d, 100, 32768, &err));
    g_assert_cmpint(dev->file, ==, 2);
    /* a second writer is refused while the lock is held */
    g_autofree char *lock = g_build_filename(fx->dir, "00000-lock", NULL);
    g_assert_true(g_file_test(lock, G_FILE_TEST_EXISTS));
    g_autoptr(Device) dev2 = device_open(fx->devname, &err);
    g_assert_false(device_start(dev2, DEVICE_MODE_APPEND, NULL, NULL, &err));
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_BUSY);
    g_assert_true(dev2->status & DEVICE_STATUS_DEVICE_BUSY);
    g_clear_error(&err);
    g_assert_true(device_finish(dev, &err));
    g_assert_false(g_file_test(lock, G_FILE_TEST_EXISTS));
    g_assert_true(device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err));
    g_autoptr(GByteArray) b = read_file(dev, 2, NULL);
    g_assert_cmpint(b->len, ==, 100);
    /* a gap (deleted file) is skipped by seek_file */
    g_assert_true(device_recycle_file(dev, 1, &err));
    dumpfile_t *hdr = device_seek_file(dev, 1, &err);
    g_assert_cmpint(dev->file, ==, 2);
    g_assert_cmpstr(hdr->disk, ==, "/two");
    device_header_free(hdr);
    g_assert_true(device_finish(dev, &err));
    /* WRITE on a used volume starts afresh; erase removes everything */
    label_volume(dev, "APP-2");
    g_assert_true(device_finish(dev, &err));
    g_auto(GStrv) names = tu_list_dir(fx->dir);
    const char *want[] = { "00000.APP-2", NULL };
    g_assert_cmpstrv(names, want);
    g_assert_true(device_erase(dev, &err));
    g_auto(GStrv) none = tu_list_dir(fx->dir);
    g_assert_cmpint(g_strv_length(none), ==, 0);
    g_assert_cmpint(device_read_label(dev), ==, DEVICE_STATUS_VOLUME_UNLABELED);
}

static void
test_label_errors(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    /* missing directory */
    g_autofree char *missing = g_strdup_printf("%s/nope", fx->devname);
    g_autoptr(Device) dm = device_open(missing, &err);
    g_assert_cmpint(device_read_label(dm), ==,
                    DEVICE_STATUS_DEVICE_ERROR | DEVICE_STATUS_VOLUME_MISSING);
    g_assert_nonnull(strstr(dm->errmsg, missing));
    g_assert_nonnull(strstr(dm->errmsg, "No such file"));
    g_assert_false(device_start(dm, DEVICE_MODE_WRITE, "X-1", TS, &err));
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_VOLUME);
    g_clear_error(&err);
    /* empty: unlabeled */
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    g_assert_cmpint(device_read_label(dev), ==, DEVICE_STATUS_VOLUME_UNLABELED);
    g_assert_true(g_str_has_prefix(dev->errmsg, fx->devname));
    g_assert_nonnull(strstr(dev->errmsg, "unlabeled"));
    g_assert_false(device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err));
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_VOLUME);
    g_clear_error(&err);
    /* something that is not an AMANDA volume */
    g_autofree char *junk = g_build_filename(fx->dir, "00000.junk", NULL);
    g_autofree char *text = g_strnfill(40000, 'x');
    g_file_set_contents(junk, text, -1, NULL);
    g_assert_cmpint(device_read_label(dev), ==,
                    DEVICE_STATUS_VOLUME_ERROR | DEVICE_STATUS_VOLUME_UNLABELED);
    g_assert_nonnull(strstr(dev->errmsg, "00000.junk"));
    /* a short label file */
    g_file_set_contents(junk, "AMANDA: TAPESTART DATE X TAPE junk\n", -1, NULL);
    g_assert_true(device_read_label(dev) & DEVICE_STATUS_VOLUME_ERROR);
    g_assert_nonnull(strstr(dev->errmsg, "truncated"));
    /* a dump header where the label should be */
    dumpfile_t hdr;
    make_header(&hdr, "h", "/d", 0);
    g_autofree char *block = fileheader_build(&hdr, 32768, &err);
    fileheader_clear(&hdr);
    g_file_set_contents(junk, block, 32768, NULL);
    g_assert_cmpint(device_read_label(dev), ==,
                    DEVICE_STATUS_VOLUME_ERROR | DEVICE_STATUS_VOLUME_UNLABELED);
    g_assert_nonnull(strstr(dev->errmsg, "not an AMANDA volume label"));
    /* bad labels are refused before anything is touched */
    g_assert_false(device_start(dev, DEVICE_MODE_WRITE, "has blank", TS, &err));
    g_clear_error(&err);
    g_assert_false(device_start(dev, DEVICE_MODE_WRITE, "OK-1", "2026", &err));
    g_clear_error(&err);
    g_assert_true(g_file_test(junk, G_FILE_TEST_EXISTS));
}

static void
test_properties(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    g_autofree char *bs = device_property_get(dev, "BLOCK_SIZE");
    g_assert_cmpstr(bs, ==, "32768");
    const struct { const char *in; guint64 out; } sizes[] = {
        { "1048576000", 1048576000 }, { "100m", 100ULL << 20 }, { "8 GB", 8ULL << 30 },
        { "8192 mbytes", 8192ULL << 20 }, { "1k", 1024 }, { "2t", 2ULL << 40 },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_assert_true(device_property_set(dev, "max-volume-usage", sizes[i].in, &err));
        g_assert_cmpuint(dev->max_volume_usage, ==, sizes[i].out);
    }
    const char *bad[] = { "", "-1", "12q", "99999999999999999999", "1 zb" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(device_property_set(dev, "MAX_VOLUME_USAGE", bad[i], &err));
        g_assert_error(err, DEVICE_ERR, DEVICE_ERR_PROPERTY);
        g_clear_error(&err);
    }
    g_assert_true(device_property_set(dev, "BLOCK_SIZE", "256k", &err));
    g_assert_cmpuint(dev->block_size, ==, 262144);
    g_assert_false(device_property_set(dev, "BLOCK_SIZE", "1000", &err));
    g_clear_error(&err);
    g_assert_true(device_property_set(dev, "VERBOSE", "no", &err));
    g_assert_true(device_property_set(dev, "STREAMING", "desired", &err));
    g_assert_true(device_property_set(dev, "COMMENT", "rack 3", &err));
    g_assert_false(device_property_set(dev, "LEOM", "maybe", &err));
    g_clear_error(&err);
    g_assert_false(device_property_set(dev, "APPENDABLE", "no", &err));
    g_assert_nonnull(strstr(err->message, "read-only"));
    g_clear_error(&err);
    g_assert_false(device_property_set(dev, "S3_HOST", "x", &err));
    g_assert_nonnull(strstr(err->message, "unknown property"));
    g_clear_error(&err);
    for (const char *const *n = device_property_names(); *n; n++) {
        g_autofree char *v = device_property_get(dev, *n);
        g_assert_nonnull(v);
    }
    g_autofree char *app = device_property_get(dev, "appendable");
    g_assert_cmpstr(app, ==, "yes");
    g_autofree char *cn = device_property_get(dev, "CANONICAL_NAME");
    g_assert_cmpstr(cn, ==, fx->devname);
}

static void
test_big_blocks(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    g_assert_true(device_property_set(dev, "BLOCK_SIZE", "2m", &err));
    label_volume(dev, "BIG-1");
    gsize len = 7 * 1024 * 1024 + 3;
    g_autofree char *data = tu_pattern(len, 7);
    g_assert_true(write_file(dev, "h", "/d", data, len, 2 * 1024 * 1024, &err));
    g_assert_false(device_write_block(dev, data, 10, &err));   /* no file open */
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_STATE);
    g_clear_error(&err);
    g_assert_true(device_finish(dev, &err));
    g_assert_true(device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err));
    g_autoptr(GByteArray) b = read_file(dev, 1, NULL);
    g_assert_cmpint(b->len, ==, len);
    g_assert_true(memcmp(b->data, data, len) == 0);
}

static void
test_dd_tar(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autofree char *tar = g_find_program_in_path("tar");
    if (!tar) {
        g_test_skip("no tar");
        return;
    }
    g_autoptr(GError) err = NULL;
    g_autofree char *src = g_build_filename(fx->dir, "src", NULL);
    g_autofree char *vt = g_build_filename(fx->dir, "vt", NULL);
    g_mkdir(src, 0700);
    g_mkdir(vt, 0700);
    for (int i = 0; i < 3; i++) {
        g_autofree char *f = g_strdup_printf("%s/file%d", src, i);
        g_autofree char *d = tu_pattern(50000 * (i + 1), i);
        g_file_set_contents(f, d, 50000 * (i + 1), NULL);
    }
    g_autofree char *tarfile = g_build_filename(fx->dir, "img.tar", NULL);
    const char *argv1[] = { "tar", "-cf", tarfile, "-C", src, "file0", "file1", "file2", NULL };
    gint status;
    g_assert_true(g_spawn_sync(NULL, (char **)argv1, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               NULL, NULL, &status, &err));
    g_autofree char *img = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(tarfile, &img, &len, &err));
    g_autofree char *devname = g_strdup_printf("file:%s", vt);
    g_autoptr(Device) dev = device_open(devname, &err);
    label_volume(dev, "TAR-1");
    g_assert_true(write_file(dev, "h", "/src", img, len, 32768, &err));
    g_assert_true(device_finish(dev, &err));
    g_autofree char *cmd = g_strdup_printf("dd if='%s/00001.h._src.0' bs=32k skip=1 "
                                           "2>/dev/null | tar -tf -", vt);
    const char *argv2[] = { "/bin/sh", "-c", cmd, NULL };
    g_autofree char *out = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv2, NULL, 0, NULL, NULL, &out, NULL,
                               &status, &err));
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(out, ==, "file0\nfile1\nfile2\n");
}

/* A failing write (here EFBIG from RLIMIT_FSIZE) is reported, naming the file. */
static void
test_write_error(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    label_volume(dev, "ERR-1");
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 300 * 1024;
    void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
    g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
    g_autofree char *d = tu_pattern(2 * 1024 * 1024, 9);
    gboolean ok = write_file(dev, "h", "/d", d, 2 * 1024 * 1024, 32768, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, oldsig);
    g_assert_false(ok);
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_IO);
    g_assert_nonnull(strstr(err->message, "00001.h._d.0"));
    g_assert_true(device_finish(dev, NULL));
}

static void
test_other_types(void)
{
    g_autoptr(GError) err = NULL;
    g_assert_null(device_open("s3:bucket/prefix", &err));
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_NOT_IMPLEMENTED);
    g_assert_nonnull(strstr(err->message, "not implemented yet"));
    g_clear_error(&err);
    g_assert_null(device_open("tape:/dev/nst0", &err));
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_NOT_IMPLEMENTED);
    g_clear_error(&err);
    g_assert_null(device_open("/no/type", &err));
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_NAME);
    g_clear_error(&err);
    g_assert_null(device_open("bogus:x", &err));
    g_clear_error(&err);
    g_assert_null(device_open("file:relative/dir", &err));
    g_clear_error(&err);
    /* null: takes everything, reads nothing */
    g_autoptr(Device) dev = device_open("null:", &err);
    g_assert_no_error(err);
    g_assert_cmpint(device_read_label(dev), ==, DEVICE_STATUS_VOLUME_UNLABELED);
    g_assert_true(device_start(dev, DEVICE_MODE_WRITE, "NULL-1", NULL, &err));
    g_autofree char *d = tu_pattern(100000, 8);
    g_assert_true(write_file(dev, "h", "/d", d, 100000, 32768, &err));
    g_assert_no_error(err);
    g_assert_true(device_finish(dev, &err));
    g_assert_false(device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err));
    g_clear_error(&err);
    g_assert_false(device_erase(dev, &err));
}

/* device_skip_bytes: the bytes after a skip are the file's at that
 * offset, a skip past the end stops there, and only in READ mode. */
static void
test_skip_bytes(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(fx->devname, &err);
    g_assert_no_error(err);
    label_volume(dev, "TEST-001");
    g_autofree char *big = tu_pattern(BIG, 7);
    g_assert_true(write_file(dev, "host1", "/a", big, BIG, 32768, &err));
    guint64 skipped = 1;
    g_assert_false(device_skip_bytes(dev, 10, &skipped, &err));
    g_assert_error(err, DEVICE_ERR, DEVICE_ERR_STATE);
    g_clear_error(&err);
    g_assert_true(device_finish(dev, &err));
    g_assert_cmpint(device_read_label(dev), ==, DEVICE_STATUS_SUCCESS);
    g_assert_true(device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err));

    dumpfile_t *hdr = device_seek_file(dev, 1, &err);
    g_assert_no_error(err);
    device_header_free(hdr);
    char *buf = g_malloc(dev->block_size);
    gsize size = dev->block_size;
    g_assert_cmpint(device_read_block(dev, buf, &size, &err), ==, 32768);
    g_assert_true(device_skip_bytes(dev, 1000001, &skipped, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(skipped, ==, 1000001);
    size = dev->block_size;
    g_assert_cmpint(device_read_block(dev, buf, &size, &err), ==, 32768);
    g_assert_true(memcmp(buf, big + 32768 + 1000001, 32768) == 0);
    /* past the end: only what is left, then the end of the file */
    g_assert_true(device_skip_bytes(dev, G_MAXUINT64, &skipped, &err));
    g_assert_cmpuint(skipped, ==, BIG - 2 * 32768 - 1000001);
    size = dev->block_size;
    g_assert_cmpint(device_read_block(dev, buf, &size, &err), ==, 0);
    g_assert_no_error(err);
    g_free(buf);
    g_assert_true(device_finish(dev, &err));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define FX(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
    FX("/device/file/write-read", test_write_read);
    FX("/device/file/eom", test_eom);
    FX("/device/file/leom", test_leom);
    FX("/device/file/append-erase", test_append_erase);
    FX("/device/file/label-errors", test_label_errors);
    FX("/device/file/properties", test_properties);
    FX("/device/file/big-blocks", test_big_blocks);
    FX("/device/file/dd-tar", test_dd_tar);
    FX("/device/file/write-error", test_write_error);
    FX("/device/file/skip-bytes", test_skip_bytes);
    g_test_add_func("/device/other-types", test_other_types);
    return g_test_run();
}
