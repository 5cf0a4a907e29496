package incident

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestParseSetsSum: the parser gives an incident a Sum that changes with
// its file's path, slug and bytes, and only with them.
func TestParseSetsSum(t *testing.T) {
	const src = "---\ntitle: Down\ncomponents: {website: major_outage}\nstarted: 2026-11-28 01:00\n---\nSummary.\n"
	p := testParser(t)
	parse := func(file, slug, data string) [32]byte {
		t.Helper()
		in, err := p.Parse(file, slug, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		return in.Sum
	}
	base := parse("incidents/ab.md", "ab", src)
	if base == ([32]byte{}) {
		t.Fatal("got a zero Sum")
	}
	tests := []struct {
		name             string
		file, slug, data string
		same             bool
	}{
		{"the same file again", "incidents/ab.md", "ab", src, true},
		{"another path", "incidents/2026/ab.md", "ab", src, false},
		{"another slug", "incidents/ab.md", "a", src, false},
		{"other bytes", "incidents/ab.md", "ab", src + "More.\n", false},
		{"a path's end moved into the slug", "incidents/a", "b.mdab", src, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parse(tt.file, tt.slug, tt.data) == base; got != tt.same {
				t.Errorf("got same Sum %v, want %v", got, tt.same)
			}
		})
	}
}

// TestSortNewest holds SortNewest to sorting by Newest: incidents and
// maintenance, times that tie (then the slug decides), and an
// in_progress update that opens a window early.
func TestSortNewest(t *testing.T) {
	base := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	var ins []*Incident
	for i, n := range rng.Perm(500) { // slugs are unique in a site
		at := base.Add(time.Duration(rng.IntN(50)) * time.Hour) // many ties
		in := &Incident{Slug: fmt.Sprintf("s%03d", n), Kind: KindIncident, Started: at}
		if i%3 == 0 {
			in.Kind, in.Started, in.ScheduledStart = KindMaintenance, time.Time{}, at
			if i%2 == 0 {
				in.Updates = []Update{{Status: "in_progress", Time: at.Add(-time.Duration(rng.IntN(5)) * time.Hour)}}
			}
		}
		ins = append(ins, in)
	}
	want := slices.Clone(ins)
	slices.SortFunc(want, Newest)
	got := slices.Clone(ins)
	SortNewest(got)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("at %d: got %s (%s), want %s (%s)", i, got[i].Slug, got[i].SortKey(), want[i].Slug, want[i].SortKey())
		}
	}
}
