"""Failover: cbpn on a primary with a synchronous streaming standby loses
its primary (kill -9 of the postmaster) in the middle of a write load; the
standby is promoted. cbpn, started once with a multi-host URI
(target_session_attrs=read-write), must find the new primary by itself
(same process, no restart); every create it acknowledged (201) must be on
the new primary, none twice; what failed during the switch must have been
503 in the error shape, never 500.

Its own two clusters on 127.0.0.1 (pgcluster.Cluster), run as the
postgres user when the tests run as root. Bounded: the whole test stays
well under two minutes. Runs with CBPN_TEST_BACKEND=postgres; skipped on
SQLite.
"""

import os
import re
import shutil
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.append(HERE)

import pgcluster  # noqa: E402
from pgcluster import SKIP_REASON, Cluster, Serve  # noqa: E402

try:
    import cbpnserver  # the contract checks of docs/openapi.yaml
except Exception:  # pragma: no cover - the harness is always beside this file
    cbpnserver = None

CODE_RE = re.compile(r"^[A-Z]{3}-\d{4}-\d{4}$")
STANDBY_NAME = "cbpn_standby"
LOAD_USERS = ("caseworker1", "caseworker2", "supervisor", "rep1")  # one load thread each
BEFORE_KILL = 4.0       # seconds of load before the primary dies
DOWN_FOR = 2.0          # seconds with no primary before the promotion
RECOVER_WITHIN = 30.0   # creates must succeed again within this after the promotion
AFTER_RECOVERY = 3.0    # seconds of load on the new primary
KEY_PATIENCE = 60.0     # seconds one Idempotency-Key is sent again before the thread gives up
REQUEST_TIMEOUT = 20


def report(summary):
    return {"location_code": "17071001", "concerns": ["unsafe_migration"], "summary": summary,
            "survivor": {"sex": "female", "age": 33}, "consent_to_contact": True,
            "urgent": False}


@unittest.skipUnless(pgcluster.BACKEND == "postgres", SKIP_REASON)
class FailoverTest(unittest.TestCase):
    maxDiff = 4000

    def setUp(self):
        if pgcluster.bindir() is None:
            self.fail("no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): install "
                      "the Debian package postgresql")
        self.base = pgcluster.owner_dir("cbpn-failover-")
        self.addCleanup(self._remove_base)
        self.primary = Cluster(self.base, "primary")
        self.standby = Cluster(self.base, "standby")
        self.addCleanup(self.primary.stop)
        self.addCleanup(self.standby.stop)
        self.work = os.path.join(self.base, "cbpn")
        os.mkdir(self.work, 0o700)
        self.key = os.path.join(self.work, "cbpn.key")
        self.serve = None

    def _remove_base(self):
        if os.environ.get("CBPN_TEST_KEEP") == "1":
            sys.stderr.write("failover test dir kept: %s\n" % self.base)
        else:
            shutil.rmtree(self.base, ignore_errors=True)

    # ---- the two clusters ----

    def make_clusters(self):
        t0 = time.monotonic()
        p = self.primary
        p.initdb("wal_level = replica\nmax_wal_senders = 5\nmax_replication_slots = 5\n"
                 "wal_keep_size = 128MB\nhot_standby = on\n")
        p.start()
        p.sql("CREATE ROLE cbpn LOGIN")
        p.sql("CREATE DATABASE cbpn OWNER cbpn TEMPLATE template0 ENCODING 'UTF8' "
              "LC_COLLATE 'C' LC_CTYPE 'C'")
        # The demo before the standby exists: its commits wait for no one.
        pgcluster.run_demo(p.uri("cbpn"), self.key, self.work)
        s = self.standby
        s.basebackup_from(p, STANDBY_NAME)
        s.start()
        # Now every commit waits for the standby to have flushed it.
        p.sql("ALTER SYSTEM SET synchronous_standby_names = '%s'" % STANDBY_NAME)
        p.sql("ALTER SYSTEM SET synchronous_commit = 'on'")
        p.sql("SELECT pg_reload_conf()")
        deadline = time.monotonic() + 30
        while True:
            rows = p.sql("SELECT application_name, state, sync_state FROM pg_stat_replication")
            if (STANDBY_NAME, "streaming", "sync") in rows:
                break
            self.assertLess(time.monotonic(), deadline, "the standby is not a synchronous "
                            "streaming standby: %r" % rows)
            time.sleep(0.1)
        self.assertTrue(s.in_recovery())
        pgcluster.log("primary :%d and synchronous standby :%d ready in %.1f s" % (
            p.port, s.port, time.monotonic() - t0))

    def multi_host_uri(self):
        return ("postgres://cbpn@127.0.0.1:%d,127.0.0.1:%d/cbpn?target_session_attrs=read-write"
                % (self.primary.port, self.standby.port))

    # ---- the load ----

    def start_load(self, tokens, stop):
        """One thread per user, creating cases one after the other, each
        with an Idempotency-Key of its own; a key that failed is sent again
        (as a client would) until it is answered 201. Returns (threads,
        results): results gets one dict per answer."""
        results = []
        lock = threading.Lock()

        def load(user, token):
            n = 0
            while not stop.is_set():
                key = "failover-%s-%d" % (user, n)
                summary = "Failover load %s %d" % (user, n)
                first = time.monotonic()
                while time.monotonic() - first < KEY_PATIENCE:
                    t = time.monotonic()
                    rec = {"user": user, "key": key, "t": t, "path": "/api/v1/cases"}
                    try:
                        a = self.serve.request("POST", "/api/v1/cases", report(summary),
                                               token=token, headers={"Idempotency-Key": key},
                                               timeout=REQUEST_TIMEOUT)
                        rec.update(status=a.status, value=a.value, headers=a.headers, raw=a.raw)
                    except (OSError, ValueError) as e:  # no answer, or not JSON
                        rec.update(status=None, error=repr(e))
                    rec["took"] = time.monotonic() - t
                    with lock:
                        results.append(rec)
                    if rec["status"] == 201:
                        break
                    if stop.is_set() and rec["status"] is None:
                        break
                    time.sleep(0.1)
                n += 1
        def read(token):
            # Reads acknowledged cases back: 200, or 503 while there is no
            # primary; never 404 (a case lost) nor 500.
            i = 0
            while not stop.is_set():
                with lock:
                    done = [r["value"]["id"] for r in results
                            if r["status"] == 201 and r["path"] == "/api/v1/cases"]
                if not done:
                    time.sleep(0.05)
                    continue
                path = "/api/v1/cases/" + done[(i * 7919) % len(done)]
                i += 1
                t = time.monotonic()
                rec = {"user": "supervisor", "key": None, "t": t, "path": path}
                try:
                    a = self.serve.request("GET", path, token=token, timeout=REQUEST_TIMEOUT)
                    rec.update(status=a.status, value=a.value, headers=a.headers, raw=a.raw)
                except (OSError, ValueError) as e:
                    rec.update(status=None, error=repr(e))
                rec["took"] = time.monotonic() - t
                with lock:
                    results.append(rec)
                time.sleep(0.05)
        threads = [threading.Thread(target=load, args=(u, tokens[u]), daemon=True)
                   for u in LOAD_USERS]
        threads.append(threading.Thread(target=read, args=(tokens["supervisor"],), daemon=True))
        for t in threads:
            t.start()
        return threads, results

    # ---- the test ----

    def test_kill_primary_mid_load_promote_standby_cbpn_carries_on(self):
        t_start = time.monotonic()
        self.make_clusters()
        uri = self.multi_host_uri()
        self.serve = Serve(self.work, uri, self.key, "cbpn-serve")
        self.addCleanup(self.serve.stop)
        self.serve.start()
        pid = self.serve.proc.pid
        tokens = {u: self.serve.sign_in(u) for u in LOAD_USERS}
        before = int(self.primary.sql("SELECT count(*) FROM cases", db="cbpn")[0][0])

        stop = threading.Event()
        threads, results = self.start_load(tokens, stop)
        self.addCleanup(stop.set)
        time.sleep(BEFORE_KILL)
        ok_before = sum(1 for r in results if r["status"] == 201)
        self.assertGreater(ok_before, 0, "no create succeeded before the failover: %r"
                           % results[:3])

        t_kill = time.monotonic()
        self.primary.kill9()
        pgcluster.log("killed the primary's postmaster (kill -9) after %d creates" % ok_before)
        time.sleep(DOWN_FOR)
        self.standby.promote()
        # The new primary still names a synchronous standby it does not have:
        # without clearing it, its commits would wait for ever.
        self.standby.sql("ALTER SYSTEM SET synchronous_standby_names = ''")
        self.standby.sql("SELECT pg_reload_conf()")
        t_promoted = time.monotonic()
        self.assertFalse(self.standby.in_recovery(), "the standby was not promoted")
        pgcluster.log("promoted the standby %.1f s after the kill" % (t_promoted - t_kill))

        # Creates succeed again, in the same cbpn process, within a bound.
        deadline = t_promoted + RECOVER_WITHIN
        recovered = None
        while time.monotonic() < deadline:
            if any(r["status"] == 201 and r["t"] > t_promoted for r in list(results)):
                recovered = min(r["t"] + r["took"] for r in list(results)
                                if r["status"] == 201 and r["t"] > t_promoted)
                break
            self.assertTrue(self.serve.alive(), "cbpn serve died during the failover; log:\n"
                            + self.serve.log_text()[-3000:])
            time.sleep(0.1)
        if recovered is None:
            stop.set()
            self.fail("no create succeeded within %.0f s of the promotion; statuses since: %r; "
                      "log:\n%s" % (RECOVER_WITHIN, sorted({r["status"] for r in results
                                                           if r["t"] > t_promoted}, key=str),
                                    self.serve.log_text()[-3000:]))
        pgcluster.log("cbpn wrote again %.1f s after the promotion (%.1f s after the kill)" % (
            recovered - t_promoted, recovered - t_kill))
        time.sleep(AFTER_RECOVERY)
        stop.set()
        for t in threads:
            t.join(REQUEST_TIMEOUT * 2)
        self.assertFalse(any(t.is_alive() for t in threads), "load threads did not stop")

        self.assertTrue(self.serve.alive(), "cbpn serve died")
        self.assertEqual(self.serve.proc.pid, pid)
        st = self.serve.request("GET", "/healthz").status
        self.assertEqual(st, 200, "cbpn does not answer /healthz after the failover")

        self.check_answers(results, t_kill)
        self.check_new_primary(results, before)

        rc = self.serve.stop()
        self.assertEqual(rc, 0, "cbpn serve did not exit 0 on SIGTERM; log:\n"
                         + self.serve.log_text()[-3000:])
        pgcluster.log("failover test: %.1f s in all" % (time.monotonic() - t_start))

    def check_answers(self, results, t_kill):
        for what, rs in (("creates", [r for r in results if r["key"]]),
                         ("reads", [r for r in results if not r["key"]])):
            statuses = {}
            for r in rs:
                statuses[r["status"]] = statuses.get(r["status"], 0) + 1
            pgcluster.log("%s during the load: %s" % (what, ", ".join(
                "%s: %d" % (k, v) for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0])))))
        reads = [r for r in results if not r["key"]]
        self.assertTrue(reads, "the reader read nothing")
        self.assertTrue(any(r["status"] == 200 and r["t"] > t_kill for r in reads),
                        "no read succeeded after the failover")
        failed = [r for r in results if r["status"] not in (200, 201)]
        self.assertTrue(failed, "no request failed: did the failover happen under load?")
        no_answer = [r for r in failed if r["status"] is None]
        self.assertFalse(no_answer, "requests without an answer: %r" % [
            r["error"] for r in no_answer[:5]])
        other = [r for r in failed if r["status"] != 503]
        self.assertFalse(other, "failed requests answered other than 503: %r" % [
            (r["status"], r.get("value")) for r in other[:5]])
        for r in failed:
            v = r["value"]
            self.assertTrue((r["headers"].get("Content-Type") or "").startswith(
                "application/json"), r["headers"].get("Content-Type"))
            self.assertIsInstance(v, dict, v)
            self.assertEqual(set(v), {"error"}, v)
            self.assertEqual(v["error"].get("code"), "unavailable", v)
            self.assertTrue(v["error"].get("message"), v)
            self.assertLessEqual(set(v["error"]), {"code", "message", "fields"}, v)
            self.assertGreaterEqual(r["t"] + r["took"], t_kill - 0.5,
                                    "a request failed before the primary was killed: %r" % v)
        if cbpnserver is not None:
            contract = cbpnserver.contract()
            for r in results:
                if r["status"] is None:
                    continue
                contract.check("POST" if r["key"] else "GET", r["path"], r["status"],
                               r["headers"].get("Content-Type") or "", r["raw"], r["value"])
        bad = [ln for ln in self.serve.log_text().splitlines() if re.search(r"answered 50[^3]", ln)]
        self.assertFalse(bad, "cbpn answered 5xx other than 503:\n" + "\n".join(bad[:10]))

    def check_new_primary(self, results, before):
        acked = {}  # key -> (id, code) of its 201
        for r in results:
            if r["status"] != 201 or not r["key"]:
                continue
            cid, code = r["value"]["id"], r["value"]["code"]
            self.assertRegex(code, CODE_RE)
            if r["key"] in acked:
                self.assertEqual(acked[r["key"]], (cid, code),
                                 "one Idempotency-Key answered with two cases")
            acked[r["key"]] = (cid, code)
        keys = {r["key"] for r in results if r["key"]}
        unfinished = keys - set(acked)
        # A key whose thread stopped before its 201 may or may not have
        # made its case (the commit's outcome unknown); every other key did.
        self.assertLessEqual(len(unfinished), len(LOAD_USERS), unfinished)
        rows = self.standby.sql("SELECT id, code FROM cases", db="cbpn")
        stored = {}
        for cid, code in rows:
            self.assertNotIn(cid, stored)
            stored[cid] = code
        self.assertEqual(len(set(stored.values())), len(stored), "a case code is there twice")
        missing = [(k, v) for k, v in acked.items() if stored.get(v[0]) != v[1]]
        self.assertFalse(missing, "%d acknowledged creates are not on the new primary: %r" % (
            len(missing), missing[:5]))
        self.assertEqual(len({v[0] for v in acked.values()}), len(acked),
                         "two keys answered with one case")
        made = len(stored) - before
        self.assertGreaterEqual(made, len(acked))
        self.assertLessEqual(made, len(acked) + len(unfinished),
                             "more cases than keys: a create was made twice")
        pgcluster.log("%d acknowledged creates, all on the new primary (%d cases made, %d keys "
                      "unfinished at the stop)" % (len(acked), made, len(unfinished)))
        problems, last = pgcluster.audit_chain_problems(self.standby.uri("cbpn"))
        self.assertEqual(problems, [], "the audit chain on the new primary")
        p = subprocess.run([pgcluster.CBPN_BIN, "audit", "verify", "--db",
                            self.standby.uri("cbpn"), "--key", self.key],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        self.assertEqual(p.returncode, 0, "cbpn audit verify on the new primary: %s" %
                         p.stdout.decode(errors="replace")[-2000:])

    def test_database_restart_while_cbpn_is_idle(self):
        """The database restarts (fast shutdown, start on the same port)
        while cbpn has nothing to do: cbpn carries on without a restart of
        its own. A worker's first statement on its old connection may fail
        (503, see src/store/pg.c); no more than one per connection, and
        then every request succeeds."""
        p = self.primary
        p.initdb()
        p.start()
        p.sql("CREATE ROLE cbpn LOGIN")
        p.sql("CREATE DATABASE cbpn OWNER cbpn TEMPLATE template0 ENCODING 'UTF8' "
              "LC_COLLATE 'C' LC_CTYPE 'C'")
        pgcluster.run_demo(p.uri("cbpn"), self.key, self.work)
        self.serve = Serve(self.work, p.uri("cbpn"), self.key, "cbpn-serve")
        self.addCleanup(self.serve.stop)
        self.serve.start()
        pid = self.serve.proc.pid
        token = self.serve.sign_in("caseworker1")
        # Every worker has a connection: enough requests, some at once.
        warm = [threading.Thread(target=lambda: [self.serve.request(
            "GET", "/api/v1/me", token=token) for _ in range(10)]) for _ in range(8)]
        for t in warm:
            t.start()
        for t in warm:
            t.join(60)
        backends = int(p.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'cbpn' "
                             "AND application_name = 'cbpn'")[0][0])
        t0 = time.monotonic()
        p.stop()
        p.start()
        pgcluster.log("restarted the database (%.1f s); cbpn had %d connections" % (
            time.monotonic() - t0, backends))
        answers = []
        for i in range(40):
            if i % 2:
                a = self.serve.request("GET", "/api/v1/me", token=token)
            else:
                a = self.serve.request("POST", "/api/v1/cases", report("Restart %d" % i),
                                       token=token, headers={"Idempotency-Key": "restart-%d" % i})
            answers.append(a)
        failed = [a for a in answers if a.status not in (200, 201)]
        for a in failed:
            self.assertEqual(a.status, 503, a.value)
            self.assertEqual(a.value["error"]["code"], "unavailable", a.value)
        pgcluster.log("after the restart: %d of %d requests answered 503" % (
            len(failed), len(answers)))
        self.assertLessEqual(len(failed), max(backends, 1),
                             "more failures than cbpn had connections")
        self.assertTrue(all(a.status in (200, 201) for a in answers[-10:]),
                        [a.status for a in answers])
        self.assertEqual(self.serve.proc.pid, pid)
        self.assertEqual(self.serve.stop(), 0, self.serve.log_text()[-3000:])


if __name__ == "__main__":
    unittest.main()
