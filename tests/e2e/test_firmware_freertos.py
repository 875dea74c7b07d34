"""The FreeRTOS + lwIP firmware under QEMU (mps2-an386, LAN9118) against the mock.

The device's only way out is QEMU's user-mode network with restrict=on and exactly one
guestfwd rule: the device's TCP connection to 10.0.2.100:PORT becomes a connection to the
mock on 127.0.0.1:PORT. lwIP resolves the API host ("localhost") from its local host list,
so no DNS query is made. QEMU and the mock run together in a private network namespace that
has only loopback (tests/netns_run.sh, as `make firmware-freertos-test` runs this file).

The ELF comes from $SITEGPT_FIRMWARE_FREERTOS (the make target sets it).
"""
import os
import re
import shutil
import stat
import subprocess

import pytest

from firmware_qemu import QEMU, RUN_TIMEOUT, approver, figure, run_qemu, semihosting_config

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
API_ADDR = "10.0.2.100"  # the guestfwd address: the one place the device can connect to
KERNEL = os.environ.get("FREERTOS_DIR") or os.path.join(ROOT, "..", "shared", "vendor",
                                                         "FreeRTOS-Kernel")

pytestmark = [
    pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None or shutil.which(QEMU) is None,
                       reason="cross tools missing: needs arm-none-eabi-gcc and "
                              "qemu-system-arm (make deps)"),
    pytest.mark.skipif(not os.path.isfile(os.path.join(KERNEL, "tasks.c")),
                       reason="no FreeRTOS kernel at %s: get FreeRTOS-Kernel V11.x and set "
                              "FREERTOS_DIR (see examples/firmware-freertos/README.md)" % KERNEL),
]


def only_loopback():
    """Interface names of this network namespace (per-namespace /proc/net/dev)."""
    with open("/proc/net/dev") as f:
        return [line.split(":")[0].strip() for line in f.readlines()[2:]] == ["lo"]


@pytest.fixture(scope="module")
def firmware():
    if not only_loopback():
        pytest.skip("needs a private network namespace with only loopback: run "
                    "`make firmware-freertos-test` (tests/netns_run.sh)")
    elf = os.environ.get("SITEGPT_FIRMWARE_FREERTOS")
    if not elf:
        pytest.skip("SITEGPT_FIRMWARE_FREERTOS is unset: run `make firmware-freertos-test`")
    assert os.path.isfile(elf), elf
    return elf


def qemu_argv(elf, mock, kv_dir, seed):
    args = ["fw", "base=" + mock.base_url, "ca=" + mock.ca_file, "kv=" + kv_dir,
            "host=localhost=" + API_ADDR, "seed=" + seed]
    nic = ("user,model=lan9118,restrict=on,"
           "guestfwd=tcp:%s:%d-tcp:127.0.0.1:%d" % (API_ADDR, mock.port, mock.port))
    return [QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial", "none",
            "-semihosting-config", semihosting_config(args),
            "-nic", nic, "-kernel", elf]


def boot(elf, mock, workdir, kv_dir, on_line=None, seed="e2e"):
    """Run the firmware once; returns (exit code, console text, argv)."""
    argv = qemu_argv(elf, mock, kv_dir, seed)
    rc, console = run_qemu(argv, workdir, on_line)
    return rc, console, argv


def assert_confined(argv, mock):
    """One user-mode NIC, restrict=on, exactly one guestfwd, to the mock on loopback."""
    nics = [argv[i + 1] for i, a in enumerate(argv) if a in ("-nic", "-netdev", "-net")]
    assert len(nics) == 1, argv
    opts = nics[0].split(",")
    assert opts[0] == "user" and "restrict=on" in opts, nics
    fwds = [o for o in opts if o.startswith("guestfwd=")]
    assert fwds == ["guestfwd=tcp:%s:%d-tcp:127.0.0.1:%d" % (API_ADDR, mock.port, mock.port)]
    assert not [o for o in opts if o.startswith("hostfwd=")]


def test_firmware_logs_in_over_ethernet_then_reuses_the_token(firmware, make_mock, tmp_path,
                                                              no_secrets):
    assert only_loopback()
    mock = make_mock(device_interval=1)
    kv_dir = tmp_path / "kv"
    kv_dir.mkdir()
    approved = []

    rc, console, argv = boot(firmware, mock, str(tmp_path), str(kv_dir),
                             approver(mock, approved))
    assert rc == 0, console
    assert_confined(argv, mock)
    assert approved, "no user code on the console:\n" + console
    assert "fw: net: link up" in console
    assert re.search(r"^fw: verification_uri=https://localhost:%d/" % mock.port, console, re.M)
    assert "fw: user name=Mock Developer" in console
    token_file = kv_dir / "sitegpt.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text()
    assert token.startswith("sgpt_") and token not in console
    no_secrets(console)
    issued = [t for t in mock.tokens() if t["name"] == "sitegpt-c freertos"]
    assert len(issued) == 1
    me = mock.requests(path="/api/v2/me")
    assert len(me) == 1 and me[0]["token_id"] == issued[0]["id"] and me[0]["status"] == 200

    # Every request came over the one guestfwd connection: one TLS handshake per boot.
    assert figure(console, "tls_handshakes") == 1
    assert len({r["conn"] for r in mock.requests()}) == 1
    # The heartbeat task kept running while the login task waited and did TLS.
    assert figure(console, "heartbeats_during_login") > 0
    assert figure(console, "heartbeats") >= figure(console, "heartbeats_during_login")
    # The figures are measured, within their regions.
    for task in ("app", "tcpip", "eth-rx", "heartbeat"):
        m = re.search(r"^fw: stack %s high_water=(\d+) size=(\d+)" % task, console, re.M)
        assert m, console
        assert 0 < int(m.group(1)) < int(m.group(2))
    assert 0 < figure(console, "lwip_mem_peak") <= figure(console, "lwip_mem_size")
    assert 0 < figure(console, "lwip_pbuf_pool_peak") <= figure(console, "lwip_pbuf_pool_size")
    assert 0 < figure(console, "mbedtls_pool_peak") <= figure(console, "mbedtls_pool_size")
    assert figure(console, "static_ram") > figure(console, "mbedtls_pool_size")
    assert figure(console, "eth_rx_frames") > 0 and figure(console, "eth_tx_frames") > 0

    # Second boot: the stored token, no login, /me again.
    mock.clear_requests()
    rc, console2, _ = boot(firmware, mock, str(tmp_path), str(kv_dir), seed="e2e-second")
    assert rc == 0, console2
    assert "stored token found, login skipped" in console2
    assert "user_code=" not in console2
    assert not mock.requests(path="/oauth/device_authorization")
    me = mock.requests(path="/api/v2/me")
    assert len(me) == 1 and me[0]["token_id"] == issued[0]["id"]
    assert figure(console2, "tls_handshakes") == 1
    no_secrets(console2)


def test_firmware_replaces_a_revoked_token(firmware, make_mock, tmp_path, no_secrets):
    mock = make_mock(device_interval=1)
    kv_dir = tmp_path / "kv"
    kv_dir.mkdir()
    stored, _ = mock.seed_token(revoked=True)
    (kv_dir / "sitegpt.token").write_text(stored)

    rc, console, _ = boot(firmware, mock, str(tmp_path), str(kv_dir), approver(mock))
    assert rc == 0, console
    assert "stored token rejected" in console and "user_code=" in console
    fresh = (kv_dir / "sitegpt.token").read_text()
    assert fresh.startswith("sgpt_") and fresh != stored
    assert stored not in console and fresh not in console
    assert [r["status"] for r in mock.requests(path="/api/v2/me")] == [401, 200]
    no_secrets(console)


@pytest.mark.parametrize("addr", ["10.0.2.2", "10.0.2.3", "192.0.2.1"],
                         ids=["gateway", "slirp-dns", "outside"])
def test_firmware_reaches_nothing_but_the_forwarded_port(firmware, make_mock, tmp_path, addr):
    """The API host mapped to any other address gets no connection (restrict=on): the
    gateway (which would be the host's loopback), slirp's DNS, an address outside."""
    mock = make_mock(device_interval=1)
    kv_dir = tmp_path / "kv"
    kv_dir.mkdir()
    argv = qemu_argv(firmware, mock, str(kv_dir), "e2e")
    argv = [a.replace("host=localhost=" + API_ADDR, "host=localhost=" + addr) for a in argv]
    assert_confined(argv, mock)
    rc = subprocess.run(argv, cwd=str(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                        text=True, timeout=RUN_TIMEOUT)
    out = rc.stdout + rc.stderr
    assert rc.returncode == 1, out
    assert "fw: error: login: network error (status -14)" in out  # SG_ERR_CONNECT
    assert not mock.requests()
    assert not (kv_dir / "sitegpt.token").exists()


def test_firmware_reports_a_bad_command_line(firmware, tmp_path):
    rc = subprocess.run([QEMU, "-M", "mps2-an386", "-nographic", "-monitor", "none",
                         "-serial", "none", "-nic", "none",
                         "-semihosting-config", "enable=on,target=native,arg=fw",
                         "-kernel", firmware],
                        cwd=str(tmp_path), stdin=subprocess.DEVNULL, capture_output=True,
                        text=True, timeout=RUN_TIMEOUT)
    assert rc.returncode == 2
    assert "usage: fw base=" in rc.stdout + rc.stderr
