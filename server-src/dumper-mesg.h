/* dumper-mesg: the MESG stream of sendbackup, parsed line by line.
 *
 *   | text                  normal output
 *   ? text                  strange output (the dump is reported STRANGE)
 *   & text                  error output
 *   sendbackup: start [..]  sendbackup: size <KiB>   sendbackup: end
 *   sendbackup: native-CRC <hex>:<bytes>   sendbackup: client-CRC <hex>:<bytes>
 *   sendbackup: info KEY=value ... sendbackup: info end
 *   sendbackup: error [msg]
 *
 * A dump is good only with a size line and an end line and no error
 * (AMANDA: "no backup size line").  Pure: bytes in, state out. */
#ifndef DUMPER_MESG_H
#define DUMPER_MESG_H

#include <glib.h>
#include "fileheader.h"

typedef struct {
    gint64 size_kb;         /* from "sendbackup: size", -1 until seen */
    gboolean got_end;
    char *error;            /* first error, or NULL */
    GPtrArray *strange;     /* "? " lines (without the tag) */
    GPtrArray *errors;      /* "& " lines */
    GPtrArray *all;         /* every line, for FAIL/STRANGE details */
    fileheader_crc_t native_crc, client_crc;
    char *application, *recover_cmd, *comp_suffix;
    GString *partial;       /* bytes after the last newline */
} dumper_mesg_t;

void dumper_mesg_init(dumper_mesg_t *m);
void dumper_mesg_clear(dumper_mesg_t *m);
/* Feed raw stream bytes (any split). */
void dumper_mesg_feed(dumper_mesg_t *m, const char *buf, gsize len);
/* The stream ended: a last line without newline is taken too. */
void dumper_mesg_eof(dumper_mesg_t *m);
/* One complete line without its newline. */
void dumper_mesg_line(dumper_mesg_t *m, const char *line);
/* NULL when the dump is good, else why it failed (owned by M or static). */
const char *dumper_mesg_failure(const dumper_mesg_t *m);
/* Parse "403beedd:165355520". */
gboolean dumper_parse_crc(const char *text, fileheader_crc_t *crc);

#endif
