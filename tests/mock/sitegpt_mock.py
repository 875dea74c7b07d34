#!/usr/bin/env python3
"""SiteGPT mock server: API v2, OAuth device flow, /__mock/ control API. Stdlib only.

In-process:   with MockServer() as m: ... m.base_url, m.ca_file, m.seed_token(...)
Standalone:   python3 tests/mock/sitegpt_mock.py [--port N] [--tls|--plain] [--certs DIR]
                  [--auto-approve] [--seed-token-file F]
              prints one JSON line {"base_url","ca_file","control_url",...} once listening.
Separate-process tests drive it with MockControl(control_url, ca_file). See README.md.
"""
import argparse
import http.client
import json
import os
import signal
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from certs import make_certs  # noqa: E402
from mock_api import MockApi, json_response  # noqa: E402
from mock_http import HttpServer  # noqa: E402

CONTROL_PREFIX = "/__mock/"


class MockServer:
    """One mock origin (https by default). Methods below are also reachable over /__mock/."""

    def __init__(self, tls=True, certs=None, cert="server", certs_dir=None, host="127.0.0.1",
                 port=0, ipv6=True, tls_max=None, idle_timeout=30.0, **config):
        self.api = MockApi()
        self.certs = None
        ctx = None
        if tls:
            self.certs = certs or make_certs(certs_dir or tempfile.mkdtemp(prefix="sgmock-"))
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.maximum_version = tls_max or ssl.TLSVersion.TLSv1_3
            ctx.load_cert_chain(*self.certs.pair(cert))
        self.http = HttpServer(self.api.handle, host, port, ctx, ipv6, idle_timeout,
                               CONTROL_PREFIX)
        self.http.control = self._control
        self.configure(**config)

    # ------------------------------------------------------------ lifecycle

    def start(self):
        self.http.start()
        return self

    def stop(self):
        self.http.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self.http.port

    @property
    def base_url(self):
        return self.http.base_url

    @property
    def ca_file(self):
        return self.certs.ca_file if self.certs else None

    @property
    def control_url(self):
        return self.base_url + CONTROL_PREFIX.rstrip("/")

    def info(self):
        return {"base_url": self.base_url, "ca_file": self.ca_file,
                "control_url": self.control_url, "port": self.port, "ipv6": self.http.ipv6,
                "pid": os.getpid()}

    # ------------------------------------------------------------ settings

    def configure(self, **kw):
        """API settings (see MockApi.cfg) and HTTP settings (body_mode, chunk_*)."""
        if "clock_offset" in kw:   # the Date header and the API's timestamps move together
            self.http.set(clock_offset=float(kw["clock_offset"]))
        http_kw = {k: kw.pop(k) for k in list(kw)
                   if k in self.http.settings and k != "clock_offset"}
        self.http.set(**http_kw)
        self.api.configure(**kw)

    def misbehave(self, mode, count=1, path=None, method=None, **params):
        self.http.misbehave(mode, count, path, method, **params)

    def clear_misbehave(self):
        self.http.clear_misbehave()

    def reset(self):
        self.api.reset()
        self.http.clear_misbehave()
        self.http.clear_requests()

    # ------------------------------------------------------------ observation

    def requests(self, path=None, method=None):
        return self.http.requests(path, method)

    def clear_requests(self):
        self.http.clear_requests()

    def connections(self):
        """Connections that carried API traffic (or none yet); control-only ones are left out."""
        with self.http.lock:
            return [dict(c) for c in self.http.conns if c["requests"] or not c["control"]]

    def tls_failures(self):
        with self.http.lock:
            return list(self.http.tls_failures)

    def secrets(self):
        """Every token and device code this mock handed out (for leak checks)."""
        with self.api.lock:
            return list(self.api.issued)

    # ------------------------------------------------------------ tokens and chatbots

    def seed_token(self, scopes=None, chatbot_ids=(), name="seeded token", expires_in_days=90,
                   plaintext=None, expired=False, revoked=False, lifetime_s=None):
        """-> (plaintext, token json). scopes None: all 37. lifetime_s: seconds to live."""
        return self.api.seed_token(scopes, chatbot_ids, name, expires_in_days, plaintext,
                                   expired, revoked, lifetime_s)

    def token(self, scopes=None, chatbot_ids=()):
        return self.seed_token(scopes, chatbot_ids)[0]

    def seed_tokens(self, n, scopes=("tokens:read",), name="bulk token %d", revoked_every=0):
        return self.api.seed_tokens(n, scopes, name, revoked_every)

    def tokens(self):
        return self.api.all_tokens()

    def token_json(self, token_id):
        return self.api.token_json(token_id)

    def revoke_token(self, token_id):
        return self.api.revoke_token(token_id)

    def expire_token(self, token_id):
        return self.api.expire_token(token_id)

    def add_chatbot(self, name=None, id=None):
        return self.api.add_chatbot(name, id)

    def chatbots(self):
        with self.api.lock:
            return [dict(c) for c in self.api.chatbots]

    # ------------------------------------------------------------ device flow

    def devices(self):
        return self.api.device_list()

    def device(self, user_code):
        with self.api.lock:
            return self.api.device(user_code).to_json()

    def wait_device(self, timeout=10.0, count=1):
        """Wait until `count` device authorizations exist; returns the newest."""
        deadline = time.monotonic() + timeout
        while True:
            devs = self.devices()
            if len(devs) >= count:
                return devs[-1]
            if time.monotonic() >= deadline:
                raise TimeoutError("no device authorization request within %.1f s" % timeout)
            time.sleep(0.02)

    def approve(self, user_code):
        return self.api.approve(user_code)

    def deny(self, user_code):
        return self.api.deny(user_code)

    def expire_device(self, user_code):
        return self.api.expire_device(user_code)

    def slow_down_device(self, user_code, times=1):
        return self.api.slow_down_device(user_code, times)

    # ------------------------------------------------------------ /__mock/ control API

    def _control(self, req):
        try:
            status, out = self._control_route(req)
        except (KeyError, ValueError, TypeError, TimeoutError) as e:
            status, out = 400, {"ok": False, "error": "%s: %s" % (e.__class__.__name__, e)}
        return json_response(status, out)

    def _control_route(self, req):
        path = req.path[len(CONTROL_PREFIX):].strip("/")
        m = req.method
        body = json.loads(req.body.decode("utf-8")) if req.body else {}
        q = dict(req.query)
        if not isinstance(body, dict):
            raise ValueError("control bodies are JSON objects")
        ok = {"ok": True}
        if path == "info" and m == "GET":
            return 200, dict(ok, **self.info())
        if path == "config" and m == "POST":
            self.configure(**body)
            return 200, ok
        if path == "reset" and m == "POST":
            self.reset()
            return 200, ok
        if path == "requests":
            if m == "DELETE":
                self.clear_requests()
                return 200, ok
            return 200, dict(ok, requests=self.requests(q.get("path"), q.get("method")))
        if path == "connections":
            return 200, dict(ok, connections=self.connections(), tls_failures=self.tls_failures())
        if path == "misbehave":
            if m == "DELETE":
                self.clear_misbehave()
                return 200, ok
            for rule in body.get("rules") or [body]:
                self.misbehave(**rule)
            return 200, ok
        if path == "devices":
            return 200, dict(ok, devices=self.devices())
        if path == "device/wait" and m == "POST":
            return 200, dict(ok, device=self.wait_device(float(body.get("timeout", 10)),
                                                         int(body.get("count", 1))))
        action = {"device/approve": self.approve, "device/deny": self.deny,
                  "device/expire": self.expire_device, "device/slow_down": self.slow_down_device}
        if path in action and m == "POST":
            return 200, dict(ok, device=action[path](body["user_code"]))
        if path == "tokens":
            if m == "GET":
                return 200, dict(ok, tokens=self.tokens())
            if "count" in body:
                return 200, dict(ok, ids=self.seed_tokens(
                    int(body["count"]), body.get("scopes", ["tokens:read"]),
                    body.get("name", "bulk token %d"), int(body.get("revokedEvery", 0))))
            secret, tok = self.seed_token(body.get("scopes"), body.get("chatbotIds", ()),
                                          body.get("name", "seeded token"),
                                          int(body.get("expiresInDays", 90)),
                                          body.get("plaintext"), bool(body.get("expired")),
                                          bool(body.get("revoked")),
                                          body.get("lifetimeSeconds"))
            return 200, dict(ok, token=tok, plaintextToken=secret)
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == "tokens" and m == "POST" and \
                parts[2] in ("revoke", "expire"):
            fn = self.revoke_token if parts[2] == "revoke" else self.expire_token
            return 200, dict(ok, token=fn(parts[1]))
        if path == "chatbots":
            if m == "GET":
                return 200, dict(ok, chatbots=self.chatbots())
            return 200, dict(ok, chatbot=self.add_chatbot(body.get("name"), body.get("id")))
        return 404, {"ok": False, "error": "unknown control route %s %s" % (m, req.path)}


class MockControl:
    """Client for a mock running in another process; mirrors MockServer's control methods."""

    def __init__(self, control_url, ca_file=None, timeout=30.0):
        u = urllib.parse.urlsplit(control_url)
        self.https, self.host, self.port = u.scheme == "https", u.hostname, u.port
        self.prefix = u.path.rstrip("/") + "/"
        self.ctx = ssl.create_default_context(cafile=ca_file) if self.https else None
        self.timeout = timeout

    def call(self, method, path, body=None):
        if self.https:
            c = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                            context=self.ctx)
        else:
            c = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            c.request(method, self.prefix + path, body=data,
                      headers={"Content-Type": "application/json"} if data else {})
            r = c.getresponse()
            out = json.loads(r.read() or b"{}")
        finally:
            c.close()
        if r.status != 200:
            raise RuntimeError("mock control %s %s: %s" % (method, path, out.get("error")))
        return out

    def info(self):
        return self.call("GET", "info")

    def configure(self, **kw):
        self.call("POST", "config", kw)

    def reset(self):
        self.call("POST", "reset", {})

    def misbehave(self, mode, count=1, path=None, method=None, **params):
        self.call("POST", "misbehave", dict(params, mode=mode, count=count, path=path,
                                            method=method))

    def clear_misbehave(self):
        self.call("DELETE", "misbehave")

    def requests(self, path=None, method=None):
        q = urllib.parse.urlencode({k: v for k, v in (("path", path), ("method", method)) if v})
        return self.call("GET", "requests" + ("?" + q if q else ""))["requests"]

    def clear_requests(self):
        self.call("DELETE", "requests")

    def devices(self):
        return self.call("GET", "devices")["devices"]

    def wait_device(self, timeout=10.0, count=1):
        return self.call("POST", "device/wait", {"timeout": timeout, "count": count})["device"]

    def approve(self, user_code):
        return self.call("POST", "device/approve", {"user_code": user_code})["device"]

    def deny(self, user_code):
        return self.call("POST", "device/deny", {"user_code": user_code})["device"]

    def expire_device(self, user_code):
        return self.call("POST", "device/expire", {"user_code": user_code})["device"]

    def slow_down_device(self, user_code):
        return self.call("POST", "device/slow_down", {"user_code": user_code})["device"]

    def seed_token(self, scopes=None, chatbot_ids=(), name="seeded token", expires_in_days=90,
                   plaintext=None, expired=False, revoked=False, lifetime_s=None):
        out = self.call("POST", "tokens", {
            "scopes": scopes, "chatbotIds": list(chatbot_ids), "name": name,
            "expiresInDays": expires_in_days, "plaintext": plaintext, "expired": expired,
            "revoked": revoked, "lifetimeSeconds": lifetime_s})
        return out["plaintextToken"], out["token"]

    def seed_tokens(self, n, scopes=("tokens:read",), name="bulk token %d", revoked_every=0):
        return self.call("POST", "tokens", {"count": n, "scopes": list(scopes), "name": name,
                                            "revokedEvery": revoked_every})["ids"]

    def tokens(self):
        return self.call("GET", "tokens")["tokens"]

    def revoke_token(self, token_id):
        return self.call("POST", "tokens/%s/revoke" % token_id, {})["token"]

    def expire_token(self, token_id):
        return self.call("POST", "tokens/%s/expire" % token_id, {})["token"]

    def add_chatbot(self, name=None, id=None):
        return self.call("POST", "chatbots", {"name": name, "id": id})["chatbot"]

    def chatbots(self):
        return self.call("GET", "chatbots")["chatbots"]


# ---------------------------------------------------------------- standalone


def _seed_from_file(mock, path, scopes):
    """Reuse the token in path if there is one, else write a fresh one there (mode 0600)."""
    try:
        with open(path) as f:
            existing = f.read().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        mock.seed_token(scopes, name="seeded from file", plaintext=existing)
        return
    secret, _ = mock.seed_token(scopes, name="seeded to file")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description="SiteGPT API v2 mock server (loopback only)")
    ap.add_argument("--port", type=int, default=0, help="0 (default): a free port")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--tls", dest="tls", action="store_true", default=True, help="HTTPS (default)")
    g.add_argument("--plain", dest="tls", action="store_false", help="plain HTTP")
    ap.add_argument("--certs", help="folder for the test CA and certificates (made if missing)")
    ap.add_argument("--key", choices=("ec", "rsa"), default="ec", help="certificate key type")
    ap.add_argument("--tls12-only", action="store_true", help="cap TLS at 1.2")
    ap.add_argument("--auto-approve", action="store_true",
                    help="approve each device code shortly after its first poll")
    ap.add_argument("--auto-approve-delay", type=float, default=1.0)
    ap.add_argument("--interval", type=int, default=2, help="device poll interval (s)")
    ap.add_argument("--expires-in", type=int, default=899, help="device code lifetime (s)")
    ap.add_argument("--seed-token-file",
                    help="seed a token: read from this file, or write a new one to it (0600)")
    ap.add_argument("--seed-scopes", default=None,
                    help="space-separated scopes for the seeded token (default: all 37)")
    ap.add_argument("--no-ipv6", action="store_true", help="listen on 127.0.0.1 only")
    a = ap.parse_args(argv)

    certs = None
    if a.tls:
        certs = make_certs(a.certs or tempfile.mkdtemp(prefix="sgmock-"), a.key)
    mock = MockServer(tls=a.tls, certs=certs, port=a.port, ipv6=not a.no_ipv6,
                      tls_max=ssl.TLSVersion.TLSv1_2 if a.tls12_only else None,
                      device_interval=a.interval, device_expires_in=a.expires_in,
                      auto_approve=a.auto_approve, auto_approve_delay=a.auto_approve_delay)
    if a.seed_token_file:
        _seed_from_file(mock, a.seed_token_file, a.seed_scopes.split() if a.seed_scopes else None)
    mock.start()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    print(json.dumps(mock.info()), flush=True)
    while not done.wait(0.5):
        pass
    mock.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
