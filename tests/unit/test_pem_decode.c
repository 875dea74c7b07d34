/*
 * The mbedTLS port's PEM bundle decoder (port/mbedtls/sg_pem_decode.h): what a block may
 * hold, the bytes it gives, and the same result however the lines are cut.
 * tests/fuzz/fuzz_pem.c holds it against mbedTLS's own base64 decoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sg_pem_decode.h"

static sg_pem_reader g_r;

#define BEGIN "-----BEGIN CERTIFICATE-----\n"
#define END   "-----END CERTIFICATE-----\n"

/*
 * Feed text as fgets would with a buffer of piece_max + 1 bytes; the events in order into
 * events[] (at most cap), the count returned. g_r keeps the last block's bytes.
 */
static size_t feed(const char *text, size_t piece_max, sg_pem_event *events, size_t cap)
{
    size_t n = strlen(text), count = 0;
    bool line_start = true;
    sg_pem_reader_init(&g_r);
    for (size_t i = 0; i < n;) {
        size_t len = 0;
        while (i + len < n && len < piece_max && (len == 0 || text[i + len - 1] != '\n')) {
            len++;
        }
        sg_pem_event ev = sg_pem_feed(&g_r, text + i, len, line_start);
        if (ev != SG_PEM_MORE && count < cap) {
            events[count++] = ev;
        }
        i += len;
        line_start = text[i - 1] == '\n';
    }
    return count;
}

/* One block: its event, and with want (NUL-terminated) the bytes it must give. */
static void expect_one(const char *text, sg_pem_event want_ev, const char *want)
{
    static const size_t pieces[] = {511, 64, 29, 28};
    for (size_t k = 0; k < sizeof pieces / sizeof pieces[0]; k++) {
        sg_pem_event ev[4];
        assert_int_equal(feed(text, pieces[k], ev, 4), 1);
        assert_int_equal(ev[0], want_ev);
        if (want != NULL) {
            assert_int_equal(g_r.len, strlen(want));
            assert_memory_equal(g_r.der, want, g_r.len);
        }
    }
}

static void test_plain_base64(void **state)
{
    (void)state;
    expect_one(BEGIN "TWFu\n" END, SG_PEM_CERT, "Man");
    expect_one(BEGIN "TWE=\n" END, SG_PEM_CERT, "Ma");
    expect_one(BEGIN "TQ==\n" END, SG_PEM_CERT, "M");
    /* lines of any width, groups split across lines */
    expect_one(BEGIN "SGVsbG8s\nIHdv\ncmxkIQ==\n" END, SG_PEM_CERT, "Hello, world!");
    expect_one(BEGIN "SGVsb\nG8sIHdvcm\nxkIQ=\n=\n" END, SG_PEM_CERT, "Hello, world!");
    /* what mbedTLS also allows: "\r\n", spaces before a line end, one space after BEGIN */
    expect_one("-----BEGIN CERTIFICATE----- \r\nSGVsbG8s  \r\nIHdv \ncmxkIQ==\r\n" END, SG_PEM_CERT,
               "Hello, world!");
    /* padding bits that are not zero are ignored, as mbedTLS does */
    expect_one(BEGIN "TR==\n" END, SG_PEM_CERT, "M");
}

static void test_not_base64(void **state)
{
    (void)state;
    static const char *const bad[] = {
        BEGIN END,                                   /* empty */
        BEGIN "TQ==TQ==\n" END,                      /* a digit after the padding */
        BEGIN "TQ==\nTQ==\n" END,                    /* the same across lines */
        BEGIN "T===\n" END,                          /* three '=' */
        BEGIN "=\n" END,                             /* padding alone */
        BEGIN "TWFuTQ\n" END,                        /* unpadded tail */
        BEGIN "TWFuT\n" END,                         /* one digit left over */
        BEGIN "TW\rFu\n" END,                        /* '\r' inside a line */
        BEGIN " TWFu\n" END,                         /* space at a line start */
        BEGIN "TW Fu\n" END,                         /* space inside a line */
        BEGIN "TWFu\t\n" END,                        /* tab */
        BEGIN "TW*u\n" END,                          /* not an alphabet character */
        BEGIN "TW\xc3\xa9u\n" END,                   /* not ASCII */
        "-----BEGIN CERTIFICATE-----x\nTWFu\n" END,  /* junk after the marker */
        "-----BEGIN CERTIFICATE-----  \nTWFu\n" END, /* two spaces: mbedTLS refuses */
        "-----BEGIN CERTIFICATE-----\r\r\nTWFu\n" END,
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        expect_one(bad[i], SG_PEM_BAD, NULL);
    }
}

static void test_framing(void **state)
{
    (void)state;
    sg_pem_event ev[8];
    /* text between blocks, markers not at a line start, BEGIN inside a block */
    static const char text[] =
        "# a comment\n"
        "x-----BEGIN CERTIFICATE-----\nTWFu\n" END "-----BEGIN CERTIFICATE-----\nTWFu\n" END
        "text -----END CERTIFICATE-----\n"
        "TWFu\n" END "-----BEGIN CERTIFICATE-----\nTQ==\n"
        "-----BEGIN CERTIFICATE-----\nSGVsbG8=\n" END;
    assert_int_equal(feed(text, 511, ev, 8), 2);
    assert_int_equal(ev[0], SG_PEM_CERT);
    assert_int_equal(ev[1], SG_PEM_CERT);
    assert_int_equal(g_r.len, 5); /* BEGIN again started the block afresh */
    assert_memory_equal(g_r.der, "Hello", 5);
    assert_true(g_r.saw_block);

    /* a block the file leaves open gives nothing */
    assert_int_equal(feed(BEGIN "TWFu\n", 511, ev, 8), 0);
    assert_true(g_r.saw_block);

    sg_pem_reader_init(&g_r);
    assert_int_equal(feed("no block here\n" END, 511, ev, 8), 0);
    assert_false(g_r.saw_block);
}

/* A body decoding to SG_PEM_DER_MAX bytes is taken, one byte more is not. */
static void test_size_cap(void **state)
{
    (void)state;
    /* 4 characters per 3 bytes, a line end per 64, the markers */
    static char text[SG_PEM_DER_MAX / 3 * 4 + SG_PEM_DER_MAX / 48 + 128];
    for (size_t extra = 0; extra < 2; extra++) {
        size_t bytes = SG_PEM_DER_MAX + extra; /* 16384: 5461 groups and "AA==" */
        size_t t = 0;
        memcpy(text, BEGIN, sizeof BEGIN - 1);
        t += sizeof BEGIN - 1;
        for (size_t g = 0; g < bytes / 3; g++) {
            memcpy(text + t, "AAAA", 4);
            t += 4;
            if (g % 16 == 15) {
                text[t++] = '\n';
            }
        }
        memcpy(text + t, bytes % 3 == 1 ? "AA==\n" : "AAA=\n", 5);
        t += 5;
        memcpy(text + t, END, sizeof END);
        sg_pem_event ev[2];
        assert_int_equal(feed(text, 511, ev, 2), 1);
        assert_int_equal(ev[0], extra == 0 ? SG_PEM_CERT : SG_PEM_BAD);
        if (extra == 0) {
            assert_int_equal(g_r.len, SG_PEM_DER_MAX);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_base64),
        cmocka_unit_test(test_not_base64),
        cmocka_unit_test(test_framing),
        cmocka_unit_test(test_size_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
