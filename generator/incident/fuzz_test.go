package incident

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"
)

// FuzzParse feeds arbitrary files to the front-matter and timeline parser.
// It must never panic, and whatever it accepts must be consistent.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/seeds/*.md")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\ntitle: x\ncomponents: [api]\nimpact: minor\nstarted: 2026-01-01 10:00\n---\n## 2026-01-01 10:05 PST — Resolved\n"))
	f.Add([]byte("---\n---\n"))
	p := testParser(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // Scan refuses it before Parse sees it
		}
		in, err := p.Parse("f.md", "f", data)
		if err != nil {
			if in != nil {
				t.Fatalf("got an incident and an error %v", err)
			}
			return
		}
		if in.Title == "" {
			t.Fatal("accepted an incident without a title")
		}
		if !slices.IsSortedFunc(in.Updates, func(a, b Update) int { return b.Time.Compare(a.Time) }) {
			t.Fatal("updates not newest first")
		}
		statuses := IncidentStatuses
		if in.Kind == KindMaintenance {
			statuses = MaintenanceStatuses
			if !in.ScheduledEnd.After(in.ScheduledStart) {
				t.Fatal("accepted a window that ends before it starts")
			}
		} else if !in.Resolved.IsZero() && in.Resolved.Before(in.Started) {
			t.Fatal("accepted resolved before started")
		}
		for _, u := range in.Updates {
			if !slices.Contains(statuses, u.Status) {
				t.Fatalf("accepted status %q", u.Status)
			}
		}
		for _, a := range in.Affected {
			if p.cfg.Component(a.ID) == nil || a.Status.Rank() < 0 {
				t.Fatalf("accepted component %q", a.ID)
			}
		}
	})
}

// FuzzParseHeadingTime checks that every accepted heading time means one
// instant: printing it back as UTC and parsing again gives the same one.
func FuzzParseHeadingTime(f *testing.F) {
	for _, s := range []string{"2012-03-09 07:52 PST", "2026-11-01 01:30", "2026-03-08 02:30", "2012-03-09 07:52 -08:00", "2012-03-09T07:52:00Z", "2026-07-01 12:00 UTC", "2026-07-01 12:00 EST"} {
		f.Add(s)
	}
	la := mustLoc(f, "America/Los_Angeles")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseHeadingTime(s, la)
		if err != nil {
			return
		}
		again, err := parseHeadingTime(got.UTC().Format("2006-01-02 15:04:05")+" UTC", la)
		if err != nil {
			t.Fatalf("%q → %v, which does not parse back: %v", s, got, err)
		}
		if !again.Equal(got) {
			t.Fatalf("%q → %v, back as %v", s, got, again)
		}
		if got.Year() < 0 || got.Year() > 10000 {
			t.Fatalf("%q → implausible %v", s, got)
		}
	})
}
