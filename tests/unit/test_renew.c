/* Renewal timing: ISO 8601 dates, time left by the server's clock, the plan, tick wraps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <sitegpt/sg_renew.h>
#include <sitegpt/sg_rtos.h>

#define DAY_MS SG_RENEW_DAY_MS

static sg_slice S(const char *s)
{
    sg_slice v = {s, s ? strlen(s) : 0};
    return v;
}

/* A monotonic clock the test moves by hand. */
static uint64_t fake_now;

static uint64_t fake_now_ms(void *ctx)
{
    (void)ctx;
    return fake_now;
}

static const sg_platform fake = {NULL, fake_now_ms, NULL, NULL};

static int64_t iso(const char *s)
{
    int64_t t = -1;
    assert_int_equal(sg_iso8601_parse(S(s), &t), SG_OK);
    return t;
}

static void test_iso8601_parse(void **state)
{
    (void)state;
    assert_int_equal(iso("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(iso("2027-03-06T12:00:00Z"), 1804334400);
    assert_int_equal(iso("2027-03-06T12:00:00.999Z"), 1804334400); /* fraction dropped */
    assert_int_equal(iso("2027-03-06t12:00:00z"), 1804334400);
    assert_int_equal(iso("2027-03-06T13:30:00+01:30"), 1804334400);
    assert_int_equal(iso("2027-03-06T10:00:00-02:00"), 1804334400);
    assert_int_equal(iso("2024-02-29T00:00:00Z"), 1709164800); /* leap day */
    assert_int_equal(iso("2000-02-29T00:00:00Z"), 951782400);  /* divisible by 400 */
    assert_int_equal(iso("2027-03-06T12:00:60Z"), 1804334460); /* a leap second */
    assert_int_equal(iso("2027-03-06T12:00:00.25+00:00"), 1804334400);
    const char *bad[] = {
        "",
        "2027-03-06",
        "2027-03-06T12:00:00",
        "2027-03-06 12:00:00Z",
        "2027-02-29T00:00:00Z",
        "2027-13-01T00:00:00Z",
        "2027-03-06T24:00:00Z",
        "2027-03-06T12:00:00.Z",
        "2027-03-06T12:00:00+0100",
        "2027-03-06T12:00:00Zjunk",
        "1969-12-31T23:59:59Z",
        "2027-03-06T12:00:00+25:00",
        "2O27-03-06T12:00:00Z",
        /* each separator and digit pair in turn */
        "2027/03-06T12:00:00Z",
        "2027-03/06T12:00:00Z",
        "2027-03-06T12-00:00Z",
        "2027-03-06T12:00-00Z",
        "2027-03-06T1 :00:00Z",
        "2027-0x-06T12:00:00Z",
        "2027-03-0xT12:00:00Z",
        "2027-03-06T12:x0:00Z",
        "2027-03-06T12:00:x0Z",
        "2027-00-06T12:00:00Z",
        "2027-03-00T12:00:00Z",
        "2027-03-06T12:60:00Z",
        "2027-03-06T12:00:61Z",
        "2100-02-29T00:00:00Z", /* divisible by 100: not a leap year */
        /* the zone: missing, unknown, or malformed */
        "2027-03-06T12:00:00.5",
        "2027-03-06T12:00:00#01:00",
        "2027-03-06T12:00:00+0x:00",
        "2027-03-06T12:00:00+01-00",
        "2027-03-06T12:00:00+01:0x",
        "2027-03-06T12:00:00+01:60",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 42;
        assert_int_equal(sg_iso8601_parse(S(bad[i]), &t), SG_ERR_INVALID_ARG);
        assert_int_equal(t, 42);
    }
    int64_t t;
    assert_int_equal(sg_iso8601_parse(S("2027-03-06T12:00:00Z"), NULL), SG_ERR_INVALID_ARG);
    sg_slice none = {NULL, 0};
    assert_int_equal(sg_iso8601_parse(none, &t), SG_ERR_INVALID_ARG);
}

static void test_iso8601_format_round_trip(void **state)
{
    (void)state;
    char out[SG_ISO8601_LEN + 1];
    const char *dates[] = {"1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2027-03-06T12:00:00Z",
                           "2100-12-31T00:00:01Z", "9999-12-31T23:59:59Z"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        assert_int_equal(sg_iso8601_format(iso(dates[i]), out, sizeof out), SG_OK);
        assert_string_equal(out, dates[i]);
    }
    assert_int_equal(sg_iso8601_format(0, out, SG_ISO8601_LEN), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_iso8601_format(-1, out, sizeof out), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_iso8601_format(iso("9999-12-31T23:59:59Z") + 1, out, sizeof out),
                     SG_ERR_INVALID_ARG);
}

/* Every day from 1970 into 2200, and the last years before 10000, each at a different time
   of day: formatting then parsing (two independent calendars) gives the second back. */
static void test_iso8601_format_every_day(void **state)
{
    (void)state;
    char out[SG_ISO8601_LEN + 1];
    const int64_t ranges[][2] = {{0, iso("2200-01-01T00:00:00Z")},
                                 {iso("9996-01-01T00:00:00Z"), iso("9999-12-31T23:59:59Z")}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
        for (int64_t t = ranges[r][0], n = 0; t <= ranges[r][1]; t += 86400 + n % 7, n++) {
            int64_t back = -1;
            assert_int_equal(sg_iso8601_format(t, out, sizeof out), SG_OK);
            assert_int_equal(sg_iso8601_parse((sg_slice){out, strlen(out)}, &back), SG_OK);
            assert_true(back == t);
        }
    }
}

static sg_renew_plan plan(const sg_renew *r)
{
    sg_renew_plan p;
    assert_int_equal(sg_renew_plan_now(r, &p), SG_OK);
    return p;
}

static void test_init_checks(void **state)
{
    (void)state;
    sg_renew r;
    sg_platform no_clock = {NULL, NULL, NULL, NULL};
    assert_int_equal(sg_renew_init(&r, &fake, 0), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_init(&r, &fake, SG_RENEW_MAX_BEFORE_MS + 1), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_init(&r, &no_clock, DAY_MS), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_init(&r, NULL, DAY_MS), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_init(&r, &fake, SG_RENEW_DEFAULT_BEFORE_MS), SG_OK);
    assert_int_equal(plan(&r).action, SG_RENEW_UNKNOWN);
}

/* 90-day token seen 10 days after its creation: renew 14 days before the end, 66 days on. */
static void test_plan_follows_server_clock(void **state)
{
    (void)state;
    sg_renew r;
    fake_now = 5000;
    assert_int_equal(sg_renew_init(&r, &fake, SG_RENEW_DEFAULT_BEFORE_MS), SG_OK);
    assert_int_equal(sg_renew_observe(&r, S("2027-03-06T12:00:00.000Z"), S("2026-12-06T12:00:00Z"),
                                      S("Wed, 16 Dec 2026 12:00:00 GMT")),
                     SG_OK);
    sg_renew_plan p = plan(&r);
    assert_int_equal(p.action, SG_RENEW_LATER);
    assert_int_equal(p.left_ms, 80 * DAY_MS);
    assert_int_equal(p.renew_in_ms, 66 * DAY_MS);
    assert_int_equal(p.before_ms, SG_RENEW_DEFAULT_BEFORE_MS);
    assert_int_equal(p.expires_at_s, iso("2027-03-06T12:00:00Z"));
    assert_int_equal(p.server_now_s, iso("2026-12-16T12:00:00Z"));

    fake_now += 66 * DAY_MS - 1;
    p = plan(&r);
    assert_int_equal(p.action, SG_RENEW_LATER);
    assert_int_equal(p.renew_in_ms, 1);
    fake_now += 1;
    p = plan(&r);
    assert_int_equal(p.action, SG_RENEW_NOW);
    assert_int_equal(p.renew_in_ms, 0);
    assert_int_equal(p.left_ms, 14 * DAY_MS);
    assert_int_equal(p.server_now_s, iso("2027-02-20T12:00:00Z"));

    fake_now += 14 * DAY_MS - 1;
    assert_int_equal(plan(&r).action, SG_RENEW_NOW);
    assert_int_equal(plan(&r).left_ms, 1);
    fake_now += 1;
    p = plan(&r);
    assert_int_equal(p.action, SG_RENEW_EXPIRED);
    assert_int_equal(p.left_ms, 0);

    sg_renew_forget(&r);
    assert_int_equal(plan(&r).action, SG_RENEW_UNKNOWN);
}

/*
 * The same token and server, seen by two devices: one whose clock says 1970, one whose
 * clock is years ahead. Nothing here reads a calendar, so their plans are identical; and a
 * server whose Date is years from ours still gets its own arithmetic.
 */
static void test_local_clock_years_off_changes_nothing(void **state)
{
    (void)state;
    sg_renew a, b;
    fake_now = 0; /* booted in 1970 (or just booted) */
    assert_int_equal(sg_renew_init(&a, &fake, 5000), SG_OK);
    assert_int_equal(
        sg_renew_observe(&a, S("2031-06-01T00:00:30Z"), S(""), S("Sun, 01 Jun 2031 00:00:00 GMT")),
        SG_OK);
    sg_renew_plan pa = plan(&a);
    fake_now = 20ull * 365 * DAY_MS; /* a monotonic clock 20 years on */
    assert_int_equal(sg_renew_init(&b, &fake, 5000), SG_OK);
    assert_int_equal(
        sg_renew_observe(&b, S("2031-06-01T00:00:30Z"), S(""), S("Sun, 01 Jun 2031 00:00:00 GMT")),
        SG_OK);
    sg_renew_plan pb = plan(&b);
    assert_int_equal(pa.action, SG_RENEW_LATER);
    assert_int_equal(pb.action, SG_RENEW_LATER);
    assert_int_equal(pa.renew_in_ms, 25000);
    assert_int_equal(pb.renew_in_ms, 25000);
    assert_int_equal(pa.left_ms, pb.left_ms);
    fake_now += 25000;
    assert_int_equal(plan(&b).action, SG_RENEW_NOW);
}

/* A margin longer than half the token's life would renew a fresh token at once. */
static void test_margin_capped_at_half_the_lifetime(void **state)
{
    (void)state;
    sg_renew r;
    fake_now = 0;
    assert_int_equal(sg_renew_init(&r, &fake, SG_RENEW_DEFAULT_BEFORE_MS), SG_OK);
    assert_int_equal(sg_renew_observe(&r, S("2027-01-08T00:00:00Z"), S("2027-01-01T00:00:00Z"),
                                      S("Fri, 01 Jan 2027 00:00:00 GMT")),
                     SG_OK);
    sg_renew_plan p = plan(&r);
    assert_int_equal(p.before_ms, 7 * DAY_MS / 2);
    assert_int_equal(p.action, SG_RENEW_LATER);
    assert_int_equal(p.renew_in_ms, 7 * DAY_MS / 2);
    /* Without createdAt the lifetime is unknown: the margin stays as asked. */
    assert_int_equal(
        sg_renew_observe(&r, S("2027-01-08T00:00:00Z"), S(""), S("Fri, 01 Jan 2027 00:00:00 GMT")),
        SG_OK);
    p = plan(&r);
    assert_int_equal(p.before_ms, SG_RENEW_DEFAULT_BEFORE_MS);
    assert_int_equal(p.action, SG_RENEW_NOW);
    /* A createdAt after the expiry says nothing about the lifetime either. */
    assert_int_equal(sg_renew_observe(&r, S("2027-01-08T00:00:00Z"), S("2027-02-01T00:00:00Z"),
                                      S("Fri, 01 Jan 2027 00:00:00 GMT")),
                     SG_OK);
    p = plan(&r);
    assert_int_equal(p.before_ms, SG_RENEW_DEFAULT_BEFORE_MS);
}

static void test_observe_rejects_bad_input_and_keeps_the_last(void **state)
{
    (void)state;
    sg_renew r;
    fake_now = 100;
    assert_int_equal(sg_renew_init(&r, &fake, 1000), SG_OK);
    assert_int_equal(
        sg_renew_observe(&r, S("2027-01-01T00:00:10Z"), S(""), S("Fri, 01 Jan 2027 00:00:00 GMT")),
        SG_OK);
    assert_int_equal(sg_renew_observe(&r, S("2027-01-01T00:09:00Z"), S(""), S("")),
                     SG_ERR_NOT_FOUND);
    assert_int_equal(
        sg_renew_observe(&r, S("next tuesday"), S(""), S("Fri, 01 Jan 2027 00:00:00 GMT")),
        SG_ERR_INVALID_ARG);
    assert_int_equal(
        sg_renew_observe(&r, S("2027-01-01T00:09:00Z"), S(""), S("Friday, 01-Jan-27 00:00:00 GMT")),
        SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_observe(&r, S("2027-01-01T00:09:00Z"), S("yesterday"),
                                      S("Fri, 01 Jan 2027 00:00:00 GMT")),
                     SG_ERR_INVALID_ARG);
    sg_renew_plan p = plan(&r);
    assert_int_equal(p.left_ms, 10000); /* the first observation still holds */
    assert_int_equal(p.renew_in_ms, 9000);
    /* An expiry at or before the server's now: expired at once. */
    assert_int_equal(
        sg_renew_observe(&r, S("2026-12-31T23:59:59Z"), S(""), S("Fri, 01 Jan 2027 00:00:00 GMT")),
        SG_OK);
    assert_int_equal(plan(&r).action, SG_RENEW_EXPIRED);
    assert_int_equal(sg_renew_plan_now(NULL, &p), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_plan_now(&r, NULL), SG_ERR_INVALID_ARG);
    /* never initialised (no clock), or no state at all */
    sg_renew zeroed;
    memset(&zeroed, 0, sizeof(zeroed));
    assert_int_equal(sg_renew_plan_now(&zeroed, &p), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_observe(&zeroed, S("2027-01-01T00:00:10Z"), S(""),
                                      S("Fri, 01 Jan 2027 00:00:00 GMT")),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_observe(NULL, S("2027-01-01T00:00:10Z"), S(""),
                                      S("Fri, 01 Jan 2027 00:00:00 GMT")),
                     SG_ERR_INVALID_ARG);
    assert_int_equal(sg_renew_observe(&r, S("2027-01-01T00:00:10Z"), S(NULL), S(NULL)),
                     SG_ERR_NOT_FOUND);
    sg_renew_forget(NULL); /* harmless */
    sg_renew_forget(&r);
    assert_int_equal(plan(&r).action, SG_RENEW_UNKNOWN);
}

/* A clock that steps back (a broken port) counts no time instead of wrapping to "expired". */
static void test_clock_stepping_back_counts_nothing(void **state)
{
    (void)state;
    sg_renew r;
    fake_now = 1000000;
    assert_int_equal(sg_renew_init(&r, &fake, 1000), SG_OK);
    assert_int_equal(
        sg_renew_observe(&r, S("2027-01-01T00:01:00Z"), S(""), S("Fri, 01 Jan 2027 00:00:00 GMT")),
        SG_OK);
    fake_now = 10;
    sg_renew_plan p = plan(&r);
    assert_int_equal(p.action, SG_RENEW_LATER);
    assert_int_equal(p.left_ms, 60000);
}

/* Firmware: a 32-bit millisecond tick (wraps every 49.7 days) widened by sg_rtos. */
static uint32_t tick;

static uint32_t tick_ms(void *ctx)
{
    (void)ctx;
    return tick;
}

static sg_status no_io(void *ctx, const uint8_t *d, size_t n, size_t *w)
{
    (void)ctx;
    (void)d;
    (void)n;
    *w = 0;
    return SG_ERR_IO;
}

static sg_status no_read(void *ctx, uint8_t *b, size_t n, size_t *got, uint32_t t)
{
    (void)ctx;
    (void)b;
    (void)n;
    (void)t;
    *got = 0;
    return SG_ERR_TIMEOUT;
}

static void test_32bit_tick_wrap(void **state)
{
    (void)state;
    sg_rtos rtos;
    sg_rtos_hooks h;
    memset(&h, 0, sizeof h);
    h.millis = tick_ms;
    h.stream_write = no_io;
    h.stream_read = no_read;
    tick = UINT32_MAX - 2000u; /* two seconds before the wrap */
    assert_int_equal(sg_rtos_init(&rtos, &h), SG_OK);

    sg_renew r;
    assert_int_equal(sg_renew_init(&r, &rtos.platform, 10000), SG_OK);
    assert_int_equal(
        sg_renew_observe(&r, S("2027-01-01T00:01:00Z"), S(""), S("Fri, 01 Jan 2027 00:00:00 GMT")),
        SG_OK);
    assert_int_equal(plan(&r).renew_in_ms, 50000);
    tick += 30000u; /* wraps: 28 s after zero */
    sg_renew_plan p = plan(&r);
    assert_int_equal(p.action, SG_RENEW_LATER);
    assert_int_equal(p.renew_in_ms, 20000);
    assert_int_equal(p.left_ms, 30000);
    tick += 20000u;
    assert_int_equal(plan(&r).action, SG_RENEW_NOW);
    tick += 10000u;
    assert_int_equal(plan(&r).action, SG_RENEW_EXPIRED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso8601_parse),
        cmocka_unit_test(test_iso8601_format_round_trip),
        cmocka_unit_test(test_iso8601_format_every_day),
        cmocka_unit_test(test_init_checks),
        cmocka_unit_test(test_plan_follows_server_clock),
        cmocka_unit_test(test_local_clock_years_off_changes_nothing),
        cmocka_unit_test(test_margin_capped_at_half_the_lifetime),
        cmocka_unit_test(test_observe_rejects_bad_input_and_keeps_the_last),
        cmocka_unit_test(test_clock_stepping_back_counts_nothing),
        cmocka_unit_test(test_32bit_tick_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
