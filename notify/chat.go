package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/herald-status/herald/config"
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

// compose builds the request for an event in the webhook's format.
func compose(w config.Webhook, ev Event) (message, error) {
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
		payload = slackMessage(ev)
	case "discord":
		payload = discordMessage(ev)
	case "teams":
		payload = teamsMessage(ev)
	case "mattermost":
		payload = mattermostMessage(ev)
	case "googlechat":
		payload = googleChatMessage(ev)
	case "telegram":
		payload = telegramMessage(ev, w.ChatID)
	case "ntfy":
		var topic string
		to, topic, err = ntfyTopic(w.URL)
		payload = ntfyMessage(ev, topic)
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

// Headline is an event in one line, e.g. "Resolved: Slow feed".
func Headline(ev Event) string { return headline(ev, nil) }

// headline is Headline with the incident's title, the only user text in
// it, passed through esc (when not nil), so that a format escapes what a
// user wrote and not its own punctuation.
func headline(ev Event, esc func(string) string) string {
	t := ev.Incident.Title
	if ev.Component != nil {
		t = ev.Component.Name
	}
	if esc != nil {
		t = esc(t)
	}
	switch ev.Type {
	case SLOBurn:
		return burnHeadline(ev, t)
	case ComponentDown:
		return t + " is down since " + ev.Time.UTC().Format("15:04 MST")
	case ComponentDegraded:
		return t + " is degraded since " + ev.Time.UTC().Format("15:04 MST")
	case ComponentUp:
		return t + " is back up since " + ev.Time.UTC().Format("15:04 MST")
	case IncidentCreated:
		return "New incident (" + ev.Incident.Impact + " impact): " + t
	case IncidentResolved:
		return "Resolved: " + t
	case MaintenanceScheduled:
		s := "Maintenance scheduled: " + t
		if ev.Incident.ScheduledStart != nil {
			s += " (" + ev.Incident.ScheduledStart.Format("2006-01-02 15:04") + " – " + ev.Incident.ScheduledEnd.Format("2006-01-02 15:04 MST") + ")"
		}
		return s
	case MaintenanceStarted:
		return "Maintenance started: " + t
	case MaintenanceCompleted:
		return "Maintenance completed: " + t
	case MaintenanceUpdated:
		return "Maintenance update (" + label(ev.Update) + "): " + t
	}
	return label(ev.Update) + ": " + t
}

// fitHeadline is the headline with its title escaped by esc and cut so
// that the whole line fits in limit.
func fitHeadline(ev Event, limit int, measure func(string) int, esc func(string) string) string {
	room := limit - measure(headline(ev, func(string) string { return "" }))
	return headline(ev, func(t string) string { return fit(t, room, measure, esc) })
}

func label(u *Update) string {
	if u == nil {
		return "Update"
	}
	return words(u.Status)
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
func text(ev Event) string {
	if b := ev.SLO; b != nil {
		return "Budget left: " + leftWords(b) + " · Target: " + strconv.FormatFloat(b.Target, 'f', -1, 64) + "%"
	}
	if c := ev.Component; c != nil {
		var lines []string
		switch {
		case c.Error != "" && ev.Type == ComponentDegraded:
			lines = append(lines, "Check slow: "+c.Error)
		case c.Error != "":
			lines = append(lines, "Check failed: "+c.Error)
		}
		if c.UptimeToday != nil {
			lines = append(lines, fmt.Sprintf("Uptime today: %.2f%%", *c.UptimeToday))
		}
		if c.Draft != nil {
			lines = append(lines, "A draft incident is at "+c.Draft.File)
		}
		return strings.Join(lines, "\n")
	}
	if ev.Update == nil || ev.Type == IncidentResolved || ev.Type == MaintenanceStarted || ev.Type == MaintenanceCompleted {
		return ""
	}
	return ev.Update.Body
}

// details is the status, impact and components in one line, e.g.
// "Status: Monitoring · Impact: minor · Components: API, Website".
func details(ev Event) string {
	s := "Status: " + statusWords(ev)
	if b := ev.SLO; b != nil {
		return "SLO: " + sloState(b) + " · Component: " + ev.Component.Name
	}
	if c := ev.Component; c != nil {
		return s + " · Component: " + c.Name + " · Since: " + c.Since.Format("2006-01-02 15:04 MST")
	}
	if ev.Incident.Kind != "maintenance" {
		s += " · Impact: " + ev.Incident.Impact
	}
	if names := componentNames(ev); names != "" {
		s += " · Components: " + names
	}
	return s
}

// statusWords is the event's status in words: the incident's, or the
// component's confirmed state.
func statusWords(ev Event) string {
	if ev.SLO != nil {
		return sloState(ev.SLO)
	}
	if ev.Component != nil {
		return words(ev.Component.State)
	}
	return words(ev.Incident.Status)
}

// link is the page an event is about: its incident's or its component's.
func link(ev Event) string {
	if ev.Component != nil {
		return ev.Component.URL
	}
	return ev.Incident.URL
}

func componentNames(ev Event) string {
	if ev.Component != nil {
		return ev.Component.Name
	}
	names := make([]string, len(ev.Incident.Components))
	for i, c := range ev.Incident.Components {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
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
