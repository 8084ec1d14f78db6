"""The HTTP layer: malformed and hostile requests, limits, content types,
errors, security headers, slow clients and the access log."""

import select
import socket
import time

import json

from cbpnserver import DEMO_PASSWORD, SLOW, SOCKET_TIMEOUT, ServerTestCase, body_of, status_of

MIB = 1024 * 1024


def case_body():
    return {"location_code": "17071001", "concerns": ["other"], "summary": "http test",
            "survivor": {"sex": "female"}, "consent_to_contact": False, "urgent": False}


class HttpTest(ServerTestCase):

    # ---- helpers ----

    def send_large(self, path, total, token=None, chunked=False):
        """Sends a POST whose body is `total` bytes, stopping as soon as the
        server answers. Returns the raw answer bytes (b"" if none)."""
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=SOCKET_TIMEOUT)
        try:
            head = ["POST %s HTTP/1.1" % path, "Host: 127.0.0.1", "Connection: close",
                    "Content-Type: application/json"]
            if token:
                head.append("Authorization: Bearer " + token)
            head.append("Transfer-Encoding: chunked" if chunked else "Content-Length: %d" % total)
            s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            prefix = b'{"summary":"'
            chunk = b"a" * 65536
            sent = 0
            while sent < total:
                r, _, _ = select.select([s], [], [], 0)
                if r:
                    break  # the server answered (or closed) before reading it all
                n = min(len(chunk), total - sent)
                data = (prefix + chunk)[:n] if sent == 0 else chunk[:n]
                if chunked:
                    data = b"%x\r\n" % len(data) + data + b"\r\n"
                try:
                    s.sendall(data)
                except (BrokenPipeError, ConnectionResetError, socket.timeout):
                    break
                sent += n
            if chunked and sent >= total:
                try:
                    s.sendall(b"0\r\n\r\n")
                except OSError:
                    pass
            out = b""
            deadline = time.monotonic() + SOCKET_TIMEOUT
            while time.monotonic() < deadline:
                try:
                    got = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break  # acceptable only if a status line already arrived
                if not got:
                    break
                out += got
        finally:
            s.close()
        self.srv.check_raw_answer(head[0].encode(), out)
        return out

    # ---- malformed bodies ----

    def test_malformed_json_is_400_and_writes_nothing(self):
        for raw in (b"{", b'{"location_code":}', b'{"a":1} trailing', b"{'a':1}",
                    b'{"concerns":["other",]}', b"", b"\x00"):
            with self.subTest(body=raw):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/cases", raw=raw, as_user="member1")
                self.assertError(a, 400, "bad_request")

    def test_malformed_json_on_sign_in_is_400(self):
        with self.assertWritesNothing():
            a = self.srv.post("/api/v1/session", raw=b'{"username":"admin","password":')
        self.assertError(a, 400, "bad_request")

    def test_invalid_utf8_in_a_json_string_is_400_and_writes_nothing(self):
        for bad in (b"\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe1\x9e", b"caf\xe9"):
            raw = b'{"location_code":"17071001","concerns":["other"],"summary":"' + bad + \
                  b'","survivor":{"sex":"female"},"consent_to_contact":false,"urgent":false}'
            with self.subTest(bytes=bad):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/cases", raw=raw, as_user="member1")
                self.assertError(a, 400, "bad_request")

    def test_invalid_utf8_in_sign_in_is_400(self):
        with self.assertWritesNothing():
            a = self.srv.post("/api/v1/session",
                              raw=b'{"username":"adm\xffin","password":"x-password-1"}')
        self.assertError(a, 400, "bad_request")

    def test_lone_surrogate_escape_is_400(self):
        raw = b'{"location_code":"17071001","concerns":["other"],"summary":"\\ud800",' \
              b'"survivor":{"sex":"female"},"consent_to_contact":false,"urgent":false}'
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/cases", raw=raw, as_user="member1")
        self.assertError(a, 400, "bad_request")

    def test_nul_in_a_string_is_refused(self):
        raw = b'{"location_code":"17071001","concerns":["other"],"summary":"a\\u0000b",' \
              b'"survivor":{"sex":"female"},"consent_to_contact":false,"urgent":false}'
        with self.assertWritesNothing():
            st, h, v = self.req("POST", "/api/v1/cases", raw=raw, as_user="member1")
        self.assertIn(st, (400, 422), v)
        self.assertErrorShape(v)

    def test_deeply_nested_json_is_refused_and_server_lives(self):
        raw = b'{"survivor":' + b"[" * 100000 + b"]" * 100000 + b"}"
        with self.assertWritesNothing():
            st, h, v = self.req("POST", "/api/v1/cases", raw=raw, as_user="member1")
        self.assertIn(st, (400, 413, 422), v)
        self.assertErrorShape(v)

    # ---- sizes ----

    def test_2_mib_body_is_413_and_writes_nothing(self):
        tok = self.token("member1")
        with self.assertWritesNothing():
            out = self.send_large("/api/v1/cases", 2 * MIB, token=tok)
        self.assertEqual(status_of(out), 413, "answer: %r" % out[:300])
        self.assertErrorShape(json.loads(body_of(out).decode() or "null"), "too_large")

    def test_2_mib_chunked_body_is_413_and_writes_nothing(self):
        tok = self.token("member1")
        with self.assertWritesNothing():
            out = self.send_large("/api/v1/cases", 2 * MIB, token=tok, chunked=True)
        self.assertEqual(status_of(out), 413, "answer: %r" % out[:300])

    def test_just_over_1_mib_is_413(self):
        tok = self.token("member1")
        with self.assertWritesNothing():
            out = self.send_large("/api/v1/cases", MIB + 1, token=tok)
        self.assertEqual(status_of(out), 413, "answer: %r" % out[:300])

    def test_2_mib_body_without_token_is_refused(self):
        with self.assertWritesNothing():
            out = self.send_large("/api/v1/cases", 2 * MIB)
        self.assertIn(status_of(out), (401, 413), "answer: %r" % out[:300])

    def test_huge_url_is_refused_and_server_lives(self):
        with self.assertWritesNothing():
            out = self.srv.raw_exchange(b"GET /api/v1/locations?q=" + b"a" * 200000 +
                                        b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertIn(status_of(out), (400, 413, 414, 431, None), out[:200])

    def test_long_query_string_is_414_and_writes_nothing(self):
        """The 2 KiB limit covers the whole URL, query string included."""
        tok = self.token("caseworker1")
        with self.assertWritesNothing():
            st, h, v = self.srv.get("/api/v1/cases?q=" + "a" * 4000, token=tok)
        self.assertEqual(st, 414, v)
        self.assertEqual(h.get("Cache-Control"), "no-store")
        with self.assertWritesNothing():
            st, h, v = self.srv.get("/api/v1/locations?parent=17&x=" + "b" * 2100, token=tok)
        self.assertEqual(st, 414, v)
        st, _, v = self.srv.get("/api/v1/locations?parent=17&x=" + "b" * 100, token=tok)
        self.assertEqual(st, 200, v)

    @staticmethod
    def _kernel_buffers():
        """The most bytes the kernel may hold for one loopback connection: the
        receiver's buffer (autotuned up to tcp_rmem's max) and the sender's
        (tcp_wmem's max). A client counts those as sent though the server
        never read them, so they are allowed for on top of its limit."""
        most = 0
        for name in ("tcp_rmem", "tcp_wmem"):
            try:
                with open("/proc/sys/net/ipv4/" + name) as f:
                    most += int(f.read().split()[2])
            except (OSError, ValueError, IndexError):
                most += 32 * MIB
        return most

    def test_endless_chunked_body_is_cut_off(self):
        """A chunked body is not drained past 16 MiB: the server stops reading.
        What the client manages to send is the 16 MiB the server read plus
        what the kernel buffers on both ends, however slow the server is."""
        tok = self.token("member1")
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=SOCKET_TIMEOUT)
        bound = 16 * MIB + self._kernel_buffers()
        total, sent, stopped = bound + 32 * MIB, 0, False
        try:
            s.sendall(("POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                       "Content-Type: application/json\r\nAuthorization: Bearer %s\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n" % tok).encode())
            chunk = b"%x\r\n" % 65536 + b"a" * 65536 + b"\r\n"
            while sent < total:
                r, _, _ = select.select([s], [], [], 0)
                if r:
                    stopped = True
                    break
                try:
                    s.sendall(chunk)
                except (BrokenPipeError, ConnectionResetError, socket.timeout):
                    stopped = True
                    break
                sent += 65536
        finally:
            s.close()
        self.assertTrue(stopped, "the server read a %d MiB chunked body" % (sent // MIB))
        self.assertLessEqual(sent, bound)
        self.assertAlive()

    def test_huge_header_is_refused_and_server_lives(self):
        with self.assertWritesNothing():
            out = self.srv.raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                        b"b" * 200000 + b"\r\nConnection: close\r\n\r\n")
        self.assertIn(status_of(out), (400, 413, 431, None), out[:200])

    def test_many_headers_are_refused_or_served_and_server_lives(self):
        hdrs = b"".join(b"X-H%d: v\r\n" % i for i in range(3000))
        with self.assertWritesNothing():
            out = self.srv.raw_exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + hdrs +
                                        b"Connection: close\r\n\r\n")
        self.assertIn(status_of(out), (200, 400, 413, 431, None), out[:200])

    def test_garbage_request_line_and_server_lives(self):
        for raw in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
                    b"GET\r\n\r\n", b"FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"):
            with self.subTest(raw=raw[:12]):
                self.srv.raw_exchange(raw, read_timeout=3)
                self.assertAlive()

    # ---- content types ----

    def test_text_plain_is_415_and_writes_nothing(self):
        with self.assertWritesNothing():
            a = self.req("POST", "/api/v1/cases", case_body(), as_user="member1",
                         content_type="text/plain")
        self.assertError(a, 415, "unsupported_media_type")

    def test_other_content_types_are_415(self):
        for ctype in (None, "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                      "application/jsonp", "text/json"):
            with self.subTest(content_type=ctype):
                with self.assertWritesNothing():
                    a = self.req("POST", "/api/v1/cases", case_body(), as_user="member1",
                                 content_type=ctype)
                self.assertError(a, 415, "unsupported_media_type")

    def test_form_encoded_sign_in_on_the_api_is_415(self):
        with self.assertWritesNothing():
            a = self.srv.post("/api/v1/session",
                              raw=("username=admin&password=" + DEMO_PASSWORD).encode(),
                              content_type="application/x-www-form-urlencoded")
        self.assertError(a, 415, "unsupported_media_type")

    def test_json_with_charset_parameter_is_accepted(self):
        st, _, v = self.srv.post("/api/v1/session", {"username": "caseworker2",
                                                     "password": DEMO_PASSWORD},
                                 content_type="application/json; charset=utf-8")
        self.assertEqual(st, 201, v)
        self.srv.secrets.add(v["token"])

    # ---- routing ----

    def test_unknown_api_path_is_404_json(self):
        for path in ("/api/v1/nope", "/api/v1/cases/x/y/z", "/api/v2/cases", "/api/v1/"):
            with self.subTest(path=path):
                self.assertError(self.req("GET", path, as_user="caseworker1"), 404, "not_found")

    def test_nul_or_bad_utf8_in_path_is_refused(self):
        for path in ("/api/v1/cases/%00", "/api/v1/cases/%FF", "/api/v1/cases/%C0%AF"):
            with self.subTest(path=path):
                with self.assertWritesNothing():
                    a = self.req("GET", path, as_user="caseworker1")
                self.assertIn(a[0], (400, 404), a[2])
                self.assertErrorShape(a[2])

    def test_unknown_api_path_without_token_is_404_or_401(self):
        st, _, v = self.srv.get("/api/v1/nope")
        self.assertIn(st, (401, 404))
        self.assertErrorShape(v)

    def test_unknown_page_is_404(self):
        st, h, v = self.srv.get("/no-such-page")
        self.assertEqual(st, 404)

    def test_wrong_method_is_405(self):
        for method, path in (("DELETE", "/api/v1/cases"), ("PUT", "/api/v1/me"),
                             ("DELETE", "/api/v1/locations"), ("POST", "/healthz"),
                             ("PUT", "/api/v1/session")):
            with self.subTest(method=method, path=path):
                with self.assertWritesNothing(alive=False):
                    a = self.req(method, path, as_user="supervisor")
                self.assertEqual(a[0], 405, a[2])
                if path.startswith("/api/"):
                    self.assertError(a, 405, "method_not_allowed")

    def test_405_names_the_allowed_methods(self):
        st, h, v = self.req("PUT", "/api/v1/me", as_user="supervisor")
        self.assertEqual(st, 405)
        self.assertIn("GET", h.get("Allow") or "", "405 without an Allow header")

    def test_unknown_method_is_refused(self):
        st, h, v = self.req("BREW", "/api/v1/me", as_user="supervisor")
        self.assertIn(st, (400, 405, 501))
        self.assertAlive()

    def test_healthz_is_200(self):
        st, h, v = self.srv.get("/healthz")
        self.assertEqual(st, 200)

    def test_head_healthz_has_no_body(self):
        st, h, v = self.srv.request("HEAD", "/healthz")
        self.assertEqual(st, 200)
        self.assertEqual(v, b"")

    def test_error_bodies_do_not_echo_the_request(self):
        st, h, v = self.req("GET", "/api/v1/<script>alert(1)</script>", as_user="caseworker1")
        self.assertEqual(st, 404)
        self.assertNotIn("<script>", repr(v))

    # ---- headers ----

    def test_security_headers_on_every_kind_of_answer(self):
        tok = self.token("caseworker1")
        probes = [("GET", "/healthz", None, None), ("GET", "/api/v1/me", tok, None),
                  ("GET", "/api/v1/me", None, None), ("GET", "/api/v1/nope", tok, None),
                  ("PUT", "/api/v1/me", tok, None), ("GET", "/api/v1/cases", tok, None),
                  ("POST", "/api/v1/cases", tok, b"{"), ("GET", "/login", None, None),
                  ("GET", "/", None, None), ("GET", "/no-such-page", None, None)]
        for method, path, token, raw in probes:
            with self.subTest(method=method, path=path):
                st, h, _ = self.srv.request(method, path, token=token, raw=raw)
                self.check_security_headers(method, path, st, h)
        a = self.req("POST", "/api/v1/cases", case_body(), as_user="member1",
                     content_type="text/plain")
        self.check_security_headers("POST", "/api/v1/cases", a[0], a[1])

    def test_413_answer_has_security_headers(self):
        out = self.send_large("/api/v1/cases", 2 * MIB, token=self.token("member1"))
        head = out.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
        self.assertIn("content-security-policy:", head)
        self.assertIn("x-content-type-options: nosniff", head)

    def test_api_answers_are_not_cacheable(self):
        st, h, v = self.req("GET", "/api/v1/cases", as_user="caseworker1")
        self.assertEqual(st, 200)
        self.assertIn("no-store", h.get("Cache-Control", ""))

    def test_no_cors_for_other_origins(self):
        st, h, v = self.req("GET", "/api/v1/me", as_user="caseworker1",
                            headers={"Origin": "https://evil.example"})
        self.assertEqual(st, 200)
        self.assertIsNone(h.get("Access-Control-Allow-Origin"))
        self.assertIsNone(h.get("Access-Control-Allow-Credentials"))

    def test_json_answers_say_application_json(self):
        st, h, v = self.req("GET", "/api/v1/me", as_user="caseworker1")
        self.assertTrue(h.get("Content-Type", "").startswith("application/json"))

    # ---- slow clients ----

    def test_slow_clients_do_not_stop_other_requests(self):
        slow = []
        try:
            for i in range(24):
                s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=SOCKET_TIMEOUT)
                if i % 2:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                else:
                    s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"us")
                slow.append(s)
            time.sleep(0.5)
            tok = self.token("caseworker1")
            for _ in range(10):
                t0 = time.monotonic()
                st, _, v = self.srv.get("/api/v1/me", token=tok)
                self.assertEqual(st, 200, v)
                self.assertLess(time.monotonic() - t0, 3.0 * SLOW, "a request waited behind slow clients")
            t0 = time.monotonic()
            st, v = self.srv.sign_in("caseworker2")
            self.assertEqual(st, 201, v)
            self.assertLess(time.monotonic() - t0, 5.0 * SLOW)
        finally:
            for s in slow:
                s.close()
        self.assertAlive()

    def test_client_that_disconnects_mid_body_writes_nothing(self):
        tok = self.token("member1")
        with self.assertWritesNothing():
            for _ in range(5):
                s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=SOCKET_TIMEOUT)
                s.sendall(("POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                           "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                           '{"location_code":"17071001","concerns":["other"],' % tok).encode())
                s.close()
            time.sleep(0.3)

    # ---- the log ----

    def test_zz_access_log_has_no_secrets_or_query_strings(self):
        st, v = self.srv.sign_in("supervisor")
        self.assertEqual(st, 201)
        self.srv.get("/api/v1/locations?q=Pouk", token=v["token"])
        self.srv.get("/api/v1/cases?status=reported&concern=other", token=v["token"])
        self.srv.get("/api/v1/me?secret-query-value=1", token=v["token"])
        time.sleep(0.2)
        self.check_log_has_no_secrets(extra=["Pouk", "secret-query-value", "concern=other",
                                             "username-in", v["token"][:16]])

    def test_zz_every_answer_had_security_headers(self):
        self.check_every_answer_had_security_headers()
