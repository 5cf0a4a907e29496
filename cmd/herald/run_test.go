package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/notify"
)

var healthRE = regexp.MustCompile(`health on (http://\S+/healthz)`)

func healthz(tb testing.TB, url string) (int, map[string]any) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestRunRebootResumes kills herald run with SIGKILL while it builds and
// publishes (publish.command copies each version elsewhere), starts it
// again from the same folders, and checks that it republishes the current
// state, runs the command again and reports healthy. TestRunProbes covers
// the prober's results across a kill.
func TestRunRebootResumes(t *testing.T) {
	cmd := `rm -rf mirror.tmp && cp -R "$HERALD_PUBLIC_DIR" mirror.tmp && rm -rf mirror && mv mirror.tmp mirror`
	site := newTestSite(t, testConfig+"publish:\n  command: '"+cmd+"'\n")
	for i := range 3 {
		p := start(t, site, "run", "-listen", "127.0.0.1:0", "-every", "1h")
		waitFor(t, p, "the first build", func() bool { return p.stdout.count(rebuiltLine) >= 1 })
		writeFile(t, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", fmt.Sprintf("Boot %d.", i)))
		time.Sleep(time.Duration(50+40*i) * time.Millisecond) // inside the rebuild or the command
		p.kill()
		checkComplete(t, filepath.Join(site, "public"))
	}
	writeFile(t, filepath.Join(site, "incidents", "a.md"), testIncident("Incident A", "After the reboot."))
	p := start(t, site, "run", "-listen", "127.0.0.1:0", "-every", "1h")
	waitFor(t, p, "the health address", func() bool { return healthRE.MatchString(p.stdout.String()) })
	url := healthRE.FindStringSubmatch(p.stdout.String())[1]
	waitFor(t, p, "the command to publish the current state", func() bool {
		data, _ := os.ReadFile(filepath.Join(site, "mirror", "incidents", "a", "index.html"))
		return strings.Contains(string(data), "After the reboot.")
	})
	waitFor(t, p, "a publish result", func() bool {
		_, body := healthz(t, url)
		build, _ := body["build"].(map[string]any)
		pub, _ := build["publish"].(map[string]any)
		return pub != nil && pub["ok"] == true
	})
	code, body := healthz(t, url)
	if code != 200 || body["ok"] != true {
		t.Errorf("healthz: %d %v", code, body)
	}
	// A daemon promises fresh pages, so its index warns once it is stale,
	// even without probes.
	if !strings.Contains(published(site, "index.html"), "data-stale-after=") {
		t.Error("the index of herald run carries no stale-page warning")
	}
	p.stop(t)
}

// TestRunHealthStale checks that /healthz answers 503 once the site has
// not been rebuilt for three intervals, and 200 again after a good build.
func TestRunHealthStale(t *testing.T) {
	site := newTestSite(t, testConfig)
	writeFile(t, filepath.Join(site, "incidents", "bad.md"), "no front matter\n")
	p := start(t, site, "run", "-listen", "127.0.0.1:0", "-every", "200ms")
	waitFor(t, p, "the health address", func() bool { return healthRE.MatchString(p.stdout.String()) })
	url := healthRE.FindStringSubmatch(p.stdout.String())[1]
	waitFor(t, p, "503", func() bool { code, _ := healthz(t, url); return code == http.StatusServiceUnavailable })
	os.Remove(filepath.Join(site, "incidents", "bad.md"))
	waitFor(t, p, "200", func() bool { code, _ := healthz(t, url); return code == http.StatusOK })
}

// TestRunProbes runs herald run with a probe against a real loopback
// server: the page follows the probe, /metrics is served beside /healthz,
// and a SIGKILL (a host reboot) loses no committed probe result.
func TestRunProbes(t *testing.T) {
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	}))
	defer srv.Close()
	// watch: stays last, after the component added to components:.
	cfg := strings.Replace(testConfig, "watch:\n  debounce: 100ms\n", "", 1) +
		"  - id: probed\n    name: Probed API\n    probe: {http: '" + srv.URL + "', interval: 1s, timeout: 500ms}\nwatch:\n  debounce: 100ms\n"
	site := newTestSite(t, cfg)

	p := start(t, site, "run", "-listen", "127.0.0.1:0", "-every", "1h")
	waitFor(t, p, "the health address", func() bool { return healthRE.MatchString(p.stdout.String()) })
	base := strings.TrimSuffix(healthRE.FindStringSubmatch(p.stdout.String())[1], "/healthz")
	metric := func() string {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	waitFor(t, p, "metrics saying up", func() bool {
		return strings.Contains(metric(), `herald_probe_success{component="probed",region="default"} 1`)
	})
	waitFor(t, p, "the page to show the probe's verdict", func() bool {
		page := published(site, "components/probed/index.html")
		return strings.Contains(page, "Operational") && !strings.Contains(page, "No data")
	})

	failing.Store(true)
	waitFor(t, p, "the page to show the outage the probe saw", func() bool {
		return strings.Contains(published(site, "components/probed/index.html"), "Major outage")
	})

	// A reboot: no warning, no flush.
	p.kill()
	store := openTestStore(t, site)
	var committed strings.Builder
	if err := store.Export(context.Background(), &committed, "probed", time.Time{}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	n := strings.Count(committed.String(), "\n")
	if n < 2 {
		t.Fatalf("got %d committed results before the kill, want some", n)
	}

	p = start(t, site, "run", "-listen", "127.0.0.1:0", "-every", "1h")
	waitFor(t, p, "the prober to resume", func() bool {
		var after strings.Builder
		s, err := history.Open(filepath.Join(site, "data", "history.db"), history.Options{})
		if err != nil {
			return false
		}
		defer s.Close()
		if err := s.Export(context.Background(), &after, "probed", time.Time{}); err != nil {
			return false
		}
		return strings.Count(after.String(), "\n") > n
	})
	p.stop(t)
	// Every result committed before the kill is still there.
	var after strings.Builder
	s := openTestStore(t, site)
	if err := s.Export(context.Background(), &after, "probed", time.Time{}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(committed.String()), "\n") {
		if !strings.Contains(after.String(), line) {
			t.Errorf("result lost across the reboot: %s", line)
		}
	}
}

// TestRunComponentEvents runs herald run with a real probe of a loopback
// server, confirm: 2, a json webhook and draft_incidents: the outage sends
// one component.down carrying a draft, which appears in incidents/ but is
// not published, and the recovery one component.up, which adds the
// Resolved update to the untouched draft.
func TestRunComponentEvents(t *testing.T) {
	var failing atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	var mu sync.Mutex
	var events []notify.Event
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev notify.Event
		if err := json.NewDecoder(r.Body).Decode(&ev); err == nil {
			mu.Lock()
			events = append(events, ev)
			mu.Unlock()
		}
	}))
	defer recv.Close()
	got := func(typ notify.Type) []notify.Event {
		mu.Lock()
		defer mu.Unlock()
		var out []notify.Event
		for _, ev := range events {
			if ev.Type == typ {
				out = append(out, ev)
			}
		}
		return out
	}
	cfg := strings.Replace(testConfig, "watch:\n  debounce: 100ms\n", "", 1) +
		"  - id: probed\n    name: Probed API\n    probe: {http: '" + srv.URL + "', interval: 1s, timeout: 500ms, confirm: 2}\n" +
		"notify:\n  draft_incidents: true\n  webhooks:\n    - {url: '" + recv.URL + "', format: json}\nwatch:\n  debounce: 100ms\n"
	site := newTestSite(t, cfg)
	p := start(t, site, "run", "-listen", "127.0.0.1:0", "-every", "1h")
	defer p.stop(t)
	waitFor(t, p, "the baseline", func() bool { return strings.Contains(p.stdout.String(), "notify: recorded a baseline") })

	failing.Store(true)
	waitFor(t, p, "component.down", func() bool { return len(got(notify.ComponentDown)) > 0 })
	down := got(notify.ComponentDown)[0]
	if down.Component == nil || down.Component.ID != "probed" || down.Component.Draft == nil {
		t.Fatalf("got %+v, want the probed component's outage with its draft", down.Component)
	}
	draft := filepath.Join(site, filepath.FromSlash(down.Component.Draft.File))
	if text, err := os.ReadFile(draft); err != nil || string(text) != down.Component.Draft.Text {
		t.Fatalf("got the draft file %q (%v), want the event's text", text, err)
	}
	slug := strings.TrimSuffix(filepath.Base(draft), ".md")

	failing.Store(false)
	waitFor(t, p, "component.up", func() bool { return len(got(notify.ComponentUp)) > 0 })
	waitFor(t, p, "the Resolved update in the draft", func() bool {
		text, _ := os.ReadFile(draft)
		return strings.Contains(string(text), "— Resolved\n")
	})
	if n, m := len(got(notify.ComponentDown)), len(got(notify.ComponentUp)); n != 1 || m != 1 {
		t.Errorf("got %d down and %d up events, want one each", n, m)
	}
	if page := published(site, "incidents/"+slug+"/index.html"); page != "" {
		t.Errorf("got a published page for the draft %s", slug)
	}
}
