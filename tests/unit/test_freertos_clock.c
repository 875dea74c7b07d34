/*
 * platform/freertos: the millisecond clock survives the tick counter's wrap (16-bit ticks
 * here) and sg_rtos's 2^32 ms wrap on top, and sleeps round up to whole ticks. The kernel is
 * the stand-in in support/freertos (100 Hz, 16-bit TickType_t).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sitegpt/sg_freertos.h>
#include "task.h"

/* The fake kernel: a tick count the tests move, the delays asked for, critical nesting. */
static uint64_t true_ticks; /* never wraps: what the widened clock must track */
static uint64_t delayed_ticks;
static unsigned delay_calls;
static unsigned yields;
static int critical_depth;

TickType_t xTaskGetTickCount(void)
{
    return (TickType_t)true_ticks;
}

void vTaskDelay(TickType_t ticks)
{
    assert_true(ticks > 0);
    assert_true(ticks < portMAX_DELAY);
    delayed_ticks += ticks;
    delay_calls++;
    true_ticks += ticks;
}

void fake_critical(int step)
{
    critical_depth += step;
    assert_true(critical_depth == 0 || critical_depth == 1);
}

void fake_yield(void)
{
    yields++;
}

/* ms since the first reading, from ticks alone: 10 ms per tick. */
static uint64_t ms_of(uint64_t ticks)
{
    return ticks * 1000u / configTICK_RATE_HZ;
}

static void test_millis_counts_ten_ms_per_tick(void **state)
{
    (void)state;
    uint32_t start = sg_freertos_millis(NULL);
    true_ticks += 7;
    assert_int_equal((uint32_t)(sg_freertos_millis(NULL) - start), 70);
    assert_int_equal(critical_depth, 0);
}

static void test_millis_keeps_counting_across_tick_wraps(void **state)
{
    (void)state;
    uint32_t start = sg_freertos_millis(NULL);
    uint64_t ticks_at_start = true_ticks;
    /* Five wraps of the 16-bit tick in steps just under half of it. */
    for (int i = 0; i < 10; i++) {
        true_ticks += 0x7fffu;
        uint32_t now = sg_freertos_millis(NULL);
        assert_int_equal((uint32_t)(now - start), (uint32_t)ms_of(true_ticks - ticks_at_start));
    }
    assert_true(true_ticks - ticks_at_start > 5u * 0x10000u - 0x10000u);
}

static sg_status no_write(void *ctx, const uint8_t *data, size_t len, size_t *written)
{
    (void)ctx;
    (void)data;
    (void)len;
    *written = 0;
    return SG_ERR_IO;
}

static sg_status no_read(void *ctx, uint8_t *buf, size_t cap, size_t *got, uint32_t timeout_ms)
{
    (void)ctx;
    (void)buf;
    (void)cap;
    (void)timeout_ms;
    *got = 0;
    return SG_ERR_TIMEOUT;
}

/* Through sg_rtos: a 64-bit clock that tracks the ticks past the 2^32 ms wrap. */
static void test_sg_rtos_clock_tracks_ticks_past_two_to_the_32_ms(void **state)
{
    (void)state;
    sg_rtos_hooks h = {0};
    sg_freertos_hooks(&h);
    h.stream_write = no_write;
    h.stream_read = no_read;
    static sg_rtos r;
    assert_int_equal(sg_rtos_init(&r, &h), SG_OK);

    uint64_t ticks_at_start = true_ticks;
    uint64_t start = r.platform.now_ms(r.platform.ctx);
    uint64_t last = start;
    /* 2^32 ms is 429,496,730 ticks at 100 Hz; step 0x7fff ticks (under one wrap) at a time. */
    while (true_ticks - ticks_at_start < 430000000u) {
        true_ticks += 0x7fffu;
        uint64_t now = r.platform.now_ms(r.platform.ctx);
        assert_true(now > last);
        last = now;
    }
    assert_true(last - start > (uint64_t)UINT32_MAX);
    assert_true(last - start == ms_of(true_ticks - ticks_at_start));
}

static void test_delay_rounds_up_to_whole_ticks(void **state)
{
    (void)state;
    delayed_ticks = 0;
    sg_freertos_delay_ms(NULL, 15); /* 1.5 ticks: 2 */
    assert_int_equal(delayed_ticks, 2);
    sg_freertos_delay_ms(NULL, 10);
    assert_int_equal(delayed_ticks, 3);
    sg_freertos_delay_ms(NULL, 1);
    assert_int_equal(delayed_ticks, 4);
}

static void test_delay_zero_yields(void **state)
{
    (void)state;
    unsigned calls = delay_calls, y = yields;
    sg_freertos_delay_ms(NULL, 0);
    assert_int_equal(delay_calls, calls);
    assert_int_equal(yields, y + 1u);
}

static void test_long_delay_is_split_below_port_max_delay(void **state)
{
    (void)state;
    delayed_ticks = 0;
    unsigned calls = delay_calls;
    sg_freertos_delay_ms(NULL, 3600u * 1000u); /* one hour: 360,000 ticks, over 5 wraps */
    assert_true(delayed_ticks == 360000u);
    assert_true(delay_calls - calls >= 6u); /* each under portMAX_DELAY (vTaskDelay checks) */
}

static void test_hooks_leave_other_hooks_alone(void **state)
{
    (void)state;
    sg_rtos_hooks h = {0};
    int marker;
    h.ctx = &marker;
    sg_freertos_hooks(&h);
    assert_ptr_equal(h.ctx, &marker);
    assert_ptr_equal(h.millis, sg_freertos_millis);
    assert_ptr_equal(h.delay_ms, sg_freertos_delay_ms);
    assert_null(h.entropy);
    assert_null(h.stream_read);
    assert_null(h.kv_write);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_millis_counts_ten_ms_per_tick),
        cmocka_unit_test(test_millis_keeps_counting_across_tick_wraps),
        cmocka_unit_test(test_sg_rtos_clock_tracks_ticks_past_two_to_the_32_ms),
        cmocka_unit_test(test_delay_rounds_up_to_whole_ticks),
        cmocka_unit_test(test_delay_zero_yields),
        cmocka_unit_test(test_long_delay_is_split_below_port_max_delay),
        cmocka_unit_test(test_hooks_leave_other_hooks_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
