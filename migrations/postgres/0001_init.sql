-- cbpn schema, version 1 (PostgreSQL): the same tables, columns and
-- constraints as migrations/sqlite/0001_init.sql. Applied by the PostgreSQL
-- backend in one transaction, then recorded in schema_migration.
--
-- Conventions as in SQLite, in PostgreSQL's types: ids are opaque text;
-- record times are RFC 3339 UTC text set by the domain; session and
-- rate-limit times are epoch seconds (bigint); booleans are 0/1 integers
-- with a CHECK, as the statements bind and compare them; sealed fields
-- (identities, narratives, phones) are bytea the store never opens; JSON
-- columns are text holding plain (non-identifying) structured fields,
-- checked with cbpn_json_type() below. Every text column is COLLATE "C", so
-- that ordering and keyset pagination are bytewise, as SQLite's BINARY,
-- whatever the database's locale. Every mutable record has created_at,
-- updated_at and version (optimistic concurrency). "users" and "cases" are
-- plural because USER and CASE are reserved words in SQL.

-- The JSON type of a text value ('object', 'array', 'string', 'number',
-- 'boolean', 'null'), or NULL when it is not JSON: SQLite's json_valid()
-- and json_type() in one, for CHECK constraints. json, not jsonb: it accepts
-- what SQLite accepts (\u0000 escapes, repeated keys).
CREATE FUNCTION cbpn_json_type(v text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN json_typeof(v::json);
EXCEPTION
    WHEN data_exception THEN
        RETURN NULL;
END
$$;

CREATE TABLE schema_migration (
    version    bigint PRIMARY KEY,
    applied_at text COLLATE "C" NOT NULL
);

CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);

-- Cambodia's gazetteer. The parent reference is checked at commit, so a
-- whole import may arrive in any order.
CREATE TABLE location (
    code        text COLLATE "C" PRIMARY KEY,
    level       text COLLATE "C" NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
    parent_code text COLLATE "C" REFERENCES location (code) DEFERRABLE INITIALLY DEFERRED,
    name_km     text COLLATE "C" NOT NULL,
    name_latn   text COLLATE "C" NOT NULL,
    unit_km     text COLLATE "C",
    unit_latn   text COLLATE "C",
    CHECK ((level = 'province') = (parent_code IS NULL))
);
CREATE INDEX location_parent ON location (parent_code, code);

CREATE TABLE organization (
    id            text COLLATE "C" PRIMARY KEY,
    name          text COLLATE "C" NOT NULL,
    kind          text COLLATE "C" NOT NULL CHECK (kind IN ('ngo', 'provider')),
    location_code text COLLATE "C" REFERENCES location (code),
    created_at    text COLLATE "C" NOT NULL,
    updated_at    text COLLATE "C" NOT NULL,
    version       bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);

CREATE TABLE network_group (
    id              text COLLATE "C" PRIMARY KEY,
    organization_id text COLLATE "C" NOT NULL REFERENCES organization (id),
    name            text COLLATE "C" NOT NULL,
    location_code   text COLLATE "C" NOT NULL REFERENCES location (code),
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    version         bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX network_group_org ON network_group (organization_id, name);

CREATE TABLE users (
    id              text COLLATE "C" PRIMARY KEY,
    username        text COLLATE "C" NOT NULL UNIQUE,
    password_hash   text COLLATE "C" NOT NULL,
    role            text COLLATE "C" NOT NULL
                    CONSTRAINT users_role
                    CHECK (role IN ('member', 'representative', 'caseworker', 'supervisor',
                                    'provider', 'analyst', 'admin')),
    display_name    text COLLATE "C" NOT NULL,
    organization_id text COLLATE "C" REFERENCES organization (id),
    group_id        text COLLATE "C" REFERENCES network_group (id),
    locale          text COLLATE "C" NOT NULL DEFAULT 'km',
    active          bigint NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    version         bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX users_org ON users (organization_id, username);
CREATE INDEX users_group ON users (group_id);

-- Sessions: only a hash of the token is kept.
CREATE TABLE session (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       text COLLATE "C" NOT NULL CHECK (kind IN ('api', 'web')),
    csrf       text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    last_seen  bigint NOT NULL
);
-- Quoted: SESSION_USER is a reserved word in PostgreSQL.
CREATE INDEX "session_user" ON session (user_id);
CREATE INDEX session_last_seen ON session (last_seen);
CREATE INDEX session_created ON session (created_at);

-- Failed sign-ins, by keyed hashes of the username and the client address.
-- The id is the database's own (SQLite's rowid).
CREATE TABLE login_failure (
    id       bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_key text COLLATE "C" NOT NULL,
    addr_key text COLLATE "C" NOT NULL,
    at       bigint NOT NULL
);
CREATE INDEX login_failure_user ON login_failure (user_key, at);
CREATE INDEX login_failure_addr ON login_failure (addr_key, at);
CREATE INDEX login_failure_at ON login_failure (at);

CREATE TABLE member (
    id            text COLLATE "C" PRIMARY KEY,
    group_id      text COLLATE "C" NOT NULL REFERENCES network_group (id),
    name_km       text COLLATE "C",
    name_latn     text COLLATE "C",
    sex           text COLLATE "C" NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    birth_year    bigint CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2200),
    phone         bytea,
    network_roles text COLLATE "C" NOT NULL DEFAULT '[]'
                  CONSTRAINT member_network_roles
                  CHECK (cbpn_json_type(network_roles) = 'array'),
    returnee      text COLLATE "C"
                  CONSTRAINT member_returnee
                  CHECK (returnee IS NULL OR cbpn_json_type(returnee) = 'object'),
    active        bigint NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    text COLLATE "C" NOT NULL,
    updated_at    text COLLATE "C" NOT NULL,
    version       bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX member_group ON member (group_id, name_latn);

-- Case code sequences: one per (district prefix, year).
CREATE TABLE case_counter (
    prefix text COLLATE "C" NOT NULL,
    year   bigint NOT NULL,
    last   bigint NOT NULL CHECK (last >= 1),
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id                 text COLLATE "C" PRIMARY KEY,
    code               text COLLATE "C" NOT NULL UNIQUE,
    organization_id    text COLLATE "C" NOT NULL REFERENCES organization (id),
    group_id           text COLLATE "C" REFERENCES network_group (id),
    location_code      text COLLATE "C" NOT NULL REFERENCES location (code),
    status             text COLLATE "C" NOT NULL
                       CONSTRAINT cases_status
                       CHECK (status IN ('reported', 'open', 'closure_requested', 'closed')),
    summary            bytea,
    risk               text COLLATE "C" CHECK (risk IS NULL OR risk IN ('low', 'medium', 'high')),
    urgent             bigint NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    consent_to_contact bigint NOT NULL DEFAULT 0 CHECK (consent_to_contact IN (0, 1)),
    reported_by        text COLLATE "C" NOT NULL REFERENCES users (id),
    assigned_to        text COLLATE "C" REFERENCES users (id),
    created_at         text COLLATE "C" NOT NULL,
    updated_at         text COLLATE "C" NOT NULL,
    version            bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
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
    case_id  text COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    concern  text COLLATE "C" NOT NULL
             CONSTRAINT case_concern_code
             CHECK (concern IN ('trafficking', 'forced_labour', 'labour_exploitation',
                                'unsafe_migration', 'domestic_violence', 'sexual_violence',
                                'other_violence', 'child_at_risk', 'other')),
    position bigint NOT NULL,
    PRIMARY KEY (case_id, concern)
);
CREATE INDEX case_concern_concern ON case_concern (concern, case_id);

-- The survivor of a case: identity sealed, demographics plain.
CREATE TABLE survivor (
    case_id       text COLLATE "C" PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    identity      bytea,
    sex           text COLLATE "C" NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    age           bigint CHECK (age IS NULL OR age BETWEEN 0 AND 130),
    age_estimated bigint NOT NULL DEFAULT 0 CHECK (age_estimated IN (0, 1)),
    demographics  text COLLATE "C"
                  CONSTRAINT survivor_demographics
                  CHECK (demographics IS NULL OR cbpn_json_type(demographics) = 'object')
);

-- The survivor's blind index: keyed hashes (src/crypto/, under the data
-- key) of her normalised name words, whole name and phone, so that possible
-- duplicates and name searches work without the database holding a name.
CREATE TABLE survivor_key (
    case_id text COLLATE "C" NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind    text COLLATE "C" NOT NULL CHECK (kind IN ('name', 'phone')),
    key     text COLLATE "C" NOT NULL,
    PRIMARY KEY (case_id, kind, key)
);
CREATE INDEX survivor_key_key ON survivor_key (kind, key);

-- The audit log: append-only and hash-chained (src/audit/). user_id and
-- record_id are kept without foreign keys: the log outlives what it names.
-- seq is the application's (the chain's position), not the database's.
CREATE TABLE audit (
    seq         bigint PRIMARY KEY,
    at          text COLLATE "C" NOT NULL,
    user_id     text COLLATE "C",
    action      text COLLATE "C" NOT NULL,
    record_type text COLLATE "C" NOT NULL,
    record_id   text COLLATE "C",
    detail      text COLLATE "C",
    prev_hash   bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash        bytea NOT NULL CHECK (octet_length(hash) = 32)
);
CREATE INDEX audit_record ON audit (record_type, record_id, seq);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only';
END
$$;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
