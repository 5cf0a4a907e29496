package history

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"modernc.org/sqlite"
)

// TestReadsKeepStatements checks that each read of a build keeps its
// query prepared on the connection for the next call: a build runs each
// once per component, and preparing them anew at every call cost a timer
// tick more than reading the components' newest results.
func TestReadsKeepStatements(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "history.db")
	w, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var rs []Result
	for i := range 10 {
		rs = append(rs, Result{Component: "api", Time: base.Add(time.Duration(i) * time.Minute), OK: i != 4, LatencyMS: 80})
	}
	if err := w.Record(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	end := base.Add(time.Hour)
	tests := []struct {
		name string
		read func(st *Store) error
	}{
		{"Intervals", func(st *Store) error { _, err := st.Intervals(ctx, "api", base, end); return err }},
		{"Latency", func(st *Store) error { _, err := st.Latency(ctx, "api", base, end); return err }},
		{"LatencySummary", func(st *Store) error { _, _, err := st.LatencySummary(ctx, "api", base, end); return err }},
		{"LatencyMark", func(st *Store) error { _, err := st.LatencyMark(ctx, "api"); return err }},
		{"Latest", func(st *Store) error { _, _, err := st.Latest(ctx, "api", end); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := OpenReadOnly(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			// One connection, so that the statements read and the
			// status read are of the same.
			st.db.SetMaxOpenConns(1)
			if err := tt.read(st); err != nil {
				t.Fatal(err)
			}
			conn, err := st.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var kept int
			err = conn.Raw(func(dc any) error {
				kept, _, err = dc.(sqlite.DBStatus).Status(sqlite.DBStatusStmtUsed, false)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if kept == 0 {
				t.Errorf("got no statement kept after %s, want its query kept prepared", tt.name)
			}
		})
	}
}

// TestLatestAllocations holds Latest to one query whatever the regions:
// it was one for the component's series and one more for each region's
// newest result, each a round of the driver's allocations.
func TestLatestAllocations(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, regions := range []int{1, 3, 10} {
		t.Run(fmt.Sprintf("%d regions", regions), func(t *testing.T) {
			st := openTest(t, Options{})
			var rs []Result
			for i := range regions {
				rs = append(rs, Result{Component: "api", Region: fmt.Sprintf("r%d", i), Time: base.Add(time.Duration(i) * time.Minute), OK: true, LatencyMS: 80})
			}
			if err := st.Record(ctx, rs); err != nil {
				t.Fatal(err)
			}
			latest := func() {
				if _, ok, err := st.Latest(ctx, "api", base.Add(time.Hour)); !ok || err != nil {
					t.Fatalf("got %t, %v; want the newest result", ok, err)
				}
			}
			latest()
			if got := testing.AllocsPerRun(20, latest); got > 40 {
				t.Errorf("got %v allocations, want at most 40", got)
			}
		})
	}
}
