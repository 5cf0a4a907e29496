package report

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/history"
)

// TestRevise publishes October 2026 on 2 November, then again on 10
// November after an incident dated 14 October was written: the second
// publication is a revision, from 100% to the new figure, and October's
// record keeps both. November, still running, is never recorded.
func TestRevise(t *testing.T) {
	utc := time.UTC
	in := Input{
		Components:    []Component{{ID: "api", Name: "API", Probed: true}},
		Intervals:     map[string][]history.Interval{"api": {iv(history.Up, at(utc, 10, 1, 0), at(utc, 11, 10, 0))}},
		PartialWeight: 0.3, MinCoverage: 0.5, Loc: utc,
	}
	late := outage("late", incident.MajorOutage, at(utc, 10, 14, 10), at(utc, 10, 14, 12))
	steps := []struct {
		name          string
		now           time.Time
		incidents     []*incident.Incident
		wantRevisions int
		wantFrom      string // the uptime the last revision replaced
		wantUptime    string // October's uptime in the record
	}{
		{"first publication", at(utc, 11, 2, 0), nil, 0, "", "100%"},
		{"same figures again", at(utc, 11, 5, 0), nil, 0, "", "100%"},
		{"an incident written later with an earlier date", at(utc, 11, 10, 0), []*incident.Incident{late}, 1, "100%", "99.73%"},
		{"unchanged since the revision", at(utc, 11, 10, 1), []*incident.Incident{late}, 1, "100%", "99.73%"},
	}
	rec := &Record{Version: recordVersion, Months: map[string]*Published{}}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			in.Now, in.Incidents = s.now, s.incidents
			months := Months(in)
			before := months[0].Key()
			rec = Revise(months, rec, s.now)
			oct := months[0]
			if got := len(oct.Revisions); got != s.wantRevisions {
				t.Fatalf("got %d revisions, want %d", got, s.wantRevisions)
			}
			if s.wantRevisions > 0 {
				r := oct.Revisions[len(oct.Revisions)-1]
				if got := r.From[0].Uptime; got != s.wantFrom {
					t.Errorf("got a revision from %s, want from %s", got, s.wantFrom)
				}
				if before == oct.Key() {
					t.Errorf("got the same Key with revisions as without, want it to cover them")
				}
			}
			p, ok := rec.Months["2026-10"]
			if !ok {
				t.Fatalf("got no record of October, want one")
			}
			if got := p.Components[0].Uptime; got != s.wantUptime {
				t.Errorf("got %s recorded, want %s", got, s.wantUptime)
			}
			if _, ok := rec.Months["2026-11"]; ok {
				t.Errorf("got November recorded, want a running month left out")
			}
		})
	}
}

func TestRecordFile(t *testing.T) {
	t.Run("written and read back", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "data", "reports.json")
		want := &Record{Version: recordVersion, Months: map[string]*Published{"2026-10": {
			At: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Components: []PublishedFigure{{ID: "api", Uptime: "100%", ObservedMinutes: 44640}},
		}}}
		if err := WriteRecord(path, want); err != nil {
			t.Fatal(err)
		}
		got, err := ReadRecord(path)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := got.Months["2026-10"].Components[0], want.Months["2026-10"].Components[0]; g != w {
			t.Errorf("got %+v, want %+v", g, w)
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		if len(entries) != 1 {
			t.Errorf("got %d files in the folder, want the record alone (no temporary file left)", len(entries))
		}
	})
	t.Run("missing is empty", func(t *testing.T) {
		got, err := ReadRecord(filepath.Join(t.TempDir(), "reports.json"))
		if err != nil || len(got.Months) != 0 {
			t.Errorf("got %v, %v; want an empty record", got, err)
		}
	})
	t.Run("a file herald did not write", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "reports.json")
		if err := os.WriteFile(path, []byte(`{"reports": ["mine"]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadRecord(path)
		var d *diag.Error
		if !errors.As(err, &d) {
			t.Fatalf("got %v, want a diag.Error naming the file", err)
		}
		if data, _ := os.ReadFile(path); string(data) != `{"reports": ["mine"]}` {
			t.Errorf("got the file changed to %q, want it left alone", data)
		}
	})
}

// TestReviseSite: the whole site's figure is recorded and revised as a
// component's is, and a record written before it was kept is no revision.
// In October, api is down from 10:00 to 11:00 on the 14th; web's hour down
// moves from 10:30 to 10:00 (probe results imported again), so web's own
// figures stay while the site's downtime falls from 90 to 60 minutes.
func TestReviseSite(t *testing.T) {
	utc := time.UTC
	hour := func(h int, m time.Duration) time.Time { return at(utc, 10, 14, h).Add(m * time.Minute) }
	probe := func(from time.Time) []history.Interval {
		return []history.Interval{
			iv(history.Up, at(utc, 10, 1, 0), from), iv(history.Down, from, from.Add(time.Hour)), iv(history.Up, from.Add(time.Hour), at(utc, 11, 1, 0)),
		}
	}
	october := func(webDown time.Time) *Month {
		return Months(Input{
			Components:    []Component{{ID: "api", Name: "API", Probed: true}, {ID: "web", Name: "Web", Probed: true}},
			Intervals:     map[string][]history.Interval{"api": probe(hour(10, 0)), "web": probe(webDown)},
			PartialWeight: 0.3, MinCoverage: 0.5, Loc: utc, Now: at(utc, 11, 2, 0),
		})[0]
	}
	first := october(hour(10, 30))
	rec := Revise([]*Month{first}, &Record{Version: recordVersion, Months: map[string]*Published{}}, at(utc, 11, 2, 0))
	old := *rec.Months["2026-10"]
	old.Site = nil
	tests := []struct {
		name          string
		rec           *Record
		webDown       time.Time
		wantRevisions int
		wantFromSite  string // the site's uptime the revision replaced, if any
		wantFrom      int    // components in the revision
	}{
		{"the site's figure changes alone", rec, hour(10, 0), 1, "99.79%", 0},
		{"a record without the site's figure is no revision", &Record{Version: recordVersion, Months: map[string]*Published{"2026-10": &old}}, hour(10, 30), 0, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := october(tt.webDown)
			next := Revise([]*Month{m}, tt.rec, at(utc, 11, 5, 0))
			if got := len(m.Revisions); got != tt.wantRevisions {
				t.Fatalf("got %d revisions, want %d", got, tt.wantRevisions)
			}
			if tt.wantRevisions > 0 {
				r := m.Revisions[0]
				if r.Site == nil || r.Site.Uptime != tt.wantFromSite {
					t.Errorf("got a revision from site %+v, want from %s", r.Site, tt.wantFromSite)
				}
				if got := len(r.From); got != tt.wantFrom {
					t.Errorf("got %d components in the revision, want %d", got, tt.wantFrom)
				}
			}
			p := next.Months["2026-10"]
			if want := publishedFigure("", m.Site.Summary); p.Site == nil || *p.Site != want {
				t.Errorf("got site %+v recorded, want %+v", p.Site, want)
			}
		})
	}
}

// TestReviseUnchangedWork: a Builder's closed months come back from its
// Cache at every build, with the revisions the last Revise gave them.
// When the record gives them the same again, Revise must not hash each
// month again for its Key: beyond naming each month and wording its
// figures (published) it allocates a handful of objects, however many
// months there are.
func TestReviseUnchangedWork(t *testing.T) {
	memtest.SkipUnderRace(t)
	utc := time.UTC
	now := at(utc, 11, 28, 15)
	late := outage("late", incident.MajorOutage, at(utc, 3, 14, 10), at(utc, 3, 14, 12))
	in := Input{
		Components: []Component{{ID: "api", Name: "API", Probed: true}, {ID: "web", Name: "Web"}},
		Intervals:  map[string][]history.Interval{"api": {iv(history.Up, at(utc, 1, 1, 0), now)}},
		Loc:        utc, Now: now, Cache: &Cache{},
	}
	for _, tc := range []struct {
		name      string
		revisions bool
	}{
		{"months never revised", false},
		{"a month revised once", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in.Incidents = nil
			rec := Revise(Months(in), &Record{Version: recordVersion, Months: map[string]*Published{}}, now.Add(-time.Hour))
			if tc.revisions {
				in.Incidents = []*incident.Incident{late}
				rec = Revise(Months(in), rec, now.Add(-time.Minute))
			}
			months := Months(in) // the cached months, revisions and all
			keys := map[string]string{}
			for _, m := range months {
				keys[m.Name()] = m.Key()
			}
			wording := testing.AllocsPerRun(10, func() {
				for _, m := range months {
					_ = m.Name()
					published(m)
				}
			})
			got := testing.AllocsPerRun(10, func() { Revise(months, rec, now) })
			if limit := wording + 8; got > limit {
				t.Errorf("got %.0f allocations for %d unchanged months, want at most %.0f (their names and wording, %.0f, and the record)", got, len(months), limit, wording)
			}
			for _, m := range months {
				if m.Key() != keys[m.Name()] {
					t.Errorf("%s: got its Key changed by the same revisions again", m.Name())
				}
			}
		})
	}
}

// TestWriteRecordUnchanged builds October on 2 November, records it, and
// builds again: a record Revise added nothing to since it was read is the
// file's already, and the file is left as it is (the same inode; a write
// renames a new file over it), while a revision, a month closed since or
// a record read from another file is written.
func TestWriteRecordUnchanged(t *testing.T) {
	utc := time.UTC
	in := Input{
		Components:    []Component{{ID: "api", Name: "API", Probed: true}},
		Intervals:     map[string][]history.Interval{"api": {iv(history.Up, at(utc, 9, 1, 0), at(utc, 11, 10, 0))}},
		PartialWeight: 0.3, MinCoverage: 0.5, Loc: utc,
	}
	late := outage("late", incident.MajorOutage, at(utc, 10, 14, 10), at(utc, 10, 14, 12))
	tests := []struct {
		name      string
		now       time.Time
		incidents []*incident.Incident
		elsewhere bool // read the record from a copy of the file
		wantKept  bool
	}{
		{"same figures again", at(utc, 11, 5, 0), nil, false, true},
		{"a revision", at(utc, 11, 5, 0), []*incident.Incident{late}, false, false},
		{"a month closed since", at(utc, 12, 2, 0), nil, false, false},
		{"read from another file", at(utc, 11, 5, 0), nil, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "reports.json")
			in.Now, in.Incidents = at(utc, 11, 2, 0), nil
			first := Revise(Months(in), &Record{Version: recordVersion, Months: map[string]*Published{}}, in.Now)
			if err := WriteRecord(path, first); err != nil {
				t.Fatal(err)
			}
			from := path
			if tt.elsewhere {
				from = filepath.Join(t.TempDir(), "reports.json")
				if err := WriteRecord(from, first); err != nil {
					t.Fatal(err)
				}
			}
			before, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := ReadRecord(from)
			if err != nil {
				t.Fatal(err)
			}
			in.Now, in.Incidents = tt.now, tt.incidents
			next := Revise(Months(in), rec, tt.now)
			if err := WriteRecord(path, next); err != nil {
				t.Fatal(err)
			}
			after, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := os.SameFile(before, after); got != tt.wantKept {
				t.Errorf("got the file kept %v, want %v", got, tt.wantKept)
			}
			got, err := ReadRecord(path)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := len(got.Months), len(next.Months); g != w {
				t.Errorf("got %d months in the file, want %d", g, w)
			}
			if g, w := len(got.Months["2026-10"].Revisions), len(next.Months["2026-10"].Revisions); g != w {
				t.Errorf("got %d revisions of October in the file, want %d", g, w)
			}
		})
	}
}

// TestRecordCache: a Builder's cache hands out the record it read while
// the file is the same, and reads it again once herald writes a new one,
// someone edits it in place, or it goes.
func TestRecordCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "reports.json")
	month := func(uptime string) *Record {
		return &Record{Version: recordVersion, Months: map[string]*Published{"2026-10": {
			At: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), Components: []PublishedFigure{{ID: "api", Uptime: uptime, ObservedMinutes: 44640}},
		}}}
	}
	uptimeIn := func(rec *Record) string { return rec.Months["2026-10"].Components[0].Uptime }
	if err := WriteRecord(path, month("100%")); err != nil {
		t.Fatal(err)
	}
	var c RecordCache
	first, err := c.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("read the unchanged file again, want the record kept")
	}

	// herald's own write: a new file renamed over the old.
	if err := WriteRecord(path, month("99.9%")); err != nil {
		t.Fatal(err)
	}
	got, err := c.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if uptimeIn(got) != "99.9%" {
		t.Errorf("after a new record was written, got October at %s, want 99.9%%", uptimeIn(got))
	}

	// An edit in place, of the same size, a second later.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := []byte(strings.Replace(string(data), "99.9%", "98.7%", 1))
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if got, err = c.Read(path); err != nil {
		t.Fatal(err)
	}
	if uptimeIn(got) != "98.7%" {
		t.Errorf("after an edit in place, got October at %s, want 98.7%%", uptimeIn(got))
	}

	// Another path is another record.
	other := filepath.Join(t.TempDir(), "reports.json")
	if err := WriteRecord(other, month("50%")); err != nil {
		t.Fatal(err)
	}
	if got, err = c.Read(other); err != nil || uptimeIn(got) != "50%" {
		t.Errorf("read %s: got %v, %v; want its own record", other, got, err)
	}

	// Gone, it is an empty record; broken, an error, each time.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if got, err = c.Read(path); err != nil || len(got.Months) != 0 {
		t.Errorf("got %v, %v for a missing record, want an empty one", got, err)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var d *diag.Error
		if _, err := c.Read(path); !errors.As(err, &d) {
			t.Errorf("got %v for a broken record, want a diag.Error naming it", err)
		}
	}

	// A nil cache reads the file each time.
	if err := WriteRecord(path, month("100%")); err != nil {
		t.Fatal(err)
	}
	var none *RecordCache
	a, errA := none.Read(path)
	b, errB := none.Read(path)
	if errA != nil || errB != nil || a == b || uptimeIn(a) != "100%" {
		t.Errorf("a nil cache: got %p, %p (%v, %v), want two reads of the record", a, b, errA, errB)
	}
}
