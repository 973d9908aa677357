/* amfeatures: feature bit sets and their hex form (see amfeatures.h). */
#include "config.h"
#include "amfeatures.h"

#include <string.h>

G_DEFINE_QUARK(am-features-error-quark, am_features_error)

#define KNOWN_BYTES ((AM_FEATURE_COUNT + 7) / 8)

static const char *const feature_names[AM_FEATURE_COUNT] = {
    [AM_FEATURE_HAVE_FEATURE_SUPPORT] = "have_feature_support",
    [AM_FEATURE_OPTIONS_AUTH] = "options_auth",
    [AM_FEATURE_SELFCHECK_REQ] = "selfcheck_req",
    [AM_FEATURE_SELFCHECK_REQ_DEVICE] = "selfcheck_req_device",
    [AM_FEATURE_SELFCHECK_REP] = "selfcheck_rep",
    [AM_FEATURE_SENDSIZE_REQ_NO_OPTIONS] = "sendsize_req_no_options",
    [AM_FEATURE_SENDSIZE_REQ_OPTIONS] = "sendsize_req_options",
    [AM_FEATURE_SENDSIZE_REQ_DEVICE] = "sendsize_req_device",
    [AM_FEATURE_SENDSIZE_REP] = "sendsize_rep",
    [AM_FEATURE_SENDBACKUP_REQ] = "sendbackup_req",
    [AM_FEATURE_SENDBACKUP_REQ_DEVICE] = "sendbackup_req_device",
    [AM_FEATURE_SENDBACKUP_REP] = "sendbackup_rep",
    [AM_FEATURE_NOOP_REQ] = "noop_req",
    [AM_FEATURE_NOOP_REP] = "noop_rep",
    [AM_FEATURE_PROGRAM_DUMP] = "program_dump",
    [AM_FEATURE_PROGRAM_GNUTAR] = "program_gnutar",
    [AM_FEATURE_PROGRAM_APPLICATION_API] = "program_application_api",
    [AM_FEATURE_OPTIONS_COMPRESS_FAST] = "options_compress_fast",
    [AM_FEATURE_OPTIONS_COMPRESS_BEST] = "options_compress_best",
    [AM_FEATURE_OPTIONS_SRVCOMP_FAST] = "options_srvcomp_fast",
    [AM_FEATURE_OPTIONS_SRVCOMP_BEST] = "options_srvcomp_best",
    [AM_FEATURE_OPTIONS_NO_RECORD] = "options_no_record",
    [AM_FEATURE_OPTIONS_INDEX] = "options_index",
    [AM_FEATURE_OPTIONS_EXCLUDE_FILE] = "options_exclude_file",
    [AM_FEATURE_OPTIONS_EXCLUDE_LIST] = "options_exclude_list",
    [AM_FEATURE_OPTIONS_MULTIPLE_EXCLUDE] = "options_multiple_exclude",
    [AM_FEATURE_OPTIONS_OPTIONAL_EXCLUDE] = "options_optional_exclude",
    [AM_FEATURE_OPTIONS_INCLUDE_FILE] = "options_include_file",
    [AM_FEATURE_OPTIONS_INCLUDE_LIST] = "options_include_list",
    [AM_FEATURE_OPTIONS_MULTIPLE_INCLUDE] = "options_multiple_include",
    [AM_FEATURE_OPTIONS_OPTIONAL_INCLUDE] = "options_optional_include",
    [AM_FEATURE_OPTIONS_BSD_AUTH] = "options_bsd_auth",
    [AM_FEATURE_OPTIONS_KRB4_AUTH] = "options_krb4_auth",
    [AM_FEATURE_OPTIONS_KENCRYPT] = "options_kencrypt",
    [AM_FEATURE_REQ_OPTIONS_MAXDUMPS] = "req_options_maxdumps",
    [AM_FEATURE_REQ_OPTIONS_HOSTNAME] = "req_options_hostname",
    [AM_FEATURE_REQ_OPTIONS_FEATURES] = "req_options_features",
    [AM_FEATURE_REP_OPTIONS_MAXDUMPS] = "rep_options_maxdumps",
    [AM_FEATURE_REP_OPTIONS_HOSTNAME] = "rep_options_hostname",
    [AM_FEATURE_REP_OPTIONS_FEATURES] = "rep_options_features",
    [AM_FEATURE_REP_OPTIONS_SENDBACKUP_OPTIONS] = "rep_options_sendbackup_options",
    [AM_FEATURE_AMINDEXD_FILENO_IN_OLSD] = "amindexd_fileno_in_OLSD",
    [AM_FEATURE_AMINDEXD_FILENO_IN_ORLD] = "amindexd_fileno_in_ORLD",
    [AM_FEATURE_AMIDXTAPED_FSF] = "amidxtaped_fsf",
    [AM_FEATURE_AMIDXTAPED_LABEL] = "amidxtaped_label",
    [AM_FEATURE_AMIDXTAPED_DEVICE] = "amidxtaped_device",
    [AM_FEATURE_AMIDXTAPED_HOST] = "amidxtaped_host",
    [AM_FEATURE_AMIDXTAPED_DISK] = "amidxtaped_disk",
    [AM_FEATURE_AMIDXTAPED_DATESTAMP] = "amidxtaped_datestamp",
    [AM_FEATURE_AMIDXTAPED_HEADER] = "amidxtaped_header",
    [AM_FEATURE_AMIDXTAPED_NARGS] = "amidxtaped_nargs",
    [AM_FEATURE_AMIDXTAPED_CONFIG] = "amidxtaped_config",
    [AM_FEATURE_PARTIAL_ESTIMATE] = "partial_estimate",
    [AM_FEATURE_CALCSIZE_ESTIMATE] = "calcsize_estimate",
    [AM_FEATURE_SELFCHECK_CALCSIZE] = "selfcheck_calcsize",
    [AM_FEATURE_RECOVER_SPLITS] = "recover_splits",
    [AM_FEATURE_AMIDXTAPED_EXCHANGE_FEATURES] = "amidxtaped_exchange_features",
    [AM_FEATURE_OPTIONS_COMPRESS_CUST] = "options_compress_cust",
    [AM_FEATURE_OPTIONS_SRVCOMP_CUST] = "options_srvcomp_cust",
    [AM_FEATURE_OPTIONS_ENCRYPT_CUST] = "options_encrypt_cust",
    [AM_FEATURE_OPTIONS_ENCRYPT_SERV_CUST] = "options_encrypt_serv_cust",
    [AM_FEATURE_OPTIONS_CLIENT_DECRYPT_OPTION] = "options_client_decrypt_option",
    [AM_FEATURE_OPTIONS_SERVER_DECRYPT_OPTION] = "options_server_decrypt_option",
    [AM_FEATURE_AMINDEXD_MARSHALL_IN_OLSD] = "amindexd_marshall_in_OLSD",
    [AM_FEATURE_AMINDEXD_MARSHALL_IN_ORLD] = "amindexd_marshall_in_ORLD",
    [AM_FEATURE_AMINDEXD_MARSHALL_IN_DHST] = "amindexd_marshall_in_DHST",
    [AM_FEATURE_AMRECOVER_FEEDME] = "amrecover_FEEDME",
    [AM_FEATURE_AMRECOVER_TIMESTAMP] = "amrecover_timestamp",
    [AM_FEATURE_INTERFACE_QUOTED_TEXT] = "interface_quoted_text",
    [AM_FEATURE_PROGRAM_STAR] = "program_star",
    [AM_FEATURE_AMINDEXD_OPTIONS_HOSTNAME] = "amindexd_options_hostname",
    [AM_FEATURE_AMINDEXD_OPTIONS_FEATURES] = "amindexd_options_features",
    [AM_FEATURE_AMINDEXD_OPTIONS_AUTH] = "amindexd_options_auth",
    [AM_FEATURE_AMIDXTAPED_OPTIONS_HOSTNAME] = "amidxtaped_options_hostname",
    [AM_FEATURE_AMIDXTAPED_OPTIONS_FEATURES] = "amidxtaped_options_features",
    [AM_FEATURE_AMIDXTAPED_OPTIONS_AUTH] = "amidxtaped_options_auth",
    [AM_FEATURE_AMRECOVER_MESSAGE] = "amrecover_message",
    [AM_FEATURE_AMRECOVER_FEEDME_TAPE] = "amrecover_feedme_tape",
    [AM_FEATURE_REQ_OPTIONS_CONFIG] = "req_options_config",
    [AM_FEATURE_REP_SENDSIZE_QUOTED_ERROR] = "rep_sendsize_quoted_error",
    [AM_FEATURE_REQ_XML] = "req_xml",
    [AM_FEATURE_PP_SCRIPT] = "pp_script",
    [AM_FEATURE_AMINDEXD_DLE] = "amindexd_DLE",
    [AM_FEATURE_AMRECOVER_DLE_IN_HEADER] = "amrecover_dle_in_header",
    [AM_FEATURE_XML_ESTIMATE] = "xml_estimate",
    [AM_FEATURE_XML_PROPERTY_PRIORITY] = "xml_property_priority",
    [AM_FEATURE_SENDSIZE_REP_WARNING] = "sendsize_rep_warning",
    [AM_FEATURE_XML_ESTIMATELIST] = "xml_estimatelist",
    [AM_FEATURE_XML_LEVEL_SERVER] = "xml_level_server",
    [AM_FEATURE_XML_DATA_PATH] = "xml_data_path",
    [AM_FEATURE_XML_DIRECTTCP_LIST] = "xml_directtcp_list",
    [AM_FEATURE_AMIDXTAPED_DATAPATH] = "amidxtaped_datapath",
    [AM_FEATURE_SENDBACKUP_NOOP] = "sendbackup_noop",
    [AM_FEATURE_AMRECOVER_ORIGSIZE_IN_HEADER] = "amrecover_origsize_in_header",
    [AM_FEATURE_AMIDXTAPED_ABORT] = "amidxtaped_abort",
    [AM_FEATURE_AMRECOVER_CORRECT_DISK_QUOTING] = "amrecover_correct_disk_quoting",
    [AM_FEATURE_AMINDEXD_QUOTE_LABEL] = "amindexd_quote_label",
    [AM_FEATURE_AMRECOVER_RECEIVE_UNFILTERED] = "amrecover_receive_unfiltered",
    [AM_FEATURE_APPLICATION_CLIENT_NAME] = "application_client_name",
    [AM_FEATURE_SCRIPT_CLIENT_NAME] = "script_client_name",
    [AM_FEATURE_DUMPTYPE_PROPERTY] = "dumptype_property",
    [AM_FEATURE_SENDBACKUP_STATE] = "sendbackup_state",
    [AM_FEATURE_SENDBACKUP_CRC] = "sendbackup_crc",
    [AM_FEATURE_AMRECOVER_CRC_IN_HEADER] = "amrecover_crc_in_header",
    [AM_FEATURE_AMRECOVER_DATA_STATUS] = "amrecover_data_status",
    [AM_FEATURE_AMRECOVER_DATA_CRC] = "amrecover_data_crc",
    [AM_FEATURE_AMRECOVER_STORAGE_IN_MARSHALL] = "amrecover_storage_in_marshall",
    [AM_FEATURE_AMIDXTAPED_STORAGE_IN_MARSHALL] = "amidxtaped_storage_in_marshall",
    [AM_FEATURE_AMINDEXD_STORAGE] = "amindexd_STORAGE",
    [AM_FEATURE_SENDBACKUP_RETRY] = "sendbackup_retry",
    [AM_FEATURE_SENDBACKUP_RETRY_DELAY] = "sendbackup_retry_delay",
    [AM_FEATURE_SENDBACKUP_RETRY_LEVEL] = "sendbackup_retry_level",
    [AM_FEATURE_SENDBACKUP_RETRY_MESSAGE] = "sendbackup_retry_message",
    [AM_FEATURE_SELFCHECK_MESSAGE] = "selfcheck_message",
    [AM_FEATURE_SENDSIZE_MESSAGE] = "sendsize_message",
    [AM_FEATURE_SENDBACKUP_MESSAGE] = "sendbackup_message",
    [AM_FEATURE_SENDBACKUP_REP_RETRY] = "sendbackup_rep_retry",
    [AM_FEATURE_SENDBACKUP_STREAM_STATE] = "sendbackup_stream_state",
    [AM_FEATURE_AMRECOVER_STREAM_STATE] = "amrecover_stream_state",
    [AM_FEATURE_AMIDXTAPED_DAR] = "amidxtaped_dar",
    [AM_FEATURE_RESTORE_MESG_JSON] = "restore_mesg_json",
    [AM_FEATURE_RESTORE_STATE_STREAM] = "restore_state_stream",
    [AM_FEATURE_AMRECOVER_HEADER_SEND_SIZE] = "amrecover_header_send_size",
    [AM_FEATURE_AMRECOVER_HEADER_READY] = "amrecover_header_ready",
    [AM_FEATURE_AMRECOVER_HEADER_DONE] = "amrecover_header_done",
    [AM_FEATURE_AMRECOVER_STATE_SEND] = "amrecover_state_send",
    [AM_FEATURE_AMRECOVER_STATE_READY] = "amrecover_state_ready",
    [AM_FEATURE_AMRECOVER_STATE_DONE] = "amrecover_state_done",
    [AM_FEATURE_AMRECOVER_DATA_SEND] = "amrecover_data_send",
    [AM_FEATURE_AMRECOVER_DATA_READY] = "amrecover_data_ready",
    [AM_FEATURE_AMRECOVER_DATA_DONE] = "amrecover_data_done",
    [AM_FEATURE_RESTORE_HEADER_SEND_SIZE] = "restore_header_send_size",
    [AM_FEATURE_RESTORE_HEADER_READY] = "restore_header_ready",
    [AM_FEATURE_RESTORE_HEADER_DONE] = "restore_header_done",
    [AM_FEATURE_RESTORE_STATE_SEND] = "restore_state_send",
    [AM_FEATURE_RESTORE_STATE_READY] = "restore_state_ready",
    [AM_FEATURE_RESTORE_STATE_DONE] = "restore_state_done",
    [AM_FEATURE_RESTORE_DATA_SEND] = "restore_data_send",
    [AM_FEATURE_RESTORE_DATA_READY] = "restore_data_ready",
    [AM_FEATURE_RESTORE_DATA_DONE] = "restore_data_done",
    [AM_FEATURE_RESTORE_DAR] = "restore_dar",
    [AM_FEATURE_RESTORE_DATAPATH] = "restore_datapath",
    [AM_FEATURE_RESTORE_INCLUDE] = "restore_include",
    [AM_FEATURE_RESTORE_INCLUDE_GLOB] = "restore_include_glob",
    [AM_FEATURE_RESTORE_EXCLUDE] = "restore_exclude",
    [AM_FEATURE_RESTORE_EXCLUDE_GLOB] = "restore_exclude_glob",
    [AM_FEATURE_RESTORE_PREV_NEXT_LEVEL] = "restore_prev_next_level",
    [AM_FEATURE_SENDBACKUP_REQ_OPTIONS_DATA_SHM_CONTROL_NAME] = "sendbackup_req_options_data_shm_control_name",
    [AM_FEATURE_REQ_OPTIONS_TIMESTAMP] = "req_options_timestamp",
};

static am_features_t *
features_sized(gsize size)
{
    am_features_t *set = g_new0(am_features_t, 1);
    set->size = size;
    set->bytes = g_malloc0(size ? size : 1);
    return set;
}

am_features_t *
am_features_new(void)
{
    return features_sized(KNOWN_BYTES);
}

/* The bits AMANDA 3.5.1 leaves out of its own set: the krb4 option and
 * reply fields it never sends, amidxtaped "nargs", two message forms and
 * two "data done" restore steps.  Everything else it knows, it advertises. */
static const am_feature_t not_advertised[] = {
    AM_FEATURE_OPTIONS_KRB4_AUTH,
    AM_FEATURE_REP_OPTIONS_MAXDUMPS,
    AM_FEATURE_REP_OPTIONS_HOSTNAME,
    AM_FEATURE_REP_OPTIONS_SENDBACKUP_OPTIONS,
    AM_FEATURE_AMIDXTAPED_NARGS,
    AM_FEATURE_SENDSIZE_MESSAGE,
    AM_FEATURE_SENDBACKUP_MESSAGE,
    AM_FEATURE_AMRECOVER_DATA_DONE,
    AM_FEATURE_RESTORE_DATA_DONE,
};

/* For now our set is exactly what AMANDA 3.5.1 advertises
 * (ffffffff9efefbfffffffffffffff3fffbf71f), so stock clients and servers
 * talk to us the way they talk to each other.  This must shrink (or grow)
 * to what this suite really implements once the protocol modules are in:
 * advertising a variant we cannot speak makes a peer use it.  The lead
 * decides when. */
am_features_t *
am_features_ours(void)
{
    am_features_t *set = am_features_new();
    for (guint n = 0; n < AM_FEATURE_COUNT; n++)
        am_feature_set(set, n);
    for (gsize i = 0; i < G_N_ELEMENTS(not_advertised); i++)
        am_feature_clear(set, not_advertised[i]);
    return set;
}

am_features_t *
am_features_copy(const am_features_t *set)
{
    am_features_t *copy = features_sized(set->size);
    memcpy(copy->bytes, set->bytes, set->size);
    return copy;
}

void
am_features_free(am_features_t *set)
{
    if (!set)
        return;
    g_free(set->bytes);
    g_free(set);
}

static void
grow(am_features_t *set, gsize size)
{
    if (size <= set->size)
        return;
    set->bytes = g_realloc(set->bytes, size);
    memset(set->bytes + set->size, 0, size - set->size);
    set->size = size;
}

void
am_feature_set(am_features_t *set, guint n)
{
    grow(set, (gsize)(n >> 3) + 1);
    set->bytes[n >> 3] |= (guint8)(1u << (n & 7));
}

void
am_feature_clear(am_features_t *set, guint n)
{
    if ((n >> 3) < set->size)
        set->bytes[n >> 3] &= (guint8)~(1u << (n & 7));
}

gboolean
am_feature_test(const am_features_t *set, guint n)
{
    if (!set || (n >> 3) >= set->size)
        return FALSE;
    return (set->bytes[n >> 3] >> (n & 7)) & 1;
}

static guint8
byte_at(const am_features_t *set, gsize i)
{
    return i < set->size ? set->bytes[i] : 0;
}

am_features_t *
am_features_union(const am_features_t *a, const am_features_t *b)
{
    am_features_t *out = features_sized(MAX(a->size, b->size));
    for (gsize i = 0; i < out->size; i++)
        out->bytes[i] = byte_at(a, i) | byte_at(b, i);
    return out;
}

am_features_t *
am_features_intersection(const am_features_t *a, const am_features_t *b)
{
    am_features_t *out = features_sized(MAX(a->size, b->size));
    for (gsize i = 0; i < out->size; i++)
        out->bytes[i] = byte_at(a, i) & byte_at(b, i);
    return out;
}

gboolean
am_features_equal(const am_features_t *a, const am_features_t *b)
{
    for (gsize i = 0; i < MAX(a->size, b->size); i++)
        if (byte_at(a, i) != byte_at(b, i))
            return FALSE;
    return TRUE;
}

char *
am_features_to_hex(const am_features_t *set)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = g_malloc(set->size * 2 + 1);
    for (gsize i = 0; i < set->size; i++) {
        hex[2 * i] = digits[set->bytes[i] >> 4];
        hex[2 * i + 1] = digits[set->bytes[i] & 0xf];
    }
    hex[set->size * 2] = '\0';
    return hex;
}

am_features_t *
am_features_from_hex(const char *hex, GError **error)
{
    gsize len = strnlen(hex, AM_FEATURES_MAX_HEX + 1);
    if (len > AM_FEATURES_MAX_HEX) {
        g_set_error(error, AM_FEATURES_ERROR, AM_FEATURES_ERROR_TOO_LONG,
                    "features: more than %d hex digits", AM_FEATURES_MAX_HEX);
        return NULL;
    }
    if (len % 2 != 0) {
        g_set_error(error, AM_FEATURES_ERROR, AM_FEATURES_ERROR_SYNTAX,
                    "features: odd number of hex digits (%zu)", len);
        return NULL;
    }
    for (gsize i = 0; i < len; i++) {
        if (!g_ascii_isxdigit(hex[i])) {
            g_set_error(error, AM_FEATURES_ERROR, AM_FEATURES_ERROR_SYNTAX,
                        "features: character %zu (0x%02x) is not a hex digit",
                        i + 1, (unsigned char)hex[i]);
            return NULL;
        }
    }
    am_features_t *set = features_sized(len / 2);
    for (gsize i = 0; i < set->size; i++)
        set->bytes[i] = (guint8)(g_ascii_xdigit_value(hex[2 * i]) << 4
                                 | g_ascii_xdigit_value(hex[2 * i + 1]));
    return set;
}

const char *
am_feature_name(guint n)
{
    return n < AM_FEATURE_COUNT ? feature_names[n] : NULL;
}
