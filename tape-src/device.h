/* device: the Device API, one interface over every kind of volume.
 *
 * A device is named "TYPE:NODE": "file:/path/to/slot" (a vtape directory,
 * laid out as AMANDA 3.5's vfs device does), "null:" (writes are thrown
 * away), and later "s3:bucket/prefix" and "tape:/dev/nst0".  Each type
 * supplies a DeviceOps table; this module owns what is common to all of
 * them: opening by name, properties (set by name from tapetype and
 * device-property config lines), volume-usage accounting and the
 * end-of-medium rule, state checks and error messages.
 *
 * Writing a volume:
 *     dev = device_open("file:/vtapes/slot3", &err);
 *     device_property_set(dev, "MAX_VOLUME_USAGE", "8g", &err);
 *     device_start(dev, DEVICE_MODE_WRITE, "Daily-003", "20261125101500", &err);
 *     device_start_file(dev, &header, &err);       -- the 32 KiB header block
 *     while (...) device_write_block(dev, buf, len, &err);
 *     device_finish_file(dev, &err);
 *     device_finish(dev, &err);
 * When a write would take the volume past MAX_VOLUME_USAGE (or the file
 * system is full) the call fails with DEVICE_ERR_EOM and dev->is_eom is
 * set: the file so far stays on the volume as a partial file; the caller
 * calls device_finish_file() and carries on with the next volume.
 *
 * Reading: device_read_label(), device_start(DEVICE_MODE_READ),
 * device_seek_file(n) returns the header of file n (or of the next file
 * after a gap; a TAPEEND header past the last), then device_read_block()
 * until it returns 0. */
#ifndef DEVICE_H
#define DEVICE_H

#include <glib.h>
#include "fileheader.h"

/* What device_read_label() found; flags may be combined. */
typedef enum {
    DEVICE_STATUS_SUCCESS = 0,
    DEVICE_STATUS_DEVICE_ERROR = 1 << 0,     /* the device itself cannot be used */
    DEVICE_STATUS_DEVICE_BUSY = 1 << 1,      /* another process holds it */
    DEVICE_STATUS_VOLUME_MISSING = 1 << 2,   /* no volume (empty slot, no directory) */
    DEVICE_STATUS_VOLUME_UNLABELED = 1 << 3, /* a volume without an AMANDA label */
    DEVICE_STATUS_VOLUME_ERROR = 1 << 4,     /* the volume is there but unreadable */
} DeviceStatusFlags;

typedef enum {
    DEVICE_MODE_NONE = 0,
    DEVICE_MODE_READ,
    DEVICE_MODE_WRITE,   /* erase the volume and write a new label */
    DEVICE_MODE_APPEND,  /* keep the files, add new ones after the last */
} DeviceAccessMode;

typedef enum {
    DEVICE_STREAMING_NONE,
    DEVICE_STREAMING_DESIRED,
    DEVICE_STREAMING_REQUIRED,
} DeviceStreaming;

#define DEVICE_ERR (device_error_quark())
GQuark device_error_quark(void);
typedef enum {
    DEVICE_ERR_EOM,             /* end of medium: volume full (limit or ENOSPC) */
    DEVICE_ERR_IO,              /* a system call failed */
    DEVICE_ERR_BUSY,            /* the volume is locked by another writer */
    DEVICE_ERR_VOLUME,          /* missing, unlabeled or damaged volume */
    DEVICE_ERR_STATE,           /* call not valid in this state (API misuse) */
    DEVICE_ERR_PROPERTY,        /* unknown property or bad value */
    DEVICE_ERR_NOT_IMPLEMENTED, /* device type or operation not available */
    DEVICE_ERR_NAME,            /* malformed device name */
    DEVICE_ERR_NO_FILE,         /* no such file on the volume */
} DeviceErrorCode;

typedef struct Device Device;

/* One device type.  The generic layer checks state and arguments before it
 * calls these; a NULL entry means "not supported". */
typedef struct DeviceOps {
    const char *type;     /* "file", "null" ... */
    gboolean (*open)(Device *dev, GError **error);
    void (*free)(Device *dev);
    DeviceStatusFlags (*read_label)(Device *dev);
    /* LABEL_BLOCK: the label file's 32 KiB block in WRITE mode, else NULL. */
    gboolean (*start)(Device *dev, DeviceAccessMode mode, const char *label_block,
                      GError **error);
    gboolean (*start_file)(Device *dev, const char *block, const dumpfile_t *hdr,
                           GError **error);
    gboolean (*write_block)(Device *dev, const void *buf, gsize size, GError **error);
    gboolean (*finish_file)(Device *dev, GError **error);
    gboolean (*seek_file)(Device *dev, int file, dumpfile_t *hdr, GError **error);
    gssize (*read_block)(Device *dev, void *buf, gsize size, GError **error);
    /* Skip up to BYTES of the current file's data; *SKIPPED gets how many
     * (fewer only at its end).  NULL: the type cannot seek. */
    gboolean (*skip_bytes)(Device *dev, guint64 bytes, guint64 *skipped, GError **error);
    gboolean (*finish)(Device *dev, GError **error);
    gboolean (*erase)(Device *dev, GError **error);
    gboolean (*eject)(Device *dev, GError **error);
    gboolean (*recycle_file)(Device *dev, int file, GError **error);
    /* Capabilities reported as read-only properties. */
    gboolean appendable, partial_deletion, full_deletion;
} DeviceOps;

/* Fields are read-only for callers. */
struct Device {
    const DeviceOps *ops;
    char *device_name;        /* "file:/vtapes/slot3" */
    char *type;               /* "file" */
    char *node;               /* "/vtapes/slot3" */

    DeviceAccessMode access_mode;
    gboolean in_file;         /* between start_file and finish_file */
    int file;                 /* current file number (0 = label) */
    guint64 block;            /* data blocks written/read in the current file */
    gboolean is_eom;          /* the last write hit end of medium */

    DeviceStatusFlags status; /* from the last read_label */
    char *errmsg;             /* message of the last failure, or NULL */
    char *volume_label;       /* from read_label or start(WRITE) */
    char *volume_time;
    dumpfile_t volume_header; /* the label file's header after read_label */

    guint64 volume_bytes;     /* bytes on the volume, all files counted */

    /* properties */
    gsize block_size;
    guint64 max_volume_usage; /* 0 = no limit */
    gboolean enforce_max_volume_usage;
    gboolean leom;            /* warn (is_eom set, write done) within
                               * DEVICE_LEOM_MARGIN of the limit */
    char *canonical_name;
    char *comment;
    gboolean verbose;
    DeviceStreaming streaming;

    void *priv;               /* the type's own state */
};

#define DEVICE_DEFAULT_BLOCK_SIZE 32768
#define DEVICE_MIN_BLOCK_SIZE 32768
#define DEVICE_MAX_BLOCK_SIZE (64 * 1024 * 1024)
#define DEVICE_LEOM_MARGIN (1024 * 1024)

/* Open by name.  Fails (NULL) only for a malformed name or an unknown or
 * unimplemented type; a missing volume is found by device_read_label. */
Device *device_open(const char *device_name, GError **error);
/* Close (finishing a started device, errors ignored) and free. */
void device_free(Device *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Device, device_free)

/* Read the volume label: sets dev->status, dev->volume_label/time/header and,
 * when not SUCCESS, dev->errmsg ("file:/x: ... ").  No start needed. */
DeviceStatusFlags device_read_label(Device *dev);

/* READ needs a labelled volume (call device_read_label first or not: it is
 * read here).  WRITE erases the volume and writes the label file with
 * LABEL and TIMESTAMP (NULL = now).  APPEND keeps the files and needs a
 * labelled volume; LABEL/TIMESTAMP are ignored. */
gboolean device_start(Device *dev, DeviceAccessMode mode, const char *label,
                      const char *timestamp, GError **error);
/* Begin a new file with HDR (any dump type; written as one 32 KiB block). */
gboolean device_start_file(Device *dev, const dumpfile_t *hdr, GError **error);
/* Append SIZE bytes (at most BLOCK_SIZE; less only for the last block). */
gboolean device_write_block(Device *dev, const void *buf, gsize size, GError **error);
/* Flush and sync the file; also valid after end-of-medium. */
gboolean device_finish_file(Device *dev, GError **error);
/* Position at file N (READ mode) and return its header (free with
 * fileheader_clear + g_free, or use device_header_free).  With a gap the
 * next existing file is used (dev->file tells which); past the last file a
 * TAPEEND header is returned. */
dumpfile_t *device_seek_file(Device *dev, int file, GError **error);
void device_header_free(dumpfile_t *hdr);
/* Read the next data block of the current file into BUF (*SIZE bytes of
 * room, at least BLOCK_SIZE).  Returns the bytes read (also in *SIZE), 0 at
 * end of file, -1 on error. */
gssize device_read_block(Device *dev, void *buf, gsize *size, GError **error);
/* Skip up to BYTES of the current file's data without reading them (READ
 * mode, after device_seek_file); *SKIPPED gets how many, fewer only at the
 * end of the file.  FALSE with DEVICE_ERR_NOT_IMPLEMENTED when the device
 * type cannot seek (read and drop the bytes instead). */
gboolean device_skip_bytes(Device *dev, guint64 bytes, guint64 *skipped, GError **error);
/* End READ/WRITE/APPEND: flush, release the lock. */
gboolean device_finish(Device *dev, GError **error);
/* Remove every file of the volume, label included (device not started). */
gboolean device_erase(Device *dev, GError **error);
/* Unload; for a vtape: nothing to do beyond finishing. */
gboolean device_eject(Device *dev, GError **error);
/* Delete file N (PARTIAL_DELETION devices only; not while writing it). */
gboolean device_recycle_file(Device *dev, int file, GError **error);

/* Properties by name (case-insensitive, '-' and '_' alike):
 * BLOCK_SIZE, MAX_VOLUME_USAGE (bytes; suffixes k m g t, "b"/"kb"/"kbytes"
 * ..., all powers of 1024), ENFORCE_MAX_VOLUME_USAGE, LEOM, CANONICAL_NAME,
 * COMMENT, VERBOSE, STREAMING (none|desired|required); read-only:
 * APPENDABLE, PARTIAL_DELETION, FULL_DELETION. */
gboolean device_property_set(Device *dev, const char *name, const char *value,
                             GError **error);
/* The value as text (newly allocated), or NULL for an unknown name. */
char *device_property_get(Device *dev, const char *name);
/* NULL-terminated list of the property names. */
const char *const *device_property_names(void);

/* Helpers shared by the device types (not for callers). */
void device_set_error(Device *dev, GError **error, DeviceErrorCode code,
                      const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Parse a size with an optional unit suffix; FALSE if malformed. */
gboolean device_parse_size(const char *text, guint64 *out);

extern const DeviceOps device_file_ops;
extern const DeviceOps device_null_ops;

#endif
