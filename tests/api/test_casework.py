"""Case work over the API: intake (PATCH with version), the workflow moves
for each status and each role, allowed and refused, notes, tasks and the
timeline. Expectations come from API.md and DOMAIN.md §5: reported -> open
(assign) -> closure_requested (closure) -> closed (approve, by a supervisor
other than the one who asked) -> open (reopen); any other move is 409 and
writes nothing; a role without the right is 403; a case out of reach 404."""

import datetime

from cbpnserver import ServerTestCase

MOVES = ("assign", "closure", "approve", "reopen")
STATUSES = ("reported", "open", "closure_requested", "closed")
# Which move each status allows, and the status it leads to.
ALLOWED = {
    ("reported", "assign"): "open",
    ("open", "assign"): "open",                            # a transfer
    ("closure_requested", "assign"): "closure_requested",  # a transfer
    ("open", "closure"): "closure_requested",
    ("closure_requested", "approve"): "closed",
    ("closed", "reopen"): "open",
}
STAFF_ONLY = ("member1", "rep1", "counsel", "analyst", "admin")


def report(**over):
    body = {"location_code": "17071001", "concerns": ["trafficking"],
            "summary": "Casework test summary.",
            "survivor": {"sex": "female", "age": 19, "name_latn": "Casework Testsurvivor"}}
    body.update(over)
    return body


class CaseworkTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.cw1 = srv.user("caseworker1")["id"]
        cls.cw2 = srv.user("caseworker2")["id"]
        cls.sup = srv.user("supervisor")["id"]
        cls.sup2 = srv.user("supervisor2")["id"]
        srv.secrets.update(["Casework Testsurvivor", "Casework test summary", "Testnote",
                            "Testtask", "Testreason"])

    # ---- helpers ----

    def new_case(self, status="reported", by="rep1", requested_by="caseworker1"):
        st, _, c = self.req("POST", "/api/v1/cases", report(), as_user=by)
        self.assertEqual(st, 201, c)
        cid = c["id"]
        if status == "reported":
            return cid
        self.move(cid, "assign", "supervisor", 200, caseworker_id=self.cw1)
        if status == "open":
            return cid
        self.move(cid, "closure", requested_by, 200, reason_code="services_completed",
                  reason="Testreason: all services given")
        if status == "closure_requested":
            return cid
        approver = "supervisor2" if requested_by == "supervisor" else "supervisor"
        self.move(cid, "approve", approver, 200)
        return cid

    def move(self, cid, move, user, want, **body):
        path = {"assign": "/assign", "closure": "/closure", "approve": "/closure/approve",
                "reopen": "/reopen"}[move]
        if move == "assign":
            body.setdefault("caseworker_id", self.cw2)
        if move == "closure":
            body.setdefault("reason_code", "survivor_request")
        if move == "reopen":
            body.setdefault("reason", "Testreason: she came back")
        st, _, v = self.req("POST", "/api/v1/cases/%s%s" % (cid, path), body, as_user=user)
        self.assertEqual(st, want, "%s by %s: %r" % (move, user, v))
        return v

    def status(self, cid):
        st, _, v = self.req("GET", "/api/v1/cases/" + cid, as_user="supervisor")
        self.assertEqual(st, 200, v)
        return v

    # ---- the workflow, every status x every move ----

    def test_every_move_from_every_status(self):
        for status in STATUSES:
            for move in MOVES:
                with self.subTest(status=status, move=move):
                    cid = self.new_case(status)
                    before = self.status(cid)
                    # The approver must not be the one who asked (caseworker1).
                    user = "supervisor"
                    want = ALLOWED.get((status, move))
                    if want is None:
                        with self.assertWritesNothing():
                            v = self.move(cid, move, user, 409)
                        self.assertErrorShape(v, "conflict")
                        self.assertEqual(self.status(cid)["version"], before["version"])
                    else:
                        v = self.move(cid, move, user, 200)
                        self.assertEqual(v["status"], want)
                        self.assertEqual(v["version"], before["version"] + 1)

    def test_assign_opens_and_transfer_moves_access(self):
        cid = self.new_case("reported")
        v = self.move(cid, "assign", "supervisor", 200, caseworker_id=self.cw1)
        self.assertEqual((v["status"], v["assigned_to"]), ("open", self.cw1))
        st, _, _ = self.req("GET", "/api/v1/cases/" + cid, as_user="caseworker1")
        self.assertEqual(st, 200)
        st, _, _ = self.req("GET", "/api/v1/cases/" + cid, as_user="caseworker2")
        self.assertEqual(st, 404, "another caseworker's case is out of reach")
        v = self.move(cid, "assign", "supervisor", 200, caseworker_id=self.cw2)
        self.assertEqual((v["status"], v["assigned_to"]), ("open", self.cw2))
        st, _, _ = self.req("GET", "/api/v1/cases/" + cid, as_user="caseworker1")
        self.assertEqual(st, 404, "the previous caseworker loses access at once")
        kinds = [e["kind"] for e in self.status(cid)["timeline"]]
        self.assertEqual(kinds, ["reported", "assigned", "transferred"])

    def test_assign_to_someone_not_a_caseworker_of_the_org_is_422(self):
        cid = self.new_case("reported")
        for who in (self.srv.user("member1")["id"], self.srv.user("counsel")["id"],
                    "zzzzzzzzzzzzzzzzzzzz", "not an id"):
            with self.subTest(who=who), self.assertWritesNothing():
                v = self.move(cid, "assign", "supervisor", 422, caseworker_id=who)
                self.assertErrorShape(v, "validation_failed", ["caseworker_id"])

    def test_roles_without_the_right(self):
        for move, status in (("assign", "reported"), ("approve", "closure_requested"),
                             ("reopen", "closed")):
            cid = self.new_case(status)
            for user in ("caseworker1",) + STAFF_ONLY:
                with self.subTest(move=move, user=user), self.assertWritesNothing():
                    self.move(cid, move, user, 403)

    def test_closure_by_the_assigned_caseworker_only(self):
        cid = self.new_case("open")  # assigned to caseworker1
        with self.assertWritesNothing():
            self.move(cid, "closure", "caseworker2", 404)  # out of her reach
        for user in STAFF_ONLY:
            with self.subTest(user=user), self.assertWritesNothing():
                self.move(cid, "closure", user, 403)
        v = self.move(cid, "closure", "caseworker1", 200, reason_code="moved_away")
        self.assertEqual(v["status"], "closure_requested")
        self.assertEqual(v["closure_reason_code"], "moved_away")

    def test_closure_needs_a_reason_code(self):
        cid = self.new_case("open")
        for body in ({"reason_code": "bored"}, {"reason_code": None}, {"reason": "x"},
                     {"reason_code": "other", "reason": 7}):
            with self.subTest(body=body), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/closure" % cid, body,
                                    as_user="caseworker1")
                self.assertEqual(st, 422, v)

    def test_nobody_approves_her_own_request(self):
        cid = self.new_case("closure_requested", requested_by="supervisor")
        with self.assertWritesNothing():
            v = self.move(cid, "approve", "supervisor", 403)
        self.assertErrorShape(v, "forbidden")
        v = self.move(cid, "approve", "supervisor2", 200)
        self.assertEqual(v["status"], "closed")

    def test_reopen_needs_a_reason_and_keeps_the_caseworker(self):
        cid = self.new_case("closed")
        with self.assertWritesNothing():
            st, _, v = self.req("POST", "/api/v1/cases/%s/reopen" % cid, {}, as_user="supervisor")
            self.assertEqual(st, 422, v)
        v = self.move(cid, "reopen", "supervisor", 200)
        self.assertEqual((v["status"], v["assigned_to"]), ("open", self.cw1))
        tl = self.status(cid)["timeline"]
        self.assertEqual([e["kind"] for e in tl],
                         ["reported", "assigned", "closure_requested", "closed", "reopened"])
        self.assertEqual(tl[-1]["text"], "Testreason: she came back")
        self.assertEqual(tl[2]["detail"], "services_completed")
        # Reasons are sealed: never in the file as text.
        self.assertNotIn(b"Testreason", self.srv.file_bytes())

    def test_out_of_reach_and_unknown_cases_are_404(self):
        for move in MOVES:
            with self.subTest(move=move), self.assertWritesNothing():
                self.move("zzzzzzzzzzzzzzzzzzzz", move, "supervisor", 404)

    def test_moves_are_audited(self):
        cid = self.new_case("closed")
        actions = [r[0] for r in self.srv.rows(
            "SELECT action FROM audit WHERE record_id = ? ORDER BY seq", (cid,))]
        for a in ("create", "assign", "update", "close"):
            self.assertIn(a, actions)

    # ---- intake and assessment ----

    def test_patch_merges_the_survivor_and_bumps_the_version(self):
        cid = self.new_case("open")
        v0 = self.status(cid)
        body = {"version": v0["version"], "risk": "high", "urgent": True,
                "survivor": {"phone": "012 345 678", "marital_status": "single",
                             "dependants": 2, "occupation": "Testoccupation farmer",
                             "disability": False, "nationality": "KH",
                             "migration": {"countries": ["TH"], "years": 2,
                                           "channel": "irregular", "sector": "fishing"},
                             "birth_date": "2008-02-29"}}
        st, _, v = self.req("PATCH", "/api/v1/cases/" + cid, body, as_user="caseworker1")
        self.assertEqual(st, 200, v)
        self.assertEqual(v["version"], v0["version"] + 1)
        s = v["survivor"]
        self.assertEqual(s["name_latn"], "Casework Testsurvivor", "unsent fields are kept")
        self.assertEqual(s["birth_date"], "2008-02-29")
        self.assertEqual(s["dependants"], 2)
        self.assertEqual(s["migration"]["countries"], ["TH"])
        self.assertEqual((v["risk"], v["urgent"]), ("high", True))
        # birth_date replaced the age; null clears; age replaces birth_date.
        st, _, v = self.req("PATCH", "/api/v1/cases/" + cid,
                            {"version": v["version"], "survivor": {"phone": None, "age": 30}},
                            as_user="caseworker1")
        self.assertEqual(st, 200, v)
        self.assertNotIn("phone", v["survivor"])
        self.assertNotIn("birth_date", v["survivor"])
        self.assertEqual(v["survivor"]["age"], 30)
        self.assertNotIn(b"Testoccupation", self.srv.file_bytes())

    def test_stale_version_is_409_and_writes_nothing(self):
        cid = self.new_case("open")
        v0 = self.status(cid)
        st, _, v = self.req("PATCH", "/api/v1/cases/" + cid,
                            {"version": v0["version"], "risk": "low"}, as_user="caseworker1")
        self.assertEqual(st, 200, v)
        with self.assertWritesNothing():
            st, _, v = self.req("PATCH", "/api/v1/cases/" + cid,
                                {"version": v0["version"], "risk": "high"}, as_user="supervisor")
            self.assertEqual(st, 409, v)
        self.assertErrorShape(v, "conflict")
        self.assertEqual(self.status(cid)["risk"], "low", "the first write is not overwritten")

    def test_patch_refusals(self):
        cid = self.new_case("open")
        ver = self.status(cid)["version"]
        for field, body in (("version", {"risk": "low"}),
                            ("risk", {"version": ver, "risk": "extreme"}),
                            ("survivor.sex", {"version": ver, "survivor": {"sex": None}}),
                            ("survivor.age", {"version": ver, "survivor": {"age": 121}}),
                            ("survivor.age", {"version": ver,
                                              "survivor": {"age": 3, "birth_date": "2001-01-01"}}),
                            ("survivor.nationality", {"version": ver,
                                                      "survivor": {"nationality": "Cambodia"}}),
                            ("survivor.migration.countries",
                             {"version": ver, "survivor": {"migration": {"countries": []}}}),
                            ("concerns", {"version": ver, "concerns": []})):
            with self.subTest(field=field), self.assertWritesNothing():
                st, _, v = self.req("PATCH", "/api/v1/cases/" + cid, body, as_user="caseworker1")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", [field])
        for user in STAFF_ONLY:
            with self.subTest(user=user), self.assertWritesNothing():
                st, _, v = self.req("PATCH", "/api/v1/cases/" + cid,
                                    {"version": ver, "risk": "low"}, as_user=user)
                self.assertIn(st, (403, 404), v)

    def test_closed_case_refuses_intake_changes(self):
        cid = self.new_case("closed")
        ver = self.status(cid)["version"]
        with self.assertWritesNothing():
            st, _, v = self.req("PATCH", "/api/v1/cases/" + cid, {"version": ver, "risk": "low"},
                                as_user="supervisor")
        self.assertEqual(st, 409, v)

    # ---- notes ----

    def test_notes_are_append_only_and_sealed(self):
        cid = self.new_case("open")
        st, _, n1 = self.req("POST", "/api/v1/cases/%s/notes" % cid,
                             {"body": "Testnote: she called on Monday"}, as_user="caseworker1")
        self.assertEqual(st, 201, n1)
        st, _, n2 = self.req("POST", "/api/v1/cases/%s/notes" % cid,
                             {"body": "Testnote: it was Tuesday", "corrects": n1["id"]},
                             as_user="caseworker1")
        self.assertEqual(st, 201, n2)
        self.assertEqual(n2["corrects"], n1["id"])
        st, _, lst = self.req("GET", "/api/v1/cases/%s/notes" % cid, as_user="supervisor")
        self.assertEqual([n["id"] for n in lst["items"]], [n1["id"], n2["id"]])
        self.assertNotIn(b"Testnote", self.srv.file_bytes())
        for method in ("PUT", "PATCH", "DELETE"):
            with self.subTest(method=method):
                st, _, _ = self.req(method, "/api/v1/cases/%s/notes" % cid, {"body": "x"},
                                    as_user="caseworker1")
                self.assertEqual(st, 405)

    def test_note_refusals(self):
        cid = self.new_case("open")
        other = self.new_case("open")
        st, _, n_other = self.req("POST", "/api/v1/cases/%s/notes" % other,
                                  {"body": "Testnote other"}, as_user="supervisor")
        self.assertEqual(st, 201)
        for field, body in (("body", {}), ("body", {"body": "   "}),
                            ("body", {"body": "x" * 8001}),
                            ("corrects", {"body": "Testnote", "corrects": n_other["id"]})):
            with self.subTest(field=field), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/notes" % cid, body,
                                    as_user="caseworker1")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", [field])
        for user in STAFF_ONLY:
            with self.subTest(user=user), self.assertWritesNothing():
                st, _, _ = self.req("POST", "/api/v1/cases/%s/notes" % cid, {"body": "Testnote"},
                                    as_user=user)
                self.assertEqual(st, 403)
        with self.assertWritesNothing():
            st, _, _ = self.req("POST", "/api/v1/cases/%s/notes" % cid, {"body": "Testnote"},
                                as_user="caseworker2")
            self.assertEqual(st, 404)

    # ---- tasks ----

    def test_tasks_overdue_lists(self):
        cid = self.new_case("open")  # caseworker1's
        yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
        tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
        st, _, late = self.req("POST", "/api/v1/cases/%s/tasks" % cid,
                               {"title": "Testtask: call her", "due_on": yesterday},
                               as_user="caseworker1")
        self.assertEqual(st, 201, late)
        self.assertTrue(late["overdue"])
        st, _, soon = self.req("POST", "/api/v1/cases/%s/tasks" % cid,
                               {"title": "Testtask: visit", "due_on": tomorrow},
                               as_user="caseworker1")
        self.assertEqual(st, 201, soon)
        self.assertFalse(soon["overdue"])

        def overdue_ids(user):
            st, _, v = self.req("GET", "/api/v1/tasks?overdue=true", as_user=user)
            self.assertEqual(st, 200, v)
            return [t["id"] for t in v["items"]]
        self.assertIn(late["id"], overdue_ids("caseworker1"))
        self.assertNotIn(soon["id"], overdue_ids("caseworker1"))
        self.assertIn(late["id"], overdue_ids("supervisor"))
        self.assertNotIn(late["id"], overdue_ids("caseworker2"))
        st, _, v = self.req("GET", "/api/v1/cases?overdue=true&limit=500", as_user="caseworker1")
        self.assertIn(cid, [c["id"] for c in v["items"]])
        # Done: off the lists; a stale version is 409.
        st, _, d = self.req("PATCH", "/api/v1/tasks/" + late["id"],
                            {"version": late["version"], "done": True}, as_user="caseworker1")
        self.assertEqual(st, 200, d)
        self.assertTrue(d["done"])
        self.assertNotIn(late["id"], overdue_ids("caseworker1"))
        with self.assertWritesNothing():
            st, _, v = self.req("PATCH", "/api/v1/tasks/" + late["id"],
                                {"version": late["version"], "done": False},
                                as_user="caseworker1")
            self.assertEqual(st, 409, v)
        self.assertNotIn(b"Testtask", self.srv.file_bytes())
        for user in ("member1", "admin", "counsel"):
            st, _, _ = self.req("GET", "/api/v1/tasks?overdue=true", as_user=user)
            self.assertEqual(st, 403)

    def test_task_refusals(self):
        cid = self.new_case("open")
        for field, body in (("title", {"due_on": "2030-01-01"}),
                            ("due_on", {"title": "Testtask"}),
                            ("due_on", {"title": "Testtask", "due_on": "2030-02-30"}),
                            ("assigned_to", {"title": "Testtask", "due_on": "2030-01-01",
                                             "assigned_to": self.srv.user("member1")["id"]})):
            with self.subTest(field=field), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/tasks" % cid, body,
                                    as_user="caseworker1")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", [field])
        closed = self.new_case("closed")
        with self.assertWritesNothing():
            st, _, _ = self.req("POST", "/api/v1/cases/%s/tasks" % closed,
                                {"title": "Testtask", "due_on": "2030-01-01"},
                                as_user="supervisor")
            self.assertEqual(st, 409)

    # ---- lists and the supervisor's queue ----

    def test_list_filters(self):
        cid = self.new_case("open")
        ver = self.status(cid)["version"]
        self.req("PATCH", "/api/v1/cases/" + cid, {"version": ver, "risk": "high", "urgent": True},
                 as_user="caseworker1")
        items = self.list_all("/api/v1/cases?risk=high&urgent=true&assigned_to=" + self.cw1,
                              "supervisor")
        self.assertIn(cid, [c["id"] for c in items])
        self.assertTrue(all(c["risk"] == "high" and c["urgent"] for c in items))
        items = self.list_all("/api/v1/cases?urgent=false", "supervisor")
        self.assertNotIn(cid, [c["id"] for c in items])
        for q in ("risk=extreme", "urgent=yes", "overdue=1", "assigned_to=Not-An-Id"):
            with self.subTest(q=q):
                st, _, v = self.req("GET", "/api/v1/cases?" + q, as_user="supervisor")
                self.assertEqual(st, 422, v)

    # ---- history: who saw and changed the case ----

    def test_history_lists_who_saw_and_changed_the_case(self):
        cid = self.new_case("open")
        st, _, n = self.req("POST", "/api/v1/cases/%s/notes" % cid, {"body": "Testnote history"},
                            as_user="caseworker1")
        self.assertEqual(st, 201)
        self.req("GET", "/api/v1/cases/" + cid, as_user="caseworker1")
        st, _, h = self.req("GET", "/api/v1/cases/%s/history" % cid, as_user="supervisor")
        self.assertEqual(st, 200, h)
        seen = [(e["action"], e["record_type"], e["user"]) for e in h["items"]]
        self.assertIn(("create", "case", self.srv.user("rep1")["id"]), seen)
        self.assertIn(("assign", "case", self.sup), seen)
        self.assertIn(("note", "note", self.cw1), seen)
        self.assertIn(("read", "case", self.cw1), seen)
        ats = [e["at"] for e in h["items"]]
        self.assertEqual(ats, sorted(ats), "in the log's order")
        # Reading the history is recorded too.
        st, _, h2 = self.req("GET", "/api/v1/cases/%s/history" % cid, as_user="supervisor")
        self.assertIn(("read", "case", self.sup, "history"),
                      [(e["action"], e["record_type"], e["user"], e["detail"]) for e in h2["items"]])
        for user in ("caseworker1", "member1", "rep1", "admin", "analyst", "counsel"):
            with self.subTest(user=user):
                st, _, _ = self.req("GET", "/api/v1/cases/%s/history" % cid, as_user=user)
                self.assertEqual(st, 403)
        st, _, _ = self.req("GET", "/api/v1/cases/zzzzzzzzzzzzzzzzzzzz/history", as_user="supervisor")
        self.assertEqual(st, 404)

    def test_a_closed_case_takes_notes_but_no_other_record(self):
        from test_incidents import incident
        cid = self.new_case("closed")
        for path, body in (("incidents", incident()),
                           ("screenings", {"adult": True, "indicators": []}),
                           ("tasks", {"title": "Testtask", "due_on": "2030-01-01"})):
            with self.subTest(path=path), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/%s" % (cid, path), body,
                                    as_user="supervisor")
                self.assertEqual(st, 409, v)
                self.assertErrorShape(v, "conflict")
        st, _, v = self.req("POST", "/api/v1/cases/%s/notes" % cid,
                            {"body": "Testnote after closure"}, as_user="supervisor")
        self.assertEqual(st, 201, v)
