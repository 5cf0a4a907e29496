package render

import (
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/herald-status/herald/generator/incident"
)

// Formats of times on pages: 24-hour clock, with the zone's abbreviation
// so that a reader in another zone knows what they are looking at.
const (
	timeLayout  = "Jan 2, 2006 15:04 MST"
	dateLayout  = "Jan 2, 2006"
	monthLayout = "January 2006"
)

// funcs returns the template functions, with times shown in loc. These are
// the functions override authors can use:
//
//	timeTag t            <time datetime="2026-11-28T13:51:00Z">Nov 28, 2026 05:51 PST</time>
//	dateTag t            <time datetime="2026-11-28">Nov 28, 2026</time>
//	monthTag t           <time datetime="2026-11">November 2026</time>
//	timeRange a b        two <time> elements joined by a dash, the date not repeated
//	localTime t          t in the site's time zone, for .Format
//	duration a b         "7 h 52 min"
//	statusLabel s        "Degraded performance"
//	statusClass s        "st-minor" (st-ok, st-minor, st-major, st-crit, st-maint)
//	updateLabel w        "In progress", "Postmortem"
//	impactLabel in       "Major impact", or "Maintenance"
//	impactClass in       "impact-major" (…-none, -minor, -major, -critical, -maintenance)
//	affectedStatus in id the status the incident gives the component
//	ofKind list kind     the incidents of one kind ("incident", "maintenance")
//	excerpt html n       plain text, at most about n characters
//	headingsFrom n html  html with its headings moved down to start at <hn>
//	incidentPath in      "incidents/<slug>/", componentPath id, historyPath n
//	byMonth list         []Month, grouped in the site's time zone
//	entry page in        an Entry, for the "entry" and "affects" templates
//	bars page c          the component's daily uptime bars (SVG)
//	latencyCharts page c its response-time charts: per day, and per hour today
//	lastPeriod c         its longest uptime summary (90 days), or nil
func funcs(loc *time.Location) template.FuncMap {
	if loc == nil {
		loc = time.UTC
	}
	return template.FuncMap{
		"timeTag": func(t time.Time) template.HTML { return timeTag(t, loc, timeLayout) },
		"dateTag": func(t time.Time) template.HTML {
			return tag(t.In(loc).Format(time.DateOnly), t.In(loc).Format(dateLayout))
		},
		"monthTag": func(t time.Time) template.HTML {
			return tag(t.In(loc).Format("2006-01"), t.In(loc).Format(monthLayout))
		},
		"timeRange":      func(a, b time.Time) template.HTML { return timeRange(a, b, loc) },
		"localTime":      func(t time.Time) time.Time { return t.In(loc) },
		"duration":       duration,
		"statusLabel":    statusLabel,
		"statusClass":    statusClass,
		"updateLabel":    updateLabel,
		"impactLabel":    impactLabel,
		"impactClass":    impactClass,
		"affectedStatus": affectedStatus,
		"ofKind":         ofKind,
		"excerpt":        excerpt,
		"headingsFrom":   headingsFrom,
		"incidentPath":   incidentPath,
		"componentPath":  componentPath,
		"historyPath":    historyPath,
		"byMonth":        func(ins []*incident.Incident) []Month { return byMonth(ins, loc) },
		"entry":          func(p *Page, in *incident.Incident) Entry { return Entry{Page: p, Incident: in} },
		"bars":           bars,
		"latencyCharts":  latencyCharts,
		"lastPeriod":     lastPeriod,
	}
}

// tag is a <time> element; both arguments come from time.Format, so they
// need escaping only in principle (a zone abbreviation is the zone
// database's text).
func tag(datetime, text string) template.HTML {
	return template.HTML(`<time datetime="` + html.EscapeString(datetime) + `">` + html.EscapeString(text) + `</time>`)
}

// timeTag shows t in loc; the datetime attribute is UTC, which every
// reader of the markup can parse without a zone database.
func timeTag(t time.Time, loc *time.Location, layout string) template.HTML {
	return tag(t.UTC().Format(time.RFC3339), t.In(loc).Format(layout))
}

// timeRange shows "Dec 3, 2026 22:00 – 23:30 PST" when both ends share a
// day and a zone, and both in full otherwise. A zero end shows the start.
func timeRange(a, b time.Time, loc *time.Location) template.HTML {
	if b.IsZero() {
		return timeTag(a, loc, timeLayout)
	}
	la, lb := a.In(loc), b.In(loc)
	if la.Format(time.DateOnly) == lb.Format(time.DateOnly) && la.Format("MST") == lb.Format("MST") {
		return timeTag(a, loc, "Jan 2, 2006 15:04") + " – " + timeTag(b, loc, "15:04 MST")
	}
	return timeTag(a, loc, timeLayout) + " – " + timeTag(b, loc, timeLayout)
}

// duration is the time from a to b in days, hours and minutes, rounded to
// the minute: "7 h 52 min", "1 d 2 h", "45 min".
func duration(a, b time.Time) string {
	d := b.Sub(a).Round(time.Minute)
	if d < time.Minute {
		return "under a minute"
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.Itoa(days)+" d")
	}
	if hours > 0 {
		parts = append(parts, strconv.Itoa(hours)+" h")
	}
	if mins > 0 {
		parts = append(parts, strconv.Itoa(mins)+" min")
	}
	return strings.Join(parts, " ")
}

var statusLabels = map[incident.Status]string{
	incident.Operational:         "Operational",
	incident.DegradedPerformance: "Degraded performance",
	incident.PartialOutage:       "Partial outage",
	incident.MajorOutage:         "Major outage",
	incident.UnderMaintenance:    "Under maintenance",
}

// statusLabel is how a component status reads on the page.
func statusLabel(s incident.Status) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return humanize(string(s))
}

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
func updateLabel(word string) string {
	if word == "postmortem" {
		return "Postmortem"
	}
	return humanize(word)
}

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
func impactLabel(in *incident.Incident) string {
	if in.Kind == incident.KindMaintenance {
		return "Maintenance"
	}
	switch in.Impact {
	case incident.ImpactMinor:
		return "Minor impact"
	case incident.ImpactMajor:
		return "Major impact"
	case incident.ImpactCritical:
		return "Critical impact"
	}
	return "No impact"
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

var (
	tagRE       = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)
	blockTags   = map[string]bool{"p": true, "br": true, "li": true, "ul": true, "ol": true, "pre": true, "blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "hr": true, "table": true, "tr": true, "td": true, "th": true, "div": true}
	headingTags = regexp.MustCompile(`<(/?)[hH]([1-6])\b`)
	// headingRE matches a whole heading, which an excerpt leaves out:
	// "What happened" run into the next sentence reads as nonsense.
	headingRE = regexp.MustCompile(`(?is)<h[1-6]\b[^>]*>.*?</h[1-6]>`)
)

// excerpt reduces rendered Markdown to plain text of at most about n
// characters, cut at a word, leaving headings out. The result is text, escaped again by the
// template, so whatever the HTML held cannot become markup.
func excerpt(h template.HTML, n int) string {
	text := headingRE.ReplaceAllString(string(h), " ")
	text = tagRE.ReplaceAllStringFunc(text, func(t string) string {
		if blockTags[strings.ToLower(tagRE.FindStringSubmatch(t)[2])] {
			return " "
		}
		return ""
	})
	return truncate(html.UnescapeString(text), n)
}

// truncate collapses whitespace in s and cuts it to at most n runes, at a
// word boundary where there is one, adding an ellipsis.
func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
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
	return template.HTML(headingTags.ReplaceAllStringFunc(string(h), func(t string) string {
		m := headingTags.FindStringSubmatch(t)
		level, _ := strconv.Atoi(m[2])
		level = min(max(level+first-3, first), 6)
		return fmt.Sprintf("<%sh%d", m[1], level)
	}))
}
