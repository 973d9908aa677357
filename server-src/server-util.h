/* server-util: what every amdump-pipeline program does first: load the
 * configuration and disklist (stopping with every FILE:LINE error), find
 * the catalogue paths, pick the DLEs named on the command line, and write
 * to the run log. */
#ifndef SERVER_UTIL_H
#define SERVER_UTIL_H

#include <glib.h>
#include "conf.h"
#include "disklist.h"
#include "logfile.h"

/* Load config NAME with -o overrides; prints the errors and exits 1 when
 * it cannot be used. */
conf_t *server_load_config(const char *name, char **overrides);
/* Load the disklist; prints the errors and exits 1 when it has any. */
disklist_t *server_load_disklist(conf_t *conf);
/* A path parameter (infofile, logdir, indexdir, tapelist, ...) made
 * absolute against the config directory. */
char *server_conf_path(const conf_t *conf, conf_param_t id);

/* AMANDA's "HOST [DISK ...] [HOST [DISK ...]]" selection: each word names
 * a host (shell glob, case-insensitive) if some DLE's host matches it,
 * else a disk of the preceding host.  No words: everything. */
gboolean server_dle_selected(char **words, int nwords, const disklist_t *dl,
                             const char *host, const char *disk);

/* The run log used by this process (opened by server_log_open, or NULL). */
void server_log_open(const char *path);
void server_log(logfile_type_t type, logfile_program_t prog, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void server_log_close(void);

/* Seconds since START (g_get_monotonic_time units). */
double server_elapsed(gint64 start_us);

#endif
