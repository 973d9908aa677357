/* The data exchange shared by test-security and its spawned peer; see
 * test-security-common.h. */
#include "config.h"
#include "test-security-common.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "protocol.h"

#define ACK_WAIT_MS 10000

typedef struct xchg xchg_t;

typedef struct {
    xchg_t *x;
    int idx;
    security_stream_t *s;
    uint8_t *buf;
    uint64_t sent, received;
    EVP_MD_CTX *tx_sha, *rx_sha;
    gboolean tx_done, rx_done;
    int chunks_read;
    event_handle_t *resume_ev;
} xstream_t;

struct xchg {
    gboolean is_peer;
    security_handle_t *h;
    uint64_t bytes;
    xstream_t st[XCHG_STREAMS];
    security_stream_t *report;
    GString *report_text;
    xchg_result_t *result;
    gboolean finished;
};

uint64_t
xchg_stream_bytes(int default_mib)
{
    const char *env = g_getenv("AMANDA_TEST_STREAM_MIB");
    double mib = env ? g_ascii_strtod(env, NULL) : default_mib;
    return (uint64_t)(mib * 1024 * 1024);
}

static inline uint64_t
mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void
xchg_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t offset)
{
    uint64_t key = (uint64_t)seed << 40;
    for (size_t i = 0; i < len;) {
        uint64_t word_index = (offset + i) / 8;
        uint64_t v = mix64(key ^ word_index);
        size_t in_word = (offset + i) % 8;
        for (; in_word < 8 && i < len; in_word++, i++)
            buf[i] = (uint8_t)(v >> (8 * in_word));
    }
}

static void
digest_hex(EVP_MD_CTX *ctx, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx, md, &n);
    for (unsigned i = 0; i < 32; i++)
        g_snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static uint32_t
send_seed(xchg_t *x, int idx)
{
    return (uint32_t)((x->is_peer ? 2000 : 1000) + idx);
}

/* --- finishing ----------------------------------------------------------- */

static void
xchg_free(xchg_t *x)
{
    for (int i = 0; i < XCHG_STREAMS; i++) {
        xstream_t *xs = &x->st[i];
        if (xs->resume_ev)
            event_release(xs->resume_ev);
        if (xs->s)
            security_stream_close(xs->s);
        EVP_MD_CTX_free(xs->tx_sha);
        EVP_MD_CTX_free(xs->rx_sha);
        g_free(xs->buf);
    }
    if (x->report)
        security_stream_close(x->report);
    if (x->h)
        security_close(x->h);
    if (x->report_text)
        g_string_free(x->report_text, TRUE);
    g_free(x);
}

static void
fail(xchg_t *x, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
fail(xchg_t *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (x->result && !x->result->error)
        x->result->error = g_strdup(msg);
    if (x->result)
        x->result->done = TRUE;
    if (!x->result)
        g_printerr("test peer: %s\n", msg);
    x->finished = TRUE;
    xchg_free(x);
}

static gboolean
data_all_done(xchg_t *x)
{
    for (int i = 0; i < XCHG_STREAMS; i++)
        if (!x->st[i].tx_done || !x->st[i].rx_done)
            return FALSE;
    return TRUE;
}

static void
report_written(void *arg, security_stream_t *s, security_status_t status)
{
    xchg_t *x = arg;
    (void)s;
    if (status != S_OK) {
        fail(x, "report write failed");
        return;
    }
    xchg_free(x);  /* peer side: closes streams and the handle */
}

/* Peer: all data moved; send the digests on the report stream. */
static void
peer_report(xchg_t *x)
{
    x->report_text = g_string_new(NULL);
    for (int i = 0; i < XCHG_STREAMS; i++) {
        char sent[65], recv[65];
        digest_hex(x->st[i].tx_sha, sent);
        digest_hex(x->st[i].rx_sha, recv);
        g_string_append_printf(x->report_text, "%s %s\n", sent, recv);
    }
    security_stream_write_async(x->report, x->report_text->str, x->report_text->len,
                                report_written, x);
}

static void
requester_maybe_finish(xchg_t *x)
{
    if (!data_all_done(x) || x->report || x->finished)
        return;
    xchg_result_t *r = x->result;
    for (int i = 0; i < XCHG_STREAMS; i++) {
        digest_hex(x->st[i].tx_sha, r->sent[i]);
        digest_hex(x->st[i].rx_sha, r->received[i]);
        r->bytes_received[i] = x->st[i].received;
    }
    g_strlcpy(r->peer_report, x->report_text->str, sizeof(r->peer_report));
    r->done = TRUE;
    x->finished = TRUE;
    xchg_free(x);
}

static void
check_progress(xchg_t *x)
{
    if (!data_all_done(x))
        return;
    if (x->is_peer)
        peer_report(x);
    else
        requester_maybe_finish(x);
}

/* --- moving data --------------------------------------------------------- */

static void write_next(xstream_t *xs);

static void
chunk_written(void *arg, security_stream_t *s, security_status_t status)
{
    xstream_t *xs = arg;
    (void)s;
    if (status != S_OK) {
        fail(xs->x, "stream %d: write failed: %s", xs->idx, security_stream_geterror(s));
        return;
    }
    write_next(xs);
}

static void
write_next(xstream_t *xs)
{
    xchg_t *x = xs->x;
    if (xs->sent == x->bytes) {
        xs->tx_done = TRUE;
        check_progress(x);
        return;
    }
    size_t n = (size_t)MIN((uint64_t)XCHG_CHUNK, x->bytes - xs->sent);
    xchg_fill(xs->buf, n, send_seed(x, xs->idx), xs->sent);
    EVP_DigestUpdate(xs->tx_sha, xs->buf, n);
    xs->sent += n;
    security_stream_write_async(xs->s, xs->buf, n, chunk_written, xs);
}

static void data_read(void *arg, void *buf, ssize_t size);

static void
resume_stream(void *arg)
{
    xstream_t *xs = arg;
    event_release(xs->resume_ev);
    xs->resume_ev = NULL;
    security_stream_read(xs->s, data_read, xs);
}

static void
data_read(void *arg, void *buf, ssize_t size)
{
    xstream_t *xs = arg;
    xchg_t *x = xs->x;
    if (size <= 0) {
        if (!xs->rx_done)
            fail(x, "stream %d: %s after %" G_GUINT64_FORMAT " bytes", xs->idx,
                 size == 0 ? "early EOF" : security_stream_geterror(xs->s), xs->received);
        return;
    }
    if (xs->received + (uint64_t)size > x->bytes) {
        fail(x, "stream %d: more data than sent", xs->idx);
        return;
    }
    EVP_DigestUpdate(xs->rx_sha, buf, (size_t)size);
    xs->received += (uint64_t)size;
    if (xs->received == x->bytes) {
        xs->rx_done = TRUE;
        security_stream_read_cancel(xs->s);
        check_progress(x);
        return;
    }
    /* Exercise flow control: now and then the first stream's reader pauses. */
    if (!x->is_peer && xs->idx == 0 && ++xs->chunks_read % 64 == 0) {
        security_stream_read_cancel(xs->s);
        xs->resume_ev = event_register_ms(1, resume_stream, xs);
    }
}

static void
start_data(xchg_t *x)
{
    for (int i = 0; i < XCHG_STREAMS; i++) {
        xstream_t *xs = &x->st[i];
        xs->x = x;
        xs->idx = i;
        xs->buf = g_malloc(XCHG_CHUNK);
        xs->tx_sha = EVP_MD_CTX_new();
        xs->rx_sha = EVP_MD_CTX_new();
        EVP_DigestInit_ex(xs->tx_sha, EVP_sha256(), NULL);
        EVP_DigestInit_ex(xs->rx_sha, EVP_sha256(), NULL);
        xs->rx_done = x->bytes == 0;
        security_stream_read(xs->s, data_read, xs);
        write_next(xs);
    }
}

/* --- peer side ------------------------------------------------------------ */

static void
peer_got_ack(void *arg, pkt_t *pkt, security_status_t status)
{
    xchg_t *x = arg;
    if (status != S_OK || pkt->type != P_ACK) {
        fail(x, "no ACK for our REP (%s)", status == S_OK ? pkt_type2str(pkt->type) : "none");
        return;
    }
    start_data(x);
}

void
xchg_peer_serve(security_handle_t *handle, pkt_t *req)
{
    xchg_t *x = g_new0(xchg_t, 1);
    pkt_t ack, rep;
    x->is_peer = TRUE;
    x->h = handle;
    const char *bytes = strstr(req->body->str, "BYTES ");
    x->bytes = bytes ? g_ascii_strtoull(bytes + 6, NULL, 10) : 0;

    pkt_init(&ack, P_ACK, NULL);
    security_sendpkt(handle, &ack);
    pkt_clear(&ack);
    for (int i = 0; i < XCHG_STREAMS; i++)
        x->st[i].s = security_stream_server(handle);
    x->report = security_stream_server(handle);
    pkt_init(&rep, P_REP, "CONNECT DATA %d MESG %d INDEX %d STATE %d\nOPTIONS features=0;\n",
             security_stream_id(x->st[0].s), security_stream_id(x->st[1].s),
             security_stream_id(x->st[2].s), security_stream_id(x->report));
    if (security_sendpkt(handle, &rep) < 0) {
        pkt_clear(&rep);
        fail(x, "cannot send REP: %s", security_geterror(handle));
        return;
    }
    pkt_clear(&rep);
    security_recvpkt(handle, peer_got_ack, x, ACK_WAIT_MS);
}

/* --- requesting side -------------------------------------------------------- */

static void
report_read(void *arg, void *buf, ssize_t size)
{
    xchg_t *x = arg;
    if (size < 0) {
        fail(x, "report stream: %s", security_stream_geterror(x->report));
        return;
    }
    if (size > 0) {
        g_string_append_len(x->report_text, buf, size);
        return;
    }
    security_stream_close(x->report);
    x->report = NULL;
    requester_maybe_finish(x);
}

static gboolean
open_reply_streams(xchg_t *x, security_handle_t *h, const char *body)
{
    int ids[4];
    if (sscanf(body, "CONNECT DATA %d MESG %d INDEX %d STATE %d", &ids[0], &ids[1], &ids[2],
               &ids[3]) != 4)
        return FALSE;
    for (int i = 0; i < XCHG_STREAMS; i++)
        if (!(x->st[i].s = security_stream_client(h, ids[i])))
            return FALSE;
    if (!(x->report = security_stream_client(h, ids[3])))
        return FALSE;
    x->report_text = g_string_new(NULL);
    security_stream_read(x->report, report_read, x);
    return TRUE;
}

/* protocol.c did the REQ/ACK/REP/ACK; it closes the handle after this
 * returns, the streams opened here stay. */
static void
requester_got_reply(void *arg, pkt_t *pkt, security_handle_t *h, security_status_t status)
{
    xchg_t *x = arg;
    if (status != S_OK) {
        fail(x, "request: %s", security_geterror(h));
        return;
    }
    if (pkt->type != P_REP || !open_reply_streams(x, h, pkt->body->str)) {
        fail(x, "unexpected reply %s: %s", pkt_type2str(pkt->type), pkt->body->str);
        return;
    }
    start_data(x);
}

void
xchg_run(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
         void *conf_arg, uint64_t bytes, xchg_result_t *result)
{
    xchg_t *x = g_new0(xchg_t, 1);
    memset(result, 0, sizeof(*result));
    x->bytes = bytes;
    x->result = result;
    g_autofree char *req = g_strdup_printf("SERVICE xchg\nBYTES %" G_GUINT64_FORMAT "\n", bytes);
    protocol_sendreq(host, drv, conf_fn, conf_arg, req, 60, requester_got_reply, x);
    while (!result->done)
        g_main_context_iteration(NULL, TRUE);
}
