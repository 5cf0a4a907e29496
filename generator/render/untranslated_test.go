package render

import (
	"fmt"
	"html"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/herald-status/herald/generator/sitetest"
	"github.com/herald-status/herald/generator/status"
	"github.com/herald-status/herald/i18n"
)

// englishOnPage are the phrases of en.yaml that the pages in another
// language may hold anyway, each with the reason. Anything else of
// en.yaml on such a page is a word left untranslated. It is empty: every
// phrase herald writes on a page is translated, and the names herald
// keeps in every language ("RSS", "JSON Feed", "herald") are no phrase
// of en.yaml on their own.
var englishOnPage = map[string]string{}

// TestNothingLeftInEnglish renders the fixture, and the sample site with
// its reports and objectives, in every shipped language but English, and
// fails on any phrase of en.yaml that a reader meets on a page (its text
// and the attributes read out or shown: aria-label, title, alt, content,
// the stale-page warning's words) or in the stale-page script's code: a
// word a template still writes in English. Not counted: a phrase the
// language's own catalog uses too ("Status", "API", "Feeds"), and one the
// site's own content holds (its incidents are written in English). The
// charts (<svg> and the response-time figures) are left out:
// generator/chart words them, and takes the locale in its own change.
func TestNothingLeftInEnglish(t *testing.T) {
	r := newRenderer(t, "")
	phrases := catalogPhrases(t, "en")
	type site struct {
		files   map[string][]byte
		content string
	}
	render := func(tag string) []site {
		fixture := sitetest.Snapshot(t, fixtureDir, fixtureNow)
		fixture.Site.Locale = i18n.For(tag)
		_, a := renderAll(t, r.Files(fixture))
		snap := sample()
		snap.Site.Locale = i18n.For(tag)
		// The states of a probe that the sample leaves out, for their words.
		docs, web := snap.Component("docs"), snap.Component("web")
		docs.Monitored, docs.Probe = true, status.ProbeNoData
		web.Monitored, web.Probe = true, status.ProbeStale
		_, b := renderAll(t, r.Files(snap, WithReports(sampleReports(snap))))
		return []site{{a, content(fixture)}, {b, content(snap)}}
	}
	t.Run("en, which must be found", func(t *testing.T) {
		// The check itself: on the English pages it finds herald's words.
		var found []string
		for _, s := range render("en") {
			found = append(found, untranslated(s.files, s.content, phrases, nil)...)
		}
		if len(found) < 100 {
			t.Errorf("got %d of en.yaml's phrases on the English pages, want them found", len(found))
		}
	})
	for _, tag := range i18n.Supported() {
		if tag == "en" {
			continue
		}
		t.Run(tag, func(t *testing.T) {
			own := catalogPhrases(t, tag)
			for _, s := range render(tag) {
				for _, f := range untranslated(s.files, s.content, phrases, own) {
					t.Errorf("got %s in English", f)
				}
			}
		})
	}
}

// content is the text of what the site's author wrote: the site's title
// and description, its links, components and incidents.
func content(snap *status.Snapshot) string {
	parts := []string{snap.Site.Title, snap.Site.Description}
	for _, l := range snap.Site.Links {
		parts = append(parts, l.Name)
	}
	for _, c := range snap.Components {
		parts = append(parts, c.Name, c.Group, c.Description)
	}
	for _, in := range snap.Incidents {
		parts = append(parts, in.Title, in.SummaryText, pageText(string(in.Summary)))
		for _, u := range in.Updates {
			parts = append(parts, pageText(string(u.Body)))
		}
	}
	return strings.Join(parts, "\n")
}

// untranslated lists, as "phrase in path", the phrases a reader meets in
// files that neither own (the language's phrases) nor content holds, nor
// englishOnPage allows.
func untranslated(files map[string][]byte, content string, phrases, own []string) []string {
	var found []string
	for _, p := range slices.Sorted(maps.Keys(files)) {
		var text string
		switch path.Ext(p) {
		case ".html":
			text = pageText(charts.ReplaceAllString(string(files[p]), ""))
		case ".js":
			// Only its strings could be shown, and of those only the
			// words, not the names of attributes and classes.
			var words []string
			for _, lit := range jsStrings.FindAllString(comments.ReplaceAllString(string(files[p]), ""), -1) {
				if strings.Contains(lit, " ") {
					words = append(words, lit)
				}
			}
			text = strings.Join(words, "\n")
		default:
			continue
		}
		for _, ph := range phrases {
			if _, ok := englishOnPage[ph]; ok || containsWord(content, ph) || slices.ContainsFunc(own, func(o string) bool { return strings.Contains(o, ph) }) {
				continue
			}
			if containsWord(text, ph) {
				found = append(found, fmt.Sprintf("%q in %s", ph, p))
			}
		}
	}
	return found
}

var (
	// charts matches what generator/chart draws into a page.
	charts = regexp.MustCompile(`(?s)<svg.*?</svg>|<figure class="lat".*?</figure>`)
	// comments matches the comments of a script, jsStrings its strings.
	comments  = regexp.MustCompile(`(?m)^\s*//.*$`)
	jsStrings = regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)
	// urls matches an address, shown or in an attribute.
	urls = regexp.MustCompile(`[a-z]+://[^\s"<]*`)
	// tags and readAttrs match a tag, and the attributes of one that a
	// reader meets: html/template quotes every value with ".
	tags      = regexp.MustCompile(`(?s)<[^>]*>`)
	readAttrs = regexp.MustCompile(`\s(?:aria-label|title|alt|content|data-stale-text-before|data-stale-text-after)="([^"]*)"`)
)

// pageText is the text of the HTML page h that a reader meets: its text,
// and the values of the attributes read out or shown, unescaped.
func pageText(h string) string {
	var b strings.Builder
	for _, tag := range tags.FindAllString(h, -1) {
		for _, m := range readAttrs.FindAllStringSubmatch(tag, -1) {
			b.WriteString(m[1])
			b.WriteString("\n")
		}
	}
	b.WriteString(tags.ReplaceAllString(h, "\n"))
	return urls.ReplaceAllString(html.UnescapeString(b.String()), "")
}

// containsWord reports whether s holds phrase, not as part of a longer
// word: "Update" is not found in "Updates".
func containsWord(s, phrase string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if !isLetterRune(before) && !isLetterRune(after) {
			return true
		}
		i = start + 1
	}
}

func isLetterRune(r rune) bool { return r != utf8.RuneError && unicode.IsLetter(r) }

// placeholder is a value herald fills into a message.
var placeholder = regexp.MustCompile(`\{[a-z0-9_]+\}`)

// catalogPhrases lists the phrases of the shipped catalog of tag: each
// text, and each plural form, cut at its placeholders, trimmed of spaces
// and punctuation, and kept when it has five letters or more, which
// leaves out units ("min") and names ("API").
func catalogPhrases(t *testing.T, tag string) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "i18n", "catalog", tag+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(src, &raw); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, v := range raw {
		switch v := v.(type) {
		case string:
			texts = append(texts, v)
		case map[string]any:
			for _, f := range v {
				texts = append(texts, f.(string))
			}
		}
	}
	var out []string
	for _, text := range texts {
		for _, part := range placeholder.Split(text, -1) {
			part = strings.TrimFunc(part, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
			letters := 0
			for _, r := range part {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			if letters >= 5 && !slices.Contains(out, part) {
				out = append(out, part)
			}
		}
	}
	slices.Sort(out)
	return out
}
