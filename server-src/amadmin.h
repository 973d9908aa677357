/* amadmin: internal interface between amadmin.c (dispatch, DLE matching,
 * force flags, info, due, balance) and amadmin-volumes.c (find, tape,
 * delete, holding). */
#ifndef AMADMIN_H
#define AMADMIN_H

#include <glib.h>
#include "conf.h"
#include "disklist.h"

typedef struct {
    conf_t *conf;
    disklist_t *dl;
    char *infodir;
} amadmin_ctx_t;

/* The DLEs ARGS ("host [disk...]"...) select, in disklist order
 * (disklist_entry_t*, not owned); all DLEs when ARGS is empty.  NULL after
 * printing "amadmin: Argument 'X' matches neither a host nor a disk." */
GPtrArray *amadmin_select(const amadmin_ctx_t *ctx, int argc, char **argv);
/* AMANDA's host and disk patterns (exact, glob, or whole components). */
gboolean amadmin_match_host(const char *pattern, const char *host);
gboolean amadmin_match_disk(const char *pattern, const char *disk);

int amadmin_find(const amadmin_ctx_t *ctx, int argc, char **argv);
int amadmin_tape(const amadmin_ctx_t *ctx, int argc, char **argv);
int amadmin_delete(const amadmin_ctx_t *ctx, int argc, char **argv);
int amadmin_holding(const amadmin_ctx_t *ctx, int argc, char **argv);
/* reuse / no-reuse LABEL...: the tapelist's reuse flag, under its lock. */
int amadmin_reuse(const amadmin_ctx_t *ctx, gboolean reuse, int argc, char **argv);

#endif
