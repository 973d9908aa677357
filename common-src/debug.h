/* debug: the per-program, per-run debug log.
 *
 * debug_open("server") creates DBGDIR/server/PROGRAM.YYYYMMDDhhmmss.debug
 * (DBGDIR from amanda_dbgdir()) and every debug_printf() line goes there
 * with a timestamp, the pid and the program name.  GLib's g_warning() and
 * friends are routed to it too.  Before debug_open, or when the file cannot
 * be created, lines go to stderr only if AMANDA_DEBUG_STDERR is set, so a
 * daemon never writes stray bytes on its socket. */
#ifndef DEBUG_H
#define DEBUG_H

#include <glib.h>

void debug_open(const char *subdir);
void debug_close(void);
/* The file in use, or NULL. */
const char *debug_filename(void);
void debug_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void debug_vprintf(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

/* The name the program logs under (g_get_prgname, or "amanda"). */
const char *debug_program_name(void);

/* Print "PROGRAM: message" on stderr and to the debug log, then exit(1). */
void am_fatal(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;

/* Shorthand used throughout the code. */
#define dbprintf debug_printf

#endif
