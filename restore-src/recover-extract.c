/* recover-extract: restore chosen files through amidxtaped (see
 * recover-extract.h). */
#include "recover-extract.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amanda_paths.h"
#include "amutil.h"
#include "dar.h"
#include "debug.h"
#include "fileheader.h"
#include "imagesink.h"
#include "recover-conn.h"

RecoverDump *
recover_dump_new(const char *timestamp, int level, const char *tapes, gint64 file)
{
    RecoverDump *d = g_new0(RecoverDump, 1);
    d->timestamp = g_strdup(timestamp);
    d->level = level;
    d->tapes = g_strdup(tapes);
    d->file = file;
    d->members = g_ptr_array_new_with_free_func(g_free);
    return d;
}

void
recover_dump_free(RecoverDump *d)
{
    if (!d)
        return;
    g_free(d->timestamp);
    g_free(d->tapes);
    g_ptr_array_unref(d->members);
    g_free(d);
}

static gint
by_level_then_date(gconstpointer a, gconstpointer b)
{
    const RecoverDump *x = *(RecoverDump *const *)a, *y = *(RecoverDump *const *)b;
    if (x->level != y->level)
        return x->level - y->level;
    return strcmp(x->timestamp, y->timestamp);
}

/* "^name$" with the regex specials escaped, as AMANDA's amrecover sends. */
static char *
anchored(const char *s)
{
    g_autofree char *esc = g_regex_escape_string(s, -1);
    return g_strdup_printf("^%s$", esc);
}

static gboolean
send_request(RecoverStream *ctl, const RecoverTarget *t, const RecoverDump *d)
{
    g_autofree char *host = anchored(t->host);
    g_autofree char *disk = anchored(t->disk);
    char *lines[] = {
        g_strdup_printf("FEATURES=%s", t->features_hex),
        g_strdup_printf("CONFIG=%s", t->config),
        g_strdup_printf("LABEL=%s", d->tapes),
        g_strdup_printf("FSF=%" G_GINT64_FORMAT, d->file),
        g_strdup("HEADER"),
        g_strdup_printf("DEVICE=%s", t->device ? t->device : ""),
        g_strdup_printf("HOST=%s", host),
        g_strdup_printf("DISK=%s", disk),
        g_strdup_printf("DATESTAMP=%s", d->timestamp),
        g_strdup("END"),
    };
    gboolean ok = TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
        ok = ok && recover_stream_send_line(ctl, lines[i]);
        g_free(lines[i]);
    }
    return ok;
}

/* The application's restore, reading the image on a pipe; with DAR it
 * also writes its ranges on a second pipe (its fd DAR_APP_FD). */
typedef struct {
    GPid pid;
    int in_fd;
    int dar_fd;      /* our end of the ranges pipe, or -1 */
} App;

#define DAR_APP_FD 3

/* The application program a dump names, or NULL for a GNUTAR dump. */
static char *
application_path(const dumpfile_t *h)
{
    if (!h->program || strcmp(h->program, "APPLICATION") != 0)
        return NULL;
    const char *name = h->application && *h->application ? h->application : "amgtar";
    return g_build_filename(amanda_application_dir(), name, NULL);
}

/* The application answers "RECOVER-DUMP-STATE-FILE YES" and "DAR YES" to
 * "support". */
static gboolean
application_supports_dar(const dumpfile_t *h)
{
    g_autofree char *app = application_path(h);
    if (!app)
        return FALSE;
    const char *argv[] = { app, "support", NULL };
    g_autofree char *out = NULL;
    gint status = -1;
    g_autoptr(GError) err = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                      NULL, &status, &err)) {
        dbprintf("dar: cannot run %s support: %s", app, err->message);
        return FALSE;
    }
    g_auto(GStrv) lines = g_strsplit(out ? out : "", "\n", -1);
    gboolean dar = FALSE, state = FALSE;
    for (char **l = lines; *l; l++) {
        g_strstrip(*l);
        dar = dar || g_ascii_strcasecmp(*l, "DAR YES") == 0;
        state = state || g_ascii_strcasecmp(*l, "RECOVER-DUMP-STATE-FILE YES") == 0;
    }
    dbprintf("dar: %s support says DAR %s, RECOVER-DUMP-STATE-FILE %s", app, dar ? "YES" : "NO",
             state ? "YES" : "NO");
    return dar && state;
}

static gboolean
start_application(App *app, const RecoverTarget *t, const RecoverDump *d, const dumpfile_t *h,
                  const char *dar_state)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    char *path = application_path(h);
    if (path) {
        g_ptr_array_add(argv, path);
        g_ptr_array_add(argv, g_strdup("restore"));
        g_ptr_array_add(argv, g_strdup_printf("--config=%s", t->config));
        g_ptr_array_add(argv, g_strdup_printf("--disk=%s", t->disk));
        g_ptr_array_add(argv, g_strdup_printf("--level=%d", d->level));
        if (dar_state) {
            g_ptr_array_add(argv, g_strdup("--dar=yes"));
            g_ptr_array_add(argv, g_strdup_printf("--state-stream=%d", DAR_APP_FD));
            g_ptr_array_add(argv, g_strdup_printf("--recover-dump-state-file=%s", dar_state));
        }
    } else {
        /* GNUTAR dumps: GNU tar itself */
        for (const char *w = "tar\0-xpGf\0-\0"; *w; w += strlen(w) + 1)
            g_ptr_array_add(argv, g_strdup(w));
    }
    for (guint i = 0; i < d->members->len; i++) {
        const char *m = d->members->pdata[i];
        while (*m == '/')
            m++;
        g_ptr_array_add(argv, g_strconcat("./", m, NULL));
    }
    g_ptr_array_add(argv, NULL);
    int p[2], r[2] = { -1, -1 };
    if (pipe(p) < 0)
        return FALSE;
    /* with the default 64 KiB pipe tar and we took turns, each waking the
     * other every few records, and the cores sat idle for 40% of an
     * extraction */
    (void)pipe_grow(p[1]);
    if (dar_state && pipe(r) < 0) {
        close(p[0]), close(p[1]);
        return FALSE;
    }
    gint source_fds[] = { r[1] }, target_fds[] = { DAR_APP_FD };
    GError *err = NULL;
    gboolean ok = g_spawn_async_with_pipes_and_fds(
        t->local_dir, (const char *const *)argv->pdata, NULL,
        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL, p[0], STDOUT_FILENO, -1,
        dar_state ? source_fds : NULL, dar_state ? target_fds : NULL, dar_state ? 1 : 0,
        &app->pid, NULL, NULL, NULL, &err);
    close(p[0]);
    if (r[1] >= 0)
        close(r[1]);
    if (!ok) {
        fprintf(stderr, "amrecover: cannot run %s: %s\n", (char *)argv->pdata[0], err->message);
        g_error_free(err);
        close(p[1]);
        if (r[0] >= 0)
            close(r[0]);
        return FALSE;
    }
    app->in_fd = p[1];
    app->dar_fd = r[0];
    return TRUE;
}

static gboolean
finish_application(App *app)
{
    if (app->in_fd >= 0)
        close(app->in_fd);
    if (app->dar_fd >= 0)
        close(app->dar_fd);
    int status = 0;
    while (waitpid(app->pid, &status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(app->pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return TRUE;
    fprintf(stderr, "amrecover: the restore program failed (status %d)\n", status);
    return FALSE;
}

typedef struct {
    ImageSink *sink;
    guint64 bytes;
} Feed;

static gboolean
feed_chunk(const void *buf, gsize len, void *arg)
{
    Feed *f = arg;
    GError *err = NULL;
    f->bytes += len;
    if (imagesink_write(f->sink, buf, len, &err))
        return TRUE;
    fprintf(stderr, "amrecover: %s\n", err->message);
    g_error_free(err);
    return FALSE;
}

/* Relay the application's "DAR start:end" lines to the tape server, then
 * DAR-DONE.  *EXPECT gets how many data bytes will come (-1: unknown, read
 * to the end of the stream). */
static gboolean
relay_dar(App *app, RecoverStream *ctl, const dumpfile_t *h, gint64 *expect)
{
    FILE *in = fdopen(app->dar_fd, "r");
    if (!in)
        return FALSE;
    app->dar_fd = -1;
    *expect = 0;
    guint n = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    gboolean ok = TRUE;
    while (ok && (len = getline(&line, &cap, in)) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        guint64 start, end;
        if (!dar_parse_line(line, &start, &end)) {
            dbprintf("dar: ignoring a line from the application: %s", line);
            continue;
        }
        gint64 bytes = dar_range_bytes(start, end, h->server_crc.size);
        *expect = *expect < 0 || bytes < 0 ? -1 : *expect + bytes;
        ok = recover_stream_send_line(ctl, line);
        dbprintf("dar: %s", line);
        n++;
    }
    free(line);
    fclose(in);
    dbprintf("dar: %u range(s), %" G_GINT64_FORMAT " bytes expected", n, *expect);
    return ok && recover_stream_send_line(ctl, "DAR-DONE");
}

/* DATA: the image, decompressed as HEADER says, into the application.
 * With DAR_STATE (the dump's state file), only the ranges the application
 * asks for, relayed to the tape server first, come on DATA. */
static gboolean
receive_data(RecoverStream *data, RecoverStream *ctl, const RecoverTarget *t,
             const RecoverDump *d, const dumpfile_t *h, const char *dar_state)
{
    App app = { .in_fd = -1, .dar_fd = -1 };
    if (!start_application(&app, t, d, h, dar_state))
        return FALSE;
    /* the header's SERVER-CRC size, when there is one, says where the data ends */
    gint64 expect = h->server_crc.size ? (gint64)h->server_crc.size : -1;
    if (dar_state && !relay_dar(&app, ctl, h, &expect)) {
        fprintf(stderr, "amrecover: cannot relay the restore program's ranges to the tape server\n");
        finish_application(&app);
        return FALSE;
    }
    ImageSinkOptions so = { .decompress = TRUE, .decrypt = TRUE };
    GError *err = NULL;
    Feed f = { imagesink_new(app.in_fd, "the restore program", h, &so, &err), 0 };
    gboolean ok = f.sink &&
                  (expect == 0 ||
                   recover_stream_drain_limit(data, expect > 0 ? (guint64)expect : 0, feed_chunk,
                                              &f)) &&
                  imagesink_finish(f.sink, &err);
    dbprintf("received %" G_GUINT64_FORMAT " bytes on DATA%s", f.bytes,
             dar_state ? " (direct access)" : "");
    if (err) {
        fprintf(stderr, "amrecover: %s\n", err->message);
        g_error_free(err);
    }
    imagesink_free(f.sink);
    fprintf(stderr, "%" G_GUINT64_FORMAT " kb\n", f.bytes / 1024);
    return finish_application(&app) && ok;
}

static gboolean
discard(const void *buf, gsize len, void *arg)
{
    (void)buf, (void)len, (void)arg;
    return TRUE;
}

typedef struct {
    guint64 bytes;
    FILE *out;
} StateSave;

static gboolean
save_chunk(const void *buf, gsize len, void *arg)
{
    StateSave *s = arg;
    s->bytes += len;
    return fwrite(buf, 1, len, s->out) == len;
}

/* The STATE stream into a temporary file; its name, or NULL when it could
 * not be kept or is empty (then no direct access). */
static char *
save_state(RecoverStream *state)
{
    g_autofree char *tmpl = g_build_filename(amanda_tmpdir(), "amrecover.XXXXXX.state", NULL);
    GError *mkerr = NULL;
    if (!mkdir_p(amanda_tmpdir(), 0700, &mkerr))
        g_clear_error(&mkerr);
    int fd = g_mkstemp(tmpl);
    if (fd < 0) {
        dbprintf("dar: cannot create %s: %s", tmpl, g_strerror(errno));
        recover_stream_drain(state, discard, NULL);
        return NULL;
    }
    StateSave s = { 0, fdopen(fd, "w") };
    if (!s.out) {
        close(fd);
        unlink(tmpl);
        recover_stream_drain(state, discard, NULL);
        return NULL;
    }
    gboolean ok = recover_stream_drain(state, save_chunk, &s);
    ok = fclose(s.out) == 0 && ok;
    dbprintf("dar: state file %s: %" G_GUINT64_FORMAT " bytes", tmpl, s.bytes);
    if (!ok || s.bytes == 0) {
        unlink(tmpl);
        return NULL;
    }
    return g_steal_pointer(&tmpl);
}

/* Our answer to the tape server's "USE-DAR YES|NO": direct access needs
 * its offer, the dump's state file, an application that can use it, and
 * an image whose offsets are the application's (not compressed or
 * encrypted). */
static gboolean
want_dar(const char *offer, const char *state_path, const dumpfile_t *h, gboolean have_header)
{
    if (strcmp(offer, "USE-DAR YES") != 0 || !state_path || !have_header)
        return FALSE;
    if (h->compressed || h->encrypted) {
        dbprintf("dar: the image is compressed or encrypted: no direct access");
        return FALSE;
    }
    return application_supports_dar(h);
}

/* The CTL exchange after END, until the data has been restored. */
static gboolean
converse(RecoverConn *c, const RecoverTarget *t, const RecoverDump *d)
{
    RecoverStream *ctl = recover_conn_stream(c, "CTL");
    RecoverStream *data = recover_conn_stream(c, "DATA");
    RecoverStream *state = recover_conn_stream(c, "STATE");
    dumpfile_t h;
    fileheader_init(&h);
    gboolean ok = FALSE, have_header = FALSE, dar = FALSE;
    g_autofree char *state_path = NULL;
    for (;;) {
        g_autofree char *line = recover_stream_read_line(ctl);
        if (!line) {
            fprintf(stderr, "amrecover: the tape server closed the connection\n");
            break;
        }
        if (g_str_has_prefix(line, "FEATURES=")) {
            continue;
        } else if (g_str_has_prefix(line, "MESSAGE ")) {
            /* the tape server reports a failure this way and gives up;
             * do not wait for streams it may leave open */
            fprintf(stderr, "amrecover: tape server: %s\n", line + 8);
            break;
        } else if (g_str_has_prefix(line, "HEADER-SEND-SIZE ")) {
            gsize n = (gsize)g_ascii_strtoull(line + 17, NULL, 10);
            recover_stream_send_line(ctl, "HEADER-READY");
            g_autofree char *text = n ? recover_stream_read_exact(data, n) : NULL;
            have_header = text && fileheader_parse(text, n, &h, NULL);
            recover_stream_send_line(ctl, "HEADER-DONE");
        } else if (strcmp(line, "STATE-SEND") == 0) {
            recover_stream_send_line(ctl, "STATE-READY");
            if (state && !state_path)
                state_path = save_state(state);
            recover_stream_send_line(ctl, "STATE-DONE");
        } else if (g_str_has_prefix(line, "USE-DAR")) {
            dar = want_dar(line, state_path, &h, have_header);
            recover_stream_send_line(ctl, dar ? "USE-DAR YES" : "USE-DAR NO");
            recover_stream_send_line(ctl, "AVAIL-DATAPATH AMANDA");
        } else if (g_str_has_prefix(line, "USE-DATAPATH")) {
            recover_stream_send_line(ctl, "DATAPATH-OK");
        } else if (strcmp(line, "DATA-SEND") == 0) {
            recover_stream_send_line(ctl, "DATA-READY");
            if (!have_header) {
                fprintf(stderr, "amrecover: the tape server sent no usable header\n");
                break;
            }
            ok = receive_data(data, ctl, t, d, &h, dar ? state_path : NULL);
            break;
        }
    }
    if (state_path)
        unlink(state_path);
    fileheader_clear(&h);
    return ok;
}

static gboolean
extract_one(const RecoverTarget *t, const RecoverDump *d)
{
    GError *err = NULL;
    RecoverConn *c = recover_conn_open(t->tape_server, t->auth, t->port, "amidxtaped",
                                       t->features_hex, &err);
    if (!c) {
        fprintf(stderr, "amrecover: cannot reach the tape server: %s\n", err->message);
        g_error_free(err);
        return FALSE;
    }
    RecoverStream *ctl = recover_conn_stream(c, "CTL");
    gboolean ok = ctl && recover_conn_stream(c, "DATA") && send_request(ctl, t, d) &&
                  converse(c, t, d);
    recover_conn_free(c);
    return ok;
}

gboolean
recover_extract(const RecoverTarget *t, GPtrArray *dumps)
{
    g_ptr_array_sort(dumps, by_level_then_date);
    gboolean ok = TRUE;
    for (guint i = 0; i < dumps->len; i++) {
        const RecoverDump *d = dumps->pdata[i];
        if (d->members->len == 0)
            continue;
        fprintf(stderr, "Extracting from the level %d dump of %s (volumes %s)\n", d->level,
                d->timestamp, d->tapes);
        if (!extract_one(t, d)) {
            fprintf(stderr, "amrecover: the level %d dump of %s was not restored; files from "
                    "later levels are not applied either\n", d->level, d->timestamp);
            ok = FALSE;
            break;
        }
    }
    return ok;
}
