-- Members' identities sealed (issue 9): a member's names, birth year and
-- returnee history become one sealed JSON blob, identity, bound to the
-- member id (SEALED_MEMBER_IDENTITY); the plain columns name_km, name_latn,
-- birth_year and returnee are left NULL by every write from now on, and
-- cbpn seals the rows written before this migration the first time it runs
-- with the data key (domain/network.c, member_seal_existing). What reports
-- count stays plain: sex, network roles, and returnee_any (whether she has
-- a returnee history). member_name_key is the blind index of her names
-- (domain/namekeys.h), for spelling-tolerant search.
ALTER TABLE member ADD COLUMN identity BLOB;
ALTER TABLE member ADD COLUMN returnee_any INTEGER NOT NULL DEFAULT 0
    CHECK (returnee_any IN (0, 1));
UPDATE member SET returnee_any = CASE WHEN returnee IS NULL THEN 0 ELSE 1 END;

CREATE TABLE member_name_key (
    member_id TEXT NOT NULL REFERENCES member (id),
    key       TEXT NOT NULL,
    PRIMARY KEY (member_id, key)
);
CREATE INDEX member_name_key_key ON member_name_key (key, member_id);
