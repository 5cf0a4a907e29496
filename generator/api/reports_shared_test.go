package api

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/render"
	"github.com/herald-status/herald/generator/report"
)

// TestReportCSVTakesJSONDays: a month's CSV, rendered after its JSON,
// writes the days' figures the JSON measured (sharedDays), and the same
// bytes as a CSV that measures them itself; rendered first, it measures
// them, and the JSON keeps nothing for it.
func TestReportCSVTakesJSONDays(t *testing.T) {
	const base = "https://status.example.com/"
	for _, m := range report.Months(varied(1, 0.3)) {
		var want, got, doc bytes.Buffer
		if err := refCSV(&want, m); err != nil {
			t.Fatal(err)
		}

		var sh sharedDays
		if err := writeReport(&doc, m, base, &sh); err != nil {
			t.Fatal(err)
		}
		handed := sh.days.Load()
		if handed == nil || len(*handed) != len(m.Components)*len(m.Site.Days) {
			t.Fatalf("%s: the JSON handed over %v, want the figures of %d components' %d days", m.Name(), handed, len(m.Components), len(m.Site.Days))
		}
		if err := writeCSV(&got, m, &sh); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s.csv after its JSON: got\n%s\nwant\n%s", m.Name(), got.String(), want.String())
		}
		if sh.days.Load() != nil {
			t.Errorf("%s: the CSV left the JSON's days held", m.Name())
		}

		// The CSV writes what it is handed: a minute more observed on
		// the first component's first day shows in its row.
		sh = sharedDays{}
		doc.Reset()
		if err := writeReport(&doc, m, base, &sh); err != nil {
			t.Fatal(err)
		}
		(*sh.days.Load())[0].known += time.Minute
		got.Reset()
		if err := writeCSV(&got, m, &sh); err != nil {
			t.Fatal(err)
		}
		if got.String() == want.String() {
			t.Errorf("%s: the CSV wrote the same rows from changed figures: it did not take the JSON's", m.Name())
		}

		sh = sharedDays{}
		got.Reset()
		if err := writeCSV(&got, m, &sh); err != nil {
			t.Fatal(err)
		}
		doc.Reset()
		if err := writeReport(&doc, m, base, &sh); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s.csv before its JSON: got\n%s\nwant\n%s", m.Name(), got.String(), want.String())
		}
		if sh.days.Load() != nil {
			t.Errorf("%s: the JSON, written after its CSV, kept its days", m.Name())
		}
	}
}

// TestReportFilesOrder: ReportFiles lists each month's JSON a month
// before its CSV, and the files, rendered on every core in that order,
// are the encoders' bytes.
func TestReportFilesOrder(t *testing.T) {
	const base = "https://status.example.com/"
	months := report.Months(varied(2, 0.3))
	if len(months) < 3 {
		t.Fatalf("got %d months, want at least 3", len(months))
	}
	files := ReportFiles(months, base)
	var paths []string
	for _, f := range files {
		paths = append(paths, strings.TrimPrefix(f.Path, render.ReportsPath))
	}
	var want []string
	for i, m := range months {
		want = append(want, m.Name()+".json")
		if i > 0 {
			want = append(want, months[i-1].Name()+".csv")
		}
	}
	want = append(want, months[len(months)-1].Name()+".csv")
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("got the files\n%s\nwant\n%s", strings.Join(paths, " "), strings.Join(want, " "))
	}

	out := make([]bytes.Buffer, len(files))
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() {
			if err := f.Render(&out[i]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i, f := range files {
		m := months[0]
		for _, mm := range months {
			if strings.HasPrefix(paths[i], mm.Name()+".") {
				m = mm
			}
		}
		var ref bytes.Buffer
		if strings.HasSuffix(f.Path, ".csv") {
			if err := refCSV(&ref, m); err != nil {
				t.Fatal(err)
			}
		} else if err := json.NewEncoder(&ref).Encode(reportDoc(m, base)); err != nil {
			t.Fatal(err)
		}
		if out[i].String() != ref.String() {
			t.Errorf("%s: got\n%s\nwant\n%s", f.Path, out[i].String(), ref.String())
		}
	}
}
