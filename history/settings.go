package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// settings names what a component's intervals are built with, so that a
// store can tell when herald.yaml changed them.
func (c ComponentOptions) settings() string {
	return fmt.Sprintf("interval=%d confirm=%d degraded_over=%d", c.Interval.Milliseconds(), c.Confirm, c.DegradedOver.Milliseconds())
}

// rebuildChanged rebuilds, from the raw results still kept, the intervals
// of each component whose interval, confirm or degraded_over differ from
// those its stored intervals were built with, and records the new ones in
// meta. Without it a changed threshold would apply only to new results,
// and a page would mix two meanings of "degraded". Intervals before the
// retention horizon have no raw results left and stay as they were.
func (s *Store) rebuildChanged(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin rebuild: %w", err)
	}
	defer tx.Rollback()
	q := &txStmts{ctx: ctx, tx: tx}
	defer q.close()
	for _, id := range slices.Sorted(maps.Keys(s.opts.Components)) {
		co, _ := s.opts.component(id)
		key, want := "settings:"+id, co.settings()
		var have string
		err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&have)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			// Built by a herald that kept no record: it knew no
			// degraded_over, and took the interval and confirm it was
			// given, which are taken to be today's.
			have = ComponentOptions{Interval: co.Interval, Confirm: co.Confirm}.settings()
		case err != nil:
			return fmt.Errorf("read settings of %s: %w", brief(id), err)
		}
		if recorded := err == nil; recorded && have == want {
			continue
		}
		if have != want {
			if err := s.rebuild(q, id); err != nil {
				return fmt.Errorf("rebuild intervals of %s: %w", brief(id), err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, want); err != nil {
			return fmt.Errorf("record settings of %s: %w", brief(id), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit rebuild: %w", err)
	}
	return nil
}

// rebuild recomputes every region of component from its first kept result on.
func (s *Store) rebuild(q *txStmts, component string) error {
	rows, err := q.query(`SELECT s.id, s.region, MIN(r.time) FROM series s
		JOIN components c ON c.id = s.component JOIN results r ON r.series = s.id
		WHERE c.name = ? GROUP BY s.id ORDER BY s.region`, component)
	if err != nil {
		return err
	}
	var ts []touched
	for rows.Next() {
		t := touched{k: series{component: component}, sp: span{max: math.MaxInt64}}
		if err := rows.Scan(&t.id, &t.k.region, &t.sp.min); err != nil {
			rows.Close()
			return err
		}
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range ts {
		if err := s.recompute(q, t); err != nil {
			return err
		}
	}
	return nil
}
