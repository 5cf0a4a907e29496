package incident

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herald-status/herald/config"
)

// gallery is an incident with two updates, the original of the
// translations below.
const gallery = `---
title: Gallery down
components:
  website: major_outage
started: 2026-03-09 07:00
---
The gallery was down.

## 2026-03-09 07:52 PDT — Resolved
Back up.

## 2026-03-09 07:31 PDT — Investigating
Looking.
`

// galleryDE is its German translation: statuses in either language.
const galleryDE = `---
title: Galerie nicht erreichbar
---
Die Galerie war nicht erreichbar.

## 2026-03-09 07:52 PDT — Behoben
Wieder erreichbar.

## 2026-03-09 07:31 PDT — investigating
Wir sehen nach.
`

// writeSite writes a site with the languages line (none when empty) and
// files under incidents/, and returns it with its config.
func writeSite(t *testing.T, languages string, files map[string]string) (string, *config.Config) {
	t.Helper()
	site := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(site, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testConfig
	if languages != "" {
		cfg = languages + "\n" + cfg
	}
	write(config.FileName, cfg)
	for rel, content := range files {
		write(Dir+"/"+rel, content)
	}
	c, err := config.Load(site)
	if err != nil {
		t.Fatal(err)
	}
	return site, c
}

func loadSite(t *testing.T, languages string, files map[string]string) ([]*Incident, error) {
	t.Helper()
	site, cfg := writeSite(t, languages, files)
	return Load(context.Background(), site, NewParser(cfg))
}

// TestTranslation: a translation is parsed into its original, with its
// title, summary and the bodies of its updates, and is no incident of its
// own.
func TestTranslation(t *testing.T) {
	ins, err := loadSite(t, "languages: [en, de]", map[string]string{"2026-03-09-gallery.md": gallery, "2026-03-09-gallery.de.md": galleryDE})
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 {
		t.Fatalf("got %d incidents, want 1, the original", len(ins))
	}
	in := ins[0]
	tr := in.Translations["de"]
	if tr == nil {
		t.Fatalf("got translations %v, want de", in.Translations)
	}
	if got, want := tr.Title, "Galerie nicht erreichbar"; got != want {
		t.Errorf("got title %q, want %q", got, want)
	}
	if got, want := string(tr.Summary), "<p>Die Galerie war nicht erreichbar.</p>\n"; got != want {
		t.Errorf("got summary %q, want %q", got, want)
	}
	if got, want := tr.File, "incidents/2026-03-09-gallery.de.md"; got != want {
		t.Errorf("got file %q, want %q", got, want)
	}
	var got []string
	for i, u := range tr.Updates {
		got = append(got, u.Status+": "+string(u.Body))
		if !u.Time.Equal(in.Updates[i].Time) {
			t.Errorf("got update %d at %v, want %v", i, u.Time, in.Updates[i].Time)
		}
	}
	if want := []string{"resolved: <p>Wieder erreichbar.</p>\n", "investigating: <p>Wir sehen nach.</p>\n"}; !slices.Equal(got, want) {
		t.Errorf("got updates %q, want %q", got, want)
	}
	if in.Title != "Gallery down" {
		t.Errorf("got title %q, want the original's", in.Title)
	}
}

// TestTranslationSums: the original's Sum is its file's alone, and each
// language's SumFor moves with that language's translation and no
// other's, so that an edit of x.de.md is news to the German pages only.
func TestTranslationSums(t *testing.T) {
	const galleryFR = "---\ntitle: Galerie indisponible\n---\nLa galerie était indisponible.\n\n## 2026-03-09 07:52 PDT — Resolved\nRétablie.\n\n## 2026-03-09 07:31 PDT — Investigating\nNous regardons.\n"
	load := func(de, fr string) *Incident {
		t.Helper()
		ins, err := loadSite(t, "languages: [en, de, fr]", map[string]string{"2026-03-09-gallery.md": gallery, "2026-03-09-gallery.de.md": de, "2026-03-09-gallery.fr.md": fr})
		if err != nil {
			t.Fatal(err)
		}
		return ins[0]
	}
	before := load(galleryDE, galleryFR)
	editedDE := load(strings.Replace(galleryDE, "Wir sehen nach.", "Wir sehen uns das an.", 1), galleryFR)
	own := contentSum("incidents/2026-03-09-gallery.md", "2026-03-09-gallery", []byte(gallery))
	tests := []struct {
		name      string
		got, want [32]byte
		same      bool
	}{
		{"the original's Sum is its file's", before.Sum, own, true},
		{"the original's Sum after an edit of de", editedDE.Sum, own, true},
		{"fr after an edit of de", editedDE.SumFor("fr"), before.SumFor("fr"), true},
		{"de after an edit of de", editedDE.SumFor("de"), before.SumFor("de"), false},
		{"de is not the original", before.SumFor("de"), own, false},
		{"a language without a translation", before.SumFor("ja"), own, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if (tt.got == tt.want) != tt.same {
				t.Errorf("got %x, want equal to %x: %v", tt.got[:4], tt.want[:4], tt.same)
			}
		})
	}
}

// TestIncidentIn: the view of an incident in a language shows its
// translation's words and the original's facts, or, without one, the
// original's words marked with the language they are in.
func TestIncidentIn(t *testing.T) {
	ins, err := loadSite(t, "languages: [en, de, fr]", map[string]string{"2026-03-09-gallery.md": gallery, "2026-03-09-gallery.de.md": galleryDE})
	if err != nil {
		t.Fatal(err)
	}
	in := ins[0]
	tests := []struct {
		lang, title, body, untranslated string
	}{
		{"en", "Gallery down", "<p>Looking.</p>\n", ""},
		{"de", "Galerie nicht erreichbar", "<p>Wir sehen nach.</p>\n", ""},
		{"fr", "Gallery down", "<p>Looking.</p>\n", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			v := in.In(tt.lang, "en")
			if v.Title != tt.title || string(v.Updates[1].Body) != tt.body || v.Untranslated != tt.untranslated {
				t.Errorf("got %q, %q, untranslated %q; want %q, %q, %q", v.Title, v.Updates[1].Body, v.Untranslated, tt.title, tt.body, tt.untranslated)
			}
			if !v.Started.Equal(in.Started) || v.Impact != in.Impact || len(v.Affected) != len(in.Affected) || v.Updates[0].Status != in.Updates[0].Status {
				t.Errorf("got facts that are not the original's")
			}
			if v.Sum != in.SumFor(tt.lang) {
				t.Errorf("got Sum %x, want SumFor(%s)", v.Sum[:4], tt.lang)
			}
		})
	}
}

// TestTranslationOrIncident: only a language of languages: other than the
// first makes <slug>.<lang>.md a translation; otherwise it is an incident.
func TestTranslationOrIncident(t *testing.T) {
	tests := []struct {
		name, languages, file string
		want                  []string // slugs, and the languages of translations
	}{
		{"translation", "languages: [en, de]", "gallery.de.md", []string{"gallery de"}},
		{"any case", "languages: [en, pt-BR]", "gallery.pt-br.md", []string{"gallery pt-BR"}},
		{"no languages", "", "gallery.de.md", []string{"gallery", "gallery.de"}},
		{"locale only", "locale: de", "gallery.de.md", []string{"gallery", "gallery.de"}},
		{"the first language", "languages: [de, en]", "gallery.de.md", []string{"gallery", "gallery.de"}},
		{"not a language of the site", "languages: [en, de]", "gallery.fr.md", []string{"gallery", "gallery.fr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := strings.Replace(gallery, "## 2026-03-09 07:52 PDT — Resolved\nBack up.\n\n", "", 1)
			// Both a translation of orig and an incident of its own.
			dup := "---\ntitle: Galerie\n---\n## 2026-03-09 07:31 PDT — Investigating\nWir sehen nach.\n"
			ins, err := loadSite(t, tt.languages, map[string]string{"gallery.md": orig, tt.file: dup})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range ins {
				s := in.Slug
				for _, lang := range slices.Sorted(maps.Keys(in.Translations)) {
					s += " " + lang
				}
				got = append(got, s)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTranslationErrors: each rule of translations is a check error at
// its place, with a fix.
func TestTranslationErrors(t *testing.T) {
	const file = "incidents/gallery.de.md"
	tests := []struct {
		name  string
		files map[string]string // besides gallery.md
		want  string
	}{
		{"a fact in front matter", map[string]string{"gallery.de.md": strings.Replace(galleryDE, "---\n", "---\nstarted: 2026-03-09 07:00\nimpact: major\n", 1)},
			file + ":2:1: a translation may set only title, not started (remove `started:`; times, components and impact come from the original, gallery.md)\n" +
				file + ":3:1: a translation may set only title, not impact (remove `impact:`; times, components and impact come from the original, gallery.md)"},
		{"no title", map[string]string{"gallery.de.md": strings.Replace(galleryDE, "title: Galerie nicht erreichbar\n", "", 1)},
			file + ":2:1: missing title (add `title: …` in the translation's language to the front matter)"},
		{"no original", map[string]string{"outage.de.md": galleryDE},
			"incidents/outage.de.md:1:1: translation of outage.md, which does not exist (write the original, outage.md, first; or rename this file if it is an incident of its own)"},
		{"a misspelt original", map[string]string{"galery.de.md": galleryDE},
			"incidents/galery.de.md:1:1: translation of galery.md, which does not exist (did you mean gallery.de.md? a translation is named after its original)"},
		{"another time", map[string]string{"gallery.de.md": strings.Replace(galleryDE, "07:52 PDT", "07:55 PDT", 1)},
			file + ":6:4: update 2026-03-09 07:55 PDT — resolved is not the original's update 1, 2026-03-09 07:52 PDT — resolved (incidents/gallery.md:9) (give each update the time and status of the original's, in the same order; the status may be written in either language)"},
		{"another status", map[string]string{"gallery.de.md": strings.Replace(galleryDE, "Behoben", "Wird beobachtet", 1)},
			file + ":6:4: update 2026-03-09 07:52 PDT — monitoring is not the original's update 1, 2026-03-09 07:52 PDT — resolved (incidents/gallery.md:9) (give each update the time and status of the original's, in the same order; the status may be written in either language)"},
		{"another order", map[string]string{"gallery.de.md": "---\ntitle: Galerie\n---\n## 2026-03-09 07:31 PDT — Wird untersucht\n## 2026-03-09 07:52 PDT — Behoben\n"},
			file + ":4:4: update 2026-03-09 07:31 PDT — investigating is not the original's update 1, 2026-03-09 07:52 PDT — resolved (incidents/gallery.md:9) (give each update the time and status of the original's, in the same order; the status may be written in either language)\n" +
				file + ":5:4: update 2026-03-09 07:52 PDT — resolved is not the original's update 2, 2026-03-09 07:31 PDT — investigating (incidents/gallery.md:12) (give each update the time and status of the original's, in the same order; the status may be written in either language)"},
		{"an update more", map[string]string{"gallery.de.md": galleryDE + "\n## 2026-03-09 07:20 PDT — Wird untersucht\n"},
			file + ":12:4: update 2026-03-09 07:20 PDT — investigating is not in the original, incidents/gallery.md (remove it, or add it to the original first)"},
		{"an update less", map[string]string{"gallery.de.md": "---\ntitle: Galerie\n---\nZusammenfassung.\n\n## 2026-03-09 07:52 PDT — Behoben\n"},
			file + ":6:1: the original's update 2026-03-09 07:31 PDT — investigating (incidents/gallery.md:12) is not translated (translate every `##` update of the original, with its time and status, in the same order)"},
		{"no update", map[string]string{"gallery.de.md": "---\ntitle: Galerie\n---\nZusammenfassung.\n"},
			file + ":4:1: the original's updates 2026-03-09 07:52 PDT — resolved (incidents/gallery.md:9), 2026-03-09 07:31 PDT — investigating (incidents/gallery.md:12) are not translated (translate every `##` update of the original, with its time and status, in the same order)"},
		{"a word of neither language", map[string]string{"gallery.de.md": strings.Replace(galleryDE, "Behoben", "Erledigt", 1)},
			file + ":6:29: unknown status \"Erledigt\" (use one of investigating, identified, monitoring, resolved, postmortem, scheduled, in_progress, verifying, completed; or in de: Wird untersucht, Ursache gefunden, Wird beobachtet, Behoben, Nachbetrachtung, Geplant, Läuft, Wird geprüft, Abgeschlossen)"},
		{"every bad file", map[string]string{"gallery.de.md": strings.Replace(galleryDE, "07:52 PDT", "07:55 PDT", 1), "outage.de.md": galleryDE},
			file + ":6:4: update 2026-03-09 07:55 PDT — resolved is not the original's update 1" + "|" +
				"incidents/outage.de.md:1:1: translation of outage.md, which does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"gallery.md": gallery}
			for k, v := range tt.files {
				files[k] = v
			}
			_, err := loadSite(t, "languages: [en, de]", files)
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			got := err.Error()
			for _, w := range strings.Split(tt.want, "|") {
				if !strings.Contains(got, w) {
					t.Errorf("got:\n%s\nwant it to contain:\n%s", got, w)
				}
			}
			if !strings.Contains(tt.want, "|") && got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestTranslationOfBadOriginal: while the original does not parse, its
// error is the one reported, not its translation's.
func TestTranslationOfBadOriginal(t *testing.T) {
	_, err := loadSite(t, "languages: [en, de]", map[string]string{"gallery.md": strings.Replace(gallery, "Resolved", "Fixed", 1), "gallery.de.md": galleryDE})
	if err == nil {
		t.Fatal("got no error, want the original's")
	}
	if got, want := err.Error(), `incidents/gallery.md:9:29: unknown incident status "Fixed" (use one of investigating, identified, monitoring, resolved, postmortem)`; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestRescanTranslation: a Scanner told that a translation changed gives
// its original with the new translation and a new SumFor("de"), as watch
// needs to build the German pages again.
func TestRescanTranslation(t *testing.T) {
	site, cfg := writeSite(t, "languages: [en, de]", map[string]string{"gallery.md": gallery, "gallery.de.md": galleryDE})
	p := NewParser(cfg)
	sc := NewScanner(site)
	load := func(sources []Source, err error) *Incident {
		t.Helper()
		ins, err := Collect(context.Background(), sources, err, func(ctx context.Context, sources []Source) ([]*Incident, []error, error) {
			return ParseAll(ctx, p, sources)
		})
		if err != nil || len(ins) != 1 {
			t.Fatalf("got %d incidents, error %v; want 1", len(ins), err)
		}
		return ins[0]
	}
	before := load(sc.Scan())
	edited := strings.Replace(galleryDE, "Galerie nicht erreichbar", "Galerie ausgefallen", 1)
	if err := os.WriteFile(filepath.Join(site, Dir, "gallery.de.md"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	after := load(sc.Rescan([]string{Dir + "/gallery.de.md"}))
	if got, want := after.Translations["de"].Title, "Galerie ausgefallen"; got != want {
		t.Errorf("got title %q, want %q", got, want)
	}
	if after.SumFor("de") == before.SumFor("de") {
		t.Error("got the same SumFor(de) after the translation changed, want another")
	}
	if got, want := before.Translations["de"].Title, "Galerie nicht erreichbar"; got != want {
		t.Errorf("got the first load's title changed to %q, want %q kept", got, want)
	}
}
