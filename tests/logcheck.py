#!/usr/bin/env python3
"""No personal data in any log: greps every server log a test run kept for
the names and phone numbers the run used.

    tests/logcheck.py DIR [EXTRA_LOG...]

DIR is CBPN_TEST_LOGS of the run (scripts/test.sh): the logs of every cbpn
server the API suites (cbpnserver.py) and the browser tests (harness.mjs)
started, and sent.txt, every name and phone number the API tests sent. The
strings looked for: those of sent.txt; the demo network's people (every
family and given name of src/cli/demo_data.c, as `cbpn demo` joins them, and
its phone block 012 000 000-999); the names and phones written in the tests
(tests/api, tests/e2e) as field values. EXTRA_LOG: more logs (the PostgreSQL
cluster's).

First a control: a log with one of those names planted in a line must be
caught, and a clean one must not, or the check itself is broken. Prints one
line per finding, then "logcheck: ..." and exits 0 when no log holds any.
"""

import glob
import json
import os
import re
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

# Strings too short to be told from other words are left out (a bare "Ly").
MIN_LEN = 5


def demo_strings():
    """Full names of the demo people (Khmer and Latin), their given names,
    and the demo phone block."""
    with open(os.path.join(REPO, "src", "cli", "demo_data.c"), encoding="utf-8") as f:
        src = f.read()
    pools = {}
    for name in ("demo_family_names", "demo_female_names", "demo_male_names"):
        m = re.search(r"%s\[\] = \{(.*?)\};" % name, src, re.S)
        if not m:
            raise SystemExit("logcheck: %s not found in demo_data.c" % name)
        pools[name] = re.findall(r'\{"([^"]+)", "([^"]+)"\}', m.group(1))
        if not pools[name]:
            raise SystemExit("logcheck: %s is empty" % name)
    out = set()
    given = pools["demo_female_names"] + pools["demo_male_names"]
    for fkm, flatn in pools["demo_family_names"]:
        for gkm, glatn in given:
            out.add("%s %s" % (fkm, gkm))
            out.add("%s %s" % (flatn, glatn))
    for km, latn in pools["demo_family_names"] + given:
        out.add(km)  # no log line has any Khmer
        out.add(latn)
    for n in range(1000):
        out.add("012 000 %03d" % n)
        out.add("012000%03d" % n)
    return out


_FIELD = re.compile(
    r"""["']?\b(name_km|name_latn|phone|display_name|contact|#name_latn|#name_km|#phone)\b["']?"""
    r"""\s*(?:[:=,]|\)\.fill\()\s*["']([^"'\\]+)["']""")


def test_source_strings():
    """Values the tests write for name and phone fields."""
    out = set()
    files = glob.glob(os.path.join(REPO, "tests", "api", "*.py")) + \
        glob.glob(os.path.join(REPO, "tests", "e2e", "*.mjs"))
    for p in files:
        with open(p, encoding="utf-8") as f:
            for m in _FIELD.finditer(f.read()):
                out.add(m.group(2))
    return out


def sent_strings(d):
    out = set()
    p = os.path.join(d, "sent.txt")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    out.add(json.loads(line))
    return out


def _person_like(s):
    """A full name (two words or more), a phone number or a Khmer name; not
    a field name or a lone word written in a test ("Changed")."""
    return (" " in s.strip() or any(c.isdigit() for c in s) or not s.isascii()) and \
        not re.fullmatch(r"[a-z_]+", s)


def strings_of(d):
    found = {s for s in test_source_strings() | sent_strings(d) if _person_like(s)}
    return {s for s in demo_strings() | found if len(s.strip()) >= MIN_LEN}


def scan(paths, strings):
    """(path, line number, string) of every string found in the logs."""
    found = []
    # One pass per line with an alternation of every string, longest first.
    alt = re.compile("|".join(re.escape(s) for s in sorted(strings, key=len, reverse=True)))
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for i, line in enumerate(f, 1):
                m = alt.search(line)
                if m:
                    found.append((p, i, m.group(0)))
    return found


def control(strings):
    """The check catches a planted name and passes a clean log."""
    planted = sorted(s for s in demo_strings() & strings
                     if " " in s and s.replace(" ", "").isalpha() and s.isascii())[0]
    with tempfile.TemporaryDirectory() as d:
        bad = os.path.join(d, "bad.log")
        good = os.path.join(d, "good.log")
        with open(bad, "w", encoding="utf-8") as f:
            f.write("2026-01-01T00:00:00.000Z info http POST /api/v1/cases 201 10 1ms\n")
            f.write("2026-01-01T00:00:00.000Z error case for %s failed\n" % planted)
        with open(good, "w", encoding="utf-8") as f:
            f.write("2026-01-01T00:00:00.000Z info http POST /api/v1/cases 201 10 1ms\n")
        hits = scan([bad, good], strings)
        return [h[1:] for h in hits] == [(2, planted)], planted


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    d = argv[1]
    strings = strings_of(d)
    ok, planted = control(strings)
    print("logcheck control: %s (a log naming %r %s caught)" % (
        "ok" if ok else "FAILED", planted, "was" if ok else "was NOT"))
    logs = sorted(glob.glob(os.path.join(d, "*.log"))) + [p for p in argv[2:] if os.path.exists(p)]
    found = scan(logs, strings) if logs else []
    for p, i, s in found[:50]:
        print("%s:%d: %r" % (os.path.relpath(p), i, s))
    print("logcheck: %d logs, %d names and phone numbers, %d found" % (
        len(logs), len(strings), len(found)))
    return 0 if ok and logs and not found else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
