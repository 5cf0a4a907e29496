// Package i18n holds every word herald writes, in each language it ships,
// and writes dates, numbers, percentages and plurals by CLDR's rules for
// the site's locale.
//
// A Locale is what a template or a generator asks: T for a message, N for
// one that depends on a count, Date, Time, Number, Percent and Duration
// for values. Nothing in it depends on the machine's locale or time zone:
// a time is shown in the zone it carries. The catalogs are embedded from
// catalog/; a site may fix a word, or add a language, with
// i18n/<locale>.yaml in its folder (Load). docs/i18n.md says how, and why
// these libraries.
package i18n

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/ar"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/es"
	"github.com/go-playground/locales/fr"
	"github.com/go-playground/locales/ja"
	"github.com/go-playground/locales/pt_BR"
	"github.com/go-playground/locales/zh_Hans"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Default is the locale of a site that sets none.
const Default = "en"

// shipped are the languages herald has a catalog for, in the order docs
// list them, each with its CLDR calendar data. Only these are linked in:
// go-playground/locales has a package for every CLDR locale, hundreds of
// them, and a site may use no other calendar anyway.
var shipped = []struct {
	tag      string
	calendar func() locales.Translator
}{
	{"en", en.New},
	{"de", de.New},
	{"fr", fr.New},
	{"es", es.New},
	{"pt-BR", pt_BR.New},
	{"ja", ja.New},
	{"zh-Hans", zh_Hans.New},
	{"ar", ar.New},
}

// Supported lists the locales herald ships a catalog for.
func Supported() []string {
	tags := make([]string, len(shipped))
	for i, s := range shipped {
		tags[i] = s.tag
	}
	return tags
}

// Canonical returns s written as herald writes the locale it names
// ("pt-br" is "pt-BR"), and whether it is one of tags exactly: a region
// or script that the locale does not have ("de-DE") is not.
func Canonical(s string, tags []string) (string, bool) {
	t, err := language.Parse(s)
	if err != nil {
		return "", false
	}
	i := slices.Index(tags, t.String())
	if i < 0 {
		return "", false
	}
	return tags[i], true
}

// Closest returns the tag of tags in the language of s that its readers
// would rather read ("de-AT" → "de", "zh" → "zh-Hans", "pt" → "pt-BR"),
// or "" when none is in that language: a site in Swahili should not be
// told to use English.
func Closest(s string, tags []string) string {
	t, err := language.Parse(s)
	if err != nil || len(tags) == 0 {
		return ""
	}
	ts := make([]language.Tag, len(tags))
	for i, tag := range tags {
		ts[i] = language.Make(tag)
	}
	// The matcher falls back to the first tag, with confidence, for a
	// language it has nothing for; only the same language is close.
	_, i, conf := language.NewMatcher(ts).Match(t)
	want, _ := t.Base()
	if got, _ := ts[i].Base(); conf == language.No || got != want {
		return ""
	}
	return tags[i]
}

// DateStyle is how much of a date Date writes, as CLDR's date formats.
type DateStyle int

const (
	Medium DateStyle = iota // "Mar 9, 2026", "09.03.2026": what pages show
	Long                    // "March 9, 2026", "9. März 2026"
	Short                   // "3/9/26", "09.03.26"
)

// Locale is one language's words and formats.
type Locale struct {
	tag      string
	msgs     map[string]msg
	calendar locales.Translator // nil for a language a site added
	printer  *message.Printer
	plural   language.Tag
	sum      string // see Sum
	dir      string // see Dir

	// written holds what Number, Percent and the dates wrote, by numKey
	// or dateKey: a page writes the same few hundred figures and dates
	// thousands of times (each day's uptime and label), and x/text and
	// the CLDR calendar take microseconds and allocate for each.
	written sync.Map
	cached  atomic.Int32 // entries in written, at most maxCached
}

// msg is one message: text, or for a plural one text per form.
type msg struct {
	text   string
	plural map[plural.Form]string
}

// form is the text of form f, or of "other" when the language has no f
// (a site-added language starting from another's words), or the text of
// a message that is not plural.
func (m msg) form(f plural.Form) string {
	if t, ok := m.plural[f]; ok {
		return t
	}
	if t, ok := m.plural[plural.Other]; ok {
		return t
	}
	return m.text
}

func newLocale(tag string, msgs map[string]msg) *Locale {
	l := &Locale{tag: tag, msgs: msgs, plural: language.Make(tag)}
	numbers := l.plural
	for _, s := range shipped {
		if s.tag == tag {
			l.calendar = s.calendar()
		}
	}
	if tag == "ar" {
		// Digits as the dates have them: go-playground's Arabic calendar
		// writes Latin digits, and one page in two digit systems reads
		// as a mistake (docs/i18n.md).
		numbers = language.MustParse("ar-u-nu-latn")
	}
	l.printer = message.NewPrinter(numbers)
	l.sum = sum(tag, msgs)
	l.dir = dir(tag)
	return l
}

// sum hashes a locale's tag and every text of its catalog, so that what
// was written with one set of words is known to need writing again when
// a site's i18n/<tag>.yaml changes a word.
func sum(tag string, msgs map[string]msg) string {
	h := sha256.New()
	write := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write(tag)
	for _, key := range slices.Sorted(maps.Keys(msgs)) {
		m := msgs[key]
		write(key)
		write(m.text)
		for _, f := range slices.Sorted(maps.Keys(m.plural)) {
			write(strconv.Itoa(int(f)))
			write(m.plural[f])
		}
	}
	return string(h.Sum(nil))
}

// Sum is a hash of the locale's tag and words, computed once when its
// catalogs are read: the same for two loads of the same files, and
// another as soon as one word or the language differs. Incremental
// builds put it in the Key of everything written in words.
func (l *Locale) Sum() string { return l.sum }

// Tag is the locale's BCP 47 tag, for lang="…".
func (l *Locale) Tag() string { return l.tag }

// Dir is the direction its script is written in, for dir="…". The
// script is the tag's, or the one CLDR says the language is most likely
// written in: Arabic for "fa", Hebrew for "yi".
func (l *Locale) Dir() string { return l.dir }

// dir is Dir of tag, worked out once: charts ask it for each drawing.
func dir(tag string) string {
	if s, _ := language.Make(tag).Script(); slices.Contains(rtlScripts, s.String()) {
		return "rtl"
	}
	return "ltr"
}

// rtlScripts are the ISO 15924 codes of the scripts in use today that
// are written right to left (Unicode's Bidi_Class R and AL).
var rtlScripts = []string{"Adlm", "Arab", "Hebr", "Mand", "Nkoo", "Rohg", "Samr", "Syrc", "Thaa"}

// T returns the message key, with each {name} replaced by the value that
// follows name in args: T("page.updated", "time", "14:05"). A key that
// does not exist comes back as itself, so that a template wired to a
// misspelt key shows it instead of nothing.
func (l *Locale) T(key string, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		return key
	}
	return fill(m.form(plural.Other), args)
}

// N is T for a message that depends on count: it takes the form CLDR's
// plural rules of the locale give count, with {count} written as a number
// of the locale.
func (l *Locale) N(key string, count int, args ...any) string {
	m, ok := l.msgs[key]
	if !ok {
		return key
	}
	n := l.Number(float64(count), 0)
	return fillWith(m.form(l.form(count)), func(name string) (string, bool) {
		if name == "count" {
			return n, true
		}
		return arg(args, name)
	})
}

func (l *Locale) form(n int) plural.Form {
	if n < 0 {
		n = -n
	}
	return plural.Cardinal.MatchPlural(l.plural, n, 0, 0, 0, 0)
}

// Append appends the message key to dst as T writes it, with each
// {name} written by value, which appends name's value to dst and reports
// whether it has one; a key that does not exist is appended as itself.
// Charts word a label for each day: written in place, a message within
// a message included, a label costs no string of its own.
func (l *Locale) Append(dst []byte, key string, value func(dst []byte, name string) ([]byte, bool)) []byte {
	m, ok := l.msgs[key]
	if !ok {
		return append(dst, key...)
	}
	scan(m.form(plural.Other), func(s string) { dst = append(dst, s...) }, func(name string) (ok bool) {
		dst, ok = value(dst, name)
		return ok
	})
	return dst
}

// fill replaces each {name} of text by its value in args, name and value
// pairs, as scan does. Without values, every {name} stays as it is, and
// text is returned as it is.
func fill(text string, args []any) string {
	if len(args) < 2 {
		return text
	}
	return fillWith(text, func(name string) (string, bool) { return arg(args, name) })
}

// fillWith replaces each {name} of text by what value gives for name, as
// scan does. Text without a brace, most of a catalog, is returned as it
// is.
func fillWith(text string, value func(name string) (string, bool)) string {
	if strings.IndexByte(text, '{') < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	scan(text, func(s string) { b.WriteString(s) }, func(name string) bool {
		v, ok := value(name)
		b.WriteString(v)
		return ok
	})
	return b.String()
}

// scan writes text, through lit for its own words and value for each
// {name}, in one pass: a value that holds "{site}" (an incident's title)
// is written as it is, not filled in again. When value has nothing for
// name, the brace is written as text. Pages fill thousands of messages,
// so this scans by hand rather than building a strings.Replacer each
// time.
func scan(text string, lit func(string), value func(name string) bool) {
	i := strings.IndexByte(text, '{')
	for i >= 0 {
		lit(text[:i])
		text = text[i:]
		end := strings.IndexByte(text, '}')
		if end < 0 {
			break
		}
		if value(text[1:end]) {
			text = text[end+1:]
		} else {
			lit("{")
			text = text[1:]
		}
		i = strings.IndexByte(text, '{')
	}
	lit(text)
}

// arg is the value of name in args, name and value pairs, as text.
func arg(args []any, name string) (string, bool) {
	for i := 0; i+1 < len(args); i += 2 {
		if n, ok := args[i].(string); ok && n == name {
			if s, ok := args[i+1].(string); ok {
				return s, true
			}
			return fmt.Sprint(args[i+1]), true
		}
	}
	return "", false
}

// Number writes f with decimals digits after the separator, grouped as
// the locale groups them: "12.345,7" in de.
func (l *Locale) Number(f float64, decimals int) string {
	return l.number(numKey{f, decimals, false}, func() string { return l.printer.Sprint(number.Decimal(f, number.Scale(decimals))) })
}

// numKey is a value that Number (percent false) or Percent wrote.
type numKey struct {
	f        float64
	decimals int
	percent  bool
}

// maxCached bounds written: every uptime in hundredths of a percent,
// every whole number below 1000 and the dates of decades fit, a few MB
// at worst.
const maxCached = 1 << 15

// number is remember for a number, which NaN is not equal to itself: it
// would never be found, and fill the cache.
func (l *Locale) number(k numKey, write func() string) string {
	if math.IsNaN(k.f) {
		return write()
	}
	return remember(l, k, write)
}

// remember returns what write gives for k, from l.written when it was
// written before. K is numKey or dateKey, comparable without pointers,
// so that looking one up does not allocate.
func remember[K numKey | dateKey](l *Locale, k K, write func() string) string {
	if s, ok := l.written.Load(k); ok {
		return s.(string)
	}
	s := write()
	if l.cached.Add(1) <= maxCached {
		l.written.Store(k, s)
	}
	return s
}

// Percent writes the fraction f (0.9995) as a percentage with decimals
// digits: "99.95%", "99,95 %" in de and fr, with the space CLDR gives.
// It rounds to nearest; a caller that must never round up to 100 %, as
// uptime must not, floors first (uptime.Format).
func (l *Locale) Percent(f float64, decimals int) string {
	return l.number(numKey{f, decimals, true}, func() string { return l.printer.Sprint(number.Percent(f, number.Scale(decimals))) })
}

// Date writes t's day in t's zone, in the locale's style.
func (l *Locale) Date(t time.Time, style DateStyle) string {
	// The calendars write a date from its year, month and day alone, so
	// a day is written once however many times and zones it is asked in.
	y, m, d := t.Date()
	return remember(l, dateKey{y, m, d, style}, func() string { return l.date(t, style) })
}

// dateKey is a day that Date (style one of the DateStyles), MonthDay or
// MonthYear (the day 0) wrote.
type dateKey struct {
	year  int
	month time.Month
	day   int
	style DateStyle
}

// The styles of the dates that MonthDay and MonthYear write, in dateKey.
const (
	monthDay DateStyle = -1 - iota
	monthYear
)

func (l *Locale) date(t time.Time, style DateStyle) string {
	if l.calendar == nil {
		return t.Format(time.DateOnly)
	}
	switch style {
	case Long:
		return l.calendar.FmtDateLong(t)
	case Short:
		return l.calendar.FmtDateShort(t)
	}
	return l.calendar.FmtDateMedium(t)
}

// Time writes t's time of day in t's zone on the 24-hour clock, in every
// language: a status page is read across zones and at night, where "2:05"
// without AM or PM would mislead. It is CLDR's Hm pattern, HH:mm, of the
// shipped locales; Japanese writes H:mm there, and keeps the zero here so
// that the times of a timeline line up.
func (l *Locale) Time(t time.Time) string {
	h, m, _ := t.Clock()
	return clock()[h*60+m]
}

// clock is every time of day as Time writes it, "00:00" to "23:59",
// written once: a timeline or a feed writes thousands.
var clock = sync.OnceValue(func() *[24 * 60]string {
	var c [24 * 60]string
	for i := range c {
		c[i] = string([]byte{byte('0' + i/600), byte('0' + i/60%10), ':', byte('0' + i%60/10), byte('0' + i%10)})
	}
	return &c
})

// Weekday is the name of t's day of the week. A language a site added
// has no CLDR calendar linked in: there, dates are ISO 8601 and a weekday
// is its ISO number, 1 for Monday, rather than an English word.
func (l *Locale) Weekday(t time.Time) string {
	if l.calendar == nil {
		return strconv.Itoa((int(t.Weekday())+6)%7 + 1)
	}
	return l.calendar.WeekdayWide(t.Weekday())
}

// WeekdayShort is the abbreviated name of t's day of the week ("Mon",
// "Mo."), for a date written in full with its weekday; its ISO number in
// a language a site added, as Weekday.
func (l *Locale) WeekdayShort(t time.Time) string {
	if l.calendar == nil {
		return l.Weekday(t)
	}
	return l.calendar.WeekdayAbbreviated(t.Weekday())
}

// Month is the name of t's month, as it stands in a date, or its number
// in a language a site added.
func (l *Locale) Month(t time.Time) string {
	if l.calendar == nil {
		return strconv.Itoa(int(t.Month()))
	}
	return l.calendar.MonthWide(t.Month())
}

// MonthDay writes t's day and short month, without the year, as chart
// axes show them: "Mar 9", "9. März", "3月9日".
func (l *Locale) MonthDay(t time.Time) string {
	y, m, d := t.Date()
	return remember(l, dateKey{y, m, d, monthDay}, func() string { return l.monthDay(t) })
}

func (l *Locale) monthDay(t time.Time) string {
	return l.T("date.month_day", "month_abbr", l.MonthAbbr(t), "m", int(t.Month()), "day", t.Day())
}

// MonthAbbr is the short name of t's month, as a table of months heads
// its columns: "Mar", "März", "3月"; its number in a language a site
// added.
func (l *Locale) MonthAbbr(t time.Time) string {
	if l.calendar == nil {
		return strconv.Itoa(int(t.Month()))
	}
	return l.calendar.MonthAbbreviated(t.Month())
}

// MonthYear writes t's month and year: "March 2026", "2026年3月".
func (l *Locale) MonthYear(t time.Time) string {
	y, m, _ := t.Date()
	return remember(l, dateKey{y, m, 0, monthYear}, func() string { return l.monthYear(t) })
}

func (l *Locale) monthYear(t time.Time) string {
	return l.T("date.month_year", "month", l.Month(t), "m", int(t.Month()), "year", t.Year())
}

// Duration writes d in days, hours and minutes, rounded to the minute:
// "2 h 14 min", "1 d 2 h"; under a minute it says so.
func (l *Locale) Duration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return l.T("duration.under_a_minute")
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	// Written in place into one buffer: reports word thousands.
	var buf [64]byte
	b := buf[:0]
	for _, p := range [...]struct {
		key string
		n   int
	}{{"duration.days", days}, {"duration.hours", hours}, {"duration.minutes", mins}} {
		if p.n > 0 {
			if len(b) > 0 {
				b = append(b, l.T("duration.separator")...)
			}
			b = l.Append(b, p.key, func(dst []byte, name string) ([]byte, bool) {
				if name != "n" {
					return dst, false
				}
				return append(dst, l.Number(float64(p.n), 0)...), true
			})
		}
	}
	return string(b)
}

// List joins items as the locale writes a list: "API, Website".
func (l *Locale) List(items []string) string {
	return strings.Join(items, l.T("list.separator"))
}
