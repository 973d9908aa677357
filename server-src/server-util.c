/* server-util: config, disklist, run log helpers (see the header). */
#include "server-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "debug.h"

static logfile_t *run_log;

static void
print_list(const GPtrArray *list, const char *prefix)
{
    for (guint i = 0; list && i < list->len; i++)
        fprintf(stderr, "%s%s\n", prefix, (const char *)g_ptr_array_index(list, i));
}

conf_t *
server_load_config(const char *name, char **overrides)
{
    conf_t *conf = conf_load(name, NULL, 0, overrides);
    const GPtrArray *errs = conf_errors(conf);
    print_list(conf_warnings(conf), "warning: ");
    if (errs && errs->len > 0) {
        print_list(errs, "");
        fprintf(stderr, "%s: configuration \"%s\" has errors; fix them and run again\n",
                debug_program_name(), name);
        exit(1);
    }
    return conf;
}

disklist_t *
server_load_disklist(conf_t *conf)
{
    disklist_t *dl = disklist_load(conf, NULL);
    const GPtrArray *errs = disklist_errors(dl);
    print_list(disklist_warnings(dl), "warning: ");
    if (errs && errs->len > 0) {
        print_list(errs, "");
        fprintf(stderr, "%s: the disklist has errors; fix them and run again\n",
                debug_program_name());
        exit(1);
    }
    return dl;
}

char *
server_conf_path(const conf_t *conf, conf_param_t id)
{
    const char *v = conf_get_str(conf, id);
    if (!v || !*v)
        return NULL;
    if (g_path_is_absolute(v))
        return g_strdup(v);
    return g_build_filename(conf_dir(conf), v, NULL);
}

static gboolean
glob_match(const char *pattern, const char *s)
{
    g_autofree char *p = g_ascii_strdown(pattern, -1);
    g_autofree char *l = g_ascii_strdown(s, -1);
    return g_pattern_match_simple(p, l);
}

static gboolean
names_a_host(const disklist_t *dl, const char *word)
{
    const GPtrArray *e = disklist_entries(dl);
    for (guint i = 0; i < e->len; i++)
        if (glob_match(word, ((disklist_entry_t *)g_ptr_array_index(e, i))->host))
            return TRUE;
    return FALSE;
}

gboolean
server_dle_selected(char **words, int nwords, const disklist_t *dl, const char *host,
                    const char *disk)
{
    if (nwords <= 0)
        return TRUE;
    for (int i = 0; i < nwords;) {
        if (!names_a_host(dl, words[i])) {
            i++;
            continue;
        }
        gboolean host_ok = glob_match(words[i], host);
        int j = i + 1;
        gboolean any_disk = FALSE, disk_ok = FALSE;
        for (; j < nwords && !names_a_host(dl, words[j]); j++) {
            any_disk = TRUE;
            disk_ok |= strcmp(words[j], disk) == 0 || g_pattern_match_simple(words[j], disk);
        }
        if (host_ok && (!any_disk || disk_ok))
            return TRUE;
        i = j;
    }
    return FALSE;
}

void
server_log_open(const char *path)
{
    g_autoptr(GError) err = NULL;
    if (!path)
        return;
    run_log = logfile_open(path, &err);
    if (!run_log)
        fprintf(stderr, "%s: cannot open the run log: %s\n", debug_program_name(), err->message);
}

void
server_log(logfile_type_t type, logfile_program_t prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (run_log) {
        g_autoptr(GError) err = NULL;
        if (!logfile_add_v(run_log, type, prog, &err, fmt, ap))
            dbprintf("run log write failed: %s\n", err->message);
    }
    va_end(ap);
}

void
server_log_close(void)
{
    if (run_log)
        logfile_close(run_log);
    run_log = NULL;
}

double
server_elapsed(gint64 start_us)
{
    return (double)(g_get_monotonic_time() - start_us) / 1e6;
}
