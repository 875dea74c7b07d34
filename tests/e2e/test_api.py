"""`sitegpt api` end to end against the mock over TLS: requests, errors, misbehaving servers."""
import json
import re

import pytest

EXIT_API, EXIT_USAGE, EXIT_AUTH, EXIT_NETWORK = 1, 2, 3, 5


def header(req, name):
    """Value of a request header recorded by the mock (headers are [name, value] pairs)."""
    return next((v for k, v in req["headers"] if k.lower() == name.lower()), None)


def envelope(text):
    doc = json.loads(text)
    assert isinstance(doc, dict) and "ok" in doc, text
    return doc


def test_health_needs_no_token(cli, mock):
    r = cli("api", "/api/v2/health")
    assert r.returncode == 0, r.stderr
    doc = envelope(r.stdout)
    assert doc["ok"] is True
    assert mock.requests("/api/v2/health")[0]["authorization"] is False


def test_me_with_env_token_streams_the_envelope(cli, mock, token, no_secrets):
    t = token(scopes=["account:read"])
    r = cli("api", "/api/v2/me", env={"SITEGPT_API_TOKEN": t})
    assert r.returncode == 0, r.stderr
    doc = envelope(r.stdout)
    assert doc["data"]["user"]["email"] == "dev@example.com"
    assert doc["data"]["auth"]["scopes"] == ["account:read"]
    no_secrets(r.stdout, r.stderr)
    req = mock.requests("/api/v2/me")[0]
    assert req["authorization"] is True and req["auth_scheme"] == "Bearer"
    assert (header(req, "User-Agent") or "").startswith("sitegpt-c/")


def test_path_without_slash_is_relative_to_api_v2(cli, mock, token):
    r = cli("api", "me", env={"SITEGPT_API_TOKEN": token()})
    assert r.returncode == 0, r.stderr
    assert mock.requests("/api/v2/me")


def test_missing_token_is_an_api_error_on_stderr(cli, mock):
    r = cli("api", "/api/v2/me")
    assert r.returncode == EXIT_AUTH
    assert r.stdout == ""
    assert "AUTHORIZATION_HEADER_REQUIRED" in r.stderr
    assert "HTTP 401" in r.stderr
    assert "request id: req_" in r.stderr


def test_bad_token_is_rejected_and_json_passes_the_envelope(cli, mock):
    r = cli("--json", "api", "/api/v2/me", env={"SITEGPT_API_TOKEN": "sgpt_not_a_real_token_0000"})
    assert r.returncode == EXIT_AUTH
    doc = envelope(r.stdout)
    assert doc["ok"] is False
    assert doc["error"]["code"] == "TOKEN_NOT_VALID"
    assert doc["meta"]["requestId"].startswith("req_")


def test_scope_error_shows_code_message_hint(cli, mock, token):
    r = cli("api", "/api/v2/tokens", env={"SITEGPT_API_TOKEN": token(scopes=["account:read"])})
    assert r.returncode == EXIT_API
    assert "TOKEN_SCOPE_NOT_ALLOWED" in r.stderr and "HTTP 403" in r.stderr
    assert "hint:" in r.stderr and "tokens:read" in r.stderr


def test_include_prints_status_and_headers(cli, mock):
    r = cli("api", "-i", "/api/v2/health")
    assert r.returncode == 0, r.stderr
    head, _, body = r.stdout.partition("\n\n")   # text mode folds CRLF
    assert head.startswith("HTTP/1.1 200")
    assert "content-type: application/json" in head.lower()
    assert envelope(body)["ok"] is True


def test_post_body_inline_file_and_stdin(cli, mock, token, tmp_path):
    t = token()
    body = {"name": "from api", "scopes": ["chatbots:read"]}
    r = cli("api", "-X", "POST", "/api/v2/tokens", "-d", json.dumps(body),
            env={"SITEGPT_API_TOKEN": t})
    assert r.returncode == 0, r.stderr
    assert envelope(r.stdout)["data"]["token"]["name"] == "from api"
    f = tmp_path / "body.json"
    f.write_text(json.dumps(dict(body, name="from file")))
    r = cli("api", "/api/v2/tokens", "-d", "@%s" % f, env={"SITEGPT_API_TOKEN": t})
    assert r.returncode == 0, r.stderr   # -d implies POST
    r = cli("api", "/api/v2/tokens", "-d", "-", input=json.dumps(dict(body, name="from stdin")),
            env={"SITEGPT_API_TOKEN": t})
    assert r.returncode == 0, r.stderr
    names = [q["body"] and json.loads(q["body"])["name"] for q in mock.requests("/api/v2/tokens")]
    assert names == ["from api", "from file", "from stdin"]
    assert all(q["method"] == "POST" for q in mock.requests("/api/v2/tokens"))


def test_invalid_json_body_is_refused_before_any_request(cli, mock):
    r = cli("api", "-X", "POST", "/api/v2/tokens", "-d", "{'name': 1}")
    assert r.returncode == EXIT_USAGE
    assert "not valid JSON" in r.stderr
    assert mock.requests() == []


def test_extra_header_is_sent(cli, mock):
    r = cli("api", "-H", "X-Trace: abc 123", "/api/v2/health")
    assert r.returncode == 0, r.stderr
    assert header(mock.requests("/api/v2/health")[0], "X-Trace") == "abc 123"


@pytest.mark.parametrize("args,message", [
    ([], "missing the request path"),
    (["-X"], "needs a method"),
    (["-X", "get", "/api/v2/health"], "not an HTTP method"),
    (["-H", "NoColon", "/api/v2/health"], "not 'Name: value'"),
    (["--bogus", "/x"], "unknown option '--bogus'"),
    (["/a", "/b"], "one path only"),
    (["-d", "@/nonexistent/body.json", "/api/v2/tokens"], "cannot open body file"),
])
def test_usage_errors_name_the_problem(cli, mock, args, message):
    r = cli("api", *args)
    assert r.returncode == EXIT_USAGE, r.stderr
    assert message in r.stderr
    assert mock.requests() == []


def test_help_teaches(cli):
    r = cli("api", "--help")
    assert r.returncode == 0
    for word in ("--method", "--data", "--header", "--include", "Examples"):
        assert word in r.stdout


@pytest.mark.parametrize("body_mode", ["length", "chunked", "until_close"])
def test_every_body_framing_is_read(cli, mock, token, body_mode):
    mock.configure(body_mode=body_mode, chunk_size=3, chunk_extensions=True, chunk_trailers=True)
    r = cli("api", "/api/v2/me", env={"SITEGPT_API_TOKEN": token()})
    assert r.returncode == 0, r.stderr
    assert envelope(r.stdout)["data"]["user"]["id"] == "usr_mock0001"


@pytest.mark.parametrize("mode,params", [
    ("interim", {}),
    ("drip", {"bytes": 7, "every_ms": 2}),
])
def test_tolerated_oddities(cli, mock, mode, params):
    mock.misbehave(mode, path="/api/v2/health", **params)
    r = cli("api", "/api/v2/health")
    assert r.returncode == 0, r.stderr
    assert envelope(r.stdout)["ok"] is True


# Each misbehaviour gives a clear error quickly (a GET is retried: apply it to every attempt).
@pytest.mark.parametrize("mode,params,expect", [
    ("close", {}, "closed"),
    ("close_mid_headers", {}, "before the HTTP response was complete"),
    ("close_mid_body", {}, "before the HTTP response was complete"),
    ("truncated_chunk", {}, "before the HTTP response was complete"),
    ("malformed_chunk", {"variant": "nonhex"}, "malformed chunk"),
    ("malformed_chunk", {"variant": "overflow"}, "malformed chunk"),
    ("oversized_header", {"size": 65536}, "response headers exceed 16384 bytes"),
    ("garbage", {}, "HTTP"),
    ("length_and_chunked", {}, "both Content-Length and chunked"),
    ("conflicting_length", {}, "Content-Length"),
    ("bad_length", {"value": "12abc"}, "Content-Length"),
    ("bare_cr", {}, "bare CR"),
    ("obs_fold", {}, "folding"),
    ("bad_header_name", {"line": "Bad Header: x"}, "header name"),
    ("status_line", {"line": "HTTP/1.1 2OO OK"}, "malformed"),
])
def test_misbehaving_server_gives_a_clear_error(cli, mock, mode, params, expect):
    mock.misbehave(mode, count=-1, path="/api/v2/health", **params)
    r = cli("api", "/api/v2/health", timeout=60)
    assert r.returncode == EXIT_NETWORK, (r.returncode, r.stderr)
    assert expect in r.stderr, r.stderr
    assert r.stderr.startswith("sitegpt: GET /api/v2/health: ")
    # The body streams: a cut one may have started on stdout, but never looks complete.
    with pytest.raises(ValueError):
        json.loads(r.stdout)
    # with --json the error envelope is a line of its own, after whatever was cut
    r = cli("--json", "api", "/api/v2/health", timeout=60)
    assert r.returncode == EXIT_NETWORK
    assert envelope(r.stdout.splitlines()[-1])["ok"] is False, r.stdout


def test_hanging_server_times_out(cli, mock):
    mock.misbehave("hang", count=-1, path="/api/v2/health", seconds=20)
    r = cli("--timeout", "1", "api", "/api/v2/health", timeout=60)
    assert r.returncode == EXIT_NETWORK
    assert "did not answer within 1 s" in r.stderr


def test_get_is_retried_after_5xx(cli, mock):
    mock.misbehave("status", count=2, path="/api/v2/health", status=503)
    r = cli("api", "/api/v2/health", timeout=60)
    assert r.returncode == 0, r.stderr
    assert envelope(r.stdout)["ok"] is True
    assert len(mock.requests("/api/v2/health")) == 3


def test_post_is_not_retried_after_5xx(cli, mock, token):
    mock.misbehave("status", count=1, path="/api/v2/tokens", status=503)
    r = cli("api", "/api/v2/tokens", "-d", '{"name":"x","scopes":["chatbots:read"]}',
            env={"SITEGPT_API_TOKEN": token()})
    assert r.returncode == EXIT_API
    assert "HTTP 503" in r.stderr
    assert len(mock.requests("/api/v2/tokens")) == 1


def test_non_json_error_body_maps_to_http_error(cli, mock):
    mock.misbehave("status", count=-1, path="/api/v2/health", status=404, body="<html>nope</html>",
                   content_type="text/html")
    r = cli("api", "/api/v2/health")
    assert r.returncode == EXIT_API
    assert "HTTP_ERROR" in r.stderr and "HTTP 404" in r.stderr
    r = cli("--json", "api", "/api/v2/health")
    assert r.returncode == EXIT_API


def test_untrusted_certificate_is_rejected(cli, rogue_mock):
    r = cli("api", "/api/v2/health", server=rogue_mock)
    assert r.returncode == EXIT_NETWORK
    assert "CERTIFICATE" in r.stderr.upper() or "certificate" in r.stderr
    assert "unknown issuer" in r.stderr and "rogue CA" in r.stderr, r.stderr
    assert rogue_mock.requests() == []


def test_cacert_option_and_unreadable_ca(cli, mock):
    r = cli("--cacert", mock.ca_file, "api", "/api/v2/health", env={"SSL_CERT_FILE": None})
    assert r.returncode == 0, r.stderr
    r = cli("api", "/api/v2/health", "--cacert", "/nonexistent/ca.pem")
    assert r.returncode == EXIT_NETWORK
    assert "/nonexistent/ca.pem" in r.stderr


def test_plain_http_origin(cli, mock_plain):
    r = cli("api", "/api/v2/health", server=mock_plain)
    assert r.returncode == 0, r.stderr
    assert envelope(r.stdout)["ok"] is True


def test_bad_api_base_and_unreachable_port(cli, mock):
    r = cli("--api-base", "ftp://example.com", "api", "/api/v2/health")
    assert r.returncode == EXIT_USAGE
    assert "not a valid http(s) URL" in r.stderr
    r = cli("--api-base", "https://localhost:1", "api", "/api/v2/health", timeout=60)
    assert r.returncode == EXIT_NETWORK
    assert "cannot connect to localhost port 1" in r.stderr


def test_global_options_and_unknown_command(cli):
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("sitegpt-c ")
    lines = r.stdout.splitlines()
    assert re.fullmatch(r"mbedTLS (2\.28|3\.6)\.\d+ \(running (2\.28|3\.6)\.\d+\)", lines[1])
    features = lines[2].split()
    assert features[0] == "features:" and "TLS1.2" in features and "QR" in features
    # TLS 1.3 exists only in the mbedTLS 3.x builds
    assert ("TLS1.3" in features) == lines[1].startswith("mbedTLS 3.")
    assert {"proxy", "-proxy"} & set(features)
    r = cli("frobnicate")
    assert r.returncode == EXIT_USAGE and "UNKNOWN_COMMAND" not in r.stdout
    assert "unknown command 'frobnicate'" in r.stderr
    r = cli("--json", "frobnicate")
    assert envelope(r.stdout)["error"]["code"] == "UNKNOWN_COMMAND"
    r = cli("--timeout", "0", "api", "/x")
    assert r.returncode == EXIT_USAGE and "--timeout" in r.stderr
    r = cli()
    assert r.returncode == EXIT_USAGE and r.stdout == "" and "Usage: sitegpt" in r.stderr
    assert "missing the command" in r.stderr
    r = cli("--json")
    assert r.returncode == EXIT_USAGE
    assert envelope(r.stdout)["error"]["code"] == "USAGE_ERROR"


def test_commands_needing_a_token_name_the_official_error(cli, mock):
    r = cli("whoami")
    assert r.returncode == EXIT_AUTH
    assert "PROFILE_NOT_CONFIGURED" in r.stderr and "sitegpt login" in r.stderr
    r = cli("--json", "chatbots", "list")
    assert r.returncode == EXIT_AUTH
    assert envelope(r.stdout)["error"]["code"] == "PROFILE_NOT_CONFIGURED"
    r = cli("--profile", "nosuch", "whoami")
    assert r.returncode == EXIT_AUTH
    assert "profile 'nosuch' is not configured" in r.stderr
    assert mock.requests() == []
