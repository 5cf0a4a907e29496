package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const newSite = `title: Test Status
base_url: https://status.example.com/
timezone: America/Los_Angeles
components:
  - {id: api, name: API}
`

// TestNewFileName checks the file names herald new makes from titles that
// are not plain ASCII words: each is valid on every file system, keeps the
// letters of the title, and the file passes herald check.
func TestNewFileName(t *testing.T) {
	tests := []struct {
		name, title, want string
	}{
		{"accents", "Élevé taux d’erreurs à Zürich", "2026-11-28-eleve-taux-d-erreurs-a-zurich.md"},
		// 5,000 characters: the file system refused the name.
		{"long title, cut between words", strings.Repeat("Elevated API errors ", 250), "2026-11-28-elevated-api-errors-elevated-api-errors-elevated-api-errors.md"},
		{"one long word", strings.Repeat("x", 5000), "2026-11-28-" + strings.Repeat("x", 60) + ".md"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte(newSite), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"new", "-site", site, "-now", "2026-11-28T15:00:00Z", "incident", tt.title}, &stdout, &stderr); code != exitOK {
				t.Fatalf("got exit %d, stderr %q", code, &stderr)
			}
			want := filepath.Join(site, "incidents", tt.want)
			if got := strings.TrimSpace(stdout.String()); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			src, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), strings.TrimSpace(tt.title)) {
				t.Errorf("got a file without the whole title:\n%.200s", src)
			}
			stdout.Reset()
			if code := run(context.Background(), []string{"check", "-site", site}, &stdout, &stderr); code != exitOK {
				t.Errorf("got check exit %d, stderr %q", code, &stderr)
			}
		})
	}
}

func TestNewTitleWithoutLatinLetters(t *testing.T) {
	site := t.TempDir()
	if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte(newSite), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"new", "-site", site, "incident", "障害"}, &stdout, &stderr)
	if code != exitUsage {
		t.Fatalf("got exit %d, want %d", code, exitUsage)
	}
	if got, want := stderr.String(), `new: the title "障害" has no letters a to z or digits to make a file name from (start with a few such words; you can change the title in the file afterwards)`; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}

// TestNewInSiteLanguage: herald new writes its skeleton's words and
// headings in the site's language, and the file passes herald check.
func TestNewInSiteLanguage(t *testing.T) {
	tests := []struct {
		name, locale, kind, want string
	}{
		{"de incident", "de", "incident", "Was die Leser sehen, in ein, zwei Sätzen.\n\n## 2026-11-28 07:00 PST — Wird untersucht\nWir gehen Meldungen über ein Problem nach."},
		{"de maintenance", "de", "maintenance", "## 2026-11-28 07:00 PST — Geplant\nWir führen diese Wartung"},
		{"ja incident", "ja", "incident", "## 2026-11-28 07:00 PST — 調査中\n問題の報告を受け"},
		{"ar maintenance", "ar", "maintenance", "## 2026-11-28 07:00 PST — مجدولة\nسنجري هذه الصيانة"},
		{"en incident", "en", "incident", "What readers are seeing, in a sentence or two.\n\n## 2026-11-28 07:00 PST — Investigating\nWe are investigating"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := t.TempDir()
			if err := os.WriteFile(filepath.Join(site, "herald.yaml"), []byte("locale: "+tt.locale+"\n"+newSite), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"new", "-site", site, "-now", "2026-11-28T15:00:00Z", "-components", "api", tt.kind, "Elevated API errors"}, &stdout, &stderr); code != exitOK {
				t.Fatalf("got exit %d, stderr %q", code, &stderr)
			}
			src, err := os.ReadFile(strings.TrimSpace(stdout.String()))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), tt.want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", src, tt.want)
			}
			stdout.Reset()
			stderr.Reset()
			if code := run(context.Background(), []string{"check", "-site", site}, &stdout, &stderr); code != exitOK {
				t.Errorf("got check exit %d, stderr %q", code, &stderr)
			}
		})
	}
}
