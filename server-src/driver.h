/* driver: internal interfaces between the driver's parts: driver.c (the
 * schedule and dispatch loop), driver-child.c (running dumpers and the
 * taper as child processes with line results) and driver-hold.c (holding
 * disk space). */
#ifndef DRIVER_H
#define DRIVER_H

#include <glib.h>
#include <sys/types.h>
#include "conf.h"
#include "event.h"

/* ---- child processes ---- */
typedef void (*driver_child_fn)(void *arg, const char *output, int wait_status);
/* Run ARGV (argv[0] a full path) with stdout captured; FN gets everything
 * it printed once it exited.  PASS_FD >= 0 becomes the child's fd 3. */
gboolean driver_spawn(char **argv, int pass_fd, driver_child_fn fn, void *arg, GPid *pid,
                      GError **error);

/* A long-lived child talked to by lines (the taper). */
typedef struct driver_peer driver_peer_t;
typedef void (*driver_line_fn)(void *arg, const char *line); /* NULL line: it exited */
driver_peer_t *driver_peer_start(char **argv, driver_line_fn fn, void *arg, GError **error);
gboolean driver_peer_send(driver_peer_t *p, const char *line);
/* Close its stdin and wait for it to exit; frees P. */
void driver_peer_finish(driver_peer_t *p);

/* ---- holding disks ---- */
typedef struct {
    char *dir;          /* the holding disk directory */
    gint64 free_kb;     /* what we may still use */
    gint64 total_kb;    /* what we could use at the start */
    gint64 chunksize;   /* bytes */
} driver_hdisk_t;

/* The configured holding disks with usable space ("use" and the file
 * system's free space), created if missing. */
GPtrArray *driver_holding_disks(const conf_t *conf);
/* Index of the disk with the most free space that fits NEED_KB while
 * leaving RESERVE_PCT percent of its size free, or -1. */
int driver_holding_pick(GPtrArray *disks, gint64 need_kb, int reserve_pct);

#endif
