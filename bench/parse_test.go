package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-status/herald/bench/sitegen"
	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
)

// BenchmarkParse parses the incident files of the benchmark's generated
// small site, so that the parse is measured apart from the walk and the
// reads. Each op is one file. It lives here because generator/incident
// may not import the site generator (deps_test.go).
func BenchmarkParse(b *testing.B) {
	dir := b.TempDir()
	ins, err := sitegen.Generate(dir, sitegen.Small, 1)
	if err != nil {
		b.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, "herald.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Parse(dir, src)
	if err != nil {
		b.Fatal(err)
	}
	p := incident.NewParser(cfg)
	type file struct {
		name, slug string
		src        []byte
	}
	files := make([]file, len(ins))
	for i, in := range ins {
		name := filepath.Join("incidents", in.Dir, in.Slug+".md")
		files[i] = file{name, in.Slug, []byte("---\n" + in.FrontMatter + "---\n" + in.Body)}
		if _, err := p.Parse(name, strings.TrimSuffix(filepath.Base(name), ".md"), files[i].src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f := files[i%len(files)]
		if _, err := p.Parse(f.name, f.slug, f.src); err != nil {
			b.Fatal(err)
		}
	}
}
