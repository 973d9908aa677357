/* conf-keys: the keyword lists of every amanda.conf section, as X-macros.
 *
 * Each line is X(ID, "keyword", TYPE, "default", FLAGS):
 *   ID       the enum constant programs use with the typed getters;
 *   keyword  the spelling in the file ('-' and '_' are equivalent and case
 *            does not matter when matching);
 *   TYPE     the conf_type_t suffix (how the value is parsed and printed);
 *   default  the default written in amanda.conf syntax (parsed by the same
 *            value parser), or NULL for "not set";
 *   FLAGS    CK_S (amanda.conf), CK_C (amanda-client.conf), CK_B (both),
 *            CK_DEPRECATED (accepted with a warning).
 * Enumerated types take their names from conf-tables.c (see
 * conf_enum_names_for()).  The order of lines is the order of the enum. */
#ifndef CONF_KEYS_H
#define CONF_KEYS_H

#define CONF_GLOBAL_KEYS(X) \
    X(CNF_ORG, "org", STR, "\"daily\"", CK_S) \
    X(CNF_CONF, "conf", STR, "\"" DEFAULT_CONFIG "\"", CK_C) \
    X(CNF_INDEX_SERVER, "index_server", STR, NULL, CK_C) \
    X(CNF_TAPE_SERVER, "tape_server", STR, NULL, CK_C) \
    X(CNF_AMDUMP_SERVER, "amdump_server", STR, NULL, CK_C) \
    X(CNF_AUTH, "auth", STR, "\"bsdtcp\"", CK_B) \
    X(CNF_SSH_KEYS, "ssh_keys", STR, NULL, CK_B) \
    X(CNF_AMANDAD_PATH, "amandad_path", STR, NULL, CK_B) \
    X(CNF_CLIENT_USERNAME, "client_username", STR, "\"" CLIENT_LOGIN "\"", CK_B) \
    X(CNF_CLIENT_PORT, "client_port", PORT, "\"amanda\"", CK_B) \
    X(CNF_GNUTAR_LIST_DIR, "gnutar_list_dir", STR, NULL, CK_B) \
    X(CNF_AMANDATES, "amandates", STR, "\"/etc/amandates\"", CK_B) \
    X(CNF_HOSTNAME, "hostname", STR, NULL, CK_B) \
    X(CNF_MAILTO, "mailto", STR, NULL, CK_S) \
    X(CNF_DUMPUSER, "dumpuser", STR, "\"" CLIENT_LOGIN "\"", CK_S) \
    X(CNF_TAPEDEV, "tapedev", STR, "\"null:\"", CK_B) \
    X(CNF_RAWTAPEDEV, "rawtapedev", STR, NULL, CK_S | CK_DEPRECATED) \
    X(CNF_DEVICE_PROPERTY, "device_property", PROPLIST, NULL, CK_S) \
    X(CNF_PROPERTY, "property", PROPLIST, NULL, CK_B) \
    X(CNF_CHANGERDEV, "changerdev", STR, "\"/dev/null\"", CK_S) \
    X(CNF_CHANGERFILE, "changerfile", STR, "\"changer\"", CK_S) \
    X(CNF_LABELSTR, "labelstr", LABELSTR, "match-autolabel", CK_S) \
    X(CNF_AUTOLABEL, "autolabel", AUTOLABEL, NULL, CK_S) \
    X(CNF_META_AUTOLABEL, "meta_autolabel", STR, NULL, CK_S) \
    X(CNF_LABEL_NEW_TAPES, "label_new_tapes", STR, NULL, CK_S | CK_DEPRECATED) \
    X(CNF_TAPELIST, "tapelist", STR, "\"tapelist\"", CK_S) \
    X(CNF_DISKFILE, "diskfile", STR, "\"disklist\"", CK_S) \
    X(CNF_INFOFILE, "infofile", STR, "\"curinfo\"", CK_S) \
    X(CNF_LOGDIR, "logdir", STR, "\"log\"", CK_S) \
    X(CNF_INDEXDIR, "indexdir", STR, "\"index\"", CK_S) \
    X(CNF_TAPETYPE, "tapetype", IDENT, "\"DEFAULT_TAPE\"", CK_S) \
    X(CNF_DUMPCYCLE, "dumpcycle", DAYS, "10", CK_S) \
    X(CNF_RUNSPERCYCLE, "runspercycle", INT, "0", CK_S) \
    X(CNF_TAPECYCLE, "tapecycle", INT, "15", CK_S) \
    X(CNF_NETUSAGE, "netusage", SIZE, "80000", CK_S) \
    X(CNF_INPARALLEL, "inparallel", INT, "10", CK_S) \
    X(CNF_DUMPORDER, "dumporder", STR, "\"tttTTTTTTT\"", CK_S) \
    X(CNF_BUMPPERCENT, "bumppercent", INT, "0", CK_S) \
    X(CNF_BUMPSIZE, "bumpsize", SIZE, "10 mb", CK_S) \
    X(CNF_BUMPMULT, "bumpmult", REAL, "1.5", CK_S) \
    X(CNF_BUMPDAYS, "bumpdays", DAYS, "2", CK_S) \
    X(CNF_TPCHANGER, "tpchanger", STR, NULL, CK_S) \
    X(CNF_RUNTAPES, "runtapes", INT, "1", CK_S) \
    X(CNF_MAXDUMPS, "maxdumps", INT, "1", CK_S) \
    X(CNF_ETIMEOUT, "etimeout", INT, "300", CK_S) \
    X(CNF_DTIMEOUT, "dtimeout", INT, "1800", CK_S) \
    X(CNF_CTIMEOUT, "ctimeout", INT, "30", CK_S) \
    X(CNF_DEVICE_OUTPUT_BUFFER_SIZE, "device_output_buffer_size", SIZE, "1280k", CK_S) \
    X(CNF_TAPEBUFS, "tapebufs", INT, "20", CK_S | CK_DEPRECATED) \
    X(CNF_PRINTER, "printer", STR, NULL, CK_S) \
    X(CNF_MAILER, "mailer", STR, "\"/usr/bin/mail\"", CK_B) \
    X(CNF_AUTOFLUSH, "autoflush", NO_YES_ALL, "no", CK_S) \
    X(CNF_RESERVE, "reserve", INT, "100", CK_S) \
    X(CNF_MAXDUMPSIZE, "maxdumpsize", SIZE, "-1", CK_S) \
    X(CNF_COLUMNSPEC, "columnspec", STR, NULL, CK_S) \
    X(CNF_AMRECOVER_DO_FSF, "amrecover_do_fsf", BOOL, "yes", CK_S) \
    X(CNF_AMRECOVER_CHECK_LABEL, "amrecover_check_label", BOOL, "yes", CK_S) \
    X(CNF_AMRECOVER_CHANGER, "amrecover_changer", STR, NULL, CK_S) \
    X(CNF_TAPERALGO, "taperalgo", TAPERALGO, "first", CK_S) \
    X(CNF_FLUSH_THRESHOLD_DUMPED, "flush_threshold_dumped", INT, "0", CK_S) \
    X(CNF_FLUSH_THRESHOLD_SCHEDULED, "flush_threshold_scheduled", INT, "0", CK_S) \
    X(CNF_TAPERFLUSH, "taperflush", INT, "0", CK_S) \
    X(CNF_DISPLAYUNIT, "displayunit", STR, "\"k\"", CK_S) \
    X(CNF_KRB5KEYTAB, "krb5keytab", STR, NULL, CK_B) \
    X(CNF_KRB5PRINCIPAL, "krb5principal", STR, NULL, CK_B) \
    X(CNF_USETIMESTAMPS, "usetimestamps", BOOL, "yes", CK_S | CK_DEPRECATED) \
    X(CNF_CONNECT_TRIES, "connect_tries", INT, "3", CK_B) \
    X(CNF_REP_TRIES, "rep_tries", INT, "5", CK_B) \
    X(CNF_REQ_TRIES, "req_tries", INT, "3", CK_B) \
    X(CNF_DEBUG_DAYS, "debug_days", INT, "3", CK_B) \
    X(CNF_DEBUG_AMANDAD, "debug_amandad", INT, "0", CK_B) \
    X(CNF_DEBUG_RECOVERY, "debug_recovery", INT, "1", CK_B) \
    X(CNF_DEBUG_AMIDXTAPED, "debug_amidxtaped", INT, "0", CK_B) \
    X(CNF_DEBUG_AMINDEXD, "debug_amindexd", INT, "0", CK_B) \
    X(CNF_DEBUG_AMRECOVER, "debug_amrecover", INT, "0", CK_B) \
    X(CNF_DEBUG_AUTH, "debug_auth", INT, "0", CK_B) \
    X(CNF_DEBUG_EVENT, "debug_event", INT, "0", CK_B) \
    X(CNF_DEBUG_HOLDING, "debug_holding", INT, "0", CK_B) \
    X(CNF_DEBUG_PROTOCOL, "debug_protocol", INT, "0", CK_B) \
    X(CNF_DEBUG_PLANNER, "debug_planner", INT, "0", CK_B) \
    X(CNF_DEBUG_DRIVER, "debug_driver", INT, "0", CK_B) \
    X(CNF_DEBUG_DUMPER, "debug_dumper", INT, "0", CK_B) \
    X(CNF_DEBUG_CHUNKER, "debug_chunker", INT, "0", CK_B) \
    X(CNF_DEBUG_TAPER, "debug_taper", INT, "0", CK_B) \
    X(CNF_DEBUG_SELFCHECK, "debug_selfcheck", INT, "0", CK_B) \
    X(CNF_DEBUG_SENDSIZE, "debug_sendsize", INT, "0", CK_B) \
    X(CNF_DEBUG_SENDBACKUP, "debug_sendbackup", INT, "0", CK_B) \
    X(CNF_RESERVED_UDP_PORT, "reserved_udp_port", INTRANGE, "512,1023", CK_B) \
    X(CNF_RESERVED_TCP_PORT, "reserved_tcp_port", INTRANGE, "512,1023", CK_B) \
    X(CNF_UNRESERVED_TCP_PORT, "unreserved_tcp_port", INTRANGE, "1024,65535", CK_B) \
    X(CNF_RECOVERY_LIMIT, "recovery_limit", HOSTLIMIT, NULL, CK_S) \
    X(CNF_INTERACTIVITY, "interactivity", IDENT, NULL, CK_S) \
    X(CNF_TAPERSCAN, "taperscan", IDENT, NULL, CK_S) \
    X(CNF_REPORT_FORMAT, "report_format", STRLIST, NULL, CK_S) \
    X(CNF_REPORT_USE_MEDIA, "report_use_media", BOOL, "yes", CK_S) \
    X(CNF_REPORT_NEXT_MEDIA, "report_next_media", BOOL, "yes", CK_S) \
    X(CNF_STORAGE, "storage", STRLIST, NULL, CK_S) \
    X(CNF_ACTIVE_STORAGE, "active_storage", STRLIST, NULL, CK_S) \
    X(CNF_VAULT_STORAGE, "vault_storage", STRLIST, NULL, CK_S) \
    X(CNF_MAX_DLE_BY_VOLUME, "max_dle_by_volume", INT, "1000000000", CK_S) \
    X(CNF_CMDFILE, "cmdfile", STR, "\"command_file\"", CK_S) \
    X(CNF_COMPRESS_INDEX, "compress_index", BOOL, "yes", CK_S) \
    X(CNF_SORT_INDEX, "sort_index", BOOL, "no", CK_S) \
    X(CNF_TMPDIR, "tmpdir", STR, NULL, CK_S) \
    X(CNF_EJECT_VOLUME, "eject_volume", BOOL, "no", CK_S) \
    X(CNF_SEND_AMREPORT_ON, "send_amreport_on", SEND_AMREPORT, "all", CK_S) \
    X(CNF_TAPER_PARALLEL_WRITE, "taper_parallel_write", INT, "1", CK_S) \
    X(CNF_HOLDINGDISK, "holdingdisk", STRLIST, NULL, CK_S)

#define CONF_HOLDINGDISK_KEYS(X) \
    X(HOLDING_COMMENT, "comment", STR, NULL, CK_S) \
    X(HOLDING_DIRECTORY, "directory", STR, "\"/dumps/amanda\"", CK_S) \
    X(HOLDING_USE, "use", SIZE, "0", CK_S) \
    X(HOLDING_CHUNKSIZE, "chunksize", SIZE, "1 gb", CK_S)

#define CONF_DUMPTYPE_KEYS(X) \
    X(DUMPTYPE_COMMENT, "comment", STR, NULL, CK_S) \
    X(DUMPTYPE_PROGRAM, "program", STR, "\"DUMP\"", CK_S) \
    X(DUMPTYPE_SERVER_CUSTOM_COMPRESS, "server_custom_compress", STR, NULL, CK_S) \
    X(DUMPTYPE_CLIENT_CUSTOM_COMPRESS, "client_custom_compress", STR, NULL, CK_S) \
    X(DUMPTYPE_SERVER_ENCRYPT, "server_encrypt", STR, NULL, CK_S) \
    X(DUMPTYPE_CLIENT_ENCRYPT, "client_encrypt", STR, NULL, CK_S) \
    X(DUMPTYPE_SERVER_DECRYPT_OPTION, "server_decrypt_option", STR, "\"-d\"", CK_S) \
    X(DUMPTYPE_CLIENT_DECRYPT_OPTION, "client_decrypt_option", STR, "\"-d\"", CK_S) \
    X(DUMPTYPE_EXCLUDE, "exclude", EXINCLUDE, NULL, CK_S) \
    X(DUMPTYPE_INCLUDE, "include", EXINCLUDE, NULL, CK_S) \
    X(DUMPTYPE_PRIORITY, "priority", PRIORITY, "medium", CK_S) \
    X(DUMPTYPE_DUMPCYCLE, "dumpcycle", DAYS, "10", CK_S) \
    X(DUMPTYPE_MAXDUMPS, "maxdumps", INT, "1", CK_S) \
    X(DUMPTYPE_MAXPROMOTEDAY, "maxpromoteday", INT, "10000", CK_S) \
    X(DUMPTYPE_BUMPPERCENT, "bumppercent", INT, "0", CK_S) \
    X(DUMPTYPE_BUMPSIZE, "bumpsize", SIZE, "10 mb", CK_S) \
    X(DUMPTYPE_BUMPDAYS, "bumpdays", DAYS, "2", CK_S) \
    X(DUMPTYPE_BUMPMULT, "bumpmult", REAL, "1.5", CK_S) \
    X(DUMPTYPE_STARTTIME, "starttime", INT, "0", CK_S) \
    X(DUMPTYPE_STRATEGY, "strategy", STRATEGY, "standard", CK_S) \
    X(DUMPTYPE_ESTIMATE, "estimate", ESTIMATELIST, "client", CK_S) \
    X(DUMPTYPE_COMPRESS, "compress", COMPRESS, "client fast", CK_S) \
    X(DUMPTYPE_ENCRYPT, "encrypt", ENCRYPT, "none", CK_S) \
    X(DUMPTYPE_COMPRATE, "comprate", RATE, "0.5, 0.5", CK_S) \
    X(DUMPTYPE_TAPE_SPLITSIZE, "tape_splitsize", SIZE, "0", CK_S) \
    X(DUMPTYPE_FALLBACK_SPLITSIZE, "fallback_splitsize", SIZE, "10 mb", CK_S) \
    X(DUMPTYPE_SPLIT_DISKBUFFER, "split_diskbuffer", STR, NULL, CK_S | CK_DEPRECATED) \
    X(DUMPTYPE_RECORD, "record", BOOL, "yes", CK_S) \
    X(DUMPTYPE_SKIP_INCR, "skip_incr", BOOL, "no", CK_S) \
    X(DUMPTYPE_SKIP_FULL, "skip_full", BOOL, "no", CK_S) \
    X(DUMPTYPE_HOLDINGDISK, "holdingdisk", HOLDING, "auto", CK_S) \
    X(DUMPTYPE_KENCRYPT, "kencrypt", BOOL, "no", CK_S) \
    X(DUMPTYPE_IGNORE, "ignore", BOOL, "no", CK_S) \
    X(DUMPTYPE_INDEX, "index", BOOL, "no", CK_S) \
    X(DUMPTYPE_APPLICATION, "application", IDENT, NULL, CK_S) \
    X(DUMPTYPE_SCRIPT, "script", STRLIST, NULL, CK_S) \
    X(DUMPTYPE_PROPERTY, "property", PROPLIST, NULL, CK_S) \
    X(DUMPTYPE_DATA_PATH, "data_path", DATA_PATH, "amanda", CK_S) \
    X(DUMPTYPE_ALLOW_SPLIT, "allow_split", BOOL, "yes", CK_S) \
    X(DUMPTYPE_MAX_WARNINGS, "max_warnings", INT, "20", CK_S) \
    X(DUMPTYPE_RECOVERY_LIMIT, "recovery_limit", HOSTLIMIT, NULL, CK_S) \
    X(DUMPTYPE_DUMP_LIMIT, "dump_limit", HOSTLIMIT, "server", CK_S) \
    X(DUMPTYPE_TAG, "tag", STRLIST, NULL, CK_S) \
    X(DUMPTYPE_RETRY_DUMP, "retry_dump", INT, "2", CK_S) \
    X(DUMPTYPE_AUTH, "auth", STR, "\"bsdtcp\"", CK_S) \
    X(DUMPTYPE_AMANDAD_PATH, "amandad_path", STR, NULL, CK_S) \
    X(DUMPTYPE_CLIENT_USERNAME, "client_username", STR, "\"" CLIENT_LOGIN "\"", CK_S) \
    X(DUMPTYPE_CLIENT_PORT, "client_port", PORT, "\"amanda\"", CK_S) \
    X(DUMPTYPE_SSH_KEYS, "ssh_keys", STR, NULL, CK_S) \
    X(DUMPTYPE_SRC_IP, "src_ip", STR, NULL, CK_S)

#define CONF_TAPETYPE_KEYS(X) \
    X(TAPETYPE_COMMENT, "comment", STR, NULL, CK_S) \
    X(TAPETYPE_LBL_TEMPL, "lbl_templ", STR, NULL, CK_S) \
    X(TAPETYPE_BLOCKSIZE, "blocksize", SIZE, "32", CK_S) \
    X(TAPETYPE_READBLOCKSIZE, "readblocksize", SIZE, "32", CK_S) \
    X(TAPETYPE_LENGTH, "length", SIZE, "2000", CK_S) \
    X(TAPETYPE_FILEMARK, "filemark", SIZE, "1", CK_S) \
    X(TAPETYPE_SPEED, "speed", SIZE, "200", CK_S) \
    X(TAPETYPE_PART_SIZE, "part_size", SIZE, "0", CK_S) \
    X(TAPETYPE_PART_CACHE_TYPE, "part_cache_type", PART_CACHE_TYPE, "none", CK_S) \
    X(TAPETYPE_PART_CACHE_DIR, "part_cache_dir", STR, NULL, CK_S) \
    X(TAPETYPE_PART_CACHE_MAX_SIZE, "part_cache_max_size", SIZE, "0", CK_S) \
    X(TAPETYPE_FILE_PAD, "file_pad", BOOL, "yes", CK_S | CK_DEPRECATED)

#define CONF_INTERFACE_KEYS(X) \
    X(INTER_COMMENT, "comment", STR, NULL, CK_S) \
    X(INTER_USE, "use", SIZE, "80000", CK_S) \
    X(INTER_SRC_IP, "src_ip", STR, NULL, CK_S)

#define CONF_APPLICATION_KEYS(X) \
    X(APPLICATION_COMMENT, "comment", STR, NULL, CK_B) \
    X(APPLICATION_PLUGIN, "plugin", STR, NULL, CK_B) \
    X(APPLICATION_PROPERTY, "property", PROPLIST, NULL, CK_B) \
    X(APPLICATION_CLIENT_NAME, "client_name", STR, NULL, CK_B)

#define CONF_SCRIPT_KEYS(X) \
    X(SCRIPT_COMMENT, "comment", STR, NULL, CK_B) \
    X(SCRIPT_PLUGIN, "plugin", STR, NULL, CK_B) \
    X(SCRIPT_PROPERTY, "property", PROPLIST, NULL, CK_B) \
    X(SCRIPT_EXECUTE_ON, "execute_on", EXECUTE_ON, NULL, CK_B) \
    X(SCRIPT_EXECUTE_WHERE, "execute_where", EXECUTE_WHERE, "client", CK_B) \
    X(SCRIPT_ORDER, "order", INT, "5000", CK_B) \
    X(SCRIPT_SINGLE_EXECUTION, "single_execution", BOOL, "no", CK_B) \
    X(SCRIPT_CLIENT_NAME, "client_name", STR, NULL, CK_B)

#define CONF_DEVICE_KEYS(X) \
    X(DEVICE_CONFIG_COMMENT, "comment", STR, NULL, CK_S) \
    X(DEVICE_CONFIG_TAPEDEV, "tapedev", STR, NULL, CK_S) \
    X(DEVICE_CONFIG_DEVICE_PROPERTY, "device_property", PROPLIST, NULL, CK_S)

#define CONF_CHANGER_KEYS(X) \
    X(CHANGER_CONFIG_COMMENT, "comment", STR, NULL, CK_S) \
    X(CHANGER_CONFIG_TAPEDEV, "tapedev", STR, NULL, CK_S) \
    X(CHANGER_CONFIG_TPCHANGER, "tpchanger", STR, NULL, CK_S) \
    X(CHANGER_CONFIG_CHANGERDEV, "changerdev", STR, NULL, CK_S) \
    X(CHANGER_CONFIG_CHANGERFILE, "changerfile", STR, NULL, CK_S) \
    X(CHANGER_CONFIG_PROPERTY, "property", PROPLIST, NULL, CK_S) \
    X(CHANGER_CONFIG_DEVICE_PROPERTY, "device_property", PROPLIST, NULL, CK_S)

#define CONF_INTERACTIVITY_KEYS(X) \
    X(INTERACTIVITY_COMMENT, "comment", STR, NULL, CK_S) \
    X(INTERACTIVITY_PLUGIN, "plugin", STR, NULL, CK_S) \
    X(INTERACTIVITY_PROPERTY, "property", PROPLIST, NULL, CK_S)

#define CONF_TAPERSCAN_KEYS(X) \
    X(TAPERSCAN_COMMENT, "comment", STR, NULL, CK_S) \
    X(TAPERSCAN_PLUGIN, "plugin", STR, NULL, CK_S) \
    X(TAPERSCAN_PROPERTY, "property", PROPLIST, NULL, CK_S)

#define CONF_POLICY_KEYS(X) \
    X(POLICY_COMMENT, "comment", STR, NULL, CK_S) \
    X(POLICY_RETENTION_TAPES, "retention_tapes", INT, "0", CK_S) \
    X(POLICY_RETENTION_DAYS, "retention_days", INT, "0", CK_S) \
    X(POLICY_RETENTION_RECOVER, "retention_recover", INT, "0", CK_S) \
    X(POLICY_RETENTION_FULL, "retention_full", INT, "0", CK_S)

#define CONF_STORAGE_KEYS(X) \
    X(STORAGE_COMMENT, "comment", STR, NULL, CK_S) \
    X(STORAGE_POLICY, "policy", IDENT, NULL, CK_S) \
    X(STORAGE_TAPEDEV, "tapedev", STR, NULL, CK_S) \
    X(STORAGE_TPCHANGER, "tpchanger", STR, NULL, CK_S) \
    X(STORAGE_LABELSTR, "labelstr", LABELSTR, "match-autolabel", CK_S) \
    X(STORAGE_AUTOLABEL, "autolabel", AUTOLABEL, NULL, CK_S) \
    X(STORAGE_META_AUTOLABEL, "meta_autolabel", STR, NULL, CK_S) \
    X(STORAGE_TAPEPOOL, "tapepool", STR, NULL, CK_S) \
    X(STORAGE_RUNTAPES, "runtapes", INT, "1", CK_S) \
    X(STORAGE_TAPERSCAN, "taperscan", IDENT, NULL, CK_S) \
    X(STORAGE_TAPETYPE, "tapetype", IDENT, NULL, CK_S) \
    X(STORAGE_MAX_DLE_BY_VOLUME, "max_dle_by_volume", INT, "1000000000", CK_S) \
    X(STORAGE_TAPERALGO, "taperalgo", TAPERALGO, "first", CK_S) \
    X(STORAGE_TAPER_PARALLEL_WRITE, "taper_parallel_write", INT, "1", CK_S) \
    X(STORAGE_EJECT_VOLUME, "eject_volume", BOOL, "no", CK_S) \
    X(STORAGE_DEVICE_OUTPUT_BUFFER_SIZE, "device_output_buffer_size", SIZE, "1280k", CK_S) \
    X(STORAGE_AUTOFLUSH, "autoflush", NO_YES_ALL, "no", CK_S) \
    X(STORAGE_FLUSH_THRESHOLD_DUMPED, "flush_threshold_dumped", INT, "0", CK_S) \
    X(STORAGE_FLUSH_THRESHOLD_SCHEDULED, "flush_threshold_scheduled", INT, "0", CK_S) \
    X(STORAGE_TAPERFLUSH, "taperflush", INT, "0", CK_S) \
    X(STORAGE_REPORT_USE_MEDIA, "report_use_media", BOOL, "yes", CK_S) \
    X(STORAGE_REPORT_NEXT_MEDIA, "report_next_media", BOOL, "yes", CK_S) \
    X(STORAGE_INTERACTIVITY, "interactivity", IDENT, NULL, CK_S) \
    X(STORAGE_SET_NO_REUSE, "set_no_reuse", BOOL, "no", CK_S) \
    X(STORAGE_ERASE_VOLUME, "erase_volume", BOOL, "no", CK_S) \
    X(STORAGE_ERASE_ON_FAILURE, "erase_on_failure", BOOL, "no", CK_S) \
    X(STORAGE_ERASE_ON_FULL, "erase_on_full", BOOL, "no", CK_S) \
    X(STORAGE_DUMP_SELECTION, "dump_selection", DUMP_SELECTION, NULL, CK_S) \
    X(STORAGE_VAULT, "vault", VAULT, NULL, CK_S)

#endif
