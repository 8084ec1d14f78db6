"""The dashboard (GET /reports): only who may read the reports (analyst,
supervisor, admin) reaches it, through the nav bar, and the analyst starts
there; the form chooses a whole month, quarter or year and an area without
JavaScript, and anything else (a period not whole, a place not of its
level) comes back 422 with the form and the problem said; Khmer first,
English on request. With the indicator engine in place, the figures come as
tables and SVG charts, a suppressed figure never as a number, with links to
the same figures as spreadsheets."""

import html
import re
import urllib.parse

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of

READERS = ("analyst", "supervisor", "admin")
OTHERS = ("member1", "rep1", "caseworker1", "shelter")


class ReportPagesTest(PageClient, ServerTestCase):

    def session(self, username):
        """Signs in through the page; (cookies of the session, where it led)."""
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": username,
                                                         "password": DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        value, _ = cookies_of(h)["cbpn_session"]
        self.srv.secrets.add(value)
        cookies = dict(pre)
        cookies["cbpn_session"] = value
        return cookies, h.get("Location", "")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._sessions = {}

    def cookies(self, username):
        if username not in self._sessions:
            self._sessions[username] = self.session(username)[0]
        return self._sessions[username]

    def get(self, username, query=""):
        return self.page("GET", "/reports" + query, self.cookies(username))

    def report_form(self, page):
        return next((f for f in forms_of(page) if f["action"] == "/reports"), None)

    def selected(self, page, name):
        """The value selected in the list name."""
        m = re.search(rb'<select id="%s" name="%s">(.*?)</select>' % (name.encode(), name.encode()),
                      page, re.S)
        self.assertIsNotNone(m, "no list %s" % name)
        s = re.search(rb'<option value="([^"]*)" selected>', m.group(1))
        return s.group(1).decode() if s else None

    def assertShows(self, st, page):
        """The page of a reader: the form and the figures."""
        self.assertEqual(st, 200, page[:300])
        self.assertIn(b'id="report-filter"', page)
        self.assertNotIn(b'id="report-error"', page)
        self.assertNotIn(b'id="report-failed"', page)
        self.assertIn(b'id="sec-network"', page)

    def test_only_readers_of_the_reports_reach_it(self):
        for user in OTHERS:
            st, _, page = self.get(user)
            self.assertEqual(st, 403, user)
            self.assertNotIn(b'id="report-filter"', page, user)
        for user in READERS:
            st, _, page = self.get(user, "?lang=en")
            self.assertShows(st, page)

    def test_without_a_session_it_asks_to_sign_in(self):
        st, h, page = self.page("GET", "/reports")
        self.assertIn(st, (302, 303), page[:200])
        self.assertTrue(h.get("Location", "").startswith("/login"), h.get("Location"))

    def test_the_nav_bar_links_it_by_permission_and_the_analyst_starts_there(self):
        for user in READERS:
            _, _, page = self.get(user)
            self.assertIn(b'<a href="/reports" id="nav-reports">', page, user)
        st, _, page = self.page("GET", "/cases", self.cookies("caseworker1"))
        self.assertEqual(st, 200)
        self.assertNotIn(b'id="nav-reports"', page)
        self.assertEqual(self.session("analyst")[1], "/reports")
        self.assertEqual(self.session("caseworker1")[1], "/cases")

    def test_khmer_first_english_on_request(self):
        _, _, km = self.get("analyst")
        self.assertIn('<html lang="km"'.encode(), km)
        self.assertIn("លទ្ធផលរបស់បណ្តាញ".encode(), km)
        self.assertIn("ខែ ត្រីមាស ឬឆ្នាំ".encode(), km)
        self.assertIn("ទូទាំងប្រទេស".encode(), km)
        self.assertNotIn(b"The whole country", km)
        _, _, en = self.get("analyst", "?lang=en")
        self.assertIn(b"The network&#39;s results", en)
        self.assertIn(b"Month, quarter or year", en)
        self.assertIn(b">The whole country</option>", en)
        self.assertIn(b">January</option>", en)
        # the language link keeps the period and area chosen
        _, _, en = self.get("analyst", "?kind=quarter&year=2026&quarter=2&province=17&lang=en")
        link = re.search(rb'<a href="([^"]+)" id="lang-km"', en).group(1).decode()
        q = urllib.parse.parse_qs(urllib.parse.urlparse(html.unescape(link)).query)
        self.assertEqual((q["kind"], q["quarter"], q["province"]), (["quarter"], ["2"], ["17"]))

    def test_the_form_is_a_get_without_javascript(self):
        _, _, page = self.get("analyst", "?lang=en")
        form = self.report_form(page)
        self.assertIsNotNone(form)
        self.assertEqual(form["method"], "get")
        self.assertNotIn(b'name="csrf"', page.split(b'id="report-filter"')[1].split(b"</form>")[0])
        for name in ("kind", "year", "month", "quarter", "province"):
            self.assertIn(('<select id="%s" name="%s">' % (name, name)).encode(), page)
        # the lower levels come once the level above is chosen
        self.assertNotIn(b'name="district"', page)
        _, _, page = self.get("analyst", "?kind=month&year=2026&month=3&province=17")
        self.assertIn(b'<select id="district" name="district">', page)
        self.assertIn(b'<option value="1707">', page)
        self.assertNotIn(b'name="commune"', page)
        _, _, page = self.get("analyst", "?kind=month&year=2026&month=3&province=17&district=1707")
        self.assertIn(b'<select id="commune" name="commune">', page)
        self.assertEqual(self.selected(page, "district"), "1707")

    def test_whole_periods_are_taken_and_shown_in_the_form(self):
        cases = [
            ("?kind=month&year=2026&month=3", ("month", "2026", "3")),
            ("?kind=quarter&year=2025&quarter=4", ("quarter", "2025", None)),
            ("?kind=year&year=2024", ("year", "2024", None)),
            # the API's parameters, as the spreadsheets take them
            ("?from=2026-04-01&to=2026-06-30", ("quarter", "2026", None)),
            ("?from=2024-02-01&to=2024-02-29", ("month", "2024", "2")),
            ("?from=2026-01-01&to=2026-12-31", ("year", "2026", None)),
        ]
        for query, (kind, year, month) in cases:
            st, _, page = self.get("analyst", query)
            self.assertShows(st, page)
            self.assertEqual(self.selected(page, "kind"), kind, query)
            self.assertEqual(self.selected(page, "year"), year, query)
            if month:
                self.assertEqual(self.selected(page, "month"), month, query)
        _, _, page = self.get("analyst", "?from=2026-04-01&to=2026-06-30")
        self.assertEqual(self.selected(page, "quarter"), "2")

    def test_a_period_that_is_not_whole_is_422_and_said(self):
        bad = ["?kind=quarter&year=2026&quarter=5", "?kind=month&year=2026&month=13",
               "?kind=month&year=2026", "?kind=week&year=2026", "?kind=year&year=20x6",
               "?kind=year&year=1999", "?kind=year",
               "?from=2026-01-02&to=2026-01-31", "?from=2026-01-01&to=2026-02-28",
               "?from=2026-02-01&to=2026-04-30", "?from=2026-01-01&to=2027-12-31",
               "?from=2026-02-01&to=2026-02-29", "?from=2026-03-01", "?to=2026-03-31",
               "?from=2026-3-1&to=2026-3-31", "?from=%3Cb%3E&to=2026-03-31"]
        for query in bad:
            st, _, page = self.get("analyst", query + "&lang=en")
            self.assertEqual(st, 422, query)
            self.assertIn(b'id="report-error" role="alert"><p>Choose a whole month, quarter or '
                          b'year.</p>', page, query)
            self.assertIsNotNone(self.report_form(page), query)
            self.assertNotIn(b"<b>", page)
            self.assertNotIn(b'id="charts"', page)
        st, _, page = self.get("analyst", bad[0])
        self.assertEqual(st, 422)
        self.assertIn("សូមជ្រើសរើសមួយខែ មួយត្រីមាស ឬមួយឆ្នាំពេញ។".encode(), page)

    def test_a_place_not_of_its_level_is_422_and_said(self):
        for query in ("?province=99", "?province=1707", "?province=17&district=17",
                      "?province=17&district=1707&commune=17071002",
                      "?province=17&district=%3Cscript%3E"):
            st, _, page = self.get("analyst", "?kind=year&year=2026&" + query[1:] + "&lang=en")
            self.assertEqual(st, 422, query)
            self.assertIn(b"Choose a province, district or commune from the lists.", page, query)
            self.assertNotIn(b"<script>", page)

    def test_a_level_outside_the_province_chosen_is_dropped(self):
        # the province changed in the form: the district of another one is let go
        st, _, page = self.get("analyst", "?kind=year&year=2026&province=17&district=0102")
        self.assertShows(st, page)
        self.assertEqual(self.selected(page, "province"), "17")
        self.assertEqual(self.selected(page, "district"), "")

    # The figures.

    def report(self, user, query):
        st, _, page = self.get(user, query)
        self.assertEqual(st, 200, page[:300])
        return page

    def test_figures_tables_and_charts(self):
        page = self.report("analyst", "?kind=year&year=2026&lang=en")
        for sec in ("network", "capacity", "awareness", "safe-migration", "identification",
                    "referral", "case-management", "cascade"):
            self.assertIn(('id="sec-%s"' % sec).encode(), page)
        self.assertIn(b'<caption>Referrals made</caption>', page)
        self.assertIn(b'id="chart-funnel"', page)
        self.assertIn(b'id="chart-trend-cases_reported"', page)
        for svg in re.findall(rb"<svg [^>]*>", page):
            self.assertIn(b'role="img"', svg)
            self.assertIn(b'aria-label="', svg)
            self.assertIn(b'width="100%"', svg)
        self.assertIn(b"Small-number protection (k = 5)", page)
        # a suppressed cell is the mark, never a number
        for cell in re.findall(rb'<td class="num suppressed" data-suppressed="1">(.*?)</td>', page):
            self.assertIsNone(re.search(rb">[^<]*\d[^<]*<", cell), cell)
        km = self.report("analyst", "?kind=year&year=2026")
        self.assertIn("<caption>ការបញ្ជូនដែលបានធ្វើ</caption>".encode(), km)

    def test_download_links_carry_the_same_period_and_area(self):
        page = self.report("supervisor", "?kind=quarter&year=2026&quarter=2&province=17"
                                         "&district=1707")
        for ext in ("csv", "xlsx"):
            m = re.search(rb'<a href="([^"]+)" id="download-%s"' % ext.encode(), page)
            self.assertIsNotNone(m, ext)
            url = urllib.parse.urlparse(html.unescape(m.group(1).decode()))
            self.assertEqual(url.path, "/reports." + ext)
            self.assertEqual(urllib.parse.parse_qs(url.query),
                             {"from": ["2026-04-01"], "to": ["2026-06-30"], "district": ["1707"]})
            # the link works under the page's cookie session, as the API's sheet
            st, h, body = self.page("GET", "%s?%s" % (url.path, url.query),
                                    self.cookies("supervisor"))
            self.assertEqual(st, 200, body[:200])
            self.assertIn("attachment", h.get("Content-Disposition", ""))
            if ext == "csv":
                self.assertTrue(body.startswith(b"\xef\xbb\xbfcode,dimension,category,value,"
                                                b"suppressed"), body[:60])
            else:
                self.assertTrue(body.startswith(b"PK"), body[:10])

    def test_spreadsheets_only_for_readers_of_the_reports(self):
        q = "?from=2026-01-01&to=2026-12-31"
        for user in OTHERS:
            st, _, body = self.page("GET", "/reports.csv" + q, self.cookies(user))
            self.assertEqual(st, 403, (user, body[:200]))
            self.assertNotIn(b"code,dimension", body)
        st, _, body = self.page("GET", "/reports.xlsx?from=2026-01-05&to=2026-02-10",
                                self.cookies("analyst"))
        self.assertEqual(st, 422, body[:200])
