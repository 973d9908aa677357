/* Tests for the security layer: the frame decoder (with fuzzing), the
 * driver table, and whole exchanges (REQ/ACK/REP/ACK and three streams of
 * $AMANDA_TEST_STREAM_MIB MiB, default 64, in both directions, checked with
 * SHA-256 on each end) over bsdtcp on 127.0.0.1 and over the local driver
 * with a spawned peer; malformed frames on a live connection are refused
 * and the server goes on serving. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "security-tcpm.h"
#include "security.h"
#include "test-security-common.h"

static int server_port;
static pid_t server_pid = -1;

/* ---------------- frame decoder ---------------- */

typedef struct {
    uint32_t id;
    GByteArray *data;
} frame_t;

/* Feed STREAM through the decoder in random-sized pieces; collect frames. */
static gboolean
decode_all(const uint8_t *stream, size_t len, GRand *rand, GPtrArray *out, size_t max_frame)
{
    tcpm_decoder_t dec;
    tcpm_decoder_init(&dec, max_frame);
    size_t pos = 0;
    gboolean ok = TRUE;
    while (ok) {
        while (dec.frame_ready) {
            frame_t *f = g_new0(frame_t, 1);
            f->id = dec.id;
            f->data = g_byte_array_new();
            g_byte_array_append(f->data, dec.payload, dec.len);
            g_ptr_array_add(out, f);
            if (!(ok = tcpm_decoder_consume(&dec)))
                break;
        }
        if (!ok || pos == len)
            break;
        struct iovec iov[2];
        int cnt = tcpm_decoder_iov(&dec, iov);
        g_assert_cmpint(cnt, >, 0);
        /* (MIN evaluates its arguments twice: draw the size first.) */
        size_t piece = (size_t)g_rand_int_range(rand, 1, 40);
        size_t want = MIN(len - pos, piece);
        size_t stored = 0;
        for (int i = 0; i < cnt && stored < want; i++) {
            size_t n = MIN(want - stored, iov[i].iov_len);
            memcpy(iov[i].iov_base, stream + pos + stored, n);
            stored += n;
        }
        pos += stored;
        ok = tcpm_decoder_advance(&dec, stored);
    }
    if (!ok)
        g_assert_nonnull(dec.error);
    if (!ok && g_getenv("TCPM_DEBUG"))
        g_printerr("decoder: %s\n", dec.error);
    tcpm_decoder_clear(&dec);
    return ok;
}

static void
frame_free(gpointer p)
{
    frame_t *f = p;
    g_byte_array_free(f->data, TRUE);
    g_free(f);
}

static void
test_frame_roundtrip(void)
{
    GRand *rand = g_rand_new_with_seed(42);
    for (int round = 0; round < 300; round++) {
        GByteArray *wire = g_byte_array_new();
        GPtrArray *sent = g_ptr_array_new_with_free_func(frame_free);
        int nframes = g_rand_int_range(rand, 1, 12);
        for (int i = 0; i < nframes; i++) {
            frame_t *f = g_new0(frame_t, 1);
            f->id = (uint32_t)g_rand_int_range(rand, 1, 500000);
            f->data = g_byte_array_new();
            int len = g_rand_boolean(rand) ? 0 : g_rand_int_range(rand, 1, 300);
            for (int k = 0; k < len; k++) {
                uint8_t b = (uint8_t)g_rand_int(rand);
                g_byte_array_append(f->data, &b, 1);
            }
            uint8_t hdr[8];
            tcpm_frame_header(hdr, f->data->len, f->id);
            g_byte_array_append(wire, hdr, 8);
            g_byte_array_append(wire, f->data->data, f->data->len);
            g_ptr_array_add(sent, f);
        }
        GPtrArray *got = g_ptr_array_new_with_free_func(frame_free);
        g_assert_true(decode_all(wire->data, wire->len, rand, got, 1000));
        g_assert_cmpuint(got->len, ==, sent->len);
        for (guint i = 0; i < got->len; i++) {
            frame_t *a = sent->pdata[i], *b = got->pdata[i];
            g_assert_cmpuint(a->id, ==, b->id);
            g_assert_cmpmem(a->data->data, a->data->len, b->data->data, b->data->len);
        }
        g_ptr_array_free(got, TRUE);
        g_ptr_array_free(sent, TRUE);
        g_byte_array_free(wire, TRUE);
    }
    g_rand_free(rand);
}

static void
test_frame_too_big_and_fuzz(void)
{
    GRand *rand = g_rand_new_with_seed(7);
    uint8_t hdr[8];
    tcpm_frame_header(hdr, 0xffffffffu, 1);
    GPtrArray *got = g_ptr_array_new_with_free_func(frame_free);
    g_assert_false(decode_all(hdr, sizeof(hdr), rand, got, TCPM_RECV_FRAME_MAX));
    g_assert_cmpuint(got->len, ==, 0);
    /* random garbage: frames or a refusal, never a crash or an overrun */
    for (int round = 0; round < 3000; round++) {
        size_t len = (size_t)g_rand_int_range(rand, 0, 256);
        uint8_t *buf = g_malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t)(g_rand_int_range(rand, 0, 4) == 0 ? 0 : g_rand_int(rand));
        decode_all(buf, len, rand, got, 64);
        g_free(buf);
    }
    g_ptr_array_free(got, TRUE);
    g_rand_free(rand);
}

/* ---------------- packet frames: fuzz ---------------- */

/* What tcpm_decode_packet must say about BUF, worked out independently. */
static const char *
expected_refusal(const uint8_t *buf, size_t len)
{
    if (len == 0)
        return "empty packet";
    if (buf[0] > P_NAK)
        return "unknown packet type byte";
    size_t body = len - 1;
    if (body > 0 && buf[len - 1] == 0)
        body--;
    if (body > 0 && memchr(buf + 1, 0, body))
        return "packet holds a NUL byte";
    return NULL;
}

static void
check_packet_payload(const uint8_t *buf, size_t len, int *accepted, int *refused)
{
    pkt_t pkt;
    g_autoptr(GError) err = NULL;
    const char *want = expected_refusal(buf, len);
    if (tcpm_decode_packet(buf, len, &pkt, &err)) {
        g_assert_null(want);
        g_assert_cmpint(pkt.type, ==, buf[0]);
        g_assert_cmpuint(pkt.body->len, <=, len - 1);
        g_assert_cmpuint(strlen(pkt.body->str), ==, pkt.body->len);
        pkt_clear(&pkt);
        (*accepted)++;
    } else {
        g_assert_nonnull(want);
        g_assert_true(g_str_has_prefix(err->message, want));
        (*refused)++;
    }
}

/* Random, truncated and mutated packet frames, alone and inside mutated
 * frame streams (truncated, bytes flipped, absurd length fields): the
 * decoders accept them or refuse with a named reason, never crash. */
static void
test_packet_fuzz(void)
{
    GRand *rand = g_rand_new_with_seed(2026);
    int accepted = 0, refused = 0, streams_refused = 0;
    static const char body[] = "SECURITY USER backup\nSERVICE sendsize\nOPTIONS features=ff;\n";
    for (int round = 0; round < 6000; round++) {
        size_t len = (size_t)g_rand_int_range(rand, 0, 120);
        uint8_t *buf = g_malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            buf[i] = round % 2 ? (uint8_t)g_rand_int(rand)
                               : (i == 0 ? (uint8_t)g_rand_int_range(rand, 0, 6)
                                         : (uint8_t)(i <= sizeof(body) ? body[i - 1] : 'x'));
        if (round % 3 == 0 && len > 1)  /* a NUL somewhere */
            buf[g_rand_int_range(rand, 1, (gint32)len)] = 0;
        check_packet_payload(buf, len, &accepted, &refused);
        g_free(buf);
    }
    for (int round = 0; round < 3000; round++) {
        GByteArray *wire = g_byte_array_new();
        for (int f = 0; f < 4; f++) {
            uint8_t hdr[8];
            uint32_t id = f % 2 ? 1 : TCPM_STREAM_ID_TOP - 1;
            uint8_t type = (uint8_t)g_rand_int_range(rand, 0, 5);
            tcpm_frame_header(hdr, (uint32_t)sizeof(body) + 1, id);
            g_byte_array_append(wire, hdr, 8);
            g_byte_array_append(wire, &type, 1);
            g_byte_array_append(wire, (const guint8 *)body, sizeof(body));
        }
        switch (round % 3) {
        case 0:  /* truncated anywhere */
            g_byte_array_set_size(wire, (guint)g_rand_int_range(rand, 0, (gint32)wire->len));
            break;
        case 1:  /* a few bytes flipped */
            for (int k = 0; k < 4; k++)
                wire->data[g_rand_int_range(rand, 0, (gint32)wire->len)] = (uint8_t)g_rand_int(rand);
            break;
        default: {  /* an absurd length field */
            uint32_t huge = g_htonl(TCPM_RECV_FRAME_MAX + (uint32_t)g_rand_int_range(rand, 1, 1 << 30));
            memcpy(wire->data, &huge, 4);
        }
        }
        GPtrArray *got = g_ptr_array_new_with_free_func(frame_free);
        if (!decode_all(wire->data, wire->len, rand, got, TCPM_RECV_FRAME_MAX))
            streams_refused++;
        for (guint i = 0; i < got->len; i++) {
            frame_t *fr = got->pdata[i];
            if (fr->id < TCPM_STREAM_ID_FLOOR && fr->data->len > 0)
                check_packet_payload(fr->data->data, fr->data->len, &accepted, &refused);
        }
        g_ptr_array_free(got, TRUE);
        g_byte_array_free(wire, TRUE);
    }
    g_assert_cmpint(accepted, >, 1000);
    g_assert_cmpint(refused, >, 1000);
    g_assert_cmpint(streams_refused, >=, 1000);
    g_rand_free(rand);
}

/* ---------------- driver table ---------------- */

static void
note_connect(void *arg, security_handle_t *handle, security_status_t status)
{
    char **msg = arg;
    g_assert_cmpint(status, ==, S_ERROR);
    *msg = g_strdup(security_geterror(handle));
    security_close(handle);
}

static void
test_driver_table(void)
{
    const char *names[] = { "bsd", "bsdtcp", "bsdudp", "local", "ssh", "ssl", "krb5" };
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        const security_driver_t *drv = security_getdriver(names[i]);
        g_assert_nonnull(drv);
        g_assert_cmpstr(drv->name, ==, names[i]);
    }
    g_assert_null(security_getdriver("carrier-pigeon"));
    g_assert_true(security_driver_is_implemented(security_getdriver("bsdtcp")));

    const security_driver_t *ssh = security_getdriver("ssh");
    g_assert_false(security_driver_is_implemented(ssh));
    char *msg = NULL;
    security_connect(ssh, "client1", NULL, NULL, note_connect, &msg);
    while (!msg)
        g_main_context_iteration(NULL, TRUE);
    g_assert_cmpstr(msg, ==, "client1: auth \"ssh\" is not implemented yet");
    g_free(msg);
    g_autoptr(GError) err = NULL;
    g_assert_false(security_accept(ssh, NULL, NULL, 0, 1, NULL, NULL, &err));
    g_assert_cmpstr(err->message, ==, "auth \"ssh\" is not implemented yet");
}

/* ---------------- exchanges ---------------- */

static const char *
conf_for_test(const char *key, void *arg)
{
    const char **pairs = arg;
    for (int i = 0; pairs[i]; i += 2)
        if (strcmp(pairs[i], key) == 0)
            return pairs[i + 1];
    return NULL;
}

static void
check_exchange(xchg_result_t *r, uint64_t bytes)
{
    if (r->error)
        g_error("exchange failed: %s", r->error);
    g_auto(GStrv) lines = g_strsplit(r->peer_report, "\n", -1);
    g_assert_cmpuint(g_strv_length(lines), ==, XCHG_STREAMS + 1);
    for (int i = 0; i < XCHG_STREAMS; i++) {
        char peer_sent[65], peer_received[65];
        g_assert_cmpint(sscanf(lines[i], "%64s %64s", peer_sent, peer_received), ==, 2);
        g_assert_cmpuint(r->bytes_received[i], ==, bytes);
        g_assert_cmpstr(peer_sent, ==, r->received[i]);
        g_assert_cmpstr(peer_received, ==, r->sent[i]);
    }
    /* and the bytes are what the generator promised */
    g_assert_cmpstr(r->sent[0], !=, r->received[0]);
}

static void
test_bsdtcp_exchange(void)
{
    uint64_t bytes = xchg_stream_bytes(64);
    g_autofree char *port = g_strdup_printf("%d", server_port);
    const char *conf[] = { "client_port", port, NULL };
    xchg_result_t r;
    xchg_run(security_getdriver("bsdtcp"), "127.0.0.1", conf_for_test, conf, bytes, &r);
    check_exchange(&r, bytes);
}

/* ---------------- blocking helpers, both ends in this process ---------------- */

typedef struct {
    security_handle_t *h;
    int stream_id;
    int splice_fd, spliced;   /* test_splice_write */
} sync_server_t;

static void
sync_server_request(void *arg, security_handle_t *h, pkt_t *pkt)
{
    sync_server_t *sv = arg;
    g_assert_cmpint(pkt->type, ==, P_REQ);
    sv->h = h;
    security_stream_t *s = security_stream_server(h);
    sv->stream_id = security_stream_id(s);
    pkt_t rep;
    pkt_init(&rep, P_REP, "CONNECT DATA %d\n", sv->stream_id);
    g_assert_cmpint(security_sendpkt(h, &rep), ==, 0);
    pkt_clear(&rep);
    /* Small enough for the socket buffer: a blocking write cannot wait on
     * a reader that runs in this same thread. */
    uint8_t buf[48 * 1024];
    xchg_fill(buf, sizeof(buf), 7, 0);
    g_assert_cmpint(security_stream_write(s, buf, sizeof(buf)), ==, 0);
    security_stream_close(s);
}

static void
sync_got_reply(void *arg, pkt_t *pkt, security_status_t status)
{
    pkt_t *out = arg;
    g_assert_cmpint(status, ==, S_OK);
    pkt_copy(out, pkt);
}

/* security_stream_write (blocking) on one end, security_stream_read_sync
 * on the other, over a socketpair: every byte arrives, then EOF (0). */
static void
test_sync_helpers(void)
{
    int sv_fds[2];
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv_fds), ==, 0);
    sync_server_t sv = { 0 };
    const security_driver_t *drv = security_getdriver("local");
    g_assert_true(tcpm_accept_fds(drv, sv_fds[1], sv_fds[1], sync_server_request, &sv, "peer",
                                  "local", NULL));
    tcpm_conn_t *conn = tcpm_conn_new(drv, sv_fds[0], sv_fds[0]);
    security_handle_t *h = tcpm_conversation_new(conn);
    pkt_t req, rep = { 0 };
    pkt_init(&req, P_REQ, "SERVICE sync\n");
    g_assert_cmpint(security_sendpkt(h, &req), ==, 0);
    pkt_clear(&req);
    security_recvpkt(h, sync_got_reply, &rep, 5000);
    while (!rep.body)
        g_main_context_iteration(NULL, TRUE);
    int id = -1;
    g_assert_cmpint(sscanf(rep.body->str, "CONNECT DATA %d", &id), ==, 1);
    pkt_clear(&rep);
    security_stream_t *s = security_stream_client(h, id);
    g_assert_nonnull(s);
    GByteArray *got = g_byte_array_new();
    for (;;) {
        void *buf = NULL;
        ssize_t n = security_stream_read_sync(s, &buf);
        g_assert_cmpint(n, >=, 0);
        if (n == 0)
            break;
        g_byte_array_append(got, buf, (guint)n);
    }
    uint8_t want[48 * 1024];
    xchg_fill(want, sizeof(want), 7, 0);
    g_assert_cmpmem(got->data, got->len, want, sizeof(want));
    g_byte_array_free(got, TRUE);
    security_stream_close(s);
    security_close(h);
    security_close(sv.h);
    while (event_count() > 0)  /* both ends wind down */
        g_main_context_iteration(NULL, TRUE);
}

/* ---------------- splice writes (amandad's relay path) ---------------- */

#define SPLICE_BYTES (600u * 1024u)   /* three frames: 256 + 256 + 88 KiB */

static void
splice_done(void *arg, security_stream_t *stream, security_status_t status)
{
    g_assert_cmpint(status, ==, S_OK);
    *(int *)arg = 1;
    security_stream_close(stream);
}

static void
splice_server_request(void *arg, security_handle_t *h, pkt_t *pkt)
{
    sync_server_t *sv = arg;
    g_assert_cmpint(pkt->type, ==, P_REQ);
    sv->h = h;
    security_stream_t *s = security_stream_server(h);
    sv->stream_id = security_stream_id(s);
    pkt_t rep;
    pkt_init(&rep, P_REP, "CONNECT DATA %d\n", sv->stream_id);
    g_assert_cmpint(security_sendpkt(h, &rep), ==, 0);
    pkt_clear(&rep);
    g_assert_true(tcpm_stream_can_splice(s));
    /* A plain write first: the spliced frames must queue behind it. */
    static uint8_t head[1000];
    xchg_fill(head, sizeof(head), 9, 0);
    security_stream_write_async(s, head, sizeof(head), NULL, NULL);
    int p[2];
    g_assert_cmpint(pipe2(p, O_NONBLOCK), ==, 0);
    g_assert_cmpint(fcntl(p[1], F_SETPIPE_SZ, 1024 * 1024), >=, (int)SPLICE_BYTES);
    uint8_t *buf = g_malloc(SPLICE_BYTES);
    xchg_fill(buf, SPLICE_BYTES, 9, sizeof(head));
    g_assert_cmpint(write(p[1], buf, SPLICE_BYTES), ==, (ssize_t)SPLICE_BYTES);
    g_free(buf);
    close(p[1]);
    sv->splice_fd = p[0];
    tcpm_stream_splice_async(s, p[0], SPLICE_BYTES, splice_done, &sv->spliced);
}

/* tcpm_stream_splice_async over a socketpair: a memory write then three
 * spliced frames arrive in order and complete, then EOF. */
static void
test_splice_write(void)
{
    int sv_fds[2];
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv_fds), ==, 0);
    sync_server_t sv = { 0 };
    const security_driver_t *drv = security_getdriver("local");
    g_assert_true(tcpm_accept_fds(drv, sv_fds[1], sv_fds[1], splice_server_request, &sv, "peer",
                                  "local", NULL));
    tcpm_conn_t *conn = tcpm_conn_new(drv, sv_fds[0], sv_fds[0]);
    security_handle_t *h = tcpm_conversation_new(conn);
    pkt_t req, rep = { 0 };
    pkt_init(&req, P_REQ, "SERVICE splice\n");
    g_assert_cmpint(security_sendpkt(h, &req), ==, 0);
    pkt_clear(&req);
    security_recvpkt(h, sync_got_reply, &rep, 5000);
    while (!rep.body)
        g_main_context_iteration(NULL, TRUE);
    int id = -1;
    g_assert_cmpint(sscanf(rep.body->str, "CONNECT DATA %d", &id), ==, 1);
    pkt_clear(&rep);
    security_stream_t *s = security_stream_client(h, id);
    GByteArray *got = g_byte_array_new();
    for (;;) {
        void *buf = NULL;
        ssize_t n = security_stream_read_sync(s, &buf);
        g_assert_cmpint(n, >=, 0);
        if (n == 0)
            break;
        g_byte_array_append(got, buf, (guint)n);
    }
    size_t total = 1000 + SPLICE_BYTES;
    uint8_t *want = g_malloc(total);
    xchg_fill(want, total, 9, 0);
    g_assert_cmpmem(got->data, got->len, want, total);
    g_free(want);
    g_assert_cmpint(sv.spliced, ==, 1);
    g_byte_array_free(got, TRUE);
    close(sv.splice_fd);
    security_stream_close(s);
    security_close(h);
    security_close(sv.h);
    while (event_count() > 0)
        g_main_context_iteration(NULL, TRUE);
}

static void
test_local_exchange(void)
{
    uint64_t bytes = xchg_stream_bytes(64);
    g_autofree char *peer = g_test_build_filename(G_TEST_BUILT, "test-security-peer", NULL);
    const char *conf[] = { "amandad_path", peer, NULL };
    xchg_result_t r;
    xchg_run(security_getdriver("local"), "localhost", conf_for_test, conf, bytes, &r);
    check_exchange(&r, bytes);
}

/* ---------------- malformed input on a live connection ---------------- */

static int
raw_connect(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)server_port) };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    return fd;
}

/* Send BYTES; the server must hang up on us within a few seconds. */
static void
expect_hangup(const void *bytes, size_t len)
{
    int fd = raw_connect();
    g_assert_cmpint(write(fd, bytes, len), ==, (ssize_t)len);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    g_assert_cmpint(poll(&pfd, 1, 5000), ==, 1);
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf));
    g_assert_true(n == 0 || (n < 0 && errno == ECONNRESET));
    close(fd);
}

static void
send_frame_expect_hangup(uint32_t len_field, uint32_t id, const char *payload)
{
    GByteArray *b = g_byte_array_new();
    uint8_t hdr[8];
    tcpm_frame_header(hdr, len_field, id);
    g_byte_array_append(b, hdr, 8);
    if (payload)
        g_byte_array_append(b, (const guint8 *)payload, (guint)strlen(payload));
    expect_hangup(b->data, b->len);
    g_byte_array_free(b, TRUE);
}

/* Read one frame from FD (blocking, 5 s at most); its payload, or NULL. */
static GByteArray *
read_frame(int fd, uint32_t *id)
{
    uint8_t hdr[8];
    size_t have = 0;
    GByteArray *payload = NULL;
    uint32_t len = 0;
    while (!payload || payload->len < len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 5000) != 1)
            break;
        if (have < 8) {
            ssize_t n = read(fd, hdr + have, 8 - have);
            if (n <= 0)
                break;
            have += (size_t)n;
            if (have == 8) {
                uint32_t v[2];
                memcpy(v, hdr, 8);
                len = ntohl(v[0]);
                *id = ntohl(v[1]);
                payload = g_byte_array_sized_new(len);
            }
            continue;
        }
        uint8_t buf[4096];
        ssize_t n = read(fd, buf, MIN(sizeof(buf), len - payload->len));
        if (n <= 0)
            break;
        g_byte_array_append(payload, buf, (guint)n);
    }
    if (payload && payload->len == len)
        return payload;
    if (payload)
        g_byte_array_free(payload, TRUE);
    return NULL;
}

static void
send_frame(int fd, uint32_t id, const void *payload, size_t len)
{
    uint8_t hdr[8];
    tcpm_frame_header(hdr, (uint32_t)len, id);
    g_assert_cmpint(write(fd, hdr, 8), ==, 8);
    g_assert_cmpint(write(fd, payload, len), ==, (ssize_t)len);
}

/* Packets that are not packets (bad type byte, a conversation that does
 * not start with a REQ) are dropped; the connection goes on and a real
 * REQ after them is answered with an ACK. */
static void
expect_garbage_dropped(void)
{
    int fd = raw_connect();
    send_frame(fd, 1, "garbage header\n", 15);
    send_frame(fd, 2, "\3", 2);   /* an ACK out of the blue */
    static const char req[] = "\0SECURITY USER x\nSERVICE xchg\nBYTES 0\n";
    send_frame(fd, 3, req, sizeof(req));
    uint32_t id = 0;
    GByteArray *ack = read_frame(fd, &id);
    g_assert_nonnull(ack);
    g_assert_cmpuint(id, ==, 3);
    g_assert_cmpuint(ack->len, ==, 2);
    g_assert_cmpint(ack->data[0], ==, P_ACK);
    g_assert_cmpint(ack->data[1], ==, 0);
    g_byte_array_free(ack, TRUE);
    close(fd);
}

static void
test_malformed_frames(void)
{
    send_frame_expect_hangup(0xfffffff0u, 1, NULL);                 /* absurd length */
    send_frame_expect_hangup(5, 450000, "hello");                   /* unknown stream */
    expect_garbage_dropped();
    send_frame_expect_hangup(20, 600000, "Amanda 3.5 REQ HANDLE");  /* id out of range */
    int fd = raw_connect();  /* half a header, then gone */
    g_assert_cmpint(write(fd, "\0\0", 2), ==, 2);
    close(fd);

    /* ... and the server still serves a real request. */
    g_autofree char *port = g_strdup_printf("%d", server_port);
    const char *conf[] = { "client_port", port, NULL };
    xchg_result_t r;
    xchg_run(security_getdriver("bsdtcp"), "127.0.0.1", conf_for_test, conf, 1 << 20, &r);
    check_exchange(&r, 1 << 20);
}

/* ---------------- the forked bsdtcp server ---------------- */

static void
server_on_request(void *arg, security_handle_t *handle, pkt_t *pkt)
{
    (void)arg;
    xchg_peer_serve(handle, pkt);
}

static void
server_accept_one(void *arg)
{
    int lfd = GPOINTER_TO_INT(arg);
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        return;
    GError *err = NULL;
    if (!security_accept(security_getdriver("bsdtcp"), NULL, NULL, fd, fd, server_on_request,
                         NULL, &err)) {
        g_printerr("server: %s\n", err->message);
        g_error_free(err);
        close(fd);
    }
}

/* Listen on 127.0.0.1 (a free high port) and serve from a child process,
 * forked before the parent's main loop is ever used. */
static void
start_server(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    g_assert_cmpint(lfd, >=, 0);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(lfd, 16), ==, 0);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&sin, &len), ==, 0);
    server_port = ntohs(sin.sin_port);
    server_pid = fork();
    g_assert_cmpint(server_pid, >=, 0);
    if (server_pid == 0) {
        /* Never outlive the test, even when it aborts. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1)
            _exit(1);
        alarm(600);
        event_register(lfd, EV_READFD, server_accept_one, GINT_TO_POINTER(lfd));
        event_loop(0);
        _exit(0);
    }
    close(lfd);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    alarm(300);  /* a hang becomes a failure, never a stuck CI */
    start_server();
    g_test_add_func("/tcpm/frame-roundtrip", test_frame_roundtrip);
    g_test_add_func("/tcpm/frame-too-big-and-fuzz", test_frame_too_big_and_fuzz);
    g_test_add_func("/tcpm/packet-fuzz", test_packet_fuzz);
    g_test_add_func("/security/driver-table", test_driver_table);
    g_test_add_func("/bsdtcp/exchange", test_bsdtcp_exchange);
    g_test_add_func("/local/exchange", test_local_exchange);
    g_test_add_func("/tcpm/sync-helpers", test_sync_helpers);
    g_test_add_func("/tcpm/splice-write", test_splice_write);
    g_test_add_func("/bsdtcp/malformed-frames", test_malformed_frames);
    int rc = g_test_run();
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    return rc;
}
