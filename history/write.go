package history

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// recordStats counts what one transaction did.
type recordStats struct{ inserted, duplicates, expired int }

type series struct{ component, region string }

// span is the range of result times a transaction touched in one series.
type span struct{ min, max int64 }

type latencyKey struct {
	component int64 // its id
	hour      int64
	bucket    int
}

// beginner starts a write transaction: the Store's pool for Record, the
// one connection an import holds (with its bulk-load settings) for Import.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// insertRows is how many results one INSERT statement carries. One
// statement per result spends most of its time getting in and out of
// SQLite (database/sql, binding, starting and halting the VM); beyond a
// hundred or so rows a statement, the B-tree work dominates.
const insertRows = 128

// touched is one series a transaction added results to.
type touched struct {
	k  series
	id int64 // k's id
	sp span
	// fresh are the added results, in time order, when they were the
	// series' newest (nothing stored at or after the first): then they,
	// after the few stored results before them, are all that recompute
	// needs, and it need not read them back. nil otherwise.
	fresh []point
}

// record stores rs in one transaction and updates the roll-ups. Within
// the transaction, results are sorted by series and time, so that each
// series' rows are appended to the B-trees together, and the results
// already stored (or repeated within rs, where the first one wins) are
// found first, so that every row inserted is known to be new and
// multi-row INSERTs can be used.
func (s *Store) record(ctx context.Context, db beginner, rs []Result) (recordStats, error) {
	var st recordStats
	if len(rs) == 0 {
		return st, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, fmt.Errorf("begin record: %w", err)
	}
	defer tx.Rollback()
	q := &txStmts{ctx: ctx, tx: tx}
	defer q.close()
	horizon, err := readHorizon(ctx, tx)
	if err != nil {
		return st, err
	}

	// Group the results by series, in their order within each: a map
	// lookup a result costs less than comparing strings in a sort.
	ms := make([]int64, len(rs))
	index := map[series]int{}
	var keys []series
	var members [][]int32
	for i := range rs {
		ms[i] = rs[i].Time.UnixMilli()
		if ms[i] < horizon {
			st.expired++
			continue
		}
		k := series{rs[i].Component, rs[i].Region}
		j, ok := index[k]
		if !ok {
			j = len(keys)
			index[k] = j
			keys = append(keys, k)
			members = append(members, nil)
		}
		members[j] = append(members[j], int32(i))
	}
	// A fixed order of series keeps two concurrent writers' work identical.
	order := make([]int, len(keys))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(strings.Compare(keys[a].component, keys[b].component), strings.Compare(keys[a].region, keys[b].region))
	})
	byTime := func(a, b int32) int { return cmp.Compare(ms[a], ms[b]) }

	ins := seriesWriter{q: q}
	ids := seriesIDs{q: q}
	var groups []touched
	lat := map[latencyKey]int64{}
	var stored []int64
	for _, j := range order {
		k, m := keys[j], members[j]
		// In time order; equal times keep their order, so the first of
		// two copies of a result is the one kept.
		if !slices.IsSortedFunc(m, byTime) {
			slices.SortStableFunc(m, byTime)
		}
		lo, hi := ms[m[0]], ms[m[len(m)-1]]
		id, cid, err := ids.get(k)
		if err != nil {
			return st, err
		}
		var later bool
		if stored, later, err = q.storedTimes(id, lo, hi, stored[:0]); err != nil {
			return st, err
		}
		t := touched{k: k, id: id}
		co, _ := s.opts.component(k.component)
		ins.start(id)
		appendOnly := len(stored) == 0 && !later
		n, x := 0, 0
		for y, i := range m {
			at := ms[i]
			if y > 0 && at == ms[m[y-1]] {
				st.duplicates++ // the same result twice in rs
				continue
			}
			for x < len(stored) && stored[x] < at {
				x++
			}
			if x < len(stored) && stored[x] == at {
				st.duplicates++
				continue
			}
			r := &rs[i]
			if err := ins.add(r, at); err != nil {
				return st, fmt.Errorf("insert results: %w", err)
			}
			if n == 0 {
				t.sp.min = at
			}
			t.sp.max = at
			n++
			if appendOnly {
				t.fresh = append(t.fresh, point{at, co.state(r.OK, r.LatencyMS)})
			}
			if r.OK {
				lat[latencyKey{cid, floorDiv(at, hourMS) * hourMS, bucketOf(r.LatencyMS)}]++
			}
		}
		if err := ins.flush(); err != nil {
			return st, fmt.Errorf("insert results: %w", err)
		}
		st.inserted += n
		if n > 0 {
			groups = append(groups, t)
		}
	}
	if err := addLatency(q, lat); err != nil {
		return st, err
	}
	for _, t := range groups {
		if err := s.recompute(q, t); err != nil {
			return st, fmt.Errorf("update intervals of %s: %w", t.k.component, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return st, fmt.Errorf("commit results: %w", err)
	}
	return st, nil
}

// txStmts are one transaction's prepared statements, prepared on first
// use: a transaction runs each of them once per series or per row.
type txStmts struct {
	ctx context.Context
	tx  *sql.Tx
	byQ map[string]*sql.Stmt
}

func (q *txStmts) stmt(query string) (*sql.Stmt, error) {
	if st, ok := q.byQ[query]; ok {
		return st, nil
	}
	st, err := q.tx.PrepareContext(q.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if q.byQ == nil {
		q.byQ = map[string]*sql.Stmt{}
	}
	q.byQ[query] = st
	return st, nil
}

func (q *txStmts) close() {
	for _, st := range q.byQ {
		st.Close()
	}
}

func (q *txStmts) exec(query string, args ...any) (sql.Result, error) {
	st, err := q.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(q.ctx, args...)
}

func (q *txStmts) query(query string, args ...any) (*sql.Rows, error) {
	st, err := q.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(q.ctx, args...)
}

func (q *txStmts) queryRow(query string, args ...any) *sql.Row {
	st, err := q.stmt(query)
	if err != nil {
		// Unprepared, the same query fails again, and its Row says why.
		return q.tx.QueryRowContext(q.ctx, query, args...)
	}
	return st.QueryRowContext(q.ctx, args...)
}

// seriesIDs finds, or adds, the ids of a transaction's series and of
// their components. It keeps them for the transaction only: an id added by
// a transaction that rolls back is not in the store.
type seriesIDs struct {
	q          *txStmts
	series     map[series]int64
	components map[string]int64
}

// get returns the ids of k and of its component.
func (x *seriesIDs) get(k series) (id, component int64, err error) {
	if x.series == nil {
		x.series, x.components = map[series]int64{}, map[string]int64{}
	}
	if id, ok := x.series[k]; ok {
		return id, x.components[k.component], nil
	}
	component, ok := x.components[k.component]
	if !ok {
		if component, err = x.id(`SELECT id FROM components WHERE name = ?`,
			`INSERT INTO components (name) VALUES (?) RETURNING id`, k.component); err != nil {
			return 0, 0, fmt.Errorf("find component %s: %w", brief(k.component), err)
		}
		x.components[k.component] = component
	}
	if id, err = x.id(`SELECT id FROM series WHERE component = ? AND region = ?`,
		`INSERT INTO series (component, region) VALUES (?, ?) RETURNING id`, component, k.region); err != nil {
		return 0, 0, fmt.Errorf("find series %s region %s: %w", brief(k.component), brief(k.region), err)
	}
	x.series[k] = id
	return id, component, nil
}

// id is the id that find returns, or else the one add returns.
func (x *seriesIDs) id(find, add string, args ...any) (int64, error) {
	var id int64
	err := x.q.queryRow(find, args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = x.q.queryRow(add, args...).Scan(&id)
	}
	return id, err
}

// storedTimes appends to buf the times of series id's stored results in
// [lo, hi], in order, and says whether any is stored after hi.
func (q *txStmts) storedTimes(id, lo, hi int64, buf []int64) ([]int64, bool, error) {
	rows, err := q.query(`SELECT time FROM results WHERE series = ? AND time >= ? AND time <= ? ORDER BY time`,
		id, lo, hi)
	if err != nil {
		return buf, false, fmt.Errorf("read stored results: %w", err)
	}
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return buf, false, fmt.Errorf("read stored results: %w", err)
		}
		buf = append(buf, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return buf, false, fmt.Errorf("read stored results: %w", err)
	}
	var later bool
	if err := q.queryRow(`SELECT EXISTS (SELECT 1 FROM results WHERE series = ? AND time > ?)`,
		id, hi).Scan(&later); err != nil {
		return buf, false, fmt.Errorf("read stored results: %w", err)
	}
	return buf, later, nil
}

// insertSQL inserts rows results of one series: its id is bound once, then
// each row binds time, ok, latency_ms, status and error (NULL for none).
// Binding a string costs the driver a C copy, so this binds one string a
// row (usually none). Only new
// results are inserted (they are looked for first), so ON CONFLICT DO
// NOTHING is a guard, and seriesWriter checks that every row was stored.
func insertSQL(rows int) string {
	return `INSERT INTO results (series, time, ok, latency_ms, status, error)
		SELECT ?, column1, column2, column3, column4, coalesce(column5, '') FROM (VALUES ` +
		valuesList(rows, 5) + `) WHERE true ON CONFLICT DO NOTHING`
}

// insertSizes are the statement sizes a series' new results are written
// in, largest first.
var insertSizes = []int{insertRows, 16, 1}

var insertStmts = func() map[int]string {
	m := map[int]string{}
	for _, n := range insertSizes {
		m[n] = insertSQL(n)
	}
	return m
}()

// seriesWriter inserts one series' new results at a time, in statements
// of insertSizes rows.
type seriesWriter struct {
	q    *txStmts
	id   int64
	rows int
	args []any
}

const rowArgs = 5

func (w *seriesWriter) start(id int64) {
	w.id, w.rows = id, 0
	w.args = append(w.args[:0], id)
}

func (w *seriesWriter) add(r *Result, ms int64) error {
	var errText any // NULL: no error
	if r.Error != "" {
		errText = r.Error
	}
	w.args = append(w.args, ms, r.OK, r.LatencyMS, r.Status, errText)
	w.rows++
	if w.rows < insertRows {
		return nil
	}
	return w.flush()
}

// flush inserts the rows added since the last flush.
func (w *seriesWriter) flush() error {
	off := 0 // w.args[off:] are the series id and the rows left
	for _, size := range insertSizes {
		for w.rows >= size {
			w.args[off] = w.id
			res, err := w.q.exec(insertStmts[size], w.args[off:off+1+size*rowArgs]...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if int(n) != size {
				return fmt.Errorf("%d of %d new results stored: %w", n, size, errConcurrentWrite)
			}
			off, w.rows = off+size*rowArgs, w.rows-size
		}
	}
	w.args = w.args[:1]
	return nil
}

// The statements that add counts to the latency histograms.
var (
	latencyOne  = `INSERT INTO latency (component, hour, bucket, count) VALUES (?, ?, ?, ?)` + latencyUpsert
	latencyMany = `INSERT INTO latency (component, hour, bucket, count) VALUES ` + valuesList(latencyRows, 4) + latencyUpsert
)

const (
	latencyRows   = 64
	latencyUpsert = ` ON CONFLICT (component, hour, bucket) DO UPDATE SET count = count + excluded.count`
)

// valuesList is "(?, …), (?, …)…": rows rows of width parameters.
func valuesList(rows, width int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}

// rowWriter runs an INSERT of many rows a statement (many, per rows of
// width parameters) and, when flushed, of the rest one a statement (one).
type rowWriter struct {
	q          *txStmts
	one, many  string
	width, per int
	args       []any
}

func (w *rowWriter) add(args ...any) error {
	if w.args == nil {
		w.args = make([]any, 0, w.per*w.width)
	}
	w.args = append(w.args, args...)
	if len(w.args) < w.per*w.width {
		return nil
	}
	_, err := w.q.exec(w.many, w.args...)
	w.args = w.args[:0]
	return err
}

func (w *rowWriter) flush() error {
	for a := w.args; len(a) > 0; a = a[w.width:] {
		if _, err := w.q.exec(w.one, a[:w.width]...); err != nil {
			return err
		}
	}
	w.args = w.args[:0]
	return nil
}

// errConcurrentWrite means the results table changed under a transaction
// that holds the write lock: a bug, or a writer that ignores the lock.
var errConcurrentWrite = errors.New("the store changed during the transaction")

const hourMS = int64(time.Hour / time.Millisecond)

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func addLatency(q *txStmts, lat map[latencyKey]int64) error {
	// In key order, so that consecutive upserts touch the same pages.
	keys := slices.SortedFunc(maps.Keys(lat), func(a, b latencyKey) int {
		return cmp.Or(cmp.Compare(a.component, b.component), cmp.Compare(a.hour, b.hour), cmp.Compare(a.bucket, b.bucket))
	})
	w := rowWriter{q: q, one: latencyOne, many: latencyMany, width: 4, per: latencyRows}
	for _, k := range keys {
		if err := w.add(k.component, k.hour, k.bucket, lat[k]); err != nil {
			return fmt.Errorf("add latency: %w", err)
		}
	}
	if err := w.flush(); err != nil {
		return fmt.Errorf("add latency: %w", err)
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
