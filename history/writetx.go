package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sync"
)

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
// their components. It keeps those it found or added for the transaction
// only, as an id added by a transaction that rolls back is not in the
// store, and looks first among the ids of committed ones (known).
type seriesIDs struct {
	q          *txStmts
	known      *knownIDs
	series     map[series]seriesID
	components map[string]int64
}

// seriesID is the ids of a series and of its component.
type seriesID struct{ id, component int64 }

// knownIDs are the series ids that a Store's committed transactions found
// or added. The ids of a series and of its component never change once
// committed, as neither table loses a row, and finding them again cost
// two queries a series in every transaction, 3 % of an import's writer.
type knownIDs struct {
	mu sync.Mutex
	m  map[series]seriesID
}

// keep adds the ids of a committed transaction.
func (k *knownIDs) keep(x *seriesIDs) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[series]seriesID{}
	}
	maps.Copy(k.m, x.series)
}

func (k *knownIDs) get(s series) (seriesID, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	id, ok := k.m[s]
	return id, ok
}

// get returns the ids of k and of its component.
func (x *seriesIDs) get(k series) (id, component int64, err error) {
	if x.series == nil {
		x.series, x.components = map[series]seriesID{}, map[string]int64{}
	}
	if sid, ok := x.series[k]; ok {
		return sid.id, sid.component, nil
	}
	if sid, ok := x.known.get(k); ok {
		x.series[k] = sid
		return sid.id, sid.component, nil
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
	x.series[k] = seriesID{id, component}
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
