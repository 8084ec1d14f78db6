-- Placeholder (branch erasure only): another branch adds migration 0016 in
-- parallel; this no-op keeps the numbers without a gap until the lead
-- renumbers at merge. Drop this file then.
SELECT 1;
