/* amgtar-args: argv -> AmgtarArgs (see amgtar-args.h). */
#include "config.h"
#include "amgtar-args.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(amgtar-args-error-quark, amgtar_args_error)

typedef enum {
    OPT_STRING,     /* char *, last one wins */
    OPT_LIST,       /* GPtrArray of char *, repeatable */
    OPT_BOOL,       /* yes/no value */
    OPT_FLAG,       /* no value, sets TRUE */
    OPT_LEVEL,      /* int appended to levels */
    OPT_FD,         /* file descriptor number */
    OPT_LINE,       /* "line" is the only format we speak */
    OPT_EXIT,       /* exit-handling spec */
    OPT_IGNORED,    /* accepted for compatibility, value unused */
} OptType;

typedef struct {
    const char *name;   /* canonical: lower case, '-' */
    OptType type;
    size_t offset;
} OptSpec;

#define F(member) offsetof(AmgtarArgs, member)
static const OptSpec option_table[] = {
    { "config", OPT_STRING, F(config) },
    { "host", OPT_STRING, F(host) },
    { "disk", OPT_STRING, F(disk) },
    { "device", OPT_STRING, F(device) },
    { "directory", OPT_STRING, F(directory) },
    { "target", OPT_STRING, F(target) },
    { "level", OPT_LEVEL, F(levels) },
    { "message", OPT_LINE, 0 },
    { "index", OPT_LINE, F(index_line) },
    { "record", OPT_FLAG, F(record) },
    { "calcsize", OPT_FLAG, F(calcsize) },
    { "include-file", OPT_LIST, F(include_file) },
    { "include-list", OPT_LIST, F(include_list) },
    { "exclude-file", OPT_LIST, F(exclude_file) },
    { "exclude-list", OPT_LIST, F(exclude_list) },
    { "include-optional", OPT_BOOL, F(include_optional) },
    { "exclude-optional", OPT_BOOL, F(exclude_optional) },
    { "amfeatures", OPT_STRING, F(amfeatures) },
    { "timestamp", OPT_STRING, F(timestamp) },
    { "state-stream", OPT_FD, F(state_stream) },
    { "dar", OPT_BOOL, F(dar) },
    { "recover-dump-state-file", OPT_STRING, F(recover_dump_state_file) },
    { "gnutar-path", OPT_STRING, F(gnutar_path) },
    { "gnutar-listdir", OPT_STRING, F(gnutar_listdir) },
    { "one-file-system", OPT_BOOL, F(one_file_system) },
    { "sparse", OPT_BOOL, F(sparse) },
    { "atime-preserve", OPT_BOOL, F(atime_preserve) },
    { "check-device", OPT_BOOL, F(check_device) },
    { "no-unquote", OPT_BOOL, F(no_unquote) },
    { "acls", OPT_BOOL, F(acls) },
    { "selinux", OPT_BOOL, F(selinux) },
    { "xattrs", OPT_BOOL, F(xattrs) },
    { "normal", OPT_LIST, F(normal) },
    { "ignore", OPT_LIST, F(ignore) },
    { "strange", OPT_LIST, F(strange) },
    { "exit-handling", OPT_EXIT, F(exit_good) },
    { "verbose", OPT_IGNORED, 0 },
};
#undef F

static const char *const command_names[] = {
    [AMGTAR_CMD_SUPPORT] = "support",     [AMGTAR_CMD_SELFCHECK] = "selfcheck",
    [AMGTAR_CMD_ESTIMATE] = "estimate",   [AMGTAR_CMD_BACKUP] = "backup",
    [AMGTAR_CMD_RESTORE] = "restore",     [AMGTAR_CMD_INDEX] = "index",
    [AMGTAR_CMD_VALIDATE] = "validate",
};

static AmgtarArgs *
args_new(void)
{
    AmgtarArgs *a = g_new0(AmgtarArgs, 1);
    a->levels = g_array_new(FALSE, FALSE, sizeof(int));
    a->include_file = g_ptr_array_new_with_free_func(g_free);
    a->include_list = g_ptr_array_new_with_free_func(g_free);
    a->exclude_file = g_ptr_array_new_with_free_func(g_free);
    a->exclude_list = g_ptr_array_new_with_free_func(g_free);
    a->normal = g_ptr_array_new_with_free_func(g_free);
    a->ignore = g_ptr_array_new_with_free_func(g_free);
    a->strange = g_ptr_array_new_with_free_func(g_free);
    a->files = g_ptr_array_new_with_free_func(g_free);
    a->state_stream = -1;
    a->one_file_system = TRUE;
    a->sparse = TRUE;
    a->atime_preserve = -1;      /* decided in main: yes only as root */
    a->check_device = TRUE;      /* AMANDA's default: tar checks device numbers */
    /* tar exits 1 when a file changed while being read: still a backup */
    a->exit_good[0] = TRUE;
    a->exit_good[1] = TRUE;
    return a;
}

void
amgtar_args_free(AmgtarArgs *a)
{
    if (!a)
        return;
    g_free(a->config); g_free(a->host); g_free(a->disk); g_free(a->device);
    g_free(a->directory); g_free(a->target); g_free(a->amfeatures);
    g_free(a->timestamp); g_free(a->gnutar_path); g_free(a->gnutar_listdir);
    g_free(a->recover_dump_state_file);
    g_array_unref(a->levels);
    g_ptr_array_unref(a->include_file); g_ptr_array_unref(a->include_list);
    g_ptr_array_unref(a->exclude_file); g_ptr_array_unref(a->exclude_list);
    g_ptr_array_unref(a->normal); g_ptr_array_unref(a->ignore);
    g_ptr_array_unref(a->strange); g_ptr_array_unref(a->files);
    g_free(a);
}

/* "Exclude_List" -> "exclude-list" */
static char *
canonical_name(const char *name, size_t len)
{
    char *c = g_ascii_strdown(name, (gssize)len);
    for (char *p = c; *p; p++)
        if (*p == '_')
            *p = '-';
    return c;
}

static const OptSpec *
find_option(const char *canon)
{
    for (size_t i = 0; i < G_N_ELEMENTS(option_table); i++)
        if (strcmp(option_table[i].name, canon) == 0)
            return &option_table[i];
    return NULL;
}

static gboolean
parse_bool(const char *value, gboolean *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1", "y" };
    static const char *const no[] = { "no", "false", "off", "0", "n" };
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(value, yes[i]) == 0) { *out = TRUE; return TRUE; }
        if (g_ascii_strcasecmp(value, no[i]) == 0) { *out = FALSE; return TRUE; }
    }
    return FALSE;
}

static gboolean
parse_int(const char *value, long min, long max, long *out)
{
    char *end = NULL;
    if (!*value || !g_ascii_isdigit(*value))
        return FALSE;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || *end || v < min || v > max)
        return FALSE;
    *out = v;
    return TRUE;
}

gboolean
amgtar_parse_exit_handling(const char *spec, gboolean table[256], GError **error)
{
    g_auto(GStrv) words = g_strsplit_set(spec, " \t,", -1);
    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        const char *eq = strchr(*w, '=');
        long code;
        g_autofree char *num = eq ? g_strndup(*w, (gsize)(eq - *w)) : NULL;
        if (!eq || !parse_int(num, 0, 255, &code)
            || (g_ascii_strcasecmp(eq + 1, "GOOD") && g_ascii_strcasecmp(eq + 1, "BAD"))) {
            g_set_error(error, AMGTAR_ARGS_ERROR, 1,
                        "exit-handling: \"%s\" is not STATUS=GOOD or STATUS=BAD", *w);
            return FALSE;
        }
        table[code] = g_ascii_strcasecmp(eq + 1, "GOOD") == 0;
    }
    return TRUE;
}

static gboolean
set_option(AmgtarArgs *a, const OptSpec *spec, const char *value, GError **error)
{
    void *field = (char *)a + spec->offset;
    long n;
    switch (spec->type) {
    case OPT_STRING:
        g_free(*(char **)field);
        *(char **)field = g_strdup(value);
        return TRUE;
    case OPT_LIST:
        g_ptr_array_add(*(GPtrArray **)field, g_strdup(value));
        return TRUE;
    case OPT_BOOL:
        if (parse_bool(value, (gboolean *)field))
            return TRUE;
        g_set_error(error, AMGTAR_ARGS_ERROR, 1,
                    "option --%s wants yes or no, not \"%s\"", spec->name, value);
        return FALSE;
    case OPT_FLAG:
        *(gboolean *)field = TRUE;
        return TRUE;
    case OPT_LEVEL:
        if (!parse_int(value, 0, AMGTAR_MAX_LEVEL, &n)) {
            g_set_error(error, AMGTAR_ARGS_ERROR, 1,
                        "option --level wants a number from 0 to %d, not \"%s\"",
                        AMGTAR_MAX_LEVEL, value);
            return FALSE;
        }
        g_array_append_val(a->levels, (int){ (int)n });
        return TRUE;
    case OPT_FD:
        if (!parse_int(value, 0, 65535, &n)) {
            g_set_error(error, AMGTAR_ARGS_ERROR, 1,
                        "option --%s wants a file descriptor number, not \"%s\"",
                        spec->name, value);
            return FALSE;
        }
        *(int *)field = (int)n;
        return TRUE;
    case OPT_LINE:
        if (g_ascii_strcasecmp(value, "line") != 0) {
            g_set_error(error, AMGTAR_ARGS_ERROR, 1,
                        "option --%s %s is not supported (only \"line\")", spec->name, value);
            return FALSE;
        }
        if (spec->offset)
            *(gboolean *)field = TRUE;
        return TRUE;
    case OPT_EXIT:
        return amgtar_parse_exit_handling(value, a->exit_good, error);
    case OPT_IGNORED:
        return TRUE;
    }
    return TRUE;
}

static gboolean
parse_command(AmgtarArgs *a, const char *word, GError **error)
{
    for (size_t i = 0; i < G_N_ELEMENTS(command_names); i++) {
        if (g_ascii_strcasecmp(word, command_names[i]) == 0) {
            a->command = (AmgtarCommand)i;
            return TRUE;
        }
    }
    g_set_error(error, AMGTAR_ARGS_ERROR, 1,
                "unknown command \"%s\" (expected support, selfcheck, estimate, "
                "backup, restore, index or validate)", word);
    return FALSE;
}

/* One "--name[=value]" at argv[*i]; advances *i past a separate value. */
static gboolean
parse_one_option(AmgtarArgs *a, int argc, char **argv, int *i, GError **error)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    g_autofree char *canon = canonical_name(arg, eq ? (size_t)(eq - arg) : strlen(arg));
    const OptSpec *spec = find_option(canon);
    if (!spec) {
        g_set_error(error, AMGTAR_ARGS_ERROR, 1, "unknown option --%s", canon);
        return FALSE;
    }
    if (spec->type == OPT_FLAG) {
        if (eq) {
            g_set_error(error, AMGTAR_ARGS_ERROR, 1, "option --%s takes no value", canon);
            return FALSE;
        }
        return set_option(a, spec, NULL, error);
    }
    const char *value = eq ? eq + 1 : NULL;
    if (!value) {
        if (*i + 1 >= argc) {
            g_set_error(error, AMGTAR_ARGS_ERROR, 1, "option --%s needs a value", canon);
            return FALSE;
        }
        value = argv[++*i];
    }
    return set_option(a, spec, value, error);
}

AmgtarArgs *
amgtar_args_parse(int argc, char **argv, GError **error)
{
    g_autoptr(AmgtarArgs) a = args_new();
    if (argc < 2) {
        g_set_error(error, AMGTAR_ARGS_ERROR, 1, "no command given");
        return NULL;
    }
    if (!parse_command(a, argv[1], error))
        return NULL;
    gboolean options_done = FALSE;
    for (int i = 2; i < argc; i++) {
        if (!options_done && strcmp(argv[i], "--") == 0) {
            options_done = TRUE;
        } else if (!options_done && strncmp(argv[i], "--", 2) == 0) {
            if (!parse_one_option(a, argc, argv, &i, error))
                return NULL;
        } else if (a->command == AMGTAR_CMD_RESTORE) {
            g_ptr_array_add(a->files, g_strdup(argv[i]));
        } else {
            g_set_error(error, AMGTAR_ARGS_ERROR, 1,
                        "unexpected argument \"%s\" (file names are only for restore)", argv[i]);
            return NULL;
        }
    }
    return g_steal_pointer(&a);
}

const char *
amgtar_args_dir(const AmgtarArgs *a)
{
    if (a->directory)
        return a->directory;
    return a->device ? a->device : a->disk;
}

const char *
amgtar_args_tar(const AmgtarArgs *a)
{
    return a->gnutar_path ? a->gnutar_path : GNUTAR_PATH;
}
