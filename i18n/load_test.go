package i18n

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// site writes files into the i18n folder of a new site folder.
func site(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, Dir), 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, Dir, name), []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestLoadOverrides(t *testing.T) {
	en, err := catalogs.ReadFile("catalog/en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 3, 9, 14, 5, 0, 0, time.UTC)
	tests := []struct {
		name  string
		files map[string]string
		tag   string
		got   func(*Locale) string
		want  string
	}{
		{"no i18n folder", nil, "de", func(l *Locale) string { return l.T("status.major_outage") }, "Schwerer Ausfall"},
		{"a fixed word", map[string]string{"de.yaml": "status.major_outage: Großstörung\n"}, "de",
			func(l *Locale) string { return l.T("status.major_outage") }, "Großstörung"},
		{"the words not fixed stay herald's", map[string]string{"de.yaml": "status.major_outage: Großstörung\n"}, "de",
			func(l *Locale) string { return l.T("status.partial_outage") }, "Teilweiser Ausfall"},
		{"a fixed plural", map[string]string{"de.yaml": "component.days_ago:\n  one: 'gestern'\n  other: 'vor {count} Tagen'\n"}, "de",
			func(l *Locale) string { return l.N("component.days_ago", 1) }, "gestern"},
		{"other languages untouched", map[string]string{"de.yaml": "status.major_outage: Großstörung\n"}, "en",
			func(l *Locale) string { return l.T("status.major_outage") }, "Major outage"},
		{"a regional variant starts from its language", map[string]string{"de-AT.yaml": "component.today: Heut\n"}, "de-AT",
			func(l *Locale) string {
				return l.T("component.today") + " " + l.T("component.no_data") + " " + l.Date(when, Long)
			}, "Heut Keine Daten 9. März 2026"},
		{"a regional variant starts from the site's fixes", map[string]string{"de.yaml": "status.major_outage: Großstörung\n", "de-AT.yaml": "component.today: Heut\n"}, "de-AT",
			func(l *Locale) string { return l.T("status.major_outage") + " " + l.T("component.today") }, "Großstörung Heut"},
		{"a new language, complete", map[string]string{"sw.yaml": strings.Replace(string(en), "status.operational: Operational", "status.operational: Inafanya kazi", 1)}, "sw",
			func(l *Locale) string {
				return strings.Join([]string{l.T("status.operational"), l.Date(when, Medium), l.Weekday(when), l.MonthYear(when), l.Dir()}, "|")
			}, "Inafanya kazi|2026-03-09|1|3 2026|ltr"},
		{"a new language written right to left", map[string]string{"fa.yaml": string(en)}, "fa",
			func(l *Locale) string { return l.Dir() }, "rtl"},
		{"a language in a right-to-left script", map[string]string{"pa-Arab.yaml": string(en)}, "pa-Arab",
			func(l *Locale) string { return l.Dir() }, "rtl"},
		{"the same language in another script", map[string]string{"pa.yaml": string(en)}, "pa",
			func(l *Locale) string { return l.Dir() }, "ltr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(site(t, tt.files))
			if err != nil {
				t.Fatal(err)
			}
			l := c.For(tt.tag)
			if l == nil {
				t.Fatalf("got no locale %s", tt.tag)
			}
			if got := tt.got(l); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLoadOverrideErrors: a bad site catalog is an error at its
// file:line:col, and every bad file of the folder is reported in one run.
func TestLoadOverrideErrors(t *testing.T) {
	en, err := catalogs.ReadFile("catalog/en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"a key that does not exist", map[string]string{"de.yaml": "status.major_outage: Großstörung\nstatus.major_outag: x\n"},
			[]string{`i18n/de.yaml:2:1: unknown key "status.major_outag" (did you mean "status.major_outage"?)`}},
		{"a plural form japanese lacks", map[string]string{"ja.yaml": "component.days_ago:\n  one: '{count}日前'\n  other: '{count}日前'\n"},
			[]string{`i18n/ja.yaml:2:3: component.days_ago: "one" is not a plural form of this language (CLDR gives this language the forms other)`}},
		{"a plural form arabic needs", map[string]string{"ar.yaml": "component.days_ago:\n  one: 'منذ يوم'\n  other: 'منذ {count} يوم'\n"},
			[]string{`i18n/ar.yaml:2:3: component.days_ago lacks the plural form zero, two, few, many`}},
		{"a value herald does not fill in", map[string]string{"fr.yaml": "page.updated: 'Mis à jour {date}'\n"},
			[]string{`i18n/fr.yaml:1:15: page.updated: herald fills in no {date} (use {time})`}},
		{"broken YAML", map[string]string{"es.yaml": "status.operational: [Operativo\n"},
			[]string{`i18n/es.yaml:`, `invalid YAML`}},
		{"a file not named after a locale", map[string]string{"deutsch_1.yaml": "status.operational: x\n"},
			[]string{`i18n/deutsch_1.yaml:1:1: i18n/deutsch_1.yaml is not named after a locale (name it after a BCP 47 tag, such as de.yaml or pt-BR.yaml)`}},
		{"a locale written in another case", map[string]string{"pt-br.yaml": "status.operational: x\n"},
			[]string{`i18n/pt-br.yaml:1:1: write the locale of i18n/pt-br.yaml as pt-BR (rename it to pt-BR.yaml)`}},
		{"a new language lacking words", map[string]string{"sw.yaml": "status.operational: Inafanya kazi\n"},
			[]string{fmt.Sprintf("i18n/sw.yaml:1:1: missing %d of herald's %d keys, such as %s (", len(For("en").msgs)-1, len(For("en").msgs), strings.Join(slices.Sorted(maps.Keys(For("en").msgs))[:5], ", ")),
				"(start from a copy of herald's i18n/catalog/en.yaml and translate each text (docs/i18n.md))"}},
		{"a new language lacking a few words", map[string]string{"sw.yaml": strings.Replace(string(en), "badge.status: status\n", "", 1)},
			[]string{`i18n/sw.yaml:1:1: missing key "badge.status" (add it; in English it reads "status")`}},
		{"every bad file in one run", map[string]string{
			"de.yaml": "status.majr: x\n",
			"ja.yaml": "component.days_ago:\n  one: a\n  other: b\n",
			"fr.yaml": "page.updated: ''\n",
		}, []string{"i18n/de.yaml:1:1:", "i18n/fr.yaml:1:15: page.updated is empty", "i18n/ja.yaml:2:3:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(site(t, tt.files))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("got:\n%v\nwant it to hold %s", err, w)
				}
			}
		})
	}
}

func TestTags(t *testing.T) {
	dir := site(t, map[string]string{"de.yaml": "", "sw.yaml": "", "de-AT.yaml": "", "notes.txt": ""})
	want := append(Supported(), "de-AT", "sw")
	if got := Tags(dir); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestLoadOddFiles: what is not a plain file of reasonable size is
// reported, not read: a FIFO would block the build for ever.
func TestLoadOddFiles(t *testing.T) {
	tests := []struct {
		name string
		make func(tb testing.TB, p string)
		want string
	}{
		{"a folder", func(tb testing.TB, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				tb.Fatal(err)
			}
		}, "i18n/de.yaml:1:1: not a regular file (a catalog must be a plain file, or a symlink to one)"},
		{"a FIFO", func(tb testing.TB, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				tb.Skipf("no FIFO here: %v", err)
			}
		}, "i18n/de.yaml:1:1: not a regular file"},
		{"a dangling symlink", func(tb testing.TB, p string) {
			if err := os.Symlink("nowhere.yaml", p); err != nil {
				tb.Fatal(err)
			}
		}, "i18n/de.yaml:1:1: cannot read:"},
		{"too large", func(tb testing.TB, p string) {
			big := strings.Repeat("# padding\n", MaxFileSize/10+1)
			if err := os.WriteFile(p, []byte(big), 0o644); err != nil {
				tb.Fatal(err)
			}
		}, "i18n/de.yaml:1:1: file is over the 1048576 byte limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := site(t, map[string]string{"ja.yaml": "status.majr: x\n"})
			tt.make(t, filepath.Join(dir, Dir, "de.yaml"))
			done := make(chan error, 1)
			go func() {
				_, err := Load(dir)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Load still running after 10 s")
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "i18n/ja.yaml:1:1:") {
				t.Errorf("got %v, want %s and the error of ja.yaml", err, tt.want)
			}
		})
	}
}

// TestSum checks that a locale's Sum changes with its words and its
// language, and only with them: incremental builds rely on it.
func TestSum(t *testing.T) {
	load := func(files map[string]string, tag string) string {
		t.Helper()
		c, err := Load(site(t, files))
		if err != nil {
			t.Fatal(err)
		}
		return c.For(tag).Sum()
	}
	fixed := map[string]string{"de.yaml": "status.major_outage: Großstörung\n"}
	plural := map[string]string{"de.yaml": "component.days_ago:\n  one: 'gestern'\n  other: 'vor {count} Tagen'\n"}
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"the same files", load(fixed, "de"), load(fixed, "de"), true},
		{"no file and herald's own", load(nil, "de"), For("de").Sum(), true},
		{"a fixed word", load(nil, "de"), load(fixed, "de"), false},
		{"a fixed plural form", load(nil, "de"), load(plural, "de"), false},
		{"another language", For("en").Sum(), For("de").Sum(), false},
		{"another language, same words", load(map[string]string{"de-AT.yaml": "component.today: Heute\n"}, "de-AT"), For("de").Sum(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a == tt.b; got != tt.same {
				t.Errorf("got equal sums %v, want %v", got, tt.same)
			}
		})
	}
}
