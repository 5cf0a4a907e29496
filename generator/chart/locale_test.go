package chart

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/i18n"
)

// TestChartsSpeakTheLocale: every word, date and figure of the bars, the
// calendar and the response-time charts is written in the site's
// language, and none of their English is left.
func TestChartsSpeakTheLocale(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
	november := uptime.DaysFrom(uptime.Input{Loc: la, Now: month.AddDate(0, 0, 30)}, month, 30)
	draw := map[string]func(l *i18n.Locale) string{
		"bars":     func(l *i18n.Locale) string { return string(Bars(l, sampleDays(t), link, nil, Name("API"))) },
		"calendar": func(l *i18n.Locale) string { return string(Calendar(l, november, nil, nil, Name("API"))) },
		"latency daily": func(l *i18n.Locale) string {
			return string(Latency(l, DailyLatency(sampleHours(), time.UTC, now, 30), Name("API")))
		},
		"latency hourly": func(l *i18n.Locale) string { return string(Latency(l, HourlyLatency(sampleHours(), time.UTC, now))) },
		"latency empty":  func(l *i18n.Locale) string { return string(Latency(l, DailyLatency(nil, time.UTC, now, 90))) },
	}
	tests := []struct {
		name, tag, chart string
		want             []string
	}{
		{"bars in de", "de", "bars", []string{
			`aria-label="API, tägliche Verfügbarkeit, 15.11.2026 bis 28.11.2026"`,
			"<title>15.11.2026: keine Daten</title>",
			"<title>19.11.2026: 97,91\u00a0% verfügbar, 30 Min. ausgefallen</title>",
			"<title>24.11.2026: 100\u00a0% verfügbar, 2 Std. Wartung. Vorfälle: Database upgrade</title>",
			"<title>28.11.2026 (heute bis jetzt): 100\u00a0% verfügbar</title>",
		}},
		{"bars in ar", "ar", "bars", []string{
			`aria-label="API، نسبة التشغيل اليومية، من 15` + "\u200f/11\u200f/2026" + ` إلى 28` + "\u200f/11\u200f/2026" + `"`,
			"<title>19\u200f/11\u200f/2026: نسبة التشغيل 97.91\u200e%\u200e، توقف لمدة 30 د</title>",
			"<title>28\u200f/11\u200f/2026 (اليوم حتى الآن): نسبة التشغيل 100\u200e%\u200e</title>",
		}},
		{"calendar in de", "de", "calendar", []string{
			`aria-label="API, Kalender der täglichen Verfügbarkeit, November 2026"`,
			"<title>01.11.2026: keine Daten</title>",
		}},
		{"calendar in ar", "ar", "calendar", []string{
			`aria-label="API، تقويم نسبة التشغيل اليومية، نوفمبر 2026"`,
		}},
		{"daily latency in de", "de", "latency daily", []string{
			"<title>API, Antwortzeit, letzte 30 Tage</title>",
			"<desc>p50 82 ms, p95 197 ms über 30 Tage. Höchster p95-Wert: 324 ms, 02.11.2026.</desc>",
			`text-anchor="end">28. Nov.</text>`,
			`text-anchor="middle">3. Nov.</text>`,
			"<figcaption>p50 82 ms, p95 197 ms über 30 Tage</figcaption>",
		}},
		{"daily latency in ar", "ar", "latency daily", []string{
			"<title>API، زمن الاستجابة، آخر 30 يومًا</title>",
			`text-anchor="end">28 نوفمبر</text>`,
			"<figcaption>p50 82 ms، p95 197 ms خلال 30 يومًا</figcaption>",
		}},
		{"hourly latency in de", "de", "latency hourly", []string{
			"<title>Antwortzeit, letzte 24 Stunden</title>",
			"Höchster p95-Wert:",
			"ms, die Stunde ab ",
			`text-anchor="end">15:00</text>`,
		}},
		{"empty latency in de", "de", "latency empty", []string{
			"<title>Antwortzeit, letzte 90 Tage</title>",
			`text-anchor="middle">Keine Antwortzeitdaten</text>`,
			"<desc>Keine Antwortzeitdaten über 90 Tage.</desc>",
		}},
		{"empty latency in ar", "ar", "latency empty", []string{
			"<title>زمن الاستجابة، آخر 90 يومًا</title>",
			"<figcaption>لا توجد بيانات لزمن الاستجابة خلال 90 يومًا</figcaption>",
		}},
	}
	// English the charts write, which must not be left in another language.
	english := regexp.MustCompile(`uptime|today|Response time|No response|Highest|Incidents|no data|over \d| to |, 2026|Nov \d| min\b| h\b`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := draw[tt.chart](i18n.For(tt.tag))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got\n%s\nwant it to contain %q", got, w)
				}
			}
			// Incident titles are the site's own words, not herald's, and
			// attribute names are not words.
			text := strings.NewReplacer("data-uptime-bars", "", "Slow search", "", "API down", "", "Database upgrade", "",
				"Errors &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more", "").Replace(got)
			if m := english.FindString(text); m != "" {
				t.Errorf("got English %q in\n%s", m, got)
			}
		})
	}
}

// TestRightToLeft: in a right-to-left language time runs from right to
// left, towards today at the left end, and Monday heads a calendar's
// week on the right; the response-time chart is the English one mirrored,
// coordinate by coordinate, with its text anchors mirrored by
// direction="rtl" rather than its glyphs.
func TestRightToLeft(t *testing.T) {
	ar := i18n.For("ar")
	xs := func(svg, tag string) []float64 {
		var out []float64
		for _, m := range regexp.MustCompile(`<`+tag+` x="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
			f, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
		}
		return out
	}
	t.Run("bars", func(t *testing.T) {
		days := sampleDays(t)
		got := xs(string(Bars(ar, days, nil, nil)), "rect")
		if len(got) != len(days) {
			t.Fatalf("got %d bars, want %d", len(got), len(days))
		}
		// Written oldest first, for the reading order of focus.
		for i, x := range got {
			if want := float64((len(days) - 1 - i) * barSlot); x != want {
				t.Errorf("day %d: got x %v, want %v", i, x, want)
			}
		}
	})
	t.Run("calendar", func(t *testing.T) {
		la, err := time.LoadLocation("America/Los_Angeles")
		if err != nil {
			t.Fatal(err)
		}
		// 1 November 2026 is a Sunday, 2 November a Monday.
		month := time.Date(2026, 11, 1, 0, 0, 0, 0, la)
		days := uptime.DaysFrom(uptime.Input{Loc: la, Now: month.AddDate(0, 0, 30)}, month, 30)
		got := xs(string(Calendar(ar, days, nil, nil)), "rect")
		if len(got) != 30 {
			t.Fatalf("got %d cells, want 30", len(got))
		}
		if got[0] != 0 || got[1] != 6*calSlot {
			t.Errorf("got Sunday 1 at x %v and Monday 2 at x %v, want 0 and %v", got[0], got[1], 6*calSlot)
		}
	})
	for _, tt := range []struct {
		name string
		s    Series
	}{
		{"daily latency", DailyLatency(sampleHours(), time.UTC, now, 30)},
		{"hourly latency", HourlyLatency(sampleHours(), time.UTC, now)},
		{"empty latency", DailyLatency(nil, time.UTC, now, 90)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ltr, rtl := string(Latency(en, tt.s)), string(Latency(ar, tt.s))
			if !strings.Contains(rtl, `width="100%" direction="rtl">`) {
				t.Errorf("got %.120s, want the svg's direction rtl", rtl)
			}
			if strings.Contains(ltr, "direction") {
				t.Errorf("got a direction in English: %.120s", ltr)
			}
			// The time ticks, whose words differ in length, are checked
			// below; the rest is English mirrored. The anchors stay the
			// same: direction mirrors them.
			ticks := regexp.MustCompile(`<text x="([0-9.]+)" y="165" text-anchor="(\w+)">([^<]*)</text>`)
			ltrRest, rtlRest := ticks.ReplaceAllString(ltr, ""), ticks.ReplaceAllString(rtl, "")
			anchors := regexp.MustCompile(`text-anchor="\w+"`)
			if a, b := anchors.FindAllString(ltrRest, -1), anchors.FindAllString(rtlRest, -1); strings.Join(a, " ") != strings.Join(b, " ") {
				t.Errorf("got anchors %v, want those of English %v", b, a)
			}
			l, r := xs(ltrRest, "text"), xs(rtlRest, "text")
			if len(l) != len(r) || len(l) == 0 {
				t.Fatalf("got %d texts, want %d", len(r), len(l))
			}
			for i := range l {
				// Each is rounded to a tenth, the mirror before or after.
				if want := latW - l[i]; math.Abs(r[i]-want) > 0.11 {
					t.Errorf("text %d: got x %v, want %v (English %v mirrored)", i, r[i], want, l[i])
				}
			}
			// Today, the newest tick, sits at the left edge, and older ones
			// to its right, none running into the one before it.
			got := ticks.FindAllStringSubmatch(rtl, -1)
			if len(got) < 2 || got[0][1] != num(latRight) || got[0][2] != "end" {
				t.Fatalf("got time ticks %q, want the first at x %v, anchored at its end", got, num(latRight))
			}
			end := latRight + textWidth(got[0][3]) // where the last one ends, from the left
			for _, tick := range got[1:] {
				x, _ := strconv.ParseFloat(tick[1], 64)
				if w := textWidth(tick[3]); tick[2] != "middle" || x-w/2 < end {
					t.Errorf("got tick %q at x %v (%v wide), want it centred right of %v", tick[3], x, w, end)
				}
				end = x + textWidth(tick[3])/2
			}
			if !tt.s.OK {
				return
			}
			line := regexp.MustCompile(`<path class="l-p50" d="M([0-9.]+) [0-9.]+L([0-9.]+)`).FindStringSubmatch(rtl)
			if line == nil {
				t.Fatalf("got no p50 line in\n%s", rtl)
			}
			if first, second := xs(`<p x="`+line[1]+`"`, "p"), xs(`<p x="`+line[2]+`"`, "p"); first[0] <= second[0] {
				t.Errorf("got the p50 line from x %v to %v, want it to run from right to left", first[0], second[0])
			}
		})
	}
}
