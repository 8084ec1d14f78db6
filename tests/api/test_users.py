"""POST /api/v1/users and GET /api/v1/users."""

import itertools
import re
import subprocess
import time

from cbpnserver import CBPN_BIN, ServerTestCase
from test_pages import PageClient

_seq = itertools.count(1)


def fresh_name(prefix="user"):
    return "%s-%d-%d" % (prefix, time.time_ns() % 100000000, next(_seq))


class UsersTest(ServerTestCase):

    def ngo(self):
        return self.srv.user("caseworker1")["organization_id"]

    def new_user(self, **over):
        body = {"username": fresh_name(), "password": "long-enough-pw-1", "role": "caseworker",
                "display_name": "Test Caseworker", "organization_id": self.ngo()}
        body.update(over)
        return body

    # ---- create ----

    def test_admin_creates_a_user_201_with_the_user_shape(self):
        body = self.new_user(locale="en")
        st, _, v = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertEqual(st, 201, v)
        self.assertUserShape(v)
        self.assertEqual(v["username"], body["username"])
        self.assertEqual(v["role"], "caseworker")
        self.assertEqual(v["display_name"], "Test Caseworker")
        self.assertEqual(v["organization_id"], self.ngo())
        self.assertEqual(v["locale"], "en")
        self.assertIsInstance(v["id"], str)
        self.assertTrue(v["id"])
        # an account that can see identities waits for a supervisor
        self.assertEqual(v["status"], "pending_approval")
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 401, s)
        st, _, ok = self.req("POST", "/api/v1/users/%s/approve" % v["id"],
                             {"version": v["version"]}, as_user="supervisor")
        self.assertEqual(st, 200, ok)
        self.assertEqual(ok["status"], "active")
        # and then it signs in with its password
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 201, s)
        self.assertEqual(s["user"], ok)

    def test_admin_creates_a_member_of_a_group(self):
        group = self.srv.user("member1")["group_id"]
        body = self.new_user(role="member", group_id=group, display_name="ស្រី តេស្ត")
        body.pop("organization_id")
        st, _, v = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertEqual(st, 201, v)
        self.assertUserShape(v)
        self.assertEqual(v["group_id"], group)
        self.assertEqual(v["display_name"], "ស្រី តេស្ត")

    def test_a_members_account_names_her_member_record(self):
        g1 = self.srv.user("member1")["group_id"]
        g2 = self.srv.user("member2")["group_id"]
        st, _, m = self.req("POST", "/api/v1/groups/%s/members" % g1,
                            {"name_latn": "Linked Member", "sex": "female"}, as_user="rep1")
        self.assertEqual(st, 201, m)
        # Another group's account, a caseworker, an unknown record: 422, nothing written.
        for over in ({"role": "member", "group_id": g2},
                     {"role": "caseworker"},
                     {"role": "member", "group_id": g1, "member_id": "zzzzzzzzzzzzzzzzzzzz"}):
            body = self.new_user(**dict({"member_id": m["id"]}, **over))
            if body["role"] == "member":
                body.pop("organization_id")
            with self.subTest(body=over), self.assertWritesNothing():
                a = self.req("POST", "/api/v1/users", body, as_user="admin")
            self.assertError(a, 422, "validation_failed", fields=["member_id"])
        body = self.new_user(role="member", group_id=g1, member_id=m["id"])
        body.pop("organization_id")
        st, _, v = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertEqual(st, 201, v)
        self.assertEqual(v["member_id"], m["id"])
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 201, s)
        st, _, me = self.srv.get("/api/v1/me", token=s["token"])
        self.assertEqual((st, me["member_id"]), (200, m["id"]))
        # One account per member record.
        again = dict(body, username=fresh_name())
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/users", again, as_user="admin")
        self.assertEqual(a[0], 409, a[2])

    def test_demo_representatives_are_linked_to_their_member_records(self):
        rep = self.srv.user("rep1")
        self.assertTrue(rep["member_id"], rep)
        items = self.list_all("/api/v1/groups/%s/members" % rep["group_id"], "rep1")
        mine = [x for x in items if x["id"] == rep["member_id"]]
        self.assertEqual(len(mine), 1)
        self.assertIn("representative", mine[0]["network_roles"])

    def test_password_under_10_characters_is_422_and_writes_nothing(self):
        for pw in ("short", "123456789", "ពួកពួកពួក"):  # the last: 9 characters, 27 bytes
            with self.subTest(password=pw):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/users", self.new_user(password=pw),
                                 as_user="admin")
                self.assertError(a, 422, "validation_failed", fields=["password"])

    def test_common_passwords_and_the_username_are_422_and_write_nothing(self):
        """The bundled list (data/common_passwords.txt) in any case, also with
        digits or punctuation around an entry, and the username itself."""
        name = fresh_name("policy")
        for pw in ("basketball", "BASKETBALL", "Strawberry", "1234567890", "Password123!",
                   "sunshine2024", "qwerty12345", name, name.upper(), name + "!!"):
            with self.subTest(password=pw):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/users", self.new_user(username=name,
                                                                         password=pw),
                                 as_user="admin")
                self.assertError(a, 422, "validation_failed", fields=["password"])
        st, _, v = self.req("POST", "/api/v1/users",
                            self.new_user(username=name, password="basketball at the pagoda"),
                            as_user="admin")
        self.assertEqual(st, 201, "a listed word inside a longer password is fine: %r" % (v,))

    def test_password_of_10_khmer_characters_is_accepted(self):
        st, _, v = self.req("POST", "/api/v1/users", self.new_user(password="ពួកពួកពួកព"),
                            as_user="admin")
        self.assertEqual(st, 201, "10 characters (30 bytes) must be enough: %r" % (v,))

    def test_duplicate_username_is_409_and_writes_nothing(self):
        body = self.new_user()
        self.assertEqual(self.req("POST", "/api/v1/users", body, as_user="admin")[0], 201)
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/users", dict(body, display_name="Other"),
                         as_user="admin")
        self.assertError(a, 409, "conflict")
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/users", self.new_user(username="caseworker1"),
                         as_user="admin")
        self.assertError(a, 409, "conflict")

    def test_unknown_role_is_422_and_writes_nothing(self):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/users", self.new_user(role="superuser"), as_user="admin")
        self.assertError(a, 422, "validation_failed", fields=["role"])

    def test_missing_username_is_422_and_writes_nothing(self):
        body = self.new_user()
        body.pop("username")
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertError(a, 422, "validation_failed", fields=["username"])

    def test_member_without_group_is_422_and_writes_nothing(self):
        body = self.new_user(role="member")
        body.pop("organization_id")
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertError(a, 422, "validation_failed", fields=["group_id"])

    def test_wrong_json_types_are_422_and_write_nothing(self):
        for over in ({"username": 42}, {"password": ["long-enough-pw-1"]}, {"role": None},
                     {"display_name": {"x": 1}}):
            with self.subTest(body=over):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/users", self.new_user(**over), as_user="admin")
                self.assertError(a, 422, "validation_failed")

    def test_non_admins_may_not_create_users_403_and_nothing_written(self):
        for name in ("supervisor", "caseworker1", "analyst", "counsel", "rep1", "member1"):
            with self.subTest(user=name):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/users", self.new_user(role="admin"),
                                 as_user=name)
                self.assertError(a, 403, "forbidden")

    def test_create_user_without_token_is_401_and_writes_nothing(self):
        with self.assertWritesNothing():
            a = self.srv.post("/api/v1/users", self.new_user(role="admin"))
        self.assertError(a, 401, "unauthenticated")

    # ---- list ----

    def test_admin_lists_users(self):
        st, _, v = self.req("GET", "/api/v1/users", as_user="admin")
        self.assertEqual(st, 200, v)
        self.assertIn("items", v)
        names = {u["username"] for u in v["items"]}
        for u in v["items"]:
            self.assertUserShape(u)
        # the default page is 50; the demo has about 28 users
        for n in ("admin", "supervisor", "caseworker1", "counsel", "rep1", "member8"):
            self.assertIn(n, names)

    def test_supervisor_lists_users_of_her_organization(self):
        st, _, v = self.req("GET", "/api/v1/users", as_user="supervisor")
        self.assertEqual(st, 200, v)
        names = {u["username"] for u in v["items"]}
        self.assertIn("caseworker1", names)
        for u in v["items"]:
            self.assertUserShape(u)
        self.assertNotIn("counsel", names, "a provider's user is another organization's")

    def test_caseworker_and_others_may_not_list_users_403(self):
        for name in ("caseworker1", "analyst", "counsel", "rep1", "member1"):
            with self.subTest(user=name):
                self.assertError(self.req("GET", "/api/v1/users", as_user=name), 403, "forbidden")

    def test_user_list_has_no_tokens(self):
        for n in ("caseworker1", "rep1", "member1", "supervisor"):
            self.token(n)
        st, _, v = self.srv.request("GET", "/api/v1/users", token=self.token("admin"))
        self.assertEqual(st, 200)
        text = repr(v)
        for n, tok in self.srv.tokens.items():
            if n != "admin":
                self.assertNotIn(tok, text, "another user's token in the list")

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_passwords_or_tokens(self):
        self.check_log_has_no_secrets(extra=["long-enough-pw-1", "ពួកពួកពួកព"])


class ApprovalTest(ServerTestCase):
    """Two people for an account that can see identities (issue 9 item 3):
    an admin asks, a supervisor approves (of its organization; of an NGO for
    a provider); the admin never can, nor anyone for an account she asked
    for; until then it cannot sign in."""

    def ngo(self):
        return self.srv.user("caseworker1")["organization_id"]

    def make(self, role, org=None, **over):
        body = {"username": fresh_name(role), "password": "long-enough-pw-1", "role": role,
                "display_name": "Approval Test", "organization_id": org or self.ngo()}
        body.update(over)
        st, _, v = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertEqual(st, 201, v)
        return body, v

    def approve(self, v, user, version=None):
        return self.req("POST", "/api/v1/users/%s/approve" % v["id"],
                        {"version": v["version"] if version is None else version},
                        as_user=user)

    def test_the_admins_supervisor_reads_nothing_until_approved(self):
        body, v = self.make("supervisor")
        self.assertEqual(v["status"], "pending_approval")
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 401, s)
        self.assertNotIn("token", s if isinstance(s, dict) else {})
        # the admin cannot approve what she asked for; nor may other roles
        for user in ("admin", "caseworker1", "analyst", "counsel", "rep1"):
            with self.subTest(user=user):
                with self.assertWritesNothing():
                    a = self.approve(v, user)
                self.assertError(a, 403, "forbidden")
        st, _, ok = self.approve(v, "supervisor2")
        self.assertEqual(st, 200, ok)
        self.assertEqual((ok["status"], ok["version"]), ("active", v["version"] + 1))
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 201, s)
        # approved once: again is 409, and a stale version too
        self.assertError(self.approve(ok, "supervisor"), 409, "conflict")

    def test_a_provider_account_is_approved_by_an_ngo_supervisor(self):
        legal = self.srv.user("legal")["organization_id"]
        body, v = self.make("provider", org=legal)
        self.assertEqual(v["status"], "pending_approval")
        # the provider's own colleague is no supervisor
        self.assertError(self.approve(v, "legal"), 403, "forbidden")
        st, _, ok = self.approve(v, "supervisor")
        self.assertEqual(st, 200, ok)
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 201, s)

    def test_accounts_that_see_no_identities_are_active_at_once(self):
        for role in ("analyst", "admin"):
            with self.subTest(role=role):
                body, v = self.make(role)
                self.assertEqual(v["status"], "active")
                st, s = self.srv.sign_in(body["username"], body["password"])
                self.assertEqual(st, 201, s)

    def test_stale_unknown_and_bad_bodies(self):
        _, v = self.make("caseworker")
        with self.assertWritesNothing():
            a = self.approve(v, "supervisor", version=v["version"] + 5)
        self.assertError(a, 409, "conflict")
        a = self.req("POST", "/api/v1/users/zzzzzzzzzzzzzzzzzzzz/approve", {"version": 1},
                     as_user="supervisor")
        self.assertError(a, 404, "not_found")
        for bad in ({}, {"version": "1"}, {"version": 0}):
            with self.subTest(body=bad):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/users/%s/approve" % v["id"], bad,
                                 as_user="supervisor")
                self.assertError(a, 422, "validation_failed", fields=["version"])

    def test_the_pending_account_is_listed_to_the_organizations_supervisors(self):
        _, v = self.make("caseworker")
        items = self.list_all("/api/v1/users", "supervisor")
        mine = [u for u in items if u["id"] == v["id"]]
        self.assertEqual([u["status"] for u in mine], ["pending_approval"])

    def cli(self, *args):
        return subprocess.run([CBPN_BIN, *args[:2], *self.srv.db_args(), *args[2:]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120)

    def test_the_local_operator_approves_with_the_command_line(self):
        body, v = self.make("supervisor")
        out = self.cli("user", "approve", "--username", body["username"])
        self.assertEqual(out.returncode, 0, out.stderr)
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 201, s)
        again = self.cli("user", "approve", "--username", body["username"])
        self.assertEqual(again.returncode, 1)
        self.assertIn("not waiting", again.stderr)
        none = self.cli("user", "approve", "--username", "nobody-at-all")
        self.assertEqual(none.returncode, 1)


class ApprovalPageTest(PageClient, ServerTestCase):
    """GET /users: a supervisor sees her organization's accounts, the
    pending ones first with an approve button; the button approves."""

    def test_a_supervisor_approves_on_the_page(self):
        org = self.srv.user("caseworker1")["organization_id"]
        body = {"username": fresh_name("pagecw"), "password": "long-enough-pw-1",
                "role": "caseworker", "display_name": "Page Approval", "organization_id": org}
        st, _, v = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertEqual(st, 201, v)
        cookies, csrf = self.sign_in("supervisor")
        st, _, page = self.page("GET", "/users?lang=en", cookies)
        self.assertEqual(st, 200, page[:300])
        row = re.search(rb'<tr id="user-' + v["id"].encode() + rb'" data-status="([a-z_]+)">'
                        rb'(.*?)</tr>', page, re.S)
        self.assertIsNotNone(row)
        self.assertEqual(row.group(1), b"pending_approval")
        self.assertIn(('action="/users/%s/approve"' % v["id"]).encode(), row.group(2))
        self.assertIn(b'id="nav-users"', page)
        # the first row is a pending one
        first = re.search(rb'<tbody><tr id="user-[a-z0-9]+" data-status="([a-z_]+)"', page)
        self.assertEqual(first.group(1), b"pending_approval")
        st, h, _ = self.page("POST", "/users/%s/approve" % v["id"], cookies,
                             {"csrf": csrf, "version": str(v["version"])})
        self.assertEqual(st, 303)
        self.assertEqual(h["Location"], "/users?ok=approved")
        st, s = self.srv.sign_in(body["username"], body["password"])
        self.assertEqual(st, 201, s)
        # without CSRF nothing happens
        v2 = self.req("POST", "/api/v1/users", dict(body, username=fresh_name("p2")),
                      as_user="admin")[2]
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/users/%s/approve" % v2["id"], cookies,
                                 {"version": str(v2["version"])})
        self.assertEqual(st, 403)
        st, _, _ = self.page("GET", "/users", self.sign_in("caseworker1")[0])
        self.assertEqual(st, 403)
