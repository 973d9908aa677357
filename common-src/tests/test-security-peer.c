/* The peer test-security spawns through the local driver, standing in for
 * "amandad -auth=local": it accepts on stdin/stdout and serves the data
 * exchange of test-security-common.c for each request. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "security.h"
#include "test-security-common.h"

static void
on_request(void *arg, security_handle_t *handle, pkt_t *pkt)
{
    (void)arg;
    xchg_peer_serve(handle, pkt);
}

int
main(int argc, char **argv)
{
    const char *auth = "local";
    for (int i = 1; i < argc; i++)
        if (g_str_has_prefix(argv[i], "-auth="))
            auth = argv[i] + 6;
    const security_driver_t *drv = security_getdriver(auth);
    g_autoptr(GError) err = NULL;
    if (!drv || !security_accept(drv, NULL, NULL, 0, 1, on_request, NULL, &err)) {
        fprintf(stderr, "test-security-peer: %s\n", err ? err->message : "unknown auth");
        return 1;
    }
    event_loop(0);
    return 0;
}
