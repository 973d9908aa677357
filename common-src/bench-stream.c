/* bench-stream: bsdtcp multiplexed stream throughput on loopback, against
 * a plain TCP copy of the same number of bytes in the same run.  Used by
 * bench/stream-throughput; not installed.
 *
 *   bench-stream [STREAMS [MIB_PER_STREAM [RUNS]]]     (default 3 256 3)
 *
 * Both measurements fork a sender (the "client", as amandad sending a
 * dump) and read in this process (the "server"), so each uses two
 * processes.  The bsdtcp one goes through protocol_sendreq (REQ, ACK, REP
 * with CONNECT, ACK) and then reads STREAMS streams at once; the clock runs
 * from the REP to the last EOF.  Prints MB/s (10^6 bytes/s) for each and
 * their ratio, best of RUNS. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amutil.h"
#include "event.h"
#include "protocol.h"
#include "security.h"

#define BLOCK (256u * 1024u)
#define MAX_STREAMS 16

static int nstreams = 3;
static uint64_t per_stream;
static uint8_t block[BLOCK];

static double
now(void)
{
    return (double)g_get_monotonic_time() / 1e6;
}

/* A listening socket on 127.0.0.1 and its port. */
static int
listen_loopback(int *port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 4) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        perror("bench-stream: listen");
        exit(1);
    }
    *port = ntohs(sin.sin_port);
    return fd;
}

static pid_t
fork_child(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench-stream: fork");
        exit(1);
    }
    if (pid == 0)
        prctl(PR_SET_PDEATHSIG, SIGKILL);
    return pid;
}

/* --- plain TCP ----------------------------------------------------------- */

static double
run_plain(void)
{
    int port;
    int lfd = listen_loopback(&port);
    uint64_t total = per_stream * (uint64_t)nstreams;
    pid_t pid = fork_child();
    if (pid == 0) {
        int fd = accept(lfd, NULL, NULL);
        for (uint64_t sent = 0; sent < total;) {
            size_t n = (size_t)MIN((uint64_t)BLOCK, total - sent);
            if (full_write(fd, block, n) != (ssize_t)n)
                _exit(1);
            sent += n;
        }
        _exit(0);
    }
    close(lfd);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
        perror("bench-stream: connect");
        exit(1);
    }
    static uint8_t buf[BLOCK];
    uint64_t got = 0;
    double t0 = now();
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        got += (uint64_t)n;
    }
    double t = now() - t0;
    close(fd);
    waitpid(pid, NULL, 0);
    if (got != total) {
        fprintf(stderr, "bench-stream: plain copy got %" G_GUINT64_FORMAT " bytes\n", got);
        exit(1);
    }
    return (double)total / t / 1e6;
}

/* --- bsdtcp: the sending side (child) ------------------------------------- */

typedef struct {
    security_stream_t *s;
    uint64_t sent;
    int *open;
} sender_t;

static void
sender_next(void *arg, security_stream_t *s, security_status_t status)
{
    sender_t *x = arg;
    (void)s;
    if (status != S_OK || x->sent == per_stream) {
        /* The loop ends once the EOF frames are out (see run_bsdtcp). */
        security_stream_close(x->s);
        --*x->open;
        if (status != S_OK)
            _exit(1);
        return;
    }
    size_t n = (size_t)MIN((uint64_t)BLOCK, per_stream - x->sent);
    x->sent += n;
    security_stream_write_async(x->s, block, n, sender_next, x);
}

static sender_t senders[MAX_STREAMS];
static int senders_open;

static void
sender_got_ack(void *arg, pkt_t *pkt, security_status_t status)
{
    security_handle_t *h = arg;
    if (status != S_OK || pkt->type != P_ACK)
        _exit(1);
    senders_open = nstreams;
    for (int i = 0; i < nstreams; i++) {
        senders[i].open = &senders_open;
        sender_next(&senders[i], senders[i].s, S_OK);
    }
    security_close(h);
}

static void
sender_request(void *arg, security_handle_t *h, pkt_t *req)
{
    (void)arg;
    (void)req;
    pkt_t p;
    pkt_init(&p, P_ACK, NULL);
    security_sendpkt(h, &p);
    pkt_clear(&p);
    pkt_init(&p, P_REP, "CONNECT");
    for (int i = 0; i < nstreams; i++) {
        senders[i].s = security_stream_server(h);
        pkt_cat(&p, " S%d %d", i, security_stream_id(senders[i].s));
    }
    pkt_cat(&p, "\n");
    security_sendpkt(h, &p);
    pkt_clear(&p);
    security_recvpkt(h, sender_got_ack, h, 30000);
}

static event_handle_t *listen_ev;

static void
sender_accept(void *arg)
{
    int lfd = GPOINTER_TO_INT(arg);
    int fd = accept(lfd, NULL, NULL);
    event_release(listen_ev);  /* one connection per run */
    if (fd < 0)
        _exit(1);
    if (!security_accept(security_getdriver("bsdtcp"), NULL, NULL, fd, fd, sender_request, NULL,
                         NULL))
        _exit(1);
}

/* --- bsdtcp: the reading side (this process) ------------------------------ */

typedef struct {
    security_stream_t *s;
    uint64_t got;
    gboolean eof;
} reader_t;

static reader_t readers[MAX_STREAMS];
static int readers_open;
static double t_start, t_end;
static gboolean failed;

static void
reader_data(void *arg, void *buf, ssize_t size)
{
    reader_t *r = arg;
    (void)buf;
    if (size > 0) {
        r->got += (uint64_t)size;
        return;
    }
    if (size < 0) {
        fprintf(stderr, "bench-stream: %s\n", security_stream_geterror(r->s));
        failed = TRUE;
    }
    security_stream_close(r->s);
    r->eof = TRUE;
    if (--readers_open == 0)
        t_end = now();
}

static void
got_reply(void *arg, pkt_t *pkt, security_handle_t *h, security_status_t status)
{
    (void)arg;
    if (status != S_OK || pkt->type != P_REP) {
        fprintf(stderr, "bench-stream: request failed: %s\n", security_geterror(h));
        failed = TRUE;
        return;
    }
    const char *p = pkt->body->str;
    t_start = now();
    for (int i = 0; i < nstreams; i++) {
        int tag, id;
        const char *s = strchr(p, 'S');
        if (!s || sscanf(s, "S%d %d", &tag, &id) != 2) {
            failed = TRUE;
            return;
        }
        p = s + 1;
        readers[i] = (reader_t){ .s = security_stream_client(h, id) };
        security_stream_read(readers[i].s, reader_data, &readers[i]);
        readers_open++;
    }
}

static const char *
conf_port(const char *key, void *arg)
{
    return strcmp(key, "client_port") == 0 ? arg : NULL;
}

static double
run_bsdtcp(void)
{
    int port;
    int lfd = listen_loopback(&port);
    pid_t pid = fork_child();
    if (pid == 0) {
        listen_ev = event_register(lfd, EV_READFD, sender_accept, GINT_TO_POINTER(lfd));
        event_loop(0);
        _exit(0);
    }
    close(lfd);
    g_autofree char *p = g_strdup_printf("%d", port);
    readers_open = 0;
    t_end = 0;
    protocol_sendreq("127.0.0.1", security_getdriver("bsdtcp"), conf_port, p, "SERVICE bench\n",
                     30, got_reply, NULL);
    protocol_run_until_done();
    while (!failed && readers_open > 0)
        g_main_context_iteration(NULL, TRUE);
    int status;
    waitpid(pid, &status, 0);
    uint64_t total = 0;
    for (int i = 0; i < nstreams; i++)
        total += readers[i].got;
    if (failed || total != per_stream * (uint64_t)nstreams) {
        fprintf(stderr, "bench-stream: bsdtcp got %" G_GUINT64_FORMAT " bytes\n", total);
        exit(1);
    }
    return (double)total / (t_end - t_start) / 1e6;
}

int
main(int argc, char **argv)
{
    nstreams = argc > 1 ? atoi(argv[1]) : 3;
    int mib = argc > 2 ? atoi(argv[2]) : 256;
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    if (nstreams < 1 || nstreams > MAX_STREAMS || mib < 1 || runs < 1) {
        fprintf(stderr, "usage: bench-stream [STREAMS(1-%d) [MIB_PER_STREAM [RUNS]]]\n",
                MAX_STREAMS);
        return 2;
    }
    per_stream = (uint64_t)mib * 1024 * 1024;
    memset(block, 0x5a, sizeof(block));
    signal(SIGPIPE, SIG_IGN);
    double best_plain = 0, best_bsdtcp = 0;
    /* Interleaved, so load from other processes hits both alike. */
    for (int r = 0; r < runs; r++) {
        best_plain = MAX(best_plain, run_plain());
        best_bsdtcp = MAX(best_bsdtcp, run_bsdtcp());
    }
    printf("data: %d streams x %d MiB, best of %d runs\n", nstreams, mib, runs);
    printf("plain TCP copy:       %8.1f MB/s\n", best_plain);
    printf("bsdtcp multiplexed:   %8.1f MB/s\n", best_bsdtcp);
    printf("ratio bsdtcp/plain:   %8.2f (target >= 0.70)\n", best_bsdtcp / best_plain);
    return 0;
}
