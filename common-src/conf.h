/* conf: the configuration of the suite (amanda.conf, amanda-client.conf).
 *
 * This module owns parsing of amanda.conf and amanda-client.conf into typed
 * values, the section tables (dumptype, tapetype, holdingdisk, ...), command
 * line overrides (-o NAME=VALUE), and the text form of every value that
 * amgetconf prints.  The disklist lives in disklist.h.
 *
 * Parsing never stops at the first problem: every error and warning of a
 * file is collected as "FILE:LINE: message".  The parsers work on a buffer
 * plus a file name (conf_parse_buffer), so they can be fuzzed; only
 * includefile reads other files. */
#ifndef CONF_H
#define CONF_H

#include <glib.h>
#include "conf-keys.h"

#define CONF_ERROR conf_error_quark()
GQuark conf_error_quark(void);
typedef enum {
    CONF_ERROR_NOT_FOUND,   /* no such config file */
    CONF_ERROR_PARSE,       /* the file has errors (message lists them) */
    CONF_ERROR_UNKNOWN,     /* unknown parameter or section */
} conf_error_code_t;

/* How a value is parsed and printed. */
typedef enum {
    CONF_T_INT, CONF_T_SIZE, CONF_T_DAYS, CONF_T_REAL, CONF_T_BOOL,
    CONF_T_STR, CONF_T_IDENT, CONF_T_PORT, CONF_T_RATE, CONF_T_INTRANGE,
    CONF_T_NO_YES_ALL, CONF_T_TAPERALGO, CONF_T_PRIORITY, CONF_T_STRATEGY,
    CONF_T_ENCRYPT, CONF_T_HOLDING, CONF_T_PART_CACHE_TYPE,
    CONF_T_EXECUTE_WHERE, CONF_T_SEND_AMREPORT, CONF_T_DATA_PATH,
    CONF_T_COMPRESS, CONF_T_ESTIMATELIST, CONF_T_EXECUTE_ON,
    CONF_T_EXINCLUDE, CONF_T_PROPLIST, CONF_T_AUTOLABEL, CONF_T_LABELSTR,
    CONF_T_STRLIST, CONF_T_HOSTLIMIT, CONF_T_DUMP_SELECTION, CONF_T_VAULT,
} conf_type_t;

/* Section kinds.  CONF_GLOBAL is the top level of the file. */
typedef enum {
    CONF_GLOBAL, CONF_HOLDINGDISK, CONF_DUMPTYPE, CONF_TAPETYPE,
    CONF_INTERFACE, CONF_APPLICATION, CONF_SCRIPT, CONF_DEVICE, CONF_CHANGER,
    CONF_INTERACTIVITY, CONF_TAPERSCAN, CONF_POLICY, CONF_STORAGE,
    CONF_KIND_COUNT
} conf_kind_t;

#define CONF_ENUM_ID(id, kw, type, def, flags) id,
typedef enum { CONF_GLOBAL_KEYS(CONF_ENUM_ID) CNF_CNF } conf_param_t;
typedef enum { CONF_HOLDINGDISK_KEYS(CONF_ENUM_ID) HOLDING_HOLDING } conf_holding_param_t;
typedef enum { CONF_DUMPTYPE_KEYS(CONF_ENUM_ID) DUMPTYPE_DUMPTYPE } conf_dumptype_param_t;
typedef enum { CONF_TAPETYPE_KEYS(CONF_ENUM_ID) TAPETYPE_TAPETYPE } conf_tapetype_param_t;
typedef enum { CONF_INTERFACE_KEYS(CONF_ENUM_ID) INTER_INTER } conf_interface_param_t;
typedef enum { CONF_APPLICATION_KEYS(CONF_ENUM_ID) APPLICATION_APPLICATION } conf_application_param_t;
typedef enum { CONF_SCRIPT_KEYS(CONF_ENUM_ID) SCRIPT_SCRIPT } conf_script_param_t;
typedef enum { CONF_DEVICE_KEYS(CONF_ENUM_ID) DEVICE_CONFIG_DEVICE_CONFIG } conf_device_param_t;
typedef enum { CONF_CHANGER_KEYS(CONF_ENUM_ID) CHANGER_CONFIG_CHANGER_CONFIG } conf_changer_param_t;
typedef enum { CONF_INTERACTIVITY_KEYS(CONF_ENUM_ID) INTERACTIVITY_INTERACTIVITY } conf_interactivity_param_t;
typedef enum { CONF_TAPERSCAN_KEYS(CONF_ENUM_ID) TAPERSCAN_TAPERSCAN } conf_taperscan_param_t;
typedef enum { CONF_POLICY_KEYS(CONF_ENUM_ID) POLICY_POLICY } conf_policy_param_t;
typedef enum { CONF_STORAGE_KEYS(CONF_ENUM_ID) STORAGE_STORAGE } conf_storage_param_t;
#undef CONF_ENUM_ID

/* Values of the enumerated types (stored in conf_value_t.i). */
enum { CONF_NO = 0, CONF_YES = 1, CONF_ALL = 2 };                  /* NO_YES_ALL */
enum { ALGO_FIRST, ALGO_FIRSTFIT, ALGO_LARGEST, ALGO_LARGESTFIT,
       ALGO_SMALLEST, ALGO_SMALLESTFIT, ALGO_LAST, ALGO_LASTFIT };  /* TAPERALGO */
enum { PRIORITY_LOW = 0, PRIORITY_MEDIUM = 1, PRIORITY_HIGH = 2 };   /* or any int */
enum { DS_SKIP, DS_STANDARD, DS_NOFULL, DS_NOINC, DS_4, DS_5, DS_HANOI,
       DS_INCRONLY };                                              /* STRATEGY */
enum { ENCRYPT_NONE, ENCRYPT_CUST, ENCRYPT_SERV_CUST };             /* ENCRYPT */
enum { HOLD_NEVER, HOLD_AUTO, HOLD_REQUIRED };                      /* HOLDING */
enum { PART_CACHE_TYPE_NONE, PART_CACHE_TYPE_MEMORY, PART_CACHE_TYPE_DISK };
enum { ES_CLIENT, ES_SERVER, ES_CALCSIZE };                         /* ESTIMATELIST */
enum { EXECUTE_WHERE_CLIENT, EXECUTE_WHERE_SERVER };
enum { SEND_AMREPORT_ALL, SEND_AMREPORT_STRANGE, SEND_AMREPORT_ERROR,
       SEND_AMREPORT_NEVER };
enum { DATA_PATH_AMANDA = 1, DATA_PATH_DIRECTTCP = 2 };
enum { COMP_NONE, COMP_FAST, COMP_BEST, COMP_CUST, COMP_SERVER_FAST,
       COMP_SERVER_BEST, COMP_SERVER_CUST };                        /* COMPRESS */
/* AUTOLABEL condition bits (conf_value_t.i) */
enum { AL_OTHER_CONFIG = 1 << 0, AL_NON_AMANDA = 1 << 1,
       AL_VOLUME_ERROR = 1 << 2, AL_EMPTY = 1 << 3 };
/* HOSTLIMIT bits (conf_value_t.i); host names are in .list */
enum { HOSTLIMIT_SAME_HOST = 1 << 0, HOSTLIMIT_SERVER = 1 << 1 };
/* EXECUTE_ON bits: conf_execute_on_name() gives the names */
#define CONF_EXECUTE_ON_COUNT 27
const char *conf_execute_on_name(int bit);

/* One property: "name" "value"... (priority / append as written). */
typedef struct {
    char *name;
    GPtrArray *values;          /* char* */
    gboolean priority;
    gboolean append;
} conf_property_t;

/* A typed value.  Which fields are used depends on type:
 *   i      INT, SIZE (KiB), DAYS, BOOL, all enumerated types, COMPRESS,
 *          EXECUTE_ON (bits), AUTOLABEL and HOSTLIMIT (bits),
 *          LABELSTR (1 = match-autolabel), EXINCLUDE (1 = optional),
 *          INTRANGE (low end)
 *   i2     INTRANGE (high end)
 *   r[2]   REAL (r[0]), RATE (full, incremental)
 *   s      STR, IDENT, PORT, AUTOLABEL template, LABELSTR regex
 *   list   STRLIST, HOSTLIMIT hosts, ESTIMATELIST (GINT_TO_POINTER),
 *          EXINCLUDE "file" entries, DUMP_SELECTION and VAULT ("a b")
 *   list2  EXINCLUDE "list" entries
 *   props  PROPLIST: conf_property_t* in file order */
typedef struct {
    conf_type_t type;
    gboolean seen;              /* set in a file or an override */
    const char *seen_file;      /* owned by the config */
    int seen_line;
    gint64 i, i2;
    double r[2];
    char *s;
    GPtrArray *list;
    GPtrArray *list2;
    GPtrArray *props;
} conf_value_t;

typedef struct conf_section conf_section_t;
typedef struct conf conf_t;

/* conf_load flags */
enum {
    CONF_FLAG_CLIENT = 1 << 0,      /* amanda-client.conf keyword set */
    CONF_FLAG_NO_INCLUDE = 1 << 1,  /* ignore includefile (fuzzing) */
};

/* An empty config holding only defaults. */
conf_t *conf_new(unsigned flags);
void conf_free(conf_t *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(conf_t, conf_free)

/* Parse a buffer as if it were the file FILENAME (used for errors and for
 * includefile paths).  Returns FALSE if this buffer added errors. */
gboolean conf_parse_buffer(conf_t *conf, const char *buf, gsize len,
                           const char *filename);
/* Parse a file; a missing file is an error in the list. */
gboolean conf_parse_file(conf_t *conf, const char *path);

/* Load a config: NAME is a config name ($config_dir/NAME/amanda.conf, or
 * amanda-client[-NAME].conf with CONF_FLAG_CLIENT) and FILE, if set,
 * replaces that path.  OVERRIDES is a NULL-terminated "NAME=VALUE" array
 * (may be NULL) applied after the file.  Never returns NULL: check
 * conf_errors().  A missing client file is not an error (defaults). */
conf_t *conf_load(const char *name, const char *file, unsigned flags,
                  char **overrides);
/* Same, but NULL + GError (CONF_ERROR_NOT_FOUND / CONF_ERROR_PARSE with all
 * errors joined by newlines) when anything went wrong. */
conf_t *conf_load_checked(const char *name, const char *file, unsigned flags,
                          char **overrides, GError **error);

/* Apply one override "NAME=VALUE" or "KIND:SECTION:NAME=VALUE". */
gboolean conf_apply_override(conf_t *conf, const char *override);

/* The process-wide loaded config (the one mutable global allowed). */
void conf_set_global(conf_t *conf);   /* takes ownership; frees the old */
conf_t *conf_global(void);

/* Errors and warnings: char* "FILE:LINE: message", in order. */
const GPtrArray *conf_errors(const conf_t *conf);
const GPtrArray *conf_warnings(const conf_t *conf);
const char *conf_name(const conf_t *conf);        /* config name or NULL */
const char *conf_dir(const conf_t *conf);         /* dir of the main file */
const char *conf_filename(const conf_t *conf);

/* Global parameters. */
const conf_value_t *conf_get(const conf_t *conf, conf_param_t id);
gint64 conf_get_int(const conf_t *conf, conf_param_t id);
const char *conf_get_str(const conf_t *conf, conf_param_t id);
double conf_get_real(const conf_t *conf, conf_param_t id);
gboolean conf_get_bool(const conf_t *conf, conf_param_t id);
gboolean conf_seen(const conf_t *conf, conf_param_t id);
/* By name: "dumpcycle", or "KIND:NAME:PARAM" ("dumptype:root:compress",
 * "tapetype:DAT:length", "holdingdisk:hd1:directory").  NULL if unknown. */
const conf_value_t *conf_get_by_name(const conf_t *conf, const char *name,
                                     GError **error);
/* The path of the disklist (diskfile made absolute against conf_dir). */
char *conf_disklist_path(const conf_t *conf);

/* Sections. */
conf_kind_t conf_kind_from_name(const char *name);   /* -1 if unknown */
const char *conf_kind_name(conf_kind_t kind);
conf_section_t *conf_lookup(const conf_t *conf, conf_kind_t kind,
                            const char *name);
/* All sections of a kind in definition order (do not modify). */
const GPtrArray *conf_sections(const conf_t *conf, conf_kind_t kind);
/* The holding disks in use, in order (conf_section_t*). */
GPtrArray *conf_holdingdisks(const conf_t *conf);
const char *conf_section_name(const conf_section_t *sec);
conf_kind_t conf_section_kind(const conf_section_t *sec);
int conf_section_line(const conf_section_t *sec);
const conf_value_t *conf_section_get(const conf_section_t *sec, int id);
const conf_value_t *conf_section_get_by_name(const conf_section_t *sec,
                                             const char *param);

/* Value accessors and printing. */
gint64 conf_value_int(const conf_value_t *v);
const char *conf_value_str(const conf_value_t *v);
const conf_property_t *conf_value_property(const conf_value_t *v,
                                           const char *name);
/* The text amgetconf prints: one line per element for multi-line values
 * (properties, exclude file+list), no trailing newline. */
char *conf_value_to_string(const conf_value_t *v);
/* Keyword lists (for amgetconf --list-params and tests). */
int conf_param_count(conf_kind_t kind);
const char *conf_param_keyword(conf_kind_t kind, int id);
conf_type_t conf_param_type(conf_kind_t kind, int id);
/* Find a keyword's id (case-insensitive, '-' == '_'); -1 if unknown. */
int conf_param_find(conf_kind_t kind, const char *keyword);

#endif
