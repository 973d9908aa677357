/* amgtar-dar: state file + chosen paths -> byte ranges (see amgtar-dar.h). */
#include "config.h"
#include "amgtar-dar.h"

#include <string.h>

G_DEFINE_QUARK(amgtar-dar-error-quark, amgtar_dar_error)

typedef struct {
    guint64 record;
    const char *path;   /* into the parsed copy of the state text */
} StateEntry;

/* Split TEXT (modified in place) into entries; FALSE with an error naming
 * the first line that is not "<record> <path>". */
static gboolean
parse_state(char *text, GArray *entries, GError **error)
{
    guint lineno = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        gsize n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (n) {
            char *end = NULL;
            guint64 rec = g_ascii_strtoull(line, &end, 10);
            if (!g_ascii_isdigit(line[0]) || end[0] != ' ' || end[1] != '/' ||
                rec > G_MAXUINT64 / 512) {
                g_set_error(error, AMGTAR_DAR_ERROR, AMGTAR_DAR_ERROR_STATE,
                            "state line %u is not \"<record> <path>\": \"%.80s\"", lineno, line);
                return FALSE;
            }
            StateEntry e = { rec, end + 1 };
            g_array_append_val(entries, e);
        }
        line = nl ? nl + 1 : NULL;
    }
    return TRUE;
}

static gint
by_record(gconstpointer a, gconstpointer b)
{
    const StateEntry *x = a, *y = b;
    return x->record < y->record ? -1 : x->record > y->record;
}

/* "./dir/" -> "/dir", "." -> "" (everything); the state's spelling. */
static char *
state_prefix(const char *member)
{
    const char *m = member;
    if (m[0] == '.' && (m[1] == '\0' || m[1] == '/'))
        m++;
    GString *s = g_string_new(NULL);
    if (*m && *m != '/')
        g_string_append_c(s, '/');
    g_string_append(s, m);
    while (s->len && s->str[s->len - 1] == '/')
        g_string_truncate(s, s->len - 1);
    return g_string_free(s, FALSE);
}

/* PATH is PREFIX, PREFIX as a directory, or under PREFIX. */
static gboolean
path_matches(const char *path, const char *prefix)
{
    gsize n = strlen(prefix);
    if (n == 0)
        return TRUE;
    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static void
add_range(GArray *ranges, guint64 start, guint64 end)
{
    if (ranges->len) {
        DarRange *last = &g_array_index(ranges, DarRange, ranges->len - 1);
        if (last->end == DAR_END_OF_IMAGE)
            return;
        if (start <= last->end + 1) {
            last->end = MAX(last->end, end);
            return;
        }
    }
    DarRange r = { start, end };
    g_array_append_val(ranges, r);
}

/* Where the member at index I ends: one byte before the next member
 * that starts at a later record, or the end of the image. */
static guint64
member_end(const GArray *entries, guint i)
{
    guint64 rec = g_array_index(entries, StateEntry, i).record;
    for (guint j = i + 1; j < entries->len; j++) {
        guint64 next = g_array_index(entries, StateEntry, j).record;
        if (next > rec)
            return next * 512 - 1;
    }
    return DAR_END_OF_IMAGE;
}

GArray *
amgtar_dar_ranges(const char *state, gssize len, GPtrArray *members, GError **error)
{
    g_autofree char *text = len < 0 ? g_strdup(state) : g_strndup(state, (gsize)len);
    g_autoptr(GArray) entries = g_array_new(FALSE, FALSE, sizeof(StateEntry));
    if (!parse_state(text, entries, error))
        return NULL;
    g_array_sort(entries, by_record);   /* stable in glib: equal records keep their order */

    g_autoptr(GPtrArray) prefixes = g_ptr_array_new_with_free_func(g_free);
    for (guint m = 0; m < members->len; m++)
        g_ptr_array_add(prefixes, state_prefix(members->pdata[m]));
    g_autofree gboolean *found = g_new0(gboolean, members->len + 1);

    GArray *ranges = g_array_new(FALSE, FALSE, sizeof(DarRange));
    for (guint i = 0; i < entries->len; i++) {
        const StateEntry *e = &g_array_index(entries, StateEntry, i);
        gboolean wanted = FALSE;
        for (guint m = 0; m < prefixes->len; m++)
            if (path_matches(e->path, prefixes->pdata[m]))
                wanted = found[m] = TRUE;
        if (wanted)
            add_range(ranges, e->record * 512, member_end(entries, i));
    }

    g_autoptr(GString) missing = g_string_new(NULL);
    for (guint m = 0; m < members->len; m++)
        if (!found[m])
            g_string_append_printf(missing, "%s%s", missing->len ? ", " : "",
                                   (char *)members->pdata[m]);
    if (missing->len) {
        g_set_error(error, AMGTAR_DAR_ERROR, AMGTAR_DAR_ERROR_NOT_FOUND,
                    "not in the dump's state file: %s", missing->str);
        g_array_unref(ranges);
        return NULL;
    }
    return ranges;
}

char *
amgtar_dar_format(const GArray *ranges)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < ranges->len; i++) {
        const DarRange *r = &g_array_index(ranges, DarRange, i);
        dar_append_line(s, r->start, r->end);
    }
    return g_string_free(s, FALSE);
}
