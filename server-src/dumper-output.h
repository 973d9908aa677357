/* dumper-output: where the dumper puts a dump image: holding-disk chunks
 * (holding.h) or a pipe to the taper (the 32 KiB FILE header first, then
 * the data), with optional server-side gzip compression (zlib fast or
 * best) and CRC-32Cs (as AMANDA) of what the client sent and of what was stored. */
#ifndef DUMPER_OUTPUT_H
#define DUMPER_OUTPUT_H

#include <glib.h>
#include "fileheader.h"

typedef struct dumper_out dumper_out_t;

/* COMP_LEVEL: 0 = store as received, 1..9 = gzip at that level. */
dumper_out_t *dumper_out_holding(const char *path, const dumpfile_t *hdr, guint64 chunksize,
                                 int comp_level, GError **error);
dumper_out_t *dumper_out_fd(int fd, const dumpfile_t *hdr, int comp_level, GError **error);

/* Pass the stored bytes (after zlib compression) through CMDS[0] | ... |
 * CMDS[NCMDS-1] (server_custom_compress, server_encrypt). */
gboolean dumper_out_add_filter(dumper_out_t *o, char **const *cmds, int ncmds, GError **error);

gboolean dumper_out_write(dumper_out_t *o, const void *buf, gsize len, GError **error);
/* Bytes received so far. */
guint64 dumper_out_received(const dumper_out_t *o);
/* Flush the compressor and complete the image; frees O. */
gboolean dumper_out_finish(dumper_out_t *o, gboolean partial, fileheader_crc_t *client_crc,
                           fileheader_crc_t *server_crc, GError **error);
/* Throw the image away (holding chunks removed); frees O. */
void dumper_out_abort(dumper_out_t *o);

#endif
