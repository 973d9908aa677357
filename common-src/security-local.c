/* security-local: auth "local".  The server runs amandad (-auth=local)
 * itself with one end of a socketpair as its stdin and stdout, and both
 * sides speak the multiplexed framing of security-tcpm.c: no network, no
 * inetd.  The peer is this host. */
#include "config.h"
#include "security-tcpm.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "amanda_paths.h"
#include "debug.h"

typedef struct {
    security_connect_fn_t fn;
    void *arg;
    security_handle_t *handle;
    security_status_t status;
} connect_report_t;

static void
report_connect(void *arg)
{
    connect_report_t *r = arg;
    r->fn(r->arg, r->handle, r->status);
    g_free(r);
}

/* argv: the amandad path (config or default), -auth=local, then any
 * "peer_args" the caller gives (tests use it to pick a mode). */
static GPtrArray *
peer_argv(security_conf_fn_t conf_fn, void *conf_arg)
{
    const char *path = conf_fn ? conf_fn("amandad_path", conf_arg) : NULL;
    const char *extra = conf_fn ? conf_fn("peer_args", conf_arg) : NULL;
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    if (path && *path)
        g_ptr_array_add(argv, g_strdup(path));
    else
        g_ptr_array_add(argv, g_build_filename(amanda_libexec_dir(), "amandad", NULL));
    g_ptr_array_add(argv, g_strdup("-auth=local"));
    if (extra) {
        g_auto(GStrv) words = g_strsplit_set(extra, " \t", -1);
        for (char **w = words; *w; w++)
            if (**w)
                g_ptr_array_add(argv, g_strdup(*w));
    }
    g_ptr_array_add(argv, NULL);
    return argv;
}

/* Spawn the peer on a socketpair; our end's fd, or -1 with *ERROR set. */
static int
spawn_peer(security_conf_fn_t conf_fn, void *conf_arg, GPid *pid, char **error)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        *error = g_strdup_printf("socketpair failed: %s", g_strerror(errno));
        return -1;
    }
    g_autoptr(GPtrArray) argv = peer_argv(conf_fn, conf_arg);
    g_autoptr(GError) err = NULL;
    gboolean ok = g_spawn_async_with_fds(NULL, (char **)argv->pdata, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, pid,
                                         sv[1], sv[1], -1, &err);
    close(sv[1]);
    if (!ok) {
        *error = g_strdup_printf("cannot run %s: %s", (char *)argv->pdata[0], err->message);
        close(sv[0]);
        return -1;
    }
    dbprintf("local: started %s (pid %d)", (char *)argv->pdata[0], (int)*pid);
    return sv[0];
}

static void
local_connect(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
              void *conf_arg, security_connect_fn_t fn, void *arg)
{
    g_autofree char *error = NULL;
    GPid pid;
    connect_report_t *r = g_new0(connect_report_t, 1);
    r->fn = fn;
    r->arg = arg;
    (void)host;  /* always this host */
    int fd = spawn_peer(conf_fn, conf_arg, &pid, &error);
    if (fd < 0) {
        dbprintf("local: %s", error);
        r->handle = tcpm_failed_handle_new(drv, error);
        r->status = S_ERROR;
    } else {
        tcpm_conn_t *conn = tcpm_conn_new(drv, fd, fd);
        tcpm_conn_set_peer(conn, g_get_host_name(), "local");
        tcpm_conn_set_child(conn, pid);
        r->handle = tcpm_conversation_new(conn);
        r->status = S_OK;
    }
    security_defer(report_connect, r);
}

static gboolean
local_accept(const security_driver_t *drv, security_conf_fn_t conf_fn, void *conf_arg, int in_fd,
             int out_fd, security_accept_fn_t fn, void *arg, GError **error)
{
    (void)conf_fn;
    (void)conf_arg;
    return tcpm_accept_fds(drv, in_fd, out_fd, fn, arg, g_get_host_name(), "local", error);
}

const security_driver_t security_local_driver = {
    .name = "local",
    .connect = local_connect,
    .accept = local_accept,
    TCPM_DRIVER_OPS,
};
