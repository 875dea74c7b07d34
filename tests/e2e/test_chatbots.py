"""sitegpt chatbots against the mock over TLS: list (table, limit/cursor, --all, JSON lines),
get (every field, --json, not found), chatbot-restricted tokens, scope errors, retries."""
import json

import pytest

from mock_fixtures import assert_no_secrets


@pytest.fixture
def reader(token):
    return {"SITEGPT_API_TOKEN": token(scopes=["chatbots:read"])}


@pytest.mark.parametrize("args", [
    ("chatbots", "--help"), ("chatbots", "list", "--help"), ("chatbots", "get", "-h"),
    ("help", "chatbots", "list"),
])
def test_help_at_every_level(cli, args):
    r = cli(*args)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("Usage: sitegpt chatbots") and "Examples:" in r.stdout


def test_missing_or_unknown_subcommand(cli):
    assert cli("chatbots").returncode == 2
    r = cli("chatbots", "delete", "cb_0001")
    assert r.returncode == 2 and "unknown subcommand 'chatbots delete'" in r.stderr


def test_list_table(cli, mock, reader):
    mock.add_chatbot(name="A bot with a long name \u00e9", id="cb_1234567890abcdef1234567890")
    r = cli("chatbots", "list", env=reader)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "CREATED", "NAME"]
    assert len(lines) == 1 + len(mock.chatbots())
    for cb in mock.chatbots():
        row = next(l for l in lines if l.startswith(cb["id"] + " "))  # whole id
        assert row.endswith(cb["name"]) and cb["createdAt"][:10] in row
    assert_no_secrets(r.stdout + r.stderr)


def test_limit_cursor_and_hint(cli, mock, reader):
    for i in range(5):
        mock.add_chatbot()
    r = cli("chatbots", "list", "--limit", "3", env=reader)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 4
    hint = next(l for l in r.stderr.splitlines() if l.startswith("More chatbots:"))
    cursor = hint.split("--cursor ")[1].split()[0]
    assert "--limit 3" in hint
    r2 = cli("chatbots", "list", "--limit", "3", "--cursor", cursor, env=reader)
    assert r2.returncode == 0
    first = {l.split()[0] for l in r.stdout.splitlines()[1:]}
    second = {l.split()[0] for l in r2.stdout.splitlines()[1:]}
    assert first.isdisjoint(second) and len(second) == 3
    q = mock.requests(path="/api/v2/chatbots")[-1]["query"]
    assert ["limit", "3"] in q and ["cursor", cursor] in q


def test_all_pages_and_json_lines(cli, mock, reader):
    for i in range(22):
        mock.add_chatbot()
    r = cli("chatbots", "list", "--all", "--limit", "5", env=reader)
    assert r.returncode == 0, r.stderr
    ids = [l.split()[0] for l in r.stdout.splitlines()[1:]]
    assert ids == [cb["id"] for cb in mock.chatbots()]  # oldest first, every one once
    r = cli("chatbots", "list", "--all", "--limit", "5", "--json", env=reader)
    pages = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(pages) == 5 and all(p["ok"] for p in pages)
    assert [c["id"] for p in pages for c in p["data"]["chatbots"]] == ids


def test_restricted_token_sees_only_its_chatbots(cli, mock, token):
    env = {"SITEGPT_API_TOKEN": token(scopes=["chatbots:read"], chatbot_ids=["cb_0002"])}
    r = cli("chatbots", "list", env=env)
    assert [l.split()[0] for l in r.stdout.splitlines()[1:]] == ["cb_0002"]
    r = cli("chatbots", "get", "cb_0001", env=env)
    assert r.returncode == 1 and "CHATBOT_NOT_FOUND" in r.stderr


def test_get_prints_every_field(cli, mock, reader):
    r = cli("chatbots", "get", "cb_0002", env=reader)
    assert r.returncode == 0, r.stderr
    fields = dict(l.split(":", 1) for l in r.stdout.splitlines())
    cb = mock.chatbots()[1]
    assert set(fields) == set(cb)
    assert {k: v.strip() for k, v in fields.items()} == cb


def test_get_json_is_the_envelope(cli, mock, reader):
    r = cli("chatbots", "get", "cb_0001", "--json", env=reader)
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["data"]["chatbot"] == mock.chatbots()[0]


def test_get_not_found_prints_code_message_request_id(cli, mock, reader):
    r = cli("chatbots", "get", "cb_nope", env=reader)
    assert r.returncode == 1 and r.stdout == ""
    assert "CHATBOT_NOT_FOUND" in r.stderr and "cb_nope" in r.stderr
    assert "request id: req_" in r.stderr
    r = cli("chatbots", "get", "cb_nope", "--json", env=reader)
    doc = json.loads(r.stdout)
    assert doc["ok"] is False and doc["error"]["code"] == "CHATBOT_NOT_FOUND"


def test_get_encodes_the_id(cli, mock, reader):
    r = cli("chatbots", "get", "a b?c", env=reader)
    assert r.returncode == 1
    assert mock.requests()[-1]["target"] == "/api/v2/chatbots/a%20b%3Fc"
    # an id is one path segment: '/' (or '.', '..') would name another route
    r = cli("chatbots", "get", "a/b?c", env=reader)
    assert r.returncode == 2 and "is not an id" in r.stderr
    assert len(mock.requests()) == 1


def test_get_usage(cli, mock, reader):
    assert cli("chatbots", "get", env=reader).returncode == 2
    assert cli("chatbots", "get", "a", "b", env=reader).returncode == 2
    assert cli("chatbots", "list", "--limit", "0", env=reader).returncode == 2
    assert cli("chatbots", "list", "--limit", env=reader).returncode == 2
    assert mock.requests() == []


def test_missing_scope_says_which_scope_to_log_in_with(cli, mock, token):
    env = {"SITEGPT_API_TOKEN": token(scopes=["tokens:read"])}
    r = cli("chatbots", "list", env=env)
    assert r.returncode == 1
    assert "sitegpt login --scope chatbots:read" in r.stderr


def test_5xx_and_429_are_retried(cli, mock, reader):
    mock.misbehave("status", 1, path="/api/v2/chatbots/cb_0001", status=500)
    mock.misbehave("status", 1, path="/api/v2/chatbots/cb_0001", status=429, retry_after=0)
    r = cli("chatbots", "get", "cb_0001", "--json", env=reader)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True
    assert [q["status"] for q in mock.requests(path="/api/v2/chatbots/cb_0001")] == \
        [500, 429, 200]
