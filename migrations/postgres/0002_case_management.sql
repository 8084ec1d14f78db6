-- cbpn schema, version 2 (PostgreSQL): case management, as
-- migrations/sqlite/0002_case_management.sql. Incidents, screenings, notes,
-- follow-up tasks, the case's timeline, closure requests, and the answers
-- kept for idempotent creates. Conventions as in 0001.

-- A pending closure request: who asked and why (the free text is sealed
-- on the request's timeline event). Cleared when approved or reopened.
ALTER TABLE cases ADD COLUMN closure_requested_by text COLLATE "C" REFERENCES users (id);
ALTER TABLE cases ADD COLUMN closure_reason_code text COLLATE "C"
    CHECK (closure_reason_code IS NULL
           OR closure_reason_code IN ('services_completed', 'survivor_request',
                                      'referred_elsewhere', 'moved_away', 'lost_contact',
                                      'no_protection_concern', 'deceased', 'other'));

-- An incident, recorded the GBVIMS way (DOMAIN.md §1): no names; the six
-- classification answers stored, the type and context flags computed.
CREATE TABLE incident (
    id                  text COLLATE "C" PRIMARY KEY,
    case_id             text COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    date                text COLLATE "C" NOT NULL,
    reported_on         text COLLATE "C" NOT NULL,
    time_of_day         text COLLATE "C" NOT NULL
                        CHECK (time_of_day IN ('morning', 'afternoon', 'evening_night', 'unknown')),
    location_type       text COLLATE "C" NOT NULL
                        CHECK (location_type IN ('home_survivor', 'home_perpetrator', 'workplace',
                                                 'employer_housing', 'road', 'border_crossing',
                                                 'vehicle', 'market', 'guest_house', 'school',
                                                 'farm_or_plantation', 'fishing_boat', 'other')),
    location            text COLLATE "C" NOT NULL,
    migration_stage     text COLLATE "C" NOT NULL
                        CHECK (migration_stage IN ('pre_departure', 'transit', 'destination',
                                                   'return', 'not_migration_related')),
    penetration         bigint NOT NULL CHECK (penetration IN (0, 1)),
    sexual_contact      bigint NOT NULL CHECK (sexual_contact IN (0, 1)),
    physical_assault    bigint NOT NULL CHECK (physical_assault IN (0, 1)),
    forced_marriage     bigint NOT NULL CHECK (forced_marriage IN (0, 1)),
    denial_of_resources bigint NOT NULL CHECK (denial_of_resources IN (0, 1)),
    psychological_abuse bigint NOT NULL CHECK (psychological_abuse IN (0, 1)),
    goods_or_money_exchanged bigint NOT NULL CHECK (goods_or_money_exchanged IN (0, 1)),
    abduction           text COLLATE "C" NOT NULL
                        CHECK (abduction IN ('none', 'trafficked', 'forced_conscription',
                                             'other_abduction')),
    reported_elsewhere  text COLLATE "C" NOT NULL
                        CHECK (reported_elsewhere IN ('no', 'gbvims_org', 'non_gbvims_org')),
    perpetrators        text COLLATE "C" NOT NULL
                        CHECK (cbpn_json_type(perpetrators) = 'array'),
    exploitation        text COLLATE "C"
                        CHECK (exploitation IS NULL OR cbpn_json_type(exploitation) = 'object'),
    description         bytea,
    gbv_type            text COLLATE "C" NOT NULL
                        CHECK (gbv_type IN ('rape', 'sexual_assault', 'physical_assault',
                                            'forced_marriage', 'denial_of_resources',
                                            'psychological_abuse', 'non_gbv')),
    context_flags       text COLLATE "C" NOT NULL
                        CHECK (cbpn_json_type(context_flags) = 'array'),
    survivor_age        bigint CHECK (survivor_age IS NULL OR survivor_age BETWEEN 0 AND 130),
    created_by          text COLLATE "C" NOT NULL REFERENCES users (id),
    created_at          text COLLATE "C" NOT NULL
);
CREATE INDEX incident_case ON incident (case_id, created_at, id);

-- A trafficking and forced-labour screening (DOMAIN.md §2): the indicators
-- ticked, each dimension's verdict and the result, as computed then.
CREATE TABLE screening (
    id                       text COLLATE "C" PRIMARY KEY,
    case_id                  text COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    adult                    bigint NOT NULL CHECK (adult IN (0, 1)),
    indicators               text COLLATE "C" NOT NULL
                             CHECK (cbpn_json_type(indicators) = 'array'),
    dimensions               text COLLATE "C" NOT NULL
                             CHECK (cbpn_json_type(dimensions) = 'object'),
    forced_labour_indicators text COLLATE "C" NOT NULL
                             CHECK (cbpn_json_type(forced_labour_indicators) = 'array'),
    result                   text COLLATE "C" NOT NULL
                             CHECK (result IN ('presumed_trafficking',
                                               'exploitation_without_trafficking_indicators',
                                               'insufficient_indicators')),
    created_by               text COLLATE "C" NOT NULL REFERENCES users (id),
    created_at               text COLLATE "C" NOT NULL
);
CREATE INDEX screening_case ON screening (case_id, created_at, id);

-- Notes: append-only (a correction is a new note naming the one it
-- corrects); the body sealed.
CREATE TABLE note (
    id         text COLLATE "C" PRIMARY KEY,
    case_id    text COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    body       bytea NOT NULL,
    corrects   text COLLATE "C" REFERENCES note (id),
    author     text COLLATE "C" NOT NULL REFERENCES users (id),
    created_at text COLLATE "C" NOT NULL
);
CREATE INDEX note_case ON note (case_id, created_at, id);

CREATE FUNCTION note_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'notes are append-only';
END
$$;

CREATE TRIGGER note_no_update BEFORE UPDATE ON note
    FOR EACH ROW EXECUTE FUNCTION note_append_only();

-- Follow-up tasks; the title sealed (it may name people).
CREATE TABLE task (
    id          text COLLATE "C" PRIMARY KEY,
    case_id     text COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    title       bytea NOT NULL,
    due_on      text COLLATE "C" NOT NULL,
    assigned_to text COLLATE "C" REFERENCES users (id),
    done        bigint NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    done_at     text COLLATE "C",
    created_by  text COLLATE "C" NOT NULL REFERENCES users (id),
    created_at  text COLLATE "C" NOT NULL,
    updated_at  text COLLATE "C" NOT NULL,
    version     bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX task_case ON task (case_id, due_on, id);
CREATE INDEX task_open ON task (done, due_on, id);
CREATE INDEX task_assigned ON task (assigned_to, done, due_on);

-- The case's timeline: every step, in order. detail holds codes only;
-- text (a reason typed in) is sealed. seq is the database's own (SQLite's
-- rowid); BY DEFAULT, so that a copy of a SQLite database keeps its values.
CREATE TABLE case_event (
    seq     bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    case_id text COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    at      text COLLATE "C" NOT NULL,
    user_id text COLLATE "C" REFERENCES users (id),
    kind    text COLLATE "C" NOT NULL
            CHECK (kind IN ('reported', 'updated', 'assigned', 'transferred', 'incident',
                            'screening', 'note', 'task', 'task_done', 'closure_requested',
                            'closed', 'reopened')),
    detail  text COLLATE "C",
    ref_id  text COLLATE "C",
    text    bytea
);
CREATE INDEX case_event_case ON case_event (case_id, seq);

-- The first answer to a create sent with an Idempotency-Key, kept so that a
-- retry gets it again and creates nothing; the answer is sealed.
CREATE TABLE idempotency (
    user_id      text COLLATE "C" NOT NULL REFERENCES users (id),
    key          text COLLATE "C" NOT NULL,
    method       text COLLATE "C" NOT NULL CHECK (method IN ('POST')),
    route        text COLLATE "C" NOT NULL,
    request_hash bytea NOT NULL CHECK (octet_length(request_hash) = 32),
    status       bigint NOT NULL,
    answer       bytea NOT NULL,
    created_at   bigint NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);
