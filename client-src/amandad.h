/* amandad: the client daemon.  Internal interfaces between its parts:
 *   amandad-req.c      pure functions: the service table, the allowed list,
 *                      parsing and checking a REQ body, the CONNECT rewrite
 *   amandad-service.c  forking a service with its pipes, reading its reply,
 *                      relaying its CONNECT streams
 *   amandad.c          arguments, configuration, authorisation and the
 *                      request/reply protocol of each conversation. */
#ifndef AMANDAD_H
#define AMANDAD_H

#include <glib.h>
#include <sys/types.h>

#include "event.h"
#include "security.h"

#define AMANDAD_ERROR (amandad_error_quark())
GQuark amandad_error_quark(void);

/* Largest REQ amandad accepts (the transport allows more; a larger one is
 * refused with a NAK and the connection stays usable). */
#define AMANDAD_REQ_MAX (4u * 1024u * 1024u)
/* Largest reply a service may produce (one REP packet). */
#define AMANDAD_REPLY_MAX (8u * 1024u * 1024u)

/* Services amandad knows; the argument list picks which are allowed. */
gboolean amandad_known_service(const char *name);
/* Expand "amdump" into its four services; FALSE with ERROR for an unknown
 * name.  ALLOWED receives owned strings (no duplicates). */
gboolean amandad_add_allowed(GPtrArray *allowed, const char *arg, GError **error);
gboolean amandad_is_allowed(const GPtrArray *allowed, const char *service);

/* A parsed REQ body: the optional "SECURITY USER name" line, the
 * "SERVICE name" line and the rest (handed to the service on stdin). */
typedef struct {
    char *user;      /* NULL when the packet carries none */
    char *service;
    char *args;      /* the remaining lines, "" if none */
    char *config;    /* config= of the OPTIONS line, or NULL */
    char *auth;      /* auth= of the OPTIONS line, or NULL */
} amandad_req_t;

void amandad_req_free(amandad_req_t *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(amandad_req_t, amandad_req_free)
/* Parse and check a REQ body of LEN bytes: header lines in order, a valid
 * service name, an OPTIONS line (if any) with only known keys and sane
 * config/auth values.  The error message is the NAK reason. */
amandad_req_t *amandad_parse_req(const char *body, gsize len, GError **error);

/* Rewrite a service's "CONNECT TAG fd TAG fd ..." first line: each fd
 * (CLIENT_DATA_FD_OFFSET + pair) is replaced by the stream id MAP_FN
 * returns for the pair (-1 stays -1; MAP_FN returns -1 on failure, which
 * fails the rewrite).  FALSE with ERROR for a malformed line or an fd out
 * of range.  Returns the new line (with its newline). */
typedef int (*amandad_stream_fn_t)(int pair, void *arg);
char *amandad_rewrite_connect(const char *line, amandad_stream_fn_t map_fn, void *arg,
                              GError **error);

/* --- one running service ------------------------------------------- */
typedef struct amandad_service amandad_service_t;

/* Output so far (DONE FALSE) or complete (DONE TRUE) from the service's
 * stdout.  TOO_BIG: the service wrote more than AMANDAD_REPLY_MAX and was
 * killed. */
typedef void (*amandad_output_fn_t)(void *arg, const GString *out, gboolean done,
                                    gboolean too_big);
/* The service exited and every stream is closed. */
typedef void (*amandad_finished_fn_t)(void *arg, int wait_status);

/* Fork PATH (argv: NAME "amandad" AUTH, no shell) with INPUT on its stdin,
 * its stdout read from the event loop, its stderr logged, and the data
 * pipes at fds 150+. */
amandad_service_t *amandad_service_start(const char *path, const char *name, const char *auth,
                                         const char *input, amandad_output_fn_t out_fn,
                                         amandad_finished_fn_t fin_fn, void *arg,
                                         GError **error);
/* Turn the CONNECT line of REPLY (if any) into stream ids of HANDLE
 * (opening one server stream per pair named) and close the pipes of the
 * pairs not named.  Returns the reply to send. */
char *amandad_service_connect(amandad_service_t *svc, security_handle_t *handle,
                              const char *reply, GError **error);
/* The REP was ACKed: start relaying the streams. */
void amandad_service_start_streams(amandad_service_t *svc);
/* SIGTERM the service's process group (SIGKILL a few seconds later). */
void amandad_service_kill(amandad_service_t *svc);
/* Free SVC; a still running service is killed first. */
void amandad_service_free(amandad_service_t *svc);
pid_t amandad_service_pid(const amandad_service_t *svc);

#endif
