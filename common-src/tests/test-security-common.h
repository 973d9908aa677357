/* Shared by the security tests and their spawned peer: a deterministic
 * data exchange over a request and its streams.
 *
 * The requesting side sends a REQ through protocol_sendreq; the peer ACKs, opens 4 streams and
 * replies "CONNECT DATA a MESG b INDEX c STATE d".  After the ACK of that
 * REP both sides write BYTES of generated data on each of the first three
 * streams at once and hash what they read with SHA-256; the peer then
 * reports, on the fourth stream, the digests of what it sent and received,
 * so each digest is computed independently on each end. */
#ifndef TEST_SECURITY_COMMON_H
#define TEST_SECURITY_COMMON_H

#include <glib.h>
#include <stdint.h>

#include "security.h"

#define XCHG_STREAMS 3
#define XCHG_CHUNK (1024u * 1024u)

typedef struct {
    char sent[XCHG_STREAMS][65];
    char received[XCHG_STREAMS][65];
    uint64_t bytes_received[XCHG_STREAMS];
    char peer_report[512];
    char *error;
    gboolean done;
} xchg_result_t;

/* Bytes per stream: $AMANDA_TEST_STREAM_MIB MiB (default DEFAULT_MIB). */
uint64_t xchg_stream_bytes(int default_mib);

/* The data at OFFSET of stream SEED (position-dependent, chunking-proof). */
void xchg_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t offset);

/* Peer side: answer REQ on HANDLE and run the exchange; everything is
 * closed when done.  Call from a security_accept callback. */
void xchg_peer_serve(security_handle_t *handle, pkt_t *req);

/* Requesting side: connect with DRV to HOST and run the exchange of BYTES
 * per stream in each direction; runs the event loop until done. */
void xchg_run(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
              void *conf_arg, uint64_t bytes, xchg_result_t *result);

#endif
