package incident

import (
	"strings"
	"testing"
)

var oneLineCases = []struct{ name, text string }{
	{"empty", ""},
	{"one word", "word"},
	{"runs of spaces", "  two   words  "},
	{"tabs and line breaks", "a\tb\nc\r\nd\fe\vf"},
	{"Unicode spaces", "a\u00a0b\u2003c\u3000d\u0085e"},
	{"only spaces", " \t\n "},
	{"invalid UTF-8", "a \xff\xfe b\xe2\x80"},
	{"non-ASCII words", "Störung  behoben — 障害"},
}

// TestOneLine holds oneLine to what it replaced.
func TestOneLine(t *testing.T) {
	for _, tt := range oneLineCases {
		t.Run(tt.name, func(t *testing.T) { checkOneLine(t, tt.text) })
	}
}

func FuzzOneLine(f *testing.F) {
	for _, tt := range oneLineCases {
		f.Add(tt.text)
	}
	f.Fuzz(checkOneLine)
}

func checkOneLine(t *testing.T, text string) {
	t.Helper()
	if got, want := oneLine([]byte(text)), strings.Join(strings.Fields(text), " "); got != want {
		t.Errorf("oneLine(%q): got %q, want %q", text, got, want)
	}
}
