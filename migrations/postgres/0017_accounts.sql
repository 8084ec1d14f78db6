-- Accounts that cannot escalate, the rest: the same change as
-- migrations/sqlite/0015_accounts.sql, which says what each column holds.
CREATE TABLE user_totp (
    user_id    text COLLATE "C" PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     bytea NOT NULL,
    confirmed  bigint NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    last_step  bigint NOT NULL DEFAULT 0 CHECK (last_step >= 0),
    created_at text COLLATE "C" NOT NULL
);
ALTER TABLE session ADD COLUMN enrol_only bigint NOT NULL DEFAULT 0
    CHECK (enrol_only IN (0, 1));
