/* security: the driver table and the generic entry points.  Each entry
 * point forwards to the driver; the ones not written yet are table entries
 * whose every operation fails with a message naming the auth. */
#include "config.h"
#include "security.h"
#include "security-tcpm.h"

#include <stdarg.h>
#include <string.h>

#include "debug.h"
#include "event.h"

G_DEFINE_QUARK(amanda-security-error-quark, security_error)

/* --- deferred one-shot callbacks ---------------------------------------- */

typedef struct {
    event_handle_t *ev;
    void (*fn)(void *);
    void *arg;
} deferred_t;

static void
run_deferred(void *arg)
{
    deferred_t *d = arg;
    event_release(d->ev);
    d->fn(d->arg);
    g_free(d);
}

void
security_defer(void (*fn)(void *arg), void *arg)
{
    deferred_t *d = g_new0(deferred_t, 1);
    d->fn = fn;
    d->arg = arg;
    d->ev = event_register_ms(0, run_deferred, d);
}

/* --- drivers listed but not written yet ---------------------------------- */

typedef struct {
    security_handle_t sech;
    security_connect_fn_t fn;
    void *arg;
} stub_handle_t;

static void
stub_report(void *arg)
{
    stub_handle_t *h = arg;
    h->fn(h->arg, &h->sech, S_ERROR);
}

static void
stub_connect(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
             void *conf_arg, security_connect_fn_t fn, void *arg)
{
    (void)conf_fn;
    (void)conf_arg;
    stub_handle_t *h = g_new0(stub_handle_t, 1);
    security_handle_init(&h->sech, drv);
    security_seterror(&h->sech, "%s: auth \"%s\" is not implemented yet", host, drv->name);
    h->fn = fn;
    h->arg = arg;
    security_defer(stub_report, h);
}

static gboolean
stub_accept(const security_driver_t *drv, security_conf_fn_t conf_fn, void *conf_arg, int in_fd,
            int out_fd, security_accept_fn_t fn, void *arg, GError **error)
{
    (void)conf_fn, (void)conf_arg, (void)in_fd, (void)out_fd, (void)fn, (void)arg;
    g_set_error(error, SECURITY_ERROR, 0, "auth \"%s\" is not implemented yet", drv->name);
    return FALSE;
}

static void
stub_close(security_handle_t *handle)
{
    security_handle_clear(handle);
    g_free(handle);
}

static int
stub_sendpkt(security_handle_t *handle, const pkt_t *pkt)
{
    (void)pkt;
    security_seterror(handle, "auth \"%s\" is not implemented yet", handle->driver->name);
    return -1;
}

#define STUB_DRIVER(NAME) \
    { .name = NAME, .connect = stub_connect, .accept = stub_accept, .close = stub_close, \
      .sendpkt = stub_sendpkt }

static const security_driver_t stub_drivers[] = {
    STUB_DRIVER("bsd"), STUB_DRIVER("bsdudp"), STUB_DRIVER("ssh"),
    STUB_DRIVER("ssl"), STUB_DRIVER("krb5"),
};

const security_driver_t *
security_getdriver(const char *name)
{
    const security_driver_t *working[] = { &security_bsdtcp_driver, &security_local_driver };
    for (unsigned i = 0; i < G_N_ELEMENTS(working); i++)
        if (g_ascii_strcasecmp(name, working[i]->name) == 0)
            return working[i];
    for (unsigned i = 0; i < G_N_ELEMENTS(stub_drivers); i++)
        if (g_ascii_strcasecmp(name, stub_drivers[i].name) == 0)
            return &stub_drivers[i];
    dbprintf("security_getdriver: unknown auth \"%s\"", name);
    return NULL;
}

gboolean
security_driver_is_implemented(const security_driver_t *drv)
{
    return drv->accept != stub_accept;
}

/* --- generic parts -------------------------------------------------------- */

void
security_handle_init(security_handle_t *handle, const security_driver_t *drv)
{
    handle->driver = drv;
    handle->error = NULL;
}

void
security_handle_clear(security_handle_t *handle)
{
    g_clear_pointer(&handle->error, g_free);
}

void
security_stream_init(security_stream_t *stream, const security_driver_t *drv)
{
    stream->driver = drv;
    stream->error = NULL;
}

void
security_stream_clear(security_stream_t *stream)
{
    g_clear_pointer(&stream->error, g_free);
}

const char *
security_geterror(security_handle_t *handle)
{
    return handle->error ? handle->error : "no error";
}

void
security_seterror(security_handle_t *handle, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(handle->error);
    handle->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

const char *
security_stream_geterror(security_stream_t *stream)
{
    return stream->error ? stream->error : "no error";
}

void
security_stream_seterror(security_stream_t *stream, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(stream->error);
    stream->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* --- forwarding entry points --------------------------------------------- */

void
security_connect(const security_driver_t *drv, const char *host, security_conf_fn_t conf_fn,
                 void *conf_arg, security_connect_fn_t fn, void *arg)
{
    dbprintf("security_connect: auth %s to %s", drv->name, host);
    drv->connect(drv, host, conf_fn, conf_arg, fn, arg);
}

gboolean
security_accept(const security_driver_t *drv, security_conf_fn_t conf_fn, void *conf_arg,
                int in_fd, int out_fd, security_accept_fn_t fn, void *arg, GError **error)
{
    return drv->accept(drv, conf_fn, conf_arg, in_fd, out_fd, fn, arg, error);
}

void security_close(security_handle_t *h) { h->driver->close(h); }
int security_sendpkt(security_handle_t *h, const pkt_t *pkt) { return h->driver->sendpkt(h, pkt); }

void
security_recvpkt(security_handle_t *h, security_recvpkt_fn_t fn, void *arg, int timeout_ms)
{
    h->driver->recvpkt(h, fn, arg, timeout_ms);
}

void security_recvpkt_cancel(security_handle_t *h) { h->driver->recvpkt_cancel(h); }

const char *
security_peer_name(security_handle_t *h)
{
    return h->driver->peer_name ? h->driver->peer_name(h) : NULL;
}

const char *
security_peer_address(security_handle_t *h)
{
    return h->driver->peer_address ? h->driver->peer_address(h) : NULL;
}

security_stream_t *security_stream_server(security_handle_t *h) { return h->driver->stream_server(h); }
int security_stream_accept(security_stream_t *s) { return s->driver->stream_accept(s); }

security_stream_t *
security_stream_client(security_handle_t *h, int id)
{
    return h->driver->stream_client(h, id);
}

void security_stream_close(security_stream_t *s) { s->driver->stream_close(s); }
int security_stream_auth(security_stream_t *s) { return s->driver->stream_auth(s); }
int security_stream_id(security_stream_t *s) { return s->driver->stream_id(s); }

int
security_stream_write(security_stream_t *s, const void *buf, size_t size)
{
    return s->driver->stream_write(s, buf, size);
}

void
security_stream_write_async(security_stream_t *s, const void *buf, size_t size,
                            security_write_fn_t fn, void *arg)
{
    s->driver->stream_write_async(s, buf, size, fn, arg);
}

void
security_stream_read(security_stream_t *s, security_read_fn_t fn, void *arg)
{
    s->driver->stream_read(s, fn, arg);
}

ssize_t
security_stream_read_sync(security_stream_t *s, void **buf)
{
    return s->driver->stream_read_sync(s, buf);
}

void security_stream_read_cancel(security_stream_t *s) { s->driver->stream_read_cancel(s); }
