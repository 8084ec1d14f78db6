"""The command line contract: exit status 0 ok, 1 failure, 2 usage; every
refusal leaves the files as they were.

On the backend the suite runs on (CBPN_TEST_BACKEND): a SQLite file, or a
PostgreSQL database (--db URI --key FILE) that the test makes empty first,
as a DBA would."""

import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from cbpnserver import CBPN_BIN, SLOW, Database, Server, demo_database

COMMANDS = ("init", "user", "demo", "serve", "agencies", "backup", "restore")


def run(*args, stdin=None, timeout=120):
    p = subprocess.run([CBPN_BIN, *args], input=stdin.encode() if stdin is not None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout * SLOW)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cbpn-cli-")
        cls.made = []  # the databases to drop at the end
        try:
            cls.x = cls.database("x")
            rc, out, err = run("init", *cls.x.args())
            assert rc == 0, err
        except BaseException:
            cls.tearDownClass()
            raise
        cls.db = cls.x.uri

    @classmethod
    def tearDownClass(cls):
        for db in cls.made:
            db.drop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def database(cls, stem):
        """An empty database (a file path that does not exist yet for SQLite)."""
        db = Database.empty(cls.dir, stem)
        cls.made.append(db)
        return db

    def clone(self, stem):
        db = self.x.clone(self.dir, stem)
        self.made.append(db)
        return db

    def users(self, db=None):
        return {r[0]: r[1] for r in (db or self.x).rows("SELECT username, role FROM users")}

    def assertNoSchema(self, db):
        """db holds nothing: no file (SQLite), no table (PostgreSQL)."""
        if db.backend == "sqlite":
            stem = os.path.splitext(os.path.basename(db.uri))[0]
            self.assertFalse([f for f in os.listdir(os.path.dirname(db.uri))
                              if f.startswith(stem)])
        else:
            self.assertEqual(db.tables(), [])
            self.assertFalse(os.path.exists(db.key), "a key file was left: %s" % db.key)

    # ---- help and usage ----

    def test_no_command_is_a_usage_error(self):
        rc, out, err = run()
        self.assertEqual(rc, 2)
        self.assertIn("usage:", err)

    def test_help_lists_every_command(self):
        for flag in ("--help", "-h", "help"):
            rc, out, _ = run(flag)
            self.assertEqual(rc, 0)
            for c in COMMANDS:
                self.assertIn(c, out)

    def test_every_command_has_help(self):
        for c in COMMANDS:
            with self.subTest(command=c):
                rc, out, _ = run(c, "--help")
                self.assertEqual(rc, 0)
                self.assertTrue(out.startswith("usage: cbpn %s" % c), out)

    def test_unknown_command_and_options_are_usage_errors(self):
        self.assertEqual(run("bogus")[0], 2)
        self.assertEqual(run("init")[0], 2)                      # --db missing
        self.assertEqual(run("init", *self.x.args(), "extra")[0], 2)
        self.assertEqual(run("init", "--nope")[0], 2)
        self.assertEqual(run("user")[0], 2)
        self.assertEqual(run("user", "remove", *self.x.args())[0], 2)
        self.assertEqual(run("serve", *self.x.args(), "--threads", "0")[0], 2)
        if self.x.backend == "postgres":  # a URI needs --key
            for c in (["init"], ["demo"], ["serve"],
                      ["user", "add", "--username", "u-nokey", "--role", "admin"]):
                with self.subTest(command=c):
                    self.assertEqual(run(*c, "--db", self.db, stdin="a-long-enough-password\n")[0],
                                     2)

    # ---- init ----

    def test_init_makes_a_private_key_and_loads_the_gazetteer(self):
        mode = stat.S_IMODE(os.stat(self.x.key).st_mode)
        self.assertEqual(mode & 0o077, 0, "%s is readable by others: %o" % (self.x.key, mode))
        with open(self.x.key, "rb") as f:  # a keyring of one key: "key <id> <key>"
            self.assertRegex(f.read().decode(), r"\Acbpn-keyring 1\nkey [0-9a-f]{8} [0-9a-f]{64}\n\Z")
        audit = self.x.key + ".audit"  # the audit keys, beside it, as private
        self.assertEqual(stat.S_IMODE(os.stat(audit).st_mode) & 0o077, 0)
        with open(audit) as f:
            self.assertEqual(f.readline(), "cbpn audit keys v1\n")
        n = dict(self.x.rows("SELECT level, count(*) FROM location GROUP BY level"))
        self.assertEqual(n, {"province": 25, "district": 210, "commune": 1652,
                             "village": 14578})

    def test_init_makes_a_private_database_file(self):
        if self.x.backend != "sqlite":
            self.skipTest("SQLite file: on PostgreSQL the database is no file of cbpn's")
        mode = stat.S_IMODE(os.stat(self.x.uri).st_mode)
        self.assertEqual(mode & 0o077, 0, "%s is readable by others: %o" % (self.x.uri, mode))

    def test_init_refuses_an_existing_database_and_changes_nothing(self):
        before = self.x.fingerprint(), digest(self.x.key)
        rc, _, err = run("init", *self.x.args())
        self.assertEqual(rc, 1)
        self.assertRegex(err, "already exists|not empty")
        self.assertEqual((self.x.fingerprint(), digest(self.x.key)), before)
        if self.x.backend == "postgres":  # and with another key file (a file's is FILE.key)
            other = os.path.join(self.dir, "other.key")
            rc, _, err = run("init", "--db", self.db, "--key", other)
            self.assertEqual(rc, 1, err)
            self.assertFalse(os.path.exists(other), "init made a key for a database it refused")
            self.assertEqual(self.x.fingerprint(), before[0])

    # ---- user add ----

    def test_user_add_prints_the_new_id(self):
        rc, out, err = run("user", "add", *self.x.args(), "--username", "cliadmin", "--role",
                           "admin", stdin="a-long-enough-password\n")
        self.assertEqual(rc, 0, err)
        self.assertRegex(out.strip(), r"^[a-z2-7]{20}$")
        self.assertEqual(self.users().get("cliadmin"), "admin")
        self.assertNotIn("a-long-enough-password", out + err)

    def test_user_add_refusals_write_nothing(self):
        cases = [
            (["--username", "u-short", "--role", "admin"], "short\n", "password"),
            (["--username", "u-role", "--role", "wizard"], "a-long-enough-password\n", "role"),
            (["--username", "u-member", "--role", "member"], "a-long-enough-password\n",
             "group"),
            (["--username", "u-empty", "--role", "admin"], "", "password"),
            (["--username", "u-common", "--role", "admin"], "Basketball\n", "common password"),
            (["--username", "u-common2", "--role", "admin"], "password12345\n",
             "common password"),
            (["--username", "u-itself", "--role", "admin"], "U-Itself-2026\n", "username"),
            (["--username", "Bad Name!", "--role", "admin"], "a-long-enough-password\n",
             "username"),
        ]
        for args, stdin, word in cases:
            with self.subTest(args=args):
                before = self.users()
                rc, out, err = run("user", "add", *self.x.args(), *args, stdin=stdin)
                self.assertEqual(rc, 1, out + err)
                self.assertIn(word, err)
                self.assertEqual(self.users(), before)

    def test_user_add_refuses_a_taken_username(self):
        run("user", "add", *self.x.args(), "--username", "twice", "--role", "analyst",
            stdin="a-long-enough-password\n")
        rc, _, err = run("user", "add", *self.x.args(), "--username", "twice", "--role",
                         "admin", stdin="another-long-password\n")
        self.assertEqual(rc, 1)
        self.assertIn("username", err)
        self.assertEqual(self.users()["twice"], "analyst")

    # ---- serve ----

    def test_serve_refuses_a_missing_database_without_creating_it(self):
        missing = Database.missing(self.dir, "missing", self.x.key)
        rc, _, err = run("serve", *missing.args(), "--listen", "127.0.0.1:0")
        self.assertEqual(rc, 1, err)
        self.assertIn("does not exist", err)
        self.assertFalse(missing.exists())
        if missing.backend == "postgres":  # the DBA makes the database; init only sets it up
            missing.key = os.path.join(self.dir, "missing.key")
            rc, _, err = run("init", *missing.args())
            self.assertEqual(rc, 1, err)
            self.assertIn("does not exist", err)
            self.assertFalse(missing.exists())
            self.assertFalse(os.path.exists(missing.key), "init made a key for no database")

    def test_serve_refuses_a_malformed_listen_address(self):
        for listen in ("bad", "127.0.0.1", "127.0.0.1:99999", "localhost:8080", ":8080"):
            with self.subTest(listen=listen):
                self.assertEqual(run("serve", *self.x.args(), "--listen", listen)[0], 2)

    def test_a_database_from_a_newer_cbpn_is_refused_untouched(self):
        newer = self.clone("newer")
        newer.execute("INSERT INTO schema_migration (version, applied_at) "
                      "VALUES (99, '2030-01-01T00:00:00Z')")
        before = newer.fingerprint()
        for args in (["serve", *newer.args(), "--listen", "127.0.0.1:0"],
                     ["user", "add", *newer.args(), "--username", "x", "--role", "admin"]):
            with self.subTest(command=args[0]):
                rc, _, err = run(*args, stdin="a-long-enough-password\n")
                self.assertEqual(rc, 1)
                self.assertIn("newer than this cbpn", err)
                self.assertEqual(newer.fingerprint(), before)

    def test_serve_refuses_a_key_others_can_read(self):
        loose = self.clone("loose")
        os.chmod(loose.key, 0o644)
        rc, _, err = run("serve", *loose.args(), "--listen", "127.0.0.1:0")
        self.assertEqual(rc, 1)
        self.assertIn("chmod", err)

    def test_serve_secure_cookies_marks_every_cookie_secure(self):
        for args, want in (([], False), (["--secure-cookies"], True)):
            with self.subTest(args=args):
                srv = Server(extra_args=args).start()
                try:
                    st, h, _ = srv.request("GET", "/login?lang=en")
                    self.assertEqual(st, 200)
                    cookies = h.get_all("Set-Cookie") or []
                    self.assertEqual(len(cookies), 2, cookies)  # cbpn_lang, cbpn_pre
                    for c in cookies:
                        self.assertEqual("; Secure" in c, want, c)
                finally:
                    self.assertEqual(srv.stop(), 0)
                    srv.cleanup()

    # ---- demo ----

    def test_demo_with_a_short_password_leaves_no_file(self):
        db = self.database("short-demo")
        rc, _, err = run("demo", *db.args(), "--password-stdin", stdin="short\n")
        self.assertEqual(rc, 1)
        self.assertNoSchema(db)

    def test_demo_refuses_a_database_that_has_data(self):
        d = tempfile.mkdtemp(prefix="cbpn-cli-demo-", dir=self.dir)
        db = demo_database(d)
        self.made.append(db)
        before = db.fingerprint(), digest(db.key)
        rc, _, err = run("demo", *db.args(), "--password-stdin", stdin="demo-password-2\n")
        self.assertEqual(rc, 1)
        self.assertEqual((db.fingerprint(), digest(db.key)), before)

    def test_demo_prints_a_new_password_for_every_user(self):
        db = self.database("fresh-demo")
        rc, out, err = run("demo", *db.args(), timeout=600)
        self.assertEqual(rc, 0, err)
        if db.backend == "sqlite":  # built under another name and renamed once complete
            # with the key: the audit keys and the head the command signed
            self.assertEqual(sorted(f for f in os.listdir(self.dir) if f.startswith("fresh-demo")),
                             ["fresh-demo.db", "fresh-demo.db.key", "fresh-demo.db.key.audit",
                              "fresh-demo.db.key.head.cli"])
        for key in (db.key, db.key + ".audit"):
            mode = stat.S_IMODE(os.stat(key).st_mode)
            self.assertEqual(mode & 0o077, 0, "%s is readable by others: %o" % (key, mode))
        rc, out_v, err_v = run("audit", "verify", *db.args())
        self.assertEqual(rc, 0, out_v + err_v)
        self.assertIn("1 signed head", out_v)
        lines = [l.split("\t") for l in out.strip().splitlines()]
        users = self.users(db)
        self.assertEqual({l[0] for l in lines}, set(users))
        for name in ("admin", "supervisor", "caseworker1", "caseworker2", "analyst", "shelter",
                     "legal", "counsel", *("rep%d" % i for i in range(1, 9)),
                     *("member%d" % i for i in range(1, 9))):
            self.assertIn(name, users)
        passwords = [l[1] for l in lines]
        self.assertTrue(all(len(p) >= 12 for p in passwords))
        self.assertEqual(len(set(passwords)), len(passwords))
        self.assertEqual(users["rep1"], "representative")
        self.assertEqual(users["caseworker1"], "caseworker")


if __name__ == "__main__":
    unittest.main()
