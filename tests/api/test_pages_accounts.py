"""The account pages of issue 9 item 3: the sign-in page's authenticator
code (with the pre-session CSRF binding kept), the authenticator on
/account (set up, confirm, turn off), the enrol-only session of
auth.totp_required, the admin's edit form on /users and the supervisor's
account changes there."""

import re

from cbpnserver import DEMO_PASSWORD
from test_accounts import OTHER_NGO, PASSWORD, AccountsBase, now_step, totp
from test_pages import PageClient, cookies_of, forms_of


class AccountPagesTest(PageClient, AccountsBase):

    def page_sign_in(self, username, password=PASSWORD, code=None, csrf=None):
        """POST /login through the form: (status, headers, body, cookies)."""
        pre, token = self.login_form()
        form = {"username": username, "password": password,
                "csrf": token if csrf is None else csrf}
        if code is not None:
            form["totp"] = code
        st, h, body = self.page("POST", "/login", pre, form)
        cookies = dict(pre)
        set_ = cookies_of(h)
        if "cbpn_session" in set_ and set_["cbpn_session"][0]:
            cookies["cbpn_session"] = set_["cbpn_session"][0]
            self.srv.secrets.add(cookies["cbpn_session"])
        return st, h, body, cookies

    def csrf_on(self, cookies, path="/account"):
        st, _, body = self.page("GET", path, cookies)
        self.assertEqual(st, 200, body[:300])
        tokens = [f["inputs"]["csrf"] for f in forms_of(body) if "csrf" in f["inputs"]]
        self.assertTrue(tokens)
        return tokens[0], body

    def api_enrolled(self):
        """An account with a confirmed TOTP (made through the API)."""
        body, v = self.make("analyst", org=None)
        st, s = AccountsBase.sign_in(self, body["username"])
        st, _, e = self.srv.request("POST", "/api/v1/me/totp", {}, token=s["token"])
        self.assertEqual(st, 201, e)
        self.srv.secrets.add(e["secret"])
        step = now_step()
        st, _, c = self.srv.request("POST", "/api/v1/me/totp/confirm",
                                    {"code": totp(e["secret"], step)}, token=s["token"])
        self.assertEqual(st, 200, c)
        return body, v, e["secret"], step

    # ---- sign-in with a code ----

    def test_the_sign_in_page_asks_for_the_code(self):
        body, v, secret, step = self.api_enrolled()
        st, _, page = self.page("GET", "/login")
        self.assertIn(b'name="totp"', page)
        # No code: asked for it, no session.
        st, h, page, c = self.page_sign_in(body["username"])
        self.assertNotIn("cbpn_session", c)
        self.assertIn(b'id="login-totp-needed"', page)
        self.assertNotIn(PASSWORD.encode(), page, "the page echoes the password")
        # A wrong code: the same.
        st, h, page, c = self.page_sign_in(body["username"], code=totp(secret, step + 7))
        self.assertNotIn("cbpn_session", c)
        self.assertIn(b'id="login-totp-needed"', page)
        # The right code with a forged pre-session token: 403, no session.
        st, h, page, c = self.page_sign_in(body["username"], code=totp(secret, step + 1),
                                           csrf="forged-token-0123456789abcdef")
        self.assertEqual(st, 403)
        self.assertNotIn("cbpn_session", c)
        # The right code: signed in.
        st, h, page, c = self.page_sign_in(body["username"], code=totp(secret, step + 1))
        self.assertEqual(st, 303, page[:300])
        self.assertIn("cbpn_session", c)
        # The same code again: refused.
        st, h, page, c = self.page_sign_in(body["username"], code=totp(secret, step + 1))
        self.assertNotIn("cbpn_session", c)

    # ---- the authenticator on /account ----

    def test_set_up_and_turn_off_the_authenticator_on_the_account_page(self):
        body, v = self.make("analyst", org=None)
        st, h, page, c = self.page_sign_in(body["username"])
        self.assertEqual(st, 303, page[:300])
        csrf, page = self.csrf_on(c)
        self.assertIn(b'data-status="none"', page)
        self.assertIn("/account/totp", [f["action"] for f in forms_of(page)])
        st, _, page = self.page("POST", "/account/totp", c, {"csrf": csrf})
        self.assertEqual(st, 200, page[:300])
        m = re.search(rb'id="totp-secret">([A-Z2-7]+)<', page)
        self.assertIsNotNone(m, page[:2000])
        secret = m.group(1).decode()
        self.srv.secrets.add(secret)
        self.assertIn(b"otpauth://totp/", page)
        self.assertIn("/account/totp/confirm", [f["action"] for f in forms_of(page)])
        # The key is shown that once.
        st, _, again = self.page("GET", "/account", c)
        self.assertNotIn(secret.encode(), again)
        self.assertIn(b'data-status="pending"', again)
        # A wrong code: the page says so; nothing is on.
        step = now_step()
        st, _, page = self.page("POST", "/account/totp/confirm", c,
                                {"csrf": csrf, "code": totp(secret, step + 6)})
        self.assertEqual(st, 422, page[:300])
        self.assertIn(b'id="totp-error"', page)
        st, _, page = self.page("POST", "/account/totp/confirm", c,
                                {"csrf": csrf, "code": totp(secret, step)})
        self.assertEqual(st, 303, page[:300])
        st, _, page = self.page("GET", "/account?ok=totp-on", c)
        self.assertIn(b'data-status="active"', page)
        self.assertIn(b'id="totp-on-notice"', page)
        # Sign-in now asks for the code.
        st, h, page, c2 = self.page_sign_in(body["username"])
        self.assertNotIn("cbpn_session", c2)
        # Turned off with the next code.
        st, _, page = self.page("POST", "/account/totp/remove", c,
                                {"csrf": csrf, "code": totp(secret, step + 1)})
        self.assertEqual(st, 303, page[:300])
        st, _, page = self.page("GET", "/account", c)
        self.assertIn(b'data-status="none"', page)
        st, h, page, c3 = self.page_sign_in(body["username"])
        self.assertIn("cbpn_session", c3)

    def test_required_by_the_setting_the_pages_lead_to_enrolment(self):
        self.srv.execute("DELETE FROM meta WHERE key = 'auth.totp_required'")
        self.srv.execute("INSERT INTO meta (key, value) VALUES ('auth.totp_required', '1')")
        self.addCleanup(self.srv.execute, "DELETE FROM meta WHERE key = 'auth.totp_required'")
        name = "pagesup-%d" % now_step()
        out = self.run_cli("user", "add", "--username", name, "--role", "supervisor",
                           "--organization", self.ngo(), stdin=PASSWORD + "\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        st, h, page, c = self.page_sign_in(name)
        self.assertEqual(st, 303)
        self.assertEqual(h.get("Location"), "/account")
        for path in ("/cases", "/users", "/queue"):
            with self.subTest(path=path):
                st, h, _ = self.page("GET", path, c)
                self.assertEqual((st, h.get("Location")), (303, "/account"))
        csrf, page = self.csrf_on(c)
        self.assertIn(b'id="totp-required"', page)
        st, _, page = self.page("POST", "/account/totp", c, {"csrf": csrf})
        secret = re.search(rb'id="totp-secret">([A-Z2-7]+)<', page).group(1).decode()
        self.srv.secrets.add(secret)
        st, _, page = self.page("POST", "/account/totp/confirm", c,
                                {"csrf": csrf, "code": totp(secret, now_step())})
        self.assertEqual(st, 303, page[:300])
        st, _, page = self.page("GET", "/cases", c)
        self.assertEqual(st, 200)

    # ---- /users: the admin's edit form, the supervisor's changes ----

    def test_the_admin_changes_an_account_on_the_users_page(self):
        ucookies = self.page_sign_in("admin", DEMO_PASSWORD)[3]
        _, v = self.make("analyst", org=None)
        csrf, page = self.csrf_on(ucookies, "/users")
        action = "/users/%s" % v["id"]
        form = [f for f in forms_of(page) if f["action"] == action]
        self.assertEqual(len(form), 1, "no edit form for the account")
        self.assertEqual(form[0]["inputs"]["version"], str(v["version"]))
        # Refused: a caseworker needs an organization; nothing written.
        with self.assertWritesNothing():
            st, _, page = self.page("POST", action, ucookies,
                                    {"csrf": csrf, "version": str(v["version"]),
                                     "role": "caseworker", "active": "yes",
                                     "organization_id": "", "group_id": ""})
        self.assertEqual(st, 422, page[:300])
        self.assertIn(b'id="user-error"', page)
        # Saved: a supervisor now, waiting for approval.
        st, h, page = self.page("POST", action, ucookies,
                                {"csrf": csrf, "version": str(v["version"]),
                                 "role": "supervisor", "active": "yes",
                                 "organization_id": self.ngo(), "group_id": ""})
        self.assertEqual((st, h.get("Location")), (303, "/users?ok=saved"), page[:300])
        st, _, users = self.req("GET", "/api/v1/users", as_user="admin")
        u = [x for x in users["items"] if x["id"] == v["id"]][0]
        self.assertEqual((u["role"], u["status"]), ("supervisor", "pending_approval"))
        # The stale form: nothing changes, the list as it is.
        with self.assertWritesNothing():
            st, h, page = self.page("POST", action, ucookies,
                                    {"csrf": csrf, "version": str(v["version"]),
                                     "role": "analyst", "active": "no",
                                     "organization_id": "", "group_id": ""})
        self.assertEqual((st, h.get("Location")), (303, "/users?ok=changed"))
        # Without the CSRF token: 403.
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", action, ucookies,
                                 {"version": str(u["version"]), "role": "analyst"})
        self.assertEqual(st, 403)

    def test_the_supervisor_sees_the_account_changes_and_no_edit_form(self):
        _, v = self.make("caseworker")
        st, _, p = self.patch(v, active=False)
        self.assertEqual(st, 200, p)
        _, other = self.make("caseworker", org=OTHER_NGO)
        cookies = self.page_sign_in("supervisor", DEMO_PASSWORD)[3]
        st, _, page = self.page("GET", "/users", cookies)
        self.assertEqual(st, 200)
        self.assertIn(b'id="changes"', page)
        self.assertIn(b'data-change="deactivate"', page)
        self.assertIn(b'data-change="create"', page)
        self.assertNotIn(other["id"].encode(), page)
        self.assertNotIn(other["username"].encode(), page)
        self.assertFalse([f for f in forms_of(page)
                          if re.fullmatch(r"/users/[^/]+", f["action"])])
        # The admin's page has no changes section (it is the supervisors').
        acookies = self.page_sign_in("admin", DEMO_PASSWORD)[3]
        st, _, page = self.page("GET", "/users", acookies)
        self.assertNotIn(b'id="changes"', page)
