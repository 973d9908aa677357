/* amrestore: restore dump images straight from a volume, without the
 * catalogue.  Every file of the volume is read in order; the dumps that
 * match the HOST DISK DATE specifications are written to
 * HOST.DISK.DATE.LEVEL files (or to standard output with -p),
 * decompressed unless -c/-C/-r say otherwise.  Consecutive parts of a
 * split dump are joined into one image. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "amutil.h"
#include "debug.h"
#include "dumpspec.h"
#include "imagesink.h"
#include "volread.h"

typedef struct {
    gboolean raw, keep_header, to_stdout, exact, holding;
    int compress_level;
    gsize blocksize;
    int first_file;
    const char *label;
    const char *device;
    GPtrArray *specs;
} Options;

typedef struct {
    const Options *o;
    Device *dev;
    int matched;
    gboolean failed;
    gboolean stop;
} Run;

static void
usage(void)
{
    fprintf(stderr,
            "Usage: amrestore [-r|-c|-C] [-b BLOCKSIZE] [-f FILENUM] [-l LABEL] [-p] [-h]\n"
            "                 [--exact-match] {DEVICE | [--holding] FILE} [HOST [DISK [DATE [HOST [DISK [DATE ...]]]]]]\n");
    exit(2);
}

static gsize
parse_blocksize(const char *text)
{
    guint64 n = 0;
    if (!device_parse_size(text, &n) || n == 0) {
        fprintf(stderr, "amrestore: -b %s: not a block size (bytes, or with a k/m suffix)\n",
                text);
        exit(2);
    }
    /* AMANDA's -b takes bytes; small numbers are surely KiB */
    return n < 1024 ? (gsize)n * 1024 : (gsize)n;
}

static void
parse_args(int argc, char **argv, Options *o)
{
    static const struct option longopts[] = {
        { "exact-match", no_argument, NULL, 'E' },
        { "config", required_argument, NULL, 'X' },
        { "holding", no_argument, NULL, 'H' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->first_file = 1;
    int c;
    while ((c = getopt_long(argc, argv, "rcChpb:f:l:o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': o->raw = TRUE; break;
        case 'c': o->compress_level = 1; break;
        case 'C': o->compress_level = 9; break;
        case 'h': o->keep_header = TRUE; break;
        case 'p': o->to_stdout = TRUE; break;
        case 'b': o->blocksize = parse_blocksize(optarg); break;
        case 'f': o->first_file = atoi(optarg); break;
        case 'l': o->label = optarg; break;
        case 'E': o->exact = TRUE; break;
        case 'H': o->holding = TRUE; break;
        case 'o': case 'X': break;   /* accepted for AMANDA compatibility; no config is read */
        default: usage();
        }
    }
    if (optind >= argc)
        usage();
    if (o->first_file < 1)
        o->first_file = 1;
    o->device = argv[optind];
    o->specs = dumpspec_from_args(argc - optind - 1, argv + optind + 1, 3, o->exact);
}

/* Open the output for NAME: standard output with -p, else NAME.partial
 * (renamed when the image is complete). */
static int
open_output(const Options *o, const char *name, GError **error)
{
    if (o->to_stdout)
        return STDOUT_FILENO;
    g_autofree char *tmp = g_strconcat(name, ".partial", NULL);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s",
                    tmp, g_strerror(errno));
    return fd;
}

static gboolean
close_output(const Options *o, int fd, const char *name, gboolean ok)
{
    if (o->to_stdout)
        return ok;
    g_autofree char *tmp = g_strconcat(name, ".partial", NULL);
    if (close(fd) < 0 && ok) {
        fprintf(stderr, "amrestore: writing %s: %s\n", tmp, g_strerror(errno));
        ok = FALSE;
    }
    if (ok && rename(tmp, name) < 0) {
        fprintf(stderr, "amrestore: cannot rename %s to %s: %s\n", tmp, name, g_strerror(errno));
        ok = FALSE;
    }
    if (!ok)
        fprintf(stderr, "amrestore: the incomplete image is left in %s\n", tmp);
    return ok;
}

static void
say_restoring(Device *dev, const dumpfile_t *hdr)
{
    g_autofree char *what = volread_describe(hdr);
    fprintf(stderr, "amrestore: %d: restoring %s\n", dev->file, what);
}

static ImageSinkOptions
sink_options(const Options *o, const dumpfile_t *first)
{
    ImageSinkOptions so = { 0 };
    so.raw = o->raw;
    so.write_header = o->raw || o->keep_header;
    so.decompress = so.decrypt = !o->raw;
    so.compress_level = o->raw ? 0 : o->compress_level;
    so.hint_blocksize = first->blocksize;
    return so;
}

/* Copy FIRST and the parts that follow it on the volume into SINK.
 * Returns the header of the file after the run (TAPEEND past the last),
 * or NULL after a device error; *LAST gets a copy of the last part's header. */
static dumpfile_t *
copy_run(Run *r, const dumpfile_t *first, ImageSink *sink, dumpfile_t *last, GError **error)
{
    fileheader_copy(last, first);
    if (!volread_copy_file(r->dev, sink, NULL, error))
        return NULL;
    for (;;) {
        dumpfile_t *next = device_seek_file(r->dev, r->dev->file + 1, error);
        if (!next || r->o->raw || !volread_is_next_part(last, next))
            return next;
        say_restoring(r->dev, next);
        fileheader_clear(last);
        fileheader_copy(last, next);
        device_header_free(next);
        if (!volread_copy_file(r->dev, sink, NULL, error))
            return NULL;
    }
}

static char *
output_name(const Options *o, const dumpfile_t *first)
{
    g_autofree char *base =
        volread_image_name(first->host, first->disk, first->datestamp, first->dumplevel);
    if (o->raw)
        return first->type == FILEHEADER_SPLIT_DUMPFILE
                   ? g_strdup_printf("%s.%07d.RAW", base, first->partnum)
                   : g_strconcat(base, ".RAW", NULL);
    /* a run that does not start with part 1 is only a piece of the dump */
    if (first->type == FILEHEADER_SPLIT_DUMPFILE && first->partnum > 1)
        return g_strdup_printf("%s.%07d", base, first->partnum);
    return g_steal_pointer(&base);
}

/* The SERVER-CRC is not the CRC-32C of files FIRST_FILE..LAST_FILE:
 * accept it if it is their zlib CRC-32 (early amanda-ng dumpers wrote
 * that).  Moves the device; the caller seeks again. */
static gboolean
recheck_ieee(Run *r, int first_file, int last_file, guint32 want)
{
    guint32 crc = (guint32)crc32(0L, Z_NULL, 0);
    for (int n = first_file; n <= last_file; n++) {
        dumpfile_t *h = device_seek_file(r->dev, n, NULL);
        if (!h)
            return FALSE;
        device_header_free(h);
        if (!volread_crc_ieee(r->dev, &crc, NULL))
            return FALSE;
    }
    if (crc == want)
        dbprintf("SERVER-CRC %08x is a zlib CRC-32, not a CRC-32C: accepted\n", crc);
    return crc == want;
}

/* Finish the image: close filters, check it against the header.  *NEXT
 * may be replaced (re-read) when the data had to be read again. */
static gboolean
finish_image(Run *r, ImageSink *sink, const dumpfile_t *first, const dumpfile_t *last,
             int first_file, dumpfile_t **next, GError **error)
{
    if (!imagesink_finish(sink, error))
        return FALSE;
    if (r->o->raw || first->partnum > 1)
        return TRUE;
    GError *err = NULL;
    if (!imagesink_verify(sink, first, &err) &&
        g_error_matches(err, IMAGESINK_ERROR, IMAGESINK_ERROR_CRC)) {
        int after = r->dev->file;
        gboolean ok = recheck_ieee(r, first_file, after - 1, first->server_crc.crc);
        device_header_free(*next);
        GError *seek_err = NULL;
        *next = device_seek_file(r->dev, after, &seek_err);
        if (ok || !*next) {
            g_clear_error(&err);
            if (seek_err)
                g_propagate_error(error, seek_err);
            return ok && *next != NULL;
        }
    }
    if (err) {
        g_propagate_error(error, err);
        if (*next && (*next)->type == FILEHEADER_TAPEEND && !volread_is_last_part(last))
            g_prefix_error(error, "part %d is the last file of volume '%s' and the dump "
                           "may continue on the next volume (amfetchdump joins "
                           "volumes): ", last->partnum, r->dev->volume_label);
        return FALSE;
    }
    return TRUE;
}

static dumpfile_t *
restore_dump(Run *r, const dumpfile_t *first)
{
    g_autofree char *name = output_name(r->o, first);
    GError *err = NULL;
    dumpfile_t last, *next = NULL;
    fileheader_init(&last);
    int fd = open_output(r->o, name, &err);
    gboolean ok = fd >= 0;
    if (ok) {
        ImageSinkOptions so = sink_options(r->o, first);
        g_autoptr(ImageSink) sink =
            imagesink_new(fd, r->o->to_stdout ? "standard output" : name, first, &so, &err);
        ok = sink != NULL;
        if (ok) {
            int first_file = r->dev->file;
            next = copy_run(r, first, sink, &last, &err);
            ok = next != NULL && finish_image(r, sink, first, &last, first_file, &next, &err);
        }
    }
    if (!ok) {
        fprintf(stderr, "amrestore: %s\n", err ? err->message : "restore failed");
        g_clear_error(&err);
        r->failed = TRUE;
    }
    if (fd >= 0)
        close_output(r->o, fd, name, ok);
    fileheader_clear(&last);
    if (r->o->to_stdout || !ok)
        r->stop = TRUE;
    return next;
}

/* Handle the file HDR is the header of; returns the next file's header. */
static dumpfile_t *
handle_file(Run *r, dumpfile_t *hdr, GError **error)
{
    int file = r->dev->file;
    if (!volread_is_dump(hdr)) {
        fprintf(stderr, "amrestore: %d: skipping a file that holds no dump (header type %s)\n",
                file, fileheader_type_name(hdr->type));
        return device_seek_file(r->dev, file + 1, error);
    }
    g_autofree char *what = volread_describe(hdr);
    if (!dumpspec_list_match(r->o->specs, hdr->host, hdr->disk, hdr->datestamp, -1)) {
        fprintf(stderr, "amrestore: %d: skipping %s\n", file, what);
        return device_seek_file(r->dev, file + 1, error);
    }
    fprintf(stderr, "amrestore: %d: restoring %s\n", file, what);
    r->matched++;
    dumpfile_t *next = restore_dump(r, hdr);
    if (!next && !r->failed)
        g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_READ, "device error");
    return next;
}

static int
run_volume(Run *r)
{
    const Options *o = r->o;
    fprintf(stderr, "Restoring from tape %s starting with file %d.\n", r->dev->volume_label,
            o->first_file);
    GError *err = NULL;
    dumpfile_t *hdr = device_seek_file(r->dev, o->first_file, &err);
    while (hdr && hdr->type != FILEHEADER_TAPEEND && !r->stop) {
        dumpfile_t *next = handle_file(r, hdr, &err);
        device_header_free(hdr);
        hdr = next;
    }
    if (hdr)
        device_header_free(hdr);
    if (err) {
        fprintf(stderr, "amrestore: volume '%s': %s\n", r->dev->volume_label, err->message);
        g_error_free(err);
        return 1;
    }
    if (r->matched == 0) {
        fprintf(stderr, "amrestore: no dump on volume '%s' (from file %d on) matches the "
                "given host/disk/date; run without them to list every dump\n",
                r->dev->volume_label, o->first_file);
        return 1;
    }
    return r->failed ? 1 : 0;
}

/* A holding-disk image (first chunk PATH) instead of a volume. */
static int
run_holding(const Options *o)
{
    GError *err = NULL;
    dumpfile_t hdr;
    fileheader_init(&hdr);
    holding_reader_t *reader = holding_reader_open(o->device, &hdr, &err);
    if (!reader) {
        fprintf(stderr, "amrestore: holding file %s: %s\n", o->device, err->message);
        g_error_free(err);
        fileheader_clear(&hdr);
        return 1;
    }
    g_autofree char *what = volread_describe(&hdr);
    int rc = 1;
    if (!dumpspec_list_match(o->specs, hdr.host, hdr.disk, hdr.datestamp, -1)) {
        fprintf(stderr, "amrestore: holding file %s (%s) does not match the given "
                "host/disk/date\n", o->device, what);
    } else {
        fprintf(stderr, "amrestore: restoring from holding file %s: %s\n", o->device, what);
        g_autofree char *name = output_name(o, &hdr);
        int fd = open_output(o, name, &err);
        gboolean ok = fd >= 0;
        if (ok) {
            ImageSinkOptions so = sink_options(o, &hdr);
            g_autoptr(ImageSink) sink =
                imagesink_new(fd, o->to_stdout ? "standard output" : name, &hdr, &so, &err);
            ok = sink && volread_copy_holding(reader, sink, &err) &&
                 imagesink_finish(sink, &err) && (o->raw || imagesink_verify(sink, &hdr, &err));
        }
        if (!ok)
            fprintf(stderr, "amrestore: %s\n", err ? err->message : "restore failed");
        g_clear_error(&err);
        if (fd >= 0)
            ok = close_output(o, fd, name, ok);
        rc = ok ? 0 : 1;
    }
    holding_reader_close(reader);
    fileheader_clear(&hdr);
    return rc;
}

int
main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    Options o;
    parse_args(argc, argv, &o);
    g_set_prgname("amrestore");
    debug_open("server");
    dbprintf("amrestore %s\n", o.device);
    if (o.holding || (!strchr(o.device, ':') && g_file_test(o.device, G_FILE_TEST_IS_REGULAR))) {
        int rc = run_holding(&o);
        g_ptr_array_unref(o.specs);
        debug_close();
        return rc;
    }
    GError *err = NULL;
    Device *dev = volread_open(o.device, o.label, o.blocksize, &err);
    if (!dev) {
        fprintf(stderr, "amrestore: %s\n", err->message);
        g_error_free(err);
        g_ptr_array_unref(o.specs);
        return 1;
    }
    Run r = { .o = &o, .dev = dev };
    int rc = run_volume(&r);
    device_free(dev);
    g_ptr_array_unref(o.specs);
    debug_close();
    return rc;
}
