package render

import (
	"bytes"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/i18n"
)

// TestKeysStandForBytes renders the fixture at clocks on both sides of its
// incidents' and maintenance's changes of phase, and checks File.Key's
// promise: two renders of one path with the same Key write the same
// bytes. Pages whose Key did not change must exist, or the test proves
// nothing; the index has no Key, since it states the build time.
func TestKeysStandForBytes(t *testing.T) {
	r := newRenderer(t, "")
	clocks := []time.Time{
		fixtureNow,
		fixtureNow.Add(time.Minute),
		fixtureNow.Add(time.Hour),
		time.Date(2026, 12, 4, 5, 59, 0, 0, time.UTC), // before the maintenance
		time.Date(2026, 12, 4, 6, 30, 0, 0, time.UTC), // during it
		time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC),  // after it
		fixtureNow.AddDate(0, 1, 0),
	}
	type render struct {
		at   time.Time
		data []byte
	}
	seen := map[string]map[string]render{} // by path, then Key
	var same, keyed int
	for _, now := range clocks {
		for _, f := range r.Files(sitetest.Snapshot(t, fixtureDir, now)) {
			if f.Path == "index.html" && f.Key != "" {
				t.Errorf("at %s: index.html has a Key", now)
			}
			if f.Key == "" {
				continue
			}
			keyed++
			var b bytes.Buffer
			if err := f.Render(&b); err != nil {
				t.Fatalf("render %s: %v", f.Path, err)
			}
			if seen[f.Path] == nil {
				seen[f.Path] = map[string]render{}
			}
			prev, ok := seen[f.Path][f.Key]
			if !ok {
				seen[f.Path][f.Key] = render{now, b.Bytes()}
				continue
			}
			same++
			if !bytes.Equal(prev.data, b.Bytes()) {
				t.Errorf("%s: got other bytes at %s than at %s, with the same Key", f.Path, now, prev.at)
			}
		}
	}
	if same == 0 || same == keyed-len(seen) {
		t.Errorf("got %d renders of %d with a Key seen before: want some, but not all", same, keyed)
	}
}

// TestKeysHoldTheWords checks that every page with a Key gets another one
// in another language, since it is written in other words.
func TestKeysHoldTheWords(t *testing.T) {
	r := newRenderer(t, "")
	keys := func(tag string) map[string]string {
		snap := sitetest.Snapshot(t, fixtureDir, fixtureNow)
		snap.Site.Locale = i18n.For(tag)
		out := map[string]string{}
		for _, f := range r.Files(snap) {
			if f.Key != "" {
				out[f.Path] = f.Key
			}
		}
		return out
	}
	en, de := keys("en"), keys("de")
	if len(en) == 0 {
		t.Fatal("got no page with a Key")
	}
	for p, k := range en {
		if de[p] == k {
			t.Errorf("%s: got the same Key in en and de, want another", p)
		}
	}
}
