/* Unit tests for ambind and ambind-client: the helper refuses what it must
 * (stdout not a socket, ports outside 512-1023, bad families); as root it
 * hands back a socket bound to a port of the range, which connects from
 * that port; without root its refusal says ambind is not setuid root. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ambind-client.h"

static const char *ambind_bin;

/* Run ambind with ARGS and stdout on a socketpair; its reply text. */
static char *
run_ambind(const char *const *args, int *fd_out)
{
    int sv[2];
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(sv[1], 1);
        execv(ambind_bin, (char *const *)args);
        _exit(127);
    }
    close(sv[1]);
    char buf[256] = { 0 };
    union {
        struct cmsghdr align;
        char c[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = { buf, sizeof(buf) - 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.c,
                          .msg_controllen = sizeof(control.c) };
    ssize_t n = recvmsg(sv[0], &msg, 0);
    *fd_out = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_type == SCM_RIGHTS)
            memcpy(fd_out, CMSG_DATA(c), sizeof(int));
    close(sv[0]);
    int status;
    waitpid(pid, &status, 0);
    return g_strdup(buf);
}

static void
test_refusals(void)
{
    const char *const outside[] = { "ambind", "inet", "22", "22", NULL };
    const char *const high[] = { "ambind", "inet", "1000", "2000", NULL };
    const char *const family[] = { "ambind", "unix", "600", "700", NULL };
    const char *const *cases[] = { outside, high, family };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        int fd;
        g_autofree char *text = run_ambind(cases[i], &fd);
        g_assert_true(g_str_has_prefix(text, "ERROR ambind:"));
        g_assert_cmpint(fd, ==, -1);
    }
    /* stdout that is not a socket: refused before anything else */
    g_autofree char *cmd = g_strdup_printf("%s inet 600 700 >/dev/null 2>&1", ambind_bin);
    int status = system(cmd);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
}

static void
test_reserved_socket(void)
{
    stream_port_range_t range = { 600, 700 };
    g_autoptr(GError) err = NULL;
    int fd = ambind_socket(AF_INET, &range, &err);
    if (geteuid() != 0) {
        g_assert_cmpint(fd, ==, -1);
        g_assert_nonnull(strstr(err->message, "not installed setuid root"));
        return;
    }
    g_assert_no_error(err);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    int port = ntohs(a.sin_port);
    g_assert_cmpint(port, >=, 600);
    g_assert_cmpint(port, <=, 700);

    /* it connects from that port */
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in l = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&l, sizeof(l)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    len = sizeof(l);
    getsockname(lfd, (struct sockaddr *)&l, &len);
    int rc = connect(fd, (struct sockaddr *)&l, sizeof(l));
    g_assert_true(rc == 0 || errno == EINPROGRESS);
    struct sockaddr_in peer;
    len = sizeof(peer);
    int afd = accept(lfd, (struct sockaddr *)&peer, &len);
    g_assert_cmpint(afd, >=, 0);
    g_assert_cmpint(ntohs(peer.sin_port), ==, port);
    close(afd);
    close(lfd);
    close(fd);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* the helper built next to this test, found as ambind_socket finds it */
    g_autofree char *dir = g_path_get_dirname(argv[0]);
    g_autofree char *libexec = g_build_filename(dir, "..", NULL);
    g_setenv("AMANDA_LIBEXECDIR", libexec, TRUE);
    ambind_bin = g_build_filename(libexec, "ambind", NULL);
    g_test_add_func("/ambind/refusals", test_refusals);
    g_test_add_func("/ambind/reserved-socket", test_reserved_socket);
    return g_test_run();
}
