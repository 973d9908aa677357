/* dumper-filter: external programs the dumper passes a dump through on the
 * server (server_custom_compress, server_encrypt): a pipeline of child
 * processes fed by dumper_filter_write, whose output a reader thread hands
 * to a sink.  The sink runs in that thread only. */
#ifndef DUMPER_FILTER_H
#define DUMPER_FILTER_H

#include <glib.h>

typedef gboolean (*dumper_filter_sink)(void *arg, const void *buf, gsize len, GError **error);
typedef struct dumper_filter dumper_filter_t;

/* CMDS: argv arrays (NULL-terminated), run as CMDS[0] | CMDS[1] | ...;
 * NCMDS >= 1. */
dumper_filter_t *dumper_filter_start(char **const *cmds, int ncmds, dumper_filter_sink sink,
                                     void *arg, GError **error);
/* Blocking write into the first program. */
gboolean dumper_filter_write(dumper_filter_t *f, const void *buf, gsize len, GError **error);
/* End of input: wait for the output to drain and every program to exit
 * with status 0.  Frees F. */
gboolean dumper_filter_finish(dumper_filter_t *f, GError **error);

#endif
