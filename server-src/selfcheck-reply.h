/* selfcheck-reply: the messages of a client's selfcheck reply.
 *
 * Two forms exist: the classic one, one "OK text" / "ERROR text" line
 * each, and AMANDA 3.5's "MESSAGE JSON" followed by message objects
 *   { "severity" : "error", "message" : "can not stat '/x': ...", ... }
 * separated by commas (3.5.1 sends them without an enclosing array).
 * The parser is a pure function over the reply body; it needs only the
 * string members of each outermost object. */
#ifndef SELFCHECK_REPLY_H
#define SELFCHECK_REPLY_H

#include <glib.h>

/* SEVERITY: "error", "warning", "info", ... (classic lines: "error" for
 * ERROR, "info" for OK).  Called once per message, in order. */
typedef void (*selfcheck_msg_fn)(const char *severity, const char *message, void *arg);

void selfcheck_reply_parse(const char *body, selfcheck_msg_fn fn, void *arg);

#endif
