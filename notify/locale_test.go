package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/notify"
)

// withLocale sets the locale of the site in dir.
func withLocale(tb testing.TB, dir, tag string) {
	tb.Helper()
	name := filepath.Join(dir, "herald.yaml")
	y, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(name, append([]byte("locale: "+tag+"\n"), y...), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// englishWords are words of herald's English messages that no message in
// another language may hold.
var englishWords = []string{"View on the status page", "New incident", "Impact", "Components", "impact)"}

// TestChatLocale sends a new incident to every format from a site in
// another language: each chat message is in the site's words and still
// valid by its service's schema, Slack's, Teams' and Discord's match
// golden files read by a person, and the json format, for machines, is
// the same as the English site's.
func TestChatLocale(t *testing.T) {
	for _, tag := range []string{"de", "ar"} {
		t.Run(tag, func(t *testing.T) {
			rec := &standIn{}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			dir := chatSite(t, srv.URL, "Acme Status", "API", plainIncident)
			withLocale(t, dir, tag)
			deliverAll(t, dir)
			checkSchemas(t, rec)
			for _, h := range chatHooks {
				t.Run(h.format, func(t *testing.T) {
					r := rec.find(t, sentPath(h.format, h.path), string(notify.IncidentCreated))
					for _, w := range englishWords {
						if bytes.Contains(r.body, []byte(w)) {
							t.Errorf("got %s, want no English %q", r.body, w)
						}
					}
					switch h.format {
					case "slack", "teams", "discord":
						checkGolden(t, r, filepath.Join("testdata", h.format+"."+tag+".golden"))
					}
				})
			}
			t.Run("json", func(t *testing.T) {
				checkGolden(t, rec.find(t, "/json", string(notify.IncidentCreated)), filepath.Join("testdata", "json.golden"))
			})
		})
	}
}

// TestEmailLocale sends the first message of an incident and of a
// maintenance through a real SMTP server from a site in another language,
// and compares subject, text and HTML parts with a golden file read by a
// person: the site's words, its dates, and in Arabic the HTML part's
// direction.
func TestEmailLocale(t *testing.T) {
	for _, tag := range []string{"de", "ar"} {
		t.Run(tag, func(t *testing.T) {
			srv, _ := startSMTP(t, smtpOptions{})
			dir := mailSite(t, emailYAML(srv.addr, "      tls: none\n      events: [incident.created, maintenance.scheduled]\n"))
			withLocale(t, dir, tag)
			maint := readFile(t, dir, "incidents/m.md")
			os.Remove(filepath.Join(dir, "incidents/m.md"))
			if _, _, err := notifyAt(t, dir, before); err != nil {
				t.Fatal(err)
			}
			// Announced after the baseline, so that it is sent.
			writeFile(t, dir, "incidents/m.md", maint)
			if _, pending, err := notifyAt(t, dir, time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)); err != nil || pending != 0 {
				t.Fatalf("got %v, %d pending, want every message sent", err, pending)
			}
			msgs := srv.messages()
			if len(msgs) != 2 {
				t.Fatalf("got %d messages, want 2", len(msgs))
			}
			var got strings.Builder
			for _, data := range msgs {
				m := parseMail(t, data)
				fmt.Fprintf(&got, "Subject: %s\n\n%s\n%s\n", m.get(t, "Subject"), m.text, m.html)
			}
			for _, w := range englishWords {
				if strings.Contains(got.String(), w) {
					t.Errorf("got:\n%s\nwant no English %q", got.String(), w)
				}
			}
			file := filepath.Join("testdata", "email."+tag+".golden")
			if *update {
				if err := os.WriteFile(file, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("got:\n%s\nwant (%s, -update to rewrite):\n%s", got.String(), file, want)
			}
		})
	}
}

// TestComponentEventsLocale drives a real prober down and up on a site in
// another language: the chat messages of both events and the draft
// incident are in its words, its numbers and dates in its formats, and
// the draft, with the Resolved update herald adds, still loads as one
// draft of the site.
func TestComponentEventsLocale(t *testing.T) {
	tests := []struct {
		tag              string
		down, up, uptime string
		draft            []string
		resolved         string
	}{
		{
			tag:    "de",
			down:   "API ist seit 14:01 UTC ausgefallen",
			up:     "API ist seit 14:03 UTC wieder erreichbar",
			uptime: "Verfügbarkeit heute: 0,00\u00a0%",
			draft: []string{
				"title: \"API ist ausgefallen\"\n",
				"\nSeit 28.11.2026, 14:01 UTC antwortet API nicht auf unsere Prüfungen.\n",
				"\n## 2026-11-28T14:01:00Z — Investigating\nWir untersuchen das Problem.\n",
			},
			resolved: "\n## 2026-11-28T14:03:00Z — Resolved\nAPI antwortet wieder auf unsere Prüfungen.\n",
		},
		{
			tag:    "ar",
			down:   "API متوقف منذ 14:01 UTC",
			up:     "API يعمل مجددًا منذ 14:03 UTC",
			uptime: "نسبة التشغيل اليوم: 0.00\u200e%\u200e",
			draft: []string{
				"title: \"API متوقف\"\n",
				"\nمنذ 28\u200f/11\u200f/2026، 14:01 UTC، لا يستجيب API لفحوصاتنا.\n",
				"\n## 2026-11-28T14:01:00Z — Investigating\nنحن نتحقق من الأمر.\n",
			},
			resolved: "\n## 2026-11-28T14:03:00Z — Resolved\nعاد API إلى الاستجابة لفحوصاتنا.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			rec := &standIn{}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			var extra strings.Builder
			for _, h := range chatHooks {
				fmt.Fprintf(&extra, "    - {format: %s, url: %q%s}\n", h.format, srv.URL+h.path, h.extra)
			}
			extra.WriteString("  draft_incidents: true\nlocale: " + tt.tag + "\n")
			ps := newProbedSite(t, srv.URL+"/json", extra.String())
			ps.step(t, true)
			ps.notify(t)
			ps.step(t, false) // down since 14:01
			ps.step(t, false)
			ps.notify(t)
			const file = "incidents/2026-11-28-api-down.md"
			draft := readFile(t, ps.dir, file)
			for _, want := range tt.draft {
				if !strings.Contains(draft, want) {
					t.Errorf("got draft:\n%s\nwant it to hold %q", draft, want)
				}
			}
			ps.step(t, true) // up since 14:03
			ps.step(t, true)
			ps.notify(t)
			if got := readFile(t, ps.dir, file); !strings.Contains(got, tt.resolved) {
				t.Errorf("got draft:\n%s\nwant the suggested update %q", got, tt.resolved)
			}
			s, err := generator.Load(context.Background(), ps.dir, ps.now)
			if err != nil || len(s.Drafts) != 1 {
				t.Errorf("got %v, want the draft to load as one", err)
			}
			checkSchemas(t, rec)
			for _, w := range []struct {
				typ   notify.Type
				lines []string
			}{
				{notify.ComponentDown, []string{tt.down, tt.uptime, file}},
				{notify.ComponentUp, []string{tt.up}},
			} {
				// Slack's and Teams' texts hold no markup or escapes.
				for _, format := range []string{"slack", "teams"} {
					t.Run(format+"/"+string(w.typ), func(t *testing.T) {
						var path string
						for _, h := range chatHooks {
							if h.format == format {
								path = h.path
							}
						}
						r := rec.find(t, path, string(w.typ))
						for _, line := range w.lines {
							if !bytes.Contains(r.body, []byte(line)) {
								t.Errorf("got %s, want %q", r.body, line)
							}
						}
					})
				}
			}
		})
	}
}

// TestUptimeToday: a down event's uptime of the day is the page's figure,
// truncated, never rounded up to 100 % while there was downtime, in the
// json event and in the message's words of each locale.
func TestUptimeToday(t *testing.T) {
	tests := []struct {
		name, tag string
		uptime    float64
		down      time.Duration
		wantJSON  float64
		wantText  string
	}{
		{"a few seconds down", "en", 0.99996, 3 * time.Second, 99.99, "Uptime today: 99.99%"},
		{"a few seconds down in de", "de", 0.99996, 3 * time.Second, 99.99, "Verfügbarkeit heute: 99,99\u00a0%"},
		{"half a day down", "en", 0.5, 12 * time.Hour, 50, "Uptime today: 50.00%"},
		{"never down", "en", 1, 0, 100, "Uptime today: 100.00%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &standIn{}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			ps := newProbedSite(t, srv.URL+"/json", fmt.Sprintf("    - {format: slack, url: %q}\nlocale: %s\n", srv.URL+"/slack", tt.tag))
			ps.step(t, true)
			ps.notify(t)
			ps.step(t, false)
			ps.step(t, false)

			ctx := context.Background()
			s, err := generator.Load(ctx, ps.dir, ps.now)
			if err != nil {
				t.Fatal(err)
			}
			snap, err := s.Snapshot(ctx, ps.now)
			if err != nil {
				t.Fatal(err)
			}
			days := snap.Component("api").Days
			today := &days[len(days)-1]
			today.HasValue, today.Uptime, today.Down = true, tt.uptime, tt.down
			n, err := notify.New(s.Config)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := n.Observe(ctx, snap); err != nil {
				t.Fatal(err)
			}
			if err := n.Deliver(ctx); err != nil {
				t.Fatal(err)
			}
			var ev notify.Event
			if err := json.Unmarshal(rec.find(t, "/json", string(notify.ComponentDown)).body, &ev); err != nil {
				t.Fatal(err)
			}
			switch got := ev.Component.UptimeToday; {
			case got == nil:
				t.Errorf("got no uptime_today, want %v", tt.wantJSON)
			case *got != tt.wantJSON:
				t.Errorf("got uptime_today %v, want %v", *got, tt.wantJSON)
			}
			if body := rec.find(t, "/slack", string(notify.ComponentDown)).body; !bytes.Contains(body, []byte(tt.wantText)) {
				t.Errorf("got %s, want %q", body, tt.wantText)
			}
		})
	}
}
