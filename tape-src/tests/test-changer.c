/* Tests of the changer API: chg-disk slots, the data link, state across
 * reopen, reservations (also from another process), label search, and
 * chg-single. */
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "changer.h"
#include "test-util.h"

typedef struct {
    char *root;
    char *spec;
    GHashTable *props;
} Fixture;

static void
fx_setup(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    fx->root = tu_mkdtemp();
    fx->spec = g_strdup_printf("chg-disk:%s", fx->root);
    fx->props = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(fx->props, "num-slot", "3");
    g_hash_table_insert(fx->props, "auto-create-slot", "yes");
}

static void
fx_teardown(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    tu_rmtree(fx->root);
    g_free(fx->root);
    g_free(fx->spec);
    g_hash_table_unref(fx->props);
}

static char *
data_link(Fixture *fx)
{
    g_autofree char *link = g_build_filename(fx->root, "data", NULL);
    return g_file_read_link(link, NULL);
}

static void
label_slot(ChangerReservation *res, const char *label)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(res->device_name, &err);
    g_assert_true(device_start(dev, DEVICE_MODE_WRITE, label, NULL, &err));
    g_assert_true(device_finish(dev, &err));
    g_assert_no_error(err);
}

static void
test_load(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Changer) chg = changer_open(fx->spec, fx->props, &err);
    g_assert_no_error(err);
    ChangerInfo info;
    g_assert_true(changer_info(chg, &info, &err));
    g_assert_cmpint(info.num_slots, ==, 3);
    g_assert_cmpint(info.current_slot, ==, 1);

    ChangerReservation *res = changer_load(chg, "current", &err);
    g_assert_no_error(err);
    g_assert_cmpint(res->slot, ==, 1);
    g_autofree char *want = g_strdup_printf("file:%s/slot1", fx->root);
    g_assert_cmpstr(res->device_name, ==, want);
    g_assert_null(res->label);
    g_assert_cmpint(res->device_status, ==, DEVICE_STATUS_VOLUME_UNLABELED);
    g_autofree char *l1 = data_link(fx);
    g_assert_cmpstr(l1, ==, "slot1");
    label_slot(res, "V-001");
    changer_release(res);

    for (int i = 2; i <= 3; i++) {
        res = changer_load(chg, "next", &err);
        g_assert_no_error(err);
        g_assert_cmpint(res->slot, ==, i);
        g_autofree char *l = data_link(fx);
        g_autofree char *s = g_strdup_printf("slot%d", i);
        g_assert_cmpstr(l, ==, s);
        g_autofree char *label = g_strdup_printf("V-00%d", i);
        label_slot(res, label);
        changer_release(res);
    }
    res = changer_load(chg, "next", &err);   /* wraps round */
    g_assert_cmpint(res->slot, ==, 1);
    g_assert_cmpstr(res->label, ==, "V-001");
    changer_release(res);

    /* loading the current slot again leaves the data link as it is */
    g_autofree char *link = g_build_filename(fx->root, "data", NULL);
    GStatBuf before, after;
    g_assert_cmpint(g_lstat(link, &before), ==, 0);
    res = changer_load(chg, "current", &err);
    g_assert_no_error(err);
    g_assert_cmpint(res->slot, ==, 1);
    changer_release(res);
    g_assert_cmpint(g_lstat(link, &after), ==, 0);
    g_assert_cmpuint(before.st_ino, ==, after.st_ino);

    res = changer_load_label(chg, "V-002", &err);
    g_assert_no_error(err);
    g_assert_cmpint(res->slot, ==, 2);
    changer_release(res);
    g_assert_null(changer_load_label(chg, "V-999", &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_null(changer_load(chg, "7", &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_NO_SLOT);
    g_clear_error(&err);

    /* state survives a reopen */
    g_clear_pointer(&chg, changer_free);
    chg = changer_open(fx->spec, fx->props, &err);
    g_assert_true(changer_info(chg, &info, &err));
    g_assert_cmpint(info.current_slot, ==, 2);
    res = changer_load(chg, "current", &err);
    g_assert_cmpstr(res->label, ==, "V-002");
    changer_release(res);

    g_autoptr(GPtrArray) inv = changer_inventory(chg, &err);
    g_assert_cmpint(inv->len, ==, 3);
    for (guint i = 0; i < 3; i++) {
        ChangerSlotInfo *si = inv->pdata[i];
        g_assert_cmpint(si->slot, ==, (int)i + 1);
        g_assert_cmpint(si->state, ==, CHANGER_SLOT_LABELED);
        g_assert_false(si->reserved);
    }
    g_assert_true(changer_reset(chg, &err));
    g_autofree char *l0 = data_link(fx);
    g_assert_cmpstr(l0, ==, "slot1");
}

static void
test_reservations(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Changer) chg = changer_open(fx->spec, fx->props, &err);
    ChangerReservation *res = changer_load(chg, "2", &err);
    g_assert_no_error(err);
    g_assert_null(changer_load(chg, "2", &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_IN_USE);
    g_clear_error(&err);
    g_autoptr(GPtrArray) inv = changer_inventory(chg, &err);
    g_assert_true(((ChangerSlotInfo *)inv->pdata[1])->reserved);
    g_assert_false(((ChangerSlotInfo *)inv->pdata[0])->reserved);

    /* another process is refused too */
    g_setenv("TEST_CHANGER_SPEC", fx->spec, TRUE);
    g_test_trap_subprocess("/changer/disk/reserve-child", 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("*slot 2 is reserved by process*");

    changer_release(res);
    res = changer_load(chg, "2", &err);
    g_assert_no_error(err);
    changer_release(res);

    /* a reservation left by a dead process does not block */
    g_autofree char *state = g_build_filename(fx->root, "chg-disk.state", NULL);
    g_file_set_contents(state, "current 3\nreserved 3 999999999\n", -1, NULL);
    res = changer_load(chg, "current", &err);
    g_assert_no_error(err);
    g_assert_cmpint(res->slot, ==, 3);
    changer_release(res);
}

/* Run by test_reservations in a separate process. */
static void
test_reserve_child(void)
{
    if (!g_test_subprocess())
        return;
    g_autoptr(GError) err = NULL;
    g_autoptr(GHashTable) props = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(props, "num-slot", "3");
    g_hash_table_insert(props, "auto-create-slot", "yes");
    g_autoptr(Changer) chg = changer_open(g_getenv("TEST_CHANGER_SPEC"), props, &err);
    g_assert_no_error(err);
    g_assert_null(changer_load(chg, "2", &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_IN_USE);
    printf("%s\n", err->message);
}

static void
test_amanda_slots(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    /* AMANDA's auto-create starts at slot0; its data link names the slot */
    g_autoptr(GError) err = NULL;
    for (int i = 0; i < 3; i++) {
        g_autofree char *d = g_strdup_printf("%s/slot%d", fx->root, i);
        g_mkdir(d, 0700);
    }
    g_autofree char *link = g_build_filename(fx->root, "data", NULL);
    g_assert_cmpint(symlink("slot1", link), ==, 0);
    g_autofree char *junk = g_build_filename(fx->root, "slotx", NULL);
    g_mkdir(junk, 0700);
    g_autoptr(Changer) chg = changer_open(fx->spec, NULL, &err);
    g_assert_no_error(err);
    ChangerInfo info;
    g_assert_true(changer_info(chg, &info, &err));
    g_assert_cmpint(info.num_slots, ==, 3);
    g_assert_cmpint(info.current_slot, ==, 1);
    ChangerReservation *res = changer_load(chg, "first", &err);
    g_assert_cmpint(res->slot, ==, 0);
    changer_release(res);
    res = changer_load(chg, "prev", &err);
    g_assert_cmpint(res->slot, ==, 2);
    changer_release(res);
    g_autoptr(GPtrArray) inv = changer_inventory(chg, &err);
    g_assert_cmpint(((ChangerSlotInfo *)inv->pdata[0])->state, ==, CHANGER_SLOT_UNLABELED);
}

static void
test_bad_open(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *nodir = g_strdup_printf("chg-disk:%s/none", fx->root);
    g_assert_null(changer_open(nodir, NULL, &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_IO);
    g_clear_error(&err);
    g_hash_table_insert(fx->props, "num-slots", "3");
    g_assert_null(changer_open(fx->spec, fx->props, &err));
    g_assert_nonnull(strstr(err->message, "unknown changer property"));
    g_clear_error(&err);
    g_hash_table_remove(fx->props, "num-slots");
    g_hash_table_insert(fx->props, "num-slot", "zero");
    g_assert_null(changer_open(fx->spec, fx->props, &err));
    g_clear_error(&err);
    g_assert_null(changer_open("chg-robot:/dev/sg0", NULL, &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_NOT_IMPLEMENTED);
    g_clear_error(&err);
    g_assert_null(changer_open("chg-nope:x", NULL, &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_NAME);
    g_clear_error(&err);
    /* without auto-create and without slot directories there is nothing */
    g_autoptr(Changer) chg = changer_open(fx->spec, NULL, &err);
    g_assert_null(changer_load(chg, "current", &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_NO_SLOT);
}

static void
test_single(Fixture *fx, G_GNUC_UNUSED gconstpointer udata)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *spec = g_strdup_printf("chg-single:file:%s", fx->root);
    g_autoptr(Changer) chg = changer_open(spec, NULL, &err);
    g_assert_no_error(err);
    ChangerReservation *res = changer_load(chg, "current", &err);
    g_assert_cmpint(res->slot, ==, 1);
    g_assert_null(changer_load(chg, "1", &err));
    g_assert_error(err, CHANGER_ERR, CHANGER_ERR_IN_USE);
    g_clear_error(&err);
    label_slot(res, "S-1");
    changer_release(res);
    res = changer_load_label(chg, "S-1", &err);
    g_assert_no_error(err);
    changer_release(res);
    g_assert_null(changer_load_label(chg, "S-2", &err));
    g_clear_error(&err);
    g_assert_null(changer_load(chg, "2", &err));
    g_clear_error(&err);
    g_autoptr(GPtrArray) inv = changer_inventory(chg, &err);
    g_assert_cmpstr(((ChangerSlotInfo *)inv->pdata[0])->label, ==, "S-1");
    g_assert_null(changer_open("chg-single:bogus", NULL, &err));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define FX(path, fn) g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
    FX("/changer/disk/load", test_load);
    FX("/changer/disk/reservations", test_reservations);
    FX("/changer/disk/amanda-slots", test_amanda_slots);
    g_test_add_func("/changer/disk/reserve-child", test_reserve_child);
    FX("/changer/disk/bad-open", test_bad_open);
    FX("/changer/single", test_single);
    return g_test_run();
}
