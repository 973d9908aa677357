/* packet: the text packets of the request protocol (REQ, REP, PREP, ACK,
 * NAK) and their header line
 *
 *     Amanda <major>.<minor> <TYPE> HANDLE <handle> SEQ <n>\n<body>
 *
 * pkt_parse() is a pure function over a buffer: it never trusts the input
 * and says why it refuses one.  We send version "Amanda 3.5". */
#ifndef PACKET_H
#define PACKET_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    P_REQ,
    P_REP,
    P_PREP,
    P_ACK,
    P_NAK,
} pktype_t;

/* Largest whole packet (header + body) accepted over a stream transport and
 * over a datagram transport. */
#define PKT_MAX_TCP (10u * 1024u * 1024u)
#define PKT_MAX_UDP (64u * 1024u)
/* Longest HANDLE token; real ones look like "000-0000a0b8". */
#define PKT_HANDLE_MAX 64

#define PKT_VERSION_MAJOR 3
#define PKT_VERSION_MINOR 5

typedef struct {
    pktype_t type;
    GString *body;
    /* Filled in by pkt_parse for received packets; ignored when sending. */
    char handle[PKT_HANDLE_MAX + 1];
    uint32_t seq;
    int major, minor;
} pkt_t;

#define PKT_ERROR pkt_error_quark()
GQuark pkt_error_quark(void);
typedef enum {
    PKT_ERROR_TOO_BIG,
    PKT_ERROR_NUL,
    PKT_ERROR_HEADER,
    PKT_ERROR_VERSION,
    PKT_ERROR_TYPE,
    PKT_ERROR_HANDLE,
    PKT_ERROR_SEQ,
} pkt_error_t;

/* Set up PKT with TYPE and a body from FMT (may be NULL for empty). */
void pkt_init(pkt_t *pkt, pktype_t type, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Append to the body. */
void pkt_cat(pkt_t *pkt, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Free what pkt_init / pkt_parse allocated (PKT itself is the caller's). */
void pkt_clear(pkt_t *pkt);
/* Deep copy into DST (uninitialised). */
void pkt_copy(pkt_t *dst, const pkt_t *src);

const char *pkt_type2str(pktype_t type);
/* TRUE and *TYPE set when S names a packet type. */
gboolean pkt_str2type(const char *s, pktype_t *type);

/* Parse a whole packet of LEN bytes (no terminating NUL needed) into PKT
 * (uninitialised on entry, initialised only on success).  LIMIT is the
 * largest acceptable packet (PKT_MAX_TCP or PKT_MAX_UDP). */
gboolean pkt_parse(const char *buf, size_t len, size_t limit, pkt_t *pkt, GError **error);

/* The wire form of PKT with the given HANDLE and SEQ. */
GString *pkt_format(const pkt_t *pkt, const char *handle, uint32_t seq);

#endif
