/* taper: writes dumps to volumes.  The driver sends one command a line on
 * stdin and reads one result line on stdout:
 *
 *   FILE-WRITE <handle> <holding-file> <orig-kb> <native-crc> <client-crc> <server-crc>
 *   PORT-WRITE <handle> <fifo> <orig-kb>      (the dumper writes header + data there)
 *   QUIT
 *
 *   DONE <handle> <label> <filenum> <nparts> <kb> "<stats>"
 *   PARTIAL <handle> <label> <filenum> <nparts> <kb> "<why>"
 *   NO-VOLUME <handle> "<why>"       FAILED <handle> "<why>"
 *
 * Each dump is written as parts of the tapetype's part_size, every part a
 * tape file with a SPLIT_FILE header ("part N/-1"), so AMANDA's amrestore
 * and dd+tar read it.  When a volume fills (end of medium) the part is
 * rewritten on the next volume, as long as runtapes allows and the source
 * can give the part again (a holding file, or a FIFO with a part cache:
 * taper-source.c).  PART/PARTPARTIAL/DONE lines go to the run log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "admin-util.h"
#include "amutil.h"
#include "debug.h"
#include "dumper-mesg.h"
#include "holding.h"
#include "server-util.h"
#include "taper.h"
#include "taper-source.h"

typedef taper_source_t source_t;

typedef struct {
    char *handle;
    gint64 orig_kb;
    fileheader_crc_t native, client, server;
    int nparts;
    int first_filenum;
    char *first_label;
    guint64 bytes;
    gint64 start_us;
} job_t;

static void
part_header(const source_t *s, const job_t *j, int partnum, dumpfile_t *h)
{
    fileheader_copy(h, &s->hdr);
    h->type = FILEHEADER_SPLIT_DUMPFILE;
    h->partnum = partnum;
    h->totalparts = -1;
    g_clear_pointer(&h->cont_filename, g_free);
    h->is_partial = FALSE;
    h->orig_size = j->orig_kb > 0 ? j->orig_kb : 0;
    h->native_crc = j->native;
    h->client_crc = j->client;
    h->server_crc = j->server;
}

static void
log_part(taper_t *t, const source_t *s, const job_t *j, int partnum, int filenum,
         guint64 bytes, gint64 start_us, gboolean partial)
{
    g_autofree char *qd = quote_string(s->hdr.disk);
    double secs = MAX(server_elapsed(start_us), 0.000001);
    server_log(partial ? LOGFILE_L_PARTPARTIAL : LOGFILE_L_PART, LOGFILE_P_TAPER,
               "%s %s %d %s %s %s %d/-1 %d [sec %f bytes %" G_GUINT64_FORMAT " kps %f orig-kb %" G_GINT64_FORMAT "]%s",
               taper_storage_prefix(t), t->label, filenum, s->hdr.host, qd, s->hdr.datestamp, partnum,
               s->hdr.dumplevel, secs, bytes, (double)bytes / 1024.0 / secs, j->orig_kb,
               partial ? " \"No space left on device\"" : "");
}

typedef enum { PART_OK, PART_EOM, PART_ERROR } part_result_t;

/* Write one part starting with the FIRST block already read (LEN bytes). */
static part_result_t
write_part(taper_t *t, source_t *s, job_t *j, int partnum, char *buf, gssize len,
           guint64 part_limit, guint64 *written, GError **error)
{
    dumpfile_t h;
    fileheader_init(&h);
    part_header(s, j, partnum, &h);
    gboolean ok = device_start_file(t->dev, &h, error);
    fileheader_clear(&h);
    if (!ok)
        return t->dev->is_eom ? PART_EOM : PART_ERROR;
    *written = 0;
    gsize bs = t->dev->block_size;
    while (len > 0) {
        if (!device_write_block(t->dev, buf, (gsize)len, error))
            return t->dev->is_eom ? PART_EOM : PART_ERROR;
        *written += (guint64)len;
        if ((gsize)len < bs || (part_limit && *written >= part_limit))
            break;
        len = taper_source_read(s, buf, bs);
        if (len < 0) {
            g_set_error(error, g_quark_from_static_string("taper"), 1, "reading the dump failed");
            return PART_ERROR;
        }
    }
    return device_finish_file(t->dev, error) ? PART_OK : PART_ERROR;
}

static gboolean
ensure_volume(taper_t *t, GError **error)
{
    return t->dev || taper_volume_open(t, error);
}

static char *
stats_of(const job_t *j)
{
    double secs = MAX(server_elapsed(j->start_us), 0.000001);
    return g_strdup_printf("[sec %f bytes %" G_GUINT64_FORMAT " kps %f orig-kb %" G_GINT64_FORMAT "]",
                           secs, j->bytes, (double)j->bytes / 1024.0 / secs, j->orig_kb);
}

static char *
crc_text(const fileheader_crc_t *c)
{
    return g_strdup_printf("%08x:%" G_GUINT64_FORMAT, c->crc, c->size);
}

static char *
partial_reply(taper_t *t, job_t *j, const char *qh, const char *why)
{
    (void)t;
    g_autofree char *qw = quote_string_always(why);
    if (!j->first_label)
        return g_strdup_printf("FAILED %s %s", qh, qw);
    return g_strdup_printf("PARTIAL %s %s %d %d %" G_GUINT64_FORMAT " %s", qh, j->first_label,
                           j->first_filenum, j->nparts, j->bytes / 1024, qw);
}

static char *
done_reply(taper_t *t, const source_t *s, job_t *j, const char *qh)
{
    g_autofree char *stats = stats_of(j);
    g_autofree char *qd = quote_string(s->hdr.disk);
    g_autofree char *n = crc_text(&j->native), *c = crc_text(&j->client), *sv = crc_text(&j->server);
    server_log(LOGFILE_L_DONE, LOGFILE_P_TAPER, "%s %s %s %s %d %d %s %s %s %s", taper_storage_prefix(t),
               s->hdr.host, qd, s->hdr.datestamp, j->nparts, s->hdr.dumplevel, n, c, sv, stats);
    g_autofree char *qs = quote_string_always(stats);
    return g_strdup_printf("DONE %s %s %d %d %" G_GUINT64_FORMAT " %s", qh, j->first_label,
                           j->first_filenum, j->nparts, (j->bytes + 1023) / 1024, qs);
}

/* Write every part; returns the reply line. */
static char *
write_dump(taper_t *t, source_t *s, job_t *j)
{
    const conf_section_t *tt = conf_lookup(t->conf, CONF_TAPETYPE, conf_get_str(t->conf, CNF_TAPETYPE));
    guint64 part_limit = tt ? (guint64)conf_value_int(conf_section_get(tt, TAPETYPE_PART_SIZE)) * 1024 : 0;
    g_autoptr(GError) err = NULL;
    g_autofree char *qh = quote_string_always(j->handle);
    if (!ensure_volume(t, &err)) {
        g_autofree char *qe = quote_string_always(err->message);
        return g_strdup_printf("NO-VOLUME %s %s", qh, qe);
    }
    gsize bs = t->dev->block_size;
    if (part_limit)
        part_limit = MAX(bs, part_limit / bs * bs);
    g_autofree char *buf = g_malloc(bs);
    guint64 part_start = 0;
    if (part_limit && tt)
        taper_source_set_cache(s, (int)conf_value_int(conf_section_get(tt, TAPETYPE_PART_CACHE_TYPE)),
                               conf_value_str(conf_section_get(tt, TAPETYPE_PART_CACHE_DIR)));
    for (int partnum = 1;; partnum++) {
        taper_source_part_start(s);
        gssize n = taper_source_read(s, buf, bs);
        if (n < 0 || (n == 0 && partnum > 1))
            break;
        for (;;) {
            gint64 pstart_us = g_get_monotonic_time();
            guint64 written = 0;
            g_clear_error(&err);
            part_result_t r = write_part(t, s, j, partnum, buf, n, part_limit, &written, &err);
            int filenum = t->dev->file;
            t->volume_bytes += written;
            if (r == PART_OK) {
                t->volume_files++;
                log_part(t, s, j, partnum, filenum, written, pstart_us, FALSE);
                if (!j->first_label) {
                    j->first_label = g_strdup(t->label);
                    j->first_filenum = filenum;
                }
                j->nparts = partnum;
                j->bytes += written;
                part_start += written;
                break;
            }
            if (r == PART_EOM) {
                device_finish_file(t->dev, NULL);
                log_part(t, s, j, partnum, filenum, written, pstart_us, TRUE);
                taper_volume_close(t);
                g_clear_error(&err);
                if (taper_source_rewind_part(s, part_start) && taper_volume_open(t, &err) &&
                    (n = taper_source_read(s, buf, bs)) >= 0)
                    continue;
            }
            return partial_reply(t, j, qh, err ? err->message : "volume full");
        }
        if (taper_source_done(s))
            break;
    }
    return done_reply(t, s, j, qh);
}

/* FILE-WRITE handle file orig-kb native client server | PORT-WRITE handle fifo orig-kb */
static char *
do_write(taper_t *t, char **tok, gboolean fifo)
{
    guint n = g_strv_length(tok);
    if (n < 4)
        return g_strdup_printf("BAD-COMMAND \"%s needs at least 3 arguments\"", tok[0]);
    job_t j = { 0 };
    j.handle = tok[1];
    j.orig_kb = g_ascii_strtoll(tok[3], NULL, 10);
    if (n >= 7) {
        dumper_parse_crc(tok[4], &j.native);
        dumper_parse_crc(tok[5], &j.client);
        dumper_parse_crc(tok[6], &j.server);
    }
    j.start_us = g_get_monotonic_time();
    source_t s;
    g_autoptr(GError) err = NULL;
    char *reply;
    if (!taper_source_open(&s, tok[2], fifo, &err)) {
        g_autofree char *qh = quote_string_always(j.handle);
        g_autofree char *qe = quote_string_always(err->message);
        reply = g_strdup_printf("FAILED %s %s", qh, qe);
    } else {
        reply = write_dump(t, &s, &j);
    }
    taper_source_close(&s);
    g_free(j.first_label);
    return reply;
}

static void
command_loop(taper_t *t)
{
    char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        g_strchomp(line);
        dbprintf("command: %s\n", line);
        g_auto(GStrv) tok = split_quoted_strings(line);
        if (!tok[0])
            continue;
        g_autofree char *reply = NULL;
        if (strcmp(tok[0], "QUIT") == 0)
            break;
        else if (strcmp(tok[0], "FILE-WRITE") == 0)
            reply = do_write(t, tok, FALSE);
        else if (strcmp(tok[0], "PORT-WRITE") == 0)
            reply = do_write(t, tok, TRUE);
        else
            reply = g_strdup_printf("BAD-COMMAND \"unknown command %s\"", tok[0]);
        dbprintf("reply: %s\n", reply);
        printf("%s\n", reply);
        fflush(stdout);
    }
}

int
main(int argc, char **argv)
{
    admin_start("taper");
    g_autofree char *timestamp = NULL, *logpath = NULL;
    g_auto(GStrv) overrides = NULL;
    GOptionEntry opts[] = {
        { "timestamp", 0, 0, G_OPTION_ARG_STRING, &timestamp, "run timestamp", "TS" },
        { "log", 0, 0, G_OPTION_ARG_FILENAME, &logpath, "run log", "FILE" },
        { "override", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "config override", "NAME=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
        fprintf(stderr, "usage: taper CONFIG [--timestamp TS] [--log FILE]\n");
        return 2;
    }
    taper_t t = { 0 };
    t.conf = server_load_config(argv[1], overrides);
    t.timestamp = timestamp ? g_strdup(timestamp) : g_malloc(15);
    if (!timestamp)
        amanda_timestamp(time(NULL), t.timestamp);
    t.runtapes = (int)MAX(1, conf_get_int(t.conf, CNF_RUNTAPES));
    server_log_open(logpath);
    server_log(LOGFILE_L_INFO, LOGFILE_P_TAPER, "taper pid %d", (int)getpid());
    command_loop(&t);
    taper_volume_close(&t);
    if (t.chg)
        changer_free(t.chg);
    server_log(LOGFILE_L_INFO, LOGFILE_P_TAPER, "pid-done %d", (int)getpid());
    server_log_close();
    g_free(t.label);
    g_free(t.last_error);
    g_free(t.timestamp);
    conf_free(t.conf);
    debug_close();
    return 0;
}
