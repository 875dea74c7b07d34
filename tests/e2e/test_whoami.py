"""sitegpt whoami: who the credential belongs to, not configured, rejected tokens."""
import json

from mock_fixtures import assert_no_secrets


def test_whoami_shows_user_token_and_where(cli, token):
    secret = token(scopes=["chatbots:read", "tokens:read"])
    assert cli("login", "--profile", "work", "--token", "-", input=secret + "\n").returncode == 0
    r = cli("whoami")
    assert r.returncode == 0, r.stderr
    for text in ("Mock Developer", "dev@example.com", "usr_mock0001", "api-token",
                 "tokens:read chatbots:read", "work", cli.server.base_url):
        assert text in r.stdout
    assert_no_secrets(r.stdout + r.stderr)
    r = cli("--json", "whoami")
    out = json.loads(r.stdout)
    # The API's envelope, unchanged: nothing added, nothing left out.
    assert set(out) == {"ok", "data", "meta"} and out["ok"] is True
    assert set(out["data"]) == {"user", "auth"}
    assert out["data"]["user"] == {"id": "usr_mock0001", "email": "dev@example.com",
                                   "name": "Mock Developer"}
    tok = [t for t in cli.server.tokens() if "chatbots:read" in t["scopes"]][0]
    assert out["data"]["auth"] == {"type": "api-token", "scopes": ["tokens:read", "chatbots:read"],
                                   "tokenId": tok["id"], "expiresAt": tok["expiresAt"],
                                   "createdAt": tok["createdAt"], "chatbotIds": []}
    assert out["meta"]["requestId"].startswith("req_")
    assert r.stderr == ""


def test_env_token_without_any_profile(cli, token):
    r = cli("whoami", env={"SITEGPT_API_TOKEN": token()})
    assert r.returncode == 0, r.stderr
    assert "token from SITEGPT_API_TOKEN" in r.stdout


def test_not_configured(cli, mock):
    r = cli("whoami")
    assert r.returncode == 3
    assert "sitegpt login" in r.stderr
    out = json.loads(cli("--json", "whoami").stdout)
    assert out["ok"] is False and out["error"]["code"] == "PROFILE_NOT_CONFIGURED"
    assert mock.requests() == []


def test_rejected_token_says_how_to_log_in_again(cli, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read"])
    assert cli("login", "--profile", "ci", "--token", "-", input=secret + "\n").returncode == 0
    mock.revoke_token(tok["id"])
    r = cli("whoami", "--profile", "ci")
    assert r.returncode == 3
    assert "rejected" in r.stderr and "sitegpt login --profile ci" in r.stderr
    assert_no_secrets(r.stdout + r.stderr)
    out = json.loads(cli("--json", "whoami", "-p", "ci").stdout)
    assert out["ok"] is False and out["error"]["code"] == "TOKEN_NOT_VALID"


def test_whoami_help_and_usage(cli):
    r = cli("whoami", "--help")
    assert r.returncode == 0 and "Examples:" in r.stdout and "SITEGPT_API_TOKEN" in r.stdout
    r = cli("whoami", "extra")
    assert r.returncode == 2
    r = cli("logout", "--help")
    assert r.returncode == 0 and "not revoked" in r.stdout


def test_corrupt_config_in_json_mode(cli, mock):
    cli.config_path.parent.mkdir(mode=0o700)
    cli.config_path.write_text("{oops")
    r = cli("--json", "whoami")
    assert r.returncode == 6
    out = json.loads(r.stdout)
    assert out["ok"] is False and out["error"]["code"] == "CONFIG_CORRUPT"
    assert str(cli.config_path) in out["error"]["message"]
    assert cli.config_path.read_text() == "{oops"


def test_network_failures_name_the_server(cli, token, make_mock, rogue_mock):
    secret = token()
    gone = make_mock()
    port = gone.port
    gone.stop()
    r = cli("whoami", "--api-base", "https://localhost:%d" % port,
            env={"SITEGPT_API_TOKEN": secret})
    assert r.returncode == 5
    assert "localhost port %d" % port in r.stderr, r.stderr
    r = cli("whoami", server=rogue_mock, env={"SITEGPT_API_TOKEN": secret})
    assert r.returncode == 5
    assert "certificate of localhost" in r.stderr and "CA file" in r.stderr, r.stderr
    assert_no_secrets(r.stdout + r.stderr)


def test_whoami_shows_token_id_expiry_and_chatbots(cli, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read"], chatbot_ids=["cb_0001", "cb_0002"],
                                  expires_in_days=30)
    r = cli("whoami", env={"SITEGPT_API_TOKEN": secret})
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(":", 1) for line in r.stdout.splitlines())
    assert lines["token id"].strip() == tok["id"]
    expires = lines["expires"].strip()
    assert expires.startswith(tok["expiresAt"][:10]), expires
    assert "(29 days left)" in expires or "(30 days left)" in expires, expires
    assert lines["chatbots"].strip() == "cb_0001 cb_0002"
    assert "warning" not in r.stderr
    # unrestricted token: "all chatbots"
    secret2, _ = mock.seed_token(scopes=["chatbots:read"])
    r = cli("whoami", env={"SITEGPT_API_TOKEN": secret2})
    assert "all chatbots" in r.stdout


def test_whoami_warns_when_the_token_expires_soon(cli, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read"], expires_in_days=5)
    r = cli("whoami", env={"SITEGPT_API_TOKEN": secret})
    assert r.returncode == 0, r.stderr
    assert "warning: this token expires in 4 days" in r.stderr or \
        "warning: this token expires in 5 days" in r.stderr, r.stderr
    assert tok["expiresAt"][:10] in r.stderr
    r = cli("--json", "whoami", env={"SITEGPT_API_TOKEN": secret})
    assert json.loads(r.stdout)["data"]["auth"]["tokenId"] == tok["id"]
    assert "expires in" in r.stderr


def test_whoami_json_passes_the_error_envelope_unchanged(cli, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read"])
    mock.revoke_token(tok["id"])
    r = cli("--json", "whoami", env={"SITEGPT_API_TOKEN": secret})
    assert r.returncode == 3
    out = json.loads(r.stdout)
    assert out["ok"] is False and out["error"]["code"] == "TOKEN_NOT_VALID"
    # the server's hint and request id, which a locally built envelope would not have
    assert out["error"]["hint"] == "Log in again with `sitegpt login`."
    assert out["meta"]["requestId"].startswith("req_")
    assert len(r.stdout.splitlines()) == 1
