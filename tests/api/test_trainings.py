"""Trainings (issue 8 item 2): POST, GET /api/v1/trainings and /trainings/{id},
what a member was trained on (/members/{id}/trainings), and the coverage and
cascade figures, on the demo network. A representative records for her own
group; a member only when her member record has the trainer role; caseworkers
and supervisors for their organization. The figures are checked on a known
data set recorded into a new group, against values worked out by hand."""

import datetime
import time

from cbpnserver import ERROR_ONLY, ServerTestCase

SUMMARY_KEYS = {"id", "date", "topics", "location_code", "audience", "group_id", "facilitator",
                "cascade", "participant_count", "recorded_by", "created_at", "version"}
FULL_KEYS = SUMMARY_KEYS | {"participants", "scores"}
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"
TOPICS = ["safe_migration", "labour_rights", "gender_equality", "financial_literacy",
          "trafficking_identification", "vaw_identification", "case_reporting_documentation",
          "counselling", "advocacy", "leadership", "victim_identification_procedures"]


class TrainingsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.me = {}
        for user in ("rep1", "rep2", "trainer1", "member1", "supervisor", "counsel"):
            st, _, me = cls.srv.request("GET", "/api/v1/me", token=cls.srv.login(user))
            assert st == 200, me
            cls.me[user] = me
        cls.group = {u: cls.me[u]["group_id"] for u in ("rep1", "rep2")}
        st, _, v = cls.srv.request("GET", "/api/v1/groups/%s/members" % cls.group["rep1"],
                                   token=cls.srv.login("rep1"))
        assert st == 200, v
        cls.g1_members = [m["id"] for m in v["items"]]

    def body(self, **over):
        b = {"date": "2026-03-02", "topics": ["safe_migration", "labour_rights"],
             "location_code": "170710", "audience": "police",
             "facilitator": {"user_id": self.me["supervisor"]["id"]},
             "participants": [{"name": "Officer Outsider", "organization": "Puok district police",
                               "sex": "male"},
                              {"name": "ម៉ៅ ប៉ូលីស", "organization": "Kralanh police",
                               "sex": "female"}],
             "scores": [{"participant_index": 0, "pre": 40, "post": 75}]}
        b.update(over)
        return b

    def create(self, as_user="supervisor", status=201, **over):
        st, _, v = self.req("POST", "/api/v1/trainings", self.body(**over), as_user=as_user)
        self.assertEqual(st, status, v)
        if status == 201:
            self.assertEqual(set(v), FULL_KEYS)
        return v

    def listed(self, as_user, query=""):
        return {t["id"] for t in self.list_all("/api/v1/trainings" + query, as_user)}

    # ---- create ----

    def test_staff_record_a_training_of_police_with_scores(self):
        body = self.body()
        v = self.create()
        for k in ("date", "topics", "location_code", "audience", "participants", "scores"):
            self.assertEqual(v[k], body[k], k)
        self.assertIsNone(v["group_id"])
        self.assertEqual(v["facilitator"], {"user_id": self.me["supervisor"]["id"],
                                            "trainer": False})
        self.assertFalse(v["cascade"])
        self.assertEqual(v["participant_count"], 2)
        self.assertEqual(v["recorded_by"], self.me["supervisor"]["id"])
        st, _, got = self.req("GET", "/api/v1/trainings/" + v["id"], as_user="caseworker1")
        self.assertEqual(st, 200, got)
        self.assertEqual(got, v)
        self.assertIn(v["id"], self.listed("supervisor"))
        self.assertIn(v["id"], self.listed("admin"))

    def test_a_representative_records_for_her_group(self):
        v = self.create(as_user="rep1", audience="members", group_id=self.group["rep1"],
                        facilitator={"name": "Outside Trainer", "organization": "Ministry"},
                        participants=[{"member_id": self.g1_members[1]},
                                      {"member_id": self.g1_members[2]}],
                        scores=[{"participant_index": 1, "pre": 10, "post": 90}])
        self.assertEqual(v["group_id"], self.group["rep1"])
        self.assertEqual(v["facilitator"], {"name": "Outside Trainer",
                                            "organization": "Ministry", "trainer": False})
        self.assertEqual([p["member_id"] for p in v["participants"]], self.g1_members[1:3])
        self.assertTrue(all(p["sex"] in ("female", "male") for p in v["participants"]))
        self.assertIn(v["id"], self.listed("rep1"))
        self.assertIn(v["id"], self.listed("member1"))
        self.assertNotIn(v["id"], self.listed("rep2"))
        self.assertError(self.req("GET", "/api/v1/trainings/" + v["id"], as_user="rep2"),
                         404, "not_found")
        # her own group when she names none
        w = self.create(as_user="rep1", audience="members",
                        participants=[{"member_id": self.g1_members[3]}], scores=[])
        self.assertEqual(w["group_id"], self.group["rep1"])

    def test_a_trainer_records_the_cascade_training_she_gives(self):
        mine = self.me["trainer1"]["member_id"]
        self.assertTrue(mine)
        v = self.create(as_user="trainer1", audience="representatives",
                        facilitator={"member_id": mine},
                        participants=[{"member_id": self.g1_members[0]}], scores=[])
        self.assertEqual(v["group_id"], self.group["rep1"])
        self.assertEqual(v["facilitator"], {"member_id": mine, "trainer": True})
        self.assertTrue(v["cascade"])
        # the same trainer to another audience: a trainer's training, not a cascade one
        w = self.create(as_user="trainer1", audience="community",
                        facilitator={"member_id": mine},
                        participants=[{"name": "Villager", "organization": "Village",
                                       "sex": "female"}], scores=[])
        self.assertTrue(w["facilitator"]["trainer"])
        self.assertFalse(w["cascade"])

    def test_a_member_without_the_trainer_role_is_403_and_writes_nothing(self):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/trainings",
                         self.body(participants=[{"member_id": self.g1_members[1]}], scores=[]),
                         as_user="member1")
        self.assertError(a, 403, "forbidden")

    def test_roles_that_record_none_are_403(self):
        for user in ("admin", "analyst", "counsel"):
            with self.subTest(user=user):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/trainings", self.body(), as_user=user)
                self.assertError(a, 403, "forbidden")

    def test_another_groups_training_is_404_and_writes_nothing(self):
        for user in ("rep1", "trainer1"):
            for group in (self.group["rep2"], NOWHERE):
                with self.subTest(user=user, group=group):
                    with self.assertWritesNothing():
                        a = self.req("POST", "/api/v1/trainings",
                                     self.body(group_id=group, date="2031-01-01"), as_user=user)
                    self.assertError(a, 404, "not_found")

    def test_who_lists_what(self):
        self.assertError(self.req("GET", "/api/v1/trainings", as_user="analyst"),
                         403, "forbidden")
        self.assertError(self.req("GET", "/api/v1/trainings", as_user="counsel"),
                         403, "forbidden")
        self.assertError(self.req("GET", "/api/v1/trainings?group_id=" + self.group["rep2"],
                                  as_user="rep1"), 404, "not_found")
        v = self.create(as_user="rep2", audience="members",
                        participants=[{"name": "Guest", "organization": "Commune council",
                                       "sex": "male"}], scores=[])
        self.assertIn(v["id"], self.listed("rep2"))
        self.assertNotIn(v["id"], self.listed("rep1"))
        self.assertIn(v["id"], self.listed("supervisor", "?group_id=" + self.group["rep2"]))
        self.assertNotIn(v["id"], self.listed("supervisor", "?group_id=" + self.group["rep1"]))
        self.assertIn(v["id"], self.listed("admin"))
        self.assertNotIn(v["id"], self.listed("admin", "?to=2026-03-01"))
        self.assertIn(v["id"], self.listed("admin", "?from=2026-03-02&to=2026-03-02"))

    def test_pages_follow_the_cursor(self):
        ids = set()
        for day in range(1, 6):
            ids.add(self.create(as_user="rep2", date="2025-05-%02d" % day, audience="members",
                                participants=[{"name": "P", "organization": "O",
                                               "sex": "female"}], scores=[])["id"])
        items = self.list_all("/api/v1/trainings?from=2025-05-01&to=2025-05-31", "rep2", limit=2)
        self.assertEqual({t["id"] for t in items}, ids)
        dates = [t["date"] for t in items]
        self.assertEqual(dates, sorted(dates, reverse=True))
        self.assertTrue(all(set(t) == SUMMARY_KEYS for t in items))

    def test_bad_input_is_422_and_writes_nothing(self):
        future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
        counsel = self.me["counsel"]["id"]
        cases = [({"date": "2026-02-30"}, "date"),
                 ({"date": "1999-12-31"}, "date"),
                 ({"date": future}, "date"),
                 ({"topics": []}, "topics"),
                 ({"topics": ["cooking"]}, "topics"),
                 ({"topics": ["advocacy", "advocacy"]}, "topics"),
                 ({"location_code": "1707"}, "location_code"),
                 ({"location_code": "99999999"}, "location_code"),
                 ({"audience": "everyone"}, "audience"),
                 ({"audience": None}, "audience"),
                 ({"facilitator": None}, "facilitator"),
                 ({"facilitator": {}}, "facilitator"),
                 ({"facilitator": {"user_id": self.me["supervisor"]["id"], "name": "X",
                                   "organization": "Y"}}, "facilitator"),
                 ({"facilitator": {"name": "Only a name"}}, "facilitator"),
                 ({"facilitator": {"user_id": NOWHERE}}, "facilitator.user_id"),
                 ({"facilitator": {"user_id": counsel}}, "facilitator.user_id"),
                 ({"facilitator": {"member_id": NOWHERE}}, "facilitator.member_id"),
                 ({"facilitator": {"name": "x" * 201, "organization": "Y"}}, "facilitator.name"),
                 ({"participants": []}, "participants"),
                 ({"participants": "all"}, "participants"),
                 ({"participants": [{"name": "No org", "sex": "male"}]}, "participants"),
                 ({"participants": [{"name": "No sex", "organization": "O"}]}, "participants"),
                 ({"participants": [{"member_id": self.g1_members[1], "name": "Both",
                                     "organization": "O", "sex": "male"}]}, "participants"),
                 ({"participants": [{"member_id": NOWHERE}]}, "participants.member_id"),
                 ({"participants": [{"member_id": self.g1_members[1]},
                                    {"member_id": self.g1_members[1]}]},
                  "participants.member_id"),
                 ({"participants": [{"name": "N", "organization": "O", "sex": "woman"}]},
                  "participants.sex"),
                 ({"scores": [{"participant_index": 2, "pre": 1, "post": 2}]},
                  "scores.participant_index"),
                 ({"scores": [{"participant_index": 0, "pre": 1, "post": 2},
                              {"participant_index": 0, "pre": 3, "post": 4}]},
                  "scores.participant_index"),
                 ({"scores": [{"participant_index": 0, "pre": 101, "post": 2}]}, "scores.pre"),
                 ({"scores": [{"participant_index": 0, "pre": 1}]}, "scores.post"),
                 ({"scores": [{"participant_index": 0, "pre": "1", "post": 2}]}, "scores.pre"),
                 ({"scores": [{"participant_index": -1, "pre": 1, "post": 2}]},
                  "scores.participant_index"),
                 ({"group_id": 7}, "group_id")]
        for over, field in cases:
            with self.subTest(field=field, over=over):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/trainings", self.body(**over),
                                 as_user="supervisor")
                self.assertError(a, 422, "validation_failed", fields=[field])

    def test_too_many_participants_is_422(self):
        many = [{"name": "P%d" % i, "organization": "O", "sex": "female"} for i in range(501)]
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/trainings", self.body(participants=many, scores=[]),
                         as_user="supervisor")
        self.assertError(a, 422, "validation_failed", fields=["participants"])

    def test_outside_names_are_sealed(self):
        v = self.create(facilitator={"name": "Sealedtrainer Outside",
                                     "organization": "Sealedorg Faraway"},
                        participants=[{"name": "Sealedparticipant Officer",
                                       "organization": "Sealedunit Police", "sex": "male"},
                                      {"name": "ឈ្មោះ អ្នកចូលរួម", "organization": "ប៉ុស្តិ៍",
                                       "sex": "female"}])
        self.assertEqual(v["participants"][0]["name"], "Sealedparticipant Officer")
        data = self.srv.file_bytes()
        for s in ("Sealedtrainer", "Sealedorg", "Sealedparticipant", "Sealedunit",
                  "ឈ្មោះ អ្នកចូលរួម"):
            self.assertNotIn(s.encode(), data, s)
        rows = self.srv.rows("SELECT sex, pre, post FROM training_participant"
                             " WHERE training_id = ? ORDER BY idx", (v["id"],))
        self.assertEqual([tuple(r) for r in rows], [("male", 40, 75), ("female", None, None)])

    def test_idempotent_retry(self):
        key = {"Idempotency-Key": "training-retry-1"}
        body = self.body(date="2026-02-11")
        st, _, first = self.req("POST", "/api/v1/trainings", body, as_user="supervisor",
                                headers=key)
        self.assertEqual(st, 201, first)
        with self.assertWritesNothing(ignore=("session",)):
            st, _, again = self.req("POST", "/api/v1/trainings", body, as_user="supervisor",
                                    headers=key)
        self.assertEqual(st, 201, again)
        self.assertEqual(again, first)
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/trainings", self.body(date="2026-02-12"),
                         as_user="supervisor", headers=key)
        self.assertError(a, 422, "validation_failed")

    def test_bad_bodies_change_nothing(self):
        for raw in (b"{", b'{"date": "2026-01-01\x00"}', b"\xff\xfe", b"[]"):
            with self.subTest(raw=raw):
                with self.assertWritesNothing():
                    st, _, v = self.req("POST", "/api/v1/trainings", raw=raw,
                                        as_user="supervisor",
                                        schema_check=ERROR_ONLY)
                self.assertIn(st, (400, 422), v)
                self.assertErrorShape(v)
        self.assertAlive()

    def test_unknown_training_is_404(self):
        self.assertError(self.req("GET", "/api/v1/trainings/" + NOWHERE, as_user="supervisor"),
                         404, "not_found")


class TrainingFiguresTest(ServerTestCase):
    """A new group with five members, three trainings, and every figure
    worked out by hand:

      members A (trainer), B, C, D, E; E deactivated after the trainings.
      T1 2026-01-10 safe_migration+labour_rights, members, by a supervisor:
         A, B, C and an outside police officer.
      T2 2026-02-05 safe_migration, representatives, by A: B, D and two
         outside people (a cascade training).
      T3 2026-03-01 leadership, community, by A: C and E.

    Coverage over the four active members: safe_migration A B C D = 4
    (100 %), labour_rights A B C = 3 (75 %), leadership C = 1 (25 %; E no
    longer counts), every other topic 0. Cascade: A gave 2 trainings (T2,
    T3) to 6 people; representatives 1 training, 4 people; community 1, 2;
    she trained B, C, D and E. From 2026-02-10 only T3 counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tok = {u: cls.srv.login(u) for u in ("admin", "supervisor")}
        sup = cls.srv.user("supervisor")
        body = {"name": "Figures group %d" % (time.time_ns() % 1000000),
                "location_code": "17071001"}
        if not cls.srv.user("admin")["organization_id"]:
            body["organization_id"] = sup["organization_id"]
        st, _, g = cls.srv.request("POST", "/api/v1/groups", body, token=tok["admin"])
        assert st == 201, g
        cls.gid = g["id"]
        cls.m = {}
        for name, roles in (("A", ["member", "trainer"]), ("B", ["member"]), ("C", ["member"]),
                            ("D", ["member"]), ("E", ["member"])):
            st, _, m = cls.srv.request(
                "POST", "/api/v1/groups/%s/members" % cls.gid,
                {"name_latn": "Figure " + name, "sex": "female", "birth_year": 1980,
                 "network_roles": roles}, token=tok["supervisor"])
            assert st == 201, m
            cls.m[name] = m
        out = {"name": "Out", "organization": "Police", "sex": "male"}

        def training(date, topics, audience, facilitator, participants):
            st, _, v = cls.srv.request("POST", "/api/v1/trainings", {
                "date": date, "topics": topics, "location_code": "17071001",
                "audience": audience, "group_id": cls.gid, "facilitator": facilitator,
                "participants": participants}, token=tok["supervisor"])
            assert st == 201, v
            return v

        mid = {k: {"member_id": v["id"]} for k, v in cls.m.items()}
        cls.t1 = training("2026-01-10", ["labour_rights", "safe_migration"], "members",
                          {"user_id": sup["id"]}, [mid["A"], mid["B"], mid["C"], out])
        cls.t2 = training("2026-02-05", ["safe_migration"], "representatives",
                          {"member_id": cls.m["A"]["id"]}, [mid["B"], mid["D"], out, out])
        cls.t3 = training("2026-03-01", ["leadership"], "community",
                          {"member_id": cls.m["A"]["id"]}, [mid["C"], mid["E"]])
        e = cls.m["E"]
        st, _, v = cls.srv.request("PATCH", "/api/v1/members/" + e["id"],
                                   {"version": e["version"], "active": False},
                                   token=tok["supervisor"])
        assert st == 200, v

    def get(self, path, as_user="supervisor"):
        st, _, v = self.req("GET", path, as_user=as_user)
        self.assertEqual(st, 200, v)
        return v

    def test_the_topics_come_back_in_the_lists_order(self):
        self.assertEqual(self.t1["topics"], ["safe_migration", "labour_rights"])

    def test_coverage(self):
        v = self.get("/api/v1/trainings/coverage?group_id=" + self.gid)
        self.assertEqual(v["group_id"], self.gid)
        self.assertEqual(v["members"], 4)
        expected = dict.fromkeys(TOPICS, (0, 0))
        expected.update(safe_migration=(4, 100), labour_rights=(3, 75), leadership=(1, 25))
        self.assertEqual([t["topic"] for t in v["topics"]], TOPICS)
        self.assertEqual({t["topic"]: (t["members"], t["pct"]) for t in v["topics"]}, expected)
        self.assertEqual(self.get("/api/v1/trainings/coverage?group_id=" + self.gid,
                                  "admin"), v)

    def test_cascade(self):
        v = self.get("/api/v1/trainings/cascade?group_id=" + self.gid)
        self.assertEqual(len(v["trainers"]), 1)
        a = v["trainers"][0]
        self.assertEqual(a["member_id"], self.m["A"]["id"])
        self.assertEqual(a["name_latn"], "Figure A")
        self.assertEqual((a["trainings"], a["participants"]), (2, 6))
        self.assertEqual(a["by_audience"], {"representatives": {"trainings": 1, "participants": 4},
                                            "community": {"trainings": 1, "participants": 2}})
        self.assertEqual(sorted(a["trained_members"]),
                         sorted(self.m[k]["id"] for k in "BCDE"))
        self.assertEqual((v["trainings"], v["participants"], v["cascade_trainings"],
                          v["cascade_participants"]), (2, 6, 1, 4))
        later = self.get("/api/v1/trainings/cascade?from=2026-02-10&group_id=" + self.gid)
        self.assertEqual((later["trainings"], later["participants"],
                          later["cascade_trainings"]), (1, 2, 0))
        self.assertEqual(later["trainers"][0]["trained_members"],
                         sorted([self.m["C"]["id"], self.m["E"]["id"]]))
        none = self.get("/api/v1/trainings/cascade?to=2026-01-31&group_id=" + self.gid)
        self.assertEqual(none["trainers"], [])
        self.assertError(self.req("GET", "/api/v1/trainings/cascade?from=2026-13-01",
                                  as_user="supervisor"), 422, "validation_failed",
                         fields=["from"])

    def test_what_a_member_was_trained_on(self):
        v = self.get("/api/v1/members/%s/trainings" % self.m["B"]["id"])
        self.assertEqual(v["topics"], ["safe_migration", "labour_rights"])
        self.assertEqual([t["id"] for t in v["trainings"]], [self.t2["id"], self.t1["id"]])
        d = self.get("/api/v1/members/%s/trainings" % self.m["D"]["id"])
        self.assertEqual(d["topics"], ["safe_migration"])
        a = self.get("/api/v1/members/%s/trainings" % self.m["A"]["id"])
        self.assertEqual([t["id"] for t in a["trainings"]], [self.t1["id"]])
        # rep1 does not reach this group's members
        self.assertError(self.req("GET", "/api/v1/members/%s/trainings" % self.m["B"]["id"],
                                  as_user="rep1"), 404, "not_found")

    def test_who_reads_the_figures(self):
        for user in ("member1", "trainer1", "analyst", "counsel"):
            with self.subTest(user=user):
                self.assertError(self.req("GET", "/api/v1/trainings/coverage", as_user=user),
                                 403, "forbidden")
                self.assertError(self.req("GET", "/api/v1/trainings/cascade", as_user=user),
                                 403, "forbidden")
        for path in ("coverage", "cascade"):
            self.assertError(self.req("GET", "/api/v1/trainings/%s?group_id=%s"
                                      % (path, self.gid), as_user="rep1"), 404, "not_found")
        # a representative's own figures: her group's members only
        rep = self.get("/api/v1/trainings/coverage", "rep1")
        g1 = self.get("/api/v1/groups/%s/members" % self.srv.user("rep1")["group_id"], "rep1")
        self.assertEqual(rep["members"], sum(1 for m in g1["items"] if m["active"]))
