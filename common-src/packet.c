/* packet: build, format and parse request-protocol packets. */
#include "config.h"
#include "packet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(amanda-packet-error-quark, pkt_error)

static const char *const type_names[] = {
    [P_REQ] = "REQ", [P_REP] = "REP", [P_PREP] = "PREP", [P_ACK] = "ACK", [P_NAK] = "NAK",
};

const char *
pkt_type2str(pktype_t type)
{
    if ((unsigned)type < G_N_ELEMENTS(type_names))
        return type_names[type];
    return "BOGUS";
}

gboolean
pkt_str2type(const char *s, pktype_t *type)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(type_names); i++) {
        if (strcmp(s, type_names[i]) == 0) {
            *type = (pktype_t)i;
            return TRUE;
        }
    }
    return FALSE;
}

void
pkt_init(pkt_t *pkt, pktype_t type, const char *fmt, ...)
{
    memset(pkt, 0, sizeof(*pkt));
    pkt->type = type;
    pkt->body = g_string_new(NULL);
    pkt->major = PKT_VERSION_MAJOR;
    pkt->minor = PKT_VERSION_MINOR;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        g_string_append_vprintf(pkt->body, fmt, ap);
        va_end(ap);
    }
}

void
pkt_cat(pkt_t *pkt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(pkt->body, fmt, ap);
    va_end(ap);
}

void
pkt_clear(pkt_t *pkt)
{
    if (pkt->body)
        g_string_free(pkt->body, TRUE);
    pkt->body = NULL;
}

void
pkt_copy(pkt_t *dst, const pkt_t *src)
{
    *dst = *src;
    dst->body = g_string_new_len(src->body->str, (gssize)src->body->len);
}

GString *
pkt_format(const pkt_t *pkt, const char *handle, uint32_t seq)
{
    GString *out = g_string_sized_new(64 + pkt->body->len);
    g_string_printf(out, "Amanda %d.%d %s HANDLE %s SEQ %" G_GUINT32_FORMAT "\n",
                    PKT_VERSION_MAJOR, PKT_VERSION_MINOR, pkt_type2str(pkt->type), handle, seq);
    g_string_append_len(out, pkt->body->str, (gssize)pkt->body->len);
    return out;
}

/* --- parsing ------------------------------------------------------------ */

/* A cursor over the header line only. */
typedef struct {
    const char *p, *end;
} cursor_t;

/* Next blank-separated token of the header, as [*start, *start+*len). */
static gboolean
next_token(cursor_t *c, const char **start, size_t *len)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
    if (c->p == c->end)
        return FALSE;
    *start = c->p;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\r')
        c->p++;
    *len = (size_t)(c->p - *start);
    return TRUE;
}

static gboolean
token_is(const char *tok, size_t len, const char *word)
{
    return len == strlen(word) && memcmp(tok, word, len) == 0;
}

/* Parse "<digits>" fully into an unsigned value no larger than MAX. */
static gboolean
parse_unsigned(const char *tok, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 20)
        return FALSE;
    for (size_t i = 0; i < len; i++) {
        if (tok[i] < '0' || tok[i] > '9')
            return FALSE;
        v = v * 10 + (uint64_t)(tok[i] - '0');
        if (v > max)
            return FALSE;
    }
    *out = v;
    return TRUE;
}

static gboolean
parse_version(const char *tok, size_t len, pkt_t *pkt)
{
    const char *dot = memchr(tok, '.', len);
    uint64_t major, minor;
    if (!dot)
        return FALSE;
    if (!parse_unsigned(tok, (size_t)(dot - tok), 999, &major) ||
        !parse_unsigned(dot + 1, len - (size_t)(dot - tok) - 1, 999, &minor))
        return FALSE;
    pkt->major = (int)major;
    pkt->minor = (int)minor;
    return TRUE;
}

static gboolean
handle_is_sane(const char *tok, size_t len)
{
    if (len == 0 || len > PKT_HANDLE_MAX)
        return FALSE;
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isgraph(tok[i]))
            return FALSE;
    return TRUE;
}

#define FAIL(code, ...) \
    do { g_set_error(error, PKT_ERROR, code, __VA_ARGS__); return FALSE; } while (0)

/* Parse the header line [line, line+len) into PKT's header fields. */
static gboolean
parse_header(const char *line, size_t len, pkt_t *pkt, GError **error)
{
    cursor_t c = { line, line + len };
    const char *tok;
    size_t tl;
    uint64_t seq;

    if (!next_token(&c, &tok, &tl) || !token_is(tok, tl, "Amanda"))
        FAIL(PKT_ERROR_HEADER, "packet does not start with \"Amanda\"");
    if (!next_token(&c, &tok, &tl) || !parse_version(tok, tl, pkt))
        FAIL(PKT_ERROR_VERSION, "missing or garbled version in packet header");
    if (!next_token(&c, &tok, &tl))
        FAIL(PKT_ERROR_TYPE, "missing packet type");
    char typename[8];
    if (tl >= sizeof(typename))
        FAIL(PKT_ERROR_TYPE, "unknown packet type");
    memcpy(typename, tok, tl);
    typename[tl] = '\0';
    if (!pkt_str2type(typename, &pkt->type)) {
        g_autofree char *shown = g_strescape(typename, NULL);
        FAIL(PKT_ERROR_TYPE, "unknown packet type \"%s\"", shown);
    }
    if (!next_token(&c, &tok, &tl) || !token_is(tok, tl, "HANDLE"))
        FAIL(PKT_ERROR_HEADER, "missing HANDLE in packet header");
    if (!next_token(&c, &tok, &tl) || !handle_is_sane(tok, tl))
        FAIL(PKT_ERROR_HANDLE, "missing, over-long or non-printable handle in packet header");
    memcpy(pkt->handle, tok, tl);
    pkt->handle[tl] = '\0';
    if (!next_token(&c, &tok, &tl) || !token_is(tok, tl, "SEQ"))
        FAIL(PKT_ERROR_HEADER, "missing SEQ in packet header");
    if (!next_token(&c, &tok, &tl) || !parse_unsigned(tok, tl, G_MAXUINT32, &seq))
        FAIL(PKT_ERROR_SEQ, "missing or non-numeric SEQ in packet header");
    pkt->seq = (uint32_t)seq;
    if (next_token(&c, &tok, &tl))
        FAIL(PKT_ERROR_HEADER, "trailing garbage after SEQ in packet header");
    return TRUE;
}

gboolean
pkt_parse(const char *buf, size_t len, size_t limit, pkt_t *pkt, GError **error)
{
    pkt_t tmp;

    if (len > limit)
        FAIL(PKT_ERROR_TOO_BIG, "packet of %zu bytes is over the limit of %zu", len, limit);
    if (len > 0 && memchr(buf, '\0', len))
        FAIL(PKT_ERROR_NUL, "packet holds a NUL byte");
    memset(&tmp, 0, sizeof(tmp));
    /* A packet with an empty body may come without the newline. */
    const char *nl = len > 0 ? memchr(buf, '\n', len) : NULL;
    size_t header_len = nl ? (size_t)(nl - buf) : len;
    if (!parse_header(buf, header_len, &tmp, error))
        return FALSE;
    size_t body_start = nl ? header_len + 1 : len;
    tmp.body = g_string_new_len(buf + body_start, (gssize)(len - body_start));
    *pkt = tmp;
    return TRUE;
}
