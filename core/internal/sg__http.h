/*
 * sitegpt-c internal: what the request writer (sg_http_client.c) shares with the response
 * parser (sg_http_parse.c). Not part of the public API and not installed.
 */
#ifndef SG__HTTP_H
#define SG__HTTP_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 9110 5.6.2 tchar: the bytes of a method or a field name. */
bool sg__http_is_tchar(uint8_t c);

#ifdef __cplusplus
}
#endif

#endif /* SG__HTTP_H */
