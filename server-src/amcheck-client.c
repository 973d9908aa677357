/* amcheck-client: the "Amanda Backup Client Hosts Check" part of amcheck.
 *
 * One selfcheck request per host (all its DLEs in the request, in the
 * <dle> form the planner sends, over the DLE's auth), all hosts in
 * parallel, each bounded by ctimeout.  Every "ERROR" line of a reply and
 * every host that cannot be reached counts as a problem. */
#include "config.h"

#include <string.h>

#include "amcheck.h"
#include "amclient.h"
#include "debug.h"
#include "disklist.h"
#include "server-dle.h"
#include "selfcheck-reply.h"
#include "server-util.h"

typedef struct {
    amcheck_part_t *part;
    int pending;
    GHashTable *replies;  /* host -> GString of its lines (for stable order) */
} client_run_t;

static void
free_gstring(gpointer s)
{
    g_string_free(s, TRUE);
}

typedef struct {
    const char *host;
    GString *lines;
    int *problems;
} reply_ctx_t;

static void
on_message(const char *severity, const char *message, void *arg)
{
    reply_ctx_t *c = arg;
    if (strcmp(severity, "error") == 0 || strcmp(severity, "critical") == 0) {
        g_string_append_printf(c->lines, "HOST %s ERROR: %s\n", c->host, message);
        (*c->problems)++;
    } else if (strcmp(severity, "warning") == 0) {
        g_string_append_printf(c->lines, "HOST %s WARNING: %s\n", c->host, message);
    }
}

static void
got_reply(void *arg, amclient_req_t *req, const char *body, gboolean final, const char *error)
{
    client_run_t *run = arg;
    if (!final)
        return; /* the REP repeats what PREPs said */
    const char *host = amclient_host(req);
    GString *lines = g_hash_table_lookup(run->replies, host);
    if (error) {
        g_string_append_printf(lines, "WARNING: %s: selfcheck request failed: %s\n", host,
                               error);
        run->part->problems++;
    }
    dbprintf("amcheck: selfcheck reply of %s:\n%s\n", host, body ? body : "(none)");
    reply_ctx_t c = { host, lines, &run->part->problems };
    selfcheck_reply_parse(body, on_message, &c);
    dbprintf("amcheck: %s answered selfcheck%s%s\n", host, error ? ": " : "",
             error ? error : "");
    run->pending--;
}

static char *
host_body(const conf_t *conf, const GPtrArray *dles, const char *host,
          const disklist_entry_t **first)
{
    GString *body = g_string_new(NULL);
    for (guint i = 0; i < dles->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(dles, i);
        if (strcmp(d->host, host) != 0)
            continue;
        if (!*first) {
            *first = d;
            g_autofree char *opts = amclient_options_line(server_dle_maxdumps(conf, d), host,
                                                          conf_name(conf), NULL);
            g_string_append_printf(body, "%s\n", opts);
        }
        g_autoptr(dle_t) dle = server_dle_new(conf, d, NULL, NULL, 0);
        g_autofree char *xml = dle_render(dle, FALSE);
        g_string_append(body, xml);
    }
    return g_string_free(body, FALSE);
}

/* The selected DLEs and their hosts in disklist order. */
static GPtrArray *
selected_dles(const disklist_t *dl, char **words, int nwords, GPtrArray *hosts)
{
    GPtrArray *out = g_ptr_array_new();
    const GPtrArray *all = disklist_entries(dl);
    for (guint i = 0; i < all->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(all, i);
        if (!server_dle_selected(words, nwords, dl, d->host, d->disk))
            continue;
        g_ptr_array_add(out, (gpointer)d);
        if (!g_ptr_array_find_with_equal_func(hosts, d->host, g_str_equal, NULL))
            g_ptr_array_add(hosts, d->host);
    }
    return out;
}

void
amcheck_clients(conf_t *conf, char **words, int nwords, amcheck_part_t *part)
{
    gint64 start = g_get_monotonic_time();
    g_string_append(part->out, "Amanda Backup Client Hosts Check\n"
                               "--------------------------------\n");
    g_autoptr(disklist_t) dl = disklist_load(conf, NULL);
    const GPtrArray *derr = disklist_errors(dl);
    for (guint i = 0; i < derr->len; i++) {
        g_string_append_printf(part->out, "ERROR: %s\n", (char *)g_ptr_array_index(derr, i));
        part->problems++;
    }
    g_autoptr(GPtrArray) hosts = g_ptr_array_new();
    g_autoptr(GPtrArray) dles = derr->len ? g_ptr_array_new()
                                          : selected_dles(dl, words, nwords, hosts);
    client_run_t run = { part, 0, g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                        free_gstring) };
    g_autoptr(GPtrArray) reqs = g_ptr_array_new_with_free_func((GDestroyNotify)amclient_free);
    int timeout = (int)conf_get_int(conf, CNF_CTIMEOUT);
    for (guint h = 0; h < hosts->len; h++) {
        const char *host = g_ptr_array_index(hosts, h);
        const disklist_entry_t *first = NULL;
        g_autofree char *body = host_body(conf, dles, host, &first);
        g_hash_table_insert(run.replies, (gpointer)host, g_string_new(NULL));
        run.pending++;
        g_ptr_array_add(reqs, amclient_request(host, server_dle_auth(first),
                                               server_dle_security_conf, (void *)first,
                                               "selfcheck", body, timeout > 0 ? timeout : 30,
                                               got_reply, &run));
    }
    while (run.pending > 0)
        g_main_context_iteration(NULL, TRUE);
    for (guint h = 0; h < hosts->len; h++) {
        GString *lines = g_hash_table_lookup(run.replies, g_ptr_array_index(hosts, h));
        g_string_append(part->out, lines->str);
    }
    g_hash_table_unref(run.replies);
    double secs = (double)(g_get_monotonic_time() - start) / 1e6;
    g_string_append_printf(part->out,
                           "Client check: %u host%s checked in %.3f seconds.  %d problem%s "
                           "found.\n", hosts->len, hosts->len == 1 ? "" : "s", secs,
                           part->problems, part->problems == 1 ? "" : "s");
}
