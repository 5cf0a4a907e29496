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
	"sync"
	"time"

	"modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-status/herald/config"
)

// Defaults for a component missing from Options.Components.
const (
	DefaultInterval = 60 * time.Second
	DefaultConfirm  = 1
)

// busyTimeout is how long a writer waits for another writer's transaction.
const busyTimeout = 60 * time.Second

// pageSize is the page size of a new store, twice SQLite's default: a
// transaction writes each page it changes to the WAL in two writes (a
// frame header and the page), and every series' results are appended in
// the middle of the results B-tree, so each page split moves the rows of
// three pages, whatever their size. Pages of 8 KiB halve the writes and
// the pages to split, find and cache, for a few more bytes rewritten per
// transaction (the last, partly filled page of each series). A store keeps
// the page size it was created with: SQLite ignores the setting once the
// file holds a table.
const pageSize = 8192

// ClockSkew is how far ahead of a command's clock a result may be stamped:
// a prober on another host whose clock runs a little fast. Import and the
// prober refuse results further ahead, and a build ignores them, so one
// result stamped in the year 9999 cannot stand as the newest for ever.
const ClockSkew = 5 * time.Minute

// Errors of the store, for errors.Is.
var (
	// ErrUnknownComponent is a result for a component the store was not
	// told about (Options.Strict).
	ErrUnknownComponent = errors.New("unknown component")
	// ErrInvalidResult is a result without a component or a time.
	ErrInvalidResult = errors.New("invalid result")
	// ErrFutureResult is a result stamped more than ClockSkew after the
	// clock of the command recording it (see CheckTime).
	ErrFutureResult = errors.New("result from the future")
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
	// DegradedOver makes a passing result slower than it Degraded; 0
	// never does.
	DegradedOver time.Duration
}

// state is what one result says: Down when it failed, Degraded when it
// passed slower than DegradedOver, else Up.
func (c ComponentOptions) state(ok bool, latencyMS float64) State {
	switch {
	case !ok:
		return Down
	case c.DegradedOver > 0 && latencyMS > float64(c.DegradedOver)/float64(time.Millisecond):
		return Degraded
	}
	return Up
}

// OptionsFor are the store's settings for the site cfg: its retention, and
// each probed component's interval, confirm count and degraded_over, which states are
// built from. Every command that opens the store takes them from here.
func OptionsFor(cfg *config.Config) Options {
	opts := Options{Components: map[string]ComponentOptions{}, Retention: cfg.History.Retention.D()}
	for _, c := range cfg.Components {
		if c.Probe != nil {
			opts.Components[c.ID] = ComponentOptions{Interval: c.Probe.Interval, Confirm: c.Probe.Confirm, DegradedOver: c.Probe.DegradedOver}
		}
	}
	return opts
}

// ImportOptions are OptionsFor(cfg) for results written from a file
// (herald import, herald migrate): strict, with every component of cfg
// known, so that a result for a component the site lacks is an error, not
// a silent orphan.
func ImportOptions(cfg *config.Config) Options {
	opts := OptionsFor(cfg)
	opts.Strict = true
	for _, c := range cfg.Components {
		if _, probed := opts.Components[c.ID]; !probed {
			opts.Components[c.ID] = ComponentOptions{}
		}
	}
	return opts
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
	// importBatch is the results an import writes a transaction:
	// defaultImportBatch, or fewer in tests, to make many transactions.
	importBatch int
	ids         knownIDs

	// reads are the read queries, each prepared on its first use and
	// kept until Close: a build runs them once per component, and
	// preparing them anew each time cost more than a timer tick's
	// reading of a component's newest result.
	readsMu sync.Mutex
	reads   [numReadQueries]*sql.Stmt
}

// readQuery is a query of the store's read methods (readQueries).
type readQuery int

const (
	queryIntervals readQuery = iota
	queryLatency
	queryLatencySummary
	queryLatencyMark
	queryLatest
	numReadQueries
)

var readQueries = [numReadQueries]string{
	queryIntervals: `SELECT s.region, i.start, i.end, i.state
		FROM components c JOIN series s ON s.component = c.id JOIN intervals i ON i.series = s.id
		WHERE c.name = ? AND i.start < ? AND i.end > ? ORDER BY s.region, i.start`,
	queryLatency: `SELECT hour, bucket, count FROM latency
		WHERE component = (SELECT id FROM components WHERE name = ?) AND hour >= ? AND hour < ? ORDER BY hour, bucket`,
	queryLatencySummary: `SELECT COUNT(*), COALESCE(SUM(count), 0) FROM latency
		WHERE component = (SELECT id FROM components WHERE name = ?) AND hour >= ? AND hour < ?`,
	queryLatencyMark: `SELECT
		COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'latency_late'), 0),
		(SELECT MAX(hour) FROM latency WHERE component = (SELECT id FROM components WHERE name = ?))`,
	// Each region's newest result is one seek of the primary key.
	queryLatest: `SELECT ` + resultColumns + ` FROM ` + resultJoin + `
		WHERE c.name = ? AND r.time = (SELECT MAX(time) FROM results WHERE series = s.id AND time <= ?)
		ORDER BY r.time DESC, s.region LIMIT 1`,
}

// read returns the statement of q, preparing it the first time.
func (s *Store) read(ctx context.Context, q readQuery) (*sql.Stmt, error) {
	s.readsMu.Lock()
	defer s.readsMu.Unlock()
	if s.reads[q] == nil {
		st, err := s.db.PrepareContext(ctx, readQueries[q])
		if err != nil {
			return nil, fmt.Errorf("prepare query: %w", err)
		}
		s.reads[q] = st
	}
	return s.reads[q], nil
}

// Open opens or creates the store at path, creating its folder.
func Open(path string, opts Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create history folder: %w", err)
	}
	q := url.Values{}
	// The busy timeout holds from the connection's first statement: the
	// driver runs it before the other settings.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	// NORMAL loses no committed transaction when the process is killed,
	// only (the last ones) on power loss; FULL would fsync every commit.
	q.Set("_synchronous", "NORMAL")
	// Writers take the write lock at BEGIN, so two writers queue on the
	// busy timeout instead of failing when a read lock cannot be upgraded.
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	if err := useWAL(context.Background(), db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	s := &Store{db: db, opts: opts, importBatch: defaultImportBatch}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	if err := s.rebuildChanged(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	return s, nil
}

// useWAL gives a new store pages of pageSize and switches it to WAL; the
// file keeps both, so one connection does it for every later one, and a
// store that has them already is left as it is. The page size is set
// first, since the switch writes a new file's first page, and with it the
// page size.
//
// Two processes opening the same new file at once may both switch it,
// and then SQLite returns SQLITE_BUSY at once rather than wait on the
// busy timeout: each holds a read lock and wants the write lock, which
// it sees as a deadlock. So the switch is retried, as the busy timeout
// would, until the other has finished.
func useWAL(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(busyTimeout)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		var mode string
		_, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", pageSize))
		if err == nil {
			err = conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		}
		switch {
		case err == nil && mode != "wal":
			return fmt.Errorf("switch to WAL: SQLite kept journal mode %q: put history.path on a local disk", mode)
		case err == nil:
			return nil
		case !isBusy(err) || time.Now().After(deadline):
			return fmt.Errorf("switch to WAL: %w", err)
		}
		time.Sleep(wait)
	}
}

// isBusy says whether err is SQLite's SQLITE_BUSY, of any extended code.
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// OpenReadOnly opens an existing store for reading only, as a build does.
// It writes nothing: no schema, no journal-mode switch, no checkpoint, so
// a watcher of the store's files is not woken by the reader itself (which
// would rebuild in a loop). The one exception is a store of an older
// schema, which it migrates once, as Open does.
func OpenReadOnly(path string, opts Options) (*Store, error) {
	s, v, err := openReadOnly(path, opts)
	if err != nil || v != 1 {
		return s, err
	}
	// Migrated here rather than refused, so that a build after an upgrade
	// does not fail until the next probe or import opens the store.
	s.Close()
	w, err := Open(path, opts)
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("open history %s: %w", path, err)
	}
	s, _, err = openReadOnly(path, opts)
	return s, err
}

// openReadOnly opens the store at path for reading, and says its schema.
func openReadOnly(path string, opts Options) (*Store, int, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "ro")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, 0, fmt.Errorf("open history %s: %w", path, err)
	}
	db.SetMaxIdleConns(4)
	v, err := readSchemaVersion(db)
	if err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("open history %s: %w", path, err)
	}
	return &Store{db: db, opts: opts}, v, nil
}

// query runs the read query q.
func (s *Store) query(ctx context.Context, q readQuery, args ...any) (*sql.Rows, error) {
	st, err := s.read(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs the read query q for one row; a query that could not be
// prepared is the row's error, as a failed query is sql.Row's.
func (s *Store) queryRow(ctx context.Context, q readQuery, args ...any) scanner {
	st, err := s.read(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

type scanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// Close closes the prepared statements and the database.
func (s *Store) Close() error {
	s.readsMu.Lock()
	defer s.readsMu.Unlock()
	var errs []error
	for i, st := range s.reads {
		if st != nil {
			errs = append(errs, st.Close())
			s.reads[i] = nil
		}
	}
	return errors.Join(append(errs, s.db.Close())...)
}

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
	_, err := s.record(ctx, s.db, group(rs))
	return err
}

func (s *Store) check(r Result) error {
	if r.Component == "" || r.Time.IsZero() {
		return fmt.Errorf("record result: %w: it needs a component and a time", ErrInvalidResult)
	}
	if _, known := s.opts.Components[r.Component]; s.opts.Strict && !known {
		return fmt.Errorf("record result: %w %s", ErrUnknownComponent, brief(r.Component))
	}
	if r.LatencyMS < 0 || math.IsNaN(r.LatencyMS) || math.IsInf(r.LatencyMS, 0) {
		return fmt.Errorf("record result: %w: latency_ms %v", ErrInvalidResult, r.LatencyMS)
	}
	return nil
}

// CheckTime refuses a result stamped more than ClockSkew after now, the
// clock of the command recording it: the clock that stamped it was wrong,
// and stored, it would stand as the component's newest result until its
// time came.
func CheckTime(r Result, now time.Time) error {
	if r.Time.Sub(now) > ClockSkew {
		return fmt.Errorf("%w: time %s is more than %d minutes after now, %s", ErrFutureResult,
			r.Time.Format(time.RFC3339Nano), int(ClockSkew/time.Minute), now.Format(time.RFC3339Nano))
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
	rows, err := s.query(ctx, queryIntervals, component, t, f)
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
	rows, err := s.query(ctx, queryLatency, component, f, to.UnixMilli())
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

// LatencySummary returns how many roll-up rows, and how many results in
// them, the latency histograms of component hold for the hours that start
// in [from, to). Writes only add to a row's count and pruning only removes
// rows, so while the summary of a range stays the same its histograms do:
// a reader that kept them need not read them again. It costs one pass over
// the rows inside SQLite, several times cheaper than reading them.
func (s *Store) LatencySummary(ctx context.Context, component string, from, to time.Time) (rows, results int64, err error) {
	f := floorDiv(from.UnixMilli(), hourMS) * hourMS
	err = s.queryRow(ctx, queryLatencySummary, component, f, to.UnixMilli()).Scan(&rows, &results)
	if err != nil {
		return 0, 0, fmt.Errorf("summarize latency: %w", err)
	}
	return rows, results, nil
}

// A LatencyMark tells a reader that kept a component's latency
// histograms which of them may have changed since (see
// Store.LatencyMark).
type LatencyMark struct {
	// Late changes whenever a write adds to an hour older than its
	// component's newest hour stored before it.
	Late int64
	// Newest is the start of the component's newest hour stored, in
	// Unix milliseconds; math.MinInt64 when it has none.
	Newest int64
}

// LatencyMark returns the store's count of late latency writes and the
// component's newest hour. Rows are never removed and a write only adds,
// so while Late stays the same every write since a mark m was read went
// to an hour at or after m.Newest: a reader that read its histograms
// after reading m need check, by LatencySummary, only the hours from
// m.Newest on, which are few, instead of all of them. Newest moving back
// means the store was replaced.
func (s *Store) LatencyMark(ctx context.Context, component string) (LatencyMark, error) {
	var m LatencyMark
	var newest sql.NullInt64
	err := s.queryRow(ctx, queryLatencyMark, component).Scan(&m.Late, &newest)
	if err != nil {
		return m, fmt.Errorf("read latency mark: %w", err)
	}
	m.Newest = math.MinInt64
	if newest.Valid {
		m.Newest = newest.Int64
	}
	return m, nil
}

// resultColumns are a Result's, from results r joined to its series s
// and component c (resultJoin).
const (
	resultColumns = `c.name, s.region, r.time, r.ok, r.latency_ms, r.status, r.error`
	resultJoin    = `results r JOIN series s ON s.id = r.series JOIN components c ON c.id = s.component`
)

func scanResult(sc scanner) (Result, error) {
	var r Result
	var ms int64
	err := sc.Scan(&r.Component, &r.Region, &ms, &r.OK, &r.LatencyMS, &r.Status, &r.Error)
	r.Time = time.UnixMilli(ms).UTC()
	return r, err
}

// Latest returns the component's newest raw result at or before until,
// from any region (the first region by name when two are equally new).
// until keeps out a result stamped in the future, which would otherwise
// stay the newest, and hide every real one, until its time came. It seeks
// the primary key once per region, so its cost does not grow with the
// number of results.
func (s *Store) Latest(ctx context.Context, component string, until time.Time) (Result, bool, error) {
	r, err := scanResult(s.queryRow(ctx, queryLatest, component, until.UnixMilli()))
	// ErrNoRows: no region has a result at or before until (only later
	// ones, or none left since a prune).
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
	// Series by series, so that each delete is a range of the primary key
	// and a store of millions of results is not read whole.
	if _, err := tx.ExecContext(ctx, `DELETE FROM results WHERE series IN (SELECT id FROM series) AND time < ?`, h); err != nil {
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
