/* crc32c: CRC-32C with a hardware path (see the header). */
#include "crc32c.h"

#include <string.h>

#define POLY 0x82F63B78u

static guint32 table[256];

static void
make_table(void)
{
    for (guint32 i = 0; i < 256; i++) {
        guint32 c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
        table[i] = c;
    }
}

static guint32
crc_soft(guint32 c, const guint8 *p, gsize len)
{
    static gsize once = 0;
    if (g_once_init_enter(&once)) {
        make_table();
        g_once_init_leave(&once, 1);
    }
    while (len--)
        c = table[(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("sse4.2"))) static guint32
crc_hw(guint32 c, const guint8 *p, gsize len)
{
    guint64 c64 = c;
    while (len >= 8) {
        guint64 v;
        memcpy(&v, p, 8);
        c64 = __builtin_ia32_crc32di(c64, v);
        p += 8;
        len -= 8;
    }
    c = (guint32)c64;
    while (len--)
        c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}

static gboolean
have_hw(void)
{
    static int have = -1;
    if (have < 0)
        have = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    return have == 1;
}
#endif

guint32
crc32c(guint32 crc, const void *buf, gsize len)
{
    guint32 c = ~crc;
#if defined(__x86_64__) && defined(__GNUC__)
    if (have_hw())
        return ~crc_hw(c, buf, len);
#endif
    return ~crc_soft(c, buf, len);
}
