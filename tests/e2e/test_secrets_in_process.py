"""Issue 9: secrets stay in the process. login --token VALUE still works, but VALUE leaves
argv (/proc/PID/cmdline) at once and a warning recommends --token -; the process cannot dump
core."""
import os
import time

from mock_fixtures import assert_no_secrets


def _proc_text(pid, name):
    with open("/proc/%d/%s" % (pid, name), "rb") as f:
        return f.read()


def test_token_in_argv_is_cleared_while_the_login_runs(cli, cli_popen, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read"])
    # hold GET /me so the process is still running when we look at it
    mock.misbehave("delay", count=1, path="/api/v2/me", ms=3000)
    p = cli_popen("login", "--profile", "argv", "--token", secret)
    p.wait_for(r"warning: a token on the command line", timeout=10)
    deadline = time.monotonic() + 10
    while not mock.requests("/api/v2/me") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert p.returncode is None, "the login ended before it could be observed"
    cmdline = _proc_text(p.proc.pid, "cmdline")
    assert secret.encode() not in cmdline
    assert secret[-8:].encode() not in cmdline
    assert b"--token" in cmdline and b"argv" in cmdline
    limits = _proc_text(p.proc.pid, "limits").decode()
    core = [x for x in limits.splitlines() if x.startswith("Max core file size")][0]
    assert core.split()[4:6] == ["0", "0"], core
    done = p.finish(timeout=30)
    assert done.returncode == 0, done.stderr
    assert "'--token -'" in done.stderr
    assert_no_secrets(done.stdout + done.stderr)
    assert secret in cli.config_path.read_text()      # the login itself worked


def test_token_equals_form_is_cleared_too(cli, cli_popen, mock):
    secret, tok = mock.seed_token(scopes=["chatbots:read"])
    mock.misbehave("delay", count=1, path="/api/v2/me", ms=3000)
    p = cli_popen("--json", "login", "--token=" + secret)
    deadline = time.monotonic() + 10
    while not mock.requests("/api/v2/me") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert p.returncode is None
    assert secret.encode() not in _proc_text(p.proc.pid, "cmdline")
    done = p.finish(timeout=30)
    assert done.returncode == 0, done.stderr
    assert "warning: a token on the command line" in done.stderr


def test_device_login_process_is_not_dumpable(cli, cli_popen, mock):
    mock.configure(device_interval=1)
    p = cli_popen("login", "--no-browser")
    p.wait_for(r"Waiting for approval", timeout=20)
    limits = _proc_text(p.proc.pid, "limits").decode()
    core = [x for x in limits.splitlines() if x.startswith("Max core file size")][0]
    assert core.split()[4:6] == ["0", "0"], core
    # not dumpable: /proc/PID files belong to root, not to the process's user
    st = os.stat("/proc/%d/status" % p.proc.pid)
    if os.geteuid() != 0:
        assert st.st_uid == 0
    p.kill()
