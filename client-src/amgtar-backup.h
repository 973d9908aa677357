/* amgtar-backup: the estimate and backup commands, and the calcsize walk.
 * Each amgtar_cmd_* returns the process exit status. */
#ifndef AMGTAR_BACKUP_H
#define AMGTAR_BACKUP_H

#include <glib.h>
#include <time.h>
#include "amgtar-args.h"

int amgtar_cmd_estimate(const AmgtarArgs *a);
int amgtar_cmd_backup(const AmgtarArgs *a);

/* Bytes a tar dump of DIR would take counting only files changed since
 * BASE (NULL: everything), staying on one file system when ONE_FS. */
gboolean amgtar_calcsize(const char *dir, const struct timespec *base, gboolean one_fs,
                         guint64 *bytes, GError **error);

#endif
