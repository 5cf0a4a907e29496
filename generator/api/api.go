// Package api renders the site's machine-readable status as static JSON
// files: a Statuspage v2 compatible API under api/v2/, so tools written for
// hosted Statuspage read a herald site unchanged, and herald's own
// extension under api/herald/ for what Statuspage has no field for (stale
// or missing probe data, per-day uptime).
//
// Every id is derived from a slug or a component id, so it is stable across
// rebuilds, and every time is RFC 3339 in UTC. The only value that depends
// on the build clock is page.updated_at (and updated_at in api/herald/),
// which tells a reader how fresh the published files are; herald check
// -url reads it as a watchdog.
package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/jsontext"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
)

// Paths of the files, relative to the site root.
const (
	SummaryPath              = "api/v2/summary.json"
	StatusPath               = "api/v2/status.json"
	ComponentsPath           = "api/v2/components.json"
	IncidentsPath            = "api/v2/incidents.json"
	UnresolvedPath           = "api/v2/incidents/unresolved.json"
	MaintenancesPath         = "api/v2/scheduled-maintenances.json"
	UpcomingMaintenancesPath = "api/v2/scheduled-maintenances/upcoming.json"
	ActiveMaintenancesPath   = "api/v2/scheduled-maintenances/active.json"
	HeraldStatusPath         = "api/herald/status.json"
	HeraldUptimePath         = "api/herald/uptime.json"
	listLimit                = 50 // Statuspage's incidents.json holds the 50 most recent
)

// ProbeState is what herald knows of a monitored component's probe data.
type ProbeState string

const (
	// ProbeUnknown means the build was given no probe state: the API then
	// says nothing about staleness (null), and claims nothing either.
	ProbeUnknown ProbeState = ""
	ProbeFresh   ProbeState = "fresh"
	// ProbeStale means the newest probe result is older than the probe's
	// interval allows: the status shown may no longer be true.
	ProbeStale ProbeState = "stale"
	// ProbeNoData means the component is monitored but has no result yet.
	ProbeNoData ProbeState = "no_data"
)

// Figure is an uptime figure and its coverage (docs/uptime.md).
type Figure struct {
	// Uptime is the percentage of the observed time the component was
	// up, truncated to two decimals; nil when nothing was observed, or
	// less than uptime.min_coverage of a probed component's window.
	Uptime *float64 `json:"uptime"`
	// Coverage is the percentage of the window, less maintenance, that
	// was observed, truncated to two decimals.
	Coverage float64 `json:"coverage"`
	// ObservedSeconds is the observed time, in whole seconds.
	ObservedSeconds int64 `json:"observed_seconds"`
}

// NewFigure is the API's form of s: its figures truncated as the page
// truncates them (uptime.Floor), so that the API never says 100 where the
// page says 99.99%, nor 56.99 for the 57% float64 stores as 0.5699….
func NewFigure(s uptime.Summary) Figure {
	f, pct, shown := figureOf(s)
	if shown {
		f.Uptime = &pct
	}
	return f
}

// figureOf is NewFigure(s) but for Uptime, and the uptime apart with
// whether it is shown: the reports' writers take a figure a row, and
// Uptime's pointer cost an allocation each.
func figureOf(s uptime.Summary) (f Figure, pct float64, shown bool) {
	coverage, pct, shown := percentsOf(s)
	return Figure{Coverage: coverage / 100, ObservedSeconds: int64(s.Known / time.Second)}, pct / 100, shown
}

// percentsOf is figureOf's coverage and uptime in hundredths of a percent
// (uptime.Floor): whole numbers, or NaN, which the reports' writers write
// without formatting a float (appendPercent).
func percentsOf(s uptime.Summary) (coverage, pct float64, shown bool) {
	coverage = uptime.Floor(s.Coverage, s.NoData)
	if !s.Shown() {
		return coverage, 0, false
	}
	return coverage, uptime.Floor(s.Uptime, s.Down), true
}

// hundredths is the fraction v as a percentage truncated to two decimals,
// 100 only when rest, the time that keeps it from being whole, is zero.
func hundredths(v float64, rest time.Duration) float64 { return uptime.Floor(v, rest) / 100 }

// DayUptime is one day of a component's uptime history.
type DayUptime struct {
	Date string `json:"date"` // YYYY-MM-DD in the site timezone
	Figure
}

// WindowUptime is a component's uptime over one of the standard windows.
type WindowUptime struct {
	// Window is "24h" (rolling), or "7d", "30d" or "90d": that many
	// calendar days ending now, as on the component's page.
	Window string `json:"window"`
	Figure
}

// SLO is a component's objective and its error budget over the window
// so far (docs/uptime.md).
type SLO struct {
	// Target is the objective, a percentage, e.g. 99.9.
	Target float64 `json:"target"`
	// Window is "30d" style (that many calendar days ending now) or
	// "month" (the calendar month in the site timezone).
	Window string `json:"window"`
	// From and To bound the whole window; To is in the future while a
	// month runs.
	From string `json:"from"`
	To   string `json:"to"`
	// WindowElapsed is the percentage of the window gone, truncated to
	// two decimals.
	WindowElapsed float64 `json:"window_elapsed"`
	// State is met, missed or not_measurable (below uptime.min_coverage:
	// never met).
	State string `json:"state"`
	// The uptime, coverage and observed time of the window so far.
	Figure
	// AllowedSeconds is the downtime the target allows over the window,
	// UsedSeconds the weighted downtime so far, LeftSeconds the first less
	// the second (negative once overspent); all null when not measurable.
	AllowedSeconds *int64 `json:"allowed_seconds"`
	UsedSeconds    *int64 `json:"used_seconds"`
	LeftSeconds    *int64 `json:"left_seconds"`
}

// NewSLO is the API's form of b.
func NewSLO(b slo.Budget) SLO {
	out := SLO{
		Target: b.TargetPercent(), Window: b.Window,
		From: b.Start.UTC().Format(time.RFC3339), To: b.End.UTC().Format(time.RFC3339), WindowElapsed: hundredths(b.Elapsed, 0),
		State: string(b.State), Figure: NewFigure(b.Summary),
	}
	if b.State != slo.NotMeasurable {
		allowed, used := int64(b.Allowed/time.Second), int64(b.Used/time.Second)
		left := allowed - used
		out.AllowedSeconds, out.UsedSeconds, out.LeftSeconds = &allowed, &used, &left
	}
	return out
}

// Extra is what the API needs beyond the status snapshot: the hook through
// which the build passes probe state and uptime once it has them. The zero
// value means "not known", and the files say so (null) instead of
// guessing.
type Extra struct {
	// Probe is the probe state per component id; absent means unknown.
	Probe map[string]ProbeState
	// Uptime is the per-day uptime per component id, oldest day first;
	// nil means uptime is not known for any component.
	Uptime map[string][]DayUptime
	// UptimeDays is the window Uptime covers, e.g. 90.
	UptimeDays int
	// Windows are the standard windows' figures per component id; nil
	// when they are not known.
	Windows map[string][]WindowUptime
	// SLO is the objective's budget per component id, for the components
	// that have one.
	SLO map[string]SLO
}

// Option configures Files.
type Option func(*Extra)

// FromSnapshot is the Extra the snapshot's own probe data gives: each
// monitored component's probe state and its daily uptime.
func FromSnapshot(snap *status.Snapshot) Extra {
	x := Extra{Probe: map[string]ProbeState{}, Uptime: map[string][]DayUptime{}, UptimeDays: snap.Site.HistoryDays,
		Windows: map[string][]WindowUptime{}, SLO: map[string]SLO{}}
	for _, c := range snap.Components {
		if !c.Monitored {
			continue
		}
		x.Probe[c.ID] = ProbeState(c.Probe)
		days := make([]DayUptime, 0, len(c.Days))
		for _, d := range c.Days {
			days = append(days, DayUptime{Date: d.Date.Format("2006-01-02"), Figure: NewFigure(d.Summary)})
		}
		x.Uptime[c.ID] = days
		windows := make([]WindowUptime, 0, len(c.Periods))
		for _, p := range c.Periods {
			windows = append(windows, WindowUptime{Window: p.Key, Figure: NewFigure(p.Summary)})
		}
		x.Windows[c.ID] = windows
		if c.SLO != nil {
			x.SLO[c.ID] = NewSLO(*c.SLO)
		}
	}
	return x
}

// WithExtra passes probe state and uptime to the API.
func WithExtra(x Extra) Option { return func(e *Extra) { *e = x } }

// ID is the stable Statuspage-style id of a thing named by kind and key:
// 12 lowercase base-32 characters of a SHA-256, e.g. ID("component",
// "website"). The kind keeps a component and an incident of the same name
// apart.
func ID(kind, key string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + key))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:12]
}

// IncidentURL is the absolute URL of an incident's page, Statuspage's
// shortlink: render.IncidentURL, named here for the API's readers
// (notifications carry it too).
func IncidentURL(baseURL, slug string) string { return render.IncidentURL(baseURL, slug) }

// Files returns every file of the API. Each Render builds its document from
// the snapshot alone, so files may be rendered concurrently.
func Files(snap *status.Snapshot, opts ...Option) []render.File {
	var x Extra
	for _, o := range opts {
		o(&x)
	}
	b := newBuilder(snap, x)
	doc := func(path string, f func() any) render.File {
		return render.File{Path: path, Render: func(w io.Writer) error { return writeJSON(w, path, f()) }}
	}
	return []render.File{
		doc(SummaryPath, b.summary),
		doc(StatusPath, func() any { return statusDoc{Page: b.page(), Status: b.status()} }),
		doc(ComponentsPath, func() any { return componentsDoc{Page: b.page(), Components: b.components()} }),
		doc(IncidentsPath, func() any { return incidentsDoc{Page: b.page(), Incidents: b.incidents(nil)} }),
		doc(UnresolvedPath, func() any { return incidentsDoc{Page: b.page(), Incidents: b.incidents(b.unresolved)} }),
		doc(MaintenancesPath, func() any { return maintenancesDoc{Page: b.page(), Maintenances: b.maintenances(nil)} }),
		doc(UpcomingMaintenancesPath, func() any {
			return maintenancesDoc{Page: b.page(), Maintenances: b.maintenances(b.phase(incident.PhaseUpcoming))}
		}),
		doc(ActiveMaintenancesPath, func() any {
			return maintenancesDoc{Page: b.page(), Maintenances: b.maintenances(b.phase(incident.PhaseActive))}
		}),
		doc(HeraldStatusPath, b.heraldStatus),
		doc(HeraldUptimePath, b.heraldUptime),
	}
}

// writeJSON writes v indented, with HTML characters kept escaped so a file
// is harmless even if a host serves it as text/html. The bytes are
// json.Encoder's with SetIndent("", "  "): encoded compact into a pooled
// buffer and indented by jsontext.AppendIndent straight into w where it
// is a buffer. The Encoder indents into a buffer of its own, grown afresh
// from nothing for each file, with json.Indent, which is 5 times slower;
// the incidents' documents of a large site are megabytes.
func writeJSON(w io.Writer, path string, v any) error {
	compact := jsonBufs.Get().(*bytes.Buffer)
	defer putJSONBuf(compact)
	if err := json.NewEncoder(compact).Encode(v); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	dst, ok := w.(*bytes.Buffer)
	if !ok {
		dst = jsonBufs.Get().(*bytes.Buffer)
		defer putJSONBuf(dst)
	}
	// Indenting adds about a half to the bytes of a document of objects.
	dst.Grow(compact.Len() + compact.Len()/2)
	dst.Write(jsontext.AppendIndent(dst.AvailableBuffer(), compact.Bytes()))
	if !ok {
		if _, err := w.Write(dst.Bytes()); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

var jsonBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putJSONBuf(b *bytes.Buffer) {
	b.Reset()
	jsonBufs.Put(b)
}

// rfc3339 formats t in UTC, or null when t is zero.
func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func parse(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

// nonNil makes an empty list [] rather than null, as Statuspage writes it.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
