/* amclient: server side of the request protocol (see the header). */
#include "amclient.h"

#include "amfeatures.h"
#include "debug.h"
#include "event.h"
#include "protocol.h"

struct amclient_req {
    char *host;
    security_handle_t *handle;  /* valid during the final callback only */
    amclient_fn fn;
    void *arg;
    gboolean done;
    gboolean orphaned;          /* freed by the caller before the reply */
    event_handle_t *later;      /* deferred report of an unknown auth */
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
req_free(amclient_req_t *req)
{
    if (req->later)
        event_release(req->later);
    g_free(req->later_error);
    g_free(req->host);
    g_free(req);
}

static void
got_reply(void *arg, pkt_t *pkt, security_handle_t *handle, security_status_t status)
{
    amclient_req_t *req = arg;
    if (req->orphaned) {
        if (!(status == S_OK && pkt && pkt->type == P_PREP))
            req_free(req);
        return;
    }
    if (status == S_OK && pkt && pkt->type == P_PREP) {
        req->fn(req->arg, req, pkt->body->str, FALSE, NULL);
        return;
    }
    req->done = TRUE;
    req->handle = handle;
    if (status == S_OK && pkt && pkt->type == P_REP) {
        req->fn(req->arg, req, pkt->body->str, TRUE, NULL);
    } else if (status == S_OK && pkt && pkt->type == P_NAK) {
        g_autofree char *msg = g_strdup_printf("%s: request refused: %s", req->host,
                                               g_strstrip(pkt->body->str));
        req->fn(req->arg, req, NULL, TRUE, msg);
    } else {
        const char *why = handle ? security_geterror(handle) : NULL;
        if (!why || !*why)
            why = status == S_TIMEOUT ? "timeout waiting for the reply" : "request failed";
        /* the protocol's messages usually name the host already */
        g_autofree char *msg = g_str_has_prefix(why, req->host) ? g_strdup(why)
                               : g_strdup_printf("%s: %s", req->host, why);
        req->fn(req->arg, req, NULL, TRUE, msg);
    }
    req->handle = NULL;
}

static void
report_later(void *arg)
{
    amclient_req_t *req = arg;
    event_release(req->later);
    req->later = NULL;
    req->done = TRUE;
    req->fn(req->arg, req, NULL, TRUE, req->later_error);
}

amclient_req_t *
amclient_request(const char *host, const char *auth, security_conf_fn_t conf_fn, void *conf_arg,
                 const char *service, const char *body, int timeout_s, amclient_fn fn, void *arg)
{
    amclient_req_t *req = g_new0(amclient_req_t, 1);
    req->host = g_strdup(host);
    req->fn = fn;
    req->arg = arg;
    const security_driver_t *drv = security_getdriver(auth);
    /* bsd-family auth names the local user in the packet (AMANDA's
     * bsd_prefix_packet); the client checks it against .amandahosts */
    g_autofree char *security = NULL;
    if (g_str_has_prefix(auth, "bsd"))
        security = g_strdup_printf("SECURITY USER %s\n", g_get_user_name());
    g_autofree char *full = g_strdup_printf("%sSERVICE %s\n%s", security ? security : "",
                                            service, body);
    dbprintf("sending %s request to %s (auth %s)\n", service, host, auth);
    if (!drv) {
        req->later_error = g_strdup_printf("%s: unknown auth \"%s\"", host, auth);
        req->later = event_register_ms(0, report_later, req);
        return req;
    }
    protocol_sendreq(host, drv, conf_fn, conf_arg, full, timeout_s, got_reply, req);
    return req;
}

void
amclient_free(amclient_req_t *req)
{
    if (!req)
        return;
    if (!req->done) {
        req->orphaned = TRUE;   /* the protocol's final callback frees it */
        return;
    }
    req_free(req);
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
