"""The donor report (issue 10 items 1 and 8) on a fixed data set, every
indicator's expected value worked out by hand from docs/reports.md.

The data set is built through the API on a database of its own (`cbpn init`,
not the demo), so that nothing but the fixture is counted anywhere in the
deployment: the report for the country is the report for Siem Reap (17).
What the API cannot make is made as the other tests make it: the two
organizations are inserted (as test_accounts.py does; no endpoint creates
one), the staff accounts come from `cbpn user add`, and two referrals are
made overdue by moving their `due_at` into the past (as test_referrals.py
does). Records the server dates itself (cases, referrals, closures, members)
are of the current month, so the fixture is built for December 2026 (it is
skipped in any other month): the records dated in their body fall in March,
November and on 2026-12-01.

The network: Siem Reap (17); Puok district (1707) with the communes Puok
(170710, group G1) and Reul (170712, group G2); Kralanh district (1706) with
the commune Kralanh (170603, group G3).

Expectations are literal numbers, each derived in a comment. They are the
true figures; what the answer must show follows from k (see check_value):
0 is shown as 0; a count from 1 to k-1 is suppressed (value null); a count
of k or more is either shown as exactly that number or suppressed by the
complementary rule (which cells it picks is the engine's choice); a
percentage, mean or median over fewer than k records is suppressed, over
none it is absent (null, not suppressed). Every additive breakdown that
holds a suppressed cell must hold two, summing to more than k unless its
total is suppressed too. Each report is checked at k = 5 (the default) and
at k = 2 (`cbpn setting suppression.k 2`), where most figures show.
"""

import datetime
import shutil
import subprocess
import tempfile
import unittest

from cbpnserver import CBPN_BIN, ERROR_ONLY, Database, Server, q

TODAY = "2026-12-01"
PASSWORD = "fixture-password-1"
NGO = "fixturengo0000000001"
PROVIDER = "fixtureprov000000001"
K_KEY = "suppression.k"

# docs/reports.md, in its order.
CODES = ["groups_active", "members", "members_returnees", "trainings", "training_participants",
         "members_trained_pct", "knowledge_gain", "outreach_sessions", "people_reached",
         "people_advised", "regular_channel_pct", "unlicensed_agency_warnings",
         "cases_reported", "presumed_trafficking", "gbv_incidents", "referrals_made",
         "referrals_accepted_pct", "referrals_completed_pct", "median_days_to_completion",
         "referrals_overdue", "cases_closed", "median_days_open", "cascade_trainings",
         "cascade_participants"]
TOPICS = ["safe_migration", "labour_rights", "gender_equality", "financial_literacy",
          "trafficking_identification", "vaw_identification", "case_reporting_documentation",
          "counselling", "advocacy", "leadership", "victim_identification_procedures"]
# Breakdowns whose categories are disjoint and sum to the total.
NOT_ADDITIVE = {"concern", "network_role", "topic"}

ACTS = ("penetration", "sexual_contact", "physical_assault", "forced_marriage",
        "denial_of_resources", "psychological_abuse")
# The act whose "yes" gives the type (DOMAIN.md §1); non_gbv: none.
TYPE_ACT = {"rape": "penetration", "sexual_assault": "sexual_contact",
            "physical_assault": "physical_assault", "forced_marriage": "forced_marriage",
            "denial_of_resources": "denial_of_resources",
            "psychological_abuse": "psychological_abuse", "non_gbv": None}
# test_screenings.py: an adult recruited, exploited and coerced.
PRESUMED = ["a_deceived_nature_of_job", "a_deceived_wages", "d_excessive_hours",
            "d_low_or_no_salary", "e_confiscation_of_documents", "e_debt_bondage",
            "fl_retention_of_documents", "fl_debt_bondage"]
EXPLOITED = ["d_excessive_hours", "d_low_or_no_salary"]
ALL_DOCS = {"passport": True, "visa": True, "work_permit": True, "contract": True,
            "pre_departure_orientation": True, "overseas_worker_card": True}


# the breakdowns a commune's or a month's report still has
COARSE_ONLY = {"district"}


class P:
    """A percentage, mean or median: its value and its whole (the number of
    records it is computed over)."""

    def __init__(self, value, whole):
        self.value, self.whole = value, whole

    def __repr__(self):
        return "P(%r, %r)" % (self.value, self.whole)


ABSENT = None  # a percentage, mean or median over nothing


def cli(db, *args, stdin=None):
    p = subprocess.run([CBPN_BIN, *args[:2], *db.args(), *args[2:]], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("cbpn %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


# ---- the data set -----------------------------------------------------------
#
# Members: (key, sex, network_roles, returnee, active). 16 active: G1 6,
# G2 4 (B5 is deactivated), G3 6.
MEMBERS = {
    "G1": [("A1", "female", ["representative"], False, True),
           ("A2", "female", ["member", "trainer"], False, True),
           ("A3", "female", ["member"], True, True),
           ("A4", "female", ["member"], True, True),
           ("A5", "male", ["member"], True, True),
           ("A6", "female", ["member"], False, True)],
    "G2": [("B1", "female", ["representative"], False, True),
           ("B2", "female", ["member"], True, True),
           ("B3", "female", ["member"], False, True),
           ("B4", "male", ["member"], False, True),
           ("B5", "female", ["member"], True, False)],
    "G3": [("C1", "female", ["representative"], False, True),
           ("C2", "female", ["member", "trainer"], False, True),
           ("C3", "female", ["member"], True, True),
           ("C4", "female", ["member"], True, True),
           ("C5", "female", ["member"], False, True),
           ("C6", "male", ["member"], False, True)],
}
GROUPS = {"G1": "170710", "G2": "170712", "G3": "170603"}
VILLAGE = {"G1": "17071001", "G2": "17071201", "G3": "17060301"}

# Trainings: (key, date, group, audience, facilitator, topics, participants,
# scores). A participant is a member's key or ("out", sex); a facilitator
# "staff" (the supervisor), "outside", or a trainer member's key (a cascade).
TRAININGS = [
    # T1: 5 participants (F4 M1), gains 10 20 30 10 30
    ("T1", "2026-11-10", "G1", "members", "staff", ["safe_migration", "labour_rights"],
     ["A3", "A4", "A5", "A6", ("out", "female")],
     [(40, 50), (40, 60), (30, 60), (50, 60), (20, 50)]),
    # T2: cascade by the trainer A2, 5 participants (F4 M1), gains 5 15 25 5 0
    ("T2", "2026-11-12", "G1", "representatives", "A2", ["trafficking_identification"],
     ["A1", "B1", "C1", ("out", "female"), ("out", "male")],
     [(50, 55), (40, 55), (30, 55), (60, 65), (70, 70)]),
    # T3: cascade by the trainer C2, 5 participants (F4 M1), no scores
    ("T3", "2026-03-05", "G3", "representatives", "C2", ["safe_migration"],
     ["C1", "A1", ("out", "female"), ("out", "female"), ("out", "male")], []),
    # T4: police, 6 outside people (F3 M3), two scored: gains 8 and 12
    ("T4", TODAY, "G3", "police", "staff", ["vaw_identification"],
     [("out", "female"), ("out", "female"), ("out", "female"), ("out", "male"),
      ("out", "male"), ("out", "male")], [(30, 38), (40, 52)]),
    # T5: community, an outside facilitator, 5 participants (F4 M1)
    ("T5", "2026-11-20", "G2", "community", "outside", ["gender_equality"],
     ["B3", "B4", ("out", "female"), ("out", "female"), ("out", "female")], []),
    # T6: members, 4 participants (F3 M1)
    ("T6", "2026-03-10", "G3", "members", "staff", ["safe_migration", "counselling"],
     ["C3", "C4", "C5", "C6"], []),
]

# Outreach sessions: (date, group, female, male, under_18).
OUTREACH = [
    ("2026-11-05", "G1", 20, 10, 5),   # O1
    ("2026-11-15", "G1", 15, 5, 0),    # O2
    (TODAY, "G2", 12, 8, 4),           # O3
    ("2026-03-08", "G3", 10, 6, 3),    # O4
    ("2026-03-20", "G3", 9, 3, 2),     # O5
]

# Advice records: (date, group, destination, channel). licensed_agency with no
# agency named is warned unlicensed_agency (API.md).
ADVICE = [
    ("2026-11-03", "G1", "TH", "government_mou"),   # AD1
    ("2026-11-04", "G1", "TH", "government_mou"),   # AD2
    ("2026-11-06", "G1", "MY", "irregular"),        # AD3
    ("2026-11-07", "G2", "KR", "eps_korea"),        # AD4
    ("2026-11-08", "G2", "TH", "licensed_agency"),  # AD5 (warned)
    ("2026-11-09", "G2", "KR", "eps_korea"),        # AD9
    (TODAY, "G3", "MY", "irregular"),               # AD6
    ("2026-03-12", "G3", "TH", "licensed_agency"),  # AD7 (warned)
    ("2026-03-13", "G3", "JP", "titp_japan"),       # AD8
    ("2026-03-14", "G3", "JP", "titp_japan"),       # AD10
]

# Cases, reported today: (key, group (village), concerns, reporter).
CASES = [
    ("K1", "G1", ["trafficking", "unsafe_migration"], "mema"),
    ("K2", "G1", ["domestic_violence"], "mema"),
    ("K3", "G1", ["sexual_violence"], "repa"),
    ("K4", "G1", ["trafficking", "forced_labour"], "cw"),
    ("K5", "G2", ["domestic_violence", "sexual_violence"], "repb"),
    ("K6", "G2", ["forced_labour", "labour_exploitation"], "cw"),
    ("K7", "G3", ["trafficking", "unsafe_migration"], "memc"),
    ("K8", "G3", ["domestic_violence", "child_at_risk"], "cw"),
    ("K9", "G3", ["sexual_violence", "child_at_risk"], "sup1"),
    ("K10", "G3", ["labour_exploitation"], "sup1"),
]

# Reporting consents, in order: (case, given, withdrawn afterwards).
REPORTING = [
    ("K1", True, False), ("K2", True, False),
    ("K3", True, True),                        # withdrawn: K3's incidents not counted
    # K4: none at all
    ("K5", True, False),
    ("K6", False, False),                      # refused
    ("K7", True, False),
    ("K8", False, False), ("K8", True, False),  # refused, then given: the latest decides
    ("K9", True, False),
]

# Incidents: (key, case, reported_on, type, reported_elsewhere). Counted
# (marked +): the case's latest reporting consent given and not withdrawn,
# not gbvims_org, not non_gbv.
INCIDENTS = [
    ("I1", "K1", "2026-11-20", "physical_assault", "no"),           # +
    ("I2", "K1", TODAY, "rape", "no"),                               # +
    ("I17", "K1", "2026-11-29", "rape", "no"),                       # +
    ("I3", "K2", "2026-11-21", "physical_assault", "no"),            # +
    ("I14", "K2", "2026-03-16", "physical_assault", "no"),           # +
    ("I4", "K3", "2026-11-22", "sexual_assault", "no"),              # consent withdrawn
    ("I5", "K4", "2026-11-23", "rape", "no"),                        # no consent
    ("I6", "K5", "2026-11-24", "psychological_abuse", "no"),         # +
    ("I7", "K5", "2026-11-25", "rape", "gbvims_org"),                # counted elsewhere
    ("I8", "K6", "2026-11-26", "physical_assault", "no"),            # consent refused
    ("I12", "K7", "2026-03-15", "denial_of_resources", "no"),        # +
    ("I15", "K7", "2026-03-17", "denial_of_resources", "no"),        # +
    ("I9", "K8", TODAY, "physical_assault", "no"),                   # +
    ("I13", "K8", "2026-11-28", "psychological_abuse", "non_gbvims_org"),  # +
    ("I10", "K9", TODAY, "sexual_assault", "no"),                    # +
    ("I16", "K9", TODAY, "sexual_assault", "no"),                    # +
    ("I11", "K9", "2026-11-27", "non_gbv", "no"),                    # not GBV
]

# Screenings: (case, indicators). Presumed trafficking: K1, K4, K7 (twice).
SCREENINGS = [("K1", PRESUMED), ("K4", PRESUMED), ("K7", PRESUMED), ("K7", PRESUMED),
              ("K6", EXPLOITED)]

# Referrals, sent today: (key, case, service type, moves, overdue).
REFERRALS = [
    ("R1", "K1", "psychosocial", ["accepted", "completed"], False),
    ("R2", "K1", "legal", ["accepted", "completed"], False),
    ("R3", "K2", "psychosocial", ["declined"], False),
    ("R4", "K4", "shelter", ["accepted"], False),
    ("R5", "K5", "health", [], True),
    ("R6", "K6", "legal", ["withdrawn"], False),
    ("R7", "K8", "psychosocial", ["accepted", "completed"], False),
    ("R8", "K9", "health", ["accepted", "withdrawn"], False),
    ("R9", "K7", "shelter", [], True),
    ("R10", "K8", "legal", ["accepted", "completed"], False),
]

# Closures: (case, reason, approved). K5 is closed then reopened; K9's
# closure is asked for and never approved.
CLOSURES = [("K2", "services_completed"), ("K3", "survivor_request"),
            ("K6", "services_completed"), ("K8", "survivor_request"),
            ("K10", "services_completed")]


# ---- the expectations, by hand ----------------------------------------------
#
# {code: (value, {dimension: {category: value}})}; a category left out of a
# dimension must be 0 (nothing else is in the deployment).

# Siem Reap (17), the year 2026 (and the country: nothing else exists).
PROVINCE_YEAR = {
    # G1 (T1, T2, O1, O2, AD1-3, K1-3 by mema/repa), G2 (T5, O3, AD4/5/9,
    # K5 by repb), G3 (T3, T4, T6, O4, O5, AD6-10, K7 by memc)
    "groups_active": (3, {"district": {"1707": 2, "1706": 1}}),
    # 6 + 4 (B5 deactivated) + 6, all created today
    "members": (16, {"district": {"1707": 10, "1706": 6},
                     # member: A2-A6 5 + B2-B4 3 + C2-C6 5; representative
                     # A1 B1 C1; trainer A2 C2
                     "network_role": {"member": 13, "representative": 3, "trainer": 2}}),
    # A3 A4 A5 + B2 (B5 deactivated) + C3 C4
    "members_returnees": (6, {}),
    # T1-T6: members T1 T6, representatives T2 T3, police T4, community T5
    "trainings": (6, {"audience": {"members": 2, "representatives": 2, "police": 1,
                                   "community": 1}}),
    # 5 + 5 + 5 + 6 + 5 + 4; members 5 + 4, representatives 5 + 5, police 6,
    # community 5; female 4 + 4 + 4 + 3 + 4 + 3, male 1 + 1 + 1 + 3 + 1 + 1
    "training_participants": (30, {"audience": {"members": 9, "representatives": 10,
                                                "police": 6, "community": 5},
                                   "sex": {"female": 22, "male": 8}}),
    # of 16 members: safe_migration T1 A3-A6, T3 C1 A1, T6 C3-C6 = 10 (62.5);
    # labour_rights T1 = 4 (25.0); trafficking_identification T2 A1 B1 C1 = 3
    # (18.75 -> 18.8); gender_equality T5 B3 B4 = 2 (12.5); counselling T6 = 4
    # (25.0); vaw_identification T4 no member (0.0); the other topics 0.0
    "members_trained_pct": (ABSENT, {"topic": dict(
        {t: P(0.0, 16) for t in TOPICS},
        safe_migration=P(62.5, 16), labour_rights=P(25.0, 16),
        trafficking_identification=P(18.8, 16), gender_equality=P(12.5, 16),
        counselling=P(25.0, 16))}),
    # 12 with both scores: T1 100 + T2 50 + T4 20 = 170 / 12 = 14.17 -> 14.2
    "knowledge_gain": (P(14.2, 12), {}),
    "outreach_sessions": (5, {}),  # O1-O5
    # female 20+15+12+10+9 = 66, male 10+5+8+6+3 = 32; under_18 5+0+4+3+2 = 14
    "people_reached": (98, {"sex": {"female": 66, "male": 32},
                            "age": {"under_18": 14, "18_plus": 84}}),
    # TH AD1 AD2 AD5 AD7, MY AD3 AD6, KR AD4 AD9, JP AD8 AD10
    "people_advised": (10, {"destination": {"TH": 4, "MY": 2, "KR": 2, "JP": 2},
                            "channel": {"government_mou": 2, "eps_korea": 2, "irregular": 2,
                                        "licensed_agency": 2, "titp_japan": 2}}),
    "regular_channel_pct": (P(80.0, 10), {}),  # all but the 2 irregular: 8 / 10
    "unlicensed_agency_warnings": (2, {}),     # AD5, AD7
    # K1-K10; concerns counted in each; Puok K1-K6, Kralanh K7-K10; reporters
    # member K1 K2 K7, representative K3 K5, caseworker K4 K6 K8, supervisor K9 K10
    "cases_reported": (10, {
        "concern": {"trafficking": 3, "unsafe_migration": 2, "forced_labour": 2,
                    "labour_exploitation": 2, "domestic_violence": 3, "sexual_violence": 3,
                    "child_at_risk": 2},
        "district": {"1707": 6, "1706": 4},
        "reporter_role": {"member": 3, "representative": 2, "caseworker": 3, "supervisor": 2}}),
    "presumed_trafficking": (3, {}),  # K1, K4, K7 (screened twice, counted once)
    # I1 I2 I17 I3 I14 I6 I12 I15 I9 I13 I10 I16
    "gbv_incidents": (12, {"gbv_type": {"physical_assault": 4, "rape": 2,
                                        "psychological_abuse": 2, "denial_of_resources": 2,
                                        "sexual_assault": 2}}),
    # psychosocial R1 R3 R7, legal R2 R6 R10, shelter R4 R9, health R5 R8
    "referrals_made": (10, {"service_type": {"psychosocial": 3, "legal": 3, "shelter": 2,
                                             "health": 2}}),
    "referrals_accepted_pct": (P(60.0, 10), {}),   # R1 R2 R4 R7 R8 R10
    "referrals_completed_pct": (P(40.0, 10), {}),  # R1 R2 R7 R10
    "median_days_to_completion": (P(0, 4), {}),    # all sent and completed today
    "referrals_overdue": (2, {}),                  # R5, R9 (the year has not ended: now)
    # K2 K6 K10 services_completed, K3 K8 survivor_request (K5 reopened, K9 asked)
    "cases_closed": (5, {"reason": {"services_completed": 3, "survivor_request": 2}}),
    "median_days_open": (P(0, 5), {}),
    "cascade_trainings": (2, {"audience": {"representatives": 2}}),       # T2, T3
    "cascade_participants": (10, {"audience": {"representatives": 10}}),  # 5 + 5
}

# Siem Reap, the fourth quarter of 2026.
PROVINCE_Q4 = dict(PROVINCE_YEAR, **{
    # Q4: everything of the year but March's T3 T6 O4 O5 AD7 AD8 AD10
    # I12 I14 I15 (groups G1 G2 G3 all active in Q4)
    "trainings": (4, {"audience": {"members": 1, "representatives": 1, "police": 1,
                                   "community": 1}}),
    "training_participants": (21, {"audience": {"members": 5, "representatives": 5,
                                                "police": 6, "community": 5},
                                   "sex": {"female": 15, "male": 6}}),
    # of 16: safe_migration T1 4 (25.0), labour_rights 4 (25.0),
    # trafficking_identification 3 (18.8), gender_equality 2 (12.5)
    "members_trained_pct": (ABSENT, {"topic": dict(
        {t: P(0.0, 16) for t in TOPICS}, safe_migration=P(25.0, 16),
        labour_rights=P(25.0, 16), trafficking_identification=P(18.8, 16),
        gender_equality=P(12.5, 16))}),
    "outreach_sessions": (3, {}),
    "people_reached": (70, {"sex": {"female": 47, "male": 23},
                            "age": {"under_18": 9, "18_plus": 61}}),
    "people_advised": (7, {"destination": {"TH": 3, "MY": 2, "KR": 2},
                           "channel": {"government_mou": 2, "irregular": 2,
                                       "eps_korea": 2, "licensed_agency": 1}}),
    "regular_channel_pct": (P(71.4, 7), {}),  # 5 / 7 = 71.43
    "unlicensed_agency_warnings": (1, {}),
    "gbv_incidents": (9, {"gbv_type": {"physical_assault": 3, "rape": 2,
                                       "psychological_abuse": 2,
                                       "sexual_assault": 2}}),
    "cascade_trainings": (1, {"audience": {"representatives": 1}}),
    "cascade_participants": (5, {"audience": {"representatives": 5}}),
})

# Siem Reap, December 2026 (the current month).
PROVINCE_DEC = dict(PROVINCE_YEAR, **{
    # G1 (K1-K3 by mema/repa), G2 (O3, K5 by repb), G3 (T4, AD6, K7 by memc)
    "groups_active": (3, {"district": {"1707": 2, "1706": 1}}),
    "trainings": (1, {"audience": {"police": 1}}),                          # T4
    "training_participants": (6, {"audience": {"police": 6},
                                  "sex": {"female": 3, "male": 3}}),
    # T4 trained no member: every topic 0 of 16
    "members_trained_pct": (ABSENT, {"topic": {t: P(0.0, 16) for t in TOPICS}}),
    "knowledge_gain": (P(10.0, 2), {}),                                      # (8 + 12) / 2
    "outreach_sessions": (1, {}),                                            # O3
    "people_reached": (20, {"sex": {"female": 12, "male": 8},
                            "age": {"under_18": 4, "18_plus": 16}}),
    "people_advised": (1, {"destination": {"MY": 1}, "channel": {"irregular": 1}}),  # AD6
    "regular_channel_pct": (P(0.0, 1), {}),
    "unlicensed_agency_warnings": (0, {}),
    # I2 rape, I9 physical_assault, I10 I16 sexual_assault
    "gbv_incidents": (4, {"gbv_type": {"rape": 1, "physical_assault": 1, "sexual_assault": 2}}),
    "cascade_trainings": (0, {"audience": {}}),
    "cascade_participants": (0, {"audience": {}}),
})

# Siem Reap, the first quarter of 2026 (everything of it is in March).
PROVINCE_Q1 = {
    "groups_active": (1, {"district": {"1706": 1}}),  # G3: T3 T6 O4 O5 AD7 AD8 AD10
    # nobody was created before the end of March
    "members": (0, {"district": {}, "network_role": {}}),
    "members_returnees": (0, {}),
    "trainings": (2, {"audience": {"representatives": 1, "members": 1}}),  # T3, T6
    # T3 5 (F4 M1), T6 4 (F3 M1)
    "training_participants": (9, {"audience": {"representatives": 5, "members": 4},
                                  "sex": {"female": 7, "male": 2}}),
    # members is 0: a percentage over nothing
    "members_trained_pct": (ABSENT, {"topic": {t: ABSENT for t in TOPICS}}),
    "knowledge_gain": (ABSENT, {}),  # no scores
    "outreach_sessions": (2, {}),    # O4, O5
    # female 10+9, male 6+3, under_18 3+2
    "people_reached": (28, {"sex": {"female": 19, "male": 9},
                            "age": {"under_18": 5, "18_plus": 23}}),
    # AD7 TH licensed_agency, AD8 AD10 JP titp_japan
    "people_advised": (3, {"destination": {"TH": 1, "JP": 2},
                           "channel": {"licensed_agency": 1, "titp_japan": 2}}),
    "regular_channel_pct": (P(100.0, 3), {}),
    "unlicensed_agency_warnings": (1, {}),  # AD7
    "cases_reported": (0, {"concern": {}, "district": {}, "reporter_role": {}}),
    "presumed_trafficking": (0, {}),
    # I14 (K2), I12 I15 (K7): reported_on in March
    "gbv_incidents": (3, {"gbv_type": {"physical_assault": 1, "denial_of_resources": 2}}),
    "referrals_made": (0, {"service_type": {}}),
    "referrals_accepted_pct": (ABSENT, {}),
    "referrals_completed_pct": (ABSENT, {}),
    "median_days_to_completion": (ABSENT, {}),
    "referrals_overdue": (0, {}),  # none existed at the end of March
    "cases_closed": (0, {"reason": {}}),
    "median_days_open": (ABSENT, {}),
    "cascade_trainings": (1, {"audience": {"representatives": 1}}),     # T3
    "cascade_participants": (5, {"audience": {"representatives": 5}}),
}

# Siem Reap, November 2026: an ended month before anyone was created.
PROVINCE_NOV = {
    "groups_active": (2, {"district": {"1707": 2}}),  # G1 (T1 T2 O1 O2 AD1-3), G2 (T5 AD4 AD5 AD9)
    "members": (0, {"district": {}, "network_role": {}}),
    "members_returnees": (0, {}),
    "trainings": (3, {"audience": {"members": 1, "representatives": 1, "community": 1}}),
    "training_participants": (15, {"audience": {"members": 5, "representatives": 5,
                                                "community": 5},
                                   "sex": {"female": 12, "male": 3}}),
    "members_trained_pct": (ABSENT, {"topic": {t: ABSENT for t in TOPICS}}),
    "knowledge_gain": (P(15.0, 10), {}),  # (100 + 50) / 10
    "outreach_sessions": (2, {}),         # O1, O2
    "people_reached": (50, {"sex": {"female": 35, "male": 15},
                            "age": {"under_18": 5, "18_plus": 45}}),
    # AD1 AD2 TH mou, AD3 MY irregular, AD4 AD9 KR eps, AD5 TH licensed
    "people_advised": (6, {"destination": {"TH": 3, "MY": 1, "KR": 2},
                           "channel": {"government_mou": 2, "irregular": 1, "eps_korea": 2,
                                       "licensed_agency": 1}}),
    "regular_channel_pct": (P(83.3, 6), {}),  # 5 / 6 = 83.33
    "unlicensed_agency_warnings": (1, {}),     # AD5
    "cases_reported": (0, {"concern": {}, "district": {}, "reporter_role": {}}),
    "presumed_trafficking": (0, {}),
    # I1 I3 physical_assault, I17 rape, I6 I13 psychological_abuse
    "gbv_incidents": (5, {"gbv_type": {"physical_assault": 2, "rape": 1,
                                       "psychological_abuse": 2}}),
    "referrals_made": (0, {"service_type": {}}),
    "referrals_accepted_pct": (ABSENT, {}),
    "referrals_completed_pct": (ABSENT, {}),
    "median_days_to_completion": (ABSENT, {}),
    "referrals_overdue": (0, {}),  # November has ended; no referral existed then
    "cases_closed": (0, {"reason": {}}),
    "median_days_open": (ABSENT, {}),
    "cascade_trainings": (1, {"audience": {"representatives": 1}}),  # T2
    "cascade_participants": (5, {"audience": {"representatives": 5}}),
}

# Puok district (1707), the year 2026. A training's participants are placed
# at the training's location (docs/reports.md, "The records' places"), but
# members_trained_pct counts each member at her own group's place, so T2's
# C1 (of Kralanh) counts in Kralanh and T3's A1 (of Puok) in Puok.
PUOK_YEAR = {
    "groups_active": (2, {}),                                  # G1, G2
    "members": (10, {"network_role": {"member": 8, "representative": 2, "trainer": 1}}),
    "members_returnees": (4, {}),                              # A3 A4 A5 B2
    "trainings": (3, {"audience": {"members": 1, "representatives": 1, "community": 1}}),
    "training_participants": (15, {"audience": {"members": 5, "representatives": 5,
                                                "community": 5},
                                   "sex": {"female": 12, "male": 3}}),
    # of 10: safe_migration T1 A3-A6 + T3 A1 = 5 (50.0), labour_rights T1 4
    # (40.0), trafficking_identification T2 A1 B1 = 2 (20.0), gender_equality
    # T5 B3 B4 = 2 (20.0)
    "members_trained_pct": (ABSENT, {"topic": dict(
        {t: P(0.0, 10) for t in TOPICS}, safe_migration=P(50.0, 10),
        labour_rights=P(40.0, 10), trafficking_identification=P(20.0, 10),
        gender_equality=P(20.0, 10))}),
    "knowledge_gain": (P(15.0, 10), {}),                       # T1 + T2
    "outreach_sessions": (3, {}),                              # O1 O2 O3
    "people_reached": (70, {"sex": {"female": 47, "male": 23},
                            "age": {"under_18": 9, "18_plus": 61}}),
    "people_advised": (6, {"destination": {"TH": 3, "MY": 1, "KR": 2},
                           "channel": {"government_mou": 2, "irregular": 1, "eps_korea": 2,
                                       "licensed_agency": 1}}),
    "regular_channel_pct": (P(83.3, 6), {}),
    "unlicensed_agency_warnings": (1, {}),                     # AD5
    # K1-K6
    "cases_reported": (6, {
        "concern": {"trafficking": 2, "unsafe_migration": 1, "forced_labour": 2,
                    "labour_exploitation": 1, "domestic_violence": 2, "sexual_violence": 2},
        "reporter_role": {"member": 2, "representative": 2, "caseworker": 2}}),
    "presumed_trafficking": (2, {}),                           # K1, K4
    # I1 I3 I14 physical_assault, I2 I17 rape, I6 psychological_abuse
    "gbv_incidents": (6, {"gbv_type": {"physical_assault": 3, "rape": 2,
                                       "psychological_abuse": 1}}),
    # R1-R6
    "referrals_made": (6, {"service_type": {"psychosocial": 2, "legal": 2, "shelter": 1,
                                            "health": 1}}),
    "referrals_accepted_pct": (P(50.0, 6), {}),                # R1 R2 R4
    "referrals_completed_pct": (P(33.3, 6), {}),               # R1 R2: 33.33
    "median_days_to_completion": (P(0, 2), {}),
    "referrals_overdue": (1, {}),                              # R5
    "cases_closed": (3, {"reason": {"services_completed": 2, "survivor_request": 1}}),
    "median_days_open": (P(0, 3), {}),
    "cascade_trainings": (1, {"audience": {"representatives": 1}}),    # T2
    "cascade_participants": (5, {"audience": {"representatives": 5}}),
}

# Kralanh district (1706), the year 2026.
KRALANH_YEAR = {
    "groups_active": (1, {}),                                  # G3
    "members": (6, {"network_role": {"member": 5, "representative": 1, "trainer": 1}}),
    "members_returnees": (2, {}),                              # C3 C4
    "trainings": (3, {"audience": {"representatives": 1, "police": 1, "members": 1}}),
    # T3 5 (F4 M1), T4 6 (F3 M3), T6 4 (F3 M1)
    "training_participants": (15, {"audience": {"representatives": 5, "police": 6,
                                                "members": 4},
                                   "sex": {"female": 10, "male": 5}}),
    # of 6: safe_migration T3 C1 + T6 C3-C6 = 5 (83.33 -> 83.3); counselling
    # T6 4 (66.67 -> 66.7); trafficking_identification T2 C1 = 1 (16.7)
    "members_trained_pct": (ABSENT, {"topic": dict(
        {t: P(0.0, 6) for t in TOPICS}, safe_migration=P(83.3, 6),
        counselling=P(66.7, 6), trafficking_identification=P(16.7, 6))}),
    "knowledge_gain": (P(10.0, 2), {}),                        # T4
    "outreach_sessions": (2, {}),                              # O4 O5
    "people_reached": (28, {"sex": {"female": 19, "male": 9},
                            "age": {"under_18": 5, "18_plus": 23}}),
    # AD6 MY irregular, AD7 TH licensed, AD8 AD10 JP titp
    "people_advised": (4, {"destination": {"MY": 1, "TH": 1, "JP": 2},
                           "channel": {"irregular": 1, "licensed_agency": 1, "titp_japan": 2}}),
    "regular_channel_pct": (P(75.0, 4), {}),
    "unlicensed_agency_warnings": (1, {}),                     # AD7
    # K7-K10
    "cases_reported": (4, {
        "concern": {"trafficking": 1, "unsafe_migration": 1, "domestic_violence": 1,
                    "child_at_risk": 2, "sexual_violence": 1, "labour_exploitation": 1},
        "reporter_role": {"member": 1, "caseworker": 1, "supervisor": 2}}),
    "presumed_trafficking": (1, {}),                           # K7
    # I12 I15 denial, I9 physical, I13 psychological, I10 I16 sexual_assault
    "gbv_incidents": (6, {"gbv_type": {"denial_of_resources": 2, "physical_assault": 1,
                                       "psychological_abuse": 1, "sexual_assault": 2}}),
    # R7 psychosocial, R8 health, R9 shelter, R10 legal
    "referrals_made": (4, {"service_type": {"psychosocial": 1, "health": 1, "shelter": 1,
                                            "legal": 1}}),
    "referrals_accepted_pct": (P(75.0, 4), {}),                # R7 R8 R10
    "referrals_completed_pct": (P(50.0, 4), {}),               # R7 R10
    "median_days_to_completion": (P(0, 2), {}),
    "referrals_overdue": (1, {}),                              # R9
    "cases_closed": (2, {"reason": {"services_completed": 1, "survivor_request": 1}}),
    "median_days_open": (P(0, 2), {}),
    "cascade_trainings": (1, {"audience": {"representatives": 1}}),    # T3
    "cascade_participants": (5, {"audience": {"representatives": 5}}),
}

# Puok commune (170710, group G1), the year 2026: some indicators.
PUOK_COMMUNE_YEAR = {
    "groups_active": (1, {}),                      # G1
    "members": (6, {"network_role": {"member": 5, "representative": 1, "trainer": 1}}),
    "members_returnees": (3, {}),                  # A3 A4 A5
    "trainings": (2, {"audience": {"members": 1, "representatives": 1}}),  # T1 T2
    "training_participants": (10, {"audience": {"members": 5, "representatives": 5},
                                   "sex": {"female": 8, "male": 2}}),
    "knowledge_gain": (P(15.0, 10), {}),
    "outreach_sessions": (2, {}),                  # O1 O2
    "people_reached": (50, {"sex": {"female": 35, "male": 15},
                            "age": {"under_18": 5, "18_plus": 45}}),
    "people_advised": (3, {"destination": {"TH": 2, "MY": 1},
                           "channel": {"government_mou": 2, "irregular": 1}}),  # AD1-3
    "unlicensed_agency_warnings": (0, {}),
    "cases_reported": (4, {}),                     # K1-K4
    "presumed_trafficking": (2, {}),               # K1 K4
    "gbv_incidents": (5, {"gbv_type": {"physical_assault": 3, "rape": 2}}),  # I1 I2 I17 I3 I14
    "referrals_made": (4, {}),                     # R1-R4
    "referrals_overdue": (0, {}),
    "cases_closed": (2, {"reason": {"services_completed": 1, "survivor_request": 1}}),
    "cascade_trainings": (1, {}),                  # T2
}


class ReportFixtureTest(unittest.TestCase):
    """One server on a database of its own, holding only the fixture."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="cbpn-fixture-")
        cls.srv = cls.db = None
        try:
            cls.build()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.srv is not None:
                cls.srv.stop()
                cls.srv.cleanup()  # not the database: made here, dropped here
        finally:
            try:
                if getattr(cls, "db", None) is not None:
                    cls.db.drop()
            finally:
                shutil.rmtree(cls.dir, ignore_errors=True)

    # ---- building the fixture ----

    @classmethod
    def call(cls, user, method, path, body=None, want=(200, 201)):
        st, _, v = cls.srv.request(method, path, body=body, token=cls.srv.login(user, PASSWORD))
        if st not in ((want,) if isinstance(want, int) else want):
            raise AssertionError("fixture: %s %s %s as %s: %s %r" % (method, path, body, user,
                                                                    st, v))
        return v

    @classmethod
    def build(cls):
        now = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        if not now.startswith("2026-12-"):
            # The server dates cases, referrals, closures and members itself:
            # the expectations hold while that date is in December 2026.
            raise unittest.SkipTest("the fixture is worked out for December 2026 (today is %s)"
                                    % now)
        cls.db = db = Database.empty(cls.dir, "fixture")
        cli(db, "init")
        stamp = "2026-01-01T00:00:00Z"
        for oid, name, kind in ((NGO, "Fixture Fictional NGO", "ngo"),
                                (PROVIDER, "Fixture Fictional Provider", "provider")):
            db.execute("INSERT INTO organization (id, name, kind, location_code, created_at,"
                       " updated_at, version) VALUES (?, ?, ?, NULL, ?, ?, 1)",
                       (oid, name, kind, stamp, stamp))
        for user, role, org in (("admin", "admin", NGO), ("sup1", "supervisor", NGO),
                                ("sup2", "supervisor", NGO), ("cw", "caseworker", NGO),
                                ("analyst", "analyst", NGO), ("prov", "provider", PROVIDER)):
            cli(db, "user", "add", "--username", user, "--role", role, "--organization", org,
                stdin=PASSWORD + "\n")
        cls.srv = srv = Server(database=db).start()
        srv.secrets.add(PASSWORD)
        c = cls.call
        cls.uid = {u: c(u, "GET", "/api/v1/me")["id"]
                   for u in ("admin", "sup1", "sup2", "cw", "analyst", "prov")}

        # groups and members
        cls.group, cls.member = {}, {}
        for g, place in GROUPS.items():
            cls.group[g] = c("admin", "POST", "/api/v1/groups",
                             {"name": "Fixture group " + g, "location_code": place,
                              "organization_id": NGO})["id"]
            for n, (key, sex, roles, returnee, active) in enumerate(MEMBERS[g]):
                body = {"name_km": "សមាជិក " + key, "name_latn": "Fixture Member " + key,
                        "sex": sex, "birth_year": 1980 + n, "network_roles": roles}
                if returnee:
                    body["returnee"] = {"countries": ["TH"], "years_abroad": 2,
                                        "channel": "irregular", "sector": "agriculture"}
                m = c("admin", "POST", "/api/v1/groups/%s/members" % cls.group[g], body)
                if not active:
                    m = c("admin", "PATCH", "/api/v1/members/" + m["id"],
                          {"version": m["version"], "active": False})
                cls.member[key] = m
        # the network's accounts: representatives and members of the groups
        for user, role, g, key in (("repa", "representative", "G1", "A1"),
                                   ("repb", "representative", "G2", "B1"),
                                   ("mema", "member", "G1", "A3"),
                                   ("memc", "member", "G3", "C3")):
            c("admin", "POST", "/api/v1/users",
              {"username": user, "password": PASSWORD, "role": role,
               "display_name": "Fixture " + key, "organization_id": NGO,
               "group_id": cls.group[g], "member_id": cls.member[key]["id"]})

        # services of the provider, one per type
        cls.service = {}
        for t in ("psychosocial", "legal", "shelter", "health"):
            cls.service[t] = c("admin", "POST", "/api/v1/services",
                               {"organization_id": PROVIDER, "type": t,
                                "name": "Fixture %s service" % t, "areas": ["17"],
                                "location_code": "170710", "contact": "012 000 999",
                                "hours": "Mon-Fri 8-17", "languages": ["km"]})["id"]

        cls.training = {}
        for key, date, g, audience, fac, topics, parts, scores in TRAININGS:
            if fac == "staff":
                facilitator = {"user_id": cls.uid["sup1"]}
            elif fac == "outside":
                facilitator = {"name": "Fixture Outside Trainer", "organization": "Fixture Dept"}
            else:
                facilitator = {"member_id": cls.member[fac]["id"]}
            participants = [{"member_id": cls.member[p]["id"]} if isinstance(p, str) else
                            {"name": "Fixture Guest %s %d" % (key, i), "organization": "Village",
                             "sex": p[1]} for i, p in enumerate(parts)]
            cls.training[key] = c("sup1", "POST", "/api/v1/trainings", {
                "date": date, "topics": topics, "location_code": GROUPS[g], "audience": audience,
                "group_id": cls.group[g], "facilitator": facilitator,
                "participants": participants,
                "scores": [{"participant_index": i, "pre": a, "post": b}
                           for i, (a, b) in enumerate(scores)]})

        for date, g, female, male, under in OUTREACH:
            c("sup1", "POST", "/api/v1/outreach",
              {"date": date, "location_code": VILLAGE[g], "group_id": cls.group[g],
               "topics": ["safe_migration"],
               "attendance": {"female": female, "male": male, "under_18": under}})

        cls.advice = []
        for n, (date, g, dest, channel) in enumerate(ADVICE):
            cls.advice.append(c("sup1", "POST", "/api/v1/migrant-advice", {
                "date": date, "group_id": cls.group[g],
                "person": {"name_latn": "Fixture Adviced %d" % n, "sex": "female",
                           "birth_year": 1995},
                "destination": dest, "sector": "manufacturing", "channel": channel,
                "documents": dict(ALL_DOCS), "risks": []}))

        cls.case = {}
        for key, g, concerns, reporter in CASES:
            cls.case[key] = c(reporter, "POST", "/api/v1/cases", {
                "location_code": VILLAGE[g], "concerns": concerns,
                "summary": "Fixture case %s." % key,
                "survivor": {"sex": "female", "age": 30}, "consent_to_contact": True,
                "urgent": False})["id"]
            c("sup1", "POST", "/api/v1/cases/%s/assign" % cls.case[key],
              {"caseworker_id": cls.uid["cw"]})

        def consent(case, purpose, given=True, **extra):
            return c("cw", "POST", "/api/v1/cases/%s/consents" % cls.case[case],
                     dict({"purpose": purpose, "given": given, "method": "verbal",
                           "by": "survivor"}, **extra))
        for case, given, withdrawn in REPORTING:
            v = consent(case, "reporting", given)
            if withdrawn:
                c("cw", "POST", "/api/v1/cases/%s/consents/%s/withdraw" % (cls.case[case],
                                                                          v["id"]), {})

        cls.incident = {}
        for key, case, reported_on, gbv_type, elsewhere in INCIDENTS:
            act = TYPE_ACT[gbv_type]
            v = c("cw", "POST", "/api/v1/cases/%s/incidents" % cls.case[case], {
                "date": reported_on, "reported_on": reported_on, "time_of_day": "morning",
                "location_type": "home_survivor", "location": VILLAGE["G1"],
                "migration_stage": "not_migration_related",
                "acts": {a: a == act for a in ACTS}, "goods_or_money_exchanged": False,
                "abduction": "none", "reported_elsewhere": elsewhere,
                "perpetrators": [{"sex": "male", "age_group": "26_40",
                                  "relationship": "stranger"}]})
            cls.incident[key] = v

        cls.screening = []
        for case, indicators in SCREENINGS:
            cls.screening.append(c("cw", "POST", "/api/v1/cases/%s/screenings" % cls.case[case],
                                   {"adult": True, "indicators": indicators}))

        with_services = {case for _, case, _, _, _ in REFERRALS}
        for case in sorted(with_services):
            consent(case, "services")
            consent(case, "share_with", organization_id=PROVIDER)
        cls.referral = {}
        for key, case, stype, moves, overdue in REFERRALS:
            r = c("cw", "POST", "/api/v1/cases/%s/referrals" % cls.case[case],
                  {"service_id": cls.service[stype], "urgency": "routine",
                   "reason": "Fixture referral."})
            for status in moves:
                user = "cw" if status == "withdrawn" else "prov"
                body = {"version": r["version"], "status": status}
                if status in ("declined", "completed"):
                    body["note"] = "Fixture note."
                r = c(user, "PATCH", "/api/v1/referrals/" + r["id"], body)
            if overdue:
                past = "2026-11-30T00:00:00Z"
                n = srv.execute("UPDATE referral SET due_at = ? WHERE id = ?", (past, r["id"]))
                if n != 1:
                    raise AssertionError("fixture: could not make %s overdue" % key)
            cls.referral[key] = r

        for case, reason in CLOSURES + [("K5", "lost_contact")]:
            c("cw", "POST", "/api/v1/cases/%s/closure" % cls.case[case], {"reason_code": reason})
            c("sup1", "POST", "/api/v1/cases/%s/closure/approve" % cls.case[case], {})
        c("sup1", "POST", "/api/v1/cases/%s/reopen" % cls.case["K5"],
          {"reason": "Fixture: she came back."})
        c("cw", "POST", "/api/v1/cases/%s/closure" % cls.case["K9"],
          {"reason_code": "moved_away"})

    # ---- reading the report ----

    def set_k(self, k):
        cli(self.db, "setting", K_KEY, str(k))
        self.assertIn(str(k), cli(self.db, "setting", K_KEY).split())

    def report(self, frm, to, area=None, user="analyst"):
        path = "/api/v1/reports/indicators?from=%s&to=%s" % (frm, to)
        if area is not None:
            path += "&district=" + q(area)
        st, h, v = self.srv.request("GET", path, token=self.srv.login(user, PASSWORD))
        self.assertEqual(st, 200, "%s: %r" % (path, v))
        self.assertTrue((h.get("Content-Type") or "").startswith("application/json"))
        return v

    def check_shape(self, v, frm, to, k):
        """API.md: {"from","to","k","indicators":[{"code","value","suppressed",
        "breakdown":{dim:{cat:{"value","suppressed"}}}}]}."""
        self.assertTrue({"from", "to", "k", "indicators"} <= set(v), sorted(v))
        self.assertEqual((v["from"], v["to"], v["k"]), (frm, to, k))
        self.assertEqual([i["code"] for i in v["indicators"]], CODES)
        self.check_no_suppressed_value(v, "answer")
        for ind in v["indicators"]:
            self.assertTrue({"code", "value", "suppressed", "breakdown"} <= set(ind), ind)
            self.assertIsInstance(ind["suppressed"], bool)
            self.assertIsInstance(ind["breakdown"], dict)
            cells = [ind] + [cell for cats in ind["breakdown"].values() for cell in cats.values()]
            for cell in cells:
                self.assertIsInstance(cell["suppressed"], bool)
                if cell["suppressed"]:
                    self.assertIsNone(cell["value"], "%s: a suppressed cell with a value: %r"
                                      % (ind["code"], cell))
                elif cell["value"] is not None:
                    self.assertIsInstance(cell["value"], (int, float))

    def check_no_suppressed_value(self, value, where):
        """Anywhere in the answer (charts' series included), a cell marked
        suppressed carries no number."""
        if isinstance(value, dict):
            if value.get("suppressed") is True:
                self.assertIsNone(value.get("value"), "%s: a suppressed cell with a number: %r"
                                  % (where, value))
            for key, v in value.items():
                self.check_no_suppressed_value(v, "%s.%s" % (where, key))
        elif isinstance(value, list):
            for n, v in enumerate(value):
                self.check_no_suppressed_value(v, "%s[%d]" % (where, n))

    def check_value(self, where, cell, want, k, shown):
        """One figure against its true value (see the module's docstring)."""
        if isinstance(want, P):
            if want.whole == 0:
                want = ABSENT
            elif want.whole < k:
                self.assertTrue(cell["suppressed"], "%s: over %d < k records, shown: %r"
                                % (where, want.whole, cell))
                self.assertIsNone(cell["value"], where)
                return
            else:
                if not cell["suppressed"]:
                    self.assertAlmostEqual(cell["value"], want.value, places=6, msg=where)
                    shown.append(where)
                return
        if want is ABSENT:
            self.assertEqual((cell["value"], cell["suppressed"]), (None, False),
                             "%s: a figure over nothing is absent" % where)
            return
        if want == 0:
            # 0 is never suppressed for itself; a complementary suppression
            # may hide it (sdc's cubes can pass through a zero)
            self.assertIn((cell["value"], cell["suppressed"]), ((0, False), (None, True)),
                          "%s: 0 is shown or suppressed, never another number" % where)
            return
        if want < k:
            self.assertEqual((cell["value"], cell["suppressed"]), (None, True),
                             "%s: %d is below k = %d and must be suppressed" % (where, want, k))
            return
        if not cell["suppressed"]:
            self.assertEqual(cell["value"], want, where)
            shown.append(where)

    def check_report(self, v, expected, k, where, complete=True):
        """Every figure of expected; with complete, expected has every
        indicator. Returns the figures shown (not suppressed)."""
        shown = []
        got = {i["code"]: i for i in v["indicators"]}
        if complete:
            self.assertEqual(set(expected), set(CODES), "the expectations name every indicator")
        for code, (total, dims) in expected.items():
            ind = got[code]
            self.check_value("%s %s" % (where, code), ind, total, k, shown)
            for dim, cats in dims.items():
                self.assertIn(dim, ind["breakdown"], "%s %s: no %s breakdown" % (where, code, dim))
                have = ind["breakdown"][dim]
                for cat, want in cats.items():
                    self.assertIn(cat, have, "%s %s: no %s %s" % (where, code, dim, cat))
                for cat, cell in have.items():
                    w = "%s %s %s=%s" % (where, code, dim, cat)
                    want = cats.get(cat, 0 if not isinstance(total, P) else ABSENT)
                    if code == "members_trained_pct" and cat not in cats:
                        self.fail("%s: a topic not in the code list" % w)
                    self.check_value(w, cell, want, k, shown)
                if dim not in NOT_ADDITIVE and not isinstance(total, P) and total is not None:
                    self.check_protected("%s %s %s" % (where, code, dim), ind, have, total,
                                         cats, k)
        return shown

    def check_protected(self, where, ind, have, total, cats, k):
        """An additive breakdown holding a suppressed cell holds two, and
        they sum to more than k (or the total is suppressed too)."""
        self.assertEqual(sum(cats.values()), total, "%s: the hand values add up" % where)
        supp = [c for c, cell in have.items() if cell["suppressed"]]
        n = len(supp) + (1 if ind["suppressed"] else 0)
        if n:
            self.assertGreaterEqual(n, 2, "%s: one suppressed cell alone in its equation: %s"
                                    % (where, supp))
            if not ind["suppressed"]:
                self.assertGreater(sum(cats.get(c, 0) for c in supp), k,
                                   "%s: the suppressed cells %s sum to k or less" % (where, supp))

    def check_both_k(self, frm, to, area, expected, name, complete=True, min_shown_k2=0):
        # docs/reports.md: breakdowns are published for districts and above,
        # quarters and years; a commune's or a month's report has only its
        # district line
        fine = len(area or "") <= 4 and frm[:7] != to[:7]
        if not fine:
            expected = {code: (total, {d: c for d, c in dims.items() if d in COARSE_ONLY})
                        for code, (total, dims) in expected.items()}
        for k in (5, 2):
            with self.subTest(report=name, k=k):
                self.set_k(k)
                v = self.report(frm, to, area)
                self.check_shape(v, frm, to, k)
                shown = self.check_report(v, expected, k, "%s k=%d" % (name, k), complete)
                for ind in v["indicators"]:
                    if not fine:
                        self.assertLessEqual(set(ind["breakdown"]), COARSE_ONLY,
                                             "%s: %s has breakdowns below a district or a "
                                             "quarter" % (name, ind["code"]))
                if k == 2:
                    self.assertGreaterEqual(len(shown), min_shown_k2,
                                            "%s at k = 2: too few figures shown: %s"
                                            % (name, shown))
        self.set_k(5)

    # ---- the fixture itself ----

    def test_a_fixture_is_as_built(self):
        """The data set is what the expectations assume (through the API)."""
        tok = self.srv.login("admin", PASSWORD)
        for g, members in MEMBERS.items():
            st, _, v = self.srv.request("GET", "/api/v1/groups/%s/members?limit=500"
                                        % self.group[g], token=tok)
            self.assertEqual(st, 200, v)
            got = {m["name_latn"].rsplit(" ", 1)[1]: m for m in v["items"]}
            for key, sex, roles, returnee, active in members:
                self.assertEqual(got[key]["sex"], sex)
                self.assertEqual(got[key]["network_roles"], roles)
                self.assertEqual(got[key]["active"], active)
                self.assertEqual(bool(got[key].get("returnee")), returnee, key)
        for key, _, _, _, fac, _, parts, _ in TRAININGS:
            t = self.training[key]
            self.assertEqual(t["participant_count"], len(parts), key)
            self.assertEqual(t["cascade"], fac not in ("staff", "outside"), key)
        warned = [any(w["code"] == "unlicensed_agency" for w in a["warnings"])
                  for a in self.advice]
        self.assertEqual(warned, [a[3] == "licensed_agency" for a in ADVICE])
        # everything recorded is listed to the NGO's supervisor, nothing else
        for path, n in (("/api/v1/trainings", len(TRAININGS)), ("/api/v1/outreach", len(OUTREACH)),
                        ("/api/v1/migrant-advice", len(ADVICE)), ("/api/v1/cases", len(CASES)),
                        ("/api/v1/referrals", len(REFERRALS))):
            st, _, v = self.srv.request("GET", path + "?limit=500",
                                        token=self.srv.login("sup1", PASSWORD))
            self.assertEqual(st, 200, v)
            self.assertEqual(len(v["items"]), n, path)
        # the incidents' types as the server classified them
        self.assertEqual({k: i["gbv_type"] for k, i in self.incident.items()},
                         {k: t for k, _, _, t, _ in INCIDENTS})
        self.assertEqual([s["result"] == "presumed_trafficking" for s in self.screening],
                         [ind == PRESUMED for _, ind in SCREENINGS])
        # the latest reporting consent of each case: given and not withdrawn
        # for K1 K2 K5 K7 K8 K9 (the counting rule's cases)
        counting = set()
        for key, case in self.case.items():
            st, _, v = self.srv.request("GET", "/api/v1/cases/%s/consents" % case,
                                        token=self.srv.login("cw", PASSWORD))
            self.assertEqual(st, 200, v)
            rep = [x for x in v["items"] if x["purpose"] == "reporting"]
            if rep and rep[-1]["given"] and rep[-1]["withdrawn_at"] is None:
                counting.add(key)
        self.assertEqual(counting, {"K1", "K2", "K5", "K7", "K8", "K9"})
        # the reporters' account roles
        st, _, v = self.srv.request("GET", "/api/v1/users?limit=500",
                                    token=self.srv.login("admin", PASSWORD))
        self.assertEqual(st, 200, v)
        role = {u["id"]: u["role"] for u in v["items"]}
        by = {}
        tok = self.srv.login("sup1", PASSWORD)
        for key, case in self.case.items():
            st, _, got = self.srv.request("GET", "/api/v1/cases/" + case, token=tok)
            self.assertEqual(st, 200, got)
            by[key] = role[got["reported_by"]]
            self.assertEqual(got["location_code"][:6], GROUPS[dict(
                (k, g) for k, g, _, _ in CASES)[key]], key)
        self.assertEqual(by, {"K1": "member", "K2": "member", "K3": "representative",
                              "K4": "caseworker", "K5": "representative", "K6": "caseworker",
                              "K7": "member", "K8": "caseworker", "K9": "supervisor",
                              "K10": "supervisor"})
        st, _, v = self.srv.request("GET", "/api/v1/cases?limit=500",
                                    token=self.srv.login("sup1", PASSWORD))
        self.assertEqual(st, 200, v)
        status = {c["id"]: c["status"] for c in v["items"]}
        closed = {case for case, _ in CLOSURES}
        for key, case in self.case.items():
            want = ("closed" if key in closed else "closure_requested" if key == "K9"
                    else "open")
            self.assertEqual(status[case], want, key)
        for key, _, _, moves, overdue in REFERRALS:
            st, _, r = self.srv.request("GET", "/api/v1/referrals/" + self.referral[key]["id"],
                                        token=self.srv.login("cw", PASSWORD))
            self.assertEqual(st, 200, r)
            self.assertEqual(r["status"], moves[-1] if moves else "sent", key)
            self.assertEqual(r["overdue"], overdue, key)

    # ---- the figures ----

    def test_b_province_and_country_year(self):
        self.check_both_k("2026-01-01", "2026-12-31", "17", PROVINCE_YEAR, "17 2026",
                          min_shown_k2=40)
        # The country holds nothing but Siem Reap. Its district breakdown
        # is not checked: whether it lists districts or provinces is not said.
        country = {code: (want, {d: c for d, c in dims.items() if d != "district"})
                   for code, (want, dims) in PROVINCE_YEAR.items()}
        self.check_both_k("2026-01-01", "2026-12-31", None, country, "country 2026",
                          min_shown_k2=40)

    def test_c_province_quarter_and_month(self):
        self.check_both_k("2026-10-01", "2026-12-31", "17", PROVINCE_Q4, "17 Q4",
                          min_shown_k2=30)
        self.check_both_k("2026-12-01", "2026-12-31", "17", PROVINCE_DEC, "17 2026-12",
                          min_shown_k2=13)  # a month: totals and the districts only
        self.check_both_k("2026-11-01", "2026-11-30", "17", PROVINCE_NOV, "17 2026-11",
                          min_shown_k2=5)  # a month of three trainings in three communes
        self.check_both_k("2026-01-01", "2026-03-31", "17", PROVINCE_Q1, "17 Q1",
                          min_shown_k2=10)
        self.check_both_k("2026-03-01", "2026-03-31", "17", PROVINCE_Q1, "17 2026-03",
                          min_shown_k2=5)
        # a quarter with nothing in it: every count 0, every ratio absent
        empty = {code: (ABSENT if isinstance(want, P) or want is None else 0, {})
                 for code, (want, _) in PROVINCE_Q1.items()}
        empty["members_trained_pct"] = (ABSENT, {"topic": {t: ABSENT for t in TOPICS}})
        self.check_both_k("2026-04-01", "2026-06-30", "17", empty, "17 Q2")

    def test_d_districts_and_commune(self):
        self.check_both_k("2026-01-01", "2026-12-31", "1707", PUOK_YEAR, "1707 2026",
                          min_shown_k2=20)
        self.check_both_k("2026-01-01", "2026-12-31", "1706", KRALANH_YEAR, "1706 2026",
                          min_shown_k2=15)
        self.check_both_k("2026-01-01", "2026-12-31", "170710", PUOK_COMMUNE_YEAR,
                          "170710 2026", complete=False, min_shown_k2=6)  # a commune: totals only
        # Reul (170712, G2): T5, O3, AD4 AD5 AD9, K5 K6
        self.check_both_k("2026-01-01", "2026-12-31", "170712", {
            "trainings": (1, {}), "outreach_sessions": (1, {}),
            "people_reached": (20, {"sex": {"female": 12, "male": 8}}),
            "people_advised": (3, {"destination": {"KR": 2, "TH": 1}}),
            "cases_reported": (2, {}), "members": (4, {}),
        }, "170712 2026", complete=False, min_shown_k2=2)
        # a district of another province: nothing
        self.check_both_k("2026-01-01", "2026-12-31", "0102", {
            "cases_reported": (0, {}), "trainings": (0, {}), "people_reached": (0, {}),
            "referrals_accepted_pct": (ABSENT, {}), "members": (0, {}),
        }, "0102 2026", complete=False)

    def test_e_small_figures_are_suppressed(self):
        """At k = 5 the small counts and the ratios over few records of
        Kralanh are null and marked suppressed."""
        self.set_k(5)
        v = self.report("2026-01-01", "2026-12-31", "1706")
        got = {i["code"]: i for i in v["indicators"]}
        for code in ("groups_active", "members_returnees", "presumed_trafficking",
                     "referrals_overdue", "cascade_trainings"):
            self.assertEqual((got[code]["value"], got[code]["suppressed"]), (None, True), code)
        bd = got["cases_reported"]["breakdown"]["reporter_role"]
        for role in ("member", "caseworker", "supervisor"):
            self.assertEqual((bd[role]["value"], bd[role]["suppressed"]), (None, True), role)
        # a percentage over 4 referrals (< 5)
        for code in ("referrals_accepted_pct", "referrals_completed_pct",
                     "median_days_to_completion", "median_days_open", "knowledge_gain"):
            self.assertEqual((got[code]["value"], got[code]["suppressed"]), (None, True), code)

    def check_linked(self, name, total, parts, k, over_areas=True):
        """total and parts: (answer, expectations); expectations None for a
        report with nothing in it. The total is the sum of the parts for
        every count and every category of it: over_areas, the parts are
        areas (the district breakdown, the parts themselves, is left out);
        otherwise periods, and only the counts of records dated in the
        period add up (members, members_returnees, groups_active and
        referrals_overdue are left out). No cell
        may be recovered from the others: in each such equation, no
        suppressed cell alone, and the suppressed parts sum to more than k
        unless the total is suppressed too."""
        def cells(answer):
            return {i["code"]: i for i in answer["indicators"]}

        def true(exp, code, dim, cat):
            if exp is None:
                return 0
            want, dims = exp[code]
            return want if dim is None else dims.get(dim, {}).get(cat, 0)
        tot_ans, tot_exp = total
        tot, part = cells(tot_ans), [(cells(a), e) for a, e in parts]
        for code in CODES:
            want = tot_exp[code][0]
            if isinstance(want, P) or want is None:
                continue
            if not over_areas and code in ("members", "members_returnees", "groups_active",
                                       "referrals_overdue"):
                continue
            keys = [(None, None)] + [(d, c) for d, cats in tot[code]["breakdown"].items()
                                     for c in cats]
            for dim, cat in keys:
                if over_areas and dim == "district":
                    continue  # across areas, the district breakdown is the parts themselves
                where = "%s k=%d %s %s=%s" % (name, k, code, dim, cat)

                def cell(ind):
                    return ind if dim is None else ind["breakdown"].get(dim, {}).get(cat)
                t = cell(tot[code])
                ps = [(cell(c[code]), e) for c, e in part]
                if t is None or any(p is None for p, _ in ps):
                    continue  # a category one of the reports does not break down
                self.assertEqual(true(tot_exp, code, dim, cat),
                                 sum(true(e, code, dim, cat) for _, e in ps),
                                 "%s: the hand values add up" % where)
                supp = [true(e, code, dim, cat) for p, e in ps if p["suppressed"]]
                n = len(supp) + (1 if t["suppressed"] else 0)
                self.assertNotEqual(n, 1, "%s: one suppressed cell, recoverable from the "
                                    "linked reports" % where)
                if supp and not t["suppressed"]:
                    self.assertGreater(sum(supp), k, "%s: the suppressed parts sum to k or "
                                       "less" % where)

    def test_i_linked_reports_recover_no_suppressed_cell(self):
        """The decision is one for the deployment: the districts' reports
        and the province's, the months' and the quarter's, the quarters' and
        the year's, taken together, give no suppressed cell away."""
        def get(frm, to, area):
            return self.report(frm, to, area)
        for k in (5, 2):
            self.set_k(k)
            year = "2026-01-01", "2026-12-31"
            self.check_linked("17 = 1707 + 1706", (get(*year, "17"), PROVINCE_YEAR),
                              [(get(*year, "1707"), PUOK_YEAR),
                               (get(*year, "1706"), KRALANH_YEAR)], k)
            self.check_linked("Q4 = Oct + Nov + Dec",
                              (get("2026-10-01", "2026-12-31", "17"), PROVINCE_Q4),
                              [(get("2026-10-01", "2026-10-31", "17"), None),
                               (get("2026-11-01", "2026-11-30", "17"), PROVINCE_NOV),
                               (get("2026-12-01", "2026-12-31", "17"), PROVINCE_DEC)], k,
                              over_areas=False)
            self.check_linked("2026 = Q1 + Q2 + Q3 + Q4", (get(*year, "17"), PROVINCE_YEAR),
                              [(get("2026-01-01", "2026-03-31", "17"), PROVINCE_Q1),
                               (get("2026-04-01", "2026-06-30", "17"), None),
                               (get("2026-07-01", "2026-09-30", "17"), None),
                               (get("2026-10-01", "2026-12-31", "17"), PROVINCE_Q4)], k,
                              over_areas=False)
        self.set_k(5)

    # ---- periods, areas, permissions ----

    def test_f_every_period_and_area_kind_is_answered(self):
        for frm, to in (("2026-12-01", "2026-12-31"), ("2026-02-01", "2026-02-28"),
                        ("2024-02-01", "2024-02-29"), ("2026-10-01", "2026-12-31"),
                        ("2026-01-01", "2026-12-31")):
            for area in (None, "17", "1707", "170710"):
                with self.subTest(frm=frm, area=area):
                    v = self.report(frm, to, area)
                    self.assertEqual((v["from"], v["to"]), (frm, to))

    def test_g_bad_periods_and_areas_are_422(self):
        tok = self.srv.login("analyst", PASSWORD)
        dec, area = "from=2026-12-01&to=2026-12-31&district=", ("district", "area")
        for query, field in (("from=2026-01-05&to=2026-02-10", ("from", "to")),  # not calendar
                             ("from=2026-01-01&to=2026-02-28", ("from", "to")),  # two months
                             ("from=2026-02-01&to=2026-02-27", ("from", "to")),
                             ("from=2026-12-31&to=2026-12-01", ("from", "to")),  # after
                             ("from=2026-13-01&to=2026-13-31", ("from", "to")),
                             ("from=2026-1-01&to=2026-01-31", ("from",)),        # malformed
                             ("from=2026-01-01&to=tomorrow", ("to",)),
                             ("from=2026-01-01", ("to",)),
                             ("to=2026-01-31", ("from",)),
                             (dec + "17071001", area),
                             (dec + "170", area),
                             (dec + "99", area),
                             (dec + "17x7", area)):
            with self.subTest(query=query):
                st, h, v = self.srv.request("GET", "/api/v1/reports/indicators?" + query,
                                            token=tok, schema_check=ERROR_ONLY)
                self.assertEqual(st, 422, v)
                self.assertEqual(set(v), {"error"})
                self.assertEqual(v["error"]["code"], "validation_failed")
                self.assertTrue(v["error"]["message"])
                fields = v["error"].get("fields") or {}
                self.assertTrue(set(fields) & set(field), "%s: fields %r" % (query, fields))

    def test_h_who_reads_the_report(self):
        path = "/api/v1/reports/indicators?from=2026-12-01&to=2026-12-31"
        for user in ("analyst", "sup1", "admin"):
            with self.subTest(user=user):
                st, _, v = self.srv.request("GET", path, token=self.srv.login(user, PASSWORD))
                self.assertEqual(st, 200, v)
        for user in ("mema", "repa", "cw", "prov"):
            with self.subTest(user=user):
                st, _, v = self.srv.request("GET", path, token=self.srv.login(user, PASSWORD))
                self.assertEqual(st, 403, v)
                self.assertEqual(v["error"]["code"], "forbidden")
        st, _, v = self.srv.request("GET", path)
        self.assertEqual(st, 401, v)


if __name__ == "__main__":
    unittest.main()
