"""Consent and referrals on the pages: the case page's Consent and Referrals
sections and their forms, the referral list and page with the moves the
view allows, the printable slip, and a provider's slip check. No consent,
no referral (422, nothing written); a stale version is a 409 with the
referral as it is now; the slip only for the sender's staff; five wrong
slip codes lock the slip's checks."""

import html
import re

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of

READ_AUDIT = ("audit",)
SHELTER_ORG = "Safe Roof Women's Shelter"
SHELTER_ORG_HTML = b"Safe Roof Women&#39;s Shelter"  # as the escaping writer writes it


class ReferralPagesTest(PageClient, ServerTestCase):

    # ---- helpers ----

    def new_case(self, age=24, name="Referral Tester"):
        st, _, c = self.req("POST", "/api/v1/cases", {
            "location_code": "17071001", "concerns": ["unsafe_migration"],
            "summary": "Referral pages test", "consent_to_contact": True,
            "survivor": {"sex": "female", "age": age, "name_latn": name}},
            as_user="caseworker1")
        self.assertEqual(st, 201, c)
        return c

    def provider_sign_in(self, username="shelter"):
        """A provider signs in: she lands on /referrals (she has no cases)."""
        pre, csrf = self.login_form()
        st, h, body = self.page("POST", "/login", pre, {"username": username,
                                                         "password": DEMO_PASSWORD, "csrf": csrf})
        self.assertEqual(st, 303, body[:300])
        self.assertEqual(h["Location"], "/referrals")
        value = cookies_of(h)["cbpn_session"][0]
        self.srv.secrets.add(value)
        cookies = dict(pre)
        cookies["cbpn_session"] = value
        st, _, page = self.page("GET", "/referrals", cookies)
        self.assertEqual(st, 200, page[:300])
        tokens = [f["inputs"]["csrf"] for f in forms_of(page) if "csrf" in f["inputs"]]
        return cookies, tokens[0]

    def case_page(self, case_id, cookies, query=""):
        st, _, page = self.page("GET", "/cases/%s%s" % (case_id, query), cookies)
        self.assertEqual(st, 200, page[:300])
        return page

    def shelter_ids(self, page):
        """(service id, organization id) of the demo shelter, from the case page."""
        svc = re.search(rb'name="service_id" value="([a-z0-9]+)" id="service-[a-z0-9]+" '
                        rb'data-type="shelter"', page)
        self.assertIsNotNone(svc, "no shelter service offered")
        org = re.search(rb'<option value="([a-z0-9]+)">' + re.escape(SHELTER_ORG_HTML), page)
        self.assertIsNotNone(org, "no shelter organization in the consent picker")
        return svc.group(1).decode(), org.group(1).decode()

    def consent(self, case_id, cookies, csrf, **f):
        form = {"csrf": csrf, "purpose": "services", "given": "true", "method": "verbal",
                "by": "survivor"}
        q = "?lang=%s" % f.pop("lang") if "lang" in f else ""
        form.update(f)
        return self.page("POST", "/cases/%s/consents%s" % (case_id, q), cookies, form)

    def refer(self, case_id, cookies, csrf, service_id, **f):
        form = {"csrf": csrf, "service_id": service_id, "urgency": "urgent",
                "reason": "She needs a safe place tonight.", "contact": "012 000 111"}
        q = "?lang=%s" % f.pop("lang") if "lang" in f else ""
        form.update(f)
        return self.page("POST", "/cases/%s/referrals%s" % (case_id, q), cookies, form)

    def referral_of(self, case_id, cookies):
        """The id of the case's newest referral, from the case page."""
        page = self.case_page(case_id, cookies)
        m = re.search(rb'href="/referrals/([a-z0-9]+)" class="code referral"', page)
        self.assertIsNotNone(m, "no referral on the case page")
        return m.group(1).decode()

    def referred_case(self, age=24, share=True):
        """A case with its consents and a referral to the shelter: (case, referral id,
        caseworker cookies, csrf)."""
        c = self.new_case(age=age)
        cw, csrf = self.sign_in("caseworker1")
        svc, org = self.shelter_ids(self.case_page(c["id"], cw))
        by = "guardian" if age < 18 else "survivor"
        st, h, body = self.consent(c["id"], cw, csrf, by=by)
        self.assertEqual(st, 303, body[:400])
        if share:
            st, _, body = self.consent(c["id"], cw, csrf, purpose="share_with",
                                       organization_id=org, method="thumbprint", by=by)
            self.assertEqual(st, 303, body[:400])
        else:
            st, _, body = self.consent(c["id"], cw, csrf, purpose="share_with",
                                       service_type="shelter", by=by)
            self.assertEqual(st, 303, body[:400])
        st, h, body = self.refer(c["id"], cw, csrf, svc)
        self.assertEqual(st, 303, body[:600])
        self.assertEqual(h["Location"], "/cases/%s?ok=referred#h-referrals" % c["id"])
        return c, self.referral_of(c["id"], cw), cw, csrf

    def referral_page(self, rid, cookies, query=""):
        st, _, page = self.page("GET", "/referrals/%s%s" % (rid, query), cookies)
        self.assertEqual(st, 200, page[:300])
        return page

    def version_of(self, page, form):
        f = next((f for f in forms_of(page) if f["inputs"].get("status") == form), None)
        self.assertIsNotNone(f, "no %s form" % form)
        return f["inputs"]["version"]

    def slip_code(self, rid, cookies):
        st, _, page = self.page("GET", "/referrals/%s/slip" % rid, cookies)
        self.assertEqual(st, 200, page[:300])
        m = re.search(rb'<span class="slip-code">([0-9A-Z]{4}-[0-9A-Z]{4})</span>', page)
        self.assertIsNotNone(m, "no verification code on the slip")
        return m.group(1).decode()

    # ---- the case page ----

    def test_case_page_has_the_consent_and_referral_sections(self):
        c = self.new_case()
        cw, _ = self.sign_in("caseworker1")
        page = self.case_page(c["id"], cw, "?lang=en")
        for part in (b'id="h-consents"', b'id="consents-empty"', b'id="consent-form"',
                     b'id="thumbprint-hint"', b'id="consent-method-thumbprint"',
                     b'id="consent-given-false"', b'id="consent-by-guardian"',
                     b'id="h-referrals"', b'id="refer-form"', b'id="refer-type"'):
            self.assertIn(part, page)
        # The caseworker may not override; the supervisor sees the block.
        self.assertNotIn(b'id="override"', page)
        sup, _ = self.sign_in("supervisor")
        self.assertIn(b'name="override.reason"', self.case_page(c["id"], sup))
        # Services by type, nearest first, with organization, hours and languages.
        page = self.case_page(c["id"], cw, "?refer_type=psychosocial&lang=en")
        self.assertIn(b'data-type="psychosocial"', page)
        self.assertNotIn(b'data-type="shelter"', page)
        self.assertIn(b"Banyan Tree Counselling Service", page)
        self.assertIn(b"Hours: Mon-Sat 08:00-17:00", page)
        self.assertIn(b"in Khmer", page)
        names = re.findall(rb'data-type="psychosocial"[^>]*> <span><strong>([^<]+)', page)
        # The Kralanh mobile service does not serve Puok: only the province-wide one.
        self.assertEqual(names, [b"Counselling for women and girls"])
        # Khmer by default.
        page = self.case_page(c["id"], cw)
        self.assertIn("ការយល់ព្រម".encode(), page)

    def test_refer_without_consent_is_422_and_writes_nothing(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        svc, _ = self.shelter_ids(self.case_page(c["id"], cw))
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.refer(c["id"], cw, csrf, svc, lang="en")
        self.assertEqual(st, 422, page[:300])
        self.assertIn(b'id="err-refer"', page)
        self.assertIn(b"record her consent", page)
        # What was typed is kept.
        self.assertIn(b"She needs a safe place tonight.", page)
        # A services consent alone is not enough.
        self.assertEqual(self.consent(c["id"], cw, csrf)[0], 303)
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.refer(c["id"], cw, csrf, svc)
        self.assertEqual(st, 422)
        self.assertIn(b'id="err-refer"', page)

    def test_consent_form_problems_are_shown_by_the_form(self):
        c = self.new_case(age=15)
        cw, csrf = self.sign_in("caseworker1")
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.consent(c["id"], cw, csrf, lang="en")  # by survivor, under 18
        self.assertEqual(st, 422, page[:300])
        self.assertIn(b'id="err-consent"', page)
        self.assertIn(b"her guardian", page)
        self.assertIn(b'id="guardian-hint"', page)
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.consent(c["id"], cw, csrf, purpose="share_with", by="guardian")
        self.assertEqual(st, 422)  # share_with without a scope
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.consent(c["id"], cw, csrf, by="guardian", given="")
        self.assertEqual(st, 422)  # given or refused is required

    def test_consents_are_listed_and_withdrawn(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        _, org = self.shelter_ids(self.case_page(c["id"], cw))
        st, h, _ = self.consent(c["id"], cw, csrf, purpose="share_with", organization_id=org,
                                method="written")
        self.assertEqual(st, 303)
        self.assertEqual(h["Location"], "/cases/%s?ok=consent#h-consents" % c["id"])
        st, _, _ = self.consent(c["id"], cw, csrf, purpose="reporting", given="false")
        self.assertEqual(st, 303)
        page = self.case_page(c["id"], cw, "?lang=en")
        self.assertIn(SHELTER_ORG_HTML, page)
        self.assertIn(b"Written (signed)", page)
        self.assertIn(b"recorded by Demo caseworker 1", page)
        self.assertEqual(len(re.findall(rb'class="record consent given"', page)), 1)
        self.assertEqual(len(re.findall(rb'class="record consent refused"', page)), 1)
        # Only the standing record has a withdraw form.
        actions = re.findall(rb'action="(/cases/[a-z0-9]+/consents/([a-z0-9]+)/withdraw)"', page)
        self.assertEqual(len(actions), 1)
        st, h, body = self.page("POST", actions[0][0].decode(), cw,
                                {"csrf": csrf, "reason": "She changed her mind"})
        self.assertEqual(st, 303, body[:300])
        page = self.case_page(c["id"], cw, "?lang=en")
        self.assertIn(b"record consent given withdrawn", page)
        self.assertIn(b"She changed her mind", page)
        self.assertNotIn(b"/withdraw", page)
        # Withdrawing it again is a conflict.
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, _ = self.page("POST", actions[0][0].decode(), cw, {"csrf": csrf})
        self.assertEqual(st, 409)

    def test_forms_without_csrf_are_403_and_write_nothing(self):
        c, rid, cw, _ = self.referred_case()
        for path, form in (("/cases/%s/consents" % c["id"],
                            {"purpose": "services", "given": "true", "method": "verbal",
                             "by": "survivor"}),
                           ("/cases/%s/referrals" % c["id"], {"service_id": "x", "urgency":
                                                              "routine", "reason": "r"}),
                           ("/referrals/%s" % rid, {"version": "1", "status": "withdrawn"}),
                           ("/referrals/verify", {"case_code": c["code"], "code": "0000-0000"})):
            with self.subTest(path=path), self.assertWritesNothing():
                st, _, _ = self.page("POST", path, cw, form)
                self.assertEqual(st, 403)

    # ---- a referral from the sender to the provider ----

    def test_provider_accepts_and_completes_with_the_version_read(self):
        c, rid, cw, _ = self.referred_case()
        page = self.case_page(c["id"], cw, "?lang=en")
        self.assertIn(b'id="case-referral-list"', page)
        self.assertIn(b"Emergency shelter for women and their children", page)
        self.assertIn(b'data-status="sent"', page)

        sh, csrf = self.provider_sign_in()
        st, _, page = self.page("GET", "/referrals?lang=en", sh)
        self.assertIn(b'id="nav-referrals"', page)
        self.assertGreaterEqual(int(re.search(rb'id="referrals-new"[^>]*>(\d+)<', page).group(1)),
                                1)
        self.assertIn(('data-code="%s"' % c["code"]).encode(), page)
        self.assertNotIn(b'id="nav-cases"', page)

        page = self.referral_page(rid, sh, "?lang=en")
        self.assertIn(c["code"].encode(), page)
        self.assertIn(b'id="ref-identity"', page)  # share_with names her organization
        self.assertIn(b"Referral Tester", page)
        self.assertIn(b"She needs a safe place tonight.", page)
        self.assertIn(b'id="accept-form"', page)
        self.assertIn(b'id="decline-form"', page)
        self.assertNotIn(b'id="complete-form"', page)
        self.assertNotIn(b'id="withdraw-form"', page)
        self.assertNotIn(b'id="link-slip"', page)
        v = self.version_of(page, "accepted")

        st, h, body = self.page("POST", "/referrals/" + rid, sh,
                                {"csrf": csrf, "version": v, "status": "accepted"})
        self.assertEqual(st, 303, body[:300])
        self.assertEqual(h["Location"], "/referrals/%s?ok=accepted" % rid)
        # The same version again: stale, a clear conflict, nothing written.
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/referrals/" + rid + "?lang=en", sh,
                                    {"csrf": csrf, "version": v, "status": "completed",
                                     "note": "Sheltered"})
        self.assertEqual(st, 409)
        self.assertIn(b'id="referral-error"', page)
        self.assertIn(b"changed this referral after you opened it", page)

        page = self.referral_page(rid, sh)
        self.assertIn(b'id="complete-form"', page)
        self.assertNotIn(b'id="accept-form"', page)
        v = self.version_of(page, "completed")
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/referrals/" + rid, sh,
                                    {"csrf": csrf, "version": v, "status": "completed",
                                     "note": ""})
        self.assertEqual(st, 422)
        self.assertIn(b'id="err-complete"', page)
        st, h, _ = self.page("POST", "/referrals/" + rid, sh,
                             {"csrf": csrf, "version": v, "status": "completed",
                              "note": "Three nights at the shelter; back with her mother."})
        self.assertEqual(st, 303)
        page = self.referral_page(rid, sh, "?ok=completed&lang=en")
        self.assertIn(b'id="done-notice"', page)
        self.assertIn(b'class="status rst-completed"', page)
        self.assertIn(b"back with her mother", page)
        self.assertEqual(len(re.findall(rb'<li data-status=', page)), 3)
        self.assertNotIn(b'-form"', page.replace(b'logout-form"', b''))

        # The sender sees it completed on the case page and in her list.
        page = self.case_page(c["id"], cw)
        self.assertIn(b'data-status="completed"', page)
        st, _, page = self.page("GET", "/referrals?status=completed", cw)
        self.assertIn(('data-code="%s"' % c["code"]).encode(), page)
        st, _, page = self.page("GET", "/referrals?status=sent", cw)
        self.assertNotIn(('data-code="%s"' % c["code"]).encode(), page)

    def test_decline_needs_a_reason_and_withdraw_is_the_senders(self):
        c, rid, cw, cw_csrf = self.referred_case()
        sh, csrf = self.provider_sign_in()
        v = self.version_of(self.referral_page(rid, sh), "declined")
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/referrals/" + rid, sh,
                                    {"csrf": csrf, "version": v, "status": "declined"})
        self.assertEqual(st, 422)
        self.assertIn(b'id="err-decline"', page)
        # The provider may not withdraw: a move that does not exist for her.
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, _ = self.page("POST", "/referrals/" + rid, sh,
                                 {"csrf": csrf, "version": v, "status": "withdrawn"})
        self.assertEqual(st, 409)
        page = self.referral_page(rid, cw)
        self.assertIn(b'id="withdraw-form"', page)
        self.assertNotIn(b'id="accept-form"', page)
        st, h, _ = self.page("POST", "/referrals/" + rid, cw,
                             {"csrf": cw_csrf, "version": self.version_of(page, "withdrawn"),
                              "status": "withdrawn", "note": "She went home to her family"})
        self.assertEqual(st, 303)
        page = self.referral_page(rid, sh)
        self.assertIn(b'rst-withdrawn', page)
        self.assertNotIn(b'id="decline-form"', page)

    def test_withdrawn_share_consent_hides_her_identity_from_the_provider(self):
        c, rid, cw, csrf = self.referred_case()
        page = self.case_page(c["id"], cw)
        actions = re.findall(rb'action="(/cases/[a-z0-9]+/consents/[a-z0-9]+/withdraw)"', page)
        self.assertEqual(len(actions), 2)  # services, share_with
        st, _, _ = self.page("POST", actions[1].decode(), cw, {"csrf": csrf})
        self.assertEqual(st, 303)
        sh, _ = self.provider_sign_in()
        page = self.referral_page(rid, sh)
        self.assertIn(b'id="identity-hidden"', page)
        self.assertNotIn(b"Referral Tester", page)
        self.assertIn(b'id="accept-form"', page)  # she keeps the referral

    def test_other_providers_and_roles_see_nothing(self):
        c, rid, _, _ = self.referred_case()
        counsel, _ = self.provider_sign_in("counsel")
        for path in ("/referrals/" + rid, "/referrals/%s/slip" % rid):
            st, _, _ = self.page("GET", path, counsel)
            self.assertEqual(st, 404, path)
        st, _, page = self.page("GET", "/referrals", counsel)
        self.assertNotIn(('data-code="%s"' % c["code"]).encode(), page)
        rep, _ = self.sign_in("rep1")
        st, _, _ = self.page("GET", "/referrals/" + rid, rep)
        self.assertIn(st, (403, 404))

    # ---- the slip ----

    def test_slip_for_the_senders_staff_only(self):
        c, rid, cw, _ = self.referred_case()
        st, _, page = self.page("GET", "/referrals/%s/slip" % rid, cw)
        self.assertEqual(st, 200)
        self.assertIn(c["code"].encode(), page)
        self.assertRegex(page, rb'<span class="slip-code">[0-9A-Z]{4}-[0-9A-Z]{4}</span>')
        self.assertIn(b"012 000 111", page)  # the caseworker's contact
        self.assertIn(b"Demo caseworker 1", page)
        self.assertIn(b"Emergency shelter for women and their children", page)
        self.assertIn(SHELTER_ORG_HTML, page)
        self.assertIn(b'id="slip-name"', page)  # share_with covers the shelter
        self.assertIn("ប័ណ្ណបញ្ជូន".encode(), page)  # Khmer and English both
        self.assertIn(b"Referral slip", page)
        st, _, css = self.page("GET", "/assets/cbpn.css")
        self.assertIn(b"@media print", css)
        sh, _ = self.provider_sign_in()
        st, _, _ = self.page("GET", "/referrals/%s/slip" % rid, sh)
        self.assertEqual(st, 404)

    def test_slip_without_share_consent_for_her_organization_has_no_name(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        svc, org = self.shelter_ids(self.case_page(c["id"], cw))
        self.assertEqual(self.consent(c["id"], cw, csrf)[0], 303)
        # A consent for the type; then a refusal naming the organization:
        # the organization's own record decides, and no referral is possible.
        self.assertEqual(self.consent(c["id"], cw, csrf, purpose="share_with",
                                      service_type="shelter")[0], 303)
        self.assertEqual(self.consent(c["id"], cw, csrf, purpose="share_with",
                                      organization_id=org, given="false")[0], 303)
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, _ = self.refer(c["id"], cw, csrf, svc)
        self.assertEqual(st, 422)

    # ---- checking a slip ----

    def test_verify_a_slip_and_lock_after_five_wrong_codes(self):
        c, rid, cw, _ = self.referred_case()
        code = self.slip_code(rid, cw)
        sh, csrf = self.provider_sign_in()
        st, _, page = self.page("GET", "/referrals/verify", sh)
        self.assertEqual(st, 200)
        self.assertIn(b'id="verify-form"', page)
        st, _, page = self.page("POST", "/referrals/verify", sh,
                                {"csrf": csrf, "case_code": c["code"],
                                 "code": code.lower().replace("-", " ")})
        self.assertEqual(st, 200, page[:300])
        self.assertIn(b'id="verify-valid"', page)
        self.assertIn(('href="/referrals/%s"' % rid).encode(), page)
        # Another slip of another case: five wrong codes lock it.
        c2, rid2, cw, _ = self.referred_case()
        code2 = self.slip_code(rid2, cw)
        wrong = "ZZZZ-ZZZZ" if code2 != "ZZZZ-ZZZZ" else "YYYY-YYYY"
        for i in range(4):
            st, _, page = self.page("POST", "/referrals/verify", sh,
                                    {"csrf": csrf, "case_code": c2["code"], "code": wrong})
            self.assertEqual(st, 200)
            self.assertIn(b'id="verify-invalid"', page)
        # The fifth wrong code locks the slip (answered as wrong or as locked).
        st, _, page = self.page("POST", "/referrals/verify", sh,
                                {"csrf": csrf, "case_code": c2["code"], "code": wrong})
        self.assertIn(st, (200, 429))
        st, _, page = self.page("POST", "/referrals/verify", sh,
                                {"csrf": csrf, "case_code": c2["code"], "code": code2})
        self.assertEqual(st, 429)  # the right code too, for the hour
        self.assertIn(b'id="verify-locked"', page)
        # The first slip, of another case, is not locked by them.
        st, _, page = self.page("POST", "/referrals/verify", sh,
                                {"csrf": csrf, "case_code": c["code"], "code": code})
        self.assertEqual(st, 200)
        self.assertIn(b'id="verify-valid"', page)
        # An empty form: the form again, with the problem.
        st, _, page = self.page("POST", "/referrals/verify", sh, {"csrf": csrf})
        self.assertEqual(st, 422)
        self.assertIn(b'id="verify-error"', page)
        # A caseworker does not check slips.
        cwc, cw_csrf = self.sign_in("caseworker1")
        st, _, _ = self.page("GET", "/referrals/verify", cwc)
        self.assertEqual(st, 403)

    # ---- the lists ----

    def test_referral_lists_and_the_overdue_list(self):
        c, rid, cw, _ = self.referred_case()
        st, _, page = self.page("GET", "/referrals?lang=en", cw)
        self.assertEqual(st, 200)
        self.assertIn(b'id="referral-list"', page)
        self.assertIn(b'id="link-overdue"', page)
        st, _, page = self.page("GET", "/referrals?overdue=true&lang=en", cw)
        self.assertEqual(st, 200)
        self.assertIn(b"Overdue referrals", page)
        self.assertNotIn(('data-code="%s"' % c["code"]).encode(), page)  # due in 3 days
        st, _, page = self.page("GET", "/referrals?status=nonsense&cursor=bad", cw)
        self.assertEqual(st, 200)
        sup, _ = self.sign_in("supervisor")
        st, _, page = self.page("GET", "/referrals", sup)
        self.assertIn(('data-code="%s"' % c["code"]).encode(), page)
