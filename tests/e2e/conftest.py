"""Fixtures every e2e test uses: the SiteGPT mock (tests/mock) and runners for the C CLI.

  mock / mock_plain / rogue_mock / make_mock(...)   started mock servers (tests/mock/README.md)
  cli(*args, env=None, input=None, timeout=30)       run $SITEGPT_BIN -> CompletedProcess (text)
  cli_popen(*args, env=None)                         CliProcess for login waits and the like
  token(scopes=...)                                  seed a token in `mock`, get its plaintext
  no_secrets(*texts) / assert_no_secrets(text)       fail if an issued secret shows up
Failure reports are scrubbed of every issued secret (pytest_runtest_makereport below).
"""
import codecs
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mock"))

import mock_fixtures  # noqa: E402
from mock_fixtures import (  # noqa: E402  (helpers e2e tests import from conftest)
    Secret, assert_no_secrets, find_secret, redact, register_secret)

__all__ = ["CliProcess", "Cli", "Secret", "assert_no_secrets", "find_secret", "redact",
           "register_secret"]


def pytest_configure(config):
    mock_fixtures.register(config)  # mock, mock_plain, rogue_mock, make_mock, token, ...

# Variables that would leak the developer's setup into a test run.
_DROP = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
         "XDG_RUNTIME_DIR", "SSL_CERT_FILE", "SSL_CERT_DIR", "DISPLAY", "WAYLAND_DISPLAY",
         "BROWSER", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
         "all_proxy", "NO_PROXY", "no_proxy")


class CliProcess:
    """A running CLI with its output gathered by threads, so tests can wait for a line."""

    def __init__(self, argv, env, cwd):
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self._out = {"stdout": [], "stderr": []}
        self._cond = threading.Condition()
        self._readers = [threading.Thread(target=self._pump, args=(name,), daemon=True)
                         for name in self._out]
        for r in self._readers:
            r.start()

    def _pump(self, name):
        fd = getattr(self.proc, name).fileno()
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        while True:
            data = os.read(fd, 65536)  # whatever is there: no waiting for a full line
            text = decoder.decode(data, final=not data)
            with self._cond:
                self._out[name].append(text)
                self._cond.notify_all()
            if not data:
                return

    @property
    def stdout(self):
        with self._cond:
            return "".join(self._out["stdout"])

    @property
    def stderr(self):
        with self._cond:
            return "".join(self._out["stderr"])

    @property
    def returncode(self):
        return self.proc.poll()

    def wait_for(self, pattern, stream="stderr", timeout=10.0):
        """re.Match of pattern in stream ("stdout", "stderr" or "any"), waiting up to timeout."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                names = ("stdout", "stderr") if stream == "any" else (stream,)
                for n in names:
                    m = rx.search("".join(self._out[n]))
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and
                                 not any(r.is_alive() for r in self._readers)):
                    break
                self._cond.wait(min(left, 0.1))
        raise AssertionError("no %r on %s within %.1fs (exit %s); stdout=%r stderr=%r" % (
            pattern, stream, timeout, self.proc.poll(), redact(self.stdout)[-800:],
            redact(self.stderr)[-800:]))

    def write(self, text):
        self.proc.stdin.write(text.encode("utf-8"))
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def signal(self, sig=signal.SIGINT):
        self.proc.send_signal(sig)

    def finish(self, timeout=30.0):
        """Wait for exit -> CompletedProcess (the process is killed on timeout)."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        for r in self._readers:
            r.join(5)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, self.stdout,
                                           self.stderr)

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(5)


class Cli:
    """Runs $SITEGPT_BIN with an isolated HOME/XDG_CONFIG_HOME, pointed at a mock."""

    def __init__(self, request, tmp_path):
        self.bin = os.environ.get("SITEGPT_BIN", "")
        if not self.bin or not os.access(self.bin, os.X_OK):
            pytest.skip("SITEGPT_BIN is unset or not an executable (build it and run "
                        "`make test-e2e`, or export SITEGPT_BIN=/path/to/sitegpt)")
        self._request = request
        self.tmp = tmp_path
        self.home = tmp_path / "home"
        self.xdg = tmp_path / "xdg"
        self.home.mkdir(exist_ok=True)
        self.xdg.mkdir(exist_ok=True)
        self._server = None
        self.procs = []

    @property
    def server(self):
        """The mock the CLI talks to by default (the `mock` fixture unless use() changed it)."""
        if self._server is None:
            self._server = self._request.getfixturevalue("mock")
        return self._server

    def use(self, server):
        self._server = server
        return self

    @property
    def config_path(self):
        return self.xdg / "sitegpt" / "config.json"

    def env(self, extra=None, server=None):
        server = server or self.server
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("SITEGPT_") and k not in _DROP}
        env.update(HOME=str(self.home), XDG_CONFIG_HOME=str(self.xdg),
                   SITEGPT_API_BASE=server.base_url)
        if server.ca_file:
            env["SSL_CERT_FILE"] = server.ca_file
        for k, v in (extra or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = str(v)
        return env

    def __call__(self, *args, env=None, input=None, timeout=30, server=None):
        return subprocess.run([self.bin, *map(str, args)], env=self.env(env, server),
                              input=input, capture_output=True, text=True, timeout=timeout,
                              cwd=str(self.tmp))

    def popen(self, *args, env=None, server=None):
        p = CliProcess([self.bin, *map(str, args)], self.env(env, server), str(self.tmp))
        self.procs.append(p)
        return p


@pytest.fixture
def cli(request, tmp_path):
    """cli(*args, env=None, input=None, timeout=30, server=None) -> CompletedProcess.
    env values of None remove a variable; cli.use(mock_plain) retargets; cli.config_path."""
    c = Cli(request, tmp_path)
    yield c
    for p in c.procs:
        p.kill()


@pytest.fixture
def cli_popen(cli):
    """cli_popen(*args, env=None, server=None) -> CliProcess (same environment as cli)."""
    return cli.popen
