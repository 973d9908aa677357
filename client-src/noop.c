/* noop: the feature exchange service.  The server sends it before a
 * selfcheck or an estimate to learn which protocol variants we speak; the
 * reply is our feature mask and nothing else. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "client-util.h"
#include "debug.h"

int main(int argc, char **argv)
{
    GError *err = NULL;

    client_service_start("noop", argc, argv);
    g_autoptr(client_request_t) req = client_read_request(STDIN_FILENO, &err);
    if (!req) {
        /* The answer is the same whatever was asked: just note it. */
        debug_printf("ignoring a bad noop request: %s", err->message);
        g_clear_error(&err);
    }
    fputs(client_options_reply(), stdout);
    fflush(stdout);
    debug_printf("noop done");
    debug_close();
    return 0;
}
