-- The referral slip's contact line (how the provider reaches the referring
-- caseworker) is free text, and free text can name the survivor: it is
-- sealed from now on, under the case's key, in contact_sealed. The plain
-- column stays for rows written before, which cbpn serve seals at start.
ALTER TABLE referral ADD COLUMN contact_sealed BLOB;
