/* amcheck: internal interface between amcheck.c (command line, server and
 * volume checks) and amcheck-client.c (selfcheck of every client). */
#ifndef AMCHECK_H
#define AMCHECK_H

#include <glib.h>
#include "conf.h"

/* Collected output and problem count of one part of the check. */
typedef struct {
    GString *out;
    int problems;
} amcheck_part_t;

/* Send a selfcheck request to every host of the selected DLEs (WORDS:
 * AMANDA's "host [disk...]" selection, NWORDS 0 = all), print the client
 * section into PART. */
void amcheck_clients(conf_t *conf, char **words, int nwords, amcheck_part_t *part);

#endif
