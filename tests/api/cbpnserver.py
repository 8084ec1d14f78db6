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

Only the Python standard library is used.
"""

import contextlib
import hashlib
import http.client
import json
import os
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


class Server:
    """A running `cbpn serve` on a demo database."""

    def __init__(self, extra_args=()):
        self.extra_args = list(extra_args)  # more `cbpn serve` options
        self.dir = tempfile.mkdtemp(prefix="cbpn-api-")
        self.db = demo_db_into(self.dir)
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.port = None
        self.tokens = {}      # username -> bearer token (cached sign-ins)
        self.users = {}       # username -> user object from the sign-in
        self.secrets = set()  # tokens and passwords that must never be logged
        self.secrets.add(DEMO_PASSWORD)
        self.answers = []     # (method, path, status, headers) of every answer

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
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, token=None, headers=None, raw=None,
                content_type="application/json"):
        """Sends one request on a new connection.

        body: a JSON value to send; raw: bytes to send as they are.
        headers: extra headers (a None value removes a default one).
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
        return r.status, r.msg, value

    def get(self, path, token=None, **kw):
        return self.request("GET", path, token=token, **kw)

    def post(self, path, body=None, token=None, **kw):
        return self.request("POST", path, body=body, token=token, **kw)

    def raw_exchange(self, data, read_timeout=SOCKET_TIMEOUT):
        """Sends bytes on a raw socket; returns what came back (until close or timeout)."""
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
            return out
        finally:
            s.close()

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
        tables, full contents of all others), except the tables in ignore."""
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
