/* crc32c: CRC-32C, hardware or table driven (see crc32c.h). */
#include "crc32c.h"

#include <string.h>

#define CRC32C_POLY_REFLECTED 0x82f63b78u

static guint32 table[8][256];

static gpointer
build_tables(G_GNUC_UNUSED gpointer unused)
{
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

/* Slice-by-8 over the table. */
static guint32
update_soft(guint32 crc, const guint8 *p, gsize len)
{
    static GOnce once = G_ONCE_INIT;
    g_once(&once, build_tables, NULL);
    while (len >= 8) {
        guint32 lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + 4, 4);
        lo = GUINT32_FROM_LE(lo) ^ crc;
        hi = GUINT32_FROM_LE(hi);
        crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^
              table[4][lo >> 24] ^ table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
              table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
    return crc;
}

/* Multiply two polynomials mod the CRC polynomial, in the reflected bit
 * order the CRC uses (bit 31 is x^0). */
static guint32
gf2_multiply(guint32 a, guint32 b)
{
    guint32 product = 0;
    for (guint32 bit = 1u << 31; bit; bit >>= 1) {
        if (a & bit)
            product ^= b;
        b = (b & 1) ? (b >> 1) ^ CRC32C_POLY_REFLECTED : b >> 1;
    }
    return product;
}

/* x^(8*BYTES) mod P: appending BYTES zero bytes multiplies the state by it. */
static guint32
shift_operator(guint64 bytes)
{
    guint32 result = 1u << 31;      /* x^0 */
    guint32 power = 1u << 30;       /* x^1, squared as we go: x^(2^k) */
    for (guint64 n = bytes * 8; n; n >>= 1) {
        if (n & 1)
            result = gf2_multiply(result, power);
        power = gf2_multiply(power, power);
    }
    return result;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("sse4.2"))) static guint32
update_hw_serial(guint32 crc, const guint8 *p, gsize len)
{
    guint64 c = crc;
    while (len >= 8) {
        guint64 v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        len -= 8;
    }
    guint32 c32 = (guint32)c;
    while (len--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}

/* The crc32 instruction has a latency of several cycles but can start
 * one per cycle: three independent streams over three thirds of the
 * buffer, joined with the shift operator, run about three times faster. */
__attribute__((target("sse4.2"))) static guint32
update_hw(guint32 crc, const guint8 *p, gsize len)
{
    static __thread guint64 cached_len;
    static __thread guint32 cached_op;
    if (len < 4096)
        return update_hw_serial(crc, p, len);
    gsize third = (len / 24) * 8;
    const guint8 *p2 = p + third, *p3 = p + 2 * third;
    guint64 c1 = crc, c2 = 0, c3 = 0;
    for (gsize i = 0; i < third; i += 8) {
        guint64 v1, v2, v3;
        memcpy(&v1, p + i, 8);
        memcpy(&v2, p2 + i, 8);
        memcpy(&v3, p3 + i, 8);
        c1 = __builtin_ia32_crc32di(c1, v1);
        c2 = __builtin_ia32_crc32di(c2, v2);
        c3 = __builtin_ia32_crc32di(c3, v3);
    }
    if (cached_len != third) {
        cached_len = third;
        cached_op = shift_operator(third);
    }
    guint32 joined = gf2_multiply(cached_op, (guint32)c1) ^ (guint32)c2;
    joined = gf2_multiply(cached_op, joined) ^ (guint32)c3;
    return update_hw_serial(joined, p + 3 * third, len - 3 * third);
}

static gboolean
have_hw(void)
{
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    }
    return cached == 1;
}
#endif

guint32
crc32c_update(guint32 state, const void *buf, gsize len)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_hw())
        return update_hw(state, buf, len);
#endif
    return update_soft(state, buf, len);
}

guint32
crc32c(const void *buf, gsize len)
{
    return crc32c_final(crc32c_update(crc32c_init(), buf, len));
}
