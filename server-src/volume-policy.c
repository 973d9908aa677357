/* volume-policy: labelstr/autolabel/tapecycle rules (see volume-policy.h). */
#include "volume-policy.h"

#include <regex.h>
#include <string.h>

G_DEFINE_QUARK(volume-policy-error-quark, volume_policy_error)

struct volume_policy {
    char *labelstr;        /* what labels are checked against (text) */
    gboolean have_regex;
    regex_t regex;         /* compiled labelstr (POSIX ERE, as conf checks it) */
    char *autolabel;       /* template or NULL */
    guint when;            /* AL_* bits */
    int tapecycle;
    char *config_name, *org;
    GRegex *template_re;   /* template with the number captured, or NULL */
    int digits;            /* width of the number in the template (0: none) */
};

/* ---- the autolabel template ---- */

/* Append the regex for template TPL to OUT; '%' runs become one capturing
 * group of that many digits.  Returns the width of the (first) number. */
static int
template_to_regex(const volume_policy_t *p, const char *tpl, GString *out)
{
    int digits = 0;
    gboolean captured = FALSE;
    for (const char *c = tpl; *c; c++) {
        int run = 0;
        while (c[run] == '%' || (c[run] == '$' && c[run + 1] == '%'))
            run += c[run] == '$' ? 2 : 1;
        if (run > 0) {
            int width = 0;
            for (int i = 0; i < run; i++)
                width += c[i] == '%';
            g_string_append_printf(out, "%s[0-9]{%d})", captured ? "(?:" : "(", width);
            if (!captured)
                digits = width;
            captured = TRUE;
            c += run - 1;
            continue;
        }
        const char *lit = NULL;
        char one[2] = { *c, 0 };
        if (*c == '$' && c[1]) {
            c++;
            switch (*c) {
            case 'c': lit = p->config_name ? p->config_name : ""; break;
            case 'o': lit = p->org ? p->org : ""; break;
            case 'b': case 'm': g_string_append(out, ".*"); continue;
            default: one[0] = *c; lit = one; break;
            }
        } else {
            lit = one;
        }
        g_autofree char *esc = g_regex_escape_string(lit, -1);
        g_string_append(out, esc);
    }
    return digits;
}

static gboolean
compile_template(volume_policy_t *p, GError **error)
{
    if (!p->autolabel)
        return TRUE;
    g_autoptr(GString) re = g_string_new("^");
    p->digits = template_to_regex(p, p->autolabel, re);
    g_string_append(re, "$");
    GError *err = NULL;
    p->template_re = g_regex_new(re->str, 0, 0, &err);
    if (!p->template_re) {
        g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_TEMPLATE,
                    "autolabel template \"%s\" cannot be matched: %s", p->autolabel,
                    err->message);
        g_error_free(err);
        return FALSE;
    }
    return TRUE;
}

/* The POSIX form of the template regex (for labelstr match-autolabel):
 * GRegex syntax used here ({n}, escapes of punctuation) is also ERE. */
static char *
template_as_labelstr(const volume_policy_t *p)
{
    GString *re = g_string_new("^");
    template_to_regex(p, p->autolabel, re);
    g_string_append(re, "$");
    /* ERE has no (?:...): plain groups mean the same here. */
    char *s;
    while ((s = strstr(re->str, "(?:")) != NULL)
        g_string_erase(re, s - re->str + 1, 2);
    return g_string_free(re, FALSE);
}

volume_policy_t *
volume_policy_new(const char *labelstr, gboolean match_autolabel, const char *autolabel,
                  guint when, int tapecycle, const char *config_name, const char *org,
                  GError **error)
{
    volume_policy_t *p = g_new0(volume_policy_t, 1);
    p->autolabel = g_strdup(autolabel);
    p->when = when;
    p->tapecycle = tapecycle < 1 ? 1 : tapecycle;
    p->config_name = g_strdup(config_name);
    p->org = g_strdup(org);
    if (!compile_template(p, error)) {
        volume_policy_free(p);
        return NULL;
    }
    if (match_autolabel && p->autolabel)
        p->labelstr = template_as_labelstr(p);
    else if (!match_autolabel && labelstr)
        p->labelstr = g_strdup(labelstr);
    if (p->labelstr) {
        int rc = regcomp(&p->regex, p->labelstr, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char buf[256];
            regerror(rc, &p->regex, buf, sizeof buf);
            g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_REGEX,
                        "labelstr \"%s\" is not a valid regular expression: %s",
                        p->labelstr, buf);
            volume_policy_free(p);
            return NULL;
        }
        p->have_regex = TRUE;
    }
    return p;
}

/* AMANDA 3.5's "storage" sections: the first storage named by the
 * global "storage" parameter overrides labelstr and autolabel, and its
 * policy's retention-tapes overrides tapecycle. */
static const conf_section_t *
storage_section(const conf_t *conf)
{
    const conf_value_t *st = conf_get(conf, CNF_STORAGE);
    if (!st || !st->list || st->list->len == 0)
        return NULL;
    return conf_lookup(conf, CONF_STORAGE, g_ptr_array_index(st->list, 0));
}

static const conf_value_t *
seen_in_storage(const conf_section_t *sec, int id, const conf_value_t *global)
{
    const conf_value_t *v = sec ? conf_section_get(sec, id) : NULL;
    return v && v->seen ? v : global;
}

static int
tapecycle_of(const conf_t *conf, const conf_section_t *sec)
{
    const conf_value_t *pol = sec ? conf_section_get(sec, STORAGE_POLICY) : NULL;
    const conf_section_t *p = pol && pol->s ? conf_lookup(conf, CONF_POLICY, pol->s) : NULL;
    const conf_value_t *rt = p ? conf_section_get(p, POLICY_RETENTION_TAPES) : NULL;
    if (rt && rt->seen && rt->i > 0)
        return (int)rt->i;
    return (int)conf_get_int(conf, CNF_TAPECYCLE);
}

volume_policy_t *
volume_policy_from_conf(const conf_t *conf, GError **error)
{
    const conf_section_t *sec = storage_section(conf);
    const conf_value_t *ls = seen_in_storage(sec, STORAGE_LABELSTR, conf_get(conf, CNF_LABELSTR));
    const conf_value_t *al = seen_in_storage(sec, STORAGE_AUTOLABEL,
                                             conf_get(conf, CNF_AUTOLABEL));
    const char *tpl = al && al->s && *al->s ? al->s : NULL;
    return volume_policy_new(ls ? ls->s : NULL, ls ? ls->i != 0 : FALSE, tpl,
                             al ? (guint)al->i : 0, tapecycle_of(conf, sec), conf_name(conf),
                             conf_get_str(conf, CNF_ORG), error);
}

void
volume_policy_free(volume_policy_t *p)
{
    if (!p)
        return;
    if (p->have_regex)
        regfree(&p->regex);
    if (p->template_re)
        g_regex_unref(p->template_re);
    g_free(p->labelstr);
    g_free(p->autolabel);
    g_free(p->config_name);
    g_free(p->org);
    g_free(p);
}

int
volume_policy_tapecycle(const volume_policy_t *p)
{
    return p->tapecycle;
}

const char *
volume_policy_labelstr(const volume_policy_t *p)
{
    return p->labelstr;
}

gboolean
volume_policy_has_autolabel(const volume_policy_t *p)
{
    return p->autolabel != NULL;
}

guint
volume_policy_autolabel_when(const volume_policy_t *p)
{
    return p->autolabel ? p->when : 0;
}

static gboolean
label_matches(const volume_policy_t *p, const char *label)
{
    return !p->have_regex || regexec(&p->regex, label, 0, NULL, 0) == 0;
}

gboolean
volume_policy_label_ok(const volume_policy_t *p, const char *label, GError **error)
{
    if (!label || !*label) {
        g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_LABEL,
                    "an empty label is not allowed");
        return FALSE;
    }
    if (strpbrk(label, " \t\n\r:") != NULL) {
        g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_LABEL,
                    "label '%s' contains a blank or ':'; pick a label without them", label);
        return FALSE;
    }
    if (!label_matches(p, label)) {
        g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_LABEL,
                    "Label '%s' doesn't match labelstr '%s'", label, p->labelstr);
        return FALSE;
    }
    return TRUE;
}

/* ---- reuse ---- */

static gboolean
never_written(const tapelist_entry_t *e)
{
    return strcmp(e->datestamp, "0") == 0;
}

/* Written reuse volumes that fit labelstr and are newer than E (the list
 * is newest first, so: those before it). */
static int
newer_reusable_count(const volume_policy_t *p, const tapelist_t *tl,
                     const tapelist_entry_t *e)
{
    int n = 0;
    for (guint i = 0; i < tl->entries->len; i++) {
        const tapelist_entry_t *o = g_ptr_array_index(tl->entries, i);
        if (o == e)
            break;
        if (o->reuse && !never_written(o) && label_matches(p, o->label))
            n++;
    }
    return n;
}

static volume_verdict_t
verdict(volume_verdict_t v, char **reason, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static volume_verdict_t
verdict(volume_verdict_t v, char **reason, const char *fmt, ...)
{
    if (reason) {
        va_list ap;
        va_start(ap, fmt);
        *reason = g_strdup_vprintf(fmt, ap);
        va_end(ap);
    }
    return v;
}

volume_verdict_t
volume_policy_check_volume(const volume_policy_t *p, const tapelist_t *tl, const char *label,
                           GHashTable *active, char **reason)
{
    if (reason)
        *reason = NULL;
    const tapelist_entry_t *e = tapelist_lookup_label(tl, label);
    if (!e)
        return verdict(VOLUME_NOT_LISTED, reason,
                       "volume '%s' is not in the tapelist", label);
    if (!label_matches(p, label))
        return verdict(VOLUME_LABEL_MISMATCH, reason,
                       "volume '%s' does not match labelstr '%s'", label, p->labelstr);
    if (!e->reuse)
        return verdict(VOLUME_NO_REUSE, reason,
                       "volume '%s' is marked no-reuse", label);
    if (never_written(e))
        return verdict(VOLUME_NEW, reason, "volume '%s' is new (never written)", label);
    int newer = newer_reusable_count(p, tl, e);
    if (newer < p->tapecycle - 1)
        return verdict(VOLUME_TOO_RECENT, reason,
                       "volume '%s' is among the %d most recently written volumes "
                       "(tapecycle %d)", label, p->tapecycle - 1, p->tapecycle);
    if (active && g_hash_table_contains(active, label))
        return verdict(VOLUME_ACTIVE, reason,
                       "volume '%s' holds the only copy of an active dump", label);
    return verdict(VOLUME_REUSABLE, reason, "volume '%s' is reusable (written %s)", label,
                   e->datestamp);
}

/* ---- active dumps ---- */

typedef struct {
    const find_result_t *first;
    GHashTable *labels;   /* labels of this copy */
    GHashTable *parts;    /* part numbers seen */
    int totalparts;
    gboolean ok;
} dump_copy_t;

static void
dump_copy_free(gpointer data)
{
    dump_copy_t *c = data;
    g_hash_table_unref(c->labels);
    g_hash_table_unref(c->parts);
    g_free(c);
}

static gboolean
copy_complete(const dump_copy_t *c)
{
    if (!c->ok)
        return FALSE;
    guint need = c->totalparts > 0 ? (guint)c->totalparts : 1;
    return g_hash_table_size(c->parts) >= need;
}

/* dump key -> (copy key -> dump_copy_t) */
static GHashTable *
group_copies(const GPtrArray *results)
{
    GHashTable *dumps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify)g_hash_table_unref);
    for (guint i = 0; i < results->len; i++) {
        const find_result_t *r = g_ptr_array_index(results, i);
        char *dkey = g_strdup_printf("%s\n%s\n%s\n%d", r->hostname, r->diskname,
                                     r->timestamp, r->level);
        GHashTable *copies = g_hash_table_lookup(dumps, dkey);
        if (!copies) {
            copies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, dump_copy_free);
            g_hash_table_insert(dumps, g_strdup(dkey), copies);
        }
        g_free(dkey);
        char *ckey = g_strdup_printf("%s\n%s\n%s", r->storage ? r->storage : "",
                                     r->pool ? r->pool : "", r->write_timestamp);
        dump_copy_t *c = g_hash_table_lookup(copies, ckey);
        if (!c) {
            c = g_new0(dump_copy_t, 1);
            c->first = r;
            c->labels = g_hash_table_new(g_str_hash, g_str_equal);
            c->parts = g_hash_table_new(g_direct_hash, g_direct_equal);
            c->ok = TRUE;
            g_hash_table_insert(copies, ckey, c);
        } else {
            g_free(ckey);
        }
        g_hash_table_add(c->labels, r->label);
        g_hash_table_add(c->parts, GINT_TO_POINTER(r->partnum));
        if (r->totalparts > c->totalparts)
            c->totalparts = r->totalparts;
        if (!r->dump_status || strcmp(r->dump_status, "OK") != 0)
            c->ok = FALSE;
    }
    return dumps;
}

static const dump_copy_t *
any_complete_copy(GHashTable *copies)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, copies);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (copy_complete(v))
            return v;
    return NULL;
}

/* host\ndisk -> newest timestamp of a complete level-0 dump */
static GHashTable *
newest_fulls(GHashTable *dumps)
{
    GHashTable *fulls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, dumps);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const dump_copy_t *c = any_complete_copy(v);
        if (!c || c->first->level != 0)
            continue;
        char *dle = g_strdup_printf("%s\n%s", c->first->hostname, c->first->diskname);
        const char *old = g_hash_table_lookup(fulls, dle);
        if (!old || strcmp(old, c->first->timestamp) < 0)
            g_hash_table_insert(fulls, dle, c->first->timestamp);
        else
            g_free(dle);
    }
    return fulls;
}

/* Labels in every complete copy of one active dump. */
static void
protect_only_copy(GHashTable *copies, GHashTable *active)
{
    GHashTableIter it, lit;
    gpointer v, label;
    const dump_copy_t *first = NULL;
    g_hash_table_iter_init(&it, copies);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        if (!copy_complete(v))
            continue;
        if (!first)
            first = v;
    }
    if (!first)
        return;
    g_hash_table_iter_init(&lit, first->labels);
    while (g_hash_table_iter_next(&lit, &label, NULL)) {
        gboolean everywhere = TRUE;
        g_hash_table_iter_init(&it, copies);
        while (g_hash_table_iter_next(&it, NULL, &v))
            if (copy_complete(v) && !g_hash_table_contains(((dump_copy_t *)v)->labels, label))
                everywhere = FALSE;
        if (everywhere)
            g_hash_table_add(active, g_strdup(label));
    }
}

GHashTable *
volume_policy_active_labels(const GPtrArray *find_results)
{
    GHashTable *active = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!find_results)
        return active;
    g_autoptr(GHashTable) dumps = group_copies(find_results);
    g_autoptr(GHashTable) fulls = newest_fulls(dumps);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, dumps);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const dump_copy_t *c = any_complete_copy(v);
        if (!c)
            continue;
        g_autofree char *dle = g_strdup_printf("%s\n%s", c->first->hostname,
                                               c->first->diskname);
        const char *full = g_hash_table_lookup(fulls, dle);
        if (full && strcmp(c->first->timestamp, full) >= 0)
            protect_only_copy(v, active);
    }
    return active;
}

/* ---- autolabel ---- */

static char *
fill_template(const volume_policy_t *p, const char *barcode, const char *meta, int number)
{
    GString *out = g_string_new(NULL);
    gboolean numbered = FALSE;
    for (const char *c = p->autolabel; *c; c++) {
        int run = 0, width = 0;
        while (c[run] == '%' || (c[run] == '$' && c[run + 1] == '%')) {
            width += c[run] == '%';
            run += c[run] == '$' ? 2 : 1;
        }
        if (run > 0) {
            /* AMANDA fills every run with the same number. */
            g_string_append_printf(out, "%0*d", width, number);
            numbered = TRUE;
            c += run - 1;
            continue;
        }
        if (*c == '$' && c[1]) {
            c++;
            switch (*c) {
            case 'c': g_string_append(out, p->config_name ? p->config_name : ""); break;
            case 'o': g_string_append(out, p->org ? p->org : ""); break;
            case 'b': g_string_append(out, barcode ? barcode : ""); break;
            case 'm': g_string_append(out, meta ? meta : ""); break;
            default: g_string_append_c(out, *c); break;
            }
            continue;
        }
        g_string_append_c(out, *c);
    }
    (void)numbered;
    return g_string_free(out, FALSE);
}

static gint64
number_of(const volume_policy_t *p, const char *label)
{
    g_autoptr(GMatchInfo) mi = NULL;
    if (!g_regex_match(p->template_re, label, 0, &mi))
        return -1;
    g_autofree char *num = g_match_info_fetch(mi, 1);
    return num && *num ? g_ascii_strtoll(num, NULL, 10) : -1;
}

static gint64
pow10_of(int digits)
{
    gint64 v = 1;
    for (int i = 0; i < digits && v < G_MAXINT; i++)
        v *= 10;
    return v;
}

static char *
lowest_unused(const volume_policy_t *p, const tapelist_t *tl, const char *barcode,
              const char *meta, gint64 limit)
{
    for (gint64 n = 1; n < limit; n++) {
        char *label = fill_template(p, barcode, meta, (int)n);
        if (!tapelist_lookup_label(tl, label))
            return label;
        g_free(label);
    }
    return NULL;
}

char *
volume_policy_next_label(const volume_policy_t *p, const tapelist_t *tl, const char *barcode,
                         const char *meta, GError **error)
{
    if (!p->autolabel) {
        g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_TEMPLATE,
                    "no autolabel template is configured; set 'autolabel' in amanda.conf");
        return NULL;
    }
    char *label = NULL;
    if (p->digits == 0) {
        label = fill_template(p, barcode, meta, 0);
        if (tapelist_lookup_label(tl, label))
            g_clear_pointer(&label, g_free);
    } else {
        gint64 max = 0, limit = pow10_of(p->digits);
        for (guint i = 0; i < tl->entries->len; i++) {
            const tapelist_entry_t *e = g_ptr_array_index(tl->entries, i);
            gint64 n = number_of(p, e->label);
            if (n > max)
                max = n;
        }
        if (max + 1 < limit)
            label = fill_template(p, barcode, meta, (int)(max + 1));
        if (!label || tapelist_lookup_label(tl, label)) {
            g_free(label);
            label = lowest_unused(p, tl, barcode, meta, limit);
        }
    }
    if (!label) {
        g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_EXHAUSTED,
                    "autolabel template '%s': every label is already used; widen the "
                    "number ('%%' characters) in the template", p->autolabel);
        return NULL;
    }
    if (!label_matches(p, label)) {
        g_set_error(error, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_LABEL,
                    "autolabel would give '%s', which doesn't match labelstr '%s'", label,
                    p->labelstr);
        g_free(label);
        return NULL;
    }
    return label;
}

/* ---- ranking ---- */

void
volume_choice_free(volume_choice_t *c)
{
    if (!c)
        return;
    g_free(c->label);
    g_free(c->reason);
    g_free(c->datestamp);
    g_free(c);
}

/* May autolabel take a volume in this state (and, for a labelled one
 * that is not ours, of another config)? */
static gboolean
autolabel_allows(const volume_policy_t *p, guint bit)
{
    return p->autolabel && (p->when & bit);
}

static void
classify_labeled(const volume_policy_t *p, const tapelist_t *tl, const volume_candidate_t *c,
                 GHashTable *active, volume_choice_t *ch)
{
    volume_verdict_t v = volume_policy_check_volume(p, tl, c->label, active, &ch->reason);
    const tapelist_entry_t *e = tapelist_lookup_label(tl, c->label);
    ch->datestamp = e ? g_strdup(e->datestamp) : NULL;
    if (volume_verdict_usable(v)) {
        ch->action = VOLUME_USE_AS_IS;
    } else if ((v == VOLUME_NOT_LISTED || v == VOLUME_LABEL_MISMATCH) &&
               autolabel_allows(p, AL_OTHER_CONFIG)) {
        ch->action = VOLUME_USE_RELABEL;
        g_free(ch->reason);
        ch->reason = g_strdup_printf("volume '%s' is not ours; autolabel other-config "
                                     "may relabel it", c->label);
    } else {
        ch->action = VOLUME_SKIP;
    }
}

static void
classify_unlabeled(const volume_policy_t *p, const volume_candidate_t *c, volume_choice_t *ch)
{
    static const struct { volume_slot_state_t st; guint bit; const char *what, *cond; } map[] = {
        { VOLUME_SLOT_EMPTY, AL_EMPTY, "an empty volume", "empty" },
        { VOLUME_SLOT_NON_AMANDA, AL_NON_AMANDA, "a non-AMANDA volume", "non-amanda" },
        { VOLUME_SLOT_ERROR, AL_VOLUME_ERROR, "an unreadable volume", "volume-error" },
    };
    if (c->state == VOLUME_SLOT_MISSING) {
        ch->action = VOLUME_SKIP;
        ch->reason = g_strdup_printf("slot %d is empty (no volume)", c->slot);
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(map); i++) {
        if (map[i].st != c->state)
            continue;
        if (autolabel_allows(p, map[i].bit)) {
            ch->action = VOLUME_USE_RELABEL;
            ch->reason = g_strdup_printf("slot %d holds %s; autolabel will label it",
                                         c->slot, map[i].what);
        } else {
            ch->action = VOLUME_SKIP;
            ch->reason = g_strdup_printf("slot %d holds %s and autolabel does not allow "
                                         "'%s'", c->slot, map[i].what, map[i].cond);
        }
        return;
    }
}

static int
rank_group(const volume_choice_t *c, volume_slot_state_t st)
{
    if (c->action == VOLUME_USE_AS_IS)
        return 0;
    if (c->action == VOLUME_USE_RELABEL)
        return st == VOLUME_SLOT_EMPTY ? 1 : 2;
    return 3;
}

typedef struct {
    volume_choice_t *ch;
    volume_slot_state_t st;
} ranked_t;

static int
compare_ranked(gconstpointer a, gconstpointer b)
{
    const ranked_t *x = a, *y = b;
    int gx = rank_group(x->ch, x->st), gy = rank_group(y->ch, y->st);
    if (gx != gy)
        return gx - gy;
    if (gx == 0) {
        /* oldest first; "0" (never written) sorts before any stamp */
        int c = strcmp(x->ch->datestamp, y->ch->datestamp);
        if (strlen(x->ch->datestamp) != strlen(y->ch->datestamp))
            c = (int)strlen(x->ch->datestamp) - (int)strlen(y->ch->datestamp);
        if (c != 0)
            return c;
    }
    return x->ch->slot - y->ch->slot;
}

GPtrArray *
volume_policy_rank(const volume_policy_t *p, const tapelist_t *tl,
                   const volume_candidate_t *cands, gsize ncands, GHashTable *active)
{
    g_autoptr(GArray) tmp = g_array_sized_new(FALSE, FALSE, sizeof(ranked_t), (guint)ncands);
    for (gsize i = 0; i < ncands; i++) {
        volume_choice_t *ch = g_new0(volume_choice_t, 1);
        ch->slot = cands[i].slot;
        if (cands[i].state == VOLUME_SLOT_LABELED && cands[i].label) {
            ch->label = g_strdup(cands[i].label);
            classify_labeled(p, tl, &cands[i], active, ch);
        } else {
            classify_unlabeled(p, &cands[i], ch);
        }
        ranked_t r = { ch, cands[i].state };
        g_array_append_val(tmp, r);
    }
    g_array_sort(tmp, compare_ranked);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)volume_choice_free);
    for (guint i = 0; i < tmp->len; i++)
        g_ptr_array_add(out, g_array_index(tmp, ranked_t, i).ch);
    return out;
}

GPtrArray *
volume_policy_next_volumes(const volume_policy_t *p, const tapelist_t *tl, GHashTable *active,
                           int n)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    /* the list is newest first: walk it backwards for oldest first, but
     * never-written volumes come before every written one */
    for (int pass = 0; pass < 2; pass++) {
        for (guint i = tl->entries->len; i-- > 0 && (int)out->len < n;) {
            const tapelist_entry_t *e = g_ptr_array_index(tl->entries, i);
            if (never_written(e) != (pass == 0))
                continue;
            if (volume_verdict_usable(volume_policy_check_volume(p, tl, e->label, active, NULL)))
                g_ptr_array_add(out, g_strdup(e->label));
        }
    }
    return out;
}
