package render

import (
	"html/template"
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

// TestBuiltinSetsDefined: for herald's own theme, New's shortcut, each
// template of inGo that a set defines is the built-in one, gives what
// comparing each set's parse trees with the built-in files' gives. It
// would not if one built-in file redefined a template of another.
func TestBuiltinSetsDefined(t *testing.T) {
	r := newRenderer(t, "")
	want, err := r.sameTrees()
	if err != nil {
		t.Fatal(err)
	}
	for page, names := range want {
		for name, same := range names {
			if got := r.builtin[page][name]; got != same {
				t.Errorf("%s, %s: got %v, want %v", page, name, got, same)
			}
		}
		if got, want := len(r.builtin[page]), len(names); got != want {
			t.Errorf("%s: got %d templates, want %d", page, got, want)
		}
	}
}

// TestNewParsesOnce: New parses herald's own theme once, each page's set
// of files, and no file again: a build pays for it at every start. Its
// allocations are held to those of parsing the sets alone, with a
// margin for the rest of New.
func TestNewParsesOnce(t *testing.T) {
	read := func(name string) string {
		b, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	sets := testing.AllocsPerRun(3, func() {
		base := template.Must(template.New(templates.Partials).Funcs(funcs(nil, nil)).Parse(read(templates.Partials)))
		template.Must(base.New(templates.Layout).Parse(read(templates.Layout)))
		for _, name := range templates.Pages() {
			template.Must(template.Must(base.Clone()).New(name).Parse(read(name)))
		}
	})
	got := testing.AllocsPerRun(3, func() {
		if _, err := New(""); err != nil {
			t.Fatal(err)
		}
	})
	if want := sets * 5 / 4; got > want {
		t.Errorf("got %.0f allocations, want at most %.0f (those of parsing the sets, %.0f, and a quarter)", got, want, sets)
	}
}
