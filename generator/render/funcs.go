package render

import (
	"bytes"
	"html"
	"html/template"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/slo"
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
//	printedUptime s      a percentage printed in English, as a report's record
//	                     keeps an uptime ("99.95%", "no data"), in the site's
//	                     language: "99,95 %"
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
//	componentEntry page in  the same with the "component-entry" template, an
//	                     incident in a component's list (component.html)
//	reportRow f          the "report-row" template of report.html executed with
//	                     a report.Figures: its row in the month's summary
//	reportEntry page in  the "report-entry" template of report.html executed with
//	                     (entry page in): an incident in the month's lists
//	reportComponent page f  the "report-component" template of report.html
//	                     executed with a ReportComponent: the component's section
//	reportYear page y    the "report-year" template of reports.html executed with
//	                     a ReportYearTable: a year's overview of uptimes
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
		"t":               w.t,
		"n":               w.n,
		"tag":             w.l.Tag,
		"dir":             w.l.Dir,
		"timeTag":         w.timeTag,
		"dateTag":         w.dateTag,
		"monthTag":        w.monthTag,
		"monthYear":       func(t time.Time) string { return w.l.MonthYear(t.In(w.loc)) },
		"timeRange":       w.timeRange,
		"localTime":       func(t time.Time) time.Time { return t.In(w.loc) },
		"duration":        w.duration,
		"statusLabel":     w.statusLabel,
		"statusClass":     statusClass,
		"updateLabel":     w.updateLabel,
		"impactLabel":     w.impactLabel,
		"impactClass":     impactClass,
		"overall":         w.overall,
		"percent":         func(s uptime.Summary) string { return s.PercentIn(w.l) },
		"unobserved":      func(s uptime.Summary) string { return s.UnobservedIn(w.l) },
		"periodLabel":     w.periodLabel,
		"sloWords":        func(b *slo.Budget) slo.Words { return b.WordsIn(w.l) },
		"printedUptime":   w.printedUptime,
		"margin":          w.margin,
		"list":            set.list,
		"affectedStatus":  affectedStatus,
		"ofKind":          ofKind,
		"excerpt":         excerpt,
		"headingsFrom":    headingsFrom,
		"incidentPath":    incidentPath,
		"componentPath":   ComponentPath,
		"historyPath":     historyPath,
		"byMonth":         func(ins []*incident.Incident) []Month { return byMonth(ins, w.loc) },
		"entry":           func(p *Page, in *incident.Incident) Entry { return newEntry(set, p, in) },
		"listEntry":       set.listEntry,
		"componentEntry":  set.componentEntry,
		"reportRow":       set.reportRow,
		"reportEntry":     set.reportEntry,
		"reportComponent": set.reportComponent,
		"reportYear":      set.reportYear,
		"bars":            bars,
		"latencyCharts":   latencyCharts,
		"lastPeriod":      lastPeriod,
		"memo":            set.render,
		"reportPath":      ReportPath,
		"calendar":        calendar,
		"length":          w.length,
		"lasted":          w.lasted,
	}
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
//
// The text without its tags is drawn in a buffer on the stack where it
// fits, not in a string of its own: every update listed on a page is cut
// to an excerpt, and its text was copied once more for each step.
func excerpt(h template.HTML, n int) string {
	s := stripHeadings(string(h))
	var buf [4096]byte // most updates' text fits
	text := appendStripped(buf[:0], s)
	if bytes.IndexByte(text, '&') >= 0 {
		return truncate(html.UnescapeString(string(text)), n)
	}
	return truncate(text, n)
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
		if done == 0 {
			b.Grow(len(s)) // the text less its headings
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

// appendStripped appends s without its tags to dst, leaving a space for
// a block element.
func appendStripped(dst []byte, s string) []byte {
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
		dst = append(dst, s[done:i]...)
		if isBlockTag(name) {
			dst = append(dst, ' ')
		}
		done, i = end, end
	}
	return append(dst, s[done:]...)
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
func truncate[T string | []byte](s T, n int) string {
	// Collapse as strings.Fields and Join would, but stop once the text is
	// known to be longer than n runes: s may be a whole update.
	var b strings.Builder
	// n runes of at most 4 bytes each, spaces included: grown once, not
	// by doubling from a few bytes.
	b.Grow(min(len(s), 4*max(n, 0)))
	runes, cutAt, space := 0, -1, false
	for i, w := 0, 0; i < len(s); i += w {
		r := rune(s[i])
		w = 1
		if r >= utf8.RuneSelf {
			r, w = decodeRune(s[i:])
		}
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
		writeTo(&b, s[i:i+w]) // as it was, even if not UTF-8
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

// decodeRune is utf8.DecodeRune of a string or bytes.
func decodeRune[T string | []byte](s T) (rune, int) {
	switch s := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(s)
	case []byte:
		return utf8.DecodeRune(s)
	}
	panic("unreachable")
}

// writeTo writes a string or bytes to b.
func writeTo[T string | []byte](b *strings.Builder, s T) {
	switch s := any(s).(type) {
	case string:
		b.WriteString(s)
	case []byte:
		b.Write(s)
	}
}

// headingsFrom moves the headings of rendered Markdown down so that the
// body of an update sits under the page's own headings: with first=4, a
// "###" heading (the highest an update body normally has, since "##" starts
// an update) becomes <h4>, "####" <h5>, and nothing goes above <h4> or
// below <h6>. Only tag names change, so this cannot add markup.
func headingsFrom(first int, h template.HTML) template.HTML {
	s := string(h)
	p, level := nextHeading(s, 0, first)
	if p < 0 {
		return h
	}
	var b strings.Builder
	b.Grow(len(s)) // each heading's level is one digit still
	done := 0
	for ; p >= 0; p, level = nextHeading(s, done, first) {
		b.WriteString(s[done:p])
		b.WriteByte('h')
		b.WriteByte(level)
		done = p + 2
	}
	b.WriteString(s[done:])
	return template.HTML(b.String())
}

// writeHeadingsFrom writes headingsFrom's text of h to b, where a page
// written in Go would otherwise copy it from a string of its own (a
// strings.Builder behind b's interface would be one allocation more for
// headingsFrom, hence the two loops).
func writeHeadingsFrom(b textWriter, first int, h template.HTML) {
	s := string(h)
	done := 0
	for p, level := nextHeading(s, 0, first); p >= 0; p, level = nextHeading(s, done, first) {
		b.WriteString(s[done:p])
		b.WriteByte('h')
		b.WriteByte(level)
		done = p + 2
	}
	b.WriteString(s[done:])
}

// nextHeading finds the first heading tag of s at or after i, "<h3" or
// "</H3": s[p:p+2] is its name, and level the digit of the name it gets
// for headingsFrom's first. p is -1 when there is none.
func nextHeading(s string, i, first int) (p int, level byte) {
	for {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			return -1, 0
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
		return p, byte('0' + min(max(int(s[p+1]-'0')+first-3, first), 6))
	}
}
