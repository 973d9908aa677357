/* sendsize-calc: tree walk for calcsize-style estimates (see header). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client-util.h"
#include "sendsize-calc.h"

typedef struct {
    dev_t dev;
    const GPtrArray *excludes;
    guint64 bytes;
} walk_t;

guint64 sendsize_calc_entry_bytes(guint64 size)
{
    return 512 + (size + 511) / 512 * 512;
}

static gboolean excluded(const walk_t *w, const char *name)
{
    for (guint i = 0; w->excludes && i < w->excludes->len; i++) {
        const char *pat = g_ptr_array_index(w->excludes, i);
        const char *base = strrchr(pat, '/') ? strrchr(pat, '/') + 1 : pat;
        if (fnmatch(base, name, 0) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Walk the directory open at DFD (takes ownership), depth-first. */
static void walk_dir(walk_t *w, int dfd, int depth)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;

    if (!d) {
        close(dfd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || excluded(w, e->d_name))
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        w->bytes += sendsize_calc_entry_bytes(S_ISREG(st.st_mode) ? (guint64)st.st_size : 0);
        if (!S_ISDIR(st.st_mode) || st.st_dev != w->dev || depth > 4096)
            continue;
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0)
            walk_dir(w, sub, depth + 1);
    }
    closedir(d);
}

gboolean sendsize_calc_tree(const char *dir, const dle_t *dle, gint64 *kib, GError **error)
{
    struct stat st;
    walk_t w = { 0 };
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0) {
        g_set_error(error, CLIENT_ERROR, 1, "cannot read %s: %s", dir, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    w.dev = st.st_dev;
    w.excludes = dle->exclude.files;
    w.bytes = sendsize_calc_entry_bytes(0);
    walk_dir(&w, fd, 0);
    *kib = (gint64)((w.bytes + 1023) / 1024);
    return TRUE;
}
