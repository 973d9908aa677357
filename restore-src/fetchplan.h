/* fetchplan: which dumps amfetchdump restores and where their parts are,
 * from the catalogue (find.h results).  Pure: it groups the parts of
 * each dump, picks one copy of each part, and says what is missing. */
#ifndef FETCHPLAN_H
#define FETCHPLAN_H

#include <glib.h>
#include "dumpspec.h"
#include "find.h"

#define FETCHPLAN_ERROR (fetchplan_error_quark())
GQuark fetchplan_error_quark(void);
typedef enum {
    FETCHPLAN_ERROR_NO_MATCH,     /* no dump matches */
    FETCHPLAN_ERROR_MISSING_PART, /* a part is not in the catalogue */
} fetchplan_error_t;

typedef struct {
    char *host, *disk, *datestamp;
    int level;
    int nparts;          /* parts the dump has (catalogue), or those found */
    char *dump_status;   /* OK, PARTIAL, FAIL */
    char *message;       /* why it is not OK */
    GPtrArray *parts;    /* find_result_t* (not owned), index partnum-1; NULL = missing */
} fetch_dump_t;

void fetch_dump_free(fetch_dump_t *d);

/* The dumps among RESULTS (find_result_t*) that SPECS match, in the order
 * of RESULTS (sort them first).  Dumps that are not OK are left out and
 * described in *SKIPPED (one line each; may be NULL). */
GPtrArray *fetchplan_build(const GPtrArray *results, const GPtrArray *specs, GString *skipped);

/* TRUE when parts 1..nparts are all there; else FALSE naming the first
 * missing part and the dump. */
gboolean fetchplan_check(const fetch_dump_t *d, GError **error);

/* The volume labels the dumps need, in the order they are first used. */
GPtrArray *fetchplan_volumes(const GPtrArray *dumps);

/* "host:disk date level N" for messages. */
char *fetchplan_describe(const fetch_dump_t *d);

#endif
