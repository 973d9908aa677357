/* driver-child: child processes of the driver (see driver.h). */
#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amutil.h"
#include "debug.h"

typedef struct {
    int fd;
    GString *out;
    event_handle_t *read_ev, *child_ev;
    gboolean eof, exited;
    int status;
    driver_child_fn fn;
    void *arg;
} child_t;

static void
child_maybe_done(child_t *c)
{
    if (!c->eof || !c->exited)
        return;
    c->fn(c->arg, c->out->str, c->status);
    g_string_free(c->out, TRUE);
    g_free(c);
}

static void
child_readable(void *arg)
{
    child_t *c = arg;
    char buf[4096];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n > 0) {
        g_string_append_len(c->out, buf, n);
        return;
    }
    event_release(c->read_ev);
    close(c->fd);
    c->eof = TRUE;
    child_maybe_done(c);
}

static void
child_exited(pid_t pid, int status, void *arg)
{
    child_t *c = arg;
    (void)pid;
    c->exited = TRUE;
    c->status = status;
    child_maybe_done(c);
}

gboolean
driver_spawn(char **argv, int pass_fd, driver_child_fn fn, void *arg, GPid *pid, GError **error)
{
    int out_fd = -1;
    int src[1] = { pass_fd }, dst[1] = { 3 };
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, -1, -1, -1,
                                          pass_fd >= 0 ? src : NULL, pass_fd >= 0 ? dst : NULL,
                                          pass_fd >= 0 ? 1 : 0, pid, NULL, &out_fd, NULL, error))
        return FALSE;
    child_t *c = g_new0(child_t, 1);
    c->fd = out_fd;
    c->out = g_string_new(NULL);
    c->fn = fn;
    c->arg = arg;
    c->read_ev = event_register(out_fd, EV_READFD, child_readable, c);
    c->child_ev = event_register_child(*pid, child_exited, c);
    return TRUE;
}

struct driver_peer {
    GPid pid;
    int in_fd, out_fd;
    GString *buf;
    event_handle_t *read_ev;
    driver_line_fn fn;
    void *arg;
};

static void
peer_readable(void *arg)
{
    driver_peer_t *p = arg;
    char buf[4096];
    ssize_t n = read(p->out_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        event_release(p->read_ev);
        p->read_ev = NULL;
        p->fn(p->arg, NULL);
        return;
    }
    g_string_append_len(p->buf, buf, n);
    char *nl;
    while ((nl = memchr(p->buf->str, '\n', p->buf->len))) {
        g_autofree char *line = g_strndup(p->buf->str, (gsize)(nl - p->buf->str));
        g_string_erase(p->buf, 0, nl - p->buf->str + 1);
        p->fn(p->arg, line);
    }
}

driver_peer_t *
driver_peer_start(char **argv, driver_line_fn fn, void *arg, GError **error)
{
    driver_peer_t *p = g_new0(driver_peer_t, 1);
    if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                  &p->pid, &p->in_fd, &p->out_fd, NULL, error)) {
        g_free(p);
        return NULL;
    }
    p->buf = g_string_new(NULL);
    p->fn = fn;
    p->arg = arg;
    p->read_ev = event_register(p->out_fd, EV_READFD, peer_readable, p);
    return p;
}

gboolean
driver_peer_send(driver_peer_t *p, const char *line)
{
    g_autofree char *l = g_strdup_printf("%s\n", line);
    return full_write(p->in_fd, l, strlen(l)) == (ssize_t)strlen(l);
}

void
driver_peer_finish(driver_peer_t *p)
{
    if (!p)
        return;
    close(p->in_fd);
    int status;
    while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (p->read_ev)
        event_release(p->read_ev);
    close(p->out_fd);
    g_string_free(p->buf, TRUE);
    g_free(p);
}
