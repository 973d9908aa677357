/* ambind-client: a reserved-port TCP socket for a program that runs as the
 * dump user, from the setuid-root helper ambind (see ambind.c), as AMANDA
 * 3.5 gets one.  Used by the bsdtcp driver when it wants a reserved port
 * and is not root itself. */
#ifndef AMBIND_CLIENT_H
#define AMBIND_CLIENT_H

#include <glib.h>

#include "stream-ports.h"

/* TRUE when $libexecdir/amanda/ambind exists, is executable by us and is
 * setuid root (so asking it can succeed). */
gboolean ambind_available(void);

/* A new, unconnected SOCK_STREAM socket of FAMILY (AF_INET or AF_INET6)
 * bound to a free port of RANGE by ambind; close-on-exec and non-blocking.
 * -1 with ERROR (ambind's own message, or why it could not be run). */
int ambind_socket(int family, const stream_port_range_t *range, GError **error);

#endif
