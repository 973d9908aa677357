/* amdevice-tool: label, write, read, list and erase volumes through the
 * Device API, and show a changer's slots.  Small enough to read in one
 * sitting; meant for admins and for tests (see amdevice-tool(8)). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amutil.h"
#include "changer.h"
#include "device.h"

static char **opt_props;
static char *opt_timestamp;
static char *opt_program;

static const GOptionEntry entries[] = {
    { "property", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opt_props,
      "Set a device (or changer) property", "NAME=VALUE" },
    { "timestamp", 't', 0, G_OPTION_ARG_STRING, &opt_timestamp,
      "Datestamp for label/write (default: now)", "YYYYMMDDhhmmss" },
    { "program", 'p', 0, G_OPTION_ARG_STRING, &opt_program,
      "Program named in a written header (default GNUTAR)", "NAME" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};

static int
fail(GError *err)
{
    fprintf(stderr, "amdevice-tool: %s\n", err ? err->message : "failed");
    if (err)
        g_error_free(err);
    return 1;
}

static Device *
open_dev(const char *name, GError **error)
{
    Device *dev = device_open(name, error);
    for (char **p = opt_props; dev && p && *p; p++) {
        g_auto(GStrv) kv = g_strsplit(*p, "=", 2);
        if (!kv[1]) {
            g_set_error(error, DEVICE_ERR, DEVICE_ERR_PROPERTY,
                        "property \"%s\": expected NAME=VALUE", *p);
            g_clear_pointer(&dev, device_free);
        } else if (!device_property_set(dev, kv[0], kv[1], error)) {
            g_clear_pointer(&dev, device_free);
        }
    }
    return dev;
}

static int
cmd_label(char **args)
{
    GError *err = NULL;
    g_autoptr(Device) dev = open_dev(args[0], &err);
    if (!dev || !device_start(dev, DEVICE_MODE_WRITE, args[1], opt_timestamp, &err) ||
        !device_finish(dev, &err))
        return fail(err);
    printf("labelled %s as %s (%s)\n", args[0], dev->volume_label, dev->volume_time);
    return 0;
}

static void
fill_header(dumpfile_t *hdr, char **args)
{
    char now[15];
    amanda_timestamp(time(NULL), now);
    fileheader_init(hdr);
    hdr->type = FILEHEADER_SPLIT_DUMPFILE;
    hdr->datestamp = g_strdup(opt_timestamp ? opt_timestamp : now);
    hdr->host = g_strdup(args[1]);
    hdr->disk = g_strdup(args[2]);
    hdr->dumplevel = atoi(args[3]);
    hdr->program = g_strdup(opt_program ? opt_program : "GNUTAR");
    hdr->partnum = 1;
    hdr->totalparts = 1;
    hdr->recover_cmd = g_strdup("/bin/tar -xpGf - ...");
    hdr->blocksize = DISK_BLOCK_BYTES;
}

static gboolean
copy_stdin(Device *dev, guint64 *total, GError **error)
{
    g_autofree char *buf = g_malloc(dev->block_size);
    for (;;) {
        ssize_t n = full_read(STDIN_FILENO, buf, dev->block_size);
        if (n < 0) {
            g_set_error(error, DEVICE_ERR, DEVICE_ERR_IO, "reading standard input: %s",
                        g_strerror(errno));
            return FALSE;
        }
        if (n == 0)
            return TRUE;
        if (!device_write_block(dev, buf, n, error))
            return FALSE;
        *total += n;
    }
}

static int
cmd_write(char **args)
{
    GError *err = NULL;
    char *end;
    strtol(args[3], &end, 10);
    if (!*args[3] || *end) {
        fprintf(stderr, "amdevice-tool: level \"%s\" is not a number\n", args[3]);
        return 2;
    }
    g_autoptr(Device) dev = open_dev(args[0], &err);
    if (!dev || !device_start(dev, DEVICE_MODE_APPEND, NULL, NULL, &err))
        return fail(err);
    dumpfile_t hdr;
    fill_header(&hdr, args);
    guint64 total = 0;
    gboolean ok = device_start_file(dev, &hdr, &err) && copy_stdin(dev, &total, &err);
    fileheader_clear(&hdr);
    if (!ok) {
        if (dev->in_file)
            device_finish_file(dev, NULL);
        device_finish(dev, NULL);
        return fail(err);
    }
    if (!device_finish_file(dev, &err) || !device_finish(dev, &err))
        return fail(err);
    printf("wrote file %d on %s: %" G_GUINT64_FORMAT " bytes\n", dev->file, dev->volume_label,
           total);
    return 0;
}

static int
parse_fileno(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    return (*s && !*end && n >= 0 && n <= 99999) ? (int)n : -1;
}

static int
cmd_read(char **args)
{
    GError *err = NULL;
    int fileno = parse_fileno(args[1]);
    if (fileno < 1) {
        fprintf(stderr, "amdevice-tool: file number \"%s\" must be 1 to 99999\n", args[1]);
        return 2;
    }
    g_autoptr(Device) dev = open_dev(args[0], &err);
    if (!dev || !device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err))
        return fail(err);
    dumpfile_t *hdr = device_seek_file(dev, fileno, &err);
    if (!hdr)
        return fail(err);
    gboolean missing = dev->file != fileno || hdr->type == FILEHEADER_TAPEEND;
    device_header_free(hdr);
    if (missing) {
        fprintf(stderr, "amdevice-tool: %s: no file %d on volume %s\n", args[0], fileno,
                dev->volume_label);
        return 1;
    }
    g_autofree char *buf = g_malloc(dev->block_size);
    for (;;) {
        gsize size = dev->block_size;
        gssize n = device_read_block(dev, buf, &size, &err);
        if (n < 0)
            return fail(err);
        if (n == 0)
            break;
        if (full_write(STDOUT_FILENO, buf, n) != n) {
            fprintf(stderr, "amdevice-tool: writing standard output: %s\n", g_strerror(errno));
            return 1;
        }
    }
    return device_finish(dev, &err) ? 0 : fail(err);
}

static int
cmd_list(char **args)
{
    GError *err = NULL;
    g_autoptr(Device) dev = open_dev(args[0], &err);
    if (!dev || !device_start(dev, DEVICE_MODE_READ, NULL, NULL, &err))
        return fail(err);
    printf("volume %s written %s\n", dev->volume_label, dev->volume_time);
    for (int n = 1;; n = dev->file + 1) {
        dumpfile_t *hdr = device_seek_file(dev, n, &err);
        if (!hdr)
            return fail(err);
        gboolean end = hdr->type == FILEHEADER_TAPEEND;
        if (!end) {
            g_autofree char *sum = fileheader_summary(hdr);
            printf("%05d %s\n", dev->file, sum);
        }
        device_header_free(hdr);
        if (end)
            break;
    }
    return device_finish(dev, &err) ? 0 : fail(err);
}

static int
cmd_erase(char **args)
{
    GError *err = NULL;
    g_autoptr(Device) dev = open_dev(args[0], &err);
    if (!dev || !device_erase(dev, &err))
        return fail(err);
    printf("erased %s\n", args[0]);
    return 0;
}

static const char *const state_names[] = { "empty", "unlabeled", "labeled", "error" };

static int
cmd_inventory(char **args)
{
    GError *err = NULL;
    g_autoptr(GHashTable) props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (char **p = opt_props; p && *p; p++) {
        g_auto(GStrv) kv = g_strsplit(*p, "=", 2);
        g_hash_table_insert(props, g_strdup(kv[0]), g_strdup(kv[1] ? kv[1] : ""));
    }
    g_autoptr(Changer) chg = changer_open(args[0], props, &err);
    ChangerInfo info;
    if (!chg || !changer_info(chg, &info, &err))
        return fail(err);
    g_autoptr(GPtrArray) inv = changer_inventory(chg, &err);
    if (!inv)
        return fail(err);
    for (guint i = 0; i < inv->len; i++) {
        ChangerSlotInfo *si = inv->pdata[i];
        printf("slot %d: %s%s%s%s\n", si->slot, state_names[si->state],
               si->label ? " " : "", si->label ? si->label : "",
               si->slot == info.current_slot ? " (current)" : "");
    }
    return 0;
}

static const struct {
    const char *name;
    int nargs;
    int (*fn)(char **args);
    const char *usage;
} commands[] = {
    { "label", 2, cmd_label, "label DEVICE LABEL" },
    { "write", 4, cmd_write, "write DEVICE HOST DISK LEVEL < IMAGE" },
    { "read", 2, cmd_read, "read DEVICE FILENO > IMAGE" },
    { "list", 1, cmd_list, "list DEVICE" },
    { "erase", 1, cmd_erase, "erase DEVICE" },
    { "inventory", 1, cmd_inventory, "inventory CHANGER" },
};

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("COMMAND ARGS...");
    g_autoptr(GString) summary = g_string_new("Commands:");
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
        g_string_append_printf(summary, "\n  %s", commands[i].usage);
    g_option_context_set_summary(ctx, summary->str);
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fail(err);
        return 2;
    }
    for (gsize i = 0; argc >= 2 && i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (argc - 2 != commands[i].nargs) {
            fprintf(stderr, "usage: amdevice-tool [-o NAME=VALUE] %s\n", commands[i].usage);
            return 2;
        }
        return commands[i].fn(argv + 2);
    }
    g_autofree char *help = g_option_context_get_help(ctx, TRUE, NULL);
    fprintf(stderr, "%s", help);
    return 2;
}
