/*
 * sitegpt-c POSIX files: whole-file read and crash-safe replace for small secret-bearing
 * files (the CLI's config). On failure errno still says why, for the caller's message.
 */
#ifndef SG_FILE_H
#define SG_FILE_H

#include <signal.h>
#include <stddef.h>

#include <sitegpt/sg_base.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Read the whole file into buf and NUL-terminate it. *len excludes the NUL; *mode (may be
 * NULL) gets the permission bits. SG_ERR_NOT_FOUND when the file does not exist,
 * SG_ERR_BUFFER_TOO_SMALL when it holds cap bytes or more, SG_ERR_STORAGE otherwise.
 */
SG_NODISCARD sg_status sg_file_read(const char *path, char *buf, size_t cap, size_t *len,
                                    unsigned *mode);

/*
 * Create the folder and any missing parents; the last one gets dir_mode (existing folders
 * keep theirs). SG_ERR_STORAGE when a component is not a folder or cannot be made.
 */
SG_NODISCARD sg_status sg_file_mkdirs(const char *path, unsigned dir_mode);

/*
 * Replace path with data atomically: a temporary file in the same folder created with
 * file_mode, written, fsynced, renamed over path, then the folder fsynced. Readers see the
 * old bytes or the new ones, never a mix, and no temporary file is left. A failure before
 * the rename leaves the old file untouched; the folder's fsync comes after it, so its
 * failure (SG_ERR_STORAGE too) leaves the new bytes in place, not yet known durable
 * (tests/unit/test_file_faults.c fails every call in turn).
 */
SG_NODISCARD sg_status sg_file_write_atomic(const char *path, const void *data, size_t len,
                                            unsigned file_mode);

/*
 * Take an exclusive lock (flock) on lock_path, created 0600 when missing and never followed
 * through a symlink, so read-modify-write cycles of one file by several processes happen
 * one after the other. Waits up to timeout_ms; on_wait (may be NULL) is called once when it
 * has to wait; a nonzero *cancel (may be NULL) stops the wait. SG_OK with *fd holding the
 * lock (sg_file_unlock releases it); SG_ERR_TIMEOUT, SG_ERR_CANCELLED, or SG_ERR_STORAGE
 * with errno.
 */
SG_NODISCARD sg_status sg_file_lock(const char *lock_path, unsigned timeout_ms,
                                    volatile sig_atomic_t *cancel, void (*on_wait)(void *ctx),
                                    void *ctx, int *fd);

/* Release a lock from sg_file_lock (fd < 0: nothing). */
void sg_file_unlock(int fd);

#ifdef __cplusplus
}
#endif

#endif /* SG_FILE_H */
