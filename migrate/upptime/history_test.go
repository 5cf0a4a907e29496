package upptime

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator/uptime"
	"github.com/herald-status/herald/history"
	"github.com/herald-status/herald/migrate"
)

// commit is one commit of a test repository.
type commit struct {
	at      string // RFC 3339, the author and committer date
	subject string
}

// gitRepo makes a git repository in a temporary folder with files and
// the commits, dated as given, oldest first.
func gitRepo(tb testing.TB, files map[string]string, commits []commit) string {
	tb.Helper()
	dir := writeFiles(tb, files)
	git(tb, dir, nil, "init", "-q")
	git(tb, dir, nil, "add", "-A")
	for _, c := range commits {
		git(tb, dir, []string{"GIT_AUTHOR_DATE=" + c.at, "GIT_COMMITTER_DATE=" + c.at}, "commit", "-q", "--allow-empty", "-m", c.subject)
	}
	return dir
}

// writeFiles writes files, by slash path, into a temporary folder.
func writeFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// git runs git in dir, apart from the user's and the system's settings.
func git(tb testing.TB, dir string, env []string, args ...string) {
	tb.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Upptime Bot", "GIT_AUTHOR_EMAIL=bot@example.com",
		"GIT_COMMITTER_NAME=Upptime Bot", "GIT_COMMITTER_EMAIL=bot@example.com")
	cmd.Env = append(cmd.Env, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func needGit(tb testing.TB) {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("git is not installed; CI must have it")
		}
		tb.Skip("git is not installed")
	}
}

// heraldUptime records results in a real store, as migrate.Write does, and
// returns component's uptime over [from, to) in percent, as a page shows
// it: through the store's intervals and generator/uptime.
func heraldUptime(tb testing.TB, results []history.Result, component string, from, to time.Time) float64 {
	tb.Helper()
	ctx := context.Background()
	store, err := history.Open(filepath.Join(tb.TempDir(), "history.db"), history.Options{
		Components: map[string]history.ComponentOptions{component: {Interval: Interval, Confirm: 1}},
		Strict:     true,
	})
	if err != nil {
		tb.Fatal(err)
	}
	defer store.Close()
	var own []history.Result
	for _, r := range results {
		if r.Component == component {
			own = append(own, r)
		}
	}
	if err := store.Record(ctx, own); err != nil {
		tb.Fatal(err)
	}
	ivs, err := store.Intervals(ctx, component, from, to)
	if err != nil {
		tb.Fatal(err)
	}
	s := uptime.Window(uptime.Input{Component: component, Intervals: ivs, Loc: time.UTC, Now: to}, from, to)
	if !s.HasValue {
		tb.Fatalf("%s has no uptime over %s to %s", component, from, to)
	}
	if s.NoData > 0 {
		tb.Errorf("%s has %s without data over %s to %s, want none", component, s.NoData, from, to)
	}
	return s.Uptime * 100
}

// upptimeUptime is Upptime's all-time figure, as
// src/helpers/calculate-uptime.ts computes it: the time its issues were
// open (an issue opens at a down or degraded commit and closes at the
// next up commit) over the time from startTime to the summary.
func upptimeUptime(start, summary time.Time, issues [][2]time.Time) float64 {
	var down time.Duration
	for _, is := range issues {
		down += is[1].Sub(is[0])
	}
	return math.Max(0, 100-down.Seconds()/summary.Sub(start).Seconds()*100)
}

func mustTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func siteYML(start, updated string) string {
	return "url: https://example.com\nstatus: up\ncode: 200\nresponseTime: 80\nlastUpdated: " + updated + "\nstartTime: " + start + "\ngenerator: Upptime <https://github.com/upptime/upptime>\n"
}

func TestParseSubject(t *testing.T) {
	custom := Messages{Template: "$PREFIX [$STATUS] $SITE_NAME: $RESPONSE_CODE after $RESPONSE_TIME ms", Up: "UP", Down: "DOWN", Degraded: "SLOW"}
	tests := []struct {
		name    string
		msgs    Messages
		subject string
		site    string
		want    sample
		ok      bool
	}{
		{"default up", Messages{}, "🟩 API is up (200 in 138 ms) [skip ci] [upptime]", "API", sample{state: up, code: 200, ms: 138}, true},
		{"default down", Messages{}, "🟥 API is down (500 in 12 ms) [skip ci] [upptime]", "API", sample{state: down, code: 500, ms: 12}, true},
		{"default degraded", Messages{}, "🟨 API is degraded (200 in 6012 ms) [skip ci] [upptime]", "API", sample{state: degraded, code: 200, ms: 6012}, true},
		{"a name with is in it", Messages{}, "🟥 This is it is down (0 in 0 ms) [skip ci] [upptime]", "This is it", sample{state: down}, true},
		{"summary commit", Messages{}, ":card_file_box: Update status summary [skip ci] [upptime]", "", sample{}, false},
		{"a person's commit", Messages{}, "Add a site", "", sample{}, false},
		{"custom down", custom, "DOWN [down] Web shop: 503 after 40 ms", "Web shop", sample{state: down, code: 503, ms: 40}, true},
		{"custom degraded", custom, "SLOW [degraded] Web shop: 200 after 9000 ms", "Web shop", sample{state: degraded, code: 200, ms: 9000}, true},
		{"custom template, default subject", custom, "🟥 Web shop is down (503 in 40 ms) [skip ci] [upptime]", "", sample{}, false},
		{"prefix only", Messages{Template: "$PREFIX $SITE_NAME ($RESPONSE_CODE)", Down: "💥"}, "💥 Web shop (0)", "Web shop", sample{state: down}, true},
		{"only the first $STATUS is filled", Messages{Template: "$SITE_NAME $STATUS $STATUS"}, "API down $STATUS", "API", sample{state: down}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newSubjectParser(tt.msgs)
			if err != nil {
				t.Fatal(err)
			}
			site, got, ok := p.parse(tt.subject)
			if ok != tt.ok || site != tt.site || got != tt.want {
				t.Errorf("parse(%q) = %q, %+v, %v; want %q, %+v, %v", tt.subject, site, got, ok, tt.site, tt.want, tt.ok)
			}
		})
	}
}

func TestParserRefusesTemplate(t *testing.T) {
	for _, tmpl := range []string{"$PREFIX is $STATUS", "$SITE_NAME changed ($RESPONSE_CODE)"} {
		t.Run(tmpl, func(t *testing.T) {
			_, err := newSubjectParser(Messages{Template: tmpl})
			if err == nil || !strings.Contains(err.Error(), "commitMessages.statusChange") {
				t.Errorf("got %v, want an error naming commitMessages.statusChange", err)
			}
		})
	}
}

// outageRepo is an Upptime repository with two sites and outages: a down
// and a degraded spell for API, one outage for Web.
func outageRepo(tb testing.TB) (dir string, issues map[string][][2]time.Time) {
	tb.Helper()
	dir = gitRepo(tb, map[string]string{
		"history/api.yml": siteYML("2026-01-01T09:00:00.000Z", "2026-01-10T23:00:00.000Z"),
		"history/web.yml": siteYML("2026-01-02T00:00:00.000Z", "2026-01-10T23:00:00.000Z"),
		"history/summary.json": `[{"slug": "api", "uptime": "99.00%", "time": 90, "dailyMinutesDown": {}},
{"slug": "web", "uptime": "99.00%", "time": 40, "dailyMinutesDown": {}}]`,
	}, []commit{
		{"2026-01-01T09:00:00Z", "Initial commit"},
		{"2026-01-01T09:05:00Z", "🟩 API is up (200 in 80 ms) [skip ci] [upptime]"},
		{"2026-01-02T00:00:00Z", "🟩 Web is up (200 in 30 ms) [skip ci] [upptime]"},
		// Upptime commits every site once a day, at 23:00 here.
		{"2026-01-02T23:00:00Z", "🟩 API is up (200 in 75 ms) [skip ci] [upptime]"},
		{"2026-01-02T23:00:00Z", "🟩 Web is up (200 in 30 ms) [skip ci] [upptime]"},
		{"2026-01-03T14:17:00Z", "🟥 API is down (500 in 20 ms) [skip ci] [upptime]"},
		{"2026-01-03T17:02:00Z", "🟩 API is up (200 in 85 ms) [skip ci] [upptime]"},
		{"2026-01-03T23:00:00Z", "🟩 API is up (200 in 75 ms) [skip ci] [upptime]"},
		{"2026-01-03T23:00:00Z", "🟩 Web is up (200 in 30 ms) [skip ci] [upptime]"},
		{"2026-01-04T00:30:00Z", ":card_file_box: Update status summary [skip ci] [upptime]"},
		{"2026-01-04T23:00:00Z", "🟩 API is up (200 in 75 ms) [skip ci] [upptime]"},
		{"2026-01-04T23:00:00Z", "🟩 Web is up (200 in 30 ms) [skip ci] [upptime]"},
		{"2026-01-05T23:00:00Z", "🟩 API is up (200 in 70 ms) [skip ci] [upptime]"},
		{"2026-01-05T23:00:00Z", "🟩 Web is up (200 in 31 ms) [skip ci] [upptime]"},
		{"2026-01-06T08:00:00Z", "🟥 Web is down (0 in 0 ms) [skip ci] [upptime]"},
		{"2026-01-06T08:03:00Z", "🟥 Old site is down (0 in 0 ms) [skip ci] [upptime]"},
		{"2026-01-06T20:00:00Z", "🟩 Web is up (200 in 33 ms) [skip ci] [upptime]"},
		{"2026-01-07T06:00:00Z", "🟨 API is degraded (200 in 7000 ms) [skip ci] [upptime]"},
		{"2026-01-07T06:40:00Z", "🟩 API is up (200 in 90 ms) [skip ci] [upptime]"},
		{"2026-01-07T23:00:00Z", "🟩 API is up (200 in 70 ms) [skip ci] [upptime]"},
		{"2026-01-07T23:00:00Z", "🟩 Web is up (200 in 31 ms) [skip ci] [upptime]"},
		{"2026-01-08T12:00:00Z", "🟥 Old site is down (0 in 0 ms) [skip ci] [upptime]"},
		{"2026-01-08T23:00:00Z", "🟩 API is up (200 in 70 ms) [skip ci] [upptime]"},
		{"2026-01-08T23:00:00Z", "🟩 Web is up (200 in 31 ms) [skip ci] [upptime]"},
		{"2026-01-09T00:30:00Z", ":card_file_box: Update status summary [skip ci] [upptime]"},
	})
	return dir, map[string][][2]time.Time{
		"api": {{mustTime(tb, "2026-01-03T14:17:00Z"), mustTime(tb, "2026-01-03T17:02:00Z")}, {mustTime(tb, "2026-01-07T06:00:00Z"), mustTime(tb, "2026-01-07T06:40:00Z")}},
		"web": {{mustTime(tb, "2026-01-06T08:00:00Z"), mustTime(tb, "2026-01-06T20:00:00Z")}},
	}
}

var outageSites = []HistorySite{{Name: "API", Slug: "api", Component: "api"}, {Name: "Web", Slug: "web", Component: "web"}}

// TestUptimeMatchesUpptime checks herald's uptime over Upptime's span,
// startTime to the last summary commit, against Upptime's own figure.
func TestUptimeMatchesUpptime(t *testing.T) {
	needGit(t)
	dir, issues := outageRepo(t)
	results, notes, err := History(context.Background(), dir, outageSites, Messages{})
	if err != nil {
		t.Fatal(err)
	}
	summaryAt := mustTime(t, "2026-01-09T00:30:00Z")
	for _, tt := range []struct {
		component string
		start     time.Time
	}{
		{"api", mustTime(t, "2026-01-01T09:00:00Z")},
		{"web", mustTime(t, "2026-01-02T00:00:00Z")},
	} {
		t.Run(tt.component, func(t *testing.T) {
			want := upptimeUptime(tt.start, summaryAt, issues[tt.component])
			got := heraldUptime(t, results, tt.component, tt.start, summaryAt)
			t.Logf("herald %.3f%%, Upptime %.3f%%", got, want)
			if math.Abs(got-want) > 0.1 {
				t.Errorf("got uptime %.3f%%, want Upptime's %.3f%% within 0.1", got, want)
			}
			if want > 99.9 {
				t.Errorf("Upptime's uptime is %.3f%%: the outages are too short to tell a wrong import", want)
			}
		})
	}
	unknown := 0
	for _, n := range notes {
		if strings.Contains(n.What, `"Old site"`) {
			unknown++
			if !strings.Contains(n.What, "2 status commits") {
				t.Errorf("got note %q, want it to count 2 commits", n)
			}
		}
	}
	if unknown != 1 {
		t.Errorf("got %d notes on Old site, want 1: %v", unknown, notes)
	}
}

// TestResults checks the results themselves: one every Interval, each
// with its commit's status code and latency, degraded failing as in
// Upptime's uptime, and in time order.
func TestResults(t *testing.T) {
	needGit(t)
	dir, _ := outageRepo(t)
	results, _, err := History(context.Background(), dir, outageSites, Messages{})
	if err != nil {
		t.Fatal(err)
	}
	at := func(component, when string) history.Result {
		t.Helper()
		want := mustTime(t, when)
		i := slices.IndexFunc(results, func(r history.Result) bool { return r.Component == component && r.Time.Equal(want) })
		if i < 0 {
			t.Fatalf("no result for %s at %s", component, when)
		}
		return results[i]
	}
	tests := []struct {
		name      string
		component string
		at        string
		ok        bool
		status    int
		latency   float64
	}{
		{"a down commit", "api", "2026-01-03T14:17:00Z", false, 500, 20},
		{"while down", "api", "2026-01-03T17:02:00Z", true, 200, 85},
		{"the state holds", "api", "2026-01-03T16:57:00Z", false, 500, 20},
		{"degraded is a failure", "api", "2026-01-07T06:35:00Z", false, 200, 7000},
		{"before the first commit: summary.json", "api", "2026-01-01T09:00:00Z", true, 0, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := at(tt.component, tt.at)
			if r.OK != tt.ok || r.Status != tt.status || r.LatencyMS != tt.latency {
				t.Errorf("got ok %v, status %d, latency %g; want %v, %d, %g", r.OK, r.Status, r.LatencyMS, tt.ok, tt.status, tt.latency)
			}
		})
	}
	for i := 1; i < len(results); i++ {
		a, b := results[i-1], results[i]
		if a.Component == b.Component && b.Time.Sub(a.Time) > Interval {
			t.Fatalf("got results %s and %s for %s, want at most %s apart", a.Time, b.Time, a.Component, Interval)
		}
		if a.Component == b.Component && !a.Time.Before(b.Time) {
			t.Fatalf("got results out of order: %s then %s", a.Time, b.Time)
		}
	}
}

func TestCustomMessages(t *testing.T) {
	needGit(t)
	msgs := Messages{Template: "$PREFIX $SITE_NAME went $STATUS [$RESPONSE_CODE, $RESPONSE_TIME ms]", Summary: "Update summary", Up: "✅", Down: "❌", Degraded: "⚠️"}
	dir := gitRepo(t, map[string]string{
		"history/api.yml":      siteYML("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"),
		"history/summary.json": `[{"slug": "api", "time": 90, "dailyMinutesDown": {}}]`,
	}, []commit{
		{"2026-03-01T00:00:00Z", "✅ API went up [200, 80 ms]"},
		{"2026-03-01T06:00:00Z", "❌ API went down [502, 10 ms]"},
		{"2026-03-01T12:00:00Z", "✅ API went up [200, 80 ms]"},
		{"2026-03-01T18:00:00Z", "🟥 API is down (500 in 1 ms) [skip ci] [upptime]"},
		{"2026-03-02T00:00:00Z", "Update summary"},
	})
	results, _, err := History(context.Background(), dir, []HistorySite{{Name: "API", Slug: "api", Component: "api"}}, msgs)
	if err != nil {
		t.Fatal(err)
	}
	from, to := mustTime(t, "2026-03-01T00:00:00Z"), mustTime(t, "2026-03-02T00:00:00Z")
	// A quarter of the day down: the subject in the default form is not
	// this repository's, so it is not a status commit.
	if got, want := heraldUptime(t, results, "api", from, to), 75.0; math.Abs(got-want) > 0.01 {
		t.Errorf("got uptime %.3f%%, want %.3f%%", got, want)
	}
}

// TestGapsAndNoGit checks the fallback to summary.json's dailyMinutesDown:
// in a gap of the log, and for a folder that is not a git repository.
func TestGapsAndNoGit(t *testing.T) {
	needGit(t)
	files := map[string]string{
		"history/api.yml": siteYML("2026-02-01T00:00:00.000Z", "2026-02-10T00:00:00.000Z"),
		"history/summary.json": `[
  {"slug": "api", "uptime": "99.31%", "time": 120,
   "dailyMinutesDown": {"2026-02-04": 60, "2026-02-05": 1440, "2026-02-08": 30}}
]`,
	}
	sites := []HistorySite{{Name: "API", Slug: "api", Component: "api"}}
	start, end := mustTime(t, "2026-02-01T00:00:00Z"), mustTime(t, "2026-02-10T00:00:00Z")
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		// down is the time herald counts down over [start, end).
		down time.Duration
		note string
	}{
		{
			name: "a gap in the log",
			dir: func(t *testing.T) string {
				return gitRepo(t, files, []commit{
					{"2026-02-01T00:00:00Z", "🟩 API is up (200 in 100 ms) [skip ci] [upptime]"},
					{"2026-02-02T00:00:00Z", "🟩 API is up (200 in 100 ms) [skip ci] [upptime]"},
					// Nothing from Feb 2 to Feb 8: Feb 4 and 5 come
					// from dailyMinutesDown.
					{"2026-02-08T10:00:00Z", "🟥 API is down (500 in 5 ms) [skip ci] [upptime]"},
					{"2026-02-08T10:30:00Z", "🟩 API is up (200 in 100 ms) [skip ci] [upptime]"},
					{"2026-02-10T00:00:00Z", ":card_file_box: Update status summary [skip ci] [upptime]"},
				})
			},
			// Feb 8's 30 minutes are in the log, and not counted twice.
			down: 60*time.Minute + 24*time.Hour + 30*time.Minute,
			note: "filled from history/summary.json's dailyMinutesDown",
		},
		{
			name: "not a git repository",
			dir:  func(t *testing.T) string { return writeFiles(t, files) },
			down: 60*time.Minute + 24*time.Hour + 30*time.Minute,
			note: "the history comes from history/summary.json only",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, notes, err := History(context.Background(), tt.dir(t), sites, Messages{})
			if err != nil {
				t.Fatal(err)
			}
			want := 100 * (1 - tt.down.Seconds()/end.Sub(start).Seconds())
			if got := heraldUptime(t, results, "api", start, end); math.Abs(got-want) > 0.001 {
				t.Errorf("got uptime %.4f%%, want %.4f%%", got, want)
			}
			if !slices.ContainsFunc(notes, func(n migrate.Note) bool { return strings.Contains(n.String(), tt.note) }) {
				t.Errorf("got notes %v, want one saying %q", notes, tt.note)
			}
		})
	}
}

func TestBadFiles(t *testing.T) {
	summary := filepath.Join("history", "summary.json")
	tests := []struct {
		name  string
		files map[string]string
		sites []HistorySite
		want  []string // each error, after the folder
	}{
		{
			name: "every bad file in one run",
			files: map[string]string{
				"history/api.yml":      "url: https://example.com\nstatus: up\nstartTime: yesterday\n",
				"history/web.yml":      "- url: https://example.com\n- startTime: 2026-13-01T00:00:00Z\n",
				"history/summary.json": "[\n  {\"slug\": \"api\",\n   \"dailyMinutesDown\": {\"2026-02-04\": 60,}}\n]\n",
			},
			sites: outageSites,
			want: []string{
				summary + ":3:42: malformed JSON",
				filepath.Join("history", "api.yml") + `:3:12: startTime "yesterday" is not a time`,
				filepath.Join("history", "web.yml") + `:2:14: startTime "2026-13-01T00:00:00Z" is not a time`,
			},
		},
		{
			name:  "a day that is not a day",
			files: map[string]string{"history/summary.json": "[\n  {\"slug\": \"api\",\n   \"dailyMinutesDown\": {\"Feb 4\": 60}}\n]\n"},
			sites: outageSites[:1],
			want:  []string{summary + `:3:25: dailyMinutesDown of "api": "Feb 4": 60 is not a day`},
		},
		{
			name:  "a value of the wrong type",
			files: map[string]string{"history/summary.json": "[\n  {\"slug\": \"api\", \"time\": \"fast\"}\n]\n"},
			sites: outageSites[:1],
			want:  []string{summary + `:2:32: time is a JSON string, not a float64`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			_, _, err := History(context.Background(), dir, tt.sites, Messages{})
			if err == nil {
				t.Fatal("got no error, want one for each bad file")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), filepath.Join(dir, want)) {
					t.Errorf("got error\n%v\nwant it to hold %q", err, filepath.Join(dir, want))
				}
			}
		})
	}
}

// TestSpanCap checks that a start time long before the end does not make
// results without bound.
func TestSpanCap(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"history/api.yml":      siteYML("1990-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
		"history/summary.json": `[{"slug": "api", "time": 50, "dailyMinutesDown": {}}]`,
	})
	results, notes, err := History(context.Background(), dir, outageSites[:1], Messages{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(results), int(maxSpan/Interval); got != want {
		t.Errorf("got %d results, want %d", got, want)
	}
	if got, want := results[0].Time, mustTime(t, "2026-01-01T00:00:00Z").Add(-maxSpan); !got.Equal(want) {
		t.Errorf("got the first result at %s, want %s", got, want)
	}
	if !slices.ContainsFunc(notes, func(n migrate.Note) bool { return strings.Contains(n.String(), "at most 3 years") }) {
		t.Errorf("got notes %v, want one on what was left out", notes)
	}
}

// TestCancel checks that a git log that does not end is stopped with the
// context. git itself cannot be made to hang, so a stand-in named git,
// first on PATH, does.
func TestCancel(t *testing.T) {
	bin := writeFiles(t, map[string]string{"git": "#!/bin/sh\nexec sleep 30\n"})
	if err := os.Chmod(filepath.Join(bin, "git"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := writeFiles(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, _, err := History(ctx, dir, outageSites, Messages{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got error %v, want the context's", err)
	}
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("History took %s after its context ended, want it to stop", took)
	}
}

// TestGitEnvironment checks that git reads SOURCE's log even where the
// environment points git elsewhere, as in a git hook.
func TestGitEnvironment(t *testing.T) {
	needGit(t)
	dir, issues := outageRepo(t)
	other := gitRepo(t, nil, []commit{{"2026-01-01T00:00:00Z", "🟩 API is up (200 in 1 ms) [skip ci] [upptime]"}})
	t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
	t.Setenv("GIT_WORK_TREE", other)
	results, _, err := History(context.Background(), dir, outageSites, Messages{})
	if err != nil {
		t.Fatal(err)
	}
	start, summaryAt := mustTime(t, "2026-01-01T09:00:00Z"), mustTime(t, "2026-01-09T00:30:00Z")
	want := upptimeUptime(start, summaryAt, issues["api"])
	if got := heraldUptime(t, results, "api", start, summaryAt); math.Abs(got-want) > 0.1 {
		t.Errorf("got uptime %.3f%%, want %.3f%%: the log of GIT_DIR was read", got, want)
	}
}
