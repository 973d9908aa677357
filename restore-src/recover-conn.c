/* recover-conn: amrecover's service connections (see recover-conn.h). */
#include "recover-conn.h"

#include <stdlib.h>
#include <string.h>

#include "debug.h"
#include "event.h"
#include "protocol.h"

G_DEFINE_QUARK(recover-conn-error-quark, recover_conn_error)
#define RECOVER_CONN_ERROR (recover_conn_error_quark())
enum { RECOVER_CONN_ERROR_AUTH, RECOVER_CONN_ERROR_FAILED };

struct RecoverStream {
    security_stream_t *ss;
    GByteArray *buf;   /* received, not yet consumed */
    gboolean eof;
};

typedef struct {
    const char *port;
    RecoverConn *conn;
    char *error;
    gboolean done;
} Pending;

static const char *
conf_answer(const char *key, void *arg)
{
    const Pending *p = arg;
    if (strcmp(key, "client_port") == 0)
        return p->port;
    return NULL;
}

static void
stream_free(gpointer p)
{
    RecoverStream *s = p;
    if (s->ss)
        security_stream_close(s->ss);
    g_byte_array_unref(s->buf);
    g_free(s);
}

/* "CONNECT TAG id TAG id ..." -> open each stream. */
static void
open_streams(Pending *p, const char *body, security_handle_t *handle)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "ERROR")) {
            p->error = g_strdup(*l);
            return;
        }
        if (!g_str_has_prefix(*l, "CONNECT "))
            continue;
        g_auto(GStrv) w = g_strsplit(*l + 8, " ", -1);
        for (int i = 0; w[i] && w[i + 1]; i += 2) {
            int id = atoi(w[i + 1]);
            security_stream_t *ss = security_stream_client(handle, id);
            if (!ss || security_stream_auth(ss) < 0) {
                p->error = g_strdup_printf("cannot open the %s stream: %s", w[i],
                                           ss ? security_stream_geterror(ss)
                                              : security_geterror(handle));
                if (ss)
                    security_stream_close(ss);
                return;
            }
            RecoverStream *s = g_new0(RecoverStream, 1);
            s->ss = ss;
            s->buf = g_byte_array_new();
            g_hash_table_replace(p->conn->streams, g_strdup(w[i]), s);
        }
        return;
    }
    p->error = g_strdup_printf("the server's reply names no stream: %s", body);
}

static void
on_reply(void *arg, pkt_t *pkt, security_handle_t *handle, security_status_t status)
{
    Pending *p = arg;
    if (pkt && pkt->type == P_PREP)
        return;
    p->done = TRUE;
    if (status != S_OK || !pkt) {
        p->error = g_strdup(security_geterror(handle));
        return;
    }
    if (pkt->type == P_NAK) {
        p->error = g_strdup_printf("the server refused: %s", pkt->body->str);
        return;
    }
    open_streams(p, pkt->body->str, handle);
}

RecoverConn *
recover_conn_open(const char *host, const char *auth, const char *port, const char *service,
                  const char *features_hex, GError **error)
{
    const security_driver_t *drv = security_getdriver(auth);
    if (!drv || !security_driver_is_implemented(drv)) {
        g_set_error(error, RECOVER_CONN_ERROR, RECOVER_CONN_ERROR_AUTH,
                    "auth \"%s\" is not available (use bsdtcp or local)", auth);
        return NULL;
    }
    RecoverConn *c = g_new0(RecoverConn, 1);
    c->streams = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, stream_free);
    Pending p = { .port = port, .conn = c };
    /* bsd-family auth names the requesting user; local needs nothing */
    g_autofree char *security = strcmp(auth, "local") == 0
                                    ? g_strdup("")
                                    : g_strdup_printf("SECURITY USER %s\n", g_get_user_name());
    g_autofree char *body = g_strdup_printf("%sSERVICE %s\nOPTIONS features=%s;auth=%s;\n",
                                            security, service, features_hex, auth);
    protocol_sendreq(host, drv, conf_answer, &p, body, 60, on_reply, &p);
    protocol_run_until_done();
    if (p.error || g_hash_table_size(c->streams) == 0) {
        g_set_error(error, RECOVER_CONN_ERROR, RECOVER_CONN_ERROR_FAILED, "%s on %s: %s", service, host,
                    p.error ? p.error : "no reply");
        g_free(p.error);
        recover_conn_free(c);
        return NULL;
    }
    return c;
}

void
recover_conn_free(RecoverConn *c)
{
    if (!c)
        return;
    g_hash_table_unref(c->streams);
    g_free(c);
}

RecoverStream *
recover_conn_stream(RecoverConn *c, const char *tag)
{
    return g_hash_table_lookup(c->streams, tag);
}

gboolean
recover_stream_write(RecoverStream *s, const void *buf, gsize len)
{
    return s->ss && security_stream_write(s->ss, buf, len) == 0;
}

gboolean
recover_stream_send_line(RecoverStream *s, const char *line)
{
    dbprintf(">> %s\n", line);
    g_autofree char *crlf = g_strconcat(line, "\r\n", NULL);
    return recover_stream_write(s, crlf, strlen(crlf));
}

/* Read one more chunk into the buffer; FALSE at EOF or error. */
static gboolean
fill(RecoverStream *s)
{
    if (s->eof || !s->ss)
        return FALSE;
    void *data = NULL;
    ssize_t n = security_stream_read_sync(s->ss, &data);
    if (n <= 0) {
        s->eof = TRUE;
        return FALSE;
    }
    g_byte_array_append(s->buf, data, (guint)n);
    return TRUE;
}

char *
recover_stream_read_line(RecoverStream *s)
{
    for (;;) {
        guint8 *nl = s->buf->len ? memchr(s->buf->data, '\n', s->buf->len) : NULL;
        if (nl) {
            gsize len = (gsize)(nl - s->buf->data);
            char *line = g_strndup((char *)s->buf->data, len);
            g_byte_array_remove_range(s->buf, 0, (guint)len + 1);
            line[strcspn(line, "\r")] = '\0';
            dbprintf("<< %s\n", line);
            return line;
        }
        if (!fill(s)) {
            if (s->buf->len == 0)
                return NULL;
            char *rest = g_strndup((char *)s->buf->data, s->buf->len);
            g_byte_array_set_size(s->buf, 0);
            return rest;
        }
    }
}

char *
recover_stream_read_exact(RecoverStream *s, gsize len)
{
    while (s->buf->len < len)
        if (!fill(s))
            return NULL;
    char *out = g_malloc(len + 1);
    memcpy(out, s->buf->data, len);
    out[len] = '\0';
    g_byte_array_remove_range(s->buf, 0, (guint)len);
    return out;
}

gboolean
recover_stream_drain(RecoverStream *s, recover_chunk_fn fn, void *arg)
{
    return recover_stream_drain_limit(s, 0, fn, arg);
}

typedef struct {
    RecoverStream *s;
    recover_chunk_fn fn;
    void *arg;
    guint64 limit, done;
    gboolean finished, ok;
} Drain;

static void
drain_stop(Drain *d)
{
    d->finished = TRUE;
    security_stream_read_cancel(d->s->ss);
}

/* Give FN the part of BUF within the limit; bytes past it are kept in the
 * stream's buffer for the next reader.  FALSE when draining is over (the
 * limit reached, or FN failed: then d->ok is FALSE). */
static gboolean
drain_take(Drain *d, const guint8 *buf, gsize size)
{
    gsize take = size;
    if (d->limit && d->done + take > d->limit)
        take = (gsize)(d->limit - d->done);
    if (take && !d->fn(buf, take, d->arg)) {
        d->ok = FALSE;
        return FALSE;
    }
    d->done += take;
    if (take < size)
        g_byte_array_append(d->s->buf, buf + take, (guint)(size - take));
    return !(d->limit && d->done >= d->limit);
}

/* Each chunk goes to FN straight from the stream's frame buffer: read
 * through recover_stream_read's buffer, every chunk of an image was
 * copied twice more (and a 256 KiB block allocated and freed for each),
 * a quarter of amrecover's time in an extraction. */
static void
drain_chunk(void *arg, void *buf, ssize_t size)
{
    Drain *d = arg;
    if (size <= 0)
        d->s->eof = TRUE;
    if (size <= 0 || !drain_take(d, buf, (gsize)size))
        drain_stop(d);
}

gboolean
recover_stream_drain_limit(RecoverStream *s, guint64 limit, recover_chunk_fn fn, void *arg)
{
    Drain d = { .s = s, .fn = fn, .arg = arg, .limit = limit, .ok = TRUE };
    /* what a line read left buffered comes first */
    g_autoptr(GByteArray) pending = s->buf;
    s->buf = g_byte_array_new();
    if ((pending->len && !drain_take(&d, pending->data, pending->len)) || s->eof || !s->ss)
        return d.ok;
    security_stream_read(s->ss, drain_chunk, &d);
    while (!d.finished && event_count() > 0)
        g_main_context_iteration(NULL, TRUE);
    if (!d.finished) {
        security_stream_read_cancel(s->ss);
        s->eof = TRUE;
    }
    return d.ok;
}

void
recover_stream_close(RecoverStream *s)
{
    if (s->ss) {
        security_stream_close(s->ss);
        s->ss = NULL;
    }
}
