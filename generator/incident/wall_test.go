package incident

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestParseTime(t *testing.T) {
	la := mustLoc(t, "America/Los_Angeles")
	tests := []struct {
		name, in string
		want     string // RFC 3339 in UTC, or "error: <substring>"
	}{
		{"rfc3339", "2012-03-09T07:52:00-08:00", "2012-03-09T15:52:00Z"},
		{"rfc3339 utc", "2012-03-09T07:52:00Z", "2012-03-09T07:52:00Z"},
		{"local winter", "2012-03-09 07:52", "2012-03-09T15:52:00Z"},
		{"local summer", "2026-07-01 12:00", "2026-07-01T19:00:00Z"},
		{"local with seconds", "2026-07-01 12:00:30", "2026-07-01T19:00:30Z"},
		{"local T separator", "2026-07-01T12:00", "2026-07-01T19:00:00Z"},
		// 2026-03-08 02:30 does not exist in Los Angeles: clocks jump 02:00 → 03:00.
		{"dst gap", "2026-03-08 02:30", "error: does not exist"},
		// 2026-11-01 01:30 happens twice; the earlier is PDT (-07:00).
		{"dst overlap takes earlier", "2026-11-01 01:30", "2026-11-01T08:30:00Z"},
		{"just after overlap", "2026-11-01 02:30", "2026-11-01T10:30:00Z"},
		{"wrong day", "2026-02-30 10:00", `error: invalid time "2026-02-30 10:00": day out of range`},
		{"wrong month", "2026-13-45 25:61", `error: invalid time "2026-13-45 25:61": month out of range`},
		{"garbage", "yesterday", "error: invalid time"},
		{"american order", "03/09/2012 07:52", "error: invalid time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTime(tt.in, la)
			checkTime(t, got, err, tt.want)
		})
	}
}

func checkTime(t *testing.T, got time.Time, err error, want string) {
	t.Helper()
	if wantErr, ok := strings.CutPrefix(want, "error: "); ok {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("got %v, %v; want error containing %q", got, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("got error %v, want %s", err, want)
	}
	if s := got.UTC().Format(time.RFC3339); s != want {
		t.Fatalf("got %s, want %s", s, want)
	}
}

func TestParseHeadingTime(t *testing.T) {
	la := mustLoc(t, "America/Los_Angeles")
	berlin := mustLoc(t, "Europe/Berlin")
	tests := []struct {
		name, in string
		loc      *time.Location
		want     string
	}{
		{"site abbreviation winter", "2012-03-09 07:52 PST", la, "2012-03-09T15:52:00Z"},
		{"site abbreviation summer", "2026-07-01 07:52 PDT", la, "2026-07-01T14:52:00Z"},
		// An explicit abbreviation picks its side of an ambiguous hour.
		{"overlap PST is the later instant", "2026-11-01 01:30 PST", la, "2026-11-01T09:30:00Z"},
		{"overlap PDT is the earlier instant", "2026-11-01 01:30 PDT", la, "2026-11-01T08:30:00Z"},
		{"no zone means site zone", "2012-03-09 07:52", la, "2012-03-09T15:52:00Z"},
		{"utc", "2012-03-09 07:52 UTC", la, "2012-03-09T07:52:00Z"},
		{"z suffix", "2012-03-09 07:52Z", la, "2012-03-09T07:52:00Z"},
		{"numeric offset", "2012-03-09 07:52 -08:00", la, "2012-03-09T15:52:00Z"},
		{"numeric offset compact", "2012-03-09 07:52 +0530", la, "2012-03-09T02:22:00Z"},
		{"rfc3339", "2012-03-09T07:52:00-08:00", la, "2012-03-09T15:52:00Z"},
		{"other zone's abbreviation", "2012-03-09 07:52 EST", la, "error: unknown time zone abbreviation \"EST\""},
		{"berlin CET", "2026-01-10 09:00 CET", berlin, "2026-01-10T08:00:00Z"},
		{"berlin CEST", "2026-07-10 09:00 CEST", berlin, "2026-07-10T07:00:00Z"},
		{"PST in berlin", "2026-07-10 09:00 PST", berlin, "error: uses CEST and CET"},
		{"gap without zone", "2026-03-08 02:30", la, "error: does not exist"},
		{"bad minute", "2026-03-08 02:61 PST", la, `error: invalid time "2026-03-08 02:61": minute out of range`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHeadingTime(tt.in, tt.loc)
			checkTime(t, got, err, tt.want)
		})
	}
}

func TestZoneErrorSuggestsOffset(t *testing.T) {
	_, err := parseHeadingTime("2012-03-09 07:52 EST", mustLoc(t, "America/Los_Angeles"))
	ze, ok := err.(*zoneError)
	if !ok {
		t.Fatalf("got %T, want *zoneError", err)
	}
	if got, want := ze.fix(), "-05:00"; !strings.Contains(got, want) {
		t.Fatalf("got fix %q, want it to mention %s", got, want)
	}
}
