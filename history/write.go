package history

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
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

// latencyCount is n results counted in one latency histogram bucket.
type latencyCount struct {
	latencyKey
	n int64
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
// insertSizes steps down by fours so that the rest of a series (a batch
// holds about 500 results of each of 100 series, as a prober writes them)
// takes a few statements, not one a result.
const insertRows = 256

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

// batch is the results of one transaction grouped by series, each
// series' in time order: the part of record's work that needs no store,
// which an import does on its reading goroutine, beside the writer.
type batch struct {
	rs      []Result
	ms      []int64   // rs[i]'s time, Unix milliseconds
	keys    []series  // by component, then region
	members [][]int32 // keys[j]'s results, indexes into rs, in time order
}

// group groups rs by series. Equal times keep their order within a
// series, so that of two copies of a result the first is the one kept.
func group(rs []Result) batch {
	b := batch{rs: rs, ms: make([]int64, len(rs))}
	// A map lookup a result costs less than comparing strings in a sort.
	index := map[series]int{}
	for i := range rs {
		b.ms[i] = rs[i].Time.UnixMilli()
		k := series{rs[i].Component, rs[i].Region}
		j, ok := index[k]
		if !ok {
			j = len(b.keys)
			index[k] = j
			b.keys = append(b.keys, k)
			b.members = append(b.members, nil)
		}
		b.members[j] = append(b.members[j], int32(i))
	}
	// A fixed order of series keeps two concurrent writers' work identical.
	order := make([]int, len(b.keys))
	for j := range order {
		order[j] = j
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(strings.Compare(b.keys[x].component, b.keys[y].component), strings.Compare(b.keys[x].region, b.keys[y].region))
	})
	keys, members := make([]series, len(order)), make([][]int32, len(order))
	byTime := func(x, y int32) int { return cmp.Compare(b.ms[x], b.ms[y]) }
	for to, from := range order {
		keys[to], members[to] = b.keys[from], b.members[from]
		if !slices.IsSortedFunc(members[to], byTime) {
			slices.SortStableFunc(members[to], byTime)
		}
	}
	b.keys, b.members = keys, members
	return b
}

// record stores b in one transaction and updates the roll-ups. Each
// series' rows are appended to the B-trees together, and the results
// already stored (or repeated within b, where the first one wins) are
// found first, so that every row inserted is known to be new and
// multi-row INSERTs can be used.
func (s *Store) record(ctx context.Context, db beginner, b batch) (st recordStats, err error) {
	if len(b.rs) == 0 {
		return st, nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return st, fmt.Errorf("begin record: %w", err)
	}
	defer tx.Rollback()
	// The statements run without ctx's cancellation: for each statement
	// that can be cancelled, the driver starts a goroutine and installs a
	// progress handler, and database/sql a goroutine for each query, 4 %
	// of an import's CPU. The write lock is held from BEGIN (see Open's
	// _txlock), so no statement waits for one, each takes a millisecond
	// or so, and once ctx is done database/sql rolls the transaction back
	// after the statement running; the next one fails, for ctx's reason.
	q := &txStmts{ctx: context.WithoutCancel(ctx), tx: tx}
	defer func() {
		if err != nil && ctx.Err() != nil {
			err = ctx.Err()
		}
	}()
	defer q.close()
	horizon, err := readHorizon(ctx, tx)
	if err != nil {
		return st, err
	}
	rs, ms := b.rs, b.ms

	ins := newSeriesWriter(q)
	ids := seriesIDs{q: q, known: &s.ids}
	var groups []touched
	var lat []latencyCount
	// A series' results come in time order, so its latency counts are
	// gathered an hour at a time here, and added to lat once an hour and
	// bucket rather than once a result.
	hourCounts := make([]int64, len(LatencyBuckets)+1)
	var hourStart, hourOf int64 = 0, -1 // hourOf: the component id counted, or none
	addHour := func() {
		for b, n := range hourCounts {
			if n > 0 {
				lat = append(lat, latencyCount{latencyKey{hourOf, hourStart, b}, n})
				hourCounts[b] = 0
			}
		}
	}
	var stored []int64
	for j, k := range b.keys {
		m := b.members[j]
		// The results before the horizon, the first in time order.
		expired, _ := slices.BinarySearchFunc(m, horizon, func(i int32, h int64) int { return cmp.Compare(ms[i], h) })
		st.expired += expired
		if m = m[expired:]; len(m) == 0 {
			continue
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
		if len(stored) == 0 && !later {
			t.fresh = make([]point, 0, len(m))
		}
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
			if t.fresh != nil {
				t.fresh = append(t.fresh, point{at, co.state(r.OK, r.LatencyMS)})
			}
			if r.OK {
				if h := floorDiv(at, hourMS) * hourMS; h != hourStart || cid != hourOf {
					addHour()
					hourStart, hourOf = h, cid
				}
				hourCounts[bucketOf(r.LatencyMS)]++
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
	addHour()
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
	s.ids.keep(&ids)
	return st, nil
}

// storedTimes appends to buf the times of series id's stored results in
// [lo, hi], in order, and says whether any is stored after hi. One query
// reads them and the first time after hi, and no further: SQLite steps a
// query a row at a time, so the rows after that one are never read.
func (q *txStmts) storedTimes(id, lo, hi int64, buf []int64) ([]int64, bool, error) {
	rows, err := q.query(`SELECT time FROM results WHERE series = ? AND time >= ? ORDER BY time`, id, lo)
	if err != nil {
		return buf, false, fmt.Errorf("read stored results: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return buf, false, fmt.Errorf("read stored results: %w", err)
		}
		if t > hi {
			return buf, true, nil
		}
		buf = append(buf, t)
	}
	if err := rows.Err(); err != nil {
		return buf, false, fmt.Errorf("read stored results: %w", err)
	}
	return buf, false, nil
}

// A result is inserted as two values (see pack) when it can be, else as
// five. Binding is most of what an INSERT costs the writer beyond the
// B-tree (each value is a call into the driver, which takes the
// connection's mutex), and most results carry no error text and an HTTP
// status. Only new results are inserted (they are looked for first), so
// OR IGNORE is a guard, and seriesWriter checks that every row was stored;
// it is OR IGNORE rather than ON CONFLICT DO NOTHING because a statement
// that cannot abort needs no statement journal.
//
// packedSQL binds the series id once, then each row's packed time, ok
// and status, and its latency_ms; the error column keeps its default,
// the empty string.
func packedSQL(rows int) string {
	return `INSERT OR IGNORE INTO results (series, time, ok, latency_ms, status)
		SELECT ?, column1 >> 11, column1 & 1, column2, (column1 >> 1) & 1023 FROM (VALUES ` +
		valuesList(rows, packedArgs) + `)`
}

// insertSQL binds the series id once, then each row's time, ok,
// latency_ms, status and error.
func insertSQL(rows int) string {
	return `INSERT OR IGNORE INTO results (series, time, ok, latency_ms, status, error)
		SELECT ?, column1, column2, column3, column4, column5 FROM (VALUES ` +
		valuesList(rows, rowArgs) + `)`
}

const (
	packedArgs = 2
	rowArgs    = 5
	// maxPackedStatus and packTimeBits bound what pack takes: a status
	// needs 10 bits, and a time of 52 bits (±142,000 years in
	// milliseconds) holds any that RFC 3339's four-digit years can write.
	maxPackedStatus = 1<<10 - 1
	packTimeBits    = 52
)

// pack puts a result's time (ms), status and ok in one integer, as
// ms<<11 | status<<1 | ok, the form packedSQL takes apart. It says false
// for a result with an error text or a status outside 0..1023, which are
// inserted unpacked.
func pack(ms int64, r *Result) (int64, bool) {
	if r.Error != "" || r.Status < 0 || r.Status > maxPackedStatus || ms >= 1<<packTimeBits || ms < -1<<packTimeBits {
		return 0, false
	}
	v := ms<<11 | int64(r.Status)<<1
	if r.OK {
		v |= 1
	}
	return v, true
}

// insertSizes are the statement sizes a series' new results are written
// in, largest first.
var insertSizes = []int{insertRows, 64, 16, 4, 1}

// The INSERTs of each size, packed and not, written on a process's first
// insert: most commands never write a result.
var insertsBySize = sync.OnceValues(func() (packed, plain map[int]string) {
	return bySize(packedSQL), bySize(insertSQL)
})

func bySize(sql func(rows int) string) map[int]string {
	m := map[int]string{}
	for _, n := range insertSizes {
		m[n] = sql(n)
	}
	return m
}

// rowInserts writes one series' rows of one shape (packed or not) in
// statements of insertSizes rows.
type rowInserts struct {
	width int
	query map[int]string // by rows
	rows  int
	args  []any // the series id, then the rows
}

// seriesWriter inserts one series' new results at a time.
type seriesWriter struct {
	q      *txStmts
	id     int64
	packed rowInserts
	plain  rowInserts
}

func newSeriesWriter(q *txStmts) *seriesWriter {
	packed, plain := insertsBySize()
	return &seriesWriter{q: q, packed: rowInserts{width: packedArgs, query: packed}, plain: rowInserts{width: rowArgs, query: plain}}
}

func (w *seriesWriter) start(id int64) {
	w.id = id
	for _, ri := range []*rowInserts{&w.packed, &w.plain} {
		ri.rows, ri.args = 0, append(ri.args[:0], id)
	}
}

func (w *seriesWriter) add(r *Result, ms int64) error {
	ri := &w.packed
	if v, ok := pack(ms, r); ok {
		ri.args = append(ri.args, v, r.LatencyMS)
	} else {
		ri = &w.plain
		ri.args = append(ri.args, ms, r.OK, r.LatencyMS, r.Status, r.Error)
	}
	ri.rows++
	if ri.rows < insertRows {
		return nil
	}
	return w.insert(ri)
}

// flush inserts the rows added since the last flush.
func (w *seriesWriter) flush() error {
	if err := w.insert(&w.packed); err != nil {
		return err
	}
	return w.insert(&w.plain)
}

// insert writes ri's rows.
func (w *seriesWriter) insert(ri *rowInserts) error {
	off := 0 // ri.args[off:] are the series id and the rows left
	for _, size := range insertSizes {
		for ri.rows >= size {
			ri.args[off] = w.id
			res, err := w.q.exec(ri.query[size], ri.args[off:off+1+size*ri.width]...)
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
			off, ri.rows = off+size*ri.width, ri.rows-size
		}
	}
	ri.args = ri.args[:1]
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

// addLatency adds lat's counts to the latency histograms. A key may come
// more than once in lat, from each region of a component.
func addLatency(q *txStmts, lat []latencyCount) error {
	// In key order, so that consecutive upserts touch the same pages. A
	// sort and a pass that sums the counts of a key cost a transaction
	// less than a map of the keys did (2 % of an import's writer): lat is
	// in order already when each component has one region and its id
	// follows its name's order.
	byKey := func(a, b latencyCount) int {
		return cmp.Or(cmp.Compare(a.component, b.component), cmp.Compare(a.hour, b.hour), cmp.Compare(a.bucket, b.bucket))
	}
	if !slices.IsSortedFunc(lat, byKey) {
		slices.SortFunc(lat, byKey)
	}
	keys := lat[:0]
	for _, c := range lat {
		if last := len(keys) - 1; last >= 0 && keys[last].latencyKey == c.latencyKey {
			keys[last].n += c.n
			continue
		}
		keys = append(keys, c)
	}
	w := rowWriter{q: q, one: latencyOne, many: latencyMany, width: 4, per: latencyRows}
	for i, k := range keys {
		if i == 0 || keys[i-1].component != k.component {
			// k is the component's earliest hour here, and none of its
			// rows is written yet. Counted from a random start, so that a
			// store made anew is unlikely to carry the count a reader
			// remembers of another.
			if _, err := q.exec(latencyLateBump, rand.Int64N(1<<62), k.component, k.hour); err != nil {
				return fmt.Errorf("count late latency: %w", err)
			}
		}
		if err := w.add(k.component, k.hour, k.bucket, k.n); err != nil {
			return fmt.Errorf("add latency: %w", err)
		}
	}
	if err := w.flush(); err != nil {
		return fmt.Errorf("add latency: %w", err)
	}
	return nil
}

// latencyLateBump counts a write of latency to an hour older than its
// component's newest stored (see Store.LatencyMark): ?1 is the count's
// start, ?2 the component, ?3 the earliest hour written. An upsert's
// SELECT needs its WHERE, which this one has.
const latencyLateBump = `INSERT INTO meta (key, value)
	SELECT 'latency_late', ?1 WHERE EXISTS (SELECT 1 FROM latency WHERE component = ?2 AND hour > ?3)
	ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`

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
