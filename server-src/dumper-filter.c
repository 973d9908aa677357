/* dumper-filter: server-side filter programs (see the header). */
#include "dumper-filter.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amutil.h"

#define FILTER_BUF (256 * 1024)

struct dumper_filter {
    int in_fd, out_fd;
    GPid pids[4];
    char *names[4];
    int npids;
    GThread *reader;
    dumper_filter_sink sink;
    void *arg;
    GError *sink_error;   /* set by the reader thread */
};

static GQuark
filter_quark(void)
{
    return g_quark_from_static_string("dumper-filter");
}

static gpointer
reader_main(gpointer data)
{
    dumper_filter_t *f = data;
    char *buf = g_malloc(FILTER_BUF);
    for (;;) {
        ssize_t n = read(f->out_fd, buf, FILTER_BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        /* after a sink error keep draining so the programs never block */
        if (!f->sink_error)
            f->sink(f->arg, buf, (gsize)n, &f->sink_error);
    }
    g_free(buf);
    return NULL;
}

dumper_filter_t *
dumper_filter_start(char **const *cmds, int ncmds, dumper_filter_sink sink, void *arg,
                    GError **error)
{
    dumper_filter_t *f = g_new0(dumper_filter_t, 1);
    int prev_out = -1;
    f->in_fd = -1;
    for (int i = 0; i < ncmds && i < 4; i++) {
        int in_pipe = -1, out_pipe = -1;
        gboolean ok = g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)cmds[i], NULL,
                                                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                                       NULL, NULL, prev_out, -1, -1, NULL, NULL, 0,
                                                       &f->pids[i], i == 0 ? &in_pipe : NULL,
                                                       &out_pipe, NULL, error);
        if (prev_out >= 0)
            close(prev_out);
        if (!ok) {
            f->out_fd = -1;
            dumper_filter_finish(f, NULL);
            return NULL;
        }
        f->names[i] = g_strdup(cmds[i][0]);
        f->npids = i + 1;
        if (i == 0)
            f->in_fd = in_pipe;
        prev_out = out_pipe;
    }
    f->out_fd = prev_out;
    f->sink = sink;
    f->arg = arg;
    f->reader = g_thread_new("dumper-filter", reader_main, f);
    return f;
}

gboolean
dumper_filter_write(dumper_filter_t *f, const void *buf, gsize len, GError **error)
{
    if (full_write(f->in_fd, buf, len) != (ssize_t)len) {
        g_set_error(error, filter_quark(), 1, "writing to %s: %s", f->names[0], g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

gboolean
dumper_filter_finish(dumper_filter_t *f, GError **error)
{
    gboolean ok = TRUE;
    if (f->in_fd >= 0)
        close(f->in_fd);
    if (f->reader)
        g_thread_join(f->reader);
    if (f->out_fd >= 0)
        close(f->out_fd);
    for (int i = 0; i < f->npids; i++) {
        int status = 0;
        while (waitpid(f->pids[i], &status, 0) < 0 && errno == EINTR)
            ;
        if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            g_set_error(error, filter_quark(), 2, "%s failed (wait status %d)", f->names[i], status);
            ok = FALSE;
        }
        g_free(f->names[i]);
    }
    if (ok && f->sink_error) {
        g_propagate_error(error, f->sink_error);
        f->sink_error = NULL;
        ok = FALSE;
    }
    g_clear_error(&f->sink_error);
    g_free(f);
    return ok;
}
