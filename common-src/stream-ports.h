/* stream-ports: which local ports our sockets may use.  Firewalls and NAT
 * are set up for AMANDA's port ranges, so every socket the security
 * drivers bind goes through here:
 *   - running as root, or as the dump user with a setuid-root ambind
 *     installed (ambind-client.h), connections come from a reserved port
 *     (< 1024), "reserved_tcp_port" / "reserved_udp_port" (default
 *     512,1023), so the client can tell the request comes from a
 *     privileged program;
 *   - otherwise "tcpportrange" (then "unreserved_tcp_port") or
 *     "udpportrange" when set, else the range given to configure
 *     (--with-tcpportrange / --with-udpportrange), else any port.
 * A range is written "LOW,HIGH" as in amanda.conf (blanks or '-' also
 * accepted between the numbers). */
#ifndef STREAM_PORTS_H
#define STREAM_PORTS_H

#include <glib.h>

#include "security.h"

typedef struct {
    int low, high;
} stream_port_range_t;

#define STREAM_PORTS_ERROR stream_ports_error_quark()
GQuark stream_ports_error_quark(void);
typedef enum {
    STREAM_PORTS_ERROR_SYNTAX,
    STREAM_PORTS_ERROR_FULL,
    STREAM_PORTS_ERROR_SYSTEM,
} stream_ports_error_t;

/* Parse TEXT ("LOW,HIGH", 1 <= LOW <= HIGH <= 65535).  NAME (the config
 * key) goes into the error message. */
gboolean stream_port_range_parse(const char *text, const char *name, stream_port_range_t *range,
                                 GError **error);

/* The range a socket of PROTO ("tcp" or "udp") must be bound in, asked
 * through CONF_FN: TRUE with *RANGE and *NAME (the key it came from) set,
 * FALSE with *ERROR NULL when any port will do, FALSE with *ERROR set when
 * the configured value is malformed.  PRIVILEGED: the caller runs as root
 * and wants a reserved port. */
gboolean stream_ports_for(security_conf_fn_t conf_fn, void *conf_arg, const char *proto,
                          gboolean privileged, stream_port_range_t *range, const char **name,
                          GError **error);

/* Bind FD (an AF_INET or AF_INET6 socket of that FAMILY) to a free port of
 * RANGE, trying each once from a varying start.  Returns the port, or -1
 * with ERROR: "no free port in NAME LOW,HIGH (all N in use)" or the
 * system's reason (e.g. a reserved port without root). */
int stream_ports_bind(int fd, int family, const stream_port_range_t *range, const char *name,
                      GError **error);

#endif
