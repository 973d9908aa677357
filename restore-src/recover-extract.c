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

/* The application's restore, reading the image on a pipe. */
typedef struct {
    GPid pid;
    int in_fd;
} App;

static gboolean
start_application(App *app, const RecoverTarget *t, const RecoverDump *d, const dumpfile_t *h)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    if (h->program && strcmp(h->program, "APPLICATION") == 0) {
        const char *name = h->application && *h->application ? h->application : "amgtar";
        g_ptr_array_add(argv, g_build_filename(amanda_application_dir(), name, NULL));
        g_ptr_array_add(argv, g_strdup("restore"));
        g_ptr_array_add(argv, g_strdup_printf("--config=%s", t->config));
        g_ptr_array_add(argv, g_strdup_printf("--disk=%s", t->disk));
        g_ptr_array_add(argv, g_strdup_printf("--level=%d", d->level));
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
    int p[2];
    if (pipe(p) < 0)
        return FALSE;
    GError *err = NULL;
    gboolean ok = g_spawn_async_with_pipes_and_fds(
        t->local_dir, (const char *const *)argv->pdata, NULL,
        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL, p[0], STDOUT_FILENO, -1,
        NULL, NULL, 0, &app->pid, NULL, NULL, NULL, &err);
    close(p[0]);
    if (!ok) {
        fprintf(stderr, "amrecover: cannot run %s: %s\n", (char *)argv->pdata[0], err->message);
        g_error_free(err);
        close(p[1]);
        return FALSE;
    }
    app->in_fd = p[1];
    return TRUE;
}

static gboolean
finish_application(App *app)
{
    if (app->in_fd >= 0)
        close(app->in_fd);
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

/* DATA: the image, decompressed as HEADER says, into the application. */
static gboolean
receive_data(RecoverStream *data, const RecoverTarget *t, const RecoverDump *d,
             const dumpfile_t *h)
{
    App app = { .in_fd = -1 };
    if (!start_application(&app, t, d, h))
        return FALSE;
    ImageSinkOptions so = { .decompress = TRUE, .decrypt = TRUE };
    GError *err = NULL;
    Feed f = { imagesink_new(app.in_fd, "the restore program", h, &so, &err), 0 };
    /* the header's SERVER-CRC size, when there is one, says where the data ends */
    gboolean ok = f.sink &&
                  recover_stream_drain_limit(data, h->server_crc.size, feed_chunk, &f) &&
                  imagesink_finish(f.sink, &err);
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

/* The CTL exchange after END, until the data has been restored. */
static gboolean
converse(RecoverConn *c, const RecoverTarget *t, const RecoverDump *d)
{
    RecoverStream *ctl = recover_conn_stream(c, "CTL");
    RecoverStream *data = recover_conn_stream(c, "DATA");
    RecoverStream *state = recover_conn_stream(c, "STATE");
    dumpfile_t h;
    fileheader_init(&h);
    gboolean ok = FALSE, have_header = FALSE;
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
            if (state)
                recover_stream_drain(state, discard, NULL);   /* no direct access yet */
            recover_stream_send_line(ctl, "STATE-DONE");
        } else if (g_str_has_prefix(line, "USE-DAR")) {
            recover_stream_send_line(ctl, "USE-DAR NO");
            recover_stream_send_line(ctl, "AVAIL-DATAPATH AMANDA");
        } else if (g_str_has_prefix(line, "USE-DATAPATH")) {
            recover_stream_send_line(ctl, "DATAPATH-OK");
        } else if (strcmp(line, "DATA-SEND") == 0) {
            recover_stream_send_line(ctl, "DATA-READY");
            if (!have_header) {
                fprintf(stderr, "amrecover: the tape server sent no usable header\n");
                break;
            }
            ok = receive_data(data, t, d, &h);
            break;
        }
    }
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
