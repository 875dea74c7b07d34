"""Memory does not grow with the work.

Peak RSS: a device login that polls 50 times peaks at the same RSS as one that polls twice
(sleeps made instant by build/fastclock.so, LD_PRELOADed, so the 1 s interval costs no real
time); tokens list --all over 10,000 tokens is in test_tokens.py.

Heap (valgrind massif, --pages-as-heap=no): the peak of heap bytes plus allocator overhead
over every snapshot, at 10 and at 10,000 tokens listed with --all (one page of 10, then 100
pages of 100, the mock's largest page: every item is streamed, not extrapolated from a
slope), and for a login approved after 2 and after 50 polls. The core allocates nothing;
what the heap holds is mbedTLS's per-connection state and the C library's, so the two
peaks must agree within HEAP_ALLOWANCE bytes. Skipped when valgrind is not installed.
"""
import os
import re
import shutil
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


# ------------------------------------------------------------------ heap peak (massif)

HEAP_ALLOWANCE = 4096  # bytes the larger run's heap peak may exceed the smaller one's


@pytest.fixture
def massif():
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (make deps installs it): no massif heap figures")


def heap_peak(out_file):
    """Largest mem_heap_B + mem_heap_extra_B over the snapshots of a massif output file."""
    peak, heap, snapshots = 0, None, 0
    with open(out_file) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key == "mem_heap_B":
                heap = int(value)
            elif key == "mem_heap_extra_B":
                assert heap is not None, "massif output out of order"
                peak = max(peak, heap + int(value))
                heap, snapshots = None, snapshots + 1
    assert snapshots > 0, "massif wrote no snapshot"
    # a TLS connection's mbedTLS state alone is tens of KB: less means massif saw no heap
    assert peak > 16384, peak
    return peak


def massif_run(cli, name, *args, env=None, timeout=300):
    """Run the CLI under massif; its exit code, stdout and heap peak in bytes."""
    out_file = cli.tmp / ("massif.%s.out" % name)
    cmd = ["valgrind", "--tool=massif", "--pages-as-heap=no", "--stacks=no",
           "--massif-out-file=%s" % out_file, cli.bin, *args]
    r = subprocess.run(cmd, env=cli.env(env), cwd=str(cli.tmp), capture_output=True,
                       text=True, timeout=timeout)
    return r.returncode, r.stdout, heap_peak(out_file)


def test_heap_peak_flat_over_10000_tokens(cli, mock, token, massif):
    env = {"SITEGPT_API_TOKEN": token()}  # the 10th and the 10,000th token: itself
    mock.seed_tokens(9)
    rc, out, few = massif_run(cli, "tokens10", "tokens", "list", "--all", "--limit", "100",
                              env=env)
    assert rc == 0 and out.count("\n") == 1 + 3 * 10
    mock.seed_tokens(9990)
    rc, out, many = massif_run(cli, "tokens10000", "tokens", "list", "--all", "--limit", "100",
                               env=env)
    assert rc == 0 and out.count("\n") == 1 + 3 * 10000
    print("heap peak (massif): tokens list --all, 10 tokens %d B, 10,000 tokens %d B"
          % (few, many))
    assert many <= few + HEAP_ALLOWANCE, (few, many)


def login_heap_peak(cli, mock, fastclock, polls):
    """Heap peak of `sitegpt login` that the mock approves after exactly `polls` polls."""
    mock.configure(device_interval=1, poll_tolerance=100000, auto_approve_polls=polls)
    rc, _, peak = massif_run(cli, "login%d" % polls, "login", "--no-browser",
                             env={"LD_PRELOAD": fastclock})
    assert rc == 0
    dev = mock.devices()[-1]
    assert dev["results"].count("authorization_pending") == polls, dev["results"]
    return peak


def test_heap_peak_flat_over_50_polls(cli, mock, fastclock, massif):
    few = login_heap_peak(cli, mock, fastclock, 2)
    mock.reset()
    many = login_heap_peak(cli, mock, fastclock, 50)
    print("heap peak (massif): login, 2 polls %d B, 50 polls %d B" % (few, many))
    assert many <= few + HEAP_ALLOWANCE, (few, many)
