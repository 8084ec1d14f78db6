"""PostgreSQL plumbing for the scale-out and failover tests (test_scaleout,
test_failover): the server binaries, queries through psql, throwaway
clusters on loopback (a primary and a streaming standby made with
pg_basebackup -R), and `cbpn serve` processes of our own.

Queries go through psql, so these tests need no Python driver. Every
process started here runs in a process group of its own and is ended by
that group's id: a cluster's postmaster and its backends, a cbpn serve.
As root, initdb, postgres and pg_basebackup run as the postgres user.
"""

import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BACKEND = os.environ.get("CBPN_TEST_BACKEND", "sqlite") or "sqlite"
SKIP_REASON = "scale-out/failover are PostgreSQL's"
DEMO_PASSWORD = "demo-password-1"
SLOW = float(os.environ.get("CBPN_TEST_SLOW", "1") or "1")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CBPN_BIN = os.environ.get("CBPN_BIN", "build/cbpn")
if not os.path.isabs(CBPN_BIN):
    CBPN_BIN = (os.path.abspath(CBPN_BIN) if os.path.exists(CBPN_BIN)
                else os.path.join(REPO, CBPN_BIN))


class ClusterError(Exception):
    pass


# Every cluster and cbpn serve still running, ended when the process exits
# however it does (a SIGTERM that the harness turns into KeyboardInterrupt
# skips unittest's cleanups, not atexit).
_live = set()
_dirs = set()  # temporary directories made here, removed at exit at the latest


def _end_all():
    for p in list(_live):
        p.kill()
    if os.environ.get("CBPN_TEST_KEEP") != "1":
        for d in list(_dirs):
            shutil.rmtree(d, ignore_errors=True)


atexit.register(_end_all)
# A SIGTERM (scripts/test.sh stopping a run) ends the run as Ctrl-C does,
# so that the atexit handlers run.
if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def _group_kw():
    """subprocess arguments for a process group of its own, in our session:
    it is ended by its group's id, and a stop of the whole session still
    reaches it."""
    if sys.version_info >= (3, 11):
        return {"process_group": 0}
    return {"preexec_fn": os.setpgrp}


def is_root():
    return os.geteuid() == 0


def bindir():
    """The directory of initdb, postgres, pg_ctl, pg_basebackup, or None."""
    try:
        b = subprocess.run(["pg_config", "--bindir"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=10).stdout.decode().strip()
    except (OSError, subprocess.TimeoutExpired):
        b = ""
    cands = [b] if b else []
    try:
        vers = sorted(os.listdir("/usr/lib/postgresql"),
                      key=lambda v: [int(x) if x.isdigit() else 0 for x in v.split(".")])
    except OSError:
        vers = []
    cands += ["/usr/lib/postgresql/%s/bin" % v for v in reversed(vers)]
    for d in cands:
        if all(os.access(os.path.join(d, n), os.X_OK)
               for n in ("initdb", "postgres", "pg_ctl", "pg_basebackup")):
            return d
    return None


def psql_bin():
    b = bindir()
    if b and os.access(os.path.join(b, "psql"), os.X_OK):
        return os.path.join(b, "psql")
    return shutil.which("psql")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(uri, sql, timeout=60):
    """Runs sql on the database at uri (a connection string or URI);
    returns its rows as tuples of strings (NULL as None). Raises
    ClusterError when psql fails."""
    args = [psql_bin(), "-X", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1e", "-P", "null=\x1a",
            "-v", "ON_ERROR_STOP=1", "-d", uri, "-c", sql]
    env = dict(os.environ, PGCONNECT_TIMEOUT="5", PGAPPNAME="cbpn-tests")
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise ClusterError("psql %s: no answer in %ds" % (sql[:80], timeout))
    if p.returncode != 0:
        raise ClusterError("psql %s: %s" % (sql[:80], p.stderr.decode(errors="replace").strip()))
    out = p.stdout.decode("utf-8", errors="replace")
    rows = []
    for rec in out.split("\x1e"):
        rec = rec.strip("\n")
        if rec == "":
            continue
        rows.append(tuple(None if f == "\x1a" else f for f in rec.split("\x1f")))
    return rows


def owner_dir(prefix):
    """A new temporary directory the postgres user may use (as root: owned
    by postgres; /tmp itself lets everyone through)."""
    d = tempfile.mkdtemp(prefix=prefix)
    _dirs.add(d)
    os.chmod(d, 0o711)
    if is_root():
        shutil.chown(d, "postgres", "postgres")
        os.chmod(d, 0o700)
    return d


def _owner_kw():
    """subprocess arguments that run a command as the clusters' owner."""
    if is_root():
        return {"user": "postgres", "group": "postgres", "extra_groups": []}
    return {}


def _run_owner(args, log, timeout=120, cwd=None):
    with open(log, "ab") as f:
        try:
            p = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                               timeout=timeout, cwd=cwd, **_owner_kw())
        except subprocess.TimeoutExpired:
            raise ClusterError("%s: did not finish in %ds (%s)" % (args[0], timeout, log))
    if p.returncode != 0:
        raise ClusterError("%s failed (exit %d): %s" % (
            os.path.basename(args[0]), p.returncode, tail(log)))


def tail(path, n=3000):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")[-n:]
    except OSError:
        return ""


class Cluster:
    """One PostgreSQL cluster in base/name, listening on 127.0.0.1:port
    only, with trust for every role over loopback (a throwaway test
    cluster: nothing else reaches it)."""

    def __init__(self, base, name):
        self.bin = bindir()
        if self.bin is None:
            raise ClusterError("no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): "
                               "install the Debian package postgresql")
        self.name = name
        self.dir = os.path.join(base, name)
        os.mkdir(self.dir, 0o700)
        if is_root():
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "server.log")
        self.tool_log = os.path.join(self.dir, "tools.log")
        self.port = free_port()
        self.proc = None  # the postmaster, leader of its own process group

    def b(self, name):
        return os.path.join(self.bin, name)

    def uri(self, db="postgres", user="cbpn"):
        return "postgres://%s@127.0.0.1:%d/%s" % (user, self.port, db)

    def sql(self, sql, db="postgres", user="postgres", timeout=60):
        return psql(self.uri(db, user), sql, timeout)

    def _write_conf(self, name, text, append=True):
        """Writes a file of the data directory as its owner would."""
        path = os.path.join(self.data, name)
        with open(path, "a" if append else "w") as f:
            f.write(text)
        if is_root():
            shutil.chown(path, "postgres", "postgres")

    def _settings(self, extra=""):
        return """
# tests/api/pgcluster.py: a throwaway test cluster on loopback
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
max_connections = 100
shared_buffers = 32MB
max_worker_processes = 4
max_parallel_workers_per_gather = 0
fsync = on
synchronous_commit = on
timezone = 'UTC'
log_timezone = 'UTC'
lc_messages = 'C'
log_line_prefix = '%%m [%%p] %%q%%u@%%d '
%s""" % (self.port, self.dir, extra)

    def initdb(self, extra_conf=""):
        _run_owner([self.b("initdb"), "-D", self.data, "-E", "UTF8", "--no-locale",
                    "-U", "postgres", "--auth-local=peer", "--auth-host=reject"],
                   self.tool_log, cwd=self.dir)
        self._write_conf("pg_hba.conf", "local all all peer\n"
                         "host all all 127.0.0.1/32 trust\n"
                         "host replication all 127.0.0.1/32 trust\n", append=False)
        self._write_conf("postgresql.conf", self._settings(extra_conf))

    def basebackup_from(self, primary, application_name):
        """Makes this cluster a streaming standby of primary (pg_basebackup -R),
        naming itself application_name to it."""
        _run_owner([self.b("pg_basebackup"), "-D", self.data, "-h", "127.0.0.1",
                    "-p", str(primary.port), "-U", "postgres", "-R", "-X", "stream",
                    "-c", "fast"], self.tool_log, timeout=180, cwd=self.dir)
        # Its own port and socket (the copy has the primary's), and the
        # name the primary's synchronous_standby_names knows it by.
        self._write_conf("postgresql.conf", self._settings())
        self._write_conf("postgresql.auto.conf",
                         "primary_conninfo = 'host=127.0.0.1 port=%d user=postgres "
                         "application_name=%s'\n" % (primary.port, application_name))

    def start(self, timeout=60):
        logf = open(self.log, "ab")
        try:
            self.proc = subprocess.Popen([self.b("postgres"), "-D", self.data],
                                         stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, cwd=self.dir,
                                         **_group_kw(), **_owner_kw())
        finally:
            logf.close()
        _live.add(self)
        deadline = time.monotonic() + timeout * SLOW
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ClusterError("postgres %s exited %s: %s" % (
                    self.name, self.proc.returncode, tail(self.log)))
            p = subprocess.run([self.b("pg_isready"), "-q", "-h", "127.0.0.1", "-p",
                                str(self.port), "-d", "postgres", "-U", "postgres"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if p.returncode == 0:
                return self
            time.sleep(0.1)
        raise ClusterError("postgres %s did not accept connections in %ds: %s" % (
            self.name, timeout, tail(self.log)))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """kill -9 of the postmaster alone (its backends find out by themselves)."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def promote(self, timeout=60):
        _run_owner([self.b("pg_ctl"), "promote", "-D", self.data, "-w", "-t", str(timeout)],
                   self.tool_log, timeout=timeout + 10, cwd=self.dir)

    def in_recovery(self):
        return self.sql("SELECT pg_is_in_recovery()")[0][0] == "t"

    def stop(self):
        """Stops the cluster: a fast shutdown, then SIGKILL to whatever is
        left of its process group (a postmaster killed before leaves its
        backends in it for a moment)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGINT)  # fast shutdown
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self):
        """SIGKILL to the cluster's process group (the postmaster and its
        backends, even after the postmaster itself was killed)."""
        _live.discard(self)
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass


class Answer:
    """One HTTP answer: status, headers, the parsed JSON value (or bytes)."""

    def __init__(self, status, headers, value, raw):
        self.status, self.headers, self.value, self.raw = status, headers, value, raw

    def __iter__(self):
        return iter((self.status, self.headers, self.value))


class Serve:
    """A `cbpn serve` of our own on --db uri --key key: in its own process
    group, with its log in dirpath."""

    def __init__(self, dirpath, uri, key, name="serve"):
        self.dir = dirpath
        self.uri = uri
        self.key = key
        self.log_path = os.path.join(dirpath, name + ".log")
        self.proc = None
        self.port = None

    def start(self, timeout=30):
        for _ in range(3):  # the port could be taken between probe and bind
            self.port = free_port()
            logf = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(
                    [CBPN_BIN, "serve", "--db", self.uri, "--key", self.key,
                     "--listen", "127.0.0.1:%d" % self.port],
                    stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                    cwd=self.dir, **_group_kw())
            finally:
                logf.close()
            _live.add(self)
            deadline = time.monotonic() + timeout * SLOW
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    if self.request("GET", "/healthz", timeout=2).status == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            self.kill()
        raise ClusterError("cbpn serve did not answer /healthz; log:\n%s" % tail(self.log_path))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def request(self, method, path, body=None, token=None, headers=None, timeout=15):
        data = json.dumps(body).encode() if body is not None else None
        h = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
        finally:
            c.close()
        value = raw
        if (r.getheader("Content-Type") or "").startswith("application/json") and raw:
            value = json.loads(raw.decode("utf-8"))
        return Answer(r.status, r.msg, value, raw)

    def sign_in(self, username, password=DEMO_PASSWORD):
        a = self.request("POST", "/api/v1/session", {"username": username, "password": password})
        if a.status != 201:
            raise AssertionError("sign-in of %s: %d %r" % (username, a.status, a.value))
        return a.value["token"]

    def stop(self, timeout=20):
        """SIGTERM, then SIGKILL to the process group; the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout * SLOW)
            except subprocess.TimeoutExpired:
                pass
        rc = self.proc.poll()
        self.kill()
        return rc

    def kill(self):
        _live.discard(self)
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def log_text(self):
        return tail(self.log_path, 1 << 20)


def run_demo(uri, key, cwd):
    """`cbpn demo` into the empty database at uri, making the key file key."""
    p = subprocess.run([CBPN_BIN, "demo", "--db", uri, "--key", key, "--password-stdin"],
                       input=(DEMO_PASSWORD + "\n").encode(), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600 * SLOW, cwd=cwd)
    if p.returncode != 0:
        raise ClusterError("cbpn demo failed (exit %d): %s" % (
            p.returncode, p.stdout.decode(errors="replace")[-2000:]))


# ---- the audit chain, checked in Python (src/audit/audit.c) ----------------

def _u64(v):
    return v.to_bytes(8, "big")


def _s(v):
    b = (v or "").encode("utf-8")
    return _u64(len(b)) + b


def audit_entry_hash(prev_hash, seq, at, user_id, action, record_type, record_id, detail):
    """BLAKE2b-256 over the domain tag (with its NUL), prev_hash, seq and
    every field, each as its length and bytes, as audit.c computes it."""
    import hashlib
    h = hashlib.blake2b(digest_size=32)
    h.update(b"cbpn audit v1\x00")
    h.update(prev_hash)
    h.update(_u64(seq))
    for f in (at, user_id, action, record_type, record_id, detail):
        h.update(_s(f))
    return h.digest()


def _bytea(v):
    if v is None:
        return None
    if v.startswith("\\x"):
        return bytes.fromhex(v[2:])
    raise ValueError("bytea not in hex output: %r" % v[:20])


def audit_chain_problems(uri, limit=20):
    """[] when the audit table at uri is one chain: seqs 1..N without gaps,
    each prev_hash the hash before it (zeros for the first), each hash
    the entry's own, and audit_head at the last entry. Else what is wrong."""
    rows = psql(uri, "SELECT seq, at, user_id, action, record_type, record_id, detail, "
                     "prev_hash, hash FROM audit ORDER BY seq", timeout=120)
    problems = []
    prev = b"\x00" * 32
    last = 0
    for r in rows:
        seq = int(r[0])
        ph, hh = _bytea(r[7]), _bytea(r[8])
        if seq != last + 1:
            problems.append("seq %d follows %d" % (seq, last))
        if ph != prev:
            problems.append("seq %d: prev_hash is not the hash of seq %d" % (seq, last))
        if audit_entry_hash(ph, seq, *r[1:7]) != hh:
            problems.append("seq %d: its hash is not its entry's" % seq)
        prev, last = hh, seq
        if len(problems) >= limit:
            break
    head = psql(uri, "SELECT seq, hash FROM audit_head WHERE chain = 'main'")
    if not head:
        problems.append("no audit_head row")
    elif int(head[0][0]) != last or (last and _bytea(head[0][1]) != prev):
        problems.append("audit_head is at seq %s, the chain ends at %d" % (head[0][0], last))
    return problems, last


def log(msg):
    sys.stderr.write("  [%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()
