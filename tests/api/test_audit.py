"""The audit log (issue 9, item 2): a keyed chain nobody can rewrite.

Every entry carries a MAC (keyed BLAKE2b-256 under the audit key, a file
beside the data key, never in the database) over its fields and the previous
entry's MAC; the chain head is signed (Ed25519) into a head file beside the
key within a second of every append and at shutdown. Here, as an attacker
with write access to the database (triggers dropped) would: edit, delete,
insert, swap two rows, cut the tail, each with every hash recomputed (the old
unkeyed scheme, or MACs under a key she made up) and the in-database head
rewritten; `cbpn audit verify` (exit 1) and GET /api/v1/audit/verify name
the first bad entry. Also GET /api/v1/audit, the case history, what is
audited, and two servers over one PostgreSQL with a head file each.

Runs on both backends (CBPN_TEST_BACKEND, see cbpnserver.py).
"""

import glob
import hashlib
import os
import re
import subprocess
import time
import unittest

from cbpnserver import (CBPN_BIN, DEMO_PASSWORD, SLOW, Server, ServerTestCase, audit_key_path,
                        head_path)
from test_pages import PageClient, cookies_of

# Details are codes: letters, digits, _ = . / { } : - and spaces (a refusal
# names the route's pattern, "GET /api/v1/cases/{id}").
DETAIL_RE = re.compile(r"^[A-Za-z0-9_=./{}:, -]*$")
ID_RE = re.compile(r"^[a-z0-9]{20}$")
COLS = "seq, at, user_id, action, record_type, record_id, detail, prev_hash, hash, key_id, mac"


def run(*args, timeout=120):
    p = subprocess.run([CBPN_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout * SLOW)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def head_of(path):
    """The seq a head file names, or None when there is none."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("seq "):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


# ---- the attacker: the documented scheme, recomputed (src/audit/audit.c) ----

def _u64(v):
    return v.to_bytes(8, "big")


def _str(s):
    b = (s or "").encode()
    return _u64(len(b)) + b


def _fields(r):
    return (_u64(r["seq"]) + _str(r["at"]) + _str(r["user_id"]) + _str(r["action"])
            + _str(r["record_type"]) + _str(r["record_id"]) + _str(r["detail"]))


def recompute(r, prev_hash, link, mode, key):
    """r's hash after prev_hash; its MAC after link under key (mode "own_key"),
    or none (mode "unkeyed": the scheme before the chain was keyed)."""
    r["prev_hash"] = prev_hash
    r["hash"] = hashlib.blake2b(b"cbpn audit v1\0" + prev_hash + _fields(r),
                                digest_size=32).digest()
    if mode == "unkeyed":
        r["mac"], r["key_id"] = None, None
    else:
        r["mac"] = hashlib.blake2b(b"cbpn audit mac v1\0" + link + _fields(r)
                                   + _str(r["key_id"]), digest_size=32, key=key).digest()


class Attacker:
    """Write access to the database, no audit key."""

    def __init__(self, srv):
        self.srv = srv
        self.key = os.urandom(32)

    def entries(self):
        names = [c.strip() for c in COLS.split(",")]
        out = []
        for row in self.srv.rows("SELECT %s FROM audit ORDER BY seq" % COLS):
            r = dict(zip(names, row))
            for k in ("prev_hash", "hash", "mac"):
                if r[k] is not None:
                    r[k] = bytes(r[k])
            out.append(r)
        return out

    def _drop_triggers(self):
        if self.srv.backend == "sqlite":
            self.srv.execute("DROP TRIGGER IF EXISTS audit_no_update")
            self.srv.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        else:
            self.srv.execute("DROP TRIGGER IF EXISTS audit_no_update ON audit")
            self.srv.execute("DROP TRIGGER IF EXISTS audit_no_delete ON audit")

    def write(self, rows, keep, mode, head=True):
        """rows (renumbered 1..n) as the log: the first keep as they are, the
        rest recomputed (mode, or None: as they are); the in-database head
        moved to the last one when head."""
        prev, link = b"\0" * 32, b"\0" * 32
        for i, r in enumerate(rows):
            r["seq"] = i + 1
            if i >= keep and mode is not None:
                recompute(r, prev, link, mode, self.key)
            prev, link = r["hash"], r["mac"] if r["mac"] is not None else r["hash"]
        self._drop_triggers()
        self.srv.execute("DELETE FROM audit WHERE seq > ?", (keep,))
        for r in rows[keep:]:
            self.srv.execute("INSERT INTO audit (%s) VALUES (?,?,?,?,?,?,?,?,?,?,?)" % COLS,
                             tuple(r[c.strip()] for c in COLS.split(",")))
        if head and rows:
            last = rows[-1]
            self.srv.execute("UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE chain = 'main'",
                             (last["seq"], last["hash"], last["mac"]))


class AuditBase(ServerTestCase):
    SERVER_ID = "t1"

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(["--server-id", cls.SERVER_ID]).start()
        try:
            for name in cls.USERS:
                cls.srv.login(name)
        except BaseException:
            cls.srv.stop()
            cls.srv.cleanup()
            raise

    def head_file(self, srv=None, server_id=None):
        srv = srv or self.srv
        return head_path(srv.key, server_id or self.SERVER_ID)

    def last_seq(self):
        return self.srv.rows("SELECT coalesce(max(seq), 0) FROM audit")[0][0]

    def wait_head(self, want, path=None, limit=1.5):
        """Polls the head file until it names want; the seconds it took."""
        path = path or self.head_file()
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit * SLOW:
            if head_of(path) == want:
                return time.monotonic() - t0
            time.sleep(0.02)
        self.fail("the head file %s names %r, not entry %d, %.1f s after the append"
                  % (path, head_of(path), want, limit * SLOW))

    def cli_verify(self, *extra, srv=None):
        return run("audit", "verify", *(srv or self.srv).db_args(), *extra)

    def assertBroken(self, first_bad, reason=None, heads=()):
        """The CLI (exit 1) and the API both name first_bad."""
        rc, out, err = self.cli_verify(*heads)
        self.assertEqual(rc, 1, "cbpn audit verify: %s %s" % (out, err))
        self.assertIn("BROKEN at entry %d " % first_bad, out)
        st, _, v = self.req("GET", "/api/v1/audit/verify", as_user="admin")
        self.assertEqual(st, 200, v)
        self.assertFalse(v["ok"], v)
        self.assertEqual(v.get("first_bad"), first_bad, v)
        if reason:
            self.assertEqual(v.get("reason"), reason, v)


class AuditApiTest(AuditBase):
    def test_verify_intact_and_who_may(self):
        for user in ("admin", "supervisor"):
            st, _, v = self.req("GET", "/api/v1/audit/verify", as_user=user)
            self.assertEqual(st, 200, v)
            self.assertTrue(v["ok"], v)
            self.assertGreater(v["entries"], 0)
            self.assertNotIn("first_bad", v)
            self.assertGreaterEqual(v["heads"], 1)
            self.assertEqual(v["bad_heads"], 0)
            self.assertLessEqual(v["head"]["seq"], self.last_seq())
        last = self.srv.rows("SELECT action, detail, user_id FROM audit ORDER BY seq DESC LIMIT 1")
        self.assertEqual(last[0][:2], ("verify", "ok"))
        self.assertEqual(last[0][2], self.srv.user("supervisor")["id"])
        for user in ("caseworker1", "analyst", "member1", "rep1", "counsel"):
            with self.subTest(user=user), self.assertWritesNothing():
                self.assertError(self.req("GET", "/api/v1/audit/verify", as_user=user), 403)
            # the refusal is in the log: who, and the route's pattern
            row = self.srv.rows("SELECT action, user_id, record_type, record_id, detail FROM audit"
                                " ORDER BY seq DESC LIMIT 1")[0]
            self.assertEqual(row, ("denied", self.srv.user(user)["id"], "route", None,
                                   "GET /api/v1/audit/verify"))
        self.assertError(self.req("GET", "/api/v1/audit/verify"), 401)
        rc, out, err = self.cli_verify()
        self.assertEqual(rc, 0, out + err)
        self.assertIn("audit chain intact", out)

    def test_every_entry_keyed_and_codes_only(self):
        rows = self.srv.rows("SELECT seq, key_id, mac, detail, user_id, record_id FROM audit")
        self.assertGreater(len(rows), 100)
        ids = {r[1] for r in rows}
        self.assertEqual(len(ids), 1, "one audit key made every entry of a new deployment")
        self.assertTrue(re.match(r"^[0-9a-f]{16}$", ids.pop()))
        for seq, _, mac, detail, user_id, record_id in rows:
            self.assertEqual(len(bytes(mac)), 32, seq)
            self.assertTrue(detail is None or DETAIL_RE.match(detail), (seq, detail))
            self.assertTrue(user_id is None or ID_RE.match(user_id), (seq, user_id))
            self.assertTrue(record_id is None or ID_RE.match(record_id), (seq, record_id))
        # the key is outside the database, 0600, and never in it
        ak = audit_key_path(self.srv.key)
        self.assertEqual(os.stat(ak).st_mode & 0o077, 0)
        with open(ak) as f:
            secret = [ln.split()[-1] for ln in f if ln.startswith(("mac ", "sign "))]
        if self.srv.backend != "sqlite":
            return  # the cluster's files: the stolen-file tests of sealing read them
        data = self.srv.file_bytes()
        for s in secret:
            self.assertNotIn(bytes.fromhex(s), data)
            self.assertNotIn(s.encode(), data)

    def test_head_follows_appends_within_a_second(self):
        cases = self.list_all("/api/v1/cases", "supervisor")
        for c in cases[:3]:  # three reads, appended one after the other
            st, _, _ = self.req("GET", "/api/v1/cases/%s" % c["id"], as_user="supervisor")
            self.assertEqual(st, 200)
        took = self.wait_head(self.last_seq(), limit=1.2)
        self.assertLess(took, 1.2 * SLOW)
        with open(self.head_file()) as f:
            text = f.read()
        self.assertIn("server %s\n" % self.SERVER_ID, text)
        self.assertRegex(text, r"\nsig [0-9a-f]{128}\n$")

    def test_audit_list(self):
        cases = self.list_all("/api/v1/cases", "supervisor")
        cid = cases[0]["id"]
        st, _, _ = self.req("GET", "/api/v1/cases/%s" % cid, as_user="caseworker1")
        st, _, _ = self.req("GET", "/api/v1/cases/%s" % cid, as_user="supervisor")
        path = "/api/v1/audit?record_type=case&record_id=%s" % cid
        for user in ("admin", "supervisor"):
            items = self.list_all(path, user)
            self.assertTrue(items)
            seqs = [i["seq"] for i in items]
            self.assertEqual(seqs, sorted(seqs))
            self.assertTrue(all(i["record_type"] == "case" and i["record_id"] == cid
                                for i in items))
            readers = {i["user"] for i in items if i["action"] == "read"}
            self.assertIn(self.srv.user("supervisor")["id"], readers)
            self.assertTrue(all(i["key_id"] for i in items))
        # paging by cursor, one at a time, gives the same entries
        st, _, v = self.req("GET", path + "&limit=1", as_user="admin")
        self.assertEqual(st, 200)
        self.assertEqual(len(v["items"]), 1)
        self.assertIsNotNone(v["next_cursor"])
        st, _, v2 = self.req("GET", path + "&limit=1&cursor=" + v["next_cursor"], as_user="admin")
        self.assertGreater(v2["items"][0]["seq"], v["items"][0]["seq"])
        # the whole log: admin only
        st, _, v = self.req("GET", "/api/v1/audit?limit=5", as_user="admin")
        self.assertEqual(st, 200)
        self.assertEqual([i["seq"] for i in v["items"]], [1, 2, 3, 4, 5])
        with self.assertWritesNothing():
            self.assertError(self.req("GET", "/api/v1/audit", as_user="supervisor"), 403)
            self.assertError(self.req("GET", "/api/v1/audit?record_type=user&record_id=%s"
                                      % self.srv.user("caseworker1")["id"], as_user="supervisor"),
                             403)
            for user in ("caseworker1", "analyst", "member1", "counsel"):
                self.assertError(self.req("GET", path, as_user=user), 403)
        with self.assertWritesNothing():
            self.assertError(self.req("GET", "/api/v1/audit?record_type=case&record_id=%s"
                                      % ("z" * 20), as_user="supervisor"), 404)
            for bad, field in (("record_type=Case&record_id=%s" % cid, "record_type"),
                               ("record_type=case", "record_id"),
                               ("record_id=%s" % cid, "record_type"),
                               ("record_type=case&record_id=x%27", "record_id"),
                               ("limit=0", "limit"), ("limit=501", "limit"),
                               ("cursor=abc", "cursor")):
                with self.subTest(bad=bad):
                    self.assertError(self.req("GET", "/api/v1/audit?" + bad, as_user="admin"),
                                     422, "validation_failed", [field])

    def test_case_history_who_saw_and_changed(self):
        cases = self.list_all("/api/v1/cases", "supervisor")
        cid = next(c["id"] for c in cases if c.get("assigned_to") is None
                   and c["status"] == "reported")
        cw = self.srv.user("caseworker2")["id"]
        st, _, _ = self.req("GET", "/api/v1/cases/%s" % cid, as_user="caseworker2")
        self.assertEqual(st, 200)
        st, _, _ = self.req("POST", "/api/v1/cases/%s/assign" % cid, {"caseworker_id": cw},
                            as_user="supervisor")
        self.assertEqual(st, 200)
        st, _, v = self.req("GET", "/api/v1/cases/%s/history" % cid, as_user="supervisor")
        self.assertEqual(st, 200, v)
        got = [(i["user"], i["action"]) for i in v["items"]]
        self.assertIn((cw, "read"), got)
        self.assertIn((self.srv.user("supervisor")["id"], "assign"), got)
        # an admin refused a case: in its history as a refusal
        with self.assertWritesNothing():
            self.assertError(self.req("GET", "/api/v1/cases/%s" % cid, as_user="admin"), 403)
        st, _, v = self.req("GET", "/api/v1/cases/%s/history" % cid, as_user="supervisor")
        denied = [i for i in v["items"] if i["action"] == "denied"]
        self.assertEqual(denied[-1]["user"], self.srv.user("admin")["id"])
        self.assertEqual(denied[-1]["detail"], "GET /api/v1/cases/{id}")
        self.assertError(self.req("GET", "/api/v1/cases/%s/history" % cid, as_user="caseworker1"),
                         403)

    def test_reads_of_case_lists_audited(self):
        """The case's tasks, consents and timeline read on their own are
        reads of the case; sign-in, failure and sign-out are in the log."""
        cases = self.list_all("/api/v1/cases", "supervisor")
        cid = next(c["id"] for c in cases if c["status"] == "open")
        for what in ("timeline", "consents", "tasks"):
            st, _, v = self.req("GET", "/api/v1/cases/%s/%s" % (cid, what), as_user="supervisor")
            self.assertEqual(st, 200)
            if v["items"] if isinstance(v, dict) else v:
                rows = self.srv.rows("SELECT action, record_id, detail FROM audit"
                                     " ORDER BY seq DESC LIMIT 1")
                self.assertEqual(rows[0], ("read", cid, what))
        uid = self.srv.user("caseworker2")["id"]
        st, _, _ = self.srv.request("POST", "/api/v1/session",
                                    {"username": "caseworker2", "password": "not-the-password"})
        self.assertEqual(st, 401)
        st, _, v = self.srv.request("POST", "/api/v1/session",
                                    {"username": "caseworker2", "password": "demo-password-1"})
        self.assertEqual(st, 201, v)
        st, _, _ = self.srv.request("DELETE", "/api/v1/session", token=v["token"])
        rows = self.srv.rows("SELECT action, record_id FROM audit ORDER BY seq DESC LIMIT 3")
        self.assertEqual([r[0] for r in rows], ["logout", "login", "login_failed"])
        self.assertEqual(rows[0][1], uid)


class AuditPageTest(PageClient, AuditBase):
    """GET /audit: the signed head and whether the chain verifies."""

    def session(self, user):
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": user,
                                                         "password": DEMO_PASSWORD,
                                                         "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        value = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(value)
        return dict(pre, cbpn_session=value)

    def test_page_shows_the_head_and_ok(self):
        for user in ("admin", "supervisor"):
            cookies = self.session(user)
            n = self.last_seq()
            self.wait_head(n)
            st, _, body = self.page("GET", "/audit?lang=en", cookies)
            self.assertEqual(st, 200, body[:300])
            self.assertIn(b'data-ok="true"', body)
            self.assertIn(b'id="nav-audit"', body)
            seq = re.search(rb'<dd id="head-seq">(\d+)</dd>', body)
            self.assertIsNotNone(seq, body[:2000])
            self.assertEqual(int(seq.group(1)), n)
            self.assertIn(b'<dd id="head-server">t1</dd>', body)
            self.assertRegex(body, rb'<dd id="head-at"><time')
            st, _, body = self.page("GET", "/audit?lang=km", cookies)
            self.assertEqual(st, 200)
            self.assertIn("កំណត់ត្រាសវនកម្ម".encode(), body)
        cookies = self.session("caseworker1")
        st, _, body = self.page("GET", "/audit", cookies)
        self.assertEqual(st, 403)
        st, _, body = self.page("GET", "/cases", cookies)
        self.assertNotIn(b'id="nav-audit"', body)
        # an entry edited in the database: the page says which
        at = Attacker(self.srv)
        rows = at.entries()
        rows[9]["detail"] = "forged"
        at.write(rows, 9, "own_key")
        st, _, body = self.page("GET", "/audit?lang=en", self.session("admin"))
        self.assertIn(b'data-ok="false"', body)
        self.assertIn(b"entry 10 is not as it was written", body)


class AuditTamperTest(AuditBase):
    """A fresh server (a database of its own) for each tamper case."""

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        AuditBase.setUpClass.__func__(type(self))
        self.at = Attacker(self.srv)
        # a few more entries, and the head signed over all of them
        cases = self.list_all("/api/v1/cases", "supervisor")
        for c in cases[:4]:
            self.req("GET", "/api/v1/cases/%s" % c["id"], as_user="supervisor")
        self.admin = self.srv.login("admin")  # signed in before: tampering appends nothing
        self.n = self.last_seq()
        self.wait_head(self.n)
        rc, out, err = self.cli_verify()
        self.assertEqual(rc, 0, out + err)

    def tearDown(self):
        AuditBase.tearDownClass.__func__(type(self))

    def tamper(self, what, mode):
        """Changes the log as what says, recomputing from the first entry
        changed (mode), the in-database head rewritten; the first bad seq."""
        rows = self.at.entries()
        k = self.n - 6  # an index well inside the log
        if what == "edit":
            rows[k]["detail"] = "status=closed"
        elif what == "delete":
            del rows[k]
        elif what == "insert":
            forged = dict(rows[k])
            forged["record_id"] = "forgedforgedforged01"
            rows.insert(k, forged)
        elif what == "swap":
            rows[k], rows[k + 2] = rows[k + 2], rows[k]
        self.at.write(rows, k, mode)
        return k + 1

    def _case(self, what):
        bad = self.tamper(what, "own_key")
        self.assertBroken(bad, "entry")
        # once more, every hash from there on recomputed the old, unkeyed way
        self.assertEqual(self.tamper(what, "unkeyed"), bad)
        self.assertBroken(bad, "entry")

    def test_edit(self):
        self._case("edit")

    def test_delete(self):
        self._case("delete")

    def test_insert(self):
        self._case("insert")

    def test_swap(self):
        self._case("swap")

    def test_rows_swapped_as_written(self):
        rows = self.at.entries()
        k = self.n - 6
        rows[k], rows[k + 1] = rows[k + 1], rows[k]
        self.at.write(rows, k, None)
        self.assertBroken(k + 1, "entry")

    def test_whole_log_recomputed(self):
        rows = self.at.entries()
        self.at.write(rows, 0, "unkeyed")
        self.assertBroken(1, "entry")

    def test_truncated_tail_with_head_rewritten(self):
        rows = self.at.entries()
        self.at.write(rows[:-3], len(rows) - 3, None)  # cut 3, the in-database head moved back
        self.assertEqual(self.last_seq(), self.n - 3)
        self.assertBroken(self.n - 2, "truncated")
        # the server signs no head that hides the cut
        self.assertEqual(head_of(self.head_file()), self.n)

    def test_head_file_forged(self):
        path = self.head_file()
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("seq %d\n" % self.n, "seq %d\n" % (self.n - 1)))
        rc, out, _ = self.cli_verify()
        self.assertEqual(rc, 1, out)
        self.assertIn("not signed", out)
        st, _, v = self.req("GET", "/api/v1/audit/verify", as_user="admin")
        self.assertFalse(v["ok"])
        self.assertEqual((v["reason"], v["bad_heads"]), ("head_file", 1))


class AuditUpgradeTest(AuditBase):
    """A deployment from before the chain was keyed: its log unkeyed (as the
    old code wrote it), no audit key file. Its first start makes the file,
    leaves the old entries as they are and keys the next ones."""

    @classmethod
    def setUpClass(cls):
        AuditBase.setUpClass.__func__(cls)
        cls.srv.stop()

    def test_first_start_makes_the_keys_and_keeps_the_old_entries(self):
        at = Attacker(self.srv)
        at.write(at.entries(), 0, "unkeyed")  # what the code before wrote
        legacy = self.last_seq()
        ak = audit_key_path(self.srv.key)
        for p in [ak] + glob.glob(self.srv.key + ".head.*"):
            os.unlink(p)
        self.srv.start()
        self.srv.tokens.clear()
        self.assertIn("created the audit key file", self.srv.log_text())
        self.assertEqual(os.stat(ak).st_mode & 0o777, 0o600)
        with open(ak) as f:
            self.assertIn("legacy_until %d\n" % legacy, f.read())
        st, _, v = self.req("GET", "/api/v1/audit/verify", as_user="admin")
        self.assertTrue(v["ok"], v)
        rows = self.srv.rows("SELECT seq, key_id FROM audit ORDER BY seq")
        self.assertTrue(all(k is None for s_, k in rows if s_ <= legacy))
        self.assertTrue(all(k is not None for s_, k in rows if s_ > legacy))
        self.assertGreater(len(rows), legacy)
        # an old entry edited, every hash after it recomputed: the first
        # keyed entry's MAC covers the last old hash. The head must name
        # the last entry first: a head still at the last old one would
        # catch the edit there, one entry earlier.
        self.wait_head(self.last_seq())
        rows = at.entries()
        rows[legacy - 3]["detail"] = "forged"
        prev = rows[legacy - 4]["hash"]
        for r in rows[legacy - 3:]:
            mac, kid = r["mac"], r["key_id"]
            recompute(r, prev, b"", "unkeyed", None)
            r["mac"], r["key_id"] = mac, kid  # the MACs she cannot remake, as they were
            prev = r["hash"]
        at.write(rows, legacy - 3, None)
        self.assertBroken(legacy + 1, "entry")
        # the keys' file gone while the log holds keyed entries: no start
        self.assertEqual(self.srv.stop(), 0)
        os.rename(ak, ak + ".away")
        try:
            rc, out, err = run("serve", *self.srv.db_args(), "--listen", "127.0.0.1:1")
            self.assertEqual(rc, 1, out + err)
            self.assertIn("audit key file", err)
            self.assertIn("is missing", err)
            self.assertFalse(os.path.exists(ak), "a new audit key was made for a keyed log")
        finally:
            os.rename(ak + ".away", ak)
        self.srv.start()


class AuditRestartTest(AuditBase):
    def test_restart_keeps_the_chain_and_sigterm_signs(self):
        cases = self.list_all("/api/v1/cases", "supervisor")
        self.req("GET", "/api/v1/cases/%s" % cases[0]["id"], as_user="supervisor")
        self.assertEqual(self.srv.stop(), 0)
        self.assertEqual(head_of(self.head_file()), self.last_seq())
        self.srv.start()
        self.srv.tokens.clear()
        n = self.last_seq()
        self.req("GET", "/api/v1/cases/%s" % cases[1]["id"], as_user="supervisor")  # sign-in, read
        self.assertGreater(self.last_seq(), n)
        self.srv.proc.send_signal(15)  # at once: the head is signed on the way out
        self.assertEqual(self.srv.proc.wait(20 * SLOW), 0)
        self.srv._log.close()
        self.assertEqual(head_of(self.head_file()), self.last_seq())
        rc, out, err = self.cli_verify()
        self.assertEqual(rc, 0, out + err)
        self.srv.start()
        self.srv.tokens.clear()
        st, _, v = self.req("GET", "/api/v1/audit/verify", as_user="admin")
        self.assertTrue(v["ok"], v)


@unittest.skipUnless(os.environ.get("CBPN_TEST_BACKEND") == "postgres",
                     "two servers over one database: PostgreSQL only")
class AuditTwoServersTest(AuditBase):
    SERVER_ID = "a"

    @classmethod
    def setUpClass(cls):
        AuditBase.setUpClass.__func__(cls)
        cls.b = cls.srv.twin(["--server-id", "b"]).start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.b.stop()
            cls.b.cleanup()
        finally:
            AuditBase.tearDownClass.__func__(cls)

    def test_two_heads_both_checked(self):
        cases = self.list_all("/api/v1/cases", "supervisor")
        self.req("GET", "/api/v1/cases/%s" % cases[0]["id"], as_user="supervisor")  # on a
        n_a = self.last_seq()
        self.wait_head(n_a, self.head_file(server_id="a"))
        tok = self.b.login("supervisor")
        st, _, _ = self.b.request("GET", "/api/v1/cases/%s" % cases[1]["id"], token=tok)
        self.assertEqual(st, 200)
        n_b = self.last_seq()
        self.assertGreater(n_b, n_a)
        self.wait_head(n_b, self.head_file(server_id="b"))
        self.assertEqual(head_of(self.head_file(server_id="a")), n_a)
        heads = sorted(glob.glob(self.srv.key + ".head.*"))
        self.assertEqual(heads, [self.head_file(server_id="a"), self.head_file(server_id="b")])
        rc, out, err = self.cli_verify()
        self.assertEqual(rc, 0, out + err)
        self.assertIn("2 signed heads", out)
        # cut what b appended, the in-database head moved back: a's head is
        # still in the chain, b's is not
        at = Attacker(self.srv)
        rows = at.entries()
        at.write(rows[:n_a], n_a, None)
        rc, out, _ = self.cli_verify("--head", self.head_file(server_id="a"))
        self.assertEqual(rc, 0, out)
        rc, out, _ = self.cli_verify("--head", self.head_file(server_id="b"))
        self.assertEqual(rc, 1, out)
        self.assertIn("BROKEN at entry %d " % (n_a + 1), out)
        rc, out, _ = self.cli_verify()  # every head beside the key
        self.assertEqual(rc, 1, out)
        self.assertIn("BROKEN at entry %d " % (n_a + 1), out)
        st, _, v = self.req("GET", "/api/v1/audit/verify", as_user="admin")
        self.assertEqual((v["ok"], v.get("first_bad"), v["heads"]), (False, n_a + 1, 2), v)


if __name__ == "__main__":
    unittest.main()
