/* planner-estimate: sendsize requests in parallel (see the header). */
#include "planner-estimate.h"

#include <stdio.h>
#include <string.h>
#include "amclient.h"
#include "amutil.h"
#include "debug.h"
#include "event.h"
#include "server-dle.h"

gboolean
plan_parse_size_line(const char *line, char **disk, int *level, gint64 *kb)
{
    g_auto(GStrv) tok = split_quoted_strings(line);
    if (g_strv_length(tok) != 4 || strcmp(tok[2], "SIZE") != 0)
        return FALSE;
    char *end;
    long lv = strtol(tok[1], &end, 10);
    if (*end || lv < 0 || lv > PLAN_MAX_DUMP_LEVEL)
        return FALSE;
    gint64 size = g_ascii_strtoll(tok[3], &end, 10);
    if (*end)
        return FALSE;
    *disk = g_strdup(tok[0]);
    *level = (int)lv;
    *kb = size;
    return TRUE;
}

static gboolean
same_group(const disklist_entry_t *a, const disklist_entry_t *b)
{
    return strcmp(a->host, b->host) == 0 && strcmp(server_dle_auth(a), server_dle_auth(b)) == 0;
}

static char *
index_key(const char *host, const char *disk)
{
    return g_strconcat(host, "\n", disk, NULL);
}

GHashTable *
plan_estimate_index(GPtrArray *ests)
{
    GHashTable *idx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < ests->len; i++) {
        plan_estimate_t *e = g_ptr_array_index(ests, i);
        g_hash_table_insert(idx, index_key(e->entry->host, e->entry->disk), e);
    }
    return idx;
}

/* TRUE when the size changed (so repeated PREP lines are logged once). */
static gboolean
set_size(plan_estimate_t *e, int level, gint64 kb)
{
    gboolean changed = FALSE;
    for (int i = 0; i < e->req.nlevels; i++)
        if (e->req.levels[i] == level && !e->req.server[i]) {
            gint64 v = kb < 0 ? -1 : kb;
            changed |= e->sizes[i] != v;
            e->sizes[i] = v;
        }
    return changed;
}

static void
host_error(GPtrArray *ests, const char *host, const char *msg)
{
    for (guint i = 0; i < ests->len; i++) {
        plan_estimate_t *e = g_ptr_array_index(ests, i);
        if (strcmp(e->entry->host, host) == 0 && e->asked && !e->error)
            e->error = g_strdup(msg);
    }
}

void
plan_apply_reply(GPtrArray *ests, GHashTable *index, const char *host, const char *body,
                 GString *log)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_autofree char *disk = NULL;
        int level;
        gint64 kb;
        if (plan_parse_size_line(*l, &disk, &level, &kb)) {
            g_autofree char *key = index_key(host, disk);
            plan_estimate_t *e = g_hash_table_lookup(index, key);
            if (e && set_size(e, level, kb) && log)
                g_string_append_printf(log, "  %s\n", *l);
        } else if (g_str_has_prefix(*l, "ERROR")) {
            host_error(ests, host, g_strstrip(*l + 5));
        }
    }
}

typedef struct {
    GPtrArray *ests;
    GHashTable *index;
    int pending;
    gint64 start_us;
} est_run_t;

static void
got_estimates(void *arg, amclient_req_t *req, const char *body, gboolean final, const char *error)
{
    est_run_t *run = arg;
    const char *host = amclient_host(req);
    g_autoptr(GString) log = g_string_new(NULL);
    if (body)
        plan_apply_reply(run->ests, run->index, host, body, log);
    if (log->len)
        fprintf(stderr, "planner: time %.3f: got %s result for host %s:\n%s",
                (double)(g_get_monotonic_time() - run->start_us) / 1e6,
                final ? "final" : "partial", host, log->str);
    if (!final)
        return;
    if (error) {
        fprintf(stderr, "planner: estimate request to %s failed: %s\n", host, error);
        host_error(run->ests, host, error);
    }
    run->pending--;
}

/* The request body of HOST's DLEs; *NEST gets the number of levels asked. */
static char *
host_request(const conf_t *conf, GPtrArray *ests, const disklist_entry_t *first,
             const char *timestamp, int *nest)
{
    g_autoptr(GString) body = g_string_new(NULL);
    const char *host = first->host;
    gboolean opts_done = FALSE;
    *nest = 0;
    for (guint i = 0; i < ests->len; i++) {
        plan_estimate_t *e = g_ptr_array_index(ests, i);
        if (!same_group(first, e->entry) || !e->asked)
            continue;
        if (!opts_done) {
            opts_done = TRUE;
            int maxdumps = server_dle_maxdumps(conf, e->entry);
            g_autofree char *opts = amclient_options_line(maxdumps, host, conf_name(conf), timestamp);
            g_string_append_printf(body, "%s\n", opts);
        }
        g_autoptr(dle_t) dle = server_dle_new(conf, e->entry, e->req.levels, e->req.server,
                                              e->req.nlevels);
        g_autofree char *xml = dle_render(dle, FALSE);
        g_string_append(body, xml);
        for (int l = 0; l < e->req.nlevels; l++)
            *nest += !e->req.server[l];
    }
    return g_string_free(g_steal_pointer(&body), FALSE);
}

/* One request per client and auth: the first DLE of each such group. */
static GPtrArray *
groups_to_ask(GPtrArray *ests)
{
    GPtrArray *firsts = g_ptr_array_new();
    for (guint i = 0; i < ests->len; i++) {
        plan_estimate_t *e = g_ptr_array_index(ests, i);
        gboolean client_level = FALSE;
        for (int l = 0; l < e->req.nlevels; l++)
            client_level |= !e->req.server[l];
        e->asked = client_level;
        if (!client_level)
            continue;
        gboolean seen = FALSE;
        for (guint h = 0; h < firsts->len && !seen; h++) {
            const disklist_entry_t *f = g_ptr_array_index(firsts, h);
            seen = same_group(f, e->entry);
        }
        if (!seen)
            g_ptr_array_add(firsts, (gpointer)e->entry);
    }
    return firsts;
}

void
plan_get_estimates(const conf_t *conf, GPtrArray *ests, const char *timestamp)
{
    est_run_t run = { ests, plan_estimate_index(ests), 0, g_get_monotonic_time() };
    g_autoptr(GPtrArray) groups = groups_to_ask(ests);
    g_autoptr(GPtrArray) reqs = g_ptr_array_new_with_free_func((GDestroyNotify)amclient_free);
    gint64 etimeout = conf_get_int(conf, CNF_ETIMEOUT);
    for (guint h = 0; h < groups->len; h++) {
        const disklist_entry_t *first = g_ptr_array_index(groups, h);
        const char *host = first->host;
        int nest = 0;
        g_autofree char *body = host_request(conf, ests, first, timestamp, &nest);
        gint64 timeout = etimeout < 0 ? -etimeout : etimeout * MAX(nest, 1);
        run.pending++;
        g_ptr_array_add(reqs, amclient_request(host, server_dle_auth(first), server_dle_security_conf,
                                               (void *)first, "sendsize", body, (int)timeout,
                                               got_estimates, &run));
    }
    while (run.pending > 0)
        g_main_context_iteration(NULL, TRUE);
    g_hash_table_unref(run.index);
}
