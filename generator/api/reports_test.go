package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/history"
)

// reportInput is November 2026 in Los Angeles (1 November has 25 hours)
// for a probed and an unprobed component, with an outage, a partial
// outage weighted by a third, a maintenance and probe data that stops on
// the 20th; times off the minute make the rounding show.
func reportInput() report.Input {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		panic(err)
	}
	at := func(day, hour, sec int) time.Time { return time.Date(2026, 11, day, hour, 0, sec, 0, la) }
	affects := func(id string, s incident.Status) []incident.Affected {
		return []incident.Affected{{ID: id, Status: s}}
	}
	return report.Input{
		Components: []report.Component{{ID: "api", Name: "API", Probed: true}, {ID: "docs", Name: "Docs"}},
		Incidents: []*incident.Incident{
			{Slug: "db", Title: "Database down", Kind: incident.KindIncident, Affected: affects("api", incident.MajorOutage), Started: at(1, 0, 0), Resolved: at(1, 5, 0)},
			{Slug: "slow", Title: "Slow docs", Kind: incident.KindIncident, Affected: affects("docs", incident.PartialOutage), Started: at(3, 7, 7), Resolved: at(3, 9, 0)},
			{Slug: "swap", Title: "Swap", Kind: incident.KindMaintenance, Affected: affects("api", incident.UnderMaintenance), ScheduledStart: at(10, 1, 0), ScheduledEnd: at(10, 2, 0)},
		},
		Intervals: map[string][]history.Interval{"api": {
			{Start: at(1, 0, 0), End: at(4, 10, 13), State: history.Up},
			{Start: at(4, 10, 13), End: at(4, 11, 0), State: history.Down},
			{Start: at(4, 11, 0), End: at(20, 0, 0), State: history.Up},
		}},
		PartialWeight: 1.0 / 3, MinCoverage: 0.5, Loc: la, Now: at(28, 15, 0),
	}
}

// reportFiles renders the report files of in, by path.
func reportFiles(t *testing.T, in report.Input) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, f := range api.ReportFiles(report.Months(in), "https://status.example.com/") {
		var b bytes.Buffer
		if err := f.Render(&b); err != nil {
			t.Fatalf("render %s: %v", f.Path, err)
		}
		out[f.Path] = b.Bytes()
	}
	return out
}

// TestReportCSVSumsToMonth reads the CSV back and checks that each
// component's daily rows add up to the month's figures in the JSON.
func TestReportCSVSumsToMonth(t *testing.T) {
	files := reportFiles(t, reportInput())
	rows, err := csv.NewReader(bytes.NewReader(files["reports/2026-11.csv"])).ReadAll()
	if err != nil {
		t.Fatalf("read the CSV back: %v", err)
	}
	var doc struct {
		ToDate     bool             `json:"to_date"`
		Site       map[string]any   `json:"site"`
		Components []map[string]any `json:"components"`
		Incidents  []struct {
			URL string `json:"url"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal(files["reports/2026-11.json"], &doc); err != nil {
		t.Fatalf("read the JSON back: %v", err)
	}
	if !doc.ToDate {
		t.Errorf("got to_date false, want true for a running month")
	}
	if len(doc.Incidents) != 2 || doc.Incidents[0].URL != "https://status.example.com/incidents/db/" {
		t.Errorf("got incidents %+v, want db and slow, linked", doc.Incidents)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	if got, want := len(rows)-1, 3*28; got != want {
		t.Fatalf("got %d rows, want %d (two components and the site, 28 days to date)", got, want)
	}
	doc.Site["id"] = "" // the site's rows have no component
	for _, c := range append(doc.Components, doc.Site) {
		for _, name := range []string{"observed_minutes", "down_minutes", "partial_minutes", "maintenance_minutes", "no_data_minutes"} {
			t.Run(c["id"].(string)+"/"+name, func(t *testing.T) {
				var sum float64
				n := 0
				for _, r := range rows[1:] {
					if r[col["component"]] != c["id"] {
						continue
					}
					v, err := strconv.ParseFloat(r[col[name]], 64)
					if err != nil {
						t.Fatalf("got %q, want a number", r[col[name]])
					}
					sum += v
					n++
				}
				want := c[name].(float64)
				if math.Abs(sum-want) > 0.01*float64(n) {
					t.Errorf("got daily rows summing to %v, want %v", sum, want)
				}
			})
		}
	}
	// 00:00–05:00 declared on 1 November is 6 hours (1:00–2:00 runs
	// twice), and the probe saw 59 min 47 s: 419.78 minutes.
	if got, want := doc.Components[0]["down_minutes"].(float64), 419.78; got != want {
		t.Errorf("got api down %v minutes, want %v", got, want)
	}
	// The site adds docs' partial outage, 1 h 59 min 53 s at a third,
	// 39.96 minutes, to api's downtime: they never overlap.
	if got, want := doc.Site["down_minutes"].(float64), 459.74; got != want {
		t.Errorf("got site down %v minutes, want %v", got, want)
	}
	if got := string(files["reports/2026-11.csv"]); !strings.HasPrefix(got, "date,component,uptime_percent,coverage_percent,observed_minutes,down_minutes,partial_minutes,maintenance_minutes,no_data_minutes\n2026-11-01,api,76.00,100.00,1500.00,360.00,0.00,0.00,0.00\n") {
		t.Errorf("got CSV starting %.200q, want the header, then 1 November's 25 hours with 6 down", got)
	}
}

func TestReportFilesAreDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	in := reportInput()
	// Shuffled inputs, same figures: maps and input order must not show.
	a := reportFiles(t, in)
	r.Shuffle(len(in.Incidents), func(i, j int) { in.Incidents[i], in.Incidents[j] = in.Incidents[j], in.Incidents[i] })
	ivs := in.Intervals["api"]
	r.Shuffle(len(ivs), func(i, j int) { ivs[i], ivs[j] = ivs[j], ivs[i] })
	b := reportFiles(t, in)
	for path := range a {
		if !bytes.Equal(a[path], b[path]) {
			t.Errorf("got two different %s from the same months, want the same bytes", path)
		}
	}
}

// TestReportJSONSLO: a month's JSON carries each objective's verdict on
// the calendar month, with its margin worked out by hand, and null for a
// component without one.
func TestReportJSONSLO(t *testing.T) {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	downAt := nov.Add(9 * 24 * time.Hour)
	probe := func(down time.Duration) []history.Interval {
		return []history.Interval{
			{Start: nov, End: downAt, State: history.Up},
			{Start: downAt, End: downAt.Add(down), State: history.Down},
			{Start: downAt.Add(down), End: nov.AddDate(0, 1, 0), State: history.Up},
		}
	}
	type slo struct {
		Target       float64  `json:"target"`
		Window       string   `json:"window"`
		To           string   `json:"to"`
		State        string   `json:"state"`
		LeftSeconds  *int64   `json:"left_seconds"`
		MarginPoints *float64 `json:"margin_points"`
	}
	ptr := func(v float64) *float64 { return &v }
	tests := []struct {
		name      string
		intervals map[string][]history.Interval
		want      map[string]*slo
	}{
		{
			// 43,200 minutes in November: 99.9% allows 43.2 (2,592 s).
			// api: 20 min down, 1 − 20/43200 − 0.999 = +0.0537 points,
			// 1,392 s left. web: 60 min down, −0.0389 points, 1,008 s over.
			name:      "met and missed",
			intervals: map[string][]history.Interval{"api": probe(20 * time.Minute), "web": probe(time.Hour)},
			want: map[string]*slo{
				"api":  {Target: 99.9, Window: "month", To: "2026-12-01T00:00:00Z", State: "met", LeftSeconds: new(int64), MarginPoints: ptr(0.0537)},
				"web":  {Target: 99.9, Window: "month", To: "2026-12-01T00:00:00Z", State: "missed", LeftSeconds: new(int64), MarginPoints: ptr(-0.0389)},
				"docs": nil,
			},
		},
		{
			name:      "no data is not measurable",
			intervals: map[string][]history.Interval{},
			want: map[string]*slo{
				"api":  {Target: 99.9, Window: "month", To: "2026-12-01T00:00:00Z", State: "not_measurable"},
				"web":  {Target: 99.9, Window: "month", To: "2026-12-01T00:00:00Z", State: "not_measurable"},
				"docs": nil,
			},
		},
	}
	*tests[0].want["api"].LeftSeconds, *tests[0].want["web"].LeftSeconds = 1392, -1008
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := report.Input{
				Components: []report.Component{
					{ID: "api", Name: "API", Probed: true, Target: 0.999},
					{ID: "web", Name: "Web", Probed: true, Target: 0.999},
					{ID: "docs", Name: "Docs"},
				},
				// Without data, a month is reported only for an incident.
				Incidents: []*incident.Incident{{Slug: "note", Kind: incident.KindIncident, Affected: []incident.Affected{{ID: "docs", Status: incident.DegradedPerformance}}, Started: downAt, Resolved: downAt.Add(time.Hour)}},
				Intervals: tt.intervals, MinCoverage: 0.5, Loc: time.UTC, Now: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC),
			}
			var doc struct {
				Components []struct {
					ID  string `json:"id"`
					SLO *slo   `json:"slo"`
				} `json:"components"`
			}
			if err := json.Unmarshal(reportFiles(t, in)["reports/2026-11.json"], &doc); err != nil {
				t.Fatalf("read the JSON back: %v", err)
			}
			for _, c := range doc.Components {
				got, want := c.SLO, tt.want[c.ID]
				if (got == nil) != (want == nil) {
					t.Fatalf("%s: got slo %+v, want %+v", c.ID, got, want)
				}
				if got == nil {
					continue
				}
				if got.Target != want.Target || got.Window != want.Window || got.To != want.To || got.State != want.State ||
					!sameInt(got.LeftSeconds, want.LeftSeconds) || !sameFloat(got.MarginPoints, want.MarginPoints) {
					t.Errorf("%s: got %s, want %s", c.ID, describe(got), describe(want))
				}
			}
		})
	}
}

func sameInt(a, b *int64) bool     { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func sameFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func describe(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestReportJSONSiteSplit: the whole site's downtime is split by source as
// a component's is. In reportInput, the monitor saw api down from 10:00:13
// to 11:00 on the 4th (59.78 min); incidents declared api down from 00:00
// to 05:00 on 1 November, six hours as the clocks go back, and docs
// partially down from 07:00:07 to 09:00 on the 3rd, 119.88 min at a third.
func TestReportJSONSiteSplit(t *testing.T) {
	var doc struct {
		Site map[string]any `json:"site"`
	}
	if err := json.Unmarshal(reportFiles(t, reportInput())["reports/2026-11.json"], &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		field string
		want  float64
	}{
		{"probe_down_minutes", 59.78},
		{"declared_down_minutes", 399.96},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if got, ok := doc.Site[tt.field].(float64); !ok || got != tt.want {
				t.Errorf("got %v, want %v", doc.Site[tt.field], tt.want)
			}
		})
	}
}
