/* amandahosts: parse .amandahosts and decide whether a peer may run a
 * service (see amandahosts.h). */
#include "config.h"
#include "amandahosts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

G_DEFINE_QUARK(amandahosts-error-quark, amandahosts_error)

/* The services a line grants when it lists none, and what "amdump" means. */
static const char *const amdump_services[] = {"noop", "selfcheck", "sendsize", "sendbackup"};

/* A .amandahosts file bigger than this is not a hand-written list. */
#define MAX_FILE_BYTES (1024 * 1024)

gboolean
amandahosts_is_amdump_service(const char *service)
{
    for (gsize i = 0; i < G_N_ELEMENTS(amdump_services); i++)
        if (g_ascii_strcasecmp(service, amdump_services[i]) == 0)
            return TRUE;
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* parsing                                                             */

static void
rule_free(gpointer p)
{
    amandahosts_rule_t *rule = p;
    g_free(rule->host);
    g_free(rule->user);
    g_ptr_array_unref(rule->services);
    g_free(rule);
}

void
amandahosts_free(amandahosts_t *hosts)
{
    if (!hosts)
        return;
    g_free(hosts->path);
    g_ptr_array_unref(hosts->rules);
    g_free(hosts);
}

static void
add_services(GPtrArray *services, const char *word)
{
    if (g_ascii_strcasecmp(word, "amdump") != 0) {
        g_ptr_array_add(services, g_strdup(word));
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(amdump_services); i++)
        g_ptr_array_add(services, g_strdup(amdump_services[i]));
}

/* One line's words, up to a word starting with '#'. */
static amandahosts_rule_t *
parse_line(const char *line, int lineno, const char *default_user)
{
    g_auto(GStrv) words = g_strsplit_set(line, " \t\r", -1);
    GPtrArray *kept = g_ptr_array_new();
    for (char **w = words; *w; w++) {
        if (**w == '#')
            break;
        if (**w)
            g_ptr_array_add(kept, *w);
    }
    amandahosts_rule_t *rule = NULL;
    if (kept->len > 0) {
        rule = g_new0(amandahosts_rule_t, 1);
        rule->lineno = lineno;
        rule->host = g_strdup(kept->pdata[0]);
        rule->user = g_strdup(kept->len > 1 ? kept->pdata[1] : default_user);
        rule->services = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 2; i < kept->len; i++)
            add_services(rule->services, kept->pdata[i]);
        if (kept->len <= 2)
            add_services(rule->services, "amdump");
    }
    g_ptr_array_free(kept, TRUE);
    return rule;
}

static gboolean
check_bytes(const char *buf, gsize len, const char *path, GError **error)
{
    int lineno = 1;
    for (gsize i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n')
            lineno++;
        else if (c < ' ' && c != '\t' && c != '\r') {
            g_set_error(error, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_SYNTAX,
                        "%s:%d: control byte 0x%02x; is this really a .amandahosts file?",
                        path, lineno, c);
            return FALSE;
        }
    }
    return TRUE;
}

amandahosts_t *
amandahosts_parse(const char *buf, gsize len, const char *path, const char *default_user,
                  GError **error)
{
    if (!path)
        path = ".amandahosts";
    if (!check_bytes(buf, len, path, error))
        return NULL;
    amandahosts_t *hosts = g_new0(amandahosts_t, 1);
    hosts->path = g_strdup(path);
    hosts->rules = g_ptr_array_new_with_free_func(rule_free);
    g_autofree char *text = g_strndup(buf, len);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        amandahosts_rule_t *rule =
            parse_line(lines[i], i + 1, default_user ? default_user : g_get_user_name());
        if (rule)
            g_ptr_array_add(hosts->rules, rule);
    }
    return hosts;
}

/* ------------------------------------------------------------------ */
/* the file itself                                                     */

gboolean
amandahosts_check_stat(const struct stat *st, const char *path, uid_t owner, GError **error)
{
    if (!S_ISREG(st->st_mode)) {
        g_set_error(error, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_UNSAFE,
                    "%s is not a regular file; refusing to trust it", path);
        return FALSE;
    }
    if (st->st_uid != owner) {
        g_set_error(error, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_UNSAFE,
                    "%s is owned by uid %ld, not by uid %ld that runs amandad; "
                    "refusing to trust it (chown it to the dump user)",
                    path, (long)st->st_uid, (long)owner);
        return FALSE;
    }
    if (st->st_mode & (S_IWGRP | S_IWOTH)) {
        g_set_error(error, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_UNSAFE,
                    "%s is writable by %s; refusing to trust it (chmod go-w %s)",
                    path, (st->st_mode & S_IWOTH) ? "everyone" : "its group", path);
        return FALSE;
    }
    return TRUE;
}

static char *
read_checked(int fd, const char *path, gsize *len, GError **error)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        g_set_error(error, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_IO, "%s: %s",
                    path, g_strerror(errno));
        return NULL;
    }
    if (!amandahosts_check_stat(&st, path, geteuid(), error))
        return NULL;
    if (st.st_size > MAX_FILE_BYTES) {
        g_set_error(error, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_SYNTAX,
                    "%s is %lld bytes long; too big for a .amandahosts file",
                    path, (long long)st.st_size);
        return NULL;
    }
    char *buf = g_malloc(st.st_size + 1);
    ssize_t got = read(fd, buf, st.st_size + 1);
    if (got < 0 || got > st.st_size) {
        g_set_error(error, AMANDAHOSTS_ERROR, AMANDAHOSTS_ERROR_IO, "%s: %s", path,
                    got < 0 ? g_strerror(errno) : "changed while being read");
        g_free(buf);
        return NULL;
    }
    *len = (gsize)got;
    return buf;
}

amandahosts_t *
amandahosts_load(const char *path, const char *default_user, GError **error)
{
    /* open first and check the opened file, so it cannot be swapped
     * between the check and the read; never follow a symlink */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(error, AMANDAHOSTS_ERROR,
                    errno == ELOOP ? AMANDAHOSTS_ERROR_UNSAFE : AMANDAHOSTS_ERROR_IO,
                    "cannot open %s: %s", path,
                    errno == ELOOP ? "it is a symbolic link" : g_strerror(errno));
        return NULL;
    }
    gsize len = 0;
    g_autofree char *buf = read_checked(fd, path, &len, error);
    close(fd);
    if (!buf)
        return NULL;
    return amandahosts_parse(buf, len, path, default_user, error);
}

/* ------------------------------------------------------------------ */
/* addresses and names                                                 */

/* Binary form of a numeric address; IPv4-mapped IPv6 becomes IPv4 so that
 * "::ffff:127.0.0.1" and "127.0.0.1" compare equal.  Returns its length. */
static gsize
addr_bytes(const char *addr, guint8 out[16])
{
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, out) == 1)
        return 4;
    if (inet_pton(AF_INET6, addr, &a6) != 1)
        return 0;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        memcpy(out, &a6.s6_addr[12], 4);
        return 4;
    }
    memcpy(out, &a6, 16);
    return 16;
}

static gboolean
addr_equal(const char *a, const char *b)
{
    guint8 ab[16], bb[16];
    gsize al = addr_bytes(a, ab), bl = addr_bytes(b, bb);
    if (al == 0 || bl == 0)
        return g_ascii_strcasecmp(a, b) == 0;
    return al == bl && memcmp(ab, bb, al) == 0;
}

/* The address as the resolver should see it: a dual-stack socket reports
 * IPv4 peers as "::ffff:a.b.c.d", which reverse DNS knows as "a.b.c.d". */
static char *
canonical_addr(const char *addr)
{
    guint8 b[16];
    char text[INET6_ADDRSTRLEN];
    if (addr_bytes(addr, b) == 4 && inet_ntop(AF_INET, b, text, sizeof(text)))
        return g_strdup(text);
    return g_strdup(addr);
}

static gboolean
is_loopback(const char *addr)
{
    guint8 b[16];
    gsize len = addr_bytes(addr, b);
    static const guint8 v6_loopback[16] = {[15] = 1};
    return (len == 4 && b[0] == 127) || (len == 16 && memcmp(b, v6_loopback, 16) == 0);
}

/* Host names compare case-insensitively and without a trailing dot. */
static gboolean
same_name(const char *a, const char *b)
{
    gsize al = strlen(a), bl = strlen(b);
    if (al && a[al - 1] == '.')
        al--;
    if (bl && b[bl - 1] == '.')
        bl--;
    return al == bl && g_ascii_strncasecmp(a, b, al) == 0;
}

static gboolean
name_has_addr(const amandahosts_resolver_t *r, const char *name, const char *addr)
{
    g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
    if (!r->forward(r->ctx, name, addrs))
        return FALSE;
    for (guint i = 0; i < addrs->len; i++)
        if (addr_equal(addrs->pdata[i], addr))
            return TRUE;
    return FALSE;
}

/* The peer's name, proven by reverse then forward lookup of its address. */
static char *
verified_peer_name(const amandahosts_resolver_t *r, const char *given_addr, char **reason)
{
    g_autofree char *addr = canonical_addr(given_addr);
    char *name = r->reverse(r->ctx, addr);
    if (!name) {
        if (is_loopback(addr))
            return g_strdup("localhost");
        if (reason)
            *reason = g_strdup_printf("cannot find a host name for address %s (reverse DNS); "
                                      "forward and reverse lookups must agree", addr);
        return NULL;
    }
    if (!name_has_addr(r, name, addr)) {
        if (reason)
            *reason = g_strdup_printf("address %s reverse-resolves to %s, but %s does not "
                                      "resolve back to %s; fix DNS or /etc/hosts",
                                      addr, name, name, addr);
        g_free(name);
        return NULL;
    }
    return name;
}

static gboolean
host_matches(const amandahosts_resolver_t *r, const char *listed, const char *peer_name,
             const char *peer_addr)
{
    if (same_name(listed, peer_name))
        return TRUE;
    if (!peer_addr)
        return FALSE;
    if (same_name(listed, "localhost") && is_loopback(peer_addr))
        return TRUE;
    return name_has_addr(r, listed, peer_addr);
}

static gboolean
rule_has_service(const amandahosts_rule_t *rule, const char *service)
{
    for (guint i = 0; i < rule->services->len; i++)
        if (g_ascii_strcasecmp(rule->services->pdata[i], service) == 0)
            return TRUE;
    return FALSE;
}

static void
set_reason(char **reason, char *text)
{
    if (reason)
        *reason = text;
    else
        g_free(text);
}

gboolean
amandahosts_check(const amandahosts_t *hosts, const char *peer_name, const char *peer_addr,
                  const char *remote_user, const char *service,
                  const amandahosts_resolver_t *resolver, char **reason)
{
    if (reason)
        *reason = NULL;
    if (!resolver)
        resolver = amandahosts_system_resolver();
    g_autofree char *name = peer_addr ? verified_peer_name(resolver, peer_addr, reason)
                                      : g_strdup(peer_name);
    if (!name) {
        if (reason && !*reason)
            *reason = g_strdup("the peer has neither a name nor an address");
        return FALSE;
    }
    g_autofree char *who = peer_addr ? g_strdup_printf("%s (%s)", name, peer_addr)
                                     : g_strdup(name);
    const amandahosts_rule_t *user_rule = NULL;
    gboolean host_listed = FALSE;
    for (guint i = 0; i < hosts->rules->len; i++) {
        const amandahosts_rule_t *rule = hosts->rules->pdata[i];
        if (!host_matches(resolver, rule->host, name, peer_addr))
            continue;
        host_listed = TRUE;
        if (strcmp(rule->user, remote_user) != 0)
            continue;
        user_rule = rule;
        if (rule_has_service(rule, service)) {
            set_reason(reason, g_strdup_printf("user %s on host %s may run service %s (%s:%d)",
                                               remote_user, who, service, hosts->path,
                                               rule->lineno));
            return TRUE;
        }
    }
    if (!host_listed)
        set_reason(reason, g_strdup_printf("host %s is not listed in %s", who, hosts->path));
    else if (!user_rule)
        set_reason(reason, g_strdup_printf("user %s on host %s is not listed in %s",
                                           remote_user, who, hosts->path));
    else
        set_reason(reason, g_strdup_printf("user %s on host %s may not run service %s "
                                           "(add it to %s:%d)", remote_user, who, service,
                                           hosts->path, user_rule->lineno));
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* the system resolver                                                 */

static gboolean
system_forward(void *ctx, const char *name, GPtrArray *addrs)
{
    (void)ctx;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(name, NULL, &hints, &res) != 0)
        return FALSE;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char host[NI_MAXHOST];
        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), NULL, 0,
                        NI_NUMERICHOST) == 0)
            g_ptr_array_add(addrs, g_strdup(host));
    }
    freeaddrinfo(res);
    return addrs->len > 0;
}

static char *
system_reverse(void *ctx, const char *addr)
{
    (void)ctx;
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(addr, NULL, &hints, &res) != 0)
        return NULL;
    char host[NI_MAXHOST];
    int rc = getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof(host), NULL, 0,
                         NI_NAMEREQD);
    freeaddrinfo(res);
    return rc == 0 ? g_strdup(host) : NULL;
}

const amandahosts_resolver_t *
amandahosts_system_resolver(void)
{
    static const amandahosts_resolver_t system = {system_forward, system_reverse, NULL};
    return &system;
}
