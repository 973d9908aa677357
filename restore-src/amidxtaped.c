/* amidxtaped: the tape server amrecover restores through, run by amandad
 * as the "amidxtaped" service.  It answers "CONNECT CTL 150 DATA 151
 * STATE 152" (the REP), then on the CTL stream (lines end in CR LF) takes
 * AMANDA's request lines (FEATURES=, CONFIG=, LABEL=, FSF=, HEADER,
 * DEVICE=, HOST=, DISK=, DATESTAMP=, END), loads the volumes LABEL lists
 * through the config's changer, and runs the exchange amrecover expects:
 *   HEADER-SEND-SIZE n / HEADER-READY / (header text on DATA) / HEADER-DONE
 *   STATE-SEND / STATE-READY / (state file on STATE) / STATE-DONE
 *   USE-DAR NO / (echo) / AVAIL-DATAPATH / USE-DATAPATH AMANDA / DATAPATH-OK
 *   DATA-SEND / DATA-READY / (every part, as on the volumes, on DATA)
 * The data goes out as stored (compressed or not); the header tells
 * amrecover how to undo it.  Built in restore-src because it shares the
 * volume reading of amfetchdump. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amfeatures.h"
#include "amutil.h"
#include "conf.h"
#include "confchanger.h"
#include "debug.h"
#include "imagesink.h"
#include "indexfile.h"
#include "volread.h"

#define CTL_OUT 150
#define CTL_IN 151
#define DATA_OUT 152
#define STATE_OUT 154
#define MAX_LINE (64 * 1024)

typedef struct {
    char *label;
    gint64 file;
} VolFile;

typedef struct {
    FILE *ctl;
    char *config, *labels, *device, *host_re, *disk_re, *datestamp;
    gboolean header;
    conf_t *conf;
    GArray *files;          /* VolFile, in part order */
    Changer *chg;
    ChangerReservation *res;
    Device *dev;
} Tape;

static void G_GNUC_PRINTF(2, 3)
ctl_send(Tape *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    dbprintf("CTL >> %s\n", line);
    g_autofree char *crlf = g_strconcat(line, "\r\n", NULL);
    (void)t;
    full_write(CTL_OUT, crlf, strlen(crlf));
}

/* Next CTL line without CR LF, or NULL at EOF. */
static char *
ctl_read(Tape *t)
{
    char buf[MAX_LINE];
    if (!fgets(buf, sizeof buf, t->ctl))
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    dbprintf("CTL << %s\n", buf);
    return g_strdup(buf);
}

/* Wait for a line starting with WANT; FALSE (after a message) otherwise. */
static gboolean
ctl_expect(Tape *t, const char *want)
{
    g_autofree char *line = ctl_read(t);
    if (line && g_str_has_prefix(line, want))
        return TRUE;
    dbprintf("expected %s, got %s\n", want, line ? line : "EOF");
    return FALSE;
}

static void
fail(Tape *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3) G_GNUC_NORETURN;

static void
fail(Tape *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    ctl_send(t, "MESSAGE %s", msg);
    dbprintf("failing: %s\n", msg);
    close(DATA_OUT);
    close(STATE_OUT);
    debug_close();
    exit(1);
}

static void
free_volfile(gpointer p)
{
    g_free(((VolFile *)p)->label);
}

/* "ST:LABEL:1,2;ST:LABEL2:3" (with '\' escapes) -> VolFile list. */
static GArray *
parse_labels(const char *text)
{
    GArray *files = g_array_new(FALSE, FALSE, sizeof(VolFile));
    g_array_set_clear_func(files, free_volfile);
    GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);
    for (const char *p = text;; p++) {
        if (*p == '\\' && p[1]) {
            g_string_append_c(cur, *++p);
            continue;
        }
        if (*p && *p != ':' && *p != ',' && *p != ';') {
            g_string_append_c(cur, *p);
            continue;
        }
        g_ptr_array_add(fields, g_strdup(cur->str));
        g_string_truncate(cur, 0);
        if (*p == ':' || *p == ',')
            continue;
        /* end of one volume: [storage:]label:file[,file...] */
        if (fields->len >= 2) {
            guint first_file = fields->len >= 3 ? 2 : 1;
            const char *label = fields->pdata[first_file - 1];
            for (guint i = first_file; i < fields->len; i++) {
                VolFile vf = { g_strdup(label), g_ascii_strtoll(fields->pdata[i], NULL, 10) };
                g_array_append_val(files, vf);
            }
        }
        g_ptr_array_set_size(fields, 0);
        if (!*p)
            break;
    }
    g_string_free(cur, TRUE);
    g_ptr_array_unref(fields);
    return files;
}

static void
read_request(Tape *t)
{
    for (;;) {
        g_autofree char *line = ctl_read(t);
        if (!line)
            fail(t, "amrecover closed the connection before END");
        if (strcmp(line, "END") == 0)
            return;
        char *eq = strchr(line, '=');
        const char *val = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        if (strcmp(line, "FEATURES") == 0) {
            am_features_t *ours = am_features_ours();
            g_autofree char *hex = am_features_to_hex(ours);
            am_features_free(ours);
            ctl_send(t, "FEATURES=%s", hex);
        } else if (strcmp(line, "CONFIG") == 0) {
            g_free(t->config), t->config = g_strdup(val);
        } else if (strcmp(line, "LABEL") == 0) {
            g_free(t->labels), t->labels = g_strdup(val);
        } else if (strcmp(line, "DEVICE") == 0) {
            g_free(t->device), t->device = g_strdup(val);
        } else if (strcmp(line, "HOST") == 0) {
            g_free(t->host_re), t->host_re = g_strdup(val);
        } else if (strcmp(line, "DISK") == 0) {
            g_free(t->disk_re), t->disk_re = g_strdup(val);
        } else if (strcmp(line, "DATESTAMP") == 0) {
            g_free(t->datestamp), t->datestamp = g_strdup(val);
        } else if (strcmp(line, "HEADER") == 0) {
            t->header = TRUE;
        }
        /* FSF= and unknown keys: the LABEL list already says where */
    }
}

static gboolean
regex_match(const char *re, const char *subject)
{
    if (!re || !*re)
        return TRUE;
    g_autoptr(GRegex) rx = g_regex_new(re, 0, 0, NULL);
    return rx ? g_regex_match(rx, subject ? subject : "", 0, NULL)
              : g_strcmp0(re, subject) == 0;
}

/* Position at file VF and return its (checked) header. */
static dumpfile_t *
seek_file(Tape *t, const VolFile *vf, int partnum)
{
    GError *err = NULL;
    if (!t->dev || g_strcmp0(t->dev->volume_label, vf->label) != 0) {
        g_clear_pointer(&t->dev, device_free);
        g_clear_pointer(&t->res, changer_release);
        t->res = changer_load_label(t->chg, vf->label, &err);
        if (!t->res)
            fail(t, "volume '%s' is needed but cannot be loaded: %s", vf->label, err->message);
        t->dev = volread_open(t->res->device_name, vf->label, 0, &err);
        if (!t->dev)
            fail(t, "%s", err->message);
    }
    dumpfile_t *h = device_seek_file(t->dev, (int)vf->file, &err);
    if (!h)
        fail(t, "volume '%s' file %" G_GINT64_FORMAT ": %s", vf->label, vf->file, err->message);
    if (t->dev->file != (int)vf->file || !volread_is_dump(h) || !regex_match(t->host_re, h->host) ||
        !regex_match(t->disk_re, h->disk) || g_strcmp0(h->datestamp, t->datestamp) != 0 ||
        (h->type == FILEHEADER_SPLIT_DUMPFILE && h->partnum != partnum))
        fail(t, "volume '%s' file %" G_GINT64_FORMAT " is not part %d of the dump asked for",
             vf->label, vf->file, partnum);
    return h;
}

static void
send_header(Tape *t, const dumpfile_t *first)
{
    dumpfile_t h;
    fileheader_copy(&h, first);
    h.type = FILEHEADER_DUMPFILE;   /* the whole dump, as a holding file says */
    GError *err = NULL;
    gsize len = 0;
    g_autofree char *text = fileheader_to_text(&h, &len, &err);
    fileheader_clear(&h);
    if (!text)
        fail(t, "cannot build the header: %s", err->message);
    ctl_send(t, "HEADER-SEND-SIZE %" G_GSIZE_FORMAT, len);
    if (!ctl_expect(t, "HEADER-READY"))
        fail(t, "amrecover did not accept the header");
    full_write(DATA_OUT, text, len);
    if (!ctl_expect(t, "HEADER-DONE"))
        fail(t, "amrecover did not read the header");
}

/* The application's state (direct-access offsets) from the index dir. */
static void
send_state(Tape *t, const dumpfile_t *first)
{
    const char *idx = conf_get_str(t->conf, CNF_INDEXDIR);
    g_autofree char *indexdir = g_path_is_absolute(idx) ? g_strdup(idx)
                                                        : g_build_filename(conf_dir(t->conf), idx, NULL);
    g_autofree char *path = indexfile_path(indexdir, first->host, first->disk, first->datestamp,
                                           first->dumplevel, INDEXFILE_STATE);
    g_autoptr(GPtrArray) lines = g_file_test(path, G_FILE_TEST_EXISTS)
                                     ? indexfile_read_lines(path, NULL) : NULL;
    if (lines) {
        ctl_send(t, "STATE-SEND");
        if (!ctl_expect(t, "STATE-READY"))
            fail(t, "amrecover did not accept the state file");
        for (guint i = 0; i < lines->len; i++) {
            g_autofree char *l = g_strconcat(lines->pdata[i], "\n", NULL);
            full_write(STATE_OUT, l, strlen(l));
        }
        close(STATE_OUT);
        if (!ctl_expect(t, "STATE-DONE"))
            fail(t, "amrecover did not read the state file");
    }
    /* without a state file the STATE stream stays open until we exit: an
     * early end of it, unread, stalled the client's CTL reads */
}

static void
negotiate(Tape *t)
{
    ctl_send(t, "USE-DAR NO");
    if (!ctl_expect(t, "USE-DAR"))
        fail(t, "no answer to USE-DAR");
    if (!ctl_expect(t, "AVAIL-DATAPATH"))
        fail(t, "no AVAIL-DATAPATH");
    ctl_send(t, "USE-DATAPATH AMANDA");
    if (!ctl_expect(t, "DATAPATH-OK"))
        fail(t, "no DATAPATH-OK");
    ctl_send(t, "DATA-SEND");
    if (!ctl_expect(t, "DATA-READY"))
        fail(t, "no DATA-READY");
}

static void
send_data(Tape *t, dumpfile_t *first)
{
    ImageSinkOptions so = { .raw = TRUE };
    GError *err = NULL;
    g_autoptr(ImageSink) sink = imagesink_new(DATA_OUT, "the DATA stream", first, &so, &err);
    if (!sink)
        fail(t, "%s", err->message);
    for (guint i = 0; i < t->files->len; i++) {
        const VolFile *vf = &g_array_index(t->files, VolFile, i);
        if (i > 0)
            device_header_free(seek_file(t, vf, (int)i + 1));
        else if (t->dev->file != (int)vf->file)
            device_header_free(seek_file(t, vf, 1));
        if (!volread_copy_file(t->dev, sink, NULL, &err))
            fail(t, "%s", err->message);
    }
    /* give the volume back before amrecover sees the end of the data: it
     * may ask for the next dump on the same volume at once */
    g_clear_pointer(&t->dev, device_free);
    g_clear_pointer(&t->res, changer_release);
    if (!imagesink_finish(sink, &err) || !imagesink_verify(sink, first, &err))
        dbprintf("after sending: %s\n", err->message);
    close(DATA_OUT);
}

static gboolean
answer_request(void)
{
    g_autofree char *req = NULL;
    gsize len = 0;
    GIOChannel *ch = g_io_channel_unix_new(STDIN_FILENO);
    g_io_channel_read_to_end(ch, &req, &len, NULL);
    g_io_channel_unref(ch);
    dbprintf("request: %s\n", req ? req : "");
    const char *rep = "CONNECT CTL 150 DATA 151 STATE 152\n\n";
    if (full_write(STDOUT_FILENO, rep, strlen(rep)) != (ssize_t)strlen(rep))
        return FALSE;
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        close(devnull);
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    g_set_prgname("amidxtaped");
    debug_open("server");
    dbprintf("started as amidxtaped %s %s\n", argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "");
    if (fcntl(CTL_OUT, F_GETFD) < 0 || fcntl(CTL_IN, F_GETFD) < 0 ||
        fcntl(DATA_OUT, F_GETFD) < 0) {
        fprintf(stderr, "amidxtaped: fds 150-155 are not open: amidxtaped is a service that "
                "amandad starts (list it in amandad's arguments)\n");
        return 1;
    }
    if (!answer_request())
        return 1;
    Tape t = { 0 };
    t.ctl = fdopen(CTL_IN, "r");
    read_request(&t);
    if (!t.config || !t.labels || !t.datestamp)
        fail(&t, "the request lacks CONFIG, LABEL or DATESTAMP");
    GError *err = NULL;
    t.conf = conf_load_checked(t.config, NULL, 0, NULL, &err);
    if (!t.conf)
        fail(&t, "configuration %s: %s", t.config, err->message);
    t.files = parse_labels(t.labels);
    if (t.files->len == 0)
        fail(&t, "no volume in LABEL=%s", t.labels);
    t.chg = confchanger_open(t.conf, t.device && *t.device ? t.device : NULL, &err);
    if (!t.chg)
        fail(&t, "%s", err->message);
    dumpfile_t *first = seek_file(&t, &g_array_index(t.files, VolFile, 0), 1);
    if (t.header)
        send_header(&t, first);
    send_state(&t, first);
    negotiate(&t);
    send_data(&t, first);
    device_header_free(first);
    g_clear_pointer(&t.dev, device_free);
    g_clear_pointer(&t.res, changer_release);
    changer_free(t.chg);
    conf_free(t.conf);
    g_array_unref(t.files);
    g_free(t.config);
    g_free(t.labels);
    g_free(t.device);
    g_free(t.host_re);
    g_free(t.disk_re);
    g_free(t.datestamp);
    fclose(t.ctl);
    dbprintf("done\n");
    debug_close();
    return 0;
}
