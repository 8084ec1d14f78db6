"""A case's incidents and screenings on the pages: the incident form (the
six questions as yes/no with no default, the type computed by the domain and
shown on the case page), the screening checklist rendered from the catalog
in parts (a form carries at most 64 fields, a checklist with 70 boxes ticked
still saves), both refused without their CSRF token, both idempotent, and
the case list's age band."""

import csv
import datetime
import html
import os
import re

from cbpnserver import DEMO_PASSWORD, ServerTestCase
from test_pages import PageClient, cookies_of, forms_of

READ_AUDIT = ("audit",)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACTS = ("penetration", "sexual_contact", "physical_assault", "forced_marriage",
        "denial_of_resources", "psychological_abuse")
KHMER = re.compile("[\u1780-\u17FF]")


def catalog():
    """[(code, dimension or None, label_en)] of the data files."""
    out = []
    with open(os.path.join(ROOT, "data/ilo_trafficking_indicators.csv"), encoding="utf-8") as f:
        out += [(r["code"], r["dimension"], r["label_en"]) for r in csv.DictReader(f)]
    with open(os.path.join(ROOT, "data/ilo_forced_labour_indicators.csv"), encoding="utf-8") as f:
        out += [(r["code"], None, r["label_en"]) for r in csv.DictReader(f)]
    return out


def days_ago(n):
    return (datetime.date.today() - datetime.timedelta(days=n)).isoformat()


def boxes(page):
    """The indicator codes of the checklist part shown: [(code, checked)]."""
    out = []
    for tag in re.findall(rb'<input type="checkbox" name="indicators"[^>]*>', page):
        code = re.search(rb'value="([a-z0-9_]+)"', tag).group(1).decode()
        out.append((code, b" checked" in tag))
    return out


class RecordPagesTest(PageClient, ServerTestCase):

    def new_case(self, age=24, concerns=("trafficking",)):
        st, _, c = self.req("POST", "/api/v1/cases", {
            "location_code": "17071001", "concerns": list(concerns), "summary": "Records test",
            "survivor": {"sex": "female", "age": age}}, as_user="caseworker1")
        self.assertEqual(st, 201, c)
        return c

    def incident_form(self, csrf, **extra):
        f = {"csrf": csrf, "date": days_ago(30), "reported_on": days_ago(20),
             "time_of_day": "evening_night", "location_type": "workplace",
             "loc.province": "17", "loc.district": "1707", "migration_stage": "destination",
             "acts.penetration": "false", "acts.sexual_contact": "true",
             "acts.physical_assault": "true", "acts.forced_marriage": "false",
             "acts.denial_of_resources": "false", "acts.psychological_abuse": "true",
             "goods_or_money_exchanged": "true", "abduction": "trafficked",
             "reported_elsewhere": "no",
             "perpetrators.0.sex": "male", "perpetrators.0.age_group": "26_40",
             "perpetrators.0.relationship": "employer_or_supervisor",
             "perpetrators.1.sex": "", "perpetrators.1.age_group": "",
             "perpetrators.1.relationship": "",
             "exploitation.sector": "fishing", "exploitation.destination": "TH",
             "description": "Held on a boat for months.", "send": "1"}
        f.update(extra)
        return f

    def incidents(self, case_id):
        st, _, v = self.req("GET", "/api/v1/cases/%s/incidents" % case_id, as_user="caseworker1")
        self.assertEqual(st, 200, v)
        return v["items"] if isinstance(v, dict) else v

    def screenings(self, case_id):
        st, _, v = self.req("GET", "/api/v1/cases/%s/screenings" % case_id,
                            as_user="caseworker1")
        self.assertEqual(st, 200, v)
        return v["items"] if isinstance(v, dict) else v

    # ---- the incident form ----

    def test_incident_form_asks_six_questions_with_no_answer_chosen(self):
        c = self.new_case()
        cw, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases/%s/incidents/new?lang=en" % c["id"], cw)
        self.assertEqual(st, 200, page[:300])
        for act in ACTS:
            self.assertIn(('id="q-%s"' % act).encode(), page)
            radios = re.findall(rb'<input type="radio"[^>]*name="acts\.%s"[^>]*>' % act.encode(),
                                page)
            self.assertEqual(len(radios), 2, act)
            self.assertFalse([x for x in radios if b" checked" in x], "%s has a default" % act)
        for part in (b'id="inc-date"', b'id="inc-reported-on"', b'id="inc-time"',
                     b'id="inc-location-type"', b'id="loc-province"', b'id="inc-abroad"',
                     b'id="inc-stage"', b'id="q-goods"', b'id="inc-abduction"',
                     b'id="inc-elsewhere"', b'id="perp-2-relationship"', b'id="exploitation"',
                     b'id="inc-description"', b'name="idempotency_key"'):
            self.assertIn(part, page)
        self.assertNotIn(b'id="perp-3-sex"', page)  # three rows
        # In Khmer by default; the exploitation details only for a case about work.
        st, _, page = self.page("GET", "/cases/%s/incidents/new" % self.new_case(
            concerns=("domestic_violence",))["id"], cw)
        self.assertRegex(html.unescape(page.decode()), KHMER)
        self.assertNotIn(b'id="exploitation"', page)

    def test_forms_without_csrf_are_403_and_write_nothing(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        for path, form in (("/cases/%s/incidents" % c["id"], self.incident_form(None)),
                           ("/cases/%s/screenings" % c["id"],
                            {"adult": "true", "indicators": ["d_excessive_hours"], "part": "1",
                             "send": "1"})):
            form = {k: v for k, v in form.items() if k != "csrf"}
            for bad in (None, csrf[:-2] + "xx"):
                if bad is not None:
                    form["csrf"] = bad
                with self.subTest(path=path, csrf=bad), self.assertWritesNothing():
                    st, _, body = self.page("POST", path, cw, form)
                    self.assertEqual(st, 403, body[:200])

    def test_unanswered_question_is_422_with_the_answers_kept(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        form = self.incident_form(csrf)
        del form["acts.physical_assault"]
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/cases/%s/incidents?lang=en" % c["id"], cw, form)
        self.assertEqual(st, 422, page[:300])
        self.assertIn(b'id="form-errors"', page)
        self.assertIn(b'id="err-q-physical_assault"', page)
        self.assertNotIn(b'id="err-q-sexual_contact"', page)
        # What was typed is there again.
        self.assertRegex(page, rb'id="q-sexual_contact-true"[^>]* checked')
        self.assertRegex(page, rb'id="q-penetration-false"[^>]* checked')
        self.assertRegex(page, rb'<option value="employer_or_supervisor" selected>')
        self.assertIn(b"Held on a boat for months.", page)
        self.assertIn(('value="%s"' % days_ago(30)).encode(), page)
        # No question answered at all: each one is marked.
        form = self.incident_form(csrf)
        for act in ACTS:
            del form["acts." + act]
        st, _, page = self.page("POST", "/cases/%s/incidents" % c["id"], cw, form)
        self.assertEqual(st, 422)
        for act in ACTS:
            self.assertIn(('id="err-q-%s"' % act).encode(), page)
        self.assertEqual(self.incidents(c["id"]), [])

    def test_incident_recorded_and_its_computed_type_on_the_case_page(self):
        c = self.new_case(age=16)
        cw, csrf = self.sign_in("caseworker1")
        st, h, body = self.page("POST", "/cases/%s/incidents" % c["id"], cw,
                                self.incident_form(csrf))
        self.assertEqual(st, 303, body[:500])
        self.assertEqual(h["Location"], "/cases/%s?ok=incident#incidents" % c["id"])
        items = self.incidents(c["id"])
        self.assertEqual(len(items), 1)
        self.assertEqual(items[0]["gbv_type"], "sexual_assault")
        self.assertEqual(items[0]["location"], "1707")
        st, _, page = self.page("GET", "/cases/%s?ok=incident&lang=en" % c["id"], cw)
        self.assertIn(b'id="done-notice"', page)
        self.assertIn(b'data-type="sexual_assault">Sexual assault<', page)
        for flag in ("child_sexual_abuse", "possible_sexual_exploitation",
                     "possible_sexual_slavery"):
            self.assertIn(('data-code="%s"' % flag).encode(), page)
        self.assertIn(b"Male, 26 to 40 years, Employer or supervisor", page)
        self.assertIn(b"Held on a boat for months.", page)
        st, _, page = self.page("GET", "/cases/%s" % c["id"], cw)
        label = re.search(rb'data-type="sexual_assault">([^<]+)<', page).group(1).decode()
        self.assertRegex(label, KHMER)
        # Abroad: the country wins over the place chosen.
        st, _, _ = self.page("POST", "/cases/%s/incidents" % c["id"], cw,
                             self.incident_form(csrf, location_abroad="TH"))
        self.assertEqual(st, 303)
        self.assertEqual(self.incidents(c["id"])[1]["location"], "TH")

    def test_choosing_a_place_sends_nothing(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        form = self.incident_form(csrf, step="loc.place")
        del form["send"]
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", "/cases/%s/incidents" % c["id"], cw, form)
        self.assertEqual(st, 200)
        self.assertIn(b'id="loc-commune"', page)

    def test_double_submit_records_one_incident(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases/%s/incidents/new" % c["id"], cw)
        key = forms_of(page)[-1]["inputs"]["idempotency_key"]
        form = self.incident_form(csrf, idempotency_key=key)
        answers = [self.page("POST", "/cases/%s/incidents" % c["id"], cw, form) for _ in range(2)]
        self.assertEqual([a[0] for a in answers], [303, 303])
        self.assertEqual(answers[0][1]["Location"], answers[1][1]["Location"])
        self.assertEqual(len(self.incidents(c["id"])), 1)

    def test_closed_case_takes_no_incident(self):
        c = self.new_case()
        sup, csrf = self.sign_in("supervisor")
        sup2, csrf2 = self.sign_in("supervisor2")
        base = "/cases/" + c["id"]
        cw1 = self.srv.user("caseworker1")["id"]
        self.assertEqual(self.page("POST", base + "/assign", sup,
                                   {"csrf": csrf, "caseworker_id": cw1})[0], 303)
        self.assertEqual(self.page("POST", base + "/closure", sup,
                                   {"csrf": csrf, "reason_code": "other"})[0], 303)
        self.assertEqual(self.page("POST", base + "/closure/approve", sup2,
                                   {"csrf": csrf2})[0], 303)
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", base + "/incidents", sup, self.incident_form(csrf))
        self.assertEqual(st, 409, page[:300])
        self.assertIn(b'id="case-closed"', page)
        self.assertNotIn(b'id="incident-form"', page)
        st, _, page = self.page("GET", base, sup)
        self.assertNotIn(b'id="link-incident"', page)

    def test_links_for_who_may(self):
        c = self.new_case()
        cw, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases/" + c["id"], cw)
        for link in (b'id="link-incident"', b'id="link-screening"', b'id="incidents-empty"',
                     b'id="screenings-empty"'):
            self.assertIn(link, page)
        rep, _ = self.sign_in("rep1")
        st, _, page = self.page("GET", "/cases/%s/incidents/new" % c["id"], rep)
        self.assertIn(st, (403, 404))
        st, _, page = self.page("GET", "/cases/%s/screenings/new" % c["id"], rep)
        self.assertIn(st, (403, 404))

    # ---- the screening checklist ----

    def walk_checklist(self, cw, csrf, case_id, tick, lang="en"):
        """Goes through every part of the checklist, ticking the codes in tick,
        and saves on the last part; returns (status, headers, page, codes seen)."""
        path = "/cases/%s/screenings" % case_id
        st, _, page = self.page("GET", path + "/new?lang=" + lang, cw)
        self.assertEqual(st, 200, page[:300])
        seen = []
        for _ in range(10):
            inputs = next(f for f in forms_of(page) if f["action"] == path)["inputs"]
            here = [code for code, _ in boxes(page)]
            seen += here
            form = {k: v for k, v in inputs.items() if k not in ("indicators", "go", "send")}
            form.setdefault("adult", "true")
            form["indicators"] = [code for code in here if code in tick]
            last = b'id="screening-submit"' in page
            self.assertLessEqual(len(form) - 1 + len(form["indicators"]), 64)
            if last:
                form["send"] = "1"
                st, h, page = self.page("POST", path + "?lang=" + lang, cw, form)
                return st, h, page, seen
            form["go"] = "next"
            st, _, page = self.page("POST", path + "?lang=" + lang, cw, form)
            self.assertEqual(st, 200, page[:300])
        self.fail("the checklist never ended")

    def test_checklist_from_the_catalog_grouped_with_strengths(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        cat = catalog()
        st, _, page = self.page("GET", "/cases/%s/screenings/new?lang=en" % c["id"], cw)
        self.assertIn(b'id="adult-yes"', page)
        self.assertRegex(page, rb'id="adult-yes"[^>]* checked')  # she is 24
        self.assertIn(b"A. Deceptive recruitment", page)
        self.assertIn(b'class="strength s-S">strong<', page)
        by_code = {code: label for code, _, label in cat}
        for code, _ in boxes(page):
            self.assertIn(html.escape(by_code[code], quote=False).encode(), page)
        # Every indicator once across the parts, each part under the field limit.
        st, h, page, seen = self.walk_checklist(cw, csrf, c["id"], set())
        self.assertEqual(sorted(seen), sorted(by_code))
        self.assertEqual(st, 303, page[:300])

    def test_checklist_in_khmer_for_every_indicator(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        english = {label for _, _, label in catalog()}
        path = "/cases/%s/screenings" % c["id"]
        st, _, page = self.page("GET", path + "/new?lang=km", cw)
        labelled = 0
        for _ in range(10):
            text = html.unescape(page.decode())
            for code, _ in boxes(page):
                m = re.search(r'id="ind-%s"[^>]*> ([^<]+)' % code, text)
                self.assertRegex(m.group(1), KHMER, code)
                self.assertNotIn(m.group(1).strip(), english, code)
                labelled += 1
            if b'id="screening-next"' not in page:
                break
            inputs = next(f for f in forms_of(page) if f["action"] == path)["inputs"]
            form = {k: v for k, v in inputs.items() if k not in ("indicators", "go", "send")}
            form.update({"adult": "true", "go": "next"})
            st, _, page = self.page("POST", path + "?lang=km", cw, form)
        self.assertEqual(labelled, 78)

    def test_seventy_boxes_ticked_save_and_show_the_result(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        codes = [code for code, _, _ in catalog()]
        tick = set(codes[:70])
        self.assertEqual(len(tick), 70)
        st, h, page, _ = self.walk_checklist(cw, csrf, c["id"], tick)
        self.assertEqual(st, 303, page[:500])
        self.assertEqual(h["Location"], "/cases/%s?ok=screening#screenings" % c["id"])
        items = self.screenings(c["id"])
        self.assertEqual(len(items), 1)
        self.assertEqual(sorted(items[0]["indicators"]), sorted(tick))
        self.assertEqual(items[0]["result"], "presumed_trafficking")
        st, _, page = self.page("GET", "/cases/%s?lang=en" % c["id"], cw)
        self.assertIn(b'data-result="presumed_trafficking">Presumed trafficking<', page)
        for dim in "ABCDEF":
            self.assertIn(('data-dim="%s" class="present"' % dim).encode(), page)
        self.assertIn(b'data-code="fl_abuse_of_vulnerability"', page)
        # The same 70 as plain boxes would be more fields than a form may carry.
        with self.assertWritesNothing():
            st, _, _ = self.page("POST", "/cases/%s/screenings" % c["id"], cw,
                                 {"csrf": csrf, "adult": "true", "indicators": sorted(tick),
                                  "send": "1"})
        self.assertEqual(st, 400)

    def test_going_back_keeps_the_ticks_and_a_double_submit_screens_once(self):
        c = self.new_case(age=15)
        cw, csrf = self.sign_in("caseworker1")
        path = "/cases/%s/screenings" % c["id"]
        st, _, page = self.page("GET", path + "/new", cw)
        self.assertRegex(page, rb'id="adult-no"[^>]* checked')  # she is 15
        inputs = next(f for f in forms_of(page) if f["action"] == path)["inputs"]
        first = [code for code, _ in boxes(page)]
        form = dict(inputs, adult="false", indicators=first[:3], go="next")
        form.pop("send", None)
        st, _, page = self.page("POST", path, cw, form)
        self.assertEqual(st, 200)
        inputs = next(f for f in forms_of(page) if f["action"] == path)["inputs"]
        self.assertEqual(sorted(inputs["ticked"].split()), sorted(first[:3]))
        self.assertIn(b'id="ticked-elsewhere"', page)
        st, _, page = self.page("POST", path, cw, dict(inputs, go="back"))
        self.assertEqual([code for code, on in boxes(page) if on], first[:3])
        # Adult for a child of 15: refused, the checklist kept.
        inputs = next(f for f in forms_of(page) if f["action"] == path)["inputs"]
        with self.assertWritesNothing(ignore=READ_AUDIT):
            st, _, page = self.page("POST", path, cw, dict(inputs, adult="true",
                                                           indicators=first[:3], send="1"))
        self.assertEqual(st, 422)
        self.assertIn(b'id="err-adult"', page)
        self.assertEqual([code for code, on in boxes(page) if on], first[:3])
        form = dict(inputs, adult="false", indicators=first[:3], send="1")
        answers = [self.page("POST", path, cw, form) for _ in range(2)]
        self.assertEqual([a[0] for a in answers], [303, 303])
        self.assertEqual(len(self.screenings(c["id"])), 1)
        st, _, page = self.page("GET", "/cases/%s?lang=en" % c["id"], cw)
        self.assertIn(b'data-result="insufficient_indicators"', page)

    # ---- sent after the session ended ----

    def resume(self, cw, path, form):
        """Sends form to path with an ended session, then signs in with what
        the sign-in page carried; returns the page shown then."""
        with self.assertWritesNothing():
            st, h, page = self.page("POST", path, cw, form)
        self.assertEqual(st, 401, page[:300])
        carried = next(f for f in forms_of(page) if f["action"] == "/login")["inputs"]
        self.assertEqual(carried["resume"], path)
        pre = {k: v for k, (v, _) in cookies_of(h).items() if v}
        pre.update({k: v for k, v in cw.items() if k != "cbpn_session"})
        carried.update({"username": "caseworker1", "password": DEMO_PASSWORD})
        st, h, page = self.page("POST", "/login", pre, carried)
        self.assertEqual(st, 200, page[:300])
        self.assertIn(b'id="resumed-notice"', page)
        return page

    def test_forms_sent_after_the_session_ended_come_back_as_typed(self):
        c = self.new_case()
        cw, csrf = self.sign_in("caseworker1")
        self.assertEqual(self.page("POST", "/logout", cw, {"csrf": csrf})[0], 303)
        page = self.resume(cw, "/cases/%s/incidents" % c["id"],
                           self.incident_form(csrf, description="Typed before expiry"))
        self.assertIn(b"Typed before expiry</textarea>", page)
        self.assertRegex(page, rb'id="q-sexual_contact-true"[^>]* checked')
        page = self.resume(cw, "/cases/%s/screenings" % c["id"],
                           {"csrf": csrf, "adult": "true", "part": "1", "send": "1",
                            "ticked": "a_deceived_wages d_excessive_hours",
                            "indicators": "fl_debt_bondage"})
        self.assertEqual([code for code, on in boxes(page) if on], ["fl_debt_bondage"])
        inputs = next(f for f in forms_of(page) if f["action"].endswith("/screenings"))["inputs"]
        self.assertEqual(sorted(inputs["ticked"].split()), ["a_deceived_wages",
                                                            "d_excessive_hours"])
        self.assertEqual(self.incidents(c["id"]), [])
        self.assertEqual(self.screenings(c["id"]), [])

    # ---- the case list ----

    def test_case_list_shows_the_age_band_never_a_birth_date(self):
        st, _, c = self.req("POST", "/api/v1/cases", {
            "location_code": "17071001", "concerns": ["other"],
            "survivor": {"sex": "female", "birth_date": "2011-02-03"}}, as_user="caseworker1")
        self.assertEqual(st, 201, c)
        adult = self.new_case(age=30)
        cw, _ = self.sign_in("caseworker1")
        st, _, page = self.page("GET", "/cases?lang=en", cw)
        self.assertEqual(st, 200)
        text = page.decode()
        for case, band in ((c, "12 to 17 years"), (adult, "26 to 40 years")):
            row = re.search(r'<tr[^>]*>(?:(?!</tr>).)*data-code="%s"(?:(?!</tr>).)*</tr>'
                            % case["code"], text, re.S)
            self.assertIsNotNone(row, case["code"])
            self.assertIn(band, row.group(0))
        self.assertNotIn("2011-02-03", text)
