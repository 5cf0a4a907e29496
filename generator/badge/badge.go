// Package badge renders status badges: SVG images in the flat style of
// shields.io for READMEs and dashboards, and shields.io endpoint JSON for
// those who restyle them through shields.io.
//
//	badges/status.svg              the whole page
//	badges/<component>.svg         a component's current status
//	badges/<component>-uptime.svg  its 30-day uptime, with its coverage
//	badges/<component>.json        the status as shields.io endpoint JSON
//	badges/<component>-uptime.json the uptime as endpoint JSON
//	badges/<component>-slo.svg     the error budget left under its slo
//	badges/<component>-slo.json    the budget left as endpoint JSON
//
// A badge never claims more than herald knows: without uptime data, or
// with less than uptime.min_coverage of the window observed, the uptime
// badge says "no data" in grey; with some of the window unobserved it
// says how much was observed; an objective observed that little is "not
// measurable", never met; and stale probe data reads "stale".
package badge

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// Dir is the folder of the badges, relative to the site root.
const Dir = "badges/"

// Shields' named colours, as hex, and the names the endpoint JSON uses.
var colors = map[string]string{
	"brightgreen": "#4c1",
	"green":       "#97ca00",
	"yellow":      "#dfb317",
	"orange":      "#fe7d37",
	"red":         "#e05d44",
	"blue":        "#007ec6",
	"lightgrey":   "#9f9f9f",
}

var statusColor = map[incident.Status]string{
	incident.Operational:         "brightgreen",
	incident.DegradedPerformance: "yellow",
	incident.PartialOutage:       "orange",
	incident.MajorOutage:         "red",
	incident.UnderMaintenance:    "blue",
}

var indicatorColor = map[string]string{
	"none": "brightgreen", "minor": "yellow", "major": "orange", "critical": "red", "maintenance": "blue",
}

// Options is what badges need beyond the snapshot: the hook through which
// the build passes uptime and probe staleness once it has them. The zero
// value means nothing is known.
type Options struct {
	// Uptime30 replaces the snapshot's 30-day uptime, per component id,
	// when not nil; a component without an entry shows "no data".
	Uptime30 map[string]uptime.Summary
	// Stale marks components whose probe data is stale or missing; their
	// status badge reads "stale" unless an incident says worse.
	Stale map[string]bool
}

// Badge is one badge's content.
type Badge struct {
	Label, Message string
	Color          string // a shields.io colour name, e.g. brightgreen
}

// Files returns every badge file. A component id that makes two badges
// share a path (a component "status", or "api" beside "api-uptime") gives
// a file whose Render fails, naming the clash, so the build stops instead
// of publishing one of them at random.
func Files(snap *status.Snapshot, opts Options) []render.File {
	var files []render.File
	owner := map[string]string{}
	add := func(path, who string, b Badge, write func(io.Writer) error) {
		if prev, dup := owner[path]; dup {
			files = append(files, render.File{Path: path, Render: func(io.Writer) error {
				return fmt.Errorf("badge %s is claimed by both %s and %s (rename one component id)", path, prev, who)
			}})
			return
		}
		owner[path] = who
		// The badge's three texts are all its bytes depend on.
		key := b.Label + "\x00" + b.Message + "\x00" + b.Color
		files = append(files, render.File{Path: path, Render: write, Key: key})
	}
	l := snap.Site.L()
	// A badge is short: the headline without the stale suffix, and
	// "status unknown" when staleness is all there is to say.
	overall := Badge{Label: l.T("badge.status"), Message: l.T("badge.overall." + snap.Overall.Indicator), Color: indicatorColor[snap.Overall.Indicator]}
	if overall.Color == "" {
		overall.Color = "lightgrey"
	}
	unknown := len(snap.Overall.Stale) > 0 && snap.Overall.Description == status.UnknownDescription
	for id, stale := range opts.Stale {
		if c := snap.Component(id); stale && c != nil && snap.Overall.Indicator == "none" {
			unknown = true
		}
	}
	if unknown {
		overall = Badge{Label: l.T("badge.status"), Message: l.T("badge.status_unknown"), Color: "lightgrey"}
	}
	add(Dir+"status.svg", "the page's badge", overall, overall.WriteSVG)
	add(Dir+"status.json", "the page's badge", overall, overall.WriteJSON)
	for _, c := range snap.Components {
		st := Status(l, c, opts.Stale[c.ID] || c.Stale())
		// A component without a probe has no uptime figure: its declared
		// time alone says nothing of how often it was up.
		var u30 uptime.Summary
		if c.Monitored {
			u30 = c.Uptime30
		}
		if opts.Uptime30 != nil {
			u30 = opts.Uptime30[c.ID]
		}
		up := Uptime(l, c, u30)
		who := fmt.Sprintf("component %q", c.ID)
		add(Dir+c.ID+".svg", who, st, st.WriteSVG)
		add(Dir+c.ID+".json", who, st, st.WriteJSON)
		add(Dir+c.ID+"-uptime.svg", who, up, up.WriteSVG)
		add(Dir+c.ID+"-uptime.json", who, up, up.WriteJSON)
		if c.SLO != nil {
			b := Budget(l, c, *c.SLO)
			add(Dir+c.ID+"-slo.svg", who, b, b.WriteSVG)
			add(Dir+c.ID+"-slo.json", who, b, b.WriteJSON)
		}
	}
	return files
}

// Status is a component's status badge, in l's words.
func Status(l *i18n.Locale, c *status.Component, stale bool) Badge {
	if stale && c.Status == incident.Operational {
		return Badge{Label: c.Name, Message: l.T("badge.stale"), Color: "lightgrey"}
	}
	return Badge{Label: c.Name, Message: l.T("status_inline." + string(c.Status)), Color: statusColor[c.Status]}
}

// Uptime is a component's uptime badge over the window of s: "99.95%",
// "99.95% (76% observed)" when some of the window has no data, or
// "no data" when the figure is not shown (see uptime.Summary.Shown); in
// l's words and numbers.
func Uptime(l *i18n.Locale, c *status.Component, s uptime.Summary) Badge {
	b := Badge{Label: l.T("badge.uptime", "component", c.Name), Message: l.T("uptime.no_data"), Color: "lightgrey"}
	if !s.Shown() || math.IsNaN(s.Uptime) {
		return b
	}
	p := s.Uptime * 100
	b.Message = Percent(l, s.Uptime, s.Down)
	if s.NoData > 0 {
		// Truncated, and never 100 while something is missing, however
		// little: the share observed is never overstated.
		observed := math.Floor(uptime.Floor(s.Coverage, s.NoData) / 100)
		b.Message = l.T("badge.observed", "uptime", b.Message, "percent", l.Percent(observed/100, 0))
	}
	switch {
	case p >= 99.9:
		b.Color = "brightgreen"
	case p >= 99:
		b.Color = "green"
	case p >= 95:
		b.Color = "yellow"
	case p >= 90:
		b.Color = "orange"
	default:
		b.Color = "red"
	}
	return b
}

// Budget is a component's error budget badge: the minutes left under its
// objective, "over by" once overspent, or "not measurable". Its colour
// turns from green to yellow once half the budget is used.
func Budget(l *i18n.Locale, c *status.Component, b slo.Budget) Badge {
	out := Badge{Label: l.T("badge.budget", "component", c.Name), Message: b.WordsIn(l).Left, Color: "lightgrey"}
	switch {
	case b.State == slo.NotMeasurable:
	case b.State == slo.Missed:
		out.Color = "red"
	case b.Burned() >= 0.5:
		out.Color = "yellow"
	default:
		out.Color = "brightgreen"
	}
	return out
}

// Percent shows the uptime u, with down its downtime, as a percentage of
// l with up to two decimals, truncated as uptime.Floor truncates it: never
// "100%" while there was downtime, however little. Trailing zeros are
// dropped ("99.9%", "100%"), to keep a badge short.
func Percent(l *i18n.Locale, u float64, down time.Duration) string {
	h := int(uptime.Floor(u, down))
	decimals := 2
	switch {
	case h%100 == 0:
		decimals = 0
	case h%10 == 0:
		decimals = 1
	}
	return l.Percent(float64(h)/10000, decimals)
}

// endpoint is shields.io's endpoint JSON.
type endpoint struct {
	SchemaVersion int    `json:"schemaVersion"`
	Label         string `json:"label"`
	Message       string `json:"message"`
	Color         string `json:"color"`
}

// WriteJSON writes the badge as shields.io endpoint JSON.
func (b Badge) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(endpoint{SchemaVersion: 1, Label: b.Label, Message: b.Message, Color: b.Color})
}

// Geometry of shields' flat style: 20 px high, 5 px of padding each side
// of a text; text is drawn at ten times the size and scaled down, so
// positions are in tenths of a pixel.
const (
	height  = 20
	padding = 5
)

// WriteSVG writes the badge in shields' flat style, with a <title> and an
// aria-label for screen readers.
func (b Badge) WriteSVG(w io.Writer) error {
	lw := textWidth(b.Label) + 2*padding
	mw := textWidth(b.Message) + 2*padding
	total := lw + mw
	color := colors[b.Color]
	if color == "" {
		color = colors["lightgrey"]
	}
	label, msg := html.EscapeString(b.Label), html.EscapeString(b.Message)
	title := label + ": " + msg
	_, err := fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="%s"><title>%s</title>`+
		`<linearGradient id="s" x2="0" y2="100%%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`+
		`<clipPath id="r"><rect width="%d" height="%d" rx="3" fill="#fff"/></clipPath>`+
		`<g clip-path="url(#r)"><rect width="%d" height="%d" fill="#555"/><rect x="%d" width="%d" height="%d" fill="%s"/><rect width="%d" height="%d" fill="url(#s)"/></g>`+
		`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`+
		`<text aria-hidden="true" x="%d" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="%d">%s</text>`+
		`<text x="%d" y="140" transform="scale(.1)" fill="#fff" textLength="%d">%s</text>`+
		`<text aria-hidden="true" x="%d" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="%d">%s</text>`+
		`<text x="%d" y="140" transform="scale(.1)" fill="#fff" textLength="%d">%s</text>`+
		"</g></svg>\n",
		total, height, title, title,
		total, height,
		lw, height, lw, mw, height, color, total, height,
		lw*5, (lw-2*padding)*10, label,
		lw*5, (lw-2*padding)*10, label,
		lw*10+mw*5, (mw-2*padding)*10, msg,
		lw*10+mw*5, (mw-2*padding)*10, msg,
	)
	return err
}

// textWidth is the width in whole pixels of s in Verdana 11px, as shields
// measures it: the sum of per-character advance widths, rounded to the
// nearest odd number, so the text centres on a whole pixel.
func textWidth(s string) int {
	var w float64
	for _, r := range s {
		w += advance(r)
	}
	if w == 0 {
		return 0
	}
	return 2*int(math.Round((w-1)/2)) + 1
}

// verdana11 holds the advance widths, in pixels, of the printable ASCII
// characters (space to ~) in Verdana at 11px, from the table shields.io
// uses (anafanafo's verdana-11px-normal.json, MIT).
var verdana11 = [95]float64{
	3.87, 4.33, 5.05, 9, 6.99, 11.84, 7.99, 2.95, 5, 5, 6.99, 9,
	4, 5, 4, 5, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99,
	6.99, 6.99, 5, 5, 9, 9, 9, 6, 11, 7.52, 7.54, 7.68,
	8.48, 6.96, 6.32, 8.53, 8.27, 4.63, 5, 7.62, 6.12, 9.27, 8.23, 8.66,
	6.63, 8.66, 7.65, 7.52, 6.78, 8.05, 7.52, 10.88, 7.54, 6.77, 7.54, 5,
	5, 5, 9, 6.99, 6.99, 6.61, 6.85, 5.73, 6.85, 6.55, 3.87, 6.85,
	6.96, 3.02, 3.79, 6.51, 3.02, 10.7, 6.96, 6.68, 6.85, 6.85, 4.69, 5.73,
	4.33, 6.96, 6.51, 9, 6.51, 6.51, 5.78, 6.98, 5, 6.98, 9,
}

// advance is the width of r at 11px. Outside ASCII, Verdana has no table
// here and the glyph may come from a fallback font, so the guess errs
// wide: the SVG stretches text to the width measured (textLength), and a
// guess too narrow would squeeze the text, one too wide only spaces it.
func advance(r rune) float64 {
	switch {
	case r >= 32 && r <= 126:
		return verdana11[r-32]
	case r == '\u00a0' || r == '\u202f':
		// The no-break spaces of "99,95 %" (de, fr).
		return verdana11[0]
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		// Combining marks (Arabic vowel signs) sit on the letter before;
		// format characters (the marks around Arabic percentages) have
		// no width.
		return 0
	}
	if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
		// Chinese and Japanese glyphs are a full em, wider than any
		// Latin letter.
		return 11
	}
	return wideGuess
}

// wideGuess is the width taken for any other character: that of "m", one
// of the widest, so text never overflows its box.
const wideGuess = 10.7
