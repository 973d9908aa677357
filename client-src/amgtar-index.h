/* amgtar-index: tar's member listing -> AMANDA index and DAR state lines.
 *
 * GNU tar prints member names in its default "escape" quoting style:
 * a newline becomes \n, a backslash \\, other control characters \ooo or
 * C escapes; blanks stay as they are.  Index lines keep that escaped form,
 * so one path is always exactly one line, and they are rooted at the DLE:
 * "./" becomes "/", "./etc/passwd" becomes "/etc/passwd", and directories
 * keep tar's trailing '/'.  State lines are "<record> <path>" where record
 * is the 512-byte block number tar reports with --block-number. */
#ifndef AMGTAR_INDEX_H
#define AMGTAR_INDEX_H

#include <glib.h>

/* Index path for a tar member name (as listed by tar). */
char *amgtar_index_path(const char *member);

/* "block 12: ./a b" -> *BLOCK = 12, *PATH = "/a b".  FALSE (outputs
 * untouched) when LINE is not a listing line. */
gboolean amgtar_index_parse_block_line(const char *line, guint64 *block, char **path);

/* The member name to hand tar (--files-from, still escaped) for a path a
 * user asked to restore: "/etc/passwd" and "etc/passwd" -> "./etc/passwd",
 * "/" -> ".".  NULL for an empty name or one with a ".." component. */
char *amgtar_restore_member(const char *path);

#endif
