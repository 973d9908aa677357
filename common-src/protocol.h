/* protocol: the server side of the request protocol (PROTOCOL.md 1) on top
 * of the security API.  One call sends one request to one client and
 * reports its reply:
 *
 *   connect (retried)  ->  send REQ  ->  wait ACK (REQ resent on timeout)
 *     ->  wait REP, PREPs on the way  ->  ACK the REP  ->  callback
 *
 * Only the REP is ACKed, not the PREPs (AMANDA's amandad NAKs an ACK that
 * comes after a PREP).  A NAK ends the request.  A REP or PREP arriving before the ACK counts as
 * the ACK (as AMANDA does).  A reply that does not come in REPWAIT seconds
 * makes the REQ be sent again (a few times) before the request gives up
 * with S_TIMEOUT.  Duplicate replies (same type and SEQ as one already
 * handled) are ACKed again but not reported twice.  Packets for another
 * handle or malformed ones are dropped with a line in the debug log.
 *
 * Everything runs from the event loop (event.h): protocol_sendreq returns at
 * once; run the loop (event_loop(0) or protocol_run_until_done()). */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include <glib.h>

#include "packet.h"
#include "security.h"

/* Called for every PREP (PKT->type == P_PREP, STATUS S_OK: more follows),
 * then exactly once more with the end of the request:
 *   - S_OK and PKT->type P_REP: the final reply (already ACKed);
 *   - S_OK and PKT->type P_NAK: the client refused (body "ERROR reason");
 *   - S_TIMEOUT or S_ERROR, PKT NULL: security_geterror(HANDLE) says why,
 *     naming the host.
 * PKT is valid during the call only.  HANDLE is never NULL; streams named
 * in the reply's CONNECT line are opened from it during the final call
 * (security_stream_client(HANDLE, id)).  The protocol closes HANDLE when the
 * final call returns; streams opened from it stay usable until closed. */
typedef void (*protocol_reply_fn_t)(void *arg, pkt_t *pkt, security_handle_t *handle,
                                    security_status_t status);

/* Send a REQ with body REQ_BODY (e.g. "SERVICE noop\nOPTIONS features=...;\n")
 * to HOSTNAME through DRIVER.  CONF_FN/CONF_ARG answer the driver's
 * configuration questions (security.h).  REPWAIT_SECONDS bounds the wait
 * for the reply after the ACK (<= 0: one hour).  FN is always called, from
 * the event loop, never from inside this call. */
void protocol_sendreq(const char *hostname, const security_driver_t *driver,
                      security_conf_fn_t conf_fn, void *conf_arg, const char *req_body,
                      int repwait_seconds, protocol_reply_fn_t fn, void *arg);

/* Requests started and not yet finished. */
int protocol_pending(void);

/* Run the event loop until every request has finished (other events may
 * remain: this does not wait for them). */
void protocol_run_until_done(void);

/* Timing knobs (AMANDA's defaults: ACK wait 10 s, 3 REQ tries, 3 connect
 * tries 5 s apart, 2 resends of the REQ after a reply timeout).  Tests
 * shorten them; a value < 0 leaves that knob unchanged. */
void protocol_set_timing(int ack_timeout_ms, int req_tries, int connect_tries,
                         int connect_wait_ms, int reply_resends);

#endif
