/* event: the EV_* event API on the GLib main loop.
 *
 * Each handle owns at most one GSource.  Handles are reference counted: the
 * registrant holds one reference (dropped by event_release) and a running
 * callback holds another, which is what makes release from inside the
 * callback safe.  Signals are caught by a tiny handler that writes the
 * signal number to a self-pipe; the pipe's read end is an ordinary fd
 * source that dispatches to the EV_SIG handles. */
#include "config.h"
#include "event.h"
#include "debug.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

struct event_handle {
    event_type_t type;
    event_id_t data;
    event_fn_t fn;
    event_child_fn_t child_fn;
    void *arg;
    GSource *source;
    gboolean dead;
    gboolean is_child;
    int refs;
};

static GList *all_handles;     /* live (not released) handles */
static int live_counted;        /* live handles other than EV_WAIT */

/* --- handle lifetime ---------------------------------------------------- */

static void
handle_unref(event_handle_t *h)
{
    if (--h->refs == 0)
        g_free(h);
}

static void
detach_source(event_handle_t *h)
{
    if (h->source) {
        g_source_destroy(h->source);
        g_source_unref(h->source);
        h->source = NULL;
    }
}

static event_handle_t *
handle_new(event_type_t type, event_id_t data, event_fn_t fn, void *arg)
{
    event_handle_t *h = g_new0(event_handle_t, 1);
    h->type = type;
    h->data = data;
    h->fn = fn;
    h->arg = arg;
    h->refs = 1;
    all_handles = g_list_prepend(all_handles, h);
    if (type != EV_WAIT)
        live_counted++;
    return h;
}

static void signal_handle_released(event_handle_t *h);

void
event_release(event_handle_t *h)
{
    if (h == NULL || h->dead)
        return;
    h->dead = TRUE;
    detach_source(h);
    all_handles = g_list_remove(all_handles, h);
    if (h->type != EV_WAIT)
        live_counted--;
    if (h->type == EV_SIG && !h->is_child)
        signal_handle_released(h);
    handle_unref(h);
}

/* Run H's callback with an extra reference so a release inside it is safe. */
static void
fire(event_handle_t *h)
{
    if (h->dead)
        return;
    h->refs++;
    h->fn(h->arg);
    handle_unref(h);
}

static gboolean
source_dispatch(gpointer data)
{
    event_handle_t *h = data;
    fire(h);
    return G_SOURCE_CONTINUE;   /* a released handle already destroyed its source */
}

static gboolean
fd_source_dispatch(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)cond;
    return source_dispatch(data);
}

static void
attach(event_handle_t *h, GSource *source)
{
    h->source = source;
    g_source_set_callback(source, source_dispatch, h, NULL);
    g_source_attach(source, NULL);
}

static void
attach_fd(event_handle_t *h, int fd, GIOCondition cond)
{
    h->source = g_unix_fd_source_new(fd, cond);
    g_source_set_callback(h->source, G_SOURCE_FUNC(fd_source_dispatch), h, NULL);
    g_source_attach(h->source, NULL);
}

/* --- signals ------------------------------------------------------------ */

#define MAX_SIGNAL 65
static int sig_pipe[2] = { -1, -1 };
static GSource *sig_source;
static struct sigaction saved_actions[MAX_SIGNAL];
static int sig_users[MAX_SIGNAL];

static void
on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t ignored = write(sig_pipe[1], &b, 1);
    (void)ignored;
    errno = saved;
}

static gboolean
sig_pipe_readable(gint fd, GIOCondition cond, gpointer unused)
{
    (void)cond;
    (void)unused;
    unsigned char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            GList *snapshot = g_list_copy(all_handles);
            for (GList *l = snapshot; l; l = l->next) {
                event_handle_t *h = l->data;
                if (h->type == EV_SIG && !h->is_child && h->data == buf[i])
                    h->refs++;
                else
                    l->data = NULL;
            }
            for (GList *l = snapshot; l; l = l->next) {
                if (l->data) {
                    fire(l->data);
                    handle_unref(l->data);
                }
            }
            g_list_free(snapshot);
        }
    }
    return G_SOURCE_CONTINUE;
}

static void
ensure_sig_pipe(void)
{
    if (sig_pipe[0] >= 0)
        return;
    if (!g_unix_open_pipe(sig_pipe, FD_CLOEXEC, NULL))
        am_fatal("cannot create the signal pipe: %s", g_strerror(errno));
    g_unix_set_fd_nonblocking(sig_pipe[0], TRUE, NULL);
    g_unix_set_fd_nonblocking(sig_pipe[1], TRUE, NULL);
    sig_source = g_unix_fd_source_new(sig_pipe[0], G_IO_IN);
    g_source_set_callback(sig_source, G_SOURCE_FUNC(sig_pipe_readable), NULL, NULL);
    g_source_attach(sig_source, NULL);
}

static void
signal_handle_added(int signo)
{
    ensure_sig_pipe();
    if (sig_users[signo]++ > 0)
        return;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(signo, &sa, &saved_actions[signo]);
}

static void
signal_handle_released(event_handle_t *h)
{
    int signo = (int)h->data;
    if (--sig_users[signo] == 0)
        sigaction(signo, &saved_actions[signo], NULL);
}

/* --- registration ------------------------------------------------------- */

event_handle_t *
event_register(event_id_t data, event_type_t type, event_fn_t fn, void *arg)
{
    g_return_val_if_fail(fn != NULL, NULL);
    switch (type) {
    case EV_READFD:
    case EV_WRITEFD: {
        g_return_val_if_fail(data >= 0, NULL);
        event_handle_t *h = handle_new(type, data, fn, arg);
        GIOCondition cond = (type == EV_READFD) ? (G_IO_IN | G_IO_HUP | G_IO_ERR)
                                                : (G_IO_OUT | G_IO_ERR);
        attach_fd(h, (int)data, cond);
        return h;
    }
    case EV_SIG: {
        g_return_val_if_fail(data > 0 && data < MAX_SIGNAL, NULL);
        event_handle_t *h = handle_new(type, data, fn, arg);
        signal_handle_added((int)data);
        return h;
    }
    case EV_TIME: {
        g_return_val_if_fail(data >= 0, NULL);
        event_handle_t *h = handle_new(type, data, fn, arg);
        attach(h, g_timeout_source_new((guint)data * 1000u));
        return h;
    }
    case EV_WAIT:
        return handle_new(type, data, fn, arg);
    }
    g_return_val_if_reached(NULL);
}

event_handle_t *
event_register_ms(guint period_ms, event_fn_t fn, void *arg)
{
    event_handle_t *h = handle_new(EV_TIME, (event_id_t)period_ms, fn, arg);
    attach(h, g_timeout_source_new(period_ms));
    return h;
}

static void
child_exited(GPid pid, gint status, gpointer data)
{
    event_handle_t *h = data;
    if (h->dead)
        return;
    /* the GSource is finished after this call: forget it before release */
    g_source_unref(h->source);
    h->source = NULL;
    h->refs++;
    event_child_fn_t fn = h->child_fn;
    void *arg = h->arg;
    event_release(h);
    fn(pid, status, arg);
    handle_unref(h);
}

static void
child_noop(void *arg)
{
    (void)arg;
}

event_handle_t *
event_register_child(pid_t pid, event_child_fn_t fn, void *arg)
{
    /* counted like an EV_SIG (for SIGCHLD) but not tied to the self-pipe */
    event_handle_t *h = handle_new(EV_SIG, 0, child_noop, arg);
    h->is_child = TRUE;
    h->child_fn = fn;
    h->source = g_child_watch_source_new(pid);
    g_source_set_callback(h->source, G_SOURCE_FUNC(child_exited), h, NULL);
    g_source_attach(h->source, NULL);
    return h;
}

/* --- the loop ----------------------------------------------------------- */

int
event_count(void)
{
    return (int)g_list_length(all_handles);
}

void
event_loop(int nonblock)
{
    if (nonblock) {
        /* one pass: dispatch what is ready now, never wait */
        g_main_context_iteration(NULL, FALSE);
        return;
    }
    while (live_counted > 0)
        g_main_context_iteration(NULL, TRUE);
}

int
event_wakeup(event_id_t id)
{
    GList *fired = NULL;
    for (GList *l = all_handles; l; l = l->next) {
        event_handle_t *h = l->data;
        if (h->type == EV_WAIT && h->data == id) {
            h->refs++;
            fired = g_list_prepend(fired, h);
        }
    }
    int count = 0;
    /* all_handles is newest first, so FIRED is now in registration order */
    for (GList *l = fired; l; l = l->next) {
        event_handle_t *h = l->data;
        if (!h->dead) {
            fire(h);
            count++;
        }
        handle_unref(h);
    }
    g_list_free(fired);
    return count;
}

static void
note_wakeup(void *flag)
{
    *(gboolean *)flag = TRUE;
}

void
event_wait(event_id_t id)
{
    gboolean woken = FALSE;
    event_handle_t *h = event_register(id, EV_WAIT, note_wakeup, &woken);
    while (!woken && live_counted > 0)
        g_main_context_iteration(NULL, TRUE);
    event_release(h);
}
