"""Self-tests of the SiteGPT mock with Python's own http.client/ssl, so the mock is proven
before the C client relies on it. Run: /usr/bin/python3 -m pytest -q tests/mock"""
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

import pytest

from mock_api import SCOPES, STANDARD_SCOPES
from mock_fixtures import assert_no_secrets, find_secret, redact
from sitegpt_mock import MockControl

HERE = os.path.dirname(os.path.abspath(__file__))
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


# ---------------------------------------------------------------- helpers


def client_ctx(ca_file, max_version=None):
    ctx = ssl.create_default_context(cafile=ca_file)
    if max_version:
        ctx.maximum_version = max_version
    return ctx


def connect(m, ctx=None):
    if m.ca_file:
        return http.client.HTTPSConnection("localhost", m.port, timeout=10,
                                           context=ctx or client_ctx(m.ca_file))
    return http.client.HTTPConnection("localhost", m.port, timeout=10)


def call(m, method, path, tok=None, body=None, headers=None, form=None, conn=None):
    """-> (status, headers, parsed JSON body or raw bytes)."""
    h = dict(headers or {})
    if tok:
        h["Authorization"] = "Bearer " + tok
    if form is not None:
        body = urllib.parse.urlencode(form, doseq=True)
        h.update(FORM)
    elif body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
        h["Content-Type"] = "application/json"
    c = conn or connect(m)
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    try:
        data = json.loads(data)
    except ValueError:
        pass
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def raw(m, data, timeout=5.0):
    """Send raw bytes on a fresh connection; everything received until close or timeout."""
    s = socket.create_connection(("127.0.0.1", m.port), timeout=timeout)
    if m.ca_file:
        s = client_ctx(m.ca_file).wrap_socket(s, server_hostname="localhost")
    s.sendall(data)
    out = b""
    try:
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            out += piece
    except socket.timeout:
        out += b"<timeout>"
    finally:
        s.close()
    return out


GET_HEALTH = b"GET /api/v2/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
GET_CLOSE = b"GET /api/v2/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def assert_error(status, body, want_status, code):
    assert status == want_status
    assert body["ok"] is False and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["meta"]["requestId"].startswith("req_")


def start_device(m, **form):
    fields = {"client_id": "sitegpt-cli"}
    fields.update(form)
    st, _, body = call(m, "POST", "/oauth/device_authorization", form=fields)
    assert st == 200, body
    return body


def poll(m, device_code, client_id="sitegpt-cli"):
    return call(m, "POST", "/oauth/token",
                form={"grant_type": GRANT, "device_code": device_code, "client_id": client_id})


# ---------------------------------------------------------------- envelopes and auth


def test_health_needs_no_token_and_uses_the_success_envelope(mock):
    st, h, body = call(mock, "GET", "/api/v2/health")
    assert st == 200 and body["ok"] is True and body["data"]["status"] == "ok"
    assert body["meta"]["requestId"].startswith("req_")
    assert h["content-type"].startswith("application/json")
    assert int(h["content-length"]) == len(json.dumps(body, separators=(",", ":")))


@pytest.mark.parametrize("path", ["/api/v2/me", "/api/v2/account", "/api/v2/usage",
                                  "/api/v2/limits", "/api/v2/tokens", "/api/v2/chatbots"])
def test_missing_authorization_is_401(mock, path):
    st, h, body = call(mock, "GET", path)
    assert_error(st, body, 401, "AUTHORIZATION_HEADER_REQUIRED")
    assert "www-authenticate" in h


def test_unknown_revoked_expired_and_rotated_tokens_are_not_valid(mock, token):
    assert_error(*call(mock, "GET", "/api/v2/me", tok="sgpt_not_a_real_token")[::2], 401,
                 "TOKEN_NOT_VALID")
    revoked, rec = mock.seed_token(["account:read"], revoked=True)
    assert_error(*call(mock, "GET", "/api/v2/me", tok=revoked)[::2], 401, "TOKEN_NOT_VALID")
    expired, _ = mock.seed_token(["account:read"], expired=True)
    assert_error(*call(mock, "GET", "/api/v2/me", tok=expired)[::2], 401, "TOKEN_NOT_VALID")
    admin = token(["tokens:write"])
    old, rec = mock.seed_token(["account:read"])
    st, _, body = call(mock, "POST", "/api/v2/tokens/%s/rotate" % rec["id"], tok=admin)
    assert st == 200 and body["data"]["plaintextToken"].startswith("sgpt_")
    assert body["data"]["plaintextToken"] != old and body["data"]["token"]["id"] == rec["id"]
    assert_error(*call(mock, "GET", "/api/v2/me", tok=old)[::2], 401, "TOKEN_NOT_VALID")
    assert call(mock, "GET", "/api/v2/me", tok=body["data"]["plaintextToken"])[0] == 200
    assert call(mock, "GET", "/api/v2/me", headers={"Authorization": "Basic abc"})[2][
        "error"]["code"] == "AUTHORIZATION_HEADER_REQUIRED"


def test_missing_scope_is_403_with_hint_and_details(mock, token):
    st, _, body = call(mock, "GET", "/api/v2/tokens", tok=token(["account:read"]))
    assert_error(st, body, 403, "TOKEN_SCOPE_NOT_ALLOWED")
    assert "tokens:read" in body["error"]["message"] and "tokens:read" in body["error"]["hint"]
    assert body["error"]["details"] == {"requiredScopes": ["tokens:read"]}


def test_me_account_usage_limits(mock, token):
    tok = token(["account:read", "chatbots:read"])
    st, _, me = call(mock, "GET", "/api/v2/me", tok=tok)
    assert st == 200 and me["data"]["user"]["email"] and me["data"]["auth"]["type"] == "api-token"
    assert me["data"]["auth"]["scopes"] == ["account:read", "chatbots:read"]
    st, _, acc = call(mock, "GET", "/api/v2/account", tok=tok)
    assert st == 200 and acc["data"]["user"] == me["data"]["user"]
    assert call(mock, "GET", "/api/v2/usage", tok=tok)[2]["data"]["usage"]["messages"]["limit"]
    assert call(mock, "GET", "/api/v2/limits", tok=tok)[2]["data"]["limits"]["chatbots"] == 10
    assert call(mock, "GET", "/api/v2/me", tok=token(["chatbots:read"]))[0] == 200
    assert call(mock, "GET", "/api/v2/account", tok=token(["chatbots:read"]))[0] == 403


def test_unknown_route_bad_json_and_wrong_method(mock, token):
    assert_error(*call(mock, "GET", "/api/v2/nope")[::2], 404, "NOT_FOUND")
    tok = token(["tokens:write"])
    assert_error(*call(mock, "POST", "/api/v2/tokens", tok=tok, body="{nope",
                       headers={"Content-Type": "application/json"})[::2], 400,
                 "VALIDATION_FAILED")
    st, h, body = call(mock, "PUT", "/api/v2/me")
    assert st == 405 and h["allow"] == "GET" and body["ok"] is False


# ---------------------------------------------------------------- tokens


def test_ten_thousand_tokens_page_through_every_one(mock, token):
    ids = set(mock.seed_tokens(10000, revoked_every=10))
    tok = token(["tokens:read"])
    c = connect(mock)
    seen, cursor, pages = [], None, 0
    while True:
        q = "/api/v2/tokens?limit=100" + ("&cursor=" + cursor if cursor else "")
        st, _, body = call(mock, "GET", q, tok=tok, conn=c)
        assert st == 200
        page = body["data"]["pagination"]
        seen += [t["id"] for t in body["data"]["tokens"]]
        pages += 1
        assert page["limit"] == 100 and (page["nextCursor"] is not None) == page["hasNextPage"]
        if not page["hasNextPage"]:
            break
        cursor = page["nextCursor"]
    assert len(seen) == len(set(seen)) == 9000 + 1  # revoked ones hidden; +1: the caller
    assert set(seen) - ids == {mock.requests()[-1]["token_id"]}
    st, _, body = call(mock, "GET", "/api/v2/tokens?includeRevoked=true&limit=5", tok=tok)
    assert len(body["data"]["tokens"]) == 5 and body["data"]["pagination"]["hasNextPage"]
    assert {len(mock.requests())} == {pages + 1}
    assert len({r["conn"] for r in mock.requests()[:pages]}) == 1  # keep-alive reused


@pytest.mark.parametrize("query,field", [("limit=0", "limit"), ("limit=x", "limit"),
                                         ("cursor=zzz", "cursor"),
                                         ("includeRevoked=yes", "includeRevoked")])
def test_bad_list_queries_are_validation_failed(mock, token, query, field):
    st, _, body = call(mock, "GET", "/api/v2/tokens?" + query, tok=token(["tokens:read"]))
    assert_error(st, body, 400, "VALIDATION_FAILED")
    assert body["error"]["details"][0]["field"] == field


def test_create_token_returns_201_and_a_working_secret(mock, token):
    admin = token(["tokens:write", "tokens:read"])
    st, _, body = call(mock, "POST", "/api/v2/tokens", tok=admin, body={
        "name": "ci", "scopes": ["chatbots:read", "account:read"], "chatbotIds": ["cb_0002"],
        "expiresInDays": 7})
    assert st == 201, body
    t = body["data"]["token"]
    assert t["scopes"] == ["account:read", "chatbots:read"] and t["chatbotIds"] == ["cb_0002"]
    assert set(t) >= {"id", "name", "createdAt", "expiresAt", "lastUsedAt", "revokedAt"}
    secret = body["data"]["plaintextToken"]
    assert secret.startswith("sgpt_") and secret in mock.secrets()
    st, _, bots = call(mock, "GET", "/api/v2/chatbots", tok=secret)
    assert [b["id"] for b in bots["data"]["chatbots"]] == ["cb_0002"]
    assert_error(*call(mock, "GET", "/api/v2/chatbots/cb_0001", tok=secret)[::2], 404,
                 "CHATBOT_NOT_FOUND")
    assert call(mock, "GET", "/api/v2/chatbots/cb_0002", tok=secret)[2]["data"]["chatbot"][
        "name"] == "Sales Bot"
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400 * 3))
    st, _, body = call(mock, "POST", "/api/v2/tokens", tok=admin,
                       body={"name": "at", "scopes": ["leads:read"], "expiresAt": future})
    assert st == 201 and body["data"]["token"]["expiresAt"].startswith(future[:16])


@pytest.mark.parametrize("body,field", [
    ({"scopes": ["leads:read"]}, "name"),
    ({"name": "", "scopes": ["leads:read"]}, "name"),
    ({"name": "x" * 121, "scopes": ["leads:read"]}, "name"),
    ({"name": "n"}, "scopes"),
    ({"name": "n", "scopes": []}, "scopes"),
    ({"name": "n", "scopes": ["leads:read"], "expiresInDays": 0}, "expiresInDays"),
    ({"name": "n", "scopes": ["leads:read"], "expiresInDays": 366}, "expiresInDays"),
    ({"name": "n", "scopes": ["leads:read"], "expiresInDays": 5,
      "expiresAt": "2099-01-01T00:00:00Z"}, "expiresAt"),
    ({"name": "n", "scopes": ["leads:read"], "expiresAt": "2001-01-01T00:00:00Z"}, "expiresAt"),
    ({"name": "n", "scopes": ["leads:read"], "expiresAt": "2099-01-01"}, "expiresAt"),
    ({"name": "n", "scopes": ["leads:read"], "chatbotIds": "cb_0001"}, "chatbotIds"),
    (["not", "an", "object"], "body"),
])
def test_create_token_validation(mock, token, body, field):
    st, _, out = call(mock, "POST", "/api/v2/tokens", tok=token(["tokens:write"]), body=body)
    assert_error(st, out, 400, "VALIDATION_FAILED")
    assert field in [d["field"] for d in out["error"]["details"]]


def test_create_token_scope_and_role_errors(mock, token):
    admin = token(["tokens:write"])
    st, _, out = call(mock, "POST", "/api/v2/tokens", tok=admin,
                      body={"name": "n", "scopes": ["leads:raed"]})
    assert_error(st, out, 400, "TOKEN_SCOPE_NOT_VALID")
    mock.configure(role_scopes=["leads:read"])
    st, _, out = call(mock, "POST", "/api/v2/tokens", tok=admin,
                      body={"name": "n", "scopes": ["leads:read", "billing:write"]})
    assert_error(st, out, 403, "TOKEN_SCOPE_NOT_ALLOWED")
    assert out["error"]["details"] == {"notAllowedScopes": ["billing:write"]}
    assert call(mock, "POST", "/api/v2/tokens", tok=token(["tokens:read"]),
                body={"name": "n", "scopes": ["leads:read"]})[0] == 403
    st, _, out = call(mock, "POST", "/api/v2/tokens", tok=admin,
                      body={"name": "n", "scopes": ["leads:read"], "chatbotIds": ["cb_9999"]})
    assert_error(st, out, 404, "CHATBOT_NOT_FOUND")


def test_revoke_is_idempotent_and_kills_the_secret(mock, token):
    admin = token(["tokens:write"])
    victim, rec = mock.seed_token(["account:read"])
    st, _, out = call(mock, "DELETE", "/api/v2/tokens/" + rec["id"], tok=admin)
    assert st == 200 and out["data"]["token"]["revokedAt"]
    again = call(mock, "DELETE", "/api/v2/tokens/" + rec["id"], tok=admin)[2]
    assert again["data"]["token"]["revokedAt"] == out["data"]["token"]["revokedAt"]
    assert call(mock, "GET", "/api/v2/me", tok=victim)[0] == 401
    assert call(mock, "POST", "/api/v2/tokens/%s/rotate" % rec["id"], tok=admin)[0] == 400
    assert call(mock, "DELETE", "/api/v2/tokens/tok_missing", tok=admin)[2]["error"][
        "code"] == "TOKEN_NOT_FOUND"


# ---------------------------------------------------------------- OAuth


def test_discovery_documents_and_switches(mock, mock_plain):
    st, _, doc = call(mock, "GET", "/.well-known/oauth-authorization-server")
    assert st == 200 and doc["issuer"] == mock.base_url
    assert doc["device_authorization_endpoint"] == mock.base_url + "/oauth/device_authorization"
    assert doc["token_endpoint"] == mock.base_url + "/oauth/token"
    assert GRANT in doc["grant_types_supported"]
    for p in ("/.well-known/oauth-protected-resource",
              "/.well-known/oauth-protected-resource/api/v2"):
        st, _, pr = call(mock, "GET", p)
        assert st == 200 and pr["resource"] == mock.base_url + "/api/v2"
        assert pr["authorization_servers"] == [mock.base_url]
    mock.configure(discovery_base=mock_plain.base_url)
    doc = call(mock, "GET", "/.well-known/oauth-authorization-server")[2]
    assert doc["token_endpoint"] == mock_plain.base_url + "/oauth/token"
    mock.configure(discovery_issuer="https://evil.example")
    doc = call(mock, "GET", "/.well-known/oauth-authorization-server")[2]
    assert doc["issuer"] == "https://evil.example"
    mock.configure(serve_discovery=False)
    assert call(mock, "GET", "/.well-known/oauth-authorization-server")[0] == 404


def test_me_tells_expiry_and_lifetime_by_the_servers_clock(mock):
    import email.utils
    import datetime

    def epoch(iso_text):
        return datetime.datetime.fromisoformat(iso_text.replace("Z", "+00:00")).timestamp()
    secret, tok = mock.seed_token(["chatbots:read"], chatbot_ids=["cb_0002"], expires_in_days=30)
    st, h, me = call(mock, "GET", "/api/v2/me", tok=secret)
    auth = me["data"]["auth"]
    assert st == 200 and auth["expiresAt"] == tok["expiresAt"]
    assert auth["chatbotIds"] == ["cb_0002"] and auth["tokenId"] == tok["id"]
    assert round(epoch(auth["expiresAt"]) - epoch(auth["createdAt"])) == 30 * 86400
    date = email.utils.parsedate_to_datetime(h["date"]).timestamp()
    assert abs(date - time.time()) < 5
    # A server clock years away moves the Date and the timestamps together.
    mock.configure(clock_offset=3 * 365 * 86400)
    st, h, me = call(mock, "GET", "/api/v2/me", tok=secret)
    date = email.utils.parsedate_to_datetime(h["date"]).timestamp()
    assert abs(date - time.time() - 3 * 365 * 86400) < 5
    left = epoch(me["data"]["auth"]["expiresAt"]) - date
    assert 30 * 86400 - 10 < left <= 30 * 86400 + 1   # Date has whole seconds
    # Short-lived tokens: seeded, and issued by the device flow.
    short, _ = mock.seed_token(["chatbots:read"], lifetime_s=2)
    assert call(mock, "GET", "/api/v2/me", tok=short)[0] == 200
    time.sleep(2.2)
    assert call(mock, "GET", "/api/v2/me", tok=short)[0] == 401
    mock.configure(token_lifetime_s=7, device_interval=1)
    d = start_device(mock, scope="chatbots:read", expires_in_days="30")
    mock.approve(d["user_code"])
    st, _, out = poll(mock, d["device_code"])
    assert st == 200 and out["expires_in"] == 7


def test_device_flow_happy_path_and_single_exchange(mock):
    mock.configure(device_interval=1)
    d = start_device(mock, scope="chatbots:read leads:read", token_name="SiteGPT CLI (ci)",
                     expires_in_days="30", chatbot_id=["cb_0001", "cb_0003"])
    assert d["device_code"].startswith("sgpt_device_") and d["interval"] == 1
    assert d["expires_in"] == 899 and len(d["user_code"]) == 9 and d["user_code"][4] == "-"
    assert d["verification_uri"] == mock.base_url + "/device"
    assert d["verification_uri_complete"].endswith("user_code=" + d["user_code"])
    st, h, out = poll(mock, d["device_code"])
    assert (st, out["error"]) == (400, "authorization_pending") and h["cache-control"] == "no-store"
    mock.approve(d["user_code"].lower().replace("-", ""))  # codes match loosely, like RFC 8628
    time.sleep(1.0)
    st, _, out = poll(mock, d["device_code"])
    assert st == 200 and out["token_type"] == "Bearer" and out["access_token"].startswith("sgpt_")
    assert out["scope"] == "chatbots:read leads:read" and out["expires_in"] == 30 * 86400
    me = call(mock, "GET", "/api/v2/me", tok=out["access_token"])[2]["data"]["auth"]
    assert me["chatbotIds"] == ["cb_0001", "cb_0003"]
    time.sleep(1.0)
    assert poll(mock, d["device_code"])[2]["error"] == "invalid_grant"
    dev = mock.device(d["user_code"])
    assert dev["request"]["token_name"] == "SiteGPT CLI (ci)"
    assert dev["results"] == ["authorization_pending", "token", "invalid_grant"]
    assert len(dev["polls"]) == 3 and "device_code" not in json.dumps(dev)
    assert mock.token_json(dev["token_id"])["name"] == "SiteGPT CLI (ci)"
    bodies = [r["body"] for r in mock.requests("/oauth/token")]
    assert all("device_code=<redacted>" in b for b in bodies) and not find_secret("".join(bodies))


@pytest.mark.parametrize("form,scopes", [
    ({}, list(STANDARD_SCOPES)),
    ({"full_access": "true"}, list(SCOPES)),
    ({"scope": "billing:write"}, ["billing:write"]),
])
def test_device_flow_access_levels(mock, form, scopes):
    d = start_device(mock, **form)
    mock.approve(d["user_code"])
    st, _, out = poll(mock, d["device_code"])
    assert st == 200 and out["scope"].split() == scopes
    assert "tokens:write" not in STANDARD_SCOPES and len(STANDARD_SCOPES) == 34


@pytest.mark.parametrize("form,error", [
    ({"client_id": "other"}, "invalid_client"),
    ({"client_id": None}, "invalid_client"),
    ({"scope": "leads:raed"}, "invalid_scope"),
    ({"scope": "leads:read", "full_access": "true"}, "invalid_request"),
    ({"expires_in_days": "0"}, "invalid_request"),
    ({"expires_in_days": "366"}, "invalid_request"),
    ({"chatbot_id": "cb_nope"}, "invalid_request"),
    ({"token_name": "x" * 121}, "invalid_request"),
])
def test_device_authorization_errors(mock, form, error):
    fields = {"client_id": "sitegpt-cli"}
    fields.update(form)
    fields = {k: v for k, v in fields.items() if v is not None}
    st, _, out = call(mock, "POST", "/oauth/device_authorization", form=fields)
    assert (st, out["error"]) == (400, error) and out["error_description"]


def test_token_endpoint_errors(mock):
    d = start_device(mock)
    assert poll(mock, "sgpt_device_unknown")[2]["error"] == "invalid_grant"
    assert poll(mock, d["device_code"], client_id="x")[2]["error"] == "invalid_client"
    st, _, out = call(mock, "POST", "/oauth/token",
                      form={"grant_type": "password", "client_id": "sitegpt-cli"})
    assert (st, out["error"]) == (400, "unsupported_grant_type")
    st, _, out = call(mock, "POST", "/oauth/token", body=b"{}",
                      headers={"Content-Type": "application/json"})
    assert (st, out["error"]) == (400, "invalid_request")


def test_slow_down_grows_the_interval_by_five(mock):
    mock.configure(device_interval=1, slow_down_interval_in_body=True)
    d = start_device(mock)
    assert poll(mock, d["device_code"])[2]["error"] == "authorization_pending"
    st, _, out = poll(mock, d["device_code"])  # immediately: too fast
    assert (st, out["error"], out["interval"]) == (400, "slow_down", 6)
    mock.slow_down_device(d["user_code"])       # forced, whatever the timing
    assert poll(mock, d["device_code"])[2]["error"] == "slow_down"
    assert mock.device(d["user_code"])["interval"] == 11


def test_denied_and_expired_codes(mock):
    a, b = start_device(mock), start_device(mock)
    mock.deny(a["user_code"])
    assert poll(mock, a["device_code"])[2]["error"] == "access_denied"
    mock.expire_device(b["user_code"])
    assert poll(mock, b["device_code"])[2]["error"] == "expired_token"
    mock.configure(device_expires_in=0, device_interval=None)
    c = start_device(mock)
    assert "interval" not in c and c["expires_in"] == 0
    assert poll(mock, c["device_code"])[2]["error"] == "expired_token"


def test_auto_approve_after_first_poll(mock):
    mock.configure(auto_approve=True, auto_approve_delay=0.0, device_interval=1)
    d = start_device(mock)
    assert poll(mock, d["device_code"])[2]["error"] == "authorization_pending"
    time.sleep(1.0)
    assert poll(mock, d["device_code"])[0] == 200


def test_auto_approve_after_n_pending_polls(mock):
    mock.configure(auto_approve_polls=2, device_interval=1, poll_tolerance=1.0)
    d = start_device(mock)
    assert [poll(mock, d["device_code"])[2].get("error") for _ in range(3)] == \
        ["authorization_pending", "authorization_pending", None]
    assert mock.device(d["user_code"])["results"] == ["authorization_pending"] * 2 + ["token"]


# ---------------------------------------------------------------- HTTP behaviour


@pytest.mark.parametrize("tls_max", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_versions(mock, tls_max):
    c = connect(mock, client_ctx(mock.ca_file, tls_max))
    assert call(mock, "GET", "/api/v2/health", conn=c)[0] == 200
    assert c.sock.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2",
                                ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[tls_max]
    assert mock.connections()[-1]["sni"] == "localhost"


def test_rsa_certificates_work(make_mock):
    m = make_mock(key="rsa")
    c = connect(m, client_ctx(m.ca_file, ssl.TLSVersion.TLSv1_2))
    assert call(m, "GET", "/api/v2/health", conn=c)[0] == 200
    assert "RSA" in c.sock.cipher()[0]


@pytest.mark.parametrize("cert", ["rogue", "wronghost"])
def test_untrusted_certificates_are_rejected(make_mock, mock, cert):
    bad = make_mock(cert=cert)
    with pytest.raises(ssl.SSLCertVerificationError):
        call(bad, "GET", "/api/v2/health", conn=connect(bad, client_ctx(mock.ca_file)))
    deadline = time.monotonic() + 5
    while not bad.tls_failures() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bad.tls_failures() and bad.requests() == []


def test_ipv6_loopback_when_available(mock):
    if not mock.http.ipv6:
        pytest.skip("no ::1 on this machine")
    s = socket.create_connection(("::1", mock.port), timeout=5)
    s = client_ctx(mock.ca_file).wrap_socket(s, server_hostname="localhost")
    s.sendall(GET_HEALTH)
    assert s.recv(100).startswith(b"HTTP/1.1 200 ")
    s.close()
    assert mock.requests()[-1]["family"] == "ipv6"


def test_keep_alive_and_connection_close(mock_plain):
    c = connect(mock_plain)
    for _ in range(3):
        assert call(mock_plain, "GET", "/api/v2/health", conn=c)[0] == 200
    assert [r["conn"] for r in mock_plain.requests()] == [1, 1, 1]
    out = raw(mock_plain, b"GET /api/v2/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"Connection: close" in out and out.endswith(b"}")
    out = raw(mock_plain, b"GET /api/v2/health HTTP/1.0\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200") and out.endswith(b"}")


def closed_connections(m, n):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        conns = m.connections()
        if len(conns) >= n and all(c["closed"] for c in conns):
            return conns
        time.sleep(0.01)
    raise AssertionError("connections still open: %r" % m.connections())


def test_connections_count_bytes_and_resumption(mock):
    ctx = client_ctx(mock.ca_file, ssl.TLSVersion.TLSv1_2)
    c = connect(mock, ctx)
    assert call(mock, "GET", "/api/v2/health", conn=c)[0] == 200
    session = c.sock.session
    c.close()
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", mock.port), timeout=5),
                        server_hostname="localhost", session=session)
    s.sendall(GET_HEALTH)
    reply = s.recv(4096)
    s.close()
    first, second = closed_connections(mock, 2)
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert (first["resumed"], second["resumed"]) == (False, True)
    # TLS records are bigger than the plaintext; the full handshake carries the certificate
    assert first["bytes_in"] > len(GET_HEALTH) and first["bytes_out"] > second["bytes_out"]
    assert second["bytes_out"] > len(reply)


def test_keep_alive_off_closes_after_every_response(mock_plain):
    mock_plain.configure(keep_alive=False)
    c = connect(mock_plain)
    st, h, _ = call(mock_plain, "GET", "/api/v2/health", conn=c)
    assert st == 200 and h["connection"] == "close"
    assert call(mock_plain, "GET", "/api/v2/health")[0] == 200
    assert [r["conn"] for r in mock_plain.requests()] == [1, 2]


def test_chunked_switch_covers_every_endpoint(mock, token):
    mock.configure(body_mode="chunked", chunk_size=5, chunk_extensions=True, chunk_trailers=True)
    st, h, body = call(mock, "GET", "/api/v2/chatbots", tok=token(["chatbots:read"]))
    assert st == 200 and h["transfer-encoding"] == "chunked" and "content-length" not in h
    assert len(body["data"]["chatbots"]) == 3
    assert call(mock, "GET", "/api/v2/nope")[2]["error"]["code"] == "NOT_FOUND"
    st, _, out = call(mock, "POST", "/oauth/device_authorization",
                      form={"client_id": "sitegpt-cli"})
    assert st == 200 and out["user_code"]
    wire = raw(mock, GET_CLOSE)
    assert b';ext=1;name="a b"\r\n' in wire and b"\r\n0;last\r\nX-Trailer: done\r\n\r\n" in wire
    mock.configure(body_mode="until_close")
    wire = raw(mock, GET_HEALTH)
    assert b"Content-Length" not in wire and b"Connection: close" in wire


def test_requests_are_recorded_without_secrets(mock, token):
    tok = token(["account:read"])
    call(mock, "GET", "/api/v2/me?x=1", tok=tok)
    call(mock, "GET", "/api/v2/me")
    a, b = mock.requests("/api/v2/me")
    assert a["authorization"] is True and a["auth_scheme"] == "Bearer" and a["token_id"]
    assert a["query"] == [["x", "1"]] and a["status"] == 200 and a["method"] == "GET"
    assert b["authorization"] is False and b["error"] == "AUTHORIZATION_HEADER_REQUIRED"
    assert find_secret(json.dumps(mock.requests())) is None
    assert redact("x " + tok + " y") == "x <redacted> y"
    with pytest.raises(AssertionError) as e:
        assert_no_secrets("leak: " + tok)
    assert tok not in str(e.value) and tok[5:] not in str(e.value)


# ---------------------------------------------------------------- misbehaviour


def head_of(wire):
    return wire.split(b"\r\n\r\n", 1)[0]


def test_misbehave_cut_connections(mock_plain):
    m = mock_plain
    m.misbehave("close")
    assert raw(m, GET_HEALTH) == b""
    m.misbehave("close_mid_headers")
    wire = raw(m, GET_HEALTH)
    assert wire.startswith(b"HTTP/1.1 200") and b"\r\n\r\n" not in wire
    m.misbehave("close_mid_body")
    wire = raw(m, GET_HEALTH)
    cl = int(dict(line.split(b": ", 1) for line in head_of(wire).split(b"\r\n")[1:])[
        b"Content-Length"])
    assert 0 < len(wire.split(b"\r\n\r\n", 1)[1]) < cl
    m.misbehave("truncated_chunk")
    wire = raw(m, GET_HEALTH)
    assert b"Transfer-Encoding: chunked" in wire and not wire.endswith(b"0\r\n\r\n")
    m.misbehave("garbage")
    assert not raw(m, GET_HEALTH).startswith(b"HTTP/")
    assert raw(m, GET_CLOSE).startswith(b"HTTP/1.1 200")  # count=1: back to normal


@pytest.mark.parametrize("variant,first", [("nonhex", b"zz\r\n"),
                                           ("overflow", b"100000000000000000000\r\n"),
                                           ("negative", b"-5\r\n")])
def test_misbehave_malformed_chunks(mock_plain, variant, first):
    mock_plain.misbehave("malformed_chunk", variant=variant)
    wire = raw(mock_plain, GET_HEALTH)
    assert b"Transfer-Encoding: chunked" in head_of(wire)
    assert wire.split(b"\r\n\r\n", 1)[1].startswith(first)


@pytest.mark.parametrize("mode,check", [
    ("oversized_header", lambda h: b"X-Padding: " + b"a" * 65536 in h),
    ("length_and_chunked", lambda h: b"Content-Length" in h and b"chunked" in h),
    ("conflicting_length", lambda h: h.count(b"Content-Length") == 2),
    ("bare_cr", lambda h: b"a\rb" in h),
    ("obs_fold", lambda h: b"\r\n  continued" in h),
    ("bad_header_name", lambda h: b"\r\nBad Header: x" in h),
    ("status_line", lambda h: h.startswith(b"HTTP/1.1 2OO OK\r\n")),
    ("bad_length", lambda h: b"Content-Length: abc" in h),
    ("many_headers", lambda h: h.count(b"X-Many-") == 1000),
])
def test_misbehave_bad_headers(mock_plain, mode, check):
    mock_plain.misbehave(mode)
    assert check(head_of(raw(mock_plain, GET_HEALTH)))


def test_misbehave_status_retry_after_redirect_and_filters(mock_plain, mock):
    m = mock_plain
    m.misbehave("status", status=429, retry_after=7, path="/api/v2/health")
    m.misbehave("status", status=429, retry_after_date=30, path="/api/v2/health")
    m.misbehave("status", status=503, count=2, path="/api/v2/me")
    m.misbehave("redirect", status=308, to_base=mock.base_url, path="/api/v2/limits")
    assert call(m, "GET", "/api/v2/account")[0] == 401   # no rule for this path
    st, h, body = call(m, "GET", "/api/v2/health")
    assert (st, h["retry-after"], body["error"]["code"]) == (429, "7", "RATE_LIMITED")
    st, h, _ = call(m, "GET", "/api/v2/health")
    assert st == 429 and h["retry-after"].endswith(" GMT")
    assert [call(m, "GET", "/api/v2/me")[0] for _ in range(3)] == [503, 503, 401]
    st, h, _ = call(m, "GET", "/api/v2/limits?a=b")
    assert st == 308 and h["location"] == mock.base_url + "/api/v2/limits?a=b"
    assert [r["misbehave"] for r in m.requests()] == [None, "status", "status", "status",
                                                      "status", None, "redirect"]


def test_misbehave_close_after_response_and_interim(mock_plain):
    m = mock_plain
    m.misbehave("close_after")
    s = socket.create_connection(("127.0.0.1", m.port), timeout=5)
    s.sendall(GET_HEALTH)
    time.sleep(0.3)
    first = s.recv(65536)
    assert first.startswith(b"HTTP/1.1 200") and b"Connection: close" not in first
    assert s.recv(100) == b""  # the server closed the idle keep-alive connection
    s.close()
    m.misbehave("interim")
    wire = raw(m, GET_CLOSE)
    assert wire.startswith(b"HTTP/1.1 103 ") and b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200" in wire


def test_misbehave_delay_drip_and_hang(mock_plain):
    m = mock_plain
    m.misbehave("drip", bytes=50, every_ms=1)
    c = connect(m)
    assert call(m, "GET", "/api/v2/health", conn=c)[0] == 200
    assert call(m, "GET", "/api/v2/health", conn=c)[0] == 200  # still keep-alive
    # margins of seconds, not milliseconds: the server threads share this process's GIL
    m.misbehave("hang", seconds=5)
    assert raw(m, GET_HEALTH, timeout=0.2) == b"<timeout>"
    m.misbehave("hang", seconds=0.2)
    assert raw(m, GET_HEALTH, timeout=5) == b""   # bounded: closed without an answer
    m.misbehave("delay", ms=3000)
    assert raw(m, GET_HEALTH, timeout=0.2) == b"<timeout>"


def test_misbehave_status_can_run_the_app(mock, token):
    admin = token(["tokens:write"])
    before = len(mock.tokens())
    mock.misbehave("status", status=502, run_app=True, path="/api/v2/tokens", method="POST")
    st, _, _ = call(mock, "POST", "/api/v2/tokens", tok=admin,
                    body={"name": "n", "scopes": ["leads:read"]})
    assert st == 502 and len(mock.tokens()) == before + 1  # created, then the reply was lost


def test_stall_handshake(mock):
    mock.misbehave("stall_handshake", seconds=1)
    s = socket.create_connection(("127.0.0.1", mock.port), timeout=0.3)
    with pytest.raises((socket.timeout, ssl.SSLError)):
        client_ctx(mock.ca_file).wrap_socket(s, server_hostname="localhost")
    s.close()
    assert call(mock, "GET", "/api/v2/health")[0] == 200


# ---------------------------------------------------------------- control API and standalone


def test_control_api_in_process(mock):
    ctl = MockControl(mock.control_url, mock.ca_file)
    assert ctl.info()["base_url"] == mock.base_url
    secret, rec = ctl.seed_token(["account:read"])
    assert call(mock, "GET", "/api/v2/account", tok=secret)[0] == 200
    ctl.configure(device_interval=1)
    d = start_device(mock)
    assert ctl.wait_device(timeout=2)["user_code"] == d["user_code"]
    ctl.approve(d["user_code"])
    assert poll(mock, d["device_code"])[0] == 200
    ctl.misbehave("status", status=500, path="/api/v2/health")
    assert call(mock, "GET", "/api/v2/health")[0] == 500
    ctl.expire_token(rec["id"])
    assert call(mock, "GET", "/api/v2/account", tok=secret)[0] == 401
    assert len(ctl.seed_tokens(50)) == 50
    assert ctl.add_chatbot("Extra")["id"] == "cb_0004"
    assert not any("/__mock/" in r["path"] for r in ctl.requests())
    assert all(c["requests"] for c in mock.connections())  # control-only ones are hidden
    ctl.clear_requests()
    assert ctl.requests() == []
    with pytest.raises(RuntimeError):
        ctl.misbehave("no_such_mode")


@pytest.mark.parametrize("tls", [False, True])
def test_standalone_process(tmp_path, mock_certs, tls):
    tok_file = tmp_path / "token"
    args = [sys.executable, os.path.join(HERE, "sitegpt_mock.py"), "--auto-approve",
            "--auto-approve-delay", "0", "--interval", "1", "--seed-token-file", str(tok_file),
            "--seed-scopes", "account:read"]
    args += ["--tls", "--certs", mock_certs.dir] if tls else ["--plain"]
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(p.stdout.readline())
        assert info["base_url"].startswith("https://localhost:" if tls else "http://localhost:")
        assert (info["ca_file"] == mock_certs.ca_file) if tls else info["ca_file"] is None
        assert os.stat(tok_file).st_mode & 0o777 == 0o600
        secret = tok_file.read_text().strip()

        class Remote:  # what call() needs
            port = info["port"]
            ca_file = info["ca_file"]

        assert call(Remote, "GET", "/api/v2/account", tok=secret)[0] == 200
        d = start_device(Remote)
        assert poll(Remote, d["device_code"])[2]["error"] == "authorization_pending"
        time.sleep(1.0)
        st, _, out = poll(Remote, d["device_code"])
        assert st == 200
        ctl = MockControl(info["control_url"], info["ca_file"])
        assert [r["path"] for r in ctl.requests()][-1] == "/oauth/token"
    finally:
        p.send_signal(signal.SIGTERM)
        rest, err = p.communicate(timeout=10)
    assert p.returncode == 0
    for text in (rest, err):  # quiet: nothing logged, and never a secret
        assert text == ""
    # A second start reuses the token already in the file.
    assert tok_file.read_text().strip() == secret
    assert secret not in json.dumps(info) and out["access_token"] != secret


# ---------------------------------------------------------------- the e2e fixtures themselves

FAKE_CLI = """#!/bin/sh
case "$1" in
wait) echo "Code: ABCD-EFGH" >&2; read line; echo "got $line"; exit 3 ;;
leak) echo "token: $SITEGPT_API_TOKEN"; exit 0 ;;
esac
echo "args=$*"
env | grep -E '^(HOME|XDG_CONFIG_HOME|SITEGPT_[A-Z_]*|SSL_CERT_FILE|DISPLAY)=' | sort
"""

FIXTURE_TESTS = '''
def test_cli_env(cli, mock):
    r = cli("a b", "c")
    assert r.returncode == 0 and "args=a b c" in r.stdout
    assert "SITEGPT_API_BASE=" + mock.base_url in r.stdout
    assert "SSL_CERT_FILE=" + mock.ca_file in r.stdout
    assert "HOME=" + str(cli.home) in r.stdout and "SITEGPT_PROFILE" not in r.stdout
    assert "DISPLAY" not in r.stdout
    assert str(cli.config_path).startswith(str(cli.xdg))
    r = cli(env={"SITEGPT_API_BASE": None, "SITEGPT_PROFILE": "x"})
    assert "SITEGPT_API_BASE" not in r.stdout and "SITEGPT_PROFILE=x" in r.stdout

def test_cli_plain(cli, mock_plain):
    r = cli.use(mock_plain)()
    assert "SITEGPT_API_BASE=http://localhost" in r.stdout and "SSL_CERT_FILE" not in r.stdout

def test_popen(cli_popen):
    p = cli_popen("wait")
    assert p.wait_for(r"Code: (\\w{4}-\\w{4})").group(1) == "ABCD-EFGH"
    p.write("hello\\n")
    r = p.finish(5)
    assert (r.returncode, r.stdout) == (3, "got hello\\n")

def test_leak_is_redacted(cli, token):
    r = cli("leak", env={"SITEGPT_API_TOKEN": token(["account:read"])})
    assert r.stdout == "nothing"

def test_leak_helper(cli, token, no_secrets):
    r = cli("leak", env={"SITEGPT_API_TOKEN": token(["account:read"])})
    no_secrets(r.stderr, r.stdout)
'''


def test_e2e_fixtures_with_a_fake_cli(tmp_path):
    """Runs tests/e2e/conftest.py against a shell-script CLI in a separate pytest."""
    (tmp_path / "e2e").mkdir()
    with open(os.path.join(HERE, "..", "e2e", "conftest.py")) as f:
        (tmp_path / "e2e" / "conftest.py").write_text(f.read())
    (tmp_path / "mock").symlink_to(HERE)
    (tmp_path / "e2e" / "test_fixtures.py").write_text(FIXTURE_TESTS)
    fake = tmp_path / "fake-sitegpt"
    fake.write_text(FAKE_CLI)
    fake.chmod(0o755)
    env = dict(os.environ, SITEGPT_BIN=str(fake), SITEGPT_PROFILE="leaky", DISPLAY=":0")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "e2e"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    assert "2 failed, 3 passed" in out, out[-3000:]
    assert "test_leak_is_redacted" in out and "contains an issued token" in out
    assert "token: <redacted>" in out
    assert not __import__("re").search(r"sgpt_[A-Za-z0-9]{6,}", out)
    env["SITEGPT_BIN"] = ""
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                        "e2e"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "5 skipped" in r.stdout and "SITEGPT_BIN is unset" in r.stdout
