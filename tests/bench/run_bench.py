#!/usr/bin/env python3
"""`make bench`: sitegpt-c beside what a user would pick instead, in ONE table from one run.

Rows: `sitegpt whoami` vs `curl -s` over TLS (one-certificate CA file, then the system bundle
plus the test CA); a device login with N authorization_pending polls vs tests/bench/login_curl.sh
(connections, TLS handshakes and bytes on the wire counted by the mock); `tokens list --all`
vs tests/bench/tokens_curl.sh (curl | jq over the same pages); the JSON reader vs jsmn and yajl
(tests/bench/bench_json.c); the HTTP response parser (tests/bench/bench_http.c); start-up.

Every figure is the median of RUNS runs taken in turns (A B A B ...), so drift from other load
on the machine hits both sides alike. Wall time: the clock around the process, for the short
runs (whoami, start-up) spawned straight from here with posix_spawn, both sides alike (under
/usr/bin/time each would also pay for starting `time` itself: about a millisecond, the
same for both); the "harness" row is that clock around /bin/true, the floor no program
goes below. Peak RSS: /usr/bin/time's %M, in runs of their own (a process spawned from
Python would report Python's RSS). Instructions: `perf stat -e instructions:u` when the
kernel lets perf count, else valgrind callgrind (deterministic, so one run each).

    run_bench.py --build build            the full table (about 4 minutes)
    run_bench.py --build build --only whoami,startup
                                          some sections only (a focused A/B)
    run_bench.py --build build --smoke    every step once on tiny inputs (make bench-smoke):
                                          checks the benchmark still runs, asserts no timing
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "mock"))

from certs import make_certs  # noqa: E402
from sitegpt_mock import MockServer  # noqa: E402

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
TIME = "/usr/bin/time"


class BenchError(Exception):
    pass


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- running and measuring


class Runner:
    def __init__(self, secrets):
        self.secrets = secrets  # callable -> strings to scrub from anything printed
        self.perf = self._perf_counts()

    def scrub(self, text):
        for s in self.secrets():
            text = text.replace(s, "<secret>")
        return text

    @staticmethod
    def _perf_counts():
        """True when `perf stat` can count user instructions here (not in most VMs)."""
        if shutil.which("perf") is None:
            return False
        r = subprocess.run(["perf", "stat", "-x,", "-e", "instructions:u", "true"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        last = (r.stderr.strip().splitlines() or [""])[-1]
        return r.returncode == 0 and re.match(r"^\d+,", last) is not None

    def run(self, name, cmd, env=None, capture=False):
        """Run cmd once under /usr/bin/time -> (wall seconds, peak RSS KB, stdout or None)."""
        with tempfile.NamedTemporaryFile("r", prefix="sgbench-time-") as tf:
            t0 = time.perf_counter()
            r = subprocess.run([TIME, "-f", "%M", "-o", tf.name] + cmd, env=env,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            wall = time.perf_counter() - t0
            lines = tf.read().split()
        if r.returncode != 0:
            raise BenchError("%s exited with %d: %s" % (name, r.returncode,
                                                         self.scrub(r.stderr.strip())[-800:]))
        return wall, int(lines[-1]), r.stdout if capture else None

    def wall(self, name, cmd, env=None):
        """Wall seconds of one run of cmd, spawned straight from here (no /usr/bin/time)."""
        fa = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
              (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
              (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
        path = cmd[0] if os.sep in cmd[0] else shutil.which(cmd[0])
        t0 = time.perf_counter()
        pid = os.posix_spawn(path, cmd, os.environ if env is None else env, file_actions=fa)
        _, status = os.waitpid(pid, 0)
        wall = time.perf_counter() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            self.run(name, cmd, env)  # again, to report what it said
            raise BenchError("%s failed once and not again: a flaky run" % name)
        return wall

    def instructions(self, name, cmd, env=None):
        """User-space instructions of one run of cmd."""
        with tempfile.NamedTemporaryFile("r", prefix="sgbench-ir-") as tf:
            if self.perf:
                tool = ["perf", "stat", "-x,", "-e", "instructions:u", "-o", tf.name, "--"]
            else:
                tool = ["valgrind", "--tool=callgrind", "-q", "--callgrind-out-file=" + tf.name]
            r = subprocess.run(tool + cmd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                raise BenchError("%s (counting instructions) exited with %d: %s" % (
                    name, r.returncode, self.scrub(r.stderr.strip())[-800:]))
            return parse_instructions(tf.read(), self.perf)

    def tool_name(self):
        return "perf stat" if self.perf else "valgrind callgrind"


def parse_instructions(text, perf):
    if perf:
        for line in text.splitlines():
            if "instructions" in line and re.match(r"^\d+,", line):
                return int(line.split(",")[0])
    else:
        m = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if m:
            return int(m.group(1))
    raise BenchError("no instruction count in the tool's output")


def alternate(runs, *jobs):
    """Run the jobs in turns, `runs` rounds (A B A B ...); a list of results per job."""
    out = [[] for _ in jobs]
    for _ in range(runs):
        for i, job in enumerate(jobs):
            out[i].append(job())
    return out


def med(values):
    return statistics.median(values)


# ---------------------------------------------------------------- the table


class Table:
    def __init__(self):
        self.rows = []
        self.misses = []

    def section(self, title):
        self.rows.append((title,))

    def row(self, what, ours, ref, ratio=None, target=""):
        self.rows.append((what, ours, ref, "%.2fx" % ratio if ratio is not None else "", target))

    def verdict(self, aim, ok, detail="", name=None):
        text = ("met" if ok else "MISSED") + (" (%s)" % detail if detail else "")
        if not ok:
            self.misses.append(name or aim)
        return "%s: %s" % (aim, text)

    def print(self, header):
        print()
        print(header)
        cols = ("what", "sitegpt-c", "reference", "ratio", "target")
        widths = [max([len(cols[i])] + [len(r[i]) for r in self.rows if len(r) > 1])
                  for i in range(4)]
        fmt = "%-{0}s  %{1}s  %-{2}s  %{3}s  %s".format(*widths)
        print(fmt % cols)
        print(fmt % tuple("-" * w for w in widths + [6]))
        for r in self.rows:
            if len(r) == 1:
                print(r[0])
            else:
                print(fmt % r)


def ms(s):
    return "%.1f ms" % (s * 1000.0) if s < 10 else "%.2f s" % s


def kb(k):
    return "%d KB" % k if k < 10240 else "%.1f MB" % (k / 1024.0)


def mega(n):
    return "%.1f M" % (n / 1e6)


# ---------------------------------------------------------------- the benchmarks


class Bench:
    def __init__(self, a):
        self.a = a
        self.work = tempfile.mkdtemp(prefix="sgbench-")
        os.chmod(self.work, 0o700)
        self.sitegpt = os.path.join(a.build, "sitegpt")
        self.certs = make_certs(os.path.join(self.work, "certs"))
        self.mocks = []
        self.runner = Runner(self._secrets)
        self.table = Table()
        self.floors = []  # /bin/true's wall beside each short measurement

    def _secrets(self):
        out = []
        for m in self.mocks:
            out += m.secrets()
        return out

    def mock(self, **settings):
        m = MockServer(certs=self.certs, **settings)
        m.http.handshake_timeout = 300.0  # curl under callgrind, on a loaded machine
        m.start()
        self.mocks.append(m)
        return m

    def close(self):
        for m in self.mocks:
            m.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def env(self, m, token=None, cafile=None, config=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SITEGPT_")}
        env["HOME"] = self.work
        env["XDG_CONFIG_HOME"] = config or os.path.join(self.work, "config")
        env["SSL_CERT_FILE"] = cafile or m.ca_file
        env["SITEGPT_API_BASE"] = m.base_url
        if token:
            env["SITEGPT_API_TOKEN"] = token
        return env

    def secret_file(self, name, text):
        path = os.path.join(self.work, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path

    def walls(self, runs, *jobs):
        """Median wall seconds of each (name, cmd, env) job, runs of each taken in turns,
        and the harness floor (/bin/true spawned the same way) in the same turns."""
        jobs = jobs + (("harness", ["/bin/true"], None),)
        out = alternate(runs, *[lambda j=j: self.runner.wall(*j) for j in jobs])
        self.floors.append(med(out[-1]))
        return [med(o) for o in out[:-1]]

    # ------------------------------------------------------------ whoami

    def whoami(self, m):
        token, _ = m.seed_token(["account:read"])
        header = self.secret_file("auth-header", "Authorization: Bearer %s\n" % token)
        bundle = os.path.join(self.work, "bundle-plus-test-ca.pem")
        with open(bundle, "wb") as out:
            for path in (SYSTEM_BUNDLE, m.ca_file):
                with open(path, "rb") as f:
                    out.write(f.read())
        t = self.table
        for label, cafile, targeted in (("one-certificate CA file", m.ca_file, False),
                                        ("system CA bundle + test CA", bundle, True)):
            ours_cmd = [self.sitegpt, "whoami"]
            ours_env = self.env(m, token, cafile)
            ref_cmd = ["curl", "-sS", "--fail", "--cacert", cafile, "-H", "@" + header,
                       m.base_url + "/api/v2/me"]
            # a few tens of ms each: three times the runs cost little and steady the medians
            runs = 3 * self.a.runs
            log("whoami, %s: %d runs each, in turns" % (label, runs))
            w_ours, w_ref = self.walls(runs, ("sitegpt whoami", ours_cmd, ours_env),
                                       ("curl", ref_cmd, None))
            ours, ref = alternate(self.a.runs,
                                  lambda: self.runner.run("sitegpt whoami", ours_cmd, ours_env),
                                  lambda: self.runner.run("curl", ref_cmd))
            r_ours, r_ref = med(s[1] for s in ours), med(s[1] for s in ref)
            log("whoami, %s: instructions (%s)" % (label, self.runner.tool_name()))
            i_runs = self.a.runs if self.runner.perf else 1
            i_ours, i_ref = alternate(
                i_runs, lambda: self.runner.instructions("sitegpt whoami", ours_cmd, ours_env),
                lambda: self.runner.instructions("curl", ref_cmd))
            i_ours, i_ref = med(i_ours), med(i_ref)
            t.section("whoami over TLS, %s (reference: curl -s, same token, CA file, URL; "
                      "%d runs)" % (label, runs))
            t.row("  wall time", ms(w_ours), "curl " + ms(w_ref), w_ours / w_ref,
                  t.verdict("<= 0.25x", w_ours <= 0.25 * w_ref, name="whoami wall")
                  if targeted else "")
            t.row("  peak RSS", kb(r_ours), "curl " + kb(r_ref), r_ours / r_ref,
                  t.verdict("<= 0.25x", r_ours <= 0.25 * r_ref, name="whoami peak RSS")
                  if targeted else "")
            t.row("  instructions (%s)" % self.runner.tool_name(), mega(i_ours),
                  "curl " + mega(i_ref), i_ours / i_ref)

    # ------------------------------------------------------------ device login

    def login_once(self, m, ours, n):
        """One login; -> (wall, rss, {conns, full, resumed, bytes}) from the mock's records."""
        before = len(m.connections())
        config = os.path.join(self.work, "login-%d" % n)
        if ours:
            cmd = [self.sitegpt, "login", "--api-base", m.base_url, "--no-browser"]
            wall, rss, _ = self.runner.run("sitegpt login", cmd, self.env(m, config=config))
        else:
            cmd = [os.path.join(HERE, "login_curl.sh"), m.base_url, m.ca_file,
                   os.path.join(self.work, "token-%d" % n)]
            wall, rss, _ = self.runner.run("login_curl.sh", cmd)
        conns = self.closed_connections(m, before)
        dev = m.devices()[-1]
        pending = dev["results"].count("authorization_pending")
        if pending != self.a.polls or dev["results"][-1] != "token":
            raise BenchError("login saw %s, not %d authorization_pending then a token"
                             % (dev["results"], self.a.polls))
        return wall, rss, {
            "conns": len(conns),
            "full": sum(1 for c in conns if c["tls_version"] and not c["resumed"]),
            "resumed": sum(1 for c in conns if c["resumed"]),
            "bytes": sum((c["bytes_in"] or 0) + (c["bytes_out"] or 0) for c in conns),
            "counted": all(c["bytes_in"] is not None for c in conns)}

    @staticmethod
    def closed_connections(m, before, timeout=10.0):
        """The connections opened since `before`, once the server has closed every one."""
        deadline = time.monotonic() + timeout
        while True:
            conns = m.connections()[before:]
            if all(c["closed"] for c in conns):
                return conns
            if time.monotonic() > deadline:
                raise BenchError("the mock still holds connections open after the run")
            time.sleep(0.01)

    def login(self, m):
        m.configure(device_interval=1, auto_approve_polls=self.a.polls)
        t = self.table
        runs = self.a.login_runs
        log("device login with %d authorization_pending polls: %d runs each, in turns "
            "(about %d s each)" % (self.a.polls, runs, self.a.polls + 1))
        counter = iter(range(1000))
        ours, ref = alternate(runs, lambda: self.login_once(m, True, next(counter)),
                              lambda: self.login_once(m, False, next(counter)))
        m.configure(keep_alive=False)
        log("device login, the server closing after every response: %d run" % 1)
        closing = self.login_once(m, True, next(counter))[2]
        m.configure(keep_alive=True)

        def c(samples, key):
            return med(s[2][key] for s in samples)
        w_ours, w_ref = med(s[0] for s in ours), med(s[0] for s in ref)
        r_ours, r_ref = med(s[1] for s in ours), med(s[1] for s in ref)
        t.section("device login, %d authorization_pending polls at 1 s, then GET /api/v2/me "
                  "(reference: tests/bench/login_curl.sh, curl + jq)" % self.a.polls)
        t.row("  wall time", ms(w_ours), "curl+jq " + ms(w_ref), w_ours / w_ref)
        t.row("  peak RSS", kb(r_ours), "curl+jq " + kb(r_ref), r_ours / r_ref)
        t.row("  TCP connections (mock)", "%d" % c(ours, "conns"),
              "curl+jq %d" % c(ref, "conns"), c(ours, "conns") / c(ref, "conns"))
        one = c(ours, "conns") == 1 and c(ours, "full") == 1 and c(ours, "resumed") == 0
        t.row("  TLS handshakes, full + resumed (mock)",
              "%d + %d" % (c(ours, "full"), c(ours, "resumed")),
              "curl+jq %d + %d" % (c(ref, "full"), c(ref, "resumed")),
              (c(ours, "full") + c(ours, "resumed")) / (c(ref, "full") + c(ref, "resumed")),
              t.verdict("exactly 1 per login", one, name="one TLS handshake per login"))
        counted = all(s[2]["counted"] for s in ours + ref)
        t.row("  bytes on the wire, both ways (mock, TCP)",
              "%d B" % c(ours, "bytes") if counted else "n/a",
              "curl+jq %d B" % c(ref, "bytes") if counted else "n/a",
              c(ours, "bytes") / c(ref, "bytes") if counted and c(ref, "bytes") else None)
        resumes = closing["full"] == 1 and closing["resumed"] == closing["conns"] - 1
        t.row("  server closes after each response: handshakes",
              "%d + %d" % (closing["full"], closing["resumed"]),
              "over %d connections" % closing["conns"], None,
              t.verdict("1 full, the rest resumed", resumes,
                        name="resumed sessions when the server closes"))

    # ------------------------------------------------------------ tokens list --all

    def tokens(self):
        big_n, small_n, limit = self.a.tokens, 10, self.a.limit
        big, small = self.mock(), self.mock()
        for m, n in ((big, big_n), (small, small_n)):
            m.seed_tokens(n - 1)
        big_tok, _ = big.seed_token(["tokens:read"])
        small_tok, _ = small.seed_token(["tokens:read"])
        header = self.secret_file("tokens-header", "Authorization: Bearer %s\n" % big_tok)
        ours_cmd = [self.sitegpt, "tokens", "list", "--all", "--limit", str(limit)]

        def ours(m, tok, n):
            wall, rss, out = self.runner.run("sitegpt tokens list --all", ours_cmd,
                                             self.env(m, tok), capture=True)
            rows = sum(1 for line in out.splitlines() if line.startswith("tok_"))
            if rows != n:
                raise BenchError("sitegpt tokens list --all printed %d tokens of %d" % (rows, n))
            return wall, rss

        def ref():
            cmd = [os.path.join(HERE, "tokens_curl.sh"), big.base_url, big.ca_file, header,
                   str(limit)]
            wall, rss, out = self.runner.run("tokens_curl.sh", cmd, capture=True)
            rows = sum(1 for line in out.splitlines() if line.startswith("tok_"))
            if rows != big_n:
                raise BenchError("tokens_curl.sh printed %d tokens of %d" % (rows, big_n))
            return wall, rss

        log("tokens list --all over %d tokens (%d pages) and over %d: %d runs each, in turns"
            % (big_n, -(-big_n // limit), small_n, self.a.runs))
        o_big, r_big, o_small = alternate(self.a.runs, lambda: ours(big, big_tok, big_n), ref,
                                          lambda: ours(small, small_tok, small_n))
        t = self.table
        w_ours, w_ref = med(s[0] for s in o_big), med(s[0] for s in r_big)
        rss_big, rss_ref, rss_small = (med(s[1] for s in o_big), med(s[1] for s in r_big),
                                       med(s[1] for s in o_small))
        t.section("tokens list --all --limit %d over %d tokens (reference: "
                  "tests/bench/tokens_curl.sh, curl | jq over the same pages)" % (limit, big_n))
        t.row("  wall time", ms(w_ours), "curl|jq " + ms(w_ref), w_ours / w_ref)
        t.row("  peak RSS", kb(rss_big), "curl|jq " + kb(rss_ref), rss_big / rss_ref)
        # RSS of the same run moves by about 200 KB here (where the loader maps libraries);
        # holding the list would grow it by megabytes (10,000 tokens are 3.4 MB of JSON)
        grow = rss_big - rss_small
        t.row("  peak RSS at %d vs at %d tokens" % (big_n, small_n), kb(rss_big),
              "itself at %d: %s" % (small_n, kb(rss_small)), rss_big / rss_small,
              t.verdict("flat (<= +256 KB)", grow <= 256, "%+d KB" % grow, name="--all RSS flat"))

    # ------------------------------------------------------------ JSON reader

    def json(self):
        log("JSON reader vs jsmn and yajl on %s: %d runs each, in turns"
            % (self.a.json_list, self.a.runs))
        r = subprocess.run([self.a.bench_json, self.a.json_list, str(self.a.runs)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise BenchError("bench_json exited with %d: %s" % (r.returncode, r.stderr[-800:]))
        rows = parse_json_rows(r.stdout)
        size = re.search(r"([\d.]+ MB), (\d+) list elements", r.stdout)
        t = self.table
        t.section("JSON reader, MB/s in CPU time on a %s token list (tests/bench/bench_json.c; "
                  "the rows it prints in full with `make bench-json`)"
                  % (size.group(1) if size else "generated"))
        jsmn = find_row(rows, lambda k: k.startswith("jsmn") and "whole" in k)
        yajl = find_row(rows, lambda k: k.startswith("yajl"))
        validate = find_row(rows, lambda k: k.startswith("sg_json") and "validate" in k)
        elements = find_row(rows, lambda k: k.startswith("sg_json") and "data.tokens[]" in k)
        read_all = find_row(rows, lambda k: k.startswith("sg_json") and "read" in k)
        if None in (jsmn, yajl, validate, elements):
            raise BenchError("bench_json's table changed; rows found: %s" % list(rows))
        t.row("  validate only", "%.1f" % validate, "jsmn %.1f" % jsmn, validate / jsmn)
        t.row("  data.tokens[] elements", "%.1f" % elements, "jsmn %.1f" % jsmn,
              elements / jsmn, t.verdict(">= jsmn", elements >= jsmn, name="JSON elements >= jsmn"))
        if read_all is not None:
            t.row("  elements, the callback reading each \"id\"", "%.1f" % read_all,
                  "jsmn %.1f" % jsmn, read_all / jsmn)
        t.row("  validate only", "%.1f" % validate, "yajl %.1f" % yajl, validate / yajl)
        t.row("  data.tokens[] elements", "%.1f" % elements, "yajl %.1f" % yajl, elements / yajl)

    # ------------------------------------------------------------ HTTP parser

    def http(self):
        log("HTTP response parser: %d runs, then instructions (%s)"
            % (self.a.runs, self.runner.tool_name()))
        r = subprocess.run([self.a.bench_http, str(self.a.runs)], stdout=subprocess.PIPE,
                           text=True, check=True)
        t = self.table
        t.section("HTTP/1.1 response parser, 4 KB feeds, 16 KB JSON body (tests/bench/"
                  "bench_http.c; no reference parser is packaged here)")
        for line in r.stdout.splitlines():
            shape, size, mbps = line.split("\t")
            ipb = self.parser_instructions(shape, int(size))
            what = {"length": "Content-Length", "chunked-7": "chunked, 7-byte chunks",
                    "chunked-4k": "chunked, 4 KB chunks"}.get(shape, shape)
            t.row("  %s (%s B)" % (what, size),
                  "%.0f MB/s, %.2f instr/B" % (float(mbps), ipb), "", None)

    def parser_instructions(self, shape, size):
        iters = 20
        cmd = [self.a.bench_http, "--count", shape, str(iters)]
        with tempfile.NamedTemporaryFile("r", prefix="sgbench-ir-") as tf:
            if self.runner.perf:
                # perf counts the whole process: take the difference of two counts
                one = self.runner.instructions("bench_http", cmd[:3] + ["1"])
                return (self.runner.instructions("bench_http", cmd) - one) / ((iters - 1) * size)
            subprocess.run(["valgrind", "--tool=callgrind", "-q", "--collect-atstart=no",
                            "--toggle-collect=parse_loop", "--callgrind-out-file=" + tf.name]
                           + cmd, stdout=subprocess.DEVNULL, check=True)
            return parse_instructions(tf.read(), False) / (iters * size)

    # ------------------------------------------------------------ start-up

    def startup(self):
        log("sitegpt --version vs curl --version: %d runs each, in turns" % self.a.runs)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SITEGPT_")}
        ours_cmd, ref_cmd = [self.sitegpt, "--version"], ["curl", "--version"]
        w_ours, w_ref = self.walls(3 * self.a.runs, ("sitegpt --version", ours_cmd, env),
                                   ("curl --version", ref_cmd, None))
        ours, ref = alternate(self.a.runs,
                              lambda: self.runner.run("sitegpt --version", ours_cmd, env),
                              lambda: self.runner.run("curl --version", ref_cmd))
        r_ours, r_ref = med(s[1] for s in ours), med(s[1] for s in ref)
        t = self.table
        t.section("start-up: sitegpt --version (reference: curl --version)")
        t.row("  wall time", ms(w_ours), "curl " + ms(w_ref), w_ours / w_ref)
        t.row("  peak RSS", kb(r_ours), "curl " + kb(r_ref), r_ours / r_ref)

    def harness(self):
        if not self.floors:
            return
        t = self.table
        t.section("harness: the wall clock around /bin/true, spawned as the rows above are "
                  "(in their turns; both sides pay it)")
        t.row("  wall time", ms(med(self.floors)), "", None)


SECTIONS = ("whoami", "login", "tokens", "json", "http", "startup")


def parse_json_rows(text):
    """bench_json's table rows: label (34 columns) then MB/s and ratio."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(.{34}) +([\d.]+) +[\d.]+x", line)
        if m:
            rows[m.group(1).strip()] = float(m.group(2))
    return rows


def find_row(rows, pred):
    for k, v in rows.items():
        if pred(k):
            return v
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build folder holding sitegpt")
    ap.add_argument("--bench-json", help="tests/bench/bench_json binary")
    ap.add_argument("--json-list", help="generated token list for bench_json")
    ap.add_argument("--bench-http", help="tests/bench/bench_http binary")
    ap.add_argument("--runs", type=int, default=5, help="runs per side of each figure")
    ap.add_argument("--login-runs", type=int, default=3, help="runs per side of the login")
    ap.add_argument("--polls", type=int, default=10, help="authorization_pending polls")
    ap.add_argument("--tokens", type=int, default=10000, help="tokens for tokens list --all")
    ap.add_argument("--limit", type=int, default=100, help="page size for tokens list --all")
    ap.add_argument("--only", default=",".join(SECTIONS),
                    help="comma-separated sections to run (default all: %(default)s)")
    ap.add_argument("--smoke", action="store_true",
                    help="every step once on tiny inputs; no verdict fails the run")
    a = ap.parse_args()
    if a.smoke:
        a.runs, a.login_runs, a.polls, a.tokens, a.limit = 1, 1, 1, 30, 10
    a.bench_json = a.bench_json or os.path.join(a.build, "bench", "bench_json")
    a.bench_http = a.bench_http or os.path.join(a.build, "bench", "bench_http")
    for tool in (TIME, "curl", "jq"):
        if shutil.which(tool) is None:
            sys.exit("bench: %s is missing (make deps installs it)" % tool)
    started = time.monotonic()
    b = Bench(a)
    try:
        if not b.runner.perf and shutil.which("valgrind") is None:
            sys.exit("bench: neither perf (counting) nor valgrind is available")
        only = [x.strip() for x in a.only.split(",") if x.strip()]
        unknown = [x for x in only if x not in SECTIONS]
        if unknown:
            sys.exit("bench: unknown section %s (sections: %s)" % (
                ", ".join(unknown), ", ".join(SECTIONS)))
        m = b.mock() if "whoami" in only or "login" in only else None
        for name in SECTIONS:
            if name in ("whoami", "login") and name in only:
                getattr(b, name)(m)
            elif name in only:
                getattr(b, name)()
        b.harness()
    except BenchError as e:
        print("bench: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        b.close()
    b.table.print("sitegpt-c (%s) beside the tools a user would pick instead; medians of %d "
                  "runs taken in turns (%d for the login), %s%s" % (
                      b.sitegpt, a.runs, a.login_runs, time.strftime("%Y-%m-%d", time.gmtime()),
                      " (SMOKE: tiny inputs, figures meaningless)" if a.smoke else ""))
    print("\n%d targets missed%s; whole run %.0f s" % (
        len(b.table.misses), (": " + ", ".join(b.table.misses)) if b.table.misses else "",
        time.monotonic() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
