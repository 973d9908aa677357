/* stream-ports: port ranges and binding inside them (see stream-ports.h). */
#include "config.h"
#include "stream-ports.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

G_DEFINE_QUARK(amanda-stream-ports-error-quark, stream_ports_error)

#define RESERVED_DEFAULT "512,1023"

static gboolean
parse_port(const char **p, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(*p, &end, 10);
    if (end == *p || errno != 0 || v < 1 || v > 65535)
        return FALSE;
    *out = (int)v;
    *p = end;
    return TRUE;
}

gboolean
stream_port_range_parse(const char *text, const char *name, stream_port_range_t *range,
                        GError **error)
{
    const char *p = text;
    int low, high;
    while (g_ascii_isspace(*p))
        p++;
    if (!g_ascii_isdigit(*p) || !parse_port(&p, &low))
        goto bad;
    while (g_ascii_isspace(*p))
        p++;
    if (*p == ',' || *p == '-')
        p++;
    while (g_ascii_isspace(*p))
        p++;
    if (!g_ascii_isdigit(*p) || !parse_port(&p, &high))
        goto bad;
    while (g_ascii_isspace(*p))
        p++;
    if (*p != '\0' || low > high)
        goto bad;
    range->low = low;
    range->high = high;
    return TRUE;
bad:
    g_set_error(error, STREAM_PORTS_ERROR, STREAM_PORTS_ERROR_SYNTAX,
                "%s \"%s\" is not a port range: write LOW,HIGH with 1 <= LOW <= HIGH <= 65535",
                name, text);
    return FALSE;
}

/* The first of KEYS that CONF_FN answers, else FALLBACK (named
 * FALLBACK_NAME); NULL when none. */
static const char *
first_set(security_conf_fn_t conf_fn, void *conf_arg, const char *const *keys,
          const char *fallback, const char *fallback_name, const char **name)
{
    for (; *keys; keys++) {
        const char *v = conf_fn ? conf_fn(*keys, conf_arg) : NULL;
        if (v && *v) {
            *name = *keys;
            return v;
        }
    }
    *name = fallback_name;
    return fallback && *fallback ? fallback : NULL;
}

gboolean
stream_ports_for(security_conf_fn_t conf_fn, void *conf_arg, const char *proto,
                 gboolean privileged, stream_port_range_t *range, const char **name,
                 GError **error)
{
    static const char *const tcp_priv[] = { "reserved_tcp_port", NULL };
    static const char *const udp_priv[] = { "reserved_udp_port", NULL };
    static const char *const tcp_user[] = { "tcpportrange", "unreserved_tcp_port", NULL };
    static const char *const udp_user[] = { "udpportrange", NULL };
    gboolean tcp = strcmp(proto, "udp") != 0;
    const char *key = NULL, *value;
    if (privileged)
        value = first_set(conf_fn, conf_arg, tcp ? tcp_priv : udp_priv, RESERVED_DEFAULT,
                          tcp ? "reserved_tcp_port" : "reserved_udp_port", &key);
    else
        value = first_set(conf_fn, conf_arg, tcp ? tcp_user : udp_user,
                          tcp ? DEFAULT_TCPPORTRANGE : DEFAULT_UDPPORTRANGE,
                          tcp ? "tcpportrange (configure --with-tcpportrange)"
                              : "udpportrange (configure --with-udpportrange)", &key);
    if (!value)
        return FALSE;
    if (!stream_port_range_parse(value, key, range, error))
        return FALSE;
    *name = key;
    return TRUE;
}

static gboolean
bind_port(int fd, int family, int port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof(ss));
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_any;
        s6->sin6_port = htons((uint16_t)port);
        len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_ANY);
        s4->sin_port = htons((uint16_t)port);
        len = sizeof(*s4);
    }
    return bind(fd, (struct sockaddr *)&ss, len) == 0;
}

int
stream_ports_bind(int fd, int family, const stream_port_range_t *range, const char *name,
                  GError **error)
{
    int count = range->high - range->low + 1;
    /* Start somewhere different each time, so that many processes do not
     * all fight over the first port. */
    int start = g_random_int_range(0, count);
    int type = 0;
    socklen_t tl = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM) {
        int on = 1;  /* a port in TIME_WAIT is still fine to connect from */
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    }
    for (int i = 0; i < count; i++) {
        int port = range->low + (start + i) % count;
        if (bind_port(fd, family, port))
            return port;
        if (errno == EADDRINUSE)
            continue;
        g_set_error(error, STREAM_PORTS_ERROR, STREAM_PORTS_ERROR_SYSTEM,
                    "cannot bind port %d of %s %d,%d: %s%s", port, name, range->low, range->high,
                    g_strerror(errno),
                    errno == EACCES && port < 1024 ? " (ports below 1024 need root)" : "");
        return -1;
    }
    g_set_error(error, STREAM_PORTS_ERROR, STREAM_PORTS_ERROR_FULL,
                "no free port in %s %d,%d (all %d in use): widen %s or wait for connections "
                "to end", name, range->low, range->high, count, name);
    return -1;
}
