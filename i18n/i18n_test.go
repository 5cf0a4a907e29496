package i18n

import (
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// TestFormats is the golden table of what each shipped locale writes for
// the same values. Its figures are CLDR's, as the libraries carry them;
// a library upgrade that changes one shows here. The date is in a zone
// far from UTC, to show that a date is the day of the zone it carries
// and that nothing depends on the machine's zone.
func TestFormats(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	when := time.Date(2026, 3, 9, 14, 5, 0, 0, tokyo)
	tests := []struct {
		tag                                                 string
		medium, long, short, tm, weekday, monthYr, monthDay string
		number, percent, percent0, duration, under          string
		dir                                                 string
	}{
		{"en", "Mar 9, 2026", "March 9, 2026", "3/9/26", "14:05", "Monday", "March 2026", "Mar 9",
			"12,345.7", "99.95%", "100%", "2 h 14 min", "under a minute", "ltr"},
		{"de", "09.03.2026", "9. März 2026", "09.03.26", "14:05", "Montag", "März 2026", "9. März",
			"12.345,7", "99,95\u00a0%", "100\u00a0%", "2 Std. 14 Min.", "unter einer Minute", "ltr"},
		{"fr", "9 mars 2026", "9 mars 2026", "09/03/2026", "14:05", "lundi", "mars 2026", "9 mars",
			"12\u00a0345,7", "99,95\u00a0%", "100\u00a0%", "2 h 14 min", "moins d’une minute", "ltr"},
		{"es", "9 mar. 2026", "9 de marzo de 2026", "9/3/26", "14:05", "lunes", "marzo de 2026", "9 mar.",
			"12.345,7", "99,95\u00a0%", "100\u00a0%", "2 h 14 min", "menos de un minuto", "ltr"},
		{"pt-BR", "9 de mar. de 2026", "9 de março de 2026", "09/03/2026", "14:05", "segunda-feira", "março de 2026", "9 de mar.",
			"12.345,7", "99,95%", "100%", "2 h 14 min", "menos de um minuto", "ltr"},
		{"ja", "2026/03/09", "2026年3月9日", "2026/03/09", "14:05", "月曜日", "2026年3月", "3月9日",
			"12,345.7", "99.95%", "100%", "2時間14分", "1分未満", "ltr"},
		{"zh-Hans", "2026年3月9日", "2026年3月9日", "2026/3/9", "14:05", "星期一", "2026年3月", "3月9日",
			"12,345.7", "99.95%", "100%", "2 小时 14 分钟", "不到一分钟", "ltr"},
		{"ar", "09\u200f/03\u200f/2026", "9 مارس 2026", "9\u200f/3\u200f/2026", "14:05", "الاثنين", "مارس 2026", "9 مارس",
			"12,345.7", "99.95\u200e%\u200e", "100\u200e%\u200e", "2 س و14 د", "أقل من دقيقة", "rtl"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			l := For(tt.tag)
			for _, c := range []struct{ what, got, want string }{
				{"Date Medium", l.Date(when, Medium), tt.medium},
				{"Date Long", l.Date(when, Long), tt.long},
				{"Date Short", l.Date(when, Short), tt.short},
				{"Time", l.Time(when), tt.tm},
				{"Weekday", l.Weekday(when), tt.weekday},
				{"MonthYear", l.MonthYear(when), tt.monthYr},
				{"MonthDay", l.MonthDay(when), tt.monthDay},
				{"Number", l.Number(12345.678, 1), tt.number},
				{"Percent", l.Percent(0.9995, 2), tt.percent},
				{"Percent 0", l.Percent(1, 0), tt.percent0},
				{"Duration", l.Duration(2*time.Hour + 14*time.Minute + 20*time.Second), tt.duration},
				{"Duration under a minute", l.Duration(29 * time.Second), tt.under},
				{"Dir", l.Dir(), tt.dir},
				{"Tag", l.Tag(), tt.tag},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestDuration(t *testing.T) {
	en := For("en")
	tests := []struct {
		name string
		d    time.Duration
		want string
	}{
		{"rounded to the minute", 29*time.Second + time.Hour, "1 h"},
		{"up to the next minute", 90 * time.Second, "2 min"},
		{"days, hours, minutes", 26*time.Hour + 3*time.Minute, "1 d 2 h 3 min"},
		{"days and minutes", 48*time.Hour + 5*time.Minute, "2 d 5 min"},
		{"negative", -time.Hour, "under a minute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := en.Duration(tt.d); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMessages(t *testing.T) {
	tests := []struct {
		name, tag, got, want string
	}{
		{"text", "de", For("de").T("status.major_outage"), "Schwerer Ausfall"},
		{"values filled in", "fr", For("fr").T("page.feed_rss", "site", "Acme"), "Acme\u00a0: incidents (RSS)"},
		{"a value that is a number", "en", For("en").T("history.page_of", "page", 2, "pages", 7), "Page 2 of 7"},
		{"a value is not filled in again", "en", For("en").T("incident.page_title", "title", "{site} down", "site", "Acme"), "{site} down · Acme"},
		{"a value of any kind", "en", For("en").T("page.updated", "time", time.Duration(90e9)), "Updated 1m30s"},
		{"a value missing stays visible", "en", For("en").T("page.updated"), "Updated {time}"},
		{"values side by side", "en", fill("{a}{b}{a}", []any{"a", 1, "b", "x"}), "1x1"},
		{"the first of a name twice", "en", fill("{a}", []any{"a", 1, "a", 2}), "1"},
		{"a brace that names nothing", "en", fill("{ {a} {} {b", []any{"a", "{b}", "b", 2}), "{ {b} {} {b"},
		{"an odd argument is no pair", "en", fill("{a}", []any{"a"}), "{a}"},
		{"an unknown key shows itself", "en", For("en").T("no.such.key"), "no.such.key"},
		{"T of a plural message is its other form", "en", For("en").T("latency.span_days", "count", 3), "3 days"},
		{"N of a message that is not plural is its text", "en", For("en").N("component.today", 3), "Today"},
		{"english one", "en", For("en").N("component.days_ago", 1), "1 day ago"},
		{"english other", "en", For("en").N("component.days_ago", 90), "90 days ago"},
		{"english zero is other", "en", For("en").N("component.days_ago", 0), "0 days ago"},
		{"french zero is one", "fr", For("fr").N("latency.span_days", 0), "0 jour"},
		{"count grouped as the locale groups", "de", For("de").N("latency.span_days", 1000), "1.000 Tage"},
		{"japanese has one form", "ja", For("ja").N("component.days_ago", 1), "1日前"},
		{"arabic zero", "ar", For("ar").N("latency.span_days", 0), "0 يوم"},
		{"arabic one", "ar", For("ar").N("latency.span_days", 1), "يوم واحد"},
		{"arabic two", "ar", For("ar").N("latency.span_days", 2), "يومان"},
		{"arabic few", "ar", For("ar").N("latency.span_days", 7), "7 أيام"},
		{"arabic many", "ar", For("ar").N("latency.span_days", 90), "90 يومًا"},
		{"arabic other", "ar", For("ar").N("latency.span_days", 100), "100 يوم"},
		{"arabic few again past a hundred", "ar", For("ar").N("latency.span_days", 103), "103 أيام"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestCatalogsComplete: every shipped catalog has exactly the keys of
// en.yaml, with the plural forms CLDR gives its language and no value
// herald does not fill in. Each catalog is checked on its own, so that a
// failure names the file.
func TestCatalogsComplete(t *testing.T) {
	src, err := catalogs.ReadFile("catalog/en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ref, errs := parse("catalog/en.yaml", "en", src, nil, true)
	if len(errs) > 0 {
		t.Fatalf("en.yaml: %v", errs)
	}
	for _, tag := range Supported() {
		t.Run(tag, func(t *testing.T) {
			src, err := catalogs.ReadFile("catalog/" + tag + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			msgs, errs := parse("catalog/"+tag+".yaml", tag, src, ref, true)
			if len(errs) > 0 {
				t.Fatalf("got errors:\n%v", errs)
			}
			var got, want []string
			for k := range msgs {
				got = append(got, k)
			}
			for k := range ref {
				want = append(want, k)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got keys %q,\nwant %q", got, want)
			}
		})
	}
	if err := Check(); err != nil {
		t.Errorf("Check: got %v, want no error", err)
	}
}

// TestCatalogCompletenessCheck shows that the check behind
// TestCatalogsComplete fails a catalog that lacks a key, has one more,
// or has the wrong plural forms.
func TestCatalogCompletenessCheck(t *testing.T) {
	ref := map[string]msg{
		"a.text":  {text: "Hello {name}"},
		"b.count": {plural: map[plural.Form]string{plural.One: "{count} day", plural.Other: "{count} days"}},
	}
	tests := []struct {
		name, tag, src string
		want           []string
	}{
		{"complete", "de", "a.text: Hallo {name}\nb.count:\n  one: '{count} Tag'\n  other: '{count} Tage'\n", nil},
		{"a key missing", "de", "a.text: Hallo\n",
			[]string{`catalog/x.yaml:1:1: missing key "b.count" (add it; in English it reads "{count} days")`}},
		{"a key en lacks", "de", "a.text: Hallo\nb.count: {one: a, other: b}\nc.extra: Extra\n",
			[]string{`catalog/x.yaml:3:1: unknown key "c.extra" (herald writes no such word; its words are the keys of herald's i18n/catalog/en.yaml)`}},
		{"a misspelt key", "de", "a.txt: Hallo\nb.count: {one: a, other: b}\n",
			[]string{`catalog/x.yaml:1:1: unknown key "a.txt" (did you mean "a.text"?)`, `missing key "a.text"`}},
		{"a form japanese lacks", "ja", "a.text: こんにちは\nb.count:\n  one: '{count}日'\n  other: '{count}日'\n",
			[]string{`catalog/x.yaml:3:3: b.count: "one" is not a plural form of this language (CLDR gives this language the forms other)`}},
		{"forms arabic needs", "ar", "a.text: مرحبا\nb.count:\n  one: يوم\n  other: '{count} يوم'\n",
			[]string{`catalog/x.yaml:3:3: b.count lacks the plural form zero, two, few, many (CLDR gives this language the forms zero, one, two, few, many, other)`}},
		{"not a form at all", "de", "a.text: Hallo\nb.count:\n  one: a\n  several: b\n  other: c\n",
			[]string{`catalog/x.yaml:4:3: b.count: "several" is not a plural form of this language (CLDR gives this language the forms one, other)`}},
		{"text where a count is needed", "de", "a.text: Hallo\nb.count: Tage\n",
			[]string{`catalog/x.yaml:2:1: b.count depends on a count, so it needs one text per plural form (write it as a mapping of one, other)`}},
		{"forms where none are needed", "de", "a.text: {one: a, other: b}\nb.count: {one: a, other: b}\n",
			[]string{`catalog/x.yaml:1:1: a.text does not depend on a count (write it as one text)`}},
		{"a value herald does not fill in", "de", "a.text: Hallo {nom}\nb.count: {one: a, other: b}\n",
			[]string{`catalog/x.yaml:1:9: a.text: herald fills in no {nom} (use {name})`}},
		{"empty text", "de", "a.text: ''\nb.count: {one: a, other: b}\n",
			[]string{`catalog/x.yaml:1:9: a.text is empty (write its words, or leave the key out to keep herald's)`}},
		{"a list", "de", "a.text: [a]\nb.count: {one: a, other: b}\n",
			[]string{`catalog/x.yaml:1:9: a.text must be text`}},
		{"a key twice", "de", "a.text: Hallo\na.text: Hi\nb.count: {one: a, other: b}\n",
			[]string{`catalog/x.yaml:2:1: duplicate key "a.text", already set on line 1 (keep one of them)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := parse("catalog/x.yaml", tt.tag, []byte(tt.src), ref, true)
			got := errs.Error()
			if len(tt.want) == 0 && len(errs) > 0 {
				t.Fatalf("got %v, want no error", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got:\n%s\nwant it to hold %s", got, w)
				}
			}
		})
	}
}

// TestPluralForms checks PluralForms against CLDR's own categories, as
// golang.org/x/text's rules give them, and a plural message of every
// shipped catalog against the form its language gives each count: a
// message asked for count n returns the text written for that form.
func TestPluralForms(t *testing.T) {
	tests := []struct {
		tag  string
		want []string
	}{
		{"en", []string{"one", "other"}},
		{"ar", []string{"zero", "one", "two", "few", "many", "other"}},
		{"ja", []string{"other"}},
		{"zh-Hans", []string{"other"}},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			if got := PluralForms(tt.tag); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// A second reading of CLDR: go-playground/locales carries its own
	// plural rules, from a later CLDR than x/text's, for each shipped
	// locale. Both must name the same categories for whole numbers.
	for _, s := range shipped {
		t.Run("as go-playground has them "+s.tag, func(t *testing.T) {
			var want []string
			for _, r := range s.calendar().PluralsCardinal() {
				want = append(want, strings.ToLower(r.String()))
			}
			if got := PluralForms(s.tag); !slices.Equal(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
	for _, tag := range Supported() {
		t.Run("catalog "+tag, func(t *testing.T) {
			l := For(tag)
			m := l.msgs["latency.span_days"]
			if got, want := len(m.plural), len(PluralForms(tag)); got != want {
				t.Errorf("got %d forms, want %d", got, want)
			}
			for n := range 250 {
				form := plural.Cardinal.MatchPlural(language.Make(tag), n, 0, 0, 0, 0)
				want := fill(m.plural[form], []any{"count", l.Number(float64(n), 0)})
				if got := l.N("latency.span_days", n); got != want {
					t.Fatalf("N(%d): got %q, want %q (form %v)", n, got, want, form)
				}
			}
		})
	}
}

func TestCanonicalAndClosest(t *testing.T) {
	tags := Supported()
	tests := []struct {
		in, canonical, closest string
	}{
		{"en", "en", "en"},
		{"EN", "en", "en"},
		{"pt-br", "pt-BR", "pt-BR"},
		{"zh-hans", "zh-Hans", "zh-Hans"},
		{"de-AT", "", "de"},
		{"pt", "", "pt-BR"},
		{"zh", "", "zh-Hans"},
		{"ar-EG", "", "ar"},
		{"sw", "", ""},
		{"not a tag", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := Canonical(tt.in, tags)
			if got != tt.canonical || ok != (tt.canonical != "") {
				t.Errorf("Canonical: got %q, %v, want %q", got, ok, tt.canonical)
			}
			if got := Closest(tt.in, tags); got != tt.closest {
				t.Errorf("Closest: got %q, want %q", got, tt.closest)
			}
		})
	}
}
