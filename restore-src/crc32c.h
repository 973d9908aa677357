/* crc32c: the CRC-32C (Castagnoli) checksum that AMANDA 3.5 writes in the
 * NATIVE-CRC, CLIENT-CRC and SERVER-CRC header lines and log entries
 * (checked against a real volume: not zlib's IEEE CRC-32).  Uses the
 * SSE 4.2 instruction when the CPU has it, a table otherwise. */
#ifndef CRC32C_H
#define CRC32C_H

#include <glib.h>

/* Start with crc32c_init(), feed with crc32c_update(), end with
 * crc32c_final(). */
static inline guint32 crc32c_init(void) { return 0xffffffffu; }
guint32 crc32c_update(guint32 state, const void *buf, gsize len);
static inline guint32 crc32c_final(guint32 state) { return state ^ 0xffffffffu; }

/* One-shot over a buffer. */
guint32 crc32c(const void *buf, gsize len);

#endif
