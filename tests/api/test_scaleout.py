"""Scale-out: two `cbpn serve` processes on one PostgreSQL database.

Sessions made on one server work on the other and end on both; concurrent
creates on both get distinct codes and are all kept; concurrent PATCHes of
one case with the same version let exactly one through; one Idempotency-Key
sent to both at once makes one case; the sign-in limit counts failures on
both; the audit log stays one chain under writers on both.

Runs with CBPN_TEST_BACKEND=postgres (and CBPN_TEST_PG, see cbpnserver.py):
server A is the harness's Server on a database of its own, server B its
twin: a second `cbpn serve` with the same --db and --key. Skipped on
SQLite.
"""

import os
import re
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.append(HERE)

import cbpnserver  # noqa: E402
import pgcluster  # noqa: E402
from pgcluster import SKIP_REASON  # noqa: E402

CODE_RE = re.compile(r"^[A-Z]{3}-\d{4}-\d{4}$")
FORM = "application/x-www-form-urlencoded"
ROUNDS = 30          # concurrent PATCH rounds
CREATORS = ("caseworker1", "caseworker2", "member1", "rep1")  # one thread each, per server
CREATES_EACH = 25


def report(summary, **over):
    body = {"location_code": "17071001", "concerns": ["unsafe_migration"], "summary": summary,
            "survivor": {"sex": "female", "age": 27}, "consent_to_contact": True,
            "urgent": False}
    body.update(over)
    return body


def cookies_of(headers):
    out = {}
    for sc in headers.get_all("Set-Cookie") or []:
        first = sc.partition(";")[0]
        name, _, value = first.strip().partition("=")
        out[name] = value
    return out


def csrf_tokens(page):
    return re.findall(rb'name="csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf"', page)


def first_csrf(page):
    for a, b in csrf_tokens(page):
        v = (a or b).decode()
        if v:
            return v
    return None


def run_threads(targets, timeout=120):
    """Starts every target at once; fails if one is still running after timeout."""
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # reported by the test, not lost in a thread
                errors.append(e)
        return run
    threads = [threading.Thread(target=wrap(t), daemon=True) for t in targets]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.1, deadline - time.monotonic()))
    if any(t.is_alive() for t in threads):
        raise AssertionError("threads still running after %ds" % timeout)
    if errors:
        raise errors[0]


@unittest.skipUnless(pgcluster.BACKEND == "postgres", SKIP_REASON)
class ScaleOutTest(unittest.TestCase):
    a = b = None
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.a = cbpnserver.Server()
        try:
            if getattr(cls.a, "backend", "sqlite") != "postgres":
                raise unittest.SkipTest(SKIP_REASON)
            cls.uri = cls.a.db_uri
            cls.key = cls.a.key
            cls.a.start()
            cls.b = cls.a.twin().start()  # the same --db and --key
        except BaseException:
            cls._stop_all()
            raise

    @classmethod
    def _stop_all(cls):
        rcs = {}
        for name in ("b", "a"):
            srv = getattr(cls, name)
            if srv is not None:
                try:
                    rcs[name] = srv.stop()
                finally:
                    srv.cleanup()
        return rcs

    @classmethod
    def tearDownClass(cls):
        logs = {n: getattr(cls, n).log_text() for n in ("a", "b") if getattr(cls, n)}
        rcs = cls._stop_all()
        bad = {n: rc for n, rc in rcs.items() if rc != 0}
        if bad:
            raise AssertionError("cbpn serve did not exit 0 on SIGTERM: %r; logs:\n%s" % (
                bad, "\n".join("%s: %s" % (n, logs[n][-2000:]) for n in bad)))

    def setUp(self):
        self.logs_at = {n: len(getattr(self, n).log_text()) for n in ("a", "b")}

    def tearDown(self):
        # No answer of 500 on either server during the test.
        for n in ("a", "b"):
            srv = getattr(self, n)
            new = srv.log_text()[self.logs_at[n]:]
            bad = [ln for ln in new.splitlines() if re.search(r"answered 5\d\d", ln)]
            self.assertFalse(bad, "server %s answered 5xx:\n%s" % (n, "\n".join(bad[:10])))
            self.assertTrue(srv.alive(), "server %s died; log:\n%s" % (n, new[-3000:]))

    # ---- helpers ----

    def sql(self, q):
        return pgcluster.psql(self.uri, q)

    def case_count(self):
        return int(self.sql("SELECT count(*) FROM cases")[0][0])

    def assertErrorShape(self, v, code):
        self.assertIsInstance(v, dict, v)
        self.assertEqual(set(v), {"error"}, v)
        self.assertEqual(v["error"]["code"], code, v)
        self.assertTrue(v["error"].get("message"), v)

    def page(self, srv, method, path, cookies=None, form=None):
        hdr = {}
        if cookies:
            hdr["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
        raw = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        return srv.request(method, path, raw=raw, headers=hdr,
                           content_type=FORM if raw is not None else None)

    def page_sign_in(self, srv, username):
        st, h, body = self.page(srv, "GET", "/login")
        self.assertEqual(st, 200)
        pre = cookies_of(h)
        csrf = first_csrf(body)
        self.assertTrue(csrf, "no CSRF token on /login")
        st, h, body = self.page(srv, "POST", "/login", pre, {
            "username": username, "password": cbpnserver.DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        set_ = cookies_of(h)
        self.assertIn("cbpn_session", set_)
        srv.secrets.add(set_["cbpn_session"])
        cookies = dict(pre)
        cookies["cbpn_session"] = set_["cbpn_session"]
        return cookies

    def create(self, srv, token, summary, key=None, **over):
        headers = {"Idempotency-Key": key} if key else None
        return srv.post("/api/v1/cases", report(summary, **over), token=token, headers=headers)

    # ---- sessions ----

    def test_bearer_session_made_on_a_works_on_b_and_ends_on_both(self):
        st, v = self.a.sign_in("caseworker1")
        self.assertEqual(st, 201, v)
        token, me = v["token"], v["user"]
        st, _, got = self.b.get("/api/v1/me", token=token)
        self.assertEqual(st, 200, got)
        self.assertEqual(got["id"], me["id"])
        st, _, c = self.create(self.b, token, "Scaleout session case")
        self.assertEqual(st, 201, c)
        st, _, got = self.a.get("/api/v1/cases/" + c["id"], token=token)
        self.assertEqual((st, got.get("code")), (200, c["code"]))
        st, _, _ = self.b.request("DELETE", "/api/v1/session", token=token)
        self.assertEqual(st, 204)
        for srv in (self.a, self.b):
            st, _, v = srv.get("/api/v1/me", token=token)
            self.assertEqual(st, 401, "the token still works after sign-out on B: %r" % (v,))
            self.assertErrorShape(v, "unauthenticated")

    def test_page_session_made_on_a_works_on_b_and_sign_out_on_b_ends_it_on_a(self):
        cookies = self.page_sign_in(self.a, "supervisor")
        st, _, body = self.page(self.a, "GET", "/cases/new", cookies)
        self.assertEqual(st, 200, body[:300])
        st, _, body = self.page(self.b, "GET", "/cases/new", cookies)
        self.assertEqual(st, 200, "the cookie session of A does not work on B: %r" % body[:300])
        csrf = first_csrf(body)
        self.assertTrue(csrf, "no form with a CSRF token on B's /cases/new")
        st, h, body = self.page(self.b, "POST", "/logout", cookies, {"csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        for srv in (self.a, self.b):
            st, h, body = self.page(srv, "GET", "/cases/new", cookies)
            self.assertNotEqual(st, 200, "the page session lives on after sign-out on B")
            self.assertIn(st, (302, 303, 401))
            if st in (302, 303):
                self.assertTrue((h.get("Location") or "").startswith("/login"), h.get("Location"))

    # ---- concurrent writers ----

    def test_concurrent_workflow_moves_on_both_servers_let_one_through(self):
        """assign, closure, closure/approve and reopen take no version: the
        case's status decides, and of two servers making the same move at
        once exactly one gets 200, the other 409."""
        cw1 = self.a.user("caseworker1")["id"]
        rep = self.a.login("rep1")
        for rnd in range(8):
            st, _, c = self.create(self.a, rep, "Scaleout moves %d" % rnd)
            self.assertEqual(st, 201, c)
            path = "/api/v1/cases/" + c["id"]
            st, _, v = self.b.post(path + "/assign", {"caseworker_id": cw1},
                                   token=self.b.login("supervisor"))
            self.assertEqual(st, 200, v)
            for move, body, users, status in (
                    ("/closure", {"reason_code": "services_completed"},
                     ("caseworker1", "supervisor2"), "closure_requested"),
                    ("/closure/approve", {}, ("supervisor", "supervisor"), "closed"),
                    ("/reopen", {"reason": "Scaleout reopen"}, ("supervisor", "supervisor2"),
                     "open")):
                answers = [None, None]
                gate = threading.Barrier(2)

                def mover(i, srv, user):
                    def run():
                        tok = srv.login(user)
                        gate.wait(30)
                        answers[i] = srv.post(path + move, body, token=tok)
                    return run
                run_threads([mover(0, self.a, users[0]), mover(1, self.b, users[1])], timeout=60)
                got = sorted(a[0] for a in answers)
                self.assertEqual(got, [200, 409], "round %d %s: %r" % (
                    rnd, move, [a[2] for a in answers]))
                lost = next(a for a in answers if a[0] == 409)
                self.assertErrorShape(lost[2], "conflict")
                st, _, now = self.a.get(path, token=self.a.login("supervisor"))
                self.assertEqual(now["status"], status, "round %d %s" % (rnd, move))
            hist = self.a.get(path + "/history", token=self.a.login("supervisor"))
            self.assertEqual(hist[0], 200, hist[2])
            closes = [h for h in hist[2]["items"] if h["action"] == "close"]
            self.assertLessEqual(len(closes), 2, "round %d: close recorded %d times: %r" % (
                rnd, len(closes), closes))

    def test_concurrent_creates_on_both_servers_are_all_kept_with_distinct_codes(self):
        before = self.case_count()
        results = []  # (server, user, status, id, code)
        lock = threading.Lock()
        start = threading.Barrier(2 * len(CREATORS))

        def creator(srv, name, user, token):
            def run():
                start.wait(30)
                for i in range(CREATES_EACH):
                    st, _, v = self.create(srv, token, "Scaleout load %s %s %d" % (name, user, i))
                    with lock:
                        results.append((name, user, st, v.get("id") if isinstance(v, dict)
                                        else None, v.get("code") if isinstance(v, dict) else None))
            return run
        targets = []
        for name, srv in (("a", self.a), ("b", self.b)):
            for user in CREATORS:
                targets.append(creator(srv, name, user, srv.login(user)))
        t0 = time.monotonic()
        run_threads(targets, timeout=240)
        took = time.monotonic() - t0
        n = 2 * len(CREATORS) * CREATES_EACH
        pgcluster.log("%d concurrent creates on two servers: %.1f s" % (n, took))
        self.assertEqual(len(results), n)
        bad = [r for r in results if r[2] != 201]
        self.assertFalse(bad, "creates not answered 201: %r" % bad[:10])
        ids = [r[3] for r in results]
        codes = [r[4] for r in results]
        self.assertEqual(len(set(ids)), n, "case ids given twice")
        self.assertEqual(len(set(codes)), n, "case codes given twice: %r" % sorted(
            c for c in set(codes) if codes.count(c) > 1)[:10])
        for c in codes:
            self.assertRegex(c, CODE_RE)
        self.assertEqual(self.case_count(), before + n, "the count of cases is not exact")
        stored = dict(self.sql("SELECT id, code FROM cases WHERE id IN (%s)" % ", ".join(
            "'%s'" % i.replace("'", "''") for i in ids)))
        self.assertEqual(len(stored), n, "acknowledged cases missing from the database")
        for name, user, st, cid, code in results:
            self.assertEqual(stored[cid], code)
        # Each is readable on the other server by its reporter.
        for name, user, st, cid, code in results[::9]:
            other = self.b if name == "a" else self.a
            st, _, v = other.get("/api/v1/cases/" + cid, token=other.login(user))
            self.assertEqual((st, v.get("code")), (200, code), v)

    def test_concurrent_patches_of_one_version_let_exactly_one_through(self):
        sup = self.a.login("supervisor")
        cw1 = self.a.user("caseworker1")["id"]
        st, _, c = self.create(self.a, self.a.login("rep1"), "Scaleout race case")
        self.assertEqual(st, 201, c)
        cid = c["id"]
        st, _, v = self.a.post("/api/v1/cases/%s/assign" % cid, {"caseworker_id": cw1}, token=sup)
        self.assertEqual(st, 200, v)
        writers = [(self.a, "caseworker1"), (self.b, "caseworker1"),
                   (self.a, "supervisor"), (self.b, "supervisor")]
        tokens = [srv.login(u) for srv, u in writers]
        winners = {}
        for rnd in range(ROUNDS):
            st, _, cur = self.b.get("/api/v1/cases/" + cid, token=sup)
            self.assertEqual(st, 200, cur)
            ver = cur["version"]
            answers = [None] * len(writers)
            gate = threading.Barrier(len(writers))

            def writer(i):
                def run():
                    srv, _ = writers[i]
                    body = {"version": ver, "summary": "Scaleout race r%d w%d" % (rnd, i),
                            "risk": ("low", "medium", "high")[(rnd + i) % 3]}
                    gate.wait(30)
                    answers[i] = srv.request("PATCH", "/api/v1/cases/" + cid, body,
                                             token=tokens[i])
                return run
            run_threads([writer(i) for i in range(len(writers))], timeout=60)
            ok = [i for i, (st, _, _) in enumerate(answers) if st == 200]
            self.assertEqual(len(ok), 1, "round %d: %d writers of version %d got 200: %r" % (
                rnd, len(ok), ver, [a[0] for a in answers]))
            for i, (st, _, v) in enumerate(answers):
                if i != ok[0]:
                    self.assertEqual(st, 409, "round %d writer %d: %r" % (rnd, i, v))
                    self.assertErrorShape(v, "conflict")
            w = ok[0]
            winners[w] = winners.get(w, 0) + 1
            self.assertEqual(answers[w][2]["version"], ver + 1)
            st, _, now = self.a.get("/api/v1/cases/" + cid, token=sup)
            self.assertEqual(st, 200)
            self.assertEqual(now["version"], ver + 1)
            self.assertEqual(now.get("summary"), "Scaleout race r%d w%d" % (rnd, w),
                             "round %d: the stored case is not the winner's" % rnd)
            self.assertEqual(now["risk"], ("low", "medium", "high")[(rnd + w) % 3])
        pgcluster.log("PATCH races won per writer (A cw1, B cw1, A sup, B sup): %r" % winners)

    def test_one_idempotency_key_sent_to_both_servers_at_once_makes_one_case(self):
        user = "caseworker2"
        tok_a, tok_b = self.a.login(user), self.b.login(user)
        for rnd in range(10):
            key = "scaleout-twin-%d" % rnd
            body_summary = "Scaleout twin %d" % rnd
            before = self.case_count()
            answers = []
            lock = threading.Lock()
            gate = threading.Barrier(4)

            def send(srv, tok):
                def run():
                    gate.wait(30)
                    a = self.create(srv, tok, body_summary, key=key)
                    with lock:
                        answers.append(a)
                return run
            run_threads([send(self.a, tok_a), send(self.b, tok_b),
                         send(self.a, tok_a), send(self.b, tok_b)], timeout=60)
            statuses = sorted(a[0] for a in answers)
            made = [a[2] for a in answers if a[0] == 201]
            self.assertTrue(made, "round %d: no 201: %r" % (rnd, statuses))
            self.assertEqual(len({v["id"] for v in made}), 1,
                             "round %d: one key made several cases" % rnd)
            # API.md: a retry with the same key and body answers what the
            # first answered; a twin sent at the same moment is such a retry.
            self.assertEqual(statuses, [201] * 4, "round %d: %r" % (
                rnd, [a[2] for a in answers if a[0] != 201][:2]))
            self.assertEqual(len({v["code"] for v in made}), 1)
            self.assertEqual(self.case_count(), before + 1, "round %d: %r" % (rnd, statuses))
            # A retry after the race answers the same case.
            st, _, v = self.create(self.b, tok_b, body_summary, key=key)
            self.assertEqual((st, v.get("id")), (201, made[0]["id"]))

    # ---- the sign-in limit ----

    def test_sign_in_failures_on_both_servers_lock_the_username_after_five(self):
        user = "analyst"
        for i in range(5):
            srv = (self.a, self.b)[i % 2]
            st, v = srv.sign_in(user, "wrong-password-%d" % i)
            self.assertEqual(st, 401, "failure %d: %r" % (i + 1, v))
        for srv in (self.b, self.a):
            st, v = srv.sign_in(user, "wrong-password-x")
            self.assertEqual(st, 429, v)
            self.assertErrorShape(v, "rate_limited")
            st, v = srv.sign_in(user)
            self.assertEqual(st, 429, "the right password after five failures: %r" % (v,))

    def test_parallel_wrong_passwords_on_both_servers_let_at_most_five_through(self):
        user = "counsel"
        answers = []
        lock = threading.Lock()
        gate = threading.Barrier(12)

        def attempt(srv, i):
            def run():
                gate.wait(30)
                st, v = srv.sign_in(user, "parallel-wrong-%d" % i)
                with lock:
                    answers.append((st, v))
            return run
        t0 = time.monotonic()
        run_threads([attempt((self.a, self.b)[i % 2], i) for i in range(12)], timeout=120)
        pgcluster.log("12 parallel wrong sign-ins on two servers: %.1f s" %
                      (time.monotonic() - t0))
        statuses = sorted(st for st, _ in answers)
        self.assertEqual(len(statuses), 12)
        self.assertLessEqual(statuses.count(401), 5, "more than five attempts judged: %r"
                             % statuses)
        self.assertEqual(set(statuses) - {401, 429}, set(), statuses)
        self.assertEqual(statuses.count(401), 5, statuses)
        for srv in (self.a, self.b):
            st, v = srv.sign_in(user)
            self.assertEqual(st, 429, v)

    # ---- the audit chain ----

    def test_audit_chain_is_one_chain_under_writers_on_both_servers(self):
        users = ("caseworker1", "supervisor", "rep1", "member1")
        gate = threading.Barrier(2 * len(users))

        def writer(srv, name, user):
            def run():
                tok = srv.login(user)
                gate.wait(30)
                for i in range(10):
                    st, _, c = self.create(srv, tok, "Scaleout audit %s %s %d" % (name, user, i))
                    assert st == 201, (st, c)
                    st, _, _ = srv.get("/api/v1/cases/" + c["id"], token=tok)
                    assert st == 200, st
                    st, v = srv.sign_in(user)  # a sign-in appends too
                    assert st == 201, (st, v)
            return run
        targets = [writer(srv, name, u) for name, srv in (("a", self.a), ("b", self.b))
                   for u in users]
        run_threads(targets, timeout=240)
        problems, last = pgcluster.audit_chain_problems(self.uri)
        self.assertEqual(problems, [], "the audit chain is broken")
        seqs = [int(r[0]) for r in self.sql("SELECT seq FROM audit ORDER BY seq")]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "audit seqs are not contiguous")
        for srv in (self.a, self.b):
            st, _, v = srv.get("/api/v1/audit/verify", token=srv.login("admin"))
            if st == 404:  # API.md has it; cbpn does not serve it yet
                pgcluster.log("GET /api/v1/audit/verify is 404 on this cbpn: not checked")
                break
            self.assertEqual(st, 200, v)
            self.assertTrue(v["ok"], v)
            self.assertGreaterEqual(v["entries"], last)
        p = subprocess.run([cbpnserver.CBPN_BIN, "audit", "verify", "--db", self.uri,
                            "--key", self.key], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=300)
        self.assertEqual(p.returncode, 0, "cbpn audit verify: %s" %
                         p.stdout.decode(errors="replace")[-2000:])

if __name__ == "__main__":
    unittest.main()
