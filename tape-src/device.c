/* device: the generic half of the Device API (see device.h): opening by
 * name, state checks, the volume-usage limit and properties.  The types
 * (device-file.c, device-null.c) only move bytes. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "amutil.h"
#include "debug.h"
#include "device.h"

G_DEFINE_QUARK(amanda-device-error-quark, device_error)

/* Types known by name; NULL ops = listed but not written yet. */
static const struct {
    const char *type;
    const DeviceOps *ops;
} device_types[] = {
    { "file", &device_file_ops },
    { "null", &device_null_ops },
    { "s3", NULL },
    { "tape", NULL },
};

void
device_set_error(Device *dev, GError **error, DeviceErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_free(dev->errmsg);
    dev->errmsg = g_strdup_printf("%s: %s", dev->device_name, msg);
    if (dev->verbose)
        debug_printf("device %s\n", dev->errmsg);
    g_set_error_literal(error, DEVICE_ERR, code, dev->errmsg);
}

static const DeviceOps *
lookup_type(const char *type, const char *name, GError **error)
{
    for (gsize i = 0; i < G_N_ELEMENTS(device_types); i++) {
        if (strcmp(device_types[i].type, type) != 0)
            continue;
        if (!device_types[i].ops)
            g_set_error(error, DEVICE_ERR, DEVICE_ERR_NOT_IMPLEMENTED,
                        "%s: device type \"%s\" is not implemented yet "
                        "(available: file, null)", name, type);
        return device_types[i].ops;
    }
    g_set_error(error, DEVICE_ERR, DEVICE_ERR_NAME,
                "%s: unknown device type \"%s\" (expected file:DIR or null:)", name, type);
    return NULL;
}

Device *
device_open(const char *device_name, GError **error)
{
    const char *colon = device_name ? strchr(device_name, ':') : NULL;
    if (!colon || colon == device_name) {
        g_set_error(error, DEVICE_ERR, DEVICE_ERR_NAME,
                    "%s: bad device name, expected TYPE:NODE such as file:/vtapes/slot1",
                    device_name ? device_name : "(null)");
        return NULL;
    }
    g_autofree char *type = g_strndup(device_name, colon - device_name);
    const DeviceOps *ops = lookup_type(type, device_name, error);
    if (!ops)
        return NULL;
    Device *dev = g_new0(Device, 1);
    dev->ops = ops;
    dev->device_name = g_strdup(device_name);
    dev->type = g_steal_pointer(&type);
    dev->node = g_strdup(colon + 1);
    dev->block_size = DEVICE_DEFAULT_BLOCK_SIZE;
    dev->enforce_max_volume_usage = TRUE;
    dev->canonical_name = g_strdup(device_name);
    dev->streaming = DEVICE_STREAMING_NONE;
    dev->file = -1;
    fileheader_init(&dev->volume_header);
    if (!ops->open(dev, error)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

void
device_free(Device *dev)
{
    if (!dev)
        return;
    if (dev->access_mode != DEVICE_MODE_NONE)
        device_finish(dev, NULL);
    if (dev->ops->free)
        dev->ops->free(dev);
    fileheader_clear(&dev->volume_header);
    g_free(dev->device_name);
    g_free(dev->type);
    g_free(dev->node);
    g_free(dev->errmsg);
    g_free(dev->volume_label);
    g_free(dev->volume_time);
    g_free(dev->canonical_name);
    g_free(dev->comment);
    g_free(dev);
}

DeviceStatusFlags
device_read_label(Device *dev)
{
    g_clear_pointer(&dev->errmsg, g_free);
    g_clear_pointer(&dev->volume_label, g_free);
    g_clear_pointer(&dev->volume_time, g_free);
    fileheader_clear(&dev->volume_header);
    dev->status = dev->ops->read_label(dev);
    return dev->status;
}

/* A label must be usable as part of a file name and a header word. */
static gboolean
check_label(Device *dev, const char *label, GError **error)
{
    if (!label || !*label || strlen(label) > 200) {
        device_set_error(dev, error, DEVICE_ERR_VOLUME,
                         "a volume label must have 1 to 200 characters");
        return FALSE;
    }
    for (const char *p = label; *p; p++) {
        if (g_ascii_isspace(*p) || g_ascii_iscntrl(*p) || *p == '/' || *p == '"') {
            device_set_error(dev, error, DEVICE_ERR_VOLUME,
                             "volume label \"%s\" holds a blank, a control character, "
                             "'/' or '\"'", label);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
check_timestamp(Device *dev, const char *ts, GError **error)
{
    gboolean ok = strcmp(ts, "X") == 0 || strlen(ts) == 14;
    for (const char *p = ts; ok && *p && strcmp(ts, "X") != 0; p++)
        ok = g_ascii_isdigit(*p);
    if (!ok)
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "timestamp \"%s\" is not YYYYMMDDhhmmss", ts);
    return ok;
}

static char *
build_label_block(Device *dev, const char *label, const char *timestamp, GError **error)
{
    dumpfile_t hdr;
    fileheader_init(&hdr);
    hdr.type = FILEHEADER_TAPESTART;
    hdr.name = g_strdup(label);
    hdr.datestamp = g_strdup(timestamp);
    GError *err = NULL;
    char *block = fileheader_build(&hdr, DISK_BLOCK_BYTES, &err);
    fileheader_clear(&hdr);
    if (!block) {
        device_set_error(dev, error, DEVICE_ERR_VOLUME, "cannot build label header: %s",
                         err->message);
        g_error_free(err);
    }
    return block;
}

static gboolean
start_write(Device *dev, const char *label, const char *timestamp, GError **error)
{
    char now[15];
    if (!timestamp) {
        amanda_timestamp(time(NULL), now);
        timestamp = now;
    }
    if (!check_label(dev, label, error) || !check_timestamp(dev, timestamp, error))
        return FALSE;
    if (dev->max_volume_usage && dev->enforce_max_volume_usage &&
        dev->max_volume_usage < DISK_BLOCK_BYTES) {
        device_set_error(dev, error, DEVICE_ERR_EOM,
                         "MAX_VOLUME_USAGE %" G_GUINT64_FORMAT " is too small for the label",
                         dev->max_volume_usage);
        return FALSE;
    }
    g_autofree char *block = build_label_block(dev, label, timestamp, error);
    if (!block)
        return FALSE;
    g_free(dev->volume_label);
    dev->volume_label = g_strdup(label);
    g_free(dev->volume_time);
    dev->volume_time = g_strdup(timestamp);
    if (dev->ops->start(dev, DEVICE_MODE_WRITE, block, error))
        return TRUE;
    g_clear_pointer(&dev->volume_label, g_free);
    g_clear_pointer(&dev->volume_time, g_free);
    return FALSE;
}

gboolean
device_start(Device *dev, DeviceAccessMode mode, const char *label, const char *timestamp,
             GError **error)
{
    if (dev->access_mode != DEVICE_MODE_NONE) {
        device_set_error(dev, error, DEVICE_ERR_STATE, "device already started");
        return FALSE;
    }
    dev->is_eom = FALSE;
    dev->in_file = FALSE;
    dev->block = 0;
    gboolean ok;
    if (mode == DEVICE_MODE_WRITE)
        ok = start_write(dev, label, timestamp, error);
    else if (mode == DEVICE_MODE_READ || mode == DEVICE_MODE_APPEND)
        ok = dev->ops->start(dev, mode, NULL, error);
    else {
        device_set_error(dev, error, DEVICE_ERR_STATE, "bad access mode %d", (int)mode);
        return FALSE;
    }
    if (ok)
        dev->access_mode = mode;
    return ok;
}

static gboolean
check_writing(Device *dev, gboolean want_in_file, GError **error)
{
    if (dev->access_mode != DEVICE_MODE_WRITE && dev->access_mode != DEVICE_MODE_APPEND) {
        device_set_error(dev, error, DEVICE_ERR_STATE, "device not started for writing");
        return FALSE;
    }
    if (dev->in_file != want_in_file) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         want_in_file ? "no file started (call start_file first)"
                                      : "a file is still open (call finish_file first)");
        return FALSE;
    }
    return TRUE;
}

/* TRUE when SIZE more bytes fit the volume; otherwise EOM is reported. */
static gboolean
check_room(Device *dev, gsize size, GError **error)
{
    if (!dev->max_volume_usage || !dev->enforce_max_volume_usage)
        return TRUE;
    if (dev->volume_bytes + size <= dev->max_volume_usage)
        return TRUE;
    dev->is_eom = TRUE;
    device_set_error(dev, error, DEVICE_ERR_EOM,
                     "end of medium: writing %" G_GSIZE_FORMAT " more bytes would pass "
                     "MAX_VOLUME_USAGE (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                     " bytes used)", size, dev->volume_bytes, dev->max_volume_usage);
    return FALSE;
}

static void
check_leom(Device *dev)
{
    if (dev->leom && dev->max_volume_usage &&
        dev->volume_bytes + DEVICE_LEOM_MARGIN > dev->max_volume_usage)
        dev->is_eom = TRUE;
}

gboolean
device_start_file(Device *dev, const dumpfile_t *hdr, GError **error)
{
    if (!check_writing(dev, FALSE, error))
        return FALSE;
    if (hdr->type == FILEHEADER_TAPESTART || hdr->type <= FILEHEADER_UNKNOWN) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "start_file needs a dump header, not %s",
                         fileheader_type_name(hdr->type));
        return FALSE;
    }
    dev->is_eom = FALSE;
    if (!check_room(dev, DISK_BLOCK_BYTES, error))
        return FALSE;
    GError *err = NULL;
    g_autofree char *block = fileheader_build(hdr, DISK_BLOCK_BYTES, &err);
    if (!block) {
        device_set_error(dev, error, DEVICE_ERR_STATE, "cannot build file header: %s",
                         err->message);
        g_error_free(err);
        return FALSE;
    }
    if (!dev->ops->start_file(dev, block, hdr, error))
        return FALSE;
    dev->in_file = TRUE;
    dev->block = 0;
    dev->volume_bytes += DISK_BLOCK_BYTES;
    check_leom(dev);
    return TRUE;
}

gboolean
device_write_block(Device *dev, const void *buf, gsize size, GError **error)
{
    if (!check_writing(dev, TRUE, error))
        return FALSE;
    if (size == 0 || size > dev->block_size) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "block of %" G_GSIZE_FORMAT " bytes (must be 1 to BLOCK_SIZE %"
                         G_GSIZE_FORMAT ")", size, dev->block_size);
        return FALSE;
    }
    if (!check_room(dev, size, error))
        return FALSE;
    if (!dev->ops->write_block(dev, buf, size, error))
        return FALSE;
    dev->block++;
    dev->volume_bytes += size;
    check_leom(dev);
    return TRUE;
}

gboolean
device_finish_file(Device *dev, GError **error)
{
    if (!check_writing(dev, TRUE, error))
        return FALSE;
    dev->in_file = FALSE;
    return dev->ops->finish_file(dev, error);
}

void
device_header_free(dumpfile_t *hdr)
{
    if (!hdr)
        return;
    fileheader_clear(hdr);
    g_free(hdr);
}

dumpfile_t *
device_seek_file(Device *dev, int file, GError **error)
{
    if (dev->access_mode != DEVICE_MODE_READ) {
        device_set_error(dev, error, DEVICE_ERR_STATE, "device not started for reading");
        return NULL;
    }
    if (file < 0) {
        device_set_error(dev, error, DEVICE_ERR_NO_FILE, "no file number %d", file);
        return NULL;
    }
    dumpfile_t *hdr = g_new0(dumpfile_t, 1);
    fileheader_init(hdr);
    dev->in_file = FALSE;
    if (!dev->ops->seek_file(dev, file, hdr, error)) {
        device_header_free(hdr);
        return NULL;
    }
    dev->in_file = hdr->type != FILEHEADER_TAPEEND;
    dev->block = 0;
    return hdr;
}

gssize
device_read_block(Device *dev, void *buf, gsize *size, GError **error)
{
    if (dev->access_mode != DEVICE_MODE_READ || !dev->in_file) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "no file to read (start READ and seek_file first)");
        return -1;
    }
    if (*size < dev->block_size) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "read buffer of %" G_GSIZE_FORMAT " bytes is smaller than "
                         "BLOCK_SIZE %" G_GSIZE_FORMAT, *size, dev->block_size);
        *size = dev->block_size;
        return -1;
    }
    gssize n = dev->ops->read_block(dev, buf, dev->block_size, error);
    if (n > 0)
        dev->block++;
    if (n == 0)
        dev->in_file = FALSE;
    *size = n > 0 ? (gsize)n : 0;
    return n;
}

gboolean
device_skip_bytes(Device *dev, guint64 bytes, guint64 *skipped, GError **error)
{
    *skipped = 0;
    if (dev->access_mode != DEVICE_MODE_READ || !dev->in_file) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "no file to skip in (start READ and seek_file first)");
        return FALSE;
    }
    if (!dev->ops->skip_bytes) {
        device_set_error(dev, error, DEVICE_ERR_NOT_IMPLEMENTED,
                         "%s devices cannot skip data without reading it", dev->type);
        return FALSE;
    }
    return dev->ops->skip_bytes(dev, bytes, skipped, error);
}

gboolean
device_finish(Device *dev, GError **error)
{
    if (dev->access_mode == DEVICE_MODE_NONE)
        return TRUE;
    gboolean ok = TRUE;
    if (dev->in_file && dev->access_mode != DEVICE_MODE_READ)
        ok = dev->ops->finish_file(dev, error);
    dev->in_file = FALSE;
    GError **err2 = ok ? error : NULL;
    ok = dev->ops->finish(dev, err2) && ok;
    dev->access_mode = DEVICE_MODE_NONE;
    return ok;
}

gboolean
device_erase(Device *dev, GError **error)
{
    if (dev->access_mode != DEVICE_MODE_NONE) {
        device_set_error(dev, error, DEVICE_ERR_STATE, "cannot erase a started device");
        return FALSE;
    }
    if (!dev->ops->erase || !dev->ops->full_deletion) {
        device_set_error(dev, error, DEVICE_ERR_NOT_IMPLEMENTED, "device cannot erase");
        return FALSE;
    }
    if (!dev->ops->erase(dev, error))
        return FALSE;
    dev->volume_bytes = 0;
    g_clear_pointer(&dev->volume_label, g_free);
    g_clear_pointer(&dev->volume_time, g_free);
    fileheader_clear(&dev->volume_header);
    return TRUE;
}

gboolean
device_eject(Device *dev, GError **error)
{
    if (!device_finish(dev, error))
        return FALSE;
    return dev->ops->eject ? dev->ops->eject(dev, error) : TRUE;
}

gboolean
device_recycle_file(Device *dev, int file, GError **error)
{
    if (!dev->ops->recycle_file || !dev->ops->partial_deletion) {
        device_set_error(dev, error, DEVICE_ERR_NOT_IMPLEMENTED,
                         "device cannot delete single files");
        return FALSE;
    }
    if (file <= 0 || (dev->in_file && file == dev->file &&
                      dev->access_mode != DEVICE_MODE_READ)) {
        device_set_error(dev, error, DEVICE_ERR_STATE, "cannot delete file %d now", file);
        return FALSE;
    }
    return dev->ops->recycle_file(dev, file, error);
}
