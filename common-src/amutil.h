/* amutil: small helpers every program needs: complete reads and writes,
 * AMANDA's string quoting (the form used in log files, driver commands,
 * tape headers and disklists), and file-name sanitising. */
#ifndef AMUTIL_H
#define AMUTIL_H

#include <glib.h>
#include <sys/types.h>

/* Read or write exactly COUNT bytes unless EOF or an error comes first.
 * EINTR is retried; EAGAIN on a non-blocking fd waits with poll().
 * Returns the bytes transferred (short only at EOF) or -1 with errno set. */
ssize_t full_read(int fd, void *buf, size_t count);
ssize_t full_write(int fd, const void *buf, size_t count);

/* Quote S if it is empty or holds a blank, a double quote, a backslash or
 * a control character: the result is wrapped in double quotes, with
 * \\ \" \n \t \r \f and \ooo (octal) escapes.  Otherwise a plain copy. */
char *quote_string(const char *s);
/* Always wrap in double quotes (same escapes). */
char *quote_string_always(const char *s);
/* Inverse of quote_string: strips one level of quotes and escapes.
 * Unquoted input is returned as is.  Never fails; a dangling backslash or
 * an unterminated quote keeps what was read. */
char *unquote_string(const char *s);
/* Split a line on blanks, honouring double quotes and escapes inside them;
 * each returned token is unquoted.  Never returns NULL.  Free with
 * g_strfreev. */
char **split_quoted_strings(const char *line);
/* Like strtok on blanks with quotes: returns the next token (unquoted,
 * newly allocated) from *CURSOR and advances it, or NULL at end. */
char *next_quoted_token(const char **cursor);

/* Replace '/', ':' and '\\' by '_' so a host or disk name can be part of a
 * file name (holding files, vtape files, curinfo and index directories). */
char *sanitise_filename(const char *name);

/* YYYYMMDDhhmmss of the given time (local time), into a 15-byte buffer. */
void amanda_timestamp(time_t when, char out[15]);

/* Create DIR and its parents with MODE; TRUE if it exists afterwards. */
gboolean mkdir_p(const char *dir, int mode, GError **error);

/* Write LEN bytes to PATH: a regular or new file is replaced atomically
 * (g_file_set_contents); a device, fifo or a link to one (/dev/stdout) is
 * written in place -- renaming over /dev/stdout replaced the link itself
 * when run as root. */
gboolean write_file_or_device(const char *path, const void *data, gsize len, GError **error);

/* Raise pipe FD's capacity to PIPE_GROW_BYTES when it is smaller, so big
 * images move in big chunks and the two ends wake each other less often.
 * FALSE (errno set) only when FD is a pipe that could not be grown; any
 * other descriptor is left alone. */
#define PIPE_GROW_BYTES (1024 * 1024)
gboolean pipe_grow(int fd);

#endif
