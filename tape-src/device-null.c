/* device-null: "null:" swallows everything written to it (for testing
 * throughput without storage) and has no volume to read. */
#include "device.h"

static gboolean
null_open(G_GNUC_UNUSED Device *dev, G_GNUC_UNUSED GError **error)
{
    return TRUE;
}

static DeviceStatusFlags
null_read_label(Device *dev)
{
    device_set_error(dev, NULL, DEVICE_ERR_VOLUME,
                     "the null device keeps nothing, so it has no label to read");
    return DEVICE_STATUS_VOLUME_UNLABELED;
}

static gboolean
null_start(Device *dev, DeviceAccessMode mode, G_GNUC_UNUSED const char *label_block,
           GError **error)
{
    if (mode != DEVICE_MODE_WRITE) {
        device_set_error(dev, error, DEVICE_ERR_NOT_IMPLEMENTED,
                         "the null device can only be written");
        return FALSE;
    }
    dev->file = 0;
    dev->volume_bytes = DISK_BLOCK_BYTES;
    return TRUE;
}

static gboolean
null_start_file(Device *dev, G_GNUC_UNUSED const char *block,
                G_GNUC_UNUSED const dumpfile_t *hdr, G_GNUC_UNUSED GError **error)
{
    dev->file++;
    return TRUE;
}

static gboolean
null_write_block(G_GNUC_UNUSED Device *dev, G_GNUC_UNUSED const void *buf,
                 G_GNUC_UNUSED gsize size, G_GNUC_UNUSED GError **error)
{
    return TRUE;
}

static gboolean
null_ok(G_GNUC_UNUSED Device *dev, G_GNUC_UNUSED GError **error)
{
    return TRUE;
}

const DeviceOps device_null_ops = {
    .type = "null",
    .open = null_open,
    .read_label = null_read_label,
    .start = null_start,
    .start_file = null_start_file,
    .write_block = null_write_block,
    .finish_file = null_ok,
    .finish = null_ok,
};
