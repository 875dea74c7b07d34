"""HTTPS through a real HTTP proxy (Debian's tinyproxy on loopback): login and
`tokens list --all` through it, a proxy refusing the tunnel (407, 403), NO_PROXY, and what
the proxy sees in clear (a recorder sits between the CLI and tinyproxy): the CONNECT line
and nothing else readable, never the bearer token."""
import os
import re
import shutil
import socket
import subprocess
import threading
import time

import pytest

from mock_fixtures import assert_no_secrets

EXIT_USAGE, EXIT_NETWORK = 2, 5
USER_CODE = r"\n    ([B-Z]{4}-[B-Z]{4})\n"

pytestmark = pytest.mark.skipif(shutil.which("tinyproxy") is None,
                                reason="tinyproxy is not installed (make deps)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tinyproxy:
    def __init__(self, tmp_path, name, extra=""):
        self.port = free_port()
        self.dir = tmp_path / name
        self.dir.mkdir()
        self.log = self.dir / "tinyproxy.log"
        conf = self.dir / "tinyproxy.conf"
        conf.write_text(
            f"Port {self.port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 20\n"
            f"LogFile \"{self.log}\"\nLogLevel Info\nPidFile \"{self.dir / 'pid'}\"\n"
            f"Allow 127.0.0.1\n{extra}")
        self.proc = subprocess.Popen(["tinyproxy", "-d", "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("tinyproxy did not start")
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}"

    def connects(self):
        return re.findall(r"Request \(file descriptor \d+\): CONNECT (\S+) HTTP/",
                          self.log.read_text(errors="replace"))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Recorder:
    """A TCP relay in front of a proxy that keeps every byte the client sent."""

    def __init__(self, target_port):
        self.target = target_port
        self.sent = bytearray()
        self.lock = threading.Lock()
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _pump(self, a, b, record):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                if record:
                    with self.lock:
                        self.sent += data
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            up = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pump, args=(c, up, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(up, c, False), daemon=True).start()

    def close(self):
        self.srv.close()


@pytest.fixture
def proxy(tmp_path):
    p = Tinyproxy(tmp_path, "open")
    yield p
    p.stop()


def test_login_and_tokens_list_through_the_proxy(cli, mock, proxy, token):
    mock.configure(device_interval=1)
    rec = Recorder(proxy.port)
    env = {"HTTPS_PROXY": f"http://127.0.0.1:{rec.port}"}
    p = cli.popen("login", "--no-browser", env=env)
    code = p.wait_for(USER_CODE).group(1)
    mock.approve(code)
    r = p.finish()
    assert r.returncode == 0, r.stderr
    assert "dev@example.com" in r.stdout
    # every request of the login went through the tunnel
    connects = proxy.connects()
    assert connects and set(connects) == {f"localhost:{mock.port}"}, proxy.log.read_text()

    admin = token()
    for i in range(3):
        mock_token = token()
        assert mock_token
    r = cli("tokens", "list", "--all", "--limit", "2", env={**env, "SITEGPT_API_TOKEN": admin})
    assert r.returncode == 0, r.stderr
    assert len(re.findall(r"\btok_", r.stdout)) >= 4
    rec.close()

    # what the proxy saw in clear: CONNECT requests, then TLS records only
    seen = bytes(rec.sent)
    assert seen.startswith(b"CONNECT localhost:")
    assert b"Authorization" not in seen and b"/api/v2/" not in seen
    saved = cli.config_path.read_text()
    login_token = re.search(r'"token":\s*"([^"]+)"', saved).group(1)
    for secret in (login_token, admin):
        assert secret.encode() not in seen
    assert_no_secrets(r.stdout + r.stderr)


def test_proxy_with_credentials(cli, mock, tmp_path, token):
    p = Tinyproxy(tmp_path, "auth", "BasicAuth alice s3cret\n")
    try:
        env = {"SITEGPT_API_TOKEN": token()}
        # no credentials: 407; wrong ones: tinyproxy says 401. Named, exit 5, no password shown
        for url, why in ((p.url, "HTTP 407 (proxy authentication required"),
                         (f"http://alice:wrong@127.0.0.1:{p.port}",
                          "HTTP 401 (the proxy rejected the credentials)")):
            r = cli("--proxy", url, "whoami", env=env)
            assert r.returncode == EXIT_NETWORK, r.stderr
            assert f"the proxy 127.0.0.1 port {p.port} (--proxy) refused the tunnel" in r.stderr
            assert why in r.stderr
            assert "wrong" not in r.stderr
        r = cli("--json", "--proxy", p.url, "whoami", env=env)
        assert '"code":"PROXY_REFUSED"' in r.stdout
        # right credentials (percent-encoded where needed)
        r = cli("--proxy", f"http://alice:s3%63ret@127.0.0.1:{p.port}", "whoami", env=env)
        assert r.returncode == 0, r.stderr
        assert "s3cret" not in r.stdout + r.stderr
    finally:
        p.stop()


def test_proxy_forbidding_the_tunnel(cli, mock, tmp_path, token):
    # tinyproxy answers 403 to CONNECT to any port but this one
    p = Tinyproxy(tmp_path, "forbid", "ConnectPort 1\n")
    try:
        r = cli("whoami", env={"SITEGPT_API_TOKEN": token(), "https_proxy": p.url})
        assert r.returncode == EXIT_NETWORK, r.stderr
        assert f"the proxy 127.0.0.1 port {p.port} (https_proxy) refused the tunnel" in r.stderr
        assert "HTTP 403 (forbidden by the proxy)" in r.stderr
    finally:
        p.stop()


def test_no_proxy_bypass_and_bad_proxy_urls(cli, mock, token, proxy):
    env = {"SITEGPT_API_TOKEN": token()}
    dead = f"http://127.0.0.1:{free_port()}"
    r = cli("whoami", env={**env, "HTTPS_PROXY": dead})
    assert r.returncode == EXIT_NETWORK
    assert "cannot connect to the proxy 127.0.0.1" in r.stderr and "(HTTPS_PROXY)" in r.stderr
    for no_proxy in ("localhost", ".localhost", "*", f"example.com, localhost:{mock.port}"):
        r = cli("whoami", env={**env, "HTTPS_PROXY": dead, "NO_PROXY": no_proxy})
        assert r.returncode == 0, (no_proxy, r.stderr)
    r = cli("whoami", env={**env, "HTTPS_PROXY": dead, "no_proxy": "localhost:1"})
    assert r.returncode == EXIT_NETWORK
    # --proxy '' turns an environment proxy off; --proxy beats the environment
    assert cli("--proxy", "", "whoami", env={**env, "HTTPS_PROXY": dead}).returncode == 0
    r = cli("--proxy", proxy.url, "whoami", env={**env, "HTTPS_PROXY": dead})
    assert r.returncode == 0 and proxy.connects()
    # a bad URL is a usage error naming the setting, never echoing it (it may hold a password)
    r = cli("whoami", env={**env, "HTTPS_PROXY": "socks5://u:hunter2@127.0.0.1:1080"})
    assert r.returncode == EXIT_USAGE
    assert "proxy URL in HTTPS_PROXY is not valid" in r.stderr and "hunter2" not in r.stderr


def test_gateway_through_the_proxy(mock, proxy, token, tmp_path):
    """The gateway reads HTTPS_PROXY and NO_PROXY like the CLI."""
    gw = os.environ.get("SITEGPT_GATEWAY_BIN")
    if not gw:
        pytest.skip("SITEGPT_GATEWAY_BIN is unset (run through `make test-e2e`)")
    secret = token()
    cfg = tmp_path / "xdg" / "sitegpt"
    cfg.mkdir(parents=True)
    fd = os.open(str(cfg / "config.json"), os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write('{"version":1,"defaultProfile":"gateway","profiles":{"gateway":'
                f'{{"apiBase":"{mock.base_url}","token":"{secret}"}}}}}}')
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
           "SSL_CERT_FILE": mock.ca_file, "HTTPS_PROXY": f"http://gw:pw@127.0.0.1:{proxy.port}"}
    r = subprocess.run([gw, "--once", "--api-base", mock.base_url], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert (f'event=proxy host="127.0.0.1" port={proxy.port} from="HTTPS_PROXY" auth="basic"'
            in r.stderr)
    assert "event=check_ok" in r.stderr
    assert proxy.connects() == [f"localhost:{mock.port}"]
    assert secret not in r.stderr and "pw@" not in r.stderr
    r = subprocess.run([gw, "--once", "--api-base", mock.base_url],
                       env={**env, "NO_PROXY": "localhost"}, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "event=proxy" not in r.stderr
    assert len(proxy.connects()) == 1
