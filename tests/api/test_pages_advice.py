"""The advice pages (GET /advice, GET and POST /advice/new, POST
/advice/{id}/done): a member records advice from her phone in one short form
(today's date, her group chosen, destination buttons, boxes for documents
and risks, a plain list of agencies) and, after saving, sees the plan's
warnings in plain words in the page's language; the follow-ups due are
listed and marked done; CSRF and post-redirect-get as every form; a bad form
comes back with what was typed and writes nothing; a form sent after the
session ended keeps what was typed."""

import datetime
import re

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of


class AdvicePagesTest(PageClient, ServerTestCase):

    def group_of(self, user):
        st, _, me = self.req("GET", "/api/v1/me", as_user=user)
        self.assertEqual(st, 200, me)
        return me["group_id"]

    def form(self, csrf, group, **over):
        f = {"csrf": csrf, "group_id": group, "date": "2026-03-04",
             "person.name_latn": "Pagetest Person", "person.sex": "female",
             "person.birth_year": "1995", "destination": "MY", "sector": "domestic_work",
             "channel": "irregular", "documents.contract": "1",
             "risk": ["debt_for_fees"], "follow_up_on": "2026-03-20"}
        f.update(over)
        return {k: v for k, v in f.items() if v is not None}

    def records(self, user):
        return self.list_all("/api/v1/migrant-advice", user)

    def advice_form(self, page):
        return next((f for f in forms_of(page) if f["action"] == "/advice/new"), None)

    def test_the_form_is_ready_for_a_member(self):
        cookies, _ = self.sign_in("member1")
        st, _, page = self.page("GET", "/advice/new?lang=en", cookies)
        self.assertEqual(st, 200, page[:300])
        form = self.advice_form(page)
        self.assertIsNotNone(form)
        self.assertEqual(form["inputs"]["group_id"], self.group_of("member1"))
        today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
        self.assertEqual(form["inputs"]["date"], today.isoformat())
        for code in ("TH", "MY", "KR", "JP", "SA", "other"):
            self.assertIn(('id="destination-%s"' % code).encode(), page)
        self.assertEqual(len(re.findall(rb'type="checkbox" name="documents\.', page)), 8)
        self.assertEqual(len(re.findall(rb'type="checkbox" name="risk"', page)), 8)
        sel = re.search(rb'<select id="agency" name="agency_id"[^>]*>(.*?)</select>', page, re.S)
        self.assertEqual(len(re.findall(rb'<option value="[a-z0-9]+"', sel.group(1))), 12)
        self.assertIn(b'id="nav-advice"', page)

    def test_khmer_first(self):
        cookies, _ = self.sign_in("member1")
        st, _, page = self.page("GET", "/advice", cookies)
        self.assertEqual(st, 200)
        self.assertIn('<html lang="km"'.encode(), page)
        self.assertIn("ការណែនាំអំពីចំណាកស្រុកដោយសុវត្ថិភាព".encode(), page)

    def test_a_member_records_advice_and_sees_its_warnings(self):
        cookies, csrf = self.sign_in("member1")
        group = self.group_of("member1")
        before = {a["id"] for a in self.records("member1")}
        st, h, body = self.page("POST", "/advice/new", cookies, self.form(csrf, group))
        self.assertEqual(st, 303, body[:500])
        new = [a for a in self.records("member1") if a["id"] not in before]
        self.assertEqual(len(new), 1)
        a = new[0]
        self.assertEqual(h["Location"], "/advice?saved=" + a["id"])
        self.assertEqual((a["date"], a["destination"], a["channel"], a["group_id"]),
                         ("2026-03-04", "MY", "irregular", group))
        self.assertEqual(a["person"], {"name_latn": "Pagetest Person", "sex": "female",
                                       "birth_year": 1995})
        self.assertTrue(a["documents"]["contract"])
        self.assertFalse(a["documents"]["passport"])
        self.assertEqual(a["risks"], ["debt_for_fees"])
        self.assertEqual([w["code"] for w in a["warnings"]],
                         ["debt_for_fees", "irregular_border_crossing", "missing_documents"])
        st, _, page = self.page("GET", h["Location"] + "&lang=en", cookies)
        self.assertEqual(st, 200)
        self.assertIn(b'id="saved-notice"', page)
        saved = re.search(rb'<ul class="warnings" id="saved-warnings">(.*?)</ul>', page, re.S)
        self.assertIsNotNone(saved)
        self.assertIn(b"cross the border irregularly", saved.group(1))
        self.assertIn(b'data-code="missing_documents"', saved.group(1))
        self.assertIn(('id="advice-%s"' % a["id"]).encode(), page)
        # in Khmer, the same warnings in Khmer
        st, _, page = self.page("GET", "/advice?saved=%s&lang=km" % a["id"], cookies)
        saved = re.search(rb'<ul class="warnings" id="saved-warnings">(.*?)</ul>', page, re.S)
        self.assertIn("ឆ្លងព្រំដែនដោយមិនស្របច្បាប់".encode(), saved.group(1))

    def test_another_typed_country(self):
        cookies, csrf = self.sign_in("rep1")
        before = {a["id"] for a in self.records("rep1")}
        st, _, body = self.page("POST", "/advice/new", cookies,
                                self.form(csrf, self.group_of("rep1"), destination="other",
                                          destination_other="sg"))
        self.assertEqual(st, 303, body[:300])
        new = [a for a in self.records("rep1") if a["id"] not in before]
        self.assertEqual(new[0]["destination"], "SG")

    def test_follow_ups_due_and_done(self):
        cookies, csrf = self.sign_in("rep2")
        st, _, page = self.page("GET", "/advice", cookies)
        self.assertEqual(st, 200)
        due = self.list_all("/api/v1/migrant-advice?follow_up_due=true", "rep2")
        self.assertTrue(due)
        for a in due:
            self.assertIn(('id="due-%s"' % a["id"]).encode(), page)
        a = due[0]
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/advice/%s/done" % a["id"], cookies,
                                 {"csrf": csrf, "version": str(a["version"] + 1)})
        self.assertEqual(st, 409)
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/advice/%s/done" % a["id"], cookies,
                                 {"version": str(a["version"])})
        self.assertEqual(st, 403)
        st, h, _ = self.page("POST", "/advice/%s/done" % a["id"], cookies,
                             {"csrf": csrf, "version": str(a["version"])})
        self.assertEqual(st, 303)
        self.assertEqual(h["Location"], "/advice?done=1")
        st, _, page = self.page("GET", "/advice?done=1", cookies)
        self.assertIn(b'id="done-notice"', page)
        self.assertNotIn(('id="due-%s"' % a["id"]).encode(), page)
        # another group's representative does not reach it
        cookies1, csrf1 = self.sign_in("rep1")
        other = due[1] if len(due) > 1 else a
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/advice/%s/done" % other["id"], cookies1,
                                 {"csrf": csrf1, "version": str(other["version"])})
        self.assertEqual(st, 404)

    def test_sent_twice_makes_one_record(self):
        cookies, _ = self.sign_in("rep1")
        st, _, page = self.page("GET", "/advice/new", cookies)
        inputs = self.advice_form(page)["inputs"]
        form = self.form(inputs["csrf"], inputs["group_id"], date="2026-03-06",
                         idempotency_key=inputs["idempotency_key"])
        before = len(self.records("rep1"))
        for _ in range(2):
            st, h, body = self.page("POST", "/advice/new", cookies, form)
            self.assertEqual(st, 303, body[:300])
        self.assertEqual(len(self.records("rep1")), before + 1)

    def test_without_csrf_is_403_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        group = self.group_of("rep1")
        for bad in (None, "x" + csrf):
            with self.subTest(csrf=bad):
                with self.assertWritesNothing():
                    st, _, _ = self.page("POST", "/advice/new", cookies, self.form(bad, group))
                self.assertEqual(st, 403)

    def test_a_bad_form_comes_back_as_typed_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        group = self.group_of("rep1")
        form = self.form(csrf, group, **{"person.birth_year": "1800", "sector": None,
                                         "date": "1999-01-01", "person.name_km": "សុខា"})
        with self.assertWritesNothing():
            st, _, page = self.page("POST", "/advice/new?lang=en", cookies, form)
        self.assertEqual(st, 422, page[:300])
        for err in (b'id="err-birth_year"', b'id="err-sector"', b'id="err-date"',
                    b'id="form-errors"'):
            self.assertIn(err, page)
        self.assertIn(b'value="1800"', page)
        self.assertIn(b'value="1999-01-01"', page)
        self.assertIn("value=\"សុខា\"".encode(), page)
        self.assertIn(b'id="destination-MY" value="MY" checked', page)
        self.assertIn(b'id="risk-debt_for_fees" value="debt_for_fees" checked', page)
        self.assertIn(b'id="doc-contract" value="1" checked', page)

    def test_another_group_is_refused_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/advice/new", cookies,
                                 self.form(csrf, self.group_of("rep2")))
        self.assertEqual(st, 404)

    def test_staff_choose_the_group(self):
        cookies, csrf = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/advice/new", cookies)
        self.assertEqual(st, 200)
        self.assertIn(b'<select id="group" name="group_id"', page)
        st, _, _ = self.page("POST", "/advice/new", cookies,
                             self.form(csrf, self.group_of("rep2")))
        self.assertEqual(st, 303)

    def test_roles_that_list_none_get_no_page(self):
        for user in ("analyst", "counsel"):
            with self.subTest(user=user):
                pre, csrf = self.login_form()
                st, h, _ = self.page("POST", "/login", pre, {
                    "username": user, "password": DEMO_PASSWORD, "csrf": csrf})
                self.assertEqual(st, 303)
                cookies = dict(pre)
                cookies["cbpn_session"] = cookies_of(h)["cbpn_session"][0]
                self.srv.secrets.add(cookies["cbpn_session"])
                for path in ("/advice", "/advice/new"):
                    st, _, page = self.page("GET", path, cookies)
                    self.assertEqual(st, 403)
                st, _, page = self.page("GET", "/", cookies)
                self.assertNotIn(b'id="nav-advice"', page)

    def test_sent_after_the_session_ended_writes_nothing_and_keeps_what_was_typed(self):
        cookies, csrf = self.sign_in("member1")
        form = self.form(csrf, self.group_of("member1"), **{"person.birth_year": "1987"})
        st, _, _ = self.page("POST", "/logout", cookies, {"csrf": csrf})
        self.assertEqual(st, 303)
        with self.assertWritesNothing():
            st, h, page = self.page("POST", "/advice/new", cookies, form)
        self.assertEqual(st, 401, page[:300])
        login = next(f for f in forms_of(page) if f["action"] == "/login")
        carried = login["inputs"]
        self.assertEqual(carried["resume"], "/advice/new")
        self.assertEqual(carried["person.birth_year"], "1987")
        pre = {k: v for k, (v, _) in cookies_of(h).items() if v}
        pre.update({k: v for k, v in cookies.items() if k != "cbpn_session"})
        body = dict(carried)
        body.update({"username": "member1", "password": DEMO_PASSWORD, "risk": ["debt_for_fees"]})
        before = len(self.records("member1"))
        st, h, page = self.page("POST", "/login", pre, body)
        self.assertEqual(st, 200, page[:500])
        self.srv.secrets.add(cookies_of(h)["cbpn_session"][0])
        self.assertIn(b'id="resumed-notice"', page)
        self.assertIn(b'value="1987"', page)
        self.assertIn(b'id="risk-debt_for_fees" value="debt_for_fees" checked', page)
        self.assertEqual(len(self.records("member1")), before)
