package upptime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/generator/incident"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/upptime"
)

const issuesRC = `owner: acme
repo: status
sites:
  - name: API
    slug: api
    url: https://api.example.com/
  - name: Web Site
    url: https://www.example.com/
status-website:
  name: Acme Status
  cname: status.example.com
`

// gh writes each issue with these fields; closedAt is null while open.
type ghIssue struct {
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt string    `json:"createdAt"`
	ClosedAt  *string   `json:"closedAt"`
	Labels    []ghLabel `json:"labels"`
	Comments  []ghNote  `json:"comments"`
}

type ghLabel struct {
	Name string `json:"name"`
}

type ghNote struct {
	Author    struct{ Login string } `json:"author"`
	Body      string                 `json:"body"`
	CreatedAt string                 `json:"createdAt"`
}

func labels(names ...string) []ghLabel {
	var out []ghLabel
	for _, n := range names {
		out = append(out, ghLabel{n})
	}
	return out
}

func comment(at, body string) ghNote {
	return ghNote{Body: body, CreatedAt: at}
}

func ptr(s string) *string { return &s }

// issuesJSON is issues as gh writes them, indented.
func issuesJSON(tb testing.TB, issues ...ghIssue) string {
	tb.Helper()
	out, err := json.MarshalIndent(issues, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return string(out)
}

// timeline is an incident's updates, one "time status: body" a line.
func timeline(in migrate.Incident) []string {
	var out []string
	for _, u := range in.Updates {
		out = append(out, fmt.Sprintf("%s %s: %s", u.Time.Format(time.RFC3339), u.Status, u.Body))
	}
	return out
}

func TestReadIssues(t *testing.T) {
	const upptimeBody = "In [`abc1234`](https://github.com/acme/status/commit/abc1234), API (https://api.example.com/) was **down**:\n- HTTP code: 503\n- Response time: 120 ms\n"
	tests := []struct {
		name       string
		issue      ghIssue
		slug       string
		components map[string]string
		resolved   string // RFC 3339, "" for ongoing
		timeline   []string
		note       string // in a note, if set
	}{
		{
			name: "down, closed by Upptime",
			issue: ghIssue{Number: 7, Title: "🛑 API is down", Body: upptimeBody,
				CreatedAt: "2026-11-01T10:00:12Z", ClosedAt: ptr("2026-11-01T10:35:09Z"), Labels: labels("status", "api"),
				Comments: []ghNote{comment("2026-11-01T10:35:05Z", "**Resolved:** API is back up in [`def5678`](https://github.com/acme/status/commit/def5678) after 35 minutes.")}},
			slug:       "2026-11-01-api-issue-7",
			components: map[string]string{"api": "major_outage"},
			resolved:   "2026-11-01T10:35:09Z",
			timeline: []string{
				"2026-11-01T10:00:12Z investigating: " + upptimeBody,
				"2026-11-01T10:35:05Z resolved: **Resolved:** API is back up in [`def5678`](https://github.com/acme/status/commit/def5678) after 35 minutes.",
			},
		},
		{
			name: "degraded, labelled by the slug Upptime made",
			issue: ghIssue{Number: 8, Title: "⚠️ Web Site has degraded performance", Body: "slow",
				CreatedAt: "2026-11-02T08:00:00Z", ClosedAt: ptr("2026-11-02T09:00:00Z"), Labels: labels("status", "web-site")},
			slug:       "2026-11-02-web-site-issue-8",
			components: map[string]string{"web-site": "degraded_performance"},
			resolved:   "2026-11-02T09:00:00Z",
			timeline: []string{
				"2026-11-02T08:00:00Z investigating: slow",
				"2026-11-02T09:00:00Z resolved: ",
			},
		},
		{
			name: "open, with a comment",
			issue: ghIssue{Number: 9, Title: "🛑 API is down", Body: "down",
				CreatedAt: "2026-11-03T08:00:00Z", Labels: labels("status", "api"),
				Comments: []ghNote{comment("2026-11-03T08:20:00Z", "We are on it.")}},
			slug:       "2026-11-03-api-issue-9",
			components: map[string]string{"api": "major_outage"},
			timeline: []string{
				"2026-11-03T08:00:00Z investigating: down",
				"2026-11-03T08:20:00Z investigating: We are on it.",
			},
		},
		{
			name: "open, with Go's zero time as closedAt",
			issue: ghIssue{Number: 13, Title: "🛑 API is down", Body: "down",
				CreatedAt: "2026-11-07T08:00:00Z", ClosedAt: ptr("0001-01-01T00:00:00Z"), Labels: labels("status", "api")},
			slug:       "2026-11-07-api-issue-13",
			components: map[string]string{"api": "major_outage"},
			timeline:   []string{"2026-11-07T08:00:00Z investigating: down"},
		},
		{
			name: "closed by a person with a comment, and a comment after",
			issue: ghIssue{Number: 10, Title: "🛑 API is down", Body: "down",
				CreatedAt: "2026-11-04T08:00:00Z", ClosedAt: ptr("2026-11-04T09:00:00Z"), Labels: labels("status", "api"),
				Comments: []ghNote{
					comment("2026-11-04T09:00:00Z", "Fixed the load balancer."),
					comment("2026-11-06T12:00:00Z", "The cause was a certificate."),
				}},
			slug:       "2026-11-04-api-issue-10",
			components: map[string]string{"api": "major_outage"},
			resolved:   "2026-11-04T09:00:00Z",
			timeline: []string{
				"2026-11-04T08:00:00Z investigating: down",
				"2026-11-04T09:00:00Z resolved: Fixed the load balancer.",
				"2026-11-06T12:00:00Z postmortem: The cause was a certificate.",
			},
		},
		{
			name: "no slug label: the site is found by the title",
			issue: ghIssue{Number: 11, Title: "🛑 Web Site is down", Body: "down",
				CreatedAt: "2026-11-05T08:00:00Z", ClosedAt: ptr("2026-11-05T08:10:00Z"), Labels: labels("status")},
			slug:       "2026-11-05-web-site-issue-11",
			components: map[string]string{"web-site": "major_outage"},
			resolved:   "2026-11-05T08:10:00Z",
			timeline: []string{
				"2026-11-05T08:00:00Z investigating: down",
				"2026-11-05T08:10:00Z resolved: ",
			},
		},
		{
			name: "no site at all",
			issue: ghIssue{Number: 12, Title: "Status page is slow", Body: "Reported by a user.",
				CreatedAt: "2026-11-06T08:00:00Z", ClosedAt: ptr("2026-11-06T08:10:00Z"), Labels: labels("status", "bug")},
			slug:       "2026-11-06-status-page-is-slow-issue-12",
			components: map[string]string{},
			resolved:   "2026-11-06T08:10:00Z",
			timeline: []string{
				"2026-11-06T08:00:00Z investigating: Reported by a user.",
				"2026-11-06T08:10:00Z resolved: ",
			},
			note: "issues.json:2: issue #12 has no label naming a site, nor a title that does, migrated it with no component",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t, issuesRC, map[string]string{"issues.json": issuesJSON(t, tt.issue)})
			s, err := upptime.Read(context.Background(), dir, filepath.Join(dir, "issues.json"))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(s.Incidents) != 1 {
				t.Fatalf("got %d incidents, want 1", len(s.Incidents))
			}
			in := s.Incidents[0]
			if in.Slug != tt.slug {
				t.Errorf("got slug %q, want %q", in.Slug, tt.slug)
			}
			if in.Title != tt.issue.Title {
				t.Errorf("got title %q, want %q", in.Title, tt.issue.Title)
			}
			if !maps.Equal(in.Components, tt.components) {
				t.Errorf("got components %v, want %v", in.Components, tt.components)
			}
			if got := in.Started.Format(time.RFC3339); got != tt.issue.CreatedAt {
				t.Errorf("got started %s, want %s", got, tt.issue.CreatedAt)
			}
			resolved := ""
			if !in.Resolved.IsZero() {
				resolved = in.Resolved.Format(time.RFC3339)
			}
			if resolved != tt.resolved {
				t.Errorf("got resolved %q, want %q", resolved, tt.resolved)
			}
			if got := timeline(in); !slices.Equal(got, tt.timeline) {
				t.Errorf("got timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.timeline, "\n"))
			}
			if got := notes(dir, s); tt.note != "" && !strings.Contains(got, tt.note) {
				t.Errorf("got notes:\n%s\nwant one holding %q", got, tt.note)
			}
		})
	}
}

func TestReadIssuesErrors(t *testing.T) {
	good := `{"number": 1, "title": "🛑 API is down", "body": "", "createdAt": "2026-11-01T10:00:00Z", "closedAt": null, "labels": [], "comments": []}`
	tests := []struct {
		name   string
		issues string
		want   []string
	}{
		{"malformed JSON", "[\n" + good + ",\n  {\"number\": 2,,\n]", []string{"issues.json:3:16: malformed JSON"}},
		{"not a list", `{"number": 1}`, []string{"issues.json:1:1: not a JSON list of issues (write it with gh issue list"}},
		{"a field of the wrong type", "[\n  {\"number\": \"one\"}\n]", []string{"issues.json:2:", "number is a JSON string, not a int"}},
		{"every bad time in one run", "[\n" + strings.Replace(good, "2026-11-01T10:00:00Z", "yesterday", 1) + ",\n" +
			strings.Replace(strings.Replace(good, `"number": 1`, `"number": 2`, 1), "null", `"soon"`, 1) + "\n]",
			[]string{
				`issues.json:2:1: issue #1: createdAt "yesterday" is not a time`,
				`issues.json:3:1: issue #2: closedAt "soon" is not a time`,
			}},
		{"a comment's bad time", "[\n" + strings.Replace(good, `"comments": []`, `"comments": [{"body": "x", "createdAt": "later"}]`, 1) + "\n]",
			[]string{`issues.json:2:1: issue #1: a comment's createdAt "later" is not a time`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t, issuesRC, map[string]string{"issues.json": tt.issues})
			_, err := upptime.Read(context.Background(), dir, filepath.Join(dir, "issues.json"))
			if err == nil {
				t.Fatal("got no error")
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("got error:\n%s\nwant it to hold %q", got, want)
				}
			}
		})
	}
}

// checkSite is a migrate.Check that runs herald check on the staged site.
func checkSite(now time.Time) migrate.Check {
	return func(ctx context.Context, staged string) error {
		s, err := generator.Load(ctx, staged, now)
		if err == nil {
			err = generator.Check(ctx, s, now)
		}
		return err
	}
}

// TestIssuesSiteChecks migrates a small Upptime repository with outages
// and checks that herald accepts and builds the site and reads the
// incidents back.
func TestIssuesSiteChecks(t *testing.T) {
	issues := []ghIssue{
		{Number: 3, Title: "🛑 API is down", Body: "In [`abc1234`](https://github.com/acme/status/commit/abc1234), API was **down**:\n- HTTP code: 503\n",
			CreatedAt: "2026-11-01T10:00:12Z", ClosedAt: ptr("2026-11-01T10:35:09Z"), Labels: labels("status", "api"),
			Comments: []ghNote{comment("2026-11-01T10:35:05Z", "**Resolved:** API is back up.")}},
		{Number: 4, Title: "⚠️ Web Site has degraded performance", Body: "## Slow\nPages took 9 s.",
			CreatedAt: "2026-11-20T08:00:00Z", Labels: labels("status", "web-site"),
			Comments: []ghNote{
				comment("2026-11-20T08:30:00Z", "Cause\n---\nA disk.\n\n2 servers\n---"),
				comment("2026-11-20T08:40:00Z", "```\n## not a heading\n```\n\n- item\n---\n\n    ## indented code"),
				comment("2026-11-20T08:50:00Z", "Typed on github.com:\r\n\r\nCause\r\n---\r\n## Next\r\nWatching."),
			}},
		{Number: 5, Title: "🛑 Gone Site is down", Body: "down", CreatedAt: "2026-10-01T08:00:00Z", ClosedAt: ptr("2026-10-01T08:05:00Z"), Labels: labels("status", "gone-site")},
	}
	dir := writeRepo(t, issuesRC, map[string]string{"issues.json": issuesJSON(t, issues...)})
	site, err := upptime.Read(context.Background(), dir, filepath.Join(dir, "issues.json"))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	out := t.TempDir()
	ctx := context.Background()
	sum, err := migrate.Write(ctx, out, site, false, checkSite(now))
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	for _, f := range sum.Files {
		if b, _ := os.ReadFile(filepath.Join(out, f)); strings.Contains(string(b), "\r") {
			t.Errorf("got a carriage return in %s, want LF line ends only", f)
		}
	}
	s, err := generator.Load(ctx, out, now)
	if err != nil {
		t.Fatalf("generator.Load: %v", err)
	}
	if _, err := generator.Build(ctx, s, generator.Options{Out: filepath.Join(t.TempDir(), "public"), Now: now}); err != nil {
		t.Fatalf("generator.Build: %v", err)
	}
	tests := []struct {
		slug, title string
		components  []string
		ongoing     bool
	}{
		{"2026-11-01-api-issue-3", "🛑 API is down", []string{"api"}, false},
		{"2026-11-20-web-site-issue-4", "⚠️ Web Site has degraded performance", []string{"web-site"}, true},
		{"2026-10-01-gone-site-is-down-issue-5", "🛑 Gone Site is down", nil, false},
	}
	if len(s.Incidents) != len(tests) {
		t.Fatalf("got %d incidents, want %d", len(s.Incidents), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			i := slices.IndexFunc(s.Incidents, func(in *incident.Incident) bool { return in.Slug == tt.slug })
			if i < 0 {
				t.Fatalf("no incident %s", tt.slug)
			}
			in := s.Incidents[i]
			if in.Title != tt.title {
				t.Errorf("got title %q, want %q", in.Title, tt.title)
			}
			var ids []string
			for _, c := range in.Affected {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, tt.components) {
				t.Errorf("got components %v, want %v", ids, tt.components)
			}
			if got := in.Resolved.IsZero(); got != tt.ongoing {
				t.Errorf("got ongoing %v, want %v", got, tt.ongoing)
			}
		})
	}
}

// TestReadReportsBothFiles: a mistake in .upptimerc.yml does not hide one
// in the issues file.
func TestReadReportsBothFiles(t *testing.T) {
	tests := []struct {
		name, rc string
		want     []string
	}{
		{"a bad site", "owner: a\nrepo: b\nsites:\n  - url: https://www.example.com/\n", []string{
			".upptimerc.yml:4:5: a site has no name",
			`issues.json:1:2: issue #1: createdAt "later" is not a time`,
		}},
		{"broken YAML", "owner: a\nsites: [\n", []string{
			".upptimerc.yml:2:1: invalid YAML",
			`issues.json:1:2: issue #1: createdAt "later" is not a time`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t, tt.rc, map[string]string{"issues.json": `[{"number": 1, "title": "x", "createdAt": "later"}]`})
			_, err := upptime.Read(context.Background(), dir, filepath.Join(dir, "issues.json"))
			if err == nil {
				t.Fatal("got no error")
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
			for _, want := range tt.want {
				if !strings.Contains(got, want) {
					t.Errorf("got error:\n%s\nwant it to hold %q", got, want)
				}
			}
		})
	}
}
