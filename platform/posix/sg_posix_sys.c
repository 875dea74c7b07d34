/* sitegpt-c: POSIX clock, cancellable sleep and getrandom(2) entropy. */
#include <sitegpt/sg_posix.h>

#include <errno.h>
#include <sys/random.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>

/* A sleep wakes at least this often to notice a cancel flag set just before it began. */
#define SG_POSIX_SLEEP_SLICE_MS 100u

static uint64_t posix_now_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool posix_cancelled(const sg_posix_platform *p)
{
    return p->cancel != NULL && *p->cancel != 0;
}

static void posix_sleep_ms(void *ctx, uint32_t ms)
{
    sg_posix_platform *p = ctx;
    uint64_t end = posix_now_ms(NULL) + ms;
    for (;;) {
        if (posix_cancelled(p)) {
            return;
        }
        uint64_t now = posix_now_ms(NULL);
        if (now >= end) {
            return;
        }
        uint64_t left = end - now;
        if (left > SG_POSIX_SLEEP_SLICE_MS) {
            left = SG_POSIX_SLEEP_SLICE_MS;
        }
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(left * 1000000u)};
        /* EINTR: loop, which re-checks the flag a signal handler may just have set */
        (void)nanosleep(&ts, NULL);
    }
}

sg_status sg_posix_entropy(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    if (out == NULL && len > 0) {
        return SG_ERR_INVALID_ARG;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(out + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return SG_ERR_ENTROPY;
        }
        done += (size_t)n;
    }
    return SG_OK;
}

sg_status sg_posix_platform_init(sg_posix_platform *p, volatile sig_atomic_t *cancel)
{
    if (p == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    p->cancel = cancel;
    p->platform.ctx = p;
    p->platform.now_ms = posix_now_ms;
    p->platform.sleep_ms = posix_sleep_ms;
    p->platform.random = sg_posix_entropy;
    return SG_OK;
}

sg_status sg_posix_protect_secrets(void)
{
    struct rlimit none = {0, 0};
    sg_status st = setrlimit(RLIMIT_CORE, &none) == 0 ? SG_OK : SG_ERR_IO;
#ifdef __linux__
    if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L) != 0) {
        st = SG_ERR_IO;
    }
#endif
    return st;
}
