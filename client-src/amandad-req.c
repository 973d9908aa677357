/* amandad-req: the pure parts of amandad (see amandad.h): which services
 * exist and are allowed, what a well-formed REQ body looks like, and the
 * rewriting of a service's CONNECT line.  Nothing here does I/O, so every
 * refusal reason can be unit-tested. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "amandad.h"
#include "client-util.h"

G_DEFINE_QUARK(amandad-error-quark, amandad_error)

/* Every service an AMANDA client may be asked to run.  The four backup
 * services are ours; the others are listed so that an inetd line written
 * for AMANDA ("amdump amindexd amidxtaped") is accepted. */
static const char *const known_services[] = {
    "noop", "selfcheck", "sendsize", "sendbackup", "senddiscover",
    "amindexd", "amidxtaped", "amdumpd", "restore", NULL,
};
static const char *const amdump_services[] = {
    "noop", "selfcheck", "sendsize", "sendbackup", NULL,
};

/* Keys of the OPTIONS line a server may send (AMANDA 3.5). */
static const char *const known_options[] = {
    "features", "maxdumps", "hostname", "config", "timestamp", "auth",
    "data-shm-control-name", "remote-user", "kencrypt", NULL,
};

static gboolean in_list(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return TRUE;
    return FALSE;
}

gboolean amandad_known_service(const char *name)
{
    return name && in_list(known_services, name);
}

gboolean amandad_is_allowed(const GPtrArray *allowed, const char *service)
{
    for (guint i = 0; i < allowed->len; i++)
        if (strcmp(g_ptr_array_index(allowed, i), service) == 0)
            return TRUE;
    return FALSE;
}

static void add_once(GPtrArray *allowed, const char *name)
{
    if (!amandad_is_allowed(allowed, name))
        g_ptr_array_add(allowed, g_strdup(name));
}

gboolean amandad_add_allowed(GPtrArray *allowed, const char *arg, GError **error)
{
    if (strcmp(arg, "amdump") == 0) {
        for (int i = 0; amdump_services[i]; i++)
            add_once(allowed, amdump_services[i]);
        return TRUE;
    }
    if (!amandad_known_service(arg)) {
        g_autofree char *q = g_strescape(arg, NULL);
        g_set_error(error, AMANDAD_ERROR, 1,
                    "unknown service \"%s\" on the command line (known: amdump noop selfcheck "
                    "sendsize sendbackup senddiscover amindexd amidxtaped amdumpd restore)", q);
        return FALSE;
    }
    add_once(allowed, arg);
    return TRUE;
}

void amandad_req_free(amandad_req_t *r)
{
    if (!r)
        return;
    g_free(r->user);
    g_free(r->service);
    g_free(r->args);
    g_free(r->config);
    g_free(r->auth);
    g_free(r);
}

static gboolean word_ok(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || s[0] == '.' || s[0] == '-')
        return FALSE;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && !strchr(extra, *s))
            return FALSE;
    return TRUE;
}

/* "SECURITY USER name" */
static gboolean parse_security(amandad_req_t *r, const char *line, GError **error)
{
    g_auto(GStrv) w = g_strsplit(line, " ", -1);
    if (g_strv_length(w) != 3 || strcmp(w[1], "USER") != 0 || !word_ok(w[2], 64, "._-")) {
        g_set_error(error, AMANDAD_ERROR, 1,
                    "malformed request: bad SECURITY line (expected \"SECURITY USER name\")");
        return FALSE;
    }
    r->user = g_strdup(w[2]);
    return TRUE;
}

static gboolean check_option(amandad_req_t *r, const char *key, const char *value,
                             GError **error)
{
    if (!in_list(known_options, key)) {
        g_autofree char *q = g_strescape(key, NULL);
        g_set_error(error, AMANDAD_ERROR, 1, "unknown option \"%s\" in the OPTIONS line", q);
        return FALSE;
    }
    if (strcmp(key, "config") == 0) {
        if (!word_ok(value, 128, "._-")) {
            g_autofree char *q = g_strescape(value, NULL);
            g_set_error(error, AMANDAD_ERROR, 1,
                        "bad option config=\"%s\": a configuration name is letters, digits, "
                        "'.', '_' and '-'", q);
            return FALSE;
        }
        g_free(r->config);
        r->config = g_strdup(value);
    } else if (strcmp(key, "auth") == 0) {
        g_free(r->auth);
        r->auth = g_strdup(value);
    }
    return TRUE;
}

/* "OPTIONS k=v;k=v;" */
static gboolean parse_options(amandad_req_t *r, const char *text, GError **error)
{
    g_auto(GStrv) items = g_strsplit(text, ";", -1);
    for (char **it = items; *it; it++) {
        if (**it == '\0')
            continue;
        char *eq = strchr(*it, '=');
        if (!eq || eq == *it) {
            g_autofree char *q = g_strescape(*it, NULL);
            g_set_error(error, AMANDAD_ERROR, 1,
                        "malformed request: option \"%s\" is not key=value", q);
            return FALSE;
        }
        *eq = '\0';
        if (!check_option(r, *it, eq + 1, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean body_is_text(const char *body, gsize len, GError **error)
{
    for (gsize i = 0; i < len; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r')) {
            g_set_error(error, AMANDAD_ERROR, 1,
                        "malformed request: control byte 0x%02x at offset %" G_GSIZE_FORMAT, c, i);
            return FALSE;
        }
    }
    return TRUE;
}

/* The next line of BODY at *POS (without its newline), or NULL at the end. */
static char *next_line(const char *body, gsize len, gsize *pos)
{
    if (*pos >= len)
        return NULL;
    const char *start = body + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    gsize n = nl ? (gsize)(nl - start) : len - *pos;
    *pos += n + (nl ? 1 : 0);
    return g_strndup(start, n);
}

static gboolean parse_service(amandad_req_t *r, const char *line, GError **error)
{
    const char *name = line + strlen("SERVICE ");
    if (!word_ok(name, 32, "_-")) {
        g_autofree char *q = g_strescape(name, NULL);
        g_set_error(error, AMANDAD_ERROR, 1, "malformed request: bad service name \"%s\"", q);
        return FALSE;
    }
    r->service = g_strdup(name);
    return TRUE;
}

amandad_req_t *amandad_parse_req(const char *body, gsize len, GError **error)
{
    if (len > AMANDAD_REQ_MAX) {
        g_set_error(error, AMANDAD_ERROR, 1,
                    "oversized request: %" G_GSIZE_FORMAT " bytes, the limit is %u bytes",
                    len, AMANDAD_REQ_MAX);
        return NULL;
    }
    if (!body_is_text(body, len, error))
        return NULL;
    g_autoptr(amandad_req_t) r = g_new0(amandad_req_t, 1);
    gsize pos = 0;
    g_autofree char *line = next_line(body, len, &pos);
    if (line && g_str_has_prefix(line, "SECURITY ")) {
        if (!parse_security(r, line, error))
            return NULL;
        g_free(line);
        line = next_line(body, len, &pos);
    }
    if (!line || !g_str_has_prefix(line, "SERVICE ")) {
        g_set_error(error, AMANDAD_ERROR, 1, "malformed request: no SERVICE line");
        return NULL;
    }
    if (!parse_service(r, line, error))
        return NULL;
    r->args = g_strndup(body + pos, len - pos);
    g_autofree char *opts = next_line(body, len, &pos);
    if (opts && g_str_has_prefix(opts, "OPTIONS ")
        && !parse_options(r, opts + strlen("OPTIONS "), error))
        return NULL;
    return g_steal_pointer(&r);
}

/* ------------------------------------------------------------ CONNECT */

static gboolean parse_fd(const char *s, int *fd)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < -1 || v > 100000)
        return FALSE;
    *fd = (int)v;
    return TRUE;
}

static gboolean bad_connect(GError **error, const char *why)
{
    g_set_error(error, AMANDAD_ERROR, 1, "the service's CONNECT line is malformed: %s", why);
    return FALSE;
}

static gboolean rewrite_pair(GString *out, const char *tag, const char *fdtext,
                             amandad_stream_fn_t map_fn, void *arg, GError **error)
{
    int fd;
    if (!word_ok(tag, 16, "_-"))
        return bad_connect(error, "bad stream name");
    if (!parse_fd(fdtext, &fd))
        return bad_connect(error, "bad fd number");
    int id = -1;
    if (fd != -1) {
        int pair = fd - CLIENT_DATA_FD_OFFSET;
        if (pair < 0 || pair >= CLIENT_DATA_FD_COUNT)
            return bad_connect(error, "fd out of range");
        id = map_fn(pair, arg);
        if (id < 0) {
            g_set_error(error, AMANDAD_ERROR, 1, "cannot open a stream for %s", tag);
            return FALSE;
        }
    }
    g_string_append_printf(out, " %s %d", tag, id);
    return TRUE;
}

char *amandad_rewrite_connect(const char *line, amandad_stream_fn_t map_fn, void *arg,
                              GError **error)
{
    g_autofree char *copy = g_strdup(line);
    g_strchomp(copy);
    g_auto(GStrv) w = g_strsplit(copy, " ", -1);
    guint n = g_strv_length(w);
    if (n < 3 || strcmp(w[0], "CONNECT") != 0 || n % 2 != 1) {
        bad_connect(error, "expected CONNECT TAG FD [TAG FD ...]");
        return NULL;
    }
    g_autoptr(GString) out = g_string_new("CONNECT");
    for (guint i = 1; i + 1 < n; i += 2)
        if (!rewrite_pair(out, w[i], w[i + 1], map_fn, arg, error))
            return NULL;
    g_string_append_c(out, '\n');
    return g_string_free(g_steal_pointer(&out), FALSE);
}
