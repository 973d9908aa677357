/* amfeatures: the protocol feature bitmask ("features=<hex>").
 *
 * Each side of every AMANDA conversation advertises the protocol variants
 * it understands as a bit set, and uses a variant only when the peer's set
 * has the bit.  Bit n lives in byte n >> 3 at bit position n & 7; on the
 * wire the bytes are written in order as two lowercase hex digits each.
 * The bit numbers below are wire facts shared with AMANDA 3.5.1 and must
 * never be renumbered; a new feature takes the next free number. */
#ifndef AMFEATURES_H
#define AMFEATURES_H

#include <glib.h>

typedef enum {

    /* Feature negotiation itself and the request OPTIONS keywords (2.4.x). */
    AM_FEATURE_HAVE_FEATURE_SUPPORT = 0,
    AM_FEATURE_OPTIONS_AUTH = 1,

    /* selfcheck, sendsize, sendbackup and noop request/reply forms. */
    AM_FEATURE_SELFCHECK_REQ = 2,
    AM_FEATURE_SELFCHECK_REQ_DEVICE = 3,
    AM_FEATURE_SELFCHECK_REP = 4,
    AM_FEATURE_SENDSIZE_REQ_NO_OPTIONS = 5,
    AM_FEATURE_SENDSIZE_REQ_OPTIONS = 6,
    AM_FEATURE_SENDSIZE_REQ_DEVICE = 7,
    AM_FEATURE_SENDSIZE_REP = 8,
    AM_FEATURE_SENDBACKUP_REQ = 9,
    AM_FEATURE_SENDBACKUP_REQ_DEVICE = 10,
    AM_FEATURE_SENDBACKUP_REP = 11,
    AM_FEATURE_NOOP_REQ = 12,
    AM_FEATURE_NOOP_REP = 13,

    /* Backup programs and DLE options the client understands. */
    AM_FEATURE_PROGRAM_DUMP = 14,
    AM_FEATURE_PROGRAM_GNUTAR = 15,
    AM_FEATURE_PROGRAM_APPLICATION_API = 16,
    AM_FEATURE_OPTIONS_COMPRESS_FAST = 17,
    AM_FEATURE_OPTIONS_COMPRESS_BEST = 18,
    AM_FEATURE_OPTIONS_SRVCOMP_FAST = 19,
    AM_FEATURE_OPTIONS_SRVCOMP_BEST = 20,
    AM_FEATURE_OPTIONS_NO_RECORD = 21,
    AM_FEATURE_OPTIONS_INDEX = 22,
    AM_FEATURE_OPTIONS_EXCLUDE_FILE = 23,
    AM_FEATURE_OPTIONS_EXCLUDE_LIST = 24,
    AM_FEATURE_OPTIONS_MULTIPLE_EXCLUDE = 25,
    AM_FEATURE_OPTIONS_OPTIONAL_EXCLUDE = 26,
    AM_FEATURE_OPTIONS_INCLUDE_FILE = 27,
    AM_FEATURE_OPTIONS_INCLUDE_LIST = 28,
    AM_FEATURE_OPTIONS_MULTIPLE_INCLUDE = 29,
    AM_FEATURE_OPTIONS_OPTIONAL_INCLUDE = 30,
    AM_FEATURE_OPTIONS_BSD_AUTH = 31,
    AM_FEATURE_OPTIONS_KRB4_AUTH = 32,
    AM_FEATURE_OPTIONS_KENCRYPT = 33,

    /* Request and reply OPTIONS fields. */
    AM_FEATURE_REQ_OPTIONS_MAXDUMPS = 34,
    AM_FEATURE_REQ_OPTIONS_HOSTNAME = 35,
    AM_FEATURE_REQ_OPTIONS_FEATURES = 36,
    AM_FEATURE_REP_OPTIONS_MAXDUMPS = 37,
    AM_FEATURE_REP_OPTIONS_HOSTNAME = 38,
    AM_FEATURE_REP_OPTIONS_FEATURES = 39,
    AM_FEATURE_REP_OPTIONS_SENDBACKUP_OPTIONS = 40,

    /* amindexd / amidxtaped protocol variants (restore side). */
    AM_FEATURE_AMINDEXD_FILENO_IN_OLSD = 41,
    AM_FEATURE_AMINDEXD_FILENO_IN_ORLD = 42,
    AM_FEATURE_AMIDXTAPED_FSF = 43,
    AM_FEATURE_AMIDXTAPED_LABEL = 44,
    AM_FEATURE_AMIDXTAPED_DEVICE = 45,
    AM_FEATURE_AMIDXTAPED_HOST = 46,
    AM_FEATURE_AMIDXTAPED_DISK = 47,
    AM_FEATURE_AMIDXTAPED_DATESTAMP = 48,
    AM_FEATURE_AMIDXTAPED_HEADER = 49,
    AM_FEATURE_AMIDXTAPED_NARGS = 50,
    AM_FEATURE_AMIDXTAPED_CONFIG = 51,

    /* Estimates. */
    AM_FEATURE_PARTIAL_ESTIMATE = 52,
    AM_FEATURE_CALCSIZE_ESTIMATE = 53,
    AM_FEATURE_SELFCHECK_CALCSIZE = 54,

    /* Restore of split dumps; amidxtaped feature exchange. */
    AM_FEATURE_RECOVER_SPLITS = 55,
    AM_FEATURE_AMIDXTAPED_EXCHANGE_FEATURES = 56,

    /* Custom compression and encryption. */
    AM_FEATURE_OPTIONS_COMPRESS_CUST = 57,
    AM_FEATURE_OPTIONS_SRVCOMP_CUST = 58,
    AM_FEATURE_OPTIONS_ENCRYPT_CUST = 59,
    AM_FEATURE_OPTIONS_ENCRYPT_SERV_CUST = 60,
    AM_FEATURE_OPTIONS_CLIENT_DECRYPT_OPTION = 61,
    AM_FEATURE_OPTIONS_SERVER_DECRYPT_OPTION = 62,

    /* Marshalled index/restore replies and quoting. */
    AM_FEATURE_AMINDEXD_MARSHALL_IN_OLSD = 63,
    AM_FEATURE_AMINDEXD_MARSHALL_IN_ORLD = 64,
    AM_FEATURE_AMINDEXD_MARSHALL_IN_DHST = 65,
    AM_FEATURE_AMRECOVER_FEEDME = 66,
    AM_FEATURE_AMRECOVER_TIMESTAMP = 67,
    AM_FEATURE_INTERFACE_QUOTED_TEXT = 68,
    AM_FEATURE_PROGRAM_STAR = 69,
    AM_FEATURE_AMINDEXD_OPTIONS_HOSTNAME = 70,
    AM_FEATURE_AMINDEXD_OPTIONS_FEATURES = 71,
    AM_FEATURE_AMINDEXD_OPTIONS_AUTH = 72,
    AM_FEATURE_AMIDXTAPED_OPTIONS_HOSTNAME = 73,
    AM_FEATURE_AMIDXTAPED_OPTIONS_FEATURES = 74,
    AM_FEATURE_AMIDXTAPED_OPTIONS_AUTH = 75,
    AM_FEATURE_AMRECOVER_MESSAGE = 76,
    AM_FEATURE_AMRECOVER_FEEDME_TAPE = 77,
    AM_FEATURE_REQ_OPTIONS_CONFIG = 78,
    AM_FEATURE_REP_SENDSIZE_QUOTED_ERROR = 79,

    /* XML DLEs and the 3.x application/script API. */
    AM_FEATURE_REQ_XML = 80,
    AM_FEATURE_PP_SCRIPT = 81,
    AM_FEATURE_AMINDEXD_DLE = 82,
    AM_FEATURE_AMRECOVER_DLE_IN_HEADER = 83,
    AM_FEATURE_XML_ESTIMATE = 84,
    AM_FEATURE_XML_PROPERTY_PRIORITY = 85,
    AM_FEATURE_SENDSIZE_REP_WARNING = 86,
    AM_FEATURE_XML_ESTIMATELIST = 87,
    AM_FEATURE_XML_LEVEL_SERVER = 88,
    AM_FEATURE_XML_DATA_PATH = 89,
    AM_FEATURE_XML_DIRECTTCP_LIST = 90,
    AM_FEATURE_AMIDXTAPED_DATAPATH = 91,
    AM_FEATURE_SENDBACKUP_NOOP = 92,
    AM_FEATURE_AMRECOVER_ORIGSIZE_IN_HEADER = 93,
    AM_FEATURE_AMIDXTAPED_ABORT = 94,
    AM_FEATURE_AMRECOVER_CORRECT_DISK_QUOTING = 95,
    AM_FEATURE_AMINDEXD_QUOTE_LABEL = 96,
    AM_FEATURE_AMRECOVER_RECEIVE_UNFILTERED = 97,
    AM_FEATURE_APPLICATION_CLIENT_NAME = 98,
    AM_FEATURE_SCRIPT_CLIENT_NAME = 99,
    AM_FEATURE_DUMPTYPE_PROPERTY = 100,

    /* 3.x sendbackup state, CRCs, retries and messages. */
    AM_FEATURE_SENDBACKUP_STATE = 101,
    AM_FEATURE_SENDBACKUP_CRC = 102,
    AM_FEATURE_AMRECOVER_CRC_IN_HEADER = 103,
    AM_FEATURE_AMRECOVER_DATA_STATUS = 104,
    AM_FEATURE_AMRECOVER_DATA_CRC = 105,
    AM_FEATURE_AMRECOVER_STORAGE_IN_MARSHALL = 106,
    AM_FEATURE_AMIDXTAPED_STORAGE_IN_MARSHALL = 107,
    AM_FEATURE_AMINDEXD_STORAGE = 108,
    AM_FEATURE_SENDBACKUP_RETRY = 109,
    AM_FEATURE_SENDBACKUP_RETRY_DELAY = 110,
    AM_FEATURE_SENDBACKUP_RETRY_LEVEL = 111,
    AM_FEATURE_SENDBACKUP_RETRY_MESSAGE = 112,
    AM_FEATURE_SELFCHECK_MESSAGE = 113,
    AM_FEATURE_SENDSIZE_MESSAGE = 114,
    AM_FEATURE_SENDBACKUP_MESSAGE = 115,
    AM_FEATURE_SENDBACKUP_REP_RETRY = 116,

    /* STATE stream and the 3.4+ restore dialogue. */
    AM_FEATURE_SENDBACKUP_STREAM_STATE = 117,
    AM_FEATURE_AMRECOVER_STREAM_STATE = 118,
    AM_FEATURE_AMIDXTAPED_DAR = 119,
    AM_FEATURE_RESTORE_MESG_JSON = 120,
    AM_FEATURE_RESTORE_STATE_STREAM = 121,
    AM_FEATURE_AMRECOVER_HEADER_SEND_SIZE = 122,
    AM_FEATURE_AMRECOVER_HEADER_READY = 123,
    AM_FEATURE_AMRECOVER_HEADER_DONE = 124,
    AM_FEATURE_AMRECOVER_STATE_SEND = 125,
    AM_FEATURE_AMRECOVER_STATE_READY = 126,
    AM_FEATURE_AMRECOVER_STATE_DONE = 127,
    AM_FEATURE_AMRECOVER_DATA_SEND = 128,
    AM_FEATURE_AMRECOVER_DATA_READY = 129,
    AM_FEATURE_AMRECOVER_DATA_DONE = 130,
    AM_FEATURE_RESTORE_HEADER_SEND_SIZE = 131,
    AM_FEATURE_RESTORE_HEADER_READY = 132,
    AM_FEATURE_RESTORE_HEADER_DONE = 133,
    AM_FEATURE_RESTORE_STATE_SEND = 134,
    AM_FEATURE_RESTORE_STATE_READY = 135,
    AM_FEATURE_RESTORE_STATE_DONE = 136,
    AM_FEATURE_RESTORE_DATA_SEND = 137,
    AM_FEATURE_RESTORE_DATA_READY = 138,
    AM_FEATURE_RESTORE_DATA_DONE = 139,
    AM_FEATURE_RESTORE_DAR = 140,
    AM_FEATURE_RESTORE_DATAPATH = 141,
    AM_FEATURE_RESTORE_INCLUDE = 142,
    AM_FEATURE_RESTORE_INCLUDE_GLOB = 143,
    AM_FEATURE_RESTORE_EXCLUDE = 144,
    AM_FEATURE_RESTORE_EXCLUDE_GLOB = 145,
    AM_FEATURE_RESTORE_PREV_NEXT_LEVEL = 146,
    AM_FEATURE_SENDBACKUP_REQ_OPTIONS_DATA_SHM_CONTROL_NAME = 147,
    AM_FEATURE_REQ_OPTIONS_TIMESTAMP = 148,

    AM_FEATURE_COUNT = 149 /* one past the last known bit */
} am_feature_t;

/* A set of feature bits.  SIZE bytes; bits past the end read as clear, so
 * a short set from an old peer simply lacks the newer features. */
typedef struct {
    gsize size;
    guint8 *bytes;
} am_features_t;

#define AM_FEATURES_ERROR (am_features_error_quark())
GQuark am_features_error_quark(void);
typedef enum {
    AM_FEATURES_ERROR_SYNTAX,  /* odd length or a non-hex character */
    AM_FEATURES_ERROR_TOO_LONG,
} am_features_error_t;

/* Longest hex string accepted from a peer (far above any real set). */
#define AM_FEATURES_MAX_HEX 8192

/* An empty set, sized for every bit this build knows. */
am_features_t *am_features_new(void);
/* The set this suite advertises. */
am_features_t *am_features_ours(void);
am_features_t *am_features_copy(const am_features_t *set);
void am_features_free(am_features_t *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(am_features_t, am_features_free)

/* Set or clear bit N (any number: the set grows as needed). */
void am_feature_set(am_features_t *set, guint n);
void am_feature_clear(am_features_t *set, guint n);
/* Is bit N set?  A NULL set (the peer sent none) has no features. */
gboolean am_feature_test(const am_features_t *set, guint n);

/* New sets; the result is as long as the longer operand. */
am_features_t *am_features_union(const am_features_t *a, const am_features_t *b);
am_features_t *am_features_intersection(const am_features_t *a, const am_features_t *b);
/* Same bits set (trailing zero bytes do not matter). */
gboolean am_features_equal(const am_features_t *a, const am_features_t *b);

/* "ffffffff9efe..." (lowercase, two digits per byte, byte order). */
char *am_features_to_hex(const am_features_t *set);
/* Parse a hex string of any even length, either case.  NULL with an
 * error naming the offending position for odd length, a non-hex
 * character, or more than AM_FEATURES_MAX_HEX digits.  "" is an empty set. */
am_features_t *am_features_from_hex(const char *hex, GError **error);

/* "sendbackup_stream_state" for a known bit, NULL otherwise (for logs). */
const char *am_feature_name(guint n);

#endif
