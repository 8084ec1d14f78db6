-- The report's maintained aggregates (issue 10 item 7, docs/reports.md):
-- report_cell holds, per indicator code, breakdown (dim, cat; both '' for
-- the indicator's total), place (a record's location coarsened to its
-- commune) and month ('YYYY-MM'), a count n and a sum s. The store keeps it
-- up to date in the same transaction as every write it counts
-- (src/store/report.c); a cell whose n and s are both 0 is deleted. The
-- dashboard reads these cells instead of counting the records.
CREATE TABLE report_cell (
    code  TEXT NOT NULL,
    dim   TEXT NOT NULL,
    cat   TEXT NOT NULL,
    place TEXT NOT NULL,
    month TEXT NOT NULL,
    n     INTEGER NOT NULL,
    s     INTEGER NOT NULL,
    PRIMARY KEY (code, dim, cat, place, month)
) WITHOUT ROWID;
-- The cells a flush emptied, deleted at its end.
CREATE INDEX report_cell_zero ON report_cell (code) WHERE n = 0 AND s = 0;

-- gen changes whenever a cell does (a cache of the figures keys on it);
-- built 0: the records are not in the cells yet (a database upgraded to
-- this version): cbpn serve rebuilds them when it starts.
CREATE TABLE report_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    gen   INTEGER NOT NULL,
    built INTEGER NOT NULL CHECK (built IN (0, 1))
);
INSERT INTO report_generation (id, gen, built)
SELECT 1, 0, CASE WHEN EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM member)
                       OR EXISTS (SELECT 1 FROM outreach_session)
                       OR EXISTS (SELECT 1 FROM migrant_advice)
                       OR EXISTS (SELECT 1 FROM training) THEN 0 ELSE 1 END;

-- The reporter's account role when she reported (cases_reported by
-- reporter_role): set by the case's insert, filled here for older cases.
ALTER TABLE cases ADD COLUMN reporter_role TEXT;
UPDATE cases SET reporter_role = (SELECT role FROM users WHERE users.id = cases.reported_by);
