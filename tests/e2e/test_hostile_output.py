"""Issue 9, terminal half: nothing a server or the config file says can drive the terminal,
and --json output is always JSON. The mock's hostile_text mode appends escape sequences to
every string it sends (user, ids, names, error code/message/hint, request id, user code,
verification URIs, OAuth error descriptions)."""
import json
import os
import stat

import pytest

from mock_fixtures import assert_no_secrets

# OSC window title, clear screen, CSI as a C1 control, DEL, a bare CR and a forged line.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u009b31m\x7f\r\nFORGED: line"
# Short enough for the device flow's user code and OAuth error fields (32 and 48 bytes).
SHORT = "\x1b[2J\u009b1m\x7f\r\nFORGED"
RAW = ("\x1b", "\x07", "\u009b", "\x7f", "\r")


def assert_terminal_safe(*texts):
    for text in texts:
        for c in RAW:
            assert c not in text, "raw %r in %r" % (c, text[-400:])
        assert not any(line.startswith("FORGED") for line in text.splitlines()), text
        for c in "\x00\x01\x08\x0b\x0c\x0e\x1f\x80\x85\x9f":
            assert c not in text


def test_every_server_string_is_escaped_in_human_output(cli, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read", "tokens:read"],
                                  chatbot_ids=["cb_0001"])
    mock.configure(hostile_text=HOSTILE)
    env = {"SITEGPT_API_TOKEN": secret}
    outputs = []
    for args in (("whoami",), ("chatbots", "list"), ("chatbots", "get", "cb_0001"),
                 ("tokens", "list"), ("api", "/api/v2/me")):
        r = cli(*args, env=env)
        assert r.returncode == 0, (args, r.stderr)
        outputs.append((args, r))
    for args, r in outputs:
        assert_terminal_safe(r.stdout, r.stderr)
    whoami = outputs[0][1].stdout
    # shown, as visible escapes, not dropped
    assert "Mock Developer\\x1b]0;pwned\\x07\\x1b[2J\\u009b31m\\x7f\\x0d\\x0aFORGED: line" in whoami
    assert "Support Bot\\x1b" in outputs[1][1].stdout
    assert_no_secrets("".join(r.stdout + r.stderr for _, r in outputs))


def test_api_errors_are_escaped(cli, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read"])
    mock.revoke_token(tok["id"])
    mock.configure(hostile_text=HOSTILE)
    for args in (("whoami",), ("chatbots", "list"), ("api", "/api/v2/me"),
                 ("tokens", "list")):
        r = cli(*args, env={"SITEGPT_API_TOKEN": secret})
        assert r.returncode == 3, (args, r.stderr)
        assert_terminal_safe(r.stdout, r.stderr)
        assert "\\x1b]0;pwned" in r.stderr, r.stderr
    # a scope error: code, message, hint and request id all came from the server
    secret2 = mock.seed_token(scopes=["chatbots:read"])[0]
    r = cli("tokens", "list", env={"SITEGPT_API_TOKEN": secret2})
    assert r.returncode == 1
    assert_terminal_safe(r.stdout, r.stderr)
    assert "request id: req_" in r.stderr and "\\x1b[2J" in r.stderr


def test_json_output_stays_json_and_keeps_the_escapes(cli, mock):
    secret = mock.seed_token(scopes=["chatbots:read"])[0]
    mock.configure(hostile_text=HOSTILE)
    for args in (("whoami",), ("chatbots", "list"), ("chatbots", "get", "cb_0001"),
                 ("api", "/api/v2/chatbots")):
        r = cli("--json", *args, env={"SITEGPT_API_TOKEN": secret})
        assert r.returncode == 0, (args, r.stderr)
        assert_terminal_safe(r.stdout, r.stderr)
        doc = json.loads(r.stdout)
        # the same JSON value: the server's string comes back exactly
        text = json.dumps(doc)
        assert json.dumps("Mock Developer" + HOSTILE)[1:-1] in text or \
            json.dumps("Support Bot" + HOSTILE)[1:-1] in text, text


def test_device_login_banner_and_oauth_errors_are_escaped(cli_popen, cli, mock):
    mock.configure(hostile_text=SHORT, auto_approve=True, auto_approve_delay=0.2,
                   device_interval=1)
    r = cli("login", "--no-browser", timeout=60)
    assert r.returncode == 0, r.stderr
    assert_terminal_safe(r.stdout, r.stderr)
    assert "/device\\x1b[2J\\u009b1m" in r.stderr          # verification URI
    code = mock.wait_device(timeout=5)["user_code"]
    assert code + "\\x1b" in r.stderr                  # user code
    # an OAuth error and its description from the server
    mock.configure(role_scopes=["chatbots:read"])
    r = cli("login", "--no-browser", "--scope", "tokens:read", timeout=60)
    assert r.returncode == 1, r.stderr
    assert_terminal_safe(r.stdout, r.stderr)
    assert "invalid_scope" in r.stderr and "issue 'tokens:read'.\\x1b" in r.stderr, r.stderr


def test_profile_names_and_api_base_from_the_file_are_escaped(cli, mock):
    folder = cli.config_path.parent
    folder.mkdir(mode=0o700)
    doc = {"version": 1, "defaultProfile": "evil\x1b[2J",
           "profiles": {"evil\x1b[2J": {"apiBase": "https://x\x1b]0;t\x07.example",
                                         "token": "sgpt_\x1b[31mAAAAAAAAAAAAAAAA\x9b"},
                        "ok": {"apiBase": "https://ok.example\u009b1m"}}}
    cli.config_path.write_text(json.dumps(doc))
    os.chmod(cli.config_path, 0o600)
    for args in (("profiles", "list"), ("profiles", "show"), ("profiles", "show", "ok"),
                 ("whoami",), ("logout",)):
        r = cli(*args, env={"SITEGPT_API_BASE": None})
        assert_terminal_safe(r.stdout, r.stderr)
    r = cli("profiles", "list")
    assert "https://ok.example\\u009b1m" in r.stdout, r.stdout


def test_json_body_that_is_not_json_becomes_an_envelope(cli, mock):
    mock.misbehave("status", count=-1, path="/api/v2/health", status=200,
                   body="\x1b[2J<html>not json</html>", content_type="text/html")
    r = cli("--json", "api", "/api/v2/health")
    assert r.returncode == 5, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["error"]["code"] == "INVALID_RESPONSE"
    assert "<html>" not in r.stdout
    # an error status with a body that is not JSON: one locally built envelope only
    mock.clear_misbehave()
    mock.misbehave("status", count=-1, path="/api/v2/health", status=404,
                   body="<html>nope</html>", content_type="text/html")
    r = cli("--json", "api", "/api/v2/health")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["error"]["code"] == "HTTP_ERROR"
    # human mode on a terminal-less stdout still prints the body (as curl does)
    mock.clear_misbehave()
    mock.misbehave("status", count=-1, path="/api/v2/health", status=200,
                   body="plain text\n", content_type="text/plain")
    r = cli("api", "/api/v2/health")
    assert r.returncode == 0 and r.stdout == "plain text\n"


@pytest.mark.parametrize("mode,params", [
    ("close_mid_body", {}),
    ("truncated_chunk", {}),
    ("garbage", {}),
])
def test_cut_bodies_never_reach_stdout_under_json(cli, mock, token, mode, params):
    secret = token(scopes=["chatbots:read"])
    for args, path in ((("api", "/api/v2/health"), "/api/v2/health"),
                       (("chatbots", "list"), "/api/v2/chatbots")):
        mock.misbehave(mode, count=-1, path=path, **params)
        r = cli("--json", *args, env={"SITEGPT_API_TOKEN": secret}, timeout=60)
        assert r.returncode == 5, (args, r.stdout, r.stderr)
        doc = json.loads(r.stdout)      # the whole of stdout is one document
        assert doc["ok"] is False
        mock.clear_misbehave()


def test_json_passes_server_error_envelopes_unchanged(cli, mock):
    secret = mock.seed_token(scopes=["chatbots:read"])[0]
    for args in (("tokens", "list"), ("api", "/api/v2/tokens")):
        r = cli("--json", *args, env={"SITEGPT_API_TOKEN": secret})
        assert r.returncode == 1
        doc = json.loads(r.stdout)
        assert doc["error"]["code"] == "TOKEN_SCOPE_NOT_ALLOWED"
        assert doc["error"]["details"] == {"requiredScopes": ["tokens:read"]}
        assert doc["error"]["hint"].startswith("Log in again with")
        assert doc["meta"]["requestId"].startswith("req_")
    # login --token with a rejected token: the server's 401 envelope
    secret2, tok = mock.seed_token(scopes=["chatbots:read"])
    mock.revoke_token(tok["id"])
    r = cli("--json", "login", "--token", "-", input=secret2 + "\n")
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    assert doc["error"]["code"] == "TOKEN_NOT_VALID"
    assert doc["error"]["hint"] == "Log in again with `sitegpt login`."
    assert doc["meta"]["requestId"].startswith("req_")
    assert not cli.config_path.exists()


def _fake_browser(tmp_path):
    """An xdg-open that records its argv, environment and where its stdio points."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    log = tmp_path / "browser.log"
    script = bindir / "xdg-open"
    script.write_text("#!/bin/sh\nfd0=$(readlink /proc/$$/fd/0) fd1=$(readlink /proc/$$/fd/1)"
                      " fd2=$(readlink /proc/$$/fd/2)\n"
                      "{ printf 'ARGV %%s\\n' \"$@\"; env | sed 's/^/ENV /';"
                      " printf 'FD0 %%s\\nFD1 %%s\\nFD2 %%s\\n' \"$fd0\" \"$fd1\" \"$fd2\";"
                      " } > %s.tmp && mv %s.tmp %s\n" % (log, log, log))
    script.chmod(stat.S_IRWXU)
    return bindir, log


def _wait_file(path, timeout=10.0):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        time.sleep(0.05)
    return None


def test_browser_opens_only_https_without_secrets_or_stdio(cli, make_mock, tmp_path):
    m = make_mock(auto_approve=True, auto_approve_delay=0.2, device_interval=1)
    cli.use(m)
    bindir, log = _fake_browser(tmp_path)
    env = {"DISPLAY": ":99", "PATH": "%s:%s" % (bindir, os.environ.get("PATH", "")),
           "SITEGPT_TIMEOUT": "20", "SITEGPT_API_TOKEN": None}
    r = cli("login", env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Opened the page in your browser" in r.stderr
    text = _wait_file(log)
    assert text is not None, "xdg-open was not run"
    lines = text.splitlines()
    argv = [x[5:] for x in lines if x.startswith("ARGV ")]
    assert len(argv) == 1 and argv[0].startswith(m.base_url + "/device?user_code=")
    assert not [x for x in lines if x.startswith("ENV SITEGPT_")], text
    for i in range(3):
        assert "FD%d /dev/null" % i in lines, text


@pytest.mark.parametrize("uri", [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "http://evil.example/device",
    "http://localhost@evil.example/device",
    "https://ok.example/\x1b]0;x\x07",
])
def test_other_verification_uris_are_only_printed(cli, make_mock, tmp_path, uri):
    m = make_mock(auto_approve=True, auto_approve_delay=0.2, device_interval=1,
                  verification_uri=uri)
    cli.use(m)
    bindir, log = _fake_browser(tmp_path)
    env = {"DISPLAY": ":99", "PATH": "%s:%s" % (bindir, os.environ.get("PATH", ""))}
    r = cli("login", env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert_terminal_safe(r.stdout, r.stderr)
    assert "not opening a browser" in r.stderr
    assert _wait_file(log, timeout=1.0) is None


def test_login_names_the_scopes_the_server_did_not_grant(cli, mock):
    mock.configure(auto_approve=True, auto_approve_delay=0.2, device_interval=1,
                   grant_drop_scopes=["tokens:read", "billing:read"])
    r = cli("login", "--no-browser", "--scope", "chatbots:read", "--scope", "tokens:read",
            "--scope", "billing:read", timeout=60)
    assert r.returncode == 0, r.stderr
    line = [x for x in r.stderr.splitlines() if "fewer scopes" in x]
    assert len(line) == 1, r.stderr
    assert "missing: tokens:read billing:read." in line[0]
    assert "chatbots:read" not in line[0]
    # all granted: no warning
    mock.configure(grant_drop_scopes=[])
    r = cli("login", "--no-browser", "--profile", "two", "--scope", "chatbots:read", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "fewer scopes" not in r.stderr


def test_api_body_is_escaped_on_a_terminal_only(cli, mock):
    import pty
    import subprocess
    body = "line one\x1b]0;pwned\x07\r\nline two \u009b2J \u00e9t\u00e9\rFORGED\n"
    mock.misbehave("status", count=-1, path="/api/v2/health", status=200, body=body,
                   content_type="text/plain")
    master, slave = pty.openpty()
    try:
        p = subprocess.run([cli.bin, "api", "/api/v2/health"], env=cli.env(), stdout=slave,
                           stderr=subprocess.PIPE, timeout=30)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
    assert p.returncode == 0, p.stderr
    text = out.decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\u009b" not in text
    assert "line one\\x1b]0;pwned\\x07" in text and "\\u009b2J" in text
    assert "\u00e9t\u00e9\\x0dFORGED" in text      # a bare CR cannot overwrite the line
    assert "pwned\\x07\r" in text and "pwned\\x07\\x0d" not in text   # CRLF line ends stay
    # piped: unchanged bytes (a script asked for them)
    r = cli("api", "/api/v2/health")
    assert r.stdout == body.replace("\r\n", "\n").replace("\r", "\n")  # text mode: CR(LF) -> LF
