/* amdump: the nightly backup of one configuration.
 *
 *   amdump CONFIG [-o NAME=VALUE]... [HOST [DISK...]]...
 *
 * Takes the configuration's run lock (a second amdump or amflush of the
 * same config is refused), creates the run log log.<ts>.<n> (with the
 * "log" link that marks a run in progress) and the trace amdump.<ts>
 * (amdump.1 points at it; amstatus reads it), runs "planner | driver",
 * closes the run, and runs amreport when it is installed (mail only when
 * a mailer and mailto are configured, else the report goes to
 * logdir/amreport.<ts>).  Exit status: 0 all good, 1 amdump could not
 * run, else the sum of 2 (a dump failed), 4 (strange dumps), 8 (volume
 * trouble). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "amanda_paths.h"
#include "amutil.h"
#include "debug.h"
#include "run-lock.h"
#include "server-util.h"
#include "dumpuser.h"

/* "PROG CONFIG --timestamp TS --log LOG [-o NAME=VALUE]... [WORDS...]",
 * PROG from the libexec directory. */
static GPtrArray *
program_argv(const char *prog, const char *config, const char *ts, const char *logpath,
             char **overrides, char **words, int nwords)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_build_filename(amanda_libexec_dir(), prog, NULL));
    const char *fixed[] = { config, "--timestamp", ts, "--log", logpath, NULL };
    for (int i = 0; fixed[i]; i++)
        g_ptr_array_add(argv, g_strdup(fixed[i]));
    for (int i = 0; overrides && overrides[i]; i++) {
        g_ptr_array_add(argv, g_strdup("-o"));
        g_ptr_array_add(argv, g_strdup(overrides[i]));
    }
    for (int i = 0; i < nwords; i++)
        g_ptr_array_add(argv, g_strdup(words[i]));
    g_ptr_array_add(argv, NULL);
    return argv;
}

static int
spawn_pipeline(char **planner_argv, char **driver_argv, int trace_fd)
{
    GPid ppid, dpid;
    int pipe_fd = -1;
    g_autoptr(GError) err = NULL;
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)planner_argv, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, -1, trace_fd,
                                          NULL, NULL, 0, &ppid, NULL, &pipe_fd, NULL, &err)) {
        fprintf(stderr, "amdump: cannot run the planner: %s\n", err->message);
        return -1;
    }
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)driver_argv, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, pipe_fd, trace_fd,
                                          trace_fd, NULL, NULL, 0, &dpid, NULL, NULL, NULL, &err)) {
        fprintf(stderr, "amdump: cannot run the driver: %s\n", err->message);
        close(pipe_fd);
        kill(ppid, SIGTERM);
        waitpid(ppid, NULL, 0);
        return -1;
    }
    close(pipe_fd);
    int ps = 0, ds = 0;
    waitpid(ppid, &ps, 0);
    waitpid(dpid, &ds, 0);
    if (!WIFEXITED(ps) || WEXITSTATUS(ps) != 0)
        fprintf(stderr, "amdump: the planner failed (status %d); see the trace file\n", ps);
    if (!WIFEXITED(ds) || WEXITSTATUS(ds) != 0)
        fprintf(stderr, "amdump: the driver failed (status %d); see the trace file\n", ds);
    return (WIFEXITED(ps) && WEXITSTATUS(ps) == 0 && WIFEXITED(ds) && WEXITSTATUS(ds) == 0) ? 0 : -1;
}

/* 2 for failed dumps, 4 for strange ones, 8 for volume errors. */
static int
status_from_log(const char *path)
{
    g_autoptr(GPtrArray) entries = logfile_read(path, NULL);
    int st = 0;
    for (guint i = 0; entries && i < entries->len; i++) {
        const logfile_entry_t *e = g_ptr_array_index(entries, i);
        if (e->type == LOGFILE_L_FAIL)
            st |= 2;
        else if (e->type == LOGFILE_L_STRANGE)
            st |= 4;
        else if (e->type == LOGFILE_L_ERROR && e->program == LOGFILE_P_TAPER)
            st |= 8;
    }
    return st;
}

static void
run_amreport(const conf_t *conf, const char *config, const char *logpath, const char *logdir,
             const char *ts)
{
    g_autofree char *prog = g_build_filename(amanda_sbin_dir(), "amreport", NULL);
    if (!g_file_test(prog, G_FILE_TEST_IS_EXECUTABLE))
        return;
    const char *mailer = conf_get_str(conf, CNF_MAILER);
    const char *mailto = conf_get_str(conf, CNF_MAILTO);
    g_autofree char *logarg = g_strdup_printf("--log=%s", logpath);
    g_autofree char *text = g_strdup_printf("--text=%s/amreport.%s", logdir, ts);
    char *mail_argv[] = { prog, (char *)config, "-l", (char *)logpath, NULL };
    char *text_argv[] = { prog, (char *)config, logarg, text, NULL };
    gboolean mail = mailer && *mailer && mailto && *mailto;
    g_spawn_sync(NULL, mail ? mail_argv : text_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL,
                 NULL, NULL, NULL);
}

/* A run timestamp no earlier run used: dumps are named by it (holding
 * files, index files, headers), so two runs in one second would collide. */
static void
unique_timestamp(const char *logdir, char ts[15])
{
    for (;;) {
        amanda_timestamp(time(NULL), ts);
        g_autofree char *name = g_strdup_printf("log.%s.0", ts);
        g_autofree char *path = g_build_filename(logdir, name, NULL);
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
            return;
        g_usleep(200000);
    }
}

static int
open_trace(const char *logdir, const char *ts)
{
    g_autofree char *name = g_strdup_printf("amdump.%s", ts);
    g_autofree char *path = g_build_filename(logdir, name, NULL);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    g_autofree char *link = g_build_filename(logdir, "amdump.1", NULL);
    g_autofree char *tmp = g_strdup_printf("%s.tmp", link);
    unlink(tmp);
    if (symlink(name, tmp) == 0)
        rename(tmp, link);
    return fd;
}

static void
trace_header(int fd, const char *ts)
{
    time_t now = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%a %b %e %H:%M:%S %Z %Y", localtime(&now));
    g_autofree char *h = g_strdup_printf("amdump: start at %s\namdump: datestamp %.8s\n"
                                         "amdump: starttime %s\n", when, ts, ts);
    full_write(fd, h, strlen(h));
}

int
main(int argc, char **argv)
{
    g_set_prgname("amdump");
    debug_open("server");
    g_auto(GStrv) overrides = NULL;
    GOptionEntry opts[] = {
        { "override", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "config override", "NAME=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG [HOST [DISK...]]...");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc < 2) {
        fprintf(stderr, "usage: amdump CONFIG [-o NAME=VALUE] [HOST [DISK...]]...\n");
        return 1;
    }
    const char *config = argv[1];
    g_autoptr(conf_t) conf = server_load_config(config, overrides);
    dumpuser_require(conf, "amdump");
    g_autofree char *logdir = server_conf_path(conf, CNF_LOGDIR);
    if (!logdir || !mkdir_p(logdir, 0700, &err)) {
        fprintf(stderr, "amdump: logdir of \"%s\" is not usable: %s\n", config,
                err ? err->message : "logdir not set");
        return 1;
    }
    run_lock_t *lock = run_lock_take(logdir, "amdump", &err);
    if (!lock) {
        fprintf(stderr, "amdump: %s\n", err->message);
        return 1;
    }
    char ts[15];
    unique_timestamp(logdir, ts);
    g_autofree char *logpath = logfile_create_new(logdir, ts, &err);
    if (!logpath) {
        fprintf(stderr, "amdump: %s\n", err->message);
        run_lock_release(lock);
        return 1;
    }
    g_autofree char *logname = g_path_get_basename(logpath);
    logfile_link_current(logdir, logname, NULL);
    int trace = open_trace(logdir, ts);
    trace_header(trace, ts);
    server_log_open(logpath);
    server_log(LOGFILE_L_INFO, LOGFILE_P_AMDUMP, "amdump pid %d", (int)getpid());

    g_autoptr(GPtrArray) pargv = program_argv("planner", config, ts, logpath, overrides,
                                              argv + 2, argc - 2);
    g_autoptr(GPtrArray) dargv = program_argv("driver", config, ts, logpath, overrides, NULL, 0);
    int rc = spawn_pipeline((char **)pargv->pdata, (char **)dargv->pdata, trace);

    server_log(LOGFILE_L_INFO, LOGFILE_P_AMDUMP, "pid-done %d", (int)getpid());
    server_log_close();
    /* a crashed driver leaves the run open for amcleanup to close */
    g_autofree char *cur = g_build_filename(logdir, "log", NULL);
    if (rc == 0)
        unlink(cur);
    else
        fprintf(stderr, "amdump: the run did not finish; run \"amcleanup %s\" before the next amdump\n",
                config);
    full_write(trace, "amdump: end\n", 12);
    close(trace);
    run_lock_release(lock);
    run_amreport(conf, config, logpath, logdir, ts);
    debug_close();
    return rc < 0 ? 1 : status_from_log(logpath);
}
