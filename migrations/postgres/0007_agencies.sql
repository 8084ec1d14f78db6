-- Recruitment agencies and the ministry's lists of licensed agencies
-- (DOMAIN.md §7). Each import of a list is an agency_list (its source date,
-- in import order by seq); agency_listing holds what that list said of each
-- agency on it. An agency is licensed on a date D when the list in force on
-- D (the latest source_date on or before D, the last imported among equal
-- dates) lists it with licence_valid_until on or after D: a query, never a
-- stored flag. agency holds what the latest list that named it said, for
-- display; agencies are matched across lists by licence_no and never
-- deleted. agency_name_key holds the search keys of the names (public, so
-- plain: romanize.h), the same keys the survivors' blind index hashes.
-- The same tables as migrations/sqlite/0006_agencies.sql.
CREATE TABLE agency (
    id                  text COLLATE "C" PRIMARY KEY,
    licence_no          text COLLATE "C" NOT NULL UNIQUE,
    name_km             text COLLATE "C" NOT NULL,
    name_en             text COLLATE "C" NOT NULL,
    licence_valid_until text COLLATE "C" NOT NULL,
    created_at          text COLLATE "C" NOT NULL,
    updated_at          text COLLATE "C" NOT NULL,
    version             bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE TABLE agency_list (
    id          text COLLATE "C" PRIMARY KEY,
    seq         bigint NOT NULL UNIQUE CHECK (seq >= 1),
    source_date text COLLATE "C" NOT NULL,
    imported_at text COLLATE "C" NOT NULL,
    imported_by text COLLATE "C" REFERENCES users (id),
    added       bigint NOT NULL CHECK (added >= 0),
    updated     bigint NOT NULL CHECK (updated >= 0),
    dropped     bigint NOT NULL CHECK (dropped >= 0)
);
CREATE INDEX agency_list_in_force ON agency_list (source_date, seq);

CREATE TABLE agency_listing (
    list_id             text COLLATE "C" NOT NULL REFERENCES agency_list (id),
    agency_id           text COLLATE "C" NOT NULL REFERENCES agency (id),
    name_km             text COLLATE "C" NOT NULL,
    name_en             text COLLATE "C" NOT NULL,
    licence_valid_until text COLLATE "C" NOT NULL,
    PRIMARY KEY (list_id, agency_id)
);
CREATE INDEX agency_listing_agency ON agency_listing (agency_id);

CREATE TABLE agency_name_key (
    agency_id text COLLATE "C" NOT NULL REFERENCES agency (id),
    key       text COLLATE "C" NOT NULL,
    PRIMARY KEY (agency_id, key)
);
CREATE INDEX agency_name_key_key ON agency_name_key (key, agency_id);
