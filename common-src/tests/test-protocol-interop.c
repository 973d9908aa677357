/* Wire compatibility with the real AMANDA 3.5 client, when this machine
 * has one (Debian's amanda-client: /usr/lib/amanda/amandad); skipped
 * otherwise.  amandad is run the way inetd runs it, with the accepted
 * bsdtcp socket as stdin/stdout and as the dump user, and we talk to it
 * through protocol_sendreq and the security API:
 *   - noop: REQ, ACK, REP, ACK;
 *   - sendbackup of a small tree with amgtar: the REP's CONNECT line gives
 *     four multiplexed streams (DATA, MESG, INDEX, STATE) that we read to
 *     EOF; the tar image's length must match the size amgtar reports;
 *   - auth "local": we spawn amandad -auth=local on a socketpair (from a
 *     child running as the dump user, as amandad requires). */
#include "config.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "protocol.h"
#include "security.h"

#define REAL_AMANDAD "/usr/lib/amanda/amandad"
#define REAL_AMGTAR "/usr/lib/amanda/application/amgtar"
#define FEATURES "ffffffff9efefbfffffffffffffff3fffbf71f"

typedef struct {
    int lfd;
    uid_t uid;
    gid_t gid;
    event_handle_t *ev;
    GPid pid;
    char port[16];
} real_peer_t;

/* inetd's job: amandad gets the accepted socket as stdin/stdout and runs
 * as the dump user. */
static void
real_accept(void *arg)
{
    real_peer_t *rp = arg;
    int fd = accept(rp->lfd, NULL, NULL);
    event_release(rp->ev);
    rp->ev = NULL;
    g_assert_cmpint(fd, >=, 0);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        if (setgid(rp->gid) != 0 || setuid(rp->uid) != 0)
            _exit(126);
        execl(REAL_AMANDAD, "amandad", "-auth=bsdtcp", "amdump", (char *)NULL);
        _exit(127);
    }
    rp->pid = pid;
    close(fd);
}

/* FALSE (test skipped) when there is no real amandad to talk to. */
static gboolean
real_peer_start(real_peer_t *rp)
{
    struct passwd *pw = getpwnam("backup");
    if (geteuid() != 0 || !pw || !g_file_test(REAL_AMANDAD, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("needs root, user backup and AMANDA 3.5's " REAL_AMANDAD);
        return FALSE;
    }
    *rp = (real_peer_t){ .uid = pw->pw_uid, .gid = pw->pw_gid, .pid = -1 };
    struct sockaddr_in sin = { .sin_family = AF_INET };
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    rp->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(rp->lfd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(rp->lfd, 1), ==, 0);
    g_assert_cmpint(getsockname(rp->lfd, (struct sockaddr *)&sin, &len), ==, 0);
    g_snprintf(rp->port, sizeof(rp->port), "%d", ntohs(sin.sin_port));
    rp->ev = event_register(rp->lfd, EV_READFD, real_accept, rp);
    return TRUE;
}

static void
real_peer_finish(real_peer_t *rp)
{
    if (rp->ev)
        event_release(rp->ev);
    if (rp->pid > 0)
        waitpid(rp->pid, NULL, 0);
    close(rp->lfd);
}

static const char *
conf_port(const char *key, void *arg)
{
    return strcmp(key, "client_port") == 0 ? arg : NULL;
}

/* --- the replies --------------------------------------------------------- */

#define NSTREAMS 4

typedef struct {
    security_stream_t *s;
    GString *data;
    gboolean eof;
    char *error;
} rstream_t;

typedef struct {
    gboolean done;
    security_status_t status;
    pktype_t type;
    char *body;
    char *error;
    rstream_t st[NSTREAMS];
    int open_streams;
} reply_t;

static void
stream_data(void *arg, void *buf, ssize_t size)
{
    rstream_t *rs = arg;
    if (size > 0) {
        g_string_append_len(rs->data, buf, size);
        return;
    }
    if (size < 0)
        rs->error = g_strdup(security_stream_geterror(rs->s));
    rs->eof = TRUE;
    security_stream_close(rs->s);
    rs->s = NULL;
}

/* Opens the CONNECT streams (sendbackup) while the handle is ours. */
static void
got_reply(void *arg, pkt_t *pkt, security_handle_t *h, security_status_t status)
{
    reply_t *r = arg;
    if (pkt && pkt->type == P_PREP)
        return;
    r->done = TRUE;
    r->status = status;
    if (!pkt) {
        r->error = g_strdup(security_geterror(h));
        return;
    }
    r->type = pkt->type;
    r->body = g_strdup(pkt->body->str);
    int ids[NSTREAMS];
    if (pkt->type != P_REP ||
        sscanf(pkt->body->str, "CONNECT DATA %d MESG %d INDEX %d STATE %d", &ids[0], &ids[1],
               &ids[2], &ids[3]) != NSTREAMS)
        return;
    for (int i = 0; i < NSTREAMS; i++) {
        r->st[i].data = g_string_new(NULL);
        r->st[i].s = security_stream_client(h, ids[i]);
        g_assert_nonnull(r->st[i].s);
        security_stream_read(r->st[i].s, stream_data, &r->st[i]);
    }
}

static void
reply_clear(reply_t *r)
{
    g_free(r->body);
    g_free(r->error);
    for (int i = 0; i < NSTREAMS; i++) {
        if (r->st[i].data)
            g_string_free(r->st[i].data, TRUE);
        g_free(r->st[i].error);
    }
}

static gboolean
streams_open(reply_t *r)
{
    for (int i = 0; i < NSTREAMS; i++)
        if (r->st[i].data && !r->st[i].eof)
            return TRUE;
    return FALSE;
}

/* Send BODY to a fresh amandad and wait for the reply and its streams.
 * FALSE (skipped) when amandad refused us: this machine's .amandahosts. */
static gboolean
real_request(const char *body, reply_t *r)
{
    real_peer_t rp;
    if (!real_peer_start(&rp))
        return FALSE;
    memset(r, 0, sizeof(*r));
    /* As root we connect from a reserved port, which amandad insists on;
     * the request names the dump user, as AMANDA's setuid programs do. */
    protocol_sendreq("127.0.0.1", security_getdriver("bsdtcp"), conf_port, rp.port, body, 60,
                     got_reply, r);
    protocol_run_until_done();
    while (streams_open(r))
        g_main_context_iteration(NULL, TRUE);
    real_peer_finish(&rp);
    if (r->status == S_OK && r->type == P_NAK) {
        g_autofree char *why = g_strdup_printf("amandad refused (check ~backup/.amandahosts): %s",
                                               r->body);
        g_test_skip(why);
        return FALSE;
    }
    if (r->error)
        g_error("request to the real amandad failed: %s", r->error);
    return TRUE;
}

static void
test_noop(void)
{
    reply_t r;
    if (!real_request("SECURITY USER backup\nSERVICE noop\nOPTIONS features=" FEATURES ";\n", &r))
        return;
    g_assert_cmpint(r.type, ==, P_REP);
    g_assert_cmpstr(r.body, ==, "OPTIONS features=" FEATURES ";\n");
    reply_clear(&r);
}

/* A small tree (300 KiB of data and a subdirectory) owned by USER. */
static char *
make_tree(uid_t uid, gid_t gid, char **listdir)
{
    char *top = g_dir_make_tmp("interop-XXXXXX", NULL);
    g_assert_nonnull(top);
    g_autofree char *tree = g_build_filename(top, "tree", NULL);
    g_autofree char *sub = g_build_filename(tree, "sub", NULL);
    *listdir = g_build_filename(top, "lists", NULL);
    g_assert_cmpint(g_mkdir_with_parents(sub, 0755), ==, 0);
    g_assert_cmpint(g_mkdir_with_parents(*listdir, 0755), ==, 0);
    g_autofree char *a = g_build_filename(tree, "a.bin", NULL);
    g_autofree char *b = g_build_filename(sub, "b.txt", NULL);
    char *big = g_malloc(300 * 1024);
    for (int i = 0; i < 300 * 1024; i++)
        big[i] = (char)(i * 7 + i / 1000);
    g_assert_true(g_file_set_contents(a, big, 300 * 1024, NULL));
    g_assert_true(g_file_set_contents(b, "hello\n", -1, NULL));
    g_free(big);
    const char *paths[] = { top, tree, sub, *listdir, a, b };
    for (unsigned i = 0; i < G_N_ELEMENTS(paths); i++)
        g_assert_cmpint(chown(paths[i], uid, gid), ==, 0);
    return top;
}

static void
remove_tree(const char *top)
{
    const char *argv[] = { "rm", "-rf", top, NULL };
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, NULL, NULL));
}

static void
test_sendbackup_streams(void)
{
    struct passwd *pw = getpwnam("backup");
    if (!pw || !g_file_test(REAL_AMGTAR, G_FILE_TEST_IS_EXECUTABLE) || geteuid() != 0) {
        g_test_skip("needs root, user backup and AMANDA 3.5's " REAL_AMGTAR);
        return;
    }
    g_autofree char *listdir = NULL;
    g_autofree char *top = make_tree(pw->pw_uid, pw->pw_gid, &listdir);
    g_autofree char *body = g_strdup_printf(
        "SECURITY USER backup\nSERVICE sendbackup\n"
        "OPTIONS features=" FEATURES ";maxdumps=1;hostname=localhost;config=SecInterop;"
        "timestamp=20261125120000;\n"
        "<dle>\n  <program>APPLICATION</program>\n  <disk>%s/tree</disk>\n  <level>0</level>\n"
        "  <auth>bsdtcp</auth>\n  <record>NO</record>\n  <index>YES</index>\n"
        "  <datapath>AMANDA</datapath>\n  <backup-program>\n    <plugin>amgtar</plugin>\n"
        "    <property>\n      <name>gnutar-listdir</name>\n      <value>%s</value>\n"
        "    </property>\n  </backup-program>\n</dle>\n", top, listdir);
    reply_t r;
    gboolean ran = real_request(body, &r);
    remove_tree(top);
    if (!ran)
        return;
    g_assert_cmpint(r.type, ==, P_REP);
    g_assert_true(g_str_has_prefix(r.body, "CONNECT DATA "));
    for (int i = 0; i < NSTREAMS; i++) {
        g_assert_true(r.st[i].eof);
        g_assert_null(r.st[i].error);
    }
    const GString *data = r.st[0].data, *mesg = r.st[1].data, *index = r.st[2].data;
    g_assert_nonnull(strstr(mesg->str, "sendbackup: end\n"));
    g_autofree char *size_line = g_strdup_printf("sendbackup: size %zu\n", data->len / 1024);
    g_assert_nonnull(strstr(mesg->str, size_line));
    g_assert_cmpuint(data->len % 10240, ==, 0);  /* a whole tar image */
    g_assert_cmpuint(data->len, >, 300 * 1024);
    g_assert_nonnull(strstr(index->str, "/a.bin\n"));
    g_assert_nonnull(strstr(index->str, "/sub/b.txt\n"));
    reply_clear(&r);
}

/* --- auth "local": we spawn the real amandad ourselves ------------------- */

static const char *
conf_local(const char *key, void *arg)
{
    (void)arg;
    return strcmp(key, "amandad_path") == 0 ? REAL_AMANDAD : NULL;
}

/* The child's side of test_local_driver, already running as the dump user
 * (amandad -auth=local refuses any other): exit 0 on the expected REP. */
static int
local_child(void)
{
    reply_t r = { 0 };
    protocol_sendreq("localhost", security_getdriver("local"), conf_local, NULL,
                     "SERVICE noop\nOPTIONS features=" FEATURES ";\n", 30, got_reply, &r);
    protocol_run_until_done();
    if (r.status != S_OK || r.type != P_REP ||
        g_strcmp0(r.body, "OPTIONS features=" FEATURES ";\n") != 0) {
        fprintf(stderr, "local driver: %s\n", r.error ? r.error : r.body);
        return 1;
    }
    reply_clear(&r);
    return 0;
}

static char *self_path;

static void
test_local_driver(void)
{
    struct passwd *pw = getpwnam("backup");
    if (geteuid() != 0 || !pw || !g_file_test(REAL_AMANDAD, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("needs root, user backup and AMANDA 3.5's " REAL_AMANDAD);
        return;
    }
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
            _exit(126);
        execl(self_path, self_path, "--local-child", (char *)NULL);
        _exit(127);  /* our build tree is not readable by the dump user */
    }
    int status = 0;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 127 || WEXITSTATUS(status) == 126) {
        g_test_skip("the dump user cannot run this test program from its build tree");
        return;
    }
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--local-child") == 0)
        return local_child();
    self_path = g_canonicalize_filename(argv[0], NULL);
    g_test_init(&argc, &argv, NULL);
    alarm(300);  /* a hang becomes a failure, never a stuck CI */
    g_test_add_func("/interop/noop", test_noop);
    g_test_add_func("/interop/sendbackup-streams", test_sendbackup_streams);
    g_test_add_func("/interop/local-driver", test_local_driver);
    int rc = g_test_run();
    g_free(self_path);
    return rc;
}
