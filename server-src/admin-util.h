/* admin-util: what the administrator's tools (amlabel, amtape, amcheck,
 * amadmin, amreport) share: loading a config with "-o NAME=VALUE"
 * overrides, catalogue paths resolved against the config directory, and
 * opening the configured changer and devices with the config's tapetype
 * and device properties applied. */
#ifndef ADMIN_UTIL_H
#define ADMIN_UTIL_H

#include <glib.h>
#include "conf.h"
#include "changer.h"
#include "device.h"
#include "tapelist.h"

/* Remove every "-o NAME=VALUE" / "-oNAME=VALUE" from ARGV (shifting the
 * rest down, *ARGC updated) and return them NULL-terminated. */
char **admin_take_overrides(int *argc, char **argv);

/* Load config NAME with OVERRIDES.  On errors prints AMANDA's
 * "ERROR: errors processing config file" on stdout and each error on
 * stderr, and returns NULL.  Warnings go to stderr. */
conf_t *admin_load_config(const char *name, char **overrides);

/* A global path parameter (tapelist, infofile, logdir, indexdir) made
 * absolute against the config directory, as AMANDA does. */
char *admin_conf_path(const conf_t *conf, conf_param_t id);

/* The tapelist of CONF (an empty one when the file is missing). */
tapelist_t *admin_read_tapelist(const conf_t *conf, GError **error);

/* The changer "tpchanger" names: a "define changer" section (its own
 * tpchanger and properties), a "chg-TYPE:ARG" spec, or, with no
 * tpchanger, chg-single on "tapedev".  *SPEC_OUT (optional) gets the spec. */
Changer *admin_open_changer(const conf_t *conf, char **spec_out, GError **error);
/* A readable name for the changer section or spec, for messages
 * ("vtapes" as AMANDA prints "in vtapes"). */
char *admin_changer_display_name(const conf_t *conf);

/* Apply the tapetype (length -> MAX_VOLUME_USAGE, blocksize -> BLOCK_SIZE)
 * and the device_property lines of the config and the changer section. */
gboolean admin_setup_device(const conf_t *conf, Device *dev, GError **error);

/* The STORAGE name AMANDA 3.5 writes in the tapelist and run log: the
 * first name of the "storage" parameter, else the config name. */
const char *admin_storage_name(const conf_t *conf);
/* That storage's "define storage" section, or NULL. */
const conf_section_t *admin_storage_section(const conf_t *conf);
/* The tapetype in use (the storage's, else the global one), or NULL. */
const conf_section_t *admin_tapetype_section(const conf_t *conf);

/* The taper's choice of volume, as amtape taper and amcheck show it. */
typedef struct {
    GPtrArray *lines;   /* char*: what was seen, slot by slot */
    gboolean found;
    int slot;
    char *label;        /* the volume's label now, or NULL */
    char *new_label;    /* set when autolabel labels it first */
} admin_scan_t;
void admin_scan_clear(admin_scan_t *scan);

/* Run the volume choice over CHG's inventory with the config's policy,
 * the tapelist, and the active dumps of its logs.  FALSE only when the
 * inventory or catalogue cannot be read. */
gboolean admin_taperscan(const conf_t *conf, Changer *chg, admin_scan_t *scan,
                         GError **error);
/* The same for the taper of run RUN_TS: volumes that run already wrote
 * (tapelist stamp RUN_TS) are never chosen again, whatever tapecycle. */
gboolean admin_taperscan_run(const conf_t *conf, Changer *chg, const char *run_ts,
                             admin_scan_t *scan, GError **error);
/* The volumes the next run may write, as `amadmin tape` and amreport's
 * header name them: written reusable volumes oldest first, and labelled
 * never-written ones oldest labelled first (char*, owned). */
gboolean admin_next_volumes(const conf_t *conf, GPtrArray **reusable, GPtrArray **fresh,
                            GError **error);

/* The labels holding the only copy of an active dump (find.h over logdir). */
GHashTable *admin_active_labels(const conf_t *conf);

/* Open the debug log server/PROG.*.debug and set the program name. */
void admin_start(const char *prog);

#endif
