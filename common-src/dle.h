/* dle: the disk-list entry ("<dle>...</dle>") that the server sends in
 * sendsize, selfcheck and sendbackup requests (AMANDA 3.x XML form), as a
 * struct both sides share: the server renders it from its configuration,
 * the client parses it before running the application.
 *
 * Rendering follows AMANDA 3.5.1's layout tag for tag (indentation, the
 * trailing blank of <estimate>, <disk encoding="raw" raw="BASE64"> for names
 * with blanks or odd bytes), so packets look the same on the wire. */
#ifndef DLE_H
#define DLE_H

#include <glib.h>

#define DLE_ERROR (dle_error_quark())
GQuark dle_error_quark(void);

typedef struct {
    int level;
    gboolean server;            /* <server>YES</server>: the server estimates it */
} dle_level_t;

typedef struct {
    char *name;
    GPtrArray *values;          /* char *, at least one */
    gboolean priority;
} dle_property_t;

typedef struct {
    GPtrArray *files;           /* patterns given directly (exclude file ...) */
    GPtrArray *lists;           /* files holding patterns (exclude list ...) */
    gboolean optional;
} dle_exinclude_t;

typedef struct {
    char *plugin;
    char *execute_on;           /* comma list, e.g. PRE-DLE-BACKUP */
    char *execute_where;        /* CLIENT or SERVER */
    GPtrArray *properties;      /* dle_property_t * */
} dle_script_t;

typedef enum { DLE_ESTIMATE_CLIENT, DLE_ESTIMATE_SERVER, DLE_ESTIMATE_CALCSIZE } dle_estimate_t;

typedef struct {
    char *program;              /* APPLICATION, GNUTAR, DUMP */
    char *disk;
    char *device;               /* <diskdevice>, NULL when not given */
    GArray *levels;             /* dle_level_t */
    GArray *estimates;          /* dle_estimate_t, in preference order */
    int spindle;
    gboolean has_spindle;
    char *auth;
    char *compress;             /* NULL, FAST, BEST, CUSTOM, SERVER-FAST, SERVER-BEST, SERVER-CUSTOM */
    char *custom_compress;      /* program for CUSTOM */
    char *encrypt;              /* NULL, CLIENT, SERVER */
    char *custom_encrypt;
    char *decrypt_option;
    gboolean kencrypt;
    gboolean record;
    gboolean index;
    gboolean calcsize;
    char *datapath;             /* AMANDA or DIRECTTCP */
    dle_exinclude_t exclude;
    dle_exinclude_t include;
    char *plugin;               /* backup-program plugin (application) */
    GPtrArray *app_properties;  /* dle_property_t * */
    GPtrArray *scripts;         /* dle_script_t * */
} dle_t;

dle_t *dle_new(void);
void dle_free(dle_t *dle);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(dle_t, dle_free)

/* Parse every <dle> element of TEXT (LEN bytes, or -1 for NUL-terminated)
 * into a list of dle_t.  Text outside the elements (the OPTIONS line of a
 * request) is ignored.  Returns NULL with ERROR set for malformed XML, an
 * unknown tag, a bad number, or a <dle> without <disk>. */
GPtrArray *dle_parse_all(const char *text, gssize len, GError **error);

/* Render one <dle> element as AMANDA 3.5.1 does for a sendsize/selfcheck
 * request (FOR_BACKUP FALSE) or a sendbackup request (FOR_BACKUP TRUE, where
 * the backup-program block comes last and estimate/spindle are left out). */
char *dle_render(const dle_t *dle, gboolean for_backup);

/* Add an application property (values are copied). */
void dle_add_property(GPtrArray *props, const char *name, const char *value);
/* First value of property NAME (case-insensitive, '-' and '_' alike), or NULL. */
const char *dle_property_value(const GPtrArray *props, const char *name);

#endif
