/* conf-tables: one keyword table per section kind (built from conf-keys.h),
 * the names of the enumerated value types, and the value validators.
 * Adding a parameter means adding one X() line to conf-keys.h (and a
 * validator case here if its range is limited). */
#include "config.h"
#include "conf-internal.h"

#include <string.h>

#define ROW(id, kw, type, def, flags) { kw, CONF_T_##type, def, flags },
static const conf_keyword_t global_keys[] = { CONF_GLOBAL_KEYS(ROW) };
static const conf_keyword_t holding_keys[] = { CONF_HOLDINGDISK_KEYS(ROW) };
static const conf_keyword_t dumptype_keys[] = { CONF_DUMPTYPE_KEYS(ROW) };
static const conf_keyword_t tapetype_keys[] = { CONF_TAPETYPE_KEYS(ROW) };
static const conf_keyword_t interface_keys[] = { CONF_INTERFACE_KEYS(ROW) };
static const conf_keyword_t application_keys[] = { CONF_APPLICATION_KEYS(ROW) };
static const conf_keyword_t script_keys[] = { CONF_SCRIPT_KEYS(ROW) };
static const conf_keyword_t device_keys[] = { CONF_DEVICE_KEYS(ROW) };
static const conf_keyword_t changer_keys[] = { CONF_CHANGER_KEYS(ROW) };
static const conf_keyword_t interactivity_keys[] = { CONF_INTERACTIVITY_KEYS(ROW) };
static const conf_keyword_t taperscan_keys[] = { CONF_TAPERSCAN_KEYS(ROW) };
static const conf_keyword_t policy_keys[] = { CONF_POLICY_KEYS(ROW) };
static const conf_keyword_t storage_keys[] = { CONF_STORAGE_KEYS(ROW) };
#undef ROW

#define TABLE(arr) { arr, G_N_ELEMENTS(arr) }
static const conf_table_t tables[CONF_KIND_COUNT] = {
    [CONF_GLOBAL] = TABLE(global_keys),
    [CONF_HOLDINGDISK] = TABLE(holding_keys),
    [CONF_DUMPTYPE] = TABLE(dumptype_keys),
    [CONF_TAPETYPE] = TABLE(tapetype_keys),
    [CONF_INTERFACE] = TABLE(interface_keys),
    [CONF_APPLICATION] = TABLE(application_keys),
    [CONF_SCRIPT] = TABLE(script_keys),
    [CONF_DEVICE] = TABLE(device_keys),
    [CONF_CHANGER] = TABLE(changer_keys),
    [CONF_INTERACTIVITY] = TABLE(interactivity_keys),
    [CONF_TAPERSCAN] = TABLE(taperscan_keys),
    [CONF_POLICY] = TABLE(policy_keys),
    [CONF_STORAGE] = TABLE(storage_keys),
};

static const char *const kind_names[CONF_KIND_COUNT] = {
    "global", "holdingdisk", "dumptype", "tapetype", "interface",
    "application", "script", "device", "changer", "interactivity",
    "taperscan", "policy", "storage",
};

/* Other spellings AMANDA accepts for a keyword. */
static const struct { conf_kind_t kind; const char *alias, *keyword; } aliases[] = {
    { CONF_GLOBAL, "command_file", "cmdfile" },
    { CONF_GLOBAL, "tapedev_config", "tapedev" },
    { CONF_DUMPTYPE, "srvcompprog", "server_custom_compress" },
    { CONF_DUMPTYPE, "clntcompprog", "client_custom_compress" },
    { CONF_DUMPTYPE, "srv_encrypt", "server_encrypt" },
    { CONF_DUMPTYPE, "clnt_encrypt", "client_encrypt" },
    { CONF_DUMPTYPE, "srv_decrypt_opt", "server_decrypt_option" },
    { CONF_DUMPTYPE, "clnt_decrypt_opt", "client_decrypt_option" },
    { CONF_APPLICATION, "client_application_name", "client_name" },
    { CONF_SCRIPT, "client_script_name", "client_name" },
};

const conf_table_t *
conf_table(conf_kind_t kind)
{
    g_return_val_if_fail(kind < CONF_KIND_COUNT, NULL);
    return &tables[kind];
}

const char *
conf_kind_name(conf_kind_t kind)
{
    return kind < CONF_KIND_COUNT ? kind_names[kind] : "?";
}

conf_kind_t
conf_kind_from_name(const char *name)
{
    if (!name)
        return (conf_kind_t)-1;
    if (conf_keyword_eq(name, "application_tool"))
        return CONF_APPLICATION;
    if (conf_keyword_eq(name, "script_tool"))
        return CONF_SCRIPT;
    for (int k = 1; k < CONF_KIND_COUNT; k++)
        if (conf_keyword_eq(name, kind_names[k]))
            return (conf_kind_t)k;
    return (conf_kind_t)-1;
}

gboolean
conf_keyword_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a == '-' ? '_' : g_ascii_tolower(*a);
        char cb = *b == '-' ? '_' : g_ascii_tolower(*b);
        if (ca != cb)
            return FALSE;
    }
    return *a == *b;
}

int
conf_param_find(conf_kind_t kind, const char *keyword)
{
    if (kind >= CONF_KIND_COUNT || !keyword)
        return -1;
    const conf_table_t *t = &tables[kind];
    for (int i = 0; i < t->count; i++)
        if (conf_keyword_eq(keyword, t->keys[i].keyword))
            return i;
    for (gsize i = 0; i < G_N_ELEMENTS(aliases); i++)
        if (aliases[i].kind == kind && conf_keyword_eq(keyword, aliases[i].alias))
            return conf_param_find(kind, aliases[i].keyword);
    return -1;
}

int
conf_param_count(conf_kind_t kind)
{
    return kind < CONF_KIND_COUNT ? tables[kind].count : 0;
}

const char *
conf_param_keyword(conf_kind_t kind, int id)
{
    if (kind >= CONF_KIND_COUNT || id < 0 || id >= tables[kind].count)
        return NULL;
    return tables[kind].keys[id].keyword;
}

conf_type_t
conf_param_type(conf_kind_t kind, int id)
{
    return tables[kind].keys[id].type;
}

/* ---- enumerated types ---- */
static const conf_enum_name_t no_yes_all_names[] = {
    { "no", CONF_NO }, { "yes", CONF_YES }, { "all", CONF_ALL },
    { "false", CONF_NO }, { "true", CONF_YES }, { "off", CONF_NO },
    { "on", CONF_YES }, { "n", CONF_NO }, { "y", CONF_YES },
    { "0", CONF_NO }, { "1", CONF_YES }, { NULL, 0 } };
static const conf_enum_name_t taperalgo_names[] = {
    { "first", ALGO_FIRST }, { "firstfit", ALGO_FIRSTFIT },
    { "largest", ALGO_LARGEST }, { "largestfit", ALGO_LARGESTFIT },
    { "smallest", ALGO_SMALLEST }, { "smallestfit", ALGO_SMALLESTFIT },
    { "last", ALGO_LAST }, { "lastfit", ALGO_LASTFIT }, { NULL, 0 } };
static const conf_enum_name_t priority_names[] = {
    { "low", PRIORITY_LOW }, { "medium", PRIORITY_MEDIUM },
    { "high", PRIORITY_HIGH }, { NULL, 0 } };
static const conf_enum_name_t strategy_names[] = {
    { "skip", DS_SKIP }, { "standard", DS_STANDARD }, { "nofull", DS_NOFULL },
    { "noinc", DS_NOINC }, { "hanoi", DS_HANOI }, { "incronly", DS_INCRONLY },
    { NULL, 0 } };
static const conf_enum_name_t encrypt_names[] = {
    { "none", ENCRYPT_NONE }, { "client", ENCRYPT_CUST },
    { "server", ENCRYPT_SERV_CUST }, { NULL, 0 } };
static const conf_enum_name_t holding_names[] = {
    { "never", HOLD_NEVER }, { "auto", HOLD_AUTO },
    { "required", HOLD_REQUIRED }, { "yes", HOLD_AUTO }, { "no", HOLD_NEVER },
    { "true", HOLD_AUTO }, { "false", HOLD_NEVER }, { "on", HOLD_AUTO },
    { "off", HOLD_NEVER }, { NULL, 0 } };
static const conf_enum_name_t part_cache_names[] = {
    { "none", PART_CACHE_TYPE_NONE }, { "memory", PART_CACHE_TYPE_MEMORY },
    { "disk", PART_CACHE_TYPE_DISK }, { NULL, 0 } };
static const conf_enum_name_t execute_where_names[] = {
    { "client", EXECUTE_WHERE_CLIENT }, { "server", EXECUTE_WHERE_SERVER },
    { NULL, 0 } };
static const conf_enum_name_t send_amreport_names[] = {
    { "all", SEND_AMREPORT_ALL }, { "strange", SEND_AMREPORT_STRANGE },
    { "error", SEND_AMREPORT_ERROR }, { "never", SEND_AMREPORT_NEVER },
    { NULL, 0 } };
static const conf_enum_name_t data_path_names[] = {
    { "amanda", DATA_PATH_AMANDA }, { "directtcp", DATA_PATH_DIRECTTCP },
    { NULL, 0 } };
static const conf_enum_name_t estimate_names[] = {
    { "client", ES_CLIENT }, { "server", ES_SERVER },
    { "calcsize", ES_CALCSIZE }, { NULL, 0 } };

const conf_enum_name_t *
conf_enum_names_for(conf_type_t type)
{
    switch (type) {
    case CONF_T_NO_YES_ALL: return no_yes_all_names;
    case CONF_T_TAPERALGO: return taperalgo_names;
    case CONF_T_PRIORITY: return priority_names;
    case CONF_T_STRATEGY: return strategy_names;
    case CONF_T_ENCRYPT: return encrypt_names;
    case CONF_T_HOLDING: return holding_names;
    case CONF_T_PART_CACHE_TYPE: return part_cache_names;
    case CONF_T_EXECUTE_WHERE: return execute_where_names;
    case CONF_T_SEND_AMREPORT: return send_amreport_names;
    case CONF_T_DATA_PATH: return data_path_names;
    case CONF_T_ESTIMATELIST: return estimate_names;
    default: return NULL;
    }
}

const char *
conf_enum_name_of(conf_type_t type, gint64 value)
{
    const conf_enum_name_t *n = conf_enum_names_for(type);
    for (; n && n->name; n++)
        if (n->value == value)
            return n->name;
    return NULL;
}

static const char *const execute_on_names[CONF_EXECUTE_ON_COUNT] = {
    "pre-amcheck", "pre-dle-amcheck", "pre-host-amcheck",
    "post-amcheck", "post-dle-amcheck", "post-host-amcheck",
    "pre-estimate", "pre-dle-estimate", "pre-host-estimate",
    "post-estimate", "post-dle-estimate", "post-host-estimate",
    "pre-backup", "pre-dle-backup", "pre-host-backup",
    "post-backup", "post-dle-backup", "post-host-backup",
    "pre-recover", "post-recover", "pre-level-recover",
    "post-level-recover", "inter-level-recover",
    "pre-vault", "post-vault", "pre-dle-vault", "post-dle-vault",
};

const char *
conf_execute_on_name(int bit)
{
    return bit >= 0 && bit < CONF_EXECUTE_ON_COUNT ? execute_on_names[bit] : NULL;
}

/* ---- validators ---- */
static char *
check_nonneg(const char *kw, const conf_value_t *v)
{
    if (v->i < 0)
        return g_strdup_printf("%s must be zero or positive, got %" G_GINT64_FORMAT,
                               kw, v->i);
    return NULL;
}

static char *
validate_global(int id, const conf_value_t *v)
{
    const char *kw = global_keys[id].keyword;
    switch (id) {
    case CNF_DISPLAYUNIT:
        if (!v->s || strlen(v->s) != 1 || !strchr("kmgtKMGT", v->s[0]))
            return g_strdup("displayunit must be \"k\", \"m\", \"g\" or \"t\"");
        return NULL;
    case CNF_INPARALLEL:
        if (v->i < 1 || v->i > 63)
            return g_strdup("inparallel must be between 1 and 63");
        return NULL;
    case CNF_BUMPMULT:
        if (v->r[0] < 0.999)
            return g_strdup("bumpmult must be at least 1.0");
        return NULL;
    case CNF_DUMPORDER:
        for (const char *p = v->s ? v->s : ""; *p; p++)
            if (!strchr("sStTbB", *p))
                return g_strdup_printf("dumporder: bad character '%c' "
                                       "(use s S t T b B)", *p);
        return NULL;
    case CNF_DUMPCYCLE: case CNF_RUNSPERCYCLE: case CNF_TAPECYCLE:
    case CNF_NETUSAGE: case CNF_BUMPPERCENT: case CNF_BUMPDAYS:
    case CNF_RUNTAPES: case CNF_MAXDUMPS: case CNF_ETIMEOUT ... CNF_CTIMEOUT:
    case CNF_RESERVE: case CNF_DEBUG_DAYS: case CNF_TAPERFLUSH:
        if (id == CNF_ETIMEOUT)
            return NULL;                 /* negative = per-host total */
        if (id == CNF_RESERVE && v->i > 100)
            return g_strdup("reserve must be between 0 and 100");
        return check_nonneg(kw, v);
    default:
        return NULL;
    }
}

static char *
validate_dumptype(int id, const conf_value_t *v)
{
    const char *kw = dumptype_keys[id].keyword;
    switch (id) {
    case DUMPTYPE_BUMPPERCENT:
        if (v->i < 0 || v->i > 100)
            return g_strdup("bumppercent must be between 0 and 100");
        return NULL;
    case DUMPTYPE_COMPRATE:
        if (v->r[0] < 0 || v->r[1] < 0)
            return g_strdup("comprate must not be negative");
        return NULL;
    case DUMPTYPE_DUMPCYCLE: case DUMPTYPE_MAXDUMPS:
    case DUMPTYPE_BUMPDAYS: case DUMPTYPE_TAPE_SPLITSIZE:
    case DUMPTYPE_FALLBACK_SPLITSIZE: case DUMPTYPE_MAX_WARNINGS:
    case DUMPTYPE_RETRY_DUMP: case DUMPTYPE_MAXPROMOTEDAY:
        return check_nonneg(kw, v);
    case DUMPTYPE_STARTTIME:
        if (v->i < 0 || v->i % 100 >= 60 || v->i / 100 >= 24)
            return g_strdup_printf("starttime must be hhmm, got %" G_GINT64_FORMAT,
                                   v->i);
        return NULL;
    default:
        return NULL;
    }
}

static char *
validate_tapetype(int id, const conf_value_t *v)
{
    const char *kw = tapetype_keys[id].keyword;
    switch (id) {
    case TAPETYPE_BLOCKSIZE:
        if (v->i < 32)
            return g_strdup("blocksize must be at least 32 kbytes");
        return NULL;
    case TAPETYPE_LENGTH: case TAPETYPE_FILEMARK: case TAPETYPE_SPEED:
    case TAPETYPE_PART_SIZE: case TAPETYPE_READBLOCKSIZE:
        return check_nonneg(kw, v);
    default:
        return NULL;
    }
}

char *
conf_validate(conf_kind_t kind, int id, const conf_value_t *v)
{
    switch (kind) {
    case CONF_GLOBAL: return validate_global(id, v);
    case CONF_DUMPTYPE: return validate_dumptype(id, v);
    case CONF_TAPETYPE: return validate_tapetype(id, v);
    case CONF_HOLDINGDISK:
        if (id == HOLDING_CHUNKSIZE && v->i < 0)
            return g_strdup("chunksize must not be negative");
        return NULL;
    default:
        return NULL;
    }
}
