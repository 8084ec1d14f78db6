"""Safe-migration advice records: POST, GET and PATCH /api/v1/migrant-advice
(issue 8 item 4), on the demo network and its fictional agency list (dated
2026-01-15). A member or representative records for her own group (another
group is 404, nothing written); staff for their organization's groups;
warnings computed by the rules of DOMAIN.md §7 with their reasons in the
caller's language (her account's locale); the person's names and phone sealed; follow-ups due on
the adviser's list, marked done with the version read."""

import datetime

from cbpnserver import ServerTestCase, q

KEYS = {"id", "group_id", "date", "person", "destination", "sector", "channel", "agency_id",
        "documents", "risks", "warnings", "follow_up_on", "follow_up_done",
        "follow_up_done_at", "recorded_by", "created_at", "version"}
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"
ALL_DOCS = {"passport": True, "visa": True, "work_permit": True, "contract": True,
            "pre_departure_orientation": True, "overseas_worker_card": True,
            "pink_card": False, "certificate_of_identity": False}


def codes(v):
    return [w["code"] for w in v["warnings"]]


class MigrantAdviceTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = {}
        for user in ("rep1", "rep2"):
            st, _, me = cls.srv.request("GET", "/api/v1/me", token=cls.srv.login(user))
            assert st == 200, me
            cls.group[user] = me["group_id"]
        st, _, v = cls.srv.request("GET", "/api/v1/agencies?limit=500",
                                   token=cls.srv.login("member1"))
        assert st == 200, v
        cls.agency = {a["licence_no"]: a["id"] for a in v["items"]}

    def body(self, **over):
        b = {"date": "2026-03-02",
             "person": {"name_km": "ស៊ុន សុភា", "name_latn": "Sun Sophea", "sex": "female",
                        "birth_year": 1996, "phone": "012 777 888"},
             "destination": "TH", "sector": "manufacturing", "channel": "government_mou",
             "documents": dict(ALL_DOCS), "risks": []}
        b.update(over)
        return b

    def create(self, as_user="member1", headers=None, **over):
        st, _, v = self.req("POST", "/api/v1/migrant-advice", self.body(**over), as_user=as_user,
                            headers=headers)
        self.assertEqual(st, 201, v)
        # The agency's figures come with a record naming one (every role
        # that records advice may see them: test_agency_figures.py).
        self.assertEqual(set(v), KEYS | ({"agency_indicator_cases"} if v["agency_id"] else set()))
        return v

    def listed(self, as_user, query=""):
        return self.list_all("/api/v1/migrant-advice" + query, as_user)

    def me(self, user):
        st, _, v = self.req("GET", "/api/v1/me", as_user=user)
        self.assertEqual(st, 200, v)
        return v

    # ---- create and warnings ----

    def test_a_member_records_for_her_group(self):
        body = self.body()
        v = self.create()
        self.assertEqual(v["group_id"], self.group["rep1"])
        for k in ("date", "person", "destination", "sector", "channel", "risks"):
            self.assertEqual(v[k], body[k], k)
        self.assertEqual(v["documents"], ALL_DOCS)
        self.assertEqual(v["warnings"], [])
        self.assertIsNone(v["agency_id"])
        self.assertEqual(v["recorded_by"], self.me("member1")["id"])
        self.assertEqual(v["version"], 1)
        self.assertIn(v["id"], {a["id"] for a in self.listed("rep1")})

    def test_a_risky_plan_raises_warnings_in_the_callers_language(self):
        docs = dict(ALL_DOCS, passport=False, contract=False)
        over = {"channel": "irregular", "documents": docs,
                "risks": ["documents_held_by_broker", "debt_for_fees"]}
        v = self.create(as_user="supervisor2", group_id=self.group["rep1"], **over)
        self.assertEqual(codes(v), ["no_written_contract", "debt_for_fees",
                                    "documents_held_by_broker", "irregular_border_crossing",
                                    "missing_documents"])
        en = {w["code"]: w["message"] for w in v["warnings"]}
        self.assertIn("cross the border irregularly", en["irregular_border_crossing"])
        self.assertIn("passport", en["missing_documents"])
        km = self.create(**over)  # member1 reads Khmer
        self.assertEqual(codes(km), codes(v))
        for w in km["warnings"]:
            self.assertNotEqual(w["message"], en[w["code"]])
            self.assertTrue(any("\u1780" <= c <= "\u17ff" for c in w["message"]), w)
        # the list answers the same warnings
        listed = {a["id"]: a for a in self.listed("member1")}
        self.assertEqual(codes(listed[v["id"]]), codes(v))

    def test_the_agency_licensed_on_the_advice_date(self):
        # FIC-001 runs to 2027-12-31; FIC-008 ran out on 2024-08-31;
        # FIC-003 runs to 2026-03-31
        ok = self.create(channel="licensed_agency", agency_id=self.agency["FIC-001"])
        self.assertEqual(ok["warnings"], [])
        self.assertEqual(ok["agency_id"], self.agency["FIC-001"])
        bad = self.create(as_user="supervisor2", group_id=self.group["rep1"],
                          channel="licensed_agency", agency_id=self.agency["FIC-008"])
        self.assertEqual(codes(bad), ["unlicensed_agency"])
        self.assertIn("not on the ministry's list", bad["warnings"][0]["message"])
        self.assertEqual(codes(self.create(agency_id=self.agency["FIC-003"], date="2026-03-31")),
                         [])
        self.assertEqual(codes(self.create(agency_id=self.agency["FIC-003"], date="2026-04-01")),
                         ["unlicensed_agency"])
        # before the list's date no agency is licensed
        self.assertEqual(codes(self.create(agency_id=self.agency["FIC-001"], date="2025-12-01")),
                         ["unlicensed_agency"])
        # the channel says an agency, and none is named
        self.assertEqual(codes(self.create(channel="licensed_agency")), ["unlicensed_agency"])

    def test_a_minor(self):
        v = self.create(date="2026-03-02", person={"sex": "male", "birth_year": 2009})
        self.assertEqual(codes(v), ["minor"])
        self.assertEqual(v["person"], {"sex": "male", "birth_year": 2009})
        self.assertEqual(codes(self.create(person={"sex": "male", "birth_year": 2008})), [])

    def test_an_agency_that_does_not_exist_is_422(self):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/migrant-advice",
                         self.body(agency_id="0123456789abcdef0123456789abcdef"),
                         as_user="member1")
        self.assertError(a, 422, "validation_failed", fields=["agency_id"])

    def test_bad_input_is_422_and_writes_nothing(self):
        future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
        cases = [({"date": "2026-02-30"}, "date"),
                 ({"date": "1999-12-31"}, "date"),
                 ({"date": future}, "date"),
                 ({"person": None}, "person"),
                 ({"person": {"birth_year": 1990}}, "person.sex"),
                 ({"person": {"sex": "female"}}, "person.birth_year"),
                 ({"person": {"sex": "female", "birth_year": 1990, "phone": "call"}},
                  "person.phone"),
                 ({"destination": "Thailand"}, "destination"),
                 ({"sector": "piracy"}, "sector"),
                 ({"channel": "boat"}, "channel"),
                 ({"documents": {"passport": "yes"}}, "documents.passport"),
                 ({"risks": ["cooking"]}, "risks"),
                 ({"risks": ["minor", "minor"]}, "risks"),
                 ({"follow_up_on": "2026-03-01"}, "follow_up_on"),
                 ({"group_id": 7}, "group_id")]
        for over, field in cases:
            with self.subTest(field=field, over=over):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/migrant-advice", self.body(**over),
                                 as_user="member1")
                self.assertError(a, 422, "validation_failed", fields=[field])

    # ---- who records and lists ----

    def test_another_groups_is_404_and_writes_nothing(self):
        for user in ("rep1", "member1"):
            for group in (self.group["rep2"], NOWHERE):
                with self.subTest(user=user, group=group):
                    with self.assertWritesNothing():
                        a = self.req("POST", "/api/v1/migrant-advice",
                                     self.body(group_id=group), as_user=user)
                    self.assertError(a, 404, "not_found")
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/migrant-advice",
                         self.body(group_id=self.group["rep2"], sector="piracy"),
                         as_user="rep1")
        self.assertError(a, 404, "not_found")

    def test_staff_name_a_group_of_their_organization(self):
        for user in ("caseworker1", "supervisor"):
            with self.subTest(user=user):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/migrant-advice", self.body(), as_user=user)
                self.assertError(a, 422, "validation_failed", fields=["group_id"])
                v = self.create(as_user=user, group_id=self.group["rep2"])
                self.assertEqual(v["group_id"], self.group["rep2"])

    def test_roles_that_record_none_are_403(self):
        for user in ("admin", "analyst", "counsel"):
            with self.subTest(user=user):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/migrant-advice", self.body(), as_user=user)
                self.assertError(a, 403, "forbidden")

    def test_who_lists_what(self):
        mine = self.create(date="2026-03-10")
        theirs = self.create(as_user="rep2", date="2026-03-10")
        for user, sees, not_sees in (("rep1", mine, theirs), ("member1", mine, theirs),
                                     ("rep2", theirs, mine), ("member2", theirs, mine)):
            with self.subTest(user=user):
                items = self.listed(user)
                ids = {a["id"] for a in items}
                self.assertIn(sees["id"], ids)
                self.assertNotIn(not_sees["id"], ids)
                self.assertEqual({a["group_id"] for a in items}, {self.me(user)["group_id"]})
        for user in ("caseworker1", "supervisor", "admin"):
            with self.subTest(user=user):
                ids = {a["id"] for a in self.listed(user)}
                self.assertLessEqual({mine["id"], theirs["id"]}, ids)
        for user in ("analyst", "counsel", "shelter"):
            with self.subTest(user=user):
                self.assertError(self.req("GET", "/api/v1/migrant-advice", as_user=user), 403,
                                 "forbidden")
        for group in (self.group["rep2"], NOWHERE):
            with self.subTest(group=group):
                self.assertError(self.req("GET", "/api/v1/migrant-advice?group_id=" + group,
                                          as_user="rep1"), 404, "not_found")

    def test_the_demo_has_advice_for_every_group(self):
        items = self.listed("admin")
        st, _, v = self.req("GET", "/api/v1/groups", as_user="admin")
        self.assertEqual(st, 200, v)
        self.assertLessEqual({g["id"] for g in v["items"]}, {a["group_id"] for a in items})
        self.assertTrue(any(a["warnings"] for a in items))

    # ---- follow-ups ----

    def test_the_follow_up_list_and_marking_done(self):
        today = datetime.date.today()
        due = self.create(as_user="rep2", date=(today - datetime.timedelta(days=20)).isoformat(),
                          follow_up_on=(today - datetime.timedelta(days=1)).isoformat())
        later = self.create(as_user="rep2", date=today.isoformat(),
                            follow_up_on=(today + datetime.timedelta(days=30)).isoformat())
        none = self.create(as_user="rep2", date=today.isoformat())
        ids = {a["id"] for a in self.listed("rep2", "?follow_up_due=true")}
        self.assertIn(due["id"], ids)
        self.assertNotIn(later["id"], ids)
        self.assertNotIn(none["id"], ids)
        self.assertNotIn(due["id"], {a["id"] for a in self.listed("rep1", "?follow_up_due=true")})
        for a in self.listed("rep2", "?follow_up_due=true"):
            self.assertLessEqual(a["follow_up_on"], (today + datetime.timedelta(days=1)).isoformat())
            self.assertFalse(a["follow_up_done"])
        path = "/api/v1/migrant-advice/" + due["id"]
        # another group's representative: not found; an admin: forbidden
        with self.assertWritesNothing():
            self.assertError(self.req("PATCH", path, {"version": 1, "follow_up_done": True},
                                      as_user="rep1"), 404, "not_found")
            self.assertError(self.req("PATCH", path, {"version": 1, "follow_up_done": True},
                                      as_user="admin"), 403, "forbidden")
            self.assertError(self.req("PATCH", path, {"version": 1, "follow_up_done": False},
                                      as_user="rep2"), 422, "validation_failed",
                             fields=["follow_up_done"])
            self.assertError(self.req("PATCH", path, {"follow_up_done": True}, as_user="rep2"),
                             422, "validation_failed", fields=["version"])
        st, _, v = self.req("PATCH", path, {"version": 1, "follow_up_done": True},
                            as_user="member2")
        self.assertEqual(st, 200, v)
        self.assertEqual(set(v), KEYS | ({"agency_indicator_cases"} if v["agency_id"] else set()))
        self.assertTrue(v["follow_up_done"])
        self.assertIsNotNone(v["follow_up_done_at"])
        self.assertEqual(v["version"], 2)
        self.assertEqual(v["person"], due["person"])
        self.assertNotIn(due["id"], {a["id"] for a in self.listed("rep2", "?follow_up_due=true")})
        # the version read before is stale now
        with self.assertWritesNothing():
            self.assertError(self.req("PATCH", path, {"version": 1, "follow_up_done": True},
                                      as_user="rep2"), 409, "conflict")
            self.assertError(self.req("PATCH", path, {"version": 2, "follow_up_done": True},
                                      as_user="rep2"), 409, "conflict")
            self.assertError(self.req("PATCH", "/api/v1/migrant-advice/" + none["id"],
                                      {"version": 1, "follow_up_done": True}, as_user="rep2"),
                             409, "conflict")
            self.assertError(self.req("PATCH", "/api/v1/migrant-advice/" + NOWHERE,
                                      {"version": 1, "follow_up_done": True}, as_user="rep2"),
                             404, "not_found")

    def test_bad_list_queries_are_422(self):
        for query, field in (("follow_up_due=maybe", "follow_up_due"), ("limit=0", "limit"),
                             ("limit=501", "limit"), ("cursor=" + q("not a cursor"), "cursor")):
            with self.subTest(query=query):
                self.assertError(self.req("GET", "/api/v1/migrant-advice?" + query,
                                          as_user="rep1"), 422, "validation_failed",
                                 fields=[field])

    def test_pages(self):
        made = [self.create(as_user="rep2", date=d)["id"]
                for d in ("2024-05-01", "2024-07-01", "2024-06-01")]
        paged = [a["id"] for a in self.list_all("/api/v1/migrant-advice", "rep2", limit=1)]
        whole = [a["id"] for a in self.listed("rep2")]
        self.assertEqual(paged, whole)
        self.assertLess(whole.index(made[1]), whole.index(made[2]))
        self.assertLess(whole.index(made[2]), whole.index(made[0]))
        dates = [a["date"] for a in self.listed("rep2")]
        self.assertEqual(dates, sorted(dates, reverse=True))

    # ---- idempotency and sealing ----

    def test_idempotent_retry(self):
        key = {"Idempotency-Key": "advice-retry-1"}
        body = self.body(date="2026-02-11", channel="irregular")
        st, _, first = self.req("POST", "/api/v1/migrant-advice", body, as_user="member1",
                                headers=key)
        self.assertEqual(st, 201, first)
        with self.assertWritesNothing(ignore=("session",)):
            st, _, again = self.req("POST", "/api/v1/migrant-advice", body, as_user="member1",
                                    headers=key)
        self.assertEqual(st, 201, again)
        self.assertEqual(again, first)
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/migrant-advice", self.body(date="2026-02-12"),
                         as_user="member1", headers=key)
        self.assertError(a, 422, "validation_failed")
        self.assertEqual(sum(1 for a in self.listed("member1") if a["id"] == first["id"]), 1)

    def test_the_raw_database_holds_no_person_name(self):
        v = self.create(person={"name_km": "ឈ្មោះ សម្ងាត់", "name_latn": "Sealedperson Advised",
                                "sex": "female", "birth_year": 1990, "phone": "088 432 1987"})
        self.assertEqual(v["person"]["name_latn"], "Sealedperson Advised")
        data = self.srv.file_bytes()
        self.assertNotIn(b"Sealedperson", data)
        self.assertNotIn("ឈ្មោះ សម្ងាត់".encode(), data)
        self.assertNotIn(b"088 432 1987", data)
        rows = self.srv.rows("SELECT sex, birth_year, destination, warnings FROM migrant_advice"
                             " WHERE id = ?", (v["id"],))
        self.assertEqual(len(rows), 1)
        self.assertEqual(tuple(rows[0])[:3], ("female", 1990, "TH"))
