"""`make install` / `make uninstall` and the CMake package, from the outside.

An install into a temporary prefix must hold exactly the documented files (public headers
only, nothing outside DESTDIR/PREFIX), and two small consumers must build against it with
-Werror and run: one through pkg-config, one through CMake's find_package. The CMake build of
the project itself must pass -Werror under gcc and clang.
"""
import os
import shlex
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONSUMER = os.path.join(ROOT, "tests", "install", "consumer.c")
CONSUMER_CMAKE = os.path.join(ROOT, "tests", "install", "cmake")
# What `make install` writes, relative to DESTDIR/PREFIX.
EXPECTED = {
    "bin/sitegpt", "bin/sitegpt-gateway", "lib/libsitegpt.a", "lib/pkgconfig/sitegpt.pc",
    "lib/systemd/system/sitegpt-gateway.service",
    "share/man/man1/sitegpt.1", "share/man/man8/sitegpt-gateway.8",
    "share/bash-completion/completions/sitegpt", "share/bash-completion/completions/sitegpt-gateway",
    "share/zsh/site-functions/_sitegpt", "share/fish/vendor_completions.d/sitegpt.fish",
    "share/fish/vendor_completions.d/sitegpt-gateway.fish",
} | {f"include/sitegpt/{h}" for h in (
    "sitegpt.h", "sg_base.h", "sg_options.h", "sg_http.h", "sg_proxy.h", "sg_url.h", "sg_json.h",
    "sg_envelope.h", "sg_retry.h", "sg_api.h", "sg_scopes.h", "sg_device.h", "sg_profiles.h",
    "sg_renew.h",
    "sg_tls_port.h", "sg_tls.h", "sg_posix.h", "sg_rtos.h")}
EXPECTED_OUTPUT = ("missing CA file: not found\n"
                   "host=api.example.com port=8443 path=/base\n"
                   "scope chatbots:read valid; version ")


def _make_args():
    """The variables of the build under test (make test-e2e exports them)."""
    args = os.environ.get("SITEGPT_MAKE_ARGS")
    if args is None:
        pytest.skip("SITEGPT_MAKE_ARGS is unset (run through `make test-e2e`)")
    return shlex.split(args)


def _run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, f"{argv}\n{r.stdout}\n{r.stderr}"
    return r


def _files(top):
    found = set()
    for d, _, names in os.walk(top):
        for n in names:
            found.add(os.path.relpath(os.path.join(d, n), top))
    return found


def test_make_install_and_uninstall_stay_inside_destdir(tmp_path):
    dest = tmp_path / "stage"
    prefix = "/opt/sitegpt"
    _run(["make", "-s", "-C", ROOT, *_make_args(), f"DESTDIR={dest}", f"PREFIX={prefix}",
          "install"])
    assert _files(dest) == {f"opt/sitegpt/{f}" for f in EXPECTED}
    root = dest / "opt" / "sitegpt"
    assert os.stat(root / "bin" / "sitegpt").st_mode & 0o777 == 0o755
    assert os.stat(root / "include" / "sitegpt" / "sitegpt.h").st_mode & 0o777 == 0o644
    pc = (root / "lib" / "pkgconfig" / "sitegpt.pc").read_text()
    assert "prefix=/opt/sitegpt\n" in pc and "Libs.private:" in pc and "mbed" in pc
    unit = (root / "lib" / "systemd" / "system" / "sitegpt-gateway.service").read_text()
    assert "ExecStart=/opt/sitegpt/bin/sitegpt-gateway " in unit
    # the flat sg_tls.h finds its contract beside it
    assert '#include "../' not in (root / "include" / "sitegpt" / "sg_tls.h").read_text()
    _run(["make", "-s", "-C", ROOT, *_make_args(), f"DESTDIR={dest}", f"PREFIX={prefix}",
          "uninstall"])
    assert _files(dest) == set()
    assert not (root / "include" / "sitegpt").exists()


def test_pkg_config_consumer(tmp_path):
    prefix = tmp_path / "prefix"
    _run(["make", "-s", "-C", ROOT, *_make_args(), f"PREFIX={prefix}", "install"])
    env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
    cflags = _run(["pkg-config", "--cflags", "sitegpt"], env=env).stdout.split()
    libs = _run(["pkg-config", "--static", "--libs", "sitegpt"], env=env).stdout.split()
    assert _run(["pkg-config", "--modversion", "sitegpt"], env=env).stdout.strip()
    exe = tmp_path / "consumer"
    _run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-Wpedantic", "-Wconversion",
          "-D_POSIX_C_SOURCE=200809L", *cflags, CONSUMER, "-o", str(exe), *libs])
    out = _run([str(exe)]).stdout
    assert out.startswith(EXPECTED_OUTPUT)
    # the consumer really parses: a bad URL is refused
    r = subprocess.run([str(exe), "ftp://x"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout.splitlines()[-1].startswith("url: ")


@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_cmake_build_install_and_find_package(tmp_path, compiler):
    if shutil.which("cmake") is None or shutil.which(compiler) is None:
        pytest.skip(f"cmake or {compiler} missing (make deps)")
    if "MBEDTLS=3.6" in _make_args():
        pytest.skip("the CMake build is checked once, against the system mbedTLS")
    build, prefix = tmp_path / "build", tmp_path / "prefix"
    env = dict(os.environ, CC=compiler)
    _run(["cmake", "-S", ROOT, "-B", str(build), "-DSITEGPT_WERROR=ON",
          "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_INSTALL_PREFIX={prefix}"], env=env)
    _run(["cmake", "--build", str(build), "-j", os.environ.get("JOBS", "2")], env=env)
    _run(["cmake", "--install", str(build)], env=env)
    installed = _files(prefix)
    assert {"bin/sitegpt", "include/sitegpt/sitegpt.h", "lib/cmake/sitegpt/sitegptConfig.cmake",
            "share/man/man1/sitegpt.1"} <= installed
    assert not any(f.endswith(("sg__utf8.h", "sg_file.h")) for f in installed)
    version = _run([str(prefix / "bin" / "sitegpt"), "--version"]).stdout
    assert version.startswith("sitegpt-c ") and "features:" in version

    cbuild = tmp_path / "consumer"
    _run(["cmake", "-S", CONSUMER_CMAKE, "-B", str(cbuild), f"-DCMAKE_PREFIX_PATH={prefix}"],
         env=env)
    _run(["cmake", "--build", str(cbuild)], env=env)
    assert _run([str(cbuild / "consumer")]).stdout.startswith(EXPECTED_OUTPUT)


def test_cmake_rejects_an_unknown_platform(tmp_path):
    if shutil.which("cmake") is None:
        pytest.skip("cmake missing (make deps)")
    r = subprocess.run(["cmake", "-S", ROOT, "-B", str(tmp_path / "b"),
                        "-DSITEGPT_PLATFORM=windows"], capture_output=True, text=True)
    assert r.returncode != 0
    assert "SITEGPT_PLATFORM must be posix, rtos or none, not 'windows'" in r.stderr


def test_systemd_unit_verifies(tmp_path):
    """The gateway's unit passes systemd-analyze verify (no warning at all) and its sandbox
    scores as well exposed as 'OK' or better in systemd-analyze security."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze missing (Debian package systemd)")
    gateway = os.environ.get("SITEGPT_GATEWAY_BIN")
    if not gateway:
        pytest.skip("SITEGPT_GATEWAY_BIN is unset (run through `make test-e2e`)")
    src = open(os.path.join(ROOT, "examples", "gateway", "sitegpt-gateway.service.in")).read()
    unit = tmp_path / "sitegpt-gateway.service"
    unit.write_text(src.replace("@BINDIR@", os.path.dirname(gateway)))
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr
    for key in ("StateDirectory=sitegpt-gateway", "ProtectSystem=strict", "NoNewPrivileges=yes",
                "Restart=on-failure", "UMask=0077"):
        assert f"\n{key}\n" in src, key
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(unit)],
                       capture_output=True, text=True, cwd=tmp_path)
    level = r.stdout.rsplit("Overall exposure level for sitegpt-gateway.service:", 1)[1].split()
    assert float(level[0]) <= 2.0, r.stdout[-400:]
