/* amgtar-args: the command line of the amgtar application plugin.
 *
 * amgtar is called as `amgtar COMMAND [--option value ...] [FILE ...]`.
 * This module turns that argv into an AmgtarArgs struct and nothing else:
 * no file is opened and no process is run here, so every rule about what
 * the plugin accepts is in one pure, unit-tested function.  Option and
 * property names are case-insensitive and '-' and '_' are interchangeable;
 * `--name value` and `--name=value` are both accepted. */
#ifndef AMGTAR_ARGS_H
#define AMGTAR_ARGS_H

#include <glib.h>

#define AMGTAR_MAX_LEVEL 399

typedef enum {
    AMGTAR_CMD_SUPPORT,
    AMGTAR_CMD_SELFCHECK,
    AMGTAR_CMD_ESTIMATE,
    AMGTAR_CMD_BACKUP,
    AMGTAR_CMD_RESTORE,
    AMGTAR_CMD_INDEX,
    AMGTAR_CMD_VALIDATE,
} AmgtarCommand;

typedef struct {
    AmgtarCommand command;
    /* the DLE */
    char *config, *host, *disk, *device, *directory, *target;
    GArray *levels;               /* int, in the order given */
    gboolean index_line;          /* --index line */
    gboolean record, calcsize;
    GPtrArray *include_file, *include_list, *exclude_file, *exclude_list;
    gboolean include_optional, exclude_optional;
    char *amfeatures, *timestamp;
    int state_stream;             /* -1 when not given */
    gboolean dar;                 /* restore: --dar yes, report byte ranges */
    char *recover_dump_state_file;/* restore: the dump's state file */
    /* properties */
    char *gnutar_path, *gnutar_listdir;
    gboolean one_file_system, sparse, check_device;
    gboolean atime_preserve;      /* -1 until decided: yes when run as root */
    gboolean no_unquote, acls, selinux, xattrs;
    GPtrArray *normal, *ignore, *strange;   /* POSIX extended regexes */
    gboolean exit_good[256];      /* tar exit status -> GOOD? */
    GPtrArray *files;             /* positional arguments (restore) */
} AmgtarArgs;

#define AMGTAR_ARGS_ERROR (amgtar_args_error_quark())
GQuark amgtar_args_error_quark(void);

/* Parse ARGV (argv[0] is the program, argv[1] the command).  Returns a new
 * struct, or NULL with ERROR naming the offending option. */
AmgtarArgs *amgtar_args_parse(int argc, char **argv, GError **error);
void amgtar_args_free(AmgtarArgs *args);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmgtarArgs, amgtar_args_free)

/* "0=GOOD 1=GOOD 2=BAD ..." into TABLE; statuses not named keep their value. */
gboolean amgtar_parse_exit_handling(const char *spec, gboolean table[256],
                                    GError **error);

/* The directory to back up: --directory, else --device, else --disk. */
const char *amgtar_args_dir(const AmgtarArgs *args);
/* The tar binary: the GNUTAR-PATH property or the configured GNU tar. */
const char *amgtar_args_tar(const AmgtarArgs *args);

#endif
