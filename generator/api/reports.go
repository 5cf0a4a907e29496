package api

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/internal/jsontext"
	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/report"
	"github.com/herald-status/herald/generator/slo"
	"github.com/herald-status/herald/generator/uptime"
)

// ReportFiles lists the data of the monthly reports (docs/api.md):
// reports/YYYY-MM.csv and reports/YYYY-MM.json for each month, the
// incidents linked on the site at baseURL.
//
// Both are written by hand, byte for byte as encoding/csv and
// encoding/json wrote them (reports_json_test.go keeps those as the
// reference): a month of a hundred components is thousands of rows, and
// reflection and a record of strings per row were most of their cost.
//
// A month's JSON comes before its CSV, one month apart in the list, so
// that the CSV, rendered once the JSON is, takes the days' figures the
// JSON measured (sharedDays) instead of measuring them again.
func ReportFiles(months []*report.Month, baseURL string) []render.File {
	out := make([]render.File, 0, 2*len(months))
	shared := make([]sharedDays, len(months))
	csvFile := func(i int) render.File {
		m, sh := months[i], &shared[i]
		return render.File{Path: render.ReportsPath + m.Name() + ".csv", Key: m.Key(), Render: func(w io.Writer) error { return writeCSV(w, m, sh) }}
	}
	for i, m := range months {
		jsonPath, sh := render.ReportsPath+m.Name()+".json", &shared[i]
		out = append(out, render.File{Path: jsonPath, Key: m.Key(), Render: func(w io.Writer) error {
			if err := writeReport(w, m, baseURL, sh); err != nil {
				return fmt.Errorf("write %s: %w", jsonPath, err)
			}
			return nil
		}})
		if i > 0 {
			out = append(out, csvFile(i-1))
		}
	}
	if len(months) > 0 {
		out = append(out, csvFile(len(months)-1))
	}
	return out
}

// csvHeader is the first row of reports/YYYY-MM.csv.
const csvHeader = "date,component,uptime_percent,coverage_percent,observed_minutes," +
	"down_minutes,partial_minutes,maintenance_minutes,no_data_minutes\n"

// writeCSV writes the month as CSV: one row per component per day, the
// components in config order, each day by day, then the whole site's
// days with an empty component. uptime_percent is empty
// where the page says "no data". Minutes are rounded to hundredths, so
// the daily rows of a component sum to its month's minutes in the JSON
// within a hundredth per row. Each component's rows are written at once,
// so the buffer holds one component's month.
func writeCSV(w io.Writer, m *report.Month, sh *sharedDays) error {
	b := []byte(csvHeader)
	dates := dayDates(m)
	measured := sh.take(len(m.Components) * len(dates))
	defer release(measured)
	var tail rowTail
	for c, f := range m.Components {
		id := csvField(f.ID)
		if measured != nil {
			for i, key := range (*measured)[c*len(dates) : (c+1)*len(dates)] {
				b = csvRow(b, &tail, dates[i], id, key)
			}
		} else {
			i := 0
			for d := range f.DaySummaries() {
				b = csvRow(b, &tail, dates[i], id, keyOf(d))
				i++
			}
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		b = b[:0]
	}
	// The site's rows come last, with no component: no id can clash.
	for i, d := range m.Site.Days {
		b = csvRow(b, &tail, dates[i], "", keyOf(d))
	}
	_, err := w.Write(b)
	return err
}

// dayDates are the dates of the month's days, "2026-11-01": every
// component's days are the month's, so each date is formatted once a
// file, not once a row, and all of them into one string, not a string
// each.
func dayDates(m *report.Month) []string {
	var ends [32]int // a month's days, without an allocation
	at := ends[:0]
	b := make([]byte, 0, len(m.Site.Days)*len(time.DateOnly))
	for _, d := range m.Site.Days {
		b = d.From.AppendFormat(b, time.DateOnly)
		at = append(at, len(b))
	}
	all, out := string(b), make([]string, len(at))
	from := 0
	for i, end := range at {
		out[i], from = all[from:end], end
	}
	return out
}

// csvRow appends the row of the day whose figures are d, on date, of the
// component whose field is id, the fields after id through tail. Its
// other fields are dates and numbers, which CSV never quotes.
func csvRow(b []byte, tail *rowTail, date, id string, d figuresKey) []byte {
	b = append(b, date...)
	b = append(b, ',')
	b = append(b, id...)
	b = append(b, ',')
	return tail.append(b, d, csvFigures)
}

// csvFigures appends the fields of a row that follow its component, the
// figures of day d, and ends the row.
func csvFigures(b []byte, d uptime.Summary) []byte {
	coverage, pct, shown := percentsOf(d)
	if shown {
		b = appendPercent(b, pct)
	}
	b = append(b, ',')
	b = appendPercent(b, coverage)
	for _, t := range [...]time.Duration{d.Known, d.Down, d.Partial, d.Excluded, d.NoData} {
		b = append(b, ',')
		b = appendMinutes(b, t, false)
	}
	return append(b, '\n')
}

// rowTail keeps the text that a report's row or day wrote of the figures
// of the last two summaries, for the next with the same: most of a
// month's days of most components are the same (a whole day of no data,
// or a whole day up), and formatting their nine numbers was most of what
// the reports' CSV and JSON cost besides measuring the days. Two, so
// that the day after an incident's, like the day before it, is not
// written afresh.
type rowTail struct {
	last, prev tailText
}

type tailText struct {
	of   figuresKey
	text []byte
	ok   bool
}

// figuresKey is all that a report's row or day writes of a summary:
// what figureOf reads, and the minutes by class.
type figuresKey struct {
	known, down, partial, excluded, noData time.Duration
	uptime, coverage                       uint64 // their bits: NaN is not equal to itself
	hasValue, sparse                       bool
}

// keyOf is the figures of d that a report's row or day writes.
func keyOf(d uptime.Summary) figuresKey {
	return figuresKey{
		known: d.Known, down: d.Down, partial: d.Partial, excluded: d.Excluded, noData: d.NoData,
		uptime: math.Float64bits(d.Uptime), coverage: math.Float64bits(d.Coverage),
		hasValue: d.HasValue, sparse: d.Sparse,
	}
}

// summary is a Summary with the figures of k, and no others: what a
// row or a day is written from, so that the text of the same figures
// is the same whether they were measured or handed over (sharedDays).
func (k figuresKey) summary() uptime.Summary {
	return uptime.Summary{
		Known: k.known, Down: k.down, Partial: k.partial, Excluded: k.excluded, NoData: k.noData,
		Uptime: math.Float64frombits(k.uptime), Coverage: math.Float64frombits(k.coverage),
		HasValue: k.hasValue, Sparse: k.sparse,
	}
}

// append appends to b what write appends of the figures key: the same
// bytes as the last time when they were the last's.
func (t *rowTail) append(b []byte, key figuresKey, write func([]byte, uptime.Summary) []byte) []byte {
	if t.last.ok && key == t.last.of {
		return append(b, t.last.text...)
	}
	t.last, t.prev = t.prev, t.last
	if t.last.ok && key == t.last.of {
		return append(b, t.last.text...)
	}
	start := len(b)
	b = write(b, key.summary())
	t.last.of, t.last.text, t.last.ok = key, append(t.last.text[:0], b[start:]...), true
	return b
}

// csvField is s as a CSV field, quoted by encoding/csv's rules, which
// only it should know; it is asked only about an id beyond the letters,
// digits, '-', '_' and '.' that no rule quotes, since its writer costs a
// buffer of 4 KiB.
func csvField(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '_' && r != '.'
	}) {
		return s
	}
	var b strings.Builder
	cw := csv.NewWriter(&b)
	_ = cw.Write([]string{s}) // a strings.Builder does not fail
	cw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// hundredthsOf is d in hundredths of a minute, rounded.
func hundredthsOf(d time.Duration) int64 {
	return int64((d + 3*time.Second/10) / (6 * time.Second / 10))
}

// appendMinutes appends d in minutes, rounded to hundredths, as
// strconv.AppendFloat writes the float64 of that many hundredths over
// 100: with two decimals ('f', 2), or, when trim, in the shortest form
// that reads back the same ('f', -1), as JSON writes it. The hundredths
// are written as integers: a float64 of a whole number of hundredths over
// 100 is the one nearest that decimal, whose digits are the shortest that
// read back to it, and formatting floats was the most of the reports'
// CSV and JSON that was not measuring.
func appendMinutes(b []byte, d time.Duration, trim bool) []byte {
	return appendHundredths(b, hundredthsOf(d), trim)
}

// appendPercent appends p, hundredths of a percent (percentsOf), as
// strconv.AppendFloat writes p/100 with two decimals, as the CSV has it.
func appendPercent(b []byte, p float64) []byte {
	if math.IsNaN(p) {
		return strconv.AppendFloat(b, p, 'f', 2, 64)
	}
	return appendHundredths(b, int64(p), false)
}

// appendHundredths appends n hundredths as strconv.AppendFloat writes
// the float64 of n/100 (see appendMinutes).
func appendHundredths(b []byte, n int64, trim bool) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	frac := n % 100
	switch {
	case trim && frac == 0:
		return b
	case trim && frac%10 == 0:
		return append(b, '.', byte('0'+frac/10))
	}
	return append(b, '.', byte('0'+frac/10), byte('0'+frac%10))
}

// writeReport writes reports/YYYY-MM.json of month m (docs/api.md), compact
// unlike the API's other files: a month of a hundred components is
// thousands of days, and indenting them doubled the file and its cost.
// Each component is written at once, so the buffer holds one component's
// month.
func writeReport(w io.Writer, m *report.Month, baseURL string, sh *sharedDays) error {
	j := &jsonBuf{measured: sh.buffer(len(m.Components) * len(m.Site.Days))}
	j.raw(`{"month":`)
	j.str(m.Name())
	j.raw(`,"timezone":`)
	j.str(m.Start.Location().String())
	j.raw(`,"from":`)
	j.time(m.Start)
	j.raw(`,"to":`)
	j.time(m.End)
	j.raw(`,"to_date":`)
	j.bool(m.ToDate)
	j.raw(`,"partial_weight":`)
	j.float(m.PartialWeight)
	j.raw(`,"site":{`)
	j.figures(m.Site.Summary, m.Site.ProbeDown, m.Site.DeclaredDown)
	dates := dayDates(m)
	j.raw(`,"days":[`)
	for i, d := range m.Site.Days {
		j.day(i, dates[i], keyOf(d))
	}
	j.raw(`]},"components":[`)
	for i, f := range m.Components {
		if i > 0 {
			j.raw(",")
		}
		j.component(f, dates)
		if err := j.flush(w); err != nil {
			return err
		}
	}
	j.raw(`],"incidents":`)
	j.incidents(m.Incidents, baseURL)
	j.raw(`,"maintenance":`)
	j.incidents(m.Maintenance, baseURL)
	j.raw("}\n")
	if err := j.flush(w); err != nil {
		release(j.measured)
		return err
	}
	sh.give(j.measured)
	return nil
}

// jsonBuf appends JSON as encoding/json writes it; err keeps the first
// value it cannot write.
type jsonBuf struct {
	b    []byte
	err  error
	tail rowTail // the days'
	// measured keeps the figures of every component's days as they are
	// written, for the month's CSV (sharedDays); nil when it is not to.
	measured *[]figuresKey
}

// flush writes what is buffered to w.
func (j *jsonBuf) flush(w io.Writer) error {
	if j.err != nil {
		return j.err
	}
	_, err := w.Write(j.b)
	j.b = j.b[:0]
	return err
}

func (j *jsonBuf) raw(s string) { j.b = append(j.b, s...) }

// str appends s quoted, as encoding/json quotes it.
func (j *jsonBuf) str(s string) { j.b = jsontext.AppendString(j.b, s) }

// time appends t in UTC as RFC 3339, the API's form of an instant.
func (j *jsonBuf) time(t time.Time) {
	j.b = append(j.b, '"')
	j.b = t.UTC().AppendFormat(j.b, time.RFC3339)
	j.b = append(j.b, '"')
}

func (j *jsonBuf) bool(v bool) { j.b = strconv.AppendBool(j.b, v) }

func (j *jsonBuf) int(n int64) { j.b = strconv.AppendInt(j.b, n, 10) }

// float appends f as encoding/json does: the shortest form that reads
// back the same, in exponent form below 1e-6 and from 1e21, and no value
// at all for NaN or an infinity, which JSON cannot write.
func (j *jsonBuf) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if j.err == nil {
			j.err = &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
		}
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	j.b = strconv.AppendFloat(j.b, f, format, -1, 64)
	if n := len(j.b); format == 'e' && n >= 4 && j.b[n-4] == 'e' && j.b[n-3] == '-' && j.b[n-2] == '0' {
		// e-07, as strconv writes it, is e-7 in JSON.
		j.b[n-2] = j.b[n-1]
		j.b = j.b[:n-1]
	}
}

func (j *jsonBuf) intOrNull(n *int64) {
	if n == nil {
		j.raw("null")
		return
	}
	j.int(*n)
}

// figure appends the members of NewFigure(s).
func (j *jsonBuf) figure(s uptime.Summary) {
	coverage, pct, shown := percentsOf(s)
	j.raw(`"uptime":`)
	if shown {
		j.percent(pct)
	} else {
		j.raw("null")
	}
	j.raw(`,"coverage":`)
	j.percent(coverage)
	j.raw(`,"observed_seconds":`)
	j.int(int64(s.Known / time.Second))
}

// percent appends p, hundredths of a percent (percentsOf), as j.float
// writes p/100: a NaN fails the file.
func (j *jsonBuf) percent(p float64) {
	if math.IsNaN(p) {
		j.float(p)
		return
	}
	j.b = appendHundredths(j.b, int64(p), true)
}

// minutesOf appends d in minutes, rounded to hundredths, as j.float
// would write them.
func (j *jsonBuf) minutesOf(d time.Duration) { j.b = appendMinutes(j.b, d, true) }

// minutes appends the minutes of s by class, after a figure.
func (j *jsonBuf) minutes(s uptime.Summary) {
	j.raw(`,"observed_minutes":`)
	j.minutesOf(s.Known)
	j.raw(`,"down_minutes":`)
	j.minutesOf(s.Down)
	j.raw(`,"partial_minutes":`)
	j.minutesOf(s.Partial)
	j.raw(`,"maintenance_minutes":`)
	j.minutesOf(s.Excluded)
	j.raw(`,"no_data_minutes":`)
	j.minutesOf(s.NoData)
}

// figures appends the month's members of a component or the site: its
// figure, minutes and downtime by source.
func (j *jsonBuf) figures(s uptime.Summary, probeDown, declaredDown time.Duration) {
	j.figure(s)
	j.minutes(s)
	j.raw(`,"probe_down_minutes":`)
	j.minutesOf(probeDown)
	j.raw(`,"declared_down_minutes":`)
	j.minutesOf(declaredDown)
}

// day appends the i-th day of a list, whose figures are s, on date.
func (j *jsonBuf) day(i int, date string, s figuresKey) {
	if i > 0 {
		j.raw(",")
	}
	j.raw(`{"date":"`)
	j.raw(date)
	j.raw(`",`)
	j.b = j.tail.append(j.b, s, j.dayFigures)
}

// dayFigures appends to b the members of day s that follow its date,
// and ends it.
func (j *jsonBuf) dayFigures(b []byte, s uptime.Summary) []byte {
	j.b = b
	j.figure(s)
	j.minutes(s)
	j.raw("}")
	return j.b
}

// component appends the month of component f, its days (on dates,
// dayDates) and SLO verdict.
func (j *jsonBuf) component(f *report.Figures, dates []string) {
	j.raw(`{"id":`)
	j.str(f.ID)
	j.raw(`,"name":`)
	j.str(f.Name)
	j.raw(`,"probed":`)
	j.bool(f.Probed)
	j.raw(",")
	j.figures(f.Summary, f.ProbeDown, f.DeclaredDown)
	j.raw(`,"slo":`)
	if f.SLO == nil {
		j.raw("null")
	} else {
		j.slo(*f.SLO)
	}
	j.raw(`,"days":[`)
	i := 0
	for d := range f.DaySummaries() {
		key := keyOf(d)
		j.day(i, dates[i], key)
		if j.measured != nil {
			*j.measured = append(*j.measured, key)
		}
		i++
	}
	j.raw("]}")
}

// slo appends the month's verdict on an objective: the API's SLO over the
// calendar month, and margin_points, the uptime less the target in
// percentage points (negative when missed; null when not measurable).
func (j *jsonBuf) slo(b slo.Budget) {
	s := NewSLO(b)
	j.raw(`{"target":`)
	j.float(s.Target)
	j.raw(`,"window":`)
	j.str(s.Window)
	j.raw(`,"from":`)
	j.str(s.From)
	j.raw(`,"to":`)
	j.str(s.To)
	j.raw(`,"window_elapsed":`)
	j.float(s.WindowElapsed)
	j.raw(`,"state":`)
	j.str(s.State)
	j.raw(",")
	j.figure(b.Summary) // s.Figure
	j.raw(`,"allowed_seconds":`)
	j.intOrNull(s.AllowedSeconds)
	j.raw(`,"used_seconds":`)
	j.intOrNull(s.UsedSeconds)
	j.raw(`,"left_seconds":`)
	j.intOrNull(s.LeftSeconds)
	j.raw(`,"margin_points":`)
	if b.State == slo.NotMeasurable {
		j.raw("null")
	} else {
		j.float(math.Round(b.Margin()*1e4) / 1e4)
	}
	j.raw("}")
}

// incidents appends a list of incidents, linked on the site at baseURL.
func (j *jsonBuf) incidents(ins []*incident.Incident, baseURL string) {
	j.raw("[")
	for i, in := range ins {
		if i > 0 {
			j.raw(",")
		}
		j.raw(`{"id":`)
		j.str(in.Slug)
		j.raw(`,"title":`)
		j.str(in.Title)
		j.raw(`,"url":`)
		j.str(IncidentURL(baseURL, in.Slug))
		j.raw(`,"started":`)
		j.time(in.Start())
		j.raw(`,"ended":`)
		if end := in.End(); end.IsZero() {
			j.raw("null")
		} else {
			j.time(end)
		}
		j.raw(`,"components":[`)
		for k, a := range in.Affected {
			if k > 0 {
				j.raw(",")
			}
			j.str(a.ID)
		}
		j.raw("]}")
	}
	j.raw("]")
}
