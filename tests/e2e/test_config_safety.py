"""Issue 9, config half: the config file under concurrency and hostility. Every edit holds
a lock from read to rename and edits the file as it is then; a document with a member named
twice is corrupt (exit 6) and never half-edited; a folder or file another user could change
is refused with the fix (as ssh does)."""
import fcntl
import json
import os

import pytest

from mock_fixtures import assert_no_secrets

EXIT_AUTH, EXIT_STORAGE = 3, 6


def write_config(cli, text, folder_mode=0o700, file_mode=0o600):
    folder = cli.config_path.parent
    folder.mkdir(mode=0o700, exist_ok=True)
    cli.config_path.write_text(text)
    os.chmod(cli.config_path, file_mode)
    os.chmod(folder, folder_mode)


def profiles(cli):
    return json.loads(cli.config_path.read_text())["profiles"]


DUPLICATES = [
    # a profile named twice
    '{"version":1,"defaultProfile":"a","profiles":{"a":{"token":"sgpt_%s"},'
    '"b":{},"a":{"token":"sgpt_other"}}}',
    # a field twice in one profile
    '{"version":1,"defaultProfile":"a","profiles":{"a":{"token":"sgpt_%s",'
    '"apiBase":"https://x.example","token":"sgpt_other"}}}',
    # the same name spelled with an escape
    '{"version":1,"defaultProfile":"a","profiles":{"a":{"token":"sgpt_%s"},'
    '"\\u0061":{}}}',
    # twice at the top level
    '{"version":1,"profiles":{"a":{"token":"sgpt_%s"}},"profiles":{}}',
]


@pytest.mark.parametrize("doc", DUPLICATES)
def test_duplicate_members_are_corrupt_and_never_edited(cli, mock, token, doc):
    text = doc % "x" * 1
    write_config(cli, text)
    for args in (("profiles", "list"), ("whoami",), ("logout", "-p", "a"),
                 ("profiles", "use", "b"), ("profiles", "delete", "a")):
        r = cli(*args)
        assert r.returncode == EXIT_STORAGE, (args, r.returncode, r.stderr)
        assert "corrupt" in r.stderr and "same member twice" in r.stderr, r.stderr
        assert str(cli.config_path) in r.stderr
    r = cli("login", "--profile", "c", "--token", "-", input=token() + "\n")
    assert r.returncode == EXIT_STORAGE
    r = cli("--json", "profiles", "list")
    assert r.returncode == EXIT_STORAGE
    assert json.loads(r.stdout)["error"]["code"] == "CONFIG_CORRUPT"
    assert cli.config_path.read_text() == text


@pytest.mark.parametrize("folder_mode,file_mode,fix", [
    (0o770, 0o600, "chmod 700"),
    (0o707, 0o600, "chmod 700"),
    (0o755, 0o600, None),          # readable folder: fine (ssh accepts it too)
    (0o700, 0o620, "chmod 600"),
    (0o700, 0o606, "chmod 600"),
])
def test_writable_by_others_is_refused_with_the_fix(cli, mock, token, folder_mode, file_mode,
                                                    fix):
    text = '{"version":1,"defaultProfile":"a","profiles":{"a":{"token":"sgpt_zzzz"}}}'
    write_config(cli, text, folder_mode, file_mode)
    r = cli("profiles", "list")
    if fix is None:
        assert r.returncode == 0, r.stderr
        return
    assert r.returncode == EXIT_STORAGE, r.stderr
    assert "writable by" in r.stderr and fix in r.stderr, r.stderr
    r = cli("login", "--profile", "b", "--token", "-", input=token() + "\n")
    assert r.returncode == EXIT_STORAGE
    r = cli("logout", "-p", "a")
    assert r.returncode == EXIT_STORAGE
    assert cli.config_path.read_text() == text
    out = json.loads(cli("--json", "profiles", "list").stdout)
    assert out["ok"] is False and out["error"]["code"] == "CONFIG_UNSAFE"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
@pytest.mark.parametrize("what", ["folder", "file"])
def test_owned_by_another_user_is_refused(cli, mock, token, what):
    text = '{"version":1,"defaultProfile":"a","profiles":{"a":{"token":"sgpt_zzzz"}}}'
    write_config(cli, text)
    target = cli.config_path.parent if what == "folder" else cli.config_path
    os.chown(target, 65534, 65534)
    r = cli("profiles", "list")
    assert r.returncode == EXIT_STORAGE, r.stderr
    assert "belongs to user id 65534" in r.stderr and "chown 0" in r.stderr, r.stderr
    r = cli("login", "--profile", "b", "--token", "-", input=token() + "\n")
    assert r.returncode == EXIT_STORAGE
    assert cli.config_path.read_text() == text
    assert os.stat(target).st_uid == 65534


def test_new_config_is_private(cli, token):
    assert cli("login", "--token", "-", input=token() + "\n").returncode == 0
    assert os.stat(cli.config_path.parent).st_mode & 0o777 == 0o700
    assert os.stat(cli.config_path).st_mode & 0o777 == 0o600


def test_login_and_a_concurrent_logout_both_stay(cli, cli_popen, mock, token):
    """A device login reads the config, waits minutes for approval, then saves; a logout of
    another profile in between must survive the login's save (two real processes)."""
    other = token()
    assert cli("login", "--profile", "other", "--token", "-", input=other + "\n").returncode == 0
    mock.configure(device_interval=1)
    p = cli_popen("login", "--profile", "work", "--no-browser")
    p.wait_for(r"Waiting for approval", timeout=20)
    r = cli("logout", "--profile", "other")
    assert r.returncode == 0, r.stderr
    assert "token" not in profiles(cli)["other"]
    mock.approve(mock.wait_device()["user_code"])
    done = p.finish(timeout=30)
    assert done.returncode == 0, done.stderr
    saved = profiles(cli)
    assert saved["work"]["token"].startswith("sgpt_")
    assert "token" not in saved["other"], "the logout was lost"
    assert_no_secrets(done.stdout + done.stderr)


def test_an_edit_waits_for_the_lock(cli, cli_popen, token):
    assert cli("login", "--profile", "a", "--token", "-", input=token() + "\n").returncode == 0
    lock_path = cli.config_path.parent / "config.json.lock"
    with open(lock_path, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        p = cli_popen("logout", "--profile", "a")
        p.wait_for(r"waiting for another sitegpt", timeout=10)
        assert p.returncode is None
        assert "token" in profiles(cli)["a"]       # nothing written while locked
        fcntl.flock(held, fcntl.LOCK_UN)
    done = p.finish(timeout=10)
    assert done.returncode == 0, done.stderr
    assert "token" not in profiles(cli)["a"]
    assert os.stat(lock_path).st_mode & 0o777 == 0o600
