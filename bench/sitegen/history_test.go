package sitegen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestWriteProbeHistory(t *testing.T) {
	if got, want := ProbeResults(Large), 12_960_000; got != want {
		t.Errorf("ProbeResults(Large) = %d, want %d", got, want)
	}
	write := func(first, n int) string {
		var b bytes.Buffer
		if err := WriteProbeHistory(&b, Large, 1, first, n); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	whole := write(0, 5000)
	if got := write(0, 1234) + write(1234, 5000-1234); got != whole {
		t.Error("two halves differ from the whole")
	}
	if got := write(0, 5000); got != whole {
		t.Error("the same range differs between two calls")
	}
	lines := strings.Split(strings.TrimSuffix(whole, "\n"), "\n")
	if len(lines) != 5000 {
		t.Fatalf("got %d lines, want 5000", len(lines))
	}
	for i, l := range []string{lines[0], lines[Large.Components]} {
		var r struct {
			Component, Time, Error, Region string
			OK                             *bool
			LatencyMS                      *float64 `json:"latency_ms"`
			Status                         *int
		}
		d := json.NewDecoder(strings.NewReader(l))
		d.DisallowUnknownFields()
		if err := d.Decode(&r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		want := ProbeStart(Large).Add(time.Duration(i) * ProbeInterval).Format(time.RFC3339)
		if r.Component != "api-1" || r.Time != want || r.OK == nil || r.LatencyMS == nil || r.Status == nil || r.Region != "default" {
			t.Errorf("line %q: got %+v, want api-1 at %s with every field", l, r, want)
		}
	}
	// The last result is one interval before Now.
	last := write(ProbeResults(Large)-1, 10)
	if want := Now.Add(-ProbeInterval).Format(time.RFC3339); !strings.Contains(last, want) || strings.Count(last, "\n") != 1 {
		t.Errorf("last result %q, want one line at %s", last, want)
	}
}
