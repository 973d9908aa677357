/* security: the transport API every server program and amandad talk
 * through.  A driver (auth "bsdtcp", "local", ...) is chosen by name from
 * a table; callers only ever see the generic handles below, so adding a
 * driver touches no caller.
 *
 * A security_handle_t is one conversation (request) with a peer; packets
 * (packet.h) travel on it.  A security_stream_t is one byte stream opened
 * for that conversation (sendbackup's DATA, MESG, INDEX...).
 *
 * Everything is asynchronous: callbacks run from the event loop (event.h),
 * never from inside the call that registered them.
 *
 * Server side (amdump, amcheck...):
 *   security_connect(drv, host, conf_fn, conf_arg, connected_cb, arg)
 *   -> security_sendpkt / security_recvpkt (or protocol.h does it)
 *   -> for each id in the reply's CONNECT line: security_stream_client(h, id)
 *      then security_stream_read(stream, cb, arg).
 * Client side (amandad):
 *   security_accept(drv, conf_fn, conf_arg, 0, 1, request_cb, arg)
 *   -> request_cb(arg, handle, first REQ)
 *   -> s = security_stream_server(handle); security_stream_id(s) goes in the
 *      CONNECT line of the REP; once the REP is ACKed, security_stream_accept(s)
 *      and security_stream_write_async(...).
 *
 * Drivers embed security_handle_t / security_stream_t as their first member. */
#ifndef SECURITY_H
#define SECURITY_H

#include <glib.h>
#include <sys/types.h>

#include "packet.h"

typedef enum {
    S_OK,
    S_TIMEOUT,
    S_ERROR,
} security_status_t;

typedef struct security_driver security_driver_t;

typedef struct security_handle {
    const security_driver_t *driver;
    char *error;
} security_handle_t;

typedef struct security_stream {
    const security_driver_t *driver;
    char *error;
} security_stream_t;

/* Answers a configuration question by name, or NULL for "not set" (the
 * driver then uses its default).  The result is owned by the callee and
 * must stay valid while the handle lives.  Keys used today:
 *   "client_username", "amandad_path", "client_port", "tcpportrange",
 *   "reserved_tcp_port", "unreserved_tcp_port", "udpportrange",
 *   "reserved_udp_port" (ranges are "LOW,HIGH", see stream-ports.h),
 *   "connect_timeout" (seconds, bsdtcp), "peer_args" (local driver: extra
 *   argv, blank separated, for tests). */
typedef const char *(*security_conf_fn_t)(const char *key, void *conf_arg);

typedef void (*security_connect_fn_t)(void *arg, security_handle_t *handle,
                                      security_status_t status);
/* New conversation on the accepting side; PKT is its first packet (owned by
 * the security layer: copy what you keep).  HANDLE is NULL when the
 * connection failed before any request came (see security_accept_error). */
typedef void (*security_accept_fn_t)(void *arg, security_handle_t *handle, pkt_t *pkt);
/* PKT is NULL unless STATUS is S_OK; it is valid during the call only. */
typedef void (*security_recvpkt_fn_t)(void *arg, pkt_t *pkt, security_status_t status);
/* SIZE > 0: data (valid during the call only); 0: end of stream; -1: error
 * (security_stream_geterror says what). */
typedef void (*security_read_fn_t)(void *arg, void *buf, ssize_t size);
/* The buffer given to stream_write_async may be reused. */
typedef void (*security_write_fn_t)(void *arg, security_stream_t *stream, security_status_t status);

struct security_driver {
    const char *name;
    void (*connect)(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
                    void *conf_arg, security_connect_fn_t fn, void *arg);
    gboolean (*accept)(const security_driver_t *drv, security_conf_fn_t conf_fn, void *conf_arg,
                       int in_fd, int out_fd, security_accept_fn_t fn, void *arg, GError **error);
    void (*close)(security_handle_t *handle);
    int (*sendpkt)(security_handle_t *handle, const pkt_t *pkt);
    void (*recvpkt)(security_handle_t *handle, security_recvpkt_fn_t fn, void *arg, int timeout_ms);
    void (*recvpkt_cancel)(security_handle_t *handle);
    const char *(*peer_name)(security_handle_t *handle);
    const char *(*peer_address)(security_handle_t *handle);
    security_stream_t *(*stream_server)(security_handle_t *handle);
    int (*stream_accept)(security_stream_t *stream);
    security_stream_t *(*stream_client)(security_handle_t *handle, int id);
    void (*stream_close)(security_stream_t *stream);
    int (*stream_auth)(security_stream_t *stream);
    int (*stream_id)(security_stream_t *stream);
    int (*stream_write)(security_stream_t *stream, const void *buf, size_t size);
    void (*stream_write_async)(security_stream_t *stream, const void *buf, size_t size,
                               security_write_fn_t fn, void *arg);
    void (*stream_read)(security_stream_t *stream, security_read_fn_t fn, void *arg);
    ssize_t (*stream_read_sync)(security_stream_t *stream, void **buf);
    void (*stream_read_cancel)(security_stream_t *stream);
};

/* The driver called NAME, or NULL if no such auth exists at all.  Drivers
 * that are listed but not written yet are returned too: they fail at use
 * with "auth "ssh" is not implemented yet". */
const security_driver_t *security_getdriver(const char *name);
/* TRUE if the driver really works (for amcheck-style diagnostics). */
gboolean security_driver_is_implemented(const security_driver_t *drv);

void security_connect(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
                      void *conf_arg, security_connect_fn_t fn, void *arg);
gboolean security_accept(const security_driver_t *drv, security_conf_fn_t conf_fn, void *conf_arg,
                         int in_fd, int out_fd, security_accept_fn_t fn, void *arg, GError **error);
void security_close(security_handle_t *handle);
/* 0 on success, -1 with security_geterror set. */
int security_sendpkt(security_handle_t *handle, const pkt_t *pkt);
/* FN fires once: with the next packet, S_TIMEOUT after TIMEOUT_MS (< 0:
 * never) or S_ERROR.  Call again for the next packet. */
void security_recvpkt(security_handle_t *handle, security_recvpkt_fn_t fn, void *arg, int timeout_ms);
void security_recvpkt_cancel(security_handle_t *handle);
/* Who is on the other end, for .amandahosts checks (amandahosts.h).  The
 * name is the reverse-resolved host name (or the address if that fails),
 * the address is numeric. */
const char *security_peer_name(security_handle_t *handle);
const char *security_peer_address(security_handle_t *handle);
const char *security_geterror(security_handle_t *handle);
void security_seterror(security_handle_t *handle, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

security_stream_t *security_stream_server(security_handle_t *handle);
int security_stream_accept(security_stream_t *stream);
security_stream_t *security_stream_client(security_handle_t *handle, int id);
void security_stream_close(security_stream_t *stream);
int security_stream_auth(security_stream_t *stream);
int security_stream_id(security_stream_t *stream);
/* Blocking write of all SIZE bytes (never use it when the reader of this
 * connection runs in the same thread).  0 or -1. */
int security_stream_write(security_stream_t *stream, const void *buf, size_t size);
/* Queue SIZE bytes without copying: BUF must stay valid until FN runs. */
void security_stream_write_async(security_stream_t *stream, const void *buf, size_t size,
                                 security_write_fn_t fn, void *arg);
/* FN fires for every chunk until security_stream_read_cancel (which also
 * pauses the stream: its data then waits in the socket, not in memory). */
void security_stream_read(security_stream_t *stream, security_read_fn_t fn, void *arg);
/* Run the event loop until one chunk (or EOF/error) comes; *BUF stays valid
 * until the next call on STREAM. */
ssize_t security_stream_read_sync(security_stream_t *stream, void **buf);
void security_stream_read_cancel(security_stream_t *stream);
const char *security_stream_geterror(security_stream_t *stream);
void security_stream_seterror(security_stream_t *stream, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* For drivers: set up and free the generic parts. */
void security_handle_init(security_handle_t *handle, const security_driver_t *drv);
void security_handle_clear(security_handle_t *handle);
void security_stream_init(security_stream_t *stream, const security_driver_t *drv);
void security_stream_clear(security_stream_t *stream);

#define SECURITY_ERROR security_error_quark()
GQuark security_error_quark(void);

#endif
