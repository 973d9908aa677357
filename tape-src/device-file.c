/* device-file: the "file:DIR" vtape device, on disk exactly like AMANDA
 * 3.5's vfs device so that either suite reads the other's volumes:
 *   DIR/00000.<label>                   the label: one 32 KiB header block
 *   DIR/NNNNN.<host>.<disk>.<level>     a dump file: 32 KiB header + data,
 *                                       not padded (numbering from 00001)
 *   DIR/00000-lock                      present (and flock'ed) while writing
 * Host, disk and label have '/', ':' and '\' turned into '_' (blanks and
 * '_' stay), as AMANDA names them.  Files are created mode 0600.  Writes go
 * through a 1 MiB buffer, with writeback started as they go; finish_file
 * makes the file and its name durable. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sync_file_range */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amutil.h"
#include "device.h"

#define WBUF_SIZE (1024 * 1024)
#define LOCK_NAME "00000-lock"

typedef struct {
    int lock_fd;
    int fd;             /* the file being written or read, or -1 */
    char *path;         /* its path */
    char *wbuf;
    gsize wlen;
    off_t wpos;         /* bytes written to fd */
    off_t wb_started;   /* writeback started below this offset */
    off_t wb_waited;    /* and completed below this one */
} FileDev;

/* Writeback pacing.  Left alone, the kernel keeps a whole dump file dirty
 * (its background threshold is a share of RAM) and the fsync at the end of
 * the file waits for all of it at once, with the disk idle meanwhile.  So
 * every WB_STEP written is handed to the disk without waiting, and ranges
 * more than WB_WINDOW behind are waited for (bounding dirty memory) and
 * dropped from the cache (nothing reads a volume file back soon); the final
 * sync finds at most WB_WINDOW + WB_STEP left to write. */
#define WB_STEP ((off_t)8 << 20)
#define WB_WINDOW ((off_t)32 << 20)

static void
writeback_advance(FileDev *f)
{
    if (f->wpos - f->wb_started < WB_STEP)
        return;
    /* errors here are only lost hints: finish_file's fdatasync reports them */
    (void)sync_file_range(f->fd, f->wb_started, f->wpos - f->wb_started, SYNC_FILE_RANGE_WRITE);
    f->wb_started = f->wpos;
    if (f->wb_started - f->wb_waited > WB_WINDOW) {
        off_t upto = f->wb_started - WB_WINDOW;
        (void)sync_file_range(f->fd, f->wb_waited, upto - f->wb_waited,
                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                  SYNC_FILE_RANGE_WAIT_AFTER);
        (void)posix_fadvise(f->fd, f->wb_waited, upto - f->wb_waited, POSIX_FADV_DONTNEED);
        f->wb_waited = upto;
    }
}

typedef struct {
    int num;
    char *name;
    goffset size;
} VolFile;

static FileDev *
fdev(Device *dev)
{
    return dev->priv;
}

static gboolean
file_open(Device *dev, GError **error)
{
    if (dev->node[0] != '/') {
        device_set_error(dev, error, DEVICE_ERR_NAME,
                         "a file device needs an absolute directory, as in file:/vtapes/slot1");
        return FALSE;
    }
    FileDev *f = g_new0(FileDev, 1);
    f->lock_fd = -1;
    f->fd = -1;
    dev->priv = f;
    return TRUE;
}

static void
close_file(FileDev *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    g_clear_pointer(&f->path, g_free);
    f->wlen = 0;
}

static void
file_free(Device *dev)
{
    FileDev *f = fdev(dev);
    if (!f)
        return;
    close_file(f);
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    g_free(f->wbuf);
    g_free(f);
}

static void
volfile_clear(gpointer p)
{
    g_free(((VolFile *)p)->name);
}

static gint
volfile_cmp(gconstpointer a, gconstpointer b)
{
    return ((const VolFile *)a)->num - ((const VolFile *)b)->num;
}

/* NNNNN.* : five digits then a dot. */
static int
file_number(const char *name)
{
    for (int i = 0; i < 5; i++)
        if (!g_ascii_isdigit(name[i]))
            return -1;
    if (name[5] != '.')
        return -1;
    char digits[6];
    memcpy(digits, name, 5);
    digits[5] = '\0';
    return atoi(digits);
}

/* The volume's files, sorted by number; NULL (errno set) if DIR is unreadable. */
static GArray *
list_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    GArray *files = g_array_new(FALSE, TRUE, sizeof(VolFile));
    g_array_set_clear_func(files, volfile_clear);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int num = file_number(e->d_name);
        struct stat st;
        if (num < 0 || fstatat(dirfd(d), e->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        VolFile vf = { num, g_strdup(e->d_name), st.st_size };
        g_array_append_val(files, vf);
    }
    closedir(d);
    g_array_sort(files, volfile_cmp);
    return files;
}

static VolFile *
find_file(GArray *files, int num, gboolean or_next)
{
    for (guint i = 0; i < files->len; i++) {
        VolFile *vf = &g_array_index(files, VolFile, i);
        if (vf->num == num || (or_next && vf->num > num))
            return vf;
    }
    return NULL;
}

static char *
path_of(Device *dev, const char *name)
{
    return g_build_filename(dev->node, name, NULL);
}

/* Read the first 32 KiB of PATH into HDR (fd left open at the data when
 * FD_OUT is given).  On failure *WHY says what is wrong. */
static gboolean
read_header(const char *path, dumpfile_t *hdr, int *fd_out, char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = g_strdup_printf("cannot open %s: %s", path, g_strerror(errno));
        return FALSE;
    }
    g_autofree char *buf = g_malloc(DISK_BLOCK_BYTES);
    ssize_t n = full_read(fd, buf, DISK_BLOCK_BYTES);
    if (n != DISK_BLOCK_BYTES) {
        *why = n < 0 ? g_strdup_printf("cannot read %s: %s", path, g_strerror(errno))
                     : g_strdup_printf("%s is truncated: %zd bytes, a header needs %d",
                                       path, n, DISK_BLOCK_BYTES);
        close(fd);
        return FALSE;
    }
    GError *err = NULL;
    if (!fileheader_parse(buf, DISK_BLOCK_BYTES, hdr, &err)) {
        *why = g_strdup_printf("bad header in %s: %s", path, err->message);
        g_error_free(err);
        close(fd);
        return FALSE;
    }
    if (fd_out) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        *fd_out = fd;
    } else {
        close(fd);
    }
    return TRUE;
}

static DeviceStatusFlags
label_status(Device *dev, DeviceStatusFlags st, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static DeviceStatusFlags
label_status(Device *dev, DeviceStatusFlags st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    device_set_error(dev, NULL, DEVICE_ERR_VOLUME, "%s", msg);
    return st;
}

static DeviceStatusFlags
check_dir(Device *dev)
{
    struct stat st;
    if (stat(dev->node, &st) != 0) {
        DeviceStatusFlags s = DEVICE_STATUS_DEVICE_ERROR;
        if (errno == ENOENT)
            s |= DEVICE_STATUS_VOLUME_MISSING;
        return label_status(dev, s, "vtape directory %s: %s (is the slot loaded? "
                            "create it or fix the changer)", dev->node, g_strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return label_status(dev, DEVICE_STATUS_DEVICE_ERROR,
                            "%s is not a directory", dev->node);
    return DEVICE_STATUS_SUCCESS;
}

static DeviceStatusFlags
file_read_label(Device *dev)
{
    DeviceStatusFlags st = check_dir(dev);
    if (st != DEVICE_STATUS_SUCCESS)
        return st;
    g_autoptr(GArray) files = list_files(dev->node);
    if (!files)
        return label_status(dev, DEVICE_STATUS_DEVICE_ERROR, "cannot read directory %s: %s",
                            dev->node, g_strerror(errno));
    VolFile *lf = find_file(files, 0, FALSE);
    if (!lf)
        return label_status(dev, DEVICE_STATUS_VOLUME_UNLABELED,
                            "no volume label (no 00000.* file in %s): the volume is "
                            "unlabeled; label it first", dev->node);
    if (files->len > 1 && g_array_index(files, VolFile, 1).num == 0)
        return label_status(dev, DEVICE_STATUS_VOLUME_ERROR,
                            "more than one label file 00000.* in %s", dev->node);
    g_autofree char *path = path_of(dev, lf->name);
    g_autofree char *why = NULL;
    if (!read_header(path, &dev->volume_header, NULL, &why))
        return label_status(dev, DEVICE_STATUS_VOLUME_ERROR | DEVICE_STATUS_VOLUME_UNLABELED,
                            "%s", why);
    if (dev->volume_header.type != FILEHEADER_TAPESTART)
        return label_status(dev, DEVICE_STATUS_VOLUME_ERROR | DEVICE_STATUS_VOLUME_UNLABELED,
                            "%s is not an AMANDA volume label (found a %s header)", path,
                            fileheader_type_name(dev->volume_header.type));
    dev->volume_label = g_strdup(dev->volume_header.name);
    dev->volume_time = g_strdup(dev->volume_header.datestamp);
    return DEVICE_STATUS_SUCCESS;
}

static gboolean
take_lock(Device *dev, GError **error)
{
    FileDev *f = fdev(dev);
    g_autofree char *path = path_of(dev, LOCK_NAME);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot create lock file %s: %s", path,
                         g_strerror(errno));
        return FALSE;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        dev->status |= DEVICE_STATUS_DEVICE_BUSY;
        device_set_error(dev, error, e == EWOULDBLOCK ? DEVICE_ERR_BUSY : DEVICE_ERR_IO,
                         "volume is in use by another writer (%s is locked): %s", path,
                         g_strerror(e));
        return FALSE;
    }
    f->lock_fd = fd;
    return TRUE;
}

static void
drop_lock(Device *dev)
{
    FileDev *f = fdev(dev);
    if (f->lock_fd < 0)
        return;
    g_autofree char *path = path_of(dev, LOCK_NAME);
    unlink(path);
    close(f->lock_fd);
    f->lock_fd = -1;
}

/* Delete every NNNNN.* file (the label last, so a crash leaves it labelled
 * rather than holding orphans). */
static gboolean
delete_all(Device *dev, GError **error)
{
    g_autoptr(GArray) files = list_files(dev->node);
    if (!files) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot read directory %s: %s",
                         dev->node, g_strerror(errno));
        return FALSE;
    }
    for (guint i = files->len; i-- > 0;) {
        g_autofree char *path = path_of(dev, g_array_index(files, VolFile, i).name);
        if (unlink(path) != 0 && errno != ENOENT) {
            device_set_error(dev, error, DEVICE_ERR_IO, "cannot delete %s: %s", path,
                             g_strerror(errno));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
write_whole_file(Device *dev, const char *path, const char *buf, gsize len, GError **error)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || full_write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        device_set_error(dev, error, e == ENOSPC ? DEVICE_ERR_EOM : DEVICE_ERR_IO,
                         "cannot write %s: %s", path, g_strerror(e));
        return FALSE;
    }
    if (close(fd) != 0) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot write %s: %s", path,
                         g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
start_write(Device *dev, const char *label_block, GError **error)
{
    if (check_dir(dev) != DEVICE_STATUS_SUCCESS) {
        g_set_error_literal(error, DEVICE_ERR, DEVICE_ERR_VOLUME, dev->errmsg);
        return FALSE;
    }
    if (!take_lock(dev, error))
        return FALSE;
    g_autofree char *fname = sanitise_filename(dev->volume_label);
    g_autofree char *base = g_strdup_printf("00000.%s", fname);
    g_autofree char *path = path_of(dev, base);
    if (!delete_all(dev, error) ||
        !write_whole_file(dev, path, label_block, DISK_BLOCK_BYTES, error)) {
        drop_lock(dev);
        return FALSE;
    }
    dev->file = 0;
    dev->volume_bytes = DISK_BLOCK_BYTES;
    return TRUE;
}

static gboolean
start_existing(Device *dev, DeviceAccessMode mode, GError **error)
{
    if (device_read_label(dev) != DEVICE_STATUS_SUCCESS) {
        g_set_error_literal(error, DEVICE_ERR, DEVICE_ERR_VOLUME, dev->errmsg);
        return FALSE;
    }
    if (mode == DEVICE_MODE_APPEND && !take_lock(dev, error))
        return FALSE;
    g_autoptr(GArray) files = list_files(dev->node);
    if (!files) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot read directory %s: %s",
                         dev->node, g_strerror(errno));
        drop_lock(dev);
        return FALSE;
    }
    dev->volume_bytes = 0;
    for (guint i = 0; i < files->len; i++)
        dev->volume_bytes += g_array_index(files, VolFile, i).size;
    dev->file = 0;
    if (mode == DEVICE_MODE_APPEND && files->len)
        dev->file = g_array_index(files, VolFile, files->len - 1).num;
    return TRUE;
}

static gboolean
file_start(Device *dev, DeviceAccessMode mode, const char *label_block, GError **error)
{
    if (mode == DEVICE_MODE_WRITE)
        return start_write(dev, label_block, error);
    return start_existing(dev, mode, error);
}

/* "00003.host._home_a_b.0": AMANDA's naming, with '/', ':' and '\' as '_'. */
static char *
dump_file_name(int num, const dumpfile_t *hdr)
{
    g_autofree char *host = sanitise_filename(hdr->host ? hdr->host : "");
    g_autofree char *disk = sanitise_filename(hdr->disk ? hdr->disk : "");
    return g_strdup_printf("%05d.%s.%s.%d", num, host, disk, hdr->dumplevel);
}

/* Write out the buffer.  ENOSPC is end of medium (the file stays, partial). */
static gboolean
flush_wbuf(Device *dev, GError **error)
{
    FileDev *f = fdev(dev);
    if (f->wlen == 0)
        return TRUE;
    ssize_t n = full_write(f->fd, f->wbuf, f->wlen);
    gsize len = f->wlen;
    f->wlen = 0;
    if (n == (ssize_t)len) {
        f->wpos += n;
        writeback_advance(f);
        return TRUE;
    }
    int e = n < 0 ? errno : ENOSPC;
    if (e == ENOSPC) {
        dev->is_eom = TRUE;
        device_set_error(dev, error, DEVICE_ERR_EOM,
                         "end of medium: file system full writing %s (%s)", f->path,
                         g_strerror(e));
    } else {
        device_set_error(dev, error, DEVICE_ERR_IO, "write error on %s: %s", f->path,
                         g_strerror(e));
    }
    return FALSE;
}

static gboolean
file_start_file(Device *dev, const char *block, const dumpfile_t *hdr, GError **error)
{
    FileDev *f = fdev(dev);
    int num = dev->file + 1;
    if (num > 99999) {
        device_set_error(dev, error, DEVICE_ERR_EOM, "end of medium: 99999 files on volume");
        return FALSE;
    }
    g_autofree char *name = dump_file_name(num, hdr);
    f->path = path_of(dev, name);
    f->fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (f->fd < 0) {
        device_set_error(dev, error, errno == ENOSPC ? DEVICE_ERR_EOM : DEVICE_ERR_IO,
                         "cannot create %s: %s", f->path, g_strerror(errno));
        g_clear_pointer(&f->path, g_free);
        return FALSE;
    }
    if (!f->wbuf)
        f->wbuf = g_malloc(WBUF_SIZE);
    f->wpos = f->wb_started = f->wb_waited = 0;
    memcpy(f->wbuf, block, DISK_BLOCK_BYTES);
    f->wlen = DISK_BLOCK_BYTES;
    dev->file = num;
    return TRUE;
}

static gboolean
file_write_block(Device *dev, const void *buf, gsize size, GError **error)
{
    FileDev *f = fdev(dev);
    if (f->fd < 0) {
        device_set_error(dev, error, DEVICE_ERR_STATE,
                         "file %d was abandoned after an error", dev->file);
        return FALSE;
    }
    if (f->wlen + size > WBUF_SIZE && !flush_wbuf(dev, error))
        return FALSE;
    if (size >= WBUF_SIZE) {   /* big blocks skip the buffer */
        ssize_t n = full_write(f->fd, buf, size);
        if (n == (ssize_t)size) {
            f->wpos += n;
            writeback_advance(f);
            return TRUE;
        }
        int e = n < 0 ? errno : ENOSPC;
        dev->is_eom = e == ENOSPC;
        device_set_error(dev, error, e == ENOSPC ? DEVICE_ERR_EOM : DEVICE_ERR_IO,
                         "write error on %s: %s", f->path, g_strerror(e));
        return FALSE;
    }
    memcpy(f->wbuf + f->wlen, buf, size);
    f->wlen += size;
    return TRUE;
}

/* fsync directory DIR, so that the names created in it survive a crash. */
static gboolean
sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return FALSE;
    gboolean ok = fsync(fd) == 0;
    int e = errno;
    close(fd);
    errno = e;
    return ok;
}

static gboolean
file_finish_file(Device *dev, GError **error)
{
    FileDev *f = fdev(dev);
    if (f->fd < 0)
        return TRUE;
    gboolean ok = flush_wbuf(dev, error);
    /* The taper logs the part as on the volume once this returns, so the
     * data, the size (fdatasync includes it; times are not needed) and the
     * new name in the directory must all be on disk by then. */
    if (ok && (fdatasync(f->fd) != 0 || !sync_dir(dev->node))) {
        device_set_error(dev, error, errno == ENOSPC ? DEVICE_ERR_EOM : DEVICE_ERR_IO,
                         "cannot sync %s: %s", f->path, g_strerror(errno));
        ok = FALSE;
    }
    if (close(f->fd) != 0 && ok) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot close %s: %s", f->path,
                         g_strerror(errno));
        ok = FALSE;
    }
    f->fd = -1;
    close_file(f);
    return ok;
}

static gboolean
file_seek_file(Device *dev, int file, dumpfile_t *hdr, GError **error)
{
    FileDev *f = fdev(dev);
    close_file(f);
    g_autoptr(GArray) files = list_files(dev->node);
    if (!files) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot read directory %s: %s",
                         dev->node, g_strerror(errno));
        return FALSE;
    }
    VolFile *vf = find_file(files, file, TRUE);
    if (!vf) {
        hdr->type = FILEHEADER_TAPEEND;
        hdr->datestamp = g_strdup(dev->volume_time);
        dev->file = file;
        return TRUE;
    }
    f->path = path_of(dev, vf->name);
    g_autofree char *why = NULL;
    if (!read_header(f->path, hdr, &f->fd, &why)) {
        device_set_error(dev, error, DEVICE_ERR_VOLUME, "%s", why);
        close_file(f);
        return FALSE;
    }
    dev->file = vf->num;
    return TRUE;
}

static gssize
file_read_block(Device *dev, void *buf, gsize size, GError **error)
{
    FileDev *f = fdev(dev);
    if (f->fd < 0)
        return 0;
    ssize_t n = full_read(f->fd, buf, size);
    if (n < 0) {
        device_set_error(dev, error, DEVICE_ERR_IO, "read error on %s: %s", f->path,
                         g_strerror(errno));
        return -1;
    }
    if (n == 0)
        close_file(f);
    return n;
}

/* The data is the file's bytes after the header: seek past them. */
static gboolean
file_skip_bytes(Device *dev, guint64 bytes, guint64 *skipped, GError **error)
{
    FileDev *f = fdev(dev);
    *skipped = 0;
    if (f->fd < 0)
        return TRUE;
    struct stat st;
    off_t here = lseek(f->fd, 0, SEEK_CUR);
    if (here < 0 || fstat(f->fd, &st) != 0) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot seek in %s: %s", f->path,
                         g_strerror(errno));
        return FALSE;
    }
    guint64 left = st.st_size > here ? (guint64)(st.st_size - here) : 0;
    guint64 n = MIN(bytes, left);
    if (lseek(f->fd, here + (off_t)n, SEEK_SET) < 0) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot seek in %s: %s", f->path,
                         g_strerror(errno));
        return FALSE;
    }
    *skipped = n;
    return TRUE;
}

static gboolean
file_finish(Device *dev, G_GNUC_UNUSED GError **error)
{
    close_file(fdev(dev));
    drop_lock(dev);
    return TRUE;
}

static gboolean
file_erase(Device *dev, GError **error)
{
    if (check_dir(dev) != DEVICE_STATUS_SUCCESS) {
        g_set_error_literal(error, DEVICE_ERR, DEVICE_ERR_VOLUME, dev->errmsg);
        return FALSE;
    }
    if (!take_lock(dev, error))
        return FALSE;
    gboolean ok = delete_all(dev, error);
    drop_lock(dev);
    return ok;
}

static gboolean
file_recycle_file(Device *dev, int file, GError **error)
{
    g_autoptr(GArray) files = list_files(dev->node);
    VolFile *vf = files ? find_file(files, file, FALSE) : NULL;
    if (!vf) {
        device_set_error(dev, error, DEVICE_ERR_NO_FILE, "no file %05d on the volume", file);
        return FALSE;
    }
    g_autofree char *path = path_of(dev, vf->name);
    if (unlink(path) != 0) {
        device_set_error(dev, error, DEVICE_ERR_IO, "cannot delete %s: %s", path,
                         g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

const DeviceOps device_file_ops = {
    .type = "file",
    .open = file_open,
    .free = file_free,
    .read_label = file_read_label,
    .start = file_start,
    .start_file = file_start_file,
    .write_block = file_write_block,
    .finish_file = file_finish_file,
    .seek_file = file_seek_file,
    .read_block = file_read_block,
    .skip_bytes = file_skip_bytes,
    .finish = file_finish,
    .erase = file_erase,
    .recycle_file = file_recycle_file,
    .appendable = TRUE,
    .partial_deletion = TRUE,
    .full_deletion = TRUE,
};
