/* protocol: the server side of the request protocol.  One request_t per
 * protocol_sendreq call walks connect -> ACK wait -> reply wait -> done;
 * see protocol.h for the rules. */
#include "config.h"
#include "protocol.h"

#include <stdarg.h>
#include <string.h>

#include "debug.h"
#include "event.h"

/* AMANDA's defaults (amanda-facts.md 2.3). */
static int ack_timeout_ms = 10 * 1000;
static int req_tries = 3;
static int connect_tries = 3;
static int connect_wait_ms = 5 * 1000;
static int reply_resends = 2;
/* A request is abandoned an hour after it started, whatever happens. */
#define REQUEST_LIFETIME_US (G_GINT64_CONSTANT(3600) * G_USEC_PER_SEC)

typedef enum {
    ST_CONNECT,
    ST_ACKWAIT,
    ST_REPWAIT,
    ST_DONE,
} state_t;

typedef struct {
    char *hostname;
    const security_driver_t *driver;
    security_conf_fn_t conf_fn;
    void *conf_arg;
    char *req_body;
    int repwait_ms;
    protocol_reply_fn_t fn;
    void *arg;
    security_handle_t *handle;
    state_t state;
    int connects_left;
    int sends_left;      /* REQ sends left while waiting for the ACK */
    int resends_left;    /* REQ sends left after reply timeouts */
    gint64 started;
    event_handle_t *timer;
    /* The last reply handled, to recognise a resent one. */
    pktype_t last_type;
    GString *last_body;
} request_t;

static int pending;

int
protocol_pending(void)
{
    return pending;
}

void
protocol_set_timing(int ack_ms, int tries, int conn_tries, int conn_wait_ms, int resends)
{
    if (ack_ms >= 0)
        ack_timeout_ms = ack_ms;
    if (tries >= 0)
        req_tries = MAX(tries, 1);
    if (conn_tries >= 0)
        connect_tries = MAX(conn_tries, 1);
    if (conn_wait_ms >= 0)
        connect_wait_ms = conn_wait_ms;
    if (resends >= 0)
        reply_resends = resends;
}

static void connect_now(void *arg);
static void send_req(request_t *r);

static void
request_free(request_t *r)
{
    if (r->timer)
        event_release(r->timer);
    if (r->handle)
        security_close(r->handle);
    if (r->last_body)
        g_string_free(r->last_body, TRUE);
    g_free(r->hostname);
    g_free(r->req_body);
    g_free(r);
    pending--;
}

/* The end of the request: tell the caller once, then clean up. */
static void
finish(request_t *r, pkt_t *pkt, security_status_t status)
{
    r->state = ST_DONE;
    if (r->handle)
        security_recvpkt_cancel(r->handle);
    if (status != S_OK)
        dbprintf("protocol: request to %s failed: %s", r->hostname,
                 security_geterror(r->handle));
    r->fn(r->arg, pkt, r->handle, status);
    request_free(r);
}

static void
fail(request_t *r, security_status_t status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
fail(request_t *r, security_status_t status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    security_seterror(r->handle, "%s: %s", r->hostname, msg);
    finish(r, NULL, status);
}

/* --- connecting ----------------------------------------------------------- */

static void
connect_retry(void *arg)
{
    request_t *r = arg;
    event_release(r->timer);
    r->timer = NULL;
    connect_now(r);
}

static void
connected(void *arg, security_handle_t *handle, security_status_t status)
{
    request_t *r = arg;
    r->handle = handle;
    if (status == S_OK) {
        dbprintf("protocol: connected to %s with auth %s", r->hostname, r->driver->name);
        r->sends_left = req_tries;
        r->resends_left = reply_resends;
        send_req(r);
        return;
    }
    if (--r->connects_left > 0) {
        dbprintf("protocol: connecting to %s failed (%s); trying again in %d ms", r->hostname,
                 security_geterror(handle), connect_wait_ms);
        security_close(handle);
        r->handle = NULL;
        r->timer = event_register_ms((guint)connect_wait_ms, connect_retry, r);
        return;
    }
    /* The driver's message already names the host. */
    finish(r, NULL, S_ERROR);
}

static void
connect_now(void *arg)
{
    request_t *r = arg;
    r->state = ST_CONNECT;
    security_connect(r->driver, r->hostname, r->conf_fn, r->conf_arg, connected, r);
}

/* --- the exchange --------------------------------------------------------- */

static void got_packet(void *arg, pkt_t *pkt, security_status_t status);

static gboolean
too_old(request_t *r)
{
    return g_get_monotonic_time() - r->started > REQUEST_LIFETIME_US;
}

static void
send_req(request_t *r)
{
    pkt_t req;
    pkt_init(&req, P_REQ, "%s", r->req_body);
    int rc = security_sendpkt(r->handle, &req);
    pkt_clear(&req);
    if (rc < 0) {
        fail(r, S_ERROR, "cannot send the request: %s", security_geterror(r->handle));
        return;
    }
    r->state = ST_ACKWAIT;
    r->sends_left--;
    security_recvpkt(r->handle, got_packet, r, ack_timeout_ms);
}

static void
send_ack(request_t *r)
{
    pkt_t ack;
    pkt_init(&ack, P_ACK, NULL);
    if (security_sendpkt(r->handle, &ack) < 0)
        dbprintf("protocol: cannot ACK the reply of %s: %s", r->hostname,
                 security_geterror(r->handle));
    pkt_clear(&ack);
}

static void
timed_out(request_t *r)
{
    if (too_old(r)) {
        fail(r, S_TIMEOUT, "no reply within an hour; giving up");
    } else if (r->state == ST_ACKWAIT && r->sends_left > 0) {
        dbprintf("protocol: no ACK from %s; sending the request again", r->hostname);
        send_req(r);
    } else if (r->state == ST_ACKWAIT) {
        fail(r, S_TIMEOUT, "no ACK to the request after %d tries", req_tries);
    } else if (r->resends_left > 0) {
        r->resends_left--;
        r->sends_left = 1;
        dbprintf("protocol: no reply from %s; sending the request again", r->hostname);
        send_req(r);
    } else {
        fail(r, S_TIMEOUT, "timeout waiting for the reply");
    }
}

/* Same type and body as the last reply handled: the peer resent it because
 * our ACK got lost. */
static gboolean
is_duplicate(request_t *r, const pkt_t *pkt)
{
    return r->last_body && r->last_type == pkt->type && g_string_equal(r->last_body, pkt->body);
}

static void
remember(request_t *r, const pkt_t *pkt)
{
    if (r->last_body)
        g_string_free(r->last_body, TRUE);
    r->last_body = g_string_new_len(pkt->body->str, (gssize)pkt->body->len);
    r->last_type = pkt->type;
}

static void
wait_reply(request_t *r)
{
    r->state = ST_REPWAIT;
    security_recvpkt(r->handle, got_packet, r, r->repwait_ms);
}

static void
got_reply(request_t *r, pkt_t *pkt)
{
    if (is_duplicate(r, pkt)) {
        dbprintf("protocol: duplicate %s from %s; ACKed again, not reported",
                 pkt_type2str(pkt->type), r->hostname);
        if (pkt->type == P_REP)
            send_ack(r);
        wait_reply(r);
        return;
    }
    remember(r, pkt);
    /* Only the final REP is ACKed: AMANDA's amandad answers an ACK after a
     * PREP with a NAK "unexpected packet type ACK". */
    if (pkt->type == P_REP)
        send_ack(r);
    if (pkt->type == P_PREP) {
        r->fn(r->arg, pkt, r->handle, S_OK);
        if (r->state != ST_DONE)
            wait_reply(r);
        return;
    }
    finish(r, pkt, S_OK);
}

static void
got_packet(void *arg, pkt_t *pkt, security_status_t status)
{
    request_t *r = arg;
    if (status == S_TIMEOUT) {
        timed_out(r);
        return;
    }
    if (status != S_OK) {
        fail(r, S_ERROR, "%s", security_geterror(r->handle));
        return;
    }
    switch (pkt->type) {
    case P_ACK:
        if (r->state == ST_ACKWAIT)
            wait_reply(r);
        else
            security_recvpkt(r->handle, got_packet, r, r->repwait_ms);
        return;
    case P_NAK:
        dbprintf("protocol: %s refused the request: %s", r->hostname, pkt->body->str);
        finish(r, pkt, S_OK);
        return;
    case P_REP:
    case P_PREP:
        got_reply(r, pkt);
        return;
    case P_REQ:
    default:
        dbprintf("protocol: dropped a %s packet from %s: a server expects no request",
                 pkt_type2str(pkt->type), r->hostname);
        security_recvpkt(r->handle, got_packet, r,
                         r->state == ST_ACKWAIT ? ack_timeout_ms : r->repwait_ms);
        return;
    }
}

/* --- entry points --------------------------------------------------------- */

void
protocol_sendreq(const char *hostname, const security_driver_t *driver,
                 security_conf_fn_t conf_fn, void *conf_arg, const char *req_body,
                 int repwait_seconds, protocol_reply_fn_t fn, void *arg)
{
    request_t *r = g_new0(request_t, 1);
    r->hostname = g_strdup(hostname);
    r->driver = driver;
    r->conf_fn = conf_fn;
    r->conf_arg = conf_arg;
    r->req_body = g_strdup(req_body ? req_body : "");
    r->repwait_ms = repwait_seconds > 0 && repwait_seconds < 3600 ? repwait_seconds * 1000
                                                                 : 3600 * 1000;
    r->fn = fn;
    r->arg = arg;
    r->connects_left = connect_tries;
    r->started = g_get_monotonic_time();
    pending++;
    /* security_connect reports from the loop, so FN never runs in here. */
    connect_now(r);
}

/* Every pending request holds a timer, a connection or a child watch, so
 * the loop always has something to wait for. */
void
protocol_run_until_done(void)
{
    while (pending > 0)
        g_main_context_iteration(NULL, TRUE);
}
