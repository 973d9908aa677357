/* amclient: one request to a client's amandad, as the server side of the
 * request protocol: connect with the DLE's auth, send the REQ, wait for the
 * ACK (resending the REQ when it does not come), hand every PREP and the
 * final REP to the caller, ACK the REP.  Used by the planner (sendsize)
 * and the dumper (sendbackup: the handle stays open for the streams). */
#ifndef AMCLIENT_H
#define AMCLIENT_H

#include <glib.h>
#include "security.h"

typedef struct amclient_req amclient_req_t;

/* BODY is the PREP/REP body (NULL on failure, with ERROR saying why).
 * FINAL is TRUE for the REP (or a failure): the request is over; during
 * that call amclient_handle(req) gives the handle to open the streams of
 * the reply's CONNECT line from (they outlive the handle).  Built on
 * protocol.h (retries, ACKs, duplicates). */
typedef void (*amclient_fn)(void *arg, amclient_req_t *req, const char *body, gboolean final,
                            const char *error);

/* Start a request.  SERVICE is "sendsize", ...; OPTIONS_AND_BODY follows
 * the SERVICE line.  TIMEOUT_S bounds the wait for the reply after the
 * ACK.  Never calls FN before returning. */
amclient_req_t *amclient_request(const char *host, const char *auth, security_conf_fn_t conf_fn,
                                 void *conf_arg, const char *service, const char *body,
                                 int timeout_s, amclient_fn fn, void *arg);
security_handle_t *amclient_handle(amclient_req_t *req);
const char *amclient_host(amclient_req_t *req);
/* Free; a request still running is left to finish on its own. */
void amclient_free(amclient_req_t *req);

/* "OPTIONS features=<ours>;maxdumps=N;hostname=H;config=C;[timestamp=TS;]" */
char *amclient_options_line(int maxdumps, const char *host, const char *config,
                            const char *timestamp);

#endif
