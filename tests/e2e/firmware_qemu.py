"""What the two firmware suites share: booting an image under QEMU and reading its console.

test_firmware.py (bare metal, UART bridged to a relay) and test_firmware_freertos.py
(FreeRTOS + lwIP, QEMU's user network) build their own QEMU command lines; the run, the
console lines the firmware prints ("fw: name=value") and the approval of its user code are
the same for both.
"""
import os
import re
import subprocess
import threading

QEMU = "qemu-system-arm"
RUN_TIMEOUT = 120  # seconds per boot; a normal one takes a few


def semihosting_config(args):
    """-semihosting-config's value carrying args as the firmware's command line."""
    return "enable=on,target=native," + ",".join("arg=" + a.replace(",", ",,") for a in args)


def run_qemu(argv, workdir, on_line=None):
    """Run QEMU until the firmware exits (killed after RUN_TIMEOUT): (exit code, console).

    on_line sees each console line as it comes (to approve a user code mid-login).
    """
    # umask 077: the token file QEMU creates for the firmware is 0600.
    proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: os.umask(0o077))
    lines = []
    timer = threading.Timer(RUN_TIMEOUT, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            lines.append(line)
            if on_line:
                on_line(line)
        rc = proc.wait()
    finally:
        timer.cancel()
    return rc, "".join(lines)


def approver(mock, approved=None):
    """A console-line callback that approves the user code the firmware prints (and keeps it
    in approved, when given)."""
    def approve(line):
        m = re.match(r"fw: user_code=(\S+)", line)
        if m:
            mock.approve(m.group(1))
            if approved is not None:
                approved.append(m.group(1))
    return approve


def figure(console, name):
    """The number the firmware reported as "fw: <name>=N"; fails the test when it did not."""
    m = re.search(r"^fw: %s=(\d+)" % re.escape(name), console, re.M)
    assert m, "firmware did not report %s:\n%s" % (name, console)
    return int(m.group(1))
