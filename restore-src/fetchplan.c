/* fetchplan: group catalogue parts into dumps (see fetchplan.h). */
#include "fetchplan.h"

#include <string.h>

#include "amutil.h"

G_DEFINE_QUARK(fetchplan-error-quark, fetchplan_error)

void
fetch_dump_free(fetch_dump_t *d)
{
    if (!d)
        return;
    g_free(d->host);
    g_free(d->disk);
    g_free(d->datestamp);
    g_free(d->dump_status);
    g_free(d->message);
    g_ptr_array_unref(d->parts);
    g_free(d);
}

static char *
dump_key(const find_result_t *r)
{
    return g_strdup_printf("%s\n%s\n%s\n%d", r->hostname, r->diskname, r->timestamp, r->level);
}

static fetch_dump_t *
new_dump(const find_result_t *r)
{
    fetch_dump_t *d = g_new0(fetch_dump_t, 1);
    d->host = g_strdup(r->hostname);
    d->disk = g_strdup(r->diskname);
    d->datestamp = g_strdup(r->timestamp);
    d->level = r->level;
    d->dump_status = g_strdup(r->dump_status ? r->dump_status : "OK");
    d->message = g_strdup(r->message ? r->message : "");
    d->parts = g_ptr_array_new();
    return d;
}

/* Keep one copy per part number, preferring a complete (OK) one. */
static void
add_part(fetch_dump_t *d, find_result_t *r)
{
    if (r->partnum < 1)
        return;
    guint idx = (guint)r->partnum - 1;
    if (d->parts->len <= idx)
        g_ptr_array_set_size(d->parts, idx + 1);
    find_result_t *have = d->parts->pdata[idx];
    if (!have || (g_strcmp0(have->status, "OK") != 0 && g_strcmp0(r->status, "OK") == 0))
        d->parts->pdata[idx] = r;
    if (r->totalparts > d->nparts)
        d->nparts = r->totalparts;
    /* a dump is as good as its best copy */
    if (g_strcmp0(r->dump_status, "OK") == 0 && g_strcmp0(d->dump_status, "OK") != 0) {
        g_free(d->dump_status);
        d->dump_status = g_strdup("OK");
    }
}

static void
note_skipped(GString *skipped, const fetch_dump_t *d)
{
    if (!skipped)
        return;
    g_autofree char *what = fetchplan_describe(d);
    g_string_append_printf(skipped, "%s: the dump is %s%s%s\n", what, d->dump_status,
                           d->message && *d->message ? ": " : "",
                           d->message ? d->message : "");
}

GPtrArray *
fetchplan_build(const GPtrArray *results, const GPtrArray *specs, GString *skipped)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)fetch_dump_free);
    g_autoptr(GHashTable) by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; results && i < results->len; i++) {
        find_result_t *r = results->pdata[i];
        if (!dumpspec_list_match(specs, r->hostname, r->diskname, r->timestamp, r->level))
            continue;
        char *key = dump_key(r);
        fetch_dump_t *d = g_hash_table_lookup(by_key, key);
        if (!d) {
            d = new_dump(r);
            g_ptr_array_add(all, d);
            g_hash_table_insert(by_key, key, d);
        } else {
            g_free(key);
        }
        add_part(d, r);
    }
    GPtrArray *ok = g_ptr_array_new_with_free_func((GDestroyNotify)fetch_dump_free);
    for (guint i = 0; i < all->len; i++) {
        fetch_dump_t *d = all->pdata[i];
        if (d->nparts <= 0)
            d->nparts = (int)d->parts->len;
        if (g_strcmp0(d->dump_status, "OK") == 0)
            g_ptr_array_add(ok, g_steal_pointer(&all->pdata[i]));
        else
            note_skipped(skipped, d);
    }
    g_ptr_array_unref(all);
    return ok;
}

gboolean
fetchplan_check(const fetch_dump_t *d, GError **error)
{
    int n = MAX(d->nparts, (int)d->parts->len);
    for (int k = 1; k <= n; k++) {
        if ((guint)k > d->parts->len || !d->parts->pdata[k - 1]) {
            g_autofree char *what = fetchplan_describe(d);
            g_set_error(error, FETCHPLAN_ERROR, FETCHPLAN_ERROR_MISSING_PART,
                        "%s: part %d of %d is not in the catalogue (its volume was "
                        "overwritten or removed from the tapelist); cannot restore the "
                        "whole image", what, k, n);
            return FALSE;
        }
    }
    return TRUE;
}

GPtrArray *
fetchplan_volumes(const GPtrArray *dumps)
{
    GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < dumps->len; i++) {
        const fetch_dump_t *d = dumps->pdata[i];
        for (guint k = 0; k < d->parts->len; k++) {
            const find_result_t *r = d->parts->pdata[k];
            if (!r || !r->label)
                continue;
            gboolean seen = FALSE;
            for (guint j = 0; j < labels->len && !seen; j++)
                seen = strcmp(labels->pdata[j], r->label) == 0;
            if (!seen)
                g_ptr_array_add(labels, g_strdup(r->label));
        }
    }
    return labels;
}

char *
fetchplan_describe(const fetch_dump_t *d)
{
    g_autofree char *disk = quote_string(d->disk ? d->disk : "");
    return g_strdup_printf("%s:%s %s level %d", d->host, disk, d->datestamp, d->level);
}
