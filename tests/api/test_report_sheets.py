"""The indicators as spreadsheets (API.md: GET /api/v1/reports/indicators.csv,
.xlsx): the same figures as GET /api/v1/reports/indicators, one row per
indicator's total and per breakdown cell, columns
code,dimension,category,value,suppressed (CSV in UTF-8 with a byte order
mark); the workbook with a label column in the request's language, Khmer
intact; who may take them; every one audited.

Needs the indicator engine (domain/report.c): on a branch with the
placeholder engine these answer 500."""

import csv
import io
import json
import subprocess

import openpyxl

from cbpnserver import CBPN_BIN, SLOW, ServerTestCase

PERIOD = "from=2026-12-01&to=2026-12-31"
HEADER = ["code", "dimension", "category", "value", "suppressed"]


def csv_rows(payload):
    return list(csv.reader(io.StringIO(payload.decode("utf-8").lstrip("\ufeff"), newline="")))


def expected_rows(report):
    """The rows the spreadsheet must hold, from the JSON report."""
    out = []
    for ind in report["indicators"]:
        out.append((ind["code"], "", "", ind.get("value"), ind["suppressed"]))
        for dim, cats in (ind.get("breakdown") or {}).items():
            for cat, v in cats.items():
                out.append((ind["code"], dim, cat, v.get("value"), v["suppressed"]))
    return out


class ReportSheetsTest(ServerTestCase):

    def get(self, path, user, **kw):
        return self.req("GET", path, as_user=user, **kw)

    def test_who_may(self):
        for user in ("member1", "rep1", "caseworker1", "counsel"):
            for ext in ("csv", "xlsx"):
                with self.subTest(user=user, ext=ext):
                    self.assertError(self.get("/api/v1/reports/indicators.%s?%s" % (ext, PERIOD),
                                              user), 403, "forbidden")
        for user in ("analyst", "supervisor", "admin"):
            st, _, v = self.get("/api/v1/reports/indicators.csv?" + PERIOD, user)
            self.assertEqual(st, 200, v)

    def test_bad_period_422(self):
        for query in ("from=2026-03-02&to=2026-03-31", "from=2026-03-01", "district=17&to=x"):
            for ext in ("csv", "xlsx"):
                with self.subTest(query=query, ext=ext):
                    st, _, v = self.get("/api/v1/reports/indicators.%s?%s" % (ext, query),
                                        "analyst")
                    self.assertEqual(st, 422, v)
                    self.assertErrorShape(v, "validation_failed")

    def test_csv_has_the_reports_figures(self):
        st, _, report = self.get("/api/v1/reports/indicators?" + PERIOD, "analyst")
        self.assertEqual(st, 200, report)
        st, h, payload = self.get("/api/v1/reports/indicators.csv?" + PERIOD, "analyst")
        self.assertEqual(st, 200, payload)
        self.assertTrue(h.get("Content-Type", "").startswith("text/csv"))
        self.assertTrue(payload.startswith(b"\xef\xbb\xbf"))
        rows = csv_rows(payload)
        self.assertEqual(rows[0], HEADER)
        want = expected_rows(report)
        self.assertEqual(len(rows) - 1, len(want))
        for got, (code, dim, cat, value, suppressed) in zip(rows[1:], want):
            self.assertEqual(got[:3], [code, dim, cat])
            self.assertEqual(got[4], "true" if suppressed else "false", got)
            if value is None:
                self.assertEqual(got[3], "", got)
            else:
                self.assertAlmostEqual(float(got[3]), value, places=1, msg=got)
                self.assertRegex(got[3], r"^-?\d+(\.\d)?$")

    def test_xlsx_has_the_same_rows_and_khmer_labels(self):
        st, _, payload = self.get("/api/v1/reports/indicators.csv?" + PERIOD, "analyst")
        self.assertEqual(st, 200, payload)
        want = csv_rows(payload)[1:]
        for lang in ("km", "en"):
            with self.subTest(lang=lang):
                st, h, book = self.get("/api/v1/reports/indicators.xlsx?%s&lang=%s" % (
                    PERIOD, lang), "analyst")
                self.assertEqual(st, 200, book)
                ws = openpyxl.load_workbook(io.BytesIO(book), read_only=True).active
                rows = list(ws.iter_rows(values_only=True))
                self.assertEqual(list(rows[0]), HEADER + ["label"])
                self.assertEqual(len(rows) - 1, len(want))
                for got, w in zip(rows[1:], want):
                    self.assertEqual([got[0], got[1] or "", got[2] or ""], w[:3])
                    self.assertEqual(got[4], w[4] == "true")
                    if w[3] == "":
                        self.assertIsNone(got[3])
                    else:
                        self.assertIsInstance(got[3], (int, float))
                        self.assertAlmostEqual(got[3], float(w[3]), places=1)
                    self.assertTrue(got[5], got)
                khmer = [r[5] for r in rows[1:] if any("\u1780" <= ch <= "\u17ff" for ch in r[5])]
                if lang == "km":
                    self.assertTrue(khmer, "no Khmer label in the Khmer workbook")
                else:
                    self.assertFalse(khmer, khmer[:3])

    def test_audited(self):
        def n():
            return len(self.srv.rows("SELECT seq FROM audit WHERE action = 'export'"
                                     " AND record_type = 'indicators'"))
        before = n()
        for ext in ("csv", "xlsx"):
            st, _, _ = self.get("/api/v1/reports/indicators.%s?%s" % (ext, PERIOD), "supervisor")
            self.assertEqual(st, 200)
        self.assertEqual(n(), before + 2)

    # ---- cbpn report ----

    def cli(self, *args):
        p = subprocess.run([CBPN_BIN, "report", *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120 * SLOW)
        return p.returncode, p.stdout, p.stderr.decode()

    def test_cli_usage(self):
        rc, out, _ = self.cli("--help")
        self.assertEqual(rc, 0)
        self.assertIn(b"cbpn report", out)
        db = self.srv.db_args()
        for args in ((), (*db, "--from", "2026-12-01", "--to", "2026-12-31"),
                     (*db, "--from", "2026-12-01", "--to", "2026-12-31", "--format", "pdf"),
                     (*db, "--to", "2026-12-31", "--format", "csv"),
                     (*db, "--from", "2026-12-01", "--to", "2026-12-31", "--format", "csv",
                      "--lang", "fr")):
            with self.subTest(args=args):
                rc, out, err = self.cli(*args)
                self.assertEqual(rc, 2, err)
                self.assertEqual(out, b"")

    def test_cli_matches_the_api(self):
        db = self.srv.db_args()
        period = ("--from", "2026-12-01", "--to", "2026-12-31")
        st, _, report = self.get("/api/v1/reports/indicators?" + PERIOD, "analyst")
        self.assertEqual(st, 200, report)
        rc, out, err = self.cli(*db, *period, "--format", "json")
        self.assertEqual(rc, 0, err)
        got = json.loads(out)
        self.assertEqual(got["indicators"], report["indicators"])
        self.assertEqual((got["from"], got["to"], got["k"]),
                         (report["from"], report["to"], report["k"]))
        st, _, payload = self.get("/api/v1/reports/indicators.csv?" + PERIOD, "analyst")
        rc, out, err = self.cli(*db, *period, "--format", "csv")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, payload)
        rc, out, err = self.cli(*db, *period, "--format", "xlsx")
        self.assertEqual(rc, 0, err)
        rows = list(openpyxl.load_workbook(io.BytesIO(out), read_only=True).active.iter_rows(
            values_only=True))
        self.assertEqual(len(rows), len(csv_rows(payload)))
        # a period that is not a whole month, quarter or year: exit 1, nothing written
        rc, out, err = self.cli(*db, "--from", "2026-12-02", "--to", "2026-12-31", "--format",
                                "csv")
        self.assertEqual(rc, 1, err)
        self.assertEqual(out, b"")
