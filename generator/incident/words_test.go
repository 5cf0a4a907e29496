package incident

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/internal/memtest"
)

// localeParser is testParser for a site in another language: its config
// has `locale:` line first.
func localeParser(tb testing.TB, locale string) *Parser {
	tb.Helper()
	cfg, err := config.Parse(tb.TempDir(), []byte(locale+"\n"+testConfig))
	if err != nil {
		tb.Fatal(err)
	}
	return NewParser(cfg)
}

// TestParseLocalStatusWords: a site writes its headings' status words,
// and its components' statuses, in its own language or in English.
func TestParseLocalStatusWords(t *testing.T) {
	tests := []struct {
		name, locale, src string
		want              []string // the updates' statuses, newest first
		component         Status   // api's, when the file names it
	}{
		{"de", "locale: de", "---\ntitle: x\ncomponents:\n  api: Teilweiser Ausfall\n---\n## 2026-11-28 14:05 PST — Behoben\n## 2026-11-28 13:05 PST — wird  UNTERSUCHT\n## 2026-11-28 12:05 PST — Investigating\n",
			[]string{"resolved", "investigating", "investigating"}, PartialOutage},
		{"de maintenance", "locale: de", "---\ntitle: x\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-11-29 10:00\nscheduled_end: 2026-11-29 12:00\n---\n## 2026-11-29 10:00 PST — Läuft\n## 2026-11-28 10:00 PST — geplant\n",
			[]string{"in_progress", "scheduled"}, UnderMaintenance},
		{"ja", "locale: ja", "---\ntitle: x\ncomponents:\n  api: 重大な障害\n---\n## 2026-11-28 14:05 PST — 解決済み\n## 2026-11-28 13:05 PST — 調査中\n",
			[]string{"resolved", "investigating"}, MajorOutage},
		{"ar", "locale: ar", "---\ntitle: x\ncomponents:\n  api: أداء منخفض\n---\n## 2026-11-28 14:05 PST — تقرير ما بعد الحادث\n## 2026-11-28 13:05 PST — تم الحل\n## 2026-11-28 12:05 PST — قيد التحقيق\n",
			[]string{"postmortem", "resolved", "investigating"}, DegradedPerformance},
		{"en, as before", "locale: en", "---\ntitle: x\ncomponents:\n  api: major_outage\n---\n## 2026-11-28 14:05 PST — Post-mortem\n## 2026-11-28 13:05 PST — investigating\n",
			[]string{"postmortem", "investigating"}, MajorOutage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := localeParser(t, tt.locale).Parse("f.md", "f", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range in.Updates {
				got = append(got, u.Status)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got statuses %q, want %q", got, tt.want)
			}
			if got := in.Affected[0].Status; got != tt.component {
				t.Errorf("got api %s, want %s", got, tt.component)
			}
		})
	}
}

// TestParseLocalStatusWordErrors: a word of neither language is an error
// whose fix names the words of both; a word of the other kind, or of
// another language, is one too.
func TestParseLocalStatusWordErrors(t *testing.T) {
	tests := []struct {
		name, locale, src, want string
	}{
		{"de heading", "locale: de", "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n## 2026-01-01 10:05 PST — Erledigt\n",
			`f.md:5:29: unknown incident status "Erledigt" (use one of investigating, identified, monitoring, resolved, postmortem; or in de: Wird untersucht, Ursache gefunden, Wird beobachtet, Behoben, Nachbetrachtung)`},
		{"de maintenance word in an incident", "locale: de", "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n## 2026-01-01 10:05 PST — Abgeschlossen\n",
			`f.md:5:29: unknown incident status "Abgeschlossen" (use one of investigating, identified, monitoring, resolved, postmortem; or in de: Wird untersucht, Ursache gefunden, Wird beobachtet, Behoben, Nachbetrachtung)`},
		{"ja word in a de site", "locale: de", "---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n## 2026-01-01 10:05 PST — 解決済み\n",
			`f.md:5:29: unknown incident status "解決済み"`},
		{"ja maintenance", "locale: ja", "---\ntitle: x\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-01-02 10:00\nscheduled_end: 2026-01-02 12:00\n---\n## 2026-01-01 10:05 PST — 終了\n",
			`f.md:8:29: unknown maintenance status "終了" (use one of scheduled, in_progress, verifying, completed; or in ja: 予定, 実施中, 確認中, 完了)`},
		{"ar component", "locale: ar", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents:\n  api: معطل\n---\n",
			`f.md:5:3: unknown status "معطل" for component "api" (use operational, degraded_performance, partial_outage, major_outage or under_maintenance; or in ar: يعمل بشكل طبيعي, أداء منخفض, انقطاع جزئي, انقطاع كبير, قيد الصيانة)`},
		{"en is unchanged", "locale: en", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents:\n  api: Behoben\n---\n## 2026-01-01 10:05 PST — Behoben\n",
			"f.md:5:3: unknown status \"Behoben\" for component \"api\" (use operational, degraded_performance, partial_outage, major_outage or under_maintenance)\n" +
				`f.md:7:29: unknown incident status "Behoben" (use one of investigating, identified, monitoring, resolved, postmortem)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := localeParser(t, tt.locale).Parse("f.md", "f", []byte(tt.src))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if got := err.Error(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got:\n%s\nwant it to start with:\n%s", got, tt.want)
			}
		})
	}
}

// TestParseSiteWords: the site's own words (i18n/<locale>.yaml) are
// accepted, and where it gives two statuses one word, each kind of file
// finds its own, and within a kind the earlier status keeps it.
func TestParseSiteWords(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "i18n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "i18n", "de.yaml"), []byte("update.identified: Wird untersucht\nupdate.resolved: Erledigt\nupdate.completed: Erledigt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(dir, []byte("locale: de\n"+testConfig))
	if err != nil {
		t.Fatal(err)
	}
	src := "---\ntitle: x\n---\n## 2026-11-28 14:05 PST — erledigt\n## 2026-11-28 13:05 PST — Wird untersucht\n"
	in, err := NewParser(cfg).Parse("f.md", "f", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := []string{in.Updates[0].Status, in.Updates[1].Status}, []string{"resolved", "investigating"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	maintenance := "---\ntitle: x\ntype: maintenance\ncomponents: [api]\nscheduled_start: 2026-11-29 10:00\nscheduled_end: 2026-11-29 12:00\n---\n## 2026-11-29 12:00 PST — Erledigt\n"
	in, err = NewParser(cfg).Parse("m.md", "m", []byte(maintenance))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Updates[0].Status, "completed"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestEnglishUpdate holds englishUpdate to the lowered, separated word it
// folds, and a status it names to no allocation (1 before).
func TestEnglishUpdate(t *testing.T) {
	memtest.SkipUnderRace(t)
	for _, word := range []string{
		"Resolved", "RESOLVED", "resolved", "Investigating", "In progress", "in-progress", "IN_PROGRESS",
		"Post-mortem", "post mortem", "Postmortem", "Completed", "Resolvedx", "Resolve", "Unknown",
		"\u212Aelvin", "In  progress", "Résolu", "",
	} {
		t.Run(word, func(t *testing.T) {
			want := strings.ToLower(wordSeparators.Replace(word))
			if want == "post_mortem" {
				want = "postmortem"
			}
			if got := englishUpdate(word); got != want {
				t.Errorf("englishUpdate(%q): got %q, want %q", word, got, want)
			}
		})
	}
	for _, word := range []string{"Resolved", "In progress", "Post-mortem"} {
		if got := testing.AllocsPerRun(20, func() { englishUpdate(word) }); got != 0 {
			t.Errorf("englishUpdate(%q): got %v allocations, want 0", word, got)
		}
	}
}
