-- Accounts that cannot escalate: the same change as
-- migrations/sqlite/0012_user_approval.sql, which says what each column holds.
ALTER TABLE users ADD COLUMN pending bigint NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
ALTER TABLE users ADD COLUMN requested_by text COLLATE "C" REFERENCES users (id);
CREATE INDEX users_pending ON users (organization_id) WHERE pending = 1;
