"""The groups and members pages (issue 8 items 1 and 8): a representative
sees her group, adds a member, edits her, deactivates her (she stays listed,
inactive, after the active ones); another group's page and members are 404
and nothing is written; a stale version shows the conflict and writes
nothing; a form without its CSRF token is 403 and writes nothing; a
supervisor renames a group; a member sees her group but no forms; a form sent
after the session ended keeps what was typed; Khmer and English render."""

import re
import time

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of

KHMER = re.compile("[\u1780-\u17FF]")


class GroupPagesTest(PageClient, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.g1 = cls.srv.user("rep1")["group_id"]
        cls.g2 = cls.srv.user("rep2")["group_id"]

    def session(self, user):
        """A fresh page session: (cookies, csrf)."""
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": user,
                                                         "password": DEMO_PASSWORD,
                                                         "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        value = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(value)
        cookies = dict(pre, cbpn_session=value)
        st, _, body = self.page("GET", "/groups", cookies)
        self.assertEqual(st, 200, body[:300])
        token = next(f["inputs"]["csrf"] for f in forms_of(body) if "csrf" in f["inputs"])
        return cookies, token

    def get(self, path, cookies, status=200):
        st, _, body = self.page("GET", path, cookies)
        self.assertEqual(st, status, body[:300])
        return body

    def inputs(self, page, action):
        form = next((f for f in forms_of(page) if f["action"] == action), None)
        self.assertIsNotNone(form, "no form posting to %s" % action)
        return form["inputs"]

    def api_members(self, group):
        st, _, v = self.req("GET", "/api/v1/groups/%s/members?limit=200" % group,
                            as_user="admin")
        self.assertEqual(st, 200, v)
        return v["items"] if isinstance(v, dict) else v

    def api_member(self, group, member_id):
        return next(m for m in self.api_members(group) if m["id"] == member_id)

    def api_group(self, group):
        st, _, g = self.req("GET", "/api/v1/groups/" + group, as_user="admin")
        self.assertEqual(st, 200, g)
        return g

    def add_form(self, csrf, name, **extra):
        f = {"csrf": csrf, "name_km": "សុខ ចាន់ធី", "name_latn": name, "sex": "female",
             "birth_year": "1988", "phone": "012 345 678", "network_roles": ["member"],
             "returnee.countries": ["TH", "MY"], "returnee.years_abroad": "4",
             "returnee.channel": "irregular", "returnee.sector": "agriculture"}
        f.update(extra)
        return f

    def added(self, cookies, csrf, name, group=None):
        """A member added through the page; her API record."""
        group = group or self.g1
        st, h, body = self.page("POST", "/groups/%s/members" % group, cookies,
                                self.add_form(csrf, name))
        self.assertEqual(st, 303, body[:800])
        self.assertTrue(h["Location"].startswith("/groups/%s?ok=member-added" % group))
        return next(m for m in self.api_members(group) if m["name_latn"] == name)

    def edit_form(self, page, member_id, **change):
        f = dict(self.inputs(page, "/members/%s/edit" % member_id))
        # forms_of keeps the first value of a repeated name: the boxes again.
        f["network_roles"] = re.findall(
            r'name="network_roles" id="role-(\w+)" value="\w+" checked', page.decode())
        f["returnee.countries"] = re.findall(
            r'name="returnee.countries"(?: id="[^"]*")? value="(\w+)" checked', page.decode())
        f["returnee.channel"] = re.search(
            r'name="returnee.channel">.*?<option value="(\w+)" selected', page.decode()).group(1)
        f["returnee.sector"] = re.search(
            r'name="returnee.sector">.*?<option value="(\w+)" selected', page.decode()).group(1)
        sex = re.search(r'name="sex" id="sex-\w+" value="(\w+)" checked', page.decode())
        f["sex"] = sex.group(1) if sex else ""
        f.update(change)
        return f

    def unique(self, stem):
        return "%s %d" % (stem, time.time_ns() % 10**9)

    # ---- the representative's own group ----

    def test_representative_adds_edits_and_deactivates_a_member(self):
        rep, csrf = self.session("rep1")
        groups = self.get("/groups?lang=en", rep)
        self.assertIn(('href="/groups/%s"' % self.g1).encode(), groups)
        self.assertNotIn(('href="/groups/%s"' % self.g2).encode(), groups)
        self.assertIn(b'id="nav-groups"', groups)
        page = self.get("/groups/%s?lang=en" % self.g1, rep)
        for part in (b'id="group-name"', b'id="group-place"', b'id="place-km"',
                     b'id="place-en"', b'id="member-add-form"', b'id="role-trainer"',
                     b'id="country-TH"', b'id="country-SA"'):
            self.assertIn(part, page)
        self.assertNotIn(b'id="group-form"', page, "a representative may not edit the group")

        name = self.unique("Pagetest Chantha")
        m = self.added(rep, csrf, name)
        self.assertEqual(m["sex"], "female")
        self.assertEqual(m["birth_year"], 1988)
        self.assertEqual(m["returnee"]["countries"], ["TH", "MY"])
        self.assertEqual(m["returnee"]["years_abroad"], 4)
        self.assertEqual(m["returnee"]["channel"], "irregular")
        self.assertTrue(m["active"])
        page = self.get("/groups/%s?ok=member-added&lang=en" % self.g1, rep)
        self.assertIn(b'id="done-notice"', page)
        self.assertIn(name.encode(), page)
        self.assertIn(b"Thailand, Malaysia", page)
        self.assertIn(('href="/members/%s/edit"' % m["id"]).encode(), page)

        # Edit: the form comes prefilled with the version.
        page = self.get("/members/%s/edit?lang=en" % m["id"], rep)
        inputs = self.inputs(page, "/members/%s/edit" % m["id"])
        self.assertEqual(inputs["version"], str(m["version"]))
        self.assertEqual(inputs["name_latn"], name)
        self.assertEqual(inputs["phone"], "012 345 678")
        self.assertIn(b'id="country-MY" value="MY" checked', page)
        form = self.edit_form(page, m["id"], birth_year="1990",
                              network_roles=["member", "trainer"], phone="")
        form["returnee.countries"] = ["KR"]
        st, h, body = self.page("POST", "/members/%s/edit" % m["id"], rep, form)
        self.assertEqual(st, 303, body[:800])
        self.assertIn("ok=member-saved", h["Location"])
        now = self.api_member(self.g1, m["id"])
        self.assertEqual(now["birth_year"], 1990)
        self.assertEqual(now["network_roles"], ["member", "trainer"])
        self.assertEqual(now["returnee"]["countries"], ["KR"])
        self.assertNotIn("phone", {k for k, v in now.items() if v})
        self.assertEqual(now["version"], m["version"] + 1)

        # Deactivate: she stays listed, inactive, after the active ones.
        page = self.get("/members/%s/edit?lang=en" % m["id"], rep)
        self.assertIn(b'id="deactivate"', page)
        active_form = next(f for f in forms_of(page) if f["inputs"].get("active") == "false")
        st, h, body = self.page("POST", "/members/%s/edit" % m["id"], rep,
                                dict(active_form["inputs"]))
        self.assertEqual(st, 303, body[:800])
        self.assertIn("ok=member-deactivated", h["Location"])
        self.assertFalse(self.api_member(self.g1, m["id"])["active"])
        self.assertEqual(self.api_member(self.g1, m["id"])["birth_year"], 1990)
        page = self.get("/groups/%s?lang=en" % self.g1, rep).decode()
        item = re.search(r'<li id="member-%s" class="member inactive">.*?</li>' % m["id"], page)
        self.assertIsNotNone(item, "the deactivated member is not listed as inactive")
        self.assertIn("Inactive", item.group(0))
        positions = [mm.start() for mm in re.finditer(r'<li id="member-\w+" class="member"', page)]
        self.assertTrue(positions, "no active member listed")
        self.assertLess(max(positions), item.start(), "an inactive member before an active one")
        # And back.
        page = self.get("/members/%s/edit" % m["id"], rep)
        self.assertIn(b'id="reactivate"', page)
        again = next(f for f in forms_of(page) if f["inputs"].get("active") == "true")
        st, h, _ = self.page("POST", "/members/%s/edit" % m["id"], rep, dict(again["inputs"]))
        self.assertEqual(st, 303)
        self.assertTrue(self.api_member(self.g1, m["id"])["active"])

    def test_add_form_with_errors_keeps_what_was_typed(self):
        rep, csrf = self.session("rep1")
        name = self.unique("Pagetest Typed")
        before = len(self.api_members(self.g1))
        with self.assertWritesNothing(ignore=("idempotency",)):
            st, _, page = self.page("POST", "/groups/%s/members?lang=en" % self.g1, rep,
                                    self.add_form(csrf, name, birth_year="1800"))
        self.assertEqual(st, 422, page[:500])
        self.assertIn(b'id="form-errors"', page)
        self.assertIn(b'id="err-birth_year"', page)
        self.assertIn(('value="%s"' % name).encode(), page)
        self.assertIn(b'id="country-TH" value="TH" checked', page)
        self.assertEqual(len(self.api_members(self.g1)), before)

    # ---- another group ----

    def test_representative_gets_404_for_another_group_and_writes_nothing(self):
        rep2, csrf2 = self.session("rep2")
        other = self.added(rep2, csrf2, self.unique("Pagetest Othergroup"), group=self.g2)
        rep, csrf = self.session("rep1")
        self.get("/groups/%s" % self.g2, rep, status=404)
        self.get("/members/%s/edit" % other["id"], rep, status=404)
        with self.assertWritesNothing(ignore=("idempotency",)):
            st, _, _ = self.page("POST", "/groups/%s/members" % self.g2, rep,
                                 self.add_form(csrf, "Pagetest Intruder"))
            self.assertEqual(st, 404)
            st, _, _ = self.page("POST", "/members/%s/edit" % other["id"], rep, {
                "csrf": csrf, "version": str(other["version"]), "active": "false"})
            self.assertEqual(st, 404)
            st, _, _ = self.page("POST", "/members/%s/edit" % other["id"], rep, {
                "csrf": csrf, "version": str(other["version"]), "name_latn": "Renamed",
                "name_km": "", "sex": "female"})
            self.assertEqual(st, 404)
        self.assertTrue(self.api_member(self.g2, other["id"])["active"])

    # ---- conflicts and CSRF ----

    def test_stale_version_shows_the_conflict_and_writes_nothing(self):
        rep, csrf = self.session("rep1")
        m = self.added(rep, csrf, self.unique("Pagetest Stale"))
        page = self.get("/members/%s/edit?lang=en" % m["id"], rep)
        form = self.edit_form(page, m["id"], birth_year="1991")
        # Someone else saves her meanwhile.
        st, _, v = self.req("PATCH", "/api/v1/members/" + m["id"],
                            {"version": m["version"], "birth_year": 1975}, as_user="supervisor")
        self.assertEqual(st, 200, v)
        with self.assertWritesNothing():
            st, _, body = self.page("POST", "/members/%s/edit?lang=en" % m["id"], rep, form)
        self.assertEqual(st, 409, body[:500])
        self.assertIn(b'id="stale-notice"', body)
        self.assertIn(b'value="1975"', body, "the form shows the member as she is now")
        self.assertIn(('name="version" value="%d"' % (m["version"] + 1)).encode(), body)
        self.assertEqual(self.api_member(self.g1, m["id"])["birth_year"], 1975)
        # The deactivate form at the old version is refused too.
        with self.assertWritesNothing():
            st, _, body = self.page("POST", "/members/%s/edit" % m["id"], rep, {
                "csrf": csrf, "version": str(m["version"]), "active": "false"})
        self.assertEqual(st, 409)
        self.assertTrue(self.api_member(self.g1, m["id"])["active"])

    def test_stale_group_version_shows_the_conflict(self):
        sup, csrf = self.session("supervisor")
        g = self.api_group(self.g2)
        with self.assertWritesNothing():
            st, _, body = self.page("POST", "/groups/%s" % self.g2, sup, {
                "csrf": csrf, "version": str(g["version"] - 1 if g["version"] > 1 else 999),
                "name": "Stale name", "send": "1"})
        self.assertEqual(st, 409, body[:500])
        self.assertIn(b'id="stale-notice"', body)
        self.assertEqual(self.api_group(self.g2)["name"], g["name"])

    def test_forms_without_csrf_are_403_and_write_nothing(self):
        rep, csrf = self.session("rep1")
        m = self.added(rep, csrf, self.unique("Pagetest Csrf"))
        sup, _ = self.session("supervisor")
        g = self.api_group(self.g1)
        with self.assertWritesNothing():
            form = self.add_form(csrf, "Pagetest Nocsrf")
            del form["csrf"]
            st, _, _ = self.page("POST", "/groups/%s/members" % self.g1, rep, form)
            self.assertEqual(st, 403)
            st, _, _ = self.page("POST", "/members/%s/edit" % m["id"], rep,
                                 {"version": str(m["version"]), "active": "false"})
            self.assertEqual(st, 403)
            st, _, _ = self.page("POST", "/groups/%s" % self.g1, sup,
                                 {"version": str(g["version"]), "name": "No token", "send": "1"})
            self.assertEqual(st, 403)
            st, _, _ = self.page("POST", "/members/%s/edit" % m["id"], rep,
                                 {"version": str(m["version"]), "active": "false",
                                  "csrf": "A" * len(csrf)})
            self.assertEqual(st, 403)
        self.assertTrue(self.api_member(self.g1, m["id"])["active"])

    # ---- the supervisor, the member ----

    def test_supervisor_renames_a_group(self):
        sup, csrf = self.session("supervisor")
        groups = self.get("/groups", sup)
        self.assertEqual(len(re.findall(rb'<a href="/groups/\w+" id="group-', groups)), 8)
        g = self.api_group(self.g2)
        page = self.get("/groups/%s?lang=en" % self.g2, sup)
        inputs = self.inputs(page, "/groups/%s" % self.g2)
        self.assertEqual(inputs["version"], str(g["version"]))
        self.assertEqual(inputs["name"], g["name"])
        self.assertIn(b'id="member-add-form"', page)
        new = self.unique("Renamed group")
        form = dict(inputs, name=new, send="1")
        st, h, body = self.page("POST", "/groups/%s" % self.g2, sup, form)
        self.assertEqual(st, 303, body[:800])
        self.assertIn("ok=group-saved", h["Location"])
        now = self.api_group(self.g2)
        self.assertEqual(now["name"], new)
        self.assertEqual(now["location_code"], g["location_code"])
        self.assertEqual(now["version"], g["version"] + 1)
        page = self.get(h["Location"], sup)
        self.assertIn(new.encode(), page)
        self.assertIn(b'id="done-notice"', page)
        # An empty name is refused and the name typed stays.
        with self.assertWritesNothing():
            st, _, body = self.page("POST", "/groups/%s?lang=en" % self.g2, sup,
                                    dict(form, name="", version=str(now["version"])))
        self.assertEqual(st, 422, body[:500])
        self.assertIn(b'id="err-group-name"', body)

    def test_supervisor_moves_a_group_to_a_village(self):
        sup, csrf = self.session("supervisor")
        g = self.api_group(self.g1)
        form = {"csrf": csrf, "version": str(g["version"]), "name": g["name"],
                "place.province": "17", "place.district": "1707", "place.commune": "170710",
                "place.village": "17071001", "send": "1"}
        st, h, body = self.page("POST", "/groups/%s" % self.g1, sup, form)
        self.assertEqual(st, 303, body[:800])
        self.assertEqual(self.api_group(self.g1)["location_code"], "17071001")
        page = self.get("/groups/%s?lang=en" % self.g1, sup)
        self.assertIn(b'class="pl-village"', page)
        # Back to the commune it was on.
        form.update(version=str(g["version"] + 1), **{"place.village": ""})
        st, _, body = self.page("POST", "/groups/%s" % self.g1, sup, form)
        self.assertEqual(st, 303, body[:800])
        self.assertEqual(self.api_group(self.g1)["location_code"], g["location_code"])

    def test_clearing_the_returnee_history(self):
        rep, csrf = self.session("rep1")
        m = self.added(rep, csrf, self.unique("Pagetest Noreturn"))
        page = self.get("/members/%s/edit" % m["id"], rep)
        form = self.edit_form(page, m["id"])
        form.update({"returnee.countries": [], "returnee.years_abroad": "",
                     "returnee.channel": "", "returnee.sector": ""})
        st, _, body = self.page("POST", "/members/%s/edit" % m["id"], rep, form)
        self.assertEqual(st, 303, body[:800])
        self.assertFalse(self.api_member(self.g1, m["id"]).get("returnee"))

    def test_member_sees_her_group_but_no_forms(self):
        mem, _ = self.session("member1")
        groups = self.get("/groups?lang=en", mem)
        self.assertIn(('href="/groups/%s"' % self.g1).encode(), groups)
        self.assertIn(b"My group", groups)
        page = self.get("/groups/%s?lang=en" % self.g1, mem)
        self.assertIn(b'id="group-name"', page)
        for part in (b'id="member-add-form"', b'id="group-form"', b'/edit"'):
            self.assertNotIn(part, page)
        self.get("/groups/%s" % self.g2, mem, status=404)

    def test_caseworker_reads_members_but_may_not_edit_them(self):
        rep, csrf = self.session("rep1")
        m = self.added(rep, csrf, self.unique("Pagetest Readonly"))
        cw, _ = self.session("caseworker1")
        page = self.get("/groups/%s" % self.g1, cw)
        self.assertIn(m["name_latn"].encode(), page)
        self.assertNotIn(b'id="member-add-form"', page)
        self.assertNotIn(('href="/members/%s/edit"' % m["id"]).encode(), page)
        self.get("/members/%s/edit" % m["id"], cw, status=403)

    def test_provider_has_no_groups(self):
        pre, csrf = self.login_form()
        st, h, _ = self.page("POST", "/login", pre, {"username": "counsel",
                                                      "password": DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 303)
        value = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(value)
        cookies = dict(pre, cbpn_session=value)
        st, _, body = self.page("GET", "/groups", cookies)
        self.assertEqual(st, 403)
        st, _, body = self.page("GET", "/safe-migration", cookies)
        self.assertNotIn(b'id="nav-groups"', body)

    # ---- languages ----

    def test_both_languages_render(self):
        rep, csrf = self.session("rep1")
        self.added(rep, csrf, self.unique("Pagetest Lang"))
        for path in ("/groups", "/groups/%s" % self.g1):
            km = self.get(path + "?lang=km", rep)
            en = self.get(path + "?lang=en", rep)
            self.assertIn(b'<html lang="km"', km)
            self.assertIn(b'<html lang="en"', en)
            self.assertNotEqual(km, en)
        km = self.get("/groups/%s?lang=km" % self.g1, rep).decode()
        self.assertIn("បន្ថែមសមាជិក", km)  # "Add a member"
        self.assertIn("ក្រុមរបស់ខ្ញុំ", km)  # "My group"
        self.assertIn("ថៃ", km)  # Thailand, among the countries
        en = self.get("/groups/%s?lang=en" % self.g1, rep).decode()
        self.assertIn("Add a member", en)
        self.assertIn("My group", en)

    def test_pages_are_light(self):
        rep, _ = self.session("rep1")
        for path in ("/groups", "/groups/%s" % self.g1):
            body = self.get(path, rep)
            self.assertNotIn(b"<img", body)
            self.assertLess(len(body), 60 * 1024, path)

    # ---- the session ended ----

    def test_add_form_sent_after_the_session_ended_keeps_what_was_typed(self):
        rep, csrf = self.session("rep1")
        name = self.unique("Pagetest Resumed")
        st, _, _ = self.page("POST", "/logout", rep, {"csrf": csrf})
        self.assertEqual(st, 303)
        form = self.add_form(csrf, name)
        with self.assertWritesNothing():
            st, h, page = self.page("POST", "/groups/%s/members" % self.g1, rep, form)
        self.assertEqual(st, 401, page[:300])
        login = next(f for f in forms_of(page) if f["action"] == "/login")
        carried = login["inputs"]
        self.assertEqual(carried["resume"], "/groups/%s/members" % self.g1)
        self.assertEqual(carried["name_latn"], name)
        pre = {k: v for k, (v, _) in cookies_of(h).items() if v}
        pre.update({k: v for k, v in rep.items() if k != "cbpn_session"})
        body = dict(carried)
        body.update({"username": "rep1", "password": DEMO_PASSWORD,
                     "returnee.countries": ["TH", "MY"], "network_roles": ["member"]})
        st, h, page = self.page("POST", "/login", pre, body)
        self.assertEqual(st, 200, page[:500])
        self.assertIn(b'id="resumed-notice"', page)
        self.assertIn(('value="%s"' % name).encode(), page)
        self.assertIn(b'id="country-MY" value="MY" checked', page)
        self.assertFalse([m for m in self.api_members(self.g1) if m["name_latn"] == name])
