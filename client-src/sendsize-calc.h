/* sendsize-calc: the fallback estimate when an application has neither
 * CLIENT-ESTIMATE nor CALCSIZE: walk the tree (one file system, symlinks
 * not followed) and add up what a tar archive of it would hold (a 512-byte
 * header per entry plus the data rounded up to 512 bytes).  The DLE's
 * exclude patterns (<exclude><file>) are matched against entry names.
 * The result is a level-0 size; it is also an upper bound for any
 * incremental level, which is what we report for them. */
#ifndef SENDSIZE_CALC_H
#define SENDSIZE_CALC_H

#include <glib.h>

#include "dle.h"

/* Size in KiB of the tree at DIR, or FALSE with ERROR when DIR cannot be
 * read at all (unreadable entries below it are skipped). */
gboolean sendsize_calc_tree(const char *dir, const dle_t *dle, gint64 *kib, GError **error);

/* The tar-archive bytes of one entry of SIZE bytes (regular file) or of a
 * non-file entry (SIZE 0). */
guint64 sendsize_calc_entry_bytes(guint64 size);

#endif
