/* Retry and redirect policy: classification, Retry-After, HTTP dates, backoff, caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mem_transport.h"
#include <sitegpt/sg_retry.h>

static sg_slice S(const char *s)
{
    sg_slice v = {s, s ? strlen(s) : 0};
    return v;
}

static sg_retry_reason classify(bool idem, sg_status st, int http)
{
    sg_retry_reason r = (sg_retry_reason)99;
    assert_int_equal(sg_retry_classify(idem, st, http, &r), SG_OK);
    return r;
}

static void test_classify(void **state)
{
    (void)state;
    assert_int_equal(classify(true, SG_OK, 200), SG_RETRY_NONE);
    assert_int_equal(classify(true, SG_OK, 404), SG_RETRY_NONE);
    assert_int_equal(classify(true, SG_OK, 503), SG_RETRY_SERVER_ERROR);
    assert_int_equal(classify(true, SG_OK, 500), SG_RETRY_SERVER_ERROR);
    assert_int_equal(classify(false, SG_OK, 503), SG_RETRY_NONE); /* POST: never */
    assert_int_equal(classify(false, SG_OK, 429), SG_RETRY_RATE_LIMITED);
    assert_int_equal(classify(true, SG_OK, 429), SG_RETRY_RATE_LIMITED);
    assert_int_equal(classify(true, SG_ERR_IO, 0), SG_RETRY_CONNECTION);
    assert_int_equal(classify(true, SG_ERR_CONNECT, 0), SG_RETRY_CONNECTION);
    assert_int_equal(classify(true, SG_ERR_HTTP_TRUNCATED, 0), SG_RETRY_CONNECTION);
    assert_int_equal(classify(false, SG_ERR_TIMEOUT, 0), SG_RETRY_NONE); /* may have landed */
    assert_int_equal(classify(true, SG_ERR_CERT, 0), SG_RETRY_NONE);
    assert_int_equal(classify(true, SG_ERR_HTTP_MALFORMED, 0), SG_RETRY_NONE);
    assert_int_equal(sg_retry_classify(true, SG_OK, 200, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(classify(true, SG_OK, 600), SG_RETRY_NONE); /* not a status HTTP defines */
}

static void test_http_date(void **state)
{
    (void)state;
    int64_t t = 0;
#if !SG_RETRY_HTTP_DATE
    /* built without dates (the firmware's flash trim): every date is refused as such */
    assert_int_equal(sg_http_date_parse(S("Sun, 06 Nov 1994 08:49:37 GMT"), &t),
                     SG_ERR_UNSUPPORTED);
    uint32_t ms = 0;
    assert_int_equal(sg_retry_after_ms(S("Sun, 06 Nov 1994 08:49:37 GMT"),
                                       S("Sun, 06 Nov 1994 08:49:37 GMT"), &ms),
                     SG_ERR_UNSUPPORTED);
    return;
#endif
    assert_int_equal(sg_http_date_parse(S("Sun, 06 Nov 1994 08:49:37 GMT"), &t), SG_OK);
    assert_int_equal(t, 784111777);
    assert_int_equal(sg_http_date_parse(S("Thu, 01 Jan 1970 00:00:00 GMT"), &t), SG_OK);
    assert_int_equal(t, 0);
    assert_int_equal(sg_http_date_parse(S("Thu, 29 Feb 2024 23:59:59 GMT"), &t), SG_OK);
    assert_int_equal(t, 1709251199);
    assert_int_equal(sg_http_date_parse(S("Tue, 29 Feb 2000 00:00:00 GMT"), &t), SG_OK);
    assert_int_equal(t, 951782400); /* divisible by 400: a leap year */
    assert_int_equal(sg_http_date_parse(S("Sun, 06 Nov 1994 08:49:37 GMT"), NULL),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_http_date_parse(S(NULL), &t), SG_ERR_INVALID_ARG);
    /* the proleptic calendar before year 1 (the weekday is not checked): year 0 is a leap year,
       and its January and February count from the year before */
    assert_int_equal(sg_http_date_parse(S("Sat, 01 Jan 0000 00:00:00 GMT"), &t), SG_OK);
    assert_true(t == -62167219200);
    assert_int_equal(sg_http_date_parse(S("Tue, 29 Feb 0000 00:00:00 GMT"), &t), SG_OK);
    assert_true(t == -62162121600);
    assert_int_equal(sg_http_date_parse(S("Mon, 01 Jan 0001 00:00:00 GMT"), &t), SG_OK);
    assert_true(t == -62135596800);
    const char *bad[] = {
        "Wed, 29 Feb 2023 00:00:00 GMT", /* not a leap year */
        "Sun, 06 Nov 1994 08:49:37 gmt", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850 */
        "Sun Nov  6 08:49:37 1994",                                       /* asctime */
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT ", "",
        /* every field checked for digits and separators */
        "Sun, 0x Nov 1994 08:49:37 GMT", "Sun, /6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 19x4 08:49:37 GMT", "Sun, 06 Nov 199: 08:49:37 GMT",
        "Sun, 06 Nov 1994 0x:49:37 GMT", "Sun, 06 Nov 1994 08:4x:37 GMT",
        "Sun, 06 Nov 1994 08:49:3x GMT", "Sun; 06 Nov 1994 08:49:37 GMT",
        "Sun, 06-Nov 1994 08:49:37 GMT", "Sun, 06 Nov-1994 08:49:37 GMT",
        "Sun, 06 Nov 1994-08:49:37 GMT", "Sun, 06 Nov 1994 08-49:37 GMT",
        "Sun, 06 Nov 1994 08:49-37 GMT", "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Mon, 29 Feb 2100 00:00:00 GMT", /* divisible by 100: not a leap year */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sg_http_date_parse(S(bad[i]), &t), SG_ERR_INVALID_ARG);
    }
}

/* Seconds of "Mon, dd Mmm yyyy 00:00:00 GMT" (the day name is only checked for spelling). */
static int64_t date_at(int y, int m, int d)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    char text[32];
    int n =
        snprintf(text, sizeof text, "Mon, %02d %.3s %04d 00:00:00 GMT", d, months + 3 * (m - 1), y);
    assert_int_equal(n, 29);
    int64_t t = 0;
    assert_int_equal(sg_http_date_parse(S(text), &t), SG_OK);
    return t;
}

/* Every year 0..9999 is as long as the Gregorian rule says (its leap day in February), and
   1970-01-01 is second 0: a wrong leap-year count anywhere shows as a year of the wrong
   length. */
static void test_http_date_every_year(void **state)
{
    (void)state;
    assert_int_equal(date_at(1970, 1, 1), 0);
    for (int y = 0; y < 9999; y++) {
        int64_t leap = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 1 : 0;
        int64_t jan1 = date_at(y, 1, 1);
        assert_true(date_at(y, 3, 1) - jan1 == (59 + leap) * 86400);
        assert_true(date_at(y + 1, 1, 1) - jan1 == (365 + leap) * 86400);
    }
}

static void test_retry_after(void **state)
{
    (void)state;
    uint32_t ms = 1;
    sg_slice none = {NULL, 0};
    assert_int_equal(sg_retry_after_ms(S("120"), none, &ms), SG_OK);
    assert_int_equal(ms, 120000);
    assert_int_equal(sg_retry_after_ms(S(" 3 "), none, &ms), SG_OK);
    assert_int_equal(ms, 3000);
    assert_int_equal(sg_retry_after_ms(S("0"), none, &ms), SG_OK);
    assert_int_equal(ms, 0);
    assert_int_equal(sg_retry_after_ms(S("99999999999999999999"), none, &ms), SG_OK);
    assert_int_equal(ms, UINT32_MAX);
    assert_int_equal(sg_retry_after_ms(S("1.5"), none, &ms), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_after_ms(S("3a"), none, &ms), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_after_ms(S("\t7\t"), none, &ms), SG_OK);
    assert_int_equal(ms, 7000);
    assert_int_equal(sg_retry_after_ms(none, none, &ms), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_after_ms(S("1"), none, NULL), SG_ERR_INVALID_ARG);
#if SG_RETRY_HTTP_DATE
    sg_slice now = S("Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(sg_retry_after_ms(S("Sun, 06 Nov 1994 08:49:42 GMT"), now, &ms), SG_OK);
    assert_int_equal(ms, 5000);
    assert_int_equal(sg_retry_after_ms(S("Mon, 07 Nov 1994 08:49:37 GMT"), now, &ms), SG_OK);
    assert_int_equal(ms, 86400000u);
    assert_int_equal(sg_retry_after_ms(S("Sat, 05 Nov 1994 08:49:37 GMT"), now, &ms), SG_OK);
    assert_int_equal(ms, 0);
    /* an HTTP date without the server's "now" cannot be measured */
    assert_int_equal(sg_retry_after_ms(S("Sun, 06 Nov 1994 08:49:42 GMT"), none, &ms),
                     SG_ERR_NOT_FOUND);
    assert_int_equal(sg_retry_after_ms(S("Sun, 06 Nov 1994 08:49:42 GMT"), S(""), &ms),
                     SG_ERR_NOT_FOUND);
#endif
#if SG_RETRY_HTTP_DATE
    const sg_status not_a_number = SG_ERR_INVALID_ARG;
#else
    const sg_status not_a_number = SG_ERR_UNSUPPORTED; /* might have been a date: backoff */
#endif
    assert_int_equal(sg_retry_after_ms(S("-1"), none, &ms), not_a_number);
    assert_int_equal(sg_retry_after_ms(S("soon"), none, &ms), not_a_number);
    assert_int_equal(sg_retry_after_ms(S("  "), none, &ms), SG_ERR_INVALID_ARG);
}

static void test_backoff_without_random_doubles_to_cap(void **state)
{
    (void)state;
    sg_retry_policy p = {10, 100, 1000, 100000};
    sg_retry_state s = {0, 0};
    const uint32_t expect[] = {100, 200, 400, 800, 1000, 1000};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        bool retry = false;
        uint32_t wait = 0;
        s.attempts++;
        assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_SERVER_ERROR, -1, &retry, &wait),
                         SG_OK);
        assert_true(retry);
        assert_int_equal(wait, expect[i]);
    }
    assert_int_equal(s.waited_ms, 3500);
}

static sg_status failing_random(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    (void)out;
    (void)len;
    return SG_ERR_IO;
}

/* A platform whose random source fails: the full backoff, without jitter. */
static void test_backoff_when_random_fails(void **state)
{
    (void)state;
    mem_clock clk;
    mem_clock_init(&clk, 0);
    sg_platform pf = mem_clock_platform(&clk);
    pf.random = failing_random;
    sg_retry_policy p = {0, 0, 0, UINT32_MAX};
    sg_retry_state s = {2, 0};
    bool retry;
    uint32_t wait;
    assert_int_equal(sg_retry_next(&p, &s, &pf, SG_RETRY_CONNECTION, -1, &retry, &wait), SG_OK);
    assert_true(retry);
    assert_int_equal(wait, 1000);
}

static void test_backoff_jitter_in_half_to_full(void **state)
{
    (void)state;
    mem_clock clk;
    mem_clock_init(&clk, 0);
    sg_platform pf = mem_clock_platform(&clk);
    sg_retry_policy p = {0, 0, 0, UINT32_MAX};
    uint32_t distinct = 0, prev = 0;
    for (int round = 0; round < 50; round++) {
        sg_retry_state s = {2, 0}; /* second retry: d = 500 * 2 = 1000 */
        bool retry;
        uint32_t wait;
        assert_int_equal(sg_retry_next(&p, &s, &pf, SG_RETRY_CONNECTION, -1, &retry, &wait), SG_OK);
        assert_true(retry);
        assert_in_range(wait, 500, 1000);
        assert_int_equal(s.waited_ms, wait);
        if (wait != prev) {
            distinct++;
        }
        prev = wait;
    }
    assert_true(distinct > 10); /* the jitter really varies */
}

static void test_attempts_and_reason_limits(void **state)
{
    (void)state;
    sg_retry_policy p = {3, 10, 0, 0};
    sg_retry_state s = {0, 0};
    bool retry = true;
    uint32_t wait = 7;
    s.attempts = 1;
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_NONE, -1, &retry, &wait), SG_OK);
    assert_false(retry);
    assert_int_equal(wait, 0);
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, -1, &retry, &wait), SG_OK);
    assert_true(retry);
    s.attempts = 2;
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, -1, &retry, &wait), SG_OK);
    assert_true(retry);
    s.attempts = 3;
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, -1, &retry, &wait), SG_OK);
    assert_false(retry);
    sg_retry_policy once = {1, 0, 0, 0};
    sg_retry_state s1 = {1, 0};
    assert_int_equal(sg_retry_next(&once, &s1, NULL, SG_RETRY_RATE_LIMITED, 0, &retry, &wait),
                     SG_OK);
    assert_false(retry);
}

static void test_retry_after_honoured_and_total_cap(void **state)
{
    (void)state;
    sg_retry_policy p = {10, 100, 1000, 5000};
    sg_retry_state s = {1, 0};
    bool retry;
    uint32_t wait;
    /* Retry-After is not cut to max_backoff: the server knows best */
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, 3000, &retry, &wait),
                     SG_OK);
    assert_true(retry);
    assert_int_equal(wait, 3000);
    s.attempts = 2;
    /* 3000 + 2500 > 5000: give up rather than wait past the caller's cap */
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, 2500, &retry, &wait),
                     SG_OK);
    assert_false(retry);
    assert_int_equal(s.waited_ms, 3000);
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, 2000, &retry, &wait),
                     SG_OK);
    assert_true(retry);
    assert_int_equal(s.waited_ms, 5000);
    s.attempts = 3;
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_SERVER_ERROR, -1, &retry, &wait), SG_OK);
    assert_false(retry);
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_SERVER_ERROR, 0, &retry, &wait), SG_OK);
    assert_true(retry); /* a zero wait still fits */
    /* a Retry-After beyond 32 bits saturates, and is then far past any cap */
    sg_retry_policy roomy = {10, 100, 1000, UINT32_MAX - 1u};
    sg_retry_state fresh = {1, 0};
    assert_int_equal(
        sg_retry_next(&roomy, &fresh, NULL, SG_RETRY_RATE_LIMITED, INT64_MAX, &retry, &wait),
        SG_OK);
    assert_false(retry);
    assert_int_equal(fresh.waited_ms, 0);
    /* a state that already waited past a smaller cap (the policy changed): no retry */
    sg_retry_policy tight = {10, 100, 1000, 1000};
    sg_retry_state spent = {1, 5000};
    assert_int_equal(sg_retry_next(&tight, &spent, NULL, SG_RETRY_RATE_LIMITED, 0, &retry, &wait),
                     SG_OK);
    assert_false(retry);
    assert_int_equal(spent.waited_ms, 5000);
    assert_int_equal(sg_retry_next(NULL, &s, NULL, SG_RETRY_RATE_LIMITED, 0, &retry, &wait),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_next(&p, NULL, NULL, SG_RETRY_RATE_LIMITED, 0, &retry, &wait),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, 0, NULL, &wait),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_retry_next(&p, &s, NULL, SG_RETRY_RATE_LIMITED, 0, &retry, NULL),
                     SG_ERR_INVALID_ARG);
}

static void test_redirect_rules(void **state)
{
    (void)state;
    bool keep;
    const char *m;
    const int yes[] = {301, 302, 303, 307, 308}, no[] = {200, 300, 304, 305, 306, 404};
    for (size_t i = 0; i < 5; i++) {
        assert_true(sg_redirect_is(yes[i]));
    }
    for (size_t i = 0; i < 6; i++) {
        assert_false(sg_redirect_is(no[i]));
    }
    /* 303 makes anything but HEAD a GET; 301/302 only a POST; 307/308 keep everything */
    static const struct {
        int status;
        const char *method, *want;
        bool keep;
    } cases[] = {
        {303, "POST", "GET", false}, {303, "DELETE", "GET", false},   {303, "HEAD", "HEAD", true},
        {302, "POST", "GET", false}, {301, "DELETE", "DELETE", true}, {307, "POST", "POST", true},
        {308, "PUT", "PUT", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(sg_redirect_method(cases[i].status, cases[i].method, &m, &keep), SG_OK);
        assert_string_equal(m, cases[i].want);
        assert_int_equal(keep, cases[i].keep);
    }
    assert_int_equal(sg_redirect_method(200, "GET", &m, &keep), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_method(301, NULL, &m, &keep), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_method(301, "GET", NULL, &keep), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_method(301, "GET", &m, NULL), SG_ERR_INVALID_ARG);

    /* where a redirect may go: never from https to http; a body only to the same origin */
    const sg_http_origin https_a = {"a.test", 443, true}, https_b = {"b.test", 443, true};
    const sg_http_origin http_a = {"a.test", 80, false}, no_host = {NULL, 443, true};
    assert_int_equal(sg_redirect_check(&https_a, &http_a, "GET"), SG_ERR_HTTP_REDIRECT_DOWNGRADE);
    assert_int_equal(sg_redirect_check(&http_a, &https_a, "GET"), SG_OK);
    assert_int_equal(sg_redirect_check(&https_a, &https_b, "HEAD"), SG_OK);
    assert_int_equal(sg_redirect_check(&https_a, &https_b, "POST"), SG_ERR_HTTP_REDIRECT_BODY);
    assert_int_equal(sg_redirect_check(&https_a, &https_a, "POST"), SG_OK);
    assert_int_equal(sg_redirect_check(NULL, &https_a, "GET"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_check(&https_a, NULL, "GET"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_check(&https_a, &https_b, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_check(&no_host, &https_b, "GET"), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_redirect_check(&https_a, &no_host, "GET"), SG_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_http_date),
        cmocka_unit_test(test_http_date_every_year),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_backoff_without_random_doubles_to_cap),
        cmocka_unit_test(test_backoff_jitter_in_half_to_full),
        cmocka_unit_test(test_backoff_when_random_fails),
        cmocka_unit_test(test_attempts_and_reason_limits),
        cmocka_unit_test(test_retry_after_honoured_and_total_cap),
        cmocka_unit_test(test_redirect_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
