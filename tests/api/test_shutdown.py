"""Graceful shutdown: SIGTERM lets a request in flight finish, then exits 0."""

import json
import signal
import socket
import time
import unittest

from cbpnserver import SLOW, Server


class ShutdownTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server().start()

    def tearDown(self):
        self.srv.stop()
        self.srv.cleanup()

    def test_request_in_flight_finishes_after_sigterm(self):
        token = self.srv.login("caseworker1")
        body = json.dumps({"location_code": "17071001", "concerns": ["unsafe_migration"],
                           "survivor": {"sex": "female"}}).encode()
        half = len(body) // 2
        table = self.srv.find_table("cases", "case")
        before = self.srv.count(table)
        s = socket.create_connection(("127.0.0.1", self.srv.port), timeout=10 * SLOW)
        try:
            s.sendall(("POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Content-Type: application/json\r\nAuthorization: Bearer %s\r\n"
                       "Content-Length: %d\r\nConnection: close\r\n\r\n"
                       % (token, len(body))).encode() + body[:half])
            time.sleep(0.3 * SLOW)  # the server has the request in hand
            self.srv.proc.send_signal(signal.SIGTERM)
            time.sleep(0.5 * SLOW)
            self.assertIsNone(self.srv.proc.poll(), "the server quit with a request in flight")
            # New connections are no longer taken.
            with self.assertRaises(OSError):
                c = socket.create_connection(("127.0.0.1", self.srv.port), timeout=2)
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                if not c.recv(100):
                    raise ConnectionResetError("closed")
            s.sendall(body[half:])
            answer = b""
            for _ in range(200):
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
        finally:
            s.close()
        self.srv.check_raw_answer(b"POST /api/v1/cases HTTP/1.1", answer)
        self.assertTrue(answer.startswith(b"HTTP/1.1 201"), answer[:200])
        self.assertEqual(self.srv.proc.wait(timeout=20 * SLOW), 0)
        # The case was written before the server stopped.
        self.assertEqual(self.srv.count(table), before + 1)


if __name__ == "__main__":
    unittest.main()
