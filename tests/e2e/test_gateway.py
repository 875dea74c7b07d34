"""End-to-end tests of sitegpt-gateway (examples/gateway) against the in-process mock.

The binary comes from $SITEGPT_GATEWAY_BIN, else build/sitegpt-gateway in the repository.
Every run gets its own HOME and XDG_CONFIG_HOME; intervals and backoffs are 1-2 s so the
whole file stays well under a minute.
"""
import importlib.util
import json
import os
import re
import signal
import stat
import subprocess

import pytest

from mock_fixtures import assert_no_secrets, redact

# By path: `import conftest` finds tests/mock's when pytest collects tests/mock after tests/e2e.
_spec = importlib.util.spec_from_file_location(
    "e2e_conftest", os.path.join(os.path.dirname(os.path.abspath(__file__)), "conftest.py"))
_e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_e2e)
CliProcess = _e2e.CliProcess

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FAST = ("--interval", "1", "--backoff-max", "2", "--timeout", "2")
LINE_RX = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=\w+ event=\w+")


def gateway_bin():
    path = os.environ.get("SITEGPT_GATEWAY_BIN") or os.path.join(REPO, "build",
                                                                 "sitegpt-gateway")
    if not os.access(path, os.X_OK):
        pytest.skip("sitegpt-gateway not built at %s (run `make gateway`, or set "
                    "SITEGPT_GATEWAY_BIN)" % path)
    return path


class Gateway:
    """Runs the agent with an isolated config folder against one mock."""

    def __init__(self, tmp_path, server):
        self.bin = gateway_bin()
        self.tmp = tmp_path
        self.server = server
        self.xdg = tmp_path / "xdg"
        (tmp_path / "home").mkdir(parents=True, exist_ok=True)
        self.procs = []

    @property
    def config_path(self):
        return self.xdg / "sitegpt" / "config.json"

    def env(self, ca_env=True):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SITEGPT_") and not k.startswith("XDG_")
               and k not in ("HOME", "SSL_CERT_FILE")}
        env.update(HOME=str(self.tmp / "home"), XDG_CONFIG_HOME=str(self.xdg))
        if self.server.ca_file and ca_env:
            env["SSL_CERT_FILE"] = self.server.ca_file
        return env

    def argv(self, args):
        return [self.bin, "--api-base", self.server.base_url, *map(str, args)]

    def run(self, *args, timeout=30, ca_env=True):
        return subprocess.run(self.argv(args), env=self.env(ca_env), capture_output=True,
                              text=True, timeout=timeout, cwd=str(self.tmp))

    def start(self, *args):
        p = CliProcess(self.argv(args), self.env(), str(self.tmp))
        self.procs.append(p)
        return p

    def store_token(self, token, api_base=None):
        """Write a profile the way the CLI does (mode 0600)."""
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"version": 1, "defaultProfile": "gateway", "profiles": {"gateway": {
            "apiBase": api_base or self.server.base_url, "token": str(token)}}}
        fd = os.open(str(self.config_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f)

    def stored(self, profile="gateway"):
        with open(self.config_path) as f:
            return json.load(f)["profiles"].get(profile, {})


@pytest.fixture
def gw_mock(make_mock):
    # device polls every second so approvals land quickly
    return make_mock(device_interval=1)


@pytest.fixture
def gateway(tmp_path, gw_mock):
    g = Gateway(tmp_path, gw_mock)
    yield g
    for p in g.procs:
        p.kill()


def events(text, name):
    return [ln for ln in text.splitlines() if " event=%s" % name in ln]


def approve_shown_code(proc, server, count=1):
    """Read the count-th user code from the log (never the device code) and approve it."""
    proc.wait_for(r'(?s)(event=login_code user_code=".*){%d}' % count, timeout=15)
    code = re.findall(r'event=login_code user_code="([A-Z0-9-]+)"', proc.stderr)[count - 1]
    server.wait_device(count=count)
    server.approve(code)
    return code


def check_log(text):
    """Every line is one timestamped event (or a QR row under a timestamp); no secrets."""
    assert_no_secrets(text, "gateway output")
    for ln in text.splitlines():
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", ln), redact(ln)
        assert "device_code" not in ln


def stopped(proc, sig=signal.SIGTERM):
    """Stop a looping agent with sig: a clean log and exit 0 (a stop is not a failure)."""
    proc.signal(sig)
    r = proc.finish(10)
    check_log(r.stderr)
    assert r.returncode == 0, redact(r.stderr)
    return r


def token_of_mock(server, plaintext):
    """The mock's record for a plaintext token (matched by its hash)."""
    from mock_api import secret_hash
    with server.api.lock:
        t = server.api.by_hash.get(secret_hash(plaintext))
        return t.to_json() if t is not None else None


# ------------------------------------------------------------------ command line


def test_help_teaches_and_bad_options_are_usage_errors(tmp_path, gw_mock):
    g = Gateway(tmp_path, gw_mock)
    r = subprocess.run([g.bin, "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0
    for word in ("--scope", "--chatbot", "--qr", "--interval", "--backoff-max", "--once",
                 "--profile", "--cacert", "SSL_CERT_FILE", "TOKEN_NOT_VALID", "SIGTERM",
                 "Exit codes", "config.json", "--renew-before", "--status-file",
                 "status --status-file", "waiting-for-approval", "Date"):
        assert word in r.stdout, word
    for bad in (["--interval", "0"], ["--backoff-max", "x"], ["--scope", "chatbot:read"],
                ["--expires-in-days", "366"], ["stray"], ["--no-such-option"],
                ["--renew-before", "0"], ["--renew-before", "5x"], ["--renew-before", "366d"],
                ["--expires-in-days", "7", "--renew-before", "7d"], ["--status-file", ""],
                ["status"], ["status", "--once", "--status-file", "f"]):
        r = subprocess.run([g.bin, *bad], capture_output=True, text=True, timeout=10)
        assert r.returncode == 2, bad
        assert "--help" in r.stderr
    r = subprocess.run([g.bin, "--scope", "chatbot:read"], capture_output=True, text=True,
                       timeout=10)
    assert "chatbots:read" in r.stderr  # the suggestion
    assert gw_mock.requests() == []     # options are checked before any network call


# ------------------------------------------------------------------ provisioning


def test_first_run_provisions_least_privilege_and_stores_token_0600(gateway, gw_mock):
    bot = gw_mock.chatbots()[0]["id"]
    p = gateway.start("--once", "--scope", "chatbots:read", "--chatbot", bot, "--qr")
    approve_shown_code(p, gw_mock)
    r = p.finish(30)
    check_log(r.stderr)
    assert r.returncode == 0, redact(r.stderr)
    assert r.stdout == ""
    req = gw_mock.devices()[0]
    # what the device authorization asked for: exactly the least privilege given
    form = dict((k, v) for k, v in gw_mock.requests("/oauth/device_authorization")[0]["form"])
    assert form["scope"] == "chatbots:read"
    assert form["chatbot_id"] == bot
    assert "full_access" not in form
    assert "gateway" in form["token_name"]
    assert req["user_code"] in r.stderr
    assert events(r.stderr, "login_ok") and events(r.stderr, "token_saved")
    assert events(r.stderr, "check_ok")
    assert "\u2588" in r.stderr  # the QR code was drawn

    st = os.stat(gateway.config_path)
    assert stat.S_IMODE(st.st_mode) == 0o600
    assert stat.S_IMODE(os.stat(gateway.config_path.parent).st_mode) == 0o700
    saved = gateway.stored()
    assert saved["apiBase"] == gw_mock.base_url
    tok = token_of_mock(gw_mock, saved["token"])
    assert tok is not None and tok["scopes"] == ["chatbots:read"]
    assert tok["chatbotIds"] == [bot]
    assert [q["path"] for q in gw_mock.requests("/api/v2/me")] == ["/api/v2/me"]


def test_once_with_stored_valid_token_does_not_log_in(gateway, gw_mock, token):
    gateway.store_token(token(["chatbots:read"], server=gw_mock))
    r = gateway.run("--once")
    check_log(r.stderr)
    assert r.returncode == 0, redact(r.stderr)
    assert gw_mock.devices() == []
    assert gw_mock.requests("/oauth/device_authorization") == []
    assert len(gw_mock.requests("/api/v2/me")) == 1
    assert events(r.stderr, "check_ok") and not events(r.stderr, "login_start")


def test_token_saved_for_another_api_base_is_not_sent(gateway, gw_mock, token):
    gateway.store_token(token(server=gw_mock), api_base="https://elsewhere.example")
    p = gateway.start("--once")
    approve_shown_code(p, gw_mock)
    r = p.finish(30)
    assert r.returncode == 0, redact(r.stderr)
    assert events(r.stderr, "token_other_origin")
    assert gateway.stored()["apiBase"] == gw_mock.base_url
    # the only /me went out with the new token
    assert len(gw_mock.requests("/api/v2/me")) == 1


def test_once_exit_codes_denied_and_unreachable(gateway, gw_mock, tmp_path):
    p = gateway.start("--once")
    m = p.wait_for(r'event=login_code user_code="([A-Z0-9-]+)"', timeout=15)
    gw_mock.deny(m.group(1))
    r = p.finish(30)
    check_log(r.stderr)
    assert r.returncode == 4, redact(r.stderr)
    assert "access_denied" in r.stderr
    assert not gateway.config_path.exists()

    gw_mock.stop()  # nothing listens on the port any more
    r = gateway.run("--once", "--timeout", "2")
    assert r.returncode == 5, redact(r.stderr)
    assert events(r.stderr, "login_failed")


def test_once_exits_3_when_even_a_fresh_token_is_rejected(gateway, gw_mock, token):
    gateway.store_token(token(["chatbots:read"], server=gw_mock))
    gw_mock.misbehave("status", count=-1, path="/api/v2/me", status=401,
                      code="TOKEN_NOT_VALID")
    p = gateway.start("--once")
    approve_shown_code(p, gw_mock)  # the stored token was refused: one new login
    r = p.finish(30)
    check_log(r.stderr)
    assert r.returncode == 3, redact(r.stderr)
    assert len(events(r.stderr, "token_rejected")) == 2
    assert len(gw_mock.devices()) == 1
    assert "token" not in gateway.stored()  # a refused token is not kept


def test_cacert_option_and_untrusted_server(gateway, gw_mock, token, rogue_mock, tmp_path):
    gateway.store_token(token(["chatbots:read"], server=gw_mock))
    r = gateway.run("--once", "--cacert", gw_mock.ca_file, ca_env=False)
    assert r.returncode == 0, redact(r.stderr)
    r = gateway.run("--once", "--cacert", str(tmp_path / "missing.pem"), ca_env=False)
    assert r.returncode == 5
    assert events(r.stderr, "tls_setup_failed") and "missing.pem" in r.stderr

    # a server whose certificate the CA did not sign: never trusted, never sent the token
    rogue = Gateway(tmp_path / "rogue", rogue_mock)
    rogue.store_token(token(["chatbots:read"], server=gw_mock), api_base=rogue_mock.base_url)
    r = rogue.run("--once", "--cacert", gw_mock.ca_file, ca_env=False)
    check_log(r.stderr)
    assert r.returncode == 5, redact(r.stderr)
    assert "certificate" in r.stderr.lower()
    assert rogue_mock.requests() == []


# ------------------------------------------------------------------ the loop


def test_network_cut_backs_off_and_recovers_without_logging_in(gateway, gw_mock, token,
                                                               make_mock):
    secret = token(["chatbots:read"], server=gw_mock)
    gateway.store_token(secret)
    p = gateway.start(*FAST)
    p.wait_for(r"event=check_ok", timeout=10)

    # 1. a server that hangs (past --timeout), closes without an answer, then says 503:
    #    the agent keeps going
    gw_mock.misbehave("hang", count=1, path="/api/v2/me", seconds=4)
    gw_mock.misbehave("close", count=3, path="/api/v2/me")
    gw_mock.misbehave("status", count=2, path="/api/v2/me", status=503)
    p.wait_for(r"(?s)(event=check_failed.*){6}", timeout=25)
    p.wait_for(r"(?s)http_status=503.*event=check_ok", timeout=10)

    # 2. the server goes away entirely, then comes back on the same port
    port, certs = gw_mock.port, gw_mock.certs
    gw_mock.stop()
    n = len(events(p.stderr, "check_failed"))
    p.wait_for(r"(?s)(event=check_failed.*){%d}" % (n + 2), timeout=15)
    back = make_mock(port=port, device_interval=1)
    assert back.port == port and certs is not None
    back.seed_token(["chatbots:read"], plaintext=str(secret))
    n_ok = len(events(p.stderr, "check_ok"))
    p.wait_for(r"(?s)(event=check_ok.*){%d}" % (n_ok + 1), timeout=15)

    assert p.returncode is None  # still running
    r = stopped(p)
    assert events(r.stderr, "stop")
    # never logged in again, on either server
    assert not events(r.stderr, "login_start")
    assert gw_mock.devices() == [] and back.devices() == []
    # backoff grew from the base and stayed under --backoff-max
    failed = events(r.stderr, "check_failed")
    assert "timed out" in failed[0].lower() or "timeout" in failed[0].lower(), redact(failed[0])
    waits = [int(re.search(r"retry_in_ms=(\d+)", ln).group(1)) for ln in failed]
    assert waits[0] <= 1000 and 1000 < max(waits) <= 2000  # base 1 s, doubled, capped at 2 s
    failures = [int(re.search(r"failures=(\d+)", ln).group(1)) for ln in failed]
    assert failures[:6] == [1, 2, 3, 4, 5, 6]
    assert gateway.stored()["token"] == str(secret)


@pytest.mark.parametrize("retry_after, lo_ms, hi_ms", [
    ({"retry_after": 3}, 3000, 3000),            # delta-seconds
    ({"retry_after_date": 4}, 3000, 4000),       # an HTTP date (against Date: whole seconds)
])
def test_rate_limit_waits_for_retry_after(gateway, gw_mock, token, retry_after, lo_ms, hi_ms):
    # --backoff-max 2: the usual backoff would retry within 2 s; the server asks for longer
    gateway.store_token(token(["chatbots:read"], server=gw_mock))
    p = gateway.start(*FAST)
    p.wait_for(r"event=check_ok", timeout=10)
    gw_mock.clear_requests()
    gw_mock.misbehave("status", count=1, path="/api/v2/me", status=429, **retry_after)
    p.wait_for(r"(?s)http_status=429.*event=check_ok", timeout=15)
    r = stopped(p)
    failed = events(r.stderr, "check_failed")
    assert len(failed) == 1 and "http_status=429" in failed[0], redact(r.stderr)
    wait = int(re.search(r"retry_in_ms=(\d+)", failed[0]).group(1))
    assert lo_ms <= wait <= hi_ms, failed[0]
    # the next request really came after that wait, and nobody logged in again
    me = [q for q in gw_mock.requests(path="/api/v2/me") if q["status"] is not None]
    assert [q["status"] for q in me[:2]] == [429, 200]
    assert me[1]["t"] - me[0]["t"] >= lo_ms / 1000 - 0.05
    assert not events(r.stderr, "login_start")


def test_revoked_token_makes_it_log_in_again(gateway, gw_mock, token):
    old = token(["chatbots:read"], server=gw_mock)
    gateway.store_token(old)
    p = gateway.start(*FAST)
    p.wait_for(r"event=check_ok", timeout=10)
    old_id = token_of_mock(gw_mock, str(old))["id"]
    gw_mock.revoke_token(old_id)
    p.wait_for(r"event=token_rejected", timeout=10)
    approve_shown_code(p, gw_mock)
    p.wait_for(r"(?s)event=token_saved.*event=check_ok", timeout=15)
    new = gateway.stored()["token"]
    assert new != str(old)
    assert token_of_mock(gw_mock, new)["scopes"] == ["chatbots:read"]
    r = stopped(p)
    assert len(gw_mock.devices()) == 1  # exactly one new login


def test_denied_login_in_the_loop_backs_off_and_asks_again(gateway, gw_mock):
    p = gateway.start(*FAST)
    m = p.wait_for(r'event=login_code user_code="([A-Z0-9-]+)"', timeout=15)
    gw_mock.deny(m.group(1))
    p.wait_for(r"event=retry_wait what=\"login\" reason=\"the login was denied", timeout=10)
    second = approve_shown_code(p, gw_mock, count=2)
    assert second != m.group(1)
    p.wait_for(r"event=check_ok", timeout=15)
    r = stopped(p)
    assert len(events(r.stderr, "login_failed")) == 1
    assert gateway.stored()["token"]


def test_sigterm_while_waiting_for_approval_stops_cleanly(gateway, gw_mock):
    p = gateway.start(*FAST)
    p.wait_for(r"event=login_code", timeout=15)
    r = stopped(p)
    assert events(r.stderr, "stop")
    assert not gateway.config_path.exists()  # nothing half-written, nothing at all


def test_sigterm_in_the_loop_keeps_a_whole_config(gateway, gw_mock, token):
    secret = token(["chatbots:read"], server=gw_mock)
    gateway.store_token(secret)
    p = gateway.start(*FAST)
    p.wait_for(r"(?s)(event=check_ok.*){2}", timeout=10)
    r = stopped(p, signal.SIGINT)
    for ln in r.stderr.splitlines():
        assert LINE_RX.match(ln), redact(ln)
    assert gateway.stored()["token"] == str(secret)


# ------------------------------------------------------------------ renewal and status
#
# Tokens here live seconds (the mock's lifetime_s / token_lifetime_s), --renew-before is in
# seconds; the margin in effect is at most half the token's lifetime, so a token seeded
# with a lifetime of L seconds starts its renewal after about L/2 seconds.


def logfmt(line):
    """The fields of one event line, parsed the way a log shipper would (quotes, escapes)."""
    rx = re.compile(r' ([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ "]*)')
    head = re.match(r"^\S+ ", line)
    assert head, line
    fields, pos = {}, head.end() - 1
    while pos < len(line):
        m = rx.match(line, pos)
        assert m, "not logfmt at %d: %s" % (pos, redact(line))
        v = m.group(2)
        if v.startswith('"'):
            v = re.sub(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|.)", lambda e: chr(int(e.group(1)[1:], 16))
                       if len(e.group(1)) > 1 else {"n": "\n", "r": "\r", "t": "\t"}.get(
                           e.group(1), e.group(1)), v[1:-1])
        assert m.group(1) not in fields, "field %s twice: %s" % (m.group(1), redact(line))
        fields[m.group(1)] = v
        pos = m.end()
    return fields


def failed_line(text):
    return events(text, "login_failed")[0]


def read_status(path):
    with open(path) as f:
        text = f.read()
    assert_no_secrets(text, "status file")
    assert "device_code" not in text and "sgpt_" not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    return json.loads(text)


def wait_status(path, pred, timeout=15.0):
    import time
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if os.path.exists(path):
            last = read_status(path)
            if pred(last):
                return last
        time.sleep(0.1)
    raise AssertionError("status never matched; last: %r" % (last,))


def renew_code(proc, count=1, timeout=20):
    proc.wait_for(r'(?s)(event=renew_code user_code=".*){%d}' % count, timeout=timeout)
    return re.findall(r'event=renew_code user_code="([A-Z0-9-]+)"', proc.stderr)[count - 1]


def me_statuses(server, token_id):
    return [q["status"] for q in server.requests("/api/v2/me")
            if q["token_id"] == token_id and q["status"] is not None]


def test_renewal_keeps_serving_and_approval_swaps_with_no_failed_call(gateway, gw_mock):
    bot = gw_mock.chatbots()[1]["id"]
    old, old_json = gw_mock.seed_token(["chatbots:read", "leads:read"], chatbot_ids=[bot],
                                       lifetime_s=10)
    gw_mock.configure(token_lifetime_s=3600)
    gateway.store_token(old)
    status = gateway.tmp / "status.json"
    p = gateway.start(*FAST, "--renew-before", "8s", "--status-file", status)
    code = renew_code(p)  # after about 5 s: half the lifetime caps the 8 s asked for
    st = wait_status(status, lambda s: s["state"] == "renewing")
    assert st["pending"]["userCode"] == code and st["pending"]["purpose"] == "renewal"
    assert st["pending"]["verificationUri"] == gw_mock.base_url + "/device"
    assert 0 < st["token"]["secondsLeft"] <= 6 and st["token"]["daysLeft"] == 0
    # the renewal asks for what the token has: scopes, chatbot, lifetime (10 s -> 1 day)
    asked = gw_mock.device(code)["request"]
    assert asked["scopes"] == ["chatbots:read", "leads:read"] and asked["chatbot_ids"] == [bot]
    assert asked["expires_in_days"] == 1
    # while it waits, the old token keeps serving
    n = len(me_statuses(gw_mock, old_json["id"]))
    k = len(events(p.stderr, "check_ok"))
    p.wait_for(r"(?s)(event=check_ok.*){%d}" % (k + 2), timeout=5)
    assert len(me_statuses(gw_mock, old_json["id"])) >= n + 2
    assert gateway.stored()["token"] == str(old)

    gw_mock.approve(code)
    p.wait_for(r"(?s)event=renew_ok.*event=token_saved.*event=check_ok", timeout=10)
    new = gateway.stored()["token"]
    new_json = token_of_mock(gw_mock, new)
    assert new != str(old) and new_json["chatbotIds"] == [bot]
    assert new_json["scopes"] == ["chatbots:read", "leads:read"]
    st = wait_status(status, lambda s: s["state"] == "healthy" and s["pending"] is None)
    assert st["token"]["daysLeft"] == 0 and st["token"]["secondsLeft"] > 3000
    r = stopped(p)
    # no call failed, before, during or after the swap; the old token was used until then
    assert not events(r.stderr, "check_failed") and not events(r.stderr, "token_rejected")
    assert set(q["status"] for q in gw_mock.requests("/api/v2/me")) == {200}
    assert me_statuses(gw_mock, new_json["id"])
    assert len(gw_mock.devices()) == 1 and not events(r.stderr, "login_start")


def test_denied_and_expired_renewal_codes_are_asked_again(gateway, gw_mock):
    old, _ = gw_mock.seed_token(["chatbots:read"], lifetime_s=14)
    gateway.store_token(old)
    p = gateway.start(*FAST, "--renew-before", "7s")
    first = renew_code(p)
    gw_mock.deny(first)
    p.wait_for(r'event=retry_wait what="renewal" reason="the login was denied', timeout=10)
    second = renew_code(p, 2)
    gw_mock.expire_device(second)
    p.wait_for(r'(?s)event=renew_failed reason="[^"]*expired', timeout=10)
    third = renew_code(p, 3)
    assert len({first, second, third}) == 3
    gw_mock.approve(third)
    p.wait_for(r"(?s)event=renew_ok.*event=check_ok", timeout=10)
    r = stopped(p)
    assert gateway.stored()["token"] != str(old)
    waits = [int(logfmt(ln)["retry_in_ms"]) for ln in events(r.stderr, "retry_wait")]
    assert len(waits) == 2 and all(0 < w <= 2000 for w in waits)


@pytest.mark.parametrize("years", [5, -30])
def test_a_local_clock_years_off_the_servers_changes_nothing(gateway, gw_mock, years):
    # The server's clock (Date and /me's timestamps) is years from ours: only the server's
    # arithmetic counts, so the token's 9 s of life are 9 s, and renewal starts after ~4.5 s.
    gw_mock.configure(clock_offset=years * 365 * 86400)
    old, _ = gw_mock.seed_token(["chatbots:read"], lifetime_s=9)
    gateway.store_token(old)
    status = gateway.tmp / "status.json"
    p = gateway.start(*FAST, "--renew-before", "1d", "--status-file", status)
    first = logfmt(p.wait_for(r"[^\n]*event=check_ok[^\n]*\n").group(0).strip())
    assert 4 <= int(first["left_s"]) <= 9 and int(first["renew_in_s"]) <= 5, first
    assert first["expires_at"][:4] == str(int(first["expires_at"][:4]))  # a year, and:
    import datetime
    now_year = datetime.datetime.now(datetime.timezone.utc).year
    assert abs(int(first["expires_at"][:4]) - (now_year + years)) <= 1
    st = wait_status(status, lambda s: s["token"] is not None)
    assert st["clock"] == "server" and abs(int(st["updatedAt"][:4]) - (now_year + years)) <= 1
    renew_code(p, timeout=10)
    stopped(p)


def test_status_file_moves_through_states_and_never_holds_a_secret(gateway, gw_mock, tmp_path):
    status = tmp_path / "status.json"
    # provisioning: the device authorization endpoint is down
    gw_mock.misbehave("close", count=-1, path="/oauth/device_authorization")
    p = gateway.start(*FAST, "--status-file", status)
    st = wait_status(status, lambda s: s["lastError"] is not None)
    assert st["state"] == "provisioning" and st["token"] is None and st["pending"] is None
    assert st["lastError"]["event"] == "login_failed"
    gw_mock.clear_misbehave()
    # waiting-for-approval, with what a display shows
    m = p.wait_for(r'event=login_code user_code="([A-Z0-9-]+)"', timeout=15)
    st = wait_status(status, lambda s: s["state"] == "waiting-for-approval")
    assert st["pending"]["userCode"] == m.group(1) and st["pending"]["purpose"] == "provisioning"
    assert 0 < st["pending"]["expiresInSeconds"] <= 899
    gw_mock.approve(m.group(1))
    # healthy
    st = wait_status(status, lambda s: s["state"] == "healthy")
    assert st["lastSuccess"] and st["token"]["daysLeft"] in (89, 90) and st["pending"] is None
    # offline while /me fails, with the reason; healthy again after
    gw_mock.misbehave("status", count=-1, path="/api/v2/me", status=503)
    st = wait_status(status, lambda s: s["state"] == "offline")
    assert st["lastError"]["event"] == "check_failed" and st["token"] is not None
    gw_mock.clear_misbehave()
    wait_status(status, lambda s: s["state"] == "healthy")
    # people read it with `status`
    r = subprocess.run([gateway.bin, "status", "--status-file", str(status)],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    assert "State:         healthy" in r.stdout and "Agent:         running" in r.stdout
    assert "days left" in r.stdout and gw_mock.base_url in r.stdout
    assert_no_secrets(r.stdout)
    stopped(p)
    # rejected: a login the user denied (--once gives up)
    gateway.config_path.unlink()
    p = gateway.start("--once", "--status-file", status)
    m = p.wait_for(r'event=login_code user_code="([A-Z0-9-]+)"', timeout=15)
    gw_mock.deny(m.group(1))
    assert p.finish(30).returncode == 4
    st = read_status(status)
    assert st["state"] == "rejected" and "denied" in st["lastError"]["reason"]
    r = subprocess.run([gateway.bin, "status", "--status-file", str(status)],
                       capture_output=True, text=True, timeout=10)
    assert "State:         rejected" in r.stdout and "Agent:         not running" in r.stdout
    r = subprocess.run([gateway.bin, "status", "--status-file", str(tmp_path / "none")],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 6 and "--status-file" in r.stderr


def test_restart_during_a_renewal_resumes_with_a_new_code_and_the_old_token(gateway, gw_mock):
    old, old_json = gw_mock.seed_token(["chatbots:read"], lifetime_s=14)
    gateway.store_token(old)
    status = gateway.tmp / "status.json"
    args = (*FAST, "--renew-before", "7s", "--status-file", status)
    p = gateway.start(*args)
    first = renew_code(p)
    stopped(p)
    n = len(me_statuses(gw_mock, old_json["id"]))
    p = gateway.start(*args)
    p.wait_for(r"event=check_ok", timeout=10)  # the old token, still good
    assert len(me_statuses(gw_mock, old_json["id"])) == n + 1
    second = renew_code(p, timeout=5)
    assert second != first
    st = wait_status(status, lambda s: s["state"] == "renewing" and s["pending"] is not None)
    assert st["pending"]["userCode"] == second
    gw_mock.approve(second)
    p.wait_for(r"(?s)event=renew_ok.*event=check_ok", timeout=10)
    r = stopped(p)
    assert gateway.stored()["token"] != str(old)
    assert set(me_statuses(gw_mock, old_json["id"])) == {200}
    assert not events(r.stderr, "login_start")


def test_old_token_expiring_before_approval_waits_like_first_login(gateway, gw_mock):
    old, _ = gw_mock.seed_token(["chatbots:read"], lifetime_s=6)
    gateway.store_token(old)
    status = gateway.tmp / "status.json"
    p = gateway.start(*FAST, "--renew-before", "3s", "--status-file", status)
    code = renew_code(p)
    # by the server's clock (Date has whole seconds), or the server's 401 if a check lands first
    p.wait_for(r"event=(token_expired|token_rejected)", timeout=10)
    st = wait_status(status, lambda s: s["state"] == "waiting-for-approval")
    assert st["pending"]["userCode"] == code and st["token"] is None
    assert "token" not in gateway.stored()
    gw_mock.approve(code)
    # the renewal's code became the way back in: a login like the first one
    p.wait_for(r"(?s)event=(token_expired|token_rejected).*event=login_ok.*event=token_saved"
               r".*event=check_ok", timeout=10)
    stopped(p)
    assert gateway.stored()["token"] != str(old)
    assert len(gw_mock.devices()) == 1


def test_server_text_cannot_forge_log_fields_or_lines(gateway, gw_mock):
    evil = 'no" forged="1\n2026-01-01T00:00:00.000Z level=info event=check_ok user="x\x1b[2J\x85'
    gw_mock.misbehave("status", count=-1, path="/oauth/token", status=400,
                      body={"error": "access_denied", "error_description": evil})
    r = gateway.run("--once", "--timeout", "5")
    assert r.returncode == 4, redact(r.stderr)
    lines = r.stderr.splitlines()
    for ln in lines:
        assert LINE_RX.match(ln), redact(ln)
        assert "\x1b" not in ln and "\x85" not in ln
        f = logfmt(ln)
        assert "forged" not in f and f["event"] in ("start", "login_start", "login_code", "login_failed")
    assert "check_ok" not in [logfmt(ln)["event"] for ln in lines]  # only inside a value
    failed = [logfmt(ln) for ln in events(r.stderr, "login_failed")]
    assert failed and failed[0]["description"] == evil  # escaped, yet nothing lost
    assert '\\x1b[2J\\u0085"' in failed_line(r.stderr)
    assert re.search(r"level=(info|warn|error) event=login_failed", r.stderr)


def test_without_created_at_a_fresh_tokens_lifetime_still_caps_the_margin(gateway, gw_mock):
    # /me without createdAt: the agent takes a token it just got as created at the Date it
    # was first seen, so a 1-day margin on an 8 s token waits ~4 s instead of renewing at once.
    gw_mock.configure(token_lifetime_s=8, me_omit=["createdAt"])
    p = gateway.start(*FAST, "--renew-before", "1d")
    approve_shown_code(p, gw_mock)
    first = logfmt(p.wait_for(r"[^\n]*event=check_ok[^\n]*\n", timeout=15).group(0).strip())
    assert 2 <= int(first["renew_in_s"]) <= 4, first
    renew_code(p, timeout=10)
    r = stopped(p)
    import datetime

    def at(name):
        ln = events(r.stderr, name)[0]
        return datetime.datetime.fromisoformat(ln.split(" ")[0].replace("Z", "+00:00"))
    # every later check kept the guess: the renewal waited ~4 s, not 0
    assert (at("renew_code") - at("token_saved")).total_seconds() >= 2.5, redact(r.stderr)
    assert events(r.stderr, "renew_start")[0].count("lifetime_days=1")


def test_a_server_that_does_not_say_the_expiry_is_checked_as_before(gateway, gw_mock, token):
    gw_mock.configure(me_omit=["expiresAt"])
    gateway.store_token(token(["chatbots:read"], server=gw_mock))
    status = gateway.tmp / "status.json"
    r = gateway.run("--once", "--status-file", status)
    assert r.returncode == 0, redact(r.stderr)
    warn = [logfmt(ln) for ln in events(r.stderr, "renew_unavailable")]
    assert len(warn) == 1 and "auth.expiresAt" in warn[0]["reason"]
    st = read_status(status)
    assert st["state"] == "healthy" and st["token"] is None



def test_renewal_never_asks_for_scopes_the_server_smuggled_into_me(gateway, gw_mock, token):
    import datetime

    def iso(delta):
        t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta)
        return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    gateway.store_token(token(["chatbots:read"], server=gw_mock))
    body = {"ok": True, "data": {"user": {"id": "usr_1"}, "auth": {
        "type": "api-token", "scopes": ["chatbots:read tokens:write"], "chatbotIds": ["a b"],
        "createdAt": iso(-6), "expiresAt": iso(6)}}}
    gw_mock.misbehave("status", count=-1, path="/api/v2/me", status=200, body=body)
    p = gateway.start(*FAST, "--renew-before", "1d")
    code = renew_code(p)
    r = stopped(p)
    assert events(r.stderr, "renew_scopes_unknown")
    asked = gw_mock.device(code)["request"]
    assert asked["scope"] == "chatbots:read" and asked["chatbot_ids"] == []


def test_quiet_still_shows_the_code_a_person_must_enter(gateway, gw_mock):
    p = gateway.start("--once", "--quiet")
    approve_shown_code(p, gw_mock)
    r = p.finish(30)
    assert r.returncode == 0, redact(r.stderr)
    levels = [logfmt(ln)["level"] for ln in r.stderr.splitlines()]
    assert levels == ["warn"] and events(r.stderr, "login_code")  # nothing at info


def test_status_prints_server_text_escaped(gateway, gw_mock, tmp_path):
    body = {"device_code": "sgpt_device_" + "x" * 40, "user_code": "AB\x1b[2JCD\u0085",
            "verification_uri": gw_mock.base_url + "/device\x07", "expires_in": 600,
            "interval": 1}
    gw_mock.misbehave("status", count=1, path="/oauth/device_authorization", status=200,
                      body=body)
    status = tmp_path / "status.json"
    p = gateway.start(*FAST, "--status-file", status)
    st = wait_status(status, lambda s: s["pending"] is not None)
    assert st["pending"]["userCode"] == "AB\x1b[2JCD\u0085"  # kept exactly, JSON-escaped
    r = subprocess.run([gateway.bin, "status", "--status-file", str(status)],
                       capture_output=True, text=True, timeout=10)
    stopped(p)
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "\x85" not in r.stdout
    assert "AB\\x1b[2JCD\\u0085" in r.stdout and "/device\\x07" in r.stdout
    for ln in p.stderr.splitlines():
        assert "\x1b" not in ln and "\x07" not in ln
