"""Durability: a case whose 201 was sent is there after the server is killed
(SIGKILL, in the middle of a write load) and started again on the same
database, and the database is sound.

A killed process leaves the operating system's page cache behind, so this
checks the write path end to end (answer only after commit, recovery of the
write-ahead log at start); a power cut, which also loses the cache, is
simulated in tests/unit/test_durability.c. On PostgreSQL the same: a killed
cbpn leaves its transactions to the server, which must have committed every
case it acknowledged."""

import http.client
import threading
import time
import unittest

from cbpnserver import SLOW, Server

THREADS = 4
MAX_PER_THREAD = 150   # bound on the load, whatever happens
ACKED_BEFORE_KILL = 40  # 201s to wait for before the kill
WAIT_SECONDS = 60


def report(n):
    return {"location_code": "17071001", "concerns": ["unsafe_migration"],
            "summary": "Durability load report %d." % n,
            "survivor": {"sex": "female", "age": 30}, "consent_to_contact": False,
            "urgent": False}


class DurabilityTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server().start()

    def tearDown(self):
        self.srv.stop()
        self.srv.cleanup()

    def load(self, worker, token, acked, failures, lock, stop):
        """Reports cases until stop is set, the server goes away or the
        bound is reached; the id of every 201 goes into acked."""
        for i in range(MAX_PER_THREAD):
            if stop.is_set():
                return
            try:
                st, _, v = self.srv.post("/api/v1/cases", report(worker * 1000 + i),
                                         token=token)
            except (OSError, http.client.HTTPException):
                with lock:
                    failures.append(worker)  # the kill: this one was in flight
                return
            with lock:
                if st == 201:
                    acked.append(v["id"])
                else:
                    failures.append((worker, st, v))
                    return

    def test_every_acknowledged_case_survives_sigkill(self):
        srv = self.srv
        table = srv.find_table("cases", "case")
        self.assertIsNotNone(table)
        before = srv.count(table)
        tokens = [srv.login(u) for u in ("caseworker1", "caseworker2", "member1", "rep1")]
        acked, failures, lock, stop = [], [], threading.Lock(), threading.Event()
        threads = [threading.Thread(target=self.load,
                                    args=(w, tokens[w % len(tokens)], acked, failures, lock,
                                          stop), daemon=True)
                   for w in range(THREADS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + WAIT_SECONDS * SLOW
        while time.monotonic() < deadline:
            with lock:
                if len(acked) >= ACKED_BEFORE_KILL or failures:
                    break
            time.sleep(0.01)
        srv.proc.kill()  # SIGKILL, with requests in flight
        srv.proc.wait(10 * SLOW)
        stop.set()
        for t in threads:
            t.join(30 * SLOW)
            self.assertFalse(t.is_alive(), "a load thread did not finish")
        with lock:
            acked, failures = list(acked), list(failures)
        self.assertTrue(all(isinstance(f, int) for f in failures),
                        "a report was refused before the kill: %r" % failures[:3])
        self.assertGreaterEqual(len(acked), ACKED_BEFORE_KILL,
                                "too few cases reported before the kill; log:\n"
                                + srv.log_text()[-2000:])
        self.assertTrue(failures, "no request was in flight at the kill")
        self.assertEqual(len(set(acked)), len(acked))

        srv.stop()  # already dead: closes its log
        srv.tokens.clear()
        srv.start()  # the same database
        missing = [cid for cid in acked
                   if srv.count(table, "WHERE id = ?", (cid,)) != 1]
        self.assertEqual(missing, [], "%d of %d acknowledged cases lost" % (
            len(missing), len(acked)))
        # Only the requests in flight at the kill may have left a case more.
        after = srv.count(table)
        self.assertGreaterEqual(after - before, len(acked))
        self.assertLessEqual(after - before, len(acked) + len(failures))
        # And they read back through the API.
        sup = srv.login("supervisor")
        for cid in acked:
            st, _, v = srv.get("/api/v1/cases/" + cid, token=sup)
            self.assertEqual(st, 200, "case %s: %s %r" % (cid, st, v))
            self.assertEqual(v["id"], cid)
        if srv.backend == "sqlite":
            self.assertEqual(srv.rows("PRAGMA integrity_check"), [("ok",)])
        else:  # every table reads back whole (PostgreSQL itself did not crash)
            self.assertEqual(srv.snapshot()[table][0], after)


if __name__ == "__main__":
    unittest.main()
