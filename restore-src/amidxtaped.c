/* amidxtaped: the tape server amrecover restores through, run by amandad
 * as the "amidxtaped" service.  It answers "CONNECT CTL 150 DATA 151
 * STATE 152" (the REP), then on the CTL stream (lines end in CR LF) takes
 * AMANDA's request lines (FEATURES=, CONFIG=, LABEL=, FSF=, HEADER,
 * DEVICE=, HOST=, DISK=, DATESTAMP=, END), loads the volumes LABEL lists
 * through the config's changer, and runs the exchange amrecover expects:
 *   HEADER-SEND-SIZE n / HEADER-READY / (header text on DATA) / HEADER-DONE
 *   STATE-SEND / STATE-READY / (state file on STATE) / STATE-DONE
 *   USE-DAR YES|NO / (answer) / AVAIL-DATAPATH / USE-DATAPATH AMANDA / DATAPATH-OK
 *   DATA-SEND / DATA-READY / (every part, as on the volumes, on DATA)
 * The data goes out as stored (compressed or not); the header tells
 * amrecover how to undo it.  With Direct Access Recovery (USE-DAR YES both
 * ways: a state file was sent, the image is neither compressed nor
 * encrypted so its offsets are the application's, and amrecover has the
 * amidxtaped_dar feature), amrecover sends "DAR start:end" lines (end
 * inclusive, -1 for the end of the image) after DATA-SEND, then DAR-DONE
 * (DATA-READY may come before, among or after them), and only those bytes
 * go out, in that order: parts that hold none of them are skipped when the
 * catalogue gives every part's size, and bytes within a part are seeked
 * past (read and dropped on a device that cannot seek).
 * Built in restore-src because it shares the volume reading of amfetchdump. */
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
#include "dar.h"
#include "debug.h"
#include "find.h"
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
    am_features_t *their_features;  /* amrecover's FEATURES=, or NULL */
    gboolean state_sent;
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
            am_features_free(t->their_features);
            t->their_features = am_features_from_hex(val, NULL);
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

/* The volume LABEL, waiting up to VOLUME_WAIT_SECONDS while another
 * process holds it: amrecover asks for its next dump as soon as it has
 * the bytes of the last one, which can be before the amidxtaped that sent
 * them has given the volume back. */
#define VOLUME_WAIT_SECONDS 30
static ChangerReservation *
load_label(Tape *t, const char *label, GError **error)
{
    gint64 give_up = g_get_monotonic_time() + VOLUME_WAIT_SECONDS * G_USEC_PER_SEC;
    for (;;) {
        GError *err = NULL;
        ChangerReservation *res = changer_load_label(t->chg, label, &err);
        if (res)
            return res;
        if (!g_error_matches(err, CHANGER_ERR, CHANGER_ERR_IN_USE) ||
            g_get_monotonic_time() > give_up) {
            g_propagate_error(error, err);
            return NULL;
        }
        dbprintf("volume '%s': %s; waiting\n", label, err->message);
        g_error_free(err);
        g_usleep(G_USEC_PER_SEC / 10);
    }
}

/* Position at file VF and return its (checked) header. */
static dumpfile_t *
seek_file(Tape *t, const VolFile *vf, int partnum)
{
    GError *err = NULL;
    if (!t->dev || g_strcmp0(t->dev->volume_label, vf->label) != 0) {
        g_clear_pointer(&t->dev, device_free);
        g_clear_pointer(&t->res, changer_release);
        t->res = load_label(t, vf->label, &err);
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
        t->state_sent = lines->len > 0;
    }
    /* without a state file the STATE stream stays open until we exit: an
     * early end of it, unread, stalled the client's CTL reads */
}

/* USE-DAR, when amrecover knows it: TRUE when both sides said YES.  The
 * ranges amrecover asks for are offsets in the image the application
 * reads, which are the stored bytes only when nothing was compressed or
 * encrypted. */
static gboolean
negotiate_dar(Tape *t, const dumpfile_t *first)
{
    if (!t->their_features || !am_feature_test(t->their_features, AM_FEATURE_AMIDXTAPED_DAR))
        return FALSE;
    gboolean offer = t->state_sent && !first->compressed && !first->encrypted;
    ctl_send(t, "USE-DAR %s", offer ? "YES" : "NO");
    g_autofree char *line = ctl_read(t);
    if (!line || !g_str_has_prefix(line, "USE-DAR "))
        fail(t, "no answer to USE-DAR");
    if (strcmp(line + 8, "YES") != 0 && strcmp(line + 8, "NO") != 0)
        fail(t, "the answer to USE-DAR is \"%s\", not YES or NO", line);
    return offer && strcmp(line + 8, "YES") == 0;
}

static gboolean
negotiate(Tape *t, const dumpfile_t *first)
{
    gboolean dar = negotiate_dar(t, first);
    if (!ctl_expect(t, "AVAIL-DATAPATH"))
        fail(t, "no AVAIL-DATAPATH");
    ctl_send(t, "USE-DATAPATH AMANDA");
    if (!ctl_expect(t, "DATAPATH-OK"))
        fail(t, "no DATAPATH-OK");
    ctl_send(t, "DATA-SEND");
    /* with DAR, send_dar_data takes DATA-READY: AMANDA's amrecover may
     * relay its application's first DAR lines before it */
    if (!dar && !ctl_expect(t, "DATA-READY"))
        fail(t, "no DATA-READY");
    return dar;
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
    dbprintf("sent %" G_GUINT64_FORMAT " bytes (the whole image)\n", imagesink_bytes_in(sink));
    close(DATA_OUT);
}

/* ---- Direct Access Recovery: only the byte ranges amrecover asks for ---- */

/* A read position in the image, across its parts. */
typedef struct {
    Tape *t;
    guint part;             /* index in t->files of the part being read */
    guint64 part_start;     /* image offset where that part starts */
    guint64 pos;            /* image offset of buf[off] */
    char *buf;
    gsize len, off;         /* bytes in buf, and consumed */
    gboolean at_end;        /* past the last part */
    gboolean part_touched;  /* bytes of the current part were read */
    GArray *part_bytes;     /* guint64 per part from the catalogue, or NULL */
    gboolean cannot_seek;   /* the device cannot skip bytes: read them */
    guint64 read, seeked, skipped_parts;
} Cursor;

/* Every part's size from the catalogue, in part order; NULL unless all
 * are known and add up to the header's SERVER-CRC size (when it has one). */
static GArray *
catalogue_part_sizes(Tape *t, const dumpfile_t *first)
{
    g_autofree char *logdir = confchanger_path(t->conf, CNF_LOGDIR);
    g_autofree char *tapelist = confchanger_path(t->conf, CNF_TAPELIST);
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) found = find_dumps(logdir, tapelist, &err);
    if (!found) {
        dbprintf("dar: no catalogue (%s): parts are read, not skipped\n", err->message);
        return NULL;
    }
    GArray *sizes = g_array_new(FALSE, TRUE, sizeof(guint64));
    g_array_set_size(sizes, t->files->len);
    guint known = 0;
    guint64 total = 0;
    for (guint i = 0; i < found->len; i++) {
        const find_result_t *r = found->pdata[i];
        if (g_strcmp0(r->hostname, first->host) || g_strcmp0(r->diskname, first->disk) ||
            g_strcmp0(r->timestamp, first->datestamp) || r->level != first->dumplevel ||
            r->bytes < 0)
            continue;
        for (guint p = 0; p < t->files->len; p++) {
            const VolFile *vf = &g_array_index(t->files, VolFile, p);
            if (vf->file == r->filenum && g_strcmp0(vf->label, r->label) == 0 &&
                g_array_index(sizes, guint64, p) == 0) {
                g_array_index(sizes, guint64, p) = (guint64)r->bytes;
                known++;
                total += (guint64)r->bytes;
            }
        }
    }
    if (known != t->files->len || (first->server_crc.size && total != first->server_crc.size)) {
        dbprintf("dar: the catalogue gives %u of %u part sizes (%" G_GUINT64_FORMAT
                 " bytes): parts are read, not skipped\n", known, t->files->len, total);
        g_array_unref(sizes);
        return NULL;
    }
    return sizes;
}

/* Position the device at the start of part P's data (which it already is
 * for the first part when nothing was read, skipped or seeked yet). */
static void
cursor_enter_part(Cursor *c, guint p, guint64 part_start)
{
    Tape *t = c->t;
    const VolFile *vf = &g_array_index(t->files, VolFile, p);
    gboolean moved = c->read || c->seeked || c->skipped_parts;
    if (p != 0 || moved || !t->dev || t->dev->file != (int)vf->file)
        device_header_free(seek_file(t, vf, (int)p + 1));
    c->part = p;
    c->part_start = c->pos = part_start;
    c->len = c->off = 0;
    c->at_end = c->part_touched = FALSE;
}

/* More bytes at buf[off]; FALSE at the end of the image. */
static gboolean
cursor_fill(Cursor *c)
{
    while (c->off == c->len) {
        if (c->at_end)
            return FALSE;
        gsize size = VOLREAD_DEFAULT_BLOCK;
        GError *err = NULL;
        gssize n = device_read_block(c->t->dev, c->buf, &size, &err);
        if (n < 0)
            fail(c->t, "volume '%s' file %d: %s", c->t->dev->volume_label, c->t->dev->file,
                 err ? err->message : "read error");
        if (n > 0) {
            c->len = (gsize)n;
            c->off = 0;
            c->read += (guint64)n;
            c->part_touched = TRUE;
        } else if (c->part + 1 < c->t->files->len) {
            cursor_enter_part(c, c->part + 1, c->pos);
        } else {
            c->at_end = TRUE;
        }
    }
    return TRUE;
}

/* Move to image offset TO, skipping whole parts the catalogue sizes
 * allow, reading and dropping the rest. */
static void
cursor_seek(Cursor *c, guint64 to)
{
    if (to < c->pos)
        cursor_enter_part(c, 0, 0);     /* a range before the last one: start again */
    if (c->part_bytes) {
        guint p = c->part;
        guint64 start = c->part_start;
        while (p + 1 < c->t->files->len && to >= start + g_array_index(c->part_bytes, guint64, p))
            start += g_array_index(c->part_bytes, guint64, p++);
        if (p != c->part) {
            c->skipped_parts += p - c->part - 1 + !c->part_touched;
            cursor_enter_part(c, p, start);
        }
    }
    while (c->pos < to) {
        if (c->off == c->len && !c->cannot_seek && c->t->dev->in_file) {
            guint64 n = 0;
            GError *err = NULL;
            if (device_skip_bytes(c->t->dev, to - c->pos, &n, &err)) {
                c->pos += n;
                c->seeked += n;
                if (c->pos == to)
                    break;
            } else if (g_error_matches(err, DEVICE_ERR, DEVICE_ERR_NOT_IMPLEMENTED)) {
                c->cannot_seek = TRUE;
                g_error_free(err);
            } else {
                fail(c->t, "volume '%s' file %d: %s", c->t->dev->volume_label,
                     c->t->dev->file, err->message);
            }
        }
        if (!cursor_fill(c))
            break;
        gsize n = (gsize)MIN((guint64)(c->len - c->off), to - c->pos);
        c->off += n;
        c->pos += n;
    }
}

/* Send image bytes START..END (inclusive, or DAR_END_OF_IMAGE). */
static guint64
cursor_send(Cursor *c, guint64 start, guint64 end)
{
    cursor_seek(c, start);
    guint64 sent = 0;
    while ((end == DAR_END_OF_IMAGE || c->pos <= end) && cursor_fill(c)) {
        gsize n = c->len - c->off;
        if (end != DAR_END_OF_IMAGE)
            n = (gsize)MIN((guint64)n, end - c->pos + 1);
        if (full_write(DATA_OUT, c->buf + c->off, n) != (ssize_t)n)
            fail(c->t, "writing the DATA stream: %s", g_strerror(errno));
        c->off += n;
        c->pos += n;
        sent += n;
    }
    return sent;
}

/* After DATA-SEND: DATA-READY and every DAR line up to DAR-DONE (AMANDA's
 * amrecover may send DAR lines before DATA-READY), then those ranges in
 * the order given.  All lines are read first: sending while amrecover
 * still writes them could fill the data path in both directions. */
static void
send_dar_data(Tape *t, dumpfile_t *first)
{
    g_autoptr(GArray) ranges = g_array_new(FALSE, FALSE, sizeof(DarRange));
    gboolean ready = FALSE, done = FALSE;
    while (!ready || !done) {
        g_autofree char *line = ctl_read(t);
        if (!line)
            fail(t, "amrecover closed the connection before %s", ready ? "DAR-DONE" : "DATA-READY");
        if (strcmp(line, "DATA-READY") == 0 && !ready) {
            ready = TRUE;
            continue;
        }
        if (strcmp(line, "DAR-DONE") == 0 && !done) {
            done = TRUE;
            continue;
        }
        DarRange r;
        if (done)
            fail(t, "\"%s\" after DAR-DONE (expected DATA-READY)", line);
        if (!dar_parse_line(line, &r.start, &r.end))
            fail(t, "\"%s\" is not \"DAR start:end\" or DAR-DONE", line);
        g_array_append_val(ranges, r);
    }
    if (ranges->len == 1 && g_array_index(ranges, DarRange, 0).start == 0 &&
        g_array_index(ranges, DarRange, 0).end == DAR_END_OF_IMAGE) {
        dbprintf("dar: the whole image asked for\n");
        send_data(t, first);   /* which also checks its CRC */
        return;
    }
    Cursor c = { .t = t, .buf = volread_alloc_buffer(VOLREAD_DEFAULT_BLOCK),
                 .part_bytes = catalogue_part_sizes(t, first) };
    /* the image size: the header's (a dump written straight to the volume
     * has none), else the catalogue's parts added up; logged with what is
     * to be sent before anything is, as amrecover may close the connection
     * (and amandad end us) as soon as it has the last byte */
    guint64 image = 0, planned = 0;
    for (guint i = 0; c.part_bytes && i < c.part_bytes->len; i++)
        image += g_array_index(c.part_bytes, guint64, i);
    if (first->server_crc.size)
        image = first->server_crc.size;
    for (guint i = 0; image && i < ranges->len; i++) {
        const DarRange *r = &g_array_index(ranges, DarRange, i);
        planned += (guint64)dar_range_bytes(r->start, r->end, image);
    }
    dbprintf("dar: %u range(s), %" G_GUINT64_FORMAT " bytes to send of a %" G_GUINT64_FORMAT
             "-byte image\n", ranges->len, planned, image);
    cursor_enter_part(&c, 0, 0);
    guint64 sent = 0;
    for (guint i = 0; i < ranges->len; i++) {
        const DarRange *r = &g_array_index(ranges, DarRange, i);
        sent += cursor_send(&c, r->start, r->end);
    }
    dbprintf("dar: sent %" G_GUINT64_FORMAT " bytes in %u range(s) of a %" G_GUINT64_FORMAT
             "-byte image; read %" G_GUINT64_FORMAT " bytes, seeked past %" G_GUINT64_FORMAT
             ", skipped %" G_GUINT64_FORMAT " whole part(s) of %u\n", sent, ranges->len, image,
             c.read, c.seeked, c.skipped_parts, t->files->len);
    g_clear_pointer(&t->dev, device_free);
    g_clear_pointer(&t->res, changer_release);
    if (c.part_bytes)
        g_array_unref(c.part_bytes);
    free(c.buf);
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
    if (negotiate(&t, first))
        send_dar_data(&t, first);
    else
        send_data(&t, first);
    device_header_free(first);
    g_clear_pointer(&t.dev, device_free);
    g_clear_pointer(&t.res, changer_release);
    changer_free(t.chg);
    conf_free(t.conf);
    g_array_unref(t.files);
    am_features_free(t.their_features);
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
