/* dumper-mesg: sendbackup's MESG stream (see the header). */
#include "dumper-mesg.h"

#include <stdlib.h>
#include <string.h>

void
dumper_mesg_init(dumper_mesg_t *m)
{
    memset(m, 0, sizeof(*m));
    m->size_kb = -1;
    m->strange = g_ptr_array_new_with_free_func(g_free);
    m->errors = g_ptr_array_new_with_free_func(g_free);
    m->all = g_ptr_array_new_with_free_func(g_free);
    m->partial = g_string_new(NULL);
}

void
dumper_mesg_clear(dumper_mesg_t *m)
{
    g_free(m->error);
    g_ptr_array_unref(m->strange);
    g_ptr_array_unref(m->errors);
    g_ptr_array_unref(m->all);
    g_free(m->application);
    g_free(m->recover_cmd);
    g_free(m->comp_suffix);
    g_string_free(m->partial, TRUE);
    memset(m, 0, sizeof(*m));
}

gboolean
dumper_parse_crc(const char *text, fileheader_crc_t *crc)
{
    char *end;
    while (*text == ' ')
        text++;
    unsigned long c = strtoul(text, &end, 16);
    if (end == text || *end != ':' || c > 0xffffffffUL)
        return FALSE;
    const char *num = end + 1;
    guint64 size = g_ascii_strtoull(num, &end, 10);
    if (end == num || (*end && *end != ' ' && *end != '\n'))
        return FALSE;
    crc->crc = (guint32)c;
    crc->size = size;
    return TRUE;
}

static void
set_error(dumper_mesg_t *m, const char *msg)
{
    if (!m->error)
        m->error = g_strdup(msg && *msg ? msg : "sendbackup reported an error");
}

static void
info_line(dumper_mesg_t *m, const char *kv)
{
    if (g_str_has_prefix(kv, "APPLICATION="))
        g_free(m->application), m->application = g_strdup(kv + 12);
    else if (g_str_has_prefix(kv, "RECOVER_CMD="))
        g_free(m->recover_cmd), m->recover_cmd = g_strdup(kv + 12);
    else if (g_str_has_prefix(kv, "COMPRESS_SUFFIX="))
        g_free(m->comp_suffix), m->comp_suffix = g_strdup(kv + 16);
}

/* "[msg]" -> "msg" */
static char *
unbracket(const char *s)
{
    while (*s == ' ')
        s++;
    gsize n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
        return g_strndup(s + 1, n - 2);
    return g_strdup(s);
}

static void
sendbackup_line(dumper_mesg_t *m, const char *rest)
{
    if (g_str_has_prefix(rest, "size ")) {
        char *end;
        gint64 v = g_ascii_strtoll(rest + 5, &end, 10);
        if (end != rest + 5 && v >= 0)
            m->size_kb = v;
    } else if (strcmp(rest, "end") == 0) {
        m->got_end = TRUE;
    } else if (g_str_has_prefix(rest, "error")) {
        g_autofree char *msg = unbracket(rest + 5);
        set_error(m, msg);
    } else if (g_str_has_prefix(rest, "native-CRC ")) {
        dumper_parse_crc(rest + 11, &m->native_crc);
    } else if (g_str_has_prefix(rest, "client-CRC ")) {
        dumper_parse_crc(rest + 11, &m->client_crc);
    } else if (g_str_has_prefix(rest, "info ")) {
        info_line(m, rest + 5);
    }
}

void
dumper_mesg_line(dumper_mesg_t *m, const char *line)
{
    if (!*line)
        return;
    g_ptr_array_add(m->all, g_strdup(line));
    if (g_str_has_prefix(line, "sendbackup: "))
        sendbackup_line(m, line + 12);
    else if (g_str_has_prefix(line, "? "))
        g_ptr_array_add(m->strange, g_strdup(line + 2));
    else if (g_str_has_prefix(line, "& ")) {
        g_ptr_array_add(m->errors, g_strdup(line + 2));
        set_error(m, line + 2);
    }
}

void
dumper_mesg_feed(dumper_mesg_t *m, const char *buf, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        if (buf[i] == '\n') {
            dumper_mesg_line(m, m->partial->str);
            g_string_truncate(m->partial, 0);
        } else if (m->partial->len < 65536) {
            g_string_append_c(m->partial, buf[i]);
        }
    }
}

void
dumper_mesg_eof(dumper_mesg_t *m)
{
    if (m->partial->len) {
        dumper_mesg_line(m, m->partial->str);
        g_string_truncate(m->partial, 0);
    }
}

const char *
dumper_mesg_failure(const dumper_mesg_t *m)
{
    if (m->error)
        return m->error;
    if (m->size_kb < 0)
        return "no backup size line";
    if (!m->got_end)
        return "no end line from sendbackup (the client stopped early)";
    return NULL;
}
