-- case_key's text columns compare byte by byte, as every other text column
-- of the PostgreSQL schema does (COLLATE "C"; tests/pg_sql_check.sh checks
-- it): 0015_case_key created them with the database's default collation.
ALTER TABLE case_key ALTER COLUMN case_id TYPE text COLLATE "C";
ALTER TABLE case_key ALTER COLUMN created_at TYPE text COLLATE "C";
