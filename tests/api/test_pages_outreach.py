"""The outreach page (GET, POST /outreach): a member records a session from
her phone in one short form (today's date, her group chosen, her group's
villages in one list, topic boxes, three numbers) and sees her group's
recent sessions; CSRF and post-redirect-get as every form; a bad form comes
back with what was typed and writes nothing; a representative cannot post a
session for another group; roles that list none get no page."""

import datetime
import re

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of

PUOK_VILLAGES = {"17071001", "17071002", "17071003", "17071004", "17071005"}


class OutreachPagesTest(PageClient, ServerTestCase):

    def group_of(self, user):
        st, _, me = self.req("GET", "/api/v1/me", as_user=user)
        self.assertEqual(st, 200, me)
        return me["group_id"]

    def form(self, csrf, group, **over):
        f = {"csrf": csrf, "group_id": group, "date": "2026-03-04",
             "location_code": "17071002", "topic": ["safe_migration", "labour_rights"],
             "attendance.female": "11", "attendance.male": "4", "attendance.under_18": "2",
             "send": "1"}
        f.update(over)
        return {k: v for k, v in f.items() if v is not None}

    def sessions(self, user):
        return self.list_all("/api/v1/outreach", user)

    def outreach_form(self, page):
        return next((f for f in forms_of(page) if f["action"] == "/outreach"), None)

    def test_the_form_is_ready_for_a_member(self):
        cookies, _ = self.sign_in("member1")
        st, _, page = self.page("GET", "/outreach?lang=en", cookies)
        self.assertEqual(st, 200, page[:300])
        form = self.outreach_form(page)
        self.assertIsNotNone(form)
        # her group chosen for her, today's date in Cambodia
        self.assertEqual(form["inputs"]["group_id"], self.group_of("member1"))
        today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=7)).date()
        self.assertEqual(form["inputs"]["date"], today.isoformat())
        self.assertIn(b'type="date"', page)
        # one list of the villages of her group's commune (Puok), nothing else
        sel = re.search(rb'<select id="village" name="location_code"[^>]*>(.*?)</select>', page,
                        re.S)
        self.assertIsNotNone(sel, "no village list")
        codes = set(re.findall(rb'<option value="(\d+)"', sel.group(1)))
        self.assertTrue(codes)
        self.assertTrue(all(c.startswith(b"170710") and len(c) == 8 for c in codes), codes)
        self.assertLessEqual({c.encode() for c in PUOK_VILLAGES}, codes)
        self.assertNotIn(b'name="province"', page)
        # every topic a box, three number inputs
        self.assertEqual(len(re.findall(rb'type="checkbox" name="topic"', page)), 11)
        self.assertEqual(len(re.findall(rb'type="number"', page)), 3)
        self.assertIn(b'id="nav-outreach"', page)
        # the demo's sessions of her group are listed, and only those
        self.assertIn(b'id="session-list"', page)
        mine = self.sessions("member1")
        self.assertTrue(mine)
        for s in mine[:5]:
            self.assertIn(('id="session-%s"' % s["id"]).encode(), page)
        for s in self.sessions("rep2")[:3]:
            self.assertNotIn(('id="session-%s"' % s["id"]).encode(), page)

    def test_khmer_first(self):
        cookies, _ = self.sign_in("member1")
        st, _, page = self.page("GET", "/outreach", cookies)
        self.assertEqual(st, 200)
        self.assertIn('<html lang="km"'.encode(), page)
        self.assertIn("វគ្គផ្សព្វផ្សាយ".encode(), page)
        self.assertIn("ការធ្វើចំណាកស្រុកប្រកបដោយសុវត្ថិភាព".encode(), page)

    def test_a_member_records_a_session_post_redirect_get(self):
        cookies, csrf = self.sign_in("member1")
        group = self.group_of("member1")
        before = {s["id"] for s in self.sessions("member1")}
        st, h, body = self.page("POST", "/outreach", cookies,
                                self.form(csrf, group, date="2026-03-05"))
        self.assertEqual(st, 303, body[:500])
        self.assertEqual(h["Location"], "/outreach?saved=1")
        new = [s for s in self.sessions("member1") if s["id"] not in before]
        self.assertEqual(len(new), 1)
        s = new[0]
        self.assertEqual((s["date"], s["location_code"], s["group_id"]),
                         ("2026-03-05", "17071002", group))
        self.assertEqual(s["topics"], ["safe_migration", "labour_rights"])
        self.assertEqual(s["attendance"], {"female": 11, "male": 4, "under_18": 2})
        st, _, page = self.page("GET", "/outreach?saved=1", cookies)
        self.assertEqual(st, 200)
        self.assertIn(b'id="saved-notice"', page)
        self.assertIn(('id="session-%s"' % s["id"]).encode(), page)

    def test_sent_twice_makes_one_session(self):
        cookies, _ = self.sign_in("rep1")
        st, _, page = self.page("GET", "/outreach", cookies)
        inputs = self.outreach_form(page)["inputs"]
        form = self.form(inputs["csrf"], inputs["group_id"], date="2026-03-06",
                         idempotency_key=inputs["idempotency_key"])
        before = len(self.sessions("rep1"))
        for _ in range(2):
            st, h, body = self.page("POST", "/outreach", cookies, form)
            self.assertEqual(st, 303, body[:300])
        self.assertEqual(len(self.sessions("rep1")), before + 1)

    def test_without_csrf_is_403_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        group = self.group_of("rep1")
        for bad in (None, "x" + csrf):
            with self.subTest(csrf=bad):
                with self.assertWritesNothing():
                    st, _, _ = self.page("POST", "/outreach", cookies, self.form(bad, group))
                self.assertEqual(st, 403)

    def test_a_bad_form_comes_back_as_typed_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        group = self.group_of("rep1")
        form = self.form(csrf, group, **{"attendance.under_18": "99", "topic": None,
                                         "date": "1999-01-01"})
        with self.assertWritesNothing():
            st, _, page = self.page("POST", "/outreach?lang=en", cookies, form)
        self.assertEqual(st, 422, page[:300])
        for err in (b'id="err-under_18"', b'id="err-topics"', b'id="err-date"',
                    b'id="form-errors"'):
            self.assertIn(err, page)
        self.assertIn(b'value="99"', page)
        self.assertIn(b'value="1999-01-01"', page)
        self.assertIn(b'<option value="17071002" selected>', page)
        with self.assertWritesNothing():
            st, _, page = self.page("POST", "/outreach", cookies,
                                    self.form(csrf, group, **{"attendance.female": "two"}))
        self.assertEqual(st, 422)
        self.assertIn(b'id="err-female"', page)

    def test_another_group_is_refused_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/outreach", cookies,
                                 self.form(csrf, self.group_of("rep2")))
        self.assertEqual(st, 404)

    def test_staff_choose_the_group_then_its_villages(self):
        cookies, csrf = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/outreach", cookies)
        self.assertEqual(st, 200)
        self.assertIn(b'<select id="group" name="group_id"', page)
        self.assertNotIn(b'id="village"', page)
        group2 = self.group_of("rep2")
        with self.assertWritesNothing():
            st, _, page = self.page("POST", "/outreach", cookies,
                                    {"csrf": csrf, "group_id": group2, "step": "group"})
        self.assertEqual(st, 200)
        sel = re.search(rb'<select id="village" name="location_code"[^>]*>(.*?)</select>', page,
                        re.S)
        codes = set(re.findall(rb'<option value="(\d+)"', sel.group(1)))
        self.assertTrue(codes and all(c.startswith(b"170712") for c in codes), codes)
        village = sorted(codes)[0].decode()
        st, _, _ = self.page("POST", "/outreach", cookies,
                             self.form(csrf, group2, location_code=village))
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
                st, _, page = self.page("GET", "/outreach", cookies)
                self.assertEqual(st, 403)
                st, _, page = self.page("GET", "/referrals" if user == "counsel" else "/",
                                        cookies)
                self.assertNotIn(b'id="nav-outreach"', page)

    def test_sent_after_the_session_ended_writes_nothing_and_keeps_what_was_typed(self):
        cookies, csrf = self.sign_in("member1")
        form = self.form(csrf, self.group_of("member1"), **{"attendance.female": "37"})
        st, _, _ = self.page("POST", "/logout", cookies, {"csrf": csrf})
        self.assertEqual(st, 303)
        with self.assertWritesNothing():
            st, h, page = self.page("POST", "/outreach", cookies, form)
        self.assertEqual(st, 401, page[:300])
        login = next(f for f in forms_of(page) if f["action"] == "/login")
        carried = login["inputs"]
        self.assertEqual(carried["resume"], "/outreach")
        self.assertEqual(carried["attendance.female"], "37")
        pre = {k: v for k, (v, _) in cookies_of(h).items() if v}
        pre.update({k: v for k, v in cookies.items() if k != "cbpn_session"})
        body = dict(carried)
        body.update({"username": "member1", "password": DEMO_PASSWORD,
                     "topic": ["safe_migration", "labour_rights"]})
        before = len(self.sessions("member1"))
        st, h, page = self.page("POST", "/login", pre, body)
        self.assertEqual(st, 200, page[:500])
        self.srv.secrets.add(cookies_of(h)["cbpn_session"][0])
        self.assertIn(b'id="resumed-notice"', page)
        self.assertIn(b'value="37"', page)
        self.assertIn(b'id="topic-labour_rights" value="labour_rights" checked', page)
        self.assertEqual(len(self.sessions("member1")), before)
