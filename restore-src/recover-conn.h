/* recover-conn: amrecover's connections to the server's amandad.  One
 * request ("SERVICE amindexd" or "SERVICE amidxtaped") through the
 * security API and the request protocol; the reply's CONNECT line names
 * the streams, which are opened and returned by tag (MESG, CTL, DATA,
 * STATE).  Streams are read synchronously through a small buffer so a
 * caller can take lines, exact byte counts or everything to EOF. */
#ifndef RECOVER_CONN_H
#define RECOVER_CONN_H

#include <glib.h>
#include "security.h"

typedef struct RecoverStream RecoverStream;

typedef struct {
    GHashTable *streams;   /* tag -> RecoverStream* */
} RecoverConn;

/* Ask HOST's amandad (driver AUTH, "bsdtcp" or "local"; PORT may be NULL)
 * for SERVICE.  FEATURES_HEX goes in the OPTIONS line. */
RecoverConn *recover_conn_open(const char *host, const char *auth, const char *port,
                               const char *service, const char *features_hex, GError **error);
void recover_conn_free(RecoverConn *c);
RecoverStream *recover_conn_stream(RecoverConn *c, const char *tag);

/* Write all of BUF; FALSE on error. */
gboolean recover_stream_write(RecoverStream *s, const void *buf, gsize len);
/* Send LINE followed by CR LF. */
gboolean recover_stream_send_line(RecoverStream *s, const char *line);
/* Next line without its CR LF, or NULL at EOF/error. */
char *recover_stream_read_line(RecoverStream *s);
/* Exactly LEN bytes into a new buffer, or NULL. */
char *recover_stream_read_exact(RecoverStream *s, gsize len);
/* Everything until EOF, handed to FN in chunks; FALSE if FN fails. */
typedef gboolean (*recover_chunk_fn)(const void *buf, gsize len, void *arg);
gboolean recover_stream_drain(RecoverStream *s, recover_chunk_fn fn, void *arg);
/* The same, but stop after LIMIT bytes (0 = no limit): AMANDA's amandad
 * does not always end a stream when its service exits, so a reader that
 * knows the size must not wait for EOF. */
gboolean recover_stream_drain_limit(RecoverStream *s, guint64 limit, recover_chunk_fn fn,
                                    void *arg);
/* Close our side (the peer sees EOF). */
void recover_stream_close(RecoverStream *s);

#endif
