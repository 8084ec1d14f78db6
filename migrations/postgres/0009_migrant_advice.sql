-- Safe-migration advice records (DOMAIN.md §7, API.md "Safe migration"): the
-- advice a network member gives a person planning to work abroad. The
-- person's names and phone are one sealed JSON blob (person, bound to the
-- record id); what reports count is plain: sex, birth year, destination,
-- sector, channel, agency, the documents checklist (a JSON object of
-- booleans), the risks ticked and the warning codes computed when it was
-- written (JSON arrays of codes). The group's organization (for who lists
-- what) is read from network_group. follow_up_done_at is set once, when the
-- adviser marks the follow-up done. The same table as
-- migrations/sqlite/0009_migrant_advice.sql.
CREATE TABLE migrant_advice (
    id                text COLLATE "C" PRIMARY KEY,
    group_id          text COLLATE "C" NOT NULL REFERENCES network_group (id),
    date              text COLLATE "C" NOT NULL,
    person            bytea,
    sex               text COLLATE "C" NOT NULL,
    birth_year        integer NOT NULL CHECK (birth_year BETWEEN 1900 AND 2100),
    destination       text COLLATE "C" NOT NULL CHECK (length(destination) = 2),
    sector            text COLLATE "C" NOT NULL,
    channel           text COLLATE "C" NOT NULL,
    agency_id         text COLLATE "C" REFERENCES agency (id),
    documents         text COLLATE "C" NOT NULL DEFAULT '{}'
                      CONSTRAINT advice_documents
                      CHECK (cbpn_json_type(documents) = 'object'),
    risks             text COLLATE "C" NOT NULL DEFAULT '[]'
                      CONSTRAINT advice_risks
                      CHECK (cbpn_json_type(risks) = 'array'),
    warnings          text COLLATE "C" NOT NULL DEFAULT '[]'
                      CONSTRAINT advice_warnings
                      CHECK (cbpn_json_type(warnings) = 'array'),
    follow_up_on      text COLLATE "C",
    follow_up_done_at text COLLATE "C",
    recorded_by       text COLLATE "C" REFERENCES users (id),
    created_at        text COLLATE "C" NOT NULL,
    updated_at        text COLLATE "C" NOT NULL,
    version           bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX advice_group_date ON migrant_advice (group_id, date, created_at, id);
CREATE INDEX advice_date ON migrant_advice (date, created_at, id);
CREATE INDEX advice_follow_up ON migrant_advice (follow_up_on)
    WHERE follow_up_on IS NOT NULL AND follow_up_done_at IS NULL;
