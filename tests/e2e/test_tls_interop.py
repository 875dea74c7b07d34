"""TLS interop: RSA and ECDSA certificates against TLS 1.2-only and TLS 1.2+1.3 servers.

The mock is OpenSSL (Python's ssl) with its own signature algorithm preference: as a TLS 1.2
server with an RSA key it signs the key exchange with RSA-PSS whenever the client offers it,
which mbedTLS 3.6 offers (for TLS 1.3) but refuses in TLS 1.2 (port/mbedtls/sg_tls.c). Runs
against whichever build SITEGPT_BIN names (`make test-e2e`, `make MBEDTLS=3.6 test-e2e`).
"""
import json
import ssl

import pytest

CASES = [("rsa", ssl.TLSVersion.TLSv1_2), ("rsa", None),
         ("ec", ssl.TLSVersion.TLSv1_2), ("ec", None)]
IDS = ["rsa-tls1.2-only", "rsa-tls1.2+1.3", "ecdsa-tls1.2-only", "ecdsa-tls1.2+1.3"]


@pytest.mark.parametrize("key,tls_max", CASES, ids=IDS)
def test_health_over_every_certificate_and_version(cli, make_mock, key, tls_max):
    server = make_mock(key=key, tls_max=tls_max)
    r = cli("api", "/api/v2/health", server=server)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and doc["data"]["status"] == "ok"
    assert [q["status"] for q in server.requests("/api/v2/health")] == [200]
    served = [c for c in server.connections() if c["requests"] > 0]
    assert len(served) == 1
    if tls_max == ssl.TLSVersion.TLSv1_2:
        assert served[0]["tls_version"] == "TLSv1.2"
    else:
        # 1.3 when the mbedTLS build has it (3.6), else 1.2 (2.28)
        assert served[0]["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert served[0]["sni"] == "localhost"
