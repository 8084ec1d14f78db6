"""The safe-migration reference pages (issue 8 item 7): each page answers in
Khmer and in English for every signed-in role, shows its sources and their
dates, the hotlines page shows the three confirmed hotlines as tel: links
and no other phone number, no page loads a script, and a signed-out visit
is sent to sign-in."""

import csv
import io
import os
import re

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KHMER = re.compile("[\u1780-\u17FF]")
PAGES = ("/safe-migration", "/safe-migration/channels", "/safe-migration/documents",
         "/safe-migration/hotlines")
HOTLINES = {"1297", "117", "1280"}  # DOMAIN.md section 7
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def table(name):
    with open(os.path.join(ROOT, "data", name), encoding="utf-8") as f:
        text = "".join(line for line in f if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(text)))


def text_of(body):
    """The page's text, without tags and scripts' URLs."""
    s = body.decode("utf-8")
    s = re.sub(r"<[^>]*>", " ", s)
    return s.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')


class ReferencePagesTest(PageClient, ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sessions = {}

    def session(self, user):
        """A page session of any role (sign_in() of test_pages opens /cases/new,
        which not every role may)."""
        if user not in self.sessions:
            pre, csrf = self.login_form()
            st, h, body = self.page("POST", "/login", pre, {"username": user,
                                                             "password": DEMO_PASSWORD,
                                                             "csrf": csrf})
            self.assertEqual(st, 303, body[:300])
            value = cookies_of(h)["cbpn_session"][0]
            self.srv.secrets.add(value)
            self.sessions[user] = dict(pre, cbpn_session=value)
        return self.sessions[user]

    def get(self, path, user="member1"):
        st, h, body = self.page("GET", path, self.session(user))
        self.assertEqual(st, 200, body[:300])
        return body

    def test_every_page_in_khmer_and_english_for_every_role(self):
        for user in ("member1", "rep1", "caseworker1", "supervisor", "counsel", "analyst",
                     "admin"):
            for path in PAGES:
                with self.subTest(user=user, path=path):
                    km = self.get(path + "?lang=km", user)
                    self.assertIn(b'<html lang="km"', km)
                    self.assertRegex(text_of(km), KHMER)
                    en = self.get(path + "?lang=en", user)
                    self.assertIn(b'<html lang="en"', en)
                    self.assertNotEqual(km, en)

    def test_pages_are_light_with_no_script_but_cbpn_js_and_no_image(self):
        """The one script is the built-in cbpn.js (cached, deferred: the quick
        exit's location.replace needs it, issue 9)."""
        for path in PAGES:
            for lang in ("km", "en"):
                with self.subTest(path=path, lang=lang):
                    body = self.get("%s?lang=%s" % (path, lang))
                    scripts = re.findall(rb"<script[^>]*>", body)
                    self.assertEqual(len(scripts), 1, scripts)
                    self.assertRegex(scripts[0], rb'^<script defer src="/assets/cbpn\.js\?v=')
                    self.assertIn(b"<script defer src=\"/assets/cbpn.js?v=", body)
                    self.assertNotIn(b"<img", body)
                    self.assertLess(len(body), 30 * 1024)
                    self.assertIn(b'name="viewport"', body)

    def test_each_page_ends_with_its_sources_and_dates(self):
        channels, documents, hotlines = (table("safe_migration_channels.csv"),
                                         table("migration_documents.csv"), table("hotlines.csv"))
        wants = {"/safe-migration": hotlines, "/safe-migration/hotlines": hotlines,
                 "/safe-migration/channels": channels, "/safe-migration/documents": documents}
        for path, rows in wants.items():
            for lang in ("km", "en"):
                with self.subTest(path=path, lang=lang):
                    body = self.get("%s?lang=%s" % (path, lang)).decode("utf-8")
                    foot = body[body.index('id="sources"'):]
                    self.assertIn('id="caveat"', foot)
                    for row in rows:
                        src = row["source"].replace("&", "&amp;").replace("'", "&#39;")
                        self.assertIn(src, foot)
                        self.assertIn('datetime="%s"' % row["source_date"], foot)
                    text = text_of(self.get("%s?lang=%s" % (path, lang)))
                    for row in rows:
                        self.assertIn(row["source_date"], text)

    def test_caveat_in_both_languages(self):
        en = text_of(self.get("/safe-migration/channels?lang=en"))
        self.assertIn("check with the Ministry of Labour and Vocational Training", en)
        km = text_of(self.get("/safe-migration/channels?lang=km"))
        self.assertIn("ក្រសួងការងារ និងបណ្តុះបណ្តាលវិជ្ជាជីវៈ", km)

    def test_hotlines_are_the_three_confirmed_and_no_other_number(self):
        for path in PAGES:
            for lang in ("km", "en"):
                with self.subTest(path=path, lang=lang):
                    body = self.get("%s?lang=%s" % (path, lang))
                    tels = set(re.findall(rb'href="tel:([^"]*)"', body))
                    if path in ("/safe-migration", "/safe-migration/hotlines"):
                        self.assertEqual({t.decode() for t in tels}, HOTLINES)
                    else:
                        self.assertEqual(tels, set())
        for lang in ("km", "en"):
            text = text_of(self.get("/safe-migration/hotlines?lang=" + lang))
            text = DATE.sub(" ", text)
            # Any run of three or more digits (spaces or dashes inside, as
            # phone numbers are written) is one of the three hotlines.
            for run in re.findall(r"\+?\d[\d \-]{2,}\d", text):
                digits = re.sub(r"\D", "", run)
                self.assertIn(digits, HOTLINES, "another number on the page: %r" % run)

    def test_channels_and_documents_show_the_rows(self):
        en = text_of(self.get("/safe-migration/channels?lang=en"))
        for row in table("safe_migration_channels.csv"):
            self.assertIn(row["text_en"].split(":")[0], en)
        self.assertIn("Thailand", en)
        self.assertIn("Japan", en)
        km = text_of(self.get("/safe-migration/documents?lang=km"))
        for row in table("migration_documents.csv"):
            self.assertIn(row["name_km"], km)
        body = self.get("/safe-migration/documents?lang=en")
        self.assertIn(b'id="doc-pink_card"', body)

    def test_navigation_links_the_reference(self):
        for user in ("member1", "rep1"):
            with self.subTest(user=user):
                body = self.get("/safe-migration/hotlines?lang=en", user)
                self.assertIn(b'href="/safe-migration" id="nav-reference"', body)

    def test_signed_out_is_sent_to_sign_in(self):
        for path in PAGES:
            with self.subTest(path=path):
                st, h, body = self.page("GET", path)
                self.assertIn(st, (302, 303))
                self.assertEqual(h["Location"], "/login")
                self.assertNotIn(b"1297", body)
                st, h, body = self.page("GET", path, {"cbpn_session": "not-a-session"})
                self.assertIn(st, (302, 303))
                self.assertEqual(h["Location"], "/login")
