"""Profiles: several of them, precedence, masked tokens, file modes, atomic writes, a corrupt
config, unknown members kept."""
import json
import os
import resource
import signal
import stat
import subprocess

import pytest

from mock_fixtures import assert_no_secrets


def login_token(cli, profile, secret, **kw):
    r = cli("login", "--profile", profile, "--token", "-", input=secret + "\n", **kw)
    assert r.returncode == 0, r.stderr
    return r


def config(cli):
    return json.loads(cli.config_path.read_text())


@pytest.fixture
def two(cli, token):
    """Profiles a (default, chatbots:read) and b (tokens:read)."""
    a, b = token(scopes=["chatbots:read"]), token(scopes=["tokens:read"])
    login_token(cli, "a", a)
    login_token(cli, "b", b)
    return a, b


def test_list_shows_every_profile_masked(cli, two):
    a, b = two
    r = cli("profiles", "list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].startswith("* a ") and lines[2].startswith("  b ")
    assert "sgpt_****" + a[-4:] in lines[1] and "sgpt_****" + b[-4:] in lines[2]
    assert cli.server.base_url in lines[1]
    assert_no_secrets(r.stdout + r.stderr)
    out = json.loads(cli("--json", "profiles", "list").stdout)
    assert out["ok"] is True and out["data"]["defaultProfile"] == "a"
    assert [p["name"] for p in out["data"]["profiles"]] == ["a", "b"]
    assert out["data"]["profiles"][0]["default"] is True
    assert out["data"]["profiles"][1]["token"] == "sgpt_****" + b[-4:]
    assert out["data"]["configPath"] == str(cli.config_path)


def test_use_show_delete_and_aliases(cli, two):
    assert cli("profiles", "use", "b").returncode == 0
    assert config(cli)["defaultProfile"] == "b"
    assert cli("profiles", "set-default", "a").returncode == 0
    assert config(cli)["defaultProfile"] == "a"
    r = cli("profiles", "show")
    assert "profile:    a" in r.stdout and "default:    yes" in r.stdout
    r = cli("--json", "profiles", "show", "b")
    assert json.loads(r.stdout)["data"]["profile"]["default"] is False
    r = cli("profiles", "delete", "a")
    assert r.returncode == 0 and "NOT revoked" in r.stdout and "no default profile" in r.stdout
    assert list(config(cli)["profiles"]) == ["b"]
    r = cli("--json", "profiles", "remove", "b")
    data = json.loads(r.stdout)["data"]
    assert data == {"profile": "b", "deleted": True, "tokenRevoked": False, "wasDefault": False}
    assert config(cli)["profiles"] == {}
    r = cli("profiles", "list")
    assert "No saved profiles" in r.stdout


def test_missing_profiles_and_bad_usage(cli, two):
    for args in (["use", "zz"], ["delete", "zz"], ["show", "zz"]):
        r = cli("profiles", *args)
        assert r.returncode == 3 and "'zz' is not configured" in r.stderr
    for args, msg in ((["use"], "needs a profile name"), (["frob"], "unknown subcommand"),
                      (["list", "x"], "takes no argument"), (["--what"], "unknown option")):
        r = cli("profiles", *args)
        assert r.returncode == 2 and msg in r.stderr
    r = cli("profiles")
    assert r.returncode == 2 and r.stdout == "" and "missing the subcommand" in r.stderr
    r = cli("--json", "profiles")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "USAGE_ERROR"
    for sub in ([], ["list"], ["show"], ["use"], ["delete"]):
        r = cli("profiles", *sub, "--help")
        assert r.returncode == 0 and "Example" in r.stdout


def test_precedence_flag_env_default(cli, two, mock):
    a, b = two

    def scopes(*args, env=None):
        r = cli("--json", "whoami", *args, env=env)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["data"]["auth"]["scopes"], json.loads(r.stdout)["data"]

    assert scopes()[0] == ["chatbots:read"]                                   # default a
    assert scopes("--profile", "b")[0] == ["tokens:read"]                       # flag
    assert scopes(env={"SITEGPT_PROFILE": "b"})[0] == ["tokens:read"]           # env
    assert scopes("-p", "a", env={"SITEGPT_PROFILE": "b"})[0] == ["chatbots:read"]  # flag > env
    full = mock.token(scopes=["account:read"])
    s, data = scopes("--profile", "b", env={"SITEGPT_API_TOKEN": full})         # env token wins
    assert s == ["account:read"]
    r = cli("whoami", "--profile", "b", env={"SITEGPT_API_TOKEN": full})
    assert "b (token from SITEGPT_API_TOKEN)" in r.stdout


def test_logout_forgets_only_the_token(cli, two):
    r = cli("logout", "--profile", "b")
    assert r.returncode == 0 and "not revoked" in r.stdout
    prof = config(cli)["profiles"]["b"]
    assert "token" not in prof and prof["apiBase"] == cli.server.base_url
    assert "already logged out" in cli("logout", "--profile", "b").stdout
    r = cli("whoami", "--profile", "b")
    assert r.returncode == 3
    assert "(logged out)" in cli("profiles", "list").stdout
    assert cli("logout", "--profile", "nope").returncode == 3
    assert cli("--json", "logout").returncode == 0  # the default, a
    assert "token" not in config(cli)["profiles"]["a"]


def test_file_and_folder_modes_and_warning(cli, two):
    assert stat.S_IMODE(os.stat(cli.config_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cli.config_path.parent).st_mode) == 0o700
    os.chmod(cli.config_path, 0o644)
    r = cli("profiles", "list")
    assert r.returncode == 0
    assert "readable by other users" in r.stderr and str(cli.config_path) in r.stderr
    cli("profiles", "use", "b")
    assert stat.S_IMODE(os.stat(cli.config_path).st_mode) == 0o600  # rewritten 0600


def _limit_file_size(n):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (n, n))
    return pre


def test_failed_write_leaves_old_file_byte_identical(cli, two, token):
    before = cli.config_path.read_bytes()
    # a full disk: the new, larger file cannot be written past the old size
    r = subprocess.run([cli.bin, "login", "--profile", "c", "--token", "-"],
                       input=token() + "\n", env=cli.env(), capture_output=True, text=True,
                       preexec_fn=_limit_file_size(len(before)), timeout=30)
    assert r.returncode == 6, r.stderr
    assert str(cli.config_path) in r.stderr and "unchanged" in r.stderr
    assert cli.config_path.read_bytes() == before
    # no temporary file left (the lock file stays: flock needs no cleaning up)
    assert sorted(os.listdir(cli.config_path.parent)) == ["config.json", "config.json.lock"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_leaves_old_file(cli, two):
    before = cli.config_path.read_bytes()
    os.chmod(cli.config_path.parent, 0o500)
    try:
        r = cli("profiles", "use", "b")
    finally:
        os.chmod(cli.config_path.parent, 0o700)
    assert r.returncode == 6
    assert cli.config_path.read_bytes() == before


def test_config_folder_that_is_a_file(cli, token):
    (cli.xdg / "sitegpt").write_text("not a folder")
    r = cli("login", "--token", "-", input=token() + "\n")
    assert r.returncode == 6 and "sitegpt" in r.stderr


@pytest.mark.parametrize("text", ["{not json", "", "[]", '{"profiles":{"a":"tok"}}',
                                  '{"version":2,"profiles":{}}'])
def test_corrupt_config_reported_and_kept(cli, token, text):
    cli.config_path.parent.mkdir(mode=0o700)
    cli.config_path.write_text(text)
    os.chmod(cli.config_path, 0o600)
    for args, inp in ((["profiles", "list"], None), (["whoami"], None), (["logout"], None),
                      (["login", "--token", "-"], token() + "\n"), (["profiles", "use", "a"], None)):
        r = cli(*args, input=inp)
        assert r.returncode == 6, (args, r.stderr)
        assert str(cli.config_path) in r.stderr and "corrupt" in r.stderr
        assert cli.config_path.read_text() == text
    r = cli("--json", "profiles", "list")
    assert json.loads(r.stdout)["error"]["code"] == "CONFIG_CORRUPT"


def test_unknown_members_are_kept(cli, token):
    doc = {"version": 1, "x-top": {"nested": [1, {"deep": None}]},
           "defaultProfile": "default",
           "profiles": {"x-unknown-profile": {"weird": True},
                        "default": {"apiBase": cli.server.base_url, "token": "sgpt_old_0000",
                                    "color": "blue", "x": [1.5e3, "\u00e9"]}},
           "telemetry": False}
    cli.config_path.parent.mkdir(mode=0o700)
    cli.config_path.write_text(json.dumps(doc))
    os.chmod(cli.config_path, 0o600)
    secret = token()
    login_token(cli, "default", secret)
    new = config(cli)
    doc["profiles"]["default"]["token"] = secret
    assert new == doc
    assert list(new) == list(doc)  # order kept too
    cli("profiles", "use", "x-unknown-profile")
    doc["defaultProfile"] = "x-unknown-profile"
    assert config(cli) == doc
