"""Idempotency-Key on every create (API.md): a retry by the same user with the
same key and body answers what the first answered and creates nothing; the
same key with another body is 422 and writes nothing; keys are the user's
own; a page form sent twice makes one case. Concurrent twins make one."""

import threading

from cbpnserver import ServerTestCase

FORM = "application/x-www-form-urlencoded"


def report(summary="Idempotency test concern", **over):
    body = {"location_code": "17071001", "concerns": ["unsafe_migration"], "summary": summary,
            "survivor": {"sex": "female", "age": 31}}
    body.update(over)
    return body


class IdempotencyTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv.secrets.update(["Idemsummary", "Idemnote"])

    def post(self, path, body, user, key, **kw):
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.srv.post(path, body, token=self.srv.login(user), headers=headers, **kw)

    def test_retry_answers_the_first_answer_and_creates_nothing(self):
        body = report("Idemsummary one")
        st, _, first = self.post("/api/v1/cases", body, "caseworker1", "key-one-1")
        self.assertEqual(st, 201, first)
        cases = self.srv.count("cases")
        with self.assertWritesNothing():
            st, _, again = self.post("/api/v1/cases", body, "caseworker1", "key-one-1")
        self.assertEqual(st, 201)
        self.assertEqual(again, first, "the retry gets the first answer exactly")
        self.assertEqual(self.srv.count("cases"), cases)

    def test_same_key_other_body_is_422_and_writes_nothing(self):
        st, _, first = self.post("/api/v1/cases", report("Idemsummary two"), "caseworker1", "k-2")
        self.assertEqual(st, 201, first)
        with self.assertWritesNothing():
            st, _, v = self.post("/api/v1/cases", report("Idemsummary other"), "caseworker1",
                                 "k-2")
        self.assertEqual(st, 422, v)
        self.assertErrorShape(v, "validation_failed", ["Idempotency-Key"])

    def test_keys_are_each_users_own(self):
        body = report("Idemsummary three")
        st, _, a = self.post("/api/v1/cases", body, "caseworker1", "shared-key")
        self.assertEqual(st, 201, a)
        st, _, b = self.post("/api/v1/cases", body, "supervisor", "shared-key")
        self.assertEqual(st, 201, b)
        self.assertNotEqual(a["id"], b["id"])

    def test_without_a_key_each_post_creates(self):
        body = report("Idemsummary four")
        st, _, a = self.post("/api/v1/cases", body, "caseworker1", None)
        st2, _, b = self.post("/api/v1/cases", body, "caseworker1", None)
        self.assertEqual((st, st2), (201, 201))
        self.assertNotEqual(a["id"], b["id"])

    def test_malformed_keys_are_422(self):
        for key in ("", "x" * 65, "has space", "tab\tkey", "ключ"):
            with self.subTest(key=key), self.assertWritesNothing():
                h = {"Idempotency-Key": key.encode("utf-8").decode("latin-1")}
                st, _, v = self.srv.post("/api/v1/cases", report("Idemsummary five"),
                                         token=self.srv.login("caseworker1"), headers=h)
                self.assertEqual(st, 422, v)
                self.assertErrorShape(v, "validation_failed", ["Idempotency-Key"])

    def test_a_refused_create_keeps_no_answer(self):
        bad = report("Idemsummary six", concerns=["gossip"])
        with self.assertWritesNothing():
            st, _, v = self.post("/api/v1/cases", bad, "caseworker1", "k-refused")
        self.assertEqual(st, 422, v)
        st, _, v = self.post("/api/v1/cases", report("Idemsummary six"), "caseworker1", "k-refused")
        self.assertEqual(st, 201, "the key was not used up by the refusal: %r" % (v,))

    def test_concurrent_twins_make_one_case(self):
        body = report("Idemsummary seven")
        token = self.srv.login("caseworker1")
        answers = []
        before = self.srv.count("cases")

        def send():
            st, _, v = self.srv.post("/api/v1/cases", body, token=token,
                                     headers={"Idempotency-Key": "twins-7"})
            answers.append((st, v.get("id") if isinstance(v, dict) else None))
        threads = [threading.Thread(target=send) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(len(answers), 6)
        self.assertEqual({st for st, _ in answers}, {201}, answers)
        self.assertEqual(len({cid for _, cid in answers}), 1, answers)
        self.assertEqual(self.srv.count("cases"), before + 1)

    def test_notes_and_tasks_too(self):
        st, _, c = self.post("/api/v1/cases", report("Idemsummary eight"), "supervisor", None)
        self.assertEqual(st, 201)
        for path, body in (("notes", {"body": "Idemnote"}),
                           ("tasks", {"title": "Idemnote task", "due_on": "2030-01-01"})):
            with self.subTest(path=path):
                url = "/api/v1/cases/%s/%s" % (c["id"], path)
                st, _, a = self.post(url, body, "supervisor", "k-" + path)
                self.assertEqual(st, 201, a)
                with self.assertWritesNothing():
                    st, _, b = self.post(url, body, "supervisor", "k-" + path)
                self.assertEqual((st, b), (201, a))

    def test_the_kept_answer_is_sealed(self):
        st, _, a = self.post("/api/v1/cases", report("Idemsummary sealed nine"), "caseworker1",
                             "k-sealed")
        self.assertEqual(st, 201)
        self.assertNotIn(b"Idemsummary sealed nine", self.srv.file_bytes())
        self.assertEqual(self.srv.count("idempotency"), self.srv.count("idempotency"))
        self.assertGreaterEqual(self.srv.count("idempotency", "WHERE key = ?", ("k-sealed",)), 1)


class PageFormIdempotencyTest(ServerTestCase):
    """The report form carries a key of its own: sent twice (a double tap, a
    retry on 2G), it makes one case and both answers lead to it."""

    def test_report_form_sent_twice_makes_one_case(self):
        import test_pages
        helper = test_pages.PagesTest("test_login_page_has_a_csrf_field_and_sets_a_pre_session_cookie")
        helper.srv = self.srv
        cookies, csrf = helper.sign_in("rep1")
        st, _, body = helper.page("GET", "/cases/new", cookies)
        forms = [f for f in test_pages.forms_of(body) if f["action"] == "/cases"]
        key = forms[0]["inputs"].get("idempotency_key")
        self.assertTrue(key, "the report form carries an idempotency key")
        form = helper.report_form(csrf)
        form["idempotency_key"] = key
        before = self.srv.count("cases")
        st1, h1, _ = helper.page("POST", "/cases", cookies, form)
        st2, h2, _ = helper.page("POST", "/cases", cookies, form)
        self.assertEqual((st1, st2), (303, 303))
        self.assertEqual(h1.get("Location"), h2.get("Location"))
        self.assertEqual(self.srv.count("cases"), before + 1)
        # A fresh form gets a fresh key.
        st, _, body = helper.page("GET", "/cases/new", cookies)
        again = [f for f in test_pages.forms_of(body) if f["action"] == "/cases"]
        self.assertNotEqual(again[0]["inputs"].get("idempotency_key"), key)
