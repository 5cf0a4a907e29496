package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/uptime"
)

// CSVHeader is the first row of reports/YYYY-MM.csv.
var CSVHeader = []string{
	"date", "component", "uptime_percent", "coverage_percent", "observed_minutes",
	"down_minutes", "partial_minutes", "maintenance_minutes", "no_data_minutes",
}

// WriteCSV writes the month as CSV: one row per component per day, the
// components in config order, each day by day. uptime_percent is empty
// where the page says "no data". Minutes are rounded to hundredths, so
// the daily rows of a component sum to its month's minutes in the JSON
// within a hundredth per row.
func WriteCSV(w io.Writer, m *Month) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, f := range m.Components {
		for _, d := range f.Days {
			fig := api.NewFigure(d.Summary)
			pct := ""
			if fig.Uptime != nil {
				pct = strconv.FormatFloat(*fig.Uptime, 'f', 2, 64)
			}
			row := []string{
				d.Date.Format(time.DateOnly), f.ID, pct, strconv.FormatFloat(fig.Coverage, 'f', 2, 64),
				minutes(d.Known), minutes(d.Down), minutes(d.Partial), minutes(d.Excluded), minutes(d.NoData),
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func minutes(d time.Duration) string { return strconv.FormatFloat(minutesOf(d), 'f', 2, 64) }

// minutesOf is d in minutes, rounded to hundredths.
func minutesOf(d time.Duration) float64 {
	return float64((d+3*time.Second/10)/(6*time.Second/10)) / 100
}

// jsonMonth is reports/YYYY-MM.json.
type jsonMonth struct {
	Month         string          `json:"month"`
	Timezone      string          `json:"timezone"`
	From          string          `json:"from"`
	To            string          `json:"to"`
	ToDate        bool            `json:"to_date"`
	PartialWeight float64         `json:"partial_weight"`
	Components    []jsonComponent `json:"components"`
	Incidents     []jsonIncident  `json:"incidents"`
	Maintenance   []jsonIncident  `json:"maintenance"`
}

type jsonMinutes struct {
	ObservedMinutes    float64 `json:"observed_minutes"`
	DownMinutes        float64 `json:"down_minutes"`
	PartialMinutes     float64 `json:"partial_minutes"`
	MaintenanceMinutes float64 `json:"maintenance_minutes"`
	NoDataMinutes      float64 `json:"no_data_minutes"`
}

func newMinutes(s uptime.Summary) jsonMinutes {
	return jsonMinutes{
		ObservedMinutes: minutesOf(s.Known), DownMinutes: minutesOf(s.Down), PartialMinutes: minutesOf(s.Partial),
		MaintenanceMinutes: minutesOf(s.Excluded), NoDataMinutes: minutesOf(s.NoData),
	}
}

type jsonComponent struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Probed bool   `json:"probed"`
	api.Figure
	jsonMinutes
	ProbeDownMinutes    float64   `json:"probe_down_minutes"`
	DeclaredDownMinutes float64   `json:"declared_down_minutes"`
	Days                []jsonDay `json:"days"`
}

type jsonDay struct {
	Date string `json:"date"`
	api.Figure
	jsonMinutes
}

type jsonIncident struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	URL        string   `json:"url"`
	Started    string   `json:"started"`
	Ended      *string  `json:"ended"`
	Components []string `json:"components"`
}

// WriteJSON writes the month as JSON (docs/api.md). url gives the
// absolute address of an incident's page from its slug.
func WriteJSON(w io.Writer, m *Month, partialWeight float64, url func(slug string) string) error {
	doc := jsonMonth{
		Month: m.Key(), Timezone: m.Start.Location().String(),
		From: m.Start.UTC().Format(time.RFC3339), To: m.End.UTC().Format(time.RFC3339),
		ToDate: m.ToDate, PartialWeight: partialWeight,
		Components: []jsonComponent{}, Incidents: jsonIncidents(m.Incidents, url), Maintenance: jsonIncidents(m.Maintenance, url),
	}
	for _, f := range m.Components {
		c := jsonComponent{
			ID: f.ID, Name: f.Name, Probed: f.Probed,
			Figure: api.NewFigure(f.Summary), jsonMinutes: newMinutes(f.Summary),
			ProbeDownMinutes: minutesOf(f.ProbeDown), DeclaredDownMinutes: minutesOf(f.DeclaredDown),
			Days: []jsonDay{},
		}
		for _, d := range f.Days {
			c.Days = append(c.Days, jsonDay{Date: d.Date.Format(time.DateOnly), Figure: api.NewFigure(d.Summary), jsonMinutes: newMinutes(d.Summary)})
		}
		doc.Components = append(doc.Components, c)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func jsonIncidents(ins []*incident.Incident, url func(string) string) []jsonIncident {
	out := []jsonIncident{}
	for _, in := range ins {
		j := jsonIncident{ID: in.Slug, Title: in.Title, URL: url(in.Slug), Started: in.Start().UTC().Format(time.RFC3339), Components: []string{}}
		if end := in.End(); !end.IsZero() {
			s := end.UTC().Format(time.RFC3339)
			j.Ended = &s
		}
		for _, a := range in.Affected {
			j.Components = append(j.Components, a.ID)
		}
		out = append(out, j)
	}
	return out
}
