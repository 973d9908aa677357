/* changer: the changer API, which maps slots to devices and hands out
 * reservations so two programs never write one volume at once.
 *
 *   chg = changer_open("chg-disk:/vtapes", props, &err);   props: name -> value
 *   res = changer_load(chg, "next", &err);      or "3", "current", "first",
 *                                               "last", "prev"
 *   res = changer_load_label(chg, "Daily-007", &err);
 *   dev = device_open(res->device_name, &err);  ... use the device ...
 *   changer_release(res);
 *
 * Types: "chg-disk:DIR" (vtape slots DIR/slotN, a "data" link naming the
 * current slot; properties num-slot, auto-create-slot, removable) and
 * "chg-single:DEVICE" (one device, slot 1).  chg-multi, chg-robot and an S3
 * changer fit the same ops table (changer-internal.h). */
#ifndef CHANGER_H
#define CHANGER_H

#include <glib.h>
#include "device.h"

#define CHANGER_ERR (changer_error_quark())
GQuark changer_error_quark(void);
typedef enum {
    CHANGER_ERR_NAME,       /* bad changer name or property */
    CHANGER_ERR_NOT_IMPLEMENTED,
    CHANGER_ERR_NO_SLOT,    /* no such slot */
    CHANGER_ERR_NOT_FOUND,  /* no volume with that label */
    CHANGER_ERR_IN_USE,     /* slot reserved by another reservation */
    CHANGER_ERR_IO,         /* state file, directories */
} ChangerErrorCode;

typedef struct Changer Changer;

typedef struct {
    Changer *chg;
    int slot;
    char *device_name;   /* "file:/vtapes/slot3" */
    char *label;         /* volume label, NULL when unlabeled or empty */
    DeviceStatusFlags device_status;  /* what read_label said at load time */
} ChangerReservation;

typedef enum {
    CHANGER_SLOT_EMPTY,      /* no volume (e.g. no slot directory yet) */
    CHANGER_SLOT_UNLABELED,  /* a volume without AMANDA label */
    CHANGER_SLOT_LABELED,
    CHANGER_SLOT_ERROR,      /* the volume cannot be read */
} ChangerSlotState;

typedef struct {
    int slot;
    ChangerSlotState state;
    char *label;         /* when LABELED */
    char *device_name;
    gboolean reserved;
} ChangerSlotInfo;

typedef struct {
    int num_slots;
    int current_slot;    /* -1 when not known */
    gboolean fast_search;
} ChangerInfo;

/* SPEC is "TYPE:ARG"; PROPERTIES (may be NULL) maps property names to
 * values as in a "define changer" block; unknown names are an error. */
Changer *changer_open(const char *spec, GHashTable *properties, GError **error);
void changer_free(Changer *chg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Changer, changer_free)
const char *changer_name(Changer *chg);

ChangerReservation *changer_load(Changer *chg, const char *slot_spec, GError **error);
ChangerReservation *changer_load_label(Changer *chg, const char *label, GError **error);
/* Give the slot back (the volume stays loaded as "current"); frees RES. */
void changer_release(ChangerReservation *res);
/* Make the first slot current. */
gboolean changer_reset(Changer *chg, GError **error);
gboolean changer_eject(Changer *chg, GError **error);
/* ChangerSlotInfo* per slot, in slot order; free with g_ptr_array_unref. */
GPtrArray *changer_inventory(Changer *chg, GError **error);
gboolean changer_info(Changer *chg, ChangerInfo *info, GError **error);

#endif
