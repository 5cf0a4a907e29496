package incident

import (
	"strings"
	"testing"
)

// TestParseFrontMatterMessages pins every error of a file, in full: lines
// count from the top of the file, not of the front matter, no text of the
// yaml package reaches the author, and one mistake does not hide the others.
func TestParseFrontMatterMessages(t *testing.T) {
	p := testParser(t)
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"duplicate key", "---\ntitle: x\nstarted: 2026-01-01 10:00\ntitle: y\n---\n", []string{
			`f.md:4:1: duplicate key "title", already set on line 2 (keep one of them)`,
		}},
		{"timestamp tag", "---\ntitle: x\n\nstarted: !!timestamp 2026-01-01 10:00\n---\n", []string{
			`f.md:4:10: started: "2026-01-01 10:00" is not a valid !!timestamp (remove the !!timestamp tag)`,
		}},
		{"title of the wrong kind is not also missing", "---\ntitle: [a, b]\nstarted: 2026-01-01 10:00\n---\n", []string{
			`f.md:2:8: title must be text, found a list (put the text in quotes)`,
		}},
		{"started of the wrong kind is not also missing", "---\ntitle: x\nstarted:\n  at: 2026-01-01 10:00\n---\n", []string{
			`f.md:4:3: started must be text, found a mapping (put the text in quotes)`,
		}},
		{"component status of the wrong kind", "---\ntitle: x\nstarted: 2026-01-01 10:00\ncomponents:\n  api: [major_outage]\n---\n", []string{
			`f.md:5:3: expected a status word for component "api"`,
		}},
		{"misspelt key hides nothing", "---\ntitle: x\nstarted: 2026-01-01 10:00\nresloved: 2026-01-01 09:00\ncomponents: {nope: major_outage}\n---\n## 2026-01-01 10:05 EST — Resolved\n", []string{
			`f.md:4:1: unknown key "resloved" (did you mean "resolved"?)`,
			`f.md:5:14: unknown component "nope" (known components: website, api, cdn; declare new ones in herald.yaml)`,
			`f.md:7:4: timeline heading: unknown time zone abbreviation "EST": the site timezone America/Los_Angeles uses PDT and PST (write the offset instead, e.g. -05:00 for EST, or UTC)`,
		}},
		{"misspelt title is also missing", "---\ntitel: x\nstarted: 2026-02-30 10:00\n---\n", []string{
			`f.md:2:1: unknown key "titel" (did you mean "title"?)`,
			"f.md:2:1: missing title (add `title: What readers should know` to the front matter)",
			`f.md:3:10: started: invalid time "2026-02-30 10:00": day out of range (` + timeHint + `)`,
		}},
		{"out of range time", "---\ntitle: x\nstarted: 2026-13-45 25:61\n---\n", []string{
			`f.md:3:10: started: invalid time "2026-13-45 25:61": month out of range (` + timeHint + `)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Parse("f.md", "f", []byte(tt.src))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if got, want := err.Error(), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
