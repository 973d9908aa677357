/* debug: per-program, per-run debug log files. */
#include "config.h"
#include "debug.h"
#include "amanda_paths.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int debug_fd = -1;
static char *debug_path;
static GMutex debug_lock;

const char *
debug_program_name(void)
{
    const char *name = g_get_prgname();
    return name ? name : "amanda";
}

static void
route_glib_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
               gpointer unused)
{
    (void)unused;
    const char *what = (level & G_LOG_LEVEL_ERROR) ? "error"
                     : (level & G_LOG_LEVEL_CRITICAL) ? "critical"
                     : (level & G_LOG_LEVEL_WARNING) ? "warning" : "message";
    debug_printf("%s%s%s: %s", domain ? domain : "", domain ? " " : "", what, message);
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        g_log_default_handler(domain, level, message, NULL);
}

void
debug_open(const char *subdir)
{
    char stamp[15];
    amanda_timestamp(time(NULL), stamp);
    g_autofree char *dir = g_build_filename(amanda_dbgdir(), subdir ? subdir : "", NULL);
    if (!mkdir_p(dir, 0700, NULL))
        return;
    debug_close();
    for (int attempt = 0; attempt < 1000; attempt++) {
        g_autofree char *base = attempt == 0
            ? g_strdup_printf("%s.%s.debug", debug_program_name(), stamp)
            : g_strdup_printf("%s.%s.%03d.debug", debug_program_name(), stamp, attempt);
        char *path = g_build_filename(dir, base, NULL);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
        if (fd >= 0) {
            debug_fd = fd;
            debug_path = path;
            break;
        }
        g_free(path);
        if (errno != EEXIST)
            return;
    }
    g_log_set_default_handler(route_glib_log, NULL);
    debug_printf("pid %ld ruid %ld euid %ld: start at %s", (long)getpid(),
                 (long)getuid(), (long)geteuid(), stamp);
}

void
debug_close(void)
{
    if (debug_fd >= 0) {
        close(debug_fd);
        debug_fd = -1;
    }
    g_clear_pointer(&debug_path, g_free);
}

const char *
debug_filename(void)
{
    return debug_path;
}

void
debug_vprintf(const char *fmt, va_list ap)
{
    int saved_errno = errno;
    struct timeval tv;
    struct tm tm;
    char when[32];
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    size_t len = strlen(msg);
    const char *nl = (len > 0 && msg[len - 1] == '\n') ? "" : "\n";
    g_autofree char *line = g_strdup_printf("%s.%03ld pid %ld: %s: %s%s", when,
                                            (long)(tv.tv_usec / 1000), (long)getpid(),
                                            debug_program_name(), msg, nl);
    g_mutex_lock(&debug_lock);
    if (debug_fd >= 0)
        (void)full_write(debug_fd, line, strlen(line));
    else if (getenv("AMANDA_DEBUG_STDERR"))
        (void)full_write(2, line, strlen(line));
    g_mutex_unlock(&debug_lock);
    errno = saved_errno;
}

void
debug_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    debug_vprintf(fmt, ap);
    va_end(ap);
}

void
am_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    debug_printf("fatal: %s", msg);
    fprintf(stderr, "%s: %s\n", debug_program_name(), msg);
    exit(1);
}
