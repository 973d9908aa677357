/* Unit tests for amandahosts: parsing, every allow/deny path of the check
 * through a fake resolver (no DNS), the file safety checks and loading. */
#include "config.h"
#include "amandahosts.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a fake DNS: name -> addresses, address -> name ---- */
static const char *const fake_forward[][3] = {
    {"client.example.com", "192.0.2.10", "2001:db8::10"},
    {"alias.example.com", "192.0.2.10", NULL},
    {"other.example.com", "192.0.2.99", NULL},
    {"liar.example.com", "203.0.113.6", NULL},
    {"localhost", "127.0.0.1", "::1"},
};
static const char *const fake_reverse[][2] = {
    {"192.0.2.10", "client.example.com"},
    {"2001:db8::10", "Client.Example.Com."},
    {"192.0.2.99", "other.example.com"},
    {"203.0.113.5", "liar.example.com"},
    {"127.0.0.1", "localhost"},
};
static int forward_calls;

static gboolean
fake_fwd(void *ctx, const char *name, GPtrArray *addrs)
{
    (void)ctx;
    forward_calls++;
    g_autofree char *bare = g_strdup(name);
    if (*bare && bare[strlen(bare) - 1] == '.') /* like DNS: "a.b." is "a.b" */
        bare[strlen(bare) - 1] = '\0';
    for (gsize i = 0; i < G_N_ELEMENTS(fake_forward); i++) {
        if (g_ascii_strcasecmp(fake_forward[i][0], bare) != 0)
            continue;
        for (int j = 1; j < 3 && fake_forward[i][j]; j++)
            g_ptr_array_add(addrs, g_strdup(fake_forward[i][j]));
        return TRUE;
    }
    return FALSE;
}

static char *
fake_rev(void *ctx, const char *addr)
{
    (void)ctx;
    for (gsize i = 0; i < G_N_ELEMENTS(fake_reverse); i++)
        if (strcmp(fake_reverse[i][0], addr) == 0)
            return g_strdup(fake_reverse[i][1]);
    return NULL;
}

static const amandahosts_resolver_t fake = {fake_fwd, fake_rev, NULL};

static const char sample[] =
    "# who may back up this client\n"
    "\n"
    "client.example.com backup amdump amindexd   # the server\n"
    "alias.example.com   operator\n"
    "  other.example.com\tbackup selfcheck\r\n"
    "localhost backup\n"
    "localhost root amindexd amidxtaped\n";

static amandahosts_t *
load_sample(void)
{
    g_autoptr(GError) err = NULL;
    amandahosts_t *h = amandahosts_parse(sample, strlen(sample), "/var/backups/.amandahosts",
                                         "backup", &err);
    g_assert_no_error(err);
    return h;
}

static void
test_parse(void)
{
    g_autoptr(amandahosts_t) h = load_sample();
    g_assert_cmpuint(h->rules->len, ==, 5);
    amandahosts_rule_t *r = h->rules->pdata[0];
    g_assert_cmpstr(r->host, ==, "client.example.com");
    g_assert_cmpstr(r->user, ==, "backup");
    g_assert_cmpint(r->lineno, ==, 3);
    g_assert_cmpuint(r->services->len, ==, 5); /* amdump expanded + amindexd */
    g_assert_cmpstr(r->services->pdata[0], ==, "noop");
    g_assert_cmpstr(r->services->pdata[3], ==, "sendbackup");
    g_assert_cmpstr(r->services->pdata[4], ==, "amindexd");
    r = h->rules->pdata[1];
    g_assert_cmpstr(r->user, ==, "operator");
    g_assert_cmpuint(r->services->len, ==, 4); /* default: the amdump set */
    r = h->rules->pdata[2];
    g_assert_cmpstr(r->host, ==, "other.example.com");
    g_assert_cmpuint(r->services->len, ==, 1);
    g_assert_cmpstr(r->services->pdata[0], ==, "selfcheck");
    r = h->rules->pdata[3];
    g_assert_cmpstr(r->user, ==, "backup");
    g_assert_cmpint(r->lineno, ==, 6);

    g_autoptr(amandahosts_t) empty = amandahosts_parse("", 0, NULL, "backup", NULL);
    g_assert_cmpuint(empty->rules->len, ==, 0);
    g_autoptr(amandahosts_t) noeol = amandahosts_parse("h", 1, NULL, NULL, NULL);
    g_assert_cmpstr(((amandahosts_rule_t *)noeol->rules->pdata[0])->user, ==, g_get_user_name());

    g_autoptr(GError) err = NULL;
    g_assert_null(amandahosts_parse("ok\nbad\0line\n", 12, "/h/.amandahosts", "b", &err));
    g_assert_error(err, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_SYNTAX);
    g_assert_cmpstr(err->message, ==, "/h/.amandahosts:2: control byte 0x00; is this really a .amandahosts file?");

    g_assert_true(amandahosts_is_amdump_service("sendsize"));
    g_assert_false(amandahosts_is_amdump_service("amindexd"));
}

static void
expect(const amandahosts_t *h, const char *name, const char *addr, const char *user,
       const char *service, gboolean allowed, const char *reason_expected)
{
    g_autofree char *reason = NULL;
    gboolean got = amandahosts_check(h, name, addr, user, service, &fake, &reason);
    if (got != allowed || (reason_expected && g_strcmp0(reason, reason_expected) != 0))
        g_error("%s/%s %s %s: got %s \"%s\", expected %s \"%s\"", name ? name : "-",
                addr ? addr : "-", user, service, got ? "allowed" : "denied", reason,
                allowed ? "allowed" : "denied", reason_expected ? reason_expected : "*");
    g_assert_nonnull(reason);
}

static void
test_allow_paths(void)
{
    g_autoptr(amandahosts_t) h = load_sample();
    expect(h, NULL, "192.0.2.10", "backup", "sendbackup", TRUE,
           "user backup on host client.example.com (192.0.2.10) may run service sendbackup "
           "(/var/backups/.amandahosts:3)");
    expect(h, NULL, "192.0.2.10", "backup", "amindexd", TRUE, NULL);
    /* listed under another name that resolves to the address */
    expect(h, NULL, "192.0.2.10", "operator", "noop", TRUE,
           "user operator on host client.example.com (192.0.2.10) may run service noop "
           "(/var/backups/.amandahosts:4)");
    /* IPv6, reverse name in another case with a trailing dot */
    expect(h, NULL, "2001:db8::10", "backup", "sendsize", TRUE, NULL);
    /* IPv4-mapped IPv6 address of a listed host */
    expect(h, NULL, "::ffff:192.0.2.10", "backup", "selfcheck", TRUE,
           "user backup on host client.example.com (::ffff:192.0.2.10) may run service "
           "selfcheck (/var/backups/.amandahosts:3)");
    /* loopback without reverse DNS is localhost */
    expect(h, NULL, "127.0.0.2", "backup", "sendbackup", TRUE, NULL);
    expect(h, NULL, "127.0.0.1", "root", "amidxtaped", TRUE, NULL);
    expect(h, NULL, "::1", "backup", "noop", TRUE, NULL);
    /* a transport without addresses (auth=local): the given name counts */
    expect(h, "LOCALHOST", NULL, "backup", "selfcheck", TRUE, NULL);
    /* reason may be NULL */
    g_assert_true(amandahosts_check(h, NULL, "192.0.2.10", "backup", "noop", &fake, NULL));
}

static void
test_deny_paths(void)
{
    g_autoptr(amandahosts_t) h = load_sample();
    expect(h, NULL, "198.51.100.7", "backup", "noop", FALSE,
           "cannot find a host name for address 198.51.100.7 (reverse DNS); "
           "forward and reverse lookups must agree");
    expect(h, NULL, "203.0.113.5", "backup", "noop", FALSE,
           "address 203.0.113.5 reverse-resolves to liar.example.com, but liar.example.com "
           "does not resolve back to 203.0.113.5; fix DNS or /etc/hosts");
    expect(h, NULL, "192.0.2.99", "backup", "sendbackup", FALSE,
           "user backup on host other.example.com (192.0.2.99) may not run service sendbackup "
           "(add it to /var/backups/.amandahosts:5)");
    expect(h, NULL, "192.0.2.10", "bob", "sendbackup", FALSE,
           "user bob on host client.example.com (192.0.2.10) is not listed in "
           "/var/backups/.amandahosts");
    expect(h, NULL, "192.0.2.10", "operator", "amindexd", FALSE,
           "user operator on host client.example.com (192.0.2.10) may not run service amindexd "
           "(add it to /var/backups/.amandahosts:4)");
    expect(h, NULL, "127.0.0.2", "backup", "amindexd", FALSE,
           "user backup on host localhost (127.0.0.2) may not run service amindexd "
           "(add it to /var/backups/.amandahosts:6)");
    expect(h, "somewhere", NULL, "backup", "noop", FALSE,
           "host somewhere is not listed in /var/backups/.amandahosts");
    expect(h, NULL, NULL, "backup", "noop", FALSE, "the peer has neither a name nor an address");

    g_autoptr(amandahosts_t) only = amandahosts_parse("client.example.com\n", 19,
                                                      "/x/.amandahosts", "backup", NULL);
    expect(only, NULL, "127.0.0.2", "backup", "noop", FALSE,
           "host localhost (127.0.0.2) is not listed in /x/.amandahosts");
    /* the listed name must not be trusted just because it resolves: the
     * peer's own address must reverse-resolve consistently first */
    forward_calls = 0;
    expect(only, NULL, "203.0.113.6", "backup", "noop", FALSE, NULL);
    g_assert_cmpint(forward_calls, ==, 0);
}

static void
test_check_stat(void)
{
    struct stat st = {0};
    g_autoptr(GError) err = NULL;
    st.st_mode = S_IFREG | 0600;
    st.st_uid = 34;
    g_assert_true(amandahosts_check_stat(&st, "/v/.amandahosts", 34, &err));
    g_assert_no_error(err);
    st.st_mode = S_IFREG | 0644;
    g_assert_true(amandahosts_check_stat(&st, "/v/.amandahosts", 34, NULL));

    g_assert_false(amandahosts_check_stat(&st, "/v/.amandahosts", 0, &err));
    g_assert_error(err, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_UNSAFE);
    g_assert_nonnull(strstr(err->message, "/v/.amandahosts is owned by uid 34, not by uid 0"));
    g_clear_error(&err);
    st.st_mode = S_IFREG | 0620;
    g_assert_false(amandahosts_check_stat(&st, "/v/.amandahosts", 34, &err));
    g_assert_cmpstr(err->message, ==, "/v/.amandahosts is writable by its group; refusing "
                    "to trust it (chmod go-w /v/.amandahosts)");
    g_clear_error(&err);
    st.st_mode = S_IFREG | 0602;
    g_assert_false(amandahosts_check_stat(&st, "/v/.amandahosts", 34, &err));
    g_assert_nonnull(strstr(err->message, "writable by everyone"));
    g_clear_error(&err);
    st.st_mode = S_IFDIR | 0700;
    g_assert_false(amandahosts_check_stat(&st, "/v/.amandahosts", 34, &err));
    g_assert_nonnull(strstr(err->message, "not a regular file"));
}

static void
test_load(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("amandahosts-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *path = g_build_filename(dir, ".amandahosts", NULL);
    g_autofree char *link = g_build_filename(dir, "link", NULL);
    g_assert_true(g_file_set_contents(path, sample, -1, NULL));
    g_assert_cmpint(g_chmod(path, 0600), ==, 0);
    g_autoptr(amandahosts_t) h = amandahosts_load(path, "backup", &err);
    g_assert_no_error(err);
    g_assert_cmpuint(h->rules->len, ==, 5);
    g_assert_cmpstr(h->path, ==, path);

    g_assert_cmpint(g_chmod(path, 0666), ==, 0);
    g_assert_null(amandahosts_load(path, "backup", &err));
    g_assert_error(err, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_UNSAFE);
    g_assert_nonnull(strstr(err->message, path));
    g_clear_error(&err);

    g_assert_cmpint(symlink(path, link), ==, 0);
    g_assert_null(amandahosts_load(link, "backup", &err));
    g_assert_error(err, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_UNSAFE);
    g_assert_nonnull(strstr(err->message, "symbolic link"));
    g_clear_error(&err);

    g_assert_null(amandahosts_load(dir, "backup", &err)); /* a directory */
    g_assert_error(err, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_UNSAFE);
    g_clear_error(&err);

    g_unlink(link);
    g_unlink(path);
    g_assert_null(amandahosts_load(path, "backup", &err));
    g_assert_error(err, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "cannot open"));
    g_rmdir(dir);
}

/* The real resolver on the loopback address: allowed either through
 * /etc/hosts or through the loopback rule, never an error. */
static void
test_system_resolver(void)
{
    g_autoptr(amandahosts_t) h = amandahosts_parse("localhost backup\n", 17, "/x", "b", NULL);
    g_autofree char *reason = NULL;
    gboolean ok = amandahosts_check(h, NULL, "127.0.0.1", "backup", "sendsize", NULL, &reason);
    if (!ok)
        g_error("loopback refused: %s", reason);
    g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
    const amandahosts_resolver_t *sys = amandahosts_system_resolver();
    g_assert_true(sys->forward(sys->ctx, "127.0.0.1", addrs));
    g_assert_cmpstr(addrs->pdata[0], ==, "127.0.0.1");
    g_assert_null(sys->reverse(sys->ctx, "not-an-address"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/amandahosts/parse", test_parse);
    g_test_add_func("/amandahosts/allow", test_allow_paths);
    g_test_add_func("/amandahosts/deny", test_deny_paths);
    g_test_add_func("/amandahosts/check-stat", test_check_stat);
    g_test_add_func("/amandahosts/load", test_load);
    g_test_add_func("/amandahosts/system-resolver", test_system_resolver);
    return g_test_run();
}
