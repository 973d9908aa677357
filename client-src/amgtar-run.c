/* amgtar-run: processes, snapshots and temp lists (see amgtar-run.h). */
#include "config.h"
#include "amgtar-run.h"
#include "amanda_paths.h"
#include "amutil.h"
#include "debug.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

G_DEFINE_QUARK(amgtar-run-error-quark, amgtar_run_error)
#define RUN_ERROR amgtar_run_error_quark()

void
amgtar_cloexec_from(int first_fd)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        for (int fd = first_fd; fd < 1024; fd++)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        return;
    }
    int self = dirfd(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        int fd = atoi(e->d_name);
        if (fd >= first_fd && fd != self)
            fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(d);
}

/* Our environment minus locale settings, plus LC_ALL=C. */
static GPtrArray *
c_locale_env(void)
{
    GPtrArray *env = g_ptr_array_new();
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "LC_", 3) && strncmp(*e, "LANG=", 5) && strncmp(*e, "LANGUAGE=", 9))
            g_ptr_array_add(env, *e);
    g_ptr_array_add(env, "LC_ALL=C");
    g_ptr_array_add(env, NULL);
    return env;
}

pid_t
amgtar_spawn(char *const *argv, int in_fd, int out_fd, int *err_fd, GError **error)
{
    int pipefd[2] = { -1, -1 };
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (err_fd && pipe2(pipefd, O_CLOEXEC) != 0) {
        g_set_error(error, RUN_ERROR, errno, "cannot create a pipe: %s", g_strerror(errno));
        close(devnull);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_fd >= 0 ? in_fd : devnull, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd >= 0 ? out_fd : devnull, 1);
    if (err_fd)
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    g_autoptr(GPtrArray) env = c_locale_env();
    pid_t pid;
    int rc = strchr(argv[0], '/')
        ? posix_spawn(&pid, argv[0], &fa, NULL, argv, (char **)env->pdata)
        : posix_spawnp(&pid, argv[0], &fa, NULL, argv, (char **)env->pdata);
    posix_spawn_file_actions_destroy(&fa);
    close(devnull);
    if (err_fd)
        close(pipefd[1]);
    if (rc != 0) {
        if (err_fd)
            close(pipefd[0]);
        g_set_error(error, RUN_ERROR, rc, "cannot run %s: %s", argv[0], g_strerror(rc));
        return -1;
    }
    if (err_fd)
        *err_fd = pipefd[0];
    return pid;
}

void
amgtar_wait(pid_t pid, int *status, char **what)
{
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (WIFSIGNALED(ws)) {
        *status = 128 + WTERMSIG(ws);
        if (what)
            *what = g_strdup_printf("killed by signal %d", WTERMSIG(ws));
        return;
    }
    *status = WEXITSTATUS(ws);
    if (what)
        *what = g_strdup_printf("exited with status %d", *status);
}

char *
amgtar_helper_path(void)
{
    if (geteuid() == 0)
        return NULL;
    g_autofree char *path = g_build_filename(amanda_libexec_dir(), "amgtar-runtar", NULL);
    struct stat st;
    if (stat(path, &st) != 0 || st.st_uid != 0 || !(st.st_mode & S_ISUID))
        return NULL;
    return g_steal_pointer(&path);
}

char *
amgtar_helper_incompatible(const AmgtarArgs *a)
{
    if (a->gnutar_path && strcmp(a->gnutar_path, GNUTAR_PATH) != 0)
        return g_strdup("property GNUTAR-PATH");
    if (strcmp(amgtar_listdir(a), GNUTAR_LISTDIR_DEFAULT) != 0)
        return g_strdup("a GNUTAR-LISTDIR other than " GNUTAR_LISTDIR_DEFAULT);
    if (a->include_file->len || a->include_list->len)
        return g_strdup("include lists");
    if (a->exclude_file->len || a->exclude_list->len)
        return g_strdup("exclude lists");
    if (!a->one_file_system || !a->sparse || a->atime_preserve > 0)
        return g_strdup("ONE-FILE-SYSTEM no, SPARSE no or ATIME-PRESERVE yes");
    if (a->acls || a->selinux || a->xattrs)
        return g_strdup("ACLS, SELINUX or XATTRS");
    if (!a->config || !a->host)
        return g_strdup("a missing --config or --host");
    return NULL;
}

GPtrArray *
amgtar_helper_argv(const char *helper, const char *op, const AmgtarArgs *a, int level)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(argv, g_strdup(helper));
    /* the helper knows CHECK-DEVICE only as its operation's name */
    g_ptr_array_add(argv, a->check_device ? g_strdup(op) : g_strconcat(op, "-no-check-device", NULL));
    g_ptr_array_add(argv, g_strdup(a->config));
    g_ptr_array_add(argv, g_strdup(a->host));
    g_ptr_array_add(argv, g_strdup(amgtar_args_dir(a)));
    g_ptr_array_add(argv, g_strdup_printf("%d", level));
    g_ptr_array_add(argv, NULL);
    return argv;
}

const char *
amgtar_listdir(const AmgtarArgs *a)
{
    return a->gnutar_listdir ? a->gnutar_listdir : amanda_gnutar_listdir();
}

/* Copy SRC (NULL: nothing) to a freshly created DST. */
static gboolean
copy_snapshot(const char *src, const char *dst, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    if (src && !g_file_get_contents(src, &data, &len, error))
        return FALSE;
    if (unlink(dst) != 0 && errno != ENOENT) {
        g_set_error(error, RUN_ERROR, errno, "cannot remove %s: %s", dst, g_strerror(errno));
        return FALSE;
    }
    int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || (len && full_write(fd, data, len) != (ssize_t)len) || close(fd) != 0) {
        g_set_error(error, RUN_ERROR, errno, "cannot write %s: %s", dst, g_strerror(errno));
        if (fd >= 0)
            unlink(dst);
        return FALSE;
    }
    return TRUE;
}

char *
amgtar_snapshot_prepare(const AmgtarArgs *a, int level, const char *suffix,
                        char **note, GError **error)
{
    const char *listdir = amgtar_listdir(a);
    if (!mkdir_p(listdir, 0700, error))
        return NULL;
    g_autofree char *base = NULL;
    for (int lower = level - 1; lower >= 0 && !base; lower--) {
        g_autofree char *p = amgtar_snapshot_path(listdir, a->host, a->disk, lower);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
            base = g_steal_pointer(&p);
    }
    if (level > 0 && !base && note)
        *note = g_strdup_printf("no snapshot of a level below %d in %s: dumping everything",
                                level, listdir);
    g_autofree char *levelpath = amgtar_snapshot_path(listdir, a->host, a->disk, level);
    char *path = g_strconcat(levelpath, suffix, NULL);
    if (!copy_snapshot(base, path, error)) {
        g_free(path);
        return NULL;
    }
    dbprintf("snapshot %s from %s", path, base ? base : "(empty)");
    return path;
}

gboolean
amgtar_snapshot_commit(const AmgtarArgs *a, int level, GError **error)
{
    const char *listdir = amgtar_listdir(a);
    g_autofree char *final = amgtar_snapshot_path(listdir, a->host, a->disk, level);
    g_autofree char *fresh = g_strconcat(final, ".new", NULL);
    if (rename(fresh, final) != 0) {
        g_set_error(error, RUN_ERROR, errno, "cannot rename %s to %s: %s",
                    fresh, final, g_strerror(errno));
        return FALSE;
    }
    for (int higher = level + 1; higher <= AMGTAR_MAX_LEVEL; higher++) {
        g_autofree char *p = amgtar_snapshot_path(listdir, a->host, a->disk, higher);
        unlink(p);
    }
    return TRUE;
}

gboolean
amgtar_snapshot_time(const char *path, struct timespec *when)
{
    char buf[128];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    ssize_t n = full_read(fd, buf, sizeof buf - 1);
    close(fd);
    *when = st.st_mtim;
    if (n <= 0)
        return TRUE;
    buf[n] = '\0';
    /* format 2: "GNU tar-VERSION-2\n" then "SECONDS\0NANOSECONDS\0" */
    char *nl = strchr(buf, '\n');
    if (nl && strncmp(buf, "GNU tar-", 8) == 0 && g_ascii_isdigit(nl[1])) {
        char *sec = nl + 1, *nsec = sec + strlen(sec) + 1;
        when->tv_sec = (time_t)g_ascii_strtoll(sec, NULL, 10);
        when->tv_nsec = nsec < buf + n ? (long)g_ascii_strtoll(nsec, NULL, 10) : 0;
    }
    return TRUE;
}
