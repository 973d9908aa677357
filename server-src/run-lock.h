/* run-lock: one amdump or amflush at a time per configuration.  The lock
 * is an flock on <logdir>/amdump.lock holding the owner's pid and program,
 * so a refused run can say who holds it; a crash releases it by itself.
 * A "log" link left in logdir means an earlier run crashed: runs are
 * refused until amcleanup closed it. */
#ifndef RUN_LOCK_H
#define RUN_LOCK_H

#include <glib.h>

typedef struct run_lock run_lock_t;

/* NULL with ERROR ("another amdump of this configuration is running (pid
 * 1234); wait for it to finish" / "... run amcleanup CONFIG first"). */
run_lock_t *run_lock_take(const char *logdir, const char *program, GError **error);
/* Like run_lock_take but without the crashed-run check (amcleanup). */
run_lock_t *run_lock_take_any(const char *logdir, const char *program, GError **error);
void run_lock_release(run_lock_t *lock);

#endif
