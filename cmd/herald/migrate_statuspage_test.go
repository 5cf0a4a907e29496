package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-status/herald/migrate/statuspage/statuspagetest"
)

// TestMigrateStatuspagePageID runs herald migrate -page-id against the
// management API's stand-in: the key comes from $STATUSPAGE_API_KEY only,
// and is printed nowhere, whatever fails.
func TestMigrateStatuspagePageID(t *testing.T) {
	const key = "sk-live-hunter2-77"
	api := &statuspagetest.API{
		Key: key, PageID: "p1",
		Page:       map[string]any{"name": "Acme", "subdomain": "acme", "time_zone": "UTC"},
		Components: []any{map[string]any{"id": "c1", "name": "API", "position": 1}},
		Incidents: []any{map[string]any{
			"id": "i1", "name": "API down", "impact": "major", "started_at": "2026-11-01T10:00:00Z", "resolved_at": "2026-11-01T11:00:00Z",
			"incident_updates": []any{map[string]any{"id": "u1", "status": "resolved", "body": "Back.", "display_at": "2026-11-01T11:00:00Z",
				"affected_components": []any{map[string]any{"code": "c1", "name": "API", "new_status": "major_outage"}}}},
		}},
	}
	good := httptest.NewServer(api)
	defer good.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "server error for "+r.Header.Get("Authorization"), http.StatusInternalServerError)
	}))
	defer failing.Close()

	tests := []struct {
		name, key string
		args      []string
		code      int
		out, err  string
	}{
		{"the management API", key, []string{"-from", "statuspage", "-page-id", "p1", good.URL}, exitOK,
			"1 components, 1 incidents", ""},
		{"no key", "", []string{"-from", "statuspage", "-page-id", "p1", good.URL}, exitUsage,
			"", "-page-id needs the API key in $STATUSPAGE_API_KEY"},
		{"a refused key", "wrong-" + key, []string{"-from", "statuspage", "-page-id", "p1", good.URL}, exitInvalid,
			"", "401 Unauthorized (the API key was refused: check $STATUSPAGE_API_KEY"},
		{"a failing server", key, []string{"-from", "statuspage", "-page-id", "p1", failing.URL}, exitInvalid,
			"", "fetch " + failing.URL + "/v1/pages/p1: 500 Internal Server Error"},
		{"an unknown page", key, []string{"-from", "statuspage", "-page-id", "p2", good.URL}, exitInvalid,
			"", "404 Not Found (check -page-id"},
		{"not for cstate", key, []string{"-from", "cstate", "-page-id", "p1", good.URL}, exitUsage,
			"", "-page-id is for -from statuspage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("STATUSPAGE_API_KEY", tt.key)
			site := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := append([]string{"migrate", "-site", site, "-now", "2026-12-01T00:00:00Z"}, tt.args...)
			if code := run(context.Background(), args, &stdout, &stderr); code != tt.code {
				t.Fatalf("got exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.out) {
				t.Errorf("got stdout:\n%s\nwant it to hold %q", stdout.String(), tt.out)
			}
			if !strings.Contains(stderr.String(), tt.err) {
				t.Errorf("got stderr:\n%s\nwant it to hold %q", stderr.String(), tt.err)
			}
			if strings.Contains(stdout.String()+stderr.String(), "hunter2") {
				t.Errorf("the key is printed:\n%s%s", stdout.String(), stderr.String())
			}
			_, err := os.Stat(filepath.Join(site, "incidents"))
			if got, want := err == nil, tt.code == exitOK; got != want {
				t.Errorf("got incidents/ written %v, want %v", got, want)
			}
		})
	}
}
