/* amclient: server side of the request protocol (see the header). */
#include "amclient.h"

#include "amfeatures.h"
#include "debug.h"
#include "event.h"

#define ACK_WAIT_MS 10000
#define REQ_TRIES 3

struct amclient_req {
    char *host;
    char *service;
    char *body;
    int timeout_ms;
    int tries;
    gboolean done;
    security_handle_t *handle;
    amclient_fn fn;
    void *arg;
    event_handle_t *later;   /* deferred failure report */
    char *later_error;
};

security_handle_t *
amclient_handle(amclient_req_t *req)
{
    return req->handle;
}

const char *
amclient_host(amclient_req_t *req)
{
    return req->host;
}

static void
finish(amclient_req_t *req, const char *body, const char *error)
{
    req->done = TRUE;
    if (req->handle)
        security_recvpkt_cancel(req->handle);
    req->fn(req->arg, req, body, TRUE, error);
}

static void got_reply(void *arg, pkt_t *pkt, security_status_t status);

static gboolean
send_req(amclient_req_t *req)
{
    pkt_t pkt;
    pkt_init(&pkt, P_REQ, "SERVICE %s\n%s", req->service, req->body);
    int rc = security_sendpkt(req->handle, &pkt);
    dbprintf("sent REQ %s to %s (try %d)\n", req->service, req->host, req->tries + 1);
    pkt_clear(&pkt);
    req->tries++;
    return rc == 0;
}

static void
send_ack(amclient_req_t *req)
{
    pkt_t ack;
    pkt_init(&ack, P_ACK, NULL);
    security_sendpkt(req->handle, &ack);
    pkt_clear(&ack);
}

static void
handle_timeout(amclient_req_t *req, gboolean acked)
{
    if (!acked && req->tries < REQ_TRIES && send_req(req)) {
        security_recvpkt(req->handle, got_reply, req, ACK_WAIT_MS);
        return;
    }
    g_autofree char *msg = g_strdup_printf("%s: timeout waiting for %s", req->host,
                                           acked ? "the reply" : "the ACK");
    finish(req, NULL, msg);
}

/* A packet (or a timeout) while waiting for the ACK or the reply. */
static void
got_pkt(amclient_req_t *req, pkt_t *pkt, security_status_t status, gboolean acked)
{
    if (status == S_TIMEOUT) {
        handle_timeout(req, acked);
        return;
    }
    if (status != S_OK) {
        g_autofree char *msg = g_strdup_printf("%s: %s", req->host, security_geterror(req->handle));
        finish(req, NULL, msg);
        return;
    }
    switch (pkt->type) {
    case P_ACK:
        security_recvpkt(req->handle, got_reply, req, req->timeout_ms);
        return;
    case P_NAK: {
        g_autofree char *msg = g_strdup_printf("%s: request refused: %s", req->host,
                                               g_strstrip(pkt->body->str));
        finish(req, NULL, msg);
        return;
    }
    case P_PREP:
        req->fn(req->arg, req, pkt->body->str, FALSE, NULL);
        if (!req->done)
            security_recvpkt(req->handle, got_reply, req, req->timeout_ms);
        return;
    case P_REP:
        send_ack(req);
        finish(req, pkt->body->str, NULL);
        return;
    default:
        security_recvpkt(req->handle, got_reply, req, acked ? req->timeout_ms : ACK_WAIT_MS);
    }
}

/* The reply callback; whether we were acked is told by the tries count
 * having stopped: after the first ACK/PREP we only wait for replies. */
static void
got_reply(void *arg, pkt_t *pkt, security_status_t status)
{
    amclient_req_t *req = arg;
    gboolean acked = req->tries < 0;
    if (status == S_OK && (pkt->type == P_ACK || pkt->type == P_PREP || pkt->type == P_REP))
        req->tries = -1;
    got_pkt(req, pkt, status, acked);
}

static void
report_later(void *arg)
{
    amclient_req_t *req = arg;
    event_release(req->later);
    req->later = NULL;
    finish(req, NULL, req->later_error);
}

static void
connected(void *arg, security_handle_t *handle, security_status_t status)
{
    amclient_req_t *req = arg;
    req->handle = handle;
    if (status != S_OK) {
        g_autofree char *msg = g_strdup_printf("%s: cannot connect: %s", req->host,
                                               handle ? security_geterror(handle) : "unknown error");
        finish(req, NULL, msg);
        return;
    }
    if (!send_req(req)) {
        g_autofree char *msg = g_strdup_printf("%s: cannot send the request: %s", req->host,
                                               security_geterror(handle));
        finish(req, NULL, msg);
        return;
    }
    security_recvpkt(handle, got_reply, req, ACK_WAIT_MS);
}

amclient_req_t *
amclient_request(const char *host, const char *auth, security_conf_fn_t conf_fn, void *conf_arg,
                 const char *service, const char *body, int timeout_s, amclient_fn fn, void *arg)
{
    amclient_req_t *req = g_new0(amclient_req_t, 1);
    req->host = g_strdup(host);
    req->service = g_strdup(service);
    req->body = g_strdup(body);
    req->timeout_ms = timeout_s > 0 ? timeout_s * 1000 : 300000;
    req->fn = fn;
    req->arg = arg;
    const security_driver_t *drv = security_getdriver(auth);
    if (!drv) {
        req->later_error = g_strdup_printf("%s: unknown auth \"%s\"", host, auth);
        req->later = event_register_ms(0, report_later, req);
        return req;
    }
    security_connect(drv, host, conf_fn, conf_arg, connected, req);
    return req;
}

void
amclient_free(amclient_req_t *req)
{
    if (!req)
        return;
    if (req->later)
        event_release(req->later);
    if (req->handle) {
        security_recvpkt_cancel(req->handle);
        security_close(req->handle);
    }
    g_free(req->later_error);
    g_free(req->host);
    g_free(req->service);
    g_free(req->body);
    g_free(req);
}

char *
amclient_options_line(int maxdumps, const char *host, const char *config, const char *timestamp)
{
    g_autoptr(GString) s = g_string_new("OPTIONS ");
    am_features_t *ours = am_features_ours();
    g_autofree char *hex = am_features_to_hex(ours);
    am_features_free(ours);
    g_string_append_printf(s, "features=%s;maxdumps=%d;hostname=%s;config=%s;", hex, maxdumps,
                           host, config);
    if (timestamp)
        g_string_append_printf(s, "timestamp=%s;", timestamp);
    return g_string_free(g_steal_pointer(&s), FALSE);
}
