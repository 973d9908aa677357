/* dumpuser: run only as the configured dump user (see dumpuser.h). */
#include "config.h"
#include "dumpuser.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *
dumpuser_mismatch(const conf_t *conf)
{
    const char *want = conf_get_str(conf, CNF_DUMPUSER);
    if (!want || !*want)
        return NULL;
    /* the real user: a copy installed setuid root (for reserved ports, as
     * AMANDA installs its planner, dumper and amcheck) is still the
     * dump user's program */
    struct passwd *pw = getpwuid(getuid());
    g_autofree char *me = pw ? g_strdup(pw->pw_name) : g_strdup_printf("uid %u", (unsigned)getuid());
    if (strcmp(me, want) == 0)
        return NULL;
    return g_strdup_printf("must be executed as the \"%s\" user instead of the \"%s\" user "
                           "(change user to \"%s\", or set dumpuser \"%s\" in amanda.conf)",
                           want, me, want, me);
}

void
dumpuser_require(const conf_t *conf, const char *prog)
{
    g_autofree char *why = dumpuser_mismatch(conf);
    if (!why)
        return;
    fprintf(stderr, "%s: %s\n", prog, why);
    exit(1);
}
