#!/bin/bash
# Part of make bench (scripts/bench.sh runs it last; it also runs alone):
# the time of the de-identified incident export (cbpn export incidents,
# k-anonymous, domain/export.h) of 100,000 incidents, target <= 1 s, as a
# ratio to a plain sqlite3 SELECT of the same rows in the same run.
#
# The database: the demo's, with BENCH_INCIDENTS (100,000) synthetic cases
# added by plain SQL, one incident each: survivors of both sexes and every
# age band, placed in villages all over the country, nine in ten Cambodian,
# one to three concerns, nine in ten with reporting consent, three in ten
# screened, four in ten referred. Fictional rows, never served. The export
# is then checked to be k-anonymous by counting its equivalence classes.
set -eu
BUILD=${BUILD:-build}
BIN=$BUILD/cbpn
N=${BENCH_INCIDENTS:-100000}
command -v sqlite3 >/dev/null || { echo "bench_export needs sqlite3"; exit 1; }
dir=$(mktemp -d -p "${BENCH_DIR:-${TMPDIR:-/tmp}}")
trap '[ -n "${BENCH_KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"' EXIT
db=$dir/x.db
echo "bench-password-1" | "$BIN" demo --db "$db" --password-stdin > /dev/null 2>&1

sqlite3 "$db" <<SQL
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE v (n INTEGER PRIMARY KEY, code TEXT);
INSERT INTO v (code) SELECT code FROM location WHERE level = 'village' ORDER BY code;
CREATE TEMP TABLE s (n INTEGER PRIMARY KEY, id TEXT, organization_id TEXT, type TEXT);
INSERT INTO s (id, organization_id, type) SELECT id, organization_id, type FROM service ORDER BY id;
CREATE TEMP TABLE i (n INTEGER PRIMARY KEY);
WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $N)
    INSERT INTO i SELECT n FROM c;
CREATE TEMP TABLE ids AS SELECT (SELECT id FROM users WHERE username = 'caseworker1') AS u,
    (SELECT organization_id FROM users WHERE username = 'caseworker1') AS o,
    (SELECT count(*) FROM v) AS nv, (SELECT count(*) FROM s) AS ns,
    (SELECT coalesce(max(seq), 0) FROM consent) AS seq0;
INSERT INTO cases (id, code, organization_id, location_code, status, reported_by, created_at,
                   updated_at)
    SELECT printf('bx%018d', n), printf('BX-2026-%06d', n), o,
           (SELECT code FROM v WHERE v.n = 1 + (i.n * 7919) % nv), 'reported', u,
           '2026-11-15T08:00:00.000Z', '2026-11-15T08:00:00.000Z' FROM i, ids;
INSERT INTO survivor (case_id, sex, age, demographics)
    SELECT printf('bx%018d', n), CASE WHEN n % 5 = 0 THEN 'male' ELSE 'female' END,
           CASE WHEN n % 17 = 0 THEN NULL ELSE 8 + (n * 37) % 62 END,
           CASE WHEN n % 10 = 0 THEN '{"nationality":"' || substr('THVNLAMMCN', 1 + 2 * (n % 5), 2)
                || '"}' ELSE '{"nationality":"KH"}' END FROM i;
INSERT INTO case_concern (case_id, concern, position)
    SELECT printf('bx%018d', n),
           CASE n % 6 WHEN 0 THEN 'trafficking' WHEN 1 THEN 'domestic_violence'
                WHEN 2 THEN 'sexual_violence' WHEN 3 THEN 'unsafe_migration'
                WHEN 4 THEN 'forced_labour' ELSE 'child_at_risk' END, 0 FROM i;
INSERT INTO case_concern (case_id, concern, position)
    SELECT printf('bx%018d', n), 'other_violence', 1 FROM i WHERE n % 4 = 0;
INSERT INTO consent (id, seq, case_id, purpose, given, method, given_by, recorded_by, created_at)
    SELECT printf('bk%018d', n), seq0 + n, printf('bx%018d', n), 'reporting',
           CASE WHEN n % 10 = 3 THEN 0 ELSE 1 END, 'verbal', 'survivor', u,
           '2026-11-15T08:00:00.000Z' FROM i, ids;
INSERT INTO incident (id, case_id, date, reported_on, time_of_day, location_type, location,
                      migration_stage, penetration, sexual_contact, physical_assault,
                      forced_marriage, denial_of_resources, psychological_abuse,
                      goods_or_money_exchanged, abduction, reported_elsewhere, perpetrators,
                      gbv_type, context_flags, survivor_age, created_by, created_at)
    SELECT printf('bi%018d', n), printf('bx%018d', n), '2026-11-01', '2026-11-14', 'morning',
           'workplace', (SELECT location_code FROM cases WHERE id = printf('bx%018d', n)),
           'destination', 0, 0, n % 2, 0, 0, 1, 0, 'none', 'no',
           '[{"sex":"male","age_group":"26_40","relationship":"employer_or_supervisor"}]',
           CASE WHEN n % 2 = 1 THEN 'physical_assault' ELSE 'psychological_abuse' END, '[]',
           NULL, u, '2026-11-15T08:00:00.000Z' FROM i, ids;
INSERT INTO screening (id, case_id, adult, indicators, dimensions, forced_labour_indicators,
                       result, created_by, created_at)
    SELECT printf('bs%018d', n), printf('bx%018d', n), 1, '[]', '{}',
           '["fl_withholding_of_wages","fl_deception"]',
           CASE n % 3 WHEN 0 THEN 'presumed_trafficking'
                WHEN 1 THEN 'exploitation_without_trafficking_indicators'
                ELSE 'insufficient_indicators' END, u, '2026-11-15T09:00:00.000Z'
    FROM i, ids WHERE n % 10 < 3;
INSERT INTO referral (id, case_id, service_id, organization_id, service_type, status, urgency,
                      reason, slip_code, created_by, created_at, updated_at, due_at)
    SELECT printf('br%018d', i.n), printf('bx%018d', i.n), s.id, s.organization_id, s.type,
           CASE i.n % 3 WHEN 0 THEN 'sent' WHEN 1 THEN 'accepted' ELSE 'completed' END, 'routine',
           x'00', x'00', u, '2026-11-16T09:00:00.000Z', '2026-11-17T09:00:00.000Z',
           '2026-11-23T09:00:00.000Z'
    FROM i, ids JOIN s ON s.n = 1 + i.n % ids.ns WHERE i.n % 10 < 4;
COMMIT;
ANALYZE;
SQL

# The baseline: the same rows read by sqlite3 itself, no consent rule, no
# survivor codes, no recoding.
baseline_sql="SELECT c.code, s.sex, s.age, c.location_code, s.demographics, i.gbv_type,
  (SELECT group_concat(concern, ';') FROM case_concern cc WHERE cc.case_id = i.case_id),
  (SELECT result FROM screening sc WHERE sc.case_id = i.case_id ORDER BY created_at DESC LIMIT 1),
  (SELECT group_concat(service_type || ':' || status, ';') FROM referral r WHERE r.case_id = i.case_id)
  FROM incident i JOIN cases c ON c.id = i.case_id LEFT JOIN survivor s ON s.case_id = i.case_id"
best() { # command...: "wall cpu" of the fastest of 3 runs, in seconds (cpu: user + system,
    # which the machine's other work weighs on less than the wall time)
    local b= c= t
    for _ in 1 2 3; do
        t=$( { TIMEFORMAT='%R %U %S'; time "$@" > "$dir/out" 2> "$dir/err"; } 2>&1 | tail -1)
        read -r r u sy <<< "$t"
        if [ -z "$b" ] || [ "$(echo "$r < $b" | bc)" = 1 ]; then b=$r; c=$(echo "$u + $sy" | bc); fi
    done
    echo "$b $c"
}
read -r base base_cpu <<< "$(best sqlite3 "$db" "$baseline_sql")"
base_rows=$(wc -l < "$dir/out")
read -r exp exp_cpu <<< "$(best "$BIN" export incidents --db "$db" --format csv)"
rows=$(($(wc -l < "$dir/out") - 1))
stats=$(tail -1 "$dir/err")
# k-anonymity, counted on the output: every (sex, age_band, district,
# nationality, concerns) at least k times.
small=$(tail -n +2 "$dir/out" | tr -d '\r' |
    awk -F, '{n[$2 FS $3 FS $4 FS $5 FS $6]++} END {s = 0; for (c in n) if (n[c] < 11) s++; print s}')
echo "the de-identified incident export ($N incidents, cbpn export incidents --format csv, best of 3):"
printf '  %-44s %7.3f s (cpu %.3f s)\n' "sqlite3 SELECT of the same rows (baseline)" "$base" "$base_cpu"
printf '  %-44s %7.3f s (cpu %.3f s)   %.2f x baseline (cpu %.2f x)   target <= 1 s\n' \
    "cbpn export incidents" "$exp" "$exp_cpu" "$(echo "$exp / $base" | bc -l)" \
    "$(echo "$exp_cpu / $base_cpu" | bc -l)"
echo "  rows read $base_rows, written $rows; $stats; combinations under k=11: $small"
