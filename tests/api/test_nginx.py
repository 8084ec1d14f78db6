"""cbpn behind nginx, with the proxy settings of deploy/nginx/: two `cbpn
serve` on one database behind an unprivileged nginx on loopback.

- `nginx -t` accepts the shipped deploy/nginx/cbpn.conf (its placeholders
  replaced by a self-signed certificate and paths in a temporary directory);
- the nginx of the test includes deploy/nginx/cbpn-proxy.conf itself, and the
  upstream block of cbpn.conf with the two servers' ports: what is tested is
  what is shipped;
- a session opened through nginx is answered by both servers, and by the one
  left when the other dies;
- with --trusted-proxy 127.0.0.1 the sign-in limit per address counts the
  address nginx saw (two client addresses, 127.0.0.2 and 127.0.0.3, are
  limited apart) and not what a client wrote in X-Forwarded-For;
- a POST that reached a server which then died is not retried by nginx on the
  other (502; nothing created), a GET is; the client's retry with the same
  Idempotency-Key creates the record once.

Skipped when nginx is not installed (Debian package nginx, scripts/deps.sh).
"""

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cbpnserver import (DEMO_PASSWORD, REPO, SLOW, SOCKET_TIMEOUT, Server,  # noqa: E402
                        contract, free_port)

DEPLOY = os.path.join(REPO, "deploy", "nginx")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                  else None)
OPENSSL = shutil.which("openssl")
PROXY_CONF = os.path.join(DEPLOY, "cbpn-proxy.conf")
SITE_CONF = os.path.join(DEPLOY, "cbpn.conf")

# The access log of the test's nginx: which cbpn server answered what.
TEST_LOG_FORMAT = "'$remote_addr $request_method $uri $status \"$upstream_addr\" \"$upstream_status\"'"


def report(summary):
    return {"location_code": "17071001", "concerns": ["unsafe_migration"], "summary": summary,
            "survivor": {"sex": "female", "age": 29}}


def upstream_block(ports):
    """The `upstream cbpn { ... }` block of the shipped cbpn.conf, with its
    cbpn servers replaced by 127.0.0.1:port (one line per port)."""
    with open(SITE_CONF, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^upstream cbpn \{.*?^\}", text, re.S | re.M)
    if m is None:
        raise AssertionError("deploy/nginx/cbpn.conf has no `upstream cbpn { ... }` block")
    lines = m.group(0).split("\n")
    at = [i for i, ln in enumerate(lines) if re.match(r"\s*server\s+\S+:\d+", ln)]
    if len(at) < 2:
        raise AssertionError("upstream cbpn names fewer than two cbpn servers")
    ours = [re.sub(r"(server\s+)\S+:\d+", r"\g<1>127.0.0.1:%d" % p, lines[at[0]]) for p in ports]
    kept = [ln for i, ln in enumerate(lines) if i not in at]
    return "\n".join(kept[:at[0]] + ours + kept[at[0]:])


def run_as_nobody():
    """Popen arguments that drop root (nginx as root would switch its workers
    to another user): nginx runs unprivileged either way."""
    if os.geteuid() != 0:
        return {}
    return {"user": "nobody", "group": "nogroup"}


def give_to_nobody(path):
    if os.geteuid() != 0:
        return
    import grp
    import pwd
    uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, gid)
        for name in files:
            os.chown(os.path.join(root, name), uid, gid)


class Nginx:
    """nginx -p DIR in the foreground, in front of the given cbpn ports."""

    def __init__(self, ports):
        self.dir = tempfile.mkdtemp(prefix="cbpn-nginx-")
        self.port = free_port()
        self.access_log = os.path.join(self.dir, "access.log")
        self.error_log = os.path.join(self.dir, "error.log")
        for d in ("tmp", "logs"):
            os.mkdir(os.path.join(self.dir, d))
        shutil.copy(PROXY_CONF, os.path.join(self.dir, "cbpn-proxy.conf"))
        self.write_conf(ports)
        self.proc = None

    def temp_paths(self):
        t = os.path.join(self.dir, "tmp")
        return "".join("    %s_temp_path %s/%s;\n" % (k, t, k)
                       for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))

    def write_conf(self, ports):
        conf = ("worker_processes 1;\n"
                "pid %(d)s/nginx.pid;\n"
                "error_log %(d)s/error.log info;\n"
                "events { worker_connections 256; }\n"
                "http {\n%(temp)s"
                "    log_format test %(fmt)s;\n"
                "    access_log %(d)s/access.log test;\n"
                "%(upstream)s\n"
                "    server {\n"
                "        listen 127.0.0.1:%(port)d;\n"
                "        include %(d)s/cbpn-proxy.conf;\n"
                "    }\n"
                "}\n") % {"d": self.dir, "temp": self.temp_paths(), "fmt": TEST_LOG_FORMAT,
                          "upstream": upstream_block(ports), "port": self.port}
        with open(os.path.join(self.dir, "nginx.conf"), "w", encoding="utf-8") as f:
            f.write(conf)

    def command(self, conf, *more):
        return [NGINX, "-p", self.dir + "/", "-e", self.error_log, "-c", conf, *more]

    def start(self):
        give_to_nobody(self.dir)
        self.proc = subprocess.Popen(
            self.command(os.path.join(self.dir, "nginx.conf"), "-g", "daemon off;"),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            **run_as_nobody())
        for _ in range(int(200 * SLOW)):
            if self.proc.poll() is not None:
                break
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/healthz")
                c.getresponse().read()
                c.close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not start (exit %s):\n%s" % (
            self.proc.poll(), self.read(self.error_log)[-3000:]))

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def cleanup(self):
        if os.environ.get("CBPN_TEST_KEEP") == "1":
            sys.stderr.write("nginx test dir kept: %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def read(path):
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_lines(self, method, uri):
        """(client, status, [upstream addresses], [upstream statuses]) of every
        logged request for method and uri, oldest first."""
        time.sleep(0.2)  # nginx logs a request after its answer went out
        out = []
        rx = re.compile(r'^(\S+) (\S+) (\S+) (\d+) "([^"]*)" "([^"]*)"$')
        for line in self.read(self.access_log).splitlines():
            m = rx.match(line)
            if m and m.group(2) == method and m.group(3) == uri:
                ups = [u.strip() for u in re.split(r"[,:]\s", m.group(5)) if u.strip()]
                out.append((m.group(1), int(m.group(4)), ups,
                            [s.strip() for s in re.split(r"[,:]\s", m.group(6)) if s.strip()]))
        return out


@unittest.skipIf(NGINX is None, "nginx is not installed (Debian package nginx; scripts/deps.sh)")
class NginxTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.a = cls.b = cls.nginx = None
        try:
            cls.a = Server(["--trusted-proxy", "127.0.0.1"]).start()
            cls.b = cls.a.twin().start()
            cls.nginx = Nginx([cls.a.port, cls.b.port]).start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in (cls.nginx, cls.a, cls.b):
            if s is not None:
                s.stop()
        for s in (cls.nginx, cls.b, cls.a):  # a's directory holds the database
            if s is not None:
                s.cleanup()

    # ---- requests through nginx ----

    def call(self, method, path, body=None, token=None, headers=None, source="127.0.0.1",
             timeout=SOCKET_TIMEOUT):
        """One request to nginx from the source address. Returns (status,
        headers, value); cbpn's answers are checked against docs/openapi.yaml,
        nginx's own (a 502) are not."""
        data = json.dumps(body).encode() if body is not None else None
        h = {"Content-Type": "application/json"} if data is not None else {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.nginx.port, timeout=timeout,
                                       source_address=(source, 0))
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            payload = r.read()
        finally:
            c.close()
        ctype = r.getheader("Content-Type") or ""
        value = payload
        if ctype.startswith("application/json") and payload:
            value = json.loads(payload.decode("utf-8"))
        if r.getheader("Content-Security-Policy"):  # cbpn's answer, not nginx's
            contract().check(method, path, r.status, ctype, payload, value)
        return r.status, r.msg, value

    def sign_in(self, username, password=DEMO_PASSWORD, source="127.0.0.1", headers=None):
        st, _, v = self.call("POST", "/api/v1/session", {"username": username,
                                                          "password": password},
                             source=source, headers=headers)
        if st == 201:
            self.a.secrets.add(v["token"])
        return st, v

    def token(self, username):
        st, v = self.sign_in(username)
        self.assertEqual(st, 201, "sign-in through nginx: %r" % (v,))
        return v["token"]

    def upstream(self, srv):
        return "127.0.0.1:%d" % srv.port

    def count_cases(self):
        return self.b.count(self.b.find_table("cases", "case", "case_record"))

    # ---- the shipped configuration ----

    def test_shipped_settings(self):
        with open(PROXY_CONF, encoding="utf-8") as f:
            proxy = re.sub(r"#[^\n]*", "", f.read())
        with open(SITE_CONF, encoding="utf-8") as f:
            site = re.sub(r"#[^\n]*", "", f.read())
        self.assertIn("include /etc/nginx/cbpn-proxy.conf;", site)
        self.assertRegex(proxy, r"\bproxy_next_upstream\s+error\s+timeout\s*;")
        self.assertNotIn("non_idempotent", proxy + site, "a POST that reached a server could "
                         "be sent to another and create twice")
        self.assertRegex(proxy, r"\bproxy_set_header\s+X-Forwarded-For\s+\$remote_addr\s*;")
        self.assertNotIn("$proxy_add_x_forwarded_for", proxy + site,
                         "X-Forwarded-For must be set, not appended to")
        self.assertRegex(proxy, r"\bproxy_set_header\s+Host\s+\$host\s*;")
        self.assertRegex(proxy, r"\bproxy_cache\s+off\s*;")
        self.assertNotRegex(proxy + site, r"\b(ip_hash|hash|sticky)\b",
                            "sessions are in the database: no sticky sessions")
        with open(os.path.join(REPO, "src", "http", "http.h"), encoding="utf-8") as f:
            m = re.search(r"#define HTTP_BODY_MAX\s+\((\d+) \* (\d+)\)", f.read())
        self.assertIsNotNone(m, "HTTP_BODY_MAX not found in src/http/http.h")
        limit = int(m.group(1)) * int(m.group(2))
        m = re.search(r"\bclient_max_body_size\s+(\d+)([km]?)\s*;", proxy)
        self.assertIsNotNone(m, "no client_max_body_size in cbpn-proxy.conf")
        size = int(m.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[m.group(2)]
        self.assertEqual(size, limit, "nginx's body limit is not cbpn's (HTTP_BODY_MAX)")

    @unittest.skipIf(OPENSSL is None, "openssl is not installed (scripts/deps.sh)")
    def test_nginx_t_accepts_the_shipped_site(self):
        d = tempfile.mkdtemp(prefix="cbpn-nginx-t-")
        try:
            key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
            p = subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                                "-days", "2", "-subj", "/CN=cbpn.example.org", "-keyout", key,
                                "-out", cert], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            self.assertEqual(p.returncode, 0, p.stdout.decode(errors="replace"))
            with open(SITE_CONF, encoding="utf-8") as f:
                site = f.read()
            subs = [(r"ssl_certificate\s+\S+;", "ssl_certificate %s;" % cert),
                    (r"ssl_certificate_key\s+\S+;", "ssl_certificate_key %s;" % key),
                    (r"/etc/nginx/cbpn-proxy\.conf", os.path.join(d, "cbpn-proxy.conf")),
                    (r"/var/log/nginx/", d + "/"),
                    # nginx -t binds the ports: free ones on loopback instead of 80 and 443
                    (r"listen 80;", "listen 127.0.0.1:%d;" % free_port()),
                    (r"listen 443 ", "listen 127.0.0.1:%d " % free_port()),
                    (r"listen \[::\]:80;", "listen [::1]:%d;" % free_port()),
                    (r"listen \[::\]:443 ", "listen [::1]:%d " % free_port())]
            for rx, new in subs:
                site, n = re.subn(rx, lambda _m, new=new: new, site)
                self.assertGreater(n, 0, "cbpn.conf no longer has %s" % rx)
            with open(os.path.join(d, "cbpn.conf"), "w", encoding="utf-8") as f:
                f.write(site)
            shutil.copy(PROXY_CONF, os.path.join(d, "cbpn-proxy.conf"))
            for k in ("tmp", "logs"):
                os.mkdir(os.path.join(d, k))
            temp = "".join("    %s_temp_path %s/tmp/%s;\n" % (k, d, k)
                           for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            with open(os.path.join(d, "nginx.conf"), "w", encoding="utf-8") as f:
                f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\n"
                        "http {\n%s    include %s/cbpn.conf;\n}\n" % (d, d, temp, d))
            give_to_nobody(d)
            p = subprocess.run([NGINX, "-t", "-p", d + "/", "-e", os.path.join(d, "error.log"),
                                "-c", os.path.join(d, "nginx.conf")], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, **run_as_nobody())
            out = p.stdout.decode(errors="replace")
            self.assertEqual(p.returncode, 0, "nginx -t refused deploy/nginx/cbpn.conf:\n" + out)
            self.assertIn("test is successful", out)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    # ---- through nginx ----

    def test_a_session_is_answered_by_both_servers(self):
        tok = self.token("caseworker2")
        for _ in range(6):
            st, _, v = self.call("GET", "/api/v1/me", token=tok)
            self.assertEqual(st, 200, v)
            self.assertEqual(v["username"] if "username" in v else v["user"]["username"],
                             "caseworker2")
        answered = {ups[-1] for _, st, ups, _ in self.nginx.log_lines("GET", "/api/v1/me")
                    if st == 200}
        self.assertEqual(answered, {self.upstream(self.a), self.upstream(self.b)},
                         "round robin over both cbpn servers")

    def test_forwarded_address_is_what_the_limit_counts(self):
        """Sign-in failures from 127.0.0.2 (as nginx saw it) lock out
        127.0.0.2, not 127.0.0.3; a forged X-Forwarded-For changes nothing."""
        for i in range(50):
            st, v = self.sign_in("nobody-nginx-%02d" % i, "wrong-password-x", source="127.0.0.2")
            self.assertEqual(st, 401, "failure %d: %r" % (i + 1, v))
        st, v = self.sign_in("supervisor", source="127.0.0.2")
        self.assertEqual(st, 429, v)
        self.assertEqual(v["error"]["code"], "rate_limited")
        st, v = self.sign_in("supervisor", source="127.0.0.2",
                             headers={"X-Forwarded-For": "198.51.100.7"})
        self.assertEqual(st, 429, "a client's own X-Forwarded-For got around the limit: %r" % v)
        st, v = self.sign_in("supervisor", source="127.0.0.3")
        self.assertEqual(st, 201, "another client address is not limited: %r" % (v,))
        clients = {c for c, _, _, _ in self.nginx.log_lines("POST", "/api/v1/session")}
        self.assertTrue({"127.0.0.2", "127.0.0.3"} <= clients, clients)
        # both servers counted the failures: the gate is in the shared database
        ups = {u[-1] for c, _, u, _ in self.nginx.log_lines("POST", "/api/v1/session")
               if c == "127.0.0.2"}
        self.assertEqual(ups, {self.upstream(self.a), self.upstream(self.b)})

    def test_z_post_that_reached_a_dying_server_is_not_retried(self):
        """Runs last: kills server a."""
        tok = self.token("caseworker1")
        before = self.count_cases()
        self.a.proc.send_signal(signal.SIGSTOP)  # a takes connections but answers nothing
        try:
            hung_post, fast_posts = self.until_one_hangs(
                lambda i: ("POST", "/api/v1/cases", report("nginx retry %d" % i), tok,
                           {"Idempotency-Key": "nginx-retry-%d" % i}))
            hung_get, _ = self.until_one_hangs(
                lambda i: ("GET", "/api/v1/me", None, tok, {}))
            time.sleep(0.3 * SLOW)  # nginx has sent both requests to a
        finally:
            self.a.proc.send_signal(signal.SIGKILL)
        post_answer = self.finish(hung_post)
        get_answer = self.finish(hung_get)

        self.assertEqual(post_answer[0], 502, "the POST went to a, which died: nginx must answer "
                         "502 and not send it to b: %r" % (post_answer,))
        self.assertEqual(get_answer[0], 200, "the GET must be retried on b: %r" % (get_answer,))
        posts = self.nginx.log_lines("POST", "/api/v1/cases")
        self.assertEqual(posts[-1][1], 502)
        self.assertEqual(posts[-1][2], [self.upstream(self.a)],
                         "the POST reached only server a: %r" % (posts[-1],))
        gets = [g for g in self.nginx.log_lines("GET", "/api/v1/me") if len(g[2]) == 2]
        self.assertTrue(gets and gets[-1][2] == [self.upstream(self.a), self.upstream(self.b)],
                        "the GET was tried on a, then b: %r" % (gets[-1:],))
        self.assertEqual(self.count_cases(), before + fast_posts,
                         "the POST that got 502 created nothing")

        # the client retries with the same Idempotency-Key: created once
        i = hung_post["i"]
        key = {"Idempotency-Key": "nginx-retry-%d" % i}
        st, _, first = self.call("POST", "/api/v1/cases", report("nginx retry %d" % i), tok, key)
        self.assertEqual(st, 201, first)
        st, _, again = self.call("POST", "/api/v1/cases", report("nginx retry %d" % i), tok, key)
        self.assertEqual(st, 201, again)
        self.assertEqual(again, first)
        self.assertEqual(self.count_cases(), before + fast_posts + 1)

        # the session opened before goes on through the server left
        for _ in range(3):
            st, _, v = self.call("GET", "/api/v1/me", token=tok)
            self.assertEqual(st, 200, v)
        self.assertEqual(self.nginx.log_lines("GET", "/api/v1/me")[-1][2][-1],
                         self.upstream(self.b))

    # ---- helpers of the last test ----

    def until_one_hangs(self, make, tries=4):
        """Sends requests (make(i) -> method, path, body, token, headers), one
        at a time, until one is not answered within 3 seconds: that one went to
        the stopped server. Returns (its pending state, how many POSTs were
        answered 201 before it)."""
        created = 0
        for i in range(tries):
            method, path, body, tok, headers = make(i)
            pending = {"i": i, "answer": None}

            def run(p=pending, m=method, pa=path, b=body, t=tok, h=headers):
                try:
                    p["answer"] = self.call(m, pa, b, t, h, timeout=60 * SLOW)
                except Exception as e:  # reported by finish()
                    p["answer"] = ("exception", repr(e))

            th = threading.Thread(target=run, daemon=True)
            th.start()
            th.join(1.0 * SLOW)
            if th.is_alive():
                th.join(2.0 * SLOW)  # a busy server b answers late, the stopped a never
            if th.is_alive():
                pending["thread"] = th
                return pending, created
            st = pending["answer"][0]
            self.assertIn(st, (200, 201), pending["answer"])
            created += method == "POST" and st == 201
        self.fail("no request went to the stopped server in %d tries" % tries)

    def finish(self, pending):
        pending["thread"].join(30 * SLOW)
        self.assertFalse(pending["thread"].is_alive(), "nginx did not answer")
        return pending["answer"]


if __name__ == "__main__":
    unittest.main()
