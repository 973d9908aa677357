/* amlabel: write an AMANDA label (TAPESTART header) on a volume and record
 * it in the tapelist.
 *
 *   amlabel [-o NAME=VALUE]... CONFIG [LABEL] [slot N] [-f]
 *           [--barcode B] [--meta M]
 *
 * Refuses, unless -f: a label outside labelstr, a label already in the
 * tapelist, and a volume that already holds a label of this configuration.
 * Without LABEL the autolabel template names the volume.  The tapelist is
 * changed under its lock and replaced atomically. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-util.h"
#include "dumpuser.h"
#include "debug.h"
#include "volume-policy.h"

typedef struct {
    const char *config;
    const char *label;
    const char *slot;
    const char *barcode, *meta;
    gboolean force;
} amlabel_args_t;

static void
usage(void)
{
    fprintf(stderr, "Usage: amlabel [--barcode <barcode>] [--meta <meta>] [-f] "
                    "[-o configoption]* <conf> [<label>] [slot <slot-number>]\n");
    exit(1);
}

static void
parse_args(int argc, char **argv, amlabel_args_t *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "-f") == 0 || strcmp(s, "--force") == 0) {
            a->force = TRUE;
        } else if (strcmp(s, "--barcode") == 0 && i + 1 < argc) {
            a->barcode = argv[++i];
        } else if (strcmp(s, "--meta") == 0 && i + 1 < argc) {
            a->meta = argv[++i];
        } else if (strcmp(s, "slot") == 0 && i + 1 < argc) {
            a->slot = argv[++i];
        } else if (strcmp(s, "--version") == 0) {
            printf("amlabel-%s\n", PACKAGE_VERSION);
            exit(0);
        } else if (s[0] == '-') {
            usage();
        } else if (!a->config) {
            a->config = s;
        } else if (!a->label) {
            a->label = s;
        } else {
            usage();
        }
    }
    if (!a->config)
        usage();
}

static int
refuse(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int
refuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "%s\n", msg);
    dbprintf("amlabel: %s\n", msg);
    return 1;
}

/* What is on the volume now; FALSE when labelling must stop. */
static gboolean
judge_volume(Device *dev, const tapelist_t *tl, const amlabel_args_t *a)
{
    DeviceStatusFlags st = device_read_label(dev);
    if (st == DEVICE_STATUS_SUCCESS) {
        const char *old = dev->volume_label;
        if (tapelist_lookup_label(tl, old)) {
            printf("Volume with label '%s' is active and contains data from this "
                   "configuration.\n", old);
            if (!a->force) {
                printf("Not writing label.\n");
                refuse("Not writing label.");
                return FALSE;
            }
            printf("Consider using 'amrmtape' to remove volume '%s' from the catalog.\n", old);
        } else {
            printf("Found label '%s' but it is not in the tapelist of this "
                   "configuration.\n", old);
            if (!a->force) {
                printf("Not writing label; use -f to overwrite it.\n");
                refuse("Not writing label.");
                return FALSE;
            }
        }
    } else if (st & DEVICE_STATUS_VOLUME_UNLABELED) {
        printf("Found an empty tape.\n");
    } else if (st & DEVICE_STATUS_VOLUME_ERROR) {
        printf("Error reading volume label: %s\n", dev->errmsg ? dev->errmsg : "unknown");
        if (!a->force) {
            refuse("Not writing label; use -f to overwrite an unreadable volume.");
            return FALSE;
        }
    } else {
        const char *why = dev->errmsg ? dev->errmsg : "no volume";
        printf("%s\n", why);
        refuse("%s", why);
        return FALSE;
    }
    return TRUE;
}

/* AMANDA lists the most recently labelled of the never-written volumes
 * first among them. */
static void
move_first_of_its_stamp(tapelist_t *tl, tapelist_entry_t *e)
{
    guint at = 0, first = G_MAXUINT;
    for (guint i = 0; i < tl->entries->len; i++) {
        tapelist_entry_t *o = g_ptr_array_index(tl->entries, i);
        if (o == e)
            at = i;
        if (first == G_MAXUINT && strcmp(o->datestamp, e->datestamp) == 0)
            first = i;
    }
    if (first < at) {
        g_ptr_array_steal_index(tl->entries, at);
        g_ptr_array_insert(tl->entries, (gint)first, e);
    }
}

static gboolean
record_label(const conf_t *conf, const char *label, const char *old_label, gint64 blocksize_kb,
             const amlabel_args_t *a, GError **error)
{
    g_autofree char *path = admin_conf_path(conf, CNF_TAPELIST);
    int lock = tapelist_lock(path, error);
    if (lock < 0)
        return FALSE;
    gboolean ok = FALSE;
    g_autoptr(tapelist_t) tl = tapelist_read(path, error);
    if (tl) {
        /* the old label (and a forced duplicate) no longer names a volume */
        if (old_label && tapelist_lookup_label(tl, old_label))
            tapelist_remove(tl, old_label, NULL);
        if (tapelist_lookup_label(tl, label))
            tapelist_remove(tl, label, NULL);
        tapelist_entry_t *e = tapelist_add(tl, "0", label, TRUE, error);
        if (e)
            move_first_of_its_stamp(tl, e);
        if (e) {
            const char *st = admin_storage_name(conf);
            e->blocksize = blocksize_kb;
            e->pool = g_strdup(st);
            e->storage = g_strdup(st);
            e->config = g_strdup(st);
            e->barcode = g_strdup(a->barcode);
            e->meta = g_strdup(a->meta);
            ok = tapelist_write(path, tl, error);
        }
    }
    tapelist_unlock(lock);
    return ok;
}

static int
write_label(const conf_t *conf, Device *dev, const char *label, const amlabel_args_t *a)
{
    GError *err = NULL;
    g_autofree char *old = dev->volume_label && dev->status == DEVICE_STATUS_SUCCESS
                               ? g_strdup(dev->volume_label) : NULL;
    printf("Writing label '%s'...\n", label);
    fflush(stdout);
    if (!device_start(dev, DEVICE_MODE_WRITE, label, "X", &err) ||
        !device_finish(dev, &err)) {
        int rc = refuse("Error writing label: %s", err->message);
        g_error_free(err);
        return rc;
    }
    printf("Checking label...\n");
    if (device_read_label(dev) != DEVICE_STATUS_SUCCESS ||
        g_strcmp0(dev->volume_label, label) != 0)
        return refuse("Checking the label failed: the volume reads back as '%s'",
                      dev->volume_label ? dev->volume_label : "(nothing)");
    if (!record_label(conf, label, old, (gint64)(dev->block_size / 1024), a, &err)) {
        int rc = refuse("Label written but the tapelist could not be updated: %s",
                        err->message);
        g_error_free(err);
        return rc;
    }
    printf("Success!\n");
    dbprintf("amlabel: labelled %s as %s\n", dev->device_name, label);
    return 0;
}

static char *
choose_label(const amlabel_args_t *a, const volume_policy_t *pol, const tapelist_t *tl)
{
    if (a->label)
        return g_strdup(a->label);
    GError *err = NULL;
    char *l = volume_policy_next_label(pol, tl, a->barcode, a->meta, &err);
    if (!l) {
        refuse("%s", err->message);
        g_error_free(err);
    }
    return l;
}

static int
run(const conf_t *conf, const amlabel_args_t *a)
{
    GError *err = NULL;
    g_autoptr(volume_policy_t) pol = volume_policy_from_conf(conf, &err);
    g_autoptr(tapelist_t) tl = pol ? admin_read_tapelist(conf, &err) : NULL;
    if (!tl) {
        int rc = refuse("%s", err->message);
        g_error_free(err);
        return rc;
    }
    g_autofree char *label = choose_label(a, pol, tl);
    if (!label)
        return 1;
    if (tapelist_lookup_label(tl, label) && !a->force)
        return refuse("Label '%s' already on a volume", label);

    g_autoptr(Changer) chg = admin_open_changer(conf, NULL, &err);
    if (!chg) {
        int rc = refuse("%s", err->message);
        g_error_free(err);
        return rc;
    }
    printf("Reading label...\n");
    fflush(stdout);
    ChangerReservation *res = changer_load(chg, a->slot ? a->slot : "current", &err);
    if (!res) {
        printf("%s\n", err->message);
        int rc = refuse("%s", err->message);
        g_error_free(err);
        return rc;
    }
    int rc = 1;
    g_autoptr(Device) dev = device_open(res->device_name, &err);
    if (!dev || !admin_setup_device(conf, dev, &err)) {
        rc = refuse("%s", err->message);
        g_error_free(err);
    } else if (judge_volume(dev, tl, a)) {
        if (!volume_policy_label_ok(pol, label, &err) && !a->force) {
            printf("Label '%s' doesn't match the labelstr '%s'.\n", label,
                   volume_policy_labelstr(pol));
            rc = refuse("Label '%s' doesn't match the labelstr '%s'.", label,
                        volume_policy_labelstr(pol));
        } else {
            rc = write_label(conf, dev, label, a);
        }
        g_clear_error(&err);
    }
    changer_release(res);
    return rc;
}

int
main(int argc, char **argv)
{
    admin_start("amlabel");
    g_auto(GStrv) overrides = admin_take_overrides(&argc, argv);
    amlabel_args_t a;
    parse_args(argc, argv, &a);
    g_autoptr(conf_t) conf = admin_load_config(a.config, overrides);
    if (!conf)
        return 1;
    dumpuser_require(conf, "amlabel");
    int rc = run(conf, &a);
    debug_close();
    return rc;
}
