"""Cases: reporting a concern, who sees which case and which of its fields,
validation, ordering, paging and filters."""

import re

from cbpnserver import ServerTestCase

CODE_RE = re.compile(r"^[A-Z]{3}-\d{4}-\d{4}$")
LIMITED_KEYS = {"id", "code", "status", "concerns", "created_at", "updated_at"}
PERSONAL_KEYS = {"survivor", "summary", "location_code", "phone", "name_km", "name_latn",
                 "address_text", "birth_date", "risk", "assigned_to", "possible_duplicates"}
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"

SURVIVOR_A = {"name_km": "ស្រីពៅ ចន្ធី", "name_latn": "Sreypov Chanthy", "phone": "097 555 0101",
              "sex": "female", "age": 24, "age_estimated": True,
              "address_text": "near the Wat Thmei pagoda"}
SUMMARY_A = "Went to Thailand with a broker in March; no contact since. Testsummary-A."


def report(**over):
    body = {"location_code": "17071001", "concerns": ["unsafe_migration"],
            "summary": "A neighbour has not come back from Thailand.",
            "survivor": {"sex": "female"}, "consent_to_contact": True, "urgent": False}
    body.update(over)
    return body


class CasesTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        cls.member1_id = srv.user("member1")["id"]
        cls.member2_id = srv.user("member2")["id"]

        def post(user, body):
            st, _, v = srv.post("/api/v1/cases", body, token=srv.login(user))
            if st != 201:
                raise AssertionError("setUp: %s could not report a case: %s %r" % (user, st, v))
            return v

        cls.a_body = report(survivor=dict(SURVIVOR_A), summary=SUMMARY_A,
                            concerns=["unsafe_migration", "labour_exploitation"])
        cls.A = post("member1", cls.a_body)
        cls.B = post("member2", report(concerns=["domestic_violence"],
                                       survivor={"sex": "female", "name_latn": "Dara Testb"},
                                       summary="Testsummary-B"))
        cls.U = post("caseworker1", report(urgent=True, concerns=["trafficking"],
                                           survivor={"sex": "female", "age": 16},
                                           summary="Testsummary-U"))
        srv.secrets.update([SURVIVOR_A["name_latn"], SURVIVOR_A["name_km"], SURVIVOR_A["phone"],
                            "Sreypov", "Chanthy", "Dara Testb", "Testsummary",
                            SURVIVOR_A["address_text"]])

    def get_case(self, user, cid):
        return self.req("GET", "/api/v1/cases/" + cid, as_user=user)

    # ---- reporting ----

    def test_member_reports_a_concern_201_reported_with_a_code(self):
        a = self.A
        self.assertIsInstance(a["id"], str)
        self.assertEqual(a["status"], "reported")
        self.assertRegex(a["code"], CODE_RE)
        self.assertEqual(sorted(a["concerns"]), ["labour_exploitation", "unsafe_migration"])

    def test_create_answer_names_the_reporter(self):
        """API.md: POST /cases answers 201 case with ... and `reported_by`."""
        self.assertIn("reported_by", self.A, "the answer to member1 lacks reported_by")
        self.assertEqual(self.A["reported_by"], self.member1_id)
        self.assertEqual(self.U["reported_by"], self.srv.user("caseworker1")["id"])

    def test_reporter_is_recorded(self):
        st, _, v = self.get_case("supervisor", self.A["id"])
        self.assertEqual(st, 200, v)
        self.assertEqual(v["reported_by"], self.member1_id)

    def test_case_code_contains_no_part_of_the_survivor_name(self):
        code = self.A["code"].upper()
        for word in SURVIVOR_A["name_latn"].upper().split():
            for i in range(len(word) - 2):
                self.assertNotIn(word[i:i + 3], code)
        self.assertTrue(all(ord(ch) < 128 for ch in code))

    def test_case_codes_are_unique(self):
        self.assertEqual(len({self.A["code"], self.B["code"], self.U["code"]}), 3)

    def test_code_prefix_is_the_district(self):
        # both cases are in Puok district: same prefix, current year
        self.assertEqual(self.A["code"][:8], self.U["code"][:8])

    def test_member_answer_has_no_possible_duplicates(self):
        st, _, v = self.req("POST", "/api/v1/cases", report(survivor=dict(SURVIVOR_A)),
                            as_user="member1")
        self.assertEqual(st, 201, v)
        self.assertNotIn("possible_duplicates", v, "a member learns of other cases")

    def test_caseworker_is_told_of_a_possible_duplicate(self):
        surv = dict(SURVIVOR_A, name_latn="Srey Pov Chanthy")
        st, _, v = self.req("POST", "/api/v1/cases", report(survivor=surv), as_user="caseworker1")
        self.assertEqual(st, 201, v)
        self.assertIn("possible_duplicates", v)
        dups = v["possible_duplicates"]
        self.assertIn(self.A["id"], [d["id"] for d in dups])
        for d in dups:
            self.assertEqual(set(d), {"id", "code", "score"})

    def test_possible_duplicates_are_scored_best_first_and_never_the_new_case(self):
        surv = dict(SURVIVOR_A, name_latn="Sreypov Chanthi", name_km=None, phone=None)
        surv = {k: v for k, v in surv.items() if v is not None}
        st, _, v = self.req("POST", "/api/v1/cases", report(survivor=surv), as_user="supervisor")
        self.assertEqual(st, 201, v)
        dups = v["possible_duplicates"]
        self.assertLessEqual(len(dups), 5)
        self.assertIn(self.A["id"], [d["id"] for d in dups])
        self.assertNotIn(v["id"], [d["id"] for d in dups])
        scores = [d["score"] for d in dups]
        self.assertEqual(scores, sorted(scores, reverse=True))
        for d in dups:
            self.assertIsInstance(d["score"], (int, float))
            self.assertTrue(0.4 <= d["score"] <= 1, d)

    def test_representative_answer_has_no_possible_duplicates(self):
        st, _, v = self.req("POST", "/api/v1/cases", report(survivor=dict(SURVIVOR_A)),
                            as_user="rep1")
        self.assertEqual(st, 201, v)
        self.assertNotIn("possible_duplicates", v, "a representative learns of other cases")

    def test_no_duplicate_of_another_sex(self):
        surv = dict(SURVIVOR_A, sex="male")
        st, _, v = self.req("POST", "/api/v1/cases", report(survivor=surv), as_user="caseworker2")
        self.assertEqual(st, 201, v)
        self.assertNotIn(self.A["id"], [d["id"] for d in v.get("possible_duplicates", [])])

    # ---- name search ----

    def search(self, user, text):
        from cbpnserver import q
        return {c["id"] for c in self.list_all("/api/v1/cases?q=" + q(text), user)}

    def test_caseworker_finds_a_survivor_by_another_latin_spelling(self):
        self.assertIn(self.A["id"], self.search("caseworker1", "Chanthi"))
        self.assertIn(self.A["id"], self.search("caseworker1", "sreypouv  CHANTHI"))
        self.assertIn(self.B["id"], self.search("supervisor", "Daraa"))

    def test_every_word_of_q_must_match(self):
        found = self.search("supervisor", "Sreypov Testb")
        self.assertNotIn(self.A["id"], found)
        self.assertNotIn(self.B["id"], found)
        self.assertNotIn(self.A["id"], self.search("supervisor", "Dara"))

    def test_caseworker_finds_a_survivor_by_her_khmer_name(self):
        self.assertIn(self.A["id"], self.search("caseworker2", "ចន្ធី"))
        self.assertIn(self.A["id"], self.search("supervisor", "ស្រីពៅ ចន្ធី"))
        self.assertIn(self.A["id"], self.search("supervisor", "ស្រីពៅចន្ធី"))
        self.assertNotIn(self.B["id"], self.search("supervisor", "ចន្ធី"))

    def test_search_answers_cases_with_details_only(self):
        st, _, v = self.req("GET", "/api/v1/cases?q=Chanthy", as_user="caseworker1")
        self.assertEqual(st, 200, v)
        for c in v["items"]:
            self.assertIn("location_code", c)
            self.assertNotIn("possible_duplicates", c)

    def test_roles_that_may_not_see_names_may_not_search_them_403(self):
        from cbpnserver import q
        for name in ("rep1", "member1", "analyst"):
            with self.subTest(user=name):
                with self.assertWritesNothing(alive=False):
                    a = self.req("GET", "/api/v1/cases?q=" + q("Chanthy"), as_user=name)
                self.assertError(a, 403, "forbidden")
                self.assertNotIn("Chanthy", repr(a[2]))

    def test_q_without_a_word_or_with_too_many_is_422(self):
        from cbpnserver import q
        for text in ("", "  ", "--", "a b c d e f g"):
            with self.subTest(q=text):
                with self.assertWritesNothing(alive=False):
                    a = self.req("GET", "/api/v1/cases?q=" + q(text), as_user="supervisor")
                self.assertError(a, 422, "validation_failed", fields=["q"])

    def test_provider_analyst_admin_may_not_report_403(self):
        for name in ("counsel", "analyst", "admin"):
            with self.subTest(user=name):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/cases", report(), as_user=name)
                self.assertError(a, 403, "forbidden")

    # ---- validation: each refused, nothing written ----

    def assertRefused(self, body, fields, user="member1", status=422):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/cases", body, as_user=user)
        self.assertError(a, status, "validation_failed" if status == 422 else None, fields=fields)

    def test_missing_sex_is_422(self):
        self.assertRefused(report(survivor={"name_latn": "No Sex"}), ["sex"])

    def test_unknown_sex_is_422(self):
        self.assertRefused(report(survivor={"sex": "f"}), ["sex"])

    def test_unknown_concern_is_422(self):
        self.assertRefused(report(concerns=["witchcraft"]), ["concerns"])
        self.assertRefused(report(concerns=["other", "witchcraft"]), ["concerns"])

    def test_no_concern_is_422(self):
        self.assertRefused(report(concerns=[]), ["concerns"])

    def test_unknown_location_is_422(self):
        self.assertRefused(report(location_code="99999999"), ["location_code"])
        self.assertRefused(report(location_code="17071001; DROP TABLE"), ["location_code"])

    def test_missing_location_is_422(self):
        body = report()
        body.pop("location_code")
        self.assertRefused(body, ["location_code"])

    def test_summary_too_long_is_422(self):
        self.assertRefused(report(summary="a" * 4001), ["summary"])
        self.assertRefused(report(summary="ក" * 4001), ["summary"])

    def test_summary_of_4000_khmer_characters_is_accepted(self):
        st, _, v = self.req("POST", "/api/v1/cases", report(summary="ក" * 4000),
                            as_user="caseworker2")
        self.assertEqual(st, 201, "4000 characters (12000 bytes) is the limit: %r" % (v,))

    def test_name_too_long_is_422(self):
        self.assertRefused(report(survivor={"sex": "female", "name_latn": "A" * 121}),
                           ["name_latn"])

    def test_concerns_as_a_string_is_422(self):
        self.assertRefused(report(concerns="trafficking"), ["concerns"])

    def test_urgent_as_a_string_is_422(self):
        self.assertRefused(report(urgent="yes"), ["urgent"])

    def test_other_wrong_types_are_422(self):
        for field, body in (("consent_to_contact", report(consent_to_contact="true")),
                            ("summary", report(summary=42)),
                            ("survivor", report(survivor=["female"])),
                            ("age", report(survivor={"sex": "female", "age": "24"})),
                            ("location_code", report(location_code=17071001)),
                            ("concerns", report(concerns=[1, 2]))):
            with self.subTest(field=field):
                self.assertRefused(body, [field])

    def test_impossible_ages_and_dates_are_422(self):
        for field, surv in (("age", {"sex": "female", "age": -1}),
                            ("age", {"sex": "female", "age": 200}),
                            ("birth_date", {"sex": "female", "birth_date": "2001-13-45"}),
                            ("birth_date", {"sex": "female", "birth_date": "2999-01-01"})):
            with self.subTest(survivor=surv):
                self.assertRefused(report(survivor=surv), [field])

    def test_body_not_an_object_is_refused(self):
        for raw in (b"[]", b"\"case\"", b"null", b"42"):
            with self.subTest(body=raw):
                with self.assertWritesNothing():
                    st, _, v = self.req("POST", "/api/v1/cases", raw=raw, as_user="member1")
                self.assertIn(st, (400, 422), v)
                self.assertErrorShape(v)

    # ---- who sees what ----

    def test_member_sees_her_case_with_only_code_status_concerns_dates(self):
        items = self.list_all("/api/v1/cases", "member1")
        mine = [c for c in items if c["id"] == self.A["id"]]
        self.assertEqual(len(mine), 1, "member1 does not see the case she reported")
        self.assertEqual(mine[0]["code"], self.A["code"])
        self.assertEqual(mine[0]["status"], "reported")
        for c in items:
            self.assertFalse(PERSONAL_KEYS & set(c), "member sees %r" % (PERSONAL_KEYS & set(c)))

    def test_member_list_items_have_exactly_the_limited_fields(self):
        items = self.list_all("/api/v1/cases", "member1")
        self.assertTrue(items)
        for c in items:
            # Her own reports carry reported_by (herself), nothing more.
            self.assertEqual(set(c), LIMITED_KEYS | {"reported_by"})
            self.assertEqual(c["reported_by"], self.member1_id)

    def test_representative_sees_reporter_only_of_her_own_reports(self):
        rep1 = self.srv.user("rep1")["id"]
        items = self.list_all("/api/v1/cases", "rep1")
        # Reports by the group's other members do not name their reporter.
        self.assertTrue(any("reported_by" not in c for c in items))
        for c in items:
            self.assertEqual(set(c) - {"reported_by"}, LIMITED_KEYS)
            if "reported_by" in c:
                self.assertEqual(c["reported_by"], rep1)

    def test_member_get_of_her_case_is_limited(self):
        st, _, v = self.get_case("member1", self.A["id"])
        self.assertEqual(st, 200, v)
        self.assertEqual(v["id"], self.A["id"])
        self.assertFalse(PERSONAL_KEYS & set(v), "member sees %r" % (PERSONAL_KEYS & set(v)))
        text = repr(v)
        for s in ("Sreypov", "ស្រីពៅ", "097 555", "Testsummary"):
            self.assertNotIn(s, text)

    def test_member_sees_only_cases_she_reported(self):
        mine = {c["id"] for c in self.list_all("/api/v1/cases", "member1")}
        every = self.list_all("/api/v1/cases", "supervisor")
        hers = {c["id"] for c in every if c["reported_by"] == self.member1_id}
        self.assertEqual(mine, hers)

    def test_member_gets_404_for_cases_reported_by_others(self):
        every = self.list_all("/api/v1/cases", "supervisor")
        others = [c["id"] for c in every if c["reported_by"] != self.member1_id]
        self.assertIn(self.B["id"], others)
        for cid in others[:40]:
            with self.subTest(case=cid):
                with self.assertWritesNothing(alive=False):
                    a = self.get_case("member1", cid)
                self.assertError(a, 404, "not_found")

    def test_other_groups_case_answers_like_a_missing_case(self):
        a = self.get_case("member1", self.B["id"])
        b = self.get_case("member1", NOWHERE)
        self.assertEqual((a[0], a[2]), (b[0], b[2]))

    def test_representative_sees_her_groups_cases_but_not_group_2s(self):
        ids = {c["id"] for c in self.list_all("/api/v1/cases", "rep1")}
        self.assertIn(self.A["id"], ids)
        self.assertNotIn(self.B["id"], ids)
        with self.assertWritesNothing():
            a = self.get_case("rep1", self.B["id"])
        self.assertError(a, 404, "not_found")
        st, _, v = self.get_case("rep2", self.B["id"])
        self.assertEqual(st, 200, v)

    def test_representative_sees_no_survivor_details(self):
        st, _, v = self.get_case("rep1", self.A["id"])
        self.assertEqual(st, 200, v)
        self.assertFalse(PERSONAL_KEYS & set(v), "rep sees %r" % (PERSONAL_KEYS & set(v)))
        for c in self.list_all("/api/v1/cases", "rep1"):
            self.assertFalse(PERSONAL_KEYS & set(c))

    def test_representative_list_is_within_supervisors(self):
        rep = {c["id"] for c in self.list_all("/api/v1/cases", "rep1")}
        sup = {c["id"] for c in self.list_all("/api/v1/cases", "supervisor")}
        self.assertTrue(rep <= sup)

    def test_caseworker_sees_the_case_with_survivor_details(self):
        st, _, v = self.get_case("caseworker1", self.A["id"])
        self.assertEqual(st, 200, v)
        s = v["survivor"]
        self.assertEqual(s["name_km"], SURVIVOR_A["name_km"])
        self.assertEqual(s["name_latn"], SURVIVOR_A["name_latn"])
        self.assertEqual(s["phone"], SURVIVOR_A["phone"])
        self.assertEqual(s["sex"], "female")
        self.assertEqual(s["age"], 24)
        self.assertEqual(v["summary"], SUMMARY_A)
        self.assertEqual(v["location_code"], "17071001")
        self.assertEqual(v["status"], "reported")
        self.assertIs(v["urgent"], False)
        self.assertIsNone(v["assigned_to"])
        self.assertIsInstance(v["version"], int)
        for k in ("id", "code", "status", "concerns", "location_code", "risk", "urgent",
                  "reported_by", "assigned_to", "created_at", "updated_at", "version"):
            self.assertIn(k, v)
        self.assertRegex(v["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

    def test_survivor_identity_is_not_stored_in_plain_text(self):
        data = self.srv.file_bytes()
        for s in (SURVIVOR_A["name_latn"], SURVIVOR_A["name_km"], SURVIVOR_A["phone"], SUMMARY_A):
            self.assertNotIn(s.encode("utf-8"), data, "%r is stored unencrypted" % s)

    def test_caseworker_read_of_details_is_audited(self):
        table = self.srv.find_table("audit", "audit_log")
        self.assertIsNotNone(table, "no audit table")
        before = self.srv.count(table)
        self.assertEqual(self.get_case("caseworker2", self.A["id"])[0], 200)
        self.assertGreater(self.srv.count(table), before, "a read of details was not audited")

    def test_caseworkers_see_unassigned_cases_of_their_organization(self):
        for name in ("caseworker1", "caseworker2"):
            with self.subTest(user=name):
                ids = {c["id"] for c in self.list_all("/api/v1/cases", name)}
                self.assertIn(self.A["id"], ids)
                self.assertIn(self.B["id"], ids)

    def test_supervisor_sees_all_her_organizations_cases(self):
        items = self.list_all("/api/v1/cases", "supervisor")
        ids = {c["id"] for c in items}
        for c in (self.A, self.B, self.U):
            self.assertIn(c["id"], ids)
        self.assertGreaterEqual(len(items), 20, "the demo has a few dozen cases")
        cw = {c["id"] for c in self.list_all("/api/v1/cases", "caseworker1")}
        self.assertTrue(cw <= ids)
        st, _, v = self.get_case("supervisor", self.B["id"])
        self.assertEqual(st, 200, v)
        self.assertEqual(v["survivor"]["name_latn"], "Dara Testb")

    def test_provider_analyst_admin_get_403_on_cases(self):
        for name in ("counsel", "shelter", "legal", "analyst", "admin"):
            with self.subTest(user=name):
                with self.assertWritesNothing(alive=False):
                    a = self.req("GET", "/api/v1/cases", as_user=name)
                    b = self.get_case(name, self.A["id"])
                    c = self.get_case(name, NOWHERE)
                self.assertError(a, 403, "forbidden")
                self.assertError(b, 403, "forbidden")
                self.assertError(c, 403, "forbidden")

    def test_unknown_case_is_404(self):
        for name in ("caseworker1", "supervisor", "member1"):
            with self.subTest(user=name):
                with self.assertWritesNothing(alive=False):
                    a = self.get_case(name, NOWHERE)
                self.assertError(a, 404, "not_found")
        self.assertError(self.get_case("supervisor", "..%2F..%2Fetc%2Fpasswd"), 404, "not_found")
        self.assertError(self.get_case("supervisor", "'%20OR%201=1--"), 404, "not_found")

    # ---- order, pages, filters ----

    def test_list_is_urgent_first_then_newest(self):
        items = self.list_all("/api/v1/cases", "supervisor")
        keys = [(c["urgent"], c["created_at"]) for c in items]
        seen_normal = False
        for urgent, _ in keys:
            if not urgent:
                seen_normal = True
            self.assertFalse(urgent and seen_normal, "an urgent case after a non-urgent one")
        for (u1, t1), (u2, t2) in zip(keys, keys[1:]):
            if u1 == u2:
                self.assertGreaterEqual(t1, t2, "not newest first")
        self.assertEqual(items[0]["id"], self.U["id"], "the newest urgent case is not first")

    def test_limit_2_gives_2_items_and_a_cursor_to_the_next_page(self):
        st, _, p1 = self.req("GET", "/api/v1/cases?limit=2", as_user="supervisor")
        self.assertEqual(st, 200, p1)
        self.assertEqual(len(p1["items"]), 2)
        self.assertIsInstance(p1["next_cursor"], str)
        self.assertTrue(p1["next_cursor"])
        from cbpnserver import q
        st, _, p2 = self.req("GET", "/api/v1/cases?limit=2&cursor=" + q(p1["next_cursor"]),
                             as_user="supervisor")
        self.assertEqual(st, 200, p2)
        self.assertEqual(len(p2["items"]), 2)
        self.assertFalse({c["id"] for c in p1["items"]} & {c["id"] for c in p2["items"]})

    def test_paging_visits_every_case_once_in_order(self):
        whole = [c["id"] for c in self.list_all("/api/v1/cases", "supervisor", limit=500)]
        paged = [c["id"] for c in self.list_all("/api/v1/cases", "supervisor", limit=7)]
        self.assertEqual(paged, whole)
        self.assertEqual(len(set(paged)), len(paged))

    def test_last_page_has_null_cursor(self):
        st, _, v = self.req("GET", "/api/v1/cases?limit=500", as_user="supervisor")
        self.assertEqual(st, 200)
        self.assertIsNone(v["next_cursor"])

    def test_limit_501_is_refused_or_clamped(self):
        """Documented: either 422, or an answer of at most 500 items (the
        server answers 422 validation_failed)."""
        st, _, v = self.req("GET", "/api/v1/cases?limit=501", as_user="supervisor")
        if st == 200:
            self.assertLessEqual(len(v["items"]), 500)
        else:
            self.assertError((st, _, v), 422, "validation_failed")

    def test_bad_limit_or_cursor_is_422(self):
        for query in ("limit=abc", "limit=-1", "limit=2x", "cursor=garbage",
                      "cursor=" + "A" * 200):
            with self.subTest(query=query):
                a = self.req("GET", "/api/v1/cases?" + query, as_user="supervisor")
                self.assertError(a, 422, "validation_failed")

    def test_status_filter(self):
        items = self.list_all("/api/v1/cases?status=reported", "supervisor")
        self.assertIn(self.A["id"], {c["id"] for c in items})
        for c in items:
            self.assertEqual(c["status"], "reported")
        items = self.list_all("/api/v1/cases?status=closed", "supervisor")
        self.assertNotIn(self.A["id"], {c["id"] for c in items})
        for c in items:
            self.assertEqual(c["status"], "closed")

    def test_concern_filter(self):
        items = self.list_all("/api/v1/cases?concern=labour_exploitation", "supervisor")
        ids = {c["id"] for c in items}
        self.assertIn(self.A["id"], ids)
        self.assertNotIn(self.B["id"], ids)
        for c in items:
            self.assertIn("labour_exploitation", c["concerns"])
        items = self.list_all("/api/v1/cases?concern=domestic_violence", "member2")
        self.assertIn(self.B["id"], {c["id"] for c in items})

    def test_unknown_filter_values_are_422(self):
        for query in ("status=bogus", "concern=bogus"):
            with self.subTest(query=query):
                a = self.req("GET", "/api/v1/cases?" + query, as_user="supervisor")
                self.assertError(a, 422, "validation_failed")

    # ---- last ----

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_survivor_data_or_tokens(self):
        self.check_log_has_no_secrets()
