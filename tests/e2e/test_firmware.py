"""The Cortex-M4 firmware under QEMU (mps2-an386) against the mock, over a UART-bridged socket.

QEMU's UART0 is a TCP client (-serial tcp:...) of a relay in this test, which pipes the
bytes to the mock's TLS port: the UART byte stream is the socket under mbedTLS. Console
and exit status go through semihosting; the key-value store is a host folder.

The ELF comes from $SITEGPT_FIRMWARE (make firmware-test sets it) or `make firmware`.
"""
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import threading

import pytest

from firmware_qemu import QEMU, RUN_TIMEOUT, approver, figure, run_qemu, semihosting_config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

pytestmark = pytest.mark.skipif(
    shutil.which("arm-none-eabi-gcc") is None or shutil.which(QEMU) is None,
    reason="cross tools missing: needs arm-none-eabi-gcc and qemu-system-arm (make deps)")


@pytest.fixture(scope="module")
def firmware():
    elf = os.environ.get("SITEGPT_FIRMWARE")
    if not elf:
        subprocess.run(["make", "-s", "firmware"], cwd=ROOT, check=True, timeout=900,
                       stdout=subprocess.DEVNULL)
        elf = os.path.join(ROOT, "build", "firmware", "sitegpt-fw.elf")
    assert os.path.isfile(elf), elf
    return elf


class Relay:
    """Accept QEMU's UART connection and pipe it to (host, port) both ways."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.bytes_up = 0
        self.bytes_down = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            uart, _ = self.listener.accept()
        except OSError:
            return
        upstream = socket.create_connection(self.target, timeout=RUN_TIMEOUT)
        pumps = [threading.Thread(target=self._pump, args=(uart, upstream, "bytes_up")),
                 threading.Thread(target=self._pump, args=(upstream, uart, "bytes_down"))]
        for p in pumps:
            p.start()
        for p in pumps:
            p.join()
        uart.close()
        upstream.close()

    def _pump(self, src, dst, counter):
        while True:
            try:
                data = src.recv(4096)
            except OSError:
                data = b""
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            setattr(self, counter, getattr(self, counter) + len(data))
            dst.sendall(data)

    def close(self):
        self.listener.close()
        self.thread.join(timeout=5)


def boot(elf, mock, workdir, kv_dir, on_line=None, seed="e2e"):
    """Run the firmware once; returns (exit code, console text)."""
    relay = Relay("127.0.0.1", mock.port)
    args = ["fw", "base=" + mock.base_url, "ca=" + mock.ca_file, "kv=" + kv_dir, "seed=" + seed]
    argv = [QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none",
            "-semihosting-config", semihosting_config(args),
            "-serial", "tcp:127.0.0.1:%d" % relay.port, "-kernel", elf]
    try:
        return run_qemu(argv, workdir, on_line)
    finally:
        relay.close()


def test_firmware_logs_in_then_reuses_the_stored_token(firmware, make_mock, tmp_path,
                                                      no_secrets):
    mock = make_mock(device_interval=1)
    kv_dir = tmp_path / "kv"
    kv_dir.mkdir()
    approved = []
    approve = approver(mock, approved)

    # First boot: device login, approved from the console, token stored, /me called.
    rc, console = boot(firmware, mock, str(tmp_path), str(kv_dir), approve)
    assert rc == 0, console
    assert approved, "no user code on the console:\n" + console
    assert re.search(r"^fw: verification_uri=https://localhost:%d/" % mock.port, console, re.M)
    assert "fw: user name=Mock Developer" in console
    assert "fw: user email=dev@example.com" in console
    token_file = kv_dir / "sitegpt.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text()
    assert token.startswith("sgpt_")
    assert token not in console
    no_secrets(console)
    me = mock.requests(path="/api/v2/me")
    assert len(me) == 1
    issued = [t for t in mock.tokens() if t["name"] == "sitegpt-c firmware"]
    assert len(issued) == 1
    assert me[0]["token_id"] == issued[0]["id"] and me[0]["status"] == 200

    # `make size` prints the measured figures beside its static ones.
    with open(os.path.join(os.path.dirname(firmware), "last-run.log"), "w") as f:
        f.write(console)

    # The reported figures are measured, not made up: within their regions.
    stack = figure(console, "stack_high_water")
    assert 0 < stack <= figure(console, "stack_size")
    peak = figure(console, "mbedtls_pool_peak")
    assert 0 < peak <= figure(console, "mbedtls_pool_size")
    assert figure(console, "static_ram") > figure(console, "mbedtls_pool_size")

    # When it would renew: 14 days before the 90-day token expires, by the server's clock.
    expires = issued[0]["expiresAt"][:19] + "Z"
    assert re.search(r"^fw: token expires_at=%s$" % re.escape(expires), console, re.M), console
    assert abs(figure(console, "renew in_s") - 76 * 86400) <= 60, console

    # Second boot: the stored token is found, no device login, /me again. The server's
    # clock is now ten years from the board's (and ours): the plan follows the server.
    mock.configure(clock_offset=10 * 365 * 86400)
    mock.clear_requests()
    rc, console2 = boot(firmware, mock, str(tmp_path), str(kv_dir), seed="e2e-second")
    assert rc == 0, console2
    assert "stored token found, login skipped" in console2
    assert "user_code=" not in console2
    assert not mock.requests(path="/oauth/device_authorization")
    me = mock.requests(path="/api/v2/me")
    assert len(me) == 1 and me[0]["token_id"] == issued[0]["id"]
    assert "fw: user name=Mock Developer" in console2
    assert abs(figure(console2, "renew in_s") - 76 * 86400) <= 60, console2
    m = re.search(r"^fw: token expires_at=(\d{4})-", console2, re.M)
    assert m and int(m.group(1)) >= int(expires[:4]) + 9, console2
    no_secrets(console2)


@pytest.mark.parametrize("stored", ["not-a-token\n", "revoked"])
def test_firmware_replaces_a_bad_or_revoked_stored_token(firmware, make_mock, tmp_path, stored,
                                                         no_secrets):
    mock = make_mock(device_interval=1)
    kv_dir = tmp_path / "kv"
    kv_dir.mkdir()
    token_file = kv_dir / "sitegpt.token"
    if stored == "revoked":
        stored, _ = mock.seed_token(revoked=True)
    token_file.write_text(stored)

    approve = approver(mock)

    rc, console = boot(firmware, mock, str(tmp_path), str(kv_dir), approve)
    assert rc == 0, console
    assert "user_code=" in console
    fresh = token_file.read_text()
    assert fresh.startswith("sgpt_") and fresh != stored
    assert stored.strip() not in console and fresh not in console
    no_secrets(console)
    me = mock.requests(path="/api/v2/me")
    if stored.startswith("sgpt_"):
        # The revoked token was tried once, then the fresh one.
        assert [r["status"] for r in me] == [401, 200]
    else:
        # Garbage never goes on the wire.
        assert [r["status"] for r in me] == [200]


@pytest.mark.parametrize("key,tls_max", [("rsa", None), ("ec", ssl.TLSVersion.TLSv1_2)],
                         ids=["rsa-cert-tls1.3", "ecdsa-cert-tls1.2"])
def test_firmware_login_with_other_certificates_and_versions(firmware, make_mock, tmp_path,
                                                             key, tls_max, no_secrets):
    mock = make_mock(key=key, tls_max=tls_max, device_interval=1)
    kv_dir = tmp_path / "kv"
    kv_dir.mkdir()

    approve = approver(mock)

    rc, console = boot(firmware, mock, str(tmp_path), str(kv_dir), approve)
    assert rc == 0, console
    assert "fw: user email=dev@example.com" in console
    assert (kv_dir / "sitegpt.token").exists()
    no_secrets(console)
    if key == "ec":
        # `make size` checks the login RAM target against this run (ECDSA certificate).
        assert figure(console, "login_ram") > 0
        with open(os.path.join(os.path.dirname(firmware), "last-run-ecdsa.log"), "w") as f:
            f.write(console)


def test_firmware_refuses_a_server_the_ca_did_not_sign(firmware, make_mock, tmp_path):
    rogue = make_mock(cert="rogue")
    kv_dir = tmp_path / "kv"
    kv_dir.mkdir()
    rc, console = boot(firmware, rogue, str(tmp_path), str(kv_dir))
    assert rc == 1, console
    assert "fw: error: login: network error (status -16)" in console  # SG_ERR_CERT
    assert not rogue.requests()
    assert not (kv_dir / "sitegpt.token").exists()


def test_firmware_reports_a_bad_command_line(firmware, tmp_path):
    rc = subprocess.run([QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none",
                         "-semihosting-config", "enable=on,target=native,arg=fw",
                         "-serial", "null", "-kernel", firmware],
                        cwd=str(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                        text=True, timeout=RUN_TIMEOUT)
    assert rc.returncode == 2
    assert "usage: fw base=" in rc.stdout + rc.stderr
