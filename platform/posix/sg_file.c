/* sitegpt-c POSIX files: whole-file read, folder creation, atomic replace. */
#include "sg_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SG_FILE_PATH_MAX 4096

sg_status sg_file_read(const char *path, char *buf, size_t cap, size_t *len, unsigned *mode)
{
    if (path == NULL || buf == NULL || cap == 0 || len == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? SG_ERR_NOT_FOUND : SG_ERR_STORAGE;
    }
    struct stat st;
    int bad = fstat(fd, &st) != 0 ? errno : (S_ISREG(st.st_mode) ? 0 : EISDIR);
    if (bad != 0) {
        int e = bad;
        close(fd);
        errno = e;
        return SG_ERR_STORAGE;
    }
    if (mode != NULL) {
        *mode = (unsigned)(st.st_mode & 07777);
    }
    size_t used = 0;
    for (;;) {
        if (used == cap - 1) {
            /* Full: one more byte means the file does not fit. */
            char extra;
            ssize_t n = read(fd, &extra, 1);
            close(fd);
            if (n < 0) {
                return SG_ERR_STORAGE;
            }
            if (n > 0) {
                errno = EFBIG;
                return SG_ERR_BUFFER_TOO_SMALL;
            }
            break;
        }
        ssize_t n = read(fd, buf + used, cap - 1 - used);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int e = errno;
            close(fd);
            errno = e;
            return SG_ERR_STORAGE;
        }
        if (n == 0) {
            close(fd);
            break;
        }
        used += (size_t)n;
    }
    buf[used] = '\0';
    *len = used;
    return SG_OK;
}

sg_status sg_file_mkdirs(const char *path, unsigned dir_mode)
{
    char tmp[SG_FILE_PATH_MAX];
    size_t n = path != NULL ? strlen(path) : 0;
    if (n == 0 || n >= sizeof tmp) {
        return SG_ERR_INVALID_ARG;
    }
    memcpy(tmp, path, n + 1);
    while (n > 1 && tmp[n - 1] == '/') {
        tmp[--n] = '\0';
    }
    /* Parents get the umask default, the leaf the asked mode. */
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0') {
            continue;
        }
        char saved = tmp[i];
        tmp[i] = '\0';
        mode_t m = saved == '\0' ? (mode_t)dir_mode : (mode_t)0777;
        if (mkdir(tmp, m) != 0) {
            int e = errno;
            struct stat st;
            if (e != EEXIST || stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
                errno = e == EEXIST ? ENOTDIR : e;
                return SG_ERR_STORAGE;
            }
        } else if (saved == '\0' && chmod(tmp, (mode_t)dir_mode) != 0) {
            return SG_ERR_STORAGE; /* mkdir's mode went through the umask */
        }
        tmp[i] = saved;
    }
    return SG_OK;
}

static sg_status write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return SG_ERR_STORAGE;
        }
        if (n == 0) {
            errno = EIO;
            return SG_ERR_STORAGE;
        }
        p += n;
        len -= (size_t)n;
    }
    return SG_OK;
}

static sg_status fsync_parent(const char *path)
{
    char dir[SG_FILE_PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        memcpy(dir, ".", 2);
    } else if (slash == path) {
        memcpy(dir, "/", 2);
    } else {
        size_t n = (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return SG_ERR_STORAGE;
    }
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    /* Some file systems cannot fsync a folder; the rename has happened either way. */
    if (rc != 0 && e != EINVAL && e != ENOTSUP) {
        errno = e;
        return SG_ERR_STORAGE;
    }
    return SG_OK;
}

sg_status sg_file_write_atomic(const char *path, const void *data, size_t len, unsigned file_mode)
{
    char tmp[SG_FILE_PATH_MAX];
    if (path == NULL || (data == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    int w = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
    if (w < 0 || (size_t)w >= sizeof tmp) {
        return SG_ERR_INVALID_ARG;
    }
    int fd = mkstemp(tmp); /* created 0600: never readable by others, even for a moment */
    if (fd < 0) {
        return SG_ERR_STORAGE;
    }
    sg_status st = SG_OK;
    if (fchmod(fd, (mode_t)file_mode) != 0 || fsync(fd) != 0) {
        st = SG_ERR_STORAGE;
    }
    if (st == SG_OK) {
        st = write_all(fd, data, len);
    }
    if (st == SG_OK && fsync(fd) != 0) {
        st = SG_ERR_STORAGE;
    }
    int e = errno;
    if (close(fd) != 0 && st == SG_OK) {
        e = errno;
        st = SG_ERR_STORAGE;
    }
    if (st == SG_OK && rename(tmp, path) != 0) {
        e = errno;
        st = SG_ERR_STORAGE;
    }
    if (st != SG_OK) {
        unlink(tmp);
        errno = e;
        return st;
    }
    return fsync_parent(path);
}

sg_status sg_file_lock(const char *lock_path, unsigned timeout_ms, volatile sig_atomic_t *cancel,
                       void (*on_wait)(void *ctx), void *ctx, int *fd)
{
    if (lock_path == NULL || fd == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    *fd = -1;
    int f = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (f < 0) {
        return SG_ERR_STORAGE;
    }
    const unsigned step_ms = 20;
    bool told = false;
    for (unsigned waited = 0;; waited += step_ms) {
        if (flock(f, LOCK_EX | LOCK_NB) == 0) {
            *fd = f;
            return SG_OK;
        }
        int e = errno;
        if (e != EWOULDBLOCK && e != EINTR) {
            close(f);
            errno = e;
            return SG_ERR_STORAGE;
        }
        if (cancel != NULL && *cancel != 0) {
            close(f);
            return SG_ERR_CANCELLED;
        }
        if (waited >= timeout_ms) {
            close(f);
            errno = EWOULDBLOCK;
            return SG_ERR_TIMEOUT;
        }
        if (!told && on_wait != NULL) {
            on_wait(ctx);
            told = true;
        }
        struct timespec ts = {0, (long)step_ms * 1000000L};
        (void)nanosleep(&ts, NULL);
    }
}

void sg_file_unlock(int fd)
{
    if (fd >= 0) {
        (void)flock(fd, LOCK_UN);
        close(fd);
    }
}
