/* sendbackup-data: CRC, compression and filter chain of the image (see
 * the header). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "amutil.h"
#include "debug.h"
#include "sendbackup-data.h"

#define ZBUF_SIZE (256 * 1024)
#define RELAY_BUF_SIZE (256 * 1024)

struct sendbackup_data {
    int out_fd;
    client_crc_t native, client;
    gboolean zlib;
    z_stream z;
    unsigned char *zbuf;
    GArray *pids;          /* pid_t of the filters */
    int filter_in;         /* our end feeding the first filter, -1 if none */
    int relay_from;        /* last filter's output, read by the thread */
    GThread *relay;
    char *relay_error;     /* set by the thread */
    gboolean no_tee;       /* tee(2) refused once (DATA or the input is not a pipe) */
};

/* Run PROG with stdin IN and stdout OUT; every other fd but stderr closed. */
static pid_t spawn_filter(const char *prog, int in, int out, GError **error)
{
    pid_t pid = fork();
    if (pid < 0) {
        g_set_error(error, CLIENT_ERROR, 1, "fork: %s", g_strerror(errno));
        return -1;
    }
    if (pid == 0) {
        int i2 = fcntl(in, F_DUPFD, 10), o2 = fcntl(out, F_DUPFD, 10);
        if (i2 < 0 || o2 < 0 || dup2(i2, 0) < 0 || dup2(o2, 1) < 0)
            _exit(127);
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        signal(SIGPIPE, SIG_DFL);
        execl(prog, prog, (char *)NULL);
        _exit(127);
    }
    debug_printf("filter %s started, pid %ld", prog, (long)pid);
    return pid;
}

static gpointer relay_thread(gpointer arg)
{
    sendbackup_data_t *d = arg;
    g_autofree char *buf = g_malloc(RELAY_BUF_SIZE);

    for (;;) {
        ssize_t n = read(d->relay_from, buf, RELAY_BUF_SIZE);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            d->relay_error = g_strdup_printf("reading the filter output: %s", g_strerror(errno));
            break;
        }
        if (n == 0)
            break;
        client_crc_add(&d->client, buf, (size_t)n);
        if (full_write(d->out_fd, buf, (size_t)n) != n) {
            d->relay_error = g_strdup_printf("writing DATA: %s", g_strerror(errno));
            break;
        }
    }
    close(d->relay_from);
    d->relay_from = -1;
    return NULL;
}

static gboolean start_filters(sendbackup_data_t *d, const char *const *filters, GError **error)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        goto fail;
    d->filter_in = p[1];
    (void)pipe_grow(p[1]);
    int in = p[0];
    for (int i = 0; filters[i]; i++) {
        int q[2];
        if (pipe2(q, O_CLOEXEC) < 0) {
            close(in);
            goto fail;
        }
        pid_t pid = spawn_filter(filters[i], in, q[1], error);
        close(in);
        close(q[1]);
        if (pid < 0) {
            close(q[0]);
            return FALSE;
        }
        g_array_append_val(d->pids, pid);
        in = q[0];
    }
    d->relay_from = in;
    d->relay = g_thread_new("relay", relay_thread, d);
    return TRUE;
fail:
    g_set_error(error, CLIENT_ERROR, 1, "pipe: %s", g_strerror(errno));
    return FALSE;
}

sendbackup_data_t *sendbackup_data_new(int out_fd, int zlevel, const char *const *filters,
                                       GError **error)
{
    sendbackup_data_t *d = g_new0(sendbackup_data_t, 1);

    d->out_fd = out_fd;
    d->filter_in = d->relay_from = -1;
    d->pids = g_array_new(FALSE, FALSE, sizeof(pid_t));
    client_crc_init(&d->native);
    client_crc_init(&d->client);
    if (zlevel > 0) {
        /* windowBits 15 + 16: gzip wrapper, as gzip(1) writes. */
        if (deflateInit2(&d->z, zlevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            g_set_error(error, CLIENT_ERROR, 1, "zlib initialisation failed");
            sendbackup_data_free(d);
            return NULL;
        }
        d->zlib = TRUE;
        d->zbuf = g_malloc(ZBUF_SIZE);
    }
    if (filters && filters[0] && !start_filters(d, filters, error)) {
        sendbackup_data_free(d);
        return NULL;
    }
    return d;
}

/* Bytes after compression go to the filters or straight to DATA. */
static gboolean emit(sendbackup_data_t *d, const void *buf, size_t len, GError **error)
{
    if (d->filter_in >= 0) {
        if (full_write(d->filter_in, buf, len) != (ssize_t)len) {
            g_set_error(error, CLIENT_ERROR, 1, "writing to the filter: %s", g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    client_crc_add(&d->client, buf, len);
    if (full_write(d->out_fd, buf, len) != (ssize_t)len) {
        g_set_error(error, CLIENT_ERROR, 1, "writing DATA: %s", g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean deflate_some(sendbackup_data_t *d, const void *buf, size_t len, int flush,
                             GError **error)
{
    int rc;
    d->z.next_in = (Bytef *)buf;
    d->z.avail_in = (uInt)len;
    do {
        d->z.next_out = d->zbuf;
        d->z.avail_out = ZBUF_SIZE;
        rc = deflate(&d->z, flush);
        if (rc == Z_STREAM_ERROR) {
            g_set_error(error, CLIENT_ERROR, 1, "zlib deflate failed");
            return FALSE;
        }
        size_t have = ZBUF_SIZE - d->z.avail_out;
        if (have && !emit(d, d->zbuf, have, error))
            return FALSE;
    } while (d->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return TRUE;
}

gboolean sendbackup_data_write(sendbackup_data_t *d, const void *buf, size_t len, GError **error)
{
    client_crc_add(&d->native, buf, len);
    if (!d->zlib && d->filter_in < 0) {
        /* The bytes go out as they are: one CRC pass serves both. */
        d->client = d->native;
        if (full_write(d->out_fd, buf, len) != (ssize_t)len) {
            g_set_error(error, CLIENT_ERROR, 1, "writing DATA: %s", g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    if (!d->zlib)
        return emit(d, buf, len, error);
    while (len > 0) {
        size_t n = MIN(len, (size_t)1 << 30);
        if (!deflate_some(d, buf, n, Z_NO_FLUSH, error))
            return FALSE;
        buf = (const char *)buf + n;
        len -= n;
    }
    return TRUE;
}

/* The image goes out unchanged: duplicate the input pipe's pages into
 * the DATA pipe with tee(2) (no copy, no page allocation), then read the
 * same bytes only to checksum them.  -1 with errno EINVAL when either fd
 * is not a pipe. */
static ssize_t tee_then_crc(sendbackup_data_t *d, int in_fd, char *buf, size_t size)
{
    ssize_t n;
    do
        n = tee(in_fd, d->out_fd, size, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n;
    /* We are the pipe's only reader, so the N bytes tee saw are there. */
    if (full_read(in_fd, buf, (size_t)n) != n) {
        errno = EIO;
        return -1;
    }
    client_crc_add(&d->native, buf, (size_t)n);
    d->client = d->native;
    return n;
}

ssize_t sendbackup_data_from_fd(sendbackup_data_t *d, int in_fd, char *buf, size_t size,
                                GError **error)
{
    if (!d->zlib && d->filter_in < 0 && !d->no_tee) {
        ssize_t n = tee_then_crc(d, in_fd, buf, size);
        if (n >= 0)
            return n;
        if (errno != EINVAL) {
            g_set_error(error, CLIENT_ERROR, 1, "writing DATA: %s", g_strerror(errno));
            return -1;
        }
        d->no_tee = TRUE;
    }
    ssize_t n;
    do
        n = read(in_fd, buf, size);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        g_set_error(error, CLIENT_ERROR, 1, "reading the image: %s", g_strerror(errno));
        return -1;
    }
    if (n > 0 && !sendbackup_data_write(d, buf, (size_t)n, error))
        return -1;
    return n;
}

static gboolean wait_filters(sendbackup_data_t *d, GError **error)
{
    gboolean ok = TRUE;
    for (guint i = 0; i < d->pids->len; i++) {
        int status = 0;
        pid_t pid = g_array_index(d->pids, pid_t, i);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            g_set_error(error, CLIENT_ERROR, 1, "filter process %ld failed (status 0x%x)",
                        (long)pid, status);
            ok = FALSE;
        }
    }
    g_array_set_size(d->pids, 0);
    return ok;
}

gboolean sendbackup_data_finish(sendbackup_data_t *d, client_crc_t *native, client_crc_t *client,
                                GError **error)
{
    gboolean ok = TRUE;

    if (d->zlib)
        ok = deflate_some(d, "", 0, Z_FINISH, error);
    if (d->filter_in >= 0) {
        close(d->filter_in);
        d->filter_in = -1;
    }
    if (d->relay) {
        g_thread_join(d->relay);
        d->relay = NULL;
    }
    if (!wait_filters(d, ok ? error : NULL))
        ok = FALSE;
    if (ok && d->relay_error) {
        g_set_error(error, CLIENT_ERROR, 1, "%s", d->relay_error);
        ok = FALSE;
    }
    *native = d->native;
    *client = d->client;
    return ok;
}

void sendbackup_data_free(sendbackup_data_t *d)
{
    if (!d)
        return;
    if (d->filter_in >= 0)
        close(d->filter_in);
    if (d->relay)
        g_thread_join(d->relay);
    wait_filters(d, NULL);
    if (d->zlib)
        deflateEnd(&d->z);
    g_free(d->zbuf);
    g_array_unref(d->pids);
    g_free(d->relay_error);
    g_free(d);
}
