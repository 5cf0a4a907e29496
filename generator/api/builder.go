package api

import (
	"slices"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/status"
)

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

// status is the page's status. Its description is in the site's
// language (overall.* of the catalogs), as the page's banner: a
// Statuspage widget shows it to the same readers. Tools read the
// indicator, which never changes with the language.
func (b *builder) status() statusJSON {
	o := b.snap.Overall
	st := statusJSON{Indicator: o.Indicator}
	if st.Indicator == "maintenance" {
		// Statuspage's page indicator has no maintenance value; a page
		// under maintenance with no incident reads as none.
		st.Indicator = "none"
	}
	key, suffix := "overall."+o.Indicator, false
	switch {
	case len(o.Stale) > 0:
		// The snapshot has already said it: its headline never claims
		// what stale monitoring cannot know.
		if o.Description == status.UnknownDescription {
			key = "overall.unknown"
		} else {
			suffix = true
		}
	case slices.ContainsFunc(b.snap.Components, func(c *status.Component) bool { return b.stale(c.ID) }):
		if st.Indicator == "none" {
			st.Indicator, key = "minor", "overall.unknown"
		} else {
			suffix = true
		}
	}
	l := b.snap.Site.L()
	st.Description = l.T(key)
	if suffix {
		st.Description += l.T("overall.stale_suffix")
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
