/* amandahosts: who may connect to amandad, from ~dumpuser/.amandahosts.
 *
 * Each line is "host [user [service ...]]"; '#' starts a comment.  The
 * user defaults to the local dump user, the service list to the amdump
 * set (noop selfcheck sendsize sendbackup), and the word "amdump" in a
 * list stands for that set.  A peer is allowed when a line names its host,
 * the remote user and the requested service.  The host check is AMANDA's:
 * the peer address must reverse-resolve to a name that resolves back to
 * the address, and a listed name must resolve to the address (or equal the
 * peer's verified name, case-insensitively; "localhost" matches loopback).
 *
 * Parsing is pure; name resolution goes through a replaceable table so
 * tests run without DNS. */
#ifndef AMANDAHOSTS_H
#define AMANDAHOSTS_H

#include <glib.h>
#include <sys/stat.h>
#include <sys/types.h>

#define AMANDAHOSTS_ERROR (amandahosts_error_quark())
GQuark amandahosts_error_quark(void);
typedef enum {
    AMANDAHOSTS_ERROR_SYNTAX,   /* a NUL or control byte in the file */
    AMANDAHOSTS_ERROR_UNSAFE,   /* wrong owner, writable by others, not a file */
    AMANDAHOSTS_ERROR_IO,       /* cannot read it */
} amandahosts_error_t;

typedef struct {
    char *host;          /* as written */
    char *user;          /* as written, or the default user */
    GPtrArray *services; /* of char*, "amdump" already expanded */
    int lineno;
} amandahosts_rule_t;

typedef struct {
    char *path;          /* for messages */
    GPtrArray *rules;    /* of amandahosts_rule_t* */
} amandahosts_t;

/* Name resolution.  FORWARD appends the numeric addresses of NAME to ADDRS
 * (char*, g_free'd by the caller) and returns FALSE if it has none.
 * REVERSE returns the name of a numeric address (g_malloc'd) or NULL. */
typedef struct {
    gboolean (*forward)(void *ctx, const char *name, GPtrArray *addrs);
    char *(*reverse)(void *ctx, const char *addr);
    void *ctx;
} amandahosts_resolver_t;

/* getaddrinfo / getnameinfo. */
const amandahosts_resolver_t *amandahosts_system_resolver(void);

/* Parse LEN bytes of a .amandahosts file.  PATH is used in messages only;
 * DEFAULT_USER is the user for lines that name none. */
amandahosts_t *amandahosts_parse(const char *buf, gsize len, const char *path,
                                 const char *default_user, GError **error);
void amandahosts_free(amandahosts_t *hosts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(amandahosts_t, amandahosts_free)

/* Refuse a file AMANDA would refuse: not a regular file, not owned by
 * OWNER, or writable by group or others.  The message names the file and
 * the fix. */
gboolean amandahosts_check_stat(const struct stat *st, const char *path, uid_t owner,
                                GError **error);
/* lstat + amandahosts_check_stat (owner = geteuid()) + read + parse. */
amandahosts_t *amandahosts_load(const char *path, const char *default_user, GError **error);

/* May REMOTE_USER on the peer (PEER_ADDR numeric, or NULL for a transport
 * without addresses such as auth=local, where PEER_NAME is trusted) run
 * SERVICE?  *REASON (optional, g_malloc'd) says why, naming host, user,
 * service and the file. */
gboolean amandahosts_check(const amandahosts_t *hosts, const char *peer_name,
                           const char *peer_addr, const char *remote_user,
                           const char *service, const amandahosts_resolver_t *resolver,
                           char **reason);

/* Is SERVICE one of the amdump set (noop selfcheck sendsize sendbackup)? */
gboolean amandahosts_is_amdump_service(const char *service);

#endif
