/* crc32c: CRC-32C, hardware lanes or table (see crc32c.h). */
#include "config.h"
#include "crc32c.h"

#include <string.h>

#define CRC32C_POLY_REFLECTED 0x82f63b78u

static guint32 table[8][256];

static gpointer
build_table(gpointer unused)
{
    (void)unused;
    for (guint32 i = 0; i < 256; i++) {
        guint32 c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC32C_POLY_REFLECTED : c >> 1;
        table[0][i] = c;
    }
    for (guint32 i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
    return NULL;
}

/* Slicing-by-8 on the raw (uninverted) register. */
static guint32
update_soft(guint32 crc, const guint8 *p, gsize len)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, build_table, NULL);
    while (len >= 8) {
        guint64 w;
        memcpy(&w, p, 8);
        w = GUINT64_FROM_LE(w) ^ crc;
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff]
              ^ table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff]
              ^ table[2][(w >> 40) & 0xff] ^ table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* One crc32 instruction has a latency of three cycles but the CPU can
 * start one per cycle, so three independent lanes over adjacent blocks
 * run about three times as fast as one; the lane results are joined by
 * advancing one through LANE zero bytes (a linear map of the 32-bit
 * register, applied with four 256-entry tables) and XORing in the next. */
#define LANE 8192
static guint32 lane_shift[4][256];

__attribute__((target("sse4.2"))) static guint32
update_hw_serial(guint32 crc, const guint8 *p, gsize len)
{
    guint64 c = crc;
    while (len >= 8) {
        guint64 w;
        memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        len -= 8;
    }
    guint32 c32 = (guint32)c;
    while (len--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}

/* lane_shift[k][b] is the register (b << 8k) advanced through LANE zeros. */
static gpointer
build_lane_shift(gpointer unused)
{
    static const guint8 zeros[LANE];
    guint32 basis[32];
    (void)unused;
    for (int bit = 0; bit < 32; bit++)
        basis[bit] = update_hw_serial(1u << bit, zeros, LANE);
    for (int k = 0; k < 4; k++)
        for (int b = 0; b < 256; b++) {
            guint32 v = 0;
            for (int bit = 0; bit < 8; bit++)
                if (b & (1 << bit))
                    v ^= basis[8 * k + bit];
            lane_shift[k][b] = v;
        }
    return NULL;
}

static guint32
shift_by_lane(guint32 r)
{
    return lane_shift[0][r & 0xff] ^ lane_shift[1][(r >> 8) & 0xff]
           ^ lane_shift[2][(r >> 16) & 0xff] ^ lane_shift[3][r >> 24];
}

__attribute__((target("sse4.2"))) static guint32
update_hw(guint32 crc, const guint8 *p, gsize len)
{
    static GOnce once = G_ONCE_INIT;
    if (len >= 3 * LANE)
        g_once(&once, build_lane_shift, NULL);
    while (len >= 3 * LANE) {
        guint64 a = crc, b = 0, c = 0;
        for (gsize i = 0; i < LANE; i += 8) {
            guint64 wa, wb, wc;
            memcpy(&wa, p + i, 8);
            memcpy(&wb, p + LANE + i, 8);
            memcpy(&wc, p + 2 * LANE + i, 8);
            a = __builtin_ia32_crc32di(a, wa);
            b = __builtin_ia32_crc32di(b, wb);
            c = __builtin_ia32_crc32di(c, wc);
        }
        crc = shift_by_lane(shift_by_lane((guint32)a) ^ (guint32)b) ^ (guint32)c;
        p += 3 * LANE;
        len -= 3 * LANE;
    }
    return update_hw_serial(crc, p, len);
}

static gboolean
have_hw(void)
{
    static int have = -1;
    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    }
    return have == 1;
}
#endif

guint32
crc32c(guint32 crc, const void *buf, gsize len)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_hw())
        return ~update_hw(~crc, buf, len);
#endif
    return ~update_soft(~crc, buf, len);
}

guint32
crc32c_by_table(guint32 crc, const void *buf, gsize len)
{
    return ~update_soft(~crc, buf, len);
}
