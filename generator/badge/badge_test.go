package badge_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/config"
	"github.com/herald-status/herald/generator/badge"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var clock = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)

// example is the example site's snapshot at clock, with probe data.
func example(tb testing.TB) *status.Snapshot {
	tb.Helper()
	cfg, ins := sitetest.Load(tb, sitetest.ExampleDir(tb))
	// Every monitored component reported a minute ago and is up; the
	// tests say which are stale through badge.Options.
	probes := map[string]*status.Probe{}
	for _, c := range cfg.Components {
		if c.HasProbe() {
			probes[c.ID] = &status.Probe{
				Interval:  5 * time.Minute,
				Intervals: []history.Interval{{Start: clock.Add(-24 * time.Hour), End: clock, State: history.Up}},
				Latest:    clock.Add(-time.Minute),
			}
		}
	}
	return status.New(cfg, ins, clock, status.Options{Probes: probes})
}

func renderAll(tb testing.TB, snap *status.Snapshot, opts badge.Options) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, f := range badge.Files(snap, opts) {
		var b bytes.Buffer
		if err := f.Render(&b); err != nil {
			tb.Fatalf("render %s: %v", f.Path, err)
		}
		out[f.Path] = b.Bytes()
	}
	return out
}

var opts = badge.Options{Uptime30: map[string]uptime.Summary{
	"website": {HasValue: true, Uptime: 0.99999, Down: time.Second, Coverage: 1},
	"search":  {HasValue: true, Uptime: 0.9725, Down: time.Hour, Coverage: 1},
	// A week of 30 days without data.
	"package-feed": {HasValue: true, Uptime: 0.99, Down: time.Hour, NoData: 7 * 24 * time.Hour, Coverage: 0.7637},
}, Stale: map[string]bool{"cdn": true}}

func TestGolden(t *testing.T) {
	files := renderAll(t, example(t), opts)
	for p, got := range files {
		golden := filepath.Join("testdata", "golden", filepath.Base(p))
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\ngot  %s\nwant %s", p, golden, got, want)
		}
	}
}

func TestContent(t *testing.T) {
	files := renderAll(t, example(t), opts)
	tests := []struct{ path, want string }{
		{"badges/status.svg", "status: minor service outage"},
		{"badges/website.svg", "Website: operational"},
		{"badges/package-feed.svg", "Package feed and API: degraded performance"},
		{"badges/cdn.svg", "Package downloads (CDN): stale"},
		{"badges/website-uptime.svg", "Website uptime: 99.99%"},
		{"badges/search-uptime.svg", "Search uptime: 97.25%"},
		{"badges/package-feed-uptime.svg", "Package feed and API uptime: 99% (76% observed)"},
		{"badges/accounts-uptime.svg", "Sign-in and API keys uptime: no data"},
	}
	for _, tt := range tests {
		svg := string(files[tt.path])
		if !strings.Contains(svg, "<title>"+strings.ReplaceAll(tt.want, "&", "&amp;")+"</title>") || !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, `aria-label="`) {
			t.Errorf("%s: want title %q, got %s", tt.path, tt.want, svg)
		}
	}
	if strings.Contains(string(files["badges/accounts-uptime.svg"]), ": 100%") || !strings.Contains(string(files["badges/accounts-uptime.svg"]), "#9f9f9f") {
		t.Error("an uptime badge without data must be grey and never claim 100%")
	}
	var ep struct {
		SchemaVersion         int
		Label, Message, Color string
	}
	if err := json.Unmarshal(files["badges/package-feed.json"], &ep); err != nil {
		t.Fatal(err)
	}
	if ep.SchemaVersion != 1 || ep.Label != "Package feed and API" || ep.Message != "degraded performance" || ep.Color != "yellow" {
		t.Errorf("got endpoint %+v", ep)
	}
}

// TestWidth checks that boxes follow the text: a longer label gives a
// wider badge, and widths match shields' for known strings.
func TestWidth(t *testing.T) {
	var b bytes.Buffer
	if err := (badge.Badge{Label: "build", Message: "passing", Color: "brightgreen"}).WriteSVG(&b); err != nil {
		t.Fatal(err)
	}
	// shields.io draws this badge 88 px wide: label 37, message 51.
	if !strings.Contains(b.String(), `width="88"`) || !strings.Contains(b.String(), `<rect width="37" height="20" fill="#555"/>`) {
		t.Errorf("got %s, want the 88px wide shields badge", b.String())
	}
}

func TestClash(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse(dir, []byte("title: T\nbase_url: https://s.example/\ncomponents: [{id: api, name: A}, {id: api-uptime, name: B}, {id: status, name: C}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range badge.Files(status.New(cfg, nil, clock), badge.Options{}) {
		if err := f.Render(&bytes.Buffer{}); err != nil {
			failed = append(failed, f.Path)
		}
	}
	if len(failed) != 4 {
		t.Errorf("got failing files %v, want the four clashing paths", failed)
	}
}

func TestPercent(t *testing.T) {
	en := i18n.For("en")
	for in, want := range map[float64]string{1: "100%", 0.99999: "99.99%", 0.999: "99.9%", 0: "0%", 0.12345: "12.34%", 1.01: "100%"} {
		down := time.Hour
		if in >= 1 {
			down = 0
		}
		if got := badge.Percent(en, in, down); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestValidSVG parses every badge as XML, and with xmllint when it is
// installed (Debian: libxml2-utils).
func TestValidSVG(t *testing.T) {
	files := renderAll(t, example(t), opts)
	dir := t.TempDir()
	var paths []string
	for p, data := range files {
		if !strings.HasSuffix(p, ".svg") {
			continue
		}
		if err := xml.Unmarshal(data, new(struct{})); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		fp := filepath.Join(dir, filepath.Base(p))
		if err := os.WriteFile(fp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, fp)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	out, err := exec.Command(xmllint, append([]string{"--noout"}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}
