-- Retention and erasure (issue 9 item 4). A case's identity can be erased:
-- every sealed text of the case and of its records is wiped (set to NULL,
-- or to an empty blob where the column is NOT NULL), its blind index and
-- the kept answers naming it deleted, and the case marked erased with a
-- reason code: 'retention' (cbpn retention run) or 'request' (a
-- supervisor, on the survivor's request; the typed reason is sealed on the
-- 'erased' step of the timeline). The statistics stay: codes, dates,
-- demographics.
ALTER TABLE cases ADD COLUMN erased_at TEXT;
ALTER TABLE cases ADD COLUMN erased_reason TEXT
    CHECK (erased_reason IS NULL OR erased_reason IN ('retention', 'request'));

-- The case a kept answer belongs to, when its route names one; the others
-- are opened and looked through at erasure.
ALTER TABLE idempotency ADD COLUMN case_id TEXT;
CREATE INDEX idempotency_case ON idempotency (case_id) WHERE case_id IS NOT NULL;

-- The timeline takes the 'erased' step. SQLite cannot change a CHECK in
-- place: the table is rebuilt (as in 0005).
CREATE TABLE case_event_next (
    seq     INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    user_id TEXT REFERENCES users (id),
    kind    TEXT NOT NULL
            CHECK (kind IN ('reported', 'updated', 'assigned', 'transferred', 'incident',
                            'screening', 'note', 'task', 'task_done', 'closure_requested',
                            'closed', 'reopened', 'consent', 'consent_withdrawn', 'referred',
                            'referral_status', 'erased')),
    detail  TEXT,
    ref_id  TEXT,
    text    BLOB
);
INSERT INTO case_event_next (seq, case_id, at, user_id, kind, detail, ref_id, text)
    SELECT seq, case_id, at, user_id, kind, detail, ref_id, text FROM case_event;
DROP TABLE case_event;
ALTER TABLE case_event_next RENAME TO case_event;
CREATE INDEX case_event_case ON case_event (case_id, seq);

-- The append-only records refuse every change but the wipe: the sealed
-- text set to NULL (X'' where the column is NOT NULL), nothing else.
CREATE TRIGGER case_event_only_wiped BEFORE UPDATE ON case_event
WHEN new.seq IS NOT old.seq OR new.case_id IS NOT old.case_id OR new.at IS NOT old.at
     OR new.user_id IS NOT old.user_id OR new.kind IS NOT old.kind
     OR new.detail IS NOT old.detail OR new.ref_id IS NOT old.ref_id OR new.text IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a case''s timeline is append-only');
END;

DROP TRIGGER note_no_update;
CREATE TRIGGER note_only_wiped BEFORE UPDATE ON note
WHEN new.id IS NOT old.id OR new.case_id IS NOT old.case_id OR new.corrects IS NOT old.corrects
     OR new.author IS NOT old.author OR new.created_at IS NOT old.created_at
     OR new.body IS NOT X''
BEGIN
    SELECT RAISE(ABORT, 'notes are append-only');
END;

DROP TRIGGER referral_event_no_update;
CREATE TRIGGER referral_event_only_wiped BEFORE UPDATE ON referral_event
WHEN new.seq IS NOT old.seq OR new.referral_id IS NOT old.referral_id OR new.at IS NOT old.at
     OR new.user_id IS NOT old.user_id OR new.status IS NOT old.status OR new.note IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a referral''s history is append-only');
END;

-- A consent record is withdrawn once; after that only its reason may be
-- wiped.
DROP TRIGGER consent_only_withdrawn;
CREATE TRIGGER consent_only_withdrawn BEFORE UPDATE ON consent
WHEN new.id IS NOT old.id OR new.seq IS NOT old.seq
     OR new.case_id IS NOT old.case_id OR new.purpose IS NOT old.purpose
     OR new.organization_id IS NOT old.organization_id
     OR new.service_type IS NOT old.service_type OR new.given IS NOT old.given
     OR new.method IS NOT old.method OR new.given_by IS NOT old.given_by
     OR new.recorded_by IS NOT old.recorded_by OR new.created_at IS NOT old.created_at
     OR (old.withdrawn_at IS NOT NULL
         AND (new.withdrawn_at IS NOT old.withdrawn_at OR new.withdrawn_by IS NOT old.withdrawn_by
              OR new.withdraw_reason IS NOT NULL))
BEGIN
    SELECT RAISE(ABORT, 'a consent record is only ever withdrawn, once');
END;
