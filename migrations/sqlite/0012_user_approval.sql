-- Accounts that cannot escalate (issue 9 item 3, API.md "account approval"):
-- an account for a role that can see identities (caseworker, supervisor,
-- provider) that an admin makes stays pending until a supervisor approves
-- it (pending = 1); requested_by is who asked for it, who may never approve
-- it. Accounts the local operator makes are active at once.
ALTER TABLE users ADD COLUMN pending INTEGER NOT NULL DEFAULT 0 CHECK (pending IN (0, 1));
ALTER TABLE users ADD COLUMN requested_by TEXT REFERENCES users (id);
CREATE INDEX users_pending ON users (organization_id) WHERE pending = 1;
