// Package status computes what the page says: each component's current
// status, the overall banner, what is active, upcoming and recent.
//
// A Snapshot is computed once per build from the config, the incidents and
// the clock, and is never changed afterwards; every page, feed and API file
// is rendered from it alone, so two builds of the same inputs at the same
// clock are byte-identical.
package status

import (
	"context"
	"runtime"
	"slices"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
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

	byID map[string]*Component // Components by id, when New made the snapshot
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
	// StaleAfter is the page age at which the index warns readers.
	StaleAfter time.Duration
	// WatchStale is whether the index should warn at all: when probes
	// feed the page, or a daemon rebuilds it. A page built by hand from
	// incidents alone is not expected to change on its own.
	WatchStale bool
	// EmailURL is subscribe.email_url: a mailing list's sign-up page, or
	// "".
	EmailURL string
	// Locale is the language the producers write in: every human word,
	// date and number of the site's files comes from it (docs/i18n.md).
	// Never nil in a Snapshot that New made.
	Locale *i18n.Locale
	// Languages are the site's languages, its first first, when it has
	// more than one; nil otherwise. Lang is the one of them the files
	// are in: "" in a site of one language.
	Languages []Language
	Lang      string
}

// Language is one of a site's languages, as its pages link to it.
type Language struct {
	Tag string
	// Name is the language's name in its own words: "Deutsch".
	Name string
	// Dir is the folder of its files from the site's root: "" for the
	// first language, "de/" for another.
	Dir string
	// BaseURL is the absolute address of Dir.
	BaseURL string
}

// Overall is the page's headline status.
type Overall struct {
	Status incident.Status
	// Indicator is Statuspage's page indicator: none, minor, major,
	// critical, or maintenance.
	Indicator   string
	Description string
	// Stale lists the monitored components whose probe data is missing or
	// stale. The page never calls them operational, and the description
	// says so.
	Stale []*Component
}

// ProbeState is what herald knows of a component's probe data.
type ProbeState string

const (
	// ProbeNone: the component has no probe; its status comes from
	// incidents alone.
	ProbeNone ProbeState = ""
	// ProbeFresh: the newest result is recent enough to trust.
	ProbeFresh ProbeState = "fresh"
	// ProbeStale: the newest result is older than StaleFactor intervals:
	// the monitor is silent, which says nothing about the service.
	ProbeStale ProbeState = "stale"
	// ProbeNoData: a probe is configured but has never reported.
	ProbeNoData ProbeState = "no_data"
)

// UnknownDescription is the headline when nothing is known to be wrong but
// some monitoring is silent.
const UnknownDescription = "Status Unknown: Monitoring Data Is Stale"

// StaleSuffix ends the headline when some monitoring is stale but an
// incident already sets the page's status.
const StaleSuffix = "; monitoring data is stale"

// StaleFactor is how many probe intervals may pass without a result before
// a component's probe data is stale.
const StaleFactor = 3

// Probe is what the probes said about one component, read from the
// history source by the caller so that New stays a pure function.
type Probe struct {
	// Interval is the check's interval, which staleness is judged by.
	Interval time.Duration
	// Intervals are the merged confirmed states, covering at least the
	// history window.
	Intervals []history.Interval
	// Latency holds hourly histograms over the history window.
	Latency []history.LatencyHour
	// Latest is the time of the newest result; zero when there is none.
	Latest time.Time
}

// Options are the inputs of a snapshot beyond the config, the incidents
// and the clock.
type Options struct {
	// Probes holds probe data per component id; a monitored component
	// missing here has no data.
	Probes map[string]*Probe
	// Daemon is set when herald run builds the site: it promises to
	// rebuild every watch.every, so a page older than stale_after means
	// the daemon stopped, and the index says so.
	Daemon bool
	// Days keeps the components' days before today from the snapshot
	// before, as a generator.Builder's builds do; nil works them all out.
	Days *DayCache
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
	// Probe says whether the probe data can be trusted; ProbeNone when the
	// component is not monitored.
	Probe ProbeState
	// Days is the uptime of each of the last history.days days, oldest
	// first; Periods are the 24-hour, 7-, 30- and 90-day summaries.
	Days    []uptime.Day
	Periods []uptime.Period
	// Uptime30 is the last 30 days, for badges.
	Uptime30 uptime.Summary
	// SLO is the error budget of the component's objective; nil when it
	// has none.
	SLO *slo.Budget
	// Latency holds the hourly latency histograms of the history window.
	Latency []history.LatencyHour
}

// Stale reports whether the component is monitored but its probe data is
// missing or stale, so that its status is not known.
func (c *Component) Stale() bool { return c.Probe == ProbeStale || c.Probe == ProbeNoData }

// Day is one calendar day of the recent list.
type Day struct {
	Date      time.Time // midnight in the site timezone
	Incidents []*incident.Incident
}

// New computes the snapshot of the site at now. incidents must be sorted
// newest first, as incident.Load returns them.
func New(cfg *config.Config, incidents []*incident.Incident, now time.Time, opts ...Options) *Snapshot {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	loc := cfg.Location
	s := &Snapshot{
		Now: now.In(loc),
		Site: Site{
			Title: cfg.Title, Description: cfg.Description, BaseURL: cfg.BaseURL,
			Location: loc, Links: cfg.Links, HistoryDays: cfg.History.Days, FeedItems: cfg.Feeds.Items,
			StaleAfter: cfg.StaleAfter.D(), EmailURL: cfg.Subscribe.EmailURL,
			Locale: SiteLocale(cfg),
		},
		Incidents: incidents,
	}
	if len(cfg.Languages) > 1 {
		s.Site.Lang = cfg.Languages[0]
		for i, tag := range cfg.Languages {
			lang := Language{Tag: tag, Name: cfg.LocaleOf(tag).T("language.name"), BaseURL: cfg.BaseURL}
			if i > 0 {
				lang.Dir = tag + "/"
				lang.BaseURL += lang.Dir
			}
			s.Site.Languages = append(s.Site.Languages, lang)
		}
	}
	byID := map[string]*Component{}
	groups := map[string]*Group{}
	for _, c := range cfg.Components {
		comp := &Component{ID: c.ID, Name: c.Name, Group: c.Group, Description: c.Description, Status: incident.Operational, Monitored: cfg.Monitored(&c)}
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
	// Each component's uptime is its own work, and over a long probe
	// history the largest part of a snapshot, which a rebuild waits for
	// before anything else: on every core.
	probeStatus := make([]incident.Status, len(s.Components))
	var quiet quietDays
	_ = parallel.For(context.Background(), len(s.Components), runtime.GOMAXPROCS(0), func(i int) error {
		comp := s.Components[i]
		probeStatus[i] = comp.applyProbe(o.Probes[comp.ID], cfg, cfg.Component(comp.ID).SLO, now, o.Days, &quiet)
		return nil // it never fails, so neither does For
	})
	var stale []*Component
	for i, comp := range s.Components {
		probeStatus := probeStatus[i]
		comp.Status = incident.Worse(comp.Status, probeStatus)
		worst = incident.Worse(worst, probeStatus)
		if comp.Stale() {
			stale = append(stale, comp)
		}
	}
	for _, g := range s.Groups {
		for _, c := range g.Components {
			g.Status = incident.Worse(g.Status, c.Status)
		}
	}
	s.Overall = overall(worst, worstImpact)
	s.Site.WatchStale = o.Daemon
	for _, c := range s.Components {
		s.Site.WatchStale = s.Site.WatchStale || c.Monitored
	}
	if len(stale) > 0 {
		s.Overall.Stale = stale
		if s.Overall.Indicator == "none" {
			// Nothing declared and nothing seen failing, but something is
			// not seen at all: that is not "all systems operational".
			s.Overall.Indicator = "minor"
			s.Overall.Description = UnknownDescription
		} else {
			s.Overall.Description += StaleSuffix
		}
	}
	s.Recent = recent(incidents, now, loc)
	s.byID = byID
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

// applyProbe fills in what the probes say about the component: its probe
// state, uptime, latency and, under an objective, its error budget. It
// returns the status the probes give it: major_outage while the confirmed
// state is down, degraded_performance while it is degraded, else
// operational.
func (c *Component) applyProbe(p *Probe, cfg *config.Config, obj *config.SLO, now time.Time, days *DayCache, quiet *quietDays) incident.Status {
	weight := config.DefaultPartial
	if cfg.History.PartialWeight != nil {
		weight = *cfg.History.PartialWeight
	}
	in := uptime.Input{
		Component:     c.ID,
		Incidents:     c.Incidents,
		PartialWeight: weight,
		Loc:           cfg.Location,
		Now:           now,
		Probed:        c.Monitored,
		MinCoverage:   cfg.Uptime.MinCoverage,
	}
	probeStatus := incident.Operational
	if c.Monitored {
		c.Probe = ProbeNoData
		if p != nil {
			in.Intervals = p.Intervals
			c.Latency = p.Latency
			switch {
			case p.Latest.IsZero():
			case now.Sub(p.Latest) > StaleFactor*p.Interval:
				c.Probe = ProbeStale
			default:
				c.Probe = ProbeFresh
				if last := lastInterval(p.Intervals, now); last != nil {
					switch last.State {
					case history.Down:
						probeStatus = incident.MajorOutage
					case history.Degraded:
						probeStatus = incident.DegradedPerformance
					}
				}
			}
		}
	}
	c.Days = quiet.days(days, in, cfg.History.Days)
	c.Periods = uptime.Periods(in)
	c.Uptime30 = uptime.LastDays(in, 30)
	if obj != nil {
		b := slo.Compute(in, *obj)
		c.SLO = &b
	}
	return probeStatus
}

// lastInterval is the newest known state that began by now.
func lastInterval(ivs []history.Interval, now time.Time) *history.Interval {
	var last *history.Interval
	for i := range ivs {
		iv := &ivs[i]
		if iv.State == history.NoData || iv.Start.After(now) {
			continue
		}
		if last == nil || iv.Start.After(last.Start) {
			last = iv
		}
	}
	return last
}

// Component returns the component with the id, or nil.
func (s *Snapshot) Component(id string) *Component {
	if s.byID != nil {
		return s.byID[id]
	}
	for _, c := range s.Components {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// In is the snapshot as the files of another of the site's languages
// show it: site in place of s.Site, and every incident, wherever the
// snapshot holds it, replaced by view's view of it (incident.Incident.In).
// Statuses, uptime and probe data stay s's. s is not changed.
func (s *Snapshot) In(site Site, view func(*incident.Incident) *incident.Incident) *Snapshot {
	seen := make(map[*incident.Incident]*incident.Incident, len(s.Incidents))
	one := func(in *incident.Incident) *incident.Incident {
		v, ok := seen[in]
		if !ok {
			v = view(in)
			seen[in] = v
		}
		return v
	}
	all := func(ins []*incident.Incident) []*incident.Incident {
		if ins == nil {
			return nil
		}
		out := make([]*incident.Incident, len(ins))
		for i, in := range ins {
			out[i] = one(in)
		}
		return out
	}
	c := *s
	c.Site = site
	c.Incidents, c.Active, c.Upcoming = all(s.Incidents), all(s.Active), all(s.Upcoming)
	c.Recent = make([]Day, len(s.Recent))
	for i, d := range s.Recent {
		c.Recent[i] = Day{Date: d.Date, Incidents: all(d.Incidents)}
	}
	comps := make(map[*Component]*Component, len(s.Components))
	c.Components = make([]*Component, len(s.Components))
	c.byID = make(map[string]*Component, len(s.Components))
	for i, comp := range s.Components {
		cc := *comp
		cc.Incidents, cc.Active = all(comp.Incidents), all(comp.Active)
		cc.Days = slices.Clone(comp.Days)
		for j := range cc.Days {
			cc.Days[j].Incidents = all(cc.Days[j].Incidents)
		}
		c.Components[i], comps[comp], c.byID[cc.ID] = &cc, &cc, &cc
	}
	c.Groups = make([]*Group, len(s.Groups))
	for i, g := range s.Groups {
		gc := *g
		gc.Components = make([]*Component, len(g.Components))
		for j, comp := range g.Components {
			gc.Components[j] = comps[comp]
		}
		c.Groups[i] = &gc
	}
	if s.Overall.Stale != nil {
		c.Overall.Stale = make([]*Component, len(s.Overall.Stale))
		for i, comp := range s.Overall.Stale {
			c.Overall.Stale[i] = comps[comp]
		}
	}
	return &c
}

// SiteLocale is the locale cfg's site is written in (config.LocaleOf its
// Locale), or herald's English for a Config that names none (tests, the
// sample site).
func SiteLocale(cfg *config.Config) *i18n.Locale {
	if l := cfg.LocaleOf(cfg.Locale); l != nil {
		return l
	}
	return i18n.For(i18n.Default)
}

// L is the site's locale, or herald's English for a Site that a test
// built by hand without one: what every producer writes its words with.
func (s *Site) L() *i18n.Locale {
	if s.Locale == nil {
		return i18n.For(i18n.Default)
	}
	return s.Locale
}
