/* amgtar-tar: GNU tar command lines for each amgtar command, and the
 * names of the listed-incremental snapshot files.
 *
 * Everything here is pure (strings in, argv out) so the exact command
 * line for every command and property is unit-tested.  The argv arrays
 * are NULL-terminated GPtrArrays of newly allocated strings. */
#ifndef AMGTAR_TAR_H
#define AMGTAR_TAR_H

#include <glib.h>
#include "amgtar-args.h"

/* Temporary list files handed to tar (NULL when not used). */
typedef struct {
    const char *files_from;    /* --files-from, replaces "." */
    const char *exclude_from;  /* --exclude-from */
} AmgtarLists;

/* "<host>_<disk>" with '/', ':' and '\\' turned into '_'. */
char *amgtar_snapshot_base(const char *host, const char *disk);
/* "<listdir>/<base>_<level>" */
char *amgtar_snapshot_path(const char *listdir, const char *host,
                           const char *disk, int level);

/* tar --create --file - ... --verbose --block-number . */
GPtrArray *amgtar_argv_backup(const AmgtarArgs *a, const char *snapshot,
                              const AmgtarLists *lists);
/* tar --create --file /dev/null ... --totals . */
GPtrArray *amgtar_argv_estimate(const AmgtarArgs *a, const char *snapshot,
                                const AmgtarLists *lists);
/* tar --extract --file - --listed-incremental=/dev/null ... [--files-from L] */
GPtrArray *amgtar_argv_restore(const AmgtarArgs *a, const char *target,
                               const char *files_from);
/* tar --list --file - (index and validate) */
GPtrArray *amgtar_argv_list(const AmgtarArgs *a);

/* "a b 'c d'" style rendering for the debug log. */
char *amgtar_argv_to_string(GPtrArray *argv);

#endif
