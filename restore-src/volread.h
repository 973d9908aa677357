/* volread: reading dump files back from a volume, shared by amrestore and
 * amfetchdump: opening a device for reading (with a label check), copying
 * one file's data into an ImageSink, recognising the parts of one dump,
 * and the names restored images get. */
#ifndef VOLREAD_H
#define VOLREAD_H

#include <glib.h>
#include "device.h"
#include "fileheader.h"
#include "holding.h"
#include "imagesink.h"

#define VOLREAD_ERROR (volread_error_quark())
GQuark volread_error_quark(void);
typedef enum {
    VOLREAD_ERROR_VOLUME,   /* no volume, unlabeled, or the wrong label */
    VOLREAD_ERROR_READ,     /* reading a file failed */
    VOLREAD_ERROR_PART,     /* a part is not the one expected, or truncated */
} volread_error_t;

/* Read buffer size used when the caller does not choose one: bigger
 * reads than the 32 KiB volume block cost fewer system calls. */
#define VOLREAD_DEFAULT_BLOCK (256 * 1024)

/* A page-aligned read buffer of SIZE bytes (free with free/g_free); aborts
 * when memory is short, as g_malloc does. */
char *volread_alloc_buffer(gsize size);

/* Open DEVICE_NAME and start it for reading.  WANT_LABEL (may be NULL)
 * must equal the volume's label.  BLOCK_SIZE 0 means
 * VOLREAD_DEFAULT_BLOCK. */
Device *volread_open(const char *device_name, const char *want_label, gsize block_size,
                     GError **error);

/* Copy the data of the file DEV is positioned at (after device_seek_file)
 * into SINK; *BYTES (optional) gets the number of bytes. */
gboolean volread_copy_file(Device *dev, ImageSink *sink, guint64 *bytes, GError **error);

/* Copy the payload of a holding-disk image (all its chunks) into SINK. */
gboolean volread_copy_holding(holding_reader_t *reader, ImageSink *sink, GError **error);

/* Add the data of the file DEV is positioned at to *CRC, a zlib (IEEE)
 * CRC-32: used only to recheck a SERVER-CRC that is not a CRC-32C. */
gboolean volread_crc_ieee(Device *dev, guint32 *crc, GError **error);

/* A dump file (FILE or SPLIT_FILE). */
gboolean volread_is_dump(const dumpfile_t *hdr);
/* Same host, disk, datestamp and level. */
gboolean volread_same_dump(const dumpfile_t *a, const dumpfile_t *b);
/* B is the part that follows A in the same dump. */
gboolean volread_is_next_part(const dumpfile_t *a, const dumpfile_t *b);
/* TRUE when HDR says it is the last part (k/k, or a FILE header). */
gboolean volread_is_last_part(const dumpfile_t *hdr);

/* "host.disk.datestamp.level" with '/', ':' and '\' made '_', as
 * AMANDA names restored images. */
char *volread_image_name(const char *host, const char *disk, const char *datestamp, int level);

/* AMANDA's one-line description, as amrestore and amfetchdump print it:
 * "split dumpfile: date D host H disk D part 1/UNKNOWN lev 0 comp N
 * program APPLICATION". */
char *volread_describe(const dumpfile_t *hdr);

#endif
