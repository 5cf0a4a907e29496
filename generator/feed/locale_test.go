package feed_test

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/sitetest"
)

// localeSite is a site in locale with one incident and one maintenance,
// in Berlin's time zone.
func localeSite(t *testing.T, locale string) map[string][]byte {
	t.Helper()
	dir := sitetest.Write(t, map[string]string{
		"herald.yaml": "title: T\nbase_url: https://s.example/\ntimezone: Europe/Berlin\nlocale: " + locale + "\ncomponents:\n  - {id: api, name: API}\n",
		"incidents/2026-03-09-slow.md": "---\ntitle: Slow\ncomponents:\n  api: degraded_performance\nstarted: 2026-03-09 14:05\n---\nSlow answers.\n\n" +
			"## 2026-03-09 15:00 CET — Resolved\nFixed.\n",
		"incidents/2026-03-10-upgrade.md": "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-03-10 22:00\nscheduled_end: 2026-03-10 23:00\n---\nAn upgrade.\n\n" +
			"## 2026-03-09 10:00 CET — Scheduled\nPlanned.\n",
	})
	return renderAll(t, sitetest.Snapshot(t, dir, clock))
}

// TestLocale: a feed's words and written-out times are the site's
// language, and the feed says which; ids, links and machine dates are
// not translated.
func TestLocale(t *testing.T) {
	tests := []struct {
		locale      string
		description string // the site's feed, the site having none of its own
		component   string // the component's feed title
		maintenance string // the maintenance item's title
		content     []string
	}{
		{"en", "Incidents and maintenance of T.", "T — API", "Maintenance: Upgrade", []string{
			"<p><strong>Scheduled:</strong> Tue, Mar 10, 2026 22:00 CET – Tue, Mar 10, 2026 23:00 CET</p>",
			"<p><strong>Affected:</strong> API (degraded performance)</p>",
			`<p><strong>Resolved</strong> · <time datetime="2026-03-09T14:00:00Z">Mon, Mar 9, 2026 15:00 CET</time></p>`,
		}},
		{"de", "Vorfälle und Wartungen von T.", "T — API", "Wartung: Upgrade", []string{
			"<p><strong>Geplant:</strong> Di., 10.03.2026 22:00 CET – Di., 10.03.2026 23:00 CET</p>",
			"<p><strong>Betroffen:</strong> API (eingeschränkte Leistung)</p>",
			`<p><strong>Behoben</strong> · <time datetime="2026-03-09T14:00:00Z">Mo., 09.03.2026 15:00 CET</time></p>`,
			"<p><strong>Geplant</strong> · ",
		}},
		{"ja", "Tのインシデントとメンテナンス。", "T — API", "メンテナンス:Upgrade", []string{
			"<p><strong>予定:</strong> 2026/03/10(火) 22:00 CET – 2026/03/10(火) 23:00 CET</p>",
			"<p><strong>影響範囲:</strong> API(パフォーマンス低下)</p>",
			`<p><strong>解決済み</strong> · <time datetime="2026-03-09T14:00:00Z">2026/03/09(月) 15:00 CET</time></p>`,
		}},
		{"ar", "الحوادث والصيانة في T.", "T — API", "صيانة: Upgrade", []string{
			"<p><strong>الموعد:</strong> الثلاثاء، ",
			"<p><strong>المتأثر:</strong> API (أداء منخفض)</p>",
			`<p><strong>تم الحل</strong> · <time datetime="2026-03-09T14:00:00Z">الاثنين، `,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			files := localeSite(t, tt.locale)
			for _, f := range formats {
				d := f.decode(t, files["history."+f.ext])
				var content strings.Builder
				titles := map[string]bool{}
				for _, it := range d.Items {
					content.WriteString(it.Content)
					titles[it.Title] = true
				}
				if !titles[tt.maintenance] || !titles["Slow"] {
					t.Errorf("%s: got titles %v, want %q and %q", f.ext, titles, tt.maintenance, "Slow")
				}
				for _, want := range tt.content {
					if !strings.Contains(content.String(), want) {
						t.Errorf("%s: content lacks %q:\n%s", f.ext, want, content.String())
					}
				}
				if got := decodeLocale(t, f.ext, files["history."+f.ext]); got != (localeFields{tt.locale, tt.description}) {
					t.Errorf("%s: got language and description %q, want %q, %q", f.ext, got, tt.locale, tt.description)
				}
				if d := f.decode(t, files["components/api/history."+f.ext]); d.Title != tt.component {
					t.Errorf("%s: got component feed title %q, want %q", f.ext, d.Title, tt.component)
				}
			}
		})
	}
}

type localeFields struct{ lang, description string }

// decodeLocale reads a feed's language, where each format keeps it, and
// its description.
func decodeLocale(t *testing.T, ext string, b []byte) localeFields {
	t.Helper()
	var err error
	var f localeFields
	switch ext {
	case "rss":
		var x struct {
			Channel struct {
				Language    string `xml:"language"`
				Description string `xml:"description"`
			} `xml:"channel"`
		}
		err = xml.Unmarshal(b, &x)
		f = localeFields{x.Channel.Language, x.Channel.Description}
	case "atom":
		var x struct {
			Lang     string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			Subtitle string `xml:"subtitle"`
		}
		err = xml.Unmarshal(b, &x)
		f = localeFields{x.Lang, x.Subtitle}
	case "json":
		var x struct{ Language, Description string }
		err = json.Unmarshal(b, &x)
		f = localeFields{x.Language, x.Description}
	}
	if err != nil {
		t.Fatalf("parse %s: %v", ext, err)
	}
	return f
}
