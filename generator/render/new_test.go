package render

import (
	"html/template"
	"io/fs"
	"maps"
	"testing"

	"github.com/herald-status/herald/generator/internal/memtest"
	"github.com/herald-status/herald/templates"
)

// TestNewChecksOverridesOnly: New renders the sample site only for a
// theme with an override. Without one the theme is herald's own, which
// TestBuiltinThemeChecks renders, and checking it again cost every
// process ~20 ms; the check shows as its allocations, about as many as
// those of parsing the theme.
func TestNewChecksOverridesOnly(t *testing.T) {
	memtest.SkipUnderRace(t)
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

// TestNewParsesOnce: New parses herald's own theme once, each file once,
// and copies nothing: a build pays for it at every start, and newSet
// copies the templates a page needs when it joins them (r.set). Its
// allocations are held to those of parsing the files alone, with a
// margin for the rest of New.
func TestNewParsesOnce(t *testing.T) {
	memtest.SkipUnderRace(t)
	read := func(name string) string {
		b, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	files := testing.AllocsPerRun(3, func() {
		fm := funcs(nil, nil)
		base := template.Must(template.New(templates.Partials).Funcs(fm).Parse(read(templates.Partials)))
		template.Must(base.New(templates.Layout).Parse(read(templates.Layout)))
		for _, name := range templates.Pages() {
			template.Must(template.New(name).Funcs(fm).Parse(read(name)))
		}
	})
	got := testing.AllocsPerRun(3, func() {
		if _, err := New(""); err != nil {
			t.Fatal(err)
		}
	})
	if want := files * 11 / 10; got > want {
		t.Errorf("got %.0f allocations, want at most %.0f (those of parsing the files, %.0f, and a tenth)", got, want, files)
	}
}

// TestSetAsParsed: a page's set, joined by r.set from the shared
// templates and the page's own, holds the templates that parsing the
// page's file into a copy of the shared set gives, each with the same
// tree: a page's template replaces a shared one, except with an empty
// body.
func TestSetAsParsed(t *testing.T) {
	builtin := func(name string) string {
		b, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tt := range []struct {
		name  string
		files map[string]string
	}{
		{"herald's own theme", nil},
		{"a page's header", map[string]string{"index.html": builtin("index.html") + `{{define "site-header"}}<p>ours</p>{{end}}`}},
		{"an empty header", map[string]string{"index.html": builtin("index.html") + `{{define "site-header"}}{{end}}`}},
		{"an empty template of its own", map[string]string{"index.html": builtin("index.html") + `{{define "ours"}}{{end}}`}},
		{"an empty page", map[string]string{"404.html": `{{define "main"}}{{end}}`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRenderer(t, writeTemplates(t, tt.files))
			for page := range r.pages {
				want, err := template.Must(r.base.Clone()).New(page).Parse(string(r.sources[page].data))
				if err != nil {
					t.Fatal(err)
				}
				got, err := r.set(page)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := trees(got), trees(want); !maps.Equal(g, w) {
					t.Errorf("%s: got %v, want %v", page, g, w)
				}
			}
		})
	}
}

// trees maps each template of set t to its tree as text, html/template's
// and text/template's view of it both.
func trees(t *template.Template) map[string]string {
	out := map[string]string{}
	for _, d := range t.Templates() {
		tree := "<nil>"
		if d.Tree != nil {
			tree = d.Tree.Root.String()
		}
		out[d.Name()] = tree
		if l := t.Lookup(d.Name()); l != d {
			out[d.Name()] += " (looked up as another)"
		}
	}
	return out
}
