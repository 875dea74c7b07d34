/*
 * sitegpt-c: POSIX services: TCP, clock, sleep, entropy. No TLS here: a TLS port goes on top
 * of sg_posix_tcp (examples/common/sg_posix_client.h wires this platform to the mbedTLS port).
 *
 * Every object embeds the sg_platform / sg_transport it implements, whose ctx points back at
 * the object: initialise it in place and do not copy it afterwards.
 */
#ifndef SG_POSIX_H
#define SG_POSIX_H

#include <signal.h>

#include "sg_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- platform --- */

typedef struct sg_posix_platform {
    sg_platform platform;          /* hand &p.platform to the core */
    volatile sig_atomic_t *cancel; /* may be NULL; nonzero cuts sleeps short */
} sg_posix_platform;

/* Monotonic clock, cancellable sleep, getrandom(2). cancel may be NULL. */
SG_NODISCARD sg_status sg_posix_platform_init(sg_posix_platform *p, volatile sig_atomic_t *cancel);

/*
 * Fill out from getrandom(2), retrying short reads and EINTR. SG_ERR_ENTROPY on failure.
 * Its shape is sg_platform.random and sg_tls_entropy_fn; ctx is unused.
 */
SG_NODISCARD sg_status sg_posix_entropy(void *ctx, uint8_t *out, size_t len);

/*
 * Keep secrets in memory out of core files and debuggers of the same user: on Linux the
 * process becomes non-dumpable (prctl PR_SET_DUMPABLE 0, which also closes /proc/PID/mem
 * and ptrace to other processes of the user) and RLIMIT_CORE is set to 0. Call it before
 * the first token or device code is read. SG_ERR_UNSUPPORTED where neither exists.
 */
SG_NODISCARD sg_status sg_posix_protect_secrets(void);

/* ---------------------------------------------------------------- TCP --- */

typedef struct sg_posix_tcp {
    sg_transport transport;        /* hand &t.transport to the core or to sg_tls */
    int fd;                        /* -1 when closed */
    int last_errno;                /* errno (or getaddrinfo code) of the last failure */
    volatile sig_atomic_t *cancel; /* may be NULL; nonzero turns EINTR into SG_ERR_CANCELLED */
} sg_posix_tcp;

/*
 * A TCP byte stream. open resolves host (IPv6 and IPv4) and tries every address until one
 * connects within the time left: SG_ERR_DNS, SG_ERR_CONNECT, SG_ERR_TIMEOUT. send and recv
 * wait at most timeout_ms (SG_ERR_TIMEOUT); recv gives SG_OK with *received == 0 at EOF; a
 * reset connection is SG_ERR_CLOSED, other failures SG_ERR_IO. Name resolution itself is
 * not bounded by the timeout (getaddrinfo has none).
 */
SG_NODISCARD sg_status sg_posix_tcp_init(sg_posix_tcp *t, volatile sig_atomic_t *cancel);

#ifdef __cplusplus
}
#endif

#endif /* SG_POSIX_H */
