/*
 * The config writer (sg_file_write_atomic) with a failure injected at each system call in
 * turn. The calls it makes (mkstemp, fchmod, fsync, write, close, rename, open of the
 * folder, its fsync) are interposed here: this executable's definitions win over libc's,
 * and reach the real ones through dlsym(RTLD_NEXT). A clean run counts the calls; then
 * every call k in 1..n fails once with EIO, with ENOSPC and with EINTR, and every write is
 * also cut short. After each run:
 *   - on failure before the rename the old file is byte-identical, still mode 0600;
 *   - after the rename (the folder's fsync) the new bytes are there whole;
 *   - never a mix, never a temporary file left behind, the mode always 0600;
 *   - an EINTR or a short write is ridden out: the write succeeds.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sg_file.h"

/* ------------------------------------------------------------------ injection --- */

static struct {
    bool armed;       /* count and inject only inside the call under test */
    unsigned calls;   /* interposed calls so far */
    unsigned fail_at; /* 1-based call to fail, 0 none */
    int fail_errno;
    size_t write_max;  /* short writes: at most this many bytes per write, 0 no limit */
    char last[16];     /* name of the call that was failed */
    bool after_rename; /* the rename had succeeded when the failure hit */
} inj;

static bool inject(const char *name)
{
    if (!inj.armed) {
        return false;
    }
    inj.calls++;
    if (inj.calls != inj.fail_at) {
        return false;
    }
    snprintf(inj.last, sizeof inj.last, "%s", name);
    errno = inj.fail_errno;
    return true;
}

#define REAL(ret, name, ...)                              \
    static ret (*real_##name)(__VA_ARGS__);               \
    if (real_##name == NULL) {                            \
        *(void **)&real_##name = dlsym(RTLD_NEXT, #name); \
    }

int mkstemp(char *tmpl)
{
    REAL(int, mkstemp, char *)
    return inject("mkstemp") ? -1 : real_mkstemp(tmpl);
}

int fchmod(int fd, mode_t mode)
{
    REAL(int, fchmod, int, mode_t)
    return inject("fchmod") ? -1 : real_fchmod(fd, mode);
}

int fsync(int fd)
{
    REAL(int, fsync, int)
    return inject("fsync") ? -1 : real_fsync(fd);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(ssize_t, write, int, const void *, size_t)
    if (inject("write")) {
        return -1;
    }
    if (inj.armed && inj.write_max > 0 && n > inj.write_max) {
        n = inj.write_max;
    }
    return real_write(fd, buf, n);
}

int close(int fd)
{
    REAL(int, close, int)
    if (inject("close")) {
        real_close(fd); /* the descriptor is gone either way (POSIX leaves it unspecified) */
        return -1;
    }
    return real_close(fd);
}

int rename(const char *from, const char *to)
{
    REAL(int, rename, const char *, const char *)
    if (inject("rename")) {
        return -1;
    }
    int rc = real_rename(from, to);
    if (rc == 0 && inj.armed) {
        inj.after_rename = true;
    }
    return rc;
}

int open(const char *path, int flags, ...)
{
    REAL(int, open, const char *, int, ...)
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return inject("open") ? -1 : real_open(path, flags, mode);
}

/* ------------------------------------------------------------------ the checks --- */

#define OLD_TEXT "{\"version\":1,\"profiles\":{\"default\":{\"token\":\"sgpt_old\"}}}"

static char dir[256];
static char path[300];
static char new_text[20000]; /* several writes' worth when writes are cut short */

static void write_old(void)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(OLD_TEXT, 1, sizeof OLD_TEXT - 1, f), sizeof OLD_TEXT - 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0600), 0);
}

static size_t read_back(char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static unsigned entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
            if (strstr(e->d_name, ".tmp-") != NULL) {
                print_error("left behind: %s\n", e->d_name);
            }
        }
    }
    closedir(d);
    return n;
}

/* One write with call k failing (0: none); returns its status after checking the state. */
static sg_status run_once(unsigned k, int err, size_t write_max)
{
    static char got[sizeof new_text + 16];
    write_old();
    memset(&inj, 0, sizeof inj);
    inj.fail_at = k;
    inj.fail_errno = err;
    inj.write_max = write_max;
    inj.armed = true;
    sg_status st = sg_file_write_atomic(path, new_text, strlen(new_text), 0600);
    inj.armed = false;

    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(entries(), 1); /* the config file alone: no temporary file left */
    size_t n = read_back(got, sizeof got);
    bool is_old = n == sizeof OLD_TEXT - 1 && memcmp(got, OLD_TEXT, n) == 0;
    bool is_new = n == strlen(new_text) && memcmp(got, new_text, n) == 0;
    if (st == SG_OK) {
        assert_true(is_new);
    } else if (inj.after_rename) {
        assert_true(is_new); /* only the folder's fsync is left to fail: whole new bytes */
    } else {
        if (!is_old) {
            print_error("call %u (%s) errno %d: old file changed\n", k, inj.last, err);
        }
        assert_true(is_old);
    }
    return st;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/sg-faults-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/config.json", dir);
    memcpy(new_text, "{\"profiles\":{\"x\":\"", 18);
    memset(new_text + 18, 'n', sizeof new_text - 22);
    memcpy(new_text + sizeof new_text - 4, "\"}}", 4);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

/* EINTR where it is not retried (fsync, close, rename, ...) is a failure like any other. */
static unsigned eintr_failed(unsigned clean_calls)
{
    unsigned n = 0;
    for (unsigned k = 1; k <= clean_calls; k++) {
        if (run_once(k, EINTR, 0) != SG_OK) {
            n++;
        }
    }
    return n;
}

static void test_every_call_fails_in_turn(void **state)
{
    (void)state;
    /* a clean run: how many calls there are */
    assert_int_equal(run_once(0, 0, 0), SG_OK);
    unsigned clean_calls = inj.calls;
    assert_true(clean_calls >=
                8); /* mkstemp fchmod fsync write fsync close rename open fsync close */
    static const int errs[] = {EIO, ENOSPC};
    unsigned failed = 0;
    for (size_t e = 0; e < sizeof errs / sizeof errs[0]; e++) {
        for (unsigned k = 1; k <= clean_calls + 1; k++) {
            sg_status st = run_once(k, errs[e], 0);
            if (st != SG_OK) {
                failed++;
                assert_int_equal(st, SG_ERR_STORAGE);
            } else {
                /* past the last call, or the folder's close */
                assert_true(k > clean_calls ||
                            (strcmp(inj.last, "close") == 0 && inj.after_rename));
            }
        }
    }
    /* EIO and ENOSPC fail every call but the folder's close, whose result cannot matter */
    assert_int_equal(failed, 2 * (clean_calls - 1));
    /* EINTR: the write is retried; elsewhere it fails like EIO */
    assert_int_equal(eintr_failed(clean_calls), clean_calls - 2);
}

static void test_eintr_and_short_writes_are_ridden_out(void **state)
{
    (void)state;
    /* every write cut to 1000 bytes: many writes, still the whole file */
    assert_int_equal(run_once(0, 0, 1000), SG_OK);
    unsigned calls = inj.calls;
    assert_true(calls > 20);
    /* an EINTR on any write of those: retried */
    for (unsigned k = 1; k <= calls; k++) {
        run_once(k, EINTR, 1000);
        if (strcmp(inj.last, "write") == 0) {
            assert_int_equal(run_once(k, EINTR, 1000), SG_OK);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_call_fails_in_turn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eintr_and_short_writes_are_ridden_out, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
