-- What held only because SQLite has one writer, held by rows that every
-- backend locks the same way, so that several cbpn servers can write to one
-- database (PostgreSQL) as safely as one server writes to its file.

-- The head of the audit chain: the last entry's seq and hash. Appending
-- reads it under a row lock (FOR UPDATE on PostgreSQL; SQLite's write lock
-- here), writes the entry and moves the head on in the same transaction, so
-- concurrent writers form one chain. One row per chain: 'main' today; the
-- data-protection work keys the MAC and per-server signed heads to it.
CREATE TABLE audit_head (
    chain TEXT PRIMARY KEY,
    seq   INTEGER NOT NULL CHECK (seq >= 0),
    hash  BLOB CHECK (hash IS NULL OR length(hash) = 32)
) WITHOUT ROWID;
INSERT INTO audit_head (chain, seq, hash)
    SELECT 'main', coalesce(max(seq), 0), (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1)
    FROM audit;

-- The sign-in gate: one attempt per username at a time across every server.
-- An attempt takes the row's lease (until, epoch seconds) and gives it back
-- when its failure is written; a lease left by a crash runs out by itself.
CREATE TABLE login_gate (
    user_key TEXT PRIMARY KEY,
    until    INTEGER NOT NULL
) WITHOUT ROWID;
