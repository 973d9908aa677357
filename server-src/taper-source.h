/* taper-source: where the taper reads a dump from: a holding-disk image
 * (which can be re-read to rewrite a part on the next volume) or a FIFO
 * the dumper writes (the 32 KiB header, then the data).  A FIFO cannot be
 * re-read, so with the tapetype's part_cache_type "memory" or "disk"
 * (part_cache_dir) the current part is kept aside to be written again
 * after an end of medium, as AMANDA's part cache does. */
#ifndef TAPER_SOURCE_H
#define TAPER_SOURCE_H

#include <glib.h>
#include "fileheader.h"
#include "holding.h"

typedef struct {
    char *holdfile;        /* rewindable source, or NULL */
    holding_reader_t *hr;
    int fd;                /* FIFO, or -1 */
    dumpfile_t hdr;
    gboolean input_eof;    /* the holding image or FIFO is exhausted */
    /* part cache (FIFO sources) */
    int cache_type;        /* PART_CACHE_TYPE_* of conf.h */
    GByteArray *mem;
    int cache_fd;
    guint64 cache_len;
    guint64 replay_off;    /* while replaying: next cached byte to give back */
    gboolean replaying;
} taper_source_t;

/* Open a holding image (FIFO FALSE) or a FIFO; the header is read. */
gboolean taper_source_open(taper_source_t *s, const char *path, gboolean fifo, GError **error);
void taper_source_close(taper_source_t *s);
/* Keep parts aside (FIFO sources only): TYPE PART_CACHE_TYPE_MEMORY, or
 * _DISK with a temporary file in DIR. */
void taper_source_set_cache(taper_source_t *s, int type, const char *dir);
/* Fill BUF with up to LEN bytes; short only at the end.  -1 on error. */
gssize taper_source_read(taper_source_t *s, char *buf, gsize len);
/* Everything was read (and nothing is waiting to be replayed). */
gboolean taper_source_done(const taper_source_t *s);
/* A new part begins at byte PART_START of the dump. */
void taper_source_part_start(taper_source_t *s);
/* Go back to the start of the current part (byte PART_START of the dump);
 * FALSE when this source cannot. */
gboolean taper_source_rewind_part(taper_source_t *s, guint64 part_start);

#endif
