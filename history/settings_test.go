package history

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestSettingsChangeRebuilds: reopening a store with another
// degraded_over or confirm rebuilds the intervals from the kept results,
// as if they had been recorded under the new settings.
func TestSettingsChangeRebuilds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	optsOf := func(confirm int, degradedOver time.Duration) Options {
		return Options{Components: map[string]ComponentOptions{"api": {Interval: time.Minute, Confirm: confirm, DegradedOver: degradedOver}}}
	}
	s, err := Open(path, optsOf(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	rs := append(res(t, "api", "0:u 1:s 2:s 3:u 4:d 5:u"), res(t, "api", "0:u@eu 1:s@eu 2:s@eu 3:u@eu 4:u@eu 5:u@eu")...)
	if err := s.Record(context.Background(), rs); err != nil {
		t.Fatal(err)
	}
	s.Close()
	steps := []struct {
		name         string
		confirm      int
		degradedOver time.Duration
		want         string
	}{
		{"a threshold is set", 1, time.Second, "0-1:up 1-3:degraded 3-6:up"},
		{"reopened unchanged", 1, time.Second, "0-1:up 1-3:degraded 3-6:up"},
		{"confirm rises", 3, time.Second, "0-3:no_data 3-6:up"},
		{"the threshold rises above the slow results", 1, 10 * time.Second, "0-6:up"},
		{"the threshold is dropped", 1, 0, "0-6:up"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			s, err := Open(path, optsOf(st.confirm, st.degradedOver))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			// Two regions: 4:d in one is outvoted by the other's 4:u.
			if got := intervalsOf(t, s, "api", 0, 6); got != st.want {
				t.Errorf("got %s, want %s", got, st.want)
			}
		})
	}
}
