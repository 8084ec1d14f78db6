"""Page forms: sign-in with the pre-session CSRF token, the CSRF check on
every page POST, and the cookie session kept apart from the API's tokens."""

import html.parser
import re
import urllib.parse

from cbpnserver import DEMO_PASSWORD, ServerTestCase

FORM = "application/x-www-form-urlencoded"


class _Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms = []  # [{"action", "method", "inputs": {name: value}}]
        self._cur = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._cur = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                         "inputs": {}}
            self.forms.append(self._cur)
        elif tag == "input" and self._cur is not None and a.get("name"):
            self._cur["inputs"].setdefault(a["name"], a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._cur = None


def forms_of(page):
    p = _Forms()
    p.feed(page.decode("utf-8", errors="replace"))
    return p.forms


def cookies_of(headers):
    """{name: (value, attributes lower-cased)} of the Set-Cookie headers."""
    out = {}
    for sc in headers.get_all("Set-Cookie") or []:
        first, _, rest = sc.partition(";")
        name, _, value = first.strip().partition("=")
        out[name] = (value, rest.lower())
    return out


class PageClient:
    """Page requests with cookies and forms; a mixin of ServerTestCase."""

    def page(self, method, path, cookies=None, form=None):
        hdr = {}
        if cookies:
            hdr["Cookie"] = "; ".join("%s=%s" % kv for kv in cookies.items())
        raw = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        return self.srv.request(method, path, raw=raw, headers=hdr,
                                content_type=FORM if raw is not None else None)

    def login_form(self):
        """GET /login: (pre-session cookies, csrf token)."""
        st, h, body = self.page("GET", "/login")
        self.assertEqual(st, 200)
        self.assertTrue(h.get("Content-Type", "").startswith("text/html"))
        cookies = {k: v for k, (v, _) in cookies_of(h).items()}
        self.assertTrue(cookies, "GET /login set no pre-session cookie")
        form = next((f for f in forms_of(body) if f["action"] == "/login"), None)
        self.assertIsNotNone(form, "no sign-in form")
        self.assertEqual(form["method"], "post")
        self.assertIn("csrf", form["inputs"])
        self.assertTrue(form["inputs"]["csrf"])
        return cookies, form["inputs"]["csrf"]

    def sign_in(self, username):
        """Signs in through the page; returns (cookies of the session, csrf of the session)."""
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": username,
                                                         "password": DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        set_ = cookies_of(h)
        self.assertIn("cbpn_session", set_, "no session cookie after sign-in")
        value, attrs = set_["cbpn_session"]
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        self.srv.secrets.add(value)
        cookies = dict(pre)
        cookies["cbpn_session"] = value
        st, h, body = self.page("GET", "/cases/new", cookies)
        self.assertEqual(st, 200, body[:300])
        tokens = [f["inputs"]["csrf"] for f in forms_of(body) if "csrf" in f["inputs"]]
        self.assertTrue(tokens, "no form with a CSRF token on /cases/new")
        return cookies, tokens[0]


class PagesTest(PageClient, ServerTestCase):

    def report_form(self, csrf=None):
        f = {"province": "17", "district": "1707", "commune": "170710", "village": "17071001",
             "concern": ["unsafe_migration"], "summary": "Form test concern",
             "survivor.sex": "female", "survivor.age": "30",
             "survivor.name_latn": "Formtest Survivor", "send": "1"}
        if csrf is not None:
            f["csrf"] = csrf
        return f

    def case_table(self):
        t = self.srv.find_table("case", "cases")
        self.assertIsNotNone(t, "no case table in %r" % self.srv.tables())
        return t

    # ---- sign-in ----

    def test_login_page_has_a_csrf_field_and_sets_a_pre_session_cookie(self):
        cookies, csrf = self.login_form()
        self.assertGreaterEqual(len(csrf), 20)

    def test_sign_in_through_the_form(self):
        cookies, csrf = self.sign_in("rep1")
        self.assertTrue(csrf)

    def test_sign_in_without_csrf_is_403_and_writes_nothing(self):
        pre, csrf = self.login_form()
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/login", pre, {"username": "rep2",
                                                             "password": DEMO_PASSWORD})
        self.assertEqual(st, 403, body[:300])
        self.assertNotIn("cbpn_session", cookies_of(h))

    def test_sign_in_with_a_wrong_csrf_is_403_and_writes_nothing(self):
        pre, csrf = self.login_form()
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/login", pre, {
                "username": "rep2", "password": DEMO_PASSWORD, "csrf": csrf[:-2] + "xx"})
        self.assertEqual(st, 403, body[:300])

    def test_sign_in_with_csrf_but_without_its_cookie_is_403(self):
        pre, csrf = self.login_form()
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/login", None, {
                "username": "rep2", "password": DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 403, body[:300])

    def test_sign_in_page_with_a_wrong_password_is_refused(self):
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": "rep3",
                                                         "password": "wrong-password-9",
                                                         "csrf": csrf})
        self.assertIn(st, (200, 401, 422), body[:300])
        self.assertNotIn("cbpn_session", cookies_of(h))
        self.assertNotIn(b"wrong-password-9", body, "the page echoes the password")

    # ---- CSRF on page forms ----

    def test_report_form_without_csrf_is_403_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/cases", cookies, self.report_form())
        self.assertEqual(st, 403, body[:300])

    def test_report_form_with_a_wrong_csrf_is_403_and_writes_nothing(self):
        cookies, csrf = self.sign_in("rep1")
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/cases", cookies, self.report_form("A" * len(csrf)))
        self.assertEqual(st, 403, body[:300])

    def test_report_form_with_another_sessions_csrf_is_403(self):
        c1, csrf1 = self.sign_in("member1")
        c2, csrf2 = self.sign_in("member1")
        self.assertNotEqual(csrf1, csrf2)
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/cases", c1, self.report_form(csrf2))
        self.assertEqual(st, 403, body[:300])

    def test_report_form_with_the_pre_session_csrf_is_403(self):
        pre, pre_csrf = self.login_form()
        cookies, csrf = self.sign_in("rep1")
        cookies.update(pre)
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/cases", cookies, self.report_form(pre_csrf))
        self.assertEqual(st, 403, body[:300])

    def test_report_form_with_csrf_creates_the_case(self):
        """The positive control: the same form with the right token is accepted."""
        cookies, csrf = self.sign_in("rep1")
        table = self.case_table()
        before = self.srv.count(table)
        st, h, body = self.page("POST", "/cases", cookies, self.report_form(csrf))
        self.assertEqual(st, 303, body[:500])
        self.assertRegex(h.get("Location", ""), r"^/cases/[a-z0-9]+")
        self.assertEqual(self.srv.count(table), before + 1)

    def test_report_form_without_session_writes_nothing(self):
        pre, csrf = self.login_form()
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/cases", pre, self.report_form(csrf))
        self.assertIn(st, (303, 401, 403), body[:300])
        if st == 303:
            self.assertTrue(h.get("Location", "").startswith("/login"))

    def test_sign_out_without_csrf_is_403_and_the_session_lives(self):
        cookies, csrf = self.sign_in("rep4")
        with self.assertWritesNothing():
            st, h, body = self.page("POST", "/logout", cookies, {})
        self.assertEqual(st, 403)
        st, h, body = self.page("GET", "/cases", cookies)
        self.assertEqual(st, 200, "the session ended without a CSRF token")

    def test_sign_out_with_csrf_ends_the_session(self):
        cookies, csrf = self.sign_in("rep5")
        st, h, body = self.page("POST", "/logout", cookies, {"csrf": csrf})
        self.assertEqual(st, 303)
        st, h, body = self.page("GET", "/cases", cookies)
        self.assertIn(st, (303, 401))
        if st == 303:
            self.assertTrue(h.get("Location", "").startswith("/login"))

    def test_sign_out_that_fails_is_not_reported_as_done(self):
        """When the session cannot be deleted (database busy), the page says
        so and the browser keeps its cookie: never "signed out" while the
        session still works. Another writer holds the database meanwhile
        (SQLite: BEGIN IMMEDIATE; PostgreSQL: every table locked against
        writes), so the server's wait for it must end before the answer."""
        cookies, csrf = self.sign_in("rep6")
        with self.srv.writes_locked():
            st, h, body = self.page("POST", "/logout", cookies, {"csrf": csrf})
        st2, _, _ = self.page("GET", "/cases", cookies)
        if st2 == 200:  # the session is still alive: the answer must not say otherwise
            self.assertNotEqual(st, 303, "sign-out reported done while the session lives")
            self.assertNotIn(b'id="signed-out"', body)
            self.assertNotIn("cbpn_session", cookies_of(h))
        # and a retry once the database is free really ends it
        st, h, body = self.page("POST", "/logout", cookies, {"csrf": csrf})
        self.assertEqual(st, 303)
        st, h, body = self.page("GET", "/cases", cookies)
        self.assertIn(st, (303, 401))

    # ---- the two kinds of session stay apart ----

    def test_page_cookie_does_not_authenticate_the_api(self):
        cookies, csrf = self.sign_in("rep6")
        with self.assertWritesNothing():
            a = self.srv.request("GET", "/api/v1/me",
                                 headers={"Cookie": "cbpn_session=" + cookies["cbpn_session"]})
        self.assertError(a, 401, "unauthenticated")
        a = self.srv.post("/api/v1/cases", {"location_code": "17071001", "concerns": ["other"],
                                            "survivor": {"sex": "female"}, "summary": "x",
                                            "consent_to_contact": False, "urgent": False},
                          headers={"Cookie": "cbpn_session=" + cookies["cbpn_session"]})
        self.assertError(a, 401, "unauthenticated")

    def test_page_session_token_is_not_a_bearer_token(self):
        cookies, csrf = self.sign_in("rep7")
        a = self.srv.get("/api/v1/me", token=cookies["cbpn_session"])
        self.assertError(a, 401, "unauthenticated")

    def test_bearer_token_is_not_a_page_cookie(self):
        tok = self.token("rep8")
        st, h, body = self.page("GET", "/cases", {"cbpn_session": tok})
        self.assertIn(st, (303, 401), "an API token opened a page session")

    # ---- page hygiene ----

    def test_pages_have_lang_and_no_inline_script(self):
        for path in ("/login", "/login?lang=km", "/login?lang=en"):
            with self.subTest(path=path):
                st, h, body = self.page("GET", path)
                self.assertEqual(st, 200)
                self.assertRegex(body, rb"<html[^>]* lang=\"(km|en)\"")
                self.assertIsNone(re.search(rb"<script(?![^>]*\bsrc=)[^>]*>\s*\S", body),
                                  "inline script")
                self.assertNotRegex(body, rb"\son[a-z]+=", "inline event handler")
                self.assertIn("no-store", h.get("Cache-Control", ""))

    def test_language_from_query_cookie_then_accept_language(self):
        def lang_of(headers):
            st, h, body = self.srv.request("GET", "/login", headers=headers)
            self.assertEqual(st, 200)
            return re.search(rb'<html[^>]* lang="([a-z]+)"', body).group(1).decode(), h
        self.assertEqual(lang_of({})[0], "km")
        self.assertEqual(lang_of({"Accept-Language": "en-US,en;q=0.9"})[0], "en")
        self.assertEqual(lang_of({"Accept-Language": "fr, km;q=0.5, en;q=0.4"})[0], "km")
        self.assertEqual(lang_of({"Accept-Language": "en", "Cookie": "cbpn_lang=km"})[0], "km")
        self.assertEqual(lang_of({"Cookie": "cbpn_lang=xx"})[0], "km")
        st, h, body = self.srv.request("GET", "/login?lang=en", headers={"Cookie": "cbpn_lang=km"})
        self.assertIn(b'lang="en"', body)
        lang_cookie = cookies_of(h).get("cbpn_lang")
        self.assertIsNotNone(lang_cookie, "?lang= set no cookie")
        self.assertEqual(lang_cookie[0], "en")
        st, h, body = self.srv.request("GET", "/login?lang=xx")
        self.assertIn(b'lang="km"', body)
        self.assertNotIn("cbpn_lang", cookies_of(h))

    def test_every_page_is_light_local_and_khmer_by_default(self):
        """Each page with its CSS and JS under 50 KB; nothing loaded from another
        host; Khmer unless asked otherwise; no inline script on any page."""
        rep, _ = self.sign_in("rep1")
        cw, _ = self.sign_in("caseworker1")
        st, _, v = self.req("GET", "/api/v1/cases?limit=1", as_user="caseworker1")
        case = v["items"][0]["id"]
        pages = [("/login", None), ("/cases", rep), ("/cases", cw), ("/cases/new", rep),
                 ("/cases/new?district=1707", rep), ("/cases/new?district=1707&commune=170710",
                                                     rep),
                 ("/cases/" + case, cw), ("/nowhere", None), ("/cases/" + case, rep),
                 ("/cases/%s/incidents/new" % case, cw), ("/cases/%s/screenings/new" % case, cw)]
        assets = {}
        for path, who in pages:
            for lang in ("", "km", "en"):
                full = path + (("&" if "?" in path else "?") + "lang=" + lang if lang else "")
                with self.subTest(page=full, signed_in=who is not None):
                    st, h, body = self.page("GET", full, who)
                    self.assertIn(st, (200, 403, 404), body[:200])
                    self.assertTrue(h.get("Content-Type", "").startswith("text/html"))
                    want = lang or "km"
                    self.assertRegex(body, rb'<html[^>]* lang="%s"' % want.encode())
                    self.assertIsNone(re.search(rb"<script(?![^>]*\bsrc=)[^>]*>\s*\S", body))
                    urls = re.findall(rb'(?:src|href|action)="([^"]*)"', body)
                    for u in urls:
                        self.assertFalse(re.match(rb"^(?:[a-z][a-z0-9+.-]*:)?//", u, re.I),
                                         "a request to another host: %r" % u)
                    weight = len(body)
                    for u in re.findall(rb'(?:<link[^>]*href|<script[^>]*src)="(/assets/[^"?]*)',
                                        body):
                        if u not in assets:
                            ast, ah, ab = self.page("GET", u.decode())
                            self.assertEqual(ast, 200, u)
                            assets[u] = len(ab)
                        weight += assets[u]
                    self.assertLess(weight, 50 * 1024, "%s weighs %d bytes" % (full, weight))

    # ---- cases ----

    def search_form(self, page):
        form = next((f for f in forms_of(page) if f["action"] == "/cases/search"
                     and "q" in f["inputs"] and "cursor" not in f["inputs"]), None)
        self.assertIsNotNone(form, "no name search on the cases page")
        self.assertEqual(form["method"], "post")
        self.assertTrue(form["inputs"].get("csrf"), "the name search has no CSRF token")
        return form

    def assertNameInNoUrl(self, name, headers, page):
        """name is in no link, form action, Location or other URL of the answer."""
        low = name.lower().encode()
        for attr in re.findall(rb'\b(?:href|action|src|formaction)\s*=\s*"([^"]*)"', page):
            self.assertNotIn(low, urllib.parse.unquote_to_bytes(attr).lower().replace(b"+", b" "),
                             "the name is in a URL of the page: %r" % attr)
            for word in name.lower().split():
                self.assertNotIn(word.encode(), urllib.parse.unquote_to_bytes(attr).lower(),
                                 "a word of the name is in a URL of the page: %r" % attr)
        for h in ("Location", "Content-Location", "Refresh", "Link"):
            v = (headers.get(h) or "").lower()
            for word in name.lower().split():
                self.assertNotIn(word, v, "a word of the name is in the %s header" % h)

    def test_caseworker_searches_cases_by_name_on_the_page(self):
        body = {"location_code": "17071001", "concerns": ["other"],
                "survivor": {"sex": "female", "name_latn": "Pagetest Sokunthea"}}
        st, _, case = self.req("POST", "/api/v1/cases", body, as_user="caseworker1")
        self.assertEqual(st, 201, case)
        cookies, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases", cookies)
        self.assertEqual(st, 200)
        form = self.search_form(page)
        name = "sokunthia pagetest"
        st, h, page = self.page("POST", "/cases/search", cookies,
                                {"q": name, "csrf": form["inputs"]["csrf"]})
        self.assertEqual(st, 200, page[:300])
        self.assertIsNone(h.get("Location"))
        self.assertIn(case["code"].encode(), page)
        self.assertEqual(self.search_form(page)["inputs"]["q"], name, "the query is not kept")
        self.assertNameInNoUrl(name, h, page)
        for lang in re.findall(rb'<a [^>]*id="lang-[a-z]+"[^>]*>', page):
            self.assertRegex(lang, rb'href="/cases\?lang=[a-z]+"')
        st, h, page = self.page("POST", "/cases/search", cookies,
                                {"q": "Nobodyhere", "csrf": form["inputs"]["csrf"]})
        self.assertEqual(st, 200)
        self.assertNotIn(case["code"].encode(), page)
        self.assertIn(b'id="cases-empty"', page)
        self.assertNameInNoUrl("Nobodyhere", h, page)
        st, _, page = self.page("POST", "/cases/search", cookies,
                                {"q": "one two three four five six seven",
                                 "csrf": form["inputs"]["csrf"]})
        self.assertEqual(st, 422)
        self.assertIn(b'id="q-error"', page)

    def test_search_results_page_through_post_and_keep_the_name_out_of_urls(self):
        name = "Pagingtest Sreymom"
        codes = set()
        for _ in range(53):
            body = {"location_code": "17071001", "concerns": ["other"],
                    "survivor": {"sex": "female", "name_latn": name}}
            st, _, case = self.req("POST", "/api/v1/cases", body, as_user="caseworker1")
            self.assertEqual(st, 201, case)
            codes.add(case["code"])
        cookies, csrf = self.sign_in("caseworker1")
        st, h, page = self.page("POST", "/cases/search", cookies, {"q": name, "csrf": csrf})
        self.assertEqual(st, 200, page[:300])
        self.assertNameInNoUrl(name, h, page)
        self.assertNotIn(b'href="/cases?', page.replace(b'href="/cases?lang=', b""),
                         "a GET link to the list on a search result page")
        seen = set(re.findall(rb'data-code="([^"]+)"', page))
        more = next((f for f in forms_of(page) if "cursor" in f["inputs"]), None)
        self.assertIsNotNone(more, "no POST 'more' on a long search result")
        self.assertEqual((more["action"], more["method"]), ("/cases/search", "post"))
        self.assertEqual(more["inputs"]["q"], name)
        self.assertTrue(more["inputs"]["csrf"])
        st, h, page = self.page("POST", "/cases/search", cookies, more["inputs"])
        self.assertEqual(st, 200, page[:300])
        self.assertNameInNoUrl(name, h, page)
        seen |= set(re.findall(rb'data-code="([^"]+)"', page))
        self.assertEqual({c.encode() for c in codes}, seen)
        # The status filter of a search result keeps the search in a POST body.
        self.assertIn(b'<form autocomplete="off" method="post" action="/cases/search" '
                      b'id="filter-form"', page)
        for f in forms_of(page):
            if f["method"] == "get":
                self.assertNotIn("q", f["inputs"], "a GET form carries the name")
        st, h, page = self.page("POST", "/cases/search", cookies,
                                {"q": name, "status": "closed", "csrf": csrf})
        self.assertEqual(st, 200, page[:300])
        self.assertIn(b'id="cases-empty"', page)
        self.assertNameInNoUrl(name, h, page)

    def test_get_cases_ignores_a_name_in_the_url(self):
        body = {"location_code": "17071001", "concerns": ["other"],
                "survivor": {"sex": "female", "name_latn": "Urltest Bopha"}}
        st, _, case = self.req("POST", "/api/v1/cases", body, as_user="caseworker1")
        self.assertEqual(st, 201, case)
        cookies, _ = self.sign_in("caseworker1")
        st, h, page = self.page("GET", "/cases?q=Zzzznomatch", cookies)
        self.assertEqual(st, 200)
        self.assertIn(case["code"].encode(), page, "GET /cases searched by ?q=")
        self.assertNotIn(b"Zzzznomatch", page, "GET /cases echoed ?q=")
        self.assertEqual(self.search_form(page)["inputs"]["q"], "")

    def test_search_without_csrf_is_403_and_writes_nothing(self):
        cookies, csrf = self.sign_in("caseworker1")
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/cases/search", cookies, {"q": "Chanthy"})
        self.assertEqual(st, 403)
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/cases/search", cookies,
                                 {"q": "Chanthy", "csrf": csrf[:-2] + "xx"})
        self.assertEqual(st, 403)

    def test_search_is_not_a_get(self):
        cookies, _ = self.sign_in("caseworker1")
        st, _, _ = self.page("GET", "/cases/search?q=Chanthy", cookies)
        self.assertIn(st, (404, 405))

    def test_representative_page_has_no_name_search(self):
        cookies, csrf = self.sign_in("rep1")
        st, _, page = self.page("GET", "/cases", cookies)
        self.assertEqual(st, 200)
        self.assertFalse([f for f in forms_of(page) if "q" in f["inputs"]],
                         "a representative is offered a search by name")
        for form in ({"q": "Chanthy", "csrf": csrf}, {"q": "", "csrf": csrf}):
            with self.assertWritesNothing():
                st, _, _ = self.page("POST", "/cases/search", cookies, form)
            self.assertEqual(st, 403)

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()

    def test_zz_log_has_no_passwords_cookies_or_names(self):
        self.check_log_has_no_secrets(extra=["Formtest", "wrong-password-9", "Sokunthea", "sokunthia",
                                             "Sreymom", "Nobodyhere", "Zzzznomatch", "Chanthy"])
