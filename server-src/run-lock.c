/* run-lock: per-configuration run lock (see the header). */
#include "run-lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct run_lock {
    int fd;
    char *path;
};

static GQuark
lock_quark(void)
{
    return g_quark_from_static_string("run-lock");
}

static run_lock_t *
take(const char *logdir, const char *program, gboolean check_crash, GError **error)
{
    g_autofree char *path = g_build_filename(logdir, "amdump.lock", NULL);
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) {
        g_set_error(error, lock_quark(), 1, "cannot open %s: %s", path, g_strerror(errno));
        return NULL;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char who[128] = "";
        ssize_t n = pread(fd, who, sizeof who - 1, 0);
        who[n > 0 ? n : 0] = '\0';
        g_strchomp(who);
        g_set_error(error, lock_quark(), 2,
                    "another run of this configuration is in progress (%s); wait for it to "
                    "finish (lock %s)", *who ? who : "unknown process", path);
        close(fd);
        return NULL;
    }
    g_autofree char *cur = g_build_filename(logdir, "log", NULL);
    if (check_crash && g_file_test(cur, G_FILE_TEST_IS_SYMLINK)) {
        g_set_error(error, lock_quark(), 3,
                    "an earlier run did not finish (%s exists); run amcleanup on this "
                    "configuration first", cur);
        close(fd);
        return NULL;
    }
    g_autofree char *me = g_strdup_printf("%s pid %d\n", program, (int)getpid());
    /* the lock holds even if the text cannot be written */
    if (ftruncate(fd, 0) == 0 && pwrite(fd, me, strlen(me), 0) < 0) {
        g_debug("cannot write %s", path);
    }
    run_lock_t *l = g_new0(run_lock_t, 1);
    l->fd = fd;
    l->path = g_steal_pointer(&path);
    return l;
}

run_lock_t *
run_lock_take(const char *logdir, const char *program, GError **error)
{
    return take(logdir, program, TRUE, error);
}

run_lock_t *
run_lock_take_any(const char *logdir, const char *program, GError **error)
{
    return take(logdir, program, FALSE, error);
}

void
run_lock_release(run_lock_t *lock)
{
    if (!lock)
        return;
    if (ftruncate(lock->fd, 0) != 0) {
        g_debug("cannot empty %s", lock->path);
    }
    close(lock->fd);
    g_free(lock->path);
    g_free(lock);
}
