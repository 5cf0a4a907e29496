package incident

import (
	"bufio"
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/strictyaml"
)

// Parser parses incident files for one site. It is safe for concurrent use.
type Parser struct {
	cfg *config.Config
	// md is GFM, which renders every body and parses those that plain
	// cannot (autolink.go).
	md, plain goldmark.Markdown
	// updateWords and componentWords are the status words of the site's
	// locale (words.go).
	updateWords, componentWords []*vocab
	done                        <-chan struct{} // see ParseContext
}

// NewParser returns a parser that checks component ids against cfg,
// reads wall-clock times in its timezone, and status words in English or
// its locale.
func NewParser(cfg *config.Config) *Parser {
	p := &Parser{cfg: cfg, md: newMarkdown(cfg.Markdown.UnsafeHTML, true), plain: newMarkdown(cfg.Markdown.UnsafeHTML, false)}
	p.updateWords, p.componentWords = localWords(cfg.LocaleOf(cfg.Locale))
	return p
}

// frontMatter is the YAML header of an incident file.
type frontMatter struct {
	Title          string     `yaml:"title"`
	Type           string     `yaml:"type"`
	Components     components `yaml:"components"`
	Impact         string     `yaml:"impact"`
	Started        string     `yaml:"started"`
	Resolved       string     `yaml:"resolved"`
	ScheduledStart string     `yaml:"scheduled_start"`
	ScheduledEnd   string     `yaml:"scheduled_end"`
	Draft          bool       `yaml:"draft"`
}

// components is either a map of id to status or a list of ids.
type components struct {
	listed  bool
	entries []componentEntry
}

type componentEntry struct {
	id, status string
	line, col  int // of the id, within the front matter
}

func (c *components) UnmarshalYAML(n *yaml.Node) error {
	// strictyaml decodes the front matter again after a value fails to:
	// the components read the first time are not listed twice.
	*c = components{}
	switch n.Kind {
	case yaml.MappingNode:
		c.entries = make([]componentEntry, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a status word for component %q", v.Line, k.Value)
			}
			c.entries = append(c.entries, componentEntry{id: k.Value, status: v.Value, line: k.Line, col: k.Column})
		}
	case yaml.SequenceNode:
		c.listed = true
		c.entries = make([]componentEntry, 0, len(n.Content))
		for _, v := range n.Content {
			if v.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: expected a component id", v.Line)
			}
			c.entries = append(c.entries, componentEntry{id: v.Value, line: v.Line, col: v.Column})
		}
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		c.listed = true
		c.entries = append(c.entries, componentEntry{id: n.Value, line: n.Line, col: n.Column})
	default:
		return fmt.Errorf("line %d: components must be a map of id: status or a list of ids", n.Line)
	}
	return nil
}

// Parse reads one incident file. file is its path relative to the site
// folder, used in messages; slug is its name without .md. The returned
// error is a diag.List with every problem found in the file.
//
// In a site of several languages, a file <slug>.<lang>.md, where lang is
// one of them but the first, is a translation of <slug>.md: it parses to
// an Incident holding only the translation, which Collect gives to its
// original and never returns as an incident of its own.
func (p *Parser) Parse(file, slug string, src []byte) (*Incident, error) {
	if orig, lang, ok := p.translationOf(slug); ok {
		return p.parseTranslation(file, slug, orig, lang, src)
	}
	var errs diag.List
	fm, body, bodyLine, err := splitFrontMatter(file, src)
	if err != nil {
		return nil, err
	}
	var meta frontMatter
	doc, err := strictyaml.Decode(file, fm, 1, &meta)
	if doc == nil {
		return nil, err
	}
	// meta holds no yaml.Node: only its strings outlive the Doc.
	defer doc.Release()
	// A misspelt key or a value of the wrong kind is one problem among
	// others: the rest of the file is still checked.
	errs.Add(file, err)
	in := &Incident{Slug: slug, File: file, Sum: contentSum(file, slug, src), Title: ownTitle(meta.Title), Draft: meta.Draft}
	if in.Title == "" && !doc.Failed("title") {
		errs = append(errs, doc.Errorf("title", "missing title").WithFix("add `title: What readers should know` to the front matter"))
	}
	switch meta.Type {
	case "", "incident":
		in.Kind = KindIncident
	case "maintenance":
		in.Kind = KindMaintenance
	default:
		errs = append(errs, doc.Errorf("type", "unknown type %q", meta.Type).WithFix("use incident or maintenance"))
		in.Kind = KindIncident
	}

	p.parseComponents(in, &meta, doc, &errs)
	p.parseTimes(in, &meta, doc, &errs)
	statuses := IncidentStatuses
	if in.Kind == KindMaintenance {
		statuses = MaintenanceStatuses
	}
	p.parseBody(in, body, bodyLine, statuses, p.updateWords, &errs)

	if in.Kind == KindIncident {
		// An update saying resolved ends an incident whose front matter
		// does not, so authors need not repeat themselves.
		if in.Resolved.IsZero() {
			for _, u := range in.Updates {
				if u.Status == "postmortem" {
					continue
				}
				if u.Status == "resolved" {
					in.Resolved = u.Time
				}
				break
			}
		}
		if in.Started.IsZero() && len(in.Updates) > 0 {
			in.Started = in.Updates[len(in.Updates)-1].Time
		}
		if doc.Has("started") {
			line, col := keyPos(doc, "started")
			in.startedBy = place{line, col, "started"}
		} else if len(in.Updates) > 0 {
			in.startedBy = place{in.Updates[len(in.Updates)-1].Line, 4, "the first update"}
		}
		if in.Started.IsZero() && !doc.Has("started") {
			errs = append(errs, doc.Errorf("", "missing started").WithFix("add `started: YYYY-MM-DD HH:MM` to the front matter, or a timeline update"))
		}
		for _, u := range in.Updates {
			if !in.Started.IsZero() && !u.Time.IsZero() && u.Time.Before(in.Started) {
				errs = append(errs, diag.Errorf(file, u.Line, 4, "update at %s is before the incident started at %s", fmtTime(u.Time, p.cfg.Location), fmtTime(in.Started, p.cfg.Location)).WithFix("check the date, or move started earlier"))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	return in, nil
}

func (p *Parser) parseComponents(in *Incident, meta *frontMatter, doc *strictyaml.Doc, errs *diag.List) {
	if meta.Impact != "" {
		in.Impact = knownImpact(meta.Impact)
		if in.Impact == "" {
			*errs = append(*errs, doc.Errorf("impact", "unknown impact %q", meta.Impact).WithFix("use none, minor, major or critical"))
			in.Impact = ImpactNone
		}
	}
	if meta.Components.listed && meta.Impact == "" && in.Kind == KindIncident && len(meta.Components.entries) > 0 {
		*errs = append(*errs, doc.Errorf("components", "a list of components needs an impact").WithFix("add `impact: minor` (or none, major, critical), or write components as `id: status`"))
	}
	worst := Operational
	seen := make(map[string]bool, len(meta.Components.entries))
	if n := len(meta.Components.entries); n > 0 {
		in.Affected = make([]Affected, 0, n) // nil for none, as before
	}
	for _, e := range meta.Components.entries {
		line, col := e.line+1, e.col
		c := p.cfg.Component(e.id)
		if c == nil {
			*errs = append(*errs, diag.Errorf(in.File, line, col, "unknown component %q", e.id).WithFix("%s", suggestID(e.id, p.cfg.ComponentIDs())))
			continue
		}
		if seen[e.id] {
			*errs = append(*errs, diag.Errorf(in.File, line, col, "component %q is listed twice", e.id))
			continue
		}
		seen[e.id] = true
		var st Status
		switch {
		case meta.Components.listed && in.Kind == KindMaintenance:
			st = UnderMaintenance
		case meta.Components.listed:
			st = impactStatus[in.Impact]
		default:
			s, ok := match(e.status, func(w string) string { return w }, componentStatuses, p.componentWords...)
			if !ok {
				*errs = append(*errs, diag.Errorf(in.File, line, col, "unknown status %q for component %q", e.status, e.id).WithFix("use %s", accepted(componentStatuses, orList, p.componentWords...)))
				continue
			}
			st = Status(s)
		}
		worst = Worse(worst, st)
		// The config's id, equal to e.id: e.id is a part of the front
		// matter's text, which it would keep alive to the end of a build.
		in.Affected = append(in.Affected, Affected{ID: c.ID, Status: st})
	}
	if in.Impact == "" {
		in.Impact = statusImpact[worst]
	}
}

func (p *Parser) parseTimes(in *Incident, meta *frontMatter, doc *strictyaml.Doc, errs *diag.List) {
	at := func(key, value string) time.Time {
		if value == "" {
			return time.Time{}
		}
		t, err := parseTime(value, p.cfg.Location)
		if err != nil {
			*errs = append(*errs, doc.Errorf(key, "%s: %v", key, err).WithFix(timeHint))
		}
		return t
	}
	wrongKind := func(key, want string) {
		if doc.Has(key) {
			*errs = append(*errs, doc.Errorf(key, "%s is not used by %s files", key, in.Kind).WithFix("use %s", want))
		}
	}
	if in.Kind == KindMaintenance {
		wrongKind("started", "scheduled_start")
		wrongKind("resolved", "scheduled_end and a completed update")
		in.ScheduledStart = at("scheduled_start", meta.ScheduledStart)
		in.ScheduledEnd = at("scheduled_end", meta.ScheduledEnd)
		for _, k := range []string{"scheduled_start", "scheduled_end"} {
			if !doc.Has(k) {
				*errs = append(*errs, doc.Errorf("", "maintenance without %s", k).WithFix("add `%s: YYYY-MM-DD HH:MM` to the front matter", k))
			}
		}
		if !in.ScheduledStart.IsZero() && !in.ScheduledEnd.IsZero() && !in.ScheduledEnd.After(in.ScheduledStart) {
			*errs = append(*errs, doc.Errorf("scheduled_end", "scheduled_end is not after scheduled_start").WithFix("the window must end after it starts"))
		}
		return
	}
	wrongKind("scheduled_start", "started, or `type: maintenance`")
	wrongKind("scheduled_end", "resolved, or `type: maintenance`")
	in.Started = at("started", meta.Started)
	in.Resolved = at("resolved", meta.Resolved)
	if !in.Started.IsZero() && !in.Resolved.IsZero() && in.Resolved.Before(in.Started) {
		*errs = append(*errs, doc.Errorf("resolved", "resolved (%s) is before started (%s)", fmtTime(in.Resolved, p.cfg.Location), fmtTime(in.Started, p.cfg.Location)).WithFix("check both dates"))
	}
}

// wordSeparators turns "In progress" and "post-mortem" into status words.
var wordSeparators = strings.NewReplacer(" ", "_", "-", "_")

// bodyBuffers holds a body's render buffers between files: a 4 KiB
// bufio.Writer per file was 8% of a large site's load allocations, and
// each file's HTML and text buffers grew anew from nothing.
var bodyBuffers = sync.Pool{New: func() any {
	b := new(bodyBuffer)
	b.w = bufio.NewWriter(&b.html)
	return b
}}

// bodyBuffer is what parseBody renders a body into.
type bodyBuffer struct {
	// html holds every section, one after another; ends is where each
	// ends, so that a file takes one string for all of them rather than
	// one for each.
	html bytes.Buffer
	ends []int
	w    *bufio.Writer // into html, for goldmark's renderer
	text bytes.Buffer  // the summary's plain text
}

// splitHeading splits a timeline heading, without white space around it,
// into its time and its status at the first dash (—, –, - or --) with
// white space on both sides, so that hyphens inside the date don't split
// it. Neither part may hold a line break (a setext heading's). It is the
// regular expression `^(.+?)\s+(?:—|–|-{1,2})\s+(.+?)\s*$` (which its
// tests hold it to) written out: as an expression it was a fifth of a
// large site's parse outside goldmark.
func splitHeading(s string) (when, status string, ok bool) {
	for i := 1; i < len(s); {
		if !isSpace(s[i]) {
			i++
			continue
		}
		k := i
		for k < len(s) && isSpace(s[k]) {
			k++
		}
		if status, ok := afterDash(s, k); ok {
			return s[:i], status, true
		}
		if strings.Contains(s[i:k], "\n") {
			break // the time would hold it
		}
		i = k
	}
	return "", "", false
}

// afterDash is the status in s after a dash at k and the white space
// after it, if there is one.
func afterDash(s string, k int) (string, bool) {
	e := k
	switch rest := s[k:]; {
	case strings.HasPrefix(rest, "—"), strings.HasPrefix(rest, "–"):
		e += len("—")
	case strings.HasPrefix(rest, "--") && len(rest) > 2 && isSpace(rest[2]):
		e += 2
	case strings.HasPrefix(rest, "-"):
		e++
	}
	if e == k || e == len(s) || !isSpace(s[e]) {
		return "", false
	}
	for e < len(s) && isSpace(s[e]) {
		e++
	}
	if e == len(s) || strings.Contains(s[e:], "\n") {
		return "", false
	}
	return s[e:], true
}

// isSpace is the white space of regular expressions' \s.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// parseBody renders the summary and the timeline. It parses the Markdown
// once and renders each section from the same tree, so that a `##` inside a
// code block is never taken for a heading.
func (p *Parser) parseBody(in *Incident, body []byte, bodyLine int, statuses []string, words []*vocab, errs *diag.List) {
	root, b := p.parseMarkdown(body)
	if b.cancelled() {
		return
	}
	lines := &lineIndex{body: body, first: bodyLine}
	if b.over != nil {
		line, col := lines.at(b.over.off)
		*errs = append(*errs, diag.Errorf(in.File, line, col, "%s", b.over.msg).WithFix("%s", b.over.fix))
	}
	// One document holds each section in turn while it renders.
	section := ast.NewDocument()
	var current Update
	// One buffered writer for every section: goldmark would otherwise wrap
	// the buffer in a new 4 KiB bufio.Writer per section (14% of a large
	// build's allocations, by the profile in docs/benchmarks.md).
	bb := bodyBuffers.Get().(*bodyBuffer)
	bb.html.Reset()
	bb.ends = bb.ends[:0]
	defer bodyBuffers.Put(bb)
	flush := func() {
		if err := p.md.Renderer().Render(bb.w, body, section); err != nil {
			*errs = append(*errs, diag.Errorf(in.File, bodyLine, 1, "render markdown: %v", err))
		}
		bb.w.Reset(&bb.html) // drops what a failed render left unflushed
		if len(bb.ends) == 0 {
			bb.text.Reset()
			plainText(&bb.text, body, section)
			in.SummaryText = ReplaceControl(oneLine(bb.text.Bytes()))
		} else {
			in.Updates = append(in.Updates, current)
		}
		bb.ends = append(bb.ends, bb.html.Len())
		section.RemoveChildren(section)
	}
	// Counted first, the updates take one array, not a growing one's
	// copies of them as it grows.
	updates := 0
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			updates++
		}
	}
	if updates > 0 {
		in.Updates = make([]Update, 0, updates)
	}
	for n := root.FirstChild(); n != nil; {
		next := n.NextSibling()
		if h, ok := n.(*ast.Heading); ok && h.Level == 2 {
			flush()
			current = p.parseHeading(in, h, body, lines, statuses, words, errs)
		} else {
			root.RemoveChild(root, n)
			section.AppendChild(section, n)
		}
		n = next
	}
	flush()
	html := bb.html.String()
	in.Summary = template.HTML(ReplaceControl(html[:bb.ends[0]]))
	for i := range in.Updates {
		in.Updates[i].Body = template.HTML(ReplaceControl(html[bb.ends[i]:bb.ends[i+1]]))
	}
	slices.SortStableFunc(in.Updates, func(a, b Update) int { return b.Time.Compare(a.Time) })
}

// parseHeading reads `## 2012-03-09 07:52 PST — Resolved`, whose status
// is one of statuses, in English or in one of words. It returns an
// update even when the heading is wrong, so that the rest of the file is
// still checked.
func (p *Parser) parseHeading(in *Incident, h *ast.Heading, body []byte, index *lineIndex, statuses []string, words []*vocab, errs *diag.List) Update {
	lines := h.Lines()
	var raw strings.Builder
	offset := 0
	if lines.Len() > 0 {
		offset = lines.At(0).Start
		for i := range lines.Len() {
			seg := lines.At(i)
			raw.Write(seg.Value(body))
		}
	}
	line, col := index.at(offset)
	u := Update{Line: line}
	heading := strings.TrimSpace(raw.String())
	when, status, ok := splitHeading(heading)
	if !ok {
		*errs = append(*errs, diag.Errorf(in.File, line, col, "timeline heading %q does not parse", heading).WithFix("write `## YYYY-MM-DD HH:MM ZONE — status`; use ### for other headings"))
		return u
	}
	t, err := parseHeadingTime(when, p.cfg.Location)
	if err != nil {
		e := diag.Errorf(in.File, line, col, "timeline heading: %v", err)
		if ze, ok := err.(*zoneError); ok {
			e.Fix = ze.fix()
		} else {
			e.Fix = "write `## YYYY-MM-DD HH:MM ZONE — status`, where ZONE is UTC, an offset such as -08:00 or the site timezone's abbreviation"
		}
		*errs = append(*errs, e)
	}
	u.Time = t
	word, ok := match(status, englishUpdate, statuses, words...)
	if !ok {
		statusCol := col + strings.LastIndex(heading, status)
		what := "status" // of a translation, whose kind is its original's
		if in.Kind != "" {
			what = string(in.Kind) + " status"
		}
		*errs = append(*errs, diag.Errorf(in.File, line, statusCol, "unknown %s %q", what, status).WithFix("use one of %s", accepted(statuses, commaList, words...)))
		word = englishUpdate(status)
	}
	u.Status = word
	return u
}

// knownImpact is the Impact written s, or "" for none: the constant's
// own string, not s, a part of the front matter's text.
func knownImpact(s string) Impact {
	for _, i := range []Impact{ImpactNone, ImpactMinor, ImpactMajor, ImpactCritical} {
		if string(i) == s {
			return i
		}
	}
	return ""
}

// ownTitle is the title of a front matter, in a string of its own: the
// decoded text is a part of the whole front matter's, which a title kept
// to the end of a build would keep alive with it.
func ownTitle(title string) string {
	return strings.Clone(ReplaceControl(strings.TrimSpace(title)))
}

// splitFrontMatter separates the YAML between the leading `---` lines from
// the body, and says on which line of the file the body starts.
func splitFrontMatter(file string, src []byte) (fm, body []byte, bodyLine int, err error) {
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return nil, nil, 0, diag.Errorf(file, 1, 1, "no front matter").WithFix("start the file with a line `---`, the YAML keys, and another `---`")
	}
	start, line := 4, 2
	for pos := start; pos < len(src); line++ {
		end := bytes.IndexByte(src[pos:], '\n')
		next := len(src)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(src)
		}
		if string(bytes.TrimRight(src[pos:end], " \t")) == "---" {
			return src[start:pos], src[next:], line + 1, nil
		}
		pos = next
	}
	return nil, nil, 0, diag.Errorf(file, 1, 1, "front matter is not closed").WithFix("end the YAML keys with a line `---`")
}

// lineIndex maps a byte offset in body to a 1-based line and column in
// the whole file. It counts on from the offset it was asked last, as a
// parse asks in the order of the body: a table of every line's start was
// two allocations a file.
type lineIndex struct {
	body  []byte
	first int // the file's line of the body's first
	// line is how many lines start before the offset asked last, start
	// where the last of them does.
	line, start int
}

func (x *lineIndex) at(off int) (line, col int) {
	if off < x.start {
		x.line, x.start = 0, 0
	}
	for end := min(off, len(x.body)); ; {
		j := bytes.IndexByte(x.body[x.start:end], '\n')
		if j < 0 {
			break
		}
		x.start += j + 1
		x.line++
	}
	return x.first + x.line, off - x.start + 1
}

// keyPos is the line and column of a top-level front matter key, where
// Doc.Pos gives its value's.
func keyPos(doc *strictyaml.Doc, key string) (line, col int) {
	if root := doc.Node(""); root != nil {
		rootLine, _ := doc.Pos("") // in the file, where root.Line is in the front matter
		for i := 0; i+1 < len(root.Content); i += 2 {
			if k := root.Content[i]; k.Value == key {
				return k.Line + rootLine - root.Line, k.Column
			}
		}
	}
	return doc.Pos(key)
}

func suggestID(id string, ids []string) string {
	if best := diag.Closest(id, ids); best != "" {
		return fmt.Sprintf("did you mean %q? components are declared in herald.yaml", best)
	}
	return "known components: " + strings.Join(ids, ", ") + "; declare new ones in herald.yaml"
}

func fmtTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04 MST")
}
