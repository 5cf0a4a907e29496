package upptime

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/internal/interop"
)

// TestSampleUptime imports the history of BandLab's Upptime repository and
// checks herald's uptime of each site, from its startTime to the last
// summary commit, against the uptime in its history/summary.json.
func TestSampleUptime(t *testing.T) {
	sampleBundle := interop.Path(t, "upptime-bandlab.bundle")
	needGit(t)
	dir := filepath.Join(t.TempDir(), "upptime")
	git(t, ".", nil, "clone", "-q", sampleBundle, dir)

	src, err := os.ReadFile(filepath.Join(dir, ".upptimerc.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		Sites []struct{ Name, Slug string }
	}
	if err := yaml.Unmarshal(src, &rc); err != nil {
		t.Fatal(err)
	}
	var sites []HistorySite
	for _, s := range rc.Sites {
		sites = append(sites, HistorySite{Name: s.Name, Slug: s.Slug, Component: s.Slug})
	}
	if len(sites) == 0 {
		t.Fatal("no sites in the sample's .upptimerc.yml")
	}
	results, notes, err := History(context.Background(), dir, sites, Messages{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		t.Log(n)
	}

	out, err := exec.Command("git", "-C", dir, "log", "-1", "--format=%cI", "--fixed-strings", "--grep=Update status summary").Output()
	if err != nil {
		t.Fatal(err)
	}
	summaryAt := mustTime(t, strings.TrimSpace(string(out)))
	src, err = os.ReadFile(filepath.Join(dir, "history", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var summary []summarySite
	if err := json.Unmarshal(src, &summary); err != nil {
		t.Fatal(err)
	}
	for _, s := range summary {
		t.Run(s.Slug, func(t *testing.T) {
			want, err := strconv.ParseFloat(strings.TrimSuffix(s.Uptime, "%"), 64)
			if err != nil {
				t.Fatal(err)
			}
			f, ok, err := readSiteFile(dir, s.Slug)
			if err != nil || !ok {
				t.Fatalf("read history/%s.yml: %v, %v", s.Slug, ok, err)
			}
			got := heraldUptime(t, results, s.Slug, f.Start, summaryAt)
			t.Logf("herald %.3f%%, Upptime %s, from %s to %s", got, s.Uptime, f.Start.Format(time.RFC3339), summaryAt.Format(time.RFC3339))
			if math.Abs(got-want) > 0.1 {
				t.Errorf("got uptime %.3f%% from %s to %s, want Upptime's %.2f%% within 0.1", got, f.Start.Format(time.RFC3339), summaryAt.Format(time.RFC3339), want)
			}
		})
	}
}
