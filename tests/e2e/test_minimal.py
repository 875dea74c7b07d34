"""End-to-end test of the C quickstart (examples/minimal, build/sitegpt-minimal): device login
against the mock (which approves the code by itself), then GET /api/v2/me; and its errors.

The binary comes from $SITEGPT_MINIMAL_BIN, else build/sitegpt-minimal in the repository.
"""
import os
import subprocess

import pytest

from mock_fixtures import assert_no_secrets

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def minimal_bin():
    path = os.environ.get("SITEGPT_MINIMAL_BIN") or os.path.join(REPO, "build", "sitegpt-minimal")
    if not os.access(path, os.X_OK):
        pytest.skip("sitegpt-minimal not built at %s (run `make minimal`)" % path)
    return path


def run(*args, timeout=30):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    return subprocess.run([minimal_bin(), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_login_then_me(make_mock):
    m = make_mock(auto_approve=True, auto_approve_delay=0.2, device_interval=1)
    r = run(m.base_url, m.ca_file)
    assert r.returncode == 0, r.stderr
    d = m.wait_device(timeout=5)
    assert r.stdout.splitlines() == [
        "Open %s/device and enter the code %s" % (m.base_url, d["user_code"]),
        "Logged in as Mock Developer <dev@example.com>",
    ]
    me = [q for q in m.requests(path="/api/v2/me") if q["status"] == 200]
    assert len(me) == 1 and me[0]["authorization"]
    assert_no_secrets(r.stdout + r.stderr)


def test_denied_login_is_reported(make_mock):
    m = make_mock(device_interval=1)
    p = subprocess.Popen([minimal_bin(), m.base_url, m.ca_file], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    try:
        m.deny(m.wait_device(timeout=10)["user_code"])
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 1
    assert "minimal: login failed: " in err
    assert not m.requests(path="/api/v2/me")
    assert_no_secrets(out + err)


def test_untrusted_certificate_refused(make_mock):
    m = make_mock(cert="rogue", auto_approve=True)
    r = run(m.base_url, m.ca_file)
    assert r.returncode == 1
    assert "minimal: login failed: the server certificate was rejected" in r.stderr
    assert not m.requests()


@pytest.mark.parametrize("args, says", [
    (("ftp://example.com",), "the URL is not valid"),
    (("https://localhost:1/prefix",), "the URL is not valid"),
    (("https://localhost:1", "/nonexistent/ca.pem"), "setup failed"),
])
def test_bad_setup_named(args, says):
    r = run(*args)
    assert r.returncode == 1
    assert says in r.stderr
