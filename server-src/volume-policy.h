/* volume-policy: which volumes a configuration may write, and in what order.
 *
 * The rules amlabel, amcheck, amadmin and the taper share, as plain
 * functions over a volume_policy_t (built from amanda.conf) and the
 * tapelist:
 *   - a label is acceptable when it matches labelstr (an extended POSIX
 *     regex, unanchored as in AMANDA), or, with "labelstr match-autolabel",
 *     the autolabel template ("$c-%%%", "DailySet1-%%%");
 *   - a written volume may be overwritten when it is marked reuse, at
 *     least tapecycle-1 newer written reuse volumes exist, and it does not
 *     hold the only copy of an active dump (see volume_policy_active_labels);
 *     a labelled volume never written ("0" in the tapelist) is always usable;
 *   - the next autolabel label is the template with its number one past
 *     the highest used;
 *   - the taper prefers the oldest usable volume (never-written ones
 *     first), then new or foreign volumes that autolabel may label. */
#ifndef VOLUME_POLICY_H
#define VOLUME_POLICY_H

#include <glib.h>
#include "conf.h"
#include "tapelist.h"
#include "find.h"

#define VOLUME_POLICY_ERROR (volume_policy_error_quark())
GQuark volume_policy_error_quark(void);
typedef enum {
    VOLUME_POLICY_ERROR_LABEL,     /* label does not fit labelstr/autolabel */
    VOLUME_POLICY_ERROR_REGEX,     /* labelstr does not compile */
    VOLUME_POLICY_ERROR_TEMPLATE,  /* autolabel template unusable */
    VOLUME_POLICY_ERROR_EXHAUSTED, /* every number of the template is used */
} volume_policy_error_t;

typedef struct volume_policy volume_policy_t;

/* LABELSTR NULL with MATCH_AUTOLABEL FALSE accepts any label.  AUTOLABEL
 * (may be NULL) is the template; WHEN its AL_* condition bits (conf.h).
 * CONFIG_NAME and ORG fill $c and $o.  NULL + error when labelstr (or the
 * template turned into a regex) does not compile. */
volume_policy_t *volume_policy_new(const char *labelstr, gboolean match_autolabel,
                                   const char *autolabel, guint when, int tapecycle,
                                   const char *config_name, const char *org,
                                   GError **error);
/* From a loaded config's labelstr, autolabel, tapecycle, org. */
volume_policy_t *volume_policy_from_conf(const conf_t *conf, GError **error);
void volume_policy_free(volume_policy_t *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(volume_policy_t, volume_policy_free)

int volume_policy_tapecycle(const volume_policy_t *p);
/* The regex labels are checked against, for messages. */
const char *volume_policy_labelstr(const volume_policy_t *p);
gboolean volume_policy_has_autolabel(const volume_policy_t *p);
guint volume_policy_autolabel_when(const volume_policy_t *p);

/* TRUE when LABEL fits; else FALSE with VOLUME_POLICY_ERROR_LABEL saying
 * which rule it breaks. */
gboolean volume_policy_label_ok(const volume_policy_t *p, const char *label,
                                GError **error);

typedef enum {
    VOLUME_REUSABLE = 0,       /* may be written now */
    VOLUME_NEW,                /* labelled, never written: usable */
    VOLUME_NOT_LISTED,         /* not in the tapelist */
    VOLUME_NO_REUSE,           /* marked no-reuse */
    VOLUME_TOO_RECENT,         /* among the tapecycle-1 most recent */
    VOLUME_ACTIVE,             /* holds the only copy of an active dump */
    VOLUME_LABEL_MISMATCH,     /* label does not fit labelstr */
} volume_verdict_t;

/* Decide about LABEL.  ACTIVE (may be NULL) is a set of labels that hold
 * the only copy of an active dump.  *REASON (optional) gets a sentence
 * for the operator, e.g. "volume 'D-03' is among the 2 most recently
 * written volumes (tapecycle 3)". */
volume_verdict_t volume_policy_check_volume(const volume_policy_t *p, const tapelist_t *tl,
                                            const char *label, GHashTable *active,
                                            char **reason);
static inline gboolean
volume_verdict_usable(volume_verdict_t v)
{
    return v == VOLUME_REUSABLE || v == VOLUME_NEW;
}

/* The labels (char* set, owned) holding the only copy of an active dump,
 * from find results (find_dumps): for each host/disk the newest complete
 * level-0 dump and every complete dump after it are active; a label counts
 * when it holds a part of such a dump and no other copy (same dump, other
 * storage/pool, all parts present) lies entirely on other volumes. */
GHashTable *volume_policy_active_labels(const GPtrArray *find_results);

/* The label autolabel gives the next new volume: the template with $c,
 * $o, $b (BARCODE, or "" when NULL), $m (META) filled and its run of '%'
 * (or "$%"...) replaced by one more than the highest number the tapelist
 * uses, zero-padded; when that overflows the width, the lowest unused.
 * NULL + error when there is no template or every number is used. */
char *volume_policy_next_label(const volume_policy_t *p, const tapelist_t *tl,
                               const char *barcode, const char *meta, GError **error);

/* What a changer slot holds, as the taper sees it. */
typedef enum {
    VOLUME_SLOT_LABELED,      /* an AMANDA label (LABEL) */
    VOLUME_SLOT_EMPTY,        /* a blank volume */
    VOLUME_SLOT_NON_AMANDA,   /* data that is not an AMANDA volume */
    VOLUME_SLOT_ERROR,        /* the volume cannot be read */
    VOLUME_SLOT_MISSING,      /* no volume in the slot */
} volume_slot_state_t;

typedef struct {
    int slot;
    volume_slot_state_t state;
    const char *label;        /* LABELED only */
} volume_candidate_t;

typedef enum {
    VOLUME_USE_AS_IS,   /* write over this labelled volume */
    VOLUME_USE_RELABEL, /* label it first (autolabel) */
    VOLUME_SKIP,
} volume_action_t;

typedef struct {
    int slot;
    char *label;        /* current label, or NULL */
    volume_action_t action;
    char *reason;       /* why it is used or skipped */
    char *datestamp;    /* tapelist write stamp ("0" new), NULL if unlisted */
} volume_choice_t;
void volume_choice_free(volume_choice_t *c);

/* Classify every candidate and order them as the taper should try them:
 * usable labelled volumes oldest first (never-written before written),
 * then volumes autolabel may label (empty, then non-AMANDA/foreign/error
 * ones, in slot order), then the skipped ones in slot order.  Returns
 * volume_choice_t* (free function set). */
GPtrArray *volume_policy_rank(const volume_policy_t *p, const tapelist_t *tl,
                              const volume_candidate_t *cands, gsize ncands,
                              GHashTable *active);

/* Labels of the tapelist the next run would write, in order, at most N:
 * usable volumes oldest first (for amadmin tape / amcheck). */
GPtrArray *volume_policy_next_volumes(const volume_policy_t *p, const tapelist_t *tl,
                                      GHashTable *active, int n);

#endif
