/* changer-disk: "chg-disk:ROOT", vtape slots as directories.
 *
 * ROOT/slotN are the slots (AMANDA 3.5 numbers them from 1 when told a slot,
 * but its auto-create-slot made slot0 first on an empty ROOT; any slotN with
 * N >= 0 that exists is used).  ROOT/data is a symlink to the current slot,
 * kept up to date for people and AMANDA.  Our state (current slot and
 * reservations with their owner pid) lives in ROOT/chg-disk.state, changed
 * only under an flock on ROOT/chg-disk.lock and replaced atomically (temp
 * file, fsync, rename); AMANDA's own ROOT/state file is left alone.
 * Properties: num-slot, auto-create-slot (create slot1..slot<num-slot> on
 * demand), removable (accepted, no effect for directories). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amutil.h"
#include "changer-internal.h"

#define STATE_NAME "chg-disk.state"
#define LOCK_NAME "chg-disk.lock"

typedef struct {
    int num_slot;           /* 0 = as many as exist */
    gboolean auto_create;
    gboolean removable;
} DiskChg;

typedef struct {
    int slot;
    int pid;
} Resv;

typedef struct {
    int lock_fd;
    int current;            /* -1 = not recorded */
    GArray *resv;           /* of Resv */
} DiskState;

static const char *const disk_props[] = {
    "num-slot", "auto-create-slot", "removable", NULL,
};

static gboolean
disk_open(Changer *chg, GHashTable *props, GError **error)
{
    DiskChg *d = g_new0(DiskChg, 1);
    chg->priv = d;
    const char *v;
    if (props && (v = g_hash_table_lookup(props, "num-slot"))) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 100000) {
            changer_set_error(chg, error, CHANGER_ERR_NAME,
                              "num-slot \"%s\": expected a number from 1 to 100000", v);
            return FALSE;
        }
        d->num_slot = (int)n;
    }
    const char *bools[] = { "auto-create-slot", "removable" };
    gboolean *dst[] = { &d->auto_create, &d->removable };
    for (int i = 0; i < 2; i++) {
        if (props && (v = g_hash_table_lookup(props, bools[i])) &&
            !changer_parse_bool(v, dst[i])) {
            changer_set_error(chg, error, CHANGER_ERR_NAME, "%s \"%s\": expected yes or no",
                              bools[i], v);
            return FALSE;
        }
    }
    struct stat st;
    if (stat(chg->arg, &st) != 0 || !S_ISDIR(st.st_mode)) {
        changer_set_error(chg, error, CHANGER_ERR_IO,
                          "vtape root %s is not a directory (create it: mkdir -p %s)",
                          chg->arg, chg->arg);
        return FALSE;
    }
    if (d->auto_create && !d->num_slot) {
        changer_set_error(chg, error, CHANGER_ERR_NAME, "auto-create-slot needs num-slot");
        return FALSE;
    }
    return TRUE;
}

static void
disk_free(Changer *chg)
{
    g_free(chg->priv);
}

static char *
slot_dir(Changer *chg, int slot)
{
    return g_strdup_printf("%s/slot%d", chg->arg, slot);
}

static char *
slot_device(Changer *chg, int slot)
{
    return g_strdup_printf("file:%s/slot%d", chg->arg, slot);
}

static gboolean
slot_exists(Changer *chg, int slot)
{
    g_autofree char *dir = slot_dir(chg, slot);
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "slot12" -> 12; -1 for anything else. */
static int
parse_slot_name(const char *name)
{
    if (strncmp(name, "slot", 4) != 0 || !name[4] || strlen(name) > 10)
        return -1;
    for (const char *p = name + 4; *p; p++)
        if (!g_ascii_isdigit(*p))
            return -1;
    return atoi(name + 4);
}

static gint
int_cmp(gconstpointer a, gconstpointer b)
{
    return *(const int *)a - *(const int *)b;
}

/* Existing slot directories, plus slot1..num-slot with auto-create-slot. */
static GArray *
list_slots(Changer *chg, GError **error)
{
    DiskChg *d = chg->priv;
    DIR *dir = opendir(chg->arg);
    if (!dir) {
        changer_set_error(chg, error, CHANGER_ERR_IO, "cannot read %s: %s", chg->arg,
                          g_strerror(errno));
        return NULL;
    }
    GArray *slots = g_array_new(FALSE, FALSE, sizeof(int));
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        int n = parse_slot_name(e->d_name);
        if (n >= 0 && (!d->num_slot || n <= d->num_slot) && slot_exists(chg, n))
            g_array_append_val(slots, n);
    }
    closedir(dir);
    for (int n = 1; d->auto_create && n <= d->num_slot; n++)
        if (!slot_exists(chg, n))
            g_array_append_val(slots, n);
    g_array_sort(slots, int_cmp);
    return slots;
}

/* ---- state file ---- */

static void
state_close(DiskState *st)
{
    if (st->lock_fd >= 0)
        close(st->lock_fd);   /* releases the flock */
    st->lock_fd = -1;
    g_clear_pointer(&st->resv, g_array_unref);
}

static gboolean
pid_alive(int pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

static void
state_parse(DiskState *st, const char *text)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        int a, b;
        if (sscanf(*l, "current %d", &a) == 1)
            st->current = a;
        else if (sscanf(*l, "reserved %d %d", &a, &b) == 2 && pid_alive(b)) {
            Resv r = { a, b };
            g_array_append_val(st->resv, r);
        }
    }
}

/* Lock ROOT/chg-disk.lock and read the state (a missing file is empty). */
static gboolean
state_open(Changer *chg, DiskState *st, GError **error)
{
    st->current = -1;
    st->resv = g_array_new(FALSE, FALSE, sizeof(Resv));
    g_autofree char *lock = g_build_filename(chg->arg, LOCK_NAME, NULL);
    st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (st->lock_fd < 0 || flock(st->lock_fd, LOCK_EX) != 0) {
        changer_set_error(chg, error, CHANGER_ERR_IO, "cannot lock %s: %s", lock,
                          g_strerror(errno));
        state_close(st);
        return FALSE;
    }
    g_autofree char *path = g_build_filename(chg->arg, STATE_NAME, NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (g_file_get_contents(path, &text, NULL, &err))
        state_parse(st, text);
    else if (!g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        changer_set_error(chg, error, CHANGER_ERR_IO, "%s", err->message);
        state_close(st);
        return FALSE;
    }
    return TRUE;
}

static gboolean
write_file_synced(const char *path, const char *text, GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    gsize len = strlen(text);
    gboolean ok = fd >= 0 && full_write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = FALSE;
        e = errno;
    }
    if (!ok)
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write %s: %s",
                    path, g_strerror(e));
    return ok;
}

static gboolean
state_save(Changer *chg, DiskState *st, GError **error)
{
    GString *s = g_string_new("# chg-disk state: current slot and reservations (slot pid)\n");
    if (st->current >= 0)
        g_string_append_printf(s, "current %d\n", st->current);
    for (guint i = 0; i < st->resv->len; i++) {
        Resv *r = &g_array_index(st->resv, Resv, i);
        g_string_append_printf(s, "reserved %d %d\n", r->slot, r->pid);
    }
    g_autofree char *path = g_build_filename(chg->arg, STATE_NAME, NULL);
    g_autofree char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
    GError *err = NULL;
    gboolean ok = write_file_synced(tmp, s->str, &err) && rename(tmp, path) == 0;
    g_string_free(s, TRUE);
    if (!ok) {
        changer_set_error(chg, error, CHANGER_ERR_IO, "saving state: %s",
                          err ? err->message : g_strerror(errno));
        g_clear_error(&err);
        unlink(tmp);
    }
    return ok;
}

static int
reserved_by(DiskState *st, int slot)
{
    for (guint i = 0; i < st->resv->len; i++)
        if (g_array_index(st->resv, Resv, i).slot == slot)
            return g_array_index(st->resv, Resv, i).pid;
    return 0;
}

/* The current slot: our state, else the "data" link, else the first slot. */
static int
current_slot(Changer *chg, DiskState *st, GArray *slots)
{
    for (guint i = 0; i < slots->len && st->current >= 0; i++)
        if (g_array_index(slots, int, i) == st->current)
            return st->current;
    g_autofree char *link = g_build_filename(chg->arg, "data", NULL);
    g_autofree char *target = g_file_read_link(link, NULL);
    if (target) {
        int n = parse_slot_name(target);
        for (guint i = 0; i < slots->len && n >= 0; i++)
            if (g_array_index(slots, int, i) == n)
                return n;
    }
    return slots->len ? g_array_index(slots, int, 0) : -1;
}

/* Point ROOT/data at slotN (new link, then rename over the old one). */
static gboolean
update_data_link(Changer *chg, int slot, GError **error)
{
    g_autofree char *link = g_build_filename(chg->arg, "data", NULL);
    g_autofree char *tmp = g_strdup_printf("%s.tmp.%d", link, (int)getpid());
    g_autofree char *target = g_strdup_printf("slot%d", slot);
    g_autofree char *now = g_file_read_link(link, NULL);
    if (g_strcmp0(now, target) == 0)
        return TRUE;  /* already there: loading the same slot again creates nothing */
    unlink(tmp);
    if (symlink(target, tmp) != 0 || rename(tmp, link) != 0) {
        changer_set_error(chg, error, CHANGER_ERR_IO, "cannot point %s at %s: %s", link,
                          target, g_strerror(errno));
        unlink(tmp);
        return FALSE;
    }
    return TRUE;
}

/* With the state locked: reserve SLOT, make it current, create it if needed. */
static gboolean
reserve_slot(Changer *chg, DiskState *st, int slot, ChangerReservation *res, GError **error)
{
    int owner = reserved_by(st, slot);
    if (owner) {
        changer_set_error(chg, error, CHANGER_ERR_IN_USE,
                          "slot %d is reserved by process %d%s", slot, owner,
                          owner == (int)getpid() ? " (this process)" : "");
        return FALSE;
    }
    g_autofree char *dir = slot_dir(chg, slot);
    if (!slot_exists(chg, slot) && mkdir(dir, 0700) != 0 && errno != EEXIST) {
        changer_set_error(chg, error, CHANGER_ERR_IO, "cannot create slot %s: %s", dir,
                          g_strerror(errno));
        return FALSE;
    }
    Resv r = { slot, (int)getpid() };
    g_array_append_val(st->resv, r);
    st->current = slot;
    if (!state_save(chg, st, error) || !update_data_link(chg, slot, error))
        return FALSE;
    res->slot = slot;
    res->device_name = slot_device(chg, slot);
    return TRUE;
}

static gboolean
disk_load(Changer *chg, const char *spec, ChangerReservation *res, GError **error)
{
    DiskState st;
    if (!state_open(chg, &st, error))
        return FALSE;
    GArray *slots = list_slots(chg, error);
    gboolean ok = FALSE;
    if (slots) {
        int slot = changer_resolve_slot(chg, slots, current_slot(chg, &st, slots), spec, error);
        ok = slot >= 0 && reserve_slot(chg, &st, slot, res, error);
        g_array_unref(slots);
    }
    state_close(&st);
    return ok;
}

/* Scan the slots' label files for LABEL (only existing slot directories). */
static int
find_label(Changer *chg, GArray *slots, const char *label, char **found)
{
    for (guint i = 0; i < slots->len; i++) {
        int slot = g_array_index(slots, int, i);
        if (!slot_exists(chg, slot))
            continue;
        g_autofree char *devname = slot_device(chg, slot);
        g_autofree char *l = NULL;
        if (changer_probe_label(devname, &l) == DEVICE_STATUS_SUCCESS &&
            g_strcmp0(l, label) == 0) {
            *found = g_steal_pointer(&l);
            return slot;
        }
    }
    return -1;
}

static gboolean
disk_load_label(Changer *chg, const char *label, ChangerReservation *res, GError **error)
{
    DiskState st;
    if (!state_open(chg, &st, error))
        return FALSE;
    GArray *slots = list_slots(chg, error);
    gboolean ok = FALSE;
    if (slots) {
        char *found = NULL;
        int slot = find_label(chg, slots, label, &found);
        if (slot < 0)
            changer_set_error(chg, error, CHANGER_ERR_NOT_FOUND,
                              "no slot holds a volume labelled %s", label);
        ok = slot >= 0 && reserve_slot(chg, &st, slot, res, error);
        if (ok)
            res->label = found;
        else
            g_free(found);
        g_array_unref(slots);
    }
    state_close(&st);
    return ok;
}

static void
disk_release(Changer *chg, ChangerReservation *res)
{
    DiskState st;
    if (!state_open(chg, &st, NULL))
        return;
    for (guint i = 0; i < st.resv->len; i++) {
        Resv *r = &g_array_index(st.resv, Resv, i);
        if (r->slot == res->slot && r->pid == (int)getpid()) {
            g_array_remove_index(st.resv, i);
            break;
        }
    }
    state_save(chg, &st, NULL);
    state_close(&st);
}

static gboolean
disk_reset(Changer *chg, GError **error)
{
    DiskState st;
    if (!state_open(chg, &st, error))
        return FALSE;
    GArray *slots = list_slots(chg, error);
    gboolean ok = slots != NULL;
    if (ok && slots->len) {
        st.current = g_array_index(slots, int, 0);
        ok = state_save(chg, &st, error) && update_data_link(chg, st.current, error);
    }
    if (slots)
        g_array_unref(slots);
    state_close(&st);
    return ok;
}

static GPtrArray *
disk_inventory(Changer *chg, GError **error)
{
    DiskState st;
    if (!state_open(chg, &st, error))
        return NULL;
    GArray *slots = list_slots(chg, error);
    GPtrArray *inv = NULL;
    if (slots) {
        inv = changer_inventory_array_new();
        for (guint i = 0; i < slots->len; i++) {
            int slot = g_array_index(slots, int, i);
            g_autofree char *devname = slot_device(chg, slot);
            ChangerSlotInfo *si = changer_slot_info_new(slot, devname);
            si->state = slot_exists(chg, slot)
                      ? changer_slot_state(changer_probe_label(devname, &si->label))
                      : CHANGER_SLOT_EMPTY;
            si->reserved = reserved_by(&st, slot) != 0;
            g_ptr_array_add(inv, si);
        }
        g_array_unref(slots);
    }
    state_close(&st);
    return inv;
}

static gboolean
disk_info(Changer *chg, ChangerInfo *info, GError **error)
{
    DiskState st;
    if (!state_open(chg, &st, error))
        return FALSE;
    GArray *slots = list_slots(chg, error);
    if (slots) {
        info->num_slots = slots->len;
        info->current_slot = current_slot(chg, &st, slots);
        info->fast_search = TRUE;
        g_array_unref(slots);
    }
    state_close(&st);
    return slots != NULL;
}

const ChangerOps changer_disk_ops = {
    .type = "chg-disk",
    .property_names = disk_props,
    .open = disk_open,
    .free = disk_free,
    .load = disk_load,
    .load_label = disk_load_label,
    .release = disk_release,
    .reset = disk_reset,
    .inventory = disk_inventory,
    .info = disk_info,
};
