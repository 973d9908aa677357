/* selfcheck-reply: parse a selfcheck reply (see selfcheck-reply.h). */
#include "config.h"
#include "selfcheck-reply.h"

#include <string.h>

/* Read a JSON string at *P (just past its opening quote) into OUT. */
static const char *
json_string(const char *p, GString *out)
{
    g_string_truncate(out, 0);
    for (; *p && *p != '"'; p++) {
        if (*p != '\\' || !p[1]) {
            g_string_append_c(out, *p);
            continue;
        }
        p++;
        switch (*p) {
        case 'n': g_string_append_c(out, '\n'); break;
        case 't': g_string_append_c(out, '\t'); break;
        case 'r': g_string_append_c(out, '\r'); break;
        case 'u': /* keep \uXXXX as is: messages are ASCII in practice */
            g_string_append(out, "\\u");
            break;
        default: g_string_append_c(out, *p); break;
        }
    }
    return *p ? p + 1 : p;
}

/* The messages are objects, separated by commas (AMANDA 3.5.1 sends them
 * without an enclosing array) or inside one: each outermost object is a
 * message, whatever it nests. */
static void
scan_json(const char *p, selfcheck_msg_fn fn, void *arg)
{
    g_autoptr(GString) str = g_string_new(NULL);
    g_autofree char *key = NULL, *severity = NULL, *message = NULL;
    int depth = 0, obj = 0; /* depth of the current message object, 0: none */
    gboolean want_value = FALSE;
    for (; *p; p++) {
        if (*p == '"') {
            p = json_string(p + 1, str) - 1;
            if (!obj || depth != obj) {
                continue;
            } else if (want_value && key) {
                char **slot = strcmp(key, "severity") == 0  ? &severity
                            : strcmp(key, "message") == 0 ? &message : NULL;
                if (slot) {
                    g_free(*slot);
                    *slot = g_strdup(str->str);
                }
                want_value = FALSE;
            } else {
                g_free(key);
                key = g_strdup(str->str);
            }
        } else if (*p == ':') {
            want_value = TRUE;
        } else if (*p == ',') {
            want_value = FALSE;
        } else if (*p == '{' || *p == '[') {
            depth++;
            if (*p == '{' && !obj)
                obj = depth;
        } else if (*p == '}' || *p == ']') {
            if (*p == '}' && depth == obj) {
                if (message)
                    fn(severity ? severity : "info", message, arg);
                g_clear_pointer(&severity, g_free);
                g_clear_pointer(&message, g_free);
                obj = 0;
            }
            depth--;
        }
    }
}

static void
scan_lines(const char *body, selfcheck_msg_fn fn, void *arg)
{
    g_auto(GStrv) v = g_strsplit(body, "\n", -1);
    for (char **l = v; *l; l++) {
        const char *sev = g_str_has_prefix(*l, "ERROR") ? "error"
                        : g_str_has_prefix(*l, "OK") ? "info" : NULL;
        if (!sev)
            continue; /* OPTIONS and anything unknown */
        const char *msg = *l + (sev[0] == 'e' ? strlen("ERROR") : strlen("OK"));
        while (*msg == ' ')
            msg++;
        fn(sev, msg, arg);
    }
}

void
selfcheck_reply_parse(const char *body, selfcheck_msg_fn fn, void *arg)
{
    if (!body)
        return;
    const char *json = strstr(body, "MESSAGE JSON");
    if (json)
        scan_json(json + strlen("MESSAGE JSON"), fn, arg);
    else
        scan_lines(body, fn, arg);
}
