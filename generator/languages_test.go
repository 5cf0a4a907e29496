package generator_test

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The example's base_url, and its languages: [en, de].
const exampleBase = "https://status.parcel-gallery.example/"

var (
	hreflangRE   = regexp.MustCompile(`<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">`)
	switcherRE   = regexp.MustCompile(`(?s)<nav class="wrap languages"[^>]*>(.*?)</nav>`)
	switchHrefRE = regexp.MustCompile(`<a href="([^"]+)" hreflang="([^"]+)" lang="([^"]+)"( aria-current="page")?>`)
)

// readOut reads the file at the slash path p of the published site out.
func readOut(t *testing.T, out, p string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestBuildSeveralLanguages builds the example, whose languages are en and
// de, and walks what it published: the German tree under de/, its
// translated and untranslated incidents, the hreflang links and the
// language switcher of every page, and the files that exist only once.
func TestBuildSeveralLanguages(t *testing.T) {
	site := copySite(t)
	out := filepath.Join(t.TempDir(), "out")
	if _, err := build(t, site, out, exampleNow); err != nil {
		t.Fatal(err)
	}
	files := tree(t, out)
	contains := []struct {
		name, file, want string
	}{
		{"de index in German", "de/index.html", `<html lang="de" dir="ltr">`},
		{"en index in English", "index.html", `<html lang="en" dir="ltr">`},
		{"translated title on its page", "de/incidents/2026-03-09-gallery-outage/index.html", "<h1>Galerie, Paket-Feed und API nach Neustart der Hosts nicht erreichbar</h1>"},
		{"translated title in the history", "de/history/index.html", ">Galerie, Paket-Feed und API nach Neustart der Hosts nicht erreichbar</a>"},
		{"original title in English", "incidents/2026-03-09-gallery-outage/index.html", "<h1>Gallery, package feed and API unavailable after host reboot</h1>"},
		{"untranslated note", "de/incidents/2026-09-08-search-latency/index.html", `<p class="note untranslated">Noch nicht übersetzt: hier in der Originalsprache.</p>`},
		{"untranslated title in its language", "de/incidents/2026-09-08-search-latency/index.html", `<h1 lang="en">Slow package search</h1>`},
		{"untranslated title in a list", "de/history/index.html", `lang="en">Slow package search</a>`},
		{"untranslated update on the index", "de/index.html", `<div class="prose" lang="en">`},
		{"German feed", "de/history.rss", "<language>de</language>"},
		{"German feed's links", "de/history.rss", "<link>" + exampleBase + "de/incidents/"},
		{"English feed", "history.rss", "<language>en</language>"},
		{"German calendar", "de/maintenance.ics", "URL;VALUE=URI:" + exampleBase + "de/incidents/"},
		{"report data shared", "de/reports/2026-11/index.html", `href="../../../reports/2026-11.csv"`},
		{"translated title in its month's report", "de/reports/2026-03/index.html", ">Galerie, Paket-Feed und API nach Neustart der Hosts nicht erreichbar</a>"},
		{"original title in the English report", "reports/2026-03/index.html", ">Gallery, package feed and API unavailable after host reboot</a>"},
		{"untranslated title in a report, in its language", "de/reports/2026-09/index.html", `lang="en">Slow package search</a>`},
	}
	for _, tt := range contains {
		t.Run(tt.name, func(t *testing.T) {
			if got := readOut(t, out, tt.file); !strings.Contains(got, tt.want) {
				t.Errorf("%s: got no %q", tt.file, tt.want)
			}
		})
	}
	t.Run("no note on an English page", func(t *testing.T) {
		if got := readOut(t, out, "incidents/2026-09-08-search-latency/index.html"); strings.Contains(got, "untranslated") {
			t.Errorf("got a note, want none")
		}
	})
	t.Run("machine files once, at the root", func(t *testing.T) {
		for p := range files {
			if strings.HasPrefix(p, "de/api/") || strings.HasPrefix(p, "de/reports/") && !strings.HasSuffix(p, ".html") {
				t.Errorf("got %s, want the APIs and the reports' data only at the root", p)
			}
		}
		for _, p := range []string{"api/v2/summary.json", "reports/2026-11.csv", "de/badges/status.svg", "de/assets"} {
			if _, err := os.Stat(filepath.Join(out, p)); err != nil {
				t.Errorf("got %v, want %s", err, p)
			}
		}
	})

	var pages []string
	for p := range files {
		if strings.HasSuffix(p, ".html") {
			pages = append(pages, p)
		}
	}
	slices.Sort(pages)
	if len(pages) < 40 {
		t.Fatalf("got %d pages, want a whole site in two languages", len(pages))
	}
	// fileOf is the file an absolute URL of the site is served from.
	fileOf := func(u string) (string, bool) {
		p, ok := strings.CutPrefix(u, exampleBase)
		if !ok {
			return "", false
		}
		if p == "" || strings.HasSuffix(p, "/") {
			p += "index.html"
		}
		return p, true
	}
	t.Run("hreflang sets are absolute and symmetric", func(t *testing.T) {
		for _, p := range pages {
			if path.Base(p) == "404.html" {
				continue // no address of its own
			}
			links := hreflangRE.FindAllStringSubmatch(readOut(t, out, p), -1)
			var set []string
			for _, l := range links {
				set = append(set, l[1]+" "+l[2])
			}
			self := exampleBase + strings.TrimSuffix(p, "index.html")
			want := []string{"en " + exampleBase + strings.TrimPrefix(strings.TrimSuffix(p, "index.html"), "de/"), "de " + exampleBase + "de/" + strings.TrimPrefix(strings.TrimSuffix(p, "index.html"), "de/")}
			want = append(want, "x-default "+strings.TrimPrefix(want[0], "en "))
			if !slices.Equal(set, want) {
				t.Errorf("%s: got hreflang %q, want %q", p, set, want)
				continue
			}
			if !slices.Contains(set, "en "+self) && !slices.Contains(set, "de "+self) {
				t.Errorf("%s: got no hreflang to itself, %s", p, self)
			}
			for _, l := range links {
				f, ok := fileOf(l[2])
				if !ok || files[f] == "" {
					t.Errorf("%s: hreflang %s leads to %s, which is not published", p, l[1], l[2])
					continue
				}
				// Symmetric: the page it names names the same set.
				var back []string
				for _, b := range hreflangRE.FindAllStringSubmatch(readOut(t, out, f), -1) {
					back = append(back, b[1]+" "+b[2])
				}
				if !slices.Equal(back, set) {
					t.Errorf("%s names %s, whose hreflang set is %q, want %q", p, f, back, set)
				}
			}
		}
	})
	t.Run("switcher links resolve", func(t *testing.T) {
		for _, p := range pages {
			nav := switcherRE.FindStringSubmatch(readOut(t, out, p))
			if nav == nil {
				t.Errorf("%s: got no language switcher", p)
				continue
			}
			links := switchHrefRE.FindAllStringSubmatch(nav[1], -1)
			var got []string
			for _, l := range links {
				if l[2] != l[3] {
					t.Errorf("%s: got hreflang %q and lang %q, want the same", p, l[2], l[3])
				}
				got = append(got, l[2]+map[bool]string{true: "*"}[l[4] != ""])
				dir := path.Dir(p)
				if path.Base(p) == "404.html" {
					dir = strings.TrimSuffix(path.Dir(p), "/") // <base href> is the language's root
				}
				target := path.Clean(path.Join(dir, l[1]))
				if strings.HasSuffix(l[1], "/") || target == "." {
					target = path.Join(target, "index.html")
				}
				if files[target] == "" {
					t.Errorf("%s: switcher link %s leads to %s, which is not published", p, l[1], target)
				}
			}
			want := []string{"en*", "de"}
			if strings.HasPrefix(p, "de/") {
				want = []string{"en", "de*"}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: got switcher %q (* current), want %q", p, got, want)
			}
		}
	})
}

// TestBuildOneLanguage: a site whose languages list one language publishes
// byte for byte what it does without the list, with no hreflang links and
// no switcher.
func TestBuildOneLanguage(t *testing.T) {
	build1 := func(languages string) (string, map[string]string) {
		site := copySite(t)
		cfg := filepath.Join(site, "herald.yaml")
		data, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfg, []byte(strings.Replace(string(data), "languages: [en, de]", languages, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		// Without de among the languages, the translation would be an
		// incident of its own, in German.
		if err := os.Remove(filepath.Join(site, "incidents", "2026-03-09-gallery-outage.de.md")); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "out")
		if _, err := build(t, site, out, exampleNow); err != nil {
			t.Fatal(err)
		}
		return out, tree(t, out)
	}
	out, none := build1("")
	_, one := build1("languages: [en]")
	if len(none) != len(one) {
		t.Errorf("got %d files with languages: [en], want %d as without", len(one), len(none))
	}
	diffTrees(t, none, one)
	for _, p := range []string{"index.html", "incidents/2026-03-09-gallery-outage/index.html", "de"} {
		data, err := os.ReadFile(filepath.Join(out, p))
		if p == "de" {
			if err == nil || !os.IsNotExist(err) {
				t.Errorf("got %s/ (%v), want none", p, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if s := string(data); strings.Contains(s, "hreflang") || strings.Contains(s, "languages") {
			t.Errorf("%s: got hreflang links or a switcher, want none", p)
		}
	}
}
