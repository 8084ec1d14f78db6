"""What returnees know, put to work (issue 8 item 6): a case and a returnee
history name the recruitment agency and the employer abroad; an agency's
page and every advice record naming it carry, for the roles allowed them,
how many cases with forced-labour or trafficking indicators named it and
which indicators, every count suppressed from 1 to k-1 (DOMAIN.md §3).

The data set is made here, on agencies of the demo's fictional list that
the demo's cases do not name (FIC-011, FIC-012), with the expected figures
worked out by hand from DOMAIN.md §2: a case counts when its latest
screening has a forced-labour indicator ticked or the result
presumed_trafficking."""

from cbpnserver import ServerTestCase
from cbpnserver import DEMO_PASSWORD
from test_pages import PageClient, cookies_of

NOWHERE = "zzzzzzzzzzzzzzzzzzzz"
# Adult, presumed trafficking (A, D, E present), no forced-labour indicator.
PRESUMED = ["a_deceived_nature_of_job", "a_deceived_wages", "d_excessive_hours",
            "d_low_or_no_salary", "e_confiscation_of_documents", "e_debt_bondage"]
# D alone: exploitation without trafficking indicators; not counted.
EXPLOITED = ["d_excessive_hours", "d_low_or_no_salary"]
FL = ["fl_debt_bondage"]
ALLOWED = ("member1", "rep1", "caseworker1", "supervisor", "analyst")
REFUSED = ("admin", "counsel", "legal", "shelter")
K_KEY = "suppression.k"


def case_body(**over):
    b = {"location_code": "17071001", "concerns": ["forced_labour"],
         "survivor": {"sex": "female", "age": 30}}
    b.update(over)
    return b


class AgencyFiguresTest(PageClient, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        tok = srv.login("caseworker1")
        st, _, v = srv.request("GET", "/api/v1/agencies?limit=500", token=tok)
        assert st == 200, v
        cls.agency = {a["licence_no"]: a["id"] for a in v["items"]}
        cls.watched = cls.agency["FIC-012"]

        def report(agency, screenings, user="caseworker1"):
            st, _, c = srv.post("/api/v1/cases", case_body(agency_id=agency),
                                token=srv.login(user))
            assert st == 201, c
            for codes in screenings:
                st, _, s = srv.post("/api/v1/cases/%s/screenings" % c["id"],
                                    {"adult": True, "indicators": codes}, token=srv.login(user))
                assert st == 201, s
            return c["id"]

        # FIC-012: 4 cases counted (3 forced labour, 1 presumed trafficking);
        # fl_debt_bondage 3, each code of PRESUMED 1. Not counted: a case
        # screened with D only, one never screened, one whose latest
        # screening found nothing (its first had fl_debt_bondage).
        for _ in range(3):
            report(cls.watched, [FL])
        report(cls.watched, [PRESUMED], user="supervisor")
        report(cls.watched, [EXPLOITED])
        report(cls.watched, [])
        report(cls.watched, [FL, []])

    def figures(self, user="caseworker1", agency=None):
        st, _, v = self.req("GET", "/api/v1/agencies/" + (agency or self.watched), as_user=user)
        self.assertEqual(st, 200, v)
        return v.get("indicator_cases")

    def set_k(self, value):
        saved = self.srv.rows("SELECT value FROM meta WHERE key = ?", (K_KEY,))

        def restore():
            self.srv.execute("DELETE FROM meta WHERE key = ?", (K_KEY,))
            if saved:
                self.srv.execute("INSERT INTO meta (key, value) VALUES (?, ?)",
                                 (K_KEY, saved[0][0]))
        self.addCleanup(restore)
        self.srv.execute("DELETE FROM meta WHERE key = ?", (K_KEY,))
        if value is not None:
            self.srv.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (K_KEY, value))

    def by_code(self, fig):
        return {x["code"]: {k: x[k] for k in ("value", "suppressed")} for x in fig["by_indicator"]}

    # ---- the figures ----

    def test_figures_by_hand_and_the_small_number_rule(self):
        shown = lambda n: {"value": n, "suppressed": False}  # noqa: E731
        hidden = {"value": None, "suppressed": True}
        # The default k = 5: 4 cases, 3 and 1 are all suppressed.
        self.set_k(None)
        fig = self.figures()
        self.assertEqual(fig["k"], 5)
        self.assertEqual(fig["total"], hidden)
        want = {"fl_debt_bondage": hidden}
        want.update({c: hidden for c in PRESUMED})
        self.assertEqual(self.by_code(fig), want)
        # k = 4: 4 is k, shown; 3 is k-1, suppressed.
        self.set_k("4")
        fig = self.figures()
        self.assertEqual((fig["k"], fig["total"]), (4, shown(4)))
        self.assertEqual(self.by_code(fig)["fl_debt_bondage"], hidden)
        # k = 3: 3 shown, 1 suppressed; k = 2: only 1 suppressed.
        self.set_k("3")
        fig = self.figures(user="member1")
        self.assertEqual(self.by_code(fig)["fl_debt_bondage"], shown(3))
        self.assertEqual(self.by_code(fig)["a_deceived_wages"], hidden)
        self.set_k("2")
        fig = self.figures(user="analyst")
        want = {"fl_debt_bondage": shown(3)}
        want.update({c: hidden for c in PRESUMED})
        self.assertEqual(self.by_code(fig), want)
        self.assertEqual(fig["total"], shown(4))
        # Not the exploitation-only case's codes beyond the counted ones, in
        # the catalog's order: trafficking first, forced labour last.
        self.assertEqual([x["code"] for x in fig["by_indicator"]], PRESUMED + FL)
        # No case: 0 is shown as 0.
        fig = self.figures(agency=self.agency["FIC-011"])
        self.assertEqual(fig["total"], shown(0))
        self.assertEqual(fig["by_indicator"], [])

    def test_a_suppressed_count_is_never_a_number(self):
        self.set_k(None)
        fig = self.figures(user="supervisor")
        cells = [fig["total"]] + fig["by_indicator"]
        self.assertEqual(len(cells), 1 + len(PRESUMED) + 1)
        for cell in cells:
            self.assertEqual((cell["value"], cell["suppressed"]), (None, True), cell)

    def test_only_the_roles_allowed_get_the_figures(self):
        for user in ALLOWED:
            with self.subTest(user=user):
                self.assertIsNotNone(self.figures(user=user))
        for user in REFUSED:
            with self.subTest(user=user):
                self.assertIsNone(self.figures(user=user))
        # The list never carries them.
        st, _, v = self.req("GET", "/api/v1/agencies?q=Srah", as_user="supervisor")
        self.assertEqual(st, 200, v)
        self.assertTrue(v["items"])
        self.assertTrue(all("indicator_cases" not in a for a in v["items"]))

    # ---- advice records naming the agency ----

    def test_advice_records_naming_the_agency_carry_its_figures(self):
        self.set_k("3")
        body = {"date": "2026-03-02", "person": {"sex": "female", "birth_year": 1996},
                "destination": "TH", "sector": "fishing", "channel": "licensed_agency",
                "agency_id": self.watched, "documents": {"passport": True}, "risks": []}
        st, _, v = self.req("POST", "/api/v1/migrant-advice", body, as_user="member1")
        self.assertEqual(st, 201, v)
        self.assertEqual(v["agency_indicator_cases"], self.figures(user="member1"))
        self.assertEqual(self.by_code(v["agency_indicator_cases"])["fl_debt_bondage"],
                         {"value": 3, "suppressed": False})
        listed = [a for a in self.list_all("/api/v1/migrant-advice", "rep1")
                  if a["id"] == v["id"]]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["agency_indicator_cases"], v["agency_indicator_cases"])
        # The admin lists advice records, without the figures.
        for a in self.list_all("/api/v1/migrant-advice", "admin"):
            self.assertNotIn("agency_indicator_cases", a)
        # A record naming no agency carries none.
        del body["agency_id"]
        body["channel"] = "government_mou"
        st, _, v = self.req("POST", "/api/v1/migrant-advice", body, as_user="member1")
        self.assertEqual(st, 201, v)
        self.assertNotIn("agency_indicator_cases", v)

    # ---- a case names the agency and the employer ----

    def test_a_case_names_the_agency_and_the_employer(self):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/cases", case_body(agency_id=NOWHERE),
                         as_user="caseworker1")
        self.assertError(a, 422, "validation_failed", fields=["agency_id"])
        st, _, c = self.req("POST", "/api/v1/cases",
                            case_body(agency_id=self.agency["FIC-011"],
                                      employer="Testemployer Boat Owner, Pattani"),
                            as_user="caseworker1")
        self.assertEqual(st, 201, c)
        self.assertEqual(c["agency_id"], self.agency["FIC-011"])
        self.assertEqual(c["employer"], "Testemployer Boat Owner, Pattani")
        # A member's own report: the limited view, neither field.
        st, _, m = self.req("POST", "/api/v1/cases", case_body(agency_id=self.agency["FIC-011"]),
                            as_user="member1")
        self.assertEqual(st, 201, m)
        self.assertNotIn("agency_id", m)
        path = "/api/v1/cases/" + c["id"]
        with self.assertWritesNothing():
            a = self.req("PATCH", path, {"version": c["version"], "agency_id": NOWHERE},
                         as_user="caseworker1")
        self.assertError(a, 422, "validation_failed", fields=["agency_id"])
        st, _, v = self.req("PATCH", path, {"version": c["version"],
                                            "agency_id": self.agency["FIC-010"],
                                            "employer": "Testemployer Second"},
                            as_user="caseworker1")
        self.assertEqual(st, 200, v)
        self.assertEqual((v["agency_id"], v["employer"]),
                         (self.agency["FIC-010"], "Testemployer Second"))
        st, _, full = self.req("GET", path, as_user="supervisor")
        self.assertEqual(full["agency_id"], self.agency["FIC-010"])
        step = full["timeline"][-1]
        self.assertEqual((step["kind"], step["detail"]), ("updated", "agency_id,employer"))
        # Audited as every write.
        actions = [r[0] for r in self.srv.rows(
            "SELECT action FROM audit WHERE record_id = ? ORDER BY seq", (c["id"],))]
        self.assertIn("update", actions)
        st, _, v = self.req("PATCH", path, {"version": v["version"], "agency_id": None,
                                            "employer": None}, as_user="caseworker1")
        self.assertEqual(st, 200, v)
        self.assertIsNone(v["agency_id"])
        self.assertNotIn("employer", v)
        # Sealed: never in the file as text.
        self.assertNotIn(b"Testemployer", self.srv.file_bytes())

    def test_a_returnee_history_names_the_agency_and_the_employer(self):
        st, _, me = self.req("GET", "/api/v1/me", as_user="rep1")
        returnee = {"countries": ["TH"], "channel": "licensed_agency",
                    "agency_id": self.agency["FIC-012"], "employer": "Testemployer Orchard"}
        body = {"name_latn": "Test Returnee", "sex": "female", "returnee": returnee}
        path = "/api/v1/groups/%s/members" % me["group_id"]
        with self.assertWritesNothing():
            a = self.req("POST", path, dict(body, returnee=dict(returnee, agency_id=NOWHERE)),
                         as_user="rep1")
        self.assertError(a, 422, "validation_failed", fields=["returnee.agency_id"])
        st, _, m = self.req("POST", path, body, as_user="rep1")
        self.assertEqual(st, 201, m)
        self.assertEqual(m["returnee"]["agency_id"], self.agency["FIC-012"])
        self.assertEqual(m["returnee"]["employer"], "Testemployer Orchard")
        # What was not sent stays; a new returnee object replaces the old.
        st, _, v = self.req("PATCH", "/api/v1/members/" + m["id"],
                            {"version": m["version"], "birth_year": 1985}, as_user="rep1")
        self.assertEqual(st, 200, v)
        self.assertEqual(v["returnee"], m["returnee"])
        st, _, v = self.req("PATCH", "/api/v1/members/" + m["id"],
                            {"version": v["version"], "returnee": {"countries": ["MY"]}},
                            as_user="rep1")
        self.assertEqual(st, 200, v)
        self.assertEqual(v["returnee"], {"countries": ["MY"]})
        self.assertNotIn(b"Testemployer", self.srv.file_bytes())
        # A returnee history is not a case: the agency's figures are unchanged.
        self.set_k("2")
        self.assertEqual(self.figures()["total"], {"value": 4, "suppressed": False})

    # ---- the pages ----

    def cookies(self, user):
        """Signed in through the page, for any role (sign_in reads /cases/new)."""
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": user,
                                                         "password": DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        value = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(value)
        return dict(pre, cbpn_session=value)

    def agency_page(self, user, lang="en", agency=None):
        cookies = self.cookies(user)
        cookies["cbpn_lang"] = lang
        st, _, body = self.page("GET", "/agencies/" + (agency or self.watched), cookies)
        self.assertEqual(st, 200, body[:300])
        return body.decode()

    def section(self, page, sid):
        start = page.find('id="%s"' % sid)
        self.assertGreaterEqual(start, 0, "no section %s" % sid)
        return page[start:page.find("</section>", start)]

    def test_the_agency_page_warns_in_both_languages(self):
        self.set_k("2")
        en = self.section(self.agency_page("supervisor"), "agency-indicators")
        self.assertIn("Cases with forced-labour or trafficking indicators", en)
        self.assertIn("4 cases that named this agency had forced-labour or trafficking "
                      "indicators. No licence list tells you this.", en)
        self.assertRegex(en, r'data-code="fl_debt_bondage">[^<]*: <strong>3</strong>')
        self.assertRegex(en, r'data-code="a_deceived_wages">[^<]*: <strong>fewer than 2</strong>')
        km = self.section(self.agency_page("member1", "km"), "agency-indicators")
        self.assertIn("ករណីចំនួន 4 ដែលបានដាក់ឈ្មោះភ្នាក់ងារនេះ", km)
        self.assertIn("តិចជាង 2", km)
        # At the default k = 5 every count is "fewer than 5", never the number.
        self.set_k(None)
        en = self.section(self.agency_page("caseworker1"), "agency-indicators")
        self.assertIn("Fewer than 5 cases that named this agency", en)
        self.assertNotRegex(en, r"<strong>\d")
        self.assertNotIn("4 cases", en)
        # No case: none.
        en = self.section(self.agency_page("analyst", agency=self.agency["FIC-011"]),
                          "agency-indicators")
        self.assertIn("No case that named this agency had forced-labour", en)
        # Refused roles see the agency without the section.
        for user in ("admin", "counsel"):
            with self.subTest(user=user):
                page = self.agency_page(user)
                self.assertIn('id="agency-licence-no"', page)
                self.assertNotIn("agency-indicators", page)

    def test_the_advice_page_shows_the_agency_figures(self):
        self.set_k("3")
        body = {"date": "2026-03-03", "person": {"sex": "female", "birth_year": 1995},
                "destination": "TH", "sector": "fishing", "channel": "licensed_agency",
                "agency_id": self.watched, "documents": {"passport": True}, "risks": []}
        st, _, v = self.req("POST", "/api/v1/migrant-advice", body, as_user="member1")
        self.assertEqual(st, 201, v)
        cookies, _ = self.sign_in("member1")
        cookies["cbpn_lang"] = "en"
        st, _, page = self.page("GET", "/advice?saved=" + v["id"], cookies)
        self.assertEqual(st, 200)
        saved = self.section(page.decode(), "saved-agency")
        self.assertIn("4 cases that named this agency", saved)
        self.assertRegex(saved, r'data-code="fl_debt_bondage">[^<]*: <strong>3</strong>')
        self.assertIn('id="advice-%s-agency"' % v["id"], page.decode())

    def test_the_case_page_names_the_agency_and_the_employer(self):
        st, _, c = self.req("POST", "/api/v1/cases", case_body(), as_user="caseworker1")
        self.assertEqual(st, 201, c)
        cw, csrf = self.sign_in("caseworker1")
        cw["cbpn_lang"] = "en"
        path = "/cases/%s/edit" % c["id"]
        st, _, page = self.page("GET", path, cw)
        self.assertEqual(st, 200)
        page = page.decode()
        self.assertIn('name="agency_id"', page)
        self.assertIn('value="%s"' % self.agency["FIC-010"], page)
        self.assertIn('name="employer"', page)
        form = {"csrf": csrf, "version": str(c["version"]), "survivor.sex": "female",
                "survivor.age": "30", "concern": ["forced_labour"],
                "agency_id": self.agency["FIC-010"], "employer": "Testemployer Page Farm",
                "send": "1"}
        st, h, body = self.page("POST", path, cw, form)
        self.assertEqual(st, 303, body[:2000])
        st, _, full = self.req("GET", "/api/v1/cases/" + c["id"], as_user="supervisor")
        self.assertEqual((full["agency_id"], full["employer"]),
                         (self.agency["FIC-010"], "Testemployer Page Farm"))
        st, _, page = self.page("GET", "/cases/" + c["id"], cw)
        page = page.decode()
        self.assertIn('id="case-agency"', page)
        self.assertIn('href="/agencies/%s"' % self.agency["FIC-010"], page)
        self.assertIn("White Elephant Manpower (Fictional)", page)
        self.assertIn("Testemployer Page Farm", page)
        # The timeline says what changed, in words.
        self.assertIn("Recruitment agency, Employer abroad", page)
        # An unknown agency: 422, the form again with the error, nothing saved.
        form.update(version=str(full["version"]), agency_id=NOWHERE)
        with self.assertWritesNothing(ignore=("audit", "audit_head")):  # the page's audited read
            st, _, body = self.page("POST", path, cw, form)
        self.assertEqual(st, 422)
        self.assertIn("Choose an agency from the list.", body.decode())
        st, _, same = self.req("GET", "/api/v1/cases/" + c["id"], as_user="supervisor")
        self.assertEqual((same["version"], same["agency_id"]), (full["version"],
                                                                self.agency["FIC-010"]))
        # Emptied: both cleared.
        form.update(agency_id="", employer="")
        st, _, body = self.page("POST", path, cw, form)
        self.assertEqual(st, 303, body[:2000])
        st, _, full = self.req("GET", "/api/v1/cases/" + c["id"], as_user="supervisor")
        self.assertIsNone(full["agency_id"])
        self.assertNotIn("employer", full)

    def test_the_member_form_keeps_the_agency_and_the_employer(self):
        st, _, me = self.req("GET", "/api/v1/me", as_user="rep1")
        agency = self.agency["FIC-009"]
        st, _, m = self.req("POST", "/api/v1/groups/%s/members" % me["group_id"],
                            {"name_latn": "Test Formreturnee", "sex": "female",
                             "returnee": {"countries": ["MY"], "agency_id": agency,
                                          "employer": "Testemployer Glove Factory"}},
                            as_user="rep1")
        self.assertEqual(st, 201, m)
        rep, csrf = self.sign_in("rep1")
        path = "/members/%s/edit" % m["id"]
        st, _, page = self.page("GET", path + "?lang=en", rep)
        self.assertEqual(st, 200)
        page = page.decode()
        self.assertRegex(page, r'name="returnee.agency_id">.*?<option value="%s" selected' % agency)
        self.assertIn('name="returnee.employer" type="text" maxlength="200" '
                      'value="Testemployer Glove Factory"', page)
        form = {"csrf": csrf, "version": str(m["version"]), "name_latn": "Test Formreturnee",
                "sex": "female", "birth_year": "1988", "returnee.countries": ["MY"],
                "returnee.agency_id": agency, "returnee.employer": "Testemployer Glove Factory"}
        st, h, body = self.page("POST", path, rep, form)
        self.assertEqual(st, 303, body[:800])
        st, _, v = self.req("GET", "/api/v1/groups/%s/members" % me["group_id"], as_user="rep1")
        now = next(x for x in v["items"] if x["id"] == m["id"])
        self.assertEqual(now["birth_year"], 1988)
        self.assertEqual((now["returnee"]["agency_id"], now["returnee"]["employer"]),
                         (agency, "Testemployer Glove Factory"))
