/* find: dumps on volumes from logs and tapelist (see find.h). */
#include "config.h"
#include "find.h"
#include "logfile.h"
#include "amutil.h"

#include <string.h>

G_DEFINE_QUARK(find-error-quark, find_error)

void
find_result_free(find_result_t *r)
{
    if (!r)
        return;
    g_free(r->timestamp);
    g_free(r->write_timestamp);
    g_free(r->hostname);
    g_free(r->diskname);
    g_free(r->storage);
    g_free(r->pool);
    g_free(r->label);
    g_free(r->status);
    g_free(r->dump_status);
    g_free(r->message);
    g_free(r);
}

/* ------------------------------------------------------------------ */
/* scanning a log                                                     */

static find_result_t *
result_from_part(const logfile_entry_t *e, const char *write_ts)
{
    find_result_t *r = g_new0(find_result_t, 1);
    r->timestamp = g_strdup(e->datestamp);
    r->write_timestamp = g_strdup(write_ts);
    r->hostname = g_strdup(e->host);
    r->diskname = g_strdup(e->disk);
    r->level = e->level;
    r->storage = g_strdup(e->storage ? e->storage : "");
    r->pool = g_strdup(e->pool ? e->pool : "");
    r->label = g_strdup(e->label);
    r->filenum = e->filenum;
    r->partnum = e->partnum;
    r->totalparts = e->totalparts;
    r->status = g_strdup(e->type == LOGFILE_L_PART ? "OK" : "PARTIAL");
    /* AMANDA's find shows no reason for a PARTPARTIAL part */
    r->message = g_strdup("");
    r->sec = e->stats.sec;
    r->kb = e->stats.kb >= 0 ? e->stats.kb
                              : (e->stats.bytes >= 0 ? (e->stats.bytes + 1023) / 1024 : -1);
    r->bytes = e->stats.bytes;
    r->orig_kb = e->stats.orig_kb;
    return r;
}

static gboolean
same_dump(const find_result_t *r, const logfile_entry_t *e)
{
    return g_strcmp0(r->hostname, e->host) == 0 && g_strcmp0(r->diskname, e->disk) == 0 &&
           g_strcmp0(r->timestamp, e->datestamp) == 0 && r->level == e->level &&
           (!e->storage || g_strcmp0(r->storage, e->storage) == 0);
}

/* A taper DONE/PARTIAL/FAIL line settles the pending parts of its dump.
 * As AMANDA 3.5.1's amadmin find (checked against it): DONE gives the
 * part count, FAIL its reason; PARTIAL changes only the status. */
static void
settle(GPtrArray *pending, const logfile_entry_t *e, GPtrArray *out)
{
    const char *status = e->type == LOGFILE_L_DONE ? "OK"
                       : e->type == LOGFILE_L_PARTIAL ? "PARTIAL" : "FAIL";
    for (guint i = 0; i < pending->len;) {
        find_result_t *r = g_ptr_array_index(pending, i);
        if (!same_dump(r, e)) {
            i++;
            continue;
        }
        g_ptr_array_steal_index(pending, i);
        r->dump_status = g_strdup(status);
        if (e->type == LOGFILE_L_DONE && e->totalparts >= 0)
            r->totalparts = e->totalparts;
        if (e->type == LOGFILE_L_FAIL && e->message && !*r->message) {
            g_free(r->message);
            r->message = g_strdup(e->message);
        }
        g_ptr_array_add(out, r);
    }
}

static gboolean
volume_current(const tapelist_t *tl, const char *label, const char *write_ts)
{
    const tapelist_entry_t *t = label ? tapelist_lookup_label(tl, label) : NULL;
    return t && write_ts && strcmp(t->datestamp, write_ts) == 0;
}

void
find_scan_log(GPtrArray *entries, const char *log_timestamp, const tapelist_t *tl,
              GPtrArray *out)
{
    find_scan_log_full(entries, log_timestamp, tl, FALSE, out);
}

void
find_scan_log_full(GPtrArray *entries, const char *log_timestamp, const tapelist_t *tl,
                   gboolean keep_unsettled, GPtrArray *out)
{
    g_autoptr(GHashTable) written = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) pending =
        g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        if (e->program != LOGFILE_P_TAPER)
            continue;
        if (e->type == LOGFILE_L_START && e->label && e->datestamp) {
            g_hash_table_insert(written, e->label, e->datestamp);
        } else if ((e->type == LOGFILE_L_PART || e->type == LOGFILE_L_PARTPARTIAL) &&
                   e->has_dump) {
            const char *wts = g_hash_table_lookup(written, e->label);
            if (!wts)
                wts = log_timestamp;
            if (volume_current(tl, e->label, wts))
                g_ptr_array_add(pending, result_from_part(e, wts));
        } else if ((e->type == LOGFILE_L_DONE || e->type == LOGFILE_L_PARTIAL ||
                    e->type == LOGFILE_L_FAIL) && e->has_dump) {
            settle(pending, e, out);
        }
    }
    /* parts whose dump never got a verdict (the run died): AMANDA's find
     * leaves them out; recovery tools may ask for them as partial dumps */
    while (keep_unsettled && pending->len > 0) {
        find_result_t *r = g_ptr_array_steal_index(pending, 0);
        r->dump_status = g_strdup("PARTIAL");
        g_ptr_array_add(out, r);
    }
}

/* ------------------------------------------------------------------ */
/* the logs of a configuration                                        */

static void
add_logs_of(const char *dir, GHashTable *stamps, GHashTable *seen, GPtrArray *paths)
{
    g_autoptr(GPtrArray) names = logfile_list(dir, NULL);
    for (guint i = 0; names && i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autofree char *ts = NULL;
        logfile_name_split(name, &ts, NULL);
        if (!g_hash_table_contains(stamps, ts) || g_hash_table_contains(seen, name))
            continue;
        g_hash_table_add(seen, g_strdup(name));
        g_ptr_array_add(paths, g_build_filename(dir, name, NULL));
    }
}

GPtrArray *
find_dumps(const char *logdir, const char *tapelist_path, GError **error)
{
    g_autoptr(tapelist_t) tl = tapelist_read(tapelist_path, error);
    if (!tl)
        return NULL;
    g_autoptr(GHashTable) stamps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < tl->entries->len; i++) {
        const tapelist_entry_t *t = g_ptr_array_index(tl->entries, i);
        g_hash_table_add(stamps, g_strdup(t->datestamp));
        if (strlen(t->datestamp) == 14) /* logs of old versions carry only the day */
            g_hash_table_add(stamps, g_strndup(t->datestamp, 8));
    }
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    add_logs_of(logdir, stamps, seen, paths);
    g_autofree char *old = g_build_filename(logdir, "oldlog", NULL);
    add_logs_of(old, stamps, seen, paths);

    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
    for (guint i = 0; i < paths->len; i++) {
        const char *path = g_ptr_array_index(paths, i);
        g_autoptr(GPtrArray) entries = logfile_read(path, NULL);
        if (!entries)
            continue; /* unreadable logs are skipped, as AMANDA does */
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *ts = NULL;
        logfile_name_split(base, &ts, NULL);
        find_scan_log(entries, ts, tl, out);
    }
    find_sort(out, FIND_DEFAULT_SORT_ORDER, NULL);
    return out;
}

/* ------------------------------------------------------------------ */
/* sorting                                                            */

static int
cmp_int(gint64 a, gint64 b)
{
    return (a > b) - (a < b);
}

static int
compare_key(const find_result_t *a, const find_result_t *b, char key)
{
    switch (g_ascii_tolower(key)) {
    case 'h': return g_strcmp0(a->hostname, b->hostname);
    case 'k': return g_strcmp0(a->diskname, b->diskname);
    case 'd': return g_strcmp0(a->timestamp, b->timestamp);
    case 'w': return g_strcmp0(a->write_timestamp, b->write_timestamp);
    case 'l': return cmp_int(a->level, b->level);
    case 'p': return cmp_int(a->partnum, b->partnum);
    case 'f': return cmp_int(a->filenum, b->filenum);
    case 'b': return g_strcmp0(a->label, b->label);
    case 's': return g_strcmp0(a->storage, b->storage);
    case 'o': return g_strcmp0(a->pool, b->pool);
    default: return 0;
    }
}

static gint
compare_results(gconstpointer pa, gconstpointer pb, gpointer order)
{
    const find_result_t *a = *(find_result_t *const *)pa, *b = *(find_result_t *const *)pb;
    for (const char *k = order; *k; k++) {
        int c = compare_key(a, b, *k);
        if (c)
            return g_ascii_isupper(*k) ? -c : c;
    }
    return 0;
}

gboolean
find_sort(GPtrArray *results, const char *order, GError **error)
{
    for (const char *k = order; *k; k++) {
        if (!strchr("hkdwlpfbso", g_ascii_tolower(*k))) {
            g_set_error(error, FIND_ERROR, FIND_ERROR_SORT_ORDER,
                        "unknown sort key '%c' (use letters of hkdwlpfbso)", *k);
            return FALSE;
        }
    }
    g_ptr_array_sort_with_data(results, compare_results, (gpointer)order);
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* the amadmin table                                                  */

char *
find_nicedate(const char *ts)
{
    gsize n = ts ? strlen(ts) : 0;
    if (n == 14)
        return g_strdup_printf("%.4s-%.2s-%.2s %.2s:%.2s:%.2s", ts, ts + 4, ts + 6, ts + 8,
                               ts + 10, ts + 12);
    if (n == 8)
        return g_strdup_printf("%.4s-%.2s-%.2s", ts, ts + 4, ts + 6);
    return g_strdup(ts ? ts : "");
}

typedef struct {
    int date, host, disk, level, storage, pool, label, filenum, part;
} widths_t;

static void
widen(int *w, gsize len)
{
    if ((int)len > *w)
        *w = (int)len;
}

static widths_t
column_widths(const GPtrArray *results)
{
    widths_t w = { 4, 4, 4, 2, 7, 4, 12, 4, 4 };
    for (guint i = 0; i < results->len; i++) {
        const find_result_t *r = g_ptr_array_index(results, i);
        g_autofree char *date = find_nicedate(r->timestamp);
        g_autofree char *disk = quote_string(r->diskname);
        g_autofree char *label = r->label && *r->label ? quote_string(r->label) : g_strdup("");
        g_autofree char *part = g_strdup_printf("%d/%d", r->partnum, r->totalparts);
        widen(&w.date, strlen(date));
        widen(&w.host, strlen(r->hostname));
        widen(&w.disk, strlen(disk));
        widen(&w.storage, strlen(r->storage));
        widen(&w.pool, strlen(r->pool));
        widen(&w.label, strlen(label));
        widen(&w.part, strlen(part));
    }
    return w;
}

static void
format_row(GString *s, const find_result_t *r, const widths_t *w)
{
    g_autofree char *date = find_nicedate(r->timestamp);
    g_autofree char *disk = quote_string(r->diskname);
    g_autofree char *label = r->label && *r->label ? quote_string(r->label) : g_strdup("");
    g_autofree char *part = g_strdup_printf("%d/%d", r->partnum, r->totalparts);
    const char *ds = r->dump_status ? r->dump_status : "OK";
    g_autofree char *status = (strcmp(r->status, "OK") != 0 || strcmp(ds, "OK") != 0)
        ? g_strdup_printf("%s %s", r->status, ds) : g_strdup(r->status);
    g_string_append_printf(s, "%-*s %-*s %-*s %*d %-*s %-*s %-*s %*" G_GINT64_FORMAT
                           " %*s %s %s\n",
                           w->date, date, w->host, r->hostname, w->disk, disk, w->level,
                           r->level, w->storage, r->storage, w->pool, r->pool, w->label,
                           label, w->filenum, r->filenum, w->part, part, status,
                           r->message ? r->message : "");
}

char *
find_format(const GPtrArray *results)
{
    if (results->len == 0)
        return g_strdup("\nNo dump to list\n");
    widths_t w = column_widths(results);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s,
                           "\ndate%*s host%*s disk%*s lv%*s storage%*s pool%*s "
                           "tape or file%*s file%*s part%*s status\n",
                           w.date - 4, "", w.host - 4, "", w.disk - 4, "", w.level - 2, "",
                           w.storage - 7, "", w.pool - 4, "", w.label - 12, "",
                           w.filenum - 4, "", w.part - 4, "");
    for (guint i = 0; i < results->len; i++)
        format_row(s, g_ptr_array_index(results, i), &w);
    return g_string_free(s, FALSE);
}
