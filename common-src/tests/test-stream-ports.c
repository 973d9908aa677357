/* Tests for stream-ports: range parsing, binding inside a small range until
 * it is full (the error names the range), UDP, and bsdtcp connecting from
 * the range its configuration gives (reserved ports when run as root). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event.h"
#include "security.h"
#include "stream-ports.h"

static void
test_parse(void)
{
    stream_port_range_t r;
    g_autoptr(GError) err = NULL;
    g_assert_true(stream_port_range_parse("50000,50100", "tcpportrange", &r, &err));
    g_assert_cmpint(r.low, ==, 50000);
    g_assert_cmpint(r.high, ==, 50100);
    g_assert_true(stream_port_range_parse(" 840 , 860 ", "udpportrange", &r, NULL));
    g_assert_cmpint(r.low, ==, 840);
    g_assert_true(stream_port_range_parse("700-710", "x", &r, NULL));
    g_assert_cmpint(r.high, ==, 710);
    const char *bad[] = { "", "abc", "5", "10,5", "0,5", "1,70000", "1,2,3", "-1,5", "1,,2" };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_clear_error(&err);
        g_assert_false(stream_port_range_parse(bad[i], "tcpportrange", &r, &err));
        g_autofree char *want = g_strdup_printf(
            "tcpportrange \"%s\" is not a port range: write LOW,HIGH with 1 <= LOW <= HIGH "
            "<= 65535", bad[i]);
        g_assert_cmpstr(err->message, ==, want);
    }
}

static const char *
conf_pairs(const char *key, void *arg)
{
    const char **pairs = arg;
    for (int i = 0; pairs[i]; i += 2)
        if (strcmp(pairs[i], key) == 0)
            return pairs[i + 1];
    return NULL;
}

static void
test_which_range(void)
{
    stream_port_range_t r;
    const char *name = NULL;
    g_autoptr(GError) err = NULL;
    const char *conf[] = { "tcpportrange", "50000,50010", "udpportrange", "840,860", NULL };
    g_assert_true(stream_ports_for(conf_pairs, conf, "tcp", FALSE, &r, &name, &err));
    g_assert_cmpstr(name, ==, "tcpportrange");
    g_assert_cmpint(r.low, ==, 50000);
    g_assert_true(stream_ports_for(conf_pairs, conf, "udp", FALSE, &r, &name, &err));
    g_assert_cmpstr(name, ==, "udpportrange");
    g_assert_cmpint(r.high, ==, 860);
    /* root: reserved ports, 512-1023 unless configured */
    g_assert_true(stream_ports_for(conf_pairs, conf, "tcp", TRUE, &r, &name, &err));
    g_assert_cmpstr(name, ==, "reserved_tcp_port");
    g_assert_cmpint(r.low, ==, 512);
    g_assert_cmpint(r.high, ==, 1023);
    const char *unres[] = { "unreserved_tcp_port", "2000,3000", NULL };
    g_assert_true(stream_ports_for(conf_pairs, unres, "tcp", FALSE, &r, &name, &err));
    g_assert_cmpstr(name, ==, "unreserved_tcp_port");
    g_assert_cmpint(r.low, ==, 2000);
    /* nothing configured, not root: configure's range, else any port */
    const char *none[] = { NULL };
    if (*DEFAULT_TCPPORTRANGE == '\0') {
        g_assert_false(stream_ports_for(conf_pairs, none, "tcp", FALSE, &r, &name, &err));
        g_assert_null(err);
    } else {
        g_assert_true(stream_ports_for(conf_pairs, none, "tcp", FALSE, &r, &name, &err));
        g_assert_true(g_str_has_prefix(name, "tcpportrange (configure"));
    }
    const char *broken[] = { "tcpportrange", "50010,50000", NULL };
    g_assert_false(stream_ports_for(conf_pairs, broken, "tcp", FALSE, &r, &name, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "tcpportrange \"50010,50000\" is not a port range"));
}

/* Three consecutive high ports nobody uses now. */
static int
free_block(int type, int n)
{
    for (int base = 40000 + (int)(getpid() % 5000) * 3; base < 65000; base += n) {
        int ok = 1;
        for (int p = base; p < base + n && ok; p++) {
            int fd = socket(AF_INET, type, 0);
            struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p) };
            ok = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
            close(fd);
        }
        if (ok)
            return base;
    }
    g_error("no free block of %d ports", n);
}

static void
fill_range(int type, const char *name)
{
    int base = free_block(type, 3);
    stream_port_range_t r = { base, base + 2 };
    int fds[3];
    gboolean used[3] = { FALSE, FALSE, FALSE };
    for (int i = 0; i < 3; i++) {
        g_autoptr(GError) err = NULL;
        fds[i] = socket(AF_INET, type, 0);
        int port = stream_ports_bind(fds[i], AF_INET, &r, name, &err);
        g_assert_no_error(err);
        g_assert_cmpint(port, >=, base);
        g_assert_cmpint(port, <=, base + 2);
        g_assert_false(used[port - base]);
        used[port - base] = TRUE;
        if (type == SOCK_STREAM)  /* a listening socket holds its port */
            g_assert_cmpint(listen(fds[i], 1), ==, 0);
    }
    g_autoptr(GError) err = NULL;
    int fd = socket(AF_INET, type, 0);
    g_assert_cmpint(stream_ports_bind(fd, AF_INET, &r, name, &err), ==, -1);
    g_autofree char *want = g_strdup_printf(
        "no free port in %s %d,%d (all 3 in use): widen %s or wait for connections to end", name,
        base, base + 2, name);
    g_assert_error(err, STREAM_PORTS_ERROR, STREAM_PORTS_ERROR_FULL);
    g_assert_cmpstr(err->message, ==, want);
    close(fd);
    /* one freed: the next bind gets exactly that port */
    close(fds[1]);
    g_clear_error(&err);
    fd = socket(AF_INET, type, 0);
    int again = stream_ports_bind(fd, AF_INET, &r, name, &err);
    g_assert_no_error(err);
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    g_assert_cmpint(getsockname(fds[0], (struct sockaddr *)&sin, &len), ==, 0);
    g_assert_cmpint(again, !=, ntohs(sin.sin_port));
    close(fd);
    close(fds[0]);
    close(fds[2]);
}

static void
test_fill_tcp(void)
{
    fill_range(SOCK_STREAM, "tcpportrange");
}

static void
test_fill_udp(void)
{
    fill_range(SOCK_DGRAM, "udpportrange");
}

static void
test_reserved_needs_root(void)
{
    if (geteuid() == 0) {
        g_test_skip("running as root: binding a reserved port is allowed");
        return;
    }
    stream_port_range_t r = { 600, 601 };
    g_autoptr(GError) err = NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(stream_ports_bind(fd, AF_INET, &r, "reserved_tcp_port", &err), ==, -1);
    g_assert_nonnull(strstr(err->message, "(ports below 1024 need root)"));
    close(fd);
}

/* --- bsdtcp connects from the configured range ---------------------------- */

typedef struct {
    security_handle_t *h;
    security_status_t status;
    gboolean done;
} conn_result_t;

static void
connected(void *arg, security_handle_t *h, security_status_t status)
{
    conn_result_t *r = arg;
    r->h = h;
    r->status = status;
    r->done = TRUE;
}

static conn_result_t
connect_with(const char **conf)
{
    conn_result_t r = { 0 };
    security_connect(security_getdriver("bsdtcp"), "127.0.0.1", conf_pairs, conf, connected, &r);
    while (!r.done)
        g_main_context_iteration(NULL, TRUE);
    return r;
}

static void
test_bsdtcp_uses_range(void)
{
    gboolean root = geteuid() == 0;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(lfd, 4), ==, 0);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&sin, &len), ==, 0);
    g_autofree char *port = g_strdup_printf("%d", ntohs(sin.sin_port));

    /* One-port range: as root a reserved one, else a high one. */
    int from = root ? 0 : free_block(SOCK_STREAM, 1);
    for (int p = 1023; root && p >= 600 && !from; p--) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p) };
        if (bind(fd, (struct sockaddr *)&b, sizeof(b)) == 0)
            from = p;
        close(fd);
    }
    g_assert_cmpint(from, >, 0);
    g_autofree char *range = g_strdup_printf("%d,%d", from, from);
    const char *key = root ? "reserved_tcp_port" : "tcpportrange";
    const char *conf[] = { "client_port", port, key, range, NULL };

    conn_result_t r = connect_with(conf);
    g_assert_cmpint(r.status, ==, S_OK);
    int afd = accept(lfd, (struct sockaddr *)&sin, &len);
    g_assert_cmpint(afd, >=, 0);
    g_assert_cmpint(ntohs(sin.sin_port), ==, from);

    /* The only port is taken by that connection: the next one fails and
     * says which range is exhausted. */
    conn_result_t r2 = connect_with(conf);
    g_assert_cmpint(r2.status, ==, S_ERROR);
    g_autofree char *want = g_strdup_printf("127.0.0.1 port %s: cannot connect: no free port in "
                                            "%s %d,%d for this peer: widen %s",
                                            port, key, from, from, key);
    g_assert_cmpstr(security_geterror(r2.h), ==, want);
    security_close(r2.h);
    security_close(r.h);
    close(afd);
    close(lfd);
    while (event_count() > 0)
        g_main_context_iteration(NULL, FALSE);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    alarm(300);  /* a hang becomes a failure, never a stuck CI */
    g_test_add_func("/stream-ports/parse", test_parse);
    g_test_add_func("/stream-ports/which-range", test_which_range);
    g_test_add_func("/stream-ports/fill-tcp", test_fill_tcp);
    g_test_add_func("/stream-ports/fill-udp", test_fill_udp);
    g_test_add_func("/stream-ports/reserved-needs-root", test_reserved_needs_root);
    g_test_add_func("/stream-ports/bsdtcp-uses-range", test_bsdtcp_uses_range);
    return g_test_run();
}
