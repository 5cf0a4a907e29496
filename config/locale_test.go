package config

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestParseLocale(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n"
	tests := []struct {
		name, src     string
		wantLocale    string
		wantLanguages []string
	}{
		{"default", base, "en", nil},
		{"shipped", base + "locale: de\n", "de", nil},
		{"written in another case", base + "locale: pt-br\n", "pt-BR", nil},
		{"script", base + "locale: zh-Hans\n", "zh-Hans", nil},
		{"languages, the first is the locale", base + "languages: [ja, en, DE]\n", "ja", []string{"ja", "en", "de"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(t.TempDir(), []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if c.Locale != tt.wantLocale || !slices.Equal(c.Languages, tt.wantLanguages) {
				t.Errorf("got locale %q, languages %q; want %q, %q", c.Locale, c.Languages, tt.wantLocale, tt.wantLanguages)
			}
		})
	}
}

func TestParseLocaleErrors(t *testing.T) {
	base := "title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\n"
	tests := []struct{ name, src, want string }{
		{"a region herald lacks", base + "locale: de-DE\n",
			`herald.yaml:5:9: unknown locale "de-DE" (use "de", the nearest locale herald has)`},
		{"a language without its script", base + "locale: zh\n",
			`herald.yaml:5:9: unknown locale "zh" (use "zh-Hans", the nearest locale herald has)`},
		{"portuguese", base + "locale: pt\n",
			`herald.yaml:5:9: unknown locale "pt" (use "pt-BR", the nearest locale herald has)`},
		{"a language herald lacks", base + "locale: sw\n",
			`herald.yaml:5:9: unknown locale "sw" (herald has en, de, fr, es, pt-BR, ja, zh-Hans, ar; to add a language, write i18n/sw.yaml (docs/i18n.md))`},
		{"not a tag", base + "locale: English\n",
			`herald.yaml:5:9: unknown locale "English" (write a BCP 47 tag such as de or pt-BR; herald has en, de, fr, es, pt-BR, ja, zh-Hans, ar)`},
		{"empty", base + "locale: ''\n",
			`herald.yaml:5:9: unknown locale "" (write a BCP 47 tag such as de or pt-BR; herald has en, de, fr, es, pt-BR, ja, zh-Hans, ar)`},
		{"both locale and languages", base + "locale: de\nlanguages: [de, en]\n",
			`herald.yaml:5:9: locale and languages are both set (remove ` + "`locale:`" + `; the first of languages is the site's locale)`},
		{"a bad language among good ones", base + "languages: [en, fr-FR]\n",
			`herald.yaml:5:17: unknown locale "fr-FR" (use "fr", the nearest locale herald has)`},
		{"a language twice", base + "languages: [en, de, en]\n",
			`herald.yaml:5:21: en is listed twice in languages (keep the first, languages[0])`},
		{"no languages", base + "languages: []\n",
			"herald.yaml:5:12: languages is empty (list the site's languages, its locale first, e.g. `languages: [en, de]`)"},
		{"languages not a list", base + "languages: de\n",
			`herald.yaml:5:12: languages must be a list, found "de" (write one ` + "`- item`" + ` line per entry, or [a, b])`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(t.TempDir(), []byte(tt.src))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v,\nwant %s", err, tt.want)
			}
		})
	}
}

// TestParseLocaleAddedBySite: a site adds a language with a catalog of
// its own, i18n/<tag>.yaml, and may then choose it.
func TestParseLocaleAddedBySite(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "i18n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "i18n", "de-AT.yaml"), []byte("component.today: Heut\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Parse(dir, []byte("title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nlocale: de-at\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Locale != "de-AT" {
		t.Errorf("got locale %q, want de-AT", c.Locale)
	}
}

// TestParseReportsSiteCatalogs: herald.yaml and the site's catalogs are
// checked in one run, and every bad file is reported.
func TestParseReportsSiteCatalogs(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "i18n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{
		"de.yaml": "status.major_outage: Großstörung\n",
		"ja.yaml": "component.days_ago:\n  one: '{count}日前'\n  other: '{count}日前'\n",
		"fr.yaml": "status.operationel: Opérationnel\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, "i18n", name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Parse(dir, []byte("title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nlocale: de\ntimezone: Nowhere\n"))
	want := `herald.yaml:6:11: unknown timezone "Nowhere" (use an IANA name such as Europe/Berlin or America/Los_Angeles)
i18n/fr.yaml:1:1: unknown key "status.operationel" (did you mean "status.operational"?)
i18n/ja.yaml:2:3: component.days_ago: "one" is not a plural form of this language (CLDR gives this language the forms other)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v,\nwant %s", err, want)
	}
	os.Remove(filepath.Join(dir, "i18n", "fr.yaml"))
	os.Remove(filepath.Join(dir, "i18n", "ja.yaml"))
	c, err := Parse(dir, []byte("title: T\nbase_url: https://s.example/\ncomponents:\n  - {id: api, name: API}\nlocale: de\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Catalogs.For(c.Locale).T("status.major_outage"); got != "Großstörung" {
		t.Errorf("got %q, want the site's word Großstörung", got)
	}
}
