/* amcleanup: close the run of an amdump that crashed or was killed.
 *
 *   amcleanup [-k] [-r] CONFIG
 *
 * When logdir still has the "log" link of an unfinished run: every DLE the
 * planner listed that has neither a dumper result nor a FAIL gets
 * "FAIL driver HOST DISK TS LEVEL [...]", a missing "FINISH driver" line
 * is added, and the link is removed so the next amdump may run.  Holding
 * images stay for amflush; chunks still named ".tmp" (a dump cut short)
 * are listed, and removed with -r.  With -k, the processes still holding
 * the run lock are killed first (the pid in logdir/amdump.lock). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amutil.h"
#include "debug.h"
#include "holding.h"
#include "run-lock.h"
#include "server-util.h"

/* The level the driver's trace scheduled for HOST DISK, or 0. */
static int
scheduled_level(const char *trace, const char *host, const char *qdisk)
{
    g_autofree char *prefix = g_strdup_printf("driver: schedule %s %s ", host, qdisk);
    const char *p = trace ? strstr(trace, prefix) : NULL;
    return p ? atoi(p + strlen(prefix)) : 0;
}

static gboolean
has_result(GPtrArray *entries, const char *host, const char *disk)
{
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        if (!e->has_dump || strcmp(e->host, host) || strcmp(e->disk, disk))
            continue;
        if (e->type == LOGFILE_L_FAIL || (e->program == LOGFILE_P_DUMPER &&
            (e->type == LOGFILE_L_SUCCESS || e->type == LOGFILE_L_STRANGE)))
            return TRUE;
    }
    return FALSE;
}

static void
close_log(const char *logdir, const char *path)
{
    g_autoptr(GPtrArray) entries = logfile_read(path, NULL);
    if (!entries)
        entries = g_ptr_array_new();
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *ts = NULL;
    int seq;
    logfile_name_split(base, &ts, &seq);
    g_autofree char *tname = g_strdup_printf("amdump.%s", ts ? ts : "");
    g_autofree char *tpath = g_build_filename(logdir, tname, NULL);
    g_autofree char *trace = NULL;
    g_file_get_contents(tpath, &trace, NULL, NULL);
    server_log_open(path);
    server_log(LOGFILE_L_INFO, LOGFILE_P_AMCLEANUP, "amcleanup pid %d", (int)getpid());
    gboolean finished = FALSE;
    for (guint i = 0; i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        finished |= e->type == LOGFILE_L_FINISH && e->program == LOGFILE_P_DRIVER;
        if (e->type != LOGFILE_L_DISK || e->program != LOGFILE_P_PLANNER)
            continue;
        g_auto(GStrv) t = split_quoted_strings(e->rest);
        if (!t[0] || !t[1] || has_result(entries, t[0], t[1]))
            continue;
        g_autofree char *qd = quote_string(t[1]);
        server_log(LOGFILE_L_FAIL, LOGFILE_P_DRIVER, "%s %s %s %d [amdump was interrupted; cleaned up by amcleanup]",
                   t[0], qd, ts ? ts : "0", scheduled_level(trace, t[0], qd));
        printf("amcleanup: %s:%s marked failed\n", t[0], t[1]);
    }
    if (!finished)
        server_log(LOGFILE_L_FINISH, LOGFILE_P_DRIVER, "date %s time 0", ts ? ts : "0");
    server_log_close();
    printf("amcleanup: closed %s\n", path);
}

static void
kill_holder(const char *logdir)
{
    g_autofree char *path = g_build_filename(logdir, "amdump.lock", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return;
    const char *p = strstr(text, " pid ");
    int pid = p ? atoi(p + 5) : 0;
    if (pid > 1 && kill(pid, SIGTERM) == 0) {
        printf("amcleanup: sent SIGTERM to process %d\n", pid);
        sleep(2);
    }
}

static void
report_tmp(const conf_t *conf, gboolean remove)
{
    g_autoptr(GPtrArray) secs = conf_holdingdisks(conf);
    g_autoptr(GPtrArray) dirs = g_ptr_array_new();
    for (guint i = 0; i < secs->len; i++)
        g_ptr_array_add(dirs, (char *)conf_value_str(conf_section_get(g_ptr_array_index(secs, i),
                                                                      HOLDING_DIRECTORY)));
    g_ptr_array_add(dirs, NULL);
    g_autoptr(GPtrArray) tmp = holding_list_tmp((const char *const *)dirs->pdata, NULL);
    for (guint i = 0; tmp && i < tmp->len; i++) {
        const char *f = g_ptr_array_index(tmp, i);
        if (remove && unlink(f) == 0)
            printf("amcleanup: removed partial holding file %s\n", f);
        else
            printf("amcleanup: partial holding file %s kept (remove with -r)\n", f);
    }
}

int
main(int argc, char **argv)
{
    g_set_prgname("amcleanup");
    debug_open("server");
    gboolean killp = FALSE, remove = FALSE;
    GOptionEntry opts[] = {
        { "kill", 'k', 0, G_OPTION_ARG_NONE, &killp, "kill the processes of the run", NULL },
        { "remove-tmp", 'r', 0, G_OPTION_ARG_NONE, &remove, "remove partial holding files", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
        fprintf(stderr, "usage: amcleanup [-k] [-r] CONFIG\n");
        return 1;
    }
    g_autoptr(conf_t) conf = server_load_config(argv[1], NULL);
    g_autofree char *logdir = server_conf_path(conf, CNF_LOGDIR);
    if (killp && logdir)
        kill_holder(logdir);
    run_lock_t *lock = logdir ? run_lock_take_any(logdir, "amcleanup", &err) : NULL;
    if (!lock) {
        fprintf(stderr, "amcleanup: %s\n", err ? err->message : "logdir is not set");
        return 1;
    }
    g_autofree char *cur = g_build_filename(logdir, "log", NULL);
    g_autofree char *target = g_file_read_link(cur, NULL);
    if (target) {
        g_autofree char *path = g_path_is_absolute(target) ? g_strdup(target)
                                                           : g_build_filename(logdir, target, NULL);
        close_log(logdir, path);
        unlink(cur);
    } else {
        printf("amcleanup: no unfinished run of %s\n", argv[1]);
    }
    report_tmp(conf, remove);
    run_lock_release(lock);
    debug_close();
    return 0;
}
