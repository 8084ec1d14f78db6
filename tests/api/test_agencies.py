"""Recruitment agencies: cbpn agencies import, GET /api/v1/agencies and
/api/v1/agencies/{id} (licensed on a date, spelling-tolerant search, order
by name in the caller's language), on the demo's fictional sample list."""

import os
import subprocess
import tempfile

from cbpnserver import CBPN_BIN, REPO, SLOW, ServerTestCase
from test_pages import PageClient

AGENCY_KEYS = {"id", "name_km", "name_en", "licence_no", "licensed", "licence_valid_until",
               "source_date"}
NEWER = os.path.join(REPO, "tests", "data", "agencies_newer_fictional.csv")
SAMPLE_DATE = "2026-01-15"  # the demo's list (src/cli/demo.c)
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"


class AgenciesTest(PageClient, ServerTestCase):

    def cli(self, *args):
        p = subprocess.run([CBPN_BIN, "agencies", "import", *self.srv.db_args(), *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120 * SLOW)
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def listed(self, query="", as_user="caseworker1", headers=None):
        items, cursor = [], None
        while True:
            sep = "&" if "?" in query else "?"
            path = "/api/v1/agencies" + query + (sep + "cursor=" + cursor if cursor else "")
            st, _, v = self.req("GET", path, as_user=as_user, headers=headers)
            self.assertEqual(st, 200, v)
            for it in v["items"]:
                self.assertEqual(set(it), AGENCY_KEYS, it)
            items += v["items"]
            cursor = v["next_cursor"]
            if cursor is None:
                return items

    def by_licence(self, query=""):
        return {a["licence_no"]: a for a in self.listed(query)}

    def file(self, text):
        fd, path = tempfile.mkstemp(suffix=".csv")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    # ---- reading the demo's list ----

    def test_every_role_reads_the_list(self):
        for user in self.USERS:
            with self.subTest(user=user):
                items = self.listed(as_user=user)
                self.assertEqual(len(items), 12)
                self.assertTrue(all("(Fictional)" in a["name_en"] for a in items))
        st, _, _ = self.req("GET", "/api/v1/agencies")
        self.assertEqual(st, 401)

    def test_licensed_on_a_date(self):
        a = self.by_licence("?on=2026-02-01")
        self.assertTrue(a["FIC-001"]["licensed"])
        self.assertFalse(a["FIC-005"]["licensed"])  # ran out 2025-12-31
        self.assertFalse(a["FIC-008"]["licensed"])  # ran out 2024-08-31
        self.assertEqual(a["FIC-001"]["source_date"], SAMPLE_DATE)
        # The last valid day, and the day after.
        self.assertTrue(self.by_licence("?on=2026-03-31")["FIC-003"]["licensed"])
        self.assertFalse(self.by_licence("?on=2026-04-01")["FIC-003"]["licensed"])
        # Before the first list: no list was in force.
        before = self.by_licence("?on=2026-01-14")
        self.assertFalse(any(x["licensed"] for x in before.values()))
        self.assertIsNone(before["FIC-001"]["source_date"])
        for bad in ("2026-02-30", "yesterday", "2026-1-1"):
            with self.subTest(on=bad):
                self.assertError(self.req("GET", "/api/v1/agencies?on=" + bad,
                                          as_user="member1"), 422, "validation_failed",
                                 fields=["on"])

    def test_one_agency(self):
        a = self.by_licence("?on=2026-02-01")["FIC-002"]
        st, _, v = self.req("GET", "/api/v1/agencies/%s?on=2026-02-01" % a["id"],
                            as_user="member2")
        self.assertEqual(st, 200, v)
        # One agency also carries its figures (test_agency_figures.py).
        self.assertIn("indicator_cases", v)
        del v["indicator_cases"]
        self.assertEqual(v, a)
        st, _, v = self.req("GET", "/api/v1/agencies/%s?on=2030-01-01" % a["id"],
                            as_user="member2")
        self.assertFalse(v["licensed"])
        self.assertError(self.req("GET", "/api/v1/agencies/" + NOWHERE, as_user="analyst"),
                         404, "not_found")
        self.assertError(self.req("GET", "/api/v1/agencies/%s?on=x" % a["id"], as_user="analyst"),
                         422, "validation_failed", fields=["on"])

    def test_search_tolerant_of_spelling(self):
        for q, want in (("Pouk", "FIC-002"), ("Puok", "FIC-002"), ("puok+good", "FIC-002"),
                        ("Krolanh", "FIC-003"), ("Siem+Reab", "FIC-005"),
                        ("%E1%9E%96%E1%9E%BD%E1%9E%80", "FIC-002")):  # ពួក
            with self.subTest(q=q):
                self.assertEqual([a["licence_no"] for a in self.listed("?q=" + q)], [want])
        self.assertEqual(self.listed("?q=Nowhere+Agency"), [])
        self.assertError(self.req("GET", "/api/v1/agencies?q=a+b+c+d+e+f+g", as_user="rep1"),
                         422, "validation_failed", fields=["q"])

    def test_order_by_name_in_the_callers_language_with_pages(self):
        en = [a["name_en"] for a in self.listed(headers={"Accept-Language": "en"})]
        self.assertEqual(en[:2], ["Angkor Star Manpower (Fictional)",
                                  "Banteay Srei Overseas (Fictional)"])
        self.assertEqual(en, sorted(en, key=str.lower))
        km = [a["name_km"] for a in self.listed(headers={"Accept-Language": "km"})]
        self.assertNotEqual(km, [a["name_km"] for a in self.listed(
            headers={"Accept-Language": "en"})])
        # Pages of 5 give the same list.
        st, _, v = self.req("GET", "/api/v1/agencies?limit=5", as_user="admin",
                            headers={"Accept-Language": "en"})
        self.assertEqual(len(v["items"]), 5)
        self.assertIsNotNone(v["next_cursor"])
        self.assertEqual(self.listed("?limit=5", headers={"Accept-Language": "en"}),
                         self.listed(headers={"Accept-Language": "en"}))
        self.assertError(self.req("GET", "/api/v1/agencies?cursor=" + NOWHERE, as_user="admin"),
                         422, "validation_failed", fields=["cursor"])
        self.assertError(self.req("GET", "/api/v1/agencies?limit=501", as_user="admin"),
                         422, "validation_failed", fields=["limit"])

    def test_the_pages_in_both_languages(self):
        cookies, _ = self.sign_in("member1")
        st, _, body = self.page("GET", "/agencies?lang=en", cookies)
        self.assertEqual(st, 200, body[:300])
        page = body.decode()
        self.assertIn("Recruitment agencies", page)
        self.assertIn("FIC-001", page)
        self.assertIn("Not licensed", page)  # FIC-008 ran out in 2024
        st, _, body = self.page("GET", "/agencies?q=Pouk", cookies)
        self.assertEqual(st, 200)
        page = body.decode()
        self.assertIn("Puok Good Jobs", page)
        self.assertNotIn("FIC-001", page)
        cookies["cbpn_lang"] = "km"
        st, _, body = self.page("GET", "/agencies", cookies)
        self.assertIn("ភ្នាក់ងារជ្រើសរើសពលករ", body.decode())
        a = self.by_licence()["FIC-002"]
        st, _, body = self.page("GET", "/agencies/" + a["id"], cookies)
        self.assertEqual(st, 200)
        self.assertIn("FIC-002", body.decode())
        self.assertIn(SAMPLE_DATE, body.decode())
        st, _, _ = self.page("GET", "/agencies/" + NOWHERE, cookies)
        self.assertEqual(st, 404)

    # ---- importing (these change the list: named to run last) ----

    def test_y_bad_rows_exit_1_and_change_nothing(self):
        bad = ("# fictional\nname_km,name_en,licence_no,licence_valid_until\n"
               "ក្រុមហ៊ុន ក (ប្រឌិត),A (Fictional),FIC-101,2027-13-01\n"
               "ក្រុមហ៊ុន ខ (ប្រឌិត),,FIC-102,2027-01-01\n"
               "ក្រុមហ៊ុន គ (ប្រឌិត),C (Fictional),FIC-103,2027-01-01\n"
               "ក្រុមហ៊ុន ឃ (ប្រឌិត),D (Fictional),FIC-103,2027-01-01\n"
               "ក្រុមហ៊ុន ង (ប្រឌិត),E (Fictional),FIC-105\n")
        path = self.file(bad)
        with self.assertWritesNothing():
            rc, out, err = self.cli(path, "--source-date", "2026-03-01")
        self.assertEqual(rc, 1, err)
        for line in ("line 3: licence_valid_until", "line 4: name_en",
                     "line 6: licence_no FIC-103 also on line 5", "line 7: 3 fields"):
            self.assertIn(line, err)
        self.assertIn("nothing imported", err)
        with self.assertWritesNothing():
            rc, _, err = self.cli(NEWER, "--source-date", "2026-13-01")
        self.assertEqual(rc, 1, err)
        # Usage errors are 2.
        rc, _, _ = self.cli(NEWER)
        self.assertEqual(rc, 2)
        self.assertEqual(len(self.listed()), 12)

    def test_z_reimport_while_the_server_runs(self):
        old = self.by_licence("?on=2026-05-31")
        audits = self.srv.count("audit", "WHERE action = 'import'")
        rc, out, err = self.cli(NEWER, "--source-date", "2026-06-01")
        self.assertEqual(rc, 0, err)
        self.assertIn("1 added, 2 updated, 8 unchanged, 2 no longer listed", out)
        self.assertEqual(self.srv.count("audit", "WHERE action = 'import'"), audits + 1)
        # The server answers from the new list at once.
        new = self.by_licence("?on=2026-06-01")
        self.assertEqual(len(new), 13)
        self.assertTrue(new["FIC-013"]["licensed"])
        self.assertEqual(new["FIC-013"]["source_date"], "2026-06-01")
        self.assertEqual(new["FIC-004"]["name_en"], "New Mekong Recruitment (Fictional)")
        self.assertEqual(new["FIC-004"]["id"], old["FIC-004"]["id"])
        self.assertEqual(new["FIC-003"]["licence_valid_until"], "2029-03-31")
        # FIC-011 (valid until 2026-07-31) is not on the newer list: licensed the
        # day before its date, not from it on.
        self.assertTrue(old["FIC-011"]["licensed"])
        self.assertEqual(old["FIC-011"]["source_date"], SAMPLE_DATE)
        self.assertFalse(new["FIC-011"]["licensed"])
        self.assertNotIn("FIC-013", {k for k, a in old.items() if a["licensed"]})
        # The old list still answers for its dates: FIC-003's first licence.
        self.assertFalse(self.by_licence("?on=2026-04-01")["FIC-003"]["licensed"])
        self.assertTrue(new["FIC-003"]["licensed"])
        # A list older than the last one is refused.
        with self.assertWritesNothing():
            rc, _, err = self.cli(NEWER, "--source-date", "2026-05-01")
        self.assertEqual(rc, 1)
        self.assertIn("older", err)
