package i18n

import (
	"cmp"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/herald-status/herald/diag"
	"github.com/herald-status/herald/strictyaml"
)

//go:embed catalog/*.yaml
var catalogs embed.FS

// Dir is the folder of a site that holds its catalogs, one
// <locale>.yaml each.
const Dir = "i18n"

// reference is the catalog every other must match key for key.
const reference = "en"

// Catalogs are the locales a site can use: herald's, with the site's
// words laid over them.
type Catalogs struct {
	// site holds the locales the site's i18n/ fixes or adds; every other
	// is herald's own, from For.
	site map[string]*Locale
}

// For returns the locale tag, or nil when there is none.
func (c *Catalogs) For(tag string) *Locale {
	if l, ok := c.site[tag]; ok {
		return l
	}
	return For(tag)
}

// builtin holds each shipped catalog, parsed on its first use and then
// kept for the process: a site writes in one or two of the languages, and
// parsing all eight cost a build ~40 ms of its serial start. They are
// herald's own data, checked by its tests and by Check, so an error is a
// bug in herald.
var builtin = func() map[string]func() (*Locale, error) {
	m := make(map[string]func() (*Locale, error), len(shipped))
	for _, s := range shipped {
		m[s.tag] = sync.OnceValues(func() (*Locale, error) { return parseShipped(s.tag) })
	}
	return m
}()

func readShipped(tag string) ([]byte, error) {
	src, err := catalogs.ReadFile("catalog/" + tag + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	return src, nil
}

// parseShipped reads the shipped catalog of tag. Its words are taken from
// the yaml package's tree as they stand, without parse's checks: Check
// makes them, for every shipped catalog, in the tests and in `herald
// check`, and a process that made them again for each catalog it writes
// in spent half of the catalog's parse on them (TestShippedAsParsed holds
// the two to the same words).
func parseShipped(tag string) (*Locale, error) {
	src, err := readShipped(tag)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, fmt.Errorf("parse catalog/%s.yaml: %w", tag, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("parse catalog/%s.yaml: not a mapping of keys to words", tag)
	}
	doc := root.Content[0].Content
	msgs := make(map[string]msg, len(doc)/2)
	for i := 0; i+1 < len(doc); i += 2 {
		key, v := doc[i].Value, doc[i+1]
		if v.Kind != yaml.MappingNode {
			msgs[key] = msg{text: v.Value}
			continue
		}
		m := msg{plural: make(map[plural.Form]string, len(v.Content)/2)}
		for j := 0; j+1 < len(v.Content); j += 2 {
			m.plural[formNames[v.Content[j].Value]] = v.Content[j+1].Value
		}
		msgs[key] = m
	}
	return newLocale(tag, msgs), nil
}

// shippedLocale is the shipped locale tag, parsed on first use, or nil
// when herald has no catalog for tag.
func shippedLocale(tag string) (*Locale, error) {
	parsed, ok := builtin[tag]
	if !ok {
		return nil, nil
	}
	return parsed()
}

// Check parses every shipped catalog with every check a site's catalog
// gets, and returns the errors of all of them in one diag.List. A build
// reads only those of its site's languages, and without the checks (see
// parseShipped); with Check, `herald check` and the tests find a broken
// one before a site switches to its language.
func Check() error {
	ref, errs := checkShipped(reference, nil)
	for _, tag := range Supported() {
		if tag != reference {
			_, bad := checkShipped(tag, ref)
			errs = append(errs, bad...)
		}
	}
	return errs.Err()
}

// checkShipped parses the shipped catalog of tag with every check, against
// ref (nil for the reference itself).
func checkShipped(tag string, ref map[string]msg) (map[string]msg, diag.List) {
	file := "catalog/" + tag + ".yaml"
	src, err := readShipped(tag)
	if err != nil {
		return nil, diag.List{diag.Errorf(file, 1, 1, "%v", err)}
	}
	return parse(file, tag, src, ref, true)
}

// For returns the shipped locale tag, as Supported names it, or nil.
func For(tag string) *Locale {
	l, err := shippedLocale(tag)
	if err != nil {
		panic("i18n: shipped catalog: " + err.Error())
	}
	return l
}

// Tags lists the locales a site in dir may choose: herald's, and those
// its i18n folder adds. It reads only the folder's file names; Load
// checks what the files say.
func Tags(dir string) []string {
	tags := Supported()
	for _, f := range siteFiles(dir) {
		if t, err := language.Parse(strings.TrimSuffix(f, ".yaml")); err == nil && !slices.Contains(tags, t.String()) {
			tags = append(tags, t.String())
		}
	}
	return tags
}

func siteFiles(dir string) []string {
	names, _ := fs.Glob(os.DirFS(filepath.Join(dir, Dir)), "*.yaml")
	return names
}

// Load returns herald's catalogs with those of the site folder dir laid
// over them. A file i18n/de.yaml fixes words of German: each of its keys
// must be one of herald's, with the plural forms German has. A file for a
// language herald does not ship adds it: it must hold every key, unless
// herald ships a close one ("de-AT" beside "de"), whose words and
// calendar it starts from. Every bad file is reported, in one diag.List.
//
// Of herald's own catalogs, the reference and those of tags, the site's
// languages, are parsed here, so that a broken one fails the load; any
// other is parsed when first asked for.
func Load(dir string, tags ...string) (*Catalogs, error) {
	var errs diag.List
	// The reference and the site's own languages are parsed now, so that
	// an error in one is the build's, not a panic in For.
	for _, tag := range append([]string{reference}, tags...) {
		if _, err := shippedLocale(tag); err != nil {
			return nil, err
		}
	}
	files := siteFiles(dir)
	if len(files) == 0 {
		return &Catalogs{}, nil
	}
	c := &Catalogs{site: map[string]*Locale{}}
	ref := For(reference).msgs
	// The site's fixes to a shipped language first: a language added
	// beside it (de-AT.yaml beside de.yaml) starts from the fixed words.
	slices.SortStableFunc(files, func(a, b string) int {
		return cmp.Compare(added(a), added(b))
	})
	for _, name := range files {
		file := path.Join(Dir, name)
		base := strings.TrimSuffix(name, ".yaml")
		t, err := language.Parse(base)
		if err != nil {
			errs = append(errs, diag.Errorf(file, 1, 1, "%s is not named after a locale", file).WithFix("name it after a BCP 47 tag, such as de.yaml or pt-BR.yaml"))
			continue
		}
		tag := t.String()
		if tag != base {
			errs = append(errs, diag.Errorf(file, 1, 1, "write the locale of %s as %s", file, tag).WithFix("rename it to %s.yaml", tag))
			continue
		}
		src, rerr := readSite(filepath.Join(dir, Dir, name), file)
		if rerr != nil {
			errs = append(errs, rerr)
			continue
		}
		parent, err := c.parent(tag)
		if err != nil {
			return nil, err
		}
		msgs, bad := parse(file, tag, src, ref, parent == nil)
		errs = append(errs, bad...)
		if parent != nil {
			merged := maps.Clone(parent.msgs)
			maps.Copy(merged, msgs)
			msgs = merged
		}
		l := newLocale(tag, msgs)
		if l.calendar == nil && parent != nil {
			l.calendar = parent.calendar
		}
		c.site[tag] = l
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// parent is the locale whose words a site's catalog for tag fixes: the
// site's or herald's of tag, or else herald's closest to it; nil for a
// language with none close.
func (c *Catalogs) parent(tag string) (*Locale, error) {
	if _, ok := builtin[tag]; !ok && c.site[tag] == nil {
		tag = Closest(tag, Supported())
	}
	if l, ok := c.site[tag]; ok {
		return l, nil
	}
	return shippedLocale(tag)
}

// added is 1 for the file of a language herald does not ship, 0 else.
func added(name string) int {
	if _, ok := builtin[strings.TrimSuffix(name, ".yaml")]; !ok {
		return 1
	}
	return 0
}

// MaxFileSize is the largest site catalog herald reads: herald's own are
// about 10 KiB, and a bound keeps a stray file from filling memory.
const MaxFileSize = 1 << 20

// readSite reads the site catalog at p, shown as file. It must be a plain
// file, or a link to one: a FIFO named de.yaml would block the build.
func readSite(p, file string) ([]byte, *diag.Error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, diag.Errorf(file, 1, 1, "cannot read: %v", err)
	}
	if !info.Mode().IsRegular() {
		return nil, diag.Errorf(file, 1, 1, "not a regular file").WithFix("a catalog must be a plain file, or a symlink to one")
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, diag.Errorf(file, 1, 1, "cannot read: %v", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, diag.Errorf(file, 1, 1, "cannot read: %v", err)
	}
	if len(src) > MaxFileSize {
		return nil, diag.Errorf(file, 1, 1, "file is over the %d byte limit", MaxFileSize).WithFix("a catalog holds only the words that differ from herald's")
	}
	return src, nil
}

// parse reads the catalog file of locale tag: each key maps to its text,
// or, for a message that depends on a count, to one text per plural form
// of the language. Against ref (nil for the reference itself), each key
// must exist there, be plural as it is, and use only its {names}; with
// complete, every key of ref must be there too.
func parse(file, tag string, src []byte, ref map[string]msg, complete bool) (map[string]msg, diag.List) {
	var raw map[string]yaml.Node
	doc, err := strictyaml.Decode(file, src, 0, &raw)
	var errs diag.List
	errs.Add(file, err)
	if doc == nil {
		return nil, errs
	}
	// Where each key is written, for errors that are about the key: the
	// file is parsed again for them, and only when there is one, as a
	// catalog is most of a process's start.
	keys := sync.OnceValue(func() map[string]*yaml.Node {
		keys := map[string]*yaml.Node{}
		var root yaml.Node
		if yaml.Unmarshal(src, &root) == nil && len(root.Content) > 0 {
			m := root.Content[0]
			for i := 0; i+1 < len(m.Content); i += 2 {
				if _, dup := keys[m.Content[i].Value]; !dup {
					keys[m.Content[i].Value] = m.Content[i]
				}
			}
		}
		return keys
	})
	at := func(key string) (int, int) {
		if k := keys()[key]; k != nil {
			return k.Line, k.Column
		}
		return doc.Pos(key)
	}
	forms := PluralForms(tag)
	msgs := map[string]msg{}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		n := raw[key]
		want, known := ref[key]
		if ref != nil && !known {
			line, col := at(key)
			e := diag.Errorf(file, line, col, "unknown key %q", key)
			if best := diag.Closest(key, slices.Collect(maps.Keys(ref))); best != "" {
				e.WithFix("did you mean %q?", best)
			} else {
				e.WithFix("herald writes no such word; its words are the keys of herald's i18n/catalog/en.yaml")
			}
			errs = append(errs, e)
			continue
		}
		m, bad := readMsg(file, key, &n, doc, forms)
		errs = append(errs, bad...)
		if bad != nil {
			continue
		}
		switch {
		case ref == nil:
		case want.plural != nil && m.plural == nil:
			line, col := at(key)
			errs = append(errs, diag.Errorf(file, line, col, "%s depends on a count, so it needs one text per plural form", key).WithFix("write it as a mapping of %s", strings.Join(forms, ", ")))
			continue
		case want.plural == nil && m.plural != nil:
			line, col := at(key)
			errs = append(errs, diag.Errorf(file, line, col, "%s does not depend on a count", key).WithFix("write it as one text"))
			continue
		}
		if ref != nil {
			errs = append(errs, placeholders(key, doc, m, want)...)
		}
		msgs[key] = m
	}
	if complete && ref != nil {
		var missing []string
		for _, key := range slices.Sorted(maps.Keys(ref)) {
			if _, ok := raw[key]; !ok {
				missing = append(missing, key)
			}
		}
		// A few are named one by one, with their English; a catalog
		// begun from nothing gets one error, not a screenful.
		if len(missing) > maxMissing {
			errs = append(errs, diag.Errorf(file, 1, 1, "missing %d of herald's %d keys, such as %s", len(missing), len(ref), strings.Join(missing[:maxMissing], ", ")).WithFix("start from a copy of herald's i18n/catalog/en.yaml and translate each text (docs/i18n.md)"))
			missing = nil
		}
		for _, key := range missing {
			errs = append(errs, diag.Errorf(file, 1, 1, "missing key %q", key).WithFix("add it; in English it reads %q", ref[key].form(plural.Other)))
		}
	}
	return msgs, errs
}

// maxMissing is how many missing keys are named one by one.
const maxMissing = 5

// readMsg reads the value of one key.
func readMsg(file, key string, n *yaml.Node, doc *strictyaml.Doc, forms []string) (msg, diag.List) {
	text := func(path string, n *yaml.Node) (string, *diag.Error) {
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			return "", doc.Errorf(path, "%s must be text", path).WithFix("write the words after the colon, in quotes if they hold a colon or start with { or <")
		}
		// A separator may be nothing: Japanese writes "2時間14分".
		if strings.TrimSpace(n.Value) == "" && !strings.HasSuffix(key, ".separator") {
			return "", doc.Errorf(path, "%s is empty", path).WithFix("write its words, or leave the key out to keep herald's")
		}
		return n.Value, nil
	}
	if n.Kind != yaml.MappingNode {
		s, err := text(key, n)
		if err != nil {
			return msg{}, diag.List{err}
		}
		return msg{text: s}, nil
	}
	m := msg{plural: map[plural.Form]string{}}
	var errs diag.List
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		form, ok := formNames[k.Value]
		if !ok || !slices.Contains(forms, k.Value) {
			errs = append(errs, diag.Errorf(file, k.Line, k.Column, "%s: %q is not a plural form of this language", key, k.Value).WithFix("CLDR gives this language the forms %s", strings.Join(forms, ", ")))
			continue
		}
		s, err := text(key+"."+k.Value, v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m.plural[form] = s
	}
	var missing []string
	for _, f := range forms {
		if _, ok := m.plural[formNames[f]]; !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		errs = append(errs, doc.Errorf(key, "%s lacks the plural form %s", key, strings.Join(missing, ", ")).WithFix("CLDR gives this language the forms %s", strings.Join(forms, ", ")))
	}
	return m, errs
}

// moreArgs are the values herald fills in for a key beyond those its
// English text uses: a language may need another ("2026年3月" writes the
// month's number), or a date as the locale writes it where English's
// messages have always written ISO 8601 (notify.date_time).
var moreArgs = map[string][]string{
	"date.month_year":  {"{m}"},
	"date.month_day":   {"{m}"},
	"notify.date_time": {"{date}"},
}

var placeholderRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{[a-z0-9_]+\}`) })

// placeholders checks that a message uses only the {names} herald fills
// in for it: another would be printed as it is.
func placeholders(key string, doc *strictyaml.Doc, m, want msg) diag.List {
	allowed := map[string]bool{}
	for _, t := range append(slices.Collect(maps.Values(want.plural)), want.text) {
		for _, p := range placeholderRE().FindAllString(t, -1) {
			allowed[p] = true
		}
	}
	if want.plural != nil {
		allowed["{count}"] = true
	}
	for _, p := range moreArgs[key] {
		allowed[p] = true
	}
	var errs diag.List
	for _, t := range append(slices.Collect(maps.Values(m.plural)), m.text) {
		for _, p := range placeholderRE().FindAllString(t, -1) {
			if !allowed[p] {
				fix := "it takes no value; write the words alone"
				if len(allowed) > 0 {
					fix = "use " + strings.Join(slices.Sorted(maps.Keys(allowed)), ", ")
				}
				errs = append(errs, doc.Errorf(key, "%s: herald fills in no %s", key, p).WithFix("%s", fix))
			}
		}
	}
	return errs
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// PluralForms lists the CLDR plural categories the language of tag gives
// whole numbers, in CLDR's order: "one", "other" in English; six in
// Arabic; "other" alone in Japanese. herald counts days and incidents, so
// the forms of fractions are not asked for.
func PluralForms(tag string) []string {
	t := language.Make(tag)
	seen := map[plural.Form]bool{}
	// Every CLDR integer rule is decided by n mod 100, n mod 1000 or
	// n < 1,000,000 at most; 0..1099 meets every rule of the shipped
	// languages, and the millions catch the "many" of large numbers.
	for n := range 1100 {
		seen[plural.Cardinal.MatchPlural(t, n, 0, 0, 0, 0)] = true
	}
	seen[plural.Cardinal.MatchPlural(t, 1000000, 0, 0, 0, 0)] = true
	var forms []string
	for _, f := range []string{"zero", "one", "two", "few", "many", "other"} {
		if seen[formNames[f]] {
			forms = append(forms, f)
		}
	}
	return forms
}
