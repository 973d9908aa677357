/* amtape: drive the configured changer by hand.
 *
 *   amtape [-o NAME=VALUE]... CONFIG COMMAND [ARGS]
 *     reset | eject | slot N|current|next|prev|first|last | current |
 *     show [SLOTS] | label LABEL | inventory | taper | update
 *
 * Messages follow AMANDA's amtape (most go to stderr, inventory and the
 * label lookup's slot line to stdout). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin-util.h"
#include "debug.h"
#include "volume-policy.h"

static void
usage(void)
{
    fprintf(stderr,
            "Usage: amtape [-o configoption]* <conf> <command> {<args>}\n"
            "  Valid commands are:\n");
    printf("    current         load and show the contents of the current slot\n"
           "    eject           eject the volume in the drive\n"
           "    inventory       show inventory of changer slots\n"
           "    label <label>   load the volume with label <label>\n"
           "    reset           reset changer to known state\n"
           "    show [<slots>]  scan all slots (or listed slots) in the changer\n"
           "    slot <slot>     load the volume in slot <slot>; <slot> can also be\n"
           "                    'current', 'next', 'prev', 'first' or 'last'\n"
           "    taper           perform the taperscan algorithm and display the result\n"
           "    update          update the changer's state\n");
    exit(1);
}

static int
fail(GError *err)
{
    fprintf(stderr, "ERROR: %s\n", err ? err->message : "failed");
    dbprintf("amtape: %s\n", err ? err->message : "failed");
    g_clear_error(&err);
    return 1;
}

/* "slot   1: time X              label Adm-002" */
static void
print_loaded(const ChangerReservation *res, const char *word)
{
    if (res->label) {
        g_autoptr(Device) dev = device_open(res->device_name, NULL);
        const char *when = "X";
        if (dev && device_read_label(dev) == DEVICE_STATUS_SUCCESS && dev->volume_time)
            when = dev->volume_time;
        fprintf(stderr, "slot %3d: %s %-14s label %s\n", res->slot, word, when, res->label);
    } else if (res->device_status & DEVICE_STATUS_VOLUME_ERROR) {
        fprintf(stderr, "slot %3d: volume error\n", res->slot);
    } else {
        fprintf(stderr, "slot %3d: unlabeled volume\n", res->slot);
    }
}

static int
cmd_load(Changer *chg, const char *spec)
{
    GError *err = NULL;
    ChangerReservation *res = changer_load(chg, spec, &err);
    if (!res)
        return fail(err);
    print_loaded(res, "time");
    fprintf(stderr, "changed to slot %d\n", res->slot);
    changer_release(res);
    return 0;
}

static int
cmd_label(Changer *chg, const char *label)
{
    GError *err = NULL;
    ChangerReservation *res = changer_load_label(chg, label, &err);
    if (!res) {
        fprintf(stderr, "ERROR: label %s not found in the changer: %s\n", label,
                err->message);
        g_error_free(err);
        return 1;
    }
    printf("slot %3d: %s\n", res->slot, label);
    fflush(stdout);
    print_loaded(res, "time");
    fprintf(stderr, "label %s is now loaded from slot %d\n", label, res->slot);
    changer_release(res);
    return 0;
}

static gboolean
slot_wanted(int slot, char **wanted)
{
    if (!wanted || !*wanted)
        return TRUE;
    for (; *wanted; wanted++) {
        g_auto(GStrv) parts = g_strsplit(*wanted, ",", -1);
        for (char **p = parts; *p; p++) {
            int lo, hi;
            if (sscanf(*p, "%d-%d", &lo, &hi) == 2 ? slot >= lo && slot <= hi
                                                   : atoi(*p) == slot)
                return TRUE;
        }
    }
    return FALSE;
}

static int
cmd_show(Changer *chg, char **wanted)
{
    GError *err = NULL;
    g_autoptr(GPtrArray) inv = changer_inventory(chg, &err);
    if (!inv)
        return fail(err);
    if (!wanted || !*wanted)
        fprintf(stderr, "scanning all %u slots in changer:\n", inv->len);
    for (guint i = 0; i < inv->len; i++) {
        const ChangerSlotInfo *si = g_ptr_array_index(inv, i);
        if (!slot_wanted(si->slot, wanted))
            continue;
        if (si->state == CHANGER_SLOT_LABELED) {
            g_autoptr(Device) dev = device_open(si->device_name, NULL);
            const char *when = "X";
            if (dev && device_read_label(dev) == DEVICE_STATUS_SUCCESS && dev->volume_time)
                when = dev->volume_time;
            fprintf(stderr, "slot %3d: date %-14s label %s\n", si->slot, when, si->label);
        } else if (si->state == CHANGER_SLOT_ERROR) {
            fprintf(stderr, "slot %3d: volume error\n", si->slot);
        } else if (si->state == CHANGER_SLOT_UNLABELED) {
            fprintf(stderr, "slot %3d: unlabeled volume\n", si->slot);
        } else {
            fprintf(stderr, "slot %3d: empty\n", si->slot);
        }
    }
    return 0;
}

/* AMANDA's bracketed note on whether a volume may be overwritten. */
static const char *
retention_note(const volume_policy_t *pol, const tapelist_t *tl, GHashTable *active,
               const char *label)
{
    switch (volume_policy_check_volume(pol, tl, label, active, NULL)) {
    case VOLUME_REUSABLE: case VOLUME_NEW: return " [retention-no]";
    case VOLUME_TOO_RECENT: return " [retention-tape]";
    case VOLUME_ACTIVE: return " [retention-active]";
    case VOLUME_NO_REUSE: return " [no-reuse]";
    case VOLUME_NOT_LISTED: return " [not in tapelist]";
    case VOLUME_LABEL_MISMATCH: return " [no match labelstr]";
    }
    return "";
}

static int
cmd_inventory(const conf_t *conf, Changer *chg)
{
    GError *err = NULL;
    g_autoptr(volume_policy_t) pol = volume_policy_from_conf(conf, &err);
    g_autoptr(tapelist_t) tl = pol ? admin_read_tapelist(conf, &err) : NULL;
    g_autoptr(GPtrArray) inv = tl ? changer_inventory(chg, &err) : NULL;
    ChangerInfo info = { 0, -1, FALSE };
    if (!inv || !changer_info(chg, &info, &err))
        return fail(err);
    g_autoptr(GHashTable) active = admin_active_labels(conf);
    for (guint i = 0; i < inv->len; i++) {
        const ChangerSlotInfo *si = g_ptr_array_index(inv, i);
        const char *cur = si->slot == info.current_slot ? " (current)" : "";
        if (si->state == CHANGER_SLOT_LABELED)
            printf("slot %d: label %s%s%s\n", si->slot, si->label, cur,
                   retention_note(pol, tl, active, si->label));
        else if (si->state == CHANGER_SLOT_ERROR)
            printf("slot %d: unknown state%s\n", si->slot, cur);
        else if (si->state == CHANGER_SLOT_UNLABELED)
            printf("slot %d: blank%s\n", si->slot, cur);
        else
            printf("slot %d: empty%s\n", si->slot, cur);
    }
    return 0;
}

static int
cmd_taper(const conf_t *conf, Changer *chg)
{
    GError *err = NULL;
    admin_scan_t scan;
    if (!admin_taperscan(conf, chg, &scan, &err)) {
        admin_scan_clear(&scan);
        return fail(err);
    }
    for (guint i = 0; i < scan.lines->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(scan.lines, i));
    int rc = 0;
    if (!scan.found) {
        fprintf(stderr, "ERROR: No acceptable volumes found\n");
        rc = 1;
    }
    admin_scan_clear(&scan);
    return rc;
}

static int
dispatch(const conf_t *conf, Changer *chg, const char *spec, int argc, char **argv)
{
    const char *cmd = argv[0];
    GError *err = NULL;
    if (strcmp(cmd, "reset") == 0) {
        if (!changer_reset(chg, &err))
            return fail(err);
        fprintf(stderr, "changer is reset\n");
        return 0;
    }
    if (strcmp(cmd, "eject") == 0 || strcmp(cmd, "update") == 0) {
        if (g_str_has_prefix(spec, "chg-disk:")) {
            fprintf(stderr, "ERROR: 'chg-disk' does not support %s\n", cmd);
            return 1;
        }
        if (strcmp(cmd, "eject") == 0 && !changer_eject(chg, &err))
            return fail(err);
        fprintf(stderr, "%s\n", strcmp(cmd, "eject") == 0 ? "drive ejected" : "update done");
        return 0;
    }
    if (strcmp(cmd, "slot") == 0 && argc == 2)
        return cmd_load(chg, argv[1]);
    if (strcmp(cmd, "current") == 0)
        return cmd_load(chg, "current");
    if (strcmp(cmd, "label") == 0 && argc == 2)
        return cmd_label(chg, argv[1]);
    if (strcmp(cmd, "show") == 0)
        return cmd_show(chg, argv + 1);
    if (strcmp(cmd, "inventory") == 0)
        return cmd_inventory(conf, chg);
    if (strcmp(cmd, "taper") == 0)
        return cmd_taper(conf, chg);
    usage();
    return 1;
}

int
main(int argc, char **argv)
{
    admin_start("amtape");
    g_auto(GStrv) overrides = admin_take_overrides(&argc, argv);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("amtape-%s\n", PACKAGE_VERSION);
        return 0;
    }
    if (argc < 3)
        usage();
    g_autoptr(conf_t) conf = admin_load_config(argv[1], overrides);
    if (!conf)
        return 1;
    GError *err = NULL;
    g_autofree char *spec = NULL;
    g_autoptr(Changer) chg = admin_open_changer(conf, &spec, &err);
    if (!chg)
        return fail(err);
    int rc = dispatch(conf, chg, spec, argc - 2, argv + 2);
    debug_close();
    return rc;
}
