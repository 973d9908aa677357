/* amandad-service: one service process and its plumbing.
 *
 * The service is forked and exec'd straight from an argv (never a shell)
 * with: the request on stdin (written from the event loop, so a service
 * that answers before reading everything cannot deadlock us), its reply
 * read from stdout, its stderr copied to our debug log, and
 * CLIENT_DATA_FD_COUNT pipe pairs at fds 150.. (client-util.h): fd 150+2i
 * is written by the service, fd 150+2i+1 read by it.
 *
 * Once the reply names pairs in its CONNECT line and the server has ACKed
 * the REP, each named pair is relayed to one security stream: service to
 * network with at most two buffers in flight (a new read only when the
 * socket has taken a previous one, so memory stays flat whatever the
 * backup size), network to service with the stream paused while the pipe
 * is full. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amandad.h"
#include "amutil.h"
#include "client-util.h"
#include "debug.h"
#include "security-tcpm.h"

#define RELAY_BUF (1024 * 1024)
#define RELAY_BUFS 2
#define KILL_GRACE_SECONDS 5

typedef struct relay relay_t;

/* Which buffer a completed write was (the callback argument). */
typedef struct {
    relay_t *r;
    int idx;
} write_tag_t;

struct relay {
    amandad_service_t *svc;
    int pair;
    int from_svc;               /* our read end of fd 150+2i, -1 when done */
    int to_svc;                 /* our write end of fd 150+2i+1, -1 when closed */
    security_stream_t *stream;
    event_handle_t *ev_in, *ev_out;
    char *buf[RELAY_BUFS];
    gboolean busy[RELAY_BUFS];
    write_tag_t tag[RELAY_BUFS];
    gboolean orphaned;          /* freed by its owner while writes were out */
    int in_flight;
    gboolean svc_eof;           /* service closed its end: EOF after the writes */
    GByteArray *to_svc_pending; /* network bytes the pipe did not take yet */
    gboolean net_eof;
    gboolean done;
    guint64 bytes_out, bytes_in;
};

struct amandad_service {
    char *name;
    pid_t pid;
    int status;
    gboolean exited;
    event_handle_t *ev_child, *ev_kill;
    /* stdin */
    int in_fd;
    char *input;
    size_t input_len, input_off;
    event_handle_t *ev_stdin;
    /* stdout */
    int out_fd;
    GString *out;
    event_handle_t *ev_stdout;
    gboolean out_done;
    /* stderr */
    int err_fd;
    event_handle_t *ev_stderr;
    GString *err_line;
    /* pipes: [i][0] ours to read (service writes), [i][1] ours to write */
    int pair_fd[CLIENT_DATA_FD_COUNT][2];
    relay_t *relays[CLIENT_DATA_FD_COUNT];
    gboolean streams_started;
    gboolean finished_told;
    amandad_output_fn_t out_fn;
    amandad_finished_fn_t fin_fn;
    void *arg;
};

static void check_finished(amandad_service_t *svc);

static void release(event_handle_t **ev)
{
    if (*ev) {
        event_release(*ev);
        *ev = NULL;
    }
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

pid_t amandad_service_pid(const amandad_service_t *svc)
{
    return svc->pid;
}

/* ------------------------------------------------------------ the child */

/* In the child (async-signal-safe calls only): put every fd where the
 * service expects it.  All sources are first moved above the targets so
 * no dup2 clobbers one still needed. */
static void child_setup(int in_r, int out_w, int err_w, int pairs[CLIENT_DATA_FD_COUNT][2])
{
    enum { HIGH = 200 };
    int n = 0;
    int src[3 + 2 * CLIENT_DATA_FD_COUNT], dst[3 + 2 * CLIENT_DATA_FD_COUNT];

    src[n] = in_r, dst[n++] = 0;
    src[n] = out_w, dst[n++] = 1;
    src[n] = err_w, dst[n++] = 2;
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++) {
        src[n] = pairs[i][0], dst[n++] = CLIENT_PAIR_WRITE_FD(i);
        src[n] = pairs[i][1], dst[n++] = CLIENT_PAIR_READ_FD(i);
    }
    for (int i = 0; i < n; i++)
        if ((src[i] = fcntl(src[i], F_DUPFD, HIGH + i)) < 0)
            _exit(127);
    for (int i = 0; i < n; i++)
        if (dup2(src[i], dst[i]) < 0)
            _exit(127);
    int top = CLIENT_DATA_FD_OFFSET + 2 * CLIENT_DATA_FD_COUNT;
    for (int fd = 3; fd < CLIENT_DATA_FD_OFFSET; fd++)
        close(fd);
    if (close_range((unsigned)top, ~0u, 0) < 0)
        for (int fd = top; fd < 4096; fd++)
            close(fd);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    setpgid(0, 0);   /* so a kill reaches the application and tar too */
}

/* Our ends (child's ends in CHILD): pipe2 with O_CLOEXEC everywhere. */
static gboolean make_pipes(amandad_service_t *svc, int child[CLIENT_DATA_FD_COUNT][2],
                           int std[3][2], GError **error)
{
    for (int i = 0; i < 3; i++)
        if (pipe2(std[i], O_CLOEXEC) < 0)
            goto fail;
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++) {
        int a[2], b[2];
        if (pipe2(a, O_CLOEXEC) < 0)
            goto fail;
        if (pipe2(b, O_CLOEXEC) < 0) {
            close(a[0]);
            close(a[1]);
            goto fail;
        }
        (void)pipe_grow(a[0]);
        svc->pair_fd[i][0] = a[0];
        child[i][0] = a[1];
        svc->pair_fd[i][1] = b[1];
        child[i][1] = b[0];
    }
    return TRUE;
fail:
    g_set_error(error, AMANDAD_ERROR, 1, "cannot create pipes for the service: %s",
                g_strerror(errno));
    return FALSE;
}

/* ------------------------------------------------------------ stdin/out/err */

static void stdin_writable(void *arg)
{
    amandad_service_t *svc = arg;
    while (svc->input_off < svc->input_len) {
        ssize_t n = write(svc->in_fd, svc->input + svc->input_off,
                          svc->input_len - svc->input_off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) {
            dbprintf("%s: writing the request to its stdin: %s", svc->name, g_strerror(errno));
            break;
        }
        svc->input_off += (size_t)n;
    }
    release(&svc->ev_stdin);
    close_fd(&svc->in_fd);
}

static void stdout_readable(void *arg)
{
    amandad_service_t *svc = arg;
    char buf[65536];
    ssize_t n = read(svc->out_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n > 0 && svc->out->len + (size_t)n > AMANDAD_REPLY_MAX) {
        dbprintf("%s: reply over %u bytes: killing it", svc->name, AMANDAD_REPLY_MAX);
        release(&svc->ev_stdout);
        close_fd(&svc->out_fd);
        svc->out_done = TRUE;
        amandad_service_kill(svc);
        svc->out_fn(svc->arg, svc->out, TRUE, TRUE);
        check_finished(svc);
        return;
    }
    if (n > 0) {
        g_string_append_len(svc->out, buf, n);
        svc->out_fn(svc->arg, svc->out, FALSE, FALSE);
        return;
    }
    if (n < 0)
        dbprintf("%s: reading its reply: %s", svc->name, g_strerror(errno));
    release(&svc->ev_stdout);
    close_fd(&svc->out_fd);
    svc->out_done = TRUE;
    svc->out_fn(svc->arg, svc->out, TRUE, FALSE);
    check_finished(svc);
}

static void stderr_readable(void *arg)
{
    amandad_service_t *svc = arg;
    char buf[4096];
    ssize_t n = read(svc->err_fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n > 0)
        g_string_append_len(svc->err_line, buf, n);
    char *nl;
    while ((nl = strchr(svc->err_line->str, '\n')) || (n <= 0 && svc->err_line->len)) {
        size_t len = nl ? (size_t)(nl - svc->err_line->str) : svc->err_line->len;
        dbprintf("%s stderr: %.*s", svc->name, (int)len, svc->err_line->str);
        g_string_erase(svc->err_line, 0, nl ? len + 1 : len);
    }
    if (n <= 0) {
        release(&svc->ev_stderr);
        close_fd(&svc->err_fd);
        check_finished(svc);
    }
}

/* ------------------------------------------------------------ exit */

static void child_exited(pid_t pid, int status, void *arg)
{
    amandad_service_t *svc = arg;
    svc->ev_child = NULL;   /* released by the event library */
    svc->exited = TRUE;
    svc->status = status;
    release(&svc->ev_kill);
    if (WIFEXITED(status))
        dbprintf("%s (pid %d) exited with status %d", svc->name, (int)pid, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        dbprintf("%s (pid %d) killed by signal %d", svc->name, (int)pid, WTERMSIG(status));
    check_finished(svc);
}

static gboolean relays_done(const amandad_service_t *svc)
{
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++)
        if (svc->relays[i] && !svc->relays[i]->done)
            return FALSE;
    return TRUE;
}

static gboolean has_relays(const amandad_service_t *svc)
{
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++)
        if (svc->relays[i])
            return TRUE;
    return FALSE;
}

/* Tell the owner once: exited, reply read, stderr drained, streams over. */
static void check_finished(amandad_service_t *svc)
{
    if (svc->finished_told || !svc->exited || !svc->out_done || svc->err_fd >= 0)
        return;
    if (has_relays(svc) && (!svc->streams_started || !relays_done(svc)))
        return;
    svc->finished_told = TRUE;
    svc->fin_fn(svc->arg, svc->status);
}

static void kill_hard(void *arg)
{
    amandad_service_t *svc = arg;
    release(&svc->ev_kill);
    if (!svc->exited) {
        dbprintf("%s (pid %d) did not stop: SIGKILL", svc->name, (int)svc->pid);
        kill(-svc->pid, SIGKILL);
        kill(svc->pid, SIGKILL);
    }
}

void amandad_service_kill(amandad_service_t *svc)
{
    if (svc->exited || svc->ev_kill)
        return;
    dbprintf("stopping %s (pid %d)", svc->name, (int)svc->pid);
    kill(-svc->pid, SIGTERM);
    kill(svc->pid, SIGTERM);
    svc->ev_kill = event_register(KILL_GRACE_SECONDS, EV_TIME, kill_hard, svc);
}

/* ------------------------------------------------------------ start */

static pid_t spawn(const char *path, char *const argv[], int in_r, int out_w, int err_w,
                   int child_pairs[CLIENT_DATA_FD_COUNT][2])
{
    pid_t pid = fork();
    if (pid == 0) {
        child_setup(in_r, out_w, err_w, child_pairs);
        execv(path, argv);
        _exit(127);
    }
    return pid;
}

static void close_child_ends(int std[3][2], int child[CLIENT_DATA_FD_COUNT][2])
{
    close_fd(&std[0][0]);
    close_fd(&std[1][1]);
    close_fd(&std[2][1]);
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++) {
        close_fd(&child[i][0]);
        close_fd(&child[i][1]);
    }
}

static amandad_service_t *service_new(const char *name, const char *input)
{
    amandad_service_t *svc = g_new0(amandad_service_t, 1);
    svc->name = g_strdup(name);
    svc->input = g_strdup(input);
    svc->input_len = strlen(input);
    svc->out = g_string_new(NULL);
    svc->err_line = g_string_new(NULL);
    svc->in_fd = svc->out_fd = svc->err_fd = -1;
    svc->pid = -1;
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++)
        svc->pair_fd[i][0] = svc->pair_fd[i][1] = -1;
    return svc;
}

amandad_service_t *amandad_service_start(const char *path, const char *name, const char *auth,
                                         const char *input, amandad_output_fn_t out_fn,
                                         amandad_finished_fn_t fin_fn, void *arg,
                                         GError **error)
{
    amandad_service_t *svc = service_new(name, input);
    int std[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
    int child[CLIENT_DATA_FD_COUNT][2];
    char *argv[] = { (char *)name, (char *)"amandad", (char *)auth, NULL };

    memset(child, -1, sizeof child);
    svc->out_fn = out_fn;
    svc->fin_fn = fin_fn;
    svc->arg = arg;
    if (!make_pipes(svc, child, std, error)) {
        for (int i = 0; i < 3; i++) {
            close_fd(&std[i][0]);
            close_fd(&std[i][1]);
        }
        close_child_ends(std, child);
        amandad_service_free(svc);
        return NULL;
    }
    svc->pid = spawn(path, argv, std[0][0], std[1][1], std[2][1], child);
    int saved = errno;
    close_child_ends(std, child);
    svc->in_fd = std[0][1];
    svc->out_fd = std[1][0];
    svc->err_fd = std[2][0];
    if (svc->pid < 0) {
        g_set_error(error, AMANDAD_ERROR, 1, "cannot fork %s: %s", path, g_strerror(saved));
        amandad_service_free(svc);
        return NULL;
    }
    dbprintf("started %s (pid %d): %s amandad %s", name, (int)svc->pid, path, auth);
    set_nonblock(svc->in_fd);
    set_nonblock(svc->out_fd);
    set_nonblock(svc->err_fd);
    svc->ev_child = event_register_child(svc->pid, child_exited, svc);
    svc->ev_stdin = event_register(svc->in_fd, EV_WRITEFD, stdin_writable, svc);
    svc->ev_stdout = event_register(svc->out_fd, EV_READFD, stdout_readable, svc);
    svc->ev_stderr = event_register(svc->err_fd, EV_READFD, stderr_readable, svc);
    return svc;
}

/* ------------------------------------------------------------ relays */

static void relay_arm_input(relay_t *r);
static void relay_free(relay_t *r);

/* Both directions over: close the stream (EOF to the peer). */
static void relay_finish(relay_t *r)
{
    if (r->done)
        return;
    r->done = TRUE;
    release(&r->ev_in);
    release(&r->ev_out);
    close_fd(&r->from_svc);
    close_fd(&r->to_svc);
    if (r->stream) {
        security_stream_close(r->stream);
        r->stream = NULL;
    }
    dbprintf("stream for fd %d closed: %" G_GUINT64_FORMAT " bytes sent, %" G_GUINT64_FORMAT
             " received", CLIENT_DATA_FD_OFFSET + r->pair, r->bytes_out, r->bytes_in);
    check_finished(r->svc);
}

static void relay_maybe_finish(relay_t *r)
{
    if (r->svc_eof && r->in_flight == 0)
        relay_finish(r);
}


static void relay_write_done(void *arg, security_stream_t *stream, security_status_t status)
{
    write_tag_t *t = arg;
    relay_t *r = t->r;
    (void)stream;
    r->busy[t->idx] = FALSE;
    r->in_flight--;
    if (r->orphaned) {
        if (r->in_flight == 0)
            relay_free(r);
        return;
    }
    if (r->done)
        return;
    if (status != S_OK) {
        dbprintf("stream for fd %d: write failed: %s", CLIENT_DATA_FD_OFFSET + r->pair,
                 r->stream ? security_stream_geterror(r->stream) : "closed");
        r->svc_eof = TRUE;
        amandad_service_kill(r->svc);
        relay_maybe_finish(r);
        return;
    }
    if (r->svc_eof)
        relay_maybe_finish(r);
    else
        relay_arm_input(r);
}

/* What the service wrote goes from its pipe into the connection by
 * splice(2), never through our memory, as one queued write at a time
 * (while it is out, the pipe stays readable, so we stop polling it).
 * FALSE when the pipe seems empty: the caller's read tells EOF apart. */
static gboolean relay_splice(relay_t *r)
{
    int avail = 0;
    if (!tcpm_stream_can_splice(r->stream) || ioctl(r->from_svc, FIONREAD, &avail) < 0
        || avail <= 0)
        return FALSE;
    size_t n = MIN((size_t)avail, (size_t)RELAY_BUF);
    int idx = r->busy[0] ? 1 : 0;
    r->busy[idx] = TRUE;
    r->in_flight++;
    r->bytes_out += n;
    release(&r->ev_in);
    r->tag[idx].r = r;
    r->tag[idx].idx = idx;
    tcpm_stream_splice_async(r->stream, r->from_svc, n, relay_write_done, &r->tag[idx]);
    return TRUE;
}

static void relay_readable(void *arg)
{
    relay_t *r = arg;
    if (r->in_flight == 0 && relay_splice(r))
        return;
    int idx = r->busy[0] ? 1 : 0;
    ssize_t n = read(r->from_svc, r->buf[idx], RELAY_BUF);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        if (n < 0)
            dbprintf("stream for fd %d: read: %s", CLIENT_DATA_FD_OFFSET + r->pair,
                     g_strerror(errno));
        release(&r->ev_in);
        close_fd(&r->from_svc);
        r->svc_eof = TRUE;
        relay_maybe_finish(r);
        return;
    }
    r->busy[idx] = TRUE;
    r->in_flight++;
    r->bytes_out += (guint64)n;
    if (r->in_flight == RELAY_BUFS)
        release(&r->ev_in);   /* flow control: wait for the socket */
    r->tag[idx].r = r;
    r->tag[idx].idx = idx;
    security_stream_write_async(r->stream, r->buf[idx], (size_t)n, relay_write_done, &r->tag[idx]);
}

static void relay_arm_input(relay_t *r)
{
    if (!r->ev_in && r->from_svc >= 0 && r->in_flight < RELAY_BUFS)
        r->ev_in = event_register(r->from_svc, EV_READFD, relay_readable, r);
}

static void net_read(void *arg, void *buf, ssize_t size);

/* Push pending network bytes into the service's pipe. */
static void to_svc_flush(relay_t *r)
{
    GByteArray *p = r->to_svc_pending;
    while (p->len > 0 && r->to_svc >= 0) {
        ssize_t n = write(r->to_svc, p->data, p->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0) {   /* the service does not read it: drop the rest */
            close_fd(&r->to_svc);
            g_byte_array_set_size(p, 0);
            break;
        }
        g_byte_array_remove_range(p, 0, (guint)n);
    }
    if (p->len > 0 && r->to_svc >= 0) {
        if (!r->ev_out)
            r->ev_out = event_register(r->to_svc, EV_WRITEFD, (event_fn_t)to_svc_flush, r);
        return;
    }
    release(&r->ev_out);
    if (r->net_eof)
        close_fd(&r->to_svc);
    else if (r->stream)
        security_stream_read(r->stream, net_read, r);
}

static void net_read(void *arg, void *buf, ssize_t size)
{
    relay_t *r = arg;
    if (size < 0) {
        dbprintf("stream for fd %d: %s", CLIENT_DATA_FD_OFFSET + r->pair,
                 security_stream_geterror(r->stream));
        security_stream_read_cancel(r->stream);
        r->net_eof = TRUE;
        close_fd(&r->to_svc);
        /* the connection is gone: nothing more can be sent either */
        amandad_service_kill(r->svc);
        if (r->in_flight == 0) {
            r->svc_eof = TRUE;
            relay_finish(r);
        }
        return;
    }
    if (size == 0) {
        r->net_eof = TRUE;
        security_stream_read_cancel(r->stream);
        if (r->to_svc_pending->len == 0)
            close_fd(&r->to_svc);
        return;
    }
    r->bytes_in += (guint64)size;
    if (r->to_svc < 0)
        return;   /* nobody reads it */
    security_stream_read_cancel(r->stream);   /* paused until the pipe took it */
    g_byte_array_append(r->to_svc_pending, buf, (guint)size);
    to_svc_flush(r);
}

static int map_pair(int pair, void *arg)
{
    struct {
        amandad_service_t *svc;
        security_handle_t *handle;
    } *m = arg;
    amandad_service_t *svc = m->svc;
    if (svc->relays[pair])
        return security_stream_id(svc->relays[pair]->stream);
    security_stream_t *s = security_stream_server(m->handle);
    if (!s) {
        dbprintf("cannot open a stream: %s", security_geterror(m->handle));
        return -1;
    }
    relay_t *r = g_new0(relay_t, 1);
    r->svc = svc;
    r->pair = pair;
    r->stream = s;
    r->from_svc = svc->pair_fd[pair][0];
    r->to_svc = svc->pair_fd[pair][1];
    svc->pair_fd[pair][0] = svc->pair_fd[pair][1] = -1;
    r->to_svc_pending = g_byte_array_new();
    svc->relays[pair] = r;
    dbprintf("fd %d is stream %d", CLIENT_DATA_FD_OFFSET + pair, security_stream_id(s));
    return security_stream_id(s);
}

char *amandad_service_connect(amandad_service_t *svc, security_handle_t *handle,
                              const char *reply, GError **error)
{
    char *result;
    if (g_str_has_prefix(reply, "CONNECT ")) {
        const char *nl = strchr(reply, '\n');
        g_autofree char *first = nl ? g_strndup(reply, nl - reply) : g_strdup(reply);
        struct {
            amandad_service_t *svc;
            security_handle_t *handle;
        } m = { svc, handle };
        g_autofree char *line = amandad_rewrite_connect(first, map_pair, &m, error);
        if (!line)
            return NULL;
        result = g_strconcat(line, nl ? nl + 1 : "", NULL);
    } else {
        result = g_strdup(reply);
    }
    /* Pairs the reply does not name: the service sees EOF / EPIPE. */
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++) {
        close_fd(&svc->pair_fd[i][0]);
        close_fd(&svc->pair_fd[i][1]);
    }
    return result;
}

void amandad_service_start_streams(amandad_service_t *svc)
{
    svc->streams_started = TRUE;
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++) {
        relay_t *r = svc->relays[i];
        if (!r)
            continue;
        security_stream_accept(r->stream);
        for (int b = 0; b < RELAY_BUFS; b++)
            r->buf[b] = g_malloc(RELAY_BUF);
        set_nonblock(r->from_svc);
        set_nonblock(r->to_svc);
        security_stream_read(r->stream, net_read, r);
        relay_arm_input(r);
    }
    check_finished(svc);
}

/* ------------------------------------------------------------ free */

static void relay_free(relay_t *r)
{
    if (r->stream && r->in_flight > 0 && !r->orphaned) {
        /* A completion may still be on its way (the security layer runs
         * some from the loop): it frees the relay. */
        r->orphaned = TRUE;
        release(&r->ev_in);
        release(&r->ev_out);
        close_fd(&r->from_svc);
        close_fd(&r->to_svc);
        security_stream_read_cancel(r->stream);
        return;
    }
    release(&r->ev_in);
    release(&r->ev_out);
    close_fd(&r->from_svc);
    close_fd(&r->to_svc);
    if (r->stream)
        security_stream_close(r->stream);  /* also drops pending write callbacks */
    for (int b = 0; b < RELAY_BUFS; b++)
        g_free(r->buf[b]);
    g_byte_array_free(r->to_svc_pending, TRUE);
    g_free(r);
}

void amandad_service_free(amandad_service_t *svc)
{
    if (!svc)
        return;
    if (svc->pid > 0 && !svc->exited) {
        kill(-svc->pid, SIGKILL);
        kill(svc->pid, SIGKILL);
    }
    release(&svc->ev_child);
    release(&svc->ev_kill);
    release(&svc->ev_stdin);
    release(&svc->ev_stdout);
    release(&svc->ev_stderr);
    close_fd(&svc->in_fd);
    close_fd(&svc->out_fd);
    close_fd(&svc->err_fd);
    for (int i = 0; i < CLIENT_DATA_FD_COUNT; i++) {
        close_fd(&svc->pair_fd[i][0]);
        close_fd(&svc->pair_fd[i][1]);
        if (svc->relays[i])
            relay_free(svc->relays[i]);
    }
    g_free(svc->name);
    g_free(svc->input);
    g_string_free(svc->out, TRUE);
    g_string_free(svc->err_line, TRUE);
    g_free(svc);
}
