/* dumpuser: the server programs that write the catalogue and the volumes
 * (amdump, amflush, amcheck, amlabel) run only as the configuration's
 * dumpuser, as AMANDA 3.5's do: a run as root would leave root-owned
 * logs, curinfo and vtape files that the nightly run as the dump user
 * could no longer write. */
#ifndef DUMPUSER_H
#define DUMPUSER_H

#include <glib.h>
#include "conf.h"

/* NULL when the real user is CONF's dumpuser; else the message to
 * print (to be freed), naming both users. */
char *dumpuser_mismatch(const conf_t *conf);

/* Print PROG's refusal and exit 1 unless the real user is the dumpuser. */
void dumpuser_require(const conf_t *conf, const char *prog);

#endif
