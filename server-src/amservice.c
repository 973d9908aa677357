/* amservice: run one service on a client's amandad by hand, as AMANDA 3.5's
 * amservice does: the request body comes from stdin (or -f FILE), the REP
 * body goes to stdout, and each --stream NAME,IN,OUT named in the reply's
 * CONNECT line is relayed: what the client sends on it is written to file
 * descriptor OUT, what is read from IN is sent to the client.  No
 * amanda.conf is read; -o sets the connection's settings (client_port,
 * client_username, amandad_path, ...).  An admin checks a client with
 * `amservice HOST bsdtcp noop </dev/null`. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amclient.h"
#include "amfeatures.h"
#include "amutil.h"
#include "debug.h"
#include "event.h"

#define MAX_STREAMS 32
#define IN_CHUNK (64 * 1024)

/* The -o names amservice passes to the security driver. */
static const char *const conf_keys[] = {
    "client_port", "client_username", "amandad_path", "connect_timeout", "tcpportrange",
    "reserved_tcp_port", "unreserved_tcp_port", NULL,
};

typedef struct svc svc_t;

typedef struct {
    svc_t *svc;
    char *name;
    int in_fd, out_fd;
    security_stream_t *stream;
    event_handle_t *in_ev;
    char *in_buf;
    gboolean open;
} relay_t;

struct svc {
    const char *host, *auth, *service, *config, *features, *req_file;
    gboolean first_stream_stdio;
    GHashTable *conf;
    relay_t relays[MAX_STREAMS];
    int nrelays, open_relays;
    gboolean finished;
    int rc;
};

static void G_GNUC_NORETURN
usage(void)
{
    fprintf(stderr,
            "Usage: amservice [-f input_file [-s]] [--config CONFIG] [--features FEATURES]\n"
            "                 [--stream NAME,IN,OUT]... [-o NAME=VALUE]... HOST AUTH SERVICE\n");
    exit(1);
}

static int
parse_fd(const char *spec, const char *text)
{
    char *end = NULL;
    long fd = strtol(text, &end, 10);
    if (!*text || *end || fd < 0 || fd > 1024)
        am_fatal("--stream %s: \"%s\" is not a file descriptor number", spec, text);
    if (fcntl((int)fd, F_GETFD) < 0)
        am_fatal("--stream %s: file descriptor %ld is not open (redirect it, e.g. %ld</dev/null)",
            spec, fd, fd);
    return (int)fd;
}

/* A relay for stream NAME between IN and OUT (-1: none); NULL when the
 * table is full. */
static relay_t *
new_relay(svc_t *s, const char *name, int in_fd, int out_fd)
{
    if (s->nrelays == MAX_STREAMS)
        return NULL;
    relay_t *r = &s->relays[s->nrelays++];
    *r = (relay_t){ .svc = s, .name = g_strdup(name), .in_fd = in_fd, .out_fd = out_fd };
    return r;
}

static void
add_stream(svc_t *s, const char *spec)
{
    g_auto(GStrv) f = g_strsplit(spec, ",", -1);
    if (g_strv_length(f) != 3 || !*f[0])
        am_fatal("--stream %s: expected NAME,IN,OUT (for example DATA,5,6)", spec);
    int in_fd = parse_fd(spec, f[1]), out_fd = parse_fd(spec, f[2]);
    if (!new_relay(s, f[0], in_fd, out_fd))
        am_fatal("more than %d --stream options", MAX_STREAMS);
}

static void
add_override(svc_t *s, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        am_fatal("-o %s: expected NAME=VALUE", arg);
    g_autofree char *key = g_strndup(arg, (gsize)(eq - arg));
    g_strdelimit(key, "-", '_');
    if (!g_strv_contains(conf_keys, key)) {
        g_autofree char *known = g_strjoinv(", ", (char **)conf_keys);
        am_fatal("-o %s: amservice does not use \"%s\" (it knows %s)", arg, key, known);
    }
    g_hash_table_replace(s->conf, g_steal_pointer(&key), g_strdup(eq + 1));
}

static const char *
amservice_conf(const char *key, void *arg)
{
    svc_t *s = arg;
    return g_hash_table_lookup(s->conf, key);
}

static void
parse_args(int argc, char **argv, svc_t *s)
{
    const char *pos[3];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        gboolean has_next = i + 1 < argc;
        if (strcmp(a, "-f") == 0 && has_next)
            s->req_file = argv[++i];
        else if (strcmp(a, "-s") == 0)
            s->first_stream_stdio = TRUE;
        else if (strcmp(a, "--config") == 0 && has_next)
            s->config = argv[++i];
        else if (strcmp(a, "--features") == 0 && has_next)
            s->features = argv[++i];
        else if (strcmp(a, "--stream") == 0 && has_next)
            add_stream(s, argv[++i]);
        else if (strcmp(a, "-o") == 0 && has_next)
            add_override(s, argv[++i]);
        else if (g_str_has_prefix(a, "-o") && a[2])
            add_override(s, a + 2);
        else if (a[0] == '-' && a[1])
            usage();
        else if (npos < 3)
            pos[npos++] = a;
        else
            usage();
    }
    if (npos != 3)
        usage();
    if (s->first_stream_stdio && !s->req_file)
        am_fatal("-s needs -f: stdin carries the first stream, so the request must come from a file");
    s->host = pos[0];
    s->auth = pos[1];
    s->service = pos[2];
}

/* "OPTIONS features=...;hostname=HOST;[config=C;]" then the caller's text. */
static char *
request_body(const svc_t *s)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (s->req_file) {
        if (!g_file_get_contents(s->req_file, &text, &len, &err))
            am_fatal("cannot read the request: %s", err->message);
    } else {
        GString *in = g_string_new(NULL);
        char buf[4096];
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
            if (n > 0)
                g_string_append_len(in, buf, n);
        text = g_string_free(in, FALSE);
    }
    g_autofree char *ours = NULL;
    if (!s->features) {
        am_features_t *f = am_features_ours();
        ours = am_features_to_hex(f);
        am_features_free(f);
    }
    GString *body = g_string_new(NULL);
    g_string_append_printf(body, "OPTIONS features=%s;hostname=%s;",
                           s->features ? s->features : ours, s->host);
    if (s->config)
        g_string_append_printf(body, "config=%s;", s->config);
    g_string_append_c(body, '\n');
    g_string_append(body, text);
    return g_string_free(body, FALSE);
}

static void
finish(svc_t *s)
{
    s->finished = TRUE;
    g_main_context_wakeup(NULL);
}

static void
relay_close(relay_t *r)
{
    if (!r->open)
        return;
    r->open = FALSE;
    if (r->in_ev)
        event_release(r->in_ev);
    r->in_ev = NULL;
    security_stream_read_cancel(r->stream);
    security_stream_close(r->stream);
    if (r->out_fd > 2)
        close(r->out_fd);
    if (--r->svc->open_relays == 0)
        finish(r->svc);
}

/* Client to us: straight to OUT. */
static void
stream_data(void *arg, void *buf, ssize_t size)
{
    relay_t *r = arg;
    if (size > 0) {
        if (r->out_fd < 0 || full_write(r->out_fd, buf, (size_t)size) == size)
            return;
        fprintf(stderr, "amservice: stream %s: cannot write to file descriptor %d: %s\n",
                r->name, r->out_fd, g_strerror(errno));
        r->svc->rc = 1;
    } else if (size < 0) {
        fprintf(stderr, "amservice: stream %s: %s\n", r->name,
                security_stream_geterror(r->stream));
        r->svc->rc = 1;
    }
    relay_close(r);
}

static void in_readable(void *arg);

static void
in_written(void *arg, security_stream_t *stream, security_status_t status)
{
    relay_t *r = arg;
    (void)stream;
    if (status != S_OK) {
        fprintf(stderr, "amservice: stream %s: cannot send: %s\n", r->name,
                security_stream_geterror(r->stream));
        r->svc->rc = 1;
        relay_close(r);
        return;
    }
    if (r->open)
        r->in_ev = event_register((event_id_t)r->in_fd, EV_READFD, in_readable, r);
}

/* Us to the client: one chunk in flight at a time.  At the end of IN the
 * stream stays open for what the client still sends. */
static void
in_readable(void *arg)
{
    relay_t *r = arg;
    ssize_t n = read(r->in_fd, r->in_buf, IN_CHUNK);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    event_release(r->in_ev);
    r->in_ev = NULL;
    if (n > 0)
        security_stream_write_async(r->stream, r->in_buf, (size_t)n, in_written, r);
}

static relay_t *
relay_named(svc_t *s, const char *name, gboolean first)
{
    if (first && s->first_stream_stdio)
        return new_relay(s, name, 0, 1);
    for (int i = 0; i < s->nrelays; i++)
        if (strcmp(s->relays[i].name, name) == 0 && !s->relays[i].stream)
            return &s->relays[i];
    /* Not asked for: read and dropped, so the client is never stuck on it
     * and its frames do not arrive for a stream nobody opened. */
    return new_relay(s, name, -1, -1);
}

/* "CONNECT DATA 499999 MESG 499998 ..." */
static void
open_streams(svc_t *s, security_handle_t *handle, const char *body)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!g_str_has_prefix(*l, "CONNECT "))
            continue;
        g_auto(GStrv) t = g_strsplit(*l + 8, " ", -1);
        for (int i = 0; t[i] && t[i + 1]; i += 2) {
            relay_t *r = relay_named(s, t[i], i == 0);
            if (!r)
                continue;
            r->stream = security_stream_client(handle, atoi(t[i + 1]));
            if (!r->stream || security_stream_auth(r->stream) < 0) {
                fprintf(stderr, "amservice: cannot open stream %s\n", t[i]);
                s->rc = 1;
                continue;
            }
            r->open = TRUE;
            s->open_relays++;
            security_stream_read(r->stream, stream_data, r);
            if (r->in_fd >= 0) {
                r->in_buf = g_malloc(IN_CHUNK);
                r->in_ev = event_register((event_id_t)r->in_fd, EV_READFD, in_readable, r);
            }
        }
    }
}

static void
got_reply(void *arg, amclient_req_t *req, const char *body, gboolean final, const char *error)
{
    svc_t *s = arg;
    if (error) {
        /* on stdout, as AMANDA's amservice: a refusal as the client's own
         * "ERROR ..." text, anything else after "Request failed:" */
        const char *refused = strstr(error, ": request refused: ");
        if (refused)
            printf("%s\n", refused + strlen(": request refused: "));
        else
            printf("Request failed: %s\n", error);
        fflush(stdout);
        dbprintf("%s\n", error);
        s->rc = 1;
        finish(s);
        return;
    }
    if (!s->first_stream_stdio) {
        fputs(body, stdout);
        fflush(stdout);
    }
    if (!final)
        return;
    open_streams(s, amclient_handle(req), body);
    if (s->open_relays == 0)
        finish(s);
}

int
main(int argc, char **argv)
{
    g_set_prgname("amservice");
    debug_open("server");
    svc_t s = { .conf = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free) };
    parse_args(argc, argv, &s);
    g_autofree char *body = request_body(&s);
    dbprintf("amservice: %s service %s over %s\n", s.host, s.service, s.auth);
    amclient_req_t *req = amclient_request(s.host, s.auth, amservice_conf, &s, s.service, body,
                                           24 * 3600, got_reply, &s);
    while (!s.finished)
        g_main_context_iteration(NULL, TRUE);
    amclient_free(req);
    for (int i = 0; i < s.nrelays; i++) {
        g_free(s.relays[i].name);
        g_free(s.relays[i].in_buf);
    }
    g_hash_table_unref(s.conf);
    dbprintf("amservice: exit %d\n", s.rc);
    debug_close();
    return s.rc;
}
