/* Unit tests for the conf module: every kind of section parsed from the
 * fixtures in tests/conf/, defaults, inheritance, includefile, units,
 * overrides, value printing, the disklist, amanda-client.conf, and one
 * test per class of error checking the exact "FILE:LINE: message". */
#include "config.h"
#include "conf.h"
#include "disklist.h"

#include <glib.h>
#include <string.h>

static char *
fixture_dir(void)
{
    const char *src = g_getenv("AMANDA_TEST_SRCDIR");
    if (src)
        return g_build_filename(src, "conf", NULL);
    g_autofree char *here = g_path_get_dirname(__FILE__);
    return g_build_filename(here, "conf", NULL);
}

static conf_t *
load_full(char **overrides)
{
    g_autofree char *dir = fixture_dir();
    g_setenv("AMANDA_CONFIG_DIR", dir, TRUE);
    conf_t *conf = conf_load("full", NULL, 0, overrides);
    for (guint i = 0; i < conf_errors(conf)->len; i++)
        g_printerr("%s\n", (char *)g_ptr_array_index(conf_errors(conf), i));
    g_assert_cmpuint(conf_errors(conf)->len, ==, 0);
    return conf;
}

static const conf_value_t *
sec_value(conf_t *conf, conf_kind_t kind, const char *name, const char *param)
{
    conf_section_t *sec = conf_lookup(conf, kind, name);
    g_assert_nonnull(sec);
    const conf_value_t *v = conf_section_get_by_name(sec, param);
    g_assert_nonnull(v);
    return v;
}

static char *
shown(const conf_value_t *v)
{
    return conf_value_to_string(v);
}

/* Parse a buffer named NAME; return the conf (errors not asserted). */
static conf_t *
parse_text(const char *text, const char *name)
{
    conf_t *conf = conf_new(CONF_FLAG_NO_INCLUDE);
    conf_parse_buffer(conf, text, strlen(text), name);
    return conf;
}

static void
assert_only_error(const char *text, const char *expected)
{
    g_autoptr(conf_t) conf = parse_text(text, "t.conf");
    const GPtrArray *e = conf_errors(conf);
    if (e->len != 1)
        for (guint i = 0; i < e->len; i++)
            g_printerr("got: %s\n", (char *)g_ptr_array_index(e, i));
    g_assert_cmpuint(e->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(e, 0), ==, expected);
}

static void
test_defaults(void)
{
    g_autoptr(conf_t) c = conf_new(0);
    g_assert_cmpint(conf_get_int(c, CNF_DUMPCYCLE), ==, 10);
    g_assert_cmpint(conf_get_int(c, CNF_RUNSPERCYCLE), ==, 0);
    g_assert_cmpint(conf_get_int(c, CNF_TAPECYCLE), ==, 15);
    g_assert_cmpint(conf_get_int(c, CNF_INPARALLEL), ==, 10);
    g_assert_cmpint(conf_get_int(c, CNF_NETUSAGE), ==, 80000);
    g_assert_cmpint(conf_get_int(c, CNF_BUMPSIZE), ==, 10240);
    g_assert_cmpfloat(conf_get_real(c, CNF_BUMPMULT), ==, 1.5);
    g_assert_cmpint(conf_get_int(c, CNF_BUMPDAYS), ==, 2);
    g_assert_cmpint(conf_get_int(c, CNF_ETIMEOUT), ==, 300);
    g_assert_cmpint(conf_get_int(c, CNF_DTIMEOUT), ==, 1800);
    g_assert_cmpint(conf_get_int(c, CNF_CTIMEOUT), ==, 30);
    g_assert_cmpint(conf_get_int(c, CNF_DEVICE_OUTPUT_BUFFER_SIZE), ==, 1280);
    g_assert_cmpint(conf_get_int(c, CNF_MAXDUMPSIZE), ==, -1);
    g_assert_cmpstr(conf_get_str(c, CNF_DUMPUSER), ==, CLIENT_LOGIN);
    g_assert_cmpstr(conf_get_str(c, CNF_TAPETYPE), ==, "DEFAULT_TAPE");
    g_assert_cmpstr(conf_get_str(c, CNF_DISKFILE), ==, "disklist");
    g_assert_cmpstr(conf_get_str(c, CNF_AUTH), ==, "bsdtcp");
    g_assert_cmpint(conf_get(c, CNF_LABELSTR)->i, ==, 1);
    g_assert_true(conf_get_bool(c, CNF_AMRECOVER_DO_FSF));
    g_assert_false(conf_seen(c, CNF_DUMPCYCLE));
    const conf_value_t *r = conf_get(c, CNF_UNRESERVED_TCP_PORT);
    g_assert_cmpint(r->i, ==, 1024);
    g_assert_cmpint(r->i2, ==, 65535);
}

static void
test_dumptype_defaults(void)
{
    g_autoptr(conf_t) c = parse_text("define dumptype d {\n}\n"
                                     "define tapetype t {\n}\n", "d.conf");
    g_assert_cmpuint(conf_errors(c)->len, ==, 0);
    conf_section_t *d = conf_lookup(c, CONF_DUMPTYPE, "d");
    g_assert_cmpint(conf_section_get(d, DUMPTYPE_COMPRESS)->i, ==, COMP_FAST);
    g_assert_cmpint(conf_section_get(d, DUMPTYPE_HOLDINGDISK)->i, ==, HOLD_AUTO);
    g_assert_cmpint(conf_section_get(d, DUMPTYPE_PRIORITY)->i, ==, PRIORITY_MEDIUM);
    g_assert_cmpint(conf_section_get(d, DUMPTYPE_ENCRYPT)->i, ==, ENCRYPT_NONE);
    g_assert_cmpint(conf_section_get(d, DUMPTYPE_STRATEGY)->i, ==, DS_STANDARD);
    g_assert_cmpstr(conf_section_get(d, DUMPTYPE_PROGRAM)->s, ==, "DUMP");
    g_assert_cmpint(conf_section_get(d, DUMPTYPE_INDEX)->i, ==, 0);
    g_assert_cmpint(conf_section_get(d, DUMPTYPE_RECORD)->i, ==, 1);
    g_assert_cmpfloat(conf_section_get(d, DUMPTYPE_COMPRATE)->r[1], ==, 0.5);
    const conf_value_t *es = conf_section_get(d, DUMPTYPE_ESTIMATE);
    g_assert_cmpuint(es->list->len, ==, 1);
    conf_section_t *t = conf_lookup(c, CONF_TAPETYPE, "t");
    g_assert_cmpint(conf_section_get(t, TAPETYPE_LENGTH)->i, ==, 2000);
    g_assert_cmpint(conf_section_get(t, TAPETYPE_BLOCKSIZE)->i, ==, 32);
    g_assert_cmpint(conf_section_get(t, TAPETYPE_FILEMARK)->i, ==, 1);
}

static void
test_predefined(void)
{
    g_autoptr(conf_t) c = parse_text("\ndefine dumptype no-full {\n compress none\n}\n",
                                     "p.conf");
    g_assert_cmpuint(conf_errors(c)->len, ==, 0);
    g_assert_cmpuint(conf_warnings(c)->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(conf_warnings(c), 0), ==,
                    "p.conf:2: dumptype \"no-full\" replaces the predefined one");
    conf_section_t *nf = conf_lookup(c, CONF_DUMPTYPE, "no-full");
    g_assert_cmpint(conf_section_get(nf, DUMPTYPE_SKIP_FULL)->i, ==, 0);
    conf_section_t *nh = conf_lookup(c, CONF_DUMPTYPE, "no-hold");
    g_assert_cmpint(conf_section_get(nh, DUMPTYPE_HOLDINGDISK)->i, ==, HOLD_NEVER);
    conf_section_t *sc = conf_lookup(c, CONF_DUMPTYPE, "srvcompress");
    g_assert_cmpint(conf_section_get(sc, DUMPTYPE_COMPRESS)->i, ==, COMP_SERVER_FAST);
    conf_section_t *t = conf_lookup(c, CONF_TAPETYPE, "DEFAULT_TAPE");
    g_assert_cmpint(conf_section_get(t, TAPETYPE_LENGTH)->i, ==, 2000);
}

static void
test_full_globals(void)
{
    g_autoptr(conf_t) c = load_full(NULL);
    g_assert_cmpstr(conf_get_str(c, CNF_ORG), ==, "TestSet");
    g_assert_cmpstr(conf_get_str(c, CNF_MAILTO), ==, "ops@example.com root");
    g_assert_cmpint(conf_get_int(c, CNF_DUMPCYCLE), ==, 14);
    g_assert_cmpint(conf_get_int(c, CNF_TAPECYCLE), ==, 20);
    g_assert_cmpint(conf_get_int(c, CNF_NETUSAGE), ==, 10240);
    g_assert_cmpint(conf_get_int(c, CNF_BUMPSIZE), ==, 20480);
    g_assert_cmpfloat(conf_get_real(c, CNF_BUMPMULT), ==, 2.5);
    g_assert_cmpint(conf_get_int(c, CNF_DEVICE_OUTPUT_BUFFER_SIZE), ==, 2048);
    g_assert_cmpint(conf_get_int(c, CNF_MAXDUMPSIZE), ==, G_MAXINT64);
    g_assert_cmpint(conf_get_int(c, CNF_TAPERALGO), ==, ALGO_LARGESTFIT);
    g_assert_cmpint(conf_get_int(c, CNF_AUTOFLUSH), ==, CONF_ALL);
    g_assert_cmpint(conf_get_int(c, CNF_SEND_AMREPORT_ON), ==, SEND_AMREPORT_STRANGE);
    g_assert_cmpint(conf_get_int(c, CNF_DEBUG_AUTH), ==, 2);
    g_assert_cmpint(conf_get_int(c, CNF_DEBUG_PLANNER), ==, 3);
    g_assert_cmpint(conf_get(c, CNF_RESERVED_TCP_PORT)->i2, ==, 700);
    g_assert_cmpint(conf_get(c, CNF_UNRESERVED_TCP_PORT)->i, ==, 2000);
    g_assert_cmpstr(conf_get_str(c, CNF_TAPETYPE), ==, "LTO-SIM");
    g_assert_cmpstr(conf_get_str(c, CNF_LABELSTR), ==, "^TestSet-[0-9]+$");
    const conf_value_t *al = conf_get(c, CNF_AUTOLABEL);
    g_assert_cmpstr(al->s, ==, "TestSet-%%%");
    g_assert_cmpint(al->i, ==, AL_VOLUME_ERROR | AL_EMPTY);
    const conf_property_t *p = conf_value_property(conf_get(c, CNF_PROPERTY),
                                                   "GLOBAL_PROP");
    g_assert_nonnull(p);
    g_assert_cmpuint(p->values->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(p->values, 2), ==, "c");
    g_assert_true(conf_seen(c, CNF_ORG));
    g_assert_cmpint(conf_get(c, CNF_ORG)->seen_line, ==, 3);
    /* usetimestamps is accepted with a warning */
    g_assert_cmpuint(conf_warnings(c)->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(conf_warnings(c), 0),
                            "amanda.conf:33: \"usetimestamps\" is deprecated"));
    g_assert_true(g_str_has_suffix(conf_get_str(c, CNF_INFOFILE), "/full/curinfo"));
}

static void
test_full_sections(void)
{
    g_autoptr(conf_t) c = load_full(NULL);
    /* tapetype from the includefile, inheriting from DEFAULT-PARENT */
    g_assert_cmpint(sec_value(c, CONF_TAPETYPE, "LTO-SIM", "length")->i, ==, 8388608);
    g_assert_cmpint(sec_value(c, CONF_TAPETYPE, "LTO-SIM", "blocksize")->i, ==, 64);
    g_assert_cmpint(sec_value(c, CONF_TAPETYPE, "LTO-SIM", "filemark")->i, ==, 4);
    g_assert_cmpint(sec_value(c, CONF_TAPETYPE, "LTO-SIM", "part-size")->i, ==, 2097152);
    g_assert_cmpint(sec_value(c, CONF_TAPETYPE, "LTO-SIM", "PART_CACHE_TYPE")->i,
                    ==, PART_CACHE_TYPE_MEMORY);
    g_assert_cmpint(sec_value(c, CONF_TAPETYPE, "LTO-SIM", "part_cache_max_size")->i,
                    ==, 102400);
    /* holding disks: define + use, and the old form */
    g_autoptr(GPtrArray) hds = conf_holdingdisks(c);
    g_assert_cmpuint(hds->len, ==, 2);
    g_assert_cmpstr(conf_section_name(g_ptr_array_index(hds, 1)), ==, "hd2");
    g_assert_cmpint(sec_value(c, CONF_HOLDINGDISK, "hd1", "use")->i, ==, 512000);
    g_assert_cmpint(sec_value(c, CONF_HOLDINGDISK, "hd1", "chunksize")->i, ==, 1048576);
    g_assert_cmpint(sec_value(c, CONF_HOLDINGDISK, "hd2", "use")->i, ==, -102400);
    g_assert_cmpstr(sec_value(c, CONF_HOLDINGDISK, "hd2", "directory")->s, ==,
                    "/var/holding/two");
    g_assert_cmpint(sec_value(c, CONF_INTERFACE, "eth0", "use")->i, ==, 100000);
    const conf_value_t *ap = sec_value(c, CONF_APPLICATION, "app_amgtar", "property");
    g_assert_cmpuint(ap->props->len, ==, 2);
    g_assert_true(conf_value_property(ap, "atime-preserve")->priority);
    const conf_value_t *eo = sec_value(c, CONF_SCRIPT, "sc_email", "execute-on");
    g_autofree char *eos = shown(eo);
    g_assert_cmpstr(eos, ==, "PRE-DLE-BACKUP,POST-DLE-BACKUP");
    g_assert_cmpint(sec_value(c, CONF_SCRIPT, "sc_email", "execute_where")->i, ==,
                    EXECUTE_WHERE_SERVER);
    g_assert_cmpint(sec_value(c, CONF_SCRIPT, "sc_email", "order")->i, ==, 100);
    g_assert_cmpstr(sec_value(c, CONF_CHANGER, "my_vtapes", "tpchanger")->s, ==,
                    "chg-disk:/var/vtapes");
    g_assert_nonnull(conf_value_property(sec_value(c, CONF_CHANGER, "my_vtapes",
                                                   "device_property"), "LEOM"));
    g_assert_cmpstr(sec_value(c, CONF_DEVICE, "dev1", "tapedev")->s, ==,
                    "file:/var/vtapes/drive0");
    g_assert_cmpstr(sec_value(c, CONF_INTERACTIVITY, "inter_tty", "plugin")->s, ==, "tty");
    g_assert_cmpstr(sec_value(c, CONF_TAPERSCAN, "lexical", "plugin")->s, ==, "lexical");
    g_assert_cmpint(sec_value(c, CONF_POLICY, "keep30", "retention_days")->i, ==, 30);
    g_assert_cmpint(sec_value(c, CONF_STORAGE, "TestSet", "runtapes")->i, ==, 3);
    g_autofree char *vault = shown(sec_value(c, CONF_STORAGE, "TestSet", "vault"));
    g_assert_cmpstr(vault, ==, "offsite 7");
    g_assert_cmpuint(conf_sections(c, CONF_DUMPTYPE)->len, ==, 4 + 9);  /* + predefined */
}

static void
test_inheritance(void)
{
    g_autoptr(conf_t) c = load_full(NULL);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, "tar-base", "maxdumps")->i, ==, 2);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, "tar-base", "index")->i, ==, 1);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, "tar-base", "compress")->i, ==, COMP_BEST);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, "tar-base", "tape_splitsize")->i,
                    ==, 1048576);
    g_autofree char *est = shown(sec_value(c, CONF_DUMPTYPE, "tar-base", "estimate"));
    g_assert_cmpstr(est, ==, "CALCSIZE SERVER");
    g_autofree char *rate = shown(sec_value(c, CONF_DUMPTYPE, "tar-base", "comprate"));
    g_assert_cmpstr(rate, ==, "0.6 0.4");
    /* the child keeps what it does not override */
    const char *ch = "tar-child";
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "maxdumps")->i, ==, 2);
    g_assert_cmpstr(sec_value(c, CONF_DUMPTYPE, ch, "application")->s, ==, "app_amgtar");
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "compress")->i, ==, COMP_SERVER_FAST);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "priority")->i, ==, 7);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "encrypt")->i, ==, ENCRYPT_SERV_CUST);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "dumpcycle")->i, ==, 0);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "skip-incr")->i, ==, 1);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "record")->i, ==, 0);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, ch, "holdingdisk")->i, ==, HOLD_REQUIRED);
    g_autofree char *ex = shown(sec_value(c, CONF_DUMPTYPE, ch, "exclude"));
    g_assert_cmpstr(ex, ==, "FILE OPTIONAL \"./var\"\nLIST OPTIONAL \".amanda.excludes\"");
    g_autofree char *bex = shown(sec_value(c, CONF_DUMPTYPE, "tar-base", "exclude"));
    g_assert_cmpstr(bex, ==, "FILE OPTIONAL \"./tmp\" \"./cache\"\n"
                    "LIST OPTIONAL \".amanda.excludes\"");
    g_autofree char *scripts = shown(sec_value(c, CONF_DUMPTYPE, ch, "script"));
    g_assert_cmpstr(scripts, ==, "\"sc_email\"");
}

static void
test_disklist(void)
{
    g_autoptr(conf_t) c = load_full(NULL);
    g_autoptr(disklist_t) dl = disklist_load(c, NULL);
    for (guint i = 0; i < disklist_errors(dl)->len; i++)
        g_printerr("%s\n", (char *)g_ptr_array_index(disklist_errors(dl), i));
    g_assert_cmpuint(disklist_errors(dl)->len, ==, 0);
    const GPtrArray *e = disklist_entries(dl);
    g_assert_cmpuint(e->len, ==, 7);
    const disklist_entry_t *d = disklist_find(dl, "alpha", "/My Documents");
    g_assert_nonnull(d);
    g_assert_cmpint(d->spindle, ==, 2);
    g_assert_cmpstr(d->interface, ==, "eth0");
    g_assert_cmpint(d->line, ==, 4);
    g_assert_null(d->device);
    d = disklist_find(dl, "beta", "/etc");
    g_assert_cmpstr(d->device, ==, "/dev/sda1");
    g_assert_cmpstr(d->dumptype_name, ==, "no-holding");
    g_assert_cmpint(d->spindle, ==, -1);
    g_assert_cmpint(conf_section_get(d->dumptype, DUMPTYPE_HOLDINGDISK)->i, ==, HOLD_NEVER);
    d = disklist_find(dl, "beta", "/srv");       /* inline with a parent */
    g_assert_cmpstr(d->dumptype_name, ==, "custom(beta:/srv)");
    g_assert_cmpint(d->spindle, ==, 3);
    g_assert_cmpstr(d->interface, ==, "eth0");
    g_assert_cmpint(conf_section_get(d->dumptype, DUMPTYPE_COMPRESS)->i, ==, COMP_NONE);
    g_assert_cmpint(conf_section_get(d->dumptype, DUMPTYPE_PRIORITY)->i, ==, PRIORITY_HIGH);
    g_autofree char *ex = shown(conf_section_get(d->dumptype, DUMPTYPE_EXCLUDE));
    g_assert_cmpstr(ex, ==, "FILE OPTIONAL \"./logs\"\nLIST OPTIONAL \".amanda.excludes\"");
    d = disklist_find(dl, "gamma", "/data");     /* inline, device, no parent */
    g_assert_cmpstr(d->device, ==, "/dev/sdb1");
    g_assert_cmpint(conf_section_get(d->dumptype, DUMPTYPE_PRIORITY)->i, ==, PRIORITY_LOW);
    g_assert_cmpint(conf_section_get(d->dumptype, DUMPTYPE_COMPRESS)->i, ==, COMP_FAST);
    g_assert_cmpint(d->spindle, ==, 2);
    d = disklist_find(dl, "delta", "/opt");      /* from the includefile */
    g_assert_nonnull(d);
    g_assert_true(g_str_has_suffix(d->file, "disklist.more"));
    g_assert_cmpint(d->line, ==, 1);
}

static void
test_client(void)
{
    g_autofree char *dir = fixture_dir();
    g_autofree char *file = g_build_filename(dir, "full", "amanda-client.conf", NULL);
    g_autoptr(conf_t) c = conf_load(NULL, file, CONF_FLAG_CLIENT, NULL);
    g_assert_cmpuint(conf_errors(c)->len, ==, 0);
    g_assert_cmpuint(conf_warnings(c)->len, ==, 0);
    g_assert_cmpstr(conf_get_str(c, CNF_CONF), ==, "TestSet");
    g_assert_cmpstr(conf_get_str(c, CNF_INDEX_SERVER), ==, "backup.example.com");
    g_assert_cmpstr(conf_get_str(c, CNF_AUTH), ==, "ssh");
    g_assert_cmpstr(conf_get_str(c, CNF_CLIENT_PORT), ==, "10080");
    g_assert_cmpstr(conf_get_str(c, CNF_GNUTAR_LIST_DIR), ==, "/var/lib/amanda/gnutar-lists");
    g_assert_cmpint(conf_get_int(c, CNF_DEBUG_SENDBACKUP), ==, 5);
    g_assert_cmpint(conf_get(c, CNF_RESERVED_TCP_PORT)->i, ==, 700);
    g_assert_nonnull(conf_lookup(c, CONF_APPLICATION, "app_amgtar"));
    /* a missing client file is not an error: defaults apply */
    g_setenv("AMANDA_CONFIG_DIR", "/nonexistent-amanda-dir", TRUE);
    g_autoptr(conf_t) d = conf_load("x", NULL, CONF_FLAG_CLIENT, NULL);
    g_assert_cmpuint(conf_errors(d)->len, ==, 0);
    g_assert_cmpstr(conf_get_str(d, CNF_AMANDATES), ==, "/etc/amandates");
}

static void
test_overrides(void)
{
    char *ov[] = { "dumpcycle=5", "org=My Org", "tapetype:LTO-SIM:length=100g",
                   "dumptype:tar-base:compress=server best", NULL };
    g_autoptr(conf_t) c = load_full(ov);
    g_assert_cmpint(conf_get_int(c, CNF_DUMPCYCLE), ==, 5);
    g_assert_cmpstr(conf_get_str(c, CNF_ORG), ==, "My Org");
    g_assert_cmpint(sec_value(c, CONF_TAPETYPE, "LTO-SIM", "length")->i, ==, 104857600);
    g_assert_cmpint(sec_value(c, CONF_DUMPTYPE, "tar-base", "compress")->i, ==,
                    COMP_SERVER_BEST);
    g_assert_false(conf_apply_override(c, "dumpcycle=ten"));
    g_assert_false(conf_apply_override(c, "nosuch=1"));
    g_assert_false(conf_apply_override(c, "noequals"));
    const GPtrArray *e = conf_errors(c);
    g_assert_cmpuint(e->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(e, 0), ==,
                    "-o dumpcycle=ten: dumpcycle: a number is expected, got \"ten\"");
    g_assert_cmpstr(g_ptr_array_index(e, 1), ==, "-o nosuch=1: unknown parameter \"nosuch\"");
}

static void
test_get_by_name_and_print(void)
{
    g_autoptr(conf_t) c = load_full(NULL);
    struct { const char *name, *text; } cases[] = {
        { "dumpcycle", "14" }, { "BUMP-MULT", NULL }, { "bumpmult", "2.5" },
        { "tapetype:LTO-SIM:length", "8388608" }, { "org", "TestSet" },
        { "holdingdisk:hd1:directory", "/var/holding/one" },
        { "dumptype:tar-child:compress", "SERVER FAST" },
        { "dumptype:tar-base:holdingdisk", "REQUIRED" },
        { "dumptype:tar-base:priority", "HIGH" },
        { "dumptype:tar-child:priority", "7" },
        { "dumptype:tar-base:strategy", "NOINC" },
        { "dumptype:global:index", "yes" },
        { "taperalgo", "LARGESTFIT" }, { "autoflush", "all" },
        { "reserved-tcp-port", "600,700" }, { "labelstr", "^TestSet-[0-9]+$" },
        { "autolabel", "\"TestSet-%%%\" VOLUME-ERROR EMPTY" },
        { "holdingdisk", "\"hd1\" \"hd2\"" }, { "storage", "\"TestSet\"" },
        { "property", "\"global-prop\" \"a\" \"b\" \"c\"" },
        { "application:app_amgtar:property",
          "\"ONE-FILE-SYSTEM\" \"yes\"\npriority \"ATIME-PRESERVE\" \"no\"" },
        { "send-amreport-on", "STRANGE" }, { "displayunit", "m" },
        { "storage:TestSet:dump_selection", "ALL FULL" },
        { "dumptype:tar-base:dump_limit", "SERVER" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        const conf_value_t *v = conf_get_by_name(c, cases[i].name, &err);
        if (!cases[i].text) {
            g_assert_null(v);
            g_assert_error(err, CONF_ERROR, CONF_ERROR_UNKNOWN);
            continue;
        }
        g_assert_no_error(err);
        g_autofree char *s = shown(v);
        g_assert_cmpstr(s, ==, cases[i].text);
    }
    g_autoptr(GError) err = NULL;
    g_assert_null(conf_get_by_name(c, "dumptype:nosuch:compress", &err));
    g_assert_cmpstr(err->message, ==, "unknown dumptype \"nosuch\"");
}

static void
test_units_and_keywords(void)
{
    g_autoptr(conf_t) c = parse_text(
        "BUMPSIZE 2048 bytes\nnetusage 1g\ndumpcycle 1 week\n"
        "tapecycle inf\nDEVICE_OUTPUT-BUFFER_size 64 KB\n"
        "define tapetype T {\n length 2 t\n blocksize 32768 b\n}\n", "u.conf");
    g_assert_cmpuint(conf_errors(c)->len, ==, 0);
    g_assert_cmpint(conf_get_int(c, CNF_BUMPSIZE), ==, 2);
    g_assert_cmpint(conf_get_int(c, CNF_NETUSAGE), ==, 1048576);
    g_assert_cmpint(conf_get_int(c, CNF_DUMPCYCLE), ==, 7);
    g_assert_cmpint(conf_get_int(c, CNF_TAPECYCLE), ==, G_MAXINT32);
    g_assert_cmpint(conf_get_int(c, CNF_DEVICE_OUTPUT_BUFFER_SIZE), ==, 64);
    conf_section_t *t = conf_lookup(c, CONF_TAPETYPE, "T");
    g_assert_cmpint(conf_section_get(t, TAPETYPE_LENGTH)->i, ==, (gint64)2 << 30);
    g_assert_cmpint(conf_section_get(t, TAPETYPE_BLOCKSIZE)->i, ==, 32);
    /* every table keyword is found by its own name, '_' or '-' */
    for (int k = 0; k < CONF_KIND_COUNT; k++)
        for (int i = 0; i < conf_param_count(k); i++) {
            g_autofree char *dash = g_strdelimit(g_strdup(conf_param_keyword(k, i)), "_", '-');
            g_assert_cmpint(conf_param_find(k, dash), ==, i);
        }
}

static void
test_parse_errors(void)
{
    assert_only_error("org \"x\"\ndumpcycl 3\n", "t.conf:2: unknown parameter \"dumpcycl\"");
    assert_only_error("define dumptype d {\n  index\n  compres none\n}\n",
                      "t.conf:3: unknown dumptype parameter \"compres\"");
    assert_only_error("dumpcycle ten\n",
                      "t.conf:1: dumpcycle: a number is expected, got \"ten\"");
    assert_only_error("bumpsize 3 parsecs\n", "t.conf:1: bumpsize: unknown unit \"parsecs\"");
    assert_only_error("bumpsize 3 weeks\n", "t.conf:1: bumpsize: unknown unit \"weeks\"");
    assert_only_error("define dumptype d {\n index maybe\n}\n",
                      "t.conf:2: index: yes or no is expected, got \"maybe\"");
    assert_only_error("taperalgo random\n",
                      "t.conf:1: taperalgo: expected one of first, firstfit, largest, "
                      "largestfit, smallest, smallestfit, last, lastfit; got \"random\"");
    assert_only_error("define dumptype d {\n compress quick\n}\n",
                      "t.conf:2: compress: expected none, client, server, fast, best "
                      "or custom; got \"quick\"");
    assert_only_error("define dumptype d {\n nosuch\n}\n", "t.conf:2: unknown dumptype \"nosuch\"");
    assert_only_error("define tapetype a {\n}\ndefine tapetype a {\n}\n",
                      "t.conf:3: tapetype \"a\" is already defined at t.conf:1");
    assert_only_error("define dumptype d {\n index yes\n", "t.conf:3: missing \"}\" to close "
                      "dumptype \"d\" opened at line 1");
    assert_only_error("org \"unterminated\n", "t.conf:1: unterminated quoted string");
    assert_only_error("define widget w {\n}\n", "t.conf:1: define: unknown section kind \"widget\"");
    assert_only_error("dumpcycle 3 days extra\n",
                      "t.conf:1: dumpcycle: unexpected \"extra\" after the value");
    g_autoptr(conf_t) c = parse_text("\nlabelstr \"([a-z]\"\n", "t.conf");
    g_assert_cmpuint(conf_errors(c)->len, ==, 1);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(conf_errors(c), 0),
                  "t.conf:2: labelstr: bad regular expression \"([a-z]\": "));
}

static void
test_more_errors(void)
{
    assert_only_error("inparallel 100\n", "t.conf:1: inparallel must be between 1 and 63");
    assert_only_error("holdingdisk nosuch\n", "t.conf:1: unknown holdingdisk \"nosuch\"");
    assert_only_error("reserved-tcp-port 900\n",
                      "t.conf:1: reserved_tcp_port: two numbers LOW,HIGH are expected");
    assert_only_error("define dumptype d { index\n}\n",
                      "t.conf:1: unexpected \"index\" after \"{\"");
    assert_only_error("define script s {\n execute-on pre-dle-backup, sometime\n}\n",
                      "t.conf:2: execute_on: unknown execute-on \"sometime\"");
    assert_only_error("}\n", "t.conf:1: unexpected \"}\"");
    /* includefile errors carry the including file and line */
    g_autoptr(conf_t) c = conf_new(0);
    const char *t = "\n\nincludefile \"no-such-file.conf\"\n";
    conf_parse_buffer(c, t, strlen(t), "/nonexistent-dir/amanda.conf");
    g_assert_cmpuint(conf_errors(c)->len, ==, 1);
    g_assert_true(g_str_has_prefix(g_ptr_array_index(conf_errors(c), 0),
                  "/nonexistent-dir/amanda.conf:3: cannot read includefile "
                  "\"/nonexistent-dir/no-such-file.conf\": "));
    /* all errors of a file are collected, good lines still apply */
    g_autoptr(conf_t) m = parse_text("a 1\nb 2\norg \"ok\"\nc 3\n", "m.conf");
    g_assert_cmpuint(conf_errors(m)->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(conf_errors(m), 2), ==, "m.conf:4: unknown parameter \"c\"");
    g_assert_cmpstr(conf_get_str(m, CNF_ORG), ==, "ok");
    /* a missing config is reported through GError */
    g_autoptr(GError) err = NULL;
    g_setenv("AMANDA_CONFIG_DIR", "/nonexistent-amanda-dir", TRUE);
    g_assert_null(conf_load_checked("nosuch", NULL, 0, NULL, &err));
    g_assert_error(err, CONF_ERROR, CONF_ERROR_NOT_FOUND);
}

static void
assert_disklist_error(const char *text, const char *expected)
{
    g_autoptr(conf_t) c = parse_text("define dumptype comp-user {\n}\n"
                                     "define interface le0 {\n}\n", "amanda.conf");
    g_autoptr(disklist_t) dl = disklist_new(c);
    disklist_parse_buffer(dl, text, strlen(text), "disklist");
    const GPtrArray *e = disklist_errors(dl);
    if (e->len != 1)
        for (guint i = 0; i < e->len; i++)
            g_printerr("got: %s\n", (char *)g_ptr_array_index(e, i));
    g_assert_cmpuint(e->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(e, 0), ==, expected);
}

static void
test_disklist_errors(void)
{
    GString *s = g_string_new(NULL);
    for (int i = 1; i < 12; i++)
        g_string_append_printf(s, "host%d /disk comp-user\n", i);
    g_string_append(s, "host12 /home comp-user-tar\n");
    assert_disklist_error(s->str, "disklist:12: unknown dumptype \"comp-user-tar\"");
    g_string_free(s, TRUE);
    assert_disklist_error("a /x comp-user\n\na /x comp-user\n",
                          "disklist:3: host \"a\" disk \"/x\" is already listed at disklist:1");
    assert_disklist_error("a /x comp-user 1 eth9\n", "disklist:1: unknown interface \"eth9\"");
    assert_disklist_error("a /x comp-user 1 le0 extra\n",
                          "disklist:1: unexpected \"extra\" after the interface");
    assert_disklist_error("a /x\n", "disklist:1: host \"a\" disk \"/x\": a dumptype is expected");
    assert_disklist_error("a /x {\n comp-user\n nosuch 1\n} 1\n",
                          "disklist:3: unknown dumptype parameter \"nosuch\"");
    assert_disklist_error("a /x { comp-user }\n",
                          "disklist:1: unexpected \"comp-user\" after \"{\" (the inline "
                          "dumptype starts on the next line)");
    assert_disklist_error("a\n", "disklist:1: host \"a\": a disk name is expected");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf/defaults", test_defaults);
    g_test_add_func("/conf/dumptype-defaults", test_dumptype_defaults);
    g_test_add_func("/conf/predefined", test_predefined);
    g_test_add_func("/conf/full-globals", test_full_globals);
    g_test_add_func("/conf/full-sections", test_full_sections);
    g_test_add_func("/conf/inheritance", test_inheritance);
    g_test_add_func("/conf/disklist", test_disklist);
    g_test_add_func("/conf/client", test_client);
    g_test_add_func("/conf/overrides", test_overrides);
    g_test_add_func("/conf/get-by-name-and-print", test_get_by_name_and_print);
    g_test_add_func("/conf/units-and-keywords", test_units_and_keywords);
    g_test_add_func("/conf/parse-errors", test_parse_errors);
    g_test_add_func("/conf/more-errors", test_more_errors);
    g_test_add_func("/conf/disklist-errors", test_disklist_errors);
    return g_test_run();
}
