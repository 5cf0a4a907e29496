package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/notify"
	"github.com/herald-status/herald/probe"
)

// probedSite is a site whose one component, api, is probed at target
// every minute with confirm: 2, and whose json webhook is hook.
type probedSite struct {
	dir    string
	sched  *probe.Scheduler
	store  *history.Store
	now    time.Time
	failed atomic.Bool // the target answers 503
	slow   atomic.Bool // the target answers after slowDelay
	// ticking makes the clock run in real time from each step's start, as
	// herald probe's does, so that the prober measures a slow answer's
	// latency; otherwise it stands still at now.
	ticking   bool
	stepStart time.Time
}

// slowDelay is how long a slow target takes: well past the 100ms
// degraded_over of TestComponentDegradedEvents, well within the timeout.
const slowDelay = 300 * time.Millisecond

func newProbedSite(tb testing.TB, hook string, extra string) *probedSite {
	tb.Helper()
	return newProbedSiteWith(tb, hook, "", extra)
}

// newProbedSiteWith is newProbedSite with probeKeys (", key: value, …")
// added to api's probe.
func newProbedSiteWith(tb testing.TB, hook, probeKeys, extra string) *probedSite {
	tb.Helper()
	ps := &probedSite{now: time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ps.slow.Load() {
			time.Sleep(slowDelay)
		}
		if ps.failed.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
		}
	}))
	tb.Cleanup(target.Close)
	ps.dir = sitetest.Write(tb, map[string]string{
		"herald.yaml": fmt.Sprintf(`title: Test Status
base_url: https://status.example.com/
components:
  - id: api
    name: API
    probe: {http: %q, interval: 1m, confirm: 2%s}
notify:
  webhooks:
    - {format: json, url: %q}
%s`, target.URL+"/health?token=s3cret", probeKeys, hook, extra),
		"incidents/.keep": "",
	})
	cfg, _ := sitetest.Load(tb, ps.dir)
	st, err := history.Open(cfg.HistoryPath(), history.OptionsFor(cfg))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ps.store = st
	clock := func() time.Time {
		if ps.ticking {
			return ps.now.Add(time.Since(ps.stepStart))
		}
		return ps.now
	}
	ps.sched, err = probe.New(probe.Checks(cfg), probe.Options{Now: clock, Recorder: st})
	if err != nil {
		tb.Fatal(err)
	}
	return ps
}

// step probes once, with the target up or down, then moves the clock on a
// minute.
func (ps *probedSite) step(tb testing.TB, up bool) {
	tb.Helper()
	ps.failed.Store(!up)
	ps.stepStart = time.Now()
	if err := ps.sched.Once(context.Background()); err != nil {
		tb.Fatal(err)
	}
	ps.now = ps.now.Add(time.Minute)
}

// notify runs herald notify's steps at the site's clock, with a notifier
// made afresh each time, as a cron job would.
func (ps *probedSite) notify(tb testing.TB) notify.Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := generator.Load(ctx, ps.dir, ps.now)
	if err != nil {
		tb.Fatal(err)
	}
	snap, err := s.Snapshot(ctx, ps.now)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := notify.New(s.Config, notify.WithRetry(2, time.Millisecond, time.Millisecond))
	if err != nil {
		tb.Fatal(err)
	}
	res, err := n.Observe(ctx, snap)
	if err != nil {
		tb.Fatal(err)
	}
	if err := n.Deliver(ctx); err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestComponentEvents drives a real prober against a loopback server that
// goes down and up, through confirm: 2 and the history store, and
// delivers to a json receiver after each result: exactly one down and one
// up event, dated from the first result of each confirmed run, and none
// for a blip.
func TestComponentEvents(t *testing.T) {
	rec := newReceiver()
	hook := httptest.NewServer(rec)
	defer hook.Close()
	ps := newProbedSite(t, hook.URL, "")
	start := ps.now

	ps.step(t, true)
	ps.step(t, true)
	if res := ps.notify(t); !res.Baseline {
		t.Fatalf("first run: got %+v, want a baseline", res)
	}
	steps := []struct {
		name string
		up   bool
	}{
		{"blip", false}, // 14:02, one failure: no event
		{"back", true},
		{"outage begins", false}, // 14:04
		{"outage confirmed", false},
		{"still down", false},
		{"blip up", true}, // one success within the outage: no event
		{"down again", false},
		{"recovery begins", true}, // 14:09
		{"recovery confirmed", true},
		{"still up", true},
	}
	for _, s := range steps {
		ps.step(t, s.up)
		ps.notify(t)
	}
	// A restart (a fresh notifier at a later clock) sends nothing again.
	ps.notify(t)

	var got []notify.Event
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, k := range rec.keys {
		var ev notify.Event
		if err := json.Unmarshal(rec.bodies[k], &ev); err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	want := []struct {
		typ   notify.Type
		since time.Time
	}{
		{notify.ComponentDown, start.Add(4 * time.Minute)},
		{notify.ComponentUp, start.Add(9 * time.Minute)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		ev := got[i]
		if ev.Type != w.typ || ev.Component == nil || !ev.Component.Since.Equal(w.since) || !ev.Time.Equal(w.since) {
			t.Errorf("event %d: got %s %+v, want %s since %s", i, ev.Type, ev.Component, w.typ, w.since)
			continue
		}
		if ev.Component.ID != "api" || ev.Component.Name != "API" || ev.Component.URL != "https://status.example.com/components/api/" {
			t.Errorf("event %d: got component %+v, want api, API and its page", i, ev.Component)
		}
		if ev.Component.UptimeToday == nil || *ev.Component.UptimeToday <= 0 || *ev.Component.UptimeToday >= 100 {
			t.Errorf("event %d: got uptime_today %v, want the day's figure, between 0 and 100", i, ev.Component.UptimeToday)
		}
	}
	if e := got[0].Component.Error; e == "" || got[1].Component.Error != "" {
		t.Errorf("got errors %q and %q, want the failing check's on the down event only", e, got[1].Component.Error)
	}
	for _, k := range rec.keys {
		b := string(rec.bodies[k])
		for _, leak := range []string{"s3cret", "127.0.0.1", `"incident"`} {
			if strings.Contains(b, leak) {
				t.Errorf("got body %s, want no %s: no probe URL, no secret, no incident", b, leak)
			}
		}
	}
}

// TestComponentDegradedEvents drives a real prober against a loopback
// server that becomes slow, fast, slow and down, through degraded_over
// and confirm: 2, into the history store, and delivers to a json
// receiver after each result: a single slow answer sends nothing, and
// each confirmed change into degraded sends component.degraded, dated from
// its first slow result and saying how slow, while the way back sends
// component.up.
func TestComponentDegradedEvents(t *testing.T) {
	rec := newReceiver()
	hook := httptest.NewServer(rec)
	defer hook.Close()
	ps := newProbedSiteWith(t, hook.URL, ", degraded_over: 100ms", "")
	ps.ticking = true
	start := ps.now

	ps.step(t, true)
	ps.step(t, true)
	if res := ps.notify(t); !res.Baseline {
		t.Fatalf("first run: got %+v, want a baseline", res)
	}
	steps := []struct {
		name       string
		slow, down bool
	}{
		{"one slow answer", true, false}, // 14:02: a blip, no event
		{"fast", false, false},
		{"slow begins", true, false}, // 14:04
		{"slow confirmed", true, false},
		{"fast begins", false, false}, // 14:06
		{"fast confirmed", false, false},
		{"slow again", true, false}, // 14:08
		{"slow again confirmed", true, false},
		{"down", false, true}, // 14:10
		{"down confirmed", false, true},
		{"up", false, false}, // 14:12
		{"up confirmed", false, false},
	}
	for _, s := range steps {
		ps.slow.Store(s.slow)
		ps.step(t, !s.down)
		ps.notify(t)
	}

	var got []notify.Event
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, k := range rec.keys {
		var ev notify.Event
		if err := json.Unmarshal(rec.bodies[k], &ev); err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
	}
	want := []struct {
		typ      notify.Type
		minute   int
		previous string
		error    string // prefix
	}{
		{notify.ComponentDegraded, 4, "up", "latency "},
		{notify.ComponentUp, 6, "degraded", ""},
		{notify.ComponentDegraded, 8, "up", "latency "},
		{notify.ComponentDown, 10, "degraded", "status 503"},
		{notify.ComponentUp, 12, "down", ""},
	}
	if len(got) != len(want) {
		for _, ev := range got {
			t.Logf("got %s %+v", ev.Type, ev.Component)
		}
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i, w := range want {
		t.Run(fmt.Sprintf("%d %s", i, w.typ), func(t *testing.T) {
			// The ticking clock stamps each result a moment after its minute.
			ev, since := got[i], start.Add(time.Duration(w.minute)*time.Minute)
			if ev.Type != w.typ || ev.Component == nil || !ev.Component.Since.Truncate(time.Second).Equal(since) || !ev.Time.Equal(ev.Component.Since) {
				t.Fatalf("got %s %+v, want %s since %s", ev.Type, ev.Component, w.typ, since)
			}
			c := ev.Component
			if c.Previous != w.previous || !strings.HasPrefix(c.Error, w.error) || (w.error == "") != (c.Error == "") {
				t.Errorf("got previous %q, error %q; want %q, %q…", c.Previous, c.Error, w.previous, w.error)
			}
			if w.typ == notify.ComponentDegraded && !strings.HasSuffix(c.Error, ", slower than 100ms") {
				t.Errorf("got error %q, want how slow, and slower than 100ms", c.Error)
			}
			// Degraded time counts as up: only the two minutes down cost.
			if c.UptimeToday == nil || (w.minute < 10 && *c.UptimeToday != 100) {
				t.Errorf("got uptime_today %v, want 100 before the outage", c.UptimeToday)
			}
		})
	}
}

// TestChatComponentEvents: every chat format renders a component's down
// and up events, valid by its schema, with the headline and a link to the
// component's page.
func TestChatComponentEvents(t *testing.T) {
	rec := &standIn{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var extra strings.Builder
	for _, h := range chatHooks {
		fmt.Fprintf(&extra, "    - {format: %s, url: %q%s}\n", h.format, srv.URL+h.path, h.extra)
	}
	extra.WriteString("  draft_incidents: true\n")
	ps := newProbedSite(t, srv.URL+"/json", extra.String())
	ps.step(t, true)
	ps.notify(t)
	for _, up := range []bool{false, false, true, true} { // down at 14:01, up at 14:03
		ps.step(t, up)
	}
	ps.notify(t)
	checkSchemas(t, rec)
	for _, h := range append(chatHooks, struct{ format, path, extra string }{"json", "/json", ""}) {
		for _, want := range []struct {
			typ             notify.Type
			headline, draft string
		}{
			{notify.ComponentDown, "API is down since 14:01 UTC", "A draft incident is at incidents/2026-11-28-api-down.md"},
			{notify.ComponentUp, "API is back up since 14:03 UTC", ""},
		} {
			t.Run(h.format+"/"+string(want.typ), func(t *testing.T) {
				r := rec.find(t, sentPath(h.format, h.path), string(want.typ))
				if h.format == "json" {
					want.headline, want.draft = "", `"file":"incidents/2026-11-28-api-down.md"`
					if want.typ == notify.ComponentUp {
						want.draft = ""
					}
				}
				// Discord and Mattermost show a backslash-escaped
				// character as itself.
				body := bytes.ReplaceAll(r.body, []byte(`\\`), nil)
				for _, line := range []string{want.headline, want.draft} {
					if !bytes.Contains(body, []byte(line)) {
						t.Errorf("got %s, want %q", r.body, line)
					}
				}
				if !bytes.Contains(r.body, []byte("https://status.example.com/components/api/")) {
					t.Errorf("got %s, want a link to the component's page", r.body)
				}
			})
		}
	}
}

// TestChatDegradedEvent: every chat format renders component.degraded,
// valid by its schema, with its headline, how slow the check was, and a
// link to the component's page.
func TestChatDegradedEvent(t *testing.T) {
	rec := &standIn{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var extra strings.Builder
	for _, h := range chatHooks {
		fmt.Fprintf(&extra, "    - {format: %s, url: %q%s}\n", h.format, srv.URL+h.path, h.extra)
	}
	ps := newProbedSiteWith(t, srv.URL+"/json", ", degraded_over: 100ms", extra.String())
	ps.ticking = true
	ps.step(t, true)
	ps.notify(t)
	ps.slow.Store(true)
	ps.step(t, true) // slow from 14:01
	ps.step(t, true)
	ps.notify(t)
	checkSchemas(t, rec)
	for _, h := range chatHooks {
		t.Run(h.format, func(t *testing.T) {
			r := rec.find(t, sentPath(h.format, h.path), string(notify.ComponentDegraded))
			for _, want := range []string{"API is degraded since 14:01 UTC", "Check slow: latency ", "slower than 100ms", "https://status.example.com/components/api/"} {
				if !bytes.Contains(bytes.ReplaceAll(r.body, []byte(`\\`), nil), []byte(want)) {
					t.Errorf("got %s, want %q", r.body, want)
				}
			}
		})
	}
}

// TestDraftIncidents: with notify.draft_incidents, a confirmed outage
// writes a draft incident file under a free name, which the down event
// carries, check lists and build never publishes; the recovery adds a
// Resolved update to it only while its bytes are herald's.
func TestDraftIncidents(t *testing.T) {
	const (
		name   = "incidents/2026-11-28-api-down.md"
		theirs = "---\ntitle: Someone else's file\nstarted: 2026-11-20T10:00:00Z\n---\n"
	)
	tests := []struct {
		name         string
		existing     bool // a file of a person's already has the draft's name
		edit         bool // a person edits the draft before the recovery
		wantFile     string
		wantResolved bool
	}{
		{"untouched", false, false, name, true},
		{"edited", false, true, name, false},
		{"name taken", true, false, "incidents/2026-11-28-api-down-2.md", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newReceiver()
			hook := httptest.NewServer(rec)
			defer hook.Close()
			ps := newProbedSite(t, hook.URL, "  draft_incidents: true\n")
			if tt.existing {
				writeFile(t, ps.dir, name, theirs)
			}
			ps.step(t, true)
			ps.notify(t)
			for _, up := range []bool{false, false} { // down since 14:01
				ps.step(t, up)
			}
			ps.notify(t)

			path := filepath.Join(ps.dir, filepath.FromSlash(tt.wantFile))
			written, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("got no draft: %v", err)
			}
			for _, want := range []string{"title: \"API is down\"\n", "components: {\"api\": major_outage}\n", "impact: critical\n", "started: 2026-11-28T14:01:00Z\n", "draft: true\n"} {
				if !strings.Contains(string(written), want) {
					t.Errorf("got draft:\n%s\nwant it to hold %q", written, want)
				}
			}
			if tt.existing {
				if got := readFile(t, ps.dir, name); got != theirs {
					t.Errorf("got %s:\n%s\nwant it untouched", name, got)
				}
			}
			down := rec.event(t, notify.ComponentDown)
			if d := down.Component.Draft; d == nil || d.File != tt.wantFile || d.Text != string(written) {
				t.Errorf("got the down event's draft %+v, want %s and its text", d, tt.wantFile)
			}

			// check lists the draft; build publishes nothing of it.
			ctx := context.Background()
			s, err := generator.Load(ctx, ps.dir, ps.now)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Drafts) != 1 || s.Drafts[0].File != tt.wantFile {
				t.Errorf("got drafts %v, want %s", s.Drafts, tt.wantFile)
			}
			out := filepath.Join(t.TempDir(), "public")
			if _, err := generator.Build(ctx, s, generator.Options{Out: out, Now: ps.now}); err != nil {
				t.Fatal(err)
			}
			slug := strings.TrimSuffix(path[strings.LastIndex(path, "/")+1:], ".md")
			if _, err := os.Stat(filepath.Join(out, "incidents", slug)); err == nil {
				t.Errorf("got a page for the draft %s, want none", slug)
			}
			if feed := readFile(t, out, "history.rss"); strings.Contains(feed, "API is down") {
				t.Errorf("got the draft in the feed:\n%s", feed)
			}

			if tt.edit {
				written = append(written, "We found it: the disk is full.\n"...)
				writeFile(t, ps.dir, tt.wantFile, string(written))
			}
			for _, up := range []bool{true, true} { // up since 14:03
				ps.step(t, up)
			}
			ps.notify(t)
			rec.event(t, notify.ComponentUp)
			got := readFile(t, ps.dir, tt.wantFile)
			resolved := "\n## 2026-11-28T14:03:00Z — Resolved\nAPI is answering our checks again.\n"
			switch {
			case tt.wantResolved && !strings.Contains(got, resolved):
				t.Errorf("got draft:\n%s\nwant the suggested update %q", got, resolved)
			case !tt.wantResolved && got != string(written):
				t.Errorf("got draft:\n%s\nwant it as the person left it:\n%s", got, written)
			}
			// The draft with its Resolved update is still a valid draft.
			if s, err := generator.Load(ctx, ps.dir, ps.now); err != nil || len(s.Drafts) != 1 {
				t.Errorf("got %v, want the draft to load as one", err)
			}
		})
	}
}

// event returns the one delivered event of the type.
func (r *receiver) event(tb testing.TB, typ notify.Type) notify.Event {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var found []notify.Event
	for _, k := range r.keys {
		if r.types[k] != string(typ) {
			continue
		}
		var ev notify.Event
		if err := json.Unmarshal(r.bodies[k], &ev); err != nil {
			tb.Fatal(err)
		}
		found = append(found, ev)
	}
	if len(found) != 1 || found[0].Component == nil {
		tb.Fatalf("got %d %s events, want one", len(found), typ)
	}
	return found[0]
}

func readFile(tb testing.TB, dir, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func writeFile(tb testing.TB, dir, name, text string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestComponentEventsEdges: what the store holds before the first run is
// the past, and sends nothing; an error recorded by another writer (here
// an imported result) has its URLs cut to scheme and host.
func TestComponentEventsEdges(t *testing.T) {
	leaky := `Get "https://ops:pw@api.internal/health?token=s3cret": dial tcp: connection refused`
	tests := []struct {
		name      string
		pastDown  bool // the outage is over before the first run
		wantTypes []notify.Type
		wantError string
	}{
		{"past outage at the first run", true, nil, ""},
		{"error from another writer", false, []notify.Type{notify.ComponentDown}, `Get "https://***@api.internal/…": dial tcp: connection refused`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := newReceiver()
			hook := httptest.NewServer(rec)
			defer hook.Close()
			ps := newProbedSite(t, hook.URL, "  draft_incidents: true\n")
			record := func(ok bool) {
				r := history.Result{Component: "api", Time: ps.now, OK: ok, LatencyMS: 5}
				if !ok {
					r.Error = leaky
				}
				if err := ps.store.Record(context.Background(), []history.Result{r}); err != nil {
					t.Fatal(err)
				}
				ps.now = ps.now.Add(time.Minute)
			}
			record(true)
			if tt.pastDown {
				record(false)
				record(false)
				record(true)
				record(true)
			}
			ps.notify(t)
			if !tt.pastDown {
				record(false)
				record(false)
			}
			ps.notify(t)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			var got []notify.Type
			for _, k := range rec.keys {
				var ev notify.Event
				if err := json.Unmarshal(rec.bodies[k], &ev); err != nil {
					t.Fatal(err)
				}
				got = append(got, ev.Type)
				if ev.Component.Error != tt.wantError {
					t.Errorf("got error %q, want %q", ev.Component.Error, tt.wantError)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantTypes) {
				t.Errorf("got events %v, want %v", got, tt.wantTypes)
			}
			entries, err := os.ReadDir(filepath.Join(ps.dir, "incidents"))
			if err != nil {
				t.Fatal(err)
			}
			if drafts := len(entries) - 1; drafts != len(tt.wantTypes) { // less .keep
				t.Errorf("got %d drafts, want %d", drafts, len(tt.wantTypes))
			}
		})
	}
}
