/* amgtar-messages: classification of tar's output lines. */
#include "config.h"
#include "amgtar-messages.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(amgtar-messages-error-quark, amgtar_messages_error)

typedef struct {
    regex_t re;
    AmgtarMsgClass cls;
} Pattern;

struct AmgtarClassifier {
    GArray *patterns;   /* Pattern, tried in order */
};

/* What GNU tar prints when all is well, or when a file could not be saved
 * for a reason that does not make the dump suspect. */
static const char *const builtin_normal[] = {
    "^Total bytes written: [0-9]+",
    "^Elapsed time: ",
    "^Throughput ",
    ": socket ignored$",
    ": file changed as we read it$",
    ": File shrank by [0-9]+ bytes; padding with zeros$",
    ": Cannot add file .*: No such file or directory$",
    ": Cannot stat: No such file or directory$",
    ": File removed before we read it$",
    ": Error exit delayed from previous errors",
    ": Exiting with failure status due to previous errors$",
    ": door ignored$",
};

static const char *const builtin_ignore[] = {
    ": Directory is new$",
    ": Directory has been renamed",
    ": file is unchanged; not dumped$",
    "^$",
};

static gboolean
add_pattern(GArray *patterns, const char *regex, AmgtarMsgClass cls, GError **error)
{
    Pattern p = { .cls = cls };
    int rc = regcomp(&p.re, regex, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char buf[256];
        regerror(rc, &p.re, buf, sizeof buf);
        g_set_error(error, amgtar_messages_error_quark(), 1,
                    "bad regular expression \"%s\": %s", regex, buf);
        return FALSE;
    }
    g_array_append_val(patterns, p);
    return TRUE;
}

static gboolean
add_user(GArray *patterns, GPtrArray *list, AmgtarMsgClass cls, GError **error)
{
    for (guint i = 0; list && i < list->len; i++)
        if (!add_pattern(patterns, g_ptr_array_index(list, i), cls, error))
            return FALSE;
    return TRUE;
}

AmgtarClassifier *
amgtar_classifier_new(GPtrArray *normal, GPtrArray *ignore, GPtrArray *strange,
                      GError **error)
{
    g_autoptr(AmgtarClassifier) c = g_new0(AmgtarClassifier, 1);
    c->patterns = g_array_new(FALSE, FALSE, sizeof(Pattern));
    if (!add_user(c->patterns, normal, AMGTAR_MSG_NORMAL, error)
        || !add_user(c->patterns, ignore, AMGTAR_MSG_IGNORE, error)
        || !add_user(c->patterns, strange, AMGTAR_MSG_STRANGE, error))
        return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(builtin_normal); i++)
        add_pattern(c->patterns, builtin_normal[i], AMGTAR_MSG_NORMAL, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(builtin_ignore); i++)
        add_pattern(c->patterns, builtin_ignore[i], AMGTAR_MSG_IGNORE, NULL);
    return g_steal_pointer(&c);
}

void
amgtar_classifier_free(AmgtarClassifier *c)
{
    if (!c)
        return;
    for (guint i = 0; c->patterns && i < c->patterns->len; i++)
        regfree(&g_array_index(c->patterns, Pattern, i).re);
    if (c->patterns)
        g_array_unref(c->patterns);
    g_free(c);
}

AmgtarMsgClass
amgtar_classify(const AmgtarClassifier *c, const char *line)
{
    for (guint i = 0; i < c->patterns->len; i++) {
        const Pattern *p = &g_array_index(c->patterns, Pattern, i);
        if (regexec(&p->re, line, 0, NULL, 0) == 0)
            return p->cls;
    }
    return AMGTAR_MSG_STRANGE;
}

gboolean
amgtar_parse_total_bytes(const char *line, guint64 *bytes)
{
    static const char prefix[] = "Total bytes written: ";
    if (strncmp(line, prefix, sizeof prefix - 1) != 0)
        return FALSE;
    const char *num = line + sizeof prefix - 1;
    if (!g_ascii_isdigit(*num))
        return FALSE;
    char *end = NULL;
    guint64 v = g_ascii_strtoull(num, &end, 10);
    if (end == num || (*end && *end != ' '))
        return FALSE;
    *bytes = v;
    return TRUE;
}
