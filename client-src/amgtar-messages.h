/* amgtar-messages: sorting GNU tar's diagnostics into NORMAL (shown as
 * "| line"), IGNORE (dropped) and STRANGE ("? line", flags the dump).
 *
 * Built-in patterns cover what tar says during a healthy incremental dump;
 * the NORMAL, IGNORE and STRANGE properties add POSIX extended regexes that
 * are tried first, in that order.  Anything unmatched is STRANGE. */
#ifndef AMGTAR_MESSAGES_H
#define AMGTAR_MESSAGES_H

#include <glib.h>

typedef enum {
    AMGTAR_MSG_NORMAL,
    AMGTAR_MSG_IGNORE,
    AMGTAR_MSG_STRANGE,
} AmgtarMsgClass;

typedef struct AmgtarClassifier AmgtarClassifier;

/* Compile the user patterns (any array may be NULL).  NULL with ERROR
 * naming the bad regex. */
AmgtarClassifier *amgtar_classifier_new(GPtrArray *normal, GPtrArray *ignore,
                                        GPtrArray *strange, GError **error);
void amgtar_classifier_free(AmgtarClassifier *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AmgtarClassifier, amgtar_classifier_free)

AmgtarMsgClass amgtar_classify(const AmgtarClassifier *c, const char *line);

/* "Total bytes written: 10240 (10KiB, 12MiB/s)" -> 10240; FALSE otherwise. */
gboolean amgtar_parse_total_bytes(const char *line, guint64 *bytes);

#endif
