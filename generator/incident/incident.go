// Package incident reads the Markdown files in which operators write
// incidents and scheduled maintenance.
//
// A file is YAML front matter between `---` lines and a Markdown body. Text
// before the first level-2 heading is the summary; every level-2 heading is a
// timeline update of the form `## 2012-03-09 07:52 PST — Resolved`. The
// format is documented for authors in docs/incidents.md.
package incident

import (
	"crypto/sha256"
	"encoding/binary"
	"html/template"
	"slices"
	"strings"
	"time"
)

// Kind tells incidents from scheduled maintenance.
type Kind string

const (
	KindIncident    Kind = "incident"
	KindMaintenance Kind = "maintenance"
)

// Impact is the severity of an incident, as Statuspage names it.
type Impact string

const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

var impactRank = map[Impact]int{ImpactNone: 0, ImpactMinor: 1, ImpactMajor: 2, ImpactCritical: 3}

// Rank is an impact's severity, 0 for none.
func (i Impact) Rank() int { return impactRank[i] }

// Status is a component's status, with Statuspage's values.
type Status string

const (
	Operational         Status = "operational"
	UnderMaintenance    Status = "under_maintenance"
	DegradedPerformance Status = "degraded_performance"
	PartialOutage       Status = "partial_outage"
	MajorOutage         Status = "major_outage"
)

// statusRank orders statuses from best to worst, so the worse one wins
// when an incident and a maintenance touch the same component.
var statusRank = map[Status]int{Operational: 0, UnderMaintenance: 1, DegradedPerformance: 2, PartialOutage: 3, MajorOutage: 4}

// Worse returns the worse of two statuses.
func Worse(a, b Status) Status {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// Rank is a status's severity, 0 for operational.
func (s Status) Rank() int { return statusRank[s] }

// impactStatus is the status a listed component takes from the impact.
var impactStatus = map[Impact]Status{ImpactNone: Operational, ImpactMinor: DegradedPerformance, ImpactMajor: PartialOutage, ImpactCritical: MajorOutage}

// statusImpact is the impact derived from the worst component status.
var statusImpact = map[Status]Impact{Operational: ImpactNone, UnderMaintenance: ImpactNone, DegradedPerformance: ImpactMinor, PartialOutage: ImpactMajor, MajorOutage: ImpactCritical}

// Update statuses, per kind.
var (
	IncidentStatuses    = []string{"investigating", "identified", "monitoring", "resolved", "postmortem"}
	MaintenanceStatuses = []string{"scheduled", "in_progress", "verifying", "completed"}
)

// Incident is one parsed incident or maintenance file.
type Incident struct {
	Slug   string // file name without .md; unique in a site
	File   string // path relative to the site folder, slash-separated
	Title  string
	Kind   Kind
	Impact Impact
	// Affected lists components in the order the file names them.
	Affected []Affected
	// Started and Resolved bound an incident; Resolved is zero while it is
	// ongoing.
	Started, Resolved time.Time
	// ScheduledStart and ScheduledEnd bound a maintenance window.
	ScheduledStart, ScheduledEnd time.Time
	Summary                      template.HTML // rendered Markdown before the first update
	SummaryText                  string        // the same as plain text, for descriptions
	Updates                      []Update      // newest first
	// Draft is set by `draft: true`: the file is checked like any other
	// but never published, until a person removes the key.
	Draft bool
	// Sum is the incident's content sum, set by the Parser: a hash of its
	// file's path, slug and bytes; SumFor adds a translation's. Under one
	// config, two incidents with
	// the same Sum are the same, so whatever is made from an incident
	// alone can be kept by its Sum (see render.File.Key).
	Sum [32]byte
	// Translations are the incident's text in the site's other languages,
	// by language (translation.go); nil when there is none.
	Translations map[string]*Translation
	// Untranslated is set on the view of an incident that In makes for a
	// language it has no translation in: the tag of the language its
	// text is written in, for the page's lang attribute and its "not
	// translated" note. It is "" on a parsed incident.
	Untranslated string

	startedBy   place        // what in the file sets Started, for CheckClock
	translation *Translation // set instead of the rest by a translation's file
}

// place is where a file says something, and what says it.
type place struct {
	line, col int
	what      string
}

// contentSum is the Sum of the incident parsed from file, slug and data.
func contentSum(file, slug string, data []byte) [32]byte {
	h := sha256.New()
	var n [8]byte
	for _, part := range [][]byte{[]byte(file), []byte(slug), data} {
		// Each part goes with its length first, so that the parts of one
		// incident cannot read as those of another.
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// Affected is a component an incident touches and the status it gives it.
type Affected struct {
	ID     string
	Status Status
}

// Update is one entry of the timeline.
type Update struct {
	Time   time.Time
	Status string
	Body   template.HTML
	Line   int // of the heading, for messages
}

// Latest is the newest update, or nil when there is none.
func (in *Incident) Latest() *Update {
	if len(in.Updates) == 0 {
		return nil
	}
	return &in.Updates[0]
}

// Start is when the incident began or the maintenance window opens: the
// scheduled start, or an earlier in_progress update.
func (in *Incident) Start() time.Time {
	if in.Kind != KindMaintenance {
		return in.Started
	}
	start := in.ScheduledStart
	for _, u := range in.Updates {
		if u.Status == "in_progress" && u.Time.Before(start) {
			start = u.Time
		}
	}
	return start
}

// End is when the incident was resolved or the maintenance window closes:
// the scheduled end, or an earlier completed update. Zero while an
// incident is ongoing.
func (in *Incident) End() time.Time {
	if in.Kind != KindMaintenance {
		return in.Resolved
	}
	end := in.ScheduledEnd
	for _, u := range in.Updates {
		if u.Status == "completed" && u.Time.Before(end) && !u.Time.Before(in.Start()) {
			end = u.Time
		}
	}
	return end
}

// UpdatedAt is the time of the newest thing written about the incident:
// its latest update or its resolution, else its start. Feed readers
// resurface an item when it changes. A maintenance window's future start
// is not something that happened, so announced maintenance is dated by its
// updates.
func (in *Incident) UpdatedAt() time.Time {
	var t time.Time
	if in.Kind == KindIncident {
		t = in.Started
		if in.Resolved.After(t) {
			t = in.Resolved
		}
	}
	for _, u := range in.Updates {
		if u.Time.After(t) {
			t = u.Time
		}
	}
	if t.IsZero() {
		t = in.Start()
	}
	return t
}

// Announced is when readers first heard of it: the start, or an earlier
// update such as a maintenance notice posted days ahead.
func (in *Incident) Announced() time.Time {
	t := in.Start()
	for _, u := range in.Updates {
		if u.Time.Before(t) {
			t = u.Time
		}
	}
	return t
}

// Phase is where an incident or maintenance stands at a given moment.
type Phase string

const (
	PhaseUpcoming Phase = "upcoming" // maintenance not yet begun
	PhaseActive   Phase = "active"   // ongoing incident, maintenance in progress
	PhaseOver     Phase = "over"     // resolved, or maintenance completed
)

// PhaseAt tells where the incident stands at now.
func (in *Incident) PhaseAt(now time.Time) Phase {
	switch end := in.End(); {
	case now.Before(in.Start()):
		return PhaseUpcoming
	case end.IsZero() || now.Before(end):
		return PhaseActive
	}
	return PhaseOver
}

// StatusAt is the incident's status word at now: the latest update's
// status, adjusted to what the clock says for maintenance windows and to
// "resolved" once a resolved time has passed.
func (in *Incident) StatusAt(now time.Time) string {
	_, status := in.PhaseAndStatusAt(now)
	return status
}

// PhaseAndStatusAt is PhaseAt and StatusAt at once, for a caller that
// needs both of thousands of incidents: the phase is worked out once.
func (in *Incident) PhaseAndStatusAt(now time.Time) (Phase, string) {
	phase := in.PhaseAt(now)
	return phase, in.statusIn(now, phase)
}

// statusIn is StatusAt for an incident in phase at now.
func (in *Incident) statusIn(now time.Time, phase Phase) string {
	var latest string
	for _, u := range in.Updates {
		if !u.Time.After(now) {
			latest = u.Status
			break
		}
	}
	if in.Kind == KindMaintenance {
		switch {
		case phase == PhaseUpcoming:
			return "scheduled"
		case phase == PhaseOver:
			return "completed"
		case latest == "" || latest == "scheduled" || latest == "completed":
			return "in_progress"
		}
		return latest
	}
	switch {
	case phase == PhaseOver && latest != "postmortem":
		return "resolved"
	case phase == PhaseActive && (latest == "" || latest == "resolved" || latest == "postmortem"):
		return "investigating"
	}
	return latest
}

// Touches reports whether the incident affects the component.
func (in *Incident) Touches(id string) bool {
	return slices.ContainsFunc(in.Affected, func(a Affected) bool { return a.ID == id })
}

// SortKey is the time incidents are listed by: their start.
func (in *Incident) SortKey() time.Time { return in.Start() }

// Newest orders incidents newest first, ties broken by slug so the order
// never depends on the file system.
func Newest(a, b *Incident) int { return newest(a.SortKey(), b.SortKey(), a.Slug, b.Slug) }

// newest is Newest of two incidents that sort by at and are named slug.
func newest(aAt, bAt time.Time, aSlug, bSlug string) int {
	if c := bAt.Compare(aAt); c != 0 {
		return c
	}
	return strings.Compare(aSlug, bSlug)
}

// SortNewest sorts ins as Newest orders them. Each SortKey is worked out
// once, into a list of its own: thousands of incidents lie all over the
// heap, and sorting them with Newest read each one's time from memory at
// every comparison.
func SortNewest(ins []*Incident) {
	type keyed struct {
		at time.Time
		in *Incident
	}
	ks := make([]keyed, len(ins))
	for i, in := range ins {
		ks[i] = keyed{in.SortKey(), in}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return newest(a.at, b.at, a.in.Slug, b.in.Slug) })
	for i, k := range ks {
		ins[i] = k.in
	}
}
