package ical_test

import (
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/sitetest"
)

// TestLocale: the calendar's name, an event's summary and description are
// the site's language, and the event says which; UIDs, times and URLs are
// not translated.
func TestLocale(t *testing.T) {
	tests := []struct {
		locale string
		want   []string // unfolded lines
	}{
		{"en", []string{
			"X-WR-CALNAME:Maintenance: T",
			"X-WR-CALDESC:Scheduled maintenance announced on T.",
			"SUMMARY;LANGUAGE=en:Maintenance: Upgrade",
			`DESCRIPTION;LANGUAGE=en:An upgrade.\n\nAffected: API\, Web\n\nUpdates: https://s.example/incidents/2026-12-10-upgrade/`,
		}},
		{"de", []string{
			"X-WR-CALNAME:Wartung: T",
			"X-WR-CALDESC:Geplante Wartungen\\, angekündigt auf T.",
			"SUMMARY;LANGUAGE=de:Wartung: Upgrade",
			`DESCRIPTION;LANGUAGE=de:An upgrade.\n\nBetroffen: API\, Web\n\nMeldungen: https://s.example/incidents/2026-12-10-upgrade/`,
		}},
		{"ja", []string{
			"X-WR-CALNAME:メンテナンス:T",
			"SUMMARY;LANGUAGE=ja:メンテナンス:Upgrade",
			`DESCRIPTION;LANGUAGE=ja:An upgrade.\n\n影響範囲:API、Web\n\n更新情報:https://s.example/incidents/2026-12-10-upgrade/`,
		}},
		{"ar", []string{
			"X-WR-CALNAME:صيانة: T",
			"SUMMARY;LANGUAGE=ar:صيانة: Upgrade",
			`DESCRIPTION;LANGUAGE=ar:An upgrade.\n\nالمتأثر: API، Web\n\nالتحديثات: https://s.example/incidents/2026-12-10-upgrade/`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.locale, func(t *testing.T) {
			dir := sitetest.Write(t, map[string]string{
				"herald.yaml": "title: T\nbase_url: https://s.example/\nlocale: " + tt.locale + "\ncomponents:\n  - {id: api, name: API}\n  - {id: web, name: Web}\n",
				"incidents/2026-12-10-upgrade.md": "---\ntitle: Upgrade\ntype: maintenance\ncomponents: [api, web]\nscheduled_start: 2026-12-10 22:00\nscheduled_end: 2026-12-10 23:00\n---\nAn upgrade.\n\n" +
					"## 2026-11-27 10:00 UTC — Scheduled\nPlanned.\n",
			})
			s := string(render(t, sitetest.Snapshot(t, dir, clock)))
			lines := unfold(s)
			for _, want := range tt.want {
				found := false
				for _, l := range lines {
					found = found || l == want
				}
				if !found {
					t.Errorf("no line %q in\n%s", want, strings.Join(lines, "\n"))
				}
			}
		})
	}
}
