/* Tests of amandad: the pure request checks, then the daemon itself over
 * bsdtcp on 127.0.0.1, driven as a server drives it -- through the
 * security API (noop, selfcheck, sendsize levels 0 and 1, sendbackup
 * levels 0 and 1 of a generated tree, extracted with GNU tar) and with raw
 * frames for the refusals, which must all arrive on ONE connection and
 * leave it usable for the next request. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amandad.h"
#include "client-util.h"
#include "event.h"
#include "packet.h"
#include "security-tcpm.h"
#include "security.h"

#define FEAT "ffffffff9efefbfffffffffffffff3fffbf71f"

static char *tmpdir, *amandad_bin, *tree, *hosts_file, *port_str;
static int listen_fd = -1;

/* ------------------------------------------------------------ pure parts */

static void expect_refused(const char *body, const char *reason)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(amandad_req_t) r = amandad_parse_req(body, strlen(body), &err);
    g_assert_null(r);
    g_assert_nonnull(err);
    if (!strstr(err->message, reason))
        g_error("\"%s\": got \"%s\", expected it to say \"%s\"", body, err->message, reason);
}

static void test_parse_req(void)
{
    const char *good = "SECURITY USER backup\nSERVICE sendsize\n"
                       "OPTIONS features=ff;maxdumps=2;hostname=h;config=Daily;\n<dle>x</dle>\n";
    g_autoptr(GError) err = NULL;
    g_autoptr(amandad_req_t) r = amandad_parse_req(good, strlen(good), &err);
    g_assert_no_error(err);
    g_assert_cmpstr(r->user, ==, "backup");
    g_assert_cmpstr(r->service, ==, "sendsize");
    g_assert_cmpstr(r->config, ==, "Daily");
    g_assert_true(g_str_has_prefix(r->args, "OPTIONS features=ff;"));
    g_assert_true(g_str_has_suffix(r->args, "<dle>x</dle>\n"));

    g_autoptr(amandad_req_t) n = amandad_parse_req("SERVICE noop\n", 13, NULL);
    g_assert_nonnull(n);
    g_assert_null(n->user);
    g_assert_cmpstr(n->args, ==, "");

    expect_refused("", "no SERVICE line");
    expect_refused("OPTIONS features=ff;\nSERVICE noop\n", "no SERVICE line");
    expect_refused("SECURITY USER\nSERVICE noop\n", "bad SECURITY line");
    expect_refused("SECURITY KERBEROS x\nSERVICE noop\n", "bad SECURITY line");
    expect_refused("SERVICE ../../bin/sh\n", "bad service name");
    expect_refused("SERVICE noop\nOPTIONS features=ff;evil=1;\n", "unknown option \"evil\"");
    expect_refused("SERVICE noop\nOPTIONS features;\n", "is not key=value");
    expect_refused("SERVICE noop\nOPTIONS config=../x;\n", "bad option config");
    expect_refused("SERVICE noop\n\001\n", "control byte 0x01");
    g_autofree char *big = g_strnfill(AMANDAD_REQ_MAX + 1, 'x');
    memcpy(big, "SERVICE noop\n", 13);
    expect_refused(big, "oversized request");
}

static void test_allowed(void)
{
    g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) err = NULL;
    g_assert_true(amandad_add_allowed(a, "amdump", &err));
    g_assert_true(amandad_add_allowed(a, "noop", &err));
    g_assert_true(amandad_add_allowed(a, "amindexd", &err));
    g_assert_cmpuint(a->len, ==, 5);
    g_assert_true(amandad_is_allowed(a, "sendbackup"));
    g_assert_false(amandad_is_allowed(a, "amidxtaped"));
    g_assert_false(amandad_add_allowed(a, "rm", &err));
    g_assert_nonnull(strstr(err->message, "unknown service \"rm\""));
}

static int fake_map(int pair, void *arg)
{
    (void)arg;
    return pair == 4 ? -1 : 499999 - pair;
}

static void test_rewrite_connect(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *l = amandad_rewrite_connect("CONNECT DATA 150 MESG 151 INDEX -1 STATE 153\n",
                                                 fake_map, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(l, ==, "CONNECT DATA 499999 MESG 499998 INDEX -1 STATE 499996\n");
    const char *bad[] = { "CONNECT", "CONNECT DATA", "CONNECT DATA 149", "CONNECT DATA 155",
                          "CONNECT DATA x", "CONNECT D/A 150", "CONNECT DATA 154", NULL };
    for (int i = 0; bad[i]; i++) {
        g_clear_error(&err);
        g_autofree char *r = amandad_rewrite_connect(bad[i], fake_map, NULL, &err);
        g_assert_null(r);
        g_assert_nonnull(err);
    }
}

/* ------------------------------------------------------------ the daemon */

static void write_amandahosts(const char *content)
{
    g_assert_true(g_file_set_contents(hosts_file, content, -1, NULL));
    g_assert_cmpint(chmod(hosts_file, 0600), ==, 0);
}

static GPid spawn_amandad(const char *services)
{
    int fd = accept(listen_fd, NULL, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_ptr_array_add(argv, amandad_bin);
    g_ptr_array_add(argv, (char *)"-auth=bsdtcp");
    g_auto(GStrv) words = g_strsplit(services, " ", -1);
    for (char **w = words; *w; w++)
        if (**w)
            g_ptr_array_add(argv, *w);
    g_ptr_array_add(argv, NULL);
    GPid pid;
    g_autoptr(GError) err = NULL;
    gboolean ok = g_spawn_async_with_fds(NULL, (char **)argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, fd, fd, -1,
                                         &err);
    g_assert_no_error(err);
    g_assert_true(ok);
    close(fd);
    return pid;
}

/* amandad must leave by itself once its connection is closed. */
static void expect_exit(GPid pid)
{
    int status = 0;
    for (int i = 0; i < 200; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (!WIFEXITED(status))
                g_error("amandad died: wait status 0x%x", status);
            g_assert_cmpint(WEXITSTATUS(status), ==, 0);
            return;
        }
        g_usleep(50000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    g_error("amandad did not exit after its connection closed");
}

/* --- as a server, through the security API */

static const char *conf_fn(const char *key, void *arg)
{
    (void)arg;
    return strcmp(key, "client_port") == 0 ? port_str : NULL;
}

typedef struct request request_t;
/* Called with the REP before it is ACKed: streams must exist before the
 * client starts sending on them. */
typedef void (*rep_hook_t)(request_t *r, const char *body);

struct request {
    security_handle_t *h;
    rep_hook_t hook;
    void *hook_arg;
    gboolean done;
    pktype_t type;
    GString *reply;
    int preps;
    char *error;
};

static void on_connected(void *arg, security_handle_t *h, security_status_t st)
{
    request_t *r = arg;
    g_assert_cmpint(st, ==, S_OK);
    r->h = h;
    r->done = TRUE;
}

static void run_until(gboolean *flag)
{
    while (!*flag)
        g_main_context_iteration(NULL, TRUE);
}

static void on_reply(void *arg, pkt_t *pkt, security_status_t st)
{
    request_t *r = arg;
    if (st != S_OK) {
        r->error = g_strdup(st == S_TIMEOUT ? "timeout" : security_geterror(r->h));
        r->done = TRUE;
        return;
    }
    if (pkt->type == P_ACK || pkt->type == P_PREP) {
        r->preps += pkt->type == P_PREP;
        security_recvpkt(r->h, on_reply, r, 60000);
        return;
    }
    if (pkt->type == P_REP) {
        if (r->hook)
            r->hook(r, pkt->body->str);
        pkt_t ack;
        pkt_init(&ack, P_ACK, NULL);
        security_sendpkt(r->h, &ack);
        pkt_clear(&ack);
    }
    r->type = pkt->type;
    g_string_assign(r->reply, pkt->body->str);
    r->done = TRUE;
}

/* Connect, start an amandad for the connection, send one REQ, wait. */
static request_t *request_hook(const char *services, const char *body, GPid *pid,
                               rep_hook_t hook, void *hook_arg)
{
    request_t *r = g_new0(request_t, 1);
    r->hook = hook;
    r->hook_arg = hook_arg;
    r->reply = g_string_new(NULL);
    security_connect(security_getdriver("bsdtcp"), "127.0.0.1", conf_fn, NULL, on_connected, r);
    *pid = spawn_amandad(services);
    run_until(&r->done);
    r->done = FALSE;
    pkt_t req;
    pkt_init(&req, P_REQ, "%s", body);
    g_assert_cmpint(security_sendpkt(r->h, &req), ==, 0);
    pkt_clear(&req);
    security_recvpkt(r->h, on_reply, r, 60000);
    run_until(&r->done);
    g_assert_null(r->error);
    return r;
}

static request_t *request(const char *services, const char *body, GPid *pid)
{
    return request_hook(services, body, pid, NULL, NULL);
}

static void request_free(request_t *r, GPid pid)
{
    security_close(r->h);
    g_string_free(r->reply, TRUE);
    g_free(r->error);
    g_free(r);
    expect_exit(pid);
}

static char *req_body(const char *service, const char *rest)
{
    return g_strdup_printf("SECURITY USER %s\nSERVICE %s\nOPTIONS features=" FEAT
                           ";maxdumps=2;hostname=localhost;config=TestConf;"
                           "timestamp=20261125120000;\n%s",
                           g_get_user_name(), service, rest);
}

static char *dle_xml(int level0, int level1)
{
    GString *s = g_string_new("<dle>\n  <program>APPLICATION</program>\n  <backup-program>\n"
                              "    <plugin>amgtar</plugin>\n  </backup-program>\n");
    g_string_append_printf(s, "  <disk>%s</disk>\n", tree);
    if (level0 >= 0)
        g_string_append_printf(s, "  <level>%d</level>\n", level0);
    if (level1 >= 0)
        g_string_append_printf(s, "  <level>%d</level>\n", level1);
    g_string_append(s, "  <record>YES</record>\n  <index>YES</index>\n"
                       "  <datapath>AMANDA</datapath>\n</dle>\n");
    return g_string_free(s, FALSE);
}

static void test_noop(void)
{
    GPid pid;
    g_autofree char *body = req_body("noop", "");
    request_t *r = request("amdump", body, &pid);
    g_assert_cmpint(r->type, ==, P_REP);
    g_assert_true(g_str_has_prefix(r->reply->str, "OPTIONS features="));
    request_free(r, pid);
}

static void test_selfcheck(void)
{
    GPid pid;
    g_autofree char *dle = dle_xml(0, -1);
    g_autofree char *body = req_body("selfcheck", dle);
    request_t *r = request("amdump", body, &pid);
    g_assert_cmpint(r->type, ==, P_REP);
    if (!strstr(r->reply->str, "\nOK ") || strstr(r->reply->str, "\nERROR"))
        g_error("selfcheck reply:\n%s", r->reply->str);
    request_free(r, pid);
}

static void test_sendsize(void)
{
    GPid pid;
    g_autofree char *dle = dle_xml(0, 1);
    g_autofree char *body = req_body("sendsize", dle);
    request_t *r = request("amdump", body, &pid);
    g_assert_cmpint(r->type, ==, P_REP);
    g_autofree char *l0 = g_strdup_printf("\n%s 0 SIZE ", tree);
    g_autofree char *l1 = g_strdup_printf("\n%s 1 SIZE ", tree);
    if (!strstr(r->reply->str, l0) || !strstr(r->reply->str, l1))
        g_error("sendsize reply:\n%s", r->reply->str);
    gint64 kb0 = g_ascii_strtoll(strstr(r->reply->str, l0) + strlen(l0), NULL, 10);
    g_assert_cmpint(kb0, >, 1000);   /* the tree holds > 1 MiB of data */
    request_free(r, pid);
}

/* --- sendbackup: the streams */

typedef struct {
    security_stream_t *s;
    GByteArray *bytes;
    gboolean eof;
    int *open_streams;
} sink_t;

static void on_stream(void *arg, void *buf, ssize_t size)
{
    sink_t *k = arg;
    if (size > 0) {
        g_byte_array_append(k->bytes, buf, (guint)size);
        return;
    }
    g_assert_cmpint(size, ==, 0);
    k->eof = TRUE;
    security_stream_close(k->s);
    k->s = NULL;
    (*k->open_streams)--;
}

typedef struct {
    sink_t sinks[8];
    int n, open;
    GByteArray *data, *mesg;
} streams_t;

static void open_streams(request_t *r, const char *body)
{
    streams_t *st = r->hook_arg;
    if (!g_str_has_prefix(body, "CONNECT "))
        return;
    g_autofree char *line = g_strndup(body, strcspn(body, "\n"));
    g_auto(GStrv) w = g_strsplit(line, " ", -1);
    for (int i = 1; w[i] && w[i + 1] && st->n < 8; i += 2) {
        int id = atoi(w[i + 1]);
        if (id < 0)
            continue;
        sink_t *k = &st->sinks[st->n++];
        k->bytes = g_byte_array_new();
        k->open_streams = &st->open;
        k->s = security_stream_client(r->h, id);
        if (!k->s)
            g_error("stream %d of \"%s\": %s", id, line, security_geterror(r->h));
        st->open++;
        security_stream_read(k->s, on_stream, k);
        if (strcmp(w[i], "DATA") == 0)
            st->data = k->bytes;
        else if (strcmp(w[i], "MESG") == 0)
            st->mesg = k->bytes;
    }
}

/* Run a sendbackup at LEVEL; DATA and MESG are returned. */
static void backup(int level, GByteArray **data, GByteArray **mesg)
{
    GPid pid;
    streams_t st = { 0 };
    g_autofree char *dle = dle_xml(level, -1);
    g_autofree char *body = req_body("sendbackup", dle);
    request_t *r = request_hook("amdump", body, &pid, open_streams, &st);
    g_assert_cmpint(r->type, ==, P_REP);
    if (!g_str_has_prefix(r->reply->str, "CONNECT "))
        g_error("sendbackup reply:\n%s", r->reply->str);
    g_assert_nonnull(st.data);
    g_assert_nonnull(st.mesg);
    while (st.open > 0)
        g_main_context_iteration(NULL, TRUE);
    for (int i = 0; i < st.n; i++)
        if (st.sinks[i].bytes != st.data && st.sinks[i].bytes != st.mesg)
            g_byte_array_free(st.sinks[i].bytes, TRUE);
    *data = st.data;
    *mesg = st.mesg;
    request_free(r, pid);
}

static char *sh(const char *script)
{
    g_autofree char *out = NULL, *err = NULL;
    int status;
    const char *argv[] = { "/bin/sh", "-ec", script, NULL };
    g_autoptr(GError) e = NULL;
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &e));
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("script failed: %s\n%s%s", script, out, err);
    return g_steal_pointer(&out);
}

static void save(const char *name, GByteArray *b)
{
    g_autofree char *p = g_build_filename(tmpdir, name, NULL);
    g_assert_true(g_file_set_contents(p, (const char *)b->data, b->len, NULL));
}

/* What must survive a backup: types, modes, mtimes, link targets, link
 * counts, sizes, contents, and holes in the sparse file. */
#define DESCRIBE "cd \"$1\" && find . -printf '%p %y %m %T@ %l %n\\n' | sort && " \
                 "find . -type f -printf '%p %s\\n' -exec md5sum {} + | sort && " \
                 "find . -name sparse -printf 'sparse-blocks-small %b\\n' | " \
                 "awk '{ print $1, ($2 < 256) }'"

static void test_sendbackup(void)
{
    GByteArray *data = NULL, *mesg = NULL;
    backup(0, &data, &mesg);
    g_autofree char *m = g_strndup((const char *)mesg->data, mesg->len);
    if (!strstr(m, "sendbackup: size ") || !strstr(m, "sendbackup: end"))
        g_error("MESG of level 0:\n%s", m);
    g_assert_cmpuint(data->len % 512, ==, 0);
    save("l0.tar", data);
    g_byte_array_free(data, TRUE);
    g_byte_array_free(mesg, TRUE);

    g_autofree char *extract = g_strdup_printf(
        "mkdir -p '%s/x0' && tar -x -f '%s/l0.tar' -C '%s/x0' --listed-incremental=/dev/null && "
        "d '%s' > '%s/want' && d '%s/x0' > '%s/got' && diff '%s/want' '%s/got' && echo same",
        tmpdir, tmpdir, tmpdir, tree, tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
    g_autofree char *cmp = g_strconcat("d() { " DESCRIBE "; }\n", extract, NULL);
    g_autofree char *same = sh(cmp);
    g_assert_cmpstr(same, ==, "same\n");

    /* Level 1 after one change holds the change and no unchanged file. */
    g_autofree char *change = g_strdup_printf("sleep 1; echo changed > '%s/sub/new.txt'", tree);
    g_free(sh(change));
    backup(1, &data, &mesg);
    save("l1.tar", data);
    g_autofree char *list_cmd = g_strdup_printf(
        "tar -t -f '%s/l1.tar' --listed-incremental=/dev/null", tmpdir);
    g_autofree char *list = sh(list_cmd);
    if (!strstr(list, "sub/new.txt") || strstr(list, "big.bin") || strstr(list, "sparse"))
        g_error("level 1 lists:\n%s", list);
    g_byte_array_free(data, TRUE);
    g_byte_array_free(mesg, TRUE);
}

/* --- auth=local: the server spawns amandad itself over a socketpair */

static const char *local_services;

static const char *local_conf(const char *key, void *arg)
{
    (void)arg;
    if (strcmp(key, "amandad_path") == 0)
        return amandad_bin;
    return strcmp(key, "peer_args") == 0 ? local_services : NULL;
}

static request_t *local_request(const char *services, const char *body)
{
    request_t *r = g_new0(request_t, 1);
    r->reply = g_string_new(NULL);
    local_services = services;
    security_connect(security_getdriver("local"), "localhost", local_conf, NULL, on_connected, r);
    run_until(&r->done);
    r->done = FALSE;
    pkt_t req;
    pkt_init(&req, P_REQ, "%s", body);
    g_assert_cmpint(security_sendpkt(r->h, &req), ==, 0);
    pkt_clear(&req);
    security_recvpkt(r->h, on_reply, r, 60000);
    run_until(&r->done);
    g_assert_null(r->error);
    return r;
}

static void local_request_free(request_t *r)
{
    security_close(r->h);
    g_string_free(r->reply, TRUE);
    g_free(r);
    /* the local driver reaps amandad from the event loop */
    for (int i = 0; i < 100 && event_count() > 0; i++)
        g_main_context_iteration(NULL, FALSE), g_usleep(20000);
}

static void test_local(void)
{
    /* No SECURITY line and no .amandahosts entry needed: same host, same user. */
    write_amandahosts("otherhost.invalid\n");
    request_t *r = local_request("noop sendsize", "SERVICE noop\nOPTIONS features=" FEAT ";\n");
    g_assert_cmpint(r->type, ==, P_REP);
    g_assert_true(g_str_has_prefix(r->reply->str, "OPTIONS features="));
    local_request_free(r);
    r = local_request("noop", "SERVICE selfcheck\nOPTIONS features=" FEAT ";\n");
    g_assert_cmpint(r->type, ==, P_NAK);
    g_assert_nonnull(strstr(r->reply->str, "service selfcheck is not allowed"));
    local_request_free(r);
    g_autofree char *all = g_strdup_printf("localhost %s amdump\n", g_get_user_name());
    write_amandahosts(all);
}

/* --- refusals with raw frames on one connection */

typedef struct {
    int fd;
    tcpm_decoder_t dec;
} raw_t;

/* AMANDA's form of a packet on a multiplexed connection: type byte, body,
 * NUL. */
static void raw_send(raw_t *c, uint32_t id, pktype_t type, const char *body)
{
    GString *w = g_string_new(NULL);
    g_string_append_c(w, (char)type);
    g_string_append_len(w, body, (gssize)strlen(body) + 1);
    uint8_t hdr[8];
    tcpm_frame_header(hdr, (uint32_t)w->len, id);
    g_assert_cmpint(write(c->fd, hdr, 8), ==, 8);
    for (gsize off = 0; off < w->len;) {
        ssize_t n = write(c->fd, w->str + off, w->len - off);
        g_assert_cmpint(n, >, 0);
        off += (gsize)n;
    }
    g_string_free(w, TRUE);
}

/* Next packet on id ID (other frames are skipped). */
static void raw_recv(raw_t *c, uint32_t id, pkt_t *out)
{
    for (;;) {
        while (!c->dec.frame_ready) {
            struct iovec iov[2];
            int cnt = tcpm_decoder_iov(&c->dec, iov);
            ssize_t n = readv(c->fd, iov, cnt);
            if (n <= 0)
                g_error("amandad closed the connection: %s", n < 0 ? g_strerror(errno) : "EOF");
            g_assert_true(tcpm_decoder_advance(&c->dec, (size_t)n));
        }
        gboolean mine = c->dec.id == id && c->dec.len > 0;
        if (mine) {
            const char *p = (const char *)c->dec.payload;
            g_assert_cmpint(p[c->dec.len - 1], ==, '\0');
            pkt_init(out, (pktype_t)p[0], NULL);
            g_string_append(out->body, p + 1);
        }
        g_assert_true(tcpm_decoder_consume(&c->dec));
        if (mine)
            return;
    }
}

static void expect_nak(raw_t *c, uint32_t id, const char *body, const char *reason)
{
    raw_send(c, id, P_REQ, body);
    pkt_t p;
    raw_recv(c, id, &p);
    if (p.type != P_NAK || !strstr(p.body->str, reason))
        g_error("request %u: expected a NAK saying \"%s\", got %s: %s", id, reason,
                pkt_type2str(p.type), p.body->str);
    g_assert_true(g_str_has_prefix(p.body->str, "ERROR "));
    pkt_clear(&p);
}

static void test_refusals(void)
{
    raw_t c = { .fd = socket(AF_INET, SOCK_STREAM, 0) };
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port_str)) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(c.fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    GPid pid = spawn_amandad("noop selfcheck");
    tcpm_decoder_init(&c.dec, TCPM_RECV_FRAME_MAX);
    uint32_t id = 1;

    g_autofree char *sendsize = req_body("sendsize", "");
    expect_nak(&c, id++, sendsize, "service sendsize is not allowed");
    g_autofree char *bad_opt = req_body("noop", "");
    *strstr(bad_opt, "maxdumps") = 'X';
    expect_nak(&c, id++, bad_opt, "unknown option \"Xaxdumps\"");
    expect_nak(&c, id++, "SECURITY USER x\nOPTIONS features=ff;\n", "no SERVICE line");
    g_autofree char *big = g_strnfill(AMANDAD_REQ_MAX + 100, 'y');
    memcpy(big, "SERVICE noop\n", 13);
    expect_nak(&c, id++, big, "oversized request");
    expect_nak(&c, id++, "SECURITY USER nosuchuser\nSERVICE noop\n",
               "user nosuchuser on host localhost (127.0.0.1) is not listed");
    expect_nak(&c, id++, "SERVICE noop\n", "no SECURITY USER line");
    write_amandahosts("otherhost.invalid\n");
    g_autofree char *noop = req_body("noop", "");
    expect_nak(&c, id++, noop, "is not listed in");
    g_autofree char *hosts = g_strdup_printf("localhost %s noop\n", g_get_user_name());
    write_amandahosts(hosts);
    g_autofree char *sc = req_body("selfcheck", "");
    expect_nak(&c, id++, sc, "may not run service selfcheck");

    g_autofree char *bad_conf = g_build_filename(g_getenv("AMANDA_CONFIG_DIR"),
                                                 "amanda-client-BadConf.conf", NULL);
    g_assert_true(g_file_set_contents(bad_conf, "index_server \"x\"\nno_such_keyword 12\n", -1,
                                      NULL));
    g_autofree char *with_conf = req_body("selfcheck", "");
    char *cfg = strstr(with_conf, "config=TestConf");
    memcpy(cfg, "config=BadConf;", 15);
    memmove(cfg + 15, cfg + 16, strlen(cfg + 16) + 1);   /* "TestConf;" is one longer */
    g_autofree char *hosts_all = g_strdup_printf("localhost %s amdump\n", g_get_user_name());
    write_amandahosts(hosts_all);
    expect_nak(&c, id++, with_conf, "amanda-client-BadConf.conf:2");

    /* ... and the same connection still serves a good request. */
    raw_send(&c, id, P_REQ, noop);
    pkt_t p;
    raw_recv(&c, id, &p);
    g_assert_cmpint(p.type, ==, P_ACK);
    pkt_clear(&p);
    raw_recv(&c, id, &p);
    g_assert_cmpint(p.type, ==, P_REP);
    g_assert_true(g_str_has_prefix(p.body->str, "OPTIONS features="));
    pkt_clear(&p);
    raw_send(&c, id, P_ACK, "");
    close(c.fd);
    tcpm_decoder_clear(&c.dec);
    expect_exit(pid);
    g_autofree char *all = g_strdup_printf("localhost %s amdump\n", g_get_user_name());
    write_amandahosts(all);
}

/* A REP nobody ACKs is resent (3 tries in all), then dropped; a resent
 * REQ is answered again, not run twice; the connection stays usable. */
static void test_retries(void)
{
    raw_t c = { .fd = socket(AF_INET, SOCK_STREAM, 0) };
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port_str)) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(c.fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    GPid pid = spawn_amandad("amdump");
    tcpm_decoder_init(&c.dec, TCPM_RECV_FRAME_MAX);
    g_autofree char *noop = req_body("noop", "");
    pkt_t p;

    raw_send(&c, 1, P_REQ, noop);
    raw_recv(&c, 1, &p);
    g_assert_cmpint(p.type, ==, P_ACK);
    pkt_clear(&p);
    for (int i = 0; i < 3; i++) {   /* the REP, then its two resends */
        raw_recv(&c, 1, &p);
        g_assert_cmpint(p.type, ==, P_REP);
        g_assert_true(g_str_has_prefix(p.body->str, "OPTIONS features="));
        pkt_clear(&p);
    }

    raw_send(&c, 2, P_REQ, noop);
    raw_send(&c, 2, P_REQ, noop);   /* as if our first REQ had been lost */
    int reps = 0, acks = 0;
    while (reps == 0) {
        raw_recv(&c, 2, &p);
        g_assert_cmpint(p.type, !=, P_NAK);
        acks += p.type == P_ACK;
        reps += p.type == P_REP;
        pkt_clear(&p);
    }
    g_assert_cmpint(acks, >=, 1);
    raw_send(&c, 2, P_ACK, "");
    close(c.fd);
    tcpm_decoder_clear(&c.dec);
    expect_exit(pid);
}

/* ------------------------------------------------------------ setup */

static void make_tree(void)
{
    tree = g_build_filename(tmpdir, "tree", NULL);
    g_autofree char *script = g_strdup_printf(
        "T='%s'; mkdir -p \"$T/sub/deep\" \"$T/empty\"; cd \"$T\"\n"
        "echo hello > a.txt; chmod 640 a.txt\n"
        "head -c 2000000 /dev/urandom > big.bin\n"
        "seq 1 50000 > sub/numbers.txt; chmod 600 sub/numbers.txt\n"
        "printf 'x%%.0s' $(seq 1 100) > 'sub/deep/name with spaces'\n"
        "ln -s a.txt link; ln -s ../missing sub/dangling\n"
        "ln a.txt hard.txt\n"
        "truncate -s 20M sparse; printf data | dd of=sparse bs=1 seek=10000000 conv=notrunc "
        "2>/dev/null\n"
        "chmod 750 sub/deep\n"
        "find . -exec touch -h -d @1700000000 {} +\n",
        tree);
    g_free(sh(script));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    alarm(240);   /* never hang a test run */
    signal(SIGPIPE, SIG_IGN);
    tmpdir = g_dir_make_tmp("test-amandad-XXXXXX", NULL);
    amandad_bin = g_test_build_filename(G_TEST_BUILT, "..", "amandad", NULL);
    g_autofree char *libexec = g_test_build_filename(G_TEST_BUILT, "..", NULL);
    g_autofree char *confdir = g_build_filename(tmpdir, "etc", NULL);
    g_autofree char *lists = g_build_filename(tmpdir, "lists", NULL);
    g_mkdir_with_parents(confdir, 0755);
    g_mkdir_with_parents(lists, 0755);
    g_setenv("AMANDA_LIBEXECDIR", libexec, TRUE);
    g_setenv("AMANDA_APPLICATION_DIR", libexec, TRUE);
    g_setenv("AMANDA_CONFIG_DIR", confdir, TRUE);
    g_setenv("AMANDA_GNUTAR_LISTDIR", lists, TRUE);
    hosts_file = g_build_filename(tmpdir, "amandahosts", NULL);
    g_setenv("AMANDA_AMANDAHOSTS", hosts_file, TRUE);
    g_setenv("AMANDAD_ACK_TIMEOUT_MS", "300", TRUE);
    g_autofree char *all = g_strdup_printf("localhost %s amdump\n", g_get_user_name());
    write_amandahosts(all);
    make_tree();

    listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    g_assert_cmpint(bind(listen_fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    g_assert_cmpint(listen(listen_fd, 8), ==, 0);
    g_assert_cmpint(getsockname(listen_fd, (struct sockaddr *)&sa, &len), ==, 0);
    port_str = g_strdup_printf("%d", ntohs(sa.sin_port));

    g_test_add_func("/amandad/parse-req", test_parse_req);
    g_test_add_func("/amandad/allowed", test_allowed);
    g_test_add_func("/amandad/rewrite-connect", test_rewrite_connect);
    g_test_add_func("/amandad/noop", test_noop);
    g_test_add_func("/amandad/selfcheck", test_selfcheck);
    g_test_add_func("/amandad/sendsize", test_sendsize);
    g_test_add_func("/amandad/sendbackup", test_sendbackup);
    g_test_add_func("/amandad/refusals", test_refusals);
    g_test_add_func("/amandad/local", test_local);
    g_test_add_func("/amandad/retries", test_retries);
    int rc = g_test_run();

    g_autofree char *rm = g_strdup_printf("rm -rf '%s'", tmpdir);
    g_free(sh(rm));
    return rc;
}
