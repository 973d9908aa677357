/* imagesink: where a restored dump image goes.  It takes the data bytes
 * of a dump as they are on the volume (all parts in order) and writes
 * them to a file descriptor, undoing encryption and compression as
 * asked (zlib in-process for gzip, the header's own programs for custom
 * compression and encryption), or gzip-compressing an uncompressed image
 * (amrestore/amfetchdump -c/-C).  With write_header it first writes a
 * 32 KiB header describing what follows, as AMANDA's -h does.  It also
 * counts the volume bytes and their CRC-32C so the caller can check them
 * against the header's SERVER-CRC. */
#ifndef IMAGESINK_H
#define IMAGESINK_H

#include <glib.h>
#include "fileheader.h"

#define IMAGESINK_ERROR (imagesink_error_quark())
GQuark imagesink_error_quark(void);
typedef enum {
    IMAGESINK_ERROR_WRITE,     /* writing the output failed */
    IMAGESINK_ERROR_FILTER,    /* a decompress/decrypt step failed */
    IMAGESINK_ERROR_UNKNOWN,   /* compression or encryption we cannot undo */
    IMAGESINK_ERROR_VERIFY,    /* the size differs from the header */
    IMAGESINK_ERROR_CRC,       /* the CRC-32C differs from the header */
} imagesink_error_t;

typedef struct {
    gboolean write_header;  /* a 32 KiB header block before the data */
    gboolean raw;           /* bytes exactly as on the volume, header unchanged */
    gboolean decompress;    /* undo the compression the header names */
    gboolean decrypt;       /* undo the encryption the header names */
    int compress_level;     /* 1 (fast) or 9 (best): gzip an uncompressed
                             * image and leave a compressed one as it is */
    gsize hint_blocksize;   /* bs= of the restore hint in a written header */
} ImageSinkOptions;

typedef struct ImageSink ImageSink;

/* HDR is the header of the dump's first part; OUT_NAME names the output
 * in messages ("standard output", a file name).  The sink does not own
 * or close FD. */
ImageSink *imagesink_new(int fd, const char *out_name, const dumpfile_t *hdr,
                         const ImageSinkOptions *opt, GError **error);
gboolean imagesink_write(ImageSink *sink, const void *buf, gsize len, GError **error);
/* imagesink_write without the CRC: for a caller that computes the CRC-32C
 * of the same bytes itself (in another thread) and hands it over with
 * imagesink_set_crc_in before imagesink_verify. */
gboolean imagesink_write_uncounted(ImageSink *sink, const void *buf, gsize len, GError **error);
void imagesink_set_crc_in(ImageSink *sink, guint32 crc);
/* Flush, end every filter and wait for it; FALSE when any step failed. */
gboolean imagesink_finish(ImageSink *sink, GError **error);
/* Frees; an unfinished sink's filters are killed. */
void imagesink_free(ImageSink *sink);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImageSink, imagesink_free)

guint64 imagesink_bytes_in(const ImageSink *sink);
guint32 imagesink_crc_in(const ImageSink *sink);
/* Compare the bytes and CRC-32C seen with HDR's SERVER-CRC (when the
 * header has one): FALSE with IMAGESINK_ERROR_VERIFY (size) or
 * IMAGESINK_ERROR_CRC.  On a CRC error the caller may re-read the data
 * and try volread_crc_ieee: early amanda-ng writers used zlib's CRC. */
gboolean imagesink_verify(const ImageSink *sink, const dumpfile_t *hdr, GError **error);

/* The header written with write_header (exposed for tests): HDR with
 * the compression/encryption fields changed to describe the output. */
void imagesink_output_header(const dumpfile_t *hdr, const ImageSinkOptions *opt,
                             dumpfile_t *out);

#endif
