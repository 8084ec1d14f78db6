"""Sign-in, sign-out, tokens, the sign-in limit and GET /me."""

import hashlib
import time

from cbpnserver import DEMO_PASSWORD, ServerTestCase

SIGNIN_TABLES = ("login_failure", "login_failures", "audit", "audit_log")


class SessionTest(ServerTestCase):

    # ---- sign-in ----

    def test_sign_in_answers_201_token_and_user(self):
        st, v = self.srv.sign_in("caseworker1")
        self.assertEqual(st, 201, v)
        self.assertEqual(set(v), {"token", "user", "enrol_only"})
        self.assertIs(v["enrol_only"], False)
        self.assertIsInstance(v["token"], str)
        self.assertGreaterEqual(len(v["token"]), 40, "a 256-bit token is at least 43 base64 chars")
        self.assertUserShape(v["user"])
        self.assertEqual(v["user"]["username"], "caseworker1")
        self.assertEqual(v["user"]["role"], "caseworker")

    def test_two_sign_ins_give_different_tokens(self):
        st1, v1 = self.srv.sign_in("caseworker2")
        st2, v2 = self.srv.sign_in("caseworker2")
        self.assertEqual((st1, st2), (201, 201))
        self.assertNotEqual(v1["token"], v2["token"])

    def test_sign_in_creates_exactly_one_session_row(self):
        table = self.srv.find_table("session", "sessions")
        self.assertIsNotNone(table, "no session table in %r" % self.srv.tables())
        before = self.srv.count(table)
        st, v = self.srv.sign_in("supervisor")
        self.assertEqual(st, 201, v)
        self.assertEqual(self.srv.count(table), before + 1)

    def test_token_is_not_stored_in_the_database(self):
        st, v = self.srv.sign_in("analyst")
        self.assertEqual(st, 201, v)
        data = self.srv.file_bytes()
        self.assertNotIn(v["token"].encode(), data, "the plain token is in the database")

    def test_wrong_password_and_unknown_user_give_the_same_answer(self):
        with self.assertWritesNothing(ignore=SIGNIN_TABLES):
            a = self.srv.post("/api/v1/session", {"username": "caseworker2",
                                                  "password": "not-the-password-1"})
            b = self.srv.post("/api/v1/session", {"username": "no-such-user-x",
                                                  "password": "not-the-password-1"})
        self.assertError(a, 401, "unauthenticated")
        self.assertError(b, 401, "unauthenticated")
        self.assertEqual(a[2], b[2], "the answers differ, so they reveal which usernames exist")

    def test_wrong_password_creates_no_session(self):
        table = self.srv.find_table("session", "sessions")
        before = self.srv.count(table)
        st, v = self.srv.sign_in("legal", "wrong-password-123")
        self.assertEqual(st, 401, v)
        self.assertEqual(self.srv.count(table), before)

    def test_sign_in_with_missing_fields_is_refused_and_writes_nothing(self):
        with self.assertWritesNothing(ignore=SIGNIN_TABLES):
            st, _, v = self.srv.post("/api/v1/session", {"username": "shelter"})
        self.assertIn(st, (400, 401, 422), v)
        self.assertErrorShape(v)

    def test_sign_in_with_a_huge_password_is_refused_and_server_lives(self):
        with self.assertWritesNothing(ignore=SIGNIN_TABLES):
            st, _, v = self.srv.post("/api/v1/session", {"username": "no-such-user-y",
                                                         "password": "x" * 200000})
        self.assertIn(st, (400, 401, 413, 422), v)
        self.assertErrorShape(v)

    def test_five_failures_then_even_the_right_password_is_rate_limited(self):
        admin = self.token("admin")
        org = self.srv.user("caseworker1")["organization_id"]
        username = "ratelimit-%d" % (time.time_ns() % 1000000)
        password = "a-good-password-42"
        st, _, v = self.srv.post("/api/v1/users", {
            "username": username, "password": password, "role": "analyst",
            "display_name": "Rate Limit Test", "organization_id": org}, token=admin)
        self.assertEqual(st, 201, v)
        self.srv.secrets.add(password)
        for i in range(5):
            st, v = self.srv.sign_in(username, "wrong-password-%d" % i)
            self.assertEqual(st, 401, "failure %d: %r" % (i + 1, v))
        sess = self.srv.find_table("session", "sessions")
        with self.assertWritesNothing(ignore=SIGNIN_TABLES):
            st, _, v = self.srv.post("/api/v1/session", {"username": username,
                                                         "password": password})
        self.assertError((st, _, v), 429, "rate_limited")
        # the limit is per username: another account still signs in
        st, v = self.srv.sign_in("caseworker2")
        self.assertEqual(st, 201, "one locked username locked out another: %r" % (v,))
        self.assertIsNotNone(sess)

    # ---- tokens ----

    def test_no_token_is_401(self):
        for path in ("/api/v1/me", "/api/v1/cases", "/api/v1/users", "/api/v1/groups"):
            with self.subTest(path=path):
                self.assertError(self.srv.get(path), 401, "unauthenticated")

    def test_no_token_post_is_401_and_writes_nothing(self):
        body = {"location_code": "17071001", "concerns": ["other"], "summary": "x",
                "survivor": {"sex": "female"}, "consent_to_contact": False, "urgent": False}
        with self.assertWritesNothing():
            a = self.srv.post("/api/v1/cases", body)
        self.assertError(a, 401, "unauthenticated")

    def test_garbage_tokens_are_401(self):
        for tok in ("garbage", "A" * 43, "x" * 5000, "", "\u00e9t\u00e9"):
            with self.subTest(token=tok[:20]):
                with self.assertWritesNothing():
                    hdr = {"Authorization": ("Bearer " + tok).encode("utf-8").decode("latin-1")}
                    a = self.srv.get("/api/v1/me", headers=hdr)
                self.assertError(a, 401, "unauthenticated")

    def test_other_authorization_schemes_are_401(self):
        tok = self.token("caseworker1")
        for hdr in ("Basic Y2FzZXdvcmtlcjE6ZGVtby1wYXNzd29yZC0x", "Token " + tok, tok,
                    "Bearer  " + tok + "x"):
            with self.subTest(header=hdr[:12]):
                a = self.srv.get("/api/v1/me", headers={"Authorization": hdr})
                self.assertError(a, 401, "unauthenticated")

    def test_token_in_query_string_is_not_accepted(self):
        tok = self.token("caseworker1")
        a = self.srv.get("/api/v1/me?token=" + tok)
        self.assertError(a, 401, "unauthenticated")
        a = self.srv.get("/api/v1/me?access_token=" + tok)
        self.assertError(a, 401, "unauthenticated")

    def test_sign_out_answers_204_and_the_token_stops_working(self):
        st, v = self.srv.sign_in("counsel")
        self.assertEqual(st, 201, v)
        tok = v["token"]
        self.assertEqual(self.srv.get("/api/v1/me", token=tok)[0], 200)
        table = self.srv.find_table("session", "sessions")
        before = self.srv.count(table)
        st, h, body = self.srv.request("DELETE", "/api/v1/session", token=tok)
        self.assertEqual(st, 204, body)
        self.assertEqual(body, b"", "a 204 has no body")
        self.assertEqual(self.srv.count(table), before - 1, "the session row was not removed")
        self.assertError(self.srv.get("/api/v1/me", token=tok), 401, "unauthenticated")
        with self.assertWritesNothing():
            a = self.srv.request("DELETE", "/api/v1/session", token=tok)
        self.assertError(a, 401, "unauthenticated")

    def test_sign_out_ends_only_that_session(self):
        st1, v1 = self.srv.sign_in("shelter")
        st2, v2 = self.srv.sign_in("shelter")
        self.assertEqual((st1, st2), (201, 201))
        self.assertEqual(self.srv.request("DELETE", "/api/v1/session", token=v1["token"])[0], 204)
        self.assertEqual(self.srv.get("/api/v1/me", token=v2["token"])[0], 200)

    # ---- sign out everywhere ----

    def fresh_account(self, prefix):
        """A new analyst account (so that ending its sessions disturbs no other test)."""
        name = "%s-%d" % (prefix, time.time_ns() % 1000000000)
        st, _, v = self.req("POST", "/api/v1/users",
                            {"username": name, "password": "long-enough-pw-1", "role": "analyst"},
                            as_user="admin")
        self.assertEqual(st, 201, v)
        return name, v["id"]

    def test_sign_out_everywhere_ends_every_session_of_the_user_and_is_audited(self):
        name, uid = self.fresh_account("everywhere")
        tokens = []
        for _ in range(3):
            st, v = self.srv.sign_in(name, "long-enough-pw-1")
            self.assertEqual(st, 201, v)
            tokens.append(v["token"])
        other = self.token("analyst")  # another user's session lives on
        table = self.srv.find_table("session", "sessions")
        self.assertEqual(self.srv.count(table, "WHERE user_id = ?", (uid,)), 3)
        audits = self.srv.count("audit", "WHERE user_id = ? AND action = 'logout'", (uid,))
        st, h, body = self.srv.request("DELETE", "/api/v1/me/sessions", token=tokens[1])
        self.assertEqual(st, 204, body)
        self.assertEqual(body, b"")
        for tok in tokens:  # the caller's own token too
            self.assertError(self.srv.get("/api/v1/me", token=tok), 401, "unauthenticated")
        self.assertEqual(self.srv.count(table, "WHERE user_id = ?", (uid,)), 0)
        self.assertEqual(self.srv.get("/api/v1/me", token=other)[0], 200)
        rows = self.srv.rows("SELECT detail FROM audit WHERE user_id = ? AND action = 'logout'"
                             " ORDER BY seq", (uid,))
        self.assertEqual(len(rows), audits + 1, "sign-out everywhere was not audited once")
        self.assertEqual(rows[-1][0], "everywhere")
        # Signing in again works; the old tokens stay dead.
        st, v = self.srv.sign_in(name, "long-enough-pw-1")
        self.assertEqual(st, 201, v)
        self.assertError(self.srv.get("/api/v1/me", token=tokens[0]), 401, "unauthenticated")

    def test_sign_out_everywhere_without_a_token_is_401_and_writes_nothing(self):
        for tok in (None, "x" * 43):
            with self.subTest(token=tok), self.assertWritesNothing():
                a = self.srv.request("DELETE", "/api/v1/me/sessions", token=tok)
            self.assertError(a, 401, "unauthenticated")

    def test_sign_out_without_token_is_401(self):
        with self.assertWritesNothing():
            a = self.srv.request("DELETE", "/api/v1/session")
        self.assertError(a, 401, "unauthenticated")

    def test_idle_expired_token_is_401(self):
        """Makes a session look 31 minutes idle in the database, then uses it."""
        st, v = self.srv.sign_in("legal")
        self.assertEqual(st, 201, v)
        tok = v["token"]
        table = self.srv.find_table("session", "sessions")
        types = dict(self.srv.columns(table))
        hcol = next((c for c in types if "hash" in c), None)
        tcol = next((c for c in types if c in ("last_seen", "last_seen_at", "seen_at",
                                               "last_used", "last_used_at")), None)
        if hcol is None or tcol is None:
            self.skipTest("session columns not recognised: %r" % sorted(types))
        digest = hashlib.blake2b(tok.encode(), digest_size=32).digest()
        old = int(time.time()) - 31 * 60
        if "int" not in types[tcol]:  # a time as text (or a timestamp)
            old = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(old))
        key = digest if types[hcol] in ("blob", "bytea") else digest.hex()
        n = self.srv.execute('UPDATE "%s" SET "%s" = ? WHERE "%s" = ?' % (table, tcol, hcol),
                             (old, key))
        if n != 1:
            self.skipTest("could not find the session row by BLAKE2b-256 of the token")
        self.assertError(self.srv.get("/api/v1/me", token=tok), 401, "unauthenticated")

    # ---- me ----

    def test_me_answers_the_user(self):
        for name, role in (("admin", "admin"), ("supervisor", "supervisor"),
                           ("caseworker1", "caseworker"), ("counsel", "provider"),
                           ("analyst", "analyst"), ("rep1", "representative"),
                           ("member1", "member")):
            with self.subTest(user=name):
                st, h, v = self.req("GET", "/api/v1/me", as_user=name)
                self.assertEqual(st, 200, v)
                self.assertUserShape(v)
                self.assertEqual(v["username"], name)
                self.assertEqual(v["role"], role)
                self.assertEqual(v, self.srv.user(name), "/me differs from the sign-in's user")

    def test_members_and_representatives_belong_to_a_group(self):
        for name in ("member1", "member2", "rep1", "rep8"):
            with self.subTest(user=name):
                self.assertTrue(self.srv.user(name)["group_id"], "%s has no group" % name)
        self.assertEqual(self.srv.user("member1")["group_id"], self.srv.user("rep1")["group_id"])
        self.assertNotEqual(self.srv.user("member1")["group_id"],
                            self.srv.user("member2")["group_id"])

    def test_staff_belong_to_an_organization(self):
        for name in ("supervisor", "caseworker1", "caseworker2", "counsel"):
            with self.subTest(user=name):
                self.assertTrue(self.srv.user(name)["organization_id"])
        self.assertEqual(self.srv.user("caseworker1")["organization_id"],
                         self.srv.user("supervisor")["organization_id"])
        self.assertNotEqual(self.srv.user("counsel")["organization_id"],
                            self.srv.user("supervisor")["organization_id"])

    def test_me_does_not_accept_post(self):
        a = self.req("POST", "/api/v1/me", body={}, as_user="caseworker1")
        self.assertError(a, 405, "method_not_allowed")

    # ---- last ----

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_passwords_or_tokens(self):
        self.assertGreater(len(self.srv.secrets), 3)
        self.check_log_has_no_secrets(extra=[DEMO_PASSWORD, "not-the-password-1"])

    def test_zz_log_has_no_attempted_usernames(self):
        """A mistyped username is often a password: it must not be logged."""
        log = self.srv.log_text()
        for name in ("no-such-user-x", "no-such-user-y", "ratelimit-"):
            self.assertNotIn(name, log)
