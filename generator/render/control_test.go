package render

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/generator/status"
)

// TestControlCharactersReachNoPage checks that control characters pasted
// into an incident, such as a terminal's escape codes, reach neither its
// page nor its meta description, which HTML parsers would flag as errors.
func TestControlCharactersReachNoPage(t *testing.T) {
	site := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(site, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(config.FileName, "title: Example Status\nbase_url: https://status.example.com/\ntimezone: UTC\ncomponents:\n  - {id: api, name: API}\n")
	write("incidents/2026-11-20-colours.md", "---\ntitle: \"Errors \\e[31mred\\e[0m\"\ncomponents: {api: major_outage}\nstarted: 2026-11-20 09:00\n---\n"+
		"The log said \x1b[31mERROR\x1b[0m\x08 at \x01 startup.\n\n## 2026-11-20 09:30 UTC — Investigating\nStill \x1b[1mlooking\x1b[0m.\n")
	cfg, err := config.Load(site)
	if err != nil {
		t.Fatal(err)
	}
	ins, err := incident.Load(context.Background(), site, incident.NewParser(cfg))
	if err != nil {
		t.Fatal(err)
	}
	_, out := renderAll(t, newRenderer(t, "").Files(status.New(cfg, ins, fixtureNow)))
	control := regexp.MustCompile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
	for p, b := range out {
		if loc := control.FindIndex(b); loc != nil {
			t.Errorf("got control character %q in %s at byte %d, want none", b[loc[0]:loc[1]], p, loc[0])
		}
	}
	page := string(out["incidents/2026-11-20-colours/index.html"])
	want := `<meta name="description" content="The log said ` + "\ufffd" + `[31mERROR` + "\ufffd" + `[0m` + "\ufffd" + ` at ` + "\ufffd" + ` startup.">`
	if !strings.Contains(page, want) {
		t.Errorf("got no %s in the incident page, want it", want)
	}
}
