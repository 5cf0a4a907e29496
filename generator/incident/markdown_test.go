package incident

import (
	"strings"
	"testing"
)

// parseBodyWith parses a file whose body is body, with raw HTML allowed or
// not, and fails the test on any error.
func parseBodyWith(t *testing.T, unsafeHTML bool, body string) *Incident {
	t.Helper()
	p := testParser(t)
	cfg := *p.cfg
	cfg.Markdown.UnsafeHTML = unsafeHTML
	in, err := NewParser(&cfg).Parse("x.md", "x", []byte("---\ntitle: x\nstarted: 2026-01-01 10:00\n---\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestDangerousLinksDecoded checks that a link whose destination runs
// script once its character references and escapes are decoded is reduced
// to its text, as a plain javascript: link is, with or without raw HTML.
func TestDangerousLinksDecoded(t *testing.T) {
	tests := []struct {
		name, body, text string
	}{
		{"hex reference", "[x](java&#x73;cript:alert(1))", "x"},
		{"decimal reference", "[x](&#106;avascript:alert(1))", "x"},
		{"colon as reference", "[x](javascript&#58;alert(1))", "x"},
		{"named reference", "[x](javascript&colon;alert(1))", "x"},
		{"upper case", "[x](JAVA&#x53;CRIPT:alert(1))", "x"},
		{"vbscript", "[x](vb&#x73;cript:msgbox)", "x"},
		{"data", "[x](dat&#x61;:text/html,<script>alert(1)</script>)", "x"},
		{"image", "![pic](java&#x73;cript:alert(1))", "pic"},
		{"reference link", "[x][r]\n\n[r]: java&#x73;cript:alert(1)", "x"},
		{"angle brackets", "[x](<java&#x73;cript:alert(1)>)", "x"},
	}
	for _, unsafeHTML := range []bool{false, true} {
		for _, tt := range tests {
			name := tt.name
			if unsafeHTML {
				name += " with unsafe_html"
			}
			t.Run(name, func(t *testing.T) {
				got := string(parseBodyWith(t, unsafeHTML, tt.body).Summary)
				if strings.Contains(got, "<a") || strings.Contains(got, "<img") {
					t.Errorf("got %q, want the link reduced to its text", got)
				}
				if !strings.Contains(got, tt.text) {
					t.Errorf("got %q, want the text %q kept", got, tt.text)
				}
			})
		}
	}
	// A reference in a harmless link still resolves.
	if got, want := string(parseBodyWith(t, true, "[x](https://example.com/&#x61;)").Summary), `<a href="https://example.com/a">x</a>`; !strings.Contains(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
