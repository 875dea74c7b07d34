/*
 * sitegpt-c: the calendar behind the ISO 8601 (sg_renew) and HTTP-date (sg_retry) parsers,
 * in one place: a fixed-shape digits reader, and Gregorian dates to and from Unix seconds.
 * 32-bit day arithmetic (years 0..9999 are a few million days): no 64-bit division.
 */
#ifndef SG__DATE_H
#define SG__DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Year, month (1..12), day, hour, minute, second: the order both text forms are read in. */
typedef struct sg__civil {
    int v[6];
} sg__civil;

/*
 * Reads text (at least strlen(shape) bytes) against shape: '0' is one digit, '?' any byte,
 * anything else itself. Each run of '0's is the next value of out[], in order. False on the
 * first byte that does not fit.
 */
bool sg__date_scan(const char *text, const char *shape, int *out);

/*
 * Seconds since 1970 of a UTC date-time, after checking every field: month 1..12, the day
 * within its month (leap years counted), hour <= 23, minute <= 59, second <= 60 (a leap
 * second; both RFC 3339 and RFC 9110 allow it). The year is taken as it is (0..9999).
 */
bool sg__date_to_seconds(const sg__civil *c, int64_t *unix_seconds);

/* The date-time of a second in 0..253402300799 (years 1970..9999). */
void sg__date_from_seconds(int64_t unix_seconds, sg__civil *c);

#ifdef __cplusplus
}
#endif

#endif
