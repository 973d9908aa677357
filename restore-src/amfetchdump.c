/* amfetchdump: restore whole dump images found through the catalogue.
 * The run logs and the tapelist (find.h) say which parts of which dumps
 * are on which volumes; the volumes are loaded through the config's
 * changer, every part's header is checked against the catalogue, the
 * parts are joined in order across volumes and the image is written
 * decompressed (unless asked otherwise) to HOST.DISK.DATE.LEVEL, to
 * standard output (-p), or extracted by the dump's application
 * (--extract). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "amanda_paths.h"
#include "amutil.h"
#include "conf.h"
#include "confchanger.h"
#include "debug.h"
#include "dumpspec.h"
#include "fetchplan.h"
#include "find.h"
#include "holding.h"
#include "imagesink.h"
#include "volread.h"

typedef struct {
    gboolean to_stdout, keep_header, leave, no_reassemble, exact, extract;
    gboolean no_decompress, no_decrypt;
    int compress_level;
    const char *outdir, *device, *target, *header_file;
    const char *config;
    GPtrArray *overrides;
    GPtrArray *specs;
} Options;

/* The volume currently loaded. */
typedef struct {
    Changer *chg;
    ChangerReservation *res;
    Device *dev;
} Cursor;

typedef struct {
    const Options *o;
    Cursor cur;
    int failed;
} Fetch;

static void
usage(void)
{
    fprintf(stderr,
            "Usage: amfetchdump [-c|-C|-l] [-p|-n] [-a] [-O DIR] [-d DEVICE] [-h]\n"
            "                   [--header-file FILE] [--no-decompress] [--no-decrypt]\n"
            "                   [--extract --target DIR] [--exact-match] [-o NAME=VALUE]\n"
            "                   CONFIG HOST [DISK [DATE [LEVEL [HOST ...]]]]\n");
    exit(2);
}

enum { OPT_EXTRACT = 256, OPT_TARGET, OPT_EXACT, OPT_HEADER_FILE, OPT_NO_DECOMP,
       OPT_NO_DECRYPT, OPT_IGNORED };

static void
parse_args(int argc, char **argv, Options *o)
{
    static const struct option longopts[] = {
        { "extract", no_argument, NULL, OPT_EXTRACT },
        { "target", required_argument, NULL, OPT_TARGET },
        { "directory", required_argument, NULL, OPT_TARGET },
        { "exact-match", no_argument, NULL, OPT_EXACT },
        { "exact_match", no_argument, NULL, OPT_EXACT },
        { "header-file", required_argument, NULL, OPT_HEADER_FILE },
        { "no-decompress", no_argument, NULL, OPT_NO_DECOMP },
        { "no-decrypt", no_argument, NULL, OPT_NO_DECRYPT },
        { "decompress", no_argument, NULL, OPT_IGNORED },
        { "decrypt", no_argument, NULL, OPT_IGNORED },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->overrides = g_ptr_array_new();
    int c;
    while ((c = getopt_long(argc, argv, "pnahlcCO:d:o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'p': o->to_stdout = TRUE; break;
        case 'n': o->no_reassemble = TRUE; break;
        case 'a': break;                       /* we never prompt */
        case 'h': o->keep_header = TRUE; break;
        case 'l': o->leave = TRUE; break;
        case 'c': o->compress_level = 1; break;
        case 'C': o->compress_level = 9; break;
        case 'O': o->outdir = optarg; break;
        case 'd': o->device = optarg; break;
        case 'o': g_ptr_array_add(o->overrides, optarg); break;
        case OPT_EXTRACT: o->extract = TRUE; break;
        case OPT_TARGET: o->target = optarg; break;
        case OPT_EXACT: o->exact = TRUE; break;
        case OPT_HEADER_FILE: o->header_file = optarg; break;
        case OPT_NO_DECOMP: o->no_decompress = TRUE; break;
        case OPT_NO_DECRYPT: o->no_decrypt = TRUE; break;
        case OPT_IGNORED: break;
        default: usage();
        }
    }
    if (argc - optind < 2)
        usage();
    if (o->extract && !o->target) {
        fprintf(stderr, "amfetchdump: --extract needs --target DIR (or --directory DIR)\n");
        exit(2);
    }
    g_ptr_array_add(o->overrides, NULL);
    o->config = argv[optind];
    o->specs = dumpspec_from_args(argc - optind - 1, argv + optind + 1, 4, o->exact);
}

/* ---- volumes ---- */

static void
cursor_unload(Cursor *c)
{
    g_clear_pointer(&c->dev, device_free);
    g_clear_pointer(&c->res, changer_release);
}

static Device *
cursor_load(Cursor *c, const char *label, GError **error)
{
    if (c->dev && g_strcmp0(c->dev->volume_label, label) == 0)
        return c->dev;
    cursor_unload(c);
    GError *err = NULL;
    c->res = changer_load_label(c->chg, label, &err);
    if (!c->res) {
        g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_VOLUME,
                    "volume '%s' is needed but %s cannot load it: %s", label,
                    changer_name(c->chg), err->message);
        g_error_free(err);
        return NULL;
    }
    c->dev = volread_open(c->res->device_name, label, 0, error);
    return c->dev;
}

/* ---- one part ---- */

static gboolean
header_is_part(const dumpfile_t *h, const fetch_dump_t *d, const find_result_t *r)
{
    if (!volread_is_dump(h) || g_strcmp0(h->host, d->host) != 0 ||
        g_strcmp0(h->disk, d->disk) != 0 || g_strcmp0(h->datestamp, d->datestamp) != 0 ||
        h->dumplevel != d->level)
        return FALSE;
    return h->type != FILEHEADER_SPLIT_DUMPFILE || h->partnum == r->partnum;
}

/* Position at part R of D and return its header (checked). */
static dumpfile_t *
seek_part(Fetch *f, const fetch_dump_t *d, const find_result_t *r, gboolean quiet,
          GError **error)
{
    Device *dev = cursor_load(&f->cur, r->label, error);
    if (!dev)
        return NULL;
    GError *err = NULL;
    dumpfile_t *h = device_seek_file(dev, (int)r->filenum, &err);
    if (!h) {
        g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_PART,
                    "volume '%s' file %" G_GINT64_FORMAT " (part %d of %d): %s", r->label,
                    r->filenum, r->partnum, d->nparts, err->message);
        g_error_free(err);
        return NULL;
    }
    if (dev->file != (int)r->filenum || !header_is_part(h, d, r)) {
        g_autofree char *what = fetchplan_describe(d);
        g_autofree char *found = dev->file != (int)r->filenum
                                     ? g_strdup_printf("no such file (next is %d)", dev->file)
                                     : volread_describe(h);
        g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_PART,
                    "volume '%s' file %" G_GINT64_FORMAT " should hold part %d of %d of %s "
                    "but holds %s: the volume was changed since the dump", r->label,
                    r->filenum, r->partnum, d->nparts, what, found);
        device_header_free(h);
        return NULL;
    }
    if (!quiet) {
        fprintf(stderr, "Reading label '%s' filenum %" G_GINT64_FORMAT "\n", r->label,
                r->filenum);
        g_autofree char *desc = volread_describe(h);
        fprintf(stderr, "%s\n", desc);
    }
    return h;
}

static gboolean
copy_part(Fetch *f, const fetch_dump_t *d, const find_result_t *r, ImageSink *sink,
          GError **error)
{
    guint64 got = 0;
    if (!volread_copy_file(f->cur.dev, sink, &got, error)) {
        g_prefix_error(error, "part %d of %d: ", r->partnum, d->nparts);
        return FALSE;
    }
    if (r->bytes > 0 && (guint64)r->bytes != got) {
        g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_PART,
                    "volume '%s' file %" G_GINT64_FORMAT " (part %d of %d) has %" G_GUINT64_FORMAT
                    " bytes but the catalogue says %" G_GINT64_FORMAT ": the part is %s",
                    r->label, r->filenum, r->partnum, d->nparts, got, r->bytes,
                    got < (guint64)r->bytes ? "truncated" : "damaged");
        return FALSE;
    }
    return TRUE;
}

/* ---- outputs ---- */

typedef struct {
    int fd;
    char *path;       /* final name, NULL for stdout/extract */
    char *tmp;        /* NAME.partial while writing */
    GPid app_pid;     /* --extract: the application */
    char *app_name;
} Output;

static gboolean
spawn_application(Output *out, const Options *o, const fetch_dump_t *d,
                  const dumpfile_t *h, GError **error)
{
    const char *app = h->application && *h->application ? h->application : "amgtar";
    g_autofree char *prog = g_build_filename(amanda_application_dir(), app, NULL);
    g_autofree char *level = g_strdup_printf("%d", d->level);
    const char *argv[] = { prog, "restore", "--config", o->config, "--host", d->host,
                           "--disk", d->disk, "--level", level, "--target", o->target, NULL };
    if (!mkdir_p(o->target, 0700, error))
        return FALSE;
    int p[2];
    if (pipe(p) < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "pipe: %s",
                    g_strerror(errno));
        return FALSE;
    }
    gboolean ok = g_spawn_async_with_pipes_and_fds(o->target, argv, NULL,
                                                   G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, p[0],
                                                   STDERR_FILENO, -1, NULL, NULL, 0,
                                                   &out->app_pid, NULL, NULL, NULL, error);
    close(p[0]);
    if (!ok) {
        close(p[1]);
        return FALSE;
    }
    out->fd = p[1];
    out->app_name = g_strdup(prog);
    return TRUE;
}

static gboolean
open_output(Output *out, const Options *o, const fetch_dump_t *d, const dumpfile_t *h,
            const char *suffix, GError **error)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    if (o->extract)
        return spawn_application(out, o, d, h, error);
    if (o->to_stdout) {
        out->fd = STDOUT_FILENO;
        return TRUE;
    }
    g_autofree char *name = volread_image_name(d->host, d->disk, d->datestamp, d->level);
    g_autofree char *file = g_strconcat(name, suffix ? suffix : "", NULL);
    out->path = o->outdir ? g_build_filename(o->outdir, file, NULL) : g_strdup(file);
    out->tmp = g_strconcat(out->path, ".partial", NULL);
    out->fd = open(out->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out->fd < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s",
                    out->tmp, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static const char *
output_label(const Output *out)
{
    return out->path ? out->path : out->app_name ? out->app_name : "standard output";
}

static gboolean
wait_application(Output *out)
{
    int status = 0;
    while (waitpid(out->app_pid, &status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(out->app_pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return TRUE;
    fprintf(stderr, "amfetchdump: %s restore failed (status %d); the target may be "
            "incomplete\n", out->app_name, status);
    return FALSE;
}

/* Close OUT; a good image gets its final name, a bad one stays NAME.partial. */
static gboolean
close_output(Output *out, gboolean ok)
{
    if (out->fd >= 0 && out->fd != STDOUT_FILENO && close(out->fd) < 0 && ok) {
        fprintf(stderr, "amfetchdump: writing %s: %s\n", output_label(out), g_strerror(errno));
        ok = FALSE;
    }
    if (out->app_pid > 0)
        ok = wait_application(out) && ok;
    if (out->path) {
        if (ok && rename(out->tmp, out->path) < 0) {
            fprintf(stderr, "amfetchdump: cannot rename %s: %s\n", out->tmp, g_strerror(errno));
            ok = FALSE;
        }
        if (!ok)
            fprintf(stderr, "amfetchdump: the incomplete image is left in %s\n", out->tmp);
    }
    g_free(out->path);
    g_free(out->tmp);
    g_free(out->app_name);
    return ok;
}

static ImageSinkOptions
sink_options(const Options *o)
{
    ImageSinkOptions so = { 0 };
    so.write_header = o->keep_header;
    so.decompress = !o->leave && !o->no_decompress && !o->no_reassemble;
    so.decrypt = !o->leave && !o->no_decrypt && !o->no_reassemble;
    so.compress_level = o->compress_level;
    so.hint_blocksize = 0;
    return so;
}

static gboolean
write_header_file(const Options *o, const dumpfile_t *h, GError **error)
{
    if (!o->header_file)
        return TRUE;
    ImageSinkOptions so = sink_options(o);
    dumpfile_t out;
    imagesink_output_header(h, &so, &out);
    char *block = fileheader_build(&out, DISK_BLOCK_BYTES, error);
    fileheader_clear(&out);
    gboolean ok = block && write_file_or_device(o->header_file, block, DISK_BLOCK_BYTES, error);
    g_free(block);
    return ok;
}

/* ---- one dump ---- */

/* The SERVER-CRC did not match as a CRC-32C: read the parts again and
 * accept it if it is zlib's CRC-32 of them (early amanda-ng dumpers
 * wrote that). */
static gboolean
recheck_ieee(Fetch *f, const fetch_dump_t *d, const dumpfile_t *first, GError **error)
{
    guint32 crc = (guint32)crc32(0L, Z_NULL, 0);
    for (int k = 1; k <= d->nparts; k++) {
        dumpfile_t *h = seek_part(f, d, d->parts->pdata[k - 1], TRUE, error);
        if (!h)
            return FALSE;
        device_header_free(h);
        if (!volread_crc_ieee(f->cur.dev, &crc, error))
            return FALSE;
    }
    if (crc != first->server_crc.crc)
        return FALSE;
    dbprintf("SERVER-CRC %08x is a zlib CRC-32, not a CRC-32C: accepted\n", crc);
    return TRUE;
}

static gboolean
verify_image(Fetch *f, const fetch_dump_t *d, ImageSink *sink, const dumpfile_t *first,
             GError **error)
{
    GError *err = NULL;
    if (imagesink_verify(sink, first, &err))
        return TRUE;
    if (g_error_matches(err, IMAGESINK_ERROR, IMAGESINK_ERROR_CRC) &&
        recheck_ieee(f, d, first, NULL)) {
        g_error_free(err);
        return TRUE;
    }
    g_propagate_error(error, err);
    return FALSE;
}

/* Write parts FROM..TO (1-based) of D into one output. */
static gboolean
fetch_parts(Fetch *f, const fetch_dump_t *d, int from, int to, const char *suffix,
            GError **error)
{
    const find_result_t *r = d->parts->pdata[from - 1];
    dumpfile_t *first = seek_part(f, d, r, FALSE, error);
    if (!first)
        return FALSE;
    Output out;
    gboolean ok = open_output(&out, f->o, d, first, suffix, error);
    ImageSinkOptions so = sink_options(f->o);
    ImageSink *sink = NULL;
    if (ok)
        ok = write_header_file(f->o, first, error) &&
             (sink = imagesink_new(out.fd, output_label(&out), first, &so, error)) != NULL;
    for (int k = from; ok && k <= to; k++) {
        r = d->parts->pdata[k - 1];
        dumpfile_t *h = k == from ? NULL : seek_part(f, d, r, FALSE, error);
        ok = (k == from || h) && copy_part(f, d, r, sink, error);
        if (h)
            device_header_free(h);
    }
    ok = ok && imagesink_finish(sink, error);
    if (ok && from == 1 && to == d->nparts)
        ok = verify_image(f, d, sink, first, error);
    imagesink_free(sink);
    if (out.fd >= 0 || out.path)
        ok = close_output(&out, ok) && ok;
    device_header_free(first);
    return ok;
}

static gboolean
fetch_dump(Fetch *f, const fetch_dump_t *d, GError **error)
{
    if (!fetchplan_check(d, error))
        return FALSE;
    if (!f->o->no_reassemble)
        return fetch_parts(f, d, 1, d->nparts, NULL, error);
    for (int k = 1; k <= d->nparts; k++) {
        g_autofree char *suffix = g_strdup_printf(".%07d", k);
        if (!fetch_parts(f, d, k, k, suffix, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- holding disk ---- */

static gboolean
fetch_holding(Fetch *f, const holding_file_t *hf, GError **error)
{
    dumpfile_t hdr;
    fileheader_init(&hdr);
    holding_reader_t *reader = holding_reader_open(hf->path, &hdr, error);
    if (!reader) {
        fileheader_clear(&hdr);
        return FALSE;
    }
    fprintf(stderr, "Reading from holding file %s\n", hf->path);
    fetch_dump_t d = { .host = hf->host, .disk = hf->disk, .datestamp = hf->datestamp,
                       .level = hf->level, .nparts = 1 };
    Output out;
    ImageSinkOptions so = sink_options(f->o);
    ImageSink *sink = NULL;
    gboolean ok = open_output(&out, f->o, &d, &hdr, NULL, error) &&
                  write_header_file(f->o, &hdr, error) &&
                  (sink = imagesink_new(out.fd, output_label(&out), &hdr, &so, error)) != NULL &&
                  volread_copy_holding(reader, sink, error) && imagesink_finish(sink, error) &&
                  imagesink_verify(sink, &hdr, error);
    imagesink_free(sink);
    if (out.fd >= 0 || out.path)
        ok = close_output(&out, ok) && ok;
    holding_reader_close(reader);
    fileheader_clear(&hdr);
    return ok;
}

static gboolean
on_volumes(const GPtrArray *dumps, const holding_file_t *hf)
{
    for (guint i = 0; i < dumps->len; i++) {
        const fetch_dump_t *d = dumps->pdata[i];
        if (g_strcmp0(d->host, hf->host) == 0 && g_strcmp0(d->disk, hf->disk) == 0 &&
            g_strcmp0(d->datestamp, hf->datestamp) == 0 && d->level == hf->level)
            return TRUE;
    }
    return FALSE;
}

/* Complete images on the holding disks that match and are not (also) on
 * a volume: AMANDA's amfetchdump restores those too. */
static GPtrArray *
holding_plan(const Options *o, const conf_t *conf, const GPtrArray *dumps)
{
    g_autoptr(GPtrArray) secs = conf_holdingdisks(conf);
    g_autoptr(GPtrArray) dirs = g_ptr_array_new();
    for (guint i = 0; i < secs->len; i++)
        g_ptr_array_add(dirs, (char *)conf_value_str(conf_section_get(secs->pdata[i],
                                                                      HOLDING_DIRECTORY)));
    g_ptr_array_add(dirs, NULL);
    GPtrArray *files = holding_list((const char *const *)dirs->pdata, NULL);
    if (!files)
        return g_ptr_array_new();
    for (guint i = 0; i < files->len;) {
        holding_file_t *hf = files->pdata[i];
        if (hf->partial || on_volumes(dumps, hf) ||
            !dumpspec_list_match(o->specs, hf->host, hf->disk, hf->datestamp, hf->level))
            g_ptr_array_remove_index(files, i);
        else
            i++;
    }
    return files;
}

/* ---- catalogue ---- */

/* The matching dumps; *RESULTS keeps the catalogue entries they point to. */
static GPtrArray *
find_plan(const Options *o, conf_t *conf, GPtrArray **results, GError **error)
{
    g_autofree char *logdir = confchanger_path(conf, CNF_LOGDIR);
    g_autofree char *tapelist = confchanger_path(conf, CNF_TAPELIST);
    *results = find_dumps(logdir, tapelist, error);
    if (!*results)
        return NULL;
    find_sort(*results, FIND_DEFAULT_SORT_ORDER, NULL);
    g_autoptr(GString) skipped = g_string_new(NULL);
    GPtrArray *dumps = fetchplan_build(*results, o->specs, skipped);
    if (skipped->len)
        fprintf(stderr, "amfetchdump: not restored: %s", skipped->str);
    return dumps;
}

static void
print_volumes(const GPtrArray *dumps)
{
    g_autoptr(GPtrArray) labels = fetchplan_volumes(dumps);
    fprintf(stderr, "%u volume(s) needed for restoration\n", labels->len);
    fprintf(stderr, "The following volumes are needed:");
    for (guint i = 0; i < labels->len; i++)
        fprintf(stderr, " %s", (char *)labels->pdata[i]);
    fprintf(stderr, "\n");
}

static conf_t *
load_config(const Options *o)
{
    GError *err = NULL;
    conf_t *conf = conf_load_checked(o->config, NULL, 0, (char **)o->overrides->pdata, &err);
    if (!conf) {
        fprintf(stderr, "amfetchdump: configuration \"%s\": %s\n", o->config, err->message);
        g_error_free(err);
        exit(1);
    }
    return conf;
}

static int
run_holding(Fetch *f, const GPtrArray *holding)
{
    GError *err = NULL;
    guint n = f->o->to_stdout ? MIN(1, holding->len) : holding->len;
    for (guint i = 0; i < n; i++) {
        if (!fetch_holding(f, holding->pdata[i], &err)) {
            fprintf(stderr, "amfetchdump: %s\n", err ? err->message : "restore failed");
            g_clear_error(&err);
            f->failed++;
        }
    }
    return f->failed ? 1 : 0;
}

static int
run(Fetch *f, conf_t *conf, const GPtrArray *dumps)
{
    GError *err = NULL;
    if (dumps->len == 0)
        return 0;
    f->cur.chg = confchanger_open(conf, f->o->device, &err);
    if (!f->cur.chg) {
        fprintf(stderr, "amfetchdump: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    print_volumes(dumps);
    guint n = f->o->to_stdout ? 1 : dumps->len;
    for (guint i = 0; i < n; i++) {
        const fetch_dump_t *d = dumps->pdata[i];
        if (!fetch_dump(f, d, &err)) {
            fprintf(stderr, "amfetchdump: %s\n", err ? err->message : "restore failed");
            g_clear_error(&err);
            f->failed++;
            if (f->o->to_stdout)
                break;
        }
    }
    cursor_unload(&f->cur);
    changer_free(f->cur.chg);
    return f->failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    Options o;
    parse_args(argc, argv, &o);
    g_set_prgname("amfetchdump");
    debug_open("server");
    conf_t *conf = load_config(&o);
    GError *err = NULL;
    GPtrArray *results = NULL;
    GPtrArray *dumps = find_plan(&o, conf, &results, &err);
    int rc = 1;
    if (!dumps) {
        fprintf(stderr, "amfetchdump: cannot read the catalogue of %s: %s\n", o.config,
                err->message);
        g_error_free(err);
    } else {
        g_autoptr(GPtrArray) holding = holding_plan(&o, conf, dumps);
        if (dumps->len == 0 && holding->len == 0) {
            fprintf(stderr, "amfetchdump: no complete dump in the catalogue of %s matches the "
                    "given host/disk/date/level; list them with: amadmin %s find\n",
                    o.config, o.config);
        } else {
            Fetch f = { .o = &o };
            rc = run(&f, conf, dumps);
            if (!(o.to_stdout && dumps->len > 0))
                rc = run_holding(&f, holding) || rc;
        }
        g_ptr_array_unref(dumps);
    }
    if (results)
        g_ptr_array_unref(results);
    conf_free(conf);
    g_ptr_array_unref(o.specs);
    g_ptr_array_unref(o.overrides);
    debug_close();
    return rc;
}
