// The notify: keys: webhooks, their formats and filters. Email is in email.go.

package config

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/strictyaml"
)

// Notify configures webhook notifications.
type Notify struct {
	Webhooks []Webhook `yaml:"webhooks"`
	// Email are the mailing lists notifications are mailed to.
	Email []Email `yaml:"email"`
	// State is the delivery state file.
	State string `yaml:"state"`
	// DraftIncidents writes a draft incident file when a component's
	// probe confirms it down (docs/notifications.md#drafts).
	DraftIncidents bool `yaml:"draft_incidents"`
}

// HasChannels reports whether any webhook or email channel is configured.
func (n Notify) HasChannels() bool { return len(n.Webhooks) > 0 || len(n.Email) > 0 }

// Webhook is one notification endpoint.
type Webhook struct {
	URL string `yaml:"url"`
	// Format is the message format, one of WebhookFormats.
	Format string `yaml:"format"`
	// ChatID is the chat a telegram message goes to: a number, or
	// @channelname for a public channel.
	ChatID string `yaml:"chat_id"`
	// Components, Events and MinImpact choose what the webhook is sent;
	// each left empty lets everything through (docs/notifications.md).
	Components []string `yaml:"components"`
	Events     []string `yaml:"events"`
	MinImpact  string   `yaml:"min_impact"` // minor, major or critical
}

// WebhookFormats are the values of notify.webhooks[].format.
var WebhookFormats = []string{"json", "slack", "discord", "teams", "mattermost", "googlechat", "telegram", "ntfy"}

// NotifyEvents are the event types a notification filter may name, as
// docs/notifications.md lists them; package notify sends no others.
var NotifyEvents = []string{
	"incident.created", "incident.updated", "incident.resolved",
	"maintenance.scheduled", "maintenance.updated", "maintenance.started", "maintenance.completed",
	"component.down", "component.degraded", "component.up",
	"slo.burn",
}

// MinImpacts are the values of a notification filter's min_impact.
var MinImpacts = []string{"minor", "major", "critical"}

// chatIDRE matches a Telegram chat: its number (negative for groups and
// channels) or a public channel's @username, which has at least 5
// characters (https://core.telegram.org/bots/api#sendmessage).
var chatIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(-?[0-9]+|@[A-Za-z0-9_]{5,})$`) })

// checkWebhook checks a webhook's url and what its format needs. The url
// is never echoed: Slack's and Discord's hold a token in their path,
// Telegram's the bot's token. The url and chat_id may hold ${NAME}
// references, which notify expands when it sends, so that herald.yaml
// need not hold the secret; here the rest of each value is checked with
// a stand-in for every reference, and a url that is one reference as a
// whole is taken on trust.
func checkWebhook(doc *strictyaml.Doc, p string, w Webhook) diag.List {
	var errs diag.List
	for _, v := range []struct{ key, value string }{{"url", w.URL}, {"chat_id", w.ChatID}} {
		if containsRef(varRE().ReplaceAllString(v.value, "")) {
			errs = append(errs, doc.Errorf(p+"."+v.key, "malformed ${…} reference").WithFix("write ${NAME}, NAME being letters, digits and underscores"))
		}
	}
	var u *url.URL
	if !strings.HasPrefix(w.URL, "${") {
		var err error
		if u, err = url.Parse(placeholder(w.URL)); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			errs = append(errs, doc.Errorf(p+".url", "webhook url must be an absolute http(s) URL"))
			u = nil
		}
	}
	switch w.Format {
	case "telegram":
		switch {
		case w.ChatID == "":
			errs = append(errs, doc.Errorf(p, "telegram webhook without a chat_id").WithFix("add `chat_id:`, the chat's number or @channelname"))
		case !containsRef(w.ChatID) && !chatIDRE().MatchString(w.ChatID):
			errs = append(errs, doc.Errorf(p+".chat_id", "telegram chat_id %q is neither a chat's number nor @channelname", w.ChatID).WithFix("e.g. `chat_id: -1001234567890` or `chat_id: \"@acme_status\"`"))
		}
		if u != nil && (!strings.HasPrefix(u.Path, "/bot") || !strings.HasSuffix(u.Path, "/sendMessage")) {
			errs = append(errs, doc.Errorf(p+".url", "telegram webhook url must be the bot API's sendMessage method").WithFix("use https://api.telegram.org/bot<token>/sendMessage"))
		}
	case "ntfy":
		if u == nil {
			break
		}
		if topic := path.Base(u.Path); topic == "/" || topic == "." {
			errs = append(errs, doc.Errorf(p+".url", "ntfy webhook url must name the topic").WithFix("e.g. https://ntfy.sh/acme-status"))
		}
	}
	if w.ChatID != "" && w.Format != "telegram" {
		errs = append(errs, doc.Errorf(p+".chat_id", "chat_id is only used by format telegram").WithFix("remove it, or set `format: telegram`"))
	}
	return errs
}

// checkFilter checks the filter keys of the notification channel at path:
// every component and event type must exist, so that a typo does not
// silently mute a channel.
func (c *Config) checkFilter(doc *strictyaml.Doc, path string, components, events []string, minImpact string) diag.List {
	var errs diag.List
	ids := c.ComponentIDs()
	for i, id := range components {
		if slices.Contains(ids, id) {
			continue
		}
		e := doc.Errorf(fmt.Sprintf("%s.components[%d]", path, i), "unknown component %q in %s.components", id, path)
		if best := diag.Closest(id, ids); best != "" {
			e.WithFix("did you mean %q?", best)
		} else {
			e.WithFix("use a component id of herald.yaml: %s", strings.Join(ids, ", "))
		}
		errs = append(errs, e)
	}
	for i, ev := range events {
		if slices.Contains(NotifyEvents, ev) {
			continue
		}
		e := doc.Errorf(fmt.Sprintf("%s.events[%d]", path, i), "unknown event type %q in %s.events", ev, path)
		best := diag.Closest(ev, NotifyEvents)
		for _, t := range NotifyEvents {
			if best == "" && strings.HasSuffix(t, "."+ev) { // "resolved"
				best = t
			}
		}
		if best != "" {
			e.WithFix("did you mean %q?", best)
		} else {
			e.WithFix("use one of %s", strings.Join(NotifyEvents, ", "))
		}
		errs = append(errs, e)
	}
	if minImpact != "" && !slices.Contains(MinImpacts, minImpact) {
		e := doc.Errorf(path+".min_impact", "unknown min_impact %q", minImpact)
		if best := diag.Closest(minImpact, MinImpacts); best != "" {
			e.WithFix("did you mean %q? use minor, major or critical", best)
		} else {
			e.WithFix("use minor, major or critical")
		}
		errs = append(errs, e)
	}
	return errs
}
