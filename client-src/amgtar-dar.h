/* amgtar-dar: Direct Access Recovery ranges from a dump's state file.
 *
 * A backup's state stream lists "<record> <path>" for every tar member,
 * record being the 512-byte block tar's --block-number reports for the
 * member's first header (a long-name header included).  To restore some
 * paths, the restore side needs only the bytes from each chosen member's
 * record to the next member's record: this module turns the state text
 * and the chosen paths into those byte ranges, adjacent ranges merged,
 * in image order.  A range ends at DAR_END_OF_IMAGE when its member is the
 * last one listed (the state does not know how long the image is).
 *
 * Pure functions over buffers; amgtar restore reports the ranges as
 * "DAR start:end" lines (common-src/dar.h), which amrecover relays to the
 * tape server. */
#ifndef AMGTAR_DAR_H
#define AMGTAR_DAR_H

#include <glib.h>

#include "dar.h"

#define AMGTAR_DAR_ERROR (amgtar_dar_error_quark())
GQuark amgtar_dar_error_quark(void);
typedef enum {
    AMGTAR_DAR_ERROR_STATE,      /* a state line does not parse */
    AMGTAR_DAR_ERROR_NOT_FOUND,  /* a chosen path is not in the state */
} amgtar_dar_error_t;

/* Ranges (DarRange, ascending, merged) covering every member of
 * MEMBERS, restore names as amgtar_restore_member gives them ("./a/b",
 * "./dir", "." for everything); a directory covers everything under it.
 * STATE is the state file's text (LEN bytes, or -1 for NUL-terminated).
 * NULL with AMGTAR_DAR_ERROR_STATE naming the line, or
 * AMGTAR_DAR_ERROR_NOT_FOUND naming every path the state lacks. */
GArray *amgtar_dar_ranges(const char *state, gssize len, GPtrArray *members, GError **error);

/* "DAR 0:1023\nDAR 4096:-1\n" for RANGES. */
char *amgtar_dar_format(const GArray *ranges);

#endif
