"""The trainings pages (GET, POST /trainings, /trainings/{id},
/trainings/figures): a representative records a training with the group's
members ticked, an outside guest and scores in one form; the rows left empty
are dropped and the scores follow their rows; a trainer gives one herself; a
member without the trainer role gets no form; CSRF and post-redirect-get as
every form; a bad form comes back and writes nothing; the figures page shows
the coverage and the cascade to who may read them."""

import re

from cbpnserver import ServerTestCase
from test_pages import PageClient, forms_of


class TrainingPagesTest(PageClient, ServerTestCase):

    def me(self, user):
        st, _, me = self.req("GET", "/api/v1/me", as_user=user)
        self.assertEqual(st, 200, me)
        return me

    def trainings(self, user):
        return self.list_all("/api/v1/trainings", user)

    def training_form(self, page):
        return next((f for f in forms_of(page) if f["action"] == "/trainings"), None)

    def base(self, csrf, **over):
        f = {"csrf": csrf, "date": "2026-04-02", "place.province": "17",
             "place.district": "1707", "place.commune": "170710", "place.village": "17071002",
             "audience": "members", "topic": ["safe_migration", "leadership"],
             "fac_kind": "me", "send": "1"}
        f.update(over)
        return {k: v for k, v in f.items() if v is not None}

    def test_the_form_is_ready_for_a_representative(self):
        cookies, _ = self.sign_in("rep1")
        st, _, page = self.page("GET", "/trainings?lang=en", cookies)
        self.assertEqual(st, 200, page[:300])
        form = self.training_form(page)
        self.assertIsNotNone(form)
        self.assertEqual(form["inputs"]["group_id"], self.me("rep1")["group_id"])
        self.assertEqual(len(re.findall(rb'type="checkbox" name="topic"', page)), 11)
        self.assertIn(b'id="member-rows"', page)
        self.assertEqual(len(re.findall(rb'name="participants\.\d+\.name"', page)), 5)
        self.assertIn(b'id="nav-trainings"', page)
        self.assertIn(b'id="figures-link"', page)
        # the group's commune chosen to begin with
        self.assertIn(b'<option value="170710" selected>', page)

    def test_khmer_first(self):
        cookies, _ = self.sign_in("rep1")
        st, _, page = self.page("GET", "/trainings", cookies)
        self.assertEqual(st, 200)
        self.assertIn("វគ្គបណ្តុះបណ្តាល".encode(), page)
        self.assertIn("សមាជិកក្រុមដែលបានចូលរួម".encode(), page)

    def test_a_representative_records_with_members_a_guest_and_scores(self):
        cookies, csrf = self.sign_in("rep1")
        st, _, page = self.page("GET", "/trainings", cookies)
        inputs = self.training_form(page)["inputs"]
        members = re.findall(rb'name="participants\.(\d+)\.member_id" value="([a-z0-9]+)"',
                             page)
        self.assertGreaterEqual(len(members), 3)
        nmembers = int(inputs["member_rows"])
        # members 0 and 2 ticked, member 2 scored; outside row 1 filled and
        # scored, row 0 left empty; a score on an unticked member is dropped
        (i0, m0), (i1, _), (i2, m2) = [(int(i), m.decode()) for i, m in members[:3]]
        g = nmembers + 1
        form = self.base(inputs["csrf"], group_id=inputs["group_id"],
                         idempotency_key=inputs["idempotency_key"], **{
                             "participants.%d.member_id" % i0: m0,
                             "participants.%d.member_id" % i2: m2,
                             "scores.%d.participant_index" % i2: str(i2),
                             "scores.%d.pre" % i2: "30", "scores.%d.post" % i2: "80",
                             "scores.%d.participant_index" % i1: str(i1),
                             "scores.%d.pre" % i1: "10", "scores.%d.post" % i1: "20",
                             "participants.%d.name" % g: "Guest Councillor",
                             "participants.%d.organization" % g: "Commune council",
                             "participants.%d.sex" % g: "male",
                             "scores.%d.participant_index" % g: str(g),
                             "scores.%d.pre" % g: "55", "scores.%d.post" % g: "60"})
        before = {t["id"] for t in self.trainings("rep1")}
        st, h, body = self.page("POST", "/trainings", cookies, form)
        self.assertEqual(st, 303, body[:800])
        self.assertEqual(h["Location"], "/trainings?saved=1")
        new = [t for t in self.trainings("rep1") if t["id"] not in before]
        self.assertEqual(len(new), 1)
        st, _, t = self.req("GET", "/api/v1/trainings/" + new[0]["id"], as_user="rep1")
        self.assertEqual(st, 200, t)
        self.assertEqual(t["location_code"], "17071002")
        self.assertEqual(t["topics"], ["safe_migration", "leadership"])
        self.assertEqual(t["facilitator"]["member_id"], self.me("rep1")["member_id"])
        self.assertEqual([p.get("member_id") for p in t["participants"]], [m0, m2, None])
        self.assertEqual(t["participants"][2]["name"], "Guest Councillor")
        self.assertEqual(t["scores"], [{"participant_index": 1, "pre": 30, "post": 80},
                                       {"participant_index": 2, "pre": 55, "post": 60}])
        # sent twice, one training
        st, _, _ = self.page("POST", "/trainings", cookies, form)
        self.assertEqual(st, 303)
        self.assertEqual(len([x for x in self.trainings("rep1") if x["id"] not in before]), 1)
        # its page shows who attended
        st, _, page = self.page("GET", "/trainings/" + t["id"] + "?lang=en", cookies)
        self.assertEqual(st, 200)
        self.assertIn(b"Guest Councillor", page)
        self.assertIn(b'id="participant-table"', page)
        st, _, _ = self.page("GET", "/trainings/" + t["id"], self.sign_in("rep2")[0])
        self.assertEqual(st, 404)

    def test_more_rows_posts_back_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        form = self.base(csrf, group_id=self.me("rep1")["group_id"], step="rows", send=None,
                         rows="5")
        with self.assertWritesNothing():
            st, _, page = self.page("POST", "/trainings", cookies, form)
        self.assertEqual(st, 200)
        self.assertEqual(len(re.findall(rb'name="participants\.\d+\.name"', page)), 10)

    def test_a_trainer_gives_one_herself(self):
        cookies, csrf = self.sign_in("trainer1")
        st, _, page = self.page("GET", "/trainings", cookies)
        inputs = self.training_form(page)["inputs"]
        form = self.base(inputs["csrf"], group_id=inputs["group_id"], audience="community",
                         **{"participants.0.name": "Villager", "participants.0.organization":
                            "Village", "participants.0.sex": "female"})
        st, _, body = self.page("POST", "/trainings", cookies, form)
        self.assertEqual(st, 303, body[:800])
        t = self.trainings("trainer1")[0]
        self.assertEqual(t["facilitator"], {"member_id": self.me("trainer1")["member_id"],
                                            "trainer": True})

    def test_a_member_without_the_trainer_role_gets_no_form(self):
        cookies, csrf = self.sign_in("member1")
        st, _, page = self.page("GET", "/trainings", cookies)
        self.assertEqual(st, 200)
        self.assertIsNone(self.training_form(page))
        self.assertNotIn(b'id="figures-link"', page)
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/trainings", cookies, self.base(
                csrf, **{"participants.0.name": "X", "participants.0.organization": "Y",
                         "participants.0.sex": "male"}))
        self.assertEqual(st, 403)

    def test_without_csrf_is_403_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        for bad in (None, "x" + csrf):
            with self.subTest(csrf=bad):
                with self.assertWritesNothing():
                    st, _, _ = self.page("POST", "/trainings", cookies, self.base(bad))
                self.assertEqual(st, 403)

    def test_a_bad_form_comes_back_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        form = self.base(csrf, group_id=self.me("rep1")["group_id"], topic=None,
                         date="1999-01-01", fac_kind="outside")
        with self.assertWritesNothing():
            st, _, page = self.page("POST", "/trainings?lang=en", cookies, form)
        self.assertEqual(st, 422, page[:300])
        for err in (b'id="err-topics"', b'id="err-date"', b'id="err-facilitator"',
                    b'id="err-participants"', b'id="form-errors"'):
            self.assertIn(err, page)
        self.assertIn(b'value="1999-01-01"', page)

    def test_the_figures_page(self):
        cookies, _ = self.sign_in("supervisor")
        st, _, page = self.page("GET", "/trainings/figures?lang=en", cookies)
        self.assertEqual(st, 200, page[:300])
        st2, _, cov = self.req("GET", "/api/v1/trainings/coverage", as_user="supervisor")
        self.assertEqual(st2, 200)
        self.assertIn(('Active members: %d' % cov["members"]).encode(), page)
        for t in cov["topics"]:
            row = re.search(rb'<tr data-topic="' + t["topic"].encode() +
                            rb'"><th scope="row">[^<]*</th><td class="members">(\d+)</td>',
                            page)
            self.assertIsNotNone(row, t["topic"])
            self.assertEqual(int(row.group(1)), t["members"])
        st, _, _ = self.page("GET", "/trainings/figures", self.sign_in("member1")[0])
        self.assertEqual(st, 403)

    def test_a_members_page_shows_what_she_was_trained_on(self):
        cookies, _ = self.sign_in("rep1")
        members = self.list_all("/api/v1/groups/%s/members" % self.me("rep1")["group_id"],
                                "rep1")
        for m in members[:3]:
            with self.subTest(member=m["id"]):
                st, _, t = self.req("GET", "/api/v1/members/%s/trainings" % m["id"],
                                    as_user="rep1")
                self.assertEqual(st, 200, t)
                st, _, page = self.page("GET", "/members/%s/edit" % m["id"], cookies)
                self.assertEqual(st, 200)
                para = re.search(rb'<p id="trained-on">(.*?)</p>', page, re.S)
                self.assertIsNotNone(para)
                self.assertEqual(re.findall(rb'data-code="([a-z_]+)"', para.group(1)),
                                 [c.encode() for c in t["topics"]])
        # the demo trained members 1 to 6 of every group
        self.assertTrue(any(self.req("GET", "/api/v1/members/%s/trainings" % m["id"],
                                     as_user="rep1")[2]["topics"] for m in members))
