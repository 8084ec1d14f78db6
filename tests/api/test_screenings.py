"""Screening (DOMAIN.md §2, API.md `POST /api/v1/cases/{id}/screenings`):
the answer's dimensions and result for adults and children, screening again
keeps the history, the checklist from data, and every refusal writes nothing.

Expected verdicts are worked out here from DOMAIN.md's rule, with codes as
they stand in data/ilo_trafficking_indicators.csv."""

from cbpnserver import ServerTestCase

SCREENING_KEYS = {"id", "adult", "indicators", "dimensions", "forced_labour_indicators",
                  "result", "created_by", "created_at"}
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"

# A: 1 strong + 1 medium; D: 1 strong + 1 medium; E: 2 strong; two forced-labour codes.
RECRUITED = ["a_deceived_nature_of_job", "a_deceived_wages"]
EXPLOITED = ["d_excessive_hours", "d_low_or_no_salary"]
COERCED = ["e_confiscation_of_documents", "e_debt_bondage"]
FORCED = ["fl_retention_of_documents", "fl_debt_bondage"]
# one short of each: A 1 strong; D 1 medium + 1 weak; E 1 weak; F 2 weak
SHORT = ["b_abduction_sale", "b_debt_bondage",                       # B: 2 medium
         "f_difficulties_in_past", "f_personal_characteristics"]      # F: 2 weak

NOT_CASE_STAFF = ("member1", "rep1", "counsel", "analyst", "admin")


def case_body(survivor):
    return {"location_code": "17071001", "concerns": ["trafficking"],
            "summary": "Screening test case.", "survivor": survivor,
            "consent_to_contact": True, "urgent": False}


class ScreeningsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv

        def report(survivor):
            st, _, v = srv.post("/api/v1/cases", case_body(survivor), token=srv.login("caseworker1"))
            if st != 201:
                raise AssertionError("setUp: could not report a case: %s %r" % (st, v))
            return v["id"]

        cls.adult_case = report({"sex": "female", "age": 30})
        cls.child_case = report({"sex": "female", "age": 16})
        cls.unknown_case = report({"sex": "female"})
        cls.history_case = report({"sex": "male", "age": 41})
        cls.refusal_case = report({"sex": "female", "age": 25})

    def path(self, cid):
        return "/api/v1/cases/%s/screenings" % cid

    def screen(self, cid, body, user="caseworker1"):
        return self.req("POST", self.path(cid), body, as_user=user)

    def screen_ok(self, cid, body, user="caseworker1"):
        st, _, v = self.screen(cid, body, user)
        self.assertEqual(st, 201, v)
        self.assertEqual(set(v), SCREENING_KEYS)
        return v

    # ---- the answer ----

    def test_adult_with_recruitment_exploitation_and_coercion_is_presumed_trafficked(self):
        sent = RECRUITED + EXPLOITED + COERCED + FORCED + SHORT
        v = self.screen_ok(self.adult_case, {"adult": True, "indicators": sent})
        self.assertIs(v["adult"], True)
        self.assertEqual(v["dimensions"], {"A": True, "B": False, "C": False, "D": True,
                                           "E": True, "F": False})
        self.assertEqual(v["result"], "presumed_trafficking")
        self.assertEqual(sorted(v["forced_labour_indicators"]), sorted(FORCED))
        self.assertEqual(sorted(v["indicators"]), sorted(sent))
        self.assertEqual(v["created_by"], self.srv.user("caseworker1")["id"])
        self.assertRegex(v["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

    def test_adult_without_the_means_is_exploitation_without_trafficking_indicators(self):
        v = self.screen_ok(self.adult_case,
                           {"adult": True, "indicators": RECRUITED + EXPLOITED + SHORT},
                           user="supervisor")
        self.assertEqual(v["dimensions"], {"A": True, "B": False, "C": False, "D": True,
                                           "E": False, "F": False})
        self.assertEqual(v["result"], "exploitation_without_trafficking_indicators")
        self.assertEqual(v["forced_labour_indicators"], [])

    def test_child_is_presumed_trafficked_without_the_means(self):
        v = self.screen_ok(self.child_case, {"adult": False, "indicators": RECRUITED + EXPLOITED})
        self.assertIs(v["adult"], False)
        self.assertEqual(v["dimensions"], {"A": True, "B": False, "C": False, "D": True,
                                           "E": False, "F": False})
        self.assertEqual(v["result"], "presumed_trafficking")

    def test_one_short_in_exploitation_is_insufficient(self):
        # D: 1 medium + 1 weak is not present; A and E are.
        v = self.screen_ok(self.child_case, {"adult": False, "indicators":
                                             RECRUITED + COERCED
                                             + ["d_low_or_no_salary", "d_no_access_education"]})
        self.assertFalse(v["dimensions"]["D"])
        self.assertEqual(v["result"], "insufficient_indicators")

    def test_forced_labour_only_and_nothing_ticked(self):
        v = self.screen_ok(self.unknown_case, {"adult": True, "indicators": FORCED})
        self.assertEqual(v["result"], "insufficient_indicators")
        self.assertEqual(sorted(v["forced_labour_indicators"]), sorted(FORCED))
        self.assertEqual(set(v["dimensions"].values()), {False})
        v = self.screen_ok(self.unknown_case, {"adult": False})
        self.assertEqual(v["indicators"], [])
        self.assertEqual(v["result"], "insufficient_indicators")

    def test_unknown_age_accepts_adult_or_child(self):
        for adult in (True, False):
            with self.subTest(adult=adult):
                v = self.screen_ok(self.unknown_case, {"adult": adult, "indicators": EXPLOITED})
                self.assertIs(v["adult"], adult)
                self.assertEqual(v["result"], "exploitation_without_trafficking_indicators")

    # ---- screening again ----

    def test_screening_again_keeps_the_history_and_the_case_version(self):
        cid = self.history_case
        st, _, before = self.req("GET", "/api/v1/cases/" + cid, as_user="supervisor")
        self.assertEqual(st, 200, before)
        first = self.screen_ok(cid, {"adult": True, "indicators": EXPLOITED})
        second = self.screen_ok(cid, {"adult": True,
                                      "indicators": RECRUITED + EXPLOITED + COERCED},
                                user="supervisor")
        self.assertNotEqual(first["id"], second["id"])
        st, _, v = self.req("GET", self.path(cid), as_user="caseworker2")
        self.assertEqual(st, 200, v)
        self.assertIsNone(v["next_cursor"])
        self.assertEqual([s["id"] for s in v["items"]], [first["id"], second["id"]])
        self.assertEqual(v["items"][0], first)
        self.assertEqual(v["items"][1], second)
        self.assertEqual([s["result"] for s in v["items"]],
                         ["exploitation_without_trafficking_indicators", "presumed_trafficking"])
        st, _, after = self.req("GET", "/api/v1/cases/" + cid, as_user="supervisor")
        self.assertEqual(after["version"], before["version"])
        self.assertEqual(self.srv.count("screening", "WHERE case_id = ?", (cid,)), 2)
        self.assertEqual(self.srv.count("case_event", "WHERE case_id = ? AND kind = 'screening'",
                                        (cid,)), 2)

    def test_a_case_never_screened_lists_nothing(self):
        st, _, v = self.req("GET", self.path(self.refusal_case), as_user="supervisor")
        self.assertEqual(st, 200, v)
        self.assertEqual(v, {"items": [], "next_cursor": None})

    # ---- the checklist ----

    def test_checklist_has_every_indicator_from_data(self):
        for user in ("caseworker1", "supervisor"):
            with self.subTest(user=user):
                st, _, v = self.req("GET", "/api/v1/screening-indicators", as_user=user)
                self.assertEqual(st, 200, v)
                traff, forced = v["trafficking"], v["forced_labour"]
                self.assertEqual(len(traff), 67)
                self.assertEqual(len(forced), 11)
                per_dim = {}
                for it in traff:
                    per_dim[it["dimension"]] = per_dim.get(it["dimension"], 0) + 1
                    self.assertIn(it["strength"], ("S", "M", "W"))
                self.assertEqual(per_dim, {"A": 10, "B": 10, "C": 16, "D": 9, "E": 15, "F": 7})
                labels = {it["code"]: it["label_en"] for it in traff}
                self.assertEqual(labels["b_abduction_sale"],
                                 "Abduction, forced marriage, forced adoption or selling of "
                                 "the person")
                codes = {it["code"] for it in forced}
                self.assertIn("fl_excessive_overtime", codes)
                methods = {it["code"]: it["htcds_methods_of_control"] for it in forced}
                self.assertEqual(methods["fl_intimidation_threats"],
                                 ["Threats", "ThreatOfLawEnforcement", "PsychologicalAbuse"])
                self.assertEqual(methods["fl_abuse_of_vulnerability"], [])
                self.assertIn({"strong": 2, "medium": 0, "weak": 0}, v["dimension_rule"])

    def test_every_checklist_code_is_accepted(self):
        st, _, v = self.req("GET", "/api/v1/screening-indicators", as_user="caseworker1")
        every = [it["code"] for it in v["trafficking"] + v["forced_labour"]]
        s = self.screen_ok(self.unknown_case, {"adult": True, "indicators": every})
        self.assertEqual(s["result"], "presumed_trafficking")
        self.assertEqual(set(s["dimensions"].values()), {True})
        self.assertEqual(len(s["forced_labour_indicators"]), 11)

    def test_checklist_is_for_case_staff(self):
        for user in NOT_CASE_STAFF:
            with self.subTest(user=user):
                with self.assertWritesNothing(alive=False):
                    a = self.req("GET", "/api/v1/screening-indicators", as_user=user)
                self.assertError(a, 403, "forbidden")
        self.assertError(self.req("GET", "/api/v1/screening-indicators"), 401)

    # ---- refusals: nothing written ----

    def assertRefused(self, body, status, fields=(), cid=None, user="caseworker1", **kw):
        cid = cid or self.refusal_case
        with self.assertWritesNothing():
            a = self.req("POST", self.path(cid), body, as_user=user, **kw)
        self.assertError(a, status, "validation_failed" if status == 422 else None,
                         fields=list(fields))
        return a

    def test_unknown_or_repeated_codes_are_422(self):
        for codes in (["a_not_a_code"], ["A"], ["fl_unknown"], ["A_DECEIVED_NATURE_OF_JOB"],
                      [""], EXPLOITED + ["d_excessive_hours"], [1], [None], "d_excessive_hours",
                      {"d_excessive_hours": True}):
            with self.subTest(indicators=codes):
                self.assertRefused({"adult": True, "indicators": codes}, 422, ["indicators"])

    def test_more_codes_than_the_catalog_holds_is_422(self):
        st, _, v = self.req("GET", "/api/v1/screening-indicators", as_user="caseworker1")
        every = [it["code"] for it in v["trafficking"] + v["forced_labour"]]
        self.assertRefused({"adult": True, "indicators": every + every}, 422, ["indicators"])

    def test_missing_or_mistyped_adult_is_422(self):
        for body in ({"indicators": EXPLOITED}, {}, {"adult": None}, {"adult": "true"},
                     {"adult": 1, "indicators": []}):
            with self.subTest(body=body):
                self.assertRefused(body, 422, ["adult"])

    def test_adult_contradicting_a_known_age_is_422(self):
        self.assertRefused({"adult": True, "indicators": RECRUITED + EXPLOITED},
                           422, ["adult"], cid=self.child_case)
        self.assertRefused({"adult": False, "indicators": RECRUITED + EXPLOITED},
                           422, ["adult"], cid=self.adult_case)

    def test_roles_without_case_work_are_403(self):
        for user in NOT_CASE_STAFF:
            with self.subTest(user=user):
                self.assertRefused({"adult": True, "indicators": EXPLOITED}, 403, user=user)
                with self.assertWritesNothing():
                    a = self.req("GET", self.path(self.adult_case), as_user=user)
                self.assertError(a, 403, "forbidden")

    def test_no_such_case_is_404(self):
        for cid in (NOWHERE, "not-an-id"):
            with self.subTest(case=cid):
                self.assertRefused({"adult": True, "indicators": EXPLOITED}, 404, cid=cid)
                with self.assertWritesNothing():
                    a = self.req("GET", self.path(cid), as_user="supervisor")
                self.assertError(a, 404, "not_found")
        # reach first: an unknown case with a bad body is still 404
        self.assertRefused({"indicators": ["nope"]}, 404, cid=NOWHERE)

    def test_unauthenticated_is_401(self):
        with self.assertWritesNothing():
            a = self.req("POST", self.path(self.refusal_case), {"adult": True})
        self.assertError(a, 401)
        self.assertError(self.req("GET", self.path(self.refusal_case)), 401)

    def test_malformed_bodies_are_refused(self):
        self.assertRefused({"adult": True}, 415, content_type="text/plain")
        with self.assertWritesNothing():
            st, _, v = self.req("POST", self.path(self.refusal_case), raw=b"{\"adult\": tru",
                                as_user="caseworker1")
        self.assertEqual(st, 400, v)
        self.assertErrorShape(v, "bad_request")
        for raw in (b"[]", b"true", b"null"):
            with self.subTest(body=raw):
                with self.assertWritesNothing():
                    st, _, v = self.req("POST", self.path(self.refusal_case), raw=raw,
                                        as_user="caseworker1")
                self.assertIn(st, (400, 422), v)
                self.assertErrorShape(v)

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_tokens(self):
        self.check_log_has_no_secrets()
