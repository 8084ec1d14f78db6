-- Outreach sessions (DOMAIN.md §6): awareness sessions a network group gives
-- in a village, with the topics covered and the attendance by sex and
-- under-18. under_18 counts people already counted in female or male. The
-- group's organization (for who lists what) is read from network_group.
-- topics holds §6 training topic codes (the domain checks them).
CREATE TABLE outreach_session (
    id            TEXT PRIMARY KEY,
    group_id      TEXT NOT NULL REFERENCES network_group (id),
    date          TEXT NOT NULL,
    location_code TEXT NOT NULL REFERENCES location (code),
    topics        TEXT NOT NULL DEFAULT '[]'
                  CONSTRAINT outreach_topics
                  CHECK (json_valid(topics) AND json_type(topics) = 'array'),
    female        INTEGER NOT NULL CHECK (female BETWEEN 0 AND 10000),
    male          INTEGER NOT NULL CHECK (male BETWEEN 0 AND 10000),
    under_18      INTEGER NOT NULL CHECK (under_18 BETWEEN 0 AND 10000),
    recorded_by   TEXT REFERENCES users (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT outreach_under_18 CHECK (under_18 <= female + male)
);
CREATE INDEX outreach_group_date ON outreach_session (group_id, date, created_at, id);
CREATE INDEX outreach_date ON outreach_session (date, created_at, id);
