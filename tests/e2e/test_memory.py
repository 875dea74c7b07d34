"""Memory does not grow with the work: a device login that polls 50 times peaks at the same
RSS as one that polls twice (sleeps made instant by build/fastclock.so, LD_PRELOADed, so the
1 s interval costs no real time). tokens list --all over 10,000 tokens is in test_tokens.py."""
import os
import re
import subprocess
import sys
import time

import pytest

USER_CODE = re.compile(r"\n    ([B-Z]{4}-[B-Z]{4})\n")

# Peak RSS of one CLI run, from a fresh interpreter so runs do not mix.
MEASURE = ("import resource, subprocess, sys\n"
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
           "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


@pytest.fixture
def fastclock():
    path = os.environ.get("SITEGPT_FASTCLOCK", "")
    if not path or not os.path.exists(path):
        pytest.skip("SITEGPT_FASTCLOCK unset (make test-e2e builds build/fastclock.so)")
    return path


def login_rss_kb(cli, mock, fastclock, polls):
    """Peak RSS of `sitegpt login` approved after the given number of polls."""
    env = cli.env({"LD_PRELOAD": fastclock})
    p = subprocess.Popen([sys.executable, "-c", MEASURE, cli.bin, "login", "--no-browser"],
                         env=env, cwd=str(cli.tmp), stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    try:
        code = mock.wait_device(timeout=20)["user_code"]
        deadline = time.monotonic() + 60
        while len(mock.device(code)["polls"]) < polls:
            assert time.monotonic() < deadline, "the CLI stopped polling"
            time.sleep(0.02)
        mock.approve(code)
        out, _ = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    rc, rss = map(int, out.split())
    assert rc == 0
    assert len(mock.device(code)["polls"]) >= polls
    return rss


def test_login_with_50_polls_keeps_memory_flat(cli, mock, fastclock):
    # every poll answered "pending", none "slow_down": the mock's real clock sees them fast
    mock.configure(device_interval=1, poll_tolerance=100000)
    few = login_rss_kb(cli, mock, fastclock, 2)
    mock.reset()
    mock.configure(device_interval=1, poll_tolerance=100000)
    many = login_rss_kb(cli, mock, fastclock, 50)
    print("max RSS KB: login with 2 polls %d, with 50 polls %d" % (few, many))
    assert many <= few + 256, (few, many)
