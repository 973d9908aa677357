/* indexd-tree: dump chains and merged directory listings (see
 * indexd-tree.h). */
#include "config.h"
#include "indexd-tree.h"

#include <string.h>

void
indexd_dump_free(indexd_dump_t *d)
{
    if (!d)
        return;
    g_free(d->timestamp);
    g_free(d->tapes);
    if (d->paths)
        g_ptr_array_unref(d->paths);
    g_free(d);
}

static void
append_escaped(GString *s, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == ':' || *p == ',' || *p == ';' || *p == '\\')
            g_string_append_c(s, '\\');
        g_string_append_c(s, *p);
    }
}

static gint
by_partnum(gconstpointer a, gconstpointer b)
{
    const indexd_part_t *x = a, *y = b;
    return (x->partnum > y->partnum) - (x->partnum < y->partnum);
}

char *
indexd_tapes_string(GArray *parts)
{
    g_array_sort(parts, by_partnum);
    GString *s = g_string_new(NULL);
    g_autoptr(GPtrArray) labels = g_ptr_array_new();
    for (guint i = 0; i < parts->len; i++) {
        const char *label = g_array_index(parts, indexd_part_t, i).label;
        gboolean seen = FALSE;
        for (guint j = 0; j < labels->len && !seen; j++)
            seen = g_strcmp0(labels->pdata[j], label) == 0;
        if (!seen)
            g_ptr_array_add(labels, (gpointer)label);
    }
    for (guint j = 0; j < labels->len; j++) {
        gboolean first_file = TRUE;
        for (guint i = 0; i < parts->len; i++) {
            const indexd_part_t *p = &g_array_index(parts, indexd_part_t, i);
            if (g_strcmp0(p->label, labels->pdata[j]) != 0)
                continue;
            if (first_file) {
                if (j > 0)
                    g_string_append_c(s, ';');
                append_escaped(s, p->storage);
                g_string_append_c(s, ':');
                append_escaped(s, p->label);
                g_string_append_c(s, ':');
                first_file = FALSE;
            } else {
                g_string_append_c(s, ',');
            }
            g_string_append_printf(s, "%" G_GINT64_FORMAT, p->filenum);
        }
    }
    return g_string_free(s, FALSE);
}

char *
indexd_nice_date(const char *ts)
{
    if (!ts || strlen(ts) < 8)
        return g_strdup(ts ? ts : "");
    if (strlen(ts) < 14)
        return g_strdup_printf("%.4s-%.2s-%.2s", ts, ts + 4, ts + 6);
    return g_strdup_printf("%.4s-%.2s-%.2s-%.2s-%.2s-%.2s", ts, ts + 4, ts + 6, ts + 8, ts + 10,
                           ts + 12);
}

char *
indexd_date_limit(const char *date)
{
    char digits[15] = { 0 };
    gsize n = 0;
    for (const char *p = date; *p; p++) {
        if (g_ascii_isdigit(*p)) {
            if (n >= 14)
                return NULL;
            digits[n++] = *p;
        } else if (*p != '-' && *p != ':' && *p != ' ') {
            return NULL;
        }
    }
    if (n != 8 && n != 12 && n != 14)
        return NULL;
    /* the day (or minute) given includes all of it */
    const char *fill = "235959";
    for (gsize i = n; i < 14; i++)
        digits[i] = fill[i - 8];
    return g_strdup(digits);
}

static gint
newest_first(gconstpointer a, gconstpointer b)
{
    const indexd_dump_t *x = *(indexd_dump_t *const *)a, *y = *(indexd_dump_t *const *)b;
    int c = strcmp(y->timestamp, x->timestamp);
    return c ? c : (y->level > x->level) - (y->level < x->level);
}

GPtrArray *
indexd_chain(const GPtrArray *dumps, const char *limit)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    for (guint i = 0; i < dumps->len; i++) {
        const indexd_dump_t *d = dumps->pdata[i];
        if (strncmp(d->timestamp, limit, 14) <= 0)
            g_ptr_array_add(sorted, (gpointer)d);
    }
    g_ptr_array_sort(sorted, newest_first);
    GPtrArray *chain = g_ptr_array_new();
    int below = G_MAXINT;
    for (guint i = 0; i < sorted->len && below > 0; i++) {
        indexd_dump_t *d = sorted->pdata[i];
        if (d->level < below) {
            g_ptr_array_add(chain, d);
            below = d->level;
        }
    }
    return chain;
}

char *
indexd_normalise_dir(const char *dir)
{
    GString *s = g_string_new(dir && dir[0] == '/' ? "" : "/");
    g_string_append(s, dir ? dir : "");
    while (s->len > 1 && s->str[s->len - 1] == '/')
        g_string_truncate(s, s->len - 1);
    return g_string_free(s, FALSE);
}

/* Index of the first path >= KEY (binary search). */
static guint
lower_bound(const GPtrArray *paths, const char *key)
{
    guint lo = 0, hi = paths->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (strcmp(paths->pdata[mid], key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* "/a/b" -> "/a/b/", "/" stays */
static char *
dir_prefix(const char *dir)
{
    return strcmp(dir, "/") == 0 ? g_strdup("/") : g_strconcat(dir, "/", NULL);
}

gboolean
indexd_is_dir(const GPtrArray *chain, const char *dir)
{
    g_autofree char *prefix = dir_prefix(dir);
    gsize plen = strlen(prefix);
    for (guint i = 0; i < chain->len; i++) {
        const GPtrArray *paths = ((const indexd_dump_t *)chain->pdata[i])->paths;
        if (!paths || paths->len == 0)
            continue;
        guint at = lower_bound(paths, prefix);
        /* the directory line itself, or anything below it */
        if (at < paths->len && strncmp(paths->pdata[at], prefix, plen) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Is PATH (starting with PREFIX) the directory itself or directly in it? */
static gboolean
direct_child(const char *path, gsize plen)
{
    const char *rest = path + plen;
    const char *slash = strchr(rest, '/');
    return !slash || slash[1] == '\0';
}

static gint
entry_by_path(gconstpointer a, gconstpointer b)
{
    return strcmp(((const indexd_entry_t *)a)->path, ((const indexd_entry_t *)b)->path);
}

GArray *
indexd_list(const GPtrArray *chain, const char *dir, gboolean recursive)
{
    g_autofree char *prefix = dir_prefix(dir);
    gsize plen = strlen(prefix);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(indexd_entry_t));
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    /* newest dump first, so the first one to name a path wins */
    for (guint i = 0; i < chain->len; i++) {
        const indexd_dump_t *d = chain->pdata[i];
        if (!d->paths)
            continue;
        for (guint k = lower_bound(d->paths, prefix); k < d->paths->len; k++) {
            const char *p = d->paths->pdata[k];
            if (strncmp(p, prefix, plen) != 0)
                break;
            if (!recursive && !direct_child(p, plen))
                continue;
            if (g_hash_table_contains(seen, p))
                continue;
            g_hash_table_add(seen, (gpointer)p);
            indexd_entry_t e = { d, p };
            g_array_append_val(out, e);
        }
    }
    g_array_sort(out, entry_by_path);
    return out;
}
