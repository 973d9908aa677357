/* sendsize: size estimates for the planner.  One request lists every DLE of
 * the host with the levels wanted; we answer "<disk> <level> SIZE <KiB>"
 * lines (or "<disk> <level> ERROR <msg>").  Levels marked
 * <server>YES</server> are the server's business and skipped.  DLEs are
 * estimated in child processes, up to `maxdumps` at a time, and each DLE's
 * lines are written as soon as it is done so that amandad can send them in
 * a PREP packet while the others still run. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amutil.h"
#include "client-util.h"
#include "debug.h"
#include "sendsize-calc.h"

typedef struct {
    const dle_t *dle;
    GArray *levels;        /* int: the levels we estimate */
    pid_t pid;
    int fd;
    GString *out;
} job_t;

/* ------------------------------------------------------------ one DLE */

static void all_levels_error(GString *out, const dle_t *dle, const GArray *levels,
                             const char *msg)
{
    for (guint i = 0; i < levels->len; i++) {
        g_autofree char *l = client_size_error_line(dle->disk, g_array_index(levels, int, i), msg);
        g_string_append(out, l);
    }
}

static void all_levels_size(GString *out, const dle_t *dle, const GArray *levels, gint64 kib)
{
    for (guint i = 0; i < levels->len; i++) {
        g_autofree char *l = client_size_line(dle->disk, g_array_index(levels, int, i), kib);
        g_string_append(out, l);
    }
}

/* Run the application's estimate for LEVELS (with --calcsize when CALCSIZE)
 * and store KiB per level in SIZES (level -> gint64).  FALSE with ERROR. */
static gboolean app_estimate(const char *app, const dle_t *dle, const client_options_t *opts,
                             const GArray *levels, gboolean calcsize, GHashTable *sizes,
                             GError **error)
{
    g_autoptr(GPtrArray) argv = client_app_argv(app, "estimate", dle, opts, levels, error);
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;

    if (!argv)
        return FALSE;
    if (calcsize)
        g_ptr_array_add(argv, g_strdup("--calcsize"));
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                      &status, error))
        return FALSE;
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        int lv;
        gint64 kib;
        if (g_str_has_prefix(lines[i], "ERROR")) {
            g_set_error(error, CLIENT_ERROR, 1, "%s", g_strstrip(lines[i] + 5));
            return FALSE;
        }
        if (client_parse_estimate_line(lines[i], &lv, &kib)) {
            g_hash_table_replace(sizes, GINT_TO_POINTER(lv), g_memdup2(&kib, sizeof kib));
            debug_printf("estimate size for %s level %d: %" G_GINT64_FORMAT " KB", dle->disk,
                         lv, kib);
        } else if (*lines[i]) {
            debug_printf("estimate output ignored: %s", lines[i]);
        }
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, CLIENT_ERROR, 1, "%s estimate failed: %s", dle->plugin,
                    err && *err ? g_strstrip(err) : "non-zero exit status");
        return FALSE;
    }
    return TRUE;
}

/* One estimate call per level unless the application takes several. */
static gboolean app_estimate_levels(const char *app, const client_support_t *sup,
                                    const dle_t *dle, const client_options_t *opts,
                                    const GArray *levels, gboolean calcsize, GString *out,
                                    GError **error)
{
    g_autoptr(GHashTable) sizes = g_hash_table_new_full(NULL, NULL, NULL, g_free);

    if (client_support_yes(sup, "MULTI-ESTIMATE")) {
        if (!app_estimate(app, dle, opts, levels, calcsize, sizes, error))
            return FALSE;
    } else {
        for (guint i = 0; i < levels->len; i++) {
            g_autoptr(GArray) one = g_array_new(FALSE, FALSE, sizeof(int));
            g_array_append_val(one, g_array_index(levels, int, i));
            if (!app_estimate(app, dle, opts, one, calcsize, sizes, error))
                return FALSE;
        }
    }
    for (guint i = 0; i < levels->len; i++) {
        int lv = g_array_index(levels, int, i);
        gint64 *kib = g_hash_table_lookup(sizes, GINT_TO_POINTER(lv));
        g_autofree char *l = client_size_line(dle->disk, lv, kib ? *kib : -1);
        g_string_append(out, l);
    }
    return TRUE;
}

static gboolean calcsize_walk(const dle_t *dle, const GArray *levels, GString *out,
                              GError **error)
{
    gint64 kib = 0;
    if (!sendsize_calc_tree(client_dle_device(dle), dle, &kib, error))
        return FALSE;
    all_levels_size(out, dle, levels, kib);
    return TRUE;
}

/* Try the DLE's estimate methods in order. */
static void estimate_dle(const dle_t *dle, const client_options_t *opts, const GArray *levels,
                         GString *out)
{
    GError *err = NULL;

    if (!dle->program || strcmp(dle->program, "APPLICATION") != 0) {
        all_levels_error(out, dle, levels, "only program \"APPLICATION\" is supported");
        return;
    }
    g_autofree char *app = client_app_path(dle->plugin, &err);
    g_autoptr(client_support_t) sup = app ? client_app_support(app, &err) : NULL;
    if (!sup || !client_support_check(sup, dle, &err)) {
        all_levels_error(out, dle, levels, err->message);
        g_error_free(err);
        return;
    }
    guint n = dle->estimates ? dle->estimates->len : 0;
    for (guint i = 0; i < MAX(n, 1); i++) {
        dle_estimate_t m = n ? g_array_index(dle->estimates, dle_estimate_t, i)
                             : DLE_ESTIMATE_CLIENT;
        gboolean ok;
        g_clear_error(&err);
        if (m == DLE_ESTIMATE_SERVER) {
            all_levels_size(out, dle, levels, -1);
            return;
        }
        if (m == DLE_ESTIMATE_CLIENT && !dle->calcsize && client_support_yes(sup, "CLIENT-ESTIMATE"))
            ok = app_estimate_levels(app, sup, dle, opts, levels, FALSE, out, &err);
        else if (client_support_yes(sup, "CALCSIZE"))
            ok = app_estimate_levels(app, sup, dle, opts, levels, TRUE, out, &err);
        else
            ok = calcsize_walk(dle, levels, out, &err);
        if (ok)
            return;
        debug_printf("estimate of %s failed: %s", dle->disk, err->message);
    }
    all_levels_error(out, dle, levels, err ? err->message : "no estimate method worked");
    g_clear_error(&err);
}

/* ------------------------------------------------------------ scheduling */

static gboolean start_job(job_t *job, const client_options_t *opts)
{
    int p[2];

    if (pipe(p) < 0)
        return FALSE;
    fflush(stdout);
    job->pid = fork();
    if (job->pid < 0) {
        close(p[0]);
        close(p[1]);
        return FALSE;
    }
    if (job->pid == 0) {
        close(p[0]);
        g_autoptr(GString) out = g_string_new(NULL);
        debug_printf("estimating %s", job->dle->disk);
        estimate_dle(job->dle, opts, job->levels, out);
        full_write(p[1], out->str, out->len);
        _exit(0);
    }
    close(p[1]);
    job->fd = p[0];
    job->out = g_string_new(NULL);
    return TRUE;
}

/* Read what is ready; at EOF print the DLE's lines and reap the child. */
static gboolean drain_job(job_t *job)
{
    char buf[4096];
    ssize_t n = read(job->fd, buf, sizeof buf);

    if (n < 0 && errno == EINTR)
        return FALSE;
    if (n > 0) {
        g_string_append_len(job->out, buf, n);
        return FALSE;
    }
    close(job->fd);
    job->fd = -1;
    waitpid(job->pid, NULL, 0);
    if (job->out->len == 0)
        all_levels_error(job->out, job->dle, job->levels, "estimate process died");
    fputs(job->out->str, stdout);
    fflush(stdout);
    return TRUE;
}

static void run_jobs(GPtrArray *jobs, const client_options_t *opts)
{
    guint next = 0, running = 0, done = 0;
    g_autofree struct pollfd *pfd = g_new0(struct pollfd, MAX(jobs->len, 1));
    g_autofree job_t **who = g_new0(job_t *, MAX(jobs->len, 1));

    while (done < jobs->len) {
        while (running < (guint)opts->maxdumps && next < jobs->len) {
            job_t *job = g_ptr_array_index(jobs, next++);
            if (start_job(job, opts)) {
                running++;
                continue;
            }
            g_autoptr(GString) out = g_string_new(NULL);
            all_levels_error(out, job->dle, job->levels, "cannot start an estimate process");
            fputs(out->str, stdout);
            done++;
        }
        nfds_t n = 0;
        for (guint i = 0; i < jobs->len; i++) {
            job_t *job = g_ptr_array_index(jobs, i);
            if (job->pid > 0 && job->fd >= 0) {
                pfd[n] = (struct pollfd){ .fd = job->fd, .events = POLLIN };
                who[n++] = job;
            }
        }
        if (n == 0)
            continue;
        if (poll(pfd, n, -1) < 0)
            continue;
        for (nfds_t i = 0; i < n; i++) {
            if (pfd[i].revents && drain_job(who[i])) {
                running--;
                done++;
            }
        }
    }
}

static void job_free(job_t *job)
{
    g_array_unref(job->levels);
    if (job->out)
        g_string_free(job->out, TRUE);
    g_free(job);
}

int main(int argc, char **argv)
{
    GError *err = NULL;

    client_service_start("sendsize", argc, argv);
    g_autoptr(client_request_t) req = client_read_request(STDIN_FILENO, &err);
    fputs(client_options_reply(), stdout);
    fflush(stdout);
    if (!req) {
        g_autofree char *m = g_strdup(err->message);
        g_strdelimit(m, "\r\n", ' ');
        printf("ERROR [bad sendsize request: %s]\n", m);
        debug_printf("bad request: %s", err->message);
        return 1;
    }
    g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);
    for (guint i = 0; i < req->dles->len; i++) {
        job_t *job = g_new0(job_t, 1);
        job->dle = g_ptr_array_index(req->dles, i);
        job->levels = g_array_new(FALSE, FALSE, sizeof(int));
        job->fd = -1;
        for (guint j = 0; job->dle->levels && j < job->dle->levels->len; j++) {
            dle_level_t *l = &g_array_index(job->dle->levels, dle_level_t, j);
            if (!l->server)
                g_array_append_val(job->levels, l->level);
        }
        if (job->levels->len == 0) {
            job_free(job);
            continue;
        }
        g_ptr_array_add(jobs, job);
    }
    debug_printf("%u DLE(s) to estimate, maxdumps %d", jobs->len, req->opts->maxdumps);
    run_jobs(jobs, req->opts);
    debug_printf("sendsize done");
    debug_close();
    return 0;
}
