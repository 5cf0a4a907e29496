package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCState writes a small cState site, with issue files name → text.
func writeCState(t *testing.T, issues map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"config.yml": `title: Old Status
baseURL: https://status.example.com/
params:
  description: How things are.
  categories:
    - name: Core
  systems:
    - name: API
      category: Core
    - name: Web Site
      category: Core
      link: https://example.com/
`}
	for name, text := range issues {
		files[filepath.Join("content", "issues", name)] = text
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const migrateIssue = `---
title: API down
date: 2026-11-01 10:00:00
resolved: true
resolvedWhen: 2026-11-01 11:00:00
severity: down
affected: [API, Nope]
---
*Resolved* - Back. {{< track "2026-11-01 11:00:00" >}}

*Investigating* - Looking. {{< track "2026-11-01 10:05:00" >}}
`

// writeUpptime writes a small Upptime repository and the issues JSON of
// one outage beside it, and returns the repository and the issues file.
func writeUpptime(t *testing.T) (repo, issues string) {
	t.Helper()
	repo = t.TempDir()
	rc := `owner: acme
repo: status
sites:
  - name: API
    url: https://api.example.com/
    maxResponseTime: 2000
    maxRedirects: 3
status-website:
  name: Acme Status
  cname: status.example.com
`
	if err := os.WriteFile(filepath.Join(repo, ".upptimerc.yml"), []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	issues = filepath.Join(t.TempDir(), "issues.json")
	js := `[{"number": 4, "title": "🛑 API is down", "body": "API was **down**.", "createdAt": "2026-11-01T10:00:00Z",
  "closedAt": "2026-11-01T10:30:00Z", "labels": [{"name": "status"}, {"name": "api"}], "comments": []}]`
	if err := os.WriteFile(issues, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	return repo, issues
}

func TestMigrate(t *testing.T) {
	src := writeCState(t, map[string]string{"2026-11-01-api-down.md": migrateIssue})
	upp, issues := writeUpptime(t)
	future := writeCState(t, map[string]string{"future.md": strings.Replace(migrateIssue, "2026-11-01 10:00:00", "2031-01-01 10:00:00", 1)})
	tests := []struct {
		name     string
		args     []string
		existing string // a herald.yaml already in the site, or ""
		code     int
		out, err string
		written  bool
	}{
		{"cstate", []string{"-from", "cstate", src}, "", exitOK,
			"2 components, 1 incidents, 0 maintenance, 0 history results", "", true},
		{"notes name the source line", []string{"-from", "cstate", src}, "", exitOK,
			`2026-11-01-api-down.md:7: affected "Nope" is not a system in config.yml, left it out`, "", true},
		{"an existing file is kept", []string{"-from", "cstate", src}, "title: Mine\n", exitInvalid,
			"", "herald.yaml: already exists (use -force to replace it)", false},
		{"-force replaces it", []string{"-from", "cstate", "-force", src}, "title: Mine\n", exitOK,
			"1 incidents", "", true},
		{"a site that fails check writes nothing", []string{"-from", "cstate", future}, "", exitInvalid,
			"", "nothing was written", false},
		{"upptime", []string{"-from", "upptime", "-issues", issues, upp}, "", exitOK,
			"1 components, 1 incidents, 0 maintenance, 0 history results", "", true},
		{"upptime notes name the source line", []string{"-from", "upptime", upp}, "", exitOK,
			".upptimerc.yml:7: sites[].maxRedirects has no herald equivalent", "", false},
		{"upptime, no .upptimerc.yml", []string{"-from", "upptime", src}, "", exitInvalid, "", "no .upptimerc.yml: not an Upptime repository", false},
		{"-issues is for upptime only", []string{"-from", "cstate", "-issues", issues, src}, "", exitUsage, "", "-issues is for -from upptime", false},
		{"statuspage", []string{"-from", "statuspage", filepath.Join("..", "..", "migrate", "statuspage", "testdata", "page")}, "", exitOK,
			"incidents", "", true},
		{"statuspage, nothing there", []string{"-from", "statuspage", src}, "", exitInvalid, "", "", false},
		{"unknown tool", []string{"-from", "hugo", src}, "", exitUsage, "", `want cstate, upptime or statuspage`, false},
		{"no source", []string{"-from", "cstate"}, "", exitUsage, "", "wants one SOURCE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			if tt.existing != "" {
				if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte(tt.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
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
			_, err := os.Stat(filepath.Join(site, "incidents"))
			if got := err == nil; got != tt.written {
				t.Errorf("got incidents/ written %v, want %v", got, tt.written)
			}
			if tt.existing != "" && !tt.written {
				if got, _ := os.ReadFile(filepath.Join(site, "herald.yaml")); string(got) != tt.existing {
					t.Errorf("got herald.yaml %q, want it kept as %q", got, tt.existing)
				}
			}
			left, _ := filepath.Glob(filepath.Join(site, ".herald-migrate-*"))
			if len(left) > 0 {
				t.Errorf("got staging folders left behind: %v", left)
			}
		})
	}
}
