/* device-property: device properties set and read by name, so that
 * tapetype parameters (length -> MAX_VOLUME_USAGE, blocksize ->
 * BLOCK_SIZE) and "device-property" config lines apply to any device. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"

typedef enum { P_SIZE, P_BLOCK, P_BOOL, P_STRING, P_STREAMING, P_CAP } PropKind;

typedef struct {
    const char *name;
    PropKind kind;
    gsize offset;      /* into Device (or DeviceOps for P_CAP) */
} PropDef;

static const PropDef props[] = {
    { "BLOCK_SIZE", P_BLOCK, G_STRUCT_OFFSET(Device, block_size) },
    { "MAX_VOLUME_USAGE", P_SIZE, G_STRUCT_OFFSET(Device, max_volume_usage) },
    { "ENFORCE_MAX_VOLUME_USAGE", P_BOOL, G_STRUCT_OFFSET(Device, enforce_max_volume_usage) },
    { "LEOM", P_BOOL, G_STRUCT_OFFSET(Device, leom) },
    { "CANONICAL_NAME", P_STRING, G_STRUCT_OFFSET(Device, canonical_name) },
    { "COMMENT", P_STRING, G_STRUCT_OFFSET(Device, comment) },
    { "VERBOSE", P_BOOL, G_STRUCT_OFFSET(Device, verbose) },
    { "STREAMING", P_STREAMING, G_STRUCT_OFFSET(Device, streaming) },
    { "APPENDABLE", P_CAP, G_STRUCT_OFFSET(DeviceOps, appendable) },
    { "PARTIAL_DELETION", P_CAP, G_STRUCT_OFFSET(DeviceOps, partial_deletion) },
    { "FULL_DELETION", P_CAP, G_STRUCT_OFFSET(DeviceOps, full_deletion) },
};

static const char *const prop_names[] = {
    "BLOCK_SIZE", "MAX_VOLUME_USAGE", "ENFORCE_MAX_VOLUME_USAGE", "LEOM",
    "CANONICAL_NAME", "COMMENT", "VERBOSE", "STREAMING", "APPENDABLE",
    "PARTIAL_DELETION", "FULL_DELETION", NULL,
};

static const char *const streaming_names[] = { "none", "desired", "required" };

const char *const *
device_property_names(void)
{
    return prop_names;
}

static const PropDef *
find_prop(const char *name)
{
    g_autofree char *norm = g_ascii_strup(name, -1);
    g_strdelimit(norm, "-", '_');
    for (gsize i = 0; i < G_N_ELEMENTS(props); i++)
        if (strcmp(props[i].name, norm) == 0)
            return &props[i];
    return NULL;
}

static guint64
unit_multiplier(const char *unit, gboolean *ok)
{
    static const struct { const char *names; guint64 mult; } units[] = {
        { ",b,byte,bytes,", 1 },
        { ",k,kb,kib,kbyte,kbytes,kilobyte,kilobytes,", 1ULL << 10 },
        { ",m,mb,mib,mbyte,mbytes,megabyte,megabytes,", 1ULL << 20 },
        { ",g,gb,gib,gbyte,gbytes,gigabyte,gigabytes,", 1ULL << 30 },
        { ",t,tb,tib,tbyte,tbytes,terabyte,terabytes,", 1ULL << 40 },
    };
    *ok = TRUE;
    if (!*unit)
        return 1;
    g_autofree char *low = g_ascii_strdown(unit, -1);
    g_autofree char *key = g_strdup_printf(",%s,", low);
    for (gsize i = 0; i < G_N_ELEMENTS(units); i++)
        if (strstr(units[i].names, key))
            return units[i].mult;
    *ok = FALSE;
    return 0;
}

gboolean
device_parse_size(const char *text, guint64 *out)
{
    const char *p = text;
    while (g_ascii_isspace(*p))
        p++;
    if (!g_ascii_isdigit(*p))
        return FALSE;
    char *end;
    errno = 0;
    guint64 n = g_ascii_strtoull(p, &end, 10);
    if (errno)
        return FALSE;
    while (g_ascii_isspace(*end))
        end++;
    g_autofree char *unit = g_strchomp(g_strdup(end));
    gboolean ok;
    guint64 mult = unit_multiplier(unit, &ok);
    if (!ok || (n && mult > G_MAXUINT64 / n))
        return FALSE;
    *out = n * mult;
    return TRUE;
}

static gboolean
parse_bool(const char *text, gboolean *out)
{
    static const char *const yes[] = { "yes", "y", "true", "t", "on", "1" };
    static const char *const no[] = { "no", "n", "false", "f", "off", "0" };
    for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(text, yes[i]) == 0)
            return (*out = TRUE), TRUE;
        if (g_ascii_strcasecmp(text, no[i]) == 0)
            return (*out = FALSE), TRUE;
    }
    return FALSE;
}

static gboolean
set_block_size(Device *dev, const char *value, GError **error)
{
    guint64 n;
    if (!device_parse_size(value, &n) || n < DEVICE_MIN_BLOCK_SIZE ||
        n > DEVICE_MAX_BLOCK_SIZE || n % 1024) {
        device_set_error(dev, error, DEVICE_ERR_PROPERTY,
                         "BLOCK_SIZE \"%s\": need a multiple of 1 KiB from %d to %d bytes",
                         value, DEVICE_MIN_BLOCK_SIZE, DEVICE_MAX_BLOCK_SIZE);
        return FALSE;
    }
    if (dev->access_mode != DEVICE_MODE_NONE) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "BLOCK_SIZE cannot change while the device is started");
        return FALSE;
    }
    dev->block_size = n;
    return TRUE;
}

static gboolean
set_streaming(Device *dev, const char *value, GError **error)
{
    for (gsize i = 0; i < G_N_ELEMENTS(streaming_names); i++) {
        if (g_ascii_strcasecmp(value, streaming_names[i]) == 0) {
            dev->streaming = (DeviceStreaming)i;
            return TRUE;
        }
    }
    device_set_error(dev, error, DEVICE_ERR_PROPERTY,
                     "STREAMING \"%s\": expected none, desired or required", value);
    return FALSE;
}

gboolean
device_property_set(Device *dev, const char *name, const char *value, GError **error)
{
    const PropDef *p = find_prop(name);
    if (!p) {
        device_set_error(dev, error, DEVICE_ERR_PROPERTY, "unknown property \"%s\"", name);
        return FALSE;
    }
    char *field = (char *)dev + p->offset;
    switch (p->kind) {
    case P_BLOCK:
        return set_block_size(dev, value, error);
    case P_SIZE:
        if (device_parse_size(value, (guint64 *)field))
            return TRUE;
        device_set_error(dev, error, DEVICE_ERR_PROPERTY,
                         "%s \"%s\": expected a byte count, optionally with a unit "
                         "(k, m, g, t)", p->name, value);
        return FALSE;
    case P_BOOL:
        if (parse_bool(value, (gboolean *)field))
            return TRUE;
        device_set_error(dev, error, DEVICE_ERR_PROPERTY,
                         "%s \"%s\": expected yes or no", p->name, value);
        return FALSE;
    case P_STRING:
        g_free(*(char **)field);
        *(char **)field = g_strdup(value);
        return TRUE;
    case P_STREAMING:
        return set_streaming(dev, value, error);
    case P_CAP:
        break;
    }
    device_set_error(dev, error, DEVICE_ERR_PROPERTY, "property %s is read-only", p->name);
    return FALSE;
}

char *
device_property_get(Device *dev, const char *name)
{
    const PropDef *p = find_prop(name);
    if (!p)
        return NULL;
    const char *field = (const char *)dev + p->offset;
    switch (p->kind) {
    case P_BLOCK:
        return g_strdup_printf("%" G_GSIZE_FORMAT, dev->block_size);
    case P_SIZE:
        return g_strdup_printf("%" G_GUINT64_FORMAT, *(const guint64 *)field);
    case P_BOOL:
        return g_strdup(*(const gboolean *)field ? "yes" : "no");
    case P_STRING:
        return g_strdup(*(char *const *)field ? *(char *const *)field : "");
    case P_STREAMING:
        return g_strdup(streaming_names[dev->streaming]);
    case P_CAP:
        return g_strdup(*(const gboolean *)((const char *)dev->ops + p->offset) ? "yes" : "no");
    }
    return NULL;
}
