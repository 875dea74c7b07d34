"""HTTP/1.1 server for the mock: keep-alive, TLS, a request log and misbehaviour on demand.

Hand-rolled over sockets (not http.server) so every byte of a response can be bent: cut
short, dripped, chunked badly, doubled headers, and so on. One thread per connection.
Quiet: it logs nothing; failures are kept in lists the tests can read.
"""
import email.utils
import socket
import struct
import ssl
import threading
import time

from mock_api import REASONS, SECRET_RE, Request, Response, envelope_error, json_response

MAX_HEAD = 64 * 1024
MODES_AT_ACCEPT = ("stall_handshake",)
# Modes that answer without running the API (the request never reached the "application").
NO_APP_MODES = ("status", "redirect", "hang", "close", "garbage", "stall_handshake")
BODY_MODES = ("length", "chunked", "until_close")
MODES = (
    "close", "close_mid_headers", "close_mid_body", "truncated_chunk", "malformed_chunk",
    "drip", "oversized_header", "many_headers", "garbage", "length_and_chunked",
    "conflicting_length", "bad_length", "bare_cr", "obs_fold", "bad_header_name",
    "status_line", "interim", "extra_headers", "close_after", "status", "redirect", "delay",
    "hang", "stall_handshake") + BODY_MODES


def tcp_bytes(sock):
    """(bytes received, bytes sent) of a TCP socket from the kernel's tcp_info (Linux >= 4.19),
    TLS records included: what crossed the wire. (None, None) where the kernel cannot say."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    except (OSError, ValueError, AttributeError):
        return None, None
    if len(info) < 208:
        return None, None
    # struct tcp_info: tcpi_bytes_received at offset 128, tcpi_bytes_sent at 200 (u64 each)
    return struct.unpack_from("=Q", info, 128)[0], struct.unpack_from("=Q", info, 200)[0]


class BadRequest(Exception):
    pass


class Rule:
    """Misbehave for the next `count` matching requests (count < 0: forever)."""

    def __init__(self, mode, count=1, path=None, method=None, **params):
        if mode not in MODES:
            raise ValueError("unknown misbehave mode %r" % mode)
        self.mode, self.count, self.path, self.method = mode, count, path, method
        self.params = params

    def matches(self, method, path):
        if self.mode in MODES_AT_ACCEPT:
            return method is None
        if method is None:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.path is None:
            return True
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


def http_date(offset=0.0):
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def encode_chunked(body, size, extensions=False, trailers=False):
    out = bytearray()
    for i in range(0, len(body), max(1, size)):
        piece = body[i:i + size]
        ext = b';ext=1;name="a b"' if extensions and (i // size) % 2 == 0 else b""
        out += b"%x%s\r\n%s\r\n" % (len(piece), ext, piece)
    out += b"0" + (b";last" if extensions else b"") + b"\r\n"
    if trailers:
        out += b"X-Trailer: done\r\n"
    out += b"\r\n"
    return bytes(out)


class HttpServer:
    def __init__(self, app, host="127.0.0.1", port=0, ssl_context=None, ipv6=True,
                 idle_timeout=30.0, control_prefix="/__mock/"):
        self.app = app                    # callable(Request) -> Response
        self.control = None               # callable(Request) -> Response for control_prefix
        self.host, self.want_port, self.ctx = host, port, ssl_context
        self.want_ipv6, self.idle_timeout = ipv6, idle_timeout
        self.handshake_timeout = 10.0     # longer for clients run under valgrind
        self.control_prefix = control_prefix
        self.scheme = "https" if ssl_context else "http"
        self.port = None
        self.ipv6 = False
        self.settings = {"body_mode": "length", "chunk_size": 7, "chunk_extensions": False,
                         "chunk_trailers": False, "keep_alive": True,
                         "clock_offset": 0.0}     # seconds the server's clock is off ours
        self.lock = threading.Lock()
        self.rules = []
        self.log = []                     # request records
        self.conns = []                   # connection records
        self.tls_failures = []            # handshake error strings
        self._stop = threading.Event()
        self._listeners = []
        self._threads = []
        self._live = {}                   # conn id -> socket
        self._sni = threading.local()

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self):
        return "%s://localhost:%d" % (self.scheme, self.port)

    def start(self):
        for _ in range(20):
            v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            v4.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            v4.bind((self.host, self.want_port))
            port = v4.getsockname()[1]
            listeners = [v4]
            if self.want_ipv6 and self.host in ("127.0.0.1", "localhost"):
                try:
                    v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
                    v6.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    v6.bind(("::1", port))
                    listeners.append(v6)
                except OSError as e:
                    v6.close()
                    if e.errno == 98 and self.want_port == 0:  # EADDRINUSE: another port
                        v4.close()
                        continue
            break
        self.port = port
        self.ipv6 = len(listeners) > 1
        if self.ctx is not None:
            self.ctx.sni_callback = self._on_sni
        for ls in listeners:
            ls.listen(64)
            ls.settimeout(0.2)
            th = threading.Thread(target=self._accept_loop, args=(ls,), daemon=True,
                                  name="mock-accept-%d" % port)
            th.start()
            self._threads.append(th)
        self._listeners = listeners
        return self

    def stop(self):
        self._stop.set()
        for ls in self._listeners:
            try:
                ls.shutdown(socket.SHUT_RDWR)  # wakes the accept loop at once on Linux
            except OSError:
                pass
            ls.close()
        with self.lock:
            live = list(self._live.values())
        for s in live:
            try:
                socket.socket.shutdown(s, socket.SHUT_RDWR)
            except OSError:
                pass
        for th in list(self._threads):
            th.join(timeout=3)

    # ------------------------------------------------------------ control

    def misbehave(self, mode, count=1, path=None, method=None, **params):
        rule = Rule(mode, count, path, method, **params)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear_misbehave(self):
        with self.lock:
            self.rules.clear()

    def set(self, **kw):
        for k, v in kw.items():
            if k not in self.settings:
                raise KeyError("unknown HTTP setting %r" % k)
            if k == "body_mode" and v not in BODY_MODES:
                raise ValueError("body_mode must be one of %s" % (BODY_MODES,))
        with self.lock:
            self.settings.update(kw)

    def _take_rule(self, method, path):
        with self.lock:
            for r in self.rules:
                if r.matches(method, path):
                    if r.count > 0:
                        r.count -= 1
                        if r.count == 0:
                            self.rules.remove(r)
                    return r
        return None

    # ------------------------------------------------------------ connections

    def _accept_loop(self, ls):
        while not self._stop.is_set():
            try:
                sock, addr = ls.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            th = threading.Thread(target=self._serve_conn, args=(sock, addr), daemon=True)
            with self.lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(th)
            th.start()

    def _on_sni(self, sslobj, name, ctx):
        self._sni.name = name

    def _serve_conn(self, sock, addr):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.lock:
            cid = len(self.conns) + 1
            info = {"id": cid, "peer": addr[0], "family": "ipv6" if ":" in addr[0] else "ipv4",
                    "tls_version": None, "cipher": None, "sni": None, "resumed": None,
                    "requests": 0, "control": 0, "bytes_in": None, "bytes_out": None,
                    "opened": time.monotonic(), "closed": None}
            self.conns.append(info)
            self._live[cid] = sock
        try:
            rule = self._take_rule(None, None)
            if rule is not None:  # stall_handshake: accept, then say nothing
                self._stop.wait(float(rule.params.get("seconds", 30)))
                return
            if self.ctx is not None:
                tls = self._handshake(sock, info)
                if tls is None:
                    return
                sock = tls
                with self.lock:
                    self._live[cid] = sock
            sock.settimeout(self.idle_timeout)
            rfile = sock.makefile("rb")
            while not self._stop.is_set():
                try:
                    req = self._read_request(rfile, sock)
                except BadRequest as e:
                    self._send_raw(sock, self._simple(400, "BAD_REQUEST", str(e), close=True))
                    return
                if req is None:
                    return
                if not self._respond(sock, req, info):
                    return
        except (OSError, ValueError, ssl.SSLError):
            return  # peer went away, timeout, or we are stopping
        finally:
            info["bytes_in"], info["bytes_out"] = tcp_bytes(sock)
            info["closed"] = time.monotonic()
            with self.lock:
                self._live.pop(cid, None)
            try:
                sock.close()
            except OSError:
                pass

    def _handshake(self, raw, info):
        self._sni.name = None
        try:
            tls = self.ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        except (OSError, ssl.SSLError) as e:
            self.tls_failures.append(str(e))
            raw.close()
            return None
        try:
            tls.settimeout(self.handshake_timeout)
            tls.do_handshake()
        except (OSError, ssl.SSLError) as e:
            with self.lock:
                self.tls_failures.append("%s" % (e.__class__.__name__ + ": " + str(e)))
            tls.close()
            return None
        info["tls_version"] = tls.version()
        info["cipher"] = (tls.cipher() or (None,))[0]
        info["sni"] = self._sni.name
        info["resumed"] = tls.session_reused
        return tls

    # ------------------------------------------------------------ request side

    def _read_request(self, rfile, sock):
        line = rfile.readline(MAX_HEAD + 1)
        while line in (b"\r\n", b"\n"):  # RFC 9112 2.2: ignore a stray CRLF before a request
            line = rfile.readline(MAX_HEAD + 1)
        if not line:
            return None
        if not line.endswith(b"\n"):
            raise BadRequest("request line too long or cut")
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest("malformed request line")
        method, target, version = parts
        headers, total = [], len(line)
        while True:
            h = rfile.readline(MAX_HEAD + 1)
            total += len(h)
            if total > MAX_HEAD or not h.endswith(b"\n"):
                raise BadRequest("header block too large or cut")
            if h in (b"\r\n", b"\n"):
                break
            if h[:1] in (b" ", b"\t"):
                raise BadRequest("obs-fold in request")
            name, sep, value = h.decode("latin-1").rstrip("\r\n").partition(":")
            if not sep or not name or name != name.strip():
                raise BadRequest("malformed header line")
            headers.append((name, value.strip(" \t")))
        lower = {}
        for k, v in headers:
            lower.setdefault(k.lower(), []).append(v)
        te, cl = lower.get("transfer-encoding"), lower.get("content-length")
        if te and cl:
            raise BadRequest("both Content-Length and Transfer-Encoding")
        if (lower.get("expect") or [""])[0].lower() == "100-continue":
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = b""
        if te:
            if te[-1].lower() != "chunked":
                raise BadRequest("unsupported transfer coding")
            body = self._read_chunked(rfile)
        elif cl:
            if len(set(cl)) != 1 or not cl[0].isdigit():
                raise BadRequest("bad Content-Length")
            n = int(cl[0])
            if n > 16 * 1024 * 1024:
                raise BadRequest("body too large")
            body = rfile.read(n)
            if len(body) != n:
                raise BadRequest("body cut short")
        conn_hdr = ",".join(lower.get("connection", [])).lower()
        keep = "close" not in conn_hdr and (version == "HTTP/1.1" or "keep-alive" in conn_hdr)
        return {"method": method, "target": target, "version": version, "headers": headers,
                "body": body, "keep_alive": keep, "t": time.monotonic()}

    @staticmethod
    def _read_chunked(rfile):
        body = bytearray()
        while True:
            line = rfile.readline(1024)
            try:
                n = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BadRequest("bad chunk size")
            if n == 0:
                while rfile.readline(MAX_HEAD) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(body)
            body += rfile.read(n)
            if rfile.readline(3) not in (b"\r\n", b"\n") or len(body) > 16 * 1024 * 1024:
                raise BadRequest("bad chunk framing")

    def _record(self, raw, info, path, req):
        headers = []
        auth = None
        for k, v in raw["headers"]:
            if k.lower() == "authorization":
                auth = v
                v = (v.split(" ", 1)[0] + " <redacted>") if " " in v else "<redacted>"
            headers.append([k, v])
        text = raw["body"].decode("utf-8", "replace")
        redacted = SECRET_RE.sub("<redacted>", text)
        rec = {"seq": None, "t": raw["t"], "time": time.time(), "conn": info["id"],
               "conn_seq": info["requests"], "scheme": self.scheme, "port": self.port,
               "family": info["family"], "method": raw["method"], "target": raw["target"],
               "path": path, "query": [list(p) for p in req.query], "version": raw["version"],
               "headers": headers, "authorization": auth is not None,
               "auth_scheme": auth.split(" ", 1)[0] if auth else None, "token_id": None,
               "body": redacted, "body_len": len(raw["body"]),
               "body_had_secret": redacted != text, "status": None, "misbehave": None,
               "error": None, "user_code": None, "form": None}
        with self.lock:
            rec["seq"] = len(self.log) + 1
            self.log.append(rec)
        return rec

    # ------------------------------------------------------------ response side

    def _respond(self, sock, raw, info):
        target = raw["target"]
        req = Request(raw["method"], target, raw["headers"], raw["body"], self.base_url)
        path = req.path
        if path.startswith(self.control_prefix) and self.control is not None:
            info["control"] += 1
            resp = self.control(req)
            head, body = self._encode(resp, "length", raw, close=not raw["keep_alive"])
            self._send_raw(sock, head + body)
            return raw["keep_alive"]
        info["requests"] += 1
        rec = self._record(raw, info, path, req)
        rule = self._take_rule(raw["method"], path)
        mode = rule.mode if rule else None
        p = rule.params if rule else {}
        rec["misbehave"] = mode
        if mode == "hang":
            self._stop.wait(float(p.get("seconds", 30)))
            return False
        if mode == "delay":
            if self._stop.wait(float(p.get("ms", 1000)) / 1000.0):
                return False
        resp = None
        if p.get("run_app", mode not in NO_APP_MODES):
            resp = self.app(req)
            for key in ("token_id", "error", "user_code", "form"):
                rec[key] = req.notes.get(key)
        if mode == "status":
            resp = self._status_response(p)
        elif mode == "redirect":
            resp = self._redirect_response(p, target)
        if resp is None:
            resp = Response(204)
        rec["status"] = resp.status
        if mode in ("close", "garbage"):
            if mode == "garbage":
                data = p.get("data", "\x16\x03\x01 this is not HTTP\x00\xff\r\n\r\n")
                self._send_raw(sock, data.encode("latin-1") if isinstance(data, str) else data)
            return False
        body_mode = mode if mode in BODY_MODES else self.settings["body_mode"]
        if mode in ("truncated_chunk", "malformed_chunk", "length_and_chunked"):
            body_mode = "chunked"
        elif mode in ("close_mid_body", "conflicting_length", "bad_length"):
            body_mode = "length"
        close = not raw["keep_alive"] or body_mode == "until_close" or \
            not self.settings["keep_alive"]
        head, body = self._encode(resp, body_mode, raw, close, rule)
        if mode == "interim":
            self._send_raw(sock, b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"
                           b"HTTP/1.1 100 Continue\r\n\r\n")
        if mode == "close_mid_headers":
            self._send_raw(sock, head[:max(1, int(len(head) * p.get("fraction", 0.5)))])
            return False
        if mode == "close_mid_body":
            self._send_raw(sock, head + body[:int(len(body) * p.get("fraction", 0.5))])
            return False
        if mode == "truncated_chunk":
            raw_body = resp.body or b"{}"
            self._send_raw(sock, head + b"%x\r\n" % len(raw_body) + raw_body[:len(raw_body) // 2])
            return False
        if mode == "malformed_chunk":
            variant = p.get("variant", "nonhex")
            data = resp.body or b"{}"
            bad = {"nonhex": b"zz\r\n" + data, "overflow": b"1" + b"0" * 20 + b"\r\n" + data,
                   "negative": b"-5\r\n" + data, "empty": b"\r\n" + data,
                   "missing_crlf": b"%x\r\n%sXX" % (len(data), data)}[variant]
            self._send_raw(sock, head + bad + b"\r\n0\r\n\r\n")
            return False
        if mode == "drip":
            data = head + body
            step, every = int(p.get("bytes", 1)), float(p.get("every_ms", 10)) / 1000.0
            for i in range(0, len(data), max(1, step)):
                sock.sendall(data[i:i + step])
                if self._stop.wait(every):
                    return False
        else:
            self._send_raw(sock, head + body)
            if body_mode == "until_close":
                self._close_notify(sock)
        framing_broken = mode in ("length_and_chunked", "conflicting_length", "bad_length",
                                  "bare_cr", "obs_fold", "bad_header_name", "status_line",
                                  "oversized_header", "many_headers")
        return not (close or framing_broken or mode == "close_after")

    def _encode(self, resp, body_mode, raw, close, rule=None):
        mode = rule.mode if rule else None
        p = rule.params if rule else {}
        status = resp.status
        lines = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status"))]
        if mode == "status_line":
            lines[0] = p.get("line", "HTTP/1.1 2OO OK")
        headers = [("Date", http_date(self.settings["clock_offset"])), ("Server", "sitegpt-mock")] + resp.headers
        extra = p.get("headers") if mode == "extra_headers" else None
        if isinstance(extra, dict):
            extra = list(extra.items())
        headers += [tuple(h) for h in (extra or [])]
        for k, v in headers:
            lines.append("%s: %s" % (k, v))
        if mode == "oversized_header":
            lines.append("X-Padding: " + "a" * int(p.get("size", 65536)))
        elif mode == "many_headers":
            lines += ["X-Many-%d: %d" % (i, i) for i in range(int(p.get("n", 1000)))]
        elif mode == "bare_cr":
            lines.append("X-Bare: a\rb")
        elif mode == "obs_fold":
            lines.append("X-Folded: first\r\n  continued")
        elif mode == "bad_header_name":
            lines.append(p.get("line", "Bad Header: x"))
        no_body = raw["method"] == "HEAD" or status in (204, 304)
        body = b"" if no_body else resp.body
        if status in (204, 304) or status < 200:
            pass  # never framed
        elif body_mode == "chunked":
            lines.append("Transfer-Encoding: chunked")
            if mode == "length_and_chunked":
                lines.append("Content-Length: %d" % len(resp.body))
            s = self.settings
            if not no_body:
                body = encode_chunked(body, int(p.get("chunk_size", s["chunk_size"])),
                                      s["chunk_extensions"], s["chunk_trailers"])
        elif body_mode == "length":
            if mode == "bad_length":
                lines.append("Content-Length: " + p.get("value", "abc"))
            else:
                lines.append("Content-Length: %d" % len(resp.body))
            if mode == "conflicting_length":
                lines.append("Content-Length: %d" % (len(resp.body) + 5))
        if close:
            lines.append("Connection: close")
        elif raw["version"] == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return head, body

    def _status_response(self, p):
        status = int(p.get("status", 503))
        headers = []
        if "retry_after" in p:
            headers.append(("Retry-After", str(p["retry_after"])))
        if "retry_after_date" in p:
            headers.append(("Retry-After", http_date(float(p["retry_after_date"]) +
                                                     self.settings["clock_offset"])))
        for k, v in (p.get("headers") or {}).items():
            headers.append((k, str(v)))
        if "body" in p:
            body = p["body"]
            if isinstance(body, (dict, list)):
                return json_response(status, body, headers)
            return Response(status, body or b"", headers,
                            content_type=p.get("content_type", "text/html"))
        code = p.get("code") or {429: "RATE_LIMITED"}.get(status) or \
            ("SERVICE_UNAVAILABLE" if status >= 500 else "HTTP_%d" % status)
        msg = p.get("message", "Mock status %d." % status)
        return json_response(status, envelope_error(code, msg), headers)

    @staticmethod
    def _redirect_response(p, target):
        if "location" in p:
            loc = p["location"]
        else:
            loc = p.get("to_base", "") + p.get("to_path", target)
        return json_response(int(p.get("status", 307)),
                             envelope_error("REDIRECT", "Moved."), [("Location", loc)])

    def _simple(self, status, code, message, close):
        resp = json_response(status, envelope_error(code, message))
        head, body = self._encode(resp, "length", {"method": "GET", "version": "HTTP/1.1"}, close)
        return head + body

    @staticmethod
    def _close_notify(sock):
        """End a TLS stream cleanly: a body ended by close is complete only with close_notify."""
        if isinstance(sock, ssl.SSLSocket):
            try:
                sock.settimeout(1.0)
                sock.unwrap()
            except (OSError, ValueError):
                pass

    @staticmethod
    def _send_raw(sock, data):
        sock.sendall(data)

    # ------------------------------------------------------------ reading the log

    def requests(self, path=None, method=None):
        with self.lock:
            out = [dict(r) for r in self.log]
        return [r for r in out if (path is None or r["path"] == path)
                and (method is None or r["method"] == method)]

    def clear_requests(self):
        with self.lock:
            self.log.clear()
