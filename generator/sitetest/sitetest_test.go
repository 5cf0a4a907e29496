package sitetest_test

import (
	"testing"
	"time"

	"github.com/herald-status/herald/generator/sitetest"
)

func TestExample(t *testing.T) {
	snap := sitetest.Example(t, time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC))
	if got, want := snap.Site.Title, "Parcel Gallery Status"; got != want {
		t.Errorf("got title %q, want %q", got, want)
	}
	if len(snap.Incidents) == 0 {
		t.Error("got no incidents from the example site")
	}
}

func TestWrite(t *testing.T) {
	dir := sitetest.Write(t, map[string]string{
		"herald.yaml":             "title: T\nbase_url: https://s.example/\ncomponents: [{id: api, name: API}]\n",
		"incidents/sub/2026-a.md": "---\ntitle: Down\ncomponents: {api: major_outage}\nstarted: 2026-11-28 01:00\n---\n",
	})
	cfg, ins := sitetest.Load(t, dir)
	if len(cfg.Components) != 1 || len(ins) != 1 || ins[0].File != "incidents/sub/2026-a.md" {
		t.Errorf("got %d components and incidents %v, want 1 and incidents/sub/2026-a.md", len(cfg.Components), ins)
	}
}
