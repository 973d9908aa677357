/* ambind: the one privileged step a server run as the dump user needs --
 * a TCP socket bound to a reserved port, which stock AMANDA clients demand
 * of bsdtcp connections ("port N not secure" otherwise).  Installed setuid
 * root, mode 4750, group of the dump user, as AMANDA installs its own
 * ambind; planner, dumper and amcheck stay unprivileged and call it
 * through ambind-client.c.
 *
 *   ambind inet|inet6 LOW HIGH      (stdout: a unix socket)
 *
 * It creates the socket, binds it to a free port in LOW..HIGH, and passes
 * it back with SCM_RIGHTS together with "OK PORT" (or sends "ERROR text"
 * and no descriptor).  Nothing else: no configuration, no environment, no
 * other files.  Ports below 512 (well-known services) and above 1023 are
 * refused, so it cannot be used to take over a service's port. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define AMBIND_LOW_MIN 512
#define AMBIND_HIGH_MAX 1023

static int
reply(int fd_to_pass, const char *text)
{
    struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (fd_to_pass >= 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd_to_pass, sizeof(int));
    }
    return sendmsg(1, &msg, MSG_NOSIGNAL) < 0 ? 1 : (fd_to_pass >= 0 ? 0 : 1);
}

static int
parse_port(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < AMBIND_LOW_MIN || v > AMBIND_HIGH_MAX)
        return -1;
    return (int)v;
}

int
main(int argc, char **argv)
{
    struct stat st;
    if (fstat(1, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        fprintf(stderr, "ambind: standard output must be a unix socket; "
                        "it is run by amanda programs, not by hand\n");
        return 2;
    }
    if (argc != 4)
        return reply(-1, "ERROR usage: ambind inet|inet6 LOW HIGH");
    int family = strcmp(argv[1], "inet") == 0 ? AF_INET : strcmp(argv[1], "inet6") == 0 ? AF_INET6 : -1;
    int low = parse_port(argv[2]), high = parse_port(argv[3]);
    if (family < 0)
        return reply(-1, "ERROR ambind: the family must be inet or inet6");
    if (low < 0 || high < 0 || low > high)
        return reply(-1, "ERROR ambind: the range must lie within 512-1023 (reserved_tcp_port)");
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0) {
        char text[160];
        snprintf(text, sizeof(text), "ERROR ambind: socket: %s", strerror(errno));
        return reply(-1, text);
    }
    int span = high - low + 1, start = (int)((unsigned)time(NULL) ^ (unsigned)getpid()) % span;
    int last_errno = EADDRINUSE;
    for (int i = 0; i < span; i++) {
        int port = low + (start + i) % span;
        int rc;
        if (family == AF_INET) {
            struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
            a.sin_addr.s_addr = htonl(INADDR_ANY);
            rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
        } else {
            struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((unsigned short)port) };
            a.sin6_addr = in6addr_any;
            rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
        }
        if (rc == 0) {
            char text[32];
            snprintf(text, sizeof(text), "OK %d", port);
            return reply(fd, text);
        }
        last_errno = errno;
        if (errno != EADDRINUSE && errno != EACCES)
            break;
    }
    char text[200];
    if (last_errno == EADDRINUSE)
        snprintf(text, sizeof(text), "ERROR ambind: no free port in %d,%d (all %d in use)", low, high, span);
    else
        snprintf(text, sizeof(text), "ERROR ambind: bind: %s%s", strerror(last_errno),
                 geteuid() == 0 ? "" : " (ambind is not installed setuid root)");
    return reply(-1, text);
}
