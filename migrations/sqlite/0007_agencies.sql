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
CREATE TABLE agency (
    id                  TEXT PRIMARY KEY,
    licence_no          TEXT NOT NULL UNIQUE,
    name_km             TEXT NOT NULL,
    name_en             TEXT NOT NULL,
    licence_valid_until TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE TABLE agency_list (
    id          TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
    source_date TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT REFERENCES users (id),
    added       INTEGER NOT NULL CHECK (added >= 0),
    updated     INTEGER NOT NULL CHECK (updated >= 0),
    dropped     INTEGER NOT NULL CHECK (dropped >= 0)
);
CREATE INDEX agency_list_in_force ON agency_list (source_date, seq);

CREATE TABLE agency_listing (
    list_id             TEXT NOT NULL REFERENCES agency_list (id),
    agency_id           TEXT NOT NULL REFERENCES agency (id),
    name_km             TEXT NOT NULL,
    name_en             TEXT NOT NULL,
    licence_valid_until TEXT NOT NULL,
    PRIMARY KEY (list_id, agency_id)
);
CREATE INDEX agency_listing_agency ON agency_listing (agency_id);

CREATE TABLE agency_name_key (
    agency_id TEXT NOT NULL REFERENCES agency (id),
    key       TEXT NOT NULL,
    PRIMARY KEY (agency_id, key)
);
CREATE INDEX agency_name_key_key ON agency_name_key (key, agency_id);
