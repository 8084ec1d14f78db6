"""Fixture for the API tests: a real `cbpn serve` on a loopback port.

One server per test module (start it in setUpClass, stop it in
tearDownClass). The demo database is made once per test process with
`cbpn demo --password-stdin` and copied for every server, so each module
starts from the same, untouched demo network.

Environment:
  CBPN_BIN                 the binary (default build/cbpn)
  CBPN_TEST_FRESH_DEMO=1   run `cbpn demo` for every module instead of copying
  CBPN_TEST_KEEP=1         keep the temporary directories (paths are printed)
  CBPN_TEST_SLOW=N         multiply start-up timeouts by N (sanitizer builds)

Besides the Python standard library: python3-jsonschema and python3-yaml (Debian),
to check every answer against docs/openapi.yaml (see Contract).
"""

import contextlib
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

DEMO_PASSWORD = "demo-password-1"
SOCKET_TIMEOUT = 10.0
SLOW = float(os.environ.get("CBPN_TEST_SLOW", "1") or "1")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CBPN_BIN = os.environ.get("CBPN_BIN", "build/cbpn")
if not os.path.isabs(CBPN_BIN):
    CBPN_BIN = (os.path.abspath(CBPN_BIN) if os.path.exists(CBPN_BIN)
                else os.path.join(REPO, CBPN_BIN))

USER_KEYS = {"id", "username", "role", "display_name", "organization_id", "group_id", "locale"}
ERROR_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large",
    415: "unsupported_media_type", 429: "rate_limited", 503: "unavailable",
}

# Tables whose rows an ordinary, successful authenticated request may touch
# (a session's last-seen time): their row counts are compared, not contents.
def _volatile(table):
    return "session" in table.lower()


class ServerError(Exception):
    pass


_demo_template = None  # (dir, db path) of the demo made once per process


def _run_demo(dirpath):
    db = os.path.join(dirpath, "demo.db")
    try:
        p = subprocess.run([CBPN_BIN, "demo", "--db", db, "--password-stdin"],
                           input=(DEMO_PASSWORD + "\n").encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600 * SLOW, cwd=dirpath)
    except subprocess.TimeoutExpired:
        raise ServerError("cbpn demo did not finish in time")
    if p.returncode != 0:
        raise ServerError("cbpn demo failed (exit %d): %s %s" % (
            p.returncode, p.stdout.decode(errors="replace")[-2000:],
            p.stderr.decode(errors="replace")[-2000:]))
    if not os.path.exists(db):
        raise ServerError("cbpn demo exited 0 but wrote no %s" % db)
    return db


def demo_db_into(dirpath):
    """Puts a fresh demo database (and its key file) into dirpath."""
    global _demo_template
    if not os.path.exists(CBPN_BIN):
        raise ServerError("%s does not exist: build it first (make)" % CBPN_BIN)
    if os.environ.get("CBPN_TEST_FRESH_DEMO") == "1":
        return _run_demo(dirpath)
    if _demo_template is None:
        tdir = tempfile.mkdtemp(prefix="cbpn-api-demo-")
        try:
            _demo_template = (tdir, _run_demo(tdir))
        except ServerError as e:
            _demo_template = e  # fail every module the same way, without retrying
        if not isinstance(_demo_template, ServerError):
            import atexit
            atexit.register(shutil.rmtree, tdir, True)
    if isinstance(_demo_template, ServerError):
        raise _demo_template
    tdir, _ = _demo_template
    for name in os.listdir(tdir):
        if name.startswith("demo.db"):
            shutil.copy2(os.path.join(tdir, name), os.path.join(dirpath, name))
    return os.path.join(dirpath, "demo.db")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _walk_keys(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _walk_keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk_keys(v)


# ---- the contract: every answer checked against docs/openapi.yaml ---------
#
# Every answer to a request for a path that docs/openapi.yaml describes, or
# any path under /api/, is checked against the response the spec gives for
# its operation (path template + method) and status:
#  - a status the operation does not describe fails;
#  - a described JSON answer must be JSON and match the schema; a response
#    without content must come with an empty body;
#  - a request that matches no operation must be answered with an error
#    (4xx/5xx) in the shape of components/schemas/Error;
#  - every 4xx/5xx must match components/schemas/Error as well.
# The one opt-out is explicit: schema_check=ERROR_ONLY, for deliberately
# malformed requests; their answer must still be an error of that shape.

OPENAPI = os.path.join(REPO, "docs", "openapi.yaml")
CHECK_OPERATION = "operation"  # the operation's response for the status (the default)
ERROR_ONLY = "error-only"      # any 4xx/5xx, in the shape of the Error schema
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


# Keys whose values a failure message shows only by type: tokens and the
# fields that identify a person.
_REDACT = {"token", "name_km", "name_latn", "phone", "summary", "address_text", "display_name"}


def _redacted(v):
    if isinstance(v, dict):
        return {k: ("<%s>" % type(x).__name__ if k in _REDACT and x is not None else _redacted(x))
                for k, x in v.items()}
    if isinstance(v, list):
        return [_redacted(x) for x in v]
    return v


def _explain(e):
    """One line on a jsonschema error, never showing a redacted value."""
    where = "/".join(str(p) for p in e.absolute_path) or "(top)"
    if e.validator in ("required", "additionalProperties", "unevaluatedProperties"):
        return "  at %s: %s" % (where, e.message[:300])  # names keys, not values
    last = e.absolute_path[-1] if e.absolute_path else None
    shown = ("<%s>" % type(e.instance).__name__ if last in _REDACT
             else json.dumps(_redacted(e.instance), ensure_ascii=False)[:200])
    return "  at %s: fails %s %s; value %s" % (
        where, e.validator, json.dumps(e.validator_value, ensure_ascii=False)[:120], shown)


class Contract:
    """docs/openapi.yaml, for checking answers."""

    def __init__(self, path=OPENAPI):
        try:
            import jsonschema
            import yaml
        except ImportError as e:
            raise ServerError("the API tests check answers against docs/openapi.yaml and need "
                              "python3-jsonschema and python3-yaml (scripts/deps.sh): %s" % e)
        self._jsonschema = jsonschema
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self._validators = {}
        ops = []
        for template, item in (self.doc.get("paths") or {}).items():
            rx = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
            for method in _METHODS:
                if method in item:
                    ops.append((template.count("{"), template, rx, method.upper(), item[method]))
        ops.sort(key=lambda o: o[0])  # a literal segment wins over a {placeholder}
        self.ops = ops

    def operation(self, method, path):
        """(template, operation) of method and path (no query), or (None, None)."""
        for _, template, rx, m, op in self.ops:
            if m == method and rx.match(path):
                return template, op
        return None, None

    def describes(self, path):
        return any(rx.match(path) for _, _, rx, _, _ in self.ops)

    def _deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if not ref.startswith("#/"):
                raise AssertionError("docs/openapi.yaml: only local $refs are followed: %r" % ref)
            obj = self.doc
            for part in ref[2:].split("/"):
                obj = obj[part.replace("~1", "/").replace("~0", "~")]
        return obj

    def _validate(self, pointer, value, where):
        """Validates value against the schema at the JSON pointer: the schema
        is checked inside the whole document, so that its $refs to
        #/components/schemas/... resolve (any jsonschema >= 4.10)."""
        v = self._validators.get(pointer)
        if v is None:
            js = self._jsonschema
            root = dict(self.doc)
            root["$ref"] = pointer
            v = js.Draft202012Validator(root, format_checker=js.FormatChecker())
            self._validators[pointer] = v
        errs = sorted(v.iter_errors(value), key=lambda e: list(e.absolute_path))
        if errs:
            lines = []
            for e in errs[:8]:
                lines.append(_explain(e))
                for sub in sorted(e.context or (), key=lambda c: list(c.schema_path))[:6]:
                    lines.append("  " + _explain(sub) + " (in %s branch %s)" % (
                        e.validator, sub.schema_path[0]))
            raise AssertionError("%s: the answer does not match %s in docs/openapi.yaml:\n%s\n"
                                 "answer: %s" % (where, pointer, "\n".join(lines),
                                                 json.dumps(_redacted(value),
                                                            ensure_ascii=False)[:1500]))

    def check(self, method, target, status, ctype, payload, value, mode=CHECK_OPERATION):
        """Raises AssertionError when the answer breaks the contract."""
        if mode not in (CHECK_OPERATION, ERROR_ONLY):
            raise ValueError("schema_check must be CHECK_OPERATION or ERROR_ONLY, not %r" % (mode,))
        path = target.split("?", 1)[0]
        if not (path.startswith("/api/") or self.describes(path)):
            return  # a page or an asset: not part of the JSON API
        where = "%s %s answered %d" % (method, path, status)
        is_json = ctype.lower().startswith("application/json")
        if method == "HEAD":  # the headers of a GET: no body to check
            if payload:
                raise AssertionError("%s with a body" % where)
            return
        if status >= 400:
            if not is_json or isinstance(value, bytes):
                raise AssertionError("%s without a JSON error (Content-Type %r): %r" % (
                    where, ctype, payload[:200]))
            self._validate("#/components/schemas/Error", value, where)
        template, op = self.operation(method, path)
        if mode == ERROR_ONLY:
            if status < 400:
                raise AssertionError("%s: a deliberately malformed request (ERROR_ONLY) was "
                                     "not refused" % where)
            return
        if op is None:
            if status < 400:
                raise AssertionError("%s, but docs/openapi.yaml describes no %s %s: describe the "
                                     "operation" % (where, method.lower(), path))
            return  # an unknown path or method: refused, in the Error shape (checked above)
        name = "%s %s (%s)" % (method.lower(), template, op.get("operationId", "no operationId"))
        responses = op.get("responses") or {}
        resp = None
        for key in (str(status), "%dXX" % (status // 100), "default"):
            if key in responses:
                resp, rkey = self._deref(responses[key]), key
                break
        if resp is None:
            raise AssertionError("%s: docs/openapi.yaml has no response %d for %s (it has %s)" % (
                where, status, name, ", ".join(sorted(map(str, responses)))))
        content = resp.get("content")
        if not content:
            if payload:
                raise AssertionError("%s: %s describes %d without a body, but one came: %r" % (
                    where, name, status, payload[:200]))
            return
        if "application/json" not in content or "schema" not in content["application/json"]:
            raise AssertionError("%s: %s %d has no application/json schema" % (where, name, status))
        if not is_json or isinstance(value, bytes):
            raise AssertionError("%s: %s describes JSON, but the answer is %r: %r" % (
                where, name, ctype, payload[:200]))
        esc = template.replace("~", "~0").replace("/", "~1")
        pointer = "#/paths/%s/%s/responses/%s/content/application~1json/schema" % (
            esc, method.lower(), rkey)
        if "$ref" in responses[rkey]:  # a shared response: its schema is there
            pointer = responses[rkey]["$ref"] + "/content/application~1json/schema"
        self._validate(pointer, value, where)


_contract = None


def contract():
    """The parsed docs/openapi.yaml (once per process)."""
    global _contract
    if _contract is None:
        _contract = Contract()
    return _contract


class Server:
    """A running `cbpn serve` on a demo database."""

    def __init__(self, extra_args=(), share_with=None):
        self.extra_args = list(extra_args)  # more `cbpn serve` options
        self.dir = tempfile.mkdtemp(prefix="cbpn-api-")
        # share_with: another Server whose database this one serves too (see twin)
        self.db = share_with.db if share_with is not None else demo_db_into(self.dir)
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.port = None
        self.tokens = {}      # username -> bearer token (cached sign-ins)
        self.users = {}       # username -> user object from the sign-in
        self.secrets = set()  # tokens and passwords that must never be logged
        self.secrets.add(DEMO_PASSWORD)
        self.answers = []     # (method, path, status, headers) of every answer

    def twin(self, extra_args=None):
        """A second server (not started) on this one's database, with its own
        directory, port and log: several cbpn servers behind one proxy.
        extra_args: its `cbpn serve` options (default: this one's)."""
        return Server(self.extra_args if extra_args is None else extra_args, share_with=self)

    # ---- life cycle -------------------------------------------------------

    def start(self):
        last = None
        for _ in range(3):  # the port could be taken between probe and bind
            self.port = free_port()
            self._log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [CBPN_BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % self.port,
                 *self.extra_args],
                stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                cwd=self.dir)
            for _ in range(int(400 * SLOW)):  # 400 x 50 ms = 20 s
                if self.proc.poll() is not None:
                    break
                try:
                    c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                    c.request("GET", "/healthz")
                    r = c.getresponse()
                    r.read()
                    c.close()
                    if r.status == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            last = "exit %s" % self.proc.poll()
            self._kill()
            self._log.close()
        raise ServerError("cbpn serve did not answer /healthz (%s); log:\n%s" % (
            last, self.log_text()[-3000:]))

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=20 * SLOW)
            except subprocess.TimeoutExpired:
                self._kill()
                rc = None
        self._log.close()
        if rc not in (0, None, -signal.SIGKILL):  # a test's own kill -9 is no news
            # Say why it died (a sanitizer's report, an abort): the log has
            # codes and route patterns only, never personal data.
            sys.stderr.write("cbpn serve exited %s; its log ends:\n%s\n" % (
                rc, self.log_text()[-6000:]))
        return rc

    def cleanup(self):
        if os.environ.get("CBPN_TEST_KEEP") == "1":
            sys.stderr.write("cbpn test dir kept: %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    # ---- HTTP -------------------------------------------------------------

    def connection(self, timeout=SOCKET_TIMEOUT):
        """A bare connection, for probes (start-up, assertAlive): its answers
        are not checked against docs/openapi.yaml. Tests send requests with
        request() or raw_exchange(), or pass what a raw socket read to
        check_raw_answer()."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, token=None, headers=None, raw=None,
                content_type="application/json", schema_check=CHECK_OPERATION):
        """Sends one request on a new connection.

        body: a JSON value to send; raw: bytes to send as they are.
        headers: extra headers (a None value removes a default one).
        schema_check: how the answer is checked against docs/openapi.yaml
        (see Contract); ERROR_ONLY for deliberately malformed requests.
        Returns (status, headers, value): value is the parsed JSON for JSON
        answers, otherwise the body bytes."""
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if raw is not None:
            data = raw
        h = {}
        if data is not None and content_type:
            h["Content-Type"] = content_type
        if token is not None:
            h["Authorization"] = "Bearer " + token
        for k, v in (headers or {}).items():
            if v is None:
                h.pop(k, None)
            else:
                h[k] = v
        c = self.connection()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            payload = r.read()
        finally:
            c.close()
        self.answers.append((method, path, r.status, r.msg))
        if b"$argon2" in payload:
            raise AssertionError("%s %s: answer contains a password hash" % (method, path))
        value = payload
        ctype = (r.getheader("Content-Type") or "").lower()
        if ctype.startswith("application/json") and payload:
            try:
                value = json.loads(payload.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise AssertionError("%s %s: answer is not valid JSON: %s %r" % (
                    method, path, e, payload[:200]))
            checked = value
            if isinstance(value, dict) and isinstance(value.get("error"), dict):
                checked = {k: v for k, v in value["error"].items() if k != "fields"}
            for k in _walk_keys(checked):
                if "password" in k.lower() or "hash" in k.lower():
                    raise AssertionError("%s %s: answer has a key %r" % (method, path, k))
        contract().check(method, path, r.status, ctype, payload, value, schema_check)
        return r.status, r.msg, value

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token=token, **kw)

    def post(self, path, body=None, token=None, **kw):
        return self.request("POST", path, body=body, token=token, **kw)

    def raw_exchange(self, data, read_timeout=SOCKET_TIMEOUT, schema_check=CHECK_OPERATION):
        """Sends bytes on a raw socket; returns what came back (until close or
        timeout), checked as check_raw_answer() does."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=SOCKET_TIMEOUT)
        try:
            s.sendall(data)
            s.settimeout(read_timeout)
            out = b""
            try:
                while len(out) < 1 << 20:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    out += chunk
                    if b"\r\n\r\n" in out and _complete(out):
                        break
            except (socket.timeout, ConnectionResetError):
                pass
        finally:
            s.close()
        self.check_raw_answer(data, out, schema_check)
        return out

    def check_raw_answer(self, request, answer, schema_check=CHECK_OPERATION):
        """Checks a raw answer (bytes) to a raw request (bytes, from its request
        line) against docs/openapi.yaml, as request() does. Not checked: no
        answer or a cut-off one, an unparseable request line, and answers
        libmicrohttpd made itself before cbpn saw the request (a header too
        large, a broken request line): those carry no Content-Security-Policy,
        which cbpn puts on every answer."""
        st = status_of(answer)
        line = request.split(b"\r\n", 1)[0].split(b" ")
        if st is None or not _complete(answer) or len(line) != 3:
            return
        head, _, payload = answer.partition(b"\r\n\r\n")
        hdrs = {}
        for h in head.split(b"\r\n")[1:]:
            k, _, v = h.decode("latin-1").partition(":")
            hdrs[k.strip().lower()] = v.strip()
        if "content-security-policy" not in hdrs:
            return
        ctype = hdrs.get("content-type", "")
        value = payload
        if ctype.lower().startswith("application/json") and payload:
            try:
                value = json.loads(payload.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                raise AssertionError("%r: answer is not valid JSON: %s %r" % (
                    request[:80], e, payload[:200]))
        method, target = line[0].decode("latin-1"), line[1].decode("latin-1")
        contract().check(method, target, st, ctype, payload, value, schema_check)

    # ---- accounts ---------------------------------------------------------

    def sign_in(self, username, password=DEMO_PASSWORD):
        """A new session (not cached). Returns (status, value)."""
        st, _, v = self.post("/api/v1/session", {"username": username, "password": password})
        if st == 201 and isinstance(v, dict) and "token" in v:
            self.secrets.add(v["token"])
        self.secrets.add(password)
        return st, v

    def login(self, username, password=DEMO_PASSWORD):
        """The cached bearer token of username (signs in once)."""
        if username not in self.tokens:
            st, v = self.sign_in(username, password)
            if st != 201:
                raise AssertionError("sign-in of %s failed: %s %r" % (username, st, v))
            self.tokens[username] = v["token"]
            self.users[username] = v["user"]
        return self.tokens[username]

    def user(self, username):
        self.login(username)
        return self.users[username]

    # ---- the database -----------------------------------------------------

    def _db(self):
        c = sqlite3.connect(self.db, timeout=10)
        c.execute("PRAGMA query_only = 1")
        return c

    def tables(self):
        c = self._db()
        try:
            rows = c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            c.close()
        return sorted(n for n, sql in rows
                      if not (sql or "").upper().lstrip().startswith("CREATE VIRTUAL"))

    def snapshot(self):
        """{table: (row count, digest of the rows or None)} of every table."""
        snap = {}
        c = self._db()
        try:
            names = [n for n, sql in c.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
                if not (sql or "").upper().lstrip().startswith("CREATE VIRTUAL")]
            for n in names:
                q = '"%s"' % n.replace('"', '""')
                count = c.execute("SELECT count(*) FROM %s" % q).fetchone()[0]
                digest = None
                if not _volatile(n):
                    rows = sorted(repr(r) for r in c.execute("SELECT * FROM %s" % q))
                    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                snap[n] = (count, digest)
        finally:
            c.close()
        return snap

    def rows(self, sql, args=()):
        """The rows of a read-only query on the database."""
        c = self._db()
        try:
            return c.execute(sql, args).fetchall()
        finally:
            c.close()

    def count(self, table, where="", args=()):
        c = self._db()
        try:
            return c.execute('SELECT count(*) FROM "%s" %s' % (table, where), args).fetchone()[0]
        finally:
            c.close()

    def file_bytes(self):
        """The database file and its write-ahead log, as bytes: what someone
        who copies the files gets."""
        data = b""
        for path in (self.db, self.db + "-wal"):
            try:
                with open(path, "rb") as f:
                    data += f.read()
            except OSError:
                pass
        return data

    def find_table(self, *candidates):
        """The first existing table among candidates (names vary by schema)."""
        names = set(self.tables())
        for cand in candidates:
            if cand in names:
                return cand
        return None


def _complete(out):
    head, _, body = out.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        if line.lower().startswith(b"content-length:"):
            try:
                return len(body) >= int(line.split(b":", 1)[1].strip())
            except ValueError:
                return True
    return False


def status_of(raw):
    """The status code of a raw HTTP answer, or None."""
    if not raw.startswith(b"HTTP/1."):
        return None
    try:
        return int(raw.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def body_of(raw):
    return raw.partition(b"\r\n\r\n")[2]


def q(s):
    return urllib.parse.quote(s, safe="")


class ServerTestCase(unittest.TestCase):
    """Base class: one server for the class; helpers for the common checks."""

    srv = None
    maxDiff = 4000
    # Signed in at setUpClass, so that a first sign-in (a session row, an
    # audit entry) never falls inside an assertWritesNothing block.
    USERS = ("admin", "supervisor", "caseworker1", "caseworker2", "analyst", "counsel",
             "shelter", "legal", "rep1", "rep2", "member1", "member2")

    @classmethod
    def setUpClass(cls):
        cls.srv = Server().start()
        try:
            for name in cls.USERS:
                cls.srv.login(name)
        except BaseException:
            cls.srv.stop()
            cls.srv.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        srv = cls.srv
        if srv is None:
            return
        try:
            rc = srv.stop()
            if rc != 0:
                raise AssertionError("cbpn serve did not exit 0 on SIGTERM (exit %r); log tail:\n%s"
                                     % (rc, srv.log_text()[-2000:]))
        finally:
            srv.cleanup()

    # ---- shortcuts ----

    def token(self, username):
        return self.srv.login(username)

    def req(self, method, path, body=None, as_user=None, **kw):
        tok = self.srv.login(as_user) if as_user else kw.pop("token", None)
        return self.srv.request(method, path, body=body, token=tok, **kw)

    # ---- checks ----

    def assertAlive(self):
        self.assertTrue(self.srv.alive(), "the server died; log tail:\n" + self.srv.log_text()[-2000:])
        c = self.srv.connection()
        try:
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
        finally:
            c.close()
        self.assertEqual(r.status, 200, "the server no longer answers /healthz")

    def assertErrorShape(self, value, code=None, fields=None):
        """{"error":{"code","message"[,"fields"]}} and nothing else."""
        self.assertIsInstance(value, dict, "error answer is not a JSON object: %r" % (value,))
        self.assertEqual(set(value), {"error"}, "error answer keys: %r" % (value,))
        e = value["error"]
        self.assertIsInstance(e, dict)
        self.assertTrue({"code", "message"} <= set(e) <= {"code", "message", "fields"},
                        "error keys: %r" % (sorted(e),))
        self.assertIsInstance(e["code"], str)
        self.assertIsInstance(e["message"], str)
        self.assertTrue(e["message"], "empty error message")
        if "fields" in e:
            self.assertIsInstance(e["fields"], dict)
            for k, v in e["fields"].items():
                self.assertIsInstance(k, str)
                self.assertIsInstance(v, str)
        if code is not None:
            self.assertEqual(e["code"], code, "error: %r" % (e,))
        if fields:
            got = e.get("fields") or {}
            for f in fields:
                self.assertTrue(any(k == f or k.endswith("." + f) or k.startswith(f + "[")
                                    or k.startswith(f + ".") for k in got),
                                "field %r not named in %r" % (f, got))

    def assertError(self, answer, status, code=None, fields=None):
        st, h, v = answer
        self.assertEqual(st, status, "expected %d, got %d: %r" % (status, st, v))
        if code is None:
            code = ERROR_CODES.get(status)
        self.assertTrue((h.get("Content-Type") or "").startswith("application/json"),
                        "error Content-Type: %r" % h.get("Content-Type"))
        self.assertErrorShape(v, code, fields)

    @contextlib.contextmanager
    def assertWritesNothing(self, ignore=(), alive=True):
        """The block must leave every table as it was (row counts of session
        tables, full contents of all others), except the tables in ignore.
        The audit chain's head (audit_head) moves with every entry: ignoring
        audit ignores it too."""
        ignore = set(ignore)
        if "audit" in ignore:
            ignore.add("audit_head")
        before = self.srv.snapshot()
        yield
        after = self.srv.snapshot()
        changed = []
        for t in sorted(set(before) | set(after)):
            if t in ignore:
                continue
            if before.get(t) != after.get(t):
                b, a = before.get(t), after.get(t)
                changed.append("%s (rows %s -> %s%s)" % (
                    t, b and b[0], a and a[0],
                    ", contents changed" if b and a and b[0] == a[0] else ""))
        self.assertFalse(changed, "a refused request wrote to: " + "; ".join(changed))
        if alive:
            self.assertAlive()

    def assertUserShape(self, u):
        self.assertIsInstance(u, dict)
        self.assertEqual(set(u), USER_KEYS, "user shape")

    def list_all(self, path, as_user, limit=500, max_pages=100):
        """Every item of a paged list."""
        items, cursor = [], None
        sep = "&" if "?" in path else "?"
        for _ in range(max_pages):
            p = path + sep + "limit=%d" % limit + ("&cursor=" + q(cursor) if cursor else "")
            st, _, v = self.req("GET", p, as_user=as_user)
            self.assertEqual(st, 200, "%s: %r" % (p, v))
            self.assertIn("items", v)
            self.assertIn("next_cursor", v)
            items.extend(v["items"])
            cursor = v["next_cursor"]
            if not cursor:
                return items
        self.fail("%s: more than %d pages" % (path, max_pages))

    def check_security_headers(self, method, path, status, h):
        where = "%s %s -> %d" % (method, path, status)
        csp = h.get("Content-Security-Policy")
        self.assertTrue(csp, where + ": no Content-Security-Policy")
        low = csp.lower()
        self.assertNotIn("unsafe-inline", low, where + ": CSP allows inline: " + csp)
        self.assertNotIn("unsafe-eval", low, where + ": CSP allows eval: " + csp)
        self.assertIn("frame-ancestors 'none'", low, where + ": CSP: " + csp)
        for bad in ("http:", "https:", " *", "//"):
            self.assertNotIn(bad, low + " ", where + ": CSP allows another host: " + csp)
        self.assertEqual((h.get("X-Content-Type-Options") or "").lower(), "nosniff", where)
        self.assertEqual((h.get("Referrer-Policy") or "").lower(), "no-referrer", where)
        if path.startswith("/api/"):
            self.assertIn("no-store", (h.get("Cache-Control") or "").lower(),
                          where + ": Cache-Control %r" % h.get("Cache-Control"))

    def check_every_answer_had_security_headers(self):
        """Called by a test that runs last in a module (named test_zz_...)."""
        self.assertTrue(self.srv.answers, "no answers recorded")
        for method, path, status, h in list(self.srv.answers):
            self.check_security_headers(method, path, status, h)

    def check_log_has_no_secrets(self, extra=()):
        log = self.srv.log_text()
        self.assertIn("/api/v1/", log, "the server wrote no access log to stderr")
        for s in list(self.srv.secrets) + list(extra):
            if s:
                self.assertNotIn(s, log, "the log contains a secret or personal datum: %r" % s)
        for line in log.splitlines():
            for method in ("GET /", "POST /", "PATCH /", "DELETE /", "PUT /"):
                i = line.find(method)
                if i >= 0:
                    target = line[i + len(method) - 1:].split(" ", 1)[0]
                    self.assertNotIn("?", target, "query string in the log: %r" % line)
