/* amrestore and amfetchdump on synthetic volumes written through the
 * Device API: single part, parts joined on one volume and across two,
 * gzip-compressed images, a truncated part, a damaged header, unknown
 * host/disk/date and a missing volume.  The programs are the ones just
 * built (run from the build directory, as `make check` does). */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "crc32c.h"
#include "device.h"
#include "fileheader.h"
#include "holding.h"

#define TS "20261125101010"
#define HOST "client.example"
#define DISK "/home/a b"
#define IMAGE_NAME "client.example._home_a b." TS ".0"

typedef struct {
    char *dir;       /* scratch dir of this test */
    GBytes *data;    /* the dump image */
} Fixture;

static GBytes *
make_data(gsize len, guint seed)
{
    guint8 *buf = g_malloc(len);
    GRand *r = g_rand_new_with_seed(seed);
    for (gsize i = 0; i < len; i++)
        buf[i] = (guint8)(g_rand_int(r) % 17 + 'a');  /* compressible text */
    g_rand_free(r);
    return g_bytes_new_take(buf, len);
}

static void
fixture_setup(Fixture *f, gconstpointer unused)
{
    (void)unused;
    f->dir = g_dir_make_tmp("test-restore-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    f->data = make_data(300 * 1024 + 123, 42);
}

static void
rm_rf(const char *path)
{
    const char *argv[] = { "rm", "-rf", path, NULL };
    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                 NULL);
}

static void
fixture_teardown(Fixture *f, gconstpointer unused)
{
    (void)unused;
    rm_rf(f->dir);
    g_free(f->dir);
    g_bytes_unref(f->data);
}

static void
init_header(dumpfile_t *h, int partnum, gboolean compressed, const fileheader_crc_t *crc)
{
    fileheader_init(h);
    h->type = FILEHEADER_SPLIT_DUMPFILE;
    h->datestamp = g_strdup(TS);
    h->host = g_strdup(HOST);
    h->disk = g_strdup(DISK);
    h->dumplevel = 0;
    h->program = g_strdup("APPLICATION");
    h->application = g_strdup("amgtar");
    h->partnum = partnum;
    h->totalparts = -1;
    h->compressed = compressed;
    if (compressed) {
        h->comp_suffix = g_strdup(".gz");
        h->uncompress_cmd = g_strdup("/bin/gzip -dc");
    }
    h->recover_cmd = g_strdup("/usr/lib/amanda/application/amgtar restore [./file-to-restore]+");
    h->blocksize = 32768;
    if (crc)
        h->server_crc = *crc;
}

/* A labelled vtape in DIR/slotN. */
static Device *
new_volume(const char *dir, int slot, const char *label)
{
    g_autofree char *slotdir = g_strdup_printf("%s/slot%d", dir, slot);
    g_assert_cmpint(g_mkdir_with_parents(slotdir, 0700), ==, 0);
    g_autofree char *name = g_strconcat("file:", slotdir, NULL);
    GError *err = NULL;
    Device *dev = device_open(name, &err);
    g_assert_no_error(err);
    g_assert_true(device_start(dev, DEVICE_MODE_WRITE, label, TS, &err));
    g_assert_no_error(err);
    return dev;
}

static void
write_file(Device *dev, const dumpfile_t *h, const guint8 *buf, gsize len)
{
    GError *err = NULL;
    g_assert_true(device_start_file(dev, h, &err));
    for (gsize off = 0; off < len; off += 32768) {
        gsize n = MIN(32768, len - off);
        g_assert_true(device_write_block(dev, buf + off, n, &err));
    }
    g_assert_true(device_finish_file(dev, &err));
    g_assert_no_error(err);
}

static guint32 header_crc(const guint8 *buf, gsize len);

/* Write BYTES as NPARTS parts on DEV (header of every part carrying
 * the whole dump's SERVER-CRC, as AMANDA does for dumps from holding). */
static void
write_parts(Device *dev, GBytes *bytes, int first, int nparts, gsize part_size,
            gboolean compressed, GBytes *whole)
{
    gsize len;
    const guint8 *buf = g_bytes_get_data(bytes, &len);
    gsize wlen;
    const guint8 *wbuf = g_bytes_get_data(whole, &wlen);
    fileheader_crc_t crc = { header_crc(wbuf, wlen), wlen };
    for (int k = first; k < first + nparts; k++) {
        gsize off = (gsize)(k - first) * part_size;
        gsize n = k == first + nparts - 1 ? len - off : part_size;
        dumpfile_t h;
        init_header(&h, k, compressed, &crc);
        write_file(dev, &h, buf + off, n);
        fileheader_clear(&h);
    }
}

/* When set, headers carry zlib's CRC-32 instead of AMANDA's CRC-32C. */
static gboolean ieee_crc;

static guint32
header_crc(const guint8 *buf, gsize len)
{
    return ieee_crc ? (guint32)crc32(0L, buf, (uInt)len) : crc32c(0, buf, len);
}

static void
finish_volume(Device *dev)
{
    g_assert_true(device_finish(dev, NULL));
    device_free(dev);
}

typedef struct {
    int status;
    char *err;
} Run;

static Run
run_prog(const char *cwd, const char *const *args)
{
    g_autofree char *builddir = g_get_current_dir();
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_build_filename(builddir, args[0], NULL));
    for (int i = 1; args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, NULL);
    Run r = { 0 };
    GError *err = NULL;
    gboolean ok = g_spawn_sync(cwd, (char **)argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, &r.err, &r.status, &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    g_test_message("%s: status %d\n%s", args[0], r.status, r.err);
    return r;
}

static gboolean
file_equals(const char *path, GBytes *want)
{
    g_autofree char *got = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &got, &len, NULL))
        return FALSE;
    gsize wlen;
    const void *w = g_bytes_get_data(want, &wlen);
    return len == wlen && memcmp(got, w, len) == 0;
}

static char *
out_dir(Fixture *f)
{
    char *d = g_build_filename(f->dir, "out", NULL);
    g_mkdir_with_parents(d, 0700);
    return d;
}

/* ---- amrestore ---- */

static void
test_single_part(Fixture *f, gconstpointer unused)
{
    (void)unused;
    Device *dev = new_volume(f->dir, 1, "T-001");
    write_parts(dev, f->data, 1, 1, 1 << 30, FALSE, f->data);
    finish_volume(dev);
    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);
    const char *args[] = { "amrestore", vol, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.err, "restoring split dumpfile: date " TS " host " HOST));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);

    /* -r: header block + bytes as on the volume, AMANDA's .RAW name */
    const char *raw[] = { "amrestore", "-r", vol, HOST, NULL };
    r = run_prog(out, raw);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *rawf = g_build_filename(out, IMAGE_NAME ".0000001.RAW", NULL);
    g_autofree char *rawbuf = NULL;
    gsize rawlen = 0;
    g_assert_true(g_file_get_contents(rawf, &rawbuf, &rawlen, NULL));
    g_assert_cmpuint(rawlen, ==, 32768 + g_bytes_get_size(f->data));
    g_assert_true(g_str_has_prefix(rawbuf, "AMANDA: SPLIT_FILE " TS " " HOST));
    g_free(r.err);
}

static void
test_multi_part(Fixture *f, gconstpointer unused)
{
    (void)unused;
    Device *dev = new_volume(f->dir, 1, "T-001");
    GBytes *other = make_data(1000, 7);
    dumpfile_t h;
    init_header(&h, 1, FALSE, NULL);
    g_free(h.host);
    h.host = g_strdup("otherhost");
    write_file(dev, &h, g_bytes_get_data(other, NULL), 1000);
    fileheader_clear(&h);
    write_parts(dev, f->data, 1, 3, 100 * 1024, FALSE, f->data);
    finish_volume(dev);
    g_bytes_unref(other);

    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);
    const char *args[] = { "amrestore", vol, "client", "home", NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.err, "1: skipping split dumpfile"));
    g_assert_nonnull(strstr(r.err, "part 3/UNKNOWN"));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);
}

static GBytes *
gzip_bytes(GBytes *in)
{
    gsize len;
    const guint8 *buf = g_bytes_get_data(in, &len);
    z_stream z = { 0 };
    g_assert_cmpint(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), ==,
                    Z_OK);
    gsize cap = deflateBound(&z, len);
    guint8 *out = g_malloc(cap);
    z.next_in = (Bytef *)buf;
    z.avail_in = len;
    z.next_out = out;
    z.avail_out = cap;
    g_assert_cmpint(deflate(&z, Z_FINISH), ==, Z_STREAM_END);
    gsize n = cap - z.avail_out;
    deflateEnd(&z);
    return g_bytes_new_take(out, n);
}

static void
test_compressed(Fixture *f, gconstpointer unused)
{
    (void)unused;
    g_autoptr(GBytes) gz = gzip_bytes(f->data);
    Device *dev = new_volume(f->dir, 1, "T-001");
    gsize part = g_bytes_get_size(gz) / 2 + 1;
    write_parts(dev, gz, 1, 2, part, TRUE, gz);
    finish_volume(dev);
    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);

    const char *args[] = { "amrestore", vol, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);

    /* -p -c: a compressed image goes out as it is on the volume */
    g_autofree char *builddir = g_get_current_dir();
    g_autofree char *prog = g_build_filename(builddir, "amrestore", NULL);
    const char *argv[] = { prog, "-p", "-c", vol, NULL };
    g_autofree char *path = g_build_filename(out, "piped.gz", NULL);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    g_assert_cmpint(fd, >=, 0);
    GPid pid;
    g_assert_true(g_spawn_async_with_pipes_and_fds(out, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                                   G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, -1,
                                                   fd, -1, NULL, NULL, 0, &pid, NULL, NULL,
                                                   NULL, NULL));
    close(fd);
    int st;
    g_assert_cmpint(waitpid(pid, &st, 0), ==, pid);
    g_spawn_close_pid(pid);
    g_assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    g_assert_true(file_equals(path, gz));
}

static void
test_truncated_part(Fixture *f, gconstpointer unused)
{
    (void)unused;
    Device *dev = new_volume(f->dir, 1, "T-001");
    /* part 2 lost its last 1000 bytes; the CRC line describes the full dump */
    gsize len = g_bytes_get_size(f->data);
    g_autoptr(GBytes) shorter = g_bytes_new_from_bytes(f->data, 0, len - 1000);
    gsize part = 200 * 1024;
    fileheader_crc_t crc = { crc32c(0, g_bytes_get_data(f->data, NULL), len), len };
    dumpfile_t h;
    init_header(&h, 1, FALSE, &crc);
    write_file(dev, &h, g_bytes_get_data(shorter, NULL), part);
    fileheader_clear(&h);
    init_header(&h, 2, FALSE, &crc);
    write_file(dev, &h, (const guint8 *)g_bytes_get_data(shorter, NULL) + part,
               len - 1000 - part);
    fileheader_clear(&h);
    finish_volume(dev);

    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);
    const char *args[] = { "amrestore", vol, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, !=, 0);
    g_assert_nonnull(strstr(r.err, "missing or truncated"));
    g_assert_nonnull(strstr(r.err, ".partial"));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_autofree char *partial = g_strconcat(img, ".partial", NULL);
    g_assert_false(g_file_test(img, G_FILE_TEST_EXISTS));
    g_assert_true(g_file_test(partial, G_FILE_TEST_EXISTS));
    g_free(r.err);
}

/* A byte changed inside part 2: same size, so only the CRC can tell. */
static void
test_corrupted_part(Fixture *f, gconstpointer unused)
{
    (void)unused;
    Device *dev = new_volume(f->dir, 1, "T-001");
    write_parts(dev, f->data, 1, 2, 200 * 1024, FALSE, f->data);
    finish_volume(dev);
    g_autofree char *slot = g_strdup_printf("%s/slot1", f->dir);
    GDir *d = g_dir_open(slot, 0, NULL);
    const char *name;
    g_autofree char *victim = NULL;
    while ((name = g_dir_read_name(d)))
        if (g_str_has_prefix(name, "00002."))
            victim = g_build_filename(slot, name, NULL);
    g_dir_close(d);
    int fd = open(victim, O_WRONLY);
    g_assert_cmpint(pwrite(fd, "#", 1, 32768 + 4321), ==, 1);
    close(fd);
    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);
    const char *args[] = { "amrestore", vol, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, !=, 0);
    g_assert_nonnull(strstr(r.err, "the image is corrupted"));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_false(g_file_test(img, G_FILE_TEST_EXISTS));
    g_free(r.err);
}

/* Headers with zlib's CRC-32 (early amanda-ng dumpers) still verify. */
static void
test_ieee_crc(Fixture *f, gconstpointer unused)
{
    (void)unused;
    ieee_crc = TRUE;
    Device *dev = new_volume(f->dir, 1, "T-001");
    write_parts(dev, f->data, 1, 2, 200 * 1024, FALSE, f->data);
    write_parts(dev, f->data, 1, 1, 1 << 30, FALSE, f->data);
    finish_volume(dev);
    ieee_crc = FALSE;
    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);
    const char *args[] = { "amrestore", vol, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, ==, 0);
    /* both dumps (same name: the second overwrote the first) restored */
    g_assert_nonnull(strstr(r.err, "3: restoring"));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);
}

static void
test_bad_header(Fixture *f, gconstpointer unused)
{
    (void)unused;
    Device *dev = new_volume(f->dir, 1, "T-001");
    write_parts(dev, f->data, 1, 1, 1 << 30, FALSE, f->data);
    finish_volume(dev);
    /* overwrite the dump file's header with bytes that are no header */
    g_autofree char *slot = g_strdup_printf("%s/slot1", f->dir);
    GDir *d = g_dir_open(slot, 0, NULL);
    const char *name;
    g_autofree char *victim = NULL;
    while ((name = g_dir_read_name(d)))
        if (g_str_has_prefix(name, "00001."))
            victim = g_build_filename(slot, name, NULL);
    g_dir_close(d);
    g_assert_nonnull(victim);
    int fd = open(victim, O_WRONLY);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, "GARBAGE: not a header\n", 22, 0), ==, 22);
    close(fd);

    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);
    const char *args[] = { "amrestore", vol, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, !=, 0);
    g_assert_nonnull(strstr(r.err, "1: skipping"));
    g_assert_nonnull(strstr(r.err, "no dump on volume 'T-001'"));
    g_free(r.err);
}

static void
test_no_match_and_no_volume(Fixture *f, gconstpointer unused)
{
    (void)unused;
    Device *dev = new_volume(f->dir, 1, "T-001");
    write_parts(dev, f->data, 1, 1, 1 << 30, FALSE, f->data);
    finish_volume(dev);
    g_autofree char *out = out_dir(f);
    g_autofree char *vol = g_strdup_printf("file:%s/slot1", f->dir);
    const char *cases[][6] = {
        { "amrestore", vol, "nosuchhost", NULL },
        { "amrestore", vol, HOST, "/nosuchdisk", NULL },
        { "amrestore", vol, HOST, DISK, "1999", NULL },
        { "amrestore", "-l", "T-002", vol, NULL },
    };
    const char *want[] = { "no dump on volume 'T-001'", "no dump on volume 'T-001'",
                           "no dump on volume 'T-001'", "not the volume 'T-002'" };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        Run r = run_prog(out, cases[i]);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_nonnull(strstr(r.err, want[i]));
        g_free(r.err);
    }
    g_autofree char *missing = g_strdup_printf("file:%s/slot9", f->dir);
    const char *args[] = { "amrestore", missing, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, !=, 0);
    g_assert_nonnull(strstr(r.err, "slot9"));
    g_free(r.err);
}

/* ---- amfetchdump with a hand-made catalogue ---- */

static void
write_config(Fixture *f)
{
    g_autofree char *confdir = g_build_filename(f->dir, "etc", "T", NULL);
    g_mkdir_with_parents(confdir, 0700);
    g_autofree char *conf = g_strdup_printf(
        "org \"T\"\n"
        "logdir \"%s/state\"\n"
        "tapelist \"%s/state/tapelist\"\n"
        "infofile \"%s/state/curinfo\"\n"
        "indexdir \"%s/state/index\"\n"
        "define changer vt {\n  tpchanger \"chg-disk:%s/vt\"\n  property \"num-slot\" \"2\"\n}\n"
        "tpchanger \"vt\"\n",
        f->dir, f->dir, f->dir, f->dir, f->dir);
    g_autofree char *path = g_build_filename(confdir, "amanda.conf", NULL);
    g_assert_true(g_file_set_contents(path, conf, -1, NULL));
    g_autofree char *dl = g_build_filename(confdir, "disklist", NULL);
    g_assert_true(g_file_set_contents(dl, "", -1, NULL));
    g_autofree char *state = g_build_filename(f->dir, "state", NULL);
    g_mkdir_with_parents(state, 0700);
    g_autofree char *tl = g_build_filename(state, "tapelist", NULL);
    g_assert_true(g_file_set_contents(
        tl, TS " T-002 reuse BLOCKSIZE:32 POOL:T STORAGE:T CONFIG:T\n"
            TS " T-001 reuse BLOCKSIZE:32 POOL:T STORAGE:T CONFIG:T\n", -1, NULL));
    g_autofree char *etc = g_build_filename(f->dir, "etc", NULL);
    g_setenv("AMANDA_CONFIG_DIR", etc, TRUE);
}

/* Three parts: 1 and 2 on T-001 (files 1, 2), 3 on T-002 (file 1). */
static void
write_spanning_dump(Fixture *f, gsize part_size)
{
    write_config(f);
    gsize len = g_bytes_get_size(f->data);
    g_autofree char *vt = g_build_filename(f->dir, "vt", NULL);
    Device *dev = new_volume(vt, 1, "T-001");
    g_autoptr(GBytes) first = g_bytes_new_from_bytes(f->data, 0, 2 * part_size);
    write_parts(dev, first, 1, 2, part_size, FALSE, f->data);
    finish_volume(dev);
    dev = new_volume(vt, 2, "T-002");
    g_autoptr(GBytes) last = g_bytes_new_from_bytes(f->data, 2 * part_size, len - 2 * part_size);
    write_parts(dev, last, 3, 1, part_size, FALSE, f->data);
    finish_volume(dev);

    GString *log = g_string_new(NULL);
    g_string_append(log, "START planner date " TS "\n");
    g_string_append(log, "START taper datestamp " TS " \"ST:T\" \"POOL:T\" label T-001 tape 1\n");
    gsize sizes[3] = { part_size, part_size, len - 2 * part_size };
    const char *labels[3] = { "T-001", "T-001", "T-002" };
    int files[3] = { 1, 2, 1 };
    for (int k = 0; k < 3; k++) {
        if (k == 2)
            g_string_append(log, "START taper datestamp " TS
                            " \"ST:T\" \"POOL:T\" label T-002 tape 2\n");
        g_string_append_printf(log, "PART taper \"ST:T\" \"POOL:T\" %s %d " HOST " \"" DISK "\" "
                               TS " %d/-1 0 [sec 0.1 bytes %" G_GSIZE_FORMAT
                               " kps 100.0 orig-kb 300]\n",
                               labels[k], files[k], k + 1, sizes[k]);
    }
    g_string_append_printf(log, "DONE taper \"ST:T\" \"POOL:T\" " HOST " \"" DISK "\" " TS
                           " 3 0 [sec 0.3 bytes %" G_GSIZE_FORMAT " kps 100.0 orig-kb 300]\n",
                           len);
    g_string_append(log, "FINISH driver date " TS " time 1.0\n");
    g_autofree char *logpath = g_build_filename(f->dir, "state", "log." TS ".0", NULL);
    g_assert_true(g_file_set_contents(logpath, log->str, -1, NULL));
    g_string_free(log, TRUE);
}

static void
test_fetch_spanning(Fixture *f, gconstpointer unused)
{
    (void)unused;
    write_spanning_dump(f, 100 * 1024);
    g_autofree char *out = out_dir(f);
    const char *args[] = { "amfetchdump", "-O", out, "T", "client", NULL };
    Run r = run_prog(f->dir, args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.err, "2 volume(s) needed for restoration"));
    g_assert_nonnull(strstr(r.err, "Reading label 'T-002' filenum 1"));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);

    /* -n: every part on its own, as on the volumes; --header-file */
    g_autofree char *nout = g_build_filename(f->dir, "n", NULL);
    g_mkdir_with_parents(nout, 0700);
    g_autofree char *hfile = g_build_filename(f->dir, "hdr", NULL);
    const char *nargs[] = { "amfetchdump", "-n", "--header-file", hfile, "-O", nout, "T", HOST,
                            NULL };
    r = run_prog(f->dir, nargs);
    g_assert_cmpint(r.status, ==, 0);
    g_free(r.err);
    GString *joined = g_string_new(NULL);
    for (int k = 1; k <= 3; k++) {
        g_autofree char *name = g_strdup_printf("%s/" IMAGE_NAME ".%07d", nout, k);
        g_autofree char *part = NULL;
        gsize plen = 0;
        g_assert_true(g_file_get_contents(name, &part, &plen, NULL));
        g_string_append_len(joined, part, (gssize)plen);
    }
    g_assert_cmpuint(joined->len, ==, g_bytes_get_size(f->data));
    g_assert_true(memcmp(joined->str, g_bytes_get_data(f->data, NULL), joined->len) == 0);
    g_string_free(joined, TRUE);
    g_autofree char *htext = NULL;
    gsize hlen = 0;
    g_assert_true(g_file_get_contents(hfile, &htext, &hlen, NULL));
    g_assert_cmpuint(hlen, ==, 32768);
    g_assert_true(g_str_has_prefix(htext, "AMANDA: SPLIT_FILE " TS " " HOST));

    /* unknown host, disk, date: named, nonzero */
    const char *bad[][8] = {
        { "amfetchdump", "-O", out, "T", "nosuchhost", NULL },
        { "amfetchdump", "-O", out, "T", HOST, "/nosuchdisk", NULL },
        { "amfetchdump", "-O", out, "T", HOST, DISK, "1999", NULL },
        { "amfetchdump", "-O", out, "NoSuchConfig", HOST, NULL },
    };
    const char *want[] = { "no complete dump", "no complete dump", "no complete dump",
                           "NoSuchConfig" };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        r = run_prog(f->dir, bad[i]);
        g_assert_cmpint(r.status, !=, 0);
        g_assert_nonnull(strstr(r.err, want[i]));
        g_free(r.err);
    }
}

static void
test_fetch_ieee_crc(Fixture *f, gconstpointer unused)
{
    (void)unused;
    ieee_crc = TRUE;
    write_spanning_dump(f, 100 * 1024);
    ieee_crc = FALSE;
    g_autofree char *out = out_dir(f);
    const char *args[] = { "amfetchdump", "-O", out, "T", HOST, NULL };
    Run r = run_prog(f->dir, args);
    g_assert_cmpint(r.status, ==, 0);
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);
}

static void
test_fetch_missing_volume(Fixture *f, gconstpointer unused)
{
    (void)unused;
    write_spanning_dump(f, 100 * 1024);
    g_autofree char *slot2 = g_build_filename(f->dir, "vt", "slot2", NULL);
    rm_rf(slot2);
    g_autofree char *out = out_dir(f);
    const char *args[] = { "amfetchdump", "-O", out, "T", HOST, NULL };
    Run r = run_prog(f->dir, args);
    g_assert_cmpint(r.status, !=, 0);
    g_assert_nonnull(strstr(r.err, "volume 'T-002' is needed"));
    g_assert_nonnull(strstr(r.err, "incomplete image is left in"));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_false(g_file_test(img, G_FILE_TEST_EXISTS));
    g_free(r.err);
}

static void
test_fetch_truncated_part(Fixture *f, gconstpointer unused)
{
    (void)unused;
    write_spanning_dump(f, 100 * 1024);
    /* cut part 2 (T-001 file 2) short */
    g_autofree char *slot1 = g_build_filename(f->dir, "vt", "slot1", NULL);
    GDir *d = g_dir_open(slot1, 0, NULL);
    const char *name;
    g_autofree char *victim = NULL;
    while ((name = g_dir_read_name(d)))
        if (g_str_has_prefix(name, "00002."))
            victim = g_build_filename(slot1, name, NULL);
    g_dir_close(d);
    g_assert_nonnull(victim);
    g_assert_cmpint(truncate(victim, 32768 + 5000), ==, 0);
    g_autofree char *out = out_dir(f);
    const char *args[] = { "amfetchdump", "-O", out, "T", HOST, NULL };
    Run r = run_prog(f->dir, args);
    g_assert_cmpint(r.status, !=, 0);
    g_assert_nonnull(strstr(r.err, "volume 'T-001' file 2 (part 2 of 3)"));
    g_assert_nonnull(strstr(r.err, "truncated"));
    g_free(r.err);
}

/* A dump still on the holding disk, in three chunks. */
static char *
write_holding_image(Fixture *f)
{
    g_autofree char *hd = g_build_filename(f->dir, "hold", NULL);
    char *path = holding_file_name(hd, TS, HOST, DISK, 0);
    dumpfile_t h;
    init_header(&h, 1, FALSE, NULL);
    h.type = FILEHEADER_DUMPFILE;
    gsize len;
    const guint8 *buf = g_bytes_get_data(f->data, &len);
    h.server_crc.crc = crc32c(0, buf, len);
    h.server_crc.size = len;
    GError *err = NULL;
    holding_writer_t *w = holding_writer_open(path, &h, 32768 + 128 * 1024, &err);
    g_assert_no_error(err);
    g_assert_true(holding_writer_write(w, buf, len, NULL, &err));
    g_assert_true(holding_writer_finish(w, FALSE, &err));
    g_assert_no_error(err);
    fileheader_clear(&h);
    g_autofree char *chunk2 = g_strconcat(path, ".2", NULL);
    g_assert_true(g_file_test(chunk2, G_FILE_TEST_EXISTS));
    return path;
}

static void
test_holding(Fixture *f, gconstpointer unused)
{
    (void)unused;
    g_autofree char *path = write_holding_image(f);
    g_autofree char *out = out_dir(f);
    const char *args[] = { "amrestore", path, NULL };
    Run r = run_prog(out, args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.err, "restoring from holding file"));
    g_autofree char *img = g_build_filename(out, IMAGE_NAME, NULL);
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);
    g_assert_cmpint(g_unlink(img), ==, 0);

    /* amfetchdump finds it through the config's holding disk */
    write_config(f);
    g_autofree char *conf = g_build_filename(f->dir, "etc", "T", "amanda.conf", NULL);
    g_autofree char *extra = g_strdup_printf("holdingdisk hd {\n  directory \"%s/hold\"\n}\n",
                                             f->dir);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(conf, &text, NULL, NULL));
    g_autofree char *all = g_strconcat(text, extra, NULL);
    g_assert_true(g_file_set_contents(conf, all, -1, NULL));
    const char *fetch[] = { "amfetchdump", "-O", out, "T", HOST, NULL };
    r = run_prog(f->dir, fetch);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.err, "Reading from holding file"));
    g_assert_true(file_equals(img, f->data));
    g_free(r.err);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
    ADD("/amrestore/single-part", test_single_part);
    ADD("/amrestore/multi-part", test_multi_part);
    ADD("/amrestore/compressed", test_compressed);
    ADD("/amrestore/truncated-part", test_truncated_part);
    ADD("/amrestore/bad-header", test_bad_header);
    ADD("/amrestore/corrupted-part", test_corrupted_part);
    ADD("/amrestore/ieee-crc", test_ieee_crc);
    ADD("/amrestore/no-match-no-volume", test_no_match_and_no_volume);
    ADD("/amrestore/holding", test_holding);
    ADD("/amfetchdump/spanning", test_fetch_spanning);
    ADD("/amfetchdump/ieee-crc", test_fetch_ieee_crc);
    ADD("/amfetchdump/missing-volume", test_fetch_missing_volume);
    ADD("/amfetchdump/truncated-part", test_fetch_truncated_part);
    return g_test_run();
}
