"""Accounts that cannot escalate (issue 9 item 3): PATCH /api/v1/users/{id}
with its approval rules, GET /api/v1/users/changes for the organization's
supervisors, and the TOTP second factor (enrolment, sign-in, the
auth.totp_required setting, the operator's reset).

TOTP codes are computed here with hmac/hashlib per RFC 6238, independently
of the server's liboath."""

import base64
import hashlib
import hmac
import itertools
import struct
import subprocess
import time

from cbpnserver import CBPN_BIN, DEMO_PASSWORD, ServerTestCase

_seq = itertools.count(1)
PASSWORD = "long-enough-pw-1"
OTHER_NGO = "otherngo000000000001"


def fresh_name(prefix="acct"):
    return "%s-%d-%d" % (prefix, time.time_ns() % 100000000, next(_seq))


def totp(secret_b32, step):
    """RFC 6238 (SHA-1, 6 digits) for the 30-second step."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % value


def now_step():
    return int(time.time()) // 30


class AccountsBase(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A second NGO with a supervisor of its own (made by the local
        # operator: active at once).
        cls.srv.execute("INSERT INTO organization (id, name, kind, location_code, created_at,"
                        " updated_at, version) VALUES (?, ?, 'ngo', NULL, ?, ?, 1)",
                        (OTHER_NGO, "Second Fictional NGO", "2026-01-01T00:00:00Z",
                         "2026-01-01T00:00:00Z"))
        cls.other_sup = fresh_name("othersup")
        out = cls.run_cli("user", "add", "--username", cls.other_sup, "--role", "supervisor",
                          "--organization", OTHER_NGO, stdin=PASSWORD + "\n")
        if out.returncode != 0:
            raise AssertionError(out.stderr)
        cls.srv.login(cls.other_sup, PASSWORD)

    @classmethod
    def run_cli(cls, *args, stdin=None):
        return subprocess.run([CBPN_BIN, *args[:2], *cls.srv.db_args(), *args[2:]],
                              input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=120)

    def ngo(self):
        return self.srv.user("caseworker1")["organization_id"]

    def make(self, role, org="ngo", approve=True, **over):
        """An account made by the admin (approved by the supervisor when it
        waits): (body, user)."""
        body = {"username": fresh_name(role), "password": PASSWORD, "role": role,
                "display_name": "Account Test"}
        if org == "ngo":
            body["organization_id"] = self.ngo()
        elif org is not None:
            body["organization_id"] = org
        body.update(over)
        st, _, v = self.req("POST", "/api/v1/users", body, as_user="admin")
        self.assertEqual(st, 201, v)
        if approve and v["status"] == "pending_approval":
            approver = "supervisor" if v["organization_id"] == self.ngo() else None
            if approver is None:
                out = self.run_cli("user", "approve", "--username", body["username"])
                self.assertEqual(out.returncode, 0, out.stderr)
                st, _, v = self.req("GET", "/api/v1/users", as_user="admin")
                v = [u for u in v["items"] if u["username"] == body["username"]][0]
            else:
                st, _, v = self.req("POST", "/api/v1/users/%s/approve" % v["id"],
                                    {"version": v["version"]}, as_user=approver)
                self.assertEqual(st, 200, v)
        return body, v

    def patch(self, v, as_user="admin", **fields):
        body = {"version": v["version"]}
        body.update(fields)
        return self.req("PATCH", "/api/v1/users/%s" % v["id"], body, as_user=as_user)

    def sign_in(self, username, password=PASSWORD, code=None):
        body = {"username": username, "password": password}
        if code is not None:
            body["totp"] = code
        st, _, v = self.srv.request("POST", "/api/v1/session", body)
        if st == 201:
            self.srv.secrets.add(v["token"])
        return st, v


class UserPatchTest(AccountsBase):

    def test_a_change_to_supervisor_waits_and_the_admin_cannot_approve_it(self):
        body, v = self.make("analyst", org=None)
        self.assertEqual(v["status"], "active")
        st, s = self.sign_in(body["username"])
        self.assertEqual(st, 201, s)
        old = s["token"]
        st, _, p = self.patch(v, role="supervisor", organization_id=self.ngo())
        self.assertEqual(st, 200, p)
        self.assertUserShape(p)
        self.assertEqual((p["role"], p["status"], p["version"]),
                         ("supervisor", "pending_approval", v["version"] + 1))
        # Her session ended; she cannot sign in while pending.
        self.assertError(self.srv.request("GET", "/api/v1/me", token=old), 401)
        st, s = self.sign_in(body["username"])
        self.assertEqual(st, 401, s)
        # The admin who asked cannot approve (nor could she: not a supervisor).
        self.assertError(self.req("POST", "/api/v1/users/%s/approve" % p["id"],
                                  {"version": p["version"]}, as_user="admin"), 403)
        # A supervisor of another organization does not reach it.
        a = self.req("POST", "/api/v1/users/%s/approve" % p["id"], {"version": p["version"]},
                     as_user=self.other_sup)
        self.assertIn(a[0], (403, 404), a)
        st, s = self.sign_in(body["username"])
        self.assertEqual(st, 401, s)
        # Her organization's supervisor approves; then she signs in.
        st, _, ok = self.req("POST", "/api/v1/users/%s/approve" % p["id"],
                             {"version": p["version"]}, as_user="supervisor")
        self.assertEqual(st, 200, ok)
        self.assertEqual(ok["status"], "active")
        st, s = self.sign_in(body["username"])
        self.assertEqual(st, 201, s)
        self.assertEqual(s["user"]["role"], "supervisor")

    def test_the_supervisor_cannot_approve_a_change_she_asked_for_as_herself(self):
        # The supervisor is not an admin: she cannot PATCH at all.
        _, v = self.make("analyst", org=None)
        self.assertError(self.patch(v, as_user="supervisor", role="supervisor",
                                    organization_id=self.ngo()), 403)
        self.assertError(self.patch(v, as_user="caseworker1", display_name="X"), 403)

    def test_an_admin_cannot_change_her_own_role_nor_switch_herself_off(self):
        me = self.srv.user("admin")
        st, _, cur = self.req("GET", "/api/v1/me", as_user="admin")
        for fields in ({"role": "supervisor", "organization_id": self.ngo()},
                       {"role": "analyst"}, {"active": False}):
            with self.subTest(fields=fields), self.assertWritesNothing(ignore=("audit",)):
                self.assertError(self.patch(cur, **fields), 403)
        st, _, after = self.req("GET", "/api/v1/me", as_user="admin")
        self.assertEqual(after, cur)
        self.assertEqual(after["role"], me["role"])

    def test_deactivation_ends_every_session_at_once(self):
        body, v = self.make("caseworker")
        tokens = [self.sign_in(body["username"])[1]["token"] for _ in range(2)]
        for t in tokens:
            self.assertEqual(self.srv.request("GET", "/api/v1/me", token=t)[0], 200)
        st, _, p = self.patch(v, active=False)
        self.assertEqual(st, 200, p)
        self.assertEqual(p["status"], "inactive")
        for t in tokens:
            self.assertError(self.srv.request("GET", "/api/v1/me", token=t), 401)
        self.assertEqual(self.srv.count("session", "WHERE user_id = ?", (v["id"],)), 0)
        st, s = self.sign_in(body["username"])
        self.assertEqual(st, 401, s)
        # Reactivating a role that sees identities needs approval again.
        st, _, r = self.patch(p, active=True)
        self.assertEqual(st, 200, r)
        self.assertEqual(r["status"], "pending_approval")
        self.assertEqual(self.sign_in(body["username"])[0], 401)
        st, _, ok = self.req("POST", "/api/v1/users/%s/approve" % r["id"],
                             {"version": r["version"]}, as_user="supervisor")
        self.assertEqual(st, 200, ok)
        self.assertEqual(self.sign_in(body["username"])[0], 201)

    def test_an_analyst_is_reactivated_without_approval(self):
        body, v = self.make("analyst", org=None)
        st, _, p = self.patch(v, active=False)
        self.assertEqual(p["status"], "inactive")
        st, _, r = self.patch(p, active=True)
        self.assertEqual((st, r["status"]), (200, "active"))
        self.assertEqual(self.sign_in(body["username"])[0], 201)

    def test_a_move_to_another_organization_waits_for_its_supervisor(self):
        body, v = self.make("caseworker")
        st, _, p = self.patch(v, organization_id=OTHER_NGO)
        self.assertEqual(st, 200, p)
        self.assertEqual((p["organization_id"], p["status"]), (OTHER_NGO, "pending_approval"))
        # The supervisor of the organization she left no longer reaches her.
        a = self.req("POST", "/api/v1/users/%s/approve" % p["id"], {"version": p["version"]},
                     as_user="supervisor")
        self.assertIn(a[0], (403, 404), a)
        st, _, ok = self.req("POST", "/api/v1/users/%s/approve" % p["id"],
                             {"version": p["version"]}, as_user=self.other_sup)
        self.assertEqual(st, 200, ok)
        self.assertEqual(self.sign_in(body["username"])[0], 201)

    def test_a_name_change_keeps_the_account_active_and_audits_no_name(self):
        body, v = self.make("caseworker")
        st, _, p = self.patch(v, display_name="Renamed Fictional Person")
        self.assertEqual((st, p["status"], p["display_name"]), (200, "active",
                                                                 "Renamed Fictional Person"))
        details = [r[0] for r in self.srv.rows(
            "SELECT detail FROM audit WHERE record_type = 'user' AND record_id = ? "
            "AND action = 'update' ORDER BY seq", (v["id"],))]
        self.assertEqual(details[-1], "display_name")
        for d in details:
            self.assertNotIn("Renamed", d or "")
        self.assertEqual(self.sign_in(body["username"])[0], 201)

    def test_a_stale_version_is_409_and_changes_nothing(self):
        _, v = self.make("analyst", org=None)
        st, _, p = self.patch(v, display_name="First Change")
        self.assertEqual(st, 200, p)
        with self.assertWritesNothing():
            a = self.patch(v, display_name="Second Change")
        self.assertError(a, 409, "conflict")

    def test_bad_bodies_are_refused_and_write_nothing(self):
        _, v = self.make("analyst", org=None)
        group = self.srv.user("member1")["group_id"]
        cases = [
            ({}, ["version"]),
            ({"version": "1"}, ["version"]),
            ({"version": v["version"], "role": "king"}, ["role"]),
            ({"version": v["version"], "role": None}, ["role"]),
            ({"version": v["version"], "active": None}, ["active"]),
            ({"version": v["version"], "active": "no"}, ["active"]),
            ({"version": v["version"], "display_name": ""}, ["display_name"]),
            ({"version": v["version"], "role": "caseworker"}, ["organization_id"]),
            ({"version": v["version"], "role": "member"}, ["group_id"]),
            ({"version": v["version"], "role": "supervisor",
              "organization_id": "zzzzzzzzzzzzzzzzzzzz"}, ["organization_id"]),
            ({"version": v["version"], "role": "caseworker",
              "organization_id": self.srv.user("counsel")["organization_id"]},
             ["organization_id"]),
            ({"version": v["version"], "group_id": "zzzzzzzzzzzzzzzzzzzz"}, ["group_id"]),
            ({"version": v["version"], "role": "member", "group_id": group,
              "organization_id": OTHER_NGO}, ["group_id"]),
        ]
        for body, fields in cases:
            with self.subTest(body=body), self.assertWritesNothing():
                a = self.req("PATCH", "/api/v1/users/%s" % v["id"], body, as_user="admin")
            self.assertError(a, 422, "validation_failed", fields=fields)
        with self.assertWritesNothing():
            a = self.req("PATCH", "/api/v1/users/%s" % v["id"], raw=b"{not json",
                         token=self.token("admin"))
        self.assertError(a, 400)
        with self.assertWritesNothing(ignore=("audit",)):
            a = self.req("PATCH", "/api/v1/users/zzzzzzzzzzzzzzzzzzzz",
                         {"version": 1, "display_name": "Nobody"}, as_user="admin")
        self.assertError(a, 404)

    def test_a_member_account_moves_to_another_group(self):
        g1 = self.srv.user("member1")["group_id"]
        g2 = self.srv.user("member2")["group_id"]
        body, v = self.make("member", org=None, group_id=g1)
        st, _, p = self.patch(v, group_id=g2)
        self.assertEqual((st, p["group_id"], p["status"]), (200, g2, "active"))
        self.assertEqual(self.sign_in(body["username"])[0], 201)


class UserChangesTest(AccountsBase):

    def test_the_organizations_supervisors_see_its_account_changes(self):
        _, v = self.make("caseworker")
        st, _, p = self.patch(v, active=False)
        self.assertEqual(st, 200, p)
        st, _, p = self.patch(p, active=True)
        self.assertEqual(st, 200, p)
        _, other = self.make("caseworker", org=OTHER_NGO)

        items = self.list_all("/api/v1/users/changes", "supervisor", limit=200)
        mine = [i for i in items if i["account"] == v["id"]]
        self.assertEqual([i["change"] for i in mine],
                         ["reactivate", "deactivate", "approve", "create"])
        self.assertEqual(mine[0]["by"], self.srv.user("admin")["id"])
        self.assertIn("pending_approval", mine[0]["detail"])
        seqs = [i["seq"] for i in items]
        self.assertEqual(seqs, sorted(seqs, reverse=True))
        self.assertFalse([i for i in items if i["account"] == other["id"]])
        # The other organization's supervisor sees hers, not ours.
        theirs = self.list_all("/api/v1/users/changes", self.other_sup, limit=200)
        self.assertTrue([i for i in theirs if i["account"] == other["id"]])
        self.assertFalse([i for i in theirs if i["account"] == v["id"]])

    def test_the_list_is_paged_newest_first(self):
        _, v = self.make("caseworker")
        st, _, first = self.req("GET", "/api/v1/users/changes?limit=1", as_user="supervisor")
        self.assertEqual(st, 200, first)
        self.assertEqual(len(first["items"]), 1)
        self.assertIsNotNone(first["next_cursor"])
        st, _, second = self.req("GET", "/api/v1/users/changes?limit=1&cursor=" +
                                 first["next_cursor"], as_user="supervisor")
        self.assertEqual(st, 200, second)
        self.assertLess(second["items"][0]["seq"], first["items"][0]["seq"])
        self.assertError(self.req("GET", "/api/v1/users/changes?cursor=abc",
                                  as_user="supervisor"), 422, fields=["cursor"])

    def test_other_roles_are_refused(self):
        for user in ("admin", "caseworker1", "analyst", "counsel", "rep1", "member1"):
            with self.subTest(user=user):
                self.assertError(self.req("GET", "/api/v1/users/changes", as_user=user), 403)


class TotpTest(AccountsBase):

    def enrol(self, token):
        st, _, e = self.srv.request("POST", "/api/v1/me/totp", {}, token=token)
        self.assertEqual(st, 201, e)
        self.srv.secrets.add(e["secret"])
        self.assertTrue(e["uri"].startswith("otpauth://totp/"))
        self.assertIn("secret=" + e["secret"], e["uri"])
        return e["secret"]

    def enrolled(self, role="analyst", org=None):
        """A new account with a confirmed TOTP: (body, user, secret, the
        step its confirmation used)."""
        body, v = self.make(role, org=org)
        st, s = self.sign_in(body["username"])
        self.assertEqual(st, 201, s)
        secret = self.enrol(s["token"])
        step = now_step()
        st, _, c = self.srv.request("POST", "/api/v1/me/totp/confirm",
                                    {"code": totp(secret, step)}, token=s["token"])
        self.assertEqual(st, 200, c)
        self.assertEqual(c["status"], "active")
        self.session = s["token"]
        return body, v, secret, step

    def test_enrol_confirm_and_sign_in_with_the_code(self):
        body, v = self.make("analyst", org=None)
        st, s = self.sign_in(body["username"])
        tok = s["token"]
        st, _, g = self.srv.request("GET", "/api/v1/me/totp", token=tok)
        self.assertEqual((st, g["status"]), (200, "none"))
        secret = self.enrol(tok)
        self.assertEqual(len(base64.b32decode(secret + "=" * (-len(secret) % 8))), 20)
        # Stored sealed: the secret is nowhere in the row.
        row = self.srv.rows("SELECT secret, confirmed FROM user_totp WHERE user_id = ?",
                            (v["id"],))
        self.assertEqual(row[0][1], 0)
        self.assertNotIn(secret.encode(), bytes(row[0][0]))
        self.assertNotIn(base64.b32decode(secret + "=" * (-len(secret) % 8)), bytes(row[0][0]))
        # Not confirmed yet: sign-in asks no code.
        self.assertEqual(self.sign_in(body["username"])[0], 201)
        step = now_step()
        with self.assertWritesNothing(ignore=("audit", "login_failure")):
            a = self.srv.request("POST", "/api/v1/me/totp/confirm",
                                 {"code": totp(secret, step + 5)}, token=tok)
        self.assertError(a, 422, fields=["code"])
        st, _, c = self.srv.request("POST", "/api/v1/me/totp/confirm",
                                    {"code": totp(secret, step)}, token=tok)
        self.assertEqual(st, 200, c)
        # Now the code is asked for.
        st, s = self.sign_in(body["username"])
        self.assertEqual(st, 401)
        self.assertEqual(s["error"]["code"], "totp_required")
        st, s = self.sign_in(body["username"], code=totp(secret, step + 5))
        self.assertEqual((st, s["error"]["code"]), (401, "totp_required"))
        # The code the confirmation used is spent.
        st, s = self.sign_in(body["username"], code=totp(secret, step))
        self.assertEqual((st, s["error"]["code"]), (401, "totp_required"))
        st, s = self.sign_in(body["username"], code=totp(secret, step + 1))
        self.assertEqual(st, 201, s)
        self.assertFalse(s["enrol_only"])
        # Replayed: refused.
        st, s = self.sign_in(body["username"], code=totp(secret, step + 1))
        self.assertEqual((st, s["error"]["code"]), (401, "totp_required"))
        # A wrong password with the right code: the plain refusal.
        st, s = self.sign_in(body["username"], password="wrong-password-9", code="123456")
        self.assertEqual((st, s["error"]["code"]), (401, "unauthenticated"))
        reasons = [r[0] for r in self.srv.rows(
            "SELECT detail FROM audit WHERE action = 'login_failed' AND record_id = ? "
            "ORDER BY seq", (v["id"],))]
        self.assertIn("wrong_totp", reasons)
        st, _, g = self.srv.request("GET", "/api/v1/me/totp", token=tok)
        self.assertEqual(g["status"], "active")
        # An active secret is removed before a new enrolment.
        self.assertError(self.srv.request("POST", "/api/v1/me/totp", {}, token=tok), 409)

    def test_wrong_codes_count_against_the_sign_in_limit(self):
        body, v, secret, step = self.enrolled()
        for i in range(5):
            st, s = self.sign_in(body["username"], code=totp(secret, step + 10 + i))
            self.assertEqual(st, 401, s)
        st, s = self.sign_in(body["username"], code=totp(secret, step + 1))
        self.assertEqual(st, 429, s)

    def test_removal_needs_a_current_code(self):
        body, v, secret, step = self.enrolled()
        tok = self.session
        a = self.srv.request("DELETE", "/api/v1/me/totp", {"code": totp(secret, step)},
                             token=tok)
        self.assertError(a, 422, fields=["code"])  # spent by the confirmation
        self.assertError(self.srv.request("DELETE", "/api/v1/me/totp", {}, token=tok), 422,
                         fields=["code"])
        self.assertEqual(self.srv.count("user_totp", "WHERE user_id = ?", (v["id"],)), 1)
        st, _, _ = self.srv.request("DELETE", "/api/v1/me/totp",
                                    {"code": totp(secret, step + 1)}, token=tok)
        self.assertEqual(st, 204)
        self.assertEqual(self.srv.count("user_totp", "WHERE user_id = ?", (v["id"],)), 0)
        self.assertEqual(self.sign_in(body["username"])[0], 201)
        self.assertError(self.srv.request("DELETE", "/api/v1/me/totp",
                                          {"code": totp(secret, step + 1)}, token=tok), 404)

    def test_the_operator_resets_a_lost_authenticator(self):
        body, v, secret, step = self.enrolled()
        st, s = self.sign_in(body["username"], code=totp(secret, step + 1))
        self.assertEqual(st, 201, s)
        out = self.run_cli("user", "totp-reset", "--username", body["username"])
        self.assertEqual(out.returncode, 0, out.stderr)
        # Her sessions ended; she signs in with the password alone.
        self.assertError(self.srv.request("GET", "/api/v1/me", token=s["token"]), 401)
        self.assertEqual(self.sign_in(body["username"])[0], 201)
        self.assertEqual(self.srv.rows(
            "SELECT user_id, detail FROM audit WHERE record_id = ? AND detail = 'totp_reset'",
            (v["id"],)), [(None, "totp_reset")])
        again = self.run_cli("user", "totp-reset", "--username", body["username"])
        self.assertEqual(again.returncode, 1)
        nobody = self.run_cli("user", "totp-reset", "--username", "nobody-at-all")
        self.assertEqual(nobody.returncode, 1)

    def test_enrolment_and_reset_are_shown_to_the_supervisors(self):
        body, v, secret, step = self.enrolled(role="caseworker", org="ngo")
        out = self.run_cli("user", "totp-reset", "--username", body["username"])
        self.assertEqual(out.returncode, 0, out.stderr)
        items = self.list_all("/api/v1/users/changes", "supervisor", limit=200)
        kinds = [i["change"] for i in items if i["account"] == v["id"]]
        self.assertEqual(kinds[:3], ["totp_reset", "totp_enrol", "totp_enrol_start"])

    def test_required_by_the_setting_a_supervisor_must_enrol_first(self):
        self.srv.execute("DELETE FROM meta WHERE key = 'auth.totp_required'")
        self.srv.execute("INSERT INTO meta (key, value) VALUES ('auth.totp_required', '1')")
        self.addCleanup(self.srv.execute, "DELETE FROM meta WHERE key = 'auth.totp_required'")
        name = fresh_name("sup")
        out = self.run_cli("user", "add", "--username", name, "--role", "supervisor",
                           "--organization", self.ngo(), stdin=PASSWORD + "\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        st, s = self.sign_in(name)
        self.assertEqual(st, 201, s)
        self.assertTrue(s["enrol_only"])
        tok = s["token"]
        # Nothing but enrolment, the own account and sign-out.
        for method, path in (("GET", "/api/v1/cases"), ("GET", "/api/v1/users"),
                             ("GET", "/api/v1/users/changes"), ("GET", "/api/v1/audit/verify")):
            with self.subTest(path=path):
                self.assertError(self.srv.request(method, path, token=tok), 403,
                                 "totp_enrolment_required")
        self.assertEqual(self.srv.request("GET", "/api/v1/me", token=tok)[0], 200)
        st, _, g = self.srv.request("GET", "/api/v1/me/totp", token=tok)
        self.assertEqual((g["status"], g["required"], g["enrol_only"]), ("none", True, True))
        secret = self.enrol(tok)
        self.assertError(self.srv.request("GET", "/api/v1/cases", token=tok), 403,
                         "totp_enrolment_required")
        step = now_step()
        st, _, c = self.srv.request("POST", "/api/v1/me/totp/confirm",
                                    {"code": totp(secret, step)}, token=tok)
        self.assertEqual(st, 200, c)
        # The same session is a full one now.
        self.assertEqual(self.srv.request("GET", "/api/v1/cases", token=tok)[0], 200)
        # Roles the setting does not name are not restricted.
        st, s = self.sign_in("caseworker1", DEMO_PASSWORD)
        self.assertEqual(st, 201, s)
        self.assertFalse(s["enrol_only"])
        # Without the setting the supervisor with TOTP still needs her code.
        self.srv.execute("DELETE FROM meta WHERE key = 'auth.totp_required'")
        self.assertEqual(self.sign_in(name)[0], 401)
        self.assertEqual(self.sign_in(name, code=totp(secret, step + 1))[0], 201)
