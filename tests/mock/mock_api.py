"""SiteGPT API v2 and OAuth device flow, as state plus route handlers (contract sections 1-3).

No sockets here: MockApi.handle(Request) -> Response. The HTTP layer (mock_http.py) frames
bytes; sitegpt_mock.py puts both together with the /__mock/ control API.
"""
import base64
import datetime
import hashlib
import json
import re
import secrets
import threading
import time
import urllib.parse

SCOPES = (
    "account:read account:write tokens:read tokens:write chatbots:read chatbots:write "
    "chatbots:delete knowledge:read knowledge:write knowledge:delete personas:read personas:write "
    "personas:delete instructions:read instructions:write instructions:delete settings:read "
    "settings:write starters:read starters:write starters:delete followups:read followups:write "
    "followups:delete conversations:read conversations:write conversations:delete leads:read "
    "leads:write leads:delete members:read members:write members:delete integrations:read "
    "integrations:write billing:read billing:write").split()
assert len(SCOPES) == 37
SCOPE_SET = frozenset(SCOPES)
STANDARD_SCOPES = tuple(s for s in SCOPES
                        if s not in ("tokens:write", "billing:write", "integrations:write"))
CLIENT_ID = "sitegpt-cli"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # RFC 8628 6.1: no vowels, no look-alikes
DEFAULT_LIMIT = 20
SECRET_RE = re.compile(r"sgpt_[A-Za-z0-9_\-]+")

REASONS = {
    100: "Continue", 103: "Early Hints", 200: "OK", 201: "Created", 204: "No Content",
    301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
    308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
    404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
    413: "Content Too Large", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}


def iso(t):
    """Epoch seconds -> '2025-01-31T12:00:00.000Z' (None stays None)."""
    if t is None:
        return None
    dt = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def order_scopes(scopes):
    """Deduplicated, in the order the API lists them."""
    wanted = set(scopes)
    return [s for s in SCOPES if s in wanted]


def secret_hash(secret):
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


class Request:
    """A parsed request as the handlers see it. notes: facts for the request log."""

    def __init__(self, method, target, headers, body, base_url):
        self.method = method
        self.target = target
        split = urllib.parse.urlsplit(target)
        self.path = split.path
        self.query = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        self.headers = headers  # list of (name, value), in order
        self.body = body
        self.base_url = base_url
        self.notes = {}

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def q(self, name):
        return [v for k, v in self.query if k == name]


class Response:
    def __init__(self, status, body=b"", headers=None, content_type="application/json"):
        self.status = status
        self.headers = list(headers or [])
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.body = body
        if content_type and body:
            self.headers.insert(0, ("Content-Type", content_type + "; charset=utf-8"))


def json_response(status, obj, headers=None):
    return Response(status, json.dumps(obj, separators=(",", ":")), headers)


def request_id():
    return "req_" + secrets.token_hex(8)


def envelope_ok(data):
    return {"ok": True, "data": data, "meta": {"requestId": request_id()}}


def envelope_error(code, message, hint=None, details=None):
    err = {"code": code, "message": message}
    if hint is not None:
        err["hint"] = hint
    if details is not None:
        err["details"] = details
    return {"ok": False, "error": err, "meta": {"requestId": request_id()}}


class ApiError(Exception):
    """An API v2 error envelope."""

    def __init__(self, status, code, message, hint=None, details=None, headers=None):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message
        self.hint, self.details, self.headers = hint, details, headers or []

    def response(self):
        return json_response(self.status, envelope_error(self.code, self.message, self.hint,
                                                         self.details), self.headers)


class OAuthError(Exception):
    """An RFC 6749 5.2 error body."""

    def __init__(self, error, description, status=400, extra=None):
        super().__init__(error)
        self.error, self.description, self.status = error, description, status
        self.extra = extra or {}

    def response(self):
        body = {"error": self.error, "error_description": self.description}
        body.update(self.extra)
        return json_response(self.status, body, NO_STORE)


NO_STORE = [("Cache-Control", "no-store"), ("Pragma", "no-cache")]


def validation_failed(issues):
    return ApiError(400, "VALIDATION_FAILED", "Request validation failed: " +
                    ", ".join(i["field"] for i in issues) + ".",
                    hint="Check the listed fields and try again.", details=issues)


class Token:
    __slots__ = ("id", "name", "scopes", "chatbot_ids", "created", "expires", "last_used",
                 "revoked", "hash", "seq")

    def to_json(self):
        return {"id": self.id, "name": self.name, "scopes": list(self.scopes),
                "chatbotIds": list(self.chatbot_ids), "createdAt": iso(self.created),
                "expiresAt": iso(self.expires), "lastUsedAt": iso(self.last_used),
                "revokedAt": iso(self.revoked)}


class Device:
    """One device authorization: what the client asked for and how it polled."""

    def __init__(self, device_code, user_code, now, expires_in, interval):
        self.device_code = device_code
        self.user_code = user_code
        self.issued = now                      # time.monotonic()
        self.expires_at = now + expires_in
        self.interval = interval               # None: not sent, RFC default 5 s applies
        self.status = "pending"                # pending|approved|denied|expired|exchanged
        self.request = {}
        self.polls = []                        # monotonic times of every token request
        self.results = []                      # error code or "token" per poll
        self.force_slow_down = 0
        self.approve_at = None                 # auto-approve time
        self.token_id = None

    def to_json(self):
        # Never the device code: tests print these.
        return {"user_code": self.user_code, "status": self.status, "interval": self.interval,
                "issued": self.issued, "expires_at": self.expires_at,
                "request": dict(self.request), "polls": list(self.polls),
                "results": list(self.results), "token_id": self.token_id}


def _normal_user_code(code):
    return re.sub(r"[^A-Z0-9]", "", code.upper())


class MockApi:
    def __init__(self, **config):
        self.lock = threading.RLock()
        self.cfg = {
            "device_interval": 2,          # None: omit "interval" (client must use 5)
            "device_expires_in": 899,
            "slow_down_interval_in_body": False,  # slow_down body carries the new interval
            "slow_down_first_poll": False,  # measure the first poll against the issue time
            "poll_tolerance": 0.05,         # seconds of slack before slow_down
            "auto_approve": False,
            "auto_approve_delay": 1.0,
            "auto_approve_polls": None,     # int: approve after exactly this many pending polls
            "serve_discovery": True,
            "discovery_base": None,         # advertise OAuth endpoints on this origin instead
            "discovery_issuer": None,       # hostile: name this issuer instead of the origin
            "role_scopes": list(SCOPES),    # what the mock user's role may issue
            "max_limit": 100,
            "token_lifetime_s": None,       # tokens the device flow issues live this long
            "clock_offset": 0.0,            # the server's clock minus ours, in seconds
            "me_omit": [],                  # auth members /me leaves out (an older server)
            "user": {"id": "usr_mock0001", "email": "dev@example.com", "name": "Mock Developer"},
            "hostile_text": None,           # appended to every string the server sends (below)
            "verification_uri": None,       # sent instead of the real verification URIs
            "grant_drop_scopes": [],        # asked-for scopes the token response leaves out
        }
        self.configure(**config)
        self._clear()

    def _clear(self):
        self.tokens = {}         # id -> Token
        self.token_order = []    # ids, creation order (append only)
        self.by_hash = {}        # sha256(secret) -> Token
        self.devices = {}        # device_code -> Device
        self.by_user_code = {}   # normalized user code -> Device
        self.device_order = []
        self.chatbots = []       # dicts, creation order
        self.issued = []         # every secret handed out (tokens and device codes)
        for name in ("Support Bot", "Sales Bot", "Docs Bot"):
            self.add_chatbot(name)

    # ------------------------------------------------------------ configuration & seeding

    def configure(self, **kw):
        with self.lock:
            for k, v in kw.items():
                if k not in self.cfg:
                    raise KeyError("unknown mock setting %r" % k)
                self.cfg[k] = v

    def add_chatbot(self, name=None, id=None):
        with self.lock:
            n = len(self.chatbots) + 1
            cb = {"id": id or "cb_%04d" % n, "name": name or "Chatbot %d" % n,
                  "createdAt": iso(time.time() - 86400 * (400 - n % 400)),
                  "updatedAt": iso(time.time()), "status": "active"}
            self.chatbots.append(cb)
            return dict(cb)

    def _chatbot(self, cid):
        for cb in self.chatbots:
            if cb["id"] == cid:
                return cb
        return None

    def _new_token(self, name, scopes, chatbot_ids, lifetime_s, plaintext=None, with_secret=True,
                   now=None):
        now = time.time() if now is None else now
        t = Token()
        t.id = "tok_" + secrets.token_hex(8)
        t.name, t.scopes, t.chatbot_ids = name, order_scopes(scopes), list(chatbot_ids or [])
        t.created, t.expires = now, now + lifetime_s
        t.last_used = t.revoked = None
        t.seq = len(self.token_order)
        t.hash = None
        self.tokens[t.id] = t
        self.token_order.append(t.id)
        secret = None
        if with_secret:
            secret = self._set_secret(t, plaintext)
        return t, secret

    def _set_secret(self, t, plaintext=None):
        secret = plaintext or "sgpt_" + secrets.token_urlsafe(30).replace("-", "x").replace("_", "y")
        if t.hash:
            self.by_hash.pop(t.hash, None)
        t.hash = secret_hash(secret)
        self.by_hash[t.hash] = t
        self.issued.append(secret)
        return secret

    def seed_token(self, scopes=None, chatbot_ids=(), name="seeded token", expires_in_days=90,
                   plaintext=None, expired=False, revoked=False, lifetime_s=None):
        """Create a token directly; returns (plaintext, token json). lifetime_s overrides
        expires_in_days (short-lived tokens for renewal tests)."""
        scopes = list(SCOPES) if scopes is None else list(scopes)
        bad = [s for s in scopes if s not in SCOPE_SET]
        if bad:
            raise ValueError("unknown scopes %r" % bad)
        if plaintext is not None and not plaintext.startswith("sgpt_"):
            raise ValueError("a token starts with sgpt_")
        with self.lock:
            life = float(lifetime_s) if lifetime_s else expires_in_days * 86400.0
            t, secret = self._new_token(name, scopes, chatbot_ids, life, plaintext)
            if expired:
                t.expires = time.time() - 60
            if revoked:
                t.revoked = time.time()
            return secret, t.to_json()

    def seed_tokens(self, n, scopes=("tokens:read",), name="bulk token %d", revoked_every=0):
        """Bulk-create n tokens without usable secrets (fast); returns their ids."""
        ids = []
        with self.lock:
            now = time.time()
            for i in range(n):
                t, _ = self._new_token(name % i if "%d" in name else name, scopes, (),
                                       90 * 86400.0, with_secret=False, now=now)
                if revoked_every and i % revoked_every == 0:
                    t.revoked = now
                ids.append(t.id)
        return ids

    def token_json(self, tid):
        with self.lock:
            t = self.tokens.get(tid)
            return t.to_json() if t else None

    def all_tokens(self):
        with self.lock:
            return [self.tokens[i].to_json() for i in self.token_order]

    def revoke_token(self, tid):
        with self.lock:
            t = self.tokens[tid]
            t.revoked = t.revoked or time.time()
            return t.to_json()

    def expire_token(self, tid):
        with self.lock:
            t = self.tokens[tid]
            t.expires = time.time() - 1
            return t.to_json()

    # ------------------------------------------------------------ device control

    def device(self, user_code):
        d = self.by_user_code.get(_normal_user_code(user_code))
        if d is None:
            raise KeyError("no device authorization with that user code")
        return d

    def approve(self, user_code):
        with self.lock:
            d = self.device(user_code)
            if d.status not in ("pending", "approved"):
                raise ValueError("device authorization is %s" % d.status)
            d.status = "approved"
            return d.to_json()

    def deny(self, user_code):
        with self.lock:
            d = self.device(user_code)
            d.status = "denied"
            return d.to_json()

    def expire_device(self, user_code):
        with self.lock:
            d = self.device(user_code)
            d.expires_at = time.monotonic() - 0.001
            return d.to_json()

    def slow_down_device(self, user_code, times=1):
        with self.lock:
            d = self.device(user_code)
            d.force_slow_down += times
            return d.to_json()

    def device_list(self):
        with self.lock:
            return [self.devices[c].to_json() for c in self.device_order]

    def reset(self):
        """Forget tokens, device codes and chatbots (settings stay)."""
        with self.lock:
            self._clear()

    # ------------------------------------------------------------ dispatch

    def handle(self, req):
        try:
            resp = self._route(req)
        except (ApiError, OAuthError) as e:
            if isinstance(e, ApiError) and e.status >= 400:
                req.notes["error"] = e.code
            elif isinstance(e, OAuthError):
                req.notes["error"] = e.error
            resp = e.response()
        return self._hostile(resp)

    # Members a client must echo back or match exactly: left alone by hostile_text.
    _HOSTILE_KEEP = frozenset(("device_code", "access_token", "plaintextToken", "token_type",
                               "nextCursor", "ok", "scope", "scopes", "expiresAt", "createdAt",
                               "issuer", "error"))

    def _hostile(self, resp):
        """hostile_text: append it to every string of a JSON body (terminal escape tests)."""
        text = self.cfg["hostile_text"]
        if not text or not resp.body:
            return resp
        try:
            doc = json.loads(resp.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return resp

        def walk(v, key=None):
            if isinstance(v, dict):
                return {k: walk(x, k) for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x, key) for x in v]
            if isinstance(v, str) and key not in self._HOSTILE_KEEP and \
                    not str(key).endswith(("_endpoint", "_supported")):
                return v + text
            return v
        body = json.dumps(walk(doc), separators=(",", ":")).encode("utf-8")
        resp.body = body
        return resp

    def _route(self, req):
        p, m = req.path, req.method
        if m == "HEAD":
            m = "GET"
        routes = [
            ("/api/v2/health", {"GET": self.health}),
            ("/api/v2/me", {"GET": self.me}),
            ("/api/v2/account", {"GET": self.account}),
            ("/api/v2/usage", {"GET": self.usage}),
            ("/api/v2/limits", {"GET": self.limits}),
            ("/api/v2/tokens", {"GET": self.tokens_list, "POST": self.tokens_create}),
            ("/api/v2/chatbots", {"GET": self.chatbots_list}),
            ("/oauth/device_authorization", {"POST": self.device_authorization}),
            ("/oauth/token", {"POST": self.token_endpoint}),
            ("/device", {"GET": self.device_page}),
        ]
        if p.startswith("/.well-known/"):
            return self.discovery(req)
        args = ()
        table = None
        for path, methods in routes:
            if p == path:
                table = methods
                break
        if table is None:
            parts = p.split("/")
            if len(parts) == 5 and p.startswith("/api/v2/tokens/") and parts[4]:
                table, args = {"DELETE": self.tokens_revoke}, (parts[4],)
            elif len(parts) == 6 and p.startswith("/api/v2/tokens/") and parts[5] == "rotate":
                table, args = {"POST": self.tokens_rotate}, (parts[4],)
            elif len(parts) == 5 and p.startswith("/api/v2/chatbots/") and parts[4]:
                table, args = {"GET": self.chatbots_get}, (parts[4],)
        if table is None:
            raise ApiError(404, "NOT_FOUND", "No route for %s %s." % (req.method, p))
        handler = table.get(m)
        if handler is None:
            allow = ", ".join(sorted(table))
            if p.startswith("/oauth/"):
                raise OAuthError("invalid_request", "Use %s for this endpoint." % allow,
                                 status=405, extra={})
            raise ApiError(405, "METHOD_NOT_ALLOWED", "%s is not allowed here." % req.method,
                           headers=[("Allow", allow)])
        return handler(req, *args)

    # ------------------------------------------------------------ helpers

    def _authenticate(self, req, scope=None):
        """The token behind the request, or the contract's 401/403 envelope."""
        www = 'Bearer resource_metadata="%s/.well-known/oauth-protected-resource/api/v2"' \
            % req.base_url
        value = req.header("authorization")
        req.notes["auth"] = value is not None
        if value is None:
            raise ApiError(401, "AUTHORIZATION_HEADER_REQUIRED",
                           "An Authorization header is required.",
                           hint="Send 'Authorization: Bearer <token>'; run `sitegpt login` first.",
                           headers=[("WWW-Authenticate", www)])
        parts = value.split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1].strip():
            raise ApiError(401, "AUTHORIZATION_HEADER_REQUIRED",
                           "The Authorization header must be 'Bearer <token>'.",
                           headers=[("WWW-Authenticate", www)])
        t = self.by_hash.get(secret_hash(parts[1].strip()))
        now = time.time()
        if t is None or t.revoked is not None or t.expires <= now:
            req.notes["token_id"] = t.id if t else None
            raise ApiError(401, "TOKEN_NOT_VALID",
                           "The API token is not valid (unknown, revoked or expired).",
                           hint="Log in again with `sitegpt login`.",
                           headers=[("WWW-Authenticate", www + ', error="invalid_token"')])
        req.notes["token_id"] = t.id
        t.last_used = now
        if scope is not None and scope not in t.scopes:
            raise ApiError(403, "TOKEN_SCOPE_NOT_ALLOWED",
                           "This token does not have the %s scope." % scope,
                           hint="Log in again with `sitegpt login --scope %s` (or a token "
                                "that has it)." % scope,
                           details={"requiredScopes": [scope]})
        return t

    def _json_body(self, req):
        if not req.body:
            return None
        try:
            return json.loads(req.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "VALIDATION_FAILED", "The request body is not valid JSON.",
                           details=[{"field": "body", "message": "invalid JSON"}])

    def _paginate(self, req, seq, keep, newest_first):
        """One page of seq (append-only) filtered by keep; cursor = opaque position."""
        issues = []
        limit = DEFAULT_LIMIT
        raw = req.q("limit")
        if raw:
            try:
                limit = int(raw[0], 10)
            except ValueError:
                limit = 0
            if limit < 1 or not raw[0].isdigit():
                issues.append({"field": "limit", "message": "must be an integer >= 1"})
        limit = min(limit, self.cfg["max_limit"])
        n = len(seq)
        pos = n - 1 if newest_first else 0
        raw = req.q("cursor")
        if raw and raw[0]:
            try:
                dec = base64.urlsafe_b64decode(raw[0] + "=" * (-len(raw[0]) % 4)).decode()
                if not dec.startswith("c1:"):
                    raise ValueError
                pos = int(dec[3:])
                if not 0 <= pos < n:
                    raise ValueError
            except ValueError:
                issues.append({"field": "cursor", "message": "unknown or malformed cursor"})
        if issues:
            raise validation_failed(issues)
        step = -1 if newest_first else 1
        items, nxt = [], None
        while 0 <= pos < n:
            if keep(seq[pos]):
                if len(items) == limit:
                    nxt = base64.urlsafe_b64encode(b"c1:%d" % pos).decode().rstrip("=")
                    break
                items.append(seq[pos])
            pos += step
        return items, {"limit": limit, "hasNextPage": nxt is not None, "nextCursor": nxt}

    # ------------------------------------------------------------ API v2 routes

    def health(self, req):
        return json_response(200, envelope_ok({"status": "ok", "time": iso(time.time())}))

    def _me(self, req, scope):
        with self.lock:
            t = self._authenticate(req, scope)
            off = self.cfg["clock_offset"]
            data = {"user": dict(self.cfg["user"]),
                    "auth": {"type": "api-token", "scopes": list(t.scopes), "tokenId": t.id,
                             "chatbotIds": list(t.chatbot_ids),
                             "createdAt": iso(t.created + off),
                             "expiresAt": iso(t.expires + off)}}
            for name in self.cfg["me_omit"]:
                data["auth"].pop(name, None)
        return json_response(200, envelope_ok(data))

    def me(self, req):
        return self._me(req, None)

    def account(self, req):
        return self._me(req, "account:read")

    def usage(self, req):
        with self.lock:
            self._authenticate(req, "account:read")
            now = time.time()
            data = {"usage": {"periodStart": iso(now - 86400 * 10),
                              "periodEnd": iso(now + 86400 * 20),
                              "messages": {"used": 1234, "limit": 5000},
                              "chatbots": {"used": len(self.chatbots), "limit": 10},
                              "members": {"used": 1, "limit": 3}}}
        return json_response(200, envelope_ok(data))

    def limits(self, req):
        with self.lock:
            self._authenticate(req, "account:read")
        return json_response(200, envelope_ok({"limits": {
            "chatbots": 10, "messagesPerMonth": 5000, "members": 3, "pagesPerChatbot": 5000}}))

    def tokens_list(self, req):
        with self.lock:
            self._authenticate(req, "tokens:read")
            inc = req.q("includeRevoked")
            if inc and inc[0] not in ("true", "false"):
                raise validation_failed([{"field": "includeRevoked",
                                          "message": "must be true or false"}])
            include = bool(inc) and inc[0] == "true"
            tokens = self.tokens
            ids, page = self._paginate(req, self.token_order,
                                       lambda i: include or tokens[i].revoked is None, True)
            data = {"tokens": [tokens[i].to_json() for i in ids], "pagination": page}
        return json_response(200, envelope_ok(data))

    def _check_role(self, scopes):
        role = set(self.cfg["role_scopes"])
        denied = [s for s in scopes if s not in role]
        if denied:
            raise ApiError(403, "TOKEN_SCOPE_NOT_ALLOWED",
                           "Your role does not allow issuing: %s." % ", ".join(denied),
                           hint="Ask a workspace owner, or request fewer scopes.",
                           details={"notAllowedScopes": denied})

    def tokens_create(self, req):
        with self.lock:
            self._authenticate(req, "tokens:write")
            body = self._json_body(req)
            if not isinstance(body, dict):
                raise validation_failed([{"field": "body", "message": "must be a JSON object"}])
            issues, bad_scopes = [], []
            name = body.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 120:
                issues.append({"field": "name", "message": "must be a string of 1..120 characters"})
            scopes = body.get("scopes")
            if not isinstance(scopes, list) or not scopes or \
                    not all(isinstance(s, str) for s in scopes):
                issues.append({"field": "scopes", "message": "must be a non-empty array of scopes"})
            else:
                bad_scopes = [s for s in scopes if s not in SCOPE_SET]
            cids = body.get("chatbotIds")
            if cids is not None and (not isinstance(cids, list) or
                                     not all(isinstance(c, str) and c for c in cids)):
                issues.append({"field": "chatbotIds", "message": "must be an array of ids"})
                cids = None
            days, at = body.get("expiresInDays"), body.get("expiresAt")
            lifetime = 90 * 86400.0
            now = time.time()
            if days is not None and at is not None:
                issues.append({"field": "expiresAt",
                               "message": "give expiresInDays or expiresAt, not both"})
            elif days is not None:
                if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
                    issues.append({"field": "expiresInDays",
                                   "message": "must be an integer 1..365"})
                else:
                    lifetime = days * 86400.0
            elif at is not None:
                when = _parse_datetime(at)
                if when is None:
                    issues.append({"field": "expiresAt",
                                   "message": "must be an ISO 8601 date-time with a time zone"})
                elif not now < when <= now + 366 * 86400:
                    issues.append({"field": "expiresAt",
                                   "message": "must be in the future, at most 365 days away"})
                else:
                    lifetime = when - now
            if issues:
                raise validation_failed(issues)
            if bad_scopes:
                raise ApiError(400, "TOKEN_SCOPE_NOT_VALID",
                               "Unknown scope: %s." % ", ".join(bad_scopes),
                               details=[{"field": "scopes", "message": "unknown scope",
                                         "invalidScopes": bad_scopes}])
            self._check_role(scopes)
            for c in cids or ():
                if self._chatbot(c) is None:
                    raise ApiError(404, "CHATBOT_NOT_FOUND", "Chatbot %s was not found." % c,
                                   details={"chatbotId": c})
            t, secret = self._new_token(name, scopes, cids, lifetime, now=now)
            data = {"token": t.to_json(), "plaintextToken": secret}
        return json_response(201, envelope_ok(data))

    def _token_for_change(self, req, tid):
        self._authenticate(req, "tokens:write")
        t = self.tokens.get(tid)
        if t is None:
            raise ApiError(404, "TOKEN_NOT_FOUND", "Token %s was not found." % tid)
        return t

    def tokens_rotate(self, req, tid):
        with self.lock:
            t = self._token_for_change(req, tid)
            if t.revoked is not None:
                raise ApiError(400, "VALIDATION_FAILED", "A revoked token cannot be rotated.",
                               details=[{"field": "id", "message": "token is revoked"}])
            secret = self._set_secret(t)
            data = {"token": t.to_json(), "plaintextToken": secret}
        return json_response(200, envelope_ok(data))

    def tokens_revoke(self, req, tid):
        with self.lock:
            t = self._token_for_change(req, tid)
            t.revoked = t.revoked or time.time()  # idempotent, so a retried DELETE is safe
            data = {"token": t.to_json()}
        return json_response(200, envelope_ok(data))

    def chatbots_list(self, req):
        with self.lock:
            t = self._authenticate(req, "chatbots:read")
            allowed = set(t.chatbot_ids)
            bots, page = self._paginate(req, self.chatbots,
                                        lambda cb: not allowed or cb["id"] in allowed, False)
            data = {"chatbots": [dict(cb) for cb in bots], "pagination": page}
        return json_response(200, envelope_ok(data))

    def chatbots_get(self, req, cid):
        with self.lock:
            t = self._authenticate(req, "chatbots:read")
            cb = self._chatbot(cid)
            if cb is None or (t.chatbot_ids and cid not in t.chatbot_ids):
                raise ApiError(404, "CHATBOT_NOT_FOUND", "Chatbot %s was not found." % cid,
                               details={"chatbotId": cid})
            data = {"chatbot": dict(cb)}
        return json_response(200, envelope_ok(data))

    # ------------------------------------------------------------ OAuth

    def discovery(self, req):
        if req.method not in ("GET", "HEAD"):
            raise ApiError(405, "METHOD_NOT_ALLOWED", "Use GET.", headers=[("Allow", "GET")])
        known = ("/.well-known/oauth-authorization-server",
                 "/.well-known/oauth-protected-resource",
                 "/.well-known/oauth-protected-resource/api/v2")
        if req.path not in known or not self.cfg["serve_discovery"]:
            raise ApiError(404, "NOT_FOUND", "No route for GET %s." % req.path)
        base = req.base_url
        oauth = self.cfg["discovery_base"] or base
        if req.path == known[0]:
            issuer = self.cfg["discovery_issuer"]
            doc = {"issuer": base if issuer is None else issuer,
                   "device_authorization_endpoint": oauth + "/oauth/device_authorization",
                   "token_endpoint": oauth + "/oauth/token",
                   "grant_types_supported": [DEVICE_GRANT],
                   "response_types_supported": [],
                   "token_endpoint_auth_methods_supported": ["none"],
                   "scopes_supported": list(SCOPES),
                   "service_documentation": base + "/docs"}
        else:
            doc = {"resource": base + "/api/v2", "authorization_servers": [base],
                   "scopes_supported": list(SCOPES), "bearer_methods_supported": ["header"],
                   "resource_name": "SiteGPT API v2"}
        return json_response(200, doc)

    def _form(self, req):
        ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            raise OAuthError("invalid_request",
                             "The body must be application/x-www-form-urlencoded.")
        try:
            pairs = urllib.parse.parse_qsl(req.body.decode("utf-8"), keep_blank_values=True,
                                           strict_parsing=bool(req.body))
        except (UnicodeDecodeError, ValueError):
            raise OAuthError("invalid_request", "The form body is malformed.")
        req.notes["form"] = [[k, "<redacted>" if k == "device_code" else v] for k, v in pairs]
        form = {}
        for k, v in pairs:
            form.setdefault(k, []).append(v)
        return form

    @staticmethod
    def _one(form, name, repeatable=False):
        vals = form.get(name)
        if not vals:
            return None
        if len(vals) > 1 and not repeatable:
            raise OAuthError("invalid_request", "%s is given more than once." % name)
        return vals[0]

    def device_authorization(self, req):
        form = self._form(req)
        with self.lock:
            if self._one(form, "client_id") != CLIENT_ID:
                raise OAuthError("invalid_client", "Unknown client_id.")
            scope, full = self._one(form, "scope"), self._one(form, "full_access")
            if full not in (None, "true", "false"):
                raise OAuthError("invalid_request", "full_access must be true.")
            full = full == "true"
            if full and scope is not None:
                raise OAuthError("invalid_request", "full_access cannot be combined with scope.")
            role = self.cfg["role_scopes"]
            if scope is not None:
                asked = scope.split(" ")
                for s in asked:
                    if s not in SCOPE_SET:
                        raise OAuthError("invalid_scope", "Unknown scope '%s'." % s)
                    if s not in role:
                        raise OAuthError("invalid_scope", "Your role cannot issue '%s'." % s)
                scopes = order_scopes(asked)
            elif full:
                scopes = order_scopes(role)
            else:
                scopes = order_scopes(s for s in STANDARD_SCOPES if s in role)
            name = self._one(form, "token_name")
            if name is None:
                name = self._one(form, "name")
            if name is not None and not 1 <= len(name) <= 120:
                raise OAuthError("invalid_request", "token_name must be 1..120 characters.")
            days = self._one(form, "expires_in_days")
            if days is not None and (not days.isdigit() or not 1 <= int(days) <= 365):
                raise OAuthError("invalid_request", "expires_in_days must be 1..365.")
            cids = form.get("chatbot_id", [])
            for c in cids:
                if not c or self._chatbot(c) is None:
                    raise OAuthError("invalid_request", "Unknown chatbot_id '%s'." % c)
            device_code = "sgpt_device_" + secrets.token_urlsafe(32)
            while True:
                raw = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
                if raw not in self.by_user_code:
                    break
            user_code = raw[:4] + "-" + raw[4:]
            d = Device(device_code, user_code, time.monotonic(), self.cfg["device_expires_in"],
                       self.cfg["device_interval"])
            d.request = {"client_id": CLIENT_ID, "scope": scope, "full_access": full,
                         "scopes": scopes, "token_name": name,
                         "expires_in_days": int(days) if days else None, "chatbot_ids": cids}
            self.devices[device_code] = d
            self.by_user_code[raw] = d
            self.device_order.append(device_code)
            self.issued.append(device_code)
            req.notes["user_code"] = user_code
            body = {"device_code": device_code, "user_code": user_code,
                    "verification_uri": req.base_url + "/device",
                    "verification_uri_complete": req.base_url + "/device?user_code=" + user_code,
                    "expires_in": self.cfg["device_expires_in"]}
            if self.cfg["verification_uri"] is not None:
                body["verification_uri"] = self.cfg["verification_uri"]
                body["verification_uri_complete"] = self.cfg["verification_uri"] + "?c=" + user_code
            if d.interval is not None:
                body["interval"] = d.interval
        return json_response(200, body, NO_STORE)

    def token_endpoint(self, req):
        form = self._form(req)
        with self.lock:
            grant = self._one(form, "grant_type")
            if grant is None:
                raise OAuthError("invalid_request", "grant_type is required.")
            if grant != DEVICE_GRANT:
                raise OAuthError("unsupported_grant_type", "Only the device_code grant is supported.")
            if self._one(form, "client_id") != CLIENT_ID:
                raise OAuthError("invalid_client", "Unknown client_id.")
            code = self._one(form, "device_code")
            if not code:
                raise OAuthError("invalid_request", "device_code is required.")
            d = self.devices.get(code)
            if d is None:
                raise OAuthError("invalid_grant", "Unknown device_code.")
            req.notes["user_code"] = d.user_code
            now = time.monotonic()
            previous = d.polls[-1] if d.polls else (d.issued if self.cfg["slow_down_first_poll"]
                                                    else None)
            d.polls.append(now)
            result = self._poll(d, now, previous)
            d.results.append(result if isinstance(result, str) else "token")
            if isinstance(result, str):
                extra = {}
                if result == "slow_down" and self.cfg["slow_down_interval_in_body"]:
                    extra["interval"] = d.interval
                raise OAuthError(result, _POLL_TEXT[result], extra=extra)
            return json_response(200, result, NO_STORE)

    def _poll(self, d, now, previous):
        """RFC 8628 3.5: an error code, or the token response body."""
        if d.status == "exchanged":
            return "invalid_grant"
        if now >= d.expires_at:
            d.status = "expired" if d.status != "denied" else d.status
            return "expired_token"
        interval = 5 if d.interval is None else d.interval
        if d.force_slow_down or (previous is not None and
                                 now - previous < interval - self.cfg["poll_tolerance"]):
            d.force_slow_down = max(0, d.force_slow_down - 1)
            d.interval = interval + 5
            return "slow_down"
        if d.status == "denied":
            return "access_denied"
        if d.status == "pending" and self.cfg["auto_approve_polls"] is not None:
            if d.results.count("authorization_pending") >= int(self.cfg["auto_approve_polls"]):
                d.status = "approved"
        elif d.status == "pending" and self.cfg["auto_approve"]:
            if d.approve_at is None:
                d.approve_at = now + self.cfg["auto_approve_delay"]
            elif now >= d.approve_at:
                d.status = "approved"
        if d.status != "approved":
            return "authorization_pending"
        r = d.request
        days = r["expires_in_days"] or 90
        lifetime = self.cfg["token_lifetime_s"] or days * 86400
        t, secret = self._new_token(r["token_name"] or "SiteGPT CLI", r["scopes"],
                                    r["chatbot_ids"], float(lifetime))
        d.status, d.token_id = "exchanged", t.id
        granted = [s for s in t.scopes if s not in self.cfg["grant_drop_scopes"]]
        if len(granted) != len(t.scopes):
            t.scopes = granted
        return {"access_token": secret, "token_type": "Bearer", "scope": " ".join(t.scopes),
                "expires_in": int(lifetime)}

    def device_page(self, req):
        code = "".join(c for c in (req.q("user_code") or [""])[0] if c.isalnum() or c == "-")
        html = ("<!doctype html><title>SiteGPT mock device login</title>"
                "<p>Mock device login. Code: <b>%s</b></p>" % (code or "(none)"))
        return Response(200, html, content_type="text/html")


_POLL_TEXT = {
    "authorization_pending": "The user has not approved the request yet.",
    "slow_down": "Polling too fast; wait 5 more seconds between requests.",
    "access_denied": "The user denied the request.",
    "expired_token": "The device code has expired; start again.",
    "invalid_grant": "The device code was already used.",
}


def _parse_datetime(value):
    """ISO 8601 date-time with a time zone -> epoch seconds, else None."""
    if not isinstance(value, str) or "T" not in value.upper():
        return None
    try:
        dt = datetime.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        return None
    return dt.timestamp()
