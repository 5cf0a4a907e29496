package render

import (
	"testing"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/generator/uptime"
)

// TestDayLink: a day of a bar or calendar links to its one incident as
// the page links to it, in one string (one allocation more before: the
// path, then the root and the path), to the list for several, and
// nowhere for none.
func TestDayLink(t *testing.T) {
	memtest.SkipUnderRace(t)
	p := &Page{Root: "../../"}
	a := &incident.Incident{Slug: "db-down"}
	b := &incident.Incident{Slug: "slow api"}
	link := dayLink(p, "#incidents")
	tests := []struct {
		name      string
		incidents []*incident.Incident
		want      string
		allocs    float64
	}{
		{"none", nil, "", 0},
		{"one", []*incident.Incident{a}, p.Rel(incidentPath(a)), 1},
		{"one escaped", []*incident.Incident{b}, p.Rel(incidentPath(b)), 2}, // and url.PathEscape's
		{"several", []*incident.Incident{a, b}, "#incidents", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := uptime.Day{Incidents: tt.incidents}
			if got := link(d); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if got := testing.AllocsPerRun(100, func() { link(d) }); got > tt.allocs {
				t.Errorf("got %.0f allocations, want at most %.0f", got, tt.allocs)
			}
		})
	}
}
