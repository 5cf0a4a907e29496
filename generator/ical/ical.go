// Package ical publishes scheduled maintenance as an iCalendar feed
// (RFC 5545), maintenance.ics, so people can subscribe to the windows in
// their calendar.
//
// The file depends on the maintenance files and the clock's day only: each
// event's UID comes from its slug and DTSTAMP from the maintenance's own
// last update, never from the build time, so an unchanged site gives an
// unchanged file and calendar clients see nothing new.
package ical

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/status"
)

// Path is the calendar's path relative to the site root; the pages link
// to it by render's name.
const Path = render.CalendarPath

// Window is how far back ended maintenance stays in the calendar.
const Window = 90 * 24 * time.Hour

// Files returns maintenance.ics.
func Files(snap *status.Snapshot) []render.File {
	return []render.File{{Path: Path, Render: func(w io.Writer) error { return Write(w, snap) }}}
}

// Write writes the calendar: every maintenance that is upcoming, in
// progress, or ended within Window before the snapshot's clock, soonest
// first.
func Write(w io.Writer, snap *status.Snapshot) error {
	host := "herald"
	if u, err := url.Parse(snap.Site.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	cw := &writer{w: w}
	cw.prop("BEGIN", "VCALENDAR")
	cw.prop("VERSION", "2.0")
	cw.prop("PRODID", "-//herald//herald status page//EN")
	cw.prop("CALSCALE", "GREGORIAN")
	cw.prop("METHOD", "PUBLISH")
	l := snap.Site.L()
	cw.prop("X-WR-CALNAME", Escape(l.T("ical.name", "site", snap.Site.Title)))
	cw.prop("X-WR-CALDESC", Escape(l.T("ical.description", "site", snap.Site.Title)))
	cw.prop("X-PUBLISHED-TTL", "PT1H")
	oldest := snap.Now.Add(-Window)
	// snap.Incidents is newest first; the calendar lists soonest first.
	for i := len(snap.Incidents) - 1; i >= 0; i-- {
		in := snap.Incidents[i]
		if in.Kind != incident.KindMaintenance || in.End().Before(oldest) {
			continue
		}
		event(cw, snap, in, host)
	}
	cw.prop("END", "VCALENDAR")
	return cw.err
}

func event(cw *writer, snap *status.Snapshot, in *incident.Incident, host string) {
	l := snap.Site.L()
	link := render.IncidentURL(snap.Site.BaseURL, in.Slug)
	var names []string
	for _, a := range in.Affected {
		if c := snap.Component(a.ID); c != nil {
			names = append(names, c.Name)
		}
	}
	var desc strings.Builder
	if in.SummaryText != "" {
		desc.WriteString(in.SummaryText + "\n\n")
	}
	if len(names) > 0 {
		desc.WriteString(l.T("ical.affected", "components", l.List(names)) + "\n\n")
	}
	desc.WriteString(l.T("ical.updates", "link", link))
	cw.prop("BEGIN", "VEVENT")
	// A UID is TEXT: escaped like one, a slug that holds a line break
	// cannot start a property of its own. Escaping, rather than
	// percent-encoding as in the URL, leaves the UID of every slug
	// without TEXT specials as it always was, so subscribed calendars
	// keep their events instead of seeing them twice.
	cw.prop("UID", Escape(in.Slug+"@"+host))
	cw.prop("DTSTAMP", stamp(in.UpdatedAt()))
	cw.prop("CREATED", stamp(in.Announced()))
	cw.prop("LAST-MODIFIED", stamp(in.UpdatedAt()))
	cw.prop("SEQUENCE", fmt.Sprint(len(in.Updates)))
	cw.prop("DTSTART", stamp(in.Start()))
	cw.prop("DTEND", stamp(in.End()))
	// RFC 5545 gives SUMMARY and DESCRIPTION a LANGUAGE parameter, not
	// the calendar's name (X-WR-*, which clients read without one).
	lang := ";LANGUAGE=" + l.Tag()
	cw.prop("SUMMARY"+lang, Escape(l.T("ical.summary", "title", in.Title)))
	cw.prop("DESCRIPTION"+lang, Escape(desc.String()))
	cw.prop("CATEGORIES", "MAINTENANCE")
	cw.prop("URL;VALUE=URI", link)
	cw.prop("STATUS", "CONFIRMED")
	cw.prop("TRANSP", "TRANSPARENT")
	cw.prop("END", "VEVENT")
}

// stamp is a UTC DATE-TIME, e.g. 20261204T060000Z.
func stamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Escape escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and line breaks (CRLF, LF or a lone CR, each one \n). TEXT allows
// no other control character but tab: each becomes U+FFFD, as in the
// feeds, so that a strict client does not reject the whole calendar.
func Escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, textEscaper.Replace(s))
}

var textEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`)

// writer writes content lines, folded at 75 octets and ended by CRLF
// (RFC 5545 §3.1), and keeps the first error.
type writer struct {
	w   io.Writer
	err error
}

func (cw *writer) prop(name, value string) {
	if cw.err != nil {
		return
	}
	_, cw.err = io.WriteString(cw.w, Fold(name+":"+value))
}

// Fold breaks a content line into lines of at most 75 octets, each
// continuation starting with a space, never inside a UTF-8 sequence, and
// ends every line with CRLF.
func Fold(line string) string {
	var b strings.Builder
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut] + "\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(line + "\r\n")
	return b.String()
}
