package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/herald-status/herald/bench/sitegen"
	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/render"
)

// BenchmarkReports renders the monthly reports of the medium and large
// sites, apart from the rest of the build: each month's page, its CSV
// and its JSON (render.ReportsPath), every month once an op, in the order
// a build lists them, each into a buffer reused as a build reuses its
// own (a page written into io.Discard would go through a builder of its
// own). The months themselves are computed once, outside the loop.
func BenchmarkReports(b *testing.B) {
	for _, spec := range []sitegen.Spec{sitegen.Medium, sitegen.Large} {
		s, err := generator.Load(context.Background(), site(b, spec), sitegen.Now)
		if err != nil {
			b.Fatal(err)
		}
		files, err := s.Files(context.Background(), sitegen.Now)
		if err != nil {
			b.Fatal(err)
		}
		for _, kind := range []string{"/index.html", ".csv", ".json"} {
			var reports []render.File
			for _, f := range files {
				if strings.HasPrefix(f.Path, render.ReportsPath+"2") && strings.HasSuffix(f.Path, kind) {
					reports = append(reports, f)
				}
			}
			b.Run(spec.Name+"/"+strings.TrimPrefix(kind, "/index"), func(b *testing.B) {
				var buf bytes.Buffer
				b.ReportAllocs()
				for b.Loop() {
					for _, f := range reports {
						buf.Reset()
						if err := f.Render(&buf); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}
