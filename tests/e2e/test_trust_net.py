"""Trust boundaries on the network side, each against a hostile mock: a saved token goes only to
its own origin, plain http only to loopback, no https->http redirect and no re-sent body across
origins, a discovery document must name its own issuer, absurd device timers are bounded,
--timeout bounds a whole request against a byte-a-second drip, ids stay one path segment."""
import json
import signal
import time

import pytest

from mock_fixtures import assert_no_secrets

EXIT_API, EXIT_USAGE, EXIT_NETWORK, EXIT_SIGINT = 1, 2, 5, 130


def save_profile(cli, token, name="work"):
    r = cli("login", "--profile", name, "--token", "-", input=token() + "\n")
    assert r.returncode == 0, r.stderr
    return json.loads(cli.config_path.read_text())["profiles"][name]


# ------------------------------------------------------------------ origin binding


def test_saved_token_goes_only_to_its_own_origin(cli, mock, make_mock, token):
    prof = save_profile(cli, token)
    assert prof["apiBase"] == mock.base_url
    other = make_mock()
    mock.clear_requests()
    for args, env in ((("--profile", "work", "whoami"), {"SITEGPT_API_BASE": other.base_url}),
                      (("--profile", "work", "--api-base", other.base_url, "tokens", "list"),
                       None),
                      (("-p", "work", "api", "/api/v2/me"), {"SITEGPT_API_BASE": other.base_url})):
        r = cli(*args, env=env)
        assert r.returncode == EXIT_USAGE, (args, r.stderr)
        err = r.stderr
        assert mock.base_url in err and other.base_url in err, err
        assert "SITEGPT_API_TOKEN" in err and "login --profile" in err and "--token -" in err
        assert ("--api-base" in err) and ("SITEGPT_API_BASE" in err or "(from --api-base)" in err)
        assert_no_secrets(r.stdout + r.stderr)
    assert other.requests() == [] and mock.requests() == []  # refused before any connection
    r = cli("--json", "--profile", "work", "whoami", env={"SITEGPT_API_BASE": other.base_url})
    out = json.loads(r.stdout)
    assert r.returncode == EXIT_USAGE and out["ok"] is False
    assert out["error"]["code"] == "TOKEN_ORIGIN_MISMATCH"
    # the same origin spelled otherwise is the same origin
    r = cli("--profile", "work", "whoami", env={"SITEGPT_API_BASE": mock.base_url + "/"})
    assert r.returncode == 0, r.stderr
    # a token given explicitly goes to the base named with it, as before
    r = cli("whoami", env={"SITEGPT_API_BASE": other.base_url,
                           "SITEGPT_API_TOKEN": token(server=other)})
    assert r.returncode == 0, r.stderr
    assert [q["authorization"] for q in other.requests(path="/api/v2/me")] == [True]
    # and the documented way forward works: a profile of its own for the other server
    r = cli("login", "--profile", "other", "--api-base", other.base_url, "--token", "-",
            input=token(server=other) + "\n")
    assert r.returncode == 0, r.stderr
    r = cli("--profile", "other", "whoami", env={"SITEGPT_API_BASE": None})
    assert r.returncode == 0, r.stderr


# ------------------------------------------------------------------ plain http


def test_plain_http_refused_off_loopback_from_every_source(cli, mock, token):
    secret = token()
    insecure = "http://sitegpt.ai"
    for args, env in ((("--api-base", insecure, "whoami"), {"SITEGPT_API_TOKEN": secret}),
                      (("whoami",), {"SITEGPT_API_BASE": insecure, "SITEGPT_API_TOKEN": secret}),
                      (("login", "--api-base", insecure, "--no-browser"), None)):
        t0 = time.monotonic()
        r = cli(*args, env=env)
        assert r.returncode == EXIT_USAGE, (args, r.returncode, r.stderr)
        assert "plain http://" in r.stderr and "loopback" in r.stderr, r.stderr
        assert insecure in r.stderr
        assert time.monotonic() - t0 < 10
    # a config file naming one (10.255.255.1 would hang a connect: it is never tried)
    cli.config_path.parent.mkdir(mode=0o700)
    cli.config_path.write_text(json.dumps({
        "version": 1, "defaultProfile": "default",
        "profiles": {"default": {"apiBase": "http://10.255.255.1:9", "token": "sgpt_" + "x" * 20}}}))
    cli.config_path.chmod(0o600)
    r = cli("whoami", env={"SITEGPT_API_BASE": None}, timeout=20)
    assert r.returncode == EXIT_USAGE and "http://10.255.255.1:9" in r.stderr, r.stderr


def test_plain_http_on_loopback_still_works(cli, mock_plain, token):
    secret = token(server=mock_plain)
    for base in (mock_plain.base_url, "http://127.0.0.1:%d" % mock_plain.port):
        r = cli("whoami", env={"SITEGPT_API_BASE": base, "SITEGPT_API_TOKEN": secret})
        assert r.returncode == 0, r.stderr


def test_discovery_endpoint_on_plain_http_elsewhere_refused(cli, mock):
    mock.configure(discovery_base="http://sitegpt.ai")
    r = cli("login", "--no-browser", timeout=20)
    assert r.returncode == EXIT_NETWORK, r.stderr
    assert "plain http://" in r.stderr
    assert [q["path"] for q in mock.requests()] == ["/.well-known/oauth-authorization-server"]
    assert not cli.config_path.exists()


def test_location_on_plain_http_elsewhere_refused(cli, mock, token):
    mock.misbehave("redirect", 1, path="/api/v2/me", status=302,
                   location="http://sitegpt.ai/api/v2/me")
    r = cli("whoami", env={"SITEGPT_API_TOKEN": token()})
    assert r.returncode == EXIT_NETWORK, r.stderr
    assert "https to plain http" in r.stderr, r.stderr
    assert len(mock.requests(path="/api/v2/me")) == 1


# ------------------------------------------------------------------ redirects


def test_redirect_from_https_to_http_refused(cli, mock, mock_plain, token):
    mock.misbehave("redirect", 1, path="/api/v2/me", status=302, to_base=mock_plain.base_url)
    r = cli("--json", "whoami", env={"SITEGPT_API_TOKEN": token()})
    assert r.returncode == EXIT_NETWORK, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] is False and out["error"]["code"] == "REDIRECT_REFUSED"
    assert "https to plain http" in out["error"]["message"]
    assert mock_plain.requests() == []


@pytest.mark.parametrize("status", [307, 308])
def test_post_never_reposted_to_another_origin(cli, mock, make_mock, token, status):
    other = make_mock()
    admin = {"SITEGPT_API_TOKEN": token()}
    mock.misbehave("redirect", 1, path="/api/v2/tokens", method="POST", status=status,
                   to_base=other.base_url)
    r = cli("tokens", "create", "--name", "ci", "--scope", "chatbots:read", env=admin)
    assert r.returncode == EXIT_NETWORK, r.stderr
    assert "another origin" in r.stderr and "not re-sent" in r.stderr, r.stderr
    mock.misbehave("redirect", 1, path="/api/v2/tokens", method="POST", status=status,
                   to_base=other.base_url)
    r = cli("api", "-X", "POST", "/api/v2/tokens", "-d", '{"name":"x","scopes":["chatbots:read"]}',
            env=admin)
    assert r.returncode == EXIT_NETWORK, r.stderr
    assert other.requests() == []
    assert len(mock.requests(path="/api/v2/tokens", method="POST")) == 2
    assert_no_secrets(r.stdout + r.stderr)


# ------------------------------------------------------------------ discovery


def test_wrong_issuer_stops_the_login(cli, mock):
    mock.configure(discovery_issuer="https://evil.example", device_interval=1,
                   auto_approve=True, auto_approve_delay=0)
    r = cli("login", "--no-browser", timeout=20)
    assert r.returncode == EXIT_NETWORK, r.stderr
    assert "issuer" in r.stderr, r.stderr
    assert [q["path"] for q in mock.requests()] == ["/.well-known/oauth-authorization-server"]
    assert not cli.config_path.exists()
    r = cli("--json", "login", "--no-browser", timeout=20)
    assert json.loads(r.stdout.splitlines()[-1])["error"]["code"] == "DISCOVERY_FAILED"


# ------------------------------------------------------------------ timers


def test_absurd_device_timers_are_bounded(cli, mock):
    mock.configure(device_interval=86400, device_expires_in=10 ** 8)
    p = cli.popen("--json", "login", "--no-browser")
    p.wait_for("Ctrl-C to cancel")
    assert "The code expires in 60 minutes." in p.stderr
    line = p.wait_for(r'\{"event":"device_code".*\n', stream="stdout").group(0)
    event = json.loads(line)
    assert event["event"] == "device_code"
    assert event["interval"] == 60 and event["expires_in"] == 3600
    p.signal(signal.SIGINT)
    assert p.finish().returncode == EXIT_SIGINT


def test_timeout_bounds_a_whole_request_against_a_drip(cli, mock, token):
    # one byte a second: each read succeeds, so only a whole-request deadline ends it
    mock.misbehave("drip", -1, path="/api/v2/me", bytes=1, every_ms=1000)
    env = {"SITEGPT_API_TOKEN": token()}
    for args, extra in ((("--timeout", "2", "whoami"), {}),
                        (("api", "/api/v2/me"), {"SITEGPT_TIMEOUT": "2"})):  # api retries GETs
        t0 = time.monotonic()
        r = cli(*args, env=dict(env, **extra), timeout=60)
        elapsed = time.monotonic() - t0
        assert r.returncode == EXIT_NETWORK, r.stderr
        assert "within 2 s" in r.stderr, r.stderr
        assert elapsed < 10, elapsed  # a correctness bound: without it this takes minutes
    mock.misbehave("drip", -1, path="/api/v2/chatbots", bytes=1, every_ms=1000)
    t0 = time.monotonic()
    r = cli("--timeout", "2", "chatbots", "list", "--all", env=env, timeout=60)
    assert r.returncode == EXIT_NETWORK and time.monotonic() - t0 < 10


def test_timeout_bounds_each_poll_and_expiry_bounds_the_wait(cli, mock):
    mock.configure(device_interval=1, device_expires_in=5)
    mock.misbehave("drip", -1, path="/oauth/token", bytes=1, every_ms=1000)
    t0 = time.monotonic()
    r = cli("--timeout", "2", "login", "--no-browser", timeout=90)
    elapsed = time.monotonic() - t0
    assert r.returncode == 4, r.stderr  # the code expired while each poll timed out
    assert "expired" in r.stderr and "timed out" in r.stderr, r.stderr
    assert elapsed < 15, elapsed
    assert len(mock.requests(path="/oauth/token")) >= 1
    assert not cli.config_path.exists()


# ------------------------------------------------------------------ ids in paths


def test_ids_are_one_path_segment(cli, mock, token):
    env = {"SITEGPT_API_TOKEN": token()}
    for args in (("tokens", "revoke", "..", "--yes"), ("tokens", "rotate", "."),
                 ("tokens", "rotate", "../../me"), ("chatbots", "get", "a/b"),
                 ("chatbots", "get", "..")):
        r = cli(*args, env=env)
        assert r.returncode == EXIT_USAGE, (args, r.stderr)
        assert "is not an id" in r.stderr
    assert mock.requests() == []
    r = cli("chatbots", "get", "cb?x#y", env=env)
    assert r.returncode == EXIT_API and "CHATBOT_NOT_FOUND" in r.stderr, r.stderr
    assert [q["target"] for q in mock.requests()] == ["/api/v2/chatbots/cb%3Fx%23y"]


# ------------------------------------------------------------------ certificate reasons


@pytest.mark.parametrize("cert,reason", [
    ("expired", "certificate expired"),
    ("future", "certificate not yet valid"),
    ("wronghost", "host name mismatch"),
    ("selfsigned", "self-signed certificate"),
    ("rogue", "unknown issuer"),
    ("chained", "the server does not send its intermediate certificate"),
])
def test_refused_certificate_names_the_reason(cli, make_mock, token, cert, reason):
    server = make_mock(cert=cert)
    r = cli("whoami", server=server, env={"SITEGPT_API_TOKEN": token(server=server)})
    assert r.returncode == EXIT_NETWORK, r.stderr
    assert "certificate of localhost was rejected: " in r.stderr and reason in r.stderr, r.stderr
    if cert == "chained":
        assert "sitegpt-mock intermediate CA" in r.stderr  # the missing one, by name
    assert server.requests() == []
    assert_no_secrets(r.stdout + r.stderr)
