-- Each case's own key (crypto-shredding): the case's identifying fields are
-- sealed under it, and it is kept here only wrapped (sealed under the data
-- key, bound to the case id), so deleting the row destroys everything it
-- sealed, in the tables, the WAL and every backup alike. No foreign key: the
-- key is made when the case's first field is sealed, just before the case
-- row is written in the same transaction.
CREATE TABLE case_key (
    case_id    TEXT PRIMARY KEY CHECK (length(case_id) = 20),
    wrapped    BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
