"""The per-address sign-in limit (50 failures in 15 minutes). Its own
server: once the limit trips, 127.0.0.1 cannot sign in on it any more."""

from cbpnserver import DEMO_PASSWORD, ServerTestCase


class AddressLimitTest(ServerTestCase):

    def test_50_failures_from_one_address_then_429_even_for_another_user(self):
        self.token("caseworker1")  # a session opened before the limit trips
        for i in range(50):
            # a different username each time, so the per-username limit never trips
            st, v = self.srv.sign_in("nobody-%02d" % i, "wrong-password-x")
            self.assertEqual(st, 401, "failure %d: %r" % (i + 1, v))
        with self.assertWritesNothing(ignore=("login_failure", "audit")):
            a = self.srv.post("/api/v1/session", {"username": "caseworker2",
                                                  "password": DEMO_PASSWORD})
        self.assertError(a, 429, "rate_limited")
        # a forwarded-for header does not get around it
        a = self.srv.post("/api/v1/session", {"username": "caseworker2", "password": DEMO_PASSWORD},
                          headers={"X-Forwarded-For": "10.1.2.3", "X-Real-IP": "10.1.2.3"})
        self.assertError(a, 429, "rate_limited")
        # sessions opened before still work
        st, _, v = self.srv.get("/api/v1/me", token=self.token("caseworker1"))
        self.assertEqual(st, 200, v)
