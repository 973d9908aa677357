/* confchanger: the changer a configuration reads its volumes through.
 * It follows amanda.conf as AMANDA does: the first "storage" section's
 * tpchanger (or tapedev), else the global tpchanger, else tapedev; a
 * name that is a "define changer" section gives that section's
 * tpchanger and properties; a plain device name ("file:/x") becomes a
 * chg-single changer.  Also resolves the catalogue paths (logdir,
 * tapelist) against the configuration directory. */
#ifndef CONFCHANGER_H
#define CONFCHANGER_H

#include <glib.h>
#include "changer.h"
#include "conf.h"

/* OVERRIDE (amfetchdump -d; may be NULL) replaces what the config says. */
Changer *confchanger_open(const conf_t *conf, const char *override, GError **error);

/* A path parameter made absolute against the config directory. */
char *confchanger_path(const conf_t *conf, conf_param_t param);

#endif
