"""cbpn migrate: the demo deployment copied into another database and
checked; the copy served by `cbpn serve` shows a supervisor the same cases
(codes, survivor names) as the original; a second migration into the same
target is refused and changes nothing.

The source is always the SQLite demo, whichever backend the suite runs
on. SQLite into SQLite always runs. SQLite into PostgreSQL (and back into a
file) runs when CBPN_TEST_PG names a server: a base URI such as
postgres://cbpn@127.0.0.1:PORT whose role may CREATE DATABASE
(scripts/pg.sh start DIR prints one); the test makes its empty database
and drops it (python3-psycopg2, through cbpnserver.Database).
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import unittest

from cbpnserver import CBPN_BIN, SLOW, Database, Server, demo_database, q

PG = os.environ.get("CBPN_TEST_PG", "").rstrip("/")
VERIFIED = ("verified: the same rows in each of",
            "verified: the copy's audit chain of",
            "sealed fields the same bytes in the copy")


def file_digest(path):
    h = hashlib.sha256()
    for suffix in ("", "-wal"):
        try:
            with open(path + suffix, "rb") as f:
                h.update(f.read())
        except FileNotFoundError:
            pass
    return h.hexdigest()


class MigrateTest(unittest.TestCase):
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cbpn-migrate-")
        cls.made = []  # PostgreSQL databases to drop
        try:
            source = demo_database(cls.dir, "sqlite")
            cls.src, cls.key = source.uri, source.key
            # What a supervisor sees on the original (a server on its own copy
            # of the demo, so the migrations' source stays as cbpn demo left it).
            view = demo_database(tempfile.mkdtemp(prefix="view-", dir=cls.dir), "sqlite")
            srv = Server(database=view).start()
            try:
                cls.expected = cls.supervisor_view(srv)
            finally:
                srv.stop()
                srv.cleanup()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for db in cls.made:
            db.drop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @staticmethod
    def supervisor_view(srv):
        """{case code: (survivor name_km, name_latn)} of every case the
        supervisor may see."""
        tok = srv.login("supervisor")
        items, cursor = [], None
        for _ in range(100):
            path = "/api/v1/cases?limit=500" + ("&cursor=" + q(cursor) if cursor else "")
            st, _, v = srv.get(path, token=tok)
            assert st == 200, (path, st, v)
            items.extend(v["items"])
            cursor = v["next_cursor"]
            if not cursor:
                break
        view = {}
        for c in items:
            st, _, v = srv.get("/api/v1/cases/" + c["id"], token=tok)
            assert st == 200, (c["id"], st)
            s = v.get("survivor") or {}
            view[v["code"]] = (s.get("name_km"), s.get("name_latn"))
        return view

    def migrate(self, src, dst, key=None):
        args = [CBPN_BIN, "migrate", "--from", src, "--to", dst]
        if key:
            args += ["--key", key]
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=600 * SLOW, cwd=self.dir)
        return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")

    def assertVerified(self, rc, out, err):
        self.assertEqual(rc, 0, "exit %d\n%s\n%s" % (rc, out, err))
        for line in VERIFIED:
            self.assertIn(line, out)
        self.assertIn("--key " + self.key, out)
        # counts and table names only: no survivor's name
        names = {n for pair in self.expected.values() for n in pair if n}
        self.assertTrue(names)
        for n in names:
            self.assertNotIn(n, out + err)

    def assertSameCases(self, db):
        """db (a copy whose key is the source's) served: the supervisor sees
        what she saw on the original."""
        srv = Server(database=Database.at(db, self.key))
        try:
            srv.start()
            got = self.supervisor_view(srv)
        finally:
            srv.stop()
            srv.cleanup()
        self.assertTrue(self.expected)
        self.assertEqual(got, self.expected)

    def test_sqlite_into_sqlite(self):
        dst = os.path.join(self.dir, "copy.db")
        self.assertVerified(*self.migrate(self.src, dst))
        self.assertFalse(os.path.exists(dst + ".key"), "a second key file was made")
        self.assertSameCases(dst)

        before = file_digest(dst)
        rc, out, err = self.migrate(self.src, dst)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("holds data", err)
        self.assertEqual(file_digest(dst), before)

    def test_target_key_file_refused(self):
        dst = os.path.join(self.dir, "keyed.db")
        with open(dst + ".key", "wb") as f:
            f.write(b"\0" * 32)
        rc, out, err = self.migrate(self.src, dst)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("is not the data key", err)
        self.assertFalse(os.path.exists(dst))

    def test_wrong_key_refused(self):
        wrong = os.path.join(self.dir, "wrong.key")
        with open(wrong, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(wrong, 0o600)
        dst = os.path.join(self.dir, "wrong.db")
        rc, out, err = self.migrate(self.src, dst, wrong)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("is not this deployment's data key", err)
        self.assertFalse(os.path.exists(dst))

    @unittest.skipUnless(PG, "CBPN_TEST_PG is not set: no PostgreSQL server")
    def test_sqlite_into_postgres_and_back(self):
        target = Database.empty(self.dir, "migrate", "postgres")  # as a DBA makes it
        self.made.append(target)
        target.key = self.key  # the copy's key is the source's
        uri = target.uri
        rc, out, err = self.migrate(self.src, uri)
        self.assertVerified(rc, out, err)
        self.assertNotIn(uri, out + err)
        self.assertIn("copying sqlite into postgres", err)
        self.assertSameCases(uri)

        before = target.fingerprint()
        rc, out, err = self.migrate(self.src, uri)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("holds data", err)
        self.assertEqual(target.fingerprint(), before)

        # and back into a file, with the same key
        back = os.path.join(self.dir, "back.db")
        self.assertVerified(*self.migrate(uri, back, self.key))
        self.assertSameCases(back)


if __name__ == "__main__":
    unittest.main()
