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
		// All: a message may say a value twice.
		out = strings.ReplaceAll(out, string(rune(valueMark))+strconv.Itoa(i)+string(rune(valueMark)), v)
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

// dateTag is the day of t in the site's zone, as a <time> element.
func (w words) dateTag(t time.Time) template.HTML {
	return tag(t.In(w.loc).Format(time.DateOnly), w.l.Date(t.In(w.loc), i18n.Medium))
}

// timeTag shows t in the site's zone, with the zone's abbreviation so
// that a reader elsewhere knows what they are looking at; the datetime
// attribute is UTC, which every reader of the markup can parse without a
// zone database.
func (w words) timeTag(t time.Time) template.HTML {
	var buf [160]byte
	return template.HTML(w.appendTimeTag(buf[:0], t, true, true))
}

// writeTimeTag writes timeTag's element of t to b, formatted straight
// into a page's buffer (AvailableBuffer, as a *bytes.Buffer has), not
// made as a string of its own: an incident page shows a time an update.
func (w words) writeTimeTag(b textWriter, t time.Time) {
	if buf, ok := b.(interface{ AvailableBuffer() []byte }); ok {
		b.Write(w.appendTimeTag(buf.AvailableBuffer(), t, true, true))
		return
	}
	b.WriteString(string(w.timeTag(t)))
}

// appendTimeTag appends the <time> element of t that tag writes, its
// text t's date (with date), time and zone (with zone) in the site's
// zone. Pages show thousands of times: it formats them into dst, where
// tag and time.Format allocated four strings a time.
func (w words) appendTimeTag(dst []byte, t time.Time, date, zone bool) []byte {
	lt := t.In(w.loc)
	dst = append(dst, `<time datetime="`...)
	// RFC 3339 holds nothing html.EscapeString escapes.
	dst = t.UTC().AppendFormat(dst, time.RFC3339)
	dst = append(dst, `">`...)
	if date {
		dst = appendEscaped(dst, w.l.Date(lt, i18n.Medium))
		dst = append(dst, ' ')
	}
	dst = appendEscaped(dst, w.l.Time(lt))
	if zone {
		dst = append(dst, ' ')
		// Format's "MST" is the zone's name or, when it has none, its
		// offset in digits.
		if name, _ := lt.Zone(); name != "" {
			dst = appendEscaped(dst, name)
		} else {
			dst = lt.AppendFormat(dst, "MST")
		}
	}
	return append(dst, "</time>"...)
}

// appendEscaped appends s escaped as html.EscapeString escapes it.
func appendEscaped(dst []byte, s string) []byte {
	if strings.ContainsAny(s, `<>&'"`) {
		s = html.EscapeString(s)
	}
	return append(dst, s...)
}

// monthTag is the template function monthTag: see funcs.
func (w words) monthTag(t time.Time) template.HTML {
	return tag(t.In(w.loc).Format("2006-01"), w.l.MonthYear(t.In(w.loc)))
}

// timeRange shows "Dec 3, 2026 22:00 – 23:30 PST" when both ends share a
// day and a zone, and both in full otherwise. A zero end shows the start.
func (w words) timeRange(a, b time.Time) template.HTML {
	if b.IsZero() {
		return w.timeTag(a)
	}
	var buf [320]byte
	return template.HTML(w.appendTimeRange(buf[:0], a, b))
}

// writeTimeRange writes timeRange's elements of a and b to b, formatted
// straight into a page's buffer as writeTimeTag writes one: a report
// page shows a range an entry.
func (w words) writeTimeRange(dst textWriter, a, b time.Time) {
	if buf, ok := dst.(interface{ AvailableBuffer() []byte }); ok && !b.IsZero() {
		dst.Write(w.appendTimeRange(buf.AvailableBuffer(), a, b))
		return
	}
	dst.WriteString(string(w.timeRange(a, b)))
}

// appendTimeRange appends timeRange's elements of a and b, b not zero, to
// dst.
func (w words) appendTimeRange(dst []byte, a, b time.Time) []byte {
	la, lb := a.In(w.loc), b.In(w.loc)
	if sameDayAndZone(la, lb) {
		dst = w.appendTimeTag(dst, a, true, false)
		dst = append(dst, " – "...)
		return w.appendTimeTag(dst, b, false, true)
	}
	dst = w.appendTimeTag(dst, a, true, true)
	dst = append(dst, " – "...)
	return w.appendTimeTag(dst, b, true, true)
}

// sameDayAndZone reports whether a and b, each in its own zone, are
// written with the same date and the same zone.
func sameDayAndZone(a, b time.Time) bool {
	var x, y [32]byte
	return string(a.AppendFormat(x[:0], time.DateOnly+" MST")) == string(b.AppendFormat(y[:0], time.DateOnly+" MST"))
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
	key := prefix + id
	if s := w.l.T(key); s != key {
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
	// Whole keys, not "impact." and the impact joined once an entry.
	switch in.Impact {
	case incident.ImpactMinor:
		return w.l.T("impact.minor")
	case incident.ImpactMajor:
		return w.l.T("impact.major")
	case incident.ImpactCritical:
		return w.l.T("impact.critical")
	}
	return w.l.T("impact.none")
}

// impactClass is the CSS class that colours an incident.
func impactClass(in *incident.Incident) string {
	if in.Kind == incident.KindMaintenance {
		return "impact-maintenance"
	}
	switch in.Impact {
	case incident.ImpactMinor:
		return "impact-minor"
	case incident.ImpactMajor:
		return "impact-major"
	case incident.ImpactCritical:
		return "impact-critical"
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

// printedUptime words a percentage printed in English, "99.95%", or
// uptime.NoData, as a report's record keeps an uptime: the number as it
// stands, with no rounding, in the site's language.
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
