"""Consent records and referrals over the API (DOMAIN.md §3 and §4; API.md
"Cases" and "Referrals and services").

Expectations come from those documents and the rules stated in
src/domain/referrals.h, not from the code:
 - a referral needs a standing `services` consent and a standing `share_with`
   consent covering the receiving organization or its service type; for each
   purpose and scope the latest record decides; the organization's own latest
   share_with record decides over its type's; a withdrawn record covers
   nothing; else 422 consent_required and nothing is written;
 - a supervisor may override for a survivor under 18, with a reason: the
   referral is marked consent_override and the override audited;
 - states: sent -> accepted | declined (note) ; accepted -> completed (note),
   by the receiving organization; sent | accepted -> withdrawn by the
   sender's staff; any other move 409; a referral out of sight 404; a role
   without referrals 403;
 - the receiving provider sees the summary, the reason and the history, the
   identity only while a share_with consent covers her organization or its
   type, never the slip;
 - follow-up due after 3 (urgent) or 7 (routine) days, or the meta settings;
 - the slip: 8 letters of Crockford base 32; 5 wrong codes lock it for an hour.
"""

import datetime
import re
import subprocess
import threading

import test_http
from cbpnserver import CBPN_BIN, ERROR_ONLY, SLOW, ServerTestCase

STATUSES = ("sent", "accepted", "declined", "completed", "withdrawn")
# The moves that exist, and who makes them.
MOVES = {
    ("sent", "accepted"): "receiver",
    ("sent", "declined"): "receiver",
    ("accepted", "completed"): "receiver",
    ("sent", "withdrawn"): "sender",
    ("accepted", "withdrawn"): "sender",
}
NOTE_REQUIRED = {"declined", "completed"}
# Every role, as seen from a referral of a case assigned to caseworker1,
# addressed to the shelter (Safe Roof's service).
ROLES = {
    "member1": "none",       # no referral access: 403
    "rep1": "none",
    "analyst": "none",
    "admin": "none",
    "caseworker1": "sender",  # assigned to the case
    "caseworker2": "hidden",  # not assigned: may not see it, 404
    "supervisor": "sender",
    "shelter": "receiver",    # a provider of the receiving organization
    "legal": "hidden",        # a provider of another organization: 404
}
NO_ACCESS = ("member1", "rep1", "analyst", "admin")
CROCKFORD = re.compile(r"^[0-9A-HJKMNP-TV-Z]{8}$")
NOWHERE = "zzzzzzzzzzzzzzzzzzzz"

SURVIVOR_NAME = "Reftest Survivorname"
SURVIVOR_PHONE = "012 000 777"
SURVIVOR_ADDRESS = "Reftest house by the pagoda"
REASON = "Refreason she needs a safe place tonight"
DECLINE_NOTE = "Refdecline no bed free this week"
OUTCOME_NOTE = "Refoutcome stayed twelve nights"
OVERRIDE_REASON = "Refoverride the child is in danger at home"
WITHDRAW_REASON = "Refwithdraw she changed her mind"
SECRETS = (SURVIVOR_NAME, SURVIVOR_PHONE, SURVIVOR_ADDRESS, REASON, DECLINE_NOTE,
           OUTCOME_NOTE, OVERRIDE_REASON, WITHDRAW_REASON)


def stamp(s):
    """An RFC 3339 UTC time of the API as a datetime."""
    for fmt in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.datetime.strptime(s, fmt)
        except ValueError:
            pass
    raise AssertionError("not an RFC 3339 UTC time: %r" % s)


class ReferralBase(ServerTestCase):
    USERS = ServerTestCase.USERS + ("supervisor2", "health")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        srv.secrets.update(SECRETS)
        cls.uid = {u: srv.user(u)["id"] for u in cls.USERS}
        cls.org = {u: srv.user(u)["organization_id"] for u in cls.USERS}
        st, _, v = srv.request("GET", "/api/v1/services", token=srv.login("admin"))
        assert st == 200, v
        # One service of each provider, by the provider user who answers it.
        by_org = {}
        for s in v["items"]:
            by_org.setdefault(s["organization_id"], s)
        cls.svc = {u: by_org[cls.org[u]] for u in ("shelter", "legal", "counsel", "health")}

    # ---- helpers ----

    def new_case(self, age=30, assign="caseworker1", by="supervisor", **survivor):
        s = {"sex": "female", "age": age, "name_latn": SURVIVOR_NAME, "phone": SURVIVOR_PHONE,
             "address_text": SURVIVOR_ADDRESS}
        s.update(survivor)
        s = {k: v for k, v in s.items() if v is not None}
        body = {"location_code": "17071001", "concerns": ["trafficking", "unsafe_migration"],
                "summary": "Referral test case.", "survivor": s}
        st, _, c = self.req("POST", "/api/v1/cases", body, as_user=by)
        self.assertEqual(st, 201, c)
        if assign:
            st, _, c = self.req("POST", "/api/v1/cases/%s/assign" % c["id"],
                                {"caseworker_id": self.uid[assign]}, as_user="supervisor")
            self.assertEqual(st, 200, c)
        return c

    def consent(self, cid, purpose, given=True, org=None, type=None, by="survivor",
                user="caseworker1", want=201, **extra):
        body = {"purpose": purpose, "given": given, "method": "verbal", "by": by}
        if org is not None:
            body["organization_id"] = org
        if type is not None:
            body["service_type"] = type
        body.update(extra)
        st, _, v = self.req("POST", "/api/v1/cases/%s/consents" % cid, body, as_user=user)
        self.assertEqual(st, want, "%r: %r" % (body, v))
        return v

    def consent_for(self, cid, provider="shelter", by="survivor"):
        """services and share_with naming the provider's organization."""
        self.consent(cid, "services", by=by)
        return self.consent(cid, "share_with", org=self.org[provider], by=by)

    def withdraw(self, cid, consent_id, user="caseworker1", want=200, **body):
        st, _, v = self.req("POST", "/api/v1/cases/%s/consents/%s/withdraw" % (cid, consent_id),
                            body, as_user=user)
        self.assertEqual(st, want, v)
        return v

    def refer_body(self, provider="shelter", **over):
        b = {"service_id": self.svc[provider]["id"], "urgency": "routine", "reason": REASON}
        b.update(over)
        return b

    def refer(self, cid, provider="shelter", user="caseworker1", want=201, **over):
        st, _, v = self.req("POST", "/api/v1/cases/%s/referrals" % cid,
                            self.refer_body(provider, **over), as_user=user)
        self.assertEqual(st, want, v)
        return v

    def get(self, rid, user="caseworker1", want=200):
        st, _, v = self.req("GET", "/api/v1/referrals/" + rid, as_user=user)
        self.assertEqual(st, want, "GET by %s: %r" % (user, v))
        return v

    def patch(self, rid, user, status, version, note=None, want=200):
        body = {"version": version, "status": status}
        if note is not None:
            body["note"] = note
        st, _, v = self.req("PATCH", "/api/v1/referrals/" + rid, body, as_user=user)
        self.assertEqual(st, want, "%s -> %s by %s: %r" % (version, status, user, v))
        return v

    def note_for(self, status):
        return {"declined": DECLINE_NOTE, "completed": OUTCOME_NOTE}.get(status)

    def referral_in(self, status, cid):
        """A new referral of case cid (with its consents), moved to status."""
        r = self.refer(cid)
        if status == "sent":
            return r
        if status in ("accepted", "completed"):
            r = self.patch(r["id"], "shelter", "accepted", r["version"])
        if status == "completed":
            r = self.patch(r["id"], "shelter", "completed", r["version"], OUTCOME_NOTE)
        if status == "declined":
            r = self.patch(r["id"], "shelter", "declined", r["version"], DECLINE_NOTE)
        if status == "withdrawn":
            r = self.patch(r["id"], "caseworker1", "withdrawn", r["version"])
        self.assertEqual(r["status"], status)
        return r

    def ids(self, path, user):
        return [r["id"] for r in self.list_all(path, user)]


class ReferralMovesTest(ReferralBase):
    """Every move from every status for every role."""

    def setUp(self):
        if not hasattr(type(self), "case"):
            type(self).case = self.new_case()
            self.consent_for(self.case["id"])

    def expected(self, frm, to, kind):
        if kind == "none":
            return 403
        if kind == "hidden":
            return 404
        return 200 if MOVES.get((frm, to)) == kind else 409

    def test_every_move_for_every_role(self):
        cid = self.case["id"]
        for frm in STATUSES:
            r = self.referral_in(frm, cid)
            for to in STATUSES:
                refused = [(u, k) for u, k in ROLES.items() if self.expected(frm, to, k) != 200]
                with self.subTest(frm=frm, to=to), self.assertWritesNothing():
                    for user, kind in refused:
                        want = self.expected(frm, to, kind)
                        v = self.patch(r["id"], user, to, r["version"], self.note_for(to), want)
                        self.assertErrorShape(v, {403: "forbidden", 404: "not_found",
                                                  409: "conflict"}[want])
                self.assertEqual(self.get(r["id"])["version"], r["version"])
                for user, kind in ROLES.items():
                    if self.expected(frm, to, kind) != 200:
                        continue
                    with self.subTest(frm=frm, to=to, user=user):
                        fresh = self.referral_in(frm, cid)
                        v = self.patch(fresh["id"], user, to, fresh["version"], self.note_for(to))
                        self.assertEqual(v["status"], to)
                        self.assertEqual(v["version"], fresh["version"] + 1)
                        last = v["history"][-1]
                        self.assertEqual((last["status"], last["user"]), (to, self.uid[user]))
                        if to in NOTE_REQUIRED:
                            self.assertEqual(last["note"], self.note_for(to))
                        self.assertEqual(self.get(fresh["id"], "supervisor")["status"], to)

    def test_moves_that_exist_are_exactly_the_domain_s(self):
        # Each allowed pair is allowed for some role; no other pair for anyone.
        allowed = {(f, t) for f in STATUSES for t in STATUSES
                   for k in ROLES.values() if self.expected(f, t, k) == 200}
        self.assertEqual(allowed, set(MOVES))

    def test_the_history_holds_every_move_with_its_notes(self):
        r = self.referral_in("completed", self.case["id"])
        h = r["history"]
        self.assertEqual([m["status"] for m in h], ["sent", "accepted", "completed"])
        self.assertEqual([m["user"] for m in h],
                         [self.uid["caseworker1"], self.uid["shelter"], self.uid["shelter"]])
        self.assertNotIn("note", h[0])
        self.assertEqual(h[2]["note"], OUTCOME_NOTE)
        for m in h:
            stamp(m["at"])
        self.assertEqual(r["version"], 3)
        self.assertEqual(self.get(r["id"], "shelter")["history"], h)

    def test_decline_and_complete_need_a_note(self):
        cid = self.case["id"]
        sent = self.referral_in("sent", cid)
        accepted = self.referral_in("accepted", cid)
        for r, to in ((sent, "declined"), (accepted, "completed")):
            for note in (None, ""):
                with self.subTest(to=to, note=note), self.assertWritesNothing():
                    v = self.patch(r["id"], "shelter", to, r["version"], note, 422)
                    self.assertErrorShape(v, "validation_failed", ["note"])
        # With one they pass.
        self.patch(sent["id"], "shelter", "declined", sent["version"], DECLINE_NOTE)
        self.patch(accepted["id"], "shelter", "completed", accepted["version"], OUTCOME_NOTE)

    def test_accept_and_withdraw_take_an_optional_note(self):
        r = self.referral_in("sent", self.case["id"])
        v = self.patch(r["id"], "shelter", "accepted", r["version"], "Refaccept we call her")
        self.assertEqual(v["history"][-1].get("note"), "Refaccept we call her")
        v = self.patch(r["id"], "caseworker1", "withdrawn", v["version"])
        self.assertNotIn("note", v["history"][-1])

    def test_a_stale_version_is_409_and_writes_nothing(self):
        r = self.referral_in("sent", self.case["id"])
        v = self.patch(r["id"], "shelter", "accepted", r["version"])
        for user, to, note in (("shelter", "completed", OUTCOME_NOTE),
                               ("caseworker1", "withdrawn", None),
                               ("supervisor", "withdrawn", None)):
            with self.subTest(user=user, to=to), self.assertWritesNothing():
                e = self.patch(r["id"], user, to, r["version"], note, 409)
                self.assertErrorShape(e, "conflict")
        for version in (v["version"] + 1, 1000):
            with self.subTest(version=version), self.assertWritesNothing():
                self.patch(r["id"], "shelter", "completed", version, OUTCOME_NOTE, 409)
        self.patch(r["id"], "shelter", "completed", v["version"], OUTCOME_NOTE)

    def test_unknown_referrals_are_404(self):
        for rid in (NOWHERE, "not-an-id", "x" * 200):
            for user in ("caseworker1", "supervisor", "shelter"):
                with self.subTest(rid=rid, user=user), self.assertWritesNothing():
                    self.get(rid, user, 404)
                    self.patch(rid, user, "accepted", 1, want=404)

    def test_roles_without_referrals_get_403_everywhere(self):
        r = self.referral_in("sent", self.case["id"])
        cid = self.case["id"]
        for user in NO_ACCESS:
            with self.subTest(user=user), self.assertWritesNothing():
                self.assertError(self.req("GET", "/api/v1/referrals/" + r["id"], as_user=user),
                                 403, "forbidden")
                self.assertError(self.req("GET", "/api/v1/referrals", as_user=user), 403,
                                 "forbidden")
                self.assertError(self.req("POST", "/api/v1/referrals/verify",
                                          {"case_code": self.case["code"], "code": "ABCDEFGH"},
                                          as_user=user), 403, "forbidden")
                st, _, v = self.req("POST", "/api/v1/cases/%s/referrals" % cid,
                                    self.refer_body(), as_user=user)
                self.assertIn(st, (403, 404), v)
                st, _, v = self.req("POST", "/api/v1/cases/%s/consents" % cid,
                                    {"purpose": "services", "given": True, "method": "verbal",
                                     "by": "survivor"}, as_user=user)
                self.assertIn(st, (403, 404), v)
        for user in ("shelter", "legal"):  # providers neither refer nor record consent
            with self.subTest(user=user), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/referrals" % cid,
                                    self.refer_body(), as_user=user)
                self.assertEqual(st, 403, v)
                st, _, v = self.req("GET", "/api/v1/cases/%s/consents" % cid, as_user=user)
                self.assertEqual(st, 403, v)

    def test_two_providers_of_the_receiving_organization_race(self):
        """Two provider users of the shelter PATCH the same referral at the
        same version at once: exactly one 200, one 409."""
        name = "shelter2"
        if name not in self.srv.tokens:
            password = "shelter2-long-password"
            p = subprocess.run(
                [CBPN_BIN, "user", "add", *self.srv.db_args(), "--username", name, "--role",
                 "provider", "--organization", self.org["shelter"], "--display-name",
                 "Second shelter officer"],
                input=(password + "\n").encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                timeout=60 * SLOW)
            self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
            self.srv.secrets.add(password)
            self.srv.login(name, password)
        pairs = (("accepted", None, "accepted", None), ("accepted", None, "declined", DECLINE_NOTE),
                 ("declined", DECLINE_NOTE, "declined", DECLINE_NOTE))
        for round_ in range(3):
            for a_to, a_note, b_to, b_note in pairs:
                with self.subTest(round=round_, a=a_to, b=b_to):
                    r = self.referral_in("sent", self.case["id"])
                    barrier = threading.Barrier(2)
                    answers = {}

                    def send(user, to, note):
                        body = {"version": r["version"], "status": to}
                        if note:
                            body["note"] = note
                        tok = self.srv.login(user)
                        barrier.wait(10)
                        st, _, v = self.srv.request("PATCH", "/api/v1/referrals/" + r["id"],
                                                    body, token=tok)
                        answers[user] = (st, v)
                    threads = [threading.Thread(target=send, args=("shelter", a_to, a_note)),
                               threading.Thread(target=send, args=(name, b_to, b_note))]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join(60)
                    sts = sorted(st for st, _ in answers.values())
                    self.assertEqual(sts, [200, 409], answers)
                    winner = next(u for u, (st, _) in answers.items() if st == 200)
                    won = answers[winner][1]
                    now = self.get(r["id"], "supervisor")
                    self.assertEqual(now["version"], r["version"] + 1)
                    self.assertEqual(now["status"], won["status"])
                    self.assertEqual(len(now["history"]), 2, "one move recorded, not two")
                    self.assertEqual(now["history"][-1]["user"], self.srv.user(winner)["id"])


class ConsentGateTest(ReferralBase):
    """No consent, no referral; the latest record decides; the organization's
    own record decides over its type's; withdrawn covers nothing; the
    override for a child."""

    def assertGateRefuses(self, cid, provider="shelter", user="caseworker1"):
        before = self.srv.count("referral")
        with self.assertWritesNothing():
            st, _, v = self.req("POST", "/api/v1/cases/%s/referrals" % cid,
                                self.refer_body(provider), as_user=user)
        self.assertEqual(st, 422, v)
        self.assertErrorShape(v, "consent_required")
        self.assertEqual(self.srv.count("referral"), before)

    def assertGatePasses(self, cid, provider="shelter", user="caseworker1"):
        r = self.refer(cid, provider, user)
        self.assertFalse(r["consent_override"])
        self.assertEqual(r["status"], "sent")
        return r

    def test_no_consent_no_referral(self):
        c = self.new_case()
        for user in ("caseworker1", "supervisor"):
            with self.subTest(user=user):
                self.assertGateRefuses(c["id"], user=user)

    def test_services_consent_alone_is_not_enough(self):
        c = self.new_case()
        self.consent(c["id"], "services")
        self.consent(c["id"], "reporting")
        self.assertGateRefuses(c["id"])

    def test_share_with_alone_is_not_enough(self):
        c = self.new_case()
        self.consent(c["id"], "share_with", org=self.org["shelter"])
        self.consent(c["id"], "share_with", type="shelter")
        self.consent(c["id"], "reporting")
        self.assertGateRefuses(c["id"])

    def test_both_pass(self):
        c = self.new_case()
        self.consent_for(c["id"])
        r = self.assertGatePasses(c["id"])
        self.assertEqual(r["organization_id"], self.org["shelter"])
        self.assertEqual(r["service_id"], self.svc["shelter"]["id"])
        self.assertEqual(r["service_type"], self.svc["shelter"]["type"])
        self.assertEqual(r["service_name"], self.svc["shelter"]["name"])
        self.assertTrue(r["organization_name"])
        self.assertEqual(r["case_id"], c["id"])
        self.assertEqual(r["case_code"], c["code"])
        self.assertEqual(r["created_by"], self.uid["caseworker1"])
        self.assertEqual(r["reason"], REASON)
        self.assertEqual(r["version"], 1)
        self.assertFalse(r["overdue"])
        self.assertNotIn("override", r)

    def test_a_refusal_after_a_consent_decides(self):
        for purpose in ("services", "share_with"):
            with self.subTest(purpose=purpose):
                c = self.new_case()
                self.consent_for(c["id"])
                org = self.org["shelter"] if purpose == "share_with" else None
                self.consent(c["id"], purpose, given=False, org=org)
                self.assertGateRefuses(c["id"])
                # And a consent after the refusal decides again.
                self.consent(c["id"], purpose, given=True, org=org)
                self.assertGatePasses(c["id"])

    def test_a_refusal_then_a_consent_passes(self):
        c = self.new_case()
        self.consent(c["id"], "services", given=False)
        self.consent(c["id"], "share_with", given=False, org=self.org["shelter"])
        self.consent(c["id"], "services")
        self.consent(c["id"], "share_with", org=self.org["shelter"])
        self.assertGatePasses(c["id"])

    def test_consent_for_another_organization_does_not_cover(self):
        c = self.new_case()
        self.consent(c["id"], "services")
        self.consent(c["id"], "share_with", org=self.org["legal"])
        self.consent(c["id"], "share_with", type="legal")
        self.assertGateRefuses(c["id"], "shelter")
        self.assertGatePasses(c["id"], "legal")

    def test_consent_by_service_type_covers_the_service(self):
        c = self.new_case()
        self.consent(c["id"], "services")
        self.consent(c["id"], "share_with", type=self.svc["shelter"]["type"])
        self.assertGatePasses(c["id"], "shelter")
        self.assertGateRefuses(c["id"], "legal")

    def test_an_organization_s_refusal_overrules_its_type_s_consent(self):
        # Whichever was recorded first: the organization's own record decides.
        for order in ("type first", "organization first"):
            with self.subTest(order=order):
                c = self.new_case()
                self.consent(c["id"], "services")
                t = self.svc["shelter"]["type"]
                if order == "type first":
                    self.consent(c["id"], "share_with", type=t)
                    self.consent(c["id"], "share_with", given=False, org=self.org["shelter"])
                else:
                    self.consent(c["id"], "share_with", given=False, org=self.org["shelter"])
                    self.consent(c["id"], "share_with", type=t)
                self.assertGateRefuses(c["id"], "shelter")

    def test_an_organization_s_consent_stands_against_its_type_s_refusal(self):
        for order in ("type first", "organization first"):
            with self.subTest(order=order):
                c = self.new_case()
                self.consent(c["id"], "services")
                t = self.svc["shelter"]["type"]
                if order == "type first":
                    self.consent(c["id"], "share_with", given=False, type=t)
                    self.consent(c["id"], "share_with", org=self.org["shelter"])
                else:
                    self.consent(c["id"], "share_with", org=self.org["shelter"])
                    self.consent(c["id"], "share_with", given=False, type=t)
                self.assertGatePasses(c["id"], "shelter")

    def test_a_withdrawn_consent_covers_nothing(self):
        for which in ("services", "share_with organization", "share_with type"):
            with self.subTest(which=which):
                c = self.new_case()
                s = self.consent(c["id"], "services")
                if which == "share_with type":
                    sw = self.consent(c["id"], "share_with", type=self.svc["shelter"]["type"])
                else:
                    sw = self.consent(c["id"], "share_with", org=self.org["shelter"])
                self.assertGatePasses(c["id"])
                w = self.withdraw(c["id"], (s if which == "services" else sw)["id"],
                                  reason=WITHDRAW_REASON)
                self.assertIsNotNone(w["withdrawn_at"])
                self.assertGateRefuses(c["id"])

    def test_override_for_a_child_by_a_supervisor_with_a_reason(self):
        c = self.new_case(age=15)
        body = self.refer_body(override={"reason": OVERRIDE_REASON}, urgency="urgent")
        st, _, r = self.req("POST", "/api/v1/cases/%s/referrals" % c["id"], body,
                            as_user="supervisor")
        self.assertEqual(st, 201, r)
        self.assertTrue(r["consent_override"])
        self.assertEqual(r["override"], {"reason": OVERRIDE_REASON})
        self.assertEqual(r["survivor"]["age_band"], "12_17")
        audit = self.srv.rows("SELECT action, detail, user_id FROM audit WHERE record_type = "
                              "'referral' AND record_id = ? ORDER BY seq", (r["id"],))
        self.assertIn(("refer", "consent_override", self.uid["supervisor"]), audit)
        # The receiving provider gets it, without the identity (no share_with consent).
        p = self.get(r["id"], "shelter")
        self.assertTrue(p["consent_override"])
        self.assertNotIn("identity", p)
        self.assertNotIn("slip", p)

    def test_override_without_a_reason_is_422(self):
        c = self.new_case(age=15)
        for override in ({}, {"reason": ""}, {"reason": None}, {"reason": 7}, "because", True,
                         {"reason": "x" * 2001}):
            with self.subTest(override=override), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/referrals" % c["id"],
                                    self.refer_body(override=override), as_user="supervisor")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", ["override"])

    def test_override_by_a_caseworker_is_403(self):
        c = self.new_case(age=15)
        with self.assertWritesNothing():
            st, _, v = self.req("POST", "/api/v1/cases/%s/referrals" % c["id"],
                                self.refer_body(override={"reason": OVERRIDE_REASON}),
                                as_user="caseworker1")
        self.assertError((st, _, v), 403, "forbidden")

    def test_override_for_an_adult_or_an_unknown_age_is_422(self):
        for age in (18, 30, None):
            with self.subTest(age=age):
                c = self.new_case(age=age)
                with self.assertWritesNothing():
                    st, _, v = self.req("POST", "/api/v1/cases/%s/referrals" % c["id"],
                                        self.refer_body(override={"reason": OVERRIDE_REASON}),
                                        as_user="supervisor")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", ["override"])

    def test_a_child_without_override_still_needs_consent(self):
        c = self.new_case(age=15)
        self.assertGateRefuses(c["id"], user="supervisor")
        self.consent_for(c["id"], by="guardian")
        self.assertGatePasses(c["id"], user="supervisor")

    # ---- consent records ----

    def test_guardian_required_under_18(self):
        c = self.new_case(age=15)
        for purpose, extra in (("services", {}), ("reporting", {}),
                               ("share_with", {"org": self.org["shelter"]})):
            with self.subTest(purpose=purpose), self.assertWritesNothing():
                v = self.consent(c["id"], purpose, by="survivor", want=422, **extra)
                self.assertErrorShape(v, "validation_failed", ["by"])
        v = self.consent(c["id"], "services", by="guardian")
        self.assertEqual(v["by"], "guardian")
        # Born 17 years ago (birth_date, not age): a child too.
        born = datetime.date.today().replace(year=datetime.date.today().year - 17)
        c = self.new_case(age=None, birth_date=born.isoformat())
        with self.assertWritesNothing():
            self.consent(c["id"], "services", by="survivor", want=422)
        # An adult gives her own.
        c = self.new_case(age=18)
        self.consent(c["id"], "services", by="survivor")

    def test_share_with_needs_exactly_one_scope(self):
        c = self.new_case()
        for kw in ({}, {"org": self.org["shelter"], "type": "shelter"}):
            with self.subTest(kw=kw), self.assertWritesNothing():
                v = self.consent(c["id"], "share_with", want=422, **kw)
                self.assertErrorShape(v, "validation_failed")
                self.assertTrue(set(v["error"]["fields"]) & {"organization_id", "service_type"},
                                v)

    def test_other_purposes_refuse_a_scope(self):
        c = self.new_case()
        for purpose in ("services", "reporting"):
            for kw, field in (({"org": self.org["shelter"]}, "organization_id"),
                              ({"type": "shelter"}, "service_type")):
                with self.subTest(purpose=purpose, field=field), self.assertWritesNothing():
                    v = self.consent(c["id"], purpose, want=422, **kw)
                    self.assertErrorShape(v, "validation_failed", [field])

    def test_consent_record_shape_and_list(self):
        c = self.new_case()
        a = self.consent(c["id"], "services", user="supervisor")
        b = self.consent(c["id"], "share_with", org=self.org["legal"], given=False,
                         method="thumbprint")
        d = self.consent(c["id"], "share_with", type="health", method="written")
        self.assertEqual((a["purpose"], a["given"], a["method"], a["by"]),
                         ("services", True, "verbal", "survivor"))
        self.assertEqual((a["organization_id"], a["service_type"], a["withdrawn_at"]),
                         (None, None, None))
        self.assertEqual(a["recorded_by"], self.uid["supervisor"])
        self.assertEqual(a["case_id"], c["id"])
        self.assertEqual((b["organization_id"], b["given"], b["method"]),
                         (self.org["legal"], False, "thumbprint"))
        self.assertEqual(d["service_type"], "health")
        stamp(a["created_at"])
        for user in ("caseworker1", "supervisor"):
            st, _, v = self.req("GET", "/api/v1/cases/%s/consents" % c["id"], as_user=user)
            self.assertEqual(st, 200, v)
            self.assertEqual([x["id"] for x in v["items"]], [a["id"], b["id"], d["id"]])
            self.assertIsNone(v["next_cursor"])
        w = self.withdraw(c["id"], a["id"], reason=WITHDRAW_REASON)
        self.assertEqual(w["withdraw_reason"], WITHDRAW_REASON)
        self.assertEqual({k: v for k, v in w.items() if k not in ("withdrawn_at",
                                                                    "withdraw_reason")},
                         {k: v for k, v in a.items() if k != "withdrawn_at"})
        stamp(w["withdrawn_at"])
        # Without a reason.
        w2 = self.withdraw(c["id"], d["id"])
        self.assertNotIn("withdraw_reason", w2)

    def test_consent_refusals(self):
        c = self.new_case()
        other = self.new_case()
        a = self.consent(c["id"], "services")
        path = "/api/v1/cases/%s/consents" % c["id"]
        # Out of reach or without the right.
        with self.assertWritesNothing():
            self.consent(c["id"], "services", user="caseworker2", want=404)
            for user in ("shelter", "analyst", "admin"):
                self.consent(c["id"], "services", user=user, want=403)
            self.consent(NOWHERE, "services", want=404)
            st, _, v = self.req("GET", path, as_user="caseworker2")
            self.assertEqual(st, 404, v)
        # Withdrawals: twice, of another case, unknown, out of reach, too long a reason.
        self.withdraw(c["id"], a["id"])
        with self.assertWritesNothing():
            self.assertErrorShape(self.withdraw(c["id"], a["id"], want=409), "conflict")
            self.withdraw(other["id"], a["id"], want=404)
            self.withdraw(c["id"], NOWHERE, want=404)
            b = self.srv.rows("SELECT id FROM consent WHERE case_id = ?", (c["id"],))
            self.assertEqual(len(b), 1)
        b = self.consent(c["id"], "reporting")
        with self.assertWritesNothing():
            self.withdraw(c["id"], b["id"], user="caseworker2", want=404)
            self.withdraw(c["id"], b["id"], user="shelter", want=403)
            v = self.withdraw(c["id"], b["id"], want=422, reason="x" * 1001)
            self.assertErrorShape(v, "validation_failed", ["reason"])
            v = self.withdraw(c["id"], b["id"], want=422, reason=5)
            self.assertErrorShape(v, "validation_failed", ["reason"])

    def test_bad_consent_fields_are_422(self):
        c = self.new_case()
        good = {"purpose": "services", "given": True, "method": "verbal", "by": "survivor"}
        cases = [({"purpose": "marketing"}, "purpose"), ({"purpose": 1}, "purpose"),
                 ({"given": "yes"}, "given"), ({"given": 1}, "given"), ({"given": None}, "given"),
                 ({"method": "email"}, "method"), ({"method": ["verbal"]}, "method"),
                 ({"by": "aunt"}, "by"), ({"by": True}, "by"),
                 ({"purpose": "share_with", "organization_id": 5}, "organization_id"),
                 ({"purpose": "share_with", "organization_id": NOWHERE}, "organization_id"),
                 ({"purpose": "share_with", "service_type": "spa"}, "service_type")]
        for over, field in cases:
            body = dict(good, **over)
            with self.subTest(over=over), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/consents" % c["id"], body,
                                    as_user="caseworker1")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", [field])
        for field in good:
            body = {k: v for k, v in good.items() if k != field}
            with self.subTest(missing=field), self.assertWritesNothing():
                st, _, v = self.req("POST", "/api/v1/cases/%s/consents" % c["id"], body,
                                    as_user="caseworker1")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", [field])

    def test_organizations_for_every_role(self):
        for user in self.USERS:
            with self.subTest(user=user):
                st, _, v = self.req("GET", "/api/v1/organizations", as_user=user)
                self.assertEqual(st, 200, v)
                orgs = {o["id"]: o for o in v["items"]}
                self.assertEqual(orgs[self.org["supervisor"]]["kind"], "ngo")
                for p in ("shelter", "legal", "counsel", "health"):
                    self.assertEqual(orgs[self.org[p]]["kind"], "provider")
                self.assertEqual(len(orgs), self.srv.count("organization"))
        self.assertError(self.srv.request("GET", "/api/v1/organizations"), 401)


class ProviderViewTest(ReferralBase):
    """What each side sees of a referral, field by field, and who lists which."""

    PROVIDER_KEYS = {"id", "case_id", "case_code", "service_id", "service_name",
                     "organization_id", "organization_name", "service_type", "status",
                     "urgency", "reason", "consent_override", "created_by", "created_at",
                     "updated_at", "due_at", "overdue", "version", "survivor", "history"}

    def check_identity(self, r):
        self.assertIn("identity", r, "the identity is missing")
        i = r["identity"]
        self.assertEqual(set(i), {"name_km", "name_latn", "phone", "address_text", "birth_date"})
        self.assertEqual(i["name_latn"], SURVIVOR_NAME)
        self.assertEqual(i["phone"], SURVIVOR_PHONE)
        self.assertEqual(i["address_text"], SURVIVOR_ADDRESS)

    def test_the_receiving_provider_sees_the_summary_not_the_slip(self):
        c = self.new_case(age=33)
        self.consent(c["id"], "services")
        self.consent(c["id"], "share_with", type="shelter")
        r = self.refer(c["id"], urgency="urgent", contact="Refcontact 012 000 555")
        self.assertIn("slip", r)
        p = self.get(r["id"], "shelter")
        self.assertEqual(set(p), self.PROVIDER_KEYS | {"identity"})
        self.assertEqual(p["case_code"], c["code"])
        self.assertEqual(p["survivor"], {"sex": "female", "age_band": "26_40",
                                         "concerns": ["trafficking", "unsafe_migration"]})
        self.assertEqual(p["urgency"], "urgent")
        self.assertEqual(p["reason"], REASON)
        self.assertEqual([m["status"] for m in p["history"]], ["sent"])
        self.check_identity(p)
        self.assertNotIn(b"Refcontact", repr(p).encode())
        self.assertNotIn(SURVIVOR_NAME, repr({k: v for k, v in p.items() if k != "identity"}))
        # In her list too, the same parts.
        listed = [x for x in self.list_all("/api/v1/referrals", "shelter") if x["id"] == r["id"]]
        self.assertEqual(len(listed), 1)
        self.assertEqual(set(listed[0]), set(p))
        self.assertNotIn("slip", listed[0])

    def test_identity_only_while_a_share_with_consent_covers_her(self):
        c = self.new_case()
        self.consent(c["id"], "services")
        org = self.consent(c["id"], "share_with", org=self.org["shelter"])
        r = self.refer(c["id"])
        self.check_identity(self.get(r["id"], "shelter"))
        # A type consent too; then the organization's own refusal: gone.
        self.consent(c["id"], "share_with", type="shelter")
        self.check_identity(self.get(r["id"], "shelter"))
        self.consent(c["id"], "share_with", given=False, org=self.org["shelter"])
        p = self.get(r["id"], "shelter")
        self.assertNotIn("identity", p)
        self.assertEqual(set(p), self.PROVIDER_KEYS)
        self.assertEqual(p["status"], "sent", "a refusal changes no referral's status")
        # The sending side keeps seeing her.
        self.check_identity(self.get(r["id"], "caseworker1"))
        self.check_identity(self.get(r["id"], "supervisor"))
        self.assertTrue(org["id"])

    def test_a_withdrawal_takes_the_identity_away_at_once(self):
        for scope in ("organization", "type"):
            with self.subTest(scope=scope):
                c = self.new_case()
                self.consent(c["id"], "services")
                sw = (self.consent(c["id"], "share_with", org=self.org["shelter"])
                      if scope == "organization"
                      else self.consent(c["id"], "share_with", type="shelter"))
                r = self.refer(c["id"])
                r = self.patch(r["id"], "shelter", "accepted", r["version"])
                self.check_identity(self.get(r["id"], "shelter"))
                self.withdraw(c["id"], sw["id"], reason=WITHDRAW_REASON)
                p = self.get(r["id"], "shelter")
                self.assertNotIn("identity", p)
                self.assertEqual(p["status"], "accepted", "the provider keeps the referral")
                listed = [x for x in self.list_all("/api/v1/referrals", "shelter")
                          if x["id"] == r["id"]]
                self.assertEqual(len(listed), 1)
                self.assertNotIn("identity", listed[0])
                # She can still complete it.
                self.patch(r["id"], "shelter", "completed", r["version"], OUTCOME_NOTE)

    def test_the_sending_side_sees_everything(self):
        c = self.new_case()
        self.consent_for(c["id"])
        r = self.refer(c["id"], contact="Refcontact caseworker 012 000 556")
        for user in ("caseworker1", "supervisor", "supervisor2"):
            with self.subTest(user=user):
                v = self.get(r["id"], user)
                self.assertEqual(set(v), self.PROVIDER_KEYS | {"identity", "slip"})
                self.check_identity(v)
                self.assertEqual(v["slip"]["contact"], "Refcontact caseworker 012 000 556")
                self.assertRegex(v["slip"]["verification_code"], CROCKFORD)
                self.assertEqual(v["slip"], r["slip"])
        r2 = self.refer(c["id"])
        self.assertIsNone(r2["slip"]["contact"])
        self.assertNotEqual(r2["slip"]["verification_code"], r["slip"]["verification_code"])

    def test_another_organization_s_provider_gets_404(self):
        c = self.new_case()
        self.consent_for(c["id"])
        self.consent(c["id"], "share_with", org=self.org["legal"])
        r = self.refer(c["id"])
        for user in ("legal", "counsel", "health", "caseworker2"):
            with self.subTest(user=user), self.assertWritesNothing():
                self.assertError(self.req("GET", "/api/v1/referrals/" + r["id"], as_user=user),
                                 404, "not_found")
                for to in STATUSES:
                    self.assertError(self.req("PATCH", "/api/v1/referrals/" + r["id"],
                                              {"version": 1, "status": to,
                                               "note": DECLINE_NOTE}, as_user=user),
                                     404, "not_found")
            self.assertNotIn(r["id"], self.ids("/api/v1/referrals", user))
            self.assertNotIn(r["id"], self.ids("/api/v1/referrals?case_id=" + c["id"], user))

    def test_the_case_embeds_its_consents_and_referrals(self):
        st, _, c = self.req("POST", "/api/v1/cases",
                            {"location_code": "17071001", "concerns": ["trafficking"],
                             "summary": "Referral test case.",
                             "survivor": {"sex": "female", "age": 25}}, as_user="rep1")
        self.assertEqual(st, 201, c)
        self.req("POST", "/api/v1/cases/%s/assign" % c["id"],
                 {"caseworker_id": self.uid["caseworker1"]}, as_user="supervisor")
        s = self.consent(c["id"], "services")
        sw = self.consent(c["id"], "share_with", org=self.org["shelter"])
        r1 = self.refer(c["id"])
        r2 = self.refer(c["id"])
        r1 = self.patch(r1["id"], "shelter", "declined", r1["version"], DECLINE_NOTE)
        self.withdraw(c["id"], sw["id"])
        for user in ("caseworker1", "supervisor"):
            with self.subTest(user=user):
                st, _, v = self.req("GET", "/api/v1/cases/" + c["id"], as_user=user)
                self.assertEqual(st, 200, v)
                self.assertEqual([x["id"] for x in v["consents"]], [s["id"], sw["id"]])
                self.assertIsNotNone(v["consents"][1]["withdrawn_at"])
                self.assertEqual({x["id"] for x in v["referrals"]}, {r1["id"], r2["id"]})
                got = {x["id"]: x for x in v["referrals"]}
                self.assertEqual(got[r1["id"]]["status"], "declined")
                self.assertIn("slip", got[r1["id"]])
                kinds = [e["kind"] for e in v["timeline"]]
                for k in ("consent", "referred", "referral_status", "consent_withdrawn"):
                    self.assertIn(k, kinds)
                self.assertEqual(kinds.count("referred"), 2)
                self.assertEqual(kinds.count("consent"), 2)
        # The reporting representative's view has neither.
        st, _, v = self.req("GET", "/api/v1/cases/" + c["id"], as_user="rep1")
        self.assertEqual(st, 200, v)
        self.assertNotIn("consents", v)
        self.assertNotIn("referrals", v)
        # The case's history (supervisor) lists the consent and referral entries.
        self.get(r2["id"], "shelter")
        self.get(r2["id"], "caseworker1")
        st, _, h = self.req("GET", "/api/v1/cases/%s/history" % c["id"], as_user="supervisor")
        self.assertEqual(st, 200, h)
        entries = {(i["record_type"], i["action"], i["detail"], i["user"]) for i in h["items"]}
        self.assertIn(("consent", "consent", "services:given", self.uid["caseworker1"]), entries)
        self.assertIn(("consent", "consent", "withdrawn", self.uid["caseworker1"]), entries)
        self.assertIn(("referral", "refer", None, self.uid["caseworker1"]), entries)
        self.assertIn(("referral", "update", "declined", self.uid["shelter"]), entries)
        self.assertIn(("referral", "read", "identity", self.uid["caseworker1"]), entries)
        self.assertIn(("referral", "read", None, self.uid["shelter"]), entries)

    def test_sealed_texts_never_in_the_database_as_text(self):
        c = self.new_case(age=15)
        self.consent_for(c["id"], by="guardian")
        sw = self.consent(c["id"], "share_with", type="legal", by="guardian")
        r = self.refer(c["id"])
        self.patch(r["id"], "shelter", "declined", r["version"], DECLINE_NOTE)
        r = self.refer(c["id"])
        r = self.patch(r["id"], "shelter", "accepted", r["version"])
        self.patch(r["id"], "shelter", "completed", r["version"], OUTCOME_NOTE)
        o = self.refer(c["id"], "health", user="supervisor",
                       override={"reason": OVERRIDE_REASON})
        self.withdraw(c["id"], sw["id"], reason=WITHDRAW_REASON)
        data = self.srv.file_bytes()
        for s in SECRETS + (o["slip"]["verification_code"],):
            self.assertNotIn(s.encode("utf-8"), data, "%r is stored unencrypted" % s)


class ReferralListTest(ReferralBase):
    """Who lists which referrals, exactly; filters; overdue; follow-up days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        t = cls("test_each_role_lists_exactly_what_it_may_see")
        a = t.new_case(assign="caseworker1")
        b = t.new_case(assign="caseworker2")
        d = t.new_case(assign=None)  # reported, not yet assigned
        for case, by in ((a, "caseworker1"), (b, "caseworker2"), (d, "supervisor")):
            t.consent(case["id"], "services", user=by)
            for p in ("shelter", "legal", "counsel"):
                t.consent(case["id"], "share_with", org=cls.org[p], user=by)
        cls.cases = {"a": a, "b": b, "d": d}
        cls.made = {
            "a_shelter": t.refer(a["id"], "shelter", "caseworker1"),
            "a_legal": t.refer(a["id"], "legal", "caseworker1", urgency="urgent"),
            "b_shelter": t.refer(b["id"], "shelter", "caseworker2"),
            "d_counsel": t.refer(d["id"], "counsel", "supervisor"),
        }

    def expected(self, user):
        """The ids user may see, from the database: a provider her
        organization's; a caseworker those of her organization's cases
        assigned to her or to nobody; a supervisor her organization's."""
        role = self.srv.user(user)["role"]
        org = self.org[user]
        rows = self.srv.rows("SELECT r.id, r.organization_id, c.organization_id, c.assigned_to "
                             "FROM referral r JOIN cases c ON c.id = r.case_id")
        if role == "provider":
            return {i for i, ro, _, _ in rows if ro == org}
        if role == "supervisor":
            return {i for i, _, co, _ in rows if co == org}
        if role == "caseworker":
            return {i for i, _, co, at in rows
                    if co == org and at in (None, "", self.uid[user])}
        return set()

    def test_each_role_lists_exactly_what_it_may_see(self):
        m = {k: v["id"] for k, v in self.made.items()}
        must = {"caseworker1": {m["a_shelter"], m["a_legal"], m["d_counsel"]},
                "caseworker2": {m["b_shelter"], m["d_counsel"]},
                "supervisor": set(m.values()), "supervisor2": set(m.values()),
                "shelter": {m["a_shelter"], m["b_shelter"]}, "legal": {m["a_legal"]},
                "counsel": {m["d_counsel"]}, "health": set()}
        for user, want in must.items():
            with self.subTest(user=user):
                got = self.ids("/api/v1/referrals", user)
                self.assertEqual(len(got), len(set(got)), "no referral listed twice")
                self.assertEqual(set(got), self.expected(user))
                self.assertEqual(set(got) & set(m.values()), want)
                # Page by page, the same.
                self.assertEqual(self.ids("/api/v1/referrals", user),
                                 [r["id"] for r in self.list_all("/api/v1/referrals", user,
                                                                 limit=1)])
        for user in NO_ACCESS:
            with self.subTest(user=user), self.assertWritesNothing():
                self.assertError(self.req("GET", "/api/v1/referrals", as_user=user), 403,
                                 "forbidden")

    def test_newest_first(self):
        items = self.list_all("/api/v1/referrals", "supervisor")
        keys = [(i["created_at"], i["id"]) for i in items]
        self.assertEqual(keys, sorted(keys, reverse=True))

    def test_filters(self):
        m = {k: v["id"] for k, v in self.made.items()}
        a = self.cases["a"]["id"]
        self.assertEqual(set(self.ids("/api/v1/referrals?case_id=" + a, "supervisor")),
                         {m["a_shelter"], m["a_legal"]})
        self.assertEqual(set(self.ids("/api/v1/referrals?case_id=" + a, "shelter")),
                         {m["a_shelter"]})
        for status in STATUSES:
            with self.subTest(status=status):
                items = self.list_all("/api/v1/referrals?status=" + status, "supervisor")
                self.assertTrue(all(i["status"] == status for i in items))
        self.assertLessEqual(set(m.values()),
                             set(self.ids("/api/v1/referrals?status=sent", "supervisor")))
        for query, field in (("status=done", "status"), ("overdue=yes", "overdue"),
                             ("limit=0", "limit"), ("limit=501", "limit"),
                             ("cursor=@@@", "cursor"), ("cursor=bm90IGEgY3Vyc29y", "cursor"),
                             ("case_id=not%20an%20id", "case_id")):
            with self.subTest(query=query), self.assertWritesNothing():
                self.assertError(self.req("GET", "/api/v1/referrals?" + query,
                                          as_user="supervisor"),
                                 422, "validation_failed", fields=[field])

    def test_overdue_lists(self):
        c = self.cases["a"]["id"]
        late = self.refer(c, "shelter")
        done = self.refer(c, "shelter")
        done = self.patch(done["id"], "shelter", "accepted", done["version"])
        done = self.patch(done["id"], "shelter", "completed", done["version"], OUTCOME_NOTE)
        acc = self.refer(c, "legal")
        acc = self.patch(acc["id"], "legal", "accepted", acc["version"])
        fresh = self.refer(c, "shelter")
        past = "2000-01-02T03:04:05.000Z"
        for r in (late, done, acc):
            self.assertEqual(self.srv.execute("UPDATE referral SET due_at = ? WHERE id = ?",
                                              (past, r["id"])), 1)
        for user in ("caseworker1", "supervisor"):
            with self.subTest(user=user):
                over = set(self.ids("/api/v1/referrals?overdue=true", user))
                self.assertIn(late["id"], over)
                self.assertIn(acc["id"], over, "accepted, not completed in time: overdue")
                self.assertNotIn(done["id"], over, "a completed referral is not overdue")
                self.assertNotIn(fresh["id"], over)
                items = self.list_all("/api/v1/referrals?overdue=true", user)
                self.assertTrue(all(i["overdue"] for i in items))
                self.assertTrue(all(i["status"] in ("sent", "accepted") for i in items))
                not_over = set(self.ids("/api/v1/referrals?overdue=false", user))
                self.assertIn(fresh["id"], not_over)
                self.assertIn(done["id"], not_over)
                self.assertNotIn(late["id"], not_over)
        self.assertTrue(self.get(late["id"])["overdue"])
        self.assertFalse(self.get(done["id"])["overdue"])
        self.assertFalse(self.get(fresh["id"])["overdue"])
        self.assertEqual(self.get(late["id"])["due_at"], past)
        # The receiving provider sees hers as overdue too.
        self.assertIn(late["id"], self.ids("/api/v1/referrals?overdue=true", "shelter"))
        self.assertNotIn(acc["id"], self.ids("/api/v1/referrals?overdue=true", "shelter"))

    def test_not_overdue_pages_lose_nothing(self):
        """overdue=false page by page lists every referral that is not
        overdue, even when overdue ones sit between them."""
        c = self.cases["b"]["id"]
        made = [self.refer(c, "shelter", "caseworker2") for _ in range(6)]
        for r in made[1::2] + made[-2:]:
            self.srv.execute("UPDATE referral SET due_at = ? WHERE id = ?",
                             ("2000-01-02T03:04:05.000Z", r["id"]))
        for user in ("caseworker2", "supervisor"):
            want = [r["id"] for r in self.list_all("/api/v1/referrals", user)
                    if not r["overdue"]]
            self.assertIn(made[0]["id"], want)
            for limit in (1, 2, 3):
                with self.subTest(user=user, limit=limit):
                    got = [r["id"] for r in self.list_all("/api/v1/referrals?overdue=false", user,
                                                          limit=limit)]
                    self.assertEqual(got, want)

    def due_days(self, r):
        d = stamp(r["due_at"]) - stamp(r["created_at"])
        days = round(d.total_seconds() / 86400)
        self.assertLess(abs(d.total_seconds() - days * 86400), 5, (r["created_at"], r["due_at"]))
        return days

    def set_meta(self, key, value):
        self.srv.execute("DELETE FROM meta WHERE key = ?", (key,))
        if value is not None:
            self.srv.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

    def test_follow_up_days_default_and_from_the_settings(self):
        keys = ("referral.followup_days.urgent", "referral.followup_days.routine")
        saved = {k: self.srv.rows("SELECT value FROM meta WHERE key = ?", (k,)) for k in keys}

        def restore():
            for k in keys:
                self.set_meta(k, saved[k][0][0] if saved[k] else None)
        self.addCleanup(restore)
        c = self.cases["a"]["id"]
        for k in keys:
            self.set_meta(k, None)
        self.assertEqual(self.due_days(self.refer(c, urgency="urgent")), 3)
        self.assertEqual(self.due_days(self.refer(c, urgency="routine")), 7)
        self.set_meta(keys[0], "1")
        self.set_meta(keys[1], "90")
        self.assertEqual(self.due_days(self.refer(c, urgency="urgent")), 1)
        self.assertEqual(self.due_days(self.refer(c, urgency="routine")), 90)
        self.set_meta(keys[0], "5")
        self.set_meta(keys[1], "12")
        self.assertEqual(self.due_days(self.refer(c, urgency="urgent")), 5)
        self.assertEqual(self.due_days(self.refer(c, urgency="routine")), 12)
        # Not a number of days 1..90: the defaults.
        for bad in ("0", "91", "-3", "abc", "", "7days"):
            with self.subTest(bad=bad):
                self.set_meta(keys[0], bad)
                self.set_meta(keys[1], bad)
                self.assertEqual(self.due_days(self.refer(c, urgency="urgent")), 3)
                self.assertEqual(self.due_days(self.refer(c, urgency="routine")), 7)


class SlipTest(ReferralBase):
    """The slip's verification code and its lockout."""

    def verify(self, case_code, code, user="shelter", want=200):
        st, _, v = self.req("POST", "/api/v1/referrals/verify",
                            {"case_code": case_code, "code": code}, as_user=user)
        self.assertEqual(st, want, v)
        return v

    def wrong_code(self, right):
        return "".join("1" if ch != "1" else "2" for ch in right)

    def test_the_provider_verifies_the_slip(self):
        c = self.new_case()
        self.consent_for(c["id"])
        r = self.refer(c["id"], contact="Refcontact slip 012 000 557")
        code = self.get(r["id"], "caseworker1")["slip"]["verification_code"]
        self.assertRegex(code, CROCKFORD)
        for typed in (code, code.lower(), code[:4] + "-" + code[4:],
                      code[:4].lower() + " " + code[4:]):
            with self.subTest(typed=typed):
                v = self.verify(c["code"], typed)
                self.assertTrue(v["valid"], v)
                self.assertEqual(v["referral"]["id"], r["id"])
                self.assertNotIn("slip", v["referral"])
        # Look-alikes: O read as 0, I and L as 1.
        look = code.replace("0", "O").replace("1", "I")
        self.assertTrue(self.verify(c["code"], look)["valid"])
        # Wrong survivor code, wrong verification code, another organization.
        self.assertEqual(self.verify("ZZZ-2000-0000", code), {"valid": False})
        self.assertEqual(self.verify(c["code"], "not a code"), {"valid": False})
        self.assertEqual(self.verify(c["code"], code, user="legal"), {"valid": False})
        for user in ("caseworker1", "supervisor") + NO_ACCESS:
            with self.subTest(user=user), self.assertWritesNothing():
                self.assertError(self.req("POST", "/api/v1/referrals/verify",
                                          {"case_code": c["code"], "code": code}, as_user=user),
                                 403, "forbidden")
        for body, field in (({"code": code}, "case_code"), ({"case_code": c["code"]}, "code"),
                            ({"case_code": c["code"], "code": 12345678}, "code"),
                            ({"case_code": c["code"], "code": "A" * 33}, "code")):
            with self.subTest(body=body), self.assertWritesNothing():
                self.assertError(self.req("POST", "/api/v1/referrals/verify", body,
                                          as_user="shelter"),
                                 422, "validation_failed", fields=[field])

    def test_a_slip_is_checked_against_its_own_case_only(self):
        """The survivor code on the slip names the case: another case's slip
        code is wrong for it, and wrong tries on one case's slip do not lock
        another case's."""
        a, b = self.new_case(), self.new_case()
        for c in (a, b):
            self.consent_for(c["id"])
        ra, rb = self.refer(a["id"]), self.refer(b["id"])
        code_a = ra["slip"]["verification_code"]
        code_b = rb["slip"]["verification_code"]
        self.assertEqual(self.verify(b["code"], code_a), {"valid": False})
        self.assertEqual(self.verify(a["code"], code_b), {"valid": False})
        self.assertEqual(self.srv.count("slip_failure", "WHERE referral_id = ?", (ra["id"],)), 1)
        self.assertEqual(self.srv.count("slip_failure", "WHERE referral_id = ?", (rb["id"],)), 1)
        for _ in range(3):  # 4 wrong on a's slip in all, under the lock
            self.assertEqual(self.verify(a["code"], self.wrong_code(code_a)), {"valid": False})
        self.assertEqual(self.srv.count("slip_failure", "WHERE referral_id = ?", (ra["id"],)), 4)
        self.assertEqual(self.srv.count("slip_failure", "WHERE referral_id = ?", (rb["id"],)), 1)
        v = self.verify(b["code"], code_b)
        self.assertTrue(v["valid"], v)
        self.assertEqual(v["referral"]["id"], rb["id"])

    def test_five_wrong_codes_lock_the_slip(self):
        c = self.new_case()
        self.consent_for(c["id"])
        r = self.refer(c["id"])
        code = r["slip"]["verification_code"]
        wrong = self.wrong_code(code)
        self.assertTrue(self.verify(c["code"], code)["valid"])
        # Another organization's wrong tries do not reach the slip.
        for _ in range(6):
            self.assertEqual(self.verify(c["code"], wrong, user="legal"), {"valid": False})
        for i in range(5):
            with self.subTest(wrong=i + 1):
                self.assertEqual(self.verify(c["code"], wrong), {"valid": False})
        with self.assertWritesNothing(ignore=("audit",)):
            v = self.verify(c["code"], code, want=429)
        self.assertErrorShape(v, "rate_limited")
        self.verify(c["code"], code.lower(), want=429)
        # Another referral of the same case has a slip, and a lock, of its own.
        r2 = self.refer(c["id"])
        v = self.verify(c["code"], r2["slip"]["verification_code"])
        self.assertTrue(v["valid"])
        self.assertEqual(v["referral"]["id"], r2["id"])
        # The audit log has the checks.
        details = [d for (d,) in self.srv.rows(
            "SELECT detail FROM audit WHERE record_type = 'referral' AND record_id = ? "
            "AND user_id = ? ORDER BY seq", (r["id"], self.uid["shelter"]))]
        self.assertGreaterEqual(details.count("slip_checked"), 1)
        self.assertGreaterEqual(details.count("slip_check_failed"), 5 + 2)
        self.assertEqual(self.srv.count("slip_failure", "WHERE referral_id = ?", (r["id"],)), 5)


class ReferralInputTest(ReferralBase):
    """Bad input and Idempotency-Key on the creates."""

    def setUp(self):
        if not hasattr(type(self), "case"):
            type(self).case = self.new_case()
            self.consent_for(self.case["id"])

    def path(self):
        return "/api/v1/cases/%s/referrals" % self.case["id"]

    def test_wrong_types_and_values_are_422(self):
        good = self.refer_body()
        cases = [({"service_id": 7}, "service_id"), ({"service_id": NOWHERE}, "service_id"),
                 ({"service_id": ""}, "service_id"), ({"service_id": None}, "service_id"),
                 ({"urgency": "soon"}, "urgency"), ({"urgency": 1}, "urgency"),
                 ({"reason": ""}, "reason"), ({"reason": 5}, "reason"),
                 ({"reason": ["a"]}, "reason"), ({"reason": "x" * 2001}, "reason"),
                 ({"contact": ""}, "contact"), ({"contact": 12}, "contact"),
                 ({"contact": "x" * 121}, "contact"), ({"override": "yes"}, "override"),
                 ({"override": {"reason": 3}}, "override")]
        for over, field in cases:
            with self.subTest(over=over), self.assertWritesNothing():
                st, _, v = self.req("POST", self.path(), dict(good, **over),
                                    as_user="supervisor")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", [field])
        for field in ("service_id", "urgency", "reason"):
            with self.subTest(missing=field), self.assertWritesNothing():
                body = {k: v for k, v in good.items() if k != field}
                self.assertError(self.req("POST", self.path(), body, as_user="caseworker1"),
                                 422, "validation_failed", fields=[field])
        for raw in (b"[]", b'"x"', b"3", b"null"):
            with self.subTest(raw=raw), self.assertWritesNothing():
                st, _, v = self.req("POST", self.path(), raw=raw, as_user="caseworker1",
                                    schema_check=ERROR_ONLY)
                self.assertIn(st, (400, 422), v)
                self.assertErrorShape(v)

    def test_patch_wrong_types_are_422(self):
        r = self.refer(self.case["id"])
        path = "/api/v1/referrals/" + r["id"]
        cases = [({"version": "1", "status": "accepted"}, "version"),
                 ({"version": 0, "status": "accepted"}, "version"),
                 ({"version": 1.5, "status": "accepted"}, "version"),
                 ({"status": "accepted"}, "version"),
                 ({"version": 1}, "status"),
                 ({"version": 1, "status": "done"}, "status"),
                 ({"version": 1, "status": 3}, "status"),
                 ({"version": 1, "status": "declined", "note": 7}, "note"),
                 ({"version": 1, "status": "declined", "note": "x" * 4001}, "note")]
        for body, field in cases:
            with self.subTest(body=body), self.assertWritesNothing():
                st, _, v = self.req("PATCH", path, body, as_user="shelter")
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", [field])

    def test_invalid_utf8_nul_and_bad_json_are_refused(self):
        sid = self.svc["shelter"]["id"].encode()
        r = self.refer(self.case["id"])
        for bad in (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"caf\xe9"):
            with self.subTest(bytes=bad), self.assertWritesNothing():
                raw = b'{"service_id":"' + sid + b'","urgency":"routine","reason":"a' + bad + b'"}'
                self.assertError(self.req("POST", self.path(), raw=raw, as_user="caseworker1"),
                                 400, "bad_request")
                raw = b'{"version":1,"status":"declined","note":"' + bad + b'"}'
                self.assertError(self.req("PATCH", "/api/v1/referrals/" + r["id"], raw=raw,
                                          as_user="shelter"), 400, "bad_request")
                raw = (b'{"purpose":"services","given":true,"method":"verbal","by":"surv'
                       + bad + b'"}')
                self.assertError(self.req("POST", "/api/v1/cases/%s/consents" % self.case["id"],
                                          raw=raw, as_user="caseworker1"), 400, "bad_request")
        for raw in (b'{"service_id":"' + sid + b'","urgency":"routine","reason":"a\\u0000b"}',
                    b'{"service_id":"' + sid + b'","urgency":"routine","reason":"x",'
                    b'"contact":"a\\u0000"}'):
            with self.subTest(raw=raw), self.assertWritesNothing():
                st, _, v = self.req("POST", self.path(), raw=raw, as_user="caseworker1")
                self.assertIn(st, (400, 422), v)
                self.assertErrorShape(v)
        with self.assertWritesNothing():
            st, _, v = self.req("PATCH", "/api/v1/referrals/" + r["id"],
                                raw=b'{"version":1,"status":"declined","note":"a\\u0000b"}',
                                as_user="shelter")
            self.assertIn(st, (400, 422), v)
        for raw in (b"{", b'{"service_id":}', b"", b'{"a":1} x'):
            with self.subTest(raw=raw), self.assertWritesNothing():
                self.assertError(self.req("POST", self.path(), raw=raw, as_user="caseworker1"),
                                 400, "bad_request")
                self.assertError(self.req("PATCH", "/api/v1/referrals/" + r["id"], raw=raw,
                                          as_user="shelter"), 400, "bad_request")
        with self.assertWritesNothing():
            self.assertError(self.req("POST", self.path(), raw=b"service_id=x",
                                      content_type="text/plain", as_user="caseworker1"),
                             415, "unsupported_media_type")
        self.assertEqual(self.get(r["id"])["version"], 1)

    def test_oversized_bodies_are_413(self):
        r = self.refer(self.case["id"])
        tok = self.token("caseworker1")
        for path in (self.path(), "/api/v1/cases/%s/consents" % self.case["id"],
                     "/api/v1/referrals/verify"):
            with self.subTest(path=path), self.assertWritesNothing():
                out = test_http.HttpTest.send_large(self, path, 2 * test_http.MIB, token=tok)
                self.assertEqual(test_http.status_of(out), 413, out[:300])
        self.assertEqual(self.get(r["id"])["version"], 1)

    def test_idempotent_referral(self):
        body = self.refer_body(reason=REASON + " idem")
        h = {"Idempotency-Key": "ref-idem-1"}
        tok = self.token("caseworker1")
        st, _, first = self.srv.post(self.path(), body, token=tok, headers=h)
        self.assertEqual(st, 201, first)
        n = self.srv.count("referral")
        with self.assertWritesNothing():
            st, _, again = self.srv.post(self.path(), body, token=tok, headers=h)
        self.assertEqual((st, again), (201, first))
        self.assertEqual(self.srv.count("referral"), n)
        with self.assertWritesNothing():
            st, _, v = self.srv.post(self.path(), dict(body, urgency="urgent"), token=tok,
                                     headers=h)
        self.assertEqual(st, 422, v)
        self.assertErrorShape(v, "validation_failed", ["Idempotency-Key"])
        # A refused create keeps no answer: the key still works afterwards.
        h2 = {"Idempotency-Key": "ref-idem-2"}
        with self.assertWritesNothing():
            st, _, v = self.srv.post(self.path(), dict(body, service_id=NOWHERE), token=tok,
                                     headers=h2)
        self.assertEqual(st, 422, v)
        st, _, v = self.srv.post(self.path(), body, token=tok, headers=h2)
        self.assertEqual(st, 201, v)
        self.assertNotEqual(v["id"], first["id"])

    def test_idempotent_consent(self):
        path = "/api/v1/cases/%s/consents" % self.case["id"]
        body = {"purpose": "reporting", "given": True, "method": "written", "by": "survivor"}
        h = {"Idempotency-Key": "consent-idem-1"}
        tok = self.token("caseworker1")
        st, _, first = self.srv.post(path, body, token=tok, headers=h)
        self.assertEqual(st, 201, first)
        with self.assertWritesNothing():
            st, _, again = self.srv.post(path, body, token=tok, headers=h)
        self.assertEqual((st, again), (201, first))
        with self.assertWritesNothing():
            st, _, v = self.srv.post(path, dict(body, given=False), token=tok, headers=h)
        self.assertEqual(st, 422, v)
        self.assertErrorShape(v, "validation_failed", ["Idempotency-Key"])
        st, _, v = self.req("GET", path, as_user="caseworker1")
        self.assertEqual([x["id"] for x in v["items"]].count(first["id"]), 1)

    def test_zz_log_has_no_secrets(self):
        self.check_log_has_no_secrets(SECRETS)
        self.check_every_answer_had_security_headers()
