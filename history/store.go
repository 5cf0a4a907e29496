package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// Defaults for a component missing from Options.Components.
const (
	DefaultInterval = 60 * time.Second
	DefaultConfirm  = 1
)

// batchSize is how many results one import transaction holds: large enough
// that the per-transaction roll-up work is amortised, small enough that a
// prober writing beside an import waits well under its busy timeout.
const batchSize = 5000

// busyTimeout is how long a writer waits for another writer's transaction.
const busyTimeout = 60 * time.Second

// Errors of the store, for errors.Is.
var (
	// ErrUnknownComponent is a result for a component the store was not
	// told about (Options.Strict).
	ErrUnknownComponent = errors.New("unknown component")
	// ErrInvalidResult is a result without a component or a time.
	ErrInvalidResult = errors.New("invalid result")
)

// Options configure how a Store (or a Prometheus source) turns results into
// intervals.
type Options struct {
	// Per-component probe settings used to build intervals; a component
	// missing here uses Interval 60s, Confirm 1.
	Components map[string]ComponentOptions
	// Retention is how long Prune keeps raw results; roll-ups are kept.
	Retention time.Duration
	// Strict refuses results for components missing from Components, so a
	// typo in an imported file is an error rather than a new component.
	Strict bool
}

// ComponentOptions are one component's probe settings.
type ComponentOptions struct {
	// Interval is the time between two probes; a result covers at most
	// twice that, and beyond it nothing is known.
	Interval time.Duration
	// Confirm is how many consecutive results must agree before the state
	// changes.
	Confirm int
}

func (o Options) component(id string) (ComponentOptions, bool) {
	c, ok := o.Components[id]
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Confirm < 1 {
		c.Confirm = DefaultConfirm
	}
	return c, ok
}

// Store is the embedded probe history: raw results for the retention
// period, and the roll-ups (state intervals, latency histograms) for ever.
// It is safe for concurrent use, and several processes may open the same
// file: SQLite's WAL lets readers run beside one writer.
type Store struct {
	db   *sql.DB
	opts Options
}

// The schema; docs/uptime.md "Storage" describes it and changes with it.
// Times are Unix milliseconds, UTC.
const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS results (
	component  TEXT    NOT NULL,
	region     TEXT    NOT NULL DEFAULT '',
	time       INTEGER NOT NULL,
	ok         INTEGER NOT NULL,
	latency_ms REAL    NOT NULL DEFAULT 0,
	status     INTEGER NOT NULL DEFAULT 0,
	error      TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (component, region, time)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS results_by_time ON results (component, time);
CREATE TABLE IF NOT EXISTS intervals (
	component TEXT    NOT NULL,
	region    TEXT    NOT NULL,
	start     INTEGER NOT NULL,
	end       INTEGER NOT NULL,
	state     INTEGER NOT NULL,
	PRIMARY KEY (component, region, start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS latency (
	component TEXT    NOT NULL,
	hour      INTEGER NOT NULL,
	bucket    INTEGER NOT NULL,
	count     INTEGER NOT NULL,
	PRIMARY KEY (component, hour, bucket)
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;
INSERT INTO meta (key, value) VALUES ('horizon', '0') ON CONFLICT DO NOTHING;
`

// Open opens or creates the store at path, creating its folder.
func Open(path string, opts Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create history folder: %w", err)
	}
	q := url.Values{}
	// Order matters: the busy timeout must hold before switching to WAL,
	// which another process may be doing at the same moment.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL loses no committed transaction when the process is killed,
	// only (the last ones) on power loss; FULL would fsync every commit.
	q.Add("_pragma", "synchronous(NORMAL)")
	// Writers take the write lock at BEGIN, so two writers queue on the
	// busy timeout instead of failing when a read lock cannot be upgraded.
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	s := &Store{db: db, opts: opts}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	return s, nil
}

// OpenReadOnly opens an existing store for reading only, as a build does.
// It writes nothing: no schema, no journal-mode switch, no checkpoint, so
// a watcher of the store's files is not woken by the reader itself (which
// would rebuild in a loop).
func OpenReadOnly(path string, opts Options) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "ro")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	return &Store{db: db, opts: opts}, nil
}

func (s *Store) init() error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	var v string
	if err := tx.QueryRow(`SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v != "1" {
		return fmt.Errorf("check schema: version %s is newer than this herald understands", v)
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Record stores results in one transaction and updates the roll-ups. A
// result already stored (same component, time and region) is ignored, so
// recording twice is harmless. Results older than the retention horizon
// of the last Prune are ignored too: their roll-ups are final.
func (s *Store) Record(ctx context.Context, rs []Result) error {
	for _, r := range rs {
		if err := s.check(r); err != nil {
			return err
		}
	}
	_, err := s.record(ctx, rs)
	return err
}

func (s *Store) check(r Result) error {
	if r.Component == "" || r.Time.IsZero() {
		return fmt.Errorf("record result: %w: it needs a component and a time", ErrInvalidResult)
	}
	if _, known := s.opts.Components[r.Component]; s.opts.Strict && !known {
		return fmt.Errorf("record result: %w %q", ErrUnknownComponent, r.Component)
	}
	if r.LatencyMS < 0 || math.IsNaN(r.LatencyMS) || math.IsInf(r.LatencyMS, 0) {
		return fmt.Errorf("record result: %w: latency_ms %v", ErrInvalidResult, r.LatencyMS)
	}
	return nil
}

// recordStats counts what one transaction did.
type recordStats struct{ inserted, duplicates, expired int }

type series struct{ component, region string }

// span is the range of result times a transaction touched in one series.
type span struct{ min, max int64 }

type latencyKey struct {
	component string
	hour      int64
	bucket    int
}

func (s *Store) record(ctx context.Context, rs []Result) (recordStats, error) {
	var st recordStats
	if len(rs) == 0 {
		return st, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return st, fmt.Errorf("begin record: %w", err)
	}
	defer tx.Rollback()
	horizon, err := readHorizon(ctx, tx)
	if err != nil {
		return st, err
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO results (component, region, time, ok, latency_ms, status, error)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return st, fmt.Errorf("prepare insert: %w", err)
	}
	defer ins.Close()
	touched := map[series]span{}
	lat := map[latencyKey]int64{}
	for _, r := range rs {
		ms := r.Time.UnixMilli()
		if ms < horizon {
			st.expired++
			continue
		}
		res, err := ins.ExecContext(ctx, r.Component, r.Region, ms, r.OK, r.LatencyMS, r.Status, r.Error)
		if err != nil {
			return st, fmt.Errorf("insert result: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return st, fmt.Errorf("insert result: %w", err)
		} else if n == 0 {
			st.duplicates++
			continue
		}
		st.inserted++
		k := series{r.Component, r.Region}
		if sp, ok := touched[k]; !ok {
			touched[k] = span{ms, ms}
		} else {
			touched[k] = span{min(sp.min, ms), max(sp.max, ms)}
		}
		if r.OK {
			lat[latencyKey{r.Component, floorDiv(ms, hourMS) * hourMS, bucketOf(r.LatencyMS)}]++
		}
	}
	if err := addLatency(ctx, tx, lat); err != nil {
		return st, err
	}
	keys := make([]series, 0, len(touched))
	for k := range touched {
		keys = append(keys, k)
	}
	// A fixed order keeps two concurrent writers' work identical.
	slices.SortFunc(keys, func(a, b series) int {
		if a.component != b.component {
			return cmpString(a.component, b.component)
		}
		return cmpString(a.region, b.region)
	})
	for _, k := range keys {
		if err := s.recompute(ctx, tx, k, touched[k]); err != nil {
			return st, fmt.Errorf("update intervals of %s: %w", k.component, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return st, fmt.Errorf("commit results: %w", err)
	}
	return st, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

const hourMS = int64(time.Hour / time.Millisecond)

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func addLatency(ctx context.Context, tx *sql.Tx, lat map[latencyKey]int64) error {
	if len(lat) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO latency (component, hour, bucket, count) VALUES (?, ?, ?, ?)
		ON CONFLICT (component, hour, bucket) DO UPDATE SET count = count + excluded.count`)
	if err != nil {
		return fmt.Errorf("prepare latency: %w", err)
	}
	defer st.Close()
	for k, n := range lat {
		if _, err := st.ExecContext(ctx, k.component, k.hour, k.bucket, n); err != nil {
			return fmt.Errorf("add latency: %w", err)
		}
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readHorizon(ctx context.Context, q querier) (int64, error) {
	var h int64
	if err := q.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'horizon'`).Scan(&h); err != nil {
		return 0, fmt.Errorf("read horizon: %w", err)
	}
	return h, nil
}

// recompute rebuilds one series' intervals around the results a
// transaction added, whose times lie in sp. It starts at the run of
// results that the first new one may join (so a confirmation it completes
// is dated from the run's first result) and stops at the first later run
// that is unaffected and confirms itself, after which nothing can change.
func (s *Store) recompute(ctx context.Context, tx *sql.Tx, k series, sp span) error {
	co, _ := s.opts.component(k.component)
	maxGap := 2 * co.Interval.Milliseconds()

	// Walk back over at most Confirm results before the first new one.
	rows, err := tx.QueryContext(ctx, `SELECT time, ok FROM results WHERE component = ? AND region = ? AND time < ?
		ORDER BY time DESC LIMIT ?`, k.component, k.region, sp.min, co.Confirm)
	if err != nil {
		return err
	}
	var back []point
	for rows.Next() {
		var p point
		if err := rows.Scan(&p.t, &p.up); err != nil {
			rows.Close()
			return err
		}
		back = append(back, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	from, enter := sp.min, NoData
	switch run := equalPrefix(back); {
	case len(back) > 0 && run >= co.Confirm:
		// The results just before are a confirmed run: its state holds.
		from, enter = back[0].t, stateOf(back[0].up)
	case run < len(back):
		// back[run] ends the run before: its confirmed state is final.
		from = back[run-1].t
		if enter, err = stateAt(ctx, tx, k, back[run].t); err != nil {
			return err
		}
	default:
		// Every raw result before is gone (pruned) or there are none:
		// carry the last state the roll-up knows.
		if len(back) > 0 {
			from = back[len(back)-1].t
		}
		if enter, err = lastStateBefore(ctx, tx, k, from); err != nil {
			return err
		}
	}

	rows, err = tx.QueryContext(ctx, `SELECT time, ok FROM results WHERE component = ? AND region = ? AND time >= ?
		ORDER BY time`, k.component, k.region, from)
	if err != nil {
		return err
	}
	var ps []point
	until := int64(math.MaxInt64)
	runStart := 0
	for rows.Next() {
		var p point
		if err := rows.Scan(&p.t, &p.up); err != nil {
			rows.Close()
			return err
		}
		if n := len(ps); n > 0 && ps[n-1].up != p.up {
			runStart = n
		}
		ps = append(ps, p)
		if runStart > 0 && ps[runStart-1].t > sp.max && len(ps)-runStart >= co.Confirm {
			until = ps[runStart].t
			ps = ps[:runStart]
			break
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	fresh := buildIntervals(ps, enter, maxGap, co.Confirm, until)
	return splice(ctx, tx, k, from, until, fresh)
}

// equalPrefix is how many of ps, from the first, share its state.
func equalPrefix(ps []point) int {
	n := 0
	for n < len(ps) && ps[n].up == ps[0].up {
		n++
	}
	return n
}

func stateAt(ctx context.Context, q querier, k series, t int64) (State, error) {
	var st State
	err := q.QueryRowContext(ctx, `SELECT state FROM intervals WHERE component = ? AND region = ? AND start <= ? AND end > ?
		ORDER BY start DESC LIMIT 1`, k.component, k.region, t, t).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return NoData, nil
	}
	return st, err
}

func lastStateBefore(ctx context.Context, q querier, k series, t int64) (State, error) {
	var st State
	err := q.QueryRowContext(ctx, `SELECT state FROM intervals WHERE component = ? AND region = ? AND start < ?
		ORDER BY start DESC LIMIT 1`, k.component, k.region, t).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return NoData, nil
	}
	return st, err
}

// splice replaces a series' stored intervals within [from, until) by
// fresh, keeping what lies outside and merging across the seams.
func splice(ctx context.Context, tx *sql.Tx, k series, from, until int64, fresh []msInterval) error {
	rows, err := tx.QueryContext(ctx, `SELECT start, end, state FROM intervals WHERE component = ? AND region = ?
		AND start <= ? AND end >= ?`, k.component, k.region, until, from)
	if err != nil {
		return err
	}
	var old []msInterval
	for rows.Next() {
		var iv msInterval
		if err := rows.Scan(&iv.start, &iv.end, &iv.state); err != nil {
			rows.Close()
			return err
		}
		old = append(old, iv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	all := fresh
	for _, iv := range old {
		if iv.start < from {
			all = append(all, msInterval{iv.start, min(iv.end, from), iv.state})
		}
		if iv.end > until {
			all = append(all, msInterval{max(iv.start, until), iv.end, iv.state})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].start < all[j].start })
	var merged []msInterval
	for _, iv := range all {
		if n := len(merged); n > 0 && merged[n-1].end == iv.start && merged[n-1].state == iv.state {
			merged[n-1].end = iv.end
			continue
		}
		merged = append(merged, iv)
	}
	for _, iv := range old {
		if _, err := tx.ExecContext(ctx, `DELETE FROM intervals WHERE component = ? AND region = ? AND start = ?`,
			k.component, k.region, iv.start); err != nil {
			return err
		}
	}
	for _, iv := range merged {
		if _, err := tx.ExecContext(ctx, `INSERT INTO intervals (component, region, start, end, state) VALUES (?, ?, ?, ?, ?)`,
			k.component, k.region, iv.start, iv.end, iv.state); err != nil {
			return err
		}
	}
	return nil
}

// Intervals returns the component's merged states over [from, to), the
// regions combined (see combine), with the gaps filled by NoData so that
// the intervals tile the range.
func (s *Store) Intervals(ctx context.Context, component string, from, to time.Time) ([]Interval, error) {
	if !from.Before(to) {
		return nil, nil
	}
	f, t := from.UnixMilli(), to.UnixMilli()
	rows, err := s.db.QueryContext(ctx, `SELECT region, start, end, state FROM intervals
		WHERE component = ? AND start < ? AND end > ? ORDER BY region, start`, component, t, f)
	if err != nil {
		return nil, fmt.Errorf("read intervals: %w", err)
	}
	defer rows.Close()
	byRegion := map[string][]msInterval{}
	for rows.Next() {
		var region string
		var iv msInterval
		if err := rows.Scan(&region, &iv.start, &iv.end, &iv.state); err != nil {
			return nil, fmt.Errorf("read intervals: %w", err)
		}
		byRegion[region] = append(byRegion[region], iv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read intervals: %w", err)
	}
	regions := make([][]msInterval, 0, len(byRegion))
	for _, ivs := range byRegion {
		regions = append(regions, ivs)
	}
	return toIntervals(combine(regions, f, t)), nil
}

// Latency returns the component's hourly latency histograms for the hours
// that start in [from truncated to the hour, to), oldest first; hours
// without a successful result are left out.
func (s *Store) Latency(ctx context.Context, component string, from, to time.Time) ([]LatencyHour, error) {
	f := floorDiv(from.UnixMilli(), hourMS) * hourMS
	rows, err := s.db.QueryContext(ctx, `SELECT hour, bucket, count FROM latency
		WHERE component = ? AND hour >= ? AND hour < ? ORDER BY hour, bucket`, component, f, to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read latency: %w", err)
	}
	defer rows.Close()
	var out []LatencyHour
	for rows.Next() {
		var hour int64
		var bucket int
		var n uint64
		if err := rows.Scan(&hour, &bucket, &n); err != nil {
			return nil, fmt.Errorf("read latency: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Hour.UnixMilli() != hour {
			out = append(out, LatencyHour{Hour: time.UnixMilli(hour).UTC(), Counts: make([]uint64, len(LatencyBuckets)+1)})
		}
		if bucket >= 0 && bucket <= len(LatencyBuckets) {
			out[len(out)-1].Counts[bucket] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read latency: %w", err)
	}
	return out, nil
}

const resultColumns = `component, region, time, ok, latency_ms, status, error`

func scanResult(sc interface{ Scan(...any) error }) (Result, error) {
	var r Result
	var ms int64
	err := sc.Scan(&r.Component, &r.Region, &ms, &r.OK, &r.LatencyMS, &r.Status, &r.Error)
	r.Time = time.UnixMilli(ms).UTC()
	return r, err
}

// Latest returns the component's newest raw result, from any region.
func (s *Store) Latest(ctx context.Context, component string) (Result, bool, error) {
	r, err := scanResult(s.db.QueryRowContext(ctx, `SELECT `+resultColumns+` FROM results
		WHERE component = ? ORDER BY time DESC, region LIMIT 1`, component))
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("read latest result: %w", err)
	}
	return r, true, nil
}

// Prune drops raw results older than now-Retention. The roll-ups stay,
// and become final: results older than that horizon are ignored from then
// on, since they could not be merged into the roll-ups exactly.
func (s *Store) Prune(ctx context.Context, now time.Time) error {
	if s.opts.Retention <= 0 {
		return nil
	}
	h := now.Add(-s.opts.Retention).UnixMilli()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin prune: %w", err)
	}
	defer tx.Rollback()
	old, err := readHorizon(ctx, tx)
	if err != nil {
		return err
	}
	if h <= old {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM results WHERE time < ?`, h); err != nil {
		return fmt.Errorf("prune results: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'horizon'`, fmt.Sprint(h)); err != nil {
		return fmt.Errorf("prune results: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit prune: %w", err)
	}
	return nil
}
