/*
 * The proxy module built without the tunnel (SG_PROXY 0, as the firmware has it): every
 * entry point answers as sg_proxy.h says, never half-works, and leaves no credentials behind.
 * sg_proxy.c is compiled into this test with the option off (as test_trims does for its
 * trims), so the library's own sg_proxy.o, built with the defaults, is not linked; the
 * tunnel itself is test_proxy's.
 */
#define SG_PROXY 0
#include "../../core/sg_proxy.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_no_tunnel(void **state)
{
    (void)state;
    sg_proxy_tunnel t;
    memset(&t, 0xA5, sizeof t);
    uint8_t buf[64];
    sg_transport inner;
    memset(&inner, 0, sizeof inner);
    assert_int_equal(sg_proxy_tunnel_init(&t, &inner, "proxy.lan", 3128, "u:p", buf, sizeof buf),
                     SG_ERR_UNSUPPORTED);
    assert_null(t.transport.open); /* nothing a caller could open by mistake */
    assert_null(t.userinfo);
    assert_int_equal(sg_proxy_tunnel_init(NULL, &inner, "proxy.lan", 3128, NULL, buf, sizeof buf),
                     SG_ERR_UNSUPPORTED);
}

static void test_no_proxy_urls(void **state)
{
    (void)state;
    char host[32];
    char userinfo[32];
    uint16_t port = 7;
    memset(host, 'h', sizeof host);
    memset(userinfo, 'u', sizeof userinfo);
    assert_int_equal(sg_proxy_url_parse("http://user:secret@proxy.lan:3128", host, sizeof host,
                                        &port, userinfo, sizeof userinfo),
                     SG_ERR_UNSUPPORTED);
    for (size_t i = 0; i < sizeof host; i++) {
        assert_int_equal(host[i], 0);
        assert_int_equal(userinfo[i], 0);
    }
    assert_true(sg_proxy_bypass(NULL, "api.sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("", "api.sitegpt.ai", 443));
    assert_true(sg_proxy_bypass("other.example", "api.sitegpt.ai", 443));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_tunnel),
        cmocka_unit_test(test_no_proxy_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
