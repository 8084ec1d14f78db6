"""Small-number protection of the donor report (issue 10 items 2 and 8;
docs/reports.md "Small-number protection"), through the API: GET
/api/v1/reports/indicators for every area and period that link the cells of
a small dataset, judged by the independent LP checker (lpcheck.py).

The dataset: outreach sessions (dated in the body, so in past months) in
2025, the second quarter, in two communes of two districts of Siem Reap
(17): counts of 1 to 4 per commune and month. The demo network's records
are all of the last months before today (2026-12-01), so 2025 holds these
alone. Reports are fetched for the province, each of its districts, each
commune of the two districts, and for the year, its four quarters and the
quarter's three months. The equations are those docs/reports.md states:
the categories of a breakdown sum to the total where each record is in
exactly one category; communes to their district, districts to the
province; months to the quarter, quarters to the year (counts of records
dated in the period only: not members, members_returnees, groups_active,
referrals_overdue, nor percentages, means and medians)."""

import csv
import os

import lpcheck
from cbpnserver import ServerTestCase

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

PROVINCE = "17"
DISTRICTS = ("1707", "1710")
# (commune, village): one commune in each district.
PLACES = {"170710": "17071001", "171001": "17100101"}
MONTHS = (("2025-04-01", "2025-04-30"), ("2025-05-01", "2025-05-31"),
          ("2025-06-01", "2025-06-30"))
QUARTER = ("2025-04-01", "2025-06-30")
QUARTERS = (("2025-01-01", "2025-03-31"), QUARTER, ("2025-07-01", "2025-09-30"),
            ("2025-10-01", "2025-12-31"))
YEAR = ("2025-01-01", "2025-12-31")
# Sessions per (commune, month), and the attendance of each (female, male, under_18).
SESSIONS = {("170710", 0): 2, ("170710", 1): 1, ("170710", 2): 3,
            ("171001", 0): 1, ("171001", 1): 4, ("171001", 2): 0}
ATTENDANCE = [(1, 0, 0), (2, 1, 1), (1, 1, 0), (3, 0, 2)]

# Every indicator that is a count (docs/reports.md "Indicators").
COUNTS = {"groups_active", "members", "members_returnees", "trainings",
          "training_participants", "outreach_sessions", "people_reached", "people_advised",
          "unlicensed_agency_warnings", "cases_reported", "presumed_trafficking",
          "gbv_incidents", "referrals_made", "referrals_overdue", "cases_closed",
          "cascade_trainings", "cascade_participants"}
# Counts of records dated in the period: sums over areas and over time.
SUMS = COUNTS - {"groups_active", "members", "members_returnees", "referrals_overdue"}
# Breakdowns whose every record is in exactly one category.
ADDITIVE_DIMS = {
    "trainings": ("audience",),
    "training_participants": ("audience",),
    "people_reached": ("sex", "age"),
    "people_advised": ("destination", "channel"),
    "cases_reported": ("reporter_role",),
    "gbv_incidents": ("gbv_type",),
    "referrals_made": ("service_type",),
    "cases_closed": ("reason",),
    "cascade_trainings": ("audience",),
    "cascade_participants": ("audience",),
}


def gazetteer_children(parent):
    with open(os.path.join(ROOT, "data", "kh_admin_units.csv"), encoding="utf-8") as f:
        return sorted(r["code"] for r in csv.DictReader(f) if r["parent_code"] == parent)


class ReportSuppressionTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._build()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _build(cls):
        st, _, me = cls.srv.request("GET", "/api/v1/me", token=cls.srv.login("rep1"))
        assert st == 200, me
        n = 0
        for (commune, month), count in sorted(SESSIONS.items()):
            for i in range(count):
                f, m, u = ATTENDANCE[n % len(ATTENDANCE)]
                n += 1
                body = {"date": "%s%02d" % (MONTHS[month][0][:8], 3 + i),
                        "location_code": PLACES[commune], "group_id": me["group_id"],
                        "topics": ["safe_migration"],
                        "attendance": {"female": f, "male": m, "under_18": u}}
                st, _, v = cls.srv.request("POST", "/api/v1/outreach", body=body,
                                           token=cls.srv.login("rep1"))
                assert st == 201, v
        cls.districts = gazetteer_children(PROVINCE)
        cls.communes = {d: gazetteer_children(d) for d in DISTRICTS}
        cls.areas = [PROVINCE] + cls.districts + [c for d in DISTRICTS for c in cls.communes[d]]
        cls.periods = [YEAR] + list(QUARTERS) + list(MONTHS)
        cls.answers = {}
        for area in cls.areas:
            for frm, to in cls.periods:
                st, _, v = cls.srv.request(
                    "GET", "/api/v1/reports/indicators?from=%s&to=%s&district=%s" % (frm, to, area),
                    token=cls.srv.login("analyst"))
                assert st == 200, (area, frm, to, v)
                cls.answers[(area, (frm, to))] = v

    # ---- helpers ----

    def cells(self):
        """{(code, area, period, dim, cat): value or None} over every answer."""
        out = {}
        for (area, period), ans in self.answers.items():
            for ind in ans["indicators"]:
                code = ind["code"]
                if code not in COUNTS:
                    continue
                out[(code, area, period, None, None)] = ind["value"] if not ind["suppressed"] \
                    else None
                for dim, cats in (ind.get("breakdown") or {}).items():
                    for cat, c in cats.items():
                        out[(code, area, period, dim, cat)] = c["value"] if not c["suppressed"] \
                            else None
        return out

    def equations(self, pub):
        self.unpublished = set()
        eqs = []
        slots = {}  # (code, dim, cat) seen anywhere
        for (code, area, period, dim, cat) in pub:
            slots.setdefault(code, set()).add((dim, cat))

        def has_dim(code, area, period, dim):
            ans = self.answers.get((area, period))
            if ans is None or dim is None:
                return ans is not None
            ind = {i["code"]: i for i in ans["indicators"]}.get(code)
            return ind is not None and dim in (ind.get("breakdown") or {})

        def cell(code, area, period, dim, cat):
            key = (code, area, period, dim, cat)
            if key not in pub:
                if has_dim(code, area, period, dim):
                    pub[key] = 0  # a category absent from a breakdown is a known 0
                else:
                    # a breakdown not published at that level (docs/reports.md:
                    # communes and months show totals only): unknown to the
                    # attacker, and nothing to protect
                    pub[key] = None
                    self.unpublished.add(key)
            return key

        for (area, period), ans in self.answers.items():
            for ind in ans["indicators"]:
                code = ind["code"]
                for dim in ADDITIVE_DIMS.get(code, ()):
                    cats = (ind.get("breakdown") or {}).get(dim)
                    if cats is None:
                        continue
                    eqs.append((cell(code, area, period, None, None),
                                [cell(code, area, period, dim, c) for c in sorted(cats)]))
        tree = {PROVINCE: self.districts}
        tree.update(self.communes)
        for code in sorted(SUMS & set(slots)):
            for dim, cat in sorted(slots[code], key=repr):
                for parent, kids in tree.items():
                    for period in self.periods:
                        eqs.append((cell(code, parent, period, dim, cat),
                                    [cell(code, k, period, dim, cat) for k in kids]))
                for area in self.areas:
                    eqs.append((cell(code, area, QUARTER, dim, cat),
                                [cell(code, area, m, dim, cat) for m in MONTHS]))
                    eqs.append((cell(code, area, YEAR, dim, cat),
                                [cell(code, area, q, dim, cat) for q in QUARTERS]))
        return eqs

    # ---- tests ----

    def test_answers_have_the_contract_shape(self):
        for (area, (frm, to)), ans in self.answers.items():
            self.assertEqual({"from", "to", "k", "indicators"} - set(ans), set())
            self.assertEqual((ans["from"], ans["to"]), (frm, to))
            self.assertEqual(ans["k"], 5)
            for ind in ans["indicators"]:
                if ind["suppressed"]:
                    self.assertIsNone(ind["value"], (area, frm, ind))
                elif ind["code"] in COUNTS:  # a ratio over nothing is null, not suppressed
                    self.assertIsNotNone(ind["value"], (area, frm, ind))

    def test_no_count_from_1_to_k_minus_1_anywhere(self):
        bad = [(key, v) for key, v in self.cells().items() if v is not None and 1 <= v < 5]
        self.assertEqual(bad, [])

    def test_the_small_cells_are_suppressed(self):
        pub = self.cells()
        for (commune, month), count in SESSIONS.items():
            key = ("outreach_sessions", commune, MONTHS[month], None, None)
            self.assertIn(key, pub)
            if 1 <= count < 5:
                self.assertIsNone(pub[key], key)
            else:
                self.assertIn(pub[key], (None, count), key)
        # What is published is the truth: the year of the province is the
        # sum of all the sessions, when shown.
        total = sum(SESSIONS.values())
        y = pub[("outreach_sessions", PROVINCE, YEAR, None, None)]
        self.assertIn(y, (None, total))
        for d in self.districts:
            if d not in DISTRICTS:
                self.assertEqual(pub[("outreach_sessions", d, YEAR, None, None)], 0, d)

    def test_no_suppressed_cell_is_recoverable(self):
        pub = self.cells()
        eqs = self.equations(pub)
        suppressed = [key for key, v in pub.items() if v is None]
        self.assertTrue(suppressed)
        bad = [b for b in lpcheck.exposed(pub, eqs, 5) if b[0] not in self.unpublished]
        self.assertEqual(bad, [], "recoverable within k: %s" % bad[:10])


if __name__ == "__main__":
    import unittest
    unittest.main()
