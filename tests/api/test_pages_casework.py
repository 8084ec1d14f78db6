"""Case work on the pages: the case page, intake, the workflow's forms, the
lists and the queue. Every form: refused without its CSRF token (writing
nothing), a 303 to a GET page when done, the values typed shown again on a
422, a stale version answered with a notice and the current values; a form
sent after the session ended writes nothing, keeps what was typed through
the sign-in and shows it again."""

import html
import re

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of

NAME = "Casepage Tester"
# A refused form shown again reads the case, and every read of case details
# is audited: the audit log is the one table such an answer may add to.
READ_AUDIT = ("audit",)


class CaseworkPagesTest(PageClient, ServerTestCase):

    def new_case(self, name=NAME, urgent=False):
        """A reported case of the NGO, made through the API."""
        st, _, c = self.req("POST", "/api/v1/cases", {
            "location_code": "17071001", "concerns": ["unsafe_migration"],
            "summary": "Pages test", "urgent": urgent,
            "survivor": {"sex": "female", "age": 24, "name_latn": name}},
            as_user="caseworker1")
        self.assertEqual(st, 201, c)
        return c

    def api_case(self, case_id, who="supervisor"):
        st, _, c = self.req("GET", "/api/v1/cases/" + case_id, as_user=who)
        self.assertEqual(st, 200, c)
        return c

    def form_inputs(self, page, action):
        form = next((f for f in forms_of(page) if f["action"] == action), None)
        self.assertIsNotNone(form, "no form posting to %s" % action)
        return form["inputs"]

    def intake(self, case_id, csrf, **extra):
        f = {"csrf": csrf, "version": str(self.api_case(case_id)["version"]),
             "survivor.sex": "female", "survivor.age": "24", "survivor.name_latn": NAME,
             "survivor.name_km": "សុខ ស្រីនាង", "survivor.phone": "012 000 777",
             "survivor.marital_status": "single", "survivor.dependants": "2",
             "survivor.occupation": "Garment worker", "survivor.disability": "false",
             "survivor.nationality": "KH", "survivor.address_text": "House 12",
             "addr.province": "17", "addr.district": "1707", "addr.commune": "170710",
             "addr.village": "17071001",
             "survivor.migration.countries": ["TH"], "survivor.migration.years": "3",
             "survivor.migration.channel": "irregular", "survivor.migration.sector": "agriculture",
             "risk": "high", "urgent": "true", "concern": ["unsafe_migration", "forced_labour"],
             "summary": "Intake from the page", "send": "1"}
        f.update(extra)
        return f

    # ---- the case page ----

    def test_case_page_shows_the_case_to_its_team(self):
        c = self.new_case()
        cw, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases/%s?lang=en" % c["id"], cw)
        self.assertEqual(st, 200, page[:300])
        for part in (b'id="case-code"', b'id="case-status"', b'id="case-place"', b'pl-village',
                     b'pl-commune', b'pl-district', b'id="timeline"', b'id="case-assigned"',
                     b'id="note-form"', b'id="task-form"', b'id="link-edit"'):
            self.assertIn(part, page)
        self.assertRegex(page, rb'<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d</time>')
        # A caseworker is not offered the supervisor's forms.
        self.assertNotIn(b'id="assign-form"', page)

    def test_representative_sees_no_details_and_no_forms(self):
        cookies, csrf = self.sign_in("rep1")
        st, h, _ = self.page("POST", "/cases", cookies, {
            "csrf": csrf, "province": "17", "district": "1707", "commune": "170710",
            "village": "17071001", "concern": ["other"], "survivor.sex": "female",
            "survivor.age": "15", "send": "1"})
        self.assertEqual(st, 303)
        st, _, page = self.page("GET", h["Location"].split("?")[0], cookies)
        self.assertEqual(st, 200)
        self.assertIn(b'id="details-hidden"', page)
        self.assertFalse([f for f in forms_of(page) if f["method"] == "post"
                          and f["action"] != "/logout"])

    def test_child_flag_when_under_18(self):
        st, _, c = self.req("POST", "/api/v1/cases", {
            "location_code": "17071001", "concerns": ["child_at_risk"],
            "survivor": {"sex": "female", "age": 15}}, as_user="caseworker1")
        self.assertEqual(st, 201)
        cw, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases/" + c["id"], cw)
        self.assertIn(b'id="case-child"', page)
        st, _, page = self.page("GET", "/cases/" + self.new_case()["id"], cw)
        self.assertNotIn(b'id="case-child"', page)

    # ---- every form: CSRF ----

    def test_case_forms_without_csrf_are_403_and_write_nothing(self):
        c = self.new_case()
        sup, csrf = self.sign_in("supervisor")
        cw1 = self.srv.user("caseworker1")["id"]
        forms = [("/cases/%s/edit" % c["id"], self.intake(c["id"], None)),
                 ("/cases/%s/assign" % c["id"], {"caseworker_id": cw1}),
                 ("/cases/%s/notes" % c["id"], {"body": "a note"}),
                 ("/cases/%s/tasks" % c["id"], {"title": "Call", "due_on": "2030-01-01"}),
                 ("/cases/%s/closure" % c["id"], {"reason_code": "other"}),
                 ("/cases/%s/reopen" % c["id"], {"reason": "again"})]
        for path, form in forms:
            form = {k: v for k, v in form.items() if k != "csrf"}
            for bad in (None, csrf[:-2] + "xx"):
                if bad is not None:
                    form["csrf"] = bad
                with self.subTest(path=path, csrf=bad), self.assertWritesNothing():
                    st, _, body = self.page("POST", path, sup, form)
                    self.assertEqual(st, 403, body[:200])

    # ---- notes, tasks, workflow: redirect after POST ----

    def test_note_task_and_workflow_forms_redirect_to_the_case(self):
        c = self.new_case()
        sup, csrf = self.sign_in("supervisor")
        cw1 = self.srv.user("caseworker1")["id"]
        base = "/cases/" + c["id"]
        st, h, body = self.page("POST", base + "/assign", sup, {"csrf": csrf, "caseworker_id": cw1})
        self.assertEqual(st, 303, body[:300])
        self.assertEqual(h["Location"], base + "?ok=assigned")
        self.assertEqual(self.api_case(c["id"])["status"], "open")
        st, h, _ = self.page("POST", base + "/notes", sup, {"csrf": csrf, "body": "First note"})
        self.assertEqual(st, 303)
        self.assertTrue(h["Location"].startswith(base + "?ok=note"))
        st, h, _ = self.page("POST", base + "/tasks", sup,
                             {"csrf": csrf, "title": "Visit her", "due_on": "2030-01-01"})
        self.assertEqual(st, 303)
        st, _, page = self.page("GET", base + "?ok=task", sup)
        self.assertIn(b'id="done-notice"', page)
        self.assertIn(b"First note", page)
        self.assertIn(b"Visit her", page)
        task = re.search(rb'action="/tasks/([a-z0-9]+)"', page).group(1).decode()
        inputs = self.form_inputs(page, "/tasks/" + task)
        st, h, _ = self.page("POST", "/tasks/" + task, sup,
                             {"csrf": csrf, "version": inputs["version"], "case": c["id"],
                              "done": "1"})
        self.assertEqual(st, 303)
        # The same form again (Back and send): a stale version, a notice, no browser error.
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/tasks/" + task, sup,
                                    {"csrf": csrf, "version": inputs["version"], "case": c["id"]})
        self.assertEqual(st, 409)
        self.assertIn(b'id="err-task"', page)
        # A correction names the note it corrects.
        note = re.search(rb'id="note-([a-z0-9]+)"', page).group(1).decode()
        st, _, _ = self.page("POST", base + "/notes", sup,
                             {"csrf": csrf, "body": "Correction", "corrects": note})
        self.assertEqual(st, 303)
        st, _, page = self.page("GET", base, sup)
        self.assertIn(('href="#note-%s"' % note).encode(), page)
        st, h, _ = self.page("POST", base + "/closure", sup,
                             {"csrf": csrf, "reason_code": "services_completed"})
        self.assertEqual(st, 303)
        # The supervisor who asked is not offered the approval; another one is.
        st, _, page = self.page("GET", base, sup)
        self.assertNotIn(b'id="approve-form"', page)
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", base + "/closure/approve", sup, {"csrf": csrf})
        self.assertEqual(st, 403)
        sup2, csrf2 = self.sign_in("supervisor2")
        st, h, _ = self.page("POST", base + "/closure/approve", sup2, {"csrf": csrf2})
        self.assertEqual(st, 303)
        self.assertEqual(self.api_case(c["id"])["status"], "closed")
        st, _, page = self.page("GET", base + "?lang=en", sup2)
        kinds = re.findall(rb'data-kind="([a-z_]+)"', page)
        for k in (b"reported", b"assigned", b"note", b"task", b"task_done", b"closure_requested",
                  b"closed"):
            self.assertIn(k, kinds)
        self.assertIn(b'id="reopen-form"', page)

    def test_refused_workflow_form_shows_the_case_again(self):
        c = self.new_case()
        sup, csrf = self.sign_in("supervisor")
        base = "/cases/" + c["id"]
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", base + "/notes", sup, {"csrf": csrf, "body": ""})
        self.assertEqual(st, 422)
        self.assertIn(b'id="err-note"', page)
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", base + "/reopen", sup,
                                    {"csrf": csrf, "reason": "not closed"})
        self.assertEqual(st, 409)
        self.assertIn(b'id="case-error"', page)

    # ---- intake ----

    def test_intake_form_saves_and_redirects(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases/%s/edit" % c["id"], cw)
        self.assertEqual(st, 200)
        inputs = self.form_inputs(page, "/cases/%s/edit" % c["id"])
        self.assertEqual(inputs["version"], str(c["version"]))
        st, h, body = self.page("POST", "/cases/%s/edit" % c["id"], cw, self.intake(c["id"], csrf))
        self.assertEqual(st, 303, body[:2000])
        self.assertEqual(h["Location"], "/cases/%s?ok=updated" % c["id"])
        now = self.api_case(c["id"])
        self.assertEqual(now["risk"], "high")
        self.assertTrue(now["urgent"])
        s = now["survivor"]
        self.assertEqual(s["address_code"], "17071001")
        self.assertEqual(s["migration"]["countries"], ["TH"])
        self.assertEqual(s["dependants"], 2)
        # Emptying a box clears the value.
        st, h, body = self.page("POST", "/cases/%s/edit" % c["id"], cw,
                                self.intake(c["id"], csrf, **{"survivor.phone": "",
                                                              "survivor.occupation": ""}))
        self.assertEqual(st, 303, body[:2000])
        s = self.api_case(c["id"])["survivor"]
        self.assertNotIn("012 000 777", str(s.get("phone")))
        self.assertFalse(s.get("occupation"))

    def test_intake_422_shows_the_values_typed(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        form = self.intake(c["id"], csrf, **{"survivor.age": "abc",
                                            "survivor.occupation": "Typed <job>"})
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/cases/%s/edit" % c["id"], cw, form)
        self.assertEqual(st, 422, page[:300])
        self.assertIn(b'id="form-errors"', page)
        self.assertIn(b'id="err-age"', page)
        self.assertIn(b'value="Typed &lt;job&gt;"', page)
        self.assertIn(b'value="abc"', page)
        self.assertIn(b'Intake from the page</textarea>', page)

    def test_intake_with_a_stale_version_is_409_with_the_current_values(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        old = self.intake(c["id"], csrf, **{"survivor.occupation": "Mine"})
        st, _, v = self.req("PATCH", "/api/v1/cases/" + c["id"],
                            {"version": c["version"], "survivor": {"occupation": "Theirs"}},
                            as_user="supervisor")
        self.assertEqual(st, 200, v)
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/cases/%s/edit" % c["id"], cw, old)
        self.assertEqual(st, 409, page[:300])
        self.assertIn(b'id="stale-notice"', page)
        self.assertIn(b'value="Theirs"', page)
        self.assertEqual(self.form_inputs(page, "/cases/%s/edit" % c["id"])["version"],
                         str(v["version"]))

    def test_intake_place_step_writes_nothing(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        form = self.intake(c["id"], csrf, step="addr.place")
        del form["send"]
        del form["addr.village"]
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/cases/%s/edit" % c["id"], cw, form)
        self.assertEqual(st, 200)
        self.assertIn(b'id="addr-village"', page)

    # ---- the session ended ----

    def test_form_sent_after_the_session_ended_writes_nothing_and_keeps_what_was_typed(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        form = self.intake(c["id"], csrf, **{"survivor.occupation": "Kept through sign-in"})
        st, _, _ = self.page("POST", "/logout", cw, {"csrf": csrf})
        self.assertEqual(st, 303)
        before = self.api_case(c["id"])
        with self.assertWritesNothing():
            st, h, page = self.page("POST", "/cases/%s/edit" % c["id"], cw, form)
        self.assertEqual(st, 401, page[:300])
        self.assertIn(b'id="session-ended"', page)
        login = next(f for f in forms_of(page) if f["action"] == "/login")
        carried = login["inputs"]
        self.assertEqual(carried["resume"], "/cases/%s/edit" % c["id"])
        self.assertEqual(carried["survivor.occupation"], "Kept through sign-in")
        self.assertNotEqual(carried["csrf"], csrf, "the ended session's token was carried")
        self.assertNotIn(b"Kept", h.get("Location", "").encode())
        # Signing in shows the form again, filled in, and still writes no case.
        pre = {k: v for k, (v, _) in cookies_of(h).items() if v}
        pre.update({k: v for k, v in cw.items() if k != "cbpn_session"})
        body = dict(carried)
        body.update({"username": "caseworker1", "password": DEMO_PASSWORD})
        body["survivor.migration.countries"] = ["TH"]
        body["concern"] = ["unsafe_migration", "forced_labour"]
        st, h, page = self.page("POST", "/login", pre, body)
        self.assertEqual(st, 200, page[:500])
        self.assertIn("cbpn_session", cookies_of(h))
        self.assertIn(b'id="resumed-notice"', page)
        self.assertIn(b'value="Kept through sign-in"', page)
        self.assertIn(b'Intake from the page</textarea>', page)
        after = self.api_case(c["id"])
        self.assertEqual(before["version"], after["version"])
        # The form shown carries the new session's token: sending it saves.
        session = dict(pre)
        session["cbpn_session"] = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(session["cbpn_session"])
        inputs = self.form_inputs(page, "/cases/%s/edit" % c["id"])
        form["csrf"] = inputs["csrf"]
        st, _, body = self.page("POST", "/cases/%s/edit" % c["id"], session, form)
        self.assertEqual(st, 303, body[:500])
        self.assertEqual(self.api_case(c["id"])["survivor"]["occupation"], "Kept through sign-in")

    def test_note_sent_after_the_session_ended_comes_back_in_its_box(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        st, _, _ = self.page("POST", "/logout", cw, {"csrf": csrf})
        with self.assertWritesNothing():
            st, h, page = self.page("POST", "/cases/%s/notes" % c["id"], cw,
                                    {"csrf": csrf, "body": "Typed before expiry"})
        self.assertEqual(st, 401)
        carried = next(f for f in forms_of(page) if f["action"] == "/login")["inputs"]
        pre = {k: v for k, (v, _) in cookies_of(h).items() if v}
        pre.update({k: v for k, v in cw.items() if k != "cbpn_session"})
        carried.update({"username": "caseworker1", "password": DEMO_PASSWORD})
        st, h, page = self.page("POST", "/login", pre, carried)
        self.assertEqual(st, 200)
        self.assertIn(b'Typed before expiry</textarea>', page)
        self.assertIn(b'id="resumed-notice"', page)

    # ---- lists and the queue ----

    def test_list_filters_and_urgent_first(self):
        self.new_case(urgent=True)
        sup, _ = self.sign_in("supervisor")
        st, _, page = self.page("GET", "/cases?urgent=true&status=reported&lang=en", sup)
        self.assertEqual(st, 200)
        self.assertIn(b'<table class="cases"', page)
        rows = re.findall(rb"<tr[^>]*>", page)[1:]
        self.assertTrue(rows)
        self.assertTrue(all(b"urgent-row" in r for r in rows), rows)
        st, _, page = self.page("GET", "/cases?risk=nonsense&concern=x", sup)
        self.assertEqual(st, 200)

    def test_queue_and_the_urgent_count_on_every_page_of_a_supervisor(self):
        self.new_case(urgent=True)
        sup, _ = self.sign_in("supervisor")
        st, _, page = self.page("GET", "/queue", sup)
        self.assertEqual(st, 200)
        self.assertIn(b'id="queue-assign"', page)
        for path in ("/queue", "/cases", "/cases/new"):
            st, _, page = self.page("GET", path, sup)
            n = re.search(rb'id="urgent-unassigned"[^>]*>(\d+)<', page)
            self.assertIsNotNone(n, path)
            self.assertGreater(int(n.group(1)), 0)
        cw, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases", cw)
        self.assertNotIn(b'urgent-unassigned', page)
        st, _, _ = self.page("GET", "/queue", cw)
        self.assertEqual(st, 403)

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_names_or_typed_text(self):
        self.check_log_has_no_secrets(extra=[NAME, "Casepage", "Kept through sign-in",
                                             "Typed before expiry", "Garment worker", "Theirs"])
