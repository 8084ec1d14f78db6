"""The report's maintained aggregates (issue 10 item 7, docs/reports.md):
table report_cell is kept up to date in the same transaction as every write
it counts. After each phase of a workload through the API (cases with
several concerns, moved, closed and reopened, erased; incidents with and
without the reporting consent, withdrawn, reported to a GBVIMS
organization; screenings; referrals through every status, overdue ones;
outreach, advice, trainings with scores and a trainer; members with roles,
deactivated; a group moved) every row of report_cell must equal a
recomputation written here, in Python, from the records themselves. The
rebuild (cbpn report-cells rebuild) gives the same rows."""

import collections
import datetime
import subprocess

from cbpnserver import CBPN_BIN, SLOW, ServerTestCase

REGULAR = {"government_mou", "eps_korea", "titp_japan", "ssw_japan", "licensed_agency",
           "border_pass"}
ACTS = ("penetration", "sexual_contact", "physical_assault", "forced_marriage",
        "denial_of_resources", "psychological_abuse")
RECRUITED = ["a_deceived_nature_of_job", "a_deceived_wages"]
EXPLOITED = ["d_excessive_hours", "d_low_or_no_salary"]
COERCED = ["e_confiscation_of_documents", "e_debt_bondage"]
PAST = "2000-01-02T03:04:05.000Z"
ALL_DOCS = {"passport": True, "visa": True, "work_permit": True, "contract": True,
            "pre_departure_orientation": True, "overseas_worker_card": True,
            "pink_card": False, "certificate_of_identity": False}


def place(loc):
    """A location coarsened to its commune (docs/reports.md)."""
    return loc[:6] if len(loc) == 8 else loc


def days(a, b):
    return str((datetime.date.fromisoformat(b[:10]) - datetime.date.fromisoformat(a[:10])).days)


def recompute(srv):
    """Every cell, worked out from the records (not from the code's SQL)."""
    cells = collections.defaultdict(lambda: [0, 0])

    def add(code, dim, cat, pl, month, n=1, s=0):
        c = cells[(code, dim, cat, pl, month)]
        c[0] += n
        c[1] += s

    groups = dict(srv.rows("SELECT id, location_code FROM network_group"))
    cases = srv.rows("SELECT c.id, c.location_code, c.created_at, c.status,"
                     " c.closure_reason_code, c.group_id, u.role"
                     " FROM cases c JOIN users u ON u.id = c.reported_by")
    concerns = collections.defaultdict(list)
    for cid, concern in srv.rows("SELECT case_id, concern FROM case_concern"):
        concerns[cid].append(concern)
    presumed = {cid for (cid,) in srv.rows(
        "SELECT case_id FROM screening WHERE result = 'presumed_trafficking'")}
    latest_reporting = {}
    for cid, seq, given, withdrawn in srv.rows(
            "SELECT case_id, seq, given, withdrawn_at FROM consent WHERE purpose = 'reporting'"):
        if cid not in latest_reporting or seq > latest_reporting[cid][0]:
            latest_reporting[cid] = (seq, given == 1 and withdrawn is None)
    closed_at = {}
    for cid, seq, at in srv.rows("SELECT case_id, seq, at FROM case_event WHERE kind = 'closed'"):
        if cid not in closed_at or seq > closed_at[cid][0]:
            closed_at[cid] = (seq, at)
    case_place = {}
    for cid, loc, created, status, reason, gid, role in cases:
        pl, mo = place(loc), created[:7]
        case_place[cid] = pl
        add("cases_reported", "", "", pl, mo)
        for k in concerns[cid]:
            add("cases_reported", "concern", k, pl, mo)
        add("cases_reported", "reporter_role", role, pl, mo)
        if cid in presumed:
            add("presumed_trafficking", "", "", pl, mo)
        if status == "closed" and cid in closed_at:
            at = closed_at[cid][1]
            add("cases_closed", "", "", pl, at[:7])
            add("cases_closed", "reason", reason, pl, at[:7])
            add("days_open", "days", days(created, at), pl, at[:7])
        if gid is not None:
            add("group_activity", "group", gid, place(groups[gid]), mo)
    for cid, reported_on, gbv_type, elsewhere in srv.rows(
            "SELECT case_id, reported_on, gbv_type, reported_elsewhere FROM incident"):
        if gbv_type == "non_gbv" or elsewhere == "gbvims_org":
            continue
        if not latest_reporting.get(cid, (0, False))[1]:
            continue
        add("gbv_incidents", "", "", case_place[cid], reported_on[:7])
        add("gbv_incidents", "gbv_type", gbv_type, case_place[cid], reported_on[:7])
    events = collections.defaultdict(list)
    for rid, seq, at, status in srv.rows(
            "SELECT referral_id, seq, at, status FROM referral_event"):
        events[rid].append((seq, at, status))
    for rid, cid, stype, status, created, due in srv.rows(
            "SELECT id, case_id, service_type, status, created_at, due_at FROM referral"):
        pl, mo = case_place[cid], created[:7]
        ev = sorted(events[rid])
        add("referrals_made", "", "", pl, mo)
        add("referrals_made", "service_type", stype, pl, mo)
        if any(s == "accepted" for _, _, s in ev):
            add("referrals_accepted", "", "", pl, mo)
        if status == "completed":
            add("referrals_completed", "", "", pl, mo)
            done = [at for _, at, s in ev if s == "completed"][0]
            add("days_to_completion", "days", days(created, done), pl, mo)
        resolved = next((at for _, at, s in ev if s in ("declined", "completed", "withdrawn")),
                        None)
        if resolved is None or resolved > due:
            add("overdue_start", "", "", pl, due[:7])
        if resolved is not None and resolved > due:
            add("overdue_stop", "", "", pl, resolved[:7])
    for oid, gid, date, loc, female, male, under in srv.rows(
            "SELECT id, group_id, date, location_code, female, male, under_18"
            " FROM outreach_session"):
        pl, mo = place(loc), date[:7]
        add("outreach_sessions", "", "", pl, mo)
        add("people_reached", "", "", pl, mo, female + male)
        add("people_reached", "sex", "female", pl, mo, female)
        add("people_reached", "sex", "male", pl, mo, male)
        add("people_reached", "age", "under_18", pl, mo, under)
        add("people_reached", "age", "18_plus", pl, mo, female + male - under)
        add("group_activity", "group", gid, place(groups[gid]), mo)
    import json
    for gid, date, dest, channel, warnings in srv.rows(
            "SELECT group_id, date, destination, channel, warnings FROM migrant_advice"):
        pl, mo = place(groups[gid]), date[:7]
        add("people_advised", "", "", pl, mo)
        add("people_advised", "destination", dest, pl, mo)
        add("people_advised", "channel", channel, pl, mo)
        if channel in REGULAR:
            add("regular_channel", "", "", pl, mo)
        if "unlicensed_agency" in json.loads(warnings):
            add("unlicensed_agency_warnings", "", "", pl, mo)
        add("group_activity", "group", gid, pl, mo)
    topics = collections.defaultdict(list)
    for tid, topic in srv.rows("SELECT training_id, topic FROM training_topic"):
        topics[tid].append(topic)
    parts = collections.defaultdict(list)
    for tid, mid, sex, pre, post in srv.rows(
            "SELECT training_id, member_id, sex, pre, post FROM training_participant"):
        parts[tid].append((mid, sex, pre, post))
    trainings = srv.rows("SELECT id, group_id, date, location_code, audience,"
                         " facilitator_trainer FROM training")
    training_date = {}
    for tid, gid, date, loc, aud, trainer in trainings:
        pl, mo = place(loc), date[:7]
        training_date[tid] = date
        add("trainings", "", "", pl, mo)
        add("trainings", "audience", aud, pl, mo)
        if trainer == 1:
            add("cascade_trainings", "", "", pl, mo)
            add("cascade_trainings", "audience", aud, pl, mo)
        for mid, sex, pre, post in parts[tid]:
            add("training_participants", "", "", pl, mo)
            add("training_participants", "audience", aud, pl, mo)
            add("training_participants", "sex", sex, pl, mo)
            if pre is not None and post is not None:
                add("knowledge_gain", "", "", pl, mo, 1, post - pre)
            if trainer == 1:
                add("cascade_participants", "", "", pl, mo)
                add("cascade_participants", "audience", aud, pl, mo)
        if gid is not None:
            add("group_activity", "group", gid, place(groups[gid]), mo)
    member_place = {}
    for mid, gid, created, active, returnee, roles in srv.rows(
            "SELECT id, group_id, created_at, active, returnee_any, network_roles FROM member"):
        pl = place(groups[gid])
        member_place[mid] = pl
        if active == 1:
            add("members", "", "", pl, created[:7])
            for r in json.loads(roles):
                add("members", "network_role", r, pl, created[:7])
            if returnee == 1:
                add("members_returnees", "", "", pl, created[:7])
    for tid, ps in parts.items():
        for mid, _, _, _ in ps:
            if mid is None:
                continue
            for topic in topics[tid]:
                add("member_trained", topic, mid, member_place[mid], training_date[tid][:7])
    return {k: tuple(v) for k, v in cells.items() if v != [0, 0]}


def stored(srv):
    return {(code, dim, cat, pl, mo): (n, s) for code, dim, cat, pl, mo, n, s in srv.rows(
        "SELECT code, dim, cat, place, month, n, s FROM report_cell")}


def incident(**over):
    body = {"date": "2026-05-10", "reported_on": "2026-05-14", "time_of_day": "evening_night",
            "location_type": "workplace", "location": "17071001",
            "migration_stage": "not_migration_related",
            "acts": {a: a == "physical_assault" for a in ACTS},
            "goods_or_money_exchanged": False, "abduction": "none", "reported_elsewhere": "no",
            "perpetrators": [{"sex": "male", "age_group": "26_40", "relationship": "stranger"}]}
    body.update(over)
    return body


class ReportCellsTest(ServerTestCase):
    USERS = ServerTestCase.USERS + ("supervisor2", "rep1", "rep2", "member1", "trainer1",
                                    "shelter", "legal")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        srv = cls.srv
        srv.secrets.update(["Cells Survivor", "Cells summary", "Cells reason"])
        cls.me = {}
        for u in ("rep1", "rep2", "trainer1", "supervisor", "caseworker1", "shelter", "legal"):
            st, _, me = srv.request("GET", "/api/v1/me", token=srv.login(u))
            assert st == 200, me
            cls.me[u] = me
        st, _, v = srv.request("GET", "/api/v1/services", token=srv.login("admin"))
        assert st == 200, v
        cls.svc = {}
        for s in v["items"]:
            for u in ("shelter", "legal"):
                if s["organization_id"] == cls.me[u]["organization_id"]:
                    cls.svc.setdefault(u, s)

    # ---- helpers ----

    def ok(self, method, path, body=None, user="supervisor", want=(200, 201)):
        st, _, v = self.req(method, path, body, as_user=user)
        self.assertIn(st, want, "%s %s by %s: %r" % (method, path, user, v))
        return v

    def check(self, phase):
        """Every row of report_cell equals the recomputation."""
        want, got = recompute(self.srv), stored(self.srv)
        missing = {k: v for k, v in want.items() if got.get(k) != v}
        extra = {k: v for k, v in got.items() if k not in want}
        self.assertEqual((missing, extra), ({}, {}),
                         "%s: cells that differ (expected) and that should not be there" % phase)
        return got

    def rebuild(self):
        p = subprocess.run([CBPN_BIN, "report-cells", "rebuild", *self.srv.db_args()],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("cells: ", p.stdout.decode())

    def new_case(self, concerns, location="17071001", by="supervisor", age=30):
        body = {"location_code": location, "concerns": concerns, "summary": "Cells summary",
                "survivor": {"sex": "female", "age": age, "name_latn": "Cells Survivor"}}
        c = self.ok("POST", "/api/v1/cases", body, user=by)
        return self.ok("POST", "/api/v1/cases/%s/assign" % c["id"],
                       {"caseworker_id": self.me["caseworker1"]["id"]})

    def case(self, cid):
        return self.ok("GET", "/api/v1/cases/" + cid)

    def consent(self, cid, purpose, given=True, org=None):
        body = {"purpose": purpose, "given": given, "method": "verbal", "by": "survivor"}
        if org is not None:
            body["organization_id"] = org
        return self.ok("POST", "/api/v1/cases/%s/consents" % cid, body, user="caseworker1")

    def refer(self, cid, provider="shelter"):
        return self.ok("POST", "/api/v1/cases/%s/referrals" % cid,
                       {"service_id": self.svc[provider]["id"], "urgency": "routine",
                        "reason": "Cells reason"}, user="caseworker1")

    def move(self, r, user, status, note=None):
        body = {"version": r["version"], "status": status}
        if note is not None:
            body["note"] = note
        return self.ok("PATCH", "/api/v1/referrals/" + r["id"], body, user=user)

    def test_the_cells_follow_every_write(self):
        srv = self.srv
        self.rebuild()  # the demo's cells, as the rebuild makes them
        self.check("the demo")
        gen0 = srv.rows("SELECT gen FROM report_generation")[0][0]

        # Cases with several concerns, by several roles; one moved; incidents.
        a = self.new_case(["trafficking", "forced_labour", "unsafe_migration"])
        b = self.new_case(["domestic_violence"], location="170702", by="rep1")
        d = self.new_case(["sexual_violence", "other"], location="1707")
        self.consent(a["id"], "reporting")
        self.ok("POST", "/api/v1/cases/%s/incidents" % a["id"], incident(), user="caseworker1")
        self.ok("POST", "/api/v1/cases/%s/incidents" % a["id"],
                incident(reported_on="2026-03-01", date="2026-02-27",
                         acts={x: x == "penetration" for x in ACTS}), user="caseworker1")
        self.ok("POST", "/api/v1/cases/%s/incidents" % a["id"],
                incident(reported_elsewhere="gbvims_org"), user="caseworker1")
        # b: no reporting consent at all; d: refused, then given
        self.ok("POST", "/api/v1/cases/%s/incidents" % b["id"], incident(), user="caseworker1")
        self.consent(d["id"], "reporting", given=False)
        self.ok("POST", "/api/v1/cases/%s/incidents" % d["id"], incident(), user="caseworker1")
        self.check("cases and incidents")
        self.assertNotEqual(srv.rows("SELECT gen FROM report_generation")[0][0], gen0,
                            "the generation moves with the cells")
        self.consent(d["id"], "reporting", given=True)
        self.check("a reporting consent given after a refusal")
        ca = self.consent(a["id"], "reporting")
        self.check("a second reporting consent")
        self.ok("POST", "/api/v1/cases/%s/consents/%s/withdraw" % (a["id"], ca["id"]),
                {"reason": "Cells reason"}, user="caseworker1")
        self.check("the reporting consent withdrawn")
        # screening: presumed trafficking
        sc = self.ok("POST", "/api/v1/cases/%s/screenings" % a["id"],
                     {"adult": True, "indicators": RECRUITED + EXPLOITED + COERCED},
                     user="caseworker1")
        self.assertEqual(sc["result"], "presumed_trafficking")
        self.ok("POST", "/api/v1/cases/%s/screenings" % b["id"],
                {"adult": True, "indicators": EXPLOITED}, user="caseworker1")
        self.check("screenings")
        # concerns changed (a case's location is not changed through the API)
        v = self.case(a["id"])
        v = self.ok("PATCH", "/api/v1/cases/" + a["id"],
                    {"version": v["version"], "concerns": ["trafficking", "labour_exploitation"]},
                    user="caseworker1")
        self.assertEqual(v["concerns"], ["trafficking", "labour_exploitation"])
        self.check("a case's concerns changed")

        # Referrals through every status; overdue ones.
        for cid in (a["id"], b["id"]):
            self.consent(cid, "services")
            for p in ("shelter", "legal"):
                self.consent(cid, "share_with", org=self.me[p]["organization_id"])
        sent = self.refer(a["id"])
        acc = self.move(self.refer(a["id"]), "shelter", "accepted")
        done = self.move(self.move(self.refer(b["id"]), "shelter", "accepted"), "shelter",
                         "completed", "Cells reason")
        declined = self.move(self.refer(b["id"], "legal"), "legal", "declined", "Cells reason")
        gone = self.move(self.refer(a["id"], "legal"), "caseworker1", "withdrawn")
        late = [self.refer(a["id"]), self.refer(b["id"]), self.refer(b["id"], "legal")]
        self.check("referrals")
        # overdue: their follow-up date put in the past behind the store's back,
        # then the cells rebuilt (the server has no clock to move)
        for r in late + [acc]:
            self.assertEqual(srv.execute("UPDATE referral SET due_at = ? WHERE id = ?",
                                         (PAST, r["id"])), 1)
        self.rebuild()
        cells = self.check("overdue referrals, rebuilt")
        # a (170710): late[0] and the accepted one; b (170702): two
        self.assertEqual(cells.get(("overdue_start", "", "", "170710", "2000-01")), (2, 0))
        self.assertEqual(cells.get(("overdue_start", "", "", "170702", "2000-01")), (2, 0))
        self.move(late[0], "shelter", "accepted")
        self.move(self.move(late[1], "shelter", "accepted"), "shelter", "completed",
                  "Cells reason")
        self.move(late[2], "caseworker1", "withdrawn")
        cells = self.check("overdue referrals resolved")
        this_month = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m")
        self.assertEqual(cells.get(("overdue_stop", "", "", "170702", this_month)), (2, 0))
        self.assertNotIn(("overdue_stop", "", "", "170710", this_month), cells)
        del sent, done, declined, gone

        # Closure and reopening.
        for c in (a, b):
            self.ok("POST", "/api/v1/cases/%s/closure" % c["id"],
                    {"reason_code": "services_completed", "reason": "Cells reason"},
                    user="caseworker1")
            self.ok("POST", "/api/v1/cases/%s/closure/approve" % c["id"], {})
        self.check("closures")
        self.ok("POST", "/api/v1/cases/%s/reopen" % b["id"], {"reason": "Cells reason"})
        self.check("a case reopened")
        self.ok("POST", "/api/v1/cases/%s/closure" % b["id"],
                {"reason_code": "moved_away", "reason": "Cells reason"}, user="caseworker1")
        self.ok("POST", "/api/v1/cases/%s/closure/approve" % b["id"], {})
        self.check("closed again")
        # Erasure keeps the statistics.
        before = stored(srv)
        v = self.case(a["id"])
        self.ok("POST", "/api/v1/cases/%s/erase" % a["id"],
                {"version": v["version"], "reason": "Cells reason"})
        self.assertEqual(stored(srv), before, "an erasure changes no figure")
        self.check("an erasure")

        # Outreach, advice, trainings, members.
        g1, g2 = self.me["rep1"]["group_id"], self.me["rep2"]["group_id"]
        for date, att in (("2026-03-02", {"female": 14, "male": 5, "under_18": 3}),
                          ("2026-04-11", {"female": 0, "male": 7, "under_18": 0})):
            self.ok("POST", "/api/v1/outreach",
                    {"date": date, "location_code": "17071001", "group_id": g1,
                     "topics": ["safe_migration"], "attendance": att}, user="rep1")
        self.check("outreach")
        for channel, dest, agency in (("government_mou", "KR", None),
                                      ("licensed_agency", "MY", None),
                                      ("irregular", "TH", None)):
            body = {"date": "2026-02-20",
                    "person": {"name_latn": "Cells Survivor", "sex": "female",
                               "birth_year": 1996},
                    "destination": dest, "sector": "manufacturing", "channel": channel,
                    "documents": dict(ALL_DOCS), "risks": []}
            self.ok("POST", "/api/v1/migrant-advice", body, user="member1")
        self.check("advice")
        st, _, mv = self.req("GET", "/api/v1/groups/%s/members" % g1, as_user="rep1")
        self.assertEqual(st, 200, mv)
        g1m = [m["id"] for m in mv["items"]]
        self.ok("POST", "/api/v1/trainings",
                {"date": "2026-03-02", "topics": ["safe_migration", "labour_rights"],
                 "location_code": "170710", "audience": "police",
                 "facilitator": {"user_id": self.me["supervisor"]["id"]},
                 "participants": [{"name": "Officer Outsider", "organization": "Police",
                                   "sex": "male"}, {"member_id": g1m[1]}],
                 "scores": [{"participant_index": 0, "pre": 40, "post": 75},
                            {"participant_index": 1, "pre": 50, "post": 45}]})
        self.ok("POST", "/api/v1/trainings",
                {"date": "2026-05-09", "topics": ["trafficking_identification"],
                 "location_code": "17071001", "audience": "representatives",
                 "facilitator": {"member_id": self.me["trainer1"]["member_id"]},
                 "participants": [{"member_id": g1m[0]}, {"member_id": g1m[1]}], "scores": []},
                user="trainer1")
        self.check("trainings")
        m = self.ok("POST", "/api/v1/groups/%s/members" % g2,
                    {"name_latn": "Cells Member", "sex": "female", "birth_year": 1990,
                     "network_roles": ["member", "representative"],
                     "returnee": {"countries": ["TH"], "years_abroad": 3, "channel": "irregular",
                                  "sector": "agriculture"}}, user="rep2")
        self.check("a member added")
        m = self.ok("PATCH", "/api/v1/members/" + m["id"],
                    {"version": m["version"], "network_roles": ["member", "trainer"]},
                    user="rep2")
        self.check("her roles changed")
        mem = next(x for x in mv["items"] if x["id"] == g1m[1])
        self.ok("PATCH", "/api/v1/members/" + g1m[1],
                {"version": mem["version"], "active": False}, user="rep1")
        self.check("a member deactivated")
        # A group moved: its advice, members, activity move with it.
        g = self.ok("GET", "/api/v1/groups/" + g1, user="admin")
        self.ok("PATCH", "/api/v1/groups/" + g1,
                {"version": g["version"], "location_code": "17060301"}, user="admin")
        cells = self.check("a group moved")
        self.assertFalse([k for k in cells if k[0] == "group_activity" and k[2] == g1
                          and k[3] != "170603"], "the group's activity moved with it")

        # The rebuild gives the same rows.
        before = stored(srv)
        self.rebuild()
        self.assertEqual(stored(srv), before)
        self.check("rebuilt at the end")

    def test_a_failed_write_changes_no_cell(self):
        c = self.new_case(["trafficking"])
        before = stored(self.srv)
        st, _, v = self.req("PATCH", "/api/v1/cases/" + c["id"],
                            {"version": c["version"] + 7, "location_code": "17060301"},
                            as_user="caseworker1")
        self.assertEqual(st, 409, v)
        self.assertEqual(stored(self.srv), before)
        self.check("after a conflict")

    def test_a_server_builds_the_cells_of_an_upgraded_database(self):
        """A database upgraded to schema 19 with records has no cells yet
        (built = 0): cbpn serve builds them before it serves."""
        srv = self.srv
        self.new_case(["forced_labour"])
        want = recompute(srv)
        self.assertTrue(want)
        srv.execute("DELETE FROM report_cell")
        srv.execute("UPDATE report_generation SET built = 0")
        self.assertEqual(stored(srv), {})
        srv.stop()
        srv.start()
        self.assertEqual(stored(srv), want)
        self.assertEqual(srv.rows("SELECT built FROM report_generation"), [(1,)])
        self.assertIn("built the report cells from the records", srv.log_text())
        # once built, a restart leaves them as they are
        gen = srv.rows("SELECT gen FROM report_generation")[0][0]
        srv.stop()
        srv.start()
        self.assertEqual(srv.rows("SELECT gen FROM report_generation")[0][0], gen)
