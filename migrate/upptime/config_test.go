package upptime_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herald-status/herald/generator"
	"github.com/herald-status/herald/migrate"
	"github.com/herald-status/herald/migrate/upptime"
)

// writeRepo writes an Upptime repository holding rc as .upptimerc.yml
// (none when rc is ""), and the files name → text.
func writeRepo(tb testing.TB, rc string, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	if rc != "" {
		files = mapWith(files, upptime.ConfigFile, rc)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func mapWith(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// notes is every note of s, one a line, with the file named by its base.
func notes(dir string, s *migrate.Site) string {
	var b strings.Builder
	for _, n := range s.Unmapped {
		if n.File == dir {
			n.File = "."
		}
		n.File = strings.TrimPrefix(n.File, dir+string(filepath.Separator))
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

func TestReadConfig(t *testing.T) {
	tests := []struct {
		name        string
		rc          string
		ids         []string          // the components' ids, in order
		probes      map[string]string // id → probe, as written
		title, base string
		desc        string
		notes       []string // each is in a note
		notNotes    []string // none is in any note
	}{
		{
			name: "the site and its slugs",
			rc: `owner: acme
repo: status
sites:
  - name: API
    url: https://api.example.com/
    slug: api-v1
  - name: BandLab & Friends
    url: https://www.example.com/
  - name: My Site
    url: https://my.example.com/
    slug: My_Site
status-website:
  name: Acme Status
  introTitle: "**Acme** availability"
  cname: status.example.com
`,
			ids:   []string{"api-v1", "band-lab-and-friends", "my-site"},
			title: "Acme Status", base: "https://status.example.com/", desc: "Acme availability",
			notes: []string{
				`.upptimerc.yml:11: slug "My_Site" is not a herald id, made it "my-site"`,
				".upptimerc.yml:14: status-website.introTitle is Markdown, and herald's description plain text, dropped its formatting",
			},
		},
		{
			name: "an http probe with method, codes, headers and secrets",
			rc: `owner: acme
repo: status
sites:
  - name: API
    url: https://api.example.com/$API_PATH?key=${{ secrets.API_KEY }}&filter=$top
    method: post
    expectedStatusCodes: [200, "201"]
    headers:
      - "Authorization: Bearer $API_TOKEN"
      - "X-Trace: on"
    __dangerous__body_down_if_text_missing: healthy
status-website:
  cname: status.example.com
`,
			ids: []string{"api"},
			probes: map[string]string{"api": `http: https://api.example.com/${API_PATH}?key=${API_KEY}&filter=$top
method: POST
headers:
    Authorization: Bearer ${API_TOKEN}
    X-Trace: "on"
interval: 5m
timeout: 30s
expect:
    status: [200, 201]
    body_contains: healthy
`},
			notes: []string{
				".upptimerc.yml:5: secret API_PATH is read from the environment, wrote it as ${API_PATH}; export API_PATH where herald probe runs",
				".upptimerc.yml:5: secret API_KEY is read from the environment",
				".upptimerc.yml:9: secret API_TOKEN is read from the environment",
				`.upptimerc.yml:1: no status-website.name, titled the site "status"`,
			},
			notNotes: []string{"secret top"},
		},
		{
			name: "tcp-ping, ws and a tcp-ping without port",
			rc: `owner: acme
repo: status
sites:
  - name: Database
    check: tcp-ping
    url: db.example.com
    port: 5432
  - name: Socket
    check: ws
    url: wss://ws.example.com/
  - name: Cache
    check: tcp-ping
    url: cache.example.com
    method: HEAD
status-website:
  cname: status.example.com
`,
			ids: []string{"database", "socket", "cache"},
			probes: map[string]string{
				"database": "tcp: db.example.com:5432\ninterval: 5m\ntimeout: 30s\n",
				"socket":   "",
				"cache":    "",
			},
			notes: []string{
				`.upptimerc.yml:10: check "ws" of site "Socket" has no herald probe, left it without a probe`,
				`.upptimerc.yml:13: tcp-ping site "Cache" has http settings (method, headers, expected codes or text), dropped them`,
				`.upptimerc.yml:13: tcp-ping site "Cache" has no port`,
			},
		},
		{
			name: "a URL from secrets, in part or whole",
			rc: `owner: acme
repo: status
sites:
  - name: API
    url: https://$API_HOST/health
  - name: Secret Site
    url: $SECRET_SITE
  - name: FTP
    url: ftp://files.example.com/
status-website:
  cname: status.example.com
`,
			ids: []string{"api", "secret-site", "ftp"},
			probes: map[string]string{
				"api":         "http: https://${API_HOST}/health\ninterval: 5m\ntimeout: 30s\n",
				"secret-site": "http: ${SECRET_SITE}\ninterval: 5m\ntimeout: 30s\n",
				"ftp":         "",
			},
			notes: []string{`.upptimerc.yml:9: url of site "FTP" is not an http(s) URL, left it without a probe`},
		},
		{
			name: "maxResponseTime is degraded_over, never a max_latency",
			rc: `owner: acme
repo: status
sites:
  - name: Web
    url: https://www.example.com/
    maxResponseTime: 2000
  - name: DB
    url: db.example.com
    check: tcp-ping
    port: 5432
    maxResponseTime: 750
status-website:
  cname: status.example.com
`,
			ids: []string{"web", "db"},
			probes: map[string]string{
				"web": "http: https://www.example.com/\ninterval: 5m\ntimeout: 30s\ndegraded_over: 2s\n",
				"db":  "tcp: db.example.com:5432\ninterval: 5m\ntimeout: 30s\ndegraded_over: 750ms\n",
			},
			notNotes: []string{"maxResponseTime"},
		},
		{
			name: "a maxResponseTime herald cannot use is a note",
			rc: `owner: acme
repo: status
sites:
  - name: Web
    url: https://www.example.com/
    maxResponseTime: 60000
  - name: API
    url: https://api.example.com/
    maxResponseTime: fast
status-website:
  cname: status.example.com
`,
			ids: []string{"web", "api"},
			probes: map[string]string{
				"web": "http: https://www.example.com/\ninterval: 5m\ntimeout: 30s\n",
				"api": "http: https://api.example.com/\ninterval: 5m\ntimeout: 30s\n",
			},
			notes: []string{
				".upptimerc.yml:6: maxResponseTime 60000 is not a number of milliseconds below Upptime's 30s timeout, dropped it",
				".upptimerc.yml:9: maxResponseTime fast is not a number of milliseconds below Upptime's 30s timeout, dropped it",
			},
		},
		{
			name: "every key herald cannot map is a note at its line, and a secret is never printed",
			rc: `owner: acme
repo: status
PAT: ghp_0123456789secret
assignees: [alice]
workflowSchedule:
  uptime: "*/5 * * * *"
notifications:
  - type: slack
    webhookUrl: https://hooks.slack.com/services/T000/B000/XXXX
sites:
  - name: Web
    url: https://www.example.com/
    icon: https://www.example.com/icon.png
commitMessages:
  statusChange: "$PREFIX $SITE_NAME is $STATUS"
somethingNew: true
status-website:
  cname: status.example.com
  theme: dark
  navbar:
    - title: Home
      href: https://example.com/
`,
			ids: []string{"web"},
			notes: []string{
				".upptimerc.yml:3: PAT has no herald equivalent, ignored it (GitHub Actions plumbing: a GitHub token)",
				".upptimerc.yml:4: assignees has no herald equivalent",
				".upptimerc.yml:5: workflowSchedule has no herald equivalent, ignored it (GitHub Actions plumbing)",
				".upptimerc.yml:7: notifications has no herald equivalent, dropped them; set up notify.webhooks",
				".upptimerc.yml:13: sites[].icon has no herald equivalent",
				`.upptimerc.yml:16: somethingNew is not a key herald knows in Upptime's config, dropped it`,
				".upptimerc.yml:19: status-website.theme has no herald equivalent",
				".upptimerc.yml:20: status-website.navbar has no herald equivalent, dropped it; add its links to links: in herald.yaml",
			},
			// The history importer reads the commit templates.
			notNotes: []string{"ghp_0123456789secret", "hooks.slack.com", "commitMessages"},
		},
		{
			name: "without a cname, the GitHub Pages address",
			rc: `owner: Acme
repo: status-page
sites:
  - name: Web
    url: https://www.example.com/
`,
			ids: []string{"web"}, title: "status-page", base: "https://acme.github.io/status-page/",
			notes: []string{".upptimerc.yml:1: no status-website.cname, set base_url to https://acme.github.io/status-page/"},
		},
		{
			name: "a cname with a baseUrl",
			rc: `owner: acme
repo: status
sites:
  - name: Web
    url: https://www.example.com/
status-website:
  cname: example.com
  baseUrl: /status
`,
			ids: []string{"web"}, base: "https://example.com/status/",
			notNotes: []string{"baseUrl", "cname"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t, tt.rc, nil)
			s, err := upptime.Read(context.Background(), dir, "")
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			var ids []string
			for _, c := range s.Components {
				ids = append(ids, c.ID)
				if want, ok := tt.probes[c.ID]; ok && c.Probe != want {
					t.Errorf("got probe of %s:\n%s\nwant:\n%s", c.ID, c.Probe, want)
				}
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("got components %v, want %v", ids, tt.ids)
			}
			if tt.title != "" && s.Title != tt.title {
				t.Errorf("got title %q, want %q", s.Title, tt.title)
			}
			if tt.desc != "" && s.Description != tt.desc {
				t.Errorf("got description %q, want %q", s.Description, tt.desc)
			}
			if tt.base != "" && s.BaseURL != tt.base {
				t.Errorf("got base URL %q, want %q", s.BaseURL, tt.base)
			}
			got := notes(dir, s)
			for _, want := range tt.notes {
				if !strings.Contains(got, want) {
					t.Errorf("got notes:\n%s\nwant one holding %q", got, want)
				}
			}
			for _, bad := range tt.notNotes {
				if strings.Contains(got, bad) {
					t.Errorf("got notes:\n%s\nwant none holding %q", got, bad)
				}
			}
		})
	}
}

func TestReadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		rc   string // "" for no .upptimerc.yml
		want []string
	}{
		{"no .upptimerc.yml", "", []string{".upptimerc.yml:1:1: no .upptimerc.yml: not an Upptime repository (give the folder of a clone of the Upptime status repository"}},
		{"broken YAML", "owner: acme\nsites:\n  - name: [Web\n", []string{".upptimerc.yml:2:1: invalid YAML"}},
		{"not a mapping", "- a\n- b\n", []string{".upptimerc.yml:1:1: not a mapping"}},
		{"no sites", "owner: acme\nrepo: status\n", []string{".upptimerc.yml:1:1: no sites"}},
		{"every bad site in one run", `owner: acme
repo: status
sites:
  - name: Web
    url: https://www.example.com/
    expectedStatusCodes: [200, ok]
  - url: https://api.example.com/
  - just a string
`, []string{
			`.upptimerc.yml:6:32: expectedStatusCodes: "ok" is not a status code`,
			".upptimerc.yml:7:5: a site has no name",
			".upptimerc.yml:8:5: a site is not a mapping",
		}},
		{"no address", "sites:\n  - name: Web\n    url: https://www.example.com/\n", []string{"no status-website.cname, nor owner and repo"}},
		{"a cname that is no host", "owner: a\nrepo: b\nsites:\n  - name: Web\n    url: https://www.example.com/\nstatus-website:\n  cname: https://status.example.com/\n", []string{".upptimerc.yml:7:1: status-website.cname"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeRepo(t, tt.rc, nil)
			_, err := upptime.Read(context.Background(), dir, "")
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

func TestPlainDescription(t *testing.T) {
	tests := []struct{ name, intro, want string }{
		{"strong", "**BandLab** availability monitoring", "BandLab availability monitoring"},
		{"link and code", "Status of [Acme](https://acme.example/) and `api`", "Status of Acme and api"},
		{"emphasis and underscores", "*All* of snake_case_name and __this__", "All of snake_case_name and this"},
		{"plain", "Plain words", "Plain words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := "owner: a\nrepo: b\nsites:\n  - name: Web\n    url: https://www.example.com/\nstatus-website:\n  introTitle: \"" + strings.ReplaceAll(tt.intro, `"`, `\"`) + "\"\n"
			s, err := upptime.Read(context.Background(), writeRepo(t, rc, nil), "")
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if s.Description != tt.want {
				t.Errorf("got description %q, want %q", s.Description, tt.want)
			}
		})
	}
}

func TestSlug(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Google", "google"},
		{"BandLab", "band-lab"},
		{"GitHub API", "git-hub-api"},
		{"Q&A Site", "q-and-a-site"},
		{"Café Münster", "cafe-munster"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := upptime.Slug(tt.name); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestConfigSiteChecks: every kind of probe the config maps to passes
// herald check as written, secrets and all.
func TestConfigSiteChecks(t *testing.T) {
	rc := `owner: acme
repo: status
sites:
  - name: API
    url: https://$API_HOST/v1/health?key=${{ secrets.API_KEY }}
    method: head
    expectedStatusCodes: [200, "204"]
    headers:
      - "Authorization: Bearer $API_TOKEN"
      - "Accept: application/json"
    __dangerous__body_down_if_text_missing: ok
  - name: Secret Site
    url: $SECRET_SITE
  - name: Database
    check: tcp-ping
    url: $DB_HOST
    port: 5432
  - name: Socket
    check: ws
    url: wss://ws.example.com/
status-website:
  name: Acme Status
  cname: status.example.com
`
	site, err := upptime.Read(context.Background(), writeRepo(t, rc, nil), "")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	out := t.TempDir()
	ctx := context.Background()
	if _, err := migrate.Write(ctx, out, site, false, checkSite(now)); err != nil {
		t.Fatalf("Write: %v", err)
	}
	s, err := generator.Load(ctx, out, now)
	if err != nil {
		t.Fatalf("generator.Load: %v", err)
	}
	var got []string
	for _, c := range s.Config.Components {
		kind := "none"
		if c.Probe != nil {
			kind = string(c.Probe.Kind)
		}
		got = append(got, c.ID+" "+kind)
	}
	if want := []string{"api http", "secret-site http", "database tcp", "socket none"}; !slices.Equal(got, want) {
		t.Errorf("got components %q, want %q", got, want)
	}
}
