/* The SQL of the maintained report cells (report.c, table report_cell),
 * shared by the two statement tables: each backend's table instantiates
 * these with its dialect (the D##_ macros: SQLITE_ or PG_) and its
 * parameters. What each record contributes is docs/reports.md and the
 * brief of issue 10 item 7; every contribution belongs to exactly one
 * record owner (a case, an outreach session, an advice record, a
 * training, a member), so adding and taking away an owner's rows keeps the
 * cells equal to a recomputation.
 *
 * RC_*_ROWS(D, F): the rows (code, dim, cat, place, month, n, s) of the
 * owners passing F (a condition on the owner's table). RC_APPLY adds them,
 * times SIGN, to report_cell. */
#ifndef CBPN_STORE_REPORT_SQL_H
#define CBPN_STORE_REPORT_SQL_H

/* A location coarsened to its commune: a village code (8 digits) to its
 * first 6; 2-, 4- and 6-digit codes stay. */
#define RC_PLACE(x) "(CASE WHEN length(" x ") = 8 THEN substr(" x ", 1, 6) ELSE " x " END)"
#define RC_MONTH(x) "substr(" x ", 1, 7)"

/* Whole days between the UTC dates of two timestamps, as text. */
#define SQLITE_DAYS(a, b)                                                                          \
    "CAST(CAST(julianday(substr(" b ", 1, 10)) - julianday(substr(" a ", 1, 10)) AS INTEGER)"      \
    " AS TEXT)"
#define PG_DAYS(a, b)                                                                              \
    "CAST(CAST(substr(" b ", 1, 10) AS date) - CAST(substr(" a ", 1, 10) AS date) AS text)"
/* The elements of a JSON array of strings, as a table j(value). */
#define SQLITE_JEACH(col) "json_each(" col ") AS j"
#define PG_JEACH(col)     "LATERAL jsonb_array_elements_text(CAST(" col " AS jsonb)) AS j(value)"
/* A JSON array of strings holds v. */
#define SQLITE_JHAS(col, v) "EXISTS (SELECT 1 FROM json_each(" col ") AS h WHERE h.value = " v ")"
#define PG_JHAS(col, v)     "jsonb_exists(CAST(" col " AS jsonb), " v ")"

#define RC_REGULAR_CHANNELS                                                                        \
    "('government_mou', 'eps_korea', 'titp_japan', 'ssw_japan', 'licensed_agency', 'border_pass')"

/* A case: cases_reported, presumed_trafficking, its incidents, referrals,
 * closure, and its group's activity. F on cases c. */
#define RC_CASE_ROWS(D, F)                                                                                                                                                                                                       \
    "WITH kc AS (SELECT c.id AS id, " RC_PLACE(                                                                                                                                                                                  \
        "c.location_code") " AS p,"                                                                                                                                                                                              \
                           " " RC_MONTH(                                                                                                                                                                                         \
                               "c.created_at") " AS m, c.created_at AS created_at, c.status AS "                                                                                                                                 \
                                               "status,"                                                                                                                                                                         \
                                               " c.closure_reason_code AS reason, "                                                                                                                                              \
                                               "COALESCE(c.reporter_role, '') AS role,"                                                                                                                                          \
                                               " c.group_id AS group_id FROM cases c WHERE " F                                                                                                                                   \
                                               "),"                                                                                                                                                                              \
                                               " kr AS (SELECT f.service_type AS t, f.status AS "                                                                                                                                \
                                               "status, f.created_at AS created_at,"                                                                                                                                             \
                                               " f.due_at AS due_at, kc.p AS p, " RC_MONTH(                                                                                                                                      \
                                                   "f.created_at") " AS m,"                                                                                                                                                      \
                                                                   " (SELECT e.at FROM "                                                                                                                                         \
                                                                   "referral_event e WHERE "                                                                                                                                     \
                                                                   "e.referral_id = f.id"                                                                                                                                        \
                                                                   " AND e.status IN "                                                                                                                                           \
                                                                   "('declined', 'completed', "                                                                                                                                  \
                                                                   "'withdrawn') ORDER BY e.seq "                                                                                                                                \
                                                                   "LIMIT 1) AS resolved,"                                                                                                                                       \
                                                                   " (SELECT e.at FROM "                                                                                                                                         \
                                                                   "referral_event e WHERE "                                                                                                                                     \
                                                                   "e.referral_id = f.id AND "                                                                                                                                   \
                                                                   "e.status = 'completed'"                                                                                                                                      \
                                                                   " ORDER BY e.seq LIMIT 1) AS "                                                                                                                                \
                                                                   "done_at,"                                                                                                                                                    \
                                                                   " CASE WHEN EXISTS (SELECT 1 "                                                                                                                                \
                                                                   "FROM referral_event e WHERE "                                                                                                                                \
                                                                   "e.referral_id = f.id"                                                                                                                                        \
                                                                   " AND e.status = 'accepted') "                                                                                                                                \
                                                                   "THEN 1 ELSE 0 END AS acc"                                                                                                                                    \
                                                                   " FROM kc JOIN referral f ON "                                                                                                                                \
                                                                   "f.case_id = kc.id),"                                                                                                                                         \
                                                                   " ki AS (SELECT kc.p AS "                                                                                                                                     \
                                                                   "p, " RC_MONTH(                                                                                                                                               \
                                                                       "inc.reported_"                                                                                                                                           \
                                                                       "on") " AS m, "                                                                                                                                           \
                                                                             "inc.gbv_"                                                                                                                                          \
                                                                             "type AS "                                                                                                                                          \
                                                                             "t"                                                                                                                                                 \
                                                                             " FROM "                                                                                                                                            \
                                                                             "kc JOIN "                                                                                                                                          \
                                                                             "incident"                                                                                                                                          \
                                                                             " inc ON "                                                                                                                                          \
                                                                             "inc."                                                                                                                                              \
                                                                             "case_id "                                                                                                                                          \
                                                                             "= kc.id"                                                                                                                                           \
                                                                             " WHERE "                                                                                                                                           \
                                                                             "inc.gbv_"                                                                                                                                          \
                                                                             "type <> "                                                                                                                                          \
                                                                             "'non_"                                                                                                                                             \
                                                                             "gbv' "                                                                                                                                             \
                                                                             "AND "                                                                                                                                              \
                                                                             "inc."                                                                                                                                              \
                                                                             "reported"                                                                                                                                          \
                                                                             "_elsewhe"                                                                                                                                          \
                                                                             "re <> "                                                                                                                                            \
                                                                             "'gbvims_"                                                                                                                                          \
                                                                             "org'"                                                                                                                                              \
                                                                             " AND "                                                                                                                                             \
                                                                             "EXISTS "                                                                                                                                           \
                                                                             "(SELECT "                                                                                                                                          \
                                                                             "1 FROM "                                                                                                                                           \
                                                                             "consent "                                                                                                                                          \
                                                                             "x WHERE "                                                                                                                                          \
                                                                             "x.case_"                                                                                                                                           \
                                                                             "id = "                                                                                                                                             \
                                                                             "kc.id "                                                                                                                                            \
                                                                             "AND "                                                                                                                                              \
                                                                             "x."                                                                                                                                                \
                                                                             "purpose "                                                                                                                                          \
                                                                             "= "                                                                                                                                                \
                                                                             "'reporti"                                                                                                                                          \
                                                                             "ng'"                                                                                                                                               \
                                                                             " AND "                                                                                                                                             \
                                                                             "x.given "                                                                                                                                          \
                                                                             "= 1 AND "                                                                                                                                          \
                                                                             "x."                                                                                                                                                \
                                                                             "withdraw"                                                                                                                                          \
                                                                             "n_at IS "                                                                                                                                          \
                                                                             "NULL "                                                                                                                                             \
                                                                             "AND "                                                                                                                                              \
                                                                             "x.seq = "                                                                                                                                          \
                                                                             "(SELECT "                                                                                                                                          \
                                                                             "max(y."                                                                                                                                            \
                                                                             "seq) "                                                                                                                                             \
                                                                             "FROM "                                                                                                                                             \
                                                                             "consent "                                                                                                                                          \
                                                                             "y"                                                                                                                                                 \
                                                                             " WHERE "                                                                                                                                           \
                                                                             "y.case_"                                                                                                                                           \
                                                                             "id = "                                                                                                                                             \
                                                                             "kc.id "                                                                                                                                            \
                                                                             "AND "                                                                                                                                              \
                                                                             "y."                                                                                                                                                \
                                                                             "purpose "                                                                                                                                          \
                                                                             "= "                                                                                                                                                \
                                                                             "'reporti"                                                                                                                                          \
                                                                             "ng'))),"                                                                                                                                           \
                                                                             " kz AS "                                                                                                                                           \
                                                                             "(SELECT "                                                                                                                                          \
                                                                             "kc.p AS "                                                                                                                                          \
                                                                             "p, "                                                                                                                                               \
                                                                             "kc."                                                                                                                                               \
                                                                             "reason "                                                                                                                                           \
                                                                             "AS "                                                                                                                                               \
                                                                             "reason, "                                                                                                                                          \
                                                                             "kc."                                                                                                                                               \
                                                                             "created_"                                                                                                                                          \
                                                                             "at AS "                                                                                                                                            \
                                                                             "created_"                                                                                                                                          \
                                                                             "at,"                                                                                                                                               \
                                                                             " ("                                                                                                                                                \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "e.at "                                                                                                                                             \
                                                                             "FROM "                                                                                                                                             \
                                                                             "case_"                                                                                                                                             \
                                                                             "event e "                                                                                                                                          \
                                                                             "WHERE "                                                                                                                                            \
                                                                             "e.case_"                                                                                                                                           \
                                                                             "id = "                                                                                                                                             \
                                                                             "kc.id "                                                                                                                                            \
                                                                             "AND "                                                                                                                                              \
                                                                             "e.kind "                                                                                                                                           \
                                                                             "= "                                                                                                                                                \
                                                                             "'closed'"                                                                                                                                          \
                                                                             " ORDER "                                                                                                                                           \
                                                                             "BY "                                                                                                                                               \
                                                                             "e.seq "                                                                                                                                            \
                                                                             "DESC "                                                                                                                                             \
                                                                             "LIMIT "                                                                                                                                            \
                                                                             "1) AS "                                                                                                                                            \
                                                                             "at FROM "                                                                                                                                          \
                                                                             "kc "                                                                                                                                               \
                                                                             "WHERE "                                                                                                                                            \
                                                                             "kc."                                                                                                                                               \
                                                                             "status "                                                                                                                                           \
                                                                             "= "                                                                                                                                                \
                                                                             "'closed'"                                                                                                                                          \
                                                                             ")"                                                                                                                                                 \
                                                                             " SELECT "                                                                                                                                          \
                                                                             "'cases_"                                                                                                                                           \
                                                                             "reported"                                                                                                                                          \
                                                                             "' AS "                                                                                                                                             \
                                                                             "code, "                                                                                                                                            \
                                                                             "'' AS "                                                                                                                                            \
                                                                             "dim, '' "                                                                                                                                          \
                                                                             "AS cat, "                                                                                                                                          \
                                                                             "p AS "                                                                                                                                             \
                                                                             "place, "                                                                                                                                           \
                                                                             "m AS "                                                                                                                                             \
                                                                             "month, "                                                                                                                                           \
                                                                             "1 AS n,"                                                                                                                                           \
                                                                             " 0 AS s "                                                                                                                                          \
                                                                             "FROM kc"                                                                                                                                           \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'cases_"                                                                                                                                           \
                                                                             "reported"                                                                                                                                          \
                                                                             "', "                                                                                                                                               \
                                                                             "'concern"                                                                                                                                          \
                                                                             "', "                                                                                                                                               \
                                                                             "cc."                                                                                                                                               \
                                                                             "concern,"                                                                                                                                          \
                                                                             " kc.p, "                                                                                                                                           \
                                                                             "kc.m, "                                                                                                                                            \
                                                                             "1, 0"                                                                                                                                              \
                                                                             " FROM "                                                                                                                                            \
                                                                             "kc JOIN "                                                                                                                                          \
                                                                             "case_"                                                                                                                                             \
                                                                             "concern "                                                                                                                                          \
                                                                             "cc ON "                                                                                                                                            \
                                                                             "cc.case_"                                                                                                                                          \
                                                                             "id = "                                                                                                                                             \
                                                                             "kc.id"                                                                                                                                             \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'cases_"                                                                                                                                           \
                                                                             "reported"                                                                                                                                          \
                                                                             "', "                                                                                                                                               \
                                                                             "'reporte"                                                                                                                                          \
                                                                             "r_role',"                                                                                                                                          \
                                                                             " role, "                                                                                                                                           \
                                                                             "p, m, "                                                                                                                                            \
                                                                             "1, 0 "                                                                                                                                             \
                                                                             "FROM kc"                                                                                                                                           \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'presume"                                                                                                                                          \
                                                                             "d_"                                                                                                                                                \
                                                                             "traffick"                                                                                                                                          \
                                                                             "ing', "                                                                                                                                            \
                                                                             "'', '', "                                                                                                                                          \
                                                                             "p, m, "                                                                                                                                            \
                                                                             "1, 0 "                                                                                                                                             \
                                                                             "FROM kc "                                                                                                                                          \
                                                                             "WHERE "                                                                                                                                            \
                                                                             "EXISTS"                                                                                                                                            \
                                                                             " ("                                                                                                                                                \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "1 FROM "                                                                                                                                           \
                                                                             "screenin"                                                                                                                                          \
                                                                             "g sc "                                                                                                                                             \
                                                                             "WHERE "                                                                                                                                            \
                                                                             "sc.case_"                                                                                                                                          \
                                                                             "id = "                                                                                                                                             \
                                                                             "kc.id "                                                                                                                                            \
                                                                             "AND "                                                                                                                                              \
                                                                             "sc."                                                                                                                                               \
                                                                             "result "                                                                                                                                           \
                                                                             "= "                                                                                                                                                \
                                                                             "'presume"                                                                                                                                          \
                                                                             "d_"                                                                                                                                                \
                                                                             "traffick"                                                                                                                                          \
                                                                             "ing')"                                                                                                                                             \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'gbv_"                                                                                                                                             \
                                                                             "incident"                                                                                                                                          \
                                                                             "s', '', "                                                                                                                                          \
                                                                             "'', p, "                                                                                                                                           \
                                                                             "m, 1, 0 "                                                                                                                                          \
                                                                             "FROM ki"                                                                                                                                           \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'gbv_"                                                                                                                                             \
                                                                             "incident"                                                                                                                                          \
                                                                             "s', "                                                                                                                                              \
                                                                             "'gbv_"                                                                                                                                             \
                                                                             "type', "                                                                                                                                           \
                                                                             "t, p, "                                                                                                                                            \
                                                                             "m, 1, 0 "                                                                                                                                          \
                                                                             "FROM ki"                                                                                                                                           \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'referra"                                                                                                                                          \
                                                                             "ls_made'"                                                                                                                                          \
                                                                             ", '', "                                                                                                                                            \
                                                                             "'', p, "                                                                                                                                           \
                                                                             "m, 1, 0 "                                                                                                                                          \
                                                                             "FROM kr"                                                                                                                                           \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'referra"                                                                                                                                          \
                                                                             "ls_made'"                                                                                                                                          \
                                                                             ", "                                                                                                                                                \
                                                                             "'service"                                                                                                                                          \
                                                                             "_type', "                                                                                                                                          \
                                                                             "t, p, "                                                                                                                                            \
                                                                             "m, 1, 0 "                                                                                                                                          \
                                                                             "FROM kr"                                                                                                                                           \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'referra"                                                                                                                                          \
                                                                             "ls_"                                                                                                                                               \
                                                                             "accepted"                                                                                                                                          \
                                                                             "', '', "                                                                                                                                           \
                                                                             "'', p, "                                                                                                                                           \
                                                                             "m, 1, 0 "                                                                                                                                          \
                                                                             "FROM kr "                                                                                                                                          \
                                                                             "WHERE "                                                                                                                                            \
                                                                             "acc = 1"                                                                                                                                           \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'referra"                                                                                                                                          \
                                                                             "ls_"                                                                                                                                               \
                                                                             "complete"                                                                                                                                          \
                                                                             "d', '', "                                                                                                                                          \
                                                                             "'', p, "                                                                                                                                           \
                                                                             "m, 1, 0 "                                                                                                                                          \
                                                                             "FROM kr "                                                                                                                                          \
                                                                             "WHERE "                                                                                                                                            \
                                                                             "status "                                                                                                                                           \
                                                                             "= "                                                                                                                                                \
                                                                             "'complet"                                                                                                                                          \
                                                                             "ed'"                                                                                                                                               \
                                                                             " UNION "                                                                                                                                           \
                                                                             "ALL "                                                                                                                                              \
                                                                             "SELECT "                                                                                                                                           \
                                                                             "'days_"                                                                                                                                            \
                                                                             "to_"                                                                                                                                               \
                                                                             "completi"                                                                                                                                          \
                                                                             "on', "                                                                                                                                             \
                                                                             "'days',"                                                                                                                                           \
                                                                             " " D##_DAYS(                                                                                                                                       \
                                                                                 "crea"                                                                                                                                          \
                                                                                 "ted_"                                                                                                                                          \
                                                                                 "at",                                                                                                                                           \
                                                                                 "done"                                                                                                                                          \
                                                                                 "_at") ","                                                                                                                                      \
                                                                                        " p, m, "                                                                                                                                \
                                                                                        "1, 0 "                                                                                                                                  \
                                                                                        "FROM kr "                                                                                                                               \
                                                                                        "WHERE "                                                                                                                                 \
                                                                                        "status "                                                                                                                                \
                                                                                        "= "                                                                                                                                     \
                                                                                        "'complet"                                                                                                                               \
                                                                                        "ed' AND "                                                                                                                               \
                                                                                        "done_at "                                                                                                                               \
                                                                                        "IS NOT "                                                                                                                                \
                                                                                        "NULL"                                                                                                                                   \
                                                                                        " UNION "                                                                                                                                \
                                                                                        "ALL "                                                                                                                                   \
                                                                                        "SELECT "                                                                                                                                \
                                                                                        "'overdue"                                                                                                                               \
                                                                                        "_start',"                                                                                                                               \
                                                                                        " '', "                                                                                                                                  \
                                                                                        "'', "                                                                                                                                   \
                                                                                        "p,"                                                                                                                                     \
                                                                                        " " RC_MONTH(                                                                                                                            \
                                                                                            "due_"                                                                                                                               \
                                                                                            "at") ", 1, 0 FROM kr"                                                                                                               \
                                                                                                  " WHERE resolved IS NULL OR resolved > due_at"                                                                                 \
                                                                                                  " UNION ALL SELECT 'overdue_stop', '', '', p, " RC_MONTH(                                                                      \
                                                                                                      "resolved") ", 1, 0 FROM kr"                                                                                               \
                                                                                                                  " WHERE resolved > due_at"                                                                                     \
                                                                                                                  " UNION ALL SELECT 'cases_closed', '', '', p, " RC_MONTH(                                                      \
                                                                                                                      "at") ", 1, 0 FROM kz"                                                                                     \
                                                                                                                            " WHERE at IS NOT NULL"                                                                              \
                                                                                                                            " UNION ALL SELECT 'cases_closed', 'reason', COALESCE(reason, ''), p, " RC_MONTH(                    \
                                                                                                                                "at") ","                                                                                        \
                                                                                                                                      " 1, 0 FROM kz WHERE at IS NOT NULL"                                                       \
                                                                                                                                      " UNION ALL SELECT 'days_open', 'days', " D##_DAYS(                                        \
                                                                                                                                          "created_at",                                                                          \
                                                                                                                                          "at") ","                                                                              \
                                                                                                                                                " p, " RC_MONTH(                                                                 \
                                                                                                                                                    "at") ", 1, 0 FROM kz WHERE at IS NOT NULL"                                  \
                                                                                                                                                          " UNION ALL SELECT 'group_activity', 'group', kc.group_id, " RC_PLACE( \
                                                                                                                                                              "g.location_code") ","                                             \
                                                                                                                                                                                 " kc.m, 1, 0 FROM kc JOIN network_group g ON g.id = kc.group_id"

/* An outreach session. F on outreach_session o. */
#define RC_OUTREACH_ROWS(D, F)                                                                     \
    "WITH ko AS (SELECT " RC_PLACE("o.location_code") " AS p, " RC_MONTH(                          \
        "o.date") " AS m,"                                                                         \
                  " o.female AS f, o.male AS ml, o.under_18 AS u, o.group_id AS group_id"          \
                  " FROM outreach_session o WHERE " F ")"                                          \
                  " SELECT 'outreach_sessions' AS code, '' AS dim, '' AS cat, p AS place, m AS "   \
                  "month, 1 AS n,"                                                                 \
                  " 0 AS s FROM ko"                                                                \
                  " UNION ALL SELECT 'people_reached', '', '', p, m, f + ml, 0 FROM ko"            \
                  " UNION ALL SELECT 'people_reached', 'sex', 'female', p, m, f, 0 FROM ko"        \
                  " UNION ALL SELECT 'people_reached', 'sex', 'male', p, m, ml, 0 FROM ko"         \
                  " UNION ALL SELECT 'people_reached', 'age', 'under_18', p, m, u, 0 FROM ko"      \
                  " UNION ALL SELECT 'people_reached', 'age', '18_plus', p, m, f + ml - u, 0 "     \
                  "FROM ko"                                                                        \
                  " UNION ALL SELECT 'group_activity', 'group', ko.group_id, " RC_PLACE(           \
                      "g.location_code") ","                                                       \
                                         " ko.m, 1, 0 FROM ko JOIN network_group g ON g.id = "     \
                                         "ko.group_id"

/* An advice record (placed at its group). F on migrant_advice a. */
#define RC_ADVICE_ROWS(D, F)                                                                       \
    "WITH ka AS (SELECT " RC_PLACE("g.location_code") " AS p, " RC_MONTH(                          \
        "a.date") " AS m,"                                                                         \
                  " a.destination AS d, a.channel AS ch, a.group_id AS group_id,"                  \
                  " CASE WHEN " D##_JHAS(                                                          \
                      "a.warnings",                                                                \
                      "'unlicensed_agency'") " THEN 1 ELSE 0 END AS w"                             \
                                             " FROM migrant_advice a JOIN network_group g ON "     \
                                             "g.id = a.group_id WHERE " F ")"                      \
                                             " SELECT 'people_advised' AS code, '' AS dim, '' AS " \
                                             "cat, p AS place, m AS month, 1 AS n,"                \
                                             " 0 AS s FROM ka"                                     \
                                             " UNION ALL SELECT 'people_advised', 'destination', " \
                                             "d, p, m, 1, 0 FROM ka"                               \
                                             " UNION ALL SELECT 'people_advised', 'channel', ch, " \
                                             "p, m, 1, 0 FROM ka"                                  \
                                             " UNION ALL SELECT 'regular_channel', '', '', p, m, " \
                                             "1, 0 FROM ka"                                        \
                                             " WHERE ch IN " RC_REGULAR_CHANNELS                   \
                                             " UNION ALL SELECT 'unlicensed_agency_warnings', "    \
                                             "'', '', p, m, 1, 0 FROM ka WHERE w = 1"              \
                                             " UNION ALL SELECT 'group_activity', 'group', "       \
                                             "group_id, p, m, 1, 0 FROM ka"

/* A training and its participants. F on training t. */
#define RC_TRAINING_ROWS(D, F)                                                                     \
    "WITH kt AS (SELECT t.id AS id, " RC_PLACE(                                                    \
        "t.location_code") " AS p,"                                                                \
                           " " RC_MONTH(                                                           \
                               "t.date") " AS m, t.audience AS a, t.facilitator_trainer AS tr,"    \
                                         " t.group_id AS group_id FROM training t WHERE " F "),"   \
                                         " kp AS (SELECT kt.p AS p, kt.m AS m, kt.a AS a, kt.tr "  \
                                         "AS tr, q.sex AS sex, q.pre AS pre,"                      \
                                         " q.post AS post FROM kt JOIN training_participant q ON " \
                                         "q.training_id = kt.id)"                                  \
                                         " SELECT 'trainings' AS code, '' AS dim, '' AS cat, p "   \
                                         "AS place, m AS month, 1 AS n, 0 AS s"                    \
                                         " FROM kt"                                                \
                                         " UNION ALL SELECT 'trainings', 'audience', a, p, m, 1, " \
                                         "0 FROM kt"                                               \
                                         " UNION ALL SELECT 'training_participants', '', '', p, "  \
                                         "m, 1, 0 FROM kp"                                         \
                                         " UNION ALL SELECT 'training_participants', 'audience', " \
                                         "a, p, m, 1, 0 FROM kp"                                   \
                                         " UNION ALL SELECT 'training_participants', 'sex', sex, " \
                                         "p, m, 1, 0 FROM kp"                                      \
                                         " UNION ALL SELECT 'knowledge_gain', '', '', p, m, 1, "   \
                                         "post - pre FROM kp"                                      \
                                         " WHERE pre IS NOT NULL AND post IS NOT NULL"             \
                                         " UNION ALL SELECT 'cascade_trainings', '', '', p, m, "   \
                                         "1, 0 FROM kt WHERE tr = 1"                               \
                                         " UNION ALL SELECT 'cascade_trainings', 'audience', a, "  \
                                         "p, m, 1, 0 FROM kt WHERE tr = 1"                         \
                                         " UNION ALL SELECT 'cascade_participants', '', '', p, "   \
                                         "m, 1, 0 FROM kp WHERE tr = 1"                            \
                                         " UNION ALL SELECT 'cascade_participants', 'audience', "  \
                                         "a, p, m, 1, 0 FROM kp WHERE tr = 1"                      \
                                         " UNION ALL SELECT 'group_activity', 'group', "           \
                                         "kt.group_id, " RC_PLACE(                                 \
                                             "g.location_code") ","                                \
                                                                " kt.m, 1, 0 FROM kt JOIN "        \
                                                                "network_group g ON g.id = "       \
                                                                "kt.group_id"

/* A member (placed at her group): the stock of active members, and her
 * participations per topic. F on member m. */
#define RC_MEMBER_ROWS(D, F)                                                                       \
    "WITH km AS (SELECT m.id AS id, " RC_PLACE(                                                    \
        "g.location_code") " AS p,"                                                                \
                           " " RC_MONTH(                                                           \
                               "m.created_at") " AS m, m.active AS act, m.returnee_any AS ret,"    \
                                               " m.network_roles AS roles FROM member m JOIN "     \
                                               "network_group g ON g.id = m.group_id"              \
                                               " WHERE " F ")"                                     \
                                               " SELECT 'members' AS code, '' AS dim, '' AS cat, " \
                                               "p AS place, m AS month, 1 AS n, 0 AS s"            \
                                               " FROM km WHERE act = 1"                            \
                                               " UNION ALL SELECT 'members', 'network_role', "     \
                                               "j.value, km.p, km.m, 1, 0"                         \
                                               " FROM km, " D##_JEACH(                             \
                                                   "km.roles") " WHERE km.act = 1"                 \
                                                               " UNION ALL SELECT "                \
                                                               "'members_returnees', '', '', p, "  \
                                                               "m, 1, 0 FROM km WHERE act = 1 "    \
                                                               "AND ret = 1"                       \
                                                               " UNION ALL SELECT "                \
                                                               "'member_trained', tt.topic, "      \
                                                               "km.id, km.p, " RC_MONTH(           \
                                                                   "t.date") ", 1, 0"              \
                                                                             " FROM km JOIN "      \
                                                                             "training_"           \
                                                                             "participant q ON "   \
                                                                             "q.member_id = km.id" \
                                                                             " JOIN training t "   \
                                                                             "ON t.id = "          \
                                                                             "q.training_id JOIN " \
                                                                             "training_topic tt "  \
                                                                             "ON tt.training_id "  \
                                                                             "= t.id"

/* Adds SIGN times the rows to report_cell (cells emptied stay at 0 until
 * RC_ZAP). */
#define RC_APPLY(ROWS, SIGN)                                                                       \
    "INSERT INTO report_cell AS rc (code, dim, cat, place, month, n, s)"                           \
    " SELECT code, dim, cat, place, month, " SIGN " * sum(n), " SIGN " * sum(s)"                   \
    " FROM (" ROWS ") AS x GROUP BY code, dim, cat, place, month"                                  \
    " HAVING sum(n) <> 0 OR sum(s) <> 0"                                                           \
    " ON CONFLICT (code, dim, cat, place, month)"                                                  \
    " DO UPDATE SET n = rc.n + excluded.n, s = rc.s + excluded.s"

/* The statements of a backend: D its dialect, P its parameter sign ("?" or "$"). */
#define RC_STMTS(D, P)                                                                             \
    S(STMT_RC_CASE, RC_APPLY(RC_CASE_ROWS(D, "c.id = " P "1"), P "2")),                            \
        S(STMT_RC_OUTREACH, RC_APPLY(RC_OUTREACH_ROWS(D, "o.id = " P "1"), P "2")),                \
        S(STMT_RC_ADVICE, RC_APPLY(RC_ADVICE_ROWS(D, "a.id = " P "1"), P "2")),                    \
        S(STMT_RC_TRAINING, RC_APPLY(RC_TRAINING_ROWS(D, "t.id = " P "1"), P "2")),                \
        S(STMT_RC_MEMBER, RC_APPLY(RC_MEMBER_ROWS(D, "m.id = " P "1"), P "2")),                    \
        S(STMT_RC_ALL_CASE, RC_APPLY(RC_CASE_ROWS(D, "1 = 1"), "1")),                              \
        S(STMT_RC_ALL_OUTREACH, RC_APPLY(RC_OUTREACH_ROWS(D, "1 = 1"), "1")),                      \
        S(STMT_RC_ALL_ADVICE, RC_APPLY(RC_ADVICE_ROWS(D, "1 = 1"), "1")),                          \
        S(STMT_RC_ALL_TRAINING, RC_APPLY(RC_TRAINING_ROWS(D, "1 = 1"), "1")),                      \
        S(STMT_RC_ALL_MEMBER, RC_APPLY(RC_MEMBER_ROWS(D, "1 = 1"), "1")),                          \
        S(STMT_RC_CLEAR, "DELETE FROM report_cell"),                                               \
        S(STMT_RC_LIST, "SELECT code, dim, cat, place, month, n, s FROM report_cell"               \
                        " ORDER BY code, dim, cat, place, month"),                                 \
        S(STMT_RC_GEN, "SELECT gen, built FROM report_generation WHERE id = 1"),                   \
        S(STMT_RC_BUMP, "UPDATE report_generation SET gen = gen + 1 WHERE id = 1"),                \
        S(STMT_RC_BUILT, "UPDATE report_generation SET gen = gen + 1, built = 1 WHERE id = 1"),    \
        S(STMT_RC_OVERDUE_NOW,                                                                     \
          "SELECT " RC_PLACE("c.location_code") " AS place, count(*) FROM referral f"              \
                                                " JOIN cases c ON c.id = f.case_id WHERE "         \
                                                "f.status IN ('sent', 'accepted')"                 \
                                                " AND f.due_at < " P "1 GROUP BY " RC_PLACE(       \
                                                    "c.location_code") " ORDER BY 1"),             \
        S(STMT_RC_HIST, "SELECT cat, CAST(sum(n) AS bigint) FROM report_cell WHERE code = " P      \
                        "1 AND dim = 'days'"                                                       \
                        " AND month >= " P "3 AND month <= " P "4"                                 \
                        " AND substr(place, 1, length(" P "2)) = " P "2 GROUP BY cat"),            \
        S(STMT_RC_CASE_OF_CONSENT, "SELECT case_id FROM consent WHERE id = " P "1"),               \
        S(STMT_RC_CASE_OF_REFERRAL, "SELECT case_id FROM referral WHERE id = " P "1"),             \
        S(STMT_RC_OF_GROUP,                                                                        \
          "SELECT 0, id FROM cases WHERE group_id = " P "1"                                        \
          " UNION ALL SELECT 1, id FROM outreach_session WHERE group_id = " P "1"                  \
          " UNION ALL SELECT 2, id FROM migrant_advice WHERE group_id = " P "1"                    \
          " UNION ALL SELECT 3, id FROM training WHERE group_id = " P "1"                          \
          " UNION ALL SELECT 4, id FROM member WHERE group_id = " P "1")

#endif
