package incident

import (
	"testing"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/yuin/goldmark/renderer/html"
)

var dangerousURLCases = []struct{ name, url string }{
	{"empty", ""},
	{"https", "https://runbooks.example/api"},
	{"relative", "/incidents/2024/outage"},
	{"javascript", "javascript:alert(1)"},
	{"upper case", "JaVaScRiPt:alert(1)"},
	{"vbscript", "VBScript:msgbox"},
	{"file", "file:///etc/passwd"},
	{"data", "data:text/html,<script>"},
	{"data image", "data:image/png;base64,AAAA"},
	{"data image upper", "DATA:IMAGE/GIF;base64,AAAA"},
	{"data image svg", "data:image/svg+xml,<svg>"},
	{"data image short", "data:image/"},
	{"dotted capital I", "javascr\u0130pt:alert(1)"},
	{"Kelvin sign", "\u212Aavascript:"},
	{"long s", "javaſcript:x"},
	{"invalid UTF-8", "java\xffscript:x"},
	{"too short", "javas"},
}

// TestDangerousURL holds dangerousURL to goldmark's html.IsDangerousURL,
// which the renderer applies to the links the transform keeps.
func TestDangerousURL(t *testing.T) {
	for _, tt := range dangerousURLCases {
		t.Run(tt.name, func(t *testing.T) { checkDangerousURL(t, tt.url) })
	}
}

func FuzzDangerousURL(f *testing.F) {
	for _, tt := range dangerousURLCases {
		f.Add(tt.url)
	}
	f.Fuzz(checkDangerousURL)
}

func checkDangerousURL(t *testing.T, url string) {
	t.Helper()
	if got, want := dangerousURL([]byte(url)), html.IsDangerousURL([]byte(url)); got != want {
		t.Errorf("dangerousURL(%q): got %v, want %v", url, got, want)
	}
}

// TestDangerousAllocations checks that a plain link is checked without
// copying its destination: every link of every incident file goes
// through it.
func TestDangerousAllocations(t *testing.T) {
	memtest.SkipUnderRace(t)
	for _, tt := range []struct {
		name, url string
		resolve   bool
	}{
		{"link", "https://runbooks.example/api", true},
		{"autolink", "https://runbooks.example/api", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := []byte(tt.url)
			if got := testing.AllocsPerRun(100, func() { dangerous(url, tt.resolve) }); got != 0 {
				t.Errorf("got %v allocations, want 0", got)
			}
		})
	}
}
