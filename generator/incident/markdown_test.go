package incident

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// parseBodyWith parses a file whose body is body, with raw HTML allowed or
// not, and fails the test on any error.
func parseBodyWith(tb testing.TB, unsafeHTML bool, body string) *Incident {
	tb.Helper()
	p := testParser(tb)
	cfg := *p.cfg
	cfg.Markdown.UnsafeHTML = unsafeHTML
	in, err := NewParser(&cfg).Parse("x.md", "x", []byte(header+body))
	if err != nil {
		tb.Fatal(err)
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

// TestControlCharactersReplaced checks that characters HTML and XML cannot
// carry, written in the body or escaped in the title, reach no output of
// the parser but as U+FFFD.
func TestControlCharactersReplaced(t *testing.T) {
	tests := []struct{ name, char string }{
		{"NUL", "\x00"},
		{"U+0001", "\x01"},
		{"backspace", "\b"},
		{"escape", "\x1b"},
		{"vertical tab", "\v"},
		{"form feed", "\f"},
		{"delete", "\x7f"},
		{"C1 next line", "\u0085"},
		{"noncharacter U+FDD0", "\ufdd0"},
		{"noncharacter U+FFFE", "\ufffe"},
		{"noncharacter U+10FFFF", "\U0010ffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.char
			escaped := strings.Trim(strconv.QuoteToASCII(c), `"`)
			src := "---\ntitle: \"Title " + escaped + " here\"\nstarted: 2026-01-01 10:00\n---\n" +
				"Summary " + c + " with *em " + c + "* and [a link " + c + "](https://example.com/ \"t" + c + "\").\n\n" +
				"## 2026-01-01 10:05 PST — Resolved\nBody " + c + " text.\n"
			in, err := testParser(t).Parse("x.md", "x", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			for field, got := range map[string]string{
				"title":        in.Title,
				"summary":      string(in.Summary),
				"summary text": in.SummaryText,
				"update body":  string(in.Updates[0].Body),
			} {
				if strings.Contains(got, c) {
					t.Errorf("got %s %q, want no %s", field, got, tt.name)
				}
				// The summary text collapses white space, \v and \f
				// included, as strings.Fields does.
				collapsed := field == "summary text" && unicode.IsSpace([]rune(c)[0])
				if !collapsed && !strings.Contains(got, "\ufffd") {
					t.Errorf("got %s %q, want U+FFFD in place of %s", field, got, tt.name)
				}
			}
		})
	}
}

func TestReplaceControl(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"clean ASCII", "Service is restored.", "Service is restored."},
		{"whitespace kept", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"clean unicode", "Zürich — 東京 \U0001F600 \ufffd", "Zürich — 東京 \U0001F600 \ufffd"},
		{"controls", "a\x00b\x1bc\x7fd", "a\ufffdb\ufffdc\ufffdd"},
		{"C1 after unicode", "é\u0085", "é\ufffd"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"noncharacters", "\ufdef\U0001fffe", "\ufffd\ufffd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReplaceControl(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReplaceControlEveryASCII holds ReplaceControl's lookup table for
// ASCII to carried, byte by byte, alone and after clean text.
func TestReplaceControlEveryASCII(t *testing.T) {
	for b := range utf8.RuneSelf {
		for _, prefix := range []string{"", "ok "} {
			in, want := prefix+string(rune(b)), prefix+string(rune(b))
			if !carried(rune(b)) {
				want = prefix + "\ufffd"
			}
			if got := ReplaceControl(in); got != want {
				t.Errorf("ReplaceControl(%q): got %q, want %q", in, got, want)
			}
		}
	}
}

// FuzzReplaceControl holds ReplaceControl to the plain definition: each
// character (each invalid byte a U+FFFD, as strings.Map reads it) kept
// when carried, else replaced.
func FuzzReplaceControl(f *testing.F) {
	for _, s := range []string{"", "plain text", "tab\tnew\nline\r", "bell\a", "\x7f", "ok \xff", "\xed\xa0\x80", "\ufdd0 \ufffe \U0010ffff", "é—ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Map(func(r rune) rune {
			if carried(r) {
				return r
			}
			return utf8.RuneError
		}, s)
		if got := ReplaceControl(s); got != want {
			t.Errorf("ReplaceControl(%q): got %q, want %q", s, got, want)
		}
	})
}
