package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/i18n"
)

// This file holds what every chat message shares: the request, the
// wording of an event, the cut to a length and the escapers; the builder
// of each service's message is in chatformats.go. User text (titles,
// update bodies, component names, the site's title) is escaped for the
// service's markup, so that an incident called "<!channel>" or "@everyone"
// or "*bold*" is shown as written and pings no one.

// message is one request to a webhook: where it goes and what it carries.
type message struct {
	url  string
	body []byte
}

// compose builds the request for an event in the webhook's format, in
// l's words. The json format is the event itself, whose field names and
// values are for machines and never change with the locale.
func compose(l *i18n.Locale, w config.Webhook, ev Event) (message, error) {
	w, err := expandEnv(w)
	if err != nil {
		return message{}, permanent{err}
	}
	var payload any
	to := w.URL
	switch w.Format {
	case "", "json":
		payload = ev
	case "slack":
		payload = slackMessage(l, ev)
	case "discord":
		payload = discordMessage(l, ev)
	case "teams":
		payload = teamsMessage(l, ev)
	case "mattermost":
		payload = mattermostMessage(l, ev)
	case "googlechat":
		payload = googleChatMessage(l, ev)
	case "telegram":
		payload = telegramMessage(l, ev, w.ChatID)
	case "ntfy":
		var topic string
		to, topic, err = ntfyTopic(w.URL)
		payload = ntfyMessage(l, ev, topic)
	default:
		err = fmt.Errorf("unknown webhook format %q", w.Format)
	}
	if err != nil {
		return message{}, permanent{err}
	}
	if w.Format == "" || w.Format == "json" {
		body, err := json.Marshal(payload)
		if err != nil {
			return message{}, fmt.Errorf("encode json message: %w", err)
		}
		return message{url: to, body: body}, nil
	}
	// Chat messages keep <, > and & as they are rather than as \u003c and
	// the like, so that jsonLen can count their size, and they stay
	// readable.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		return message{}, fmt.Errorf("encode %s message: %w", w.Format, err)
	}
	return message{url: to, body: bytes.TrimSuffix(b.Bytes(), []byte("\n"))}, nil
}

// expandEnv expands the ${NAME} references in a webhook's url and chat_id
// (see secrets). The state names the webhook by its url as written, so
// the secret is not in it.
func expandEnv(w config.Webhook) (config.Webhook, error) {
	var env secrets
	w.URL = env.expand(w.URL)
	w.ChatID = env.expand(w.ChatID)
	return w, env.err("webhook")
}

// Headline is an event in one line in l's words, e.g. "Resolved: Slow
// feed".
func Headline(l *i18n.Locale, ev Event) string { return headline(l, ev, nil) }

// headline is Headline with the incident's title, the only user text in
// it, passed through esc (when not nil), so that a format escapes what a
// user wrote and not its own punctuation.
func headline(l *i18n.Locale, ev Event, esc func(string) string) string {
	t := ev.Incident.Title
	if ev.Component != nil {
		t = ev.Component.Name
	}
	if esc != nil {
		t = esc(t)
	}
	switch ev.Type {
	case SLOBurn:
		return burnHeadline(l, ev, t)
	case ComponentDown:
		return l.T("notify.component_down", "component", t, "time", l.Time(ev.Time.UTC()))
	case ComponentDegraded:
		return l.T("notify.component_degraded", "component", t, "time", l.Time(ev.Time.UTC()))
	case ComponentUp:
		return l.T("notify.component_up", "component", t, "time", l.Time(ev.Time.UTC()))
	case IncidentCreated:
		return l.T("notify.incident_created", "impact", impactWords(l, ev.Incident.Impact), "title", t)
	case IncidentResolved:
		return l.T("notify.incident_resolved", "title", t)
	case MaintenanceScheduled:
		if s, e := ev.Incident.ScheduledStart, ev.Incident.ScheduledEnd; s != nil && e != nil {
			return l.T("notify.maintenance_scheduled_window", "title", t, "from", dateTime(l, *s), "to", dateTime(l, *e))
		}
		return l.T("notify.maintenance_scheduled", "title", t)
	case MaintenanceStarted:
		return l.T("notify.maintenance_started", "title", t)
	case MaintenanceCompleted:
		return l.T("notify.maintenance_completed", "title", t)
	case MaintenanceUpdated:
		return l.T("notify.maintenance_updated", "status", label(l, ev.Update), "title", t)
	}
	return l.T("notify.updated", "status", label(l, ev.Update), "title", t)
}

// dateTime is t's date and time of day in UTC, as the locale writes them
// ("2026-11-28 14:05" in en, whose messages have always been ISO dated,
// "28.11.2026, 14:05" in de); the message it goes in names the zone.
func dateTime(l *i18n.Locale, t time.Time) string {
	t = t.UTC()
	return l.T("notify.date_time", "iso", t.Format(time.DateOnly), "date", l.Date(t, i18n.Medium), "time", l.Time(t))
}

// fitHeadline is the headline with its title escaped by esc and cut so
// that the whole line fits in limit.
func fitHeadline(l *i18n.Locale, ev Event, limit int, measure func(string) int, esc func(string) string) string {
	room := limit - measure(headline(l, ev, func(string) string { return "" }))
	return headline(l, ev, func(t string) string { return fit(t, room, measure, esc) })
}

func label(l *i18n.Locale, u *Update) string {
	if u == nil {
		return l.T("notify.update")
	}
	return enumWords(l, "update.", u.Status)
}

// enumWords is a status or state of the event, a machine value such as
// "in_progress", in the locale's words: the catalog's key prefix+value,
// or, for a value the catalog does not have, the value as words ("In
// progress").
func enumWords(l *i18n.Locale, prefix, value string) string {
	if t := l.T(prefix + value); t != prefix+value {
		return t
	}
	return words(value)
}

// impactWords is an incident's impact as details and headlines say it:
// "minor" in en, "gering" in de.
func impactWords(l *i18n.Locale, impact string) string {
	if t := l.T("notify.impact." + impact); t != "notify.impact."+impact {
		return t
	}
	return impact
}

// words turns a status such as "major_outage" into "Major outage".
func words(status string) string {
	s := strings.ReplaceAll(status, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// text is the update an event carries, in plain text; empty for the events
// the clock caused.
func text(l *i18n.Locale, ev Event) string {
	if b := ev.SLO; b != nil {
		return l.T("notify.slo_budget", "left", leftWords(l, b), "target", targetPercent(l, b.Target))
	}
	if c := ev.Component; c != nil {
		var lines []string
		switch {
		case c.Error != "" && ev.Type == ComponentDegraded:
			lines = append(lines, l.T("notify.check_slow", "error", c.Error))
		case c.Error != "":
			lines = append(lines, l.T("notify.check_failed", "error", c.Error))
		}
		if c.UptimeToday != nil {
			lines = append(lines, l.T("notify.uptime_today", "percent", l.Percent(*c.UptimeToday/100, 2)))
		}
		if c.Draft != nil {
			lines = append(lines, l.T("notify.draft_at", "file", c.Draft.File))
		}
		return strings.Join(lines, "\n")
	}
	if ev.Update == nil || ev.Type == IncidentResolved || ev.Type == MaintenanceStarted || ev.Type == MaintenanceCompleted {
		return ""
	}
	return ev.Update.Body
}

// targetPercent writes an SLO's target, in percent, with as many decimals
// as it was given: 99.9 is "99.9%", "99,9 %" in de.
func targetPercent(l *i18n.Locale, target float64) string {
	s := strconv.FormatFloat(target, 'f', -1, 64)
	decimals := 0
	if _, frac, ok := strings.Cut(s, "."); ok {
		decimals = len(frac)
	}
	return l.Percent(target/100, decimals)
}

// details is the status, impact and components in one line, e.g.
// "Status: Monitoring · Impact: minor · Components: API, Website".
func details(l *i18n.Locale, ev Event) string {
	if b := ev.SLO; b != nil {
		return l.T("notify.details_slo", "state", sloState(l, b)) + detailsSep + l.T("notify.details_component", "component", ev.Component.Name)
	}
	s := l.T("notify.details_status", "status", statusWords(l, ev))
	if c := ev.Component; c != nil {
		return s + detailsSep + l.T("notify.details_component", "component", c.Name) + detailsSep + l.T("notify.details_since", "time", dateTime(l, c.Since))
	}
	if ev.Incident.Kind != "maintenance" {
		s += detailsSep + l.T("notify.details_impact", "impact", impactWords(l, ev.Incident.Impact))
	}
	if names := componentNames(l, ev); names != "" {
		s += detailsSep + l.T("notify.details_components", "components", names)
	}
	return s
}

// detailsSep separates the parts of the details line.
const detailsSep = " · "

// statusWords is the event's status in words: the incident's, or the
// component's confirmed state.
func statusWords(l *i18n.Locale, ev Event) string {
	if ev.SLO != nil {
		return sloState(l, ev.SLO)
	}
	if ev.Component != nil {
		return enumWords(l, "notify.state.", ev.Component.State)
	}
	return enumWords(l, "update.", ev.Incident.Status)
}

// link is the page an event is about: its incident's or its component's.
func link(ev Event) string {
	if ev.Component != nil {
		return ev.Component.URL
	}
	return ev.Incident.URL
}

func componentNames(l *i18n.Locale, ev Event) string {
	if ev.Component != nil {
		return ev.Component.Name
	}
	names := make([]string, len(ev.Incident.Components))
	for i, c := range ev.Incident.Components {
		names[i] = c.Name
	}
	return l.List(names)
}

// over reports whether the event says the incident or maintenance is over.
func over(ev Event) bool {
	return ev.Type == IncidentResolved || ev.Type == MaintenanceCompleted || ev.Type == ComponentUp || ev.Incident.Status == "resolved" || ev.Incident.Status == "completed"
}

// colour is the event's colour as 0xRRGGBB: green when it is over, blue
// for maintenance, and by impact otherwise (the page's own colours).
func colour(ev Event) int {
	switch {
	case over(ev):
		return 0x2e7d32
	case ev.Incident.Kind == "maintenance":
		return 0x1565c0
	case ev.SLO != nil && ev.SLO.Threshold < 100:
		return 0xf9a825
	case ev.SLO != nil:
		return 0xef6c00
	case ev.Type == ComponentDown || ev.Incident.Impact == "critical":
		return 0xc62828
	case ev.Type == ComponentDegraded:
		return 0xf9a825
	case ev.Incident.Impact == "major":
		return 0xef6c00
	case ev.Incident.Impact == "minor":
		return 0xf9a825
	}
	return 0x757575
}

// Lengths are counted the way the services count them: in UTF-16 code
// units (JavaScript's string length, which Slack, Discord and Telegram
// use), or in bytes where the service says bytes. A code unit count is
// never below the number of characters, so a cut by it is safe either way.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func byteLen(s string) int { return len(s) }

// jsonLen is the size of s in bytes once in a JSON string, as compose
// encodes it, for services whose limit is on the request's size.
func jsonLen(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}

// ellipsis ends a text that was cut.
const ellipsis = "…"

// fit escapes s with esc and cuts the result to at most limit units of
// measure, at a character boundary and never inside an escape, ending it
// with an ellipsis when it was cut. esc may be nil; it is applied to one
// character at a time. fit stops reading s once past the limit, so a huge
// update costs no more than a short one.
func fit(s string, limit int, measure func(string) int, esc func(string) string) string {
	if esc == nil {
		esc = func(s string) string { return s }
	}
	var b strings.Builder
	n, room := 0, limit-measure(ellipsis)
	cut := -1 // the length of b when an ellipsis last fitted after it
	for _, r := range s {
		piece := esc(string(r))
		m := measure(piece)
		if n+m > room && cut < 0 {
			cut = b.Len()
		}
		if n+m > limit {
			return b.String()[:cut] + ellipsis
		}
		b.WriteString(piece)
		n += m
	}
	return b.String()
}

// Escapers for the markup each service reads; each takes user text.

// slackEscaper escapes mrkdwn as Slack asks
// (https://docs.slack.dev/messaging/formatting-message-text#escaping).
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// markdownEscape backslash-escapes the ASCII punctuation that Markdown
// reads as markup; CommonMark (Mattermost) and Discord's parser both read
// a backslash before punctuation as the character itself, so no user text
// can open emphasis, code, a link, a heading, a list, a quote, a spoiler
// or an emoji shortcode.
// An @ gets a word joiner (U+2060) after it, so that "@channel" or
// "@everyone" is shown but matches no mention.
func markdownEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '@':
			b.WriteString("@\u2060")
		case strings.ContainsRune("\\`*_~|<>[]()#-+.!:=", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mentionless is s with a word joiner after each @: for a Mattermost
// attachment's fallback, the plain text of notifications, whose mentions
// might still notify.
func mentionless(s string) string { return strings.ReplaceAll(s, "@", "@\u2060") }

// htmlEscaper escapes text for an HTML subset: element content and
// double-quoted attribute values.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
