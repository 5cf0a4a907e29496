package incident

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/i18n"
	"github.com/herald-status/herald/strictyaml"
)

// Translation is an incident's text in another of the site's languages,
// written in <slug>.<lang>.md beside <slug>.md. It has words only: its
// times, components and impact are the original's, so that the two can
// never disagree about facts.
type Translation struct {
	Lang        string // one of the site's languages but the first
	File        string // path relative to the site folder, slash-separated
	Title       string
	Summary     template.HTML
	SummaryText string
	// Updates are the original's, newest first, with their bodies in the
	// translation's language: Updates[i] translates the original's
	// Updates[i], at the same time and with the same status.
	Updates []Update
	Sum     [32]byte // its file's, as an Incident's

	of       string         // the original's slug
	loc      *time.Location // the site's, for messages
	bodyLine int            // where its body starts, for messages
}

// translationOf tells whether slug names a translation, <orig>.<lang>,
// where lang is one of the site's languages but the first; the others are
// ordinary incidents, as they are in a site of one language.
func (p *Parser) translationOf(slug string) (orig, lang string, ok bool) {
	i := strings.LastIndexByte(slug, '.')
	if i <= 0 || len(p.cfg.Languages) < 2 {
		return "", "", false
	}
	lang, ok = i18n.Canonical(slug[i+1:], p.cfg.Languages[1:])
	return slug[:i], lang, ok
}

// parseTranslation reads the translation file into lang of the incident
// whose slug is orig. It returns an Incident that holds only the
// Translation, for Collect to give to its original.
func (p *Parser) parseTranslation(file, slug, orig, lang string, src []byte) (*Incident, error) {
	var errs diag.List
	fm, body, bodyLine, err := splitFrontMatter(file, src)
	if err != nil {
		return nil, err
	}
	var meta frontMatter
	doc, err := strictyaml.Decode(file, fm, 1, &meta)
	if doc == nil {
		return nil, err
	}
	// meta holds no yaml.Node: only its strings outlive the Doc.
	defer doc.Release()
	errs.Add(file, err)
	in := &Incident{Slug: slug, File: file, Sum: contentSum(file, slug, src), Title: ownTitle(meta.Title)}
	if in.Title == "" && !doc.Failed("title") {
		errs = append(errs, doc.Errorf("title", "missing title").WithFix("add `title: …` in the translation's language to the front matter"))
	}
	if root := doc.Node(""); root != nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if key := root.Content[i].Value; key != "title" && doc.Has(key) {
				line, col := keyPos(doc, key)
				errs = append(errs, diag.Errorf(file, line, col, "a translation may set only title, not %s", key).WithFix("remove `%s:`; times, components and impact come from the original, %s.md", key, orig))
			}
		}
	}
	// Its statuses may be written in the site's language or its own.
	own, _ := localWords(p.cfg.LocaleOf(lang))
	p.parseBody(in, body, bodyLine, slices.Concat(IncidentStatuses, MaintenanceStatuses), slices.Concat(p.updateWords, own), &errs)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	tr := &Translation{Lang: lang, File: file, Title: in.Title, Summary: in.Summary, SummaryText: in.SummaryText, Updates: in.Updates, Sum: in.Sum, of: orig, loc: p.cfg.Location, bodyLine: bodyLine}
	return &Incident{Slug: slug, File: file, Sum: in.Sum, translation: tr}, nil
}

// translate gives each incident of ins its translations, of trs, and
// returns every problem of a translation: one without an original, or
// whose updates are not the original's. failed holds the slugs of files
// that did not parse, whose translations are not checked until they do.
// An incident with translations is a copy; its Sum stays its file's, and
// SumFor adds one language's translation, so that an edited translation
// is news to that language's files alone. ins itself is left as it was,
// since a caller may keep it.
func translate(ins, trs []*Incident, failed map[string]bool) diag.List {
	if len(trs) == 0 {
		return nil // most sites: no index of thousands of slugs to build
	}
	var errs diag.List
	at := map[string]int{}
	slugs := make([]string, len(ins))
	for i, in := range ins {
		at[in.Slug] = i
		slugs[i] = in.Slug
	}
	copied := map[int]bool{}
	for _, t := range trs {
		tr := t.translation
		i, ok := at[tr.of]
		if !ok {
			if failed[tr.of] {
				continue
			}
			e := diag.Errorf(tr.File, 1, 1, "translation of %s.md, which does not exist", tr.of)
			if best := diag.Closest(tr.of, slugs); best != "" {
				e.WithFix("did you mean %s.%s.md? a translation is named after its original", best, tr.Lang)
			} else {
				e.WithFix("write the original, %s.md, first; or rename this file if it is an incident of its own", tr.of)
			}
			errs = append(errs, e)
			continue
		}
		if bad := tr.check(ins[i]); len(bad) > 0 {
			errs = append(errs, bad...)
			continue
		}
		if !copied[i] {
			c := *ins[i]
			c.Translations = map[string]*Translation{}
			ins[i], copied[i] = &c, true
		}
		if _, dup := ins[i].Translations[tr.Lang]; !dup {
			ins[i].Translations[tr.Lang] = tr
		}
	}
	return errs
}

// SumFor is the Sum of the incident as a reader of lang sees it: its own
// and, where it has one, lang's translation's, and no other language's
// (see render.File.Key).
func (in *Incident) SumFor(lang string) [32]byte {
	tr := in.Translations[lang]
	if tr == nil {
		return in.Sum
	}
	h := sha256.New()
	h.Write(in.Sum[:])
	h.Write([]byte(lang))
	h.Write(tr.Sum[:])
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// In is the incident as a page in lang shows it: with its translation's
// title, summary and update bodies, or, without one, its own words marked
// as written in first, the site's first language (Untranslated). Every
// fact (times, components, impact, statuses) is the original's. Its Sum
// is SumFor(lang). In of the first language is the incident itself.
func (in *Incident) In(lang, first string) *Incident {
	if lang == first {
		return in
	}
	c := *in
	c.Sum = in.SumFor(lang)
	tr := in.Translations[lang]
	if tr == nil {
		c.Untranslated = first
		return &c
	}
	c.Title, c.Summary, c.SummaryText, c.Updates = tr.Title, tr.Summary, tr.SummaryText, tr.Updates
	return &c
}

// check reports where the translation's updates are not its original's:
// the same times and statuses, in the same order in the file.
func (tr *Translation) check(in *Incident) diag.List {
	var errs diag.List
	mine, theirs := inFileOrder(tr.Updates), inFileOrder(in.Updates)
	heading := func(u Update) string { return fmtTime(u.Time, tr.loc) + " — " + u.Status }
	for i, u := range mine {
		if i >= len(theirs) {
			errs = append(errs, diag.Errorf(tr.File, u.Line, 4, "update %s is not in the original, %s", heading(u), in.File).WithFix("remove it, or add it to the original first"))
			continue
		}
		if o := theirs[i]; !u.Time.Equal(o.Time) || u.Status != o.Status {
			errs = append(errs, diag.Errorf(tr.File, u.Line, 4, "update %s is not the original's update %d, %s (%s:%d)", heading(u), i+1, heading(o), in.File, o.Line).
				WithFix("give each update the time and status of the original's, in the same order; the status may be written in either language"))
		}
	}
	if len(theirs) > len(mine) {
		line := tr.bodyLine
		if len(mine) > 0 {
			line = mine[len(mine)-1].Line
		}
		missing := make([]string, 0, len(theirs)-len(mine))
		for _, o := range theirs[len(mine):] {
			missing = append(missing, fmt.Sprintf("%s (%s:%d)", heading(o), in.File, o.Line))
		}
		errs = append(errs, diag.Errorf(tr.File, line, 1, "the original's %s not translated", listWithVerb(missing)).
			WithFix("translate every `##` update of the original, with its time and status, in the same order"))
	}
	return errs
}

// listWithVerb is "update X is" or "updates X, Y are".
func listWithVerb(items []string) string {
	if len(items) == 1 {
		return "update " + items[0] + " is"
	}
	return "updates " + strings.Join(items, ", ") + " are"
}

// inFileOrder is updates in the order the file writes them.
func inFileOrder(updates []Update) []Update {
	return slices.SortedStableFunc(slices.Values(updates), func(a, b Update) int { return cmp.Compare(a.Line, b.Line) })
}
