/* amgtar-run: the parts of amgtar that touch the system: running tar
 * (directly or through the amgtar-runtar helper), the listed-incremental
 * snapshot files, and the temporary include/exclude lists handed to tar. */
#ifndef AMGTAR_RUN_H
#define AMGTAR_RUN_H

#include <glib.h>
#include <sys/types.h>
#include <time.h>
#include "amgtar-args.h"
#include "amgtar-tar.h"

/* Mark every descriptor from 3 up close-on-exec, so tar inherits only
 * what amgtar hands it. */
void amgtar_cloexec_from(int first_fd);

/* Start ARGV (NULL-terminated) with stdin IN_FD and stdout OUT_FD (-1:
 * /dev/null); its stderr is returned through *ERR_FD (a pipe) when ERR_FD
 * is non-NULL, else it is ours.  LC_ALL=C so messages can be classified. */
pid_t amgtar_spawn(char *const *argv, int in_fd, int out_fd, int *err_fd,
                   GError **error);
/* Wait for PID; *STATUS gets the exit code, or 128+signal.  The text form
 * for messages goes to *WHAT (newly allocated, may be NULL). */
void amgtar_wait(pid_t pid, int *status, char **what);

/* The helper to use, or NULL when tar should run directly (amgtar is
 * root, or the helper is missing or not setuid root). */
char *amgtar_helper_path(void);
/* Why ARGS cannot go through the helper (names the option), or NULL. */
char *amgtar_helper_incompatible(const AmgtarArgs *a);
/* [helper, op, config, host, disk, level, NULL] */
GPtrArray *amgtar_helper_argv(const char *helper, const char *op, const AmgtarArgs *a,
                              int level);

/* The listdir in use: the GNUTAR-LISTDIR property or the default. */
const char *amgtar_listdir(const AmgtarArgs *a);
/* Create "<listdir>/<host>_<disk>_<level><suffix>" as a copy of the
 * snapshot of the highest existing level below LEVEL (empty for level 0
 * or when none exists: then *NOTE says so).  Returns the path. */
char *amgtar_snapshot_prepare(const AmgtarArgs *a, int level, const char *suffix,
                              char **note, GError **error);
/* After a recorded backup: .new becomes the level's snapshot and the
 * snapshots of higher levels go. */
gboolean amgtar_snapshot_commit(const AmgtarArgs *a, int level, GError **error);
/* The time a snapshot's dump started (from tar's header, else the file's
 * mtime); FALSE if unreadable. */
gboolean amgtar_snapshot_time(const char *path, struct timespec *when);

/* Build the --files-from / --exclude-from temp files for ARGS, relative to
 * DIR.  Paths go in LISTS (free with amgtar_lists_clear, which also
 * unlinks them); problems a user should see are appended to NOTES. */
gboolean amgtar_lists_build(const AmgtarArgs *a, const char *dir, AmgtarLists *lists,
                            GPtrArray *notes, GError **error);
void amgtar_lists_clear(AmgtarLists *lists);

/* Write LINES to a new temp file (escaping '\\' and newlines for tar's
 * unquoting when ESCAPE); returns its path. */
char *amgtar_write_temp_list(GPtrArray *lines, gboolean escape, GError **error);

#endif
