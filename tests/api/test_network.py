"""Locations (the gazetteer), groups and their members."""

import time

from cbpnserver import ServerTestCase, q

LOCATION_KEYS = {"code", "level", "name_km", "name_en", "parent"}
GROUP_KEYS = {"id", "name", "location_code", "version"}
MEMBER_KEYS = {"id", "group_id", "name_km", "name_latn", "sex", "birth_year", "network_roles",
               "active", "version"}
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"  # an id that exists nowhere


def new_member(**over):
    m = {"name_km": "សុខ ស្រីនាង", "name_latn": "Sok Sreyneang", "sex": "female",
         "birth_year": 1990, "phone": "012 345 678", "network_roles": ["member"],
         "returnee": {"countries": ["TH"], "years_abroad": 3, "channel": "irregular",
                      "sector": "agriculture"}}
    m.update(over)
    return m


class LocationsTest(ServerTestCase):

    def locations(self, query, as_user="member1"):
        st, _, v = self.req("GET", "/api/v1/locations" + query, as_user=as_user)
        self.assertEqual(st, 200, v)
        self.assertIn("items", v)
        for it in v["items"]:
            self.assertEqual(set(it), LOCATION_KEYS, "location item keys")
        return v["items"]

    def test_no_parent_lists_the_25_provinces(self):
        items = self.locations("")
        self.assertEqual(len(items), 25, [i["code"] for i in items])
        self.assertTrue(all(i["level"] == "province" for i in items))
        self.assertIn("17", {i["code"] for i in items})
        sr = next(i for i in items if i["code"] == "17")
        self.assertEqual(sr["name_en"], "Siem Reap")
        self.assertEqual(sr["name_km"], "សៀមរាប")

    def test_parent_17_lists_siem_reap_districts(self):
        items = self.locations("?parent=17")
        codes = {i["code"] for i in items}
        self.assertIn("1707", codes)
        self.assertIn("1706", codes)
        for i in items:
            self.assertEqual(i["level"], "district")
            self.assertEqual(i["parent"], "17")
            self.assertTrue(i["code"].startswith("17"))

    def test_parent_commune_lists_its_villages(self):
        items = self.locations("?parent=170710")
        codes = {i["code"] for i in items}
        self.assertIn("17071001", codes)
        chas = next(i for i in items if i["code"] == "17071001")
        self.assertEqual(chas["level"], "village")
        self.assertEqual(chas["name_en"], "Puok Chas")

    def test_search_pouk_finds_puok_district(self):
        codes = [i["code"] for i in self.locations("?q=Pouk")]
        self.assertIn("1707", codes)

    def test_search_krolanh_finds_kralanh_district(self):
        codes = [i["code"] for i in self.locations("?q=Krolanh")]
        self.assertIn("1706", codes)

    def test_search_exact_latin_name(self):
        codes = [i["code"] for i in self.locations("?q=" + q("Siem Reap"))]
        self.assertIn("17", codes)

    def test_search_in_khmer(self):
        codes = [i["code"] for i in self.locations("?q=" + q("ពួក"))]
        self.assertIn("1707", codes)
        codes = [i["code"] for i in self.locations("?q=" + q("ក្រឡាញ់"))]
        self.assertIn("1706", codes)

    def test_search_with_invalid_utf8_in_query_is_400(self):
        with self.assertWritesNothing():
            a = self.req("GET", "/api/v1/locations?q=%FF%FE", as_user="member1")
        self.assertError(a, 400, "bad_request")

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_query_strings(self):
        self.assertGreater(len(self.srv.answers), 5)
        self.check_log_has_no_secrets(extra=["Pouk", "Krolanh", "q=", "%E1%9E"])


class GroupsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.g1 = cls.srv.user("member1")["group_id"]
        cls.g2 = cls.srv.user("member2")["group_id"]

    def admin_group_body(self, **over):
        body = {"name": "Test group %d" % (time.time_ns() % 1000000), "location_code": "17071001"}
        if not self.srv.user("admin")["organization_id"]:
            body["organization_id"] = self.srv.user("supervisor")["organization_id"]
        body.update(over)
        return body

    # ---- groups ----

    def test_admin_and_supervisor_list_the_8_demo_groups(self):
        for name in ("admin", "supervisor"):
            with self.subTest(user=name):
                items = self.list_all("/api/v1/groups", name)
                ids = {g["id"] for g in items}
                self.assertGreaterEqual(len(items), 8)
                self.assertIn(self.g1, ids)
                self.assertIn(self.g2, ids)
                for g in items:
                    self.assertTrue(GROUP_KEYS <= set(g), "group keys %r" % sorted(g))

    def test_demo_groups_lie_in_puok_or_kralanh_communes(self):
        for gid in (self.g1, self.g2):
            st, _, g = self.req("GET", "/api/v1/groups/" + gid, as_user="admin")
            self.assertEqual(st, 200, g)
            self.assertTrue(g["location_code"][:4] in ("1707", "1706"), g)
            self.assertGreaterEqual(len(g["location_code"]), 6, "not a commune or village")

    def test_group_1_is_in_puok_commune(self):
        st, _, g = self.req("GET", "/api/v1/groups/" + self.g1, as_user="supervisor")
        self.assertEqual(st, 200, g)
        self.assertEqual(g["location_code"], "170710")
        self.assertEqual(g["id"], self.g1)
        self.assertIsInstance(g["version"], int)

    def test_member_gets_her_own_group(self):
        st, _, g = self.req("GET", "/api/v1/groups/" + self.g1, as_user="member1")
        self.assertEqual(st, 200, g)
        self.assertEqual(g["id"], self.g1)

    def test_member_of_group_1_cannot_get_group_2_404(self):
        with self.assertWritesNothing():
            a = self.req("GET", "/api/v1/groups/" + self.g2, as_user="member1")
        self.assertError(a, 404, "not_found")
        self.assertError(self.req("GET", "/api/v1/groups/" + self.g2, as_user="rep1"),
                         404, "not_found")

    def test_member_list_of_groups_does_not_show_other_groups(self):
        st, _, v = self.req("GET", "/api/v1/groups", as_user="member1")
        if st == 403:
            return  # members may simply not list groups
        self.assertEqual(st, 200, v)
        ids = {g["id"] for g in v["items"]}
        self.assertNotIn(self.g2, ids)

    def test_unknown_group_is_404(self):
        self.assertError(self.req("GET", "/api/v1/groups/" + NOWHERE, as_user="admin"),
                         404, "not_found")

    def test_admin_creates_a_group_in_a_village(self):
        body = self.admin_group_body()
        st, _, g = self.req("POST", "/api/v1/groups", body, as_user="admin")
        self.assertEqual(st, 201, g)
        self.assertTrue(GROUP_KEYS <= set(g))
        self.assertEqual(g["name"], body["name"])
        self.assertEqual(g["location_code"], "17071001")
        st, _, g2 = self.req("GET", "/api/v1/groups/" + g["id"], as_user="admin")
        self.assertEqual(st, 200)
        self.assertEqual(g2["id"], g["id"])

    def test_admin_creates_a_group_in_a_commune(self):
        st, _, g = self.req("POST", "/api/v1/groups",
                            self.admin_group_body(location_code="170710"), as_user="admin")
        self.assertEqual(st, 201, g)

    def test_group_location_must_be_a_commune_or_village_422(self):
        for code in ("17", "1707", "99999999", "", "17071001x"):
            with self.subTest(location_code=code):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/groups",
                                 self.admin_group_body(location_code=code), as_user="admin")
                self.assertError(a, 422, "validation_failed", fields=["location_code"])

    def test_group_without_name_is_422(self):
        body = self.admin_group_body()
        body.pop("name")
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/groups", body, as_user="admin")
        self.assertError(a, 422, "validation_failed", fields=["name"])

    def test_non_admin_may_not_create_groups_403(self):
        for name in ("supervisor", "caseworker1", "rep1", "member1", "analyst", "counsel"):
            with self.subTest(user=name):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/groups", self.admin_group_body(), as_user=name)
                self.assertError(a, 403, "forbidden")

    # ---- members ----

    def test_rep1_adds_a_member_to_her_group_201_and_lists_it(self):
        body = new_member()
        st, _, m = self.req("POST", "/api/v1/groups/%s/members" % self.g1, body, as_user="rep1")
        self.assertEqual(st, 201, m)
        self.assertTrue(MEMBER_KEYS <= set(m), "member keys %r" % sorted(m))
        self.assertEqual(m["group_id"], self.g1)
        self.assertEqual(m["name_km"], body["name_km"])
        self.assertEqual(m["name_latn"], body["name_latn"])
        self.assertEqual(m["sex"], "female")
        self.assertEqual(m["birth_year"], 1990)
        self.assertEqual(m["network_roles"], ["member"])
        self.assertIs(m["active"], True)
        self.assertEqual(m["returnee"]["countries"], ["TH"])
        items = self.list_all("/api/v1/groups/%s/members" % self.g1, "rep1")
        self.assertIn(m["id"], {x["id"] for x in items})
        for x in items:
            self.assertEqual(x["group_id"], self.g1)

    def test_demo_groups_have_members(self):
        items = self.list_all("/api/v1/groups/%s/members" % self.g2, "rep2")
        self.assertGreaterEqual(len(items), 5, "the demo has about 20 members per group")
        for x in items:
            self.assertTrue(MEMBER_KEYS <= set(x), sorted(x))
            self.assertTrue(x["name_km"] or x["name_latn"])

    def test_rep1_cannot_add_to_group_2_and_the_answer_does_not_reveal_it(self):
        """Documented: the answer for another group is the same as for a group
        that does not exist (403 or 404, whichever the server chose; the
        server answers 404 not_found)."""
        with self.assertWritesNothing():
            other = self.req("POST", "/api/v1/groups/%s/members" % self.g2, new_member(),
                             as_user="rep1")
        with self.assertWritesNothing():
            none = self.req("POST", "/api/v1/groups/%s/members" % NOWHERE, new_member(),
                            as_user="rep1")
        self.assertIn(other[0], (403, 404), other[2])
        self.assertErrorShape(other[2])
        self.assertEqual((other[0], other[2]), (none[0], none[2]),
                         "another group's answer differs from a missing group's")

    def test_rep1_cannot_list_group_2_members(self):
        with self.assertWritesNothing():
            a = self.req("GET", "/api/v1/groups/%s/members" % self.g2, as_user="rep1")
        self.assertIn(a[0], (403, 404), a[2])
        none = self.req("GET", "/api/v1/groups/%s/members" % NOWHERE, as_user="rep1")
        self.assertEqual((a[0], a[2]), (none[0], none[2]))

    def test_member_may_not_add_members_403(self):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/groups/%s/members" % self.g1, new_member(),
                         as_user="member1")
        self.assertError(a, 403, "forbidden")

    # ---- editing: issue 8 item 1 ----

    def member_of(self, gid, rep):
        st, _, m = self.req("POST", "/api/v1/groups/%s/members" % gid, new_member(), as_user=rep)
        self.assertEqual(st, 201, m)
        return m

    def test_rep1_edits_and_deactivates_her_member_and_keeps_her(self):
        m = self.member_of(self.g1, "rep1")
        st, _, v = self.req("PATCH", "/api/v1/members/" + m["id"],
                            {"version": m["version"], "network_roles": ["member", "trainer"]},
                            as_user="rep1")
        self.assertEqual(st, 200, v)
        self.assertEqual(v["network_roles"], ["member", "trainer"])
        self.assertEqual(v["version"], m["version"] + 1)
        self.assertEqual(v["name_latn"], m["name_latn"])  # what was not sent stays
        self.assertEqual(v["returnee"], m["returnee"])
        self.assertEqual(v["phone"], "012 345 678")
        st, _, d = self.req("PATCH", "/api/v1/members/" + m["id"],
                            {"version": v["version"], "active": False}, as_user="rep1")
        self.assertEqual(st, 200, d)
        self.assertIs(d["active"], False)
        items = self.list_all("/api/v1/groups/%s/members" % self.g1, "rep1")
        kept = [x for x in items if x["id"] == m["id"]]
        self.assertEqual(len(kept), 1, "a deactivated member is never deleted")
        self.assertIs(kept[0]["active"], False)

    def test_member_patch_refusals_write_nothing(self):
        m = self.member_of(self.g1, "rep1")
        path = "/api/v1/members/" + m["id"]
        body = {"version": m["version"], "name_latn": "Changed"}
        for who in ("rep2", "caseworker1", "member1", "counsel", "analyst"):
            with self.subTest(user=who), self.assertWritesNothing():
                a = self.req("PATCH", path, body, as_user=who)
            expected = 404 if who == "rep2" else 403
            self.assertEqual(a[0], expected, (who, a[2]))
            self.assertErrorShape(a[2])
        none = self.req("PATCH", "/api/v1/members/" + NOWHERE, body, as_user="rep2")
        other = self.req("PATCH", path, body, as_user="rep2")
        self.assertEqual((other[0], other[2]), (none[0], none[2]))
        with self.assertWritesNothing():
            a = self.req("PATCH", path, {"version": m["version"] + 1, "name_latn": "X"},
                         as_user="rep1")
        self.assertError(a, 409, "conflict", fields=["version"])
        for over in ({"sex": "woman"}, {"active": "no"}, {"name_km": None, "name_latn": None},
                     {"network_roles": ["boss"]}, {}):
            with self.subTest(body=over), self.assertWritesNothing():
                b = dict(over)
                if over:
                    b["version"] = m["version"]
                a = self.req("PATCH", path, b, as_user="rep1")
            self.assertEqual(a[0], 422, a[2])

    def test_supervisor_manages_every_group_of_her_organization(self):
        m = self.member_of(self.g2, "supervisor")
        self.assertEqual(m["group_id"], self.g2)
        st, _, v = self.req("PATCH", "/api/v1/members/" + m["id"],
                            {"version": m["version"], "phone": None}, as_user="supervisor")
        self.assertEqual(st, 200, v)
        self.assertNotIn("phone", v)

    def test_group_patch(self):
        st, _, g = self.req("POST", "/api/v1/groups", self.admin_group_body(), as_user="admin")
        self.assertEqual(st, 201, g)
        path = "/api/v1/groups/" + g["id"]
        for who in ("rep1", "caseworker1", "member1"):
            with self.subTest(user=who), self.assertWritesNothing():
                a = self.req("PATCH", path, {"version": g["version"], "name": "X"}, as_user=who)
            self.assertIn(a[0], (403, 404), a[2])
        with self.assertWritesNothing():
            a = self.req("PATCH", path, {"version": g["version"], "location_code": "1707"},
                         as_user="supervisor")
        self.assertError(a, 422, "validation_failed", fields=["location_code"])
        st, _, v = self.req("PATCH", path, {"version": g["version"], "name": "Renamed group",
                                            "location_code": "170710"}, as_user="supervisor")
        self.assertEqual(st, 200, v)
        self.assertEqual((v["name"], v["location_code"], v["version"]),
                         ("Renamed group", "170710", g["version"] + 1))
        with self.assertWritesNothing():
            a = self.req("PATCH", path, {"version": g["version"], "name": "Again"},
                         as_user="admin")
        self.assertError(a, 409, "conflict")

    def test_invalid_members_are_422_and_write_nothing(self):
        cases = [
            ("sex", {"sex": None}),
            ("sex", {"sex": "woman"}),
            ("birth_year", {"birth_year": "1990"}),
            ("network_roles", {"network_roles": ["boss"]}),
            ("network_roles", {"network_roles": "member"}),
        ]
        for field, over in cases:
            with self.subTest(body=over):
                body = new_member(**over)
                if over.get("sex", "") is None:
                    body.pop("sex")
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/groups/%s/members" % self.g1, body,
                                 as_user="rep1")
                self.assertError(a, 422, "validation_failed", fields=[field])

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_member_names_or_phones(self):
        self.check_log_has_no_secrets(extra=["Sok Sreyneang", "សុខ ស្រីនាង", "012 345 678"])
