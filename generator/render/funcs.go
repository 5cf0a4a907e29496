package render

import (
	"fmt"
	"html"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"text/template/parse"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// funcs returns the template functions, with times shown in loc and
// words in l (English when nil). These are the functions override authors
// can use:
//
//	t key name value …   the message key of the site's language, each {name}
//	                     filled in with the value after it: {{t "page.updated"
//	                     "time" (timeTag .Now)}}. A value that is HTML (timeTag,
//	                     memo) is put in as it is, and the rest escaped; keys
//	                     are those of i18n/catalog/en.yaml (docs/i18n.md)
//	n key count name value …  t for a message that depends on a count:
//	                     {{n "component.days_ago" 90}} "90 days ago"
//	tag, dir             the language's BCP 47 tag and its direction, "ltr" or
//	                     "rtl", for <html lang dir>
//	timeTag t            <time datetime="2026-11-28T13:51:00Z">Nov 28, 2026 05:51 PST</time>
//	dateTag t            <time datetime="2026-11-28">Nov 28, 2026</time>
//	monthTag t           <time datetime="2026-11">November 2026</time>
//	monthYear t          "November 2026", without the element
//	timeRange a b        two <time> elements joined by a dash, the date not repeated
//	localTime t          t in the site's time zone, for .Format
//	duration a b         "7 h 52 min"
//	statusLabel s        "Degraded performance"
//	statusClass s        "st-minor" (st-ok, st-minor, st-major, st-crit, st-maint)
//	updateLabel w        "In progress", "Postmortem"
//	impactLabel in       "Major impact", or "Maintenance"
//	impactClass in       "impact-major" (…-none, -minor, -major, -critical, -maintenance)
//	overall o            the headline of .Snap.Overall: "All Systems Operational"
//	percent s            an uptime.Summary's uptime, "99.95%", floored so that
//	                     it never reads 100% with downtime; or "no data"
//	unobserved s         its time without data, "7 d no data", or ""
//	periodLabel p        an uptime.Period's window: "24 hours", "7 days"
//	sloWords b           an slo.Budget in words (slo.Words)
//	margin f             a report.Figures' margin on its objective, "+0.125
//	                     points", or "" when it has none or it is not measurable
//	printedUptime s      an uptime as a report's record keeps it ("99.95%",
//	                     "no data"), in the site's language
//	list name items      the template name executed with each item, joined as
//	                     the language joins a list: "API, Website"
//	affectedStatus in id the status the incident gives the component
//	ofKind list kind     the incidents of one kind ("incident", "maintenance")
//	excerpt html n       plain text, at most about n characters
//	headingsFrom n html  html with its headings moved down to start at <hn>
//	incidentPath in      "incidents/<slug>/", componentPath id, historyPath n
//	byMonth list         []Month, grouped in the site's time zone
//	entry page in        an Entry: the incident as the page shows it, with its
//	                     link, labels, span, excerpt, affected components and
//	                     timeline worked out (see Entry); the data of the
//	                     "entry" and "affects" templates
//	listEntry page in    the "entry" template executed with (entry page in), as
//	                     HTML: what lists of incidents draw, faster than
//	                     {{template "entry" (entry $ .)}}
//	bars page c          the component's daily uptime bars (SVG)
//	latencyCharts page c its response-time charts: per day, and per hour today
//	lastPeriod c         its longest uptime summary (90 days), or nil
//	reportPath m         "reports/2026-11/", the page of a month's report
//	calendar page f      a component's month as a calendar heatmap (SVG)
//	length d             a time.Duration as duration words it: "3 h 5 min"
//	lasted in now        how long the incident lasted, or has lasted by now
//	memo name data       the template name executed with data, as HTML, rendered
//	                     once per build for each data value and then reused:
//	                     for parts that many pages repeat. data must be
//	                     comparable (a pointer, a string, a number) and must be
//	                     all the template reads, e.g. {{memo "span" .Incident}},
//	                     {{memo "site-header" .Frame}}; call it between elements
func funcs(loc *time.Location, l *i18n.Locale) template.FuncMap {
	return setFuncs(&pageSet{words: words{loc: loc, l: l}})
}

// setFuncs returns the template functions of one page set: entry binds
// the Entry it makes to the set, whose "span" it renders.
func setFuncs(set *pageSet) template.FuncMap {
	set.words = set.words.orDefault()
	w := set.words
	return template.FuncMap{
		"t":       w.t,
		"n":       w.n,
		"tag":     w.l.Tag,
		"dir":     w.l.Dir,
		"timeTag": w.timeTag,
		"dateTag": func(t time.Time) template.HTML {
			return tag(t.In(w.loc).Format(time.DateOnly), w.l.Date(t.In(w.loc), i18n.Medium))
		},
		"monthTag": func(t time.Time) template.HTML {
			return tag(t.In(w.loc).Format("2006-01"), w.l.MonthYear(t.In(w.loc)))
		},
		"monthYear":      func(t time.Time) string { return w.l.MonthYear(t.In(w.loc)) },
		"timeRange":      w.timeRange,
		"localTime":      func(t time.Time) time.Time { return t.In(w.loc) },
		"duration":       w.duration,
		"statusLabel":    w.statusLabel,
		"statusClass":    statusClass,
		"updateLabel":    w.updateLabel,
		"impactLabel":    w.impactLabel,
		"impactClass":    impactClass,
		"overall":        w.overall,
		"percent":        func(s uptime.Summary) string { return s.PercentIn(w.l) },
		"unobserved":     func(s uptime.Summary) string { return s.UnobservedIn(w.l) },
		"periodLabel":    w.periodLabel,
		"sloWords":       func(b *slo.Budget) slo.Words { return b.WordsIn(w.l) },
		"printedUptime":  w.printedUptime,
		"margin":         w.margin,
		"list":           set.list,
		"affectedStatus": affectedStatus,
		"ofKind":         ofKind,
		"excerpt":        excerpt,
		"headingsFrom":   headingsFrom,
		"incidentPath":   incidentPath,
		"componentPath":  ComponentPath,
		"historyPath":    historyPath,
		"byMonth":        func(ins []*incident.Incident) []Month { return byMonth(ins, w.loc) },
		"entry":          func(p *Page, in *incident.Incident) Entry { return newEntry(set, p, in) },
		"listEntry":      set.listEntry,
		"bars":           bars,
		"latencyCharts":  latencyCharts,
		"lastPeriod":     lastPeriod,
		"memo":           set.render,
		"reportPath":     ReportPath,
		"calendar":       calendar,
		"length":         w.length,
		"lasted":         w.lasted,
	}
}

// words is what pages are written in: the site's time zone and language.
type words struct {
	loc *time.Location
	l   *i18n.Locale
}

// orDefault fills in UTC and English where w has none.
func (w words) orDefault() words {
	if w.loc == nil {
		w.loc = time.UTC
	}
	if w.l == nil {
		w.l = i18n.For(i18n.Default)
	}
	return w
}

// t is the template function t: see funcs.
func (w words) t(key string, args ...any) template.HTML { return w.fill(w.l.T, key, args) }

// n is the template function n: see funcs.
func (w words) n(key string, count int, args ...any) template.HTML {
	return w.fill(func(key string, args ...any) string { return w.l.N(key, count, args...) }, key, args)
}

// fill words the message key with args, as HTML. A whole number is
// written as the language writes numbers; a value that is HTML goes in as
// it is, and any other is escaped as html/template escapes a value. The
// message's own text is escaped as the text of a template is: only what
// would read as markup, so that "component's" is written as it was when
// the words stood in the templates. In an attribute, html/template
// escapes the HTML once more for its context.
func (w words) fill(msg func(string, ...any) string, key string, args []any) template.HTML {
	vals := make([]any, len(args))
	copy(vals, args)
	put := make([]string, 0, len(args)/2)
	for i := 1; i < len(vals); i += 2 {
		var v string
		switch a := args[i].(type) {
		case template.HTML:
			v = string(a)
		case int:
			v = htmlEscaper.Replace(w.l.Number(float64(a), 0))
		case int64:
			v = htmlEscaper.Replace(w.l.Number(float64(a), 0))
		default:
			v = htmlEscaper.Replace(fmt.Sprint(a))
		}
		// A mark no catalog holds stands for the value until the text
		// around it is escaped.
		vals[i] = string(rune(valueMark)) + strconv.Itoa(len(put)) + string(rune(valueMark))
		put = append(put, v)
	}
	out := textEscaper.Replace(msg(key, vals...))
	for i, v := range put {
		out = strings.Replace(out, string(rune(valueMark))+strconv.Itoa(i)+string(rune(valueMark)), v, 1)
	}
	return template.HTML(out)
}

// valueMark is a private-use character, which no catalog holds: it marks
// where a value goes in a message.
const valueMark = '\uE000'

// textEscaper escapes what would read as markup in the text of a page.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\x00", "\uFFFD")

// fixWords writes, into the set's templates, the words of each call of
// t whose arguments are all literal text, such as {{t "incident.status"}},
// and of tag and dir:
// they are the same on every page of the set, and a page of a large site
// makes dozens of them, each a call through reflect. It must run on a
// fresh clone, before its first execution, which escapes it: html/template
// then escapes the words as the text of the template, which is why only
// words with no quote and no markup are written in (fill escaped & < >
// already), and a call whose words have one is left as it is.
func (s *pageSet) fixWords() {
	for _, x := range s.t.Templates() {
		if x.Tree != nil && x.Tree.Root != nil {
			s.fixList(x.Tree.Root)
		}
	}
}

func (s *pageSet) fixList(l *parse.ListNode) {
	if l == nil {
		return
	}
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if text, ok := s.fixedWords(n.Pipe); ok {
				l.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: n.Pos, Text: []byte(text)}
			}
		case *parse.IfNode:
			s.fixList(n.List)
			s.fixList(n.ElseList)
		case *parse.RangeNode:
			s.fixList(n.List)
			s.fixList(n.ElseList)
		case *parse.WithNode:
			s.fixList(n.List)
			s.fixList(n.ElseList)
		case *parse.ListNode:
			s.fixList(n)
		}
	}
}

// fixedWords is the words of p when it is a call of tag, dir, or t with
// literal text alone, and they hold nothing that html/template would read as markup
// or the end of an attribute.
func (s *pageSet) fixedWords(p *parse.PipeNode) (string, bool) {
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return "", false
	}
	args := p.Cmds[0].Args
	id, ok := args[0].(*parse.IdentifierNode)
	switch {
	case !ok:
		return "", false
	case id.Ident == "tag" && len(args) == 1:
		return s.words.l.Tag(), true
	case id.Ident == "dir" && len(args) == 1:
		return s.words.l.Dir(), true
	case id.Ident != "t" || len(args) < 2:
		return "", false
	}
	vals := make([]any, 0, len(args)-1)
	for _, a := range args[1:] {
		str, ok := a.(*parse.StringNode)
		if !ok {
			return "", false
		}
		vals = append(vals, str.Text)
	}
	text := string(s.words.t(vals[0].(string), vals[1:]...))
	if strings.ContainsAny(text, "\"'`<>") {
		return "", false
	}
	return text, true
}

// tag is a <time> element; datetime comes from time.Format, and text
// from the locale's calendar, so they need escaping only in principle.
func tag(datetime, text string) template.HTML {
	return template.HTML(`<time datetime="` + html.EscapeString(datetime) + `">` + html.EscapeString(text) + `</time>`)
}

// timeTag shows t in the site's zone, with the zone's abbreviation so
// that a reader elsewhere knows what they are looking at; the datetime
// attribute is UTC, which every reader of the markup can parse without a
// zone database.
func (w words) timeTag(t time.Time) template.HTML {
	lt := t.In(w.loc)
	return tag(t.UTC().Format(time.RFC3339), w.l.Date(lt, i18n.Medium)+" "+w.l.Time(lt)+" "+lt.Format("MST"))
}

// timeRange shows "Dec 3, 2026 22:00 – 23:30 PST" when both ends share a
// day and a zone, and both in full otherwise. A zero end shows the start.
func (w words) timeRange(a, b time.Time) template.HTML {
	if b.IsZero() {
		return w.timeTag(a)
	}
	la, lb := a.In(w.loc), b.In(w.loc)
	if la.Format(time.DateOnly) == lb.Format(time.DateOnly) && la.Format("MST") == lb.Format("MST") {
		return tag(a.UTC().Format(time.RFC3339), w.l.Date(la, i18n.Medium)+" "+w.l.Time(la)) +
			" – " + tag(b.UTC().Format(time.RFC3339), w.l.Time(lb)+" "+lb.Format("MST"))
	}
	return w.timeTag(a) + " – " + w.timeTag(b)
}

// duration is the time from a to b in days, hours and minutes, rounded to
// the minute: "7 h 52 min", "1 d 2 h", "45 min".
func (w words) duration(a, b time.Time) string { return w.length(b.Sub(a)) }

// length is d in days, hours and minutes, as duration words it.
func (w words) length(d time.Duration) string { return w.l.Duration(d) }

// lasted is how long an incident or maintenance lasted, or has lasted by
// now while it goes on.
func (w words) lasted(in *incident.Incident, now time.Time) string {
	end := in.End()
	if end.IsZero() || end.After(now) {
		end = now
	}
	return w.duration(in.Start(), end)
}

// word is the message prefix+id, or id humanized when the catalog has
// none: a status word herald does not know still reads as words.
func (w words) word(prefix, id string) string {
	if id == "" {
		return ""
	}
	if s := w.l.T(prefix + id); s != prefix+id {
		return s
	}
	return humanize(id)
}

// statusLabel is how a component status reads on the page.
func (w words) statusLabel(s incident.Status) string { return w.word("status.", string(s)) }

var statusClasses = map[incident.Status]string{
	incident.Operational:         "st-ok",
	incident.DegradedPerformance: "st-minor",
	incident.PartialOutage:       "st-major",
	incident.MajorOutage:         "st-crit",
	incident.UnderMaintenance:    "st-maint",
}

// statusClass is the CSS class that colours a status.
func statusClass(s incident.Status) string {
	if c, ok := statusClasses[s]; ok {
		return c
	}
	return "st-unknown"
}

// updateLabel is how an update's status word reads: "In progress".
func (w words) updateLabel(word string) string { return w.word("update.", word) }

// humanize turns "in_progress" into "In progress".
func humanize(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "_", " ")
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// impactLabel names an incident's severity, or says it is maintenance.
func (w words) impactLabel(in *incident.Incident) string {
	if in.Kind == incident.KindMaintenance {
		return w.l.T("impact.maintenance")
	}
	switch in.Impact {
	case incident.ImpactMinor, incident.ImpactMajor, incident.ImpactCritical:
		return w.l.T("impact." + string(in.Impact))
	}
	return w.l.T("impact.none")
}

// impactClass is the CSS class that colours an incident.
func impactClass(in *incident.Incident) string {
	if in.Kind == incident.KindMaintenance {
		return "impact-maintenance"
	}
	switch in.Impact {
	case incident.ImpactMinor, incident.ImpactMajor, incident.ImpactCritical:
		return "impact-" + string(in.Impact)
	}
	return "impact-none"
}

// overall is the page's headline in the site's language: status.Overall
// words it in English for the API, by its indicator, or as unknown when
// only silent monitoring keeps it from "none".
func (w words) overall(o status.Overall) string {
	if o.Description == status.UnknownDescription {
		return w.l.T("overall.unknown")
	}
	s := w.l.T("overall." + o.Indicator)
	if len(o.Stale) > 0 {
		s += w.l.T("overall.stale_suffix")
	}
	return s
}

// periodLabel words an uptime period's window by its Key: "24h", or a
// number of days "30d".
func (w words) periodLabel(p uptime.Period) string {
	if days, ok := strings.CutSuffix(p.Key, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil {
			return w.l.N("latency.span_days", n)
		}
	}
	if p.Key == "24h" {
		return w.l.T("latency.span_24h")
	}
	return p.Label
}

// printedUptime words an uptime that a report's record keeps as it was
// printed in English, "99.95%" or uptime.NoData: the number as it stands,
// with no rounding, in the site's language.
func (w words) printedUptime(s string) string {
	if s == uptime.NoData {
		return w.l.T("uptime.no_data")
	}
	num, ok := strings.CutSuffix(s, "%")
	f, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil {
		return s
	}
	decimals := 0
	if _, frac, ok := strings.Cut(num, "."); ok {
		decimals = len(frac)
	}
	return w.l.Percent(f/100, decimals)
}

// margin words f's margin on its objective in percentage points, signed,
// as report.Figures.Margin does in English.
func (w words) margin(f *report.Figures) string {
	if f.SLO == nil || f.SLO.State == slo.NotMeasurable {
		return ""
	}
	m := w.l.Number(f.SLO.Margin(), 3)
	if !strings.HasPrefix(m, "-") {
		m = "+" + m
	}
	return w.l.T("report.points", "n", m)
}

// list executes the template name with each element of items, a slice,
// and joins the results as the language joins a list.
func (s *pageSet) list(name string, items any) (template.HTML, error) {
	v := reflect.ValueOf(items)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return "", fmt.Errorf("list %q: items of type %T is not a list", name, items)
	}
	sep := htmlEscaper.Replace(s.words.l.T("list.separator"))
	var b strings.Builder
	for i := range v.Len() {
		if i > 0 {
			b.WriteString(sep)
		}
		if err := s.t.ExecuteTemplate(&b, name, v.Index(i).Interface()); err != nil {
			return "", err
		}
	}
	return template.HTML(b.String()), nil
}

// affectedStatus is the status in gives the component id, or operational.
func affectedStatus(in *incident.Incident, id string) incident.Status {
	for _, a := range in.Affected {
		if a.ID == id {
			return a.Status
		}
	}
	return incident.Operational
}

// ofKind keeps the incidents of one kind, in order.
func ofKind(ins []*incident.Incident, kind string) []*incident.Incident {
	var out []*incident.Incident
	for _, in := range ins {
		if string(in.Kind) == kind {
			out = append(out, in)
		}
	}
	return out
}

// blockTags are the elements an excerpt turns into a space rather than
// nothing, so that words either side of them stay apart.
var blockTags = map[string]bool{"p": true, "br": true, "li": true, "ul": true, "ol": true, "pre": true, "blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "table": true, "tr": true, "td": true, "th": true, "div": true}

// excerpt reduces rendered Markdown to plain text of at most about n
// characters, cut at a word, leaving headings out: "What happened" run
// into the next sentence reads as nonsense. The result is text, escaped
// again by the template, so whatever the HTML held cannot become markup.
//
// It scans by hand rather than with regular expressions, as it runs once
// for every listed incident: a heading is <hN …> up to the nearest </hN>
// (any N, either case), a tag is <name …> or </name …> up to the next >.
func excerpt(h template.HTML, n int) string {
	return truncate(html.UnescapeString(stripTags(stripHeadings(string(h)))), n)
}

// stripHeadings replaces every whole heading of s with a space.
func stripHeadings(s string) string {
	var b strings.Builder
	done := 0 // s[:done] is in b, or b is unused
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		i += j
		end := headingEnd(s, i)
		if end < 0 {
			i++
			continue
		}
		b.WriteString(s[done:i])
		b.WriteByte(' ')
		done, i = end, end
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// headingEnd is the end of the heading that starts at s[i] == '<', or -1
// when none does.
func headingEnd(s string, i int) int {
	if i+3 >= len(s) || s[i+1] != 'h' && s[i+1] != 'H' || s[i+2] < '1' || s[i+2] > '6' || isWordByte(s[i+3]) {
		return -1
	}
	gt := strings.IndexByte(s[i+3:], '>')
	if gt < 0 {
		return -1
	}
	for k := i + 3 + gt + 1; ; {
		c := strings.Index(s[k:], "</")
		if c < 0 {
			return -1
		}
		k += c
		if k+4 < len(s) && (s[k+2] == 'h' || s[k+2] == 'H') && s[k+3] >= '1' && s[k+3] <= '6' && s[k+4] == '>' {
			return k + 5
		}
		k += 2
	}
}

// stripTags removes the tags of s, leaving a space for a block element.
func stripTags(s string) string {
	var b strings.Builder
	done := 0
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		i += j
		name, end := tagAt(s, i)
		if end < 0 {
			i++
			continue
		}
		b.WriteString(s[done:i])
		if isBlockTag(name) {
			b.WriteByte(' ')
		}
		done, i = end, end
	}
	if done == 0 && b.Len() == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// tagAt returns the name and end of the tag that starts at s[i] == '<',
// or an end of -1 when none does.
func tagAt(s string, i int) (name string, end int) {
	p := i + 1
	if p < len(s) && s[p] == '/' {
		p++
	}
	if p >= len(s) || !isLetter(s[p]) {
		return "", -1
	}
	q := p + 1
	for q < len(s) && (isLetter(s[q]) || s[q] >= '0' && s[q] <= '9') {
		q++
	}
	gt := strings.IndexByte(s[q:], '>')
	if gt < 0 {
		return "", -1
	}
	return s[p:q], q + gt + 1
}

func isBlockTag(name string) bool {
	if len(name) > len("blockquote") {
		return false
	}
	var lower [len("blockquote")]byte
	for i := range len(name) {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return blockTags[string(lower[:len(name)])]
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isWordByte is the \b of regular expressions: an ASCII letter, digit or
// underscore.
func isWordByte(c byte) bool { return isLetter(c) || '0' <= c && c <= '9' || c == '_' }

// truncate collapses whitespace in s and cuts it to at most n runes, at a
// word boundary where there is one, adding an ellipsis.
func truncate(s string, n int) string {
	// Collapse as strings.Fields and Join would, but stop once the text is
	// known to be longer than n runes: s may be a whole update.
	var b strings.Builder
	runes, cutAt, space := 0, -1, false
	for i, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			if runes == n {
				cutAt = b.Len()
				break
			}
			b.WriteByte(' ')
			runes++
			space = false
		}
		if runes == n {
			cutAt = b.Len()
			break
		}
		w := utf8.RuneLen(r)
		if r == utf8.RuneError {
			_, w = utf8.DecodeRuneInString(s[i:])
		}
		b.WriteString(s[i : i+w]) // as it was, even if not UTF-8
		runes++
	}
	if cutAt < 0 {
		return b.String()
	}
	cut := b.String()[:cutAt]
	if !utf8.ValidString(cut) {
		cut = string([]rune(cut))
	}
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:–—-") + "…"
}

// headingsFrom moves the headings of rendered Markdown down so that the
// body of an update sits under the page's own headings: with first=4, a
// "###" heading (the highest an update body normally has, since "##" starts
// an update) becomes <h4>, "####" <h5>, and nothing goes above <h4> or
// below <h6>. Only tag names change, so this cannot add markup.
func headingsFrom(first int, h template.HTML) template.HTML {
	s := string(h)
	var b strings.Builder
	done := 0
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		i += j
		p := i + 1
		if p < len(s) && s[p] == '/' {
			p++
		}
		if p+1 >= len(s) || s[p] != 'h' && s[p] != 'H' || s[p+1] < '1' || s[p+1] > '6' || p+2 < len(s) && isWordByte(s[p+2]) {
			i++
			continue
		}
		level := min(max(int(s[p+1]-'0')+first-3, first), 6)
		b.WriteString(s[done:i])
		b.WriteString(s[i:p]) // "<" or "</"
		b.WriteByte('h')
		b.WriteByte(byte('0' + level))
		done, i = p+2, p+2
	}
	if done == 0 {
		return h
	}
	b.WriteString(s[done:])
	return template.HTML(b.String())
}
