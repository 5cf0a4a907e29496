package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
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
// state, runs the command again and reports healthy. (The prober is not
// part of herald run yet, so probe results are not covered here.)
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
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop on SIGTERM")
	}
	if c := p.cmd.ProcessState.ExitCode(); c != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", c)
	}
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
