-- The report's maintained aggregates (issue 10 item 7): the same as
-- migrations/sqlite/0019_report_cells.sql.
CREATE TABLE report_cell (
    code  text COLLATE "C" NOT NULL,
    dim   text COLLATE "C" NOT NULL,
    cat   text COLLATE "C" NOT NULL,
    place text COLLATE "C" NOT NULL,
    month text COLLATE "C" NOT NULL,
    n     bigint NOT NULL,
    s     bigint NOT NULL,
    PRIMARY KEY (code, dim, cat, place, month)
);
CREATE INDEX report_cell_zero ON report_cell (code) WHERE n = 0 AND s = 0;

CREATE TABLE report_generation (
    id    integer PRIMARY KEY CHECK (id = 1),
    gen   bigint NOT NULL,
    built integer NOT NULL CHECK (built IN (0, 1))
);
INSERT INTO report_generation (id, gen, built)
SELECT 1, 0, CASE WHEN EXISTS (SELECT 1 FROM cases) OR EXISTS (SELECT 1 FROM member)
                       OR EXISTS (SELECT 1 FROM outreach_session)
                       OR EXISTS (SELECT 1 FROM migrant_advice)
                       OR EXISTS (SELECT 1 FROM training) THEN 0 ELSE 1 END;

ALTER TABLE cases ADD COLUMN reporter_role text COLLATE "C";
UPDATE cases SET reporter_role = (SELECT role FROM users WHERE users.id = cases.reported_by);
