"""Sign-in that nobody can fix in advance, sign-out everywhere, and shared phones
(issue 9): the pre-session CSRF token only the server issues, a new session id
at every sign-in, the account page's "sign out everywhere", neutral titles, the
quick exit, forms that keep nothing typed and sign-outs that clear the site's
data. The browser's side (what a profile keeps) is tests/e2e/shared_phone.test.mjs."""

import html.parser
import re
import secrets
import time

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of

SURVIVOR = "Chanthou Kesor"  # fictional


def b64url(n):
    return secrets.token_urlsafe(n)[:n]


class _Doc(html.parser.HTMLParser):
    """The title, the quick-exit links, and every form with its fields."""

    def __init__(self):
        super().__init__()
        self.title = None
        self.exits = []  # hrefs of #quick-exit, in order
        self.first_in_header = None  # the first element inside <header>
        self.forms = []  # {"attrs", "fields": [attrs]}
        self.urls = []  # every href, action and src
        self._in_title = False
        self._in_header = False
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("href", "action", "src"):
            if a.get(k):
                self.urls.append(a[k])
        if self._in_header and self.first_in_header is None:
            self.first_in_header = (tag, a)
        if tag == "header":
            self._in_header = True
        elif tag == "title":
            self._in_title = True
            self.title = ""
        elif tag == "a" and a.get("id") == "quick-exit":
            self.exits.append(a.get("href"))
        elif tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select") and self._form is not None:
            self._form["fields"].append(dict(a, tag=tag))

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "header":
            self._in_header = False
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def doc(body):
    d = _Doc()
    d.feed(body.decode("utf-8", errors="replace"))
    return d


def typed(field):
    """Whether a form field takes typed text (what a browser would remember)."""
    if field["tag"] in ("textarea",):
        return True
    if field["tag"] != "input":
        return False
    return (field.get("type") or "text") in ("text", "search", "tel", "number", "date", "email",
                                             "password", "url")


class _Sessions(PageClient):
    def page_session(self, name, password=DEMO_PASSWORD):
        """Signs name in through the page: (cookies, csrf of the account page's form)."""
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": name, "password": password,
                                                        "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        cookie = {"cbpn_session": cookies_of(h)["cbpn_session"][0]}
        self.srv.secrets.add(cookie["cbpn_session"])
        st, h, body = self.page("GET", "/account", cookie)
        self.assertEqual(st, 200, body[:300])
        form = next((f for f in forms_of(body) if f["action"] == "/account/sessions"), None)
        self.assertIsNotNone(form, "no sign-out-everywhere form on the account page")
        self.assertEqual(form["method"], "post")
        return cookie, form["inputs"]["csrf"]


class SignInTest(PageClient, ServerTestCase):
    """The pre-session token is the server's; the session id is new at every sign-in."""

    def attempt(self, cookies, csrf, username="caseworker2"):
        return self.page("POST", "/login", cookies, {"username": username,
                                                     "password": DEMO_PASSWORD, "csrf": csrf})

    def test_a_pre_session_token_the_client_chose_is_refused_403_and_writes_nothing(self):
        """The attack: a cookie set in the victim's browser (by another site, a
        shared proxy or a script) and the same value in a forged form. Before
        issue 9 any token-shaped value was taken."""
        pre, issued = self.login_form()
        at, nonce, mac = issued.split(".")
        now = str(int(time.time()))
        forged_mac = "0" * len(mac) if mac != "0" * len(mac) else "1" * len(mac)
        chosen = [
            b64url(43),                                # the old shape: any 43 base64url chars
            "%s.%s.%s" % (now, b64url(43), mac),       # another nonce under an issued MAC
            "%s.%s.%s" % (at, nonce, forged_mac),      # an issued token, its MAC changed
            "%s.%s.%s" % (int(at) + 1, nonce, mac),    # its time changed
            "%s.%s.%s" % (now, b64url(43), "f" * 32),  # a well-formed token never issued
            issued + "x",
        ]
        for t in chosen:
            with self.subTest(token=t[:24]):
                with self.assertWritesNothing():
                    st, h, body = self.attempt({"cbpn_pre": t}, t)
                self.assertEqual(st, 403, body[:300])
                self.assertNotIn("cbpn_session", cookies_of(h))
        # The token the server issued still signs in.
        st, h, body = self.attempt(pre, issued)
        self.assertEqual(st, 303, body[:300])
        self.srv.secrets.add(cookies_of(h)["cbpn_session"][0])

    def test_the_sign_in_page_replaces_a_pre_session_cookie_it_did_not_issue(self):
        chosen = b64url(43)
        st, h, body = self.page("GET", "/login", {"cbpn_pre": chosen})
        self.assertEqual(st, 200)
        set_ = cookies_of(h)
        self.assertIn("cbpn_pre", set_, "the chosen cookie was kept")
        fresh, attrs = set_["cbpn_pre"]
        self.assertNotEqual(fresh, chosen)
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        csrf = next(f for f in forms_of(body) if f["action"] == "/login")["inputs"]["csrf"]
        self.assertEqual(csrf, fresh)
        self.assertNotIn(chosen.encode(), body)

    def test_the_sign_in_page_keeps_a_token_it_issued(self):
        pre, csrf = self.login_form()
        st, h, body = self.page("GET", "/login", pre)
        self.assertEqual(st, 200)
        self.assertNotIn("cbpn_pre", cookies_of(h))
        form = next(f for f in forms_of(body) if f["action"] == "/login")
        self.assertEqual(form["inputs"]["csrf"], csrf)

    def test_sign_in_gives_a_new_session_id_and_deletes_the_pre_session_cookie(self):
        pre, csrf = self.login_form()
        chosen = b64url(43)  # a session id planted before sign-in (fixation)
        cookies = dict(pre, cbpn_session=chosen)
        st, h, body = self.attempt(cookies, csrf)
        self.assertEqual(st, 303, body[:300])
        set_ = cookies_of(h)
        new = set_["cbpn_session"][0]
        self.srv.secrets.add(new)
        self.assertNotEqual(new, chosen)
        self.assertEqual(len(new), 43)
        self.assertEqual(set_["cbpn_pre"][0], "", "the pre-session cookie outlives the sign-in")
        self.assertIn("max-age=0", set_["cbpn_pre"][1])
        st, h, _ = self.page("GET", "/cases", {"cbpn_session": chosen})
        self.assertEqual(st, 303)
        self.assertTrue(h.get("Location", "").startswith("/login"))
        self.assertEqual(self.page("GET", "/cases", {"cbpn_session": new})[0], 200)

    def test_signing_in_again_renews_the_session_and_ends_the_old_one(self):
        before, csrf = self.sign_in("caseworker2")
        st, h, body = self.page("POST", "/login", before, {
            "username": "caseworker2", "password": DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        after = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(after)
        self.assertNotEqual(after, before["cbpn_session"], "the session id was not renewed")
        st, h, _ = self.page("GET", "/cases", {"cbpn_session": before["cbpn_session"]})
        self.assertEqual(st, 303, "the session from before the sign-in still works")
        self.assertEqual(self.page("GET", "/cases", {"cbpn_session": after})[0], 200)


class AccountTest(_Sessions, ServerTestCase):
    """The account page's "sign out everywhere"."""

    def fresh_account(self):
        name = "acct-%d" % (time.time_ns() % 1000000000)
        st, _, v = self.req("POST", "/api/v1/users",
                            {"username": name, "password": "long-enough-pw-1", "role": "analyst"},
                            as_user="admin")
        self.assertEqual(st, 201, v)
        return name, v["id"]

    def test_every_page_links_to_the_account_page(self):
        cookies, _ = self.sign_in("member1")
        st, h, body = self.page("GET", "/outreach", cookies)
        self.assertEqual(st, 200)
        self.assertIn("/account", doc(body).urls)

    def test_sign_out_everywhere_ends_every_session_pages_and_api_and_clears_the_site(self):
        name, uid = self.fresh_account()
        here, csrf = self.page_session(name, "long-enough-pw-1")
        there, _ = self.page_session(name, "long-enough-pw-1")
        st, api = self.srv.sign_in(name, "long-enough-pw-1")
        self.assertEqual(st, 201, api)
        other, _ = self.page_session("analyst")
        st, h, body = self.page("POST", "/account/sessions", here, {"csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        self.assertRegex(h.get("Location", ""), r"^/login\?out=all&lang=(km|en)$")
        csd = h.get("Clear-Site-Data", "")
        for part in ('"cache"', '"cookies"', '"storage"'):
            self.assertIn(part, csd)
        self.assertEqual(cookies_of(h)["cbpn_session"][0], "")
        for c in (here, there):
            st, h, _ = self.page("GET", "/account", c)
            self.assertEqual(st, 303)
            self.assertTrue(h.get("Location", "").startswith("/login"))
        self.assertError(self.srv.get("/api/v1/me", token=api["token"]), 401, "unauthenticated")
        self.assertEqual(self.page("GET", "/account", other)[0], 200,
                         "another user was signed out")
        self.assertEqual(self.srv.count("session", "WHERE user_id = ?", (uid,)), 0)
        rows = self.srv.rows("SELECT detail FROM audit WHERE user_id = ? AND action = 'logout'",
                             (uid,))
        self.assertEqual([r[0] for r in rows], ["everywhere"])
        st, h, body = self.page("GET", "/login?out=all")
        self.assertEqual(st, 200)
        self.assertIn(b'id="signed-out"', body)

    def test_sign_out_everywhere_without_csrf_is_403_and_ends_nothing(self):
        name, _ = self.fresh_account()
        here, csrf = self.page_session(name, "long-enough-pw-1")
        for form in ({}, {"csrf": "A" * len(csrf)}):
            with self.subTest(form=form), self.assertWritesNothing():
                st, h, body = self.page("POST", "/account/sessions", here, form)
            self.assertEqual(st, 403, body[:300])
        self.assertEqual(self.page("GET", "/account", here)[0], 200)

    def test_the_account_page_needs_a_session(self):
        st, h, _ = self.page("GET", "/account")
        self.assertEqual(st, 303)
        self.assertTrue(h.get("Location", "").startswith("/login"))


class SharedPhoneTest(_Sessions, ServerTestCase):
    """What the pages give a shared phone's browser to keep."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case_id = None

    def a_case(self):
        """A case with a survivor's name, reported through the page by caseworker1."""
        if SharedPhoneTest.case_id is None:
            cookies, csrf = self.sign_in("caseworker1")
            form = {"province": "17", "district": "1707", "commune": "170710",
                    "village": "17071001", "concern": ["unsafe_migration"],
                    "summary": "Shared phone test", "survivor.sex": "female",
                    "survivor.age": "24", "survivor.name_latn": SURVIVOR, "send": "1",
                    "csrf": csrf}
            st, h, body = self.page("POST", "/cases", cookies, form)
            self.assertEqual(st, 303, body[:500])
            SharedPhoneTest.case_id = h["Location"].split("/")[2]
        return SharedPhoneTest.case_id

    def pages(self):
        """(who, path, status, body) of a page of every kind."""
        case = self.a_case()
        out = []
        st, h, body = self.page("GET", "/login")
        out.append(("-", "/login", st, h, body))
        st, h, body = self.page("GET", "/no-such-page")
        out.append(("-", "/no-such-page", st, h, body))
        visits = {
            "caseworker1": ["/cases", "/cases/new", "/cases/%s" % case, "/cases/%s/edit" % case,
                            "/cases/%s/incidents/new" % case, "/cases/%s/screenings/new" % case,
                            "/referrals", "/agencies", "/safe-migration", "/account"],
            "shelter": ["/referrals", "/referrals/verify"],
            "supervisor": ["/queue", "/cases/%s" % case],
            "rep1": ["/groups", "/outreach", "/advice", "/advice/new"],
            "member1": ["/safe-migration/hotlines", "/safe-migration/channels"],
        }
        for who, paths in visits.items():
            cookies, csrf = self.page_session(who)
            for path in paths:
                st, h, body = self.page("GET", path, cookies)
                out.append((who, path, st, h, body))
            if who == "caseworker1":  # the result of a search by name
                st, h, body = self.page("POST", "/cases/search", cookies,
                                        {"q": SURVIVOR, "csrf": csrf})
                out.append((who, "POST /cases/search", st, h, body))
        return out

    def test_every_page_has_the_same_neutral_title_and_a_quick_exit_first(self):
        seen = 0
        for who, path, st, h, body in self.pages():
            with self.subTest(who=who, path=path):
                if not h.get("Content-Type", "").startswith("text/html"):
                    continue
                self.assertIn(st, (200, 404, 422), body[:300])
                d = doc(body)
                self.assertEqual(d.title, "cbpn")
                self.assertEqual(d.exits, ["/exit"], "one quick exit on every page")
                self.assertEqual(d.first_in_header[1].get("id"), "quick-exit",
                                 "the quick exit comes first")
                self.assertRegex(body.decode(), r'<script defer src="/assets/cbpn\.js\?v=',
                                 "no cbpn.js: the quick exit would stay in the history")
                seen += 1
        self.assertGreaterEqual(seen, 20)

    def test_no_form_lets_the_browser_keep_what_was_typed(self):
        checked = 0
        for who, path, st, h, body in self.pages():
            for f in doc(body).forms:
                form_off = f["attrs"].get("autocomplete") == "off"
                for field in f["fields"]:
                    if not typed(field):
                        continue
                    with self.subTest(who=who, path=path, field=field.get("name")):
                        own = field.get("autocomplete")
                        if field.get("type") == "password":
                            # Chromium's password manager ignores "off" on a
                            # password and offers to save it; it leaves alone a
                            # field marked one-time-code.
                            self.assertEqual(own, "one-time-code")
                            continue
                        self.assertTrue(own == "off" or (own is None and form_off),
                                        "the browser may keep %r (form %r)"
                                        % (field.get("name"), f["attrs"].get("id")))
                    checked += 1
        self.assertGreaterEqual(checked, 30)

    def test_the_sign_in_form_says_off_for_the_username_too(self):
        st, h, body = self.page("GET", "/login")
        fields = {f.get("name"): f for form in doc(body).forms for f in form["fields"]}
        self.assertEqual(fields["username"].get("autocomplete"), "off")
        self.assertEqual(fields["password"].get("autocomplete"), "one-time-code")
        self.assertEqual(fields["password"].get("type"), "password")

    def test_no_name_in_a_url_and_personal_pages_are_not_stored(self):
        for who, path, st, h, body in self.pages():
            with self.subTest(who=who, path=path):
                for u in doc(body).urls:
                    self.assertNotIn("chanthou", u.lower(), "a name in a URL lands in history")
                    self.assertNotIn("kesor", u.lower())
                self.assertEqual(h.get("Cache-Control"), "no-store")
                # A GET form puts what is typed into the URL (and the history):
                # only the agencies' search (an agency's name) may.
                for f in doc(body).forms:
                    if (f["attrs"].get("method") or "get").lower() != "get":
                        continue
                    for x in f["fields"]:
                        if typed(x):
                            self.assertEqual((f["attrs"].get("action"), x.get("name")),
                                             ("/agencies", "q"),
                                             "text typed into a GET form lands in the URL")

    def test_quick_exit_ends_the_session_and_clears_the_site(self):
        cookies, _ = self.page_session("rep2")
        st, h, body = self.page("GET", "/exit", cookies)
        self.assertEqual(st, 200)
        csd = h.get("Clear-Site-Data", "")
        for part in ('"cache"', '"cookies"', '"storage"'):
            self.assertIn(part, csd)
        self.assertEqual(cookies_of(h)["cbpn_session"][0], "")
        self.assertEqual(doc(body).title, "cbpn")
        self.assertNotIn(b"rep2", body)
        self.assertNotIn(b"Protection", body)
        self.assertNotIn(b"<script", body)
        st, h, _ = self.page("GET", "/cases", cookies)
        self.assertEqual(st, 303, "the session outlived the quick exit")
        self.assertTrue(h.get("Location", "").startswith("/login"))

    def test_quick_exit_without_a_session_is_the_same_blank_page(self):
        st, h, body = self.page("GET", "/exit")
        self.assertEqual(st, 200)
        self.assertIn('"storage"', h.get("Clear-Site-Data", ""))
        self.assertEqual(doc(body).title, "cbpn")
        self.assertEqual(re.sub(rb"\s", b"", re.search(rb"<body>(.*)</body>", body, re.S)
                                .group(1)), b"")

    def test_sign_out_clears_the_site(self):
        cookies, csrf = self.page_session("rep2")
        st, h, body = self.page("POST", "/logout", cookies, {"csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        self.assertRegex(h.get("Location", ""), r"^/login\?out=1&lang=(km|en)$")
        csd = h.get("Clear-Site-Data", "")
        for part in ('"cache"', '"cookies"', '"storage"'):
            self.assertIn(part, csd)
        self.assertEqual(cookies_of(h)["cbpn_session"][0], "")
