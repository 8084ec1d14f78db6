"""Erasure of a case's identity (issue 9 item 4): a supervisor's erasure on
the survivor's request (POST /api/v1/cases/{id}/erase) and cbpn retention
run for closed cases past the retention period. Both wipe every sealed text
of the case and of its records, its blind index and the kept answers that
held its content; the statistics stay; the case shows as erased; the
append-only tables take exactly the wipe and nothing else. On SQLite no
byte of the old ciphertexts (nor a blind-index key) is left in the database
file or its write-ahead log; on PostgreSQL the rows no longer hold them (old
row versions are VACUUM's, and the per-case key's)."""

import datetime
import re
import sqlite3

from cbpnserver import CBPN_BIN, SLOW, ServerTestCase
from test_pages import PageClient, cookies_of

import subprocess

NAME = "Erasure Distinctname"
NAME_KM = "សុខ ឆ្លាតលុប"
PHONE = "012 777 4242"
ADDRESS = "House 77, Erasure lane"
SUMMARY = "Erasure summary: she was taken across the border by Mr Distinct."
EMPLOYER = "Distinct Fishing Company"
DESCRIPTION = "Erasure incident description with distinct words."
NOTE = "Erasure note: she lives with her aunt now."
TASK = "Erasure task: call her aunt"
WITHDRAW = "Erasure withdrawal reason"
REFERRAL = "Erasure referral reason"
OUTCOME = "Erasure outcome note"
CLOSURE = "Erasure closure reason"
REASON = "She asked us to erase her records"
WIPE_NAME = "Wipetest Onlyhername"
WIPE_NAME_KM = "ចាន់ ធីតាលុប"
WIPE_PHONE = "015 919 3131"
SECRETS = [WIPE_NAME, WIPE_NAME_KM, WIPE_PHONE, NAME, NAME_KM, PHONE, ADDRESS, SUMMARY, EMPLOYER, DESCRIPTION, NOTE, TASK,
           WITHDRAW, REFERRAL, OUTCOME, CLOSURE, REASON, "Retention Person"]

ACTS = ("penetration", "sexual_contact", "physical_assault", "forced_marriage",
        "denial_of_resources", "psychological_abuse")

# Every sealed column a case's erasure wipes (domain/sealed.c's case-bound
# fields), with how its rows name the case.
WIPED = (
    ("survivor", "identity", "case_id = ?"),
    ("cases", "summary", "id = ?"),
    ("cases", "employer", "id = ?"),
    ("case_event", "text", "case_id = ? AND kind <> 'erased'"),
    ("incident", "description", "case_id = ?"),
    ("note", "body", "case_id = ?"),
    ("task", "title", "case_id = ?"),
    ("consent", "withdraw_reason", "case_id = ?"),
    ("referral", "reason", "case_id = ?"),
    ("referral", "override_reason", "case_id = ?"),
    ("referral", "slip_code", "case_id = ?"),
    ("referral_event", "note", "referral_id IN (SELECT id FROM referral WHERE case_id = ?)"),
)

# The plain columns the statistics read: they must not change.
KEPT = (
    ("survivor", "sex, age_estimated", "case_id = ?"),
    ("cases", "code, organization_id, location_code, status, risk, urgent, created_at, agency_id",
     "id = ?"),
    ("case_concern", "concern, position", "case_id = ?"),
    ("incident", "id, date, location, gbv_type, context_flags, survivor_age, perpetrators",
     "case_id = ?"),
    ("screening", "id, indicators, dimensions, forced_labour_indicators, result", "case_id = ?"),
    ("consent", "id, purpose, given, withdrawn_at", "case_id = ?"),
    ("referral", "id, service_type, status, urgency, created_at, consent_override", "case_id = ?"),
    ("referral_event", "seq, status, at",
     "referral_id IN (SELECT id FROM referral WHERE case_id = ?)"),
    ("case_event", "seq, kind, at, detail", "case_id = ? AND kind <> 'erased'"),
    ("task", "id, due_on, done", "case_id = ?"),
    ("note", "id, created_at", "case_id = ?"),
)


def run(*args, timeout=120):
    p = subprocess.run([CBPN_BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout * SLOW)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def incident(**over):
    body = {"date": "2024-05-10", "reported_on": "2024-05-14", "time_of_day": "evening_night",
            "location_type": "workplace", "location": "17071001",
            "migration_stage": "not_migration_related",
            "acts": {a: a == "physical_assault" for a in ACTS},
            "goods_or_money_exchanged": False, "abduction": "none", "reported_elsewhere": "no",
            "perpetrators": [{"sex": "male", "age_group": "26_40", "relationship": "stranger"}]}
    body.update(over)
    return body


# The figures the statistics count, over every case.
FIGURES = (
    "SELECT sex, age, age_estimated, count(*) FROM survivor GROUP BY sex, age, age_estimated",
    "SELECT status, location_code, risk, urgent, count(*) FROM cases"
    " GROUP BY status, location_code, risk, urgent",
    "SELECT concern, count(*) FROM case_concern GROUP BY concern",
    "SELECT gbv_type, context_flags, survivor_age, count(*) FROM incident"
    " GROUP BY gbv_type, context_flags, survivor_age",
    "SELECT result, indicators, count(*) FROM screening GROUP BY result, indicators",
    "SELECT service_type, status, urgency, count(*) FROM referral"
    " GROUP BY service_type, status, urgency",
    "SELECT purpose, given, count(*) FROM consent GROUP BY purpose, given",
)


def blob(v):
    return bytes(v) if v is not None else b""


class ErasureBase(ServerTestCase):
    USERS = ServerTestCase.USERS + ("supervisor2",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        srv.secrets.update(SECRETS)
        cls.uid = {u: srv.user(u)["id"] for u in ("caseworker1", "supervisor", "shelter")}
        cls.shelter_org = srv.user("shelter")["organization_id"]
        st, _, v = srv.request("GET", "/api/v1/services", token=srv.login("admin"))
        assert st == 200, v
        cls.service = next(s for s in v["items"] if s["organization_id"] == cls.shelter_org)

    def ok(self, method, path, body=None, user="supervisor", want=(200, 201), **kw):
        st, _, v = self.req(method, path, body, as_user=user, **kw)
        self.assertIn(st, want if isinstance(want, tuple) else (want,),
                      "%s %s by %s: %r" % (method, path, user, v))
        return v

    def full_case(self, close=False, key=None, name=NAME, name_km=NAME_KM, phone=PHONE):
        """A case with every sealed field filled through the API (idempotency
        keys on its creates, so that their kept answers hold its content)."""
        body = {"location_code": "17071001", "concerns": ["trafficking", "forced_labour"],
                "summary": SUMMARY, "urgent": True, "employer": EMPLOYER,
                "survivor": {"sex": "female", "birth_date": "2001-03-04", "name_latn": name,
                             "name_km": name_km, "phone": phone, "address_text": ADDRESS,
                             "occupation": "Distinct occupation", "nationality": "KH",
                             "migration": {"countries": ["TH"], "years": 2,
                                           "channel": "irregular", "sector": "fishing"}}}
        key = key or ("erase-report-%d" % id(body))
        c = self.ok("POST", "/api/v1/cases", body, headers={"Idempotency-Key": key})
        cid = c["id"]
        p = "/api/v1/cases/" + cid
        self.ok("POST", p + "/assign", {"caseworker_id": self.uid["caseworker1"]})
        self.ok("POST", p + "/incidents", incident(description=DESCRIPTION),
                user="caseworker1", headers={"Idempotency-Key": key + "-i"})
        self.ok("POST", p + "/screenings",
                {"adult": True, "indicators": ["a_deceived_nature_of_job"]}, user="caseworker1")
        self.ok("POST", p + "/notes", {"body": NOTE}, user="caseworker1",
                headers={"Idempotency-Key": key + "-n"})
        self.ok("POST", p + "/tasks", {"title": TASK, "due_on": "2020-01-01"},
                user="caseworker1")
        for purpose, extra in (("services", {}), ("share_with", {"organization_id":
                                                                  self.shelter_org})):
            self.ok("POST", p + "/consents", dict(purpose=purpose, given=True, method="verbal",
                                                  by="survivor", **extra), user="caseworker1")
        rep = self.ok("POST", p + "/consents", {"purpose": "reporting", "given": True,
                                                 "method": "verbal", "by": "survivor"},
                      user="caseworker1")
        self.ok("POST", "%s/consents/%s/withdraw" % (p, rep["id"]), {"reason": WITHDRAW},
                user="caseworker1")
        r = self.ok("POST", p + "/referrals", {"service_id": self.service["id"],
                                               "urgency": "routine", "reason": REFERRAL},
                    user="caseworker1")
        r = self.ok("PATCH", "/api/v1/referrals/" + r["id"],
                    {"version": r["version"], "status": "accepted"}, user="shelter")
        self.ok("PATCH", "/api/v1/referrals/" + r["id"],
                {"version": r["version"], "status": "completed", "note": OUTCOME},
                user="shelter")
        self.ok("POST", p + "/closure", {"reason_code": "services_completed", "reason": CLOSURE},
                user="caseworker1")
        if close:
            self.ok("POST", p + "/closure/approve", {}, user="supervisor")
        return self.ok("GET", p)

    def sealed_of(self, cid):
        """(table, column) -> the case's non-empty sealed values."""
        out = {}
        for table, col, where in WIPED:
            vals = [blob(v) for (v,) in self.srv.rows(
                "SELECT %s FROM %s WHERE %s" % (col, table, where), (cid,))]
            out[(table, col)] = [v for v in vals if v]
        return out

    def kept_of(self, cid):
        return {(t, c): self.srv.rows("SELECT %s FROM %s WHERE %s ORDER BY 1" % (c, t, w), (cid,))
                for t, c, w in KEPT}

    def figures(self):
        return [sorted(self.srv.rows(q), key=repr) for q in FIGURES]

    def keys_of(self, cid):
        return [k for (k,) in self.srv.rows("SELECT key FROM survivor_key WHERE case_id = ?",
                                             (cid,))]

    def answers_naming(self, cid, key):
        return [blob(a) for (a,) in self.srv.rows(
            "SELECT answer FROM idempotency WHERE case_id = ? OR key LIKE ?", (cid, key + "%"))]

    def erase(self, c, user="supervisor", want=200, key=None, **over):
        body = {"version": c["version"], "reason": REASON}
        body.update(over)
        headers = {"Idempotency-Key": key} if key else None
        st, _, v = self.req("POST", "/api/v1/cases/%s/erase" % c["id"], body, as_user=user,
                            headers=headers)
        self.assertEqual(st, want, v)
        return v

    def assertWiped(self, cid):
        for (table, col), vals in self.sealed_of(cid).items():
            self.assertEqual(vals, [], "%s.%s still holds a sealed value" % (table, col))
        self.assertEqual(self.keys_of(cid), [])


class ErasureTest(ErasureBase):

    def test_erasure_wipes_every_field_keeps_the_statistics_and_leaves_no_trace(self):
        # Her own name and phone: the blind-index keys are hers alone.
        c = self.full_case(key="wipe-test", name=WIPE_NAME, name_km=WIPE_NAME_KM,
                           phone=WIPE_PHONE)
        cid = c["id"]
        before = self.sealed_of(cid)
        for (table, col), vals in before.items():
            if (table, col) != ("referral", "override_reason"):  # no override here
                self.assertTrue(vals, "the test case has no %s.%s" % (table, col))
        keys = self.keys_of(cid)
        self.assertTrue(keys)
        answers = self.answers_naming(cid, "wipe-test")
        self.assertGreaterEqual(len(answers), 3)
        kept = self.kept_of(cid)
        figures = self.figures()
        age = self.srv.rows("SELECT age FROM survivor WHERE case_id = ?", (cid,))[0][0]
        # The case's own key, wrapped: what every copy of its fields needs.
        wrapped = [bytes(r[0]) for r in self.srv.rows(
            "SELECT wrapped FROM case_key WHERE case_id = ?", (cid,))]
        self.assertEqual(len(wrapped), 1)

        v = self.erase(c, key="erase-once")
        self.assertEqual(v["erased_reason"], "request")
        # Crypto-shredded: the key that sealed her fields is gone (the
        # erasure's reason, sealed on the timeline, has a key of its own).
        after = [bytes(r[0]) for r in self.srv.rows(
            "SELECT wrapped FROM case_key WHERE case_id = ?", (cid,))]
        self.assertNotIn(wrapped[0], after)
        self.assertTrue(v["erased_at"])
        self.assertEqual(v["version"], c["version"] + 1)
        self.assertNotIn("summary", v)
        self.assertNotIn("employer", v)
        for k in ("name_latn", "name_km", "phone", "address_text", "birth_date", "occupation"):
            self.assertNotIn(k, v["survivor"])
        self.assertEqual(v["survivor"]["sex"], "female")
        self.assertEqual(v["survivor"]["age"], age)
        # A retry under the same key answers the first answer; without, 409.
        st, _, again = self.req("POST", "/api/v1/cases/%s/erase" % cid,
                                {"version": c["version"], "reason": REASON},
                                as_user="supervisor", headers={"Idempotency-Key": "erase-once"})
        self.assertEqual((st, again), (200, v))
        self.erase(c, want=409)
        self.erase(v, want=409)  # already erased, at the current version too

        self.assertWiped(cid)
        self.assertEqual(self.kept_of(cid), kept)
        self.assertEqual(self.figures(), figures)
        # The kept answers that held the case's content are gone.
        self.assertEqual(self.srv.rows(
            "SELECT count(*) FROM idempotency WHERE key LIKE 'wipe-test%'"), [(0,)])
        self.assertEqual(self.srv.rows(
            "SELECT key FROM idempotency WHERE case_id = ?", (cid,)), [("erase-once",)])
        # The reason is sealed on the erased step, never in the audit log.
        ev = self.srv.rows("SELECT detail, text FROM case_event WHERE case_id = ? AND"
                           " kind = 'erased'", (cid,))
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0][0], "request")
        self.assertNotIn(REASON.encode(), blob(ev[0][1]))
        self.assertEqual(self.srv.rows(
            "SELECT user_id, detail FROM audit WHERE action = 'erase' AND record_id = ?", (cid,)),
            [(self.uid["supervisor"], "request")])
        self.assertEqual(self.srv.rows(
            "SELECT count(*) FROM audit WHERE detail LIKE ?", ("%" + REASON[:12] + "%",)), [(0,)])

        # cbpn migrate carries an erased case (its emptied NOT NULL columns).
        if self.srv.backend == "sqlite":
            import os
            p = subprocess.run([CBPN_BIN, "migrate", "--from", self.srv.db_uri, "--to",
                                os.path.join(self.srv.dir, "copy.db")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=600 * SLOW)
            self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        old = [b for vals in before.values() for b in vals] + answers + wrapped
        if self.srv.backend == "sqlite":
            raw = self.srv.file_bytes()
            for b in old:
                # Any 24 bytes of a ciphertext (past its key id and nonce
                # start) would betray that it is still there.
                self.assertFalse(b[-24:] in raw, "an erased ciphertext is still in the files")
            # A name word's key another survivor shares stays hers; the others
            # (her phone's, her own words') must be gone.
            own = [k for k in keys if self.srv.count("survivor_key", "WHERE key = ?", (k,)) == 0]
            self.assertTrue(own)
            for k in own:
                self.assertFalse(k.encode() in raw, "an erased name or phone key is in the files")
        else:
            for table, col, _ in WIPED + (("idempotency", "answer", ""),):
                for b in old:
                    self.assertEqual(self.srv.rows(
                        "SELECT count(*) FROM %s WHERE %s = ?" % (table, col), (b,)), [(0,)])
            # (a name word's key another survivor shares stays hers)
            self.assertEqual(self.srv.count("survivor_key", "WHERE case_id = ?", (cid,)), 0)

    def test_erased_case_shows_as_erased_everywhere(self):
        c = self.full_case()
        cid = c["id"]
        v = self.erase(c)
        for user in ("supervisor", "caseworker1"):
            got = self.ok("GET", "/api/v1/cases/" + cid, user=user)
            self.assertEqual(got["erased_reason"], "request")
            for n in got["notes"]:
                self.assertEqual(n["body"], "")
            for t in got["tasks"]:
                self.assertEqual(t["title"], "")
            self.assertTrue(all("text" not in e for e in got["timeline"]
                                if e["kind"] != "erased"))
            self.assertTrue(all("description" not in i for i in got["incidents"]))
        lst = self.ok("GET", "/api/v1/cases?limit=500")
        self.assertIn(cid, [x["id"] for x in lst["items"]])
        self.ok("GET", "/api/v1/cases?q=Distinctname")
        self.assertNotIn(cid, [x["id"] for x in self.ok("GET", "/api/v1/cases?q=Distinctname")[
            "items"]])
        self.ok("GET", "/api/v1/cases/%s/timeline" % cid)
        self.ok("GET", "/api/v1/cases/%s/history" % cid)
        self.ok("GET", "/api/v1/tasks?overdue=true", user="caseworker1")
        refs = self.ok("GET", "/api/v1/referrals", user="shelter")
        rid = next(r["id"] for r in refs["items"] if r["case_id"] == cid)
        r = self.ok("GET", "/api/v1/referrals/" + rid, user="shelter")
        self.assertNotIn("identity", r)
        r = self.ok("GET", "/api/v1/referrals/" + rid, user="caseworker1")
        self.assertEqual(r["reason"], "")
        self.assertNotIn("slip", r)
        # An erased case takes no new free text.
        p = "/api/v1/cases/" + cid
        for path, body in (("/notes", {"body": "more"}),
                           ("/tasks", {"title": "more", "due_on": "2030-01-01"})):
            with self.assertWritesNothing():
                st, _, e = self.req("POST", p + path, body, as_user="supervisor")
            self.assertEqual(st, 409, (path, e))
        with self.assertWritesNothing():
            st, _, e = self.req("PATCH", p, {"version": v["version"], "summary": "again"},
                                as_user="supervisor")
        self.assertEqual(st, 409, e)

    def test_refusals_write_nothing(self):
        c = self.full_case()
        cid = c["id"]
        for user, want in (("caseworker1", 403), ("rep1", 403), ("member1", 403),
                           ("admin", 403), ("analyst", 403), ("shelter", 403)):
            with self.subTest(user=user), self.assertWritesNothing():
                self.erase(c, user=user, want=want)
        for body, field in (({"reason": ""}, "reason"), ({"reason": "   \n"}, "reason"),
                            ({"reason": None}, "reason"), ({"version": None}, "version"),
                            ({"version": "1"}, "version"), ({"reason": "x" * 2001}, "reason")):
            with self.subTest(body=body), self.assertWritesNothing():
                v = self.erase(c, want=422, **body)
                self.assertErrorShape(v, "validation_failed", [field])
        with self.assertWritesNothing():
            v = self.erase(c, want=409, version=c["version"] - 1)
        self.assertErrorShape(v, "conflict")
        with self.assertWritesNothing():
            self.erase({"id": "nosuchcase0000000000", "version": 1}, want=404)
        self.assertEqual(self.sealed_of(cid)[("survivor", "identity")] != [], True)

    def test_supervisor_of_another_organization_does_not_reach_it(self):
        # A supervisor of another NGO (the demo has one NGO: the test adds
        # another, as the local operator would): outside the case's
        # organization, so the case is not found (API.md: never reveal
        # that it exists).
        self.srv.execute("INSERT INTO organization (id, name, kind, location_code, created_at,"
                         " updated_at, version) VALUES ('erasengo000000000000', 'Other NGO',"
                         " 'ngo', '17', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z',"
                         " 1)")
        p = subprocess.run([CBPN_BIN, "user", "add", *self.srv.db_args(), "--username",
                            "erasesup", "--role", "supervisor", "--organization",
                            "erasengo000000000000", "--display-name", "Other supervisor"],
                           input=b"demo-password-1\n", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        c = self.full_case()
        with self.assertWritesNothing(ignore=("session", "audit")):
            self.erase(c, user="erasesup", want=404)

    def test_append_only_tables_take_only_the_wipe(self):
        c = self.full_case()
        cid = c["id"]
        refused = (
            ("UPDATE note SET body = ? WHERE case_id = ?", (b"\x01", cid)),
            ("UPDATE note SET author = author || 'x' WHERE case_id = ?", (cid,)),
            ("UPDATE case_event SET kind = 'closed' WHERE case_id = ? AND kind = 'reported'",
             (cid,)),
            ("UPDATE case_event SET text = ? WHERE case_id = ?", (b"\x01", cid)),
            ("UPDATE case_event SET at = '2000-01-01T00:00:00.000Z' WHERE case_id = ?", (cid,)),
            ("UPDATE referral_event SET status = 'declined' WHERE referral_id IN"
             " (SELECT id FROM referral WHERE case_id = ?)", (cid,)),
            ("UPDATE referral_event SET note = ? WHERE referral_id IN"
             " (SELECT id FROM referral WHERE case_id = ?)", (b"\x01", cid)),
            ("UPDATE consent SET withdrawn_at = NULL, withdrawn_by = NULL WHERE case_id = ?",
             (cid,)),
            ("UPDATE consent SET withdraw_reason = ? WHERE case_id = ? AND withdrawn_at IS NOT"
             " NULL", (b"\x01", cid)),
        )
        for sql, args in refused:
            with self.subTest(sql=sql), self.assertWritesNothing():
                with self.assertRaises(Exception):
                    self.srv.execute(sql, args)
        # The wipe itself passes (what store_case_erase does).
        self.assertGreater(self.srv.execute(
            "UPDATE case_event SET text = NULL WHERE case_id = ? AND text IS NOT NULL", (cid,)), 0)
        self.assertGreater(self.srv.execute(
            "UPDATE consent SET withdraw_reason = NULL WHERE case_id = ?"
            " AND withdraw_reason IS NOT NULL", (cid,)), 0)


class ErasurePagesTest(PageClient, ErasureBase):

    def provider_session(self, username):
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": username,
                                                         "password": "demo-password-1",
                                                         "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        value = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(value)
        return dict(pre, cbpn_session=value)

    def test_supervisor_erases_from_the_case_page_after_confirming(self):
        c = self.full_case()
        cid = c["id"]
        cw, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases/" + cid, cw)
        self.assertEqual(st, 200)
        self.assertNotIn(b'id="erase-form"', page)
        sup, csrf = self.sign_in("supervisor")
        st, _, page = self.page("GET", "/cases/%s?lang=en" % cid, sup)
        self.assertEqual(st, 200)
        self.assertIn(b'id="erase-form"', page)
        self.assertIn(b"cannot be undone", page)
        form = {"csrf": csrf, "version": str(c["version"]), "reason": REASON}
        with self.assertWritesNothing(ignore=("audit",)):
            st, _, page = self.page("POST", "/cases/%s/erase" % cid, sup, form)
        self.assertEqual(st, 422)  # the box was not ticked
        self.assertIn(b'id="erase-form"', page)
        st, h, _ = self.page("POST", "/cases/%s/erase" % cid, sup, dict(form, confirm="true"))
        self.assertEqual(st, 303)
        self.assertIn("ok=erased", h.get("Location", ""))
        self.assertWiped(cid)
        for user in (sup, cw):
            st, _, page = self.page("GET", "/cases/%s?lang=en" % cid, user)
            self.assertEqual(st, 200)
            self.assertIn(b'id="case-erased"', page)
            self.assertNotIn(b'id="erase-form"', page)
            self.assertNotIn(NAME.encode(), page)
        for path in ("/cases", "/cases?q=Distinctname", "/referrals"):
            st, _, page = self.page("GET", path, sup)
            self.assertEqual(st, 200, path)
        sh = self.provider_session("shelter")
        st, _, page = self.page("GET", "/referrals", sh)
        self.assertEqual(st, 200)
        rid = self.srv.rows("SELECT id FROM referral WHERE case_id = ?", (cid,))[0][0]
        st, _, page = self.page("GET", "/referrals/" + rid, sh)
        self.assertEqual(st, 200)
        st, _, page = self.page("GET", "/referrals/" + rid, cw)
        self.assertEqual(st, 200)


def closed_at(srv, cid):
    return srv.rows("SELECT max(at) FROM case_event WHERE case_id = ? AND kind = 'closed'",
                    (cid,))[0][0]


class RetentionTest(ErasureBase):
    """cbpn retention run, while the server runs."""

    def shift_closures(self, cid, at):
        """Moves the case's closures to at, as if closed then: the test's
        own write, past the append-only trigger (held off for it)."""
        db = self.srv.database
        sql = "UPDATE case_event SET at = ? WHERE case_id = ? AND kind = 'closed'"
        if db.backend == "sqlite":
            c = sqlite3.connect(db.uri, timeout=10)
            try:
                (trig,), = c.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND"
                                     " name = 'case_event_only_wiped'").fetchall()
                c.execute("BEGIN IMMEDIATE")
                c.execute("DROP TRIGGER case_event_only_wiped")
                c.execute(sql, (at, cid))
                c.execute(trig)
                c.commit()
            finally:
                c.close()
        else:
            c = db._pg_connect(read_only=False)
            try:
                with c.cursor() as cur:
                    cur.execute("ALTER TABLE case_event DISABLE TRIGGER case_event_only_wiped")
                    cur.execute(sql.replace("?", "%s"), (at, cid))
                    cur.execute("ALTER TABLE case_event ENABLE TRIGGER case_event_only_wiped")
                c.commit()
            finally:
                c.close()

    def retention(self, *extra):
        return run("retention", "run", *self.srv.db_args(), *extra)

    def test_usage(self):
        rc, out, _ = run("retention", "--help")
        self.assertEqual(rc, 0)
        self.assertIn("retention run", out)
        rc, out, _ = run("retention", "run", "--help")
        self.assertEqual((rc, "--dry-run" in out), (0, True))
        for args in ((), ("run",), ("nothing", "--db", "x"), ("run", *self.srv.db_args(), "x"),
                     ("run", "--bogus", *self.srv.db_args())):
            with self.subTest(args=args):
                self.assertEqual(run("retention", *args)[0], 2)
        for bad in ("0", "101", "five", ""):
            with self.subTest(value=bad):
                self.assertEqual(run("setting", *self.srv.db_args(), "retention.years", bad)[0],
                                 1)
        rc, out, _ = run("setting", *self.srv.db_args(), "retention.years")
        self.assertEqual((rc, out.strip()), (0, "5"))

    def test_run_erases_exactly_the_closed_cases_past_the_period(self):
        now = datetime.datetime.now(datetime.timezone.utc)

        def ts(dt):
            return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")

        def years_ago(n, **delta):
            d = now.replace(year=now.year - n) if not (now.month == 2 and now.day == 29) \
                else now.replace(year=now.year - n, day=28)
            return ts(d + datetime.timedelta(**delta))

        cases = {}
        # Closed 6 years ago; closed a day past 5 years; closed a day short of
        # 5 years; closed a minute past 5 years (the boundary, as run a
        # moment later); open (never); closed long ago then reopened (open
        # now: never); closed long ago, reopened, closed again lately.
        for name in ("old", "past", "short", "boundary", "open", "reopened", "reclosed"):
            cases[name] = self.full_case(close=name != "open", key="ret-" + name)["id"]
        self.shift_closures(cases["old"], years_ago(6))
        self.shift_closures(cases["past"], years_ago(5, days=-1))
        self.shift_closures(cases["short"], years_ago(5, days=1))
        self.shift_closures(cases["boundary"], years_ago(5, minutes=-1))
        self.shift_closures(cases["reopened"], years_ago(7))
        self.ok("POST", "/api/v1/cases/%s/reopen" % cases["reopened"], {"reason": "back"})
        self.shift_closures(cases["reclosed"], years_ago(8))
        self.ok("POST", "/api/v1/cases/%s/reopen" % cases["reclosed"], {"reason": "back"})
        self.ok("POST", "/api/v1/cases/%s/closure" % cases["reclosed"],
                {"reason_code": "services_completed"}, user="caseworker1")
        self.ok("POST", "/api/v1/cases/%s/closure/approve" % cases["reclosed"], {},
                user="supervisor2")
        # Which cases the period takes, from the database (the demo's too).
        cut = years_ago(5)
        due = {cid for (cid,) in self.srv.rows(
            "SELECT id FROM cases c WHERE status = 'closed' AND erased_at IS NULL AND"
            " (SELECT max(at) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'closed')"
            " < ?", (cut,))}
        self.assertTrue({cases["old"], cases["past"], cases["boundary"]} <= due)
        self.assertFalse({cases["short"], cases["open"], cases["reopened"],
                          cases["reclosed"]} & due)
        figures = self.figures()
        kept = {cid: self.kept_of(cid) for cid in cases.values()}

        # A dry run counts and changes nothing.
        with self.assertWritesNothing():
            rc, out, err = self.retention("--dry-run")
        self.assertEqual(rc, 0, err)
        self.assertIn("eligible: %d\n" % len(due), out)
        self.assertIn("erased: 0\n", out)

        rc, out, err = self.retention()
        self.assertEqual(rc, 0, err)
        self.assertIn("retention: 5 years\n", out)
        self.assertIn("erased: %d\n" % len(due), out)
        for w in SECRETS:
            self.assertNotIn(w, out + err)
        erased = {cid for (cid,) in self.srv.rows(
            "SELECT id FROM cases WHERE erased_reason = 'retention'")}
        self.assertEqual(erased, due)
        for name, cid in cases.items():
            with self.subTest(case=name):
                if cid in due:
                    self.assertWiped(cid)
                    got = self.ok("GET", "/api/v1/cases/" + cid)
                    self.assertEqual(got["erased_reason"], "retention")
                else:
                    self.assertEqual(self.srv.rows(
                        "SELECT erased_at FROM cases WHERE id = ?", (cid,)), [(None,)])
                    self.assertTrue(self.sealed_of(cid)[("survivor", "identity")])
                self.assertEqual(self.kept_of(cid), kept[cid])
        self.assertEqual(self.figures(), figures)
        # One audit entry per case, by the local operator.
        rows = self.srv.rows("SELECT record_id, user_id, detail FROM audit WHERE action = 'erase'"
                             " AND detail = 'retention'")
        self.assertEqual(sorted(r[0] for r in rows), sorted(due))
        self.assertTrue(all(not r[1] and r[2] == "retention" for r in rows))
        rc, _, err = run("audit", "verify", *self.srv.db_args())
        self.assertEqual(rc, 0, err)
        # Nothing left to do.
        rc, out, err = self.retention()
        self.assertEqual((rc, "erased: 0\n" in out), (0, True), out + err)
        if self.srv.backend == "postgres":
            # The run vacuumed the tables it wrote.
            (last,), = self.srv.rows(
                "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'survivor'")
            self.assertIsNotNone(last)
