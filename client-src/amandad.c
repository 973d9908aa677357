/* amandad: the client daemon.
 *
 *   amandad -auth=bsdtcp [SERVICE ...]     from inetd: the connection is
 *                                          stdin/stdout
 *   amandad -auth=local [SERVICE ...]      spawned by a server program
 *
 * Every request (conversation) on the connection is handled on its own:
 * parse the REQ, check it (allowed service, .amandahosts for the peer host,
 * the remote user and the service), NAK with the reason or ACK; run the
 * service from the libexec directory; send its output as the REP (PREPs
 * first for sendsize when the server takes partial replies); once the REP
 * is ACKed, relay the streams its CONNECT line named.  A refused or failed
 * request never ends the connection: the next one is served.  amandad
 * exits when the connection is gone and every service is over, or after
 * IDLE_SECONDS without a request.  It writes nothing but protocol bytes on
 * its socket; everything else goes to DBGDIR/amandad/amandad.*.debug. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "amandad.h"
#include "amandahosts.h"
#include "amanda_paths.h"
#include "amfeatures.h"
#include "client-util.h"
#include "conf.h"
#include "debug.h"
#include "event.h"
#include "security.h"

/* Time the server has to ACK a REP before it is resent (AMANDA's 10 s;
 * AMANDAD_ACK_TIMEOUT_MS shortens it for tests), and tries. */
#define ACK_TIMEOUT_DEFAULT_MS 10000
#define REP_TRIES 3
/* A service that has not replied after this long is stopped (AMANDA's
 * REP_TIMEOUT). */
#define REP_TIMEOUT_SECONDS (6 * 60 * 60)
#define IDLE_SECONDS 60

typedef struct {
    const security_driver_t *drv;
    gboolean stdin_is_inet;   /* a TCP socket, so the peer has an address */
    int ack_timeout_ms;
    char *auth;
    GPtrArray *allowed;
    GList *convs;
    gint64 idle_since;   /* monotonic µs; 0 while a conversation runs */
    event_handle_t *ev_tick;
    int served, refused;
} amandad_t;

typedef enum {
    CONV_RUNNING,    /* ACKed, the service is working */
    CONV_REP_SENT,   /* waiting for the server's ACK of the REP */
    CONV_STREAMING,  /* REP ACKed: streams relayed until the service ends */
    CONV_CLOSING,
} conv_state_t;

typedef struct {
    amandad_t *d;
    security_handle_t *h;
    amandad_req_t *req;
    amandad_service_t *svc;
    conv_state_t state;
    pkt_t rep;
    gboolean have_rep;
    int rep_tries;
    gboolean svc_finished;
    gboolean partial_ok;
    gsize prep_len;
    event_handle_t *ev_timeout, *ev_close;
} conv_t;

static void conv_recv(conv_t *c, int timeout_ms);

/* ------------------------------------------------------------ helpers */

static void log_packet(const char *what, const char *body)
{
    dbprintf("%s:\n<<<<<\n%s>>>>>", what, body);
}

static void send_pkt(conv_t *c, pktype_t type, const char *body)
{
    pkt_t pkt;
    pkt_init(&pkt, type, "%s", body);
    g_autofree char *what = g_strdup_printf("sending %s", pkt_type2str(type));
    log_packet(what, body);
    if (security_sendpkt(c->h, &pkt) < 0)
        dbprintf("sending %s failed: %s", pkt_type2str(type), security_geterror(c->h));
    pkt_clear(&pkt);
}

static void conv_free(conv_t *c)
{
    amandad_t *d = c->d;
    if (c->ev_timeout)
        event_release(c->ev_timeout);
    if (c->ev_close)
        event_release(c->ev_close);
    amandad_service_free(c->svc);
    if (c->h)
        security_close(c->h);
    if (c->have_rep)
        pkt_clear(&c->rep);
    amandad_req_free(c->req);
    d->convs = g_list_remove(d->convs, c);
    if (!d->convs)
        d->idle_since = g_get_monotonic_time();
    g_free(c);
}

static void conv_close_now(void *arg)
{
    conv_t *c = arg;
    event_release(c->ev_close);
    c->ev_close = NULL;
    dbprintf("request %s done", c->req && c->req->service ? c->req->service : "(refused)");
    conv_free(c);
}

/* End the conversation from the loop, never from inside a callback of
 * one of its own objects. */
static void conv_close(conv_t *c)
{
    if (c->ev_close)
        return;
    c->state = CONV_CLOSING;
    security_recvpkt_cancel(c->h);
    c->ev_close = event_register_ms(0, conv_close_now, c);
}

static void refuse(conv_t *c, const char *reason)
{
    g_autofree char *flat = g_strdup(reason);
    g_strdelimit(flat, "\r\n", ' ');
    g_autofree char *body = g_strdup_printf("ERROR %s\n", flat);
    c->d->refused++;
    dbprintf("refusing request from %s (%s): %s", security_peer_name(c->h),
             security_peer_address(c->h), flat);
    send_pkt(c, P_NAK, body);
    conv_close(c);
}

/* ------------------------------------------------------------ checks */

static char *amandahosts_path(void)
{
    const char *env = g_getenv("AMANDA_AMANDAHOSTS");
    if (env && *env)
        return g_strdup(env);
    struct passwd *pw = getpwuid(geteuid());
    return g_build_filename(pw && pw->pw_dir ? pw->pw_dir : "/", ".amandahosts", NULL);
}

static gboolean fd_is_inet_socket(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return FALSE;
    return ss.ss_family == AF_INET || ss.ss_family == AF_INET6;
}

static char *local_user(void)
{
    struct passwd *pw = getpwuid(geteuid());
    return g_strdup(pw ? pw->pw_name : g_get_user_name());
}

/* May the peer run REQ's service as REQ's user?  NULL or the reason. */
static char *check_amandahosts(conv_t *c, const amandad_req_t *req)
{
    if (strcmp(c->d->drv->name, "local") == 0)
        return NULL;   /* spawned by a program of this host and user */
    if (!req->user)
        return g_strdup_printf("the request has no SECURITY USER line, which auth %s needs",
                               c->d->drv->name);
    if (!c->d->stdin_is_inet)
        return g_strdup("access denied: cannot tell who is connecting: amandad's stdin is not a "
                        "network socket (under socat, add \",nofork\" to the EXEC address)");
    g_autofree char *path = amandahosts_path();
    g_autofree char *me = local_user();
    g_autoptr(GError) err = NULL;
    g_autoptr(amandahosts_t) hosts = amandahosts_load(path, me, &err);
    if (!hosts)
        return g_strdup_printf("access denied: %s", err->message);
    char *reason = NULL;
    if (amandahosts_check(hosts, security_peer_name(c->h), security_peer_address(c->h),
                          req->user, req->service, amandahosts_system_resolver(), &reason)) {
        dbprintf("authorised: %s", reason ? reason : "");
        g_free(reason);
        return NULL;
    }
    g_autofree char *r = reason;
    return g_strdup_printf("access denied: %s", r ? r : "not allowed by .amandahosts");
}

/* amanda-client-CONFIG.conf must parse if the request names a config. */
static char *check_client_config(const char *config)
{
    if (!config)
        return NULL;
    g_autoptr(GError) err = NULL;
    conf_t *conf = conf_load_checked(config, NULL, CONF_FLAG_CLIENT, NULL, &err);
    if (!conf)
        return g_strdup_printf("client configuration for config %s has errors: %s", config,
                               err->message);
    conf_free(conf);
    return NULL;
}

static char *allowed_list(const amandad_t *d)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < d->allowed->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", (char *)d->allowed->pdata[i]);
    return g_string_free(s, FALSE);
}

/* Every reason to refuse REQ, in the order an operator would fix them. */
static char *check_request(conv_t *c, const amandad_req_t *req, char **path)
{
    amandad_t *d = c->d;
    if (!amandad_known_service(req->service))
        return g_strdup_printf("unknown service %s", req->service);
    if (!amandad_is_allowed(d->allowed, req->service)) {
        g_autofree char *list = allowed_list(d);
        return g_strdup_printf("service %s is not allowed: amandad was started for %s only "
                               "(its inetd/systemd line lists the services)", req->service,
                               list);
    }
    if (req->auth && g_ascii_strcasecmp(req->auth, d->auth) != 0)
        return g_strdup_printf("the request asks for auth=%s but amandad runs with -auth=%s",
                               req->auth, d->auth);
    char *why = check_amandahosts(c, req);
    if (!why)
        why = check_client_config(req->config);
    if (why)
        return why;
    *path = g_build_filename(amanda_libexec_dir(), req->service, NULL);
    if (access(*path, X_OK) != 0)
        return g_strdup_printf("service %s is not installed: %s: %s", req->service, *path,
                               g_strerror(errno));
    return NULL;
}

/* ------------------------------------------------------------ the reply */

static void send_rep(conv_t *c)
{
    log_packet("sending REP", c->rep.body->str);
    if (security_sendpkt(c->h, &c->rep) < 0)
        dbprintf("sending REP failed: %s", security_geterror(c->h));
}

static void finish_reply(conv_t *c, const GString *out, gboolean too_big)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *body = NULL;

    if (c->ev_timeout) {
        event_release(c->ev_timeout);
        c->ev_timeout = NULL;
    }
    if (too_big)
        body = g_strdup_printf("ERROR [the reply of %s is over %u bytes]\n", c->req->service,
                               AMANDAD_REPLY_MAX);
    else if (out->len == 0)
        body = g_strdup_printf("ERROR [%s gave no reply; see its debug log on the client]\n",
                               c->req->service);
    else
        body = amandad_service_connect(c->svc, c->h, out->str, &err);
    if (!body) {
        amandad_service_kill(c->svc);
        body = g_strdup_printf("ERROR [%s]\n", err->message);
    }
    pkt_init(&c->rep, P_REP, "%s", body);
    c->have_rep = TRUE;
    c->state = CONV_REP_SENT;
    c->rep_tries = 1;
    send_rep(c);
    conv_recv(c, c->d->ack_timeout_ms);
}

/* sendsize output so far, as a PREP, when the server takes those. */
static void maybe_send_prep(conv_t *c, const GString *out)
{
    if (!c->partial_ok || out->len == 0 || out->str[out->len - 1] != '\n'
        || out->len == c->prep_len)
        return;
    if (!strchr(out->str, '\n') || strchr(out->str, '\n') == out->str + out->len - 1)
        return;   /* the OPTIONS line alone says nothing yet */
    c->prep_len = out->len;
    send_pkt(c, P_PREP, out->str);
}

static void on_output(void *arg, const GString *out, gboolean done, gboolean too_big)
{
    conv_t *c = arg;
    if (c->state != CONV_RUNNING)
        return;
    if (done)
        finish_reply(c, out, too_big);
    else
        maybe_send_prep(c, out);
}

static void on_finished(void *arg, int status)
{
    conv_t *c = arg;
    (void)status;
    c->svc_finished = TRUE;
    if (c->state == CONV_STREAMING)
        conv_close(c);
}

static void on_service_timeout(void *arg)
{
    conv_t *c = arg;
    event_release(c->ev_timeout);
    c->ev_timeout = NULL;
    dbprintf("%s gave no reply in %d seconds: stopping it", c->req->service,
             REP_TIMEOUT_SECONDS);
    amandad_service_kill(c->svc);
}

/* ------------------------------------------------------------ packets */

static void on_ack(conv_t *c)
{
    c->state = CONV_STREAMING;
    amandad_service_start_streams(c->svc);
    if (c->svc_finished)
        conv_close(c);
    else
        conv_recv(c, -1);
}

static void on_timeout(conv_t *c)
{
    if (c->state != CONV_REP_SENT) {
        conv_recv(c, -1);
        return;
    }
    if (c->rep_tries >= REP_TRIES) {
        dbprintf("no ACK for the REP of %s after %d tries: giving up", c->req->service,
                 c->rep_tries);
        amandad_service_kill(c->svc);
        conv_close(c);
        return;
    }
    c->rep_tries++;
    dbprintf("no ACK for the REP yet: resending it (try %d)", c->rep_tries);
    send_rep(c);
    conv_recv(c, c->d->ack_timeout_ms);
}

static void on_pkt(void *arg, pkt_t *pkt, security_status_t status)
{
    conv_t *c = arg;
    if (status == S_TIMEOUT) {
        on_timeout(c);
        return;
    }
    if (status == S_ERROR) {
        dbprintf("connection lost during %s: %s", c->req->service, security_geterror(c->h));
        amandad_service_kill(c->svc);
        conv_close(c);
        return;
    }
    g_autofree char *what = g_strdup_printf("received %s", pkt_type2str(pkt->type));
    log_packet(what, pkt->body->str);
    if (pkt->type == P_ACK && c->state == CONV_REP_SENT) {
        on_ack(c);
        return;
    }
    if (pkt->type == P_REQ && c->state == CONV_RUNNING)
        send_pkt(c, P_ACK, "");     /* our ACK was lost: the server resent */
    else if (pkt->type == P_REQ && c->state == CONV_REP_SENT)
        send_rep(c);
    else if (pkt->type == P_NAK) {
        dbprintf("the server gave up on %s", c->req->service);
        amandad_service_kill(c->svc);
        conv_close(c);
        return;
    }
    conv_recv(c, c->state == CONV_REP_SENT ? c->d->ack_timeout_ms : -1);
}

static void conv_recv(conv_t *c, int timeout_ms)
{
    security_recvpkt(c->h, on_pkt, c, timeout_ms);
}

/* ------------------------------------------------------------ requests */

static void start_service(conv_t *c, const char *path)
{
    g_autoptr(GError) err = NULL;
    const char *feat = NULL;
    g_autofree char *features = NULL;

    send_pkt(c, P_ACK, "");
    c->svc = amandad_service_start(path, c->req->service, c->d->auth, c->req->args, on_output,
                                   on_finished, c, &err);
    if (!c->svc) {
        dbprintf("%s", err->message);
        pkt_init(&c->rep, P_REP, "ERROR [%s]\n", err->message);
        c->have_rep = TRUE;
        c->state = CONV_REP_SENT;
        c->rep_tries = 1;
        send_rep(c);
        c->svc_finished = TRUE;
        conv_recv(c, c->d->ack_timeout_ms);
        return;
    }
    c->d->served++;
    if ((feat = strstr(c->req->args, "features="))) {
        feat += strlen("features=");
        features = g_strndup(feat, strcspn(feat, ";\n"));
    }
    c->partial_ok = strcmp(c->req->service, "sendsize") == 0
                    && client_peer_has_feature(features, AM_FEATURE_PARTIAL_ESTIMATE);
    c->ev_timeout = event_register(REP_TIMEOUT_SECONDS, EV_TIME, on_service_timeout, c);
    conv_recv(c, -1);
}

static void on_request(void *arg, security_handle_t *h, pkt_t *pkt)
{
    amandad_t *d = arg;
    if (!h)
        return;
    conv_t *c = g_new0(conv_t, 1);
    c->d = d;
    c->h = h;
    c->state = CONV_RUNNING;
    d->convs = g_list_append(d->convs, c);
    d->idle_since = 0;
    dbprintf("request from %s (%s)", security_peer_name(h), security_peer_address(h));
    log_packet("received REQ", pkt->body->str);

    g_autoptr(GError) err = NULL;
    c->req = amandad_parse_req(pkt->body->str, pkt->body->len, &err);
    if (!c->req) {
        refuse(c, err->message);
        return;
    }
    g_autofree char *path = NULL;
    g_autofree char *why = check_request(c, c->req, &path);
    if (why) {
        refuse(c, why);
        return;
    }
    start_service(c, path);
}

/* ------------------------------------------------------------ main */

/* Once a second: exit when the connection is gone and nothing runs, or
 * when nobody asked for anything for IDLE_SECONDS. */
static void tick(void *arg)
{
    amandad_t *d = arg;
    if (d->convs)
        return;
    gboolean gone = event_count() <= 1;
    gboolean idle = g_get_monotonic_time() - d->idle_since > (gint64)IDLE_SECONDS * G_USEC_PER_SEC;
    if (!gone && !idle)
        return;
    struct rusage ru;
    long rss = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
    dbprintf("%s: exiting (%d requests served, %d refused; max RSS %ld KiB)",
             gone ? "connection closed" : "idle for too long", d->served, d->refused, rss);
    /* For throughput work: where the CPU of the requests went. */
    struct rusage kids;
    if (getrusage(RUSAGE_CHILDREN, &kids) == 0 && rss >= 0)
        dbprintf("CPU seconds: amandad %.3f user %.3f sys; services and their children "
                 "%.3f user %.3f sys",
                 ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
                 ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
                 kids.ru_utime.tv_sec + kids.ru_utime.tv_usec / 1e6,
                 kids.ru_stime.tv_sec + kids.ru_stime.tv_usec / 1e6);
    debug_close();
    exit(0);
}

static void usage_exit(const char *msg)
{
    dbprintf("%s", msg);
    dbprintf("usage: amandad -auth=AUTH [SERVICE ...]  (services: amdump noop selfcheck "
             "sendsize sendbackup senddiscover amindexd amidxtaped amdumpd restore)");
    if (isatty(STDERR_FILENO))
        g_printerr("amandad: %s\n", msg);
    debug_close();
    exit(1);
}

static void parse_args(amandad_t *d, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        g_autoptr(GError) err = NULL;
        dbprintf("argv[%d] = %s", i, argv[i]);
        if (g_str_has_prefix(argv[i], "-auth=")) {
            g_free(d->auth);
            d->auth = g_strdup(argv[i] + strlen("-auth="));
        } else if (argv[i][0] == '-') {
            g_autofree char *m = g_strdup_printf("unknown option %s", argv[i]);
            usage_exit(m);
        } else if (!amandad_add_allowed(d->allowed, argv[i], &err)) {
            usage_exit(err->message);
        }
    }
    if (d->allowed->len == 0)
        amandad_add_allowed(d->allowed, "amdump", NULL);
    if (!d->auth)
        d->auth = g_strdup("bsdtcp");
}

/* Under inetd fd 2 is the socket too: nothing may reach it. */
static void quiet_stderr(void)
{
    if (g_getenv("AMANDA_DEBUG_STDERR"))
        return;
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0 && null != STDERR_FILENO) {
        dup2(null, STDERR_FILENO);
        close(null);
    }
}

static void load_client_conf(void)
{
    g_autoptr(GError) err = NULL;
    conf_t *conf = conf_load_checked(NULL, NULL, CONF_FLAG_CLIENT, NULL, &err);
    if (!conf) {
        dbprintf("amanda-client.conf: %s", err->message);
        return;
    }
    conf_set_global(conf);
}

int main(int argc, char **argv)
{
    amandad_t d = { .allowed = g_ptr_array_new_with_free_func(g_free),
                    .ack_timeout_ms = ACK_TIMEOUT_DEFAULT_MS };
    g_autoptr(GError) err = NULL;

    signal(SIGPIPE, SIG_IGN);
    g_set_prgname("amandad");
    debug_open("amandad");
    dbprintf("amandad pid %ld ruid %ld euid %ld: start", (long)getpid(), (long)getuid(),
             (long)geteuid());
    parse_args(&d, argc, argv);
    const char *ack_env = g_getenv("AMANDAD_ACK_TIMEOUT_MS");
    if (ack_env && atoi(ack_env) > 0)
        d.ack_timeout_ms = atoi(ack_env);
    quiet_stderr();
    load_client_conf();
    d.stdin_is_inet = fd_is_inet_socket(STDIN_FILENO);
    d.drv = security_getdriver(d.auth);
    if (!d.drv) {
        g_autofree char *m = g_strdup_printf("unknown auth \"%s\"", d.auth);
        usage_exit(m);
    }
    g_autofree char *list = allowed_list(&d);
    dbprintf("auth %s, services: %s", d.auth, list);
    if (!security_accept(d.drv, NULL, NULL, STDIN_FILENO, STDOUT_FILENO, on_request, &d, &err))
        usage_exit(err->message);
    d.idle_since = g_get_monotonic_time();
    d.ev_tick = event_register(1, EV_TIME, tick, &d);
    event_loop(0);
    dbprintf("event loop ended: exiting");
    debug_close();
    return 0;
}
