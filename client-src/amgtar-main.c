/* amgtar: the GNU tar application plugin of the AMANDA application API.
 *
 *   amgtar COMMAND [--option value ...] [FILE ...]
 *
 * Commands: support, selfcheck, estimate, backup, restore, index,
 * validate.  See man/amgtar.8.  This file dispatches the commands and
 * holds the small ones; estimate and backup live in amgtar-backup.c. */
#include "config.h"
#include "amgtar-args.h"
#include "amgtar-backup.h"
#include "amgtar-dar.h"
#include "amgtar-index.h"
#include "amgtar-messages.h"
#include "amgtar-run.h"
#include "amgtar-tar.h"
#include "amutil.h"
#include "debug.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
cmd_support(void)
{
    static const char *const lines[] = {
        "CONFIG YES", "HOST YES", "DISK YES", "MAX-LEVEL 399",
        "INDEX-LINE YES", "INDEX-XML NO", "MESSAGE-LINE YES", "MESSAGE-XML NO",
        "MESSAGE-SELFCHECK-JSON NO", "RECORD YES",
        "INCLUDE-FILE YES", "INCLUDE-LIST YES", "INCLUDE-LIST-GLOB YES",
        "INCLUDE-OPTIONAL YES", "EXCLUDE-FILE YES", "EXCLUDE-LIST YES",
        "EXCLUDE-LIST-GLOB YES", "EXCLUDE-OPTIONAL YES", "COLLECTION NO",
        "MULTI-ESTIMATE YES", "CALCSIZE YES", "CLIENT-ESTIMATE YES", "DISCOVER NO",
        "AMFEATURES YES", "RECOVER-DUMP-STATE-FILE YES", "DAR YES", "STATE-STREAM YES",
        "TIMESTAMP YES", "CMD-STREAM NO", "WANT-SERVER-BACKUP-RESULT NO",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++)
        printf("%s\n", lines[i]);
    return 0;
}

/* "OK amgtar gtar-version 1.34" or an ERROR line. */
static void
selfcheck_tar(const AmgtarArgs *a)
{
    const char *tar = amgtar_args_tar(a);
    char *argv[] = { (char *)tar, "--version", NULL };
    int fds[2];
    g_autoptr(GError) err = NULL;
    if (pipe2(fds, O_CLOEXEC) != 0) {
        printf("ERROR amgtar: cannot create a pipe: %s\n", g_strerror(errno));
        return;
    }
    pid_t pid = amgtar_spawn(argv, -1, fds[1], NULL, &err);
    close(fds[1]);
    char buf[512] = "";
    ssize_t n = pid > 0 ? read(fds[0], buf, sizeof buf - 1) : 0;
    close(fds[0]);
    int status = -1;
    if (pid > 0)
        amgtar_wait(pid, &status, NULL);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    const char *gnu = strstr(buf, "(GNU tar) ");
    if (pid <= 0)
        printf("ERROR amgtar: %s\n", err->message);
    else if (status != 0 || !gnu)
        printf("ERROR amgtar: %s is not GNU tar (it says \"%s\")\n", tar, buf);
    else
        printf("OK amgtar gtar-version %s\n", gnu + strlen("(GNU tar) "));
}

static void
selfcheck_dir(const AmgtarArgs *a, gboolean helper)
{
    const char *dir = amgtar_args_dir(a);
    struct stat st;
    if (!dir)
        printf("ERROR amgtar: no --disk or --device given\n");
    else if (!g_path_is_absolute(dir))
        printf("ERROR amgtar: directory %s is not an absolute path\n", dir);
    else if (stat(dir, &st) != 0)
        printf("ERROR amgtar: directory %s: %s\n", dir, g_strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        printf("ERROR amgtar: %s is not a directory\n", dir);
    else if (!helper && access(dir, R_OK | X_OK) != 0)
        printf("ERROR amgtar: directory %s is not readable: %s\n", dir, g_strerror(errno));
    else
        printf("OK amgtar directory %s\n", dir);
}

static void
selfcheck_lists(GPtrArray *lists, gboolean optional, const char *what)
{
    for (guint i = 0; i < lists->len; i++) {
        const char *f = g_ptr_array_index(lists, i);
        if (access(f, R_OK) == 0)
            printf("OK amgtar %s list %s\n", what, f);
        else if (!optional)
            printf("ERROR amgtar: %s list %s: %s\n", what, f, g_strerror(errno));
    }
}

static void
selfcheck_helper(const AmgtarArgs *a, const char *helper)
{
    g_autofree char *why = amgtar_helper_incompatible(a);
    if (why)
        printf("ERROR amgtar: %s cannot be used through the privileged helper %s\n", why, helper);
    else
        printf("OK amgtar uses the privileged helper %s\n", helper);
}

static int
cmd_selfcheck(const AmgtarArgs *a)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *helper = amgtar_helper_path();
    printf("OK amgtar version %s\n", PACKAGE_VERSION);
    selfcheck_tar(a);
    if (helper)
        selfcheck_helper(a, helper);
    selfcheck_dir(a, helper != NULL);
    const char *listdir = amgtar_listdir(a);
    if (!mkdir_p(listdir, 0700, &err) || access(listdir, W_OK | X_OK) != 0)
        printf("ERROR amgtar: gnutar-listdir %s is not writable: %s\n", listdir,
               err ? err->message : g_strerror(errno));
    else
        printf("OK amgtar gnutar-listdir %s is writable\n", listdir);
    selfcheck_lists(a->include_list, a->include_optional, "include");
    selfcheck_lists(a->exclude_list, a->exclude_optional, "exclude");
    g_clear_error(&err);
    g_autoptr(AmgtarClassifier) cls = amgtar_classifier_new(a->normal, a->ignore, a->strange, &err);
    if (!cls)
        printf("ERROR amgtar: %s\n", err->message);
    return 0;
}

/* Members to restore: positional names plus --include-list files. */
static GPtrArray *
restore_members(const AmgtarArgs *a, GError **error)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < a->files->len; i++)
        g_ptr_array_add(names, g_strdup(g_ptr_array_index(a->files, i)));
    for (guint i = 0; i < a->include_list->len; i++) {
        g_autofree char *text = NULL;
        if (!g_file_get_contents(g_ptr_array_index(a->include_list, i), &text, NULL, error))
            return NULL;
        g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++)
            if (**l)
                g_ptr_array_add(names, g_strdup(*l));
    }
    GPtrArray *members = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < names->len; i++) {
        char *m = amgtar_restore_member(g_ptr_array_index(names, i));
        if (!m) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "refusing to restore \"%s\" (empty or with a \"..\" component)",
                        (char *)g_ptr_array_index(names, i));
            g_ptr_array_unref(members);
            return NULL;
        }
        g_ptr_array_add(members, m);
    }
    return members;
}

static int
run_and_wait(GPtrArray *argv, int out_fd, const char *what)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *cmd = amgtar_argv_to_string(argv);
    dbprintf("running %s", cmd);
    pid_t pid = amgtar_spawn((char **)argv->pdata, 0, out_fd, NULL, &err);
    if (pid < 0) {
        fprintf(stderr, "amgtar: %s: %s\n", what, err->message);
        return 1;
    }
    int status;
    g_autofree char *how = NULL;
    amgtar_wait(pid, &status, &how);
    if (status != 0) {
        fprintf(stderr, "amgtar: %s: tar %s\n", what, how);
        return 1;
    }
    return 0;
}

/* The ranges of the image MEMBERS need, from the dump's state file; the
 * whole image when there is no state file or it lacks a path (tar then
 * names what is missing). */
static GArray *
dar_ranges(const AmgtarArgs *a, GPtrArray *members)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *state = NULL;
    gsize len = 0;
    GArray *ranges = NULL;
    if (!a->recover_dump_state_file)
        g_set_error(&err, AMGTAR_DAR_ERROR, AMGTAR_DAR_ERROR_STATE,
                    "no --recover-dump-state-file given");
    else if (members->len &&
             g_file_get_contents(a->recover_dump_state_file, &state, &len, &err))
        ranges = amgtar_dar_ranges(state, (gssize)len, members, &err);
    if (ranges)
        return ranges;
    if (err) {
        fprintf(stderr, "amgtar: restore: %s; reading the whole image\n", err->message);
        dbprintf("dar: %s; reading the whole image", err->message);
    }
    ranges = g_array_new(FALSE, FALSE, sizeof(DarRange));
    DarRange all = { 0, DAR_END_OF_IMAGE };
    g_array_append_val(ranges, all);
    return ranges;
}

/* --dar yes: "DAR start:end" lines on the state stream (fd 3 unless
 * --state-stream says otherwise), closed before tar reads the image. */
static gboolean
report_dar(const AmgtarArgs *a, GPtrArray *members)
{
    int fd = a->state_stream >= 0 ? a->state_stream : 3;
    g_autoptr(GArray) ranges = dar_ranges(a, members);
    g_autofree char *text = amgtar_dar_format(ranges);
    dbprintf("dar: %u range(s):\n%s", ranges->len, text);
    gsize len = strlen(text);
    gboolean ok = full_write(fd, text, len) == (ssize_t)len;
    if (!ok)
        fprintf(stderr, "amgtar: restore: cannot write the DAR ranges to fd %d: %s\n", fd,
                g_strerror(errno));
    close(fd);
    return ok;
}

static int
cmd_restore(const AmgtarArgs *a)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) members = restore_members(a, &err);
    if (!members) {
        fprintf(stderr, "amgtar: restore: %s\n", err->message);
        return 1;
    }
    if (a->dar && !report_dar(a, members))
        return 1;
    g_autofree char *list = NULL;
    if (members->len && !(list = amgtar_write_temp_list(members, FALSE, &err))) {
        fprintf(stderr, "amgtar: restore: %s\n", err->message);
        return 1;
    }
    const char *target = a->target ? a->target : a->directory;
    g_autoptr(GPtrArray) argv = amgtar_argv_restore(a, target, list);
    int rc = run_and_wait(argv, 2, "restore");
    if (list)
        unlink(list);
    return rc;
}

static int
cmd_index(const AmgtarArgs *a)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) argv = amgtar_argv_list(a);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        fprintf(stderr, "amgtar: index: cannot create a pipe: %s\n", g_strerror(errno));
        return 1;
    }
    pid_t pid = amgtar_spawn((char **)argv->pdata, 0, fds[1], NULL, &err);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        fprintf(stderr, "amgtar: index: %s\n", err->message);
        return 1;
    }
    FILE *in = fdopen(fds[0], "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) > 0) {
        if (line[len - 1] == '\n')
            line[len - 1] = '\0';
        g_autofree char *path = amgtar_index_path(line);
        printf("%s\n", path);
    }
    free(line);
    fclose(in);
    int status;
    g_autofree char *how = NULL;
    amgtar_wait(pid, &status, &how);
    if (status != 0)
        fprintf(stderr, "amgtar: index: tar %s\n", how);
    return status != 0 || fflush(stdout) != 0;
}

static int
cmd_validate(const AmgtarArgs *a)
{
    g_autoptr(GPtrArray) argv = amgtar_argv_list(a);
    int rc = run_and_wait(argv, -1, "validate");
    if (rc != 0)
        fprintf(stderr, "amgtar: validate: the image is not a readable tar archive\n");
    return rc;
}

int
main(int argc, char **argv)
{
    g_set_prgname("amgtar");
    amgtar_cloexec_from(3);
    debug_open("client");
    g_autoptr(GError) err = NULL;
    g_autoptr(AmgtarArgs) a = amgtar_args_parse(argc, argv, &err);
    if (!a) {
        fprintf(stderr, "amgtar: %s\n", err->message);
        dbprintf("bad command line: %s", err->message);
        return 2;
    }
    if (a->atime_preserve < 0)
        a->atime_preserve = geteuid() == 0;
    dbprintf("command %s disk %s", argv[1], a->disk ? a->disk : "(none)");
    switch (a->command) {
    case AMGTAR_CMD_SUPPORT: return cmd_support();
    case AMGTAR_CMD_SELFCHECK: return cmd_selfcheck(a);
    case AMGTAR_CMD_ESTIMATE: return amgtar_cmd_estimate(a);
    case AMGTAR_CMD_BACKUP: return amgtar_cmd_backup(a);
    case AMGTAR_CMD_RESTORE: return cmd_restore(a);
    case AMGTAR_CMD_INDEX: return cmd_index(a);
    case AMGTAR_CMD_VALIDATE: return cmd_validate(a);
    }
    return 2;
}
