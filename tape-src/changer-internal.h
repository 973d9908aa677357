/* changer-internal: what a changer type provides (see changer.h). */
#ifndef CHANGER_INTERNAL_H
#define CHANGER_INTERNAL_H

#include "changer.h"

typedef struct ChangerOps {
    const char *type;                       /* "chg-disk" */
    const char *const *property_names;      /* accepted properties, NULL-terminated */
    gboolean (*open)(Changer *chg, GHashTable *props, GError **error);
    void (*free)(Changer *chg);
    /* Pick and reserve a slot; fill res->slot and res->device_name. */
    gboolean (*load)(Changer *chg, const char *slot_spec, ChangerReservation *res,
                     GError **error);
    gboolean (*load_label)(Changer *chg, const char *label, ChangerReservation *res,
                           GError **error);
    void (*release)(Changer *chg, ChangerReservation *res);
    gboolean (*reset)(Changer *chg, GError **error);
    gboolean (*eject)(Changer *chg, GError **error);
    GPtrArray *(*inventory)(Changer *chg, GError **error);
    gboolean (*info)(Changer *chg, ChangerInfo *info, GError **error);
} ChangerOps;

struct Changer {
    const ChangerOps *ops;
    char *name;     /* "chg-disk:/vtapes" */
    char *arg;      /* "/vtapes" */
    void *priv;
};

/* Shared helpers. */
void changer_set_error(Changer *chg, GError **error, ChangerErrorCode code,
                       const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Resolve "N", "current", "next", "prev", "first", "last" against SLOTS
 * (sorted) and CURRENT; -1 with an error when it names no slot. */
int changer_resolve_slot(Changer *chg, GArray *slots, int current, const char *spec,
                         GError **error);
/* Read DEVICE_NAME's label: fills *LABEL (or NULL) and returns the status. */
DeviceStatusFlags changer_probe_label(const char *device_name, char **label);
gboolean changer_parse_bool(const char *text, gboolean *out);
ChangerSlotInfo *changer_slot_info_new(int slot, const char *device_name);

/* An empty array of ChangerSlotInfo* that frees its elements. */
GPtrArray *changer_inventory_array_new(void);
ChangerSlotState changer_slot_state(DeviceStatusFlags st);

extern const ChangerOps changer_disk_ops;
extern const ChangerOps changer_single_ops;

#endif
