/* tapelist: volumes of a configuration (see tapelist.h). */
#include "config.h"
#include "tapelist.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(tapelist-error-quark, tapelist_error)

void
tapelist_entry_free(tapelist_entry_t *e)
{
    if (!e)
        return;
    g_free(e->datestamp);
    g_free(e->label);
    g_free(e->barcode);
    g_free(e->meta);
    g_free(e->pool);
    g_free(e->storage);
    g_free(e->config);
    g_free(e->comment);
    g_free(e);
}

tapelist_t *
tapelist_new(void)
{
    tapelist_t *tl = g_new0(tapelist_t, 1);
    tl->entries = g_ptr_array_new_with_free_func((GDestroyNotify)tapelist_entry_free);
    return tl;
}

void
tapelist_free(tapelist_t *tl)
{
    if (!tl)
        return;
    g_ptr_array_unref(tl->entries);
    g_free(tl);
}

/* ------------------------------------------------------------------ */
/* parsing                                                            */

static gboolean
set_field(tapelist_entry_t *e, const char *w)
{
    static const struct { const char *prefix; gsize off; } fields[] = {
        { "BARCODE:", G_STRUCT_OFFSET(tapelist_entry_t, barcode) },
        { "META:", G_STRUCT_OFFSET(tapelist_entry_t, meta) },
        { "POOL:", G_STRUCT_OFFSET(tapelist_entry_t, pool) },
        { "STORAGE:", G_STRUCT_OFFSET(tapelist_entry_t, storage) },
        { "CONFIG:", G_STRUCT_OFFSET(tapelist_entry_t, config) },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
        if (g_str_has_prefix(w, fields[i].prefix)) {
            char **slot = G_STRUCT_MEMBER_P(e, fields[i].off);
            g_free(*slot);
            *slot = g_strdup(w + strlen(fields[i].prefix));
            return TRUE;
        }
    }
    if (g_str_has_prefix(w, "BLOCKSIZE:")) {
        char *end;
        errno = 0;
        e->blocksize = g_ascii_strtoll(w + 10, &end, 10);
        return errno == 0 && end != w + 10 && *end == '\0' && e->blocksize >= 0;
    }
    if (strcmp(w, "reuse") == 0 || strcmp(w, "no-reuse") == 0) {
        e->reuse = (w[0] == 'r');
        return TRUE;
    }
    return TRUE; /* unknown words of newer versions are ignored */
}

static void
syntax_error(GError **error, const char *name, int lineno, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* "NAME:LINE: what" plus what to do about it. */
static void
syntax_error(GError **error, const char *name, int lineno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, TAPELIST_ERROR, TAPELIST_ERROR_SYNTAX,
                "%s:%d: %s; fix or remove that line (volumes are listed as "
                "\"<timestamp> <label> reuse|no-reuse ...\")",
                name ? name : "tapelist", lineno, msg);
}

static gboolean
check_timestamp(const tapelist_entry_t *e, const char *name, int lineno, GError **error)
{
    for (const char *p = e->datestamp; *p; p++) {
        if (!g_ascii_isdigit(*p)) {
            syntax_error(error, name, lineno, "bad timestamp \"%s\" (digits only, 0 when "
                         "never written)", e->datestamp);
            return FALSE;
        }
    }
    return TRUE;
}

static tapelist_entry_t *
parse_entry(const char *line, const char *name, int lineno, GError **error)
{
    g_autofree char *copy = g_strdup(line);
    char *hash = strchr(copy, '#');
    tapelist_entry_t *e = g_new0(tapelist_entry_t, 1);
    e->reuse = TRUE; /* lines of old versions have no reuse word */
    if (hash) {
        *hash = '\0';
        e->comment = g_strdup(hash + 1);
    }
    for (char *p = copy; *p; p++) /* any blank separates words, as AMANDA reads them */
        if (g_ascii_isspace(*p))
            *p = ' ';
    g_auto(GStrv) w = g_strsplit(copy, " ", -1);
    int n = 0;
    for (char **p = w; *p; p++) {
        if (**p == '\0')
            continue;
        if (n == 0) {
            e->datestamp = g_strdup(*p);
        } else if (n == 1) {
            e->label = g_strdup(*p);
        } else if (!set_field(e, *p)) {
            syntax_error(error, name, lineno, "bad field \"%s\" of volume %s", *p, e->label);
            tapelist_entry_free(e);
            return NULL;
        }
        n++;
    }
    if (n < 2) {
        syntax_error(error, name, lineno, "no label after the timestamp");
        tapelist_entry_free(e);
        return NULL;
    }
    if (!check_timestamp(e, name, lineno, error)) {
        tapelist_entry_free(e);
        return NULL;
    }
    return e;
}

tapelist_t *
tapelist_parse(const char *buf, gsize len, GError **error)
{
    return tapelist_parse_named(buf, len, NULL, error);
}

tapelist_t *
tapelist_parse_named(const char *buf, gsize len, const char *name, GError **error)
{
    g_autoptr(tapelist_t) tl = tapelist_new();
    gsize pos = 0;
    int lineno = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl)
            break; /* torn last line */
        gsize n = (gsize)(nl - (buf + pos));
        lineno++;
        if (memchr(buf + pos, '\0', n)) {
            syntax_error(error, name, lineno, "NUL byte");
            return NULL;
        }
        g_autofree char *line = g_strndup(buf + pos, n);
        pos += n + 1;
        g_strstrip(line);
        if (*line == '\0')
            continue;
        tapelist_entry_t *e = parse_entry(line, name, lineno, error);
        if (!e)
            return NULL;
        g_ptr_array_add(tl->entries, e);
    }
    return g_steal_pointer(&tl);
}

char *
tapelist_format(const tapelist_t *tl)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < tl->entries->len; i++) {
        const tapelist_entry_t *e = g_ptr_array_index(tl->entries, i);
        g_string_append_printf(s, "%s %s %s", e->datestamp, e->label,
                               e->reuse ? "reuse" : "no-reuse");
        if (e->barcode)
            g_string_append_printf(s, " BARCODE:%s", e->barcode);
        if (e->meta)
            g_string_append_printf(s, " META:%s", e->meta);
        if (e->blocksize > 0)
            g_string_append_printf(s, " BLOCKSIZE:%" G_GINT64_FORMAT, e->blocksize);
        if (e->pool)
            g_string_append_printf(s, " POOL:%s", e->pool);
        if (e->storage)
            g_string_append_printf(s, " STORAGE:%s", e->storage);
        if (e->config)
            g_string_append_printf(s, " CONFIG:%s", e->config);
        if (e->comment)
            g_string_append_printf(s, " #%s", e->comment);
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------ */
/* files                                                              */

static gboolean
io_error(GError **error, const char *what, const char *path, int err)
{
    g_set_error(error, TAPELIST_ERROR, TAPELIST_ERROR_IO, "%s %s: %s", what, path,
                g_strerror(err));
    return FALSE;
}

tapelist_t *
tapelist_read(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            g_error_free(err);
            return tapelist_new();
        }
        g_set_error(error, TAPELIST_ERROR, TAPELIST_ERROR_IO, "cannot read tapelist %s: %s",
                    path, err->message);
        g_error_free(err);
        return NULL;
    }
    return tapelist_parse_named(buf, len, path, error);
}

gboolean
tapelist_write(const char *path, const tapelist_t *tl, GError **error)
{
    g_autofree char *text = tapelist_format(tl);
    g_autofree char *tmp = g_strdup_printf("%s.new.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return io_error(error, "cannot create", tmp, errno);
    gsize len = strlen(text);
    ssize_t n = full_write(fd, text, len);
    if (n < 0 || (gsize)n != len || fsync(fd) < 0) {
        int saved = (n >= 0 && (gsize)n != len) ? EIO : errno;
        close(fd);
        unlink(tmp);
        return io_error(error, "cannot write", tmp, saved);
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int saved = errno;
        unlink(tmp);
        return io_error(error, "cannot replace", path, saved);
    }
    g_autofree char *dir = g_path_get_dirname(path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return TRUE;
}

int
tapelist_lock(const char *path, GError **error)
{
    g_autofree char *lock = g_strconcat(path, ".lock", NULL);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        io_error(error, "cannot open", lock, errno);
        return -1;
    }
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    while (fcntl(fd, F_SETLKW, &fl) < 0) {
        if (errno != EINTR) {
            io_error(error, "cannot lock", lock, errno);
            close(fd);
            return -1;
        }
    }
    return fd;
}

void
tapelist_unlock(int fd)
{
    if (fd < 0)
        return;
    struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
    fcntl(fd, F_SETLK, &fl);
    close(fd);
}

/* ------------------------------------------------------------------ */
/* edits                                                              */

static int
index_of(const tapelist_t *tl, const char *label)
{
    for (guint i = 0; i < tl->entries->len; i++) {
        const tapelist_entry_t *e = g_ptr_array_index(tl->entries, i);
        if (strcmp(e->label, label) == 0)
            return (int)i;
    }
    return -1;
}

tapelist_entry_t *
tapelist_lookup_label(const tapelist_t *tl, const char *label)
{
    int i = index_of(tl, label);
    return i < 0 ? NULL : g_ptr_array_index(tl->entries, i);
}

static tapelist_entry_t *
not_found(const char *label, GError **error)
{
    g_set_error(error, TAPELIST_ERROR, TAPELIST_ERROR_NOT_FOUND,
                "volume \"%s\" is not in the tapelist", label);
    return NULL;
}

/* Numeric comparison of digit strings ("0" < "20261125064505"). */
static int
compare_stamps(const char *a, const char *b)
{
    while (*a == '0' && a[1])
        a++;
    while (*b == '0' && b[1])
        b++;
    gsize la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

/* Newest first, and the latest added first among equal timestamps: stock
 * amlabel puts a new "0" volume above the older "0" ones. */
static void
insert_sorted(tapelist_t *tl, tapelist_entry_t *e)
{
    guint i = 0;
    while (i < tl->entries->len) {
        const tapelist_entry_t *o = g_ptr_array_index(tl->entries, i);
        if (compare_stamps(o->datestamp, e->datestamp) <= 0)
            break;
        i++;
    }
    g_ptr_array_insert(tl->entries, (gint)i, e);
}

tapelist_entry_t *
tapelist_add(tapelist_t *tl, const char *datestamp, const char *label, gboolean reuse,
             GError **error)
{
    if (index_of(tl, label) >= 0) {
        g_set_error(error, TAPELIST_ERROR, TAPELIST_ERROR_EXISTS,
                    "volume \"%s\" is already in the tapelist", label);
        return NULL;
    }
    tapelist_entry_t *e = g_new0(tapelist_entry_t, 1);
    e->datestamp = g_strdup(datestamp);
    e->label = g_strdup(label);
    e->reuse = reuse;
    insert_sorted(tl, e);
    return e;
}

static void
replace_str(char **slot, const char *val)
{
    if (!val)
        return;
    g_free(*slot);
    *slot = g_strdup(val);
}

tapelist_entry_t *
tapelist_mark_written(tapelist_t *tl, const char *label, const char *datestamp,
                      const char *pool, const char *storage, const char *config,
                      gint64 blocksize, GError **error)
{
    int i = index_of(tl, label);
    if (i < 0)
        return not_found(label, error);
    tapelist_entry_t *e = g_ptr_array_steal_index(tl->entries, (guint)i);
    replace_str(&e->datestamp, datestamp);
    replace_str(&e->pool, pool);
    replace_str(&e->storage, storage);
    replace_str(&e->config, config);
    if (blocksize > 0)
        e->blocksize = blocksize;
    insert_sorted(tl, e);
    return e;
}

gboolean
tapelist_remove(tapelist_t *tl, const char *label, GError **error)
{
    int i = index_of(tl, label);
    if (i < 0)
        return not_found(label, error) != NULL;
    g_ptr_array_remove_index(tl->entries, (guint)i);
    return TRUE;
}

gboolean
tapelist_set_reuse(tapelist_t *tl, const char *label, gboolean reuse, GError **error)
{
    tapelist_entry_t *e = tapelist_lookup_label(tl, label);
    if (!e)
        return not_found(label, error) != NULL;
    e->reuse = reuse;
    return TRUE;
}

tapelist_entry_t *
tapelist_oldest_reusable(const tapelist_t *tl, int tapecycle, const char *labelstr,
                         GError **error)
{
    g_autoptr(GRegex) re = NULL;
    if (labelstr) {
        GError *err = NULL;
        re = g_regex_new(labelstr, G_REGEX_OPTIMIZE, 0, &err);
        if (!re) {
            g_set_error(error, TAPELIST_ERROR, TAPELIST_ERROR_REGEX,
                        "labelstr \"%s\" is not a valid regular expression: %s", labelstr,
                        err->message);
            g_error_free(err);
            return NULL;
        }
    }
    int count = 0;
    tapelist_entry_t *oldest = NULL;
    for (guint i = 0; i < tl->entries->len; i++) {
        tapelist_entry_t *e = g_ptr_array_index(tl->entries, i);
        if (!e->reuse || compare_stamps(e->datestamp, "0") == 0)
            continue;
        if (re && !g_regex_match(re, e->label, 0, NULL))
            continue;
        count++;
        oldest = e; /* the list is newest first */
    }
    return count >= tapecycle ? oldest : NULL;
}

gboolean
tapelist_is_reusable(const tapelist_t *tl, const char *label, int tapecycle,
                     const char *labelstr)
{
    const tapelist_entry_t *e = tapelist_lookup_label(tl, label);
    if (!e || !e->reuse)
        return FALSE;
    if (compare_stamps(e->datestamp, "0") == 0)
        return TRUE;
    return tapelist_oldest_reusable(tl, tapecycle, labelstr, NULL) == e;
}
