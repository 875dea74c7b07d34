/*
 * Text from outside (a server, the config file) made safe for a terminal: every byte that
 * could start a control sequence becomes a visible escape, so a server cannot move the
 * cursor, retitle the window, hide text or forge a line.
 */
#ifndef EX_TERM_H
#define EX_TERM_H

#include <stddef.h>
#include <stdio.h>

/*
 * Copy s[0..len) into out[cap] (always NUL-terminated when cap > 0) with C0 controls but
 * tab, DEL and bytes that are not UTF-8 written as \xNN, and C1 controls (U+0080..U+009F)
 * as \u0080..\u009f. Everything else, backslashes included, is copied as is, so escaping
 * twice changes nothing. Output that does not fit ends in "..." at a whole character.
 * Returns the bytes written, the NUL excluded.
 */
size_t ex_term_escape(const char *s, size_t len, char *out, size_t cap);

/* ex_term_escape of the NUL-terminated s, written to f. */
void ex_term_puts(const char *s, FILE *f);

#endif /* EX_TERM_H */
