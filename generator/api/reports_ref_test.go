package api

// The reports' CSV and JSON as encoding/csv and encoding/json wrote them,
// kept as the reference that writeCSV and writeReport must match byte for
// byte.

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/uptime"
)

// refCSVHeader is the first row of reports/YYYY-MM.csv.
var refCSVHeader = []string{
	"date", "component", "uptime_percent", "coverage_percent", "observed_minutes",
	"down_minutes", "partial_minutes", "maintenance_minutes", "no_data_minutes",
}

// refCSV is reports/YYYY-MM.csv as encoding/csv wrote it.
func refCSV(w io.Writer, m *report.Month) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(refCSVHeader); err != nil {
		return err
	}
	row := func(id string, d uptime.Summary) error {
		fig := NewFigure(d)
		pct := ""
		if fig.Uptime != nil {
			pct = strconv.FormatFloat(*fig.Uptime, 'f', 2, 64)
		}
		return cw.Write([]string{
			d.From.Format(time.DateOnly), id, pct, strconv.FormatFloat(fig.Coverage, 'f', 2, 64),
			refMinutes(d.Known), refMinutes(d.Down), refMinutes(d.Partial), refMinutes(d.Excluded), refMinutes(d.NoData),
		})
	}
	for _, f := range m.Components {
		for _, d := range f.Days() {
			if err := row(f.ID, d.Summary); err != nil {
				return err
			}
		}
	}
	// The site's rows come last, with no component: no id can clash.
	for _, d := range m.Site.Days {
		if err := row("", d); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func refMinutes(d time.Duration) string { return strconv.FormatFloat(minutesOf(d), 'f', 2, 64) }

// minutesOf is d in minutes, rounded to hundredths, as a float: the
// reference's figure, which appendMinutes writes without one.
func minutesOf(d time.Duration) float64 { return float64(hundredthsOf(d)) / 100 }

// jsonMonth is reports/YYYY-MM.json.
type jsonMonth struct {
	Month         string          `json:"month"`
	Timezone      string          `json:"timezone"`
	From          string          `json:"from"`
	To            string          `json:"to"`
	ToDate        bool            `json:"to_date"`
	PartialWeight float64         `json:"partial_weight"`
	Site          jsonSite        `json:"site"`
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
	Figure
	jsonMinutes
	ProbeDownMinutes    float64   `json:"probe_down_minutes"`
	DeclaredDownMinutes float64   `json:"declared_down_minutes"`
	SLO                 *jsonSLO  `json:"slo"`
	Days                []jsonDay `json:"days"`
}

// jsonSLO is the month's verdict on a component's objective: the API's
// budget over the calendar month, and the margin.
type jsonSLO struct {
	SLO
	// MarginPoints is the uptime less the target in percentage points,
	// negative when missed; null when not measurable.
	MarginPoints *float64 `json:"margin_points"`
}

// jsonSite is the whole site's figures (uptime.Site).
type jsonSite struct {
	Figure
	jsonMinutes
	ProbeDownMinutes    float64   `json:"probe_down_minutes"`
	DeclaredDownMinutes float64   `json:"declared_down_minutes"`
	Days                []jsonDay `json:"days"`
}

type jsonDay struct {
	Date string `json:"date"`
	Figure
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

// reportDoc is the document encoding/json wrote as the JSON of month m.
func reportDoc(m *report.Month, baseURL string) jsonMonth {
	doc := jsonMonth{
		Month: m.Name(), Timezone: m.Start.Location().String(),
		From: m.Start.UTC().Format(time.RFC3339), To: m.End.UTC().Format(time.RFC3339),
		ToDate: m.ToDate, PartialWeight: m.PartialWeight,
		Components: []jsonComponent{}, Incidents: jsonIncidents(m.Incidents, baseURL), Maintenance: jsonIncidents(m.Maintenance, baseURL),
	}
	doc.Site = jsonSite{
		Figure: NewFigure(m.Site.Summary), jsonMinutes: newMinutes(m.Site.Summary),
		ProbeDownMinutes: minutesOf(m.Site.ProbeDown), DeclaredDownMinutes: minutesOf(m.Site.DeclaredDown),
		Days: []jsonDay{},
	}
	for _, d := range m.Site.Days {
		doc.Site.Days = append(doc.Site.Days, jsonDay{Date: d.From.Format(time.DateOnly), Figure: NewFigure(d), jsonMinutes: newMinutes(d)})
	}
	for _, f := range m.Components {
		c := jsonComponent{
			ID: f.ID, Name: f.Name, Probed: f.Probed,
			Figure: NewFigure(f.Summary), jsonMinutes: newMinutes(f.Summary),
			ProbeDownMinutes: minutesOf(f.ProbeDown), DeclaredDownMinutes: minutesOf(f.DeclaredDown),
			Days: []jsonDay{},
		}
		if f.SLO != nil {
			c.SLO = &jsonSLO{SLO: NewSLO(*f.SLO)}
			if f.SLO.State != slo.NotMeasurable {
				margin := math.Round(f.SLO.Margin()*1e4) / 1e4
				c.SLO.MarginPoints = &margin
			}
		}
		for _, d := range f.Days() {
			c.Days = append(c.Days, jsonDay{Date: d.Date.Format(time.DateOnly), Figure: NewFigure(d.Summary), jsonMinutes: newMinutes(d.Summary)})
		}
		doc.Components = append(doc.Components, c)
	}
	return doc
}

func jsonIncidents(ins []*incident.Incident, baseURL string) []jsonIncident {
	out := []jsonIncident{}
	for _, in := range ins {
		j := jsonIncident{ID: in.Slug, Title: in.Title, URL: IncidentURL(baseURL, in.Slug), Started: in.Start().UTC().Format(time.RFC3339), Ended: rfc3339(in.End()), Components: []string{}}
		for _, a := range in.Affected {
			j.Components = append(j.Components, a.ID)
		}
		out = append(out, j)
	}
	return out
}
