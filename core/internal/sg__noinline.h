/*
 * sitegpt-c (internal): SG__NOINLINE keeps a helper out of line where -Os would copy it into
 * each caller (or into a hot loop); one definition for every core file that needs it.
 */
#ifndef SG__NOINLINE_H
#define SG__NOINLINE_H

#if defined(__GNUC__) || defined(__clang__)
#define SG__NOINLINE __attribute__((noinline))
#else
#define SG__NOINLINE
#endif

#endif /* SG__NOINLINE_H */
