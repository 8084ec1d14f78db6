-- Accounts that cannot escalate, the rest (issue 9 item 3): an optional TOTP
-- second factor (RFC 6238) and the restricted session of an account that
-- must enrol one first.
--
-- user_totp: one row per account with a TOTP secret. secret is sealed
-- (XChaCha20-Poly1305, SEALED_USER_TOTP: bound to the user id); confirmed
-- is 0 from enrolment until the user proves a code, and only a confirmed
-- secret is asked for at sign-in; last_step is the 30-second step of the
-- last code accepted (a code is never accepted twice).
CREATE TABLE user_totp (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     BLOB NOT NULL,
    confirmed  INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1)),
    last_step  INTEGER NOT NULL DEFAULT 0 CHECK (last_step >= 0),
    created_at TEXT NOT NULL
) WITHOUT ROWID;
-- enrol_only = 1: a session of a supervisor or an admin without TOTP while
-- auth.totp_required is on; it reaches enrolment and sign-out, nothing else.
ALTER TABLE session ADD COLUMN enrol_only INTEGER NOT NULL DEFAULT 0
    CHECK (enrol_only IN (0, 1));
