/* taper: internal interfaces between the taper's parts: taper.c (the
 * command loop and writing dumps as parts) and taper-volume.c (choosing,
 * labelling, starting and closing volumes, and the tapelist). */
#ifndef TAPER_H
#define TAPER_H

#include <glib.h>
#include "changer.h"
#include "conf.h"
#include "device.h"

typedef struct {
    conf_t *conf;
    char *timestamp;
    Changer *chg;
    ChangerReservation *res;
    Device *dev;              /* the volume being written, or NULL */
    char *label;
    int volumes_used;
    int runtapes;
    guint64 volume_bytes;     /* dump bytes written to this volume */
    int volume_files;
    char *last_error;         /* why no volume could be had */
} taper_t;

/* Find, load, label if needed and start the next volume (runtapes is
 * enforced).  Logs "START taper ..." and updates the tapelist.  FALSE with
 * ERROR (and t->last_error) when no volume can be used. */
gboolean taper_volume_open(taper_t *t, GError **error);
/* Finish the current volume: "INFO taper tape L kb N fm M [OK]". */
void taper_volume_close(taper_t *t);
/* "\"ST:cfg\" \"POOL:cfg\"" prefix of taper log lines. */
const char *taper_storage_prefix(taper_t *t);

#endif
