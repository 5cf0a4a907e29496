package render

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/incident"
)

// writeIncidentMain writes what the built-in "main" of incident.html prints for the
// page p, written here rather than executed: a large site has thousands of
// incident pages, and the template makes some sixty calls through reflect
// on each (escapers, words, times), which cost more than the rest of the
// page. It escapes each value as html/template does in its context
// (FuzzIncidentMain holds the two to the same bytes) and draws the
// affected components with the set's own "affected" template, so a site
// that overrides that partial still gets its own. A set whose incident.html
// redefines "main" executes its template (see writeMainInGo), and so does
// a page whose root is not a plain path, which html/template would
// filter.
//
// It writes straight into the page's buffer where w is one (see toText).
func (s *pageSet) writeIncidentMain(w io.Writer, p *Page) error {
	return toText(w, func(b textWriter) error { return s.incidentMainTo(b, p) })
}

// incidentMain is the text writeIncidentMain writes for p.
func (s *pageSet) incidentMain(p *Page) (template.HTML, error) {
	return asHTML(func(b textWriter) error { return s.incidentMainTo(b, p) })
}

// incidentMainTo writes incidentMain's page p to b.
func (s *pageSet) incidentMainTo(b textWriter, p *Page) error {
	if !plainPath(p.Root) {
		return s.t.ExecuteTemplate(b, builtinMain, p)
	}
	if in := p.Incident; in != nil {
		if err := s.writeIncident(b, p, in); err != nil {
			return err
		}
	}
	t := s.words.t
	b.WriteString("\n<p class=\"more\"><a href=\"")
	b.WriteString(p.Root)
	b.WriteString("\">")
	b.WriteString(string(t("index.current_status")))
	b.WriteString("</a> · <a href=\"")
	b.WriteString(p.Root)
	b.WriteString("history/\">")
	b.WriteString(string(t("history.title")))
	b.WriteString("</a></p>")
	return nil
}

// builtinMain names, in a set that writes its pages' "main" in Go, the
// built-in template that the Go writer stands for, which it executes
// for a page it leaves to the template.
const builtinMain = "builtin-main"

// writeMainInGo makes the set's "main", the built-in one of its page,
// call main, keeping the template as builtinMain. Like fixWords it must
// run on a fresh clone, before its first execution.
func (s *pageSet) writeMainInGo(main func(io.Writer, *Page) error) error {
	m := s.t.Lookup("main")
	if m == nil || m.Tree == nil {
		return fmt.Errorf("write page: no main template")
	}
	if _, err := s.t.AddParseTree(builtinMain, m.Tree.Copy()); err != nil {
		return fmt.Errorf("write page: %w", err)
	}
	inTemplate := func(p *Page) (template.HTML, error) {
		var b strings.Builder
		err := main(&b, p)
		return template.HTML(b.String()), err
	}
	if _, err := s.t.Funcs(template.FuncMap{"mainInGo": inTemplate}).Parse(`{{define "main"}}{{mainInGo .}}{{end}}`); err != nil {
		return fmt.Errorf("write page: %w", err)
	}
	s.mainInGo = main
	return nil
}

// writeIncident writes the article of incidentMain.
func (s *pageSet) writeIncident(b textWriter, p *Page, in *incident.Incident) error {
	w := s.words
	t := w.t
	e := linklessEntry(s, p, in) // the page's own link is never written
	// The markup around the bodies is some 2 kB; growing to it by
	// doubling would leave as much again behind for the collector.
	n := 2048 + len(in.Summary)
	for _, u := range in.Updates {
		n += len(u.Body) + 256
	}
	b.Grow(n)
	html := func(h template.HTML) { b.WriteString(string(h)) }
	text := func(v string) { htmlEscaper.WriteString(b, v) }
	// lang marks text in the language the incident was written in.
	lang := func() {
		if in.Untranslated != "" {
			b.WriteString(" lang=\"")
			text(in.Untranslated)
			b.WriteString("\"")
		}
	}
	// withTime writes the message key with the time tag of when as its
	// value "time", the tag written in place where t would put it.
	withTime := func(key string, when time.Time) {
		for i, part := range s.around(key, "time") {
			if i > 0 {
				w.writeTimeTag(b, when)
			}
			b.WriteString(part)
		}
	}
	fact := func(key string) {
		b.WriteString("\n<div><dt>")
		html(t(key))
		b.WriteString("</dt><dd>")
	}

	b.WriteString("\n<article class=\"incident\">\n<p class=\"eyebrow\">")
	if e.Maintenance {
		html(t("incident.maintenance"))
	} else {
		html(t("incident.incident"))
	}
	b.WriteString("</p>\n<h1")
	lang()
	b.WriteString(">")
	text(in.Title)
	b.WriteString("</h1>")
	if in.Untranslated != "" {
		b.WriteString("\n<p class=\"note untranslated\">")
		html(t("incident.not_translated"))
		b.WriteString("</p>")
	}
	b.WriteString("\n<p class=\"badges ")
	text(e.ImpactClass)
	b.WriteString("\"><span class=\"badge\">")
	text(e.ImpactLabel)
	b.WriteString("</span></p>\n<dl class=\"facts\">")

	if e.Maintenance {
		phase := in.PhaseAt(p.Now)
		fact("incident.status")
		switch phase {
		case incident.PhaseUpcoming:
			withTime("incident.upcoming_starts", in.Start())
		case incident.PhaseActive:
			withTime("incident.in_progress_since", in.Start())
			if word := in.StatusAt(p.Now); word != "in_progress" {
				b.WriteString(" · ")
				text(w.updateLabel(word))
			}
		default:
			withTime("incident.completed_at", in.End())
		}
		b.WriteString("</dd></div>")
		fact("incident.window")
		w.writeTimeRange(b, in.ScheduledStart, in.ScheduledEnd)
		b.WriteString("</dd></div>")
		if phase == incident.PhaseOver {
			fact("incident.duration")
			text(s.length(in.End().Sub(in.Start())))
			b.WriteString("</dd></div>")
		}
	} else {
		ongoing := in.Resolved.IsZero()
		fact("incident.status")
		text(e.Status)
		if ongoing {
			b.WriteString(" · ")
			withTime("incident.ongoing_since_inline", in.Started)
		}
		b.WriteString("</dd></div>")
		if !ongoing {
			fact("incident.started")
			w.writeTimeTag(b, in.Started)
			b.WriteString("</dd></div>")
			fact("incident.resolved")
			w.writeTimeTag(b, in.Resolved)
			b.WriteString("</dd></div>")
			fact("incident.duration")
			text(s.length(in.Resolved.Sub(in.Started)))
			b.WriteString("</dd></div>")
		}
	}

	if len(in.Affected) > 0 {
		fact("incident.affected")
		b.WriteString("\n<ul class=\"affected\">")
		for _, a := range in.Affected {
			h, err := s.affected(p, a)
			if err != nil {
				return err
			}
			b.WriteString("\n")
			html(h)
		}
		b.WriteString("\n</ul>\n</dd></div>")
	}
	b.WriteString("\n</dl>")

	if in.Summary != "" {
		b.WriteString("\n<div class=\"prose summary\"")
		lang()
		b.WriteString(">")
		writeHeadingsFrom(b, 2, in.Summary)
		b.WriteString("</div>")
	}
	// The updates as e.Timeline lists them, each written here rather
	// than made as strings (its time tag, its body with headings moved
	// down) to be copied in.
	if len(in.Updates) > 0 {
		b.WriteString("\n<section aria-labelledby=\"updates\">\n<h2 id=\"updates\">")
		html(t("incident.updates"))
		b.WriteString("</h2>\n<ol class=\"timeline\">")
		for _, u := range in.Updates {
			b.WriteString("\n<li>\n<h3 class=\"update-head\"><span class=\"update-status\">")
			text(s.updateLabel(u.Status))
			b.WriteString("</span> ")
			w.writeTimeTag(b, u.Time)
			b.WriteString("</h3>\n<div class=\"prose\"")
			lang()
			b.WriteString(">")
			writeHeadingsFrom(b, 4, u.Body)
			b.WriteString("</div>\n</li>")
		}
		b.WriteString("\n</ol>\n</section>")
	}
	b.WriteString("\n</article>")
	return nil
}
