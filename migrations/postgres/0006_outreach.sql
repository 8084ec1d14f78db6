-- Outreach sessions (DOMAIN.md §6): awareness sessions a network group gives
-- in a village, with the topics covered and the attendance by sex and
-- under-18. under_18 counts people already counted in female or male. The
-- group's organization (for who lists what) is read from network_group.
-- topics holds §6 training topic codes (the domain checks them). The same
-- table as migrations/sqlite/0006_outreach.sql.
CREATE TABLE outreach_session (
    id            text COLLATE "C" PRIMARY KEY,
    group_id      text COLLATE "C" NOT NULL REFERENCES network_group (id),
    date          text COLLATE "C" NOT NULL,
    location_code text COLLATE "C" NOT NULL REFERENCES location (code),
    topics        text COLLATE "C" NOT NULL DEFAULT '[]'
                  CONSTRAINT outreach_topics
                  CHECK (cbpn_json_type(topics) = 'array'),
    female        integer NOT NULL CHECK (female BETWEEN 0 AND 10000),
    male          integer NOT NULL CHECK (male BETWEEN 0 AND 10000),
    under_18      integer NOT NULL CHECK (under_18 BETWEEN 0 AND 10000),
    recorded_by   text COLLATE "C" REFERENCES users (id),
    created_at    text COLLATE "C" NOT NULL,
    updated_at    text COLLATE "C" NOT NULL,
    version       bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT outreach_under_18 CHECK (under_18 <= female + male)
);
CREATE INDEX outreach_group_date ON outreach_session (group_id, date, created_at, id);
CREATE INDEX outreach_date ON outreach_session (date, created_at, id);
