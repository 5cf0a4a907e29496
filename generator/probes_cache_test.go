package generator

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/herald-status/herald/history"
)

// TestLatencyCacheMoves reads a real store's latency through a
// latencyCache as the clock moves, as a Builder's timer rebuilds do: each
// read must equal a fresh read of the store, and the hours cached before
// must be kept, not read again, when an hour or a day passes (the window
// then moves by an hour or a day, which read all 3 days again before),
// while a late result in a cached hour is read.
func TestLatencyCacheMoves(t *testing.T) {
	ctx := context.Background()
	st, err := history.Open(filepath.Join(t.TempDir(), "h.db"), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var rs []history.Result
	for at := start; at.Before(start.Add(6 * 24 * time.Hour)); at = at.Add(10 * time.Minute) {
		rs = append(rs, history.Result{Component: "api", Time: at, OK: true, LatencyMS: float64(20 + at.Minute()*3)})
	}
	if err := st.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	c := &latencyCache{}
	now := start.Add(3*24*time.Hour + 30*time.Minute)
	window := func() time.Time { return now.Truncate(24*time.Hour).AddDate(0, 0, -2) }
	if _, err := c.read(ctx, st, "api", window(), now); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		after time.Duration
		late  *history.Result // recorded before the read
		kept  bool            // the hours cached before are kept
	}{
		{"a minute later", time.Minute, nil, true},
		{"an hour later", time.Hour, nil, true},
		{"a late result in a cached hour", time.Minute, &history.Result{Component: "api", Time: start.Add(2*24*time.Hour + 5*time.Hour + time.Second), OK: true, LatencyMS: 4000}, false},
		{"two hours later", 2 * time.Hour, nil, true},
		{"a day later", 24 * time.Hour, nil, true},
		{"four days later, past every cached hour", 4 * 24 * time.Hour, nil, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.late != nil {
				if err := st.Record(ctx, []history.Result{*s.late}); err != nil {
					t.Fatal(err)
				}
			}
			before := c.entries["api"]
			now = now.Add(s.after)
			got, err := c.read(ctx, st, "api", window(), now)
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.Latency(ctx, "api", window(), now)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %d hours unlike the store's %d, want the same", len(got), len(want))
			}
			after := c.entries["api"]
			if kept := shares(before.hours, after.hours); kept != s.kept {
				t.Errorf("got the cached hours kept %v, want %v", kept, s.kept)
			}
		})
	}
}

// shares says whether the first hour of b is an hour of a, as cached, not
// read again.
func shares(a, b []history.LatencyHour) bool {
	if len(b) == 0 {
		return false
	}
	for _, h := range a {
		if &h.Counts[0] == &b[0].Counts[0] {
			return true
		}
	}
	return false
}

// TestLatencyCacheMark checks that a latencyCache trusts the store's mark
// (history.Store.LatencyMark) and no more: with no late write counted it
// summarizes only the hours from the component's newest on, yet every
// write a herald writer makes, in the newest hour, in a new one or late
// in an old one, is read. The last step edits an old hour behind the
// writer's back, which no herald writer does: the cache keeps its hours,
// which shows that it no longer summarizes all 90 days' rows at each
// build (it did before the mark, and read that hour again).
func TestLatencyCacheMark(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	st, err := history.Open(path, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	now := start.Add(2*24*time.Hour + 30*time.Minute)
	// The prober stopped two hours ago: its newest hour is cached.
	newest := now.Truncate(time.Hour).Add(-2 * time.Hour)
	var rs []history.Result
	for at := start; at.Before(newest.Add(time.Hour)); at = at.Add(10 * time.Minute) {
		rs = append(rs, history.Result{Component: "api", Time: at, OK: true, LatencyMS: float64(20 + at.Minute()*3)})
	}
	if err := st.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	c := &latencyCache{}
	if _, err := c.read(ctx, st, "api", start, now); err != nil {
		t.Fatal(err)
	}
	record := func(at time.Time) func(t *testing.T) {
		return func(t *testing.T) {
			if err := st.Record(ctx, []history.Result{{Component: "api", Time: at, OK: true, LatencyMS: 4000}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := []struct {
		name   string
		change func(t *testing.T)
		kept   bool // the hours cached before are kept
		fresh  bool // what the cache gives is what the store holds
	}{
		{"nothing written", func(*testing.T) {}, true, true},
		{"a result in the newest hour, cached", record(newest.Add(time.Minute + time.Second)), false, true},
		{"a result in a new hour", record(now.Add(-time.Minute)), true, true},
		{"a late result in an old hour", record(start.Add(3*time.Hour + time.Second)), false, true},
		{"an old hour changed behind the writer's back", func(t *testing.T) {
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`UPDATE latency SET count = count + 1 WHERE hour = ?`, start.Add(time.Hour).UnixMilli()); err != nil {
				t.Fatal(err)
			}
		}, true, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change(t)
			before := c.entries["api"]
			got, err := c.read(ctx, st, "api", start, now)
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.Latency(ctx, "api", start, now)
			if err != nil {
				t.Fatal(err)
			}
			if fresh := reflect.DeepEqual(got, want); fresh != s.fresh {
				t.Errorf("got the store's hours %v, want %v", fresh, s.fresh)
			}
			if kept := shares(before.hours, c.entries["api"].hours); kept != s.kept {
				t.Errorf("got the cached hours kept %v, want %v", kept, s.kept)
			}
		})
	}
}
