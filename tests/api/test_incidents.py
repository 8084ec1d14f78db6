"""Incidents of a case (API.md `POST /api/v1/cases/{id}/incidents`, DOMAIN.md §1):
the computed GBVIMS type and context flags, every refusal writing nothing,
who may record and read, the description encrypted at rest, the timeline
step and the audit entry."""

import datetime

from cbpnserver import ServerTestCase

NOWHERE = "zzzzzzzzzzzzzzzzzzzz"
ACTS = ("penetration", "sexual_contact", "physical_assault", "forced_marriage",
        "denial_of_resources", "psychological_abuse")
# DOMAIN.md §1: the type decided by the first "yes", in this order.
TYPES = ("rape", "sexual_assault", "physical_assault", "forced_marriage",
         "denial_of_resources", "psychological_abuse")
DESCRIPTION = "Held in a room above the karaoke bar by Testbroker Sokun. Testdesc-I."


def acts(*yes):
    return {a: a in yes for a in ACTS}


def incident(**over):
    body = {"date": "2024-05-10", "reported_on": "2024-05-14", "time_of_day": "evening_night",
            "location_type": "workplace", "location": "17071001",
            "migration_stage": "not_migration_related", "acts": acts("physical_assault"),
            "goods_or_money_exchanged": False, "abduction": "none", "reported_elsewhere": "no",
            "perpetrators": [{"sex": "male", "age_group": "26_40", "relationship": "stranger"}]}
    body.update(over)
    return body


def day(offset):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=offset)).isoformat()


class IncidentsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv

        def report(user, survivor):
            body = {"location_code": "17071001", "concerns": ["sexual_violence"],
                    "survivor": survivor, "consent_to_contact": True, "urgent": False}
            st, _, v = srv.post("/api/v1/cases", body, token=srv.login(user))
            if st != 201:
                raise AssertionError("setUp: %s could not report: %s %r" % (user, st, v))
            return v["id"]

        # A girl born 2008-03-10: 16 in May 2024; an adult woman; cases
        # assigned to caseworker2 and closed.
        cls.child = report("caseworker1", {"sex": "female", "birth_date": "2008-03-10"})
        cls.adult = report("supervisor", {"sex": "female", "age": 34})
        cls.theirs = report("supervisor", {"sex": "female", "age": 25})
        cls.closed = report("supervisor", {"sex": "female", "age": 25})
        # Through the workflow: theirs assigned to caseworker2; closed asked
        # for by her and closed by the supervisor.
        cw2 = srv.user("caseworker2")["id"]

        def move(user, cid, path, body):
            st, _, v = srv.post("/api/v1/cases/%s/%s" % (cid, path), body, token=srv.login(user))
            if st != 200:
                raise AssertionError("setUp: %s %s: %s %r" % (user, path, st, v))
        for cid in (cls.theirs, cls.closed):
            move("supervisor", cid, "assign", {"caseworker_id": cw2})
        move("caseworker2", cls.closed, "closure", {"reason_code": "services_completed"})
        move("supervisor", cls.closed, "closure/approve", {})
        srv.secrets.update(["Testbroker", "Testdesc", "karaoke"])

    def add(self, case_id, body, user="caseworker1", **kw):
        return self.req("POST", "/api/v1/cases/%s/incidents" % case_id, body, as_user=user, **kw)

    def add_ok(self, case_id, body, user="caseworker1"):
        st, _, v = self.add(case_id, body, user)
        self.assertEqual(st, 201, v)
        return v

    # ---- recording ----

    def test_caseworker_records_an_incident_201(self):
        st, _, before = self.req("GET", "/api/v1/cases/" + self.child, as_user="caseworker1")
        self.assertEqual(st, 200, before)
        body = incident(acts=acts("penetration", "physical_assault"), description=DESCRIPTION,
                        abduction="trafficked", location="TH", migration_stage="destination",
                        exploitation={"sector": "entertainment", "destination": "TH",
                                      "channel": "irregular"})
        v = self.add_ok(self.child, body)
        for k, sent in body.items():
            self.assertEqual(v[k], sent, k)
        self.assertIsInstance(v["id"], str)
        self.assertEqual(v["gbv_type"], "rape")
        self.assertEqual(sorted(v["context_flags"]),
                         ["child_sexual_abuse", "possible_sexual_slavery"])
        self.assertEqual(v["survivor_age"], 16)
        self.assertRegex(v["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        st, _, after = self.req("GET", "/api/v1/cases/" + self.child, as_user="caseworker1")
        self.assertEqual(after["version"], before["version"], "an incident changed the version")

    def test_supervisor_records_an_incident_201(self):
        v = self.add_ok(self.adult, incident(acts=acts("psychological_abuse")), user="supervisor")
        self.assertEqual(v["gbv_type"], "psychological_abuse")
        self.assertEqual(v["context_flags"], [])
        self.assertEqual(v["created_by"], self.srv.user("supervisor")["id"])

    def test_the_assigned_caseworker_records_on_her_case(self):
        self.add_ok(self.theirs, incident(), user="caseworker2")

    def test_classification_end_to_end(self):
        for yes, want in (((), "non_gbv"),
                          (("psychological_abuse",), "psychological_abuse"),
                          (("denial_of_resources", "psychological_abuse"), "denial_of_resources"),
                          (("sexual_contact", "physical_assault"), "sexual_assault"),
                          (ACTS, "rape"),
                          (("forced_marriage", "denial_of_resources"), "forced_marriage")):
            with self.subTest(yes=yes):
                v = self.add_ok(self.adult, incident(acts=acts(*yes)))
                self.assertEqual(v["gbv_type"], want)
                self.assertEqual(v["acts"], acts(*yes))
        for i, a in enumerate(ACTS):
            with self.subTest(only=a):
                self.assertEqual(self.add_ok(self.adult, incident(acts=acts(a)))["gbv_type"],
                                 TYPES[i])

    def test_context_flags_end_to_end(self):
        partner = [{"sex": "male", "age_group": "26_40", "relationship": "former_partner"}]
        husband = [{"sex": "male", "age_group": "41_60", "relationship": "intimate_partner"}]
        for case, body, want in (
                (self.adult, incident(perpetrators=partner), ["intimate_partner_violence"]),
                (self.adult, incident(acts=acts(), perpetrators=husband), []),  # non_gbv
                (self.adult, incident(acts=acts("sexual_contact"), goods_or_money_exchanged=True),
                 ["possible_sexual_exploitation"]),
                (self.adult, incident(acts=acts("physical_assault"), goods_or_money_exchanged=True,
                                      abduction="trafficked"), []),
                (self.child, incident(acts=acts("forced_marriage"), perpetrators=husband),
                 ["early_marriage", "intimate_partner_violence"]),
                # 2026-03-10 is her 18th birthday; the day before she is 17.
                (self.child, incident(date="2026-03-09", reported_on="2026-03-09",
                                      acts=acts("sexual_contact")), ["child_sexual_abuse"]),
                (self.child, incident(date="2026-03-10", reported_on="2026-03-10",
                                      acts=acts("sexual_contact")), [])):
            with self.subTest(body=body):
                v = self.add_ok(case, body)
                self.assertEqual(sorted(v["context_flags"]), want)

    def test_list_answers_the_incidents_with_descriptions_oldest_first(self):
        a = self.add_ok(self.adult, incident(description="First. Testdesc-L1"))
        b = self.add_ok(self.adult, incident(acts=acts("penetration")))
        st, _, v = self.req("GET", "/api/v1/cases/%s/incidents" % self.adult, as_user="supervisor")
        self.assertEqual(st, 200, v)
        self.assertIsNone(v["next_cursor"])
        ids = [i["id"] for i in v["items"]]
        self.assertLess(ids.index(a["id"]), ids.index(b["id"]))
        first = v["items"][ids.index(a["id"])]
        self.assertEqual(first["description"], "First. Testdesc-L1")
        self.assertEqual(first, a)

    def test_list_is_audited(self):
        before = self.srv.count("audit", "WHERE action = 'read' AND record_id = ?", (self.child,))
        st, _, v = self.req("GET", "/api/v1/cases/%s/incidents" % self.child, as_user="caseworker1")
        self.assertEqual(st, 200, v)
        after = self.srv.count("audit", "WHERE action = 'read' AND record_id = ?", (self.child,))
        self.assertEqual(after, before + 1)

    def test_timeline_step_and_audit_entry_are_written(self):
        v = self.add_ok(self.adult, incident(acts=acts("sexual_contact")))
        self.assertEqual(self.srv.count(
            "case_event", "WHERE case_id = ? AND kind = 'incident' AND ref_id = ? AND detail = ?",
            (self.adult, v["id"], "sexual_assault")), 1)
        self.assertEqual(self.srv.count(
            "audit", "WHERE action = 'create' AND record_type = 'incident' AND record_id = ?",
            (v["id"],)), 1)

    def test_description_is_not_stored_in_plain_text(self):
        self.add_ok(self.adult, incident(description=DESCRIPTION))
        data = self.srv.file_bytes()
        for s in (DESCRIPTION, "Testbroker", "karaoke"):
            self.assertNotIn(s.encode("utf-8"), data, "%r is stored unencrypted" % s)

    # ---- refusals: nothing written ----

    def assertRefused(self, answer_of, status, code=None, fields=None):
        with self.assertWritesNothing():
            a = answer_of()
        self.assertError(a, status, code, fields)

    def assertInvalid(self, body, field, case=None):
        self.assertRefused(lambda: self.add(case or self.adult, body), 422, "validation_failed",
                           [field])

    def test_each_required_field_missing_is_422(self):
        for field in ("date", "reported_on", "time_of_day", "location_type", "location",
                      "migration_stage", "acts", "goods_or_money_exchanged", "abduction",
                      "reported_elsewhere", "perpetrators"):
            with self.subTest(field=field):
                body = incident()
                del body[field]
                self.assertInvalid(body, field)
                self.assertInvalid(dict(body, **{field: None}), field)
        for a in ACTS:
            with self.subTest(answer=a):
                answers = acts()
                del answers[a]
                self.assertInvalid(incident(acts=answers), "acts." + a)
        for k in ("sex", "age_group", "relationship"):
            with self.subTest(perpetrator=k):
                p = {"sex": "male", "age_group": "26_40", "relationship": "stranger"}
                del p[k]
                self.assertInvalid(incident(perpetrators=[p]), "perpetrators." + k)

    def test_each_bad_code_is_422(self):
        p = {"sex": "male", "age_group": "26_40", "relationship": "stranger"}
        for field, body in (
                ("time_of_day", incident(time_of_day="night")),
                ("location_type", incident(location_type="karaoke")),
                ("migration_stage", incident(migration_stage="abroad")),
                ("abduction", incident(abduction="kidnapped")),
                ("reported_elsewhere", incident(reported_elsewhere="yes")),
                ("perpetrators.sex", incident(perpetrators=[dict(p, sex="man")])),
                ("perpetrators.age_group", incident(perpetrators=[dict(p, age_group="adult")])),
                ("perpetrators.relationship",
                 incident(perpetrators=[dict(p, relationship="husband")])),
                ("exploitation.sector", incident(exploitation={"sector": "mining"})),
                ("exploitation.channel", incident(exploitation={"channel": "boat"})),
                ("exploitation.destination", incident(exploitation={"destination": "Thai"}))):
            with self.subTest(field=field):
                self.assertInvalid(body, field)

    def test_wrong_types_are_422(self):
        for field, body in (("acts.penetration", incident(acts=dict(acts(), penetration="no"))),
                            ("acts", incident(acts=[True] * 6)),
                            ("goods_or_money_exchanged", incident(goods_or_money_exchanged=0)),
                            ("perpetrators", incident(perpetrators={"sex": "male"})),
                            ("date", incident(date=20240510)),
                            ("description", incident(description=["text"]))):
            with self.subTest(field=field):
                self.assertInvalid(body, field)

    def test_dates_are_422(self):
        for field, over in (("date", {"date": "2024-02-30"}),
                            ("date", {"date": day(3), "reported_on": day(3)}),
                            ("reported_on", {"reported_on": day(3)}),
                            ("reported_on", {"date": "2024-05-10", "reported_on": "2024-05-09"})):
            with self.subTest(over=over):
                self.assertInvalid(incident(**over), field)

    def test_unknown_place_is_422(self):
        for loc in ("99999999", "KH", "th", "Thailand", "17071001' OR 1=1--"):
            with self.subTest(location=loc):
                self.assertInvalid(incident(location=loc), "location")

    def test_more_than_10_perpetrators_is_422(self):
        p = {"sex": "male", "age_group": "unknown", "relationship": "unknown"}
        self.assertInvalid(incident(perpetrators=[p] * 11), "perpetrators")
        self.add_ok(self.adult, incident(perpetrators=[p] * 10))
        self.add_ok(self.adult, incident(perpetrators=[]))

    def test_description_over_4000_characters_is_422(self):
        self.assertInvalid(incident(description="ក" * 4001), "description")

    def test_roles_that_may_not_record_get_403(self):
        for name in ("member1", "rep1", "analyst", "admin", "counsel"):
            with self.subTest(user=name):
                self.assertRefused(lambda: self.add(self.adult, incident(), user=name), 403)
                self.assertRefused(lambda: self.add(NOWHERE, incident(), user=name), 403)
                self.assertRefused(lambda: self.req(
                    "GET", "/api/v1/cases/%s/incidents" % self.adult, as_user=name), 403)

    def test_out_of_reach_or_missing_case_is_404(self):
        for case, user in ((self.theirs, "caseworker1"), (NOWHERE, "caseworker1"),
                           (NOWHERE, "supervisor"), ("..%2F..%2Fetc", "supervisor")):
            with self.subTest(case=case, user=user):
                self.assertRefused(lambda: self.add(case, incident(), user=user), 404)
                # A bad body does not tell whether the case exists.
                self.assertRefused(lambda: self.add(case, {"date": "x"}, user=user), 404)
        self.assertRefused(lambda: self.req(
            "GET", "/api/v1/cases/%s/incidents" % self.theirs, as_user="caseworker1"), 404)

    def test_closed_case_is_409(self):
        self.assertRefused(lambda: self.add(self.closed, incident(), user="supervisor"), 409,
                           "conflict")
        st, _, v = self.req("GET", "/api/v1/cases/%s/incidents" % self.closed,
                            as_user="supervisor")
        self.assertEqual(st, 200, v)

    def test_malformed_json_is_400(self):
        for raw in (b"{\"date\": ", b"{\"date\": \"2024-05-10\",}", b"\xff\xfe"):
            with self.subTest(raw=raw):
                self.assertRefused(lambda: self.add(self.adult, None, raw=raw), 400,
                                   "bad_request")

    def test_other_media_type_is_415(self):
        self.assertRefused(lambda: self.add(self.adult, incident(), content_type="text/plain"),
                           415, "unsupported_media_type")

    def test_body_not_an_object_is_422(self):
        self.assertRefused(lambda: self.add(self.adult, [incident()]), 422, "validation_failed")

    # ---- last ----

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_survivor_data_or_tokens(self):
        self.check_log_has_no_secrets()
