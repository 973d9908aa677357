/* dumper: run one backup of one DLE.  Sends the sendbackup request (DLE
 * XML, OPTIONS as AMANDA sends them), opens the DATA, MESG, INDEX and
 * STATE streams named in the CONNECT reply, and stores DATA in
 * holding-disk chunks or on a pipe to the taper (dumper-output.c), INDEX
 * and STATE gzipped in the index directory, and parses MESG
 * (dumper-mesg.c).  The driver starts one dumper per dump; the result is
 * one line on stdout:
 *
 *   DONE <orig-kb> <out-kb> <secs> <native-crc> <client-crc> <server-crc> "[sec .. kb .. kps .. orig-kb ..]"
 *   FAILED <message>        TRY-AGAIN <message>
 *
 * and SUCCESS/STRANGE/FAIL lines go to the run log as AMANDA's dumper
 * writes them.
 *
 *   dumper CONFIG --timestamp TS --host H --disk D --level N
 *          (--holding FILE [--chunksize BYTES] | --to-fd FD) [--log FILE]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amanda_paths.h"
#include "amclient.h"
#include "amutil.h"
#include "debug.h"
#include "dumper-mesg.h"
#include "dumper-output.h"
#include "event.h"
#include "indexfile.h"
#include "server-dle.h"
#include "server-util.h"

enum { S_DATA, S_MESG, S_INDEX, S_STATE, S_COUNT };
static const char *const stream_names[S_COUNT] = { "DATA", "MESG", "INDEX", "STATE" };

typedef struct dump dump_t;
typedef struct {
    dump_t *d;
    int which;
    security_stream_t *stream;
    gboolean open;
} dstream_t;

struct dump {
    conf_t *conf;
    const disklist_entry_t *entry;
    char *timestamp, *host, *disk;
    int level;
    char *holding;
    gint64 chunksize;
    int to_fd;
    amclient_req_t *req;
    dstream_t streams[S_COUNT];
    int open_streams;
    dumper_out_t *out;
    indexfile_writer_t *index, *state;
    dumper_mesg_t mesg;
    dumpfile_t hdr;
    char *error;          /* first failure */
    gboolean retry;       /* failure worth a TRY-AGAIN */
    gboolean finished;
    gint64 start_us;
    gint64 last_data_us;
    event_handle_t *idle_timer;
};

static void
fail(dump_t *d, gboolean retry, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
fail(dump_t *d, gboolean retry, const char *fmt, ...)
{
    if (d->error)
        return;
    va_list ap;
    va_start(ap, fmt);
    d->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    d->retry = retry;
    dbprintf("dump failed: %s\n", d->error);
}

static int
server_comp_level(const disklist_entry_t *e)
{
    int c = server_dle_compress(e);
    return c == COMP_SERVER_FAST ? 1 : c == COMP_SERVER_BEST ? 9 : 0;
}

/* server_custom_compress and server_encrypt programs, named in the
 * header with the commands that undo them. */
static void
add_server_programs(dump_t *d, dumpfile_t *h)
{
    const char *comp = server_dle_str(d->entry, DUMPTYPE_SERVER_CUSTOM_COMPRESS);
    if (server_dle_compress(d->entry) == COMP_SERVER_CUST && comp && *comp) {
        h->srvcompprog = g_strdup(comp);
        g_free(h->uncompress_cmd);
        h->uncompress_cmd = g_strdup_printf("%s -d", comp);
    }
    const char *enc = server_dle_str(d->entry, DUMPTYPE_SERVER_ENCRYPT);
    if (server_dle_int(d->entry, DUMPTYPE_ENCRYPT) == ENCRYPT_SERV_CUST && enc && *enc) {
        const char *opt = server_dle_str(d->entry, DUMPTYPE_SERVER_DECRYPT_OPTION);
        h->encrypted = TRUE;
        h->encrypt_suffix = g_strdup("enc");
        h->srv_encrypt = g_strdup(enc);
        h->srv_decrypt_opt = g_strdup(opt && *opt ? opt : "-d");
        h->decrypt_cmd = g_strdup_printf("%s %s", enc, h->srv_decrypt_opt);
    }
}

/* The filter programs of the header, in the order data goes through. */
static gboolean
start_filters(dump_t *d, GError **error)
{
    char *comp[] = { d->hdr.srvcompprog, NULL };
    char *enc[] = { d->hdr.srv_encrypt, NULL };
    char **cmds[2];
    int n = 0;
    if (d->hdr.srvcompprog)
        cmds[n++] = comp;
    if (d->hdr.srv_encrypt)
        cmds[n++] = enc;
    return n == 0 || dumper_out_add_filter(d->out, cmds, n, error);
}

static void
build_header(dump_t *d, const dle_t *dle)
{
    dumpfile_t *h = &d->hdr;
    fileheader_init(h);
    h->type = FILEHEADER_DUMPFILE;
    h->datestamp = g_strdup(d->timestamp);
    h->host = g_strdup(d->host);
    h->disk = g_strdup(d->disk);
    h->dumplevel = d->level;
    const char *suffix = server_dle_comp_suffix(d->entry);
    h->compressed = suffix != NULL;
    h->comp_suffix = g_strdup(suffix ? suffix : "N");
    h->program = g_strdup(dle->program);
    h->application = g_strdup(dle->plugin);
    g_autofree char *xml = dle_render(dle, TRUE);
    gsize n = strlen(xml);
    if (n && xml[n - 1] == '\n')
        xml[n - 1] = '\0';
    h->dle_str = g_strdup(xml);
    if (dle->plugin)
        h->recover_cmd = g_strdup_printf("%s/%s restore [./file-to-restore]+",
                                         amanda_application_dir(), dle->plugin);
    if (h->compressed)
        h->uncompress_cmd = g_strdup("/bin/gzip -dc");
    h->blocksize = DISK_BLOCK_BYTES;
    add_server_programs(d, h);
}

static void
write_index_header(dump_t *d)
{
    g_autofree char *idir = server_conf_path(d->conf, CNF_INDEXDIR);
    if (!idir || !server_dle_int(d->entry, DUMPTYPE_INDEX))
        return;
    g_autofree char *path = indexfile_path(idir, d->host, d->disk, d->timestamp, d->level,
                                           INDEXFILE_HEADER);
    g_autofree char *dir = g_path_get_dirname(path);
    gsize len;
    g_autofree char *text = fileheader_to_text(&d->hdr, &len, NULL);
    if (text && mkdir_p(dir, 0700, NULL))
        g_file_set_contents(path, text, (gssize)len, NULL);
}

static indexfile_writer_t *
open_index(dump_t *d, indexfile_kind_t kind)
{
    g_autofree char *idir = server_conf_path(d->conf, CNF_INDEXDIR);
    if (!idir)
        return NULL;
    g_autofree char *path = indexfile_path(idir, d->host, d->disk, d->timestamp, d->level, kind);
    g_autoptr(GError) err = NULL;
    indexfile_writer_t *w = indexfile_writer_open(path, &err);
    if (!w)
        dbprintf("cannot write %s: %s\n", path, err->message);
    return w;
}

static void
check_finished(dump_t *d)
{
    if (d->open_streams == 0 && !d->finished) {
        d->finished = TRUE;
        g_main_context_wakeup(NULL);
    }
}

static void
close_stream(dstream_t *s)
{
    if (!s->open)
        return;
    s->open = FALSE;
    security_stream_read_cancel(s->stream);
    security_stream_close(s->stream);
    s->d->open_streams--;
    check_finished(s->d);
}

static void
consume(dump_t *d, int which, const char *buf, gsize len)
{
    g_autoptr(GError) err = NULL;
    switch (which) {
    case S_DATA:
        d->last_data_us = g_get_monotonic_time();
        if (d->out && !dumper_out_write(d->out, buf, len, &err))
            fail(d, FALSE, "writing the dump: %s", err->message);
        break;
    case S_MESG:
        dumper_mesg_feed(&d->mesg, buf, len);
        break;
    case S_INDEX:
        if (d->index && !indexfile_writer_write(d->index, buf, len, &err))
            dbprintf("index write failed: %s\n", err->message);
        break;
    case S_STATE:
        if (d->state && !indexfile_writer_write(d->state, buf, len, &err))
            dbprintf("state write failed: %s\n", err->message);
        break;
    }
}

static void
stream_read_cb(void *arg, void *buf, ssize_t size)
{
    dstream_t *s = arg;
    dump_t *d = s->d;
    if (size > 0) {
        consume(d, s->which, buf, (gsize)size);
        if (d->error && s->which == S_DATA)
            close_stream(s);
        return;
    }
    if (size < 0)
        fail(d, TRUE, "%s stream: %s", stream_names[s->which],
             security_stream_geterror(s->stream));
    if (s->which == S_MESG)
        dumper_mesg_eof(&d->mesg);
    close_stream(s);
}

/* "CONNECT DATA 499999 MESG 499998 INDEX 499997 STATE 499996" */
static gboolean
open_streams(dump_t *d, const char *body)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "ERROR")) {
            fail(d, FALSE, "%s", g_strstrip(*l + 5));
            return FALSE;
        }
        if (!g_str_has_prefix(*l, "CONNECT "))
            continue;
        g_auto(GStrv) t = g_strsplit(*l + 8, " ", -1);
        for (int i = 0; t[i] && t[i + 1]; i += 2)
            for (int w = 0; w < S_COUNT; w++) {
                int id = atoi(t[i + 1]);
                if (strcmp(t[i], stream_names[w]) != 0 || id < 0)
                    continue;
                dstream_t *s = &d->streams[w];
                s->d = d;
                s->which = w;
                s->stream = security_stream_client(amclient_handle(d->req), id);
                if (!s->stream || security_stream_auth(s->stream) < 0) {
                    fail(d, TRUE, "cannot open the %s stream", stream_names[w]);
                    return FALSE;
                }
                s->open = TRUE;
                d->open_streams++;
                security_stream_read(s->stream, stream_read_cb, s);
            }
        return d->streams[S_DATA].open && d->streams[S_MESG].open;
    }
    fail(d, FALSE, "no CONNECT line in the sendbackup reply: %s", body);
    return FALSE;
}

static void
got_reply(void *arg, amclient_req_t *req, const char *body, gboolean final, const char *error)
{
    dump_t *d = arg;
    (void)req;
    if (!final)
        return;
    if (error)
        fail(d, TRUE, "%s", error);
    else if (body && !open_streams(d, body) && !d->error)
        fail(d, FALSE, "sendbackup reply without DATA and MESG streams");
    if (d->error) {
        d->finished = TRUE;
        g_main_context_wakeup(NULL);
    }
}

static void
idle_check(void *arg)
{
    dump_t *d = arg;
    gint64 dtimeout = conf_get_int(d->conf, CNF_DTIMEOUT);
    if (dtimeout > 0 && g_get_monotonic_time() - d->last_data_us > dtimeout * G_USEC_PER_SEC) {
        fail(d, TRUE, "data timeout: nothing for %" G_GINT64_FORMAT " seconds", dtimeout);
        for (int i = 0; i < S_COUNT; i++)
            close_stream(&d->streams[i]);
        d->finished = TRUE;
    }
}

static char *
request_body(dump_t *d, dle_t *dle)
{
    int maxdumps = server_dle_maxdumps(d->conf, d->entry);
    g_autofree char *opts = amclient_options_line(maxdumps, d->host, conf_name(d->conf), d->timestamp);
    g_autofree char *xml = dle_render(dle, TRUE);
    return g_strdup_printf("%s\n%s", opts, xml);
}

static gboolean
open_output(dump_t *d)
{
    g_autoptr(GError) err = NULL;
    int comp = server_comp_level(d->entry);
    if (d->holding)
        d->out = dumper_out_holding(d->holding, &d->hdr, (guint64)d->chunksize, comp, &err);
    else
        d->out = dumper_out_fd(d->to_fd, &d->hdr, comp, &err);
    if (!d->out) {
        fail(d, FALSE, "cannot open the output: %s", err->message);
        return FALSE;
    }
    if (!start_filters(d, &err)) {
        fail(d, FALSE, "cannot start the server filter programs: %s", err->message);
        return FALSE;
    }
    return TRUE;
}

static void
run_dump(dump_t *d)
{
    int level = d->level;
    g_autoptr(dle_t) dle = server_dle_new(d->conf, d->entry, &level, NULL, 1);
    build_header(d, dle);
    if (!open_output(d))
        return;
    if (server_dle_int(d->entry, DUMPTYPE_INDEX)) {
        d->index = open_index(d, INDEXFILE_UNSORTED);
        d->state = open_index(d, INDEXFILE_STATE);
    }
    g_autofree char *body = request_body(d, dle);
    d->start_us = d->last_data_us = g_get_monotonic_time();
    d->req = amclient_request(d->host, server_dle_auth(d->entry), server_dle_security_conf,
                              (void *)d->entry, "sendbackup", body,
                              (int)conf_get_int(d->conf, CNF_CTIMEOUT) + 60, got_reply, d);
    d->idle_timer = event_register(5, EV_TIME, idle_check, d);
    while (!d->finished)
        g_main_context_iteration(NULL, TRUE);
    event_release(d->idle_timer);
}

static void
finish_index(dump_t *d, gboolean ok)
{
    g_autoptr(GError) err = NULL;
    if (d->state) {
        if (ok)
            indexfile_writer_close(d->state, &err);
        else
            indexfile_writer_abort(d->state);
    }
    if (!d->index)
        return;
    if (!ok) {
        indexfile_writer_abort(d->index);
        return;
    }
    if (!indexfile_writer_close(d->index, &err)) {
        dbprintf("index: %s\n", err->message);
        return;
    }
    g_autofree char *idir = server_conf_path(d->conf, CNF_INDEXDIR);
    g_autofree char *uns = indexfile_path(idir, d->host, d->disk, d->timestamp, d->level, INDEXFILE_UNSORTED);
    g_autofree char *sorted = indexfile_path(idir, d->host, d->disk, d->timestamp, d->level, INDEXFILE_SORTED);
    if (!indexfile_sort(uns, sorted, &err))
        dbprintf("sorting the index: %s\n", err->message);
    write_index_header(d);
}

static char *
crc_str(const fileheader_crc_t *c)
{
    return g_strdup_printf("%08x:%" G_GUINT64_FORMAT, c->crc, c->size);
}

static int
report(dump_t *d)
{
    g_autofree char *qd = quote_string(d->disk);
    const char *why = d->error ? d->error : dumper_mesg_failure(&d->mesg);
    fileheader_crc_t ccrc = { 0, 0 }, scrc = { 0, 0 };
    g_autoptr(GError) err = NULL;
    gboolean ok = why == NULL;
    if (d->out && !ok) {
        dumper_out_abort(d->out);  /* a failed dump leaves nothing to flush */
    } else if (d->out && !dumper_out_finish(d->out, FALSE, &ccrc, &scrc, &err)) {
        why = err->message;
        ok = FALSE;
    }
    d->out = NULL;
    finish_index(d, ok);
    if (!ok) {
        /* a TRY-AGAIN is logged by the driver if it gives up */
        if (!d->retry)
            server_log(LOGFILE_L_FAIL, LOGFILE_P_DUMPER, "%s %s %s %d [%s]", d->host, qd,
                       d->timestamp, d->level, why);
        g_autofree char *qw = quote_string_always(why);
        printf("%s %s\n", d->retry ? "TRY-AGAIN" : "FAILED", qw);
        return 1;
    }
    double secs = MAX(server_elapsed(d->start_us), 0.001);
    gint64 out_kb = (gint64)((scrc.size + 1023) / 1024);
    gint64 orig_kb = d->mesg.size_kb >= 0 ? d->mesg.size_kb : (gint64)((ccrc.size + 1023) / 1024);
    fileheader_crc_t native = d->mesg.native_crc.size ? d->mesg.native_crc : ccrc;
    g_autofree char *ncrc = crc_str(&native), *cc = crc_str(&ccrc), *sc = crc_str(&scrc);
    g_autofree char *stats = g_strdup_printf("[sec %.3f kb %" G_GINT64_FORMAT " kps %.1f orig-kb %" G_GINT64_FORMAT "]",
                                             secs, out_kb, (double)out_kb / secs, orig_kb);
    gboolean strange = d->mesg.strange->len > 0;
    g_autoptr(GString) detail = g_string_new(NULL);
    for (guint i = 0; strange && i < d->mesg.all->len; i++)
        g_string_append_printf(detail, "\n%s", (char *)g_ptr_array_index(d->mesg.all, i));
    server_log(strange ? LOGFILE_L_STRANGE : LOGFILE_L_SUCCESS, LOGFILE_P_DUMPER,
               "%s %s %s %d %s %s %s%s", d->host, qd, d->timestamp, d->level, ncrc, cc, stats, detail->str);
    if (d->holding) {
        /* AMANDA's chunker line for an image on the holding disk (kb
         * truncated): its amreport counts a dump only with it or a taper
         * line, and takes the stored size from it. */
        gint64 hold_kb = (gint64)(scrc.size / 1024);
        server_log(LOGFILE_L_SUCCESS, LOGFILE_P_CHUNKER,
                   "%s %s %s %d %s [sec %.6f kb %" G_GINT64_FORMAT " kps %.6f]", d->host, qd,
                   d->timestamp, d->level, sc, secs, hold_kb, (double)hold_kb / secs);
    }
    g_autofree char *qs = quote_string_always(stats);
    printf("DONE %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %.0f %s %s %s %s\n", orig_kb, out_kb,
           secs, ncrc, cc, sc, qs);
    return 0;
}

int
main(int argc, char **argv)
{
    g_set_prgname("dumper");
    debug_open("server");
    /* a taper that dies gives EPIPE on the pipe, reported as a failure */
    signal(SIGPIPE, SIG_IGN);
    dump_t d = { 0 };
    d.to_fd = -1;
    g_autofree char *logpath = NULL;
    g_auto(GStrv) overrides = NULL;
    gint64 chunksize = 0;
    GOptionEntry opts[] = {
        { "timestamp", 0, 0, G_OPTION_ARG_STRING, &d.timestamp, "run timestamp", "TS" },
        { "host", 0, 0, G_OPTION_ARG_STRING, &d.host, "client", "HOST" },
        { "disk", 0, 0, G_OPTION_ARG_STRING, &d.disk, "disk", "DISK" },
        { "level", 0, 0, G_OPTION_ARG_INT, &d.level, "level", "N" },
        { "holding", 0, 0, G_OPTION_ARG_FILENAME, &d.holding, "holding file", "FILE" },
        { "chunksize", 0, 0, G_OPTION_ARG_INT64, &chunksize, "chunk size (bytes)", "N" },
        { "to-fd", 0, 0, G_OPTION_ARG_INT, &d.to_fd, "write the image to this fd", "FD" },
        { "log", 0, 0, G_OPTION_ARG_FILENAME, &logpath, "run log", "FILE" },
        { "override", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "config override", "NAME=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2 || !d.timestamp || !d.host ||
        !d.disk || (!d.holding && d.to_fd < 0)) {
        fprintf(stderr, "usage: dumper CONFIG --timestamp TS --host H --disk D --level N "
                        "(--holding FILE | --to-fd FD)\n");
        return 2;
    }
    d.chunksize = chunksize;
    d.conf = server_load_config(argv[1], overrides);
    server_dle_set_conf(d.conf);
    disklist_t *dl = server_load_disklist(d.conf);
    server_log_open(logpath);
    dumper_mesg_init(&d.mesg);
    d.entry = disklist_find(dl, d.host, d.disk);
    if (!d.entry)
        fail(&d, FALSE, "%s:%s is not in the disklist", d.host, d.disk);
    else
        run_dump(&d);
    int rc = report(&d);
    fflush(stdout);
    amclient_free(d.req);
    if (d.to_fd >= 0)
        close(d.to_fd);
    dumper_mesg_clear(&d.mesg);
    fileheader_clear(&d.hdr);
    server_log_close();
    disklist_free(dl);
    conf_free(d.conf);
    g_free(d.error);
    g_free(d.timestamp);
    g_free(d.host);
    g_free(d.disk);
    g_free(d.holding);
    debug_close();
    return rc;
}
