package api

import (
	"bytes"
	"testing"

	"github.com/herald-status/herald/generator/report"
)

// BenchmarkReportFiles writes the CSV and the JSON of the months of a
// varied site (three months, a dozen components, most probed): the
// rows' figures without the site's file list around them.
func BenchmarkReportFiles(b *testing.B) {
	months := report.Months(varied(1, 0.3))
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer, *report.Month) error
	}{
		{"csv", func(w *bytes.Buffer, m *report.Month) error { return writeCSV(w, m, nil) }},
		{"json", func(w *bytes.Buffer, m *report.Month) error {
			return writeReport(w, m, "https://status.example.com/", nil)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range months {
					buf.Reset()
					if err := tc.write(&buf, m); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
