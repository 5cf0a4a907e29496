package api

import (
	"time"

	"github.com/herald-status/herald/generator/incident"
)

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
