/* amflush: write the dumps left on the holding disks (degraded mode,
 * failed volumes) to volumes.
 *
 *   amflush [-b] [-f] [-D DATESTAMP]... CONFIG [HOST [DISK...]]...
 *
 * Takes the configuration's run lock like amdump, writes a run log
 * log.<ts>.<n> (START/FINISH driver, the taper's PART/DONE lines), runs
 * the taper and feeds it every complete holding image (oldest run first,
 * or only the runs named by -D), updates curinfo with the volume and
 * file number, and deletes each image once it is on a volume.  Never
 * asks questions: -b (batch) and -f (foreground) are accepted for
 * AMANDA compatibility. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amanda_paths.h"
#include "amutil.h"
#include "curinfo.h"
#include "debug.h"
#include "holding.h"
#include "run-lock.h"
#include "server-util.h"
#include "dumpuser.h"

typedef struct {
    GPid pid;
    FILE *to, *from;
} taper_proc_t;

static gboolean
taper_start(taper_proc_t *t, const char *config, const char *ts, const char *logpath,
            char **overrides)
{
    g_autofree char *path = g_build_filename(amanda_libexec_dir(), "taper", NULL);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *fixed[] = { path, config, "--timestamp", ts, "--log", logpath, NULL };
    for (int i = 0; fixed[i]; i++)
        g_ptr_array_add(argv, (char *)fixed[i]);
    for (int i = 0; overrides && overrides[i]; i++) {
        g_ptr_array_add(argv, "-o");
        g_ptr_array_add(argv, overrides[i]);
    }
    g_ptr_array_add(argv, NULL);
    int in_fd, out_fd;
    g_autoptr(GError) err = NULL;
    if (!g_spawn_async_with_pipes(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                  NULL, &t->pid, &in_fd, &out_fd, NULL, &err)) {
        fprintf(stderr, "amflush: cannot run the taper: %s\n", err->message);
        return FALSE;
    }
    t->to = fdopen(in_fd, "w");
    t->from = fdopen(out_fd, "r");
    return TRUE;
}

static char *
taper_call(taper_proc_t *t, const char *cmd)
{
    char line[65536];
    fprintf(t->to, "%s\n", cmd);
    fflush(t->to);
    if (!fgets(line, sizeof line, t->from))
        return NULL;
    return g_strdup(g_strchomp(line));
}

static void
taper_stop(taper_proc_t *t)
{
    fprintf(t->to, "QUIT\n");
    fclose(t->to);
    fclose(t->from);
    waitpid(t->pid, NULL, 0);
}

static gboolean
set_tape(curinfo_t *info, gpointer data, GError **error)
{
    char **t = data;  /* level, filenum, label */
    (void)error;
    curinfo_set_tape(info, atoi(t[0]), g_ascii_strtoll(t[1], NULL, 10), t[2]);
    return TRUE;
}

/* Flush one image; FALSE when the taper has no volume left. */
static gboolean
flush_one(taper_proc_t *tp, const holding_file_t *f, const char *infodir)
{
    g_autofree char *qf = quote_string(f->path);
    g_autofree char *handle = g_strdup_printf("%s:%s:%d", f->host, f->disk, f->level);
    g_autofree char *qh = quote_string(handle);
    g_autofree char *cmd = g_strdup_printf("FILE-WRITE %s %s %" G_GUINT64_FORMAT, qh, qf, f->kb);
    g_autofree char *reply = taper_call(tp, cmd);
    g_auto(GStrv) t = split_quoted_strings(reply ? reply : "");
    if (t[0] && strcmp(t[0], "DONE") == 0 && g_strv_length(t) >= 4) {
        g_autofree char *lv = g_strdup_printf("%d", f->level);
        char *info[] = { lv, t[3], t[2] };
        curinfo_update(infodir, f->host, f->disk, set_tape, info, NULL);
        holding_delete(f->path, NULL);
        printf("amflush: %s:%s level %d (%s) written to %s\n", f->host, f->disk, f->level,
               f->datestamp, t[2]);
        return TRUE;
    }
    printf("amflush: %s:%s level %d not flushed: %s\n", f->host, f->disk, f->level,
           reply ? reply : "the taper exited");
    return !(t[0] && (strcmp(t[0], "NO-VOLUME") == 0 || strcmp(t[0], "PARTIAL") == 0));
}

static GPtrArray *
holding_dirs(const conf_t *conf)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) secs = conf_holdingdisks(conf);
    for (guint i = 0; i < secs->len; i++)
        g_ptr_array_add(dirs, g_strdup(conf_value_str(conf_section_get(g_ptr_array_index(secs, i),
                                                                       HOLDING_DIRECTORY))));
    g_ptr_array_add(dirs, NULL);
    return dirs;
}

static gboolean
wanted(const holding_file_t *f, char **dates, char **words, int nwords, const disklist_t *dl)
{
    if (f->partial)
        return FALSE;  /* a dump that did not finish restores nothing whole */
    if (dates && dates[0] && !g_strv_contains((const char *const *)dates, f->run_dir) &&
        !g_strv_contains((const char *const *)dates, f->datestamp))
        return FALSE;
    return server_dle_selected(words, nwords, dl, f->host, f->disk);
}

static int
flush_all(conf_t *conf, const char *config, GPtrArray *files, const char *logpath, const char *ts,
          char **overrides)
{
    g_autofree char *infodir = server_conf_path(conf, CNF_INFOFILE);
    taper_proc_t tp;
    if (!taper_start(&tp, config, ts, logpath, overrides))
        return 1;
    int failed = 0;
    for (guint i = 0; i < files->len; i++)
        if (!flush_one(&tp, g_ptr_array_index(files, i), infodir)) {
            failed += (int)(files->len - i);
            break;
        }
    taper_stop(&tp);
    return failed ? 1 : 0;
}

int
main(int argc, char **argv)
{
    g_set_prgname("amflush");
    debug_open("server");
    gboolean batch = FALSE, fg = FALSE, sure = FALSE;
    g_auto(GStrv) dates = NULL, overrides = NULL;
    GOptionEntry opts[] = {
        { "batch", 'b', 0, G_OPTION_ARG_NONE, &batch, "no questions (always)", NULL },
        { "foreground", 'f', 0, G_OPTION_ARG_NONE, &fg, "stay in the foreground (always)", NULL },
        { "yes", 's', 0, G_OPTION_ARG_NONE, &sure, "no confirmation (always)", NULL },
        { "datestamp", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &dates, "flush only this run", "TS" },
        { "override", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "config override", "NAME=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG [HOST [DISK...]]...");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc < 2) {
        fprintf(stderr, "usage: amflush [-b] [-f] [-D DATESTAMP]... CONFIG [HOST [DISK...]]...\n");
        return 1;
    }
    const char *config = argv[1];
    conf_t *conf = server_load_config(config, overrides);
    dumpuser_require(conf, "amflush");
    g_autoptr(disklist_t) dl = server_load_disklist(conf);
    g_autofree char *logdir = server_conf_path(conf, CNF_LOGDIR);
    if (!logdir || !mkdir_p(logdir, 0700, NULL)) {
        fprintf(stderr, "amflush: logdir of \"%s\" is not usable\n", config);
        return 1;
    }
    run_lock_t *lock = run_lock_take(logdir, "amflush", &err);
    if (!lock) {
        fprintf(stderr, "amflush: %s\n", err->message);
        return 1;
    }
    g_autoptr(GPtrArray) dirs = holding_dirs(conf);
    g_autoptr(GPtrArray) all = holding_list((const char *const *)dirs->pdata, NULL);
    g_autoptr(GPtrArray) files = g_ptr_array_new();
    for (guint i = 0; all && i < all->len; i++)
        if (wanted(g_ptr_array_index(all, i), dates, argv + 2, argc - 2, dl))
            g_ptr_array_add(files, g_ptr_array_index(all, i));
    if (files->len == 0) {
        printf("amflush: nothing to flush on the holding disks of %s\n", config);
        run_lock_release(lock);
        return 0;
    }
    char ts[15];
    amanda_timestamp(time(NULL), ts);
    g_autofree char *logpath = logfile_create_new(logdir, ts, &err);
    int rc = 1;
    if (logpath) {
        server_log_open(logpath);
        server_log(LOGFILE_L_INFO, LOGFILE_P_AMFLUSH, "amflush pid %d", (int)getpid());
        server_log(LOGFILE_L_START, LOGFILE_P_DRIVER, "date %s", ts);
        gint64 start = g_get_monotonic_time();
        rc = flush_all(conf, config, files, logpath, ts, overrides);
        server_log(LOGFILE_L_FINISH, LOGFILE_P_DRIVER, "date %s time %.3f", ts, server_elapsed(start));
        server_log(LOGFILE_L_INFO, LOGFILE_P_AMFLUSH, "pid-done %d", (int)getpid());
        server_log_close();
    } else {
        fprintf(stderr, "amflush: %s\n", err->message);
    }
    run_lock_release(lock);
    g_clear_pointer(&dl, disklist_free);
    conf_free(conf);
    debug_close();
    return rc;
}
