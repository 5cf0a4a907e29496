// Package notify sends webhook messages when a publish shows something new:
// a new incident or maintenance notice, a new timeline update, an incident
// resolved, a maintenance window starting or ending, or a component's
// probe confirmed down or up (read from the history store, see
// component.go), for which it may also write a draft incident (draft.go),
// or a component's SLO having spent half or all of its error budget
// (slo.go).
//
// Events are found by comparing the status snapshot with the delivery
// state kept on disk (notify.state, default data/notify.json). Each event
// is recorded as pending before it is sent and marked delivered after the
// endpoint answers 2xx, and the file is replaced atomically at each step, so
// a restart or a kill never skips an event; an event whose delivery was
// interrupted is sent again. Every request carries the event's stable id
// in an Idempotency-Key header (and in the JSON body): a receiver that
// dedupes by it sees each event exactly once; otherwise delivery is at
// least once.
//
// The first run against a site records every existing event as seen and
// sends nothing, so a new machine does not flood a channel with the past.
//
//	n, err := notify.New(cfg)
//	res, err := n.Observe(ctx, snap) // one-shot, as herald notify does
//	err = n.Deliver(ctx)
//	go n.Run(ctx); n.Queue(snap)     // or in a daemon, after each publish
package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/api"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/status"
)

// Type is the kind of an event.
type Type string

// Event types.
const (
	IncidentCreated      Type = "incident.created"
	IncidentUpdated      Type = "incident.updated"
	IncidentResolved     Type = "incident.resolved"
	MaintenanceScheduled Type = "maintenance.scheduled"
	MaintenanceUpdated   Type = "maintenance.updated"
	MaintenanceStarted   Type = "maintenance.started"
	MaintenanceCompleted Type = "maintenance.completed"
)

// Event is one thing worth telling subscribers. It is also the body of a
// json-format webhook request, documented in docs/notifications.md.
type Event struct {
	// ID is stable: the same event always has the same id, which is also
	// the Idempotency-Key header.
	ID   string    `json:"id"`
	Type Type      `json:"type"`
	Time time.Time `json:"time"` // when it happened, from the incident file
	Site Site      `json:"site"`
	// Incident is what an incident or maintenance event is about; a
	// component event has none, and its json leaves the key out.
	Incident Incident `json:"incident,omitzero"`
	// Update is the timeline update the event is about, or the latest one
	// for a new incident; null when there is none.
	Update *Update `json:"update"`
	// Component is what a component or slo.burn event is about; nil
	// otherwise.
	Component *ComponentChange `json:"component,omitempty"`
	// SLO is the objective an slo.burn is about; nil otherwise.
	SLO *Burn `json:"slo,omitempty"`
}

// Site names the status page.
type Site struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Incident is what an event says of its incident or maintenance.
type Incident struct {
	ID             string      `json:"id"` // the Statuspage API id
	Slug           string      `json:"slug"`
	Kind           string      `json:"kind"` // incident or maintenance
	Title          string      `json:"title"`
	URL            string      `json:"url"`
	Status         string      `json:"status"` // at the time of the publish
	Impact         string      `json:"impact"`
	Components     []Component `json:"components"`
	ScheduledStart *time.Time  `json:"scheduled_start,omitempty"`
	ScheduledEnd   *time.Time  `json:"scheduled_end,omitempty"`
}

// Component is an affected component.
type Component struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Update is a timeline update.
type Update struct {
	Status string    `json:"status"`
	Body   string    `json:"body"` // plain text
	Time   time.Time `json:"time"`
}

// candidate is an event with the key that identifies it in the state.
type candidate struct {
	key   string
	slug  string
	event Event
	// also are keys recorded as seen with this one, never sent: the
	// thresholds an slo.burn passed on the way to its own.
	also []string
}

// eventID derives the stable id from the site and the event's key.
func eventID(baseURL, key string) string {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + key))
	return "evt_" + hex.EncodeToString(sum[:12])
}

// candidates lists every event the snapshot and the probe history imply
// at the snapshot's clock, oldest first. Whether each is new is decided
// against the state.
func (n *Notifier) candidates(ctx context.Context, snap *status.Snapshot) ([]candidate, error) {
	out, err := componentCandidates(ctx, n.cfg, snap)
	if err != nil {
		return nil, err
	}
	out = append(out, incidentCandidates(snap)...)
	if n.st.SLOHeld == nil {
		n.st.SLOHeld = map[string]string{}
	}
	out = append(out, sloCandidates(snap, n.st.SLOHeld)...)
	slices.SortStableFunc(out, func(a, b candidate) int {
		if c := a.event.Time.Compare(b.event.Time); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return out, nil
}

// incidentCandidates lists the events of the incident and maintenance
// files at the snapshot's clock.
func incidentCandidates(snap *status.Snapshot) []candidate {
	now := snap.Now
	site := Site{Title: snap.Site.Title, URL: snap.Site.BaseURL}
	var out []candidate
	add := func(in *incident.Incident, key string, typ Type, at time.Time, u *incident.Update) {
		ev := Event{
			ID:       eventID(snap.Site.BaseURL, key),
			Type:     typ,
			Time:     at.UTC(),
			Site:     site,
			Incident: incidentInfo(snap, in),
		}
		if u != nil {
			ev.Update = &Update{Status: u.Status, Body: api.PlainText(string(u.Body)), Time: u.Time.UTC()}
		}
		out = append(out, candidate{key: key, slug: in.Slug, event: ev})
	}
	for _, in := range snap.Incidents {
		maint := in.Kind == incident.KindMaintenance
		if !maint && in.Start().After(now) {
			continue // dated in the future: not yet happened
		}
		var latest *incident.Update
		for i := range in.Updates {
			if !in.Updates[i].Time.After(now) {
				latest = &in.Updates[i]
				break
			}
		}
		if maint {
			add(in, "created/"+in.Slug, MaintenanceScheduled, in.Announced(), latest)
		} else {
			add(in, "created/"+in.Slug, IncidentCreated, in.Announced(), latest)
		}
		for i := range in.Updates {
			u := &in.Updates[i]
			if u.Time.After(now) {
				continue
			}
			typ := IncidentUpdated
			if maint {
				typ = MaintenanceUpdated
			}
			add(in, "update/"+in.Slug+"/"+u.Time.UTC().Format(time.RFC3339)+"/"+u.Status, typ, u.Time, u)
		}
		// The clock alone can start or end something; when an update
		// already says so, that update is the message.
		said := map[string]bool{}
		for _, u := range in.Updates {
			if !u.Time.After(now) {
				said[u.Status] = true
			}
		}
		switch end := in.End(); {
		case maint:
			if !in.Start().After(now) && !said["in_progress"] {
				add(in, "started/"+in.Slug, MaintenanceStarted, in.Start(), nil)
			}
			if !end.After(now) && !said["completed"] {
				add(in, "completed/"+in.Slug, MaintenanceCompleted, end, nil)
			}
		case !end.IsZero() && !end.After(now) && !said["resolved"]:
			add(in, "resolved/"+in.Slug, IncidentResolved, end, nil)
		}
	}
	return out
}

func incidentInfo(snap *status.Snapshot, in *incident.Incident) Incident {
	info := Incident{
		ID:         api.ID("incident", in.Slug),
		Slug:       in.Slug,
		Kind:       string(in.Kind),
		Title:      in.Title,
		URL:        api.IncidentURL(snap.Site.BaseURL, in.Slug),
		Status:     in.StatusAt(snap.Now),
		Impact:     string(in.Impact),
		Components: []Component{},
	}
	if info.Impact == "" {
		info.Impact = string(incident.ImpactNone)
	}
	if in.Kind == incident.KindMaintenance {
		s, e := in.ScheduledStart.UTC(), in.ScheduledEnd.UTC()
		info.ScheduledStart, info.ScheduledEnd = &s, &e
	}
	for _, a := range in.Affected {
		c := Component{ID: a.ID, Name: a.ID, Status: string(a.Status)}
		if sc := snap.Component(a.ID); sc != nil {
			c.Name = sc.Name
		}
		if in.Kind == incident.KindMaintenance {
			c.Status = string(incident.UnderMaintenance)
		}
		info.Components = append(info.Components, c)
	}
	return info
}
