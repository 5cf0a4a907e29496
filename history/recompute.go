package history

import (
	"database/sql"
	"errors"
	"math"
	"sort"
)

// recompute rebuilds one series' intervals around the results a
// transaction added, whose times lie in t.sp. It starts at the run of
// results that the first new one may join (so a confirmation it completes
// is dated from the run's first result) and stops at the first later run
// that is unaffected and confirms itself, after which nothing can change.
func (s *Store) recompute(q *txStmts, t touched) error {
	k, sp := t.k, t.sp
	co, _ := s.opts.component(k.component)
	maxGap := 2 * co.Interval.Milliseconds()

	// Walk back over at most Confirm results before the first new one.
	rows, err := q.query(`SELECT time, ok, latency_ms FROM results WHERE series = ? AND time < ?
		ORDER BY time DESC LIMIT ?`, t.id, sp.min, co.Confirm)
	if err != nil {
		return err
	}
	var back []point
	for rows.Next() {
		p, err := co.scanPoint(rows)
		if err != nil {
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
		from, enter = back[0].t, back[0].st
	case run < len(back):
		// back[run] ends the run before: its confirmed state is final.
		from = back[run-1].t
		if enter, err = stateAt(q, t.id, back[run].t); err != nil {
			return err
		}
	default:
		// Every raw result before is gone (pruned) or there are none:
		// carry the last state the roll-up knows.
		if len(back) > 0 {
			from = back[len(back)-1].t
		}
		if enter, err = lastStateBefore(q, t.id, from); err != nil {
			return err
		}
	}

	until := int64(math.MaxInt64)
	var ps []point
	if t.fresh != nil {
		// The stored results at or after from are the ones of back from
		// from on, then the new ones; nothing comes after them.
		ps = make([]point, 0, len(back)+len(t.fresh))
		for i := len(back) - 1; i >= 0; i-- {
			if back[i].t >= from {
				ps = append(ps, back[i])
			}
		}
		ps = append(ps, t.fresh...)
	} else {
		rows, err = q.query(`SELECT time, ok, latency_ms FROM results WHERE series = ? AND time >= ?
		ORDER BY time`, t.id, from)
		if err != nil {
			return err
		}
		runStart := 0
		for rows.Next() {
			p, err := co.scanPoint(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if n := len(ps); n > 0 && ps[n-1].st != p.st {
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
	}
	fresh := buildIntervals(ps, enter, maxGap, co.Confirm, until)
	return splice(q, t.id, from, until, fresh)
}

// scanPoint reads a row of time, ok and latency_ms as a point.
func (c ComponentOptions) scanPoint(rows *sql.Rows) (point, error) {
	var p point
	var ok bool
	var latency float64
	err := rows.Scan(&p.t, &ok, &latency)
	p.st = c.state(ok, latency)
	return p, err
}

// equalPrefix is how many of ps, from the first, share its state.
func equalPrefix(ps []point) int {
	n := 0
	for n < len(ps) && ps[n].st == ps[0].st {
		n++
	}
	return n
}

func stateAt(q *txStmts, id, t int64) (State, error) {
	var st State
	err := q.queryRow(`SELECT state FROM intervals WHERE series = ? AND start <= ? AND end > ?
		ORDER BY start DESC LIMIT 1`, id, t, t).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return NoData, nil
	}
	return st, err
}

func lastStateBefore(q *txStmts, id, t int64) (State, error) {
	var st State
	err := q.queryRow(`SELECT state FROM intervals WHERE series = ? AND start < ?
		ORDER BY start DESC LIMIT 1`, id, t).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return NoData, nil
	}
	return st, err
}

// splice replaces series id's stored intervals within [from, until) by
// fresh, keeping what lies outside and merging across the seams.
func splice(q *txStmts, id, from, until int64, fresh []msInterval) error {
	rows, err := q.query(`SELECT start, end, state FROM intervals WHERE series = ?
		AND start <= ? AND end >= ?`, id, until, from)
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
		if _, err := q.exec(`DELETE FROM intervals WHERE series = ? AND start = ?`,
			id, iv.start); err != nil {
			return err
		}
	}
	for _, iv := range merged {
		if _, err := q.exec(`INSERT INTO intervals (series, start, end, state) VALUES (?, ?, ?, ?)`,
			id, iv.start, iv.end, iv.state); err != nil {
			return err
		}
	}
	return nil
}
