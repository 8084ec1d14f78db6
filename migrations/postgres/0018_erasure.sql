-- Retention and erasure (issue 9 item 4). The same as
-- migrations/sqlite/0017_erasure.sql: a case's identity can be erased (every
-- sealed text of the case and of its records wiped, its blind index and the
-- kept answers naming it deleted), the case marked erased with a reason
-- code; the statistics stay.
ALTER TABLE cases ADD COLUMN erased_at text COLLATE "C";
ALTER TABLE cases ADD COLUMN erased_reason text COLLATE "C"
    CHECK (erased_reason IS NULL OR erased_reason IN ('retention', 'request'));

ALTER TABLE idempotency ADD COLUMN case_id text COLLATE "C";
CREATE INDEX idempotency_case ON idempotency (case_id) WHERE case_id IS NOT NULL;

ALTER TABLE case_event DROP CONSTRAINT case_event_kind_check;
ALTER TABLE case_event ADD CONSTRAINT case_event_kind_check
    CHECK (kind IN ('reported', 'updated', 'assigned', 'transferred', 'incident', 'screening',
                    'note', 'task', 'task_done', 'closure_requested', 'closed', 'reopened',
                    'consent', 'consent_withdrawn', 'referred', 'referral_status', 'erased'));

-- The append-only records refuse every change but the wipe: the sealed
-- text set to NULL ('' where the column is NOT NULL), nothing else.
CREATE FUNCTION case_event_only_wiped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (new.seq, new.case_id, new.at, new.user_id, new.kind, new.detail, new.ref_id)
       IS DISTINCT FROM
       (old.seq, old.case_id, old.at, old.user_id, old.kind, old.detail, old.ref_id)
       OR new.text IS NOT NULL THEN
        RAISE EXCEPTION 'a case''s timeline is append-only';
    END IF;
    RETURN new;
END $$;
CREATE TRIGGER case_event_only_wiped BEFORE UPDATE ON case_event
    FOR EACH ROW EXECUTE FUNCTION case_event_only_wiped();

DROP TRIGGER note_no_update ON note;
DROP FUNCTION note_append_only();
CREATE FUNCTION note_only_wiped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (new.id, new.case_id, new.corrects, new.author, new.created_at)
       IS DISTINCT FROM (old.id, old.case_id, old.corrects, old.author, old.created_at)
       OR new.body IS DISTINCT FROM '\x'::bytea THEN
        RAISE EXCEPTION 'notes are append-only';
    END IF;
    RETURN new;
END $$;
CREATE TRIGGER note_only_wiped BEFORE UPDATE ON note
    FOR EACH ROW EXECUTE FUNCTION note_only_wiped();

DROP TRIGGER referral_event_no_update ON referral_event;
DROP FUNCTION referral_event_append_only();
CREATE FUNCTION referral_event_only_wiped() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (new.seq, new.referral_id, new.at, new.user_id, new.status)
       IS DISTINCT FROM (old.seq, old.referral_id, old.at, old.user_id, old.status)
       OR new.note IS NOT NULL THEN
        RAISE EXCEPTION 'a referral''s history is append-only';
    END IF;
    RETURN new;
END $$;
CREATE TRIGGER referral_event_only_wiped BEFORE UPDATE ON referral_event
    FOR EACH ROW EXECUTE FUNCTION referral_event_only_wiped();

-- A consent record is withdrawn once; after that only its reason may be
-- wiped.
CREATE OR REPLACE FUNCTION consent_only_withdrawn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (new.id, new.seq, new.case_id, new.purpose, new.organization_id, new.service_type,
        new.given, new.method, new.given_by, new.recorded_by, new.created_at)
       IS DISTINCT FROM
       (old.id, old.seq, old.case_id, old.purpose, old.organization_id, old.service_type,
        old.given, old.method, old.given_by, old.recorded_by, old.created_at)
       OR (old.withdrawn_at IS NOT NULL
           AND ((new.withdrawn_at, new.withdrawn_by) IS DISTINCT FROM
                (old.withdrawn_at, old.withdrawn_by) OR new.withdraw_reason IS NOT NULL)) THEN
        RAISE EXCEPTION 'a consent record is only ever withdrawn, once';
    END IF;
    RETURN new;
END $$;
