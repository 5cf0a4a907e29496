package render

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"runtime"
	"strconv"
	"time"

	"github.com/herald-status/herald/generator/chart"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/parallel"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// keys works out the Key of each page (see File.Key): a hash of what the
// built-in templates read of the snapshot beyond the config, which gives
// the site's title, time zone, component names and the like, and beyond
// the theme; an incident page's few such bytes are its Key unhashed.
// Every key holds the words the page is written in, the
// locale's Sum: a site's i18n/<locale>.yaml is not part of the config, and
// an edit of one of its words must write every page again. By page:
//
//	index.html                   none: it states the build time, so it
//	                             is rendered every time (so is any page
//	                             a later feature adds, until it gets a
//	                             rule here)
//	incidents/<slug>/index.html  the incident: its Sum, and its phase
//	                             and status word at now
//	history/…/index.html         the page count and each listed incident
//	                             (Sum, phase, status)
//	components/<id>/index.html   the component's status, each of its
//	                             incidents (Sum, phase, status) and its
//	                             probe data (see probe)
//	subscribe/index.html         nothing more: it lists the components'
//	                             feeds, base_url's calendar and
//	                             subscribe.email_url, all config
//	reports/index.html           each month's name, whether it runs to
//	                             date, and its components' figures as
//	                             printed (not the month's Key, which
//	                             moves with the clock while it runs)
//	reports/<YYYY-MM>/index.html its month's Key, and the Sums of the
//	                             incidents it lists (a translation's too)
//	404.html                     nothing more
//
// The clock reaches pages only through an incident's phase and status
// word (Incident.PhaseAt and StatusAt) and a component's probe data and
// daily bars, which is why those, and not the time, are in the keys.
// Assets have no key: they are few, and the theme is all they depend on.
//
// A site's own page templates may read any part of the snapshot; a
// generator.Builder then renders every page whatever its key. When a
// built-in template or the snapshot changes, change these rules too:
// generator's TestBuilderMatchesFullBuild checks them against a full
// build over random edits.
type keys struct {
	now time.Time
	loc *time.Location
	// words is the Sum of the site's locale.
	words string
	l     *i18n.Locale // the bars' labels are in the site's words
	buf   []byte       // page's, reused
}

// pageKeys returns the Key of each of planned, in its order, worked out
// on every core: on one they were half of what a Builder's rebuild of the
// large site did before it could render anything. Each worker takes
// every n-th page, so that the few costly ones (component pages and their
// probe data, which sit together) are shared out.
func pageKeys(snap *status.Snapshot, planned []plannedPage) []string {
	out := make([]string, len(planned))
	n := runtime.GOMAXPROCS(0)
	// do never fails, so neither does For.
	_ = parallel.For(context.Background(), n, n, func(w int) error {
		k := newKeys(snap)
		for i := w; i < len(planned); i += n {
			out[i] = k.page(planned[i].Page)
		}
		return nil
	})
	return out
}

func newKeys(snap *status.Snapshot) *keys {
	l := snap.Site.L()
	return &keys{now: snap.Now, loc: snap.Site.Location, words: l.Sum(), l: l}
}

// page returns the Key of p.
func (k *keys) page(p *Page) string {
	k.buf = k.buf[:0]
	k.str(k.words)
	switch p.Kind {
	case "404", "subscribe":
	case "incident":
		// Short enough to be the Key itself: thousands of pages, and
		// a rebuild spent more on their hashes than on anything else
		// here.
		k.incident(p.Incident)
		return string(k.buf)
	case "history":
		k.u64(uint64(p.History.Pages))
		for _, m := range p.History.Months {
			for _, in := range m.Incidents {
				k.incident(in)
			}
		}
	case "component":
		c := p.Component
		k.str(string(c.Status))
		for _, in := range c.Incidents {
			k.incident(in)
		}
		k.probe(c)
	case "report":
		k.str(p.Report.Key())
		// In another language, the incidents in their translations.
		for _, list := range [][]*incident.Incident{p.Report.Incidents, p.Report.Maintenance} {
			for _, in := range list {
				k.buf = append(k.buf, in.Sum[:]...)
			}
		}
	case "reports":
		for _, m := range p.Reports.Months {
			k.str(m.Name())
			k.str(strconv.FormatBool(m.ToDate))
			for _, f := range m.Components {
				k.str(f.ID)
				k.str(strconv.FormatBool(f.Probed))
				k.str(f.Percent())
			}
		}
	default:
		// The index, and any page a later feature adds until it gets a
		// rule.
		return ""
	}
	sum := sha256.Sum256(k.buf)
	return string(sum[:])
}

// incident adds an incident's Sum and its phase and status word at now.
// They are a few bytes, added as they are to each page that lists the
// incident: a hash of them for each incident, made once and looked up,
// cost more than hashing them two or three times over in longer lists.
func (k *keys) incident(in *incident.Incident) {
	k.buf = append(k.buf, in.Sum[:]...)
	phase, status := in.PhaseAndStatusAt(k.now)
	k.str(string(phase))
	k.str(status)
}

// probe adds what a component page shows of its probes: the probe state,
// each day's bar (today's label, which names the date, uptime, downtime
// and incidents, and its class, the colour; for the days before it, what
// label and class are made of), the uptime periods, the objective's
// budget in words and the latency histograms, and for a monitored
// component the hour its charts end at.
// The bars move with the date, so a page is rendered anew once a day even
// when nothing else changes.
func (k *keys) probe(c *status.Component) {
	k.str(string(c.Probe))
	if c.Monitored {
		// The response-time charts' axes are hours of the site's clock.
		k.str(k.now.In(k.loc).Format("2006-01-02 15"))
	}
	for i := range c.Days {
		d := &c.Days[i] // by pointer: a Day is hundreds of bytes
		if d.Today() {
			// Today's time runs on with the clock: its class and label,
			// which round it to the minute, so that the rebuilds of an
			// edit within a minute keep the page.
			k.str(chart.Class(*d))
			k.str(chart.DayLabel(k.l, *d))
			continue
		}
		k.pastDay(d)
	}
	for _, p := range c.Periods {
		k.str(p.Label + " " + p.Percent() + " " + p.Unobserved())
	}
	if b := c.SLO; b != nil {
		w := b.Words()
		for _, s := range []string{string(b.State), w.Target, w.Window, w.State, w.Allowed, w.Used, w.Left, w.Burn, b.Summary.Percent(), b.Summary.Unobserved()} {
			k.str(s)
		}
	}
	for _, l := range c.Latency {
		// Binary, and counted: 100 components have 216,000 hours of
		// counts in 90 days, too many to format as text every build.
		k.buf = binary.AppendVarint(k.buf, l.Hour.UnixNano())
		k.buf = binary.AppendUvarint(k.buf, uint64(len(l.Counts)))
		// Most buckets count nothing: each 64 of them are a mask of those
		// that count something, then those counts, as varints.
		for counts := l.Counts; len(counts) > 0; {
			chunk := counts[:min(len(counts), 64)]
			counts = counts[len(chunk):]
			var mask uint64
			for i, n := range chunk {
				if n != 0 {
					mask |= 1 << i
				}
			}
			k.buf = binary.AppendUvarint(k.buf, mask)
			for _, n := range chunk {
				if n != 0 {
					k.buf = binary.AppendUvarint(k.buf, n)
				}
			}
		}
	}
}

// pastDay adds what the bar of a day before today is drawn from, as
// numbers: chart.Class and chart.DayLabel read nothing else of it, and of
// its incidents only their titles, which their Sums hold. Its words, 89
// days of each component, were most of an edit's Keys.
// TestPastDayKeyCoversTheDay holds it to every field of the day.
func (k *keys) pastDay(d *uptime.Day) {
	s := &d.Summary
	k.u64(uint64(d.Date.UnixNano()))
	k.u64(uint64(s.From.UnixNano()))
	k.u64(uint64(s.To.UnixNano()))
	for _, n := range [...]time.Duration{s.Known, s.Measured, s.Down, s.Partial, s.Excluded, s.NoData, d.Degraded} {
		k.u64(uint64(n))
	}
	k.u64(math.Float64bits(s.Uptime))
	k.u64(math.Float64bits(s.Coverage))
	k.str(strconv.FormatBool(s.HasValue))
	k.str(strconv.FormatBool(s.Sparse))
	k.str(string(d.Worst))
	k.u64(uint64(len(d.Incidents)))
	for _, in := range d.Incidents {
		k.buf = append(k.buf, in.Sum[:]...)
	}
}

func (k *keys) str(s string) { k.buf = appendStr(k.buf, s) }

func (k *keys) u64(n uint64) { k.buf = binary.BigEndian.AppendUint64(k.buf, n) }

// appendStr appends s with its length first, so that two strings one
// after the other cannot read as two others.
func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}
