package templates

import (
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestEmbedsEveryFile(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			b, err := fs.ReadFile(FS, name)
			if err != nil {
				t.Fatalf("got error %v, want %s embedded", err, name)
			}
			if len(b) == 0 {
				t.Errorf("got an empty %s, want content", name)
			}
		})
	}
}

func TestEmbedsNothingElse(t *testing.T) {
	entries, err := fs.ReadDir(FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains(Names(), e.Name()) {
			t.Errorf("got %s embedded, want only the files Names lists", e.Name())
		}
	}
}

// TestStylesheetIsLogical: the stylesheet places nothing on a physical
// left or right side, so that a right-to-left page (dir="rtl") mirrors
// its layout: margins, paddings, borders, offsets and alignment are
// logical (inline-start, inline-end, start, end).
func TestStylesheetIsLogical(t *testing.T) {
	css, err := fs.ReadFile(FS, Stylesheet)
	if err != nil {
		t.Fatal(err)
	}
	// Comments may say "left to right"; their lines are kept, for the
	// line numbers.
	text := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllStringFunc(string(css), func(c string) string {
		return strings.Repeat("\n", strings.Count(c, "\n"))
	})
	physical := regexp.MustCompile(`(?:^|[;{\s])((?:margin|padding|border|inset)-(?:left|right)[a-z-]*|left|right)\s*:|(?:text-align|float|clear)\s*:\s*(left|right)`)
	for i, line := range strings.Split(text, "\n") {
		for _, m := range physical.FindAllString(line, -1) {
			t.Errorf("style.css:%d: got %q, want a logical property or value (inline-start, inline-end, start, end)", i+1, strings.TrimSpace(m))
		}
	}
}
