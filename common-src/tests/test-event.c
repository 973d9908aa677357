/* Unit tests for the event library: each event type fires when it should,
 * release from inside a callback is safe, the non-blocking pass returns. */
#include "config.h"
#include "event.h"

#include <glib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib-unix.h>

typedef struct {
    int fired;
    int limit;
    event_handle_t *self;
    int fd;
} counter_t;

static void
count_and_release_at_limit(void *arg)
{
    counter_t *c = arg;
    c->fired++;
    if (c->fired >= c->limit)
        event_release(c->self);
}

static void
read_one_byte_then_release(void *arg)
{
    counter_t *c = arg;
    char b;
    g_assert_cmpint(read(c->fd, &b, 1), ==, 1);
    g_assert_cmpint(b, ==, 'x');
    c->fired++;
    event_release(c->self);
}

static void
test_readfd(void)
{
    int p[2];
    g_assert_true(g_unix_open_pipe(p, FD_CLOEXEC, NULL));
    counter_t c = { .fd = p[0] };
    c.self = event_register(p[0], EV_READFD, read_one_byte_then_release, &c);
    event_loop(1);
    g_assert_cmpint(c.fired, ==, 0);          /* nothing to read yet */
    g_assert_cmpint(write(p[1], "x", 1), ==, 1);
    event_loop(0);                            /* returns once released */
    g_assert_cmpint(c.fired, ==, 1);
    g_assert_cmpint(event_count(), ==, 0);
    close(p[0]);
    close(p[1]);
}

static void
test_writefd(void)
{
    int p[2];
    g_assert_true(g_unix_open_pipe(p, FD_CLOEXEC, NULL));
    counter_t c = { .limit = 3 };
    c.self = event_register(p[1], EV_WRITEFD, count_and_release_at_limit, &c);
    event_loop(0);
    g_assert_cmpint(c.fired, ==, 3);          /* fires while writable, stops on release */
    close(p[0]);
    close(p[1]);
}

static void
test_time_repeats(void)
{
    counter_t c = { .limit = 3 };
    gint64 start = g_get_monotonic_time();
    c.self = event_register_ms(20, count_and_release_at_limit, &c);
    event_loop(0);
    g_assert_cmpint(c.fired, ==, 3);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 55 * 1000);
}

static void
test_time_seconds(void)
{
    counter_t c = { .limit = 1 };
    gint64 start = g_get_monotonic_time();
    c.self = event_register(1, EV_TIME, count_and_release_at_limit, &c);
    event_loop(0);
    g_assert_cmpint(c.fired, ==, 1);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 990 * 1000);
}

static volatile sig_atomic_t in_signal_context;

static void
sig_callback(void *arg)
{
    counter_t *c = arg;
    /* if this ran inside the handler, a flag set around raise() would show */
    g_assert_cmpint(in_signal_context, ==, 0);
    c->fired++;
    event_release(c->self);
}

static void
test_signal(void)
{
    counter_t c = { 0 };
    c.self = event_register(SIGUSR1, EV_SIG, sig_callback, &c);
    in_signal_context = 1;
    raise(SIGUSR1);
    in_signal_context = 0;
    g_assert_cmpint(c.fired, ==, 0);          /* not delivered in signal context */
    event_loop(0);
    g_assert_cmpint(c.fired, ==, 1);
    /* released: the default disposition is back (ignored here to test it) */
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    g_assert_true(sa.sa_handler == SIG_DFL);
}

static void
wait_cb(void *arg)
{
    (*(int *)arg)++;
}

static void
test_wait_wakeup(void)
{
    int a = 0, b = 0, other = 0;
    event_handle_t *h1 = event_register(42, EV_WAIT, wait_cb, &a);
    event_handle_t *h2 = event_register(42, EV_WAIT, wait_cb, &b);
    event_handle_t *h3 = event_register(43, EV_WAIT, wait_cb, &other);
    g_assert_cmpint(event_wakeup(42), ==, 2);
    g_assert_cmpint(event_wakeup(42), ==, 2);
    g_assert_cmpint(a, ==, 2);
    g_assert_cmpint(b, ==, 2);
    g_assert_cmpint(other, ==, 0);
    event_release(h2);
    g_assert_cmpint(event_wakeup(42), ==, 1);
    g_assert_cmpint(event_wakeup(99), ==, 0);
    event_release(h1);
    event_release(h3);
    g_assert_cmpint(event_count(), ==, 0);
}

typedef struct {
    event_handle_t *victim;
    int victim_fired;
} releaser_t;

static void
release_other(void *arg)
{
    releaser_t *r = arg;
    event_release(r->victim);
}

static void
victim_cb(void *arg)
{
    ((releaser_t *)arg)->victim_fired++;
}

static void
test_release_other_during_wakeup(void)
{
    releaser_t r = { 0 };
    event_handle_t *first = event_register(7, EV_WAIT, release_other, &r);
    r.victim = event_register(7, EV_WAIT, victim_cb, &r);
    /* handles fire in registration order: the victim is released first */
    g_assert_cmpint(event_wakeup(7), ==, 1);
    g_assert_cmpint(r.victim_fired, ==, 0);
    event_release(first);
}

static void
wakeup_later(void *arg)
{
    counter_t *c = arg;
    event_release(c->self);
    event_wakeup(1234);
}

static void
test_event_wait(void)
{
    counter_t c = { 0 };
    c.self = event_register_ms(10, wakeup_later, &c);
    event_wait(1234);
    g_assert_cmpint(event_count(), ==, 0);
}

static void
test_nonblock_returns(void)
{
    counter_t c = { .limit = 1 };
    c.self = event_register(60, EV_TIME, count_and_release_at_limit, &c);
    gint64 start = g_get_monotonic_time();
    event_loop(1);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 500 * 1000);
    g_assert_cmpint(c.fired, ==, 0);
    event_release(c.self);
}

static void
child_done(pid_t pid, int status, void *arg)
{
    (void)pid;
    *(int *)arg = status;
}

static void
test_child(void)
{
    int status = -1;
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    event_register_child(pid, child_done, &status);
    event_loop(0);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 3);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/event/readfd", test_readfd);
    g_test_add_func("/event/writefd", test_writefd);
    g_test_add_func("/event/time-repeats", test_time_repeats);
    g_test_add_func("/event/time-seconds", test_time_seconds);
    g_test_add_func("/event/signal", test_signal);
    g_test_add_func("/event/wait-wakeup", test_wait_wakeup);
    g_test_add_func("/event/release-other-during-wakeup", test_release_other_during_wakeup);
    g_test_add_func("/event/event-wait", test_event_wait);
    g_test_add_func("/event/nonblock-returns", test_nonblock_returns);
    g_test_add_func("/event/child", test_child);
    return g_test_run();
}
