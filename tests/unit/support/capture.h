/*
 * What test sinks (HTTP bodies, JSON events, header callbacks) write down: bytes appended to
 * a fixed buffer, kept NUL-terminated so assert_string_equal can read it; and a search of
 * such bytes (or of any memory, for a secret that must not be there).
 */
#ifndef CAPTURE_H
#define CAPTURE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Append n bytes of data to buf (cap bytes, *len of them used) and a NUL after them.
 * false, nothing appended, when they do not fit: callers assert_true it.
 */
bool capture_append(char *buf, size_t cap, size_t *len, const void *data, size_t n);

/* Whether needle's bytes (its NUL left out) stand anywhere in buf[0..len). */
bool mem_holds(const void *buf, size_t len, const char *needle);

#endif /* CAPTURE_H */
