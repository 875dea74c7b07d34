/*
 * LD_PRELOAD shim for e2e tests: time flies. nanosleep returns at once and moves
 * CLOCK_MONOTONIC forward by what was asked, so a device login that polls every second
 * makes 50 polls in well under a second of real time. Nothing else changes: sockets,
 * timeouts of poll(2) and the wall clock are real. Test builds only, never installed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <time.h>

static int64_t skipped_ns; /* time the process did not spend sleeping */

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (req != NULL && req->tv_sec >= 0 && req->tv_nsec >= 0) {
        __atomic_add_fetch(&skipped_ns, (int64_t)req->tv_sec * 1000000000 + req->tv_nsec,
                           __ATOMIC_RELAXED);
    }
    if (rem != NULL) {
        rem->tv_sec = 0;
        rem->tv_nsec = 0;
    }
    return 0;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
    static int (*real)(clockid_t, struct timespec *);
    if (real == NULL) {
        *(void **)&real = dlsym(RTLD_NEXT, "clock_gettime");
    }
    int rc = real(id, ts);
    if (rc == 0 && id == CLOCK_MONOTONIC) {
        int64_t ns = (int64_t)ts->tv_nsec + __atomic_load_n(&skipped_ns, __ATOMIC_RELAXED);
        ts->tv_sec += (time_t)(ns / 1000000000);
        ts->tv_nsec = (long)(ns % 1000000000);
    }
    return rc;
}
