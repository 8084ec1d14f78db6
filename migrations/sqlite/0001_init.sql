-- cbpn schema, version 1 (SQLite). Applied by src/store/sqlite.c in one
-- transaction, then recorded in schema_migration.
--
-- Conventions: ids are opaque TEXT; record times are RFC 3339 UTC text set by
-- the domain; session and rate-limit times are epoch seconds; booleans are 0/1;
-- sealed fields (identities, narratives, phones) are BLOBs the store never
-- opens; JSON columns hold plain (non-identifying) structured fields. Every
-- mutable record has created_at, updated_at and version (optimistic
-- concurrency). "users" and "cases" are plural because USER and CASE are
-- reserved words in SQL.

CREATE TABLE schema_migration (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Cambodia's gazetteer. The parent reference is checked at commit, so a
-- whole import may arrive in any order.
CREATE TABLE location (
    code        TEXT PRIMARY KEY,
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    parent_code TEXT REFERENCES location (code) DEFERRABLE INITIALLY DEFERRED,
    name_km     TEXT NOT NULL,
    name_latn   TEXT NOT NULL,
    unit_km     TEXT,
    unit_latn   TEXT,
    CHECK ((level = 'province') = (parent_code IS NULL))
) WITHOUT ROWID;
CREATE INDEX location_parent ON location (parent_code, code);

CREATE TABLE organization (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('ngo', 'provider')),
    location_code TEXT REFERENCES location (code),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE TABLE network_group (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organization (id),
    name            TEXT NOT NULL,
    location_code   TEXT NOT NULL REFERENCES location (code),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX network_group_org ON network_group (organization_id, name);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL
                    CONSTRAINT users_role
                    CHECK (role IN ('member', 'representative', 'caseworker', 'supervisor',
                                    'provider', 'analyst', 'admin')),
    display_name    TEXT NOT NULL,
    organization_id TEXT REFERENCES organization (id),
    group_id        TEXT REFERENCES network_group (id),
    locale          TEXT NOT NULL DEFAULT 'km',
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX users_org ON users (organization_id, username);
CREATE INDEX users_group ON users (group_id);

-- Sessions: only a hash of the token is kept.
CREATE TABLE session (
    token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('api', 'web')),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_user ON session (user_id);
CREATE INDEX session_last_seen ON session (last_seen);
CREATE INDEX session_created ON session (created_at);

-- Failed sign-ins, by keyed hashes of the username and the client address.
CREATE TABLE login_failure (
    id       INTEGER PRIMARY KEY,
    user_key TEXT NOT NULL,
    addr_key TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failure_user ON login_failure (user_key, at);
CREATE INDEX login_failure_addr ON login_failure (addr_key, at);
CREATE INDEX login_failure_at ON login_failure (at);

CREATE TABLE member (
    id            TEXT PRIMARY KEY,
    group_id      TEXT NOT NULL REFERENCES network_group (id),
    name_km       TEXT,
    name_latn     TEXT,
    sex           TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    birth_year    INTEGER CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2200),
    phone         BLOB,
    network_roles TEXT NOT NULL DEFAULT '[]'
                  CONSTRAINT member_network_roles
                  CHECK (json_valid(network_roles) AND json_type(network_roles) = 'array'),
    returnee      TEXT
                  CONSTRAINT member_returnee
                  CHECK (returnee IS NULL
                         OR (json_valid(returnee) AND json_type(returnee) = 'object')),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX member_group ON member (group_id, name_latn);

-- Case code sequences: one per (district prefix, year).
CREATE TABLE case_counter (
    prefix TEXT NOT NULL,
    year   INTEGER NOT NULL,
    last   INTEGER NOT NULL CHECK (last >= 1),
    PRIMARY KEY (prefix, year)
) WITHOUT ROWID;

CREATE TABLE cases (
    id                 TEXT PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    organization_id    TEXT NOT NULL REFERENCES organization (id),
    group_id           TEXT REFERENCES network_group (id),
    location_code      TEXT NOT NULL REFERENCES location (code),
    status             TEXT NOT NULL
                       CONSTRAINT cases_status
                       CHECK (status IN ('reported', 'open', 'closure_requested', 'closed')),
    summary            BLOB,
    risk               TEXT CHECK (risk IS NULL OR risk IN ('low', 'medium', 'high')),
    urgent             INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    consent_to_contact INTEGER NOT NULL DEFAULT 0 CHECK (consent_to_contact IN (0, 1)),
    reported_by        TEXT NOT NULL REFERENCES users (id),
    assigned_to        TEXT REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
-- Lists are ordered urgent DESC, created_at DESC, id DESC; each index below
-- serves one driving filter and that order (scanned backwards).
CREATE INDEX cases_order ON cases (urgent, created_at, id);
CREATE INDEX cases_org ON cases (organization_id, urgent, created_at, id);
CREATE INDEX cases_group ON cases (group_id, urgent, created_at, id);
CREATE INDEX cases_reporter ON cases (reported_by, urgent, created_at, id);
CREATE INDEX cases_assigned ON cases (assigned_to, urgent, created_at, id);
CREATE INDEX cases_status ON cases (status, urgent, created_at, id);

-- A case's concerns, one row each, so filtering by concern is plain SQL.
CREATE TABLE case_concern (
    case_id  TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    concern  TEXT NOT NULL
             CONSTRAINT case_concern_code
             CHECK (concern IN ('trafficking', 'forced_labour', 'labour_exploitation',
                                'unsafe_migration', 'domestic_violence', 'sexual_violence',
                                'other_violence', 'child_at_risk', 'other')),
    position INTEGER NOT NULL,
    PRIMARY KEY (case_id, concern)
) WITHOUT ROWID;
CREATE INDEX case_concern_concern ON case_concern (concern, case_id);

-- The survivor of a case: identity sealed, demographics plain.
CREATE TABLE survivor (
    case_id       TEXT PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    identity      BLOB,
    sex           TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    age           INTEGER CHECK (age IS NULL OR age BETWEEN 0 AND 130),
    age_estimated INTEGER NOT NULL DEFAULT 0 CHECK (age_estimated IN (0, 1)),
    demographics  TEXT
                  CONSTRAINT survivor_demographics
                  CHECK (demographics IS NULL
                         OR (json_valid(demographics) AND json_type(demographics) = 'object'))
) WITHOUT ROWID;

-- The survivor's blind index: keyed hashes (src/crypto/, under the data
-- key) of her normalised name words, whole name and phone, so that possible
-- duplicates and name searches work without the database holding a name.
CREATE TABLE survivor_key (
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('name', 'phone')),
    key     TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, key)
) WITHOUT ROWID;
CREATE INDEX survivor_key_key ON survivor_key (kind, key);

-- The audit log: append-only and hash-chained (src/audit/). user_id and
-- record_id are kept without foreign keys: the log outlives what it names.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    user_id     TEXT,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT,
    detail      TEXT,
    prev_hash   BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash        BLOB NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_record ON audit (record_type, record_id, seq);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
