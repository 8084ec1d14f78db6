-- Safe-migration advice records (DOMAIN.md §7, API.md "Safe migration"): the
-- advice a network member gives a person planning to work abroad. The
-- person's names and phone are one sealed JSON blob (person, bound to the
-- record id); what reports count is plain: sex, birth year, destination,
-- sector, channel, agency, the documents checklist (a JSON object of
-- booleans), the risks ticked and the warning codes computed when it was
-- written (JSON arrays of codes). The group's organization (for who lists
-- what) is read from network_group. follow_up_done_at is set once, when the
-- adviser marks the follow-up done.
CREATE TABLE migrant_advice (
    id                TEXT PRIMARY KEY,
    group_id          TEXT NOT NULL REFERENCES network_group (id),
    date              TEXT NOT NULL,
    person            BLOB,
    sex               TEXT NOT NULL,
    birth_year        INTEGER NOT NULL CHECK (birth_year BETWEEN 1900 AND 2100),
    destination       TEXT NOT NULL CHECK (length(destination) = 2),
    sector            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    agency_id         TEXT REFERENCES agency (id),
    documents         TEXT NOT NULL DEFAULT '{}'
                      CONSTRAINT advice_documents
                      CHECK (json_valid(documents) AND json_type(documents) = 'object'),
    risks             TEXT NOT NULL DEFAULT '[]'
                      CONSTRAINT advice_risks
                      CHECK (json_valid(risks) AND json_type(risks) = 'array'),
    warnings          TEXT NOT NULL DEFAULT '[]'
                      CONSTRAINT advice_warnings
                      CHECK (json_valid(warnings) AND json_type(warnings) = 'array'),
    follow_up_on      TEXT,
    follow_up_done_at TEXT,
    recorded_by       TEXT REFERENCES users (id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX advice_group_date ON migrant_advice (group_id, date, created_at, id);
CREATE INDEX advice_date ON migrant_advice (date, created_at, id);
CREATE INDEX advice_follow_up ON migrant_advice (follow_up_on)
    WHERE follow_up_on IS NOT NULL AND follow_up_done_at IS NULL;
