"""Outreach sessions: POST and GET /api/v1/outreach (issue 8 item 3), on the
demo network. A member or representative records and lists her own group's
sessions only (another group is 404, nothing written); caseworkers and
supervisors their organization's; an admin lists all; providers and analysts
nothing."""

import datetime

from cbpnserver import ServerTestCase, q

KEYS = {"id", "date", "location_code", "group_id", "topics", "attendance", "recorded_by",
        "created_at", "version"}
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"


class OutreachTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group = {}
        for user in ("rep1", "rep2"):
            st, _, me = cls.srv.request("GET", "/api/v1/me", token=cls.srv.login(user))
            assert st == 200, me
            cls.group[user] = me["group_id"]

    def body(self, user="rep1", **over):
        b = {"date": "2026-03-02", "location_code": "17071001", "group_id": self.group[user],
             "topics": ["safe_migration", "trafficking_identification"],
             "attendance": {"female": 14, "male": 5, "under_18": 3}}
        b.update(over)
        return b

    def create(self, user="rep1", as_user=None, **over):
        st, _, v = self.req("POST", "/api/v1/outreach", self.body(user, **over),
                            as_user=as_user or user)
        self.assertEqual(st, 201, v)
        self.assertEqual(set(v), KEYS)
        return v

    def listed(self, as_user, query=""):
        return self.list_all("/api/v1/outreach" + query, as_user)

    def me(self, user):
        st, _, v = self.req("GET", "/api/v1/me", as_user=user)
        self.assertEqual(st, 200, v)
        return v

    # ---- create ----

    def test_a_representative_records_for_her_group(self):
        body = self.body()
        v = self.create()
        for k in ("date", "location_code", "group_id", "topics", "attendance"):
            self.assertEqual(v[k], body[k], k)
        self.assertEqual(v["recorded_by"], self.me("rep1")["id"])
        self.assertEqual(v["version"], 1)
        self.assertIn(v["id"], {s["id"] for s in self.listed("rep1")})

    def test_a_member_records_for_her_group(self):
        v = self.create(as_user="member1", date="2026-03-03")
        self.assertEqual(v["group_id"], self.group["rep1"])
        self.assertIn(v["id"], {s["id"] for s in self.listed("rep1")})

    def test_another_groups_session_is_404_and_writes_nothing(self):
        for user in ("rep1", "member1"):
            for group in (self.group["rep2"], NOWHERE):
                with self.subTest(user=user, group=group):
                    with self.assertWritesNothing():
                        a = self.req("POST", "/api/v1/outreach", self.body(group_id=group),
                                     as_user=user)
                    self.assertError(a, 404, "not_found")
        # however wrong the rest is, the other group's existence is not told
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/outreach",
                         self.body(group_id=self.group["rep2"],
                                   attendance={"female": 1, "male": 1, "under_18": 9}),
                         as_user="rep1")
        self.assertError(a, 404, "not_found")

    def test_staff_record_for_their_organizations_groups(self):
        for user in ("caseworker1", "supervisor"):
            with self.subTest(user=user):
                v = self.create("rep2", as_user=user, date="2026-02-20")
                self.assertEqual(v["group_id"], self.group["rep2"])

    def test_roles_that_record_none_are_403(self):
        for user in ("admin", "analyst", "counsel"):
            with self.subTest(user=user):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/outreach", self.body(), as_user=user)
                self.assertError(a, 403, "forbidden")

    def test_bad_input_is_422_and_writes_nothing(self):
        future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
        cases = [({"date": "2026-02-30"}, "date"),
                 ({"date": "1999-12-31"}, "date"),
                 ({"date": future}, "date"),
                 ({"date": 20260302}, "date"),
                 ({"location_code": "170710"}, "location_code"),
                 ({"location_code": "99999999"}, "location_code"),
                 ({"topics": []}, "topics"),
                 ({"topics": ["cooking"]}, "topics"),
                 ({"topics": ["advocacy", "advocacy"]}, "topics"),
                 ({"topics": "advocacy"}, "topics"),
                 ({"attendance": {"female": -1, "male": 2, "under_18": 0}}, "attendance.female"),
                 ({"attendance": {"female": 1, "male": 10001, "under_18": 0}}, "attendance.male"),
                 ({"attendance": {"female": 1.5, "male": 2, "under_18": 0}}, "attendance.female"),
                 ({"attendance": {"female": "3", "male": 2, "under_18": 0}}, "attendance.female"),
                 ({"attendance": {"female": 3, "male": 2}}, "attendance.under_18"),
                 ({"attendance": None}, "attendance"),
                 ({"group_id": None}, "group_id"),
                 ({"group_id": 7}, "group_id")]
        for over, field in cases:
            with self.subTest(field=field, over=over):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/outreach", self.body(**over), as_user="rep1")
                self.assertError(a, 422, "validation_failed", fields=[field])

    def test_under_18_over_female_plus_male_is_refused(self):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/outreach",
                         self.body(attendance={"female": 4, "male": 3, "under_18": 8}),
                         as_user="rep1")
        self.assertError(a, 422, "validation_failed", fields=["attendance.under_18"])
        # equal is fine: every one of them was a child
        v = self.create(attendance={"female": 4, "male": 3, "under_18": 7}, date="2026-01-05")
        self.assertEqual(v["attendance"]["under_18"], 7)

    def test_idempotent_retry(self):
        key = {"Idempotency-Key": "outreach-retry-1"}
        body = self.body(date="2026-02-11")
        st, _, first = self.req("POST", "/api/v1/outreach", body, as_user="rep1", headers=key)
        self.assertEqual(st, 201, first)
        with self.assertWritesNothing(ignore=("session",)):
            st, _, again = self.req("POST", "/api/v1/outreach", body, as_user="rep1",
                                    headers=key)
        self.assertEqual(st, 201, again)
        self.assertEqual(again, first)
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/outreach", self.body(date="2026-02-12"),
                         as_user="rep1", headers=key)
        self.assertError(a, 422, "validation_failed")
        self.assertEqual(sum(1 for s in self.listed("rep1") if s["id"] == first["id"]), 1)

    # ---- lists ----

    def test_who_lists_what(self):
        mine = self.create(date="2026-03-10")
        theirs = self.create("rep2", date="2026-03-10")
        for user, sees, not_sees in (("rep1", mine, theirs), ("member1", mine, theirs),
                                     ("rep2", theirs, mine), ("member2", theirs, mine)):
            with self.subTest(user=user):
                items = self.listed(user)
                ids = {s["id"] for s in items}
                self.assertIn(sees["id"], ids)
                self.assertNotIn(not_sees["id"], ids)
                self.assertEqual({s["group_id"] for s in items}, {self.me(user)["group_id"]})
        for user in ("caseworker1", "supervisor", "admin"):
            with self.subTest(user=user):
                ids = {s["id"] for s in self.listed(user)}
                self.assertLessEqual({mine["id"], theirs["id"]}, ids)
        for user in ("analyst", "counsel", "shelter"):
            with self.subTest(user=user):
                self.assertError(self.req("GET", "/api/v1/outreach", as_user=user), 403,
                                 "forbidden")

    def test_the_demo_has_sessions_for_every_group(self):
        groups = {s["group_id"] for s in self.listed("admin")}
        st, _, v = self.req("GET", "/api/v1/groups", as_user="admin")
        self.assertEqual(st, 200, v)
        self.assertLessEqual({g["id"] for g in v["items"]}, groups)

    def test_naming_another_group_in_the_list_is_404(self):
        for group in (self.group["rep2"], NOWHERE):
            with self.subTest(group=group):
                self.assertError(self.req("GET", "/api/v1/outreach?group_id=" + group,
                                          as_user="rep1"), 404, "not_found")
        items = self.listed("supervisor", "?group_id=" + self.group["rep2"])
        self.assertTrue(items)
        self.assertEqual({s["group_id"] for s in items}, {self.group["rep2"]})

    def test_newest_first_dates_and_pages(self):
        made = [self.create("rep2", as_user="rep2", date=d)["id"]
                for d in ("2024-05-01", "2024-07-01", "2024-06-01", "2024-07-01")]
        items = self.listed("rep2", "?from=2024-05-01&to=2024-07-31")
        self.assertEqual([s["id"] for s in items], [made[3], made[1], made[2], made[0]])
        dates = [s["date"] for s in self.listed("rep2")]
        self.assertEqual(dates, sorted(dates, reverse=True))
        # one at a time, the same order
        paged = [s["id"] for s in self.list_all("/api/v1/outreach?from=2024-05-01&to=2024-07-31",
                                                "rep2", limit=1)]
        self.assertEqual(paged, [made[3], made[1], made[2], made[0]])
        self.assertEqual([s["id"] for s in self.listed("rep2", "?from=2024-06-01&to=2024-06-01")],
                         [made[2]])

    def test_bad_list_queries_are_422(self):
        for query, field in (("from=2024-02-30", "from"), ("to=yesterday", "to"),
                             ("from=2024-06-02&to=2024-06-01", "to"), ("limit=0", "limit"),
                             ("limit=501", "limit"), ("cursor=" + q("not a cursor"), "cursor")):
            with self.subTest(query=query):
                self.assertError(self.req("GET", "/api/v1/outreach?" + query, as_user="rep1"),
                                 422, "validation_failed", fields=[field])
