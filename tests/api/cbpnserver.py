"""Fixture for the API tests: a real `cbpn serve` on a loopback port.

One server per test module (start it in setUpClass, stop it in
tearDownClass). The demo database is made once per test process with
`cbpn demo --password-stdin` and copied for every server, so each module
starts from the same, untouched demo network.

Two backends, the same tests. SQLite: the demo is a file, copied into each
server's directory. PostgreSQL: the demo is a database of the cluster at
CBPN_TEST_PG (cbpn_demo_PID_N); each server gets a database of its own made
from it (CREATE DATABASE ... TEMPLATE) and a copy of its key file, and drops
it in cleanup(); the demo is dropped when the process exits. The tests reach
the database through the helpers of Server (rows, count, tables, snapshot,
file_bytes, ...), which take SQLite-style queries on either backend.

Environment:
  CBPN_BIN                 the binary (default build/cbpn)
  CBPN_TEST_BACKEND        sqlite (the default) or postgres
  CBPN_TEST_PG             the cluster's base URI for postgres, without a database
                           (postgres://cbpn@127.0.0.1:PORT; scripts/pg.sh start DIR);
                           its role needs CREATEDB
  CBPN_TEST_PG_DATA        the cluster's data directory, for file_bytes() (default:
                           the server's data_directory setting)
  CBPN_TEST_FRESH_DEMO=1   run `cbpn demo` for every module instead of copying
  CBPN_TEST_KEEP=1         keep the temporary directories and databases (printed)
  CBPN_TEST_SLOW=N         multiply start-up timeouts by N (sanitizer builds)
  CBPN_TEST_LOGS=DIR       keep every server's log in DIR (as BACKEND-NAME.log) and
                           append to DIR/sent.txt every name and phone number a test
                           sent (one JSON string a line), for tests/logcheck.py

Besides the Python standard library: python3-jsonschema and python3-yaml (Debian),
to check every answer against docs/openapi.yaml (see Contract); for postgres
python3-psycopg2.
"""

import atexit
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

USER_KEYS = {"id", "username", "role", "display_name", "organization_id", "group_id", "member_id",
             "locale", "status", "version"}
ERROR_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large",
    415: "unsupported_media_type", 429: "rate_limited", 503: "unavailable",
}

# Tables whose rows an ordinary, successful authenticated request may touch
# (a session's last-seen time): their row counts are compared, not contents.
def _volatile(table):
    return "session" in table.lower()


BACKEND = os.environ.get("CBPN_TEST_BACKEND", "sqlite") or "sqlite"
PG_BASE = os.environ.get("CBPN_TEST_PG", "")
BACKENDS = ("sqlite", "postgres")
KEEP = os.environ.get("CBPN_TEST_KEEP") == "1"
RUN_LOGS = os.environ.get("CBPN_TEST_LOGS", "")

# The fields whose values are a person's name or phone number, in JSON bodies
# (any depth) and forms ("survivor.name_latn"): what no log may contain.
_PERSONAL_KEY = re.compile(r"(^|[._])(name|name_km|name_latn|phone|display_name|contact)$")


def _personal_values(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _personal_values(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _personal_values(v, key)
    elif isinstance(value, str) and key != "username" and _PERSONAL_KEY.search(key):
        yield value


def record_sent(body=None, form=None):
    """Notes the names and phones of a request (a JSON value, or form bytes)
    in CBPN_TEST_LOGS/sent.txt."""
    if not RUN_LOGS:
        return
    found = []
    if body is not None:
        found.extend(_personal_values(body))
    if form is not None:
        try:
            pairs = urllib.parse.parse_qsl(form.decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            pairs = []
        found.extend(v for k, v in pairs if k != "username" and _PERSONAL_KEY.search(k))
    found = [s for s in found if len(s.strip()) >= 4]
    if found:
        os.makedirs(RUN_LOGS, exist_ok=True)
        with open(os.path.join(RUN_LOGS, "sent.txt"), "a", encoding="utf-8") as f:
            for s in found:
                f.write(json.dumps(s, ensure_ascii=False) + "\n")


class ServerError(Exception):
    pass


def audit_key_path(key):
    """The audit keys' file beside a data key file (src/audit/keys.c)."""
    return key + ".audit"


def head_path(key, server):
    """A server's signed head of the audit chain, beside the data key."""
    return "%s.head.%s" % (key, server)


def _copy_keys(key, to):
    """A data key file and the audit keys beside it (not the signed heads:
    those are of the database copied from, and a copy's server signs its
    own)."""
    shutil.copy2(key, to)
    if os.path.exists(audit_key_path(key)):
        shutil.copy2(audit_key_path(key), audit_key_path(to))


# ---- the databases: a SQLite file or a PostgreSQL database -----------------
#
# Tests write SQLite-style queries with ? placeholders; on PostgreSQL they are
# translated for psycopg2 and the values come back with the types sqlite3
# gives (bytes for bytea, int for integers and booleans).

def _psycopg2():
    try:
        import psycopg2
    except ImportError as e:
        raise ServerError("CBPN_TEST_BACKEND=postgres needs psycopg2 in %s (Debian: "
                          "python3-psycopg2, scripts/deps.sh): %s" % (sys.executable, e))
    return psycopg2


def _pg_uri(dbname, base=None):
    """base (postgres://user@host:port[,host:port][?params]) with dbname as
    its database."""
    base = base or PG_BASE
    if not base:
        raise ServerError("CBPN_TEST_BACKEND=postgres needs CBPN_TEST_PG, the base URI of a "
                          "cluster (postgres://cbpn@127.0.0.1:PORT; scripts/pg.sh start DIR)")
    if not re.match(r"^postgres(ql)?://", base):
        raise ServerError("CBPN_TEST_PG is not a postgres:// URI: %r" % base)
    rest, _, query = base.partition("?")
    scheme, _, authority = rest.partition("://")
    authority = authority.split("/", 1)[0]
    return "%s://%s/%s%s" % (scheme, authority, dbname, "?" + query if query else "")


def _pg_ident(name):
    return '"%s"' % name.replace('"', '""')


def _pg_sql(sql):
    """sqlite3's ? placeholders as psycopg2's %s (and a literal % as %%),
    outside quoted strings and identifiers."""
    out, quote = [], None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
            out.append("%%" if ch == "%" else ch)
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


def _plain(v):
    """A value as sqlite3 would give it."""
    if isinstance(v, memoryview):
        return v.tobytes()
    if isinstance(v, bool):
        return int(v)
    if type(v).__name__ == "Decimal":
        return int(v) if v == v.to_integral_value() else float(v)
    return v


_pg_admin_conn = None


def _pg_admin():
    """An autocommit connection to the cluster's postgres database, for
    CREATE and DROP DATABASE."""
    global _pg_admin_conn
    if _pg_admin_conn is None or _pg_admin_conn.closed:
        pg = _psycopg2()
        try:
            _pg_admin_conn = pg.connect(_pg_uri("postgres"), connect_timeout=10,
                                        options="-c statement_timeout=120000")
        except pg.Error as e:
            raise ServerError("cannot connect to PostgreSQL at %s: %s" % (PG_BASE, e))
        _pg_admin_conn.autocommit = True
    return _pg_admin_conn


def _pg_admin_exec(sql, args=None):
    with _pg_admin().cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None


_pg_seq = iter(range(1, 1 << 30))
_pg_made = set()  # databases this process made and has not dropped


def _pg_new_name(kind):
    return "cbpn_%s_%d_%d" % (kind, os.getpid(), next(_pg_seq))


def _pg_create(name, template=None):
    """CREATE DATABASE name: empty (UTF8, C collation, whatever the
    cluster's defaults) or a copy of template."""
    if template:
        sql = "CREATE DATABASE %s TEMPLATE %s" % (_pg_ident(name), _pg_ident(template))
    else:
        sql = ("CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' "
               "LC_CTYPE 'C'" % _pg_ident(name))
    try:
        _pg_admin_exec(sql)
    except _psycopg2().Error as e:
        raise ServerError("%s: %s" % (sql, str(e).strip()))
    _pg_made.add(name)


def _pg_drop(name):
    """DROP DATABASE (its servers stopped first). Not WITH (FORCE): that
    needs the right to end an autovacuum worker in it, which the role has
    not; a plain DROP stops autovacuum by itself and waits (at most 5 s) for
    the connections of a server that was just killed to go."""
    _pg_made.discard(name)
    _pg_admin_exec("DROP DATABASE IF EXISTS %s" % _pg_ident(name))


def _pg_exists(name):
    return bool(_pg_admin_exec("SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def _pg_at_exit():
    if not _pg_made and _pg_admin_conn is None:
        return
    if KEEP:
        for name in sorted(_pg_made):
            sys.stderr.write("cbpn test database kept: %s\n" % _pg_uri(name))
        return
    for name in sorted(_pg_made):
        try:
            _pg_drop(name)
        except Exception as e:  # the cluster may be gone already
            sys.stderr.write("could not drop the test database %s: %s\n" % (name, e))
    if _pg_admin_conn is not None and not _pg_admin_conn.closed:
        _pg_admin_conn.close()


_PG_TABLES = ("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
              "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
              "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
              "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'")


class Database:
    """One database of the tests and its data key file: a SQLite file (the
    key beside it, FILE.key) or a PostgreSQL database (the key anywhere).

    backend  "sqlite" or "postgres"
    uri      what `--db` takes: the file's path or a postgres:// URI
    key      the key file's path
    name     the PostgreSQL database's name (None for SQLite)"""

    def __init__(self, backend, uri, key, name=None):
        self.backend = backend
        self.uri = uri
        self.key = key
        self.name = name
        self._ro = None  # cached read-only connection (PostgreSQL)

    @classmethod
    def empty(cls, dirpath, stem, backend=None):
        """A database that holds nothing yet: for SQLite a path in dirpath
        that does not exist; for PostgreSQL a new, empty database (as a DBA
        makes it). Its key file (in dirpath) does not exist either."""
        backend = backend or BACKEND
        if backend == "sqlite":
            path = os.path.join(dirpath, stem + ".db")
            return cls("sqlite", path, path + ".key")
        name = _pg_new_name(stem.replace("-", "_"))
        _pg_create(name)
        return cls("postgres", _pg_uri(name), os.path.join(dirpath, stem + ".key"), name)

    @classmethod
    def missing(cls, dirpath, stem, key, backend=None):
        """A database that does not exist, with the key file key."""
        backend = backend or BACKEND
        if backend == "sqlite":
            return cls("sqlite", os.path.join(dirpath, stem + ".db"), key)
        name = _pg_new_name(stem.replace("-", "_"))
        return cls("postgres", _pg_uri(name), key, name)

    @classmethod
    def at(cls, uri, key=None):
        """The database at uri (a file path or a postgres:// URI) with the
        key file key (for a file, FILE.key by default); made by someone else."""
        if re.match(r"^postgres(ql)?://", uri):
            if key is None:
                raise ValueError("a PostgreSQL database needs its key file")
            return cls("postgres", uri, key, uri.split("?", 1)[0].rsplit("/", 1)[1])
        return cls("sqlite", uri, key or uri + ".key")

    def args(self):
        """The `--db` (and `--key`) options of a cbpn command: --key when
        the key is not the file's default FILE.key (always with a URI)."""
        if self.backend == "sqlite" and self.key == self.uri + ".key":
            return ["--db", self.uri]
        return ["--db", self.uri, "--key", self.key]

    def exists(self):
        if self.backend == "sqlite":
            return os.path.exists(self.uri)
        return _pg_exists(self.name)

    def clone(self, dirpath, stem):
        """A copy of the database and its key in dirpath (on PostgreSQL
        nobody may be connected to this one while it is copied)."""
        if self.backend == "sqlite":
            path = os.path.join(dirpath, stem + ".db")
            for suffix in ("", "-wal"):
                if os.path.exists(self.uri + suffix):
                    shutil.copy2(self.uri + suffix, path + suffix)
            _copy_keys(self.key, path + ".key")
            return Database("sqlite", path, path + ".key")
        self.close()
        name = _pg_new_name(stem.replace("-", "_"))
        _pg_create(name, template=self.name)
        key = os.path.join(dirpath, stem + ".key")
        _copy_keys(self.key, key)
        return Database("postgres", _pg_uri(name), key, name)

    def close(self):
        if self._ro is not None:
            if not self._ro.closed:
                self._ro.close()
            self._ro = None

    def drop(self):
        """Removes a PostgreSQL database (unless CBPN_TEST_KEEP=1); a SQLite
        file goes with its directory."""
        self.close()
        if self.backend == "postgres" and self.name:
            if KEEP:
                sys.stderr.write("cbpn test database kept: %s\n" % self.uri)
            else:
                _pg_drop(self.name)

    # ---- queries ----

    def _pg_connect(self, read_only):
        pg = _psycopg2()
        opts = "-c statement_timeout=60000 -c lock_timeout=30000"
        if read_only:
            opts += " -c default_transaction_read_only=on"
        try:
            c = pg.connect(self.uri, connect_timeout=10, options=opts)
        except pg.Error as e:
            raise AssertionError("cannot connect to %s: %s" % (self.uri, e))
        c.autocommit = True
        return c

    @contextlib.contextmanager
    def _reader(self):
        """A read-only connection (sqlite3) or cursor (psycopg2)."""
        if self.backend == "sqlite":
            c = sqlite3.connect(self.uri, timeout=10)
            try:
                c.execute("PRAGMA query_only = 1")
                yield c
            finally:
                c.close()
            return
        if self._ro is None or self._ro.closed:
            self._ro = self._pg_connect(read_only=True)
        try:
            with self._ro.cursor() as cur:
                yield cur
        except Exception:
            self.close()  # the next query starts on a new connection
            raise

    def _query(self, handle, sql, args=()):
        if self.backend == "sqlite":
            return handle.execute(sql, tuple(args)).fetchall()
        handle.execute(_pg_sql(sql), tuple(args))
        return [tuple(_plain(v) for v in r) for r in handle.fetchall()]

    def rows(self, sql, args=()):
        """The rows of a read-only query (? placeholders), as tuples."""
        with self._reader() as h:
            return self._query(h, sql, args)

    def count(self, table, where="", args=()):
        return self.rows('SELECT count(*) FROM "%s" %s' % (table, where), args)[0][0]

    def _table_names(self, h):
        if self.backend == "sqlite":
            return [n for n, sql in self._query(
                h, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                if not (sql or "").upper().lstrip().startswith("CREATE VIRTUAL")]
        return [t for _, t in self._query(h, _PG_TABLES)]

    def tables(self):
        with self._reader() as h:
            return sorted(self._table_names(h))

    def columns(self, table):
        """[(name, type)] of table's columns, in order; the type in lower
        case (SQLite: as declared; PostgreSQL: information_schema's)."""
        if self.backend == "sqlite":
            return [(r[1], (r[2] or "").lower())
                    for r in self.rows('PRAGMA table_info("%s")' % table.replace('"', '""'))]
        return [(n, t.lower()) for n, t in self.rows(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = ? AND table_schema NOT IN ('pg_catalog', 'information_schema') "
            "ORDER BY ordinal_position", (table,))]

    def _digests(self, volatile):
        """{table: (row count, digest of the rows or None)}; the rows are
        sorted, so a digest depends on the contents only. PostgreSQL hashes
        its rows' text itself, in bytewise order, in one consistent view of
        every table (as fast as SQLite's rows through Python)."""
        snap = {}
        if self.backend == "sqlite":
            with self._reader() as h:
                for n in self._table_names(h):
                    q = '"%s"' % n.replace('"', '""')
                    count = self._query(h, "SELECT count(*) FROM %s" % q)[0][0]
                    digest = None
                    if not volatile(n):
                        rows = sorted(repr(r) for r in self._query(h, "SELECT * FROM %s" % q))
                        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
                    snap[n] = (count, digest)
            return snap
        with self._reader() as h:
            h.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                h.execute(_PG_TABLES.replace("%", "%%"))
                for schema, n in h.fetchall():
                    q = "%s.%s" % (_pg_ident(schema), _pg_ident(n))
                    if volatile(n):
                        h.execute("SELECT count(*), NULL FROM %s" % q)
                    else:
                        h.execute("SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' "
                                  "ORDER BY r::text COLLATE \"C\"), '')) FROM %s r" % q)
                    snap[n] = tuple(h.fetchone())
            finally:
                h.execute("COMMIT")
        return snap

    def snapshot(self):
        """{table: (row count, digest of the rows or None)} of every table;
        session tables by their row count only."""
        return self._digests(_volatile)

    def fingerprint(self):
        """A digest of everything the database holds: a SQLite file's bytes;
        a PostgreSQL database's tables, their columns and rows."""
        if self.backend == "sqlite":
            with open(self.uri, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest()
        parts = [repr(sorted(self._digests(lambda n: False).items()))]
        for t in self.tables():
            parts.append(repr((t, self.columns(t))))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def find_table(self, *candidates):
        """The first existing table among candidates (names vary by schema)."""
        names = set(self.tables())
        for cand in candidates:
            if cand in names:
                return cand
        return None

    def execute(self, sql, args=()):
        """Runs one writing statement (? placeholders) and commits it;
        returns the number of rows it changed."""
        if self.backend == "sqlite":
            c = sqlite3.connect(self.uri, timeout=10)
            try:
                n = c.execute(sql, tuple(args)).rowcount
                c.commit()
                return n
            finally:
                c.close()
        c = self._pg_connect(read_only=False)
        try:
            with c.cursor() as cur:
                cur.execute(_pg_sql(sql), tuple(args))
                return cur.rowcount
        finally:
            c.close()

    @contextlib.contextmanager
    def writes_locked(self):
        """Holds the database's write lock for the block, as another writer
        would: SQLite's BEGIN IMMEDIATE; on PostgreSQL every table locked in
        EXCLUSIVE mode (reads go on, writes wait). Rolled back at the end."""
        if self.backend == "sqlite":
            c = sqlite3.connect(self.uri, timeout=10, isolation_level=None)
            try:
                c.execute("BEGIN IMMEDIATE")
                try:
                    yield
                finally:
                    c.execute("ROLLBACK")
            finally:
                c.close()
            return
        c = self._pg_connect(read_only=False)
        try:
            with c.cursor() as cur:
                cur.execute("BEGIN")
                try:
                    cur.execute(_PG_TABLES.replace("%", "%%"))
                    names = ", ".join("%s.%s" % (_pg_ident(s), _pg_ident(t))
                                      for s, t in cur.fetchall())
                    cur.execute("LOCK TABLE %s IN EXCLUSIVE MODE" % names)
                    yield
                finally:
                    cur.execute("ROLLBACK")
        finally:
            c.close()

    def file_bytes(self):
        """What someone who copies the database's files gets, as bytes: the
        SQLite file and its write-ahead log; for PostgreSQL the database's
        files in the cluster's data directory (base/OID/*) and the cluster's
        write-ahead log (pg_wal/*), read directly (as root or the cluster's
        owner; CBPN_TEST_PG_DATA names the data directory, else the server
        says where it is)."""
        if self.backend == "sqlite":
            paths = [self.uri, self.uri + "-wal"]
        else:
            datadir = os.environ.get("CBPN_TEST_PG_DATA")
            if not datadir:
                datadir = self.rows("SELECT current_setting('data_directory')")[0][0]
            oid = self.rows("SELECT oid FROM pg_database WHERE datname = current_database()")[0][0]
            paths = []
            for sub in (os.path.join("base", str(oid)), "pg_wal"):
                d = os.path.join(datadir, sub)
                try:
                    names = sorted(os.listdir(d))
                except OSError as e:
                    raise AssertionError("cannot read the cluster's files (%s): %s" % (d, e))
                paths += [os.path.join(d, n) for n in names]
        chunks = []
        for path in paths:
            try:
                with open(path, "rb") as f:
                    chunks.append(f.read())
            except (IsADirectoryError, FileNotFoundError):
                pass  # pg_wal/archive_status; -wal after a checkpoint; a file just removed
        if not chunks:
            raise AssertionError("none of the database's files could be read: %s" % paths[:3])
        return b"".join(chunks)


_demo_templates = {}  # backend -> the Database of the demo made once per process, or its ServerError


def _run_demo(db, cwd):
    if not os.path.exists(CBPN_BIN):
        raise ServerError("%s does not exist: build it first (make)" % CBPN_BIN)
    try:
        p = subprocess.run([CBPN_BIN, "demo", *db.args(), "--password-stdin"],
                           input=(DEMO_PASSWORD + "\n").encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600 * SLOW, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise ServerError("cbpn demo did not finish in time")
    if p.returncode != 0:
        raise ServerError("cbpn demo %s failed (exit %d): %s %s" % (
            db.uri, p.returncode, p.stdout.decode(errors="replace")[-2000:],
            p.stderr.decode(errors="replace")[-2000:]))
    if not db.exists():
        raise ServerError("cbpn demo exited 0 but made no %s" % db.uri)
    if not os.path.exists(db.key):
        raise ServerError("cbpn demo exited 0 but wrote no key %s" % db.key)
    return db


def demo_database(dirpath, backend=None):
    """A demo database of its own, its key file in dirpath: a copy of the
    demo made once per process (CBPN_TEST_FRESH_DEMO=1: a new `cbpn demo`)."""
    backend = backend or BACKEND
    if backend not in BACKENDS:
        raise ServerError("CBPN_TEST_BACKEND must be one of %s, not %r" % (
            ", ".join(BACKENDS), backend))
    if os.environ.get("CBPN_TEST_FRESH_DEMO") == "1":
        return _run_demo(Database.empty(dirpath, "demo", backend), dirpath)
    if backend not in _demo_templates:
        tdir = tempfile.mkdtemp(prefix="cbpn-api-demo-")
        atexit.register(shutil.rmtree, tdir, True)
        try:
            _demo_templates[backend] = _run_demo(Database.empty(tdir, "demo", backend), tdir)
        except ServerError as e:
            _demo_templates[backend] = e  # fail every module the same way, without retrying
    template = _demo_templates[backend]
    if isinstance(template, ServerError):
        raise template
    return template.clone(dirpath, "demo")


def demo_db_into(dirpath):
    """Puts a demo database (and its key file) into dirpath; returns its
    `--db` value (the file's path for SQLite)."""
    return demo_database(dirpath).uri


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
        media = ctype.split(";", 1)[0].strip()
        if not is_json and media and media in content:
            return  # a spreadsheet (text/csv, XLSX): its media type is described
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


_live = set()  # Servers not cleaned up yet


def _at_exit():
    """Whatever a run that was cut short (an error in setUpClass, Ctrl-C,
    SIGTERM) left: its servers, their directories and databases."""
    for srv in list(_live):
        try:
            srv._kill()
            srv.cleanup()
        except Exception as e:
            sys.stderr.write("cleaning up after a server: %s\n" % e)
    _pg_at_exit()


atexit.register(_at_exit)
# SIGTERM (scripts/test.sh stopping a run) ends the run as Ctrl-C does, so
# that _at_exit runs.
if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    signal.signal(signal.SIGTERM, signal.default_int_handler)


class Server:
    """A running `cbpn serve` on a demo database."""

    def __init__(self, extra_args=(), share_with=None, database=None, env=None):
        self.extra_args = list(extra_args)  # more `cbpn serve` options
        self.env = env  # more environment variables of `cbpn serve`
        self.dir = tempfile.mkdtemp(prefix="cbpn-api-")
        # share_with: another Server whose database this one serves too (see
        # twin); database: a Database the caller made (and removes). Either
        # way the database is dropped by whoever made it; by default the
        # server makes a copy of the demo of its own.
        self._owns_database = share_with is None and database is None
        try:
            self.database = (share_with.database if share_with is not None
                             else database if database is not None
                             else demo_database(self.dir))
        except BaseException:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        self.backend = self.database.backend  # "sqlite" or "postgres"
        self.db_uri = self.database.uri       # what --db takes: a path or a URI
        self.key = self.database.key          # the data key's file
        _live.add(self)
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        self.port = None
        self.tokens = {}      # username -> bearer token (cached sign-ins)
        self.users = {}       # username -> user object from the sign-in
        self.secrets = set()  # tokens and passwords that must never be logged
        self.secrets.add(DEMO_PASSWORD)
        self.answers = []     # (method, path, status, headers) of every answer

    @property
    def db(self):
        """The --db value (read only: Server(database=...) serves another)."""
        return self.db_uri

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
                [CBPN_BIN, "serve", *self.db_args(), "--listen", "127.0.0.1:%d" % self.port,
                 *self.extra_args],
                stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                cwd=self.dir, env=dict(os.environ, **self.env) if self.env else None)
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
        """Removes the directory and the database (CBPN_TEST_KEEP=1 keeps them)."""
        _live.discard(self)
        if RUN_LOGS and os.path.exists(self.log_path):
            os.makedirs(RUN_LOGS, exist_ok=True)
            shutil.copyfile(self.log_path, os.path.join(
                RUN_LOGS, "%s-%s.log" % (self.backend, os.path.basename(self.dir))))
        try:
            if self._owns_database:
                self.database.drop()
        finally:  # the directory goes even when the database could not
            if KEEP:
                sys.stderr.write("cbpn test dir kept: %s\n" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    def db_args(self):
        """The --db (and --key) options of a cbpn command on this database."""
        return self.database.args()

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
            record_sent(body=body)
        if raw is not None:
            data = raw
            if "x-www-form-urlencoded" in (content_type or ""):
                record_sent(form=raw)
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
    #
    # The helpers work on both backends: queries with ? placeholders, rows
    # as tuples of sqlite3's types (see Database).

    def rows(self, sql, args=()):
        """The rows of a read-only query on the database."""
        return self.database.rows(sql, args)

    def count(self, table, where="", args=()):
        return self.database.count(table, where, args)

    def tables(self):
        return self.database.tables()

    def columns(self, table):
        return self.database.columns(table)

    def snapshot(self):
        """{table: (row count, digest of the rows or None)} of every table."""
        return self.database.snapshot()

    def execute(self, sql, args=()):
        """One writing statement on the database, committed: the number of
        rows it changed."""
        return self.database.execute(sql, args)

    def writes_locked(self):
        """A block during which another writer holds the database."""
        return self.database.writes_locked()

    def file_bytes(self):
        """The database's files, as bytes: what someone who copies the
        files gets."""
        return self.database.file_bytes()

    def find_table(self, *candidates):
        """The first existing table among candidates (names vary by schema)."""
        return self.database.find_table(*candidates)


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
        last_seq = self.srv.rows("SELECT coalesce(max(seq), 0) FROM audit")[0][0]
        yield
        after = self.srv.snapshot()
        changed = []
        # A refusal (403) is recorded in the audit log (API.md): entries
        # appended with action "denied" are what a refused request may write.
        added = self.srv.rows("SELECT action FROM audit WHERE seq > ? ORDER BY seq", (last_seq,))
        refusals_only = bool(added) and all(a == "denied" for (a,) in added)
        for t in sorted(set(before) | set(after)):
            if t in ignore or (refusals_only and t in ("audit", "audit_head")):
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
