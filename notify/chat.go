package notify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/herald-status/herald/config"
)

// This file turns an event into each chat service's own message. Every
// builder cites the service's documentation of the payload; the limits
// are the documented ones, and user text (titles, update bodies, component
// names, the site's title) is escaped for the service's markup, so that an
// incident called "<!channel>" or "@everyone" or "*bold*" is shown as
// written and pings no one.

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
// from the environment, at each send, as the prober does for its targets:
// herald.yaml then need not hold the secret, and a changed secret needs no
// restart. The state names the webhook by its url as written, so the
// secret is not in it. An unset variable is named; its value never is.
func expandEnv(w config.Webhook) (config.Webhook, error) {
	var unset []string
	getenv := func(name string) string {
		v := os.Getenv(name)
		if v == "" {
			unset = append(unset, name)
		}
		return v
	}
	w.URL = config.Expand(w.URL, getenv)
	w.ChatID = config.Expand(w.ChatID, getenv)
	if len(unset) > 0 {
		return w, fmt.Errorf("expand webhook: environment variable %s not set (export it before running herald)", strings.Join(unset, ", "))
	}
	return w, nil
}

// Headline is an event in one line, e.g. "Resolved: Slow feed".
func Headline(ev Event) string { return headline(ev, nil) }

// headline is Headline with the incident's title, the only user text in
// it, passed through esc (when not nil), so that a format escapes what a
// user wrote and not its own punctuation.
func headline(ev Event, esc func(string) string) string {
	t := ev.Incident.Title
	if esc != nil {
		t = esc(t)
	}
	switch ev.Type {
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
	if ev.Update == nil || ev.Type == IncidentResolved || ev.Type == MaintenanceStarted || ev.Type == MaintenanceCompleted {
		return ""
	}
	return ev.Update.Body
}

// details is the status, impact and components in one line, e.g.
// "Status: Monitoring · Impact: minor · Components: API, Website".
func details(ev Event) string {
	s := "Status: " + words(ev.Incident.Status)
	if ev.Incident.Kind != "maintenance" {
		s += " · Impact: " + ev.Incident.Impact
	}
	if names := componentNames(ev); names != "" {
		s += " · Components: " + names
	}
	return s
}

func componentNames(ev Event) string {
	names := make([]string, len(ev.Incident.Components))
	for i, c := range ev.Incident.Components {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// over reports whether the event says the incident or maintenance is over.
func over(ev Event) bool {
	return ev.Type == IncidentResolved || ev.Type == MaintenanceCompleted || ev.Incident.Status == "resolved" || ev.Incident.Status == "completed"
}

// colour is the event's colour as 0xRRGGBB: green when it is over, blue
// for maintenance, and by impact otherwise (the page's own colours).
func colour(ev Event) int {
	switch {
	case over(ev):
		return 0x2e7d32
	case ev.Incident.Kind == "maintenance":
		return 0x1565c0
	case ev.Incident.Impact == "critical":
		return 0xc62828
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

// Slack: Block Kit, through an incoming webhook.
// https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks
// https://docs.slack.dev/reference/block-kit/blocks (header: plain_text,
// 150 characters; section: text up to 3000; context: up to 10 elements)
// User text goes in plain_text objects, which Slack never parses, and in
// mrkdwn only with &, < and > escaped, as Slack asks
// (https://docs.slack.dev/messaging/formatting-message-text#escaping).
const (
	slackHeaderMax  = 150
	slackSectionMax = 3000
	slackTextMax    = 4000 // the top-level text, shown in notifications
	slackContextMax = 1000 // the site's title, one of two context elements
)

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

type slackText struct {
	Type  string `json:"type"` // plain_text or mrkdwn
	Text  string `json:"text"`
	Emoji *bool  `json:"emoji,omitempty"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

func slackPlain(s string, limit int) *slackText {
	no := false
	return &slackText{Type: "plain_text", Text: fit(s, limit, utf16Len, nil), Emoji: &no}
}

func slackMessage(ev Event) any {
	blocks := []slackBlock{{Type: "header", Text: slackPlain(fitHeadline(ev, slackHeaderMax, utf16Len, nil), slackHeaderMax)}}
	if b := text(ev); b != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: slackPlain(b, slackSectionMax)})
	}
	blocks = append(blocks,
		slackBlock{Type: "section", Text: slackPlain(details(ev), slackSectionMax)},
		slackBlock{Type: "context", Elements: []slackText{
			{Type: "mrkdwn", Text: fit(ev.Site.Title, slackContextMax, utf16Len, slackEscaper.Replace)},
			{Type: "mrkdwn", Text: "<" + slackEscaper.Replace(ev.Incident.URL) + "|View on the status page>"},
		}},
	)
	return struct {
		Text   string       `json:"text"`
		Blocks []slackBlock `json:"blocks"`
	}{
		Text:   fit(ev.Site.Title+": "+Headline(ev), slackTextMax, utf16Len, slackEscaper.Replace),
		Blocks: blocks,
	}
}

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

// Discord: one embed, through a webhook.
// https://discord.com/developers/docs/resources/webhook#execute-webhook
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
// (title 256, description 4096, field name 256 and value 1024, footer 2048,
// 6000 in all). allowed_mentions with an empty parse list keeps any
// mention in the text from pinging anyone
// (https://discord.com/developers/docs/resources/message#allowed-mentions-object).
// The footer (the site's title) is held to 256, so that a full title,
// description and components field stay within the 6000.
const (
	discordTitleMax       = 256
	discordDescriptionMax = 4096
	discordFieldMax       = 1024
	discordFooterMax      = 256
)

type discordField struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

type discordEmbed struct {
	Title       string         `json:"title"`
	URL         string         `json:"url"`
	Description string         `json:"description,omitempty"`
	Color       int            `json:"color"`
	Timestamp   string         `json:"timestamp"`
	Fields      []discordField `json:"fields"`
	Footer      struct {
		Text string `json:"text"`
	} `json:"footer"`
}

func discordMessage(ev Event) any {
	e := discordEmbed{
		Title:       fitHeadline(ev, discordTitleMax, utf16Len, markdownEscape),
		URL:         ev.Incident.URL,
		Description: fit(text(ev), discordDescriptionMax, utf16Len, markdownEscape),
		Color:       colour(ev),
		Timestamp:   ev.Time.UTC().Format(time.RFC3339),
		Fields:      []discordField{{Name: "Status", Value: words(ev.Incident.Status), Inline: true}},
	}
	if ev.Incident.Kind != "maintenance" {
		e.Fields = append(e.Fields, discordField{Name: "Impact", Value: ev.Incident.Impact, Inline: true})
	}
	if names := componentNames(ev); names != "" {
		e.Fields = append(e.Fields, discordField{Name: "Components", Value: fit(names, discordFieldMax, utf16Len, markdownEscape)})
	}
	e.Footer.Text = fit(ev.Site.Title, discordFooterMax, utf16Len, nil)
	return map[string]any{
		"embeds":           []discordEmbed{e},
		"allowed_mentions": map[string]any{"parse": []string{}},
	}
}

// Microsoft Teams: an Adaptive Card 1.4, posted to a Power Automate
// workflow ("Post to a channel when a webhook request is received").
// https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using#send-adaptive-cards-using-an-incoming-webhook
// https://adaptivecards.io/explorer/AdaptiveCard.html
// User text goes in TextRun elements, which the schema says are never read
// as Markdown (https://adaptivecards.io/explorer/TextRun.html); Teams
// mentions need an entity herald never sends. Teams takes a message of up
// to 28 KB, so the update is cut to 20,000 bytes and each other line to
// 1000.
const (
	teamsTextMax = 20000
	teamsLineMax = 1000
)

type teamsRun struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Weight   string `json:"weight,omitempty"`
	Size     string `json:"size,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
}

type teamsElement struct {
	Type    string     `json:"type"`
	Inlines []teamsRun `json:"inlines"`
}

func teamsBlock(r teamsRun) teamsElement {
	r.Type = "TextRun"
	return teamsElement{Type: "RichTextBlock", Inlines: []teamsRun{r}}
}

func teamsMessage(ev Event) any {
	body := []teamsElement{
		teamsBlock(teamsRun{Text: fit(ev.Site.Title, teamsLineMax, jsonLen, nil), IsSubtle: true}),
		teamsBlock(teamsRun{Text: fitHeadline(ev, teamsLineMax, jsonLen, nil), Weight: "bolder", Size: "medium"}),
	}
	if b := text(ev); b != "" {
		body = append(body, teamsBlock(teamsRun{Text: fit(b, teamsTextMax, jsonLen, nil)}))
	}
	body = append(body, teamsBlock(teamsRun{Text: fit(details(ev), teamsLineMax, jsonLen, nil), IsSubtle: true}))
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body":    body,
		"actions": []map[string]string{{"type": "Action.OpenUrl", "title": "View on the status page", "url": ev.Incident.URL}},
	}
	return map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content":     card,
		}},
	}
}

// Mattermost: an incoming webhook's Markdown text and one attachment.
// https://developers.mattermost.com/integrate/webhooks/incoming/
// https://developers.mattermost.com/integrate/reference/message-attachments/
// A post holds at most 16383 characters; the attachment's fallback is the
// plain text notifications show. Its title and footer are escaped as
// Markdown too: a Mattermost client may render them as Markdown, and a
// backslash before punctuation shows nothing where it does.
const (
	mattermostTextMax = 16383
	mattermostLineMax = 1000 // the site's title, the headline: one line each
)

type mattermostAttachment struct {
	Fallback  string `json:"fallback"`
	Color     string `json:"color"`
	Title     string `json:"title"`
	TitleLink string `json:"title_link"`
	Text      string `json:"text,omitempty"`
	Footer    string `json:"footer"`
}

func mattermostMessage(ev Event) any {
	line := "**" + fit(ev.Site.Title, mattermostLineMax, utf16Len, markdownEscape) + "**"
	return map[string]any{
		"text": line,
		"attachments": []mattermostAttachment{{
			Fallback:  fitHeadline(ev, mattermostLineMax, utf16Len, mentionless),
			Color:     fmt.Sprintf("#%06x", colour(ev)),
			Title:     fitHeadline(ev, mattermostLineMax, utf16Len, markdownEscape),
			TitleLink: ev.Incident.URL,
			Text:      fit(text(ev), mattermostTextMax-utf16Len(line), utf16Len, markdownEscape),
			Footer:    fit(details(ev), mattermostLineMax, utf16Len, markdownEscape),
		}},
	}
}

// mentionless is s with a word joiner after each @: for a Mattermost
// attachment's fallback, the plain text of notifications, whose mentions
// might still notify.
func mentionless(s string) string { return strings.ReplaceAll(s, "@", "@\u2060") }

// Google Chat: a card (cardsV2) through an incoming webhook.
// https://developers.google.com/workspace/chat/quickstart/webhooks
// https://developers.google.com/workspace/chat/api/reference/rest/v1/cards
// The header is plain text; a textParagraph takes a small HTML subset
// (https://developers.google.com/workspace/chat/format-messages#card-formatting),
// so user text there is HTML-escaped. fallbackText is what notifications
// show. A message holds at most 32,000 bytes; the update is cut to 4000.
const (
	googleChatTextMax = 4000
	googleChatLineMax = 1000 // the header's title and subtitle
)

func googleChatMessage(ev Event) any {
	widgets := []map[string]any{}
	if b := text(ev); b != "" {
		widgets = append(widgets, map[string]any{"textParagraph": map[string]string{"text": fit(b, googleChatTextMax, jsonLen, htmlEscaper.Replace)}})
	}
	widgets = append(widgets,
		map[string]any{"textParagraph": map[string]string{"text": fit(details(ev), googleChatTextMax, jsonLen, htmlEscaper.Replace)}},
		map[string]any{"buttonList": map[string]any{"buttons": []map[string]any{{
			"text":    "View on the status page",
			"onClick": map[string]any{"openLink": map[string]string{"url": ev.Incident.URL}},
		}}}},
	)
	return map[string]any{
		"fallbackText": fitHeadline(ev, googleChatLineMax, utf16Len, nil),
		"cardsV2": []map[string]any{{
			"cardId": ev.ID,
			"card": map[string]any{
				"header":   map[string]string{"title": fitHeadline(ev, googleChatLineMax, utf16Len, nil), "subtitle": fit(ev.Site.Title, googleChatLineMax, utf16Len, nil)},
				"sections": []map[string]any{{"widgets": widgets}},
			},
		}},
	}
}

// htmlEscaper escapes text for an HTML subset: element content and
// double-quoted attribute values.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

// Telegram: the bot API's sendMessage, with parse_mode HTML.
// https://core.telegram.org/bots/api#sendmessage (text: 1-4096 characters
// after entities parsing)
// https://core.telegram.org/bots/api#html-style (only <, > and & need
// escaping, as &lt; &gt; &amp;; &quot; is supported)
// Each piece of user text is escaped and cut on its own, so a cut never
// splits an entity or leaves a tag open. The limit is counted on the
// escaped text, which is never shorter than what Telegram counts.
const (
	telegramTextMax = 4096
	telegramLineMax = 512 // the headline, the site's title, the details
)

func telegramMessage(ev Event, chatID string) any {
	head := "<b>" + fitHeadline(ev, telegramLineMax, utf16Len, htmlEscaper.Replace) + "</b>\n" +
		fit(ev.Site.Title, telegramLineMax, utf16Len, htmlEscaper.Replace) + "\n"
	tail := "\n" + fit(details(ev), telegramLineMax, utf16Len, htmlEscaper.Replace) +
		"\n<a href=\"" + htmlEscaper.Replace(ev.Incident.URL) + "\">View on the status page</a>"
	var body string
	if b := text(ev); b != "" {
		body = "\n" + fit(b, telegramTextMax-utf16Len(head)-utf16Len(tail)-2, utf16Len, htmlEscaper.Replace) + "\n"
	}
	return map[string]any{
		"chat_id":              chatID,
		"text":                 head + body + tail,
		"parse_mode":           "HTML",
		"link_preview_options": map[string]bool{"is_disabled": true},
	}
}

// ntfy: the JSON form of a publish.
// https://docs.ntfy.sh/publish/#publish-as-json
// The JSON form carries the title as UTF-8 where a header could not (HTTP
// headers are ASCII), and every other format's request is JSON too, so
// delivery stays one code path. It is posted to the server's root with the
// topic in the body; herald's url names the topic, as ntfy's own
// examples do. The message is plain text (markdown is not set, so nothing
// in it is markup). ntfy turns a message over 4096 bytes into an
// attachment, so it is cut below that.
// https://docs.ntfy.sh/publish/#message-priority
// https://docs.ntfy.sh/publish/#tags-emojis
const (
	ntfyMessageMax = 4096
	ntfyLineMax    = 512 // the title, the details, the site's title
)

// ntfyTopic splits a topic URL into the server's root, where the JSON form
// is posted, and the topic: "https://ntfy.sh/acme?auth=x" gives
// "https://ntfy.sh/?auth=x" and "acme".
func ntfyTopic(raw string) (root, topic string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not wrapped: url.Error would print the URL, and its secret.
		return "", "", errors.New("parse ntfy url: not a URL")
	}
	p := strings.TrimSuffix(u.Path, "/")
	i := strings.LastIndexByte(p, '/')
	if i < 0 || i == len(p)-1 {
		return "", "", errors.New("parse ntfy url: no topic in its path")
	}
	u.Path, u.RawPath, topic = p[:i+1], "", p[i+1:]
	return u.String(), topic, nil
}

func ntfyMessage(ev Event, topic string) any {
	priority, tag := 3, "information_source"
	switch {
	case over(ev):
		tag = "white_check_mark"
	case ev.Incident.Kind == "maintenance":
		priority, tag = 2, "wrench"
	case ev.Incident.Impact == "critical":
		priority, tag = 5, "rotating_light"
	case ev.Incident.Impact == "major":
		priority, tag = 4, "rotating_light"
	case ev.Incident.Impact == "minor":
		tag = "warning"
	}
	tail := "\n\n" + fit(details(ev), ntfyLineMax, byteLen, nil) + "\n" + fit(ev.Site.Title, ntfyLineMax, byteLen, nil)
	msg := fit(text(ev), ntfyMessageMax-byteLen(tail), byteLen, nil) + tail
	return map[string]any{
		"topic":    topic,
		"title":    fitHeadline(ev, ntfyLineMax, byteLen, nil),
		"message":  strings.TrimPrefix(msg, "\n\n"),
		"tags":     []string{tag},
		"priority": priority,
		"click":    ev.Incident.URL,
		"actions":  []map[string]any{{"action": "view", "label": "View on the status page", "url": ev.Incident.URL, "clear": false}},
	}
}
