package render

import (
	"fmt"
	"html/template"
	"io"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/status"
)

// Entry is one incident as a page shows it, made by the template function
// entry. Beyond the page and the incident it holds what the built-in
// templates print of the incident, worked out in Go: a page that lists
// thousands of incidents then reads fields instead of calling a template
// function for each label and link, which text/template does through
// reflection at several times the cost.
//
// Everything here follows from the incident, the page's clock (through
// the incident's status word) and the theme, so pages that read an Entry
// depend on nothing more than pages that read the incident.
type Entry struct {
	Page     *Page
	Incident *incident.Incident

	// Link is the incident's page, from Page: Page.Rel (incidentPath
	// Incident).
	Link string
	// Maintenance is true for scheduled maintenance, false for an
	// incident.
	Maintenance bool
	// ImpactClass and ImpactLabel are impactClass and impactLabel of the
	// incident: "impact-major", "Major impact".
	ImpactClass, ImpactLabel string
	// Status is the incident's status word at Page.Now as updateLabel
	// words it: "Investigating", "In progress".
	Status string

	set *pageSet
}

// Excerpt is the plain text of the newest update's body, at most about
// 200 characters (excerpt .Body 200), or "" when there is no update.
func (e Entry) Excerpt() string {
	u := e.Incident.Latest()
	if u == nil {
		return ""
	}
	return excerpt(u.Body, 200)
}

// Affected lists the components the incident affects, in the order its
// file names them, each linked from the page.
func (e Entry) Affected() []AffectedComponent {
	out := make([]AffectedComponent, len(e.Incident.Affected))
	for i, a := range e.Incident.Affected {
		out[i] = affectedComponent(e.Page, a)
	}
	return out
}

// affectedComponent is a component an incident affects, as page p lists
// it.
func affectedComponent(p *Page, a incident.Affected) AffectedComponent {
	out := AffectedComponent{ID: a.ID, Status: a.Status}
	if c := p.Snap.Component(a.ID); c != nil {
		out.Component, out.Link = c, p.Root+ComponentPath(c.ID)
	}
	return out
}

// AffectedComponent is one component an incident affects, as
// Entry.Affected lists it.
type AffectedComponent struct {
	ID string
	// Component is the component of that id, nil if the site has none.
	Component *status.Component
	// Link is the component's page, from the page that lists it.
	Link string
	// Status is the status the incident gives the component.
	Status incident.Status
}

// Timeline lists the incident's updates as its page shows them, newest
// first.
func (e Entry) Timeline() []TimelineUpdate {
	w := words{}.orDefault()
	label := w.updateLabel
	if e.set != nil {
		w, label = e.set.words, e.set.updateLabel
	}
	out := make([]TimelineUpdate, len(e.Incident.Updates))
	for i, u := range e.Incident.Updates {
		out[i] = TimelineUpdate{
			Update: &e.Incident.Updates[i],
			Label:  label(u.Status),
			Time:   w.timeTag(u.Time),
			Body:   headingsFrom(4, u.Body),
		}
	}
	return out
}

// TimelineUpdate is one update as Entry.Timeline lists it.
type TimelineUpdate struct {
	Update *incident.Update
	// Label is updateLabel of the update's status: "Identified".
	Label string
	// Time is timeTag of the update's time.
	Time template.HTML
	// Body is the update's body with its headings moved down to start at
	// <h4> (headingsFrom 4 .Body).
	Body template.HTML
}

// newEntry makes the Entry of in on page p.
func newEntry(set *pageSet, p *Page, in *incident.Incident) Entry {
	e := linklessEntry(set, p, in)
	e.Link = incidentLink(p.Root, in.Slug)
	return e
}

// linklessEntry is newEntry without its Link, for an entry written in Go,
// which writes the link in its parts (writeIncidentLink) rather than make
// a string of it for each entry of each list.
func linklessEntry(set *pageSet, p *Page, in *incident.Incident) Entry {
	e := Entry{
		Page: p, Incident: in,
		Maintenance: in.Kind == incident.KindMaintenance,
		ImpactClass: impactClass(in),
		ImpactLabel: set.words.impactLabel(in),
		Status:      set.updateLabel(in.StatusAt(p.Now)),
		set:         set,
	}
	return e
}

// pageSet is one page template's set, cloned for one Files call, with
// what memo rendered for all the pages that use it.
type pageSet struct {
	t *template.Template
	// words are the site's time zone and language, never nil once
	// setFuncs ran.
	words words
	// builtin holds the set's templates that are the built-in theme's,
	// of those inGo lists: they may be written in Go.
	builtin map[string]bool
	// mainInGo, when set, writes the set's "main" (see writeMainInGo).
	mainInGo func(io.Writer, *Page) error
	// layout is set when the set's base.html is the built-in one, which
	// writeLayout writes.
	layout *layout

	mu   sync.Mutex
	memo map[memoKey]template.HTML
	// thisComponent is componentEntry's words for each status an
	// incident gives the page's component: a few statuses, thousands of
	// entries.
	thisComponent map[incident.Status]template.HTML
	// worded are the messages without values that pages written in Go
	// print (see fixed).
	worded map[string]string
	// labels are updateLabel's words, by update word.
	labels map[string]string
	// holes are around's messages, by key and value name.
	holes map[[2]string][]string
	// lengths are length's words, by the minute.
	lengths map[time.Duration]string
	// affectedOf is what an incident page draws of each component it
	// affects (the template "affected", as memo renders it), by what
	// that AffectedComponent is made from: the memo's own key would be
	// the AffectedComponent, its link joined and it boxed for each page.
	affectedOf map[affectedKey]rendered
	// spans is what the built-in "span" drew of each incident in any set
	// of the same call of Files, which words them alike: history, index,
	// component and report pages list the same incidents. Nil for a set
	// of its own.
	spans *sharedSpans
}

// sharedSpans are the spans of the sets of one call of Files.
type sharedSpans struct {
	mu sync.Mutex
	of map[*incident.Incident]template.HTML
}

func newSharedSpans() *sharedSpans {
	return &sharedSpans{of: map[*incident.Incident]template.HTML{}}
}

// affectedKey is what affectedComponent makes an AffectedComponent of.
type affectedKey struct {
	root      string
	component *status.Component // of id in the page's snapshot
	id        string
	status    incident.Status
}

// rendered is what render returned.
type rendered struct {
	h   template.HTML
	err error
}

// affected is render("affected", affectedComponent(p, a)), made once a set
// for each affectedKey.
func (s *pageSet) affected(p *Page, a incident.Affected) (template.HTML, error) {
	k := affectedKey{p.Root, p.Snap.Component(a.ID), a.ID, a.Status}
	r := once(s, &s.affectedOf, k, func() rendered {
		h, err := s.render("affected", affectedComponent(p, a))
		return rendered{h, err}
	})
	return r.h, r.err
}

type memoKey struct {
	name string
	data any
}

// render executes the template name with data once per data value: see
// the template function memo.
func (s *pageSet) render(name string, data any) (template.HTML, error) {
	if !memoable(data) {
		return "", fmt.Errorf("memo %q: data of type %T is not comparable (pass a pointer, a string or a number)", name, data)
	}
	k := memoKey{name, data}
	s.mu.Lock()
	h, ok := s.memo[k]
	s.mu.Unlock()
	if ok {
		return h, nil
	}
	inGo := false
	switch d := data.(type) {
	case *incident.Incident:
		// Lists draw the span of every incident they hold: once in each
		// set, for thousands of incidents.
		if name == "span" && s.builtin["span"] {
			h, inGo = s.sharedSpan(d), true
		}
	case *Frame:
		if s.builtin[name] {
			var err error
			if h, inGo, err = s.frame(name, d); err != nil {
				return "", err
			}
		}
	}
	if !inGo {
		var b strings.Builder
		if err := s.t.ExecuteTemplate(&b, name, data); err != nil {
			return "", err
		}
		h = template.HTML(b.String())
	}
	s.mu.Lock()
	s.memo[k] = h
	s.mu.Unlock()
	return h, nil
}

// memoable reports whether data may key a memo. The types the
// templates and pages written in Go memoize are comparable whatever they
// hold, and reflect's check of a struct allocates its fields.
func memoable(data any) bool {
	switch data.(type) {
	case nil, string, *incident.Incident, *status.Component, *Frame, AffectedComponent:
		return true
	}
	return reflect.ValueOf(data).Comparable()
}

// updateLabel is words.updateLabel of the update word, worded once a set:
// every entry words its incident's status.
func (s *pageSet) updateLabel(word string) string {
	return once(s, &s.labels, word, func() string { return s.words.updateLabel(word) })
}

// once returns what word returned the first time the set asked for k in
// m, calling it then: the words a set writes again and again (fixed,
// around, length, ...) are worded once a set. m is guarded by s.mu.
func once[K comparable, V any](s *pageSet, m *map[K]V, k K, word func() V) V {
	s.mu.Lock()
	v, ok := (*m)[k]
	s.mu.Unlock()
	if ok {
		return v
	}
	v = word()
	s.mu.Lock()
	if *m == nil {
		*m = map[K]V{}
	}
	(*m)[k] = v
	s.mu.Unlock()
	return v
}

// listEntry is the template function of that name: the "entry" template
// executed with the Entry of in on page p. Every list of incidents draws
// one per incident, and text/template calls each escaper of the template
// through reflect, so with the built-in "entry" it is written here
// instead, escaped as html/template escapes it (TestListEntryMatches
// fuzzes the two against each other). A set whose "entry" a site
// overrides, and a link that is not a plain path, get the template.
func (s *pageSet) listEntry(p *Page, in *incident.Incident) (template.HTML, error) {
	return asHTML(func(b textWriter) error { return s.writeListEntry(b, p, in) })
}

// writeListEntry writes listEntry's entry of in on page p to b.
func (s *pageSet) writeListEntry(b textWriter, p *Page, in *incident.Incident) error {
	if !s.builtin["entry"] || !plainLink(p, in) {
		return s.t.ExecuteTemplate(b, "entry", newEntry(s, p, in))
	}
	e := linklessEntry(s, p, in)
	span, err := s.render("span", in)
	if err != nil {
		return err
	}
	excerpt := ""
	if len(in.Updates) > 0 {
		excerpt = e.Excerpt()
	}
	b.Grow(entrySize(e, len(span)+len(excerpt)))
	s.writeEntryTitle(b, e)
	if len(in.Updates) > 0 {
		b.WriteString("\n<p class=\"excerpt\"><strong>")
		htmlEscaper.WriteString(b, e.Status)
		b.WriteString("</strong> – ")
		htmlEscaper.WriteString(b, excerpt)
		b.WriteString("</p>")
	}
	writeEntryWhen(b, span)
	return nil
}

// componentEntry is the template function of that name: the
// "component-entry" template, an incident in a component's list,
// executed with the Entry of in on the component's page p; written here,
// as listEntry writes "entry", while the set's "component-entry" is the
// built-in one (FuzzComponentEntry holds the two to the same bytes).
func (s *pageSet) componentEntry(p *Page, in *incident.Incident) (template.HTML, error) {
	return asHTML(func(b textWriter) error { return s.writeComponentEntry(b, p, in) })
}

// writeComponentEntry writes componentEntry's entry of in on page p to b.
func (s *pageSet) writeComponentEntry(b textWriter, p *Page, in *incident.Incident) error {
	if !s.builtin["component-entry"] || !plainLink(p, in) || p.Component == nil {
		return s.t.ExecuteTemplate(b, "component-entry", newEntry(s, p, in))
	}
	e := linklessEntry(s, p, in)
	span, err := s.render("span", in)
	if err != nil {
		return err
	}
	this := s.thisComponentWords(affectedStatus(in, p.Component.ID))
	b.Grow(entrySize(e, len(span)+len(this)))
	s.writeEntryTitle(b, e)
	b.WriteString("\n<p class=\"excerpt\"><strong>")
	htmlEscaper.WriteString(b, e.Status)
	b.WriteString("</strong> · ")
	b.WriteString(string(this))
	b.WriteString("</p>")
	writeEntryWhen(b, span)
	return nil
}

// thisComponentWords is what the built-in component-entry says of the
// status st an incident gives the page's component, worded once a set.
func (s *pageSet) thisComponentWords(st incident.Status) template.HTML {
	return once(s, &s.thisComponent, st, func() template.HTML {
		return s.words.t("incident.this_component", "status", s.words.statusLabel(st))
	})
}

// entrySize is about the length of a built-in entry of e whose words and
// span are n bytes, a little over rather than under: a builder that grows
// by doubling leaves its smaller copies to the collector.
func entrySize(e Entry, n int) int {
	return 192 + n + len(e.Page.Root) + len(e.Incident.Slug) + len(e.Incident.Untranslated) + 2*(len(e.Incident.Title)+len(e.ImpactLabel)+len(e.Status))
}

// sharedSpan is span of in, drawn once for every set sharing s.spans.
func (s *pageSet) sharedSpan(in *incident.Incident) template.HTML {
	sh := s.spans
	if sh == nil {
		return s.span(in)
	}
	sh.mu.Lock()
	h, ok := sh.of[in]
	sh.mu.Unlock()
	if ok {
		return h
	}
	h = s.span(in)
	sh.mu.Lock()
	sh.of[in] = h
	sh.mu.Unlock()
	return h
}

// span is what the built-in "span" template prints for in (see
// partials.html): every part is HTML already, which html/template
// writes as it is.
func (s *pageSet) span(in *incident.Incident) template.HTML {
	w := s.words
	switch {
	case in.Kind == incident.KindMaintenance:
		return w.timeRange(in.Start(), in.End())
	case in.Resolved.IsZero():
		return w.t("incident.ongoing_since", "time", w.timeTag(in.Started))
	}
	return w.timeRange(in.Started, in.Resolved)
}

// writeEntryTitle writes the start of a built-in entry, up to its title
// line, as the templates print it.
func (s *pageSet) writeEntryTitle(b textWriter, e Entry) {
	b.WriteString("\n<li class=\"entry ")
	htmlEscaper.WriteString(b, e.ImpactClass)
	b.WriteString("\">\n<p class=\"entry-title\"><a href=\"")
	writeIncidentLink(b, e.Page, e.Incident)
	b.WriteString("\"")
	if e.Incident.Untranslated != "" {
		b.WriteString(" lang=\"")
		htmlEscaper.WriteString(b, e.Incident.Untranslated)
		b.WriteString("\"")
	}
	b.WriteString(">")
	htmlEscaper.WriteString(b, e.Incident.Title)
	b.WriteString("</a> <span class=\"badge\">")
	htmlEscaper.WriteString(b, e.ImpactLabel)
	b.WriteString("</span></p>")
}

// writeEntryWhen writes the end of a built-in entry: the set's "span" of
// its incident.
func writeEntryWhen(b textWriter, span template.HTML) {
	b.WriteString("\n<p class=\"when\">")
	b.WriteString(string(span))
	b.WriteString("</p>\n</li>")
}

// htmlEscaper escapes a string as html/template does in text and in a
// quoted attribute (its htmlReplacementTable): template.HTMLEscapeString
// leaves "+" alone, which html/template escapes.
var htmlEscaper = strings.NewReplacer(
	"\x00", "\uFFFD",
	`"`, "&#34;",
	"&", "&amp;",
	"'", "&#39;",
	"+", "&#43;",
	"<", "&lt;",
	">", "&gt;",
)

// plainLink reports whether the link to in from page p, incidentLink, is
// a plainPath: a slug that url.PathEscape leaves as it is is unreserved,
// and any other is escaped to or keeps a character no plain path has.
func plainLink(p *Page, in *incident.Incident) bool {
	return plainPath(p.Root) && unreserved(in.Slug)
}

// writeIncidentLink writes incidentLink's link to in from page p to b,
// where plainLink holds.
func writeIncidentLink(b textWriter, p *Page, in *incident.Incident) {
	b.WriteString(p.Root)
	b.WriteString("incidents/")
	b.WriteString(in.Slug)
	b.WriteByte('/')
}

// plainPath reports whether s, in an href, is left as it is by
// html/template's URL filter, normalizer and attribute escaper: a
// relative path of unreserved characters and slashes.
func plainPath(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/", c) >= 0) {
			return false
		}
	}
	return true
}
