-- make bench: the dashboard's figures (docs/reports.md) recomputed in plain
-- SQL from the records, for the whole country and one calendar year, with
-- no aggregates and no suppression: the baseline the dashboard's answer is
-- compared with. scripts/bench.sh replaces @FROM@ and @TO@ (YYYY-MM-DD) and
-- @END@ (the day after @TO@). SQLite only (sqlite3's command line).
-- network
SELECT 'groups_active', count(*) FROM (
    SELECT group_id FROM training WHERE group_id IS NOT NULL AND date BETWEEN '@FROM@' AND '@TO@'
    UNION SELECT group_id FROM outreach_session WHERE date BETWEEN '@FROM@' AND '@TO@'
    UNION SELECT group_id FROM migrant_advice WHERE date BETWEEN '@FROM@' AND '@TO@'
    UNION SELECT group_id FROM cases WHERE group_id IS NOT NULL
                                    AND created_at >= '@FROM@' AND created_at < '@END@');
SELECT 'members', count(*) FROM member WHERE active = 1 AND created_at < '@END@';
SELECT 'members', r.value, count(*) FROM member m, json_each(m.network_roles) r
 WHERE m.active = 1 AND m.created_at < '@END@' GROUP BY r.value;
SELECT 'members', substr(g.location_code, 1, 4), count(*) FROM member m
  JOIN network_group g ON g.id = m.group_id
 WHERE m.active = 1 AND m.created_at < '@END@' GROUP BY 2;
SELECT 'members_returnees', count(*) FROM member
 WHERE active = 1 AND returnee_any = 1 AND created_at < '@END@';
-- capacity
SELECT 'trainings', audience, count(*) FROM training WHERE date BETWEEN '@FROM@' AND '@TO@'
 GROUP BY audience;
SELECT 'training_participants', t.audience, p.sex, count(*) FROM training t
  JOIN training_participant p ON p.training_id = t.id
 WHERE t.date BETWEEN '@FROM@' AND '@TO@' GROUP BY t.audience, p.sex;
SELECT 'members_trained', tt.topic, count(DISTINCT p.member_id) FROM training t
  JOIN training_topic tt ON tt.training_id = t.id
  JOIN training_participant p ON p.training_id = t.id AND p.member_id IS NOT NULL
 WHERE t.date BETWEEN '@FROM@' AND '@TO@' GROUP BY tt.topic;
SELECT 'knowledge_gain', count(*), avg(p.post - p.pre) FROM training t
  JOIN training_participant p ON p.training_id = t.id
 WHERE t.date BETWEEN '@FROM@' AND '@TO@' AND p.pre IS NOT NULL;
SELECT 'cascade', t.audience, count(DISTINCT t.id), count(p.idx) FROM training t
  LEFT JOIN training_participant p ON p.training_id = t.id
 WHERE t.facilitator_trainer = 1 AND t.date BETWEEN '@FROM@' AND '@TO@' GROUP BY t.audience;
-- awareness
SELECT 'outreach', count(*), sum(female + male), sum(female), sum(male), sum(under_18)
  FROM outreach_session WHERE date BETWEEN '@FROM@' AND '@TO@';
-- safe migration
SELECT 'people_advised', destination, channel, count(*),
       sum(channel IN ('government_mou', 'eps_korea', 'titp_japan', 'ssw_japan',
                       'licensed_agency', 'border_pass')),
       sum(EXISTS (SELECT 1 FROM json_each(warnings) w WHERE w.value = 'unlicensed_agency'))
  FROM migrant_advice WHERE date BETWEEN '@FROM@' AND '@TO@' GROUP BY destination, channel;
-- identification
SELECT 'cases_reported', substr(c.location_code, 1, 4), c.reporter_role, count(*),
       sum(EXISTS (SELECT 1 FROM screening s WHERE s.case_id = c.id
                                               AND s.result = 'presumed_trafficking'))
  FROM cases c WHERE c.created_at >= '@FROM@' AND c.created_at < '@END@' GROUP BY 2, 3;
SELECT 'cases_reported', cc.concern, count(*) FROM cases c JOIN case_concern cc ON cc.case_id = c.id
 WHERE c.created_at >= '@FROM@' AND c.created_at < '@END@' GROUP BY cc.concern;
SELECT 'gbv_incidents', i.gbv_type, count(*) FROM incident i
 WHERE i.reported_on BETWEEN '@FROM@' AND '@TO@' AND i.gbv_type <> 'non_gbv'
   AND i.reported_elsewhere <> 'gbvims_org'
   AND (SELECT k.given = 1 AND k.withdrawn_at IS NULL FROM consent k
         WHERE k.case_id = i.case_id AND k.purpose = 'reporting' ORDER BY k.seq DESC LIMIT 1)
 GROUP BY i.gbv_type;
-- referral
SELECT 'referrals_made', r.service_type, count(*),
       sum(EXISTS (SELECT 1 FROM referral_event e WHERE e.referral_id = r.id
                                                   AND e.status = 'accepted')),
       sum(r.status = 'completed')
  FROM referral r WHERE r.created_at >= '@FROM@' AND r.created_at < '@END@' GROUP BY r.service_type;
WITH d AS (SELECT julianday(substr(e.at, 1, 10)) - julianday(substr(r.created_at, 1, 10)) AS days
             FROM referral r JOIN referral_event e ON e.referral_id = r.id AND e.status = 'completed'
            WHERE r.created_at >= '@FROM@' AND r.created_at < '@END@')
SELECT 'median_days_to_completion', avg(days) FROM (
    SELECT days FROM d ORDER BY days
     LIMIT 2 - (SELECT count(*) FROM d) % 2 OFFSET ((SELECT count(*) FROM d) - 1) / 2);
SELECT 'referrals_overdue', count(*) FROM referral r
 WHERE r.created_at < '@END@' AND r.due_at < '@END@'
   AND NOT EXISTS (SELECT 1 FROM referral_event e WHERE e.referral_id = r.id
                      AND e.status IN ('declined', 'completed', 'withdrawn') AND e.at < '@END@');
-- case management
WITH cl AS (SELECT c.id, c.closure_reason_code AS reason, c.created_at,
                   (SELECT max(e.at) FROM case_event e WHERE e.case_id = c.id AND e.kind = 'closed') AS at
              FROM cases c WHERE c.status = 'closed')
SELECT 'cases_closed', reason, count(*),
       avg(julianday(substr(at, 1, 10)) - julianday(substr(created_at, 1, 10)))
  FROM cl WHERE at >= '@FROM@' AND at < '@END@' GROUP BY reason;
