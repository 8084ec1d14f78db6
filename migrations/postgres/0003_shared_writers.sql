-- What held only because SQLite has one writer, held by rows that every
-- backend locks the same way, so that several cbpn servers can write to one
-- database (PostgreSQL) as safely as one server writes to its file. The
-- same tables as migrations/sqlite/0003_shared_writers.sql.

-- The head of the audit chain: the last entry's seq and hash. Appending
-- reads it under a row lock (FOR UPDATE here; SQLite's write lock there),
-- writes the entry and moves the head on in the same transaction, so
-- concurrent writers form one chain. One row per chain: 'main' today; the
-- data-protection work keys the MAC and per-server signed heads to it.
CREATE TABLE audit_head (
    chain text COLLATE "C" PRIMARY KEY,
    seq   bigint NOT NULL CHECK (seq >= 0),
    hash  bytea CHECK (hash IS NULL OR octet_length(hash) = 32)
);
INSERT INTO audit_head (chain, seq, hash)
    SELECT 'main', coalesce(max(seq), 0), (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1)
    FROM audit;

-- The sign-in gate: one attempt per username at a time across every server.
-- An attempt takes the row's lease (until, epoch seconds) and gives it back
-- when its failure is written; a lease left by a crash runs out by itself.
CREATE TABLE login_gate (
    user_key text COLLATE "C" PRIMARY KEY,
    until    bigint NOT NULL
);
