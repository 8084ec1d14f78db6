"""Record-level exports (API.md "Reports, exports, audit"; DOMAIN.md §3):
the de-identified, k-anonymous incident export as CSV and XLSX, the
Incident Recorder workbook, who may take them, their audit entries, and
`cbpn export incidents`.

The k-anonymity is checked the way a reader would: by counting the rows of
each combination of the five columns sex, age_band, district, nationality,
concerns in what was written."""

import collections
import csv
import io
import re
import subprocess
import zipfile

import openpyxl

from cbpnserver import CBPN_BIN, SLOW, ServerTestCase

CSV_COLUMNS = ["survivor_code", "sex", "age_band", "district", "nationality", "concerns",
               "gbv_type", "screening_result", "means_of_control", "referrals"]
QI = ("sex", "age_band", "district", "nationality", "concerns")
NAME_KM = "សុខាតេស្ត"
NAME_LATN = "Testexport Sokhanary"
PHONE = "+855 12 777 4321"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def incident(location="17071001", **over):
    body = {"date": "2026-11-02", "reported_on": "2026-11-05", "time_of_day": "evening_night",
            "location_type": "workplace", "location": location,
            "migration_stage": "not_migration_related",
            "acts": {"penetration": False, "sexual_contact": False, "physical_assault": True,
                     "forced_marriage": False, "denial_of_resources": False,
                     "psychological_abuse": False},
            "goods_or_money_exchanged": False, "abduction": "none", "reported_elsewhere": "no",
            "perpetrators": [{"sex": "male", "age_group": "26_40",
                              "relationship": "intimate_partner"}]}
    body.update(over)
    return body


def read_csv(payload):
    text = payload.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def read_xlsx(payload):
    ws = openpyxl.load_workbook(io.BytesIO(payload), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    return head, [dict(zip(head, r)) for r in rows[1:]]


def classes(rows):
    return collections.Counter(tuple(r[c] for c in QI) for r in rows)


def k_header(h):
    m = re.fullmatch(r"k=(\d+); withheld=([01]\.\d{4})", h.get("X-K-Anonymity") or "")
    if m is None:
        raise AssertionError("X-K-Anonymity: %r" % (h.get("X-K-Anonymity"),))
    return int(m.group(1)), float(m.group(2))


class ExportsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        tok = srv.login("caseworker1")
        cls.codes = []

        def case(age, nationality="KH", sex="female", concerns=("domestic_violence",),
                 consent=True, incidents=1, location="17071001"):
            body = {"location_code": location, "concerns": list(concerns), "urgent": False,
                    "consent_to_contact": True,
                    "survivor": {"sex": sex, "age": age, "nationality": nationality,
                                 "name_km": NAME_KM, "name_latn": NAME_LATN, "phone": PHONE}}
            st, _, v = srv.post("/api/v1/cases", body, token=tok)
            if st != 201:
                raise AssertionError("setUp: case: %s %r" % (st, v))
            cls.codes.append(v["code"])
            if consent is not None:
                st, _, c = srv.post("/api/v1/cases/%s/consents" % v["id"],
                                    {"purpose": "reporting", "given": consent is not False,
                                     "method": "verbal", "by": "survivor"}, token=tok)
                if st != 201:
                    raise AssertionError("setUp: consent: %s %r" % (st, c))
                if consent == "withdrawn":
                    st, _, c = srv.post("/api/v1/cases/%s/consents/%s/withdraw" % (
                        v["id"], c["id"]), {"reason": "Testreason changed her mind"}, token=tok)
                    if st != 200:
                        raise AssertionError("setUp: withdraw: %s %r" % (st, c))
            for _ in range(incidents):
                st, _, i = srv.post("/api/v1/cases/%s/incidents" % v["id"],
                                    incident(location=location), token=tok)
                if st != 201:
                    raise AssertionError("setUp: incident: %s %r" % (st, i))
            return v["id"]

        # The supervisor's organization, 43 incidents with reporting consent:
        # 28 cases (30 incidents) alike at 26_40, 6 at 18_25, 6 at 41_60 (each
        # fewer than k = 11 alone: they join as 18_plus), and one man of 70
        # from Thailand with another concern, alone at every level but the
        # last: generalising the age band by one level leaves him alone,
        # 1 of 43 withheld (under 5%).
        cls.g1 = [case(30, incidents=2 if i < 2 else 1) for i in range(28)]
        # Screened twice: the latest screening's result and forced-labour
        # indicators are exported. Referred once (services and share_with
        # consent first).
        for ind in (["a_deceived_nature_of_job", "d_excessive_hours", "fl_deception"],
                    ["fl_retention_of_documents", "fl_debt_bondage"]):
            st, _, v = srv.post("/api/v1/cases/%s/screenings" % cls.g1[0],
                                {"adult": True, "indicators": ind}, token=tok)
            if st != 201:
                raise AssertionError("setUp: screening: %s %r" % (st, v))
        shelter_org = srv.user("shelter")["organization_id"]
        st, _, v = srv.request("GET", "/api/v1/services", token=srv.login("admin"))
        cls.service = next(x for x in v["items"] if x["organization_id"] == shelter_org)
        for body in ({"purpose": "services"}, {"purpose": "share_with",
                                               "organization_id": shelter_org}):
            body.update({"given": True, "method": "verbal", "by": "survivor"})
            st, _, v = srv.post("/api/v1/cases/%s/consents" % cls.g1[2], body, token=tok)
            if st != 201:
                raise AssertionError("setUp: consent: %s %r" % (st, v))
        st, _, v = srv.post("/api/v1/cases/%s/referrals" % cls.g1[2],
                            {"service_id": cls.service["id"], "urgency": "routine",
                             "reason": "Testreason needs a safe place"}, token=tok)
        if st != 201:
            raise AssertionError("setUp: referral: %s %r" % (st, v))
        for _ in range(6):
            case(20)
        for _ in range(6):
            case(50)
        case(70, nationality="TH", sex="male", concerns=("trafficking",))
        # Not exported: no reporting consent, consent refused, consent withdrawn.
        case(30, consent=None)
        case(30, consent=False)
        case(30, consent="withdrawn")
        # 11 cases moved to another organization: the analyst's export has
        # them, the supervisor's not.
        cls.other = [case(30, nationality="VN") for _ in range(11)]
        counsel_org = srv.user("counsel")["organization_id"]
        for cid in cls.other:
            srv.execute("UPDATE cases SET organization_id = ? WHERE id = ?", (counsel_org, cid))
        srv.secrets.update([NAME_LATN, "Testexport", "Testreason"])

    def get(self, path, user):
        return self.req("GET", path, as_user=user)

    def export_ok(self, user, ext="csv", query=""):
        st, h, v = self.get("/api/v1/exports/cases.%s%s" % (ext, query), user)
        self.assertEqual(st, 200, v)
        return h, v

    # ---- who may ----

    def test_only_analyst_and_supervisor_take_the_export(self):
        for user in ("member1", "rep1", "caseworker1", "counsel", "admin"):
            for path in ("/api/v1/exports/cases.csv", "/api/v1/exports/cases.xlsx"):
                with self.subTest(user=user, path=path):
                    self.assertError(self.get(path, user), 403, "forbidden")
        for user in ("analyst", "supervisor"):
            self.export_ok(user)

    def test_only_the_supervisor_takes_the_incident_recorder(self):
        for user in ("member1", "rep1", "caseworker1", "counsel", "admin", "analyst"):
            with self.subTest(user=user):
                self.assertError(self.get("/api/v1/exports/incident-recorder.xlsx", user), 403,
                                 "forbidden")
        st, h, v = self.get("/api/v1/exports/incident-recorder.xlsx", "supervisor")
        self.assertEqual(st, 200, v)

    def test_signed_out_is_401(self):
        st, _, v = self.srv.get("/api/v1/exports/cases.csv")
        self.assertEqual(st, 401, v)

    # ---- the de-identified export ----

    def test_supervisor_export_is_k_anonymous_with_generalisation_and_suppression(self):
        h, payload = self.export_ok("supervisor")
        k, withheld = k_header(h)
        self.assertEqual(k, 11)
        self.assertTrue(payload.startswith(b"\xef\xbb\xbf"), payload[:10])
        self.assertTrue(payload.decode("utf-8").split("\n")[0].rstrip("\r").lstrip("\ufeff")
                        == ",".join(CSV_COLUMNS))
        rows = read_csv(payload)
        # every combination of the five is shared by at least k rows, and by
        # the rows of at least k survivors
        for combo, n in classes(rows).items():
            self.assertGreaterEqual(n, k, combo)
        survivors = collections.defaultdict(set)
        for r in rows:
            survivors[tuple(r[c] for c in QI)].add(r["survivor_code"])
        for combo, codes in survivors.items():
            self.assertGreaterEqual(len(codes), k, combo)
        # 43 incidents with consent: what is written plus what is withheld
        self.assertEqual(len(rows), 42)
        self.assertAlmostEqual(withheld, round(1 / 43, 4), places=4)
        self.assertEqual(round(withheld * 43), 43 - len(rows))
        # generalised: the age bands joined as 18_plus; nothing else coarser
        self.assertEqual({r["age_band"] for r in rows}, {"18_plus"})
        self.assertEqual({r["district"] for r in rows}, {"1707"})
        self.assertEqual({r["nationality"] for r in rows}, {"KH"})
        self.assertEqual({r["concerns"] for r in rows}, {"domestic_violence"})
        self.assertEqual({r["sex"] for r in rows}, {"female"})
        self.assertEqual({r["gbv_type"] for r in rows}, {"physical_assault"})
        # the man from Thailand is the one left out; no other organization's rows
        self.assertNotIn("TH", {r["nationality"] for r in rows})
        self.assertNotIn("VN", {r["nationality"] for r in rows})
        # a survivor code per case: the two cases with two incidents share theirs
        per_code = collections.Counter(r["survivor_code"] for r in rows)
        self.assertEqual(sorted(per_code.values(), reverse=True)[:3], [2, 2, 1])
        self.assertEqual(len(per_code), 40)
        # the latest screening; the referral
        screened = [r for r in rows if r["screening_result"]]
        self.assertEqual(len(screened), 2)  # the case with two incidents
        for r in screened:
            self.assertEqual(r["screening_result"], "insufficient_indicators")
            self.assertEqual(r["means_of_control"], "fl_debt_bondage;fl_retention_of_documents")
        self.assertEqual([r["referrals"] for r in rows if r["referrals"]],
                         ["%s:sent" % self.service["type"]])
        self.assertEqual(sum(1 for r in rows if r["means_of_control"]), 2)
        # stable: the same codes the next time
        _, again = self.export_ok("supervisor")
        self.assertEqual([r["survivor_code"] for r in read_csv(again)],
                         [r["survivor_code"] for r in rows])

    def test_analyst_export_has_every_organization(self):
        h, payload = self.export_ok("analyst")
        k, withheld = k_header(h)
        rows = read_csv(payload)
        for combo, n in classes(rows).items():
            self.assertGreaterEqual(n, k, combo)
        self.assertEqual(sum(1 for r in rows if r["nationality"] == "VN"), 11)
        self.assertEqual(len(rows) + round(withheld * 54), 54)
        self.assertEqual(len(rows), 53)

    def test_nothing_identifying_in_the_export(self):
        for ext in ("csv", "xlsx"):
            with self.subTest(ext=ext):
                _, payload = self.export_ok("analyst", ext)
                blobs = [payload]
                if ext == "xlsx":
                    with zipfile.ZipFile(io.BytesIO(payload)) as z:
                        blobs = [z.read(n) for n in z.namelist()]
                for b in blobs:
                    text = b.decode("utf-8")
                    for secret in (NAME_KM, NAME_LATN, "Testexport", PHONE, "777 4321"):
                        self.assertNotIn(secret, text)
                    for code in self.codes:
                        self.assertNotIn(code, text)
                    for cid in self.other:
                        self.assertNotIn(cid, text)

    def test_xlsx_export_matches_the_csv(self):
        h, payload = self.export_ok("supervisor", "xlsx")
        self.assertEqual(h.get("Content-Type"), XLSX_TYPE)
        k_header(h)
        head, rows = read_xlsx(payload)
        self.assertEqual(head, CSV_COLUMNS)
        _, text = self.export_ok("supervisor", "csv")
        want = read_csv(text)
        self.assertEqual([[r[c] or "" for c in CSV_COLUMNS] for r in rows],
                         [[r[c] for c in CSV_COLUMNS] for r in want])

    def test_period_bounds(self):
        h, payload = self.export_ok("supervisor", query="?from=2026-11-06&to=2026-11-30")
        self.assertEqual(read_csv(payload), [])
        self.assertEqual(k_header(h), (11, 0.0))
        h, payload = self.export_ok("supervisor", query="?from=2026-11-05&to=2026-11-05")
        self.assertEqual(len(read_csv(payload)), 42)

    def test_bad_parameters_422(self):
        for query, field in (("?from=2026-13-01", "from"), ("?to=yesterday", "to"),
                             ("?from=2026-11-10&to=2026-11-01", "to")):
            for path in ("/api/v1/exports/cases.csv", "/api/v1/exports/incident-recorder.xlsx"):
                with self.subTest(query=query, path=path):
                    self.assertError(self.get(path + query, "supervisor"), 422,
                                     "validation_failed", [field])

    def test_every_export_is_audited(self):
        def entries():
            return self.srv.rows("SELECT record_type, detail FROM audit WHERE action = 'export'"
                                 " ORDER BY seq")
        before = len(entries())
        self.export_ok("supervisor")
        self.export_ok("analyst", "xlsx")
        st, _, _ = self.get("/api/v1/exports/incident-recorder.xlsx", "supervisor")
        self.assertEqual(st, 200)
        new = entries()[before:]
        self.assertEqual([e[0] for e in new],
                         ["incident_export", "incident_export", "incident_recorder"])
        self.assertEqual(new[0][1], "rows=42 withheld=0.0233 k=11 format=csv")
        self.assertEqual(new[1][1], "rows=53 withheld=0.0185 k=11 format=xlsx")
        _, rows = read_xlsx(self.get("/api/v1/exports/incident-recorder.xlsx", "supervisor")[2])
        self.assertEqual(new[2][1], "rows=%d format=xlsx" % len(rows))

    # ---- the Incident Recorder workbook ----

    def test_incident_recorder_workbook(self):
        st, h, payload = self.get("/api/v1/exports/incident-recorder.xlsx", "supervisor")
        self.assertEqual(st, 200, payload)
        self.assertEqual(h.get("Content-Type"), XLSX_TYPE)
        head, rows = read_xlsx(payload)
        for col in ("incident_id", "case_code", "incident_date", "report_date", "district_km",
                    "district_en", "commune_km", "gbv_type", "perpetrator_relationship",
                    "survivor_sex", "survivor_age", "referrals", "consent_reporting"):
            self.assertIn(col, head)
        # her organization's incidents (the demo's too), consent or not: of
        # this test's, 43 + the three without
        theirs = set(self.codes[-11:])
        self.assertFalse({r["case_code"] for r in rows} & theirs)
        rows = [r for r in rows if r["case_code"] in self.codes]
        self.assertEqual(len(rows), 46)
        self.assertEqual(sum(1 for r in rows if r["consent_reporting"] is True), 43)
        # Khmer names of the place survive the round trip
        st, _, v = self.get("/api/v1/locations?parent=17", "supervisor")
        district = next(i for i in v["items"] if i["code"] == "1707")
        self.assertRegex(district["name_km"], "[\u1780-\u17ff]")
        self.assertEqual({r["district_km"] for r in rows}, {district["name_km"]})
        self.assertEqual({r["district_en"] for r in rows}, {district["name_en"]})
        st, _, v = self.get("/api/v1/locations?parent=1707", "supervisor")
        commune = next(i for i in v["items"] if i["code"] == "170710")
        self.assertEqual({r["commune_km"] for r in rows}, {commune["name_km"]})
        referred = [r["referrals"] for r in rows if r["referrals"]]
        self.assertEqual(len(referred), 1)
        self.assertRegex(referred[0], r"^%s:sent:\d{4}-\d\d-\d\d:\d{4}-\d\d-\d\d$"
                         % self.service["type"])
        r = rows[0]
        self.assertEqual(r["perpetrator_relationship"], "intimate_partner")
        self.assertEqual(r["physical_assault"], True)
        self.assertEqual(r["penetration"], False)
        self.assertIn("intimate_partner_violence", r["context_flags"])
        with zipfile.ZipFile(io.BytesIO(payload)) as z:
            for n in z.namelist():
                text = z.read(n).decode("utf-8")
                for secret in (NAME_KM, NAME_LATN, PHONE, "Testreason"):
                    self.assertNotIn(secret, text)

    # ---- the command line ----

    def cli(self, *args):
        p = subprocess.run([CBPN_BIN, "export", *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120 * SLOW)
        return p.returncode, p.stdout, p.stderr.decode()

    def test_cli_export(self):
        rc, out, err = self.cli("incidents", *self.srv.db_args(), "--format", "csv")
        self.assertEqual(rc, 0, err)
        rows = read_csv(out)
        self.assertEqual(len(rows), 53)  # the whole deployment, as the analyst's
        self.assertIn("k=11; withheld=0.0185", err)
        for combo, n in classes(rows).items():
            self.assertGreaterEqual(n, 11, combo)
        rc, out, err = self.cli("incidents", *self.srv.db_args(), "--format", "xlsx")
        self.assertEqual(rc, 0, err)
        head, xrows = read_xlsx(out)
        self.assertEqual(head, CSV_COLUMNS)
        self.assertEqual(len(xrows), 53)

    def test_cli_exit_codes(self):
        rc, out, _ = self.cli("--help")
        self.assertEqual(rc, 0)
        self.assertIn(b"cbpn export incidents", out)
        rc, out, _ = self.cli("incidents", "--help")
        self.assertEqual(rc, 0)
        for args in ((), ("incidents",), ("incidents", *self.srv.db_args()),
                     ("incidents", *self.srv.db_args(), "--format", "pdf"),
                     ("cases", *self.srv.db_args(), "--format", "csv"),
                     ("incidents", *self.srv.db_args(), "--format", "csv", "extra")):
            with self.subTest(args=args):
                rc, out, err = self.cli(*args)
                self.assertEqual(rc, 2, err)
                self.assertEqual(out, b"")
        rc, out, err = self.cli("incidents", *self.srv.db_args(), "--format", "csv",
                                "--from", "2026-02-30")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, b"")
        self.assertIn("--from", err)


class SurvivorsNotRowsTest(ServerTestCase):
    """k counts survivors: one survivor's many incidents cannot make a
    combination of their own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        tok = srv.login("caseworker1")

        def case(sex, incidents):
            body = {"location_code": "17071001", "concerns": ["domestic_violence"],
                    "urgent": False, "consent_to_contact": True,
                    "survivor": {"sex": sex, "age": 30, "nationality": "KH"}}
            st, _, v = srv.post("/api/v1/cases", body, token=tok)
            assert st == 201, v
            st, _, c = srv.post("/api/v1/cases/%s/consents" % v["id"],
                                {"purpose": "reporting", "given": True, "method": "verbal",
                                 "by": "survivor"}, token=tok)
            assert st == 201, c
            for _ in range(incidents):
                st, _, i = srv.post("/api/v1/cases/%s/incidents" % v["id"], incident(),
                                    token=tok)
                assert st == 201, i
        # 11 women, and one man with 12 incidents, alike but for sex.
        for _ in range(11):
            case("female", 1)
        case("male", 12)

    def test_one_survivor_is_not_a_class(self):
        st, h, payload = self.req("GET", "/api/v1/exports/cases.csv", as_user="analyst")
        self.assertEqual(st, 200, payload)
        rows = [r for r in read_csv(payload)]
        # 12 rows of the man would be a combination of 12 rows, but of one
        # survivor: sex is generalised instead, and nobody is withheld.
        self.assertEqual(k_header(h), (11, 0.0))
        self.assertEqual(len(rows), 23)
        self.assertEqual({r["sex"] for r in rows}, {"*"})
        self.assertEqual(len({r["survivor_code"] for r in rows}), 12)

    def test_k_is_the_setting(self):
        def setting(v):
            p = subprocess.run([CBPN_BIN, "setting", *self.srv.db_args(), "export.k", v],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60 * SLOW)
            self.assertEqual(p.returncode, 0, p.stderr)
        setting("13")
        try:
            # 12 survivors, fewer than 13 at every level: every row withheld
            st, h, payload = self.req("GET", "/api/v1/exports/cases.csv", as_user="analyst")
            self.assertEqual(st, 200, payload)
            self.assertEqual(k_header(h), (13, 1.0))
            self.assertEqual(read_csv(payload), [])
            setting("12")
            st, h, payload = self.req("GET", "/api/v1/exports/cases.xlsx", as_user="analyst")
            self.assertEqual(k_header(h), (12, 0.0))
            self.assertEqual(len(read_xlsx(payload)[1]), 23)
        finally:
            setting("11")
