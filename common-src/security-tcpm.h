/* security-tcpm: the multiplexed-TCP core shared by every driver that runs
 * all of a request's packets and streams over one connection (bsdtcp,
 * local, and later ssh, ssl, krb5, bsdudp's data).  Internal to the
 * security module.
 *
 * Wire: frames of uint32 length, uint32 id (both network order), then
 * LENGTH bytes.  Length 0 is end-of-file for that id.  A conversation's
 * frame holds one packet: its type as a byte (P_REQ 0, P_REP 1, P_PREP 2,
 * P_ACK 3, P_NAK 4), the body, a NUL; there is no "Amanda x.y TYPE HANDLE"
 * line on these transports (as AMANDA 3.5.1's amandad does: an ACK is the
 * two bytes 03 00).  bsdtcp puts "SECURITY USER name" before a REQ's body.  Ids below
 * TCPM_STREAM_ID_FLOOR are conversations (the connecting side numbers them
 * from 1 and their frames carry packets); the accepting side hands out
 * stream ids counting down from TCPM_STREAM_ID_TOP (first one 499999).
 *
 * Flow control: a frame for a stream with no reader (paused with
 * security_stream_read_cancel) stops all reading of the connection until
 * that stream is read again or closed, so memory holds at most one frame;
 * writers get their completion callback only once their bytes are in the
 * kernel, so a writer cannot outrun the socket. */
#ifndef SECURITY_TCPM_H
#define SECURITY_TCPM_H

#include <glib.h>
#include <stdint.h>
#include <sys/uio.h>

#include "security.h"

#define TCPM_STREAM_ID_TOP 500000u
#define TCPM_STREAM_ID_FLOOR 400000u
/* Largest frame we send (throughput: big enough to make syscalls rare,
 * small enough to stay in cache) and the largest we accept. */
#define TCPM_SEND_FRAME_MAX (256u * 1024u)
#define TCPM_RECV_FRAME_MAX (PKT_MAX_TCP + 4096u)

/* --- the frame decoder: pure, fed through the buffers it points at ------ */
typedef struct {
    uint8_t hdr[8];
    size_t hdr_have;
    gboolean in_payload;
    gboolean frame_ready;
    uint32_t len, id;
    uint8_t *payload;
    size_t cap, have;
    size_t max_frame;
    char *error;
} tcpm_decoder_t;

void tcpm_decoder_init(tcpm_decoder_t *dec, size_t max_frame);
void tcpm_decoder_clear(tcpm_decoder_t *dec);
/* Where the next bytes go: fills up to 2 iovecs and returns how many (0
 * while a frame is ready and not consumed, or after an error). */
int tcpm_decoder_iov(tcpm_decoder_t *dec, struct iovec iov[2]);
/* N bytes were stored through the last iovecs.  FALSE on a bad frame;
 * dec->error then says why. */
gboolean tcpm_decoder_advance(tcpm_decoder_t *dec, size_t n);
/* Done with the ready frame.  FALSE on a bad next header. */
gboolean tcpm_decoder_consume(tcpm_decoder_t *dec);
/* A packet frame's payload (type byte, body, optional NUL) into PKT
 * (initialised only on success).  LEN must be > 0. */
gboolean tcpm_decode_packet(const uint8_t *buf, size_t len, pkt_t *pkt, GError **error);
/* Encode a frame header. */
void tcpm_frame_header(uint8_t out[8], uint32_t len, uint32_t id);

/* Run FN(ARG) from the event loop soon (security.c). */
void security_defer(void (*fn)(void *arg), void *arg);

/* --- connections --------------------------------------------------------- */
typedef struct tcpm_conn tcpm_conn_t;

/* Take over IN_FD/OUT_FD (may be equal; closed when the connection ends). */
tcpm_conn_t *tcpm_conn_new(const security_driver_t *drv, int in_fd, int out_fd);
void tcpm_conn_set_peer(tcpm_conn_t *conn, const char *name, const char *address);
/* REQs sent on CONN whose body does not start with "SECURITY " get
 * PREFIX_FN()'s line (g_free'd) in front: bsdtcp's "SECURITY USER name\n". */
void tcpm_conn_set_req_prefix(tcpm_conn_t *conn, char *(*prefix_fn)(void));
/* Reap this child when the connection ends (local driver). */
void tcpm_conn_set_child(tcpm_conn_t *conn, GPid pid);
/* Connecting side: a new conversation on CONN. */
security_handle_t *tcpm_conversation_new(tcpm_conn_t *conn);
/* Accepting side: serve requests arriving on CONN until it ends. */
void tcpm_conn_accept(tcpm_conn_t *conn, security_accept_fn_t fn, void *arg);
/* A handle that only reports ERROR (for connect failures). */
security_handle_t *tcpm_failed_handle_new(const security_driver_t *drv, const char *error);
gboolean tcpm_accept_fds(const security_driver_t *drv, int in_fd, int out_fd,
                         security_accept_fn_t fn, void *arg, const char *peer_name,
                         const char *peer_address, GError **error);

void tcpm_close(security_handle_t *handle);
int tcpm_sendpkt(security_handle_t *handle, const pkt_t *pkt);
void tcpm_recvpkt(security_handle_t *handle, security_recvpkt_fn_t fn, void *arg, int timeout_ms);
void tcpm_recvpkt_cancel(security_handle_t *handle);
const char *tcpm_peer_name(security_handle_t *handle);
const char *tcpm_peer_address(security_handle_t *handle);
security_stream_t *tcpm_stream_server(security_handle_t *handle);
int tcpm_stream_accept(security_stream_t *stream);
security_stream_t *tcpm_stream_client(security_handle_t *handle, int id);
void tcpm_stream_close(security_stream_t *stream);
int tcpm_stream_auth(security_stream_t *stream);
int tcpm_stream_id(security_stream_t *stream);
int tcpm_stream_write(security_stream_t *stream, const void *buf, size_t size);
void tcpm_stream_write_async(security_stream_t *stream, const void *buf, size_t size,
                             security_write_fn_t fn, void *arg);
void tcpm_stream_read(security_stream_t *stream, security_read_fn_t fn, void *arg);
/* Zero-copy stream writes for relays: TRUE if STREAM is carried by this
 * core (bsdtcp, local).  Then tcpm_stream_splice_async sends SIZE bytes
 * that PIPE_FD (a pipe only we read) already holds, as frames spliced from
 * the pipe into the connection; FN runs when they are out, as for
 * tcpm_stream_write_async.  Nobody else may read PIPE_FD meanwhile. */
gboolean tcpm_stream_can_splice(security_stream_t *stream);
void tcpm_stream_splice_async(security_stream_t *stream, int pipe_fd, size_t size,
                              security_write_fn_t fn, void *arg);
ssize_t tcpm_stream_read_sync(security_stream_t *stream, void **buf);
void tcpm_stream_read_cancel(security_stream_t *stream);

#define TCPM_DRIVER_OPS \
    .close = tcpm_close, .sendpkt = tcpm_sendpkt, .recvpkt = tcpm_recvpkt, \
    .recvpkt_cancel = tcpm_recvpkt_cancel, .peer_name = tcpm_peer_name, \
    .peer_address = tcpm_peer_address, .stream_server = tcpm_stream_server, \
    .stream_accept = tcpm_stream_accept, .stream_client = tcpm_stream_client, \
    .stream_close = tcpm_stream_close, .stream_auth = tcpm_stream_auth, \
    .stream_id = tcpm_stream_id, .stream_write = tcpm_stream_write, \
    .stream_write_async = tcpm_stream_write_async, .stream_read = tcpm_stream_read, \
    .stream_read_sync = tcpm_stream_read_sync, .stream_read_cancel = tcpm_stream_read_cancel

extern const security_driver_t security_bsdtcp_driver;
extern const security_driver_t security_local_driver;

#endif
