"""The data key ring (issue 9, item 1): key ids in sealed values, `cbpn key
rotate` while the server runs, case keys, and a key file wrapped by a
passphrase.

A sealed value's first byte says how it was sealed (src/crypto/crypto.c):
2 = under a data key whose 4-byte id follows, 3 = under its case's own key
(kept in case_key, wrapped: itself a value of format 2). Expectations here
are read from the stored bytes, not from the code that wrote them.

Runs on both backends (CBPN_TEST_BACKEND, see cbpnserver.py).
"""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from cbpnserver import CBPN_BIN, SLOW, Server, ServerError, ServerTestCase, demo_database

NAME = "Sophea Testrotate"
NAME_KM = "សុភា តេស្ត"
PHONE = "012 777 4321"


def run(args, env=None, stdin=None, timeout=120):
    p = subprocess.run([CBPN_BIN, *args], input=stdin.encode() if stdin is not None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout * SLOW,
                       env=dict(os.environ, **env) if env else None)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def key_ids(out):
    """The ids `cbpn key show` lists, oldest first, and the current one."""
    ids = re.findall(r"^  ([0-9a-f]{8})", out, re.M)
    cur = re.findall(r"^  ([0-9a-f]{8})  current", out, re.M)
    return ids, cur[0] if cur else None


def sealed_by(b):
    """'case' or the data key id of a stored sealed value."""
    b = bytes(b)
    if b[0] == 3:
        return "case"
    if b[0] == 2:
        return b[1:5].hex()
    return "v%d" % b[0]


class KeyRotationTest(ServerTestCase):

    def report(self):
        body = {"location_code": "17071001", "concerns": ["unsafe_migration"],
                "summary": "Rotation test summary.", "consent_to_contact": True, "urgent": False,
                "survivor": {"sex": "female", "name_latn": NAME, "name_km": NAME_KM,
                             "phone": PHONE}}
        st, _, v = self.req("POST", "/api/v1/cases", body, as_user="caseworker1")
        self.assertEqual(st, 201, v)
        return v

    def members_sealed_by(self):
        return {sealed_by(r[0]) for r in self.srv.rows(
            "SELECT identity FROM member WHERE identity IS NOT NULL")}

    def test_rotation_while_the_server_runs(self):
        srv = self.srv
        srv.secrets.update([NAME, NAME_KM, PHONE])
        rc, out, err = run(["key", "show", *srv.db_args()])
        self.assertEqual(rc, 0, err)
        (old,), cur = key_ids(out)
        self.assertEqual(cur, old)
        before = self.report()
        # What the demo wrote: members under the data key, cases under case keys.
        self.assertEqual(self.members_sealed_by(), {old})
        cases = srv.rows("SELECT s.identity FROM survivor s WHERE s.case_id = ?", (before["id"],))
        self.assertEqual(sealed_by(cases[0][0]), "case")
        wrapped = {sealed_by(r[0]) for r in srv.rows("SELECT wrapped FROM case_key")}
        self.assertEqual(wrapped, {old})
        n_keys = srv.count("case_key")
        self.assertGreaterEqual(n_keys, srv.count("cases"))

        rc, out, err = run(["key", "rotate", *srv.db_args()])
        self.assertEqual(rc, 0, err)
        ids, new = key_ids(out)
        self.assertEqual(ids[0], old)
        self.assertEqual(len(ids), 2)
        self.assertNotEqual(new, old)
        m = re.search(r"sealed again under %s: (\d+) values; case keys wrapped again: (\d+)" % new,
                      out)
        self.assertIsNotNone(m, out)
        self.assertGreater(int(m.group(1)), 0)
        self.assertEqual(int(m.group(2)), n_keys)

        # Everything the rotation could re-seal is under the new key.
        self.assertEqual(self.members_sealed_by(), {new})
        self.assertEqual({sealed_by(r[0]) for r in srv.rows("SELECT wrapped FROM case_key")},
                         {new})
        for table, col in (("migrant_advice", "person"), ("training", "facilitator_outside")):
            got = {sealed_by(r[0]) for r in srv.rows(
                "SELECT %s FROM %s WHERE %s IS NOT NULL" % (col, table, col))}
            self.assertTrue(got <= {new}, (table, got))
        # The case's own fields did not change: only its key's wrapping did.
        after = srv.rows("SELECT s.identity FROM survivor s WHERE s.case_id = ?", (before["id"],))
        self.assertEqual(bytes(after[0][0]), bytes(cases[0][0]))

        # The running server reads what it wrote before and writes under the
        # new key (it reread the key file).
        st, _, v = self.req("GET", "/api/v1/cases/" + before["id"], as_user="caseworker1")
        self.assertEqual(st, 200, v)
        self.assertEqual(v["survivor"]["name_latn"], NAME)
        self.assertEqual(v["survivor"]["phone"], PHONE)
        gid = srv.rows("SELECT id FROM network_group ORDER BY id LIMIT 1")[0][0]
        st, _, mem = self.req("POST", "/api/v1/groups/%s/members" % gid,
                              {"name_latn": "Rotated Member", "name_km": "សុខ ស្រីនាង",
                               "sex": "female", "birth_year": 1990,
                               "network_roles": ["member"]}, as_user="supervisor")
        self.assertEqual(st, 201, mem)
        got = srv.rows("SELECT identity FROM member WHERE id = ?", (mem["id"],))
        self.assertEqual(sealed_by(got[0][0]), new)
        fresh = self.report()
        st, _, v = self.req("GET", "/api/v1/cases/" + fresh["id"], as_user="caseworker1")
        self.assertEqual((st, v["survivor"]["name_km"]), (200, NAME_KM))
        wrapped = srv.rows("SELECT wrapped FROM case_key WHERE case_id = ?", (fresh["id"],))
        self.assertEqual(sealed_by(wrapped[0][0]), new)
        # Search by name (blind indexes under the ring's first key) still works.
        st, _, found = self.req("GET", "/api/v1/cases?q=" + "Sophea", as_user="caseworker1")
        self.assertEqual(st, 200, found)
        self.assertIn(before["id"], [c["id"] for c in found["items"]])

        # A second run finds nothing left to do; the rotation is audited and
        # the chain intact.
        rc, out, err = run(["key", "reseal", *srv.db_args()])
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r"sealed again under %s: 0 values; case keys wrapped again: 0" % new)
        self.assertGreaterEqual(srv.count("audit", "WHERE record_type = 'data_key' AND record_id = ?",
                                          (new,)), 2)
        rc, out, err = run(["audit", "verify", *srv.db_args()])
        self.assertEqual(rc, 0, out + err)

        # A server started afresh on the rotated key file opens everything.
        twin = srv.twin()
        try:
            twin.start()
            tok = twin.login("caseworker1")
            st, _, v = twin.get("/api/v1/cases/" + before["id"], token=tok)
            self.assertEqual((st, v["survivor"]["name_latn"]), (200, NAME))
            st, _, v = twin.get("/api/v1/groups/%s/members?q=Rotated" % gid,
                                token=twin.login("supervisor"))
            self.assertEqual(st, 200, v)
            self.assertEqual([m["name_latn"] for m in v["items"] if m["id"] == mem["id"]],
                             ["Rotated Member"])
        finally:
            twin.stop()
            twin.cleanup()

    def test_key_usage(self):
        for args, want in ((["key"], 2), (["key", "spin", "--db", "x"], 2),
                           (["key", "rotate"], 2), (["key", "--help"], 0)):
            with self.subTest(args=args):
                rc, out, err = run(args)
                self.assertEqual(rc, want, out + err)
                self.assertIn("usage: cbpn key", out + err)


class WrappedKeyTest(unittest.TestCase):
    """A key file wrapped by a passphrase, on a database of its own."""

    PASS = "a long passphrase for tests"

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cbpn-keys-")
        cls.database = demo_database(cls.dir)
        cls.pass_file = os.path.join(cls.dir, "passphrase")
        with open(cls.pass_file, "w") as f:
            f.write(cls.PASS + "\n")
        os.chmod(cls.pass_file, 0o600)

    @classmethod
    def tearDownClass(cls):
        cls.database.drop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def env(self, path=None):
        return {"CBPN_PASSPHRASE_FILE": path or self.pass_file}

    def test_wrap_serve_unwrap(self):
        args = self.database.args()
        with open(self.database.key, "rb") as f:
            plain = f.read().decode()
        key_hex = re.findall(r"^key [0-9a-f]{8} ([0-9a-f]{64})$", plain, re.M)
        self.assertEqual(len(key_hex), 1)

        rc, out, err = run(["key", "wrap", *args], stdin="too short\n")
        self.assertEqual(rc, 2, out + err)  # at least 12 characters
        with open(self.database.key, "rb") as f:
            self.assertEqual(f.read().decode(), plain)  # refused: unchanged

        rc, out, err = run(["key", "wrap", *args], env=self.env())
        self.assertEqual(rc, 0, err)
        with open(self.database.key, "rb") as f:
            wrapped = f.read().decode()
        self.assertTrue(wrapped.startswith("cbpn-keyring 1 argon2id "), wrapped[:40])
        self.assertNotIn(key_hex[0], wrapped)
        self.assertEqual(os.stat(self.database.key).st_mode & 0o077, 0)

        # Every command needs the passphrase now: none, a wrong one, the right one.
        rc, out, err = run(["key", "show", *args], stdin="")
        self.assertEqual(rc, 1)
        self.assertIn("passphrase", err)
        rc, out, err = run(["key", "show", *args], stdin="not the passphrase at all\n")
        self.assertEqual(rc, 1)
        self.assertIn("passphrase is wrong", err)
        rc, out, err = run(["key", "show", *args], stdin=self.PASS + "\n")
        self.assertEqual(rc, 0, err)
        self.assertIn("wrapped by a passphrase", out)

        # The server: without it, it does not start; with it, it serves the
        # sealed data, and a rotation keeps the file wrapped under it.
        with self.assertRaises(ServerError):
            bare = Server(database=self.database)
            try:
                bare.start()
            finally:
                bare.stop()
                bare.cleanup()
        srv = Server(database=self.database, env=self.env())
        try:
            srv.start()
            st, _, v = srv.get("/api/v1/cases?limit=1", token=srv.login("caseworker1"))
            self.assertEqual(st, 200, v)
            cid = v["items"][0]["id"]
            st, _, v = srv.get("/api/v1/cases/" + cid, token=srv.login("caseworker1"))
            self.assertEqual(st, 200, v)
            rc, out, err = run(["key", "rotate", *args], env=self.env())
            self.assertEqual(rc, 0, err)
            with open(self.database.key, "rb") as f:
                self.assertTrue(f.read().startswith(b"cbpn-keyring 1 argon2id "))
            st, _, v2 = srv.get("/api/v1/cases/" + cid, token=srv.login("caseworker1"))
            self.assertEqual((st, v2.get("survivor")), (200, v.get("survivor")))
        finally:
            self.assertEqual(srv.stop(), 0)
            srv.cleanup()

        rc, out, err = run(["key", "unwrap", *args], env=self.env())
        self.assertEqual(rc, 0, err)
        rc, out, err = run(["key", "show", *args], stdin="")
        self.assertEqual(rc, 0, err)
        self.assertIn("2 keys, not wrapped", out)


if __name__ == "__main__":
    unittest.main()
