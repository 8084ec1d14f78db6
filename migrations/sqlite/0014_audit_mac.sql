-- A keyed audit chain (src/audit/): each entry written from now on carries
-- the MAC (keyed BLAKE2b-256) of its fields and of the previous entry's MAC
-- (or, for the first keyed entry, the previous entry's hash), and the id of
-- the audit key that made it. The audit key is never in the database: it is
-- a file beside the data key. Entries written before stay as they are
-- (key_id and mac NULL): their unkeyed hashes still chain them. The head
-- keeps the last entry's MAC too, for the next append to chain on.
ALTER TABLE audit ADD COLUMN key_id TEXT CHECK (key_id IS NULL OR length(key_id) = 16);
ALTER TABLE audit ADD COLUMN mac BLOB CHECK (mac IS NULL OR length(mac) = 32);
ALTER TABLE audit_head ADD COLUMN mac BLOB CHECK (mac IS NULL OR length(mac) = 32);
