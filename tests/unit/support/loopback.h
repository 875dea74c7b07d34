/*
 * Loopback TCP helpers for transport tests: a listener on 127.0.0.1 and a forked server
 * process that hands each accepted connection to a callback. A process, not a thread, so
 * server and client never share library state (mbedTLS 3.6's PSA core is not thread-safe
 * without MBEDTLS_THREADING_C).
 */
#ifndef LOOPBACK_H
#define LOOPBACK_H

#include <stdint.h>
#include <sys/types.h>

/* Handles one accepted connection; the caller closes fd afterwards. */
typedef void (*loopback_serve_fn)(int fd, void *arg);

/* A listening socket on 127.0.0.1 with an ephemeral port; -1 on failure. */
int loopback_listen(uint16_t *port);

/* A loopback port nobody listens on (bound once, then released). 0 on failure. */
uint16_t loopback_closed_port(void);

/*
 * Fork a child that accepts on listen_fd and serves connections one after another until
 * killed (it ends with its parent, too). The parent's copy of listen_fd stays open so the
 * port cannot be reused by someone else. Returns the child's pid, -1 on failure.
 */
pid_t loopback_fork_server(int listen_fd, loopback_serve_fn serve, void *arg);

/* Kill and reap a server started by loopback_fork_server. */
void loopback_stop_server(pid_t pid);

#endif /* LOOPBACK_H */
