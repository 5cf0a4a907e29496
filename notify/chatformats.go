package notify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/herald-status/herald/i18n"
)

// The message of each chat service, one builder per service, each citing
// the service's documentation of its payload and its limits.

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

func slackMessage(l *i18n.Locale, ev Event) any {
	blocks := []slackBlock{{Type: "header", Text: slackPlain(fitHeadline(l, ev, slackHeaderMax, utf16Len, nil), slackHeaderMax)}}
	if b := text(l, ev); b != "" {
		blocks = append(blocks, slackBlock{Type: "section", Text: slackPlain(b, slackSectionMax)})
	}
	blocks = append(blocks,
		slackBlock{Type: "section", Text: slackPlain(details(l, ev), slackSectionMax)},
		slackBlock{Type: "context", Elements: []slackText{
			{Type: "mrkdwn", Text: fit(ev.Site.Title, slackContextMax, utf16Len, slackEscaper.Replace)},
			{Type: "mrkdwn", Text: "<" + slackEscaper.Replace(link(ev)) + "|" + slackEscaper.Replace(l.T("notify.view")) + ">"},
		}},
	)
	return struct {
		Text   string       `json:"text"`
		Blocks []slackBlock `json:"blocks"`
	}{
		Text:   fit(ev.Site.Title+": "+Headline(l, ev), slackTextMax, utf16Len, slackEscaper.Replace),
		Blocks: blocks,
	}
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

func discordMessage(l *i18n.Locale, ev Event) any {
	e := discordEmbed{
		Title:       fitHeadline(l, ev, discordTitleMax, utf16Len, markdownEscape),
		URL:         link(ev),
		Description: fit(text(l, ev), discordDescriptionMax, utf16Len, markdownEscape),
		Color:       colour(ev),
		Timestamp:   ev.Time.UTC().Format(time.RFC3339),
		Fields:      []discordField{{Name: l.T("notify.field_status"), Value: statusWords(l, ev), Inline: true}},
	}
	if ev.Component == nil && ev.Incident.Kind != "maintenance" {
		e.Fields = append(e.Fields, discordField{Name: l.T("notify.field_impact"), Value: impactWords(l, ev.Incident.Impact), Inline: true})
	}
	if names := componentNames(l, ev); names != "" {
		e.Fields = append(e.Fields, discordField{Name: l.T("notify.field_components"), Value: fit(names, discordFieldMax, utf16Len, markdownEscape)})
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

func teamsMessage(l *i18n.Locale, ev Event) any {
	body := []teamsElement{
		teamsBlock(teamsRun{Text: fit(ev.Site.Title, teamsLineMax, jsonLen, nil), IsSubtle: true}),
		teamsBlock(teamsRun{Text: fitHeadline(l, ev, teamsLineMax, jsonLen, nil), Weight: "bolder", Size: "medium"}),
	}
	if b := text(l, ev); b != "" {
		body = append(body, teamsBlock(teamsRun{Text: fit(b, teamsTextMax, jsonLen, nil)}))
	}
	body = append(body, teamsBlock(teamsRun{Text: fit(details(l, ev), teamsLineMax, jsonLen, nil), IsSubtle: true}))
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body":    body,
		"actions": []map[string]string{{"type": "Action.OpenUrl", "title": l.T("notify.view"), "url": link(ev)}},
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

func mattermostMessage(l *i18n.Locale, ev Event) any {
	line := "**" + fit(ev.Site.Title, mattermostLineMax, utf16Len, markdownEscape) + "**"
	return map[string]any{
		"text": line,
		"attachments": []mattermostAttachment{{
			Fallback:  fitHeadline(l, ev, mattermostLineMax, utf16Len, mentionless),
			Color:     fmt.Sprintf("#%06x", colour(ev)),
			Title:     fitHeadline(l, ev, mattermostLineMax, utf16Len, markdownEscape),
			TitleLink: link(ev),
			Text:      fit(text(l, ev), mattermostTextMax-utf16Len(line), utf16Len, markdownEscape),
			Footer:    fit(details(l, ev), mattermostLineMax, utf16Len, markdownEscape),
		}},
	}
}

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

func googleChatMessage(l *i18n.Locale, ev Event) any {
	widgets := []map[string]any{}
	if b := text(l, ev); b != "" {
		widgets = append(widgets, map[string]any{"textParagraph": map[string]string{"text": fit(b, googleChatTextMax, jsonLen, htmlEscaper.Replace)}})
	}
	widgets = append(widgets,
		map[string]any{"textParagraph": map[string]string{"text": fit(details(l, ev), googleChatTextMax, jsonLen, htmlEscaper.Replace)}},
		map[string]any{"buttonList": map[string]any{"buttons": []map[string]any{{
			"text":    l.T("notify.view"),
			"onClick": map[string]any{"openLink": map[string]string{"url": link(ev)}},
		}}}},
	)
	return map[string]any{
		"fallbackText": fitHeadline(l, ev, googleChatLineMax, utf16Len, nil),
		"cardsV2": []map[string]any{{
			"cardId": ev.ID,
			"card": map[string]any{
				"header":   map[string]string{"title": fitHeadline(l, ev, googleChatLineMax, utf16Len, nil), "subtitle": fit(ev.Site.Title, googleChatLineMax, utf16Len, nil)},
				"sections": []map[string]any{{"widgets": widgets}},
			},
		}},
	}
}

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

func telegramMessage(l *i18n.Locale, ev Event, chatID string) any {
	head := "<b>" + fitHeadline(l, ev, telegramLineMax, utf16Len, htmlEscaper.Replace) + "</b>\n" +
		fit(ev.Site.Title, telegramLineMax, utf16Len, htmlEscaper.Replace) + "\n"
	tail := "\n" + fit(details(l, ev), telegramLineMax, utf16Len, htmlEscaper.Replace) +
		"\n<a href=\"" + htmlEscaper.Replace(link(ev)) + "\">" + htmlEscaper.Replace(l.T("notify.view")) + "</a>"
	var body string
	if b := text(l, ev); b != "" {
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

func ntfyMessage(l *i18n.Locale, ev Event, topic string) any {
	priority, tag := 3, "information_source"
	switch {
	case over(ev):
		tag = "white_check_mark"
	case ev.Type == ComponentDown:
		priority, tag = 5, "rotating_light"
	case ev.Type == ComponentDegraded:
		tag = "warning"
	case ev.SLO != nil:
		tag = "hourglass"
	case ev.Incident.Kind == "maintenance":
		priority, tag = 2, "wrench"
	case ev.Incident.Impact == "critical":
		priority, tag = 5, "rotating_light"
	case ev.Incident.Impact == "major":
		priority, tag = 4, "rotating_light"
	case ev.Incident.Impact == "minor":
		tag = "warning"
	}
	tail := "\n\n" + fit(details(l, ev), ntfyLineMax, byteLen, nil) + "\n" + fit(ev.Site.Title, ntfyLineMax, byteLen, nil)
	msg := fit(text(l, ev), ntfyMessageMax-byteLen(tail), byteLen, nil) + tail
	return map[string]any{
		"topic":    topic,
		"title":    fitHeadline(l, ev, ntfyLineMax, byteLen, nil),
		"message":  strings.TrimPrefix(msg, "\n\n"),
		"tags":     []string{tag},
		"priority": priority,
		"click":    link(ev),
		"actions":  []map[string]any{{"action": "view", "label": l.T("notify.view"), "url": link(ev), "clear": false}},
	}
}
