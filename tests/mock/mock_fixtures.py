"""pytest fixtures for tests that talk to the SiteGPT mock, and secret-leak guards.

A conftest.py makes them available with
    def pytest_configure(config):
        mock_fixtures.register(config)
"""
import re
import sys

import pytest

from certs import make_certs
from mock_api import SECRET_RE
from sitegpt_mock import MockServer

_registry = []          # mocks started for the running test (their secrets are redacted)
_known_secrets = set()  # every secret seen this session


class Secret(str):
    """A token string whose repr never shows the value (pytest prints reprs on failure)."""

    def __repr__(self):
        return "'sgpt_<redacted>'"


def register_secret(*values):
    """Tell the leak guards about secrets from a mock in another process."""
    _known_secrets.update(v for v in values if v)


def _refresh():
    for m in _registry:
        _known_secrets.update(m.secrets())


_WORD_RE = re.compile(r"[A-Za-z0-9_\-]{8,}")


def redact(text):
    """text with every known secret, any 8+ character piece of one (pytest shortens long
    strings to 'sgpt_...tail') and anything shaped like sgpt_... replaced."""
    if not text:
        return text
    _refresh()
    for s in sorted(_known_secrets, key=len, reverse=True):
        text = text.replace(s, "<redacted>")
    if _known_secrets:
        joined = "\n".join(_known_secrets)
        text = _WORD_RE.sub(lambda m: "<redacted>" if m.group(0) in joined else m.group(0), text)
    return SECRET_RE.sub("sgpt_<redacted>", text)


def find_secret(text):
    """None, or a description (never the value) of the first secret found in text."""
    if not text:
        return None
    _refresh()
    for s in _known_secrets:
        for needle in (s, s[5:] if len(s) > 20 else None):
            if needle and needle in text:
                kind = "device code" if s.startswith("sgpt_device_") else "token"
                return "an issued %s at offset %d" % (kind, text.index(needle))
    m = SECRET_RE.search(text)
    if m and len(m.group(0)) > 12:
        return "something shaped like a token at offset %d" % m.start()
    return None


def assert_no_secrets(text, where="output"):
    """Fail, without echoing text, when text holds any issued token or device code."""
    found = find_secret(text)
    if found:
        raise AssertionError("%s contains %s" % (where, found))


def redact_report(report):
    """For a pytest_runtest_makereport hookwrapper: scrub secrets from failure text."""
    if report.longrepr is not None:
        text = str(report.longrepr)
        clean = redact(text)
        if clean != text:
            report.longrepr = clean
    report.sections = [(title, redact(body)) for title, body in report.sections]
    if report.when == "teardown":
        _registry.clear()


def register(config):
    """Register this module as a pytest plugin (fixtures and the report hook), once."""
    if not config.pluginmanager.has_plugin("sitegpt_mock_fixtures"):
        config.pluginmanager.register(sys.modules[__name__], "sitegpt_mock_fixtures")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    redact_report(outcome.get_result())


@pytest.fixture(scope="session")
def mock_certs(tmp_path_factory):
    """Test CA, localhost, rogue and wrong-host certificates (ECDSA P-256), once a session."""
    return make_certs(str(tmp_path_factory.mktemp("mock-certs-ec")), "ec")


@pytest.fixture(scope="session")
def _rsa_certs(tmp_path_factory):
    return make_certs(str(tmp_path_factory.mktemp("mock-certs-rsa")), "rsa")


@pytest.fixture
def make_mock(request, mock_certs):
    """make_mock(tls=True, cert="server"|"rogue"|"wronghost", key="ec"|"rsa", **config):
    a started MockServer, stopped after the test."""
    started = []

    def make(tls=True, cert="server", key="ec", **config):
        certs = request.getfixturevalue("_rsa_certs") if key == "rsa" else mock_certs
        m = MockServer(tls=tls, certs=certs if tls else None, cert=cert, **config).start()
        started.append(m)
        _registry.append(m)
        return m

    yield make
    for m in started:
        m.stop()
        _known_secrets.update(m.secrets())


@pytest.fixture
def mock(make_mock):
    """HTTPS mock at https://localhost:PORT; trust mock.ca_file."""
    return make_mock()


@pytest.fixture
def mock_plain(make_mock):
    """Plain-HTTP mock at http://localhost:PORT."""
    return make_mock(tls=False)


@pytest.fixture
def rogue_mock(make_mock):
    """HTTPS mock whose certificate (for localhost) the test CA did not sign."""
    return make_mock(cert="rogue")


@pytest.fixture
def token(request):
    """token(scopes=None, chatbot_ids=(), server=None, **kw) -> Secret plaintext seeded in
    server (default: the `mock` fixture). scopes None: all 37."""

    def make(scopes=None, chatbot_ids=(), server=None, **kw):
        server = server or request.getfixturevalue("mock")
        return Secret(server.seed_token(scopes, chatbot_ids, **kw)[0])

    return make


@pytest.fixture
def no_secrets():
    """no_secrets(*texts): assert none of the texts holds an issued secret."""

    def check(*texts):
        for i, t in enumerate(texts):
            assert_no_secrets(t, "text #%d" % (i + 1))

    return check
