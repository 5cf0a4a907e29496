// Package status computes what the page says: each component's current
// status, the overall banner, what is active, upcoming and recent.
//
// A Snapshot is computed once per build from the config, the incidents and
// the clock, and is never changed afterwards; every page, feed and API file
// is rendered from it alone, so two builds of the same inputs at the same
// clock are byte-identical.
package status

import (
	"slices"
	"time"

	"github.com/herald-status/herald/generator/config"
	"github.com/herald-status/herald/generator/incident"
)

// RecentDays is how many days of past incidents the index lists.
const RecentDays = 14

// Snapshot is everything a page needs, at one instant.
type Snapshot struct {
	Now  time.Time
	Site Site
	// Overall is the banner at the top of the index.
	Overall Overall
	// Groups hold the components in config order; components without a
	// group form a group with an empty name, where they first appear.
	Groups     []*Group
	Components []*Component
	// Incidents is every incident and maintenance, newest first.
	Incidents []*incident.Incident
	// Active are ongoing incidents and maintenance in progress, newest first.
	Active []*incident.Incident
	// Upcoming is maintenance not yet begun, soonest first.
	Upcoming []*incident.Incident
	// Recent is the last RecentDays days in the site timezone, today first.
	Recent []Day
}

// Site is the part of the config that pages show. It leaves out probes on
// purpose: their URLs and headers must never reach the published site.
type Site struct {
	Title       string
	Description string
	BaseURL     string // absolute, ends in a slash
	Location    *time.Location
	Links       []config.Link
	HistoryDays int
	FeedItems   int
}

// Overall is the page's headline status.
type Overall struct {
	Status incident.Status
	// Indicator is Statuspage's page indicator: none, minor, major,
	// critical, or maintenance.
	Indicator   string
	Description string
}

// Group is a heading of components.
type Group struct {
	Name       string
	Status     incident.Status // the worst of its components
	Components []*Component
}

// Component is one component's status and its incidents.
type Component struct {
	ID          string
	Name        string
	Group       string
	Description string
	Status      incident.Status
	// Monitored is true when a probe checks the component; otherwise its
	// status comes from incidents alone, and its page says so.
	Monitored bool
	// Incidents touching the component, newest first.
	Incidents []*incident.Incident
	// Active incidents and maintenance touching it now.
	Active []*incident.Incident
}

// Day is one calendar day of the recent list.
type Day struct {
	Date      time.Time // midnight in the site timezone
	Incidents []*incident.Incident
}

// New computes the snapshot of the site at now. incidents must be sorted
// newest first, as incident.Load returns them.
func New(cfg *config.Config, incidents []*incident.Incident, now time.Time) *Snapshot {
	loc := cfg.Location
	s := &Snapshot{
		Now: now.In(loc),
		Site: Site{
			Title: cfg.Title, Description: cfg.Description, BaseURL: cfg.BaseURL,
			Location: loc, Links: cfg.Links, HistoryDays: cfg.History.Days, FeedItems: cfg.Feeds.Items,
		},
		Incidents: incidents,
	}
	byID := map[string]*Component{}
	groups := map[string]*Group{}
	for _, c := range cfg.Components {
		comp := &Component{ID: c.ID, Name: c.Name, Group: c.Group, Description: c.Description, Status: incident.Operational, Monitored: c.HasProbe()}
		s.Components = append(s.Components, comp)
		byID[c.ID] = comp
		g, ok := groups[c.Group]
		if !ok {
			g = &Group{Name: c.Group, Status: incident.Operational}
			groups[c.Group] = g
			s.Groups = append(s.Groups, g)
		}
		g.Components = append(g.Components, comp)
	}

	worst := incident.Operational
	worstImpact := incident.ImpactNone
	for _, in := range incidents {
		phase := in.PhaseAt(now)
		switch phase {
		case incident.PhaseActive:
			s.Active = append(s.Active, in)
			if in.Kind == incident.KindIncident && in.Impact.Rank() > worstImpact.Rank() {
				worstImpact = in.Impact
			}
		case incident.PhaseUpcoming:
			if in.Kind == incident.KindMaintenance {
				s.Upcoming = append(s.Upcoming, in)
			}
		}
		for _, a := range in.Affected {
			comp := byID[a.ID]
			comp.Incidents = append(comp.Incidents, in)
			if phase == incident.PhaseActive {
				comp.Active = append(comp.Active, in)
				comp.Status = incident.Worse(comp.Status, a.Status)
				worst = incident.Worse(worst, a.Status)
			}
		}
	}
	slices.Reverse(s.Upcoming)
	for _, g := range s.Groups {
		for _, c := range g.Components {
			g.Status = incident.Worse(g.Status, c.Status)
		}
	}
	s.Overall = overall(worst, worstImpact)
	s.Recent = recent(incidents, now, loc)
	return s
}

// overall words the banner as Statuspage does, from the worst component
// status and the worst impact of an active incident.
func overall(worst incident.Status, impact incident.Impact) Overall {
	fromStatus := map[incident.Status]incident.Impact{
		incident.DegradedPerformance: incident.ImpactMinor,
		incident.PartialOutage:       incident.ImpactMajor,
		incident.MajorOutage:         incident.ImpactCritical,
	}
	if i, ok := fromStatus[worst]; ok && i.Rank() > impact.Rank() {
		impact = i
	}
	switch impact {
	case incident.ImpactCritical:
		return Overall{Status: worst, Indicator: "critical", Description: "Major System Outage"}
	case incident.ImpactMajor:
		return Overall{Status: worst, Indicator: "major", Description: "Partial System Outage"}
	case incident.ImpactMinor:
		return Overall{Status: worst, Indicator: "minor", Description: "Minor Service Outage"}
	}
	if worst == incident.UnderMaintenance {
		return Overall{Status: worst, Indicator: "maintenance", Description: "Service Under Maintenance"}
	}
	return Overall{Status: worst, Indicator: "none", Description: "All Systems Operational"}
}

// recent lists, for each of the last RecentDays days, the incidents that
// began that day. Days are calendar days in the site timezone, so a day
// across a DST change is 23 or 25 hours long.
func recent(incidents []*incident.Incident, now time.Time, loc *time.Location) []Day {
	y, m, d := now.In(loc).Date()
	days := make([]Day, RecentDays)
	for i := range days {
		days[i].Date = time.Date(y, m, d-i, 0, 0, 0, 0, loc)
	}
	oldest := days[RecentDays-1].Date
	for _, in := range incidents { // newest first, so each day is too
		start := in.Start()
		if start.After(now) || start.Before(oldest) {
			continue
		}
		for i := range days {
			if !start.Before(days[i].Date) {
				days[i].Incidents = append(days[i].Incidents, in)
				break
			}
		}
	}
	return days
}

// Component returns the component with the id, or nil.
func (s *Snapshot) Component(id string) *Component {
	for _, c := range s.Components {
		if c.ID == id {
			return c
		}
	}
	return nil
}
