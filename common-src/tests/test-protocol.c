/* Tests for protocol.c: the server side of REQ/ACK/REP over bsdtcp on
 * 127.0.0.1, against a scripted client (the accepting side) running in the
 * same process and event loop.  Covers the plain exchange, PREPs, a lost
 * REQ (resent after the ACK timeout), a silent client (S_TIMEOUT after the
 * tries), a lost reply (REQ resent after the reply timeout), a REP without
 * ACK, a NAK, duplicate and malformed replies, a refused connection and a
 * connect that times out.  test-protocol-interop.c talks to the real
 * AMANDA. */
#include "config.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "debug.h"
#include "event.h"
#include "protocol.h"
#include "security-tcpm.h"
#include "security.h"

/* What the scripted client does with each REQ it gets. */
typedef enum {
    M_NORMAL,      /* ACK, REP */
    M_PREPS,       /* ACK, PREP a, PREP a (resent), PREP b, REP */
    M_DROP_FIRST,  /* ignore the first REQ, then ACK + REP */
    M_SILENT,      /* never answer */
    M_LATE_REP,    /* first REQ: ACK only; second: ACK + REP */
    M_REP_NO_ACK,  /* REP straight away */
    M_NAK,         /* NAK */
    M_GARBAGE,     /* a frame with a bad type byte, then ACK + REP */
} mode_t_;

static mode_t_ mode;
static int reqs_seen;
static gboolean client_got_ack;
static int client_acks;
static int listen_port;

typedef struct {
    security_handle_t *h;
} peer_t;

static void
send_type(security_handle_t *h, pktype_t type, const char *body)
{
    pkt_t p;
    pkt_init(&p, type, "%s", body);
    g_assert_cmpint(security_sendpkt(h, &p), ==, 0);
    pkt_clear(&p);
}

static void peer_next(void *arg, pkt_t *pkt, security_status_t status);

static void
answer_req(peer_t *p)
{
    reqs_seen++;
    switch (mode) {
    case M_NORMAL:
    case M_REP_NO_ACK:
        if (mode == M_NORMAL)
            send_type(p->h, P_ACK, "");
        send_type(p->h, P_REP, "OK hello\n");
        break;
    case M_PREPS:
        send_type(p->h, P_ACK, "");
        send_type(p->h, P_PREP, "part a\n");
        send_type(p->h, P_PREP, "part a\n");
        send_type(p->h, P_PREP, "part b\n");
        send_type(p->h, P_REP, "done\n");
        break;
    case M_DROP_FIRST:
        if (reqs_seen > 1) {
            send_type(p->h, P_ACK, "");
            send_type(p->h, P_REP, "OK second try\n");
        }
        break;
    case M_SILENT:
        break;
    case M_LATE_REP:
        send_type(p->h, P_ACK, "");
        if (reqs_seen > 1)
            send_type(p->h, P_REP, "OK late\n");
        break;
    case M_NAK:
        send_type(p->h, P_NAK, "ERROR unknown service: frobnicate\n");
        break;
    case M_GARBAGE:  /* the bad frame went out at accept time */
        send_type(p->h, P_ACK, "");
        send_type(p->h, P_REP, "OK after garbage\n");
        break;
    }
}

static void
peer_next(void *arg, pkt_t *pkt, security_status_t status)
{
    peer_t *p = arg;
    if (status != S_OK) {  /* the server hung up: the conversation is over */
        security_close(p->h);
        g_free(p);
        return;
    }
    if (pkt->type == P_REQ)
        answer_req(p);
    else if (pkt->type == P_ACK) {
        client_got_ack = TRUE;
        client_acks++;
    }
    security_recvpkt(p->h, peer_next, p, -1);
}

static void
peer_request(void *arg, security_handle_t *h, pkt_t *pkt)
{
    (void)arg;
    peer_t *p = g_new0(peer_t, 1);
    p->h = h;
    g_assert_cmpint(pkt->type, ==, P_REQ);
    g_assert_true(g_str_has_prefix(pkt->body->str, "SECURITY USER "));
    answer_req(p);
    security_recvpkt(h, peer_next, p, -1);
}

static void
peer_accept(void *arg)
{
    int lfd = GPOINTER_TO_INT(arg);
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return;
    if (mode == M_GARBAGE) {
        /* Raw frame with an unknown type byte for conversation 1, before
         * anything else: the server must drop it and carry on. */
        static const uint8_t bad[] = { 0, 0, 0, 3, 0, 0, 0, 1, 0x09, 'x', 0 };
        g_assert_cmpint(write(fd, bad, sizeof(bad)), ==, (ssize_t)sizeof(bad));
    }
    GError *err = NULL;
    g_assert_true(security_accept(security_getdriver("bsdtcp"), NULL, NULL, fd, fd, peer_request,
                                  NULL, &err));
}

/* --- the server side under test ------------------------------------------ */

typedef struct {
    GPtrArray *preps;
    pktype_t final_type;
    char *final_body;
    security_status_t status;
    char *error;
    gboolean done;
} outcome_t;

static void
on_reply(void *arg, pkt_t *pkt, security_handle_t *h, security_status_t status)
{
    outcome_t *o = arg;
    g_assert_nonnull(h);
    g_assert_false(o->done);
    if (status == S_OK && pkt->type == P_PREP) {
        g_ptr_array_add(o->preps, g_strdup(pkt->body->str));
        return;
    }
    o->status = status;
    if (pkt) {
        o->final_type = pkt->type;
        o->final_body = g_strdup(pkt->body->str);
    } else {
        o->error = g_strdup(security_geterror(h));
    }
    o->done = TRUE;
}

static const char *
conf_port(const char *key, void *arg)
{
    return strcmp(key, "client_port") == 0 ? arg : NULL;
}

static void
run(mode_t_ m, int port, int repwait, outcome_t *o)
{
    mode = m;
    reqs_seen = 0;
    client_got_ack = FALSE;
    client_acks = 0;
    memset(o, 0, sizeof(*o));
    o->preps = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *p = g_strdup_printf("%d", port);
    protocol_sendreq("127.0.0.1", security_getdriver("bsdtcp"), conf_port, p,
                     "SERVICE noop\nOPTIONS features=ff;\n", repwait, on_reply, o);
    g_assert_false(o->done);  /* never called from inside sendreq */
    g_assert_cmpint(protocol_pending(), ==, 1);
    protocol_run_until_done();
    g_assert_true(o->done);
    g_assert_cmpint(protocol_pending(), ==, 0);
    /* let the scripted client see the ACK and the hang-up */
    for (int i = 0; i < 20; i++)
        g_main_context_iteration(NULL, FALSE);
}

static void
outcome_clear(outcome_t *o)
{
    g_ptr_array_free(o->preps, TRUE);
    g_free(o->final_body);
    g_free(o->error);
}

static void
test_normal(void)
{
    outcome_t o;
    run(M_NORMAL, listen_port, 5, &o);
    g_assert_cmpint(o.status, ==, S_OK);
    g_assert_cmpint(o.final_type, ==, P_REP);
    g_assert_cmpstr(o.final_body, ==, "OK hello\n");
    g_assert_cmpint(reqs_seen, ==, 1);
    g_assert_true(client_got_ack);
    outcome_clear(&o);
}

static void
test_preps_and_duplicate(void)
{
    outcome_t o;
    run(M_PREPS, listen_port, 5, &o);
    g_assert_cmpint(o.status, ==, S_OK);
    g_assert_cmpuint(o.preps->len, ==, 2);  /* the resent "part a" is not reported */
    g_assert_cmpstr(o.preps->pdata[0], ==, "part a\n");
    g_assert_cmpstr(o.preps->pdata[1], ==, "part b\n");
    g_assert_cmpstr(o.final_body, ==, "done\n");
    g_assert_cmpint(client_acks, ==, 1);  /* the REP only */
    outcome_clear(&o);
}

static void
test_lost_req(void)
{
    outcome_t o;
    run(M_DROP_FIRST, listen_port, 5, &o);
    g_assert_cmpint(o.status, ==, S_OK);
    g_assert_cmpstr(o.final_body, ==, "OK second try\n");
    g_assert_cmpint(reqs_seen, ==, 2);
    outcome_clear(&o);
}

static void
test_silent_client(void)
{
    outcome_t o;
    run(M_SILENT, listen_port, 5, &o);
    g_assert_cmpint(o.status, ==, S_TIMEOUT);
    g_assert_cmpstr(o.error, ==, "127.0.0.1: no ACK to the request after 3 tries");
    g_assert_cmpint(reqs_seen, ==, 3);
    outcome_clear(&o);
}

static void
test_lost_reply(void)
{
    outcome_t o;
    run(M_LATE_REP, listen_port, 1, &o);
    g_assert_cmpint(o.status, ==, S_OK);
    g_assert_cmpstr(o.final_body, ==, "OK late\n");
    g_assert_cmpint(reqs_seen, ==, 2);
    outcome_clear(&o);
}

static void
test_rep_without_ack(void)
{
    outcome_t o;
    run(M_REP_NO_ACK, listen_port, 5, &o);
    g_assert_cmpint(o.status, ==, S_OK);
    g_assert_cmpstr(o.final_body, ==, "OK hello\n");
    g_assert_true(client_got_ack);
    outcome_clear(&o);
}

static void
test_nak(void)
{
    outcome_t o;
    run(M_NAK, listen_port, 5, &o);
    g_assert_cmpint(o.status, ==, S_OK);
    g_assert_cmpint(o.final_type, ==, P_NAK);
    g_assert_cmpstr(o.final_body, ==, "ERROR unknown service: frobnicate\n");
    outcome_clear(&o);
}

static void
test_garbage_dropped(void)
{
    outcome_t o;
    run(M_GARBAGE, listen_port, 5, &o);
    g_assert_cmpint(o.status, ==, S_OK);
    g_assert_cmpstr(o.final_body, ==, "OK after garbage\n");
    /* ... and the reason is in the debug log */
    g_autofree char *log = NULL;
    g_assert_true(g_file_get_contents(debug_filename(), &log, NULL, NULL));
    g_assert_nonnull(strstr(log, "dropped a malformed packet from 127.0.0.1 on conversation 1: "
                                 "unknown packet type byte 0x09"));
    outcome_clear(&o);
}

static void
test_connection_refused(void)
{
    /* A port nobody listens on: bind one, note it, close it. */
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &len), ==, 0);
    close(fd);
    outcome_t o;
    run(M_NORMAL, ntohs(sin.sin_port), 5, &o);
    g_assert_cmpint(o.status, ==, S_ERROR);
    g_autofree char *want = g_strdup_printf("127.0.0.1 port %d: cannot connect: Connection refused",
                                            ntohs(sin.sin_port));
    g_assert_cmpstr(o.error, ==, want);
    outcome_clear(&o);
}

/* Many requests at once, each on its own connection, all answered. */
static void
test_many_parallel(void)
{
    enum { N = 24 };
    outcome_t o[N];
    g_autofree char *p = g_strdup_printf("%d", listen_port);
    mode = M_PREPS;
    reqs_seen = 0;
    for (int i = 0; i < N; i++) {
        memset(&o[i], 0, sizeof(o[i]));
        o[i].preps = g_ptr_array_new_with_free_func(g_free);
        protocol_sendreq("127.0.0.1", security_getdriver("bsdtcp"), conf_port, p,
                         "SERVICE noop\n", 5, on_reply, &o[i]);
    }
    g_assert_cmpint(protocol_pending(), ==, N);
    protocol_run_until_done();
    g_assert_cmpint(reqs_seen, ==, N);
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(o[i].status, ==, S_OK);
        g_assert_cmpuint(o[i].preps->len, ==, 2);
        g_assert_cmpstr(o[i].final_body, ==, "done\n");
        outcome_clear(&o[i]);
    }
    for (int i = 0; i < 50; i++)
        g_main_context_iteration(NULL, FALSE);
}

/* A client_port that names no service: the error says so, with the host. */
static void
test_unknown_port_name(void)
{
    outcome_t o = { 0 };
    o.preps = g_ptr_array_new_with_free_func(g_free);
    protocol_sendreq("127.0.0.1", security_getdriver("bsdtcp"), conf_port, "no-such-service",
                     "SERVICE noop\n", 5, on_reply, &o);
    protocol_run_until_done();
    g_assert_cmpint(o.status, ==, S_ERROR);
    g_assert_true(g_str_has_prefix(o.error, "127.0.0.1: cannot resolve: "));
    outcome_clear(&o);
}

static const char *
conf_port_timeout(const char *key, void *arg)
{
    if (strcmp(key, "connect_timeout") == 0)
        return "1";
    return conf_port(key, arg);
}

static void
tick(void *arg)
{
    (*(int *)arg)++;
}

/* A listener whose accept queue is full drops SYNs, so the connect hangs:
 * it must end after connect_timeout without ever blocking the loop. */
static void
test_connect_timeout(void)
{
    int port;
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(lfd, 0), ==, 0);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&sin, &len), ==, 0);
    port = ntohs(sin.sin_port);
    int fillers[4];
    for (int i = 0; i < 4; i++) {  /* fill the queue; later ones may hang: nonblocking */
        fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        (void)connect(fillers[i], (struct sockaddr *)&sin, sizeof(sin));
    }
    g_usleep(100000);
    int ticks = 0;
    event_handle_t *t = event_register_ms(100, tick, &ticks);
    outcome_t o = { 0 };
    o.preps = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *p = g_strdup_printf("%d", port);
    gint64 t0 = g_get_monotonic_time();
    protocol_sendreq("127.0.0.1", security_getdriver("bsdtcp"), conf_port_timeout, p,
                     "SERVICE noop\n", 5, on_reply, &o);
    protocol_run_until_done();
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    event_release(t);
    g_assert_cmpint(o.status, ==, S_ERROR);
    g_autofree char *want = g_strdup_printf(
        "127.0.0.1 port %d: cannot connect: no answer within 1 s (connect_timeout)", port);
    g_assert_cmpstr(o.error, ==, want);
    g_assert_cmpfloat(secs, >=, 1.9);  /* two tries of 1 s */
    g_assert_cmpfloat(secs, <, 10);
    g_assert_cmpint(ticks, >=, 10);    /* the loop kept running meanwhile */
    for (int i = 0; i < 4; i++)
        close(fillers[i]);
    close(lfd);
    outcome_clear(&o);
}

static void
start_listener(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(lfd, 64), ==, 0);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&sin, &len), ==, 0);
    listen_port = ntohs(sin.sin_port);
    event_register(lfd, EV_READFD, peer_accept, GINT_TO_POINTER(lfd));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    alarm(300);  /* a hang becomes a failure, never a stuck CI */
    g_set_prgname("test-protocol");
    g_autofree char *dbg = g_dir_make_tmp("test-protocol-XXXXXX", NULL);
    g_setenv("AMANDA_DBGDIR", dbg, TRUE);
    debug_open("server");
    /* Short timers so the retry paths run in well under a second each. */
    protocol_set_timing(150, 3, 2, 50, 1);
    start_listener();
    g_test_add_func("/protocol/normal", test_normal);
    g_test_add_func("/protocol/preps-and-duplicate", test_preps_and_duplicate);
    g_test_add_func("/protocol/lost-req", test_lost_req);
    g_test_add_func("/protocol/silent-client", test_silent_client);
    g_test_add_func("/protocol/lost-reply", test_lost_reply);
    g_test_add_func("/protocol/rep-without-ack", test_rep_without_ack);
    g_test_add_func("/protocol/nak", test_nak);
    g_test_add_func("/protocol/garbage-dropped", test_garbage_dropped);
    g_test_add_func("/protocol/connection-refused", test_connection_refused);
    g_test_add_func("/protocol/connect-timeout", test_connect_timeout);
    g_test_add_func("/protocol/unknown-port-name", test_unknown_port_name);
    g_test_add_func("/protocol/many-parallel", test_many_parallel);
    int rc = g_test_run();
    debug_close();
    /* remove the debug files we made */
    GDir *d = g_dir_open(dbg, 0, NULL);
    if (d) {
        g_autofree char *sub = g_build_filename(dbg, "server", NULL);
        GDir *s = g_dir_open(sub, 0, NULL);
        const char *name;
        while (s && (name = g_dir_read_name(s))) {
            g_autofree char *f = g_build_filename(sub, name, NULL);
            g_unlink(f);
        }
        if (s)
            g_dir_close(s);
        g_rmdir(sub);
        g_dir_close(d);
    }
    g_rmdir(dbg);
    return rc;
}
