"""sitegpt login against the mock over TLS: the device flow (approve, deny, expire, slow_down,
5xx and dropped connections while polling, Ctrl-C), --token, option rules, --json, --qr and
the browser. Intervals are 1 s in the mock to keep this quick."""
import json
import os
import re
import signal
import stat
import time

import pytest

from mock_fixtures import assert_no_secrets

USER_CODE = r"\n    ([B-Z]{4}-[B-Z]{4})\n"


@pytest.fixture
def fast(mock):
    mock.configure(device_interval=1)
    return mock


def start_login(cli, *args, env=None):
    p = cli.popen("login", "--no-browser", *args, env=env)
    code = p.wait_for(USER_CODE).group(1)
    return p, code


def read_config(cli):
    with open(cli.config_path) as f:
        return json.load(f)


def test_approve_saves_token_in_new_default_profile(cli, fast):
    p, code = start_login(cli)
    assert "Waiting for approval" in p.wait_for("Ctrl-C to cancel").string
    assert fast.device(code)["status"] == "pending"
    fast.approve(code)
    r = p.finish()
    assert r.returncode == 0, r.stderr
    assert "dev@example.com" in r.stdout and "usr_mock0001" in r.stdout
    assert "profile:    default" in r.stdout
    cfg = read_config(cli)
    assert cfg["version"] == 1 and cfg["defaultProfile"] == "default"
    prof = cfg["profiles"]["default"]
    assert prof["apiBase"] == fast.base_url and prof["token"].startswith("sgpt_")
    # modes: folder 0700, file 0600
    assert stat.S_IMODE(os.stat(cli.config_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cli.config_path.parent).st_mode) == 0o700
    assert_no_secrets(r.stdout + r.stderr)
    # RFC 8628 fields, default token name, one connection for the whole login
    dev = fast.device(code)
    assert dev["request"]["client_id"] == "sitegpt-cli"
    assert dev["request"]["token_name"] == "SiteGPT CLI (default)"
    assert dev["request"]["scope"] is None and dev["request"]["full_access"] is False
    conns = {r["conn"] for r in fast.requests()}
    assert len(conns) == 1, fast.requests()
    paths = [r["path"] for r in fast.requests()]
    assert paths[0] == "/.well-known/oauth-authorization-server"
    assert paths[1] == "/oauth/device_authorization" and paths[-1] == "/api/v2/me"
    # the user code is shown, the device code never
    assert code in r.stderr


def test_device_request_carries_every_option(cli, fast):
    p, code = start_login(cli, "--profile", "kiosk", "--name", "Kiosk 3", "--scope",
                          "chatbots:read", "--scope", "conversations:read", "--chatbot",
                          "cb_0001", "--chatbot", "cb_0002", "--expires-in-days", "30")
    req = fast.device(code)["request"]
    assert req["scope"] == "chatbots:read conversations:read"
    assert req["chatbot_ids"] == ["cb_0001", "cb_0002"]
    assert req["token_name"] == "Kiosk 3" and req["expires_in_days"] == 30
    fast.approve(code)
    r = p.finish()
    assert r.returncode == 0, r.stderr
    assert "chatbots:read conversations:read" in r.stdout
    assert read_config(cli)["defaultProfile"] == "kiosk"


def test_full_access_is_sent_alone(cli, fast):
    p, code = start_login(cli, "--full-access")
    req = fast.device(code)["request"]
    assert req["full_access"] is True and req["scope"] is None
    fast.deny(code)
    assert p.finish().returncode == 4


def test_deny_saves_nothing(cli, fast):
    p, code = start_login(cli)
    fast.deny(code)
    r = p.finish()
    assert r.returncode == 4
    assert "denied" in r.stderr and "nothing was saved" in r.stderr
    assert not cli.config_path.exists()


def test_expired_code_ends_with_its_own_status(cli, fast):
    p, code = start_login(cli)
    fast.expire_device(code)
    r = p.finish()
    assert r.returncode == 4
    assert "expired" in r.stderr and "sitegpt login" in r.stderr
    assert not cli.config_path.exists()


def test_stops_at_expires_in(cli, mock):
    mock.configure(device_interval=1, device_expires_in=2)
    p, code = start_login(cli)
    r = p.finish()
    assert r.returncode == 4 and "expired" in r.stderr
    # no poll at or after the expiry
    dev = mock.device(code)
    assert all(t < dev["expires_at"] for t in dev["polls"])


def test_slow_down_adds_five_seconds_for_good(cli, fast):
    p, code = start_login(cli)
    fast.slow_down_device(code)
    dev = fast.device(code)
    while len(dev["polls"]) < 3:
        p.wait_for("Ctrl-C", timeout=1)
        dev = fast.device(code)
        assert p.returncode is None
    fast.approve(code)
    r = p.finish()
    assert r.returncode == 0, r.stderr
    dev = fast.device(code)
    assert dev["results"][0] == "slow_down"
    gaps = [b - a for a, b in zip(dev["polls"], dev["polls"][1:])]
    # 1 s interval, then 6 s for every later poll (never faster: the mock would say slow_down)
    assert all(g >= 6 - 0.05 for g in gaps), gaps
    assert dev["results"].count("slow_down") == 1


def test_slow_down_adopts_interval_from_body(cli, fast):
    fast.configure(slow_down_interval_in_body=True)
    p, code = start_login(cli)
    fast.slow_down_device(code)
    dev = fast.device(code)
    while len(dev["polls"]) < 2:
        p.wait_for("Ctrl-C", timeout=1)
        dev = fast.device(code)
    fast.approve(code)
    assert p.finish().returncode == 0
    dev = fast.device(code)
    assert dev["results"].count("slow_down") == 1


def test_5xx_while_polling_is_retried(cli, fast):
    fast.misbehave("status", count=2, path="/oauth/token", status=503)
    p, code = start_login(cli)
    fast.approve(code)
    r = p.finish()
    assert r.returncode == 0, r.stderr
    statuses = [x["status"] for x in fast.requests(path="/oauth/token")]
    assert statuses[:2] == [503, 503] and statuses[-1] == 200


def test_dropped_connection_while_polling_is_retried(cli, fast):
    fast.misbehave("close", count=3, path="/oauth/token")
    p, code = start_login(cli)
    fast.approve(code)
    r = p.finish()
    assert r.returncode == 0, r.stderr
    assert len(fast.requests(path="/oauth/token")) >= 4
    assert read_config(cli)["profiles"]["default"]["token"].startswith("sgpt_")


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_stops_at_once_and_saves_nothing(cli, fast, token, sig, code):
    # an existing config must stay byte for byte
    r = cli("login", "--profile", "keep", "--token", "-", input=token() + "\n")
    assert r.returncode == 0, r.stderr
    before = cli.config_path.read_bytes()
    p, _ = start_login(cli, "--profile", "keep")
    p.signal(sig)
    r = p.finish(timeout=5)
    assert r.returncode == code
    assert "cancelled" in r.stderr and "nothing was saved" in r.stderr
    assert cli.config_path.read_bytes() == before


def test_token_from_stdin_is_checked_then_saved(cli, mock, token):
    secret = token(scopes=["chatbots:read"])
    r = cli("login", "--profile", "agent", "--token", "-", input=secret + "\n")
    assert r.returncode == 0, r.stderr
    assert "chatbots:read" in r.stdout and "agent" in r.stdout
    assert read_config(cli)["profiles"]["agent"]["token"] == secret
    assert [x["path"] for x in mock.requests()] == ["/api/v2/me"]  # no device flow
    assert_no_secrets(r.stdout + r.stderr)


def test_token_argument_works_with_a_note(cli, token):
    r = cli("login", "--token", token())
    assert r.returncode == 0, r.stderr
    assert "--token -" in r.stderr  # the note about argv
    assert read_config(cli)["defaultProfile"] == "default"


def test_rejected_token_is_never_saved(cli, mock, token):
    good = token()
    assert cli("login", "--profile", "a", "--token", "-", input=good + "\n").returncode == 0
    before = cli.config_path.read_bytes()
    r = cli("login", "--profile", "a", "--token", "-", input="sgpt_not_a_real_token_123456\n")
    assert r.returncode == 3
    assert "rejected" in r.stderr and "nothing was saved" in r.stderr
    assert cli.config_path.read_bytes() == before
    r = cli("login", "--profile", "fresh", "--token", "-", input="sgpt_bogus_bogus_bogus\n",
            env={"XDG_CONFIG_HOME": str(cli.tmp / "other")})
    assert r.returncode == 3
    assert not (cli.tmp / "other" / "sitegpt" / "config.json").exists()


@pytest.mark.parametrize("args,message", [
    (["--full-access", "--scope", "chatbots:read"], "--full-access and --scope"),
    (["--scope", "chatbot:read"], "did you mean 'chatbots:read'"),
    (["--scope", "read:tokens"], "did you mean 'tokens:read'"),
    (["--scope", "zzzzzzzz"], "unknown scope 'zzzzzzzz'"),
    (["--token", "sgpt_x", "--scope", "chatbots:read"], "--scope cannot go with it"),
    (["--token", "-", "--name", "x"], "--name cannot go with it"),
    (["--token", "-", "--full-access"], "--full-access cannot go with it"),
    (["--expires-in-days", "0"], "1 to 365"),
    (["--expires-in-days", "366"], "1 to 365"),
    (["--expires-in-days", "1e2"], "1 to 365"),
    (["--name", ""], "--name must be 1 to 120"),
    (["--name", "x" * 121], "--name must be 1 to 120"),
    (["--name", "a", "--name", "b"], "only once"),
    (["--scope"], "needs a value"),
    (["--bogus"], "unknown option '--bogus'"),
    (["extra"], "unexpected argument 'extra'"),
    (["--profile", "bad name"], "profile name 'bad name'"),
])
def test_option_rules_are_usage_errors(cli, mock, args, message):
    r = cli("login", *args)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr
    assert "sitegpt login --help" in r.stderr
    assert mock.requests() == []  # nothing reached the network
    assert not cli.config_path.exists()


def test_usage_error_in_json_mode(cli, mock):
    r = cli("--json", "login", "--scope", "chatbot:read")
    assert r.returncode == 2
    out = json.loads(r.stdout)
    assert out["ok"] is False and out["error"]["code"] == "USAGE_ERROR"
    assert "chatbots:read" in out["error"]["message"]


def test_json_prints_device_event_then_envelope(cli, fast):
    p = cli.popen("--json", "login", "--no-browser")
    line = p.wait_for(r"(\{.*\})\n", stream="stdout").group(1)
    event = json.loads(line)
    assert event["event"] == "device_code"
    assert re.fullmatch(r"[B-Z]{4}-[B-Z]{4}", event["user_code"])
    assert event["verification_uri"] == fast.base_url + "/device"
    assert event["verification_uri_complete"].endswith("user_code=" + event["user_code"])
    assert event["interval"] == 1 and event["expires_in"] == 899
    assert "device_code" not in event
    fast.approve(event["user_code"])
    r = p.finish()
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2
    final = json.loads(lines[1])
    assert final["ok"] is True
    assert final["data"]["user"]["email"] == "dev@example.com"
    assert final["data"]["profile"] == "default"
    assert_no_secrets(r.stdout + r.stderr)


def test_json_denied_is_an_error_envelope(cli, fast):
    p = cli.popen("--json", "login", "--no-browser")
    event = json.loads(p.wait_for(r"(\{.*\})\n", stream="stdout").group(1))
    fast.deny(event["user_code"])
    r = p.finish()
    assert r.returncode == 4
    final = json.loads(r.stdout.strip().splitlines()[-1])
    assert final == {"ok": False, "error": {"code": "ACCESS_DENIED",
                                            "message": final["error"]["message"]}}


def test_qr_code_is_drawn(cli, fast):
    p, code = start_login(cli, "--qr")
    err = p.wait_for("Ctrl-C").string
    assert "\u2580" in err or "\u2584" in err
    fast.deny(code)
    p.finish()


def fake_browser(cli):
    bindir = cli.tmp / "bin"
    bindir.mkdir()
    log = cli.tmp / "xdg-open.log"
    script = bindir / "xdg-open"
    script.write_text("#!/bin/sh\nprintf '%%s\\n' \"$#\" \"$@\" >> %s\n" % log)
    script.chmod(0o755)
    return {"PATH": "%s:%s" % (bindir, os.environ.get("PATH", "/usr/bin:/bin")),
            "DISPLAY": ":99"}, log


def test_browser_opened_on_desktop_with_url_only(cli, fast):
    env, log = fake_browser(cli)
    p = cli.popen("login", env=env)
    code = p.wait_for(USER_CODE).group(1)
    p.wait_for("Opened the page in your browser")
    fast.deny(code)
    p.finish()
    deadline = time.monotonic() + 5  # the browser is detached: its log may come later
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    args = log.read_text().splitlines()
    assert args == ["1", fast.base_url + "/device?user_code=" + code]


def test_no_browser_and_no_desktop(cli, fast):
    env, log = fake_browser(cli)
    p = cli.popen("login", "--no-browser", env=env)
    code = p.wait_for(USER_CODE).group(1)
    fast.deny(code)
    r = p.finish()
    assert "Opened" not in r.stderr
    env.pop("DISPLAY")
    p = cli.popen("login", env=env)
    code = p.wait_for(USER_CODE).group(1)
    fast.deny(code)
    r = p.finish()
    assert "Opened" not in r.stderr
    assert not log.exists()


def test_discovered_endpoints_on_plain_http_elsewhere_are_refused(cli, fast):
    fast.configure(discovery_base="http://127.0.0.1:9")
    r = cli("login", "--no-browser")
    assert r.returncode != 0
    assert "another origin" in r.stderr
    assert [x["path"] for x in fast.requests()] == ["/.well-known/oauth-authorization-server"]


def test_fallback_endpoints_without_discovery(cli, fast):
    fast.configure(serve_discovery=False)
    p, code = start_login(cli)
    fast.approve(code)
    assert p.finish().returncode == 0
    assert fast.requests(path="/oauth/device_authorization")


def test_login_help(cli):
    r = cli("login", "--help")
    assert r.returncode == 0
    for word in ("--full-access", "--scope", "--chatbot", "--expires-in-days", "--token",
                 "--qr", "--no-browser", "Examples:", "billing:write"):
        assert word in r.stdout


def test_login_warns_that_env_token_still_wins(cli, token):
    env = {"SITEGPT_API_TOKEN": token(scopes=["leads:read"])}
    r = cli("login", "--profile", "p", "--token", "-", input=token() + "\n", env=env)
    assert r.returncode == 0, r.stderr
    assert "SITEGPT_API_TOKEN" in r.stderr and "unset" in r.stderr
    assert_no_secrets(r.stdout + r.stderr)
    r = cli("login", "--profile", "q", "--token", "-", input=token() + "\n")
    assert r.returncode == 0 and "SITEGPT_API_TOKEN" not in r.stderr
