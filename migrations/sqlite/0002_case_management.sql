-- cbpn schema, version 2 (SQLite): case management. Incidents, screenings,
-- notes, follow-up tasks, the case's timeline, closure requests, and the
-- answers kept for idempotent creates. Conventions as in 0001.

-- A pending closure request: who asked and why (the free text is sealed
-- on the request's timeline event). Cleared when approved or reopened.
ALTER TABLE cases ADD COLUMN closure_requested_by TEXT REFERENCES users (id);
ALTER TABLE cases ADD COLUMN closure_reason_code TEXT
    CHECK (closure_reason_code IS NULL
           OR closure_reason_code IN ('services_completed', 'survivor_request',
                                      'referred_elsewhere', 'moved_away', 'lost_contact',
                                      'no_protection_concern', 'deceased', 'other'));

-- An incident, recorded the GBVIMS way (DOMAIN.md §1): no names; the six
-- classification answers stored, the type and context flags computed.
CREATE TABLE incident (
    id                  TEXT PRIMARY KEY,
    case_id             TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    date                TEXT NOT NULL,
    reported_on         TEXT NOT NULL,
    time_of_day         TEXT NOT NULL
                        CHECK (time_of_day IN ('morning', 'afternoon', 'evening_night', 'unknown')),
    location_type       TEXT NOT NULL
                        CHECK (location_type IN ('home_survivor', 'home_perpetrator', 'workplace',
                                                 'employer_housing', 'road', 'border_crossing',
                                                 'vehicle', 'market', 'guest_house', 'school',
                                                 'farm_or_plantation', 'fishing_boat', 'other')),
    location            TEXT NOT NULL,
    migration_stage     TEXT NOT NULL
                        CHECK (migration_stage IN ('pre_departure', 'transit', 'destination',
                                                   'return', 'not_migration_related')),
    penetration         INTEGER NOT NULL CHECK (penetration IN (0, 1)),
    sexual_contact      INTEGER NOT NULL CHECK (sexual_contact IN (0, 1)),
    physical_assault    INTEGER NOT NULL CHECK (physical_assault IN (0, 1)),
    forced_marriage     INTEGER NOT NULL CHECK (forced_marriage IN (0, 1)),
    denial_of_resources INTEGER NOT NULL CHECK (denial_of_resources IN (0, 1)),
    psychological_abuse INTEGER NOT NULL CHECK (psychological_abuse IN (0, 1)),
    goods_or_money_exchanged INTEGER NOT NULL CHECK (goods_or_money_exchanged IN (0, 1)),
    abduction           TEXT NOT NULL
                        CHECK (abduction IN ('none', 'trafficked', 'forced_conscription',
                                             'other_abduction')),
    reported_elsewhere  TEXT NOT NULL
                        CHECK (reported_elsewhere IN ('no', 'gbvims_org', 'non_gbvims_org')),
    perpetrators        TEXT NOT NULL
                        CHECK (json_valid(perpetrators) AND json_type(perpetrators) = 'array'),
    exploitation        TEXT
                        CHECK (exploitation IS NULL
                               OR (json_valid(exploitation) AND json_type(exploitation) = 'object')),
    description         BLOB,
    gbv_type            TEXT NOT NULL
                        CHECK (gbv_type IN ('rape', 'sexual_assault', 'physical_assault',
                                            'forced_marriage', 'denial_of_resources',
                                            'psychological_abuse', 'non_gbv')),
    context_flags       TEXT NOT NULL
                        CHECK (json_valid(context_flags) AND json_type(context_flags) = 'array'),
    survivor_age        INTEGER CHECK (survivor_age IS NULL OR survivor_age BETWEEN 0 AND 130),
    created_by          TEXT NOT NULL REFERENCES users (id),
    created_at          TEXT NOT NULL
);
CREATE INDEX incident_case ON incident (case_id, created_at, id);

-- A trafficking and forced-labour screening (DOMAIN.md §2): the indicators
-- ticked, each dimension's verdict and the result, as computed then.
CREATE TABLE screening (
    id                       TEXT PRIMARY KEY,
    case_id                  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    adult                    INTEGER NOT NULL CHECK (adult IN (0, 1)),
    indicators               TEXT NOT NULL
                             CHECK (json_valid(indicators) AND json_type(indicators) = 'array'),
    dimensions               TEXT NOT NULL
                             CHECK (json_valid(dimensions) AND json_type(dimensions) = 'object'),
    forced_labour_indicators TEXT NOT NULL
                             CHECK (json_valid(forced_labour_indicators)
                                    AND json_type(forced_labour_indicators) = 'array'),
    result                   TEXT NOT NULL
                             CHECK (result IN ('presumed_trafficking',
                                               'exploitation_without_trafficking_indicators',
                                               'insufficient_indicators')),
    created_by               TEXT NOT NULL REFERENCES users (id),
    created_at               TEXT NOT NULL
);
CREATE INDEX screening_case ON screening (case_id, created_at, id);

-- Notes: append-only (a correction is a new note naming the one it
-- corrects); the body sealed.
CREATE TABLE note (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    body       BLOB NOT NULL,
    corrects   TEXT REFERENCES note (id),
    author     TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX note_case ON note (case_id, created_at, id);

CREATE TRIGGER note_no_update BEFORE UPDATE ON note
BEGIN
    SELECT RAISE(ABORT, 'notes are append-only');
END;

-- Follow-up tasks; the title sealed (it may name people).
CREATE TABLE task (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    title       BLOB NOT NULL,
    due_on      TEXT NOT NULL,
    assigned_to TEXT REFERENCES users (id),
    done        INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    done_at     TEXT,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX task_case ON task (case_id, due_on, id);
CREATE INDEX task_open ON task (done, due_on, id);
CREATE INDEX task_assigned ON task (assigned_to, done, due_on);

-- The case's timeline: every step, in order. detail holds codes only;
-- text (a reason typed in) is sealed.
CREATE TABLE case_event (
    seq     INTEGER PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      TEXT NOT NULL,
    user_id TEXT REFERENCES users (id),
    kind    TEXT NOT NULL
            CHECK (kind IN ('reported', 'updated', 'assigned', 'transferred', 'incident',
                            'screening', 'note', 'task', 'task_done', 'closure_requested',
                            'closed', 'reopened')),
    detail  TEXT,
    ref_id  TEXT,
    text    BLOB
);
CREATE INDEX case_event_case ON case_event (case_id, seq);

-- The first answer to a create sent with an Idempotency-Key, kept so that a
-- retry gets it again and creates nothing; the answer is sealed.
CREATE TABLE idempotency (
    user_id      TEXT NOT NULL REFERENCES users (id),
    key          TEXT NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('POST')),
    route        TEXT NOT NULL,
    request_hash BLOB NOT NULL CHECK (length(request_hash) = 32),
    status       INTEGER NOT NULL,
    answer       BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency (created_at);
