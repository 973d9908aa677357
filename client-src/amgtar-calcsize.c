/* amgtar-calcsize: size of a dump by walking the tree ourselves, for
 * --calcsize estimates.  Counts what GNU tar would write: a 512-byte
 * header per member, file data (allocated blocks only for sparse files)
 * rounded up to 512 bytes for files changed
 * since the base time (every directory is listed in an incremental dump),
 * and the archive padded to tar's 10240-byte records.  Exclude lists are
 * not applied, so the figure errs on the large side. */
#include "config.h"
#include "amgtar-backup.h"

#include <errno.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <fts.h>
#include <string.h>

#define TAR_BLOCK 512
#define TAR_RECORD 10240

static guint64
round_up(guint64 n, guint64 to)
{
    return (n + to - 1) / to * to;
}

static gboolean
before(const struct timespec *t, const struct timespec *base)
{
    return t->tv_sec < base->tv_sec
           || (t->tv_sec == base->tv_sec && t->tv_nsec < base->tv_nsec);
}

/* tar --sparse stores only the allocated data of a sparse file. */
static guint64
data_size(const struct stat *st)
{
    guint64 allocated = (guint64)st->st_blocks * 512;
    guint64 size = (guint64)st->st_size;
    return allocated < size ? allocated : size;
}

static guint64
entry_size(const FTSENT *e, const struct timespec *base)
{
    const struct stat *st = e->fts_statp;
    if (e->fts_info == FTS_D)
        return TAR_BLOCK;
    if (base && before(&st->st_mtim, base) && before(&st->st_ctim, base))
        return 0;
    if (e->fts_info == FTS_F)
        return TAR_BLOCK + round_up(data_size(st), TAR_BLOCK);
    return TAR_BLOCK;
}

gboolean
amgtar_calcsize(const char *dir, const struct timespec *base, gboolean one_fs, guint64 *bytes,
                GError **error)
{
    char *roots[] = { (char *)dir, NULL };
    FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR | (one_fs ? FTS_XDEV : 0), NULL);
    if (!fts) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot walk %s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    guint64 total = 0;
    gboolean root_ok = TRUE;
    for (FTSENT *e; (e = fts_read(fts)) != NULL;) {
        if (e->fts_info == FTS_DP)
            continue;
        if (e->fts_level == 0 && (e->fts_info == FTS_NS || e->fts_info == FTS_DNR
                                  || e->fts_info == FTS_ERR)) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e->fts_errno),
                        "cannot read %s: %s", dir, g_strerror(e->fts_errno));
            root_ok = FALSE;
            break;
        }
        if (e->fts_info != FTS_NS && e->fts_info != FTS_ERR)
            total += entry_size(e, base);
    }
    fts_close(fts);
    /* two zero blocks end the archive */
    *bytes = round_up(total + 2 * TAR_BLOCK, TAR_RECORD);
    return root_ok;
}
