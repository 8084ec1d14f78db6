/* The SQLite backend's statements: every one is prepared when a connection
 * opens, so a typo fails at start. Parameters are ?N, numbered as the record
 * functions bind them (the PostgreSQL table uses $N in the same places). */
#include "store/report_sql.h"
#include "store/store_int.h"

#define S(id, sql) [id] = {#id, sql}

#define LOCATION_COLS "code, level, parent_code, name_km, name_latn, unit_km, unit_latn"
#define ORG_COLS      "id, name, kind, location_code, created_at, version"
#define USER_COLS                                                                                  \
    "id, username, role, display_name, organization_id, group_id, locale, active, created_at, "    \
    "updated_at, version, member_id, pending, requested_by"
#define SERVICE_COLS                                                                               \
    "id, organization_id, type, name, location_code, areas, contact, hours, languages,"            \
    " eligibility, created_at, updated_at, version"
#define AGENCY_COLS                                                                                \
    "id, licence_no, name_km, name_en, licence_valid_until, created_at, updated_at, version"
#define AGENCY_IMPORT_COLS "id, seq, source_date, imported_at, imported_by, added, updated, dropped"
/* An agency read on the date ?1: the list in force then, what it says. */
#define AGENCY_ON_SELECT                                                                           \
    "SELECT a.id AS id, a.licence_no AS licence_no, a.name_km AS name_km, a.name_en AS name_en,"   \
    " COALESCE(l.licence_valid_until, a.licence_valid_until) AS licence_valid_until,"              \
    " a.created_at AS created_at, a.updated_at AS updated_at, a.version AS version,"               \
    " CASE WHEN l.licence_valid_until >= ?1 THEN 1 ELSE 0 END AS licensed,"                        \
    " v.source_date AS source_date FROM agency a"                                                  \
    " LEFT JOIN agency_list v ON v.id = (SELECT id FROM agency_list WHERE source_date <= ?1"       \
    " ORDER BY source_date DESC, seq DESC LIMIT 1)"                                                \
    " LEFT JOIN agency_listing l ON l.list_id = v.id AND l.agency_id = a.id"
#define GROUP_COLS "id, organization_id, name, location_code, created_at, updated_at, version"
#define OUTREACH_COLS                                                                              \
    "o.id AS id, o.group_id AS group_id, o.date AS date, o.location_code AS location_code,"        \
    " o.topics AS topics, o.female AS female, o.male AS male, o.under_18 AS under_18,"             \
    " o.recorded_by AS recorded_by, o.created_at AS created_at, o.updated_at AS updated_at,"       \
    " o.version AS version, g.organization_id AS organization_id"                                  \
    " FROM outreach_session o JOIN network_group g ON g.id = o.group_id"
/* ?1 the group's organization, ?2 group, ?3 from, ?4 to (dates), (?5, ?6,
 * ?7) the last row of the previous page, ?8 limit. */
#define OUTREACH_WHERE                                                                             \
    " (?1 IS NULL OR g.organization_id = ?1) AND (?2 IS NULL OR o.group_id = ?2)"                  \
    " AND (?3 IS NULL OR o.date >= ?3) AND (?4 IS NULL OR o.date <= ?4)"
#define ADVICE_COLS                                                                                \
    "a.id AS id, a.group_id AS group_id, a.date AS date, a.person AS person, a.sex AS sex,"        \
    " a.birth_year AS birth_year, a.destination AS destination, a.sector AS sector,"               \
    " a.channel AS channel, a.agency_id AS agency_id, a.documents AS documents, a.risks AS risks," \
    " a.warnings AS warnings, a.follow_up_on AS follow_up_on,"                                     \
    " a.follow_up_done_at AS follow_up_done_at, a.recorded_by AS recorded_by,"                     \
    " a.created_at AS created_at, a.updated_at AS updated_at, a.version AS version,"               \
    " g.organization_id AS organization_id"                                                        \
    " FROM migrant_advice a JOIN network_group g ON g.id = a.group_id"
/* ?1 the group's organization, ?2 group, ?3 the day follow-ups are due by,
 * (?4, ?5, ?6) the last row of the previous page, ?7 limit. */
#define ADVICE_WHERE                                                                               \
    " (?1 IS NULL OR g.organization_id = ?1) AND (?2 IS NULL OR a.group_id = ?2)"                  \
    " AND (?3 IS NULL OR (a.follow_up_on <= ?3 AND a.follow_up_done_at IS NULL))"
#define TRAINING_COLS                                                                              \
    "t.id AS id, t.organization_id AS organization_id, t.group_id AS group_id, t.date AS date,"    \
    " t.location_code AS location_code, t.audience AS audience,"                                   \
    " t.facilitator_member_id AS facilitator_member_id, t.facilitator_user_id AS "                 \
    "facilitator_user_id,"                                                                         \
    " t.facilitator_outside AS facilitator_outside, t.facilitator_trainer AS facilitator_trainer," \
    " t.recorded_by AS recorded_by, t.created_at AS created_at, t.updated_at AS updated_at,"       \
    " t.version AS version,"                                                                       \
    " (SELECT group_concat(topic, ',') FROM training_topic tt WHERE tt.training_id = t.id) AS "    \
    "topics,"                                                                                      \
    " (SELECT count(*) FROM training_participant pc WHERE pc.training_id = t.id) AS nparticipants" \
    " FROM training t"
/* ?1 organization, ?2 group, ?3 from, ?4 to (dates). */
#define TRAINING_WHERE                                                                             \
    " (?1 IS NULL OR t.organization_id = ?1) AND (?2 IS NULL OR t.group_id = ?2)"                  \
    " AND (?3 IS NULL OR t.date >= ?3) AND (?4 IS NULL OR t.date <= ?4)"
/* Members in bounds: ?1 organization, ?2 group. */
#define TRAINING_MEMBER_BOUNDS                                                                     \
    " m.active = 1 AND (?1 IS NULL OR g.organization_id = ?1)"                                     \
    " AND (?2 IS NULL OR m.group_id = ?2)"
#define MEMBER_COLS                                                                                \
    "id, group_id, name_km, name_latn, sex, birth_year, phone, network_roles, returnee, active, "  \
    "created_at, updated_at, version, identity, returnee_any, returnee_employer"
/* The concerns come back as one comma-separated column, in the order given. */
#define CASE_COLS                                                                                  \
    "id, code, organization_id, group_id, location_code, status, summary, risk, urgent, "          \
    "consent_to_contact, reported_by, assigned_to, created_at, updated_at, version, "              \
    "closure_requested_by, closure_reason_code, agency_id, employer, erased_at, erased_reason, "   \
    "(SELECT group_concat(concern, ',') FROM (SELECT concern FROM case_concern "                   \
    "WHERE case_id = cases.id ORDER BY position)) AS concerns"
/* A name key the case must have (NULL: none). */
#define NAME_KEY(n)                                                                                \
    " AND (?" #n " IS NULL OR EXISTS (SELECT 1 FROM survivor_key sk"                               \
    " WHERE sk.case_id = cases.id AND sk.kind = 'name' AND sk.key = ?" #n "))"
/* ?1 organization, ?2 group, ?3 reported_by, ?4 assigned_or_open_for,
 * ?5 status, ?6 concern, (?7, ?8, ?9) the last row of the previous page
 * (urgent 2 on the first page: above every row), ?10 limit, ?11..?16 name
 * keys (CASE_NAME_KEYS_MAX), ?17 assigned_to, ?18 risk, ?19 urgent,
 * ?20 overdue_on (a task not done due before it). */
#define CASE_WHERE                                                                                 \
    " (?1 IS NULL OR organization_id = ?1) AND (?2 IS NULL OR group_id = ?2)"                      \
    " AND (?3 IS NULL OR reported_by = ?3)"                                                        \
    " AND (?4 IS NULL OR assigned_to = ?4 OR assigned_to IS NULL)"                                 \
    " AND (?17 IS NULL OR assigned_to = ?17)"                                                      \
    " AND (?5 IS NULL OR status = ?5)"                                                             \
    " AND (?18 IS NULL OR risk = ?18) AND (?19 IS NULL OR urgent = ?19)"                           \
    " AND (?20 IS NULL OR EXISTS (SELECT 1 FROM task t"                                            \
    " WHERE t.case_id = cases.id AND t.done = 0 AND t.due_on < ?20))"                              \
    " AND (?6 IS NULL OR EXISTS (SELECT 1 FROM case_concern cc"                                    \
    " WHERE cc.case_id = cases.id AND cc.concern = ?6))" NAME_KEY(11) NAME_KEY(12) NAME_KEY(13)    \
        NAME_KEY(14) NAME_KEY(15) NAME_KEY(16)
#define CASE_FILTER                                                                                \
    CASE_WHERE " AND (urgent, created_at, id) < (?7, ?8, ?9)"                                      \
               " ORDER BY urgent DESC, created_at DESC, id DESC LIMIT ?10"
#define INCIDENT_COLS                                                                              \
    "id, case_id, date, reported_on, time_of_day, location_type, location, migration_stage, "      \
    "penetration, sexual_contact, physical_assault, forced_marriage, denial_of_resources, "        \
    "psychological_abuse, goods_or_money_exchanged, abduction, reported_elsewhere, perpetrators, " \
    "exploitation, description, gbv_type, context_flags, survivor_age, created_by, created_at"
#define SCREENING_COLS                                                                             \
    "id, case_id, adult, indicators, dimensions, forced_labour_indicators, result, created_by, "   \
    "created_at"
#define NOTE_COLS "id, case_id, body, corrects, author, created_at"
#define TASK_COLS                                                                                  \
    "id, case_id, title, due_on, assigned_to, done, done_at, created_by, created_at, updated_at, " \
    "version"
#define CONSENT_COLS                                                                               \
    "id, seq, case_id, purpose, organization_id, service_type, given, method, given_by,"           \
    " recorded_by, created_at, withdrawn_at, withdrawn_by, withdraw_reason"
/* A referral with what it takes from its case. */
#define REFERRAL_COLS                                                                              \
    "r.id AS id, r.case_id AS case_id, r.service_id AS service_id,"                                \
    " r.organization_id AS organization_id, r.service_type AS service_type, r.status AS status,"   \
    " r.urgency AS urgency, r.reason AS reason, r.consent_override AS consent_override,"           \
    " r.override_reason AS override_reason, r.slip_code AS slip_code, r.contact AS contact,"       \
    " r.created_by AS created_by, r.created_at AS created_at, r.updated_at AS updated_at,"         \
    " r.due_at AS due_at, r.version AS version, c.code AS case_code,"                              \
    " c.organization_id AS case_organization_id, c.assigned_to AS case_assigned_to,"               \
    " c.location_code AS case_location_code, r.contact_sealed AS contact_sealed"                   \
    " FROM referral r JOIN cases c ON c.id = r.case_id"
/* 1 receiving organization, 2 sending organization, 3 case assigned to,
 * 4 case assigned to or open for, 5 case, 6 status, 7 overdue at. */
#define REFERRAL_WHERE                                                                             \
    " (?1 IS NULL OR r.organization_id = ?1) AND (?2 IS NULL OR c.organization_id = ?2)"           \
    " AND (?3 IS NULL OR c.assigned_to = ?3)"                                                      \
    " AND (?4 IS NULL OR c.assigned_to = ?4 OR c.assigned_to IS NULL)"                             \
    " AND (?5 IS NULL OR r.case_id = ?5) AND (?6 IS NULL OR r.status = ?6)"                        \
    " AND (?7 IS NULL OR (r.status IN ('sent', 'accepted') AND r.due_at < ?7))"
#define REFEVENT_COLS "seq, referral_id, at, user_id, status, note"
#define EVENT_COLS    "seq, case_id, at, user_id, kind, detail, ref_id, text"
#define IDEM_COLS     "user_id, key, route, request_hash, status, answer, created_at, case_id"
#define AUDIT_COLS                                                                                 \
    "seq, at, user_id, action, record_type, record_id, detail, prev_hash, hash, key_id, mac"

const struct stmt_def sqlite_stmts[STMT__MAX] = {
    S(STMT_BEGIN, "BEGIN IMMEDIATE"),
    S(STMT_COMMIT, "COMMIT"),
    S(STMT_ROLLBACK, "ROLLBACK"),
    S(STMT_PING, "SELECT 1"),
    S(STMT_SCHEMA_VERSION, "SELECT coalesce(max(version), 0) FROM schema_migration"),
    S(STMT_META_GET, "SELECT value FROM meta WHERE key = ?1"),
    S(STMT_META_SET, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                     " ON CONFLICT (key) DO UPDATE SET value = excluded.value"),

    S(STMT_LOCATION_INSERT, "INSERT INTO location (" LOCATION_COLS ")"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    S(STMT_LOCATION_GET, "SELECT " LOCATION_COLS " FROM location WHERE code = ?1"),
    S(STMT_LOCATION_CHILDREN,
      "SELECT " LOCATION_COLS " FROM location WHERE parent_code = ?1 ORDER BY code"),
    S(STMT_LOCATION_PROVINCES,
      "SELECT " LOCATION_COLS " FROM location WHERE parent_code IS NULL ORDER BY code"),
    S(STMT_LOCATION_ALL, "SELECT " LOCATION_COLS " FROM location ORDER BY code"),
    S(STMT_LOCATION_COUNT, "SELECT count(*) FROM location"),

    S(STMT_ORG_INSERT, "INSERT INTO organization"
                       " (id, name, kind, location_code, created_at, updated_at, version)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)"),
    S(STMT_ORG_GET, "SELECT " ORG_COLS " FROM organization WHERE id = ?1"),
    S(STMT_ORG_LIST, "SELECT " ORG_COLS " FROM organization ORDER BY name, id"),

    S(STMT_USER_INSERT,
      "INSERT INTO users (" USER_COLS ", password_hash)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, ?15, ?12)"),
    S(STMT_USER_APPROVE, "UPDATE users SET pending = 0, updated_at = ?3, version = version + 1"
                         " WHERE id = ?1 AND version = ?2 AND pending = 1"),
    S(STMT_USER_UPDATE, "UPDATE users SET role = ?3, display_name = ?4, organization_id = ?5,"
                        " group_id = ?6, member_id = ?7, active = ?8, pending = ?9,"
                        " requested_by = ?10, updated_at = ?11, version = version + 1"
                        " WHERE id = ?1 AND version = ?2"),
    S(STMT_USER_GET, "SELECT " USER_COLS " FROM users WHERE id = ?1"),
    S(STMT_TOTP_GET, "SELECT user_id, secret, confirmed, last_step, created_at"
                     " FROM user_totp WHERE user_id = ?1"),
    S(STMT_TOTP_PUT, "INSERT INTO user_totp (user_id, secret, confirmed, last_step, created_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO UPDATE SET"
                     " secret = excluded.secret, confirmed = excluded.confirmed,"
                     " last_step = excluded.last_step, created_at = excluded.created_at"),
    S(STMT_TOTP_USE, "UPDATE user_totp SET last_step = ?2, confirmed = CASE WHEN ?3 = 1 THEN 1"
                     " ELSE confirmed END WHERE user_id = ?1 AND last_step < ?2"
                     " AND (confirmed = 1 OR ?3 = 1)"),
    S(STMT_TOTP_DELETE, "DELETE FROM user_totp WHERE user_id = ?1"),
    S(STMT_USER_BY_USERNAME, "SELECT " USER_COLS ", password_hash FROM users WHERE username = ?1"),
    S(STMT_USER_LIST, "SELECT " USER_COLS " FROM users"
                      " WHERE (?1 IS NULL OR organization_id = ?1) ORDER BY username"),

    S(STMT_SESSION_INSERT, "INSERT INTO session"
                           " (token_hash, user_id, kind, csrf, created_at, last_seen, enrol_only)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    S(STMT_SESSION_GET, "SELECT token_hash, user_id, kind, csrf, created_at, last_seen,"
                        " enrol_only FROM session WHERE token_hash = ?1"),
    S(STMT_SESSION_TOUCH,
      "UPDATE session SET last_seen = max(last_seen, ?2) WHERE token_hash = ?1"),
    S(STMT_SESSION_DELETE, "DELETE FROM session WHERE token_hash = ?1"),
    S(STMT_SESSION_EXPIRE, "DELETE FROM session WHERE last_seen < ?1 OR created_at < ?2"),
    S(STMT_SESSION_UNRESTRICT, "UPDATE session SET enrol_only = 0 WHERE token_hash = ?1"),
    S(STMT_SESSION_DELETE_USER, "DELETE FROM session WHERE user_id = ?1"),

    S(STMT_LOGIN_FAILURE_ADD, "INSERT INTO login_failure (user_key, addr_key, at)"
                              " VALUES (?1, ?2, ?3)"),
    S(STMT_LOGIN_FAILURE_COUNT,
      "SELECT (SELECT count(*) FROM login_failure WHERE user_key = ?1 AND at >= ?3),"
      " (SELECT count(*) FROM login_failure WHERE addr_key = ?2 AND at >= ?3)"),
    S(STMT_LOGIN_FAILURE_PRUNE, "DELETE FROM login_failure WHERE at < ?1"),
    /* ?1 user key, ?2 the lease's end, ?3 now: taken (one row changed) when
     * free or run out. */
    S(STMT_LOGIN_GATE_TAKE, "INSERT INTO login_gate (user_key, until) VALUES (?1, ?2)"
                            " ON CONFLICT (user_key) DO UPDATE SET until = excluded.until"
                            " WHERE login_gate.until < ?3"),
    S(STMT_LOGIN_GATE_RELEASE, "DELETE FROM login_gate WHERE user_key = ?1 AND until = ?2"),

    S(STMT_GROUP_INSERT, "INSERT INTO network_group (" GROUP_COLS ")"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    S(STMT_GROUP_GET, "SELECT " GROUP_COLS " FROM network_group WHERE id = ?1"),
    S(STMT_GROUP_LIST, "SELECT " GROUP_COLS " FROM network_group"
                       " WHERE (?1 IS NULL OR organization_id = ?1) ORDER BY name, id"),

    S(STMT_GROUP_UPDATE, "UPDATE network_group SET name = ?3, location_code = ?4, updated_at = ?5,"
                         " version = version + 1 WHERE id = ?1 AND version = ?2"),
    S(STMT_MEMBER_INSERT,
      "INSERT INTO member (" MEMBER_COLS ")"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
      " ?16)"),
    S(STMT_MEMBER_LIST,
      "SELECT " MEMBER_COLS " FROM member WHERE group_id = ?1"
      " AND (?2 = 0 OR id IN (SELECT member_id FROM member_name_key"
      " WHERE key IN (?3, ?4, ?5, ?6, ?7, ?8) GROUP BY member_id HAVING count(*) = ?2))"
      " ORDER BY id"),
    S(STMT_MEMBER_GET, "SELECT " MEMBER_COLS " FROM member WHERE id = ?1"),
    S(STMT_MEMBER_UPDATE,
      "UPDATE member SET name_km = ?3, name_latn = ?4, sex = ?5, birth_year = ?6,"
      " phone = ?7, network_roles = ?8, returnee = ?9, active = ?10,"
      " updated_at = ?11, identity = ?12, returnee_any = ?13,"
      " returnee_employer = ?14, version = version + 1"
      " WHERE id = ?1 AND version = ?2"),
    S(STMT_MEMBER_KEY_DELETE, "DELETE FROM member_name_key WHERE member_id = ?1"),
    S(STMT_MEMBER_KEY_INSERT, "INSERT INTO member_name_key (member_id, key) VALUES (?1, ?2)"
                              " ON CONFLICT DO NOTHING"),
    S(STMT_MEMBER_UNSEALED, "SELECT id FROM member WHERE identity IS NULL ORDER BY id LIMIT 500"),
    S(STMT_CASE_KEY_GET, "SELECT wrapped FROM case_key WHERE case_id = ?1"),
    S(STMT_CASE_KEY_INSERT,
      "INSERT INTO case_key (case_id, wrapped, created_at) VALUES (?1, ?2, ?3)"
      " ON CONFLICT (case_id) DO NOTHING"),
    S(STMT_CASE_KEY_DELETE, "DELETE FROM case_key WHERE case_id = ?1"),
    S(STMT_CASE_KEY_SWAP, "UPDATE case_key SET wrapped = ?3 WHERE case_id = ?1 AND wrapped = ?2"),
    S(STMT_CASE_KEY_PAGE,
      "SELECT case_id, wrapped FROM case_key WHERE case_id > ?1 ORDER BY case_id"
      " LIMIT ?2"),
    S(STMT_REFERRAL_PLAIN_CONTACT,
      "SELECT id, case_id, contact FROM referral WHERE contact IS NOT NULL"
      " ORDER BY id LIMIT 200"),
    S(STMT_REFERRAL_SEAL_CONTACT, "UPDATE referral SET contact_sealed = ?3, contact = NULL"
                                  " WHERE id = ?1 AND contact = ?2"),

    S(STMT_SERVICE_INSERT, "INSERT INTO service (" SERVICE_COLS ")"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
    S(STMT_SERVICE_GET, "SELECT " SERVICE_COLS " FROM service WHERE id = ?1"),
    S(STMT_SERVICE_UPDATE, "UPDATE service SET type = ?3, name = ?4, location_code = ?5,"
                           " areas = ?6, contact = ?7, hours = ?8, languages = ?9,"
                           " eligibility = ?10, updated_at = ?11, version = version + 1"
                           " WHERE id = ?1 AND version = ?2"),
    S(STMT_SERVICE_LIST, "SELECT " SERVICE_COLS " FROM service"
                         " WHERE (?1 IS NULL OR type = ?1) ORDER BY name, id"),
    S(STMT_OUTREACH_INSERT,
      "INSERT INTO outreach_session (id, group_id, date, location_code, topics, female, male,"
      " under_18, recorded_by, created_at, updated_at, version)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
    S(STMT_OUTREACH_GET, "SELECT " OUTREACH_COLS " WHERE o.id = ?1"),
    S(STMT_OUTREACH_LIST, "SELECT " OUTREACH_COLS " WHERE" OUTREACH_WHERE
                          " AND (o.date, o.created_at, o.id) < (?5, ?6, ?7)"
                          " ORDER BY o.date DESC, o.created_at DESC, o.id DESC LIMIT ?8"),
    S(STMT_AGENCY_IMPORT_LAST, "SELECT " AGENCY_IMPORT_COLS " FROM agency_list"
                               " ORDER BY seq DESC LIMIT 1"),
    S(STMT_AGENCY_IMPORT_INSERT, "INSERT INTO agency_list (" AGENCY_IMPORT_COLS ")"
                                 " VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM agency_list),"
                                 " ?2, ?3, ?4, ?5, ?6, ?7)"),
    S(STMT_AGENCY_IMPORT_COUNTS, "UPDATE agency_list SET added = ?2, updated = ?3, dropped = ?4"
                                 " WHERE id = ?1"),
    S(STMT_AGENCY_BY_LICENCE, "SELECT " AGENCY_COLS ", 0 AS licensed, NULL AS source_date"
                              " FROM agency WHERE licence_no = ?1"),
    S(STMT_AGENCY_INSERT, "INSERT INTO agency (" AGENCY_COLS ")"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
    S(STMT_AGENCY_UPDATE, "UPDATE agency SET name_km = ?3, name_en = ?4, licence_valid_until = ?5,"
                          " updated_at = ?6, version = version + 1"
                          " WHERE id = ?1 AND version = ?2"),
    S(STMT_AGENCY_LISTING_INSERT, "INSERT INTO agency_listing (list_id, agency_id, name_km,"
                                  " name_en, licence_valid_until) VALUES (?1, ?2, ?3, ?4, ?5)"),
    S(STMT_AGENCY_DROPPED_COUNT, "SELECT count(*) FROM agency_listing p WHERE p.list_id = ?1"
                                 " AND NOT EXISTS (SELECT 1 FROM agency_listing n"
                                 " WHERE n.list_id = ?2 AND n.agency_id = p.agency_id)"),
    S(STMT_AGENCY_LISTED,
      "SELECT count(*) FROM agency_listing WHERE list_id = ?1 AND agency_id = ?2"),
    S(STMT_AGENCY_KEY_DELETE, "DELETE FROM agency_name_key WHERE agency_id = ?1"),
    S(STMT_AGENCY_KEY_INSERT, "INSERT INTO agency_name_key (agency_id, key) VALUES (?1, ?2)"
                              " ON CONFLICT DO NOTHING"),
    S(STMT_AGENCY_ON, AGENCY_ON_SELECT
      " WHERE ?8 = 0 OR a.id IN (SELECT agency_id FROM agency_name_key"
      " WHERE key IN (?2, ?3, ?4, ?5, ?6, ?7) GROUP BY agency_id HAVING count(*) = ?8)"
      " ORDER BY a.id"),
    S(STMT_AGENCY_GET_ON, AGENCY_ON_SELECT " WHERE a.id = ?2"),
    S(STMT_AGENCY_HISTORY, "SELECT a.id AS id, a.licence_no AS licence_no, l.name_km AS name_km,"
                           " l.name_en AS name_en, l.licence_valid_until AS licence_valid_until,"
                           " a.created_at AS created_at, a.updated_at AS updated_at,"
                           " a.version AS version, 0 AS licensed, v.source_date AS source_date"
                           " FROM agency_listing l JOIN agency a ON a.id = l.agency_id"
                           " JOIN agency_list v ON v.id = l.list_id WHERE l.agency_id = ?1"
                           " ORDER BY v.seq"),
    S(STMT_ADVICE_INSERT,
      "INSERT INTO migrant_advice (id, group_id, date, person, sex, birth_year, destination,"
      " sector, channel, agency_id, documents, risks, warnings, follow_up_on, follow_up_done_at,"
      " recorded_by, created_at, updated_at, version)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
      "?19)"),
    S(STMT_ADVICE_GET, "SELECT " ADVICE_COLS " WHERE a.id = ?1"),
    S(STMT_ADVICE_DONE, "UPDATE migrant_advice SET follow_up_done_at = ?3, updated_at = ?4,"
                        " version = version + 1 WHERE id = ?1 AND version = ?2"),
    S(STMT_ADVICE_LIST,
      "SELECT " ADVICE_COLS " WHERE" ADVICE_WHERE " AND (a.date, a.created_at, a.id) < (?4, ?5, ?6)"
      " ORDER BY a.date DESC, a.created_at DESC, a.id DESC LIMIT ?7"),
    S(STMT_TRAINING_INSERT,
      "INSERT INTO training (id, organization_id, group_id, date, location_code, audience,"
      " facilitator_member_id, facilitator_user_id, facilitator_outside, facilitator_trainer,"
      " recorded_by, created_at, updated_at, version)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
    S(STMT_TRAINING_TOPIC_INSERT,
      "INSERT INTO training_topic (training_id, topic) VALUES (?1, ?2)"),
    S(STMT_TRAINING_PART_INSERT,
      "INSERT INTO training_participant (training_id, idx, member_id, outside, sex, pre, post)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    S(STMT_TRAINING_GET, "SELECT " TRAINING_COLS " WHERE t.id = ?1"),
    S(STMT_TRAINING_LIST, "SELECT " TRAINING_COLS " WHERE" TRAINING_WHERE
                          " AND (t.date, t.created_at, t.id) < (?5, ?6, ?7)"
                          " ORDER BY t.date DESC, t.created_at DESC, t.id DESC LIMIT ?8"),
    S(STMT_TRAINING_OF_MEMBER,
      "SELECT " TRAINING_COLS " WHERE t.id IN (SELECT training_id FROM training_participant"
      " WHERE member_id = ?1)"
      " ORDER BY t.date DESC, t.created_at DESC, t.id DESC LIMIT 500"),
    S(STMT_TRAINING_PARTS, "SELECT training_id, idx, member_id, outside, sex, pre, post"
                           " FROM training_participant WHERE training_id = ?1 ORDER BY idx"),
    S(STMT_TRAINING_COVERAGE_BASE, "SELECT count(*) FROM member m"
                                   " JOIN network_group g ON g.id = m.group_id"
                                   " WHERE" TRAINING_MEMBER_BOUNDS),
    S(STMT_TRAINING_COVERAGE,
      "SELECT tt.topic, count(DISTINCT m.id) FROM member m"
      " JOIN network_group g ON g.id = m.group_id"
      " JOIN training_participant p ON p.member_id = m.id"
      " JOIN training_topic tt ON tt.training_id = p.training_id"
      " WHERE" TRAINING_MEMBER_BOUNDS " GROUP BY tt.topic ORDER BY tt.topic"),
    S(STMT_TRAINING_CASCADE,
      "SELECT t.facilitator_member_id, t.audience, count(DISTINCT t.id), count(p.idx)"
      " FROM training t LEFT JOIN training_participant p ON p.training_id = t.id"
      " WHERE t.facilitator_trainer = 1 AND" TRAINING_WHERE
      " GROUP BY t.facilitator_member_id, t.audience"
      " ORDER BY t.facilitator_member_id, t.audience"),
    S(STMT_TRAINING_CASCADE_PAIRS,
      "SELECT DISTINCT t.facilitator_member_id, p.member_id FROM training t"
      " JOIN training_participant p ON p.training_id = t.id"
      " WHERE t.facilitator_trainer = 1 AND p.member_id IS NOT NULL AND" TRAINING_WHERE
      " ORDER BY t.facilitator_member_id, p.member_id LIMIT 5000"),
    S(STMT_CASE_NEXT_SEQ, "INSERT INTO case_counter (prefix, year, last) VALUES (?1, ?2, 1)"
                          " ON CONFLICT (prefix, year) DO UPDATE SET last = case_counter.last + 1"
                          " RETURNING last"),
    S(STMT_CASE_INSERT, "INSERT INTO cases (id, code, organization_id, group_id, location_code,"
                        " status, summary, risk, urgent, consent_to_contact, reported_by,"
                        " assigned_to, created_at, updated_at, version, agency_id, employer,"
                        " closure_requested_by, closure_reason_code, reporter_role)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                        " ?16, ?17, ?18, ?19, (SELECT role FROM users WHERE id = ?11))"),
    S(STMT_CASE_CONCERN_INSERT, "INSERT INTO case_concern (case_id, concern, position)"
                                " VALUES (?1, ?2, ?3)"),
    S(STMT_SURVIVOR_INSERT,
      "INSERT INTO survivor (case_id, identity, sex, age, age_estimated, demographics)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
    S(STMT_CASE_GET, "SELECT " CASE_COLS " FROM cases WHERE id = ?1"),
    S(STMT_SURVIVOR_GET, "SELECT identity, sex, age, age_estimated, demographics"
                         " FROM survivor WHERE case_id = ?1"),
    S(STMT_CASE_LIST_ALL, "SELECT " CASE_COLS " FROM cases WHERE" CASE_FILTER),
    S(STMT_CASE_LIST_BY_ORG,
      "SELECT " CASE_COLS " FROM cases WHERE organization_id = ?1 AND" CASE_FILTER),
    S(STMT_CASE_LIST_BY_GROUP,
      "SELECT " CASE_COLS " FROM cases WHERE group_id = ?2 AND" CASE_FILTER),
    S(STMT_CASE_LIST_BY_REPORTER,
      "SELECT " CASE_COLS " FROM cases WHERE reported_by = ?3 AND" CASE_FILTER),
    S(STMT_CASE_LIST_BY_NAME,
      "SELECT " CASE_COLS " FROM cases WHERE id IN (SELECT case_id"
      " FROM survivor_key WHERE kind = 'name' AND key = ?11) AND" CASE_FILTER),
    S(STMT_CASE_COUNT, "SELECT count(*) FROM cases WHERE" CASE_WHERE),
    /* The versioned write (store.c, stmt_exec_versioned): ?1 id, ?2 the
     * version read; no row changed means another write came first. */
    S(STMT_CASE_UPDATE,
      "UPDATE cases SET location_code = ?3, status = ?4, summary = ?5, risk = ?6, urgent = ?7,"
      " assigned_to = ?8, closure_requested_by = ?9, closure_reason_code = ?10,"
      " agency_id = ?12, employer = ?13, updated_at = ?11, version = version + 1 WHERE id = ?1 AND "
      "version = ?2"),
    S(STMT_CASE_CONCERN_DELETE, "DELETE FROM case_concern WHERE case_id = ?1"),
    S(STMT_SURVIVOR_UPSERT,
      "INSERT INTO survivor (case_id, identity, sex, age, age_estimated, demographics)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (case_id) DO UPDATE SET"
      " identity = excluded.identity, sex = excluded.sex, age = excluded.age,"
      " age_estimated = excluded.age_estimated, demographics = excluded.demographics"),
    S(STMT_SURVIVOR_KEY_DELETE, "DELETE FROM survivor_key WHERE case_id = ?1"),

    S(STMT_INCIDENT_INSERT, "INSERT INTO incident (" INCIDENT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5,"
                            " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
                            " ?20, ?21, ?22, ?23, ?24, ?25)"),
    S(STMT_INCIDENT_LIST, "SELECT " INCIDENT_COLS " FROM incident WHERE case_id = ?1"
                          " ORDER BY created_at, id"),
    S(STMT_SCREENING_INSERT, "INSERT INTO screening (" SCREENING_COLS ")"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
    S(STMT_SCREENING_LIST, "SELECT " SCREENING_COLS " FROM screening WHERE case_id = ?1"
                           " ORDER BY created_at, id"),
    /* The latest screening of each case naming the agency ?1. */
    S(STMT_SCREENING_LATEST_BY_AGENCY,
      "SELECT " SCREENING_COLS " FROM screening WHERE id IN (SELECT (SELECT s.id FROM screening s"
      " WHERE s.case_id = c.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1) FROM cases c"
      " WHERE c.agency_id = ?1) ORDER BY case_id, id"),
    S(STMT_NOTE_INSERT, "INSERT INTO note (" NOTE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
    S(STMT_NOTE_GET, "SELECT " NOTE_COLS " FROM note WHERE id = ?1"),
    S(STMT_NOTE_LIST, "SELECT " NOTE_COLS " FROM note WHERE case_id = ?1 ORDER BY created_at, id"),
    S(STMT_TASK_INSERT, "INSERT INTO task (" TASK_COLS ")"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
    S(STMT_TASK_GET, "SELECT " TASK_COLS " FROM task WHERE id = ?1"),
    S(STMT_TASK_UPDATE, "UPDATE task SET done = ?3, done_at = ?4, assigned_to = ?5,"
                        " updated_at = ?6, version = version + 1 WHERE id = ?1 AND version = ?2"),
    S(STMT_TASK_LIST, "SELECT " TASK_COLS " FROM task WHERE case_id = ?1 ORDER BY due_on, id"),
    /* ?1 before, ?2 organization, ?3 case assigned_to, ?4 case assigned
     * or open for, ?5 the task's assignee (or the case's when it has
     * none), ?6 limit. Urgent cases first. */
    S(STMT_TASK_OVERDUE,
      "SELECT t.id AS id, t.case_id AS case_id, t.title AS title, t.due_on AS due_on,"
      " t.assigned_to AS assigned_to, t.done AS done, t.done_at AS done_at,"
      " t.created_by AS created_by, t.created_at AS created_at, t.updated_at AS updated_at,"
      " t.version AS version FROM task t JOIN cases c ON c.id = t.case_id"
      " WHERE t.done = 0 AND t.due_on < ?1 AND (?2 IS NULL OR c.organization_id = ?2)"
      " AND (?3 IS NULL OR c.assigned_to = ?3)"
      " AND (?4 IS NULL OR c.assigned_to = ?4 OR c.assigned_to IS NULL)"
      " AND (?5 IS NULL OR t.assigned_to = ?5 OR (t.assigned_to IS NULL AND c.assigned_to = ?5))"
      " ORDER BY c.urgent DESC, t.due_on, t.id LIMIT ?6"),
    S(STMT_CASE_EVENT_INSERT, "INSERT INTO case_event (case_id, at, user_id, kind, detail, ref_id,"
                              " text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
    S(STMT_CASE_EVENT_LIST,
      "SELECT " EVENT_COLS " FROM case_event WHERE case_id = ?1 ORDER BY seq"),
    S(STMT_CASE_BY_CODE, "SELECT " CASE_COLS " FROM cases WHERE code = ?1"),
    /* The consent's seq: the order a case's records were written in. */
    S(STMT_CONSENT_INSERT,
      "INSERT INTO consent (" CONSENT_COLS ") VALUES (?1,"
      " (SELECT coalesce(max(seq), 0) + 1 FROM consent), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, NULL,"
      " NULL, NULL)"),
    S(STMT_CONSENT_GET, "SELECT " CONSENT_COLS " FROM consent WHERE id = ?1"),
    S(STMT_CONSENT_LIST, "SELECT " CONSENT_COLS " FROM consent WHERE case_id = ?1 ORDER BY seq"),
    S(STMT_CONSENT_WITHDRAW, "UPDATE consent SET withdrawn_at = ?2, withdrawn_by = ?3,"
                             " withdraw_reason = ?4 WHERE id = ?1 AND withdrawn_at IS NULL"),
    S(STMT_REFERRAL_INSERT,
      "INSERT INTO referral (id, case_id, service_id, organization_id, service_type, status,"
      " urgency, reason, consent_override, override_reason, slip_code, contact, created_by,"
      " created_at, updated_at, due_at, version, contact_sealed) VALUES (?1, ?2, ?3, ?4, ?5,"
      " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"),
    S(STMT_REFERRAL_GET, "SELECT " REFERRAL_COLS " WHERE r.id = ?1"),
    S(STMT_REFERRAL_LOCK, "SELECT id FROM referral WHERE id = ?1"),
    S(STMT_REFERRAL_UPDATE, "UPDATE referral SET status = ?3, updated_at = ?4,"
                            " version = version + 1 WHERE id = ?1 AND version = ?2"),
    /* REFERRAL_WHERE, then 8, 9 the last row of the previous page (a time
     * above every row on the first), 10 limit. */
    S(STMT_REFERRAL_LIST,
      "SELECT " REFERRAL_COLS " WHERE" REFERRAL_WHERE
      " AND (r.created_at, r.id) < (?8, ?9) ORDER BY r.created_at DESC, r.id DESC LIMIT ?10"),
    S(STMT_REFERRAL_COUNT, "SELECT count(*) FROM referral r JOIN cases c ON c.id = r.case_id"
                           " WHERE" REFERRAL_WHERE),
    S(STMT_REFERRAL_EVENT_INSERT,
      "INSERT INTO referral_event (referral_id, at, user_id, status, note)"
      " VALUES (?1, ?2, ?3, ?4, ?5)"),
    S(STMT_REFERRAL_EVENT_LIST, "SELECT " REFEVENT_COLS " FROM referral_event"
                                " WHERE referral_id = ?1 ORDER BY seq"),
    S(STMT_SLIP_FAILURE_ADD, "INSERT INTO slip_failure (referral_id, at, user_id)"
                             " VALUES (?1, ?2, ?3)"),
    S(STMT_SLIP_FAILURE_COUNT, "SELECT count(*) FROM slip_failure"
                               " WHERE referral_id = ?1 AND at >= ?2"),
    S(STMT_IDEM_INSERT, "INSERT INTO idempotency (user_id, key, method, route, request_hash,"
                        " status, answer, created_at, case_id)"
                        " VALUES (?1, ?2, 'POST', ?3, ?4, ?5, ?6, ?7, ?8)"),
    S(STMT_IDEM_GET, "SELECT " IDEM_COLS " FROM idempotency WHERE user_id = ?1 AND key = ?2"),
    S(STMT_IDEM_PRUNE, "DELETE FROM idempotency WHERE created_at < ?1"),

    /* Erasure (store_case_erase): ?1 the case. Only the sealed texts
     * change; the append-only tables' triggers let exactly this through. */
    S(STMT_CASE_ERASE_MARK, "UPDATE cases SET erased_at = ?2, erased_reason = ?3,"
                            " summary = NULL, employer = NULL"
                            " WHERE id = ?1 AND erased_at IS NULL"),
    S(STMT_ERASE_SURVIVOR, "UPDATE survivor SET identity = NULL WHERE case_id = ?1"),
    S(STMT_ERASE_EVENTS,
      "UPDATE case_event SET text = NULL WHERE case_id = ?1 AND text IS NOT NULL"),
    S(STMT_ERASE_INCIDENTS, "UPDATE incident SET description = NULL"
                            " WHERE case_id = ?1 AND description IS NOT NULL"),
    S(STMT_ERASE_NOTES, "UPDATE note SET body = X'' WHERE case_id = ?1 AND length(body) > 0"),
    S(STMT_ERASE_TASKS, "UPDATE task SET title = X'' WHERE case_id = ?1 AND length(title) > 0"),
    S(STMT_ERASE_CONSENTS, "UPDATE consent SET withdraw_reason = NULL"
                           " WHERE case_id = ?1 AND withdraw_reason IS NOT NULL"),
    S(STMT_ERASE_REFERRALS,
      "UPDATE referral SET reason = X'', slip_code = X'',"
      " override_reason = CASE WHEN override_reason IS NULL THEN NULL ELSE X'' END,"
      " contact_sealed = NULL, contact = NULL WHERE case_id = ?1"),
    S(STMT_ERASE_REFERRAL_EVENTS,
      "UPDATE referral_event SET note = NULL WHERE note IS NOT NULL"
      " AND referral_id IN (SELECT id FROM referral WHERE case_id = ?1)"),
    S(STMT_IDEM_DELETE_CASE, "DELETE FROM idempotency WHERE case_id = ?1"),
    /* The kept answers bound to no case, a page after (?1, ?2). */
    S(STMT_IDEM_UNBOUND, "SELECT " IDEM_COLS " FROM idempotency WHERE case_id IS NULL"
                         " AND (user_id, key) > (?1, ?2) ORDER BY user_id, key LIMIT 200"),
    S(STMT_IDEM_DELETE, "DELETE FROM idempotency WHERE user_id = ?1 AND key = ?2"),
    /* Closed cases not erased whose latest closure came before ?1, after
     * the id ?2, at most ?3. */
    S(STMT_CASE_RETENTION,
      "SELECT c.id FROM cases c WHERE c.status = 'closed' AND c.erased_at IS NULL"
      " AND (SELECT max(e.at) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'closed')"
      " < ?1 AND c.id > ?2 ORDER BY c.id LIMIT ?3"),
    S(STMT_SURVIVOR_KEY_INSERT, "INSERT INTO survivor_key (case_id, kind, key) VALUES (?1, ?2, ?3)"
                                " ON CONFLICT (case_id, kind, key) DO NOTHING"),
    /* The incident exports (store/export.c): ?1 organization, ?2 from, ?3 to
     * (each NULL: any). The de-identified export's columns, then (FULL) the
     * Incident Recorder's. The consent rule is applied by the caller. */
    S(STMT_EXPORT_INCIDENTS,
      "SELECT i.id, i.case_id, c.code, c.location_code, s.sex,"
      " s.age, s.demographics, i.gbv_type,"
      " (SELECT group_concat(cc.concern, ';') FROM case_concern cc WHERE cc.case_id = i.case_id),"
      " (SELECT sc.result || '|' || sc.forced_labour_indicators FROM screening sc"
      " WHERE sc.case_id = i.case_id ORDER BY sc.created_at DESC, sc.id DESC LIMIT 1),"
      " (SELECT group_concat(substr(r.created_at, 1, 10) || '|' || substr(r.updated_at, 1, 10) || "
      "'|'"
      " || r.service_type || '|' || r.status, ';') FROM referral r WHERE r.case_id = i.case_id),"
      " COALESCE((SELECT CASE WHEN k.given = 1 AND k.withdrawn_at IS NULL THEN 1 ELSE 0 END"
      " FROM consent k WHERE k.case_id = i.case_id AND k.purpose = 'reporting'"
      " ORDER BY k.seq DESC LIMIT 1), 0)"
      " FROM incident i JOIN cases c ON c.id = i.case_id"
      " LEFT JOIN survivor s ON s.case_id = i.case_id"
      " WHERE (?1 IS NULL OR c.organization_id = ?1)"
      " AND (?2 IS NULL OR i.reported_on >= ?2)"
      " AND (?3 IS NULL OR i.reported_on <= ?3)"),
    S(STMT_EXPORT_INCIDENTS_FULL,
      "SELECT i.id, i.case_id, c.code, c.location_code, s.sex,"
      " s.age, s.demographics, i.gbv_type,"
      " (SELECT group_concat(cc.concern, ';') FROM case_concern cc WHERE cc.case_id = i.case_id),"
      " (SELECT sc.result || '|' || sc.forced_labour_indicators FROM screening sc"
      " WHERE sc.case_id = i.case_id ORDER BY sc.created_at DESC, sc.id DESC LIMIT 1),"
      " (SELECT group_concat(substr(r.created_at, 1, 10) || '|' || substr(r.updated_at, 1, 10) || "
      "'|'"
      " || r.service_type || '|' || r.status, ';') FROM referral r WHERE r.case_id = i.case_id),"
      " COALESCE((SELECT CASE WHEN k.given = 1 AND k.withdrawn_at IS NULL THEN 1 ELSE 0 END"
      " FROM consent k WHERE k.case_id = i.case_id AND k.purpose = 'reporting'"
      " ORDER BY k.seq DESC LIMIT 1), 0)"
      ", i.date, i.reported_on, i.time_of_day, i.location_type, i.location, i.migration_stage,"
      " i.context_flags, i.perpetrators, i.abduction, i.reported_elsewhere, i.penetration,"
      " i.sexual_contact, i.physical_assault, i.forced_marriage, i.denial_of_resources,"
      " i.psychological_abuse, i.goods_or_money_exchanged, i.survivor_age"
      " FROM incident i JOIN cases c ON c.id = i.case_id"
      " LEFT JOIN survivor s ON s.case_id = i.case_id"
      " WHERE (?1 IS NULL OR c.organization_id = ?1)"
      " AND (?2 IS NULL OR i.reported_on >= ?2)"
      " AND (?3 IS NULL OR i.reported_on <= ?3)"),
    /* ?1 kind, ?2 organization, ?3 assigned_or_open_for, ?4 limit,
     * ?5..?12 the keys (SURVIVOR_MATCH_MAX; NULL matches nothing). */
    S(STMT_SURVIVOR_MATCH,
      "SELECT k.case_id, c.code, s.sex, count(*) AS n FROM survivor_key k"
      " JOIN cases c ON c.id = k.case_id LEFT JOIN survivor s ON s.case_id = k.case_id"
      " WHERE k.kind = ?1 AND k.key IN (?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
      " AND (?2 IS NULL OR c.organization_id = ?2)"
      " AND (?3 IS NULL OR c.assigned_to = ?3 OR c.assigned_to IS NULL)"
      " GROUP BY k.case_id, c.code, s.sex, c.created_at"
      " ORDER BY n DESC, c.created_at DESC, k.case_id DESC LIMIT ?4"),

    /* BEGIN IMMEDIATE already holds the write lock: no row lock needed. */
    S(STMT_AUDIT_LAST, "SELECT seq, hash, mac FROM audit_head WHERE chain = 'main'"),
    S(STMT_AUDIT_HEAD_READ, "SELECT seq, hash, mac FROM audit_head WHERE chain = 'main'"),
    S(STMT_AUDIT_INSERT, "INSERT INTO audit (" AUDIT_COLS ")"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
    S(STMT_AUDIT_HEAD_SET,
      "UPDATE audit_head SET seq = ?1, hash = ?2, mac = ?3 WHERE chain = 'main' AND seq = ?1 - 1"),
    S(STMT_AUDIT_RANGE, "SELECT " AUDIT_COLS " FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
    S(STMT_AUDIT_FOR_RECORD, "SELECT " AUDIT_COLS " FROM audit"
                             " WHERE record_type = ?1 AND record_id = ?2 AND seq > ?3"
                             " ORDER BY seq LIMIT ?4"),
    S(STMT_AUDIT_USER_CHANGES,
      "SELECT a.seq, a.at, a.user_id, a.action, a.record_type, a.record_id, a.detail,"
      " a.prev_hash, a.hash, a.key_id, a.mac FROM audit a JOIN users u ON u.id = a.record_id"
      " WHERE a.record_type = 'user' AND a.action IN ('create', 'update')"
      " AND u.organization_id = ?1 AND (?2 = 0 OR a.seq < ?2) ORDER BY a.seq DESC LIMIT ?3"),

    /* A deferred BEGIN: WAL mode gives it the snapshot of its first read,
     * and writers carry on meanwhile. */
    S(STMT_BEGIN_READ, "BEGIN DEFERRED"),
    /* schema_migration stays: each database's own migrations write it. A
     * rowid column needs no sequence: it continues past the largest one. */
    S(STMT_COPY_COLUMNS, "SELECT m.name AS table_name, p.name AS column_name, 0 AS identity"
                         " FROM sqlite_master m, pragma_table_info(m.name) p"
                         " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!'"
                         " AND m.name <> 'schema_migration'"
                         " ORDER BY m.rowid, p.cid"),
    S(STMT_COPY_REFERENCES,
      "SELECT m.name AS table_name, f.\"from\" AS column_name, f.\"table\" AS ref_table,"
      " coalesce(f.\"to\", '') AS ref_column"
      " FROM sqlite_master m, pragma_foreign_key_list(m.name) f"
      " WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq"),
    /* Never run: no column of STMT_COPY_COLUMNS is an identity here. */
    S(STMT_COPY_SEQUENCE, "SELECT ?3 WHERE ?1 IS NULL AND ?2 IS NULL"),

    /* The report cells (report_sql.h). A writer has the database to
     * itself: the locks are reads. */
    /* The cells a flush emptied, through the index of the empty ones. */
    S(STMT_RC_ZAP, "DELETE FROM report_cell INDEXED BY report_cell_zero WHERE n = 0 AND s = 0"),
    /* No statement timeout to lift. */
    S(STMT_RC_UNBOUNDED, "UPDATE report_generation SET gen = gen WHERE 0"),
    S(STMT_RC_LOCK_CASE, "SELECT 1 FROM cases WHERE id = ?1"),
    S(STMT_RC_LOCK_OUTREACH, "SELECT 1 FROM outreach_session WHERE id = ?1"),
    S(STMT_RC_LOCK_ADVICE, "SELECT 1 FROM migrant_advice WHERE id = ?1"),
    S(STMT_RC_LOCK_TRAINING, "SELECT 1 FROM training WHERE id = ?1"),
    S(STMT_RC_LOCK_MEMBER, "SELECT 1 FROM member WHERE id = ?1"),
    S(STMT_RC_LOCK_GROUP, "SELECT ?1 WHERE 0"),
    RC_STMTS(SQLITE, "?"),
};
