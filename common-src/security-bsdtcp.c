/* security-bsdtcp: auth "bsdtcp".  The server connects to the client's
 * amanda port (10080/tcp), from a reserved port when it runs as root (see
 * stream-ports.h); the client's amandad gets that socket from inetd as
 * stdin/stdout.  Everything then runs multiplexed over it
 * (security-tcpm.c).  Who may ask for what is decided by amandad from
 * .amandahosts with the peer name given here.
 *
 * Connecting never blocks the event loop (a dead client must not stall a
 * server talking to fifty others): the connect runs non-blocking, bounded
 * by "connect_timeout" seconds (default 30), each address of the host in
 * turn.  Only the name lookup itself is synchronous. */
#include "config.h"
#include "security-tcpm.h"
#include "ambind-client.h"

#include <errno.h>
#include <netdb.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "debug.h"
#include "event.h"
#include "stream-ports.h"

#define AMANDA_TCP_PORT_DEFAULT "10080"
#define CONNECT_TIMEOUT_DEFAULT_S 30
/* Connecting from a port that is in TIME_WAIT towards the same peer fails
 * with EADDRNOTAVAIL: a few more ports of the range are tried then. */
#define CONNECT_PORT_TRIES 8

/* The port to connect to: client_port from the config (a number or a
 * service name), else the "amanda" tcp service; "amanda" means 10080 even
 * where /etc/services does not list it. */
static char *
client_port(security_conf_fn_t conf_fn, void *conf_arg)
{
    const char *port = conf_fn ? conf_fn("client_port", conf_arg) : NULL;
    if (!port || !*port)
        port = "amanda";
    if (g_ascii_isdigit(*port))
        return g_strdup(port);
    struct servent *se = getservbyname(port, "tcp");
    if (se)
        return g_strdup_printf("%d", ntohs((uint16_t)se->s_port));
    if (strcmp(port, "amanda") == 0)
        return g_strdup(AMANDA_TCP_PORT_DEFAULT);
    return g_strdup(port);  /* getaddrinfo names the unknown service */
}

static void
numeric_peer(int fd, char **name, char **address)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST], addr[NI_MAXHOST];
    if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0 ||
        getnameinfo((struct sockaddr *)&ss, len, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST) != 0) {
        *name = g_strdup("unknown");
        *address = g_strdup("unknown");
        return;
    }
    *address = g_strdup(addr);
    if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL, 0, NI_NAMEREQD) == 0)
        *name = g_strdup(host);
    else
        *name = g_strdup(addr);
}

/* AMANDA's bsd family names the requesting user in every REQ; the client
 * checks it against .amandahosts. */
static char *
security_user_line(void)
{
    struct passwd *pw = getpwuid(getuid());
    return g_strdup_printf("SECURITY USER %s\n", pw ? pw->pw_name : g_get_user_name());
}

/* One connection attempt in progress. */
typedef struct {
    const security_driver_t *drv;
    char *host, *port;
    security_conf_fn_t conf_fn;
    void *conf_arg;
    security_connect_fn_t fn;
    void *arg;
    struct addrinfo *res, *ai;
    stream_port_range_t range;
    const char *range_name;
    gboolean ranged;
    int tries_here;          /* attempts on the current address */
    gboolean port_busy;
    int fd;
    int timeout_ms;
    event_handle_t *ev_write, *ev_timer;
    char *why;
    gboolean in_call;        /* still inside bsdtcp_connect */
    security_handle_t *result;
    security_status_t status;
} connecting_t;

static void try_next(connecting_t *c);

static void
connecting_free(connecting_t *c)
{
    if (c->ev_write)
        event_release(c->ev_write);
    if (c->ev_timer)
        event_release(c->ev_timer);
    if (c->fd >= 0)
        close(c->fd);
    if (c->res)
        freeaddrinfo(c->res);
    g_free(c->host);
    g_free(c->port);
    g_free(c->why);
    g_free(c);
}

static void
stop_waiting(connecting_t *c)
{
    if (c->ev_write) {
        event_release(c->ev_write);
        c->ev_write = NULL;
    }
    if (c->ev_timer) {
        event_release(c->ev_timer);
        c->ev_timer = NULL;
    }
}

static void
report_deferred(void *arg)
{
    connecting_t *c = arg;
    c->fn(c->arg, c->result, c->status);
    connecting_free(c);
}

/* Tell the caller, from the loop even when the outcome is known inside
 * bsdtcp_connect itself. */
static void
report(connecting_t *c, security_handle_t *handle, security_status_t status)
{
    c->result = handle;
    c->status = status;
    if (c->in_call) {
        security_defer(report_deferred, c);
        return;
    }
    report_deferred(c);
}

static void
report_failure(connecting_t *c, const char *error)
{
    dbprintf("bsdtcp: %s", error);
    report(c, tcpm_failed_handle_new(c->drv, error), S_ERROR);
}

static void
report_success(connecting_t *c)
{
    g_autofree char *name = NULL, *address = NULL;
    int fd = c->fd;
    c->fd = -1;
    numeric_peer(fd, &name, &address);
    tcpm_conn_t *conn = tcpm_conn_new(c->drv, fd, fd);
    tcpm_conn_set_peer(conn, c->host, address);
    tcpm_conn_set_req_prefix(conn, security_user_line);
    dbprintf("bsdtcp: connected to %s (%s) port %s", c->host, address, c->port);
    report(c, tcpm_conversation_new(conn), S_OK);
}

/* This attempt failed with ERRNUM (0: WHY already set). */
static void
attempt_failed(connecting_t *c, int errnum)
{
    stop_waiting(c);
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (errnum) {
        g_free(c->why);
        c->why = g_strdup(g_strerror(errnum));
    }
    c->port_busy = c->ranged && (errnum == EADDRNOTAVAIL || errnum == EADDRINUSE);
    if (!c->port_busy || ++c->tries_here >= CONNECT_PORT_TRIES) {
        c->ai = c->ai->ai_next;
        c->tries_here = 0;
    }
    try_next(c);
}

static void
connect_writable(void *arg)
{
    connecting_t *c = arg;
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err == 0) {
        stop_waiting(c);
        report_success(c);
        return;
    }
    attempt_failed(c, err);
}

static void
connect_timed_out(void *arg)
{
    connecting_t *c = arg;
    g_free(c->why);
    c->why = g_strdup_printf("no answer within %d s (connect_timeout)", c->timeout_ms / 1000);
    attempt_failed(c, 0);
}

/* Start a non-blocking connect to the current address (bound inside the
 * port range when there is one). */
/* C->fd: a socket for AI, bound in C's port range when it has one -- by
 * the ambind helper when that is a reserved range and we are not root,
 * here otherwise.  FALSE after attempt_failed. */
static gboolean
open_socket(connecting_t *c, const struct addrinfo *ai)
{
    g_autoptr(GError) err = NULL;
    if (c->ranged && c->range.high < 1024 && geteuid() != 0) {
        c->fd = ambind_socket(ai->ai_family, &c->range, &err);
    } else {
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                       ai->ai_protocol);
        if (c->fd < 0) {
            attempt_failed(c, errno);
            return FALSE;
        }
        if (c->ranged)
            (void)stream_ports_bind(c->fd, ai->ai_family, &c->range, c->range_name, &err);
    }
    if (err) {
        g_free(c->why);
        c->why = g_strdup(err->message);
        attempt_failed(c, 0);
        return FALSE;
    }
    return TRUE;
}

static void
try_next(connecting_t *c)
{
    if (!c->ai) {
        g_autofree char *msg = NULL;
        if (c->port_busy)
            msg = g_strdup_printf("%s port %s: cannot connect: no free port in %s %d,%d for this "
                                  "peer: widen %s", c->host, c->port, c->range_name,
                                  c->range.low, c->range.high, c->range_name);
        else
            msg = g_strdup_printf("%s port %s: cannot connect: %s", c->host, c->port,
                                  c->why ? c->why : "no address");
        report_failure(c, msg);
        return;
    }
    const struct addrinfo *ai = c->ai;
    if (!open_socket(c, ai))
        return;
    if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        report_success(c);
        return;
    }
    if (errno != EINPROGRESS) {
        attempt_failed(c, errno);
        return;
    }
    c->ev_write = event_register(c->fd, EV_WRITEFD, connect_writable, c);
    c->ev_timer = event_register_ms((guint)c->timeout_ms, connect_timed_out, c);
}

static int
connect_timeout_ms(security_conf_fn_t conf_fn, void *conf_arg)
{
    const char *v = conf_fn ? conf_fn("connect_timeout", conf_arg) : NULL;
    int s = v ? atoi(v) : 0;
    return (s > 0 ? s : CONNECT_TIMEOUT_DEFAULT_S) * 1000;
}

/* Resolve, pick the port range, start the first attempt.  This runs
 * inside bsdtcp_connect, so the SYN is on its way when it returns (callers
 * may rely on the peer seeing the connection before the loop runs). */
static void
connect_start(connecting_t *c)
{
    g_autoptr(GError) perr = NULL;
    /* root binds reserved ports itself; the dump user asks ambind */
    c->ranged = stream_ports_for(c->conf_fn, c->conf_arg, "tcp",
                                 geteuid() == 0 || ambind_available(), &c->range,
                                 &c->range_name, &perr);
    if (perr) {
        g_autofree char *msg = g_strdup_printf("%s: %s", c->host, perr->message);
        report_failure(c, msg);
        return;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
    int rc = getaddrinfo(c->host, c->port, &hints, &c->res);
    if (rc != 0) {
        c->res = NULL;
        g_autofree char *msg = g_strdup_printf("%s: cannot resolve: %s", c->host, gai_strerror(rc));
        report_failure(c, msg);
        return;
    }
    c->ai = c->res;
    try_next(c);
}

static void
bsdtcp_connect(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
               void *conf_arg, security_connect_fn_t fn, void *arg)
{
    connecting_t *c = g_new0(connecting_t, 1);
    c->drv = drv;
    c->host = g_strdup(host);
    c->port = client_port(conf_fn, conf_arg);
    c->conf_fn = conf_fn;
    c->conf_arg = conf_arg;
    c->fn = fn;
    c->arg = arg;
    c->fd = -1;
    c->timeout_ms = connect_timeout_ms(conf_fn, conf_arg);
    c->in_call = TRUE;
    connect_start(c);
    /* C is still ours: with in_call set, nothing freed it. */
    c->in_call = FALSE;
}

static gboolean
bsdtcp_accept(const security_driver_t *drv, security_conf_fn_t conf_fn, void *conf_arg, int in_fd,
              int out_fd, security_accept_fn_t fn, void *arg, GError **error)
{
    (void)conf_fn;
    (void)conf_arg;
    g_autofree char *name = NULL, *address = NULL;
    numeric_peer(in_fd, &name, &address);
    return tcpm_accept_fds(drv, in_fd, out_fd, fn, arg, name, address, error);
}

const security_driver_t security_bsdtcp_driver = {
    .name = "bsdtcp",
    .connect = bsdtcp_connect,
    .accept = bsdtcp_accept,
    TCPM_DRIVER_OPS,
};
