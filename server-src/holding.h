/* holding: dump images on the holding disks.
 *
 * A dump of HOST:DISK at LEVEL in run RUN-TS is stored as
 *   <holdingdir>/<run-ts>/<host>.<disk sanitised>.<level>
 * and, when it outgrows `chunksize`, continues in "<that>.1", ".2", ...
 * Every chunk starts with a 32 KiB header (common-src/fileheader.h): type
 * FILE for the first, CONT_FILE for the others, and CONT_FILENAME= naming
 * the next chunk (empty in the last).  As AMANDA 3.5.1's chunker writes
 * them (byte-identical, see tests/test-holding.c): ORIGSIZE and the CRCs
 * only in the first, "bs=32k" in the restore hint only in the others.  While being written every chunk is
 * "<name>.tmp"; they are renamed, last chunk first, once the dump is
 * complete, so a ".tmp" left behind means a crashed run (amcleanup). */
#ifndef HOLDING_H
#define HOLDING_H

#include <glib.h>
#include "fileheader.h"

#define HOLDING_ERROR (holding_error_quark())
GQuark holding_error_quark(void);
typedef enum {
    HOLDING_ERROR_IO,
    HOLDING_ERROR_NO_SPACE,  /* the holding disk is full: ask the driver for more */
    HOLDING_ERROR_INVALID,   /* bad argument (chunk size too small, ...) */
    HOLDING_ERROR_CORRUPT,   /* bad header, broken chunk chain */
} holding_error_t;

/* "<holdingdir>/<run_ts>/<host>.<disk sanitised>.<level>" */
char *holding_file_name(const char *holdingdir, const char *run_ts, const char *host,
                        const char *disk, int level);

/* ---- chunk writer (the chunker) ---- */
typedef struct holding_writer holding_writer_t;

/* Start an image at PATH (the first chunk's final name; its directory is
 * created).  HEADER describes the dump (host, disk, level, datestamp,
 * program, compression ...); its type and cont_filename are set here.
 * CHUNKSIZE is the most bytes one chunk file may hold, header included
 * (0 = no limit); it must leave room for at least one data block. */
holding_writer_t *holding_writer_open(const char *path, const dumpfile_t *header,
                                      guint64 chunksize, GError **error);
/* Append LEN payload bytes.  *DONE (optional) gets the bytes accepted.
 * On a full disk: FALSE with HOLDING_ERROR_NO_SPACE, the accepted bytes
 * stay in the image; the caller may holding_writer_continue() on another
 * disk and write the rest, or abort. */
gboolean holding_writer_write(holding_writer_t *w, const void *buf, gsize len, gsize *done,
                              GError **error);
/* Carry on in a new chunk at NEW_PATH (another holding disk), chained from
 * the current one; further chunks are NEW_PATH.1, .2 ... */
gboolean holding_writer_continue(holding_writer_t *w, const char *new_path, GError **error);
/* Payload bytes accepted so far. */
guint64 holding_writer_bytes(const holding_writer_t *w);
/* Complete the image: sync, rename every chunk into place.  PARTIAL marks
 * the first header PARTIAL=YES (the dump did not finish).  Frees W. */
gboolean holding_writer_finish(holding_writer_t *w, gboolean partial, GError **error);
/* Remove every chunk written so far.  Frees W. */
void holding_writer_abort(holding_writer_t *w);

/* ---- reader (taper, amflush, amfetchdump from holding) ---- */
typedef struct holding_reader holding_reader_t;
/* Open the image whose first chunk is PATH; HEADER (optional) receives
 * its first header (call fileheader_clear on it). */
holding_reader_t *holding_reader_open(const char *path, dumpfile_t *header, GError **error);
/* Up to LEN payload bytes, following the chunk chain; 0 at the end, -1
 * on error (missing chunk, header of another dump ...). */
gssize holding_reader_read(holding_reader_t *r, void *buf, gsize len, GError **error);
void holding_reader_close(holding_reader_t *r);

/* ---- walking ---- */
typedef struct {
    char *path;       /* first chunk */
    char *holdingdir; /* the holding disk it is on */
    char *run_dir;    /* name of the run directory (the run's timestamp) */
    char *host, *disk, *datestamp;
    int level;
    gboolean partial;
    guint64 bytes;    /* payload bytes over all chunks */
    guint64 kb;       /* bytes / 1024 rounded up */
    guint nchunks;
} holding_file_t;
void holding_file_free(holding_file_t *f);

/* Every complete image in DIRS (NULL-terminated), sorted by run dir,
 * host, disk, level.  Unreadable or foreign files, CONT_FILE chunks,
 * ".tmp" files and images with a broken chain are skipped. */
GPtrArray *holding_list(const char *const *dirs, GError **error);
/* The ".tmp" files crashed runs left in DIRS (full paths, sorted). */
GPtrArray *holding_list_tmp(const char *const *dirs, GError **error);
/* Delete an image (all its chunks) after it was flushed; the run
 * directory goes too when it is empty afterwards. */
gboolean holding_delete(const char *path, GError **error);

#endif
