/* security-bsdtcp: auth "bsdtcp".  The server connects to the client's
 * amanda port (10080/tcp), from a reserved port when it runs as root; the
 * client's amandad gets that socket from inetd as stdin/stdout.  Everything
 * then runs multiplexed over it (security-tcpm.c).  Who may ask for what is
 * decided by amandad from .amandahosts with the peer name given here. */
#include "config.h"
#include "security-tcpm.h"

#include <errno.h>
#include <netdb.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "debug.h"
#include "stream-ports.h"

#define AMANDA_TCP_PORT_DEFAULT "10080"

typedef struct {
    security_connect_fn_t fn;
    void *arg;
    security_handle_t *handle;
    security_status_t status;
} connect_report_t;

static void
report_connect(void *arg)
{
    connect_report_t *r = arg;
    r->fn(r->arg, r->handle, r->status);
    g_free(r);
}

/* The port to connect to: client_port from the config, else the "amanda"
 * tcp service, else 10080. */
static char *
client_port(security_conf_fn_t conf_fn, void *conf_arg)
{
    const char *port = conf_fn ? conf_fn("client_port", conf_arg) : NULL;
    if (port && *port)
        return g_strdup(port);
    struct servent *se = getservbyname("amanda", "tcp");
    if (se)
        return g_strdup_printf("%d", ntohs((uint16_t)se->s_port));
    return g_strdup(AMANDA_TCP_PORT_DEFAULT);
}

/* Connecting from a port that is in TIME_WAIT towards the same peer fails
 * with EADDRNOTAVAIL: a few more ports are tried then. */
#define CONNECT_PORT_TRIES 8

/* One socket for AI, bound inside the port range if there is one, and
 * connected.  fd, or -1 with *ERROR set (and errno for the caller's
 * retry decision). */
static int
connect_one(const struct addrinfo *ai, const stream_port_range_t *range, const char *range_name,
            char **error)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        *error = g_strdup(g_strerror(errno));
        return -1;
    }
    if (range) {
        g_autoptr(GError) err = NULL;
        if (stream_ports_bind(fd, ai->ai_family, range, range_name, &err) < 0) {
            *error = g_strdup(err->message);
            close(fd);
            errno = 0;
            return -1;
        }
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        int saved = errno;
        *error = g_strdup(g_strerror(saved));
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

/* Blocking connect to HOST:PORT from a port the configuration allows (a
 * reserved one as root); fd or -1 with *ERROR set. */
static int
tcp_connect(const char *host, const char *port, security_conf_fn_t conf_fn, void *conf_arg,
            char **error)
{
    stream_port_range_t range;
    const char *range_name = NULL;
    g_autoptr(GError) perr = NULL;
    gboolean ranged = stream_ports_for(conf_fn, conf_arg, "tcp", geteuid() == 0, &range,
                                       &range_name, &perr);
    if (perr) {
        *error = g_strdup_printf("%s: %s", host, perr->message);
        return -1;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        *error = g_strdup_printf("%s: cannot resolve: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    gboolean port_busy = FALSE;
    g_autofree char *why = NULL;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        for (int attempt = 0; attempt < CONNECT_PORT_TRIES && fd < 0; attempt++) {
            g_clear_pointer(&why, g_free);
            fd = connect_one(ai, ranged ? &range : NULL, range_name, &why);
            port_busy = fd < 0 && ranged && (errno == EADDRNOTAVAIL || errno == EADDRINUSE);
            if (fd < 0 && !port_busy)
                break;
        }
    }
    if (fd < 0 && port_busy) {
        g_free(why);
        why = g_strdup_printf("no free port in %s %d,%d for this peer: widen %s", range_name,
                              range.low, range.high, range_name);
    }
    freeaddrinfo(res);
    if (fd < 0)
        *error = g_strdup_printf("%s port %s: cannot connect: %s", host, port, why);
    return fd;
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

static void
bsdtcp_connect(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
               void *conf_arg, security_connect_fn_t fn, void *arg)
{
    g_autofree char *port = client_port(conf_fn, conf_arg);
    g_autofree char *error = NULL;
    connect_report_t *r = g_new0(connect_report_t, 1);
    r->fn = fn;
    r->arg = arg;
    int fd = tcp_connect(host, port, conf_fn, conf_arg, &error);
    if (fd < 0) {
        dbprintf("bsdtcp: %s", error);
        r->handle = tcpm_failed_handle_new(drv, error);
        r->status = S_ERROR;
    } else {
        g_autofree char *name = NULL, *address = NULL;
        numeric_peer(fd, &name, &address);
        tcpm_conn_t *conn = tcpm_conn_new(drv, fd, fd);
        tcpm_conn_set_peer(conn, host, address);
        tcpm_conn_set_req_prefix(conn, security_user_line);
        dbprintf("bsdtcp: connected to %s (%s) port %s", host, address, port);
        r->handle = tcpm_conversation_new(conn);
        r->status = S_OK;
    }
    security_defer(report_connect, r);
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
