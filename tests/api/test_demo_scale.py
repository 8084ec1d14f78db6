"""cbpn demo --scale N (issue 10, item 6): a synthetic national network.

One database of N = 2000 cases (1000 on PostgreSQL) is made in setUpClass (and a second one for
determinism). The tests check what is in it (every table filled in the
documented proportions, the cases over every province and five years, the
records consistent as the real workflow leaves them), that it is sealed (no
name of the demo's name pools is anywhere in the files) and audited (cbpn
audit verify), that a server serves it (a supervisor opens a case and sees
a name from the pools), that the same N makes the same records, and the
refusals (a bad N, a database that already holds a network).

Runs on both backends (CBPN_TEST_BACKEND, see cbpnserver.py)."""

import datetime
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from cbpnserver import BACKEND, CBPN_BIN, DEMO_PASSWORD, SLOW, Database, Server

# Smaller on PostgreSQL, where every statement is a round trip.
N = 2000 if BACKEND == "sqlite" else 1000
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def run(*args, stdin=None, timeout=300):
    p = subprocess.run([CBPN_BIN, *args], input=stdin.encode() if stdin is not None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout * SLOW)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def name_pools():
    """The demo's pools (src/cli/demo_data.c): family names and given names
    (women's, men's), each as (Khmer, Latin)."""
    with open(os.path.join(ROOT, "src", "cli", "demo_data.c"), encoding="utf-8") as f:
        text = f.read()
    pools = {}
    for var in ("demo_family_names", "demo_female_names", "demo_male_names"):
        body = re.search(r"%s\[\] = \{(.*?)\n\};" % var, text, re.S).group(1)
        pools[var] = re.findall(r'\{"([^"]+)", "([^"]+)"\}', body)
    return pools


def full_names_pattern():
    """A pattern of every full name the pools make ("family given"), in
    both scripts: factored by family and given name, which a regular
    expression scans far faster than the list of every pair."""
    p = name_pools()
    given = p["demo_female_names"] + p["demo_male_names"]

    def alt(words):
        words = sorted(set(words), key=len, reverse=True)
        return b"(?:" + b"|".join(re.escape(w.encode("utf-8")) for w in words) + b")"
    return re.compile(b"|".join(
        alt(f[i] for f in p["demo_family_names"]) + b" " + alt(g[i] for g in given)
        for i in (0, 1)))


TABLES = ("organization", "service", "network_group", "member", "users", "cases", "survivor",
          "survivor_key", "case_key", "case_event", "incident", "screening", "note", "consent",
          "referral", "referral_event", "training", "training_participant", "outreach_session",
          "migrant_advice", "audit")


class DemoScaleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cbpn-scale-")
        cls.made = []
        try:
            cls.db = cls.make("scale", N)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def make(cls, stem, n):
        db = Database.empty(cls.dir, stem)
        cls.made.append(db)
        rc, out, err = run("demo", *db.args(), "--password-stdin", "--scale", str(n),
                           stdin=DEMO_PASSWORD + "\n")
        assert rc == 0, err[-2000:]
        cls.summary = err.strip().splitlines()[-1]
        return db

    @classmethod
    def tearDownClass(cls):
        for db in cls.made:
            db.drop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def count(self, table, where="", args=()):
        return self.db.count(table, "WHERE " + where if where else "", args)

    def counts(self, db):
        return {t: db.count(t) for t in TABLES}

    # ---- what is in it ----

    def test_a_every_table_is_filled_in_proportion(self):
        c = self.counts(self.db)
        self.assertEqual(c["cases"], N)
        self.assertEqual(c["survivor"], N)
        self.assertEqual(c["case_key"], N)  # every case its own key
        groups = c["network_group"]
        self.assertGreaterEqual(groups, 25)  # at least one a province
        self.assertEqual(c["member"], max(N // 50, 3 * groups))
        self.assertEqual(c["training"], max(N // 200, groups))
        self.assertEqual(c["outreach_session"], N // 20)
        self.assertEqual(c["migrant_advice"], N // 5)
        self.assertEqual(c["organization"], 50)  # an NGO and a provider a province
        self.assertEqual(c["service"], 100)
        self.assertGreater(c["training_participant"], c["training"])
        # The work done on the cases, in plausible shares.
        self.assertTrue(0.4 * N < c["referral"] < 0.8 * N, c["referral"])
        self.assertTrue(0.1 * N < c["incident"] < 0.5 * N, c["incident"])
        self.assertTrue(0.05 * N < c["screening"] < 0.4 * N, c["screening"])
        self.assertTrue(0.3 * N < c["note"] < 0.8 * N, c["note"])
        self.assertGreater(c["case_event"], 4 * N)
        self.assertGreater(c["audit"], c["case_event"])
        users = dict(self.db.rows("SELECT role, count(*) FROM users GROUP BY role"))
        self.assertEqual(users["supervisor"], 25)
        self.assertEqual(users["representative"], groups)
        self.assertEqual(users["member"], groups)
        self.assertGreaterEqual(users["caseworker"], 50)
        self.assertEqual(self.db.count("users", "WHERE active = 1"), sum(users.values()))
        self.assertRegex(self.summary, r"^cbpn: demo: %d cases \(" % N)

    def test_b_cases_cover_every_province_and_five_years(self):
        provinces = {r[0] for r in self.db.rows("SELECT substr(location_code, 1, 2) FROM cases")}
        self.assertEqual(len(provinces), 25)
        # Phnom Penh (12) reports more than Kep (23): spread by population.
        by = dict(self.db.rows(
            "SELECT substr(location_code, 1, 2), count(*) FROM cases GROUP BY 1"))
        self.assertGreater(by["12"], 5 * by["23"])
        years = {r[0] for r in self.db.rows("SELECT substr(created_at, 1, 4) FROM cases")}
        self.assertGreaterEqual(len(years), 5)
        self.assertEqual(self.count("cases", "length(location_code) = 8"), N)  # villages
        # Codes as the real path makes them: district prefix, year reported, sequence.
        for code, created in self.db.rows("SELECT code, created_at FROM cases"):
            self.assertRegex(code, r"^[A-Z]{3}-\d{4}-\d{4}$")
            self.assertEqual(code[4:8], created[:4])
        self.assertEqual(self.count("cases", "created_at > updated_at"), 0)
        dates = {r[0][:7] for r in self.db.rows("SELECT date FROM outreach_session")}
        self.assertGreater(len(dates), 40)  # months

    def test_c_the_records_are_consistent(self):
        db = self.db
        # Statuses reached by the workflow.
        st = dict(db.rows("SELECT status, count(*) FROM cases GROUP BY status"))
        for s in ("reported", "open", "closure_requested", "closed"):
            self.assertGreater(st.get(s, 0), 0, s)
        self.assertEqual(self.count("cases", "status <> 'reported' AND assigned_to IS NULL"), 0)
        self.assertEqual(self.count(
            "cases", "status IN ('closure_requested', 'closed') AND closure_reason_code IS NULL"),
            0)
        self.assertEqual(db.rows(
            "SELECT count(*) FROM cases c WHERE status = 'closed' AND NOT EXISTS "
            "(SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.kind = 'closed')")[0][0], 0)
        self.assertEqual(db.rows(
            "SELECT count(*) FROM cases c WHERE NOT EXISTS "
            "(SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.kind = 'reported')")[0][0],
            0)
        # Every referral after a services consent and a consent to share
        # with its organization; its events match its status.
        self.assertEqual(db.rows(
            "SELECT count(*) FROM referral r WHERE NOT EXISTS (SELECT 1 FROM consent k WHERE "
            "k.case_id = r.case_id AND k.purpose = 'services' AND k.given = 1 AND "
            "k.created_at < r.created_at) OR NOT EXISTS (SELECT 1 FROM consent k WHERE "
            "k.case_id = r.case_id AND k.purpose = 'share_with' AND "
            "k.organization_id = r.organization_id AND k.created_at < r.created_at)")[0][0], 0)
        for status, needs in (("sent", ["sent"]), ("accepted", ["sent", "accepted"]),
                              ("completed", ["sent", "accepted", "completed"]),
                              ("declined", ["sent", "declined"])):
            n = self.count("referral", "status = ?", (status,))
            self.assertGreater(n, 0, status)
            for ev in needs:
                self.assertEqual(db.rows(
                    "SELECT count(*) FROM referral r WHERE r.status = ? AND NOT EXISTS (SELECT 1 "
                    "FROM referral_event e WHERE e.referral_id = r.id AND e.status = ?)",
                    (status, ev))[0][0], 0, (status, ev))
        # The reporting consent: on most cases, not on all.
        with_reporting = db.rows(
            "SELECT count(DISTINCT case_id) FROM consent WHERE purpose = 'reporting'")[0][0]
        self.assertTrue(0.5 * N < with_reporting < N, with_reporting)
        self.assertGreater(self.count("consent", "purpose = 'reporting' AND given = 0"), 0)
        # Incidents and screenings computed by the real rules.
        types = {r[0] for r in db.rows("SELECT DISTINCT gbv_type FROM incident")}
        self.assertIn("physical_assault", types)
        self.assertGreaterEqual(len(types), 3)
        results = {r[0] for r in db.rows("SELECT DISTINCT result FROM screening")}
        self.assertIn("presumed_trafficking", results)
        self.assertEqual(self.count("incident", "reported_on < date"), 0)

    # ---- sealed and audited ----

    def test_d_no_name_of_the_pools_is_in_the_files(self):
        if self.db.backend == "postgres":
            self.db.execute("CHECKPOINT")
        data = self.db.file_bytes()
        # Control: plain values the run wrote are there to be found.
        code = self.db.rows("SELECT code FROM cases LIMIT 1")[0][0]
        self.assertIn(code.encode(), data)
        pattern = full_names_pattern()
        self.assertIsNotNone(pattern.search("x Sok Sophea y".encode()))  # the pattern works
        self.assertIsNotNone(pattern.search("សុខ ស្រីមុំ".encode()))
        m = pattern.search(data)
        self.assertIsNone(m, "a name of the pools is in the database's files")
        # Every case with a name has its sealed identity and blind index.
        self.assertGreater(self.count("survivor", "identity IS NOT NULL"), N // 3)
        self.assertGreater(self.count("survivor_key", "kind = 'name'"), N // 2)

    def test_e_the_audit_chain_verifies(self):
        rc, out, err = run("audit", "verify", *self.db.args())
        self.assertEqual(rc, 0, out + err)
        self.assertIn("audit chain intact", out)
        # Every case's report is audited, by its reporter.
        self.assertEqual(self.db.rows(
            "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE "
            "a.record_type = 'case' AND a.record_id = c.id AND a.action = 'create' AND "
            "a.user_id = c.reported_by)")[0][0], 0)
        self.assertEqual(self.db.rows(
            "SELECT count(*) FROM referral r WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE "
            "a.record_type = 'referral' AND a.record_id = r.id AND a.action = 'refer' AND "
            "a.at = r.created_at)")[0][0], 0)
        # Dated when each record was: a case's report when it was reported,
        # nothing after now.
        self.assertEqual(self.db.rows(
            "SELECT count(*) FROM cases c JOIN audit a ON a.record_type = 'case' AND "
            "a.record_id = c.id AND a.action = 'create' WHERE a.at <> c.created_at")[0][0], 0)
        latest = self.db.rows("SELECT max(at) FROM audit")[0][0]
        soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5))
        self.assertLess(latest, soon.strftime("%Y-%m-%dT%H:%M:%S"))

    # ---- served ----

    def test_f_a_server_serves_it_and_a_case_opens(self):
        clone = self.db.clone(tempfile.mkdtemp(dir=self.dir), "served")
        self.made.append(clone)
        srv = Server(database=clone).start()
        try:
            case_id = clone.rows(
                "SELECT c.id FROM cases c JOIN survivor s ON s.case_id = c.id JOIN "
                "organization o ON o.id = c.organization_id WHERE s.identity IS NOT NULL "
                "AND c.location_code LIKE '12%' ORDER BY c.code LIMIT 1")[0][0]
            tok = srv.login("supervisor12")
            st, _, v = srv.request("GET", "/api/v1/cases/%s" % case_id, token=tok)
            self.assertEqual(st, 200, v)
            latn = {"%s %s" % (f[1], g[1]) for f in name_pools()["demo_family_names"]
                    for g in name_pools()["demo_female_names"] + name_pools()["demo_male_names"]}
            self.assertIn(v["survivor"]["name_latn"], latn)
            st, _, v = srv.request("GET", "/api/v1/cases?limit=5", token=tok)
            self.assertEqual(st, 200, v)
        finally:
            self.assertEqual(srv.stop(), 0)
            srv.cleanup()

    # ---- the same N, the same records ----

    def test_g_the_same_n_makes_the_same_records(self):
        again = self.make("again", N)
        self.assertEqual(self.counts(again), self.counts(self.db))
        q = "SELECT code, status, location_code, urgent FROM cases ORDER BY code"
        self.assertEqual(again.rows(q), self.db.rows(q))
        q = ("SELECT c.code, k.concern FROM case_concern k JOIN cases c ON c.id = k.case_id "
             "ORDER BY 1, 2")
        self.assertEqual(again.rows(q), self.db.rows(q))

    # ---- refusals ----

    def test_h_a_bad_n_is_a_usage_error(self):
        for bad in ("0", "-5", "many", "12x", "", "10000001", "99999999999999999999"):
            with self.subTest(n=bad):
                db = Database.missing(self.dir, "bad", os.path.join(self.dir, "bad.key"))
                rc, _, err = run("demo", *db.args(), "--password-stdin", "--scale", bad,
                                 stdin=DEMO_PASSWORD + "\n")
                self.assertEqual(rc, 2)
                self.assertIn("--scale", err)
                self.assertFalse(db.exists())
                self.assertFalse(os.path.exists(db.key))

    def test_i_a_database_with_a_network_is_refused(self):
        before = self.counts(self.db)
        rc, _, err = run("demo", *self.db.args(), "--password-stdin", "--scale", "100",
                         stdin=DEMO_PASSWORD + "\n")
        self.assertEqual(rc, 1)
        self.assertIn("already holds", err)
        self.assertEqual(self.counts(self.db), before)

    def test_j_help_documents_scale(self):
        rc, out, _ = run("demo", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("--scale N", out)


if __name__ == "__main__":
    unittest.main()
