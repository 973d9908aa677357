/* disklist: the list of disk list entries (DLEs) of a configuration.
 *
 * Each line is "host disk [device] dumptype [spindle [interface]]", where
 * dumptype is a name defined in amanda.conf or an inline "{ ... }" block
 * (whose first lines may name parent dumptypes, as in a define).  Lines
 * may also be "includefile "path"".  Errors are collected as
 * "FILE:LINE: message" like the config parser's. */
#ifndef DISKLIST_H
#define DISKLIST_H

#include "conf.h"

typedef struct {
    char *host;
    char *disk;
    char *device;               /* NULL when not given (use disk) */
    char *dumptype_name;        /* name, or "custom(host:disk)" if inline */
    const conf_section_t *dumptype;  /* resolved values; never NULL */
    int spindle;                /* -1 when not given */
    char *interface;            /* NULL when not given */
    const char *file;
    int line;
} disklist_entry_t;

typedef struct disklist disklist_t;

/* An empty disklist whose dumptypes come from CONF (which must outlive
 * it). */
disklist_t *disklist_new(conf_t *conf);
void disklist_free(disklist_t *dl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(disklist_t, disklist_free)

/* Parse a buffer as the file FILENAME; FALSE if it added errors. */
gboolean disklist_parse_buffer(disklist_t *dl, const char *buf, gsize len,
                               const char *filename);
gboolean disklist_parse_file(disklist_t *dl, const char *path);
/* Read PATH, or the config's diskfile when PATH is NULL.  Never NULL. */
disklist_t *disklist_load(conf_t *conf, const char *path);

/* disklist_entry_t* in file order. */
const GPtrArray *disklist_entries(const disklist_t *dl);
const GPtrArray *disklist_errors(const disklist_t *dl);
const GPtrArray *disklist_warnings(const disklist_t *dl);
const disklist_entry_t *disklist_find(const disklist_t *dl, const char *host,
                                      const char *disk);

#endif
