package render

import (
	"html/template"
	"strings"
	"testing"

	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
)

// FuzzSubscribeMain checks that the hand-written subscribe page is, byte
// for byte, what the built-in "main" of subscribe.html prints, in every
// language, for hostile site titles, component names and ids, sign-up and
// feed addresses and roots, with and without components and a sign-up
// link.
func FuzzSubscribeMain(f *testing.F) {
	f.Add("Acme status", "API", "api", "https://lists.example.com/join", "https://status.example.com/", "../", uint8(0))
	f.Add(`<script>alert(1)</script> "q" & 'a' + b`, `<b>"c"</b> & +`, "a+b", `javascript:alert(1)`, `https://x.example/"><b>`, "../", uint8(1))
	f.Add("\x00\xff\ufdd0", "\x00", "x y", "mailto:a@b.example?subject=\"x\"", "", "javascript:alert(1)//", uint8(2))
	f.Add("Site", "Web", "web", "", "https://status.example.com/", "x y%20z/", uint8(3))
	f.Add("Site", "Web", "web", "https://lists.example.com/", "https://status.example.com/", "", uint8(4))
	snap := sitetest.Snapshot(f, fixtureDir, fixtureNow)
	r := newRenderer(f, "")
	sets := goPairs(f, r, "subscribe.html", "main")
	f.Fuzz(func(t *testing.T, title, name, id, email, base, root string, shape uint8) {
		s := *snap
		s.Site.Title, s.Site.EmailURL, s.Site.BaseURL = title, email, base
		if shape&2 != 0 {
			s.Components = nil
		} else {
			c := *s.Components[0]
			c.Name, c.ID = name, id
			s.Components = append([]*status.Component{&c}, s.Components[1:]...)
		}
		p := &Page{Kind: "subscribe", Root: root, Now: snap.Now, Site: s.Site, Snap: &s, Subscribe: subscribe(&s)}
		if shape&4 != 0 {
			p.Subscribe = nil
		}
		// The fast set's "main" calls subscribeMain.
		sameAsTemplate(t, sets, "subscribe page", func(s *pageSet) (template.HTML, error) {
			var b strings.Builder
			err := s.t.ExecuteTemplate(&b, "main", p)
			return template.HTML(b.String()), err
		})
	})
}

// TestSubscribeMainOverridden checks that a site which redefines the
// subscribe page's "main" gets its own page, and that one which overrides
// its "code" template gets it in the page written by hand.
func TestSubscribeMainOverridden(t *testing.T) {
	checkOverrides(t, "subscribe.html", "main", renderedPage("subscribe/index.html"), []overrideCase{
		{name: "no override", builtin: true, want: `<table class="feed-table">`},
		{name: "code", files: map[string]string{"subscribe.html": strings.Replace(builtinSource(t, "subscribe.html"), `{{define "code"}}<code>`, `{{define "code"}}<code class="custom">`, 1)}, builtin: true, want: `<code class="custom">`},
		{name: "main", files: map[string]string{"subscribe.html": `{{define "main"}}<p class="custom">{{len .Subscribe.Components}}</p>{{end}}`}, want: `<p class="custom">`},
		{name: "main reworded", files: map[string]string{"subscribe.html": strings.Replace(builtinSource(t, "subscribe.html"), `<table class="feed-table">`, `<table class="feed-table custom">`, 1)}, want: `<table class="feed-table custom">`},
	})
}
