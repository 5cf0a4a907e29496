package history

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// schema1 is the layout herald wrote before integer series ids, with the
// index its first releases had, to build the stores Open must migrate.
const schema1 = `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE results (
	component  TEXT    NOT NULL,
	region     TEXT    NOT NULL DEFAULT '',
	time       INTEGER NOT NULL,
	ok         INTEGER NOT NULL,
	latency_ms REAL    NOT NULL DEFAULT 0,
	status     INTEGER NOT NULL DEFAULT 0,
	error      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (component, region, time)
) WITHOUT ROWID;
CREATE INDEX results_by_time ON results (component, time);
CREATE TABLE intervals (
	component TEXT    NOT NULL,
	region    TEXT    NOT NULL,
	start     INTEGER NOT NULL,
	end       INTEGER NOT NULL,
	state     INTEGER NOT NULL,
	PRIMARY KEY (component, region, start)
) WITHOUT ROWID;
CREATE TABLE latency (
	component TEXT    NOT NULL,
	hour      INTEGER NOT NULL,
	bucket    INTEGER NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (component, hour, bucket)
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('horizon', '0');
`

// The rows of a store, by names, in key order: dump1 of schema 1, dump2
// of schema 2. A migration keeps every row when the two agree.
var (
	dump1 = []string{
		`SELECT component, region, time, ok, latency_ms, status, error FROM results ORDER BY 1, 2, 3`,
		`SELECT component, region, start, end, state FROM intervals ORDER BY 1, 2, 3`,
		`SELECT component, hour, bucket, count FROM latency ORDER BY 1, 2, 3`,
		`SELECT key, value FROM meta WHERE key <> 'schema_version' ORDER BY 1`,
	}
	dump2 = []string{
		`SELECT ` + resultColumns + ` FROM ` + resultJoin + ` ORDER BY 1, 2, 3`,
		`SELECT c.name, s.region, i.start, i.end, i.state FROM intervals i JOIN series s ON s.id = i.series
			JOIN components c ON c.id = s.component ORDER BY 1, 2, 3`,
		`SELECT c.name, l.hour, l.bucket, l.count FROM latency l JOIN components c ON c.id = l.component ORDER BY 1, 2, 3`,
		// Open records the settings the intervals were built with
		// (settings.go) after migrating: not rows the migration kept.
		`SELECT key, value FROM meta WHERE key <> 'schema_version' AND key NOT LIKE 'settings:%' ORDER BY 1`,
	}
)

// dump is the rows of queries, one line a row.
func dump(tb testing.TB, db *sql.DB, queries []string) string {
	tb.Helper()
	var b strings.Builder
	for _, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			tb.Fatal(err)
		}
		b.WriteString("--\n")
	}
	return b.String()
}

// objects are a store's tables and indexes, as created.
func objects(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	return dump(tb, db, []string{`SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY name`})
}

var migrateOpts = Options{
	Components: map[string]ComponentOptions{"api": {Interval: time.Minute, Confirm: 2}, "db": {Interval: time.Minute, Confirm: 1}, "web": {Interval: 3 * time.Minute, Confirm: 1}},
	Retention:  2 * time.Hour,
}

// migrateSample is a schema 2 store of three components in several
// regions, with outages, blips, errors and gaps, pruned so that db has no
// raw results left, only roll-ups.
func migrateSample(t *testing.T) *Store {
	t.Helper()
	ref, err := Open(filepath.Join(t.TempDir(), "ref.db"), migrateOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ref.Close() })
	fillSample(t, ref)
	return ref
}

// fillSample records migrateSample's results in s and prunes them.
func fillSample(t *testing.T, s *Store) {
	t.Helper()
	if err := s.Record(context.Background(), migrateResults()); err != nil {
		t.Fatal(err)
	}
	if err := s.Prune(context.Background(), at(300)); err != nil {
		t.Fatal(err)
	}
}

// migrateResults are migrateSample's results.
func migrateResults() []Result {
	var rs []Result
	for m := range 300 {
		for _, region := range []string{"", "eu"} {
			ok := !(region == "eu" && m >= 100 && m < 110) && m != 200
			rs = append(rs, Result{Component: "api", Region: region, Time: at(float64(m)), OK: ok, LatencyMS: float64(10 + m%90), Status: 200})
		}
		if m < 60 {
			rs = append(rs, Result{Component: "db", Region: "us", Time: at(float64(m)), OK: m%7 != 0, LatencyMS: 3})
		}
		if m%3 == 0 && (m < 150 || m > 170) {
			r := Result{Component: "web", Time: at(float64(m)), OK: m%50 != 0, LatencyMS: 250, Status: 200}
			if !r.OK {
				r.Status, r.Error = 503, "service unavailable"
			}
			rs = append(rs, r)
		}
	}
	return rs
}

// writeSchema1 writes the rows of ref into a new store of schema 1 at path.
func writeSchema1(t *testing.T, path string, ref *Store, extra string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // ATTACH holds for one connection
	var refPath string
	if err := ref.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&refPath); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		schema1,
		`ATTACH DATABASE '` + refPath + `' AS ref`,
		`INSERT INTO results SELECT ` + resultColumns + ` FROM ref.results r JOIN ref.series s ON s.id = r.series
			JOIN ref.components c ON c.id = s.component`,
		`INSERT INTO intervals SELECT c.name, s.region, i.start, i.end, i.state FROM ref.intervals i
			JOIN ref.series s ON s.id = i.series JOIN ref.components c ON c.id = s.component`,
		`INSERT INTO latency SELECT c.name, l.hour, l.bucket, l.count FROM ref.latency l JOIN ref.components c ON c.id = l.component`,
		`UPDATE meta SET value = (SELECT value FROM ref.meta WHERE key = 'horizon') WHERE key = 'horizon'`,
		`DETACH DATABASE ref`,
		extra,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// answers is what every reading query of s says, over the sample's range.
func answers(t *testing.T, s *Store) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, c := range []string{"api", "db", "web", "new", "nope"} {
		fmt.Fprintf(&b, "%s intervals: %s\n", c, intervalsOf(t, s, c, -10, 400))
		lat, err := s.Latency(ctx, c, at(-60), at(400))
		if err != nil {
			t.Fatal(err)
		}
		rows, n, err := s.LatencySummary(ctx, c, at(-60), at(400))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s latency: %v (%d rows, %d results)\n", c, lat, rows, n)
		for _, until := range []float64{50, 250, 1000} {
			r, ok, err := s.Latest(ctx, c, at(until))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s latest at %v: %+v %t\n", c, until, r, ok)
		}
	}
	if err := s.Export(ctx, &b, "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMigrateSchema1 opens a store of schema 1, for writing and for
// reading: it is migrated to schema 2 with every row kept, every query
// answers as over a store written at schema 2, and new results go on
// being recorded.
func TestMigrateSchema1(t *testing.T) {
	fresh := openTest(t, Options{})
	for _, tc := range []struct {
		name     string
		open     func(string, Options) (*Store, error)
		writable bool
	}{
		{"Open", Open, true},
		{"OpenReadOnly", OpenReadOnly, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := migrateSample(t)
			path := filepath.Join(t.TempDir(), "history.db")
			writeSchema1(t, path, ref, "")
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			before := dump(t, raw, dump1)
			s, err := tc.open(path, migrateOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got, want := dump(t, s.db, dump2), before; got != want {
				t.Errorf("rows after the migration:\n got %s\nwant %s", got, want)
			}
			if got, want := objects(t, s.db), objects(t, fresh.db); got != want {
				t.Errorf("tables after the migration:\n got %s\nwant those of a new store:\n%s", got, want)
			}
			if got, want := dump(t, s.db, []string{`SELECT value FROM meta WHERE key = 'schema_version'`}), "2\n--\n"; got != want {
				t.Errorf("schema_version: got %q, want %q", got, want)
			}
			if got, want := answers(t, s), answers(t, ref); got != want {
				t.Errorf("answers after the migration:\n got %s\nwant %s", got, want)
			}
			if !tc.writable {
				return
			}
			recordMoreAlike(t, s, ref)
		})
	}
}

// TestMigrationRollsBack fails the migration of a schema 1 store midway
// and at its last step, as a process killed there would stop it, without
// a hook in herald: the store is left at schema 1, every row as it was,
// and once the obstacle is gone the next open migrates it.
func TestMigrationRollsBack(t *testing.T) {
	ref := migrateSample(t)
	for _, tc := range []struct {
		name, obstacle, clear string
	}{
		{"midway: a view takes the series table's name", `CREATE VIEW series AS SELECT 1`, `DROP VIEW series`},
		{"at the end: the version cannot be written", `CREATE TRIGGER stop BEFORE UPDATE ON meta
			BEGIN SELECT RAISE(ABORT, 'stopped'); END`, `DROP TRIGGER stop`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "history.db")
			writeSchema1(t, path, ref, tc.obstacle)
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			before, tables := dump(t, raw, dump1), objects(t, raw)
			if s, err := Open(path, migrateOpts); err == nil || !strings.Contains(err.Error(), "migrate schema 1 to 2") {
				if s != nil {
					s.Close()
				}
				t.Fatalf("got %v, want the migration to fail", err)
			}
			if got := dump(t, raw, dump1); got != before {
				t.Errorf("rows after the failed migration:\n got %s\nwant %s", got, before)
			}
			if got := objects(t, raw); got != tables {
				t.Errorf("tables after the failed migration:\n got %s\nwant %s", got, tables)
			}
			if _, err := raw.Exec(tc.clear); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, migrateOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := dump(t, s.db, dump2); got != before {
				t.Errorf("rows after the second migration:\n got %s\nwant %s", got, before)
			}
		})
	}
}

// TestNewerSchema opens a store whose schema this herald does not know:
// an error naming the store and what to do, and the store is left alone.
func TestNewerSchema(t *testing.T) {
	for _, tc := range []struct {
		name, version, want string
	}{
		{"a newer schema", "3", "the store is at schema 3, newer than this herald's 2: upgrade herald to the version that wrote it, or point history.path at another file"},
		{"not a version", "two", `read schema version: "two" is not a version, so this is not a herald history store: point history.path at another file`},
	} {
		for _, open := range []struct {
			name string
			open func(string, Options) (*Store, error)
		}{{"Open", Open}, {"OpenReadOnly", OpenReadOnly}} {
			t.Run(tc.name+"/"+open.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "history.db")
				s, err := Open(path, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.db.Exec(`UPDATE meta SET value = ? WHERE key = 'schema_version'`, tc.version); err != nil {
					t.Fatal(err)
				}
				s.Close()
				s, err = open.open(path, Options{})
				if err == nil {
					s.Close()
				}
				if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("got %v, want an error naming %s and saying %q", err, path, tc.want)
				}
				raw, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				if got, want := dump(t, raw, []string{`SELECT value FROM meta WHERE key = 'schema_version'`}), tc.version+"\n--\n"; got != want {
					t.Errorf("schema_version: got %q, want %q", got, want)
				}
			})
		}
	}
}

// TestPageSize: a new store has pages of pageSize, and a store created
// with SQLite's 4 KiB pages, at schema 1 or 2, keeps them when opened, and
// answers and records as a new one does.
func TestPageSize(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string, ref *Store) // nil: a new store
		want int
	}{
		{"new store", nil, pageSize},
		{"schema 1, 4 KiB pages", func(t *testing.T, path string, ref *Store) {
			writeSchema1(t, path, ref, "")
		}, 4096},
		{"schema 2, 4 KiB pages", func(t *testing.T, path string, ref *Store) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := db.Exec(`PRAGMA page_size = 4096; PRAGMA journal_mode = WAL;` + schema); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, migrateOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			fillSample(t, s)
		}, 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := migrateSample(t)
			path := filepath.Join(t.TempDir(), "history.db")
			if tc.make != nil {
				tc.make(t, path, ref)
			}
			s, err := Open(path, migrateOpts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if tc.make == nil {
				fillSample(t, s)
			}
			var size int
			if err := s.db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil || size != tc.want {
				t.Errorf("got page_size %d, %v; want %d", size, err, tc.want)
			}
			if got, want := answers(t, s), answers(t, ref); got != want {
				t.Errorf("answers:\n got %s\nwant %s", got, want)
			}
			recordMoreAlike(t, s, ref)
		})
	}
}

// TestOpenNewAtOnce opens one new file from several handles at the same
// moment, as a prober and an import started together would. Switching a
// new file to WAL from two handles at once makes SQLite return
// SQLITE_BUSY without waiting, so Open must retry it; before it did, a
// few rounds in a hundred failed with "database is locked".
func TestOpenNewAtOnce(t *testing.T) {
	for range 100 {
		path := filepath.Join(t.TempDir(), "history.db")
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				s, err := Open(path, sampleOpts)
				if err != nil {
					t.Error(err)
					return
				}
				if err := s.Close(); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
	}
}

// recordMoreAlike records the same new results, of a known series and of
// a new one, into s and into ref, and checks that both answer alike after.
func recordMoreAlike(t *testing.T, s, ref *Store) {
	t.Helper()
	more := append(res(t, "api", "300:d 301:d 302:d 303:u@eu"), res(t, "new", "300:u 301:u@x")...)
	for _, st := range []*Store{s, ref} {
		if err := st.Record(context.Background(), more); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := answers(t, s), answers(t, ref); got != want {
		t.Errorf("answers after recording more:\n got %s\nwant %s", got, want)
	}
}
