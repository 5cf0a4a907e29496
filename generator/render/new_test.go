package render

import (
	"io/fs"
	"testing"

	"github.com/herald-status/herald/templates"
)

// TestNewChecksOverridesOnly: New renders the sample site only for a
// theme with an override. Without one the theme is herald's own, which
// TestBuiltinThemeChecks renders, and checking it again cost every
// process ~20 ms; the check shows as its allocations, about as many as
// those of parsing the theme.
func TestNewChecksOverridesOnly(t *testing.T) {
	builtin, err := fs.ReadFile(templates.FS, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	news := func(t *testing.T, dir string) float64 {
		return testing.AllocsPerRun(3, func() {
			if _, err := New(dir); err != nil {
				t.Fatal(err)
			}
		})
	}
	// A comment changes no page, but makes the file an override.
	overridden := news(t, writeTemplates(t, map[string]string{"index.html": string(builtin) + "{{/* ours */}}\n"}))
	for _, tt := range []struct {
		name string
		dir  string
	}{
		{"no templates folder", ""},
		{"a copy of the built-in file", writeTemplates(t, map[string]string{"index.html": string(builtin)})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := news(t, tt.dir), overridden*2/3; got > want {
				t.Errorf("got %.0f allocations, want at most %.0f (two thirds of those with an override, %.0f)", got, want, overridden)
			}
		})
	}
}

// TestBuiltinThemeChecks: herald's own theme renders the sample site
// without an error, as New would check it for a site that overrides a
// template.
func TestBuiltinThemeChecks(t *testing.T) {
	r := newRenderer(t, "")
	if err := r.check(); err != nil {
		t.Errorf("check: got %v, want no error", err)
	}
}
