"""The server's confinement (issue 9, item 7): seccomp and Landlock after
start-up, leaving root, and request bodies and JSON wiped after use. The
rest of the API suite runs with the same sandbox on: it is on by default."""

import ctypes
import os
import pwd
import re
import secrets
import time
import unittest
import urllib.parse

from cbpnserver import Server, ServerError

LANDLOCK_CREATE_RULESET = 444  # the same number on x86_64 and aarch64


def landlock_abi():
    """The kernel's Landlock ABI version, 0 when it has none."""
    libc = ctypes.CDLL(None, use_errno=True)
    v = libc.syscall(LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return v if v > 0 else 0


def status(pid):
    """/proc/PID/status as a dict of its fields."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


CHUNK = 8 << 20
REGION_MAX = 4 << 30


def heap_contains(pid, needles):
    """Which of needles (bytes) are in the writable private memory of pid
    (its heap, thread arenas, anonymous maps)."""
    found = set()
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            addr, perms = parts[0], parts[1]
            path = parts[5] if len(parts) > 5 else ""
            if not perms.startswith("rw") or (path and path not in ("[heap]", "[stack]")
                                              and not path.startswith("[anon")):
                continue
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if hi - lo > REGION_MAX:  # a sanitizer's shadow memory, not the heap
                continue
            tail = b""
            for at in range(lo, hi, CHUNK):
                try:
                    mem.seek(at)
                    chunk = tail + mem.read(min(CHUNK, hi - at))
                except (OSError, OverflowError, ValueError):
                    break
                for n in needles:
                    if n in chunk:
                        found.add(n)
                tail = chunk[-256:]  # a needle across two chunks
    return found


class SandboxTest(unittest.TestCase):
    def start(self, **kw):
        srv = Server(**kw)
        self.addCleanup(srv.cleanup)
        srv.start()
        self.addCleanup(srv.stop)
        return srv

    def assertServes(self, srv):
        """Signs in (a write: the session), lists cases (reads), and the
        server lives on."""
        tok = srv.login("caseworker1")
        st, _, v = srv.get("/api/v1/cases", token=tok)
        self.assertEqual(st, 200, v)
        st, _, v = srv.get("/healthz")
        self.assertEqual(st, 200)
        self.assertTrue(srv.alive(), srv.log_text()[-2000:])

    def test_seccomp_and_landlock_after_start_up(self):
        srv = self.start()
        s = status(srv.proc.pid)
        self.assertEqual(s["Seccomp"], "2", "no seccomp filter on the server")
        self.assertEqual(s["NoNewPrivs"], "1")
        self.assertServes(srv)
        want = ("landlock on" if landlock_abi() > 0
                else "landlock not supported by this kernel (seccomp only)")
        self.assertIn("sandbox: seccomp on; " + want, srv.log_text())
        # Every thread of the server is under the filter, not only the first.
        for tid in os.listdir("/proc/%d/task" % srv.proc.pid):
            with open("/proc/%d/task/%s/status" % (srv.proc.pid, tid)) as f:
                self.assertIn("Seccomp:\t2", f.read(), "thread %s is not filtered" % tid)
        self.assertEqual(srv.stop(), 0)

    def test_landlock_can_be_turned_off_seccomp_stays(self):
        srv = self.start(env={"CBPN_NO_LANDLOCK": "1"})
        self.assertEqual(status(srv.proc.pid)["Seccomp"], "2")
        self.assertServes(srv)
        self.assertIn("sandbox: seccomp on; landlock off (CBPN_NO_LANDLOCK=1)", srv.log_text())


@unittest.skipUnless(os.geteuid() == 0, "leaving root is tried when the tests run as root")
class LeaveRootTest(unittest.TestCase):
    def setUp(self):
        try:
            self.nobody = pwd.getpwnam("nobody")
        except KeyError:
            self.skipTest("no user nobody")

    def give_to_nobody(self, srv):
        """The server's folder, its database files and key to nobody."""
        paths = [srv.dir] + [os.path.join(srv.dir, n) for n in os.listdir(srv.dir)]
        paths.append(srv.key)
        for p in paths:
            if os.path.exists(p) and not p.endswith("server.log"):
                os.chown(p, self.nobody.pw_uid, self.nobody.pw_gid)

    def uids(self, srv):
        s = status(srv.proc.pid)
        return s["Uid"].split(), s["Gid"].split(), s["Groups"]

    def new(self, **kw):
        srv = Server(**kw)
        self.addCleanup(srv.cleanup)
        return srv

    def assertRunsAsNobody(self, srv):
        uid, gid, groups = self.uids(srv)
        self.assertEqual(uid, [str(self.nobody.pw_uid)] * 4)
        self.assertEqual(gid, [str(self.nobody.pw_gid)] * 4)
        self.assertEqual(groups, "", "supplementary groups kept")
        self.assertEqual(status(srv.proc.pid)["Seccomp"], "2")
        tok = srv.login("caseworker1")  # a write, as nobody
        st, _, _ = srv.get("/api/v1/cases", token=tok)
        self.assertEqual(st, 200)
        self.assertIn("left root: running as uid %d" % self.nobody.pw_uid, srv.log_text())

    def test_root_owned_database_stays_root_and_says_so(self):
        srv = self.new()
        srv.start()
        self.addCleanup(srv.stop)
        self.assertEqual(self.uids(srv)[0], ["0"] * 4)
        self.assertIn("running as root", srv.log_text())

    def test_user_option_needs_files_it_can_use(self):
        srv = self.new(extra_args=["--user", "nobody"])
        with self.assertRaises(ServerError):
            srv.start()
        log = srv.log_text()
        self.assertRegex(log, r"cbpn: the (file|folder) \S+ is owned by root \(uid 0\) with mode "
                              r"0[0-7]{3}: user nobody \(uid %d\) cannot (read|write) it"
                         % self.nobody.pw_uid)
        self.assertNotIn("serving on", log)

    def test_user_option_switches_user(self):
        srv = self.new(extra_args=["--user", "nobody"])
        self.give_to_nobody(srv)
        srv.start()
        self.addCleanup(srv.stop)
        self.assertRunsAsNobody(srv)
        self.assertEqual(srv.stop(), 0)

    def test_database_owner_is_the_user(self):
        srv = self.new()
        self.give_to_nobody(srv)
        srv.start()
        self.addCleanup(srv.stop)
        self.assertRunsAsNobody(srv)

    def test_unknown_user_refused(self):
        srv = self.new(extra_args=["--user", "no-such-user-cbpn"])
        with self.assertRaises(ServerError):
            srv.start()
        self.assertIn("--user no-such-user-cbpn: no such user", srv.log_text())


class WipedTest(unittest.TestCase):
    """A password sent in a JSON body and in a form is not left in the
    server's memory once the request is answered (its body, the decoded
    form values and jansson's strings are wiped before they are freed)."""

    def test_passwords_not_left_in_memory(self):
        if os.geteuid() != 0 and not os.access("/proc/self/mem", os.R_OK):
            self.skipTest("reading another process's memory needs root")
        srv = Server()
        self.addCleanup(srv.cleanup)
        srv.start()
        self.addCleanup(srv.stop)
        json_pw = "WipeJson-" + secrets.token_hex(12)
        form_pw = "WipeForm-" + secrets.token_hex(12)
        srv.secrets.update((json_pw, form_pw))
        for _ in range(2):
            st, _, _ = srv.post("/api/v1/session", {"username": "caseworker1", "password": json_pw})
            self.assertEqual(st, 401)
        st, h, page = srv.request("GET", "/login")
        self.assertEqual(st, 200)
        csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
        cookie = "; ".join(sc.split(";", 1)[0] for sc in h.get_all("Set-Cookie") or [])
        for _ in range(2):
            form = urllib.parse.urlencode({"csrf": csrf, "username": "caseworker2",
                                           "password": form_pw}).encode()
            st, _, _ = srv.request("POST", "/login", raw=form,
                                   content_type="application/x-www-form-urlencoded",
                                   headers={"Cookie": cookie})
            self.assertIn(st, (200, 401), "the form sign-in was not tried")
        # The connections end (and their requests are freed) a moment after
        # the answers arrived: looked for again until then, 10 s at most.
        deadline = time.monotonic() + 10
        while True:
            found = heap_contains(srv.proc.pid, [json_pw.encode(), form_pw.encode()])
            if not found or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertFalse(found, "left in the server's memory: %r" % found)


if __name__ == "__main__":
    unittest.main()
