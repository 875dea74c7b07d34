/*
 * sitegpt-c: the null TLS port. It implements the TLS port contract (../sg_tls_port.h)
 * without a TLS library and can verify no certificate, so it refuses every session: open
 * opens the inner stream (so failures below TLS come through as they are), then closes it
 * and returns SG_ERR_CERT. Nothing is ever sent over it.
 *
 * It exists to prove the layering: the core, the platforms and the tests build and run with
 * a TLS port that is not mbedTLS (tests/unit/test_tls_null.c). Never link it into a program
 * that needs https.
 */
#ifndef SG_TLS_H
#define SG_TLS_H

#include <sitegpt/sg_tls_port.h>
#include <sitegpt/sg_base.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sg_tls {
    sg_transport transport; /* hand &tls.transport to the core */
    const sg_transport *inner;
    bool ready;   /* sg_tls_init succeeded */
    bool refused; /* the last open reached the peer and was refused */
};

#ifdef __cplusplus
}
#endif

#endif /* SG_TLS_H */
