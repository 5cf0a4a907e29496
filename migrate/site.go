// Package migrate turns the status page of another tool (cState, Upptime,
// Atlassian Statuspage) into a herald site: herald.yaml, incidents/**/*.md
// and, where the source has it, the probe history. An importer reads its
// source into a Site, and Write writes a Site, all or nothing.
//
// Nothing is dropped silently: whatever an importer cannot map goes into
// Site.Unmapped, with its place in the source and what was done instead.
package migrate

import (
	"fmt"
	"time"

	"github.com/herald-status/herald/history"
)

// Site is everything an importer read from its source.
type Site struct {
	Title       string
	BaseURL     string // absolute http(s); "" when the source has none
	Description string
	Timezone    string // an IANA name; "" means UTC
	Components  []Component
	Incidents   []Incident
	// Results is probe history, for the history store; nil for none.
	Results []history.Result
	// Unmapped is what the importer could not carry over.
	Unmapped []Note
}

// Component is one thing the page reports on.
type Component struct {
	ID          string // a slug (config.IsSlug)
	Name        string
	Group       string
	Description string
	// Probe is the `probe:` mapping to write under the component, as YAML
	// text (e.g. "http: https://example.com/\ninterval: 5m"), or "".
	Probe string
}

// Kind is an incident's kind.
type Kind string

// The kinds of incident file.
const (
	KindIncident    Kind = "incident"
	KindMaintenance Kind = "maintenance"
)

// Incident is one incident or maintenance, with its timeline.
type Incident struct {
	// Slug names the file, incidents/<Slug>.md; it keeps the source's
	// name where there is one, so that old links can be mapped.
	Slug  string
	Title string
	Kind  Kind
	// Components maps a component id to the status the incident gives
	// it: operational, degraded_performance, partial_outage, major_outage
	// (or under_maintenance for maintenance).
	Components map[string]string
	// Impact is none, minor, major or critical; "" leaves it to herald.
	Impact string
	// Started and Resolved bound an incident; a zero Resolved means
	// ongoing. ScheduledStart and ScheduledEnd bound a maintenance.
	Started, Resolved            time.Time
	ScheduledStart, ScheduledEnd time.Time
	// Summary is the Markdown before the first update, kept as written.
	Summary string
	// Updates is the timeline, in any order.
	Updates []Update
}

// Update is one entry of a timeline.
type Update struct {
	Time time.Time
	// Status is a word of docs/incidents.md: investigating, identified,
	// monitoring, resolved, postmortem; scheduled, in_progress, verifying,
	// completed for maintenance.
	Status string
	Body   string // Markdown, kept as written
}

// Note is one thing an importer could not map.
type Note struct {
	File    string // the source file, as the user names it
	Line    int    // 1-based; 0 when unknown
	What    string // what could not be mapped
	Instead string // what was done instead
}

func (n Note) String() string {
	place := n.File
	if n.Line > 0 {
		place = fmt.Sprintf("%s:%d", n.File, n.Line)
	}
	return fmt.Sprintf("%s: %s, %s", place, n.What, n.Instead)
}
