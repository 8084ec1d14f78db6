-- Consent records and referrals (DOMAIN.md §3 and §4).

-- A consent record: given or refused, for a purpose and, for share_with, a
-- scope (one organization or one service type). Never edited: a change of
-- mind is a new record (the latest for a purpose and scope decides), and a
-- withdrawal only stamps withdrawn_at. seq orders a case's records.
CREATE TABLE consent (
    id              TEXT PRIMARY KEY,
    seq             INTEGER NOT NULL UNIQUE,
    case_id         TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    purpose         TEXT NOT NULL CHECK (purpose IN ('services', 'reporting', 'share_with')),
    organization_id TEXT REFERENCES organization (id),
    service_type    TEXT CHECK (service_type IS NULL OR
                                service_type IN ('psychosocial', 'legal', 'shelter', 'health',
                                                 'police', 'livelihood', 'education',
                                                 'repatriation', 'child_protection',
                                                 'financial', 'other')),
    given           INTEGER NOT NULL CHECK (given IN (0, 1)),
    method          TEXT NOT NULL CHECK (method IN ('verbal', 'written', 'thumbprint')),
    given_by        TEXT NOT NULL CHECK (given_by IN ('survivor', 'guardian')),
    recorded_by     TEXT NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    withdrawn_at    TEXT,
    withdrawn_by    TEXT REFERENCES users (id),
    withdraw_reason BLOB, -- sealed
    CONSTRAINT consent_scope CHECK (CASE WHEN purpose = 'share_with'
                                         THEN (organization_id IS NULL) <> (service_type IS NULL)
                                         ELSE organization_id IS NULL AND service_type IS NULL END),
    CONSTRAINT consent_withdrawn CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
);
CREATE INDEX consent_case ON consent (case_id, seq);

CREATE TRIGGER consent_only_withdrawn BEFORE UPDATE ON consent
WHEN old.withdrawn_at IS NOT NULL OR new.id IS NOT old.id OR new.seq IS NOT old.seq
     OR new.case_id IS NOT old.case_id OR new.purpose IS NOT old.purpose
     OR new.organization_id IS NOT old.organization_id
     OR new.service_type IS NOT old.service_type OR new.given IS NOT old.given
     OR new.method IS NOT old.method OR new.given_by IS NOT old.given_by
     OR new.recorded_by IS NOT old.recorded_by OR new.created_at IS NOT old.created_at
BEGIN
    SELECT RAISE(ABORT, 'a consent record is only ever withdrawn, once');
END;

-- A referral of a case to a service. organization_id and service_type are
-- the service's when it was sent (the receiving organization). reason,
-- override_reason and the slip's verification code are sealed.
CREATE TABLE referral (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    service_id       TEXT NOT NULL REFERENCES service (id),
    organization_id  TEXT NOT NULL REFERENCES organization (id),
    service_type     TEXT NOT NULL
                     CHECK (service_type IN ('psychosocial', 'legal', 'shelter', 'health',
                                             'police', 'livelihood', 'education',
                                             'repatriation', 'child_protection', 'financial',
                                             'other')),
    status           TEXT NOT NULL
                     CONSTRAINT referral_status
                     CHECK (status IN ('sent', 'accepted', 'declined', 'completed', 'withdrawn')),
    urgency          TEXT NOT NULL CHECK (urgency IN ('routine', 'urgent')),
    reason           BLOB NOT NULL,
    consent_override INTEGER NOT NULL DEFAULT 0 CHECK (consent_override IN (0, 1)),
    override_reason  BLOB,
    slip_code        BLOB NOT NULL,
    contact          TEXT, -- how the provider reaches the referring caseworker
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    due_at           TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT referral_override CHECK ((consent_override = 1) = (override_reason IS NOT NULL))
);
CREATE INDEX referral_case ON referral (case_id, created_at, id);
CREATE INDEX referral_org ON referral (organization_id, created_at, id);
CREATE INDEX referral_created ON referral (created_at, id);
CREATE INDEX referral_due ON referral (status, due_at);

-- Every move of a referral, with its note (the reason of a decline, the
-- outcome of a completion), sealed.
CREATE TABLE referral_event (
    seq         INTEGER PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referral (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id),
    status      TEXT NOT NULL
                CHECK (status IN ('sent', 'accepted', 'declined', 'completed', 'withdrawn')),
    note        BLOB
);
CREATE INDEX referral_event_referral ON referral_event (referral_id, seq);

CREATE TRIGGER referral_event_no_update BEFORE UPDATE ON referral_event
BEGIN
    SELECT RAISE(ABORT, 'a referral''s history is append-only');
END;

-- Wrong verification codes tried against a referral slip (epoch seconds):
-- five within an hour lock that slip's checks.
CREATE TABLE slip_failure (
    referral_id TEXT NOT NULL REFERENCES referral (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    user_id     TEXT REFERENCES users (id)
);
CREATE INDEX slip_failure_referral ON slip_failure (referral_id, at);

-- The case's timeline takes the consent and referral steps too. SQLite
-- cannot change a CHECK in place: the table is rebuilt.
CREATE TABLE case_event_next (
    seq     INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    user_id TEXT REFERENCES users (id),
    kind    TEXT NOT NULL
            CHECK (kind IN ('reported', 'updated', 'assigned', 'transferred', 'incident',
                            'screening', 'note', 'task', 'task_done', 'closure_requested',
                            'closed', 'reopened', 'consent', 'consent_withdrawn', 'referred',
                            'referral_status')),
    detail  TEXT,
    ref_id  TEXT,
    text    BLOB
);
INSERT INTO case_event_next (seq, case_id, at, user_id, kind, detail, ref_id, text)
    SELECT seq, case_id, at, user_id, kind, detail, ref_id, text FROM case_event;
DROP TABLE case_event;
ALTER TABLE case_event_next RENAME TO case_event;
CREATE INDEX case_event_case ON case_event (case_id, seq);
