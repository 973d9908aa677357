/* Tests of admin-util: -o overrides, config-relative paths, the changer
 * and device set-up from amanda.conf, and the taper scan over real
 * chg-disk vtapes (oldest usable first, autolabel of an empty slot,
 * volumes of the current run never chosen again, a reason per slot when
 * nothing is acceptable). */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "admin-util.h"
#include "volume-policy.h"

typedef struct {
    char *dir;
    conf_t *conf;
    Changer *chg;
} fx_t;

static const char CONF_FMT[] =
    "tapecycle %d\n"
    "tapelist \"tapelist\"\n"
    "logdir \"log\"\n"
    "define changer vt {\n"
    "  tpchanger \"chg-disk:%s/vt\"\n"
    "  property \"num_slot\" \"4\"\n"
    "  property \"Auto-Create-Slot\" \"yes\"\n"
    "}\n"
    "tpchanger \"vt\"\n"
    "labelstr \"^T-[0-9]+$\"\n"
    "%s\n"
    "define tapetype small {\n"
    "  length 64 mbytes\n"
    "  blocksize 64\n"
    "}\n"
    "tapetype \"small\"\n";

static void
label_slot(fx_t *fx, int slot, const char *label)
{
    g_autofree char *name = g_strdup_printf("file:%s/vt/slot%d", fx->dir, slot);
    g_autofree char *dir = g_strdup_printf("%s/vt/slot%d", fx->dir, slot);
    g_mkdir_with_parents(dir, 0700);
    GError *err = NULL;
    g_autoptr(Device) dev = device_open(name, &err);
    g_assert_no_error(err);
    g_assert_true(device_start(dev, DEVICE_MODE_WRITE, label, "X", &err));
    g_assert_true(device_finish(dev, &err));
}

static void
setup(fx_t *fx, int tapecycle, const char *autolabel, const char *tapelist)
{
    const char *tmp = g_getenv("AMANDA_TMPDIR");
    if (tmp)
        g_mkdir_with_parents(tmp, 0700);
    g_autofree char *tmpl = g_build_filename(tmp ? tmp : g_get_tmp_dir(), "admutil.XXXXXX", NULL);
    fx->dir = g_mkdtemp(g_steal_pointer(&tmpl));
    g_assert_nonnull(fx->dir);
    g_autofree char *vt = g_build_filename(fx->dir, "vt", NULL);
    g_autofree char *log = g_build_filename(fx->dir, "log", NULL);
    g_mkdir_with_parents(vt, 0700);
    g_mkdir_with_parents(log, 0700);
    g_autofree char *text = g_strdup_printf(CONF_FMT, tapecycle, fx->dir, autolabel);
    g_autofree char *path = g_build_filename(fx->dir, "amanda.conf", NULL);
    fx->conf = conf_new(0);
    g_assert_true(conf_parse_buffer(fx->conf, text, strlen(text), path));
    g_autofree char *tl = g_build_filename(fx->dir, "tapelist", NULL);
    g_assert_true(g_file_set_contents(tl, tapelist, -1, NULL));
    GError *err = NULL;
    fx->chg = admin_open_changer(fx->conf, NULL, &err);
    g_assert_no_error(err);
}

static void
teardown(fx_t *fx)
{
    changer_free(fx->chg);
    conf_free(fx->conf);
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", fx->dir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(fx->dir);
}

static void
test_overrides(void)
{
    char *argv[] = { "prog", "-o", "a=1", "Conf", "-ob=2", "x", "-o", NULL };
    int argc = 7;
    g_auto(GStrv) o = admin_take_overrides(&argc, argv);
    g_assert_cmpint(argc, ==, 4);
    g_assert_cmpstr(argv[1], ==, "Conf");
    g_assert_cmpstr(argv[2], ==, "x");
    g_assert_cmpstr(argv[3], ==, "-o"); /* a lone -o at the end is left for the usage error */
    g_assert_null(argv[4]);
    g_assert_cmpuint(g_strv_length(o), ==, 2);
    g_assert_cmpstr(o[0], ==, "a=1");
    g_assert_cmpstr(o[1], ==, "b=2");
}

static void
test_paths_and_device(void)
{
    fx_t fx;
    setup(&fx, 2, "", "");
    g_autofree char *tl = admin_conf_path(fx.conf, CNF_TAPELIST);
    g_autofree char *want = g_build_filename(fx.dir, "tapelist", NULL);
    g_assert_cmpstr(tl, ==, want);
    g_autofree char *name = g_strdup_printf("file:%s/vt/slot1", fx.dir);
    GError *err = NULL;
    g_autoptr(Device) dev = device_open(name, &err);
    g_assert_true(admin_setup_device(fx.conf, dev, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(dev->max_volume_usage, ==, 64ull * 1024 * 1024);
    g_assert_cmpuint(dev->block_size, ==, 64 * 1024);
    teardown(&fx);
}

static void
test_scan_oldest_first(void)
{
    fx_t fx;
    setup(&fx, 2, "",
          "20261103000000 T-3 reuse\n20261102000000 T-2 reuse\n20261101000000 T-1 reuse\n");
    label_slot(&fx, 1, "T-3");
    label_slot(&fx, 2, "T-2");
    label_slot(&fx, 3, "T-1");
    admin_scan_t scan;
    GError *err = NULL;
    g_assert_true(admin_taperscan(fx.conf, fx.chg, &scan, &err));
    g_assert_true(scan.found);
    g_assert_cmpint(scan.slot, ==, 3);
    g_assert_cmpstr(scan.label, ==, "T-1");
    g_assert_null(scan.new_label);
    g_assert_cmpstr(g_ptr_array_index(scan.lines, 0), ==,
                    "Searching for label 'T-1':found in slot 3: volume 'T-1'");
    g_assert_cmpstr(g_ptr_array_index(scan.lines, scan.lines->len - 1), ==,
                    "Will write to volume 'T-1' in slot 3.");
    admin_scan_clear(&scan);
    /* T-1 written by the current run: the next oldest instead */
    g_assert_true(admin_taperscan_run(fx.conf, fx.chg, "20261101000000", &scan, &err));
    g_assert_true(scan.found);
    g_assert_cmpstr(scan.label, ==, "T-2");
    admin_scan_clear(&scan);
    teardown(&fx);
}

static void
test_scan_autolabel_and_refusals(void)
{
    fx_t fx;
    setup(&fx, 3, "autolabel \"T-%%\" empty", "20261101000000 T-1 reuse\n");
    label_slot(&fx, 1, "T-1");
    admin_scan_t scan;
    GError *err = NULL;
    g_assert_true(admin_taperscan(fx.conf, fx.chg, &scan, &err));
    g_assert_true(scan.found);
    g_assert_cmpint(scan.slot, ==, 2);
    g_assert_cmpstr(scan.new_label, ==, "T-01"); /* "T-1" is not of the template's form */
    g_assert_cmpstr(g_ptr_array_index(scan.lines, 0), ==, "slot 2: contains an empty volume");
    admin_scan_clear(&scan);
    teardown(&fx);

    setup(&fx, 3, "", "20261101000000 T-1 reuse\n");
    label_slot(&fx, 1, "T-1");
    label_slot(&fx, 2, "Other-1");
    g_assert_true(admin_taperscan(fx.conf, fx.chg, &scan, &err));
    g_assert_false(scan.found);
    const char *want[] = {
        "slot 1: volume 'T-1' is among the 2 most recently written volumes (tapecycle 3)",
        "slot 2: volume 'Other-1' is not in the tapelist",
        "slot 3 holds an empty volume and autolabel does not allow 'empty'",
        "slot 4 holds an empty volume and autolabel does not allow 'empty'",
        "all slots have been loaded",
    };
    g_assert_cmpuint(scan.lines->len, ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < G_N_ELEMENTS(want); i++)
        g_assert_cmpstr(g_ptr_array_index(scan.lines, i), ==, want[i]);
    admin_scan_clear(&scan);
    teardown(&fx);
}

/* AMANDA 3.5 "define storage": its changer, labelstr, autolabel, tapetype
 * and policy win over the global ones. */
static void
test_storage_section(void)
{
    static const char CONF[] =
        "tapecycle 9\n"
        "labelstr \"^G-\"\n"
        "tpchanger \"chg-disk:/nonexistent-global\"\n"
        "define tapetype big {\n  length 900 mbytes\n}\n"
        "define tapetype tiny {\n  length 5 mbytes\n}\n"
        "tapetype \"big\"\n"
        "define policy keep2 {\n  retention-tapes 2\n}\n"
        "define storage S {\n"
        "  tpchanger \"chg-disk:/nonexistent-storage\"\n"
        "  labelstr \"^S-[0-9]+$\"\n"
        "  autolabel \"S-%%%\" empty\n"
        "  tapetype \"tiny\"\n"
        "  policy \"keep2\"\n"
        "}\n"
        "storage \"S\"\n";
    g_autoptr(conf_t) conf = conf_new(0);
    g_assert_true(conf_parse_buffer(conf, CONF, strlen(CONF), "/x/amanda.conf"));
    g_assert_cmpstr(admin_storage_name(conf), ==, "S");
    const conf_section_t *tt = admin_tapetype_section(conf);
    g_assert_nonnull(tt);
    g_assert_cmpint(conf_section_get(tt, TAPETYPE_LENGTH)->i, ==, 5 * 1024);
    GError *err = NULL;
    g_autoptr(volume_policy_t) p = volume_policy_from_conf(conf, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(volume_policy_labelstr(p), ==, "^S-[0-9]+$");
    g_assert_true(volume_policy_has_autolabel(p));
    g_assert_cmpint(volume_policy_tapecycle(p), ==, 2);
    g_autofree char *spec = NULL;
    g_assert_null(admin_open_changer(conf, &spec, &err));
    g_assert_nonnull(strstr(err->message, "/nonexistent-storage"));
    g_clear_error(&err);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/admin-util/overrides", test_overrides);
    g_test_add_func("/admin-util/paths-and-device", test_paths_and_device);
    g_test_add_func("/admin-util/scan-oldest-first", test_scan_oldest_first);
    g_test_add_func("/admin-util/scan-autolabel-and-refusals", test_scan_autolabel_and_refusals);
    g_test_add_func("/admin-util/storage-section", test_storage_section);
    return g_test_run();
}
