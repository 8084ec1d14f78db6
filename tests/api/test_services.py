"""The service directory: GET, POST /api/v1/services, PATCH /api/v1/services/{id}."""

import itertools

from cbpnserver import ServerTestCase

SERVICE_KEYS = {"id", "organization_id", "type", "name", "areas", "location_code", "contact",
                "hours", "languages", "version"}
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"  # an id that exists nowhere
_names = itertools.count(1)


class ServicesTest(ServerTestCase):

    def org_of(self, user):
        st, _, me = self.req("GET", "/api/v1/me", as_user=user)
        self.assertEqual(st, 200, me)
        return me["organization_id"]

    def body(self, **over):
        b = {"organization_id": self.org_of("shelter"), "type": "shelter",
             "name": "Test service %03d" % next(_names), "areas": ["1707"],
             "location_code": "171004", "contact": "012 000 111", "hours": "Mon-Fri 8-17",
             "languages": ["km", "en"], "eligibility": "Women and children"}
        b.update(over)
        return b

    def create(self, **over):
        st, _, s = self.req("POST", "/api/v1/services", self.body(**over), as_user="admin")
        self.assertEqual(st, 201, s)
        return s

    def listed(self, query="", as_user="admin"):
        st, _, v = self.req("GET", "/api/v1/services" + query, as_user=as_user)
        self.assertEqual(st, 200, v)
        for it in v["items"]:
            self.assertTrue(SERVICE_KEYS <= set(it) <= SERVICE_KEYS | {"eligibility"}, it)
        return v["items"]

    # ---- create ----

    def test_admin_creates_a_service_201(self):
        body = self.body()
        s = self.create(**body)
        self.assertTrue(SERVICE_KEYS <= set(s))
        for k in ("organization_id", "type", "name", "areas", "location_code", "contact",
                  "hours", "languages", "eligibility"):
            self.assertEqual(s[k], body[k], k)
        self.assertEqual(s["version"], 1)
        self.assertIn(s["id"], {i["id"] for i in self.listed()})

    def test_a_service_without_areas_or_eligibility(self):
        s = self.create(areas=[], eligibility=None, location_code=None)
        self.assertEqual(s["areas"], [])
        self.assertNotIn("eligibility", s)
        self.assertIsNone(s["location_code"])

    def test_bad_codes_are_422_with_their_fields(self):
        cases = [({"type": "counselling"}, "type"),
                 ({"areas": ["99999999"]}, "areas"),
                 ({"areas": ["1707", "1707"]}, "areas"),
                 ({"location_code": "1799"}, "location_code"),
                 ({"languages": ["xx"]}, "languages"),
                 ({"name": ""}, "name"),
                 ({"organization_id": NOWHERE}, "organization_id")]
        for over, field in cases:
            with self.subTest(field=field, over=over):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/services", self.body(**over), as_user="admin")
                self.assertError(a, 422, "validation_failed", fields=[field])

    def test_required_fields_422(self):
        for field in ("organization_id", "type", "name", "contact", "hours"):
            with self.subTest(field=field):
                body = self.body()
                body.pop(field)
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/services", body, as_user="admin")
                self.assertError(a, 422, "validation_failed", fields=[field])

    def test_non_admin_may_not_create_403(self):
        for name in ("supervisor", "caseworker1", "rep1", "member1", "analyst", "shelter"):
            with self.subTest(user=name):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/services", self.body(), as_user=name)
                self.assertError(a, 403, "forbidden")

    # ---- patch ----

    def test_admin_patches_at_the_version_read(self):
        s = self.create()
        st, _, p = self.req("PATCH", "/api/v1/services/" + s["id"],
                            {"version": 1, "hours": "Every day", "languages": ["km", "th"],
                             "eligibility": None}, as_user="admin")
        self.assertEqual(st, 200, p)
        self.assertEqual(p["version"], 2)
        self.assertEqual(p["hours"], "Every day")
        self.assertEqual(p["languages"], ["km", "th"])
        self.assertNotIn("eligibility", p)
        self.assertEqual(p["name"], s["name"])
        self.assertEqual(p["areas"], s["areas"])
        got = next(i for i in self.listed() if i["id"] == s["id"])
        self.assertEqual(got, p)

    def test_stale_version_409_writes_nothing(self):
        s = self.create()
        st, _, _ = self.req("PATCH", "/api/v1/services/" + s["id"],
                            {"version": 1, "name": s["name"] + " (moved)"}, as_user="admin")
        self.assertEqual(st, 200)
        with self.assertWritesNothing():
            a = self.req("PATCH", "/api/v1/services/" + s["id"],
                         {"version": 1, "hours": "never"}, as_user="admin")
        self.assertError(a, 409)

    def test_patch_refusals(self):
        s = self.create()
        path = "/api/v1/services/" + s["id"]
        cases = [({"version": 1, "type": "nope"}, "type"),
                 ({"version": 1, "areas": ["12345678"]}, "areas"),
                 ({"version": 1, "languages": ["km", "km"]}, "languages"),
                 ({"version": 1, "name": None}, "name"),
                 ({"hours": "x"}, "version")]
        for body, field in cases:
            with self.subTest(field=field):
                with self.assertWritesNothing():
                    a = self.req("PATCH", path, body, as_user="admin")
                self.assertError(a, 422, "validation_failed", fields=[field])
        with self.assertWritesNothing():
            a = self.req("PATCH", "/api/v1/services/" + NOWHERE, {"version": 1},
                         as_user="admin")
        self.assertError(a, 404, "not_found")
        for name in ("supervisor", "member1", "shelter"):
            with self.subTest(user=name):
                with self.assertWritesNothing():
                    a = self.req("PATCH", path, {"version": 1, "hours": "x"}, as_user=name)
                self.assertError(a, 403, "forbidden")

    # ---- list ----

    def test_every_role_reads_the_directory(self):
        s = self.create()
        for name in ("member1", "rep1", "caseworker1", "supervisor", "shelter", "analyst"):
            with self.subTest(user=name):
                self.assertIn(s["id"], {i["id"] for i in self.listed(as_user=name)})

    def test_by_name_and_by_type(self):
        a = self.create(type="legal", name="Zz legal two")
        b = self.create(type="legal", name="Zz legal one")
        c = self.create(type="health", name="Zz health")
        items = self.listed("?type=legal")
        self.assertTrue(all(i["type"] == "legal" for i in items))
        ids = [i["id"] for i in items]
        self.assertNotIn(c["id"], ids)
        self.assertLess(ids.index(b["id"]), ids.index(a["id"]))
        names = [i["name"] for i in self.listed()]
        self.assertEqual(names, sorted(names))

    def test_nearest_first_with_location(self):
        t = "repatriation"
        made = {
            "national": self.create(type=t, name="A national", areas=[]),
            "province": self.create(type=t, name="B province", areas=["17"]),
            "district": self.create(type=t, name="C district", areas=["1707"]),
            "commune": self.create(type=t, name="D commune", areas=["1706", "170710"]),
            "village": self.create(type=t, name="E village", areas=["17071001"]),
            "elsewhere": self.create(type=t, name="F elsewhere", areas=["1706", "12"]),
        }
        ours = {s["id"]: k for k, s in made.items()}

        def order(location):
            return [ours[i["id"]] for i in self.listed("?type=%s&location=%s" % (t, location))
                    if i["id"] in ours]

        self.assertEqual(order("17071001"),
                         ["village", "commune", "district", "province", "national"])
        self.assertEqual(order("1707"), ["district", "province", "national"])
        self.assertEqual(order("1706"), ["commune", "elsewhere", "province", "national"])
        self.assertEqual(order("01"), ["national"])
        # Without location, by name.
        self.assertEqual([ours[i["id"]] for i in self.listed("?type=" + t) if i["id"] in ours],
                         ["national", "province", "district", "commune", "village", "elsewhere"])

    def test_bad_query_is_422(self):
        self.assertError(self.req("GET", "/api/v1/services?type=nope", as_user="member1"),
                         422, "validation_failed", fields=["type"])
        self.assertError(self.req("GET", "/api/v1/services?location=999", as_user="member1"),
                         422, "validation_failed", fields=["location"])
