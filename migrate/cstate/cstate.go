// Package cstate reads a cState status page (a Hugo site folder) into a
// migrate.Site. docs/migrate.md maps each cState field to herald's and
// gives the rule for every case the format leaves open.
package cstate

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/migrate"
)

type siteConfig struct {
	Title    string `yaml:"title"`
	BaseURL  string `yaml:"baseurl"`
	TimeZone string `yaml:"timezone"`
	Params   struct {
		Description string `yaml:"description"`
		Categories  []struct {
			Name     string `yaml:"name"`
			Untitled bool   `yaml:"untitled"`
		} `yaml:"categories"`
		Systems []struct {
			Name        string `yaml:"name"`
			Description string `yaml:"description"`
			Category    string `yaml:"category"`
			Link        string `yaml:"link"`
		} `yaml:"systems"`
		Alerts yaml.Node `yaml:"alerts"`
	} `yaml:"params"`
}

// reader holds what every issue file is read against.
type reader struct {
	site   *migrate.Site
	loc    *time.Location
	byName map[string]string // system name → component id
	errs   diag.List
}

// Read reads the cState site in the folder source. A file it cannot read
// at all is an error; anything it reads but cannot map is a Note.
func Read(source string) (*migrate.Site, error) {
	name := filepath.Join(source, "config.yml")
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("read cState config: %w", err)
	}
	var doc yaml.Node
	var cfg siteConfig
	err = yaml.Unmarshal(src, &doc)
	if err == nil {
		// Hugo's keys are case-insensitive: baseURL, baseUrl and baseurl
		// are one key.
		lowerKeys(&doc)
		err = doc.Decode(&cfg)
	}
	if err != nil {
		return nil, diag.Errorf(name, yamlLine(err), 0, "%s", yamlMessage(err)).WithFix("fix the YAML; cState's own build would fail on it too")
	}
	if u, err := url.Parse(cfg.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, diag.Errorf(name, keyLine(&doc, "baseurl"), 0, "baseURL %q is not an absolute http(s) URL", cfg.BaseURL).WithFix("set baseURL to the status page's public address, e.g. https://status.example.com/; herald's feeds need it")
	}
	if strings.TrimSpace(cfg.Title) == "" {
		return nil, diag.Errorf(name, keyLine(&doc, "title"), 0, "no title").WithFix("set title, which herald shows on every page")
	}
	r := &reader{site: &migrate.Site{
		Title:       cfg.Title,
		BaseURL:     cfg.BaseURL,
		Description: cfg.Params.Description,
		Timezone:    cfg.TimeZone,
	}, loc: time.UTC, byName: map[string]string{}}
	if cfg.TimeZone != "" {
		loc, err := time.LoadLocation(cfg.TimeZone)
		if err != nil {
			return nil, diag.Errorf(name, 0, 0, "timeZone %q is not an IANA time zone", cfg.TimeZone).WithFix("write a name such as Europe/Berlin")
		}
		r.loc = loc
	}
	if cfg.Params.Alerts.Kind != 0 {
		r.note(name, cfg.Params.Alerts.Line, "params.alerts has no herald equivalent", "dropped it; write an incident for an alert that still matters")
	}
	untitled := map[string]bool{}
	for _, c := range cfg.Params.Categories {
		untitled[c.Name] = c.Untitled
	}
	for _, s := range cfg.Params.Systems {
		id := config.Slugify(s.Name)
		for n := 2; slices.ContainsFunc(r.site.Components, func(c migrate.Component) bool { return c.ID == id }); n++ {
			id = fmt.Sprintf("%s-%d", config.Slugify(s.Name), n)
		}
		group := s.Category
		if untitled[group] {
			group = ""
		}
		r.site.Components = append(r.site.Components, migrate.Component{ID: id, Name: s.Name, Group: group, Description: s.Description})
		r.byName[s.Name] = id
		if s.Link != "" {
			r.note(name, 0, fmt.Sprintf("system %q links to %s; herald components have no link", s.Name, s.Link), "dropped the link; add it to links: in herald.yaml if it matters")
		}
	}

	files, err := filepath.Glob(filepath.Join(source, "content", "issues", "*.md"))
	if err != nil {
		return nil, fmt.Errorf("list cState issues: %w", err)
	}
	for _, f := range files {
		if base := filepath.Base(f); base == "_index.md" {
			continue
		}
		if err := r.issue(f); err != nil {
			r.errs.Add(f, err)
		}
	}
	if err := r.errs.Err(); err != nil {
		return nil, err
	}
	return r.site, nil
}

func (r *reader) note(file string, line int, what, instead string) {
	r.site.Unmapped = append(r.site.Unmapped, migrate.Note{File: file, Line: line, What: what, Instead: instead})
}

// issue reads one content/issues file. Its front matter errors are all
// reported together.
func (r *reader) issue(file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read issue: %w", err)
	}
	head, body, bodyLine, ok := splitFrontMatter(src)
	if !ok {
		return diag.Errorf(file, 1, 1, "no front matter").WithFix("start the file with a --- line, the YAML front matter and another --- line")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(head, &doc); err != nil {
		return diag.Errorf(file, 1+yamlLine(err), 0, "%s", yamlMessage(err)).WithFix("fix the front matter's YAML")
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return diag.Errorf(file, 2, 1, "the front matter is not a mapping").WithFix("write key: value lines between the --- lines")
	}
	in := migrate.Incident{
		Slug:       strings.TrimSuffix(filepath.Base(file), ".md"),
		Kind:       migrate.KindIncident,
		Components: map[string]string{},
	}
	var (
		date, resolvedWhen     time.Time
		resolved, info         bool
		severity               string
		severityLine, dateLine int
		affected               []*yaml.Node
		errs                   diag.List
	)
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		line := 1 + v.Line // the front matter starts on the file's line 2
		// Hugo's keys are case-insensitive.
		switch strings.ToLower(k.Value) {
		case "title":
			in.Title = v.Value
		case "date", "resolvedwhen":
			t, err := r.parseTime(v.Value)
			if err != nil {
				errs.Add(file, diag.Errorf(file, line, v.Column, "%s %q is not a date", k.Value, v.Value).WithFix("write it as 2024-05-15 17:50:00 or RFC 3339"))
				continue
			}
			if strings.EqualFold(k.Value, "date") {
				date, dateLine = t, line
			} else {
				resolvedWhen = t
			}
		case "resolved":
			resolved = v.Value == "true"
		case "informational":
			info = v.Value == "true"
		case "severity":
			severity, severityLine = v.Value, line
		case "affected":
			if v.Kind == yaml.SequenceNode {
				affected = v.Content
			} else {
				affected = []*yaml.Node{v}
			}
		case "pin":
			if v.Value == "true" {
				r.note(file, line, "pin: true has no herald equivalent", "dropped it; the incident is listed by date")
			}
		case "section":
			if v.Value != "issue" {
				r.note(file, line, fmt.Sprintf("section %q is not issue", v.Value), "migrated it as an issue")
			}
		default:
			r.note(file, line, fmt.Sprintf("front matter key %q has no herald equivalent", k.Value), "dropped it")
		}
	}
	if date.IsZero() && len(errs) == 0 {
		errs.Add(file, diag.Errorf(file, 2, 1, "no date").WithFix("add date: with the time the issue started"))
	}
	if err := errs.Err(); err != nil {
		return err
	}

	status := ""
	switch severity {
	case "down":
		status = "major_outage"
	case "disrupted":
		status = "partial_outage"
	case "notice":
		status = "operational"
	case "":
		if !info {
			r.note(file, 2, "no severity", "took it as disrupted (partial_outage)")
			status = "partial_outage"
		}
	default:
		r.note(file, severityLine, fmt.Sprintf("unknown severity %q", severity), "took it as disrupted (partial_outage)")
		status = "partial_outage"
	}
	if info || severity == "notice" {
		in.Impact = "none"
		status = "operational"
	}
	for _, a := range affected {
		id, ok := r.byName[a.Value]
		if !ok {
			r.note(file, 1+a.Line, fmt.Sprintf("affected %q is not a system in config.yml", a.Value), "left it out of the components")
			continue
		}
		in.Components[id] = status
	}

	maintenance := severity == "notice" && !info && !resolvedWhen.IsZero() && resolvedWhen.After(date) &&
		strings.Contains(strings.ToLower(in.Title+" "+string(body)), "maintenance")
	switch {
	case maintenance:
		in.Kind = migrate.KindMaintenance
		in.Impact = ""
		in.ScheduledStart, in.ScheduledEnd = date, resolvedWhen
		for id := range in.Components {
			in.Components[id] = "under_maintenance"
		}
	case resolved && !resolvedWhen.IsZero():
		in.Started, in.Resolved = date, resolvedWhen
		if resolvedWhen.Before(date) {
			r.note(file, dateLine, "resolvedWhen is before date", "resolved it at date")
			in.Resolved = date
		}
	case resolved || info:
		in.Started, in.Resolved = date, date
		if resolved {
			r.note(file, dateLine, "resolved: true without resolvedWhen", "resolved it at date")
		}
	default:
		in.Started = date
	}
	r.timeline(file, bodyLine, string(body), &in, date)
	r.site.Incidents = append(r.site.Incidents, in)
	return nil
}

// splitFrontMatter splits src into the YAML between its --- lines and the
// body, with the body's first line number.
func splitFrontMatter(src []byte) (head, body []byte, bodyLine int, ok bool) {
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	rest, found := bytes.CutPrefix(src, []byte("---\n"))
	if !found {
		return nil, nil, 0, false
	}
	i := bytes.Index(rest, []byte("\n---"))
	if i < 0 {
		return nil, nil, 0, false
	}
	head = rest[:i+1]
	body = rest[i+len("\n---"):]
	if j := bytes.IndexByte(body, '\n'); j >= 0 {
		body = body[j+1:]
	} else {
		body = nil
	}
	return head, body, 3 + bytes.Count(head, []byte("\n")), true
}

var (
	trackRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{<\s*track\s+"([^"]*)"\s*>\}\}`) })
	statusRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\*([A-Za-z][A-Za-z-]*(?: [A-Za-z-]+){0,2})\*\s*(?:[-—:]\s*)?`)
	})
	shortRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\{[<%].*?[>%]\}\}`) })
)

// statuses maps cState's emphasised status words to herald's.
var statuses = map[string]string{
	"investigating": "investigating",
	"identified":    "identified",
	"monitoring":    "monitoring",
	"update":        "monitoring",
	"resolved":      "resolved",
	"fixed":         "resolved",
	"post-mortem":   "postmortem",
	"postmortem":    "postmortem",
}

// maintenanceStatus is an incident status word as a maintenance's.
var maintenanceStatus = map[string]string{
	"investigating": "scheduled", "identified": "scheduled",
	"monitoring": "verifying", "resolved": "completed", "postmortem": "completed",
}

type entry struct {
	statusWord string
	tracked    bool // dated by a valid track
	hasTrack   bool // a track seen so far
	time       time.Time
	line       int
	paras      []string
}

// timeline splits a cState body into the summary and the updates: an
// update starts at a paragraph that opens with an emphasised status
// (*Investigating* -) or holds a track shortcode; a paragraph that does
// neither continues the one before; --- lines between updates are dropped.
func (r *reader) timeline(file string, firstLine int, body string, in *migrate.Incident, date time.Time) {
	var summary []string
	var entries []*entry
	line := firstLine
	for _, p := range paragraphs(body, &line) {
		text := p.text
		m := statusRE().FindStringSubmatch(text)
		tracked := trackRE().MatchString(text)
		// A track closes the update it ends; only a second one starts
		// another.
		continues := len(entries) > 0 && !entries[len(entries)-1].hasTrack
		if m == nil && (!tracked || continues) {
			if len(entries) == 0 {
				summary = append(summary, text)
			} else {
				last := entries[len(entries)-1]
				last.paras = append(last.paras, text)
				last.hasTrack = tracked
			}
			continue
		}
		e := &entry{line: p.line, hasTrack: tracked}
		if m != nil {
			e.statusWord = m[1]
			text = text[len(m[0]):]
		}
		entries = append(entries, e)
		e.paras = append(e.paras, text)
	}
	in.Summary = r.shortcodes(file, firstLine, joinParas(summary))
	for i, e := range entries {
		text := joinParas(e.paras)
		if t := trackRE().FindAllStringSubmatch(text, -1); t != nil {
			tt, err := r.parseTime(t[0][1])
			if err != nil {
				r.note(file, e.line, fmt.Sprintf("track %q is not a date", t[0][1]), "dated the update by the issue's date")
			} else {
				e.time, e.tracked = tt, true
			}
			text = strings.TrimSpace(trackRE().ReplaceAllString(text, ""))
		}
		if !e.tracked {
			// cState lists updates newest first: an untracked first one
			// is the last word, at resolvedWhen when there is one.
			e.time = date
			if i == 0 && !in.Resolved.IsZero() {
				e.time = in.Resolved
			}
		}
		if e.time.Before(date) {
			r.note(file, e.line, "the update's track is earlier than the issue's date", "dated it at date, since herald wants no update before the start")
			e.time = date
		}
		status := statuses[strings.ToLower(e.statusWord)]
		switch {
		case e.statusWord == "":
			r.note(file, e.line, "the update has no *Status* word", "took it as investigating")
			status = "investigating"
		case status == "":
			r.note(file, e.line, fmt.Sprintf("status *%s* is not one herald knows", e.statusWord), "kept it as the update's first words, with the status monitoring")
			status = "monitoring"
			text = "*" + e.statusWord + "* - " + text
		}
		if in.Kind == migrate.KindMaintenance {
			status = maintenanceStatus[status]
		}
		in.Updates = append(in.Updates, migrate.Update{Time: e.time, Status: status, Body: r.shortcodes(file, e.line, text)})
	}
}

// shortcodes reports the Hugo shortcodes left in text; herald would show
// them as written.
func (r *reader) shortcodes(file string, line int, text string) string {
	for _, s := range shortRE().FindAllString(text, -1) {
		r.note(file, line, fmt.Sprintf("shortcode %s has no herald equivalent", s), "kept it as text")
	}
	// A ## line would start a herald update; one level down keeps it a
	// heading.
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "## ") {
			lines[i] = "#" + l
			r.note(file, line, "a ## heading would be a herald update", "made it ###")
		}
	}
	return strings.Join(lines, "\n")
}

type para struct {
	text string
	line int
}

// paragraphs splits body at blank lines, never inside a ``` fence.
func paragraphs(body string, line *int) []para {
	var out []para
	var cur []string
	start, fence := 0, false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, para{strings.Join(cur, "\n"), start})
			cur = nil
		}
	}
	for l := range strings.SplitSeq(body, "\n") {
		trimmed := strings.TrimSpace(l)
		if strings.HasPrefix(trimmed, "```") {
			fence = !fence
		}
		if trimmed == "" && !fence {
			flush()
		} else {
			if len(cur) == 0 {
				start = *line
			}
			cur = append(cur, l)
		}
		*line++
	}
	flush()
	return out
}

// joinParas joins paragraphs, dropping --- rules at either end: between
// cState updates they only separate them.
func joinParas(ps []string) string {
	for len(ps) > 0 && strings.TrimSpace(ps[len(ps)-1]) == "---" {
		ps = ps[:len(ps)-1]
	}
	for len(ps) > 0 && strings.TrimSpace(ps[0]) == "---" {
		ps = ps[1:]
	}
	return strings.TrimSpace(strings.Join(ps, "\n\n"))
}

// timeLayouts are the dates cState and Hugo accept; one without a zone is
// in Hugo's timeZone, else UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}

func (r *reader) parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, r.loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a date")
}

// lowerKeys lowercases every mapping key under n.
func lowerKeys(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			n.Content[i].Value = strings.ToLower(n.Content[i].Value)
		}
	}
	for _, c := range n.Content {
		lowerKeys(c)
	}
}

// keyLine is the line of the top-level key in doc, or 0.
func keyLine(doc *yaml.Node, key string) int {
	if len(doc.Content) == 1 {
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				return m.Content[i].Line
			}
		}
	}
	return 0
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

// yamlLine is the line yaml.v3 names in err, or 0.
func yamlLine(err error) int {
	var n int
	if m := yamlLineRE().FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &n)
	}
	return n
}

func yamlMessage(err error) string {
	return "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")
}
