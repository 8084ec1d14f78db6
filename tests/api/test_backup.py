"""cbpn backup and cbpn restore, on the suite's backend, with `cbpn serve`
running: a backup taken while a client keeps reporting cases is consistent
(restore checks its audit chain against the head it carries; every case in
it is whole, with its audit entry) and holds only rows the source holds; a
backup taken with the server idle restores to the same rows in every table,
every column byte for byte. The archive holds no plaintext: none of the
names and phones sent, no SQLite header. Refused, with nothing written: a
wrong key, a wrong passphrase, a cut archive, a flipped byte, a target that
holds data. On PostgreSQL the backup is restored into PostgreSQL and into a
SQLite file (the snapshot inside is SQLite either way)."""

import os
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from cbpnserver import (BACKEND, CBPN_BIN, SLOW, Database, Server, audit_key_path, demo_database,
                        record_sent)

# Rows the writer's requests change after a snapshot (not only add): a
# session's last-seen time, the audit head, the case-code counter, the
# report's cells and their generation (counts every write keeps up to date).
MUTABLE = ("session", "audit_head", "case_counter", "login_gate", "report_cell",
           "report_generation")
PASSPHRASE = "a passphrase for the backups, not a password"
WRITER_CASES = 400  # the writer's bound: it stops earlier when told


def survivor(i):
    return {"name_latn": "Backupwoman Sokunthea%d" % i, "name_km": "សុគន្ធា បេកអាប់%d" % i,
            "phone": "012 77%04d" % i, "sex": "female"}


def case_body(i):
    return {"location_code": "17071001", "concerns": ["unsafe_migration"],
            "summary": "Backupsummary %d: went to Thailand in March." % i,
            "survivor": survivor(i), "consent_to_contact": True, "urgent": False}


class BackupTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cbpn-backup-")
        cls.made = []
        cls.srv = None
        try:
            cls.source = demo_database(cls.dir)
            cls.srv = Server(database=cls.source).start()
            cls.token = cls.srv.login("member1")
            cls.sent = []  # the identifying strings the writer sent
            cls.quiet_archive = cls.backup("quiet.bak")
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.srv is not None:
            cls.srv.stop()
            cls.srv.cleanup()
        for db in cls.made:
            db.drop()
        if hasattr(cls, "source"):
            cls.source.drop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    # ---- helpers ----

    @classmethod
    def cbpn(cls, *args, stdin=None, env=None):
        p = subprocess.run([CBPN_BIN, *args], input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600 * SLOW, cwd=cls.dir,
                           env=dict(os.environ, **env) if env else None)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    @classmethod
    def backup(cls, name, passphrase=False):
        out = os.path.join(cls.dir, name)
        args = ["backup", *cls.source.args(), "--out", out]
        stdin = None
        if passphrase:
            args.append("--passphrase")
            stdin = (PASSPHRASE + "\n").encode()
        rc, o, e = cls.cbpn(*args, stdin=stdin)
        if rc != 0:
            raise AssertionError("cbpn backup: exit %d\n%s\n%s" % (rc, o, e))
        return out

    def target(self, stem, backend=None):
        """A database to restore into: absent (a file) or empty (PostgreSQL)."""
        db = Database.empty(self.dir, stem, backend or BACKEND)
        self.made.append(db)
        db.key = self.source.key  # the deployment's key, and its .audit beside it
        return db

    def restore(self, archive, db, key=None, passphrase=None, heads=None):
        heads = heads or tempfile.mkdtemp(prefix="heads-", dir=self.dir)
        args = ["restore", "--from", archive, "--db", db.uri, "--key", key or db.key,
                "--head-dir", heads]
        stdin = None
        if passphrase is not None:
            args.append("--passphrase")
            stdin = (passphrase + "\n").encode()
        rc, out, err = self.cbpn(*args, stdin=stdin)
        return rc, out, err, heads

    def assertRestored(self, archive, db, **kw):
        rc, out, err, heads = self.restore(archive, db, **kw)
        self.assertEqual(rc, 0, "exit %d\n%s\n%s" % (rc, out, err))
        self.assertIn("the archive authenticates to its end", out)
        self.assertIn("verifies against the signed head", out)
        for s in self.sent:
            self.assertNotIn(s, out + err)
        # the head it carries, where cbpn audit verify finds it
        rc, out, err = self.cbpn("audit", "verify", "--db", db.uri, "--key", db.key,
                                 "--head-dir", heads)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("1 signed head", out)
        return heads

    def table_rows(self, db):
        """{table: sorted reprs of every row, every column} and the columns."""
        rows, cols = {}, {}
        for t in db.tables():
            if t == "schema_migration":
                continue
            cols[t] = [c for c, _ in db.columns(t)]
            rows[t] = sorted(repr(r) for r in db.rows('SELECT * FROM "%s"' % t))
        return rows, cols

    def refused(self, archive, db, *, want, passphrase=None, key=None):
        before = db.fingerprint() if db.exists() else None
        rc, out, err, _ = self.restore(archive, db, key=key, passphrase=passphrase)
        self.assertEqual(rc, 1, "exit %d\n%s\n%s" % (rc, out, err))
        self.assertIn(want, err)
        if before is None:
            if db.backend == "sqlite":
                self.assertFalse(db.exists(), "a refused restore wrote %s" % db.uri)
            else:
                self.assertEqual(db.tables(), [], "a refused restore wrote into the database")
        else:
            self.assertEqual(db.fingerprint(), before)
        self.assertEqual([n for n in os.listdir(self.dir) if n.startswith(".cbpn-backup-")], [])

    # ---- the round trips ----

    def test_quiet_backup_restores_every_row(self):
        """Taken with the server running and idle: the same rows, every
        column, in every table."""
        archive = self.backup("idle.bak")
        db = self.target("quiet")
        self.assertRestored(archive, db)
        src, scols = self.table_rows(self.source)
        got, gcols = self.table_rows(db)
        self.assertEqual(sorted(got), sorted(src))
        self.assertEqual(gcols, scols)
        for t in src:
            self.assertTrue(got[t] == src[t], "table %s differs after the round trip" % t)
        self.assertGreater(len(src["audit"]), 100)
        self.assertGreater(len(src["survivor"]), 10)
        # the backup is an export: its own entry is the snapshot's last
        last = db.rows("SELECT action, record_type, detail FROM audit ORDER BY seq DESC LIMIT 1")
        self.assertEqual(last, [("export", "backup", "data_key")])
        # and the source's chain still verifies against every head beside its key
        rc, out, err = self.cbpn("audit", "verify", *self.source.args())
        self.assertEqual(rc, 0, out + err)

    def test_backup_while_writing(self):
        """A client reports cases as fast as it can while cbpn backup runs."""
        stop = threading.Event()
        done, failures = [], []

        def writer():
            for i in range(WRITER_CASES):
                if stop.is_set():
                    return
                body = case_body(i)
                record_sent(body)
                st, _, v = self.srv.post("/api/v1/cases", body, token=self.token)
                if st != 201:
                    failures.append((st, v))
                    return
                done.append(v["id"])
                self.sent.extend(body["survivor"][k] for k in ("name_latn", "name_km", "phone"))

        th = threading.Thread(target=writer)
        th.start()
        try:
            for _ in range(int(200 * SLOW)):
                if len(done) >= 5 or not th.is_alive():
                    break
                time.sleep(0.05)
            before = len(done)
            archive = self.backup("busy.bak")
            during = len(done) - before
        finally:
            time.sleep(0.3)
            stop.set()
            th.join(120)
        self.assertFalse(failures, failures[:3])
        self.assertGreater(before, 0)
        self.assertGreater(during + before, 0)

        db = self.target("busy")
        self.assertRestored(archive, db)
        src, _ = self.table_rows(self.source)
        got, _ = self.table_rows(db)
        # only rows the source has: none half-written, none invented
        for t in got:
            if any(m in t for m in MUTABLE):
                continue
            missing = set(got[t]) - set(src[t])
            self.assertFalse(missing, "table %s: %d restored rows are not in the source" % (
                t, len(missing)))
        # each of the writer's cases in it whole: its survivor and its audit entry
        ids = {r[0] for r in db.rows("SELECT id FROM cases")}
        mine = [c for c in done if c in ids]
        self.assertTrue(mine, "the backup has none of the cases written before it began")
        audited = {r[0] for r in db.rows(
            "SELECT record_id FROM audit WHERE action = 'create' AND record_type = 'case'")}
        for cid in mine:
            self.assertIn(cid, audited)
        self.assertEqual(len(ids & set(done)), len(mine))
        with_survivor = {r[0] for r in db.rows("SELECT case_id FROM survivor")}
        self.assertTrue(set(mine) <= with_survivor)

        # the archive: no plaintext at all
        with open(archive, "rb") as f:
            raw = f.read()
        self.assertNotIn(b"SQLite format 3\x00", raw)
        for s in self.sent + ["Backupsummary", "Backupwoman"]:
            self.assertNotIn(s.encode("utf-8"), raw, "the archive holds %r" % s)
        self.assertEqual(oct(os.stat(archive).st_mode & 0o777), "0o600")

    def test_restore_destroys_again_the_keys_of_cases_erased_since(self):
        """A backup taken before an erasure: restored, the erased case's key
        (and so every copy of her identity in it) is destroyed again, from
        the erasure ledger beside the key; the other cases keep theirs."""
        archive = self.backup("before-erasure.bak")
        tok = self.srv.login("supervisor")
        st, _, lst = self.srv.get("/api/v1/cases?limit=50", token=tok)
        self.assertEqual(st, 200, lst)
        cid = next(c["id"] for c in lst["items"]
                   if self.source.count("case_key", "WHERE case_id = ?", (c["id"],)) == 1)
        st, _, c = self.srv.get("/api/v1/cases/" + cid, token=tok)
        self.assertEqual(st, 200, c)
        self.assertTrue(c.get("survivor", {}).get("name_latn") or c.get("summary"))
        st, _, v = self.srv.post("/api/v1/cases/%s/erase" % cid,
                                 {"version": c["version"], "reason": "her own request"},
                                 token=tok, headers={"Idempotency-Key": "erase-" + cid})
        self.assertEqual(st, 200, v)
        with open(self.source.key + ".erased") as f:
            self.assertIn(cid, f.read().split())
        db = self.target("after-erasure")
        rc, out, err, heads = self.restore(archive, db)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("the keys of 1 cases destroyed again", out)
        self.assertEqual(db.count("case_key", "WHERE case_id = ?", (cid,)), 0)
        self.assertGreater(db.count("case_key"), 10)
        # the case itself is there, its statistics too, not its identity
        self.assertEqual(db.count("cases", "WHERE id = ?", (cid,)), 1)
        rc, out, err = self.cbpn("audit", "verify", "--db", db.uri, "--key", db.key,
                                 "--head-dir", heads)
        self.assertEqual(rc, 0, out + err)

    def test_passphrase_round_trip_and_wrong_passphrase(self):
        archive = self.backup("pass.bak", passphrase=True)
        db = self.target("pass")
        self.refused(archive, db, passphrase="not the passphrase at all", want="wrong passphrase")
        rc, out, err, _ = self.restore(archive, db)  # no --passphrase: a usage error
        self.assertEqual(rc, 2, out + err)
        self.assertIn("give --passphrase", err)
        # from CBPN_PASSPHRASE_FILE
        pf = os.path.join(self.dir, "passphrase")
        with open(pf, "w") as f:
            f.write(PASSPHRASE + "\n")
        os.chmod(pf, 0o600)
        rc, out, err = self.cbpn("restore", "--from", archive, "--db", db.uri, "--key", db.key,
                                 "--head-dir", tempfile.mkdtemp(dir=self.dir), "--passphrase",
                                 env={"CBPN_PASSPHRASE_FILE": pf})
        self.assertEqual(rc, 0, out + err)
        with open(archive, "rb") as f:
            self.assertNotIn(b"SQLite format 3\x00", f.read())

    # ---- refusals ----

    def test_wrong_key_refused(self):
        wrong = os.path.join(self.dir, "wrong.key")
        with open(wrong, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(wrong, 0o600)
        shutil.copy2(audit_key_path(self.source.key), audit_key_path(wrong))
        self.refused(self.quiet_archive, self.target("wrongkey"), key=wrong, want="wrong key")

    def test_truncated_and_flipped_refused(self):
        with open(self.quiet_archive, "rb") as f:
            raw = f.read()
        cut = os.path.join(self.dir, "cut.bak")
        with open(cut, "wb") as f:
            f.write(raw[:len(raw) // 2])
        self.refused(cut, self.target("cut"), want="truncated")
        cut_end = os.path.join(self.dir, "cut-end.bak")
        with open(cut_end, "wb") as f:
            f.write(raw[:-21])  # exactly the final chunk gone
        self.refused(cut_end, self.target("cutend"), want="truncated")
        for at in (200, len(raw) // 3, len(raw) - 30):
            flipped = os.path.join(self.dir, "flip%d.bak" % at)
            with open(flipped, "wb") as f:
                f.write(raw[:at] + bytes([raw[at] ^ 0x40]) + raw[at + 1:])
            self.refused(flipped, self.target("flip%d" % at), want="altered")

    def test_target_with_data_refused(self):
        db = self.target("full")
        self.assertRestored(self.quiet_archive, db)
        self.refused(self.quiet_archive, db,
                     want="exists" if db.backend == "sqlite" else "holds data")

    def test_help_and_usage(self):
        for cmd in ("backup", "restore"):
            rc, out, _ = self.cbpn(cmd, "--help")
            self.assertEqual(rc, 0)
            self.assertIn("usage: cbpn " + cmd, out)
            rc, _, err = self.cbpn(cmd)
            self.assertEqual(rc, 2)
            self.assertIn("usage", err)
        rc, _, err = self.cbpn("backup", *self.source.args(), "--out", self.quiet_archive)
        self.assertEqual(rc, 1)
        self.assertIn("exists", err)

    @unittest.skipUnless(BACKEND == "postgres", "the cross-backend restore runs on PostgreSQL")
    def test_postgres_backup_into_sqlite(self):
        archive = self.backup("cross.bak")
        db = self.target("cross", backend="sqlite")
        self.assertRestored(archive, db)
        src, _ = self.table_rows(self.source)
        got, _ = self.table_rows(db)
        self.assertEqual(sorted(got), sorted(src))
        differ = [t for t in src if got[t] != src[t]]
        self.assertEqual(differ, [])

    @unittest.skipUnless(BACKEND == "postgres", "the cross-backend restore runs on PostgreSQL")
    def test_sqlite_backup_into_postgres(self):
        src = demo_database(tempfile.mkdtemp(prefix="sqlite-", dir=self.dir), "sqlite")
        archive = os.path.join(self.dir, "from-sqlite.bak")
        rc, out, err = self.cbpn("backup", *src.args(), "--out", archive)
        self.assertEqual(rc, 0, out + err)
        db = self.target("fromsqlite", backend="postgres")
        db.key = src.key
        self.assertRestored(archive, db)
        want, _ = self.table_rows(src)
        got, _ = self.table_rows(db)
        self.assertEqual(sorted(got), sorted(want))
        differ = [t for t in want if got[t] != want[t]]
        self.assertEqual(differ, [])


if __name__ == "__main__":
    unittest.main()
