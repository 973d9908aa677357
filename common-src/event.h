/* event: the event library every daemon runs on, built on the GLib main
 * loop (default main context).
 *
 *   EV_READFD   data = fd; fires while the fd is readable (or at EOF/error)
 *   EV_WRITEFD  data = fd; fires while the fd is writable
 *   EV_SIG      data = signal number; fires from the loop, never in signal
 *               context; the signal's previous disposition comes back when
 *               the last handle for it is released
 *   EV_TIME     data = seconds; fires every DATA seconds until released
 *   EV_WAIT     data = any id; fires once per event_wakeup(id) call
 *
 * event_release() may be called from anywhere, including the handle's own
 * callback: the handle is disabled at once and freed when no callback is
 * running on it any more.  Callbacks must not block. */
#ifndef EVENT_H
#define EVENT_H

#include <glib.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum {
    EV_READFD,
    EV_WRITEFD,
    EV_SIG,
    EV_TIME,
    EV_WAIT,
} event_type_t;

typedef intptr_t event_id_t;
typedef void (*event_fn_t)(void *arg);
typedef struct event_handle event_handle_t;

event_handle_t *event_register(event_id_t data, event_type_t type, event_fn_t fn, void *arg);
void event_release(event_handle_t *handle);

/* Same as EV_TIME but with a period in milliseconds (for tests and short
 * protocol timers). */
event_handle_t *event_register_ms(guint period_ms, event_fn_t fn, void *arg);

/* Run until no events (other than EV_WAIT ones) remain; with NONBLOCK, run
 * one pass over whatever is ready now and return. */
void event_loop(int nonblock);
/* Fire every EV_WAIT handle registered on ID; returns how many fired. */
int event_wakeup(event_id_t id);
/* Run the loop until an event_wakeup(ID) happens (or no events remain). */
void event_wait(event_id_t id);

/* Number of live handles, for tests and for loops that need to know. */
int event_count(void);

/* Child watch: FN(pid, wait-status, arg) runs from the loop when PID exits.
 * The returned handle counts as a live event until then. */
typedef void (*event_child_fn_t)(pid_t pid, int status, void *arg);
event_handle_t *event_register_child(pid_t pid, event_child_fn_t fn, void *arg);

#endif
