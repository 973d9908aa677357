/* amutil: complete reads/writes, quoting, name sanitising. */
#include "config.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>

static void
wait_fd(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events, .revents = 0 };
    (void)poll(&p, 1, -1);
}

ssize_t
full_read(int fd, void *buf, size_t count)
{
    size_t done = 0;
    while (done < count) {
        ssize_t n = read(fd, (char *)buf + done, count - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n == 0) {
            break;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_fd(fd, POLLIN);
        } else {
            return done > 0 ? (ssize_t)done : -1;
        }
    }
    return (ssize_t)done;
}

ssize_t
full_write(int fd, const void *buf, size_t count)
{
    size_t done = 0;
    while (done < count) {
        ssize_t n = write(fd, (const char *)buf + done, count - done);
        if (n >= 0) {
            done += (size_t)n;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            wait_fd(fd, POLLOUT);
        } else {
            return -1;
        }
    }
    return (ssize_t)done;
}

static gboolean
needs_quoting(const char *s)
{
    if (*s == '\0')
        return TRUE;
    /* as AMANDA 3.5.1 (checked through its Amanda::Util::quote_string):
     * ':' and '\'' quote too, and so does every byte from 0x7f up */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= ' ' || *p == '"' || *p == '\\' || *p == ':' || *p == '\'' || *p >= 0x7f)
            return TRUE;
    }
    return FALSE;
}

char *
quote_string_always(const char *s)
{
    GString *out = g_string_sized_new(strlen(s) + 8);
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\\': g_string_append(out, "\\\\"); break;
        case '"':  g_string_append(out, "\\\""); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\t': g_string_append(out, "\\t"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\f': g_string_append(out, "\\f"); break;
        default:
            if (*p < ' ' || *p == 0x7f)
                g_string_append_printf(out, "\\%03o", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
    return g_string_free(out, FALSE);
}

char *
quote_string(const char *s)
{
    if (s == NULL)
        return g_strdup("\"\"");
    return needs_quoting(s) ? quote_string_always(s) : g_strdup(s);
}

/* Decode one escape after a backslash; *P points at the escaped char and is
 * advanced past it. */
static void
append_escape(GString *out, const char **p)
{
    const char *c = *p;
    switch (*c) {
    case 'n': g_string_append_c(out, '\n'); break;
    case 't': g_string_append_c(out, '\t'); break;
    case 'r': g_string_append_c(out, '\r'); break;
    case 'f': g_string_append_c(out, '\f'); break;
    case '\0': g_string_append_c(out, '\\'); *p = c; return;
    default:
        if (*c >= '0' && *c <= '7') {
            int value = 0, digits = 0;
            while (digits < 3 && *c >= '0' && *c <= '7') {
                value = value * 8 + (*c - '0');
                c++;
                digits++;
            }
            g_string_append_c(out, (char)value);
            *p = c;
            return;
        }
        g_string_append_c(out, *c);
    }
    *p = c + 1;
}

char *
unquote_string(const char *s)
{
    if (s == NULL)
        return NULL;
    GString *out = g_string_sized_new(strlen(s));
    const char *p = s;
    while (*p) {
        if (*p == '"') {
            p++;
        } else if (*p == '\\') {
            p++;
            append_escape(out, &p);
        } else {
            g_string_append_c(out, *p++);
        }
    }
    return g_string_free(out, FALSE);
}

char *
next_quoted_token(const char **cursor)
{
    const char *p = *cursor;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    if (*p == '\0') {
        *cursor = p;
        return NULL;
    }
    GString *tok = g_string_new(NULL);
    gboolean in_quotes = FALSE;
    while (*p) {
        if (!in_quotes && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            break;
        if (*p == '"') {
            in_quotes = !in_quotes;
            p++;
        } else if (*p == '\\' && in_quotes) {
            p++;
            append_escape(tok, &p);
        } else {
            g_string_append_c(tok, *p++);
        }
    }
    *cursor = p;
    return g_string_free(tok, FALSE);
}

char **
split_quoted_strings(const char *line)
{
    GPtrArray *parts = g_ptr_array_new();
    const char *cursor = line ? line : "";
    char *tok;
    while ((tok = next_quoted_token(&cursor)) != NULL)
        g_ptr_array_add(parts, tok);
    g_ptr_array_add(parts, NULL);
    return (char **)g_ptr_array_free(parts, FALSE);
}

char *
sanitise_filename(const char *name)
{
    char *out = g_strdup(name);
    for (char *p = out; *p; p++) {
        if (*p == '/' || *p == ':' || *p == '\\')
            *p = '_';
    }
    return out;
}

void
amanda_timestamp(time_t when, char out[15])
{
    struct tm tm;
    localtime_r(&when, &tm);
    strftime(out, 15, "%Y%m%d%H%M%S", &tm);
}

gboolean
mkdir_p(const char *dir, int mode, GError **error)
{
    if (g_mkdir_with_parents(dir, mode) == 0)
        return TRUE;
    int saved = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved),
                "cannot create directory %s: %s", dir, g_strerror(saved));
    return FALSE;
}

gboolean
write_file_or_device(const char *path, const void *data, gsize len, GError **error)
{
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
        return g_file_set_contents(path, data, (gssize)len, error);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    int saved = errno;
    gboolean ok = fd >= 0 && full_write(fd, data, len) == (ssize_t)len;
    if (fd >= 0) {
        saved = errno;
        if (close(fd) != 0 && ok) {
            saved = errno;
            ok = FALSE;
        }
    }
    if (!ok)
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot write %s: %s",
                    path, g_strerror(saved));
    return ok;
}

gboolean
pipe_grow(int fd)
{
#ifdef F_SETPIPE_SZ
    int size = fcntl(fd, F_GETPIPE_SZ);
    if (size > 0 && size < PIPE_GROW_BYTES && fcntl(fd, F_SETPIPE_SZ, PIPE_GROW_BYTES) < 0)
        return FALSE;
#else
    (void)fd;
#endif
    return TRUE;
}
