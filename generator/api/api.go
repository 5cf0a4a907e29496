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
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/status"
)

// Paths of the files, relative to the site root.
const (
	SummaryPath               = "api/v2/summary.json"
	StatusPath                = "api/v2/status.json"
	ComponentsPath            = "api/v2/components.json"
	IncidentsPath             = "api/v2/incidents.json"
	UnresolvedPath            = "api/v2/incidents/unresolved.json"
	MaintenancesPath          = "api/v2/scheduled-maintenances.json"
	UpcomingMaintenancesPath  = "api/v2/scheduled-maintenances/upcoming.json"
	ActiveMaintenancesPath    = "api/v2/scheduled-maintenances/active.json"
	HeraldStatusPath          = "api/herald/status.json"
	HeraldUptimePath          = "api/herald/uptime.json"
	listLimit                 = 50 // Statuspage's incidents.json holds the 50 most recent
	descriptionStaleSuffix    = "; monitoring data is stale"
	descriptionStaleOperating = "Status Unknown: Monitoring Data Is Stale"
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

// DayUptime is one day of a component's uptime history.
type DayUptime struct {
	Date string `json:"date"` // YYYY-MM-DD in the site timezone
	// Uptime is the percentage of the day the component was up, nil when
	// there is no probe data for the day.
	Uptime *float64 `json:"uptime"`
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
}

// Option configures Files.
type Option func(*Extra)

// FromSnapshot is the Extra the snapshot's own probe data gives: each
// monitored component's probe state and its daily uptime.
func FromSnapshot(snap *status.Snapshot) Extra {
	x := Extra{Probe: map[string]ProbeState{}, Uptime: map[string][]DayUptime{}, UptimeDays: snap.Site.HistoryDays}
	for _, c := range snap.Components {
		if !c.Monitored {
			continue
		}
		x.Probe[c.ID] = ProbeState(c.Probe)
		days := make([]DayUptime, 0, len(c.Days))
		for _, d := range c.Days {
			du := DayUptime{Date: d.Date.Format("2006-01-02")}
			if d.HasValue {
				pct := math.Floor(d.Uptime*1e4) / 100 // never rounded up to 100
				du.Uptime = &pct
			}
			days = append(days, du)
		}
		x.Uptime[c.ID] = days
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
// is harmless even if a host serves it as text/html.
func writeJSON(w io.Writer, path string, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// rfc3339 formats t in UTC, or null when t is zero.
func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// The documents, with Statuspage's field names. Optional fields are
// pointers, so "not known" is written as null rather than left out:
// Statuspage's own responses carry every key.

type pageJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"`
	TimeZone  string  `json:"time_zone"`
	UpdatedAt *string `json:"updated_at"`
}

type statusJSON struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type componentJSON struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Status             string   `json:"status"`
	CreatedAt          *string  `json:"created_at"`
	UpdatedAt          *string  `json:"updated_at"`
	Position           int      `json:"position"`
	Description        *string  `json:"description"`
	Showcase           bool     `json:"showcase"`
	StartDate          *string  `json:"start_date"`
	GroupID            *string  `json:"group_id"`
	PageID             string   `json:"page_id"`
	Group              bool     `json:"group"`
	OnlyShowIfDegraded bool     `json:"only_show_if_degraded"`
	Components         []string `json:"components,omitempty"` // a group's children

	key string // herald's id of a component, "" for a group
}

type affectedJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
}

type updateJSON struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Body               string         `json:"body"`
	IncidentID         string         `json:"incident_id"`
	CreatedAt          *string        `json:"created_at"`
	UpdatedAt          *string        `json:"updated_at"`
	DisplayAt          *string        `json:"display_at"`
	AffectedComponents []affectedJSON `json:"affected_components"`
}

type incidentJSON struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Status          string          `json:"status"`
	Impact          string          `json:"impact"`
	CreatedAt       *string         `json:"created_at"`
	UpdatedAt       *string         `json:"updated_at"`
	StartedAt       *string         `json:"started_at"`
	MonitoringAt    *string         `json:"monitoring_at"`
	ResolvedAt      *string         `json:"resolved_at"`
	Shortlink       string          `json:"shortlink"`
	PageID          string          `json:"page_id"`
	Components      []componentJSON `json:"components"`
	IncidentUpdates []updateJSON    `json:"incident_updates"`
}

type maintenanceJSON struct {
	incidentJSON
	ScheduledFor   *string `json:"scheduled_for"`
	ScheduledUntil *string `json:"scheduled_until"`
}

type statusDoc struct {
	Page   pageJSON   `json:"page"`
	Status statusJSON `json:"status"`
}

type componentsDoc struct {
	Page       pageJSON        `json:"page"`
	Components []componentJSON `json:"components"`
}

type incidentsDoc struct {
	Page      pageJSON       `json:"page"`
	Incidents []incidentJSON `json:"incidents"`
}

type maintenancesDoc struct {
	Page         pageJSON          `json:"page"`
	Maintenances []maintenanceJSON `json:"scheduled_maintenances"`
}

type summaryDoc struct {
	Page         pageJSON          `json:"page"`
	Components   []componentJSON   `json:"components"`
	Incidents    []incidentJSON    `json:"incidents"`
	Maintenances []maintenanceJSON `json:"scheduled_maintenances"`
	Status       statusJSON        `json:"status"`
}

// builder turns the snapshot into documents. What every document
// shares (the component list above all, which each listed incident
// repeats) is computed once in newBuilder and only read afterwards, so the
// files' Render funcs may share one builder.
type builder struct {
	snap *status.Snapshot
	x    Extra

	id      string                   // the page's id
	created time.Time                // see siteCreated
	comps   []componentJSON          // see components
	byID    map[string]componentJSON // comps by herald component id
}

func newBuilder(snap *status.Snapshot, x Extra) *builder {
	b := &builder{snap: snap, x: x, id: ID("page", snap.Site.BaseURL)}
	b.created = b.siteCreated()
	b.comps = b.listComponents()
	b.byID = make(map[string]componentJSON, len(snap.Components))
	for _, c := range b.comps {
		if !c.Group {
			b.byID[c.key] = c
		}
	}
	return b
}

func (b *builder) pageID() string { return b.id }

func (b *builder) page() pageJSON {
	tz := "Etc/UTC"
	if loc := b.snap.Site.Location; loc != nil && loc.String() != "UTC" {
		tz = loc.String()
	}
	return pageJSON{
		ID:        b.pageID(),
		Name:      b.snap.Site.Title,
		URL:       b.snap.Site.BaseURL,
		TimeZone:  tz,
		UpdatedAt: rfc3339(b.snap.Now),
	}
}

func (b *builder) summary() any {
	var active []maintenanceJSON
	active = append(active, b.maintenances(b.phase(incident.PhaseActive))...)
	active = append(active, b.maintenances(b.phase(incident.PhaseUpcoming))...)
	return summaryDoc{
		Page:         b.page(),
		Components:   b.components(),
		Incidents:    b.incidents(b.unresolved),
		Maintenances: nonNil(active),
		Status:       b.status(),
	}
}

// stale reports whether a component's probe data cannot be trusted: it is
// stale, or there is none although the component is monitored.
func (b *builder) stale(id string) bool {
	s := b.x.Probe[id]
	return s == ProbeStale || s == ProbeNoData
}

// componentStatus is the Statuspage status of a component: the status its
// incidents give it, except that stale probe data is never reported as
// operational.
func (b *builder) componentStatus(c *status.Component) incident.Status {
	if c.Status == incident.Operational && b.stale(c.ID) {
		return incident.DegradedPerformance
	}
	return c.Status
}

func (b *builder) status() statusJSON {
	o := b.snap.Overall
	st := statusJSON{Indicator: o.Indicator, Description: o.Description}
	if st.Indicator == "maintenance" {
		// Statuspage's page indicator has no maintenance value; a page
		// under maintenance with no incident reads as none.
		st.Indicator = "none"
	}
	if len(b.snap.Overall.Stale) > 0 {
		// The snapshot has already said it: its headline never claims
		// what stale monitoring cannot know.
		return st
	}
	anyStale := false
	for _, c := range b.snap.Components {
		anyStale = anyStale || b.stale(c.ID)
	}
	if anyStale {
		if st.Indicator == "none" {
			st.Indicator = "minor"
			st.Description = descriptionStaleOperating
		} else {
			st.Description += descriptionStaleSuffix
		}
	}
	return st
}

// components lists the components in config order, each group as a
// Statuspage group component just before its children. The list is
// shared: callers must not change it.
func (b *builder) components() []componentJSON { return b.comps }

func (b *builder) listComponents() []componentJSON {
	var out []componentJSON
	created := b.created
	pos := 0
	for _, g := range b.snap.Groups {
		var groupID *string
		if g.Name != "" {
			id := ID("group", g.Name)
			groupID = &id
			pos++
			gc := componentJSON{
				ID: id, Name: g.Name, Status: string(incident.Operational),
				CreatedAt: rfc3339(created), Position: pos, PageID: b.pageID(),
				Group: true, Components: []string{},
			}
			var updated time.Time
			worst := incident.Operational
			for _, c := range g.Components {
				gc.Components = append(gc.Components, ID("component", c.ID))
				worst = incident.Worse(worst, b.componentStatus(c))
				if t := b.lastChange(c); t.After(updated) {
					updated = t
				}
			}
			gc.Status = string(worst)
			gc.UpdatedAt = rfc3339(orTime(updated, created))
			out = append(out, gc)
		}
		for _, c := range g.Components {
			pos++
			cj := b.component(c, created)
			cj.Position = pos
			cj.GroupID = groupID
			out = append(out, cj)
		}
	}
	return nonNil(out)
}

func (b *builder) component(c *status.Component, created time.Time) componentJSON {
	var desc *string
	if c.Description != "" {
		desc = &c.Description
	}
	return componentJSON{
		key:         c.ID,
		ID:          ID("component", c.ID),
		Name:        c.Name,
		Status:      string(b.componentStatus(c)),
		CreatedAt:   rfc3339(created),
		UpdatedAt:   rfc3339(orTime(b.lastChange(c), created)),
		Description: desc,
		Showcase:    true,
		PageID:      b.pageID(),
	}
}

func orTime(t, otherwise time.Time) time.Time {
	if t.IsZero() {
		return otherwise
	}
	return t
}

// siteCreated stands in for Statuspage's created_at, which herald does
// not record: the start of the oldest incident, so it never changes
// between builds. Zero (null) for a site without incidents.
func (b *builder) siteCreated() time.Time {
	var t time.Time
	for _, in := range b.snap.Incidents {
		if s := in.Announced(); t.IsZero() || s.Before(t) {
			t = s
		}
	}
	return t
}

// lastChange is when the component's status last changed as far as its
// incidents tell: the latest start or end, up to now, of an incident or
// maintenance touching it.
func (b *builder) lastChange(c *status.Component) time.Time {
	var t time.Time
	for _, in := range c.Incidents {
		for _, e := range []time.Time{in.Start(), in.End()} {
			if !e.IsZero() && !e.After(b.snap.Now) && e.After(t) {
				t = e
			}
		}
	}
	return t
}

// happened reports whether an incident is visible at now: maintenance is
// announced ahead, but an incident dated in the future has not happened.
func (b *builder) happened(in *incident.Incident) bool {
	return in.Kind == incident.KindMaintenance || !in.Start().After(b.snap.Now)
}

func (b *builder) unresolved(in *incident.Incident) bool {
	return in.PhaseAt(b.snap.Now) == incident.PhaseActive
}

func (b *builder) phase(p incident.Phase) func(*incident.Incident) bool {
	return func(in *incident.Incident) bool { return in.PhaseAt(b.snap.Now) == p }
}

// incidents lists incidents (not maintenance) newest first, at most 50,
// those keep() accepts when it is not nil.
func (b *builder) incidents(keep func(*incident.Incident) bool) []incidentJSON {
	var out []incidentJSON
	for _, in := range b.snap.Incidents {
		if in.Kind != incident.KindIncident || !b.happened(in) || (keep != nil && !keep(in)) {
			continue
		}
		if len(out) == listLimit {
			break
		}
		out = append(out, b.incident(in))
	}
	return nonNil(out)
}

// maintenances lists maintenance, at most 50, newest first; upcoming and
// active lists are soonest first, as Statuspage orders them.
func (b *builder) maintenances(keep func(*incident.Incident) bool) []maintenanceJSON {
	var out []maintenanceJSON
	for _, in := range b.snap.Incidents {
		if in.Kind != incident.KindMaintenance || (keep != nil && !keep(in)) {
			continue
		}
		if len(out) == listLimit {
			break
		}
		out = append(out, maintenanceJSON{
			incidentJSON:   b.incident(in),
			ScheduledFor:   rfc3339(in.ScheduledStart),
			ScheduledUntil: rfc3339(in.ScheduledEnd),
		})
	}
	if keep != nil {
		// Newest first is latest start first; soonest first is its reverse.
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return nonNil(out)
}

func (b *builder) incident(in *incident.Incident) incidentJSON {
	now := b.snap.Now
	id := ID("incident", in.Slug)
	j := incidentJSON{
		ID:              id,
		Name:            in.Title,
		Status:          in.StatusAt(now),
		Impact:          string(in.Impact),
		CreatedAt:       rfc3339(in.Announced()),
		UpdatedAt:       rfc3339(in.UpdatedAt()),
		StartedAt:       rfc3339(in.Start()),
		Shortlink:       IncidentURL(b.snap.Site.BaseURL, in.Slug),
		PageID:          b.pageID(),
		Components:      []componentJSON{},
		IncidentUpdates: []updateJSON{},
	}
	if j.Impact == "" {
		j.Impact = string(incident.ImpactNone)
	}
	if in.Kind == incident.KindMaintenance {
		j.Impact = "maintenance"
	}
	if end := in.End(); !end.IsZero() && !end.After(now) {
		j.ResolvedAt = rfc3339(end)
	}
	var affected []affectedJSON
	for _, a := range in.Affected {
		cj, ok := b.byID[a.ID]
		if !ok {
			continue
		}
		j.Components = append(j.Components, cj)
		affected = append(affected, affectedJSON{Code: cj.ID, Name: cj.Name, OldStatus: string(incident.Operational), NewStatus: string(a.Status)})
	}
	if in.Kind == incident.KindMaintenance {
		for i := range affected {
			affected[i].NewStatus = string(incident.UnderMaintenance)
		}
	}
	for i, u := range in.Updates {
		if u.Time.After(now) {
			continue // written ahead of time; not yet posted
		}
		if u.Status == "monitoring" && (j.MonitoringAt == nil || u.Time.Before(parse(*j.MonitoringAt))) {
			j.MonitoringAt = rfc3339(u.Time)
		}
		uj := updateJSON{
			ID:         ID("update", in.Slug+"\x00"+u.Time.UTC().Format(time.RFC3339)+"\x00"+u.Status),
			Status:     u.Status,
			Body:       PlainText(string(u.Body)),
			IncidentID: id,
			CreatedAt:  rfc3339(u.Time),
			UpdatedAt:  rfc3339(u.Time),
			DisplayAt:  rfc3339(u.Time),
		}
		// herald does not record per-update component changes; it knows
		// the change when the incident opens and when it closes.
		switch {
		case i == len(in.Updates)-1:
			uj.AffectedComponents = affected
		case u.Status == "resolved" || u.Status == "completed":
			for _, a := range affected {
				uj.AffectedComponents = append(uj.AffectedComponents, affectedJSON{Code: a.Code, Name: a.Name, OldStatus: a.NewStatus, NewStatus: string(incident.Operational)})
			}
		}
		j.IncidentUpdates = append(j.IncidentUpdates, uj)
	}
	return j
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
