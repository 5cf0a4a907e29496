package statuspage

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/migrate"
)

// converter turns the documents into a Site, collecting every bad field
// so that one run reports them all.
type converter struct {
	site  migrate.Site
	errs  diag.List
	comps map[string]string // Statuspage component id → herald id
	ids   map[string]bool   // component ids in use
	slugs map[string]bool   // incident slugs in use
	from  *document         // the file the component list came from
}

func convert(docs []document) (*migrate.Site, error) {
	c := &converter{comps: map[string]string{}, ids: map[string]bool{}, slugs: map[string]bool{}}
	c.page(docs)
	c.components(docs)
	c.incidents(docs)
	c.errs.Sort()
	if err := c.errs.Err(); err != nil {
		return nil, err
	}
	return &c.site, nil
}

func (c *converter) note(d *document, id, what, instead string) {
	c.site.Unmapped = append(c.site.Unmapped, migrate.Note{File: d.file, Line: d.lineOf(id), What: what, Instead: instead})
}

// page takes the title, URL and time zone from the first file that has
// them: every file carries the same page.
func (c *converter) page(docs []document) {
	for i := range docs {
		d := &docs[i]
		if d.Page == nil {
			continue
		}
		p := d.Page
		c.site.Title = cmp.Or(c.site.Title, p.Name)
		if c.site.BaseURL == "" && p.URL != "" {
			if u, err := url.Parse(p.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
				c.site.BaseURL = strings.TrimSuffix(p.URL, "/") + "/"
			} else {
				c.note(d, "", fmt.Sprintf("page url %q is not an absolute http(s) URL", p.URL), "left base_url empty")
			}
		}
		if c.site.Timezone == "" && p.TimeZone != "" {
			if _, err := time.LoadLocation(p.TimeZone); err == nil {
				c.site.Timezone = p.TimeZone
			} else {
				c.note(d, "", fmt.Sprintf("page time_zone %q is not an IANA time zone", p.TimeZone), "used UTC")
			}
		}
	}
}

// components reads the component list of components.json, else of
// summary.json, else the components the incidents list: a single
// incidents.json names only the components some incident touched.
func (c *converter) components(docs []document) {
	var list []componentJSON
	var from *document
	for i := range docs {
		if docs[i].Components != nil {
			list, from = docs[i].Components, &docs[i]
		}
	}
	if from == nil {
		seen := map[string]bool{}
		for i := range docs {
			for _, in := range slices.Concat(docs[i].Incidents, docs[i].Maintenance) {
				for _, cj := range in.Components {
					if !seen[cj.ID] {
						seen[cj.ID] = true
						list = append(list, cj)
					}
				}
			}
			if len(list) > 0 && from == nil {
				from = &docs[i]
				c.note(from, "", "the source has no component list (components.json or summary.json)", "took the components the incidents list; a component no incident touched is missing")
			}
		}
	}
	if from == nil {
		return
	}
	c.from = from
	groups := map[string]componentJSON{}
	members := map[string][]componentJSON{}
	var top []componentJSON
	for _, cj := range list {
		if cj.Group {
			groups[cj.ID] = cj
		}
	}
	for _, cj := range list {
		switch {
		case cj.Group:
			top = append(top, cj)
		case cj.GroupID != nil && *cj.GroupID != "":
			if _, ok := groups[*cj.GroupID]; ok {
				members[*cj.GroupID] = append(members[*cj.GroupID], cj)
				continue
			}
			c.note(from, cj.ID, fmt.Sprintf("component %q is in group %q, which is not in the list", cj.Name, *cj.GroupID), "put it in no group")
			top = append(top, cj)
		default:
			top = append(top, cj)
		}
	}
	byPosition := func(a, b componentJSON) int { return cmp.Compare(a.Position, b.Position) }
	slices.SortStableFunc(top, byPosition)
	for _, cj := range top {
		if !cj.Group {
			c.add(cj, "")
			continue
		}
		ms := members[cj.ID]
		if len(ms) == 0 {
			c.note(from, cj.ID, fmt.Sprintf("group %q has no components", cj.Name), "left it out: a herald group exists through its components")
			continue
		}
		if cj.Description != nil && *cj.Description != "" {
			c.note(from, cj.ID, fmt.Sprintf("group %q has a description", cj.Name), "dropped it: a herald group has none")
		}
		slices.SortStableFunc(ms, byPosition)
		for _, m := range ms {
			c.add(m, cj.Name)
		}
	}
}

// add appends a component, its id slugged from its name.
func (c *converter) add(cj componentJSON, group string) string {
	if cj.OnlyShowIfDegraded {
		c.note(c.from, cj.ID, fmt.Sprintf("component %q is shown only while degraded", cj.Name), "herald shows it always")
	}
	id := unique(c.ids, cmp.Or(config.Slugify(cj.Name), "component-"+config.Slugify(cj.ID), "component"))
	c.comps[cj.ID] = id
	desc := ""
	if cj.Description != nil {
		desc = *cj.Description
	}
	c.site.Components = append(c.site.Components, migrate.Component{ID: id, Name: cmp.Or(cj.Name, id), Group: group, Description: desc})
	return id
}

// unique returns base, or base-2, base-3… if it is already taken, and
// takes it.
func unique(taken map[string]bool, base string) string {
	s := base
	for n := 2; taken[s]; n++ {
		s = base + "-" + strconv.Itoa(n)
	}
	taken[s] = true
	return s
}

// incidents reads every incident and maintenance once: the same one is
// in summary.json (while unresolved) and in incidents.json; the later
// file in Files wins, being the fuller list.
func (c *converter) incidents(docs []document) {
	type entry struct {
		d  *document
		in incidentJSON
	}
	var order []string
	byID := map[string]entry{}
	for i := range docs {
		if len(docs[i].Incidents) >= publicLimit && !docs[i].history && filepath.Base(docs[i].file) != "summary.json" {
			c.note(&docs[i], "", fmt.Sprintf("the public API lists only the last %d incidents", publicLimit), "older incidents are not in the source and were not imported")
		}
		for j, in := range slices.Concat(docs[i].Incidents, docs[i].Maintenance) {
			key := in.ID
			if key == "" {
				// No id, no way to tell it is the same as another: keep it.
				key = fmt.Sprintf("\x00%d.%d", i, j)
			}
			if _, ok := byID[key]; !ok {
				order = append(order, key)
			}
			byID[key] = entry{&docs[i], in}
		}
	}
	for _, id := range order {
		e := byID[id]
		if in, ok := c.incident(e.d, e.in); ok {
			c.site.Incidents = append(c.site.Incidents, in)
		}
	}
}

// publicLimit is how many incidents the public incidents.json lists.
const publicLimit = 50

var impacts = []string{"none", "minor", "major", "critical"}

var componentStatuses = []string{
	string(incident.Operational), string(incident.UnderMaintenance), string(incident.DegradedPerformance),
	string(incident.PartialOutage), string(incident.MajorOutage),
}

func (c *converter) incident(d *document, ij incidentJSON) (migrate.Incident, bool) {
	bad := len(c.errs)
	in := migrate.Incident{Title: ij.Name, Kind: migrate.KindIncident, Components: map[string]string{}}
	if ij.ScheduledFor != nil || ij.Impact == "maintenance" {
		in.Kind = migrate.KindMaintenance
	}
	if in.Title == "" {
		in.Title = "Incident " + ij.ID
		c.note(d, ij.ID, fmt.Sprintf("incident %s has no name", ij.ID), fmt.Sprintf("titled it %q", in.Title))
	}
	in.Slug = c.slug(ij)
	switch {
	case in.Kind == migrate.KindMaintenance:
		// Statuspage's "maintenance" impact is the kind, not a severity.
	case slices.Contains(impacts, ij.Impact):
		in.Impact = ij.Impact
	default:
		c.errs = append(c.errs, d.errorf(ij.ID, "incident %q: unknown impact %q", ij.Name, ij.Impact).WithFix("use one of %s", strings.Join(impacts, ", ")))
	}
	// at parses the first of the fields that is set; set is false when
	// none is, which the caller reports as it fits.
	at := func(id string, fields ...field) (t time.Time, set bool) {
		for _, f := range fields {
			if f.value == nil || *f.value == "" {
				continue
			}
			t, err := time.Parse(time.RFC3339, *f.value)
			if err != nil {
				c.errs = append(c.errs, d.errorf(id, "%s %q: %s %q is not an RFC 3339 time", in.Kind, ij.Name, f.name, *f.value).WithFix("write it as 2006-01-02T15:04:05Z07:00"))
			}
			return t, true
		}
		return time.Time{}, false
	}
	if in.Kind == migrate.KindMaintenance {
		var start, end bool
		in.ScheduledStart, start = at(ij.ID, field{"scheduled_for", ij.ScheduledFor})
		in.ScheduledEnd, end = at(ij.ID, field{"scheduled_until", ij.ScheduledUntil})
		if !start || !end {
			c.errs = append(c.errs, d.errorf(ij.ID, "maintenance %q has no scheduled_for or scheduled_until", ij.Name).WithFix("give both times"))
		}
	} else {
		// The times come from the incident, not its updates: an update
		// list may be incomplete.
		var set bool
		if in.Started, set = at(ij.ID, field{"started_at", ij.StartedAt}, field{"created_at", ij.CreatedAt}); !set {
			c.errs = append(c.errs, d.errorf(ij.ID, "incident %q has no started_at or created_at", ij.Name).WithFix("give the time it started"))
		}
		in.Resolved, _ = at(ij.ID, field{"resolved_at", ij.ResolvedAt})
	}
	statuses := incident.IncidentStatuses
	if in.Kind == migrate.KindMaintenance {
		statuses = incident.MaintenanceStatuses
	}
	for _, u := range ij.IncidentUpdates {
		if !slices.Contains(statuses, u.Status) {
			c.errs = append(c.errs, d.errorf(u.ID, "%s %q: unknown update status %q", in.Kind, ij.Name, u.Status).WithFix("use one of %s", strings.Join(statuses, ", ")))
		}
		t, set := at(u.ID, field{"display_at", u.DisplayAt}, field{"created_at", u.CreatedAt})
		if !set {
			c.errs = append(c.errs, d.errorf(u.ID, "%s %q: update %s has no display_at or created_at", in.Kind, ij.Name, u.ID).WithFix("give the time it was posted"))
		}
		in.Updates = append(in.Updates, migrate.Update{Time: t, Status: u.Status, Body: u.Body})
		c.affected(d, &in, u)
	}
	if ij.PostmortemBody != "" {
		c.postmortem(d, &in, ij, at)
	}
	for _, cj := range ij.Components {
		id, ok := c.comps[cj.ID]
		if !ok {
			id = c.unknown(d, cj.ID, cj.Name)
		}
		if _, ok := in.Components[id]; ok {
			continue
		}
		if in.Kind == migrate.KindMaintenance {
			in.Components[id] = string(incident.UnderMaintenance)
			continue
		}
		// No update says what the incident did to it; herald's own
		// impact-to-status rule then applies.
		in.Components[id] = ""
		c.note(d, ij.ID, fmt.Sprintf("incident %q lists component %q with no status in any update", ij.Name, cj.Name), "left its status to herald, which takes it from the impact")
	}
	return in, len(c.errs) == bad
}

// postmortem adds a published postmortem as the last update, at the
// time it was published. A draft stays out: Statuspage does not show it.
func (c *converter) postmortem(d *document, in *migrate.Incident, ij incidentJSON, at func(string, ...field) (time.Time, bool)) {
	published := strings.TrimSpace(string(ij.PostmortemPublishedAt))
	switch {
	case published == "" || published == "null" || published == "false":
		c.note(d, ij.ID, fmt.Sprintf("%s %q has a postmortem that is not published", in.Kind, ij.Name), "left it out, as Statuspage does")
		return
	case in.Kind == migrate.KindMaintenance:
		c.note(d, ij.ID, fmt.Sprintf("maintenance %q has a postmortem", ij.Name), "left it out: a herald maintenance has none")
		return
	}
	when := field{"postmortem_body_last_updated_at", ij.PostmortemUpdatedAt}
	if published != "true" {
		var s string
		if err := json.Unmarshal(ij.PostmortemPublishedAt, &s); err == nil {
			when = field{"postmortem_published_at", &s}
		}
	}
	t, set := at(ij.ID, when, field{"resolved_at", ij.ResolvedAt})
	if !set {
		c.note(d, ij.ID, fmt.Sprintf("incident %q has a postmortem with no time", ij.Name), "left it out")
		return
	}
	in.Updates = append(in.Updates, migrate.Update{Time: t, Status: "postmortem", Body: ij.PostmortemBody})
}

// field is a time field of the source, by name.
type field struct {
	name  string
	value *string
}

// affected records the status an update gives each component. Of all the
// updates, an incident keeps the worst status a component reached: the
// latest is operational again once an incident is resolved, which would
// say the incident touched nothing.
func (c *converter) affected(d *document, in *migrate.Incident, u updateJSON) {
	for _, a := range u.AffectedComponents {
		if !slices.Contains(componentStatuses, a.NewStatus) {
			c.errs = append(c.errs, d.errorf(u.ID, "%s %q: component %q has unknown status %q", in.Kind, in.Title, a.Name, a.NewStatus).WithFix("use one of %s", strings.Join(componentStatuses, ", ")))
			continue
		}
		id, ok := c.comps[a.Code]
		if !ok {
			id = c.unknown(d, a.Code, a.Name)
		}
		if in.Kind == migrate.KindMaintenance {
			in.Components[id] = string(incident.UnderMaintenance)
			continue
		}
		in.Components[id] = string(incident.Worse(incident.Status(in.Components[id]), incident.Status(a.NewStatus)))
	}
}

// unknown adds a component an incident names that no list has, so that
// the incident keeps it.
func (c *converter) unknown(d *document, code, name string) string {
	id := c.add(componentJSON{ID: code, Name: name}, "")
	c.note(d, code, fmt.Sprintf("component %q is in no component list", cmp.Or(name, code)), "added it at the end, with no group")
	return id
}

// slug keeps herald's own incident slug when the shortlink is a herald
// page (…/incidents/<slug>/); otherwise it is the name's slug and the
// shortlink's code (or the id), which keeps a stspg.io link traceable and
// two incidents of the same name apart.
func (c *converter) slug(ij incidentJSON) string {
	code := ij.ID
	if u, err := url.Parse(ij.Shortlink); err == nil && ij.Shortlink != "" {
		segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
		if n := len(segs); n >= 2 && segs[n-2] == "incidents" && config.IsSlug(segs[n-1]) && !c.slugs[segs[n-1]] {
			c.slugs[segs[n-1]] = true
			return segs[n-1]
		}
		if n := len(segs); n > 0 {
			code = segs[n-1]
		}
	}
	code = cmp.Or(config.Slugify(code), "incident")
	name := config.Slugify(ij.Name)
	if room := config.MaxSlug - len(code) - 1; len(name) > room {
		name = strings.TrimRight(name[:max(room, 0)], "-")
	}
	if name == "" {
		return unique(c.slugs, code)
	}
	return unique(c.slugs, name+"-"+code)
}
