-- A member's or representative's account is linked to her record in her
-- group's member list (API.md: member_id); one account per member record.
-- The same as migrations/sqlite/0006_member_link.sql.
ALTER TABLE users ADD COLUMN member_id text COLLATE "C" REFERENCES member (id);
CREATE UNIQUE INDEX users_member ON users (member_id) WHERE member_id IS NOT NULL;
