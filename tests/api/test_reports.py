"""The indicator engine through GET /api/v1/reports/indicators (issue 10
items 1, 2, 7), on the demo network: the answer follows a write at once (the
published snapshot is rebuilt when the maintained cells change), the read is
audited with the period and area only, and no count from 1 to k-1 leaves in
any report of any area and period the demo reaches."""

import datetime

from cbpnserver import ServerTestCase

YEAR = datetime.date.today().year
MONTH = datetime.date.today().month


def period_of(kind):
    if kind == "year":
        return "%d-01-01" % YEAR, "%d-12-31" % YEAR
    if kind == "quarter":
        q = (MONTH - 1) // 3
        last = [31, 30, 30, 31][q]
        return "%d-%02d-01" % (YEAR, 3 * q + 1), "%d-%02d-%02d" % (YEAR, 3 * q + 3, last)
    nxt = datetime.date(YEAR + (MONTH == 12), MONTH % 12 + 1, 1)
    return "%d-%02d-01" % (YEAR, MONTH), (nxt - datetime.timedelta(days=1)).isoformat()


class ReportsTest(ServerTestCase):

    def report(self, frm, to, area=None, user="analyst"):
        path = "/api/v1/reports/indicators?from=%s&to=%s" % (frm, to)
        if area:
            path += "&district=" + area
        st, _, v = self.req("GET", path, as_user=user)
        self.assertEqual(st, 200, v)
        return v

    @staticmethod
    def figure(v, code):
        return next(i for i in v["indicators"] if i["code"] == code)

    def test_a_write_shows_at_once(self):
        frm, to = period_of("year")
        before = self.figure(self.report(frm, to), "people_reached")
        self.assertFalse(before["suppressed"], before)
        st, _, me = self.req("GET", "/api/v1/me", as_user="rep1")
        self.assertEqual(st, 200, me)
        body = {"date": datetime.date.today().isoformat(), "location_code": "17071001",
                "group_id": me["group_id"], "topics": ["safe_migration"],
                "attendance": {"female": 40, "male": 20, "under_18": 0}}
        st, _, v = self.req("POST", "/api/v1/outreach", body, as_user="rep1")
        self.assertEqual(st, 201, v)
        after = self.figure(self.report(frm, to), "people_reached")
        self.assertFalse(after["suppressed"], after)
        self.assertEqual(after["value"], before["value"] + 60)

    def test_the_read_is_audited_without_figures(self):
        frm, to = period_of("quarter")
        detail = "indicators %s %s 1707" % (frm, to)
        n = self.srv.count("audit", "WHERE record_type = 'report' AND detail = ?", (detail,))
        self.report(frm, to, "1707")
        self.assertEqual(self.srv.count("audit", "WHERE record_type = 'report' AND detail = ?",
                                        (detail,)), n + 1)
        # a refused read is not a report read
        st, _, _ = self.req("GET", "/api/v1/reports/indicators?from=%s&to=%s&district=1707"
                            % (frm, to), as_user="caseworker1")
        self.assertEqual(st, 403)
        self.assertEqual(self.srv.count("audit", "WHERE record_type = 'report' AND detail = ?",
                                        (detail,)), n + 1)

    def test_no_count_from_1_to_k_minus_1_leaves(self):
        areas = [None, "17", "1706", "1707", "170702", "170710"]
        for kind in ("year", "quarter", "month"):
            frm, to = period_of(kind)
            for area in areas:
                v = self.report(frm, to, area)
                k = v["k"]
                counts = [(i["code"], None, i) for i in v["indicators"]]
                counts += [(i["code"], (d, c), cell) for i in v["indicators"]
                           for d, cats in i["breakdown"].items() for c, cell in cats.items()]
                counts += [("trend " + s["indicator"], p["key"], p) for s in v["trends"]
                           for p in s["points"]]
                counts += [("by_area", p["key"], p) for p in v["by_area"]["points"]]
                for code, where, cell in counts:
                    if code.endswith(("_pct", "knowledge_gain")) or code.startswith("median"):
                        continue
                    if cell["suppressed"]:
                        self.assertIsNone(cell["value"], (kind, area, code, where))
                    else:
                        self.assertFalse(1 <= cell["value"] < k, (kind, area, code, where, cell))

    def test_an_area_without_records(self):
        frm, to = period_of("year")
        for area, district in (("170701", "1707"), ("1701", None)):
            v = self.report(frm, to, area)
            cr = self.figure(v, "cases_reported")
            self.assertEqual((cr["value"], cr["suppressed"]), (0, False), area)
            lines = cr["breakdown"].get("district", {})
            if district:  # a commune's own line, under its district's code
                self.assertEqual(lines, {district: {"value": 0, "suppressed": False}}, area)
            self.assertEqual(v["by_area"]["points"], [], area)
