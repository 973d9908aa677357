/* sendbackup: runs one backup (one DLE, one level) for the dumper.
 *
 * The reply (stdout) is "CONNECT DATA 150 MESG 151 INDEX 152 [STATE 153]"
 * and our OPTIONS line; amandad swaps those pipe numbers for network
 * streams.  Then the application's `backup` runs: its image (fd 1) goes
 * through sendbackup-data (CRCs, client compression/encryption) to DATA,
 * its messages (fd 3, and stderr) are framed onto MESG, its index lines
 * (fd 4) and state (--state-stream) go straight to INDEX and STATE.  MESG
 * carries, in order: "sendbackup: start [...]", the tape-header info
 * lines, the application's "| "/"? " lines and size, the native and client
 * CRCs, and "sendbackup: end" -- or "sendbackup: error [...]" on failure,
 * with a non-zero exit. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amutil.h"
#include "client-util.h"
#include "debug.h"
#include "sendbackup-data.h"

enum { PAIR_DATA, PAIR_MESG, PAIR_INDEX, PAIR_STATE };
#define READ_CHUNK (1024 * 1024)
/* After taking less than BATCH_BYTES of the image, wait BATCH_WAIT_US
 * before polling again, so the next take is a big one.  Taking each few
 * records tar wrote as soon as they came kept the two processes fighting
 * over the pipe's lock (5% of our time spinning on it) and waking each
 * other: sendbackup then ran at 0.8-0.9 of `tar | cat`, with it at
 * 0.95-1.3.  The wait never limits throughput (each take has all there
 * is) and adds at most BATCH_WAIT_US of latency. */
#define BATCH_BYTES (256 * 1024)
#define BATCH_WAIT_US 100

typedef struct {
    const dle_t *dle;
    int level;
    const client_options_t *opts;
    char *app;
    gboolean want_state;
    int mesg_fd;
    /* run state */
    pid_t pid;
    int app_data, app_mesg;
    GString *partial;
    int errors;
    gboolean have_size;
    char *first_error;
} backup_t;

/* ------------------------------------------------------------ the reply */

static gboolean fd_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

static gboolean validate(backup_t *b, const client_request_t *req, GError **error)
{
    if (req->dles->len != 1) {
        g_set_error(error, CLIENT_ERROR, 1, "sendbackup needs exactly one <dle>, got %u",
                    req->dles->len);
        return FALSE;
    }
    b->dle = g_ptr_array_index(req->dles, 0);
    if (!b->dle->levels || b->dle->levels->len != 1) {
        g_set_error(error, CLIENT_ERROR, 1, "sendbackup needs exactly one <level>");
        return FALSE;
    }
    b->level = g_array_index(b->dle->levels, dle_level_t, 0).level;
    if (!b->dle->program || strcmp(b->dle->program, "APPLICATION") != 0) {
        g_set_error(error, CLIENT_ERROR, 1, "program \"%s\" is not supported; use an application",
                    b->dle->program ? b->dle->program : "");
        return FALSE;
    }
    if (b->dle->datapath && g_ascii_strcasecmp(b->dle->datapath, "AMANDA") != 0) {
        g_set_error(error, CLIENT_ERROR, 1, "datapath %s is not supported", b->dle->datapath);
        return FALSE;
    }
    for (int i = PAIR_DATA; i <= PAIR_STATE; i++) {
        if (!fd_open(CLIENT_PAIR_WRITE_FD(i))) {
            g_set_error(error, CLIENT_ERROR, 1, "stream fd %d is not open (run me from amandad)",
                        CLIENT_PAIR_WRITE_FD(i));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean check_app(backup_t *b, GError **error)
{
    const dle_t *dle = b->dle;

    b->app = client_app_path(dle->plugin, error);
    if (!b->app)
        return FALSE;
    g_autoptr(client_support_t) sup = client_app_support(b->app, error);
    if (!sup || !client_support_check(sup, dle, error))
        return FALSE;
    if (b->level > client_support_max_level(sup)) {
        g_set_error(error, CLIENT_ERROR, 1, "level %d is above the application's maximum %d",
                    b->level, client_support_max_level(sup));
        return FALSE;
    }
    b->want_state = client_peer_wants_state_stream(b->opts) && client_support_yes(sup, "STATE-STREAM");
    if (strcmp(client_dle_compress(dle), "CUSTOM") == 0
        && !client_check_program("client compression", dle->custom_compress, error))
        return FALSE;
    if (client_dle_client_encrypt(dle)
        && !client_check_program("client encryption", dle->custom_encrypt, error))
        return FALSE;
    return TRUE;
}

static void send_reply(const backup_t *b)
{
    char state[32] = "";
    if (b->want_state || client_peer_wants_state_stream(b->opts))
        g_snprintf(state, sizeof state, " STATE %d", CLIENT_DATA_FD_OFFSET + PAIR_STATE);
    printf("CONNECT DATA %d MESG %d INDEX %d%s\n", CLIENT_DATA_FD_OFFSET + PAIR_DATA,
           CLIENT_DATA_FD_OFFSET + PAIR_MESG,
           b->dle->index ? CLIENT_DATA_FD_OFFSET + PAIR_INDEX : -1, state);
    fputs(client_options_reply(), stdout);
    fflush(stdout);
    /* EOF on stdout tells amandad the reply is complete. */
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    close(null);
}

/* ------------------------------------------------------------ MESG */

static void mesg(backup_t *b, const char *text)
{
    if (full_write(b->mesg_fd, text, strlen(text)) < 0)
        debug_printf("writing MESG failed: %s", g_strerror(errno));
    debug_printf("MESG: %s", text);
}

static void mesg_line(backup_t *b, const char *line)
{
    client_msg_kind_t kind;
    gint64 size = 0;
    g_autofree char *framed = client_frame_message(line, &kind, &size);

    if (kind == CLIENT_MSG_END)
        return;
    if (kind == CLIENT_MSG_ERROR) {
        b->errors++;
        if (!b->first_error)
            b->first_error = g_strdup(line);
        if (g_str_has_prefix(line, "sendbackup: error"))
            return;   /* reported once, at the end */
    }
    if (kind == CLIENT_MSG_SIZE)
        b->have_size = TRUE;
    mesg(b, framed);
}

static void mesg_input(backup_t *b, const char *buf, size_t len, gboolean eof)
{
    g_string_append_len(b->partial, buf, len);
    char *start = b->partial->str, *nl;
    while ((nl = memchr(start, '\n', b->partial->str + b->partial->len - start))) {
        *nl = '\0';
        mesg_line(b, start);
        start = nl + 1;
    }
    g_string_erase(b->partial, 0, start - b->partial->str);
    if (eof && b->partial->len) {
        mesg_line(b, b->partial->str);
        g_string_truncate(b->partial, 0);
    }
}

/* ------------------------------------------------------------ the application */

static void child_setup(int data_w, int mesg_w, int index_fd, int state_fd)
{
    int null = open("/dev/null", O_RDWR);
    int d = fcntl(data_w, F_DUPFD, 10), m = fcntl(mesg_w, F_DUPFD, 10);
    int x = fcntl(index_fd >= 0 ? index_fd : null, F_DUPFD, 10);

    if (null < 0 || d < 0 || m < 0 || x < 0 || dup2(null, 0) < 0 || dup2(d, 1) < 0
        || dup2(m, 2) < 0 || dup2(m, 3) < 0 || dup2(x, 4) < 0)
        _exit(127);
    for (int fd = 5; fd < 1024; fd++)
        if (fd != state_fd)
            close(fd);
    signal(SIGPIPE, SIG_DFL);
}

static gboolean spawn_app(backup_t *b, GError **error)
{
    g_autoptr(GArray) levels = g_array_new(FALSE, FALSE, sizeof(int));
    g_array_append_val(levels, b->level);
    g_autoptr(GPtrArray) argv = client_app_argv(b->app, "backup", b->dle, b->opts, levels, error);
    int dp[2], mp[2];

    if (!argv)
        return FALSE;
    if (b->want_state) {
        g_ptr_array_add(argv, g_strdup("--state-stream"));
        g_ptr_array_add(argv, g_strdup_printf("%d", CLIENT_PAIR_WRITE_FD(PAIR_STATE)));
    }
    g_ptr_array_add(argv, NULL);
    if (pipe2(dp, O_CLOEXEC) < 0 || pipe2(mp, O_CLOEXEC) < 0) {
        g_set_error(error, CLIENT_ERROR, 1, "pipe: %s", g_strerror(errno));
        return FALSE;
    }
    (void)pipe_grow(dp[0]);
    b->pid = fork();
    if (b->pid == 0) {
        child_setup(dp[1], mp[1], b->dle->index ? CLIENT_PAIR_WRITE_FD(PAIR_INDEX) : -1,
                    b->want_state ? CLIENT_PAIR_WRITE_FD(PAIR_STATE) : -1);
        execv(b->app, (char **)argv->pdata);
        _exit(127);
    }
    close(dp[1]);
    close(mp[1]);
    if (b->pid < 0) {
        close(dp[0]);
        close(mp[0]);
        g_set_error(error, CLIENT_ERROR, 1, "fork: %s", g_strerror(errno));
        return FALSE;
    }
    for (guint i = 0; argv->pdata[i]; i++)
        debug_printf("argv[%u] = %s", i, (char *)argv->pdata[i]);
    b->app_data = dp[0];
    b->app_mesg = mp[0];
    return TRUE;
}

/* Move the image and the messages until both pipes are at EOF. */
static gboolean pump(backup_t *b, sendbackup_data_t *data, GError **error)
{
    g_autofree char *buf = g_malloc(READ_CHUNK);

    while (b->app_data >= 0 || b->app_mesg >= 0) {
        struct pollfd p[2] = { { .fd = b->app_data, .events = POLLIN },
                               { .fd = b->app_mesg, .events = POLLIN } };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            g_set_error(error, CLIENT_ERROR, 1, "poll: %s", g_strerror(errno));
            return FALSE;
        }
        for (int i = 0; i < 2; i++) {
            int *fd = i == 0 ? &b->app_data : &b->app_mesg;
            if (*fd < 0 || !p[i].revents)
                continue;
            if (i == 0) {
                ssize_t n = sendbackup_data_from_fd(data, *fd, buf, READ_CHUNK, error);
                if (n < 0)
                    return FALSE;
                if (n > 0 && n < BATCH_BYTES)
                    usleep(BATCH_WAIT_US);
                if (n == 0) {
                    close(*fd);
                    *fd = -1;
                }
                continue;
            }
            ssize_t n = read(*fd, buf, 65536);
            if (n < 0 && errno == EINTR)
                continue;
            mesg_input(b, buf, n > 0 ? (size_t)n : 0, n <= 0);
            if (n <= 0) {
                close(*fd);
                *fd = -1;
            }
        }
    }
    return TRUE;
}

static int zlib_level(const dle_t *dle)
{
    const char *c = client_dle_compress(dle);
    if (strcmp(c, "FAST") == 0)
        return 1;
    return strcmp(c, "BEST") == 0 ? 9 : 0;
}

static gboolean run_backup(backup_t *b, GError **error)
{
    const char *filters[3] = { NULL, NULL, NULL };
    int nf = 0, status = 0;
    client_crc_t native, client;

    if (strcmp(client_dle_compress(b->dle), "CUSTOM") == 0)
        filters[nf++] = b->dle->custom_compress;
    if (client_dle_client_encrypt(b->dle))
        filters[nf++] = b->dle->custom_encrypt;
    sendbackup_data_t *data = sendbackup_data_new(CLIENT_PAIR_WRITE_FD(PAIR_DATA),
                                                  zlib_level(b->dle), filters, error);
    if (!data || !spawn_app(b, error)) {
        sendbackup_data_free(data);
        return FALSE;
    }
    gboolean ok = pump(b, data, error);
    if (!ok) {
        kill(b->pid, SIGTERM);
        if (b->app_data >= 0)
            close(b->app_data);
    }
    while (waitpid(b->pid, &status, 0) < 0 && errno == EINTR)
        ;
    ok = ok && sendbackup_data_finish(data, &native, &client, error);
    sendbackup_data_free(data);
    if (!ok)
        return FALSE;
    if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) || b->errors) {
        g_set_error(error, CLIENT_ERROR, 1, "%s", b->first_error ? b->first_error
                    : "the application failed");
        return FALSE;
    }
    if (!b->have_size) {
        g_autofree char *l = g_strdup_printf("sendbackup: size %" G_GUINT64_FORMAT "\n",
                                             (native.size + 1023) / 1024);
        mesg(b, l);
    }
    g_autofree char *n = client_crc_line("native", native.crc, native.size);
    g_autofree char *c = client_crc_line("client", client.crc, client.size);
    mesg(b, n);
    mesg(b, c);
    return TRUE;
}

/* ------------------------------------------------------------ main */

static void error_reply(const char *msg)
{
    g_autofree char *m = g_strdup(msg);
    g_strdelimit(m, "\r\n", ' ');
    printf("ERROR [%s]\n", m);
    fflush(stdout);
    debug_printf("refused: %s", m);
}

static int backup_main(backup_t *b, client_request_t *req)
{
    GError *err = NULL;

    if (!validate(b, req, &err) || !check_app(b, &err)) {
        error_reply(err->message);
        g_error_free(err);
        return 1;
    }
    send_reply(b);
    b->mesg_fd = CLIENT_PAIR_WRITE_FD(PAIR_MESG);
    g_autofree char *qdisk = quote_string(b->dle->disk);
    g_autofree char *start = g_strdup_printf("sendbackup: start [%s:%s level %d]\n",
        b->opts->hostname ? b->opts->hostname : g_get_host_name(), qdisk, b->level);
    g_autofree char *info = client_info_lines(b->app, b->dle);
    mesg(b, start);
    mesg(b, info);
    if (!run_backup(b, &err)) {
        const char *m = err->message;
        g_autofree char *line = g_str_has_prefix(m, "sendbackup: error")
            ? g_strdup_printf("%s\n", m) : g_strdup_printf("sendbackup: error [%s]\n", m);
        mesg(b, line);
        g_error_free(err);
        return 1;
    }
    mesg(b, "sendbackup: end\n");
    return 0;
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    backup_t b = { .app_data = -1, .app_mesg = -1, .mesg_fd = -1 };

    signal(SIGPIPE, SIG_IGN);
    client_service_start("sendbackup", argc, argv);
    g_autoptr(client_request_t) req = client_read_request(STDIN_FILENO, &err);
    if (!req) {
        error_reply(err->message);
        g_error_free(err);
        return 1;
    }
    b.opts = req->opts;
    b.partial = g_string_new(NULL);
    int rc = backup_main(&b, req);
    g_string_free(b.partial, TRUE);
    g_free(b.app);
    g_free(b.first_error);
    debug_printf("sendbackup done, exit %d", rc);
    debug_close();
    return rc;
}
