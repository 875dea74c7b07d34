"""sitegpt tokens against the mock over TLS: list (table, revoked, limit/cursor, pages, --all
over 10,000 tokens in flat memory, JSON lines), create (every option rule checked before any
request, the secret alone on stdout), rotate (the profile holding the token follows), revoke
(--yes off a terminal, a prompt on one), retries (429 with Retry-After, 5xx, dropped
connections; never a POST), redirects to another origin without the token, scope errors."""
import json
import os
import pty
import stat
import subprocess
import sys

import pytest

from mock_fixtures import assert_no_secrets


def env_for(secret):
    return {"SITEGPT_API_TOKEN": secret}


@pytest.fixture
def admin(token):
    """A token with every scope, passed through the environment."""
    return env_for(token())


def ids_in(text):
    return [w for w in text.split() if w.startswith("tok_")]


# ------------------------------------------------------------------ help


@pytest.mark.parametrize("args", [
    ("tokens", "--help"), ("tokens", "list", "--help"), ("tokens", "create", "--help"),
    ("tokens", "rotate", "--help"), ("tokens", "revoke", "-h"), ("help", "tokens", "create"),
])
def test_help_at_every_level(cli, args):
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Usage: sitegpt tokens")
    assert "Examples:" in r.stdout


def test_create_help_lists_every_scope_in_contract_order(cli):
    out = cli("tokens", "create", "--help").stdout
    listed = out.split("Scopes")[1].split("Examples:")[0].split()
    scopes = [w for w in listed if ":" in w and not w.endswith(":")]
    assert len(scopes) == 37
    assert scopes[0] == "account:read" and scopes[-1] == "billing:write"


def test_missing_or_unknown_subcommand(cli):
    r = cli("tokens")
    assert r.returncode == 2 and "missing the subcommand" in r.stderr
    r = cli("tokens", "frobnicate")
    assert r.returncode == 2 and "UNKNOWN_COMMAND" not in r.stderr
    assert "unknown subcommand 'tokens frobnicate'" in r.stderr


# ------------------------------------------------------------------ list


def test_list_table_has_full_ids_dates_scopes_and_chatbots(cli, mock, token, admin):
    mock.seed_token(scopes=["chatbots:read", "leads:read"], chatbot_ids=["cb_0002"],
                    name="support agent")
    r = cli("tokens", "list", env=admin)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "CREATED", "EXPIRES", "LAST", "USED", "REVOKED", "NAME"]
    all_ids = {t["id"] for t in mock.tokens()}
    assert set(ids_in(r.stdout)) == all_ids  # whole ids, each once
    agent = next(t for t in mock.tokens() if t["name"] == "support agent")
    row = next(i for i, l in enumerate(lines) if l.startswith(agent["id"] + " "))
    assert lines[row].endswith("support agent")
    assert agent["createdAt"][:10] in lines[row] and agent["expiresAt"][:10] in lines[row]
    assert lines[row + 1].split() == ["scopes:", "chatbots:read", "leads:read"]
    assert lines[row + 2].split() == ["chatbots:", "cb_0002"]
    assert "More tokens" not in r.stderr
    assert_no_secrets(r.stdout + r.stderr)


def test_list_hides_revoked_unless_asked(cli, mock, admin):
    _, gone = mock.seed_token(name="old one", revoked=True)
    r = cli("tokens", "list", env=admin)
    assert gone["id"] not in r.stdout
    r = cli("tokens", "list", "--include-revoked", env=admin)
    assert r.returncode == 0 and gone["id"] in r.stdout
    row = next(l for l in r.stdout.splitlines() if l.startswith(gone["id"]))
    assert row.split()[4] == mock.token_json(gone["id"])["revokedAt"][:10]
    q = mock.requests(path="/api/v2/tokens")[-1]["query"]
    assert ["includeRevoked", "true"] in q


def test_limit_and_cursor_pass_through_and_next_page_hint(cli, mock, admin):
    mock.seed_tokens(7)
    r = cli("tokens", "list", "--limit", "3", env=admin)
    assert r.returncode == 0, r.stderr
    assert len(ids_in(r.stdout)) == 3
    hint = [l for l in r.stderr.splitlines() if l.startswith("More tokens:")]
    assert hint, r.stderr
    cursor = hint[0].split("--cursor ")[1].split()[0]
    r2 = cli("tokens", "list", "--limit=3", "--cursor", cursor, env=admin)
    assert r2.returncode == 0, r2.stderr
    assert not set(ids_in(r.stdout)) & set(ids_in(r2.stdout))
    q = mock.requests(path="/api/v2/tokens")[-1]["query"]
    assert ["limit", "3"] in q and ["cursor", cursor] in q


def test_all_follows_every_page(cli, mock, admin):
    mock.seed_tokens(45)
    mock.clear_requests()
    r = cli("tokens", "list", "--all", "--limit", "10", env=admin)
    assert r.returncode == 0, r.stderr
    assert set(ids_in(r.stdout)) == {t["id"] for t in mock.tokens()}
    assert len(mock.requests(path="/api/v2/tokens")) == 5  # 46 tokens, 10 a page
    assert "More tokens" not in r.stderr


def test_all_json_is_one_envelope_per_page(cli, mock, admin):
    mock.seed_tokens(25)
    r = cli("tokens", "list", "--all", "--limit", "10", "--json", env=admin)
    assert r.returncode == 0, r.stderr
    pages = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(pages) == 3
    assert all(p["ok"] and "requestId" in p["meta"] for p in pages)
    assert [p["data"]["pagination"]["hasNextPage"] for p in pages] == [True, True, False]
    ids = [t["id"] for p in pages for t in p["data"]["tokens"]]
    assert sorted(ids) == sorted(t["id"] for t in mock.tokens())


def test_json_single_page_is_the_envelope_unchanged(cli, mock, admin):
    r = cli("tokens", "list", "--json", env=admin)
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and doc["data"]["tokens"][0]["id"] == mock.tokens()[0]["id"]
    assert r.stdout.count("\n") == 1 and r.stderr == ""


def max_rss_kb(cli, *args, env):
    """Peak RSS of one CLI run, measured in a fresh interpreter so runs do not mix."""
    code = ("import resource, subprocess, sys\n"
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)\n"
            "lines = r.stdout.count(b'\\n')\n"
            "print(r.returncode, lines, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    out = subprocess.run([sys.executable, "-c", code, cli.bin, *args], env=cli.env(env),
                         capture_output=True, text=True, timeout=300, cwd=str(cli.tmp))
    rc, lines, rss = map(int, out.stdout.split())
    return rc, lines, rss


def test_all_over_10000_tokens_keeps_memory_flat(cli, mock, admin):
    mock.seed_tokens(99)
    rc, small_lines, small = max_rss_kb(cli, "tokens", "list", "--all", "--limit", "100",
                                        env=admin)
    assert rc == 0 and small_lines == 1 + 3 * 100
    mock.seed_tokens(9900)
    rc, big_lines, big = max_rss_kb(cli, "tokens", "list", "--all", "--limit", "100",
                                    env=admin)
    assert rc == 0 and big_lines == 1 + 3 * 10000
    # 100 times the tokens, 100 times the pages: the same memory within 512 KB
    print("max RSS KB: 100 tokens %d, 10000 tokens %d" % (small, big))
    assert big <= small + 512, (small, big)


# ------------------------------------------------------------------ create


def test_create_prints_only_the_secret_on_stdout(cli, mock, admin):
    r = cli("tokens", "create", "--name", "ci deploy", "--scope", "tokens:read",
            "chatbots:read", "--chatbot", "cb_0001", "--expires-in-days", "30", env=admin)
    assert r.returncode == 0, r.stderr
    secret = r.stdout.strip()
    assert r.stdout == secret + "\n" and secret in mock.secrets()
    made = next(t for t in mock.tokens() if t["name"] == "ci deploy")
    assert made["scopes"] == ["tokens:read", "chatbots:read"]
    assert made["chatbotIds"] == ["cb_0001"]
    assert made["id"] in r.stderr and "not shown again" in r.stderr
    assert "tokens:read chatbots:read" in r.stderr
    assert_no_secrets(r.stderr)
    body = json.loads(mock.requests(path="/api/v2/tokens", method="POST")[0]["body"])
    assert body == {"name": "ci deploy", "scopes": ["tokens:read", "chatbots:read"],
                    "chatbotIds": ["cb_0001"], "expiresInDays": 30}
    # the new token works on its own
    r2 = cli("tokens", "list", env=env_for(secret))
    assert r2.returncode == 0, r2.stderr


def test_create_with_comma_list_and_expires_at_date(cli, mock, admin):
    r = cli("tokens", "create", "--name=dated", "--scope", "leads:read,leads:write",
            "--expires-at", "2099-01-01", env=admin)
    assert r.returncode == 2  # more than 365 days away
    assert "more than 365 days" in r.stderr
    import datetime
    day = (datetime.date.today() + datetime.timedelta(days=100)).isoformat()
    r = cli("tokens", "create", "--name=dated", "--scope", "leads:read,leads:write",
            "--expires-at", day, env=admin)
    assert r.returncode == 0, r.stderr
    body = json.loads(mock.requests(path="/api/v2/tokens", method="POST")[0]["body"])
    assert body["expiresAt"] == day + "T00:00:00Z" and body["scopes"] == ["leads:read",
                                                                          "leads:write"]
    made = next(t for t in mock.tokens() if t["name"] == "dated")
    assert made["expiresAt"].startswith(day + "T00:00:00")


def test_create_json_prints_the_envelope(cli, mock, admin):
    r = cli("tokens", "create", "--name", "j", "--scope", "tokens:read", "--json", env=admin)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] and doc["data"]["plaintextToken"] in mock.secrets()
    assert r.stderr == ""


def test_create_does_not_switch_the_cli_to_the_new_token(cli, mock, token):
    secret = token()
    assert cli("login", "--token", "-", input=secret + "\n").returncode == 0
    before = cli.config_path.read_bytes()
    r = cli("tokens", "create", "--name", "n", "--scope", "tokens:read")
    assert r.returncode == 0, r.stderr
    assert cli.config_path.read_bytes() == before


LONG = "x" * 121


@pytest.mark.parametrize("args,message", [
    (["--scope", "tokens:read"], "--name is required"),
    (["--name", "", "--scope", "tokens:read"], "1 to 120 characters"),
    (["--name", LONG, "--scope", "tokens:read"], "1 to 120 characters (it has 121)"),
    (["--name", "n"], "at least one --scope"),
    (["--name", "n", "--scope", "tokens:reed"], "did you mean 'tokens:read'"),
    (["--name", "n", "--scope", "read:chatbots"], "did you mean 'chatbots:read'"),
    (["--name", "n", "--scope", "admin"], "unknown scope 'admin'"),
    (["--name", "n", "--scope", "tokens:read", "--expires-in-days", "0"], "from 1 to 365"),
    (["--name", "n", "--scope", "tokens:read", "--expires-in-days", "366"], "from 1 to 365"),
    (["--name", "n", "--scope", "tokens:read", "--expires-in-days", "3x"], "from 1 to 365"),
    (["--name", "n", "--scope", "tokens:read", "--expires-in-days", "5", "--expires-at",
      "2030-01-01"], "not both"),
    (["--name", "n", "--scope", "tokens:read", "--expires-at", "2020-01-01"],
     "not in the future"),
    (["--name", "n", "--scope", "tokens:read", "--expires-at", "2030-02-30"], "ISO 8601"),
    (["--name", "n", "--scope", "tokens:read", "--expires-at", "2030-01-01T10:00"], "ISO 8601"),
    (["--name", "n", "--scope", "tokens:read", "--expires-at", "next week"], "ISO 8601"),
    (["--name", "n", "--scope", "tokens:read", "--bogus"], "unexpected argument '--bogus'"),
    (["--name"], "--name needs a value"),
])
def test_create_rules_are_checked_before_any_request(cli, mock, admin, args, message):
    r = cli("tokens", "create", *args, env=admin)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "Try 'sitegpt tokens create --help'" in r.stderr
    assert mock.requests() == []


def test_name_counts_characters_not_bytes(cli, mock, admin):
    r = cli("tokens", "create", "--name", "\u00e9" * 120, "--scope", "tokens:read", env=admin)
    assert r.returncode == 0, r.stderr


def test_usage_error_in_json_mode_is_an_envelope(cli, mock, admin):
    r = cli("tokens", "create", "--name", "n", "--scope", "tokens:wrte", "--json", env=admin)
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["error"]["code"] == "USAGE_ERROR"
    assert "tokens:write" in doc["error"]["message"]


def test_role_refusal_is_reported_with_the_servers_words(cli, mock, admin):
    mock.configure(role_scopes=["tokens:read"])
    r = cli("tokens", "create", "--name", "n", "--scope", "billing:write", env=admin)
    assert r.returncode == 1
    assert "TOKEN_SCOPE_NOT_ALLOWED" in r.stderr and "billing:write" in r.stderr
    assert "request id: req_" in r.stderr
    assert "sitegpt login" not in r.stderr.split("request id")[1]  # a role, not a login, issue
    assert r.stdout == ""


# ------------------------------------------------------------------ rotate


def test_rotate_prints_new_secret_and_old_one_stops(cli, mock, admin):
    old, tok = mock.seed_token(scopes=["tokens:read"], name="to rotate")
    r = cli("tokens", "rotate", tok["id"], env=admin)
    assert r.returncode == 0, r.stderr
    new = r.stdout.strip()
    assert r.stdout == new + "\n" and new != old and new in mock.secrets()
    assert tok["id"] in r.stderr and "not shown again" in r.stderr
    assert_no_secrets(r.stderr)
    assert cli("tokens", "list", env=env_for(old)).returncode == 3
    assert cli("tokens", "list", env=env_for(new)).returncode == 0
    assert mock.requests(path="/api/v2/tokens/%s/rotate" % tok["id"])[0]["method"] == "POST"


def test_rotating_the_profiles_own_token_updates_the_profile(cli, mock, token):
    secret = token()
    assert cli("login", "--token", "-", input=secret + "\n").returncode == 0
    me = [t for t in mock.tokens() if t["name"] == "seeded token"]
    assert len(me) == 1
    r = cli("tokens", "rotate", me[0]["id"])
    assert r.returncode == 0, r.stderr
    new = r.stdout.strip()
    cfg = json.loads(cli.config_path.read_text())
    assert cfg["profiles"]["default"]["token"] == new
    assert stat.S_IMODE(os.stat(cli.config_path).st_mode) == 0o600
    assert "Profile 'default' now holds the new token" in r.stderr
    assert cli("tokens", "list").returncode == 0  # the CLI goes on working


def test_rotating_another_token_leaves_the_profile_alone(cli, mock, token):
    secret = token()
    assert cli("login", "--token", "-", input=secret + "\n").returncode == 0
    before = cli.config_path.read_bytes()
    _, other = mock.seed_token(scopes=["tokens:read"], name="other")
    r = cli("tokens", "rotate", other["id"])
    assert r.returncode == 0, r.stderr
    assert cli.config_path.read_bytes() == before


def test_rotate_unknown_and_missing_id(cli, mock, admin):
    r = cli("tokens", "rotate", "tok_nope", env=admin)
    assert r.returncode == 1 and "TOKEN_NOT_FOUND" in r.stderr and r.stdout == ""
    r = cli("tokens", "rotate", env=admin)
    assert r.returncode == 2 and "missing the token id" in r.stderr


# ------------------------------------------------------------------ revoke


def test_revoke_off_a_terminal_needs_yes(cli, mock, admin):
    _, tok = mock.seed_token(scopes=["tokens:read"])
    r = cli("tokens", "revoke", tok["id"], env=admin, input="y\n")
    assert r.returncode == 2 and "--yes" in r.stderr
    assert mock.requests(method="DELETE") == []
    r = cli("tokens", "revoke", tok["id"], "--yes", env=admin)
    assert r.returncode == 0, r.stderr
    assert "Revoked token %s" % tok["id"] in r.stdout
    assert mock.token_json(tok["id"])["revokedAt"] is not None


def run_on_terminal(cli, args, env, answer):
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([cli.bin, *args], env=cli.env(env), stdin=slave,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=str(cli.tmp))
        os.write(master, answer.encode())
        out, err = p.communicate(timeout=30)
        return p.returncode, out, err
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize("answer,revoked", [("y\n", True), ("n\n", False), ("\n", False)])
def test_revoke_on_a_terminal_asks(cli, mock, admin, answer, revoked):
    _, tok = mock.seed_token(scopes=["tokens:read"])
    rc, out, err = run_on_terminal(cli, ["tokens", "revoke", tok["id"]], admin, answer)
    assert "Revoke token %s?" % tok["id"] in err
    assert (mock.token_json(tok["id"])["revokedAt"] is not None) == revoked
    assert rc == (0 if revoked else 2)


def test_revoke_json(cli, mock, admin):
    _, tok = mock.seed_token(scopes=["tokens:read"])
    r = cli("tokens", "revoke", tok["id"], "--yes", "--json", env=admin)
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["data"]["token"]["revokedAt"]


# ------------------------------------------------------------------ retries, redirects


def test_429_waits_for_retry_after_seconds(cli, mock, admin):
    mock.misbehave("status", 1, path="/api/v2/tokens", status=429, retry_after=1)
    r = cli("tokens", "list", "--json", env=admin)
    assert r.returncode == 0, r.stderr
    reqs = mock.requests(path="/api/v2/tokens")
    assert [q["status"] for q in reqs] == [429, 200]
    assert reqs[1]["t"] - reqs[0]["t"] >= 0.9  # waited (not a speed assertion: a lower bound)
    assert json.loads(r.stdout)["ok"] is True  # the 429 body never reached stdout


def test_429_waits_for_retry_after_http_date(cli, mock, admin):
    mock.misbehave("status", 1, path="/api/v2/tokens", status=429, retry_after_date=2)
    r = cli("tokens", "list", env=admin)
    assert r.returncode == 0, r.stderr
    reqs = mock.requests(path="/api/v2/tokens")
    assert len(reqs) == 2 and reqs[1]["t"] - reqs[0]["t"] >= 0.9


def test_429_even_for_a_post(cli, mock, admin):
    mock.misbehave("status", 1, path="/api/v2/tokens", method="POST", status=429,
                   retry_after=0)
    r = cli("tokens", "create", "--name", "n", "--scope", "tokens:read", env=admin)
    assert r.returncode == 0, r.stderr
    assert len(mock.requests(path="/api/v2/tokens", method="POST")) == 2


def test_5xx_on_get_is_retried(cli, mock, admin):
    mock.misbehave("status", 2, path="/api/v2/tokens", status=503)
    r = cli("tokens", "list", env=admin)
    assert r.returncode == 0, r.stderr
    assert [q["status"] for q in mock.requests(path="/api/v2/tokens")] == [503, 503, 200]


def test_5xx_that_persists_is_reported(cli, mock, admin):
    mock.misbehave("status", -1, path="/api/v2/tokens", status=502)
    r = cli("tokens", "list", env=admin)
    assert r.returncode == 1
    assert "SERVICE_UNAVAILABLE" in r.stderr and "HTTP 502" in r.stderr
    assert len(mock.requests(path="/api/v2/tokens")) == 4  # first try and three retries


def test_post_is_never_retried_on_5xx_or_dropped_connection(cli, mock, admin):
    mock.misbehave("status", 1, path="/api/v2/tokens", method="POST", status=503)
    r = cli("tokens", "create", "--name", "once", "--scope", "tokens:read", env=admin)
    assert r.returncode == 1 and "HTTP 503" in r.stderr
    assert len(mock.requests(path="/api/v2/tokens", method="POST")) == 1
    _, tok = mock.seed_token(scopes=["tokens:read"])
    mock.misbehave("close", 1, path="/api/v2/tokens/%s/rotate" % tok["id"])
    r = cli("tokens", "rotate", tok["id"], env=admin)
    assert r.returncode == 5 and r.stdout == ""
    assert len(mock.requests(path="/api/v2/tokens/%s/rotate" % tok["id"])) == 1


def test_revoke_is_retried_on_5xx_and_dropped_connection(cli, mock, admin):
    _, tok = mock.seed_token(scopes=["tokens:read"])
    path = "/api/v2/tokens/" + tok["id"]
    mock.misbehave("status", 1, path=path, method="DELETE", status=500)
    mock.misbehave("close", 1, path=path, method="DELETE")
    r = cli("tokens", "revoke", tok["id"], "--yes", env=admin)
    assert r.returncode == 0, r.stderr
    assert len(mock.requests(path=path, method="DELETE")) == 3
    assert mock.token_json(tok["id"])["revokedAt"] is not None


def test_dropped_connection_on_get_is_retried(cli, mock, admin):
    mock.misbehave("close", 1, path="/api/v2/tokens")
    r = cli("tokens", "list", env=admin)
    assert r.returncode == 0, r.stderr


def test_redirect_to_another_origin_drops_the_token(cli, mock, make_mock, admin):
    other = make_mock()
    mock.misbehave("redirect", 1, path="/api/v2/tokens", status=307,
                   to_base=other.base_url)
    r = cli("tokens", "list", env=admin)
    first = mock.requests(path="/api/v2/tokens")
    moved = other.requests(path="/api/v2/tokens")
    assert first[0]["authorization"] is True
    assert len(moved) == 1 and moved[0]["authorization"] is False
    assert r.returncode == 3 and "AUTHORIZATION_HEADER_REQUIRED" in r.stderr


def test_redirect_on_the_same_origin_keeps_the_token(cli, mock, admin):
    mock.misbehave("redirect", 1, path="/api/v2/tokens", status=308)
    r = cli("tokens", "list", env=admin)
    assert r.returncode == 0, r.stderr
    assert [q["authorization"] for q in mock.requests(path="/api/v2/tokens")] == [True, True]


def test_redirect_loop_stops_after_three(cli, mock, admin):
    mock.misbehave("redirect", -1, path="/api/v2/tokens", status=302)
    r = cli("tokens", "list", env=admin)
    assert r.returncode == 5 and "redirect" in r.stderr.lower()
    assert len(mock.requests(path="/api/v2/tokens")) == 4


# ------------------------------------------------------------------ scopes, auth


def test_missing_scope_says_which_scope_to_log_in_with(cli, mock, token):
    r = cli("tokens", "list", env=env_for(token(scopes=["chatbots:read"])))
    assert r.returncode == 1
    assert "TOKEN_SCOPE_NOT_ALLOWED" in r.stderr
    assert "sitegpt login --scope tokens:read" in r.stderr
    r = cli("tokens", "revoke", "tok_x", "--yes", env=env_for(token(scopes=["tokens:read"])))
    assert r.returncode == 1 and "sitegpt login --scope tokens:write" in r.stderr


def test_scope_error_json_is_the_api_envelope(cli, mock, token):
    r = cli("tokens", "list", "--json", env=env_for(token(scopes=["chatbots:read"])))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["error"]["code"] == "TOKEN_SCOPE_NOT_ALLOWED"
    assert doc["meta"]["requestId"].startswith("req_")


def test_not_logged_in(cli, mock):
    r = cli("tokens", "list")
    assert r.returncode == 3 and "PROFILE_NOT_CONFIGURED" not in r.stdout
    assert mock.requests() == []


def test_rejected_token(cli, mock):
    r = cli("tokens", "list", env=env_for("sgpt_not_a_real_token_at_all"))
    assert r.returncode == 3 and "TOKEN_NOT_VALID" in r.stderr
