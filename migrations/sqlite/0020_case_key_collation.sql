-- The PostgreSQL schema's 0020 gives case_key's text columns the "C"
-- collation. SQLite's TEXT columns already compare byte by byte (BINARY):
-- nothing to change, the version is kept in step with PostgreSQL's.
SELECT 1;
