/* server-dle: the server's view of one DLE, built from its disklist entry
 * and dumptype: the <dle> element sent to the client (dle.h), and the
 * dumptype values the planner, driver and dumper consult.  Shared by
 * planner, dumper and amcheck-like tools so every request describes a DLE
 * the same way. */
#ifndef SERVER_DLE_H
#define SERVER_DLE_H

#include <glib.h>
#include "conf.h"
#include "disklist.h"
#include "dle.h"

/* A dle_t for ENTRY with the given levels (LEVELS[i], SERVER[i] may be
 * NULL) - NLEVELS may be 0. */
dle_t *server_dle_new(const conf_t *conf, const disklist_entry_t *entry, const int *levels,
                      const gboolean *server, int nlevels);

/* Dumptype value helpers. */
gint64 server_dle_int(const disklist_entry_t *entry, int id);
const char *server_dle_str(const disklist_entry_t *entry, int id);
/* A dumptype value, or the global parameter of the same name when the
 * dumptype does not set it (AMANDA's dumptypes inherit dumpcycle, bump*,
 * maxdumps from the global section). */
const conf_value_t *server_dle_inherited(const conf_t *conf, const disklist_entry_t *entry,
                                         int dt_id, conf_param_t global_id);
/* maxdumps of the entry (dumptype, else global). */
int server_dle_maxdumps(const conf_t *conf, const disklist_entry_t *entry);
/* COMP_* of the dumptype. */
int server_dle_compress(const disklist_entry_t *entry);
/* The auth driver name ("bsdtcp", "local"...). */
const char *server_dle_auth(const disklist_entry_t *entry);
/* Compression suffix in tape headers: ".gz" or NULL when uncompressed. */
const char *server_dle_comp_suffix(const disklist_entry_t *entry);

/* Let server_dle_security_conf answer amanda.conf's reserved_tcp_port and
 * unreserved_tcp_port (when set there) from CONF, which must outlive the
 * requests. */
void server_dle_set_conf(const conf_t *conf);

/* Answer security_conf_fn_t questions from the dumptype of the entry
 * (client_username, amandad_path, client_port). */
const char *server_dle_security_conf(const char *key, void *entry);

#endif
