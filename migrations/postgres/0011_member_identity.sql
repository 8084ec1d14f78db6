-- Members' identities sealed: the same change as
-- migrations/sqlite/0011_member_identity.sql, which says what each column
-- holds.
ALTER TABLE member ADD COLUMN identity bytea;
ALTER TABLE member ADD COLUMN returnee_any bigint NOT NULL DEFAULT 0
    CHECK (returnee_any IN (0, 1));
UPDATE member SET returnee_any = CASE WHEN returnee IS NULL THEN 0 ELSE 1 END;

CREATE TABLE member_name_key (
    member_id text COLLATE "C" NOT NULL REFERENCES member (id),
    key       text COLLATE "C" NOT NULL,
    PRIMARY KEY (member_id, key)
);
CREATE INDEX member_name_key_key ON member_name_key (key, member_id);
