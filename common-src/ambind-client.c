/* ambind-client: reserved ports through the ambind helper (see the header). */
#include "config.h"
#include "ambind-client.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amanda_paths.h"
#include "debug.h"

static char *
ambind_path(void)
{
    return g_build_filename(amanda_libexec_dir(), "ambind", NULL);
}

gboolean
ambind_available(void)
{
    g_autofree char *path = ambind_path();
    struct stat st;
    return stat(path, &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID)
           && access(path, X_OK) == 0;
}

/* Read ambind's answer and the descriptor that comes with "OK". */
static int
receive_socket(int sock, char *text, gsize text_len)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = { .iov_base = text, .iov_len = text_len - 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
    ssize_t n;
    do
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    text[n > 0 ? n : 0] = '\0';
    int fd = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
    return fd;
}

int
ambind_socket(int family, const stream_port_range_t *range, GError **error)
{
    g_autofree char *path = ambind_path();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        g_set_error(error, STREAM_PORTS_ERROR, STREAM_PORTS_ERROR_SYSTEM,
                    "cannot run %s: socketpair: %s", path, g_strerror(errno));
        return -1;
    }
    char low[16], high[16];
    g_snprintf(low, sizeof(low), "%d", range->low);
    g_snprintf(high, sizeof(high), "%d", range->high);
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(sv[1], 1) < 0)
            _exit(127);
        execl(path, "ambind", family == AF_INET6 ? "inet6" : "inet", low, high, (char *)NULL);
        _exit(127);
    }
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        g_set_error(error, STREAM_PORTS_ERROR, STREAM_PORTS_ERROR_SYSTEM, "cannot run %s: %s",
                    path, g_strerror(errno));
        return -1;
    }
    char text[256];
    int fd = receive_socket(sv[0], text, sizeof(text));
    close(sv[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (fd < 0 || strncmp(text, "OK ", 3) != 0) {
        if (fd >= 0)
            close(fd);
        const char *why = g_str_has_prefix(text, "ERROR ") ? text + 6 : NULL;
        g_set_error(error, STREAM_PORTS_ERROR, STREAM_PORTS_ERROR_SYSTEM, "%s",
                    why ? why : "ambind gave no socket (is it installed setuid root?)");
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    dbprintf("ambind: reserved port %s\n", text + 3);
    return fd;
}
