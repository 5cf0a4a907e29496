package statuspage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/statuspage"
	"github.com/herald-status/herald/migrate/statuspage/statuspagetest"
)

const (
	testKey    = "sk-hunter2-0123456789"
	testPageID = "p4ge1d"
)

// standIn is a page with a group of two components, one on its own, and
// n incidents, every sixth a maintenance, oldest last as the API lists
// them; the group is positioned between the two others.
func standIn(n int) *statuspagetest.API {
	api := &statuspagetest.API{
		Key:    testKey,
		PageID: testPageID,
		Page: map[string]any{
			"id": testPageID, "name": "Acme", "subdomain": "acme", "domain": "status.acme.example",
			"url": "https://acme.example", "time_zone": "Europe/Paris", "page_description": "Acme's status",
		},
		Components: []any{
			map[string]any{"id": "c-web", "name": "Website", "position": 1, "group": false, "group_id": nil, "status": "operational"},
			map[string]any{"id": "c-api", "name": "API", "position": 1, "group": false, "group_id": "g-core", "description": "The public API."},
			map[string]any{"id": "c-db", "name": "Database", "position": 2, "group": false, "group_id": "g-core"},
			map[string]any{"id": "g-core", "name": "Core", "position": 2, "group": true},
			map[string]any{"id": "c-cdn", "name": "CDN", "position": 3, "group": false, "group_id": nil},
		},
		Groups: []any{
			map[string]any{"id": "g-core", "page_id": testPageID, "name": "Core", "description": nil, "components": []string{"c-api", "c-db"}, "position": 2},
		},
	}
	start := time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := n - 1; i >= 0; i-- {
		at := start.AddDate(0, 0, i)
		ts := func(d time.Duration) string { return at.Add(d).Format(time.RFC3339) }
		in := map[string]any{
			"id": fmt.Sprintf("inc%03d", i), "page_id": testPageID, "name": fmt.Sprintf("Outage %d", i),
			"created_at": ts(0), "shortlink": fmt.Sprintf("https://stspg.io/s%03d", i),
			"components": []any{map[string]any{"id": "c-api", "name": "API"}},
		}
		if i%6 == 5 {
			in["impact"], in["status"] = "maintenance", "completed"
			in["scheduled_for"], in["scheduled_until"] = ts(time.Hour), ts(2*time.Hour)
			in["incident_updates"] = []any{
				map[string]any{"id": fmt.Sprintf("u%03db", i), "status": "completed", "body": "Done.", "display_at": ts(2 * time.Hour),
					"affected_components": []any{map[string]any{"code": "c-api", "name": "API", "old_status": "under_maintenance", "new_status": "operational"}}},
				map[string]any{"id": fmt.Sprintf("u%03da", i), "status": "scheduled", "body": "Upgrading.", "display_at": ts(0)},
			}
		} else {
			in["impact"], in["status"] = "major", "resolved"
			in["started_at"], in["resolved_at"] = ts(0), ts(time.Hour)
			in["incident_updates"] = []any{
				map[string]any{"id": fmt.Sprintf("u%03db", i), "status": "resolved", "body": "Fixed.", "display_at": ts(time.Hour),
					"affected_components": []any{map[string]any{"code": "c-api", "name": "API", "old_status": "major_outage", "new_status": "operational"}}},
				map[string]any{"id": fmt.Sprintf("u%03da", i), "status": "investigating", "body": "Looking.", "display_at": ts(time.Minute),
					"affected_components": []any{map[string]any{"code": "c-api", "name": "API", "old_status": "operational", "new_status": "major_outage"}}},
			}
		}
		switch i {
		case 0:
			in["postmortem_body"], in["postmortem_published_at"] = "A disk *filled up*.", ts(3*time.Hour)
		case 1:
			in["postmortem_body"], in["postmortem_published_at"] = "Draft: not yet.", nil
		}
		api.Incidents = append(api.Incidents, in)
	}
	return api
}

// TestReadManaged reads 250 incidents, three pages of the incidents list,
// through the stand-in, and checks that every one arrives, in the same
// model as the public API's, and that the site passes check.
func TestReadManaged(t *testing.T) {
	const n = 250
	api := standIn(n)
	srv := httptest.NewServer(api)
	defer srv.Close()
	for _, tc := range []struct{ name, base string }{
		{"base", srv.URL},
		{"base with a slash", srv.URL + "/"},
		{"v1 folder", srv.URL + "/v1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(api.Requests())
			got, err := statuspage.ReadManaged(context.Background(), tc.base, testPageID, testKey, srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			p := "/v1/pages/" + testPageID
			same(t, "requests", api.Requests()[before:], []string{
				p,
				p + "/components?page=1&per_page=100",
				p + "/component-groups?page=1&per_page=100",
				p + "/incidents?limit=100&page=1",
				p + "/incidents?limit=100&page=2",
				p + "/incidents?limit=100&page=3",
			})
			// The status page's address, not the owner's website (url).
			same(t, "page", []string{got.Title, got.BaseURL, got.Timezone}, []string{"Acme", "https://status.acme.example/", "Europe/Paris"})
			same(t, "components", got.Components, []migrate.Component{
				{ID: "website", Name: "Website"},
				{ID: "api", Name: "API", Group: "Core", Description: "The public API."},
				{ID: "database", Name: "Database", Group: "Core"},
				{ID: "cdn", Name: "CDN"},
			})
			if len(got.Incidents) != n {
				t.Fatalf("got %d incidents, want %d", len(got.Incidents), n)
			}
			var titles []string
			for _, in := range got.Incidents {
				titles = append(titles, in.Title)
				var i int
				fmt.Sscanf(in.Title, "Outage %d", &i)
				wantKind := migrate.KindIncident
				if i%6 == 5 {
					wantKind = migrate.KindMaintenance
				}
				if in.Kind != wantKind {
					t.Errorf("%s: got kind %s, want %s", in.Title, in.Kind, wantKind)
				}
				if in.Kind == migrate.KindIncident && in.Components["api"] != string(incident.MajorOutage) {
					t.Errorf("%s: got components %v, want api major_outage", in.Title, in.Components)
				}
			}
			for i := range n {
				if !slices.Contains(titles, fmt.Sprintf("Outage %d", i)) {
					t.Errorf("incident %d is missing", i)
				}
			}
			// A published postmortem is the last update; a draft stays out.
			for _, in := range got.Incidents {
				var pm []string
				for _, u := range in.Updates {
					if u.Status == "postmortem" {
						pm = append(pm, u.Time.UTC().Format(time.RFC3339)+" "+u.Body)
					}
				}
				want := []string(nil)
				if in.Title == "Outage 0" {
					want = []string{"2020-01-01T12:00:00Z A disk *filled up*."}
				}
				same(t, in.Title+" postmortem", pm, want)
			}
			// The full history: no note of the public API's 50.
			var notes []string
			for _, note := range got.Unmapped {
				notes = append(notes, note.What)
			}
			same(t, "notes", notes, []string{`incident "Outage 1" has a postmortem that is not published`})
			s := writeAndCheck(t, got)
			if len(s.Incidents) != n {
				t.Errorf("got %d incidents in the written site, want %d", len(s.Incidents), n)
			}
		})
	}
}

// TestReadManagedErrors: each failure names the URL, without credentials
// or query, says what to do, and never holds the key.
func TestReadManagedErrors(t *testing.T) {
	api := standIn(120)
	good := httptest.NewServer(api)
	defer good.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/incidents") && r.URL.Query().Get("page") == "2":
			// The key echoed back, as a careless server might.
			http.Error(w, "boom for "+r.Header.Get("Authorization"), http.StatusInternalServerError)
		default:
			api.ServeHTTP(w, r)
		}
	}))
	defer broken.Close()
	// Answers the first page of every list, whatever page is asked for.
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		q.Del("page")
		r.URL.RawQuery = q.Encode()
		api.ServeHTTP(w, r)
	}))
	defer stuck.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	host := func(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

	tests := []struct {
		name, base, page, key, want string
	}{
		{"wrong key", good.URL, testPageID, "wrong-" + testKey,
			"fetch " + good.URL + "/v1/pages/" + testPageID + ": 401 Unauthorized (the API key was refused: check $STATUSPAGE_API_KEY"},
		{"no key", good.URL, testPageID, "", "401 Unauthorized"},
		{"unknown page", good.URL, "nosuchpage", testKey,
			"fetch " + good.URL + "/v1/pages/nosuchpage: 404 Not Found (check -page-id"},
		{"not a page id", good.URL, "../admin", testKey, `read page "../admin": not a page id`},
		{"server error names the page of the list, without credentials or query", "http://user:pw-secret@" + host(broken) + "/?token=q-secret", testPageID, testKey,
			"fetch http://***@" + host(broken) + "/v1/pages/" + testPageID + "/incidents: 500 Internal Server Error"},
		{"no server", "http://" + host(closed), testPageID, testKey,
			"fetch http://" + host(closed) + "/v1/pages/" + testPageID + ": Get"},
		{"a server that ignores page", stuck.URL, testPageID, testKey,
			"read " + stuck.URL + "/v1/pages/" + testPageID + "/incidents: page 2 repeats the pages before it"},
		{"not a URL", "ftp://x", testPageID, testKey, "not an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := statuspage.ReadManaged(context.Background(), tt.base, tt.page, tt.key, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			for _, secret := range []string{testKey, "hunter2", "pw-secret", "q-secret"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds the secret %q", err, secret)
				}
			}
		})
	}
	t.Run("a list that is no list", func(t *testing.T) {
		broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/components") {
				fmt.Fprint(w, `{"error": "not a list"}`)
				return
			}
			api.ServeHTTP(w, r)
		}))
		defer broken.Close()
		_, err := statuspage.ReadManaged(context.Background(), broken.URL, testPageID, testKey, nil)
		want := broken.URL + "/v1/pages/" + testPageID + "/components (page 1):1:1: the response is a JSON object"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want %q", err, want)
		}
	})
}

// TestReadManagedCancel: a cancelled context ends a request that hangs.
func TestReadManagedCancel(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hang.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := statuspage.ReadManaged(ctx, hang.URL, testPageID, testKey, nil)
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Errorf("got %v, want context canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadManaged still running 10s after its context was cancelled")
	}
}

// TestReadManagedTooManyRequests: a 429 is sent again after Retry-After,
// a few times, then is an error; a cancel ends the wait.
func TestReadManagedTooManyRequests(t *testing.T) {
	api := standIn(150)
	tests := []struct {
		name    string
		refuse  int    // how many requests for incidents page 2 get a 429
		after   string // their Retry-After
		cancel  bool
		wantErr string
	}{
		{"refused twice, then served", 2, "0", false, ""},
		{"refused each time", 100, "0", false, "/incidents: 429 Too Many Requests, 6 times (the API allows about one request a second"},
		{"cancelled while waiting", 1, "60", true, "/incidents: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			refused := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/incidents") && r.URL.Query().Get("page") == "2" && refused < tt.refuse {
					refused++
					w.Header().Set("Retry-After", tt.after)
					http.Error(w, "rate limited", http.StatusTooManyRequests)
					if tt.cancel {
						// After the answer has arrived: during the wait.
						time.AfterFunc(100*time.Millisecond, cancel)
					}
					return
				}
				api.ServeHTTP(w, r)
			}))
			defer srv.Close()
			start := time.Now()
			got, err := statuspage.ReadManaged(ctx, srv.URL, testPageID, testKey, nil)
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("took %v, want no wait beyond Retry-After", d)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Incidents) != 150 {
				t.Errorf("got %d incidents, want 150", len(got.Incidents))
			}
		})
	}
}
