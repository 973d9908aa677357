/* security-tcpm: one connection carrying many conversations and streams.
 * See security-tcpm.h for the wire format and the flow-control rules. */
#include "config.h"
#include "security-tcpm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "debug.h"
#include "event.h"

/* Packets that arrive before anyone asked for them; more means a confused
 * or hostile peer. */
#define MAX_QUEUED_PKTS 32
/* Reads per readable event before giving other sources a turn. */
#define READS_PER_EVENT 16
#define TX_IOV_MAX 128

/* ========================= frame decoder ================================ */

void
tcpm_frame_header(uint8_t out[8], uint32_t len, uint32_t id)
{
    uint32_t nlen = g_htonl(len), nid = g_htonl(id);
    memcpy(out, &nlen, 4);
    memcpy(out + 4, &nid, 4);
}

void
tcpm_decoder_init(tcpm_decoder_t *dec, size_t max_frame)
{
    memset(dec, 0, sizeof(*dec));
    dec->max_frame = max_frame;
}

void
tcpm_decoder_clear(tcpm_decoder_t *dec)
{
    g_free(dec->payload);
    g_free(dec->error);
    memset(dec, 0, sizeof(*dec));
}

/* Move on from a complete header or payload; FALSE on a bad header. */
static gboolean
decoder_settle(tcpm_decoder_t *dec)
{
    if (dec->frame_ready || dec->error)
        return dec->error == NULL;
    if (dec->in_payload) {
        if (dec->have == dec->len) {
            dec->frame_ready = TRUE;
            dec->in_payload = FALSE;
        }
        return TRUE;
    }
    if (dec->hdr_have < sizeof(dec->hdr))
        return TRUE;
    uint32_t nlen, nid;
    memcpy(&nlen, dec->hdr, 4);
    memcpy(&nid, dec->hdr + 4, 4);
    dec->len = g_ntohl(nlen);
    dec->id = g_ntohl(nid);
    dec->hdr_have = 0;
    if (dec->len > dec->max_frame) {
        dec->error = g_strdup_printf("frame of %" G_GUINT32_FORMAT " bytes for id %" G_GUINT32_FORMAT
                                     " is over the limit of %zu", dec->len, dec->id, dec->max_frame);
        return FALSE;
    }
    if (dec->len > dec->cap) {
        g_free(dec->payload);
        dec->cap = MAX(dec->len, (size_t)TCPM_SEND_FRAME_MAX);
        dec->payload = g_malloc(dec->cap);
    }
    dec->have = 0;
    dec->in_payload = dec->len > 0;
    dec->frame_ready = dec->len == 0;
    return TRUE;
}

int
tcpm_decoder_iov(tcpm_decoder_t *dec, struct iovec iov[2])
{
    int n = 0;
    if (dec->frame_ready || dec->error)
        return 0;
    if (dec->in_payload) {
        iov[n].iov_base = dec->payload + dec->have;
        iov[n++].iov_len = dec->len - dec->have;
    }
    /* Read the next header in the same call: one syscall per frame. */
    iov[n].iov_base = dec->hdr + dec->hdr_have;
    iov[n++].iov_len = sizeof(dec->hdr) - dec->hdr_have;
    return n;
}

gboolean
tcpm_decoder_advance(tcpm_decoder_t *dec, size_t n)
{
    if (dec->in_payload) {
        size_t take = MIN(n, (size_t)(dec->len - dec->have));
        dec->have += take;
        n -= take;
        if (!decoder_settle(dec))
            return FALSE;
    }
    dec->hdr_have += n;
    g_assert(dec->hdr_have <= sizeof(dec->hdr));
    return decoder_settle(dec);
}

gboolean
tcpm_decoder_consume(tcpm_decoder_t *dec)
{
    dec->frame_ready = FALSE;
    return decoder_settle(dec);
}

/* ========================= objects ====================================== */

typedef struct tcpm_stream tcpm_stream_t;

/* One conversation.  conn is NULL for a handle that only carries an error. */
typedef struct {
    security_handle_t sech;
    tcpm_conn_t *conn;
    uint32_t id;
    char proto_handle[PKT_HANDLE_MAX + 1];
    uint32_t seq;
    security_recvpkt_fn_t recv_fn;
    void *recv_arg;
    event_handle_t *recv_timer;
    GQueue queued;           /* pkt_t * received before a recvpkt */
    gboolean peer_gone;
} tcpm_handle_t;

struct tcpm_stream {
    security_stream_t secs;
    tcpm_conn_t *conn;
    uint32_t id;
    security_read_fn_t read_fn;
    void *read_arg;
    gboolean eof_seen;
    gboolean eof_pending;    /* EOF came while paused; not told yet */
    event_handle_t *eof_ev;
    gboolean error_reported;
    /* read_sync's private copy */
    void *sync_buf;
    ssize_t sync_size;
    gboolean sync_done;
};

/* One frame (or the rest of one) waiting for the socket. */
typedef struct {
    uint8_t hdr[8];
    size_t hdr_off;
    const uint8_t *data;
    size_t len, off;
    uint8_t *owned;
    uint32_t stream_id;      /* 0 when not a stream write */
    /* Payload from a pipe: its first bytes (LEAD) are read and written
     * with the header, the rest is spliced.  AMANDA's receiver reads a
     * frame's body right after its header and takes EAGAIN there as a
     * broken connection, so a header must never travel without body. */
    gboolean from_pipe;
    int pipe_fd;
    gboolean lead_loaded;
    size_t lead_len;
    uint8_t lead[4096];
    security_write_fn_t fn;  /* on the last frame of a write only */
    void *arg;
    tcpm_stream_t *stream;
} tx_item_t;

struct tcpm_conn {
    const security_driver_t *driver;
    int in_fd, out_fd;
    int refs;
    gboolean dead;
    char *error;
    char *peer_name, *peer_address;
    GPid child;
    event_handle_t *ev_read, *ev_write;
    tcpm_decoder_t dec;
    gboolean held;           /* a ready frame waits for a paused stream */
    gboolean resume_pending;
    GQueue tx;
    GQueue finishing;        /* written items whose writers are being told */
    size_t tx_bytes;
    int user_calls;          /* >0 while inside an API call from a user */
    GHashTable *handles;     /* id -> tcpm_handle_t */
    GHashTable *streams;     /* id -> tcpm_stream_t */
    GHashTable *closed;      /* ids closed here whose late frames are dropped */
    uint32_t next_conversation;
    uint32_t next_stream;
    security_accept_fn_t accept_fn;
    void *accept_arg;
    gboolean accepting;
    char *(*prefix_fn)(void);
};

static void conn_readable(void *arg);
static void conn_writable(void *arg);
static void conn_fail(tcpm_conn_t *conn, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void conn_flush(tcpm_conn_t *conn);

/* ========================= connection lifetime =========================== */

static void
set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Frames leave in one writev per flush, so Nagle only delays them: a small
 * control line written while the peer holds back its delayed ACK waited
 * about 40 ms, several times per amrecover extraction.  Not a TCP socket
 * (socketpair, pipe): nothing to do. */
static void
set_nodelay(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

tcpm_conn_t *
tcpm_conn_new(const security_driver_t *drv, int in_fd, int out_fd)
{
    tcpm_conn_t *conn = g_new0(tcpm_conn_t, 1);
    conn->driver = drv;
    conn->in_fd = in_fd;
    conn->out_fd = out_fd;
    conn->child = -1;
    set_nonblocking(in_fd);
    set_nonblocking(out_fd);
    set_nodelay(out_fd);
    tcpm_decoder_init(&conn->dec, TCPM_RECV_FRAME_MAX);
    g_queue_init(&conn->tx);
    g_queue_init(&conn->finishing);
    conn->handles = g_hash_table_new(g_direct_hash, g_direct_equal);
    conn->streams = g_hash_table_new(g_direct_hash, g_direct_equal);
    conn->closed = g_hash_table_new(g_direct_hash, g_direct_equal);
    conn->next_conversation = 1;
    conn->next_stream = TCPM_STREAM_ID_TOP;
    conn->ev_read = event_register(in_fd, EV_READFD, conn_readable, conn);
    return conn;
}

void
tcpm_conn_set_peer(tcpm_conn_t *conn, const char *name, const char *address)
{
    g_free(conn->peer_name);
    g_free(conn->peer_address);
    conn->peer_name = g_strdup(name);
    conn->peer_address = g_strdup(address);
}

static void
child_reaped(pid_t pid, int status, void *arg)
{
    (void)arg;
    dbprintf("security: peer program (pid %d) ended with status 0x%x", (int)pid, status);
}

void
tcpm_conn_set_req_prefix(tcpm_conn_t *conn, char *(*prefix_fn)(void))
{
    conn->prefix_fn = prefix_fn;
}

void
tcpm_conn_set_child(tcpm_conn_t *conn, GPid pid)
{
    conn->child = pid;
    event_register_child(pid, child_reaped, NULL);
}

static void
tx_item_free(tx_item_t *item)
{
    g_free(item->owned);
    g_free(item);
}

static void
conn_free(tcpm_conn_t *conn)
{
    if (conn->ev_read)
        event_release(conn->ev_read);
    if (conn->ev_write)
        event_release(conn->ev_write);
    g_queue_clear_full(&conn->tx, (GDestroyNotify)tx_item_free);
    g_queue_clear_full(&conn->finishing, (GDestroyNotify)tx_item_free);
    tcpm_decoder_clear(&conn->dec);
    g_hash_table_destroy(conn->handles);
    g_hash_table_destroy(conn->streams);
    g_hash_table_destroy(conn->closed);
    if (conn->in_fd >= 0)
        close(conn->in_fd);
    if (conn->out_fd >= 0 && conn->out_fd != conn->in_fd)
        close(conn->out_fd);
    g_free(conn->error);
    g_free(conn->peer_name);
    g_free(conn->peer_address);
    g_free(conn);
}

static void
conn_ref(tcpm_conn_t *conn)
{
    conn->refs++;
}

/* The last reference gone: free now, or once the queued bytes are out. */
static void
conn_unref(tcpm_conn_t *conn)
{
    g_assert(conn->refs > 0);
    if (--conn->refs > 0)
        return;
    if (!conn->dead && conn->tx.length > 0) {
        conn->refs = 1;  /* the flush holds it; conn_writable drops it */
        conn->accepting = FALSE;
        if (conn->ev_read) {
            event_release(conn->ev_read);
            conn->ev_read = NULL;
        }
        return;
    }
    conn_free(conn);
}

/* ========================= failure reporting ============================ */

static void
report_handle_failure(gpointer key, gpointer value, gpointer conn_p)
{
    (void)key;
    tcpm_handle_t *h = value;
    tcpm_conn_t *conn = conn_p;
    h->peer_gone = TRUE;
    security_seterror(&h->sech, "%s", conn->error);
    if (h->recv_fn) {
        security_recvpkt_fn_t fn = h->recv_fn;
        void *fn_arg = h->recv_arg;   /* cancel clears it */
        tcpm_recvpkt_cancel(&h->sech);
        fn(fn_arg, NULL, S_ERROR);
    }
}

static void
report_stream_failure(tcpm_stream_t *s)
{
    if (s->eof_seen || s->eof_pending || s->error_reported)
        return;
    security_stream_seterror(&s->secs, "%s", s->conn->error);
    if (s->read_fn) {
        s->error_reported = TRUE;
        s->read_fn(s->read_arg, NULL, -1);
    }
}

/* Writers waiting for their bytes to go out hear that they never will. */
static void
fail_pending_writes(tcpm_conn_t *conn)
{
    tx_item_t *item;
    while ((item = g_queue_pop_head(&conn->tx))) {
        if (item->fn && item->stream) {
            security_stream_seterror(&item->stream->secs, "%s", conn->error);
            item->fn(item->arg, &item->stream->secs, S_ERROR);
        }
        tx_item_free(item);
    }
    conn->tx_bytes = 0;
}

/* Socket EOF, a write error or a malformed frame: the connection is over.
 * Tell every conversation and stream, then stop using the fds. */
static void
conn_fail(tcpm_conn_t *conn, const char *fmt, ...)
{
    if (conn->dead)
        return;
    va_list ap;
    va_start(ap, fmt);
    conn->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    dbprintf("security: connection with %s: %s", conn->peer_name ? conn->peer_name : "peer",
             conn->error);
    conn->dead = TRUE;
    conn_ref(conn);
    if (conn->ev_read) {
        event_release(conn->ev_read);
        conn->ev_read = NULL;
    }
    if (conn->ev_write) {
        event_release(conn->ev_write);
        conn->ev_write = NULL;
    }
    fail_pending_writes(conn);
    GList *handles = g_hash_table_get_values(conn->handles);
    for (GList *l = handles; l; l = l->next)
        if (g_hash_table_lookup(conn->handles, GUINT_TO_POINTER(((tcpm_handle_t *)l->data)->id)))
            report_handle_failure(NULL, l->data, conn);
    g_list_free(handles);
    GList *streams = g_hash_table_get_keys(conn->streams);
    for (GList *l = streams; l; l = l->next) {
        tcpm_stream_t *s = g_hash_table_lookup(conn->streams, l->data);
        if (s)
            report_stream_failure(s);
    }
    g_list_free(streams);
    if (conn->accepting) {
        conn->accepting = FALSE;
        conn_unref(conn);
    }
    conn_unref(conn);
}

/* ========================= writing ====================================== */

static void
tx_queue_frame(tcpm_conn_t *conn, uint32_t id, const void *data, size_t len, gboolean copy)
{
    tx_item_t *item = g_new0(tx_item_t, 1);
    tcpm_frame_header(item->hdr, (uint32_t)len, id);
    if (copy && len > 0) {
        item->owned = g_memdup2(data, len);
        item->data = item->owned;
    } else {
        item->data = data;
    }
    item->len = len;
    g_queue_push_tail(&conn->tx, item);
    conn->tx_bytes += len + sizeof(item->hdr);
}

/* sendmsg (so a closed socket gives EPIPE, not SIGPIPE) or writev for
 * pipes. */
static ssize_t
write_iov(int fd, struct iovec *iov, int iovcnt, int more)
{
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
    ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT | more);
    if (n < 0 && errno == ENOTSOCK)
        n = writev(fd, iov, iovcnt);
    return n;
}

static gboolean
load_lead(tx_item_t *item)
{
    ssize_t n;
    do
        n = read(item->pipe_fd, item->lead, MIN(item->len, sizeof(item->lead)));
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        /* the writer promised bytes that its pipe does not have */
        if (n == 0 || errno == EAGAIN)
            errno = EPIPE;
        return FALSE;
    }
    item->lead_len = (size_t)n;
    item->lead_loaded = TRUE;
    return TRUE;
}

/* The queue's next bytes as an iovec (-1 with errno if a pipe item's
 * lead cannot be read); *ENDS_BEFORE_PIPE when the last entry is followed
 * by spliced bytes. */
static int
tx_build_iov(tcpm_conn_t *conn, struct iovec *iov, gboolean *ends_before_pipe)
{
    int n = 0;
    *ends_before_pipe = FALSE;
    for (GList *l = conn->tx.head; l && n < TX_IOV_MAX - 1; l = l->next) {
        tx_item_t *item = l->data;
        if (item->hdr_off < sizeof(item->hdr)) {
            iov[n].iov_base = item->hdr + item->hdr_off;
            iov[n++].iov_len = sizeof(item->hdr) - item->hdr_off;
        }
        if (item->from_pipe) {
            /* Every pipe item before this one is complete, so the pipe's
             * next bytes are this frame's. */
            if (!item->lead_loaded && !load_lead(item))
                return -1;
            if (item->off < item->lead_len) {
                iov[n].iov_base = item->lead + item->off;
                iov[n++].iov_len = item->lead_len - item->off;
            }
            *ends_before_pipe = item->len > item->lead_len;
            break;
        }
        if (item->off < item->len) {
            iov[n].iov_base = (void *)(item->data + item->off);
            iov[n++].iov_len = item->len - item->off;
        }
    }
    return n;
}

typedef struct {
    security_write_fn_t fn;
    void *arg;
    security_stream_t *stream;
} write_done_t;

static void
run_write_done(void *arg)
{
    write_done_t *d = arg;
    d->fn(d->arg, d->stream, S_OK);
    g_free(d);
}

/* An item is fully written: drop it and tell its writer (later, if we are
 * inside the writer's own call, so producers do not recurse). */
static void
tx_complete(tcpm_conn_t *conn, tx_item_t *item)
{
    if (item->fn) {
        if (conn->user_calls > 0) {
            write_done_t *d = g_new0(write_done_t, 1);
            d->fn = item->fn;
            d->arg = item->arg;
            d->stream = &item->stream->secs;
            security_defer(run_write_done, d);
        } else {
            item->fn(item->arg, &item->stream->secs, S_OK);
        }
    }
    tx_item_free(item);
}

/* N more bytes went out.  Finished items are unlinked first and their
 * writers told afterwards, so a writer that queues more from its callback
 * sees a consistent queue. */
static void
tx_advance(tcpm_conn_t *conn, size_t n)
{
    conn->tx_bytes -= n;
    while (conn->tx.head) {
        tx_item_t *item = g_queue_peek_head(&conn->tx);
        size_t h = MIN(n, sizeof(item->hdr) - item->hdr_off);
        item->hdr_off += h;
        n -= h;
        size_t d = MIN(n, item->len - item->off);
        item->off += d;
        n -= d;
        if (item->hdr_off < sizeof(item->hdr) || item->off < item->len)
            break;
        g_queue_push_tail(&conn->finishing, g_queue_pop_head(&conn->tx));
    }
    tx_item_t *item;
    while ((item = g_queue_pop_head(&conn->finishing)))
        tx_complete(conn, item);
}

/* The head item's payload straight from its pipe to the connection: the
 * kernel moves page references, the bytes never enter our memory. */
static ssize_t
splice_head(tcpm_conn_t *conn)
{
    tx_item_t *item = g_queue_peek_head(&conn->tx);
    ssize_t n = splice(item->pipe_fd, NULL, conn->out_fd, NULL, item->len - item->off,
                       SPLICE_F_NONBLOCK);
    if (n == 0) {
        /* the writer promised bytes that its pipe does not have */
        errno = EPIPE;
        return -1;
    }
    return n;
}

/* Write as much of the queue as the socket takes now; arm EV_WRITEFD for
 * the rest. */
static void
conn_flush(tcpm_conn_t *conn)
{
    struct iovec iov[TX_IOV_MAX];
    while (!conn->dead && conn->tx.length > 0) {
        tx_item_t *head = g_queue_peek_head(&conn->tx);
        gboolean before_pipe;
        ssize_t n;
        if (head->from_pipe && head->hdr_off == sizeof(head->hdr) && head->lead_loaded
            && head->off >= head->lead_len) {
            n = splice_head(conn);
        } else {
            int cnt = tx_build_iov(conn, iov, &before_pipe);
            /* MSG_MORE: the spliced rest of a frame joins its lead in the
             * same segments. */
            n = cnt < 0 ? -1 : write_iov(conn->out_fd, iov, cnt, before_pipe ? MSG_MORE : 0);
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            conn_fail(conn, "write failed: %s", g_strerror(errno));
            return;
        }
        tx_advance(conn, (size_t)n);
    }
    if (conn->dead)
        return;
    if (conn->tx.length > 0 && !conn->ev_write)
        conn->ev_write = event_register(conn->out_fd, EV_WRITEFD, conn_writable, conn);
    else if (conn->tx.length == 0 && conn->ev_write) {
        event_release(conn->ev_write);
        conn->ev_write = NULL;
    }
}

static void
conn_writable(void *arg)
{
    tcpm_conn_t *conn = arg;
    conn_ref(conn);
    conn_flush(conn);
    conn_unref(conn);
}

/* ========================= reading ====================================== */

static void deliver_to_handle(tcpm_handle_t *h, pkt_t *pkt);

static tcpm_handle_t *
handle_new(tcpm_conn_t *conn, uint32_t id)
{
    tcpm_handle_t *h = g_new0(tcpm_handle_t, 1);
    security_handle_init(&h->sech, conn->driver);
    h->conn = conn;
    h->id = id;
    g_queue_init(&h->queued);
    g_hash_table_insert(conn->handles, GUINT_TO_POINTER(id), h);
    conn_ref(conn);
    return h;
}

static const char *
conn_peer(tcpm_conn_t *conn)
{
    return conn->peer_name ? conn->peer_name : "peer";
}

/* A first packet on a new id: a new request, on the accepting side only. */
static gboolean
open_conversation(tcpm_conn_t *conn, uint32_t id, pkt_t *pkt)
{
    if (!conn->accept_fn || id >= TCPM_STREAM_ID_FLOOR || id == 0) {
        dbprintf("security: dropped a %s packet from %s for unknown conversation %" G_GUINT32_FORMAT,
                 pkt_type2str(pkt->type), conn_peer(conn), id);
        return FALSE;
    }
    if (pkt->type != P_REQ) {
        dbprintf("security: dropped a %s packet from %s: conversation %" G_GUINT32_FORMAT
                 " must start with a REQ", pkt_type2str(pkt->type), conn_peer(conn), id);
        return FALSE;
    }
    tcpm_handle_t *h = handle_new(conn, id);
    g_strlcpy(h->proto_handle, pkt->handle, sizeof(h->proto_handle));
    h->seq = pkt->seq;
    conn->accept_fn(conn->accept_arg, &h->sech, pkt);
    return TRUE;
}

/* On a multiplexed connection AMANDA sends a packet as one frame holding
 * the type as a byte (P_REQ = 0 ... P_NAK = 4), the body, and a NUL: no
 * "Amanda x.y TYPE HANDLE h SEQ n" line, the frame id says which
 * conversation it belongs to. */
gboolean
tcpm_decode_packet(const uint8_t *buf, size_t len, pkt_t *pkt, GError **error)
{
    if (len == 0) {
        g_set_error(error, PKT_ERROR, PKT_ERROR_HEADER, "empty packet");
        return FALSE;
    }
    if (len > PKT_MAX_TCP) {
        g_set_error(error, PKT_ERROR, PKT_ERROR_TOO_BIG, "packet of %zu bytes is over the limit of %u",
                    len, PKT_MAX_TCP);
        return FALSE;
    }
    if (buf[0] > P_NAK) {
        g_set_error(error, PKT_ERROR, PKT_ERROR_TYPE, "unknown packet type byte 0x%02x", buf[0]);
        return FALSE;
    }
    size_t body = len - 1;
    if (body > 0 && buf[len - 1] == '\0')
        body--;
    if (body > 0 && memchr(buf + 1, '\0', body)) {
        g_set_error(error, PKT_ERROR, PKT_ERROR_NUL, "packet holds a NUL byte");
        return FALSE;
    }
    pkt_init(pkt, (pktype_t)buf[0], NULL);
    g_string_append_len(pkt->body, (const char *)buf + 1, (gssize)body);
    pkt->major = PKT_VERSION_MAJOR;
    pkt->minor = PKT_VERSION_MINOR;
    return TRUE;
}

static void
dispatch_packet(tcpm_conn_t *conn, uint32_t id, const uint8_t *buf, size_t len)
{
    g_autoptr(GError) err = NULL;
    pkt_t pkt;
    tcpm_handle_t *h = g_hash_table_lookup(conn->handles, GUINT_TO_POINTER(id));

    if (len == 0) {  /* the peer is done with this conversation */
        if (h)
            h->peer_gone = TRUE;
        return;
    }
    if (!tcpm_decode_packet(buf, len, &pkt, &err)) {
        /* The framing is intact, so the connection can go on. */
        dbprintf("security: dropped a malformed packet from %s on conversation %" G_GUINT32_FORMAT
                 ": %s", conn_peer(conn), id, err->message);
        return;
    }
    if (!h) {
        if (!g_hash_table_contains(conn->closed, GUINT_TO_POINTER(id)))
            open_conversation(conn, id, &pkt);
        pkt_clear(&pkt);
        return;
    }
    if (h->recv_fn) {
        deliver_to_handle(h, &pkt);
        pkt_clear(&pkt);
    } else if (h->queued.length >= MAX_QUEUED_PKTS) {
        pkt_clear(&pkt);
        conn_fail(conn, "peer sent more than %d unanswered packets", MAX_QUEUED_PKTS);
    } else {
        g_queue_push_tail(&h->queued, g_memdup2(&pkt, sizeof(pkt)));
    }
}

/* FALSE when the frame must wait for its stream to be read again. */
static gboolean
dispatch_stream_data(tcpm_conn_t *conn, tcpm_stream_t *s, uint8_t *buf, size_t len)
{
    /* An EOF costs no memory to keep: a paused stream gets it when read
     * again, and the connection goes on serving the other streams. */
    if (!s->read_fn && len == 0) {
        s->eof_pending = TRUE;
        return TRUE;
    }
    if (!s->read_fn)
        return FALSE;
    if (len == 0)
        s->eof_seen = TRUE;
    s->read_fn(s->read_arg, len ? buf : NULL, (ssize_t)len);
    (void)conn;
    return TRUE;
}

/* Hand the ready frame to its owner.  FALSE if it is held. */
static gboolean
dispatch_frame(tcpm_conn_t *conn)
{
    uint32_t id = conn->dec.id;
    size_t len = conn->dec.len;
    tcpm_stream_t *s = g_hash_table_lookup(conn->streams, GUINT_TO_POINTER(id));

    if (s)
        return dispatch_stream_data(conn, s, conn->dec.payload, len);
    if (id >= TCPM_STREAM_ID_FLOOR && id < TCPM_STREAM_ID_TOP) {
        if (g_hash_table_contains(conn->closed, GUINT_TO_POINTER(id)))
            return TRUE;  /* late data for a stream closed here: dropped */
        /* The connecting side learns stream ids from the reply and may open
         * them a little later: wait for that (security_stream_client, then
         * security_stream_read resumes).  The accepting side hands the ids
         * out itself, so an unknown one there is a broken peer. */
        if (!conn->accept_fn)
            return FALSE;
        conn_fail(conn, "data frame for unknown stream %" G_GUINT32_FORMAT, id);
        return TRUE;
    }
    if (id >= TCPM_STREAM_ID_TOP) {
        conn_fail(conn, "frame for out-of-range id %" G_GUINT32_FORMAT, id);
        return TRUE;
    }
    dispatch_packet(conn, id, conn->dec.payload, len);
    return TRUE;
}

/* Deliver every frame that is complete; FALSE if reading must stop. */
static gboolean
drain_ready_frames(tcpm_conn_t *conn)
{
    while (!conn->dead && conn->dec.frame_ready) {
        if (!dispatch_frame(conn)) {
            conn->held = TRUE;
            return FALSE;
        }
        if (conn->dead)
            return FALSE;
        if (!tcpm_decoder_consume(&conn->dec)) {
            conn_fail(conn, "%s", conn->dec.error);
            return FALSE;
        }
    }
    return !conn->dead;
}

static void
stop_reading(tcpm_conn_t *conn)
{
    if (conn->ev_read) {
        event_release(conn->ev_read);
        conn->ev_read = NULL;
    }
}

/* One readv, then the frames it completed.  FALSE: stop for now. */
static gboolean
read_once(tcpm_conn_t *conn)
{
    struct iovec iov[2];
    int cnt = tcpm_decoder_iov(&conn->dec, iov);
    ssize_t n = readv(conn->in_fd, iov, cnt);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return FALSE;
    if (n < 0) {
        conn_fail(conn, "read failed: %s", g_strerror(errno));
        return FALSE;
    }
    if (n == 0) {
        gboolean mid_frame = conn->dec.in_payload || conn->dec.hdr_have > 0;
        conn_fail(conn, mid_frame ? "connection closed in the middle of a frame"
                                  : "connection closed by peer");
        return FALSE;
    }
    if (!tcpm_decoder_advance(&conn->dec, (size_t)n)) {
        conn_fail(conn, "%s", conn->dec.error);
        return FALSE;
    }
    if (!drain_ready_frames(conn)) {
        if (conn->held)
            stop_reading(conn);
        return FALSE;
    }
    return TRUE;
}

static void
conn_readable(void *arg)
{
    tcpm_conn_t *conn = arg;
    conn_ref(conn);
    for (int i = 0; i < READS_PER_EVENT && !conn->dead && !conn->held; i++)
        if (!read_once(conn))
            break;
    conn_unref(conn);
}

/* A paused stream is read again (or closed): deliver the held frame and
 * start reading the connection again. */
static void
resume_reading(void *arg)
{
    tcpm_conn_t *conn = arg;
    conn->resume_pending = FALSE;
    if (!conn->dead && conn->held) {
        conn->held = FALSE;
        if (drain_ready_frames(conn) && !conn->ev_read)
            conn->ev_read = event_register(conn->in_fd, EV_READFD, conn_readable, conn);
    }
    conn_unref(conn);
}

static void
schedule_resume(tcpm_conn_t *conn)
{
    if (!conn->held || conn->resume_pending)
        return;
    conn->resume_pending = TRUE;
    conn_ref(conn);
    security_defer(resume_reading, conn);
}

/* ========================= conversations ================================ */

security_handle_t *
tcpm_failed_handle_new(const security_driver_t *drv, const char *error)
{
    tcpm_handle_t *h = g_new0(tcpm_handle_t, 1);
    security_handle_init(&h->sech, drv);
    security_seterror(&h->sech, "%s", error);
    g_queue_init(&h->queued);
    return &h->sech;
}

security_handle_t *
tcpm_conversation_new(tcpm_conn_t *conn)
{
    tcpm_handle_t *h = handle_new(conn, conn->next_conversation++);
    g_snprintf(h->proto_handle, sizeof(h->proto_handle), "000-%08x", (unsigned)h->id);
    h->seq = (uint32_t)g_get_real_time() & 0x7fffffff;
    return &h->sech;
}

void
tcpm_conn_accept(tcpm_conn_t *conn, security_accept_fn_t fn, void *arg)
{
    conn->accept_fn = fn;
    conn->accept_arg = arg;
    conn->accepting = TRUE;
    conn_ref(conn);  /* dropped at socket EOF */
}

gboolean
tcpm_accept_fds(const security_driver_t *drv, int in_fd, int out_fd, security_accept_fn_t fn,
                void *arg, const char *peer_name, const char *peer_address, GError **error)
{
    (void)error;
    tcpm_conn_t *conn = tcpm_conn_new(drv, in_fd, out_fd);
    tcpm_conn_set_peer(conn, peer_name, peer_address);
    dbprintf("security: %s accept from %s (%s)", drv->name, peer_name, peer_address);
    tcpm_conn_accept(conn, fn, arg);
    return TRUE;
}

static void
queued_pkt_free(gpointer p)
{
    pkt_clear(p);
    g_free(p);
}

void
tcpm_close(security_handle_t *handle)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    tcpm_conn_t *conn = h->conn;
    tcpm_recvpkt_cancel(handle);
    g_queue_clear_full(&h->queued, queued_pkt_free);
    if (conn) {
        g_hash_table_remove(conn->handles, GUINT_TO_POINTER(h->id));
        g_hash_table_add(conn->closed, GUINT_TO_POINTER(h->id));
    }
    security_handle_clear(&h->sech);
    g_free(h);
    if (conn)
        conn_unref(conn);
}

/* The frame body of PKT as AMANDA's tcpm drivers write it: the type as a
 * byte, the body, a NUL.  PREFIX (the driver's "SECURITY USER ..." line for
 * a REQ) goes before the body. */
static GByteArray *
packet_frame(const pkt_t *pkt, const char *prefix)
{
    GByteArray *wire = g_byte_array_sized_new((guint)(pkt->body->len + 64));
    uint8_t type = (uint8_t)pkt->type;
    g_byte_array_append(wire, &type, 1);
    if (prefix)
        g_byte_array_append(wire, (const guint8 *)prefix, (guint)strlen(prefix));
    g_byte_array_append(wire, (const guint8 *)pkt->body->str, (guint)pkt->body->len);
    g_byte_array_append(wire, (const guint8 *)"", 1);
    return wire;
}

int
tcpm_sendpkt(security_handle_t *handle, const pkt_t *pkt)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    if (!h->conn || h->conn->dead) {
        if (h->conn)
            security_seterror(handle, "%s", h->conn->error);
        return -1;
    }
    tcpm_conn_t *conn = h->conn;
    g_autofree char *prefix = NULL;
    if (pkt->type == P_REQ && conn->prefix_fn && !g_str_has_prefix(pkt->body->str, "SECURITY "))
        prefix = conn->prefix_fn();
    GByteArray *wire = packet_frame(pkt, prefix);
    if (wire->len > PKT_MAX_TCP) {
        security_seterror(handle, "packet of %u bytes is too big to send", wire->len);
        g_byte_array_free(wire, TRUE);
        return -1;
    }
    tx_queue_frame(conn, h->id, wire->data, wire->len, TRUE);
    g_byte_array_free(wire, TRUE);
    conn_ref(conn);
    conn->user_calls++;
    conn_flush(conn);
    conn->user_calls--;
    int rc = conn->dead ? -1 : 0;
    if (rc < 0)
        security_seterror(handle, "%s", conn->error);
    conn_unref(conn);
    return rc;
}

static void
deliver_to_handle(tcpm_handle_t *h, pkt_t *pkt)
{
    security_recvpkt_fn_t fn = h->recv_fn;
    void *arg = h->recv_arg;
    tcpm_recvpkt_cancel(&h->sech);
    fn(arg, pkt, S_OK);
}

static void
recvpkt_timed_out(void *arg)
{
    tcpm_handle_t *h = arg;
    security_recvpkt_fn_t fn = h->recv_fn;
    void *fn_arg = h->recv_arg;
    tcpm_recvpkt_cancel(&h->sech);
    if (fn)
        fn(fn_arg, NULL, S_TIMEOUT);
}

/* recvpkt found a packet already queued, or a dead connection: answer from
 * the loop, as promised. */
static void
recvpkt_answer_now(void *arg)
{
    tcpm_handle_t *h = arg;
    pkt_t *pkt = g_queue_pop_head(&h->queued);
    if (pkt) {
        deliver_to_handle(h, pkt);
        pkt_clear(pkt);
        g_free(pkt);
        return;
    }
    security_recvpkt_fn_t fn = h->recv_fn;
    void *fn_arg = h->recv_arg;
    tcpm_recvpkt_cancel(&h->sech);
    if (fn)
        fn(fn_arg, NULL, S_ERROR);
}

void
tcpm_recvpkt(security_handle_t *handle, security_recvpkt_fn_t fn, void *arg, int timeout_ms)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    tcpm_recvpkt_cancel(handle);
    h->recv_fn = fn;
    h->recv_arg = arg;
    if (h->queued.length > 0 || !h->conn || h->conn->dead) {
        if (h->conn && h->conn->dead)
            security_seterror(handle, "%s", h->conn->error);
        h->recv_timer = event_register_ms(0, recvpkt_answer_now, h);
        return;
    }
    if (timeout_ms >= 0)
        h->recv_timer = event_register_ms((guint)timeout_ms, recvpkt_timed_out, h);
}

void
tcpm_recvpkt_cancel(security_handle_t *handle)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    h->recv_fn = NULL;
    h->recv_arg = NULL;
    if (h->recv_timer) {
        event_release(h->recv_timer);
        h->recv_timer = NULL;
    }
}

const char *
tcpm_peer_name(security_handle_t *handle)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    return h->conn ? h->conn->peer_name : NULL;
}

const char *
tcpm_peer_address(security_handle_t *handle)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    return h->conn ? h->conn->peer_address : NULL;
}

/* ========================= streams ====================================== */

static tcpm_stream_t *
stream_new(tcpm_conn_t *conn, uint32_t id)
{
    tcpm_stream_t *s = g_new0(tcpm_stream_t, 1);
    security_stream_init(&s->secs, conn->driver);
    s->conn = conn;
    s->id = id;
    s->sync_size = -2;
    g_hash_table_insert(conn->streams, GUINT_TO_POINTER(id), s);
    g_hash_table_remove(conn->closed, GUINT_TO_POINTER(id));
    conn_ref(conn);
    return s;
}

security_stream_t *
tcpm_stream_server(security_handle_t *handle)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    tcpm_conn_t *conn = h->conn;
    if (!conn || conn->dead) {
        security_seterror(handle, "cannot open a stream: %s",
                          conn ? conn->error : security_geterror(handle));
        return NULL;
    }
    /* Skip ids still in use (a very long-lived connection wraps around). */
    do {
        if (--conn->next_stream < TCPM_STREAM_ID_FLOOR)
            conn->next_stream = TCPM_STREAM_ID_TOP - 1;
    } while (g_hash_table_contains(conn->streams, GUINT_TO_POINTER(conn->next_stream)));
    return &stream_new(conn, conn->next_stream)->secs;
}

int
tcpm_stream_accept(security_stream_t *stream)
{
    (void)stream;  /* the connection is already there */
    return 0;
}

security_stream_t *
tcpm_stream_client(security_handle_t *handle, int id)
{
    tcpm_handle_t *h = (tcpm_handle_t *)handle;
    tcpm_conn_t *conn = h->conn;
    if (!conn || conn->dead) {
        security_seterror(handle, "cannot open stream %d: %s", id,
                          conn ? conn->error : security_geterror(handle));
        return NULL;
    }
    if (id < (int)TCPM_STREAM_ID_FLOOR || id >= (int)TCPM_STREAM_ID_TOP ||
        g_hash_table_contains(conn->streams, GINT_TO_POINTER(id))) {
        security_seterror(handle, "stream id %d is invalid or already open", id);
        return NULL;
    }
    return &stream_new(conn, (uint32_t)id)->secs;
}

/* Writes still queued for a closing stream must not point into buffers
 * their owner may now free. */
static void
detach_pending_writes(tcpm_conn_t *conn, tcpm_stream_t *s)
{
    for (GList *l = conn->finishing.head; l; l = l->next) {
        tx_item_t *item = l->data;
        if (item->stream == s) {
            item->fn = NULL;
            item->stream = NULL;
        }
    }
    for (GList *l = conn->tx.head; l; l = l->next) {
        tx_item_t *item = l->data;
        if (item->stream != s)
            continue;
        if (!item->owned && item->off < item->len) {
            item->owned = g_memdup2(item->data + item->off, item->len - item->off);
            item->data = item->owned;
            item->len -= item->off;
            item->off = 0;
        }
        item->fn = NULL;
        item->stream = NULL;
    }
}

void
tcpm_stream_close(security_stream_t *stream)
{
    tcpm_stream_t *s = (tcpm_stream_t *)stream;
    tcpm_conn_t *conn = s->conn;
    detach_pending_writes(conn, s);
    g_hash_table_remove(conn->streams, GUINT_TO_POINTER(s->id));
    if (!s->eof_seen && !s->eof_pending)
        g_hash_table_add(conn->closed, GUINT_TO_POINTER(s->id));
    if (!conn->dead) {
        tx_queue_frame(conn, s->id, NULL, 0, FALSE);
        conn->user_calls++;
        conn_flush(conn);
        conn->user_calls--;
    }
    /* A frame held for this stream is dropped when reading resumes. */
    if (conn->held && conn->dec.id == s->id)
        schedule_resume(conn);
    if (s->eof_ev)
        event_release(s->eof_ev);
    g_free(s->sync_buf);
    security_stream_clear(&s->secs);
    g_free(s);
    conn_unref(conn);
}

int
tcpm_stream_auth(security_stream_t *stream)
{
    (void)stream;  /* the connection was authenticated as a whole */
    return 0;
}

int
tcpm_stream_id(security_stream_t *stream)
{
    return (int)((tcpm_stream_t *)stream)->id;
}

/* Queue SIZE bytes as frames of at most TCPM_SEND_FRAME_MAX; FN goes on the
 * last one. */
static void
queue_stream_write(tcpm_stream_t *s, const void *buf, size_t size, security_write_fn_t fn, void *arg)
{
    const uint8_t *p = buf;
    do {
        size_t chunk = MIN(size, (size_t)TCPM_SEND_FRAME_MAX);
        tx_queue_frame(s->conn, s->id, p, chunk, FALSE);
        tx_item_t *item = g_queue_peek_tail(&s->conn->tx);
        item->stream = s;
        p += chunk;
        size -= chunk;
        if (size == 0) {
            item->fn = fn;
            item->arg = arg;
        }
    } while (size > 0);
}

static void report_write_failure(void *arg);

gboolean
tcpm_stream_can_splice(security_stream_t *stream)
{
    return stream->driver && stream->driver->stream_write_async == tcpm_stream_write_async;
}

void
tcpm_stream_splice_async(security_stream_t *stream, int pipe_fd, size_t size,
                         security_write_fn_t fn, void *arg)
{
    tcpm_stream_t *s = (tcpm_stream_t *)stream;
    tcpm_conn_t *conn = s->conn;
    g_return_if_fail(size > 0);
    if (conn->dead) {
        security_stream_seterror(stream, "%s", conn->error);
        write_done_t *w = g_new0(write_done_t, 1);
        w->fn = fn;
        w->arg = arg;
        w->stream = stream;
        security_defer(report_write_failure, w);
        return;
    }
    while (size > 0) {
        size_t chunk = MIN(size, (size_t)TCPM_SEND_FRAME_MAX);
        tx_queue_frame(conn, s->id, NULL, chunk, FALSE);
        tx_item_t *item = g_queue_peek_tail(&conn->tx);
        item->stream = s;
        item->from_pipe = TRUE;
        item->pipe_fd = pipe_fd;
        size -= chunk;
        if (size == 0) {
            item->fn = fn;
            item->arg = arg;
        }
    }
    conn_ref(conn);
    conn->user_calls++;
    conn_flush(conn);
    conn->user_calls--;
    conn_unref(conn);
}

static void
report_write_failure(void *arg)
{
    write_done_t *w = arg;
    w->fn(w->arg, w->stream, S_ERROR);
    g_free(w);
}

void
tcpm_stream_write_async(security_stream_t *stream, const void *buf, size_t size,
                        security_write_fn_t fn, void *arg)
{
    tcpm_stream_t *s = (tcpm_stream_t *)stream;
    tcpm_conn_t *conn = s->conn;
    if (conn->dead || size == 0) {
        if (conn->dead)
            security_stream_seterror(stream, "%s", conn->error);
        write_done_t *w = g_new0(write_done_t, 1);
        w->fn = fn;
        w->arg = arg;
        w->stream = stream;
        security_defer(conn->dead ? report_write_failure : run_write_done, w);
        return;
    }
    queue_stream_write(s, buf, size, fn, arg);
    conn_ref(conn);
    conn->user_calls++;
    conn_flush(conn);
    conn->user_calls--;
    conn_unref(conn);
}

static void
note_sync_write_done(void *arg, security_stream_t *stream, security_status_t status)
{
    (void)stream;
    *(int *)arg = status == S_OK ? 1 : -1;
}

int
tcpm_stream_write(security_stream_t *stream, const void *buf, size_t size)
{
    tcpm_stream_t *s = (tcpm_stream_t *)stream;
    tcpm_conn_t *conn = s->conn;
    int done = 0;
    if (size == 0)
        return 0;
    if (conn->dead) {
        security_stream_seterror(stream, "%s", conn->error);
        return -1;
    }
    conn_ref(conn);
    queue_stream_write(s, buf, size, note_sync_write_done, &done);
    while (!done && !conn->dead) {
        conn_flush(conn);
        if (done || conn->dead)
            break;
        struct pollfd pfd = { .fd = conn->out_fd, .events = POLLOUT };
        (void)poll(&pfd, 1, -1);
    }
    int rc = done == 1 ? 0 : -1;
    if (rc < 0)
        security_stream_seterror(stream, "%s", conn->error ? conn->error : "write failed");
    conn_unref(conn);
    return rc;
}

static void
report_late_error(void *arg)
{
    tcpm_stream_t *s = arg;
    report_stream_failure(s);
    conn_unref(s->conn);
}

static void
deliver_pending_eof(void *arg)
{
    tcpm_stream_t *s = arg;
    event_release(s->eof_ev);
    s->eof_ev = NULL;
    if (!s->read_fn || !s->eof_pending)
        return;
    s->eof_pending = FALSE;
    s->eof_seen = TRUE;
    s->read_fn(s->read_arg, NULL, 0);
}

void
tcpm_stream_read(security_stream_t *stream, security_read_fn_t fn, void *arg)
{
    tcpm_stream_t *s = (tcpm_stream_t *)stream;
    tcpm_conn_t *conn = s->conn;
    s->read_fn = fn;
    s->read_arg = arg;
    if (s->eof_pending) {
        if (!s->eof_ev)
            s->eof_ev = event_register_ms(0, deliver_pending_eof, s);
        return;
    }
    if (conn->dead && !s->error_reported && !s->eof_seen) {
        conn_ref(conn);
        security_defer(report_late_error, s);
        return;
    }
    if (conn->held && conn->dec.id == s->id)
        schedule_resume(conn);
}

void
tcpm_stream_read_cancel(security_stream_t *stream)
{
    tcpm_stream_t *s = (tcpm_stream_t *)stream;
    s->read_fn = NULL;
    s->read_arg = NULL;
}

static void
sync_read_cb(void *arg, void *buf, ssize_t size)
{
    tcpm_stream_t *s = arg;
    g_free(s->sync_buf);
    s->sync_buf = size > 0 ? g_memdup2(buf, (gsize)size) : NULL;
    s->sync_size = size;
    s->sync_done = TRUE;
    tcpm_stream_read_cancel(&s->secs);
    event_wakeup((event_id_t)s);
}

ssize_t
tcpm_stream_read_sync(security_stream_t *stream, void **buf)
{
    tcpm_stream_t *s = (tcpm_stream_t *)stream;
    s->sync_done = FALSE;
    tcpm_stream_read(stream, sync_read_cb, s);
    while (!s->sync_done && event_count() > 0)
        g_main_context_iteration(NULL, TRUE);
    if (!s->sync_done) {
        tcpm_stream_read_cancel(stream);
        security_stream_seterror(stream, "no more events while waiting for data");
        return -1;
    }
    *buf = s->sync_buf;
    return s->sync_size;
}
